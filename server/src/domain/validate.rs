//! Checks of single values that several aggregates share: names, API names, thresholds.

use crate::error::{Error, Result};

pub const MAX_NAME_CHARS: usize = 255;

/// A required, trimmed, non-empty name of at most 255 characters.
pub fn name(field: &str, value: Option<&str>) -> Result<String> {
    // DRF's words: a name not sent is required, one sent empty may not be blank.
    let value = value.map(str::trim).ok_or_else(|| Error::required(field))?;
    if value.is_empty() {
        return Err(Error::field(field, "This field may not be blank."));
    }
    if value.chars().count() > MAX_NAME_CHARS {
        return Err(Error::field(field, format!("Ensure this field has no more than {MAX_NAME_CHARS} characters.")));
    }
    Ok(value.to_owned())
}

/// The name sent, checked, or the current one when none was sent.
pub fn new_name(field: &str, sent: Option<&str>, current: &str) -> Result<String> {
    match sent {
        Some(n) => name(field, Some(n)),
        None => Ok(current.to_owned()),
    }
}

/// The API name derived from a display name: letters and digits kept, everything else `_`.
pub fn api_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.trim().chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_owned()
}

/// A threshold between 0 and 1.
pub fn threshold(value: f64) -> Result<f64> {
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(Error::field("threshold", "Ensure this value is between 0 and 1."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(name("name", Some("  Invoice ")).unwrap(), "Invoice");
        assert!(name("name", Some("   ")).is_err());
        let message = |e: Error| match e {
            Error::Fields(f) => f["name"][0].clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(message(name("name", None).unwrap_err()), "This field is required.");
        assert_eq!(message(name("name", Some(" ")).unwrap_err()), "This field may not be blank.");
        assert!(name("name", Some(&"x".repeat(256))).is_err());
        assert_eq!(new_name("name", None, "Old").unwrap(), "Old");
    }

    #[test]
    fn api_names_replace_punctuation() {
        assert_eq!(api_name("Invoice Date (net)"), "Invoice_Date_net");
        assert_eq!(api_name("Bruttolohn"), "Bruttolohn");
    }

    #[test]
    fn thresholds_lie_between_zero_and_one() {
        assert!(threshold(0.0).is_ok() && threshold(1.0).is_ok());
        assert!(threshold(1.5).is_err() && threshold(f64::NAN).is_err());
    }
}

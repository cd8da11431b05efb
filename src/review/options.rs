//! How a document view is shown: full review, public read-only, or embedded in a host page's iframe.

/// What the document view shows and allows. The full review app uses `ViewOptions::default()`; the public view
/// (`/d/{id}/`) and embed mode (URL parameters) derive theirs from the URL.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewOptions {
    /// No write control is shown and only document detail, page detail and images are requested.
    pub read_only: bool,
    /// The header, navigation and other app chrome are hidden so the view fits a host page.
    pub hide_chrome: bool,
    pub show_thumbnails: bool,
    pub show_panel: bool,
    /// The panel's initial filter: only annotations that need feedback.
    pub feedback_only: bool,
    pub show_missing: bool,
    pub show_accepted: bool,
}

impl Default for ViewOptions {
    fn default() -> Self {
        ViewOptions {
            read_only: false,
            hide_chrome: false,
            show_thumbnails: true,
            show_panel: true,
            feedback_only: false,
            show_missing: true,
            show_accepted: true,
        }
    }
}

impl ViewOptions {
    /// The options an embed URL asks for (§22), starting from the defaults: `panel=0`, `thumbnails=0`,
    /// `chrome=0` (hide the header), `missing=0`, `accepted=0`, `filter=feedback`, DVUI's
    /// `show_missing_annotations=false` / `show_accepted_annotations=false`, and the hash `#unrevised` or
    /// `#possiblyIncorrect`, which forces the "feedback needed" filter as in DVUI. Unknown parameters and
    /// values that are not booleans are ignored, so a host page's own parameters do no harm.
    pub fn from_query(query: &str, hash: &str) -> ViewOptions {
        let mut options = ViewOptions::default();
        for (key, value) in query_pairs(query) {
            let flag = parse_flag(&value);
            match (key.as_str(), flag) {
                ("panel", Some(on)) => options.show_panel = on,
                ("thumbnails", Some(on)) => options.show_thumbnails = on,
                ("chrome", Some(on)) => options.hide_chrome = !on,
                ("missing" | "show_missing_annotations", Some(on)) => options.show_missing = on,
                ("accepted" | "show_accepted_annotations", Some(on)) => options.show_accepted = on,
                ("filter", _) => options.feedback_only = value == "feedback",
                _ => {}
            }
        }
        let hash = hash.trim_start_matches('#');
        if hash == "unrevised" || hash == "possiblyIncorrect" {
            options.feedback_only = true;
        }
        options
    }
}

/// The value of the query parameter `name` (the last one when repeated), e.g. `locale` or `document`.
pub fn query_param(query: &str, name: &str) -> Option<String> {
    query_pairs(query).filter(|(k, _)| k == name).map(|(_, v)| v).last()
}

/// `a=1&b=x%20y` as decoded pairs; a leading `?` is skipped.
fn query_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    query.trim_start_matches('?').split('&').filter(|p| !p.is_empty()).map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(k), decode(v))
    })
}

/// Percent-encodes a query value.
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Percent-decoding with `+` as a space; a malformed escape is kept as written.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = match bytes[i] {
            b'%' => bytes.get(i + 1).copied().and_then(hex).zip(bytes.get(i + 2).copied().and_then(hex)),
            _ => None,
        };
        match (bytes[i], escaped) {
            (_, Some((high, low))) => {
                out.push(high * 16 + low);
                i += 3;
            }
            (b'+', None) => {
                out.push(b' ');
                i += 1;
            }
            (b, None) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `1`, `true`, `yes`, `on` and `0`, `false`, `no`, `off`, in any case.
fn parse_flag(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_parameters_mean_the_defaults() {
        assert_eq!(ViewOptions::from_query("", ""), ViewOptions::default());
        assert_eq!(ViewOptions::from_query("?utm_source=intranet&panel=maybe", "#ann12"), ViewOptions::default());
    }

    #[test]
    fn parameters_hide_panels_and_chrome() {
        let options = ViewOptions::from_query("?locale=de&panel=0&thumbnails=false&chrome=0&filter=feedback", "");
        assert!(!options.show_panel && !options.show_thumbnails && options.hide_chrome && options.feedback_only);
        let options = ViewOptions::from_query("show_missing_annotations=false&accepted=OFF&chrome=1", "");
        assert!(!options.show_missing && !options.show_accepted && !options.hide_chrome);
        assert!(options.show_panel && options.show_thumbnails && !options.feedback_only);
    }

    #[test]
    fn the_hash_forces_the_feedback_filter() {
        assert!(ViewOptions::from_query("", "#unrevised").feedback_only);
        assert!(ViewOptions::from_query("filter=all", "#possiblyIncorrect").feedback_only);
        assert!(!ViewOptions::from_query("filter=all", "#ann3").feedback_only);
    }

    #[test]
    fn query_params_are_decoded() {
        assert_eq!(query_param("?document=42&locale=de", "document").as_deref(), Some("42"));
        assert_eq!(query_param("a=x%20y+z&a=last", "a").as_deref(), Some("last"));
        assert_eq!(query_param("q=x%20y+z%2", "q").as_deref(), Some("x y z%2"));
        assert_eq!(query_param("locale", "locale").as_deref(), Some(""));
        assert_eq!(query_param("", "document"), None);
    }
}

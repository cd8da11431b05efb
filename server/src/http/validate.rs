//! Checks shared by the write endpoints: names, project membership, and ids that must belong to a project.

use sqlx::Row;

use super::error::{Error, Result};
use crate::db::{self, Arg, Db};

pub const MAX_NAME_CHARS: usize = 255;

/// A required, trimmed, non-empty name of at most 255 characters.
pub fn name(field: &str, value: Option<&str>) -> Result<String> {
    let value = value.map(str::trim).unwrap_or("");
    if value.is_empty() {
        return Err(Error::field(field, "This field may not be blank."));
    }
    if value.chars().count() > MAX_NAME_CHARS {
        return Err(Error::field(field, format!("Ensure this field has no more than {MAX_NAME_CHARS} characters.")));
    }
    Ok(value.to_owned())
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

/// The caller must be a member of the project named in a body field; otherwise it does not exist for them.
pub async fn member_project(db: &Db, user_id: i64, field: &str, project: Option<i64>) -> Result<i64> {
    let project = project.ok_or_else(|| Error::required(field))?;
    if is_member(db, user_id, project).await? {
        Ok(project)
    } else {
        Err(Error::no_such(field, project))
    }
}

/// The item when the user is a member of its project; for anyone else it does not exist.
pub async fn members_only<T>(db: &Db, user_id: i64, item: Option<T>, project: impl Fn(&T) -> i64) -> Result<T> {
    match item {
        Some(item) if is_member(db, user_id, project(&item)).await? => Ok(item),
        _ => Err(Error::NotFound),
    }
}

pub async fn is_member(db: &Db, user_id: i64, project: i64) -> Result<bool> {
    Ok(sqlx::query("SELECT 1 AS one FROM project_members WHERE project_id = $1 AND user_id = $2")
        .bind(project)
        .bind(user_id)
        .fetch_optional(db)
        .await?
        .is_some())
}

/// Every id must name a row of `table` (matching `extra`, e.g. `AND is_category`) in the project.
pub async fn ids_in_project(db: &Db, table: &str, extra: &str, project: i64, field: &str, ids: &[i64]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "SELECT id FROM {table} WHERE project_id = $1 {extra} AND id IN ({})",
        db::placeholders(1, ids.len())
    );
    let mut args = vec![Arg::Int(project)];
    args.extend(ids.iter().map(|id| Arg::Int(*id)));
    let found: Vec<i64> = db::query_with(&sql, args).fetch_all(db).await?.iter().map(|r| r.get("id")).collect();
    match ids.iter().find(|id| !found.contains(id)) {
        Some(missing) => Err(Error::no_such(field, *missing)),
        None => Ok(()),
    }
}

/// Refuses a name that another row of `table` in the project already has.
pub async fn unique_name(db: &Db, table: &str, project: i64, name: &str, except: Option<i64>, what: &str) -> Result<()> {
    let sql = format!("SELECT id FROM {table} WHERE project_id = $1 AND name = $2 AND id <> $3");
    let taken = sqlx::query(&sql)
        .bind(project)
        .bind(name)
        .bind(except.unwrap_or(0))
        .fetch_optional(db)
        .await?
        .is_some();
    if taken {
        Err(Error::field("name", format!("A {what} named \"{name}\" already exists in this project.")))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(name("name", Some("  Invoice ")).unwrap(), "Invoice");
        assert!(name("name", Some("   ")).is_err());
        assert!(name("name", None).is_err());
        assert!(name("name", Some(&"x".repeat(256))).is_err());
    }

    #[test]
    fn api_names_replace_punctuation() {
        assert_eq!(api_name("Invoice Date (net)"), "Invoice_Date_net");
        assert_eq!(api_name("Bruttolohn"), "Bruttolohn");
    }
}

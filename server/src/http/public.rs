//! Who may frame an SPA page (§19): the public view of a public document by its project's allowed origins,
//! every other page only by Lectern itself.

use crate::db::Db;
use crate::domain::projects;

/// The `Content-Security-Policy` for an SPA page: the public view of a public document (`/d/{id}/`, or
/// any page with `?document={id}`, §22) may be framed by its project's allowed origins.
pub async fn frame_policy(db: &Db, path: &str, query: Option<&str>) -> String {
    let mut ancestors = vec!["'self'".to_owned()];
    if let Some(id) = public_document_id(path, query) {
        // A failed lookup falls back to the strictest policy rather than failing the page.
        if let Ok(Some(settings)) = projects::public_sharing_of_document(db, id).await {
            ancestors.extend(settings.embed_domains);
        }
    }
    format!("frame-ancestors {}", ancestors.join(" "))
}

/// The document a public-view URL names: `/d/{id}` or `/d/{id}/`, else `?document={id}` (the query wins,
/// as in DVUI).
fn public_document_id(path: &str, query: Option<&str>) -> Option<i64> {
    let from_query = query.and_then(|q| {
        form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "document").and_then(|(_, v)| v.parse().ok())
    });
    let from_path =
        path.strip_prefix("/d/").map(|rest| rest.strip_suffix('/').unwrap_or(rest)).and_then(|id| id.parse().ok());
    from_query.or(from_path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_view_urls_name_their_document() {
        assert_eq!(public_document_id("/d/12/", None), Some(12));
        assert_eq!(public_document_id("/d/12", Some("locale=de")), Some(12));
        assert_eq!(public_document_id("/", Some("document=7&panel=0")), Some(7));
        assert_eq!(public_document_id("/d/x/", None), None);
        assert_eq!(public_document_id("/projects/1/documents/2", None), None);
    }
}

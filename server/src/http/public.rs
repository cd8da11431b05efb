//! Public documents and embedding (§19): a project's sharing settings, and who may frame the public view.

use axum::extract::State;
use axum::Json;
use lectern_api::{ProjectSharing, ProjectSharingWrite};
use serde_json::Value;
use sqlx::Row;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::auth::AuthUser;
use super::error::{Body, Error, PathId, Result};
use super::{projects, validate, AppState};
use crate::db::{self, Db};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_sharing, update_sharing))
}

/// At most this many origins may embed a project's documents.
pub const MAX_EMBED_DOMAINS: usize = 50;

async fn sharing(db: &Db, project: i64) -> Result<ProjectSharing> {
    let row = sqlx::query("SELECT public_documents, embed_domains FROM projects WHERE id = $1")
        .bind(project)
        .fetch_optional(db)
        .await?
        .ok_or(Error::NotFound)?;
    let domains: String = row.get("embed_domains");
    Ok(ProjectSharing {
        public_documents: db::flag(&row, "public_documents"),
        embed_domains: serde_json::from_str(&domains).map_err(anyhow::Error::from)?,
    })
}

/// Whether the project's documents are public.
pub async fn is_public(db: &Db, project: i64) -> Result<bool> {
    Ok(sharing(db, project).await?.public_documents)
}

/// Whether the document, public or not, may be shown without login; its project's settings when it may.
async fn public_sharing(db: &Db, document: i64) -> Result<Option<ProjectSharing>> {
    let row = sqlx::query("SELECT project_id FROM documents WHERE id = $1").bind(document).fetch_optional(db).await?;
    let Some(row) = row else { return Ok(None) };
    let settings = sharing(db, row.get("project_id")).await?;
    Ok(settings.public_documents.then_some(settings))
}

/// A project's sharing settings; any member may read them.
#[utoipa::path(get, path = "/api/v3/projects/{id}/sharing/", tag = "projects",
    params(("id" = i64, Path)), responses((status = 200, body = ProjectSharing), (status = 404)))]
async fn get_sharing(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
) -> Result<Json<ProjectSharing>> {
    if !validate::is_member(&state.db, user.id, id).await? {
        return Err(Error::NotFound);
    }
    Ok(Json(sharing(&state.db, id).await?))
}

/// Make the project's documents public or not and set the origins that may embed them; only the owner may.
#[utoipa::path(patch, path = "/api/v3/projects/{id}/sharing/", tag = "projects", request_body = ProjectSharingWrite,
    params(("id" = i64, Path)), responses((status = 200, body = ProjectSharing), (status = 400), (status = 403), (status = 404)))]
async fn update_sharing(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    Body(body): Body<ProjectSharingWrite>,
) -> Result<Json<ProjectSharing>> {
    projects::owner_only(&state.db, &user, id, "Only the project's owner can change its sharing settings.").await?;
    let current = sharing(&state.db, id).await?;
    let domains = match body.embed_domains {
        Some(list) => embed_domains(&list)?,
        None => current.embed_domains,
    };
    sqlx::query("UPDATE projects SET public_documents = $1, embed_domains = $2 WHERE id = $3")
        .bind(body.public_documents.unwrap_or(current.public_documents))
        .bind(serde_json::to_string(&domains).map_err(anyhow::Error::from)?)
        .bind(id)
        .execute(&state.db)
        .await?;
    Ok(Json(sharing(&state.db, id).await?))
}

/// The origins, checked and normalised (lower case, no trailing slash, no repeats).
fn embed_domains(list: &[String]) -> Result<Vec<String>> {
    if list.len() > MAX_EMBED_DOMAINS {
        return Err(Error::field(
            "embed_domains",
            format!("Ensure this list has no more than {MAX_EMBED_DOMAINS} origins."),
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for entry in list {
        let origin = origin(entry).ok_or_else(|| {
            Error::field(
                "embed_domains",
                format!("\"{entry}\" is not an origin: write a scheme (http or https) and a host, with an optional port and an optional leading \"*.\" for subdomains, e.g. https://*.example.com:8443."),
            )
        })?;
        if !out.contains(&origin) {
            out.push(origin);
        }
    }
    Ok(out)
}

/// `scheme://host[:port]` with scheme http or https and a host of letters, digits, `-` and dots (so IPv4
/// addresses and `localhost` too), optionally starting with `*.`. Anything else, in particular paths,
/// quotes, spaces or `;` that would change the CSP header, is refused.
fn origin(entry: &str) -> Option<String> {
    let entry = entry.trim().to_ascii_lowercase();
    let entry = entry.strip_suffix('/').unwrap_or(&entry);
    let (scheme, authority) = entry.split_once("://")?;
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    if let Some(port) = port {
        if !port.bytes().all(|b| b.is_ascii_digit()) || !matches!(port.parse::<u32>(), Ok(1..=65535)) {
            return None;
        }
    }
    let bare = host.strip_prefix("*.").unwrap_or(host);
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if bare.is_empty() || bare.len() > 253 || !bare.split('.').all(label_ok) {
        return None;
    }
    Some(entry.to_owned())
}

/// The `Content-Security-Policy` for an SPA page: the public view of a public document (`/d/{id}/`, or
/// any page with `?document={id}`, §22) may be framed by its project's allowed origins, every other page
/// only by Lectern itself.
pub async fn frame_policy(db: &Db, path: &str, query: Option<&str>) -> String {
    let mut ancestors = vec!["'self'".to_owned()];
    if let Some(id) = public_document_id(path, query) {
        // A failed lookup falls back to the strictest policy rather than failing the page.
        if let Ok(Some(settings)) = public_sharing(db, id).await {
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

/// Keys naming people or secrets, which a public document's readers do not get.
const PRIVATE_KEYS: [&str; 4] = ["assignee", "created_by", "revised_by", "callback_url"];

/// Blanks who worked on a document and its callback URL (which may hold a secret) in an answer for a
/// reader who is not a member: the public view shows the document, not its team. The keys stay, as null,
/// so the shape is the one members get.
pub fn redact(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                if PRIVATE_KEYS.contains(&key.as_str()) {
                    *item = Value::Null;
                } else {
                    redact(item);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_checked_and_normalised() {
        assert_eq!(origin("https://Intranet.Example/").as_deref(), Some("https://intranet.example"));
        assert_eq!(origin("http://127.0.0.1:8080").as_deref(), Some("http://127.0.0.1:8080"));
        assert_eq!(origin("https://*.example.com").as_deref(), Some("https://*.example.com"));
        for bad in [
            "example.com",
            "ftp://example.com",
            "https://example.com/path",
            "https://*",
            "https://a.*.example.com",
            "https://example.com:0",
            "https://example.com:99999",
            "https://exa mple.com",
            "https://example.com; script-src *",
            "https://'self'",
            "https://",
        ] {
            assert_eq!(origin(bad), None, "{bad}");
        }
    }

    #[test]
    fn lists_are_bounded_and_deduplicated() {
        let list = vec!["https://a.example".to_owned(), "https://A.example/".to_owned()];
        assert_eq!(embed_domains(&list).unwrap(), vec!["https://a.example"]);
        let many: Vec<String> = (0..=MAX_EMBED_DOMAINS).map(|i| format!("https://h{i}.example")).collect();
        assert!(embed_domains(&many).is_err());
    }

    #[test]
    fn public_view_urls_name_their_document() {
        assert_eq!(public_document_id("/d/12/", None), Some(12));
        assert_eq!(public_document_id("/d/12", Some("locale=de")), Some(12));
        assert_eq!(public_document_id("/", Some("document=7&panel=0")), Some(7));
        assert_eq!(public_document_id("/d/x/", None), None);
        assert_eq!(public_document_id("/projects/1/documents/2", None), None);
    }

    #[test]
    fn redaction_blanks_people_everywhere() {
        let mut v = serde_json::json!({"assignee": "a@x", "annotation_sets": [{"annotations": [{"created_by": "b@x", "id": 1}]}]});
        redact(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"assignee": null, "annotation_sets": [{"annotations": [{"created_by": null, "id": 1}]}]})
        );
    }
}

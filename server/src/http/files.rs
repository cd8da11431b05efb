//! Files outside /api/v3 (§17): page images and thumbnails, originals and OCR'd PDFs, with the API's auth.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::auth::{AuthUser, MaybeAuthUser};
use super::error::PathId;
use crate::domain::documents::files::{self, StoredFile};
use crate::domain::documents::pages::{self, Picture};
use crate::domain::{documents, projects};
use crate::error::{Error, Result};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/page/{picture}/{id}/", get(page_picture)).route("/doc/{file}/{id}/", get(document_file))
}

/// A stored file with an ETag; a matching `If-None-Match` gets 304. Query strings (cache busters) are ignored.
/// Files offered for download are named.
async fn serve(state: &AppState, headers: &HeaderMap, file: StoredFile, named: bool) -> Result<Response> {
    let etag = format!("\"{}\"", file.version);
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    let bytes = state.storage.get(&file.key).await?;
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(file.content_type));
    h.insert(header::ETAG, HeaderValue::from_str(&etag).map_err(anyhow::Error::from)?);
    // Private: the files need credentials. Revalidation is cheap thanks to the ETag.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=60"));
    if named {
        let safe: String = file.name.chars().map(|c| if c == '"' || c.is_control() { '_' } else { c }).collect();
        let value = format!("inline; filename=\"{safe}\"");
        h.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("inline")),
        );
    }
    Ok(resp)
}

/// A page's image (`show-image`) or thumbnail (`show-thumbnail`); readable by whoever may read its document.
async fn page_picture(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    headers: HeaderMap,
    Path((picture, id)): Path<(String, String)>,
) -> Result<Response> {
    let which = match picture.as_str() {
        "show-image" => Picture::Image,
        "show-thumbnail" => Picture::Thumbnail,
        _ => return Err(Error::NotFound),
    };
    let picture = pages::picture(&state.db, PathId::parse(&id)?, which).await?;
    documents::readable(&state.db, user.map(|u| u.id), picture.document).await?;
    let key = picture.key.ok_or_else(|| Error::NotReady("The page image is not ready yet.".into()))?;
    let content_type = if key.ends_with(".jpg") { "image/jpeg" } else { "image/png" };
    let file = StoredFile { key, content_type, version: picture.version, name: String::new() };
    serve(&state, &headers, file, false).await
}

/// A document's file as uploaded (`show-original`), its searchable PDF (`show`: the OCR'd PDF for scans and
/// images, the original for born-digital PDFs), or the file uploaded for a document set before any split
/// (`show-document-set-original`, §16).
async fn document_file(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
    Path((file, id)): Path<(String, String)>,
) -> Result<Response> {
    let id = PathId::parse(&id)?;
    let stored = match file.as_str() {
        "show-original" => files::original(&state.db, &documents::visible(&state.db, user.id, id).await?).await?,
        "show" => files::searchable_pdf(&state.db, &documents::visible(&state.db, user.id, id).await?).await?,
        "show-document-set-original" => {
            let (project, stored) = files::set_original(&state.db, id).await?;
            projects::member_only(&state.db, user.id, project).await?;
            stored
        }
        _ => return Err(Error::NotFound),
    };
    serve(&state, &headers, stored, true).await
}

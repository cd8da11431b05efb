//! Files outside /api/v3 (§17): page images and thumbnails, originals and OCR'd PDFs, with the API's auth.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use sqlx::Row;

use super::auth::{AuthUser, MaybeAuthUser};
use super::documents;
use super::error::{Error, PathId, Result};
use super::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/page/show-image/{id}/", get(page_image))
        .route("/page/show-thumbnail/{id}/", get(page_thumbnail))
        .route("/doc/show-original/{id}/", get(original))
        .route("/doc/show/{id}/", get(processed_pdf))
        .route("/doc/show-document-set-original/{id}/", get(set_original))
}

/// A stored file with an ETag; a matching `If-None-Match` gets 304. Query strings (cache busters) are ignored.
async fn serve(state: &AppState, headers: &HeaderMap, key: &str, etag: String, content_type: &str, download: Option<&str>) -> Result<Response> {
    let etag = format!("\"{etag}\"");
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    let bytes = state.storage.get(key).await?;
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_str(content_type).map_err(anyhow::Error::from)?);
    h.insert(header::ETAG, HeaderValue::from_str(&etag).map_err(anyhow::Error::from)?);
    // Private: the files need credentials. Revalidation is cheap thanks to the ETag.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=60"));
    if let Some(name) = download {
        let safe: String = name.chars().map(|c| if c == '"' || c.is_control() { '_' } else { c }).collect();
        let value = format!("inline; filename=\"{safe}\"");
        h.insert(header::CONTENT_DISPOSITION, HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("inline")));
    }
    Ok(resp)
}

async fn page_file(state: AppState, user: Option<AuthUser>, headers: HeaderMap, id: i64, column: &str) -> Result<Response> {
    let row = sqlx::query(&format!("SELECT document_id, updated_at, {column} AS key FROM pages WHERE id = $1"))
        .bind(id)
        .fetch_optional(&state.db)
        .await?
        .ok_or(Error::NotFound)?;
    documents::readable(&state.db, user.as_ref(), row.get("document_id")).await?;
    let key: Option<String> = row.get("key");
    let key = key.ok_or_else(|| Error::PreconditionRequired("The page image is not ready yet.".into()))?;
    let etag = format!("{id}-{column}-{}", row.get::<String, _>("updated_at"));
    serve(&state, &headers, &key, etag, "image/png", None).await
}

async fn page_image(State(state): State<AppState>, MaybeAuthUser(user): MaybeAuthUser, headers: HeaderMap, PathId(id): PathId) -> Result<Response> {
    page_file(state, user, headers, id, "image_key").await
}

async fn page_thumbnail(State(state): State<AppState>, MaybeAuthUser(user): MaybeAuthUser, headers: HeaderMap, PathId(id): PathId) -> Result<Response> {
    page_file(state, user, headers, id, "thumbnail_key").await
}

fn content_type(file_type: &str) -> &'static str {
    match file_type {
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpeg" => "image/jpeg",
        "tiff" => "image/tiff",
        _ => "application/octet-stream",
    }
}

/// The file as uploaded.
async fn original(State(state): State<AppState>, user: AuthUser, headers: HeaderMap, PathId(id): PathId) -> Result<Response> {
    let doc = documents::visible(&state.db, &user, id).await?;
    let row = sqlx::query("SELECT original_key, file_type FROM documents WHERE id = $1").bind(id).fetch_one(&state.db).await?;
    let key: String = row.get("original_key");
    let file_type: String = row.get("file_type");
    serve(&state, &headers, &key, format!("{id}-original-{}", doc.updated_at), content_type(&file_type), Some(&doc.data_file_name)).await
}

/// The searchable PDF: the OCR'd PDF for scans and images, the original for born-digital PDFs.
async fn processed_pdf(State(state): State<AppState>, user: AuthUser, headers: HeaderMap, PathId(id): PathId) -> Result<Response> {
    let doc = documents::visible(&state.db, &user, id).await?;
    let row = sqlx::query("SELECT ocr_pdf_key, original_key, file_type, bbox_key FROM documents WHERE id = $1")
        .bind(id)
        .fetch_one(&state.db)
        .await?;
    if row.get::<Option<String>, _>("bbox_key").is_none() {
        return Err(Error::PreconditionRequired("The document has not been processed yet.".into()));
    }
    let key = match (row.get::<Option<String>, _>("ocr_pdf_key"), row.get::<String, _>("file_type").as_str()) {
        (Some(key), _) => key,
        (None, "pdf") => row.get("original_key"),
        (None, _) => return Err(Error::PreconditionRequired("The searchable PDF is not ready yet.".into())),
    };
    let name = format!("{}.pdf", doc.data_file_name.trim_end_matches(".pdf"));
    serve(&state, &headers, &key, format!("{id}-pdf-{}", doc.updated_at), "application/pdf", Some(&name)).await
}

/// The file uploaded for a document set, before any split (§16).
async fn set_original(State(state): State<AppState>, user: AuthUser, headers: HeaderMap, PathId(id): PathId) -> Result<Response> {
    let row = sqlx::query(
        "SELECT s.project_id, s.original_key, s.file_type, s.created_at, d.data_file_name FROM document_sets s
         JOIN documents d ON d.document_set_id = s.id WHERE s.id = $1 ORDER BY d.id LIMIT 1",
    )
    .bind(id)
    .fetch_optional(&state.db)
    .await?
    .ok_or(Error::NotFound)?;
    if !super::validate::is_member(&state.db, user.id, row.get("project_id")).await? {
        return Err(Error::NotFound);
    }
    let key: String = row.get("original_key");
    let etag = format!("set-{id}-{}", row.get::<String, _>("created_at"));
    serve(&state, &headers, &key, etag, content_type(&row.get::<String, _>("file_type")), Some(&row.get::<String, _>("data_file_name"))).await
}

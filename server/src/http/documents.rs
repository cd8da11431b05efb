//! Documents (§7): upload (multipart), list, detail, change and delete.

use std::path::PathBuf;

use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use lectern_api::documents::{Document, DocumentDetail, DocumentWrite};
use lectern_api::lenient::{self, Input};
use lectern_api::Paginated;
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::auth::{AuthUser, MaybeAuthUser};
use super::error::{from_value, Body, PathId};
use super::list::{respond, Fields, ListRequest};
use crate::domain::documents::upload::{self, ReceivedFile, Upload};
use crate::domain::documents::{self, review, Access};
use crate::domain::list::Scope;
use crate::error::{Error, Result};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_documents, upload_document)).routes(routes!(
        get_document,
        update_document,
        delete_document
    ))
}

/// List documents of the caller's projects; the heavy fields are left out. `fields=…,review_counts` adds each
/// document's `review_counts` (see `documents::annotation_counts`), which is not among the default keys: the
/// SDK asserts the exact key set of a listed document (§7.1), so the count is opt-in.
#[utoipa::path(get, path = "/api/v3/documents/", tag = "documents",
    params(("project" = Option<i64>, Query), ("category" = Option<i64>, Query), ("is_reviewed" = Option<bool>, Query),
           ("status_data" = Option<i64>, Query), ("dataset_status" = Option<i64>, Query),
           ("assignee" = Option<String>, Query), ("data_file_name" = Option<String>, Query),
           ("fields" = Option<String>, Query), ("limit" = Option<u64>, Query), ("offset" = Option<u64>, Query)),
    responses((status = 200, body = Paginated<Document>)))]
async fn list_documents(State(state): State<AppState>, user: AuthUser, req: ListRequest) -> Result<Json<Value>> {
    let page = req.fetch(&state.db, &documents::LIST, Scope::member(user.id)).await?;
    let items = documents::load(&state.db, &page.ids).await?;
    if !req.fields().names("review_counts") {
        return page.respond(items);
    }
    let mut counts = documents::annotation_counts(&state.db, &page.ids).await?;
    let items = items
        .into_iter()
        .map(|doc| {
            let c = counts.remove(&doc.id).unwrap_or_default();
            let mut item = serde_json::to_value(doc).map_err(anyhow::Error::from)?;
            item["review_counts"] = json!({"pending": c.pending, "accepted": c.accepted, "declined": c.declined});
            Ok(item)
        })
        .collect::<Result<Vec<_>>>()?;
    page.respond(items)
}

/// One document with its text, pages and annotation sets.
/// Documents of a public project are readable without credentials (§19).
#[utoipa::path(get, path = "/api/v3/documents/{id}/", tag = "documents", security((), ("token" = []), ("basic" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = DocumentDetail), (status = 404)))]
async fn get_document(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    PathId(id): PathId,
    fields: Fields,
) -> Result<Json<Value>> {
    let (doc, access) = documents::readable(&state.db, user.map(|u| u.id), id).await?;
    let mut detail = review::detail(&state.db, doc).await?;
    if access == Access::Public {
        review::redact(&mut detail);
    }
    fields.respond(detail)
}

/// The fields of an upload other than the file.
#[derive(Debug, Default, serde::Deserialize)]
struct UploadFields {
    project: Option<i64>,
    category: Option<i64>,
    #[serde(default)]
    sync: Option<bool>,
    callback_url: Option<String>,
    callback_status_code: Option<i64>,
    dataset_status: Option<i64>,
    assignee: Option<String>,
}

/// A file received into the data dir's tmp folder; removed when dropped.
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The uploaded file as received: its name, where it is, its size and first bytes.
struct Received {
    name: String,
    file: TempFile,
    size: u64,
    head: Vec<u8>,
}

/// How much of an upload beyond the limit is still read (and dropped) before the connection is given up.
const DRAIN_BYTES: u64 = 64 << 20;

/// Reads the multipart body: the file into a temporary file, the other fields as text.
async fn read_upload(state: &AppState, mut multipart: Multipart) -> Result<(Option<Received>, UploadFields)> {
    let limit = state.config.max_upload_bytes() as u64;
    let too_large =
        || Error::PayloadTooLarge(format!("The upload is larger than the limit of {} MB.", state.config.max_upload_mb));
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        Error::BadRequest(format!("Could not read the multipart body: {}", e.body_text()))
    };
    let mut file = None;
    let mut fields = Vec::new();
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or("").to_owned();
        if name == "data_file" {
            let file_name = field.file_name().map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n).to_owned());
            let dir = state.config.data_dir.join("tmp");
            tokio::fs::create_dir_all(&dir).await.map_err(anyhow::Error::from)?;
            let temp = TempFile(dir.join(format!("upload-{}", documents::random_hex())));
            let mut out = tokio::fs::File::create(&temp.0).await.map_err(anyhow::Error::from)?;
            let (mut size, mut head) = (0u64, Vec::new());
            while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
                if head.len() < 1024 {
                    head.extend_from_slice(&chunk[..chunk.len().min(1024 - head.len())]);
                }
                size += chunk.len() as u64;
                // Past the limit the rest is read and dropped (up to a bound), so the client, still sending,
                // receives the 413 instead of a reset connection.
                if size > limit + DRAIN_BYTES {
                    return Err(too_large());
                }
                if size <= limit {
                    out.write_all(&chunk).await.map_err(anyhow::Error::from)?;
                }
            }
            if size > limit {
                return Err(too_large());
            }
            out.flush().await.map_err(anyhow::Error::from)?;
            let name = file_name.filter(|n| !n.trim().is_empty()).unwrap_or_else(|| "document".into());
            file = Some(Received { name, file: temp, size, head });
        } else {
            let text = field.text().await.map_err(unreadable)?;
            if text.len() > 64 << 10 {
                return Err(Error::field(&name, "The value is too long."));
            }
            // Optional fields sent empty count as absent, as the SDK's `requests` may send them.
            if !text.trim().is_empty() {
                fields.push((name, text.trim().to_owned()));
            }
        }
    }
    Ok((file, from_value(lenient::form_value(fields), Input::Form)?))
}

/// Upload a document (multipart/form-data). The original is stored before the answer; processing runs as
/// a job, and with `sync=true` the answer waits until it has ended.
#[utoipa::path(post, path = "/api/v3/documents/", tag = "documents",
    request_body(content_type = "multipart/form-data", description = "data_file, project, category, sync, callback_url, callback_status_code, dataset_status, assignee"),
    responses((status = 201, body = DocumentDetail), (status = 400), (status = 413), (status = 415)))]
async fn upload_document(
    State(state): State<AppState>,
    user: AuthUser,
    multipart: std::result::Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<Value>)> {
    let multipart =
        multipart.map_err(|_| Error::UnsupportedMediaType("Upload documents as multipart/form-data.".into()))?;
    let (received, fields) = read_upload(&state, multipart).await?;
    let file = received.as_ref().map(|r| ReceivedFile {
        name: r.name.clone(),
        path: &r.file.0,
        size: r.size,
        head: r.head.clone(),
    });
    let upload = Upload {
        file,
        project: fields.project,
        category: fields.category,
        callback_url: fields.callback_url,
        callback_status_code: fields.callback_status_code,
        dataset_status: fields.dataset_status,
        assignee: fields.assignee,
    };
    let id = upload::create(&state, user.id, upload).await?;
    if fields.sync.unwrap_or(false) {
        upload::wait_until_processed(&state, id).await?;
    }
    let doc = documents::visible(&state.db, user.id, id).await?;
    Ok((StatusCode::CREATED, respond(review::detail(&state.db, doc).await?)?))
}

/// Change a document's name, category, review state, dataset status or assignee.
#[utoipa::path(patch, path = "/api/v3/documents/{id}/", tag = "documents", request_body = DocumentWrite,
    params(("id" = i64, Path)), responses((status = 200, body = DocumentDetail), (status = 400), (status = 404)))]
async fn update_document(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    Body(body): Body<DocumentWrite>,
) -> Result<Json<Value>> {
    let doc = documents::visible(&state.db, user.id, id).await?;
    review::update(&state.db, doc, body).await?;
    let doc = documents::visible(&state.db, user.id, id).await?;
    respond(review::detail(&state.db, doc).await?)
}

/// Delete a document with its pages and files.
#[utoipa::path(delete, path = "/api/v3/documents/{id}/", tag = "documents",
    params(("id" = i64, Path)), responses((status = 204), (status = 404)))]
async fn delete_document(State(state): State<AppState>, user: AuthUser, PathId(id): PathId) -> Result<StatusCode> {
    let doc = documents::visible(&state.db, user.id, id).await?;
    documents::delete(&state, doc).await?;
    Ok(StatusCode::NO_CONTENT)
}

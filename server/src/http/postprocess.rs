//! Postprocess (§15.1): split a document into several, turn and reorder its pages; and document sets (§16).

use axum::extract::State;
use axum::Json;
use lectern_api::documents::{DocumentDetail, DocumentSet, PostprocessPart};
use serde_json::Value;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::auth::AuthUser;
use super::error::{Body, PathId};
use super::list::{respond, Fields};
use crate::domain::documents::{self, review, sets};
use crate::error::Result;
use crate::pipeline::postprocess;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(postprocess)).routes(routes!(get_document_set))
}

/// Split, turn and reorder a document's pages (§15.1). The body is a list of output documents
/// `{name, category, pages: [{id, angle}, …]}`; the answer lists the resulting documents, queued for processing.
#[utoipa::path(post, path = "/api/v3/documents/{id}/postprocess/", tag = "documents",
    request_body = Vec<PostprocessPart>, params(("id" = i64, Path)),
    responses((status = 200, body = Vec<DocumentDetail>), (status = 400), (status = 404)))]
async fn postprocess(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    Body(parts): Body<Vec<PostprocessPart>>,
) -> Result<Json<Value>> {
    let doc = documents::visible(&state.db, user.id, id).await?;
    let ids = postprocess::run(&state, user.id, &doc, parts).await?;
    respond(review::details(&state.db, &ids).await?)
}

/// A document set with the documents made from its upload, newest first (§16). `fields` selects with dotted
/// paths (`documents.id,documents.data_file_name`); `expand=documents` is accepted, as documents are always
/// embedded.
#[utoipa::path(get, path = "/api/v3/document-sets/{id}/", tag = "documents",
    params(("id" = i64, Path)), responses((status = 200, body = DocumentSet), (status = 404)))]
async fn get_document_set(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    fields: Fields,
) -> Result<Json<Value>> {
    fields.respond(sets::visible(&state.db, user.id, id).await?)
}

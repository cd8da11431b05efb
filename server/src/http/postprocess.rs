//! Postprocess (§15.1): split a document into several, turn and reorder its pages; and document sets (§16).

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::Json;
use lectern_api::documents::{DocumentDetail, DocumentSet, PostprocessPart};
use lectern_api::lenient::parse_bool;
use serde_json::Value;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::auth::AuthUser;
use super::error::{Body, PathId};
use super::list::{respond, Fields};
use crate::domain::documents::{self, review, sets};
use crate::error::{Error, Result};
use crate::pipeline::postprocess;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(postprocess)).routes(routes!(get_document_set))
}

/// Split, turn and reorder a document's pages (§15.1). The body is a list of output documents
/// `{name, category, pages: [{id, angle}, …]}`; the answer lists the resulting documents, queued for processing.
/// Annotations follow their pages; when some cannot (their spans go to different documents) the answer is a 400
/// whose field `annotations` names each, and nothing changes, unless `?drop_annotations=true` allows deleting them.
#[utoipa::path(post, path = "/api/v3/documents/{id}/postprocess/", tag = "documents",
    request_body = Vec<PostprocessPart>,
    params(("id" = i64, Path), ("drop_annotations" = Option<bool>, Query,
        description = "delete the annotations that cannot follow their pages instead of refusing")),
    responses((status = 200, body = Vec<DocumentDetail>), (status = 400), (status = 404)))]
async fn postprocess(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    Query(query): Query<HashMap<String, String>>,
    Body(parts): Body<Vec<PostprocessPart>>,
) -> Result<Json<Value>> {
    let drop = match query.get("drop_annotations") {
        None => false,
        Some(v) => parse_bool(v).ok_or_else(|| Error::field("drop_annotations", "Must be a valid boolean."))?,
    };
    let doc = documents::visible(&state.db, user.id, id).await?;
    let ids = postprocess::run(&state, user.id, &doc, parts, drop).await?;
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

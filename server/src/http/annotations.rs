//! Annotations (§12): create (one or a list), list, detail, change, delete, and bulk accept/decline.
//!
//! Choices where the reference is silent: a single object posted is answered with the annotation (the SDK
//! reads its `id`), a list with a list (DVUI's table tool posts one). The rules of the writes are in
//! `domain::annotations::write`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use lectern_api::annotations::{Annotation, AnnotationWrite, BulkUpdate};
use lectern_api::Paginated;
use serde_json::Value;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::auth::AuthUser;
use super::error::{Body, OneOrMany, PathId};
use super::list::{respond, Fields, ListRequest};
use crate::domain::annotations::{self, write};
use crate::error::{Error, Result};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_annotations, create_annotations))
        .routes(routes!(get_annotation, update_annotation, delete_annotation))
        .routes(routes!(update_document_annotations))
}

/// List annotations of the caller's documents (the flat alternative to `annotation_sets`).
#[utoipa::path(get, path = "/api/v3/annotations/", tag = "annotations",
    params(("document" = Option<i64>, Query), ("label" = Option<i64>, Query), ("label_set" = Option<i64>, Query),
           ("annotation_set" = Option<i64>, Query), ("is_correct" = Option<bool>, Query), ("revised" = Option<bool>, Query),
           ("limit" = Option<u64>, Query), ("offset" = Option<u64>, Query)),
    responses((status = 200, body = Paginated<Annotation>)))]
async fn list_annotations(State(state): State<AppState>, user: AuthUser, req: ListRequest) -> Result<Json<Value>> {
    let page = req.fetch(&state.db, &annotations::LIST, annotations::scope(user.id)).await?;
    let items = annotations::load(&state.db, &page.ids).await?;
    page.respond(items)
}

/// Create one annotation (answered with the annotation, as the SDK reads its `id`) or a list of them (answered
/// with a list, as DVUI's table tool posts).
#[utoipa::path(post, path = "/api/v3/annotations/", tag = "annotations", request_body = AnnotationWrite,
    responses((status = 201, body = Annotation, description = "the annotation, or a list for a list body"), (status = 400), (status = 403, description = "the same text twice")))]
async fn create_annotations(
    State(state): State<AppState>,
    user: AuthUser,
    Body(OneOrMany { items, is_list }): Body<OneOrMany<AnnotationWrite>>,
) -> Result<(StatusCode, Json<Value>)> {
    let ids = write::create(&state, Some(user.id), items.into_iter().map(|w| (w, None)).collect()).await?;
    let mut created = annotations::load(&state.db, &ids).await?;
    let answer = if is_list { respond(created)? } else { respond(created.pop().ok_or(Error::NotFound)?)? };
    Ok((StatusCode::CREATED, answer))
}

/// One annotation.
#[utoipa::path(get, path = "/api/v3/annotations/{id}/", tag = "annotations",
    params(("id" = i64, Path)), responses((status = 200, body = Annotation), (status = 404)))]
async fn get_annotation(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    fields: Fields,
) -> Result<Json<Value>> {
    fields.respond(annotations::visible(&state.db, user.id, id).await?.0)
}

/// Change an annotation: accept (`revised`, `is_correct` true), decline (`revised` true, `is_correct` false,
/// also the SDK's soft delete with `annotation_id`), move it to another label or set, or change its spans.
#[utoipa::path(patch, path = "/api/v3/annotations/{id}/", tag = "annotations", request_body = AnnotationWrite,
    params(("id" = i64, Path)), responses((status = 200, body = Annotation), (status = 400), (status = 403), (status = 404)))]
async fn update_annotation(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    Body(w): Body<AnnotationWrite>,
) -> Result<Json<Value>> {
    write::update(&state, user.id, id, w).await?;
    respond(annotations::load(&state.db, &[id]).await?.pop().ok_or(Error::NotFound)?)
}

/// Delete an annotation: an AI suggestion not declined yet is kept as declined, anything else is removed.
#[utoipa::path(delete, path = "/api/v3/annotations/{id}/", tag = "annotations",
    params(("id" = i64, Path)), responses((status = 204), (status = 400), (status = 404)))]
async fn delete_annotation(State(state): State<AppState>, user: AuthUser, PathId(id): PathId) -> Result<StatusCode> {
    write::delete(&state, user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Accept or decline several annotations of a document at once; the answer lists them.
#[utoipa::path(patch, path = "/api/v3/documents/{id}/update-annotations/", tag = "annotations", request_body = BulkUpdate,
    params(("id" = i64, Path)), responses((status = 200, body = Vec<Annotation>), (status = 400), (status = 404)))]
async fn update_document_annotations(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    Body(body): Body<BulkUpdate>,
) -> Result<Json<Value>> {
    write::review_many(&state, user.id, id, &body).await?;
    respond(annotations::load(&state.db, &body.ids).await?)
}

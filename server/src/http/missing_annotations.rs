//! Missing annotations (§13): "not found" markers for a label of an (existing or potential) annotation set.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use lectern_api::annotations::{MissingAnnotation, MissingAnnotationWrite};
use lectern_api::Paginated;
use serde_json::Value;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::auth::AuthUser;
use super::error::{Body, OneOrMany, PathId};
use super::list::{respond, ListRequest};
use crate::domain::annotations::{self, missing};
use crate::error::Result;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_missing, create_missing)).routes(routes!(delete_missing))
}

/// List "not found" markers of the caller's documents.
#[utoipa::path(get, path = "/api/v3/missing-annotations/", tag = "annotations",
    params(("document" = Option<i64>, Query), ("limit" = Option<u64>, Query), ("offset" = Option<u64>, Query)),
    responses((status = 200, body = Paginated<MissingAnnotation>)))]
async fn list_missing(State(state): State<AppState>, user: AuthUser, req: ListRequest) -> Result<Json<Value>> {
    let page = req.fetch(&state.db, &missing::LIST, annotations::scope(user.id)).await?;
    let items = missing::load(&state.db, &page.ids).await?;
    page.respond(items)
}

/// Mark labels as not found: one object or a list (→ a list). A marker given twice, or a label outside its
/// label set, is refused.
#[utoipa::path(post, path = "/api/v3/missing-annotations/", tag = "annotations", request_body = Vec<MissingAnnotationWrite>,
    responses((status = 201, body = Vec<MissingAnnotation>), (status = 400)))]
async fn create_missing(
    State(state): State<AppState>,
    user: AuthUser,
    Body(OneOrMany { items, .. }): Body<OneOrMany<MissingAnnotationWrite>>,
) -> Result<(StatusCode, Json<Value>)> {
    let ids = missing::create(&state.db, user.id, items).await?;
    Ok((StatusCode::CREATED, respond(missing::load(&state.db, &ids).await?)?))
}

/// Restore a label marked as not found.
#[utoipa::path(delete, path = "/api/v3/missing-annotations/{id}/", tag = "annotations",
    params(("id" = i64, Path)), responses((status = 204), (status = 400), (status = 404)))]
async fn delete_missing(State(state): State<AppState>, user: AuthUser, PathId(id): PathId) -> Result<StatusCode> {
    missing::delete(&state.db, user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

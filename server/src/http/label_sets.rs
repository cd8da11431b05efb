//! Label sets (§5), categories' default sets included (`is_category`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use lectern_api::{LabelSet, LabelSetWrite, Paginated};
use serde_json::Value;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::auth::AuthUser;
use super::error::{Body, PathId};
use super::list::{respond, Fields, ListRequest};
use crate::db::Db;
use crate::domain::list::Scope;
use crate::domain::projects;
use crate::domain::schema::label_sets;
use crate::error::Result;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_label_sets, create_label_set)).routes(routes!(
        get_label_set,
        update_label_set,
        delete_label_set
    ))
}

async fn visible(db: &Db, user: &AuthUser, id: i64) -> Result<LabelSet> {
    projects::members_only(db, user.id, label_sets::load(db, &[id]).await?.pop(), |set| set.project).await
}

/// List label sets, categories' default sets included (`is_category`).
#[utoipa::path(get, path = "/api/v3/label-sets/", tag = "label-sets",
    params(("project" = Option<i64>, Query), ("limit" = Option<u64>, Query), ("offset" = Option<u64>, Query)),
    responses((status = 200, body = Paginated<LabelSet>)))]
async fn list_label_sets(State(state): State<AppState>, user: AuthUser, req: ListRequest) -> Result<Json<Value>> {
    let page = req.fetch(&state.db, &label_sets::LIST, Scope::member(user.id)).await?;
    let items = label_sets::load(&state.db, &page.ids).await?;
    page.respond(items)
}

/// Create a label set; `has_multiple_sections` is accepted for `has_multiple_annotation_sets`.
#[utoipa::path(post, path = "/api/v3/label-sets/", tag = "label-sets", request_body = LabelSetWrite,
    responses((status = 201, body = LabelSet), (status = 400)))]
async fn create_label_set(
    State(state): State<AppState>,
    user: AuthUser,
    Body(body): Body<LabelSetWrite>,
) -> Result<(StatusCode, Json<Value>)> {
    let project = projects::member_project(&state.db, user.id, "project", body.project).await?;
    let id = label_sets::create(&state.db, project, body).await?;
    Ok((StatusCode::CREATED, respond(visible(&state.db, &user, id).await?)?))
}

/// One label set with its labels.
#[utoipa::path(get, path = "/api/v3/label-sets/{id}/", tag = "label-sets",
    params(("id" = i64, Path)), responses((status = 200, body = LabelSet), (status = 404)))]
async fn get_label_set(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    fields: Fields,
) -> Result<Json<Value>> {
    fields.respond(visible(&state.db, &user, id).await?)
}

/// Change a label set; `categories` and `labels`, when sent, replace its links.
#[utoipa::path(patch, path = "/api/v3/label-sets/{id}/", tag = "label-sets", request_body = LabelSetWrite,
    params(("id" = i64, Path)), responses((status = 200, body = LabelSet), (status = 400), (status = 404)))]
async fn update_label_set(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    Body(body): Body<LabelSetWrite>,
) -> Result<Json<Value>> {
    let current = visible(&state.db, &user, id).await?;
    label_sets::update(&state.db, current, body).await?;
    respond(visible(&state.db, &user, id).await?)
}

/// Delete a label set; a category's own set goes only with its category.
#[utoipa::path(delete, path = "/api/v3/label-sets/{id}/", tag = "label-sets",
    params(("id" = i64, Path)), responses((status = 204), (status = 400), (status = 404)))]
async fn delete_label_set(State(state): State<AppState>, user: AuthUser, PathId(id): PathId) -> Result<StatusCode> {
    let set = visible(&state.db, &user, id).await?;
    label_sets::delete(&state.db, set).await?;
    Ok(StatusCode::NO_CONTENT)
}

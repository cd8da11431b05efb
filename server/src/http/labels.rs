//! Labels (§6), accepting the SDK's legacy field names on write.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use lectern_api::{Label, LabelWrite, Paginated};
use serde_json::Value;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::auth::AuthUser;
use super::error::{Body, PathId};
use super::list::{respond, Fields, ListRequest};
use crate::db::Db;
use crate::domain::list::Scope;
use crate::domain::projects;
use crate::domain::schema::labels;
use crate::error::Result;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_labels, create_label)).routes(routes!(
        get_label,
        update_label,
        delete_label
    ))
}

async fn visible(db: &Db, user: &AuthUser, id: i64) -> Result<Label> {
    projects::members_only(db, user.id, labels::load(db, &[id]).await?.pop(), |label| label.project).await
}

/// List labels.
#[utoipa::path(get, path = "/api/v3/labels/", tag = "labels",
    params(("project" = Option<i64>, Query), ("limit" = Option<u64>, Query), ("offset" = Option<u64>, Query)),
    responses((status = 200, body = Paginated<Label>)))]
async fn list_labels(State(state): State<AppState>, user: AuthUser, req: ListRequest) -> Result<Json<Value>> {
    let page = req.fetch(&state.db, &labels::LIST, Scope::member(user.id)).await?;
    let items = labels::load(&state.db, &page.ids).await?;
    page.respond(items)
}

/// Create a label; `text`, `get_data_type_display` and `templates`/`categories` are accepted as aliases.
#[utoipa::path(post, path = "/api/v3/labels/", tag = "labels", request_body = LabelWrite,
    responses((status = 201, body = Label), (status = 400)))]
async fn create_label(
    State(state): State<AppState>,
    user: AuthUser,
    Body(body): Body<LabelWrite>,
) -> Result<(StatusCode, Json<Value>)> {
    let project = projects::member_project(&state.db, user.id, "project", body.project).await?;
    let id = labels::create(&state.db, project, body).await?;
    Ok((StatusCode::CREATED, respond(visible(&state.db, &user, id).await?)?))
}

/// One label.
#[utoipa::path(get, path = "/api/v3/labels/{id}/", tag = "labels",
    params(("id" = i64, Path)), responses((status = 200, body = Label), (status = 404)))]
async fn get_label(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    fields: Fields,
) -> Result<Json<Value>> {
    fields.respond(visible(&state.db, &user, id).await?)
}

/// Change a label; label sets, when sent under any alias, replace its links.
#[utoipa::path(patch, path = "/api/v3/labels/{id}/", tag = "labels", request_body = LabelWrite,
    params(("id" = i64, Path)), responses((status = 200, body = Label), (status = 400), (status = 404)))]
async fn update_label(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    Body(body): Body<LabelWrite>,
) -> Result<Json<Value>> {
    let current = visible(&state.db, &user, id).await?;
    labels::update(&state.db, current, body).await?;
    respond(visible(&state.db, &user, id).await?)
}

/// Delete a label.
#[utoipa::path(delete, path = "/api/v3/labels/{id}/", tag = "labels",
    params(("id" = i64, Path)), responses((status = 204), (status = 404)))]
async fn delete_label(State(state): State<AppState>, user: AuthUser, PathId(id): PathId) -> Result<StatusCode> {
    visible(&state.db, &user, id).await?;
    labels::delete(&state.db, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

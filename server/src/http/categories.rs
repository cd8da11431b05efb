//! Categories (§4), with their label schema.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use lectern_api::{Category, CategoryWrite, Paginated};
use serde_json::Value;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::auth::AuthUser;
use super::error::{Body, PathId};
use super::list::{respond, Fields, ListRequest};
use crate::db::Db;
use crate::domain::list::Scope;
use crate::domain::projects;
use crate::domain::schema::categories;
use crate::error::Result;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_categories, create_category)).routes(routes!(
        get_category,
        update_category,
        delete_category
    ))
}

async fn visible(db: &Db, user: &AuthUser, id: i64) -> Result<Category> {
    projects::members_only(db, user.id, categories::load(db, &[id]).await?.pop(), |c| c.project).await
}

/// List categories with their schema.
#[utoipa::path(get, path = "/api/v3/categories/", tag = "categories",
    params(("project" = Option<i64>, Query), ("limit" = Option<u64>, Query), ("offset" = Option<u64>, Query)),
    responses((status = 200, body = Paginated<Category>)))]
async fn list_categories(State(state): State<AppState>, user: AuthUser, req: ListRequest) -> Result<Json<Value>> {
    let page = req.fetch(&state.db, &categories::LIST, Scope::member(user.id)).await?;
    let items = categories::load(&state.db, &page.ids).await?;
    page.respond(items)
}

/// Create a category and its default label set.
#[utoipa::path(post, path = "/api/v3/categories/", tag = "categories", request_body = CategoryWrite,
    responses((status = 201, body = Category), (status = 400)))]
async fn create_category(
    State(state): State<AppState>,
    user: AuthUser,
    Body(body): Body<CategoryWrite>,
) -> Result<(StatusCode, Json<Value>)> {
    let project = projects::member_project(&state.db, user.id, "project", body.project).await?;
    let id = categories::create(&state.db, project, body).await?;
    Ok((StatusCode::CREATED, respond(visible(&state.db, &user, id).await?)?))
}

/// One category with its schema.
#[utoipa::path(get, path = "/api/v3/categories/{id}/", tag = "categories",
    params(("id" = i64, Path)), responses((status = 200, body = Category), (status = 404)))]
async fn get_category(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    fields: Fields,
) -> Result<Json<Value>> {
    fields.respond(visible(&state.db, &user, id).await?)
}

/// Rename or describe a category (its default label set follows).
#[utoipa::path(patch, path = "/api/v3/categories/{id}/", tag = "categories", request_body = CategoryWrite,
    params(("id" = i64, Path)), responses((status = 200, body = Category), (status = 400), (status = 404)))]
async fn update_category(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    Body(body): Body<CategoryWrite>,
) -> Result<Json<Value>> {
    let current = visible(&state.db, &user, id).await?;
    categories::update(&state.db, current, body).await?;
    respond(visible(&state.db, &user, id).await?)
}

/// Delete a category with its default label set; linked label sets stay.
#[utoipa::path(delete, path = "/api/v3/categories/{id}/", tag = "categories",
    params(("id" = i64, Path)), responses((status = 204), (status = 404)))]
async fn delete_category(State(state): State<AppState>, user: AuthUser, PathId(id): PathId) -> Result<StatusCode> {
    visible(&state.db, &user, id).await?;
    categories::delete(&state.db, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

//! Projects (§3) and their sharing (§19) and splitting (§15.2) settings: the caller sees only projects they are
//! a member of; the creator is the owner and alone changes them. Beside them, the project's training data: what
//! its AIs could be trained on now.
//!
//! Choice where the reference is silent: the AI page needs, before training, how many training and test
//! documents each category has and how many are annotated. Konfuzio shows that in its own dashboard but has no
//! documented endpoint for it, and the category object is parsed by the SDK, so the counts are a Lectern
//! endpoint beside the project (as `sharing/` and `splitting/` are), `GET /projects/{id}/training-data/`,
//! listed in the OpenAPI document.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use lectern_api::ais::TrainingData;
use lectern_api::{Paginated, Project, ProjectSharing, ProjectSharingWrite, ProjectSplitting, ProjectWrite};
use serde_json::Value;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::auth::AuthUser;
use super::error::{Body, PathId};
use super::list::{respond, Fields, ListRequest};
use crate::domain::{ais::training_data, projects};
use crate::error::Result;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_projects, create_project))
        .routes(routes!(get_project, update_project, delete_project))
        .routes(routes!(get_sharing, update_sharing))
        .routes(routes!(get_splitting, update_splitting))
        .routes(routes!(get_training_data))
}

/// List the caller's projects.
#[utoipa::path(get, path = "/api/v3/projects/", tag = "projects",
    params(("limit" = Option<u64>, Query), ("offset" = Option<u64>, Query), ("ordering" = Option<String>, Query)),
    responses((status = 200, body = Paginated<Project>)))]
async fn list_projects(State(state): State<AppState>, user: AuthUser, req: ListRequest) -> Result<Json<Value>> {
    let page = req.fetch(&state.db, &projects::LIST, projects::scope(user.id)).await?;
    let items = projects::load(&state.db, &page.ids).await?;
    page.respond(items)
}

/// Create a project; the caller becomes its owner.
#[utoipa::path(post, path = "/api/v3/projects/", tag = "projects", request_body = ProjectWrite,
    responses((status = 201, body = Project), (status = 400)))]
async fn create_project(
    State(state): State<AppState>,
    user: AuthUser,
    Body(body): Body<ProjectWrite>,
) -> Result<(StatusCode, Json<Value>)> {
    let id = projects::create(&state.db, user.id, body).await?;
    Ok((StatusCode::CREATED, respond(projects::visible(&state.db, user.id, id).await?)?))
}

/// One project.
#[utoipa::path(get, path = "/api/v3/projects/{id}/", tag = "projects",
    params(("id" = i64, Path)), responses((status = 200, body = Project), (status = 404)))]
async fn get_project(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    fields: Fields,
) -> Result<Json<Value>> {
    fields.respond(projects::visible(&state.db, user.id, id).await?)
}

/// Change a project's name or settings.
#[utoipa::path(patch, path = "/api/v3/projects/{id}/", tag = "projects", request_body = ProjectWrite,
    params(("id" = i64, Path)), responses((status = 200, body = Project), (status = 400), (status = 404)))]
async fn update_project(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    Body(body): Body<ProjectWrite>,
) -> Result<Json<Value>> {
    let current = projects::visible(&state.db, user.id, id).await?;
    projects::update(&state.db, current, body).await?;
    respond(projects::visible(&state.db, user.id, id).await?)
}

/// Delete a project and everything in it; only its owner may.
#[utoipa::path(delete, path = "/api/v3/projects/{id}/", tag = "projects",
    params(("id" = i64, Path)), responses((status = 204), (status = 403), (status = 404)))]
async fn delete_project(State(state): State<AppState>, user: AuthUser, PathId(id): PathId) -> Result<StatusCode> {
    projects::owner_only(&state.db, user.id, id, "Only the project's owner can delete it.").await?;
    projects::delete(&state.db, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A project's sharing settings; any member may read them.
#[utoipa::path(get, path = "/api/v3/projects/{id}/sharing/", tag = "projects",
    params(("id" = i64, Path)), responses((status = 200, body = ProjectSharing), (status = 404)))]
async fn get_sharing(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
) -> Result<Json<ProjectSharing>> {
    projects::member_only(&state.db, user.id, id).await?;
    Ok(Json(projects::sharing(&state.db, id).await?))
}

/// Make the project's documents public or not and set the origins that may embed them; only the owner may.
#[utoipa::path(patch, path = "/api/v3/projects/{id}/sharing/", tag = "projects", request_body = ProjectSharingWrite,
    params(("id" = i64, Path)), responses((status = 200, body = ProjectSharing), (status = 400), (status = 403), (status = 404)))]
async fn update_sharing(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    Body(body): Body<ProjectSharingWrite>,
) -> Result<Json<ProjectSharing>> {
    projects::owner_only(&state.db, user.id, id, "Only the project's owner can change its sharing settings.").await?;
    projects::update_sharing(&state.db, id, body).await?;
    Ok(Json(projects::sharing(&state.db, id).await?))
}

/// Whether the project splits its multi-page uploads; any member may read it.
#[utoipa::path(get, path = "/api/v3/projects/{id}/splitting/", tag = "projects",
    params(("id" = i64, Path)), responses((status = 200, body = ProjectSplitting), (status = 404)))]
async fn get_splitting(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
) -> Result<Json<ProjectSplitting>> {
    projects::member_only(&state.db, user.id, id).await?;
    Ok(Json(projects::splitting(&state.db, id).await?))
}

/// Turn splitting of uploads on or off; only the owner may. Documents already waiting at status 41 keep waiting
/// for a decision.
#[utoipa::path(patch, path = "/api/v3/projects/{id}/splitting/", tag = "projects", request_body = ProjectSplitting,
    params(("id" = i64, Path)), responses((status = 200, body = ProjectSplitting), (status = 400), (status = 403), (status = 404)))]
async fn update_splitting(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    Body(body): Body<ProjectSplitting>,
) -> Result<Json<ProjectSplitting>> {
    let refusal = "Only the project's owner can change whether uploads are split.";
    projects::owner_only(&state.db, user.id, id, refusal).await?;
    projects::update_splitting(&state.db, id, body).await?;
    Ok(Json(projects::splitting(&state.db, id).await?))
}

/// What the project's AIs could be trained on now (Lectern): per category (its extraction AI) and for the
/// categorization and splitting AIs, the processed training and test documents, how many are annotated, and why
/// training would be refused; any member may read it.
#[utoipa::path(get, path = "/api/v3/projects/{id}/training-data/", tag = "projects",
    params(("id" = i64, Path)), responses((status = 200, body = TrainingData), (status = 404)))]
async fn get_training_data(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
) -> Result<Json<TrainingData>> {
    projects::member_only(&state.db, user.id, id).await?;
    Ok(Json(training_data::of_project(&state.db, id).await?))
}

//! AI models (§18.1): one set of handlers for the three kinds, named by the first path segment
//! (`extraction-ais`, `category-ais`, `splitting-ais`). For each kind: train one (a durable background job),
//! list them (filter `project_id`), read one with its status, progress, evaluation and why it is or is not
//! active, change its description, delete it. The model file of an extraction AI is at `/aimodel/file/{id}/`.
//!
//! `/aimodel/file/{id}/` serves extraction AIs only (the SDK exports those); the other kinds' model files have
//! no route.
//!
//! Choices where the reference is silent: training needs no body but `category` (extraction) or `project`
//! (the others); a new AI answers 201 with status `queued`; DELETE answers 204.

use axum::extract::{FromRequestParts, State};
use axum::http::{header, request::Parts, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use lectern_api::ais::{AiCreate, AiUpdate, AnyAi};
use lectern_api::Paginated;
use serde_json::Value;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::auth::AuthUser;
use super::error::{Body, PathId};
use super::list::{respond, Fields, ListRequest};
use crate::domain::ais::{self, AiKind};
use crate::error::{Error, Result};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_ais, create_ai)).routes(routes!(get_ai, update_ai, replace_ai, delete_ai))
}

/// The model file download, outside `/api/v3` (§17).
pub fn files_router() -> Router<AppState> {
    Router::new().route("/aimodel/file/{id}/", get(model_file))
}

/// The path's parameters by name; a path that does not fit is a 404, as an unknown path is.
async fn path_params<S: Send + Sync>(parts: &mut Parts, state: &S) -> Result<Vec<(String, String)>> {
    let axum::extract::Path(params) = axum::extract::Path::<Vec<(String, String)>>::from_request_parts(parts, state)
        .await
        .map_err(|_| Error::NotFound)?;
    Ok(params)
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

/// The kind named by the path.
struct Kind(AiKind);

impl<S: Send + Sync> FromRequestParts<S> for Kind {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self> {
        let params = path_params(parts, state).await?;
        param(&params, "kind").and_then(AiKind::from_path).map(Kind).ok_or(Error::NotFound)
    }
}

/// An AI named by the path, as the caller may see it.
struct Ai {
    kind: AiKind,
    id: i64,
}

impl FromRequestParts<AppState> for Ai {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let params = path_params(parts, state).await?;
        let kind = param(&params, "kind").and_then(AiKind::from_path).ok_or(Error::NotFound)?;
        let id = PathId::parse(param(&params, "id").unwrap_or(""))?;
        let user = AuthUser::from_request_parts(parts, state).await?;
        ais::visible(&state.db, user.id, kind, id).await?;
        Ok(Ai { kind, id })
    }
}

/// List the AIs of a kind.
#[utoipa::path(get, path = "/api/v3/{kind}/", tag = "ais",
    params(("kind" = String, Path, description = "extraction-ais, category-ais or splitting-ais"),
           ("project_id" = Option<i64>, Query), ("category" = Option<i64>, Query, description = "extraction AIs"),
           ("status" = Option<String>, Query), ("limit" = Option<u64>, Query), ("offset" = Option<u64>, Query)),
    responses((status = 200, body = Paginated<AnyAi>), (status = 404)))]
async fn list_ais(
    State(state): State<AppState>,
    Kind(kind): Kind,
    user: AuthUser,
    req: ListRequest,
) -> Result<Json<Value>> {
    let page = req.fetch(&state.db, kind.list(), ais::scope(user.id, kind)).await?;
    let items = ais::load(&state.db, kind, &page.ids).await?;
    page.respond(items)
}

/// Train a new AI: an extraction AI for a `category` on its training documents, a categorization or splitting AI
/// for a `project` (a splitting AI is evaluated on bundles of the test documents). Poll the detail for its
/// status.
#[utoipa::path(post, path = "/api/v3/{kind}/", tag = "ais", request_body = AiCreate,
    params(("kind" = String, Path, description = "extraction-ais, category-ais or splitting-ais")),
    responses((status = 201, body = AnyAi), (status = 400), (status = 404)))]
async fn create_ai(
    State(state): State<AppState>,
    Kind(kind): Kind,
    user: AuthUser,
    Body(body): Body<AiCreate>,
) -> Result<(StatusCode, Json<Value>)> {
    let owner = match kind {
        AiKind::Extraction => body.category,
        AiKind::Categorization | AiKind::Splitting => body.project,
    };
    let created = ais::create(&state, user.id, kind, owner, body.description).await?;
    Ok((StatusCode::CREATED, respond(created)?))
}

/// One AI: status, progress, evaluation, activation.
#[utoipa::path(get, path = "/api/v3/{kind}/{id}/", tag = "ais",
    params(("kind" = String, Path), ("id" = i64, Path)), responses((status = 200, body = AnyAi), (status = 404)))]
async fn get_ai(State(state): State<AppState>, ai: Ai, fields: Fields) -> Result<Json<Value>> {
    fields.respond(ais::load(&state.db, ai.kind, &[ai.id]).await?.pop().ok_or(Error::NotFound)?)
}

async fn describe(state: &AppState, ai: Ai, body: AiUpdate) -> Result<Json<Value>> {
    if let Some(description) = body.description {
        ais::describe(&state.db, ai.id, description).await?;
    }
    respond(ais::load(&state.db, ai.kind, &[ai.id]).await?.pop().ok_or(Error::NotFound)?)
}

/// Change an AI's description.
#[utoipa::path(patch, path = "/api/v3/{kind}/{id}/", tag = "ais", request_body = AiUpdate,
    params(("kind" = String, Path), ("id" = i64, Path)), responses((status = 200, body = AnyAi), (status = 404)))]
async fn update_ai(State(state): State<AppState>, ai: Ai, Body(body): Body<AiUpdate>) -> Result<Json<Value>> {
    describe(&state, ai, body).await
}

/// Change an AI's description (the SDK's PUT).
#[utoipa::path(put, path = "/api/v3/{kind}/{id}/", tag = "ais", request_body = AiUpdate,
    params(("kind" = String, Path), ("id" = i64, Path)), responses((status = 200, body = AnyAi), (status = 404)))]
async fn replace_ai(State(state): State<AppState>, ai: Ai, Body(body): Body<AiUpdate>) -> Result<Json<Value>> {
    describe(&state, ai, body).await
}

/// Delete an AI and its model file. Deleting the active one leaves its category or project without one: an
/// upload is then categorised by the keyword rule, or not split.
#[utoipa::path(delete, path = "/api/v3/{kind}/{id}/", tag = "ais",
    params(("kind" = String, Path), ("id" = i64, Path)), responses((status = 204), (status = 404)))]
async fn delete_ai(State(state): State<AppState>, ai: Ai) -> Result<StatusCode> {
    ais::delete(&state, ai.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The trained model of an extraction AI as a JSON file.
async fn model_file(State(state): State<AppState>, user: AuthUser, PathId(id): PathId) -> Result<Response> {
    let kind = AiKind::Extraction;
    ais::visible(&state.db, user.id, kind, id).await?;
    let key = ais::stored_model(&state.db, id).await?.ok_or(Error::NotFound)?;
    let bytes = state.storage.get(&key).await?;
    let disposition = format!("attachment; filename=\"extraction-ai-{id}.json\"");
    Ok(([(header::CONTENT_TYPE, "application/json".to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes)
        .into_response())
}

//! Extraction AIs (§18.1): train one for a category (a durable background job), list them (filter `project_id`),
//! read one with its status, progress, evaluation and why it is or is not active, change its description,
//! delete it, and download its model file at `/aimodel/file/{id}/`. Categorization AIs the same way, trained
//! per project; the list of splitting AIs, of which there are none yet.
//!
//! Categorization AIs live in their own table, so their ids overlap those of extraction AIs and the shared
//! `/aimodel/file/{id}/` keeps serving extraction AIs only; a categorization AI's model file has no route yet.
//!
//! Choices where the reference is silent: training needs no body but `category`; a new AI answers 201 with
//! status `queued`; DELETE answers 204 and leaves the category without an active AI when it was the active one
//! (no older AI is promoted); the model file of an AI not trained yet is a 404.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use lectern_api::ais::{status, CategoryAi, CategoryAiCreate, ExtractionAi, ExtractionAiCreate, ExtractionAiUpdate};
use lectern_api::Paginated;
use serde_json::{json, Value};
use sqlx::Row;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::auth::AuthUser;
use super::error::{Body, Error, PathId, Result};
use super::list::{Condition, Fields, Filter, FilterKind, ListRequest, ListSpec};
use super::{validate, AppState};
use crate::db::{self, Db};
use crate::pipeline::jobs;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_ais, create_ai))
        .routes(routes!(get_ai, update_ai, replace_ai, delete_ai))
        .routes(routes!(list_category_ais, create_category_ai))
        .routes(routes!(get_category_ai, update_category_ai, replace_category_ai, delete_category_ai))
        .routes(routes!(list_splitting_ais))
}

/// The model file download, outside `/api/v3` (§17).
pub fn files_router() -> Router<AppState> {
    Router::new().route("/aimodel/file/{id}/", get(model_file))
}

const SPEC: ListSpec = ListSpec {
    from: "extraction_ais t",
    ordering: &[("id", "t.id"), ("created_at", "t.created_at"), ("status", "t.status")],
    filters: &[
        Filter { param: "project_id", column: "t.project_id", kind: FilterKind::Int },
        Filter { param: "category", column: "t.category_id", kind: FilterKind::Int },
        Filter { param: "status", column: "t.status", kind: FilterKind::Text },
    ],
};

async fn load<'e>(db: impl sqlx::Executor<'e, Database = sqlx::Any>, ids: &[i64]) -> Result<Vec<ExtractionAi>> {
    let rows = db::rows_by_ids(db, "SELECT t.* FROM extraction_ais t", ids).await?;
    rows.iter()
        .map(|r| {
            let evaluation = r.get::<Option<String>, _>("evaluation").map(|e| serde_json::from_str(&e)).transpose();
            Ok(ExtractionAi {
                id: r.get("id"),
                project: r.get("project_id"),
                category: r.get("category_id"),
                description: r.get("description"),
                status: r.get("status"),
                progress: r.get("progress"),
                error: r.get("error"),
                active: db::flag(r, "active"),
                activation: r.get("activation"),
                training_documents: r.get("training_documents"),
                test_documents: r.get("test_documents"),
                evaluation: evaluation.map_err(anyhow::Error::from)?,
                created_at: r.get("created_at"),
                updated_at: r.get("updated_at"),
            })
        })
        .collect()
}

async fn visible(db: &Db, user: &AuthUser, id: i64) -> Result<ExtractionAi> {
    validate::members_only(db, user.id, load(db, &[id]).await?.pop(), |ai| ai.project).await
}

/// List extraction AIs.
#[utoipa::path(get, path = "/api/v3/extraction-ais/", tag = "ais",
    params(("project_id" = Option<i64>, Query), ("category" = Option<i64>, Query), ("limit" = Option<u64>, Query), ("offset" = Option<u64>, Query)),
    responses((status = 200, body = Paginated<ExtractionAi>)))]
async fn list_ais(State(state): State<AppState>, user: AuthUser, req: ListRequest) -> Result<Json<Value>> {
    let page = req.fetch(&state.db, &SPEC, Condition::member(user.id)).await?;
    let items = load(&state.db, &page.ids).await?;
    page.respond(items)
}

/// Train a new extraction AI for a category on its training documents; poll the detail for its status.
#[utoipa::path(post, path = "/api/v3/extraction-ais/", tag = "ais", request_body = ExtractionAiCreate,
    responses((status = 201, body = ExtractionAi), (status = 400)))]
async fn create_ai(
    State(state): State<AppState>,
    user: AuthUser,
    Body(body): Body<ExtractionAiCreate>,
) -> Result<(StatusCode, Json<Value>)> {
    let category = body.category.ok_or_else(|| Error::required("category"))?;
    let project: i64 = sqlx::query(
        "SELECT s.project_id AS project_id FROM categories c JOIN label_sets s ON s.id = c.id WHERE c.id = $1",
    )
    .bind(category)
    .fetch_optional(&state.db)
    .await?
    .map(|r| r.get("project_id"))
    .ok_or_else(|| Error::no_such("category", category))?;
    if !validate::is_member(&state.db, user.id, project).await? {
        return Err(Error::no_such("category", category));
    }
    let now = db::now();
    let mut tx = state.db.begin().await?;
    let id: i64 = sqlx::query(
        "INSERT INTO extraction_ais (project_id, category_id, description, status, created_by_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(project)
    .bind(category)
    .bind(body.description.unwrap_or_default())
    .bind(status::QUEUED)
    .bind(user.id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?
    .get("id");
    jobs::enqueue_payload(&mut tx, jobs::TRAIN_EXTRACTION_AI, &json!({ "ai": id })).await?;
    // Read before the commit: once committed, a worker may start training at once.
    let created = load(&mut *tx, &[id]).await?.pop().ok_or(Error::NotFound)?;
    tx.commit().await?;
    state.jobs_queued.notify_waiters();
    Ok((StatusCode::CREATED, Fields::default().respond(created)?))
}

/// One extraction AI: status, progress, evaluation, activation.
#[utoipa::path(get, path = "/api/v3/extraction-ais/{id}/", tag = "ais",
    params(("id" = i64, Path)), responses((status = 200, body = ExtractionAi), (status = 404)))]
async fn get_ai(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    fields: Fields,
) -> Result<Json<Value>> {
    fields.respond(visible(&state.db, &user, id).await?)
}

async fn describe(state: &AppState, user: &AuthUser, id: i64, body: ExtractionAiUpdate) -> Result<Json<Value>> {
    visible(&state.db, user, id).await?;
    set_description(&state.db, "extraction_ais", id, body).await?;
    Fields::default().respond(visible(&state.db, user, id).await?)
}

/// Stores the description of the body, if any, on the AI `id` of `table`.
async fn set_description(db: &Db, table: &str, id: i64, body: ExtractionAiUpdate) -> Result<()> {
    if let Some(description) = body.description {
        sqlx::query(&format!("UPDATE {table} SET description = $1, updated_at = $2 WHERE id = $3"))
            .bind(description)
            .bind(db::now())
            .bind(id)
            .execute(db)
            .await?;
    }
    Ok(())
}

/// Deletes the AI `id` of `table` and its files under `ais/{kind}/{id}/`.
async fn remove(state: &AppState, table: &str, kind: &str, id: i64) -> Result<StatusCode> {
    sqlx::query(&format!("DELETE FROM {table} WHERE id = $1")).bind(id).execute(&state.db).await?;
    state.storage.delete_prefix(&format!("ais/{kind}/{id}/")).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Change an extraction AI's description.
#[utoipa::path(patch, path = "/api/v3/extraction-ais/{id}/", tag = "ais", request_body = ExtractionAiUpdate,
    params(("id" = i64, Path)), responses((status = 200, body = ExtractionAi), (status = 404)))]
async fn update_ai(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    Body(body): Body<ExtractionAiUpdate>,
) -> Result<Json<Value>> {
    describe(&state, &user, id, body).await
}

/// Change an extraction AI's description (the SDK's PUT).
#[utoipa::path(put, path = "/api/v3/extraction-ais/{id}/", tag = "ais", request_body = ExtractionAiUpdate,
    params(("id" = i64, Path)), responses((status = 200, body = ExtractionAi), (status = 404)))]
async fn replace_ai(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    Body(body): Body<ExtractionAiUpdate>,
) -> Result<Json<Value>> {
    describe(&state, &user, id, body).await
}

/// Delete an extraction AI and its model file.
#[utoipa::path(delete, path = "/api/v3/extraction-ais/{id}/", tag = "ais",
    params(("id" = i64, Path)), responses((status = 204), (status = 404)))]
async fn delete_ai(State(state): State<AppState>, user: AuthUser, PathId(id): PathId) -> Result<StatusCode> {
    visible(&state.db, &user, id).await?;
    remove(&state, "extraction_ais", "extraction", id).await
}

/// The trained model as a JSON file.
async fn model_file(State(state): State<AppState>, user: AuthUser, PathId(id): PathId) -> Result<Response> {
    visible(&state.db, &user, id).await?;
    let key: Option<String> = sqlx::query("SELECT model_key FROM extraction_ais WHERE id = $1")
        .bind(id)
        .fetch_one(&state.db)
        .await?
        .get("model_key");
    let key = key.ok_or(Error::NotFound)?;
    let bytes = state.storage.get(&key).await?;
    let disposition = format!("attachment; filename=\"extraction-ai-{id}.json\"");
    Ok(([(header::CONTENT_TYPE, "application/json".to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes)
        .into_response())
}

const CATEGORY_SPEC: ListSpec = ListSpec {
    from: "category_ais t",
    ordering: &[("id", "t.id"), ("created_at", "t.created_at"), ("status", "t.status")],
    filters: &[
        Filter { param: "project_id", column: "t.project_id", kind: FilterKind::Int },
        Filter { param: "status", column: "t.status", kind: FilterKind::Text },
    ],
};

async fn load_category_ais<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    ids: &[i64],
) -> Result<Vec<CategoryAi>> {
    let rows = db::rows_by_ids(db, "SELECT t.* FROM category_ais t", ids).await?;
    rows.iter()
        .map(|r| {
            let evaluation = r.get::<Option<String>, _>("evaluation").map(|e| serde_json::from_str(&e)).transpose();
            Ok(CategoryAi {
                id: r.get("id"),
                project: r.get("project_id"),
                description: r.get("description"),
                status: r.get("status"),
                progress: r.get("progress"),
                error: r.get("error"),
                active: db::flag(r, "active"),
                activation: r.get("activation"),
                training_documents: r.get("training_documents"),
                test_documents: r.get("test_documents"),
                evaluation: evaluation.map_err(anyhow::Error::from)?,
                created_at: r.get("created_at"),
                updated_at: r.get("updated_at"),
            })
        })
        .collect()
}

async fn visible_category_ai(db: &Db, user: &AuthUser, id: i64) -> Result<CategoryAi> {
    validate::members_only(db, user.id, load_category_ais(db, &[id]).await?.pop(), |ai| ai.project).await
}

/// List categorization AIs.
#[utoipa::path(get, path = "/api/v3/category-ais/", tag = "ais",
    params(("project_id" = Option<i64>, Query), ("limit" = Option<u64>, Query), ("offset" = Option<u64>, Query)),
    responses((status = 200, body = Paginated<CategoryAi>)))]
async fn list_category_ais(State(state): State<AppState>, user: AuthUser, req: ListRequest) -> Result<Json<Value>> {
    let page = req.fetch(&state.db, &CATEGORY_SPEC, Condition::member(user.id)).await?;
    let items = load_category_ais(&state.db, &page.ids).await?;
    page.respond(items)
}

/// Train a new categorization AI on the project's categorised training documents; poll the detail for its status.
#[utoipa::path(post, path = "/api/v3/category-ais/", tag = "ais", request_body = CategoryAiCreate,
    responses((status = 201, body = CategoryAi), (status = 400)))]
async fn create_category_ai(
    State(state): State<AppState>,
    user: AuthUser,
    Body(body): Body<CategoryAiCreate>,
) -> Result<(StatusCode, Json<Value>)> {
    let project = body.project.ok_or_else(|| Error::required("project"))?;
    if !validate::is_member(&state.db, user.id, project).await? {
        return Err(Error::no_such("project", project));
    }
    let now = db::now();
    let mut tx = state.db.begin().await?;
    let id: i64 = sqlx::query(
        "INSERT INTO category_ais (project_id, description, status, created_by_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(project)
    .bind(body.description.unwrap_or_default())
    .bind(status::QUEUED)
    .bind(user.id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?
    .get("id");
    jobs::enqueue_payload(&mut tx, jobs::TRAIN_CATEGORY_AI, &json!({ "ai": id })).await?;
    let created = load_category_ais(&mut *tx, &[id]).await?.pop().ok_or(Error::NotFound)?;
    tx.commit().await?;
    state.jobs_queued.notify_waiters();
    Ok((StatusCode::CREATED, Fields::default().respond(created)?))
}

/// One categorization AI: status, progress, evaluation, activation.
#[utoipa::path(get, path = "/api/v3/category-ais/{id}/", tag = "ais",
    params(("id" = i64, Path)), responses((status = 200, body = CategoryAi), (status = 404)))]
async fn get_category_ai(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    fields: Fields,
) -> Result<Json<Value>> {
    fields.respond(visible_category_ai(&state.db, &user, id).await?)
}

async fn describe_category_ai(
    state: &AppState,
    user: &AuthUser,
    id: i64,
    body: ExtractionAiUpdate,
) -> Result<Json<Value>> {
    visible_category_ai(&state.db, user, id).await?;
    set_description(&state.db, "category_ais", id, body).await?;
    Fields::default().respond(visible_category_ai(&state.db, user, id).await?)
}

/// Change a categorization AI's description.
#[utoipa::path(patch, path = "/api/v3/category-ais/{id}/", tag = "ais", request_body = ExtractionAiUpdate,
    params(("id" = i64, Path)), responses((status = 200, body = CategoryAi), (status = 404)))]
async fn update_category_ai(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    Body(body): Body<ExtractionAiUpdate>,
) -> Result<Json<Value>> {
    describe_category_ai(&state, &user, id, body).await
}

/// Change a categorization AI's description (the SDK's PUT).
#[utoipa::path(put, path = "/api/v3/category-ais/{id}/", tag = "ais", request_body = ExtractionAiUpdate,
    params(("id" = i64, Path)), responses((status = 200, body = CategoryAi), (status = 404)))]
async fn replace_category_ai(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    Body(body): Body<ExtractionAiUpdate>,
) -> Result<Json<Value>> {
    describe_category_ai(&state, &user, id, body).await
}

/// Delete a categorization AI and its model file. Deleting the active one leaves the project to the keyword rule.
#[utoipa::path(delete, path = "/api/v3/category-ais/{id}/", tag = "ais",
    params(("id" = i64, Path)), responses((status = 204), (status = 404)))]
async fn delete_category_ai(State(state): State<AppState>, user: AuthUser, PathId(id): PathId) -> Result<StatusCode> {
    visible_category_ai(&state.db, &user, id).await?;
    remove(&state, "category_ais", "category", id).await
}

/// List splitting AIs: none exist yet, so every page is empty; the list machinery still checks the parameters
/// and answers with the paginated shape.
#[utoipa::path(get, path = "/api/v3/splitting-ais/", tag = "ais",
    params(("project_id" = Option<i64>, Query), ("limit" = Option<u64>, Query), ("offset" = Option<u64>, Query)),
    responses((status = 200, body = Paginated<Value>)))]
async fn list_splitting_ais(State(state): State<AppState>, user: AuthUser, req: ListRequest) -> Result<Json<Value>> {
    let mut nothing = Condition::member(user.id);
    nothing.sql.push_str(" AND 1 = 0");
    let page = req.fetch(&state.db, &CATEGORY_SPEC, nothing).await?;
    page.respond(Vec::<Value>::new())
}

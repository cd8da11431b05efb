//! AI models (§18.1): extraction AIs trained per category, categorization and splitting AIs trained per project.
//! For each kind: train one (a durable background job), list them (filter `project_id`), read one with its
//! status, progress, evaluation and why it is or is not active, change its description, delete it. The model
//! file of an extraction AI is at `/aimodel/file/{id}/`.
//!
//! Each kind lives in its own table, so ids of different kinds overlap and `/aimodel/file/{id}/` serves
//! extraction AIs only (the SDK exports those); the other kinds' model files have no route.
//!
//! Choices where the reference is silent: training needs no body but `category` (extraction) or `project`
//! (the others); a new AI answers 201 with status `queued`; DELETE answers 204 and leaves the owner without an
//! active AI when it was the active one (no older AI is promoted); the model file of an AI not trained yet is a
//! 404.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use lectern_api::ais::{
    status, CategoryAi, CategoryAiCreate, ExtractionAi, ExtractionAiCreate, ExtractionAiUpdate, SplittingAi,
    SplittingAiCreate,
};
use lectern_api::Paginated;
use lectern_api::ProjectSplitting;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use sqlx::Row;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::auth::AuthUser;
use super::error::{Body, Error, PathId, Result};
use super::list::{Condition, Fields, Filter, FilterKind, ListRequest, ListSpec};
use super::{projects, validate, AppState};
use crate::db::{self, Db};
use crate::pipeline::jobs;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_ais, create_ai))
        .routes(routes!(get_ai, update_ai, replace_ai, delete_ai))
        .routes(routes!(list_category_ais, create_category_ai))
        .routes(routes!(get_category_ai, update_category_ai, replace_category_ai, delete_category_ai))
        .routes(routes!(list_splitting_ais, create_splitting_ai))
        .routes(routes!(get_splitting_ai, update_splitting_ai, replace_splitting_ai, delete_splitting_ai))
        .routes(routes!(get_splitting_setting, update_splitting_setting))
}

/// The model file download, outside `/api/v3` (§17).
pub fn files_router() -> Router<AppState> {
    Router::new().route("/aimodel/file/{id}/", get(model_file))
}

/// Where the AIs of one kind are kept and how they are trained.
struct Kind {
    table: &'static str,
    /// The folder of their files in storage, `ais/{files}/{id}/`.
    files: &'static str,
    job: &'static str,
    spec: ListSpec,
}

const OWNED_BY_PROJECT: &[Filter] = &[
    Filter { param: "project_id", column: "t.project_id", kind: FilterKind::Int },
    Filter { param: "status", column: "t.status", kind: FilterKind::Text },
];
const ORDERING: &[(&str, &str)] = &[("id", "t.id"), ("created_at", "t.created_at"), ("status", "t.status")];

const EXTRACTION: Kind = Kind {
    table: "extraction_ais",
    files: "extraction",
    job: jobs::TRAIN_EXTRACTION_AI,
    spec: ListSpec {
        from: "extraction_ais t",
        ordering: ORDERING,
        filters: &[
            Filter { param: "project_id", column: "t.project_id", kind: FilterKind::Int },
            Filter { param: "category", column: "t.category_id", kind: FilterKind::Int },
            Filter { param: "status", column: "t.status", kind: FilterKind::Text },
        ],
    },
};
const CATEGORIZATION: Kind = Kind {
    table: "category_ais",
    files: "category",
    job: jobs::TRAIN_CATEGORY_AI,
    spec: ListSpec { from: "category_ais t", ordering: ORDERING, filters: OWNED_BY_PROJECT },
};
const SPLITTING: Kind = Kind {
    table: "splitting_ais",
    files: "splitting",
    job: jobs::TRAIN_SPLITTING_AI,
    spec: ListSpec { from: "splitting_ais t", ordering: ORDERING, filters: OWNED_BY_PROJECT },
};

/// The AIs of `kind` with these ids, as the API type `T` of the kind.
async fn load<'e, T: DeserializeOwned>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    kind: &Kind,
    ids: &[i64],
) -> Result<Vec<T>> {
    let rows = db::rows_by_ids(db, &format!("SELECT t.* FROM {} t", kind.table), ids).await?;
    rows.iter()
        .map(|r| {
            let evaluation: Option<Value> = r
                .get::<Option<String>, _>("evaluation")
                .map(|e| serde_json::from_str(&e))
                .transpose()
                .map_err(anyhow::Error::from)?;
            let mut ai = json!({
                "id": r.get::<i64, _>("id"),
                "project": r.get::<i64, _>("project_id"),
                "description": r.get::<String, _>("description"),
                "status": r.get::<String, _>("status"),
                "progress": r.get::<f64, _>("progress"),
                "error": r.get::<Option<String>, _>("error"),
                "active": db::flag(r, "active"),
                "activation": r.get::<Option<String>, _>("activation"),
                "training_documents": r.get::<i64, _>("training_documents"),
                "test_documents": r.get::<i64, _>("test_documents"),
                "evaluation": evaluation,
                "created_at": r.get::<String, _>("created_at"),
                "updated_at": r.get::<String, _>("updated_at"),
            });
            if kind.table == EXTRACTION.table {
                ai["category"] = json!(r.get::<i64, _>("category_id"));
            }
            Ok(serde_json::from_value(ai).map_err(anyhow::Error::from)?)
        })
        .collect()
}

/// The AI `id` of `kind` when the user is a member of its project; 404 otherwise.
async fn visible<T: DeserializeOwned>(db: &Db, user: &AuthUser, kind: &Kind, id: i64) -> Result<T> {
    let found = load::<Value>(db, kind, &[id]).await?.pop();
    let ai = validate::members_only(db, user.id, found, |ai| ai["project"].as_i64().unwrap_or_default()).await?;
    Ok(serde_json::from_value(ai).map_err(anyhow::Error::from)?)
}

async fn list<T: DeserializeOwned + Serialize>(
    state: &AppState,
    user: &AuthUser,
    kind: &Kind,
    req: ListRequest,
) -> Result<Json<Value>> {
    let page = req.fetch(&state.db, &kind.spec, Condition::member(user.id)).await?;
    let items: Vec<T> = load(&state.db, kind, &page.ids).await?;
    page.respond(items)
}

/// Stores a new AI of `kind` for `project` (and `category` for extraction AIs), status `queued`, and queues its
/// training job.
async fn create<T: DeserializeOwned + Serialize>(
    state: &AppState,
    user: &AuthUser,
    kind: &Kind,
    project: i64,
    category: Option<i64>,
    description: Option<String>,
) -> Result<(StatusCode, Json<Value>)> {
    let now = db::now();
    let mut tx = state.db.begin().await?;
    let (columns, values) = match category {
        Some(_) => ("project_id, category_id,", "$1, $6,"),
        None => ("project_id,", "$1,"),
    };
    let sql = format!(
        "INSERT INTO {} ({columns} description, status, created_by_id, created_at, updated_at)
         VALUES ({values} $2, $3, $4, $5, $5) RETURNING id",
        kind.table
    );
    let mut insert = sqlx::query(&sql)
        .bind(project)
        .bind(description.unwrap_or_default())
        .bind(status::QUEUED)
        .bind(user.id)
        .bind(now);
    if let Some(category) = category {
        insert = insert.bind(category);
    }
    let id: i64 = insert.fetch_one(&mut *tx).await?.get("id");
    jobs::enqueue_payload(&mut tx, kind.job, &json!({ "ai": id })).await?;
    // Read before the commit: once committed, a worker may start training at once.
    let created: T = load(&mut *tx, kind, &[id]).await?.pop().ok_or(Error::NotFound)?;
    tx.commit().await?;
    state.jobs_queued.notify_waiters();
    Ok((StatusCode::CREATED, Fields::default().respond(created)?))
}

/// Creates an AI of a kind trained per project, from `{"project": id}`.
async fn create_for_project<T: DeserializeOwned + Serialize>(
    state: &AppState,
    user: &AuthUser,
    kind: &Kind,
    body: CategoryAiCreate,
) -> Result<(StatusCode, Json<Value>)> {
    let project = body.project.ok_or_else(|| Error::required("project"))?;
    if !validate::is_member(&state.db, user.id, project).await? {
        return Err(Error::no_such("project", project));
    }
    create::<T>(state, user, kind, project, None, body.description).await
}

/// Stores the description of the body, if any, and answers the AI.
async fn describe<T: DeserializeOwned + Serialize>(
    state: &AppState,
    user: &AuthUser,
    kind: &Kind,
    id: i64,
    body: ExtractionAiUpdate,
) -> Result<Json<Value>> {
    visible::<T>(&state.db, user, kind, id).await?;
    if let Some(description) = body.description {
        sqlx::query(&format!("UPDATE {} SET description = $1, updated_at = $2 WHERE id = $3", kind.table))
            .bind(description)
            .bind(db::now())
            .bind(id)
            .execute(&state.db)
            .await?;
    }
    Fields::default().respond(visible::<T>(&state.db, user, kind, id).await?)
}

/// Deletes the AI and its files.
async fn remove(state: &AppState, user: &AuthUser, kind: &Kind, id: i64) -> Result<StatusCode> {
    visible::<Value>(&state.db, user, kind, id).await?;
    sqlx::query(&format!("DELETE FROM {} WHERE id = $1", kind.table)).bind(id).execute(&state.db).await?;
    state.storage.delete_prefix(&format!("ais/{}/{id}/", kind.files)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// List extraction AIs.
#[utoipa::path(get, path = "/api/v3/extraction-ais/", tag = "ais",
    params(("project_id" = Option<i64>, Query), ("category" = Option<i64>, Query), ("limit" = Option<u64>, Query), ("offset" = Option<u64>, Query)),
    responses((status = 200, body = Paginated<ExtractionAi>)))]
async fn list_ais(State(state): State<AppState>, user: AuthUser, req: ListRequest) -> Result<Json<Value>> {
    list::<ExtractionAi>(&state, &user, &EXTRACTION, req).await
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
    create::<ExtractionAi>(&state, &user, &EXTRACTION, project, Some(category), body.description).await
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
    fields.respond(visible::<ExtractionAi>(&state.db, &user, &EXTRACTION, id).await?)
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
    describe::<ExtractionAi>(&state, &user, &EXTRACTION, id, body).await
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
    describe::<ExtractionAi>(&state, &user, &EXTRACTION, id, body).await
}

/// Delete an extraction AI and its model file.
#[utoipa::path(delete, path = "/api/v3/extraction-ais/{id}/", tag = "ais",
    params(("id" = i64, Path)), responses((status = 204), (status = 404)))]
async fn delete_ai(State(state): State<AppState>, user: AuthUser, PathId(id): PathId) -> Result<StatusCode> {
    remove(&state, &user, &EXTRACTION, id).await
}

/// The trained model as a JSON file.
async fn model_file(State(state): State<AppState>, user: AuthUser, PathId(id): PathId) -> Result<Response> {
    visible::<ExtractionAi>(&state.db, &user, &EXTRACTION, id).await?;
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

/// List categorization AIs.
#[utoipa::path(get, path = "/api/v3/category-ais/", tag = "ais",
    params(("project_id" = Option<i64>, Query), ("limit" = Option<u64>, Query), ("offset" = Option<u64>, Query)),
    responses((status = 200, body = Paginated<CategoryAi>)))]
async fn list_category_ais(State(state): State<AppState>, user: AuthUser, req: ListRequest) -> Result<Json<Value>> {
    list::<CategoryAi>(&state, &user, &CATEGORIZATION, req).await
}

/// Train a new categorization AI on the project's categorised training documents; poll the detail for its status.
#[utoipa::path(post, path = "/api/v3/category-ais/", tag = "ais", request_body = CategoryAiCreate,
    responses((status = 201, body = CategoryAi), (status = 400)))]
async fn create_category_ai(
    State(state): State<AppState>,
    user: AuthUser,
    Body(body): Body<CategoryAiCreate>,
) -> Result<(StatusCode, Json<Value>)> {
    create_for_project::<CategoryAi>(&state, &user, &CATEGORIZATION, body).await
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
    fields.respond(visible::<CategoryAi>(&state.db, &user, &CATEGORIZATION, id).await?)
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
    describe::<CategoryAi>(&state, &user, &CATEGORIZATION, id, body).await
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
    describe::<CategoryAi>(&state, &user, &CATEGORIZATION, id, body).await
}

/// Delete a categorization AI and its model file. Deleting the active one leaves the project to the keyword rule.
#[utoipa::path(delete, path = "/api/v3/category-ais/{id}/", tag = "ais",
    params(("id" = i64, Path)), responses((status = 204), (status = 404)))]
async fn delete_category_ai(State(state): State<AppState>, user: AuthUser, PathId(id): PathId) -> Result<StatusCode> {
    remove(&state, &user, &CATEGORIZATION, id).await
}

/// List splitting AIs.
#[utoipa::path(get, path = "/api/v3/splitting-ais/", tag = "ais",
    params(("project_id" = Option<i64>, Query), ("limit" = Option<u64>, Query), ("offset" = Option<u64>, Query)),
    responses((status = 200, body = Paginated<SplittingAi>)))]
async fn list_splitting_ais(State(state): State<AppState>, user: AuthUser, req: ListRequest) -> Result<Json<Value>> {
    list::<SplittingAi>(&state, &user, &SPLITTING, req).await
}

/// Train a new splitting AI on the project's training documents, each one document; it is evaluated on bundles
/// of the test documents. Poll the detail for its status.
#[utoipa::path(post, path = "/api/v3/splitting-ais/", tag = "ais", request_body = SplittingAiCreate,
    responses((status = 201, body = SplittingAi), (status = 400)))]
async fn create_splitting_ai(
    State(state): State<AppState>,
    user: AuthUser,
    Body(body): Body<SplittingAiCreate>,
) -> Result<(StatusCode, Json<Value>)> {
    create_for_project::<SplittingAi>(&state, &user, &SPLITTING, body).await
}

/// One splitting AI: status, progress, evaluation, activation.
#[utoipa::path(get, path = "/api/v3/splitting-ais/{id}/", tag = "ais",
    params(("id" = i64, Path)), responses((status = 200, body = SplittingAi), (status = 404)))]
async fn get_splitting_ai(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    fields: Fields,
) -> Result<Json<Value>> {
    fields.respond(visible::<SplittingAi>(&state.db, &user, &SPLITTING, id).await?)
}

/// Change a splitting AI's description.
#[utoipa::path(patch, path = "/api/v3/splitting-ais/{id}/", tag = "ais", request_body = ExtractionAiUpdate,
    params(("id" = i64, Path)), responses((status = 200, body = SplittingAi), (status = 404)))]
async fn update_splitting_ai(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    Body(body): Body<ExtractionAiUpdate>,
) -> Result<Json<Value>> {
    describe::<SplittingAi>(&state, &user, &SPLITTING, id, body).await
}

/// Change a splitting AI's description (the SDK's PUT).
#[utoipa::path(put, path = "/api/v3/splitting-ais/{id}/", tag = "ais", request_body = ExtractionAiUpdate,
    params(("id" = i64, Path)), responses((status = 200, body = SplittingAi), (status = 404)))]
async fn replace_splitting_ai(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    Body(body): Body<ExtractionAiUpdate>,
) -> Result<Json<Value>> {
    describe::<SplittingAi>(&state, &user, &SPLITTING, id, body).await
}

/// Delete a splitting AI and its model file. Deleting the active one leaves uploads unsplit.
#[utoipa::path(delete, path = "/api/v3/splitting-ais/{id}/", tag = "ais",
    params(("id" = i64, Path)), responses((status = 204), (status = 404)))]
async fn delete_splitting_ai(State(state): State<AppState>, user: AuthUser, PathId(id): PathId) -> Result<StatusCode> {
    remove(&state, &user, &SPLITTING, id).await
}

async fn splitting_setting(db: &Db, project: i64) -> Result<ProjectSplitting> {
    let row = sqlx::query("SELECT split_uploads FROM projects WHERE id = $1").bind(project).fetch_one(db).await?;
    Ok(ProjectSplitting { split_uploads: db::flag(&row, "split_uploads") })
}

/// Whether the project splits its multi-page uploads; any member may read it.
#[utoipa::path(get, path = "/api/v3/projects/{id}/splitting/", tag = "projects",
    params(("id" = i64, Path)), responses((status = 200, body = ProjectSplitting), (status = 404)))]
async fn get_splitting_setting(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
) -> Result<Json<ProjectSplitting>> {
    if !validate::is_member(&state.db, user.id, id).await? {
        return Err(Error::NotFound);
    }
    Ok(Json(splitting_setting(&state.db, id).await?))
}

/// Turn splitting of uploads on or off; only the owner may. Documents already waiting at status 41 keep waiting
/// for a decision.
#[utoipa::path(patch, path = "/api/v3/projects/{id}/splitting/", tag = "projects", request_body = ProjectSplitting,
    params(("id" = i64, Path)), responses((status = 200, body = ProjectSplitting), (status = 400), (status = 403), (status = 404)))]
async fn update_splitting_setting(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    Body(body): Body<ProjectSplitting>,
) -> Result<Json<ProjectSplitting>> {
    projects::owner_only(&state.db, &user, id, "Only the project's owner can change whether uploads are split.")
        .await?;
    sqlx::query("UPDATE projects SET split_uploads = $1 WHERE id = $2")
        .bind(body.split_uploads)
        .bind(id)
        .execute(&state.db)
        .await?;
    Ok(Json(splitting_setting(&state.db, id).await?))
}

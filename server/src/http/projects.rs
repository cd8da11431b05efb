//! Projects (§3): the caller sees only projects they are a member of; the creator is the owner.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use lectern_api::{Paginated, Project, ProjectWrite};
use serde_json::Value;
use sqlx::{any::AnyRow, Row};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::auth::AuthUser;
use super::error::{Body, Error, PathId, Result};
use super::list::{Condition, Fields, ListRequest, ListSpec};
use super::{validate, AppState};
use crate::db::{self, Db};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_projects, create_project))
        .routes(routes!(get_project, update_project, delete_project))
}

const SPEC: ListSpec = ListSpec {
    from: "projects t",
    ordering: &[("id", "t.id"), ("name", "t.name"), ("created_at", "t.created_at")],
    filters: &[],
};

fn member_of(user: &AuthUser) -> Condition {
    Condition {
        sql: "t.id IN (SELECT project_id FROM project_members WHERE user_id = ?)".into(),
        args: vec![db::Arg::Int(user.id)],
    }
}

fn from_row(r: &AnyRow) -> Result<Project> {
    let params: String = r.get("category_ai_model_parameters");
    Ok(Project {
        id: r.get("id"),
        name: r.get("name"),
        storage_name: r.get("storage_name"),
        priority_processing: db::flag(r, "priority_processing"),
        ocr_method: r.get("ocr_method"),
        auto_rotate_documents: db::flag(r, "auto_rotate_documents"),
        category_ai_model_parameters: serde_json::from_str(&params).map_err(anyhow::Error::from)?,
        // The categorization AI arrives with step 5; until then no project has one.
        category_ai: None,
        decimal_separator: r.get("decimal_separator"),
        auto_delete_documents_after_days: r.get("auto_delete_documents_after_days"),
        enable_translated_strings: db::flag(r, "enable_translated_strings"),
    })
}

/// Loads projects in the order of `ids`.
async fn load(db: &Db, ids: &[i64]) -> Result<Vec<Project>> {
    db::rows_by_ids(db, "SELECT t.* FROM projects t", ids).await?.iter().map(from_row).collect()
}

/// Passes for the project's owner; other members get 403 with `refusal`, everyone else 404.
pub async fn owner_only(db: &Db, user: &AuthUser, id: i64, refusal: &str) -> Result<()> {
    visible(db, user, id).await?;
    let owner: i64 = sqlx::query("SELECT owner_id FROM projects WHERE id = $1").bind(id).fetch_one(db).await?.get("owner_id");
    if owner == user.id {
        Ok(())
    } else {
        Err(Error::Forbidden(refusal.into()))
    }
}

async fn visible(db: &Db, user: &AuthUser, id: i64) -> Result<Project> {
    if !validate::is_member(db, user.id, id).await? {
        return Err(Error::NotFound);
    }
    load(db, &[id]).await?.pop().ok_or(Error::NotFound)
}

/// List the caller's projects.
#[utoipa::path(get, path = "/api/v3/projects/", tag = "projects",
    params(("limit" = Option<u64>, Query), ("offset" = Option<u64>, Query), ("ordering" = Option<String>, Query)),
    responses((status = 200, body = Paginated<Project>)))]
async fn list_projects(State(state): State<AppState>, user: AuthUser, req: ListRequest) -> Result<Json<Value>> {
    let page = req.fetch(&state.db, &SPEC, member_of(&user)).await?;
    let items = load(&state.db, &page.ids).await?;
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
    let name = validate::name("name", body.name.as_deref())?;
    let mut tx = state.db.begin().await?;
    let row = sqlx::query(
        "INSERT INTO projects (name, owner_id, storage_name, priority_processing, ocr_method, auto_rotate_documents,
            decimal_separator, auto_delete_documents_after_days, enable_translated_strings, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(&name)
    .bind(user.id)
    .bind(validate::api_name(&name))
    .bind(body.priority_processing.unwrap_or(false))
    .bind(body.ocr_method.unwrap_or_else(|| "default".into()))
    .bind(body.auto_rotate_documents.unwrap_or(false))
    .bind(body.decimal_separator.unwrap_or_else(|| ".".into()))
    .bind(body.auto_delete_documents_after_days)
    .bind(body.enable_translated_strings.unwrap_or(false))
    .bind(db::now())
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = row.get("id");
    sqlx::query("INSERT INTO project_members (project_id, user_id, role) VALUES ($1, $2, 'owner')")
        .bind(id)
        .bind(user.id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    let project = visible(&state.db, &user, id).await?;
    Ok((StatusCode::CREATED, Fields::default().respond(project)?))
}

/// One project.
#[utoipa::path(get, path = "/api/v3/projects/{id}/", tag = "projects",
    params(("id" = i64, Path)), responses((status = 200, body = Project), (status = 404)))]
async fn get_project(State(state): State<AppState>, user: AuthUser, PathId(id): PathId, fields: Fields) -> Result<Json<Value>> {
    fields.respond(visible(&state.db, &user, id).await?)
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
    let current = visible(&state.db, &user, id).await?;
    let name = match body.name.as_deref() {
        Some(n) => validate::name("name", Some(n))?,
        None => current.name,
    };
    sqlx::query(
        "UPDATE projects SET name = $1, priority_processing = $2, ocr_method = $3, auto_rotate_documents = $4,
            decimal_separator = $5, auto_delete_documents_after_days = $6, enable_translated_strings = $7
         WHERE id = $8",
    )
    .bind(name)
    .bind(body.priority_processing.unwrap_or(current.priority_processing))
    .bind(body.ocr_method.unwrap_or(current.ocr_method))
    .bind(body.auto_rotate_documents.unwrap_or(current.auto_rotate_documents))
    .bind(body.decimal_separator.unwrap_or(current.decimal_separator))
    .bind(body.auto_delete_documents_after_days.or(current.auto_delete_documents_after_days))
    .bind(body.enable_translated_strings.unwrap_or(current.enable_translated_strings))
    .bind(id)
    .execute(&state.db)
    .await?;
    Fields::default().respond(visible(&state.db, &user, id).await?)
}

/// Delete a project and everything in it; only its owner may.
#[utoipa::path(delete, path = "/api/v3/projects/{id}/", tag = "projects",
    params(("id" = i64, Path)), responses((status = 204), (status = 403), (status = 404)))]
async fn delete_project(State(state): State<AppState>, user: AuthUser, PathId(id): PathId) -> Result<StatusCode> {
    owner_only(&state.db, &user, id, "Only the project's owner can delete it.").await?;
    sqlx::query("DELETE FROM projects WHERE id = $1").bind(id).execute(&state.db).await?;
    Ok(StatusCode::NO_CONTENT)
}

//! Labels (§6), accepting the SDK's legacy field names on write.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use lectern_api::{Label, LabelWrite, Paginated, DATA_TYPES};
use serde_json::Value;
use sqlx::Row;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::auth::AuthUser;
use super::error::{Body, Error, PathId, Result};
use super::list::{Condition, FilterKind, Fields, Filter, ListRequest, ListSpec};
use super::{validate, AppState};
use crate::db::{self, Arg, Db};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_labels, create_label))
        .routes(routes!(get_label, update_label, delete_label))
}

const SPEC: ListSpec = ListSpec {
    from: "labels t",
    ordering: &[("id", "t.id"), ("name", "t.name"), ("data_type", "t.data_type"), ("created_at", "t.created_at")],
    filters: &[
        Filter { param: "project", column: "t.project_id", kind: FilterKind::Int },
        Filter { param: "name", column: "t.name", kind: FilterKind::Text },
        Filter { param: "data_type", column: "t.data_type", kind: FilterKind::Text },
    ],
};

/// Loads labels in the order of `ids`.
pub async fn load(db: &Db, ids: &[i64]) -> Result<Vec<Label>> {
    let rows = db::rows_by_ids(db, "SELECT t.* FROM labels t", ids).await?;
    let mut sets: HashMap<i64, Vec<i64>> = HashMap::new();
    if !ids.is_empty() {
        let sql = format!(
            "SELECT label_id, label_set_id FROM label_set_labels WHERE label_id IN ({}) ORDER BY label_set_id",
            db::placeholders(0, ids.len())
        );
        for r in db::query_with(&sql, ids.iter().map(|id| Arg::Int(*id)).collect()).fetch_all(db).await? {
            sets.entry(r.get("label_id")).or_default().push(r.get("label_set_id"));
        }
    }
    Ok(rows
        .iter()
        .map(|r| {
            let id: i64 = r.get("id");
            Label {
                id,
                project: r.get("project_id"),
                name: r.get("name"),
                api_name: r.get("api_name"),
                description: r.get("description"),
                data_type: r.get("data_type"),
                has_multiple_top_candidates: db::flag(r, "has_multiple_top_candidates"),
                threshold: r.get("threshold"),
                label_sets: sets.remove(&id).unwrap_or_default(),
            }
        })
        .collect())
}

async fn visible(db: &Db, user: &AuthUser, id: i64) -> Result<Label> {
    validate::members_only(db, user.id, load(db, &[id]).await?.pop(), |label| label.project).await
}

/// The data type as stored, matched case-insensitively against the known ones.
fn data_type(value: &str) -> Result<String> {
    DATA_TYPES.iter().find(|t| t.eq_ignore_ascii_case(value.trim())).map(|t| t.to_string()).ok_or_else(|| {
        let field = "data_type";
        Error::field(field, format!("\"{value}\" is not a valid choice. Choose one of: {}.", DATA_TYPES.join(", ")))
    })
}

async fn check_label_sets(db: &Db, project: i64, body: &LabelWrite) -> Result<Option<Vec<i64>>> {
    // Each alias is checked on its own, so that an error names the field the client sent.
    for (field, ids) in [("label_sets", &body.label_sets), ("templates", &body.templates), ("categories", &body.categories)] {
        if let Some(ids) = ids {
            validate::ids_in_project(db, "label_sets", "", project, field, ids).await?;
        }
    }
    Ok(body.label_sets())
}

async fn set_label_sets(tx: &mut sqlx::Transaction<'_, sqlx::Any>, id: i64, sets: Option<&[i64]>) -> Result<()> {
    let Some(sets) = sets else { return Ok(()) };
    sqlx::query("DELETE FROM label_set_labels WHERE label_id = $1").bind(id).execute(&mut **tx).await?;
    for set in sets {
        sqlx::query("INSERT INTO label_set_labels (label_set_id, label_id) VALUES ($1, $2)")
            .bind(set)
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// List labels.
#[utoipa::path(get, path = "/api/v3/labels/", tag = "labels",
    params(("project" = Option<i64>, Query), ("limit" = Option<u64>, Query), ("offset" = Option<u64>, Query)),
    responses((status = 200, body = Paginated<Label>)))]
async fn list_labels(State(state): State<AppState>, user: AuthUser, req: ListRequest) -> Result<Json<Value>> {
    let page = req.fetch(&state.db, &SPEC, Condition::member(user.id)).await?;
    let items = load(&state.db, &page.ids).await?;
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
    let project = validate::member_project(&state.db, user.id, "project", body.project).await?;
    let name = validate::name("name", body.name())?;
    let data_type = data_type(body.data_type().unwrap_or("Text"))?;
    let threshold = validate::threshold(body.threshold.unwrap_or(0.1))?;
    validate::unique_name(&state.db, "labels", project, &name, None, "label").await?;
    let sets = check_label_sets(&state.db, project, &body).await?;
    let mut tx = state.db.begin().await?;
    let id: i64 = sqlx::query(
        "INSERT INTO labels (project_id, name, api_name, description, data_type, has_multiple_top_candidates, threshold, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(project)
    .bind(&name)
    .bind(body.api_name.clone().unwrap_or_else(|| validate::api_name(&name)))
    .bind(body.description.clone().unwrap_or_default())
    .bind(data_type)
    .bind(body.has_multiple_top_candidates.unwrap_or(false))
    .bind(threshold)
    .bind(db::now())
    .fetch_one(&mut *tx)
    .await?
    .get("id");
    set_label_sets(&mut tx, id, sets.as_deref()).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Fields::default().respond(visible(&state.db, &user, id).await?)?))
}

/// One label.
#[utoipa::path(get, path = "/api/v3/labels/{id}/", tag = "labels",
    params(("id" = i64, Path)), responses((status = 200, body = Label), (status = 404)))]
async fn get_label(State(state): State<AppState>, user: AuthUser, PathId(id): PathId, fields: Fields) -> Result<Json<Value>> {
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
    if body.project.is_some_and(|p| p != current.project) {
        return Err(Error::field("project", "A label cannot move to another project."));
    }
    let name = match body.name() {
        Some(n) => validate::name("name", Some(n))?,
        None => current.name.clone(),
    };
    let data_type = match body.data_type() {
        Some(t) => data_type(t)?,
        None => current.data_type,
    };
    let threshold = validate::threshold(body.threshold.unwrap_or(current.threshold))?;
    validate::unique_name(&state.db, "labels", current.project, &name, Some(id), "label").await?;
    let sets = check_label_sets(&state.db, current.project, &body).await?;
    let mut tx = state.db.begin().await?;
    sqlx::query(
        "UPDATE labels SET name = $1, api_name = $2, description = $3, data_type = $4,
            has_multiple_top_candidates = $5, threshold = $6 WHERE id = $7",
    )
    .bind(&name)
    .bind(body.api_name.clone().unwrap_or(current.api_name))
    .bind(body.description.clone().unwrap_or(current.description))
    .bind(data_type)
    .bind(body.has_multiple_top_candidates.unwrap_or(current.has_multiple_top_candidates))
    .bind(threshold)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    set_label_sets(&mut tx, id, sets.as_deref()).await?;
    tx.commit().await?;
    Fields::default().respond(visible(&state.db, &user, id).await?)
}

/// Delete a label.
#[utoipa::path(delete, path = "/api/v3/labels/{id}/", tag = "labels",
    params(("id" = i64, Path)), responses((status = 204), (status = 404)))]
async fn delete_label(State(state): State<AppState>, user: AuthUser, PathId(id): PathId) -> Result<StatusCode> {
    visible(&state.db, &user, id).await?;
    sqlx::query("DELETE FROM labels WHERE id = $1").bind(id).execute(&state.db).await?;
    Ok(StatusCode::NO_CONTENT)
}

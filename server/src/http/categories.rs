//! Categories (§4). A category is stored as its default label set (same id and name) plus a
//! `categories` row; its `schema` lists that set first, then the label sets linked to it.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use lectern_api::{Category, CategoryWrite, Paginated, SchemaLabel, SchemaLabelSet};
use serde_json::{json, Value};
use sqlx::Row;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::auth::AuthUser;
use super::error::{Body, Error, PathId, Result};
use super::list::{Condition, FilterKind, Fields, Filter, ListRequest, ListSpec};
use super::{label_sets, validate, AppState};
use crate::db::{self, Arg, Db};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_categories, create_category))
        .routes(routes!(get_category, update_category, delete_category))
}

const SELECT: &str = "SELECT t.id, t.project_id, t.name, t.api_name, t.description, c.threshold,
        (SELECT MAX(a.id) FROM extraction_ais a WHERE a.category_id = t.id AND a.active) AS active_ai
    FROM label_sets t JOIN categories c ON c.id = t.id";

const SPEC: ListSpec = ListSpec {
    from: "label_sets t JOIN categories c ON c.id = t.id",
    ordering: &[("id", "t.id"), ("name", "t.name"), ("created_at", "t.created_at")],
    filters: &[
        Filter { param: "project", column: "t.project_id", kind: FilterKind::Int },
        Filter { param: "name", column: "t.name", kind: FilterKind::Text },
    ],
};

/// Loads categories, with their schema, in the order of `ids`.
async fn load(db: &Db, ids: &[i64]) -> Result<Vec<Category>> {
    let rows = db::rows_by_ids(db, SELECT, ids).await?;
    let mut categories = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: i64 = r.get("id");
        categories.push(Category {
            id,
            name: r.get("name"),
            api_name: r.get("api_name"),
            project: r.get("project_id"),
            description: r.get("description"),
            active_ai_model: r.get("active_ai"),
            ai_model_type: "extraction".into(),
            extraction_ai_model_parameters: json!({}),
            threshold: r.get("threshold"),
            schema: schema(db, id).await?,
        });
    }
    Ok(categories)
}

/// The category's default label set, then the label sets linked to it, each with its labels.
pub async fn schema(db: &Db, category: i64) -> Result<Vec<SchemaLabelSet>> {
    let sets = db::query_with(
        "SELECT id, name, api_name, has_multiple_annotation_sets FROM label_sets
         WHERE id = $1 OR id IN (SELECT label_set_id FROM category_label_sets WHERE category_id = $2)
         ORDER BY CASE WHEN id = $3 THEN 0 ELSE 1 END, id",
        vec![Arg::Int(category), Arg::Int(category), Arg::Int(category)],
    )
    .fetch_all(db)
    .await?;
    let mut labels = label_sets::labels_of(db, &db::ids(&sets)).await?;
    Ok(sets
        .iter()
        .map(|s| {
            let id: i64 = s.get("id");
            SchemaLabelSet {
                id,
                name: s.get("name"),
                api_name: s.get("api_name"),
                has_multiple_annotation_sets: db::flag(s, "has_multiple_annotation_sets"),
                labels: labels
                    .remove(&id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|l| SchemaLabel {
                        id: l.id,
                        name: l.name,
                        api_name: l.api_name,
                        description: l.description,
                        data_type: l.data_type,
                        has_multiple_top_candidates: l.has_multiple_top_candidates,
                        threshold: l.threshold,
                    })
                    .collect(),
            }
        })
        .collect())
}

async fn visible(db: &Db, user: &AuthUser, id: i64) -> Result<Category> {
    validate::members_only(db, user.id, load(db, &[id]).await?.pop(), |category| category.project).await
}

/// List categories with their schema.
#[utoipa::path(get, path = "/api/v3/categories/", tag = "categories",
    params(("project" = Option<i64>, Query), ("limit" = Option<u64>, Query), ("offset" = Option<u64>, Query)),
    responses((status = 200, body = Paginated<Category>)))]
async fn list_categories(State(state): State<AppState>, user: AuthUser, req: ListRequest) -> Result<Json<Value>> {
    let page = req.fetch(&state.db, &SPEC, Condition::member(user.id)).await?;
    let items = load(&state.db, &page.ids).await?;
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
    let project = validate::member_project(&state.db, user.id, "project", body.project).await?;
    let name = validate::name("name", body.name.as_deref())?;
    let threshold = validate::threshold(body.threshold.unwrap_or(0.1))?;
    validate::unique_name(&state.db, "label_sets", project, &name, None, "label set or category").await?;
    let now = db::now();
    let mut tx = state.db.begin().await?;
    let id: i64 = sqlx::query(
        "INSERT INTO label_sets (project_id, name, api_name, description, has_multiple_annotation_sets, is_category, created_at)
         VALUES ($1, $2, $3, $4, FALSE, TRUE, $5) RETURNING id",
    )
    .bind(project)
    .bind(&name)
    .bind(body.api_name.clone().unwrap_or_else(|| validate::api_name(&name)))
    .bind(body.description.clone().unwrap_or_default())
    .bind(&now)
    .fetch_one(&mut *tx)
    .await?
    .get("id");
    sqlx::query("INSERT INTO categories (id, project_id, threshold, created_at) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(project)
        .bind(threshold)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Fields::default().respond(visible(&state.db, &user, id).await?)?))
}

/// One category with its schema.
#[utoipa::path(get, path = "/api/v3/categories/{id}/", tag = "categories",
    params(("id" = i64, Path)), responses((status = 200, body = Category), (status = 404)))]
async fn get_category(State(state): State<AppState>, user: AuthUser, PathId(id): PathId, fields: Fields) -> Result<Json<Value>> {
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
    if body.project.is_some_and(|p| p != current.project) {
        return Err(Error::field("project", "A category cannot move to another project."));
    }
    let name = match body.name.as_deref() {
        Some(n) => validate::name("name", Some(n))?,
        None => current.name.clone(),
    };
    let threshold = validate::threshold(body.threshold.unwrap_or(current.threshold))?;
    validate::unique_name(&state.db, "label_sets", current.project, &name, Some(id), "label set or category").await?;
    let mut tx = state.db.begin().await?;
    sqlx::query("UPDATE label_sets SET name = $1, api_name = $2, description = $3 WHERE id = $4")
        .bind(&name)
        .bind(body.api_name.clone().unwrap_or(current.api_name))
        .bind(body.description.clone().unwrap_or(current.description))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE categories SET threshold = $1 WHERE id = $2").bind(threshold).bind(id).execute(&mut *tx).await?;
    tx.commit().await?;
    Fields::default().respond(visible(&state.db, &user, id).await?)
}

/// Delete a category with its default label set; linked label sets stay.
#[utoipa::path(delete, path = "/api/v3/categories/{id}/", tag = "categories",
    params(("id" = i64, Path)), responses((status = 204), (status = 404)))]
async fn delete_category(State(state): State<AppState>, user: AuthUser, PathId(id): PathId) -> Result<StatusCode> {
    visible(&state.db, &user, id).await?;
    sqlx::query("DELETE FROM label_sets WHERE id = $1").bind(id).execute(&state.db).await?;
    Ok(StatusCode::NO_CONTENT)
}

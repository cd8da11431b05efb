//! Label sets (§5). A category's default label set shares its id and is listed with `is_category: true`.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use lectern_api::{LabelSet, LabelSetLabel, LabelSetWrite, Paginated};
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
        .routes(routes!(list_label_sets, create_label_set))
        .routes(routes!(get_label_set, update_label_set, delete_label_set))
}

const SPEC: ListSpec = ListSpec {
    from: "label_sets t",
    ordering: &[("id", "t.id"), ("name", "t.name"), ("created_at", "t.created_at")],
    filters: &[
        Filter { param: "project", column: "t.project_id", kind: FilterKind::Int },
        Filter { param: "is_category", column: "t.is_category", kind: FilterKind::Bool },
        Filter { param: "name", column: "t.name", kind: FilterKind::Text },
    ],
};

/// The labels of each label set, by label set id, ordered by label id.
pub async fn labels_of(db: &Db, set_ids: &[i64]) -> Result<HashMap<i64, Vec<lectern_api::Label>>> {
    let mut by_set: HashMap<i64, Vec<lectern_api::Label>> = HashMap::new();
    if set_ids.is_empty() {
        return Ok(by_set);
    }
    let sql = format!(
        "SELECT l.id AS id FROM label_set_labels ll JOIN labels l ON l.id = ll.label_id
         WHERE ll.label_set_id IN ({}) GROUP BY l.id ORDER BY l.id",
        db::placeholders(0, set_ids.len())
    );
    let label_ids = db::ids(&db::query_with(&sql, set_ids.iter().map(|id| Arg::Int(*id)).collect()).fetch_all(db).await?);
    for label in super::labels::load(db, &label_ids).await? {
        for set in &label.label_sets {
            if set_ids.contains(set) {
                by_set.entry(*set).or_default().push(label.clone());
            }
        }
    }
    Ok(by_set)
}

/// Loads label sets in the order of `ids`.
async fn load(db: &Db, ids: &[i64]) -> Result<Vec<LabelSet>> {
    let rows = db::rows_by_ids(db, "SELECT t.* FROM label_sets t", ids).await?;
    let mut labels = labels_of(db, ids).await?;
    let mut categories = categories_using(db, ids).await?;
    Ok(rows
        .iter()
        .map(|r| {
            let id: i64 = r.get("id");
            LabelSet {
                id,
                project: r.get("project_id"),
                name: r.get("name"),
                api_name: r.get("api_name"),
                description: r.get("description"),
                has_multiple_annotation_sets: db::flag(r, "has_multiple_annotation_sets"),
                is_category: db::flag(r, "is_category"),
                categories: categories.remove(&id).unwrap_or_default(),
                labels: labels
                    .remove(&id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|l| LabelSetLabel { id: l.id, name: l.name, api_name: l.api_name, data_type: l.data_type })
                    .collect(),
            }
        })
        .collect())
}

/// The categories using each label set: linked ones, and for a default set its own category.
async fn categories_using(db: &Db, set_ids: &[i64]) -> Result<HashMap<i64, Vec<i64>>> {
    let mut by_set: HashMap<i64, Vec<i64>> = HashMap::new();
    if set_ids.is_empty() {
        return Ok(by_set);
    }
    let list = db::placeholders(0, set_ids.len());
    let sql = format!(
        "SELECT label_set_id AS s, category_id AS c FROM category_label_sets WHERE label_set_id IN ({list})
         UNION SELECT id AS s, id AS c FROM categories WHERE id IN ({list}) ORDER BY c"
    );
    let args: Vec<Arg> = set_ids.iter().chain(set_ids).map(|id| Arg::Int(*id)).collect();
    for row in db::query_with(&sql, args).fetch_all(db).await? {
        by_set.entry(row.get("s")).or_default().push(row.get("c"));
    }
    Ok(by_set)
}

async fn visible(db: &Db, user: &AuthUser, id: i64) -> Result<LabelSet> {
    validate::members_only(db, user.id, load(db, &[id]).await?.pop(), |set| set.project).await
}

/// Replaces the label set's links to categories and labels with the given ones, when given.
async fn set_links(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: i64,
    categories: Option<&[i64]>,
    labels: Option<&[i64]>,
) -> Result<()> {
    if let Some(categories) = categories {
        sqlx::query("DELETE FROM category_label_sets WHERE label_set_id = $1").bind(id).execute(&mut **tx).await?;
        for category in categories.iter().filter(|c| **c != id) {
            sqlx::query("INSERT INTO category_label_sets (category_id, label_set_id) VALUES ($1, $2)")
                .bind(category)
                .bind(id)
                .execute(&mut **tx)
                .await?;
        }
    }
    if let Some(labels) = labels {
        sqlx::query("DELETE FROM label_set_labels WHERE label_set_id = $1").bind(id).execute(&mut **tx).await?;
        for label in labels {
            sqlx::query("INSERT INTO label_set_labels (label_set_id, label_id) VALUES ($1, $2)")
                .bind(id)
                .bind(label)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

/// Checks the ids a write links to: categories and labels of the same project, each once.
async fn check_links(db: &Db, project: i64, body: &LabelSetWrite) -> Result<(Option<Vec<i64>>, Option<Vec<i64>>)> {
    let dedup = |ids: &Option<Vec<i64>>| {
        ids.clone().map(|mut v| {
            v.sort_unstable();
            v.dedup();
            v
        })
    };
    let (categories, labels) = (dedup(&body.categories), dedup(&body.labels));
    if let Some(ids) = &categories {
        validate::ids_in_project(db, "label_sets", "AND is_category", project, "categories", ids).await?;
    }
    if let Some(ids) = &labels {
        validate::ids_in_project(db, "labels", "", project, "labels", ids).await?;
    }
    Ok((categories, labels))
}

/// List label sets, categories' default sets included (`is_category`).
#[utoipa::path(get, path = "/api/v3/label-sets/", tag = "label-sets",
    params(("project" = Option<i64>, Query), ("limit" = Option<u64>, Query), ("offset" = Option<u64>, Query)),
    responses((status = 200, body = Paginated<LabelSet>)))]
async fn list_label_sets(State(state): State<AppState>, user: AuthUser, req: ListRequest) -> Result<Json<Value>> {
    let page = req.fetch(&state.db, &SPEC, Condition::member(user.id)).await?;
    let items = load(&state.db, &page.ids).await?;
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
    let project = validate::member_project(&state.db, user.id, "project", body.project).await?;
    let name = validate::name("name", body.name.as_deref())?;
    validate::unique_name(&state.db, "label_sets", project, &name, None, "label set or category").await?;
    let (categories, labels) = check_links(&state.db, project, &body).await?;
    let mut tx = state.db.begin().await?;
    let id: i64 = sqlx::query(
        "INSERT INTO label_sets (project_id, name, api_name, description, has_multiple_annotation_sets, is_category, created_at)
         VALUES ($1, $2, $3, $4, $5, FALSE, $6) RETURNING id",
    )
    .bind(project)
    .bind(&name)
    .bind(body.api_name.clone().unwrap_or_else(|| validate::api_name(&name)))
    .bind(body.description.clone().unwrap_or_default())
    .bind(body.multiple().unwrap_or(false))
    .bind(db::now())
    .fetch_one(&mut *tx)
    .await?
    .get("id");
    set_links(&mut tx, id, categories.as_deref(), labels.as_deref()).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Fields::default().respond(visible(&state.db, &user, id).await?)?))
}

/// One label set with its labels.
#[utoipa::path(get, path = "/api/v3/label-sets/{id}/", tag = "label-sets",
    params(("id" = i64, Path)), responses((status = 200, body = LabelSet), (status = 404)))]
async fn get_label_set(State(state): State<AppState>, user: AuthUser, PathId(id): PathId, fields: Fields) -> Result<Json<Value>> {
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
    if body.project.is_some_and(|p| p != current.project) {
        return Err(Error::field("project", "A label set cannot move to another project."));
    }
    if current.is_category && body.categories.as_ref().is_some_and(|c| c.iter().any(|c| *c != id)) {
        return Err(Error::field("categories", "A category's own label set belongs to that category only."));
    }
    let name = match body.name.as_deref() {
        Some(n) => validate::name("name", Some(n))?,
        None => current.name.clone(),
    };
    validate::unique_name(&state.db, "label_sets", current.project, &name, Some(id), "label set or category").await?;
    let (categories, labels) = check_links(&state.db, current.project, &body).await?;
    let mut tx = state.db.begin().await?;
    sqlx::query(
        "UPDATE label_sets SET name = $1, api_name = $2, description = $3, has_multiple_annotation_sets = $4 WHERE id = $5",
    )
    .bind(&name)
    .bind(body.api_name.clone().unwrap_or(current.api_name))
    .bind(body.description.clone().unwrap_or(current.description))
    .bind(body.multiple().unwrap_or(current.has_multiple_annotation_sets))
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let categories = if current.is_category { None } else { categories };
    set_links(&mut tx, id, categories.as_deref(), labels.as_deref()).await?;
    tx.commit().await?;
    Fields::default().respond(visible(&state.db, &user, id).await?)
}

/// Delete a label set; a category's own set goes only with its category.
#[utoipa::path(delete, path = "/api/v3/label-sets/{id}/", tag = "label-sets",
    params(("id" = i64, Path)), responses((status = 204), (status = 400), (status = 404)))]
async fn delete_label_set(State(state): State<AppState>, user: AuthUser, PathId(id): PathId) -> Result<StatusCode> {
    let set = visible(&state.db, &user, id).await?;
    if set.is_category {
        return Err(Error::BadRequest(format!(
            "This is the default label set of category {id}; delete the category instead."
        )));
    }
    sqlx::query("DELETE FROM label_sets WHERE id = $1").bind(id).execute(&state.db).await?;
    Ok(StatusCode::NO_CONTENT)
}

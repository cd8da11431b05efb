//! Categories (§4). A category is stored as its default label set (same id and name) plus a `categories`
//! row; its `schema` lists that set first, then the label sets linked to it.

use lectern_api::{Category, CategoryWrite, SchemaLabel, SchemaLabelSet};

use super::{unique_name, Table};
use crate::db::{self, Db, Flag};
use crate::domain::list::{Filter, FilterKind, ListSpec};
use crate::domain::validate;
use crate::error::{Error, Result};

pub const LIST: ListSpec = ListSpec {
    from: "label_sets t JOIN categories c ON c.id = t.id",
    ordering: &[("id", "t.id"), ("name", "t.name"), ("created_at", "t.created_at")],
    filters: &[
        Filter { param: "project", column: "t.project_id", kind: FilterKind::Int },
        Filter { param: "name", column: "t.name", kind: FilterKind::Text },
    ],
};

#[derive(sqlx::FromRow)]
struct CategoryRow {
    id: i64,
    project_id: i64,
    name: String,
    api_name: String,
    description: String,
    threshold: f64,
    active_ai: Option<i64>,
}

/// Categories, with their schema, in the order of `ids`.
pub async fn load(db: &Db, ids: &[i64]) -> Result<Vec<Category>> {
    let select = "SELECT t.id, t.project_id, t.name, t.api_name, t.description, c.threshold,
            (SELECT MAX(a.id) FROM ais a WHERE a.kind = 'extraction' AND a.category_id = t.id AND a.active) AS active_ai
        FROM label_sets t JOIN categories c ON c.id = t.id";
    let rows: Vec<CategoryRow> = db::by_ids(db, select, ids, |r: &CategoryRow| r.id).await?;
    let mut categories = Vec::with_capacity(rows.len());
    for r in rows {
        categories.push(Category {
            schema: schema(db, r.id).await?,
            id: r.id,
            name: r.name,
            api_name: r.api_name,
            project: r.project_id,
            description: r.description,
            active_ai_model: r.active_ai,
            ai_model_type: "extraction".into(),
            extraction_ai_model_parameters: serde_json::json!({}),
            threshold: r.threshold,
        });
    }
    Ok(categories)
}

/// The categories of a project with their names, by id.
pub async fn names(db: &Db, project: i64) -> Result<Vec<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT c.id, s.name FROM categories c JOIN label_sets s ON s.id = c.id WHERE c.project_id = $1 ORDER BY c.id",
    )
    .bind(project)
    .fetch_all(db)
    .await?)
}

/// The project a category belongs to.
pub async fn project_of(db: &Db, category: i64) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT project_id FROM categories WHERE id = $1").bind(category).fetch_optional(db).await?)
}

/// Creates a category and its default label set in the project; returns its id.
pub async fn create(db: &Db, project: i64, body: CategoryWrite) -> Result<i64> {
    let name = validate::name("name", body.name.as_deref())?;
    let threshold = validate::threshold(body.threshold.unwrap_or(0.1))?;
    unique_name(db, Table::Categories, project, &name, None).await?;
    let now = db::now();
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO label_sets (project_id, name, api_name, description, has_multiple_annotation_sets, is_category, created_at)
         VALUES ($1, $2, $3, $4, FALSE, TRUE, $5) RETURNING id",
    )
    .bind(project)
    .bind(&name)
    .bind(body.api_name.unwrap_or_else(|| validate::api_name(&name)))
    .bind(body.description.unwrap_or_default())
    .bind(&now)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("INSERT INTO categories (id, project_id, threshold, created_at) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(project)
        .bind(threshold)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// Renames or describes a category (its default label set follows).
pub async fn update(db: &Db, current: Category, body: CategoryWrite) -> Result<()> {
    if body.project.is_some_and(|p| p != current.project) {
        return Err(Error::field("project", "A category cannot move to another project."));
    }
    let name = validate::new_name("name", body.name.as_deref(), &current.name)?;
    let threshold = validate::threshold(body.threshold.unwrap_or(current.threshold))?;
    unique_name(db, Table::Categories, current.project, &name, Some(current.id)).await?;
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE label_sets SET name = $1, api_name = $2, description = $3 WHERE id = $4")
        .bind(&name)
        .bind(body.api_name.unwrap_or(current.api_name))
        .bind(body.description.unwrap_or(current.description))
        .bind(current.id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE categories SET threshold = $1 WHERE id = $2")
        .bind(threshold)
        .bind(current.id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a category with its default label set; linked label sets stay.
pub async fn delete(db: &Db, category: Category) -> Result<()> {
    sqlx::query("DELETE FROM label_sets WHERE id = $1").bind(category.id).execute(db).await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct SchemaSetRow {
    id: i64,
    name: String,
    api_name: String,
    #[sqlx(try_from = "Flag")]
    has_multiple_annotation_sets: bool,
}

/// The category's default label set, then the label sets linked to it, each with its labels.
pub async fn schema(db: &Db, category: i64) -> Result<Vec<SchemaLabelSet>> {
    let sets: Vec<SchemaSetRow> = sqlx::query_as(
        "SELECT id, name, api_name, has_multiple_annotation_sets FROM label_sets
         WHERE id = $1 OR id IN (SELECT label_set_id FROM category_label_sets WHERE category_id = $1)
         ORDER BY CASE WHEN id = $1 THEN 0 ELSE 1 END, id",
    )
    .bind(category)
    .fetch_all(db)
    .await?;
    let ids: Vec<i64> = sets.iter().map(|s| s.id).collect();
    let mut labels = super::label_sets::labels_of(db, &ids).await?;
    Ok(sets
        .into_iter()
        .map(|s| SchemaLabelSet {
            labels: labels
                .remove(&s.id)
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
            id: s.id,
            name: s.name,
            api_name: s.api_name,
            has_multiple_annotation_sets: s.has_multiple_annotation_sets,
        })
        .collect())
}

/// The label schema of a document's category; none without a category.
pub async fn schema_of(db: &Db, category: Option<i64>) -> Result<Vec<SchemaLabelSet>> {
    match category {
        Some(category) => schema(db, category).await,
        None => Ok(Vec::new()),
    }
}

//! The label schema of a project (§4–§6): categories → label sets → labels, and what a category's documents
//! are annotated with.

use lectern_api::{SchemaLabel, SchemaLabelSet};

use crate::db::{self, Arg, Db, Flag};
use crate::error::{Error, Result};

pub mod categories;
pub mod label_sets;
pub mod labels;

/// The tables of the schema whose rows belong to a project.
#[derive(Debug, Clone, Copy)]
pub enum Table {
    Categories,
    LabelSets,
    Labels,
}

impl Table {
    fn sql(self) -> &'static str {
        match self {
            Table::Categories => "categories",
            Table::LabelSets => "label_sets",
            Table::Labels => "labels",
        }
    }
}

/// Every id must name a row of `table` in the project; otherwise the field names the first that does not.
pub async fn ids_in_project(db: &Db, table: Table, project: i64, field: &str, ids: &[i64]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "SELECT id FROM {} WHERE project_id = $1 AND id IN ({})",
        table.sql(),
        db::placeholders(1, ids.len())
    );
    let mut args = vec![Arg::Int(project)];
    args.extend(db::int_args(ids));
    let found: Vec<i64> = db::scalar_with(&sql, args).fetch_all(db).await?;
    match ids.iter().find(|id| !found.contains(id)) {
        Some(missing) => Err(Error::no_such(field, *missing)),
        None => Ok(()),
    }
}

/// A category of the project, for a field that names one.
pub async fn check_category(db: &Db, project: i64, category: i64) -> Result<()> {
    ids_in_project(db, Table::Categories, project, "category", &[category]).await
}

/// Refuses a name that another row of `table` in the project already has; label sets and categories share
/// their names (a category is its default label set).
async fn unique_name(db: &Db, table: Table, project: i64, name: &str, except: Option<i64>) -> Result<()> {
    let (sql_table, what) = match table {
        Table::Labels => ("labels", "label"),
        Table::LabelSets | Table::Categories => ("label_sets", "label set or category"),
    };
    let sql = format!("SELECT id FROM {sql_table} WHERE project_id = $1 AND name = $2 AND id <> $3");
    let taken: Option<i64> = sqlx::query_scalar(&sql)
        .bind(project)
        .bind(name)
        .bind(except.unwrap_or(0))
        .fetch_optional(db)
        .await?;
    match taken {
        Some(_) => Err(Error::field("name", format!("A {what} named \"{name}\" already exists in this project."))),
        None => Ok(()),
    }
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
pub async fn of_category(db: &Db, category: i64) -> Result<Vec<SchemaLabelSet>> {
    let sets: Vec<SchemaSetRow> = sqlx::query_as(
        "SELECT id, name, api_name, has_multiple_annotation_sets FROM label_sets
         WHERE id = $1 OR id IN (SELECT label_set_id FROM category_label_sets WHERE category_id = $1)
         ORDER BY CASE WHEN id = $1 THEN 0 ELSE 1 END, id",
    )
    .bind(category)
    .fetch_all(db)
    .await?;
    let ids: Vec<i64> = sets.iter().map(|s| s.id).collect();
    let mut labels = label_sets::labels_of(db, &ids).await?;
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
pub async fn of_document(db: &Db, category: Option<i64>) -> Result<Vec<SchemaLabelSet>> {
    match category {
        Some(category) => of_category(db, category).await,
        None => Ok(Vec::new()),
    }
}

/// Whether `label` is in `label_set`.
pub async fn label_in_set(db: &Db, label: i64, label_set: i64) -> Result<bool> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM label_set_labels WHERE label_id = $1 AND label_set_id = $2")
            .bind(label)
            .bind(label_set)
            .fetch_optional(db)
            .await?;
    Ok(found.is_some())
}

/// Sorts and removes repeats from a list of ids a client sent.
fn distinct(ids: &Option<Vec<i64>>) -> Option<Vec<i64>> {
    ids.clone().map(|mut v| {
        v.sort_unstable();
        v.dedup();
        v
    })
}

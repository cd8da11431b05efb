//! Labels (§6), accepting the SDK's legacy field names on write.

use std::collections::HashMap;

use lectern_api::{Label, LabelWrite, DATA_TYPES};

use super::{ids_in_project, unique_name, Table};
use crate::db::{self, Db, Flag, Tx};
use crate::domain::list::{Filter, FilterKind, ListSpec};
use crate::domain::validate;
use crate::error::{Error, Result};

pub const LIST: ListSpec = ListSpec {
    from: "labels t",
    ordering: &[("id", "t.id"), ("name", "t.name"), ("data_type", "t.data_type"), ("created_at", "t.created_at")],
    filters: &[
        Filter { param: "project", column: "t.project_id", kind: FilterKind::Int },
        Filter { param: "name", column: "t.name", kind: FilterKind::Text },
        Filter { param: "data_type", column: "t.data_type", kind: FilterKind::Text },
    ],
};

#[derive(sqlx::FromRow)]
struct LabelRow {
    id: i64,
    project_id: i64,
    name: String,
    api_name: String,
    description: String,
    data_type: String,
    #[sqlx(try_from = "Flag")]
    has_multiple_top_candidates: bool,
    threshold: f64,
}

/// Labels in the order of `ids`.
pub async fn load(db: &Db, ids: &[i64]) -> Result<Vec<Label>> {
    let rows: Vec<LabelRow> = db::by_ids(db, "SELECT t.* FROM labels t", ids, |r: &LabelRow| r.id).await?;
    let mut sets: HashMap<i64, Vec<i64>> = HashMap::new();
    if !ids.is_empty() {
        let sql = format!(
            "SELECT label_id, label_set_id FROM label_set_labels WHERE label_id IN ({}) ORDER BY label_set_id",
            db::placeholders(0, ids.len())
        );
        let pairs: Vec<(i64, i64)> = db::query_as_with(&sql, db::int_args(ids)).fetch_all(db).await?;
        for (label, set) in pairs {
            sets.entry(label).or_default().push(set);
        }
    }
    Ok(rows
        .into_iter()
        .map(|r| Label {
            label_sets: sets.remove(&r.id).unwrap_or_default(),
            id: r.id,
            project: r.project_id,
            name: r.name,
            api_name: r.api_name,
            description: r.description,
            data_type: r.data_type,
            has_multiple_top_candidates: r.has_multiple_top_candidates,
            threshold: r.threshold,
        })
        .collect())
}

/// The data type as stored, matched case-insensitively against the known ones.
fn data_type(value: &str) -> Result<String> {
    DATA_TYPES.iter().find(|t| t.eq_ignore_ascii_case(value.trim())).map(|t| t.to_string()).ok_or_else(|| {
        Error::field(
            "data_type",
            format!("\"{value}\" is not a valid choice. Choose one of: {}.", DATA_TYPES.join(", ")),
        )
    })
}

async fn check_label_sets(db: &Db, project: i64, body: &LabelWrite) -> Result<Option<Vec<i64>>> {
    // Each alias is checked on its own, so that an error names the field the client sent.
    for (field, ids) in
        [("label_sets", &body.label_sets), ("templates", &body.templates), ("categories", &body.categories)]
    {
        if let Some(ids) = ids {
            ids_in_project(db, Table::LabelSets, project, field, ids).await?;
        }
    }
    Ok(body.label_sets())
}

async fn set_label_sets(tx: &mut Tx, id: i64, sets: Option<&[i64]>) -> Result<()> {
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

/// Creates a label in the project; returns its id.
pub async fn create(db: &Db, project: i64, body: LabelWrite) -> Result<i64> {
    let name = validate::name("name", body.name())?;
    let data_type = data_type(body.data_type().unwrap_or("Text"))?;
    let threshold = validate::threshold(body.threshold.unwrap_or(0.1))?;
    unique_name(db, Table::Labels, project, &name, None).await?;
    let sets = check_label_sets(db, project, &body).await?;
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query_scalar(
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
    .await?;
    set_label_sets(&mut tx, id, sets.as_deref()).await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes a label; label sets, when sent under any alias, replace its links.
pub async fn update(db: &Db, current: Label, body: LabelWrite) -> Result<()> {
    if body.project.is_some_and(|p| p != current.project) {
        return Err(Error::field("project", "A label cannot move to another project."));
    }
    let name = validate::new_name("name", body.name(), &current.name)?;
    let data_type = match body.data_type() {
        Some(t) => data_type(t)?,
        None => current.data_type,
    };
    let threshold = validate::threshold(body.threshold.unwrap_or(current.threshold))?;
    unique_name(db, Table::Labels, current.project, &name, Some(current.id)).await?;
    let sets = check_label_sets(db, current.project, &body).await?;
    let mut tx = db.begin().await?;
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
    .bind(current.id)
    .execute(&mut *tx)
    .await?;
    set_label_sets(&mut tx, current.id, sets.as_deref()).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn delete(db: &Db, label: Label) -> Result<()> {
    sqlx::query("DELETE FROM labels WHERE id = $1").bind(label.id).execute(db).await?;
    Ok(())
}

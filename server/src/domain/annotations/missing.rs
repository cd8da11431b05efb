//! Missing annotations (§13): "not found" markers for a label of an (existing or potential) annotation set.

use lectern_api::annotations::{MissingAnnotation, MissingAnnotationWrite};

use super::{lock, placement, writable};
use crate::db::{self, Db};
use crate::domain::documents;
use crate::domain::list::{Filter, FilterKind, ListSpec};
use crate::error::{Error, Result};

pub const LIST: ListSpec = ListSpec {
    from: "missing_annotations t",
    ordering: &[("id", "t.id"), ("created_at", "t.created_at")],
    filters: &[
        Filter { param: "document", column: "t.document_id", kind: FilterKind::Int },
        Filter { param: "label", column: "t.label_id", kind: FilterKind::Int },
        Filter { param: "label_set", column: "t.label_set_id", kind: FilterKind::Int },
        Filter { param: "annotation_set", column: "t.annotation_set_id", kind: FilterKind::Int },
    ],
};

#[derive(sqlx::FromRow)]
struct MissingRow {
    id: i64,
    document_id: i64,
    label_id: i64,
    label_set_id: i64,
    annotation_set_id: Option<i64>,
}

pub async fn load(db: &Db, ids: &[i64]) -> Result<Vec<MissingAnnotation>> {
    let rows: Vec<MissingRow> =
        db::by_ids(db, "SELECT t.* FROM missing_annotations t", ids, |r: &MissingRow| r.id).await?;
    Ok(rows
        .into_iter()
        .map(|r| MissingAnnotation {
            id: r.id,
            document: r.document_id,
            label: r.label_id,
            label_set: r.label_set_id,
            annotation_set: r.annotation_set_id,
        })
        .collect())
}

/// Marks labels as not found, all or none. A marker given twice, or a label outside its label set, is refused.
pub async fn create(db: &Db, user: i64, items: Vec<MissingAnnotationWrite>) -> Result<Vec<i64>> {
    for m in &items {
        let doc = documents::visible(db, user, m.document).await.map_err(|_| Error::no_such("document", m.document))?;
        placement::check_label_set(db, &doc, m.label, m.label_set).await?;
    }
    let ids: Vec<i64> = items.iter().map(|m| m.document).collect();
    let (mut tx, docs) = lock::documents(db, &ids).await?;
    for doc in &docs {
        writable(doc)?;
    }
    let mut created = Vec::new();
    for m in items {
        if let Some(set) = m.annotation_set {
            let found: Option<i64> = sqlx::query_scalar(
                "SELECT 1 FROM annotation_sets WHERE id = $1 AND document_id = $2 AND label_set_id = $3",
            )
            .bind(set)
            .bind(m.document)
            .bind(m.label_set)
            .fetch_optional(&mut *tx)
            .await?;
            if found.is_none() {
                return Err(Error::no_such("annotation_set", set));
            }
        }
        let exists: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM missing_annotations WHERE document_id = $1 AND label_id = $2 AND label_set_id = $3
             AND COALESCE(annotation_set_id, 0) = $4",
        )
        .bind(m.document)
        .bind(m.label)
        .bind(m.label_set)
        .bind(m.annotation_set.unwrap_or(0))
        .fetch_optional(&mut *tx)
        .await?;
        if exists.is_some() {
            return Err(Error::field(
                "label",
                format!("Label {} is already marked as missing in this annotation set.", m.label),
            ));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO missing_annotations (document_id, label_id, label_set_id, annotation_set_id, created_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(m.document)
        .bind(m.label)
        .bind(m.label_set)
        .bind(m.annotation_set)
        .bind(db::now())
        .fetch_one(&mut *tx)
        .await?;
        created.push(id);
    }
    tx.commit().await?;
    Ok(created)
}

/// Restores a label marked as not found.
pub async fn delete(db: &Db, user: i64, id: i64) -> Result<()> {
    let m = load(db, &[id]).await?.pop().ok_or(Error::NotFound)?;
    documents::visible(db, user, m.document).await?;
    let (mut tx, doc) = lock::document(db, m.document).await?;
    writable(&doc)?;
    let done = sqlx::query("DELETE FROM missing_annotations WHERE id = $1").bind(id).execute(&mut *tx).await?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

//! Where a new or moved annotation goes (§12.3): the annotation set and label set, checked against the
//! document's category.
//!
//! Choices where the reference is silent: with neither `annotation_set` nor `label_set`, the label set is the
//! first of the category (its default set first) that holds the label, and its existing set is reused (the
//! latest of a repeating one) or one is made. Labels marked missing in a potential set move to the set that
//! replaces it.

use lectern_api::documents::Document;

use crate::db::{self, Db, Tx};
use crate::domain::schema::{self, categories, Table};
use crate::error::{Error, Result};

/// Where an annotation goes, decided before the document is locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetChoice {
    /// An annotation set of the document, of this label set.
    Existing { set: i64, label_set: i64 },
    /// The existing set of the label set if there is one (the first of a non-repeating one, the latest of a
    /// repeating one), else a new one.
    Reuse { label_set: i64, latest: bool },
    /// A new set of a repeating label set.
    New { label_set: i64 },
}

fn category_of(doc: &Document) -> Result<i64> {
    doc.category.ok_or_else(|| {
        Error::field("document", format!("Document {} has no category; set one before annotating it.", doc.id))
    })
}

/// Checks that `label_set` is linked to the document's category and holds `label`; returns whether it allows
/// several annotation sets.
pub async fn check_label_set(db: &Db, doc: &Document, label: i64, label_set: i64) -> Result<bool> {
    let category = category_of(doc)?;
    let sets = categories::schema(db, category).await?;
    let Some(set) = sets.iter().find(|s| s.id == label_set) else {
        return Err(Error::field(
            "label_set",
            format!("Label set {label_set} is not linked to category {category} of document {}.", doc.id),
        ));
    };
    if !set.labels.iter().any(|l| l.id == label) {
        return Err(Error::field("label", format!("Label {label} is not in label set {label_set}.")));
    }
    Ok(set.has_multiple_annotation_sets)
}

/// Checks the label and the given set or label set against the document's category and decides where the
/// annotation goes: the given set, a new set of a repeating label set, the single set of a non-repeating one,
/// or the set inferred from the label.
pub async fn choose(
    db: &Db,
    doc: &Document,
    label: i64,
    annotation_set: Option<i64>,
    label_set: Option<i64>,
) -> Result<SetChoice> {
    schema::ids_in_project(db, Table::Labels, doc.project, "label", &[label]).await?;
    if let Some(set) = annotation_set {
        let set_label_set: i64 =
            sqlx::query_scalar("SELECT label_set_id FROM annotation_sets WHERE id = $1 AND document_id = $2")
                .bind(set)
                .bind(doc.id)
                .fetch_optional(db)
                .await?
                .ok_or_else(|| Error::no_such("annotation_set", set))?;
        if label_set.is_some_and(|ls| ls != set_label_set) {
            return Err(Error::field(
                "label_set",
                format!("Annotation set {set} belongs to label set {set_label_set}; send one of annotation_set and label_set."),
            ));
        }
        check_label_set(db, doc, label, set_label_set).await?;
        return Ok(SetChoice::Existing { set, label_set: set_label_set });
    }
    let (label_set, sent) = match label_set {
        Some(ls) => (ls, true),
        None => {
            let category = category_of(doc)?;
            let sets = categories::schema(db, category).await?;
            let found = sets.iter().find(|s| s.labels.iter().any(|l| l.id == label)).ok_or_else(|| {
                Error::field(
                    "label",
                    format!("Label {label} is in no label set of category {category} of document {}.", doc.id),
                )
            })?;
            (found.id, false)
        }
    };
    let multiple = check_label_set(db, doc, label, label_set).await?;
    Ok(if multiple && sent { SetChoice::New { label_set } } else { SetChoice::Reuse { label_set, latest: multiple } })
}

/// The annotation set and label set of a choice, making the set when needed; runs in the document's lock.
pub async fn place(tx: &mut Tx, document: i64, choice: SetChoice) -> Result<(i64, i64)> {
    let label_set = match choice {
        SetChoice::Existing { set, label_set } => return Ok((set, label_set)),
        SetChoice::Reuse { label_set, latest } => {
            let order = if latest { "DESC" } else { "ASC" };
            let sql = format!(
                "SELECT id FROM annotation_sets WHERE document_id = $1 AND label_set_id = $2 ORDER BY id {order}"
            );
            let existing: Option<i64> =
                sqlx::query_scalar(&sql).bind(document).bind(label_set).fetch_optional(&mut **tx).await?;
            if let Some(set) = existing {
                return Ok((set, label_set));
            }
            label_set
        }
        SetChoice::New { label_set } => label_set,
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO annotation_sets (document_id, label_set_id, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(document)
    .bind(label_set)
    .bind(db::now())
    .fetch_one(&mut **tx)
    .await?;
    // Labels marked missing in the potential set (no id yet) now belong to the set that replaces it.
    sqlx::query(
        "UPDATE missing_annotations SET annotation_set_id = $1
         WHERE document_id = $2 AND label_set_id = $3 AND annotation_set_id IS NULL",
    )
    .bind(id)
    .bind(document)
    .bind(label_set)
    .execute(&mut **tx)
    .await?;
    Ok((id, label_set))
}

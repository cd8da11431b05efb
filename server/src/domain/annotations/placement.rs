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

#[cfg(test)]
mod tests {
    use lectern_api::{LabelSetWrite, LabelWrite};

    use super::*;
    use crate::domain::annotations;
    use crate::domain::schema::{label_sets, labels};
    use crate::testing::{refusal, Fixture};

    #[tokio::test]
    async fn a_label_goes_to_the_set_of_the_category_that_holds_it() {
        let (fx, invoice) = Fixture::with_invoice().await;
        let db = fx.db();
        let s = invoice.schema;
        let doc = fx.load(invoice.doc).await;
        assert_eq!(
            choose(db, &doc, s.total, None, None).await.unwrap(),
            SetChoice::Reuse { label_set: s.category, latest: false }
        );
        assert_eq!(
            choose(db, &doc, s.item, None, None).await.unwrap(),
            SetChoice::Reuse { label_set: s.line_item, latest: true }
        );
        // Naming a repeating label set asks for a new line item; a non-repeating one has one set.
        assert_eq!(
            choose(db, &doc, s.item, None, Some(s.line_item)).await.unwrap(),
            SetChoice::New { label_set: s.line_item }
        );
        assert_eq!(
            choose(db, &doc, s.total, None, Some(s.category)).await.unwrap(),
            SetChoice::Reuse { label_set: s.category, latest: false }
        );
        assert!(check_label_set(db, &doc, s.item, s.line_item).await.unwrap());
        assert!(!check_label_set(db, &doc, s.date, s.category).await.unwrap());

        let (mut tx, _) = annotations::lock::document(db, doc.id).await.unwrap();
        let first = place(&mut tx, doc.id, SetChoice::New { label_set: s.line_item }).await.unwrap();
        let reused = place(&mut tx, doc.id, SetChoice::Reuse { label_set: s.line_item, latest: true }).await.unwrap();
        assert_eq!((reused, first.1), (first, s.line_item));
        let second = place(&mut tx, doc.id, SetChoice::New { label_set: s.line_item }).await.unwrap();
        assert_ne!(second, first);
        let latest = place(&mut tx, doc.id, SetChoice::Reuse { label_set: s.line_item, latest: true }).await.unwrap();
        let earliest =
            place(&mut tx, doc.id, SetChoice::Reuse { label_set: s.line_item, latest: false }).await.unwrap();
        assert_eq!((latest, earliest), (second, first));
        let existing = SetChoice::Existing { set: first.0, label_set: s.line_item };
        assert_eq!(place(&mut tx, doc.id, existing).await.unwrap(), first);
        tx.commit().await.unwrap();
        assert_eq!(choose(db, &doc, s.amount, Some(first.0), None).await.unwrap(), existing);
    }

    #[tokio::test]
    async fn a_label_or_set_outside_the_document_s_category_is_refused() {
        let (fx, invoice) = Fixture::with_invoice().await;
        let db = fx.db();
        let (project, s) = (invoice.project, invoice.schema);
        let doc = fx.load(invoice.doc).await;
        let foreign = fx.schema(fx.project(invoice.owner, "Other").await).await;
        let choice = |label, set, label_set| choose(db, &doc, label, set, label_set);
        let pk = |field: &str, id: i64| format!("400 {field}: Invalid pk \"{id}\" - object does not exist.");

        assert_eq!(refusal(choice(foreign.total, None, None).await), pk("label", foreign.total));
        let loose = labels::create(db, project, LabelWrite { name: Some("Note".into()), ..LabelWrite::default() });
        let loose = loose.await.unwrap();
        let (c, d) = (s.category, doc.id);
        assert_eq!(
            refusal(choice(loose, None, None).await),
            format!("400 label: Label {loose} is in no label set of category {c} of document {d}.")
        );
        assert_eq!(
            refusal(choice(s.total, None, Some(s.line_item)).await),
            format!("400 label: Label {} is not in label set {}.", s.total, s.line_item)
        );
        let unlinked = LabelSetWrite { name: Some("Unlinked".into()), ..LabelSetWrite::default() };
        let unlinked = label_sets::create(db, project, unlinked).await.unwrap();
        assert_eq!(
            refusal(choice(s.total, None, Some(unlinked)).await),
            format!("400 label_set: Label set {unlinked} is not linked to category {c} of document {d}.")
        );

        let other = fx.document(invoice.owner, project, Some(s.category)).await;
        let theirs = fx.annotate(invoice.owner, other, s.total, "9,50").await;
        let theirs = annotations::load(db, &[theirs]).await.unwrap()[0].annotation_set;
        assert_eq!(refusal(choice(s.total, Some(theirs), None).await), pk("annotation_set", theirs));
        let mine = fx.annotate(invoice.owner, d, s.total, "9,50").await;
        let mine = annotations::load(db, &[mine]).await.unwrap()[0].annotation_set;
        assert_eq!(
            refusal(choice(s.total, Some(mine), Some(s.line_item)).await),
            format!(
                "400 label_set: Annotation set {mine} belongs to label set {c}; send one of annotation_set and \
                 label_set."
            )
        );

        let plain = fx.load(fx.document(invoice.owner, project, None).await).await;
        assert_eq!(
            refusal(choose(db, &plain, s.total, None, None).await),
            format!("400 document: Document {} has no category; set one before annotating it.", plain.id)
        );
    }
}

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

#[cfg(test)]
mod tests {
    use lectern_api::documents::DocumentWrite;

    use super::*;
    use crate::domain::annotations;
    use crate::domain::documents::review;
    use crate::testing::{refusal, Fixture, Invoice};

    fn marker(document: i64, label: i64, label_set: i64, annotation_set: Option<i64>) -> MissingAnnotationWrite {
        MissingAnnotationWrite { document, label, label_set, annotation_set }
    }

    #[tokio::test]
    async fn a_label_is_marked_missing_once_and_can_be_restored() {
        let (fx, Invoice { owner, doc, schema: s, .. }) = Fixture::with_invoice().await;
        let db = fx.db();
        let stranger = fx.user("stranger@example.com").await;
        let id = create(db, owner, vec![marker(doc, s.date, s.category, None)]).await.unwrap()[0];
        let found = load(db, &[id]).await.unwrap();
        assert_eq!(
            found,
            [MissingAnnotation { id, document: doc, label: s.date, label_set: s.category, annotation_set: None }]
        );

        let again =
            create(db, owner, vec![marker(doc, s.total, s.category, None), marker(doc, s.date, s.category, None)]);
        assert_eq!(
            refusal(again.await),
            format!("400 label: Label {} is already marked as missing in this annotation set.", s.date)
        );
        let outside = create(db, owner, vec![marker(doc, s.total, s.line_item, None)]).await;
        assert_eq!(refusal(outside), format!("400 label: Label {} is not in label set {}.", s.total, s.line_item));
        let set = fx.annotate(owner, doc, s.total, "9,50").await;
        let set = annotations::load(db, &[set]).await.unwrap()[0].annotation_set;
        let wrong_set = create(db, owner, vec![marker(doc, s.item, s.line_item, Some(set))]).await;
        assert_eq!(refusal(wrong_set), format!("400 annotation_set: Invalid pk \"{set}\" - object does not exist."));
        let theirs = create(db, stranger, vec![marker(doc, s.total, s.category, None)]).await;
        assert_eq!(refusal(theirs), format!("400 document: Invalid pk \"{doc}\" - object does not exist."));
        // Nothing of the refused lists was stored.
        let ids =
            crate::domain::list::find(db, &LIST, annotations::scope(owner), &Default::default()).await.unwrap().ids;
        assert_eq!(ids, [id]);

        assert_eq!(refusal(delete(db, stranger, id).await), "404 Not found.");
        delete(db, owner, id).await.unwrap();
        assert!(load(db, &[id]).await.unwrap().is_empty());
        assert_eq!(refusal(delete(db, owner, id).await), "404 Not found.");
    }

    #[tokio::test]
    async fn a_label_marked_missing_in_a_potential_set_moves_to_the_set_made_for_it() {
        let (fx, Invoice { owner, doc, schema: s, .. }) = Fixture::with_invoice().await;
        let db = fx.db();
        let id = create(db, owner, vec![marker(doc, s.amount, s.line_item, None)]).await.unwrap()[0];
        let pen = fx.annotate(owner, doc, s.item, "Pen").await;
        let set = annotations::load(db, &[pen]).await.unwrap()[0].annotation_set;
        assert_eq!(load(db, &[id]).await.unwrap()[0].annotation_set, Some(set));
        let counts = review::detail(db, fx.load(doc).await).await.unwrap().review_counts;
        assert_eq!((counts.missing, counts.unfilled), (1, 2));
    }

    #[tokio::test]
    async fn a_reviewed_document_keeps_its_markers() {
        let (fx, Invoice { owner, doc, schema: s, .. }) = Fixture::with_invoice().await;
        let db = fx.db();
        let markers = vec![
            marker(doc, s.total, s.category, None),
            marker(doc, s.date, s.category, None),
            marker(doc, s.item, s.line_item, None),
            marker(doc, s.amount, s.line_item, None),
        ];
        let ids = create(db, owner, markers).await.unwrap();
        let finish = DocumentWrite { is_reviewed: Some(true), ..DocumentWrite::default() };
        review::update(db, fx.load(doc).await, finish).await.unwrap();
        let reviewed =
            format!("400 Document {doc} is reviewed; set is_reviewed to false before changing its annotations.");
        assert_eq!(refusal(delete(db, owner, ids[0]).await), reviewed);
        assert_eq!(refusal(create(db, owner, vec![marker(doc, s.item, s.line_item, Some(1))]).await), reviewed);
        assert_eq!(load(db, &ids).await.unwrap().len(), 4);
    }
}

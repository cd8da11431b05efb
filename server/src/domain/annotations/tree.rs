//! The `annotation_sets` tree of a document (§8) and its review counts.

use std::collections::HashMap;

use lectern_api::annotations::{AnnotationNested, AnnotationSet, LabelAnnotations, LabelSetRef, ReviewCounts};
use lectern_api::documents::Document;
use lectern_api::review::State;
use lectern_api::SchemaLabelSet;

use crate::error::Result;

#[derive(sqlx::FromRow)]
struct MissingSlot {
    label_id: i64,
    label_set_id: i64,
    annotation_set_id: Option<i64>,
}

/// The tree of a document and its counts per review state, read through `conn` (the document's lock when a
/// write depends on it) within the frame of the document's label schema. Every label set of the schema
/// appears once per annotation set of the document, or once as a potential set (`id` null) when it has none.
/// Every annotation of the document counts, also one whose label set left the category; the labels count per
/// set of the tree.
pub async fn build(
    conn: &mut sqlx::AnyConnection,
    doc: &Document,
    schema: &[SchemaLabelSet],
) -> Result<(Vec<AnnotationSet>, ReviewCounts)> {
    let annotations = super::of_document(&mut *conn, doc.id).await?;
    let existing: Vec<(i64, i64)> =
        sqlx::query_as("SELECT id, label_set_id FROM annotation_sets WHERE document_id = $1 ORDER BY id")
            .bind(doc.id)
            .fetch_all(&mut *conn)
            .await?;
    let missing: Vec<MissingSlot> = sqlx::query_as(
        "SELECT label_id, label_set_id, annotation_set_id FROM missing_annotations WHERE document_id = $1",
    )
    .bind(doc.id)
    .fetch_all(&mut *conn)
    .await?;
    let states: Vec<State> = annotations.iter().map(|a| a.nested.state()).collect();
    let mut by_slot: HashMap<(i64, i64), Vec<AnnotationNested>> = HashMap::new();
    for a in annotations {
        by_slot.entry((a.annotation_set, a.label.id)).or_default().push(a.nested);
    }
    let mut tree = Vec::new();
    let mut labels = Vec::new();
    for set in schema {
        let mut ids: Vec<Option<i64>> =
            existing.iter().filter(|(_, ls)| *ls == set.id).map(|(id, _)| Some(*id)).collect();
        if ids.is_empty() {
            ids.push(None);
        }
        for set_id in ids {
            let node = AnnotationSet {
                id: set_id,
                label_set: LabelSetRef {
                    id: set.id,
                    name: set.name.clone(),
                    api_name: set.api_name.clone(),
                    description: None,
                    has_multiple_annotation_sets: set.has_multiple_annotation_sets,
                },
                labels: set
                    .labels
                    .iter()
                    .map(|l| LabelAnnotations {
                        id: l.id,
                        name: l.name.clone(),
                        api_name: l.api_name.clone(),
                        description: l.description.clone(),
                        has_multiple_top_candidates: l.has_multiple_top_candidates,
                        annotations: set_id.and_then(|s| by_slot.remove(&(s, l.id))).unwrap_or_default(),
                    })
                    .collect(),
            };
            let marked = |label: i64| {
                missing.iter().any(|m| (m.label_id, m.label_set_id, m.annotation_set_id) == (label, set.id, set_id))
            };
            labels.extend(node.label_states(marked).collect::<Vec<_>>());
            tree.push(node);
        }
    }
    Ok((tree, ReviewCounts::of(states, labels)))
}

#[cfg(test)]
mod tests {
    use lectern_api::annotations::AnnotationWrite;
    use lectern_api::LabelSetWrite;

    use super::*;
    use crate::domain::annotations::write;
    use crate::domain::schema::{categories, label_sets};
    use crate::testing::{annotation, Fixture, Invoice};

    async fn tree_of(fx: &Fixture, invoice: &Invoice) -> (Vec<AnnotationSet>, ReviewCounts) {
        let doc = fx.load(invoice.doc).await;
        let schema = categories::schema(fx.db(), invoice.schema.category).await.unwrap();
        build(&mut fx.db().acquire().await.unwrap(), &doc, &schema).await.unwrap()
    }

    #[tokio::test]
    async fn every_label_set_appears_once_per_annotation_set_or_once_as_a_potential_set() {
        let (fx, invoice) = Fixture::with_invoice().await;
        let (doc, s) = (invoice.doc, invoice.schema);
        let line_item =
            |label, needle| (AnnotationWrite { label_set: Some(s.line_item), ..annotation(doc, label, needle) }, None);
        let ids =
            write::create(&fx.state, Some(invoice.owner), vec![line_item(s.item, "Pen"), line_item(s.item, "Ink")])
                .await
                .unwrap();
        let (tree, counts) = tree_of(&fx, &invoice).await;
        let sets: Vec<(Option<i64>, i64)> = tree.iter().map(|set| (set.id, set.label_set.id)).collect();
        assert_eq!(sets.len(), 3);
        assert_eq!((sets[0], sets[1].1, sets[2].1), ((None, s.category), s.line_item, s.line_item));
        assert!(sets[1].0.is_some() && sets[2].0.is_some() && sets[1].0 != sets[2].0);
        for (set, id) in tree[1..].iter().zip(&ids) {
            let labels: Vec<(i64, Vec<i64>)> =
                set.labels.iter().map(|l| (l.id, l.annotations.iter().map(|a| a.id).collect())).collect();
            assert_eq!(labels, [(s.item, vec![*id]), (s.amount, vec![])]);
        }
        assert_eq!(tree[0].labels.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(), ["Total", "Date"]);
        // Total and Date in the potential set, Amount in each line item.
        assert_eq!((counts.accepted, counts.unfilled, counts.pending), (2, 4, 0));
    }

    #[tokio::test]
    async fn an_annotation_whose_label_set_left_the_category_still_counts() {
        let (fx, invoice) = Fixture::with_invoice().await;
        let s = invoice.schema;
        fx.suggest(invoice.doc, s.item, "Pen").await;
        let set = label_sets::load(fx.db(), &[s.line_item]).await.unwrap().pop().unwrap();
        let unlink = LabelSetWrite { categories: Some(vec![]), ..LabelSetWrite::default() };
        label_sets::update(fx.db(), set, unlink).await.unwrap();
        let (tree, counts) = tree_of(&fx, &invoice).await;
        assert_eq!(tree.iter().map(|set| (set.id, set.label_set.id)).collect::<Vec<_>>(), [(None, s.category)]);
        assert_eq!((counts.pending, counts.unfilled), (1, 2));
    }
}

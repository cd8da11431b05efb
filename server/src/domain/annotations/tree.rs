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

//! Writes to annotations (§12.3–§12.6): create (a person's, or the AI's suggestions), change, delete, accept or
//! decline several at once. Every write runs in the document's lock (`lock`).
//!
//! Choices where the reference is silent: DELETE of an AI suggestion that is not declined yet keeps it as
//! declined (training learns from it); DELETE of a human annotation, or of one already declined, removes it.
//! The SDK's soft delete answers the same id (no copy is made). A new annotation with the same spans and label
//! as a *declined* one replaces the declined one; over any other it is refused with 403. A PATCH writes only
//! the fields sent. A list is stored all or none.

use std::collections::HashMap;
use std::sync::Arc;

use lectern_api::annotations::{AnnotationSpan, AnnotationWrite, BulkUpdate, SpanInput};
use lectern_api::documents::Document;
use lectern_api::geometry::PageBox;
use lectern_api::review::{self, DECLINE};

use super::placement::{self, SetChoice};
use super::spans::{self, Resolved};
use super::{load, lock, writable};
use crate::db::{self, Flag, Json, Tx};
use crate::domain::documents::text::{self, TextIndex};
use crate::domain::{documents, projects};
use crate::error::{Error, Result};
use crate::state::AppState;

pub const DUPLICATE: &str = "In one Project you cannot label the same text twice.";

/// Refuses a second annotation of `label` over the same text (403); a declined one over it is replaced.
async fn check_duplicate(
    tx: &mut Tx,
    document: i64,
    label: i64,
    spans: &[AnnotationSpan],
    except: Option<i64>,
) -> Result<()> {
    let Some(key) = spans::key(spans) else { return Ok(()) };
    // Only annotations that start and end where this one does can hold the same spans: the database narrows
    // them down, so the cost does not grow with the document's other annotations.
    let start = key.iter().map(|k| k.0).min().unwrap_or(0) as i64;
    let end = key.iter().map(|k| k.1).max().unwrap_or(0) as i64;
    let others: Vec<(i64, Json<Vec<AnnotationSpan>>, Flag, Flag)> = sqlx::query_as(
        "SELECT id, spans, is_correct, revised FROM annotations
         WHERE document_id = $1 AND label_id = $2 AND id <> $3 AND start_offset = $4 AND end_offset = $5",
    )
    .bind(document)
    .bind(label)
    .bind(except.unwrap_or(0))
    .bind(start)
    .bind(end)
    .fetch_all(&mut **tx)
    .await?;
    for (id, other, is_correct, revised) in others {
        if spans::key(&other.0).as_ref() == Some(&key) {
            if revised.0 && !is_correct.0 {
                sqlx::query("DELETE FROM annotations WHERE id = $1").bind(id).execute(&mut **tx).await?;
            } else {
                return Err(Error::Forbidden(DUPLICATE.into()));
            }
        }
    }
    Ok(())
}

fn check_confidence(c: Option<f64>) -> Result<Option<f64>> {
    match c {
        Some(v) if !(0.0..=1.0).contains(&v) => {
            Err(Error::field("confidence", "Ensure this value is between 0 and 1."))
        }
        c => Ok(c),
    }
}

/// The drawn rectangle as stored, when it lies on a page of the document.
fn check_bbox(doc: &Document, bbox: Option<&PageBox>) -> Result<Option<String>> {
    let Some(b) = bbox else { return Ok(None) };
    if b.page_index >= doc.number_of_pages || [b.x0, b.x1, b.y0, b.y1].iter().any(|v| !v.is_finite()) {
        return Err(Error::field("selection_bbox", "Expected {x0, x1, y0, y1, page_index} on a page of the document."));
    }
    Ok(Some(serde_json::to_string(b)?))
}

/// An annotation checked against its document, ready to be stored.
struct Prepared {
    write: AnnotationWrite,
    document: i64,
    label: i64,
    choice: SetChoice,
    resolved: Resolved,
    bbox: Option<String>,
    confidence: Option<f64>,
}

async fn prepare(
    state: &AppState,
    user: Option<i64>,
    write: AnnotationWrite,
    indexes: &mut HashMap<i64, Arc<TextIndex>>,
) -> Result<Prepared> {
    let db = &state.db;
    let doc_id = write.document.ok_or_else(|| Error::required("document"))?;
    let label = write.label.ok_or_else(|| Error::required("label"))?;
    let doc = documents::load_one(db, doc_id).await?.ok_or_else(|| Error::no_such("document", doc_id))?;
    if let Some(user) = user {
        if !projects::is_member(db, user, doc.project).await? {
            return Err(Error::no_such("document", doc_id));
        }
    }
    writable(&doc)?;
    let confidence = check_confidence(write.confidence)?;
    let bbox = check_bbox(&doc, write.selection_bbox.as_ref().and_then(Option::as_ref))?;
    // A batch (the AI's suggestions) reads each document's characters once.
    let index = match indexes.entry(doc.id) {
        std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
        std::collections::hash_map::Entry::Vacant(e) => e.insert(text::index(state, doc.id).await?),
    };
    let resolved = spans::resolve(index, &doc, write.span.as_deref().ok_or_else(|| Error::required("span"))?)?;
    let choice = placement::choose(db, &doc, label, write.annotation_set, write.label_set).await?;
    Ok(Prepared { write, document: doc.id, label, choice, resolved, bbox, confidence })
}

/// Stores annotations, all or none: by `user` (a person, checked for membership) or, with `None`, by the AI.
/// Writes that name the same repeating label set and the same `group` share one new annotation set (the AI's
/// line items); without a group, each gets its own. Returns their ids.
pub async fn create(
    state: &AppState,
    user: Option<i64>,
    writes: Vec<(AnnotationWrite, Option<i64>)>,
) -> Result<Vec<i64>> {
    let mut prepared = Vec::new();
    let mut indexes = HashMap::new();
    for (write, group) in writes {
        prepared.push((prepare(state, user, write, &mut indexes).await?, group));
    }
    let documents: Vec<i64> = prepared.iter().map(|(p, _)| p.document).collect();
    let (mut tx, docs) = lock::documents(&state.db, &documents).await?;
    for doc in &docs {
        writable(doc)?;
    }
    let mut ids = Vec::new();
    let mut group_sets: HashMap<(i64, i64, i64), i64> = HashMap::new();
    for (p, group) in prepared {
        let (set, label_set) = match (p.choice, group) {
            (SetChoice::New { label_set }, Some(group)) => {
                let key = (p.document, label_set, group);
                match group_sets.get(&key) {
                    Some(set) => (*set, label_set),
                    None => {
                        let placed = placement::place(&mut tx, p.document, p.choice).await?;
                        group_sets.insert(key, placed.0);
                        placed
                    }
                }
            }
            (choice, _) => placement::place(&mut tx, p.document, choice).await?,
        };
        check_duplicate(&mut tx, p.document, p.label, &p.resolved.spans, None).await?;
        let revised = p.write.revised.unwrap_or(false);
        let now = db::now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO annotations (document_id, annotation_set_id, label_id, label_set_id, spans, selection_bbox,
                start_offset, end_offset, offset_string, offset_string_original, custom_offset_string, confidence,
                is_correct, revised, origin, created_by_id, revised_by_id, metadata, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, CAST($12 AS DOUBLE PRECISION), $13, $14, $15, $16,
                $17, $18, $19, $19)
             RETURNING id",
        )
        .bind(p.document)
        .bind(set)
        .bind(p.label)
        .bind(label_set)
        .bind(serde_json::to_string(&p.resolved.spans)?)
        .bind(p.bbox)
        .bind(p.resolved.start)
        .bind(p.resolved.end)
        .bind(p.resolved.offset_string)
        .bind(p.resolved.offset_string_original)
        .bind(p.resolved.custom)
        // As text: PostgreSQL's driver types a null f64 as FLOAT4, and the statement, prepared once per
        // connection, would then refuse a later f64.
        .bind(p.confidence.map(|c| c.to_string()))
        .bind(p.write.is_correct.unwrap_or(false))
        .bind(revised)
        .bind(p.write.origin.unwrap_or_else(|| "api.v3".into()))
        .bind(user)
        .bind(if revised { user } else { None })
        .bind(p.write.metadata.as_ref().map(serde_json::to_string).transpose()?)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        ids.push(id);
    }
    tx.commit().await?;
    Ok(ids)
}

/// Changes an annotation: accept (`revised`, `is_correct` true), decline (`revised` true, `is_correct` false,
/// also the SDK's soft delete with `annotation_id`), move it to another label or set, or change its spans.
pub async fn update(state: &AppState, user: i64, id: i64, w: AnnotationWrite) -> Result<()> {
    let db = &state.db;
    let (current, doc) = super::visible(db, user, id).await?;
    writable(&doc)?;
    if w.annotation_id.is_some_and(|a| a != id) {
        return Err(Error::field("annotation_id", format!("This is annotation {id}.")));
    }
    if w.document.is_some_and(|d| d != doc.id) {
        return Err(Error::field("document", "An annotation cannot move to another document."));
    }
    // Defaults come from the annotation as read before the lock; only the fields sent are written, so concurrent
    // changes of different fields do not undo each other.
    let label = w.label.unwrap_or(current.label.id);
    let moved = w.label.is_some() || w.label_set.is_some() || w.annotation_set.is_some();
    let choice = if moved {
        let annotation_set = match (w.annotation_set, w.label_set) {
            (Some(s), _) => Some(s),
            (None, Some(ls)) if ls != current.label_set.id => None,
            _ => Some(current.annotation_set),
        };
        Some(placement::choose(db, &doc, label, annotation_set, w.label_set).await?)
    } else {
        None
    };
    let resolved = match &w.span {
        Some(span) => {
            let index = text::index(state, doc.id).await?;
            Some(spans::resolve(&index, &doc, span)?)
        }
        None => None,
    };
    let bbox = match &w.selection_bbox {
        Some(b) => Some(check_bbox(&doc, b.as_ref())?),
        None => None,
    };
    let reviewed = w.is_correct.is_some() || w.revised.is_some();
    let (mut tx, doc) = lock::document(db, doc.id).await?;
    writable(&doc)?;
    let current = load(&mut *tx, &[id]).await?.pop().ok_or(Error::NotFound)?;
    let (set, label_set) = match choice {
        Some(choice) => placement::place(&mut tx, doc.id, choice).await?,
        None => (current.annotation_set, current.label_set.id),
    };
    if w.label.is_some() || resolved.is_some() {
        let spans = resolved.as_ref().map(|r| r.spans.as_slice()).unwrap_or(&current.nested.span);
        check_duplicate(&mut tx, doc.id, label, spans, Some(id)).await?;
    }
    let tail = if resolved.is_some() {
        ", spans = $12, start_offset = $13, end_offset = $14, offset_string = $15, offset_string_original = $16,
            custom_offset_string = $17 WHERE id = $18"
    } else {
        " WHERE id = $12"
    };
    let sql = format!(
        "UPDATE annotations SET label_id = COALESCE($1, label_id), label_set_id = COALESCE($2, label_set_id),
            annotation_set_id = COALESCE($3, annotation_set_id), is_correct = COALESCE($4, is_correct),
            revised = COALESCE($5, revised), selection_bbox = CASE WHEN $6 THEN $7 ELSE selection_bbox END,
            metadata = COALESCE($8, metadata), updated_at = $9,
            revised_by_id = CASE WHEN $10 THEN $11 ELSE revised_by_id END{tail}"
    );
    let mut q = sqlx::query(&sql)
        .bind(moved.then_some(label))
        .bind(moved.then_some(label_set))
        .bind(moved.then_some(set))
        .bind(w.is_correct)
        .bind(w.revised)
        .bind(bbox.is_some())
        .bind(bbox.flatten())
        .bind(w.metadata.as_ref().map(serde_json::to_string).transpose()?)
        .bind(db::now())
        .bind(reviewed)
        .bind(user);
    if let Some(r) = resolved {
        q = q
            .bind(serde_json::to_string(&r.spans)?)
            .bind(r.start)
            .bind(r.end)
            .bind(r.offset_string)
            .bind(r.offset_string_original)
            .bind(r.custom);
    }
    q.bind(id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes an annotation: an AI suggestion not declined yet is kept as declined, anything else is removed.
pub async fn delete(state: &AppState, user: i64, id: i64) -> Result<()> {
    let db = &state.db;
    let (_, doc) = super::visible(db, user, id).await?;
    let (mut tx, doc) = lock::document(db, doc.id).await?;
    writable(&doc)?;
    let current = load(&mut *tx, &[id]).await?.pop().ok_or(Error::NotFound)?;
    let human = current.nested.created_by.is_some() || current.nested.origin != "extraction";
    if review::delete_keeps_as_declined(current.nested.state(), human) {
        let (is_correct, revised) = DECLINE;
        sqlx::query(
            "UPDATE annotations SET is_correct = $1, revised = $2, revised_by_id = $3, updated_at = $4 WHERE id = $5",
        )
        .bind(is_correct)
        .bind(revised)
        .bind(user)
        .bind(db::now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    } else {
        sqlx::query("DELETE FROM annotations WHERE id = $1").bind(id).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Accepts or declines several annotations of a document at once.
pub async fn review_many(state: &AppState, user: i64, document: i64, body: &BulkUpdate) -> Result<()> {
    let db = &state.db;
    documents::visible(db, user, document).await?;
    let (mut tx, doc) = lock::document(db, document).await?;
    writable(&doc)?;
    let found = load(&mut *tx, &body.ids).await?;
    if let Some(missing) =
        body.ids.iter().find(|i| !found.iter().any(|a| a.nested.id == **i && a.nested.document == document))
    {
        return Err(Error::field("ids", format!("Annotation {missing} is not an annotation of document {document}.")));
    }
    for a in &found {
        sqlx::query(
            "UPDATE annotations SET is_correct = COALESCE($1, is_correct), revised = COALESCE($2, revised),
                revised_by_id = $3, updated_at = $4 WHERE id = $5",
        )
        .bind(body.is_correct)
        .bind(body.revised)
        .bind(user)
        .bind(db::now())
        .bind(a.nested.id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// An AI suggestion for a document: a label over the text `[start_offset, end_offset)`.
#[derive(Debug, Clone)]
pub struct Suggestion {
    pub label: i64,
    /// The label set; inferred from the label and the document's category when `None`.
    pub label_set: Option<i64>,
    pub start_offset: usize,
    pub end_offset: usize,
    pub confidence: f64,
    /// Suggestions of a repeating label set with the same group share one annotation set (a line item).
    pub group: Option<i64>,
}

/// Stores AI suggestions: origin `extraction`, no creator, not revised, not correct, with their confidence.
/// The extraction stage and `lectern-server suggest` call this; all are stored or none. Returns their ids.
pub async fn suggest(state: &AppState, document: i64, suggestions: &[Suggestion]) -> Result<Vec<i64>> {
    let writes = suggestions
        .iter()
        .map(|s| {
            let write = AnnotationWrite {
                document: Some(document),
                label: Some(s.label),
                label_set: s.label_set,
                span: Some(vec![SpanInput {
                    start_offset: Some(s.start_offset),
                    end_offset: Some(s.end_offset),
                    ..SpanInput::default()
                }]),
                is_correct: Some(false),
                revised: Some(false),
                confidence: Some(s.confidence),
                origin: Some("extraction".into()),
                ..AnnotationWrite::default()
            };
            (write, s.group)
        })
        .collect();
    create(state, None, writes).await
}

#[cfg(test)]
mod tests {
    use lectern_api::review::{State, ACCEPT};

    use super::*;
    use crate::domain::annotations::of_document;
    use crate::testing::{annotation, offsets, refusal, span, Fixture, Invoice};

    async fn one(state: &AppState, id: i64) -> lectern_api::annotations::Annotation {
        load(&state.db, &[id]).await.unwrap().pop().expect("the annotation exists")
    }

    #[tokio::test]
    async fn one_label_cannot_cover_the_same_text_twice_unless_the_first_was_declined() {
        let (fx, Invoice { owner, doc, schema: s, .. }) = Fixture::with_invoice().await;
        let state = &fx.state;
        fx.annotate(owner, doc, s.total, "9,50").await;
        let again = create(state, Some(owner), vec![(annotation(doc, s.total, "9,50"), None)]).await;
        assert_eq!(refusal(again), format!("403 {DUPLICATE}"));
        // Another label over the same text is another annotation.
        fx.annotate(owner, doc, s.date, "9,50").await;

        let declined = fx.suggest(doc, s.total, "42").await;
        update(state, owner, declined, AnnotationWrite::review(DECLINE)).await.unwrap();
        let replacement = fx.annotate(owner, doc, s.total, "42").await;
        assert!(load(&state.db, &[declined]).await.unwrap().is_empty());
        assert_eq!(one(state, replacement).await.nested.state(), State::CreatedByHuman);
        assert_eq!(of_document(&state.db, doc).await.unwrap().len(), 3);
    }

    #[tokio::test]
    async fn a_list_of_annotations_is_stored_all_or_none() {
        let (fx, Invoice { owner, doc, schema: s, .. }) = Fixture::with_invoice().await;
        let state = &fx.state;
        let good = annotation(doc, s.total, "9,50");
        let bad = AnnotationWrite { confidence: Some(1.5), ..annotation(doc, s.date, "2026-01-31") };
        let refused = create(state, Some(owner), vec![(good.clone(), None), (bad, None)]).await;
        assert_eq!(refusal(refused), "400 confidence: Ensure this value is between 0 and 1.");
        let twice = create(state, Some(owner), vec![(good.clone(), None), (good.clone(), None)]).await;
        assert_eq!(refusal(twice), format!("403 {DUPLICATE}"));
        assert!(of_document(&state.db, doc).await.unwrap().is_empty());
        let ids = create(state, Some(owner), vec![(good, None), (annotation(doc, s.date, "2026-01-31"), None)]);
        assert_eq!(ids.await.unwrap().len(), 2);
    }

    #[tokio::test]
    async fn a_write_names_a_document_of_the_user_and_spans_on_its_pages() {
        let (fx, invoice) = Fixture::with_invoice().await;
        let state = &fx.state;
        let (owner, doc, total) = (invoice.owner, invoice.doc, invoice.schema.total);
        let stranger = fx.user("stranger@example.com").await;
        let create_one = |user, write| create(state, Some(user), vec![(write, None)]);
        let pk = |id: i64| format!("400 document: Invalid pk \"{id}\" - object does not exist.");
        assert_eq!(refusal(create_one(stranger, annotation(doc, total, "9,50")).await), pk(doc));
        assert_eq!(refusal(create_one(owner, annotation(doc + 100, total, "9,50")).await), pk(doc + 100));
        let unlabelled = AnnotationWrite { label: None, ..annotation(doc, total, "9,50") };
        assert_eq!(refusal(create_one(owner, unlabelled).await), "400 label: This field is required.");
        let spanless = AnnotationWrite { span: None, ..annotation(doc, total, "9,50") };
        assert_eq!(refusal(create_one(owner, spanless).await), "400 span: This field is required.");
        let empty = AnnotationWrite {
            span: Some(vec![SpanInput { start_offset: Some(5), end_offset: Some(5), ..SpanInput::default() }]),
            ..annotation(doc, total, "9,50")
        };
        assert_eq!(refusal(create_one(owner, empty).await), "400 span: There is no text between offsets 5 and 5.");
        let off_page = PageBox { x0: 0.0, x1: 1.0, y0: 0.0, y1: 1.0, page_index: 2, offset_string: None };
        let boxed = AnnotationWrite { selection_bbox: Some(Some(off_page)), ..annotation(doc, total, "9,50") };
        assert_eq!(
            refusal(create_one(owner, boxed).await),
            "400 selection_bbox: Expected {x0, x1, y0, y1, page_index} on a page of the document."
        );
        assert!(of_document(&state.db, doc).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn suggestions_of_one_group_share_a_line_item() {
        let (fx, invoice) = Fixture::with_invoice().await;
        let s = invoice.schema;
        let suggestion = |label, needle, group| {
            let (start_offset, end_offset) = offsets(needle);
            let label_set = Some(s.line_item);
            Suggestion { label, label_set, start_offset, end_offset, confidence: 0.5, group: Some(group) }
        };
        let lines = [suggestion(s.item, "Pen", 1), suggestion(s.amount, "2,00", 1), suggestion(s.item, "Ink", 2)];
        let ids = suggest(&fx.state, invoice.doc, &lines).await.unwrap();
        let found = load(fx.db(), &ids).await.unwrap();
        let sets: Vec<i64> = found.iter().map(|a| a.annotation_set).collect();
        assert!(sets[0] == sets[1] && sets[1] != sets[2], "{sets:?}");
        let pen = &found[0].nested;
        assert_eq!((pen.origin.as_str(), pen.created_by.as_deref(), pen.confidence), ("extraction", None, Some(0.5)));
        assert_eq!((pen.offset_string.as_str(), pen.state()), ("Pen", State::FeedbackRequired));
    }

    #[tokio::test]
    async fn an_update_accepts_relabels_moves_and_respans_an_annotation() {
        let (fx, Invoice { owner, doc, schema: s, .. }) = Fixture::with_invoice().await;
        let state = &fx.state;
        let id = fx.suggest(doc, s.total, "42").await;
        update(state, owner, id, AnnotationWrite::review(ACCEPT)).await.unwrap();
        let a = one(state, id).await;
        assert_eq!((a.nested.state(), a.nested.revised_by.as_deref()), (State::Accepted, Some("owner@example.com")));

        update(state, owner, id, AnnotationWrite { label: Some(s.date), ..AnnotationWrite::default() }).await.unwrap();
        let a = one(state, id).await;
        assert_eq!((a.label.id, a.label_set.id, a.nested.state()), (s.date, s.category, State::Accepted));
        let respan = AnnotationWrite { span: Some(vec![span("9,50")]), ..AnnotationWrite::default() };
        update(state, owner, id, respan).await.unwrap();
        let a = one(state, id).await;
        assert_eq!((a.nested.offset_string.as_str(), a.nested.span[0].offsets()), ("9,50", Some(offsets("9,50"))));
        let category_set = a.annotation_set;

        let moved =
            AnnotationWrite { label: Some(s.amount), label_set: Some(s.line_item), ..AnnotationWrite::default() };
        update(state, owner, id, moved).await.unwrap();
        let a = one(state, id).await;
        assert_eq!((a.label.id, a.label_set.id, a.nested.offset_string.as_str()), (s.amount, s.line_item, "9,50"));
        assert_ne!(a.annotation_set, category_set);
    }

    #[tokio::test]
    async fn an_update_is_refused_for_another_document_a_duplicate_or_a_stranger() {
        let (fx, invoice) = Fixture::with_invoice().await;
        let state = &fx.state;
        let (owner, doc, s) = (invoice.owner, invoice.doc, invoice.schema);
        let stranger = fx.user("stranger@example.com").await;
        let id = fx.annotate(owner, doc, s.total, "9,50").await;
        fx.annotate(owner, doc, s.date, "9,50").await;
        let other = fx.document(owner, invoice.project, Some(s.category)).await;
        let refused = |user, w| async move { refusal(update(state, user, id, w).await) };
        let renamed = AnnotationWrite { annotation_id: Some(id + 1), ..AnnotationWrite::default() };
        assert_eq!(refused(owner, renamed).await, format!("400 annotation_id: This is annotation {id}."));
        let elsewhere = AnnotationWrite { document: Some(other), ..AnnotationWrite::default() };
        assert_eq!(refused(owner, elsewhere).await, "400 document: An annotation cannot move to another document.");
        let relabelled = AnnotationWrite { label: Some(s.date), ..AnnotationWrite::default() };
        assert_eq!(refused(owner, relabelled).await, format!("403 {DUPLICATE}"));
        assert_eq!(refused(stranger, AnnotationWrite::review(ACCEPT)).await, "404 Not found.");
        let a = one(state, id).await;
        assert_eq!((a.label.id, a.nested.state()), (s.total, State::CreatedByHuman));
    }

    #[tokio::test]
    async fn deleting_a_suggestion_declines_it_and_deleting_it_again_removes_it() {
        let (fx, Invoice { owner, doc, schema: s, .. }) = Fixture::with_invoice().await;
        let state = &fx.state;
        let stranger = fx.user("stranger@example.com").await;
        let suggestion = fx.suggest(doc, s.total, "9,50").await;
        assert_eq!(refusal(delete(state, stranger, suggestion).await), "404 Not found.");
        delete(state, owner, suggestion).await.unwrap();
        let a = one(state, suggestion).await;
        assert_eq!((a.nested.state(), a.nested.revised_by.as_deref()), (State::Declined, Some("owner@example.com")));
        delete(state, owner, suggestion).await.unwrap();
        assert!(load(&state.db, &[suggestion]).await.unwrap().is_empty());

        let mine = fx.annotate(owner, doc, s.date, "2026-01-31").await;
        delete(state, owner, mine).await.unwrap();
        assert!(load(&state.db, &[mine]).await.unwrap().is_empty());
        assert_eq!(refusal(delete(state, owner, mine).await), "404 Not found.");
    }

    #[tokio::test]
    async fn several_annotations_of_a_document_are_accepted_at_once() {
        let (fx, invoice) = Fixture::with_invoice().await;
        let state = &fx.state;
        let (owner, doc, s) = (invoice.owner, invoice.doc, invoice.schema);
        let stranger = fx.user("stranger@example.com").await;
        let ids = vec![fx.suggest(doc, s.total, "9,50").await, fx.suggest(doc, s.date, "2026-01-31").await];
        let other = fx.document(owner, invoice.project, Some(s.category)).await;
        let elsewhere = fx.suggest(other, s.total, "9,50").await;
        let accept = |ids: Vec<i64>| BulkUpdate { ids, is_correct: Some(true), revised: Some(true) };

        let mixed = review_many(state, owner, doc, &accept(vec![ids[0], elsewhere])).await;
        let message = format!("400 ids: Annotation {elsewhere} is not an annotation of document {doc}.");
        assert_eq!(refusal(mixed), message);
        assert_eq!(refusal(review_many(state, stranger, doc, &accept(ids.clone())).await), "404 Not found.");
        assert_eq!(one(state, ids[0]).await.nested.state(), State::FeedbackRequired);

        review_many(state, owner, doc, &accept(ids.clone())).await.unwrap();
        for id in ids {
            assert_eq!(one(state, id).await.nested.state(), State::Accepted);
        }
        assert_eq!(one(state, elsewhere).await.nested.state(), State::FeedbackRequired);
    }
}

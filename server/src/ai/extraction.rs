//! The extraction AI in the server: training (on a category's training documents, evaluated on its test
//! documents) and extraction of a processed document.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::bail;
use lectern_api::ais::{status, Evaluation};
use lectern_api::review::State;

use super::evaluate::{evaluate, Sample};
use super::group::{group, LabelRule, Schema, Suggestion};
use super::model::{self, Example, Model};
use super::{forest, Annotation, Document, TEST_DOCUMENTS, TRAINING_DOCUMENTS};
use crate::domain::ais::{self, AiKind};
use crate::domain::annotations::{self, write};
use crate::domain::documents::processing::{self, Owner};
use crate::domain::schema::categories;
use crate::state::AppState;

const KIND: AiKind = AiKind::Extraction;

/// The forest the server trains.
pub fn params() -> forest::Params {
    forest::Params { trees: 32, ..forest::Params::default() }
}

/// A processed document with its reviewed annotations: accepted and human-made ones are correct; declined
/// ones are negatives; suggestions nobody reviewed yet are left out.
pub struct Loaded {
    pub doc: Document,
    pub correct: Vec<Annotation>,
    pub declined: Vec<Annotation>,
}

/// The document's text, boxes and page sizes; `None` before it has been processed.
async fn read_document(state: &AppState, id: i64) -> anyhow::Result<Option<Document>> {
    let Some((text, chars, pages)) = processing::text_and_boxes(state, id).await? else { return Ok(None) };
    Ok(Some(Document::new(text, chars.into_iter().collect(), pages)))
}

pub async fn load(state: &AppState, id: i64) -> anyhow::Result<Option<Loaded>> {
    let Some(doc) = read_document(state, id).await? else { return Ok(None) };
    let (mut correct, mut declined) = (Vec::new(), Vec::new());
    for a in annotations::on_text(&state.db, id).await? {
        let annotation = Annotation {
            label: a.label_id,
            label_set: a.label_set_id,
            group: a.annotation_set_id,
            start: a.start_offset as usize,
            end: a.end_offset as usize,
        };
        match a.state() {
            State::Accepted | State::CreatedByHuman => correct.push(annotation),
            State::Declined => declined.push(annotation),
            State::FeedbackRequired => {}
        }
    }
    Ok(Some(Loaded { doc, correct, declined }))
}

/// The processed documents of a category with this `dataset_status`.
async fn documents(state: &AppState, category: i64, dataset_status: i64) -> anyhow::Result<Vec<Loaded>> {
    let mut out = Vec::new();
    for doc in processing::dataset(&state.db, Owner::Category(category), dataset_status).await? {
        out.extend(load(state, doc.id).await?);
    }
    Ok(out)
}

/// The grouping rules of a category's labels and label sets.
pub async fn schema(state: &AppState, category: i64) -> anyhow::Result<Schema> {
    let mut schema = Schema::default();
    for set in categories::schema(&state.db, category).await? {
        schema.repeating.insert(set.id, set.has_multiple_annotation_sets);
        for label in set.labels {
            let rule =
                LabelRule { threshold: label.threshold, multiple_top_candidates: label.has_multiple_top_candidates };
            schema.labels.insert(label.id, rule);
        }
    }
    Ok(schema)
}

/// The grouped suggestions of `model` for a document.
pub fn suggest(model: &Model, doc: &Document, schema: &Schema) -> Vec<Suggestion> {
    group(model.predict(doc), schema)
}

/// Runs the category's active AI, if any, on a processed document and stores its suggestions; returns how many
/// it stored. Suggestions over text that already carries an annotation (a document processed again) are left
/// out.
pub async fn extract(state: &AppState, document: i64, category: i64) -> anyhow::Result<usize> {
    let Some(model) = super::active_model::<Model>(state, KIND, category).await? else { return Ok(0) };
    let Some(doc) = read_document(state, document).await? else { return Ok(0) };
    let schema = schema(state, category).await?;
    let suggestions = tokio::task::spawn_blocking(move || suggest(&model, &doc, &schema)).await?;
    let taken: Vec<(i64, i64)> =
        annotations::on_text(&state.db, document).await?.iter().map(|a| (a.start_offset, a.end_offset)).collect();
    let free = |s: &Suggestion| {
        taken.iter().all(|(start, end)| (s.annotation.end as i64) <= *start || *end <= s.annotation.start as i64)
    };
    let stored = write::suggest(state, document, &to_store(suggestions.into_iter().filter(free).collect())).await?;
    Ok(stored.len())
}

/// The suggestions as `write::suggest` takes them: each names its label set, and its group becomes the
/// annotation set it shares with the others of that group (one per line item of a repeating label set).
fn to_store(suggestions: Vec<Suggestion>) -> Vec<write::Suggestion> {
    suggestions
        .into_iter()
        .map(|s| write::Suggestion {
            label: s.annotation.label,
            label_set: Some(s.annotation.label_set),
            start_offset: s.annotation.start,
            end_offset: s.annotation.end,
            confidence: s.confidence,
            group: Some(s.annotation.group),
        })
        .collect()
}

/// Trains the extraction AI `ai` of `category`, evaluates it on the category's test documents and activates
/// it when it is better than the active one.
pub async fn train(state: &AppState, ai: i64, category: i64) -> anyhow::Result<()> {
    let db = &state.db;
    let training = documents(state, category, TRAINING_DOCUMENTS).await?;
    if training.is_empty() {
        bail!("Category {category} has no processed training documents (dataset_status 2).");
    }
    let test = documents(state, category, TEST_DOCUMENTS).await?;
    ais::set_document_counts(db, ai, training.len(), test.len()).await?;
    let annotated_tests = test.iter().filter(|l| !l.correct.is_empty()).count() as u64;

    // Training runs on a blocking thread (and rayon's pool); its progress reaches the row twice a second.
    let done = Arc::new(AtomicU32::new(0));
    let mut task = {
        let done = done.clone();
        tokio::task::spawn_blocking(move || {
            let examples: Vec<Example> =
                training.iter().map(|l| Example { doc: &l.doc, correct: &l.correct, declined: &l.declined }).collect();
            model::train(&examples, &params(), &|share| done.store((share * 1000.0) as u32, Ordering::Relaxed))
        })
    };
    let model = loop {
        tokio::select! {
            result = &mut task => break result??,
            _ = tokio::time::sleep(Duration::from_millis(500)) => {
                // Training is 90% of the work, the evaluation the rest.
                let share = 0.9 * done.load(Ordering::Relaxed) as f64 / 1000.0;
                ais::set_status(db, ai, status::TRAINING, share).await?;
            }
        }
    };
    let key = super::store_model(state, KIND, ai, &model).await?;

    let schema = schema(state, category).await?;
    let evaluation = tokio::task::spawn_blocking(move || evaluate_on(&model, &test, &schema)).await?;
    let trained = ais::Trained { ai, key, evaluation: &evaluation, tested: annotated_tests };
    ais::activate(db, KIND, category, trained, |e: &Evaluation| e.strict.overall.f1).await?;
    Ok(())
}

/// Scores of the model's grouped suggestions against the correct annotations of the test documents.
pub fn evaluate_on(model: &Model, test: &[Loaded], schema: &Schema) -> Evaluation {
    let predicted: Vec<Vec<Annotation>> =
        test.iter().map(|l| suggest(model, &l.doc, schema).into_iter().map(|s| s.annotation).collect()).collect();
    let samples: Vec<Sample> =
        test.iter().zip(&predicted).map(|(l, p)| Sample { truth: &l.correct, predicted: p }).collect();
    evaluate(&samples)
}

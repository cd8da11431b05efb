//! The extraction AI in the server: the training job (train on a category's training documents, evaluate on
//! its test documents, activate when better than the active AI) and extraction of a processed document.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use lectern_api::ais::{status, Evaluation};
use lectern_api::geometry::CharBox;
use sqlx::Row;

use super::evaluate::{evaluate, Sample};
use super::group::{group, LabelRule, Schema, Suggestion};
use super::model::{self, Example, Model};
use super::{forest, Annotation, Document};
use crate::db;
use crate::http::AppState;
use crate::review;

/// `dataset_status` of training and of test documents.
pub const TRAINING_DOCUMENTS: i64 = 2;
pub const TEST_DOCUMENTS: i64 = 3;
const TABLE: &str = EXTRACTION.table;

/// The forest the server trains.
pub fn params() -> forest::Params {
    forest::Params { trees: 32, ..forest::Params::default() }
}

pub fn model_key(ai: i64) -> String {
    format!("ais/extraction/{ai}/model.json")
}

/// A processed document with its reviewed annotations: accepted and human-made ones are correct; declined
/// ones are negatives; suggestions nobody reviewed yet are left out.
pub struct Loaded {
    pub doc: Document,
    pub correct: Vec<Annotation>,
    pub declined: Vec<Annotation>,
}

/// Reads the stored `{"bbox": {"<offset>": CharBox}}` file.
fn char_boxes(json: &[u8]) -> anyhow::Result<Vec<(usize, CharBox)>> {
    #[derive(serde::Deserialize)]
    struct File {
        bbox: BTreeMap<String, CharBox>,
    }
    let file: File = serde_json::from_slice(json)?;
    file.bbox.into_iter().map(|(k, v)| Ok((k.parse::<usize>()?, v))).collect()
}

/// The document's text, boxes and page sizes; `None` before it has been processed.
async fn read_document(state: &AppState, id: i64) -> anyhow::Result<Option<Document>> {
    let row = sqlx::query("SELECT text, bbox_key FROM documents WHERE id = $1").bind(id).fetch_one(&state.db).await?;
    let (Some(text), Some(bbox_key)) = (row.get::<Option<String>, _>("text"), row.get::<Option<String>, _>("bbox_key"))
    else {
        return Ok(None);
    };
    let chars = char_boxes(&state.storage.get(&bbox_key).await?)?;
    let pages = sqlx::query("SELECT width, height FROM pages WHERE document_id = $1 ORDER BY number")
        .bind(id)
        .fetch_all(&state.db)
        .await?
        .iter()
        .map(|r| [r.get("width"), r.get("height")])
        .collect();
    Ok(Some(Document::new(text, chars, pages)))
}

pub async fn load(state: &AppState, id: i64) -> anyhow::Result<Option<Loaded>> {
    let Some(doc) = read_document(state, id).await? else { return Ok(None) };
    let rows = sqlx::query(
        "SELECT label_id, label_set_id, annotation_set_id, start_offset, end_offset, is_correct, revised, created_by_id
         FROM annotations WHERE document_id = $1 AND start_offset IS NOT NULL ORDER BY id",
    )
    .bind(id)
    .fetch_all(&state.db)
    .await?;
    let (mut correct, mut declined) = (Vec::new(), Vec::new());
    for r in &rows {
        let annotation = Annotation {
            label: r.get("label_id"),
            label_set: r.get("label_set_id"),
            group: r.get("annotation_set_id"),
            start: r.get::<i64, _>("start_offset") as usize,
            end: r.get::<i64, _>("end_offset") as usize,
        };
        let human = r.get::<Option<i64>, _>("created_by_id").is_some();
        match review::state(db::flag(r, "is_correct"), db::flag(r, "revised"), human) {
            review::State::Accepted | review::State::CreatedByHuman => correct.push(annotation),
            review::State::Declined => declined.push(annotation),
            review::State::FeedbackRequired => {}
        }
    }
    Ok(Some(Loaded { doc, correct, declined }))
}

/// The processed documents of a category with this `dataset_status`.
async fn documents(state: &AppState, category: i64, dataset_status: i64) -> anyhow::Result<Vec<Loaded>> {
    let rows = sqlx::query("SELECT id FROM documents WHERE category_id = $1 AND dataset_status = $2 ORDER BY id")
        .bind(category)
        .bind(dataset_status)
        .fetch_all(&state.db)
        .await?;
    let mut out = Vec::new();
    for id in db::ids(&rows) {
        out.extend(load(state, id).await?);
    }
    Ok(out)
}

/// The grouping rules of a category's labels and label sets.
pub async fn schema(state: &AppState, category: i64) -> anyhow::Result<Schema> {
    let mut schema = Schema::default();
    for set in crate::http::categories::schema(&state.db, category).await.map_err(|e| anyhow::anyhow!("{e}"))? {
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

/// Runs the category's active AI, if any, on a processed document and stores its suggestions through
/// `review::store_suggestions`; returns how many it stored. Suggestions over text that already carries an
/// annotation (a document processed again) are left out.
pub async fn extract(state: &AppState, document: i64, category: i64) -> anyhow::Result<usize> {
    let active =
        sqlx::query("SELECT model_key FROM extraction_ais WHERE category_id = $1 AND active = $2 ORDER BY id DESC")
            .bind(category)
            .bind(true)
            .fetch_optional(&state.db)
            .await?;
    let Some(key) = active.and_then(|r| r.get::<Option<String>, _>("model_key")) else { return Ok(0) };
    let Some(doc) = read_document(state, document).await? else { return Ok(0) };
    let model = Model::from_bytes(&state.storage.get(&key).await?)?;
    let schema = schema(state, category).await?;
    let suggestions = tokio::task::spawn_blocking(move || suggest(&model, &doc, &schema)).await?;
    let taken: Vec<(i64, i64)> = sqlx::query(
        "SELECT start_offset, end_offset FROM annotations WHERE document_id = $1 AND start_offset IS NOT NULL",
    )
    .bind(document)
    .fetch_all(&state.db)
    .await?
    .iter()
    .map(|r| (r.get("start_offset"), r.get("end_offset")))
    .collect();
    let free = |s: &Suggestion| {
        taken.iter().all(|(start, end)| (s.annotation.end as i64) <= *start || *end <= s.annotation.start as i64)
    };
    let stored = review::store_suggestions(state, document, &to_store(suggestions.into_iter().filter(free).collect()))
        .await
        .map_err(|e| anyhow::anyhow!("storing suggestions: {e}"))?;
    Ok(stored.len())
}

/// The suggestions as `store_suggestions` takes them: each names its label set, and its group becomes the
/// annotation set it shares with the others of that group (one per line item of a repeating label set).
fn to_store(suggestions: Vec<Suggestion>) -> Vec<review::Suggestion> {
    suggestions
        .into_iter()
        .map(|s| review::Suggestion {
            label: s.annotation.label,
            label_set: Some(s.annotation.label_set),
            start_offset: s.annotation.start,
            end_offset: s.annotation.end,
            confidence: s.confidence,
            group: Some(s.annotation.group),
        })
        .collect()
}

/// Whether a new AI of `kind` with `score` replaces the `active` one of its owner (its id and score), and why.
pub fn decide(score: f64, active: Option<(i64, f64)>, kind: &AiKind) -> (bool, String) {
    let (metric, scope) = (kind.metric, kind.scope);
    match active {
        None => (true, format!("Activated: no AI of {scope} was active ({metric} {score:.3}).")),
        Some((id, old)) if score > old => {
            (true, format!("Activated: {metric} {score:.3} beats {old:.3} of AI {id}, which it replaces."))
        }
        Some((id, old)) => {
            (false, format!("Not activated: {metric} {score:.3} does not beat {old:.3} of the active AI {id}."))
        }
    }
}

/// Sets the status and progress of the AI `ai` in `table` (`extraction_ais` or `category_ais`).
pub async fn set_status(state: &AppState, table: &str, ai: i64, status: &str, progress: f64) -> sqlx::Result<()> {
    sqlx::query(&format!("UPDATE {table} SET status = $1, progress = $2, updated_at = $3 WHERE id = $4"))
        .bind(status)
        .bind(progress)
        .bind(db::now())
        .bind(ai)
        .execute(&state.db)
        .await?;
    Ok(())
}

/// Records how many training and test documents the AI `ai` in `table` learns from and is evaluated on.
pub async fn set_document_counts(
    state: &AppState,
    table: &str,
    ai: i64,
    training: usize,
    test: usize,
) -> sqlx::Result<()> {
    sqlx::query(&format!("UPDATE {table} SET training_documents = $1, test_documents = $2 WHERE id = $3"))
        .bind(training as i64)
        .bind(test as i64)
        .bind(ai)
        .execute(&state.db)
        .await?;
    Ok(())
}

/// Runs the training job of the AI named by the payload `{"ai": id}` in `table`: `train` gets the AI and the
/// value of its `owner` column (its category or project). What goes wrong ends the AI as `failed` with the
/// reason; the job itself is then done (training again is a new AI).
pub async fn run_training<F, Fut>(
    state: &AppState,
    payload: &str,
    table: &str,
    owner: &str,
    train: F,
) -> anyhow::Result<()>
where
    F: FnOnce(i64, i64) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let payload: serde_json::Value = serde_json::from_str(payload)?;
    let ai = payload["ai"].as_i64().context("the job names no AI")?;
    let sql = format!("SELECT {owner} AS owner FROM {table} WHERE id = $1");
    let Some(row) = sqlx::query(&sql).bind(ai).fetch_optional(&state.db).await? else {
        return Ok(()); // deleted while queued
    };
    if let Err(e) = train(ai, row.get("owner")).await {
        tracing::warn!(ai, table, error = %format!("{e:#}"), "AI training failed");
        sqlx::query(&format!("UPDATE {table} SET status = $1, error = $2, updated_at = $3 WHERE id = $4"))
            .bind(status::FAILED)
            .bind(format!("{e:#}"))
            .bind(db::now())
            .bind(ai)
            .execute(&state.db)
            .await?;
    }
    Ok(())
}

/// The job: trains the extraction AI of the payload `{"ai": id}`.
pub async fn train_job(state: &AppState, payload: &str) -> anyhow::Result<()> {
    run_training(state, payload, TABLE, EXTRACTION.owner, |ai, category| train(state, ai, category)).await
}

async fn train(state: &AppState, ai: i64, category: i64) -> anyhow::Result<()> {
    set_status(state, TABLE, ai, status::TRAINING, 0.0).await?;
    let training = documents(state, category, TRAINING_DOCUMENTS).await?;
    if training.is_empty() {
        bail!("Category {category} has no processed training documents (dataset_status 2).");
    }
    let test = documents(state, category, TEST_DOCUMENTS).await?;
    set_document_counts(state, TABLE, ai, training.len(), test.len()).await?;

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
                set_status(state, TABLE, ai, status::TRAINING, share).await?;
            }
        }
    };
    let key = model_key(ai);
    state.storage.put(&key, model.to_bytes()).await?;
    set_status(state, TABLE, ai, status::TRAINING, 0.9).await?;

    let schema = schema(state, category).await?;
    let evaluation = tokio::task::spawn_blocking(move || evaluate_on(&model, &test, &schema)).await?;

    activate(state, &EXTRACTION, category, ai, key, &evaluation, |e: &Evaluation| e.strict.overall.f1).await
}

/// What AIs of one kind are kept in and compared by.
pub struct AiKind {
    pub table: &'static str,
    /// The column naming what an AI belongs to; one AI per owner is active.
    pub owner: &'static str,
    pub metric: &'static str,
    pub scope: &'static str,
}

pub const EXTRACTION: AiKind =
    AiKind { table: "extraction_ais", owner: "category_id", metric: "strict F1", scope: "the category" };

/// Stores a trained AI's evaluation and model and makes it the owner's active AI if its `score` beats the
/// active one's (or none is active), with the reason. It starts with a write: that takes SQLite's write lock
/// and locks the owner's AIs on PostgreSQL, so two activations run one after the other and each sees the
/// other's outcome.
pub async fn activate<E: serde::Serialize + serde::de::DeserializeOwned>(
    state: &AppState,
    kind: &AiKind,
    owner: i64,
    ai: i64,
    key: String,
    evaluation: &E,
    score: impl Fn(&E) -> f64,
) -> anyhow::Result<()> {
    let (table, column) = (kind.table, kind.owner);
    let mut tx = state.db.begin().await?;
    sqlx::query(&format!("UPDATE {table} SET updated_at = $1 WHERE {column} = $2"))
        .bind(db::now())
        .bind(owner)
        .execute(&mut *tx)
        .await?;
    let active =
        sqlx::query(&format!("SELECT id, evaluation FROM {table} WHERE {column} = $1 AND active = $2 AND id <> $3"))
            .bind(owner)
            .bind(true)
            .bind(ai)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| {
                let old: Option<E> =
                    r.get::<Option<String>, _>("evaluation").and_then(|e| serde_json::from_str(&e).ok());
                (r.get::<i64, _>("id"), old.map_or(0.0, |e| score(&e)))
            });
    let (activate, reason) = decide(score(evaluation), active, kind);
    if activate {
        sqlx::query(&format!("UPDATE {table} SET active = $1 WHERE {column} = $2"))
            .bind(false)
            .bind(owner)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(&format!(
        "UPDATE {table} SET status = $1, progress = 1, error = NULL, active = $2, activation = $3, evaluation = $4,
            model_key = $5, updated_at = $6 WHERE id = $7"
    ))
    .bind(status::DONE)
    .bind(activate)
    .bind(reason)
    .bind(serde_json::to_string(evaluation)?)
    .bind(key)
    .bind(db::now())
    .bind(ai)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_better_ai_takes_over() {
        let decide = |f1, active| decide(f1, active, &EXTRACTION);
        assert!(decide(0.2, None).0);
        let (better, why) = decide(0.9, Some((4, 0.8)));
        assert!(better && why.contains("AI 4"), "{why}");
        let (equal, why) = decide(0.8, Some((4, 0.8)));
        assert!(!equal && why.starts_with("Not activated"), "{why}");
        assert!(!decide(0.1, Some((4, 0.8))).0);
    }

    #[test]
    fn reads_the_bbox_file() {
        let json = br#"{"bbox": {"2": {"x0": 1, "x1": 2, "y0": 3, "y1": 4, "top": 5, "bottom": 6, "page_index": 0,
            "page_number": 1, "line_index": 0, "text": "a"}}}"#;
        let chars = char_boxes(json).unwrap();
        assert_eq!((chars[0].0, chars[0].1.text.as_str()), (2, "a"));
        assert!(char_boxes(br#"{"bbox": {"x": {}}}"#).is_err());
    }
}

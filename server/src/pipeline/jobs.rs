//! The durable job queue: jobs are rows, claimed by workers with a heartbeat; a running job whose heartbeat
//! went stale (its worker died) is claimed again, so nothing queued is lost across restarts.

use std::time::Duration;

use sqlx::Row;

use crate::db::{self, Db};
use crate::http::AppState;

/// Process an uploaded document: text and boxes, OCR, images, categorization, extraction.
pub const PROCESS: &str = "process";
/// Tell the document's `callback_url` that processing has ended.
pub const WEBHOOK: &str = "webhook";
/// Train, evaluate and maybe activate the extraction AI named by the payload `{"ai": id}`.
pub const TRAIN_EXTRACTION_AI: &str = "train-extraction-ai";
/// Train, evaluate and maybe activate the categorization AI named by the payload `{"ai": id}`.
pub const TRAIN_CATEGORY_AI: &str = "train-category-ai";
/// Train, evaluate and maybe activate the splitting AI named by the payload `{"ai": id}`.
pub const TRAIN_SPLITTING_AI: &str = "train-splitting-ai";

/// Attempts before a job that keeps failing is given up.
const MAX_ATTEMPTS: i64 = 5;

#[derive(Debug, Clone)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub document_id: Option<i64>,
    pub attempts: i64,
    /// JSON with what a job about no document works on.
    pub payload: String,
}

pub async fn enqueue(tx: &mut sqlx::Transaction<'_, sqlx::Any>, kind: &str, document: i64) -> sqlx::Result<()> {
    let now = db::now();
    sqlx::query("INSERT INTO jobs (kind, document_id, run_after, created_at, updated_at) VALUES ($1, $2, $3, $3, $3)")
        .bind(kind)
        .bind(document)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Queues a job that is about no document, with its `payload`.
pub async fn enqueue_payload(tx: &mut sqlx::Transaction<'_, sqlx::Any>, kind: &str, payload: &serde_json::Value) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO jobs (kind, payload, run_after, created_at, updated_at) VALUES ($1, $2, $3, $3, $3)")
        .bind(kind)
        .bind(payload.to_string())
        .bind(db::now())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn ago(d: Duration) -> String {
    db::format_time(time::OffsetDateTime::now_utc() - d)
}

/// Takes the oldest job that is due, or one whose worker stopped reporting.
pub async fn claim(db: &Db, worker: &str, stale: Duration) -> sqlx::Result<Option<Job>> {
    let lock = if db::is_postgres(db) { "FOR UPDATE SKIP LOCKED" } else { "" };
    let sql = format!(
        "UPDATE jobs SET status = 'running', worker = $1, heartbeat_at = $2, attempts = attempts + 1, updated_at = $2
         WHERE id = (SELECT id FROM jobs
                     WHERE (status = 'queued' AND run_after <= $2) OR (status = 'running' AND heartbeat_at < $3)
                     ORDER BY id LIMIT 1 {lock})
         RETURNING id, kind, document_id, attempts, payload"
    );
    let row = sqlx::query(&sql).bind(worker).bind(db::now()).bind(ago(stale)).fetch_optional(db).await?;
    Ok(row.map(|r| Job { id: r.get("id"), kind: r.get("kind"), document_id: r.get("document_id"), attempts: r.get("attempts"), payload: r.get("payload") }))
}

async fn heartbeat(db: &Db, job: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE jobs SET heartbeat_at = $1 WHERE id = $2").bind(db::now()).bind(job).execute(db).await?;
    Ok(())
}

async fn finish(db: &Db, job: &Job, outcome: &anyhow::Result<()>) -> sqlx::Result<()> {
    match outcome {
        Ok(()) => {
            sqlx::query("UPDATE jobs SET status = 'done', error = NULL, updated_at = $1 WHERE id = $2")
                .bind(db::now())
                .bind(job.id)
                .execute(db)
                .await?;
        }
        Err(e) => {
            let give_up = job.attempts >= MAX_ATTEMPTS;
            let backoff = Duration::from_secs(2u64.pow(job.attempts.clamp(0, 8) as u32));
            let run_after = db::format_time(time::OffsetDateTime::now_utc() + backoff);
            sqlx::query("UPDATE jobs SET status = $1, error = $2, run_after = $3, updated_at = $4 WHERE id = $5")
                .bind(if give_up { "failed" } else { "queued" })
                .bind(format!("{e:#}"))
                .bind(run_after)
                .bind(db::now())
                .bind(job.id)
                .execute(db)
                .await?;
        }
    }
    Ok(())
}

/// Runs jobs until the process ends: waits for a wake-up or polls every second when idle.
pub async fn work(state: AppState, worker: String) {
    let stale = Duration::from_secs(state.config.job_stale_secs.max(1));
    loop {
        let job = match claim(&state.db, &worker, stale).await {
            Ok(job) => job,
            Err(e) => {
                tracing::error!(error = %e, "could not claim a job");
                None
            }
        };
        let Some(job) = job else {
            let _ = tokio::time::timeout(Duration::from_secs(1), state.jobs_queued.notified()).await;
            continue;
        };
        tracing::info!(job = job.id, kind = %job.kind, document = ?job.document_id, attempt = job.attempts, "job started");
        let beat = {
            let db = state.db.clone();
            let id = job.id;
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(stale / 4).await;
                    let _ = heartbeat(&db, id).await;
                }
            })
        };
        let outcome = super::run(&state, &job).await;
        beat.abort();
        if let Err(e) = &outcome {
            tracing::warn!(job = job.id, error = %format!("{e:#}"), "job failed");
        }
        if let Err(e) = finish(&state.db, &job, &outcome).await {
            tracing::error!(job = job.id, error = %e, "could not record the job's end");
        }
    }
}

/// Starts `count` workers in this process.
pub fn spawn_workers(state: &AppState, count: usize) {
    let host = std::process::id();
    for n in 0..count {
        tokio::spawn(work(state.clone(), format!("{host}-{n}")));
    }
}

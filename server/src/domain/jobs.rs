//! The durable job queue: jobs are rows, claimed by workers with a heartbeat; a running job whose heartbeat
//! went stale (its worker died) is claimed again, so nothing queued is lost across restarts.

use std::time::Duration;

use crate::db::{self, Db, Tx};
use crate::domain::ais::kind::AiKind;

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Process an uploaded document: text and boxes, OCR, images, categorization, extraction.
    Process,
    /// Tell the document's `callback_url` that processing has ended.
    Webhook,
    /// Train, evaluate and maybe activate the AI named by the job's `ai`.
    Train(AiKind),
}

impl Kind {
    const ALL: [Kind; 5] = [
        Kind::Process,
        Kind::Webhook,
        Kind::Train(AiKind::Extraction),
        Kind::Train(AiKind::Categorization),
        Kind::Train(AiKind::Splitting),
    ];

    /// The name stored in the `kind` column.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Process => "process",
            Kind::Webhook => "webhook",
            Kind::Train(AiKind::Extraction) => "train-extraction-ai",
            Kind::Train(AiKind::Categorization) => "train-category-ai",
            Kind::Train(AiKind::Splitting) => "train-splitting-ai",
        }
    }

    fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// Attempts before a job that keeps failing is given up.
const MAX_ATTEMPTS: i64 = 5;

#[derive(Debug, Clone)]
pub struct Job {
    pub id: i64,
    /// `None` for a kind this version does not know (a newer server queued it).
    pub kind: Option<Kind>,
    pub kind_name: String,
    pub document: Option<i64>,
    pub attempts: i64,
    /// The AI a training job trains.
    pub ai: Option<i64>,
}

/// What a job about no document works on, stored as JSON.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct Payload {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ai: Option<i64>,
}

/// Queues a job about a document, or (with `ai`) the training of an AI.
pub async fn enqueue(tx: &mut Tx, kind: Kind, document: Option<i64>, ai: Option<i64>) -> sqlx::Result<()> {
    let payload = serde_json::to_string(&Payload { ai }).expect("a payload serialises");
    sqlx::query(
        "INSERT INTO jobs (kind, document_id, payload, run_after, created_at, updated_at) VALUES ($1, $2, $3, $4, $4, $4)",
    )
    .bind(kind.name())
    .bind(document)
    .bind(payload)
    .bind(db::now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn ago(d: Duration) -> String {
    db::format_time(time::OffsetDateTime::now_utc() - d)
}

#[derive(sqlx::FromRow)]
struct JobRow {
    id: i64,
    kind: String,
    document_id: Option<i64>,
    attempts: i64,
    payload: String,
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
    let row: Option<JobRow> =
        sqlx::query_as(&sql).bind(worker).bind(db::now()).bind(ago(stale)).fetch_optional(db).await?;
    Ok(row.map(|r| Job {
        id: r.id,
        kind: Kind::from_name(&r.kind),
        kind_name: r.kind,
        document: r.document_id,
        attempts: r.attempts,
        // A payload that does not read names no AI; the job then fails with that reason.
        ai: serde_json::from_str::<Payload>(&r.payload).ok().and_then(|p| p.ai),
    }))
}

pub async fn heartbeat(db: &Db, job: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE jobs SET heartbeat_at = $1 WHERE id = $2").bind(db::now()).bind(job).execute(db).await?;
    Ok(())
}

/// Records a job's end: done, or failed and queued again after a backoff until it has failed too often.
pub async fn finish(db: &Db, job: &Job, outcome: &anyhow::Result<()>) -> sqlx::Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_stored_by_name() {
        for kind in Kind::ALL {
            assert_eq!(Kind::from_name(kind.name()), Some(kind));
        }
        assert_eq!(Kind::from_name("reticulate"), None);
        assert_eq!(Kind::Train(AiKind::Categorization).name(), "train-category-ai");
    }

    use crate::testing::Fixture;

    const STALE: Duration = Duration::from_secs(60);

    /// A document with its processing job queued, as an upload leaves it.
    async fn queued(fx: &Fixture) -> i64 {
        let owner = fx.user("owner@example.com").await;
        let project = fx.project(owner, "Invoices").await;
        fx.upload(owner, project, None).await
    }

    /// Makes every queued job due now, as if its backoff had passed.
    async fn backoff_passes(db: &Db) {
        sqlx::query("UPDATE jobs SET run_after = $1")
            .bind(db::format_time(time::OffsetDateTime::UNIX_EPOCH))
            .execute(db)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn jobs_are_claimed_oldest_first_and_once_each() {
        let fx = Fixture::new().await;
        let db = fx.db();
        let doc = queued(&fx).await;
        let mut tx = db.begin().await.unwrap();
        enqueue(&mut tx, Kind::Train(AiKind::Splitting), None, Some(7)).await.unwrap();
        tx.commit().await.unwrap();

        let first = claim(db, "one", STALE).await.unwrap().unwrap();
        assert_eq!((first.kind, first.kind_name.as_str()), (Some(Kind::Process), "process"));
        assert_eq!((first.document, first.ai, first.attempts), (Some(doc), None, 1));
        let second = claim(db, "two", STALE).await.unwrap().unwrap();
        assert_eq!((second.kind, second.document, second.ai), (Some(Kind::Train(AiKind::Splitting)), None, Some(7)));
        assert!(claim(db, "three", STALE).await.unwrap().is_none());
        finish(db, &first, &Ok(())).await.unwrap();
        heartbeat(db, second.id).await.unwrap();
        assert!(claim(db, "three", STALE).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_failed_job_is_queued_again_after_a_backoff_and_given_up_after_five_attempts() {
        let fx = Fixture::new().await;
        let db = fx.db();
        queued(&fx).await;
        let failure = Err(anyhow::anyhow!("pdfium crashed"));
        let job = claim(db, "one", STALE).await.unwrap().unwrap();
        finish(db, &job, &failure).await.unwrap();
        assert!(claim(db, "one", STALE).await.unwrap().is_none(), "claimed again before its backoff");
        backoff_passes(db).await;
        let job = claim(db, "one", STALE).await.unwrap().unwrap();
        assert_eq!(job.attempts, 2);

        let last = Job { attempts: MAX_ATTEMPTS, ..job };
        finish(db, &last, &failure).await.unwrap();
        backoff_passes(db).await;
        assert!(claim(db, "one", STALE).await.unwrap().is_none(), "a job given up was claimed");
    }

    #[tokio::test]
    async fn a_job_whose_worker_stopped_reporting_is_claimed_again() {
        let fx = Fixture::new().await;
        let db = fx.db();
        queued(&fx).await;
        let job = claim(db, "one", STALE).await.unwrap().unwrap();
        heartbeat(db, job.id).await.unwrap();
        assert!(claim(db, "two", STALE).await.unwrap().is_none());
        tokio::time::sleep(Duration::from_millis(5)).await;
        let again = claim(db, "two", Duration::from_millis(1)).await.unwrap().unwrap();
        assert_eq!((again.id, again.attempts), (job.id, 2));
        finish(db, &again, &Ok(())).await.unwrap();
        tokio::time::sleep(Duration::from_millis(5)).await;
        assert!(claim(db, "three", Duration::from_millis(1)).await.unwrap().is_none());
    }
}

//! Workers: each claims jobs from the durable queue (`domain::jobs`) and runs them, reporting a heartbeat.

use std::time::Duration;

use anyhow::Context;

use super::{process, webhook};
use crate::domain::jobs::{self, Job, Kind};
use crate::state::AppState;

/// Runs one job of the queue.
pub async fn run(state: &AppState, job: &Job) -> anyhow::Result<()> {
    match job.kind.with_context(|| format!("unknown job kind \"{}\"", job.kind_name))? {
        Kind::Train(kind) => crate::ai::training::run(state, kind, job.ai.context("the job names no AI")?).await,
        Kind::Process => process::process_document(state, job.document.context("the job names no document")?).await,
        Kind::Webhook => webhook::deliver(state, job.document.context("the job names no document")?).await,
    }
}

/// Runs jobs until the process ends: waits for a wake-up or polls every second when idle.
pub async fn work(state: AppState, worker: String) {
    let stale = Duration::from_secs(state.config.job_stale_secs.max(1));
    loop {
        let job = match jobs::claim(&state.db, &worker, stale).await {
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
        tracing::info!(job = job.id, kind = %job.kind_name, document = ?job.document, attempt = job.attempts, "job started");
        let beat = {
            let db = state.db.clone();
            let id = job.id;
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(stale / 4).await;
                    let _ = jobs::heartbeat(&db, id).await;
                }
            })
        };
        let outcome = run(&state, &job).await;
        beat.abort();
        if let Err(e) = &outcome {
            tracing::warn!(job = job.id, error = %format!("{e:#}"), "job failed");
        }
        if let Err(e) = jobs::finish(&state.db, &job, &outcome).await {
            tracing::error!(job = job.id, error = %e, "could not record the job's end");
        }
    }
}

/// Starts `count` workers in this process.
pub fn spawn(state: &AppState, count: usize) {
    let host = std::process::id();
    for n in 0..count {
        tokio::spawn(work(state.clone(), format!("{host}-{n}")));
    }
}

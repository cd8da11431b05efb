//! The document processing pipeline: extraction of text and boxes, OCR, rendering, as durable jobs.

use std::path::PathBuf;

use anyhow::Context;

use crate::http::AppState;

pub mod jobs;
pub mod layout;
pub mod ocr;
pub mod pdf;
mod process;
pub mod raster;
pub mod webhook;

/// Runs one job of the queue.
pub async fn run(state: &AppState, job: &jobs::Job) -> anyhow::Result<()> {
    if job.kind == jobs::TRAIN_EXTRACTION_AI {
        return crate::ai::service::train_job(state, &job.payload).await;
    }
    if job.kind == jobs::TRAIN_CATEGORY_AI {
        return crate::ai::categorize::train_job(state, &job.payload).await;
    }
    if job.kind == jobs::TRAIN_SPLITTING_AI {
        return crate::ai::split::train_job(state, &job.payload).await;
    }
    let document = job.document_id.context("the job names no document")?;
    match job.kind.as_str() {
        jobs::PROCESS => process::process_document(state, document).await,
        jobs::WEBHOOK => webhook::deliver(state, document).await,
        other => anyhow::bail!("unknown job kind \"{other}\""),
    }
}

/// A working folder for one job, removed when dropped.
pub struct WorkDir(pub PathBuf);

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

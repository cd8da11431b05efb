//! The document processing pipeline: extraction of text and boxes, OCR, rendering, as durable jobs run by
//! workers; postprocess's new PDFs; webhooks.

use std::path::PathBuf;

use anyhow::Context;

use crate::domain::jobs::{Job, Kind};
use crate::state::AppState;

pub mod layout;
pub mod ocr;
pub mod pdf;
pub mod postprocess;
mod process;
pub mod raster;
pub mod webhook;
pub mod worker;

/// Runs one job of the queue.
pub async fn run(state: &AppState, job: &Job) -> anyhow::Result<()> {
    match job.kind.with_context(|| format!("unknown job kind \"{}\"", job.kind_name))? {
        Kind::Train(kind) => crate::ai::train(state, kind, job.ai.context("the job names no AI")?).await,
        Kind::Process => process::process_document(state, job.document.context("the job names no document")?).await,
        Kind::Webhook => webhook::deliver(state, job.document.context("the job names no document")?).await,
    }
}

/// A working folder for one job, removed when dropped.
pub struct WorkDir(pub PathBuf);

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

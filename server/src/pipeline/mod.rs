//! The document processing pipeline: extraction of text and boxes, OCR, rendering, as durable jobs.

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
    let document = job.document_id.context("the job names no document")?;
    match job.kind.as_str() {
        jobs::PROCESS => process::process_document(state, document).await,
        jobs::WEBHOOK => webhook::deliver(state, document).await,
        other => anyhow::bail!("unknown job kind \"{other}\""),
    }
}

//! The document processing pipeline: extraction of text and boxes, OCR, rendering, as durable jobs run by
//! workers; postprocess's new PDFs; webhooks.

use std::path::PathBuf;

pub mod deskew;
pub mod layout;
pub mod ocr;
pub mod pdf;
pub mod postprocess;
mod process;
pub mod raster;
pub mod webhook;
pub mod worker;

/// A working folder for one job, removed when dropped.
pub struct WorkDir(pub PathBuf);

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

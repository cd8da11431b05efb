//! Postprocess (§15.1): new PDFs composed of a document's pages, turned and reordered, which replace it.

use lectern_api::documents::{Document, PostprocessPart};

use super::{pdf, WorkDir};
use crate::domain::documents::{postprocess, random_hex};
use crate::error::Result;
use crate::state::AppState;

/// Checks the parts, composes one PDF per part from the document's PDF and hands them to the domain, which
/// rewrites the document, carries its annotations (`drop`: deleting those that cannot follow their pages) and
/// queues the outputs for processing; returns the output documents' ids.
pub async fn run(
    state: &AppState,
    user: i64,
    doc: &Document,
    parts: Vec<PostprocessPart>,
    drop: bool,
) -> Result<Vec<i64>> {
    let plan = postprocess::plan(state, doc, parts).await?;
    let work = WorkDir(state.config.data_dir.join("tmp").join(format!("postprocess-{}-{}", doc.id, random_hex())));
    tokio::fs::create_dir_all(&work.0).await.map_err(anyhow::Error::from)?;
    let source = work.0.join("source.pdf");
    state.storage.get_to_file(&plan.source_key, &source).await?;
    let lib = state.config.pdfium_lib.clone();
    let pages: Vec<Vec<(usize, u8)>> = plan.outputs.iter().map(|o| o.pages.clone()).collect();
    let dir = work.0.clone();
    let files = tokio::task::spawn_blocking(move || {
        pages
            .iter()
            .enumerate()
            .map(|(n, pages)| {
                let out = dir.join(format!("{n}.pdf"));
                pdf::compose(&lib, &source, pages, &out).map(|_| out)
            })
            .collect::<anyhow::Result<Vec<_>>>()
    })
    .await
    .map_err(anyhow::Error::from)??;
    postprocess::apply(state, user, doc.id, &plan.outputs, &files, drop).await
}

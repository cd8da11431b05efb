//! Postprocess (§15.1): a document's pages split into several documents, turned and reordered.
//!
//! Choices where the reference is silent: the first output document is the source document itself, rewritten
//! in place (its id stays, as DVUI only navigates when `[0].id` differs); the others are new documents in the
//! source's document set. Every output is a new PDF made of the source's pages (the searchable PDF of scans and
//! images, so nothing is OCR'd twice), each page turned by its `/Rotate`, and is processed again from the
//! start, skipping categorization when a category is given. Its annotations follow their pages, turned with
//! them (`annotations::carry`), or the postprocess is refused naming those that cannot. A reviewed document, or
//! one still being processed, is refused.

use std::collections::HashMap;
use std::path::PathBuf;

use lectern_api::documents::{status, Document, PostprocessPart};

use super::{file_key, files, pages, random_hex};
use crate::db;
use crate::domain::annotations::{carry, lock, writable};
use crate::domain::{jobs, schema, validate};
use crate::error::{Error, Result};
use crate::state::AppState;

/// An output document, checked: its name, category and `(page index, clockwise quarter turns)` in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub name: String,
    pub category: Option<i64>,
    pub pages: Vec<(usize, u8)>,
}

/// What a postprocess needs: the checked outputs and the PDF to take the pages from.
pub struct Plan {
    pub outputs: Vec<Output>,
    pub source_key: String,
}

/// Checks the body against the document: processed, not reviewed, every page used exactly once, angles in
/// quarter turns, categories of its project.
pub async fn plan(state: &AppState, doc: &Document, parts: Vec<PostprocessPart>) -> Result<Plan> {
    let db = &state.db;
    writable(doc)?;
    if !matches!(doc.status_data, status::DONE | status::WAITING_FOR_SPLIT) {
        return Err(Error::BadRequest(format!(
            "Document {} cannot be postprocessed now (status {}): wait until its processing has ended.",
            doc.id, doc.status_data
        )));
    }
    let page_ids = pages::ids(db, doc.id).await?;
    let outputs = check_parts(parts, doc.id, &doc.data_file_name, &page_ids)?;
    for category in outputs.iter().filter_map(|o| o.category) {
        schema::check_category(db, doc.project, category).await?;
    }
    let source_key = files::pdf_key(db, doc.id)
        .await?
        .ok_or_else(|| Error::BadRequest(format!("Document {} has no PDF to take its pages from.", doc.id)))?;
    Ok(Plan { outputs, source_key })
}

/// Checks the parts against the document's pages: every page used exactly once, angles in quarter turns.
fn check_parts(parts: Vec<PostprocessPart>, document: i64, name: &str, page_ids: &[i64]) -> Result<Vec<Output>> {
    if parts.is_empty() {
        return Err(Error::BadRequest("Send at least one output document.".into()));
    }
    let index: HashMap<i64, usize> = page_ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut used = vec![false; page_ids.len()];
    let mut outputs = Vec::new();
    for (n, part) in parts.into_iter().enumerate() {
        if part.pages.is_empty() {
            return Err(Error::field("pages", format!("Output document {} has no pages.", n + 1)));
        }
        let mut pages = Vec::new();
        for page in &part.pages {
            let i = *index.get(&page.id).ok_or_else(|| {
                Error::field("pages", format!("Page {} is not a page of document {document}.", page.id))
            })?;
            if std::mem::replace(&mut used[i], true) {
                return Err(Error::field("pages", format!("Page {} (number {}) is used twice.", page.id, i + 1)));
            }
            if page.angle % 90 != 0 {
                return Err(Error::field(
                    "angle",
                    format!("The angle {} of page {} is not a multiple of 90.", page.angle, page.id),
                ));
            }
            pages.push((i, (page.angle / 90).rem_euclid(4) as u8));
        }
        let name = match part.name {
            Some(given) => validate::name("name", Some(&given))?,
            None if n == 0 => name.to_owned(),
            None => format!("{} ({})", name, n + 1),
        };
        outputs.push(Output { name, category: part.category, pages });
    }
    if let Some(i) = used.iter().position(|u| !u) {
        return Err(Error::field(
            "pages",
            format!("Page {} (number {}) is in no output document; every page must be used once.", page_ids[i], i + 1),
        ));
    }
    Ok(outputs)
}

/// Rewrites the source document as the first output and makes the others, each from its composed PDF in
/// `files`, queued for processing, its annotations carried to the outputs (`drop` allows deleting those that
/// cannot follow their pages); returns the outputs' ids. Runs in the source's lock, so no annotation write lands
/// between.
pub async fn apply(
    state: &AppState,
    user: i64,
    source: i64,
    outputs: &[Output],
    files: &[PathBuf],
    drop: bool,
) -> Result<Vec<i64>> {
    let sizes = pages::sizes(&state.db, source).await?;
    let (mut tx, doc) = lock::document(&state.db, source).await?;
    writable(&doc)?;
    let now = db::now();
    let mut ids = vec![source];
    let mut moves = vec![None; sizes.len()];
    for (n, output) in outputs.iter().enumerate() {
        for (page_index, &(i, turns)) in output.pages.iter().enumerate() {
            if let (Some(slot), Some(&size)) = (moves.get_mut(i), sizes.get(i)) {
                *slot = Some(carry::PageMove { output: n, page_index: page_index as u32, turns, size });
            }
        }
    }
    let moves: Vec<carry::PageMove> = moves.into_iter().flatten().collect();
    if moves.len() != sizes.len() {
        return Err(Error::BadRequest(format!("The pages of document {source} changed; send the postprocess again.")));
    }
    sqlx::query("DELETE FROM pages WHERE document_id = $1").bind(source).execute(&mut *tx).await?;
    for _ in &outputs[1..] {
        let new: i64 = sqlx::query_scalar(
            "INSERT INTO documents (project_id, document_set_id, data_file_name, file_type, original_key, callback_url,
                callback_status_code, dataset_status, assignee_id, created_by_id, created_at, updated_at)
             SELECT project_id, document_set_id, '', 'pdf', '', callback_url, callback_status_code, dataset_status,
                assignee_id, $1, $2, $2 FROM documents WHERE id = $3 RETURNING id",
        )
        .bind(user)
        .bind(&now)
        .bind(source)
        .fetch_one(&mut *tx)
        .await?;
        ids.push(new);
    }
    carry::carry(&mut tx, source, &moves, &ids, drop).await?;
    for ((id, output), file) in ids.iter().zip(outputs).zip(files) {
        let key = file_key(*id, &format!("original-{}.pdf", random_hex()));
        state.storage.put_file(&key, file).await?;
        sqlx::query(
            "UPDATE documents SET data_file_name = $1, category_id = $2, category_confidence = NULL,
                category_is_revised = $3, file_type = 'pdf', original_key = $4, ocr_pdf_key = NULL, bbox_key = NULL,
                text = NULL, number_of_pages = $5, status_data = $6, error = NULL, proposed_split = NULL,
                split_is_revised = $7, is_reviewed = $8, updated_at = $9 WHERE id = $10",
        )
        .bind(&output.name)
        .bind(output.category)
        .bind(output.category.is_some())
        .bind(key)
        .bind(output.pages.len() as i64)
        .bind(status::QUEUED_OCR)
        .bind(true)
        .bind(false)
        .bind(&now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        jobs::enqueue(&mut tx, jobs::Kind::Process, Some(*id), None).await?;
    }
    tx.commit().await?;
    state.jobs_queued.notify_waiters();
    tracing::info!(document = source, outputs = ids.len(), "document postprocessed");
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lectern_api::documents::PageRef;

    fn part(pages: &[(i64, i64)]) -> PostprocessPart {
        PostprocessPart {
            name: None,
            category: None,
            pages: pages.iter().map(|(id, angle)| PageRef { id: *id, angle: *angle }).collect(),
        }
    }

    fn error_of(parts: Vec<PostprocessPart>) -> String {
        match check_parts(parts, 7, "scan.pdf", &[10, 11, 12]) {
            Err(Error::Fields(f)) => f.values().flatten().cloned().collect(),
            Err(Error::BadRequest(m)) => m,
            Err(other) => panic!("{other:?}"),
            Ok(_) => panic!("accepted"),
        }
    }

    #[test]
    fn pages_are_split_turned_and_reordered() {
        let out =
            check_parts(vec![part(&[(12, -90), (10, 0)]), part(&[(11, 450)])], 7, "scan.pdf", &[10, 11, 12]).unwrap();
        assert_eq!(out[0].pages, vec![(2, 3), (0, 0)]);
        assert_eq!(out[1].pages, vec![(1, 1)]);
        assert_eq!((out[0].name.as_str(), out[1].name.as_str()), ("scan.pdf", "scan.pdf (2)"));
    }

    #[test]
    fn bad_bodies_say_what_is_wrong() {
        assert_eq!(error_of(vec![]), "Send at least one output document.");
        assert_eq!(error_of(vec![part(&[(10, 0), (11, 0), (12, 0)]), part(&[])]), "Output document 2 has no pages.");
        assert_eq!(error_of(vec![part(&[(10, 0), (10, 0), (11, 0), (12, 0)])]), "Page 10 (number 1) is used twice.");
        assert_eq!(error_of(vec![part(&[(10, 0), (11, 0), (99, 0)])]), "Page 99 is not a page of document 7.");
        assert_eq!(
            error_of(vec![part(&[(10, 45), (11, 0), (12, 0)])]),
            "The angle 45 of page 10 is not a multiple of 90."
        );
        assert_eq!(
            error_of(vec![part(&[(10, 0), (12, 0)])]),
            "Page 11 (number 2) is in no output document; every page must be used once."
        );
    }

    use std::time::Duration;

    use lectern_api::documents::DocumentWrite;

    use crate::domain::annotations;
    use crate::domain::documents::{self, processing, review, text};
    use crate::testing::{refusal, Fixture};

    fn parts_of(pages: &[&[i64]], category: Option<i64>) -> Vec<PostprocessPart> {
        pages
            .iter()
            .map(|p| PostprocessPart { category, ..part(&p.iter().map(|id| (*id, 0)).collect::<Vec<_>>()) })
            .collect()
    }

    async fn outputs(state: &AppState, doc: &Document, parts: Vec<PostprocessPart>) -> Result<Vec<Output>> {
        plan(state, doc, parts).await.map(|plan| plan.outputs)
    }

    #[tokio::test]
    async fn a_postprocess_is_planned_for_a_processed_unreviewed_document_and_categories_of_its_project() {
        let (fx, invoice) = Fixture::with_invoice().await;
        let (db, state) = (fx.db(), &fx.state);
        let category = invoice.schema.category;
        let doc = fx.load(invoice.doc).await;
        let p = pages::ids(db, doc.id).await.unwrap();
        let plan = plan(state, &doc, parts_of(&[&[p[1]], &[p[0]]], Some(category))).await.unwrap();
        let expected = [
            Output { name: "invoice.pdf".into(), category: Some(category), pages: vec![(1, 0)] },
            Output { name: "invoice.pdf (2)".into(), category: Some(category), pages: vec![(0, 0)] },
        ];
        assert_eq!(plan.outputs, expected);
        assert_eq!(plan.source_key, processing::input(db, doc.id).await.unwrap().unwrap().original_key);

        let foreign = fx.schema(fx.project(invoice.owner, "Other").await).await.category;
        let refused = refusal(outputs(state, &doc, parts_of(&[&[p[0], p[1]]], Some(foreign))).await);
        assert_eq!(refused, format!("400 category: Invalid pk \"{foreign}\" - object does not exist."));
        let waiting = fx.load(fx.upload(invoice.owner, invoice.project, None).await).await;
        assert_eq!(
            refusal(outputs(state, &waiting, parts_of(&[&[p[0], p[1]]], None)).await),
            format!(
                "400 Document {} cannot be postprocessed now (status 0): wait until its processing has ended.",
                waiting.id
            )
        );
        let reviewed = fx.document(invoice.owner, invoice.project, None).await;
        let finish = DocumentWrite { is_reviewed: Some(true), ..DocumentWrite::default() };
        review::update(db, fx.load(reviewed).await, finish).await.unwrap();
        let q = pages::ids(db, reviewed).await.unwrap();
        assert_eq!(
            refusal(outputs(state, &fx.load(reviewed).await, parts_of(&[&q], None)).await),
            format!("400 Document {reviewed} is reviewed; set is_reviewed to false before changing its annotations.")
        );
        // Another document's pages are not this one's.
        assert_eq!(
            refusal(outputs(state, &doc, parts_of(&[&q], None)).await),
            format!("400 pages: Page {} is not a page of document {}.", q[0], doc.id)
        );
    }

    #[tokio::test]
    async fn a_postprocess_rewrites_the_document_as_its_first_part_and_queues_every_part() {
        let (fx, invoice) = Fixture::with_invoice().await;
        let (db, state) = (fx.db(), &fx.state);
        let (owner, source, category) = (invoice.owner, invoice.doc, invoice.schema.category);
        let total = fx.annotate(owner, source, invoice.schema.total, "9,50").await;
        let outputs = [
            Output { name: "second page.pdf".into(), category: None, pages: vec![(1, 1)] },
            Output { name: "first page.pdf".into(), category: Some(category), pages: vec![(0, 0)] },
        ];
        let files = [fx.file(b"%PDF-1.4 second page"), fx.file(b"%PDF-1.4 first page")];
        let ids = apply(state, owner, source, &outputs, &files, false).await.unwrap();
        assert_eq!((ids.len(), ids[0]), (2, source));
        let docs = documents::load(db, &ids).await.unwrap();
        let summary = |d: &Document| {
            (d.data_file_name.clone(), d.category, d.category_is_revised, d.status_data, d.number_of_pages)
        };
        assert_eq!(summary(&docs[0]), ("second page.pdf".into(), None, false, status::QUEUED_OCR, 1));
        assert_eq!(summary(&docs[1]), ("first page.pdf".into(), Some(category), true, status::QUEUED_OCR, 1));
        assert!(docs.iter().all(|d| d.split_is_revised && !d.is_reviewed));
        assert_eq!(docs[1].document_set, docs[0].document_set);
        assert_eq!(docs[1].created_by.as_deref(), Some("owner@example.com"));
        // What came from the old pages is gone: pages, text; the annotation went with its page.
        assert!(annotations::of_document(db, source).await.unwrap().is_empty());
        let moved = annotations::of_document(db, ids[1]).await.unwrap();
        assert_eq!(moved.iter().map(|a| a.nested.id).collect::<Vec<_>>(), [total]);
        assert!(pages::ids(db, source).await.unwrap().is_empty());
        assert_eq!(text::text_of(db, source).await.unwrap(), None);
        let original = files::original(db, &docs[1]).await.unwrap();
        assert_eq!(state.storage.get(&original.key).await.unwrap(), &b"%PDF-1.4 first page"[..]);

        let mut queued = Vec::new();
        while let Some(job) = jobs::claim(db, "worker", Duration::from_secs(60)).await.unwrap() {
            queued.push((job.kind, job.document));
        }
        let process = Some(jobs::Kind::Process);
        assert_eq!(queued, [(process, Some(source)), (process, Some(source)), (process, Some(ids[1]))]);
    }
}

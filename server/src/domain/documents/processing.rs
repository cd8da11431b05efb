//! What processing reads and writes of a document (§7.5): its status as it moves through the stages, its
//! pages, text and character boxes, its category and proposed split, and the processed documents the AIs
//! learn from.

use std::collections::BTreeMap;
use std::path::Path;

use lectern_api::documents::{status, ProposedPart};
use lectern_api::geometry::{CharBox, Entity};

use super::{file_key, random_hex};
use crate::db::{self, Db, Flag};
use crate::domain::jobs;
use crate::error::Result;
use crate::state::AppState;

/// What processing starts from.
#[derive(Debug, sqlx::FromRow)]
pub struct Input {
    pub file_type: String,
    pub original_key: String,
    pub category_id: Option<i64>,
    pub callback_url: Option<String>,
    pub project_id: i64,
    /// A split was confirmed or refused (postprocess): the document is not proposed for splitting again.
    #[sqlx(try_from = "Flag")]
    pub split_is_revised: bool,
}

/// The document to process; `None` when it was deleted while queued.
pub async fn input(db: &Db, id: i64) -> Result<Option<Input>> {
    Ok(sqlx::query_as(
        "SELECT file_type, original_key, category_id, callback_url, project_id, split_is_revised FROM documents WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?)
}

pub async fn set_status(db: &Db, id: i64, code: i64) -> Result<()> {
    sqlx::query("UPDATE documents SET status_data = $1, updated_at = $2 WHERE id = $3")
        .bind(code)
        .bind(db::now())
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Removes the pages a processing that was interrupted left, so it starts from a clean slate.
pub async fn clear_pages(db: &Db, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM pages WHERE document_id = $1").bind(id).execute(db).await?;
    Ok(())
}

/// A rendered page: its size in points and its image and thumbnail (PNG, or JPEG for colour pages).
pub struct RenderedPage<'a> {
    pub size: [f64; 2],
    pub image: &'a [u8],
    pub image_size: [u32; 2],
    pub thumbnail: &'a [u8],
}

/// The file extension of a page picture's bytes, which its storage key ends in and its content type follows.
fn picture_extension(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"\xff\xd8\xff") {
        "jpg"
    } else {
        "png"
    }
}

/// Stores page `number` (1-based) with its pictures.
pub async fn store_page(state: &AppState, id: i64, number: usize, page: RenderedPage<'_>) -> Result<()> {
    let image_key = file_key(id, &format!("pages/{number}.{}", picture_extension(page.image)));
    let thumbnail_key = file_key(id, &format!("pages/{number}-thumbnail.{}", picture_extension(page.thumbnail)));
    state.storage.put(&image_key, page.image.to_vec()).await?;
    state.storage.put(&thumbnail_key, page.thumbnail.to_vec()).await?;
    sqlx::query(
        "INSERT INTO pages (document_id, number, width, height, image_width, image_height, image_key, thumbnail_key,
            created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
    )
    .bind(id)
    .bind(number as i64)
    .bind(page.size[0])
    .bind(page.size[1])
    .bind(i64::from(page.image_size[0]))
    .bind(i64::from(page.image_size[1]))
    .bind(image_key)
    .bind(thumbnail_key)
    .bind(db::now())
    .execute(&state.db)
    .await?;
    Ok(())
}

/// A document's text as processing read it.
pub struct ReadText<'a> {
    /// Pages joined by `\f`, lines by `\n`.
    pub text: &'a str,
    pub chars: &'a [(usize, CharBox)],
    /// The words of each page.
    pub words: &'a [Vec<Entity>],
    /// The searchable PDF OCR wrote, if it read every page.
    pub ocr_pdf: Option<&'a Path>,
    pub producer: Option<&'a str>,
}

/// Stores the text, the character boxes (as the file `GET bbox` serves) and each page's words; the document
/// waits for categorization.
pub async fn store_text(state: &AppState, id: i64, read: ReadText<'_>) -> Result<()> {
    let bbox: BTreeMap<String, &CharBox> = read.chars.iter().map(|(o, b)| (o.to_string(), b)).collect();
    // A new key for each version of the text: the text indexes are cached by it (`text::IndexCache`).
    let old_bbox: Option<Option<String>> =
        sqlx::query_scalar("SELECT bbox_key FROM documents WHERE id = $1").bind(id).fetch_optional(&state.db).await?;
    let bbox_key = file_key(id, &format!("bbox-{}.json", random_hex()));
    state.storage.put(&bbox_key, serde_json::to_vec(&serde_json::json!({ "bbox": bbox }))?).await?;
    let ocr_pdf_key = match read.ocr_pdf {
        Some(pdf) => {
            let key = file_key(id, "ocr.pdf");
            state.storage.put_file(&key, pdf).await?;
            Some(key)
        }
        None => None,
    };
    let pages = read.words.len() as i64;
    let mut tx = state.db.begin().await?;
    for (index, words) in read.words.iter().enumerate() {
        sqlx::query("UPDATE pages SET entities = $1 WHERE document_id = $2 AND number = $3")
            .bind(serde_json::to_string(words)?)
            .bind(id)
            .bind(index as i64 + 1)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(
        "UPDATE documents SET text = $1, bbox_key = $2, ocr_pdf_key = $3, data_file_producer = $4, number_of_pages = $5,
            status_data = $6, updated_at = $7 WHERE id = $8",
    )
    .bind(read.text)
    .bind(bbox_key)
    .bind(ocr_pdf_key)
    .bind(read.producer)
    .bind(pages)
    .bind(status::QUEUED_CATEGORIZATION)
    .bind(db::now())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    // The set's page count is the upload's: the first document processed from it, before any split.
    sqlx::query(
        "UPDATE document_sets SET original_number_of_pages = $1
         WHERE id = (SELECT document_set_id FROM documents WHERE id = $2) AND original_number_of_pages = 0",
    )
    .bind(pages)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    // The text is stored: a file left behind must not fail the processing.
    if let Some(old) = old_bbox.flatten() {
        if let Err(e) = state.storage.delete(&old).await {
            tracing::warn!(document = id, key = %old, "the previous character boxes were not deleted: {e:#}");
        }
    }
    Ok(())
}

pub async fn category_of(db: &Db, id: i64) -> Result<Option<i64>> {
    let category: Option<Option<i64>> =
        sqlx::query_scalar("SELECT category_id FROM documents WHERE id = $1").bind(id).fetch_optional(db).await?;
    Ok(category.flatten())
}

/// Gives an upload that came without a category the one categorization found.
pub async fn set_category(db: &Db, id: i64, category: i64, confidence: f64) -> Result<()> {
    sqlx::query("UPDATE documents SET category_id = $1, category_confidence = $2 WHERE id = $3")
        .bind(category)
        .bind(confidence)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// The upload waits at status 41 with the split the splitting AI proposes, until someone decides.
pub async fn propose_split(db: &Db, id: i64, parts: &[ProposedPart]) -> Result<()> {
    sqlx::query("UPDATE documents SET proposed_split = $1, status_data = $2, updated_at = $3 WHERE id = $4")
        .bind(serde_json::to_string(parts)?)
        .bind(status::WAITING_FOR_SPLIT)
        .bind(db::now())
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// How long each stage took, in seconds.
pub struct Timings {
    pub ocr: f64,
    pub categorization: f64,
    pub extraction: f64,
    pub total: f64,
}

/// Processing has ended: status 2 with the timings, and the webhook queued when the document has a callback.
pub async fn finish(state: &AppState, id: i64, timings: Timings, callback: bool) -> Result<()> {
    let mut tx = state.db.begin().await?;
    sqlx::query(
        "UPDATE documents SET status_data = $1, ocr_time = $2, categorization_time = $3, extraction_time = $4,
            processing_time = $5, error = NULL, updated_at = $6 WHERE id = $7",
    )
    .bind(status::DONE)
    .bind(timings.ocr)
    .bind(timings.categorization)
    .bind(timings.extraction)
    .bind(timings.total)
    .bind(db::now())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if callback {
        jobs::enqueue(&mut tx, jobs::Kind::Webhook, Some(id), None).await?;
    }
    tx.commit().await?;
    state.jobs_queued.notify_waiters();
    Ok(())
}

/// The document could not be processed: status 111 with the reason.
pub async fn fail(db: &Db, id: i64, reason: &str) -> Result<()> {
    sqlx::query("UPDATE documents SET status_data = $1, error = $2, updated_at = $3 WHERE id = $4")
        .bind(status::ERROR)
        .bind(reason)
        .bind(db::now())
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Records the status code the receiver of the document's webhook answered.
pub async fn set_callback_status(db: &Db, id: i64, code: u16) -> Result<()> {
    sqlx::query("UPDATE documents SET callback_status_code = $1 WHERE id = $2")
        .bind(i64::from(code))
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// A processed document as the AIs learn from it.
#[derive(Debug, sqlx::FromRow)]
pub struct Processed {
    pub id: i64,
    pub text: String,
    pub category_id: Option<i64>,
}

/// Whose processed documents: a category's or a project's.
#[derive(Debug, Clone, Copy)]
pub enum Owner {
    Category(i64),
    Project(i64),
}

/// The processed documents (status 2) of a category or project with this `dataset_status` (2 training, 3 test),
/// oldest first. One waiting for its split to be confirmed, processed again or failed is left out: its text may
/// not be the document's (`ais::training_data` counts the same documents).
pub async fn dataset(db: &Db, owner: Owner, dataset_status: i64) -> Result<Vec<Processed>> {
    let (column, id) = match owner {
        Owner::Category(c) => ("category_id", c),
        Owner::Project(p) => ("project_id", p),
    };
    let sql = format!(
        "SELECT id, text, category_id FROM documents WHERE {column} = $1 AND dataset_status = $2 AND status_data = $3
            AND text IS NOT NULL ORDER BY id"
    );
    Ok(sqlx::query_as(&sql).bind(id).bind(dataset_status).bind(status::DONE).fetch_all(db).await?)
}

/// The text, character boxes and page sizes of a processed document; `None` before it has been processed.
pub async fn text_and_boxes(
    state: &AppState,
    id: i64,
) -> Result<Option<(String, BTreeMap<usize, CharBox>, Vec<[f64; 2]>)>> {
    let found: Option<(Option<String>, Option<String>)> =
        sqlx::query_as("SELECT text, bbox_key FROM documents WHERE id = $1").bind(id).fetch_optional(&state.db).await?;
    let Some((Some(text), Some(bbox_key))) = found else { return Ok(None) };
    let chars = super::text::char_boxes(&state.storage.get(&bbox_key).await?)?;
    let pages = super::pages::sizes(&state.db, id).await?;
    Ok(Some((text, chars, pages)))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use lectern_api::documents::{CategoryCandidate, DocumentWrite, ProposedPage};

    use super::*;
    use crate::domain::documents::{pages, review};
    use crate::sample_pdf::A4;
    use crate::testing::{invoice_text, Fixture, InvoiceProject, INVOICE};

    const STALE: Duration = Duration::from_secs(60);

    #[tokio::test]
    async fn processing_reads_its_input_and_moves_the_document_through_its_stages() {
        let (fx, InvoiceProject { owner, project, schema }) = Fixture::with_schema().await;
        let db = fx.db();
        let id = fx.upload(owner, project, None).await;
        let input = input(db, id).await.unwrap().unwrap();
        assert_eq!((input.file_type.as_str(), input.category_id, input.callback_url), ("pdf", None, None));
        assert_eq!((input.project_id, input.split_is_revised), (project, false));
        assert!(super::input(db, id + 100).await.unwrap().is_none());

        set_status(db, id, status::OCR).await.unwrap();
        assert_eq!(fx.load(id).await.status_data, status::OCR);
        let page = RenderedPage { size: A4, image: b"page", image_size: [595, 842], thumbnail: b"thumbnail" };
        store_page(&fx.state, id, 1, page).await.unwrap();
        assert_eq!(pages::sizes(db, id).await.unwrap(), [A4]);
        clear_pages(db, id).await.unwrap();
        assert!(pages::ids(db, id).await.unwrap().is_empty());

        fx.process(id, INVOICE).await;
        assert_eq!(category_of(db, id).await.unwrap(), None);
        set_category(db, id, schema.category, 0.8).await.unwrap();
        assert_eq!(category_of(db, id).await.unwrap(), Some(schema.category));
        assert_eq!(fx.load(id).await.category_confidence, Some(0.8));

        fail(db, id, "The extraction AI failed.").await.unwrap();
        assert_eq!(fx.load(id).await.status_data, status::ERROR);
        let timings = Timings { ocr: 1.0, categorization: 2.0, extraction: 3.0, total: 6.0 };
        finish(&fx.state, id, timings, true).await.unwrap();
        let doc = fx.load(id).await;
        assert_eq!((doc.status_data, doc.extraction_time, doc.processing_time), (status::DONE, Some(3.0), Some(6.0)));
        // The upload's processing job, then the webhook.
        let job = jobs::claim(db, "worker", STALE).await.unwrap().unwrap();
        assert_eq!(job.kind, Some(jobs::Kind::Process));
        let job = jobs::claim(db, "worker", STALE).await.unwrap().unwrap();
        assert_eq!((job.kind, job.document), (Some(jobs::Kind::Webhook), Some(id)));
        set_callback_status(db, id, 502).await.unwrap();
        assert_eq!(fx.load(id).await.callback_status_code, Some(502));
    }

    #[tokio::test]
    async fn a_proposed_split_waits_with_the_document_until_someone_decides() {
        let (fx, invoice) = Fixture::with_invoice().await;
        let pages = pages::ids(fx.db(), invoice.doc).await.unwrap();
        let parts: Vec<ProposedPart> = pages
            .iter()
            .map(|id| ProposedPart {
                pages: vec![ProposedPage { id: *id }],
                category: Some(invoice.schema.category),
                categories: vec![CategoryCandidate { id: invoice.schema.category, name: None, confidence: 0.9 }],
            })
            .collect();
        propose_split(fx.db(), invoice.doc, &parts).await.unwrap();
        let doc = fx.load(invoice.doc).await;
        assert_eq!((doc.status_data, doc.proposed_split), (status::WAITING_FOR_SPLIT, Some(parts)));
        assert!(!doc.split_is_revised);
    }

    #[tokio::test]
    async fn the_ais_learn_from_the_processed_documents_of_their_dataset() {
        let (fx, invoice) = Fixture::with_invoice().await;
        let (db, state) = (fx.db(), &fx.state);
        let (owner, project, category) = (invoice.owner, invoice.project, invoice.schema.category);
        let test = fx.document(owner, project, Some(category)).await;
        let waiting = fx.upload(owner, project, Some(category)).await;
        let elsewhere = fx.document(owner, project, None).await;
        // Read, then waiting for its split to be confirmed: its text may not be one document's.
        let unsplit = fx.document(owner, project, Some(category)).await;
        propose_split(db, unsplit, &[]).await.unwrap();
        for (id, dataset_status) in [(invoice.doc, 2), (waiting, 2), (elsewhere, 2), (test, 3), (unsplit, 2)] {
            let body = DocumentWrite { dataset_status: Some(dataset_status), ..DocumentWrite::default() };
            review::update(db, fx.load(id).await, body).await.unwrap();
        }
        let ids = |found: Vec<Processed>| found.iter().map(|p| p.id).collect::<Vec<_>>();
        let training = dataset(db, Owner::Category(category), 2).await.unwrap();
        assert_eq!((training[0].text.as_str(), training[0].category_id), (invoice_text().as_str(), Some(category)));
        assert_eq!(ids(training), [invoice.doc]);
        assert_eq!(ids(dataset(db, Owner::Project(project), 2).await.unwrap()), [invoice.doc, elsewhere]);
        assert_eq!(ids(dataset(db, Owner::Category(category), 3).await.unwrap()), [test]);

        assert!(text_and_boxes(state, waiting).await.unwrap().is_none());
        let (text, boxes, sizes) = text_and_boxes(state, invoice.doc).await.unwrap().unwrap();
        assert_eq!((text, sizes), (invoice_text(), vec![A4, A4]));
        let letters = invoice_text().chars().filter(|c| !c.is_whitespace()).count();
        assert_eq!(boxes.len(), letters);
    }
}

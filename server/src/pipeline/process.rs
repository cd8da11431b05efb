//! Processing one uploaded document through the stages of `status_data`: text and boxes (OCR where a page
//! has no text layer), page images, categorization, extraction; then the webhook.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use lectern_api::documents::status;
use sqlx::Row;
use tokio::sync::mpsc;

use super::layout::{self, PageContent};
use super::{jobs, ocr, pdf, raster, WorkDir};
use crate::db;
use crate::http::documents::file_key;
use crate::http::AppState;

/// OCR of PDF pages without a text layer renders them at this resolution.
const OCR_DPI: f64 = 300.0;

/// What extraction yields for one page, sent to the async side as soon as it is ready.
struct PageOutput {
    content: PageContent,
    image: (Vec<u8>, [u32; 2]),
    thumbnail: Vec<u8>,
}

/// What extraction yields for the whole file.
#[derive(Default)]
struct FileOutput {
    producer: Option<String>,
    /// The searchable PDF, written in the work dir, when OCR made the text of every page.
    ocr_pdf: Option<PathBuf>,
}

async fn set_status(state: &AppState, id: i64, code: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE documents SET status_data = $1, updated_at = $2 WHERE id = $3")
        .bind(code)
        .bind(db::now())
        .bind(id)
        .execute(&state.db)
        .await?;
    Ok(())
}

pub async fn process_document(state: &AppState, id: i64) -> anyhow::Result<()> {
    let started = Instant::now();
    let Some(row) = sqlx::query(
        "SELECT file_type, original_key, category_id, callback_url, project_id, split_is_revised FROM documents WHERE id = $1",
    )
        .bind(id)
        .fetch_optional(&state.db)
        .await?
    else {
        return Ok(()); // deleted while queued
    };
    let file_type: String = row.get("file_type");
    set_status(state, id, status::OCR).await?;

    // Taken up again after a crash: start from a clean slate.
    sqlx::query("DELETE FROM pages WHERE document_id = $1").bind(id).execute(&state.db).await?;
    let work = WorkDir(state.config.data_dir.join("tmp").join(format!("job-{id}-{}", std::process::id())));
    tokio::fs::create_dir_all(&work.0).await?;
    let original = work.0.join("original");
    let ocr_pdf = work.0.join("ocr.pdf");
    state.storage.get_to_file(&row.get::<String, _>("original_key"), &original).await?;

    let (tx, mut rx) = mpsc::channel::<PageOutput>(4);
    let lib = state.config.pdfium_lib.clone();
    let extraction = tokio::task::spawn_blocking(move || extract(&lib, &original, &file_type, &ocr_pdf, &tx));
    let mut pages = Vec::new();
    while let Some(page) = rx.recv().await {
        store_page(state, id, pages.len() + 1, &page).await?;
        pages.push(page.content);
    }
    let file = match extraction.await? {
        Ok(file) => file,
        Err(e) => return fail(state, id, &format!("{e:#}")).await,
    };
    let doc = layout::assemble(&pages);
    store_text(state, id, &doc, &file, pages.len()).await?;
    let ocr_time = started.elapsed().as_secs_f64();

    let project: i64 = row.get("project_id");
    if !db::flag(&row, "split_is_revised") && propose_split(state, id, project, &doc.text).await? {
        return Ok(());
    }

    set_status(state, id, status::CATEGORIZATION).await?;
    let t = Instant::now();
    if row.get::<Option<i64>, _>("category_id").is_none() {
        categorize(state, id, project, &doc.text).await?;
    }
    let categorization_time = t.elapsed().as_secs_f64();

    set_status(state, id, status::QUEUED_EXTRACTION).await?;
    set_status(state, id, status::EXTRACTION).await?;
    let t = Instant::now();
    let category: Option<i64> =
        sqlx::query("SELECT category_id FROM documents WHERE id = $1").bind(id).fetch_one(&state.db).await?.get("category_id");
    if let Some(category) = category {
        if let Err(e) = crate::ai::service::extract(state, id, category).await {
            return fail(state, id, &format!("Extraction failed: {e:#}")).await;
        }
    }
    let extraction_time = t.elapsed().as_secs_f64();

    let mut tx = state.db.begin().await?;
    sqlx::query(
        "UPDATE documents SET status_data = $1, ocr_time = $2, categorization_time = $3, extraction_time = $4,
            processing_time = $5, error = NULL, updated_at = $6 WHERE id = $7",
    )
    .bind(status::DONE)
    .bind(ocr_time)
    .bind(categorization_time)
    .bind(extraction_time)
    .bind(started.elapsed().as_secs_f64())
    .bind(db::now())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if row.get::<Option<String>, _>("callback_url").is_some() {
        jobs::enqueue(&mut tx, jobs::WEBHOOK, id).await?;
    }
    tx.commit().await?;
    state.jobs_queued.notify_waiters();
    tracing::info!(document = id, pages = pages.len(), seconds = started.elapsed().as_secs_f64(), "document processed");
    Ok(())
}

/// The document could not be processed: status 111 with the reason; the job itself has done its work.
async fn fail(state: &AppState, id: i64, reason: &str) -> anyhow::Result<()> {
    tracing::warn!(document = id, reason, "document could not be processed");
    sqlx::query("UPDATE documents SET status_data = $1, error = $2, updated_at = $3 WHERE id = $4")
        .bind(status::ERROR)
        .bind(reason)
        .bind(db::now())
        .bind(id)
        .execute(&state.db)
        .await?;
    Ok(())
}

/// Text, boxes, images and thumbnails page by page, on a blocking thread; pages go out through `tx` and each is
/// dropped once sent. A file without any text layer gets a searchable copy at `ocr_pdf`, written as pages are read.
fn extract(
    lib: &Path,
    path: &Path,
    file_type: &str,
    ocr_pdf: &Path,
    tx: &mpsc::Sender<PageOutput>,
) -> anyhow::Result<FileOutput> {
    let send = |page: PageOutput| tx.blocking_send(page).map_err(|_| anyhow::anyhow!("processing was stopped"));
    if file_type == "pdf" {
        let file = pdf::PdfFile::open(lib, path)?;
        let texts = (0..file.page_count()).map(|index| file.has_text(index)).collect::<anyhow::Result<Vec<_>>>()?;
        // A scanned PDF gets a searchable copy; one with a text layer on some page keeps the original.
        let scanned = !texts.is_empty() && !texts.contains(&true);
        let mut searchable = if scanned { Some(ocr::SearchablePdf::begin(ocr_pdf)?) } else { None };
        for (index, has_text) in texts.into_iter().enumerate() {
            let content = if has_text {
                file.page_content(index)?
            } else {
                let [w, h] = file.page_sizes()[index];
                let long_side = (w.max(h) / 72.0 * OCR_DPI) as u32;
                let (png, [pw, _]) = file.render(index, long_side)?;
                let grey = image::load_from_memory(&png)?.to_luma8();
                let dpi = (pw as f64 / (w / 72.0)).round() as u32;
                let scan = page_image(&grey, dpi);
                let content = match &mut searchable {
                    Some(writer) => writer.add_page(&scan)?,
                    None => ocr::recognize(&scan)?,
                };
                scale_to(content, [w, h])
            };
            let image = file.render(index, pdf::PAGE_IMAGE_LONG_SIDE)?;
            let thumbnail = file.render(index, pdf::THUMBNAIL_LONG_SIDE)?.0;
            send(PageOutput { content, image, thumbnail })?;
        }
        let ocr_pdf = match searchable {
            Some(writer) => {
                writer.finish()?;
                Some(ocr_pdf.to_owned())
            }
            None => None,
        };
        return Ok(FileOutput { producer: file.producer().map(str::to_owned), ocr_pdf });
    }
    let mut searchable = ocr::SearchablePdf::begin(ocr_pdf)?;
    let reader = std::io::BufReader::new(std::fs::File::open(path)?);
    raster::decode_pages(reader, file_type, |frame| {
        let dpi = raster::estimated_dpi(frame.width(), frame.height());
        let content = searchable.add_page(&page_image(&frame, dpi)).context("OCR failed")?;
        let image = raster::scaled_png(&frame, pdf::PAGE_IMAGE_LONG_SIDE)?;
        let thumbnail = raster::scaled_png(&frame, pdf::THUMBNAIL_LONG_SIDE)?.0;
        send(PageOutput { content, image, thumbnail })
    })?;
    searchable.finish()?;
    Ok(FileOutput { producer: None, ocr_pdf: Some(ocr_pdf.to_owned()) })
}

fn page_image(grey: &image::GrayImage, dpi: u32) -> ocr::PageImage<'_> {
    ocr::PageImage { width: grey.width(), height: grey.height(), channels: 1, dpi, pixels: grey.as_raw() }
}

/// OCR measured the page from its render; the page's size in points is the PDF's own.
fn scale_to(mut content: PageContent, size: [f64; 2]) -> PageContent {
    let (sx, sy) = (size[0] / content.width, size[1] / content.height);
    for glyph in content.lines.iter_mut().flat_map(|l| l.words.iter_mut()).flat_map(|w| w.glyphs.iter_mut()) {
        let r = &mut glyph.rect;
        (r.x0, r.x1, r.y0, r.y1) = (r.x0 * sx, r.x1 * sx, r.y0 * sy, r.y1 * sy);
    }
    content.width = size[0];
    content.height = size[1];
    content
}

async fn store_page(state: &AppState, id: i64, number: usize, page: &PageOutput) -> anyhow::Result<()> {
    let image_key = file_key(id, &format!("pages/{number}.png"));
    let thumbnail_key = file_key(id, &format!("pages/{number}-thumbnail.png"));
    state.storage.put(&image_key, page.image.0.clone()).await?;
    state.storage.put(&thumbnail_key, page.thumbnail.clone()).await?;
    let now = db::now();
    sqlx::query(
        "INSERT INTO pages (document_id, number, width, height, image_width, image_height, image_key, thumbnail_key,
            created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
    )
    .bind(id)
    .bind(number as i64)
    .bind(page.content.width)
    .bind(page.content.height)
    .bind(i64::from(page.image.1[0]))
    .bind(i64::from(page.image.1[1]))
    .bind(image_key)
    .bind(thumbnail_key)
    .bind(now)
    .execute(&state.db)
    .await?;
    Ok(())
}

/// Stores the text, the character boxes (as the file `GET bbox` serves) and each page's words.
async fn store_text(state: &AppState, id: i64, doc: &layout::DocumentText, file: &FileOutput, pages: usize) -> anyhow::Result<()> {
    let bbox: serde_json::Map<String, serde_json::Value> =
        doc.chars.iter().map(|(o, b)| Ok((o.to_string(), serde_json::to_value(b)?))).collect::<anyhow::Result<_>>()?;
    let bbox_key = file_key(id, "bbox.json");
    state.storage.put(&bbox_key, serde_json::to_vec(&serde_json::json!({ "bbox": bbox }))?).await?;
    let ocr_pdf_key = match &file.ocr_pdf {
        Some(pdf) => {
            let key = file_key(id, "ocr.pdf");
            state.storage.put_file(&key, pdf).await?;
            Some(key)
        }
        None => None,
    };
    let mut tx = state.db.begin().await?;
    for (index, words) in doc.words.iter().enumerate() {
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
    .bind(&doc.text)
    .bind(bbox_key)
    .bind(ocr_pdf_key)
    .bind(&file.producer)
    .bind(pages as i64)
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
    .bind(pages as i64)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Categorises an upload that came without a category with its most likely candidate. No candidate leaves the
/// document without one.
async fn categorize(state: &AppState, id: i64, project: i64, text: &str) -> anyhow::Result<()> {
    if let Some((category, confidence)) = category_candidates(state, project, text).await?.first() {
        sqlx::query("UPDATE documents SET category_id = $1, category_confidence = $2 WHERE id = $3")
            .bind(category)
            .bind(confidence)
            .bind(id)
            .execute(&state.db)
            .await?;
    }
    Ok(())
}

/// The categories a text may belong to with their confidence, most likely first: from the project's active
/// categorization AI when it has one, else by the keyword rule.
async fn category_candidates(state: &AppState, project: i64, text: &str) -> anyhow::Result<Vec<(i64, f64)>> {
    match crate::ai::categorize::probabilities(state, project, text).await? {
        Some(found) => Ok(found),
        None => categories_by_keywords(state, project, text).await,
    }
}

/// The project's categories with their names.
async fn category_names(state: &AppState, project: i64) -> anyhow::Result<Vec<(i64, String)>> {
    let rows = sqlx::query(
        "SELECT c.id AS id, s.name AS name FROM categories c JOIN label_sets s ON s.id = c.id WHERE c.project_id = $1 ORDER BY c.id",
    )
    .bind(project)
    .fetch_all(&state.db)
    .await?;
    Ok(rows.iter().map(|r| (r.get("id"), r.get("name"))).collect())
}

/// The categories whose name and label names occur in the text, most matches first; the confidence is a
/// category's share of all matches.
async fn categories_by_keywords(state: &AppState, project: i64, text: &str) -> anyhow::Result<Vec<(i64, f64)>> {
    let text = text.to_lowercase();
    let mut scores = Vec::new();
    for (category, name) in category_names(state, project).await? {
        let mut keywords = vec![name];
        for set in crate::http::categories::schema(&state.db, category).await? {
            keywords.extend(set.labels.into_iter().map(|l| l.name));
        }
        let score: usize = keywords.iter().map(|k| k.trim().to_lowercase()).filter(|k| k.len() >= 3).map(|k| text.matches(&k).count()).sum();
        scores.push((category, score));
    }
    let total: usize = scores.iter().map(|(_, s)| s).sum();
    scores.retain(|(_, s)| *s > 0);
    scores.sort_by_key(|(c, s)| (std::cmp::Reverse(*s), *c));
    Ok(scores.into_iter().map(|(category, score)| (category, score as f64 / total as f64)).collect())
}

/// Proposes a split of a multi-page upload when its project splits uploads and its splitting AI would cut it
/// (§15.2): each part with its pages and category candidates (the three likeliest, with names). The document
/// then waits at status 41 until someone posts to postprocess; returns whether it waits. The AI takes
/// milliseconds, so the statuses 4 and 40 are not shown on the way; an upload the AI would not cut keeps
/// `proposed_split` null and is processed on.
async fn propose_split(state: &AppState, id: i64, project: i64, text: &str) -> anyhow::Result<bool> {
    let pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    if pages.len() < 2 {
        return Ok(false);
    }
    let Some(points) = crate::ai::split::split_points(state, project, &pages).await? else { return Ok(false) };
    if points.is_empty() {
        return Ok(false);
    }
    let page_ids = db::ids(
        &sqlx::query("SELECT id FROM pages WHERE document_id = $1 ORDER BY number").bind(id).fetch_all(&state.db).await?,
    );
    if page_ids.len() != pages.len() {
        // Cannot happen for text the pipeline wrote; should it, the upload is processed whole rather than lost.
        tracing::warn!(document = id, pages = page_ids.len(), texts = pages.len(), "pages and page texts differ; no split");
        return Ok(false);
    }
    let names: std::collections::HashMap<i64, String> = category_names(state, project).await?.into_iter().collect();
    let bounds: Vec<usize> = std::iter::once(0).chain(points.iter().map(|(i, _)| *i)).chain([pages.len()]).collect();
    let mut parts = Vec::new();
    for range in bounds.windows(2) {
        let text = pages[range[0]..range[1]].join("\u{c}");
        let candidates: Vec<serde_json::Value> = category_candidates(state, project, &text)
            .await?
            .into_iter()
            .take(3)
            .map(|(c, confidence)| serde_json::json!({"id": c, "name": names.get(&c), "confidence": confidence}))
            .collect();
        let ids = &page_ids[range[0]..range[1]];
        parts.push(serde_json::json!({
            "pages": ids.iter().map(|id| serde_json::json!({"id": id})).collect::<Vec<_>>(),
            "category": candidates.first().map(|c| c["id"].clone()),
            "categories": candidates,
        }));
    }
    sqlx::query("UPDATE documents SET proposed_split = $1, status_data = $2, updated_at = $3 WHERE id = $4")
        .bind(serde_json::Value::Array(parts).to_string())
        .bind(status::WAITING_FOR_SPLIT)
        .bind(db::now())
        .bind(id)
        .execute(&state.db)
        .await?;
    tracing::info!(document = id, parts = points.len() + 1, "split proposed; waiting for confirmation");
    Ok(true)
}

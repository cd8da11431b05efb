//! Processing one uploaded document through the stages of `status_data`: text and boxes (OCR where a page
//! has no text layer), page images, categorization, extraction; then the webhook.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use lectern_api::documents::{status, CategoryCandidate, ProposedPage, ProposedPart};
use tokio::sync::mpsc;

use super::layout::{self, PageContent};
use super::{deskew, ocr, pdf, raster, WorkDir};
use crate::domain::documents::{
    self, processing,
    processing::{ReadText, RenderedPage, Timings},
};
use crate::domain::schema::categories;
use crate::state::AppState;

/// OCR of PDF pages without a text layer renders them at this resolution.
const OCR_DPI: f64 = 300.0;

/// What extraction yields for one page, sent to the async side as soon as it is ready.
struct PageOutput {
    content: PageContent,
    /// The page image (grey PNG or colour JPEG) and its size in pixels.
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

pub async fn process_document(state: &AppState, id: i64) -> anyhow::Result<()> {
    let started = Instant::now();
    let db = &state.db;
    let Some(input) = processing::input(db, id).await? else {
        return Ok(()); // deleted while queued
    };
    processing::set_status(db, id, status::OCR).await?;

    // Taken up again after a crash: start from a clean slate.
    processing::clear_pages(db, id).await?;
    let work = WorkDir(state.config.data_dir.join("tmp").join(format!("job-{id}-{}", std::process::id())));
    tokio::fs::create_dir_all(&work.0).await?;
    let original = work.0.join("original");
    let ocr_pdf = work.0.join("ocr.pdf");
    state.storage.get_to_file(&input.original_key, &original).await?;

    let (tx, mut rx) = mpsc::channel::<PageOutput>(4);
    let lib = state.config.pdfium_lib.clone();
    let file_type = input.file_type.clone();
    let extraction = tokio::task::spawn_blocking(move || extract(&lib, &original, &file_type, &ocr_pdf, &tx));
    let mut pages = Vec::new();
    while let Some(page) = rx.recv().await {
        let rendered = RenderedPage {
            size: [page.content.width, page.content.height],
            image: &page.image.0,
            image_size: page.image.1,
            thumbnail: &page.thumbnail,
        };
        processing::store_page(state, id, pages.len() + 1, rendered).await?;
        pages.push(page.content);
    }
    let file = match extraction.await? {
        Ok(file) => file,
        Err(e) => return fail(state, id, &format!("{e:#}")).await,
    };
    let doc = layout::assemble(&pages);
    let read = ReadText {
        text: &doc.text,
        chars: &doc.chars,
        words: &doc.words,
        ocr_pdf: file.ocr_pdf.as_deref(),
        producer: file.producer.as_deref(),
    };
    processing::store_text(state, id, read).await?;
    // Annotations carried over a page edit find their text again, before the extraction AI looks for free text.
    crate::domain::annotations::carry::reread(state, id).await?;
    let ocr_time = started.elapsed().as_secs_f64();

    if !input.split_is_revised && propose_split(state, id, input.project_id, &doc.text).await? {
        return Ok(());
    }

    processing::set_status(db, id, status::CATEGORIZATION).await?;
    let t = Instant::now();
    if input.category_id.is_none() {
        if let Some((category, confidence)) = category_candidates(state, input.project_id, &doc.text).await?.first() {
            processing::set_category(db, id, *category, *confidence).await?;
        }
    }
    let categorization_time = t.elapsed().as_secs_f64();

    processing::set_status(db, id, status::QUEUED_EXTRACTION).await?;
    processing::set_status(db, id, status::EXTRACTION).await?;
    let t = Instant::now();
    if let Some(category) = processing::category_of(db, id).await? {
        if let Err(e) = crate::ai::extraction::extract(state, id, category).await {
            return fail(state, id, &format!("Extraction failed: {e:#}")).await;
        }
    }
    let timings = Timings {
        ocr: ocr_time,
        categorization: categorization_time,
        extraction: t.elapsed().as_secs_f64(),
        total: started.elapsed().as_secs_f64(),
    };
    processing::finish(state, id, timings, input.callback_url.is_some()).await?;
    tracing::info!(document = id, pages = pages.len(), seconds = started.elapsed().as_secs_f64(), "document processed");
    Ok(())
}

/// The document could not be processed: status 111 with the reason; the job itself has done its work.
async fn fail(state: &AppState, id: i64, reason: &str) -> anyhow::Result<()> {
    tracing::warn!(document = id, reason, "document could not be processed");
    processing::fail(&state.db, id, reason).await?;
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
            let page = if has_text {
                let content = file.page_content(index)?;
                let image = file.render(index, pdf::PAGE_IMAGE_LONG_SIDE)?;
                let (image, thumbnail) = match raster::has_colour(&image) {
                    true => (
                        raster::picture(&image, pdf::PAGE_IMAGE_LONG_SIDE, true)?,
                        raster::picture(
                            &file.render(index, pdf::THUMBNAIL_LONG_SIDE)?,
                            pdf::THUMBNAIL_LONG_SIDE,
                            true,
                        )?
                        .0,
                    ),
                    false => (
                        grey_png(file.render_grey(index, pdf::PAGE_IMAGE_LONG_SIDE)?)?,
                        grey_png(file.render_grey(index, pdf::THUMBNAIL_LONG_SIDE)?)?.0,
                    ),
                };
                PageOutput { content, image, thumbnail }
            } else {
                let [w, h] = file.page_sizes()[index];
                let render = file.render(index, (w.max(h) / 72.0 * OCR_DPI) as u32)?;
                let dpi = (render.width() as f64 / (w / 72.0)).round() as u32;
                let page = scan(render, dpi, |image| match &mut searchable {
                    Some(writer) => writer.add_page(image),
                    None => ocr::recognize(image),
                })?;
                PageOutput { content: scale_to(page.content, [w, h]), ..page }
            };
            send(page)?;
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
        send(scan(frame, dpi, |image| searchable.add_page(image).context("OCR failed"))?)
    })?;
    searchable.finish()?;
    Ok(FileOutput { producer: None, ocr_pdf: Some(ocr_pdf.to_owned()) })
}

/// A grey page as a PNG, with its size.
fn grey_png(page: image::GrayImage) -> anyhow::Result<(Vec<u8>, [u32; 2])> {
    Ok((raster::encode_png(page.as_raw(), page.width(), page.height())?, [page.width(), page.height()]))
}

/// A scan or photo (an uploaded image or a PDF page without text, rendered) recognised by `ocr`: turned level
/// first when its lines are skewed, and shown levelled, so the words' boxes and the searchable PDF match the page
/// image. A colour page goes to OCR and the searchable PDF in colour (OCR itself reads it in grey).
fn scan(
    page: image::RgbImage,
    dpi: u32,
    ocr: impl FnOnce(&ocr::PageImage) -> anyhow::Result<PageContent>,
) -> anyhow::Result<PageOutput> {
    let mut grey = raster::grey(&page);
    let angle = deskew::skew_angle(&grey);
    let page = if angle.abs() > deskew::MIN_ANGLE {
        let level = deskew::rotate(&page, -angle);
        grey = raster::grey(&level);
        level
    } else {
        page
    };
    let colour = raster::has_colour(&page);
    let (width, height) = page.dimensions();
    let (channels, pixels) = if colour { (3, page.as_raw()) } else { (1, grey.as_raw()) };
    let content = ocr(&ocr::PageImage { width, height, channels, dpi, pixels })?;
    Ok(PageOutput {
        content,
        image: raster::picture(&page, pdf::PAGE_IMAGE_LONG_SIDE, colour)?,
        thumbnail: raster::picture(&page, pdf::THUMBNAIL_LONG_SIDE, colour)?.0,
    })
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

/// The categories a text may belong to with their confidence, most likely first: from the project's active
/// categorization AI when it has one, else by the keyword rule.
async fn category_candidates(state: &AppState, project: i64, text: &str) -> anyhow::Result<Vec<(i64, f64)>> {
    match crate::ai::categorize::probabilities(state, project, text).await? {
        Some(found) => Ok(found),
        None => categories_by_keywords(state, project, text).await,
    }
}

/// The categories whose name and label names occur in the text, most matches first; the confidence is a
/// category's share of all matches.
async fn categories_by_keywords(state: &AppState, project: i64, text: &str) -> anyhow::Result<Vec<(i64, f64)>> {
    let text = text.to_lowercase();
    let mut scores = Vec::new();
    for (category, name) in categories::names(&state.db, project).await? {
        let mut keywords = vec![name];
        for set in categories::schema(&state.db, category).await? {
            keywords.extend(set.labels.into_iter().map(|l| l.name));
        }
        let score: usize = keywords
            .iter()
            .map(|k| k.trim().to_lowercase())
            .filter(|k| k.len() >= 3)
            .map(|k| text.matches(&k).count())
            .sum();
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
    let page_ids = documents::pages::ids(&state.db, id).await?;
    if page_ids.len() != pages.len() {
        // Cannot happen for text the pipeline wrote; should it, the upload is processed whole rather than lost.
        tracing::warn!(
            document = id,
            pages = page_ids.len(),
            texts = pages.len(),
            "pages and page texts differ; no split"
        );
        return Ok(false);
    }
    let names: std::collections::HashMap<i64, String> =
        categories::names(&state.db, project).await?.into_iter().collect();
    let bounds: Vec<usize> = std::iter::once(0).chain(points.iter().map(|(i, _)| *i)).chain([pages.len()]).collect();
    let mut parts = Vec::new();
    for range in bounds.windows(2) {
        let text = pages[range[0]..range[1]].join("\u{c}");
        let candidates: Vec<CategoryCandidate> = category_candidates(state, project, &text)
            .await?
            .into_iter()
            .take(3)
            .map(|(id, confidence)| CategoryCandidate { id, name: names.get(&id).cloned(), confidence })
            .collect();
        parts.push(ProposedPart {
            pages: page_ids[range[0]..range[1]].iter().map(|&id| ProposedPage { id }).collect(),
            category: candidates.first().map(|c| c.id),
            categories: candidates,
        });
    }
    processing::propose_split(&state.db, id, &parts).await?;
    tracing::info!(document = id, parts = points.len() + 1, "split proposed; waiting for confirmation");
    Ok(true)
}

//! Postprocess (§15.1): split a document into several, turn and reorder its pages; and document sets (§16).
//!
//! Choices where the reference is silent: the first output document is the source document itself, rewritten
//! in place (its id stays, as DVUI only navigates when `[0].id` differs); the others are new documents in the
//! source's document set. Every output is a new PDF made of the source's pages (the searchable PDF of scans and
//! images, so nothing is OCR'd twice), each page turned by its `/Rotate`, and is processed again from the
//! start, skipping categorization when a category is given. Its annotations are not carried over: the pages'
//! text moves, and the extraction AI suggests again. A reviewed document, or one still being processed, is
//! refused.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use lectern_api::documents::{status, DocumentDetail, DocumentSet, PostprocessPart};
use serde_json::Value;
use sqlx::Row;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::annotations::{lock_document, writable};
use super::auth::AuthUser;
use super::documents::{self, file_key};
use super::error::{parse_json, Error, PathId, Result};
use super::list::Fields;
use super::{validate, AppState};
use crate::db;
use crate::pipeline::{jobs, pdf, WorkDir};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(postprocess)).routes(routes!(get_document_set))
}

/// An output document, checked: its name, category and `(page index, clockwise quarter turns)` in order.
struct Output {
    name: String,
    category: Option<i64>,
    pages: Vec<(usize, u8)>,
}

/// Checks the body against the document's pages: every page used exactly once, angles in quarter turns.
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

/// Split, turn and reorder a document's pages (§15.1). The body is a list of output documents
/// `{name, category, pages: [{id, angle}, …]}`; the answer lists the resulting documents, queued for processing.
#[utoipa::path(post, path = "/api/v3/documents/{id}/postprocess/", tag = "documents",
    request_body = Vec<PostprocessPart>, params(("id" = i64, Path)),
    responses((status = 200, body = Vec<DocumentDetail>), (status = 400), (status = 404)))]
async fn postprocess(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    body: Bytes,
) -> Result<Json<Value>> {
    let db = &state.db;
    let doc = documents::visible(db, &user, id).await?;
    let parts = match parse_json::<Value>(&body)? {
        list @ Value::Array(_) => super::error::from_value::<Vec<PostprocessPart>>(list)?,
        _ => return Err(Error::BadRequest("Expected a list of output documents.".into())),
    };
    writable(&doc)?;
    if !matches!(doc.status_data, status::DONE | status::WAITING_FOR_SPLIT) {
        return Err(Error::BadRequest(format!(
            "Document {id} cannot be postprocessed now (status {}): wait until its processing has ended.",
            doc.status_data
        )));
    }
    let page_ids: Vec<i64> = db::ids(
        &sqlx::query("SELECT id FROM pages WHERE document_id = $1 ORDER BY number").bind(id).fetch_all(db).await?,
    );
    let outputs = check_parts(parts, id, &doc.data_file_name, &page_ids)?;
    for category in outputs.iter().filter_map(|o| o.category) {
        validate::ids_in_project(db, "categories", "", doc.project, "category", &[category]).await?;
    }

    let row = sqlx::query("SELECT original_key, ocr_pdf_key, file_type FROM documents WHERE id = $1")
        .bind(id)
        .fetch_one(db)
        .await?;
    let source_key = match (row.get::<Option<String>, _>("ocr_pdf_key"), row.get::<String, _>("file_type").as_str()) {
        (Some(key), _) => key,
        (None, "pdf") => row.get("original_key"),
        (None, _) => return Err(Error::BadRequest(format!("Document {id} has no PDF to take its pages from."))),
    };
    let work = WorkDir(state.config.data_dir.join("tmp").join(format!("postprocess-{id}-{}", documents::random_hex())));
    tokio::fs::create_dir_all(&work.0).await.map_err(anyhow::Error::from)?;
    let source = work.0.join("source.pdf");
    state.storage.get_to_file(&source_key, &source).await?;
    let lib = state.config.pdfium_lib.clone();
    let plan: Vec<Vec<(usize, u8)>> = outputs.iter().map(|o| o.pages.clone()).collect();
    let dir = work.0.clone();
    let files = tokio::task::spawn_blocking(move || {
        plan.iter()
            .enumerate()
            .map(|(n, pages)| {
                let out = dir.join(format!("{n}.pdf"));
                pdf::compose(&lib, &source, pages, &out).map(|_| out)
            })
            .collect::<anyhow::Result<Vec<_>>>()
    })
    .await
    .map_err(anyhow::Error::from)??;

    // The source is rewritten in the document's lock, so no annotation write lands between.
    let (mut tx, doc) = lock_document(db, id).await?;
    writable(&doc)?;
    let now = db::now();
    let mut ids = vec![id];
    for table in ["annotations", "missing_annotations", "annotation_sets", "pages"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE document_id = $1")).bind(id).execute(&mut *tx).await?;
    }
    for _ in &outputs[1..] {
        let new: i64 = sqlx::query(
            "INSERT INTO documents (project_id, document_set_id, data_file_name, file_type, original_key, callback_url,
                callback_status_code, dataset_status, assignee_id, created_by_id, created_at, updated_at)
             SELECT project_id, document_set_id, '', 'pdf', '', callback_url, callback_status_code, dataset_status,
                assignee_id, $1, $2, $2 FROM documents WHERE id = $3 RETURNING id",
        )
        .bind(user.id)
        .bind(&now)
        .bind(id)
        .fetch_one(&mut *tx)
        .await?
        .get("id");
        ids.push(new);
    }
    for ((doc_id, output), file) in ids.iter().zip(&outputs).zip(&files) {
        let key = file_key(*doc_id, &format!("original-{}.pdf", documents::random_hex()));
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
        .bind(doc_id)
        .execute(&mut *tx)
        .await?;
        jobs::enqueue(&mut tx, jobs::PROCESS, *doc_id).await?;
    }
    tx.commit().await?;
    state.jobs_queued.notify_waiters();
    tracing::info!(document = id, outputs = ids.len(), "document postprocessed");
    let mut results = Vec::new();
    for doc in documents::load(db, &ids).await? {
        results.push(documents::detail(db, doc).await?);
    }
    Fields::default().respond(results)
}

/// A document set with the documents made from its upload, newest first (§16). `fields` selects with dotted
/// paths (`documents.id,documents.data_file_name`); `expand=documents` is accepted, as documents are always
/// embedded.
#[utoipa::path(get, path = "/api/v3/document-sets/{id}/", tag = "documents",
    params(("id" = i64, Path)), responses((status = 200, body = DocumentSet), (status = 404)))]
async fn get_document_set(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    fields: Fields,
) -> Result<Json<Value>> {
    let db = &state.db;
    let row = sqlx::query("SELECT project_id, original_number_of_pages FROM document_sets WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or(Error::NotFound)?;
    if !validate::is_member(db, user.id, row.get("project_id")).await? {
        return Err(Error::NotFound);
    }
    let ids = db::ids(
        &sqlx::query("SELECT id FROM documents WHERE document_set_id = $1 ORDER BY created_at DESC, id DESC")
            .bind(id)
            .fetch_all(db)
            .await?,
    );
    let mut docs = Vec::new();
    for doc in documents::load(db, &ids).await? {
        docs.push(documents::detail(db, doc).await?);
    }
    fields.respond(DocumentSet {
        id,
        original_file_url: format!("/doc/show-document-set-original/{id}/"),
        original_number_of_pages: row.get::<i64, _>("original_number_of_pages") as u32,
        documents: docs,
    })
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
}

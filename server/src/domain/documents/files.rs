//! The stored files of documents (§17): the upload as it came, the searchable PDF, a document set's upload.

use lectern_api::documents::Document;

use crate::db::Db;
use crate::error::{Error, Result};

/// A file to serve: its storage key, type, a version for its ETag and the name to offer.
pub struct StoredFile {
    pub key: String,
    pub content_type: &'static str,
    pub version: String,
    pub name: String,
}

fn content_type(file_type: &str) -> &'static str {
    match file_type {
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpeg" => "image/jpeg",
        "tiff" => "image/tiff",
        _ => "application/octet-stream",
    }
}

#[derive(sqlx::FromRow)]
struct Keys {
    original_key: String,
    ocr_pdf_key: Option<String>,
    bbox_key: Option<String>,
    file_type: String,
}

async fn keys(db: &Db, document: i64) -> Result<Keys> {
    sqlx::query_as("SELECT original_key, ocr_pdf_key, bbox_key, file_type FROM documents WHERE id = $1")
        .bind(document)
        .fetch_optional(db)
        .await?
        .ok_or(Error::NotFound)
}

/// The file as uploaded.
pub async fn original(db: &Db, doc: &Document) -> Result<StoredFile> {
    let keys = keys(db, doc.id).await?;
    Ok(StoredFile {
        key: keys.original_key,
        content_type: content_type(&keys.file_type),
        version: format!("{}-original-{}", doc.id, doc.updated_at),
        name: doc.data_file_name.clone(),
    })
}

/// The PDF a document's pages come from: the OCR'd PDF for scans and images, the original for a born-digital
/// PDF; `None` when there is none (yet).
pub async fn pdf_key(db: &Db, document: i64) -> Result<Option<String>> {
    let keys = keys(db, document).await?;
    Ok(match (keys.ocr_pdf_key, keys.file_type.as_str()) {
        (Some(key), _) => Some(key),
        (None, "pdf") => Some(keys.original_key),
        (None, _) => None,
    })
}

/// The searchable PDF, once the document has been processed.
pub async fn searchable_pdf(db: &Db, doc: &Document) -> Result<StoredFile> {
    if keys(db, doc.id).await?.bbox_key.is_none() {
        return Err(Error::NotReady("The document has not been processed yet.".into()));
    }
    let key =
        pdf_key(db, doc.id).await?.ok_or_else(|| Error::NotReady("The searchable PDF is not ready yet.".into()))?;
    Ok(StoredFile {
        key,
        content_type: "application/pdf",
        version: format!("{}-pdf-{}", doc.id, doc.updated_at),
        name: format!("{}.pdf", doc.data_file_name.trim_end_matches(".pdf")),
    })
}

#[derive(sqlx::FromRow)]
struct SetFile {
    project_id: i64,
    original_key: String,
    file_type: String,
    created_at: String,
    data_file_name: String,
}

/// The file uploaded for a document set, before any split (§16), and the set's project.
pub async fn set_original(db: &Db, set: i64) -> Result<(i64, StoredFile)> {
    let row: SetFile = sqlx::query_as(
        "SELECT s.project_id, s.original_key, s.file_type, s.created_at, d.data_file_name FROM document_sets s
         JOIN documents d ON d.document_set_id = s.id WHERE s.id = $1 ORDER BY d.id LIMIT 1",
    )
    .bind(set)
    .fetch_optional(db)
    .await?
    .ok_or(Error::NotFound)?;
    let file = StoredFile {
        key: row.original_key,
        content_type: content_type(&row.file_type),
        version: format!("set-{set}-{}", row.created_at),
        name: row.data_file_name,
    };
    Ok((row.project_id, file))
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::documents::processing::{self, ReadText};
    use crate::domain::documents::upload::{self, ReceivedFile};
    use crate::testing::{invoice_pdf, received, upload_of, Fixture, INVOICE};

    fn not_ready(result: Result<StoredFile>) -> String {
        match result {
            Err(Error::NotReady(message)) => message,
            Err(other) => panic!("{other:?}"),
            Ok(file) => panic!("{} is ready", file.key),
        }
    }

    #[tokio::test]
    async fn the_original_is_served_as_uploaded_and_the_searchable_pdf_once_processed() {
        let fx = Fixture::new().await;
        let db = fx.db();
        let owner = fx.user("owner@example.com").await;
        let project = fx.project(owner, "Invoices").await;
        let id = fx.upload(owner, project, None).await;
        let doc = fx.load(id).await;
        let file = original(db, &doc).await.unwrap();
        assert_eq!((file.content_type, file.name.as_str()), ("application/pdf", "invoice.pdf"));
        assert_eq!(fx.state.storage.get(&file.key).await.unwrap(), invoice_pdf());
        // A born-digital PDF is its own searchable PDF.
        assert_eq!(pdf_key(db, id).await.unwrap(), Some(file.key.clone()));
        assert_eq!(not_ready(searchable_pdf(db, &doc).await), "The document has not been processed yet.");

        fx.process(id, INVOICE).await;
        let doc = fx.load(id).await;
        let pdf = searchable_pdf(db, &doc).await.unwrap();
        assert_eq!(
            (pdf.key, pdf.content_type, pdf.name.as_str()),
            (file.key.clone(), "application/pdf", "invoice.pdf")
        );
        let (set_project, set_file) = set_original(db, doc.document_set.unwrap()).await.unwrap();
        assert_eq!((set_project, set_file.key, set_file.name.as_str()), (project, file.key, "invoice.pdf"));
        assert!(matches!(set_original(db, doc.document_set.unwrap() + 100).await, Err(Error::NotFound)));
        assert!(matches!(original(db, &Document { id: id + 100, ..doc }).await, Err(Error::NotFound)));
    }

    #[tokio::test]
    async fn a_scan_has_a_searchable_pdf_only_once_ocr_wrote_one() {
        let fx = Fixture::new().await;
        let db = fx.db();
        let owner = fx.user("owner@example.com").await;
        let project = fx.project(owner, "Scans").await;
        let png = b"\x89PNG\r\n\x1a\n not really an image".to_vec();
        let path = fx.file(&png);
        let file: ReceivedFile = received("scan.png", &path, &png);
        let id = upload::create(&fx.state, owner, upload_of(project, None, file)).await.unwrap();
        let doc = fx.load(id).await;
        assert_eq!(original(db, &doc).await.unwrap().content_type, "image/png");
        assert_eq!(pdf_key(db, id).await.unwrap(), None);

        fx.process(id, INVOICE).await;
        assert_eq!(not_ready(searchable_pdf(db, &fx.load(id).await).await), "The searchable PDF is not ready yet.");
        let ocr = fx.file(b"%PDF-1.4 ocr");
        let read = ReadText { text: "", chars: &[], words: &[], ocr_pdf: Some(ocr.as_path()), producer: None };
        processing::store_text(&fx.state, id, read).await.unwrap();
        let pdf = searchable_pdf(db, &fx.load(id).await).await.unwrap();
        assert_eq!((pdf.key.as_str(), pdf.name.as_str()), (format!("documents/{id}/ocr.pdf").as_str(), "scan.png.pdf"));
        assert_eq!(fx.state.storage.get(&pdf.key).await.unwrap(), &b"%PDF-1.4 ocr"[..]);
    }
}

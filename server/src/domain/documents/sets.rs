//! Document sets (§16): an upload and the documents made from it.

use lectern_api::documents::DocumentSet;

use crate::db::Db;
use crate::domain::projects;
use crate::error::{Error, Result};

/// A document set with the documents made from its upload, newest first, if the user is a member of its
/// project.
pub async fn visible(db: &Db, user: i64, id: i64) -> Result<DocumentSet> {
    let found: Option<(i64, i64)> =
        sqlx::query_as("SELECT project_id, original_number_of_pages FROM document_sets WHERE id = $1")
            .bind(id)
            .fetch_optional(db)
            .await?;
    let (project, pages) = found.ok_or(Error::NotFound)?;
    projects::member_only(db, user, project).await?;
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM documents WHERE document_set_id = $1 ORDER BY created_at DESC, id DESC")
            .bind(id)
            .fetch_all(db)
            .await?;
    Ok(DocumentSet {
        id,
        original_file_url: format!("/doc/show-document-set-original/{id}/"),
        original_number_of_pages: pages as u32,
        documents: super::review::details(db, &ids).await?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::documents::postprocess::{apply, Output};
    use crate::testing::{refusal, Fixture};

    #[tokio::test]
    async fn a_document_set_shows_members_the_documents_of_its_upload_newest_first() {
        let (fx, invoice) = Fixture::with_invoice().await;
        let db = fx.db();
        let stranger = fx.user("stranger@example.com").await;
        let set = fx.load(invoice.doc).await.document_set.unwrap();
        let found = visible(db, invoice.owner, set).await.unwrap();
        assert_eq!((found.id, found.original_number_of_pages), (set, 2));
        assert_eq!(found.original_file_url, format!("/doc/show-document-set-original/{set}/"));
        assert_eq!(found.documents.iter().map(|d| d.document.id).collect::<Vec<_>>(), [invoice.doc]);
        assert_eq!(found.documents[0].pages.len(), 2);

        let outputs: Vec<Output> =
            (0..2).map(|i| Output { name: format!("part {i}.pdf"), category: None, pages: vec![(i, 0)] }).collect();
        let files = [fx.file(b"%PDF-1.4 first"), fx.file(b"%PDF-1.4 second")];
        let ids = apply(&fx.state, invoice.owner, invoice.doc, &outputs, &files, false).await.unwrap();
        let found = visible(db, invoice.owner, set).await.unwrap();
        assert_eq!(found.documents.iter().map(|d| d.document.id).collect::<Vec<_>>(), [ids[1], ids[0]]);
        // The set keeps the page count of the upload.
        assert_eq!(found.original_number_of_pages, 2);

        assert_eq!(refusal(visible(db, stranger, set).await), "404 Not found.");
        assert_eq!(refusal(visible(db, invoice.owner, set + 100).await), "404 Not found.");
    }
}

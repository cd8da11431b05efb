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
    if !projects::is_member(db, user, project).await? {
        return Err(Error::NotFound);
    }
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

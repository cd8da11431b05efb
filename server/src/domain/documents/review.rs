//! A document with its review: the full detail with the annotation tree, and changes to the document, among
//! them finishing its review.

use lectern_api::documents::{Document, DocumentDetail, DocumentWrite};

use super::{check_dataset_status, load, member_id, pages, text};
use crate::db::Db;
use crate::domain::annotations::{lock, tree};
use crate::domain::schema::{self, categories};
use crate::domain::validate;
use crate::error::{Error, Result};

/// The full representation: the document with its text, pages and annotation sets.
pub async fn detail(db: &Db, doc: Document) -> Result<DocumentDetail> {
    let text = text::text_of(db, doc.id).await?;
    let pages = pages::summaries(db, doc.id).await?;
    let schema = categories::schema_of(db, doc.category).await?;
    let (annotation_sets, review_counts) = tree::build(&mut *db.acquire().await?, &doc, &schema).await?;
    Ok(DocumentDetail { document: doc, text, pages, annotation_sets, review_counts })
}

/// The details of documents, in the order of `ids`.
pub async fn details(db: &Db, ids: &[i64]) -> Result<Vec<DocumentDetail>> {
    let mut out = Vec::with_capacity(ids.len());
    for doc in load(db, ids).await? {
        out.push(detail(db, doc).await?);
    }
    Ok(out)
}

/// Blanks who worked on a document and its callback URL (which may hold a secret) for a reader who is not a
/// member: the public view shows the document, not its team. The keys stay, as null, so the shape is the one
/// members get.
pub fn redact(detail: &mut DocumentDetail) {
    let doc = &mut detail.document;
    (doc.assignee, doc.created_by, doc.callback_url) = (None, None, None);
    for a in detail.annotation_sets.iter_mut().flat_map(|s| &mut s.labels).flat_map(|l| &mut l.annotations) {
        (a.created_by, a.revised_by) = (None, None);
    }
}

/// Changes a document's name, category, review state, dataset status or assignee; only the fields sent are
/// written. Finishing the review is checked and written in the document's lock, so no annotation write slips
/// between.
pub async fn update(db: &Db, doc: Document, body: DocumentWrite) -> Result<()> {
    let name = body.data_file_name.as_deref().map(|n| validate::name("data_file_name", Some(n))).transpose()?;
    let category = match body.category {
        Some(Some(c)) => {
            schema::check_category(db, doc.project, c).await?;
            Some(c)
        }
        Some(None) => None,
        None => doc.category,
    };
    let dataset_status = body.dataset_status.map(check_dataset_status).transpose()?;
    let assignee = match &body.assignee {
        Some(Some(who)) => Some(Some(member_id(db, doc.project, "assignee", who).await?)),
        Some(None) => Some(None),
        None => None,
    };
    let schema = categories::schema_of(db, doc.category).await?;
    let (mut tx, doc) = lock::document(db, doc.id).await?;
    if body.is_reviewed == Some(true) && !doc.is_reviewed {
        let (_, counts) = tree::build(&mut tx, &doc, &schema).await?;
        if let Some(why) = counts.review_blocker() {
            return Err(Error::field("is_reviewed", why));
        }
    }
    sqlx::query(
        "UPDATE documents SET data_file_name = COALESCE($1, data_file_name), category_id = CASE WHEN $2 THEN $3 ELSE category_id END,
            category_is_revised = COALESCE($4, category_is_revised), is_reviewed = COALESCE($5, is_reviewed),
            dataset_status = COALESCE($6, dataset_status), assignee_id = CASE WHEN $7 THEN $8 ELSE assignee_id END WHERE id = $9",
    )
    .bind(name)
    .bind(body.category.is_some())
    .bind(category)
    .bind(body.category_is_revised)
    .bind(body.is_reviewed)
    .bind(dataset_status)
    .bind(assignee.is_some())
    .bind(assignee.flatten())
    .bind(doc.id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

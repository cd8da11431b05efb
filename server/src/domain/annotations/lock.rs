//! The lock every write to a document's annotations (and missing annotations) runs in.

use lectern_api::documents::Document;

use crate::db::{self, Db, Tx};
use crate::error::{Error, Result};

/// Starts the transaction that every write to the annotations of `documents` runs in, and reads the documents
/// inside it. It begins by bumping each document's `updated_at` (the SDK refreshes a document when it
/// changes), which locks the document's row on PostgreSQL and takes SQLite's write lock. So writes to one
/// document are serialised, and the checks made inside (reviewed? still there? a duplicate?) see the latest
/// state. Rows are locked in id order, so two requests that lock several documents cannot deadlock. Nothing
/// may use the pool between this and the commit: on SQLite it would wait for the lock this transaction holds.
pub async fn documents(db: &Db, documents: &[i64]) -> Result<(Tx, Vec<Document>)> {
    let mut ids = documents.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut tx = db.begin().await?;
    let now = db::now();
    for id in &ids {
        let done = sqlx::query("UPDATE documents SET updated_at = $1 WHERE id = $2")
            .bind(&now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound);
        }
    }
    let docs = crate::domain::documents::load(&mut *tx, &ids).await?;
    Ok((tx, docs))
}

/// `documents` for one document.
pub async fn document(db: &Db, document: i64) -> Result<(Tx, Document)> {
    let (tx, mut docs) = documents(db, &[document]).await?;
    Ok((tx, docs.pop().ok_or(Error::NotFound)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Fixture;

    #[tokio::test]
    async fn a_lock_reads_each_document_once_in_id_order_and_marks_it_changed_on_commit() {
        let (fx, invoice) = Fixture::with_invoice().await;
        let db = fx.db();
        let second = fx.document(invoice.owner, invoice.project, None).await;
        let before = fx.load(invoice.doc).await.updated_at;

        let (tx, docs) = documents(db, &[second, invoice.doc, second]).await.unwrap();
        assert_eq!(docs.iter().map(|d| d.id).collect::<Vec<_>>(), [invoice.doc, second]);
        assert!(docs[0].updated_at > before, "{} > {before}", docs[0].updated_at);
        drop(tx);
        // Rolled back: nothing changed.
        assert_eq!(fx.load(invoice.doc).await.updated_at, before);

        let (tx, doc) = document(db, invoice.doc).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(fx.load(invoice.doc).await.updated_at, doc.updated_at);
        assert!(matches!(documents(db, &[invoice.doc, second + 100]).await, Err(Error::NotFound)));
        assert!(matches!(document(db, second + 100).await, Err(Error::NotFound)));
    }
}

//! A processed document's stored text and character boxes, read into a `TextIndex` once per version.

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::state::AppState;

pub use super::text_index::{char_boxes, IndexCache, TextIndex};

/// The stored character boxes of a processed document (the file `GET bbox` serves); not ready before the
/// document has been processed.
pub async fn bbox_file(state: &AppState, id: i64) -> Result<bytes::Bytes> {
    let key: Option<Option<String>> =
        sqlx::query_scalar("SELECT bbox_key FROM documents WHERE id = $1").bind(id).fetch_optional(&state.db).await?;
    let key = key
        .ok_or(Error::NotFound)?
        .ok_or_else(|| Error::NotReady("The document has not been processed yet.".into()))?;
    Ok(state.storage.get(&key).await?)
}

/// The document's text; `None` before it has been processed.
pub async fn text_of(db: &crate::db::Db, id: i64) -> Result<Option<String>> {
    let text: Option<Option<String>> =
        sqlx::query_scalar("SELECT text FROM documents WHERE id = $1").bind(id).fetch_optional(db).await?;
    Ok(text.flatten())
}

/// The text index of a processed document, read once per version of its text and kept while it is among the
/// recently used (a review's writes on one document all reuse it).
pub async fn index(state: &AppState, id: i64) -> Result<Arc<TextIndex>> {
    let key: Option<Option<String>> =
        sqlx::query_scalar("SELECT bbox_key FROM documents WHERE id = $1").bind(id).fetch_optional(&state.db).await?;
    let key = key
        .ok_or(Error::NotFound)?
        .ok_or_else(|| Error::NotReady("The document has not been processed yet.".into()))?;
    if let Some(index) = state.text_indexes.get(&key) {
        return Ok(index);
    }
    let bytes = state.storage.get(&key).await?;
    let text = text_of(&state.db, id).await?;
    let index = Arc::new(TextIndex::from_bbox_json(&text.unwrap_or_default(), &bytes)?);
    state.text_indexes.put(key, index.clone());
    Ok(index)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{invoice_text, offsets, refusal, Fixture, INVOICE};

    #[tokio::test]
    async fn the_text_and_its_boxes_are_there_once_the_document_is_processed() {
        let fx = Fixture::new().await;
        let state = &fx.state;
        let owner = fx.user("owner@example.com").await;
        let project = fx.project(owner, "Invoices").await;
        let id = fx.upload(owner, project, None).await;
        assert_eq!(text_of(&state.db, id).await.unwrap(), None);
        assert_eq!(refusal(bbox_file(state, id).await), "428 The document has not been processed yet.");
        assert_eq!(refusal(bbox_file(state, id + 100).await), "404 Not found.");

        fx.process(id, INVOICE).await;
        assert_eq!(text_of(&state.db, id).await.unwrap(), Some(invoice_text()));
        let boxes = char_boxes(&bbox_file(state, id).await.unwrap()).unwrap();
        let (start, end) = offsets("9,50");
        let total: String = (start..end).map(|o| boxes[&o].text.as_str()).collect();
        assert_eq!((total.as_str(), boxes[&start].page_index, boxes[&start].line_index), ("9,50", 0, 2));
        let hits = super::index(state, id).await.unwrap().search("item");
        let found: Vec<(u32, &str)> = hits.iter().map(|s| (s.page_index, s.offset_string.as_str())).collect();
        assert_eq!(found, [(1, "Item"), (1, "Item")]);
        assert_eq!(hits[0].start_offset, offsets("Item").0);
    }
}

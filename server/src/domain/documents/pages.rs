//! A document's pages (§9): their sizes, images and words.

use lectern_api::documents::{PageDetail, PageSummary};
use lectern_api::geometry::Entity;

use crate::db::{Db, Json};
use crate::error::{Error, Result};

#[derive(sqlx::FromRow)]
struct PageRow {
    id: i64,
    number: i64,
    width: f64,
    height: f64,
    image_width: Option<i64>,
    image_height: Option<i64>,
}

impl From<PageRow> for PageSummary {
    fn from(r: PageRow) -> PageSummary {
        let px = |v: Option<i64>| v.unwrap_or(0) as u32;
        PageSummary {
            id: r.id,
            number: r.number as u32,
            image_url: format!("/page/show-image/{}/", r.id),
            thumbnail_url: format!("/page/show-thumbnail/{}/", r.id),
            original_size: [r.width, r.height],
            size: [px(r.image_width), px(r.image_height)],
        }
    }
}

/// The pages of a document in order.
pub async fn summaries(db: &Db, document: i64) -> Result<Vec<PageSummary>> {
    let rows: Vec<PageRow> = sqlx::query_as("SELECT * FROM pages WHERE document_id = $1 ORDER BY number")
        .bind(document)
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().map(PageSummary::from).collect())
}

/// The ids of a document's pages in order.
pub async fn ids(db: &Db, document: i64) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar("SELECT id FROM pages WHERE document_id = $1 ORDER BY number")
        .bind(document)
        .fetch_all(db)
        .await?)
}

/// Each page's size in points, in order.
pub async fn sizes(db: &Db, document: i64) -> Result<Vec<[f64; 2]>> {
    let sizes: Vec<(f64, f64)> =
        sqlx::query_as("SELECT width, height FROM pages WHERE document_id = $1 ORDER BY number")
            .bind(document)
            .fetch_all(db)
            .await?;
    Ok(sizes.into_iter().map(|(w, h)| [w, h]).collect())
}

#[derive(sqlx::FromRow)]
struct PageDetailRow {
    #[sqlx(flatten)]
    page: PageRow,
    entities: Json<Vec<Entity>>,
    created_at: String,
    updated_at: String,
}

/// Page `number` (1-based) of a document, with its words.
pub async fn detail(db: &Db, document: i64, number: i64) -> Result<PageDetail> {
    let row: PageDetailRow = sqlx::query_as("SELECT * FROM pages WHERE document_id = $1 AND number = $2")
        .bind(document)
        .bind(number)
        .fetch_optional(db)
        .await?
        .ok_or(Error::NotFound)?;
    let summary = PageSummary::from(row.page);
    Ok(PageDetail {
        id: summary.id,
        number: summary.number,
        entities: row.entities.0,
        image_url: summary.image_url,
        thumbnail_url: summary.thumbnail_url,
        original_size: summary.original_size,
        size: summary.size,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// Which picture of a page.
#[derive(Debug, Clone, Copy)]
pub enum Picture {
    Image,
    Thumbnail,
}

/// A page's picture as stored: the page's document, its storage key (none while it renders) and a version
/// for its ETag.
pub struct StoredPicture {
    pub document: i64,
    pub key: Option<String>,
    pub version: String,
}

pub async fn picture(db: &Db, page: i64, which: Picture) -> Result<StoredPicture> {
    let column = match which {
        Picture::Image => "image_key",
        Picture::Thumbnail => "thumbnail_key",
    };
    let found: Option<(i64, Option<String>, String)> =
        sqlx::query_as(&format!("SELECT document_id, {column}, updated_at FROM pages WHERE id = $1"))
            .bind(page)
            .fetch_optional(db)
            .await?;
    let (document, key, updated_at) = found.ok_or(Error::NotFound)?;
    Ok(StoredPicture { document, key, version: format!("{page}-{column}-{updated_at}") })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample_pdf::A4;
    use crate::testing::{offsets, refusal, Fixture};

    #[tokio::test]
    async fn a_processed_document_has_its_pages_in_order_with_their_sizes_and_words() {
        let (fx, invoice) = Fixture::with_invoice().await;
        let db = fx.db();
        let ids = ids(db, invoice.doc).await.unwrap();
        assert_eq!(ids.len(), 2);
        let pages = summaries(db, invoice.doc).await.unwrap();
        assert_eq!(pages.iter().map(|p| (p.id, p.number)).collect::<Vec<_>>(), [(ids[0], 1), (ids[1], 2)]);
        assert_eq!((pages[0].original_size, pages[0].size), (A4, [595, 842]));
        assert_eq!(pages[1].image_url, format!("/page/show-image/{}/", ids[1]));
        assert_eq!(pages[1].thumbnail_url, format!("/page/show-thumbnail/{}/", ids[1]));
        assert_eq!(sizes(db, invoice.doc).await.unwrap(), [A4, A4]);

        let second = detail(db, invoice.doc, 2).await.unwrap();
        assert_eq!((second.id, second.number, second.original_size), (ids[1], 2, A4));
        let words: Vec<&str> = second.entities.iter().map(|w| w.offset_string.as_str()).collect();
        assert_eq!(words, ["Item", "Pen", "2,00", "Item", "Ink", "7,50"]);
        assert_eq!(second.entities[1].start_offset, offsets("Pen").0);
        assert_eq!(refusal(detail(db, invoice.doc, 3).await), "404 Not found.");

        let waiting = fx.upload(invoice.owner, invoice.project, None).await;
        assert!(summaries(db, waiting).await.unwrap().is_empty());
        assert!(sizes(db, waiting).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_page_picture_is_found_by_the_page_s_id() {
        let (fx, invoice) = Fixture::with_invoice().await;
        let db = fx.db();
        let page = ids(db, invoice.doc).await.unwrap()[0];
        let image = picture(db, page, Picture::Image).await.unwrap();
        assert_eq!(image.document, invoice.doc);
        assert_eq!(fx.state.storage.get(image.key.as_deref().unwrap()).await.unwrap(), &b"page"[..]);
        assert!(image.version.starts_with(&format!("{page}-image_key-")), "{}", image.version);
        let thumbnail = picture(db, page, Picture::Thumbnail).await.unwrap();
        assert_eq!(fx.state.storage.get(thumbnail.key.as_deref().unwrap()).await.unwrap(), &b"thumbnail"[..]);
        assert_ne!(thumbnail.version, image.version);
        assert!(matches!(picture(db, page + 100, Picture::Image).await, Err(Error::NotFound)));
    }
}

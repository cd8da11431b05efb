//! Annotations (§12): reading them, the document lock every write runs in, where a new annotation goes, its
//! spans, the `annotation_sets` tree of a document (§8), the writes, and "not found" markers (§13).

use lectern_api::annotations::{Annotation, AnnotationMetadata, AnnotationNested, AnnotationSpan, NamedRef};
use lectern_api::documents::Document;
use lectern_api::geometry::PageBox;
use lectern_api::review::State;

use super::list::{Filter, FilterKind, ListSpec, Scope};
use crate::db::{self, Db, Flag, Json};
use crate::error::{Error, Result};

pub mod carry;
pub mod lock;
pub mod missing;
pub mod placement;
pub mod spans;
pub mod tree;
pub mod write;

pub const LIST: ListSpec = ListSpec {
    from: "annotations t",
    ordering: &[
        ("id", "t.id"),
        ("created_at", "t.created_at"),
        ("updated_at", "t.updated_at"),
        ("start_offset", "t.start_offset"),
    ],
    filters: &[
        Filter { param: "document", column: "t.document_id", kind: FilterKind::Int },
        Filter { param: "label", column: "t.label_id", kind: FilterKind::Int },
        Filter { param: "label_set", column: "t.label_set_id", kind: FilterKind::Int },
        Filter { param: "annotation_set", column: "t.annotation_set_id", kind: FilterKind::Int },
        Filter { param: "is_correct", column: "t.is_correct", kind: FilterKind::Bool },
        Filter { param: "revised", column: "t.revised", kind: FilterKind::Bool },
    ],
};

pub fn scope(user: i64) -> Scope {
    Scope::member_documents(user)
}

const SELECT: &str = "SELECT t.*, l.name AS label_name, l.api_name AS label_api_name,
        s.name AS set_name, s.api_name AS set_api_name, c.email AS creator_email, r.email AS reviser_email
    FROM annotations t JOIN labels l ON l.id = t.label_id JOIN label_sets s ON s.id = t.label_set_id
    LEFT JOIN users c ON c.id = t.created_by_id LEFT JOIN users r ON r.id = t.revised_by_id";

#[derive(sqlx::FromRow)]
struct AnnotationRow {
    id: i64,
    document_id: i64,
    annotation_set_id: i64,
    label_id: i64,
    label_name: String,
    label_api_name: String,
    label_set_id: i64,
    set_name: String,
    set_api_name: String,
    spans: Json<Vec<AnnotationSpan>>,
    selection_bbox: Option<Json<PageBox>>,
    offset_string: String,
    offset_string_original: String,
    #[sqlx(try_from = "Flag")]
    custom_offset_string: bool,
    confidence: Option<f64>,
    #[sqlx(try_from = "Flag")]
    is_correct: bool,
    #[sqlx(try_from = "Flag")]
    revised: bool,
    origin: String,
    creator_email: Option<String>,
    reviser_email: Option<String>,
    metadata: Option<Json<AnnotationMetadata>>,
    created_at: String,
    updated_at: String,
}

impl From<AnnotationRow> for Annotation {
    fn from(r: AnnotationRow) -> Annotation {
        Annotation {
            nested: AnnotationNested {
                id: r.id,
                document: r.document_id,
                offset_string: r.offset_string,
                offset_string_original: r.offset_string_original,
                translated_string: None,
                normalized: None,
                confidence: r.confidence,
                is_correct: r.is_correct,
                revised: r.revised,
                origin: r.origin,
                created_by: r.creator_email,
                revised_by: r.reviser_email,
                span: r.spans.0,
                selection_bbox: r.selection_bbox.map(|b| b.0),
                custom_offset_string: r.custom_offset_string,
            },
            label: NamedRef { id: r.label_id, name: r.label_name, api_name: r.label_api_name },
            label_set: NamedRef { id: r.label_set_id, name: r.set_name, api_name: r.set_api_name },
            annotation_set: r.annotation_set_id,
            metadata: r.metadata.map(|m| m.0),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Annotations in the order of `ids`, read through `db` (a document's lock, or the pool).
pub async fn load<'e>(db: impl sqlx::Executor<'e, Database = sqlx::Any>, ids: &[i64]) -> Result<Vec<Annotation>> {
    let rows: Vec<AnnotationRow> = db::by_ids(db, SELECT, ids, |r: &AnnotationRow| r.id).await?;
    Ok(rows.into_iter().map(Annotation::from).collect())
}

/// Every annotation of a document, in text order.
pub async fn of_document<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    document: i64,
) -> Result<Vec<Annotation>> {
    let sql = format!("{SELECT} WHERE t.document_id = $1 ORDER BY t.start_offset, t.id");
    let rows: Vec<AnnotationRow> = sqlx::query_as(&sql).bind(document).fetch_all(db).await?;
    Ok(rows.into_iter().map(Annotation::from).collect())
}

/// The annotation and its document, if the user is a member of the document's project.
pub async fn visible(db: &Db, user: i64, id: i64) -> Result<(Annotation, Document)> {
    let a = load(db, &[id]).await?.pop().ok_or(Error::NotFound)?;
    let doc = super::documents::visible(db, user, a.nested.document).await?;
    Ok((a, doc))
}

/// A reviewed document's annotations do not change until `is_reviewed` is set back to false.
pub fn writable(doc: &Document) -> Result<()> {
    if doc.is_reviewed {
        return Err(Error::BadRequest(format!(
            "Document {} is reviewed; set is_reviewed to false before changing its annotations.",
            doc.id
        )));
    }
    Ok(())
}

/// An annotation with text offsets, as training and extraction read them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Placed {
    pub label_id: i64,
    pub label_set_id: i64,
    pub annotation_set_id: i64,
    pub start_offset: i64,
    pub end_offset: i64,
    #[sqlx(try_from = "Flag")]
    is_correct: bool,
    #[sqlx(try_from = "Flag")]
    revised: bool,
    #[sqlx(try_from = "Flag")]
    by_human: bool,
}

impl Placed {
    pub fn state(&self) -> State {
        State::of(self.is_correct, self.revised, self.by_human)
    }
}

/// The annotations of a document that lie on its text (drawn boxes over no text have no offsets), by id.
pub async fn on_text(db: &Db, document: i64) -> Result<Vec<Placed>> {
    Ok(sqlx::query_as(
        "SELECT label_id, label_set_id, annotation_set_id, start_offset, end_offset, is_correct, revised,
            created_by_id IS NOT NULL AS by_human
         FROM annotations WHERE document_id = $1 AND start_offset IS NOT NULL ORDER BY id",
    )
    .bind(document)
    .fetch_all(db)
    .await?)
}

#[cfg(test)]
mod tests {
    use lectern_api::annotations::{AnnotationWrite, SpanInput};

    use super::*;
    use crate::domain::list::{self, Params};
    use crate::testing::{offsets, refusal, Fixture, Invoice};

    #[tokio::test]
    async fn a_document_s_annotations_read_back_in_text_order_for_members_only() {
        let (fx, Invoice { owner, doc, schema: s, .. }) = Fixture::with_invoice().await;
        let db = fx.db();
        let stranger = fx.user("stranger@example.com").await;
        let total = fx.annotate(owner, doc, s.total, "9,50").await;
        let date = fx.annotate(owner, doc, s.date, "2026-01-31").await;
        let all = of_document(db, doc).await.unwrap();
        assert_eq!(all.iter().map(|a| a.nested.id).collect::<Vec<_>>(), [date, total]);
        let a = &all[1];
        assert_eq!((a.label.name.as_str(), a.label_set.id, a.nested.document), ("Total", s.category, doc));
        assert_eq!((a.nested.offset_string.as_str(), a.nested.origin.as_str()), ("9,50", "api.v3"));
        assert_eq!((a.nested.created_by.as_deref(), a.nested.confidence), (Some("owner@example.com"), None));
        assert_eq!(a.nested.state(), State::CreatedByHuman);
        assert_eq!(a.nested.span[0].offsets(), Some(offsets("9,50")));
        assert_eq!(
            load(db, &[total, date]).await.unwrap().iter().map(|a| a.nested.id).collect::<Vec<_>>(),
            [total, date]
        );

        let (found, document) = visible(db, owner, total).await.unwrap();
        assert_eq!((found.nested.id, document.id), (total, doc));
        assert_eq!(refusal(visible(db, stranger, total).await), "404 Not found.");
        assert_eq!(refusal(visible(db, owner, total + 100).await), "404 Not found.");
        let label = Params(vec![("label".into(), s.total.to_string())]);
        assert_eq!(list::find(db, &LIST, scope(owner), &label).await.unwrap().ids, [total]);
        assert!(list::find(db, &LIST, scope(stranger), &Params::default()).await.unwrap().ids.is_empty());
    }

    #[tokio::test]
    async fn a_box_drawn_over_no_text_is_kept_but_lies_on_no_text() {
        let (fx, invoice) = Fixture::with_invoice().await;
        let db = fx.db();
        let (doc, s) = (invoice.doc, invoice.schema);
        fx.annotate(invoice.owner, doc, s.total, "9,50").await;
        let drawn = SpanInput {
            x0: Some(300.0),
            x1: Some(400.0),
            y0: Some(100.0),
            y1: Some(120.0),
            page_index: Some(0),
            offset_string: Some("signed".into()),
            ..SpanInput::default()
        };
        let write = AnnotationWrite {
            document: Some(doc),
            label: Some(s.date),
            span: Some(vec![drawn]),
            ..AnnotationWrite::default()
        };
        let signed = super::write::create(&fx.state, Some(invoice.owner), vec![(write, None)]).await.unwrap()[0];
        let signed = load(db, &[signed]).await.unwrap().pop().unwrap();
        assert_eq!((signed.nested.offset_string.as_str(), signed.nested.span[0].offsets()), ("signed", None));
        let placed = on_text(db, doc).await.unwrap();
        assert_eq!(placed.len(), 1);
        let (start, end) = offsets("9,50");
        assert_eq!(
            (placed[0].label_id, placed[0].start_offset, placed[0].end_offset),
            (s.total, start as i64, end as i64)
        );
        assert_eq!(placed[0].state(), State::CreatedByHuman);
        assert_eq!(of_document(db, doc).await.unwrap().len(), 2);
    }
}

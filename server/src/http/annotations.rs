//! Annotations (§12): create (one or a list), list, detail, change, delete, bulk accept/decline, and the `annotation_sets` tree of document detail (§8).
//!
//! Choices where the reference is silent: a single object posted is answered with the annotation (the SDK
//! reads its `id`), a list with a list. DELETE of an AI suggestion that is not declined yet keeps it as
//! declined (training learns from it); DELETE of a human annotation, or of one already declined, removes it.
//! The SDK's soft delete answers the same id (no copy is made). A new annotation with the same spans and
//! label as a *declined* one replaces the declined one; over any other it is refused with 403. With neither
//! `annotation_set` nor `label_set`, the label set is the first of the category (its default set first) that
//! holds the label, and its existing set is reused (the latest of a repeating one) or one is made. A PATCH writes only the fields
//! sent. The annotation's `offset_string` joins its spans' strings with `\n`; a drawn box with no text keeps
//! the typed text with null offsets. Labels marked missing in a potential set move to the set that replaces it.
//! Writes to one document's annotations are serialised by `lock_documents`; a list is stored all or none.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use lectern_api::annotations::{
    Annotation, AnnotationNested, AnnotationWrite, BulkUpdate, NamedRef, ReviewCounts, SpanInput,
};
use lectern_api::documents::Document;
use lectern_api::geometry::PageBox;
use lectern_api::{Paginated, SchemaLabelSet};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use sqlx::any::AnyRow;
use sqlx::Row;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::auth::AuthUser;
use super::error::{from_value, parse_json, Body, Error, PathId, Result};
use super::list::{Condition, Fields, Filter, FilterKind, ListRequest, ListSpec};
use super::{categories, documents, pages, validate, AppState};
use crate::db::{self, Arg, Db};
use crate::review;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_annotations, create_annotations))
        .routes(routes!(get_annotation, update_annotation, delete_annotation))
        .routes(routes!(update_document_annotations))
}

pub const DUPLICATE: &str = "In one Project you cannot label the same text twice.";

const SPEC: ListSpec = ListSpec {
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

const SELECT: &str = "SELECT t.*, d.project_id AS project_id, l.name AS label_name, l.api_name AS label_api_name,
        s.name AS set_name, s.api_name AS set_api_name, c.email AS creator_email, r.email AS reviser_email
    FROM annotations t JOIN documents d ON d.id = t.document_id JOIN labels l ON l.id = t.label_id
    JOIN label_sets s ON s.id = t.label_set_id
    LEFT JOIN users c ON c.id = t.created_by_id LEFT JOIN users r ON r.id = t.revised_by_id";

/// Rows of documents in projects the user is a member of.
pub fn member_documents(user_id: i64) -> Condition {
    Condition {
        sql: "t.document_id IN (SELECT id FROM documents WHERE project_id IN
              (SELECT project_id FROM project_members WHERE user_id = ?))"
            .into(),
        args: vec![Arg::Int(user_id)],
    }
}

fn json_col(r: &AnyRow, col: &str) -> Result<Option<Value>> {
    let text: Option<String> = r.get(col);
    Ok(text.map(|t| serde_json::from_str(&t)).transpose().map_err(anyhow::Error::from)?)
}

fn from_row(r: &AnyRow) -> Result<Annotation> {
    let spans = match json_col(r, "spans")? {
        Some(Value::Array(s)) => s,
        _ => Vec::new(),
    };
    Ok(Annotation {
        nested: AnnotationNested {
            id: r.get("id"),
            document: r.get("document_id"),
            offset_string: r.get("offset_string"),
            offset_string_original: r.get("offset_string_original"),
            translated_string: None,
            normalized: None,
            confidence: r.get("confidence"),
            is_correct: db::flag(r, "is_correct"),
            revised: db::flag(r, "revised"),
            origin: r.get("origin"),
            created_by: r.get("creator_email"),
            revised_by: r.get("reviser_email"),
            span: spans,
            selection_bbox: json_col(r, "selection_bbox")?,
            custom_offset_string: db::flag(r, "custom_offset_string"),
        },
        label: NamedRef { id: r.get("label_id"), name: r.get("label_name"), api_name: r.get("label_api_name") },
        label_set: NamedRef { id: r.get("label_set_id"), name: r.get("set_name"), api_name: r.get("set_api_name") },
        annotation_set: r.get("annotation_set_id"),
        metadata: json_col(r, "metadata")?,
        created_at: r.get("created_at"),
        updated_at: r.get("updated_at"),
    })
}

/// The review state of an annotation.
pub fn state_of(a: &Annotation) -> review::State {
    review::state(a.nested.is_correct, a.nested.revised, a.nested.created_by.is_some())
}

pub async fn load<'e>(db: impl sqlx::Executor<'e, Database = sqlx::Any>, ids: &[i64]) -> Result<Vec<Annotation>> {
    db::rows_by_ids(db, SELECT, ids).await?.iter().map(from_row).collect()
}

/// Every annotation of a document, in text order.
pub async fn of_document<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    document: i64,
) -> Result<Vec<Annotation>> {
    let sql = format!("{SELECT} WHERE t.document_id = $1 ORDER BY t.start_offset, t.id");
    sqlx::query(&sql).bind(document).fetch_all(db).await?.iter().map(from_row).collect()
}

/// The annotation and its document, if the user is a member of the document's project.
async fn visible(state: &AppState, user: &AuthUser, id: i64) -> Result<(Annotation, Document)> {
    let a = load(&state.db, &[id]).await?.pop().ok_or(Error::NotFound)?;
    let doc = documents::visible(&state.db, user, a.nested.document).await?;
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

/// Starts the transaction that every write to the annotations (and missing annotations) of `documents` runs in,
/// and reads the documents inside it. It begins by bumping each document's `updated_at` (the SDK refreshes a
/// document when it changes), which locks the document's row on PostgreSQL and takes SQLite's write lock. So
/// writes to one document are serialised, and the checks made inside (reviewed? still there? a duplicate?) see
/// the latest state. Rows are locked in id order, so two requests that lock several documents cannot deadlock. Nothing may use
/// the pool between this and the commit: on SQLite it would wait for the lock this transaction holds.
pub async fn lock_documents(db: &Db, documents: &[i64]) -> Result<(db::Tx, Vec<Document>)> {
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
    let docs = documents::load(&mut *tx, &ids).await?;
    Ok((tx, docs))
}

/// `lock_documents` for one document.
pub async fn lock_document(db: &Db, document: i64) -> Result<(db::Tx, Document)> {
    let (tx, mut docs) = lock_documents(db, &[document]).await?;
    Ok((tx, docs.pop().ok_or(Error::NotFound)?))
}

/// A JSON body that is one object or a list of them, and whether it was a list.
pub fn one_or_many<T: DeserializeOwned>(bytes: &[u8]) -> Result<(Vec<T>, bool)> {
    match parse_json::<Value>(bytes)? {
        Value::Array(items) => Ok((items.into_iter().map(from_value).collect::<Result<_>>()?, true)),
        item @ Value::Object(_) => Ok((vec![from_value(item)?], false)),
        _ => Err(Error::BadRequest("Invalid data. Expected an object or a list of objects.".into())),
    }
}

/// The label sets of a category (its own first) with whether each allows several annotation sets.
async fn category_sets(db: &Db, category: i64) -> Result<Vec<(i64, bool)>> {
    Ok(categories::schema(db, category).await?.iter().map(|s| (s.id, s.has_multiple_annotation_sets)).collect())
}

pub async fn label_in_set(db: &Db, label: i64, label_set: i64) -> Result<bool> {
    Ok(sqlx::query("SELECT 1 AS one FROM label_set_labels WHERE label_id = $1 AND label_set_id = $2")
        .bind(label)
        .bind(label_set)
        .fetch_optional(db)
        .await?
        .is_some())
}

/// Checks that `label_set` is linked to the document's category and holds `label`; returns whether it allows
/// several annotation sets.
pub async fn check_label_set(db: &Db, doc: &Document, label: i64, label_set: i64) -> Result<bool> {
    let category = doc.category.ok_or_else(|| {
        Error::field("document", format!("Document {} has no category; set one before annotating it.", doc.id))
    })?;
    let sets = category_sets(db, category).await?;
    let Some((_, multiple)) = sets.iter().find(|(id, _)| *id == label_set) else {
        return Err(Error::field(
            "label_set",
            format!("Label set {label_set} is not linked to category {category} of document {}.", doc.id),
        ));
    };
    if !label_in_set(db, label, label_set).await? {
        return Err(Error::field("label", format!("Label {label} is not in label set {label_set}.")));
    }
    Ok(*multiple)
}

/// Where an annotation goes (§12.3), decided before the document is locked.
#[derive(Debug, Clone, Copy)]
enum SetChoice {
    /// An annotation set of the document, of this label set.
    Existing { set: i64, label_set: i64 },
    /// The existing set of the label set if there is one (the first of a non-repeating one, the latest of a
    /// repeating one), else a new one.
    Reuse { label_set: i64, latest: bool },
    /// A new set of a repeating label set.
    New { label_set: i64 },
}

/// Checks the label and the given set or label set against the document's category and decides where the
/// annotation goes: the given set, a new set of a repeating label set, the single set of a non-repeating one,
/// or the set inferred from the label.
async fn choose_set(
    db: &Db,
    doc: &Document,
    label: i64,
    annotation_set: Option<i64>,
    label_set: Option<i64>,
) -> Result<SetChoice> {
    validate::ids_in_project(db, "labels", "", doc.project, "label", &[label]).await?;
    if let Some(set) = annotation_set {
        let row = sqlx::query("SELECT label_set_id FROM annotation_sets WHERE id = $1 AND document_id = $2")
            .bind(set)
            .bind(doc.id)
            .fetch_optional(db)
            .await?
            .ok_or_else(|| Error::no_such("annotation_set", set))?;
        let set_label_set: i64 = row.get("label_set_id");
        if label_set.is_some_and(|ls| ls != set_label_set) {
            return Err(Error::field(
                "label_set",
                format!("Annotation set {set} belongs to label set {set_label_set}; send one of annotation_set and label_set."),
            ));
        }
        check_label_set(db, doc, label, set_label_set).await?;
        return Ok(SetChoice::Existing { set, label_set: set_label_set });
    }
    let (label_set, sent) = match label_set {
        Some(ls) => (ls, true),
        None => {
            let category = doc.category.ok_or_else(|| {
                Error::field("document", format!("Document {} has no category; set one before annotating it.", doc.id))
            })?;
            let mut found = None;
            for (id, _) in category_sets(db, category).await? {
                if label_in_set(db, label, id).await? {
                    found = Some(id);
                    break;
                }
            }
            let ls = found.ok_or_else(|| {
                Error::field(
                    "label",
                    format!("Label {label} is in no label set of category {category} of document {}.", doc.id),
                )
            })?;
            (ls, false)
        }
    };
    let multiple = check_label_set(db, doc, label, label_set).await?;
    Ok(if multiple && sent { SetChoice::New { label_set } } else { SetChoice::Reuse { label_set, latest: multiple } })
}

/// The annotation set and label set of a choice, making the set when needed; runs in the document's lock.
async fn place(tx: &mut db::Tx, document: i64, choice: SetChoice) -> Result<(i64, i64)> {
    let label_set = match choice {
        SetChoice::Existing { set, label_set } => return Ok((set, label_set)),
        SetChoice::Reuse { label_set, latest } => {
            let order = if latest { "DESC" } else { "ASC" };
            let sql = format!(
                "SELECT id FROM annotation_sets WHERE document_id = $1 AND label_set_id = $2 ORDER BY id {order}"
            );
            let existing = sqlx::query(&sql).bind(document).bind(label_set).fetch_optional(&mut **tx).await?;
            if let Some(row) = existing {
                return Ok((row.get("id"), label_set));
            }
            label_set
        }
        SetChoice::New { label_set } => label_set,
    };
    let id: i64 = sqlx::query(
        "INSERT INTO annotation_sets (document_id, label_set_id, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(document)
    .bind(label_set)
    .bind(db::now())
    .fetch_one(&mut **tx)
    .await?
    .get("id");
    // Labels marked missing in the potential set (no id yet) now belong to the set that replaces it.
    sqlx::query(
        "UPDATE missing_annotations SET annotation_set_id = $1
         WHERE document_id = $2 AND label_set_id = $3 AND annotation_set_id IS NULL",
    )
    .bind(id)
    .bind(document)
    .bind(label_set)
    .execute(&mut **tx)
    .await?;
    Ok((id, label_set))
}

/// Spans resolved against the document's characters.
struct Resolved {
    spans: Vec<Value>,
    offset_string: String,
    offset_string_original: String,
    custom: bool,
    start: Option<i64>,
    end: Option<i64>,
}

impl Resolved {
    /// The `(start, end)` offsets of each span, which two annotations of one label must not share.
    fn key(spans: &[Value]) -> Option<Vec<(i64, i64)>> {
        spans.iter().map(|s| Some((s["start_offset"].as_i64()?, s["end_offset"].as_i64()?))).collect()
    }
}

/// Boxes become the characters inside them (one span per line); offsets become the characters between them.
/// A drawn box with no text under it is kept with the typed `offset_string` and null offsets.
fn resolve_spans(index: &crate::spans::TextIndex, doc: &Document, inputs: &[SpanInput]) -> Result<Resolved> {
    if inputs.is_empty() {
        return Err(Error::field("span", "At least one span is required."));
    }
    let mut boxes = Vec::new();
    let mut spans = Vec::new();
    let mut typed = Vec::new();
    for s in inputs {
        match (s.x0, s.x1, s.y0, s.y1, s.page_index, s.start_offset, s.end_offset) {
            (Some(x0), Some(x1), Some(y0), Some(y1), Some(page_index), _, _) => {
                if !(x0 <= x1 && y0 <= y1) || [x0, x1, y0, y1].iter().any(|v| !v.is_finite()) {
                    return Err(Error::field("span", "A box needs x0 ≤ x1 and y0 ≤ y1 with finite numbers."));
                }
                if page_index >= doc.number_of_pages {
                    return Err(Error::field(
                        "span",
                        format!("page_index {page_index} is not a page of this document."),
                    ));
                }
                // A little slack for coordinates that went through rounding on the client.
                let e = 0.005;
                boxes.push(PageBox {
                    x0: x0 - e,
                    x1: x1 + e,
                    y0: y0 - e,
                    y1: y1 + e,
                    page_index,
                    offset_string: s.offset_string.clone(),
                });
                typed.push(json!({"x0": x0, "x1": x1, "y0": y0, "y1": y1, "page_index": page_index,
                    "start_offset": null, "end_offset": null,
                    "offset_string": s.offset_string.clone().unwrap_or_default(), "offset_string_original": ""}));
            }
            (_, _, _, _, _, Some(start), Some(end)) => {
                let found = if start < end { index.spans_for_range(start, end) } else { Vec::new() };
                if found.is_empty() {
                    return Err(Error::field("span", format!("There is no text between offsets {start} and {end}.")));
                }
                let single = found.len() == 1;
                for mut span in found {
                    if let (true, Some(custom)) = (single, &s.offset_string) {
                        span.offset_string = custom.clone();
                    }
                    spans.push(span);
                }
            }
            _ => {
                return Err(Error::field(
                    "span",
                    "Each span needs x0, x1, y0, y1 and page_index, or start_offset and end_offset.",
                ))
            }
        }
    }
    let mut found = index.spans_in_boxes(&boxes);
    found.extend(spans);
    found.sort_by_key(|s| s.start_offset);
    found.dedup_by_key(|s| (s.start_offset, s.end_offset));
    let spans: Vec<Value> = if found.is_empty() {
        // DVUI's drawn box over no text: the user typed what it says.
        typed
    } else {
        found.iter().map(|s| serde_json::to_value(s).expect("a span serialises")).collect()
    };
    let strings =
        |key: &str| spans.iter().map(|s| s[key].as_str().unwrap_or("").to_owned()).collect::<Vec<_>>().join("\n");
    let (offset_string, offset_string_original) = (strings("offset_string"), strings("offset_string_original"));
    Ok(Resolved {
        custom: spans.iter().any(|s| s["offset_string"] != s["offset_string_original"]),
        start: spans.iter().filter_map(|s| s["start_offset"].as_i64()).min(),
        end: spans.iter().filter_map(|s| s["end_offset"].as_i64()).max(),
        spans,
        offset_string,
        offset_string_original,
    })
}

/// Refuses a second annotation of `label` over the same text (403); a declined one over it is replaced.
async fn check_duplicate(
    tx: &mut db::Tx,
    document: i64,
    label: i64,
    spans: &[Value],
    except: Option<i64>,
) -> Result<()> {
    let Some(key) = Resolved::key(spans) else { return Ok(()) };
    let rows = sqlx::query(
        "SELECT id, spans, is_correct, revised FROM annotations WHERE document_id = $1 AND label_id = $2 AND id <> $3",
    )
    .bind(document)
    .bind(label)
    .bind(except.unwrap_or(0))
    .fetch_all(&mut **tx)
    .await?;
    for r in rows {
        let other: Vec<Value> = serde_json::from_str(&r.get::<String, _>("spans")).map_err(anyhow::Error::from)?;
        if Resolved::key(&other).as_ref() == Some(&key) {
            if db::flag(&r, "revised") && !db::flag(&r, "is_correct") {
                sqlx::query("DELETE FROM annotations WHERE id = $1")
                    .bind(r.get::<i64, _>("id"))
                    .execute(&mut **tx)
                    .await?;
            } else {
                return Err(Error::Forbidden(DUPLICATE.into()));
            }
        }
    }
    Ok(())
}

fn check_confidence(c: Option<f64>) -> Result<Option<f64>> {
    match c {
        Some(v) if !(0.0..=1.0).contains(&v) => {
            Err(Error::field("confidence", "Ensure this value is between 0 and 1."))
        }
        c => Ok(c),
    }
}

fn check_bbox(doc: &Document, bbox: &Option<Value>) -> Result<Option<String>> {
    match bbox {
        None | Some(Value::Null) => Ok(None),
        Some(b @ Value::Object(_)) => {
            let page = b["page_index"].as_u64();
            let numbers = ["x0", "x1", "y0", "y1"].iter().all(|k| b[k].is_number());
            if !numbers || page.is_none_or(|p| p >= u64::from(doc.number_of_pages)) {
                return Err(Error::field(
                    "selection_bbox",
                    "Expected {x0, x1, y0, y1, page_index} on a page of the document.",
                ));
            }
            Ok(Some(b.to_string()))
        }
        Some(_) => Err(Error::field("selection_bbox", "Expected an object or null.")),
    }
}

/// An annotation checked against its document, ready to be stored.
struct Prepared {
    write: AnnotationWrite,
    document: i64,
    label: i64,
    choice: SetChoice,
    resolved: Resolved,
    bbox: Option<String>,
    confidence: Option<f64>,
}

async fn prepare(
    state: &AppState,
    user: Option<&AuthUser>,
    write: AnnotationWrite,
    indexes: &mut HashMap<i64, crate::spans::TextIndex>,
) -> Result<Prepared> {
    let db = &state.db;
    let doc_id = write.document.ok_or_else(|| Error::required("document"))?;
    let label = write.label.ok_or_else(|| Error::required("label"))?;
    let doc = documents::load(db, &[doc_id]).await?.pop().ok_or_else(|| Error::no_such("document", doc_id))?;
    if let Some(user) = user {
        if !validate::is_member(db, user.id, doc.project).await? {
            return Err(Error::no_such("document", doc_id));
        }
    }
    writable(&doc)?;
    let confidence = check_confidence(write.confidence)?;
    let bbox = check_bbox(&doc, &write.selection_bbox)?;
    // A batch (the AI's suggestions) reads each document's characters once.
    let index = match indexes.entry(doc.id) {
        std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
        std::collections::hash_map::Entry::Vacant(e) => e.insert(pages::text_index(state, doc.id).await?),
    };
    let resolved = resolve_spans(index, &doc, write.span.as_deref().ok_or_else(|| Error::required("span"))?)?;
    let choice = choose_set(db, &doc, label, write.annotation_set, write.label_set).await?;
    Ok(Prepared { write, document: doc.id, label, choice, resolved, bbox, confidence })
}

/// Stores annotations, all or none: by `user` (a person, checked for membership) or, with `None`, by the AI.
/// Writes that name the same repeating label set and the same `group` share one new annotation set (the AI's
/// line items); without a group, each gets its own.
pub async fn insert(
    state: &AppState,
    user: Option<&AuthUser>,
    writes: Vec<(AnnotationWrite, Option<i64>)>,
) -> Result<Vec<i64>> {
    let mut prepared = Vec::new();
    let mut indexes = HashMap::new();
    for (write, group) in writes {
        prepared.push((prepare(state, user, write, &mut indexes).await?, group));
    }
    let documents: Vec<i64> = prepared.iter().map(|(p, _)| p.document).collect();
    let (mut tx, docs) = lock_documents(&state.db, &documents).await?;
    for doc in &docs {
        writable(doc)?;
    }
    let user_id = user.map(|u| u.id);
    let mut ids = Vec::new();
    let mut group_sets: HashMap<(i64, i64, i64), i64> = HashMap::new();
    for (p, group) in prepared {
        let (set, label_set) = match (p.choice, group) {
            (SetChoice::New { label_set }, Some(group)) => {
                let key = (p.document, label_set, group);
                match group_sets.get(&key) {
                    Some(set) => (*set, label_set),
                    None => {
                        let placed = place(&mut tx, p.document, p.choice).await?;
                        group_sets.insert(key, placed.0);
                        placed
                    }
                }
            }
            (choice, _) => place(&mut tx, p.document, choice).await?,
        };
        check_duplicate(&mut tx, p.document, p.label, &p.resolved.spans, None).await?;
        let revised = p.write.revised.unwrap_or(false);
        let now = db::now();
        let id: i64 = sqlx::query(
            "INSERT INTO annotations (document_id, annotation_set_id, label_id, label_set_id, spans, selection_bbox,
                start_offset, end_offset, offset_string, offset_string_original, custom_offset_string, confidence,
                is_correct, revised, origin, created_by_id, revised_by_id, metadata, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, CAST($12 AS DOUBLE PRECISION), $13, $14, $15, $16,
                $17, $18, $19, $20)
             RETURNING id",
        )
        .bind(p.document)
        .bind(set)
        .bind(p.label)
        .bind(label_set)
        .bind(Value::Array(p.resolved.spans).to_string())
        .bind(p.bbox)
        .bind(p.resolved.start)
        .bind(p.resolved.end)
        .bind(p.resolved.offset_string)
        .bind(p.resolved.offset_string_original)
        .bind(p.resolved.custom)
        // As text: PostgreSQL's driver types a null f64 as FLOAT4, and the statement, prepared once per
        // connection, would then refuse a later f64.
        .bind(p.confidence.map(|c| c.to_string()))
        .bind(p.write.is_correct.unwrap_or(false))
        .bind(revised)
        .bind(p.write.origin.unwrap_or_else(|| "api.v3".into()))
        .bind(user_id)
        .bind(if revised { user_id } else { None })
        .bind(p.write.metadata.map(|m| m.to_string()))
        .bind(&now)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?
        .get("id");
        ids.push(id);
    }
    tx.commit().await?;
    Ok(ids)
}

/// List annotations of the caller's documents (the flat alternative to `annotation_sets`).
#[utoipa::path(get, path = "/api/v3/annotations/", tag = "annotations",
    params(("document" = Option<i64>, Query), ("label" = Option<i64>, Query), ("label_set" = Option<i64>, Query),
           ("annotation_set" = Option<i64>, Query), ("is_correct" = Option<bool>, Query), ("revised" = Option<bool>, Query),
           ("limit" = Option<u64>, Query), ("offset" = Option<u64>, Query)),
    responses((status = 200, body = Paginated<Annotation>)))]
async fn list_annotations(State(state): State<AppState>, user: AuthUser, req: ListRequest) -> Result<Json<Value>> {
    let page = req.fetch(&state.db, &SPEC, member_documents(user.id)).await?;
    let items = load(&state.db, &page.ids).await?;
    page.respond(items)
}

/// Create one annotation (answered with the annotation, as the SDK reads its `id`) or a list of them (answered
/// with a list, as DVUI's table tool posts).
#[utoipa::path(post, path = "/api/v3/annotations/", tag = "annotations", request_body = AnnotationWrite,
    responses((status = 201, body = Annotation, description = "the annotation, or a list for a list body"), (status = 400), (status = 403, description = "the same text twice")))]
async fn create_annotations(
    State(state): State<AppState>,
    user: AuthUser,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>)> {
    let (items, is_list) = one_or_many::<AnnotationWrite>(&body)?;
    let ids = insert(&state, Some(&user), items.into_iter().map(|w| (w, None)).collect()).await?;
    let mut created = load(&state.db, &ids).await?;
    if is_list {
        Ok((StatusCode::CREATED, Fields::default().respond(created)?))
    } else {
        let one = created.pop().ok_or(Error::NotFound)?;
        Ok((StatusCode::CREATED, Fields::default().respond(one)?))
    }
}

/// One annotation.
#[utoipa::path(get, path = "/api/v3/annotations/{id}/", tag = "annotations",
    params(("id" = i64, Path)), responses((status = 200, body = Annotation), (status = 404)))]
async fn get_annotation(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    fields: Fields,
) -> Result<Json<Value>> {
    fields.respond(visible(&state, &user, id).await?.0)
}

/// Change an annotation: accept (`revised`, `is_correct` true), decline (`revised` true, `is_correct` false,
/// also the SDK's soft delete with `annotation_id`), move it to another label or set, or change its spans.
#[utoipa::path(patch, path = "/api/v3/annotations/{id}/", tag = "annotations", request_body = AnnotationWrite,
    params(("id" = i64, Path)), responses((status = 200, body = Annotation), (status = 400), (status = 403), (status = 404)))]
async fn update_annotation(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    Body(w): Body<AnnotationWrite>,
) -> Result<Json<Value>> {
    let db = &state.db;
    let (current, doc) = visible(&state, &user, id).await?;
    writable(&doc)?;
    if w.annotation_id.is_some_and(|a| a != id) {
        return Err(Error::field("annotation_id", format!("This is annotation {id}.")));
    }
    if w.document.is_some_and(|d| d != doc.id) {
        return Err(Error::field("document", "An annotation cannot move to another document."));
    }
    // Defaults come from the annotation as read before the lock; only the fields sent are written, so concurrent
    // changes of different fields do not undo each other.
    let label = w.label.unwrap_or(current.label.id);
    let moved = w.label.is_some() || w.label_set.is_some() || w.annotation_set.is_some();
    let choice = if moved {
        let annotation_set = match (w.annotation_set, w.label_set) {
            (Some(s), _) => Some(s),
            (None, Some(ls)) if ls != current.label_set.id => None,
            _ => Some(current.annotation_set),
        };
        Some(choose_set(db, &doc, label, annotation_set, w.label_set).await?)
    } else {
        None
    };
    let resolved = match &w.span {
        Some(span) => Some(resolve_spans(&pages::text_index(&state, doc.id).await?, &doc, span)?),
        None => None,
    };
    let bbox = match &w.selection_bbox {
        Some(b) => Some(check_bbox(&doc, &Some(b.clone()))?),
        None => None,
    };
    let reviewed = w.is_correct.is_some() || w.revised.is_some();
    let (mut tx, doc) = lock_document(db, doc.id).await?;
    writable(&doc)?;
    let current = load(&mut *tx, &[id]).await?.pop().ok_or(Error::NotFound)?;
    let (set, label_set) = match choice {
        Some(choice) => place(&mut tx, doc.id, choice).await?,
        None => (current.annotation_set, current.label_set.id),
    };
    if w.label.is_some() || resolved.is_some() {
        let spans = resolved.as_ref().map(|r| r.spans.as_slice()).unwrap_or(&current.nested.span);
        check_duplicate(&mut tx, doc.id, label, spans, Some(id)).await?;
    }
    let tail = if resolved.is_some() {
        ", spans = $12, start_offset = $13, end_offset = $14, offset_string = $15, offset_string_original = $16,
            custom_offset_string = $17 WHERE id = $18"
    } else {
        " WHERE id = $12"
    };
    let sql = format!(
        "UPDATE annotations SET label_id = COALESCE($1, label_id), label_set_id = COALESCE($2, label_set_id),
            annotation_set_id = COALESCE($3, annotation_set_id), is_correct = COALESCE($4, is_correct),
            revised = COALESCE($5, revised), selection_bbox = CASE WHEN $6 THEN $7 ELSE selection_bbox END,
            metadata = COALESCE($8, metadata), updated_at = $9,
            revised_by_id = CASE WHEN $10 THEN $11 ELSE revised_by_id END{tail}"
    );
    let mut q = sqlx::query(&sql)
        .bind(moved.then_some(label))
        .bind(moved.then_some(label_set))
        .bind(moved.then_some(set))
        .bind(w.is_correct)
        .bind(w.revised)
        .bind(bbox.is_some())
        .bind(bbox.flatten())
        .bind(w.metadata.as_ref().map(Value::to_string))
        .bind(db::now())
        .bind(reviewed)
        .bind(user.id);
    if let Some(r) = resolved {
        q = q
            .bind(Value::Array(r.spans).to_string())
            .bind(r.start)
            .bind(r.end)
            .bind(r.offset_string)
            .bind(r.offset_string_original)
            .bind(r.custom);
    }
    q.bind(id).execute(&mut *tx).await?;
    tx.commit().await?;
    Fields::default().respond(load(db, &[id]).await?.pop().ok_or(Error::NotFound)?)
}

/// Delete an annotation: an AI suggestion not declined yet is kept as declined, anything else is removed.
#[utoipa::path(delete, path = "/api/v3/annotations/{id}/", tag = "annotations",
    params(("id" = i64, Path)), responses((status = 204), (status = 400), (status = 404)))]
async fn delete_annotation(State(state): State<AppState>, user: AuthUser, PathId(id): PathId) -> Result<StatusCode> {
    let db = &state.db;
    let (_, doc) = visible(&state, &user, id).await?;
    let (mut tx, doc) = lock_document(db, doc.id).await?;
    writable(&doc)?;
    let current = load(&mut *tx, &[id]).await?.pop().ok_or(Error::NotFound)?;
    let human = current.nested.created_by.is_some() || current.nested.origin != "extraction";
    if review::delete_keeps_as_declined(state_of(&current), human) {
        let (is_correct, revised) = review::DECLINE;
        sqlx::query(
            "UPDATE annotations SET is_correct = $1, revised = $2, revised_by_id = $3, updated_at = $4 WHERE id = $5",
        )
        .bind(is_correct)
        .bind(revised)
        .bind(user.id)
        .bind(db::now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    } else {
        sqlx::query("DELETE FROM annotations WHERE id = $1").bind(id).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Accept or decline several annotations of a document at once; the answer lists them.
#[utoipa::path(patch, path = "/api/v3/documents/{id}/update-annotations/", tag = "annotations", request_body = BulkUpdate,
    params(("id" = i64, Path)), responses((status = 200, body = Vec<Annotation>), (status = 400), (status = 404)))]
async fn update_document_annotations(
    State(state): State<AppState>,
    user: AuthUser,
    PathId(id): PathId,
    Body(body): Body<BulkUpdate>,
) -> Result<Json<Value>> {
    let db = &state.db;
    documents::visible(db, &user, id).await?;
    let (mut tx, doc) = lock_document(db, id).await?;
    writable(&doc)?;
    let found = load(&mut *tx, &body.ids).await?;
    if let Some(missing) =
        body.ids.iter().find(|i| !found.iter().any(|a| a.nested.id == **i && a.nested.document == id))
    {
        return Err(Error::field("ids", format!("Annotation {missing} is not an annotation of document {id}.")));
    }
    for a in &found {
        sqlx::query(
            "UPDATE annotations SET is_correct = COALESCE($1, is_correct), revised = COALESCE($2, revised), revised_by_id = $3,
                updated_at = $4 WHERE id = $5",
        )
            .bind(body.is_correct)
            .bind(body.revised)
            .bind(user.id)
            .bind(db::now())
            .bind(a.nested.id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Fields::default().respond(load(db, &body.ids).await?)
}

/// The label sets of the document's category with their labels: the frame of its `annotation_sets` tree.
pub async fn schema_of(db: &Db, doc: &Document) -> Result<Vec<SchemaLabelSet>> {
    match doc.category {
        Some(category) => categories::schema(db, category).await,
        None => Ok(Vec::new()),
    }
}

/// The `annotation_sets` tree of a document (§8) and its counts per review state, read through `conn` (the
/// document's lock when a write depends on it) within the frame `schema_of` gives.
pub async fn review_tree(
    conn: &mut sqlx::AnyConnection,
    doc: &Document,
    schema: &[SchemaLabelSet],
) -> Result<(Vec<Value>, ReviewCounts)> {
    let annotations = of_document(&mut *conn, doc.id).await?;
    let states: Vec<review::State> = annotations.iter().map(state_of).collect();
    let existing: Vec<(i64, i64)> =
        sqlx::query("SELECT id, label_set_id FROM annotation_sets WHERE document_id = $1 ORDER BY id")
            .bind(doc.id)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| (r.get("id"), r.get("label_set_id")))
            .collect();
    let missing: Vec<(i64, i64, Option<i64>)> =
        sqlx::query("SELECT label_id, label_set_id, annotation_set_id FROM missing_annotations WHERE document_id = $1")
            .bind(doc.id)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| (r.get("label_id"), r.get("label_set_id"), r.get("annotation_set_id")))
            .collect();
    let mut by_slot: HashMap<(i64, i64), Vec<(&Annotation, review::State)>> = HashMap::new();
    for (a, s) in annotations.iter().zip(&states) {
        by_slot.entry((a.annotation_set, a.label.id)).or_default().push((a, *s));
    }
    let mut tree = Vec::new();
    let mut slots = Vec::new();
    for set in schema {
        let mut ids: Vec<Option<i64>> =
            existing.iter().filter(|(_, ls)| *ls == set.id).map(|(id, _)| Some(*id)).collect();
        if ids.is_empty() {
            ids.push(None);
        }
        for set_id in ids {
            let labels: Vec<Value> = set
                .labels
                .iter()
                .map(|l| {
                    let held = set_id.and_then(|s| by_slot.get(&(s, l.id))).cloned().unwrap_or_default();
                    slots.push(review::Slot {
                        annotations: held.iter().map(|(_, s)| *s).collect(),
                        missing: missing.contains(&(l.id, set.id, set_id)),
                    });
                    let nested: Vec<&AnnotationNested> = held.iter().map(|(a, _)| &a.nested).collect();
                    json!({"id": l.id, "name": l.name, "api_name": l.api_name, "description": l.description,
                           "has_multiple_top_candidates": l.has_multiple_top_candidates, "annotations": nested})
                })
                .collect();
            tree.push(json!({
                "id": set_id,
                "label_set": {"id": set.id, "name": set.name, "api_name": set.api_name, "description": null,
                              "has_multiple_annotation_sets": set.has_multiple_annotation_sets},
                "labels": labels,
            }));
        }
    }
    Ok((tree, review::counts(&states, &slots)))
}

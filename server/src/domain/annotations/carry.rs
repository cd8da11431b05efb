//! Annotations across page edits (postprocess): each moves with its pages to the output document that holds
//! them, its boxes turned with the page, and is read again against the new text once that output is processed.
//!
//! Choices where the reference is silent: an annotation keeps its row (id, state, creator, label and label set);
//! in an output other than the source its annotation set becomes a copy of its set there (one copy per set and
//! output). A label marked missing stays missing in every output (absent from the whole, absent from each part).
//! An annotation whose spans lie on pages that go to different documents cannot follow them: the postprocess is
//! refused with a list of those annotations (field `annotations`, one message each), and only a request that
//! sends `drop_annotations=true` deletes them. Until an output is processed its carried annotations have their
//! new boxes and their old offsets; processing reads the text under the boxes again before the extraction AI
//! runs (which leaves annotated text alone). Text no longer found under a box (a different OCR reading) keeps the
//! box and the reviewed string, with null offsets, as a box drawn over no text does.

use std::collections::{BTreeSet, HashMap};

use lectern_api::annotations::{AnnotationSpan, SpanInput};
use lectern_api::geometry::PageBox;

use super::{lock, spans};
use crate::db::{self, Tx};
use crate::domain::documents::text;
use crate::error::{Error, Result};
use crate::state::AppState;

/// Where a page of the source goes: which output, its index there, the clockwise quarter turns it is given, and
/// its displayed `[width, height]` before turning.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageMove {
    pub output: usize,
    pub page_index: u32,
    pub turns: u8,
    pub size: [f64; 2],
}

/// The box `[x0, x1, y0, y1]` (origin bottom left) of a page of displayed `size`, turned clockwise with the page
/// by `turns` quarter turns, as the text of a turned page reads (`pipeline::pdf::DisplayTransform`).
pub fn turn([x0, x1, y0, y1]: [f64; 4], turns: u8, [w, h]: [f64; 2]) -> [f64; 4] {
    match turns % 4 {
        0 => [x0, x1, y0, y1],
        1 => [y0, y1, w - x1, w - x0],
        2 => [w - x1, w - x0, h - y1, h - y0],
        _ => [h - y1, h - y0, x0, x1],
    }
}

fn turn_span(s: &mut AnnotationSpan, m: PageMove) {
    [s.x0, s.x1, s.y0, s.y1] = turn([s.x0, s.x1, s.y0, s.y1], m.turns, m.size);
    let height = if m.turns % 2 == 1 { m.size[0] } else { m.size[1] };
    s.top = s.top.map(|_| height - s.y1);
    s.bottom = s.bottom.map(|_| height - s.y0);
    s.page_index = m.page_index;
}

fn turn_box(b: &mut PageBox, m: PageMove) {
    [b.x0, b.x1, b.y0, b.y1] = turn([b.x0, b.x1, b.y0, b.y1], m.turns, m.size);
    b.page_index = m.page_index;
}

/// Moves the annotations and missing-label marks of `source` to the documents `targets` (by output; the first
/// is the source itself) as `moves` (by source page index) says, in the source's lock. Those that cannot follow
/// their pages are refused, naming each, unless `drop` allows deleting them.
pub async fn carry(tx: &mut Tx, source: i64, moves: &[PageMove], targets: &[i64], drop: bool) -> Result<()> {
    let rows: Vec<(i64, i64, String, Option<String>, String, String)> = sqlx::query_as(
        "SELECT a.id, a.annotation_set_id, a.spans, a.selection_bbox, a.offset_string, l.name
         FROM annotations a JOIN labels l ON l.id = a.label_id WHERE a.document_id = $1 ORDER BY a.id",
    )
    .bind(source)
    .fetch_all(&mut **tx)
    .await?;
    let mut dropped = Vec::new();
    let mut carried = Vec::new();
    for (id, set, spans, bbox, text, label) in rows {
        let mut spans: Vec<AnnotationSpan> = serde_json::from_str(&spans)?;
        let mut bbox: Option<PageBox> = bbox.map(|b| serde_json::from_str(&b)).transpose()?;
        let pages: BTreeSet<u32> =
            spans.iter().map(|s| s.page_index).chain(bbox.iter().map(|b| b.page_index)).collect();
        let outputs: BTreeSet<usize> = pages.iter().filter_map(|p| moves.get(*p as usize)).map(|m| m.output).collect();
        if outputs.len() > 1 || pages.iter().any(|p| *p as usize >= moves.len()) {
            let numbers: Vec<String> = pages.iter().map(|p| (p + 1).to_string()).collect();
            let parts: Vec<String> = outputs.iter().map(|o| (o + 1).to_string()).collect();
            dropped.push((
                id,
                format!(
                    "Annotation {id} ({label}: \"{text}\") lies on pages {} which go to output documents {}; it \
                     cannot follow them.",
                    numbers.join(", "),
                    parts.join(", ")
                ),
            ));
            continue;
        }
        for s in &mut spans {
            turn_span(s, moves[s.page_index as usize]);
        }
        if let Some(b) = &mut bbox {
            turn_box(b, moves[b.page_index as usize]);
        }
        carried.push((id, set, outputs.first().copied().unwrap_or(0), spans, bbox));
    }
    if !dropped.is_empty() && !drop {
        let how = "Send drop_annotations=true to postprocess anyway and delete them.".to_owned();
        return Err(Error::Fields(
            [
                ("annotations".to_owned(), dropped.into_iter().map(|d| d.1).collect()),
                ("drop_annotations".to_owned(), vec![how]),
            ]
            .into(),
        ));
    }
    for (id, _) in &dropped {
        sqlx::query("DELETE FROM annotations WHERE id = $1").bind(id).execute(&mut **tx).await?;
    }
    let mut sets = HashMap::new();
    for (id, set, output, spans, bbox) in carried {
        let set = set_in(tx, &mut sets, targets, output, set).await?;
        sqlx::query(
            "UPDATE annotations SET document_id = $1, annotation_set_id = $2, spans = $3, selection_bbox = $4
             WHERE id = $5",
        )
        .bind(targets[output])
        .bind(set)
        .bind(serde_json::to_string(&spans)?)
        .bind(bbox.map(|b| serde_json::to_string(&b)).transpose()?)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    let missing: Vec<(i64, i64, Option<i64>)> = sqlx::query_as(
        "SELECT label_id, label_set_id, annotation_set_id FROM missing_annotations WHERE document_id = $1 ORDER BY id",
    )
    .bind(source)
    .fetch_all(&mut **tx)
    .await?;
    for (label, label_set, set) in missing {
        for output in 1..targets.len() {
            let set = match set {
                Some(set) => Some(set_in(tx, &mut sets, targets, output, set).await?),
                None => None,
            };
            sqlx::query(
                "INSERT INTO missing_annotations (document_id, label_id, label_set_id, annotation_set_id, created_at)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(targets[output])
            .bind(label)
            .bind(label_set)
            .bind(set)
            .bind(db::now())
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// The annotation set standing for `set` in output `output`: the set itself in the source, else its copy there.
async fn set_in(
    tx: &mut Tx,
    sets: &mut HashMap<(usize, i64), i64>,
    targets: &[i64],
    output: usize,
    set: i64,
) -> Result<i64> {
    if output == 0 {
        return Ok(set);
    }
    if let Some(copy) = sets.get(&(output, set)) {
        return Ok(*copy);
    }
    let copy: i64 = sqlx::query_scalar(
        "INSERT INTO annotation_sets (document_id, label_set_id, created_at)
         SELECT $1, label_set_id, $2 FROM annotation_sets WHERE id = $3 RETURNING id",
    )
    .bind(targets[output])
    .bind(db::now())
    .bind(set)
    .fetch_one(&mut **tx)
    .await?;
    sets.insert((output, set), copy);
    Ok(copy)
}

/// Reads the text under the boxes of a processed document's annotations again (after a postprocess the text
/// and its offsets are new); a no-op for a document without annotations. Returns how many were read again.
pub async fn reread(state: &AppState, document: i64) -> Result<usize> {
    let any: Option<i64> = sqlx::query_scalar("SELECT id FROM annotations WHERE document_id = $1 LIMIT 1")
        .bind(document)
        .fetch_optional(&state.db)
        .await?;
    if any.is_none() {
        return Ok(0);
    }
    let index = text::index(state, document).await?;
    let (mut tx, doc) = lock::document(&state.db, document).await?;
    let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, spans FROM annotations WHERE document_id = $1")
        .bind(document)
        .fetch_all(&mut *tx)
        .await?;
    for (id, old) in &rows {
        let old: Vec<AnnotationSpan> = serde_json::from_str(old)?;
        let inputs: Vec<SpanInput> = old
            .iter()
            .map(|s| SpanInput {
                x0: Some(s.x0),
                x1: Some(s.x1),
                y0: Some(s.y0),
                y1: Some(s.y1),
                page_index: Some(s.page_index),
                offset_string: Some(s.offset_string.clone()),
                ..SpanInput::default()
            })
            .collect();
        let r = match spans::resolve(&index, &doc, &inputs) {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(annotation = id, document, error = %e, "annotation kept unread after a page edit");
                continue;
            }
        };
        sqlx::query(
            "UPDATE annotations SET spans = $1, offset_string = $2, offset_string_original = $3,
                custom_offset_string = $4, start_offset = $5, end_offset = $6 WHERE id = $7",
        )
        .bind(serde_json::to_string(&r.spans)?)
        .bind(&r.offset_string)
        .bind(&r.offset_string_original)
        .bind(r.custom)
        .bind(r.start)
        .bind(r.end)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(rows.len())
}

#[cfg(test)]
mod tests {
    use lectern_api::annotations::AnnotationWrite;

    use super::*;
    use crate::domain::annotations::{of_document, write};
    use crate::domain::documents::{pages, postprocess};
    use crate::pipeline::layout::assemble;
    use crate::testing::{page_contents, refusal, Fixture};

    const PAGES: &[&[&str]] = &[&["Invoice 42", "Total: 9,50 EUR"], &["Item Pen 2,00"], &["Item Ink 7,50"]];

    #[test]
    fn a_box_turns_with_its_page() {
        let b = [10.0, 30.0, 700.0, 710.0];
        let a4 = [595.0, 842.0];
        assert_eq!(turn(b, 0, a4), b);
        assert_eq!(turn(b, 1, a4), [700.0, 710.0, 565.0, 585.0]);
        assert_eq!(turn(b, 2, a4), [565.0, 585.0, 132.0, 142.0]);
        assert_eq!(turn(b, 3, a4), [132.0, 142.0, 10.0, 30.0]);
        // Four quarter turns, each on the page as the last one left it, come back.
        let (mut x, mut size) = (b, a4);
        for _ in 0..4 {
            x = turn(x, 1, size);
            size = [size[1], size[0]];
        }
        assert!(x.iter().zip(b).all(|(a, b)| (a - b).abs() < 1e-9));
    }

    fn span_of(needle: &str) -> SpanInput {
        let text = assemble(&page_contents(PAGES)).text;
        let start = text[..text.find(needle).unwrap()].chars().count();
        SpanInput { start_offset: Some(start), end_offset: Some(start + needle.chars().count()), ..Default::default() }
    }

    async fn make(fx: &Fixture, user: Option<i64>, doc: i64, label: i64, needles: &[&str]) -> i64 {
        let span = Some(needles.iter().map(|n| span_of(n)).collect());
        let w = AnnotationWrite { document: Some(doc), label: Some(label), span, ..AnnotationWrite::default() };
        write::create(&fx.state, user, vec![(w, None)]).await.unwrap()[0]
    }

    async fn review(fx: &Fixture, user: i64, id: i64, accept: bool) {
        let w = AnnotationWrite { is_correct: Some(accept), revised: Some(true), ..AnnotationWrite::default() };
        write::update(&fx.state, user, id, w).await.unwrap();
    }

    #[tokio::test]
    async fn annotations_follow_their_pages_turned_or_the_split_is_refused_naming_them() {
        let (fx, invoice) = Fixture::with_invoice().await;
        let (owner, schema) = (invoice.owner, invoice.schema);
        let doc = fx.upload(owner, invoice.project, Some(schema.category)).await;
        fx.process(doc, PAGES).await;
        let accepted = make(&fx, Some(owner), doc, schema.total, &["9,50"]).await;
        review(&fx, owner, accepted, true).await;
        let declined = make(&fx, None, doc, schema.amount, &["2,00"]).await;
        review(&fx, owner, declined, false).await;
        let suggested = make(&fx, None, doc, schema.amount, &["7,50"]).await;
        let across = make(&fx, Some(owner), doc, schema.item, &["EUR", "Pen"]).await;
        let before = of_document(fx.db(), doc).await.unwrap();
        let p = pages::ids(fx.db(), doc).await.unwrap();
        assert_eq!(p.len(), 3);

        // Page 1 turned a quarter clockwise alone; pages 2 and 3 together: "EUR" and "Pen" part ways.
        let outputs = [
            postprocess::Output { name: "a.pdf".into(), category: Some(schema.category), pages: vec![(0, 1)] },
            postprocess::Output { name: "b.pdf".into(), category: Some(schema.category), pages: vec![(2, 0), (1, 0)] },
        ];
        let files = [fx.file(b"%PDF-1.4 a"), fx.file(b"%PDF-1.4 b")];
        let refused = refusal(postprocess::apply(&fx.state, owner, doc, &outputs, &files, false).await);
        assert!(
            refused.starts_with(&format!("400 annotations: Annotation {across} (Item: \"EUR\nPen\") lies on pages"))
        );
        assert!(refused.contains("drop_annotations=true"), "{refused}");
        assert_eq!(of_document(fx.db(), doc).await.unwrap(), before, "a refusal changes nothing");
        assert_eq!(pages::ids(fx.db(), doc).await.unwrap(), p);

        let ids = postprocess::apply(&fx.state, owner, doc, &outputs, &files, true).await.unwrap();
        assert_eq!(ids[0], doc);
        let first = of_document(fx.db(), doc).await.unwrap();
        let second = of_document(fx.db(), ids[1]).await.unwrap();
        assert_eq!(first.iter().map(|a| a.nested.id).collect::<Vec<_>>(), [accepted]);
        let mut moved: Vec<i64> = second.iter().map(|a| a.nested.id).collect();
        moved.sort();
        assert_eq!(moved, [declined, suggested]);

        // The accepted one is turned with its page: x from the old y, y from the page width less the old x.
        let old = &before.iter().find(|a| a.nested.id == accepted).unwrap().nested;
        let new = &first[0].nested;
        let (o, n) = (&old.span[0], &new.span[0]);
        assert_eq!([n.x0, n.x1, n.y0, n.y1], [o.y0, o.y1, 595.0 - o.x1, 595.0 - o.x0]);
        assert_eq!((new.is_correct, new.revised, new.created_by.as_deref()), (true, true, Some("owner@example.com")));
        assert_eq!(first[0].annotation_set, before.iter().find(|a| a.nested.id == accepted).unwrap().annotation_set);

        // Page 3 is page 1 of the second document, page 2 its page 2; states and label sets are kept.
        let by_id = |id: i64| second.iter().find(|a| a.nested.id == id).unwrap();
        let (d, s) = (by_id(declined), by_id(suggested));
        assert_eq!((d.nested.span[0].page_index, s.nested.span[0].page_index), (1, 0));
        assert_eq!((d.nested.is_correct, d.nested.revised, d.nested.created_by.is_none()), (false, true, true));
        assert_eq!((s.nested.is_correct, s.nested.revised, s.nested.created_by.is_none()), (false, false, true));
        let old_set = before.iter().find(|a| a.nested.id == declined).unwrap().annotation_set;
        assert_ne!(d.annotation_set, old_set, "a copy of the set in the new document");
        assert_eq!(d.label_set.id, before.iter().find(|a| a.nested.id == declined).unwrap().label_set.id);

        // Processing the second document reads the text under the boxes again: new offsets, same strings.
        fx.process(ids[1], &[PAGES[2], PAGES[1]]).await;
        assert_eq!(reread(&fx.state, ids[1]).await.unwrap(), 2);
        let text = assemble(&page_contents(&[PAGES[2], PAGES[1]])).text;
        for a in of_document(fx.db(), ids[1]).await.unwrap() {
            let span = &a.nested.span[0];
            let (start, end) = (span.start_offset.unwrap(), span.end_offset.unwrap());
            let read: String = text.chars().skip(start).take(end - start).collect();
            assert_eq!(read, a.nested.offset_string);
            assert!(!a.nested.custom_offset_string);
        }
        assert_eq!(by_id(declined).nested.offset_string, "2,00");
    }
}

//! An annotation's spans as sent (boxes or text offsets), resolved against the document's characters.

use lectern_api::annotations::{AnnotationSpan, SpanInput};
use lectern_api::documents::Document;
use lectern_api::geometry::PageBox;

use crate::domain::documents::text::TextIndex;
use crate::error::{Error, Result};

/// Spans resolved against the document's characters, with what the annotation stores beside them.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub spans: Vec<AnnotationSpan>,
    /// The spans' strings joined with `\n`.
    pub offset_string: String,
    pub offset_string_original: String,
    /// Whether any span's text was typed rather than read.
    pub custom: bool,
    pub start: Option<i64>,
    pub end: Option<i64>,
}

/// The `(start, end)` offsets of each span, which two annotations of one label must not share; `None` when a
/// span has no offsets (a drawn box over no text).
pub fn key(spans: &[AnnotationSpan]) -> Option<Vec<(usize, usize)>> {
    spans.iter().map(AnnotationSpan::offsets).collect()
}

/// A box must have its corners in order, finite, on a page of the document.
pub fn check_box(doc: &Document, field: &str, b: &PageBox) -> Result<()> {
    if !(b.x0 <= b.x1 && b.y0 <= b.y1) || [b.x0, b.x1, b.y0, b.y1].iter().any(|v| !v.is_finite()) {
        return Err(Error::field(field, "A box needs x0 ≤ x1 and y0 ≤ y1 with finite numbers."));
    }
    if b.page_index >= doc.number_of_pages {
        return Err(Error::field(field, format!("page_index {} is not a page of this document.", b.page_index)));
    }
    Ok(())
}

/// Boxes become the characters inside them (one span per line); offsets become the characters between them.
/// A drawn box with no text under it is kept with the typed `offset_string` and null offsets.
pub fn resolve(index: &TextIndex, doc: &Document, inputs: &[SpanInput]) -> Result<Resolved> {
    if inputs.is_empty() {
        return Err(Error::field("span", "At least one span is required."));
    }
    let mut boxes = Vec::new();
    let mut spans = Vec::new();
    let mut typed = Vec::new();
    for s in inputs {
        match (s.x0, s.x1, s.y0, s.y1, s.page_index, s.start_offset, s.end_offset) {
            (Some(x0), Some(x1), Some(y0), Some(y1), Some(page_index), _, _) => {
                let drawn = PageBox { x0, x1, y0, y1, page_index, offset_string: s.offset_string.clone() };
                check_box(doc, "span", &drawn)?;
                // A little slack for coordinates that went through rounding on the client.
                let e = 0.005;
                boxes.push(PageBox { x0: x0 - e, x1: x1 + e, y0: y0 - e, y1: y1 + e, ..drawn.clone() });
                typed.push(AnnotationSpan::drawn(&drawn));
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
    let spans: Vec<AnnotationSpan> = if found.is_empty() {
        // DVUI's drawn box over no text: the user typed what it says.
        typed
    } else {
        found.into_iter().map(AnnotationSpan::from).collect()
    };
    let join = |text: fn(&AnnotationSpan) -> &str| spans.iter().map(text).collect::<Vec<_>>().join("\n");
    Ok(Resolved {
        offset_string: join(|s| &s.offset_string),
        offset_string_original: join(|s| &s.offset_string_original),
        custom: spans.iter().any(|s| s.offset_string != s.offset_string_original),
        start: spans.iter().filter_map(|s| s.start_offset).min().map(|o| o as i64),
        end: spans.iter().filter_map(|s| s.end_offset).max().map(|o| o as i64),
        spans,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::layout::{assemble, tests::line, PageContent};

    fn index() -> TextIndex {
        let pages = vec![PageContent {
            width: 600.0,
            height: 800.0,
            lines: vec![line(10.0, 700.0, "Invoice 42"), line(10.0, 680.0, "Total: 9,50 EUR")],
        }];
        let doc = assemble(&pages);
        TextIndex::new(&doc.text, doc.chars.into_iter().collect())
    }

    fn document() -> Document {
        serde_json::from_value(serde_json::json!({
            "id": 1, "project": 1, "document_set": null, "number_of_pages": 1, "data_file_name": "a.pdf",
            "data_file_producer": null, "file_url": "", "thumbnail_url": null, "ocr_time": null,
            "categorization_time": null, "extraction_time": null, "processing_time": null, "extraction_url": "",
            "callback_url": null, "callback_status_code": null, "category_confidence": null,
            "category_is_revised": false, "status_data": 2, "labeling_available": 1, "is_reviewed": false,
            "category": 1, "dataset_status": 0, "assignee": null, "created_by": null, "created_at": "",
            "updated_at": "", "proposed_split": null, "split_is_revised": false, "enable_translated_strings": false,
            "original_file_url": ""}))
        .unwrap()
    }

    fn offsets(start: usize, end: usize) -> SpanInput {
        SpanInput { start_offset: Some(start), end_offset: Some(end), ..SpanInput::default() }
    }

    #[test]
    fn offsets_across_a_line_end_become_one_span_per_line() {
        let r = resolve(&index(), &document(), &[offsets(8, 17)]).unwrap();
        assert_eq!(r.spans.len(), 2);
        assert_eq!(r.offset_string, "42\nTotal:");
        assert_eq!((r.start, r.end, r.custom), (Some(8), Some(17), false));
        assert_eq!(key(&r.spans), Some(vec![(8, 10), (11, 17)]));
    }

    #[test]
    fn a_typed_value_over_one_span_is_custom() {
        let typed = SpanInput { offset_string: Some("42.00".into()), ..offsets(8, 10) };
        let r = resolve(&index(), &document(), &[typed]).unwrap();
        assert_eq!((r.offset_string.as_str(), r.offset_string_original.as_str(), r.custom), ("42.00", "42", true));
    }

    #[test]
    fn a_box_over_no_text_keeps_what_was_typed_without_offsets() {
        let drawn = SpanInput::from(&PageBox {
            x0: 300.0,
            x1: 400.0,
            y0: 100.0,
            y1: 120.0,
            page_index: 0,
            offset_string: Some("signed".into()),
        });
        let r = resolve(&index(), &document(), &[drawn]).unwrap();
        assert_eq!((r.offset_string.as_str(), r.start, r.end), ("signed", None, None));
        assert_eq!(key(&r.spans), None);
    }

    #[test]
    fn bad_spans_name_the_field() {
        let doc = document();
        for bad in [
            vec![],
            vec![offsets(5, 5)],
            vec![SpanInput { page_index: Some(0), ..SpanInput::default() }],
            vec![SpanInput::from(&PageBox { x0: 5.0, x1: 1.0, y0: 0.0, y1: 1.0, page_index: 0, offset_string: None })],
            vec![SpanInput::from(&PageBox { x0: 0.0, x1: 1.0, y0: 0.0, y1: 1.0, page_index: 3, offset_string: None })],
        ] {
            let Err(Error::Fields(f)) = resolve(&index(), &doc, &bad) else { panic!("{bad:?} accepted") };
            assert!(f.contains_key("span"), "{f:?}");
        }
    }

    use crate::domain::documents::text;
    use crate::testing::{self, Fixture};

    #[tokio::test]
    async fn a_box_drawn_around_a_stored_word_takes_its_characters() {
        let (fx, invoice) = Fixture::with_invoice().await;
        let index = text::index(&fx.state, invoice.doc).await.unwrap();
        let doc = fx.load(invoice.doc).await;
        let word = index.search("9,50").pop().unwrap();
        let drawn = |typed: Option<&str>| {
            let (x0, x1, y0, y1) = (word.x0 - 1.0, word.x1 + 1.0, word.y0 - 1.0, word.y1 + 1.0);
            SpanInput::from(&PageBox { x0, x1, y0, y1, page_index: 0, offset_string: typed.map(str::to_owned) })
        };
        let read = resolve(&index, &doc, &[drawn(None)]).unwrap();
        let (start, end) = testing::offsets("9,50");
        assert_eq!((read.offset_string.as_str(), read.start, read.end), ("9,50", Some(start as i64), Some(end as i64)));
        assert!(!read.custom);
        let typed = resolve(&index, &doc, &[drawn(Some("9.50"))]).unwrap();
        assert_eq!(
            (typed.offset_string.as_str(), typed.offset_string_original.as_str(), typed.custom),
            ("9.50", "9,50", true)
        );
        // The invoice has two pages; a box on a third is refused.
        let Err(Error::Fields(f)) = resolve(&index, &doc, &[SpanInput { page_index: Some(2), ..drawn(None) }]) else {
            panic!("a box off the pages was accepted")
        };
        assert_eq!(f["span"], ["page_index 2 is not a page of this document."]);
    }
}

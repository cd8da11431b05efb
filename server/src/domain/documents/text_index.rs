//! A document's text with its character boxes, indexed for what is built on them: rectangles to line spans
//! (`POST bbox`, §10.2), text ranges to line spans, and search; and the cache of the indexes read last.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use lectern_api::geometry::{CharBox, PageBox, Rect, Span};

/// The text indexes read last, by the storage key of their character boxes: processing writes a new key for each
/// version of a document's text, so an entry never goes stale. Holds up to `CACHED_CHARACTERS` characters.
#[derive(Default)]
pub struct IndexCache {
    /// Least recently used first.
    entries: Mutex<VecDeque<(String, Arc<TextIndex>)>>,
}

/// About 130 bytes each: some 130 MB for the indexes of the documents under review.
const CACHED_CHARACTERS: usize = 1_000_000;

impl IndexCache {
    pub fn get(&self, key: &str) -> Option<Arc<TextIndex>> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let at = entries.iter().position(|(k, _)| k == key)?;
        let entry = entries.remove(at)?;
        let index = entry.1.clone();
        entries.push_back(entry);
        Some(index)
    }

    pub fn put(&self, key: String, index: Arc<TextIndex>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.retain(|(k, _)| *k != key);
        entries.push_back((key, index));
        let mut total: usize = entries.iter().map(|(_, i)| i.chars.len()).sum();
        while total > CACHED_CHARACTERS && entries.len() > 1 {
            total -= entries.pop_front().map_or(0, |(_, i)| i.chars.len());
        }
    }
}

/// Reads the stored `{"bbox": {"<offset>": CharBox}}` file into the boxes by offset.
pub fn char_boxes(json: &[u8]) -> anyhow::Result<BTreeMap<usize, CharBox>> {
    #[derive(serde::Deserialize)]
    struct File {
        bbox: BTreeMap<String, CharBox>,
    }
    let file: File = serde_json::from_slice(json)?;
    file.bbox.into_iter().map(|(k, v)| Ok((k.parse::<usize>()?, v))).collect()
}

pub struct TextIndex {
    text: Vec<char>,
    /// Boxes of the non-whitespace characters by offset.
    chars: BTreeMap<usize, CharBox>,
    /// The offsets of each page's characters, so a box looks at its own page only.
    pages: Vec<Vec<usize>>,
}

impl TextIndex {
    pub fn new(text: &str, chars: BTreeMap<usize, CharBox>) -> TextIndex {
        let mut pages: Vec<Vec<usize>> = Vec::new();
        for (&offset, c) in &chars {
            let page = c.page_index as usize;
            if pages.len() <= page {
                pages.resize_with(page + 1, Vec::new);
            }
            pages[page].push(offset);
        }
        TextIndex { text: text.chars().collect(), chars, pages }
    }

    /// Reads the stored `{"bbox": {"<offset>": CharBox}}` file.
    pub fn from_bbox_json(text: &str, json: &[u8]) -> anyhow::Result<TextIndex> {
        Ok(TextIndex::new(text, char_boxes(json)?))
    }

    fn slice(&self, start: usize, end: usize) -> String {
        self.text[start.min(self.text.len())..end.min(self.text.len())].iter().collect()
    }

    /// The characters completely inside the boxes, as one span per line, merged along a line where only
    /// whitespace lies between them. A box's own `offset_string` is kept when it yields exactly one span.
    pub fn spans_in_boxes(&self, boxes: &[PageBox]) -> Vec<Span> {
        let mut spans: Vec<Span> = Vec::new();
        for b in boxes {
            let sel = Rect { x0: b.x0, x1: b.x1, y0: b.y0, y1: b.y1 };
            let on_page = self.pages.get(b.page_index as usize).map_or(&[][..], Vec::as_slice);
            let inside: Vec<usize> = on_page
                .iter()
                .copied()
                .filter(|o| {
                    let c = &self.chars[o];
                    sel.contains(&Rect { x0: c.x0, x1: c.x1, y0: c.y0, y1: c.y1 })
                })
                .collect();
            let mut found = self.line_spans(&inside);
            if let (Some(custom), [span]) = (&b.offset_string, found.as_mut_slice()) {
                span.offset_string = custom.clone();
            }
            spans.extend(found);
        }
        spans.sort_by_key(|s| s.start_offset);
        let mut merged: Vec<Span> = Vec::new();
        for span in spans {
            match merged.last_mut() {
                Some(last)
                    if last.line_index == span.line_index
                        && self.only_whitespace_between(last.end_offset, span.start_offset) =>
                {
                    if span.end_offset > last.end_offset {
                        *last = self.span(last.start_offset, span.end_offset).expect("both ends have boxes");
                    }
                }
                _ => merged.push(span),
            }
        }
        merged
    }

    fn only_whitespace_between(&self, end: usize, start: usize) -> bool {
        end >= start || self.chars.range(end..start).next().is_none()
    }

    /// One span per line for the characters `[start, end)` of the text.
    pub fn spans_for_range(&self, start: usize, end: usize) -> Vec<Span> {
        let offsets: Vec<usize> = self.chars.range(start..end).map(|(o, _)| *o).collect();
        self.line_spans(&offsets)
    }

    /// Groups offsets (sorted) by line into spans from the first to one past the last character.
    fn line_spans(&self, offsets: &[usize]) -> Vec<Span> {
        let mut spans = Vec::new();
        let mut run: Option<(usize, usize, u32)> = None;
        for &o in offsets {
            let line = self.chars[&o].line_index;
            match &mut run {
                Some((_, last, l)) if *l == line => *last = o,
                _ => {
                    if let Some((s, e, _)) = run.take() {
                        spans.extend(self.span(s, e + 1));
                    }
                    run = Some((o, o, line));
                }
            }
        }
        if let Some((s, e, _)) = run {
            spans.extend(self.span(s, e + 1));
        }
        spans
    }

    /// The span over `[start, end)`, which must lie on one line; its box covers the characters with boxes.
    fn span(&self, start: usize, end: usize) -> Option<Span> {
        let mut boxes = self.chars.range(start..end).map(|(_, c)| c);
        let first = boxes.next()?;
        let (mut x0, mut x1, mut y0, mut y1, mut top, mut bottom) =
            (first.x0, first.x1, first.y0, first.y1, first.top, first.bottom);
        for c in boxes {
            x0 = x0.min(c.x0);
            x1 = x1.max(c.x1);
            y0 = y0.min(c.y0);
            y1 = y1.max(c.y1);
            top = top.min(c.top);
            bottom = bottom.max(c.bottom);
        }
        let text = self.slice(start, end);
        Some(Span {
            x0,
            x1,
            y0,
            y1,
            top,
            bottom,
            page_index: first.page_index,
            start_offset: start,
            end_offset: end,
            line_index: first.line_index,
            line_number: first.line_index + 1,
            offset_string: text.clone(),
            offset_string_original: text,
        })
    }

    /// Every occurrence of `query`, ignoring case, as spans (one per line an occurrence covers).
    pub fn search(&self, query: &str) -> Vec<Span> {
        let fold = |c: &char| c.to_lowercase().next().unwrap_or(*c);
        let needle: Vec<char> = query.chars().map(|c| fold(&c)).collect();
        if needle.is_empty() || needle.len() > self.text.len() {
            return Vec::new();
        }
        let hay: Vec<char> = self.text.iter().map(fold).collect();
        let mut spans = Vec::new();
        let mut i = 0;
        while i + needle.len() <= hay.len() {
            if hay[i..i + needle.len()] == needle[..] {
                spans.extend(self.spans_for_range(i, i + needle.len()));
                i += needle.len();
            } else {
                i += 1;
            }
        }
        spans
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::layout::{assemble, tests::line, PageContent};

    fn index() -> TextIndex {
        let pages = vec![
            PageContent {
                width: 600.0,
                height: 800.0,
                lines: vec![line(10.0, 700.0, "Invoice 42"), line(10.0, 680.0, "Total: 9,50 EUR")],
            },
            PageContent { width: 600.0, height: 800.0, lines: vec![line(10.0, 700.0, "total again")] },
        ];
        let doc = assemble(&pages);
        TextIndex::new(&doc.text, doc.chars.into_iter().collect())
    }

    #[test]
    fn a_rectangle_yields_the_characters_inside_it_per_line() {
        let idx = index();
        // Around "42" on the first line and "9,50" on the second: two spans, one per line.
        let spans = idx.spans_in_boxes(&[PageBox {
            x0: 50.0,
            x1: 80.0,
            y0: 675.0,
            y1: 715.0,
            page_index: 0,
            offset_string: None,
        }]);
        let texts: Vec<&str> = spans.iter().map(|s| s.offset_string.as_str()).collect();
        assert_eq!(texts, ["42", "9,50"]);
        assert_eq!((spans[0].start_offset, spans[0].end_offset, spans[0].line_number), (8, 10, 1));
        assert_eq!((spans[0].x0, spans[0].x1, spans[0].top), (58.0, 70.0, 90.0));
        // A box that only partly covers a character does not take it.
        assert!(idx
            .spans_in_boxes(&[PageBox { x0: 59.0, x1: 69.0, y0: 699.0, y1: 711.0, page_index: 0, offset_string: None }])
            .is_empty());
        // Another page's characters are never taken.
        assert_eq!(
            idx.spans_in_boxes(&[PageBox {
                x0: 0.0,
                x1: 600.0,
                y0: 0.0,
                y1: 800.0,
                page_index: 1,
                offset_string: None
            }])[0]
                .offset_string,
            "total again"
        );
    }

    #[test]
    fn words_on_one_line_merge_and_keep_a_typed_text() {
        let idx = index();
        let word = |x0: f64, x1: f64| PageBox { x0, x1, y0: 680.0, y1: 690.0, page_index: 0, offset_string: None };
        // "Total:" and "9,50" chosen as two entities: only a space lies between them, so one span.
        let spans = idx.spans_in_boxes(&[word(10.0, 46.0), word(52.0, 76.0)]);
        assert_eq!(spans.len(), 1);
        assert_eq!(spans[0].offset_string, "Total: 9,50");
        // "Total:" and "EUR" have "9,50" between them: two spans.
        assert_eq!(idx.spans_in_boxes(&[word(10.0, 46.0), word(82.0, 100.0)]).len(), 2);
        let typed = PageBox { offset_string: Some("9.50".into()), ..word(52.0, 76.0) };
        let spans = idx.spans_in_boxes(&[typed]);
        assert_eq!((spans[0].offset_string.as_str(), spans[0].offset_string_original.as_str()), ("9.50", "9,50"));
    }

    #[test]
    fn search_ignores_case_and_splits_at_line_ends() {
        let idx = index();
        let hits = idx.search("TOTAL");
        assert_eq!(hits.len(), 2);
        assert_eq!((hits[0].page_index, hits[1].page_index), (0, 1));
        assert_eq!(hits[1].offset_string, "total");
        let across = idx.search("42\ntotal");
        assert_eq!(across.iter().map(|s| s.offset_string.as_str()).collect::<Vec<_>>(), ["42", "Total"]);
        assert!(idx.search("").is_empty());
        assert!(idx.search("nowhere").is_empty());
    }
}

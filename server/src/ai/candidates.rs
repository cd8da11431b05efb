//! Candidate spans of a document: its words (runs of characters on one line), the words without the
//! punctuation around them, and merges of up to `MAX_WORDS` adjacent words along a line.

use super::Document;

/// The most words one candidate merges.
pub const MAX_WORDS: usize = 4;

/// Words farther apart than this many character widths are in different columns and never merged.
const MAX_GAP_IN_CHARS: f64 = 1.6;

/// A box in points with the origin top-left (`top` grows downwards).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Bounds {
    pub x0: f64,
    pub x1: f64,
    pub top: f64,
    pub bottom: f64,
}

impl Bounds {
    fn union(self, o: Bounds) -> Bounds {
        Bounds {
            x0: self.x0.min(o.x0),
            x1: self.x1.max(o.x1),
            top: self.top.min(o.top),
            bottom: self.bottom.max(o.bottom),
        }
    }

    /// Whether the horizontal extents overlap.
    pub fn overlaps_x(&self, o: &Bounds) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1
    }
}

/// A word: characters with consecutive offsets on one line.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub page: u32,
    /// The document-wide line index.
    pub line: u32,
    pub bounds: Bounds,
}

/// A span that may hold a label's value.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// The first and last word it covers (indices into the document's words).
    pub first_word: usize,
    pub last_word: usize,
    pub page: u32,
    pub line: u32,
    pub bounds: Bounds,
}

/// The document's words in text order.
pub fn words(doc: &Document) -> Vec<Word> {
    let text: Vec<char> = doc.text.chars().collect();
    let mut words: Vec<Word> = Vec::new();
    for (offset, c) in &doc.chars {
        let Some(&ch) = text.get(*offset) else { continue };
        let b = Bounds { x0: c.x0, x1: c.x1, top: c.top, bottom: c.bottom };
        match words.last_mut() {
            Some(w) if w.end == *offset && w.line == c.line_index && w.page == c.page_index => {
                w.end += 1;
                w.text.push(ch);
                w.bounds = w.bounds.union(b);
            }
            _ => words.push(Word {
                start: *offset,
                end: offset + 1,
                text: ch.to_string(),
                page: c.page_index,
                line: c.line_index,
                bounds: b,
            }),
        }
    }
    words
}

fn char_width(w: &Word) -> f64 {
    (w.bounds.x1 - w.bounds.x0) / w.text.chars().count().max(1) as f64
}

/// Whether `b` follows `a` closely on the same line.
fn adjacent(a: &Word, b: &Word) -> bool {
    let gap = b.bounds.x0 - a.bounds.x1;
    a.line == b.line && a.page == b.page && gap < MAX_GAP_IN_CHARS * char_width(a).max(char_width(b))
}

fn is_edge_punctuation(c: char) -> bool {
    matches!(c, ':' | ';' | ',' | '(' | ')' | '[' | ']' | '"' | '\'' | '*' | '#')
}

/// Every candidate of the document: merges of 1 to `MAX_WORDS` adjacent words, and each of them again
/// without the punctuation at its ends, when that differs and something is left.
pub fn candidates(words: &[Word]) -> Vec<Candidate> {
    let mut out = Vec::new();
    for first in 0..words.len() {
        let mut last = first;
        loop {
            let start = words[first].start;
            let end = words[last].end;
            let text: String = words[first..=last].iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ");
            let bounds = words[first..=last].iter().skip(1).fold(words[first].bounds, |b, w| b.union(w.bounds));
            let (page, line) = (words[first].page, words[first].line);
            let candidate =
                Candidate { start, end, text: text.clone(), first_word: first, last_word: last, page, line, bounds };
            let lead = text.chars().take_while(|c| is_edge_punctuation(*c)).count();
            let trimmed: String = text.chars().skip(lead).collect();
            let trail = trimmed.chars().rev().take_while(|c| is_edge_punctuation(*c)).count();
            let kept = trimmed.chars().count() - trail;
            if (lead > 0 || trail > 0) && kept > 0 {
                let inner: String = trimmed.chars().take(kept).collect();
                out.push(Candidate { start: start + lead, end: start + lead + kept, text: inner, ..candidate.clone() });
            }
            out.push(candidate);
            if last + 1 >= words.len() || last + 1 - first >= MAX_WORDS || !adjacent(&words[last], &words[last + 1]) {
                break;
            }
            last += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ai::corpus::document_of_lines;

    #[test]
    fn words_follow_offsets_and_lines() {
        let doc = document_of_lines(&[(50.0, 700.0, "Total: 9,50 EUR"), (50.0, 680.0, "Next")]);
        let w = words(&doc);
        let texts: Vec<&str> = w.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["Total:", "9,50", "EUR", "Next"]);
        assert_eq!((w[1].start, w[1].end, w[1].line), (7, 11, 0));
        assert_eq!(w[3].line, 1);
        assert_eq!(w[0].bounds.x0, 50.0);
    }

    #[test]
    fn candidates_merge_adjacent_words_and_strip_punctuation() {
        let doc = document_of_lines(&[(50.0, 700.0, "Date: 12 March 2024"), (50.0, 680.0, "x")]);
        let c = candidates(&words(&doc));
        let texts: Vec<&str> = c.iter().map(|c| c.text.as_str()).collect();
        for expected in ["Date:", "Date", "12", "12 March 2024", "Date: 12 March 2024", "March 2024", "x"] {
            assert!(texts.contains(&expected), "{expected} missing from {texts:?}");
        }
        // Never across lines.
        assert!(!texts.iter().any(|t| t.contains("2024 x")));
        let date = c.iter().find(|c| c.text == "12 March 2024").unwrap();
        assert_eq!((date.start, date.end), (6, 19));
        let stripped = c.iter().find(|c| c.text == "Date").unwrap();
        assert_eq!((stripped.start, stripped.end), (0, 4));
    }

    #[test]
    fn columns_far_apart_are_not_merged() {
        // Two pieces on one line with a wide gap: one line of text, but no merge across the gap.
        let doc = crate::ai::corpus::document_of_pieces(&[(700.0, vec![(50.0, "Widget"), (300.0, "12,00")])]);
        assert_eq!(doc.text, "Widget 12,00");
        let c = candidates(&words(&doc));
        assert!(c.iter().all(|c| c.text != "Widget 12,00"));
        assert_eq!(c.len(), 2);
    }
}

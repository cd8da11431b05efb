//! Features of a candidate span: its shape (characters, number, date and amount patterns), its place on the page
//! and line, and its context words (left of it on its line, on the lines just above it, and the column header
//! above it) looked up in a vocabulary learnt from the training data.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::candidates::{Candidate, Word};
use super::Document;

/// How many words left of a candidate count as its left context.
const LEFT_WORDS: usize = 3;
/// How many lines above a candidate are searched for words above it.
const LINES_ABOVE: u32 = 3;
/// How many lines above a candidate are searched for its column header.
const HEADER_LINES: u32 = 20;

const MONTHS: [&str; 24] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "januar",
    "februar",
    "märz",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "dezember",
];

/// The words of a document by line.
pub struct Layout<'a> {
    pub doc: &'a Document,
    pub words: Vec<Word>,
    lines: HashMap<u32, Vec<usize>>,
    /// First and last line of each page.
    page_lines: HashMap<u32, (u32, u32)>,
}

impl<'a> Layout<'a> {
    pub fn new(doc: &'a Document) -> Layout<'a> {
        let words = super::candidates::words(doc);
        let mut lines: HashMap<u32, Vec<usize>> = HashMap::new();
        let mut page_lines: HashMap<u32, (u32, u32)> = HashMap::new();
        for (i, w) in words.iter().enumerate() {
            lines.entry(w.line).or_default().push(i);
            let span = page_lines.entry(w.page).or_insert((w.line, w.line));
            span.0 = span.0.min(w.line);
            span.1 = span.1.max(w.line);
        }
        Layout { doc, words, lines, page_lines }
    }

    fn line(&self, line: u32) -> &[usize] {
        self.lines.get(&line).map_or(&[], |v| v.as_slice())
    }
}

/// A context word as the vocabulary holds it: lower case without punctuation at its ends; `None` for words
/// with digits and single letters, which say little about what follows them.
pub fn token(word: &str) -> Option<String> {
    let t = word.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
    (t.chars().count() >= 2 && !t.chars().any(|c| c.is_ascii_digit())).then_some(t)
}

/// The context words of a candidate.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Context {
    /// Words left of it on its line, nearest first, with weight 1, 1/2, 1/3.
    pub left: Vec<(String, f32)>,
    /// Words of the nearest line above with words over it.
    pub above: Vec<String>,
    /// The nearest word above it without digits (a column header in a table).
    pub header: Vec<String>,
}

impl Context {
    fn tokens(&self) -> impl Iterator<Item = &String> {
        self.left.iter().map(|(t, _)| t).chain(&self.above).chain(&self.header)
    }
}

pub fn context(layout: &Layout, c: &Candidate) -> Context {
    let mut ctx = Context::default();
    let line = layout.line(c.line);
    let before: Vec<&Word> = line.iter().map(|i| &layout.words[*i]).filter(|w| w.end <= c.start).collect();
    for (distance, w) in before.iter().rev().take(LEFT_WORDS).enumerate() {
        if let Some(t) = token(&w.text) {
            ctx.left.push((t, 1.0 / (distance + 1) as f32));
        }
    }
    let first_line = layout.page_lines.get(&c.page).map_or(c.line, |p| p.0);
    let over = |w: &Word| w.bounds.overlaps_x(&c.bounds);
    for above in (first_line.max(c.line.saturating_sub(LINES_ABOVE))..c.line).rev() {
        let words: Vec<&Word> = layout.line(above).iter().map(|i| &layout.words[*i]).filter(|w| over(w)).collect();
        if !words.is_empty() {
            ctx.above = words.iter().filter_map(|w| token(&w.text)).collect();
            break;
        }
    }
    'lines: for above in (first_line.max(c.line.saturating_sub(HEADER_LINES))..c.line).rev() {
        for i in layout.line(above) {
            let w = &layout.words[*i];
            if over(w) && !w.text.chars().any(|ch| ch.is_ascii_digit()) {
                ctx.header.extend(token(&w.text));
                break 'lines;
            }
        }
    }
    ctx
}

/// The context words the model knows, the most frequent around the training values.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Vocabulary {
    /// Sorted, for binary search.
    words: Vec<String>,
}

impl Vocabulary {
    /// The `size` most frequent tokens of `contexts` (ties in alphabetical order).
    pub fn learn<'c>(contexts: impl Iterator<Item = &'c Context>, size: usize) -> Vocabulary {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for ctx in contexts {
            for t in ctx.tokens() {
                *counts.entry(t.as_str()).or_default() += 1;
            }
        }
        let mut ranked: Vec<(&str, usize)> = counts.into_iter().collect();
        ranked.sort_by_key(|(w, n)| (std::cmp::Reverse(*n), *w));
        let mut words: Vec<String> = ranked.into_iter().take(size).map(|(w, _)| w.to_owned()).collect();
        words.sort();
        Vocabulary { words }
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    fn index(&self, word: &str) -> Option<usize> {
        self.words.binary_search_by(|w| w.as_str().cmp(word)).ok()
    }
}

fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split(['.', '/', '-']).collect();
    let numeric = parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    let lens: Vec<usize> = parts.iter().map(|p| p.len()).collect();
    let numeric_date =
        numeric && (matches!(lens.as_slice(), [1 | 2, 1 | 2, 2 | 4]) || matches!(lens.as_slice(), [4, 1 | 2, 1 | 2]));
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower.split(' ').collect();
    let named_date = words.len() == 3
        && words.iter().any(|w| MONTHS.contains(&w.trim_end_matches('.')))
        && words.iter().any(|w| w.trim_end_matches('.').chars().all(|c| c.is_ascii_digit()) && w.len() == 4);
    numeric_date || named_date
}

fn is_amount(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    n >= 4
        && chars.iter().all(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
        && matches!(chars[n - 3], '.' | ',')
        && chars[n - 2].is_ascii_digit()
        && chars[n - 1].is_ascii_digit()
        && chars[0].is_ascii_digit()
}

fn share(text: &str, f: impl Fn(char) -> bool) -> f32 {
    let n = text.chars().count().max(1);
    text.chars().filter(|c| f(*c)).count() as f32 / n as f32
}

/// The number of shape and position features before the vocabulary's.
pub const BASE_FEATURES: usize = 33;

/// The feature vector of a candidate: `BASE_FEATURES` values, then for each vocabulary word its weight in the
/// left context, above, and as column header.
pub fn vector(layout: &Layout, c: &Candidate, ctx: &Context, vocab: &Vocabulary) -> Vec<f32> {
    let text = c.text.as_str();
    let [width, height] = layout.doc.page_size(c.page);
    let (first_line, last_line) = layout.page_lines.get(&c.page).copied().unwrap_or((c.line, c.line));
    let line = layout.line(c.line);
    let position = line.iter().position(|i| *i == c.first_word).unwrap_or(0);
    let after = line.iter().filter(|i| **i > c.last_word).count();
    let gap_left = line
        .iter()
        .rev()
        .map(|i| &layout.words[*i])
        .find(|w| w.end <= c.start)
        .map_or(999.0, |w| c.bounds.x0 - w.bounds.x1);
    let gap_right =
        line.iter().map(|i| &layout.words[*i]).find(|w| w.start >= c.end).map_or(999.0, |w| w.bounds.x0 - c.bounds.x1);
    let numbers_on_line = line.iter().filter(|i| layout.words[**i].text.chars().any(|ch| ch.is_ascii_digit())).count();
    let first = text.chars().next().unwrap_or(' ');
    let last = text.chars().last().unwrap_or(' ');
    let has = |ch: char| text.contains(ch) as u8 as f32;
    let lower = text.to_lowercase();
    let mut v = vec![
        text.chars().count() as f32,
        (c.last_word - c.first_word + 1) as f32,
        share(text, |ch| ch.is_ascii_digit()),
        share(text, char::is_alphabetic),
        share(text, char::is_uppercase),
        share(text, |ch| ch.is_ascii_punctuation()),
        has('.'),
        has(','),
        has('-'),
        has('/'),
        has(':'),
        first.is_ascii_digit() as u8 as f32,
        last.is_ascii_digit() as u8 as f32,
        first.is_uppercase() as u8 as f32,
        is_date(text) as u8 as f32,
        is_amount(text) as u8 as f32,
        text.chars().all(|ch| ch.is_ascii_digit()) as u8 as f32,
        (text.chars().any(char::is_alphabetic) && text.chars().any(|ch| ch.is_ascii_digit())) as u8 as f32,
        MONTHS.iter().any(|m| lower.contains(m)) as u8 as f32,
        (c.bounds.x0 / width) as f32,
        (c.bounds.x1 / width) as f32,
        (c.bounds.top / height) as f32,
        ((c.bounds.x1 - c.bounds.x0) / width) as f32,
        (c.bounds.bottom - c.bounds.top) as f32,
        c.page as f32,
        (c.line - first_line) as f32,
        (last_line - c.line) as f32,
        position as f32,
        line.len() as f32,
        after as f32,
        gap_left.min(999.0) as f32,
        gap_right.min(999.0) as f32,
        numbers_on_line as f32,
    ];
    debug_assert_eq!(v.len(), BASE_FEATURES);
    let k = vocab.len();
    v.resize(BASE_FEATURES + 3 * k, 0.0);
    for (t, weight) in &ctx.left {
        if let Some(i) = vocab.index(t) {
            let slot = &mut v[BASE_FEATURES + i];
            *slot = slot.max(*weight);
        }
    }
    for t in &ctx.above {
        if let Some(i) = vocab.index(t) {
            v[BASE_FEATURES + k + i] = 1.0;
        }
    }
    for t in &ctx.header {
        if let Some(i) = vocab.index(t) {
            v[BASE_FEATURES + 2 * k + i] = 1.0;
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ai::candidates::candidates;
    use crate::ai::corpus::document_of_pieces;

    #[test]
    fn patterns() {
        for date in ["12.03.2024", "2024-03-12", "03/12/2024", "1.2.24", "12 March 2024", "3 Mai 2021"] {
            assert!(is_date(date), "{date}");
        }
        for other in ["12.03", "1.234,56", "INV-2024-0042", "March 2024", "2024/0815"] {
            assert!(!is_date(other), "{other}");
        }
        for amount in ["1.234,56", "1,234.56", "12.00", "0,05"] {
            assert!(is_amount(amount), "{amount}");
        }
        for other in ["12", "1.2", "12.03.2024", "EUR 12,00", ",05"] {
            assert!(!is_amount(other), "{other}");
        }
        assert_eq!(token("Total:"), Some("total".into()));
        assert_eq!(token("12,00"), None);
        assert_eq!(token("a"), None);
    }

    #[test]
    fn context_reads_left_above_and_the_column_header() {
        let doc = document_of_pieces(&[
            (700.0, vec![(50.0, "Invoice No: R123")]),
            (680.0, vec![(50.0, "Description"), (300.0, "Amount")]),
            (660.0, vec![(50.0, "Widget"), (300.0, "12,00")]),
            (640.0, vec![(50.0, "Cable"), (300.0, "3,50")]),
        ]);
        let layout = Layout::new(&doc);
        let all = candidates(&layout.words);
        let find = |t: &str| all.iter().find(|c| c.text == t).unwrap();
        let number = context(&layout, find("R123"));
        assert_eq!(number.left, vec![("no".to_string(), 1.0), ("invoice".to_string(), 0.5)]);
        assert!(number.above.is_empty() && number.header.is_empty());
        let amount = context(&layout, find("3,50"));
        assert_eq!(amount.left, vec![("cable".to_string(), 1.0)], "the description column is left of it");
        assert!(amount.above.is_empty(), "the row above has only a number: {:?}", amount.above);
        assert_eq!(amount.header, ["amount"]);
        let cable = context(&layout, find("Cable"));
        assert_eq!(cable.above, ["widget"]);
        assert_eq!(cable.header, ["widget"]);

        let vocab = Vocabulary::learn([&number, &amount].into_iter(), 2);
        assert_eq!(vocab.len(), 2);
        let v = vector(&layout, find("3,50"), &amount, &vocab);
        assert_eq!(v.len(), BASE_FEATURES + 6);
        let header_slot = BASE_FEATURES + 4 + vocab.index("amount").unwrap();
        assert_eq!(v[header_slot], 1.0);
        assert_eq!(v[15], 1.0, "an amount");
        assert_eq!(v[25], 3.0, "the fourth line of the page");
    }
}

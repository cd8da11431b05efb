//! Page content as the extractors deliver it (lines of words of glyphs), assembled into the document's
//! text, character boxes and words the API serves.

use lectern_api::geometry::{CharBox, Entity, Rect};

/// One character and its box in PDF points, origin bottom-left, on the page as displayed (rotation applied).
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    pub ch: char,
    pub rect: Rect,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Word {
    pub glyphs: Vec<Glyph>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Line {
    pub words: Vec<Word>,
}

/// A page: its size in points as displayed and its lines in reading order.
#[derive(Debug, Clone, PartialEq)]
pub struct PageContent {
    pub width: f64,
    pub height: f64,
    pub lines: Vec<Line>,
}

/// The document's text and boxes. Offsets count characters (Unicode scalar values), as Python's do.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocumentText {
    /// Pages joined by `\f`, lines by `\n`, words by one space.
    pub text: String,
    /// Every non-whitespace character's box with its offset, in text order.
    pub chars: Vec<(usize, CharBox)>,
    /// The words of each page.
    pub words: Vec<Vec<Entity>>,
}

/// Builds the text, character boxes and words of a document from its pages.
pub fn assemble(pages: &[PageContent]) -> DocumentText {
    let mut doc = DocumentText::default();
    let mut offset = 0usize;
    let mut line_index = 0u32;
    for (page_index, page) in pages.iter().enumerate() {
        if page_index > 0 {
            doc.text.push('\u{c}');
            offset += 1;
        }
        let mut words = Vec::new();
        let mut first_line = true;
        for line in page.lines.iter().filter(|l| l.words.iter().any(|w| !w.glyphs.is_empty())) {
            if !first_line {
                doc.text.push('\n');
                offset += 1;
            }
            first_line = false;
            let mut first_word = true;
            for word in line.words.iter().filter(|w| !w.glyphs.is_empty()) {
                if !first_word {
                    doc.text.push(' ');
                    offset += 1;
                }
                first_word = false;
                let start = offset;
                let mut bounds: Option<Rect> = None;
                let mut string = String::new();
                for glyph in &word.glyphs {
                    doc.text.push(glyph.ch);
                    string.push(glyph.ch);
                    if !glyph.ch.is_whitespace() {
                        bounds = Some(bounds.map_or(glyph.rect, |b| b.union(glyph.rect)));
                        doc.chars.push((offset, char_box(glyph, page, page_index as u32, line_index)));
                    }
                    offset += 1;
                }
                if let Some(r) = bounds {
                    words.push(Entity {
                        x0: r.x0,
                        x1: r.x1,
                        y0: r.y0,
                        y1: r.y1,
                        top: page.height - r.y1,
                        bottom: page.height - r.y0,
                        start_offset: start,
                        end_offset: offset,
                        line_index,
                        page_index: page_index as u32,
                        offset_string: string,
                    });
                }
            }
            line_index += 1;
        }
        doc.words.push(words);
    }
    doc
}

fn char_box(glyph: &Glyph, page: &PageContent, page_index: u32, line_index: u32) -> CharBox {
    // Clamp into the page so clients that validate boxes strictly accept glyphs that overhang the edge.
    let r = &glyph.rect;
    let (x0, x1) = (r.x0.clamp(0.0, page.width), r.x1.clamp(0.0, page.width));
    let (y0, y1) = (r.y0.clamp(0.0, page.height), r.y1.clamp(0.0, page.height));
    CharBox {
        x0,
        x1,
        y0,
        y1,
        top: page.height - y1,
        bottom: page.height - y0,
        page_index,
        page_number: page_index + 1,
        line_index,
        text: glyph.ch.to_string(),
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// A line of monospaced words starting at `x`, baseline `y`, 6 points per character.
    pub fn line(x: f64, y: f64, text: &str) -> Line {
        let mut words = Vec::new();
        let mut cursor = x;
        for word in text.split(' ') {
            let glyphs = word
                .chars()
                .map(|ch| {
                    let g = Glyph { ch, rect: Rect { x0: cursor, x1: cursor + 6.0, y0: y, y1: y + 10.0 } };
                    cursor += 6.0;
                    g
                })
                .collect();
            cursor += 6.0;
            words.push(Word { glyphs });
        }
        Line { words }
    }

    #[test]
    fn pages_lines_and_words_become_text_with_offsets() {
        let pages = vec![
            PageContent {
                width: 600.0,
                height: 800.0,
                lines: vec![line(10.0, 700.0, "Invoice 42"), line(10.0, 680.0, "Total: 9,50")],
            },
            PageContent { width: 600.0, height: 800.0, lines: vec![] },
            PageContent { width: 600.0, height: 800.0, lines: vec![line(20.0, 100.0, "Ende")] },
        ];
        let doc = assemble(&pages);
        assert_eq!(doc.text, "Invoice 42\nTotal: 9,50\u{c}\u{c}Ende");
        assert_eq!(doc.text.matches('\u{c}').count(), pages.len() - 1);
        // Every box's text is the character at its offset.
        let chars: Vec<char> = doc.text.chars().collect();
        for (offset, b) in &doc.chars {
            assert_eq!(b.text, chars[*offset].to_string());
        }
        assert_eq!(doc.chars.len(), doc.text.chars().filter(|c| !c.is_whitespace()).count());
        let (_, t) = doc.chars.iter().find(|(o, _)| *o == 11).unwrap();
        assert_eq!((t.text.as_str(), t.line_index, t.page_index, t.x0, t.top), ("T", 1, 0, 10.0, 110.0));
        let (_, e) = doc.chars.iter().find(|(o, _)| *o == 24).unwrap();
        assert_eq!((e.text.as_str(), e.line_index, e.page_index, e.page_number), ("E", 2, 2, 3));

        assert_eq!(doc.words[0].len(), 4);
        assert!(doc.words[1].is_empty());
        let w = &doc.words[0][1];
        assert_eq!((w.offset_string.as_str(), w.start_offset, w.end_offset), ("42", 8, 10));
        assert_eq!((w.x0, w.x1, w.y0, w.y1, w.bottom), (58.0, 70.0, 700.0, 710.0, 100.0));
    }

    #[test]
    fn boxes_stay_inside_the_page() {
        let pages = vec![PageContent { width: 100.0, height: 100.0, lines: vec![line(97.0, 95.0, "x")] }];
        let (_, b) = &assemble(&pages).chars[0];
        assert_eq!((b.x1, b.y1, b.top), (100.0, 100.0, 0.0));
    }
}

//! A generator of invoices for tests and the benchmark: several layouts with their own wording and number
//! formats, shuffled positions, noise lines and a varying number of line items. A generated invoice is drawn
//! as a real PDF (`sample_pdf`) or turned into text and boxes directly, as the pipeline would read it. Also
//! letters of a few kinds in distinct wording, for the categorization AI.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use super::group::{LabelRule, Schema};
use super::{Annotation, Document};
use crate::pipeline::layout::{assemble, Glyph, Line, PageContent, Word};
use crate::sample_pdf::{self, A4, COURIER_ADVANCE};
use lectern_api::geometry::Rect;

/// The font size every generated line is drawn in.
pub const FONT_SIZE: f64 = 10.0;

/// The label set of the invoice's header fields (one annotation set) and its labels.
pub const HEADER_SET: &str = "Invoice";
pub const HEADER_LABELS: [&str; 4] = ["Invoice number", "Invoice date", "Customer", "Total"];
/// The repeating label set of the line items and its labels.
pub const ITEM_SET: &str = "Line item";
pub const ITEM_LABELS: [&str; 3] = ["Description", "Quantity", "Amount"];

/// The number of layouts `invoice` draws.
pub const LAYOUTS: u64 = 4;

/// A line of text: pieces drawn at their `x` on the baseline `y`.
#[derive(Debug, Clone)]
pub struct DrawnLine {
    pub y: f64,
    pub pieces: Vec<(f64, String)>,
}

/// An annotated value: characters `from..to` of a piece of a line, in annotation set `group` (0 is the header,
/// `n` the n-th line item).
#[derive(Debug, Clone)]
pub struct Value {
    pub label: &'static str,
    pub line: usize,
    pub piece: usize,
    pub from: usize,
    pub to: usize,
    pub group: i64,
}

/// One generated invoice (one A4 page).
#[derive(Debug, Clone)]
pub struct Invoice {
    pub layout: u64,
    pub lines: Vec<DrawnLine>,
    pub values: Vec<Value>,
}

/// The label set of a label of the generated invoices.
pub fn label_set_of(label: &str) -> &'static str {
    if ITEM_LABELS.contains(&label) {
        ITEM_SET
    } else {
        HEADER_SET
    }
}

impl Invoice {
    /// The text lines as the document's text has them: pieces joined by one space, top to bottom.
    pub fn text_lines(&self) -> Vec<String> {
        self.lines.iter().map(|l| l.pieces.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>().join(" ")).collect()
    }

    /// The document as the pipeline reads the drawn PDF: Courier boxes, lines top to bottom.
    pub fn document(&self) -> Document {
        document_of_pieces(
            &self
                .lines
                .iter()
                .map(|l| (l.y, l.pieces.iter().map(|(x, t)| (*x, t.as_str())).collect()))
                .collect::<Vec<_>>(),
        )
    }

    /// The PDF of the invoice.
    pub fn pdf(&self) -> Vec<u8> {
        let mut page = sample_pdf::Page::a4();
        for line in &self.lines {
            for (x, text) in &line.pieces {
                page = page.text(*x, line.y, FONT_SIZE, text);
            }
        }
        sample_pdf::document(&[page])
    }

    /// The annotations with offsets into `text_lines` joined by `\n`, labels and label sets named by `ids`
    /// (`(label name) → (label id, label set id)`).
    pub fn annotations(&self, ids: impl Fn(&str) -> (i64, i64)) -> Vec<Annotation> {
        let mut line_starts = Vec::new();
        let mut at = 0;
        for text in self.text_lines() {
            line_starts.push(at);
            at += text.chars().count() + 1;
        }
        self.values
            .iter()
            .map(|v| {
                let piece_start: usize =
                    self.lines[v.line].pieces[..v.piece].iter().map(|(_, t)| t.chars().count() + 1).sum();
                let start = line_starts[v.line] + piece_start + v.from;
                let (label, label_set) = ids(v.label);
                Annotation { label, label_set, group: v.group, start, end: start + v.to - v.from }
            })
            .collect()
    }
}

/// Label ids for the pure tests: header labels 11.., item labels 21..; label sets 1 (header) and 2 (items).
pub fn test_ids(label: &str) -> (i64, i64) {
    if let Some(i) = HEADER_LABELS.iter().position(|l| *l == label) {
        return (11 + i as i64, 1);
    }
    let i = ITEM_LABELS.iter().position(|l| *l == label).expect("a generated label");
    (21 + i as i64, 2)
}

/// The grouping rules of the generated invoices under `test_ids`: every label with threshold 0.1 and one top
/// candidate, label set 2 (the line items) repeating.
pub fn test_schema() -> Schema {
    let mut schema = Schema::default();
    for label in HEADER_LABELS.iter().chain(&ITEM_LABELS) {
        schema.labels.insert(test_ids(label).0, LabelRule { threshold: 0.1, multiple_top_candidates: false });
    }
    schema.repeating.insert(1, false);
    schema.repeating.insert(2, true);
    schema
}

/// A document of lines `(x, baseline y, text)`, one piece each.
pub fn document_of_lines(lines: &[(f64, f64, &str)]) -> Document {
    document_of_pieces(&lines.iter().map(|(x, y, t)| (*y, vec![(*x, *t)])).collect::<Vec<_>>())
}

/// A one-page A4 document of lines `(baseline y, pieces (x, text))` in Courier of `FONT_SIZE`.
pub fn document_of_pieces(lines: &[(f64, Vec<(f64, &str)>)]) -> Document {
    let advance = COURIER_ADVANCE * FONT_SIZE;
    let lines = lines
        .iter()
        .map(|(y, pieces)| {
            let mut words = Vec::new();
            for (x, text) in pieces {
                let mut cursor = *x;
                for word in text.split(' ') {
                    let glyphs = word
                        .chars()
                        .enumerate()
                        .map(|(i, ch)| {
                            let x0 = cursor + advance * i as f64;
                            Glyph { ch, rect: Rect { x0, x1: x0 + advance, y0: y - 2.0, y1: y + 0.7 * FONT_SIZE } }
                        })
                        .collect();
                    cursor += advance * (word.chars().count() + 1) as f64;
                    words.push(Word { glyphs });
                }
            }
            Line { words }
        })
        .collect();
    let text = assemble(&[PageContent { width: A4[0], height: A4[1], lines }]);
    Document::new(text.text, text.chars, vec![A4])
}

const FIRST_NAMES: [&str; 10] = ["Anna", "Ben", "Clara", "David", "Eva", "Felix", "Greta", "Hans", "Ida", "Jonas"];
const LAST_NAMES: [&str; 10] =
    ["Becker", "Schmidt", "Meyer", "Wagner", "Fischer", "Weber", "Koch", "Richter", "Wolf", "Braun"];
const COMPANY_FORMS: [&str; 4] = ["GmbH", "AG", "Ltd", "KG"];
const PRODUCTS: [&str; 12] = [
    "Widget",
    "Cable set",
    "Office chair",
    "Desk lamp",
    "Paper A4",
    "Toner black",
    "Service hour",
    "Monitor stand",
    "USB hub",
    "Keyboard",
    "Licence fee",
    "Travel costs",
];
const NOISE: [&str; 10] = [
    "Thank you for your business",
    "Vielen Dank fuer Ihren Auftrag",
    "Bank: Sparkasse IBAN DE12 5001 0517 0648 4898 90",
    "Phone +49 30 1234567",
    "VAT ID DE 123 456 789",
    "Please quote the reference with your payment",
    "Page 1 of 1",
    "Registered office Berlin HRB 98765",
    "Delivery by courier",
    "Terms: net 30 days",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// How a layout writes amounts.
#[derive(Clone, Copy)]
enum NumberFormat {
    German,
    English,
    Plain,
}

fn money(cents: i64, format: NumberFormat) -> String {
    let (units, rest) = (cents / 100, cents % 100);
    let grouped = |sep: &str| {
        let digits = units.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push_str(sep);
            }
            out.push(c);
        }
        out
    };
    match format {
        NumberFormat::German => format!("{},{rest:02}", grouped(".")),
        NumberFormat::English => format!("{}.{rest:02}", grouped(",")),
        NumberFormat::Plain => format!("{units}.{rest:02}"),
    }
}

/// Builds the lines of one invoice top to bottom, remembering where its values are.
struct Builder {
    lines: Vec<DrawnLine>,
    values: Vec<Value>,
    y: f64,
}

impl Builder {
    fn line(&mut self, pieces: Vec<(f64, String)>) -> usize {
        self.lines.push(DrawnLine { y: self.y, pieces });
        self.y -= 1.6 * FONT_SIZE;
        self.lines.len() - 1
    }

    fn skip(&mut self, lines: f64) {
        self.y -= lines * 1.6 * FONT_SIZE;
    }

    /// Marks the characters of `value` in piece `piece` of line `line` (its last occurrence).
    fn mark(&mut self, label: &'static str, line: usize, piece: usize, value: &str, group: i64) {
        let text = &self.lines[line].pieces[piece].1;
        let byte = text.rfind(value).expect("the value is in its piece");
        let from = text[..byte].chars().count();
        self.values.push(Value { label, line, piece, from, to: from + value.chars().count(), group });
    }
}

/// The generated invoice number `seed` of layout `seed % LAYOUTS`; the same seed gives the same invoice.
pub fn invoice(seed: u64) -> Invoice {
    let layout = seed % LAYOUTS;
    let mut rng = StdRng::seed_from_u64(seed);
    let format =
        [NumberFormat::German, NumberFormat::English, NumberFormat::Plain, NumberFormat::German][layout as usize];
    let number = match layout {
        0 => format!("INV-{}-{:04}", rng.gen_range(2019..2027), rng.gen_range(1..9999)),
        1 => format!("R{}", rng.gen_range(10000..99999)),
        2 => format!("{}/{:04}", rng.gen_range(2019..2027), rng.gen_range(1..9999)),
        _ => format!("{}", rng.gen_range(100000..999999)),
    };
    let (day, month, year) = (rng.gen_range(1..29), rng.gen_range(1..13), rng.gen_range(2019..2027));
    let date = match layout {
        0 => format!("{day:02}.{month:02}.{year}"),
        1 => format!("{day} {} {year}", MONTHS[month - 1]),
        2 => format!("{month:02}/{day:02}/{year}"),
        _ => format!("{year}-{month:02}-{day:02}"),
    };
    let customer = if rng.gen_bool(0.5) {
        format!("{} {}", FIRST_NAMES.choose(&mut rng).unwrap(), LAST_NAMES.choose(&mut rng).unwrap())
    } else {
        format!("{} {}", LAST_NAMES.choose(&mut rng).unwrap(), COMPANY_FORMS.choose(&mut rng).unwrap())
    };
    let items: Vec<(String, i64, i64)> = (0..rng.gen_range(1..6))
        .map(|_| (PRODUCTS.choose(&mut rng).unwrap().to_string(), rng.gen_range(1..25), rng.gen_range(150..90000)))
        .collect();
    let total: i64 = items.iter().map(|(_, q, p)| q * p).sum();
    let total = money(total, format);

    // Wording per layout: header keys, table header, total key.
    let (number_key, date_key, customer_key, total_key) = match layout {
        0 => ("Invoice No:", "Date:", "Customer:", "Total:"),
        1 => ("Rechnungsnummer:", "Datum:", "Kunde:", "Gesamtbetrag:"),
        2 => ("Invoice number", "Invoice date", "Bill to", "Amount due"),
        _ => ("Ref.", "Issued", "Client", "Balance"),
    };
    let jitter = |rng: &mut StdRng| rng.gen_range(-25.0..25.0_f64).round();
    let left = 60.0 + jitter(&mut rng);
    let right = 330.0 + jitter(&mut rng);
    let mut b = Builder { lines: Vec::new(), values: Vec::new(), y: 780.0 + jitter(&mut rng) };
    b.line(vec![(left, ["INVOICE", "Rechnung", "Invoice", "TAX INVOICE"][layout as usize].into())]);
    if rng.gen_bool(0.6) {
        b.line(vec![(left, NOISE.choose(&mut rng).unwrap().to_string())]);
    }
    b.skip(rng.gen_range(0.0..2.0_f64).round());

    // The header block: key and value on one line (layouts 0, 1, 3) or the value below its key (layout 2),
    // in a shuffled order.
    let mut fields = [
        (number_key, number.as_str(), "Invoice number"),
        (date_key, date.as_str(), "Invoice date"),
        (customer_key, customer.as_str(), "Customer"),
    ];
    fields.shuffle(&mut rng);
    for (key, value, label) in fields {
        match layout {
            2 => {
                b.line(vec![(left, key.into())]);
                let l = b.line(vec![(left, value.into())]);
                b.mark(label, l, 0, value, 0);
            }
            3 => {
                let l = b.line(vec![(right, format!("{key} {value}"))]);
                b.mark(label, l, 0, value, 0);
            }
            _ => {
                let l = b.line(vec![(left, key.into()), (left + 150.0, value.into())]);
                b.mark(label, l, 1, value, 0);
            }
        }
        if rng.gen_bool(0.25) {
            b.line(vec![(right, NOISE.choose(&mut rng).unwrap().to_string())]);
        }
    }
    b.skip(rng.gen_range(1.0..3.0_f64).round());

    // The line items table.
    let (desc_x, qty_x, amount_x) = (left, left + 220.0, left + 330.0 + jitter(&mut rng));
    let header = match layout {
        1 => ["Bezeichnung", "Menge", "Betrag"],
        3 => ["Item", "Units", "Line total"],
        _ => ["Description", "Qty", "Amount"],
    };
    b.line(vec![(desc_x, header[0].into()), (qty_x, header[1].into()), (amount_x, header[2].into())]);
    for (i, (product, qty, price)) in items.iter().enumerate() {
        let amount = money(qty * price, format);
        let group = i as i64 + 1;
        let l = b.line(vec![(desc_x, product.clone()), (qty_x, qty.to_string()), (amount_x, amount.clone())]);
        b.mark("Description", l, 0, product, group);
        b.mark("Quantity", l, 1, &qty.to_string(), group);
        b.mark("Amount", l, 2, &amount, group);
    }
    b.skip(1.0);
    let l = b.line(vec![(amount_x - 150.0, total_key.into()), (amount_x, total.clone())]);
    b.mark("Total", l, 1, &total, 0);
    b.skip(rng.gen_range(0.0..3.0_f64).round());
    for _ in 0..rng.gen_range(1..4) {
        b.line(vec![(left, NOISE.choose(&mut rng).unwrap().to_string())]);
    }
    Invoice { layout, lines: b.lines, values: b.values }
}

/// The train and test invoices: every layout in both, disjoint seeds so no content is shared.
pub fn split(train: usize, test: usize) -> (Vec<Invoice>, Vec<Invoice>) {
    ((0..train as u64).map(invoice).collect(), (10_000..10_000 + test as u64).map(invoice).collect())
}

/// The kinds of letters `letter` writes, for the categorization AI: each in its own words, none of which is
/// the name of a kind.
pub const LETTER_KINDS: [(&str, &[&str]); 3] = [
    ("Billing", &["amount", "payable", "net", "vat", "bank", "transfer", "due", "remit", "tax", "subtotal", "iban"]),
    ("Agreement", &["party", "parties", "hereby", "agree", "clause", "term", "signed", "obligations", "witness"]),
    ("Shipping", &["parcel", "carrier", "tracking", "weight", "dispatched", "pallet", "warehouse", "courier"]),
];

/// Words letters of every kind use.
const LETTER_COMMON: [&str; 6] = ["the", "of", "and", "date", "page", "company"];

/// Eight lines of eight words of the letter kind `kind`, about a third of them common to every kind; `seed`
/// varies the wording.
pub fn letter(kind: usize, seed: u64) -> Vec<String> {
    let mut rng = StdRng::seed_from_u64(seed.wrapping_mul(LETTER_KINDS.len() as u64) + kind as u64);
    let words = LETTER_KINDS[kind].1;
    (0..8)
        .map(|_| {
            let line: Vec<&str> = (0..8)
                .map(|_| {
                    let pool = if rng.gen_range(0..3) == 0 { &LETTER_COMMON[..] } else { words };
                    *pool.choose(&mut rng).unwrap()
                })
                .collect();
            line.join(" ")
        })
        .collect()
}

/// Senders of `paged_letter`s.
const SENDERS: [&str; 8] = [
    "Nordlicht Logistik GmbH",
    "Acme Supplies Ltd",
    "Baker & Sons LLP",
    "Huber Bau AG",
    "Kowalski Trading",
    "Smith Legal Services",
    "Rossi Trasporti S.r.l.",
    "Van Dijk Verzekeringen",
];
const SUBJECTS: [&str; 3] = ["Subject", "Re:", "Betreff"];
const SALUTATIONS: [&str; 3] = ["Dear Sir or Madam,", "Sehr geehrte Damen und Herren,", "Dear customer,"];

/// A letter of `kind` over one to three pages, as the text lines of each page, for the splitting AI. The first
/// page starts with a sender and, each in some letters only, a date in one of three formats, a subject and a
/// salutation; later pages go on with the body and, in some letters, repeat the sender or say "continued".
/// Pages are numbered in one of four styles, one of which prints no numbers.
pub fn paged_letter(kind: usize, seed: u64) -> Vec<Vec<String>> {
    let mut rng = StdRng::seed_from_u64(seed.wrapping_mul(7919) + kind as u64);
    let pages = rng.gen_range(1..=3);
    let sender = *SENDERS.choose(&mut rng).unwrap();
    let numbering = rng.gen_range(0..4);
    let repeat_sender = rng.gen_bool(0.5);
    let continued = rng.gen_bool(0.3);
    (1..=pages)
        .map(|p| {
            let mut lines = Vec::new();
            if p == 1 {
                lines.push(sender.to_string());
                let (day, month) = (rng.gen_range(1..=28), rng.gen_range(1..=12));
                match rng.gen_range(0..4) {
                    0 => lines.push(format!("Date {day:02}.{month:02}.2026")),
                    1 => lines.push(format!("{day} {} 2026", MONTHS[month - 1])),
                    2 => lines.push(format!("2026-{month:02}-{day:02}")),
                    _ => {}
                }
                if rng.gen_bool(0.7) {
                    let subject = SUBJECTS.choose(&mut rng).unwrap();
                    lines.push(format!("{subject} {} {}", LETTER_KINDS[kind].1[0], rng.gen_range(100..999)));
                }
                if rng.gen_bool(0.5) {
                    lines.push(SALUTATIONS.choose(&mut rng).unwrap().to_string());
                }
            } else {
                if repeat_sender {
                    lines.push(sender.to_string());
                }
                if continued {
                    lines.push("continued".to_string());
                }
            }
            lines.extend(letter(kind, seed * 10 + p as u64).into_iter().take(rng.gen_range(4..=8)));
            match numbering {
                0 => lines.push(format!("Page {p} of {pages}")),
                1 => lines.push(format!("Seite {p}")),
                2 => lines.push(format!("- {p} -")),
                _ => {}
            }
            lines
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_formats() {
        assert_eq!(money(123456, NumberFormat::German), "1.234,56");
        assert_eq!(money(123456789, NumberFormat::English), "1,234,567.89");
        assert_eq!(money(5, NumberFormat::Plain), "0.05");
    }

    #[test]
    fn annotations_point_at_their_values_in_the_text() {
        for seed in 0..12 {
            let inv = invoice(seed);
            let doc = inv.document();
            assert_eq!(doc.text, inv.text_lines().join("\n"));
            let chars: Vec<char> = doc.text.chars().collect();
            let anns = inv.annotations(test_ids);
            assert_eq!(anns.len(), inv.values.len());
            for (a, v) in anns.iter().zip(&inv.values) {
                let piece: Vec<char> = inv.lines[v.line].pieces[v.piece].1.chars().collect();
                let expected: String = piece[v.from..v.to].iter().collect();
                assert_eq!(chars[a.start..a.end].iter().collect::<String>(), expected, "seed {seed}");
            }
            // Every header label once, and each line item has its three labels.
            for label in HEADER_LABELS {
                assert_eq!(inv.values.iter().filter(|v| v.label == label).count(), 1, "seed {seed} {label}");
            }
            let items = inv.values.iter().map(|v| v.group).max().unwrap();
            assert_eq!(inv.values.len() as i64, 4 + 3 * items);
            assert!(inv.pdf().starts_with(b"%PDF"));
        }
        assert_ne!(invoice(1).text_lines(), invoice(1 + LAYOUTS).text_lines(), "same layout, other content");
    }
}

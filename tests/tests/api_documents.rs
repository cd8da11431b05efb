//! Documents (§7), pages (§9), character boxes (§10), search (§11) and files (§17) over HTTP: uploads of
//! generated PDFs and images through the real processing pipeline (pdfium, tesseract), as the SDK and DVUI
//! use them.

use std::collections::BTreeSet;

use lectern_tests::pdf::{self, Page, A4, COURIER_ADVANCE};
use lectern_tests::Api;
use lectern_tests::{assert_field_error, assert_not_found, get_ok};
use lectern_tests::{ids, keys, Client, Server, StatusCode};
use reqwest::header;
use serde_json::{json, Value};

const DOCS: &str = "/api/v3/documents/";

const PAGE_SUMMARY_KEYS: [&str; 6] = ["id", "number", "image_url", "thumbnail_url", "original_size", "size"];
const PAGE_DETAIL_KEYS: [&str; 9] =
    ["id", "number", "entities", "image_url", "thumbnail_url", "original_size", "size", "created_at", "updated_at"];
const ENTITY_KEYS: [&str; 11] = [
    "x0",
    "x1",
    "y0",
    "y1",
    "top",
    "bottom",
    "start_offset",
    "end_offset",
    "line_index",
    "page_index",
    "offset_string",
];

/// The statuses a document passes through when splitting is off (§7.5).
const PROCESSING_STATUSES: [i64; 7] = [0, 10, 3, 30, 1, 20, 2];

fn sorted(keys: &[&str]) -> Vec<String> {
    let mut k: Vec<String> = keys.iter().map(|s| s.to_string()).collect();
    k.sort();
    k
}

/// A line of Courier text drawn on page `page` (0-based) with its baseline starting at (`x`, `y`).
struct Drawn {
    page: usize,
    x: f64,
    y: f64,
    size: f64,
    text: &'static str,
}

/// Page sizes (MediaBox) and `/Rotate` of the test document: A4, A4 turned by 90°, US Letter.
const PAGES: [([f64; 2], i32); 3] = [(A4, 0), (A4, 90), ([612.0, 792.0], 0)];

const LINES: [Drawn; 5] = [
    Drawn { page: 0, x: 72.0, y: 760.0, size: 14.0, text: "Invoice 2024-001" },
    Drawn { page: 0, x: 72.0, y: 730.0, size: 12.0, text: "Total: 9,50 EUR" },
    Drawn { page: 0, x: 90.0, y: 700.0, size: 10.0, text: r"Größe (M) a\b" },
    Drawn { page: 1, x: 72.0, y: 500.0, size: 12.0, text: "Rotated page" },
    Drawn { page: 2, x: 100.0, y: 100.0, size: 10.0, text: "Ende total" },
];

/// The text the test document must yield: pages split by form feeds, lines by newlines.
const TEXT: &str = "Invoice 2024-001\nTotal: 9,50 EUR\nGröße (M) a\\b\u{c}Rotated page\u{c}Ende total";

fn invoice_pdf() -> Vec<u8> {
    let pages: Vec<Page> = PAGES
        .iter()
        .enumerate()
        .map(|(i, (size, rotate))| {
            LINES
                .iter()
                .filter(|l| l.page == i)
                .fold(Page::new(size[0], size[1]).rotate(*rotate), |p, l| p.text(l.x, l.y, l.size, l.text))
        })
        .collect();
    pdf::document(&pages)
}

/// A one-page PDF with `text` in 12 pt Courier at (72, 700).
fn small_pdf(text: &str) -> Vec<u8> {
    pdf::document(&[Page::a4().text(72.0, 700.0, 12.0, text)])
}

fn doc_path(id: i64) -> String {
    format!("{DOCS}{id}/")
}

fn id_of(doc: &Value) -> i64 {
    doc["id"].as_i64().unwrap_or_else(|| panic!("no id in {doc}"))
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance
}

async fn project(client: &Client, name: &str) -> i64 {
    client.create("/api/v3/projects/", json!({"name": name})).await
}

/// Uploads the three-page test document with `sync=True` and returns its detail.
async fn upload_invoice(client: &Client, project: i64) -> Value {
    let doc =
        client.upload_ok(project, "invoice.pdf", invoice_pdf(), &[("sync", "True"), ("dataset_status", "0")]).await;
    assert_eq!(doc["status_data"], 2, "{doc}");
    doc
}

/// The character offsets (not bytes) where each drawn line starts in `text`, in drawing order.
fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    for (i, c) in text.chars().enumerate() {
        if c == '\n' || c == '\u{c}' {
            starts.push(i + 1);
        }
    }
    starts
}

/// The `\f`-separated page each character offset is on.
fn page_of_offsets(text: &str) -> Vec<usize> {
    let mut page = 0;
    text.chars()
        .map(|c| {
            let p = page;
            if c == '\u{c}' {
                page += 1;
            }
            p
        })
        .collect()
}

/// Checks `GET bbox` against the text, the page sizes and where every character was drawn.
fn check_char_boxes(doc: &Value, bbox: &Value) {
    let text: Vec<char> = doc["text"].as_str().unwrap().chars().collect();
    let pages = doc["pages"].as_array().unwrap();
    let boxes = bbox["bbox"].as_object().unwrap_or_else(|| panic!("no bbox object in {bbox}"));
    let page_of = page_of_offsets(doc["text"].as_str().unwrap());

    // Every character but whitespace has a box, keyed by its character offset.
    let keyed: BTreeSet<usize> =
        boxes.keys().map(|k| k.parse().unwrap_or_else(|_| panic!("key {k:?} is not an offset"))).collect();
    let expected: BTreeSet<usize> =
        text.iter().enumerate().filter(|(_, c)| !c.is_whitespace()).map(|(i, _)| i).collect();
    assert_eq!(keyed, expected);

    // The line a character is on, counted over the whole document (no page or line of this one is empty).
    let mut line_of = Vec::new();
    let mut line = 0;
    for c in &text {
        line_of.push(line);
        if *c == '\n' || *c == '\u{c}' {
            line += 1;
        }
    }

    for (key, b) in boxes {
        let offset: usize = key.parse().unwrap();
        assert_eq!(b["text"].as_str(), Some(text[offset].to_string().as_str()), "box {key}: {b}");
        assert_eq!(b["page_index"], page_of[offset], "box {key}: {b}");
        assert_eq!(b["line_index"], line_of[offset], "box {key}: {b}");
        let [w, h] = [f(&pages[page_of[offset]]["original_size"][0]), f(&pages[page_of[offset]]["original_size"][1])];
        let (x0, x1, y0, y1) = (f(&b["x0"]), f(&b["x1"]), f(&b["y0"]), f(&b["y1"]));
        assert!(
            0.0 <= x0 && x0 <= x1 && x1 <= w && 0.0 <= y0 && y0 <= y1 && y1 <= h,
            "box {key} outside the page: {b}"
        );
        assert!(close(f(&b["top"]), h - y1, 0.01) && close(f(&b["bottom"]), h - y0, 0.01), "top/bottom of {key}: {b}");
        if let Some(number) = b.get("page_number") {
            assert_eq!(number.as_u64(), Some(page_of[offset] as u64 + 1), "{b}");
        }
    }

    // Where the characters were drawn: Courier advances 0.6 × size per character.
    let starts = line_starts(doc["text"].as_str().unwrap());
    for (line, start) in LINES.iter().zip(starts) {
        let advance = COURIER_ADVANCE * line.size;
        let width = PAGES[line.page].0[0];
        for (i, ch) in line.text.chars().enumerate().filter(|(_, c)| *c != ' ') {
            let b = &boxes[&(start + i).to_string()];
            assert_eq!(b["text"].as_str(), Some(ch.to_string().as_str()));
            let (x0, x1, y0, y1) = (f(&b["x0"]), f(&b["x1"]), f(&b["y0"]), f(&b["y1"]));
            let along = line.x + advance * i as f64;
            if PAGES[line.page].1 == 0 {
                assert!(close(x0, along, 1.0), "{ch:?} of {:?}: x0 {x0}, drawn at {along}", line.text);
                assert!(
                    close(x1 - x0, advance, 0.5),
                    "{ch:?} of {:?}: width {}, advance {advance}",
                    line.text,
                    x1 - x0
                );
                assert!(
                    y0 < line.y && line.y < y1 && y1 - y0 < 1.5 * line.size,
                    "{ch:?} of {:?}: y {y0}..{y1}, baseline {}",
                    line.text,
                    line.y
                );
            } else {
                // /Rotate 90 turns the page clockwise: the drawn x runs down the displayed page from its top
                // at `width − x`, and the baseline becomes a vertical line at x = drawn y.
                assert!(
                    close(y1, width - along, 1.0),
                    "{ch:?} of {:?}: y1 {y1}, expected {}",
                    line.text,
                    width - along
                );
                assert!(close(y1 - y0, advance, 0.5), "{ch:?} of {:?}: height {}", line.text, y1 - y0);
                assert!(x0 < line.y && line.y < x1, "{ch:?} of {:?}: x {x0}..{x1}, baseline {}", line.text, line.y);
            }
        }
    }
}

/// Decodes a PNG and returns its size and how many pixels are dark.
fn decode_png(bytes: &[u8]) -> ([u32; 2], usize) {
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG signature");
    let (w, h, ..) = pdf::png_header(bytes);
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes)).read_info().expect("PNG header decodes");
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).expect("PNG data decodes");
    assert_eq!([info.width, info.height], [w, h]);
    let channels = info.color_type.samples();
    let dark = buf[..info.buffer_size()].chunks(channels).filter(|px| px[0] < 128).count();
    ([w, h], dark)
}

/// GETs an image and checks it is a PNG of `size` with an ETag that revalidates to 304; returns its bytes.
async fn check_image(client: &Client, url: &str, size: Option<[u32; 2]>) -> Vec<u8> {
    let resp = client.get_raw(url).await;
    assert_eq!(resp.status(), StatusCode::OK, "GET {url}");
    assert_eq!(resp.headers()[header::CONTENT_TYPE], "image/png", "GET {url}");
    let etag = resp.headers().get(header::ETAG).unwrap_or_else(|| panic!("no ETag on {url}")).clone();
    let bytes = resp.bytes().await.unwrap().to_vec();
    let (decoded, dark) = decode_png(&bytes);
    if let Some(size) = size {
        assert_eq!(decoded, size, "{url}");
    }
    assert!(dark > 0, "{url} shows no text");
    let again =
        client.request(reqwest::Method::GET, url).header(header::IF_NONE_MATCH, etag.clone()).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "If-None-Match on {url}");
    assert_eq!(again.headers().get(header::ETAG), Some(&etag));
    bytes
}

#[tokio::test]
async fn an_uploaded_pdf_is_processed_into_text_pages_and_boxes() {
    let server = Server::start().await;
    let ann = server.user("ann@example.com").await;
    let project = project(&ann, "Uploads").await;
    let bytes = invoice_pdf();

    let (status, doc) =
        ann.upload(project, "invoice.pdf", bytes.clone(), &[("sync", "True"), ("dataset_status", "0")]).await;
    assert_eq!(status, StatusCode::CREATED, "{doc}");
    let id = id_of(&doc);
    assert_eq!(doc["status_data"], 2, "{doc}");
    assert_eq!(doc["labeling_available"], 1);
    assert_eq!(doc["project"], project);
    assert_eq!(doc["data_file_name"], "invoice.pdf");
    assert_eq!(doc["data_file_producer"], "Lectern tests");
    assert_eq!(doc["created_by"], "ann@example.com");
    assert_eq!(doc["file_url"], format!("/doc/show/{id}/"));
    assert_eq!(doc["original_file_url"], format!("/doc/show-original/{id}/"));
    assert_eq!(
        (doc["is_reviewed"].as_bool(), doc["dataset_status"].as_i64(), doc["assignee"].is_null()),
        (Some(false), Some(0), true)
    );
    assert!(doc["processing_time"].as_f64().is_some_and(|t| t >= 0.0), "{doc}");

    // The text: pages split by exactly pages − 1 form feeds, offsets in characters.
    assert_eq!(doc["text"], TEXT);
    assert_eq!(doc["number_of_pages"], 3);
    assert_eq!(doc["text"].as_str().unwrap().matches('\u{c}').count(), 2);

    // Pages: sizes in points as displayed (the turned page swapped), images about 1700 px on the long side.
    let pages = doc["pages"].as_array().unwrap();
    assert_eq!(pages.len(), 3);
    for (i, page) in pages.iter().enumerate() {
        assert_eq!(keys(page), sorted(&PAGE_SUMMARY_KEYS));
        assert_eq!(page["number"], i + 1);
        let pid = page["id"].as_i64().unwrap();
        assert_eq!(page["image_url"], format!("/page/show-image/{pid}/"));
        assert_eq!(page["thumbnail_url"], format!("/page/show-thumbnail/{pid}/"));
        let (size, rotate) = PAGES[i];
        let displayed = if rotate % 180 == 90 { [size[1], size[0]] } else { size };
        let original = [f(&page["original_size"][0]), f(&page["original_size"][1])];
        assert!(close(original[0], displayed[0], 0.01) && close(original[1], displayed[1], 0.01), "page {i}: {page}");
        let px = [page["size"][0].as_u64().unwrap() as f64, page["size"][1].as_u64().unwrap() as f64];
        assert!((1650.0..=1750.0).contains(&px[0].max(px[1])), "page {i}: {page}");
        assert!(close(px[0] / px[1], displayed[0] / displayed[1], 0.01), "page {i} image is not in proportion: {page}");
    }
    assert_eq!(doc["thumbnail_url"], pages[0]["thumbnail_url"]);

    // GET answers the same representation, and the list has the exact list keys.
    let again = get_ok(&ann, &doc_path(id)).await;
    assert_eq!(again, doc);
    let (_, listed) = ann.get(&format!("{DOCS}?project={project}")).await;
    assert_eq!(listed["count"], 1);
    assert_eq!(id_of(&listed["results"][0]), id);
    let polled = get_ok(&ann, &format!("{}?fields=status_data,labeling_available", doc_path(id))).await;
    assert_eq!(polled, json!({"status_data": 2, "labeling_available": 1}));

    // Character boxes, with and without the trailing slash (the SDK asks without).
    let bbox = get_ok(&ann, &format!("{DOCS}{id}/bbox/")).await;
    check_char_boxes(&doc, &bbox);
    let bare = get_ok(&ann, &format!("{DOCS}{id}/bbox")).await;
    assert_eq!(bare, bbox);

    // Page detail: its words with offsets into the document text.
    let text: Vec<char> = TEXT.chars().collect();
    let page1 = get_ok(&ann, &format!("{DOCS}{id}/pages/1/")).await;
    assert_eq!(keys(&page1), sorted(&PAGE_DETAIL_KEYS));
    assert_eq!(
        (&page1["id"], &page1["size"], &page1["image_url"]),
        (&pages[0]["id"], &pages[0]["size"], &pages[0]["image_url"])
    );
    let entities = page1["entities"].as_array().unwrap();
    let words: Vec<&str> = entities.iter().map(|e| e["offset_string"].as_str().unwrap()).collect();
    assert_eq!(words, ["Invoice", "2024-001", "Total:", "9,50", "EUR", "Größe", "(M)", r"a\b"]);
    for e in entities {
        assert_eq!(keys(e), sorted(&ENTITY_KEYS));
        let (start, end) = (e["start_offset"].as_u64().unwrap() as usize, e["end_offset"].as_u64().unwrap() as usize);
        assert_eq!(text[start..end].iter().collect::<String>(), e["offset_string"].as_str().unwrap(), "{e}");
        assert_eq!(e["page_index"], 0);
        // The word's box is the union of its characters' boxes.
        let chars: Vec<&Value> = (start..end).map(|o| &bbox["bbox"][o.to_string()]).collect();
        let min = |k: &str| chars.iter().map(|c| f(&c[k])).fold(f64::INFINITY, f64::min);
        let max = |k: &str| chars.iter().map(|c| f(&c[k])).fold(f64::NEG_INFINITY, f64::max);
        assert!(close(f(&e["x0"]), min("x0"), 0.01) && close(f(&e["x1"]), max("x1"), 0.01), "{e}");
        assert!(close(f(&e["y0"]), min("y0"), 0.01) && close(f(&e["y1"]), max("y1"), 0.01), "{e}");
        assert!(
            close(f(&e["top"]), 842.0 - f(&e["y1"]), 0.01) && close(f(&e["bottom"]), 842.0 - f(&e["y0"]), 0.01),
            "{e}"
        );
        assert_eq!(e["line_index"], chars[0]["line_index"]);
    }
    let page2 = get_ok(&ann, &format!("{DOCS}{id}/pages/2/")).await;
    let words: Vec<&str> =
        page2["entities"].as_array().unwrap().iter().map(|e| e["offset_string"].as_str().unwrap()).collect();
    assert_eq!(words, ["Rotated", "page"]);
    assert_eq!(page2["original_size"], pages[1]["original_size"]);

    // Images: PNGs of the announced size (cache busters ignored), revalidated by ETag; the thumbnail is smaller.
    for page in pages {
        let size = [page["size"][0].as_u64().unwrap() as u32, page["size"][1].as_u64().unwrap() as u32];
        check_image(&ann, &format!("{}?1700000000123", page["image_url"].as_str().unwrap()), Some(size)).await;
        let thumb = check_image(&ann, page["thumbnail_url"].as_str().unwrap(), None).await;
        let (tsize, _) = decode_png(&thumb);
        assert!(tsize[0] < size[0] && tsize[1] < size[1], "thumbnail {tsize:?} of a {size:?} page");
    }

    // Files: the original as uploaded, and a PDF.
    let original = ann.get_raw(&format!("/doc/show-original/{id}/")).await;
    assert_eq!(original.status(), StatusCode::OK);
    assert_eq!(original.headers()[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(original.bytes().await.unwrap().to_vec(), bytes);
    let shown = ann.get_raw(doc["file_url"].as_str().unwrap()).await;
    assert_eq!(shown.status(), StatusCode::OK);
    assert_eq!(shown.headers()[header::CONTENT_TYPE], "application/pdf");
    assert!(shown.bytes().await.unwrap().starts_with(b"%PDF-"));
}

#[tokio::test]
async fn without_sync_the_upload_answers_at_once_and_processing_follows() {
    let server = Server::start().await;
    let ann = server.user("ann@example.com").await;
    let project = project(&ann, "Async").await;

    let (status, doc) = ann.upload(project, "later.pdf", invoice_pdf(), &[("sync", "False")]).await;
    assert_eq!(status, StatusCode::CREATED, "{doc}");
    assert_eq!(doc["data_file_name"], "later.pdf");
    let first = doc["status_data"].as_i64().unwrap();
    assert!(PROCESSING_STATUSES.contains(&first), "{doc}");
    if first != 2 {
        assert_eq!(doc["labeling_available"], 0, "not ready for review while processing: {doc}");
    }

    let seen = ann.wait_processed(id_of(&doc)).await;
    assert_eq!(seen.last(), Some(&2), "{seen:?}");
    for code in &seen {
        assert!(PROCESSING_STATUSES.contains(code), "status {code} while processing: {seen:?}");
    }
    // The statuses only move forward.
    let positions: Vec<usize> = seen.iter().map(|c| PROCESSING_STATUSES.iter().position(|p| p == c).unwrap()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "statuses went back: {seen:?}");

    let done = get_ok(&ann, &doc_path(id_of(&doc))).await;
    assert_eq!((done["status_data"].as_i64(), done["labeling_available"].as_i64()), (Some(2), Some(1)));
    assert_eq!(done["text"], TEXT);
    assert!(done["updated_at"].as_str().unwrap() >= doc["updated_at"].as_str().unwrap());
}

/// The first page of the test document as the server renders it: a PNG to feed to OCR.
async fn rendered_page(client: &Client, project: i64) -> (Vec<u8>, Value) {
    let doc = upload_invoice(client, project).await;
    let url = doc["pages"][0]["image_url"].as_str().unwrap().to_owned();
    let resp = client.get_raw(&url).await;
    assert_eq!(resp.status(), StatusCode::OK);
    (resp.bytes().await.unwrap().to_vec(), doc)
}

/// Asserts that at least 90 % of the words drawn on page 1 were recognised (ignoring case).
fn assert_recognised(text: &str) {
    let found: BTreeSet<String> = text.split_whitespace().map(str::to_lowercase).collect();
    let drawn: Vec<String> =
        LINES.iter().filter(|l| l.page == 0).flat_map(|l| l.text.split(' ')).map(str::to_lowercase).collect();
    let hits = drawn.iter().filter(|w| found.contains(*w)).count();
    assert!(hits * 10 >= drawn.len() * 9, "OCR found {hits} of {} words {drawn:?} in {text:?}", drawn.len());
}

#[tokio::test]
async fn images_and_scanned_pdfs_are_recognised_by_ocr() {
    let server = Server::start().await;
    let ann = server.user("ann@example.com").await;
    let project = project(&ann, "Scans").await;
    let (png, _) = rendered_page(&ann, project).await;

    // A PNG: OCR text, one page, a searchable PDF to download.
    let doc = ann.upload_ok(project, "scan.png", png.clone(), &[("sync", "True")]).await;
    let id = id_of(&doc);
    assert_eq!((doc["status_data"].as_i64(), doc["labeling_available"].as_i64()), (Some(2), Some(1)), "{doc}");
    assert_eq!(doc["number_of_pages"], 1);
    assert_recognised(doc["text"].as_str().unwrap());
    let page = &doc["pages"][0];
    let image_size = [page["size"][0].as_u64().unwrap() as u32, page["size"][1].as_u64().unwrap() as u32];
    check_image(&ann, page["image_url"].as_str().unwrap(), Some(image_size)).await;
    let bbox = get_ok(&ann, &format!("{DOCS}{id}/bbox/")).await;
    let text: Vec<char> = doc["text"].as_str().unwrap().chars().collect();
    let (w, h) = (f(&page["original_size"][0]), f(&page["original_size"][1]));
    for (key, b) in bbox["bbox"].as_object().unwrap() {
        let offset: usize = key.parse().unwrap();
        assert_eq!(b["text"].as_str(), Some(text[offset].to_string().as_str()), "{b}");
        assert!(f(&b["x0"]) >= 0.0 && f(&b["x1"]) <= w && f(&b["y0"]) >= 0.0 && f(&b["y1"]) <= h, "{b}");
    }
    let original = ann.get_raw(&format!("/doc/show-original/{id}/")).await;
    assert_eq!(original.headers()[header::CONTENT_TYPE], "image/png");
    assert_eq!(original.bytes().await.unwrap().to_vec(), png);
    let shown = ann.get_raw(&format!("/doc/show/{id}/")).await;
    assert_eq!(shown.status(), StatusCode::OK);
    assert_eq!(shown.headers()[header::CONTENT_TYPE], "application/pdf");
    assert!(shown.bytes().await.unwrap().starts_with(b"%PDF-"));

    // A PDF whose only page is that image (no text layer): OCR as well, the page keeps its size in points.
    let scanned = pdf::document(&[Page::a4().png(&png, 0.0, 0.0, A4[0], A4[1])]);
    let doc = ann.upload_ok(project, "scanned.pdf", scanned, &[("sync", "True")]).await;
    assert_eq!(doc["status_data"], 2, "{doc}");
    assert_recognised(doc["text"].as_str().unwrap());
    assert!(
        close(f(&doc["pages"][0]["original_size"][0]), A4[0], 0.01)
            && close(f(&doc["pages"][0]["original_size"][1]), A4[1], 0.01)
    );
    // The word "Invoice" is found where it was drawn on the original page (within a few points).
    let hits = get_ok(&ann, &format!("{DOCS}{}/bbox/", id_of(&doc))).await;
    assert!(!hits["bbox"].as_object().unwrap().is_empty());
    let (status, found) = ann.post(&format!("{DOCS}{}/search/", id_of(&doc)), json!({"q": "invoice"})).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    let span = &found["span"][0];
    assert!(close(f(&span["x0"]), 72.0, 4.0) && close(f(&span["y0"]), 760.0 - 3.0, 5.0), "{span}");
    let shown = ann.get_raw(&format!("/doc/show/{}/", id_of(&doc))).await;
    assert_eq!(shown.headers()[header::CONTENT_TYPE], "application/pdf");
}

/// The character box at `offset`.
fn char_box(bbox: &Value, offset: usize) -> (f64, f64, f64, f64) {
    let b = &bbox["bbox"][offset.to_string()];
    (f(&b["x0"]), f(&b["x1"]), f(&b["y0"]), f(&b["y1"]))
}

#[tokio::test]
async fn rectangles_and_words_become_spans_and_search_finds_text() {
    let server = Server::start().await;
    let ann = server.user("ann@example.com").await;
    let project = project(&ann, "Spans").await;
    let doc = upload_invoice(&ann, project).await;
    let id = id_of(&doc);
    let bbox = get_ok(&ann, &format!("{DOCS}{id}/bbox/")).await;
    let at = format!("{DOCS}{id}/bbox/");

    // A rectangle around "9,50" (offsets 24..28) with a little room.
    let start = TEXT.find("9,50").unwrap();
    let (x0, _, y0, y1) = char_box(&bbox, start);
    let (_, x1, ..) = char_box(&bbox, start + 3);
    let (status, body) = ann
        .post(&at, json!({"span": [{"x0": x0 - 1.0, "x1": x1 + 1.0, "y0": y0 - 1.0, "y1": y1 + 1.0, "page_index": 0}]}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let spans = body["span"].as_array().unwrap();
    assert_eq!(spans.len(), 1, "{body}");
    let span = &spans[0];
    assert_eq!(
        (span["start_offset"].as_u64(), span["end_offset"].as_u64()),
        (Some(start as u64), Some(start as u64 + 4))
    );
    assert_eq!((span["offset_string"].as_str(), span["offset_string_original"].as_str()), (Some("9,50"), Some("9,50")));
    assert_eq!(span["page_index"], 0);
    assert!(
        close(f(&span["x0"]), x0, 0.01) && close(f(&span["x1"]), x1, 0.01) && close(f(&span["y1"]), y1, 0.01),
        "{span}"
    );
    assert!(close(f(&span["top"]), 842.0 - y1, 0.01), "{span}");

    // "Größe" counts characters, not bytes: its offsets are those of the text as characters.
    let chars: Vec<char> = TEXT.chars().collect();
    let g = chars.iter().position(|c| *c == 'G').unwrap();
    let (gx0, _, gy0, gy1) = char_box(&bbox, g);
    let (_, gx1, ..) = char_box(&bbox, g + 4);
    let (_, body) = ann
        .post(
            &at,
            json!({"span": [{"x0": gx0 - 0.5, "x1": gx1 + 0.5, "y0": gy0 - 0.5, "y1": gy1 + 0.5, "page_index": 0}]}),
        )
        .await;
    assert_eq!(body["span"][0]["offset_string"], "Größe", "{body}");
    assert_eq!(body["span"][0]["start_offset"], g);

    // Two word entities of one line ("Total:" and "9,50"), sent unchanged as DVUI does: one merged span.
    let page1 = get_ok(&ann, &format!("{DOCS}{id}/pages/1/")).await;
    let entities = page1["entities"].as_array().unwrap();
    let word =
        |s: &str| entities.iter().find(|e| e["offset_string"] == s).unwrap_or_else(|| panic!("no word {s}")).clone();
    let (status, body) = ann.post(&at, json!({"span": [word("Total:"), word("9,50")]})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["span"].as_array().unwrap().len(), 1, "{body}");
    assert_eq!(body["span"][0]["offset_string"], "Total: 9,50");
    assert_eq!(body["span"][0]["start_offset"], word("Total:")["start_offset"]);
    assert_eq!(body["span"][0]["end_offset"], word("9,50")["end_offset"]);
    // Words on two lines: one span per line.
    let (_, body) = ann.post(&at, json!({"span": [word("Invoice"), word("EUR")]})).await;
    let texts: Vec<&str> =
        body["span"].as_array().unwrap().iter().map(|s| s["offset_string"].as_str().unwrap()).collect();
    assert_eq!(texts, ["Invoice", "EUR"]);

    // A rectangle over nothing; a box on the turned page finds its text there.
    let (status, body) =
        ann.post(&at, json!({"span": [{"x0": 300.0, "x1": 400.0, "y0": 100.0, "y1": 200.0, "page_index": 0}]})).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"span": []})));
    let (_, body) =
        ann.post(&at, json!({"span": [{"x0": 0.0, "x1": 842.0, "y0": 0.0, "y1": 595.0, "page_index": 1}]})).await;
    assert_eq!(body["span"][0]["offset_string"], "Rotated page", "{body}");
    assert_eq!(body["span"][0]["page_index"], 1);

    // A page that does not exist, and a box turned inside out.
    let (status, body) =
        ann.post(&at, json!({"span": [{"x0": 0.0, "x1": 10.0, "y0": 0.0, "y1": 10.0, "page_index": 3}]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) =
        ann.post(&at, json!({"span": [{"x0": 10.0, "x1": 0.0, "y0": 0.0, "y1": 10.0, "page_index": 0}]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _) = ann.post(&at, json!({"span": "everything"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Search: one span per occurrence, ignoring case, with correct offsets.
    let search = format!("{DOCS}{id}/search/");
    let (status, body) = ann.post(&search, json!({"q": "TOTAL"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let hits = body["span"].as_array().unwrap();
    let expected: Vec<usize> =
        TEXT.to_lowercase().match_indices("total").map(|(b, _)| TEXT[..b].chars().count()).collect();
    assert_eq!(expected.len(), 2);
    assert_eq!(hits.iter().map(|h| h["start_offset"].as_u64().unwrap() as usize).collect::<Vec<_>>(), expected);
    for (hit, page) in hits.iter().zip([0, 2]) {
        let (s, e) = (hit["start_offset"].as_u64().unwrap() as usize, hit["end_offset"].as_u64().unwrap() as usize);
        assert_eq!(e - s, 5);
        assert_eq!(hit["offset_string"].as_str().unwrap(), chars[s..e].iter().collect::<String>());
        assert_eq!(hit["page_index"], page);
        let (x0, ..) = char_box(&bbox, s);
        let (_, x1, ..) = char_box(&bbox, e - 1);
        assert!(close(f(&hit["x0"]), x0, 0.01) && close(f(&hit["x1"]), x1, 0.01), "{hit}");
    }
    assert_eq!(hits[0]["offset_string"], "Total");
    assert_eq!(hits[1]["offset_string"], "total");
    // A search after "ß" still gets character offsets.
    let (_, body) = ann.post(&search, json!({"q": "(m) A"})).await;
    let s = chars.iter().position(|c| *c == '(').unwrap();
    assert_eq!(
        (body["span"][0]["start_offset"].as_u64(), body["span"][0]["offset_string"].as_str()),
        (Some(s as u64), Some("(M) a"))
    );
    let (_, body) = ann.post(&search, json!({"q": "nowhere"})).await;
    assert_eq!(body, json!({"span": []}));
    let (status, body) = ann.post(&search, json!({"q": "   "})).await;
    assert_field_error(status, &body, "q");
    let (status, body) = ann.post(&search, json!({})).await;
    assert_field_error(status, &body, "q");
}

#[tokio::test]
async fn documents_are_listed_with_filters_and_pages() {
    let server = Server::start().await;
    let ann = server.user("ann@example.com").await;
    let _bob = server.user("bob@example.com").await;
    let fx = ann.fixture("Main").await;
    let other = project(&ann, "Other").await;
    server.add_member(fx.project, "bob@example.com");

    let mut made = Vec::new();
    for i in 0..5 {
        let mut fields = vec![("sync", "True")];
        if i == 0 {
            fields.push(("dataset_status", "2"));
        }
        let category = fx.category.to_string();
        if i == 1 {
            fields.push(("category", category.as_str()));
        }
        if i == 2 {
            fields.push(("assignee", "bob@example.com"));
        }
        let doc =
            ann.upload_ok(fx.project, &format!("doc{i}.pdf"), small_pdf(&format!("Letter number {i}")), &fields).await;
        assert_eq!(doc["status_data"], 2, "{doc}");
        made.push(id_of(&doc));
    }
    let elsewhere = id_of(&ann.upload_ok(other, "other.pdf", small_pdf("Elsewhere"), &[("sync", "True")]).await);

    let list = |q: &str| {
        let ann = ann.clone();
        let q = q.to_owned();
        async move {
            let (status, body) = ann.get(&format!("{DOCS}?{q}")).await;
            assert_eq!(status, StatusCode::OK, "{q}: {body}");
            let mut found = ids(body["results"].as_array().unwrap());
            found.sort();
            found
        }
    };
    let mut all = made.clone();
    all.push(elsewhere);
    assert_eq!(list("").await, all);
    assert_eq!(list(&format!("project={}", fx.project)).await, made);
    assert_eq!(list(&format!("project={other}")).await, [elsewhere]);
    assert_eq!(list(&format!("category={}", fx.category)).await, [made[1]]);
    assert_eq!(list("dataset_status=2").await, [made[0]]);
    assert_eq!(list(&format!("dataset_status=0&project={}", fx.project)).await, made[1..]);
    assert_eq!(list("status_data=2").await, all);
    assert_eq!(list("status_data=111").await, Vec::<i64>::new());
    assert_eq!(list("data_file_name=doc3.pdf").await, [made[3]]);
    assert_eq!(list("is_reviewed=false").await, all);
    assert_eq!(list("is_reviewed=true").await, Vec::<i64>::new());
    assert_eq!(list("assignee=bob@example.com").await, [made[2]]);
    assert_eq!(list("assignee=nobody@example.com").await, Vec::<i64>::new());
    let (_, body) = ann.get(&format!("{DOCS}?project={}&fields=id", fx.project)).await;
    assert_eq!(keys(&body["results"][0]), ["id"]);

    // Paging through with `next` returns every document once.
    let (_, first) = ann.get(&format!("{DOCS}?limit=2")).await;
    assert_eq!(first["count"], 6);
    assert!(first["next"].as_str().is_some_and(|n| n.starts_with("http://")), "{first}");
    let mut paged = ids(&ann.get_all(&format!("{DOCS}?limit=2")).await);
    paged.sort();
    assert_eq!(paged, all);

    // A review that is marked and listed.
    let (status, _) = ann.patch(&doc_path(made[4]), json!({"is_reviewed": true})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list("is_reviewed=true").await, [made[4]]);
}

#[tokio::test]
async fn documents_are_changed_and_deleted() {
    let server = Server::start().await;
    let ann = server.user("ann@example.com").await;
    let _bob = server.user("bob@example.com").await;
    let _eve = server.user("eve@example.com").await;
    let fx = ann.fixture("Main").await;
    let other = ann.fixture("Other").await;
    server.add_member(fx.project, "bob@example.com");

    let doc = ann.upload_ok(fx.project, "letter.pdf", small_pdf("Dear reader"), &[("sync", "True")]).await;
    let id = id_of(&doc);
    let path = doc_path(id);
    let mut updated_at = doc["updated_at"].as_str().unwrap().to_owned();
    let detail_keys = keys(&doc);

    let patch_ok = |body: Value| {
        let ann = ann.clone();
        let path = path.clone();
        let detail_keys = detail_keys.clone();
        async move {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            let (status, changed) = ann.patch(&path, body.clone()).await;
            assert_eq!(status, StatusCode::OK, "PATCH {body}: {changed}");
            assert_eq!(keys(&changed), detail_keys, "PATCH answers the full detail");
            changed
        }
    };
    let changed = patch_ok(json!({"data_file_name": "renamed.pdf"})).await;
    assert_eq!(changed["data_file_name"], "renamed.pdf");
    assert!(changed["updated_at"].as_str().unwrap() > updated_at.as_str(), "{changed}");
    assert_eq!(changed["text"], "Dear reader");
    updated_at = changed["updated_at"].as_str().unwrap().to_owned();

    let changed = patch_ok(json!({"category": fx.category, "category_is_revised": true})).await;
    assert_eq!(
        (changed["category"].as_i64(), changed["category_is_revised"].as_bool()),
        (Some(fx.category), Some(true))
    );
    assert!(changed["updated_at"].as_str().unwrap() > updated_at.as_str());
    // With a category, the potential annotation sets of its label sets are listed.
    assert!(!changed["annotation_sets"].as_array().unwrap().is_empty(), "{changed}");
    let changed = patch_ok(json!({"dataset_status": 3})).await;
    assert_eq!(changed["dataset_status"], 3);
    let changed = patch_ok(json!({"assignee": "bob@example.com"})).await;
    assert_eq!(changed["assignee"], "bob@example.com");
    let changed = patch_ok(json!({"assignee": null})).await;
    assert!(changed["assignee"].is_null());
    let got = get_ok(&ann, &path).await;
    assert_eq!(
        (
            got["data_file_name"].as_str(),
            got["category"].as_i64(),
            got["dataset_status"].as_i64(),
            got["category_is_revised"].as_bool()
        ),
        (Some("renamed.pdf"), Some(fx.category), Some(3), Some(true))
    );

    // Refusals leave the document as it was.
    let (status, body) = ann.patch(&path, json!({"category": other.category})).await;
    assert_field_error(status, &body, "category");
    let (status, body) = ann.patch(&path, json!({"dataset_status": 5})).await;
    assert_field_error(status, &body, "dataset_status");
    let (status, body) = ann.patch(&path, json!({"assignee": "eve@example.com"})).await;
    assert_field_error(status, &body, "assignee");
    let (status, body) = ann.patch(&path, json!({"assignee": "nobody@example.com"})).await;
    assert_field_error(status, &body, "assignee");
    let (status, body) = ann.patch(&path, json!({"data_file_name": ""})).await;
    assert_field_error(status, &body, "data_file_name");
    let after = get_ok(&ann, &path).await;
    assert_eq!(after["updated_at"], got["updated_at"]);
    assert_eq!((after["category"].as_i64(), after["dataset_status"].as_i64()), (Some(fx.category), Some(3)));

    // Delete: 204, then the document, its pages, boxes and files are gone.
    let page_id = doc["pages"][0]["id"].as_i64().unwrap();
    let (status, _) = ann.delete(&path).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = ann.get(&path).await;
    assert_not_found(status, &body);
    let (status, body) = ann.delete(&path).await;
    assert_not_found(status, &body);
    let (status, _) = ann.get(&format!("{DOCS}{id}/pages/1/")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = ann.get(&format!("{DOCS}{id}/bbox/")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for url in [
        format!("/page/show-image/{page_id}/"),
        format!("/page/show-thumbnail/{page_id}/"),
        format!("/doc/show/{id}/"),
        format!("/doc/show-original/{id}/"),
    ] {
        assert_eq!(ann.get_raw(&url).await.status(), StatusCode::NOT_FOUND, "{url}");
    }
    let (_, list) = ann.get(&format!("{DOCS}?project={}", fx.project)).await;
    assert_eq!(list["count"], 0);
}

#[tokio::test]
async fn empty_optional_upload_fields_count_as_absent() {
    // The refusals of bad uploads are in contract_errors.rs; this one needs the upload processed.
    let server = Server::start().await;
    let ann = server.user("ann@example.com").await;
    let fx = ann.fixture("Main").await;
    // Empty optional fields count as absent, as the SDK's requests may send them.
    let doc = ann
        .upload_ok(
            fx.project,
            "fine.pdf",
            small_pdf("Fine"),
            &[("category", ""), ("callback_url", ""), ("assignee", ""), ("sync", "True"), ("dataset_status", "0")],
        )
        .await;
    assert_eq!(doc["status_data"], 2, "{doc}");
    assert!(doc["callback_url"].is_null() && doc["assignee"].is_null(), "{doc}");
}

#[tokio::test]
async fn broken_pdfs_end_in_error_and_the_server_keeps_serving() {
    let server = Server::start().await;
    let ann = server.user("ann@example.com").await;
    let project = project(&ann, "Broken").await;

    let mut garbage = b"%PDF-1.4\n".to_vec();
    garbage.extend((0..4000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    let whole = invoice_pdf();
    let truncated = whole[..whole.len() / 2].to_vec();
    for (name, bytes) in [("garbage.pdf", garbage), ("truncated.pdf", truncated)] {
        let (status, doc) = ann.upload(project, name, bytes, &[("sync", "True")]).await;
        assert_eq!(status, StatusCode::CREATED, "{name}: {doc}");
        let id = id_of(&doc);
        let seen = ann.wait_processed(id).await;
        assert_eq!(seen.last(), Some(&111), "{name}: {seen:?}");
        let doc = get_ok(&ann, &doc_path(id)).await;
        assert_eq!(
            (doc["status_data"].as_i64(), doc["labeling_available"].as_i64()),
            (Some(111), Some(0)),
            "{name}: {doc}"
        );
        // The original stays downloadable; the boxes are not there.
        assert_eq!(ann.get_raw(&format!("/doc/show-original/{id}/")).await.status(), StatusCode::OK);
        let (status, _) = ann.get(&format!("{DOCS}{id}/bbox/")).await;
        assert!(status.is_client_error(), "{name}: bbox answered {status}");
    }
    // The server still works: a good document after the broken ones.
    let doc = upload_invoice(&ann, project).await;
    assert_eq!(doc["text"], TEXT);
    let (_, list) = ann.get(&format!("{DOCS}?status_data=111")).await;
    assert_eq!(list["count"], 2);
}

#[tokio::test]
async fn other_users_cannot_reach_a_processed_documents_pages() {
    // The document itself, its boxes, search and files for another user are in contract_permissions.rs; pages
    // and page images need the document processed.
    let server = Server::start().await;
    let ann = server.user("ann@example.com").await;
    let eve = server.user("eve@example.com").await;
    let project = project(&ann, "Private").await;
    let doc = upload_invoice(&ann, project).await;
    let id = id_of(&doc);
    let page = doc["pages"][0]["id"].as_i64().unwrap();

    for path in [format!("{DOCS}{id}/pages/1/"), format!("{DOCS}{id}/bbox/"), format!("{DOCS}{id}/bbox")] {
        let (status, body) = eve.get(&path).await;
        assert_not_found(status, &body);
        get_ok(&ann, &path).await;
    }
    // Without credentials: page images could belong to a public document (§19), so a private one is a 404 like
    // an unknown one.
    for url in [format!("/page/show-image/{page}/"), format!("/page/show-thumbnail/{page}/")] {
        assert_eq!(eve.get_raw(&url).await.status(), StatusCode::NOT_FOUND, "{url}");
        assert_eq!(server.anonymous().get_raw(&url).await.status(), StatusCode::NOT_FOUND, "{url}");
        assert_eq!(ann.get_raw(&url).await.status(), StatusCode::OK, "{url}");
    }

    // Pages out of range and ids that are no ids.
    for path in [
        format!("{DOCS}{id}/pages/0/"),
        format!("{DOCS}{id}/pages/4/"),
        format!("{DOCS}{id}/pages/x/"),
        format!("{DOCS}{}/", id + 1000),
    ] {
        let (status, body) = ann.get(&path).await;
        assert_not_found(status, &body);
    }
    assert_eq!(ann.get_raw(&format!("/page/show-image/{}/", page + 1000)).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn documents_without_a_category_get_the_best_matching_one() {
    let server = Server::start().await;
    let client = server.user("ann@example.com").await;
    let fx = client.fixture("Categories").await;
    let payslip = client.create("/api/v3/categories/", json!({"project": fx.project, "name": "Payslip"})).await;
    client.create("/api/v3/labels/", json!({"project": fx.project, "name": "Net pay", "label_sets": [payslip]})).await;

    // "Invoice" and its label "Total" occur; "Payslip" and "Net pay" do not.
    let doc = client.upload_ok(fx.project, "a.pdf", small_pdf("Invoice 7 Total 12,00"), &[("sync", "True")]).await;
    assert_eq!(doc["category"], fx.category, "{doc}");
    let confidence = doc["category_confidence"].as_f64().unwrap();
    assert!(confidence > 0.5 && confidence <= 1.0, "{confidence}");
    let doc =
        client.upload_ok(fx.project, "b.pdf", small_pdf("Payslip March Net pay 2.100,00"), &[("sync", "True")]).await;
    assert_eq!(doc["category"], payslip, "{doc}");
    // No keyword at all: no category is guessed, and a category sent with the upload is kept as it is.
    let doc = client.upload_ok(fx.project, "c.pdf", small_pdf("Lorem ipsum dolor"), &[("sync", "True")]).await;
    assert_eq!((doc["category"].clone(), doc["category_confidence"].clone()), (Value::Null, Value::Null), "{doc}");
    let given = payslip.to_string();
    let doc = client
        .upload_ok(fx.project, "d.pdf", small_pdf("Invoice Total"), &[("sync", "True"), ("category", &given)])
        .await;
    assert_eq!(doc["category"], payslip, "{doc}");
}

#[tokio::test]
async fn listed_documents_carry_review_counts_only_when_asked() {
    let server = Server::start().await;
    let ann = server.user("counts@example.com").await;
    let fx = ann.fixture("Counts").await;
    let category = fx.category.to_string();
    const TEXT: &str = "Total 12.50 Date 2024-02-01";
    let upload = |name: &'static str| {
        let ann = ann.clone();
        let category = category.clone();
        async move {
            let fields = [("sync", "True"), ("category", category.as_str())];
            let doc = ann.upload_ok(fx.project, name, small_pdf(TEXT), &fields).await;
            assert_eq!(doc["text"], TEXT, "{doc}");
            id_of(&doc)
        }
    };
    let (reviewed, waiting, untouched) = (upload("a.pdf").await, upload("b.pdf").await, upload("c.pdf").await);
    let (total, date) = (fx.labels[0], fx.labels[1]);
    // Three suggestions on the first, one accepted and one declined, and an annotation by a person.
    let accepted = server.suggest(reviewed, total, 6, 11);
    let declined = server.suggest(reviewed, date, 17, 27);
    server.suggest(reviewed, date, 12, 16);
    for (id, is_correct) in [(accepted, true), (declined, false)] {
        let (status, body) =
            ann.patch(&format!("/api/v3/annotations/{id}/"), json!({"revised": true, "is_correct": is_correct})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    ann.create(
        "/api/v3/annotations/",
        json!({"document": reviewed, "label": total, "label_set": fx.category, "span": [{"start_offset": 0, "end_offset": 5}]}),
    )
    .await;
    // Two suggestions waiting on the second; nothing on the third.
    server.suggest(waiting, total, 6, 11);
    server.suggest(waiting, date, 17, 27);

    // The default list has no counts (its shape is in contract_shapes.rs).
    let listed = get_ok(&ann, &format!("{DOCS}?project={}", fx.project)).await;
    assert!(listed["results"].as_array().unwrap().iter().all(|item| item.get("review_counts").is_none()), "{listed}");
    // Asked for, the counts are those of the detail, document by document.
    let listed = get_ok(&ann, &format!("{DOCS}?project={}&fields=id,data_file_name,review_counts", fx.project)).await;
    let items = listed["results"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    for item in items {
        assert_eq!(keys(item), ["data_file_name", "id", "review_counts"]);
        let detail = get_ok(&ann, &doc_path(id_of(item))).await;
        for count in ["pending", "accepted", "declined"] {
            assert_eq!(item["review_counts"][count], detail["review_counts"][count], "{count} of {item}");
        }
    }
    let counts_of = |id: i64| {
        let item = items.iter().find(|i| id_of(i) == id).unwrap();
        ["pending", "accepted", "declined"].map(|c| item["review_counts"][c].as_u64().unwrap())
    };
    assert_eq!(counts_of(reviewed), [1, 2, 1]);
    assert_eq!(counts_of(waiting), [2, 0, 0]);
    assert_eq!(counts_of(untouched), [0, 0, 0]);
    // A dotted field picks one count.
    let listed = get_ok(&ann, &format!("{DOCS}?data_file_name=b.pdf&fields=id,review_counts.pending")).await;
    assert_eq!(listed["results"][0], json!({"id": waiting, "review_counts": {"pending": 2}}));
}

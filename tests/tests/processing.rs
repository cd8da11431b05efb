//! The processing queue across a crash, and webhooks with retries (§7.3 `callback_url`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lectern_tests::pdf::{self, Page};
use lectern_tests::Api;
use lectern_tests::{Client, Server, StatusCode};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

const DOCS: &str = "/api/v3/documents/";

/// A PDF of `pages` A4 pages, each with a dozen lines of Courier text.
fn long_pdf(tag: &str, pages: usize) -> Vec<u8> {
    let pages: Vec<Page> = (0..pages)
        .map(|p| {
            (0..12).fold(Page::a4(), |page, l| {
                page.text(
                    60.0,
                    780.0 - 40.0 * l as f64,
                    11.0,
                    &format!("{tag} page {} line {} of a long document, 1234,56 EUR", p + 1, l + 1),
                )
            })
        })
        .collect();
    pdf::document(&pages)
}

async fn project(client: &Client, name: &str) -> i64 {
    client.create("/api/v3/projects/", json!({"name": name})).await
}

async fn status_of(client: &Client, id: i64) -> i64 {
    let (status, body) = client.get(&format!("{DOCS}{id}/?fields=status_data")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["status_data"].as_i64().unwrap()
}

#[tokio::test]
async fn documents_being_processed_when_the_server_is_killed_are_finished_after_a_restart() {
    const PAGES: usize = 20;
    let mut server = Server::start().await;
    let ann = server.user("ann@example.com").await;
    let project = project(&ann, "Crash").await;

    let mut docs = Vec::new();
    for n in 0..4 {
        let name = format!("long{n}.pdf");
        let doc = ann.upload_ok(project, &name, long_pdf(&format!("Doc{n}"), PAGES), &[]).await;
        docs.push(doc["id"].as_i64().unwrap());
    }
    // Kill the server as soon as the first document is being worked on, while the others still wait.
    let deadline = Instant::now() + Duration::from_secs(60);
    while status_of(&ann, docs[0]).await == 0 {
        assert!(Instant::now() < deadline, "processing never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut before = Vec::new();
    for id in &docs {
        before.push(status_of(&ann, *id).await);
    }
    server.restart().await;
    assert!(before.iter().any(|s| *s != 2), "every document was done before the kill, nothing was tested: {before:?}");

    // Everything is processed after the restart, each page exactly once.
    for (n, id) in docs.iter().enumerate() {
        let doc = ann.wait_done(*id).await;
        assert_eq!(doc["number_of_pages"], PAGES, "document {n} (status {} at the kill)", before[n]);
        let pages = doc["pages"].as_array().unwrap();
        let numbers: Vec<u64> = pages.iter().map(|p| p["number"].as_u64().unwrap()).collect();
        assert_eq!(numbers, (1..=PAGES as u64).collect::<Vec<_>>(), "document {n}");
        let text = doc["text"].as_str().unwrap();
        assert_eq!(text.matches('\u{c}').count(), PAGES - 1, "document {n}");
        assert!(text.starts_with(&format!("Doc{n} page 1 line 1 of a long document")), "document {n}: {text:.80}");
        assert!(text.contains(&format!("Doc{n} page {PAGES} line 12")), "document {n}");
        // The images of the last page are there.
        let image = ann.get_raw(pages[PAGES - 1]["image_url"].as_str().unwrap()).await;
        assert_eq!(image.status(), StatusCode::OK, "document {n}");
        let (status, bbox) = ann.get(&format!("{DOCS}{id}/bbox/")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            bbox["bbox"].as_object().unwrap().len(),
            text.chars().filter(|c| !c.is_whitespace()).count(),
            "document {n}"
        );
    }
}

/// A request the loopback receiver got.
#[derive(Debug)]
struct Delivery {
    path: String,
    content_type: String,
    body: Value,
    at: Instant,
}

/// A loopback HTTP receiver: answers the n-th request with `answers[n]` (200 once they run out) and reports
/// every request. Returns its port.
async fn receiver(answers: Vec<u16>) -> (u16, mpsc::UnboundedReceiver<Delivery>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::unbounded_channel();
    let count = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            let (tx, count, answers) = (tx.clone(), count.clone(), answers.clone());
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                let head_end = loop {
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                    match socket.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                let header = |name: &str| {
                    head.lines().find_map(|l| {
                        l.split_once(':')
                            .filter(|(k, _)| k.trim().eq_ignore_ascii_case(name))
                            .map(|(_, v)| v.trim().to_owned())
                    })
                };
                let length: usize = header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
                while buf.len() < head_end + length {
                    match socket.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let n = count.fetch_add(1, Ordering::SeqCst);
                let code = answers.get(n).copied().unwrap_or(200);
                let reply = format!("HTTP/1.1 {code} Answer\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                let _ = socket.write_all(reply.as_bytes()).await;
                let _ = socket.shutdown().await;
                let body = serde_json::from_slice(&buf[head_end..head_end + length]).unwrap_or(Value::Null);
                let path = head.split_whitespace().nth(1).unwrap_or("").to_owned();
                let _ = tx.send(Delivery {
                    path,
                    content_type: header("content-type").unwrap_or_default(),
                    body,
                    at: Instant::now(),
                });
            });
        }
    });
    (port, rx)
}

async fn next_delivery(rx: &mut mpsc::UnboundedReceiver<Delivery>, within: Duration, what: &str) -> Delivery {
    tokio::time::timeout(within, rx.recv()).await.unwrap_or_else(|_| panic!("no {what} within {within:?}")).unwrap()
}

#[tokio::test]
async fn the_webhook_is_retried_until_the_receiver_accepts_it() {
    let server = Server::start().await;
    let ann = server.user("ann@example.com").await;
    let project = project(&ann, "Hooks").await;
    let (port, mut rx) = receiver(vec![500]).await;

    // A document that cannot be processed gets no callback (success only).
    let broken = format!("http://127.0.0.1:{port}/broken");
    let doc = ann
        .upload_ok(
            project,
            "broken.pdf",
            b"%PDF-1.4\nnothing else".to_vec(),
            &[("sync", "True"), ("callback_url", &broken)],
        )
        .await;
    assert_eq!(ann.wait_processed(doc["id"].as_i64().unwrap()).await.last(), Some(&111));

    let hook = format!("http://127.0.0.1:{port}/hook");
    let uploaded = Instant::now();
    let doc =
        ann.upload_ok(project, "hooked.pdf", long_pdf("Hook", 1), &[("sync", "True"), ("callback_url", &hook)]).await;
    let id = doc["id"].as_i64().unwrap();
    assert_eq!((doc["status_data"].as_i64(), doc["callback_url"].as_str()), (Some(2), Some(hook.as_str())), "{doc}");

    // The first delivery is answered with 500, so it comes again a little later.
    let first = next_delivery(&mut rx, Duration::from_secs(30), "first callback").await;
    let second = next_delivery(&mut rx, Duration::from_secs(15), "retried callback").await;
    for d in [&first, &second] {
        assert_eq!(d.path, "/hook", "{d:?}");
        assert!(d.content_type.starts_with("application/json"), "{d:?}");
        assert_eq!(d.body["id"], id, "the callback carries the document: {d:?}");
        assert_eq!(d.body["status_data"], 2);
        assert_eq!(d.body["labeling_available"], 1);
        assert_eq!(d.body["data_file_name"], "hooked.pdf");
        assert_eq!(d.body["text"], doc["text"]);
        assert!(d.body["pages"].as_array().is_some_and(|p| p.len() == 1), "{d:?}");
    }
    assert!(
        second.at.duration_since(first.at) < Duration::from_secs(12),
        "retry after {:?}",
        second.at.duration_since(first.at)
    );
    assert!(second.at.duration_since(uploaded) < Duration::from_secs(40));

    // The receiver's last answer is recorded.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, got) = ann.get(&format!("{DOCS}{id}/")).await;
        if got["callback_status_code"] == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "callback_status_code stays {}", got["callback_status_code"]);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // No third delivery, and none for the broken document.
    assert!(
        tokio::time::timeout(Duration::from_secs(3), rx.recv()).await.is_err(),
        "a delivery after the receiver accepted"
    );
}

/// The lines of the colour page, in 14 pt Courier.
const PHOTO_LINES: [&str; 10] = [
    "INVOICE 2024-0815 from Harbour Supplies Ltd",
    "Customer number 77120 Delivery note 4431",
    "Invoice date 12.03.2024 Due date 26.03.2024",
    "Three boxes of copier paper 59,97 EUR",
    "Two toner cartridges black 118,00 EUR",
    "Shipping and handling 7,50 EUR",
    "Net amount 185,47 EUR",
    "Value added tax 35,24 EUR",
    "Total amount due 220,71 EUR",
    "Please pay within fourteen days without deduction",
];

/// A born-digital page in colour: dark blue print on pale yellow paper with a red stamp.
fn colour_pdf() -> Vec<u8> {
    let page = Page::a4().colour([0.98, 0.94, 0.76]).rect(0.0, 0.0, 595.0, 842.0).colour([0.08, 0.12, 0.45]);
    let page = PHOTO_LINES.iter().enumerate().fold(page, |p, (i, l)| p.text(50.0, 760.0 - 30.0 * i as f64, 14.0, l));
    pdf::document(&[page.colour([0.8, 0.1, 0.12]).rect(400.0, 120.0, 120.0, 60.0)])
}

/// The page turned by `degrees` (clockwise as shown) about its centre, white where it comes from outside,
/// with ±12 levels of deterministic noise on every channel, as a photo of the page might look.
fn photo_of(page: &image::RgbImage, degrees: f64) -> image::RgbImage {
    let (w, h) = page.dimensions();
    let (sin, cos) = (-degrees).to_radians().sin_cos();
    let (cx, cy) = (w as f64 / 2.0, h as f64 / 2.0);
    let mut seed = 99u32;
    image::RgbImage::from_fn(w, h, |x, y| {
        let (dx, dy) = (x as f64 - cx, y as f64 - cy);
        let (sx, sy) = (cos * dx - sin * dy + cx, sin * dx + cos * dy + cy);
        let inside = sx >= 0.0 && sy >= 0.0 && sx < w as f64 && sy < h as f64;
        let p = if inside { page.get_pixel(sx as u32, sy as u32).0 } else { [255; 3] };
        p.map(|c| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (c as i32 + ((seed >> 16) % 25) as i32 - 12).clamp(0, 255) as u8
        })
        .into()
    })
}

fn png_of(page: &image::RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    page.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    out
}

/// A page's image as shown, with its content type and size in bytes.
async fn page_image(client: &Client, page: &Value) -> (image::RgbImage, String, usize) {
    let resp = client.get_raw(page["image_url"].as_str().unwrap()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let content_type = resp.headers()["content-type"].to_str().unwrap().to_owned();
    let bytes = resp.bytes().await.unwrap();
    let image = image::load_from_memory(&bytes).unwrap();
    assert_eq!(
        [image.width(), image.height()],
        [page["size"][0].as_u64().unwrap() as u32, page["size"][1].as_u64().unwrap() as u32]
    );
    let grey = matches!(image.color(), image::ColorType::L8);
    assert_eq!(grey, content_type == "image/png", "{content_type} in {:?}", image.color());
    (image.to_rgb8(), content_type, bytes.len())
}

/// Pixels whose blue is well above their red: the dark blue print and nothing on grey pages.
fn blue_pixels(image: &image::RgbImage) -> usize {
    image.pixels().filter(|p| p.0[2] as i32 - p.0[0] as i32 > 40).count()
}

/// The share of the page's true words that the document's text holds.
fn recall(doc: &Value) -> f64 {
    let found: std::collections::BTreeSet<&str> = doc["text"].as_str().unwrap().split_whitespace().collect();
    let truth: Vec<&str> = PHOTO_LINES.iter().flat_map(|l| l.split(' ')).collect();
    truth.iter().filter(|w| found.contains(*w)).count() as f64 / truth.len() as f64
}

#[tokio::test]
async fn colour_pages_are_shown_in_colour_and_a_skewed_photo_is_read_level() {
    let server = Server::start().await;
    let ann = server.user("ann@example.com").await;
    let project = project(&ann, "Colour").await;

    // A born-digital page in colour is shown in colour; a black one in grey.
    let doc = ann.upload_ok(project, "colour.pdf", colour_pdf(), &[("sync", "True")]).await;
    let doc = ann.wait_done(doc["id"].as_i64().unwrap()).await;
    let (shown, content_type, colour_bytes) = page_image(&ann, &doc["pages"][0]).await;
    assert_eq!(content_type, "image/jpeg");
    assert!(blue_pixels(&shown) > 10_000, "{} blue pixels", blue_pixels(&shown));
    let thumb = ann.get_raw(doc["pages"][0]["thumbnail_url"].as_str().unwrap()).await;
    assert_eq!(thumb.headers()["content-type"], "image/jpeg");
    let black = ann.upload_ok(project, "black.pdf", long_pdf("Grey", 1), &[("sync", "True")]).await;
    let (grey_page, content_type, grey_bytes) = page_image(&ann, &black["pages"][0]).await;
    assert_eq!((content_type.as_str(), blue_pixels(&grey_page)), ("image/png", 0));

    // A grey scan stays grey.
    let scan = ann.upload_ok(project, "scan.png", png_of(&grey_page), &[("sync", "True")]).await;
    assert_eq!(page_image(&ann, &scan["pages"][0]).await.1, "image/png");

    // Photos of the colour page, one level and one turned by 5°, both with noise.
    let level_png = png_of(&photo_of(&shown, 0.0));
    println!("the level photo as an RGB PNG: {} bytes", level_png.len());
    let level = ann.upload_ok(project, "level.png", level_png, &[("sync", "True")]).await;
    let skewed = ann.upload_ok(project, "skewed.png", png_of(&photo_of(&shown, 5.0)), &[("sync", "True")]).await;
    let (level_recall, skewed_recall) = (recall(&level), recall(&skewed));
    println!(
        "page image bytes: grey {grey_bytes}, colour {colour_bytes}; word recall: level photo {level_recall:.3}, \
         photo turned 5° {skewed_recall:.3}; OCR time (debug server): level {}, skewed {}",
        level["ocr_time"], skewed["ocr_time"]
    );
    assert!(level_recall >= 0.9, "level photo: recall {level_recall}: {}", level["text"]);
    assert!(skewed_recall >= 0.9 * level_recall, "skewed photo: recall {skewed_recall}: {}", skewed["text"]);

    // The photo is shown in colour, levelled: its words' boxes lie on the page, over its print.
    let page = &skewed["pages"][0];
    let (shown, content_type, _) = page_image(&ann, page).await;
    assert_eq!(content_type, "image/jpeg");
    assert!(blue_pixels(&shown) > 10_000);
    let (pw, ph) = (page["original_size"][0].as_f64().unwrap(), page["original_size"][1].as_f64().unwrap());
    let scale = shown.width() as f64 / pw;
    let bbox = lectern_tests::get_ok(&ann, &format!("{DOCS}{}/bbox/", skewed["id"])).await;
    let boxes = bbox["bbox"].as_object().unwrap();
    assert!(boxes.len() > 200, "{} character boxes", boxes.len());
    let mut over_print = 0;
    for b in boxes.values() {
        let [x0, x1, y0, y1] = ["x0", "x1", "y0", "y1"].map(|k| b[k].as_f64().unwrap());
        assert!(x0 >= 0.0 && x1 <= pw && y0 >= 0.0 && y1 <= ph && x0 < x1 && y0 < y1, "{b}");
        let (left, right, top, bottom) = (x0 * scale, x1 * scale, (ph - y1) * scale, (ph - y0) * scale);
        let ink = (top as u32..bottom as u32)
            .flat_map(|y| (left as u32..right as u32).map(move |x| (x, y)))
            .filter(|&(x, y)| shown.get_pixel(x, y).0.iter().map(|&c| c as u32).sum::<u32>() < 3 * 110)
            .count();
        over_print += usize::from(ink > 0);
    }
    assert!(over_print * 100 >= boxes.len() * 95, "{over_print} of {} boxes over print", boxes.len());
}

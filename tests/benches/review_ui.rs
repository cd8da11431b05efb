//! Benchmark of the review view in headless Chromium against the real server, on a large generated document.
//!
//! `cargo build -p lectern-server && scripts/build-spa.sh && cargo bench -p lectern-tests --bench review_ui`
//! prints: time from navigation to the first page painted (cold and warm), time from pressing accept to the DOM
//! update, frame times while scrolling and zooming, the JS heap and DOM size after scrolling every page, and the
//! bytes transferred for the app. The document has 50 pages of ~2,000 words and 300 AI suggestions. The server is
//! the debug build the tests use. It measures; it asserts only that the view works.

use std::time::Instant;

use fantoccini::Client;
use lectern_tests::browser::{self, Chromedriver};
use lectern_tests::pdf::{self, Page};
use lectern_tests::Api;
use lectern_tests::{word_offsets, Server, StatusCode};
use serde_json::{json, Value};

const PAGES: usize = 50;
const LINES: usize = 80;
const WORDS_PER_LINE: usize = 25;
const SUGGESTIONS: usize = 300;
const ACCEPTS: usize = 20;
const WARM_LOADS: usize = 5;
const WORDS: [&str; 12] =
    ["Rechnung", "Menge", "Artikel", "EUR", "Betrag", "Summe", "Lieferung", "Kunde", "Datum", "Preis", "Nr.", "Posten"];

/// A page of `LINES` lines of `WORDS_PER_LINE` words in 5 pt Courier.
fn page(number: usize) -> Page {
    (0..LINES).fold(Page::a4(), |page, line| {
        let words: Vec<String> = (0..WORDS_PER_LINE)
            .map(|w| match (line * 7 + w * 3 + number) % 4 {
                0 => format!("{},{:02}", (line + 1) * (w + 3), (w * 7 + number) % 100),
                _ => WORDS[(line + w + number) % WORDS.len()].to_owned(),
            })
            .collect();
        page.text(25.0, 820.0 - line as f64 * 10.0, 5.0, &words.join(" "))
    })
}

/// Runs `script` (which calls `done(value)` when finished) in the page and returns the value.
async fn measure(c: &Client, script: &str) -> Value {
    let body = format!("const done = arguments[arguments.length - 1];\n{script}");
    c.execute_async(&body, vec![]).await.unwrap_or_else(|e| panic!("{e}\n{script}"))
}

fn stats(name: &str, mut values: Vec<f64>) {
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    println!(
        "{name:<42} n={:<5} median {:8.1} ms   p95 {:8.1} ms   max {:8.1} ms",
        values.len(),
        at(0.5),
        at(0.95),
        at(1.0)
    );
}

/// Milliseconds from navigation start until the first page's image is loaded and its overlays are drawn.
const FIRST_PAINT: &str = r#"
function check() {
  const img = document.querySelector('[data-test=page] img.page-image');
  if (img && img.complete && img.naturalWidth > 0 && document.querySelector('[data-test=overlay]')) {
    requestAnimationFrame(() => done(performance.now()));
  } else {
    setTimeout(check, 5);
  }
}
check();"#;

/// Milliseconds from clicking accept on the first pending annotation until its row leaves the pending state.
const ACCEPT: &str = r#"
const row = document.querySelector('[data-test=annotation][data-state=pending]');
const id = row.dataset.id;
// The pointer comes to the row first: its actions appear, as they do for a person.
row.dispatchEvent(new MouseEvent('mouseenter'));
requestAnimationFrame(() => {
  const t0 = performance.now();
  const observer = new MutationObserver(() => {
    const now = document.querySelector(`[data-test=annotation][data-id="${id}"]`);
    if (!now || now.dataset.state !== 'pending') { observer.disconnect(); done(performance.now() - t0); }
  });
  observer.observe(document.body, { subtree: true, attributes: true, childList: true });
  row.querySelector('[data-test=accept]').click();
});"#;

/// Frame times while the pages scroll by 250 px a frame from top to bottom.
const SCROLL: &str = r#"
const box = document.querySelector('[data-test=pages]');
box.scrollTop = 0;
const frames = [];
let last = performance.now();
function tick(now) {
  frames.push(now - last);
  last = now;
  box.scrollTop += 250;
  if (box.scrollTop + box.clientHeight >= box.scrollHeight - 2 || frames.length > 5000) { done(frames); }
  else { requestAnimationFrame(tick); }
}
requestAnimationFrame(tick);"#;

/// Frame times while zooming in step by step and back out, one step every 10 frames.
const ZOOM: &str = r#"
const steps = [...Array(6).fill('[data-test=zoom-in]'), ...Array(6).fill('[data-test=zoom-out]')];
const frames = [];
let last = performance.now();
let n = 0;
function tick(now) {
  frames.push(now - last);
  last = now;
  n++;
  if (n % 10 === 0 && steps.length) { document.querySelector(steps.shift()).click(); }
  if (!steps.length && n % 10 === 9) { done(frames); } else { requestAnimationFrame(tick); }
}
requestAnimationFrame(tick);"#;

const HEAP: &str = r#"
done({ heap: performance.memory ? performance.memory.usedJSHeapSize : null,
       nodes: document.getElementsByTagName('*').length,
       images: document.querySelectorAll('img.page-image').length });"#;

/// Bytes of the app itself (wasm, JS, CSS) as transferred on a cold load, and decoded.
const TRANSFER: &str = r#"
const app = performance.getEntriesByType('resource').concat(performance.getEntriesByType('navigation'))
  .filter(e => /\.(wasm|js|css)$/.test(new URL(e.name).pathname) || e.entryType === 'navigation');
done({ transferred: app.reduce((s, e) => s + e.transferSize, 0), decoded: app.reduce((s, e) => s + e.decodedBodySize, 0) });"#;

#[tokio::main]
async fn main() {
    let setup = Instant::now();
    let server = Server::start_with(Some(browser::dist())).await;
    let client = server.user("bench@example.com").await;
    let fixture = client.fixture("Benchmark").await;
    let category = fixture.category.to_string();
    let pages: Vec<Page> = (0..PAGES).map(page).collect();
    let doc = client
        .upload_ok(fixture.project, "bundle.pdf", pdf::document(&pages), &[("sync", "True"), ("category", &category)])
        .await;
    let id = doc["id"].as_i64().unwrap();
    assert_eq!(doc["status_data"], 2, "processed: {}", doc["status_data"]);
    let words = word_offsets(doc["text"].as_str().unwrap());
    let (status, first_page) = client.get(&format!("/api/v3/documents/{id}/pages/1/")).await;
    assert_eq!(status, StatusCode::OK);
    let suggestions: Vec<Value> = (0..SUGGESTIONS)
        .map(|i| {
            let (start, end) = words[i * words.len() / SUGGESTIONS];
            let label_set = (i % 2 == 1).then_some(fixture.label_set);
            json!({"label": fixture.labels[i % 2], "label_set": label_set, "start": start, "end": end,
                   "confidence": 0.5 + (i % 50) as f64 / 100.0, "group": i / 6})
        })
        .collect();
    let file = std::env::temp_dir().join(format!("lectern-bench-suggestions-{}.json", std::process::id()));
    std::fs::write(&file, serde_json::to_vec(&suggestions).unwrap()).unwrap();
    let out = server.cli(&["suggest", "--document", &id.to_string(), "--from", file.to_str().unwrap()]);
    assert!(out.status.success(), "suggest: {}", String::from_utf8_lossy(&out.stderr));
    std::fs::remove_file(&file).ok();
    println!(
        "document: {PAGES} pages, {} words ({} word boxes on page 1), {SUGGESTIONS} suggestions; set up in {:.1} s",
        words.len(),
        first_page["entities"].as_array().map_or(0, Vec::len),
        setup.elapsed().as_secs_f64()
    );

    let driver = Chromedriver::start().await;
    let c = driver.session().await;
    let url = server.url(&format!("/projects/{}/documents/{id}", fixture.project));
    // The token goes in first through a page that is not the app, so the app's first load is cold.
    c.goto(&server.url("/health")).await.unwrap();
    let token = client.token.clone().unwrap();
    c.execute("localStorage.setItem('lectern.token', arguments[0])", vec![json!(token)]).await.unwrap();
    c.update_timeouts(fantoccini::wd::TimeoutConfiguration::new(Some(std::time::Duration::from_secs(120)), None, None))
        .await
        .unwrap();

    // Cold: a fresh browser profile, nothing cached.
    c.goto(&url).await.unwrap();
    let cold = measure(&c, FIRST_PAINT).await.as_f64().unwrap();
    let transfer = measure(&c, TRANSFER).await;
    let mut warm = Vec::new();
    for _ in 0..WARM_LOADS {
        c.goto(&url).await.unwrap();
        warm.push(measure(&c, FIRST_PAINT).await.as_f64().unwrap());
    }
    println!("{:<42} {cold:8.1} ms", "navigation → first page painted (cold)");
    stats("navigation → first page painted (warm)", warm);

    let mut accepts = Vec::new();
    for _ in 0..ACCEPTS {
        accepts.push(measure(&c, ACCEPT).await.as_f64().unwrap());
    }
    stats("accept pressed → DOM updated", accepts);

    let frames = |v: Value| v.as_array().unwrap().iter().skip(1).map(|f| f.as_f64().unwrap()).collect::<Vec<_>>();
    let scrolled = frames(measure(&c, SCROLL).await);
    let slow = scrolled.iter().filter(|f| **f > 50.0).count();
    stats("frame time, scrolling all pages", scrolled);
    println!("{:<42} {slow}", "frames over 50 ms while scrolling");
    let heap = measure(&c, HEAP).await;
    stats("frame time, zooming 6 steps in and out", frames(measure(&c, ZOOM).await));
    println!(
        "{:<42} {:.1} MB, {} DOM elements, {} page images in the DOM",
        "JS heap after scrolling every page",
        heap["heap"].as_f64().unwrap_or(f64::NAN) / 1e6,
        heap["nodes"],
        heap["images"]
    );
    println!(
        "{:<42} {:.0} kB transferred ({:.0} kB decoded)",
        "app (HTML, wasm, JS, CSS), cold",
        transfer["transferred"].as_f64().unwrap() / 1e3,
        transfer["decoded"].as_f64().unwrap() / 1e3
    );
    c.close().await.ok();
}

//! Benchmark of the review writes on a small and a large document, through the real router in process.
//!
//! `cargo bench -p lectern-tests --bench review_writes` prints p50 and p99 of: creating an annotation from text
//! offsets, accepting one with its span in the body (as both review UIs send it), accepting one without, and the
//! document detail, on a 1-page and a 100-page document with 1,000 annotations each. A write should cost the same
//! on both. It measures; it asserts only that every request succeeds.

use std::time::{Duration, Instant};

use lectern_tests::app::{AppClient, TestApp};
use lectern_tests::pdf::{self, Page};
use lectern_tests::{word_offsets, Api, StatusCode};
use serde_json::{json, Value};

const ANNOTATIONS: usize = 1_000;
const ACCEPTS: usize = 200;
const DETAILS: usize = 30;

/// A page of 40 lines of 8 words.
fn page(number: usize) -> Page {
    (0..40).fold(Page::a4(), |page, line| {
        let words: Vec<String> = (0..8).map(|w| format!("w{number}x{line}y{w}")).collect();
        page.text(40.0, 800.0 - line as f64 * 18.0, 9.0, &words.join(" "))
    })
}

fn percentiles(mut times: Vec<Duration>) -> String {
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1000.0;
    format!("p50 {:7.2} ms  p99 {:7.2} ms  (n = {})", at(0.5), at(0.99), times.len())
}

async fn timed(client: &AppClient, method: &str, path: &str, body: Value, expect: StatusCode) -> Duration {
    let t = Instant::now();
    let (status, answer) = match method {
        "POST" => client.post(path, body).await,
        "PATCH" => client.patch(path, body).await,
        _ => client.get(path).await,
    };
    let elapsed = t.elapsed();
    assert_eq!(status, expect, "{method} {path}: {answer}");
    elapsed
}

/// Uploads a document of `pages` pages and waits until it is processed; answers its id and text.
async fn processed(client: &AppClient, project: i64, category: i64, pages: usize) -> (i64, String) {
    let pdf = pdf::document(&(0..pages).map(page).collect::<Vec<_>>());
    let uploaded = client.upload_ok(project, "bench.pdf", pdf, &[("category", &category.to_string())]).await;
    let id = uploaded["id"].as_i64().unwrap();
    loop {
        let (_, doc) = client.get(&format!("/api/v3/documents/{id}/?fields=status_data,text")).await;
        match doc["status_data"].as_i64() {
            Some(2) => return (id, doc["text"].as_str().unwrap().to_owned()),
            Some(111) => panic!("processing failed: {doc}"),
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

async fn measure(client: &AppClient, project: i64, category: i64, label: i64, pages: usize) {
    let (doc, text) = processed(client, project, category, pages).await;
    let words = word_offsets(&text);
    let mut creates = Vec::new();
    let mut created = Vec::new();
    for i in 0..ANNOTATIONS {
        // Spread over the document; on a short one, longer runs of words keep every annotation's text distinct.
        let n = words.len().min(ANNOTATIONS) - 4;
        let first = i % n * (words.len() - 4) / n;
        let (start, end) = (words[first].0, words[first + i / n].1);
        let body = json!({"document": doc, "label": label, "is_correct": false, "revised": false,
                          "span": [{"start_offset": start, "end_offset": end}]});
        let t = Instant::now();
        let (status, answer) = client.post("/api/v3/annotations/", body).await;
        creates.push(t.elapsed());
        assert_eq!(status, StatusCode::CREATED, "{answer}");
        created.push((answer["id"].as_i64().unwrap(), answer["span"].clone()));
    }
    let mut with_span = Vec::new();
    let mut without_span = Vec::new();
    for (n, (id, span)) in created.iter().take(ACCEPTS).enumerate() {
        let path = format!("/api/v3/annotations/{id}/");
        let body = if n % 2 == 0 {
            json!({"is_correct": true, "revised": true, "span": span})
        } else {
            json!({"is_correct": true, "revised": true})
        };
        let took = timed(client, "PATCH", &path, body, StatusCode::OK).await;
        if n % 2 == 0 {
            with_span.push(took)
        } else {
            without_span.push(took)
        }
    }
    let mut details = Vec::new();
    for _ in 0..DETAILS {
        details.push(timed(client, "GET", &format!("/api/v3/documents/{doc}/"), Value::Null, StatusCode::OK).await);
    }
    println!("{pages:3} pages, {ANNOTATIONS} annotations, {} characters", text.chars().count());
    println!("  create (offsets)      {}", percentiles(creates));
    println!("  accept with span      {}", percentiles(with_span));
    println!("  accept without span   {}", percentiles(without_span));
    println!("  document detail       {}", percentiles(details));
}

#[tokio::main]
async fn main() {
    let app = TestApp::new().await;
    let client = app.user("bench@example.com").await;
    let fixture = client.fixture("Bench").await;
    for pages in [1, 100] {
        measure(&client, fixture.project, fixture.category, fixture.labels[0], pages).await;
    }
}

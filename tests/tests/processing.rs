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

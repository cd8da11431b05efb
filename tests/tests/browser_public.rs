//! Browser test: the public read-only view of a document (§19), opened directly without login and embedded
//! in an iframe of a host page on another origin, which Chromium shows only when the project allows it.

use fantoccini::Client;
use lectern_tests::browser::{click, eventually, exists, fill, find, log_in, run_scenarios, text, texts, wait_text};
use lectern_tests::pdf::{self, Page};
use lectern_tests::Api as _;
use lectern_tests::{get_ok, scenarios, Client as Api, Server, StatusCode};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const OWNER: &str = "owner@example.com";

/// Serves one HTML page that frames `src`, on a free loopback port (so another origin than Lectern's);
/// returns its origin. The page sets `window.frameLoaded` when the frame has loaded, shown or refused.
async fn host_page(src: String) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let html = format!(
        "<!doctype html><title>Host</title><h1>Host page</h1>\
         <iframe id=embed src=\"{src}\" width=1000 height=700 onload=\"window.frameLoaded = true\"></iframe>"
    );
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else { return };
            let html = html.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let answer = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{html}",
                    html.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            });
        }
    });
    origin
}

/// The document shown, the owner's project and its sharing settings, and the host page that frames the view.
struct Case {
    base: String,
    api: Api,
    project: i64,
    id: i64,
    /// The public view's URL.
    view: String,
    /// The host page's origin.
    host: String,
}

impl Case {
    fn sharing(&self) -> String {
        format!("/api/v3/projects/{}/sharing/", self.project)
    }

    /// Makes the project's documents public, embeddable from `embed_domains` only.
    async fn share(&self, embed_domains: &[&str]) {
        let body = json!({"public_documents": true, "embed_domains": embed_domains});
        let (status, body) = self.api.patch(&self.sharing(), body).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    /// The document as the server has it, to see that reading it changed nothing.
    async fn document(&self) -> Value {
        get_ok(&self.api, &format!("/api/v3/documents/{}/", self.id)).await
    }
}

fn main() {
    run_scenarios(setup, scenarios![public_view_alone, public_view_embedded, public_view_refused, sharing_setup]);
}

async fn setup(server: &Server) -> Case {
    let api = server.user(OWNER).await;
    let project = api.create("/api/v3/projects/", json!({"name": "Notices"})).await;
    let pdf = pdf::document(&[Page::a4().text(72.0, 760.0, 14.0, "Public notice 7")]);
    let doc = api.upload_ok(project, "notice.pdf", pdf, &[("sync", "True")]).await;
    assert_eq!(doc["status_data"], 2, "{doc}");
    let id = doc["id"].as_i64().unwrap();
    let view = server.url(&format!("/d/{id}/"));
    let host = host_page(format!("{view}?chrome=0")).await;
    Case { base: server.base.clone(), api, project, id, view, host }
}

/// The view opened directly: no login asked, the document's page shown, and nothing requested but the
/// four public reads; reading changes nothing on the server.
async fn public_view_alone(c: &Client, case: &Case) {
    case.share(&[&case.host]).await;
    let before = case.document().await;
    let id = case.id;
    c.goto(&case.view).await.unwrap();
    shows_document(c, id).await;
    assert_eq!(c.current_url().await.unwrap().path(), format!("/d/{id}/"), "no login redirect");
    assert!(!exists(c, "[data-test=logout]").await);
    assert!(exists(c, "header.top").await, "the chrome shows unless chrome=0");

    let requests = c.execute("return performance.getEntriesByType('resource').map(e => e.name)", vec![]).await.unwrap();
    let allowed = [
        format!("/api/v3/documents/{id}/"),
        format!("/api/v3/documents/{id}/pages/"),
        "/page/show-image/".to_owned(),
        "/page/show-thumbnail/".to_owned(),
    ];
    let mut api_reads = 0;
    for url in requests.as_array().unwrap().iter().filter_map(Value::as_str) {
        let path = reqwest::Url::parse(url).map(|u| u.path().to_owned()).unwrap_or_default();
        let is_api = ["/api/", "/page/", "/doc/", "/a/"].iter().any(|p| path.starts_with(p));
        if is_api {
            let ok = path == allowed[0]
                || (path.starts_with(&allowed[1])
                    && path[allowed[1].len()..].trim_end_matches('/').parse::<u32>().is_ok())
                || allowed[2..].iter().any(|a| path.starts_with(a.as_str()));
            assert!(ok, "the public view requested {url}");
            api_reads += 1;
        }
    }
    assert!(api_reads >= 2, "the public view read its document: {requests}");

    // Nothing to change the document with.
    let write_words =
        ["accept", "decline", "missing", "finish", "delete", "upload", "save", "rename", "restore", "log out"];
    for label in texts(c, "main button").await {
        let label = label.to_lowercase();
        assert!(!write_words.iter().any(|w| label.contains(w)), "a write control on the public view: {label:?}");
    }
    assert!(!exists(c, "main textarea, main [contenteditable=true]").await);
    assert_eq!(case.document().await, before);
}

/// The document's public view and its first page image, loaded.
async fn shows_document(c: &Client, id: i64) {
    find(c, &format!("[data-test=public-document][data-document='{id}']")).await;
    eventually(|| async {
        let loaded = c
            .execute(
                "return [...document.images].some(i => i.src.includes('/page/show-image/') && i.complete && i.naturalWidth > 0)",
                vec![],
            )
            .await
            .unwrap();
        if loaded == json!(true) { Ok(()) } else { Err("no page image has loaded".to_owned()) }
    })
    .await;
}

/// Waits until the host page (at the origin `host`) has loaded its frame (shown or refused) and switches into it.
async fn enter_loaded_frame(c: &Client, host: &str) {
    c.goto(&format!("{host}/")).await.unwrap();
    eventually(|| async {
        let loaded = c.execute("return window.frameLoaded === true", vec![]).await.unwrap();
        if loaded == json!(true) {
            Ok(())
        } else {
            Err("the frame never loaded".to_owned())
        }
    })
    .await;
    c.enter_frame(0).await.unwrap();
}

/// From an allowed origin the frame shows the document, without the app's header (`chrome=0`).
async fn public_view_embedded(c: &Client, case: &Case) {
    case.share(&[&case.host]).await;
    let before = case.document().await;
    enter_loaded_frame(c, &case.host).await;
    shows_document(c, case.id).await;
    assert!(!exists(c, "header.top").await, "chrome=0 hides the header");
    assert_eq!(case.document().await, before);
}

/// From any other origin Chromium refuses the frame: it holds its error page, not the view.
async fn public_view_refused(c: &Client, case: &Case) {
    case.share(&["https://elsewhere.example"]).await;
    let before = case.document().await;
    enter_loaded_frame(c, &case.host).await;
    let href = c.execute("return location.href", vec![]).await.unwrap();
    let href = href.as_str().unwrap_or_default().to_owned();
    assert!(!href.starts_with(&case.view), "the frame shows {href}");
    assert!(!exists(c, "[data-test=public-document]").await);
    assert_eq!(case.document().await, before);
}

/// The sharing section of the setup page shows the settings and saves them; a bad origin is refused.
async fn sharing_setup(c: &Client, case: &Case) {
    case.share(&[&case.host]).await;
    let base = &case.base;
    log_in(c, base, OWNER).await;
    c.goto(&format!("{base}/projects/{}/setup", case.project)).await.unwrap();
    eventually(|| async {
        let checked = find(c, "[data-test=public-documents]").await.prop("checked").await.unwrap();
        if checked.as_deref() == Some("true") {
            Ok(())
        } else {
            Err(format!("public box is {checked:?}"))
        }
    })
    .await;
    fill(c, "[data-test=embed-domains]", "https://a.example/path").await;
    click(c, "[data-test=save-sharing]").await;
    find(c, "[data-test=error]").await;
    assert_eq!(text(c, "[data-test=sharing-saved]").await, "");

    click(c, "[data-test=public-documents]").await;
    fill(c, "[data-test=embed-domains]", "https://a.example\n\n  https://*.b.example  ").await;
    click(c, "[data-test=save-sharing]").await;
    wait_text(c, "[data-test=sharing-saved]", "Saved.").await;
    let expected = json!({"public_documents": false, "embed_domains": ["https://a.example", "https://*.b.example"]});
    assert_eq!(get_ok(&case.api, &case.sharing()).await, expected);
}

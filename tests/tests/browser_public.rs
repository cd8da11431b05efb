//! Browser test: the public read-only view of a document (§19), opened directly without login and embedded
//! in an iframe of a host page on another origin, which Chromium shows only when the project allows it.

use fantoccini::Client;
use lectern_tests::browser::{
    click, dist, eventually, exists, fill, find, log_in, text, texts, wait_text, Chromedriver,
};
use lectern_tests::pdf::{self, Page};
use lectern_tests::{get_ok, Server, StatusCode};
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

#[tokio::test(flavor = "multi_thread")]
async fn public_view_alone_and_embedded() {
    let server = Server::start_with(Some(dist())).await;
    let api = server.user(OWNER).await;
    let project = api.create("/api/v3/projects/", json!({"name": "Notices"})).await;
    let pdf = pdf::document(&[Page::a4().text(72.0, 760.0, 14.0, "Public notice 7")]);
    let doc = api.upload_ok(project, "notice.pdf", pdf, &[("sync", "True")]).await;
    assert_eq!(doc["status_data"], 2, "{doc}");
    let id = doc["id"].as_i64().unwrap();
    let view = server.url(&format!("/d/{id}/"));
    let host = host_page(format!("{view}?chrome=0")).await;
    let sharing = format!("/api/v3/projects/{project}/sharing/");
    let (status, body) = api.patch(&sharing, json!({"public_documents": true, "embed_domains": [host]})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let before = get_ok(&api, &format!("/api/v3/documents/{id}/")).await;

    let driver = Chromedriver::start().await;
    let (direct, host_url) = (view.clone(), format!("{host}/"));
    driver.run("public-direct", move |c| alone(c, direct, id)).await;
    let framed = host_url.clone();
    driver.run("public-embedded", move |c| embedded(c, framed, id)).await;

    // Another origin only: the same host page is refused.
    let (status, body) = api.patch(&sharing, json!({"embed_domains": ["https://elsewhere.example"]})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    driver.run("public-refused", move |c| refused(c, host_url, view)).await;

    // Reading changed nothing on the server.
    let after = get_ok(&api, &format!("/api/v3/documents/{id}/")).await;
    assert_eq!(after, before);

    // The owner changes the settings on the project's setup page.
    let base = server.base.clone();
    driver.run("public-setup", move |c| sharing_setup(c, base, project)).await;
    let expected = json!({"public_documents": false, "embed_domains": ["https://a.example", "https://*.b.example"]});
    assert_eq!(get_ok(&api, &sharing).await, expected);
}

/// The sharing section of the setup page shows the settings and saves them; a bad origin is refused.
async fn sharing_setup(c: Client, base: String, project: i64) {
    log_in(&c, &base, OWNER).await;
    c.goto(&format!("{base}/projects/{project}/setup")).await.unwrap();
    eventually(|| async {
        let checked = find(&c, "[data-test=public-documents]").await.prop("checked").await.unwrap();
        if checked.as_deref() == Some("true") {
            Ok(())
        } else {
            Err(format!("public box is {checked:?}"))
        }
    })
    .await;
    fill(&c, "[data-test=embed-domains]", "https://a.example/path").await;
    click(&c, "[data-test=save-sharing]").await;
    find(&c, "[data-test=error]").await;
    assert_eq!(text(&c, "[data-test=sharing-saved]").await, "");

    click(&c, "[data-test=public-documents]").await;
    fill(&c, "[data-test=embed-domains]", "https://a.example\n\n  https://*.b.example  ").await;
    click(&c, "[data-test=save-sharing]").await;
    wait_text(&c, "[data-test=sharing-saved]", "Saved.").await;
}

/// The view opened directly: no login asked, the document's page shown, and nothing requested but the
/// four public reads.
async fn alone(c: Client, url: String, id: i64) {
    c.goto(&url).await.unwrap();
    shows_document(&c, id).await;
    assert_eq!(c.current_url().await.unwrap().path(), format!("/d/{id}/"), "no login redirect");
    assert!(!exists(&c, "[data-test=logout]").await);
    assert!(exists(&c, "header.top").await, "the chrome shows unless chrome=0");

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
    for label in texts(&c, "main button").await {
        let label = label.to_lowercase();
        assert!(!write_words.iter().any(|w| label.contains(w)), "a write control on the public view: {label:?}");
    }
    assert!(!exists(&c, "main textarea, main [contenteditable=true]").await);
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

/// Waits until the host page's frame has loaded (shown or refused) and switches into it.
async fn enter_loaded_frame(c: &Client, host: &str) {
    c.goto(host).await.unwrap();
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
async fn embedded(c: Client, host: String, id: i64) {
    enter_loaded_frame(&c, &host).await;
    shows_document(&c, id).await;
    assert!(!exists(&c, "header.top").await, "chrome=0 hides the header");
}

/// From any other origin Chromium refuses the frame: it holds its error page, not the view.
async fn refused(c: Client, host: String, view: String) {
    enter_loaded_frame(&c, &host).await;
    let href = c.execute("return location.href", vec![]).await.unwrap();
    let href = href.as_str().unwrap_or_default().to_owned();
    assert!(!href.starts_with(&view), "the frame shows {href}");
    assert!(!exists(&c, "[data-test=public-document]").await);
}

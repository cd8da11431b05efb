//! Public documents and embedding (§19): the four reads a public document allows without a token, the 401s and
//! 404s around them, and the frame-ancestors policy of the SPA's pages. Who may read and change the sharing
//! settings is in contract_permissions.rs.

use lectern_tests::pdf::{self, Page};
use lectern_tests::Api;
use lectern_tests::{assert_not_found, get_ok, keys, Client, Server, StatusCode};
use reqwest::header;
use serde_json::{json, Value};

fn sharing_path(project: i64) -> String {
    format!("/api/v3/projects/{project}/sharing/")
}

/// A one-page PDF uploaded to `project` and processed.
async fn processed_document(client: &Client, project: i64) -> Value {
    let pdf = pdf::document(&[Page::a4().text(72.0, 760.0, 14.0, "Public notice 7")]);
    let doc = client.upload_ok(project, "notice.pdf", pdf, &[("sync", "True")]).await;
    assert_eq!(doc["status_data"], 2, "{doc}");
    doc
}

async fn make_public(owner: &Client, project: i64, domains: &[&str]) {
    let (status, body) =
        owner.patch(&sharing_path(project), json!({"public_documents": true, "embed_domains": domains})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// The four URLs the public view reads: document detail, page detail, page image and thumbnail.
fn public_urls(doc: &Value) -> Vec<String> {
    let id = doc["id"].as_i64().unwrap();
    let page = &doc["pages"][0];
    vec![
        format!("/api/v3/documents/{id}/"),
        format!("/api/v3/documents/{id}/pages/1/"),
        page["image_url"].as_str().unwrap().to_owned(),
        page["thumbnail_url"].as_str().unwrap().to_owned(),
    ]
}

async fn status_of(client: &Client, url: &str) -> StatusCode {
    client.get_raw(url).await.status()
}

#[tokio::test]
async fn public_documents_are_readable_without_a_token_and_nothing_else_is() {
    let server = Server::start().await;
    let owner = server.user("owner@example.com").await;
    let stranger = server.user("stranger@example.com").await;
    let anonymous = server.anonymous();
    let project = owner.create("/api/v3/projects/", json!({"name": "Notices"})).await;
    let doc = processed_document(&owner, project).await;
    let id = doc["id"].as_i64().unwrap();
    let urls = public_urls(&doc);

    // Not public yet: without a token, or as a non-member, the document does not exist.
    for url in &urls {
        assert_eq!(status_of(&anonymous, url).await, StatusCode::NOT_FOUND, "{url}");
        assert_eq!(status_of(&stranger, url).await, StatusCode::NOT_FOUND, "{url}");
        assert_eq!(status_of(&owner, url).await, StatusCode::OK, "{url}");
    }

    make_public(&owner, project, &[]).await;
    for url in &urls {
        assert_eq!(status_of(&anonymous, url).await, StatusCode::OK, "{url}");
        assert_eq!(status_of(&stranger, url).await, StatusCode::OK, "{url}");
    }
    let image = anonymous.get_raw(&urls[2]).await;
    assert_eq!(image.headers()[header::CONTENT_TYPE], "image/png");
    assert!(image.bytes().await.unwrap().starts_with(b"\x89PNG"));
    let page = get_ok(&anonymous, &urls[1]).await;
    assert!(!page["entities"].as_array().unwrap().is_empty(), "{page}");

    // The public detail has the members' shape, without who worked on it.
    let public = get_ok(&anonymous, &urls[0]).await;
    let member = get_ok(&owner, &urls[0]).await;
    assert_eq!(keys(&public), keys(&member));
    assert_eq!(member["created_by"], "owner@example.com");
    assert_eq!(public["created_by"], Value::Null);
    assert_eq!(public["text"], member["text"]);
    assert_eq!(public["pages"], member["pages"]);

    // Nonexistent ids are 404 too, never 401.
    let (status, body) = anonymous.get("/api/v3/documents/999999/").await;
    assert_not_found(status, &body);
    let (status, body) = anonymous.get(&format!("/api/v3/documents/{id}/pages/9/")).await;
    assert_not_found(status, &body);
    assert_eq!(status_of(&anonymous, "/page/show-image/999999/").await, StatusCode::NOT_FOUND);
    assert_eq!(status_of(&anonymous, "/page/show-thumbnail/999999/").await, StatusCode::NOT_FOUND);
    assert_eq!(status_of(&anonymous, "/api/v3/documents/abc/").await, StatusCode::NOT_FOUND);

    // Everything else still needs a token, public document or not.
    let gets = [
        format!("/api/v3/annotations/?document={id}"),
        format!("/api/v3/missing-annotations/?document={id}"),
        format!("/api/v3/documents/{id}/bbox/"),
        "/api/v3/documents/".to_owned(),
        "/api/v3/auth/me/".to_owned(),
        "/api/v3/projects/".to_owned(),
        format!("/api/v3/projects/{project}/"),
        sharing_path(project),
        format!("/doc/show/{id}/"),
        format!("/doc/show-original/{id}/"),
    ];
    for url in &gets {
        let (status, body) = anonymous.get(url).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "GET {url}: {body}");
    }
    let writes = [
        (reqwest::Method::POST, format!("/api/v3/documents/{id}/search/"), json!({"q": "notice"})),
        (reqwest::Method::POST, format!("/api/v3/documents/{id}/bbox/"), json!({"span": []})),
        (reqwest::Method::PATCH, format!("/api/v3/documents/{id}/"), json!({"is_reviewed": true})),
        (reqwest::Method::DELETE, format!("/api/v3/documents/{id}/"), json!({})),
        (reqwest::Method::POST, "/api/v3/annotations/".to_owned(), json!({"document": id})),
        (reqwest::Method::PATCH, sharing_path(project), json!({"public_documents": false})),
    ];
    for (method, url, body) in writes {
        let (status, answer) = Client::send(anonymous.request(method.clone(), &url).json(&body)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {url}: {answer}");
    }
    // A wrong token is refused even where no token is needed.
    let mut forged = anonymous.clone();
    forged.token = Some("0".repeat(40));
    assert_eq!(status_of(&forged, &urls[0]).await, StatusCode::UNAUTHORIZED);

    // The document is still there and unchanged, and making the project private again hides it.
    assert_eq!(get_ok(&owner, &urls[0]).await["is_reviewed"], false);
    let (status, _) = owner.patch(&sharing_path(project), json!({"public_documents": false})).await;
    assert_eq!(status, StatusCode::OK);
    for url in &urls {
        assert_eq!(status_of(&anonymous, url).await, StatusCode::NOT_FOUND, "{url}");
    }
}

/// A dist directory with only an index.html, enough for the SPA's pages.
fn dist() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("lectern-public-dist-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>Lectern</title>").unwrap();
    dir
}

#[tokio::test]
async fn spa_pages_may_be_framed_only_where_the_project_allows() {
    let dist = dist();
    let server = Server::start_with(Some(dist.clone())).await;
    let owner = server.user("owner@example.com").await;
    let public_project = owner.create("/api/v3/projects/", json!({"name": "Public"})).await;
    let private_project = owner.create("/api/v3/projects/", json!({"name": "Private"})).await;
    make_public(&owner, public_project, &["https://intranet.example", "https://*.partner.example:8443"]).await;
    // The domains of a project that is not public open nothing.
    let (status, _) =
        owner.patch(&sharing_path(private_project), json!({"embed_domains": ["https://intranet.example"]})).await;
    assert_eq!(status, StatusCode::OK);
    let pdf = pdf::document(&[Page::a4().text(72.0, 760.0, 14.0, "Framed")]);
    let public_doc = owner.upload_ok(public_project, "a.pdf", pdf.clone(), &[]).await["id"].as_i64().unwrap();
    let private_doc = owner.upload_ok(private_project, "b.pdf", pdf, &[]).await["id"].as_i64().unwrap();

    let http = reqwest::Client::new();
    let policy = |path: String| {
        let http = http.clone();
        let url = server.url(&path);
        async move {
            let resp = http.get(&url).send().await.unwrap();
            assert_eq!(resp.status(), StatusCode::OK, "{url}");
            assert!(resp.headers().get(header::X_FRAME_OPTIONS).is_none(), "{url}");
            let csp = resp.headers().get(header::CONTENT_SECURITY_POLICY);
            csp.unwrap_or_else(|| panic!("no CSP on {url}")).to_str().unwrap().to_owned()
        }
    };
    let allowed = "frame-ancestors 'self' https://intranet.example https://*.partner.example:8443";
    assert_eq!(policy(format!("/d/{public_doc}/")).await, allowed);
    assert_eq!(policy(format!("/d/{public_doc}")).await, allowed);
    assert_eq!(policy(format!("/d/{public_doc}/?locale=de&chrome=0")).await, allowed);
    assert_eq!(policy(format!("/?document={public_doc}")).await, allowed);
    for path in
        [format!("/d/{private_doc}/"), "/d/999999/".to_owned(), "/projects/1/documents".to_owned(), "/".to_owned()]
    {
        assert_eq!(policy(path).await, "frame-ancestors 'self'");
    }
    std::fs::remove_dir_all(dist).unwrap();
}

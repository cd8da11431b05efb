//! The shapes of the API's answers as JSON snapshots (tests/snapshots/), in-process (`TestApp`): every key, its
//! type and the values a fresh object has. Ids, timestamps and tokens are redacted; ids inside URLs too.
//! A changed snapshot is a changed contract: the SDK and the SPA read exactly these keys.

use insta::{assert_json_snapshot, dynamic_redaction, Settings};
use lectern_tests::app::TestApp;
use lectern_tests::pdf::{self, Page};
use lectern_tests::{get_ok, Api, StatusCode, PASSWORD};
use reqwest::Method;
use serde_json::{json, Value};

/// Redactions for every snapshot of this file: ids (which must be positive integers), timestamps (which must be
/// ISO-8601 UTC), tokens (40 hex) and the ids inside URLs.
fn settings() -> Settings {
    let mut settings = Settings::clone_current();
    settings.set_sort_maps(true);
    settings.set_prepend_module_to_snapshot(false);
    for selector in [
        ".id",
        ".project",
        ".category",
        ".categories[]",
        ".label_sets[]",
        ".labels[].id",
        ".schema[].id",
        ".schema[].labels[].id",
        ".results[].id",
        ".results[].project",
        ".results[].category",
        ".pages[].id",
        ".document_set",
        ".results[].document_set",
        ".annotation_sets[].label_set.id",
        ".annotation_sets[].labels[].id",
    ] {
        settings.add_redaction(selector, dynamic_redaction(id));
    }
    for selector in [".created_at", ".updated_at", ".results[].created_at", ".results[].updated_at"] {
        settings.add_redaction(selector, dynamic_redaction(timestamp));
    }
    settings.add_redaction(".token", dynamic_redaction(token));
    for selector in [
        ".file_url",
        ".original_file_url",
        ".thumbnail_url",
        ".extraction_url",
        ".results[].file_url",
        ".results[].original_file_url",
        ".results[].thumbnail_url",
        ".results[].extraction_url",
    ] {
        settings.add_redaction(selector, dynamic_redaction(url));
    }
    settings
}

fn id(value: insta::internals::Content, path: insta::internals::ContentPath<'_>) -> String {
    match value.as_i64() {
        Some(n) if n > 0 => "[id]".into(),
        _ if value.is_nil() => "[null id]".into(),
        _ => panic!("{path}: not an id: {value:?}"),
    }
}

fn timestamp(value: insta::internals::Content, path: insta::internals::ContentPath<'_>) -> String {
    let text = value.as_str().unwrap_or_else(|| panic!("{path}: not a string: {value:?}"));
    let shape: String = text.chars().map(|c| if c.is_ascii_digit() { '0' } else { c }).collect();
    assert_eq!(shape, "0000-00-00T00:00:00.000000Z", "{path}: {text}");
    "[timestamp]".into()
}

fn token(value: insta::internals::Content, path: insta::internals::ContentPath<'_>) -> String {
    let text = value.as_str().unwrap_or_else(|| panic!("{path}: not a string: {value:?}"));
    assert!(text.len() == 40 && text.chars().all(|c| c.is_ascii_hexdigit()), "{path}: {text}");
    "[token]".into()
}

/// A URL with every path segment of digits as `{id}`; null stays null.
fn url(value: insta::internals::Content, path: insta::internals::ContentPath<'_>) -> insta::internals::Content {
    if value.is_nil() {
        return value;
    }
    let text = value.as_str().unwrap_or_else(|| panic!("{path}: not a string: {value:?}"));
    let segments: Vec<&str> = text
        .split('/')
        .map(|s| if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) { "{id}" } else { s })
        .collect();
    segments.join("/").into()
}

#[tokio::test]
async fn projects_and_the_list_envelope() {
    let app = TestApp::new().await;
    let ann = app.user("ann@example.com").await;
    let (status, created) = ann.post("/api/v3/projects/", json!({"name": "Invoices 2024"})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    ann.create("/api/v3/projects/", json!({"name": "Receipts"})).await;
    let page = get_ok(&ann, "/api/v3/projects/?limit=1&offset=1").await;
    settings().bind(|| {
        assert_json_snapshot!("project", created);
        assert_json_snapshot!("project_list_page", page);
    });
}

#[tokio::test]
async fn categories_labels_and_label_sets() {
    let app = TestApp::new().await;
    let ann = app.user("ann@example.com").await;
    let fx = ann.fixture("P").await;
    let category = get_ok(&ann, &format!("/api/v3/categories/{}/", fx.category)).await;
    let label = get_ok(&ann, &format!("/api/v3/labels/{}/", fx.labels[0])).await;
    let label_set = get_ok(&ann, &format!("/api/v3/label-sets/{}/", fx.label_set)).await;
    let default_set = get_ok(&ann, &format!("/api/v3/label-sets/{}/", fx.category)).await;
    settings().bind(|| {
        assert_json_snapshot!("category_with_schema", category);
        assert_json_snapshot!("label", label);
        assert_json_snapshot!("label_set", label_set);
        assert_json_snapshot!("label_set_of_a_category", default_set);
    });
}

#[tokio::test]
async fn login_me_and_sharing() {
    let app = TestApp::new().await;
    let ann = app.user("ann@example.com").await;
    let (status, token) =
        app.anonymous().post("/api/v3/auth/", json!({"username": "ann@example.com", "password": PASSWORD})).await;
    assert_eq!(status, StatusCode::OK, "{token}");
    let me = get_ok(&ann, "/api/v3/auth/me/").await;
    let project = ann.create("/api/v3/projects/", json!({"name": "P"})).await;
    let sharing = get_ok(&ann, &format!("/api/v3/projects/{project}/sharing/")).await;
    settings().bind(|| {
        assert_json_snapshot!("auth_token", token);
        assert_json_snapshot!("me", me);
        assert_json_snapshot!("sharing", sharing);
    });
}

#[tokio::test]
async fn a_document_as_uploaded_and_listed() {
    // No worker: the document stays as the upload left it, whatever the machine's speed.
    let app = TestApp::with_config(|c| c.workers = 0).await;
    let ann = app.user("ann@example.com").await;
    let fx = ann.fixture("P").await;
    let bytes = pdf::document(&[Page::a4().text(72.0, 760.0, 14.0, "Invoice 7")]);
    let category = fx.category.to_string();
    let uploaded = ann.upload_ok(fx.project, "invoice.pdf", bytes, &[("category", &category)]).await;
    let id = uploaded["id"].as_i64().unwrap();
    let detail = get_ok(&ann, &format!("/api/v3/documents/{id}/")).await;
    let list = get_ok(&ann, &format!("/api/v3/documents/?project={}", fx.project)).await;
    assert_eq!(uploaded, detail, "the upload answers the document's detail");
    settings().bind(|| {
        assert_json_snapshot!("document_detail_queued", detail);
        assert_json_snapshot!("document_list", list);
    });
}

#[tokio::test]
async fn error_bodies() {
    let app = TestApp::new().await;
    let ann = app.user("ann@example.com").await;
    let mut errors = serde_json::Map::new();
    let mut record = |name: &str, (status, body): (StatusCode, Value)| {
        errors.insert(name.to_owned(), json!({"status": status.as_u16(), "body": body}));
    };
    record("400 missing field", ann.post("/api/v3/projects/", json!({})).await);
    record("400 wrong type", ann.post("/api/v3/projects/", json!({"name": 5})).await);
    record("400 not an object", ann.post("/api/v3/projects/", json!([1])).await);
    record("400 bad list parameter", ann.get("/api/v3/projects/?limit=x").await);
    record(
        "400 bad login",
        app.anonymous().post("/api/v3/auth/", json!({"username": "ann@example.com", "password": "wrong-pass"})).await,
    );
    record("401 no credentials", app.anonymous().get("/api/v3/projects/").await);
    record("401 bad token", app.with_token("0123456789abcdef0123456789abcdef01234567").get("/api/v3/auth/me/").await);
    record("404 unknown id", ann.get("/api/v3/projects/999/").await);
    record("404 unknown API path", ann.get("/api/v3/nothing/").await);
    record("405 wrong method", ann.call(Method::PUT, "/api/v3/projects/", lectern_tests::Payload::None).await);
    record("415 wrong content type", ann.send_body(Method::POST, "/api/v3/projects/", "text/plain", "name=P").await);
    settings().bind(|| assert_json_snapshot!("errors", errors));
}

//! The error answers of the HTTP contract (in-process, `TestApp`): 400 with the fields named, 400/404/405/413/415/
//! 428 with `detail`, as DRF shapes them. Authentication errors (401, 429) are in contract_auth.rs, permission
//! errors (403, 404 for others' ids) in contract_permissions.rs.

use lectern_tests::app::TestApp;
use lectern_tests::{assert_field_error, get_ok, ids, Api, StatusCode};
use reqwest::Method;
use serde_json::{json, Value};

const PROJECTS: &str = "/api/v3/projects/";
const CATEGORIES: &str = "/api/v3/categories/";
const LABELS: &str = "/api/v3/labels/";
const LABEL_SETS: &str = "/api/v3/label-sets/";

fn at(path: &str, id: i64) -> String {
    format!("{path}{id}/")
}

/// A 404 or 400 … with `detail`, as DRF answers.
fn assert_detail_error(status: StatusCode, body: &Value, expected: StatusCode) {
    assert_eq!(status, expected, "{body}");
    assert!(body["detail"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
}

#[tokio::test]
async fn names_must_be_present_non_blank_and_short() {
    let app = TestApp::new().await;
    let ann = app.user("ann@example.com").await;

    for body in [json!({}), json!({"name": ""}), json!({"name": "   "}), json!({"name": null})] {
        let (status, resp) = ann.post(PROJECTS, body.clone()).await;
        assert_field_error(status, &resp, "name");
    }
    let (status, resp) = ann.post(PROJECTS, json!({"name": "x".repeat(256)})).await;
    assert_field_error(status, &resp, "name");
    let (status, resp) = ann.post(PROJECTS, json!({"name": "é".repeat(256)})).await;
    assert_field_error(status, &resp, "name");
    let (status, resp) = ann.post(PROJECTS, json!({"name": "é".repeat(255)})).await;
    assert_eq!(status, StatusCode::CREATED, "255 characters are allowed: {resp}");
    assert_eq!(resp["name"].as_str().unwrap().chars().count(), 255);
    let id = resp["id"].as_i64().unwrap();

    let (status, resp) = ann.form(Method::POST, PROJECTS, &[("name", "  ")]).await;
    assert_field_error(status, &resp, "name");

    // A bad PATCH changes nothing.
    for body in [json!({"name": "  "}), json!({"name": "y".repeat(256)})] {
        let (status, resp) = ann.patch(&at(PROJECTS, id), body).await;
        assert_field_error(status, &resp, "name");
    }
    let (_, got) = ann.get(&at(PROJECTS, id)).await;
    assert_eq!(got["name"].as_str().unwrap(), "é".repeat(255));
    assert_eq!(ids(&ann.get_all(PROJECTS).await), [id], "no failed create made a project");
}

#[tokio::test]
async fn malformed_bodies_and_paths_are_refused() {
    let app = TestApp::new().await;
    let ann = app.user("ann@example.com").await;
    let id = ann.create(PROJECTS, json!({"name": "Good"})).await;

    let (status, resp) = ann.post(PROJECTS, json!({"name": 5})).await;
    assert_field_error(status, &resp, "name");
    let (status, resp) = ann.post(PROJECTS, json!({"name": ["a"]})).await;
    assert_field_error(status, &resp, "name");
    let (status, resp) = ann.post(PROJECTS, json!({"name": "P", "enable_translated_strings": "perhaps"})).await;
    assert_field_error(status, &resp, "enable_translated_strings");
    let (status, resp) = ann.post(PROJECTS, json!({"name": "P", "auto_delete_documents_after_days": "soon"})).await;
    assert_field_error(status, &resp, "auto_delete_documents_after_days");
    let (status, resp) = ann.patch(&at(PROJECTS, id), json!({"name": 5})).await;
    assert_field_error(status, &resp, "name");

    let (status, resp) = ann.send_body(Method::POST, PROJECTS, "application/json", r#"{"name": "P""#).await;
    assert_detail_error(status, &resp, StatusCode::BAD_REQUEST);
    // A body must be an object: serde would otherwise read `["name"]` positionally and create a project.
    for not_object in [json!(["Array project"]), json!([1, 2]), json!("Array project"), json!(5)] {
        let (status, resp) = ann.post(PROJECTS, not_object.clone()).await;
        assert_detail_error(status, &resp, StatusCode::BAD_REQUEST);
        let (status, resp) = ann.patch(&at(PROJECTS, id), not_object).await;
        assert_detail_error(status, &resp, StatusCode::BAD_REQUEST);
    }

    // An unsupported content type is a 415 with `detail`, as in DRF.
    let (status, resp) = ann.send_body(Method::POST, PROJECTS, "text/plain", "name=P").await;
    assert_detail_error(status, &resp, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (status, resp) = ann.send_body(Method::PATCH, &at(PROJECTS, id), "application/xml", "<name>P</name>").await;
    assert_detail_error(status, &resp, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    for path in ["/api/v3/projects/abc/", "/api/v3/projects/0/", "/api/v3/projects/-1/", "/api/v3/projects/999999/"] {
        let (status, resp) = ann.get(path).await;
        assert_detail_error(status, &resp, StatusCode::NOT_FOUND);
        let (status, resp) = ann.patch(path, json!({"name": "X"})).await;
        assert_detail_error(status, &resp, StatusCode::NOT_FOUND);
        let (status, resp) = ann.delete(path).await;
        assert_detail_error(status, &resp, StatusCode::NOT_FOUND);
    }

    // Nothing above created or changed a project.
    let all = ann.get_all(PROJECTS).await;
    assert_eq!(ids(&all), [id]);
    assert_eq!(all[0]["name"], "Good");
}

#[tokio::test]
async fn duplicate_names_unknown_types_and_bad_thresholds_are_refused() {
    let app = TestApp::new().await;
    let ann = app.user("ann@example.com").await;
    let fx = ann.fixture("P").await;
    let p = fx.project;

    // Categories and label sets share one namespace per project; labels have their own.
    for (path, body) in [
        (CATEGORIES, json!({"project": p, "name": "Invoice"})),
        (CATEGORIES, json!({"project": p, "name": " Positions "})),
        (LABEL_SETS, json!({"project": p, "name": "Invoice"})),
        (LABEL_SETS, json!({"project": p, "name": "Positions"})),
        (LABELS, json!({"project": p, "name": "Total"})),
        (LABELS, json!({"project": p, "text": "Date"})),
    ] {
        let (status, resp) = ann.post(path, body.clone()).await;
        assert_field_error(status, &resp, "name");
    }
    let (status, resp) = ann.patch(&at(CATEGORIES, fx.category), json!({"name": "Positions"})).await;
    assert_field_error(status, &resp, "name");
    let (status, resp) = ann.patch(&at(LABEL_SETS, fx.label_set), json!({"name": "Invoice"})).await;
    assert_field_error(status, &resp, "name");
    let (status, resp) = ann.patch(&at(LABELS, fx.labels[0]), json!({"name": "Date"})).await;
    assert_field_error(status, &resp, "name");
    // The same name is fine in another project, and for a label next to a label set.
    let q = ann.create("/api/v3/projects/", json!({"name": "Q"})).await;
    ann.create(CATEGORIES, json!({"project": q, "name": "Invoice"})).await;
    ann.create(LABELS, json!({"project": p, "name": "Positions"})).await;
    // Renaming to its own name is no conflict.
    let (status, resp) = ann.patch(&at(CATEGORIES, fx.category), json!({"name": "Invoice"})).await;
    assert_eq!(status, StatusCode::OK, "{resp}");

    // Blank and missing names.
    for path in [CATEGORIES, LABEL_SETS, LABELS] {
        let (status, resp) = ann.post(path, json!({"project": p})).await;
        assert_field_error(status, &resp, "name");
        let (status, resp) = ann.post(path, json!({"project": p, "name": "  "})).await;
        assert_field_error(status, &resp, "name");
        let (status, resp) = ann.post(path, json!({"project": p, "name": "n".repeat(256)})).await;
        assert_field_error(status, &resp, "name");
        let (status, resp) = ann.post(path, json!({"name": "No project"})).await;
        assert_field_error(status, &resp, "project");
    }

    // Data types.
    for body in [
        json!({"project": p, "name": "Odd", "data_type": "Colour"}),
        json!({"project": p, "name": "Odd", "get_data_type_display": "Colour"}),
        json!({"project": p, "name": "Odd", "data_type": ""}),
    ] {
        let (status, resp) = ann.post(LABELS, body.clone()).await;
        assert_field_error(status, &resp, "data_type");
    }
    let (status, resp) = ann.patch(&at(LABELS, fx.labels[0]), json!({"data_type": "Colour"})).await;
    assert_field_error(status, &resp, "data_type");
    assert_eq!(get_ok(&ann, &at(LABELS, fx.labels[0])).await["data_type"], "Number");

    // Thresholds lie in [0, 1].
    for bad in [1.5, -0.1] {
        let (status, resp) = ann.post(LABELS, json!({"project": p, "name": "T", "threshold": bad})).await;
        assert_field_error(status, &resp, "threshold");
        let (status, resp) = ann.post(CATEGORIES, json!({"project": p, "name": "T", "threshold": bad})).await;
        assert_field_error(status, &resp, "threshold");
        let (status, resp) = ann.patch(&at(LABELS, fx.labels[0]), json!({"threshold": bad})).await;
        assert_field_error(status, &resp, "threshold");
        let (status, resp) = ann.patch(&at(CATEGORIES, fx.category), json!({"threshold": bad})).await;
        assert_field_error(status, &resp, "threshold");
    }
    let (status, resp) = ann.post(LABELS, json!({"project": p, "name": "T", "threshold": "high"})).await;
    assert_field_error(status, &resp, "threshold");
    for ok in [0.0, 1.0] {
        let (status, resp) = ann.patch(&at(LABELS, fx.labels[0]), json!({"threshold": ok})).await;
        assert_eq!(status, StatusCode::OK, "{resp}");
        assert_eq!(resp["threshold"], ok);
    }

    // Wrong types name the field.
    let (status, resp) = ann.post(LABEL_SETS, json!({"project": p, "name": "S", "labels": "1"})).await;
    assert_field_error(status, &resp, "labels");
    let (status, resp) =
        ann.post(LABEL_SETS, json!({"project": p, "name": "S", "has_multiple_sections": "maybe"})).await;
    assert_field_error(status, &resp, "has_multiple_sections");
    let (status, resp) = ann.post(CATEGORIES, json!({"project": "p", "name": "S"})).await;
    assert_field_error(status, &resp, "project");

    // None of the refused writes made anything.
    assert_eq!(ann.get_all(&format!("{CATEGORIES}?project={p}")).await.len(), 1);
    assert_eq!(ann.get_all(&format!("{LABEL_SETS}?project={p}")).await.len(), 2);
    assert_eq!(ann.get_all(&format!("{LABELS}?project={p}")).await.len(), 3);
}

#[tokio::test]
async fn unknown_api_paths_are_a_json_404() {
    let app = TestApp::new().await;
    let ann = app.user("ann@example.com").await;
    for path in ["/api/v3/nothing/", "/api/v3/projects/1/nothing/", "/api/v4/projects/", "/api/v3/nothing"] {
        let (status, body) = ann.get(path).await;
        assert_detail_error(status, &body, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn a_method_a_path_does_not_take_is_a_405_with_detail() {
    let app = TestApp::new().await;
    let ann = app.user("ann@example.com").await;
    let id = ann.create(PROJECTS, json!({"name": "P"})).await;
    for (method, path) in [
        (Method::PUT, PROJECTS.to_owned()),
        (Method::DELETE, PROJECTS.to_owned()),
        (Method::POST, at(PROJECTS, id)),
        (Method::PUT, at(PROJECTS, id)),
        (Method::PATCH, "/api/v3/auth/me/".to_owned()),
        (Method::GET, "/api/v3/auth/".to_owned()),
    ] {
        let answer = ann.raw(method.clone(), &path, &[], axum::body::Body::empty()).await;
        assert_detail_error(answer.status, &answer.body, StatusCode::METHOD_NOT_ALLOWED);
        assert!(answer.headers.contains_key("allow"), "{method} {path}: a 405 names the methods allowed");
    }
    assert_eq!(get_ok(&ann, &at(PROJECTS, id)).await["name"], "P", "nothing changed");
}

/// A one-page PDF with a text layer.
fn small_pdf(text: &str) -> Vec<u8> {
    lectern_tests::pdf::document(&[lectern_tests::pdf::Page::a4().text(72.0, 760.0, 14.0, text)])
}

#[tokio::test]
async fn files_of_a_document_not_processed_yet_answer_428() {
    // No worker runs, so the upload stays queued.
    let app = TestApp::with_config(|c| c.workers = 0).await;
    let client = app.user("ann@example.com").await;
    let fx = client.fixture("Queued").await;
    let doc = client.upload_ok(fx.project, "q.pdf", small_pdf("Invoice"), &[]).await;
    assert_eq!(doc["status_data"], 0, "{doc}");
    let id = doc["id"].as_i64().unwrap();
    for path in [format!("/api/v3/documents/{id}/bbox/"), format!("/doc/show/{id}/")] {
        let answer = client.raw(Method::GET, &path, &[], axum::body::Body::empty()).await;
        assert_detail_error(answer.status, &answer.body, StatusCode::PRECONDITION_REQUIRED);
    }
    let (status, body) = client.post(&format!("/api/v3/documents/{id}/search/"), json!({"q": "Invoice"})).await;
    assert_detail_error(status, &body, StatusCode::PRECONDITION_REQUIRED);
    // The original is stored before the upload is answered.
    let original = client.raw(Method::GET, &format!("/doc/show-original/{id}/"), &[], axum::body::Body::empty()).await;
    assert_eq!(original.status, StatusCode::OK);
    assert!(original.body.as_str().is_some_and(|pdf| pdf.starts_with("%PDF-")), "{:?}", original.headers);
}

#[tokio::test]
async fn uploads_over_the_limit_get_413() {
    let app = TestApp::with_config(|c| {
        c.max_upload_mb = 1;
        c.workers = 0;
    })
    .await;
    let ann = app.user("ann@example.com").await;
    let project = ann.create(PROJECTS, json!({"name": "Limits"})).await;
    let mut big = small_pdf("Big");
    big.extend(std::iter::repeat_n(b'%', 3 << 20));
    let (status, body) = ann.upload(project, "big.pdf", big, &[]).await;
    assert_detail_error(status, &body, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body["detail"].as_str().unwrap().contains("1 MB"), "{body}");
    assert_eq!(get_ok(&ann, "/api/v3/documents/").await["count"], 0, "nothing kept");
    // Below the limit is fine.
    ann.upload_ok(project, "small.pdf", small_pdf("Small"), &[]).await;
    // JSON and form bodies have a limit of their own (16 MB), whatever the upload limit.
    let huge = format!("{{\"name\": \"{}\"}}", "x".repeat(17 << 20));
    let answer =
        ann.raw(Method::POST, PROJECTS, &[("content-type", "application/json")], axum::body::Body::from(huge)).await;
    assert_detail_error(answer.status, &answer.body, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn bad_uploads_name_the_field() {
    let app = TestApp::with_config(|c| c.workers = 0).await;
    let ann = app.user("ann@example.com").await;
    let bob = app.user("bob@example.com").await;
    let fx = ann.fixture("Main").await;
    let other = ann.fixture("Other").await;
    let bobs = bob.create(PROJECTS, json!({"name": "Bob's"})).await;
    let pdf_bytes = small_pdf("Fine");
    let docs = "/api/v3/documents/";

    // No file at all; a file but no project.
    let (status, body) = ann.multipart(docs, &[("project", &fx.project.to_string())], None).await;
    assert_field_error(status, &body, "data_file");
    let (status, body) = ann.multipart(docs, &[], Some(("a.pdf", pdf_bytes.clone()))).await;
    assert_field_error(status, &body, "project");
    // An empty file; a text file called .pdf.
    let (status, body) = ann.upload(fx.project, "empty.pdf", Vec::new(), &[]).await;
    assert_field_error(status, &body, "data_file");
    let (status, body) = ann.upload(fx.project, "notes.pdf", b"just some text, not a PDF\n".to_vec(), &[]).await;
    assert_field_error(status, &body, "data_file");
    // JSON instead of multipart.
    let (status, body) = ann.post(docs, json!({"project": fx.project, "data_file": "x"})).await;
    assert_detail_error(status, &body, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Another user's project, a missing one.
    let (status, body) = ann.upload(bobs, "a.pdf", pdf_bytes.clone(), &[]).await;
    assert_field_error(status, &body, "project");
    let (status, body) = ann.upload(999_999, "a.pdf", pdf_bytes.clone(), &[]).await;
    assert_field_error(status, &body, "project");
    // A category of another project; a bad callback URL; a dataset status that does not exist; a non-member assignee.
    let (status, body) =
        ann.upload(fx.project, "a.pdf", pdf_bytes.clone(), &[("category", &other.category.to_string())]).await;
    assert_field_error(status, &body, "category");
    let (status, body) = ann.upload(fx.project, "a.pdf", pdf_bytes.clone(), &[("callback_url", "not a url")]).await;
    assert_field_error(status, &body, "callback_url");
    assert_eq!(body["callback_url"][0], "Enter a valid URL.");
    let (status, body) = ann.upload(fx.project, "a.pdf", pdf_bytes.clone(), &[("dataset_status", "9")]).await;
    assert_field_error(status, &body, "dataset_status");
    let (status, body) = ann.upload(fx.project, "a.pdf", pdf_bytes.clone(), &[("assignee", "bob@example.com")]).await;
    assert_field_error(status, &body, "assignee");
    // Without credentials.
    let (status, body) = app.anonymous().upload(fx.project, "a.pdf", pdf_bytes.clone(), &[]).await;
    assert_detail_error(status, &body, StatusCode::UNAUTHORIZED);
    // Nothing of that was kept.
    assert_eq!(get_ok(&ann, docs).await["count"], 0);
    // A file name with a path keeps only its base name.
    let doc = ann.upload_ok(fx.project, "C:\\scans\\2024/letter.pdf", pdf_bytes, &[]).await;
    assert_eq!(doc["data_file_name"], "letter.pdf");
}

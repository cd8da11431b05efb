//! Projects (§3), in-process (`TestApp`): create, list, detail, update, delete. The answers' shape is in
//! contract_shapes.rs, others' projects in contract_permissions.rs, bad input in contract_errors.rs.

use lectern_tests::app::TestApp;
use lectern_tests::{get_ok, ids, keys, Api, StatusCode};
use reqwest::Method;
use serde_json::{json, Value};

const PROJECTS: &str = "/api/v3/projects/";

fn detail(id: i64) -> String {
    format!("{PROJECTS}{id}/")
}

fn assert_not_found(status: StatusCode, body: &Value) {
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(body["detail"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
}

#[tokio::test]
async fn create_list_and_detail_answer_the_same_object() {
    let app = TestApp::new().await;
    let ann = app.user("ann@example.com").await;

    let (status, created) = ann.post(PROJECTS, json!({"name": "Invoices 2024"})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["name"], "Invoices 2024");
    assert_eq!(created["enable_translated_strings"], false);
    assert_eq!(created["category_ai"], Value::Null);
    let id = created["id"].as_i64().unwrap();

    let (status, got) = ann.get(&detail(id)).await;
    assert_eq!(status, StatusCode::OK, "{got}");
    assert_eq!(got, created);

    let other = ann.create(PROJECTS, json!({"name": "Receipts", "enable_translated_strings": true})).await;
    let (status, list) = ann.get(PROJECTS).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(keys(&list), ["count", "next", "previous", "results"]);
    assert_eq!(list["count"], 2);
    assert_eq!(list["next"], Value::Null);
    assert_eq!(list["previous"], Value::Null);
    let results = list["results"].as_array().unwrap();
    assert_eq!(ids(results), [id, other]);
    assert_eq!(keys(&results[1]), keys(&created), "every item has the detail's keys");
    assert_eq!(results[0], created);
    assert_eq!(results[1]["name"], "Receipts");
    assert_eq!(results[1]["enable_translated_strings"], true);
}

#[tokio::test]
async fn patch_returns_the_full_object_and_keeps_other_fields() {
    let app = TestApp::new().await;
    let ann = app.user("ann@example.com").await;
    let id = ann.create(PROJECTS, json!({"name": "Old", "decimal_separator": ","})).await;

    let (status, patched) =
        ann.patch(&detail(id), json!({"name": "  New name  ", "enable_translated_strings": true})).await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["id"], id);
    assert_eq!(patched["name"], "New name", "names are trimmed");
    assert_eq!(patched["enable_translated_strings"], true);
    assert_eq!(patched["decimal_separator"], ",", "fields not sent keep their value");

    let (status, got) = ann.get(&detail(id)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got, patched);

    // A PATCH without a name keeps it.
    let (status, patched) = ann.patch(&detail(id), json!({"priority_processing": true})).await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["name"], "New name");
    assert_eq!(patched["priority_processing"], true);
    assert_eq!(patched["enable_translated_strings"], true);

    // Form-encoded, with the SDK's capitalised booleans.
    let (status, patched) =
        ann.form(Method::PATCH, &detail(id), &[("name", "Formed"), ("enable_translated_strings", "False")]).await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["name"], "Formed");
    assert_eq!(patched["enable_translated_strings"], false);
    assert_eq!(patched["priority_processing"], true);
}

#[tokio::test]
async fn delete_removes_the_project() {
    let app = TestApp::new().await;
    let ann = app.user("ann@example.com").await;
    let gone = ann.create(PROJECTS, json!({"name": "Doomed"})).await;
    let kept = ann.create(PROJECTS, json!({"name": "Kept"})).await;
    ann.fixture("With content").await;

    let (status, body) = ann.delete(&detail(gone)).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(body, Value::Null, "204 has no body");
    let (status, body) = ann.get(&detail(gone)).await;
    assert_not_found(status, &body);
    let (status, body) = ann.delete(&detail(gone)).await;
    assert_not_found(status, &body);
    let (status, body) = ann.patch(&detail(gone), json!({"name": "Back"})).await;
    assert_not_found(status, &body);
    let remaining = ids(&ann.get_all(PROJECTS).await);
    assert!(!remaining.contains(&gone) && remaining.contains(&kept), "{remaining:?}");
    assert_eq!(remaining.len(), 2);

    // A project with categories, labels and label sets goes with all of them.
    let fx = ann.fixture("Full").await;
    let (status, body) = ann.delete(&detail(fx.project)).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    for path in [
        format!("/api/v3/categories/{}/", fx.category),
        format!("/api/v3/label-sets/{}/", fx.label_set),
        format!("/api/v3/labels/{}/", fx.labels[0]),
    ] {
        let (status, body) = ann.get(&path).await;
        assert_not_found(status, &body);
    }
    let (status, body) = ann.get(&format!("/api/v3/labels/?project={}", fx.project)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["count"], 0, "{body}");
}

#[tokio::test]
async fn form_encoded_create_reads_capitalised_booleans() {
    let app = TestApp::new().await;
    let ann = app.user("ann@example.com").await;
    let (status, created) = ann
        .form(
            Method::POST,
            PROJECTS,
            &[("name", "Formed"), ("enable_translated_strings", "True"), ("priority_processing", "False")],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(get_ok(&ann, &detail(created["id"].as_i64().unwrap())).await, created);
    assert_eq!(created["name"], "Formed");
    assert_eq!(created["enable_translated_strings"], true);
    assert_eq!(created["priority_processing"], false);
}

//! Projects (§3): create, list, detail, update, delete, visibility to other users, and bad input.

use lectern_tests::Api;
use lectern_tests::assert_field_error;
use lectern_tests::{ids, keys, Client, Server, StatusCode};
use reqwest::Method;
use serde_json::{json, Value};

const PROJECTS: &str = "/api/v3/projects/";

/// The exact key set the SDK's live test asserts on list items and detail.
const PROJECT_KEYS: [&str; 11] = [
    "auto_delete_documents_after_days",
    "auto_rotate_documents",
    "category_ai",
    "category_ai_model_parameters",
    "decimal_separator",
    "enable_translated_strings",
    "id",
    "name",
    "ocr_method",
    "priority_processing",
    "storage_name",
];

fn assert_project(value: &Value) {
    assert_eq!(keys(value), PROJECT_KEYS, "{value}");
    assert!(value["id"].as_i64().is_some_and(|id| id > 0), "{value}");
    assert!(value["name"].is_string() && value["storage_name"].is_string() && value["ocr_method"].is_string());
    assert!(value["priority_processing"].is_boolean() && value["auto_rotate_documents"].is_boolean());
    assert!(value["enable_translated_strings"].is_boolean(), "{value}");
    assert!(value["decimal_separator"].is_string(), "{value}");
}

fn detail(id: i64) -> String {
    format!("{PROJECTS}{id}/")
}

fn assert_detail_error(status: StatusCode, body: &Value, expected: StatusCode) {
    assert_eq!(status, expected, "{body}");
    assert!(body["detail"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
}

async fn list_ids(client: &Client) -> Vec<i64> {
    ids(&client.get_all(PROJECTS).await)
}

#[tokio::test]
async fn create_list_and_detail_have_the_sdk_key_set() {
    let server = Server::start().await;
    let ann = server.user("ann@example.com").await;

    let (status, created) = ann.post(PROJECTS, json!({"name": "Invoices 2024"})).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_project(&created);
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
    for item in results {
        assert_project(item);
    }
    assert_eq!(results[0], created);
    assert_eq!(results[1]["name"], "Receipts");
    assert_eq!(results[1]["enable_translated_strings"], true);
}

#[tokio::test]
async fn patch_returns_the_full_object_and_keeps_other_fields() {
    let server = Server::start().await;
    let ann = server.user("ann@example.com").await;
    let id = ann.create(PROJECTS, json!({"name": "Old", "decimal_separator": ","})).await;

    let (status, patched) =
        ann.patch(&detail(id), json!({"name": "  New name  ", "enable_translated_strings": true})).await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_project(&patched);
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
    let server = Server::start().await;
    let ann = server.user("ann@example.com").await;
    let gone = ann.create(PROJECTS, json!({"name": "Doomed"})).await;
    let kept = ann.create(PROJECTS, json!({"name": "Kept"})).await;
    ann.fixture("With content").await;

    let (status, body) = ann.delete(&detail(gone)).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(body, Value::Null, "204 has no body");
    let (status, body) = ann.get(&detail(gone)).await;
    assert_detail_error(status, &body, StatusCode::NOT_FOUND);
    let (status, body) = ann.delete(&detail(gone)).await;
    assert_detail_error(status, &body, StatusCode::NOT_FOUND);
    let (status, body) = ann.patch(&detail(gone), json!({"name": "Back"})).await;
    assert_detail_error(status, &body, StatusCode::NOT_FOUND);
    let remaining = list_ids(&ann).await;
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
        assert_detail_error(status, &body, StatusCode::NOT_FOUND);
    }
    let (status, body) = ann.get(&format!("/api/v3/labels/?project={}", fx.project)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["count"], 0, "{body}");
}

#[tokio::test]
async fn other_users_cannot_see_or_touch_a_project() {
    let server = Server::start().await;
    let ann = server.user("ann@example.com").await;
    let bob = server.user("bob@example.com").await;
    let (_, original) = ann.post(PROJECTS, json!({"name": "Ann's"})).await;
    let id = original["id"].as_i64().unwrap();
    let bobs = bob.create(PROJECTS, json!({"name": "Bob's"})).await;

    let (status, body) = bob.get(&detail(id)).await;
    assert_detail_error(status, &body, StatusCode::NOT_FOUND);
    let (status, body) = bob.patch(&detail(id), json!({"name": "Taken"})).await;
    assert_detail_error(status, &body, StatusCode::NOT_FOUND);
    let (status, body) = bob.delete(&detail(id)).await;
    assert_detail_error(status, &body, StatusCode::NOT_FOUND);

    assert_eq!(list_ids(&bob).await, [bobs]);
    let (_, list) = bob.get(PROJECTS).await;
    assert_eq!(list["count"], 1);
    assert_eq!(list_ids(&ann).await, [id]);

    // Ann's project is untouched.
    let (status, got) = ann.get(&detail(id)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got, original);
    let (status, body) = ann.get(&detail(bobs)).await;
    assert_detail_error(status, &body, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn names_must_be_present_non_blank_and_short() {
    let server = Server::start().await;
    let ann = server.user("ann@example.com").await;

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
        let (status, resp) = ann.patch(&detail(id), body).await;
        assert_field_error(status, &resp, "name");
    }
    let (_, got) = ann.get(&detail(id)).await;
    assert_eq!(got["name"].as_str().unwrap(), "é".repeat(255));
    assert_eq!(list_ids(&ann).await, [id], "no failed create made a project");
}

#[tokio::test]
async fn malformed_bodies_and_paths_are_refused() {
    let server = Server::start().await;
    let ann = server.user("ann@example.com").await;
    let id = ann.create(PROJECTS, json!({"name": "Good"})).await;

    let (status, resp) = ann.post(PROJECTS, json!({"name": 5})).await;
    assert_field_error(status, &resp, "name");
    let (status, resp) = ann.post(PROJECTS, json!({"name": ["a"]})).await;
    assert_field_error(status, &resp, "name");
    let (status, resp) = ann.post(PROJECTS, json!({"name": "P", "enable_translated_strings": "perhaps"})).await;
    assert_field_error(status, &resp, "enable_translated_strings");
    let (status, resp) = ann.post(PROJECTS, json!({"name": "P", "auto_delete_documents_after_days": "soon"})).await;
    assert_field_error(status, &resp, "auto_delete_documents_after_days");
    let (status, resp) = ann.patch(&detail(id), json!({"name": 5})).await;
    assert_field_error(status, &resp, "name");

    let malformed =
        ann.request(Method::POST, PROJECTS).header("Content-Type", "application/json").body(r#"{"name": "P""#);
    let (status, resp) = Client::send(malformed).await;
    assert_detail_error(status, &resp, StatusCode::BAD_REQUEST);
    // A body must be an object: serde would otherwise read `["name"]` positionally and create a project.
    for not_object in [json!(["Array project"]), json!([1, 2]), json!("Array project"), json!(5)] {
        let (status, resp) = ann.post(PROJECTS, not_object.clone()).await;
        assert_detail_error(status, &resp, StatusCode::BAD_REQUEST);
        let (status, resp) = ann.patch(&detail(id), not_object).await;
        assert_detail_error(status, &resp, StatusCode::BAD_REQUEST);
    }

    // An unsupported content type is a 415 with `detail`, as in DRF.
    let text = ann.request(Method::POST, PROJECTS).header("Content-Type", "text/plain").body("name=P");
    let (status, resp) = Client::send(text).await;
    assert_detail_error(status, &resp, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let xml = ann.request(Method::PATCH, &detail(id)).header("Content-Type", "application/xml").body("<name>P</name>");
    let (status, resp) = Client::send(xml).await;
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
async fn form_encoded_create_reads_capitalised_booleans() {
    let server = Server::start().await;
    let ann = server.user("ann@example.com").await;
    let (status, created) = ann
        .form(
            Method::POST,
            PROJECTS,
            &[("name", "Formed"), ("enable_translated_strings", "True"), ("priority_processing", "False")],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_project(&created);
    assert_eq!(created["name"], "Formed");
    assert_eq!(created["enable_translated_strings"], true);
    assert_eq!(created["priority_processing"], false);
}

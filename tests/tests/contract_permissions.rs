//! Permissions over HTTP (in-process, `TestApp`): another user's ids on every endpoint family are a 404 as if
//! they did not exist, ids of other projects in a body are a field error, and a member who is not the owner
//! gets a 403 where only the owner may act.

use axum::body::Body;
use lectern_tests::app::{AppClient, TestApp};
use lectern_tests::pdf::{self, Page};
use lectern_tests::{assert_field_error, assert_not_found, get_ok, ids, Api, StatusCode};
use reqwest::Method;
use serde_json::{json, Value};

const PROJECTS: &str = "/api/v3/projects/";
const CATEGORIES: &str = "/api/v3/categories/";
const LABELS: &str = "/api/v3/labels/";
const LABEL_SETS: &str = "/api/v3/label-sets/";
const DOCS: &str = "/api/v3/documents/";

fn at(path: &str, id: i64) -> String {
    format!("{path}{id}/")
}

fn sharing_path(project: i64) -> String {
    format!("/api/v3/projects/{project}/sharing/")
}

fn label_ids_of_set(set: &Value) -> Vec<i64> {
    ids(set["labels"].as_array().unwrap())
}

/// A 404 or 400 … with `detail`, as DRF answers.
fn assert_detail_error(status: StatusCode, body: &Value, expected: StatusCode) {
    assert_eq!(status, expected, "{body}");
    assert!(body["detail"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
}

#[tokio::test]
async fn other_users_cannot_see_or_touch_a_project() {
    let app = TestApp::new().await;
    let ann = app.user("ann@example.com").await;
    let bob = app.user("bob@example.com").await;
    let (_, original) = ann.post(PROJECTS, json!({"name": "Ann's"})).await;
    let id = original["id"].as_i64().unwrap();
    let bobs = bob.create(PROJECTS, json!({"name": "Bob's"})).await;

    let (status, body) = bob.get(&at(PROJECTS, id)).await;
    assert_detail_error(status, &body, StatusCode::NOT_FOUND);
    let (status, body) = bob.patch(&at(PROJECTS, id), json!({"name": "Taken"})).await;
    assert_detail_error(status, &body, StatusCode::NOT_FOUND);
    let (status, body) = bob.delete(&at(PROJECTS, id)).await;
    assert_detail_error(status, &body, StatusCode::NOT_FOUND);

    assert_eq!(ids(&bob.get_all(PROJECTS).await), [bobs]);
    let (_, list) = bob.get(PROJECTS).await;
    assert_eq!(list["count"], 1);
    assert_eq!(ids(&ann.get_all(PROJECTS).await), [id]);

    // Ann's project is untouched.
    let (status, got) = ann.get(&at(PROJECTS, id)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got, original);
    let (status, body) = ann.get(&at(PROJECTS, bobs)).await;
    assert_detail_error(status, &body, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn ids_from_another_users_project_or_nowhere_are_refused() {
    let app = TestApp::new().await;
    let ann = app.user("ann@example.com").await;
    let bob = app.user("bob@example.com").await;
    let fx = ann.fixture("Ann's").await;
    let theirs = bob.fixture("Bob's").await;
    let p = fx.project;
    let missing = 999_999;

    for path in [CATEGORIES, LABEL_SETS, LABELS] {
        for project in [theirs.project, missing] {
            let (status, resp) = ann.post(path, json!({"project": project, "name": "Sneaky"})).await;
            assert_field_error(status, &resp, "project");
        }
    }
    let cases = [
        (LABEL_SETS, "categories", json!({"project": p, "name": "S", "categories": [theirs.category]})),
        (LABEL_SETS, "categories", json!({"project": p, "name": "S", "categories": [fx.category, missing]})),
        // Only categories can be linked as categories, not plain label sets.
        (LABEL_SETS, "categories", json!({"project": p, "name": "S", "categories": [fx.label_set]})),
        (LABEL_SETS, "labels", json!({"project": p, "name": "S", "labels": [theirs.labels[0]]})),
        (LABEL_SETS, "labels", json!({"project": p, "name": "S", "labels": [fx.labels[0], missing]})),
        (LABELS, "label_sets", json!({"project": p, "name": "L", "label_sets": [theirs.label_set]})),
        (LABELS, "label_sets", json!({"project": p, "name": "L", "label_sets": [missing]})),
        (LABELS, "templates", json!({"project": p, "text": "L", "templates": [theirs.label_set]})),
        (LABELS, "templates", json!({"project": p, "text": "L", "templates": [fx.label_set, missing]})),
        (LABELS, "categories", json!({"project": p, "name": "L", "categories": [theirs.category]})),
    ];
    for (path, field, body) in &cases {
        let (status, resp) = ann.post(path, body.clone()).await;
        assert_field_error(status, &resp, field);
    }
    // The same on PATCH, which leaves the links as they were.
    let (status, resp) = ann.patch(&at(LABEL_SETS, fx.label_set), json!({"labels": [theirs.labels[0]]})).await;
    assert_field_error(status, &resp, "labels");
    let (status, resp) = ann.patch(&at(LABEL_SETS, fx.label_set), json!({"categories": [theirs.category]})).await;
    assert_field_error(status, &resp, "categories");
    let (status, resp) = ann.patch(&at(LABELS, fx.labels[0]), json!({"label_sets": [theirs.label_set]})).await;
    assert_field_error(status, &resp, "label_sets");
    let (status, resp) = ann.patch(&at(LABELS, fx.labels[0]), json!({"templates": [missing]})).await;
    assert_field_error(status, &resp, "templates");
    let (status, resp) = ann.patch(&at(LABELS, fx.labels[0]), json!({"project": theirs.project})).await;
    assert_field_error(status, &resp, "project");
    let (status, resp) = ann.patch(&at(LABEL_SETS, fx.label_set), json!({"project": theirs.project})).await;
    assert_field_error(status, &resp, "project");
    let set = get_ok(&ann, &at(LABEL_SETS, fx.label_set)).await;
    assert_eq!(label_ids_of_set(&set), fx.labels);
    assert_eq!(set["categories"], json!([fx.category]));
    assert_eq!(set["project"], p);
    assert_eq!(get_ok(&ann, &at(LABELS, fx.labels[0])).await["label_sets"], json!([fx.category, fx.label_set]));

    // Ids of the same user's other project are refused too: links stay inside a project.
    let other = ann.fixture("Ann's other").await;
    let (status, resp) = ann.post(LABELS, json!({"project": p, "name": "L", "label_sets": [other.label_set]})).await;
    assert_field_error(status, &resp, "label_sets");
    let (status, resp) = ann.post(LABEL_SETS, json!({"project": p, "name": "S", "categories": [other.category]})).await;
    assert_field_error(status, &resp, "categories");

    // Bob's setup is untouched, and no refused write created anything for Ann.
    let bobs = get_ok(&bob, &at(LABEL_SETS, theirs.label_set)).await;
    assert_eq!(label_ids_of_set(&bobs), theirs.labels);
    assert_eq!(bobs["categories"], json!([theirs.category]));
    assert_eq!(ann.get_all(&format!("{LABELS}?project={p}")).await.len(), 2);
    assert_eq!(ann.get_all(&format!("{LABEL_SETS}?project={p}")).await.len(), 2);
}

#[tokio::test]
async fn another_users_setup_is_not_found() {
    let app = TestApp::new().await;
    let ann = app.user("ann@example.com").await;
    let bob = app.user("bob@example.com").await;
    let fx = ann.fixture("Ann's").await;

    let paths = [
        at(CATEGORIES, fx.category),
        at(LABEL_SETS, fx.label_set),
        at(LABEL_SETS, fx.category),
        at(LABELS, fx.labels[0]),
    ];
    let before: Vec<Value> = snapshot(&ann, &paths).await;
    for path in &paths {
        let (status, body) = bob.get(path).await;
        assert_not_found(status, &body);
        let (status, body) =
            bob.patch(path, json!({"name": "Mine now", "labels": [], "label_sets": [], "categories": []})).await;
        assert_not_found(status, &body);
        let (status, body) = bob.delete(path).await;
        assert_not_found(status, &body);
    }
    for list in [CATEGORIES, LABEL_SETS, LABELS] {
        let (status, body) = bob.get(list).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["count"], 0, "{list}: {body}");
        let (status, body) = bob.get(&format!("{list}?project={}", fx.project)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["count"], 0, "{list}: {body}");
    }
    assert_eq!(snapshot(&ann, &paths).await, before, "nothing changed");
}

async fn snapshot(client: &AppClient, paths: &[String]) -> Vec<Value> {
    let mut out = Vec::new();
    for path in paths {
        out.push(get_ok(client, path).await);
    }
    out
}

#[tokio::test]
async fn only_the_owner_changes_sharing_and_members_read_it() {
    let app = TestApp::new().await;
    let owner = app.user("owner@example.com").await;
    let member = app.user("member@example.com").await;
    let outsider = app.user("outsider@example.com").await;
    let project = owner.create("/api/v3/projects/", json!({"name": "Shared"})).await;
    app.add_member(project, "member@example.com").await;
    let path = sharing_path(project);

    assert_eq!(get_ok(&owner, &path).await, json!({"public_documents": false, "embed_domains": []}));
    assert_eq!(get_ok(&member, &path).await, json!({"public_documents": false, "embed_domains": []}));
    let (status, body) = outsider.get(&path).await;
    assert_not_found(status, &body);
    let (status, body) = owner.get("/api/v3/projects/999999/sharing/").await;
    assert_not_found(status, &body);

    let (status, body) = member.patch(&path, json!({"public_documents": true})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = outsider.patch(&path, json!({"public_documents": true})).await;
    assert_not_found(status, &body);

    let (status, body) = owner
        .patch(&path, json!({"public_documents": true, "embed_domains": ["https://Intranet.Example/", "http://127.0.0.1:8080", "https://*.partner.example"]}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let expected = json!({"public_documents": true,
        "embed_domains": ["https://intranet.example", "http://127.0.0.1:8080", "https://*.partner.example"]});
    assert_eq!(body, expected);
    assert_eq!(get_ok(&member, &path).await, expected);
    // A partial change keeps the rest.
    let (status, body) = owner.patch(&path, json!({"public_documents": "false"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["embed_domains"], expected["embed_domains"]);
    assert_eq!(body["public_documents"], false);

    // Bad entries are refused by name, and nothing changes.
    for bad in [
        "intranet.example",
        "ftp://files.example",
        "https://a.example/embed",
        "https://*",
        "https://a.*.example",
        "https://a.example; script-src *",
    ] {
        let (status, body) = owner.patch(&path, json!({"embed_domains": ["https://ok.example", bad]})).await;
        assert_field_error(status, &body, "embed_domains");
        assert!(body["embed_domains"][0].as_str().unwrap().contains(bad), "{bad}: {body}");
    }
    let too_many: Vec<String> = (0..51).map(|i| format!("https://h{i}.example")).collect();
    let (status, body) = owner.patch(&path, json!({"embed_domains": too_many})).await;
    assert_field_error(status, &body, "embed_domains");
    let (status, body) = owner.patch(&path, json!({"embed_domains": "https://a.example"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(get_ok(&owner, &path).await["embed_domains"], expected["embed_domains"]);

    // The settings are in the OpenAPI document.
    let spec = get_ok(&app.anonymous(), "/api/v3/schema/").await;
    assert!(spec["paths"]["/api/v3/projects/{id}/sharing/"]["patch"].is_object());
    assert!(spec["components"]["schemas"]["ProjectSharing"].is_object());

    // The project itself keeps the exact key set the SDK asserts.
    let detail = get_ok(&owner, &format!("/api/v3/projects/{project}/")).await;
    assert_eq!(detail.as_object().unwrap().len(), 11, "{detail}");
    assert!(detail.get("public_documents").is_none());
}

/// A one-page PDF with a text layer.
fn small_pdf(text: &str) -> Vec<u8> {
    pdf::document(&[Page::a4().text(72.0, 760.0, 14.0, text)])
}

/// The status of a GET of a file outside the JSON API (`/doc/…`, `/page/…`, `/aimodel/…`).
async fn file_status(client: &AppClient, path: &str) -> StatusCode {
    client.raw(Method::GET, path, &[], Body::empty()).await.status
}

#[tokio::test]
async fn another_users_documents_are_not_found_on_every_endpoint() {
    // No worker: the document stays queued, so its owner gets 428 where the stranger gets 404.
    let app = TestApp::with_config(|c| c.workers = 0).await;
    let ann = app.user("ann@example.com").await;
    let eve = app.user("eve@example.com").await;
    let fx = ann.fixture("Private").await;
    let doc = ann.upload_ok(fx.project, "invoice.pdf", small_pdf("Invoice 7"), &[]).await;
    let id = doc["id"].as_i64().unwrap();
    let span = json!({"span": [{"x0": 0, "x1": 595, "y0": 0, "y1": 842, "page_index": 0}]});

    // Each call as the owner first: what the stranger gets is not what everybody gets.
    let calls: Vec<(Method, String, Option<Value>, StatusCode)> = vec![
        (Method::GET, at(DOCS, id), None, StatusCode::OK),
        (Method::GET, format!("{DOCS}{id}/bbox/"), None, StatusCode::PRECONDITION_REQUIRED),
        (Method::POST, format!("{DOCS}{id}/search/"), Some(json!({"q": "Invoice"})), StatusCode::PRECONDITION_REQUIRED),
        (Method::PATCH, at(DOCS, id), Some(json!({"data_file_name": "mine.pdf"})), StatusCode::OK),
    ];
    for (method, path, body, owner_status) in &calls {
        let payload = || body.clone().map_or(lectern_tests::Payload::None, lectern_tests::Payload::Json);
        let (status, answer) = eve.call(method.clone(), path, payload()).await;
        assert_not_found(status, &answer);
        let (status, answer) = ann.call(method.clone(), path, payload()).await;
        assert_eq!(status, *owner_status, "{method} {path} as the owner: {answer}");
    }
    let (status, body) = eve.post(&format!("{DOCS}{id}/bbox/"), span).await;
    assert_not_found(status, &body);
    let (status, body) =
        eve.patch(&format!("{DOCS}{id}/update-annotations/"), json!({"ids": [1], "revised": true})).await;
    assert_not_found(status, &body);
    let (status, body) =
        eve.post(&format!("{DOCS}{id}/postprocess/"), json!([{"name": "a.pdf", "pages": [{"id": 1}]}])).await;
    assert_not_found(status, &body);

    // The document's files: a 404 for the stranger; without credentials those never public ask for them.
    for (path, owner_status) in [
        (format!("/doc/show-original/{id}/"), StatusCode::OK),
        (format!("/doc/show/{id}/"), StatusCode::PRECONDITION_REQUIRED),
    ] {
        assert_eq!(file_status(&eve, &path).await, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(file_status(&app.anonymous(), &path).await, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(file_status(&ann, &path).await, owner_status, "{path}");
    }

    // Lists and filters show the stranger nothing; bodies naming the document or project are field errors.
    for list in [DOCS.to_owned(), format!("{DOCS}?project={}", fx.project)] {
        assert_eq!(get_ok(&eve, &list).await["count"], 0, "{list}");
        assert_eq!(get_ok(&ann, &list).await["count"], 1, "{list}");
    }
    let (status, body) = eve.upload(fx.project, "mine.pdf", small_pdf("Mine"), &[]).await;
    assert_field_error(status, &body, "project");
    let (status, body) = eve
        .post(
            "/api/v3/annotations/",
            json!({"document": id, "label": fx.labels[0], "span": [{"start_offset": 0, "end_offset": 3}]}),
        )
        .await;
    assert_field_error(status, &body, "document");
    let (status, body) = eve
        .post("/api/v3/missing-annotations/", json!({"document": id, "label": fx.labels[0], "label_set": fx.category}))
        .await;
    assert_field_error(status, &body, "document");

    // Delete last; the owner's document is as it was left.
    let (status, body) = eve.delete(&at(DOCS, id)).await;
    assert_not_found(status, &body);
    assert_eq!(get_ok(&ann, &at(DOCS, id)).await["data_file_name"], "mine.pdf");
}

#[tokio::test]
async fn another_users_ais_and_project_settings_are_not_found() {
    let app = TestApp::new().await;
    let ann = app.user("ann@example.com").await;
    let eve = app.user("eve@example.com").await;
    let fx = ann.fixture("Private").await;
    // Something to learn from for every kind: two processed documents of two pages in the training set, one with
    // an annotation a person made.
    let category = fx.category.to_string();
    let fields = [("sync", "True"), ("category", category.as_str()), ("dataset_status", "2")];
    let pages =
        || pdf::document(&[Page::a4().text(72.0, 760.0, 14.0, "Invoice 7"), Page::a4().text(72.0, 760.0, 14.0, "Two")]);
    let doc = ann.upload_ok(fx.project, "a.pdf", pages(), &fields).await;
    ann.upload_ok(fx.project, "b.pdf", pages(), &fields).await;
    let span = json!([{"start_offset": 0, "end_offset": 7}]);
    let annotation = json!({"document": doc["id"], "label": fx.labels[0], "label_set": fx.category, "span": span});
    ann.create("/api/v3/annotations/", annotation).await;

    for (list, body) in [
        ("/api/v3/extraction-ais/", json!({"category": fx.category})),
        ("/api/v3/category-ais/", json!({"project": fx.project})),
        ("/api/v3/splitting-ais/", json!({"project": fx.project})),
    ] {
        let field = body.as_object().unwrap().keys().next().unwrap().clone();
        let (status, refused) = eve.post(list, body.clone()).await;
        assert_field_error(status, &refused, &field);
        let ai = ann.create(list, body).await;
        let path = at(list, ai);
        get_ok(&ann, &path).await;
        for method in [Method::GET, Method::PATCH, Method::DELETE] {
            let payload = if method == Method::PATCH {
                lectern_tests::Payload::Json(json!({"description": "mine"}))
            } else {
                lectern_tests::Payload::None
            };
            let (status, body) = eve.call(method.clone(), &path, payload).await;
            assert_not_found(status, &body);
        }
        assert_eq!(get_ok(&eve, list).await["count"], 0, "{list}");
        assert_eq!(get_ok(&ann, list).await["count"], 1, "{list}");
        if list == "/api/v3/extraction-ais/" {
            assert_eq!(file_status(&eve, &format!("/aimodel/file/{ai}/")).await, StatusCode::NOT_FOUND);
        }
    }

    for (path, change) in [
        (sharing_path(fx.project), json!({"public_documents": true})),
        (format!("/api/v3/projects/{}/splitting/", fx.project), json!({"split_uploads": true})),
    ] {
        let before = get_ok(&ann, &path).await;
        let (status, body) = eve.get(&path).await;
        assert_not_found(status, &body);
        let (status, body) = eve.patch(&path, change).await;
        assert_not_found(status, &body);
        assert_eq!(get_ok(&ann, &path).await, before, "{path} unchanged");
    }
}

//! Categorization AIs (§18.1) over HTTP: generated documents of three kinds (real PDFs through the real
//! pipeline) uploaded with categories, training as a background job, the evaluation on test documents,
//! activation of a better AI only, categorization of an upload without a category, the description,
//! deletion, and the (empty) list of splitting AIs.

use std::time::{Duration, Instant};

use lectern_server::ai::corpus::{self, LETTER_KINDS};
use lectern_tests::pdf::{self, Page};
use lectern_tests::Api;
use lectern_tests::{assert_field_error, assert_not_found, get_ok, Client, Server, StatusCode};
use serde_json::{json, Value};

const AIS: &str = "/api/v3/category-ais/";

/// How long one training may take before the test gives up.
const TRAINING_TIMEOUT: Duration = Duration::from_secs(120);

/// A one-page PDF of a generated letter of `kind` below the line `extra`; `seed` varies the wording.
fn document(kind: usize, seed: u64, extra: &str) -> Vec<u8> {
    let mut page = Page::a4().text(50.0, 780.0, 10.0, extra);
    for (n, line) in corpus::letter(kind, seed).iter().enumerate() {
        page = page.text(50.0, 750.0 - 20.0 * n as f64, 10.0, line);
    }
    pdf::document(&[page])
}

async fn upload(client: &Client, project: i64, bytes: Vec<u8>, fields: &[(&str, &str)]) -> Value {
    let mut all = vec![("sync", "True")];
    all.extend_from_slice(fields);
    let doc = client.upload_ok(project, "doc.pdf", bytes, &all).await;
    assert_eq!(doc["status_data"], 2, "{doc}");
    doc
}

/// Starts training and waits for its end; returns the AI's detail.
async fn train(client: &Client, project: i64) -> Value {
    let (code, ai) = client.post(AIS, json!({"project": project})).await;
    assert_eq!(code, StatusCode::CREATED, "{ai}");
    assert_eq!((ai["status"].as_str(), ai["active"].as_bool()), (Some("queued"), Some(false)), "{ai}");
    let deadline = Instant::now() + TRAINING_TIMEOUT;
    loop {
        let ai = get_ok(client, &format!("{AIS}{}/", ai["id"])).await;
        match ai["status"].as_str().unwrap() {
            "done" | "failed" => return ai,
            "queued" | "training" => {}
            other => panic!("unknown status {other}"),
        }
        assert!(Instant::now() < deadline, "AI not trained after {TRAINING_TIMEOUT:?}: {ai}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn trains_evaluates_activates_and_categorizes_uploads() {
    let server = Server::start().await;
    let client = server.user("cat@example.com").await;
    let project = client.create("/api/v3/projects/", json!({"name": "Mail room"})).await;
    let mut categories = Vec::new();
    for (name, _) in LETTER_KINDS {
        categories.push(client.create("/api/v3/categories/", json!({"project": project, "name": name})).await);
    }
    for (kind, category) in categories.iter().enumerate() {
        let category = category.to_string();
        for seed in 0..6u64 {
            let dataset_status = if seed < 4 { "2" } else { "3" };
            let fields = [("category", category.as_str()), ("dataset_status", dataset_status)];
            upload(&client, project, document(kind, seed, ""), &fields).await;
        }
    }

    let first = train(&client, project).await;
    assert_eq!(first["status"], "done", "{first}");
    assert_eq!((first["training_documents"].as_i64(), first["test_documents"].as_i64()), (Some(12), Some(6)));
    let evaluation = &first["evaluation"];
    assert_eq!((evaluation["documents"].as_u64(), evaluation["accuracy"].as_f64()), (Some(6), Some(1.0)), "{first}");
    let scored: Vec<i64> =
        evaluation["categories"].as_array().unwrap().iter().map(|c| c["category"].as_i64().unwrap()).collect();
    assert_eq!(scored, categories);
    for c in evaluation["categories"].as_array().unwrap() {
        assert_eq!((c["metrics"]["precision"].as_f64(), c["metrics"]["recall"].as_f64()), (Some(1.0), Some(1.0)));
        assert_eq!(c["metrics"]["f1"].as_f64(), Some(1.0));
    }
    assert_eq!(first["active"], true, "{first}");
    assert!(first["activation"].as_str().unwrap().starts_with("Activated: no AI"), "{first}");

    // An equally good AI does not take over.
    let second = train(&client, project).await;
    assert_eq!((second["status"].as_str(), second["active"].as_bool()), (Some("done"), Some(false)), "{second}");
    let why = second["activation"].as_str().unwrap();
    assert!(why.starts_with("Not activated") && why.contains(&format!("AI {}", first["id"])), "{why}");

    // An upload without a category gets the AI's category. It names another category once, which the
    // keyword rule would have picked: the AI decides by the wording.
    let doc = upload(&client, project, document(1, 77, "Shipping"), &[]).await;
    assert_eq!(doc["category"].as_i64(), Some(categories[1]), "{doc}");
    let confidence = doc["category_confidence"].as_f64().unwrap();
    assert!(confidence > 0.9 && confidence <= 1.0, "{confidence}");

    // List, description, deletion.
    let listed = get_ok(&client, &format!("{AIS}?project_id={project}")).await;
    assert_eq!(listed["count"], 2, "{listed}");
    let path = format!("{AIS}{}/", second["id"]);
    let (code, body) = client.patch(&path, json!({"description": "second try"})).await;
    assert_eq!((code, body["description"].as_str()), (StatusCode::OK, Some("second try")), "{body}");
    let (code, _) = client.delete(&path).await;
    assert_eq!(code, StatusCode::NO_CONTENT);
    let (code, body) = client.get(&path).await;
    assert_not_found(code, &body);
    assert_eq!(get_ok(&client, &format!("{AIS}?project_id={project}")).await["count"], 1);

    // Without an active AI the keyword rule is back: the same upload goes to the category it names.
    let (code, _) = client.delete(&format!("{AIS}{}/", first["id"])).await;
    assert_eq!(code, StatusCode::NO_CONTENT);
    let doc = upload(&client, project, document(1, 77, "Shipping"), &[]).await;
    assert_eq!(doc["category"].as_i64(), Some(categories[2]), "{doc}");
}

#[tokio::test]
async fn bad_requests_training_without_documents_and_splitting_ais() {
    let server = Server::start().await;
    let client = server.user("owner@example.com").await;
    let project = client.create("/api/v3/projects/", json!({"name": "Empty"})).await;
    let (code, body) = client.post(AIS, json!({})).await;
    assert_field_error(code, &body, "project");
    let (code, body) = client.post(AIS, json!({"project": 99999})).await;
    assert_field_error(code, &body, "project");
    let (code, body) = client.post(AIS, json!({"project": "x"})).await;
    assert_eq!(code, StatusCode::BAD_REQUEST, "{body}");
    // Another user's AIs and projects: contract_permissions.rs.

    // No categorised training documents: refused before it starts, with the reason.
    let (code, body) = client.post(AIS, json!({"project": project})).await;
    assert_field_error(code, &body, "project");
    assert!(body["project"][0].as_str().unwrap().contains("has no processed training documents"), "{body}");
    assert_eq!(get_ok(&client, AIS).await["count"], 0);

    // Splitting AIs: none yet, in the common paginated shape; bad parameters are still refused.
    let splitting = get_ok(&client, &format!("/api/v3/splitting-ais/?limit=1000&project_id={project}")).await;
    assert_eq!(splitting, json!({"count": 0, "next": null, "previous": null, "results": []}));
    let (code, body) = client.get("/api/v3/splitting-ais/?project_id=x").await;
    assert_eq!(code, StatusCode::BAD_REQUEST, "{body}");
}

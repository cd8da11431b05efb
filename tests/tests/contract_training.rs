//! The rules around training and review over HTTP (in-process, `TestApp`): a document is marked reviewed only
//! once processed; an AI is trained only when there is something to learn from, and the project's training data
//! says so before anyone tries; an AI evaluated on nothing annotated stays inactive and says why.

use std::time::{Duration, Instant};

use lectern_tests::app::{AppClient, TestApp};
use lectern_tests::pdf::{self, Page};
use lectern_tests::{assert_not_found, get_ok, keys, word_offsets, Api, StatusCode};
use serde_json::{json, Value};

const TRAINING_TIMEOUT: Duration = Duration::from_secs(120);

/// A PDF of two pages with a text layer.
fn two_pages(title: &str) -> Vec<u8> {
    pdf::document(&[
        Page::a4().text(72.0, 760.0, 14.0, title).text(72.0, 700.0, 12.0, "Total 9,50 EUR"),
        Page::a4().text(72.0, 760.0, 12.0, "Page two"),
    ])
}

fn training_data_path(project: i64) -> String {
    format!("/api/v3/projects/{project}/training-data/")
}

/// The counts as the endpoint gives them, for the categories, categorization and splitting alike.
fn counts(training: u64, annotated_training: u64, test: u64, annotated_test: u64, refusal: Option<&str>) -> Value {
    json!({
        "training_documents": training, "annotated_training_documents": annotated_training,
        "test_documents": test, "annotated_test_documents": annotated_test, "refusal": refusal,
    })
}

fn with_category(category: i64, counts: Value) -> Value {
    let mut item = json!({"category": category, "name": "Invoice"});
    item.as_object_mut().unwrap().extend(counts.as_object().unwrap().clone());
    item
}

/// Waits until the AI at `path` has finished training; returns its detail.
async fn trained(client: &AppClient, path: &str) -> Value {
    let deadline = Instant::now() + TRAINING_TIMEOUT;
    loop {
        let ai = get_ok(client, path).await;
        if matches!(ai["status"].as_str(), Some("done" | "failed")) {
            return ai;
        }
        assert!(Instant::now() < deadline, "not trained after {TRAINING_TIMEOUT:?}: {ai}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_document_is_marked_reviewed_only_once_it_is_processed() {
    // No worker: the upload stays queued; the states processing would move it to are set in the database.
    let app = TestApp::with_config(|c| c.workers = 0).await;
    let ann = app.user("ann@example.com").await;
    let fx = ann.fixture("P").await;
    let doc = ann.upload_ok(fx.project, "scan.pdf", two_pages("Invoice 1"), &[]).await;
    let path = format!("/api/v3/documents/{}/", doc["id"]);
    let set_status = |code: i64| {
        let db = app.state.db.clone();
        let id = doc["id"].as_i64().unwrap();
        async move {
            sqlx::query("UPDATE documents SET status_data = $1 WHERE id = $2")
                .bind(code)
                .bind(id)
                .execute(&db)
                .await
                .unwrap();
        }
    };

    for (code, why) in [
        (0, "The document is still being processed; it can be marked reviewed once it is processed."),
        (20, "The document is still being processed; it can be marked reviewed once it is processed."),
        (41, "The document is waiting for its split to be confirmed; it can be marked reviewed once it is processed."),
        (111, "The document could not be processed; it cannot be marked reviewed."),
    ] {
        set_status(code).await;
        let (status, body) = ann.patch(&path, json!({"is_reviewed": true})).await;
        assert_eq!((status, body), (StatusCode::BAD_REQUEST, json!({"is_reviewed": [why]})), "status_data {code}");
        assert_eq!(get_ok(&ann, &path).await["is_reviewed"], false);
        // Reopening is always allowed, and other fields are written while it is processed.
        let (status, body) = ann.patch(&path, json!({"is_reviewed": false, "data_file_name": "renamed.pdf"})).await;
        assert_eq!((status, body["data_file_name"].as_str()), (StatusCode::OK, Some("renamed.pdf")), "{body}");
    }

    set_status(2).await;
    let (status, body) = ann.patch(&path, json!({"is_reviewed": true})).await;
    assert_eq!((status, body["is_reviewed"].as_bool()), (StatusCode::OK, Some(true)), "{body}");
}

#[tokio::test]
async fn training_starts_only_with_something_to_learn_from_and_the_training_data_says_so_before() {
    let app = TestApp::new().await;
    let ann = app.user("ann@example.com").await;
    let eve = app.user("eve@example.com").await;
    let fx = ann.fixture("Mail room").await;
    let data_path = training_data_path(fx.project);
    let extraction = json!({"category": fx.category});
    let project = json!({"project": fx.project});

    // Nothing yet: each kind says why it would be refused, and is refused with that reason.
    let no_extraction = "Category \"Invoice\" has no processed training documents (dataset_status 2): put documents \
                         of the category with accepted or human-made annotations in the training set.";
    let no_categorization = "Project \"Mail room\" has no processed training documents (dataset_status 2): put \
                             documents with a category in the training set.";
    let no_splitting = "Project \"Mail room\" needs at least two processed training documents (dataset_status 2) to \
                        learn where one ends; it has 0.";
    assert_eq!(
        get_ok(&ann, &data_path).await,
        json!({
            "project": fx.project,
            "categories": [with_category(fx.category, counts(0, 0, 0, 0, Some(no_extraction)))],
            "categorization": counts(0, 0, 0, 0, Some(no_categorization)),
            "splitting": counts(0, 0, 0, 0, Some(no_splitting)),
        })
    );
    for (ais, body, refusal) in [
        ("/api/v3/extraction-ais/", &extraction, json!({"category": [no_extraction]})),
        ("/api/v3/category-ais/", &project, json!({"project": [no_categorization]})),
        ("/api/v3/splitting-ais/", &project, json!({"project": [no_splitting]})),
    ] {
        let (status, answer) = ann.post(ais, body.clone()).await;
        assert_eq!((status, answer), (StatusCode::BAD_REQUEST, refusal), "{ais}");
        assert_eq!(get_ok(&ann, ais).await["count"], 0, "nothing was stored at {ais}");
    }

    // Two processed documents of the category in the training set, not annotated yet.
    let category = fx.category.to_string();
    let mut training = Vec::new();
    for n in 1..=2 {
        let fields = [("sync", "True"), ("category", category.as_str()), ("dataset_status", "2")];
        let doc = ann.upload_ok(fx.project, "invoice.pdf", two_pages(&format!("Invoice {n}")), &fields).await;
        assert_eq!(doc["status_data"], 2, "{doc}");
        training.push(doc);
    }
    let unannotated = "None of the 2 processed training documents (dataset_status 2) of category \"Invoice\" carries \
                       an accepted or human-made annotation: review them (accept the AI's suggestions or annotate) \
                       before training.";
    let data = get_ok(&ann, &data_path).await;
    assert_eq!(data["categories"], json!([with_category(fx.category, counts(2, 0, 0, 0, Some(unannotated)))]));
    assert_eq!((&data["categorization"], &data["splitting"]), (&counts(2, 2, 0, 0, None), &counts(2, 2, 0, 0, None)));
    let (status, answer) = ann.post("/api/v3/extraction-ais/", extraction.clone()).await;
    assert_eq!((status, answer), (StatusCode::BAD_REQUEST, json!({"category": [unannotated]})));

    // A categorization AI can learn now; with no test documents its score says nothing, so it stays inactive.
    let (status, ai) = ann.post("/api/v3/category-ais/", project.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{ai}");
    assert_eq!(
        keys(&ai),
        [
            "activation",
            "active",
            "created_at",
            "description",
            "error",
            "evaluation",
            "id",
            "inactive_reason",
            "progress",
            "project",
            "status",
            "test_documents",
            "training_documents",
            "updated_at"
        ]
    );
    assert_eq!((&ai["status"], &ai["inactive_reason"]), (&json!("queued"), &Value::Null), "{ai}");
    let ai = trained(&ann, &format!("/api/v3/category-ais/{}/", ai["id"])).await;
    let why = "Not activated: its evaluation had no categorised test documents (processed documents with a category \
               in the test set, dataset_status 3), so its accuracy says nothing.";
    assert_eq!(
        (&ai["status"], &ai["active"], &ai["inactive_reason"], &ai["activation"]),
        (&json!("done"), &json!(false), &json!(why), &json!(why)),
        "{ai}"
    );

    // A person annotates the total of one training document; a test document is added but nobody annotates it.
    let text = training[0]["text"].as_str().unwrap();
    let chars: Vec<char> = text.chars().collect();
    let (start, end) = word_offsets(text)
        .into_iter()
        .find(|(s, e)| chars[*s..*e].iter().collect::<String>() == "9,50")
        .unwrap_or_else(|| panic!("no 9,50 in {text:?}"));
    let annotation = json!({"document": training[0]["id"], "label": fx.labels[0], "label_set": fx.category,
        "span": [{"start_offset": start, "end_offset": end}]});
    let (status, body) = ann.post("/api/v3/annotations/", annotation).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let fields = [("sync", "True"), ("category", category.as_str()), ("dataset_status", "3")];
    let test = ann.upload_ok(fx.project, "test.pdf", two_pages("Invoice 3"), &fields).await;
    assert_eq!(test["status_data"], 2, "{test}");
    let data = get_ok(&ann, &data_path).await;
    assert_eq!(data["categories"], json!([with_category(fx.category, counts(2, 1, 1, 0, None))]));
    assert_eq!(data["categorization"], counts(2, 2, 1, 1, None));

    // The extraction AI is trained, but its test document has no annotation to find: it stays inactive.
    let (status, ai) = ann.post("/api/v3/extraction-ais/", extraction).await;
    assert_eq!(status, StatusCode::CREATED, "{ai}");
    let ai = trained(&ann, &format!("/api/v3/extraction-ais/{}/", ai["id"])).await;
    let why = "Not activated: its evaluation had no annotated test documents (processed documents of the category in \
               the test set, dataset_status 3, with an accepted or human-made annotation), so its strict F1 says \
               nothing.";
    assert_eq!(
        (&ai["status"], &ai["active"], &ai["inactive_reason"], &ai["test_documents"]),
        (&json!("done"), &json!(false), &json!(why), &json!(1)),
        "{ai}"
    );
    let category_now = get_ok(&ann, &format!("/api/v3/categories/{}/", fx.category)).await;
    assert_eq!(category_now["active_ai_model"], Value::Null, "the category still has no active AI");

    // Only members read the training data; the endpoint is in the OpenAPI document.
    let (status, body) = eve.get(&data_path).await;
    assert_not_found(status, &body);
    let (status, body) = ann.get(&training_data_path(fx.project + 1000)).await;
    assert_not_found(status, &body);
    let spec = get_ok(&app.anonymous(), "/api/v3/schema/").await;
    assert!(spec["paths"]["/api/v3/projects/{id}/training-data/"]["get"].is_object());
    assert!(spec["components"]["schemas"]["TrainingData"].is_object());
}

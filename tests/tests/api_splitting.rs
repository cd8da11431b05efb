//! Splitting (§15.2, §18.1) over HTTP: a splitting AI trained on a project's multi-page letters (real PDFs through
//! the real pipeline) and evaluated on bundles of its test letters; the project setting that splits uploads; a
//! bundle waiting at status 41 with `proposed_split`, confirmed or rejected through postprocess; bad requests.

use lectern_server::ai::corpus::LETTER_KINDS;
use lectern_tests::letters::{bundle, train, upload, LetterProject};
use lectern_tests::Api;
use lectern_tests::{assert_field_error, assert_not_found, get_ok, Server, StatusCode};
use serde_json::{json, Value};

const AIS: &str = "/api/v3/splitting-ais/";

fn page_ids(doc: &Value) -> Vec<i64> {
    doc["pages"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect()
}

/// The page ids of each part of a `proposed_split`.
fn parts(proposal: &Value) -> Vec<Vec<i64>> {
    proposal.as_array().unwrap().iter().map(page_ids).collect()
}

#[tokio::test]
async fn a_trained_splitting_ai_proposes_splits_that_are_confirmed_or_rejected() {
    let server = Server::start().await;
    let owner = server.user("splitter@example.com").await;
    let letters = LetterProject::create(&owner).await;
    let (project, categories) = (letters.project, letters.categories.clone());

    let ai = train(&owner, AIS, project).await;
    assert_eq!((ai["status"].as_str(), ai["active"].as_bool()), (Some("done"), Some(true)), "{ai}");
    assert_eq!((ai["training_documents"].as_i64(), ai["test_documents"].as_i64()), (Some(30), Some(6)), "{ai}");
    let evaluation = &ai["evaluation"];
    assert_eq!((evaluation["bundles"].as_u64(), evaluation["documents"].as_u64()), (Some(2), Some(6)), "{ai}");
    // Two bundles of three letters hold four split points.
    let points = &evaluation["split_points"];
    let found = points["true_positives"].as_u64().unwrap() + points["false_negatives"].as_u64().unwrap();
    assert_eq!(found, 4, "{ai}");
    assert!(points["f1"].as_f64().unwrap() >= 0.75, "{ai}");
    assert!(ai["activation"].as_str().unwrap().starts_with("Activated: no AI"), "{ai}");

    // An equally good AI does not take over.
    let second = train(&owner, AIS, project).await;
    assert_eq!((second["status"].as_str(), second["active"].as_bool()), (Some("done"), Some(false)), "{second}");
    assert_eq!(get_ok(&owner, &format!("{AIS}?project_id={project}")).await["count"], 2);

    // Off by default: a bundle is processed whole.
    let setting = format!("/api/v3/projects/{project}/splitting/");
    assert_eq!(get_ok(&owner, &setting).await, json!({"split_uploads": false}));
    let whole = upload(&owner, project, &bundle(100), &[]).await;
    assert_eq!((whole["status_data"].as_i64(), &whole["proposed_split"]), (Some(2), &Value::Null), "{whole}");

    let (code, body) = owner.patch(&setting, json!({"split_uploads": true})).await;
    assert_eq!((code, body), (StatusCode::OK, json!({"split_uploads": true})));

    // A bundle of three letters waits at 41 with the proposal: three parts, each with the category candidates of
    // the project's categorization AI.
    let categorization = train(&owner, "/api/v3/category-ais/", project).await;
    assert_eq!(categorization["active"], true, "{categorization}");
    let sent = bundle(200);
    let doc = upload(&owner, project, &sent, &[]).await;
    assert_eq!(doc["status_data"], 41, "{doc}");
    assert!(!doc["split_is_revised"].as_bool().unwrap(), "{doc}");
    let pages = page_ids(&doc);
    let (a, b) = (sent[0].len(), sent[0].len() + sent[1].len());
    let truth = vec![pages[..a].to_vec(), pages[a..b].to_vec(), pages[b..].to_vec()];
    let proposal = doc["proposed_split"].clone();
    assert_eq!(parts(&proposal), truth, "{proposal}");
    for (kind, part) in proposal.as_array().unwrap().iter().enumerate() {
        let best = &part["categories"][0];
        assert_eq!(
            (best["id"].as_i64(), best["name"].as_str()),
            (Some(categories[kind]), Some(LETTER_KINDS[kind].0)),
            "{part}"
        );
        let confidence = best["confidence"].as_f64().unwrap();
        assert!(confidence > 0.0 && confidence <= 1.0, "{part}");
        assert_eq!(part["category"], best["id"], "{part}");
    }

    // Confirming feeds the proposal back as it is (as the dashboard does): three documents, each processed
    // on and not proposed for splitting again.
    let (code, result) = owner.post(&format!("/api/v3/documents/{}/postprocess/", doc["id"]), proposal).await;
    assert_eq!(code, StatusCode::OK, "{result}");
    let results = result.as_array().unwrap();
    assert_eq!(results.len(), 3, "{result}");
    for (kind, part) in results.iter().enumerate() {
        let done = owner.wait_done(part["id"].as_i64().unwrap()).await;
        assert_eq!(done["number_of_pages"].as_u64(), Some(sent[kind].len() as u64), "{done}");
        assert_eq!((done["split_is_revised"].as_bool(), &done["proposed_split"]), (Some(true), &Value::Null), "{done}");
        assert_eq!(done["category"].as_i64(), Some(categories[kind]), "{done}");
        assert_eq!(done["document_set"], doc["document_set"], "{done}");
    }

    // Rejecting: one document with every page keeps the bundle whole.
    let doc = upload(&owner, project, &bundle(300), &[]).await;
    assert_eq!(doc["status_data"], 41, "{doc}");
    let all: Vec<Value> = page_ids(&doc).iter().map(|id| json!({"id": id, "angle": 0})).collect();
    let (code, result) = owner
        .post(&format!("/api/v3/documents/{}/postprocess/", doc["id"]), json!([{"name": "scan.pdf", "pages": all}]))
        .await;
    assert_eq!(code, StatusCode::OK, "{result}");
    let kept = owner.wait_done(doc["id"].as_i64().unwrap()).await;
    assert_eq!(
        (kept["number_of_pages"].as_u64(), kept["split_is_revised"].as_bool()),
        (Some(all.len() as u64), Some(true))
    );

    // A one-page upload does not wait.
    let single = upload(&owner, project, &[vec![vec!["Just one page".to_string()]]], &[]).await;
    assert_eq!(single["status_data"], 2, "{single}");
}

#[tokio::test]
async fn bad_requests_and_training_without_documents() {
    let server = Server::start().await;
    let owner = server.user("owner@example.com").await;
    let project = owner.create("/api/v3/projects/", json!({"name": "Empty"})).await;
    let (code, body) = owner.post(AIS, json!({})).await;
    assert_field_error(code, &body, "project");
    let (code, body) = owner.post(AIS, json!({"project": 99999})).await;
    assert_field_error(code, &body, "project");
    // Another user's AIs and settings: contract_permissions.rs.

    // Too few training documents: refused before it starts, with the reason.
    let (code, body) = owner.post(AIS, json!({"project": project})).await;
    assert_field_error(code, &body, "project");
    assert!(body["project"][0].as_str().unwrap().contains("at least two processed training documents"), "{body}");
    assert_eq!(get_ok(&owner, &format!("{AIS}?project_id={project}")).await["count"], 0);
    let (code, body) = owner.get(&format!("{AIS}0/")).await;
    assert_not_found(code, &body);
    let (code, body) = owner.get(&format!("{AIS}?project_id=x")).await;
    assert_eq!(code, StatusCode::BAD_REQUEST, "{body}");

    // The setting: members read it, only the owner changes it, and it must be a boolean.
    let setting = format!("/api/v3/projects/{project}/splitting/");
    let member = server.user("member@example.com").await;
    server.add_member(project, "member@example.com");
    assert_eq!(get_ok(&member, &setting).await, json!({"split_uploads": false}));
    let (code, body) = member.patch(&setting, json!({"split_uploads": true})).await;
    assert_eq!(code, StatusCode::FORBIDDEN, "{body}");
    for bad in [json!({}), json!({"split_uploads": "maybe"}), json!([])] {
        let (code, body) = owner.patch(&setting, bad).await;
        assert_eq!(code, StatusCode::BAD_REQUEST, "{body}");
    }
    assert_eq!(get_ok(&owner, &setting).await, json!({"split_uploads": false}));
}

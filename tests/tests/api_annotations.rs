//! Annotations (§8, §12), missing annotations (§13) and the review workflow over HTTP, on a generated PDF
//! processed by the real pipeline; AI suggestions come from `lectern-server suggest`.

use lectern_tests::assert_field_error;
use lectern_tests::pdf::{self, Page};
use lectern_tests::Api;
use lectern_tests::{keys, Client, Fixture, Server, StatusCode};
use serde_json::{json, Value};

const ANNOTATIONS: &str = "/api/v3/annotations/";
const MISSING: &str = "/api/v3/missing-annotations/";
const DUPLICATE: &str = "In one Project you cannot label the same text twice.";
const TEXT: &str = "Invoice 2024-001\nTotal: 9,50 EUR";
const NESTED_KEYS: [&str; 15] = [
    "confidence",
    "created_by",
    "custom_offset_string",
    "document",
    "id",
    "is_correct",
    "normalized",
    "offset_string",
    "offset_string_original",
    "origin",
    "revised",
    "revised_by",
    "selection_bbox",
    "span",
    "translated_string",
];

fn invoice_pdf() -> Vec<u8> {
    pdf::document(&[Page::a4().text(72.0, 760.0, 14.0, "Invoice 2024-001").text(72.0, 730.0, 12.0, "Total: 9,50 EUR")])
}

fn offset(needle: &str) -> usize {
    let byte = TEXT.find(needle).unwrap();
    TEXT[..byte].chars().count()
}

struct Setup {
    server: Server,
    client: Client,
    fixture: Fixture,
    doc: i64,
    bbox: Value,
}

async fn setup() -> Setup {
    let server = Server::start().await;
    let client = server.user("ann@example.com").await;
    let fixture = client.fixture("Annotations").await;
    let category = fixture.category.to_string();
    let doc = client
        .upload_ok(fixture.project, "invoice.pdf", invoice_pdf(), &[("sync", "True"), ("category", category.as_str())])
        .await;
    assert_eq!(doc["status_data"], 2, "{doc}");
    assert_eq!(doc["text"], TEXT, "{doc}");
    let id = doc["id"].as_i64().unwrap();
    let (status, bbox) = client.get(&format!("/api/v3/documents/{id}/bbox")).await;
    assert_eq!(status, StatusCode::OK);
    Setup { server, client, fixture, doc: id, bbox }
}

/// The box around the characters `[start, end)` as the SDK sends it.
fn box_of(bbox: &Value, start: usize, end: usize, offset_string: &str) -> Value {
    let chars: Vec<&Value> = (start..end).filter_map(|o| bbox["bbox"].get(o.to_string())).collect();
    let min = |k: &str| chars.iter().map(|c| c[k].as_f64().unwrap()).fold(f64::MAX, f64::min);
    let max = |k: &str| chars.iter().map(|c| c[k].as_f64().unwrap()).fold(f64::MIN, f64::max);
    json!({"x0": min("x0"), "x1": max("x1"), "y0": min("y0"), "y1": max("y1"), "page_index": 0, "offset_string": offset_string})
}

fn range(start: usize, end: usize) -> Value {
    json!([{"start_offset": start, "end_offset": end}])
}

async fn post_one(client: &Client, body: Value) -> Value {
    let (status, created) = client.post(ANNOTATIONS, body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}: {created}");
    assert!(created["id"].is_i64(), "one object answers one object (the SDK reads its id): {created}");
    created
}

/// Another connection pool with the same token, as a second browser tab would have.
fn server_client(client: &Client) -> Client {
    Client { http: reqwest::Client::new(), ..client.clone() }
}

async fn detail(client: &Client, doc: i64) -> Value {
    let (status, body) = client.get(&format!("/api/v3/documents/{doc}/")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[tokio::test]
async fn annotations_are_created_from_boxes_and_offsets_with_the_sets_decided() {
    let Setup { server, client, fixture, doc, bbox } = setup().await;
    let [total, date] = [fixture.labels[0], fixture.labels[1]];
    let before = detail(&client, doc).await["updated_at"].as_str().unwrap().to_owned();

    // As the SDK saves: a box with the text, neither annotation_set nor label_set.
    let start = offset("9,50");
    let a = post_one(
        &client,
        json!({"document": doc, "label": total, "revised": false, "confidence": null, "is_correct": false,
               "origin": "api.v3", "span": [box_of(&bbox, start, start + 4, "9,50")]}),
    )
    .await;
    assert_eq!(
        (a["offset_string"].as_str(), a["offset_string_original"].as_str()),
        (Some("9,50"), Some("9,50")),
        "{a}"
    );
    assert_eq!(a["span"][0]["start_offset"], start);
    assert_eq!(a["span"][0]["end_offset"], start + 4);
    assert_eq!(a["label"]["id"], total);
    assert_eq!(a["label_set"]["id"], fixture.category, "the default set holds the label: {a}");
    assert!(a["annotation_set"].is_i64(), "{a}");
    assert_eq!((a["custom_offset_string"].as_bool(), a["created_by"].as_str()), (Some(false), Some("ann@example.com")));
    let after = detail(&client, doc).await["updated_at"].as_str().unwrap().to_owned();
    assert!(after > before, "{before} {after}");

    // The same text with the same label again: 403 with the SDK's message.
    let (status, body) =
        client.post(ANNOTATIONS, json!({"document": doc, "label": total, "span": range(start, start + 4)})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["detail"].as_str().unwrap().contains(DUPLICATE), "{body}");

    // Offsets with a typed text: custom_offset_string; the non-repeating default set is reused.
    let s = offset("2024-001");
    let b = post_one(&client, json!({"document": doc, "label": date, "span": [{"start_offset": s, "end_offset": s + 8, "offset_string": "2024-01"}]})).await;
    assert_eq!(
        (b["offset_string"].as_str(), b["offset_string_original"].as_str()),
        (Some("2024-01"), Some("2024-001"))
    );
    assert_eq!(b["custom_offset_string"], true);
    assert_eq!(b["annotation_set"], a["annotation_set"], "single set reused");

    // A span across a line break is split per line; a repeating label set gets a new set each time, and the
    // aliases `label_set_id` and `is_revised` work. A list body answers a list.
    let from = offset("001");
    let (status, created) = client
        .post(
            ANNOTATIONS,
            json!([{"document": doc, "label": total, "label_set_id": fixture.label_set, "span": range(from, from + 9),
                    "is_revised": true, "is_correct": true},
                   {"document": doc, "label": date, "label_set": fixture.label_set, "span": range(s, s + 4)}]),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (c, d) = (&created[0], &created[1]);
    let texts: Vec<&str> = c["span"].as_array().unwrap().iter().map(|s| s["offset_string"].as_str().unwrap()).collect();
    assert_eq!(texts, ["001", "Total"], "{c}");
    assert_eq!((c["revised"].as_bool(), c["revised_by"].as_str()), (Some(true), Some("ann@example.com")));
    assert_eq!(c["label_set"]["id"], fixture.label_set);
    assert_ne!(c["annotation_set"], d["annotation_set"], "a repeating label set gets a new set");
    // Into an existing annotation set.
    let e = post_one(
        &client,
        json!({"document": doc, "label": total, "annotation_set": d["annotation_set"], "span": range(0, 7)}),
    )
    .await;
    assert_eq!(
        (e["annotation_set"].clone(), e["label_set"]["id"].clone()),
        (d["annotation_set"].clone(), json!(fixture.label_set))
    );

    // Bad input, each naming its field.
    let other = client
        .create("/api/v3/labels/", json!({"project": fixture.project, "name": "Other", "data_type": "Text"}))
        .await;
    let elsewhere = client
        .create("/api/v3/label-sets/", json!({"project": fixture.project, "name": "Elsewhere", "labels": [other]}))
        .await;
    let bad = |extra: Value| {
        let mut body = json!({"document": doc, "label": total, "span": range(0, 7)});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    };
    for (extra, field) in [
        (json!({"label": other, "label_set": fixture.label_set}), "label"),
        (json!({"label": other}), "label"),
        (json!({"label": other, "label_set": elsewhere}), "label_set"),
        (json!({"label_set": fixture.category, "annotation_set": d["annotation_set"]}), "label_set"),
        (json!({"annotation_set": 999999}), "annotation_set"),
        (json!({"label": 999999}), "label"),
        (json!({"document": 999999}), "document"),
        (json!({"span": []}), "span"),
        (json!({"span": [{"x0": 1}]}), "span"),
        (json!({"span": [{"x0": 10, "x1": 5, "y0": 0, "y1": 1, "page_index": 0}]}), "span"),
        (json!({"span": [{"x0": 1, "x1": 5, "y0": 0, "y1": 1, "page_index": 3}]}), "span"),
        (json!({"span": range(5, 5)}), "span"),
        (json!({"confidence": 1.5}), "confidence"),
        (json!({"selection_bbox": {"x0": 1}}), "selection_bbox"),
        (json!({"is_correct": "maybe"}), "is_correct"),
    ] {
        let (status, body) = client.post(ANNOTATIONS, bad(extra.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{extra}: {body}");
        assert!(body[field].is_array(), "{extra}: expected an error for {field}, got {body}");
    }
    let (status, body) = client.post(ANNOTATIONS, json!({"document": doc, "span": range(0, 7)})).await;
    assert_field_error(status, &body, "label");
    let (status, body) = client.post(ANNOTATIONS, json!(5)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    // A drawn box with no text under it keeps the typed text.
    let typed = post_one(
        &client,
        json!({"document": doc, "label": date, "label_set": fixture.label_set,
               "span": [{"x0": 300, "x1": 400, "y0": 100, "y1": 120, "page_index": 0, "offset_string": "typed"}],
               "selection_bbox": {"x0": 300, "x1": 400, "y0": 100, "y1": 120, "page_index": 0}}),
    )
    .await;
    assert_eq!((typed["offset_string"].as_str(), typed["custom_offset_string"].as_bool()), (Some("typed"), Some(true)));
    assert_eq!(typed["span"][0]["start_offset"], Value::Null);
    assert_eq!(typed["selection_bbox"]["x1"].as_f64(), Some(400.0));

    // Lists and their filters.
    let all = client.get_all(&format!("{ANNOTATIONS}?document={doc}")).await;
    assert_eq!(all.len(), 6);
    assert!(all.iter().all(|a| a["start_offset"].is_null() && a["label"]["id"].is_i64()), "no top-level offsets");
    let by = |q: String| {
        let client = client.clone();
        async move { client.get_all(&format!("{ANNOTATIONS}?document={doc}&{q}")).await.len() }
    };
    assert_eq!(by(format!("label={total}")).await, 3);
    assert_eq!(by(format!("label_set={}", fixture.label_set)).await, 4);
    assert_eq!(by(format!("annotation_set={}", d["annotation_set"])).await, 2);
    assert_eq!(by("revised=true".into()).await, 1);
    assert_eq!(by("is_correct=true".into()).await, 1);
    let (status, body) = client.get(&format!("{ANNOTATIONS}?revised=maybe")).await;
    assert_field_error(status, &body, "revised");

    // Another user sees nothing and changes nothing.
    let stranger = server.user("stranger@example.com").await;
    let path = format!("{ANNOTATIONS}{}/", a["id"]);
    assert_eq!(stranger.get(&path).await.0, StatusCode::NOT_FOUND);
    assert_eq!(stranger.patch(&path, json!({"revised": true})).await.0, StatusCode::NOT_FOUND);
    assert_eq!(stranger.delete(&path).await.0, StatusCode::NOT_FOUND);
    assert_eq!(stranger.get_all(ANNOTATIONS).await.len(), 0);
    let (status, body) =
        stranger.post(ANNOTATIONS, json!({"document": doc, "label": total, "span": range(0, 7)})).await;
    assert_field_error(status, &body, "document");
    let (status, _) = stranger
        .patch(&format!("/api/v3/documents/{doc}/update-annotations/"), json!({"ids": [a["id"]], "revised": true}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(stranger.get_all(MISSING).await.len(), 0);
}

#[tokio::test]
async fn annotations_change_move_and_delete() {
    // The server lives as long as the binding (`..` would drop and stop it).
    let Setup { server: _server, client, fixture, doc, .. } = setup().await;
    let [total, date] = [fixture.labels[0], fixture.labels[1]];
    let s = offset("9,50");
    let a = post_one(&client, json!({"document": doc, "label": total, "span": range(s, s + 4)})).await;
    let path = format!("{ANNOTATIONS}{}/", a["id"]);
    let (status, got) = client.get(&path).await;
    assert_eq!((status, got["id"].clone()), (StatusCode::OK, a["id"].clone()));

    // Accept: revised_by is the reviewer; metadata is kept.
    let (status, accepted) = client
        .patch(&path, json!({"revised": true, "is_correct": true, "metadata": {"checkbox": {"is_checked": true}}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{accepted}");
    assert_eq!((accepted["revised"].as_bool(), accepted["revised_by"].as_str()), (Some(true), Some("ann@example.com")));
    assert_eq!(accepted["metadata"]["checkbox"]["is_checked"], true);

    // New spans (DVUI sends the span back with an edited text), a new label.
    let (status, moved) = client
        .patch(&path, json!({"label": date, "span": [{"start_offset": s, "end_offset": s + 4, "offset_string": "9.50", "is_custom": true}]}))
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!((moved["label"]["id"].as_i64(), moved["offset_string"].as_str()), (Some(date), Some("9.50")));
    assert_eq!(moved["custom_offset_string"], true);
    // Into the other label set (a new annotation set of the repeating set).
    let (status, moved) = client.patch(&path, json!({"label_set": fixture.label_set})).await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["label_set"]["id"], fixture.label_set);
    assert_ne!(moved["annotation_set"], a["annotation_set"]);
    // Moving onto a duplicate is refused.
    let b = post_one(&client, json!({"document": doc, "label": total, "span": range(0, 7)})).await;
    let (status, body) =
        client.patch(&format!("{ANNOTATIONS}{}/", b["id"]), json!({"label": date, "span": range(s, s + 4)})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["detail"], DUPLICATE);
    let (status, body) = client.patch(&path, json!({"document": doc + 1})).await;
    assert_field_error(status, &body, "document");

    // Two annotations created at once in a non-repeating label set share its single annotation set.
    let other = server_client(&client);
    let (x, y) = tokio::join!(
        client.post(
            ANNOTATIONS,
            json!({"document": doc, "label": total, "span": range(offset("Total"), offset("Total") + 5)})
        ),
        other.post(
            ANNOTATIONS,
            json!({"document": doc, "label": date, "span": range(offset("Invoice"), offset("Invoice") + 7)})
        ),
    );
    assert_eq!((x.0, y.0), (StatusCode::CREATED, StatusCode::CREATED), "{x:?} {y:?}");
    assert_eq!(x.1["annotation_set"], y.1["annotation_set"], "{x:?} {y:?}");

    // Two reviewers changing different fields at once: neither change is lost.
    let c = post_one(&client, json!({"document": doc, "label": date, "span": range(offset("EUR"), offset("EUR") + 3)}))
        .await;
    let c_path = format!("{ANNOTATIONS}{}/", c["id"]);
    let (first, second) = tokio::join!(
        client.patch(&c_path, json!({"revised": true, "is_correct": true})),
        other.patch(&c_path, json!({"metadata": {"checkbox": {"is_checked": false}}})),
    );
    assert_eq!((first.0, second.0), (StatusCode::OK, StatusCode::OK));
    let (_, both) = client.get(&c_path).await;
    assert_eq!(
        (both["revised"].as_bool(), both["metadata"]["checkbox"]["is_checked"].as_bool()),
        (Some(true), Some(false)),
        "{both}"
    );

    // The SDK's soft delete: a PATCH naming the annotation; it answers the same id, declined.
    let (status, soft) =
        client.patch(&path, json!({"annotation_id": a["id"], "is_correct": false, "revised": true})).await;
    assert_eq!(status, StatusCode::OK, "{soft}");
    assert_eq!(
        (soft["id"].clone(), soft["is_correct"].as_bool(), soft["revised"].as_bool()),
        (a["id"].clone(), Some(false), Some(true))
    );
    let (status, body) = client.patch(&path, json!({"annotation_id": 12345, "revised": true})).await;
    assert_field_error(status, &body, "annotation_id");

    // A human annotation is removed by DELETE; a write to it then is a 404.
    let (status, _) = client.delete(&path).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(client.get(&path).await.0, StatusCode::NOT_FOUND);
    assert_eq!(client.patch(&path, json!({"revised": true})).await.0, StatusCode::NOT_FOUND);
    assert_eq!(client.delete(&path).await.0, StatusCode::NOT_FOUND);
    assert_eq!(client.get("/api/v3/annotations/abc/").await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn suggestions_are_reviewed_until_the_document_can_be_marked_reviewed() {
    let Setup { server, client, fixture, doc, .. } = setup().await;
    let [total, date] = [fixture.labels[0], fixture.labels[1]];
    let suggest = |label: i64, start: usize, end: usize| server.suggest(doc, label, start, end);
    let s = offset("9,50");
    let first = suggest(total, s, s + 4);
    let second = suggest(date, offset("2024-001"), offset("2024-001") + 8);

    // The tree: the category's set exists, the repeating set is potential (id null); every label listed.
    let d = detail(&client, doc).await;
    let sets = d["annotation_sets"].as_array().unwrap();
    assert_eq!(sets.len(), 2, "{d}");
    assert!(sets[0]["id"].is_i64() && sets[1]["id"].is_null(), "{d}");
    assert_eq!(sets[1]["label_set"]["id"], fixture.label_set);
    assert_eq!(sets[1]["labels"].as_array().unwrap().len(), 2);
    let nested = &sets[0]["labels"][0]["annotations"][0];
    assert_eq!(keys(nested), NESTED_KEYS, "{nested}");
    assert_eq!(
        (nested["id"].as_i64(), nested["origin"].as_str(), nested["created_by"].clone()),
        (Some(first), Some("extraction"), Value::Null)
    );
    assert_eq!(
        (nested["confidence"].as_f64(), nested["revised"].as_bool(), nested["is_correct"].as_bool()),
        (Some(0.8), Some(false), Some(false))
    );
    assert_eq!(d["review_counts"], json!({"pending": 2, "accepted": 0, "declined": 0, "unfilled": 2, "missing": 0}));

    // Reviewing is refused while suggestions wait and labels are unfilled.
    let doc_path = format!("/api/v3/documents/{doc}/");
    let (status, body) = client.patch(&doc_path, json!({"is_reviewed": true})).await;
    assert_field_error(status, &body, "is_reviewed");

    // Accept one in bulk, decline the other by DELETE: it stays, declined, and is still in the tree.
    let (status, updated) = client
        .patch(
            &format!("/api/v3/documents/{doc}/update-annotations/"),
            json!({"ids": [first], "is_correct": true, "revised": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!((updated[0]["id"].as_i64(), updated[0]["revised"].as_bool()), (Some(first), Some(true)));
    let (status, body) = client
        .patch(&format!("/api/v3/documents/{doc}/update-annotations/"), json!({"ids": [999999], "revised": true}))
        .await;
    assert_field_error(status, &body, "ids");
    let second_path = format!("{ANNOTATIONS}{second}/");
    assert_eq!(client.delete(&second_path).await.0, StatusCode::NO_CONTENT);
    let (status, declined) = client.get(&second_path).await;
    assert_eq!(status, StatusCode::OK, "a declined suggestion is kept: {declined}");
    assert_eq!((declined["revised"].as_bool(), declined["is_correct"].as_bool()), (Some(true), Some(false)));
    let d = detail(&client, doc).await;
    assert_eq!(d["annotation_sets"][0]["labels"][1]["annotations"][0]["id"], second, "declined ones are listed");
    assert_eq!(d["review_counts"], json!({"pending": 0, "accepted": 1, "declined": 1, "unfilled": 3, "missing": 0}));
    let (status, body) = client.patch(&doc_path, json!({"is_reviewed": true})).await;
    assert_field_error(status, &body, "is_reviewed");

    // Mark every unfilled label as missing (one object, then a list), refusing duplicates and strays.
    let existing_set = d["annotation_sets"][0]["id"].clone();
    let (status, one) = client
        .post(
            MISSING,
            json!({"document": doc, "label": date, "label_set": fixture.category, "annotation_set": existing_set}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{one}");
    assert_eq!(keys(&one[0]), ["annotation_set", "document", "id", "label", "label_set"]);
    let (status, body) = client
        .post(
            MISSING,
            json!([{"document": doc, "label": date, "label_set": fixture.category, "annotation_set": existing_set}]),
        )
        .await;
    assert_field_error(status, &body, "label");
    let other = client
        .create("/api/v3/labels/", json!({"project": fixture.project, "name": "Other", "data_type": "Text"}))
        .await;
    let (status, body) =
        client.post(MISSING, json!({"document": doc, "label": other, "label_set": fixture.label_set})).await;
    assert_field_error(status, &body, "label");
    let (status, list) = client
        .post(
            MISSING,
            json!([{"document": doc, "label": total, "label_set": fixture.label_set, "annotation_set": null},
                              {"document": doc, "label": date, "label_set": fixture.label_set}]),
        )
        .await;
    assert_eq!((status, list.as_array().map(Vec::len)), (StatusCode::CREATED, Some(2)), "{list}");
    assert_eq!(client.get_all(&format!("{MISSING}?document={doc}")).await.len(), 3);
    let d = detail(&client, doc).await;
    assert_eq!(d["review_counts"], json!({"pending": 0, "accepted": 1, "declined": 1, "unfilled": 0, "missing": 3}));

    // Now the document can be marked reviewed; then its annotations are frozen until it is reopened.
    let (status, body) = client.patch(&doc_path, json!({"is_reviewed": true})).await;
    assert_eq!((status, body["is_reviewed"].as_bool()), (StatusCode::OK, Some(true)), "{body}");
    let (status, body) = client.post(ANNOTATIONS, json!({"document": doc, "label": total, "span": range(0, 7)})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("reviewed"), "{body}");
    assert_eq!(client.delete(&second_path).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(client.patch(&second_path, json!({"revised": true})).await.0, StatusCode::BAD_REQUEST);
    let missing_id = list[0]["id"].as_i64().unwrap();
    assert_eq!(client.delete(&format!("{MISSING}{missing_id}/")).await.0, StatusCode::BAD_REQUEST);
    let (status, _) = client.patch(&doc_path, json!({"is_reviewed": false})).await;
    assert_eq!(status, StatusCode::OK);

    // Restoring a missing label, and deleting a declined suggestion for good.
    assert_eq!(client.delete(&format!("{MISSING}{missing_id}/")).await.0, StatusCode::NO_CONTENT);
    assert_eq!(client.delete(&format!("{MISSING}{missing_id}/")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(client.delete(&second_path).await.0, StatusCode::NO_CONTENT);
    assert_eq!(client.get(&second_path).await.0, StatusCode::NOT_FOUND);
    let d = detail(&client, doc).await;
    assert_eq!(d["review_counts"], json!({"pending": 0, "accepted": 1, "declined": 0, "unfilled": 1, "missing": 2}));

    // The first annotation in the potential set creates it; labels marked missing there stay missing.
    let from = offset("Total");
    post_one(
        &client,
        json!({"document": doc, "label": total, "label_set": fixture.label_set, "span": range(from, from + 5)}),
    )
    .await;
    let d = detail(&client, doc).await;
    assert_eq!(d["review_counts"], json!({"pending": 0, "accepted": 2, "declined": 0, "unfilled": 0, "missing": 2}));
    assert!(d["annotation_sets"][1]["id"].is_i64(), "{d}");

    // A suggestion the AI makes for a label outside the category is refused by the CLI.
    let out = server.cli(&[
        "suggest",
        "--document",
        &doc.to_string(),
        "--label",
        &other.to_string(),
        "--start",
        "0",
        "--end",
        "7",
    ]);
    assert!(!out.status.success());
}

#[tokio::test]
async fn the_demo_project_opens_with_suggestions_to_review() {
    let server = Server::start().await;
    let out = server.cli(&["seed-demo"]);
    assert!(out.status.success(), "seed-demo: {}", String::from_utf8_lossy(&out.stderr));
    let mut demo = server.anonymous();
    let (status, body) =
        demo.post("/api/v3/auth/", json!({"username": "demo@lectern.local", "password": "lectern-demo"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    demo.token = Some(body["token"].as_str().unwrap().to_owned());
    let docs = demo.get_all("/api/v3/documents/").await;
    assert_eq!(docs.len(), 2);
    for doc in docs {
        assert_eq!(doc["status_data"], 2, "{doc}");
        let d = detail(&demo, doc["id"].as_i64().unwrap()).await;
        assert_eq!(d["review_counts"]["pending"], 3, "{d}");
        let suggestions = demo.get_all(&format!("{ANNOTATIONS}?document={}", doc["id"])).await;
        assert!(suggestions
            .iter()
            .all(|a| a["origin"] == "extraction" && a["created_by"].is_null() && a["confidence"].is_f64()));
    }
}

#[tokio::test]
async fn concurrent_writes_to_one_document_are_serialised() {
    let Setup { server: _server, client, fixture, doc, .. } = setup().await;
    let total = fixture.labels[0];
    let s = offset("9,50");

    // Eight reviewers label the same text at once: one annotation is made, the others hear why not.
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let c = server_client(&client);
            tokio::spawn(async move {
                c.post(ANNOTATIONS, json!({"document": doc, "label": total, "span": range(s, s + 4)})).await
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert!(matches!(status, StatusCode::CREATED | StatusCode::FORBIDDEN), "{status}: {body}");
        statuses.push(status);
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 1, "{statuses:?}");
    let listed = client.get_all(&format!("{ANNOTATIONS}?document={doc}")).await;
    assert_eq!(listed.len(), 1, "{listed:?}");

    // An accept racing a delete: whichever comes second sees the first one's result, and a write to the
    // removed annotation is a 404, never a lost or half-done write.
    for round in 0..5 {
        let a = post_one(&client, json!({"document": doc, "label": total, "span": range(0, 7)})).await;
        let path = format!("{ANNOTATIONS}{}/", a["id"]);
        let other = server_client(&client);
        let (accept, delete) =
            tokio::join!(client.patch(&path, json!({"revised": true, "is_correct": true})), other.delete(&path),);
        assert_eq!(delete.0, StatusCode::NO_CONTENT, "round {round}: {delete:?}");
        assert!(matches!(accept.0, StatusCode::OK | StatusCode::NOT_FOUND), "round {round}: {accept:?}");
        assert_eq!(client.get(&path).await.0, StatusCode::NOT_FOUND, "round {round}");
        assert_eq!(client.patch(&path, json!({"revised": true})).await.0, StatusCode::NOT_FOUND);
    }

    // Marking "not found" from two tabs at once records it once.
    let body = json!([{"document": doc, "label": fixture.labels[1], "label_set": fixture.category}]);
    let other = server_client(&client);
    let (x, y) = tokio::join!(client.post(MISSING, body.clone()), other.post(MISSING, body.clone()));
    let mut statuses = [x.0, y.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::CREATED, StatusCode::BAD_REQUEST], "{x:?} {y:?}");
    assert_eq!(client.get_all(&format!("{MISSING}?document={doc}")).await.len(), 1);
}

//! Postprocess (§15.1) and document sets (§16) over HTTP: splitting, turning and reordering pages of real PDFs,
//! checked against PDFs generated already turned, annotations following their pages, and every bad body refused
//! with a message.

use lectern_tests::pdf::{self, Page};
use lectern_tests::Api;
use lectern_tests::{assert_field_error, Client, Fixture, Server, StatusCode};
use serde_json::{json, Value};

const TEXTS: [&str; 3] = ["Invoice 2024-17 Total 9,50 EUR", "Delivery note 88 Parcel 2", "Payslip March Net 1.234,00"];

fn page(i: usize) -> Page {
    Page::a4().text(72.0, 760.0, 14.0, TEXTS[i]).text(72.0, 700.0, 10.0, &format!("Page {}", i + 1))
}

async fn upload(client: &Client, fixture: &Fixture, pages: Vec<Page>) -> Value {
    let category = fixture.category.to_string();
    client
        .upload_ok(fixture.project, "bundle.pdf", pdf::document(&pages), &[("sync", "True"), ("category", &category)])
        .await
}

fn page_ids(doc: &Value) -> Vec<i64> {
    doc["pages"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect()
}

fn postprocess_path(doc: i64) -> String {
    format!("/api/v3/documents/{doc}/postprocess/")
}

/// The text and character boxes of a processed document, as the SDK reads them.
async fn text_and_boxes(client: &Client, doc: i64) -> (String, Value) {
    let detail = client.wait_done(doc).await;
    let (status, bbox) = client.get(&format!("/api/v3/documents/{doc}/bbox/")).await;
    assert_eq!(status, StatusCode::OK, "{bbox}");
    (detail["text"].as_str().unwrap().to_owned(), bbox["bbox"].clone())
}

#[tokio::test]
async fn a_bundle_is_split_turned_and_reordered() {
    let server = Server::start().await;
    let client = server.user("editor@example.com").await;
    let fixture = client.fixture("Postprocess").await;
    let original = pdf::document(&[page(0), page(1), page(2)]);
    let category = fixture.category.to_string();
    let doc = client
        .upload_ok(fixture.project, "bundle.pdf", original.clone(), &[("sync", "True"), ("category", &category)])
        .await;
    let id = doc["id"].as_i64().unwrap();
    let set = doc["document_set"].as_i64().unwrap();
    let [p1, p2, p3] = page_ids(&doc)[..] else { panic!("three pages: {doc}") };
    let (status, a) = client
        .post(
            "/api/v3/annotations/",
            json!({"document": id, "label": fixture.labels[0], "span": [{"start_offset": 0, "end_offset": 7}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{a}");

    // Two documents: the first page alone, then the third page turned right before the second.
    let (status, result) = client
        .post(
            &postprocess_path(id),
            json!([{"name": "invoice.pdf", "category": fixture.category, "pages": [{"id": p1, "angle": 0, "number": 1}]},
                   {"name": "rest.pdf", "category": null,
                    "pages": [{"id": p3, "angle": 90, "thumbnail_url": "/x"}, {"id": p2, "angle": 0}]}]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{result}");
    let result = result.as_array().unwrap();
    assert_eq!(result.len(), 2);
    assert_eq!(result[0]["id"], id, "the first output is the source document");
    let rest = result[1]["id"].as_i64().unwrap();
    assert_ne!(rest, id);
    assert_eq!((result[0]["document_set"].as_i64(), result[1]["document_set"].as_i64()), (Some(set), Some(set)));

    let first = client.wait_done(id).await;
    assert_eq!((first["data_file_name"].as_str(), first["number_of_pages"].as_i64()), (Some("invoice.pdf"), Some(1)));
    assert_eq!(first["text"], format!("{}\nPage 1", TEXTS[0]));
    assert_eq!(first["split_is_revised"], true);
    assert_eq!(first["category"], fixture.category);
    let (status, kept) = client.get(&format!("/api/v3/annotations/{}/", a["id"])).await;
    assert_eq!((status, &kept["document"], &kept["offset_string"]), (StatusCode::OK, &json!(id), &a["offset_string"]));

    // The turned page reads exactly like a PDF made turned; the second keeps its text.
    let (text, boxes) = text_and_boxes(&client, rest).await;
    let reference = upload(&client, &fixture, vec![page(2).rotate(90), page(1)]).await;
    let (expected_text, expected_boxes) = text_and_boxes(&client, reference["id"].as_i64().unwrap()).await;
    assert_eq!(text, expected_text);
    assert!(text.ends_with(&format!("{}\nPage 2", TEXTS[1])), "{text}");
    assert_eq!(boxes, expected_boxes);
    let rest_detail = client.wait_done(rest).await;
    let size = &rest_detail["pages"][0]["original_size"];
    assert!(size[0].as_f64() > size[1].as_f64(), "a portrait page turned right is landscape: {size}");
    assert_eq!(rest_detail["data_file_name"], "rest.pdf");

    // The set: the upload's file and page count, the documents newest first, with dotted fields.
    let (status, body) = client
        .get(&format!(
            "/api/v3/document-sets/{set}/?expand=documents&fields=documents.id,documents.data_file_name,documents.category"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["documents"],
        json!([{"id": rest, "data_file_name": "rest.pdf", "category": null},
               {"id": id, "data_file_name": "invoice.pdf", "category": fixture.category}])
    );
    let (_, whole) = client.get(&format!("/api/v3/document-sets/{set}/")).await;
    assert_eq!(whole["original_number_of_pages"], 3, "{whole}");
    let file = client.get_raw(whole["original_file_url"].as_str().unwrap()).await;
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.bytes().await.unwrap().to_vec(), original, "the upload itself");

    // Another user sees neither the set nor its file.
    let other = server.user("stranger@example.com").await;
    assert_eq!(other.get(&format!("/api/v3/document-sets/{set}/")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(other.get_raw(&format!("/doc/show-document-set-original/{set}/")).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        other.post(&postprocess_path(id), json!([{"pages": [{"id": page_ids(&first)[0]}]}])).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_page_turned_upside_down_reads_like_one_made_so() {
    let server = Server::start().await;
    let client = server.user("editor@example.com").await;
    let fixture = client.fixture("Turn").await;
    let doc = upload(&client, &fixture, vec![page(0)]).await;
    let id = doc["id"].as_i64().unwrap();
    let (status, result) =
        client.post(&postprocess_path(id), json!([{"pages": [{"id": page_ids(&doc)[0], "angle": -180}]}])).await;
    assert_eq!(status, StatusCode::OK, "{result}");
    assert_eq!(result[0]["id"], id);
    assert_eq!(result[0]["data_file_name"], "bundle.pdf", "the name is kept when none is sent");
    let turned = text_and_boxes(&client, id).await;
    let reference = upload(&client, &fixture, vec![page(0).rotate(180)]).await;
    assert_eq!(turned, text_and_boxes(&client, reference["id"].as_i64().unwrap()).await);
}

#[tokio::test]
async fn bad_bodies_are_refused_with_what_is_wrong() {
    let server = Server::start().await;
    let client = server.user("editor@example.com").await;
    let fixture = client.fixture("Bad").await;
    let doc = upload(&client, &fixture, vec![page(0), page(1)]).await;
    let other_doc = upload(&client, &fixture, vec![page(2)]).await;
    let id = doc["id"].as_i64().unwrap();
    let [p1, p2] = page_ids(&doc)[..] else { panic!() };
    let foreign = page_ids(&other_doc)[0];
    let path = postprocess_path(id);
    let refused = |body: Value| {
        let client = client.clone();
        let path = path.clone();
        async move { client.post(&path, body).await }
    };

    let (status, body) = refused(json!({"pages": [{"id": p1}]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = refused(json!([])).await;
    assert_eq!(
        (status, body["detail"].as_str()),
        (StatusCode::BAD_REQUEST, Some("Send at least one output document."))
    );
    for (body, field, says) in [
        (json!([{"pages": [{"id": p1}, {"id": p1}, {"id": p2}]}]), "pages", "used twice"),
        (json!([{"pages": [{"id": p1}]}]), "pages", "in no output document"),
        (json!([{"pages": [{"id": p1}, {"id": p2}, {"id": 999_999}]}]), "pages", "not a page of document"),
        (json!([{"pages": [{"id": p1}, {"id": p2}, {"id": foreign}]}]), "pages", "not a page of document"),
        (json!([{"pages": [{"id": p1, "angle": 45}, {"id": p2}]}]), "angle", "not a multiple of 90"),
        (json!([{"pages": [{"id": p1}]}, {"pages": []}]), "pages", "has no pages"),
        (json!([{"name": "", "pages": [{"id": p1}, {"id": p2}]}]), "name", ""),
        (json!([{"category": 999_999, "pages": [{"id": p1}, {"id": p2}]}]), "category", ""),
    ] {
        let (status, answer) = refused(body.clone()).await;
        assert_field_error(status, &answer, field);
        assert!(answer[field][0].as_str().unwrap().contains(says), "{body}: {answer}");
    }
    let (status, body) = refused(json!([{"pages": [{"id": p1, "angle": "ninety"}, {"id": p2}]}])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    // Nothing was changed by the refusals; a reviewed document is refused too.
    let (_, after) = client.get(&format!("/api/v3/documents/{id}/")).await;
    assert_eq!((after["status_data"].as_i64(), page_ids(&after)), (Some(2), vec![p1, p2]));
    let other_id = other_doc["id"].as_i64().unwrap();
    let missing: Vec<Value> = [fixture.category, fixture.label_set]
        .iter()
        .flat_map(|set| fixture.labels.iter().map(move |l| json!({"document": other_id, "label": l, "label_set": set})))
        .collect();
    let (status, body) = client.post("/api/v3/missing-annotations/", json!(missing)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) =
        client.patch(&format!("/api/v3/documents/{}/", other_doc["id"]), json!({"is_reviewed": true})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) =
        client.post(&postprocess_path(other_doc["id"].as_i64().unwrap()), json!([{"pages": [{"id": foreign}]}])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("reviewed"), "{body}");
}

#[tokio::test]
async fn a_scan_is_turned_with_its_recognised_text() {
    let server = Server::start().await;
    let client = server.user("editor@example.com").await;
    let fixture = client.fixture("Scans").await;
    let rendered = upload(&client, &fixture, vec![page(0)]).await;
    let png = client.get_raw(rendered["pages"][0]["image_url"].as_str().unwrap()).await.bytes().await.unwrap().to_vec();
    let scan = client.upload_ok(fixture.project, "scan.png", png, &[("sync", "True")]).await;
    let id = scan["id"].as_i64().unwrap();
    let words = |doc: &Value| doc["text"].as_str().unwrap().split_whitespace().map(str::to_owned).collect::<Vec<_>>();
    assert!(words(&scan).contains(&"Invoice".to_owned()), "{}", scan["text"]);

    let (status, result) =
        client.post(&postprocess_path(id), json!([{"pages": [{"id": page_ids(&scan)[0], "angle": 270}]}])).await;
    assert_eq!(status, StatusCode::OK, "{result}");
    let turned = client.wait_done(id).await;
    assert_eq!(words(&turned), words(&scan), "the recognised text is kept, not recognised again");
    let size = &turned["pages"][0]["original_size"];
    assert!(size[0].as_f64() > size[1].as_f64(), "landscape after a quarter turn: {size}");
    let original = client.get_raw(&format!("/doc/show-original/{id}/")).await;
    assert_eq!(original.headers()["content-type"], "application/pdf");
}

/// The `[start, end)` character offsets of the first `needle` in `text`.
fn offsets_of(text: &str, needle: &str) -> (usize, usize) {
    let start = text[..text.find(needle).unwrap_or_else(|| panic!("{needle:?} in {text:?}"))].chars().count();
    (start, start + needle.chars().count())
}

#[tokio::test]
async fn annotations_follow_their_pages_with_their_state() {
    let server = Server::start().await;
    let client = server.user("editor@example.com").await;
    let fixture = client.fixture("Postprocess").await;
    let doc = upload(&client, &fixture, vec![page(0), page(1), page(2)]).await;
    let id = doc["id"].as_i64().unwrap();
    let [p1, p2, p3] = page_ids(&doc)[..] else { panic!("three pages: {doc}") };
    let text = doc["text"].as_str().unwrap().to_owned();
    let (total, date) = (fixture.labels[0], fixture.labels[1]);
    let span = |needle: &str| {
        let (start, end) = offsets_of(&text, needle);
        json!({"start_offset": start, "end_offset": end})
    };
    let create = |spans: Value| {
        let client = &client;
        async move {
            let (status, a) =
                client.post("/api/v3/annotations/", json!({"document": id, "label": total, "span": spans})).await;
            assert_eq!(status, StatusCode::CREATED, "{a}");
            a["id"].as_i64().unwrap()
        }
    };
    let review = |a: i64, accept: bool| {
        let client = &client;
        async move {
            let path = format!("/api/v3/annotations/{a}/");
            let (status, body) = client.patch(&path, json!({"revised": true, "is_correct": accept})).await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
    };
    let accepted = create(json!([span("9,50")])).await;
    review(accepted, true).await;
    let (s, e) = offsets_of(&text, "88");
    let declined = server.suggest(id, date, s, e);
    review(declined, false).await;
    let (s, e) = offsets_of(&text, "1.234,00");
    let suggested = server.suggest(id, total, s, e);
    let across = create(json!([span("EUR"), span("Parcel")])).await;
    let annotation = |a: i64| {
        let client = &client;
        async move { client.get(&format!("/api/v3/annotations/{a}/")).await }
    };
    let before = annotation(accepted).await.1;

    // Page 1 turned right alone, pages 2 and 3 together: the annotation over pages 1 and 2 cannot follow.
    let parts =
        json!([{"pages": [{"id": p1, "angle": 90}]}, {"pages": [{"id": p2, "angle": 0}, {"id": p3, "angle": 0}]}]);
    let (status, body) = client.post(&postprocess_path(id), parts.clone()).await;
    assert_field_error(status, &body, "annotations");
    let message = body["annotations"][0].as_str().unwrap();
    assert!(message.starts_with(&format!("Annotation {across} (Total: \"EUR\nParcel\")")), "{message}");
    assert_eq!(body["annotations"].as_array().unwrap().len(), 1);
    assert_eq!(annotation(accepted).await.1, before, "nothing changed");
    assert_eq!(page_ids(&client.wait_done(id).await), [p1, p2, p3]);

    let (status, body) = client.post(&format!("{}?drop_annotations=true", postprocess_path(id)), parts).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rest = body[1]["id"].as_i64().unwrap();
    assert_eq!(annotation(across).await.0, StatusCode::NOT_FOUND);

    // Each annotation is on the document and page that hold its text now, over that text, in its state.
    let first = client.wait_done(id).await;
    let second = client.wait_done(rest).await;
    let (_, boxes) = text_and_boxes(&client, id).await;
    for (a, doc, page, string, state) in [
        (accepted, &first, 0, "9,50", (true, true, false)),
        (declined, &second, 0, "88", (false, true, true)),
        (suggested, &second, 1, "1.234,00", (false, false, true)),
    ] {
        let (status, body) = annotation(a).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["document"], doc["id"], "{body}");
        assert_eq!(body["offset_string"], string, "{body}");
        let (start, end) = offsets_of(doc["text"].as_str().unwrap(), string);
        assert_eq!(
            (body["span"][0]["start_offset"].as_u64(), body["span"][0]["end_offset"].as_u64()),
            (Some(start as u64), Some(end as u64)),
            "{body}"
        );
        assert_eq!(body["span"][0]["page_index"], page, "{body}");
        let got =
            (body["is_correct"].as_bool().unwrap(), body["revised"].as_bool().unwrap(), body["created_by"].is_null());
        assert_eq!(got, state, "{body}");
    }
    // The accepted one's box is turned with its page: it holds its characters as the turned page reads them.
    let (_, body) = annotation(accepted).await;
    let (start, end) = offsets_of(first["text"].as_str().unwrap(), "9,50");
    let span = &body["span"][0];
    let size = &first["pages"][0]["original_size"];
    assert!(size[0].as_f64() > size[1].as_f64(), "landscape: {size}");
    for offset in start..end {
        let c = &boxes[offset.to_string()];
        for (low, high) in [("x0", "x1"), ("y0", "y1")] {
            assert!(span[low].as_f64() <= c[low].as_f64() && c[high].as_f64() <= span[high].as_f64(), "{span} {c}");
        }
    }
    let was = &before["span"][0];
    let width = 595.0;
    assert!((span["x0"].as_f64().unwrap() - was["y0"].as_f64().unwrap()).abs() < 0.01, "{span} {was}");
    assert!((span["y1"].as_f64().unwrap() - (width - was["x0"].as_f64().unwrap())).abs() < 0.01, "{span} {was}");
}

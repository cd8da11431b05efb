//! The review dashboard's (document-validation-ui) own requests (§23) with its exact bodies and headers, same-origin
//! and cross-origin behind the preflights a browser sends; CORS grants only to configured origins; DRF-style
//! input (string ids and booleans, form-encoded and multipart bodies) and the 400s of bad values.

use std::time::{Duration, Instant};

use lectern_tests::pdf::{self, Page};
use lectern_tests::{assert_field_error, keys, Api, Client, Fixture, Server, StatusCode};
use reqwest::header::{self, HeaderMap};
use reqwest::Method;
use serde_json::{json, Value};

/// The origin the dashboard is served from in the cross-origin runs, configured on the server.
const ORIGIN: &str = "https://review.example";
const ANNOTATIONS: &str = "/api/v3/annotations/";
const MISSING: &str = "/api/v3/missing-annotations/";

fn invoice_pdf() -> Vec<u8> {
    pdf::document(&[Page::a4()
        .text(72.0, 760.0, 14.0, "Invoice 2024-001")
        .text(72.0, 730.0, 12.0, "Total: 9,50 EUR")
        .text(72.0, 700.0, 12.0, "Customer: Anna Berg")
        .text(72.0, 670.0, 12.0, "Date: 03.12.2026")])
}

/// A server allowing `ORIGIN`, a user, the fixture schema and the invoice uploaded and processed.
async fn setup(env: &[(&str, &str)]) -> (Server, Client, Fixture, Value) {
    let server = Server::start_env(env).await;
    let client = server.user("dvui@example.com").await;
    let fixture = client.fixture("Dashboard").await;
    let category = fixture.category.to_string();
    let doc = client
        .upload_ok(fixture.project, "invoice.pdf", invoice_pdf(), &[("sync", "True"), ("category", &category)])
        .await;
    assert_eq!(doc["status_data"], 2, "{doc}");
    (server, client, fixture, doc)
}

/// The character offset of `needle` in the document text.
fn offset(text: &str, needle: &str) -> usize {
    text[..text.find(needle).unwrap_or_else(|| panic!("{needle} not in {text}"))].chars().count()
}

fn header(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The dashboard in a browser: axios with `Authorization: Token …`, `Accept-Language` and JSON bodies; from
/// another origin (`cross`), every call is preceded by the preflight the browser sends (those headers are not
/// safelisted) and carries `Origin`; from the same origin only writes carry it, as in Chromium.
struct Dashboard {
    client: Client,
    origin: String,
    cross: bool,
}

impl Dashboard {
    fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.client.base)
        }
    }

    /// The browser's preflight for `method` on `path`; asserts the grant the call needs.
    async fn preflight(&self, origin: &str, method: &Method, path: &str, json: bool) {
        let mut requested = vec!["accept-language", "authorization"];
        if json {
            requested.push("content-type");
        }
        let resp = self
            .client
            .http
            .request(Method::OPTIONS, self.url(path))
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, method.as_str())
            .header(header::ACCESS_CONTROL_REQUEST_HEADERS, requested.join(","))
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "preflight of {method} {path}: {}", resp.status());
        let h = resp.headers();
        assert_eq!(header(h, header::ACCESS_CONTROL_ALLOW_ORIGIN), Some(origin), "{method} {path}: {h:?}");
        let methods = header(h, header::ACCESS_CONTROL_ALLOW_METHODS).unwrap_or("");
        assert!(methods.split(',').any(|m| m.trim() == method.as_str()), "{method} {path}: {methods}");
        let allowed = header(h, header::ACCESS_CONTROL_ALLOW_HEADERS).unwrap_or("").to_ascii_lowercase();
        let allowed: Vec<&str> = allowed.split(',').map(str::trim).collect();
        for name in requested.iter().chain(&["x-csrftoken"]) {
            assert!(allowed.contains(name), "{name} not allowed for {method} {path}: {allowed:?}");
        }
    }

    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> reqwest::Response {
        if self.cross {
            self.preflight(&self.origin, &method, path, body.is_some()).await;
        }
        let mut req = self
            .client
            .request(method.clone(), &self.url(path))
            .header(header::ACCEPT, "application/json, text/plain, */*")
            .header(header::ACCEPT_LANGUAGE, "en-en");
        if self.cross || !matches!(method, Method::GET | Method::HEAD) {
            req = req.header(header::ORIGIN, &self.origin);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.unwrap();
        let granted = header(resp.headers(), header::ACCESS_CONTROL_ALLOW_ORIGIN);
        if self.cross {
            assert_eq!(granted, Some(self.origin.as_str()), "{method} {path}: the browser would hide the answer");
        } else {
            assert_eq!(granted, None, "{method} {path}: same-origin needs no grant");
        }
        resp
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let resp = self.send(method, path, body).await;
        let status = resp.status();
        let text = resp.text().await.unwrap();
        (status, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) })
    }

    /// A call that must answer `expected`; returns the body.
    async fn ok(&self, method: Method, path: &str, body: Option<Value>, expected: StatusCode) -> Value {
        let (status, answer) = self.call(method.clone(), path, body.clone()).await;
        assert_eq!(status, expected, "{method} {path} {body:?}: {answer}");
        answer
    }

    async fn get(&self, path: &str) -> Value {
        self.ok(Method::GET, path, None, StatusCode::OK).await
    }

    /// A file or an image: status and content type.
    async fn file(&self, path: &str) -> (StatusCode, String) {
        let resp = self.send(Method::GET, path, None).await;
        (resp.status(), header(resp.headers(), header::CONTENT_TYPE).unwrap_or("").to_owned())
    }

    /// Step 6 of "Open document": polls `fields=status_data,labeling_available` back-to-back until ready.
    async fn poll_until_ready(&self, id: i64) -> Value {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let status = self.get(&format!("/api/v3/documents/{id}/?fields=status_data,labeling_available")).await;
            assert_eq!(keys(&status), ["labeling_available", "status_data"], "{status}");
            assert_ne!(status["status_data"], 111, "processing failed");
            if status["status_data"] == 2 || status["status_data"] == 41 {
                return status;
            }
            assert!(Instant::now() < deadline, "document {id} not ready: {status}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// The span objects DVUI keeps and sends back: the server's spans with its client-only `is_custom`.
fn dvui_spans(spans: &Value, edit: Option<&str>) -> Value {
    let mut spans = spans.clone();
    for span in spans.as_array_mut().unwrap() {
        span["is_custom"] = json!(edit.is_some());
        if let Some(text) = edit {
            span["offset_string"] = json!(text);
        }
    }
    spans
}

/// The annotation of `id` in the document's `annotation_sets` tree, as DVUI holds it.
fn in_tree(detail: &Value, id: i64) -> Value {
    let sets = detail["annotation_sets"].as_array().unwrap();
    let labels = sets.iter().flat_map(|s| s["labels"].as_array().unwrap());
    let annotations = labels.flat_map(|l| l["annotations"].as_array().unwrap());
    annotations.clone().find(|a| a["id"] == id).cloned().unwrap_or_else(|| panic!("{id} not in the tree"))
}

/// The annotation object DVUI inserts into its tree after a write: label and label set as objects with `id`,
/// `annotation_set` an id.
fn assert_annotation(a: &Value, label: i64) {
    assert!(a["id"].is_i64(), "{a}");
    assert_eq!(a["label"]["id"], label, "{a}");
    assert!(a["label_set"]["id"].is_i64() && a["annotation_set"].is_i64(), "{a}");
    assert!(a["span"].is_array(), "{a}");
}

/// One full-mode review session of §23 in the dashboard's order, with its bodies.
async fn review_session(cross_origin: bool) {
    let (server, client, fixture, doc) = setup(&[("LECTERN_CORS_ORIGINS", ORIGIN)]).await;
    let origin = if cross_origin { ORIGIN.to_owned() } else { server.base.clone() };
    let dvui = Dashboard { client, origin, cross: cross_origin };
    let [total, date] = [fixture.labels[0], fixture.labels[1]];
    let id = doc["id"].as_i64().unwrap();
    // DVUI takes the id from its URL: a string in every body.
    let doc_id = id.to_string();
    let text = doc["text"].as_str().unwrap().to_owned();
    let doc_path = format!("/api/v3/documents/{id}/");

    // Open document: detail, the first page, its image and thumbnail, then the side calls.
    let detail = dvui.get(&doc_path).await;
    assert!(detail["annotation_sets"].is_array() && detail["pages"].is_array(), "{detail}");
    let page = &detail["pages"][0];
    let page_detail = dvui.get(&format!("/api/v3/documents/{id}/pages/1/")).await;
    assert!(!page_detail["entities"].as_array().unwrap().is_empty(), "{page_detail}");
    for url in [&page["image_url"], &page["thumbnail_url"]] {
        let (status, kind) = dvui.file(&format!("{}?1733230000", url.as_str().unwrap())).await;
        assert_eq!((status, kind.as_str()), (StatusCode::OK, "image/png"), "{url}");
    }
    let missing = dvui.get(&format!("{MISSING}?document={id}&limit=100")).await;
    assert_eq!(missing["count"], 0, "{missing}");
    assert_eq!(dvui.get("/api/v3/auth/me/").await["username"], "dvui@example.com");
    let categories = dvui.get(&format!("/api/v3/categories/?project={}&limit=100", fixture.project)).await;
    assert_eq!(categories["results"][0]["id"], fixture.category);
    if let Some(set) = detail["document_set"].as_i64() {
        let set = dvui
            .get(&format!(
                "/api/v3/document-sets/{set}/?expand=documents&fields=documents.id,documents.data_file_name,documents.category"
            ))
            .await;
        assert_eq!(keys(&set["documents"][0]), ["category", "data_file_name", "id"], "{set}");
    }
    let others = dvui
        .get(&format!("/api/v3/documents/?project={}&is_reviewed=false&fields=id&limit=100", fixture.project))
        .await;
    assert_eq!(others["results"], json!([{"id": id}]));
    let ready = dvui.poll_until_ready(id).await;
    assert_eq!(ready, json!({"status_data": 2, "labeling_available": 1}));

    // Accept a suggestion with its current spans (and DVUI's `is_custom`).
    let s = offset(&text, "9,50");
    let suggestion = server.suggest(id, total, s, s + 4);
    let detail = dvui.get(&doc_path).await;
    let spans = dvui_spans(&in_tree(&detail, suggestion)["span"], None);
    for key in ["top", "bottom", "line_number", "line_index", "offset_string_original"] {
        assert!(spans[0].get(key).is_some(), "DVUI sends back {key}: {spans}");
    }
    let accepted = dvui
        .ok(
            Method::PATCH,
            &format!("{ANNOTATIONS}{suggestion}/"),
            Some(json!({"is_correct": true, "revised": true, "span": spans})),
            StatusCode::OK,
        )
        .await;
    assert_annotation(&accepted, total);
    assert_eq!((accepted["is_correct"].as_bool(), accepted["revised"].as_bool()), (Some(true), Some(true)));

    // Accept all pending in a set: a list back.
    let d = offset(&text, "03.12.2026");
    let pending = [server.suggest(id, date, d, d + 10), server.suggest(id, total, offset(&text, "EUR"), s + 8)];
    let listed = dvui
        .ok(
            Method::PATCH,
            &format!("/api/v3/documents/{id}/update-annotations/"),
            Some(json!({"ids": pending, "is_correct": true, "revised": true})),
            StatusCode::OK,
        )
        .await;
    let listed = listed.as_array().unwrap_or_else(|| panic!("a list: {listed}"));
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|a| a["revised"] == true && a["label"]["id"].is_i64()), "{listed:?}");

    // Decline: DELETE, 204.
    let declined = server.suggest(id, date, offset(&text, "2024-001"), offset(&text, "2024-001") + 8);
    dvui.ok(Method::DELETE, &format!("{ANNOTATIONS}{declined}/"), None, StatusCode::NO_CONTENT).await;

    // Create from a drawn box: the words inside go to `bbox`, its line spans into the new annotation of the
    // potential "Positions" set (`label_set`, no `annotation_set`), with the drawn rectangle.
    let entities = page_detail["entities"].as_array().unwrap();
    let words: Vec<&Value> =
        entities.iter().filter(|e| ["Anna", "Berg"].contains(&e["offset_string"].as_str().unwrap())).collect();
    assert_eq!(words.len(), 2, "{entities:?}");
    let found = dvui
        .ok(Method::POST, &format!("/api/v3/documents/{id}/bbox/"), Some(json!({"span": words})), StatusCode::OK)
        .await;
    assert_eq!(found["span"][0]["offset_string"], "Anna Berg", "{found}");
    let drawn = json!({"x0": 60.0, "x1": 250.0, "y0": 690.0, "y1": 715.0, "page_index": 0});
    let potential = detail["annotation_sets"].as_array().unwrap().iter().find(|s| s["id"].is_null()).cloned().unwrap();
    let created = dvui
        .ok(
            Method::POST,
            ANNOTATIONS,
            Some(json!({"document": doc_id, "span": dvui_spans(&found["span"], None), "label": total,
                "is_correct": true, "revised": false, "selection_bbox": drawn,
                "label_set": potential["label_set"]["id"]})),
            StatusCode::CREATED,
        )
        .await;
    assert_annotation(&created, total);
    assert_eq!(created["label_set"]["id"], fixture.label_set);
    assert_eq!(created["offset_string"], "Anna Berg");
    dvui.get(&format!("{MISSING}?document={id}&limit=100")).await;
    // The set is new, so DVUI reloads the document: it is in the tree now.
    let detail = dvui.get(&doc_path).await;
    assert_eq!(in_tree(&detail, created["id"].as_i64().unwrap())["offset_string"], "Anna Berg");
    let new_set = created["annotation_set"].as_i64().unwrap();

    // Mark the set's empty label missing (a list of one entry, string document id), then undo it.
    let marked = dvui
        .ok(
            Method::POST,
            MISSING,
            Some(
                json!([{"document": doc_id, "label": date, "label_set": fixture.label_set, "annotation_set": new_set}]),
            ),
            StatusCode::CREATED,
        )
        .await;
    assert_eq!(keys(&marked[0]), ["annotation_set", "document", "id", "label", "label_set"], "{marked}");
    assert_eq!(marked[0]["annotation_set"], new_set);
    dvui.ok(Method::DELETE, &format!("{MISSING}{}/", marked[0]["id"]), None, StatusCode::NO_CONTENT).await;

    // Filling an empty label row of an existing set: the last bbox spans, `annotation_set`, no `selection_bbox`.
    let word = entities.iter().find(|e| e["offset_string"] == "Customer:").unwrap();
    let found = dvui
        .ok(Method::POST, &format!("/api/v3/documents/{id}/bbox/"), Some(json!({"span": [word]})), StatusCode::OK)
        .await;
    let filled = dvui
        .ok(
            Method::POST,
            ANNOTATIONS,
            Some(json!({"document": doc_id, "span": dvui_spans(&found["span"], None), "label": date,
                "is_correct": true, "revised": false, "annotation_set": new_set})),
            StatusCode::CREATED,
        )
        .await;
    assert_annotation(&filled, date);
    assert_eq!(filled["annotation_set"], new_set);

    // Edit its text: the spans again with the edited `offset_string`.
    let edited = dvui
        .ok(
            Method::PATCH,
            &format!("{ANNOTATIONS}{}/", filled["id"]),
            Some(json!({"is_correct": true, "revised": true, "span": dvui_spans(&filled["span"], Some("Customer"))})),
            StatusCode::OK,
        )
        .await;
    assert_eq!(
        (edited["offset_string"].as_str(), edited["custom_offset_string"].as_bool()),
        (Some("Customer"), Some(true))
    );

    // Checkbox metadata; the table tool's label set, label change and delete.
    let checked = dvui
        .ok(
            Method::PATCH,
            &format!("{ANNOTATIONS}{}/", filled["id"]),
            Some(json!({"metadata": {"checkbox": {"is_checked": true}}})),
            StatusCode::OK,
        )
        .await;
    assert_eq!(checked["metadata"]["checkbox"]["is_checked"], true);
    assert_eq!(dvui.get(&format!("/api/v3/label-sets/{}/", fixture.label_set)).await["id"], fixture.label_set);
    let filled_path = format!("{ANNOTATIONS}{}/", filled["id"]);
    let relabelled = dvui.ok(Method::PATCH, &filled_path, Some(json!({"label": total})), StatusCode::OK).await;
    assert_eq!(relabelled["label"]["id"], total);
    dvui.ok(Method::DELETE, &filled_path, None, StatusCode::NO_CONTENT).await;

    // Search.
    let hits = dvui
        .ok(Method::POST, &format!("/api/v3/documents/{id}/search/"), Some(json!({"q": "EUR"})), StatusCode::OK)
        .await;
    assert_eq!(hits["span"][0]["offset_string"], "EUR", "{hits}");

    // Change the category, rename, rename and categorize: the full document back each time, then the poll.
    let changed = dvui.ok(Method::PATCH, &doc_path, Some(json!({"category": fixture.category})), StatusCode::OK).await;
    assert!(changed["annotation_sets"].is_array(), "{changed}");
    dvui.poll_until_ready(id).await;
    let renamed =
        dvui.ok(Method::PATCH, &doc_path, Some(json!({"data_file_name": "renamed.pdf"})), StatusCode::OK).await;
    assert_eq!(renamed["data_file_name"], "renamed.pdf");
    let body = json!({"category": fixture.category, "category_is_revised": true, "data_file_name": "invoice-1.pdf"});
    let revised = dvui.ok(Method::PATCH, &doc_path, Some(body), StatusCode::OK).await;
    assert_eq!(
        (revised["category_is_revised"].as_bool(), revised["data_file_name"].as_str()),
        (Some(true), Some("invoice-1.pdf"))
    );

    // Mark reviewed: refused with `is_reviewed` messages while a label is open (DVUI shows them).
    let (status, refused) = dvui.call(Method::PATCH, &doc_path, Some(json!({"is_reviewed": true}))).await;
    assert_field_error(status, &refused, "is_reviewed");

    // Downloads.
    for path in [format!("/doc/show/{id}/"), format!("/doc/show-original/{id}/")] {
        let (status, kind) = dvui.file(&path).await;
        assert_eq!((status, kind.as_str()), (StatusCode::OK, "application/pdf"), "{path}");
    }

    // Confirm a rotation in edit mode: DVUI's page objects with all their keys; then poll and re-open.
    let page = &revised["pages"][0];
    let body = json!([{"name": "invoice-1.pdf", "category": fixture.category, "pages": [{"id": page["id"], "angle": 90,
        "number": 1, "thumbnail_url": page["thumbnail_url"], "image_url": page["image_url"], "size": page["size"],
        "updated_at": revised["updated_at"]}]}]);
    let result =
        dvui.ok(Method::POST, &format!("/api/v3/documents/{id}/postprocess/"), Some(body), StatusCode::OK).await;
    let new_id = result[0]["id"].as_i64().unwrap_or_else(|| panic!("{result}"));
    assert_eq!(dvui.poll_until_ready(new_id).await["status_data"], 2);
    dvui.get(&format!("/api/v3/documents/{new_id}/")).await;
}

#[tokio::test]
async fn the_dashboard_reviews_from_the_same_origin() {
    review_session(false).await;
}

#[tokio::test]
async fn the_dashboard_reviews_from_another_origin() {
    review_session(true).await;
}

/// The CORS answer headers of a preflight from `origin`.
async fn preflight(client: &Client, origin: &str, path: &str) -> (StatusCode, HeaderMap) {
    let resp = client
        .http
        .request(Method::OPTIONS, format!("{}{path}", client.base))
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "PATCH")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization,content-type")
        .send()
        .await
        .unwrap();
    (resp.status(), resp.headers().clone())
}

/// The CORS headers of a plain request from `origin`.
async fn from_origin(client: &Client, origin: &str, path: &str) -> (StatusCode, HeaderMap) {
    let resp = client.request(Method::GET, path).header(header::ORIGIN, origin).send().await.unwrap();
    (resp.status(), resp.headers().clone())
}

#[tokio::test]
async fn only_configured_origins_are_granted() {
    let server =
        Server::start_env(&[("LECTERN_CORS_ORIGINS", "https://review.example, https://*.tools.example")]).await;
    let client = server.user("cors@example.com").await;
    let project = client.create("/api/v3/projects/", json!({"name": "Embedded"})).await;
    let (status, _) = client
        .patch(&format!("/api/v3/projects/{project}/sharing/"), json!({"embed_domains": ["https://intranet.example"]}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let docs = "/api/v3/documents/";

    // The server's origins (and their subdomains where so written) may send credentials.
    for origin in [ORIGIN, "https://a.tools.example"] {
        let (status, h) = preflight(&client, origin, docs).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(header(&h, header::ACCESS_CONTROL_ALLOW_ORIGIN), Some(origin), "{h:?}");
        assert_eq!(header(&h, header::ACCESS_CONTROL_ALLOW_CREDENTIALS), Some("true"));
        let methods = header(&h, header::ACCESS_CONTROL_ALLOW_METHODS).unwrap();
        for m in ["GET", "POST", "PATCH", "PUT", "DELETE"] {
            assert!(methods.contains(m), "{methods}");
        }
    }
    // A project's embedding origin is granted, without credentials.
    let (_, h) = preflight(&client, "https://intranet.example", docs).await;
    assert_eq!(header(&h, header::ACCESS_CONTROL_ALLOW_ORIGIN), Some("https://intranet.example"));
    assert!(!h.contains_key(header::ACCESS_CONTROL_ALLOW_CREDENTIALS), "{h:?}");

    // Anyone else gets nothing to go on: no grant on the preflight nor on the answer.
    for origin in ["https://evil.example", "http://review.example", "https://tools.example", "null"] {
        let (status, h) = preflight(&client, origin, docs).await;
        assert_eq!(status, StatusCode::OK, "answered as django-cors-headers does");
        for name in [
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            header::ACCESS_CONTROL_ALLOW_METHODS,
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
        ] {
            assert!(!h.contains_key(&name), "{origin}: {h:?}");
        }
        let (status, h) = from_origin(&client, origin, docs).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!h.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN), "{origin}: {h:?}");
    }

    // Files and page images are covered, errors too (so the dashboard can read a 401 or 404); the SPA is not.
    for path in ["/page/show-image/999/", "/doc/show/999/", "/api/v3/auth/me/"] {
        let (_, h) = preflight(&client, ORIGIN, path).await;
        assert_eq!(header(&h, header::ACCESS_CONTROL_ALLOW_ORIGIN), Some(ORIGIN), "{path}");
        let (status, h) = from_origin(&server.anonymous(), ORIGIN, path).await;
        assert!(status.is_client_error(), "{path}: {status}");
        assert_eq!(header(&h, header::ACCESS_CONTROL_ALLOW_ORIGIN), Some(ORIGIN), "{path}");
    }
    let (_, h) = from_origin(&client, ORIGIN, "/health").await;
    assert!(!h.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));
    // The API's own origin needs no grant; every answer varies by origin for caches.
    let (status, h) = from_origin(&client, &server.base, docs).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!h.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN), "{h:?}");
    assert!(h.get_all(header::VARY).iter().any(|v| v.to_str().unwrap().contains("Origin")), "{h:?}");

    // No setting: nothing is granted, and an OPTIONS that is no preflight is still refused.
    let plain = Server::start().await;
    let (_, h) = preflight(&plain.anonymous(), ORIGIN, docs).await;
    assert!(!h.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN), "{h:?}");
    let resp = plain.anonymous().request(Method::OPTIONS, docs).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);

    // `*` grants any origin, never with credentials.
    let open = Server::start_env(&[("LECTERN_CORS_ORIGINS", "*")]).await;
    let (_, h) = preflight(&open.anonymous(), "https://anywhere.example", docs).await;
    assert_eq!(header(&h, header::ACCESS_CONTROL_ALLOW_ORIGIN), Some("*"));
    assert!(!h.contains_key(header::ACCESS_CONTROL_ALLOW_CREDENTIALS), "{h:?}");
}

/// A multipart body of text fields.
fn multipart(fields: &[(&str, String)]) -> reqwest::multipart::Form {
    fields.iter().fold(reqwest::multipart::Form::new(), |form, (k, v)| form.text(k.to_string(), v.clone()))
}

async fn send_multipart(client: &Client, method: Method, path: &str, fields: &[(&str, String)]) -> (StatusCode, Value) {
    Client::send(client.request(method, path).multipart(multipart(fields))).await
}

#[tokio::test]
async fn forms_multipart_and_strings_are_read_as_drf_reads_them() {
    let (_server, client, fixture, doc) = setup(&[]).await;
    let [total, date] = [fixture.labels[0], fixture.labels[1]];
    let id = doc["id"].as_i64().unwrap();
    let text = doc["text"].as_str().unwrap();
    let s = offset(text, "9,50");
    let (doc_id, total_id, start, end) = (id.to_string(), total.to_string(), s.to_string(), (s + 4).to_string());

    // A form-encoded create, every value text; spans in DRF's HTML list notation.
    let (status, a) = client
        .form(
            Method::POST,
            ANNOTATIONS,
            &[
                ("document", &doc_id),
                ("label", &total_id),
                ("span[0]start_offset", &start),
                ("span[0]end_offset", &end),
                ("is_correct", "True"),
                ("revised", "false"),
                ("confidence", "0.75"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    assert_eq!((a["offset_string"].as_str(), a["is_correct"].as_bool()), (Some("9,50"), Some(true)), "{a}");
    assert_eq!(a["label"]["id"], total);
    let a_path = format!("{ANNOTATIONS}{}/", a["id"]);
    let (status, accepted) = client.form(Method::PATCH, &a_path, &[("revised", "on"), ("is_correct", "1")]).await;
    assert_eq!((status, accepted["revised"].as_bool()), (StatusCode::OK, Some(true)), "{accepted}");

    // JSON with strings for ids, booleans and numbers.
    let d = offset(text, "03.12.2026");
    let (status, b) = client
        .post(
            ANNOTATIONS,
            json!({"document": doc_id, "label": date.to_string(), "label_set": fixture.category.to_string(),
                "span": [{"start_offset": d.to_string(), "end_offset": (d + 10).to_string()}],
                "is_correct": "true", "revised": 0, "confidence": "0.5"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    assert_eq!((b["confidence"].as_f64(), b["revised"].as_bool()), (Some(0.5), Some(false)), "{b}");

    // Bulk update as a form, the ids repeated.
    let (a_id, b_id) = (a["id"].to_string(), b["id"].to_string());
    let (status, list) = client
        .form(
            Method::PATCH,
            &format!("/api/v3/documents/{id}/update-annotations/"),
            &[("ids", &a_id), ("ids", &b_id), ("is_correct", "yes"), ("revised", "True")],
        )
        .await;
    assert_eq!((status, list.as_array().map(Vec::len)), (StatusCode::OK, Some(2)), "{list}");

    // Multipart: a missing marker and a document change.
    let (status, marked) = send_multipart(
        &client,
        Method::POST,
        MISSING,
        &[("document", doc_id.clone()), ("label", total_id.clone()), ("label_set", fixture.label_set.to_string())],
    )
    .await;
    assert_eq!((status, marked[0]["label"].as_i64()), (StatusCode::CREATED, Some(total)), "{marked}");
    let (status, changed) = send_multipart(
        &client,
        Method::PATCH,
        &format!("/api/v3/documents/{id}/"),
        &[
            ("category_is_revised", "True".into()),
            ("data_file_name", "form.pdf".into()),
            ("dataset_status", "2".into()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(
        (
            changed["category_is_revised"].as_bool(),
            changed["data_file_name"].as_str(),
            changed["dataset_status"].as_i64()
        ),
        (Some(true), Some("form.pdf"), Some(2))
    );

    // The schema endpoints too: a form label with two label sets, a project flag as text.
    let project = fixture.project.to_string();
    let (status, label) = client
        .form(
            Method::POST,
            "/api/v3/labels/",
            &[
                ("project", &project),
                ("name", "Form label"),
                ("label_sets", &fixture.category.to_string()),
                ("label_sets", &fixture.label_set.to_string()),
                ("has_multiple_top_candidates", "off"),
                ("threshold", "0.25"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{label}");
    assert_eq!(label["label_sets"].as_array().map(Vec::len), Some(2), "{label}");
    assert_eq!(label["threshold"], 0.25);
    let (status, patched) =
        client.patch(&format!("/api/v3/projects/{project}/"), json!({"priority_processing": "Yes"})).await;
    assert_eq!((status, patched["priority_processing"].as_bool()), (StatusCode::OK, Some(true)), "{patched}");
    let (status, split) =
        client.patch(&format!("/api/v3/projects/{project}/splitting/"), json!({"split_uploads": "false"})).await;
    assert_eq!((status, split["split_uploads"].as_bool()), (StatusCode::OK, Some(false)), "{split}");
}

#[tokio::test]
async fn bad_values_are_400s_naming_the_field() {
    let (_server, client, fixture, doc) = setup(&[]).await;
    let id = doc["id"].as_i64().unwrap();
    let label = fixture.labels[0];
    let span = json!([{"start_offset": 0, "end_offset": 7}]);
    for (body, field, message) in [
        (json!({"document": "abc", "label": label, "span": span}), "document", "A valid integer is required."),
        (json!({"document": id, "label": true, "span": span}), "label", "A valid integer is required."),
        (json!({"document": "1.5", "label": label, "span": span}), "document", "A valid integer is required."),
        (
            json!({"document": id, "label": label, "span": span, "is_correct": "maybe"}),
            "is_correct",
            "Must be a valid boolean.",
        ),
        (
            json!({"document": id, "label": label, "span": span, "confidence": "high"}),
            "confidence",
            "A valid number is required.",
        ),
        (
            json!({"document": id, "label": label, "span": [{"x0": "wide"}]}),
            "span",
            "[0].x0: A valid number is required.",
        ),
        (json!({"document": id, "label": label, "span": 3}), "span", "Expected a list of items but got type \"int\"."),
        (
            json!({"document": id, "label": label, "span": span, "selection_bbox": [1, 2]}),
            "selection_bbox",
            "Invalid data. Expected a dictionary, but got list.",
        ),
    ] {
        let (status, answer) = client.post(ANNOTATIONS, body.clone()).await;
        assert_field_error(status, &answer, field);
        assert_eq!(answer[field][0], message, "{body}: {answer}");
    }
    // In a list body the item is named in the message.
    let (status, answer) = client.post(MISSING, json!([{"document": id, "label": label, "label_set": "x"}])).await;
    assert_field_error(status, &answer, "label_set");
    // Forms and multipart bodies the same way.
    let (status, answer) = client.form(Method::POST, ANNOTATIONS, &[("document", "abc"), ("label", "1")]).await;
    assert_field_error(status, &answer, "document");
    let (status, answer) = client
        .form(Method::PATCH, &format!("/api/v3/documents/{id}/update-annotations/"), &[("ids", "1"), ("ids", "two")])
        .await;
    assert_field_error(status, &answer, "ids");
    let (status, answer) =
        send_multipart(&client, Method::PATCH, &format!("/api/v3/documents/{id}/"), &[("is_reviewed", "maybe".into())])
            .await;
    assert_field_error(status, &answer, "is_reviewed");
    let (status, answer) = client
        .post(&format!("/api/v3/documents/{id}/postprocess/"), json!([{"pages": [{"id": "first", "angle": 0}]}]))
        .await;
    assert_field_error(status, &answer, "pages");
    // A body that is no object at all.
    let (status, answer) = client.patch(&format!("/api/v3/documents/{id}/"), json!([1, 2])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(answer["detail"].as_str().unwrap().contains("Expected a dictionary"), "{answer}");
}

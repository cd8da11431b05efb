//! Browser test: review a processed PDF with AI suggestions: pages and overlays, accept, decline, undo/redo,
//! keyboard accept, drawing a new annotation, marking a label missing and finishing the review.

use std::time::Duration;

use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::key::Key;
use fantoccini::Client;
use lectern_tests::browser::{
    click, eventually, find, hover, log_in, missing_records, press, run_scenarios, text, wait_count,
    wait_review_fields, wait_text,
};
use lectern_tests::pdf::{self, Page};
use lectern_tests::Api as _;
use lectern_tests::{assert_field_error, scenarios, Client as Api, Fixture, Server};
use serde_json::{json, Value};

const EMAIL: &str = "reviewer@example.com";
const TEXT: &str = "Invoice 2024-001\nTotal: 9,50 EUR";

fn invoice_pdf() -> Vec<u8> {
    pdf::document(&[Page::a4().text(72.0, 760.0, 14.0, "Invoice 2024-001").text(72.0, 730.0, 12.0, "Total: 9,50 EUR")])
}

fn offset(needle: &str) -> usize {
    TEXT[..TEXT.find(needle).unwrap()].chars().count()
}

/// What the review page is tested against: the server, the project and the two stored AI suggestions.
struct Case {
    base: String,
    api: Api,
    fixture: Fixture,
    doc: i64,
    total: i64,
    date: i64,
}

// One scenario: each step of the review starts from what the one before left (accepted, declined and undone, drawn,
// marked missing), and finishing the review needs them all.
fn main() {
    run_scenarios(setup, scenarios![reviewing_a_document]);
}

async fn setup(server: &Server) -> Case {
    let api = server.user(EMAIL).await;
    let fixture = api.fixture("Review").await;
    let category = fixture.category.to_string();
    let doc = api
        .upload_ok(fixture.project, "invoice.pdf", invoice_pdf(), &[("sync", "True"), ("category", category.as_str())])
        .await;
    assert_eq!(doc["text"], TEXT, "{doc}");
    let doc = doc["id"].as_i64().unwrap();
    let suggest = |label: usize, needle: &str| {
        let start = offset(needle);
        server.suggest(doc, fixture.labels[label], start, start + needle.chars().count())
    };
    let total = suggest(0, "9,50");
    let date = suggest(1, "2024-001");
    Case { base: server.base.clone(), api, fixture, doc, total, date }
}

async fn wait_missing_count(api: &Api, doc: i64, expected: usize) {
    eventually(|| async move {
        let records = missing_records(api, doc).await;
        if records.len() == expected {
            Ok(())
        } else {
            Err(format!("expected {expected} missing-annotation records, the server has {records:?}"))
        }
    })
    .await;
}

async fn is_disabled(c: &Client, css: &str) -> bool {
    find(c, css).await.prop("disabled").await.unwrap().as_deref() == Some("true")
}

async fn reviewing_a_document(c: &Client, case: &Case) {
    let Case { base, api, fixture, doc, total, date } = case;
    let (doc, total, date) = (*doc, *total, *date);
    let [total_label, date_label] = [fixture.labels[0], fixture.labels[1]];
    log_in(c, base, EMAIL).await;

    // The documents table links each document to its review page.
    c.goto(&format!("{base}/projects/{}/documents", fixture.project)).await.unwrap();
    click(c, "[data-test=document] [data-test=open-document]").await;
    find(c, "[data-test=review][data-state=ready]").await;
    assert!(c.current_url().await.unwrap().path().ends_with(&format!("/documents/{doc}")));
    wait_text(c, "[data-test=document-name]", "invoice.pdf").await;

    // The page image, its words and the two suggestions as overlays; the panel counts them.
    find(c, "[data-test=page][data-number='1'] img.page-image").await;
    find(c, "[data-test=page][data-loaded=true]").await;
    find(c, "[data-test=word][data-text='EUR']").await;
    wait_count(c, "[data-test=overlay]", 2).await;
    wait_count(c, "[data-test=thumbnail]", 1).await;
    wait_text(c, "[data-test=count-pending]", "2").await;
    wait_text(c, "[data-test=count-unfilled]", "2").await;
    wait_text(c, &format!("[data-test=annotation][data-id='{total}'] [data-test=annotation-text]"), "9,50").await;

    // Finishing is not offered while suggestions wait, and the server refuses it too.
    assert!(is_disabled(c, "[data-test=finish-review]").await);
    let (status, body) = api.patch(&format!("/api/v3/documents/{doc}/"), json!({"is_reviewed": true})).await;
    assert_field_error(status, &body, "is_reviewed");

    // Accept one suggestion.
    // The row's actions appear under the pointer.
    hover(c, &format!("[data-test=annotation][data-id='{total}']")).await;
    click(c, &format!("[data-test=annotation][data-id='{total}'] [data-test=accept]")).await;
    find(c, &format!("[data-test=annotation][data-id='{total}'][data-state=accepted]")).await;
    wait_review_fields(api, total, true, true).await;
    wait_text(c, "[data-test=count-pending]", "1").await;

    // Decline the other: it leaves the panel and the page; the server keeps it as declined.
    hover(c, &format!("[data-test=annotation][data-id='{date}']")).await;
    click(c, &format!("[data-test=annotation][data-id='{date}'] [data-test=decline]")).await;
    wait_count(c, &format!("[data-test=annotation][data-id='{date}']"), 0).await;
    wait_count(c, "[data-test=overlay]", 1).await;
    wait_review_fields(api, date, true, false).await;

    // Undo brings the suggestion back, on the server and on the page.
    click(c, "[data-test=undo]:not([disabled])").await;
    wait_review_fields(api, date, false, false).await;
    find(c, &format!("[data-test=annotation][data-id='{date}'][data-state=pending]")).await;
    wait_count(c, "[data-test=overlay]", 2).await;

    // Keyboard: select it on the page, Enter accepts it.
    click(c, &format!("[data-test=overlay][data-id='{date}']")).await;
    find(c, &format!("[data-test=annotation][data-id='{date}'].selected")).await;
    assert!(
        c.current_url().await.unwrap().fragment() == Some(&format!("ann{date}")[..]),
        "the hash names the selection"
    );
    press(c, &[Key::Enter.into()]).await;
    wait_review_fields(api, date, true, true).await;
    find(c, &format!("[data-test=annotation][data-id='{date}'][data-state=accepted]")).await;
    wait_text(c, "[data-test=count-pending]", "0").await;
    assert!(is_disabled(c, "[data-test=finish-review]").await, "the repeating set's labels are unfilled");

    // Draw a rectangle around "EUR" and file it under Total in a new "Positions" set.
    let (x, y, w, h) = find(c, "[data-test=word][data-text='EUR']").await.rectangle().await.unwrap();
    let drag = MouseActions::new("mouse".into())
        .then(PointerAction::MoveTo { duration: None, x: x - 3.0, y: y - 3.0 })
        .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
        .then(PointerAction::MoveTo { duration: Some(Duration::from_millis(100)), x: x + w / 2.0, y: y + h / 2.0 })
        .then(PointerAction::MoveTo { duration: Some(Duration::from_millis(100)), x: x + w + 3.0, y: y + h + 3.0 })
        .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
    c.perform_actions(drag).await.unwrap();
    find(c, "[data-test=label-picker]").await;
    wait_text(c, "[data-test=draft-text]", "EUR").await;
    click(c, &format!("[data-test=label-choice][data-value='new:{}:{total_label}']", fixture.label_set)).await;
    click(c, "[data-test=create-annotation]").await;
    wait_count(c, "[data-test=label-picker]", 0).await;
    let created = eventually_created(api, doc).await;
    assert_eq!(created["label"]["id"], total_label, "{created}");
    assert_eq!(created["label_set"]["id"], fixture.label_set, "{created}");
    assert_eq!(created["created_by"], EMAIL, "{created}");
    let created_id = created["id"].as_i64().unwrap();
    find(c, &format!("[data-test=annotation][data-id='{created_id}']")).await;
    wait_count(c, "[data-test=overlay]", 3).await;
    wait_text(c, "[data-test=count-unfilled]", "1").await;

    // Mark the set's other label missing; undo and redo it with the keyboard, following the server each time.
    let date_row = format!("[data-test=set] [data-test=label][data-label='{date_label}'] [data-test=empty-label]");
    click(c, &format!("{date_row} [data-test=mark-missing]")).await;
    wait_missing_count(api, doc, 1).await;
    find(c, &format!("{date_row}[data-missing=true]")).await;
    wait_text(c, "[data-test=count-unfilled]", "0").await;
    click(c, "[data-test=document-name]").await;
    press(c, &[Key::Control.into(), 'z']).await;
    wait_missing_count(api, doc, 0).await;
    wait_text(c, "[data-test=count-unfilled]", "1").await;
    press(c, &[Key::Control.into(), Key::Shift.into(), 'z']).await;
    wait_missing_count(api, doc, 1).await;
    wait_text(c, "[data-test=count-unfilled]", "0").await;
    let record = &missing_records(api, doc).await[0];
    assert_eq!((record["label"].as_i64(), record["label_set"].as_i64()), (Some(date_label), Some(fixture.label_set)));

    // `?` shows the shortcut sheet, Esc closes it.
    press(c, &['?']).await;
    find(c, "[data-test=shortcuts]").await;
    press(c, &[Key::Escape.into()]).await;
    wait_count(c, "[data-test=shortcuts]", 0).await;

    // Nothing is pending or unfilled: finishing is allowed, and the document becomes read-only.
    eventually(|| async {
        if is_disabled(c, "[data-test=finish-review]").await {
            Err("still disabled".into())
        } else {
            Ok(())
        }
    })
    .await;
    click(c, "[data-test=finish-review]").await;
    find(c, "[data-test=reviewed-banner]").await;
    let (status, d) = api.get(&format!("/api/v3/documents/{doc}/")).await;
    assert_eq!((status.as_u16(), d["is_reviewed"].as_bool()), (200, Some(true)), "{d}");
    wait_count(c, "[data-test=accept], [data-test=decline], [data-test=mark-missing]", 0).await;
    assert!(is_disabled(c, "[data-test=finish-review]").await);
    assert_eq!(text(c, "[data-test=count-accepted]").await, "3");
}

/// The annotation "EUR" a person made on the document, once the server has it.
async fn eventually_created(api: &Api, doc: i64) -> Value {
    let path = format!("/api/v3/annotations/?document={doc}");
    let eur = |all: Vec<Value>| all.into_iter().find(|a| a["offset_string"] == "EUR");
    eventually(|| async {
        match eur(api.get_all(&path).await) {
            Some(_) => Ok(()),
            None => Err("no annotation \"EUR\" on the server".into()),
        }
    })
    .await;
    eur(api.get_all(&path).await).unwrap()
}

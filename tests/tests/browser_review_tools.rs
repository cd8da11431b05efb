//! Browser tests of the review view's tools: search with hits, clicked words, a typed value for a box over no text,
//! editing a text, the panel's filters, deep links, category, rename and previous/next, a review by keyboard alone,
//! and the ways into edit mode. Each case checks the page and the server.

use std::time::Duration;

use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use lectern_tests::browser::{
    annotation, click, count, eventually, exists, fill, find, hover, log_in, missing_records, press, run_scenarios,
    texts, wait_count, wait_review_fields, wait_text,
};
use lectern_tests::pdf::{self, Page};
use lectern_tests::Api as _;
use lectern_tests::{get_ok, scenarios, Client as Api, Fixture, Server};
use serde_json::{json, Value};

const EMAIL: &str = "tools@example.com";
/// One page: two amounts to search for and an empty lower half to draw on.
const SEARCH_TEXT: &str = "Invoice 2024-001\nTotal: 9,50 EUR\nPaid: 9,50 EUR";
/// Three pages, the date on the last one, far below the first.
const PANEL_TEXT: &str = "Invoice 2024-001\u{c}Total: 9,50 EUR\u{c}Due: 2024-03-31";
const KEYS_TEXT: &str = "Invoice 2024-001\nTotal: 9,50 EUR";

fn page(lines: &[&str]) -> Page {
    lines.iter().enumerate().fold(Page::a4(), |p, (i, line)| p.text(72.0, 760.0 - 30.0 * i as f64, 12.0, line))
}

/// The character offset of the `nth` occurrence (0-based) of `needle` in `text`.
fn offset(text: &str, needle: &str, nth: usize) -> usize {
    let at = text.match_indices(needle).nth(nth).unwrap().0;
    text[..at].chars().count()
}

/// Everything the cases work on: documents uploaded in this order, so their ids ascend. No case needs another to
/// have run: where two cases use one document, neither cares what the other changed.
struct Case {
    base: String,
    api: Api,
    fixture: Fixture,
    receipt: i64,
    search_doc: i64,
    panel_doc: i64,
    reviewed_doc: i64,
    tools_doc: i64,
    /// The unreviewed document after the tools document, for previous/next.
    next_doc: i64,
    keys_doc: i64,
    edit_doc: i64,
    split_doc: (i64, i64),
    /// The AI suggestions on the panel document and on the keyboard document: (total, date).
    panel: (i64, i64),
    keys: (i64, i64),
    /// The AI suggestion of the total on the document whose text is edited.
    edit_total: i64,
}

fn main() {
    run_scenarios(
        setup,
        scenarios![
            search_hits,
            clicked_words,
            typed_value_for_empty_box,
            edited_text,
            panel_filters,
            deep_links,
            category_rename_and_neighbours,
            edit_mode,
            keyboard_only_review,
        ],
    );
}

async fn setup(server: &Server) -> Case {
    let api = server.user(EMAIL).await;
    let fixture = api.fixture("Tools").await;
    let receipt = api.create("/api/v3/categories/", json!({"project": fixture.project, "name": "Receipt"})).await;
    let category = fixture.category.to_string();
    let with_category = [("sync", "True"), ("category", category.as_str())];
    let mut ids = Vec::new();
    for (name, pages, categorised) in [
        ("search.pdf", vec![page(&SEARCH_TEXT.lines().collect::<Vec<_>>())], true),
        ("panel.pdf", PANEL_TEXT.split('\u{c}').map(|t| page(&[t])).collect(), true),
        ("reviewed.pdf", vec![page(&["Already reviewed"])], false),
        ("tools.pdf", vec![page(&["Tools 7"])], true),
        ("next.pdf", vec![page(&["Next 8"])], true),
        ("keys.pdf", vec![page(&KEYS_TEXT.lines().collect::<Vec<_>>())], true),
        ("edit.pdf", PANEL_TEXT.split('\u{c}').map(|t| page(&[t])).collect(), true),
    ] {
        let fields: &[(&str, &str)] = if categorised { &with_category } else { &[("sync", "True")] };
        let doc = api.upload_ok(fixture.project, name, pdf::document(&pages), fields).await;
        ids.push(doc["id"].as_i64().unwrap());
    }
    let [search_doc, panel_doc, reviewed_doc, tools_doc, next_doc, keys_doc, edit_doc] = ids[..] else {
        unreachable!()
    };
    assert_eq!(get_ok(&api, &format!("/api/v3/documents/{panel_doc}/")).await["text"], PANEL_TEXT);

    // The document without a category has nothing to review: it is finished at once and skipped by previous/next.
    let (status, body) = api.patch(&format!("/api/v3/documents/{reviewed_doc}/"), json!({"is_reviewed": true})).await;
    assert_eq!(status, 200, "{body}");

    let suggest = |doc: i64, text: &str, label: usize, needle: &str| {
        let start = offset(text, needle, 0);
        server.suggest(doc, fixture.labels[label], start, start + needle.chars().count())
    };
    let panel = (suggest(panel_doc, PANEL_TEXT, 0, "9,50"), suggest(panel_doc, PANEL_TEXT, 1, "2024-03-31"));
    let keys = (suggest(keys_doc, KEYS_TEXT, 0, "9,50"), suggest(keys_doc, KEYS_TEXT, 1, "2024-001"));
    let edit_total = suggest(edit_doc, PANEL_TEXT, 0, "9,50");
    // The panel document's Total is accepted, for the filters.
    let (status, body) =
        api.patch(&format!("/api/v3/annotations/{}/", panel.0), json!({"revised": true, "is_correct": true})).await;
    assert_eq!(status, 200, "{body}");
    // The panel document's repeating set has its Date marked missing, for the filters.
    let missing = json!([{"document": panel_doc, "label": fixture.labels[1], "label_set": fixture.label_set,
                          "annotation_set": null}]);
    let (status, body) = api.post("/api/v3/missing-annotations/", missing).await;
    assert_eq!(status, 201, "{body}");

    // A two-page document of another project waits for its split to be confirmed (status 41), as a splitting AI
    // leaves it; rather than training one, the test puts the document into that state in the database.
    let other = api.fixture("Split").await;
    let pages = vec![page(&["Invoice A"]), page(&["Invoice B"])];
    let split = api.upload_ok(other.project, "bundle.pdf", pdf::document(&pages), &[("sync", "True")]).await;
    let split_id = split["id"].as_i64().unwrap();
    let page_ids: Vec<i64> = split["pages"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect();
    let proposal = json!([{"name": "a.pdf", "category": null, "pages": [{"id": page_ids[0]}]},
                          {"name": "b.pdf", "category": null, "pages": [{"id": page_ids[1]}]}]);
    server.sql(&format!("UPDATE documents SET status_data = 41, proposed_split = '{proposal}' WHERE id = {split_id}"));

    Case {
        base: server.base.clone(),
        api,
        fixture,
        receipt,
        search_doc,
        panel_doc,
        reviewed_doc,
        tools_doc,
        next_doc,
        keys_doc,
        edit_doc,
        split_doc: (other.project, split_id),
        panel,
        keys,
        edit_total,
    }
}

// ---- helpers ----

/// Logs in and opens the review of `doc`.
async fn log_in_and_open(c: &Client, case: &Case, doc: i64) {
    log_in(c, &case.base, EMAIL).await;
    open(c, case, doc, "").await;
}

async fn open(c: &Client, case: &Case, doc: i64, hash: &str) {
    c.goto(&format!("{}/projects/{}/documents/{doc}{hash}", case.base, case.fixture.project)).await.unwrap();
    find(c, "[data-test=review][data-state=ready]").await;
    find(c, "[data-test=page][data-loaded=true]").await;
}

/// Runs `script` (a function body that returns a value) in the page.
async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, vec![]).await.unwrap()
}

/// The `data-test` and `data-id` of the focused element.
async fn focused(c: &Client) -> String {
    let script =
        "const e = document.activeElement; return `${e.dataset.test}:${e.closest('[data-row]')?.dataset.row}`;";
    let seen = js(c, script).await;
    seen.as_str().unwrap_or_default().to_owned()
}

async fn wait_focused(c: &Client, expected: &str) {
    eventually(|| async move {
        match focused(c).await {
            f if f == expected => Ok(()),
            f => Err(format!("expected the focus on {expected}, it is on {f}")),
        }
    })
    .await;
}

/// Picks the label picker's choice named `name` ("Set · Label") by typing it, as a reviewer would; the choice
/// must then be the one marked chosen.
async fn choose_label(c: &Client, name: &str) {
    find(c, "[data-test=label-picker]").await;
    fill(c, "[data-test=label-filter]", name).await;
    eventually(|| async move {
        let chosen = texts(c, "[data-test=label-choice][aria-selected=true] [data-test=choice-name]").await;
        match chosen.as_slice() {
            [one] if one == name => Ok(()),
            _ => Err(format!("{name:?} is not chosen: {chosen:?} of {:?}", texts(c, "[data-test=choice-name]").await)),
        }
    })
    .await;
}

async fn annotations(api: &Api, doc: i64) -> Vec<Value> {
    api.get_all(&format!("/api/v3/annotations/?document={doc}")).await
}

/// The annotation on `doc` whose text is `text`, once the server has it.
async fn stored(api: &Api, doc: i64, text: &str) -> Value {
    eventually(|| async move {
        match annotations(api, doc).await.iter().any(|a| a["offset_string"] == text) {
            true => Ok(()),
            false => Err(format!("no annotation {text:?} on document {doc}")),
        }
    })
    .await;
    annotations(api, doc).await.into_iter().find(|a| a["offset_string"] == text).unwrap()
}

async fn document(api: &Api, doc: i64) -> Value {
    get_ok(api, &format!("/api/v3/documents/{doc}/")).await
}

/// The `data-id`s of the panel's annotation rows, in order.
async fn panel_ids(c: &Client) -> Vec<String> {
    let mut ids = Vec::new();
    for row in c.find_all(Locator::Css("[data-test=annotation]")).await.unwrap() {
        ids.push(row.attr("data-id").await.unwrap().unwrap_or_default());
    }
    ids
}

/// Waits until the panel shows exactly these annotations and this many empty label rows.
async fn wait_panel(c: &Client, annotations: &[i64], empty_labels: usize) {
    let expected: Vec<String> = annotations.iter().map(i64::to_string).collect();
    let expected = &expected;
    eventually(|| async move {
        let (shown, empty) = (panel_ids(c).await, count(c, "[data-test=empty-label]").await);
        if &shown == expected && empty == empty_labels {
            Ok(())
        } else {
            Err(format!("panel shows {shown:?} and {empty} empty labels, expected {expected:?} and {empty_labels}"))
        }
    })
    .await;
}

/// Which of the highlighted search hits is the current one (-1: none).
async fn current_hit(c: &Client) -> i64 {
    let script =
        "return [...document.querySelectorAll('[data-test=hit]')].findIndex(h => h.classList.contains('current'));";
    js(c, script).await.as_i64().unwrap()
}

async fn wait_current_hit(c: &Client, index: i64, count: &str) {
    wait_text(c, "[data-test=hit-count]", count).await;
    eventually(|| async move {
        match current_hit(c).await {
            i if i == index => Ok(()),
            i => Err(format!("hit {i} is highlighted as current, expected {index}")),
        }
    })
    .await;
}

async fn drag(c: &Client, from: (f64, f64), to: (f64, f64)) {
    let mid = ((from.0 + to.0) / 2.0, (from.1 + to.1) / 2.0);
    let step = Some(Duration::from_millis(100));
    let actions = MouseActions::new("mouse".into())
        .then(PointerAction::MoveTo { duration: None, x: from.0, y: from.1 })
        .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
        .then(PointerAction::MoveTo { duration: step, x: mid.0, y: mid.1 })
        .then(PointerAction::MoveTo { duration: step, x: to.0, y: to.1 })
        .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
    c.perform_actions(actions).await.unwrap();
}

async fn current_path(c: &Client) -> String {
    c.current_url().await.unwrap().path().to_owned()
}

// ---- cases ----

/// 1. Search: hits are highlighted, next/previous move the current one, and a hit becomes an annotation with the
///    offsets of that occurrence.
async fn search_hits(c: &Client, case: &Case) {
    let doc = case.search_doc;
    log_in_and_open(c, case, doc).await;
    fill(c, "[data-test=search]", "9,").await;
    find(c, "[data-test=search]").await.send_keys("5").await.unwrap();
    wait_count(c, "[data-test=hit]", 2).await;
    wait_current_hit(c, 0, "1/2").await;
    click(c, "[data-test=hit-next]").await;
    wait_current_hit(c, 1, "2/2").await;
    click(c, "[data-test=hit-previous]").await;
    wait_current_hit(c, 0, "1/2").await;
    click(c, "[data-test=hit-previous]").await;
    wait_current_hit(c, 1, "2/2").await;

    // Too short a query shows no hits.
    fill(c, "[data-test=search]", "9,").await;
    wait_count(c, "[data-test=hit]", 0).await;
    fill(c, "[data-test=search]", "9,50").await;
    wait_current_hit(c, 0, "1/2").await;
    click(c, "[data-test=hit-next]").await;
    wait_current_hit(c, 1, "2/2").await;

    click(c, "[data-test=annotate-hit]").await;
    wait_text(c, "[data-test=draft-text]", "9,50").await;
    choose_label(c, "Invoice · Total").await;
    click(c, "[data-test=create-annotation]").await;
    wait_count(c, "[data-test=label-picker]", 0).await;

    let created = stored(&case.api, doc, "9,50").await;
    let start = offset(SEARCH_TEXT, "9,50", 1);
    let span = &created["span"][0];
    assert_eq!(
        (span["start_offset"].as_u64(), span["end_offset"].as_u64()),
        (Some(start as u64), Some(start as u64 + 4))
    );
    assert_eq!(created["label"]["id"], case.fixture.labels[0], "{created}");
    let id = created["id"].as_i64().unwrap();
    find(c, &format!("[data-test=annotation][data-id='{id}']")).await;
    find(c, &format!("[data-test=overlay][data-id='{id}']")).await;
}

/// 2. Clicking words toggles them into a selection; the label picker makes one annotation of their text.
async fn clicked_words(c: &Client, case: &Case) {
    let doc = case.search_doc;
    log_in_and_open(c, case, doc).await;
    let word = |text: &str| format!("[data-test=word][data-text='{text}']");
    click(c, &word("Invoice")).await;
    click(c, &word("Paid:")).await;
    click(c, &word("2024-001")).await;
    wait_count(c, ".word.chosen", 3).await;
    click(c, &word("Paid:")).await;
    wait_count(c, ".word.chosen", 2).await;
    assert!(exists(c, &format!("{}.chosen", word("Invoice"))).await);

    click(c, "[data-test=annotate-words]").await;
    wait_text(c, "[data-test=draft-text]", "Invoice 2024-001").await;
    choose_label(c, "Invoice · Date").await;
    click(c, "[data-test=create-annotation]").await;
    wait_count(c, "[data-test=label-picker]", 0).await;
    wait_count(c, ".word.chosen", 0).await;

    let created = stored(&case.api, doc, "Invoice 2024-001").await;
    assert_eq!(created["label"]["id"], case.fixture.labels[1], "{created}");
    let span = &created["span"][0];
    assert_eq!((span["start_offset"].as_u64(), span["end_offset"].as_u64()), (Some(0), Some(16)), "{created}");
    let id = created["id"].as_i64().unwrap();
    wait_text(c, &format!("[data-test=annotation][data-id='{id}'] [data-test=annotation-text]"), "Invoice 2024-001")
        .await;
}

/// 3. A box drawn over empty paper finds no text: the reviewer types the value, stored without offsets.
async fn typed_value_for_empty_box(c: &Client, case: &Case) {
    let doc = case.search_doc;
    log_in_and_open(c, case, doc).await;
    let (x, y, w, h) = find(c, "[data-test=page][data-number='1']").await.rectangle().await.unwrap();
    drag(c, (x + 0.3 * w, y + 0.3 * h), (x + 0.5 * w, y + 0.34 * h)).await;
    fill(c, "[data-test=draft-value]", "Signed 42").await;
    choose_label(c, "Positions · Total").await;
    click(c, "[data-test=create-annotation]").await;
    wait_count(c, "[data-test=label-picker]", 0).await;

    let created = stored(&case.api, doc, "Signed 42").await;
    let span = &created["span"][0];
    assert!(span["start_offset"].is_null() && span["end_offset"].is_null(), "{created}");
    assert_eq!(span["offset_string"], "Signed 42", "{created}");
    assert!(created["selection_bbox"].is_object(), "{created}");
    assert_eq!(created["label_set"]["id"], case.fixture.label_set, "{created}");
    let id = created["id"].as_i64().unwrap();
    wait_text(c, &format!("[data-test=annotation][data-id='{id}'] [data-test=annotation-text]"), "Signed 42").await;
    find(c, &format!("[data-test=overlay][data-id='{id}']")).await;
}

/// 4. Editing an annotation's text in the panel: the server keeps the new text as a custom string, accepted.
async fn edited_text(c: &Client, case: &Case) {
    let total = case.edit_total;
    log_in_and_open(c, case, case.edit_doc).await;
    let row = format!("[data-test=annotation][data-id='{total}']");
    hover(c, &row).await;
    click(c, &format!("{row} [data-test=edit]")).await;
    wait_focused(c, &format!("edit-input:ann{total}")).await;
    let input = find(c, &format!("{row} [data-test=edit-input]")).await;
    assert_eq!(input.prop("value").await.unwrap().as_deref(), Some("9,50"));
    input.clear().await.unwrap();
    input.send_keys(&format!("9.50{}", Key::Enter)).await.unwrap();
    wait_text(c, &format!("{row} [data-test=annotation-text]"), "9.50").await;
    find(c, &format!("{row}[data-state=accepted]")).await;

    eventually(|| async {
        let a = annotation(&case.api, total).await;
        match (a["offset_string"].as_str(), a["custom_offset_string"].as_bool()) {
            (Some("9.50"), Some(true)) => Ok(()),
            _ => Err(format!("not edited on the server: {a}")),
        }
    })
    .await;
    let a = annotation(&case.api, total).await;
    assert_eq!((a["revised"].as_bool(), a["is_correct"].as_bool()), (Some(true), Some(true)), "{a}");
    let start = offset(PANEL_TEXT, "9,50", 0) as u64;
    assert_eq!(a["span"][0]["start_offset"].as_u64(), Some(start), "the text changes, not where it is: {a}");
    assert_eq!(a["span"][0]["offset_string_original"], "9,50", "{a}");
}

/// 5. The panel's filters: feedback needed, accepted, missing and the text filter show and hide the right rows.
async fn panel_filters(c: &Client, case: &Case) {
    let (total, date) = case.panel;
    log_in_and_open(c, case, case.panel_doc).await;
    // Total is accepted, Date pending; the repeating set has Total unfilled and Date missing.
    wait_panel(c, &[total, date], 2).await;
    find(c, "[data-test=empty-label][data-missing=true]").await;

    click(c, "[data-test=filter-feedback]").await;
    wait_panel(c, &[date], 0).await;
    click(c, "[data-test=filter-feedback]").await;
    wait_panel(c, &[total, date], 2).await;

    click(c, "[data-test=filter-accepted]").await;
    wait_panel(c, &[date], 2).await;
    click(c, "[data-test=filter-missing]").await;
    wait_panel(c, &[date], 1).await;
    assert!(!exists(c, "[data-test=empty-label][data-missing=true]").await);
    click(c, "[data-test=filter-accepted]").await;
    click(c, "[data-test=filter-missing]").await;
    wait_panel(c, &[total, date], 2).await;

    fill(c, "[data-test=filter-text]", "03-31").await;
    wait_panel(c, &[date], 0).await;
    fill(c, "[data-test=filter-text]", "date").await;
    wait_panel(c, &[date], 1).await;
    find(c, "[data-test=empty-label][data-missing=true]").await;
    // Emptied by keys, as a person does (WebDriver's clear sends no input event).
    let text_filter = find(c, "[data-test=filter-text]").await;
    text_filter.send_keys(&format!("{}a{}{}", Key::Control, Key::Null, Key::Backspace)).await.unwrap();
    wait_panel(c, &[total, date], 2).await;

    // The filters only change the view: the server's state is what the panel showed.
    wait_review_fields(&case.api, date, false, false).await;
    wait_review_fields(&case.api, total, true, true).await;
    assert_eq!(missing_records(&case.api, case.panel_doc).await.len(), 1);
}

/// Whether the overlay of annotation `id` is scrolled into the visible part of the pages.
async fn overlay_in_view(c: &Client, id: i64) -> Result<(), String> {
    let script = format!(
        "const box = document.querySelector(\"[data-test=overlay][data-id='{id}']\");
         const pane = document.getElementById('review-pages');
         if (!box || !pane) return 'no overlay';
         const b = box.getBoundingClientRect(), p = pane.getBoundingClientRect();
         return b.top >= p.top && b.bottom <= p.bottom ? 'in view' : `at ${{b.top}}..${{b.bottom}}, pane ${{p.top}}..${{p.bottom}}`;"
    );
    match js(c, &script).await.as_str() {
        Some("in view") => Ok(()),
        other => Err(format!("overlay {id} is not in view: {other:?}")),
    }
}

/// 6. A fresh `#ann{id}` URL scrolls to that annotation (on page 3) and selects it; selecting another names it.
async fn deep_links(c: &Client, case: &Case) {
    let (total, date) = case.panel;
    // From another page, so that the link loads the app afresh rather than only changing the hash.
    log_in(c, &case.base, EMAIL).await;
    open(c, case, case.panel_doc, &format!("#ann{date}")).await;
    find(c, &format!("[data-test=annotation][data-id='{date}'].selected")).await;
    find(c, &format!("[data-test=overlay][data-id='{date}'].selected")).await;
    eventually(|| overlay_in_view(c, date)).await;
    let scrolled = js(c, "return document.getElementById('review-pages').scrollTop;").await;
    assert!(scrolled.as_f64().unwrap() > 500.0, "page 3 is far down: scrollTop {scrolled}");

    click(c, &format!("[data-test=annotation][data-id='{total}'] [data-test=annotation-text]")).await;
    find(c, &format!("[data-test=annotation][data-id='{total}'].selected")).await;
    eventually(|| async {
        match c.current_url().await.unwrap().fragment() {
            Some(f) if f == format!("ann{total}") => Ok(()),
            f => Err(format!("the hash is {f:?}")),
        }
    })
    .await;
    eventually(|| overlay_in_view(c, total)).await;
    assert!(!exists(c, &format!("[data-test=annotation][data-id='{date}'].selected")).await);
    // Selecting writes nothing.
    wait_review_fields(&case.api, date, false, false).await;
}

/// 7. The category dropdown, renaming, and previous/next through the project's unreviewed documents.
async fn category_rename_and_neighbours(c: &Client, case: &Case) {
    let doc = case.tools_doc;
    log_in_and_open(c, case, doc).await;
    wait_text(c, "[data-test=document-name]", "tools.pdf").await;

    click(c, &format!("[data-test=category] option[value='{}']", case.receipt)).await;
    eventually(|| async {
        let d = document(&case.api, doc).await;
        match (d["category"].as_i64(), d["category_is_revised"].as_bool()) {
            (Some(c), Some(true)) if c == case.receipt => Ok(()),
            _ => Err(format!("category not revised on the server: {d}")),
        }
    })
    .await;
    let receipt = case.receipt.to_string();
    eventually(|| async {
        let value = find(c, "[data-test=category]").await.prop("value").await.unwrap().unwrap_or_default();
        if value == receipt {
            Ok(())
        } else {
            Err(format!("the dropdown shows {value}"))
        }
    })
    .await;

    click(c, "[data-test=rename]").await;
    fill(c, "[data-test=rename-input]", "renamed tools.pdf").await;
    click(c, "[data-test=rename-save]").await;
    wait_text(c, "[data-test=document-name]", "renamed tools.pdf").await;
    eventually(|| async {
        match document(&case.api, doc).await["data_file_name"].as_str() {
            Some("renamed tools.pdf") => Ok(()),
            other => Err(format!("the server's name is {other:?}")),
        }
    })
    .await;

    // The reviewed document between the panel and this one is skipped.
    assert_eq!(document(&case.api, case.reviewed_doc).await["is_reviewed"], true);
    let project = case.fixture.project;
    let href = |doc: i64| format!("/projects/{project}/documents/{doc}");
    let goes_to = |css: &'static str, doc: i64| async move {
        click(c, &format!("a[data-test={css}][href='{}']", href(doc))).await;
        eventually(|| async {
            match current_path(c).await {
                p if p == href(doc) => Ok(()),
                p => Err(format!("at {p}, expected {}", href(doc))),
            }
        })
        .await;
        find(c, "[data-test=review][data-state=ready]").await;
    };
    fill(c, "[data-test=search]", "Tools").await;
    wait_count(c, "[data-test=hit]", 1).await;
    goes_to("next-document", case.next_doc).await;
    wait_text(c, "[data-test=document-name]", "next.pdf").await;
    // The other document starts with an empty search.
    assert_eq!(find(c, "[data-test=search]").await.prop("value").await.unwrap().as_deref(), Some(""));
    wait_count(c, "[data-test=hit]", 0).await;
    goes_to("previous-document", doc).await;
    wait_text(c, "[data-test=document-name]", "renamed tools.pdf").await;
    goes_to("previous-document", case.panel_doc).await;
    wait_text(c, "[data-test=document-name]", "panel.pdf").await;
    goes_to("previous-document", case.search_doc).await;
    wait_text(c, "[data-test=document-name]", "search.pdf").await;
    // The first unreviewed document has no previous one.
    find(c, "button[data-test=previous-document][disabled]").await;
}

/// The edit mode: a link in the toolbar, and where a document waiting for its split confirmation (41) opens.
async fn edit_mode(c: &Client, case: &Case) {
    log_in_and_open(c, case, case.tools_doc).await;
    click(c, "[data-test=edit-pages]").await;
    find(c, "[data-test=edit] [data-test=grid-page]").await;
    let path = current_path(c).await;
    assert_eq!(path, format!("/projects/{}/documents/{}/edit", case.fixture.project, case.tools_doc));

    let (project, doc) = case.split_doc;
    c.goto(&format!("{}/projects/{project}/documents/{doc}", case.base)).await.unwrap();
    wait_count(c, "[data-test=edit] [data-test=grid-page]", 2).await;
    assert_eq!(current_path(c).await, format!("/projects/{project}/documents/{doc}/edit"));
    // The edit view starts from the proposed split: a cut after the first page.
    wait_count(c, "[data-test=split-toggle].cut", 1).await;
    assert!(find(c, "[data-test=use-proposal]").await.prop("checked").await.unwrap().as_deref() == Some("true"));
    // Nothing was sent: the document still waits.
    assert_eq!(document(&case.api, doc).await["status_data"], 41);
}

/// 8. A whole review by keyboard: ↓/↑ move (the focus follows), Enter accepts, Delete declines an annotation or
///    marks a label missing, and Tab reaches "Finish and next", with visible focus and a name.
async fn keyboard_only_review(c: &Client, case: &Case) {
    let (doc, (total, date)) = (case.keys_doc, case.keys);
    let (total_label, date_label) = (case.fixture.labels[0], case.fixture.labels[1]);
    log_in_and_open(c, case, doc).await;
    wait_text(c, "[data-test=count-pending]", "2").await;
    let annotation_focus = |id: i64| format!("annotation-text:ann{id}");
    let empty_focus = |set: &str, label: i64| format!("empty-label:label-{set}-{label}");

    press(c, &[Key::Down.into()]).await;
    wait_focused(c, &annotation_focus(total)).await;
    press(c, &[Key::Enter.into()]).await;
    wait_review_fields(&case.api, total, true, true).await;
    find(c, &format!("[data-test=annotation][data-id='{total}'][data-state=accepted]")).await;

    press(c, &[Key::Down.into()]).await;
    wait_focused(c, &annotation_focus(date)).await;
    press(c, &[Key::Delete.into()]).await;
    wait_review_fields(&case.api, date, true, false).await;
    wait_count(c, &format!("[data-test=annotation][data-id='{date}']"), 0).await;

    // The selection went on to the repeating set's first empty label, and the declined Date is empty again.
    let positions = format!("new{}", case.fixture.label_set);
    wait_focused(c, &empty_focus(&positions, total_label)).await;
    press(c, &[Key::Delete.into()]).await;
    press(c, &[Key::Down.into()]).await;
    wait_focused(c, &empty_focus(&positions, date_label)).await;
    press(c, &[Key::Delete.into()]).await;
    eventually(|| async {
        match missing_records(&case.api, doc).await.len() {
            2 => Ok(()),
            n => Err(format!("{n} missing records")),
        }
    })
    .await;
    press(c, &[Key::Up.into()]).await;
    press(c, &[Key::Up.into()]).await;
    let focus = focused(c).await;
    assert!(focus.starts_with("empty-label:label-") && focus.ends_with(&format!("-{date_label}")), "{focus}");
    press(c, &[Key::Delete.into()]).await;
    eventually(|| async {
        match missing_records(&case.api, doc).await.len() {
            3 => Ok(()),
            n => Err(format!("{n} missing records")),
        }
    })
    .await;
    wait_text(c, "[data-test=count-unfilled]", "0").await;
    wait_text(c, "[data-test=count-pending]", "0").await;

    // Finish review is reached with Shift+Tab from the panel (the toolbar comes before it).
    let mut presses = 0;
    while focused(c).await != "finish-review:undefined" {
        presses += 1;
        assert!(presses <= 40, "Shift+Tab did not reach Finish review; the focus is on {}", focused(c).await);
        press(c, &[Key::Shift.into(), Key::Tab.into()]).await;
    }
    let shown = js(
        c,
        "const e = document.activeElement, style = getComputedStyle(e);
         return {visible: e.matches(':focus-visible') && style.outlineStyle !== 'none' && style.outlineWidth !== '0px',
                 name: (e.getAttribute('aria-label') || e.textContent).trim(), disabled: e.disabled};",
    )
    .await;
    // Other documents of the project wait: finishing moves on to one of them.
    assert_eq!(shown, json!({"visible": true, "name": "Finish and next", "disabled": false}));
    press(c, &[Key::Enter.into()]).await;
    eventually(|| async {
        match document(&case.api, doc).await["is_reviewed"].as_bool() {
            Some(true) => Ok(()),
            other => Err(format!("is_reviewed {other:?}")),
        }
    })
    .await;
    eventually(|| async {
        match current_path(c).await {
            path if path.ends_with(&format!("/documents/{doc}")) => Err(format!("still on {path}")),
            _ => Ok(()),
        }
    })
    .await;
    assert_eq!(missing_records(&case.api, doc).await.len(), 3);
}

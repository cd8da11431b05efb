//! Browser test of what a reviewer sees: every screen passes axe-core and is saved at 1600×1000 and 1024×700;
//! values are readable and ten or more rows fit the panel; the toolbar is one row; a selected value shows its crop;
//! the label picker works by keyboard; finishing moves on; a failed document cannot be finished; deleting asks for
//! the name; a link survives the login; documents go into the training and test sets from the list.

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::Client;
use lectern_tests::browser::{
    assert_readable, click, count, eventually, fill, find, hover, line_count, log_in, look, press, rows_in_view,
    run_scenarios, text, wait_count, wait_text,
};
use lectern_tests::pdf::{self, Page};
use lectern_tests::Api as _;
use lectern_tests::{get_ok, scenarios, Client as Api, Server};
use serde_json::json;

const EMAIL: &str = "workspace@example.com";
/// The fields of the dense invoice, one line each, with a value per label.
const FIELDS: [(&str, &str); 14] = [
    ("Invoice number", "RE-2024-0815"),
    ("Invoice date", "12.03.2024"),
    ("Due date", "11.04.2024"),
    ("Customer", "Muster GmbH"),
    ("Customer number", "K-4711"),
    ("Order number", "B-99812"),
    ("VAT ID", "DE123456789"),
    ("IBAN", "DE02120300000000202051"),
    ("BIC", "BYLADEM1001"),
    ("Net", "1.250,00"),
    ("VAT", "237,50"),
    ("Gross", "1.487,50"),
    ("Currency", "EUR"),
    ("Payment terms", "30 days net"),
];

struct Case {
    base: String,
    api: Api,
    project: i64,
    dense: i64,
    /// Two one-label documents: finishing the first opens the second.
    first: i64,
    second: i64,
    /// A document whose processing failed.
    broken: i64,
    /// The single label of the short documents' category, to be deleted.
    short_label: i64,
}

fn main() {
    run_scenarios(
        setup,
        scenarios![
            every_screen_passes_axe,
            values_are_readable_and_dense,
            label_picker_by_keyboard,
            finishing_opens_the_next_document,
            a_failed_document_cannot_be_finished,
            deleting_asks_for_the_name,
            a_link_survives_the_login,
            training_data_from_the_list,
        ],
    );
}

fn line_text(i: usize) -> String {
    format!("{}: {}", FIELDS[i].0, FIELDS[i].1)
}

async fn setup(server: &Server) -> Case {
    let api = server.user(EMAIL).await;
    let project = api.create("/api/v3/projects/", json!({"name": "Workspace"})).await;
    let invoice = api.create("/api/v3/categories/", json!({"project": project, "name": "Invoice"})).await;
    let mut labels = Vec::new();
    for (name, _) in FIELDS {
        labels.push(
            api.create("/api/v3/labels/", json!({"project": project, "name": name, "label_sets": [invoice]})).await,
        );
    }
    let page = (0..FIELDS.len()).fold(Page::a4(), |p, i| p.text(72.0, 780.0 - 24.0 * i as f64, 11.0, &line_text(i)));
    let sync = [("sync", "True"), ("category", &invoice.to_string()[..])];
    let dense = api.upload_ok(project, "dense.pdf", pdf::document(&[page]), &sync).await;
    let text = dense["text"].as_str().unwrap().to_owned();
    let dense = dense["id"].as_i64().unwrap();
    for (i, (_, value)) in FIELDS.iter().enumerate() {
        let start = text[..text.find(value).unwrap()].chars().count();
        server.suggest(dense, labels[i], start, start + value.chars().count());
    }

    let short = api.create("/api/v3/categories/", json!({"project": project, "name": "Note"})).await;
    let short_label =
        api.create("/api/v3/labels/", json!({"project": project, "name": "Reference", "label_sets": [short]})).await;
    let sync = [("sync", "True"), ("category", &short.to_string()[..])];
    let mut notes = Vec::new();
    for name in ["first.pdf", "second.pdf"] {
        let pdf = pdf::document(&[Page::a4().text(72.0, 760.0, 12.0, "Reference 42")]);
        let doc = api.upload_ok(project, name, pdf, &sync).await["id"].as_i64().unwrap();
        server.suggest(doc, short_label, 10, 12);
        notes.push(doc);
    }
    let broken = api.upload_ok(project, "broken.pdf", b"%PDF-1.7 not really".to_vec(), &[("sync", "True")]).await;
    assert_eq!(broken["status_data"], 111, "{broken}");
    Case {
        base: server.base.clone(),
        api,
        project,
        dense,
        first: notes[0],
        second: notes[1],
        broken: broken["id"].as_i64().unwrap(),
        short_label,
    }
}

async fn open(c: &Client, case: &Case, doc: i64) {
    c.goto(&format!("{}/projects/{}/documents/{doc}", case.base, case.project)).await.unwrap();
    find(c, "[data-test=review][data-state=ready]").await;
    find(c, "[data-test=page][data-loaded=true]").await;
}

/// Each screen a person meets, at both sizes, through axe-core.
async fn every_screen_passes_axe(c: &Client, case: &Case) {
    let base = &case.base;
    c.goto(&format!("{base}/")).await.unwrap();
    find(c, "[data-test=login]").await;
    look(c, "login").await;
    log_in(c, base, EMAIL).await;
    find(c, "[data-test=projects] [data-test=row]").await;
    look(c, "projects").await;
    c.goto(&format!("{base}/projects/{}/setup", case.project)).await.unwrap();
    find(c, "[data-test=row]").await;
    look(c, "setup").await;
    c.goto(&format!("{base}/projects/{}/documents", case.project)).await.unwrap();
    find(c, "[data-test=document]").await;
    look(c, "documents").await;
    open(c, case, case.dense).await;
    look(c, "review").await;
    click(c, "[data-test=annotation] [data-test=annotation-text]").await;
    find(c, "[data-test=crop] img").await;
    look(c, "review-selected").await;
    c.goto(&format!("{base}/projects/{}/documents/{}/edit", case.project, case.dense)).await.unwrap();
    find(c, "[data-test=grid-page]").await;
    look(c, "edit").await;
    c.goto(&format!("{base}/projects/{}/ais", case.project)).await.unwrap();
    find(c, "[data-test=category-ais]").await;
    look(c, "ais").await;

    let sharing = json!({"public_documents": true, "embed_domains": []});
    let (status, body) = case.api.patch(&format!("/api/v3/projects/{}/sharing/", case.project), sharing).await;
    assert_eq!(status, 200, "{body}");
    c.goto(&format!("{base}/d/{}/", case.dense)).await.unwrap();
    find(c, "[data-test=page][data-loaded=true]").await;
    look(c, "public").await;
    c.goto(&format!("{base}/d/{}/?chrome=0", case.dense)).await.unwrap();
    find(c, "[data-test=page][data-loaded=true]").await;
    look(c, "embed").await;
    // A document that is not shared says so, instead of loading for ever.
    let sharing = json!({"public_documents": false});
    let (status, body) = case.api.patch(&format!("/api/v3/projects/{}/sharing/", case.project), sharing).await;
    assert_eq!(status, 200, "{body}");
    c.goto(&format!("{base}/d/{}/", case.dense)).await.unwrap();
    find(c, "[data-test=unavailable]").await;
    assert_eq!(count(c, "[data-test=error]").await, 0, "one message, not two");
    look(c, "public-refused").await;
}

/// The values are the centre of the panel: readable, ten rows or more at 1600×1000, actions on hover, the
/// toolbar one row; selecting a value shows its crop, copying its link says so, a search without hits says so.
async fn values_are_readable_and_dense(c: &Client, case: &Case) {
    log_in(c, &case.base, EMAIL).await;
    open(c, case, case.dense).await;
    wait_count(c, "[data-test=annotation]", FIELDS.len()).await;
    assert_readable(c, "[data-test=annotation-text]").await;
    let values: Vec<String> = lectern_tests::browser::texts(c, "[data-test=annotation-text]").await;
    for (_, value) in FIELDS {
        assert!(values.iter().any(|v| v == value), "{value} is shown: {values:?}");
    }
    let rows = rows_in_view(c, "[data-test=panel]", "[data-test=annotation]").await;
    assert!(rows >= 10, "only {rows} annotation rows are in view at 1600×1000");
    assert_eq!(line_count(c, ".review-toolbar").await, 1, "the toolbar is one row at 1600 px");
    assert_readable(c, "[data-test=confidence]").await;

    // Selecting a value shows the piece of the page it was read from.
    let first = "[data-test=annotation]:first-of-type";
    click(c, &format!("{first} [data-test=annotation-text]")).await;
    let crop = format!("{first} [data-test=crop] img");
    find(c, &crop).await;
    eventually(|| async {
        let script = "return document.querySelector(arguments[0]).naturalWidth";
        match c.execute(script, vec![json!(crop)]).await.unwrap().as_u64() {
            Some(w) if w > 0 => Ok(()),
            w => Err(format!("the crop's image has not loaded: {w:?}")),
        }
    })
    .await;
    click(c, &format!("{first} [data-test=copy-link]")).await;
    wait_text(c, &format!("{first} [data-test=copied]"), "Link copied").await;

    fill(c, "[data-test=search]", "Zebra").await;
    wait_text(c, "[data-test=no-hits]", "No hits").await;
    look(c, "review-dense").await;

    // German words are longer: the toolbar stays one row and the counters stay inside the panel.
    find(c, "[data-test=language]").await.select_by_value("de").await.unwrap();
    wait_text(c, "[data-test=finish-review]", "Abschließen und weiter").await;
    assert_eq!(line_count(c, ".review-toolbar").await, 1, "the toolbar is one row in German too");
    let script = "const p = document.querySelector('[data-test=panel]'), c = document.querySelector('[data-test=counters]');
                  return c.scrollWidth <= c.clientWidth && c.getBoundingClientRect().right <= p.getBoundingClientRect().right;";
    assert_eq!(c.execute(script, vec![]).await.unwrap(), json!(true), "the counters fit the panel in German");
    look(c, "review-german").await;
}

/// Words clicked into a selection open the picker with the first empty label chosen; typing filters, a digit
/// picks, Enter creates.
async fn label_picker_by_keyboard(c: &Client, case: &Case) {
    log_in(c, &case.base, EMAIL).await;
    open(c, case, case.first).await;
    click(c, "[data-test=word][data-text='Reference']").await;
    click(c, "[data-test=annotate-words]").await;
    find(c, "[data-test=label-picker]").await;
    let chosen = "[data-test=label-choice][aria-selected=true] [data-test=choice-name]";
    // The only label already has a value: with no empty label, the first is chosen.
    wait_text(c, chosen, "Note · Reference").await;
    fill(c, "[data-test=label-filter]", "zzz").await;
    find(c, "[data-test=no-label]").await;
    // Emptied again key by key, as a person would (clearing the field by WebDriver sends no input event).
    press(c, &[Key::Backspace.into(), Key::Backspace.into(), Key::Backspace.into()]).await;
    wait_count(c, "[data-test=no-label]", 0).await;
    press(c, &['1']).await;
    wait_text(c, chosen, "Note · Reference").await;
    look(c, "label-picker").await;
    press(c, &[Key::Enter.into()]).await;
    wait_count(c, "[data-test=label-picker]", 0).await;
    wait_count(c, "[data-test=annotation]", 2).await;
    // The second value goes again, so that the next scenario finds one suggestion to accept.
    let all = case.api.get_all(&format!("/api/v3/annotations/?document={}", case.first)).await;
    let made = all.iter().find(|a| a["created_by"] == EMAIL).expect("the new annotation");
    let (status, _) = case.api.delete(&format!("/api/v3/annotations/{}/", made["id"])).await;
    assert_eq!(status, 204);
}

/// Accepting the last suggestion and finishing opens the project's next unreviewed document.
async fn finishing_opens_the_next_document(c: &Client, case: &Case) {
    log_in(c, &case.base, EMAIL).await;
    open(c, case, case.first).await;
    hover(c, "[data-test=annotation]").await;
    click(c, "[data-test=annotation] [data-test=accept]").await;
    wait_text(c, "[data-test=count-pending]", "0").await;
    wait_text(c, "[data-test=finish-review]", "Finish and next").await;
    click(c, "[data-test=finish-review]:not([disabled])").await;
    let next = format!("/projects/{}/documents/{}", case.project, case.second);
    eventually(|| async {
        let path = c.current_url().await.unwrap().path().to_owned();
        if path == next {
            Ok(())
        } else {
            Err(format!("on {path}, not on {next}"))
        }
    })
    .await;
    find(c, "[data-test=review][data-state=ready]").await;
    let first = get_ok(&case.api, &format!("/api/v3/documents/{}/", case.first)).await;
    assert_eq!(first["is_reviewed"], true, "{first}");
}

/// A document whose processing failed says so, and finishing it is not offered.
async fn a_failed_document_cannot_be_finished(c: &Client, case: &Case) {
    log_in(c, &case.base, EMAIL).await;
    c.goto(&format!("{}/projects/{}/documents/{}", case.base, case.project, case.broken)).await.unwrap();
    find(c, "[data-test=processing-error]").await;
    let finish = find(c, "[data-test=finish-review]").await;
    assert_eq!(finish.prop("disabled").await.unwrap().as_deref(), Some("true"));
    assert_eq!(line_count(c, ".review-toolbar").await, 1);
}

/// Deleting a label takes its name typed out; until then nothing is deleted.
async fn deleting_asks_for_the_name(c: &Client, case: &Case) {
    log_in(c, &case.base, EMAIL).await;
    c.goto(&format!("{}/projects/{}/setup", case.base, case.project)).await.unwrap();
    let row = "[data-test=labels] [data-test=row][data-name='Reference']";
    click(c, &format!("{row} [data-test=delete]")).await;
    let confirm = format!("{row} [data-test=confirm]");
    let button = find(c, &confirm).await;
    assert_eq!(button.prop("disabled").await.unwrap().as_deref(), Some("true"));
    fill(c, &format!("{row} [data-test=confirm-name]"), "Referenc").await;
    assert_eq!(button.prop("disabled").await.unwrap().as_deref(), Some("true"));
    look(c, "delete-confirmation").await;
    let (status, _) = case.api.get(&format!("/api/v3/labels/{}/", case.short_label)).await;
    assert_eq!(status, 200, "nothing is deleted before the confirmation");
    fill(c, &format!("{row} [data-test=confirm-name]"), "Reference").await;
    click(c, &format!("{confirm}:not([disabled])")).await;
    wait_count(c, row, 0).await;
    let (status, _) = case.api.get(&format!("/api/v3/labels/{}/", case.short_label)).await;
    assert_eq!(status, 404);
}

/// A document's link opened while logged out leads to the login, without an error, and back to the document.
async fn a_link_survives_the_login(c: &Client, case: &Case) {
    let link = format!("/projects/{}/documents/{}", case.project, case.dense);
    c.goto(&format!("{}{link}", case.base)).await.unwrap();
    find(c, "[data-test=login]").await;
    assert_eq!(count(c, "[data-test=error]").await, 0, "no error before any attempt");
    fill(c, "#login-email", EMAIL).await;
    fill(c, "#login-password", lectern_tests::PASSWORD).await;
    click(c, "[data-test=login-submit]").await;
    find(c, "[data-test=review][data-state=ready]").await;
    assert_eq!(c.current_url().await.unwrap().path(), link);
    assert_eq!(text(c, "[data-test=document-name]").await, "dense.pdf");
}

/// Documents go into a dataset from the list: a click and a shift-click tick a range, one action sets them all,
/// and the list shows and filters by the dataset.
async fn training_data_from_the_list(c: &Client, case: &Case) {
    log_in(c, &case.base, EMAIL).await;
    c.goto(&format!("{}/projects/{}/documents", case.base, case.project)).await.unwrap();
    wait_count(c, "[data-test=document]", 4).await;
    let ids: Vec<String> = {
        let script = "return [...document.querySelectorAll('[data-test=document]')].map(r => r.dataset.id)";
        serde_json::from_value(c.execute(script, vec![]).await.unwrap()).unwrap()
    };
    click(c, &format!("[data-test=document][data-id='{}'] [data-test=select]", ids[0])).await;
    let third = find(c, &format!("[data-test=document][data-id='{}'] [data-test=select]", ids[2])).await;
    let shift_click = KeyActions::new("keys".into()).then(KeyAction::Down { value: Key::Shift.into() });
    c.perform_actions(shift_click).await.unwrap();
    third.click().await.unwrap();
    c.release_actions().await.unwrap();
    wait_text(c, "[data-test=selected-count]", "3 selected").await;
    look(c, "documents-selected").await;
    click(c, "[data-test=bulk-dataset] option[value='3']").await;
    click(c, "[data-test=apply-dataset]").await;
    for id in &ids[..3] {
        eventually(|| async move {
            match get_ok(&case.api, &format!("/api/v3/documents/{id}/")).await["dataset_status"].as_i64() {
                Some(3) => Ok(()),
                other => Err(format!("document {id} has dataset_status {other:?}")),
            }
        })
        .await;
        wait_text(c, &format!("[data-test=document][data-id='{id}'] [data-test=dataset]"), "Test").await;
    }
    let untouched = get_ok(&case.api, &format!("/api/v3/documents/{}/", ids[3])).await;
    assert_eq!(untouched["dataset_status"], 0, "{untouched}");
    click(c, "[data-test=filter-dataset] option[value='3']").await;
    wait_count(c, "[data-test=document]", 3).await;
}

//! Browser tests: on the AI models page, train an extraction AI for a category of generated invoices (real PDFs
//! annotated through the API), follow it to done and active and read the server's evaluation; see a category
//! without training documents fail with the server's reason; train the categorization AI; find the suggestions
//! awaiting review counted in the documents list; in a project of multi-page letters, train the splitting AI and
//! turn the splitting of uploads on, which a member of the project may not.

use std::collections::HashMap;
use std::time::Duration;

use fantoccini::Client;
use lectern_server::ai::corpus;
use lectern_tests::browser::{
    click, count, eventually, eventually_within, exists, find, log_in, run_scenarios, save_screenshot, text, texts,
    wait_checked, wait_text,
};
use lectern_tests::invoices::InvoiceProject;
use lectern_tests::letters::LetterProject;
use lectern_tests::Api as _;
use lectern_tests::{get_ok, scenarios, Client as Api, Server, StatusCode};
use serde_json::{json, Value};

const EMAIL: &str = "trainer@example.com";
/// A member of the letters project who is not its owner.
const MEMBER: &str = "member@example.com";

/// How long one training may take before the test gives up.
const TRAINING_TIMEOUT: Duration = Duration::from_secs(600);

/// What the page is tested against: the project, a category without documents, and a document outside the
/// training and test data with one stored AI suggestion; and the project of letters to split.
struct Case {
    base: String,
    invoices: InvoiceProject,
    empty_category: i64,
    suggested: i64,
    letters: i64,
    member: Api,
}

fn main() {
    run_scenarios(
        setup,
        scenarios![
            training_an_extraction_ai,
            training_waits_for_documents,
            training_the_categorization_ai,
            suggestions_to_review_in_the_documents_list,
            training_the_splitting_ai,
            owner_turns_split_uploads_on,
            member_may_not_change_split_uploads,
        ],
    );
}

async fn setup(server: &Server) -> Case {
    let invoices = InvoiceProject::create(server, EMAIL).await;
    let (train_set, test_set) = corpus::split(6, 3);
    for invoice in &train_set {
        invoices.add_invoice(invoice, 2).await;
    }
    for invoice in &test_set {
        invoices.add_invoice(invoice, 3).await;
    }
    let empty_category =
        invoices.client.create("/api/v3/categories/", json!({"project": invoices.project, "name": "Receipt"})).await;

    let extra = corpus::invoice(30_001);
    let category = invoices.category.to_string();
    let fields = [("sync", "True"), ("category", category.as_str())];
    let suggested = invoices.client.upload_ok(invoices.project, "extra.pdf", extra.pdf(), &fields).await;
    let suggested = suggested["id"].as_i64().unwrap();
    let value = &extra.annotations(|name| invoices.ids[name])[0];
    server.suggest(suggested, value.label, value.start, value.end);

    let letters = LetterProject::create(&invoices.client).await.project;
    let member = server.user(MEMBER).await;
    server.add_member(letters, MEMBER);

    Case { base: server.base.clone(), invoices, empty_category, suggested, letters, member }
}

/// A share as the page writes it in English.
fn percent(share: &Value) -> String {
    format!("{:.1}%", share.as_f64().unwrap_or_else(|| panic!("not a number: {share}")) * 100.0)
}

/// Waits until an AI in `section` has the status `status`; returns its id.
async fn wait_for_ai(c: &Client, section: &str, status: &str) -> i64 {
    let done = format!("{section} [data-test=ai][data-status={status}]");
    eventually_within(TRAINING_TIMEOUT, || async {
        match exists(c, &done).await {
            true => Ok(()),
            false => Err(format!("{section}: no AI {status}; statuses {:?}", texts(c, "[data-test=ai-status]").await)),
        }
    })
    .await;
    find(c, &done).await.attr("data-id").await.unwrap().unwrap().parse().unwrap()
}

/// The category has no AI yet; one is trained from the page, shows its progress, and becomes done and active with
/// the server's evaluation, in English and German.
async fn training_an_extraction_ai(c: &Client, case: &Case) {
    let Case { base, invoices, .. } = case;
    let api = &invoices.client;
    log_in(c, base, EMAIL).await;
    c.goto(&format!("{base}/projects/{}/documents", invoices.project)).await.unwrap();
    click(c, "[data-test=ais]").await;
    wait_text(c, "[data-test=project-name]", "Invoices").await;

    // The category has no AI yet; its Train button names the category.
    let section = format!("[data-test=category][data-category='{}']", invoices.category);
    wait_text(c, &format!("{section} [data-test=no-ais]"), "No AI trained yet.").await;
    let train = find(c, &format!("{section} [data-test=train]")).await;
    assert_eq!(train.attr("aria-label").await.unwrap().as_deref(), Some("Train new AI: Invoice"));
    train.click().await.unwrap();

    // Queued or training, the AI shows a progress bar (read at once, as the status may change meanwhile).
    let listed = format!("{section} [data-test=ai]");
    find(c, &listed).await;
    let seen = c
        .execute(
            "const ai = document.querySelector(arguments[0]);
             return [ai.dataset.status, ai.querySelector('[data-test=progress]') !== null];",
            vec![json!(listed)],
        )
        .await
        .unwrap();
    let training = matches!(seen[0].as_str(), Some("queued" | "training"));
    assert_eq!(seen[1].as_bool(), Some(training), "a progress bar exactly while training: {seen}");

    // Done and active, as the server says, with its evaluation.
    let id = wait_for_ai(c, &section, "done").await;
    let ai = get_ok(api, &format!("/api/v3/extraction-ais/{id}/")).await;
    assert_eq!((ai["status"].as_str(), ai["active"].as_bool()), (Some("done"), Some(true)), "{ai}");
    let item = format!("{section} [data-test=ai][data-id='{id}']");
    wait_text(c, &format!("{item}[data-active=true] [data-test=active]"), "Active").await;
    assert_eq!(text(c, &format!("{item} [data-test=ai-status]")).await, "Trained");
    assert_eq!(text(c, &format!("{item} [data-test=activation]")).await, ai["activation"].as_str().unwrap());
    assert_eq!(text(c, &format!("{item} [data-test=training-documents]")).await, "6");
    assert_eq!(text(c, &format!("{item} [data-test=test-documents]")).await, "3");
    assert_eq!((ai["training_documents"].as_i64(), ai["test_documents"].as_i64()), (Some(6), Some(3)));

    let evaluation = &ai["evaluation"];
    let names: HashMap<i64, &str> = invoices.ids.iter().map(|(name, (label, _))| (*label, *name)).collect();
    let strict = evaluation["strict"]["labels"].as_array().unwrap();
    let lenient = evaluation["lenient"]["labels"].as_array().unwrap();
    assert!(strict.len() >= 4, "{evaluation}");
    let expected: Vec<&str> = strict.iter().map(|l| names[&l["label"].as_i64().unwrap()]).collect();
    assert_eq!(texts(c, &format!("{item} [data-test=label-row] [data-test=label-name]")).await, expected);
    for (kind, labels) in [("strict", strict), ("lenient", lenient)] {
        for l in labels {
            let row = format!("{item} [data-test=label-row][data-label='{}']", l["label"]);
            for metric in ["precision", "recall", "f1"] {
                let shown = text(c, &format!("{row} [data-test={kind}-{metric}]")).await;
                assert_eq!(shown, percent(&l["metrics"][metric]), "{kind} {metric} of {row}");
            }
        }
        let overall = format!("{item} [data-test=overall-row] [data-test={kind}-f1]");
        assert_eq!(text(c, &overall).await, percent(&evaluation[kind]["overall"]["f1"]), "{kind} F1");
    }
    let headers = texts(c, &format!("{item} [data-test=evaluation] thead th")).await;
    assert_eq!(
        headers,
        [
            "Label",
            "Strict (exact position)",
            "Lenient (overlap)",
            "Precision",
            "Recall",
            "F1",
            "Precision",
            "Recall",
            "F1"
        ]
    );

    // In German too.
    find(c, "[data-test=language]").await.select_by_value("de").await.unwrap();
    let overall = format!("{item} [data-test=overall-row] [data-test=strict-f1]");
    let german = percent(&evaluation["strict"]["overall"]["f1"]).replace('.', ",").replace('%', " %");
    wait_text(c, &overall, &german).await;
    wait_text(c, &format!("{item} [data-test=ai-status]"), "Trainiert").await;
    find(c, "[data-test=language]").await.select_by_value("en").await.unwrap();
    wait_text(c, &format!("{item} [data-test=ai-status]"), "Trained").await;
    save_screenshot(c, "ais.png").await;
}

/// A category without training documents: the page counts what there is to learn from, gives the reason the server
/// would refuse a training, and offers none.
async fn training_waits_for_documents(c: &Client, case: &Case) {
    let Case { base, invoices, empty_category, .. } = case;
    let api = &invoices.client;
    log_in(c, base, EMAIL).await;
    c.goto(&format!("{base}/projects/{}/ais", invoices.project)).await.unwrap();
    let empty = format!("[data-test=category][data-category='{empty_category}']");
    // Before any training, the page says what there is to learn from, and why training cannot start.
    wait_text(
        c,
        &format!("{empty} [data-test=training-data]"),
        "Training documents: 0 (0 annotated) · Test documents: 0 (0 annotated)",
    )
    .await;
    let data = get_ok(api, &format!("/api/v3/projects/{}/training-data/", invoices.project)).await;
    let entry = data["categories"].as_array().unwrap().iter().find(|e| e["category"] == *empty_category).unwrap();
    let refusal = entry["refusal"].as_str().unwrap();
    assert!(refusal.contains("no processed training documents"), "{data}");
    wait_text(c, &format!("{empty} [data-test=training-refusal]"), refusal).await;
    let train = find(c, &format!("{empty} [data-test=train]")).await;
    assert_eq!(train.prop("disabled").await.unwrap().as_deref(), Some("true"), "the button waits for data");
    assert_eq!(count(c, &format!("{empty} [data-test=ai]")).await, 0, "no AI was made");
}

/// The categorization AI: trained on the invoices, evaluated per category.
async fn training_the_categorization_ai(c: &Client, case: &Case) {
    let Case { base, invoices, .. } = case;
    let api = &invoices.client;
    log_in(c, base, EMAIL).await;
    c.goto(&format!("{base}/projects/{}/ais", invoices.project)).await.unwrap();
    let section = "[data-test=category-ais]";
    click(c, &format!("{section} [data-test=train]")).await;
    let id = wait_for_ai(c, section, "done").await;
    let ai = get_ok(api, &format!("/api/v3/category-ais/{id}/")).await;
    assert_eq!(ai["status"], "done", "{ai}");
    let item = format!("{section} [data-test=ai][data-id='{id}']");
    wait_text(c, &format!("{item} [data-test=accuracy]"), &percent(&ai["evaluation"]["accuracy"])).await;
    assert_eq!(exists(c, &format!("{item} [data-test=active]")).await, ai["active"].as_bool().unwrap());
    let rows = ai["evaluation"]["categories"].as_array().unwrap();
    assert_eq!(texts(c, &format!("{item} [data-test=category-name]")).await, vec!["Invoice"; rows.len()]);
    assert!(!rows.is_empty(), "{ai}");
    for row in rows {
        let cell =
            format!("{item} [data-test=category-row][data-category='{}'] [data-test=category-f1]", row["category"]);
        assert_eq!(text(c, &cell).await, percent(&row["metrics"]["f1"]));
    }
}

/// An upload gets the active extraction AI's suggestions; the documents list counts those awaiting review.
async fn suggestions_to_review_in_the_documents_list(c: &Client, case: &Case) {
    let Case { base, invoices, suggested, .. } = case;
    let api = &invoices.client;
    active_extraction_ai(api, invoices.category).await;
    let new = corpus::invoice(30_002);
    let category = invoices.category.to_string();
    let fields = [("sync", "True"), ("category", category.as_str())];
    let new = api.upload_ok(invoices.project, "new.pdf", new.pdf(), &fields).await;
    let new = new["id"].as_i64().unwrap();
    let pending = get_ok(api, &format!("/api/v3/documents/{new}/")).await["review_counts"]["pending"].as_u64().unwrap();
    assert!(pending > 0, "the active AI suggests values");
    log_in(c, base, EMAIL).await;
    c.goto(&format!("{base}/projects/{}/ais", invoices.project)).await.unwrap();
    click(c, "[data-test=documents]").await;
    let cell = |id: i64| format!("[data-test=document][data-id='{id}'] [data-test=pending]");
    wait_text(c, &cell(new), &format!("{pending} to review")).await;
    wait_text(c, &cell(*suggested), "1 to review").await;
    // Annotated by a person only: nothing to review, nothing shown.
    let annotated =
        get_ok(api, &format!("/api/v3/documents/?project={}&dataset_status=2&limit=1", invoices.project)).await;
    let annotated = annotated["results"][0]["id"].as_i64().unwrap();
    wait_text(c, &cell(annotated), "").await;
    let headers = texts(c, "[data-test=document-table] thead th").await;
    assert_eq!(headers.last().map(String::as_str), Some("Suggestions to review"));
    save_screenshot(c, "documents-to-review.png").await;
}

/// The category's active extraction AI, trained through the API when there is none (when the scenario that trains
/// one on the page did not run first).
async fn active_extraction_ai(api: &Api, category: i64) {
    let ais = api.get_all("/api/v3/extraction-ais/").await;
    if ais.iter().any(|ai| ai["category"] == category && ai["active"] == true) {
        return;
    }
    let (code, ai) = api.post("/api/v3/extraction-ais/", json!({"category": category})).await;
    assert_eq!(code, StatusCode::CREATED, "{ai}");
    let path = format!("/api/v3/extraction-ais/{}/", ai["id"]);
    eventually_within(TRAINING_TIMEOUT, || async {
        let ai = get_ok(api, &path).await;
        match (ai["status"].as_str(), ai["active"].as_bool()) {
            (Some("done"), Some(true)) => Ok(()),
            _ => Err(format!("the extraction AI is not done and active: {ai}")),
        }
    })
    .await;
}

/// The splitting AI of the letters project, trained from the page: done and active with the server's scores.
async fn training_the_splitting_ai(c: &Client, case: &Case) {
    let (base, api, project) = (&case.base, &case.invoices.client, case.letters);
    log_in(c, base, EMAIL).await;
    c.goto(&format!("{base}/projects/{project}/ais")).await.unwrap();
    wait_text(c, "[data-test=project-name]", "Letters").await;
    let section = "[data-test=splitting-ais]";
    wait_text(c, &format!("{section} [data-test=no-ais]"), "No AI trained yet.").await;
    let train = find(c, &format!("{section} [data-test=train]")).await;
    assert_eq!(train.attr("aria-label").await.unwrap().as_deref(), Some("Train new AI: Splitting AI"));
    train.click().await.unwrap();

    let id = wait_for_ai(c, section, "done").await;
    let ai = get_ok(api, &format!("/api/v3/splitting-ais/{id}/")).await;
    assert_eq!((ai["status"].as_str(), ai["active"].as_bool()), (Some("done"), Some(true)), "{ai}");
    let item = format!("{section} [data-test=ai][data-id='{id}']");
    wait_text(c, &format!("{item}[data-active=true] [data-test=active]"), "Active").await;
    assert_eq!(text(c, &format!("{item} [data-test=ai-status]")).await, "Trained");
    assert_eq!(text(c, &format!("{item} [data-test=activation]")).await, ai["activation"].as_str().unwrap());
    for count in ["training_documents", "test_documents"] {
        let shown = text(c, &format!("{item} [data-test={}]", count.replace('_', "-"))).await;
        assert_eq!(shown, ai[count].to_string(), "{count}");
    }
    let evaluation = &ai["evaluation"];
    for count in ["documents", "bundles", "pages"] {
        let shown = text(c, &format!("{item} [data-test=evaluation] [data-test={count}]")).await;
        assert_eq!(shown, evaluation[count].to_string(), "{count} of {evaluation}");
    }
    let points = &evaluation["split_points"];
    assert!(points["f1"].as_f64().unwrap() > 0.0, "{evaluation}");
    for metric in ["precision", "recall", "f1"] {
        let shown = text(c, &format!("{item} [data-test=split-row] [data-test=split-{metric}]")).await;
        assert_eq!(shown, percent(&points[metric]), "{metric}");
    }
    let headers = texts(c, &format!("{item} [data-test=evaluation] th")).await;
    assert_eq!(headers, ["Precision", "Recall", "F1", "Split points"]);
    save_screenshot(c, "ais-splitting.png").await;
}

/// Sets the splitting of uploads of the letters project as its owner; returns the setting's path.
async fn set_split_uploads(case: &Case, on: bool) -> String {
    let setting = format!("/api/v3/projects/{}/splitting/", case.letters);
    let (code, body) = case.invoices.client.patch(&setting, json!({"split_uploads": on})).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    setting
}

/// The owner turns the splitting of uploads on; the page shows what the server now says, also after a reload.
async fn owner_turns_split_uploads_on(c: &Client, case: &Case) {
    let setting = set_split_uploads(case, false).await;
    let (base, api) = (&case.base, &case.invoices.client);
    log_in(c, base, EMAIL).await;
    c.goto(&format!("{base}/projects/{}/ais", case.letters)).await.unwrap();
    wait_checked(c, "[data-test=split-uploads]", false).await;
    click(c, "[data-test=split-uploads]").await;
    eventually(|| async {
        let now = get_ok(api, &setting).await;
        if now == json!({"split_uploads": true}) {
            Ok(())
        } else {
            Err(format!("the server says {now}"))
        }
    })
    .await;
    wait_checked(c, "[data-test=split-uploads]", true).await;
    c.refresh().await.unwrap();
    wait_checked(c, "[data-test=split-uploads]", true).await;
}

/// A member reads the setting but may not change it: the server's refusal shows, the switch stays on.
async fn member_may_not_change_split_uploads(c: &Client, case: &Case) {
    let setting = set_split_uploads(case, true).await;
    let (base, member) = (&case.base, &case.member);
    log_in(c, base, MEMBER).await;
    c.goto(&format!("{base}/projects/{}/ais", case.letters)).await.unwrap();
    wait_checked(c, "[data-test=split-uploads]", true).await;
    click(c, "[data-test=split-uploads]").await;
    let (code, refusal) = member.patch(&setting, json!({"split_uploads": false})).await;
    assert_eq!(code, StatusCode::FORBIDDEN, "{refusal}");
    wait_text(c, "[data-test=error-message]", refusal["detail"].as_str().unwrap()).await;
    wait_checked(c, "[data-test=split-uploads]", true).await;
    assert_eq!(get_ok(member, &setting).await, json!({"split_uploads": true}));
}

//! Browser tests: log in and out; set up a project (categories, labels, label sets) in Chromium, and see it survive
//! a reload.

use fantoccini::Client;
use lectern_api::ErrorBody;
use lectern_tests::browser::{
    click, eventually, exists, fill, find, log_in, run_scenarios, save_screenshot, wait_checked, wait_text, wait_values,
};
use lectern_tests::Api;
use lectern_tests::{scenarios, Server, StatusCode, PASSWORD};
use serde_json::{json, Value};

const EMAIL: &str = "reviewer@example.com";

/// Someone who only logs in and out, so that the logout (which deletes the user's one token) leaves the other
/// scenario's API client alone.
const VISITOR: &str = "visitor@example.com";

/// What the scenarios work against, and what the server says to the mistakes they make (the page must show exactly
/// this).
struct Case {
    base: String,
    api: lectern_tests::Client,
    wrong_password: String,
    empty_name: String,
}

fn main() {
    run_scenarios(setup, scenarios![logging_in_and_out, setting_up_a_project]);
}

async fn setup(server: &Server) -> Case {
    let api = server.user(EMAIL).await;
    server.user(VISITOR).await;
    let wrong_password = expect_refusal(
        server.anonymous().post("/api/v3/auth/", json!({"username": VISITOR, "password": "wrong"})).await,
    );
    let empty_name = expect_refusal(api.post("/api/v3/projects/", json!({"name": ""})).await);
    Case { base: server.base.clone(), api, wrong_password, empty_name }
}

/// The message a person reads from a refused call, which must be a 400.
fn expect_refusal((status, body): (StatusCode, Value)) -> String {
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let message = serde_json::from_value::<ErrorBody>(body).unwrap().message();
    assert!(!message.is_empty());
    message
}

/// Without a token every page leads to the login form; a wrong password gets the server's refusal, the right one
/// the projects; logging out drops the token, so a reload stays on the login form.
async fn logging_in_and_out(c: &Client, case: &Case) {
    let base = &case.base;
    c.goto(&format!("{base}/")).await.unwrap();
    fill(c, "#login-email", VISITOR).await;
    fill(c, "#login-password", "wrong").await;
    click(c, "[data-test=login-submit]").await;
    wait_text(c, "[data-test=error-message]", &case.wrong_password).await;

    fill(c, "#login-password", PASSWORD).await;
    click(c, "[data-test=login-submit]").await;
    wait_text(c, "main h1", "Projects").await;
    wait_text(c, "[data-test=user]", VISITOR).await;
    assert!(!exists(c, "[data-test=error]").await, "the old error is gone after a successful login");

    click(c, "[data-test=logout]").await;
    find(c, "#login-email").await;
    c.refresh().await.unwrap();
    find(c, "#login-email").await;
    assert!(!exists(c, "[data-test=user]").await, "nobody is shown as logged in");
}

/// Categories, labels and label sets made on the setup page survive a reload, and the server has them.
async fn setting_up_a_project(c: &Client, case: &Case) {
    let Case { base, api, empty_name, .. } = case;
    log_in(c, base, EMAIL).await;

    // A refused create shows the server's message; a good one lists the project.
    click(c, "[data-test=new-project] [data-test=create]").await;
    wait_text(c, "[data-test=error-message]", empty_name).await;
    create(c, "new-project", "Invoices 2024").await;
    wait_values(c, "[data-test=projects] [data-test=name]", &["Invoices 2024"]).await;
    click(c, "[data-test=projects] [data-test=setup]").await;
    wait_text(c, "[data-test=project-name]", "Invoices 2024").await;

    create(c, "new-category", "Invoice").await;
    wait_values(c, "[data-test=categories] [data-test=row] [data-test=name]", &["Invoice"]).await;
    find(c, "[data-test=new-label] [data-test=data-type]").await.select_by_value("Number").await.unwrap();
    create(c, "new-label", "Total").await;
    wait_values(c, "[data-test=labels] [data-test=row] [data-test=name]", &["Total"]).await;
    find(c, "[data-test=new-label] [data-test=data-type]").await.select_by_value("Date").await.unwrap();
    create(c, "new-label", "Date of issue").await;
    wait_values(c, "[data-test=labels] [data-test=row] [data-test=name]", &["Date of issue", "Total"]).await;

    click(c, "[data-test=new-label-set] [data-test=new-multiple]").await;
    create(c, "new-label-set", "Line items").await;
    wait_values(c, "[data-test=label-sets] [data-test=row] [data-test=name]", &["Line items"]).await;
    let set = "[data-test=label-sets] [data-test=row][data-name='Line items']";
    for (group, name) in [("link-categories", "Invoice"), ("link-labels", "Total"), ("link-labels", "Date of issue")] {
        click(c, &format!("{set} [data-test={group}] [data-name='{name}']")).await;
        // Each change is saved and reloaded before the next, as a person would wait for it.
        find(c, "[data-test=setup][aria-busy=false]").await;
    }
    // A label goes straight into the category, through the category's own default label set.
    let category = "[data-test=categories] [data-test=row][data-name='Invoice']";
    click(c, &format!("{category} [data-test=link-labels] [data-name='Total']")).await;
    find(c, "[data-test=setup][aria-busy=false]").await;
    // The page is disabled while it saves, which takes the focus; it comes back to the checkbox.
    eventually(|| async {
        let focused = c.active_element().await.unwrap();
        match focused.attr("data-name").await.unwrap() {
            Some(name) if name == "Total" => Ok(()),
            other => Err(format!("focus is on {other:?}, not on the checkbox")),
        }
    })
    .await;

    // After a reload everything comes from the server again.
    c.refresh().await.unwrap();
    wait_text(c, "[data-test=project-name]", "Invoices 2024").await;
    wait_values(c, "[data-test=categories] [data-test=row] [data-test=name]", &["Invoice"]).await;
    wait_values(c, "[data-test=labels] [data-test=row] [data-test=name]", &["Date of issue", "Total"]).await;
    wait_values(c, "[data-test=labels] [data-test=row][data-name='Total'] [data-test=data-type]", &["Number"]).await;
    wait_values(c, "[data-test=labels] [data-test=row][data-name='Date of issue'] [data-test=data-type]", &["Date"])
        .await;
    wait_values(c, "[data-test=label-sets] [data-test=row] [data-test=name]", &["Line items"]).await;
    wait_checked(c, &format!("{set} [data-test=multiple]"), true).await;
    wait_checked(c, &format!("{set} [data-test=link-categories] [data-name='Invoice']"), true).await;
    wait_checked(c, &format!("{set} [data-test=link-labels] [data-name='Total']"), true).await;
    wait_checked(c, &format!("{set} [data-test=link-labels] [data-name='Date of issue']"), true).await;
    wait_checked(c, &format!("{category} [data-test=link-labels] [data-name='Total']"), true).await;
    wait_checked(c, &format!("{category} [data-test=link-labels] [data-name='Date of issue']"), false).await;
    wait_text(c, &format!("{category} [data-test=used-label-sets]"), "Uses label sets: Line items").await;
    // The server agrees: the label is in the category's default label set, first in its schema.
    let id = api
        .get_all("/api/v3/categories/")
        .await
        .iter()
        .find(|c| c["name"] == "Invoice")
        .and_then(|c| c["id"].as_i64())
        .expect("the category made in the browser");
    let (status, invoice) = api.get(&format!("/api/v3/categories/{id}/")).await;
    assert_eq!(status, StatusCode::OK, "{invoice}");
    assert_eq!(invoice["schema"][0]["id"], id, "{invoice}");
    let names: Vec<&str> =
        invoice["schema"][0]["labels"].as_array().unwrap().iter().filter_map(|l| l["name"].as_str()).collect();
    assert_eq!(names, ["Total"], "{invoice}");
    let links = find(c, &format!("{set} [data-test=link-labels]")).await.text().await.unwrap();
    assert!(links.contains("Total") && links.contains("Date of issue"), "label names are shown: {links:?}");

    // The language switch changes the page's words, and survives a reload.
    find(c, "[data-test=language]").await.select_by_value("de").await.unwrap();
    wait_text(c, "#categories-title", "Kategorien").await;
    c.refresh().await.unwrap();
    wait_text(c, "#categories-title", "Kategorien").await;
    find(c, "[data-test=language]").await.select_by_value("en").await.unwrap();
    wait_text(c, "#categories-title", "Categories").await;
    save_screenshot(c, "project-setup.png").await;
}

/// Types a name into one of the page's create forms and submits it.
async fn create(c: &Client, form: &str, name: &str) {
    fill(c, &format!("[data-test={form}] [data-test=new-name]"), name).await;
    click(c, &format!("[data-test={form}] [data-test=create]")).await;
}

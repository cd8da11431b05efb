//! Browser test: upload documents on a project's documents page, watch the status reach "needs review", filter and sort.

use std::path::PathBuf;

use fantoccini::Client;
use lectern_api::ErrorBody;
use lectern_tests::browser::{
    click, eventually, eventually_within, find, log_in, run_scenarios, save_screenshot, text, texts, wait_count,
    wait_text,
};
use lectern_tests::pdf::{self, Page};
use lectern_tests::Api;
use lectern_tests::{scenarios, Server, StatusCode, PROCESSING_TIMEOUT};
use serde_json::json;

const EMAIL: &str = "uploader@example.com";
const ROW_NAMES: &str = "[data-test=document] [data-test=file-name]";

fn invoice_pdf(text: &str) -> Vec<u8> {
    pdf::document(&[Page::a4().text(72.0, 720.0, 14.0, text)])
}

/// Where the files a person picks to upload are, and what the server says to the one it cannot read.
struct Case {
    base: String,
    files: PathBuf,
    unsupported: String,
}

// One scenario: the filters and the sorting are tested on the table the upload has just filled.
fn main() {
    run_scenarios(setup, scenarios![uploading_filtering_and_sorting]);
}

async fn setup(server: &Server) -> Case {
    let api = server.user(EMAIL).await;
    let project = api.create("/api/v3/projects/", json!({"name": "Inbox"})).await;

    // One document is already reviewed, so that the status filter has something to tell apart.
    let reviewed = api.upload_ok(project, "reviewed.pdf", invoice_pdf("Invoice 1 Total 10.00"), &[]).await;
    let reviewed = reviewed["id"].as_i64().unwrap();
    api.wait_done(reviewed).await;
    let (status, body) = api.patch(&format!("/api/v3/documents/{reviewed}/"), json!({"is_reviewed": true})).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // What the server says to a file it cannot read; the page must show exactly this for that file.
    let (status, body) = api.upload(project, "notes.txt", b"just some notes".to_vec(), &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // The page shows the server's words without the field's name: the field is the file the row names.
    let refused = serde_json::from_value::<ErrorBody>(body).unwrap().messages();
    let unsupported = refused.into_iter().flat_map(|(_, texts)| texts).collect::<Vec<_>>().join(" ");

    let dir = std::env::temp_dir().join(format!("lectern-documents-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("invoice.pdf"), invoice_pdf("Invoice 42 Total 99.00")).unwrap();
    std::fs::write(dir.join("notes.txt"), "just some notes").unwrap();

    Case { base: server.base.clone(), files: dir, unsupported }
}

async fn uploading_filtering_and_sorting(c: &Client, case: &Case) {
    let Case { base, files, unsupported } = case;
    log_in(c, base, EMAIL).await;
    click(c, "[data-test=projects] [data-test=documents]").await;
    wait_text(c, "[data-test=project-name]", "Inbox").await;
    wait_rows(c, &["reviewed.pdf"]).await;
    wait_text(c, "[data-test=document][data-name='reviewed.pdf'] [data-test=status]", "Reviewed").await;
    assert_eq!(text(c, "[data-test=range]").await, "1–1 of 1");

    // The drop zone is in the tab order and says what it does.
    let zone = find(c, "[data-test=dropzone]").await;
    assert_eq!(zone.attr("tabindex").await.unwrap().as_deref(), Some("0"));
    assert_eq!(zone.attr("role").await.unwrap().as_deref(), Some("button"));

    // Two files at once through the picker: one is taken, the other refused in the server's words.
    let input = find(c, "[data-test=file-input]").await;
    let paths = [files.join("invoice.pdf"), files.join("notes.txt")].map(|p| p.display().to_string());
    input.send_keys(&paths.join("\n")).await.unwrap();
    find(c, "[data-test=upload][data-name='invoice.pdf'][data-state=done]").await;
    wait_text(c, "[data-test=upload][data-name='invoice.pdf'] [data-test=upload-message]", "Uploaded").await;
    wait_text(c, "[data-test=upload][data-name='notes.txt'] [data-test=upload-message]", unsupported).await;
    // A refused file shows no full progress bar: it says it was not uploaded.
    wait_count(c, "[data-test=upload][data-name='notes.txt'] progress", 0).await;
    wait_text(c, "[data-test=upload][data-name='notes.txt'] .failed:not([data-test])", "Not uploaded").await;
    find(c, "[data-test=uploads][aria-live=polite]").await;

    // The new document is listed at once (newest first) and its status follows processing without a reload.
    wait_rows(c, &["invoice.pdf", "reviewed.pdf"]).await;
    let status = "[data-test=document][data-name='invoice.pdf'] [data-test=status]";
    eventually_within(PROCESSING_TIMEOUT, || async {
        match text(c, status).await.as_str() {
            "Needs review" => Ok(()),
            other => Err(format!("invoice.pdf is still {other:?}")),
        }
    })
    .await;
    wait_text(c, "[data-test=document][data-name='invoice.pdf'] [data-test=pages]", "1").await;

    // The status filter narrows the table, and "All" widens it again.
    let filter = find(c, "[data-test=filter-status]").await;
    filter.clone().select_by_value("needs-review").await.unwrap();
    wait_rows(c, &["invoice.pdf"]).await;
    filter.clone().select_by_value("reviewed").await.unwrap();
    wait_rows(c, &["reviewed.pdf"]).await;
    filter.clone().select_by_value("error").await.unwrap();
    wait_rows(c, &[]).await;
    find(c, "[data-test=no-documents]").await;
    filter.select_by_value("").await.unwrap();
    wait_rows(c, &["invoice.pdf", "reviewed.pdf"]).await;

    // A column header orders the table, a second click reverses it.
    click(c, "[data-test=sort-data_file_name]").await;
    wait_rows(c, &["invoice.pdf", "reviewed.pdf"]).await;
    click(c, "[data-test=sort-data_file_name]").await;
    wait_rows(c, &["reviewed.pdf", "invoice.pdf"]).await;
    let header = find(c, "th:has([data-test=sort-data_file_name])").await;
    assert_eq!(header.attr("aria-sort").await.unwrap().as_deref(), Some("descending"));

    // In German too.
    find(c, "[data-test=language]").await.select_by_value("de").await.unwrap();
    wait_text(c, "[data-test=document][data-name='invoice.pdf'] [data-test=status]", "Zu prüfen").await;
    find(c, "[data-test=language]").await.select_by_value("en").await.unwrap();
    wait_text(c, "[data-test=document][data-name='invoice.pdf'] [data-test=status]", "Needs review").await;
    save_screenshot(c, "documents.png").await;
    let _ = std::fs::remove_dir_all(files);
}

/// Waits until the table lists exactly these file names, in this order.
async fn wait_rows(c: &Client, expected: &[&str]) {
    eventually(|| async move {
        let names = texts(c, ROW_NAMES).await;
        if names == expected {
            Ok(())
        } else {
            Err(format!("expected rows {expected:?}, the page shows {names:?}"))
        }
    })
    .await;
}

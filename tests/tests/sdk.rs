//! The official Python SDK, konfuzio-sdk (installed by scripts/setup.sh into .tools/sdk-venv), against the real server:
//! token, project load, upload, text, boxes, page image, annotation save, reload, revise, soft delete, delete.

use std::process::Command;

use lectern_tests::pdf::{document, Page};
use lectern_tests::Api;
use lectern_tests::Server;

#[tokio::test]
async fn the_konfuzio_sdk_runs_its_review_scenario() {
    let server = Server::start().await;
    let client = server.user("sdk@example.com").await;
    let fixture = client.fixture("SDK project").await;

    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let work = std::env::temp_dir().join(format!("lectern-sdk-{}-{}", std::process::id(), fixture.project));
    std::fs::create_dir_all(&work).unwrap();
    let pdf = work.join("invoice.pdf");
    let page = Page::a4().text(72.0, 760.0, 12.0, "Invoice 2024-001").text(72.0, 700.0, 12.0, "Total 9,50 EUR");
    std::fs::write(&pdf, document(&[page, Page::a4().text(72.0, 760.0, 12.0, "Page two")])).unwrap();

    let python = root.join(".tools/sdk-venv/bin/python");
    let out = Command::new(&python)
        .arg(root.join("tests/sdk/scenario.py"))
        .current_dir(&work)
        .env("KONFUZIO_HOST", &server.base)
        .env("KONFUZIO_USER", "sdk@example.com")
        .env("KONFUZIO_TOKEN", client.token.as_deref().unwrap())
        .env("PROJECT", fixture.project.to_string())
        .env("PDF", &pdf)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {} (scripts/setup.sh installs it): {e}", python.display()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    std::fs::remove_dir_all(&work).ok();
    assert!(out.status.success() && stdout.contains("SDK SCENARIO OK"), "stdout:\n{stdout}\nstderr:\n{stderr}");
}

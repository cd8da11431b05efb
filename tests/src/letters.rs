//! A project to train splitting and categorization AIs in: generated multi-page letters of every kind, drawn
//! as real PDFs and uploaded through the real pipeline as training and test documents of their category.

use std::time::{Duration, Instant};

use lectern_server::ai::corpus::{paged_letter, LETTER_KINDS};
use serde_json::{json, Value};

use crate::pdf::{self, Page};
use crate::{get_ok, Api, Client, StatusCode};

/// Training letters of each kind; two more of each are test documents.
pub const TRAINING_PER_KIND: u64 = 10;
const TEST_PER_KIND: u64 = 2;
/// How long one training may take before a test gives up.
const TRAINING_TIMEOUT: Duration = Duration::from_secs(120);

/// Letters, each as the text lines of its pages, drawn one page after the other into one PDF.
pub fn pdf_of(letters: &[Vec<Vec<String>>]) -> Vec<u8> {
    let pages: Vec<Page> = letters
        .iter()
        .flatten()
        .map(|lines| {
            let draw = |page: Page, (n, line): (usize, &String)| page.text(50.0, 780.0 - 20.0 * n as f64, 10.0, line);
            lines.iter().enumerate().fold(Page::a4(), draw)
        })
        .collect();
    pdf::document(&pages)
}

/// Three letters, one of each kind, as a scanner would bundle them.
pub fn bundle(seed: u64) -> Vec<Vec<Vec<String>>> {
    (0..LETTER_KINDS.len()).map(|kind| paged_letter(kind, seed + kind as u64)).collect()
}

/// Uploads `letters` as one PDF and waits for the end of processing (or status 41).
pub async fn upload(client: &Client, project: i64, letters: &[Vec<Vec<String>>], fields: &[(&str, &str)]) -> Value {
    let mut all = vec![("sync", "True")];
    all.extend_from_slice(fields);
    client.upload_ok(project, "scan.pdf", pdf_of(letters), &all).await
}

/// A project "Letters" with a category per letter kind and, in each, training and test letters.
pub struct LetterProject {
    pub project: i64,
    /// The category of each letter kind, in the order of `LETTER_KINDS`.
    pub categories: Vec<i64>,
}

impl LetterProject {
    pub async fn create(client: &Client) -> LetterProject {
        let project = client.create("/api/v3/projects/", json!({"name": "Letters"})).await;
        let mut categories = Vec::new();
        for (name, _) in LETTER_KINDS {
            categories.push(client.create("/api/v3/categories/", json!({"project": project, "name": name})).await);
        }
        for (kind, category) in categories.iter().enumerate() {
            let category = category.to_string();
            for seed in 0..TRAINING_PER_KIND + TEST_PER_KIND {
                let dataset_status = if seed < TRAINING_PER_KIND { "2" } else { "3" };
                let fields = [("category", category.as_str()), ("dataset_status", dataset_status)];
                let doc = upload(client, project, &[paged_letter(kind, seed)], &fields).await;
                assert_eq!(doc["status_data"], 2, "{doc}");
            }
        }
        LetterProject { project, categories }
    }

    /// Trains an AI of the project at `ais` (`/api/v3/splitting-ais/` or `/api/v3/category-ais/`) and waits for
    /// the end of its training; returns the AI's detail.
    pub async fn train(&self, client: &Client, ais: &str) -> Value {
        train(client, ais, self.project).await
    }

    /// Turns on splitting of uploads, trains a splitting AI and a categorization AI, and checks both are active.
    pub async fn split_uploads(&self, client: &Client) {
        for ais in ["/api/v3/splitting-ais/", "/api/v3/category-ais/"] {
            let ai = self.train(client, ais).await;
            assert_eq!((ai["status"].as_str(), ai["active"].as_bool()), (Some("done"), Some(true)), "{ai}");
        }
        let (code, body) = client
            .patch(&format!("/api/v3/projects/{}/splitting/", self.project), json!({"split_uploads": true}))
            .await;
        assert_eq!(code, StatusCode::OK, "{body}");
    }
}

/// Starts training an AI of `project` at `ais` and waits for its end; returns the AI's detail.
pub async fn train(client: &Client, ais: &str, project: i64) -> Value {
    let (code, ai) = client.post(ais, json!({"project": project})).await;
    assert_eq!(code, StatusCode::CREATED, "{ai}");
    assert_eq!((ai["status"].as_str(), ai["active"].as_bool()), (Some("queued"), Some(false)), "{ai}");
    let deadline = Instant::now() + TRAINING_TIMEOUT;
    loop {
        let ai = get_ok(client, &format!("{ais}{}/", ai["id"])).await;
        if matches!(ai["status"].as_str(), Some("done" | "failed")) {
            return ai;
        }
        assert!(Instant::now() < deadline, "AI not trained after {TRAINING_TIMEOUT:?}: {ai}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

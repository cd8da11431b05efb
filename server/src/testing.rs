//! The store tests' fixture: a fresh database per test (SQLite, or PostgreSQL when `LECTERN_TEST_PG` names a
//! cluster), an `AppState` over it with files in a temporary folder, and builders made of the domain's own calls.

use std::fmt::Debug;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use lectern_api::annotations::{AnnotationWrite, SpanInput};
use lectern_api::documents::{Document, DocumentWrite};
use lectern_api::{CategoryWrite, LabelSetWrite, LabelWrite, ProjectWrite};
use sqlx::Connection;

use crate::config::Config;
use crate::db::{self, Db};
use crate::domain::annotations::write::{self, Suggestion};
use crate::domain::documents::processing::{self, ReadText, RenderedPage, Timings};
use crate::domain::documents::upload::{self, ReceivedFile, Upload};
use crate::domain::schema::{categories, label_sets, labels};
use crate::domain::{documents, projects, users};
use crate::error::{Error, Result};
use crate::pipeline::layout::{assemble, tests::line, PageContent};
use crate::sample_pdf::{self, A4};
use crate::state::AppState;

/// The password of every user the fixture makes.
pub const PASSWORD: &str = "password-1";

/// The lines of each page of the invoice `Fixture::document` makes.
pub const INVOICE: &[&[&str]] =
    &[&["Invoice 42", "Date: 2026-01-31", "Total: 9,50 EUR"], &["Item Pen 2,00", "Item Ink 7,50"]];

static NEXT: AtomicU32 = AtomicU32::new(0);

pub struct Fixture {
    pub state: AppState,
    dir: PathBuf,
    /// The admin URL and the name of the test's PostgreSQL database, dropped with the fixture.
    postgres: Option<(String, String)>,
}

impl Fixture {
    pub async fn new() -> Fixture {
        sqlx::any::install_default_drivers();
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("lectern-store-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let admin = std::env::var("LECTERN_TEST_PG").ok().filter(|s| !s.is_empty());
        let (url, postgres) = match admin {
            Some(admin) => {
                let name = format!("lectern_store_{}_{n}", std::process::id());
                let mut conn = sqlx::AnyConnection::connect(&admin).await.unwrap();
                sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.unwrap();
                let (base, _) = admin.rsplit_once('/').expect("the admin URL ends with /dbname");
                (format!("{base}/{name}"), Some((admin, name)))
            }
            None => (format!("sqlite://{}?mode=rwc", dir.join("lectern.db").display()), None),
        };
        let db = db::connect(&url).await.unwrap();
        let config = Config {
            data_dir: dir.clone(),
            database_url: Some(url),
            storage_url: None,
            pdfium_lib: PathBuf::from(".tools/pdfium/libpdfium.so"),
            max_upload_mb: 200,
            workers: 0,
            job_stale_secs: 120,
            webhook_allow: Vec::new(),
            cors_origins: Vec::new(),
        };
        Fixture { state: AppState::new(db, config).unwrap(), dir, postgres }
    }

    pub fn db(&self) -> &Db {
        &self.state.db
    }

    /// A new user with `PASSWORD`.
    pub async fn user(&self, email: &str) -> i64 {
        users::upsert_user(self.db(), email, PASSWORD).await.unwrap()
    }

    /// A project named `name` owned by `owner`.
    pub async fn project(&self, owner: i64, name: &str) -> i64 {
        projects::create(self.db(), owner, ProjectWrite { name: Some(name.into()), ..ProjectWrite::default() })
            .await
            .unwrap()
    }

    /// Makes `user` a member of `project` (there is no API for it yet).
    pub async fn add_member(&self, project: i64, user: i64) {
        sqlx::query("INSERT INTO project_members (project_id, user_id, role) VALUES ($1, $2, 'member')")
            .bind(project)
            .bind(user)
            .execute(self.db())
            .await
            .unwrap();
    }

    /// A project "Invoices" of owner@example.com with member@example.com, and stranger@example.com outside it.
    pub async fn team(&self) -> Team {
        let owner = self.user("owner@example.com").await;
        let member = self.user("member@example.com").await;
        let stranger = self.user("stranger@example.com").await;
        let project = self.project(owner, "Invoices").await;
        self.add_member(project, member).await;
        Team { owner, member, stranger, project }
    }

    /// A category named `name` in `project`, with its own label set.
    pub async fn category(&self, project: i64, name: &str) -> i64 {
        categories::create(self.db(), project, CategoryWrite { name: Some(name.into()), ..CategoryWrite::default() })
            .await
            .unwrap()
    }

    /// The category "Invoice" of the project, whose own label set holds "Total" and "Date", with the repeating
    /// label set "Line item" ("Item", "Amount") linked to it.
    pub async fn schema(&self, project: i64) -> Schema {
        let db = self.db();
        let category = self.category(project, "Invoice").await;
        let label = |name: &str, set: i64| {
            let body = LabelWrite { name: Some(name.into()), label_sets: Some(vec![set]), ..LabelWrite::default() };
            labels::create(db, project, body)
        };
        let total = label("Total", category).await.unwrap();
        let date = label("Date", category).await.unwrap();
        let line_item = LabelSetWrite {
            name: Some("Line item".into()),
            has_multiple_annotation_sets: Some(true),
            categories: Some(vec![category]),
            ..LabelSetWrite::default()
        };
        let line_item = label_sets::create(db, project, line_item).await.unwrap();
        let item = label("Item", line_item).await.unwrap();
        let amount = label("Amount", line_item).await.unwrap();
        Schema { category, total, date, line_item, item, amount }
    }

    /// Uploads a PDF of `INVOICE` as `user` and stores what processing reads from it; the document is done
    /// (status 2).
    pub async fn document(&self, user: i64, project: i64, category: Option<i64>) -> i64 {
        let id = self.upload(user, project, category).await;
        self.process(id, INVOICE).await;
        id
    }

    /// Uploads a PDF of `INVOICE` as `user`; the document waits for processing (status 0).
    pub async fn upload(&self, user: i64, project: i64, category: Option<i64>) -> i64 {
        let pdf = invoice_pdf();
        let path = self.file(&pdf);
        upload::create(&self.state, user, upload_of(project, category, received("invoice.pdf", &path, &pdf)))
            .await
            .unwrap()
    }

    /// Writes `bytes` to a new file in the fixture's folder, as an upload receives them.
    pub fn file(&self, bytes: &[u8]) -> PathBuf {
        let path = self.dir.join(format!("upload-{}", documents::random_hex()));
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// Stores what processing would read from pages with these lines (Courier 10 pt, as the uploaded PDF draws
    /// them): the pages, the text with its character boxes, then status 2.
    pub async fn process(&self, id: i64, pages: &[&[&str]]) {
        let pages = page_contents(pages);
        for (i, page) in pages.iter().enumerate() {
            let rendered = RenderedPage {
                size: [page.width, page.height],
                image: b"page",
                image_size: [595, 842],
                thumbnail: b"thumbnail",
            };
            processing::store_page(&self.state, id, i + 1, rendered).await.unwrap();
        }
        let text = assemble(&pages);
        let read = ReadText {
            text: &text.text,
            chars: &text.chars,
            words: &text.words,
            ocr_pdf: None,
            producer: Some("Lectern tests"),
        };
        processing::store_text(&self.state, id, read).await.unwrap();
        let timings = Timings { ocr: 0.5, categorization: 0.25, extraction: 0.125, total: 1.0 };
        processing::finish(&self.state, id, timings, false).await.unwrap();
    }

    /// A fixture with owner@example.com's project "Invoices" and its `schema`, and no document yet.
    pub async fn with_schema() -> (Fixture, InvoiceProject) {
        let fx = Fixture::new().await;
        let owner = fx.user("owner@example.com").await;
        let project = fx.project(owner, "Invoices").await;
        let schema = fx.schema(project).await;
        (fx, InvoiceProject { owner, project, schema })
    }

    /// A fixture with owner@example.com's project "Invoices", its `schema` and one processed invoice of the
    /// category.
    pub async fn with_invoice() -> (Fixture, Invoice) {
        let (fx, InvoiceProject { owner, project, schema }) = Fixture::with_schema().await;
        let doc = fx.document(owner, project, Some(schema.category)).await;
        (fx, Invoice { owner, project, schema, doc })
    }

    pub async fn load(&self, document: i64) -> Document {
        documents::load_one(self.db(), document).await.unwrap().expect("the document exists")
    }

    /// Puts the documents in the dataset `dataset_status` (2 training, 3 test).
    pub async fn dataset(&self, documents: &[i64], dataset_status: i64) {
        for id in documents {
            let body = DocumentWrite { dataset_status: Some(dataset_status), ..DocumentWrite::default() };
            documents::review::update(self.db(), self.load(*id).await, body).await.unwrap();
        }
    }

    /// Two processed invoices (of two pages) of the schema's category in the training set, the first with a
    /// "Total" made by `user`: enough for an AI of every kind to be trained. Returns their ids.
    pub async fn training_set(&self, user: i64, project: i64, schema: &Schema) -> [i64; 2] {
        let first = self.document(user, project, Some(schema.category)).await;
        let second = self.document(user, project, Some(schema.category)).await;
        self.annotate(user, first, schema.total, "9,50").await;
        self.dataset(&[first, second], 2).await;
        [first, second]
    }

    /// An annotation of `label` over the first `needle` of the invoice's text, made by `user`.
    pub async fn annotate(&self, user: i64, document: i64, label: i64, needle: &str) -> i64 {
        write::create(&self.state, Some(user), vec![(annotation(document, label, needle), None)]).await.unwrap()[0]
    }

    /// An AI suggestion of `label` over the first `needle` of the invoice's text.
    pub async fn suggest(&self, document: i64, label: i64, needle: &str) -> i64 {
        let (start, end) = offsets(needle);
        let suggestion =
            Suggestion { label, label_set: None, start_offset: start, end_offset: end, confidence: 0.75, group: None };
        write::suggest(&self.state, document, &[suggestion]).await.unwrap()[0]
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some((admin, name)) = self.postgres.take() {
            // Async code cannot run on the test's runtime from here: a thread with a runtime of its own drops the
            // database, and FORCE ends the connections the pool still holds.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
                runtime.block_on(async {
                    let mut conn = sqlx::AnyConnection::connect(&admin).await?;
                    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)")).execute(&mut conn).await?;
                    anyhow::Ok(())
                })
            })
            .join();
        }
    }
}

/// Three users and a project: what `Fixture::team` makes.
pub struct Team {
    pub owner: i64,
    pub member: i64,
    pub stranger: i64,
    pub project: i64,
}

/// What `Fixture::schema` made.
#[derive(Debug, Clone, Copy)]
pub struct Schema {
    pub category: i64,
    pub total: i64,
    pub date: i64,
    pub line_item: i64,
    pub item: i64,
    pub amount: i64,
}

/// What `Fixture::with_schema` made.
#[derive(Debug, Clone, Copy)]
pub struct InvoiceProject {
    pub owner: i64,
    pub project: i64,
    pub schema: Schema,
}

/// What `Fixture::with_invoice` made.
#[derive(Debug, Clone, Copy)]
pub struct Invoice {
    pub owner: i64,
    pub project: i64,
    pub schema: Schema,
    pub doc: i64,
}

/// A PDF of `INVOICE`, one page per page, Courier 10 pt.
pub fn invoice_pdf() -> Vec<u8> {
    let pages: Vec<sample_pdf::Page> = INVOICE
        .iter()
        .map(|lines| {
            let mut page = sample_pdf::Page::a4();
            for (i, text) in lines.iter().enumerate() {
                page = page.text(72.0, 770.0 - 20.0 * i as f64, 10.0, text);
            }
            page
        })
        .collect();
    sample_pdf::document(&pages)
}

/// A file named `name` received at `path`, holding `bytes`.
pub fn received<'a>(name: &str, path: &'a Path, bytes: &[u8]) -> ReceivedFile<'a> {
    ReceivedFile { name: name.into(), path, size: bytes.len() as u64, head: bytes[..bytes.len().min(64)].to_vec() }
}

/// An upload of `file` to the project with nothing else sent.
pub fn upload_of(project: i64, category: Option<i64>, file: ReceivedFile<'_>) -> Upload<'_> {
    Upload {
        file: Some(file),
        project: Some(project),
        category,
        callback_url: None,
        callback_status_code: None,
        dataset_status: None,
        assignee: None,
    }
}

/// Pages of A4 with these lines, 20 points apart from the top, in Courier 10 pt (6 points a character).
pub fn page_contents(pages: &[&[&str]]) -> Vec<PageContent> {
    pages
        .iter()
        .map(|lines| PageContent {
            width: A4[0],
            height: A4[1],
            lines: lines.iter().enumerate().map(|(i, text)| line(72.0, 770.0 - 20.0 * i as f64, text)).collect(),
        })
        .collect()
}

/// The text of the invoice as processing stores it.
pub fn invoice_text() -> String {
    assemble(&page_contents(INVOICE)).text
}

/// The character offsets `[start, end)` of the first `needle` in the invoice's text.
pub fn offsets(needle: &str) -> (usize, usize) {
    let text = invoice_text();
    let at = text.find(needle).unwrap_or_else(|| panic!("{needle:?} is not in the invoice"));
    let start = text[..at].chars().count();
    (start, start + needle.chars().count())
}

/// A span over the first `needle` of the invoice's text.
pub fn span(needle: &str) -> SpanInput {
    let (start, end) = offsets(needle);
    SpanInput { start_offset: Some(start), end_offset: Some(end), ..SpanInput::default() }
}

/// The write of an annotation of `label` over the first `needle` of the invoice's text.
pub fn annotation(document: i64, label: i64, needle: &str) -> AnnotationWrite {
    AnnotationWrite {
        document: Some(document),
        label: Some(label),
        span: Some(vec![span(needle)]),
        ..AnnotationWrite::default()
    }
}

/// A refusal as a client reads it: the HTTP status and the message, `field: message` for a field's.
pub fn refusal<T: Debug>(result: Result<T>) -> String {
    match result.expect_err("the call is refused") {
        Error::NotFound => "404 Not found.".into(),
        Error::Forbidden(m) => format!("403 {m}"),
        Error::BadRequest(m) => format!("400 {m}"),
        Error::NotReady(m) => format!("428 {m}"),
        Error::TooManyRequests(m) => format!("429 {m}"),
        Error::Fields(fields) => {
            let each: Vec<String> = fields.iter().map(|(field, m)| format!("{field}: {}", m.join(" "))).collect();
            format!("400 {}", each.join("; "))
        }
        other => panic!("not a refusal: {other:?}"),
    }
}

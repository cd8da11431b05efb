//! Test harness: starts the real `lectern-server` binary on a free loopback port with its own database, or
//! runs its router in-process (`app::TestApp`) for the HTTP contract tests.
//!
//! The binary comes from `LECTERN_SERVER_BIN` (the test command builds it once); the backend from
//! `LECTERN_TEST_PG`: unset means a fresh SQLite file, a `postgres://` admin URL means a fresh
//! database created on that cluster for each server.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub mod app;
pub mod browser;
pub mod imports;
pub mod invoices;
pub mod letters;
/// PDFs for tests: the server's sample PDF writer.
pub use lectern_server::sample_pdf as pdf;

pub use reqwest::StatusCode;

static NEXT_DB: AtomicU32 = AtomicU32::new(0);

/// The password `Server::user` gives every account.
pub const PASSWORD: &str = "secret-pass-1";

/// A running server; killed and its data removed when dropped.
pub struct Server {
    pub base: String,
    child: Child,
    data_dir: PathBuf,
    http: reqwest::Client,
    port: u16,
    database_url: Option<String>,
    dist: Option<PathBuf>,
    env: Vec<(String, String)>,
}

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn server_bin() -> PathBuf {
    if let Ok(bin) = std::env::var("LECTERN_SERVER_BIN") {
        return PathBuf::from(bin);
    }
    let target =
        std::env::var("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|_| workspace_root().join("target"));
    target.join("debug").join("lectern-server")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The database URL for a new server: a fresh PostgreSQL database or `None` for SQLite in the data dir.
pub(crate) fn fresh_database() -> Option<String> {
    let admin = std::env::var("LECTERN_TEST_PG").ok().filter(|s| !s.is_empty())?;
    let name = format!("lectern_t{}_{}", std::process::id(), NEXT_DB.fetch_add(1, Ordering::SeqCst));
    let status = Command::new("psql")
        .args([admin.as_str(), "-q", "-c", &format!("CREATE DATABASE {name}")])
        .stdout(Stdio::null())
        .status()
        .expect("psql runs");
    assert!(status.success(), "could not create database {name}");
    let (base, _) = admin.rsplit_once('/').expect("admin URL ends with /dbname");
    Some(format!("{base}/{name}"))
}

/// The environment every server and CLI run gets: pdfium from setup.sh, loopback webhooks allowed, stale
/// jobs taken up again after 2 s (so a restart test does not wait long), single-threaded OCR.
pub(crate) fn base_env() -> Vec<(String, String)> {
    let pdfium = std::env::var("PDFIUM_LIB")
        .unwrap_or_else(|_| workspace_root().join(".tools/pdfium/libpdfium.so").display().to_string());
    [
        ("PDFIUM_LIB", pdfium),
        ("LECTERN_WEBHOOK_ALLOW", "127.0.0.1".into()),
        ("LECTERN_JOB_STALE_SECS", "2".into()),
        ("OMP_THREAD_LIMIT", "1".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

impl Server {
    /// Starts a server with an empty database; `dist` points at the built SPA when given.
    pub async fn start_with(dist: Option<PathBuf>) -> Server {
        Server::launch(dist, &[]).await
    }

    /// Starts a server with an empty database and extra environment variables (e.g. `LECTERN_MAX_UPLOAD_MB`).
    pub async fn start_env(env: &[(&str, &str)]) -> Server {
        Server::launch(None, env).await
    }

    async fn launch(dist: Option<PathBuf>, extra: &[(&str, &str)]) -> Server {
        let port = free_port();
        let data_dir = std::env::temp_dir().join(format!("lectern-test-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&data_dir).unwrap();
        let mut env = base_env();
        env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let database_url = fresh_database();
        let child = Server::spawn(port, &data_dir, database_url.as_deref(), dist.as_deref(), &env);
        let mut server = Server {
            base: format!("http://127.0.0.1:{port}"),
            child,
            data_dir,
            http: reqwest::Client::new(),
            port,
            database_url,
            dist,
            env,
        };
        server.wait_healthy().await;
        server
    }

    fn spawn(
        port: u16,
        data_dir: &Path,
        database_url: Option<&str>,
        dist: Option<&Path>,
        env: &[(String, String)],
    ) -> Child {
        let mut cmd = Command::new(server_bin());
        cmd.arg("serve")
            .arg("--addr")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--data-dir")
            .arg(data_dir)
            .env_remove("DATABASE_URL")
            .env("RUST_LOG", "warn")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null());
        if let Some(url) = database_url {
            cmd.env("DATABASE_URL", url);
        }
        if let Some(dist) = dist {
            cmd.arg("--dist").arg(dist);
        }
        cmd.spawn().unwrap_or_else(|e| panic!("cannot start {}: {e}", server_bin().display()))
    }

    async fn wait_healthy(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = self.http.get(self.url("/health")).send().await {
                if r.status().is_success() {
                    break;
                }
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the server exited with {status} before it became healthy");
            }
            assert!(Instant::now() < deadline, "server did not become healthy");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Kills the server hard (SIGKILL, no shutdown of any kind) and starts it again on the same port,
    /// data dir and database.
    pub async fn restart(&mut self) {
        self.child.kill().expect("SIGKILL the server");
        self.child.wait().unwrap();
        self.child =
            Server::spawn(self.port, &self.data_dir, self.database_url.as_deref(), self.dist.as_deref(), &self.env);
        self.wait_healthy().await;
    }

    pub async fn start() -> Server {
        Server::start_with(None).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Runs a subcommand of the server binary against this server's database.
    pub fn cli(&self, args: &[&str]) -> std::process::Output {
        let mut cmd = Command::new(server_bin());
        cmd.args(args)
            .arg("--data-dir")
            .arg(&self.data_dir)
            .env_remove("DATABASE_URL")
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        if let Some(url) = &self.database_url {
            cmd.env("DATABASE_URL", url);
        }
        cmd.output().unwrap()
    }

    /// Stores an AI suggestion of `label` over `[start, end)` of `document` (confidence 0.8) through the CLI, as
    /// the extraction stage would; returns its id.
    pub fn suggest(&self, document: i64, label: i64, start: usize, end: usize) -> i64 {
        let [document, label, start, end] = [document, label, start as i64, end as i64].map(|v| v.to_string());
        let out = self.cli(&[
            "suggest",
            "--document",
            &document,
            "--label",
            &label,
            "--start",
            &start,
            "--end",
            &end,
            "--confidence",
            "0.8",
        ]);
        assert!(out.status.success(), "suggest: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().parse().unwrap()
    }

    /// Runs one SQL statement on the server's database (there is no API for project membership yet).
    pub fn sql(&self, statement: &str) {
        let out = match &self.database_url {
            Some(url) => {
                Command::new("psql").args([url.as_str(), "-q", "-v", "ON_ERROR_STOP=1", "-c", statement]).output()
            }
            None => Command::new("sqlite3").arg(self.data_dir.join("lectern.db")).arg(statement).output(),
        }
        .expect("the database client runs");
        assert!(out.status.success(), "{statement}: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// Makes the user with `email` a member of `project`.
    pub fn add_member(&self, project: i64, email: &str) {
        self.sql(&format!(
            "INSERT INTO project_members (project_id, user_id, role) SELECT {project}, id, 'member' FROM users WHERE email = '{email}'"
        ));
    }

    /// Creates a user through the CLI and returns a client logged in as them.
    pub async fn user(&self, email: &str) -> Client {
        let out = self.cli(&["create-user", "--email", email, "--password", PASSWORD]);
        assert!(out.status.success(), "create-user failed: {}", String::from_utf8_lossy(&out.stderr));
        let mut client = Client { base: self.base.clone(), http: self.http.clone(), token: None };
        let (status, body) = client.post("/api/v3/auth/", json!({"username": email, "password": PASSWORD})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        client.token = Some(body["token"].as_str().unwrap().to_owned());
        client
    }

    /// A client with no credentials.
    pub fn anonymous(&self) -> Client {
        Client { base: self.base.clone(), http: self.http.clone(), token: None }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// An HTTP client speaking JSON to the API, with an optional token.
#[derive(Clone)]
pub struct Client {
    pub base: String,
    pub http: reqwest::Client,
    pub token: Option<String>,
}

impl Client {
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let url = if path.starts_with("http") { path.to_owned() } else { format!("{}{}", self.base, path) };
        let req = self.http.request(method, url);
        match &self.token {
            Some(t) => req.header("Authorization", format!("Token {t}")),
            None => req,
        }
    }

    pub async fn send(req: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let resp = req.send().await.expect("request sent");
        let status = resp.status();
        let text = resp.text().await.unwrap();
        let body =
            if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        (status, body)
    }
}

impl Api for Client {
    async fn upload(
        &self,
        project: i64,
        file_name: &str,
        bytes: Vec<u8>,
        fields: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(file_name.to_owned())
            .mime_str("multipart/form-data")
            .unwrap();
        let mut form = reqwest::multipart::Form::new().part("data_file", part).text("project", project.to_string());
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        self.multipart("/api/v3/documents/", form).await
    }

    async fn call(&self, method: reqwest::Method, path: &str, payload: Payload<'_>) -> (StatusCode, Value) {
        let req = self.request(method, path);
        Self::send(match payload {
            Payload::None => req,
            Payload::Json(body) => req.json(&body),
            Payload::Form(pairs) => req.form(pairs),
        })
        .await
    }
}

/// A request body of `Api::call`.
pub enum Payload<'a> {
    None,
    Json(Value),
    /// Form-encoded; repeated keys are sent as given.
    Form(&'a [(&'a str, &'a str)]),
}

/// JSON calls to the API, the same for the binary over HTTP (`Client`) and the in-process app
/// (`app::AppClient`): a transport sends one request, the rest is built on it.
#[allow(async_fn_in_trait)]
pub trait Api {
    /// Sends one request and returns the status and the body as JSON (a string when it is not JSON, null when
    /// empty).
    async fn call(&self, method: reqwest::Method, path: &str, payload: Payload<'_>) -> (StatusCode, Value);

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(reqwest::Method::GET, path, Payload::None).await
    }
    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(reqwest::Method::POST, path, Payload::Json(body)).await
    }
    async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(reqwest::Method::PATCH, path, Payload::Json(body)).await
    }
    async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.call(reqwest::Method::DELETE, path, Payload::None).await
    }

    /// Sends a form-encoded body; repeated keys are sent as given.
    async fn form(&self, method: reqwest::Method, path: &str, pairs: &[(&str, &str)]) -> (StatusCode, Value) {
        self.call(method, path, Payload::Form(pairs)).await
    }

    /// POSTs `body` to a list endpoint, asserts 201 and returns the new object's id.
    async fn create(&self, path: &str, body: Value) -> i64 {
        let (status, created) = self.post(path, body.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "POST {path} {body}: {created}");
        created["id"].as_i64().unwrap_or_else(|| panic!("no id in {created}"))
    }

    /// A project with a category, two labels in the category's default label set, and a label set
    /// linked to the category that holds both labels.
    async fn fixture(&self, project_name: &str) -> Fixture {
        let project = self.create("/api/v3/projects/", json!({"name": project_name})).await;
        let category = self.create("/api/v3/categories/", json!({"project": project, "name": "Invoice"})).await;
        let total = self
            .create(
                "/api/v3/labels/",
                json!({"project": project, "name": "Total", "data_type": "Number", "label_sets": [category]}),
            )
            .await;
        let date = self
            .create(
                "/api/v3/labels/",
                json!({"project": project, "name": "Date", "data_type": "Date", "label_sets": [category]}),
            )
            .await;
        let label_set = self
            .create(
                "/api/v3/label-sets/",
                json!({"project": project, "name": "Positions", "has_multiple_annotation_sets": true,
                       "categories": [category], "labels": [total, date]}),
            )
            .await;
        Fixture { project, category, labels: vec![total, date], label_set }
    }

    /// Follows `next` from `path` until it is null and returns every result.
    async fn get_all(&self, path: &str) -> Vec<Value> {
        let mut items = Vec::new();
        let mut next = Some(path.to_owned());
        while let Some(url) = next {
            let (status, body) = self.get(&url).await;
            assert_eq!(status, StatusCode::OK, "{url}: {body}");
            items.extend(body["results"].as_array().unwrap().iter().cloned());
            next = body["next"].as_str().map(str::to_owned);
        }
        items
    }

    /// Uploads `bytes` as `data_file` named `file_name` to `project` with more form fields, as the SDK does.
    async fn upload(
        &self,
        project: i64,
        file_name: &str,
        bytes: Vec<u8>,
        fields: &[(&str, &str)],
    ) -> (StatusCode, Value);

    /// Uploads and asserts 201; returns the document JSON.
    async fn upload_ok(&self, project: i64, file_name: &str, bytes: Vec<u8>, fields: &[(&str, &str)]) -> Value {
        let (status, body) = self.upload(project, file_name, bytes, fields).await;
        assert_eq!(status, StatusCode::CREATED, "upload of {file_name}: {body}");
        body
    }
}

impl Client {
    /// POSTs a multipart form to `path`.
    pub async fn multipart(&self, path: &str, form: reqwest::multipart::Form) -> (StatusCode, Value) {
        Self::send(self.request(reqwest::Method::POST, path).multipart(form)).await
    }

    /// Polls `GET documents/{id}/?fields=status_data` until the status is 2 (done) or 111 (error), for at most
    /// `PROCESSING_TIMEOUT`; returns every status seen, in order, without repeats (the last is 2 or 111).
    pub async fn wait_processed(&self, id: i64) -> Vec<i64> {
        let deadline = Instant::now() + PROCESSING_TIMEOUT;
        let mut seen: Vec<i64> = Vec::new();
        loop {
            let (status, body) = self.get(&format!("/api/v3/documents/{id}/?fields=status_data")).await;
            assert_eq!(status, StatusCode::OK, "polling document {id}: {body}");
            let code = body["status_data"].as_i64().unwrap_or_else(|| panic!("no status_data in {body}"));
            if seen.last() != Some(&code) {
                seen.push(code);
            }
            if code == 2 || code == 111 {
                return seen;
            }
            assert!(
                Instant::now() < deadline,
                "document {id} not processed after {PROCESSING_TIMEOUT:?}; statuses {seen:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the document is processed, asserts status 2 and returns its detail.
    pub async fn wait_done(&self, id: i64) -> Value {
        let seen = self.wait_processed(id).await;
        assert_eq!(seen.last(), Some(&2), "document {id} ended in {seen:?}");
        let (status, body) = self.get(&format!("/api/v3/documents/{id}/")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// GETs a file (outside the JSON API) and returns the raw response.
    pub async fn get_raw(&self, path: &str) -> reqwest::Response {
        self.request(reqwest::Method::GET, path).send().await.expect("request sent")
    }
}

/// How long `Client::wait_processed` waits for processing to end.
pub const PROCESSING_TIMEOUT: Duration = Duration::from_secs(120);

/// What `Client::fixture` made.
#[derive(Debug, Clone)]
pub struct Fixture {
    pub project: i64,
    pub category: i64,
    /// "Total" (Number) and "Date" (Date), both in the category's default set and in `label_set`.
    pub labels: Vec<i64>,
    /// "Positions", linked to the category, with multiple annotation sets.
    pub label_set: i64,
}

/// The sorted keys of a JSON object.
/// Character offsets `[start, end)` of every word of `text`.
pub fn word_offsets(text: &str) -> Vec<(usize, usize)> {
    let mut words = Vec::new();
    let mut start = None;
    for (i, c) in text.chars().chain([' ']).enumerate() {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                words.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    words
}

pub fn keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> =
        value.as_object().unwrap_or_else(|| panic!("not an object: {value}")).keys().cloned().collect();
    keys.sort();
    keys
}

/// The ids of a list of JSON objects, in order.
pub fn ids(items: &[Value]) -> Vec<i64> {
    items.iter().map(|i| i["id"].as_i64().unwrap_or_else(|| panic!("no id in {i}"))).collect()
}

/// Today's date in UTC as `YYYY-MM-DD`, shifted by `days`.
pub fn utc_date(days: i64) -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    // Howard Hinnant's days-to-civil algorithm.
    let z = secs.div_euclid(86_400) + days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Waits until at least `margin` is left before the next UTC midnight, so that "today" holds for a test.
pub async fn away_from_midnight(margin: Duration) {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let left = 86_400 - secs % 86_400;
    if left < margin.as_secs() {
        tokio::time::sleep(Duration::from_secs(left + 1)).await;
    }
}

/// The answer is a 400 naming `field` with a message.
pub fn assert_field_error(status: StatusCode, body: &Value, field: &str) {
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let messages = body[field].as_array().unwrap_or_else(|| panic!("no error for `{field}` in {body}"));
    assert!(messages.first().and_then(Value::as_str).is_some_and(|m| !m.is_empty()), "{body}");
}

/// The answer is a 404 with `detail`.
pub fn assert_not_found(status: StatusCode, body: &Value) {
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(body["detail"].is_string(), "{body}");
}

/// GETs `path`, which must answer 200, and returns the body.
pub async fn get_ok(client: &impl Api, path: &str) -> Value {
    let (status, body) = client.get(path).await;
    assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
    body
}

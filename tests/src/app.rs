//! The server in-process for the HTTP contract tests: the real router (`lectern_server::http::app`) over a fresh
//! database and files folder, called as a tower service without a socket.
//!
//! Everything is built as `lectern-server serve` builds it: the same `AppState` constructor, pdfium loaded and the
//! configured number of in-process workers started, so a request that queues processing is served as the binary
//! would serve it. The backend follows `LECTERN_TEST_PG` as for `Server`. Tests that restart the server, run the
//! CLI, receive webhooks, drive the SDK or a browser start the binary instead (`Server`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, HeaderValue, Method, Request};
use axum::Router;
use base64::Engine;
use serde_json::Value;
use tower::ServiceExt;

use lectern_server::config::Config;
use lectern_server::domain::users;
use lectern_server::state::AppState;
use lectern_server::{db, http, pipeline};

use crate::{base_env, fresh_database, Api, Payload, StatusCode, PASSWORD};

static NEXT_APP: AtomicU32 = AtomicU32::new(0);

/// The host every in-process request names; list pages' `next`/`previous` are absolute URLs on it.
pub const HOST: &str = "lectern.test";

/// The application over its own database and files folder; the folder is removed when dropped.
pub struct TestApp {
    pub state: AppState,
    /// `http://lectern.test`, the origin of the absolute URLs the app answers with.
    pub base: String,
    router: Router,
    data_dir: PathBuf,
}

impl TestApp {
    /// A new app with an empty database; must be called inside a tokio runtime (the workers are tasks on it).
    pub async fn new() -> TestApp {
        TestApp::with_config(|_| {}).await
    }

    /// A new app whose configuration `change` adjusts first (`workers = 0`: uploads stay queued).
    pub async fn with_config(change: impl FnOnce(&mut Config)) -> TestApp {
        let n = NEXT_APP.fetch_add(1, Ordering::SeqCst);
        let data_dir = std::env::temp_dir().join(format!("lectern-app-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data_dir);
        std::fs::create_dir_all(&data_dir).unwrap();
        // The values `Server` gives the binary through its environment (`base_env`), and the binary's defaults.
        let env: std::collections::HashMap<String, String> = base_env().into_iter().collect();
        let mut config = Config {
            data_dir: data_dir.clone(),
            database_url: fresh_database(),
            storage_url: None,
            pdfium_lib: PathBuf::from(&env["PDFIUM_LIB"]),
            max_upload_mb: 200,
            workers: 1,
            job_stale_secs: env["LECTERN_JOB_STALE_SECS"].parse().unwrap(),
            webhook_allow: vec![env["LECTERN_WEBHOOK_ALLOW"].parse().unwrap()],
            cors_origins: Vec::new(),
        };
        change(&mut config);
        // As `main` does for `serve`.
        let db = db::connect(&config.database_url()).await.expect("the test database opens");
        let state = AppState::new(db, config.clone()).expect("the app state is built");
        pipeline::pdf::load_library(&config.pdfium_lib).expect("pdfium loads (PDFIUM_LIB names it)");
        pipeline::worker::spawn(&state, config.workers);
        let router = http::app(state.clone(), None);
        TestApp { state, base: format!("http://{HOST}"), router, data_dir }
    }

    /// A client with no credentials.
    pub fn anonymous(&self) -> AppClient {
        AppClient { router: self.router.clone(), base: self.base.clone(), token: None }
    }

    /// A client with `token` (valid or not).
    pub fn with_token(&self, token: &str) -> AppClient {
        AppClient { token: Some(token.to_owned()), ..self.anonymous() }
    }

    /// Creates a user with `PASSWORD` (as `lectern-server create-user` does) and a client with the token a login
    /// would give; the token is taken from the domain, not by logging in, which would hash the password a second
    /// time (logging in is contract_auth.rs's).
    pub async fn user(&self, email: &str) -> AppClient {
        let id = users::upsert_user(&self.state.db, email, PASSWORD).await.expect("the user is created");
        let token = users::token_for(&self.state.db, id).await.expect("the user has a token");
        self.with_token(&token)
    }

    /// Makes the user with `email` a member of `project` (there is no API for membership yet).
    pub async fn add_member(&self, project: i64, email: &str) {
        sqlx::query(
            "INSERT INTO project_members (project_id, user_id, role) SELECT $1, id, 'member' FROM users WHERE email = $2",
        )
        .bind(project)
        .bind(email)
        .execute(&self.state.db)
        .await
        .expect("the member is added");
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// An answer of the app: status, headers and the body as JSON (a string when it is not JSON, null when empty).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

/// A caller of a `TestApp`, with an optional token; cheap to clone.
#[derive(Clone)]
pub struct AppClient {
    router: Router,
    pub base: String,
    pub token: Option<String>,
}

impl AppClient {
    /// Sends `method path` with these extra headers and this body; the client's token is sent unless the headers
    /// carry an `Authorization` of their own.
    pub async fn raw(&self, method: Method, path: &str, headers: &[(&str, &str)], body: impl Into<Body>) -> Answer {
        let path = path.strip_prefix(&self.base).unwrap_or(path);
        let mut req = Request::builder().method(method).uri(path).body(body.into()).expect("a valid request");
        let h = req.headers_mut();
        h.insert(header::HOST, HeaderValue::from_static(HOST));
        if let Some(token) = &self.token {
            h.insert(header::AUTHORIZATION, HeaderValue::from_str(&format!("Token {token}")).unwrap());
        }
        for (name, value) in headers {
            h.insert(header::HeaderName::from_bytes(name.as_bytes()).unwrap(), HeaderValue::from_str(value).unwrap());
        }
        // As `axum::serve` with connect info gives every request on loopback (the login limit keys on it).
        req.extensions_mut().insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40_000))));
        let resp = self.router.clone().oneshot(req).await.unwrap_or_else(|never| match never {});
        let (parts, body) = resp.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX).await.expect("the body is read");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Answer { status: parts.status, headers: parts.headers, body }
    }

    /// Sends `body` as it is with this content type.
    pub async fn send_body(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        body: &'static str,
    ) -> (StatusCode, Value) {
        let answer = self.raw(method, path, &[("content-type", content_type)], body).await;
        (answer.status, answer.body)
    }

    /// Sends `method path` with HTTP Basic credentials instead of the token.
    pub async fn basic(&self, method: Method, path: &str, email: &str, password: &str) -> (StatusCode, Value) {
        let credentials = base64::engine::general_purpose::STANDARD.encode(format!("{email}:{password}"));
        let answer = self.raw(method, path, &[("authorization", &format!("Basic {credentials}"))], Body::empty()).await;
        (answer.status, answer.body)
    }

    /// POSTs a multipart form of these text fields and, when given, `data_file` (name, bytes), whose part is
    /// labelled `multipart/form-data` as the SDK labels it.
    pub async fn multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, Vec<u8>)>,
    ) -> (StatusCode, Value) {
        const BOUNDARY: &str = "lectern-test-boundary-7d3f";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend(
                format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").bytes(),
            );
        }
        if let Some((file_name, bytes)) = file {
            body.extend(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"data_file\"; filename=\"{file_name}\"\r\n\
                     Content-Type: multipart/form-data\r\n\r\n"
                )
                .bytes(),
            );
            body.extend(bytes);
            body.extend(b"\r\n");
        }
        body.extend(format!("--{BOUNDARY}--\r\n").bytes());
        let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
        let answer = self.raw(Method::POST, path, &[("content-type", &content_type)], body).await;
        (answer.status, answer.body)
    }
}

impl Api for AppClient {
    async fn upload(
        &self,
        project: i64,
        file_name: &str,
        bytes: Vec<u8>,
        fields: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let project = project.to_string();
        let mut all = vec![("project", project.as_str())];
        all.extend_from_slice(fields);
        self.multipart("/api/v3/documents/", &all, Some((file_name, bytes))).await
    }

    async fn call(&self, method: Method, path: &str, payload: Payload<'_>) -> (StatusCode, Value) {
        let answer = match payload {
            Payload::None => self.raw(method, path, &[], Body::empty()).await,
            Payload::Json(value) => {
                let bytes = serde_json::to_vec(&value).unwrap();
                self.raw(method, path, &[("content-type", "application/json")], bytes).await
            }
            Payload::Form(pairs) => {
                let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
                self.raw(method, path, &[("content-type", "application/x-www-form-urlencoded")], body).await
            }
        };
        (answer.status, answer.body)
    }
}

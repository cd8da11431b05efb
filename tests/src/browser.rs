//! Browser-test helpers: chromedriver with headless Chromium, the built SPA, and waits on the page.

use std::future::Future;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

use crate::{get_ok, workspace_root, PASSWORD};

/// How long any wait on the page lasts before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(15);

/// The built SPA: `LECTERN_DIST`, else `dist/` of the workspace; fails if it has not been built.
pub fn dist() -> PathBuf {
    let dist = std::env::var("LECTERN_DIST").map(PathBuf::from).unwrap_or_else(|_| workspace_root().join("dist"));
    assert!(dist.join("index.html").exists(), "no SPA in {}: run scripts/build-spa.sh", dist.display());
    dist
}

/// chromedriver on a free port, with a fresh Chromium profile; both go away on drop.
pub struct Chromedriver {
    child: Child,
    port: u16,
    profile: PathBuf,
}

impl Chromedriver {
    pub async fn start() -> Chromedriver {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("/usr/bin/chromedriver starts (scripts/setup.sh installs it)");
        let profile = std::env::temp_dir().join(format!("lectern-chromium-{}-{port}", std::process::id()));
        let driver = Chromedriver { child, port, profile };
        let deadline = Instant::now() + PATIENCE;
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start listening");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        driver
    }

    pub async fn session(&self) -> Client {
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,1000",
        ]
        .map(String::from)
        .into_iter()
        .chain([format!("--user-data-dir={}", self.profile.display())]);
        let options = json!({"binary": "/usr/bin/chromium", "args": args.collect::<Vec<_>>()});
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".into(), options);
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("a Chromium session")
    }

    /// Runs `scenario` in a new session, in its own task so that a failed assertion still saves a screenshot
    /// (`{name}-failure.png`) and closes the session before the panic goes on.
    pub async fn run<F, Fut>(&self, name: &str, scenario: F)
    where
        F: FnOnce(Client) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let browser = self.session().await;
        let outcome = tokio::spawn(scenario(browser.clone())).await;
        if outcome.is_err() {
            save_screenshot(&browser, &format!("{name}-failure.png")).await;
        }
        let _ = browser.close().await;
        if let Err(e) = outcome {
            std::panic::resume_unwind(e.into_panic());
        }
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Saves a screenshot of the page to `target/test-artifacts/{name}`.
pub async fn save_screenshot(c: &Client, name: &str) {
    let dir = workspace_root().join("target/test-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    if let Ok(png) = c.screenshot().await {
        std::fs::write(dir.join(name), png).unwrap();
    }
}

/// Opens `base` and logs in as `email` (with `PASSWORD`), waiting for the projects page.
pub async fn log_in(c: &Client, base: &str, email: &str) {
    c.goto(&format!("{base}/")).await.unwrap();
    fill(c, "#login-email", email).await;
    fill(c, "#login-password", PASSWORD).await;
    click(c, "[data-test=login-submit]").await;
    wait_text(c, "[data-test=user]", email).await;
}

pub async fn find(c: &Client, css: &str) -> Element {
    c.wait().at_most(PATIENCE).for_element(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css} not found: {e}"))
}

pub async fn exists(c: &Client, css: &str) -> bool {
    !c.find_all(Locator::Css(css)).await.unwrap().is_empty()
}

pub async fn click(c: &Client, css: &str) {
    find(c, css).await.click().await.unwrap_or_else(|e| panic!("cannot click {css}: {e}"));
}

pub async fn fill(c: &Client, css: &str, text: &str) {
    let input = find(c, css).await;
    input.clear().await.unwrap();
    input.send_keys(text).await.unwrap();
}

/// Polls until `check` gives `Ok`, for at most `patience`, else fails with its last `Err`.
pub async fn eventually_within<F, Fut>(patience: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let deadline = Instant::now() + patience;
    loop {
        match check().await {
            Ok(()) => return,
            Err(e) if Instant::now() > deadline => panic!("{e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// Polls until `check` gives `Ok`, else fails with its last `Err`.
pub async fn eventually<F, Fut>(check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    eventually_within(PATIENCE, check).await
}

/// The trimmed text of the first match, or "(nothing)".
pub async fn text(c: &Client, css: &str) -> String {
    match c.find(Locator::Css(css)).await {
        Ok(e) => e.text().await.unwrap_or_default().trim().to_owned(),
        Err(_) => "(nothing)".into(),
    }
}

pub async fn wait_text(c: &Client, css: &str, expected: &str) {
    eventually(|| async move {
        let text = text(c, css).await;
        if text == expected {
            Ok(())
        } else {
            Err(format!("{css}: expected {expected:?}, the page shows {text:?}"))
        }
    })
    .await;
}

/// The trimmed texts of every match, in page order.
pub async fn texts(c: &Client, css: &str) -> Vec<String> {
    let mut texts = Vec::new();
    for e in c.find_all(Locator::Css(css)).await.unwrap() {
        texts.push(e.text().await.unwrap_or_default().trim().to_owned());
    }
    texts
}

/// The values (inputs, selects) of every match, compared in sorted order.
pub async fn wait_values(c: &Client, css: &str, expected: &[&str]) {
    eventually(|| async move {
        let mut values = Vec::new();
        for e in c.find_all(Locator::Css(css)).await.unwrap() {
            values.push(e.prop("value").await.unwrap().unwrap_or_default());
        }
        values.sort();
        if values == expected {
            Ok(())
        } else {
            Err(format!("{css}: expected {expected:?}, the page shows {values:?}"))
        }
    })
    .await;
}

pub async fn wait_checked(c: &Client, css: &str, expected: bool) {
    eventually(|| async move {
        let checked = find(c, css).await.prop("checked").await.unwrap().as_deref() == Some("true");
        if checked == expected {
            Ok(())
        } else {
            Err(format!("{css}: expected checked = {expected}"))
        }
    })
    .await;
}

/// How many elements match `css`.
pub async fn count(c: &Client, css: &str) -> usize {
    c.find_all(Locator::Css(css)).await.unwrap().len()
}

/// Waits until `expected` elements match `css`.
pub async fn wait_count(c: &Client, css: &str, expected: usize) {
    eventually(|| async move {
        match count(c, css).await {
            n if n == expected => Ok(()),
            n => Err(format!("{css}: expected {expected}, the page shows {n}")),
        }
    })
    .await;
}

/// Presses keys (modifiers first, held) on whatever has the focus.
pub async fn press(c: &Client, keys: &[char]) {
    let mut actions = KeyActions::new("keyboard".into());
    for k in keys {
        actions = actions.then(KeyAction::Down { value: *k });
    }
    for k in keys.iter().rev() {
        actions = actions.then(KeyAction::Up { value: *k });
    }
    c.perform_actions(actions).await.unwrap();
}

/// The annotation `id` as the server has it.
pub async fn annotation(api: &crate::Client, id: i64) -> Value {
    get_ok(api, &format!("/api/v3/annotations/{id}/")).await
}

/// Waits until the server holds annotation `id` with these review fields.
pub async fn wait_review_fields(api: &crate::Client, id: i64, revised: bool, is_correct: bool) {
    eventually(|| async move {
        let a = annotation(api, id).await;
        match (a["revised"].as_bool(), a["is_correct"].as_bool()) {
            (Some(r), Some(c)) if (r, c) == (revised, is_correct) => Ok(()),
            _ => Err(format!("annotation {id}: expected revised {revised}, is_correct {is_correct}: {a}")),
        }
    })
    .await;
}

/// The document's missing-annotation records on the server.
pub async fn missing_records(api: &crate::Client, doc: i64) -> Vec<Value> {
    api.get_all(&format!("/api/v3/missing-annotations/?document={doc}")).await
}

//! Browser tests: a harness that runs a file's scenarios in one Chromium session, and waits on the page.

use std::future::Future;
use std::net::TcpListener;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::pin::Pin;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions, MouseActions, PointerAction};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

use crate::{get_ok, workspace_root, Api, PASSWORD};

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
            "--window-size=1600,1000",
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
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// A scenario of a browser test file: its name, which `cargo test -- <filter>` matches, and its body.
pub struct Scenario<T> {
    name: &'static str,
    body: Body<T>,
}

/// A scenario's body: an async fn of the browser session and the file's setup, boxed so that one list holds them.
pub type Body<T> = for<'a> fn(&'a Client, &'a T) -> Pin<Box<dyn Future<Output = ()> + 'a>>;

impl<T> Scenario<T> {
    pub fn new(name: &'static str, body: Body<T>) -> Scenario<T> {
        Scenario { name, body }
    }
}

/// `scenarios![a, b]`: the scenarios of the async fns `a` and `b` (`(c: &Client, case: &T)`), named after them.
#[macro_export]
macro_rules! scenarios {
    ($($name:ident),+ $(,)?) => {
        vec![$($crate::browser::Scenario::new(stringify!($name), |c, case| Box::pin($name(c, case)))),+]
    };
}

/// The `main` of a browser test file (`harness = false`): each scenario is a test of its own. Unless nothing is to
/// run (`--list`, or a filter that matches none), it starts one server with the SPA, runs `setup` against it, starts
/// one browser session, runs the chosen scenarios in it one after another, and shuts both down.
///
/// Starting a server and Chromium is most of what a browser test costs on a small CI machine, so a file does it
/// once, not once per scenario; that is also why these files run under `cargo test`, not nextest, which would start
/// a process per test.
pub fn run_scenarios<T: Send + Sync + 'static>(
    setup: impl AsyncFnOnce(&crate::Server) -> T,
    scenarios: Vec<Scenario<T>>,
) -> ! {
    let mut args = libtest_mimic::Arguments::from_args();
    // There is one browser session: the scenarios take turns.
    args.test_threads = Some(1);
    let chosen = |name: &str| {
        let trial = libtest_mimic::Trial::test(name, || Ok(()));
        !args.is_filtered_out(&trial) && !args.is_ignored(&trial)
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let stage = (!args.list && scenarios.iter().any(|s| chosen(s.name)))
        .then(|| Arc::new(runtime.block_on(Stage::start(setup))));
    let trials = scenarios
        .into_iter()
        .map(|scenario| {
            let (stage, runtime) = (stage.clone(), runtime.handle().clone());
            libtest_mimic::Trial::test(scenario.name, move || {
                stage.expect("started, as a scenario runs").play(&runtime, &scenario)
            })
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    // `exit` skips destructors: the browser and the server are shut down before it.
    if let Some(stage) = stage {
        runtime.block_on(Arc::into_inner(stage).expect("the scenarios are over").stop());
    }
    conclusion.exit()
}

/// What the scenarios of a file share: the server, the file's setup and the browser session.
struct Stage<T> {
    server: crate::Server,
    case: T,
    /// Held for the session; it stops on drop.
    _driver: Chromedriver,
    browser: Client,
}

impl<T> Stage<T> {
    async fn start(setup: impl AsyncFnOnce(&crate::Server) -> T) -> Stage<T> {
        let server = crate::Server::start_with(Some(dist())).await;
        let case = setup(&server).await;
        let driver = Chromedriver::start().await;
        let browser = driver.session().await;
        Stage { server, case, _driver: driver, browser }
    }

    /// Runs `scenario` from a blank page with nothing stored; when it fails, saves `{name}-failure.png` first.
    fn play(&self, runtime: &tokio::runtime::Handle, scenario: &Scenario<T>) -> Result<(), libtest_mimic::Failed> {
        runtime.block_on(self.clean_slate()).map_err(|e| format!("the browser session does not answer: {e}"))?;
        let outcome = catch_unwind(AssertUnwindSafe(|| runtime.block_on((scenario.body)(&self.browser, &self.case))));
        let Err(panic) = outcome else { return Ok(()) };
        runtime.block_on(save_screenshot(&self.browser, &format!("{}-failure.png", scenario.name)));
        let message =
            panic.downcast_ref::<String>().cloned().or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()));
        Err(message.unwrap_or_else(|| "the scenario panicked".into()).into())
    }

    /// Leaves whatever the last scenario did: its page, its login and language (local storage), its cookies.
    async fn clean_slate(&self) -> Result<(), fantoccini::error::CmdError> {
        self.browser.goto(&self.server.url("/health")).await?;
        self.browser.execute("localStorage.clear(); sessionStorage.clear();", vec![]).await?;
        self.browser.delete_all_cookies().await?;
        self.browser.goto("about:blank").await
    }

    /// Closes the session, and with it Chromium; chromedriver and the server stop as they drop.
    async fn stop(self) {
        let _ = self.browser.close().await;
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

/// Looks at the screen as a person and an accessibility checker would: axe-core finds no serious or critical
/// violation of WCAG 2 A/AA (colour contrast included), and the screen is saved as `{name}-1600.png` and
/// `{name}-1024.png`, at the two window sizes reviewers use, to be looked at.
pub async fn look(c: &Client, name: &str) {
    c.set_window_size(1600, 1000).await.unwrap();
    let violations = axe(c).await;
    save_screenshot(c, &format!("{name}-1600.png")).await;
    c.set_window_size(1024, 700).await.unwrap();
    save_screenshot(c, &format!("{name}-1024.png")).await;
    c.set_window_size(1600, 1000).await.unwrap();
    assert!(violations.is_empty(), "{name}: axe-core finds serious or critical violations: {violations:#?}");
}

/// The serious and critical violations axe-core finds on the page, one line each with up to five places.
async fn axe(c: &Client) -> Vec<String> {
    let path = workspace_root().join(".tools/node_modules/axe-core/axe.min.js");
    let source = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("axe-core in {} (scripts/setup.sh installs it): {e}", path.display()));
    c.execute(&source, vec![]).await.expect("axe-core loads into the page");
    let found = c
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
            axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })
              .then(r => done(r.violations
                .filter(v => v.impact === "serious" || v.impact === "critical")
                .map(v => `${v.id} (${v.impact}): ${v.help}: ` +
                  v.nodes.slice(0, 5).map(n => n.target.join(" ")).join(" | "))))
              .catch(e => done([`axe-core failed: ${e}`]));"#,
            vec![],
        )
        .await
        .expect("axe-core runs");
    serde_json::from_value(found).unwrap()
}

/// What a person sees of each element matching `css`: its text and the contrast of its colour against the
/// background it is drawn on (WCAG's ratio, 1 to 21).
pub async fn legibility(c: &Client, css: &str) -> Vec<(String, f64)> {
    let seen = c
        .execute(
            r#"const rgb = c => (c.match(/[\d.]+/g) || []).map(Number);
            const behind = el => {
              for (; el; el = el.parentElement) {
                const [r, g, b, a] = rgb(getComputedStyle(el).backgroundColor);
                if (a === undefined || a > 0.5) return [r, g, b];
              }
              return [255, 255, 255];
            };
            const lum = c => c.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
              .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
            return [...document.querySelectorAll(arguments[0])].map(el => {
              const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(behind(el))];
              return [el.innerText.trim(), (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
            });"#,
            vec![json!(css)],
        )
        .await
        .unwrap();
    serde_json::from_value(seen).unwrap()
}

/// Fails unless every element matching `css` (at least one) shows a text with a contrast of 4.5:1 or more.
pub async fn assert_readable(c: &Client, css: &str) {
    let seen = legibility(c, css).await;
    assert!(!seen.is_empty(), "nothing matches {css}");
    for (text, contrast) in &seen {
        assert!(!text.is_empty() && *contrast >= 4.5, "{css}: {text:?} is drawn at a contrast of {contrast:.2}:1");
    }
}

/// How many elements matching `rows` lie wholly inside the visible box of the element `within`.
pub async fn rows_in_view(c: &Client, within: &str, rows: &str) -> usize {
    let n = c
        .execute(
            r#"const box = document.querySelector(arguments[0]).getBoundingClientRect();
            return [...document.querySelectorAll(arguments[1])].filter(el => {
              const r = el.getBoundingClientRect();
              return r.height > 0 && r.top >= box.top && r.bottom <= box.bottom && r.bottom <= innerHeight;
            }).length;"#,
            vec![json!(within), json!(rows)],
        )
        .await
        .unwrap();
    n.as_u64().unwrap() as usize
}

/// How many rows the visible children of the element `css` are laid out in.
pub async fn line_count(c: &Client, css: &str) -> usize {
    let n = c
        .execute(
            r#"const tops = [...document.querySelector(arguments[0]).children]
              .map(el => el.getBoundingClientRect()).filter(r => r.height > 0)
              .sort((a, b) => a.top - b.top);
            let rows = 0, bottom = -Infinity;
            for (const r of tops) { if (r.top >= bottom) { rows += 1; bottom = r.bottom; } else { bottom = Math.max(bottom, r.bottom); } }
            return rows;"#,
            vec![json!(css)],
        )
        .await
        .unwrap();
    n.as_u64().unwrap() as usize
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

/// Moves the pointer over the element `css`, as a person does before using what appears there on hover.
pub async fn hover(c: &Client, css: &str) {
    let element = find(c, css).await;
    let to = PointerAction::MoveToElement { element, duration: None, x: 0.0, y: 0.0 };
    c.perform_actions(MouseActions::new("mouse".into()).then(to))
        .await
        .unwrap_or_else(|e| panic!("cannot hover {css}: {e}"));
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

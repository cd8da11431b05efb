//! Browser test of the edit mode: split a bundle into two, turn a page, reorder, name the parts and submit; the
//! server's documents afterwards are what the reviewer asked for.

use fantoccini::{Client, Locator};
use lectern_tests::browser::{click, eventually, fill, find, log_in, Chromedriver};
use lectern_tests::pdf::{self, Page};
use lectern_tests::{Client as Api, Server};
use serde_json::{json, Value};

const EMAIL: &str = "editor@example.com";
const TEXTS: [&str; 3] = ["Invoice 2024-17", "Delivery note 88", "Payslip March"];

#[tokio::test(flavor = "multi_thread")]
async fn a_bundle_is_split_turned_and_reordered_in_the_browser() {
    let server = Server::start_with(Some(lectern_tests::browser::dist())).await;
    let api = server.user(EMAIL).await;
    let fixture = api.fixture("Edit").await;
    let pages: Vec<Page> = TEXTS.iter().map(|t| Page::a4().text(72.0, 760.0, 14.0, t)).collect();
    let doc = api.upload_ok(fixture.project, "bundle.pdf", pdf::document(&pages), &[("sync", "True")]).await;
    let id = doc["id"].as_i64().unwrap();
    let url = format!("{}/projects/{}/documents/{id}/edit", server.base, fixture.project);

    let driver = Chromedriver::start().await;
    let base = server.base.clone();
    driver.run("edit", move |c| scenario(c, base, url)).await;

    // The source keeps its id and holds the first page; the new document has the third page, turned, then the second.
    let first = api.wait_done(id).await;
    assert_eq!((first["data_file_name"].as_str(), first["text"].as_str()), (Some("first.pdf"), Some(TEXTS[0])));
    let set = first["document_set"].as_i64().unwrap();
    let (_, set) = api.get(&format!("/api/v3/document-sets/{set}/?fields=documents.id")).await;
    let other = set["documents"][0]["id"].as_i64().unwrap();
    assert_ne!(other, id, "{set}");
    let second = api.wait_done(other).await;
    assert_eq!(second["text"], format!("{}\u{c}{}", TEXTS[2], TEXTS[1]));
    let size = &second["pages"][0]["original_size"];
    assert!(size[0].as_f64() > size[1].as_f64(), "the turned page is landscape: {size}");
    assert_eq!(second["pages"][1]["original_size"], first["pages"][0]["original_size"]);
    check_untouched_text(&api, other).await;
}

/// The second page of the new document was not turned: its words read left to right.
async fn check_untouched_text(api: &Api, doc: i64) {
    let (_, page) = api.get(&format!("/api/v3/documents/{doc}/pages/2/")).await;
    let words: Vec<&Value> = page["entities"].as_array().unwrap().iter().collect();
    assert!(words.windows(2).all(|w| w[0]["x0"].as_f64() < w[1]["x0"].as_f64()), "{words:?}");
}

/// The attribute `name` of every page in the grid, in order.
async fn attrs(c: &Client, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for page in c.find_all(Locator::Css("[data-test=grid-page]")).await.unwrap() {
        out.push(page.attr(name).await.unwrap().unwrap_or_default());
    }
    out
}

fn same<T: AsRef<str>>(seen: Vec<String>, expected: &[T]) -> Result<(), String> {
    let expected: Vec<&str> = expected.iter().map(AsRef::as_ref).collect();
    if seen == expected {
        Ok(())
    } else {
        Err(format!("{seen:?}, expected {expected:?}"))
    }
}

async fn wait_attrs(c: &Client, name: &str, count: usize) {
    eventually(|| async {
        let seen = attrs(c, name).await;
        if seen.len() == count {
            Ok(())
        } else {
            Err(format!("{seen:?}"))
        }
    })
    .await;
}

async fn scenario(c: Client, base: String, url: String) {
    log_in(&c, &base, EMAIL).await;
    c.goto(&url).await.unwrap();
    wait_attrs(&c, "data-id", 3).await;
    let original = attrs(&c, "data-id").await;

    // Cut after the first page; drag the third page before the second.
    click(&c, "[data-test=grid-page]:nth-child(1) [data-test=split-toggle]").await;
    let dropped = c
        .execute(
            "const pages = document.querySelectorAll('[data-test=grid-page]');
             const data = new DataTransfer();
             pages[2].dispatchEvent(new DragEvent('dragstart', {dataTransfer: data, bubbles: true}));
             pages[1].dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true}));
             return true;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(dropped, json!(true));
    let reordered = [original[0].clone(), original[2].clone(), original[1].clone()];
    eventually(|| async { same(attrs(&c, "data-id").await, &reordered) }).await;

    // The dropped page has the focus: R turns it right, Shift+R back left.
    find(&c, "[data-test=page-grid]").await.send_keys("r").await.unwrap();
    eventually(|| async { same(attrs(&c, "data-angle").await, &["0", "90", "0"]) }).await;
    let shift_r = format!("{}r", fantoccini::key::Key::Shift);
    find(&c, "[data-test=page-grid]").await.send_keys(&shift_r).await.unwrap();
    eventually(|| async { same(attrs(&c, "data-angle").await, &["0", "0", "0"]) }).await;
    find(&c, "[data-test=page-grid]").await.send_keys("r").await.unwrap();
    eventually(|| async { same(attrs(&c, "data-angle").await, &["0", "90", "0"]) }).await;

    click(&c, "[data-test=next-step]").await;
    eventually(|| async {
        let parts = c.find_all(Locator::Css("[data-test=part]")).await.unwrap().len();
        if parts == 2 {
            Ok(())
        } else {
            Err(format!("{parts} parts"))
        }
    })
    .await;
    fill(&c, "[data-test=part]:nth-child(1) [data-test=part-name]", "first.pdf").await;
    click(&c, "[data-test=submit-edit]").await;
    // The view opens the first resulting document: the source itself.
    let expected = url.trim_end_matches("/edit").to_owned();
    eventually(|| async {
        let now = c.current_url().await.unwrap().to_string();
        if now.trim_end_matches('/') == expected {
            Ok(())
        } else {
            Err(format!("at {now}"))
        }
    })
    .await;
}

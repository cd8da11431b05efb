//! Browser tests of the edit mode: split a bundle into two, turn a page, reorder, name the parts and submit; and
//! confirm the splitting AI's proposal for a bundle of letters waiting at status 41, opened from its review URL.
//! The server's documents afterwards are what the reviewer asked for.

use fantoccini::{Client, Locator};
use lectern_tests::browser::{click, eventually, fill, find, log_in, run_scenarios, wait_checked, wait_text};
use lectern_tests::letters::{bundle, upload, LetterProject};
use lectern_tests::pdf::{self, Page};
use lectern_tests::Api as _;
use lectern_tests::{scenarios, Client as Api, Server};
use serde_json::{json, Value};

const EMAIL: &str = "editor@example.com";
const TEXTS: [&str; 3] = ["Invoice 2024-17", "Delivery note 88", "Payslip March"];

/// The documents the scenarios edit: a bundle of three pages, and a bundle of letters the splitting AI proposes to
/// cut, waiting at status 41.
struct Case {
    base: String,
    api: Api,
    bundle_of_three: Value,
    waiting: Value,
    /// Two pages with an annotation over both, and one on the first page only.
    two_pages: Value,
    across: i64,
    on_first: i64,
}

fn main() {
    run_scenarios(
        setup,
        scenarios![split_turn_and_reorder, confirm_the_proposal, a_cut_through_an_annotation_asks_first],
    );
}

async fn setup(server: &Server) -> Case {
    let api = server.user(EMAIL).await;
    let fixture = api.fixture("Edit").await;
    let pages: Vec<Page> = TEXTS.iter().map(|t| Page::a4().text(72.0, 760.0, 14.0, t)).collect();
    let bundle_of_three =
        api.upload_ok(fixture.project, "bundle.pdf", pdf::document(&pages), &[("sync", "True")]).await;

    let letters = LetterProject::create(&api).await;
    letters.split_uploads(&api).await;
    let sent = bundle(200);
    let waiting = upload(&api, letters.project, &sent, &[]).await;
    assert_eq!(waiting["status_data"], 41, "{waiting}");
    // The AI cuts where the letters end.
    let parts: Vec<usize> = waiting["proposed_split"].as_array().unwrap().iter().map(|p| page_ids(p).len()).collect();
    assert_eq!(parts, sent.iter().map(Vec::len).collect::<Vec<_>>(), "{waiting}");
    let pages: Vec<Page> = TEXTS[..2].iter().map(|t| Page::a4().text(72.0, 760.0, 14.0, t)).collect();
    let two_pages = api.upload_ok(fixture.project, "two.pdf", pdf::document(&pages), &[("sync", "True")]).await;
    let text = two_pages["text"].as_str().unwrap().to_owned();
    let span = |needle: &str| {
        let start = text[..text.find(needle).unwrap()].chars().count();
        json!({"start_offset": start, "end_offset": start + needle.chars().count()})
    };
    let total = fixture.labels[0];
    let create = |spans: Value| {
        let (api, document) = (&api, two_pages["id"].clone());
        async move {
            let body = json!({"document": document, "label": total, "span": spans});
            let (status, a) = api.post("/api/v3/annotations/", body).await;
            assert_eq!(status, 201, "{a}");
            a["id"].as_i64().unwrap()
        }
    };
    let across = create(json!([span("2024-17"), span("88")])).await;
    let on_first = create(json!([span("Invoice")])).await;
    Case { base: server.base.clone(), api, bundle_of_three, waiting, two_pages, across, on_first }
}

/// The review URL of a document.
fn review_url(base: &str, doc: &Value) -> String {
    format!("{base}/projects/{}/documents/{}", doc["project"], doc["id"])
}

/// Waits until the browser is at `url`.
async fn wait_url(c: &Client, url: &str) {
    eventually(|| async {
        let now = c.current_url().await.unwrap().to_string();
        if now.trim_end_matches('/') == url {
            Ok(())
        } else {
            Err(format!("at {now}, not {url}"))
        }
    })
    .await;
}

/// Waits until `count` elements match `css`.
async fn wait_count(c: &Client, css: &str, count: usize) {
    eventually(|| async {
        let found = c.find_all(Locator::Css(css)).await.unwrap().len();
        if found == count {
            Ok(())
        } else {
            Err(format!("{found} of {css}, not {count}"))
        }
    })
    .await;
}

/// The ids of the documents in the document set of `doc`, oldest first: the source of a split comes first.
async fn set_documents(api: &Api, doc: &Value) -> Vec<i64> {
    let (_, set) = api.get(&format!("/api/v3/document-sets/{}/?fields=documents.id", doc["document_set"])).await;
    let mut ids: Vec<i64> = set["documents"].as_array().unwrap().iter().map(|d| d["id"].as_i64().unwrap()).collect();
    ids.sort();
    ids
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

/// Cuts a bundle of three pages after the first, moves the third page before the second and turns it, names the
/// first part and submits.
async fn split_turn_and_reorder(c: &Client, case: &Case) {
    let (api, doc) = (&case.api, &case.bundle_of_three);
    let review = &review_url(&case.base, doc);
    log_in(c, &case.base, EMAIL).await;
    c.goto(&format!("{review}/edit")).await.unwrap();
    wait_attrs(c, "data-id", 3).await;
    let original = attrs(c, "data-id").await;

    // Cut after the first page; drag the third page before the second.
    click(c, "[data-test=grid-page]:nth-child(1) [data-test=split-toggle]").await;
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
    eventually(|| async { same(attrs(c, "data-id").await, &reordered) }).await;

    // The dropped page has the focus: R turns it right, Shift+R back left.
    find(c, "[data-test=page-grid]").await.send_keys("r").await.unwrap();
    eventually(|| async { same(attrs(c, "data-angle").await, &["0", "90", "0"]) }).await;
    let shift_r = format!("{}r", fantoccini::key::Key::Shift);
    find(c, "[data-test=page-grid]").await.send_keys(&shift_r).await.unwrap();
    eventually(|| async { same(attrs(c, "data-angle").await, &["0", "0", "0"]) }).await;
    find(c, "[data-test=page-grid]").await.send_keys("r").await.unwrap();
    eventually(|| async { same(attrs(c, "data-angle").await, &["0", "90", "0"]) }).await;

    click(c, "[data-test=next-step]").await;
    wait_count(c, "[data-test=part]", 2).await;
    fill(c, "[data-test=part]:nth-child(1) [data-test=part-name]", "first.pdf").await;
    click(c, "[data-test=submit-edit]").await;
    // The view opens the first resulting document: the source itself.
    wait_url(c, review).await;

    // The source keeps its id and holds the first page; the new document has the third page, turned, then the
    // second.
    let first = api.wait_done(doc["id"].as_i64().unwrap()).await;
    assert_eq!((first["data_file_name"].as_str(), first["text"].as_str()), (Some("first.pdf"), Some(TEXTS[0])));
    let ids = set_documents(api, &first).await;
    assert_eq!((ids.len(), ids[0]), (2, doc["id"].as_i64().unwrap()), "{ids:?}");
    let second = api.wait_done(ids[1]).await;
    assert_eq!(second["text"], format!("{}\u{c}{}", TEXTS[2], TEXTS[1]));
    let size = &second["pages"][0]["original_size"];
    assert!(size[0].as_f64() > size[1].as_f64(), "the turned page is landscape: {size}");
    assert_eq!(second["pages"][1]["original_size"], first["pages"][0]["original_size"]);
    check_untouched_text(api, ids[1]).await;
}

/// The page ids of a document, or of a part of `proposed_split`.
fn page_ids(doc: &Value) -> Vec<i64> {
    doc["pages"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect()
}

/// The ids of the grid's pages that have a cut after them.
async fn cuts(c: &Client) -> Vec<String> {
    let script = "return [...document.querySelectorAll('[data-test=grid-page]')]
        .filter(page => page.querySelector('[data-test=split-toggle][aria-pressed=true]'))
        .map(page => page.dataset.id);";
    let cut: Value = c.execute(script, vec![]).await.unwrap();
    cut.as_array().unwrap().iter().map(|id| id.as_str().unwrap().to_owned()).collect()
}

/// The review URL of a bundle waiting at status 41 opens the edit mode with the splitting AI's proposal: its cuts
/// in the grid, the switch on, and its parts with their category candidates. Submitting them as they are gives
/// the documents the proposal describes.
async fn confirm_the_proposal(c: &Client, case: &Case) {
    let (api, doc) = (&case.api, &case.waiting);
    let review = &review_url(&case.base, doc);
    log_in(c, &case.base, EMAIL).await;
    let proposal = doc["proposed_split"].as_array().unwrap();
    assert_eq!(proposal.len(), 3, "{doc}");
    c.goto(review).await.unwrap();
    wait_url(c, &format!("{review}/edit")).await;
    let pages = page_ids(doc);
    wait_attrs(c, "data-id", pages.len()).await;
    let in_order: Vec<String> = pages.iter().map(i64::to_string).collect();
    assert_eq!(attrs(c, "data-id").await, in_order);
    let proposed_cuts: Vec<String> =
        proposal[..2].iter().map(|part| page_ids(part).last().unwrap().to_string()).collect();
    eventually(|| async { same(cuts(c).await, &proposed_cuts) }).await;
    wait_checked(c, "[data-test=use-proposal]", true).await;

    // The parts as proposed: each with its category candidates and confidences, its category chosen.
    click(c, "[data-test=next-step]").await;
    wait_count(c, "[data-test=part]", 3).await;
    for (n, part) in proposal.iter().enumerate() {
        let item = format!("[data-test=part]:nth-child({})", n + 1);
        let candidates: Vec<String> = part["categories"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| format!("{} {:.0} %", c["name"].as_str().unwrap(), c["confidence"].as_f64().unwrap() * 100.0))
            .collect();
        assert!(!candidates.is_empty(), "{part}");
        wait_text(c, &format!("{item} [data-test=part-candidates]"), &candidates.join(", ")).await;
        let category = find(c, &format!("{item} [data-test=part-category]")).await.prop("value").await.unwrap();
        assert_eq!(category, Some(part["category"].to_string()), "{part}");
    }
    click(c, "[data-test=submit-edit]").await;
    wait_url(c, review).await;

    // Three documents with the pages of the proposal, in order, each of the proposed category, the split revised.
    let page_texts: Vec<&str> = doc["text"].as_str().unwrap().split('\u{c}').collect();
    assert_eq!(page_texts.len(), pages.len(), "{doc}");
    let ids = set_documents(api, doc).await;
    assert_eq!((ids.len(), ids[0]), (3, doc["id"].as_i64().unwrap()), "{ids:?}");
    for (id, part) in ids.into_iter().zip(proposal) {
        let done = api.wait_done(id).await;
        let texts: Vec<&str> =
            page_ids(part).iter().map(|p| page_texts[pages.iter().position(|q| q == p).unwrap()]).collect();
        assert_eq!(done["text"].as_str(), Some(texts.join("\u{c}").as_str()), "{part}");
        assert_eq!(done["number_of_pages"].as_u64(), Some(texts.len() as u64), "{done}");
        assert_eq!((done["split_is_revised"].as_bool(), &done["category"]), (Some(true), &part["category"]), "{done}");
    }
}

/// A cut between the two pages of an annotation is refused before anything changes: the page names the
/// annotation and offers to go back or to apply the edit and delete it; applying keeps the other annotation.
async fn a_cut_through_an_annotation_asks_first(c: &Client, case: &Case) {
    let (api, doc) = (&case.api, &case.two_pages);
    let review = &review_url(&case.base, doc);
    log_in(c, &case.base, EMAIL).await;
    c.goto(&format!("{review}/edit")).await.unwrap();
    wait_attrs(c, "data-id", 2).await;
    click(c, "[data-test=grid-page]:nth-child(1) [data-test=split-toggle]").await;
    click(c, "[data-test=next-step]").await;
    wait_count(c, "[data-test=part]", 2).await;
    wait_text(c, "[data-test=part]:nth-child(1) .count", "1 Page").await;
    click(c, "[data-test=submit-edit]").await;
    find(c, "[data-test=annotations-refused]").await;
    wait_count(c, "[data-test=refused-annotation]", 1).await;
    let named = lectern_tests::browser::text(c, "[data-test=refused-annotation]").await;
    assert!(named.starts_with(&format!("Annotation {} (Total:", case.across)), "{named}");
    wait_count(c, "[data-test=error]", 0).await;
    lectern_tests::browser::look(c, "edit-refused").await;
    // Nothing has changed yet.
    let id = doc["id"].as_i64().unwrap();
    let (status, _) = api.get(&format!("/api/v3/annotations/{}/", case.across)).await;
    assert_eq!(status, 200);
    assert_eq!(page_ids(&api.wait_done(id).await).len(), 2);

    wait_text(c, "[data-test=submit-edit]", "Apply and delete them").await;
    click(c, "[data-test=submit-edit]").await;
    wait_url(c, review).await;
    let (status, _) = api.get(&format!("/api/v3/annotations/{}/", case.across)).await;
    assert_eq!(status, 404, "deleted only after the second request");
    let kept = lectern_tests::get_ok(api, &format!("/api/v3/annotations/{}/", case.on_first)).await;
    assert_eq!(kept["document"], id, "{kept}");
    assert_eq!(page_ids(&api.wait_done(id).await).len(), 1);
}

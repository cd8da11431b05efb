//! The splitting AI: a logistic-regression classifier of first pages over a page's words, the words of its top
//! lines, its page number and how much it resembles the page before; its evaluation by split points of bundles,
//! and its training job and split proposals in the server.

use std::collections::{BTreeSet, HashMap};

use anyhow::bail;
use lectern_api::ais::SplitEvaluation;
use serde::{Deserialize, Serialize};

use super::categorize::terms;
use super::evaluate::{metrics, Counts};
use super::{TEST_DOCUMENTS, TRAINING_DOCUMENTS};
use crate::domain::ais::{self, AiKind};
use crate::domain::documents::processing::{self, Owner};
use crate::domain::projects;
use crate::state::AppState;

/// How many lines count as a page's top (letterheads, titles, "Invoice no.").
const TOP_LINES: usize = 4;
/// Test documents are chained into bundles of this many documents to evaluate on.
pub const BUNDLE_SIZE: usize = 3;
const EPOCHS: usize = 40;
const LEARNING_RATE: f64 = 0.1;
const L2: f64 = 1e-4;

/// A document as the splitting AI sees it: the text of each page.
pub type Pages = Vec<String>;

/// The lowercase words (letters and digits, two characters or more) of `text`.
fn words(text: &str) -> BTreeSet<String> {
    terms(text).into_iter().filter(|t| !t.contains(' ')).collect()
}

fn top(page: &str) -> String {
    page.lines().filter(|l| !l.trim().is_empty()).take(TOP_LINES).collect::<Vec<_>>().join("\n")
}

/// The page number a page prints of itself: "Page 2", "Seite 2", "2 of 3", "2 von 3".
pub fn page_number(page: &str) -> Option<u32> {
    let tokens: Vec<String> =
        page.split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()).map(str::to_lowercase).collect();
    tokens.iter().enumerate().find_map(|(i, t)| {
        let next = tokens.get(i + 1)?;
        if matches!(t.as_str(), "page" | "seite") {
            return next.parse().ok();
        }
        let after = tokens.get(i + 2)?;
        (matches!(next.as_str(), "of" | "von") && after.parse::<u32>().is_ok()).then(|| t.parse().ok()).flatten()
    })
}

/// Shared words over all words, 0 when both are empty.
fn likeness(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        0.0
    } else {
        a.intersection(b).count() as f64 / union as f64
    }
}

/// The shape of a line: runs of digits become `9`, runs of letters `a` (`A` when capitalised), other characters
/// stay; "6 April 2026" is `9 A 9`, "2026-03-12" is `9-9-9`.
fn shape(line: &str) -> String {
    let mut out = String::new();
    for c in line.trim().chars() {
        let class = if c.is_ascii_digit() {
            '9'
        } else if c.is_alphabetic() {
            if c.is_uppercase() {
                'A'
            } else {
                'a'
            }
        } else {
            c
        };
        let run = matches!((out.chars().last(), class), (Some('9'), '9') | (Some('a' | 'A'), 'a' | 'A'));
        if !run {
            out.push(class);
        }
    }
    out
}

/// The features of `page` following `previous` (`None` for the first page of an upload): the words and line
/// shapes of its top lines, its printed page number, and how much it and its top resemble the page before.
/// The words of the body are left out: they tell the kind of a document, not where it starts.
pub fn features(page: &str, previous: Option<&str>) -> Vec<String> {
    let mut out = vec!["bias".to_string()];
    let top_words = words(&top(page));
    out.extend(top_words.iter().map(|t| format!("top:{t}")));
    out.extend(top(page).lines().map(|l| format!("shape:{}", shape(l))).collect::<BTreeSet<_>>());
    out.push(match page_number(page) {
        Some(1) => "number:first".into(),
        Some(_) => "number:later".into(),
        None => "number:none".into(),
    });
    match previous {
        None => out.push("start".into()),
        Some(previous) => {
            // Fifths of likeness: continuation pages share much of their words and header with the page before.
            let fifth = |x: f64| (x * 5.0).floor().min(4.0) as u32;
            out.push(format!("like:{}", fifth(likeness(&words(page), &words(previous)))));
            out.push(format!("toplike:{}", fifth(likeness(&top_words, &words(&top(previous))))));
        }
    }
    out
}

/// The weight of each feature and how likely a page is a first page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Model {
    pub weights: HashMap<String, f64>,
}

/// One training page: its features and whether it is a document's first page.
pub struct Example {
    pub features: Vec<String>,
    pub first: bool,
}

/// A fixed pseudo-random permutation of `0..n` (xorshift with a fixed seed): the same input, the same model.
fn shuffled(n: usize, seed: &mut u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        order.swap(i, (*seed % (i as u64 + 1)) as usize);
    }
    order
}

const SEED: u64 = 0x2545_f491_4f6c_dd1d;

/// The examples of documents chained one after the other in a shuffled order, as a scanner would have bundled
/// them: each page follows the one before, and a document's first page follows the last page of another
/// document, of whatever kind.
pub fn examples(documents: &[Pages]) -> Vec<Example> {
    let mut out = Vec::new();
    let mut previous: Option<&str> = None;
    for doc in shuffled(documents.len(), &mut SEED.clone()).into_iter().map(|i| &documents[i]) {
        for (i, page) in doc.iter().enumerate() {
            out.push(Example { features: features(page, previous), first: i == 0 });
            previous = Some(page);
        }
    }
    out
}

impl Model {
    /// Trains by stochastic gradient descent on the log loss, both classes weighted equally, in a fixed order
    /// shuffled by a seeded generator (the same examples give the same model).
    pub fn train(examples: &[Example]) -> anyhow::Result<Model> {
        let firsts = examples.iter().filter(|e| e.first).count();
        if firsts == 0 || firsts == examples.len() {
            bail!("Training needs both first pages and other pages: give the training documents more than one page.");
        }
        let n = examples.len() as f64;
        let class_weight =
            |first: bool| if first { n / (2.0 * firsts as f64) } else { n / (2.0 * (n - firsts as f64)) };
        let mut model = Model { weights: HashMap::new() };
        let mut seed = SEED;
        for epoch in 0..EPOCHS {
            let order = shuffled(examples.len(), &mut seed);
            let rate = LEARNING_RATE / (1.0 + epoch as f64 * 0.1);
            for &i in &order {
                let e = &examples[i];
                let error = model.probability(&e.features) - if e.first { 1.0 } else { 0.0 };
                let step = rate * error * class_weight(e.first);
                for f in &e.features {
                    let w = model.weights.entry(f.clone()).or_insert(0.0);
                    *w -= step + rate * L2 * *w;
                }
            }
        }
        Ok(model)
    }

    /// How likely a page with these features is a document's first page, 0 to 1.
    pub fn probability(&self, features: &[String]) -> f64 {
        let z: f64 = features.iter().filter_map(|f| self.weights.get(f)).sum();
        1.0 / (1.0 + (-z).exp())
    }

    /// The pages of an upload where a new document starts (never the first page), each with its probability.
    pub fn split_points(&self, pages: &[String]) -> Vec<(usize, f64)> {
        (1..pages.len())
            .map(|i| (i, self.probability(&features(&pages[i], Some(&pages[i - 1])))))
            .filter(|(_, p)| *p >= 0.5)
            .collect()
    }
}

/// Precision, recall and F1 of the split points the model finds in bundles of documents.
pub fn evaluate(model: &Model, bundles: &[Vec<Pages>]) -> SplitEvaluation {
    let mut counts = Counts::default();
    let (mut documents, mut pages) = (0, 0);
    for bundle in bundles {
        let mut truth = BTreeSet::new();
        let mut all = Vec::new();
        for doc in bundle {
            if !all.is_empty() {
                truth.insert(all.len());
            }
            all.extend(doc.iter().cloned());
        }
        let found: BTreeSet<usize> = model.split_points(&all).into_iter().map(|(i, _)| i).collect();
        counts.tp += found.intersection(&truth).count() as u64;
        counts.fp += found.difference(&truth).count() as u64;
        counts.fn_ += truth.difference(&found).count() as u64;
        documents += bundle.len() as u64;
        pages += all.len() as u64;
    }
    SplitEvaluation { bundles: bundles.len() as u64, documents, pages, split_points: metrics(counts) }
}

const KIND: AiKind = AiKind::Splitting;

/// The pages of a project's processed documents with this `dataset_status`, oldest first.
async fn documents(state: &AppState, project: i64, dataset_status: i64) -> anyhow::Result<Vec<Pages>> {
    let found = processing::dataset(&state.db, Owner::Project(project), dataset_status).await?;
    Ok(found.iter().map(|d| d.text.split('\u{c}').map(str::to_string).collect()).collect())
}

/// Trains the splitting AI `ai` of `project` on its training documents, evaluates it on bundles of its test
/// documents and activates it when it finds split points better than the active one.
pub async fn train(state: &AppState, ai: i64, project: i64) -> anyhow::Result<()> {
    let training = documents(state, project, TRAINING_DOCUMENTS).await?;
    if training.len() < 2 {
        bail!("Project {project} needs at least two processed training documents (dataset_status 2) to learn where one ends.");
    }
    let test = documents(state, project, TEST_DOCUMENTS).await?;
    ais::set_document_counts(&state.db, ai, training.len(), test.len()).await?;
    let (model, evaluation) = tokio::task::spawn_blocking(move || {
        let model = Model::train(&examples(&training))?;
        let bundles: Vec<Vec<Pages>> = test.chunks(BUNDLE_SIZE).map(<[Pages]>::to_vec).collect();
        let evaluation = evaluate(&model, &bundles);
        anyhow::Ok((model, evaluation))
    })
    .await??;
    let key = super::store_model(state, KIND, ai, &model).await?;
    // What there was to find: the split points of the test bundles, found or missed.
    let tested = evaluation.split_points.true_positives + evaluation.split_points.false_negatives;
    let trained = ais::Trained { ai, key, evaluation: &evaluation, tested };
    ais::activate(&state.db, KIND, project, trained, |e: &SplitEvaluation| e.split_points.f1).await?;
    Ok(())
}

/// Where the project's active splitting AI would cut an upload's pages, when the project splits uploads and
/// has an active AI: the page indices where a new document starts with their probability. `None` when it
/// does not split.
pub async fn split_points(
    state: &AppState,
    project: i64,
    pages: &[String],
) -> anyhow::Result<Option<Vec<(usize, f64)>>> {
    if !projects::splitting(&state.db, project).await?.split_uploads {
        return Ok(None);
    }
    let model: Option<Model> = super::active_model(state, KIND, project).await?;
    Ok(model.map(|m| m.split_points(pages)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(lines: &[&str]) -> String {
        lines.join("\n")
    }

    /// Invoices of one or two pages: the first page has a letterhead and "Page 1 of N", later ones a table.
    fn invoice(n: usize, pages: usize) -> Pages {
        (1..=pages)
            .map(|p| {
                if p == 1 {
                    page(&["ACME Supplies GmbH", &format!("Invoice {n}"), &format!("Page 1 of {pages}"), "Item Amount"])
                } else {
                    page(&["Item Amount", &format!("Widget {n} 12.00"), &format!("Page {p} of {pages}")])
                }
            })
            .collect()
    }

    #[test]
    fn reads_printed_page_numbers() {
        assert_eq!(page_number("Invoice\nPage 2 of 3"), Some(2));
        assert_eq!(page_number("Seite 1"), Some(1));
        assert_eq!(page_number("total 3 von 4"), Some(3));
        assert_eq!(page_number("page"), None);
        assert_eq!(page_number("no numbers here"), None);
    }

    #[test]
    fn features_describe_the_page_and_its_likeness_to_the_one_before() {
        let f = features("Invoice 7\nPage 1", None);
        assert!(f.contains(&"top:invoice".into()) && f.contains(&"number:first".into()) && f.contains(&"start".into()));
        let same = features("Item Amount", Some("Item Amount"));
        assert!(same.contains(&"like:4".into()) && same.contains(&"toplike:4".into()), "{same:?}");
        let other = features("Contract", Some("Invoice"));
        assert!(other.contains(&"like:0".into()), "{other:?}");
    }

    #[test]
    fn chained_examples_mark_first_pages() {
        let e = examples(&[invoice(1, 2), invoice(2, 1)]);
        let firsts = e.iter().filter(|e| e.first).count();
        assert_eq!((e.len(), firsts), (3, 2));
        let later = e.iter().skip(1).find(|e| e.first).expect("the second document's first page");
        assert!(later.features.iter().any(|f| f.starts_with("like:")), "a first page follows the document before");
    }

    #[test]
    fn line_shapes() {
        assert_eq!(shape("6 April 2026"), "9 A 9");
        assert_eq!(shape(" 2026-03-12 "), "9-9-9");
        assert_eq!(shape("Re: party 896"), "A: a 9");
    }

    #[test]
    fn learns_first_pages_and_finds_the_split_points_of_a_bundle() {
        let training: Vec<Pages> = (0..12).map(|n| invoice(n, 1 + n % 3)).collect();
        let model = Model::train(&examples(&training)).unwrap();
        let bundle = vec![invoice(100, 2), invoice(101, 1), invoice(102, 3)];
        let all: Pages = bundle.concat();
        let points: Vec<usize> = model.split_points(&all).into_iter().map(|(i, _)| i).collect();
        assert_eq!(points, [2, 3]);
        let e = evaluate(&model, &[bundle, vec![invoice(103, 2)]]);
        assert_eq!((e.bundles, e.documents, e.pages), (2, 4, 8));
        assert_eq!(
            (e.split_points.true_positives, e.split_points.false_positives, e.split_points.false_negatives),
            (2, 0, 0)
        );
        assert_eq!(e.split_points.f1, 1.0);
    }

    #[test]
    fn evaluation_counts_missed_and_wrong_split_points() {
        // A model that calls every page a first page: in a bundle of a 3-page and a 1-page document it finds the
        // one true split point (3) and two wrong ones (1, 2).
        let model = Model { weights: HashMap::from([("bias".to_string(), 10.0)]) };
        let e = evaluate(&model, &[vec![invoice(1, 3), invoice(2, 1)]]);
        let m = e.split_points;
        assert_eq!((m.true_positives, m.false_positives, m.false_negatives), (1, 2, 0));
        assert!((m.precision - 1.0 / 3.0).abs() < 1e-12 && m.recall == 1.0);
        // One that never splits misses it.
        let never = Model { weights: HashMap::from([("bias".to_string(), -10.0)]) };
        let m = evaluate(&never, &[vec![invoice(1, 3), invoice(2, 1)]]).split_points;
        assert_eq!((m.true_positives, m.false_negatives, m.f1), (0, 1, 0.0));
    }

    #[test]
    fn training_needs_both_kinds_of_pages_and_the_model_survives_its_file() {
        assert!(Model::train(&examples(&[invoice(1, 1), invoice(2, 1)])).is_err());
        assert!(Model::train(&[]).is_err());
        let model = Model::train(&examples(&[invoice(1, 2), invoice(2, 1)])).unwrap();
        let again = crate::ai::round_trip(&model);
        let f = features("Item Amount", Some("Invoice"));
        assert_eq!(again.probability(&f), model.probability(&f));
    }
}

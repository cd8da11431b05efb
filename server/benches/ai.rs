//! Benchmark of the extraction AI on the generated invoices: strict and lenient F1 on the test split, training
//! time and prediction time per page; of the categorization AI on generated letters: accuracy, training time
//! and prediction time per document; of the splitting AI on bundles of generated multi-page letters:
//! precision, recall and F1 of split points, training time and prediction time per page.
//!
//! `cargo bench -p lectern-server --bench ai` prints the figures. It measures; it asserts nothing.

use std::time::Instant;

use lectern_server::ai::corpus::{self, test_ids, test_schema, LETTER_KINDS};
use lectern_server::ai::evaluate::{evaluate, Sample};
use lectern_server::ai::extraction::params;
use lectern_server::ai::group::group;
use lectern_server::ai::model::{self, Example};
use lectern_server::ai::{categorize, split};
use lectern_server::ai::{Annotation, Document};

fn main() {
    for (train_docs, test_docs) in [(12, 40), (40, 40), (120, 40)] {
        let (train_set, test_set) = corpus::split(train_docs, test_docs);
        let train: Vec<(Document, Vec<Annotation>)> =
            train_set.iter().map(|i| (i.document(), i.annotations(test_ids))).collect();
        let test: Vec<(Document, Vec<Annotation>)> =
            test_set.iter().map(|i| (i.document(), i.annotations(test_ids))).collect();
        let examples: Vec<Example> = train.iter().map(|(d, a)| Example { doc: d, correct: a, declined: &[] }).collect();
        let started = Instant::now();
        let model = model::train(&examples, &params(), &|_| {}).expect("trains");
        let training = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let predicted: Vec<Vec<Annotation>> = test
            .iter()
            .map(|(d, _)| group(model.predict(d), &test_schema()).into_iter().map(|s| s.annotation).collect())
            .collect();
        let per_page = started.elapsed().as_secs_f64() * 1000.0 / test.len() as f64;
        let samples: Vec<Sample> =
            test.iter().zip(&predicted).map(|((_, t), p)| Sample { truth: t, predicted: p }).collect();
        let e = evaluate(&samples);
        println!(
            "extraction AI, {train_docs:3} training / {test_docs} test pages: strict F1 {:.3} (P {:.3} R {:.3}), lenient F1 {:.3}; \
             training {training:6.2} s, prediction {per_page:6.1} ms/page, model {} kB",
            e.strict.overall.f1,
            e.strict.overall.precision,
            e.strict.overall.recall,
            e.lenient.overall.f1,
            model.to_bytes().len() / 1024
        );
    }
    categorization();
    splitting();
}

/// `(text, kind)` letters of every kind, of seeds `seeds`.
fn letters(seeds: std::ops::Range<u64>) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    for seed in seeds {
        for kind in 0..LETTER_KINDS.len() {
            out.push((corpus::letter(kind, seed).join("\n"), kind as i64));
        }
    }
    out
}

fn categorization() {
    let test = letters(10_000..10_200);
    for per_kind in [5, 50, 500] {
        let train = letters(0..per_kind);
        let started = Instant::now();
        let model = categorize::Model::train(&train).expect("trains");
        let training = started.elapsed().as_secs_f64() * 1000.0;
        let started = Instant::now();
        let e = categorize::evaluate(&model, &test);
        let per_document = started.elapsed().as_secs_f64() * 1000.0 / test.len() as f64;
        println!(
            "categorization AI, {:4} training / {} test letters: accuracy {:.3}; training {training:8.1} ms, \
             prediction {per_document:6.3} ms/document, model {} kB",
            train.len(),
            test.len(),
            e.accuracy,
            model.to_bytes().len() / 1024
        );
    }
}

/// Multi-page letters of every kind, of seeds `seeds`, each as the text of its pages.
fn paged_letters(seeds: std::ops::Range<u64>) -> Vec<split::Pages> {
    let mut out = Vec::new();
    for seed in seeds {
        for kind in 0..LETTER_KINDS.len() {
            out.push(corpus::paged_letter(kind, seed).iter().map(|lines| lines.join("\n")).collect());
        }
    }
    out
}

fn splitting() {
    // Test bundles mix kinds: the letters of one seed are chained with those of the next.
    let test = paged_letters(10_000..10_200);
    let bundles: Vec<Vec<split::Pages>> = test.chunks(split::BUNDLE_SIZE + 1).map(<[split::Pages]>::to_vec).collect();
    let pages: usize = test.iter().map(Vec::len).sum();
    for per_kind in [5, 20, 100] {
        let train = paged_letters(0..per_kind);
        let started = Instant::now();
        let model = split::Model::train(&split::examples(&train)).expect("trains");
        let training = started.elapsed().as_secs_f64() * 1000.0;
        let started = Instant::now();
        let e = split::evaluate(&model, &bundles);
        let per_page = started.elapsed().as_secs_f64() * 1000.0 / pages as f64;
        let m = &e.split_points;
        println!(
            "splitting AI, {:4} training letters / {} test bundles ({} letters, {} pages): split points P {:.3} R {:.3} \
             F1 {:.3}; training {training:8.1} ms, prediction {per_page:6.3} ms/page, model {} kB",
            train.len(),
            e.bundles,
            e.documents,
            e.pages,
            m.precision,
            m.recall,
            m.f1,
            model.to_bytes().len() / 1024
        );
    }
}

//! The extraction model: trained on documents with their correct and declined annotations, it scores every
//! candidate span of a document for every (label, label set) it has seen; serialised as JSON bytes.

use std::collections::HashSet;

use anyhow::bail;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::candidates::{candidates, Candidate};
use super::features::{context, vector, Context, Layout, Vocabulary};
use super::forest::{self, Forest};
use super::{Annotation, Document};

/// How many context words the model learns.
pub const VOCABULARY_SIZE: usize = 80;

/// Extra copies of a declined candidate among the negatives, so that what a reviewer rejected weighs more.
const DECLINED_WEIGHT: usize = 2;

/// A training document: its correct (accepted or human-made) annotations and the declined ones.
pub struct Example<'a> {
    pub doc: &'a Document,
    pub correct: &'a [Annotation],
    pub declined: &'a [Annotation],
}

/// A candidate the model assigns to a label.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    pub label: i64,
    pub label_set: i64,
    pub start: usize,
    pub end: usize,
    pub confidence: f64,
    pub page: u32,
    pub line: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Model {
    /// The (label, label set) of each class but the first, which is "no label".
    targets: Vec<(i64, i64)>,
    vocabulary: Vocabulary,
    forest: Forest,
}

/// A document's candidates with their contexts.
struct Scanned<'a> {
    layout: Layout<'a>,
    candidates: Vec<Candidate>,
    contexts: Vec<Context>,
}

fn scan(doc: &Document) -> Scanned<'_> {
    let layout = Layout::new(doc);
    let candidates = candidates(&layout.words);
    let contexts = candidates.iter().map(|c| context(&layout, c)).collect();
    Scanned { layout, candidates, contexts }
}

impl Scanned<'_> {
    fn vectors(&self, vocabulary: &Vocabulary) -> Vec<Vec<f32>> {
        self.candidates.iter().zip(&self.contexts).map(|(c, ctx)| vector(&self.layout, c, ctx, vocabulary)).collect()
    }
}

/// Trains a model; `progress` hears the share done (0 to 1). Fails when no document has a correct annotation.
pub fn train(examples: &[Example], params: &forest::Params, progress: &(dyn Fn(f64) + Sync)) -> anyhow::Result<Model> {
    let mut targets: Vec<(i64, i64)> = examples
        .iter()
        .flat_map(|e| e.correct.iter().map(|a| (a.label, a.label_set)))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    targets.sort();
    if targets.is_empty() {
        bail!("The training documents have no correct annotations to learn from.");
    }
    let scanned: Vec<Scanned> = examples.par_iter().map(|e| scan(e.doc)).collect();
    // Each candidate's class and how many times it is taken.
    let classes: Vec<Vec<(usize, usize)>> = examples
        .iter()
        .zip(&scanned)
        .map(|(e, s)| {
            s.candidates
                .iter()
                .map(|c| {
                    let hit = e.correct.iter().find(|a| (a.start, a.end) == (c.start, c.end));
                    match hit {
                        Some(a) => (1 + targets.binary_search(&(a.label, a.label_set)).expect("a target"), 1),
                        None if e.declined.iter().any(|a| (a.start, a.end) == (c.start, c.end)) => {
                            (0, 1 + DECLINED_WEIGHT)
                        }
                        None => (0, 1),
                    }
                })
                .collect()
        })
        .collect();
    let positive_contexts = scanned
        .iter()
        .zip(&classes)
        .flat_map(|(s, cls)| s.contexts.iter().zip(cls).filter(|(_, (class, _))| *class > 0).map(|(ctx, _)| ctx));
    let vocabulary = Vocabulary::learn(positive_contexts, VOCABULARY_SIZE);
    progress(0.1);
    let vectors: Vec<Vec<Vec<f32>>> = scanned.par_iter().map(|s| s.vectors(&vocabulary)).collect();
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for (rows, cls) in vectors.into_iter().zip(&classes) {
        for (row, (class, copies)) in rows.into_iter().zip(cls) {
            for _ in 0..*copies {
                x.push(row.clone());
                y.push(*class);
            }
        }
    }
    progress(0.2);
    let trees = params.trees.max(1) as f64;
    let forest = forest::train(&x, &y, targets.len() + 1, params, &|n| progress(0.2 + 0.8 * n as f64 / trees));
    Ok(Model { targets, vocabulary, forest })
}

impl Model {
    /// Every candidate whose most likely class is a label, with that class's probability.
    pub fn predict(&self, doc: &Document) -> Vec<Prediction> {
        let scanned = scan(doc);
        let probabilities = self.forest.predict_all(&scanned.vectors(&self.vocabulary));
        scanned
            .candidates
            .iter()
            .zip(probabilities)
            .filter_map(|(c, p)| {
                let best = (0..p.len()).max_by(|a, b| p[*a].total_cmp(&p[*b]))?;
                let (label, label_set) = *self.targets.get(best.checked_sub(1)?)?;
                Some(Prediction {
                    label,
                    label_set,
                    start: c.start,
                    end: c.end,
                    confidence: p[best] as f64,
                    page: c.page,
                    line: c.line,
                })
            })
            .collect()
    }

    /// The (label, label set) pairs the model can predict.
    pub fn targets(&self) -> &[(i64, i64)] {
        &self.targets
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ai::corpus::{self, test_ids};
    use crate::ai::evaluate::{evaluate, Sample};
    use crate::ai::group::group;

    #[test]
    fn learns_the_generated_invoices() {
        let (train_set, test_set) = corpus::split(24, 12);
        let docs: Vec<(Document, Vec<Annotation>)> =
            train_set.iter().map(|i| (i.document(), i.annotations(test_ids))).collect();
        let examples: Vec<Example> = docs.iter().map(|(d, a)| Example { doc: d, correct: a, declined: &[] }).collect();
        let params = forest::Params { trees: 24, ..forest::Params::default() };
        let started = std::time::Instant::now();
        let model = train(&examples, &params, &|_| {}).unwrap();
        let trained = started.elapsed();
        let truths: Vec<(Document, Vec<Annotation>)> =
            test_set.iter().map(|i| (i.document(), i.annotations(test_ids))).collect();
        let predicted: Vec<Vec<Annotation>> = truths
            .iter()
            .map(|(d, _)| group(model.predict(d), &corpus::test_schema()).into_iter().map(|s| s.annotation).collect())
            .collect();
        let samples: Vec<Sample> =
            truths.iter().zip(&predicted).map(|((_, t), p)| Sample { truth: t, predicted: p }).collect();
        let e = evaluate(&samples);
        println!("trained in {trained:?}; strict {:?}\nlenient {:?}", e.strict.overall, e.lenient.overall);
        for l in &e.strict.labels {
            println!("label {} {:?}", l.label, l.metrics);
        }
        // Measured: strict F1 0.997 (182 of 183 values, no false positives); the bound leaves margin.
        assert!(e.strict.overall.f1 >= 0.9, "strict F1 {}", e.strict.overall.f1);
        // The model survives its file.
        let back = crate::ai::round_trip(&model);
        assert_eq!(back.predict(&truths[0].0), model.predict(&truths[0].0));
    }

    #[test]
    fn declined_annotations_and_no_annotations() {
        let inv = corpus::invoice(3);
        let doc = inv.document();
        let err = train(&[Example { doc: &doc, correct: &[], declined: &[] }], &forest::Params::default(), &|_| {})
            .unwrap_err();
        assert!(err.to_string().contains("no correct annotations"));
        // Declined values are learnt as "no label": a model taught that every total is wrong suggests none.
        let all = inv.annotations(test_ids);
        let (total, rest): (Vec<Annotation>, Vec<Annotation>) =
            all.into_iter().partition(|a| a.label == test_ids("Total").0);
        let model =
            train(&[Example { doc: &doc, correct: &rest, declined: &total }], &forest::Params::default(), &|_| {})
                .unwrap();
        assert!(!model.targets().contains(&test_ids("Total")));
        let predicted = model.predict(&doc);
        assert!(predicted.iter().all(|p| p.label != test_ids("Total").0));
        assert!(predicted.iter().any(|p| p.label == test_ids("Invoice number").0));
    }
}

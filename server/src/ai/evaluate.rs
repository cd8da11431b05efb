//! The evaluation of an extraction AI: precision, recall and F1 per label and overall, strict (exact offsets,
//! label, label set and annotation set) and lenient (overlap with an annotation of the same label).
//!
//! Annotation sets are matched as follows: each predicted set is paired with the true set that holds most of
//! its exactly matching annotations (each true set paired once, larger overlaps first); a strict hit needs its
//! predicted set paired with its true set. Where nothing was predicted and nothing is true, every score is 0.

use std::collections::{BTreeMap, HashMap};

use lectern_api::ais::{Evaluation, LabelMetrics, Metrics, Report};

use super::Annotation;

/// One document's true and predicted annotations.
pub struct Sample<'a> {
    pub truth: &'a [Annotation],
    pub predicted: &'a [Annotation],
}

/// True positives, false positives and false negatives.
#[derive(Default, Clone, Copy)]
pub struct Counts {
    pub tp: u64,
    pub fp: u64,
    pub fn_: u64,
}

pub fn metrics(c: Counts) -> Metrics {
    let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let precision = ratio(c.tp, c.tp + c.fp);
    let recall = ratio(c.tp, c.tp + c.fn_);
    let f1 = ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn_);
    Metrics { true_positives: c.tp, false_positives: c.fp, false_negatives: c.fn_, precision, recall, f1 }
}

/// Tallies hits: `hits[i]` is the true annotation predicted annotation `i` hit, if any.
fn tally(sample: &Sample, hits: &[Option<usize>], per_label: &mut BTreeMap<i64, Counts>, overall: &mut Counts) {
    let mut found = vec![false; sample.truth.len()];
    for (p, hit) in sample.predicted.iter().zip(hits) {
        let c = per_label.entry(p.label).or_default();
        match hit {
            Some(t) => {
                found[*t] = true;
                c.tp += 1;
                overall.tp += 1;
            }
            None => {
                c.fp += 1;
                overall.fp += 1;
            }
        }
    }
    for (t, was_found) in sample.truth.iter().zip(found) {
        if !was_found {
            per_label.entry(t.label).or_default().fn_ += 1;
            overall.fn_ += 1;
        }
    }
}

/// Pairs each predicted annotation with at most one unpaired true annotation for which `matches` holds.
fn pair(sample: &Sample, matches: impl Fn(&Annotation, &Annotation) -> bool) -> Vec<Option<usize>> {
    let mut taken = vec![false; sample.truth.len()];
    sample
        .predicted
        .iter()
        .map(|p| {
            let t = (0..sample.truth.len()).find(|&t| !taken[t] && matches(p, &sample.truth[t]))?;
            taken[t] = true;
            Some(t)
        })
        .collect()
}

/// The exact pairs whose predicted annotation set is paired with the true annotation's set.
fn strict_hits(sample: &Sample) -> Vec<Option<usize>> {
    let exact = pair(sample, |p, t| (p.start, p.end, p.label, p.label_set) == (t.start, t.end, t.label, t.label_set));
    let mut shared: HashMap<(i64, i64), u64> = HashMap::new();
    for (p, t) in exact.iter().enumerate().filter_map(|(p, t)| Some((p, (*t)?))) {
        *shared.entry((sample.predicted[p].group, sample.truth[t].group)).or_default() += 1;
    }
    let mut by_size: Vec<((i64, i64), u64)> = shared.into_iter().collect();
    by_size.sort_by_key(|((p, t), n)| (std::cmp::Reverse(*n), *p, *t));
    let mut set_of: HashMap<i64, i64> = HashMap::new();
    let mut claimed: Vec<i64> = Vec::new();
    for ((p, t), _) in by_size {
        if !set_of.contains_key(&p) && !claimed.contains(&t) {
            set_of.insert(p, t);
            claimed.push(t);
        }
    }
    exact
        .iter()
        .enumerate()
        .map(|(p, t)| t.filter(|t| set_of.get(&sample.predicted[p].group) == Some(&sample.truth[*t].group)))
        .collect()
}

fn report(samples: &[Sample], hits: impl Fn(&Sample) -> Vec<Option<usize>>) -> Report {
    let mut per_label = BTreeMap::new();
    let mut overall = Counts::default();
    for sample in samples {
        tally(sample, &hits(sample), &mut per_label, &mut overall);
    }
    Report {
        overall: metrics(overall),
        labels: per_label.into_iter().map(|(label, c)| LabelMetrics { label, metrics: metrics(c) }).collect(),
    }
}

pub fn evaluate(samples: &[Sample]) -> Evaluation {
    Evaluation {
        documents: samples.len() as u64,
        strict: report(samples, strict_hits),
        lenient: report(samples, |s| pair(s, |p, t| p.label == t.label && p.start < t.end && t.start < p.end)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ann(label: i64, label_set: i64, group: i64, start: usize, end: usize) -> Annotation {
        Annotation { label, label_set, group, start, end }
    }

    fn label(report: &Report, label: i64) -> (u64, u64, u64) {
        let m = &report.labels.iter().find(|l| l.label == label).unwrap().metrics;
        (m.true_positives, m.false_positives, m.false_negatives)
    }

    /// A header set (100) and two line items (200, 201); the prediction puts the second item's first value
    /// into the first item, cuts one value short and adds one false value.
    #[test]
    fn strict_and_lenient_by_hand() {
        let truth = [
            ann(1, 1, 100, 0, 5),
            ann(2, 1, 100, 10, 15),
            ann(3, 2, 200, 20, 25),
            ann(4, 2, 200, 30, 35),
            ann(3, 2, 201, 40, 45),
            ann(4, 2, 201, 50, 55),
        ];
        let predicted = [
            ann(1, 1, 0, 0, 5),
            ann(2, 1, 0, 10, 14),
            ann(1, 1, 0, 60, 65),
            ann(3, 2, 1, 20, 25),
            ann(4, 2, 1, 30, 35),
            ann(3, 2, 1, 40, 45),
            ann(4, 2, 2, 50, 55),
        ];
        let e = evaluate(&[Sample { truth: &truth, predicted: &predicted }]);
        // Strict: hits are A, C, D, F (E sits in the set paired with the first item): 4 of 7 predicted, 4 of 6 true.
        let s = &e.strict.overall;
        assert_eq!((s.true_positives, s.false_positives, s.false_negatives), (4, 3, 2));
        assert!((s.precision - 4.0 / 7.0).abs() < 1e-12);
        assert!((s.recall - 4.0 / 6.0).abs() < 1e-12);
        assert!((s.f1 - 8.0 / 13.0).abs() < 1e-12);
        assert_eq!(label(&e.strict, 1), (1, 1, 0));
        assert_eq!(label(&e.strict, 2), (0, 1, 1));
        assert_eq!(label(&e.strict, 3), (1, 1, 1));
        assert_eq!(label(&e.strict, 4), (2, 0, 0));
        // Lenient: everything but the false value hits.
        let l = &e.lenient.overall;
        assert_eq!((l.true_positives, l.false_positives, l.false_negatives), (6, 1, 0));
        assert!((l.f1 - 12.0 / 13.0).abs() < 1e-12);
        assert_eq!(l.recall, 1.0);
        assert_eq!(e.documents, 1);
    }

    #[test]
    fn the_wrong_label_or_label_set_never_hits() {
        let truth = [ann(1, 1, 7, 0, 5)];
        let e = evaluate(&[Sample { truth: &truth, predicted: &[ann(2, 1, 0, 0, 5)] }]);
        assert_eq!((e.strict.overall.f1, e.lenient.overall.f1), (0.0, 0.0));
        let e = evaluate(&[Sample { truth: &truth, predicted: &[ann(1, 9, 0, 0, 5)] }]);
        assert_eq!((e.strict.overall.true_positives, e.lenient.overall.true_positives), (0, 1));
    }

    #[test]
    fn swapped_line_items_count_once_per_set() {
        // Two items predicted with their sets swapped in numbering only: still all right.
        let truth = [ann(3, 2, 200, 0, 2), ann(4, 2, 200, 3, 5), ann(3, 2, 201, 10, 12), ann(4, 2, 201, 13, 15)];
        let predicted = [ann(3, 2, 9, 10, 12), ann(4, 2, 9, 13, 15), ann(3, 2, 8, 0, 2), ann(4, 2, 8, 3, 5)];
        assert_eq!(evaluate(&[Sample { truth: &truth, predicted: &predicted }]).strict.overall.f1, 1.0);
        // Both items predicted as one set: only one of the two true sets can be paired with it.
        let merged: Vec<Annotation> = predicted.iter().map(|a| Annotation { group: 5, ..a.clone() }).collect();
        let s = evaluate(&[Sample { truth: &truth, predicted: &merged }]).strict.overall;
        assert_eq!((s.true_positives, s.false_positives, s.false_negatives), (2, 2, 2));
    }

    #[test]
    fn empty_predictions_and_empty_truth() {
        let truth = [ann(1, 1, 1, 0, 5), ann(2, 1, 1, 6, 9), ann(2, 1, 1, 12, 15)];
        let e = evaluate(&[Sample { truth: &truth, predicted: &[] }]);
        let s = &e.strict.overall;
        assert_eq!((s.true_positives, s.false_positives, s.false_negatives), (0, 0, 3));
        assert_eq!((s.precision, s.recall, s.f1), (0.0, 0.0, 0.0));
        assert_eq!(label(&e.strict, 2), (0, 0, 2));
        let e = evaluate(&[Sample { truth: &[], predicted: &[] }]);
        assert_eq!(e.strict.overall, Metrics::default());
        assert!(e.strict.labels.is_empty());
        // Two documents add up.
        let one = [ann(1, 1, 1, 0, 5)];
        let e = evaluate(&[Sample { truth: &one, predicted: &one }, Sample { truth: &one, predicted: &[] }]);
        assert_eq!((e.strict.overall.true_positives, e.strict.overall.false_negatives), (1, 1));
        assert_eq!(e.strict.overall.f1, 2.0 / 3.0);
    }
}

//! The second step of extraction: predictions become annotations in annotation sets. Each label keeps the
//! predictions at or above its threshold, overlapping predictions yield to the more confident one, a label
//! without `has_multiple_top_candidates` keeps its best prediction per set; a non-repeating label set gets one
//! annotation set, a repeating one (line items) one per line holding its predictions.

use std::collections::HashMap;

use super::model::Prediction;
use super::Annotation;

/// What grouping needs to know of a label.
#[derive(Debug, Clone, Copy)]
pub struct LabelRule {
    pub threshold: f64,
    pub multiple_top_candidates: bool,
}

/// The labels and label sets of a category: label → rule, label set → whether it repeats.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    pub labels: HashMap<i64, LabelRule>,
    pub repeating: HashMap<i64, bool>,
}

/// An annotation to suggest; `annotation.group` numbers the annotation sets of the document from 0.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub annotation: Annotation,
    pub confidence: f64,
}

pub fn group(mut predictions: Vec<Prediction>, schema: &Schema) -> Vec<Suggestion> {
    predictions.retain(|p| {
        schema.labels.get(&p.label).is_some_and(|r| p.confidence >= r.threshold)
            && schema.repeating.contains_key(&p.label_set)
    });
    predictions.sort_by(|a, b| b.confidence.total_cmp(&a.confidence).then(a.start.cmp(&b.start)));
    let mut kept: Vec<Prediction> = Vec::new();
    for p in predictions {
        if !kept.iter().any(|k| k.start < p.end && p.start < k.end) {
            kept.push(p);
        }
    }
    // Annotation sets by (label set, line for repeating sets), numbered in order of their first annotation.
    kept.sort_by_key(|p| p.start);
    let mut sets: HashMap<(i64, Option<(u32, u32)>), i64> = HashMap::new();
    let mut taken: HashMap<(i64, i64), ()> = HashMap::new();
    let mut out = Vec::new();
    let mut by_confidence = kept.clone();
    by_confidence.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
    let best_first: Vec<&Prediction> = by_confidence.iter().collect();
    let mut chosen: Vec<&Prediction> = Vec::new();
    for p in best_first {
        let key = if schema.repeating[&p.label_set] { Some((p.page, p.line)) } else { None };
        let next = sets.len() as i64;
        let set = *sets.entry((p.label_set, key)).or_insert(next);
        let multiple = schema.labels[&p.label].multiple_top_candidates && key.is_none();
        if multiple || taken.insert((set, p.label), ()).is_none() {
            chosen.push(p);
        }
    }
    chosen.sort_by_key(|p| p.start);
    // Renumber the sets in text order, so the numbering does not depend on confidences.
    let mut order: HashMap<i64, i64> = HashMap::new();
    for p in chosen {
        let key = if schema.repeating[&p.label_set] { Some((p.page, p.line)) } else { None };
        let set = sets[&(p.label_set, key)];
        let next = order.len() as i64;
        let group = *order.entry(set).or_insert(next);
        out.push(Suggestion {
            annotation: Annotation { label: p.label, label_set: p.label_set, group, start: p.start, end: p.end },
            confidence: p.confidence,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(label: i64, label_set: i64, start: usize, end: usize, confidence: f64, line: u32) -> Prediction {
        Prediction { label, label_set, start, end, confidence, page: 0, line }
    }

    fn schema() -> Schema {
        let rule = |threshold, multiple_top_candidates| LabelRule { threshold, multiple_top_candidates };
        Schema {
            labels: HashMap::from([
                (1, rule(0.5, false)),
                (2, rule(0.1, true)),
                (3, rule(0.1, false)),
                (4, rule(0.1, false)),
            ]),
            repeating: HashMap::from([(10, false), (20, true)]),
        }
    }

    #[test]
    fn thresholds_overlaps_and_top_candidates() {
        let out = group(
            vec![
                p(1, 10, 0, 5, 0.4, 0),   // below label 1's threshold
                p(1, 10, 10, 15, 0.9, 1), // the best of label 1
                p(1, 10, 20, 25, 0.6, 2), // label 1 keeps one
                p(2, 10, 30, 35, 0.3, 3), // label 2 keeps several
                p(2, 10, 40, 45, 0.2, 4),
                p(2, 10, 12, 18, 0.95, 1), // overlaps label 1's best and wins
                p(9, 10, 50, 55, 0.9, 5),  // a label the category no longer has
            ],
            &schema(),
        );
        let spans: Vec<(i64, usize, i64)> =
            out.iter().map(|s| (s.annotation.label, s.annotation.start, s.annotation.group)).collect();
        assert_eq!(spans, [(2, 12, 0), (1, 20, 0), (2, 30, 0), (2, 40, 0)]);
    }

    #[test]
    fn repeating_sets_get_one_set_per_line() {
        let out = group(
            vec![
                p(1, 10, 0, 5, 0.9, 0),
                p(3, 20, 10, 15, 0.8, 3),
                p(4, 20, 16, 20, 0.7, 3),
                p(3, 20, 21, 25, 0.8, 4),
                p(4, 20, 26, 30, 0.6, 4),
                p(4, 20, 31, 33, 0.5, 4), // a second amount on the same line: the weaker one goes
            ],
            &schema(),
        );
        let groups: Vec<(usize, i64)> = out.iter().map(|s| (s.annotation.start, s.annotation.group)).collect();
        assert_eq!(groups, [(0, 0), (10, 1), (16, 1), (21, 2), (26, 2)]);
        assert!(group(Vec::new(), &schema()).is_empty());
    }
}

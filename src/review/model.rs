//! The review view model: the `annotation_sets` tree flattened into sets → labels → annotations, with the panel's
//! filters; the states and counts come from `lectern_api::review`, as the server computes them.

use lectern_api::annotations::{
    AnnotationNested, AnnotationSet, LabelSetRef, MissingAnnotation, MissingAnnotationWrite, ReviewCounts,
};
use lectern_api::review::{LabelState, State};

/// A label inside one annotation set, with the annotations a reviewer sees (declined ones are hidden, as DVUI does).
#[derive(Debug, Clone, PartialEq)]
pub struct LabelRow {
    pub id: i64,
    pub name: String,
    pub annotations: Vec<AnnotationNested>,
    /// The missing-annotation record marking this label "not found" here.
    pub missing: Option<i64>,
}

impl LabelRow {
    pub fn state(&self) -> LabelState {
        LabelState::of(self.annotations.iter().map(AnnotationNested::state), self.missing.is_some())
    }

    pub fn is_unfilled(&self) -> bool {
        self.state() == LabelState::Unfilled
    }
}

/// One annotation set (or a potential one, `id` None) with its number when its label set repeats.
#[derive(Debug, Clone, PartialEq)]
pub struct SetRow {
    pub id: Option<i64>,
    pub label_set: LabelSetRef,
    /// 1, 2, … by id among sets of the same label set, when that label set may occur several times.
    pub number: Option<usize>,
    pub labels: Vec<LabelRow>,
}

impl SetRow {
    /// A stable key for the set: its id, or the label set's for a potential set.
    pub fn key(&self) -> String {
        match self.id {
            Some(id) => format!("set{id}"),
            None => format!("new{}", self.label_set.id),
        }
    }

    pub fn title(&self) -> String {
        match self.number {
            Some(n) => format!("{} {n}", self.label_set.name),
            None => self.label_set.name.clone(),
        }
    }

    /// Where an annotation of this set is made: the set itself, or, for a potential set, a new one.
    pub fn target(&self) -> Target {
        match self.id {
            Some(id) => Target::Set(id),
            None => Target::NewSet(self.label_set.id),
        }
    }

    /// The record that marks `label` "not found" in this set of `document`.
    pub fn missing_entry(&self, document: i64, label: i64) -> MissingAnnotationWrite {
        MissingAnnotationWrite { document, label, label_set: self.label_set.id, annotation_set: self.id }
    }
}

/// Where a new annotation goes: an existing annotation set, or a new set of a label set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    Set(i64),
    NewSet(i64),
}

/// Where an annotation sits in the tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed<'a> {
    pub set: &'a SetRow,
    pub label: &'a LabelRow,
    pub annotation: &'a AnnotationNested,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tree {
    pub sets: Vec<SetRow>,
}

impl Tree {
    /// Builds the view model from document detail's `annotation_sets` and the document's missing-annotation records.
    /// Sets are ordered by label set name (as DVUI sorts them), then by id with potential sets last.
    pub fn build(annotation_sets: &[AnnotationSet], missing: &[MissingAnnotation]) -> Tree {
        let mut raw = annotation_sets.to_vec();
        raw.sort_by(|a, b| {
            let order = |s: &AnnotationSet| (s.label_set.name.clone(), s.label_set.id, s.id.is_none(), s.id);
            order(a).cmp(&order(b))
        });
        let mut sets: Vec<SetRow> = Vec::with_capacity(raw.len());
        for set in raw {
            let number = set
                .label_set
                .has_multiple_annotation_sets
                .then(|| 1 + sets.iter().filter(|s| s.label_set.id == set.label_set.id).count());
            let labels = set
                .labels
                .into_iter()
                .map(|l| LabelRow {
                    missing: missing
                        .iter()
                        .find(|m| m.label == l.id && m.label_set == set.label_set.id && m.annotation_set == set.id)
                        .map(|m| m.id),
                    annotations: l.annotations.into_iter().filter(|a| a.state() != State::Declined).collect(),
                    id: l.id,
                    name: l.name,
                })
                .collect();
            sets.push(SetRow { id: set.id, label_set: set.label_set, number, labels });
        }
        // A single set of a repeating label set is not numbered.
        for i in 0..sets.len() {
            let same = sets.iter().filter(|s| s.label_set.id == sets[i].label_set.id).count();
            if same == 1 {
                sets[i].number = None;
            }
        }
        Tree { sets }
    }

    /// Every shown annotation in panel order.
    pub fn annotations(&self) -> impl Iterator<Item = Placed<'_>> {
        self.sets.iter().flat_map(|set| {
            set.labels.iter().flat_map(move |label| {
                label.annotations.iter().map(move |annotation| Placed { set, label, annotation })
            })
        })
    }

    pub fn find(&self, id: i64) -> Option<Placed<'_>> {
        self.annotations().find(|p| p.annotation.id == id)
    }

    pub fn annotation_mut(&mut self, id: i64) -> Option<&mut AnnotationNested> {
        self.sets
            .iter_mut()
            .flat_map(|s| s.labels.iter_mut())
            .flat_map(|l| l.annotations.iter_mut())
            .find(|a| a.id == id)
    }

    /// Hides an annotation (declined); gives it back with its label so that a rollback can restore it.
    pub fn remove(&mut self, id: i64) -> Option<AnnotationNested> {
        for label in self.sets.iter_mut().flat_map(|s| s.labels.iter_mut()) {
            if let Some(i) = label.annotations.iter().position(|a| a.id == id) {
                return Some(label.annotations.remove(i));
            }
        }
        None
    }

    /// The set whose `SetRow::key` is `key`.
    pub fn set(&self, key: &str) -> Option<&SetRow> {
        self.sets.iter().find(|s| s.key() == key)
    }

    /// The label row of `set_key` and `label`.
    pub fn label_mut(&mut self, set_key: &str, label: i64) -> Option<&mut LabelRow> {
        self.sets.iter_mut().find(|s| s.key() == set_key)?.labels.iter_mut().find(|l| l.id == label)
    }

    /// The counters of the panel and the toolbar, over what the tree shows (declined annotations are not in it).
    pub fn review_counts(&self) -> ReviewCounts {
        let labels = self.sets.iter().flat_map(|s| &s.labels);
        ReviewCounts::of(self.annotations().map(|p| p.annotation.state()), labels.map(LabelRow::state))
    }

    /// The ids of the pending annotations of a set, for "accept all".
    pub fn pending_in(&self, set_key: &str) -> Vec<i64> {
        self.sets
            .iter()
            .filter(|s| s.key() == set_key)
            .flat_map(|s| s.labels.iter().flat_map(|l| &l.annotations))
            .filter(|a| a.state().needs_feedback())
            .map(|a| a.id)
            .collect()
    }

    /// The labels of a set that are unfilled, for "mark all empty missing".
    pub fn unfilled_in(&self, set_key: &str) -> Vec<i64> {
        self.sets
            .iter()
            .filter(|s| s.key() == set_key)
            .flat_map(|s| s.labels.iter().filter(|l| l.is_unfilled()).map(|l| l.id))
            .collect()
    }
}

/// What the panel shows; the toggles start from `ViewOptions`.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    /// Only annotations that need feedback (and no empty labels).
    pub feedback_only: bool,
    pub show_missing: bool,
    pub show_accepted: bool,
    /// Case-insensitive, matched against the label name and the annotation text.
    pub text: String,
}

impl Filter {
    fn matches_text(&self, label: &LabelRow, text: &str) -> bool {
        let needle = self.text.trim().to_lowercase();
        needle.is_empty() || label.name.to_lowercase().contains(&needle) || text.to_lowercase().contains(&needle)
    }

    pub fn shows_annotation(&self, label: &LabelRow, a: &AnnotationNested) -> bool {
        let state = a.state();
        if self.feedback_only && !state.needs_feedback() {
            return false;
        }
        if !self.show_accepted && state.is_accepted() {
            return false;
        }
        self.matches_text(label, &a.offset_string)
    }

    /// Whether a label row without annotations (unfilled or missing) is shown.
    pub fn shows_empty_label(&self, label: &LabelRow) -> bool {
        if !label.annotations.is_empty() || self.feedback_only {
            return false;
        }
        if label.missing.is_some() && !self.show_missing {
            return false;
        }
        self.matches_text(label, "")
    }
}

/// A row of the panel a reviewer can select: an annotation, or a label without one (to fill or mark missing).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Row {
    Annotation(i64),
    Label { set: String, label: i64 },
}

impl Tree {
    /// The rows the panel shows under `filter`, in order: what ↑/↓ move through.
    pub fn rows(&self, filter: &Filter) -> Vec<Row> {
        let mut rows = Vec::new();
        for set in &self.sets {
            for label in &set.labels {
                if filter.shows_empty_label(label) {
                    rows.push(Row::Label { set: set.key(), label: label.id });
                }
                rows.extend(
                    label
                        .annotations
                        .iter()
                        .filter(|a| filter.shows_annotation(label, a))
                        .map(|a| Row::Annotation(a.id)),
                );
            }
        }
        rows
    }
}

/// A stable colour for a label (labels carry none in the API): a hue spread by the golden angle.
pub fn label_colour(label: i64) -> String {
    let hue = (label.rem_euclid(360) as f64 * 137.508) % 360.0;
    format!("hsl({hue:.0}, 70%, 42%)")
}

/// The ids before and after `current` in `ids` (the unreviewed documents), for previous/next navigation.
/// When `current` is not in the list, the neighbours are the nearest ids below and above it.
pub fn neighbours(ids: &[i64], current: i64) -> (Option<i64>, Option<i64>) {
    match ids.iter().position(|&id| id == current) {
        Some(i) => (i.checked_sub(1).map(|p| ids[p]), ids.get(i + 1).copied()),
        None => {
            (ids.iter().copied().filter(|&id| id < current).max(), ids.iter().copied().filter(|&id| id > current).min())
        }
    }
}

/// The row `delta` steps away from `current` in `order`, staying at the ends; the first (or last) when none is current.
pub fn step<T: PartialEq + Clone>(order: &[T], current: Option<&T>, delta: isize) -> Option<T> {
    let last = order.len().checked_sub(1)?;
    let index = match current.and_then(|c| order.iter().position(|r| r == c)) {
        Some(i) => (i as isize + delta).clamp(0, last as isize) as usize,
        None if delta < 0 => last,
        None => 0,
    };
    Some(order[index].clone())
}

/// The annotation id of a `#ann{id}` deep link.
pub fn annotation_from_hash(hash: &str) -> Option<i64> {
    hash.trim_start_matches('#').strip_prefix("ann")?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn ann(id: i64, revised: bool, is_correct: bool, human: bool) -> Value {
        json!({"id": id, "document": 1, "offset_string": format!("text {id}"), "offset_string_original": "x",
               "translated_string": null, "normalized": null, "confidence": 0.8, "is_correct": is_correct,
               "revised": revised, "origin": "extraction",
               "created_by": if human { json!("a@b.c") } else { json!(null) },
               "revised_by": null, "span": [], "selection_bbox": null, "custom_offset_string": false})
    }

    fn label(id: i64, name: &str, annotations: Vec<Value>) -> Value {
        json!({"id": id, "name": name, "api_name": name, "description": "", "has_multiple_top_candidates": false,
               "annotations": annotations})
    }

    fn sample() -> Vec<AnnotationSet> {
        let positions = json!({"id": 7, "name": "Positions", "api_name": "p", "description": null,
                               "has_multiple_annotation_sets": true});
        serde_json::from_value(json!([
            {"id": 20, "label_set": positions, "labels": [
                label(1, "Total", vec![ann(101, false, false, false)]), label(2, "Date", vec![])]},
            {"id": 3, "label_set": {"id": 3, "name": "Invoice", "api_name": "i", "description": null,
                                     "has_multiple_annotation_sets": false}, "labels": [
                label(1, "Total", vec![ann(102, true, true, false), ann(103, true, false, false)]),
                label(2, "Date", vec![ann(104, false, true, true)])]},
            {"id": 10, "label_set": positions, "labels": [label(1, "Total", vec![]), label(2, "Date", vec![])]},
        ]))
        .unwrap()
    }

    #[test]
    fn tree_sorts_numbers_repeating_sets_and_hides_declined() {
        let missing = [MissingAnnotation { id: 9, document: 1, label: 2, label_set: 7, annotation_set: Some(20) }];
        let tree = Tree::build(&sample(), &missing);
        let titles: Vec<String> = tree.sets.iter().map(|s| s.title()).collect();
        assert_eq!(titles, ["Invoice", "Positions 1", "Positions 2"]);
        assert_eq!(tree.sets[1].id, Some(10));
        let ids: Vec<i64> = tree.annotations().map(|p| p.annotation.id).collect();
        assert_eq!(ids, [102, 104, 101], "declined 103 is hidden");
        assert_eq!(tree.sets[2].labels[1].missing, Some(9));
        assert_eq!(tree.find(101).unwrap().set.key(), "set20");
        assert_eq!(tree.sets[0].target(), Target::Set(3));
        let potential = SetRow { id: None, ..tree.sets[1].clone() };
        assert_eq!(potential.target(), Target::NewSet(7));
        assert_eq!(
            potential.missing_entry(1, 2),
            MissingAnnotationWrite { document: 1, label: 2, label_set: 7, annotation_set: None }
        );
    }

    #[test]
    fn states_and_counters() {
        let tree = Tree::build(&sample(), &[]);
        assert_eq!(tree.find(101).unwrap().annotation.state(), State::FeedbackRequired);
        assert_eq!(tree.find(104).unwrap().annotation.state(), State::CreatedByHuman);
        let counts =
            |pending, accepted, unfilled, missing| ReviewCounts { pending, accepted, declined: 0, unfilled, missing };
        assert_eq!(tree.review_counts(), counts(1, 2, 3, 0), "declined 103 is neither shown nor counted");
        assert!(!tree.review_counts().can_finish());
        assert_eq!(tree.pending_in("set20"), [101]);
        assert_eq!(tree.unfilled_in("set10"), [1, 2]);

        let mut tree = tree;
        tree.annotation_mut(101).unwrap().revised = true;
        tree.annotation_mut(101).unwrap().is_correct = true;
        for (set, label) in [("set20", 2), ("set10", 1), ("set10", 2)] {
            tree.label_mut(set, label).unwrap().missing = Some(1);
        }
        assert_eq!(tree.review_counts(), counts(0, 3, 0, 3));
        assert!(tree.review_counts().can_finish());
        assert!(tree.remove(102).is_some());
        assert_eq!(tree.review_counts().unfilled, 1, "the label of a removed annotation is unfilled again");
    }

    #[test]
    fn filters() {
        let tree = Tree::build(&sample(), &[]);
        let all = Filter { feedback_only: false, show_missing: true, show_accepted: true, text: String::new() };
        let shown = |f: &Filter| -> Vec<i64> {
            tree.annotations().filter(|p| f.shows_annotation(p.label, p.annotation)).map(|p| p.annotation.id).collect()
        };
        assert_eq!(shown(&all), [102, 104, 101]);
        assert_eq!(shown(&Filter { feedback_only: true, ..all.clone() }), [101]);
        assert_eq!(shown(&Filter { show_accepted: false, ..all.clone() }), [101]);
        assert_eq!(shown(&Filter { text: "DATE".into(), ..all.clone() }), [104]);
        assert_eq!(shown(&Filter { text: "text 102".into(), ..all.clone() }), [102]);
        let mut empty = tree.sets[1].labels[0].clone();
        assert!(all.shows_empty_label(&empty));
        assert!(!Filter { feedback_only: true, ..all.clone() }.shows_empty_label(&empty));
        empty.missing = Some(3);
        assert!(!Filter { show_missing: false, ..all.clone() }.shows_empty_label(&empty));
    }

    #[test]
    fn rows_follow_the_filter() {
        let tree = Tree::build(&sample(), &[]);
        let all = Filter { feedback_only: false, show_missing: true, show_accepted: true, text: String::new() };
        let label = |set: &str, label: i64| Row::Label { set: set.into(), label };
        assert_eq!(
            tree.rows(&all),
            [
                Row::Annotation(102),
                Row::Annotation(104),
                label("set10", 1),
                label("set10", 2),
                Row::Annotation(101),
                label("set20", 2)
            ]
        );
        assert_eq!(tree.rows(&Filter { feedback_only: true, ..all }), [Row::Annotation(101)]);
    }

    #[test]
    fn navigation_helpers() {
        assert_eq!(neighbours(&[3, 5, 9], 5), (Some(3), Some(9)));
        assert_eq!(neighbours(&[3, 5, 9], 3), (None, Some(5)));
        assert_eq!(neighbours(&[3, 5, 9], 6), (Some(5), Some(9)), "a reviewed document is not listed");
        assert_eq!(step(&[4, 6, 8], None, 1), Some(4));
        assert_eq!(step(&[4, 6, 8], None, -1), Some(8));
        assert_eq!(step(&[4, 6, 8], Some(&6), 1), Some(8));
        assert_eq!(step(&[4, 6, 8], Some(&8), 1), Some(8));
        assert_eq!(step(&[4, 6, 8], Some(&4), -1), Some(4));
        assert_eq!(step::<i64>(&[], Some(&4), -1), None);
        assert_eq!(annotation_from_hash("#ann42"), Some(42));
        assert_eq!(annotation_from_hash("#templ42"), None);
        assert_ne!(label_colour(1), label_colour(2));
        assert_eq!(label_colour(5), label_colour(5));
    }
}

//! The review states (§12.5) of annotations and of a document's labels, computed here only, and the one function that stores AI suggestions.

use lectern_api::annotations::ReviewCounts;

/// The state of one annotation, from its fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// An AI suggestion nobody has looked at: not revised, not correct, no creator.
    FeedbackRequired,
    /// Revised and correct, or an unrevised AI suggestion already marked correct.
    Accepted,
    /// Revised and not correct: a negative example, kept for training and hidden by DVUI.
    Declined,
    /// Made by a person and not revised since (DVUI counts it as accepted).
    CreatedByHuman,
}

pub fn state(is_correct: bool, revised: bool, created_by_human: bool) -> State {
    match (revised, is_correct) {
        (true, true) => State::Accepted,
        (true, false) => State::Declined,
        (false, _) if created_by_human => State::CreatedByHuman,
        (false, true) => State::Accepted,
        (false, false) => State::FeedbackRequired,
    }
}

/// `(is_correct, revised)` after an accept.
pub const ACCEPT: (bool, bool) = (true, true);
/// `(is_correct, revised)` after a decline (PATCH negative, the SDK's soft delete, DELETE of a suggestion).
pub const DECLINE: (bool, bool) = (false, true);

/// Whether DELETE keeps the annotation as declined (an AI suggestion not declined yet) instead of removing it.
pub fn delete_keeps_as_declined(current: State, created_by_human: bool) -> bool {
    !created_by_human && current != State::Declined
}

/// The state of one label within one (existing or potential) annotation set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelState {
    /// Has an annotation that is not declined.
    Filled,
    /// Marked "not found" by a missing-annotation record.
    NotFound,
    /// Neither.
    Unfilled,
}

pub fn label_state(annotations: &[State], missing: bool) -> LabelState {
    if annotations.iter().any(|s| *s != State::Declined) {
        LabelState::Filled
    } else if missing {
        LabelState::NotFound
    } else {
        LabelState::Unfilled
    }
}

/// One (annotation set or potential set, label) slot of a document with what it holds.
pub struct Slot {
    pub annotations: Vec<State>,
    pub missing: bool,
}

/// Counts per state over a document's annotations and label slots.
pub fn counts(annotations: &[State], slots: &[Slot]) -> ReviewCounts {
    let mut c = ReviewCounts::default();
    for s in annotations {
        match s {
            State::FeedbackRequired => c.pending += 1,
            State::Accepted | State::CreatedByHuman => c.accepted += 1,
            State::Declined => c.declined += 1,
        }
    }
    for slot in slots {
        match label_state(&slot.annotations, slot.missing) {
            LabelState::Filled => {}
            LabelState::NotFound => c.missing += 1,
            LabelState::Unfilled => c.unfilled += 1,
        }
    }
    c
}

/// Why a document cannot be marked reviewed yet, if it cannot.
pub fn review_blocker(c: &ReviewCounts) -> Option<String> {
    match (c.pending, c.unfilled) {
        (0, 0) => None,
        (p, u) => Some(format!(
            "The document cannot be marked reviewed: {p} annotation(s) need feedback and {u} label(s) are unfilled \
             (accept or decline every suggestion and annotate or mark as missing every label)."
        )),
    }
}

/// An AI suggestion for a document: a label over the text `[start_offset, end_offset)`.
#[derive(Debug, Clone)]
pub struct Suggestion {
    pub label: i64,
    /// The label set; inferred from the label and the document's category when `None`.
    pub label_set: Option<i64>,
    pub start_offset: usize,
    pub end_offset: usize,
    pub confidence: f64,
    /// Suggestions of a repeating label set with the same group share one annotation set (a line item).
    pub group: Option<i64>,
}

/// Stores AI suggestions: origin `extraction`, no creator, not revised, not correct, with their confidence.
/// The extraction stage and `lectern-server suggest` call this; all are stored or none. Returns their ids.
pub async fn store_suggestions(
    state: &crate::http::AppState,
    document: i64,
    suggestions: &[Suggestion],
) -> crate::http::error::Result<Vec<i64>> {
    let writes = suggestions
        .iter()
        .map(|s| {
            let write = lectern_api::annotations::AnnotationWrite {
            document: Some(document),
            label: Some(s.label),
            label_set: s.label_set,
            span: Some(vec![lectern_api::annotations::SpanInput {
                start_offset: Some(s.start_offset),
                end_offset: Some(s.end_offset),
                ..Default::default()
            }]),
            is_correct: Some(false),
            revised: Some(false),
            confidence: Some(s.confidence),
            origin: Some("extraction".into()),
            ..Default::default()
            };
            (write, s.group)
        })
        .collect();
    crate::http::annotations::insert(state, None, writes).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_suggestion_needs_feedback_until_accepted_or_declined() {
        let new = state(false, false, false);
        assert_eq!(new, State::FeedbackRequired);
        assert_eq!(state(ACCEPT.0, ACCEPT.1, false), State::Accepted);
        assert_eq!(state(DECLINE.0, DECLINE.1, false), State::Declined);
        // A declined suggestion accepted again.
        assert_eq!(state(true, true, false), State::Accepted);
        // An unrevised suggestion already marked correct is not pending.
        assert_eq!(state(true, false, false), State::Accepted);
    }

    #[test]
    fn human_annotations_count_as_accepted_until_revised() {
        assert_eq!(state(true, false, true), State::CreatedByHuman);
        assert_eq!(state(false, false, true), State::CreatedByHuman);
        assert_eq!(state(ACCEPT.0, ACCEPT.1, true), State::Accepted);
        assert_eq!(state(DECLINE.0, DECLINE.1, true), State::Declined);
    }

    #[test]
    fn delete_declines_a_suggestion_once_and_removes_everything_else() {
        assert!(delete_keeps_as_declined(State::FeedbackRequired, false));
        assert!(delete_keeps_as_declined(State::Accepted, false));
        assert!(!delete_keeps_as_declined(State::Declined, false));
        assert!(!delete_keeps_as_declined(State::CreatedByHuman, true));
    }

    #[test]
    fn labels_are_filled_not_found_or_unfilled() {
        assert_eq!(label_state(&[], false), LabelState::Unfilled);
        assert_eq!(label_state(&[], true), LabelState::NotFound);
        assert_eq!(label_state(&[State::Declined], false), LabelState::Unfilled);
        assert_eq!(label_state(&[State::Declined, State::FeedbackRequired], false), LabelState::Filled);
        assert_eq!(label_state(&[State::CreatedByHuman], true), LabelState::Filled);
    }

    #[test]
    fn counts_block_review_while_anything_is_pending_or_unfilled() {
        let slots = |a: Vec<State>, missing| Slot { annotations: a, missing };
        let c = counts(
            &[State::FeedbackRequired, State::Declined],
            &[slots(vec![State::FeedbackRequired], false), slots(vec![State::Declined], false)],
        );
        assert_eq!((c.pending, c.declined, c.unfilled, c.missing), (1, 1, 1, 0));
        assert!(review_blocker(&c).is_some());
        let c = counts(
            &[State::Accepted, State::Declined],
            &[slots(vec![State::Accepted], false), slots(vec![State::Declined], true)],
        );
        assert_eq!((c.accepted, c.unfilled, c.missing), (1, 0, 1));
        assert_eq!(review_blocker(&c), None);
    }
}

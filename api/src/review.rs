//! The review state machine (§12.5), computed here only, for the server and the SPA alike: the state of an
//! annotation, of a label in an annotation set, a document's counts, and what keeps it from being reviewed.

use crate::annotations::{AnnotationNested, AnnotationSet, ReviewCounts};

/// The state of one annotation, from its fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// An AI suggestion nobody has looked at: not revised, not correct, no creator.
    FeedbackRequired,
    /// Revised and correct, or an unrevised AI suggestion already marked correct.
    Accepted,
    /// Revised and not correct: a negative example, kept for training and hidden by the review views.
    Declined,
    /// Made by a person and not revised since (counted as accepted).
    CreatedByHuman,
}

impl State {
    pub fn of(is_correct: bool, revised: bool, created_by_human: bool) -> State {
        match (revised, is_correct) {
            (true, true) => State::Accepted,
            (true, false) => State::Declined,
            (false, _) if created_by_human => State::CreatedByHuman,
            (false, true) => State::Accepted,
            (false, false) => State::FeedbackRequired,
        }
    }

    /// DVUI's "feedback needed": not revised and not made by a person.
    pub fn needs_feedback(self) -> bool {
        self == State::FeedbackRequired
    }

    /// Accepted, or made by a person.
    pub fn is_accepted(self) -> bool {
        matches!(self, State::Accepted | State::CreatedByHuman)
    }

    /// A short name for the state (the SPA's `data-state` and CSS class).
    pub fn code(self) -> &'static str {
        match self {
            State::FeedbackRequired => "pending",
            State::Accepted => "accepted",
            State::Declined => "declined",
            State::CreatedByHuman => "human",
        }
    }
}

impl AnnotationNested {
    pub fn state(&self) -> State {
        State::of(self.is_correct, self.revised, self.created_by.is_some())
    }

    /// Whether DELETE keeps this annotation as declined; a person's annotation (one with a creator, or not from
    /// extraction) is removed instead.
    pub fn delete_keeps_as_declined(&self) -> bool {
        let by_person = self.created_by.is_some() || self.origin != "extraction";
        delete_keeps_as_declined(self.state(), by_person)
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

impl LabelState {
    pub fn of(annotations: impl IntoIterator<Item = State>, missing: bool) -> LabelState {
        if annotations.into_iter().any(|s| s != State::Declined) {
            LabelState::Filled
        } else if missing {
            LabelState::NotFound
        } else {
            LabelState::Unfilled
        }
    }
}

impl ReviewCounts {
    /// Counts the states of a document's annotations and of its label slots.
    pub fn of(
        annotations: impl IntoIterator<Item = State>,
        labels: impl IntoIterator<Item = LabelState>,
    ) -> ReviewCounts {
        let mut c = ReviewCounts::default();
        for s in annotations {
            match s {
                State::FeedbackRequired => c.pending += 1,
                State::Accepted | State::CreatedByHuman => c.accepted += 1,
                State::Declined => c.declined += 1,
            }
        }
        for label in labels {
            match label {
                LabelState::Filled => {}
                LabelState::NotFound => c.missing += 1,
                LabelState::Unfilled => c.unfilled += 1,
            }
        }
        c
    }

    /// Why the document cannot be marked reviewed yet, if it cannot: a suggestion waits for feedback or a label
    /// is neither annotated nor marked missing.
    pub fn review_blocker(&self) -> Option<String> {
        match (self.pending, self.unfilled) {
            (0, 0) => None,
            (p, u) => Some(format!(
                "The document cannot be marked reviewed: {p} annotation(s) need feedback and {u} label(s) are unfilled \
                 (accept or decline every suggestion and annotate or mark as missing every label)."
            )),
        }
    }

    pub fn can_finish(&self) -> bool {
        self.review_blocker().is_none()
    }
}

impl AnnotationSet {
    /// The state of each label of the set; `missing(label)` tells whether the label is marked "not found" here.
    pub fn label_states<'a>(&'a self, missing: impl Fn(i64) -> bool + 'a) -> impl Iterator<Item = LabelState> + 'a {
        self.labels
            .iter()
            .map(move |l| LabelState::of(l.annotations.iter().map(AnnotationNested::state), missing(l.id)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_suggestion_needs_feedback_until_accepted_or_declined() {
        assert_eq!(State::of(false, false, false), State::FeedbackRequired);
        assert_eq!(State::of(ACCEPT.0, ACCEPT.1, false), State::Accepted);
        assert_eq!(State::of(DECLINE.0, DECLINE.1, false), State::Declined);
        // An unrevised suggestion already marked correct is not pending.
        assert_eq!(State::of(true, false, false), State::Accepted);
        assert!(State::of(false, false, false).needs_feedback());
    }

    #[test]
    fn human_annotations_count_as_accepted_until_revised() {
        assert_eq!(State::of(true, false, true), State::CreatedByHuman);
        assert_eq!(State::of(false, false, true), State::CreatedByHuman);
        assert_eq!(State::of(ACCEPT.0, ACCEPT.1, true), State::Accepted);
        assert_eq!(State::of(DECLINE.0, DECLINE.1, true), State::Declined);
        assert!(State::CreatedByHuman.is_accepted());
    }

    #[test]
    fn delete_declines_a_suggestion_once_and_removes_everything_else() {
        assert!(delete_keeps_as_declined(State::FeedbackRequired, false));
        assert!(delete_keeps_as_declined(State::Accepted, false));
        assert!(!delete_keeps_as_declined(State::Declined, false));
        assert!(!delete_keeps_as_declined(State::CreatedByHuman, true));
    }

    #[test]
    fn delete_of_an_annotation_follows_its_origin_and_creator() {
        let suggestion = AnnotationNested {
            id: 1,
            document: 1,
            offset_string: "x".into(),
            offset_string_original: "x".into(),
            translated_string: None,
            normalized: None,
            confidence: Some(0.9),
            is_correct: false,
            revised: false,
            origin: "extraction".into(),
            created_by: None,
            revised_by: None,
            span: Vec::new(),
            selection_bbox: None,
            custom_offset_string: false,
        };
        assert!(suggestion.delete_keeps_as_declined());
        let by_person = AnnotationNested { created_by: Some("a@b.c".into()), ..suggestion.clone() };
        assert!(!by_person.delete_keeps_as_declined());
        let from_api = AnnotationNested { origin: "api".into(), ..suggestion };
        assert!(!from_api.delete_keeps_as_declined());
    }

    #[test]
    fn labels_are_filled_not_found_or_unfilled() {
        assert_eq!(LabelState::of([], false), LabelState::Unfilled);
        assert_eq!(LabelState::of([], true), LabelState::NotFound);
        assert_eq!(LabelState::of([State::Declined], false), LabelState::Unfilled);
        assert_eq!(LabelState::of([State::Declined, State::FeedbackRequired], false), LabelState::Filled);
        assert_eq!(LabelState::of([State::CreatedByHuman], true), LabelState::Filled);
    }

    #[test]
    fn counts_block_review_while_anything_is_pending_or_unfilled() {
        let c = ReviewCounts::of(
            [State::FeedbackRequired, State::Declined],
            [LabelState::of([State::FeedbackRequired], false), LabelState::of([State::Declined], false)],
        );
        assert_eq!((c.pending, c.declined, c.unfilled, c.missing), (1, 1, 1, 0));
        assert!(c.review_blocker().is_some());
        let c = ReviewCounts::of(
            [State::Accepted, State::Declined],
            [LabelState::of([State::Accepted], false), LabelState::of([State::Declined], true)],
        );
        assert_eq!((c.accepted, c.unfilled, c.missing), (1, 0, 1));
        assert!(c.can_finish());
    }
}

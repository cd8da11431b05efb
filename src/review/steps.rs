//! What each review action sends and the call that takes it back, as typed bodies built from the annotation as the
//! view has it.

use lectern_api::annotations::{
    AnnotationNested, AnnotationSpan, AnnotationWrite, BulkUpdate, MissingAnnotationWrite, SpanInput,
};
use lectern_api::geometry::{PageBox, Span};
use lectern_api::review::ACCEPT;

use super::model::Target;
use super::undo::{Call, Step};

/// `(is_correct, revised)` of an AI suggestion nobody has looked at.
const PENDING: (bool, bool) = (false, false);
/// `(is_correct, revised)` of an annotation a person makes: correct, and no revision of a suggestion.
const MADE_BY_PERSON: (bool, bool) = (true, false);

/// A new annotation waiting for its label: the spans under the selection (none: the reviewer types the value).
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub spans: Vec<Span>,
    pub selection_bbox: Option<PageBox>,
}

/// Where an annotation is: its document, its label and its set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Place {
    pub document: i64,
    pub label: i64,
    pub target: Target,
}

impl Place {
    /// The body of `POST annotations/` for an annotation here, with its spans and review fields.
    fn create(self, span: Vec<SpanInput>, decision: (bool, bool), selection_bbox: Option<PageBox>) -> AnnotationWrite {
        let (annotation_set, label_set) = match self.target {
            Target::Set(id) => (Some(id), None),
            Target::NewSet(id) => (None, Some(id)),
        };
        AnnotationWrite {
            document: Some(self.document),
            label: Some(self.label),
            annotation_set,
            label_set,
            span: Some(span),
            selection_bbox: selection_bbox.map(Some),
            ..AnnotationWrite::review(decision)
        }
    }
}

/// The spans of an annotation as a write sends them back.
fn spans(a: &AnnotationNested) -> Vec<SpanInput> {
    a.span.iter().map(AnnotationSpan::input).collect()
}

/// The PATCH that puts an annotation's review fields back as they are now.
fn review_as_is(a: &AnnotationNested) -> Call {
    Call::Patch { id: a.id, body: AnnotationWrite::review((a.is_correct, a.revised)) }
}

impl Step {
    /// Accepts an annotation, its spans sent along as they are.
    pub fn accept(a: &AnnotationNested) -> Step {
        let body = AnnotationWrite { span: Some(spans(a)), ..AnnotationWrite::review(ACCEPT) };
        Step { forward: Call::Patch { id: a.id, body }, inverse: review_as_is(a) }
    }

    /// DVUI's decline, a DELETE: an AI suggestion stays as declined (undo: its review fields back); a person's
    /// annotation is gone (undo: made again in its place).
    pub fn decline(a: &AnnotationNested, place: Place) -> Step {
        let inverse = match a.delete_keeps_as_declined() {
            true => review_as_is(a),
            false => Call::Create { body: place.create(spans(a), (a.is_correct, a.revised), a.selection_bbox.clone()) },
        };
        Step { forward: Call::Delete { id: a.id }, inverse }
    }

    /// Saves an edited text: the first span carries it, and the annotation counts as accepted.
    pub fn edit(a: &AnnotationNested, text: &str) -> Step {
        let mut edited = spans(a);
        if let Some(first) = edited.first_mut() {
            first.offset_string = Some(text.to_owned());
        }
        let forward = AnnotationWrite { span: Some(edited), ..AnnotationWrite::review(ACCEPT) };
        let back = AnnotationWrite { span: Some(spans(a)), ..AnnotationWrite::review((a.is_correct, a.revised)) };
        Step { forward: Call::Patch { id: a.id, body: forward }, inverse: Call::Patch { id: a.id, body: back } }
    }

    /// Accepts several AI suggestions at once; undone, they wait for feedback again.
    pub fn accept_all(ids: Vec<i64>) -> Step {
        let bulk = |(is_correct, revised): (bool, bool)| BulkUpdate {
            ids: ids.clone(),
            is_correct: Some(is_correct),
            revised: Some(revised),
        };
        Step { forward: Call::Bulk { body: bulk(ACCEPT) }, inverse: Call::Bulk { body: bulk(PENDING) } }
    }

    /// Marks labels "not found"; undone, the records made are deleted (their ids are known once they are made).
    pub fn mark_missing(entries: Vec<MissingAnnotationWrite>) -> Step {
        Step { forward: Call::MarkMissing { entries }, inverse: Call::Restore { ids: Vec::new() } }
    }

    /// Takes back the "not found" record `id`, which `entry` makes again.
    pub fn restore(id: i64, entry: MissingAnnotationWrite) -> Step {
        Step { forward: Call::Restore { ids: vec![id] }, inverse: Call::MarkMissing { entries: vec![entry] } }
    }

    /// A new annotation, made as `body` says; undone, the annotation `id` it became is deleted.
    pub fn create(body: AnnotationWrite, id: i64) -> Step {
        Step { forward: Call::Create { body }, inverse: Call::Delete { id } }
    }
}

/// The body of `POST annotations/` for a draft at `place`; `typed` is the value of a box drawn over no text.
pub fn create_body(place: Place, draft: &Draft, typed: String) -> AnnotationWrite {
    let span = match (&draft.selection_bbox, draft.spans.is_empty()) {
        (Some(drawn), true) => vec![SpanInput::from(&PageBox { offset_string: Some(typed), ..drawn.clone() })],
        _ => draft.spans.iter().map(SpanInput::from).collect(),
    };
    place.create(span, MADE_BY_PERSON, draft.selection_bbox.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn body(call: &Call) -> Value {
        match call {
            Call::Patch { body, .. } | Call::Create { body } => serde_json::to_value(body).unwrap(),
            Call::Bulk { body } => serde_json::to_value(body).unwrap(),
            other => panic!("no body: {other:?}"),
        }
    }

    fn span_json() -> Value {
        json!({"x0": 1.0, "x1": 2.0, "y0": 3.0, "y1": 4.0, "top": 5.0, "bottom": 6.0, "page_index": 0,
               "start_offset": 7, "end_offset": 9, "line_index": 0, "line_number": 1, "offset_string": "ab",
               "offset_string_original": "ab"})
    }

    /// What the span of `span_json` is sent back as.
    fn span_input(text: &str) -> Value {
        json!({"x0": 1.0, "x1": 2.0, "y0": 3.0, "y1": 4.0, "page_index": 0, "start_offset": 7, "end_offset": 9,
               "offset_string": text})
    }

    fn annotation(origin: &str, created_by: Option<&str>, revised: bool, is_correct: bool) -> AnnotationNested {
        serde_json::from_value(json!({"id": 5, "document": 1, "offset_string": "ab", "offset_string_original": "ab",
            "translated_string": null, "normalized": null, "confidence": 0.8, "is_correct": is_correct,
            "revised": revised, "origin": origin, "created_by": created_by, "revised_by": null,
            "span": [span_json()], "selection_bbox": null, "custom_offset_string": false}))
        .unwrap()
    }

    const PLACE: Place = Place { document: 1, label: 2, target: Target::Set(3) };

    #[test]
    fn accept_sends_the_spans_and_undo_puts_the_review_fields_back() {
        let step = Step::accept(&annotation("extraction", None, false, false));
        assert!(matches!((&step.forward, &step.inverse), (Call::Patch { id: 5, .. }, Call::Patch { id: 5, .. })));
        assert_eq!(body(&step.forward), json!({"is_correct": true, "revised": true, "span": [span_input("ab")]}));
        assert_eq!(body(&step.inverse), json!({"is_correct": false, "revised": false}));
    }

    #[test]
    fn declining_a_suggestion_is_undone_by_its_review_fields() {
        let step = Step::decline(&annotation("extraction", None, false, false), PLACE);
        assert_eq!(step.forward, Call::Delete { id: 5 });
        assert_eq!(step.inverse, Call::Patch { id: 5, body: AnnotationWrite::review((false, false)) });
    }

    #[test]
    fn declining_a_persons_annotation_is_undone_by_making_it_again() {
        let mut made = annotation("extraction", Some("a@b.c"), false, true);
        made.selection_bbox = Some(PageBox { x0: 0.5, x1: 2.5, y0: 2.5, y1: 4.5, page_index: 0, offset_string: None });
        let step = Step::decline(&made, PLACE);
        assert_eq!(
            body(&step.inverse),
            json!({"document": 1, "label": 2, "annotation_set": 3, "span": [span_input("ab")],
                   "selection_bbox": {"x0": 0.5, "x1": 2.5, "y0": 2.5, "y1": 4.5, "page_index": 0},
                   "is_correct": true, "revised": false})
        );
        let from_api =
            Step::decline(&annotation("api", None, false, false), Place { target: Target::NewSet(8), ..PLACE });
        assert_eq!(body(&from_api.inverse)["label_set"], 8, "a potential set is made again as a new one");
        assert_eq!(body(&from_api.inverse).get("annotation_set"), None);
    }

    #[test]
    fn an_edit_accepts_the_new_text_and_undo_brings_back_the_old() {
        let step = Step::edit(&annotation("extraction", None, false, false), "9,50");
        assert_eq!(body(&step.forward), json!({"is_correct": true, "revised": true, "span": [span_input("9,50")]}));
        assert_eq!(body(&step.inverse), json!({"is_correct": false, "revised": false, "span": [span_input("ab")]}));
        assert!(matches!(step.inverse, Call::Patch { id: 5, .. }));
    }

    #[test]
    fn accept_all_is_undone_to_pending() {
        let step = Step::accept_all(vec![4, 6]);
        assert_eq!(body(&step.forward), json!({"ids": [4, 6], "is_correct": true, "revised": true}));
        assert_eq!(body(&step.inverse), json!({"ids": [4, 6], "is_correct": false, "revised": false}));
    }

    #[test]
    fn missing_marks_are_undone_by_deleting_the_records_made() {
        let entry = MissingAnnotationWrite { document: 1, label: 2, label_set: 7, annotation_set: None };
        let mut stack = crate::review::undo::UndoStack::default();
        let step = Step::mark_missing(vec![entry.clone()]);
        stack.record(Step { inverse: step.inverse.aimed_at(&[40]), ..step });
        assert_eq!(stack.take_undo().unwrap().inverse, Call::Restore { ids: vec![40] });
        let step = Step::restore(40, entry.clone());
        assert_eq!(
            (step.forward, step.inverse),
            (Call::Restore { ids: vec![40] }, Call::MarkMissing { entries: vec![entry] })
        );
    }

    #[test]
    fn a_draft_becomes_a_persons_annotation() {
        let found: Span = serde_json::from_value(span_json()).unwrap();
        let draft = Draft { spans: vec![found], selection_bbox: None };
        let place = Place { target: Target::NewSet(8), ..PLACE };
        assert_eq!(
            serde_json::to_value(create_body(place, &draft, String::new())).unwrap(),
            json!({"document": 1, "label": 2, "label_set": 8, "span": [span_input("ab")], "is_correct": true,
                   "revised": false})
        );
        let step = Step::create(create_body(place, &draft, String::new()), 41);
        assert_eq!(step.inverse, Call::Delete { id: 41 });
    }

    #[test]
    fn a_box_over_no_text_carries_the_typed_value() {
        let drawn = PageBox { x0: 1.0, x1: 2.0, y0: 3.0, y1: 4.0, page_index: 1, offset_string: None };
        let draft = Draft { spans: Vec::new(), selection_bbox: Some(drawn) };
        assert_eq!(
            serde_json::to_value(create_body(PLACE, &draft, "42".into())).unwrap(),
            json!({"document": 1, "label": 2, "annotation_set": 3,
                   "span": [{"x0": 1.0, "x1": 2.0, "y0": 3.0, "y1": 4.0, "page_index": 1, "offset_string": "42"}],
                   "selection_bbox": {"x0": 1.0, "x1": 2.0, "y0": 3.0, "y1": 4.0, "page_index": 1},
                   "is_correct": true, "revised": false})
        );
    }
}

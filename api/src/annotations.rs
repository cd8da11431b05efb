//! Annotations (§8, §12) and missing annotations (§13): the `annotation_sets` tree, the flat form, spans and
//! boxes, and the write bodies.

use serde::{Deserialize, Serialize};

use crate::geometry::{PageBox, Span};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// An annotation inside a label of a document's `annotation_sets` (§8): exactly the keys DVUI's mock has.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AnnotationNested {
    pub id: i64,
    pub document: i64,
    pub offset_string: String,
    pub offset_string_original: String,
    pub translated_string: Option<String>,
    pub normalized: Option<Normalized>,
    pub confidence: Option<f64>,
    pub is_correct: bool,
    pub revised: bool,
    pub origin: String,
    /// Email of the creator; null for AI suggestions.
    pub created_by: Option<String>,
    pub revised_by: Option<String>,
    /// One span per line (§12.1); a drawn box with no text under it has null offsets.
    pub span: Vec<AnnotationSpan>,
    /// The rectangle the reviewer drew, when the annotation came from a drag.
    pub selection_bbox: Option<PageBox>,
    pub custom_offset_string: bool,
}

/// A value read into its label's data type (§8): a number for numbers, text (an ISO date, …) otherwise.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(untagged)]
pub enum Normalized {
    Number(f64),
    Text(String),
}

/// One line's piece of an annotation (§12.1). A piece of the text has offsets, a line and its box; a box drawn
/// over no text (DVUI's drawn box with a typed value) has null offsets and no line, and its `offset_string` is
/// what the reviewer typed. Both serialise as they always have: `top`, `bottom`, `line_index` and
/// `line_number` are left out when unknown, the offsets are null.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AnnotationSpan {
    pub x0: f64,
    pub x1: f64,
    pub y0: f64,
    pub y1: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bottom: Option<f64>,
    pub page_index: u32,
    pub start_offset: Option<usize>,
    pub end_offset: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_index: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_number: Option<u32>,
    pub offset_string: String,
    pub offset_string_original: String,
}

impl AnnotationSpan {
    /// A box drawn over no text, holding the text the reviewer typed.
    pub fn drawn(area: &PageBox) -> AnnotationSpan {
        AnnotationSpan {
            x0: area.x0,
            x1: area.x1,
            y0: area.y0,
            y1: area.y1,
            top: None,
            bottom: None,
            page_index: area.page_index,
            start_offset: None,
            end_offset: None,
            line_index: None,
            line_number: None,
            offset_string: area.offset_string.clone().unwrap_or_default(),
            offset_string_original: String::new(),
        }
    }

    /// `[start, end)` in the document text; `None` for a drawn box over no text.
    pub fn offsets(&self) -> Option<(usize, usize)> {
        self.start_offset.zip(self.end_offset)
    }

    /// The span as a write body sends it back: its box and offsets, with the text it shows.
    pub fn input(&self) -> SpanInput {
        SpanInput {
            x0: Some(self.x0),
            x1: Some(self.x1),
            y0: Some(self.y0),
            y1: Some(self.y1),
            page_index: Some(self.page_index),
            start_offset: self.start_offset,
            end_offset: self.end_offset,
            offset_string: Some(self.offset_string.clone()),
        }
    }
}

impl From<Span> for AnnotationSpan {
    fn from(s: Span) -> AnnotationSpan {
        AnnotationSpan {
            x0: s.x0,
            x1: s.x1,
            y0: s.y0,
            y1: s.y1,
            top: Some(s.top),
            bottom: Some(s.bottom),
            page_index: s.page_index,
            start_offset: Some(s.start_offset),
            end_offset: Some(s.end_offset),
            line_index: Some(s.line_index),
            line_number: Some(s.line_number),
            offset_string: s.offset_string,
            offset_string_original: s.offset_string_original,
        }
    }
}

/// Free data a client keeps on an annotation; DVUI keeps the state of a checkbox label here.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(default)]
pub struct AnnotationMetadata {
    pub checkbox: Option<Checkbox>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Checkbox {
    pub is_checked: bool,
}

/// One annotation set of a document's `annotation_sets` (§8), or a potential one (`id` null): a label set of the
/// document's category with no annotation set yet.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AnnotationSet {
    pub id: Option<i64>,
    pub label_set: LabelSetRef,
    /// Every label of the label set, with or without annotations.
    pub labels: Vec<LabelAnnotations>,
}

/// The label set of an annotation set, as the tree names it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LabelSetRef {
    pub id: i64,
    pub name: String,
    pub api_name: String,
    pub description: Option<String>,
    pub has_multiple_annotation_sets: bool,
}

/// A label of an annotation set with the set's annotations of that label, declined ones included.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LabelAnnotations {
    pub id: i64,
    pub name: String,
    pub api_name: String,
    pub description: String,
    pub has_multiple_top_candidates: bool,
    pub annotations: Vec<AnnotationNested>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NamedRef {
    pub id: i64,
    pub name: String,
    pub api_name: String,
}

/// An annotation as listed and answered by writes (§12.2): the nested fields plus its context.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Annotation {
    #[serde(flatten)]
    pub nested: AnnotationNested,
    pub label: NamedRef,
    pub label_set: NamedRef,
    pub annotation_set: i64,
    pub metadata: Option<AnnotationMetadata>,
    pub created_at: String,
    pub updated_at: String,
}

/// A span or box sent with an annotation: coordinates (resolved to the characters inside), or text offsets.
/// Other keys (DVUI's `is_custom`, the response form's `top`, …) are ignored.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(default)]
pub struct SpanInput {
    pub x0: Option<f64>,
    pub x1: Option<f64>,
    pub y0: Option<f64>,
    pub y1: Option<f64>,
    pub page_index: Option<u32>,
    pub start_offset: Option<usize>,
    pub end_offset: Option<usize>,
    pub offset_string: Option<String>,
}

/// A span as `bbox` or `search` answered it, sent back unchanged as a new annotation's span.
impl From<&Span> for SpanInput {
    fn from(s: &Span) -> SpanInput {
        SpanInput {
            x0: Some(s.x0),
            x1: Some(s.x1),
            y0: Some(s.y0),
            y1: Some(s.y1),
            page_index: Some(s.page_index),
            start_offset: Some(s.start_offset),
            end_offset: Some(s.end_offset),
            offset_string: Some(s.offset_string.clone()),
        }
    }
}

impl From<&PageBox> for SpanInput {
    fn from(b: &PageBox) -> SpanInput {
        SpanInput {
            x0: Some(b.x0),
            x1: Some(b.x1),
            y0: Some(b.y0),
            y1: Some(b.y1),
            page_index: Some(b.page_index),
            offset_string: b.offset_string.clone(),
            ..SpanInput::default()
        }
    }
}

/// Body of `POST annotations/` (one item) and `PATCH annotations/{id}/`; aliases as the vendor docs write them.
/// Only the fields sent are written; absent ones are not serialised.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(default)]
pub struct AnnotationWrite {
    pub document: Option<i64>,
    pub label: Option<i64>,
    pub annotation_set: Option<i64>,
    #[serde(alias = "label_set_id")]
    pub label_set: Option<i64>,
    pub span: Option<Vec<SpanInput>>,
    /// The drawn rectangle; null clears it.
    #[serde(with = "crate::nullable")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<PageBox>))]
    pub selection_bbox: Option<Option<PageBox>>,
    pub is_correct: Option<bool>,
    #[serde(alias = "is_revised")]
    pub revised: Option<bool>,
    pub confidence: Option<f64>,
    pub origin: Option<String>,
    pub metadata: Option<AnnotationMetadata>,
    /// The SDK's soft delete names the annotation again in the body.
    pub annotation_id: Option<i64>,
}

impl AnnotationWrite {
    /// The review fields of an accept (or, with `DECLINE`, a decline): `is_correct` and `revised`.
    pub fn review(decision: (bool, bool)) -> AnnotationWrite {
        AnnotationWrite { is_correct: Some(decision.0), revised: Some(decision.1), ..AnnotationWrite::default() }
    }
}

/// Body of `PATCH documents/{id}/update-annotations/`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BulkUpdate {
    pub ids: Vec<i64>,
    #[serde(default)]
    pub is_correct: Option<bool>,
    #[serde(default)]
    pub revised: Option<bool>,
}

/// A "not found" marker (§13).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MissingAnnotation {
    pub id: i64,
    pub document: i64,
    pub label: i64,
    pub label_set: i64,
    pub annotation_set: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MissingAnnotationWrite {
    pub document: i64,
    pub label: i64,
    pub label_set: i64,
    #[serde(default)]
    pub annotation_set: Option<i64>,
}

/// Counts of a document's review states, in document detail (see `crate::review`).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReviewCounts {
    /// AI suggestions waiting for feedback.
    pub pending: u32,
    pub accepted: u32,
    pub declined: u32,
    /// Labels of a set with neither an annotation nor a missing-annotation record.
    pub unfilled: u32,
    /// Labels marked "not found".
    pub missing: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn spans_keep_their_two_wire_shapes() {
        let text = json!({"x0": 1.0, "x1": 2.0, "y0": 3.0, "y1": 4.0, "top": 5.0, "bottom": 6.0, "page_index": 0,
            "start_offset": 7, "end_offset": 9, "line_index": 0, "line_number": 1, "offset_string": "ab",
            "offset_string_original": "ab"});
        let span: AnnotationSpan = serde_json::from_value(text.clone()).unwrap();
        assert_eq!(span.offsets(), Some((7, 9)));
        assert_eq!(serde_json::to_value(&span).unwrap(), text);

        let area = PageBox { x0: 1.0, x1: 2.0, y0: 3.0, y1: 4.0, page_index: 1, offset_string: Some("typed".into()) };
        let drawn = AnnotationSpan::drawn(&area);
        assert_eq!(drawn.offsets(), None);
        assert_eq!(
            serde_json::to_value(&drawn).unwrap(),
            json!({"x0": 1.0, "x1": 2.0, "y0": 3.0, "y1": 4.0, "page_index": 1, "start_offset": null,
                "end_offset": null, "offset_string": "typed", "offset_string_original": ""})
        );
    }

    #[test]
    fn a_write_sends_only_what_is_set_and_null_clears_the_box() {
        let accept = AnnotationWrite::review(crate::review::ACCEPT);
        assert_eq!(serde_json::to_value(&accept).unwrap(), json!({"is_correct": true, "revised": true}));
        let cleared: AnnotationWrite = serde_json::from_value(json!({"selection_bbox": null})).unwrap();
        assert_eq!(cleared.selection_bbox, Some(None));
        assert_eq!(AnnotationWrite::default().selection_bbox, None);
        let body = json!({"metadata": {"checkbox": {"is_checked": "True"}}, "is_revised": 1, "document": "4"});
        let checked: AnnotationWrite = crate::lenient::from_value(body, crate::lenient::Input::Json).unwrap();
        assert_eq!(checked.document, Some(4));
        assert_eq!(checked.metadata.and_then(|m| m.checkbox).map(|c| c.is_checked), Some(true));
        assert_eq!(checked.revised, Some(true));
    }
}

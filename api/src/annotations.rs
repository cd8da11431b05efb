//! Annotations (§8, §12) and missing annotations (§13): the flat and nested forms and the write bodies.

use serde::{Deserialize, Serialize};
use serde_json::Value;

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
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub normalized: Option<Value>,
    pub confidence: Option<f64>,
    pub is_correct: bool,
    pub revised: bool,
    pub origin: String,
    /// Email of the creator; null for AI suggestions.
    pub created_by: Option<String>,
    pub revised_by: Option<String>,
    /// One span per line (§12.1); a drawn box with no text under it has null offsets.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub span: Vec<Value>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub selection_bbox: Option<Value>,
    pub custom_offset_string: bool,
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
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub metadata: Option<Value>,
    pub created_at: String,
    pub updated_at: String,
}

/// A span or box sent with an annotation: coordinates (resolved to the characters inside), or text offsets.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
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

/// Body of `POST annotations/` (one item) and `PATCH annotations/{id}/`; aliases as the vendor docs write them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AnnotationWrite {
    pub document: Option<i64>,
    pub label: Option<i64>,
    pub annotation_set: Option<i64>,
    #[serde(alias = "label_set_id")]
    pub label_set: Option<i64>,
    pub span: Option<Vec<SpanInput>>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub selection_bbox: Option<Value>,
    #[serde(default, deserialize_with = "crate::lenient::opt_bool")]
    pub is_correct: Option<bool>,
    #[serde(default, alias = "is_revised", deserialize_with = "crate::lenient::opt_bool")]
    pub revised: Option<bool>,
    pub confidence: Option<f64>,
    pub origin: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub metadata: Option<Value>,
    /// The SDK's soft delete names the annotation again in the body.
    pub annotation_id: Option<i64>,
}

/// Body of `PATCH documents/{id}/update-annotations/`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct BulkUpdate {
    pub ids: Vec<i64>,
    #[serde(default, deserialize_with = "crate::lenient::opt_bool")]
    pub is_correct: Option<bool>,
    #[serde(default, deserialize_with = "crate::lenient::opt_bool")]
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

/// Counts of a document's review states, in document detail.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq)]
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

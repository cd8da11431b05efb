//! Documents (§7), their pages (§9), text boxes and search (§10, §11) and the processing status codes (§7.5).

use serde::{Deserialize, Serialize};

use crate::geometry::Entity;

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// `status_data` codes.
pub mod status {
    pub const QUEUED_OCR: i64 = 0;
    pub const OCR: i64 = 10;
    pub const QUEUED_CATEGORIZATION: i64 = 3;
    pub const CATEGORIZATION: i64 = 30;
    pub const QUEUED_SPLITTING: i64 = 4;
    pub const SPLITTING: i64 = 40;
    pub const WAITING_FOR_SPLIT: i64 = 41;
    pub const QUEUED_EXTRACTION: i64 = 1;
    pub const EXTRACTION: i64 = 20;
    pub const DONE: i64 = 2;
    pub const ERROR: i64 = 111;
}

/// `dataset_status` codes: none, preparation, training, test, excluded.
pub const DATASET_STATUSES: [i64; 5] = [0, 1, 2, 3, 4];

/// A page as listed inside a document (§9.1).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PageSummary {
    pub id: i64,
    pub number: u32,
    pub image_url: String,
    pub thumbnail_url: String,
    /// Width and height in points.
    pub original_size: [f64; 2],
    /// Width and height of the page image in pixels.
    pub size: [u32; 2],
}

/// Page detail (§9.2) with the page's words.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PageDetail {
    pub id: i64,
    pub number: u32,
    pub entities: Vec<Entity>,
    pub image_url: String,
    pub thumbnail_url: String,
    pub original_size: [f64; 2],
    pub size: [u32; 2],
    pub created_at: String,
    pub updated_at: String,
}

/// A document as listed: exactly the key set the SDK asserts (§7.1).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Document {
    pub id: i64,
    pub project: i64,
    pub document_set: Option<i64>,
    pub number_of_pages: u32,
    pub data_file_name: String,
    pub data_file_producer: Option<String>,
    pub file_url: String,
    pub thumbnail_url: Option<String>,
    pub ocr_time: Option<f64>,
    pub categorization_time: Option<f64>,
    pub extraction_time: Option<f64>,
    pub processing_time: Option<f64>,
    pub extraction_url: String,
    pub callback_url: Option<String>,
    pub callback_status_code: Option<i64>,
    pub category_confidence: Option<f64>,
    pub category_is_revised: bool,
    pub status_data: i64,
    pub labeling_available: i64,
    pub is_reviewed: bool,
    pub category: Option<i64>,
    pub dataset_status: i64,
    pub assignee: Option<String>,
    pub created_by: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// The parts a splitting AI proposes for a multi-page upload waiting at status 41 (§15.2).
    pub proposed_split: Option<Vec<ProposedPart>>,
    pub split_is_revised: bool,
    pub enable_translated_strings: bool,
    pub original_file_url: String,
}

/// Document detail: the list fields plus text, pages and the annotation sets (§7.2).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DocumentDetail {
    #[serde(flatten)]
    pub document: Document,
    pub text: Option<String>,
    pub pages: Vec<PageSummary>,
    pub annotation_sets: Vec<crate::annotations::AnnotationSet>,
    /// Counts per review state (pending, accepted, declined, unfilled, missing), for progress.
    pub review_counts: crate::annotations::ReviewCounts,
}

/// Body of `PATCH /documents/{id}/`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(default)]
pub struct DocumentWrite {
    pub data_file_name: Option<String>,
    /// A category id, or null to clear it.
    #[serde(with = "crate::nullable")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub category: Option<Option<i64>>,
    pub category_is_revised: Option<bool>,
    pub is_reviewed: Option<bool>,
    pub dataset_status: Option<i64>,
    /// An email of a project member (or the legacy user id), or null to clear it.
    #[serde(with = "crate::nullable")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub assignee: Option<Option<UserRef>>,
}

/// A user named in a write body: by email, or by id as the legacy SDK sends it (`5` or, from a form, `"5"`:
/// an email is never all digits).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(untagged)]
pub enum UserRef {
    Id(i64),
    Email(String),
}

impl<'de> Deserialize<'de> for UserRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<UserRef, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Id(i64),
            Text(String),
        }
        Ok(match Raw::deserialize(d)? {
            Raw::Id(id) => UserRef::Id(id),
            Raw::Text(text) => text.trim().parse().map(UserRef::Id).unwrap_or(UserRef::Email(text)),
        })
    }
}

impl std::fmt::Display for UserRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UserRef::Id(id) => write!(f, "{id}"),
            UserRef::Email(email) => write!(f, "\"{email}\""),
        }
    }
}

/// A source page in a postprocess body (§15.1): which page, and how far to turn it clockwise (a multiple of 90,
/// negative turns counter-clockwise). DVUI's other keys (`number`, `thumbnail_url`, …) are ignored; the list
/// order is the new page order.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PageRef {
    pub id: i64,
    #[serde(default)]
    pub angle: i64,
}

/// One output document of `POST documents/{id}/postprocess/`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PostprocessPart {
    /// The new document's `data_file_name`; the source's name (numbered for later parts) when absent.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub category: Option<i64>,
    pub pages: Vec<PageRef>,
}

/// One document of a proposed split (§15.2): its pages in order and the likeliest categories.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ProposedPart {
    pub pages: Vec<ProposedPage>,
    /// The likeliest category, if any.
    pub category: Option<i64>,
    /// Up to three candidates, likeliest first; none when the splitting AI had no categorization AI to ask.
    #[serde(default)]
    pub categories: Vec<CategoryCandidate>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ProposedPage {
    pub id: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CategoryCandidate {
    pub id: i64,
    pub name: Option<String>,
    pub confidence: f64,
}

/// The body of `POST documents/{id}/bbox/` (`Spans<PageBox>`) and the answer of it and of `search`
/// (`Spans<Span>`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Spans<T> {
    pub span: Vec<T>,
}

/// The body of `POST documents/{id}/search/`: the text to find.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SearchQuery {
    pub q: String,
}

/// A document set (§16): the uploaded file and the documents made from it, newest first.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DocumentSet {
    pub id: i64,
    pub original_file_url: String,
    pub original_number_of_pages: u32,
    pub documents: Vec<DocumentDetail>,
}

//! Wire types of the Konfuzio API v3, shared by the Lectern server and the SPA.
//!
//! Every request and response body lives here once. Read types carry exactly the keys the
//! real clients expect; write types accept the legacy aliases the SDK still sends.

use serde::{Deserialize, Serialize};

pub mod ais;
pub mod annotations;
pub mod documents;
pub mod geometry;
pub mod lenient;
pub mod review;

/// A field that may be absent (`None`), null (`Some(None)`) or set (`Some(Some(v))`).
pub mod nullable {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }

    pub fn serialize<S: Serializer, T: Serialize>(value: &Option<Option<T>>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => v.serialize(s),
            None => s.serialize_none(),
        }
    }
}

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The envelope of every list endpoint.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Paginated<T> {
    pub count: u64,
    pub next: Option<String>,
    pub previous: Option<String>,
    pub results: Vec<T>,
}

/// The default and the largest `limit` a list endpoint accepts.
pub const DEFAULT_PAGE_SIZE: u64 = 100;
pub const MAX_PAGE_SIZE: u64 = 1000;

// ---------------------------------------------------------------------------------------------
// Auth (§2)

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Credentials {
    /// The account's email address.
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuthToken {
    pub token: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Me {
    pub id: i64,
    /// The email address; the review dashboard reads it as `username`.
    pub username: String,
    pub email: String,
}

// ---------------------------------------------------------------------------------------------
// Projects (§3)

/// A project, with exactly the key set the SDK's live tests assert.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Project {
    pub id: i64,
    pub name: String,
    pub storage_name: String,
    pub priority_processing: bool,
    pub ocr_method: String,
    pub auto_rotate_documents: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub category_ai_model_parameters: serde_json::Value,
    pub category_ai: Option<i64>,
    pub decimal_separator: String,
    pub auto_delete_documents_after_days: Option<i64>,
    pub enable_translated_strings: bool,
}

/// Body of `POST /projects/` and `PATCH /projects/{id}/`; on create only `name` is required.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(default)]
pub struct ProjectWrite {
    pub name: Option<String>,
    pub priority_processing: Option<bool>,
    pub ocr_method: Option<String>,
    pub auto_rotate_documents: Option<bool>,
    pub decimal_separator: Option<String>,
    pub auto_delete_documents_after_days: Option<i64>,
    pub enable_translated_strings: Option<bool>,
}

/// A project's sharing settings (§19), a Lectern endpoint beside the project, whose key set is fixed:
/// whether its documents are public (read-only, no login) and the origins that may embed them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ProjectSharing {
    pub public_documents: bool,
    /// Origins such as `https://intranet.example` or `https://*.example.com`.
    pub embed_domains: Vec<String>,
}

/// Body of `PATCH /projects/{id}/sharing/`; absent fields stay as they are.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(default)]
pub struct ProjectSharingWrite {
    pub public_documents: Option<bool>,
    pub embed_domains: Option<Vec<String>>,
}

/// Whether a project splits its multi-page uploads (§15.2), a Lectern endpoint beside the project
/// (`GET`/`PATCH /projects/{id}/splitting/`). With it on and an active splitting AI, an upload the AI would cut
/// waits at status 41 with `proposed_split` until someone posts to postprocess.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ProjectSplitting {
    pub split_uploads: bool,
}

// ---------------------------------------------------------------------------------------------
// Categories (§4)

/// A label inside a category's `schema`. The SDK splats it into its Label constructor, so it
/// must never carry `project`, `text`, `id_` or `label_sets`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SchemaLabel {
    pub id: i64,
    pub name: String,
    pub api_name: String,
    pub description: String,
    pub data_type: String,
    pub has_multiple_top_candidates: bool,
    pub threshold: f64,
}

/// A label set inside a category's `schema` (no `project`, no `id_`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SchemaLabelSet {
    pub id: i64,
    pub name: String,
    pub api_name: String,
    pub has_multiple_annotation_sets: bool,
    pub labels: Vec<SchemaLabel>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Category {
    pub id: i64,
    pub name: String,
    pub api_name: String,
    pub project: i64,
    pub description: String,
    pub active_ai_model: Option<i64>,
    pub ai_model_type: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub extraction_ai_model_parameters: serde_json::Value,
    pub threshold: f64,
    /// The label sets this category uses, its own default label set first.
    pub schema: Vec<SchemaLabelSet>,
}

/// Body of `POST /categories/` (`project` and `name` required) and `PATCH /categories/{id}/`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(default)]
pub struct CategoryWrite {
    pub project: Option<i64>,
    pub name: Option<String>,
    pub api_name: Option<String>,
    pub description: Option<String>,
    pub threshold: Option<f64>,
}

// ---------------------------------------------------------------------------------------------
// Label sets (§5)

/// A label as listed inside a label set.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LabelSetLabel {
    pub id: i64,
    pub name: String,
    pub api_name: String,
    pub data_type: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LabelSet {
    pub id: i64,
    pub project: i64,
    pub name: String,
    pub api_name: String,
    pub description: String,
    pub has_multiple_annotation_sets: bool,
    /// True for the default label set a category owns (same id as the category).
    pub is_category: bool,
    /// The categories that use this label set.
    pub categories: Vec<i64>,
    pub labels: Vec<LabelSetLabel>,
}

/// Body of `POST /label-sets/` (`project` and `name` required) and `PATCH /label-sets/{id}/`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(default)]
pub struct LabelSetWrite {
    pub project: Option<i64>,
    pub name: Option<String>,
    pub api_name: Option<String>,
    pub description: Option<String>,
    pub has_multiple_annotation_sets: Option<bool>,
    /// Legacy name of `has_multiple_annotation_sets`.
    pub has_multiple_sections: Option<bool>,
    pub categories: Option<Vec<i64>>,
    pub labels: Option<Vec<i64>>,
}

impl LabelSetWrite {
    pub fn multiple(&self) -> Option<bool> {
        self.has_multiple_annotation_sets.or(self.has_multiple_sections)
    }
}

// ---------------------------------------------------------------------------------------------
// Labels (§6)

/// The data types a label can hold.
pub const DATA_TYPES: &[&str] = &["Text", "Number", "Positive Number", "Percentage", "Date", "True/False"];

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Label {
    pub id: i64,
    pub project: i64,
    pub name: String,
    pub api_name: String,
    pub description: String,
    pub data_type: String,
    pub has_multiple_top_candidates: bool,
    pub threshold: f64,
    /// The label sets (including categories' default sets) this label belongs to.
    pub label_sets: Vec<i64>,
}

/// Body of `POST /labels/` (`project` and `name` required) and `PATCH /labels/{id}/`.
/// Accepts the SDK's legacy names: `text`, `get_data_type_display`, `templates`, `categories`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(default)]
pub struct LabelWrite {
    pub project: Option<i64>,
    pub name: Option<String>,
    pub text: Option<String>,
    pub api_name: Option<String>,
    pub description: Option<String>,
    pub data_type: Option<String>,
    pub get_data_type_display: Option<String>,
    pub has_multiple_top_candidates: Option<bool>,
    pub threshold: Option<f64>,
    pub label_sets: Option<Vec<i64>>,
    pub templates: Option<Vec<i64>>,
    pub categories: Option<Vec<i64>>,
}

impl LabelWrite {
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref().or(self.text.as_deref())
    }
    pub fn data_type(&self) -> Option<&str> {
        self.data_type.as_deref().or(self.get_data_type_display.as_deref())
    }
    /// The label sets named under any alias, merged; `None` when no alias was sent.
    pub fn label_sets(&self) -> Option<Vec<i64>> {
        let sent = [&self.label_sets, &self.templates, &self.categories];
        if sent.iter().all(|s| s.is_none()) {
            return None;
        }
        let mut ids: Vec<i64> = sent.into_iter().flatten().flatten().copied().collect();
        ids.sort_unstable();
        ids.dedup();
        Some(ids)
    }
}

// ---------------------------------------------------------------------------------------------
// Errors (§1.6)

/// A DRF-shaped error body as the SPA reads it: `{"detail": …}` or `{"field": ["message"]}`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum ErrorBody {
    Detail { detail: String },
    Fields(std::collections::BTreeMap<String, serde_json::Value>),
}

impl ErrorBody {
    /// Each refused field with its messages, in field order; `non_field_errors` and a `detail` have no field.
    pub fn messages(&self) -> Vec<(Option<String>, Vec<String>)> {
        match self {
            ErrorBody::Detail { detail } => vec![(None, vec![detail.clone()])],
            ErrorBody::Fields(fields) => fields
                .iter()
                .map(|(field, msgs)| {
                    let texts = match msgs {
                        serde_json::Value::Array(items) => items
                            .iter()
                            .map(|m| m.as_str().map(str::to_owned).unwrap_or_else(|| m.to_string()))
                            .collect(),
                        serde_json::Value::String(s) => vec![s.clone()],
                        other => vec![other.to_string()],
                    };
                    (Some(field.clone()).filter(|f| f != "non_field_errors"), texts)
                })
                .collect(),
        }
    }

    /// One line a person can read, each message after the name of its field.
    pub fn message(&self) -> String {
        self.messages()
            .into_iter()
            .map(|(field, texts)| match field {
                Some(field) => format!("{field}: {}", texts.join(" ")),
                None => texts.join(" "),
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_write_accepts_legacy_names() {
        let w: LabelWrite = serde_json::from_str(
            r#"{"project":1,"text":"Total","get_data_type_display":"Number","templates":[3,2],"categories":[2]}"#,
        )
        .unwrap();
        assert_eq!(w.name(), Some("Total"));
        assert_eq!(w.data_type(), Some("Number"));
        assert_eq!(w.label_sets(), Some(vec![2, 3]));
        assert_eq!(LabelWrite::default().label_sets(), None);
    }

    #[test]
    fn booleans_arrive_in_many_spellings() {
        for (text, expected) in
            [("true", Some(true)), ("\"True\"", Some(true)), ("\"0\"", Some(false)), ("1", Some(true)), ("null", None)]
        {
            let body = serde_json::from_str(&format!(r#"{{"has_multiple_top_candidates": {text}}}"#)).unwrap();
            let w: LabelWrite = lenient::from_value(body, lenient::Input::Json).unwrap();
            assert_eq!(w.has_multiple_top_candidates, expected, "{text}");
        }
        let perhaps = serde_json::json!({"has_multiple_top_candidates": "perhaps"});
        assert!(lenient::from_value::<LabelWrite>(perhaps, lenient::Input::Json).is_err());
        assert_eq!(ProjectWrite::default().priority_processing, None);
    }

    #[test]
    fn error_body_reads_both_shapes() {
        let d: ErrorBody = serde_json::from_str(r#"{"detail":"Not found."}"#).unwrap();
        assert_eq!(d.message(), "Not found.");
        let f: ErrorBody = serde_json::from_str(r#"{"name":["This field is required."]}"#).unwrap();
        assert_eq!(f.message(), "name: This field is required.");
    }
}

//! AI models (§18.1): the extraction and categorization AIs as the list and detail endpoints return them, their
//! write bodies and their evaluations.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Training states: `queued` → `training` → `done` or `failed`.
pub mod status {
    pub const QUEUED: &str = "queued";
    pub const TRAINING: &str = "training";
    pub const DONE: &str = "done";
    pub const FAILED: &str = "failed";
}

/// An AI model of any kind; `E` is its kind's evaluation.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Ai<E> {
    pub id: i64,
    pub project: i64,
    /// The category an extraction AI is trained for; categorization and splitting AIs have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<i64>,
    pub description: String,
    /// One of `status::*`.
    pub status: String,
    /// Share of the training done, 0 to 1.
    pub progress: f64,
    /// Why training failed, when it did.
    pub error: Option<String>,
    /// Whether this is the AI its category (extraction) or project (categorization, splitting) uses.
    pub active: bool,
    /// Why it was or was not made the active AI, once evaluated.
    pub activation: Option<String>,
    /// Why it is not the active AI of its category or project, for the AI page to show (a Lectern extension):
    /// its evaluation had no annotated test documents, it scored 0, it did not beat the active AI, a better AI
    /// replaced it later, or its training failed. `null` while it is queued, training or active.
    #[serde(default)]
    pub inactive_reason: Option<String>,
    pub training_documents: i64,
    pub test_documents: i64,
    pub evaluation: Option<E>,
    pub created_at: String,
    pub updated_at: String,
}

/// An extraction AI: trained per category, it suggests annotations on the category's uploads.
pub type ExtractionAi = Ai<Evaluation>;
/// A categorization AI: a text classifier trained on a project's categorised training documents.
pub type CategoryAi = Ai<CategoryEvaluation>;
/// A splitting AI: a first-page classifier trained on a project's training documents, which proposes where a
/// multi-page upload holds several documents.
pub type SplittingAi = Ai<SplitEvaluation>;

/// Body of `POST /{kind}-ais/`: the category an extraction AI is trained for, or the project of a
/// categorization or splitting AI.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(default)]
pub struct AiCreate {
    pub category: Option<i64>,
    pub project: Option<i64>,
    pub description: Option<String>,
}

/// Body of `PATCH`/`PUT /{kind}-ais/{id}/`: only the description changes.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(default)]
pub struct AiUpdate {
    pub description: Option<String>,
}

/// An AI of any kind, as the endpoints shared by the three kinds answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(untagged)]
pub enum AnyAi {
    Extraction(Ai<Evaluation>),
    Category(Ai<CategoryEvaluation>),
    Splitting(Ai<SplitEvaluation>),
}

/// An AI's scores on the category's test documents.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Evaluation {
    pub documents: u64,
    /// Exact character offsets, right label, right label set and right annotation set.
    pub strict: Report,
    /// Overlap with an annotation of the right label.
    pub lenient: Report,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Report {
    /// Over all labels (micro average).
    pub overall: Metrics,
    /// Per label, by label id.
    pub labels: Vec<LabelMetrics>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LabelMetrics {
    pub label: i64,
    pub metrics: Metrics,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Metrics {
    pub true_positives: u64,
    pub false_positives: u64,
    pub false_negatives: u64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// A categorization AI's scores on the project's test documents.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CategoryEvaluation {
    pub documents: u64,
    /// Share of test documents given their category.
    pub accuracy: f64,
    /// Per category, by category id.
    pub categories: Vec<CategoryMetrics>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CategoryMetrics {
    pub category: i64,
    pub metrics: Metrics,
}

/// A splitting AI's scores on bundles made of the project's test documents: a split point is the first page
/// of every document of a bundle but its first.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SplitEvaluation {
    pub bundles: u64,
    pub documents: u64,
    pub pages: u64,
    pub split_points: Metrics,
}

/// How many processed documents (`status_data` 2) an AI of one kind would learn from and be evaluated on, and
/// whether its training could start now. What "annotated" means depends on the kind: for an extraction AI a
/// document carrying at least one accepted or human-made annotation, for a categorization AI a document with a
/// category, for a splitting AI every processed document (each tells where it starts and ends).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TrainingCounts {
    /// Processed documents in the training set (`dataset_status` 2).
    pub training_documents: u64,
    pub annotated_training_documents: u64,
    /// Processed documents in the test set (`dataset_status` 3).
    pub test_documents: u64,
    pub annotated_test_documents: u64,
    /// Why training a new AI of this kind would be refused now, as `POST /{kind}-ais/` would answer; `null` when
    /// it can start.
    pub refusal: Option<String>,
}

/// The training data of one category's extraction AI.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CategoryTrainingData {
    pub category: i64,
    pub name: String,
    #[serde(flatten)]
    pub counts: TrainingCounts,
}

/// `GET /projects/{id}/training-data/`, a Lectern endpoint beside the project: what the AIs of a project could
/// be trained on now, for the AI page to show before training.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TrainingData {
    pub project: i64,
    /// Each category of the project, in id order, for its extraction AI.
    pub categories: Vec<CategoryTrainingData>,
    /// The project's categorization AI.
    pub categorization: TrainingCounts,
    /// The project's splitting AI.
    pub splitting: TrainingCounts,
}

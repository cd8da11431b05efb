//! The AIs: the extraction AI (candidate spans from a document's text and character boxes, a random forest over
//! their features, the grouping of its predictions into annotation sets, the evaluation, and a corpus
//! generator), the categorization AI and the splitting AI; their training as jobs of the server (`training`).

pub mod candidates;
pub mod categorize;
pub mod corpus;
pub mod evaluate;
pub mod extraction;
pub mod features;
pub mod forest;
pub mod group;
pub mod model;
pub mod split;
pub mod training;

use lectern_api::ais::status;
use lectern_api::geometry::CharBox;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::domain::ais::{self, AiKind};
use crate::state::AppState;

pub use crate::domain::ais::training_data::{TEST_DOCUMENTS, TRAINING_DOCUMENTS};

/// Stores a trained model as the model file of the AI `ai` and marks its training 90 % done (the evaluation is
/// the rest); answers the file's key, for `ais::activate`.
pub async fn store_model(state: &AppState, kind: AiKind, ai: i64, model: &impl Serialize) -> anyhow::Result<String> {
    let key = ais::model_key(kind, ai);
    state.storage.put(&key, serde_json::to_vec(model)?).await?;
    ais::set_status(&state.db, ai, status::TRAINING, 0.9).await?;
    Ok(key)
}

/// The model of the owner's active AI of `kind`; `None` without one.
pub async fn active_model<M: DeserializeOwned>(
    state: &AppState,
    kind: AiKind,
    owner: i64,
) -> anyhow::Result<Option<M>> {
    let Some(key) = ais::active_model(&state.db, kind, owner).await? else { return Ok(None) };
    Ok(Some(serde_json::from_slice(&state.storage.get(&key).await?)?))
}

/// A model as it comes back from its file.
#[cfg(test)]
pub fn round_trip<M: Serialize + DeserializeOwned>(model: &M) -> M {
    serde_json::from_slice(&serde_json::to_vec(model).unwrap()).unwrap()
}

/// A document as the model reads it: the text, the boxes of its non-whitespace characters by offset (offsets
/// count characters, as everywhere in the API) and each page's size in points.
#[derive(Debug, Clone, Default)]
pub struct Document {
    pub text: String,
    pub chars: Vec<(usize, CharBox)>,
    pub pages: Vec<[f64; 2]>,
}

impl Document {
    pub fn new(text: String, mut chars: Vec<(usize, CharBox)>, pages: Vec<[f64; 2]>) -> Document {
        chars.sort_by_key(|(o, _)| *o);
        Document { text, chars, pages }
    }

    /// The size of page `index`; A4 when unknown.
    pub fn page_size(&self, index: u32) -> [f64; 2] {
        self.pages.get(index as usize).copied().unwrap_or(crate::sample_pdf::A4)
    }
}

/// An annotation of a document as training and evaluation see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Annotation {
    pub label: i64,
    pub label_set: i64,
    /// The annotation set; any number that is the same for the annotations of one set of the document.
    pub group: i64,
    pub start: usize,
    pub end: usize,
}

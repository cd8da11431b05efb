//! The training job shared by the three kinds of AI: status, the kind's own training, failure.

use lectern_api::ais::status;

use super::{categorize, extraction, split};
use crate::domain::ais::{self, training_data, AiKind};
use crate::state::AppState;

/// The training job of the AI `ai` of `kind`: trains it on its owner's training documents, evaluates it on the
/// test documents and activates it when it beats the active one. What goes wrong ends the AI as `failed` with
/// the reason; the job itself is then done (training again is a new AI). The training data is checked again as
/// `POST` checked it: documents may have left the training set while the AI was queued.
pub async fn run(state: &AppState, kind: AiKind, ai: i64) -> anyhow::Result<()> {
    let Some(owner) = ais::owner_of(&state.db, kind, ai).await? else {
        return Ok(()); // deleted while queued
    };
    if let Some(why) = training_data::refusal(&state.db, kind, owner).await? {
        ais::fail(&state.db, ai, &why).await?;
        return Ok(());
    }
    ais::set_status(&state.db, ai, status::TRAINING, 0.0).await?;
    let trained = match kind {
        AiKind::Extraction => extraction::train(state, ai, owner).await,
        AiKind::Categorization => categorize::train(state, ai, owner).await,
        AiKind::Splitting => split::train(state, ai, owner).await,
    };
    if let Err(e) = trained {
        tracing::warn!(ai, ?kind, error = %format!("{e:#}"), "AI training failed");
        ais::fail(&state.db, ai, &format!("{e:#}")).await?;
    }
    Ok(())
}

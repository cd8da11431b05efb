//! AI models (§18.1) of the three kinds: extraction AIs trained per category, categorization and splitting AIs
//! trained per project. `AiKind` owns what differs between the kinds; everything else is shared: a new AI is
//! queued for training, reports status and progress, is evaluated, and becomes its owner's active AI only when
//! it scores better than the active one.

use lectern_api::ais::{status, Ai, AnyAi};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::jobs;
use super::list::Scope;
use crate::db::{self, Db, Flag};
use crate::error::{Error, Result};
use crate::state::AppState;

pub mod kind;
pub use kind::AiKind;

/// The AIs of `kind` in projects the user is a member of.
pub fn scope(user: i64, kind: AiKind) -> Scope {
    let member = Scope::member(user);
    let mut args = vec![crate::db::Arg::Text(kind.name().into())];
    args.extend(member.args);
    Scope { sql: format!("t.kind = ? AND {}", member.sql), args }
}

#[derive(sqlx::FromRow)]
struct AiRow {
    id: i64,
    kind: String,
    project_id: i64,
    category_id: Option<i64>,
    description: String,
    status: String,
    progress: f64,
    error: Option<String>,
    #[sqlx(try_from = "Flag")]
    active: bool,
    activation: Option<String>,
    training_documents: i64,
    test_documents: i64,
    evaluation: Option<String>,
    created_at: String,
    updated_at: String,
}

impl AiRow {
    fn into_ai<E: DeserializeOwned>(self) -> Result<Ai<E>> {
        Ok(Ai {
            evaluation: self.evaluation.as_deref().map(serde_json::from_str).transpose()?,
            id: self.id,
            project: self.project_id,
            category: self.category_id,
            description: self.description,
            status: self.status,
            progress: self.progress,
            error: self.error,
            active: self.active,
            activation: self.activation,
            training_documents: self.training_documents,
            test_documents: self.test_documents,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }

    fn into_api(self, kind: AiKind) -> Result<AnyAi> {
        Ok(match kind {
            AiKind::Extraction => AnyAi::Extraction(self.into_ai()?),
            AiKind::Categorization => AnyAi::Category(self.into_ai()?),
            AiKind::Splitting => AnyAi::Splitting(self.into_ai()?),
        })
    }
}

/// The AIs of `kind` with these ids, in their order; ids of other kinds are left out.
pub async fn load<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    kind: AiKind,
    ids: &[i64],
) -> Result<Vec<AnyAi>> {
    let rows: Vec<AiRow> = db::by_ids(db, "SELECT t.* FROM ais t", ids, |r: &AiRow| r.id).await?;
    rows.into_iter().filter(|r| r.kind == kind.name()).map(|r| r.into_api(kind)).collect()
}

fn project_of(ai: &AnyAi) -> i64 {
    match ai {
        AnyAi::Extraction(a) => a.project,
        AnyAi::Category(a) => a.project,
        AnyAi::Splitting(a) => a.project,
    }
}

/// The AI when the user is a member of its project; 404 otherwise.
pub async fn visible(db: &Db, user: i64, kind: AiKind, id: i64) -> Result<AnyAi> {
    let found = load(db, kind, &[id]).await?.pop();
    super::projects::members_only(db, user, found, project_of).await
}

/// Stores a new AI of `kind` for the owner named by `owner` (a category or a project the user is a member
/// of), status `queued`, and queues its training; answers the AI as stored.
pub async fn create(
    state: &AppState,
    user: i64,
    kind: AiKind,
    owner: Option<i64>,
    description: Option<String>,
) -> Result<AnyAi> {
    let db = &state.db;
    let field = kind.owner_field();
    let owner = owner.ok_or_else(|| Error::required(field))?;
    let project = match kind {
        AiKind::Extraction => super::schema::categories::project_of(db, owner).await?,
        AiKind::Categorization | AiKind::Splitting => Some(owner),
    };
    let project = match project {
        Some(p) if super::projects::is_member(db, user, p).await? => p,
        _ => return Err(Error::no_such(field, owner)),
    };
    let category = (kind == AiKind::Extraction).then_some(owner);
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO ais (kind, project_id, category_id, description, status, created_by_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
    )
    .bind(kind.name())
    .bind(project)
    .bind(category)
    .bind(description.unwrap_or_default())
    .bind(status::QUEUED)
    .bind(user)
    .bind(db::now())
    .fetch_one(&mut *tx)
    .await?;
    jobs::enqueue(&mut tx, jobs::Kind::Train(kind), None, Some(id)).await?;
    // Read before the commit: once committed, a worker may start training at once.
    let created = load(&mut *tx, kind, &[id]).await?.pop().ok_or(Error::NotFound)?;
    tx.commit().await?;
    state.jobs_queued.notify_waiters();
    Ok(created)
}

pub async fn describe(db: &Db, id: i64, description: String) -> Result<()> {
    sqlx::query("UPDATE ais SET description = $1, updated_at = $2 WHERE id = $3")
        .bind(description)
        .bind(db::now())
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Deletes the AI and its files. Deleting the active one leaves its owner without an active AI (no older AI
/// is promoted).
pub async fn delete(state: &AppState, id: i64) -> Result<()> {
    let key = stored_model(&state.db, id).await?;
    sqlx::query("DELETE FROM ais WHERE id = $1").bind(id).execute(&state.db).await?;
    if let Some((folder, _)) = key.as_deref().and_then(|k| k.rsplit_once('/')) {
        state.storage.delete_prefix(&format!("{folder}/")).await?;
    }
    Ok(())
}

/// Where the model file of an AI is stored.
pub fn model_key(kind: AiKind, ai: i64) -> String {
    format!("ais/{}/{ai}/model.json", kind.name())
}

/// The stored model file of a trained AI; `None` before training has ended.
pub async fn stored_model(db: &Db, id: i64) -> Result<Option<String>> {
    let key: Option<Option<String>> =
        sqlx::query_scalar("SELECT model_key FROM ais WHERE id = $1").bind(id).fetch_optional(db).await?;
    Ok(key.flatten())
}

/// The model file of the owner's active AI of `kind`, if it has one.
pub async fn active_model(db: &Db, kind: AiKind, owner: i64) -> Result<Option<String>> {
    let sql = format!(
        "SELECT model_key FROM ais WHERE kind = $1 AND {} = $2 AND active = $3 ORDER BY id DESC",
        kind.owner_column()
    );
    let key: Option<Option<String>> =
        sqlx::query_scalar(&sql).bind(kind.name()).bind(owner).bind(true).fetch_optional(db).await?;
    Ok(key.flatten())
}

/// The owner of an AI to train; `None` when it was deleted while queued.
pub async fn owner_of(db: &Db, kind: AiKind, ai: i64) -> Result<Option<i64>> {
    let sql = format!("SELECT {} FROM ais WHERE id = $1 AND kind = $2", kind.owner_column());
    Ok(sqlx::query_scalar(&sql).bind(ai).bind(kind.name()).fetch_optional(db).await?)
}

/// Sets the status and progress of a training AI.
pub async fn set_status(db: &Db, ai: i64, status: &str, progress: f64) -> Result<()> {
    sqlx::query("UPDATE ais SET status = $1, progress = $2, updated_at = $3 WHERE id = $4")
        .bind(status)
        .bind(progress)
        .bind(db::now())
        .bind(ai)
        .execute(db)
        .await?;
    Ok(())
}

/// Records how many training and test documents the AI learns from and is evaluated on.
pub async fn set_document_counts(db: &Db, ai: i64, training: usize, test: usize) -> Result<()> {
    sqlx::query("UPDATE ais SET training_documents = $1, test_documents = $2 WHERE id = $3")
        .bind(training as i64)
        .bind(test as i64)
        .bind(ai)
        .execute(db)
        .await?;
    Ok(())
}

/// Ends a training that went wrong, with the reason.
pub async fn fail(db: &Db, ai: i64, reason: &str) -> Result<()> {
    sqlx::query("UPDATE ais SET status = $1, error = $2, updated_at = $3 WHERE id = $4")
        .bind(status::FAILED)
        .bind(reason)
        .bind(db::now())
        .bind(ai)
        .execute(db)
        .await?;
    Ok(())
}

/// Whether a new AI of `kind` with `score` replaces the `active` one of its owner (its id and score), and why.
pub fn decide(kind: AiKind, score: f64, active: Option<(i64, f64)>) -> (bool, String) {
    let (metric, scope) = (kind.metric(), kind.scope());
    match active {
        None => (true, format!("Activated: no AI of {scope} was active ({metric} {score:.3}).")),
        Some((id, old)) if score > old => {
            (true, format!("Activated: {metric} {score:.3} beats {old:.3} of AI {id}, which it replaces."))
        }
        Some((id, old)) => {
            (false, format!("Not activated: {metric} {score:.3} does not beat {old:.3} of the active AI {id}."))
        }
    }
}

/// Stores a trained AI's evaluation and model and makes it the owner's active AI if its `score` beats the
/// active one's (or none is active), with the reason. It starts with a write: that takes SQLite's write lock
/// and locks the owner's AIs on PostgreSQL, so two activations run one after the other and each sees the
/// other's outcome.
pub async fn activate<E: Serialize + DeserializeOwned>(
    db: &Db,
    kind: AiKind,
    owner: i64,
    ai: i64,
    key: String,
    evaluation: &E,
    score: impl Fn(&E) -> f64,
) -> Result<()> {
    let (name, column) = (kind.name(), kind.owner_column());
    let mut tx = db.begin().await?;
    sqlx::query(&format!("UPDATE ais SET updated_at = $1 WHERE kind = $2 AND {column} = $3"))
        .bind(db::now())
        .bind(name)
        .bind(owner)
        .execute(&mut *tx)
        .await?;
    let active: Option<(i64, Option<String>)> = sqlx::query_as(&format!(
        "SELECT id, evaluation FROM ais WHERE kind = $1 AND {column} = $2 AND active = $3 AND id <> $4"
    ))
    .bind(name)
    .bind(owner)
    .bind(true)
    .bind(ai)
    .fetch_optional(&mut *tx)
    .await?;
    let active = active.map(|(id, old)| {
        let old: Option<E> = old.and_then(|e| serde_json::from_str(&e).ok());
        (id, old.map_or(0.0, |e| score(&e)))
    });
    let (activate, reason) = decide(kind, score(evaluation), active);
    if activate {
        sqlx::query(&format!("UPDATE ais SET active = $1 WHERE kind = $2 AND {column} = $3"))
            .bind(false)
            .bind(name)
            .bind(owner)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(
        "UPDATE ais SET status = $1, progress = 1, error = NULL, active = $2, activation = $3, evaluation = $4,
            model_key = $5, updated_at = $6 WHERE id = $7",
    )
    .bind(status::DONE)
    .bind(activate)
    .bind(reason)
    .bind(serde_json::to_string(evaluation)?)
    .bind(key)
    .bind(db::now())
    .bind(ai)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_better_ai_takes_over() {
        let decide = |f1, active| decide(AiKind::Extraction, f1, active);
        assert!(decide(0.2, None).0);
        let (better, why) = decide(0.9, Some((4, 0.8)));
        assert!(better && why.contains("AI 4"), "{why}");
        let (equal, why) = decide(0.8, Some((4, 0.8)));
        assert!(!equal && why.starts_with("Not activated"), "{why}");
        assert!(!decide(0.1, Some((4, 0.8))).0);
    }

    use std::time::Duration;

    use lectern_api::ais::{CategoryAi, CategoryEvaluation, Evaluation};

    use crate::domain::list::{self, Params};
    use crate::testing::{refusal, Fixture};

    fn id_of(ai: &AnyAi) -> i64 {
        match ai {
            AnyAi::Extraction(a) => a.id,
            AnyAi::Category(a) => a.id,
            AnyAi::Splitting(a) => a.id,
        }
    }

    async fn categorization(db: &Db, id: i64) -> CategoryAi {
        match load(db, AiKind::Categorization, &[id]).await.unwrap().pop() {
            Some(AnyAi::Category(ai)) => ai,
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn an_ai_is_made_for_a_category_or_project_of_the_user_and_queued_for_training() {
        let fx = Fixture::new().await;
        let (db, state) = (fx.db(), &fx.state);
        let owner = fx.user("owner@example.com").await;
        let stranger = fx.user("stranger@example.com").await;
        let project = fx.project(owner, "Invoices").await;
        let schema = fx.schema(project).await;
        let made = create(state, owner, AiKind::Extraction, Some(schema.category), Some("First".into())).await.unwrap();
        let AnyAi::Extraction(ai) = &made else { panic!("{made:?}") };
        assert_eq!((ai.project, ai.category, ai.description.as_str()), (project, Some(schema.category), "First"));
        assert_eq!(
            (ai.status.as_str(), ai.progress, ai.active, ai.evaluation.is_none()),
            (status::QUEUED, 0.0, false, true)
        );
        let job = jobs::claim(db, "worker", Duration::from_secs(60)).await.unwrap().unwrap();
        assert_eq!((job.kind, job.ai), (Some(jobs::Kind::Train(AiKind::Extraction)), Some(ai.id)));
        assert_eq!(owner_of(db, AiKind::Extraction, ai.id).await.unwrap(), Some(schema.category));

        let category_ai = id_of(&create(state, owner, AiKind::Categorization, Some(project), None).await.unwrap());
        assert_eq!(categorization(db, category_ai).await.description, "");
        assert_eq!(owner_of(db, AiKind::Categorization, category_ai).await.unwrap(), Some(project));
        // An AI is read as its own kind only.
        assert!(load(db, AiKind::Splitting, &[ai.id, category_ai]).await.unwrap().is_empty());
        assert_eq!(owner_of(db, AiKind::Splitting, category_ai).await.unwrap(), None);
        assert_eq!(visible(db, owner, AiKind::Extraction, ai.id).await.unwrap(), made);
        assert_eq!(refusal(visible(db, stranger, AiKind::Extraction, ai.id).await), "404 Not found.");
        assert_eq!(refusal(visible(db, owner, AiKind::Categorization, ai.id).await), "404 Not found.");
        let (spec, all) = (AiKind::Extraction.list(), Params::default());
        assert_eq!(list::find(db, spec, scope(owner, AiKind::Extraction), &all).await.unwrap().ids, [ai.id]);
        assert!(list::find(db, spec, scope(stranger, AiKind::Extraction), &all).await.unwrap().ids.is_empty());

        let pk = |field: &str, id: i64| format!("400 {field}: Invalid pk \"{id}\" - object does not exist.");
        let theirs = create(state, stranger, AiKind::Extraction, Some(schema.category), None).await;
        assert_eq!(refusal(theirs), pk("category", schema.category));
        let no_category = create(state, owner, AiKind::Extraction, Some(schema.line_item), None).await;
        assert_eq!(refusal(no_category), pk("category", schema.line_item));
        let theirs = create(state, stranger, AiKind::Splitting, Some(project), None).await;
        assert_eq!(refusal(theirs), pk("project", project));
        let unnamed = create(state, owner, AiKind::Splitting, None, None).await;
        assert_eq!(refusal(unnamed), "400 project: This field is required.");
    }

    #[tokio::test]
    async fn a_trained_ai_becomes_active_only_when_it_scores_better_than_the_active_one() {
        let fx = Fixture::new().await;
        let (db, state) = (fx.db(), &fx.state);
        let owner = fx.user("owner@example.com").await;
        let project = fx.project(owner, "Invoices").await;
        let kind = AiKind::Categorization;
        let mut ids = Vec::new();
        for _ in 0..3 {
            ids.push(id_of(&create(state, owner, kind, Some(project), None).await.unwrap()));
        }
        let (a, b, c) = (ids[0], ids[1], ids[2]);
        let scored = |accuracy| CategoryEvaluation { accuracy, ..CategoryEvaluation::default() };
        let accuracy = |e: &CategoryEvaluation| e.accuracy;

        set_status(db, a, status::TRAINING, 0.5).await.unwrap();
        set_document_counts(db, a, 3, 1).await.unwrap();
        let ai = categorization(db, a).await;
        assert_eq!(
            (ai.status.as_str(), ai.progress, ai.training_documents, ai.test_documents),
            (status::TRAINING, 0.5, 3, 1)
        );
        assert_eq!(active_model(db, kind, project).await.unwrap(), None);

        activate(db, kind, project, a, model_key(kind, a), &scored(0.6), accuracy).await.unwrap();
        let ai = categorization(db, a).await;
        assert_eq!((ai.status.as_str(), ai.progress, ai.active), (status::DONE, 1.0, true));
        assert_eq!(ai.activation.as_deref(), Some("Activated: no AI of the project was active (accuracy 0.600)."));
        assert_eq!(ai.evaluation, Some(scored(0.6)));
        assert_eq!(active_model(db, kind, project).await.unwrap(), Some(model_key(kind, a)));
        assert_eq!(stored_model(db, a).await.unwrap(), Some(model_key(kind, a)));

        activate(db, kind, project, b, model_key(kind, b), &scored(0.6), accuracy).await.unwrap();
        let ai = categorization(db, b).await;
        let why = format!("Not activated: accuracy 0.600 does not beat 0.600 of the active AI {a}.");
        assert_eq!((ai.status.as_str(), ai.active, ai.activation), (status::DONE, false, Some(why)));
        activate(db, kind, project, c, model_key(kind, c), &scored(0.9), accuracy).await.unwrap();
        assert!(categorization(db, c).await.active && !categorization(db, a).await.active);
        assert_eq!(active_model(db, kind, project).await.unwrap(), Some(model_key(kind, c)));

        fail(db, b, "Out of memory.").await.unwrap();
        describe(db, a, "The first".into()).await.unwrap();
        let (failed, described) = (categorization(db, b).await, categorization(db, a).await);
        assert_eq!((failed.status.as_str(), failed.error.as_deref()), (status::FAILED, Some("Out of memory.")));
        assert_eq!(described.description, "The first");
    }

    #[tokio::test]
    async fn a_deleted_ai_takes_its_model_and_leaves_its_category_without_an_active_ai() {
        let fx = Fixture::new().await;
        let (db, state) = (fx.db(), &fx.state);
        let owner = fx.user("owner@example.com").await;
        let project = fx.project(owner, "Invoices").await;
        let category = fx.schema(project).await.category;
        let kind = AiKind::Extraction;
        let ai = id_of(&create(state, owner, kind, Some(category), None).await.unwrap());
        let key = model_key(kind, ai);
        state.storage.put(&key, b"{}".to_vec()).await.unwrap();
        activate(db, kind, category, ai, key.clone(), &Evaluation::default(), |e| e.strict.overall.f1).await.unwrap();
        assert_eq!(active_model(db, kind, category).await.unwrap(), Some(key.clone()));

        delete(state, ai).await.unwrap();
        assert!(load(db, kind, &[ai]).await.unwrap().is_empty());
        assert!(state.storage.get(&key).await.is_err());
        assert_eq!(active_model(db, kind, category).await.unwrap(), None);
        assert_eq!(stored_model(db, ai).await.unwrap(), None);
        assert_eq!(owner_of(db, kind, ai).await.unwrap(), None);
    }
}

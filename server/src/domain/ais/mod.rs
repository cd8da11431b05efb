//! AI models (§18.1) of the three kinds: extraction AIs trained per category, categorization and splitting AIs
//! trained per project. `AiKind` owns what differs between the kinds; everything else is shared: a new AI is
//! queued for training (only when there is something to learn from, `training_data`), reports status and
//! progress, is evaluated, and becomes its owner's active AI only when its evaluation had annotated test documents,
//! it scored above 0 and better than the active one; otherwise it says why it stays inactive.

use lectern_api::ais::{status, Ai, AnyAi};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::jobs;
use super::list::Scope;
use crate::db::{self, Db, Flag};
use crate::error::{Error, Result};
use crate::state::AppState;

pub mod kind;
pub mod training_data;
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
    inactive_reason: Option<String>,
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
            inactive_reason: self.inactive_reason,
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
/// of), status `queued`, and queues its training; answers the AI as stored. Training that could not learn
/// anything is refused before it starts, under the owner's field, with the reason (`training_data::refusal`).
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
    // The reference is silent on a training without data; the refusal names the field that chose the data, as
    // DRF's validation of a field would.
    if let Some(why) = training_data::refusal(db, kind, owner).await? {
        return Err(Error::field(field, why));
    }
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
    sqlx::query("UPDATE ais SET status = $1, error = $2, inactive_reason = $3, updated_at = $4 WHERE id = $5")
        .bind(status::FAILED)
        .bind(reason)
        .bind(format!("Training failed: {reason}"))
        .bind(db::now())
        .bind(ai)
        .execute(db)
        .await?;
    Ok(())
}

/// Whether a new AI of `kind` with `score`, evaluated on `tested` annotated test documents (split points for a
/// splitting AI), replaces the `active` one of its owner (its id and score), and why. An AI whose evaluation had
/// nothing annotated to find, or that got nothing right, is never used, even when no AI is active.
pub fn decide(kind: AiKind, score: f64, tested: u64, active: Option<(i64, f64)>) -> (bool, String) {
    let (metric, scope) = (kind.metric(), kind.scope());
    if tested == 0 {
        return (false, format!("Not activated: {}", kind.untested()));
    }
    if score <= 0.0 || score.is_nan() {
        return (
            false,
            format!("Not activated: its {metric} on the test documents is {score:.3}; it got nothing right."),
        );
    }
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

/// An AI whose training has ended: where its model is stored, its evaluation, and how many annotated test
/// documents (split points, for a splitting AI) that evaluation had.
pub struct Trained<'a, E> {
    pub ai: i64,
    pub key: String,
    pub evaluation: &'a E,
    pub tested: u64,
}

/// Stores a trained AI's evaluation and model and makes it the owner's active AI when `decide` says so (the
/// AI it replaces is told why it is no longer active), with the reason. It starts with a write: that takes
/// SQLite's write lock and locks the owner's AIs on PostgreSQL, so two activations run one after the other and
/// each sees the other's outcome.
pub async fn activate<E: Serialize + DeserializeOwned>(
    db: &Db,
    kind: AiKind,
    owner: i64,
    trained: Trained<'_, E>,
    score: impl Fn(&E) -> f64,
) -> Result<()> {
    let Trained { ai, key, evaluation, tested } = trained;
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
    let new_score = score(evaluation);
    let (activate, reason) = decide(kind, new_score, tested, active);
    if let (true, Some((_, old_score))) = (activate, active) {
        let metric = kind.metric();
        sqlx::query(&format!(
            "UPDATE ais SET active = $1, inactive_reason = $2 WHERE kind = $3 AND {column} = $4 AND active = $5"
        ))
        .bind(false)
        .bind(format!("Replaced by AI {ai}, whose {metric} {new_score:.3} beats its {old_score:.3}."))
        .bind(name)
        .bind(owner)
        .bind(true)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query(
        "UPDATE ais SET status = $1, progress = 1, error = NULL, active = $2, activation = $3, inactive_reason = $4,
            evaluation = $5, model_key = $6, updated_at = $7 WHERE id = $8",
    )
    .bind(status::DONE)
    .bind(activate)
    .bind(&reason)
    .bind((!activate).then_some(&reason))
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
        let decide = |f1, active| decide(AiKind::Extraction, f1, 3, active);
        assert!(decide(0.2, None).0);
        let (better, why) = decide(0.9, Some((4, 0.8)));
        assert!(better && why.contains("AI 4"), "{why}");
        let (equal, why) = decide(0.8, Some((4, 0.8)));
        assert!(!equal && why.starts_with("Not activated"), "{why}");
        assert!(!decide(0.1, Some((4, 0.8))).0);
    }

    #[test]
    fn an_ai_tested_on_nothing_or_right_about_nothing_is_never_activated() {
        assert_eq!(
            decide(AiKind::Extraction, 0.0, 0, None),
            (
                false,
                "Not activated: its evaluation had no annotated test documents (processed documents of the category \
                 in the test set, dataset_status 3, with an accepted or human-made annotation), so its strict F1 says \
                 nothing."
                    .to_string()
            )
        );
        // Even a perfect score on nothing to find.
        let (active, why) = decide(AiKind::Categorization, 1.0, 0, None);
        assert!(!active && why.contains("no categorised test documents"), "{why}");
        let (active, why) = decide(AiKind::Splitting, 1.0, 0, None);
        assert!(!active && why.contains("no split points to find"), "{why}");
        assert_eq!(
            decide(AiKind::Extraction, 0.0, 4, None),
            (false, "Not activated: its strict F1 on the test documents is 0.000; it got nothing right.".to_string())
        );
        let (active, why) = decide(AiKind::Splitting, 0.0, 2, Some((4, 0.0)));
        assert_eq!(
            (active, why.as_str()),
            (false, "Not activated: its split F1 on the test documents is 0.000; it got nothing right.")
        );
    }

    use std::time::Duration;

    use lectern_api::ais::{CategoryAi, CategoryEvaluation, Evaluation};

    use crate::domain::list::{self, Params};
    use crate::testing::{refusal, Fixture, InvoiceProject};

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
        // Nothing to learn from: refused before anything is stored or queued, under the owner's field.
        let empty = create(state, owner, AiKind::Extraction, Some(schema.category), None).await;
        assert_eq!(
            refusal(empty),
            "400 category: Category \"Invoice\" has no processed training documents (dataset_status 2): put \
             documents of the category with accepted or human-made annotations in the training set."
        );
        let empty = create(state, owner, AiKind::Splitting, Some(project), None).await;
        assert!(refusal(empty).starts_with("400 project: Project \"Invoices\" needs at least two processed"));
        assert!(jobs::claim(db, "worker", Duration::from_secs(60)).await.unwrap().is_none());
        let (spec, all) = (AiKind::Extraction.list(), Params::default());
        assert!(list::find(db, spec, scope(owner, AiKind::Extraction), &all).await.unwrap().ids.is_empty());

        fx.training_set(owner, project, &schema).await;
        let made = create(state, owner, AiKind::Extraction, Some(schema.category), Some("First".into())).await.unwrap();
        let AnyAi::Extraction(ai) = &made else { panic!("{made:?}") };
        assert_eq!((ai.project, ai.category, ai.description.as_str()), (project, Some(schema.category), "First"));
        assert_eq!(
            (ai.status.as_str(), ai.progress, ai.active, ai.evaluation.is_none()),
            (status::QUEUED, 0.0, false, true)
        );
        // The uploads of the training set queued their processing first.
        let job = loop {
            let job = jobs::claim(db, "worker", Duration::from_secs(60)).await.unwrap().unwrap();
            if job.ai.is_some() {
                break job;
            }
        };
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
        let (fx, InvoiceProject { owner, project, schema }) = Fixture::with_schema().await;
        let (db, state) = (fx.db(), &fx.state);
        fx.training_set(owner, project, &schema).await;
        let kind = AiKind::Categorization;
        let mut ids = Vec::new();
        for _ in 0..3 {
            ids.push(id_of(&create(state, owner, kind, Some(project), None).await.unwrap()));
        }
        let (a, b, c) = (ids[0], ids[1], ids[2]);
        let evaluations: Vec<CategoryEvaluation> = [0.6, 0.9, 0.0]
            .into_iter()
            .map(|accuracy| CategoryEvaluation { documents: 2, accuracy, ..CategoryEvaluation::default() })
            .collect();
        let scored = |accuracy| evaluations.iter().find(|e| e.accuracy == accuracy).unwrap();
        let trained = |ai, accuracy| Trained { ai, key: model_key(kind, ai), evaluation: scored(accuracy), tested: 2 };
        let accuracy = |e: &CategoryEvaluation| e.accuracy;

        set_status(db, a, status::TRAINING, 0.5).await.unwrap();
        set_document_counts(db, a, 3, 1).await.unwrap();
        let ai = categorization(db, a).await;
        assert_eq!(
            (ai.status.as_str(), ai.progress, ai.training_documents, ai.test_documents),
            (status::TRAINING, 0.5, 3, 1)
        );
        assert_eq!(active_model(db, kind, project).await.unwrap(), None);

        assert_eq!(ai.inactive_reason, None, "not decided yet");
        activate(db, kind, project, trained(a, 0.6), accuracy).await.unwrap();
        let ai = categorization(db, a).await;
        assert_eq!((ai.status.as_str(), ai.progress, ai.active, ai.inactive_reason), (status::DONE, 1.0, true, None));
        assert_eq!(ai.activation.as_deref(), Some("Activated: no AI of the project was active (accuracy 0.600)."));
        assert_eq!(ai.evaluation.as_ref(), Some(scored(0.6)));
        assert_eq!(active_model(db, kind, project).await.unwrap(), Some(model_key(kind, a)));
        assert_eq!(stored_model(db, a).await.unwrap(), Some(model_key(kind, a)));

        activate(db, kind, project, trained(b, 0.6), accuracy).await.unwrap();
        let ai = categorization(db, b).await;
        let why = format!("Not activated: accuracy 0.600 does not beat 0.600 of the active AI {a}.");
        assert_eq!((ai.status.as_str(), ai.active), (status::DONE, false));
        assert_eq!((ai.activation.as_ref(), ai.inactive_reason.as_ref()), (Some(&why), Some(&why)));
        activate(db, kind, project, trained(c, 0.9), accuracy).await.unwrap();
        let (replaced, better) = (categorization(db, a).await, categorization(db, c).await);
        assert!(better.active && better.inactive_reason.is_none() && !replaced.active);
        let why = format!("Replaced by AI {c}, whose accuracy 0.900 beats its 0.600.");
        assert_eq!(replaced.inactive_reason, Some(why));
        assert_eq!(active_model(db, kind, project).await.unwrap(), Some(model_key(kind, c)));

        // An AI that gets nothing right stays inactive, though it were the only one, and says why.
        let d = id_of(&create(state, owner, kind, Some(project), None).await.unwrap());
        activate(db, kind, project, trained(d, 0.0), accuracy).await.unwrap();
        let ai = categorization(db, d).await;
        let why = "Not activated: its accuracy on the test documents is 0.000; it got nothing right.";
        assert_eq!((ai.status.as_str(), ai.active, ai.inactive_reason.as_deref()), (status::DONE, false, Some(why)));
        let untested = Trained { tested: 0, ..trained(d, 0.9) };
        activate(db, kind, project, untested, accuracy).await.unwrap();
        let ai = categorization(db, d).await;
        assert!(!ai.active && ai.inactive_reason.unwrap().contains("no categorised test documents"));
        assert!(categorization(db, c).await.active, "the active AI stays");

        fail(db, b, "Out of memory.").await.unwrap();
        describe(db, a, "The first".into()).await.unwrap();
        let (failed, described) = (categorization(db, b).await, categorization(db, a).await);
        assert_eq!((failed.status.as_str(), failed.error.as_deref()), (status::FAILED, Some("Out of memory.")));
        assert_eq!(failed.inactive_reason.as_deref(), Some("Training failed: Out of memory."));
        assert_eq!(described.description, "The first");
    }

    #[tokio::test]
    async fn a_deleted_ai_takes_its_model_and_leaves_its_category_without_an_active_ai() {
        let (fx, InvoiceProject { owner, project, schema }) = Fixture::with_schema().await;
        let (db, state) = (fx.db(), &fx.state);
        fx.training_set(owner, project, &schema).await;
        let category = schema.category;
        let kind = AiKind::Extraction;
        let ai = id_of(&create(state, owner, kind, Some(category), None).await.unwrap());
        let key = model_key(kind, ai);
        state.storage.put(&key, b"{}".to_vec()).await.unwrap();
        let mut evaluation = Evaluation::default();
        evaluation.strict.overall.f1 = 0.5;
        let trained = Trained { ai, key: key.clone(), evaluation: &evaluation, tested: 1 };
        activate(db, kind, category, trained, |e| e.strict.overall.f1).await.unwrap();
        assert_eq!(active_model(db, kind, category).await.unwrap(), Some(key.clone()));

        delete(state, ai).await.unwrap();
        assert!(load(db, kind, &[ai]).await.unwrap().is_empty());
        assert!(state.storage.get(&key).await.is_err());
        assert_eq!(active_model(db, kind, category).await.unwrap(), None);
        assert_eq!(stored_model(db, ai).await.unwrap(), None);
        assert_eq!(owner_of(db, kind, ai).await.unwrap(), None);
    }
}

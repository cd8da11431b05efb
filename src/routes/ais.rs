//! The AI models page of a project: train the categorization AI, an extraction AI per category and the splitting
//! AI, follow the training live, read each AI's evaluation and why it is or is not the active one, and turn the
//! splitting of multi-page uploads on or off.

use std::future::Future;
use std::time::Duration;

use lectern_api::ais::{
    status, Ai, AiCreate, CategoryAi, CategoryEvaluation, Evaluation, ExtractionAi, Metrics, SplitEvaluation,
    SplittingAi, TrainingCounts, TrainingData,
};
use lectern_api::{Category, ProjectSplitting};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::client::{self, ApiError, ProjectSchema};
use crate::components::crumbs::{ProjectCrumbs, ProjectPage};
use crate::components::notice::{use_notice, Notice};
use crate::i18n::{tr, Key, Lang};
use crate::poll::{Backoff, Poll};
use crate::routes::id_param;
use crate::session::{use_session, Session};

/// How often the AIs are read again while one is queued or training.
const POLL: Backoff = Backoff { first: Duration::from_secs(2), max: Duration::from_secs(2) };

/// Whether an AI in this status is still to be trained or training.
fn in_training(ai_status: &str) -> bool {
    ai_status == status::QUEUED || ai_status == status::TRAINING
}

/// A share from 0 to 1 as a percentage with one decimal, written the way the language writes numbers.
fn percent(share: f64, lang: Lang) -> String {
    let number = format!("{:.1}", share * 100.0);
    match lang {
        Lang::En => format!("{number}%"),
        Lang::De => format!("{} %", number.replace('.', ",")),
    }
}

/// An extraction evaluation's rows: every label of either report, in the strict report's order, with its strict
/// and its lenient metrics (zero where a report does not name the label).
fn label_rows(evaluation: &Evaluation) -> Vec<(i64, Metrics, Metrics)> {
    let of = |labels: &[lectern_api::ais::LabelMetrics], label: i64| {
        labels.iter().find(|l| l.label == label).map(|l| l.metrics.clone()).unwrap_or_default()
    };
    let (strict, lenient) = (&evaluation.strict.labels, &evaluation.lenient.labels);
    let mut labels: Vec<i64> = strict.iter().map(|l| l.label).collect();
    labels.extend(lenient.iter().map(|l| l.label).filter(|l| !strict.iter().any(|s| s.label == *l)));
    labels.into_iter().map(|label| (label, of(strict, label), of(lenient, label))).collect()
}

/// What the page shows of an evaluation, by the kind of AI.
#[derive(Debug, Clone, PartialEq)]
enum Scores {
    Extraction(Evaluation),
    Categorization(CategoryEvaluation),
    Splitting(SplitEvaluation),
}

/// What every kind of AI shows alike: its training, why it is or is not active, and its scores.
#[derive(Debug, Clone, PartialEq)]
struct Training {
    id: i64,
    status: String,
    progress: f64,
    error: Option<String>,
    active: bool,
    activation: Option<String>,
    inactive_reason: Option<String>,
    training_documents: i64,
    test_documents: i64,
    created_at: String,
    scores: Option<Scores>,
}

impl Training {
    /// Changes whenever anything the page shows of the AI changes (scores come with the status `done`).
    fn key(&self) -> (i64, String, u64, bool, Option<String>, Option<String>, Option<String>) {
        (
            self.id,
            self.status.clone(),
            self.progress.to_bits(),
            self.active,
            self.activation.clone(),
            self.inactive_reason.clone(),
            self.error.clone(),
        )
    }

    fn status_key(&self) -> Key {
        match self.status.as_str() {
            status::QUEUED => Key::AiQueued,
            status::TRAINING => Key::AiTraining,
            status::DONE => Key::AiDone,
            _ => Key::AiFailed,
        }
    }
}

impl Training {
    /// Every kind of AI trains, activates and counts its documents alike; only its evaluation differs.
    fn of<E: Clone>(ai: &Ai<E>, scores: fn(E) -> Scores) -> Training {
        Training {
            id: ai.id,
            status: ai.status.clone(),
            progress: ai.progress,
            error: ai.error.clone(),
            active: ai.active,
            activation: ai.activation.clone(),
            inactive_reason: ai.inactive_reason.clone(),
            training_documents: ai.training_documents,
            test_documents: ai.test_documents,
            created_at: ai.created_at.clone(),
            scores: ai.evaluation.clone().map(scores),
        }
    }
}

/// The AIs as views, newest first (ids grow with time).
fn newest_first<'a, E: Clone + 'a>(ais: impl IntoIterator<Item = &'a Ai<E>>, scores: fn(E) -> Scores) -> Vec<Training> {
    let mut trainings: Vec<Training> = ais.into_iter().map(|ai| Training::of(ai, scores)).collect();
    trainings.sort_by_key(|t| std::cmp::Reverse(t.id));
    trainings
}

/// The project's AIs of every kind, as the server last listed them.
#[derive(Debug, Clone, Default, PartialEq)]
struct Ais {
    extraction: Vec<ExtractionAi>,
    categorization: Vec<CategoryAi>,
    splitting: Vec<SplittingAi>,
    /// What a new training would learn from, read with the AIs as both change with each training.
    data: TrainingData,
}

impl Ais {
    async fn load(s: Session, project: i64) -> Result<Ais, ApiError> {
        Ok(Ais {
            extraction: client::ais(s, "extraction-ais", project).await?,
            categorization: client::ais(s, "category-ais", project).await?,
            splitting: client::ais(s, "splitting-ais", project).await?,
            data: client::training_data(s, project).await?,
        })
    }

    /// Whether an AI is still queued or training, so the page reads the lists again.
    fn training(&self) -> bool {
        let statuses = self.extraction.iter().map(|a| &a.status);
        let mut statuses = statuses
            .chain(self.categorization.iter().map(|a| &a.status))
            .chain(self.splitting.iter().map(|a| &a.status));
        statuses.any(|s| in_training(s))
    }
}

/// What the page's parts share.
#[derive(Clone, Copy)]
struct Ctx {
    session: Session,
    notice: Notice,
    project: Memo<i64>,
    /// The project's name, categories and labels: what names the AIs' owners and scores.
    names: RwSignal<Option<ProjectSchema>>,
    ais: RwSignal<Option<Ais>>,
    /// Whether the project splits its multi-page uploads, as the server last said.
    split_uploads: RwSignal<Option<bool>>,
    poll: Poll,
}

impl Ctx {
    /// Reads the AIs now and again while any is queued or training.
    fn load(self) {
        let (s, project) = (self.session, self.project.get_untracked());
        self.poll.start(
            move || Ais::load(s, project),
            move |result| {
                let Some(ais) = self.notice.check(result) else { return false };
                let training = ais.training();
                self.ais.try_set(Some(ais));
                training
            },
        );
    }

    /// Starts a training; `sending` is true until the server has answered, then the AIs are read again.
    fn train(self, call: impl Future<Output = Result<(), ApiError>> + 'static, sending: RwSignal<bool>) {
        sending.set(true);
        self.notice.run(call, move |_| {
            sending.try_set(false);
            self.load();
        });
    }

    /// The body that trains a new AI for the project (categorization, splitting).
    fn project_ai(self) -> AiCreate {
        AiCreate { project: Some(self.project.get_untracked()), ..Default::default() }
    }

    fn label_name(self, id: i64) -> String {
        self.names
            .with(|n| n.as_ref()?.labels.iter().find(|l| l.id == id).map(|l| l.name.clone()))
            .unwrap_or_else(|| format!("#{id}"))
    }

    fn category_name(self, id: i64) -> String {
        self.names
            .with(|n| n.as_ref()?.categories.iter().find(|c| c.id == id).map(|c| c.name.clone()))
            .unwrap_or_else(|| format!("#{id}"))
    }
}

#[component]
pub fn AiModels() -> impl IntoView {
    let ctx = Ctx {
        session: use_session(),
        notice: use_notice(),
        project: id_param(),
        names: RwSignal::new(None),
        ais: RwSignal::new(None),
        split_uploads: RwSignal::new(None),
        poll: Poll::new(POLL),
    };
    provide_context(ctx);
    Effect::new(move || {
        let project = ctx.project.get();
        ctx.load();
        spawn_local(async move {
            if let Some(names) = ctx.notice.check(client::project_schema(ctx.session, project).await) {
                ctx.names.try_set(Some(names));
            }
            if let Some(setting) = ctx.notice.check(client::splitting(ctx.session, project).await) {
                ctx.split_uploads.try_set(Some(setting.split_uploads));
            }
        });
    });
    let project_name = move || ctx.names.with(|n| n.as_ref()?.project.as_ref().map(|p| p.name.clone()));
    let categories = move || ctx.names.with(|n| n.as_ref().map(|n| n.categories.clone()).unwrap_or_default());

    view! {
        <ProjectCrumbs project=ctx.project here=ProjectPage::Ais />
        <h1>{tr(Key::AiModels)}": "<span data-test="project-name">{project_name}</span></h1>
        <Show
            when=move || ctx.names.read().is_some() && ctx.ais.read().is_some()
            fallback=|| view! { <p>{tr(Key::Loading)}</p> }
        >
            <div class="ai-models">
                <ProjectAis
                    kind="category-ais"
                    name=Key::CategorizationAi
                    help=Key::CategorizationAiHelp
                    trainings=|a| newest_first(&a.categorization, Scores::Categorization)
                    counts=|d| d.categorization.clone()
                />
                <ProjectAis
                    kind="splitting-ais"
                    name=Key::SplittingAi
                    help=Key::SplittingAiHelp
                    trainings=|a| newest_first(&a.splitting, Scores::Splitting)
                    counts=|d| d.splitting.clone()
                >
                    <SplitSetting />
                </ProjectAis>
                <section class="card" data-test="extraction-ais" aria-labelledby="extraction-title">
                    <h2 id="extraction-title">{tr(Key::ExtractionAi)}</h2>
                    <p class="muted">{tr(Key::ExtractionAiHelp)}</p>
                    <Show
                        when=move || !categories().is_empty()
                        fallback=|| view! { <p class="muted" data-test="no-categories">{tr(Key::NoCategoriesForAi)}</p> }
                    >
                        <For each=categories key=|c| (c.id, c.name.clone()) let:category>
                            <ExtractionAis category />
                        </For>
                    </Show>
                </section>
            </div>
        </Show>
    }
}

/// The AIs a project trains as a whole (categorization, splitting): `kind` names their endpoints (`category-ais`,
/// `splitting-ais`), `name` and `help` their card, `trainings` picks them from the page's lists; `children` sits
/// above the training button.
#[component]
fn ProjectAis(
    kind: &'static str,
    name: Key,
    help: Key,
    trainings: fn(&Ais) -> Vec<Training>,
    counts: fn(&TrainingData) -> TrainingCounts,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let sending = RwSignal::new(false);
    let ais = Signal::derive(move || ctx.ais.with(|a| a.as_ref().map(trainings).unwrap_or_default()));
    let counts = Signal::derive(move || ctx.ais.with(|a| a.as_ref().map(|a| counts(&a.data))));
    let lang = ctx.session.lang;
    let title = format!("{kind}-title");
    let labelled_by = title.clone();
    view! {
        <section class="card" data-test=kind aria-labelledby=labelled_by>
            <h2 id=title>{tr(name)}</h2>
            <p class="muted">{tr(help)}</p>
            {children.map(|c| c())}
            <TrainButton
                purpose=Signal::derive(move || lang.get().text(name).to_owned())
                ais
                counts
                sending
                on_train=Callback::new(move |()| ctx.train(client::train(ctx.session, kind, ctx.project_ai()), sending))
            />
            <AiList ais />
        </section>
    }
}

/// The switch of the project setting "split multi-page uploads". Only the owner may change it: for anyone else
/// the server's refusal shows in the notice and the switch goes back to the setting as it still is.
#[component]
fn SplitSetting() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let sending = RwSignal::new(false);
    let change = move |ev: leptos::ev::Event| {
        let write = ProjectSplitting { split_uploads: event_target_checked(&ev) };
        sending.set(true);
        ctx.notice.run(client::update_splitting(ctx.session, ctx.project.get_untracked(), write), move |answer| {
            sending.try_set(false);
            // Set even when unchanged: that puts a refused switch back.
            let setting = answer.map(|s| s.split_uploads).or(ctx.split_uploads.try_get_untracked().flatten());
            ctx.split_uploads.try_set(setting);
        });
    };
    view! {
        <Show when=move || ctx.split_uploads.read().is_some()>
            <label class="check">
                <input
                    type="checkbox"
                    data-test="split-uploads"
                    aria-describedby="split-uploads-help"
                    prop:checked=move || ctx.split_uploads.get().unwrap_or_default()
                    disabled=move || sending.get()
                    on:change=change
                />
                {tr(Key::SplitUploads)}
            </label>
            <p class="muted" id="split-uploads-help">{tr(Key::SplitUploadsHelp)}</p>
        </Show>
    }
}

/// One category's extraction AIs.
#[component]
fn ExtractionAis(category: Category) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let id = category.id;
    let sending = RwSignal::new(false);
    let ais = Signal::derive(move || {
        ctx.ais.with(|a| {
            a.as_ref()
                .map(|a| newest_first(a.extraction.iter().filter(|ai| ai.category == Some(id)), Scores::Extraction))
                .unwrap_or_default()
        })
    });
    let counts = Signal::derive(move || {
        ctx.ais.with(|a| a.as_ref()?.data.categories.iter().find(|c| c.category == id).map(|c| c.counts.clone()))
    });
    let heading = format!("extraction-{id}-title");
    let labelled_by = heading.clone();
    let name = category.name.clone();
    view! {
        <section class="ai-category" data-test="category" data-category=id aria-labelledby=labelled_by>
            <h3 id=heading>{category.name}</h3>
            <TrainButton
                purpose=Signal::derive(move || name.clone())
                ais
                counts
                sending
                on_train=Callback::new(move |()| ctx.train(client::train(ctx.session, "extraction-ais", AiCreate { category: Some(id), ..Default::default() }), sending))
            />
            <AiList ais />
        </section>
    }
}

/// What a new AI for `purpose` would learn from, and the button that starts its training: disabled while the
/// request runs or one of `ais` is training, and, saying why, while the server would refuse it.
#[component]
fn TrainButton(
    purpose: Signal<String>,
    ais: Signal<Vec<Training>>,
    counts: Signal<Option<TrainingCounts>>,
    sending: RwSignal<bool>,
    on_train: Callback<()>,
) -> impl IntoView {
    let lang = use_session().lang;
    let refusal = move || counts.with(|c| c.as_ref().and_then(|c| c.refusal.clone()));
    let busy = move || sending.get() || ais.with(|a| a.iter().any(|t| in_training(&t.status))) || refusal().is_some();
    let data = move || {
        counts.get().map(|c| {
            let lang = lang.get();
            format!(
                "{}: {} ({} {}) · {}: {} ({} {})",
                lang.text(Key::TrainingDocuments),
                c.training_documents,
                c.annotated_training_documents,
                lang.text(Key::Annotated),
                lang.text(Key::TestDocuments),
                c.test_documents,
                c.annotated_test_documents,
                lang.text(Key::Annotated),
            )
        })
    };
    view! {
        <p class="muted" data-test="training-data">{data}</p>
        {move || refusal().map(|why| view! { <p class="ai-error" data-test="training-refusal">{why}</p> })}
        <button
            type="button"
            data-test="train"
            disabled=busy
            aria-label=move || format!("{}: {}", lang.get().text(Key::TrainAi), purpose.get())
            on:click=move |_| on_train.run(())
        >
            {tr(Key::TrainAi)}
        </button>
    }
}

/// A kind's AIs, newest first.
#[component]
fn AiList(ais: Signal<Vec<Training>>) -> impl IntoView {
    view! {
        <Show
            when=move || ais.with(|a| !a.is_empty())
            fallback=|| view! { <p class="muted" data-test="no-ais">{tr(Key::NoAis)}</p> }
        >
            <ol class="ais" data-test="ais">
                <For each=move || ais.get() key=Training::key let:ai>
                    <AiItem ai />
                </For>
            </ol>
        </Show>
    }
}

/// One AI: status, progress while training, the reason it failed, whether it is active and why, its data and
/// its scores.
#[component]
fn AiItem(ai: Training) -> impl IntoView {
    let lang = use_session().lang;
    let status_key = ai.status_key();
    let training = in_training(&ai.status);
    let progress = ai.progress;
    let created = ai.created_at.get(..16).unwrap_or_default().replace('T', " ");
    view! {
        <li class="ai" data-test="ai" data-id=ai.id data-status=ai.status.clone() data-active=ai.active.to_string()>
            <p class="ai-head">
                <strong>{tr(Key::Ai)}" #"{ai.id}</strong>
                <span class=format!("status ai-{}", ai.status) data-test="ai-status">{tr(status_key)}</span>
                {ai.active.then(|| view! { <span class="status active" data-test="active">{tr(Key::AiActive)}</span> })}
                <time class="muted" datetime=ai.created_at.clone()>{created}</time>
            </p>
            {training.then(|| view! {
                <p class="ai-progress">
                    <progress max="1" value=progress aria-label=tr(Key::TrainingProgress) data-test="progress"></progress>
                    <span data-test="progress-text">{move || percent(progress, lang.get())}</span>
                </p>
            })}
            {ai.error.map(|error| view! { <p class="ai-error" data-test="ai-error">{error}</p> })}
            // An inactive AI says why it is not used; an active one why it was chosen.
            {ai.inactive_reason.or(ai.activation).map(|why| view! { <p data-test="activation">{why}</p> })}
            <p class="muted" data-test="document-counts">
                {tr(Key::TrainingDocuments)}": "
                <span data-test="training-documents">{ai.training_documents}</span>
                " · "{tr(Key::TestDocuments)}": "
                <span data-test="test-documents">{ai.test_documents}</span>
            </p>
            {ai.scores.map(|scores| match scores {
                Scores::Extraction(evaluation) => view! { <ExtractionScores evaluation /> }.into_any(),
                Scores::Categorization(evaluation) => view! { <CategoryScores evaluation /> }.into_any(),
                Scores::Splitting(evaluation) => view! { <SplitScores evaluation /> }.into_any(),
            })}
        </li>
    }
}

/// The header cells of one group of metrics.
#[component]
fn MetricHeaders() -> impl IntoView {
    view! {
        <th scope="col" class="number">{tr(Key::Precision)}</th>
        <th scope="col" class="number">{tr(Key::Recall)}</th>
        <th scope="col" class="number">{tr(Key::F1)}</th>
    }
}

/// Precision, recall and F1 as percentages; `kind` prefixes their `data-test`.
#[component]
fn MetricCells(metrics: Metrics, kind: &'static str) -> impl IntoView {
    let lang = use_session().lang;
    let cell = move |name: &str, value: f64| {
        view! {
            <td class="number" data-test=format!("{kind}-{name}") data-value=value.to_string()>
                {move || percent(value, lang.get())}
            </td>
        }
    };
    view! { {cell("precision", metrics.precision)} {cell("recall", metrics.recall)} {cell("f1", metrics.f1)} }
}

/// An extraction AI's scores per label and over all labels, strict and lenient.
#[component]
fn ExtractionScores(evaluation: Evaluation) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let rows = label_rows(&evaluation);
    view! {
        <table class="evaluation" data-test="evaluation">
            <caption>{tr(Key::EvaluationOn)}" "{evaluation.documents}</caption>
            <colgroup><col /></colgroup>
            <colgroup span="3"></colgroup>
            <colgroup span="3"></colgroup>
            <thead>
                <tr>
                    <th scope="col" rowspan="2">{tr(Key::Label)}</th>
                    <th scope="colgroup" colspan="3">{tr(Key::Strict)}</th>
                    <th scope="colgroup" colspan="3">{tr(Key::Lenient)}</th>
                </tr>
                <tr>
                    <MetricHeaders />
                    <MetricHeaders />
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|(label, strict, lenient)| {
                        view! {
                            <tr data-test="label-row" data-label=label>
                                <th scope="row" data-test="label-name">{move || ctx.label_name(label)}</th>
                                <MetricCells metrics=strict kind="strict" />
                                <MetricCells metrics=lenient kind="lenient" />
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
            <tfoot>
                <tr data-test="overall-row">
                    <th scope="row">{tr(Key::Overall)}</th>
                    <MetricCells metrics=evaluation.strict.overall kind="strict" />
                    <MetricCells metrics=evaluation.lenient.overall kind="lenient" />
                </tr>
            </tfoot>
        </table>
    }
}

/// A categorization AI's accuracy and its scores per category.
#[component]
fn CategoryScores(evaluation: CategoryEvaluation) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = ctx.session.lang;
    let accuracy = evaluation.accuracy;
    view! {
        <table class="evaluation" data-test="evaluation">
            <caption>
                {tr(Key::EvaluationOn)}" "{evaluation.documents}" · "{tr(Key::Accuracy)}" "
                <span data-test="accuracy" data-value=accuracy.to_string()>{move || percent(accuracy, lang.get())}</span>
            </caption>
            <thead>
                <tr>
                    <th scope="col">{tr(Key::Category)}</th>
                    <MetricHeaders />
                </tr>
            </thead>
            <tbody>
                {evaluation
                    .categories
                    .into_iter()
                    .map(|row| {
                        let category = row.category;
                        view! {
                            <tr data-test="category-row" data-category=category>
                                <th scope="row" data-test="category-name">{move || ctx.category_name(category)}</th>
                                <MetricCells metrics=row.metrics kind="category" />
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// A splitting AI's scores: precision, recall and F1 of the split points it found in bundles of test documents.
#[component]
fn SplitScores(evaluation: SplitEvaluation) -> impl IntoView {
    view! {
        <table class="evaluation" data-test="evaluation">
            <caption>
                {tr(Key::EvaluationOn)}" "<span data-test="documents">{evaluation.documents}</span>
                " · "{tr(Key::Bundles)}": "<span data-test="bundles">{evaluation.bundles}</span>
                " · "{tr(Key::Pages)}": "<span data-test="pages">{evaluation.pages}</span>
            </caption>
            <thead>
                <tr>
                    <td></td>
                    <MetricHeaders />
                </tr>
            </thead>
            <tbody>
                <tr data-test="split-row">
                    <th scope="row">{tr(Key::SplitPoints)}</th>
                    <MetricCells metrics=evaluation.split_points kind="split" />
                </tr>
            </tbody>
        </table>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lectern_api::ais::{LabelMetrics, Report};

    fn metrics(f1: f64) -> Metrics {
        Metrics { f1, ..Default::default() }
    }

    fn report(labels: &[(i64, f64)]) -> Report {
        Report {
            overall: metrics(0.5),
            labels: labels.iter().map(|(label, f1)| LabelMetrics { label: *label, metrics: metrics(*f1) }).collect(),
        }
    }

    #[test]
    fn percentages_are_written_as_each_language_writes_them() {
        assert_eq!(percent(0.98437, Lang::En), "98.4%");
        assert_eq!(percent(0.98437, Lang::De), "98,4 %");
        assert_eq!(percent(1.0, Lang::En), "100.0%");
        assert_eq!(percent(0.0, Lang::De), "0,0 %");
    }

    #[test]
    fn label_rows_join_strict_and_lenient_by_label() {
        let evaluation = Evaluation {
            documents: 3,
            strict: report(&[(7, 0.5), (3, 0.25)]),
            lenient: report(&[(3, 0.75), (7, 1.0), (9, 0.1)]),
        };
        let rows: Vec<(i64, f64, f64)> =
            label_rows(&evaluation).into_iter().map(|(label, s, l)| (label, s.f1, l.f1)).collect();
        // The strict report's order first; a label only the lenient report names scores zero strictly.
        assert_eq!(rows, vec![(7, 0.5, 1.0), (3, 0.25, 0.75), (9, 0.0, 0.1)]);
        assert!(label_rows(&Evaluation::default()).is_empty());
    }

    fn ai(id: i64, status: &str) -> CategoryAi {
        CategoryAi {
            id,
            project: 1,
            category: None,
            description: String::new(),
            status: status.into(),
            progress: 0.0,
            error: None,
            active: false,
            activation: None,
            inactive_reason: None,
            training_documents: 0,
            test_documents: 0,
            evaluation: None,
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    #[test]
    fn the_newest_ai_comes_first_and_polling_lasts_while_one_trains() {
        let ids: Vec<i64> =
            newest_first(&[ai(2, status::DONE), ai(5, status::FAILED), ai(3, status::DONE)], Scores::Categorization)
                .iter()
                .map(|t| t.id)
                .collect();
        assert_eq!(ids, [5, 3, 2]);
        let mut ais = Ais { categorization: vec![ai(1, status::DONE), ai(2, status::FAILED)], ..Ais::default() };
        assert!(!ais.training());
        for busy in [status::QUEUED, status::TRAINING] {
            ais.categorization.push(ai(3, busy));
            assert!(ais.training());
            ais.categorization.pop();
            // A splitting AI has the fields of a categorization AI, without an evaluation alike.
            let splitting = serde_json::from_value(serde_json::to_value(ai(4, busy)).unwrap()).unwrap();
            ais.splitting.push(splitting);
            assert!(ais.training());
            ais.splitting.pop();
        }
    }
}

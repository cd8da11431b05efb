//! The project setup page: categories, labels and label sets, and the links between them.

use std::future::Future;
use std::time::Duration;

use lectern_api::{
    Category, CategoryWrite, Label, LabelSet, LabelSetWrite, LabelWrite, ProjectSharing, ProjectSharingWrite,
    DATA_TYPES,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

use crate::client::{self, ApiError, ProjectSchema};
use crate::components::crumbs::{ProjectCrumbs, ProjectPage};
use crate::components::forms::{CreateForm, ItemRow, LinkBoxes};
use crate::components::notice::{use_notice, Notice};
use crate::i18n::{tr, Key};
use crate::routes::id_param;
use crate::session::{use_session, Session};

/// Focuses `element` again if it is still on the page and the focus went nowhere else.
fn refocus(element: Option<Element>) {
    let lost = document().active_element().is_none_or(|e| e.tag_name() == "BODY");
    if let Some(element) = element.and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
        if lost && element.is_connected() {
            let _ = element.focus();
        }
    }
}

/// What every section of the page shares.
#[derive(Clone, Copy)]
struct Ctx {
    session: Session,
    notice: Notice,
    project: Memo<i64>,
    /// Empty until the first load; `project` is set once it has loaded.
    setup: RwSignal<ProjectSchema>,
    /// Writes still running, each with the reload after it.
    busy: RwSignal<u32>,
}

impl Ctx {
    async fn reload(self) {
        if let Some(setup) = self.notice.check(client::project_schema(self.session, self.project.get_untracked()).await)
        {
            self.setup.set(setup);
        }
    }

    /// Sends a change; after it, succeeded or not, everything reloads from the server.
    fn write<T: 'static>(
        self,
        call: impl Future<Output = Result<T, ApiError>> + 'static,
        on_ok: impl FnOnce() + 'static,
    ) {
        self.notice.clear();
        // Disabling the page meanwhile takes the focus away; keyboard users get it back after.
        let focused = document().active_element();
        self.busy.update(|n| *n += 1);
        spawn_local(async move {
            if self.notice.check(call.await).is_some() {
                on_ok();
            }
            self.reload().await;
            self.busy.update(|n| *n -= 1);
            // After a zero timeout the page is enabled again.
            set_timeout(move || refocus(focused), Duration::ZERO);
        });
    }

    fn label_set(self, id: i64) -> Option<LabelSet> {
        self.setup.with(|s| s.label_sets.iter().find(|set| set.id == id).cloned())
    }
}

#[component]
pub fn ProjectSetup() -> impl IntoView {
    let ctx = Ctx {
        session: use_session(),
        notice: use_notice(),
        project: id_param(),
        setup: RwSignal::new(ProjectSchema::default()),
        busy: RwSignal::new(0),
    };
    provide_context(ctx);
    Effect::new(move || {
        ctx.project.track();
        spawn_local(ctx.reload());
    });
    let busy = move || ctx.busy.get() > 0;

    view! {
        <ProjectCrumbs project=ctx.project here=ProjectPage::Setup />
        <h1 data-test="project-name">{move || ctx.setup.read().project.as_ref().map(|p| p.name.clone())}</h1>
        <Show when=move || ctx.setup.read().project.is_some() fallback=|| view! { <p>{tr(Key::Loading)}</p> }>
            // While a write and its reload run, nothing can be changed: a change made now would be
            // built from data about to be replaced.
            <fieldset
                class="setup"
                data-test="setup"
                disabled=busy
                aria-busy=move || busy().to_string()
            >
                <Categories />
                <Labels />
                <LabelSets />
            </fieldset>
            <Sharing />
        </Show>
    }
}

/// A titled column of the page.
#[component]
fn Section(title: Key, test: &'static str, children: Children) -> impl IntoView {
    let heading = format!("{test}-title");
    view! {
        <section class="card" data-test=test aria-labelledby=heading>
            <h2 id=heading.clone()>{tr(title)}</h2>
            {children()}
        </section>
    }
}

#[component]
fn Categories() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let new_name = RwSignal::new(String::new());
    let create = Callback::new(move |()| {
        let write = CategoryWrite {
            project: Some(ctx.project.get_untracked()),
            name: Some(new_name.get_untracked()),
            ..Default::default()
        };
        ctx.write(client::create::<Category>(ctx.session, write), move || new_name.set(String::new()));
    });

    view! {
        <Section title=Key::Categories test="categories">
            <ul class="items">
                <For each=move || ctx.setup.get().categories key=|c| (c.id, c.name.clone()) let:category>
                    <ItemRow
                        name=category.name.clone()
                        on_rename=Callback::new(move |name| {
                            let write = CategoryWrite { name: Some(name), ..Default::default() };
                            ctx.write(client::update::<Category>(ctx.session, category.id, write), || ());
                        })
                        on_delete=Callback::new(move |()| {
                            ctx.write(client::remove::<Category>(ctx.session, category.id), || ())
                        })
                    >
                        // A category's labels are those of its default label set, which has its id.
                        <SetLabels set=category.id legend=Key::Labels />
                        <p class="muted" data-test="used-label-sets">
                            {tr(Key::UsesLabelSets)}": "
                            {move || {
                                let names = ctx.setup.with(|s| {
                                    s.categories
                                        .iter()
                                        .filter(|c| c.id == category.id)
                                        .flat_map(|c| c.schema.iter().filter(|set| set.id != c.id))
                                        .map(|set| set.name.clone())
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                });
                                if names.is_empty() { tr(Key::Empty)().to_owned() } else { names }
                            }}
                        </p>
                    </ItemRow>
                </For>
            </ul>
            <CreateForm title=Key::NewCategory test="new-category" name=new_name on_create=create />
        </Section>
    }
}

/// Whether the project's documents are public and which sites may embed them (§19). Members see the
/// settings; the server lets only the owner save them and says so otherwise.
#[component]
fn Sharing() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let public = RwSignal::new(false);
    let domains = RwSignal::new(String::new());
    let saved = RwSignal::new(false);
    let saved_text = tr(Key::Saved);
    let show = move |sharing: ProjectSharing| {
        public.set(sharing.public_documents);
        domains.set(sharing.embed_domains.join("\n"));
    };
    Effect::new(move || {
        let project = ctx.project.get();
        spawn_local(async move {
            if let Some(sharing) = ctx.notice.check(client::sharing(ctx.session, project).await) {
                show(sharing);
            }
        });
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        ctx.notice.clear();
        let write =
            ProjectSharingWrite {
                public_documents: Some(public.get_untracked()),
                embed_domains: Some(domains.with_untracked(|d| {
                    d.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
                })),
            };
        spawn_local(async move {
            let answer = client::update_sharing(ctx.session, ctx.project.get_untracked(), write).await;
            if let Some(sharing) = ctx.notice.check(answer) {
                show(sharing);
                saved.set(true);
            }
        });
    };

    view! {
        <Section title=Key::Sharing test="sharing">
            <form class="sharing" on:submit=save>
                <label class="check">
                    <input
                        type="checkbox"
                        data-test="public-documents"
                        prop:checked=public
                        on:change=move |ev| public.set(event_target_checked(&ev))
                    />
                    {tr(Key::PublicDocuments)}
                </label>
                <label>
                    {tr(Key::EmbedDomains)}
                    <textarea
                        data-test="embed-domains"
                        rows="4"
                        prop:value=domains
                        on:input=move |ev| domains.set(event_target_value(&ev))
                    ></textarea>
                </label>
                <button type="submit" data-test="save-sharing">{tr(Key::Save)}</button>
                <span role="status" data-test="sharing-saved">{move || saved.get().then(saved_text)}</span>
            </form>
        </Section>
    }
}

/// A select of the API's data types, showing their translated names.
#[component]
fn DataTypeSelect(selected: String, on_change: Callback<String>) -> impl IntoView {
    view! {
        <label>
            {tr(Key::DataType)}
            <select data-test="data-type" on:change=move |ev| on_change.run(event_target_value(&ev))>
                {DATA_TYPES
                    .iter()
                    .map(|dt| {
                        let name = move || Key::data_type(dt).map(tr).map_or(*dt, |t| t());
                        view! { <option value=*dt selected=*dt == selected>{name}</option> }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

#[component]
fn Labels() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let new_name = RwSignal::new(String::new());
    let new_type = RwSignal::new(DATA_TYPES[0].to_owned());
    let create = Callback::new(move |()| {
        let write = LabelWrite {
            project: Some(ctx.project.get_untracked()),
            name: Some(new_name.get_untracked()),
            data_type: Some(new_type.get_untracked()),
            label_sets: Some(Vec::new()),
            ..Default::default()
        };
        ctx.write(client::create::<Label>(ctx.session, write), move || new_name.set(String::new()));
    });
    let update = move |id: i64, write: LabelWrite| ctx.write(client::update::<Label>(ctx.session, id, write), || ());

    view! {
        <Section title=Key::Labels test="labels">
            <ul class="items">
                <For
                    each=move || ctx.setup.get().labels
                    key=|l| (l.id, l.name.clone(), l.data_type.clone())
                    let:label
                >
                    <ItemRow
                        name=label.name.clone()
                        on_rename=Callback::new(move |name| {
                            update(label.id, LabelWrite { name: Some(name), ..Default::default() })
                        })
                        on_delete=Callback::new(move |()| ctx.write(client::remove::<Label>(ctx.session, label.id), || ()))
                    >
                        <DataTypeSelect
                            selected=label.data_type.clone()
                            on_change=Callback::new(move |data_type| {
                                update(label.id, LabelWrite { data_type: Some(data_type), ..Default::default() })
                            })
                        />
                    </ItemRow>
                </For>
            </ul>
            <CreateForm title=Key::NewLabel test="new-label" name=new_name on_create=create>
                <DataTypeSelect
                    selected=new_type.get_untracked()
                    on_change=Callback::new(move |data_type| new_type.set(data_type))
                />
            </CreateForm>
        </Section>
    }
}

#[component]
fn LabelSets() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let new_name = RwSignal::new(String::new());
    let new_multiple = RwSignal::new(false);
    let create = Callback::new(move |()| {
        let write = LabelSetWrite {
            project: Some(ctx.project.get_untracked()),
            name: Some(new_name.get_untracked()),
            has_multiple_annotation_sets: Some(new_multiple.get_untracked()),
            categories: Some(Vec::new()),
            labels: Some(Vec::new()),
            ..Default::default()
        };
        ctx.write(client::create::<LabelSet>(ctx.session, write), move || {
            new_name.set(String::new());
            new_multiple.set(false);
        });
    });
    let update =
        move |id: i64, write: LabelSetWrite| ctx.write(client::update::<LabelSet>(ctx.session, id, write), || ());
    let categories = Signal::derive(move || {
        ctx.setup.with(|s| s.categories.iter().map(|c| (c.id, c.name.clone())).collect::<Vec<_>>())
    });

    view! {
        <Section title=Key::LabelSets test="label-sets">
            <ul class="items">
                <For
                    each=move || ctx.setup.get().label_sets.into_iter().filter(|s| !s.is_category)
                    key=|s| (s.id, s.name.clone())
                    let:set
                >
                    <ItemRow
                        name=set.name.clone()
                        on_rename=Callback::new(move |name| {
                            update(set.id, LabelSetWrite { name: Some(name), ..Default::default() })
                        })
                        on_delete=Callback::new(move |()| ctx.write(client::remove::<LabelSet>(ctx.session, set.id), || ()))
                    >
                        <label class="check">
                            <input
                                type="checkbox"
                                data-test="multiple"
                                prop:checked=move || ctx.label_set(set.id).is_some_and(|s| s.has_multiple_annotation_sets)
                                on:change=move |ev| {
                                    let multiple = Some(event_target_checked(&ev));
                                    update(set.id, LabelSetWrite { has_multiple_annotation_sets: multiple, ..Default::default() })
                                }
                            />
                            {tr(Key::Multiple)}
                        </label>
                        <LinkBoxes
                            legend=Key::UsedInCategories
                            test="link-categories"
                            options=categories
                            linked=Signal::derive(move || ctx.label_set(set.id).map(|s| s.categories).unwrap_or_default())
                            on_change=Callback::new(move |ids| {
                                update(set.id, LabelSetWrite { categories: Some(ids), ..Default::default() })
                            })
                        />
                        <SetLabels set=set.id legend=Key::ContainsLabels />
                    </ItemRow>
                </For>
            </ul>
            <CreateForm title=Key::NewLabelSet test="new-label-set" name=new_name on_create=create>
                <label class="check">
                    <input type="checkbox" data-test="new-multiple" bind:checked=new_multiple />
                    {tr(Key::Multiple)}
                </label>
            </CreateForm>
        </Section>
    }
}

/// Checkboxes for the labels of one label set; each change replaces the set's labels.
#[component]
fn SetLabels(set: i64, legend: Key) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let labels = Signal::derive(move || ctx.setup.with(|s| s.labels.iter().map(|l| (l.id, l.name.clone())).collect()));
    let linked =
        Signal::derive(move || ctx.label_set(set).map(|s| s.labels.iter().map(|l| l.id).collect()).unwrap_or_default());
    let on_change = Callback::new(move |ids| {
        let write = LabelSetWrite { labels: Some(ids), ..Default::default() };
        ctx.write(client::update::<LabelSet>(ctx.session, set, write), || ())
    });
    view! { <LinkBoxes legend test="link-labels" options=labels linked on_change /> }
}

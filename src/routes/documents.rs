//! The documents page, a project's main page: uploads, and a filtered, sorted, paged table that polls while documents are processed.

use std::time::Duration;

use lectern_api::documents::{status, DocumentWrite, UserRef};
use lectern_api::{Category, Paginated};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use web_sys::FileList;

use crate::client::{self, ApiError, DocumentRow};
use crate::components::crumbs::{ProjectCrumbs, ProjectPage};
use crate::components::notice::{use_notice, Notice};
use crate::i18n::{tr, Key};
use crate::poll::{Backoff, Poll};
use crate::review::options::encode;
use crate::routes::id_param;
use crate::session::{use_session, Session};

const PAGE_SIZE: u64 = 50;
/// The table is read again while any listed document is processed: after 1 s, then less and less often.
const POLL: Backoff = Backoff { first: Duration::from_secs(1), max: Duration::from_secs(10) };

/// What a person reads from `status_data` and `is_reviewed` (§7.5).
#[derive(Clone, Copy, PartialEq)]
enum Status {
    Processing,
    NeedsReview,
    Reviewed,
    Error,
    Split,
}

impl Status {
    fn of(d: &DocumentRow) -> Status {
        match d.status_data {
            status::DONE if d.is_reviewed => Status::Reviewed,
            status::DONE => Status::NeedsReview,
            status::ERROR => Status::Error,
            status::WAITING_FOR_SPLIT => Status::Split,
            _ => Status::Processing,
        }
    }

    /// The filter value and `data-status` of the status.
    fn code(self) -> &'static str {
        match self {
            Status::Processing => "processing",
            Status::NeedsReview => "needs-review",
            Status::Reviewed => "reviewed",
            Status::Error => "error",
            Status::Split => "split",
        }
    }

    fn key(self) -> Key {
        match self {
            Status::Processing => Key::StatusProcessing,
            Status::NeedsReview => Key::StatusNeedsReview,
            Status::Reviewed => Key::StatusReviewed,
            Status::Error => Key::StatusError,
            Status::Split => Key::StatusSplit,
        }
    }

    /// The `status_data` and `is_reviewed` a status filter asks for; "processing" spans many codes
    /// the API cannot filter by at once, so it is not offered.
    fn filter(code: &str) -> (Option<i64>, Option<bool>) {
        match code {
            "needs-review" => (Some(status::DONE), Some(false)),
            "reviewed" => (Some(status::DONE), Some(true)),
            "error" => (Some(status::ERROR), None),
            "split" => (Some(status::WAITING_FOR_SPLIT), None),
            _ => (None, None),
        }
    }
}

/// The table's filters, ordering and position; `query` turns them into the list's query string.
#[derive(Clone, Copy)]
struct View {
    status: RwSignal<String>,
    category: RwSignal<String>,
    reviewed: RwSignal<String>,
    assignee: RwSignal<String>,
    dataset: RwSignal<String>,
    ordering: RwSignal<String>,
    offset: RwSignal<u64>,
}

impl View {
    fn query(self, project: i64) -> String {
        let (mut status_data, by_status) = Status::filter(&self.status.get());
        let by_choice = self.reviewed.with(|r| lectern_api::lenient::parse_bool(r));
        if matches!((by_status, by_choice), (Some(a), Some(b)) if a != b) {
            // Contradicting filters match nothing; no document has this code.
            status_data = Some(-1);
        }
        let mut params = vec![
            ("project", project.to_string()),
            ("limit", PAGE_SIZE.to_string()),
            ("offset", self.offset.get().to_string()),
            ("ordering", self.ordering.get()),
        ];
        params.extend(status_data.map(|s| ("status_data", s.to_string())));
        params.extend(by_status.or(by_choice).map(|r| ("is_reviewed", r.to_string())));
        params.extend(Some(self.category.get()).filter(|c| !c.is_empty()).map(|c| ("category", c)));
        params.extend(Some(self.assignee.get().trim().to_owned()).filter(|a| !a.is_empty()).map(|a| ("assignee", a)));
        params.extend(Some(self.dataset.get()).filter(|d| !d.is_empty()).map(|d| ("dataset_status", d)));
        params.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&")
    }

    /// Sets a filter and goes back to the first page.
    fn set(self, filter: RwSignal<String>, value: String) {
        filter.set(value);
        self.offset.set(0);
    }
}

/// What the page's parts share.
#[derive(Clone, Copy)]
struct Ctx {
    session: Session,
    notice: Notice,
    project: Memo<i64>,
    query: Memo<String>,
    page: RwSignal<Option<Paginated<DocumentRow>>>,
    poll: Poll,
    /// The documents ticked for a bulk change, and the row ticked last, where a shift-click range starts.
    selected: RwSignal<Vec<i64>>,
    anchor: StoredValue<Option<usize>>,
}

impl Ctx {
    /// Loads the current page now and again while anything listed is processing.
    fn load(self) {
        let (s, query) = (self.session, self.query.get_untracked());
        self.poll.start(
            move || {
                let query = query.clone();
                async move { client::documents(s, &query).await }
            },
            move |result| {
                let Some(page) = self.notice.check(result) else { return false };
                let processing = page.results.iter().any(|d| Status::of(d) == Status::Processing);
                self.page.try_set(Some(page));
                processing
            },
        );
    }
}

#[component]
pub fn Documents() -> impl IntoView {
    let session = use_session();
    let notice = use_notice();
    let project = id_param();
    let view = View {
        status: RwSignal::new(String::new()),
        category: RwSignal::new(String::new()),
        reviewed: RwSignal::new(String::new()),
        assignee: RwSignal::new(String::new()),
        dataset: RwSignal::new(String::new()),
        ordering: RwSignal::new("-created_at".to_owned()),
        offset: RwSignal::new(0),
    };
    let ctx = Ctx {
        session,
        notice,
        project,
        query: Memo::new(move |_| view.query(project.get())),
        page: RwSignal::new(None),
        poll: Poll::new(POLL),
        selected: RwSignal::new(Vec::new()),
        anchor: StoredValue::new(None),
    };
    provide_context(ctx);
    provide_context(view);
    let categories = LocalResource::new(move || {
        let id = project.get();
        async move { notice.check(client::categories(session, id).await).unwrap_or_default() }
    });
    provide_context(categories);
    Effect::new(move || {
        ctx.query.track();
        ctx.selected.set(Vec::new());
        ctx.anchor.set_value(None);
        ctx.load();
    });
    let name = LocalResource::new(move || {
        let id = project.get();
        async move { notice.check(client::project(session, id).await).map(|p| p.name) }
    });

    view! {
        <ProjectCrumbs project=project here=ProjectPage::Documents />
        <h1 data-test="project-name">{move || name.get().flatten()}</h1>
        <Upload />
        <section class="card" aria-labelledby="documents-title" data-test="documents">
            <h2 id="documents-title">{tr(Key::Documents)}</h2>
            <Filters />
            <BulkChange />
            <Table />
        </section>
    }
}

/// The drop zone, the file picker and one progress line per file.
#[component]
fn Upload() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let lang = ctx.session.lang;
    let input = NodeRef::<html::Input>::new();
    let dragging = RwSignal::new(false);
    let uploads = RwSignal::new(Vec::<(u32, String, RwSignal<f64>, RwSignal<Option<Result<(), ApiError>>>)>::new());
    let next_id = StoredValue::new(0u32);

    let start = move |files: FileList| {
        for file in (0..files.length()).filter_map(|i| files.get(i)) {
            let id = next_id.get_value();
            next_id.set_value(id + 1);
            let (progress, outcome) = (RwSignal::new(0.0), RwSignal::new(None));
            uploads.update(|u| u.push((id, file.name(), progress, outcome)));
            client::upload(
                ctx.session,
                ctx.project.get_untracked(),
                &file,
                move |share| {
                    progress.try_set(share);
                },
                move |result| {
                    let ok = result.is_ok();
                    outcome.try_set(Some(result.map(|_| ())));
                    if ok {
                        ctx.load();
                    }
                },
            );
        }
    };
    let pick = move || {
        if let Some(input) = input.get() {
            input.click();
        }
    };

    view! {
        <section class="card upload" aria-labelledby="upload-title">
            <h2 id="upload-title">{tr(Key::Upload)}</h2>
            <div
                class="dropzone"
                class:dragging=dragging
                role="button"
                tabindex="0"
                data-test="dropzone"
                on:click=move |_| pick()
                on:keydown=move |ev| {
                    if ev.key() == "Enter" || ev.key() == " " {
                        ev.prevent_default();
                        pick();
                    }
                }
                on:dragover=move |ev| {
                    ev.prevent_default();
                    dragging.set(true);
                }
                on:dragleave=move |_| dragging.set(false)
                on:drop=move |ev| {
                    ev.prevent_default();
                    dragging.set(false);
                    if let Some(files) = ev.data_transfer().and_then(|d| d.files()) {
                        start(files);
                    }
                }
            >
                {tr(Key::DropZone)}
            </div>
            // The zone opens this picker; it stays out of the tab order, the zone is its keyboard way in.
            <input
                type="file"
                multiple
                class="visually-hidden"
                tabindex="-1"
                aria-label=tr(Key::ChooseFiles)
                data-test="file-input"
                node_ref=input
                on:change=move |_| {
                    if let Some(input) = input.get() {
                        if let Some(files) = input.files() {
                            start(files);
                        }
                        input.set_value("");
                    }
                }
            />
            <ul class="uploads" aria-live="polite" data-test="uploads">
                <For each=move || uploads.get() key=|u| u.0 let:upload>
                    {
                        let (_, name, progress, outcome) = upload;
                        let state = move || match outcome.get() {
                            None => "uploading",
                            Some(Ok(())) => "done",
                            Some(Err(_)) => "failed",
                        };
                        view! {
                            <li data-test="upload" data-name=name.clone() data-state=state>
                                <span class="file">{name.clone()}</span>
                                <Show when=move || state() != "failed"
                                    fallback=|| view! { <span class="failed">{tr(Key::UploadFailed)}</span> }>
                                    <progress max="1" prop:value=move || progress.get() aria-label=tr(Key::UploadProgress)></progress>
                                </Show>
                                <span class="outcome" class:failed=move || state() == "failed" data-test="upload-message">
                                    {move || match outcome.get() {
                                        None => lang.get().text(Key::Uploading).to_owned(),
                                        Some(Ok(())) => lang.get().text(Key::Uploaded).to_owned(),
                                        Some(Err(e)) => e.plain_message(lang.get()),
                                    }}
                                </span>
                            </li>
                        }
                    }
                </For>
            </ul>
        </section>
    }
}

/// A labelled select whose first option, "All", clears the filter.
#[component]
fn FilterSelect(
    label: Key,
    test: &'static str,
    filter: RwSignal<String>,
    options: Signal<Vec<(String, String)>>,
) -> impl IntoView {
    let view = expect_context::<View>();
    view! {
        <label>
            {tr(label)}
            <select data-test=test on:change=move |ev| view.set(filter, event_target_value(&ev))>
                <option value="" prop:selected=move || filter.read().is_empty()>{tr(Key::All)}</option>
                <For each=move || options.get() key=|o| o.clone() let:option>
                    <option value=option.0.clone() prop:selected=move || *filter.read() == option.0>{option.1}</option>
                </For>
            </select>
        </label>
    }
}

#[component]
fn Filters() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let view = expect_context::<View>();
    let lang = ctx.session.lang;
    let categories = expect_context::<LocalResource<Vec<Category>>>();
    let texts = move |items: &[(&'static str, Key)]| {
        let items: Vec<(&'static str, Key)> = items.iter().map(|(v, k)| (*v, *k)).collect();
        Signal::derive(move || items.iter().map(|(v, k)| (v.to_string(), lang.get().text(*k).to_owned())).collect())
    };
    let statuses = [Status::NeedsReview, Status::Reviewed, Status::Error, Status::Split];
    let statuses = texts(&statuses.map(|s| (s.code(), s.key())));
    let yes_no = texts(&[("true", Key::Yes), ("false", Key::No)]);
    let datasets = texts(&DATASETS.map(|(code, key)| (code, key)));
    let category_options = Signal::derive(move || {
        categories.get().unwrap_or_default().into_iter().map(|c| (c.id.to_string(), c.name)).collect()
    });
    view! {
        <div class="filters" role="search" aria-label=tr(Key::Filters) data-test="filters">
            <FilterSelect label=Key::Status test="filter-status" filter=view.status options=statuses />
            <FilterSelect label=Key::Category test="filter-category" filter=view.category options=category_options />
            <FilterSelect label=Key::StatusReviewed test="filter-reviewed" filter=view.reviewed options=yes_no />
            <FilterSelect label=Key::Dataset test="filter-dataset" filter=view.dataset options=datasets />
            <label>
                {tr(Key::AssigneeEmail)}
                <input
                    type="email"
                    data-test="filter-assignee"
                    prop:value=move || view.assignee.get()
                    on:change=move |ev| view.set(view.assignee, event_target_value(&ev))
                />
            </label>
        </div>
    }
}

/// A column header that orders the table by `field`, reversing on a second click.
#[component]
fn SortHeader(label: Key, field: &'static str) -> impl IntoView {
    let view = expect_context::<View>();
    let direction = move || match view.ordering.read().as_str() {
        o if o == field => Some(true),
        o if o.strip_prefix('-') == Some(field) => Some(false),
        _ => None,
    };
    let sort = move |_| {
        let ascending = direction() != Some(true);
        view.ordering.set(if ascending { field.to_owned() } else { format!("-{field}") });
        view.offset.set(0);
    };
    view! {
        <th aria-sort=move || match direction() {
            Some(true) => "ascending",
            Some(false) => "descending",
            None => "none",
        }>
            <button type="button" class="sort" data-test=format!("sort-{field}") on:click=sort>
                {tr(label)}
                <span aria-hidden="true">{move || match direction() {
                    Some(true) => " ▲",
                    Some(false) => " ▼",
                    None => "",
                }}</span>
            </button>
        </th>
    }
}

/// The dataset statuses a person sets (§7.3), with their filter value; 1 ("preparation") is the server's own.
const DATASETS: [(&str, Key); 4] =
    [("2", Key::DatasetTraining), ("3", Key::DatasetTest), ("4", Key::DatasetExcluded), ("0", Key::DatasetNone)];

fn dataset_key(code: i64) -> Option<Key> {
    DATASETS
        .iter()
        .find(|(c, _)| c.parse() == Ok(code))
        .map(|(_, k)| *k)
        .or((code == 1).then_some(Key::DatasetPreparation))
}

/// Ticks or unticks a row; with shift, every row from the last ticked one to this one alike.
fn tick(ctx: Ctx, id: i64, on: bool, range: bool) {
    let ids: Vec<i64> =
        ctx.page.with_untracked(|p| p.as_ref().map(|p| p.results.iter().map(|d| d.id).collect())).unwrap_or_default();
    let Some(at) = ids.iter().position(|i| *i == id) else { return };
    let from = ctx.anchor.get_value().filter(|_| range).unwrap_or(at);
    let span = &ids[from.min(at)..=from.max(at)];
    ctx.selected.update(|s| {
        s.retain(|i| !span.contains(i));
        if on {
            s.extend_from_slice(span);
        }
    });
    ctx.anchor.set_value(Some(at));
}

/// One change for every ticked document: its dataset status, category or assignee.
#[component]
fn BulkChange() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let categories = expect_context::<LocalResource<Vec<Category>>>();
    let busy = RwSignal::new(false);
    let dataset = RwSignal::new("2".to_owned());
    let category = RwSignal::new(String::new());
    let assignee = RwSignal::new(String::new());
    let apply = move |write: DocumentWrite| {
        let ids = ctx.selected.get_untracked();
        busy.set(true);
        ctx.notice.clear();
        spawn_local(async move {
            for id in ids {
                if ctx.notice.check(client::update_document(ctx.session, id, write.clone()).await).is_none() {
                    break;
                }
            }
            busy.try_set(false);
            ctx.load();
        });
    };
    let count = move || ctx.selected.with(Vec::len);
    view! {
        <Show when=move || count() != 0>
            <form class="bulk" data-test="bulk" aria-label=tr(Key::ChangeSelected) on:submit=|ev| ev.prevent_default()>
                <span data-test="selected-count">
                    {move || format!("{} {}", count(), ctx.session.lang.get().text(Key::Selected))}
                </span>
                <label>
                    {tr(Key::Dataset)}
                    <select data-test="bulk-dataset" on:change=move |ev| dataset.set(event_target_value(&ev))>
                        {DATASETS.map(|(code, key)| view! { <option value=code selected=code == "2">{tr(key)}</option> }).collect_view()}
                    </select>
                </label>
                <button type="button" data-test="apply-dataset" disabled=move || busy.get()
                    on:click=move |_| apply(DocumentWrite { dataset_status: dataset.get_untracked().parse().ok(), ..Default::default() })>
                    {tr(Key::Apply)}
                </button>
                <label>
                    {tr(Key::Category)}
                    <select data-test="bulk-category" on:change=move |ev| category.set(event_target_value(&ev))>
                        <option value="">"—"</option>
                        {move || categories.get().unwrap_or_default().into_iter()
                            .map(|c| view! { <option value=c.id>{c.name}</option> }).collect_view()}
                    </select>
                </label>
                <button type="button" data-test="apply-category" disabled=move || busy.get()
                    on:click=move |_| apply(DocumentWrite {
                        category: Some(category.get_untracked().parse().ok()),
                        category_is_revised: Some(true),
                        ..Default::default()
                    })>
                    {tr(Key::Apply)}
                </button>
                <label>
                    {tr(Key::AssigneeEmail)}
                    <input type="email" data-test="bulk-assignee" bind:value=assignee />
                </label>
                <button type="button" data-test="apply-assignee" disabled=move || busy.get()
                    on:click=move |_| {
                        let email = assignee.get_untracked().trim().to_owned();
                        apply(DocumentWrite {
                            assignee: Some(Some(email).filter(|e| !e.is_empty()).map(UserRef::Email)),
                            ..Default::default()
                        })
                    }>
                    {tr(Key::Apply)}
                </button>
            </form>
        </Show>
    }
}

#[component]
fn Table() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let view = expect_context::<View>();
    let categories = expect_context::<LocalResource<Vec<Category>>>();
    let category_name =
        move |id: Option<i64>| id.and_then(|id| categories.get()?.into_iter().find(|c| c.id == id).map(|c| c.name));
    let rows = move || ctx.page.get().map(|p| p.results).unwrap_or_default();
    let has = move |link: fn(&Paginated<DocumentRow>) -> bool| ctx.page.read().as_ref().is_some_and(link);
    let range = move || {
        ctx.page.read().as_ref().filter(|p| p.count > 0).map(|p| {
            let from = view.offset.get() + 1;
            let to = view.offset.get() + p.results.len() as u64;
            format!("{from}–{to} {} {}", ctx.session.lang.get().text(Key::Of), p.count)
        })
    };

    view! {
        <Show when=move || ctx.page.read().is_some() fallback=|| view! { <p>{tr(Key::Loading)}</p> }>
            <table class="documents" data-test="document-table">
                <thead>
                    <tr>
                        <th>
                            <input type="checkbox" data-test="select-page" aria-label=tr(Key::SelectPage)
                                prop:checked=move || {
                                    let ids = rows().iter().map(|d| d.id).collect::<Vec<_>>();
                                    !ids.is_empty() && ctx.selected.with(|s| ids.iter().all(|id| s.contains(id)))
                                }
                                on:change=move |ev| {
                                    let ids = rows().iter().map(|d| d.id).collect::<Vec<_>>();
                                    ctx.selected.set(if event_target_checked(&ev) { ids } else { Vec::new() });
                                } />
                        </th>
                        <SortHeader label=Key::FileName field="data_file_name" />
                        <SortHeader label=Key::Status field="status_data" />
                        <SortHeader label=Key::Category field="category" />
                        <SortHeader label=Key::Pages field="number_of_pages" />
                        <SortHeader label=Key::Uploaded field="created_at" />
                        <th>{tr(Key::Assignee)}</th>
                        <SortHeader label=Key::Dataset field="dataset_status" />
                        <th>{tr(Key::SuggestionsToReview)}</th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=rows
                        key=|d| (d.id, d.updated_at.clone(), d.status_data, d.is_reviewed, d.number_of_pages, d.category, d.dataset_status, d.review_counts.pending)
                        let:doc
                    >
                        {
                            let status = Status::of(&doc);
                            let name = doc.data_file_name.clone();
                            let pending = doc.review_counts.pending;
                            let lang = ctx.session.lang;
                            view! {
                                <tr data-test="document" data-id=doc.id data-name=doc.data_file_name.clone()
                                    class:ticked=move || ctx.selected.with(|s| s.contains(&doc.id))>
                                    <td>
                                        <input type="checkbox" data-test="select" aria-label=name.clone()
                                            prop:checked=move || ctx.selected.with(|s| s.contains(&doc.id))
                                            on:click=move |ev| tick(ctx, doc.id, event_target_checked(&ev), ev.shift_key()) />
                                    </td>
                                    <td data-test="file-name">
                                        <A href=format!("/projects/{}/documents/{}", ctx.project.get_untracked(), doc.id) attr:data-test="open-document">
                                            {name.clone()}
                                        </A>
                                    </td>
                                    <td>
                                        <span class=format!("status {}", status.code()) data-test="status" data-status=status.code()>
                                            {tr(status.key())}
                                        </span>
                                    </td>
                                    <td data-test="category">{move || category_name(doc.category)}</td>
                                    <td class="number" data-test="pages">{doc.number_of_pages}</td>
                                    <td><time datetime=doc.created_at.clone()>{doc.created_at.get(..16).unwrap_or_default().replace('T', " ")}</time></td>
                                    <td data-test="assignee">{doc.assignee.clone()}</td>
                                    <td data-test="dataset" data-dataset=doc.dataset_status>{dataset_key(doc.dataset_status).map(tr)}</td>
                                    // No suggestion awaiting review shows nothing, so the rows that need work stand out.
                                    <td class="number" data-test="pending" data-pending=pending>
                                        {move || (pending > 0).then(|| format!("{pending} {}", lang.get().text(Key::ToReview)))}
                                    </td>
                                </tr>
                            }
                        }
                    </For>
                </tbody>
            </table>
            <Show when=move || ctx.page.read().as_ref().is_some_and(|p| p.results.is_empty())>
                <p class="muted" data-test="no-documents">{tr(Key::NoDocuments)}</p>
            </Show>
            <nav class="pager" aria-label=tr(Key::Documents)>
                <button
                    type="button"
                    data-test="previous"
                    disabled=move || !has(|p| p.previous.is_some())
                    on:click=move |_| view.offset.update(|o| *o = o.saturating_sub(PAGE_SIZE))
                >
                    {tr(Key::Previous)}
                </button>
                <span data-test="range">{range}</span>
                <button
                    type="button"
                    data-test="next"
                    disabled=move || !has(|p| p.next.is_some())
                    on:click=move |_| view.offset.update(|o| *o += PAGE_SIZE)
                >
                    {tr(Key::Next)}
                </button>
            </nav>
        </Show>
    }
}

//! The review view's toolbars: over everything the name, category, previous/next, downloads, undo/redo and
//! finishing; over the pages zoom, search and the edit mode.

use std::time::Duration;

use lectern_api::annotations::ReviewCounts;
use lectern_api::documents::DocumentWrite;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::client;
use crate::components::icons::{Glyph, Icon};
use crate::i18n::{tr, Key};
use crate::review::geometry::{clamp_zoom, SpanBox};
use crate::review::model::neighbours;
use crate::review_view::state::Review;

/// Search waits this long after the last key before asking the server.
const SEARCH_DEBOUNCE_MS: u64 = 300;
const MIN_SEARCH_CHARS: usize = 3;

/// The document's toolbar, one row from 1280 px on: what every control is, is known before the document loads, so
/// that nothing moves under the pointer once it has; controls that cannot act yet are disabled, not hidden.
#[component]
pub fn ReviewToolbar() -> impl IntoView {
    let review = expect_context::<Review>();
    let options = review.options.get_value();
    let full = !options.read_only;
    let project =
        Memo::new(move |_| review.detail.with(|d| d.as_ref().map(|d| (d.document.project, d.document.is_reviewed))));
    // Only the full review moves between documents; the read-only views ask for nothing else.
    let unreviewed = LocalResource::new(move || {
        let (s, project) = (review.session, project.get().filter(|_| full));
        async move {
            match project {
                Some((p, _)) => client::unreviewed_documents(s, p).await.unwrap_or_default(),
                None => Vec::new(),
            }
        }
    });
    let near = Signal::derive(move || {
        unreviewed.get().map(|ids| neighbours(&ids, review.document.get())).unwrap_or((None, None))
    });
    let project = Signal::derive(move || project.get().map(|p| p.0));
    view! {
        <div class="review-toolbar" role="toolbar" aria-label=tr(Key::DocumentTools)>
            <DocumentName rename=full && !options.hide_chrome />
            {full.then(|| view! { <CategoryChoice /> })}
            {(full && !options.hide_chrome).then(|| view! { <Neighbours near project /> <Downloads /> })}
            <span class="spacer"></span>
            {full.then(|| view! {
                <button type="button" class="icon-button" data-test="undo" aria-label=tr(Key::Undo) title=tr(Key::Undo)
                    aria-keyshortcuts="Control+Z"
                    disabled=move || !review.writable() || !review.undo.with(|u| u.can_undo()) on:click=move |_| review.undo()>
                    <Glyph icon=Icon::Undo />
                </button>
                <button type="button" class="icon-button" data-test="redo" aria-label=tr(Key::Redo) title=tr(Key::Redo)
                    aria-keyshortcuts="Control+Shift+Z"
                    disabled=move || !review.writable() || !review.undo.with(|u| u.can_redo()) on:click=move |_| review.redo()>
                    <Glyph icon=Icon::Redo />
                </button>
                <FinishReview near project />
            })}
            <button type="button" class="icon-button" data-test="help" aria-label=tr(Key::Shortcuts) title=tr(Key::Shortcuts)
                aria-keyshortcuts="?" on:click=move |_| review.help.update(|h| *h = !*h)>
                "?"
            </button>
        </div>
    }
}

/// The controls over the pages: zoom, fit, search and the way to the edit mode.
#[component]
pub fn PageTools() -> impl IntoView {
    let review = expect_context::<Review>();
    let options = review.options.get_value();
    let full = !options.read_only;
    view! {
        <div class="page-tools" role="toolbar" aria-label=tr(Key::PageTools)>
            <Zoom />
            {full.then(|| view! { <Search /> })}
            {(full && !options.hide_chrome).then(|| view! { <EditPagesLink /> })}
        </div>
    }
}

#[component]
fn DocumentName(rename: bool) -> impl IntoView {
    let review = expect_context::<Review>();
    let name =
        move || review.detail.with(|d| d.as_ref().map(|d| d.document.data_file_name.clone()).unwrap_or_default());
    let editing = RwSignal::new(None::<String>);
    let save = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        if let Some(new) = editing.get_untracked().filter(|n| !n.trim().is_empty()) {
            review.update_document(DocumentWrite { data_file_name: Some(new.trim().to_owned()), ..Default::default() });
        }
        editing.set(None);
    };
    view! {
        <Show
            when=move || editing.with(Option::is_some)
            fallback=move || view! {
                <h2 class="document-name" data-test="document-name">{name}</h2>
                {rename.then(|| view! {
                    <button
                        type="button"
                        class="icon-button"
                        data-test="rename"
                        aria-label=tr(Key::Rename)
                        title=tr(Key::Rename)
                        on:click=move |_| editing.set(Some(name()))
                    >
                        <Glyph icon=Icon::Edit />
                    </button>
                })}
            }
        >
            <form class="rename" on:submit=save>
                <input type="text" data-test="rename-input" aria-label=tr(Key::FileName)
                    prop:value=move || editing.get().unwrap_or_default()
                    on:input=move |e| editing.set(Some(event_target_value(&e))) />
                <button type="submit" data-test="rename-save">{tr(Key::Save)}</button>
                <button type="button" on:click=move |_| editing.set(None)>{tr(Key::Cancel)}</button>
            </form>
        </Show>
    }
}

#[component]
fn CategoryChoice() -> impl IntoView {
    let review = expect_context::<Review>();
    let project = Memo::new(move |_| review.detail.with(|d| d.as_ref().map(|d| d.document.project)));
    let categories = LocalResource::new(move || {
        let (s, project) = (review.session, project.get());
        async move {
            match project {
                Some(p) => client::categories(s, p).await.unwrap_or_default(),
                None => Vec::new(),
            }
        }
    });
    let current = move || review.detail.with(|d| d.as_ref().and_then(|d| d.document.category));
    let confidence = move || {
        review
            .detail
            .with(|d| d.as_ref().and_then(|d| d.document.category_confidence).map(|c| format!("{:.2} %", c * 100.0)))
    };
    let choose = move |e: leptos::ev::Event| {
        let category = event_target_value(&e).parse::<i64>().ok();
        review.update_document(DocumentWrite {
            category: Some(category),
            category_is_revised: Some(true),
            ..Default::default()
        });
    };
    view! {
        <label class="category">
            {tr(Key::Category)}
            <select data-test="category" disabled=move || !review.writable() on:change=choose>
                <option value="" selected=move || current().is_none()>"—"</option>
                {move || categories
                    .get()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|c| view! { <option value=c.id selected=move || current() == Some(c.id)>{c.name}</option> })
                    .collect_view()}
            </select>
            <span class="muted" data-test="category-confidence">{confidence}</span>
        </label>
    }
}

/// Previous and next unreviewed document of the project.
#[component]
fn Neighbours(near: Signal<(Option<i64>, Option<i64>)>, project: Signal<Option<i64>>) -> impl IntoView {
    let link = move |id: Option<i64>, key: Key, icon: Icon, test: &'static str| {
        let project = project.get().unwrap_or_default();
        match id {
            Some(id) => view! {
                <A href=format!("/projects/{project}/documents/{id}") attr:data-test=test attr:class="button icon-button"
                    attr:aria-label=tr(key) attr:title=tr(key)>
                    <Glyph icon />
                </A>
            }
            .into_any(),
            None => view! {
                <button type="button" class="icon-button" data-test=test aria-label=tr(key) title=tr(key) disabled=true>
                    <Glyph icon />
                </button>
            }
            .into_any(),
        }
    };
    view! {
        <nav class="neighbours" aria-label=tr(Key::Unreviewed)>
            {move || link(near.get().0, Key::PreviousDocument, Icon::Previous, "previous-document")}
            {move || link(near.get().1, Key::NextDocument, Icon::Next, "next-document")}
        </nav>
    }
}

/// The way to the edit mode, where pages are split, turned and reordered; not offered once the review is finished.
#[component]
fn EditPagesLink() -> impl IntoView {
    let review = expect_context::<Review>();
    let href = move || {
        let project = review.detail.with(|d| d.as_ref().map(|d| d.document.project).unwrap_or_default());
        format!("/projects/{project}/documents/{}/edit", review.document.get())
    };
    view! {
        <Show when=move || review.writable()>
            <A href=href attr:data-test="edit-pages" attr:class="button">{tr(Key::EditPages)}</A>
        </Show>
    }
}

#[component]
fn Downloads() -> impl IntoView {
    let review = expect_context::<Review>();
    let url = move |pick: fn(&lectern_api::documents::Document) -> &String| {
        review.detail.with(|d| d.as_ref().map(|d| client::file_url(review.session, pick(&d.document), 0)))
    };
    view! {
        <span class="downloads">
            <a href=move || url(|d| &d.original_file_url) download data-test="download-original">
                {tr(Key::DownloadOriginal)}
            </a>
            <a href=move || url(|d| &d.file_url) download data-test="download-pdf">{tr(Key::DownloadPdf)}</a>
        </span>
    }
}

#[component]
fn Zoom() -> impl IntoView {
    let review = expect_context::<Review>();
    let by = move |factor: f64| {
        review.fit.set(false);
        review.zoom.update(|z| *z = clamp_zoom(*z * factor));
    };
    view! {
        <span class="zoom" role="group" aria-label=tr(Key::Zoom)>
            <button type="button" data-test="zoom-out" aria-label=tr(Key::ZoomOut) on:click=move |_| by(1.0 / 1.25)>
                "−"
            </button>
            <span data-test="zoom" aria-live="polite">{move || format!("{:.0} %", review.zoom.get() * 100.0)}</span>
            <button type="button" data-test="zoom-in" aria-label=tr(Key::ZoomIn) on:click=move |_| by(1.25)>"+"</button>
            <button type="button" data-test="fit" aria-pressed=move || review.fit.get().to_string()
                on:click=move |_| { review.fit.set(false); review.fit.set(true) }>
                {tr(Key::FitWidth)}
            </button>
        </span>
    }
}

#[component]
fn Search() -> impl IntoView {
    let review = expect_context::<Review>();
    let asked = StoredValue::new(0u32);
    // The query belongs to one document: another one (previous/next) starts with an empty search, as its hits do,
    // and a search still waiting for its debounce is dropped.
    let query = RwSignal::new(String::new());
    let no_hits = RwSignal::new(false);
    Effect::new(move || {
        review.document.track();
        query.set(String::new());
        asked.update_value(|n| *n += 1);
    });
    let show_hit = move |i: usize| {
        review.hit.set(i);
        let hit = review.hits.with_untracked(|h| h.get(i).map(SpanBox::from));
        if let Some(b) = hit {
            review.scroll_to(b.page_index, Some(b.rect()));
        }
    };
    let search = move |e: leptos::ev::Event| {
        let q = event_target_value(&e);
        query.set(q.clone());
        no_hits.set(false);
        asked.update_value(|n| *n += 1);
        let mine = asked.get_value();
        set_timeout(
            move || {
                if asked.try_get_value() != Some(mine) {
                    return;
                }
                if q.trim().chars().count() < MIN_SEARCH_CHARS {
                    review.hits.set(Vec::new());
                    return;
                }
                let (s, doc) = (review.session, review.document.get_untracked());
                spawn_local(async move {
                    let found = client::search(s, doc, q.trim()).await;
                    if asked.try_get_value() != Some(mine) {
                        return;
                    }
                    match found {
                        Ok(hits) => {
                            no_hits.set(hits.is_empty());
                            review.hits.set(hits);
                            show_hit(0);
                        }
                        Err(e) => review.notice.show(e),
                    }
                });
            },
            Duration::from_millis(SEARCH_DEBOUNCE_MS),
        );
    };
    let count = move || review.hits.with(Vec::len);
    let turn = move |delta: usize| {
        let n = count();
        if n > 0 {
            show_hit((review.hit.get_untracked() + delta) % n);
        }
    };
    view! {
        <span class="search" role="search">
            <input
                type="search"
                data-test="search"
                aria-label=tr(Key::Search)
                placeholder=tr(Key::Search)
                prop:value=query
                on:input=search
            />
            <Show when=move || count() != 0>
                <span data-test="hit-count" aria-live="polite">
                    {move || format!("{}/{}", review.hit.get() + 1, count())}
                </span>
                <button
                    type="button"
                    class="icon-button"
                    data-test="hit-previous"
                    aria-label=tr(Key::PreviousHit)
                    on:click=move |_| turn(count() - 1)
                >
                    <Glyph icon=Icon::Previous />
                </button>
                <button type="button" class="icon-button" data-test="hit-next" aria-label=tr(Key::NextHit)
                    on:click=move |_| turn(1)>
                    <Glyph icon=Icon::Next />
                </button>
                <Show when=move || review.writable()>
                    <button type="button" data-test="annotate-hit" on:click=move |_| review.from_hit()>
                        {tr(Key::AnnotateHit)}
                    </button>
                </Show>
            </Show>
            <Show when=move || no_hits.get()>
                <span class="muted" data-test="no-hits" role="status">{tr(Key::NoHits)}</span>
            </Show>
            <Show when=move || review.writable() && review.words.with(|w| !w.is_empty())>
                <button type="button" data-test="annotate-words" on:click=move |_| review.from_words()>
                    {tr(Key::AnnotateWords)}
                </button>
            </Show>
        </span>
    }
}

/// Finishes the review and opens the project's next unreviewed document, if there is one.
#[component]
fn FinishReview(near: Signal<(Option<i64>, Option<i64>)>, project: Signal<Option<i64>>) -> impl IntoView {
    let review = expect_context::<Review>();
    let navigate = use_navigate();
    let ready = Memo::new(move |_| review.writable() && review.counts.with(ReviewCounts::can_finish));
    let next = move || {
        let (before, after) = near.get();
        after.or(before).filter(|id| *id != review.document.get())
    };
    let finish = move |_| {
        let (navigate, next, project) = (navigate.clone(), next(), project.get_untracked());
        let write = DocumentWrite { is_reviewed: Some(true), ..Default::default() };
        review.notice.run(
            client::update_document(review.session, review.document.get_untracked(), write),
            move |done| match (done, next, project) {
                (Some(_), Some(next), Some(project)) => {
                    navigate(&format!("/projects/{project}/documents/{next}"), Default::default())
                }
                (Some(_), _, _) => review.refresh(),
                (None, _, _) => {}
            },
        );
    };
    view! {
        <button
            type="button"
            class="primary"
            data-test="finish-review"
            disabled=move || !ready.get()
            title=move || (!ready.get()).then(tr(Key::FinishBlocked))
            on:click=finish
        >
            {move || tr(if next().is_some() { Key::FinishAndNext } else { Key::FinishReview })()}
        </button>
    }
}

//! The annotation panel: annotation sets → labels → annotations with counters, filters and the review actions.

use lectern_api::annotations::AnnotationNested;
use lectern_api::review::State;
use leptos::prelude::*;

use crate::i18n::{tr, Key};
use crate::review::model::{label_colour, Filter, LabelRow, Row};
use crate::review_view::state::Review;

#[component]
pub fn AnnotationPanel() -> impl IntoView {
    let review = expect_context::<Review>();
    let counts = review.counts;
    let sets = move || review.tree.with(|t| t.sets.iter().map(|s| (s.key(), s.title())).collect::<Vec<_>>());
    let filter = review.filter;
    // One filter checkbox: `field` picks its flag in the filter.
    let checkbox = move |test: &'static str, key: Key, field: fn(&mut Filter) -> &mut bool| {
        view! {
            <label>
                <input
                    type="checkbox"
                    data-test=test
                    prop:checked=move || filter.with(|f| *field(&mut f.clone()))
                    on:change=move |_| filter.update(|f| *field(f) = !*field(f)) />
                {tr(key)}
            </label>
        }
    };
    view! {
        <aside class="annotation-panel" data-test="panel" aria-label=tr(Key::Annotations)>
            <dl class="counters" data-test="counters">
                <div><dt>{tr(Key::Pending)}</dt><dd data-test="count-pending">{move || counts.get().pending}</dd></div>
                <div>
                    <dt>{tr(Key::Unfilled)}</dt>
                    <dd data-test="count-unfilled">{move || counts.get().unfilled}</dd>
                </div>
                <div><dt>{tr(Key::Missing)}</dt><dd data-test="count-missing">{move || counts.get().missing}</dd></div>
                <div>
                    <dt>{tr(Key::Accepted)}</dt>
                    <dd data-test="count-accepted">{move || counts.get().accepted}</dd>
                </div>
            </dl>
            <fieldset class="panel-filters">
                <legend>{tr(Key::Filters)}</legend>
                {checkbox("filter-feedback", Key::FeedbackNeeded, |f| &mut f.feedback_only)}
                {checkbox("filter-missing", Key::Missing, |f| &mut f.show_missing)}
                {checkbox("filter-accepted", Key::Accepted, |f| &mut f.show_accepted)}
                <input
                    type="search"
                    data-test="filter-text"
                    aria-label=tr(Key::FilterText)
                    placeholder=tr(Key::FilterText)
                    prop:value=move || filter.with(|f| f.text.clone())
                    on:input=move |e| filter.update(|f| f.text = event_target_value(&e))
                />
            </fieldset>
            <div class="sets">
                <For each=sets key=|s| s.clone() let:set>
                    <SetSection key=set.0 title=set.1 />
                </For>
            </div>
        </aside>
    }
}

#[component]
fn SetSection(key: String, title: String) -> impl IntoView {
    let review = expect_context::<Review>();
    let set_key = StoredValue::new(key.clone());
    let labels = move || {
        review.tree.with(|t| {
            set_key
                .with_value(|k| t.set(k))
                .map(|s| s.labels.iter().map(|l| (l.id, l.name.clone())).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    };
    let pending = move || review.tree.with(|t| set_key.with_value(|k| t.pending_in(k).len()));
    let unfilled = move || review.tree.with(|t| set_key.with_value(|k| t.unfilled_in(k).len()));
    let heading = title.clone();
    let can_accept_all = move || review.writable() && pending() > 0;
    let can_mark_all = move || review.writable() && unfilled() > 0;
    view! {
        <section class="set" data-test="set" data-set=key aria-label=title.clone()>
            <header>
                <h3 data-test="set-title">{heading}</h3>
                <Show when=can_accept_all>
                    <button
                        type="button"
                        data-test="accept-all"
                        on:click=move |_| review.accept_all(set_key.get_value())
                    >
                        {tr(Key::AcceptAll)}
                    </button>
                </Show>
                <Show when=can_mark_all>
                    <button
                        type="button"
                        data-test="missing-all"
                        on:click=move |_| review.mark_all_missing(set_key.get_value())
                    >
                        {tr(Key::MarkAllMissing)}
                    </button>
                </Show>
            </header>
            <ul class="labels">
                <For each=labels key=|l| l.0 let:label>
                    <LabelGroup set_key=set_key.get_value() label=label.0 name=label.1 />
                </For>
            </ul>
        </section>
    }
}

#[component]
fn LabelGroup(set_key: String, label: i64, name: String) -> impl IntoView {
    let review = expect_context::<Review>();
    let key = StoredValue::new(set_key.clone());
    let with_row = move |f: &dyn Fn(&LabelRow) -> bool| {
        review
            .tree
            .with(|t| key.with_value(|k| t.set(k)).and_then(|s| s.labels.iter().find(|l| l.id == label)).is_some_and(f))
    };
    let annotations = move || {
        review.filter.with(|f| {
            review.tree.with(|t| {
                key.with_value(|k| t.set(k))
                    .and_then(|s| s.labels.iter().find(|l| l.id == label))
                    .map(|l| {
                        l.annotations.iter().filter(|a| f.shows_annotation(l, a)).map(|a| a.id).collect::<Vec<_>>()
                    })
                    .unwrap_or_default()
            })
        })
    };
    let empty_shown = move || review.filter.with(|f| with_row(&|l| f.shows_empty_label(l)));
    let is_missing = move || with_row(&|l| l.missing.is_some());
    let toggle_missing = move |e: leptos::ev::MouseEvent| {
        e.stop_propagation();
        match is_missing() {
            true => review.restore(key.get_value(), label),
            false => review.mark_missing(key.get_value(), vec![label]),
        }
    };
    let row = Row::Label { set: set_key.clone(), label };
    let row_key = format!("label-{set_key}-{label}");
    let selected = {
        let row = row.clone();
        move || review.selected.with(|s| s.as_ref() == Some(&row))
    };
    view! {
        <li class="label" data-test="label" data-label=label>
            <h4>
                <span class="swatch" style=format!("background:{}", label_colour(label)) aria-hidden="true"></span>
                {name.clone()}
            </h4>
            <ul class="annotations">
                <For each=annotations key=|id| *id let:id>
                    <AnnotationRow id label />
                </For>
                <Show when=empty_shown>
                    {
                        let row = row.clone();
                        view! {
                            <li
                                class="empty-label"
                                class:selected=selected.clone()
                                data-test="empty-label"
                                data-row=row_key.clone()
                                tabindex="-1"
                                data-missing=move || is_missing().to_string()
                                on:click=move |_| review.select(row.clone(), false)
                            >
                                <span class="muted">
                                    {move || if is_missing() { tr(Key::MarkedMissing)() } else { tr(Key::NoValue)() }}
                                </span>
                                <Show when=move || review.writable()>
                                    <button
                                        type="button"
                                        data-test=move || if is_missing() { "restore" } else { "mark-missing" }
                                        on:click=toggle_missing
                                    >
                                        {move || tr(if is_missing() { Key::Restore } else { Key::MarkMissing })()}
                                    </button>
                                </Show>
                            </li>
                        }
                    }
                </Show>
            </ul>
        </li>
    }
}

#[component]
fn AnnotationRow(id: i64, label: i64) -> impl IntoView {
    let review = expect_context::<Review>();
    let lang = review.session.lang;
    let annotation = Memo::new(move |_| review.tree.with(|t| t.find(id).map(|p| p.annotation.clone())));
    let state = move || annotation.with(|a| a.as_ref().map(AnnotationNested::state).unwrap_or(State::Declined));
    let text = move || annotation.with(|a| a.as_ref().map(|a| a.offset_string.clone()).unwrap_or_default());
    let confidence =
        move || annotation.with(|a| a.as_ref().and_then(|a| a.confidence).map(|c| format!("{:.0} %", c * 100.0)));
    let editing = RwSignal::new(false);
    let edited = RwSignal::new(String::new());
    // The text field takes the focus when it opens (`autofocus` does nothing on an element added later), and the
    // annotation's row takes it back when it closes.
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move || {
        if let Some(el) = input.get() {
            let _ = el.focus();
        }
    });
    let close = move || {
        editing.set(false);
        request_animation_frame(move || review.select(Row::Annotation(id), false));
    };
    let selected = move || review.selected.with(|s| *s == Some(Row::Annotation(id)));
    let save = move || {
        close();
        let value = edited.get_untracked();
        if value != text() {
            review.edit(id, value);
        }
    };
    let copy_link = move |_| {
        review.select(Row::Annotation(id), true);
        let href = window().location().href().unwrap_or_default();
        let _ = window().navigator().clipboard().write_text(&href);
    };
    let named = move |key: Key| move || format!("{}: {}", lang.get().text(key), text());
    view! {
        <li
            class="annotation"
            class:selected=selected
            data-test="annotation"
            data-id=id
            data-state=move || state().code()
            data-row=format!("ann{id}")
            style=format!("--label:{}", label_colour(label))
        >
            <Show
                when=move || editing.get()
                fallback=move || view! {
                    <button
                        type="button"
                        class="annotation-text"
                        data-test="annotation-text"
                        aria-pressed=move || selected().to_string()
                        on:click=move |_| review.select(Row::Annotation(id), true)>
                        {text}
                    </button>
                }
            >
                <form class="edit" on:submit=move |e| { e.prevent_default(); save() }>
                    <input
                        type="text"
                        data-test="edit-input"
                        aria-label=tr(Key::EditText)
                        node_ref=input
                        prop:value=move || edited.get()
                        on:input=move |e| edited.set(event_target_value(&e))
                        on:keydown=move |e| if e.key() == "Escape" { close() } />
                    <button type="submit" data-test="edit-save">{tr(Key::Save)}</button>
                    <button type="button" data-test="edit-cancel" on:click=move |_| close()>
                        {tr(Key::Cancel)}
                    </button>
                </form>
            </Show>
            <span class="confidence" data-test="confidence">{confidence}</span>
            <span class=move || format!("state {}", state().code())>{move || tr(state_key(state()))()}</span>
            <span class="actions">
                <Show when=move || review.writable()>
                    <Show when=move || state().needs_feedback()>
                        <button
                            type="button"
                            data-test="accept"
                            aria-label=named(Key::Accept)
                            on:click=move |_| review.accept(id)
                        >
                            {tr(Key::Accept)}
                        </button>
                    </Show>
                    <button
                        type="button"
                        data-test="decline"
                        aria-label=named(Key::Decline)
                        on:click=move |_| review.decline(id)
                    >
                        {tr(Key::Decline)}
                    </button>
                    <button type="button" data-test="edit" aria-label=named(Key::EditText)
                        on:click=move |_| { edited.set(text()); editing.set(true) }>
                        {tr(Key::Edit)}
                    </button>
                </Show>
                <button type="button" data-test="copy-link" aria-label=named(Key::CopyLink) on:click=copy_link>
                    {tr(Key::CopyLink)}
                </button>
            </span>
        </li>
    }
}

fn state_key(state: State) -> Key {
    match state {
        State::FeedbackRequired => Key::Pending,
        State::Accepted => Key::Accepted,
        State::Declined => Key::Declined,
        State::CreatedByHuman => Key::ByReviewer,
    }
}

//! The annotation panel: annotation sets → labels → annotations with counters, filters and the review actions.

use lectern_api::annotations::AnnotationNested;
use lectern_api::geometry::Rect;
use lectern_api::review::State;
use leptos::ev::MouseEvent;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::icons::{Glyph, Icon};
use crate::components::page_canvas::PageImage;
use crate::i18n::{tr, Key};
use crate::review::geometry::{percent_box, SpanBox};
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
                                    <span class="actions">
                                        <button
                                            type="button"
                                            data-test=move || if is_missing() { "restore" } else { "mark-missing" }
                                            on:click=toggle_missing
                                        >
                                            {move || tr(if is_missing() { Key::Restore } else { Key::MarkMissing })()}
                                        </button>
                                    </span>
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
    let confidence = move || annotation.with(|a| a.as_ref().and_then(|a| a.confidence));
    let editing = RwSignal::new(false);
    let edited = RwSignal::new(String::new());
    let copied = RwSignal::new(false);
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
        copied.set(true);
        set_timeout(move || copied.try_set(false).map_or((), drop), std::time::Duration::from_secs(2));
    };
    let named = move |key: Key| move || format!("{}: {}", lang.get().text(key), text());
    // The actions exist only on the row a person is at (pointer over it, focus in it, or selected): hundreds of
    // rows would otherwise each carry four buttons nobody sees.
    let row = NodeRef::<leptos::html::Li>::new();
    let hovered = RwSignal::new(false);
    let focused = RwSignal::new(false);
    let leaves = move |e: leptos::ev::FocusEvent| {
        let to = e.related_target().and_then(|t| t.dyn_into::<web_sys::Node>().ok());
        let inside = row.get_untracked().zip(to).is_some_and(|(row, to)| row.contains(Some(&to)));
        if !inside {
            focused.set(false);
        }
    };
    view! {
        <li
            class="annotation"
            class:selected=selected
            data-test="annotation"
            data-id=id
            data-state=move || state().code()
            data-row=format!("ann{id}")
            style=format!("--label:{}", label_colour(label))
            node_ref=row
            on:mouseenter=move |_| hovered.set(true)
            on:mouseleave=move |_| hovered.set(false)
            on:focusin=move |_| focused.set(true)
            on:focusout=leaves
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
            <span class="confidence" data-test="confidence" style=move || confidence().map(confidence_style)>
                {move || confidence().map(|c| format!("{:.0} %", c * 100.0))}
            </span>
            <span class=move || format!("state {}", state().code()) data-test="state">
                {move || tr(state_key(state()))()}
            </span>
            <Show when=move || hovered.get() || focused.get() || selected()>
                <span class="actions">
                    <Show when=move || review.writable()>
                        <Show when=move || state().needs_feedback()>
                            {action("accept", named(Key::Accept), Key::Accept, Icon::Accept, move |_| review.accept(id))}
                        </Show>
                        {action("decline", named(Key::Decline), Key::Decline, Icon::Decline, move |_| review.decline(id))}
                        {action("edit", named(Key::EditText), Key::Edit, Icon::Edit, move |_| {
                            edited.set(text());
                            editing.set(true)
                        })}
                    </Show>
                    {action("copy-link", named(Key::CopyLink), Key::CopyLink, Icon::Link, copy_link)}
                </span>
            </Show>
            <Show when=move || copied.get()>
                <span class="copied" role="status" data-test="copied">{tr(Key::LinkCopied)}</span>
            </Show>
            <Show when=selected>
                <Crop id />
            </Show>
        </li>
    }
}

/// One of a row's actions: an icon button named for the annotation it acts on.
fn action(
    test: &'static str,
    name: impl Fn() -> String + Send + Sync + 'static,
    title: Key,
    icon: Icon,
    on_click: impl FnMut(MouseEvent) + 'static,
) -> impl IntoView {
    view! {
        <button type="button" class="icon-button" data-test=test aria-label=name title=tr(title) on:click=on_click>
            <Glyph icon />
        </button>
    }
}

/// The colour scale of a confidence, from red (0 %) over amber to green (100 %), as a light background under
/// dark text so that the number keeps its contrast.
fn confidence_style(confidence: f64) -> String {
    let hue = (confidence.clamp(0.0, 1.0) * 120.0).round();
    format!("background:hsl({hue} 70% 88%);color:hsl({hue} 80% 20%)")
}

/// What the selected annotation covers on its first page, cut out of the page image, so that a reviewer can
/// check the value against the document without looking away from the panel.
#[component]
fn Crop(id: i64) -> impl IntoView {
    let review = expect_context::<Review>();
    let region = move || {
        let first = review.tree.with(|t| t.find(id).and_then(|p| SpanBox::all(&p.annotation.span).first().copied()))?;
        review.detail.with(|d| {
            let page = d.as_ref()?.pages.get(first.page_index as usize)?;
            Some((page.image_url.clone(), CropBox::new(first.rect(), page.original_size)))
        })
    };
    move || {
        region().map(|(image, b)| {
            view! {
                <div class="crop" data-test="crop"
                    style=format!("aspect-ratio:{:.4};max-width:{:.0}px", b.aspect, b.points_wide * 2.0)>
                    <PageImage path=image alt=Signal::derive(String::new)
                        style=format!("left:{:.3}%;top:{:.3}%;width:{:.3}%", b.left, b.top, b.width) />
                </div>
            }
        })
    }
}

/// Where a page image lies in the crop of a box (with a margin): its offset and width in percent of the crop.
struct CropBox {
    left: f64,
    top: f64,
    width: f64,
    aspect: f64,
    points_wide: f64,
}

impl CropBox {
    fn new(rect: Rect, size: [f64; 2]) -> CropBox {
        const MARGIN: f64 = 6.0;
        let padded = Rect {
            x0: (rect.x0 - MARGIN).max(0.0),
            x1: (rect.x1 + MARGIN).min(size[0]),
            y0: (rect.y0 - MARGIN).max(0.0),
            y1: (rect.y1 + MARGIN).min(size[1]),
        };
        let [l, t, w, h] = percent_box(padded, size);
        let (w, h) = (w.max(0.1), h.max(0.1));
        CropBox {
            left: -l / w * 100.0,
            top: -t / h * 100.0,
            width: 100.0 * 100.0 / w,
            aspect: (w * size[0]) / (h * size[1]),
            points_wide: padded.x1 - padded.x0,
        }
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

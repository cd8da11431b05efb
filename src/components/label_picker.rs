//! The review view's dialogs: the label picker that turns a selection into an annotation, and the shortcut sheet.

use leptos::html::Select;
use leptos::prelude::*;

use crate::i18n::{tr, Key};
use crate::review::model::Target;
use crate::review_view::state::Review;

/// The picker's choices: every label of every set (`set:{id}:{label}`), and of a new set (`new:{label set}:{label}`)
/// for potential sets and label sets that may occur several times.
fn choices(review: Review, new_word: &str) -> Vec<(String, String)> {
    review.tree.with(|t| {
        let mut choices = Vec::new();
        for set in &t.sets {
            for l in &set.labels {
                let value = match set.id {
                    Some(id) => format!("set:{id}:{}", l.id),
                    None => format!("new:{}:{}", set.label_set.id, l.id),
                };
                choices.push((value, format!("{} · {}", set.title(), l.name)));
            }
        }
        let mut repeating: Vec<_> =
            t.sets.iter().filter(|s| s.id.is_some() && s.label_set.has_multiple_annotation_sets).collect();
        repeating.dedup_by_key(|s| s.label_set.id);
        for set in repeating {
            for l in &set.labels {
                choices.push((
                    format!("new:{}:{}", set.label_set.id, l.id),
                    format!("{} ({new_word}) · {}", set.label_set.name, l.name),
                ));
            }
        }
        choices
    })
}

fn parse_choice(value: &str) -> Option<(Target, i64)> {
    let mut parts = value.split(':');
    let kind = parts.next()?;
    let id = parts.next()?.parse().ok()?;
    let label = parts.next()?.parse().ok()?;
    match kind {
        "set" => Some((Target::Set(id), label)),
        "new" => Some((Target::NewSet(id), label)),
        _ => None,
    }
}

#[component]
pub fn LabelPicker() -> impl IntoView {
    let review = expect_context::<Review>();
    let lang = review.session.lang;
    let choice = RwSignal::new(String::new());
    let typed = RwSignal::new(String::new());
    let select = NodeRef::<Select>::new();
    let open = move || review.draft.with(Option::is_some);
    let options = move || choices(review, lang.get().text(Key::NewSet));
    Effect::new(move || {
        if open() {
            choice.set(options().first().map(|c| c.0.clone()).unwrap_or_default());
            typed.set(String::new());
            request_animation_frame(move || {
                if let Some(el) = select.get_untracked() {
                    let _ = el.focus();
                }
            });
        }
    });
    let needs_text = move || review.draft.with(|d| d.as_ref().is_some_and(|d| d.spans.is_empty()));
    let found = move || {
        review.draft.with(|d| {
            d.as_ref()
                .map(|d| d.spans.iter().map(|s| s.offset_string.as_str()).collect::<Vec<_>>().join(" "))
                .unwrap_or_default()
        })
    };
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        if let Some((target, label)) = parse_choice(&choice.get_untracked()) {
            review.create(target, label, typed.get_untracked());
        }
    };
    view! {
        <Show when=open>
            <div class="dialog-backdrop">
                <form
                    class="dialog"
                    role="dialog"
                    aria-modal="true"
                    aria-labelledby="picker-title"
                    data-test="label-picker"
                    on:submit=submit
                >
                    <h2 id="picker-title">{tr(Key::NewAnnotation)}</h2>
                    <Show
                        when=needs_text
                        fallback=move || view! { <p class="found" data-test="draft-text">{found}</p> }
                    >
                        <label>
                            {tr(Key::TypeValue)}
                            <input type="text" data-test="draft-value" required prop:value=move || typed.get()
                                on:input=move |e| typed.set(event_target_value(&e)) />
                        </label>
                    </Show>
                    <label>
                        {tr(Key::Label)}
                        <select
                            data-test="label-choice"
                            node_ref=select
                            on:change=move |e| choice.set(event_target_value(&e))
                        >
                            {move || options()
                                .into_iter()
                                .map(|(value, name)| {
                                    let selected = value == choice.get_untracked();
                                    view! { <option value=value selected=selected>{name}</option> }
                                })
                                .collect_view()}
                        </select>
                    </label>
                    <div class="buttons">
                        <button type="submit" data-test="create-annotation">{tr(Key::Create)}</button>
                        <button type="button" data-test="cancel-annotation" on:click=move |_| review.draft.set(None)>
                            {tr(Key::Cancel)}
                        </button>
                    </div>
                </form>
            </div>
        </Show>
    }
}

/// The keyboard shortcuts, opened with `?`.
#[component]
pub fn HelpSheet() -> impl IntoView {
    let review = expect_context::<Review>();
    let rows = [
        ("↑ / ↓", Key::KeyMove),
        ("Enter", Key::KeyAccept),
        ("Esc", Key::KeyCancel),
        ("Delete", Key::KeyMissing),
        ("Ctrl+Z", Key::Undo),
        ("Ctrl+Shift+Z", Key::Redo),
        ("?", Key::KeyHelp),
    ];
    view! {
        <Show when=move || review.help.get()>
            <div class="dialog-backdrop">
                <section
                    class="dialog"
                    role="dialog"
                    aria-modal="true"
                    aria-labelledby="help-title"
                    data-test="shortcuts"
                >
                    <h2 id="help-title">{tr(Key::Shortcuts)}</h2>
                    <dl>
                        {rows
                            .map(|(keys, what)| view! { <dt><kbd>{keys}</kbd></dt><dd>{tr(what)}</dd> })
                            .collect_view()}
                    </dl>
                    <button type="button" data-test="close-shortcuts" on:click=move |_| review.help.set(false)>
                        {tr(Key::Dismiss)}
                    </button>
                </section>
            </div>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_name_the_target() {
        assert_eq!(parse_choice("set:12:3"), Some((Target::Set(12), 3)));
        assert_eq!(parse_choice("new:7:4"), Some((Target::NewSet(7), 4)));
        assert_eq!(parse_choice("old:7:4"), None);
        assert_eq!(parse_choice("set:x:4"), None);
    }
}

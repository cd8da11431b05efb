//! The review view's dialogs: the label picker that turns a selection into an annotation, and the shortcut sheet.

use leptos::html::Input;
use leptos::prelude::*;

use crate::i18n::{tr, Key};
use crate::review::model::Target;
use crate::review_view::state::Review;

/// One label the picker offers.
#[derive(Clone, PartialEq)]
struct Choice {
    /// `set:{set id}:{label}` for a label of an existing set, `new:{label set}:{label}` for one of a new set.
    value: String,
    /// "Set · Label", as the list shows it.
    name: String,
    /// The label has no value yet in its set: such labels come first as the default.
    empty: bool,
}

/// The picker's choices: every label of every set (`set:{id}:{label}`), and of a new set (`new:{label set}:{label}`)
/// for potential sets and label sets that may occur several times.
fn choices(review: Review, new_word: &str) -> Vec<Choice> {
    review.tree.with(|t| {
        let mut choices = Vec::new();
        for set in &t.sets {
            for l in &set.labels {
                let value = match set.id {
                    Some(id) => format!("set:{id}:{}", l.id),
                    None => format!("new:{}:{}", set.label_set.id, l.id),
                };
                let empty = l.annotations.is_empty();
                choices.push(Choice { value, name: format!("{} · {}", set.title(), l.name), empty });
            }
        }
        let mut repeating: Vec<_> =
            t.sets.iter().filter(|s| s.id.is_some() && s.label_set.has_multiple_annotation_sets).collect();
        repeating.dedup_by_key(|s| s.label_set.id);
        for set in repeating {
            for l in &set.labels {
                choices.push(Choice {
                    value: format!("new:{}:{}", set.label_set.id, l.id),
                    name: format!("{} ({new_word}) · {}", set.label_set.name, l.name),
                    empty: true,
                });
            }
        }
        choices
    })
}

/// The choices whose name holds every word of `filter` (any case), in the list's order.
fn matching(choices: &[Choice], filter: &str) -> Vec<Choice> {
    let words: Vec<String> = filter.split_whitespace().map(str::to_lowercase).collect();
    choices.iter().filter(|c| words.iter().all(|w| c.name.to_lowercase().contains(w))).cloned().collect()
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

/// Turns a selection into an annotation: the labels are listed with the first empty one chosen; typing filters
/// them, ↑/↓ move the choice, 1–9 pick one of the first nine while nothing is typed, and Enter creates.
#[component]
pub fn LabelPicker() -> impl IntoView {
    let review = expect_context::<Review>();
    let lang = review.session.lang;
    let choice = RwSignal::new(String::new());
    let typed = RwSignal::new(String::new());
    let filter = RwSignal::new(String::new());
    let first_field = NodeRef::<Input>::new();
    let value_field = NodeRef::<Input>::new();
    let open = move || review.draft.with(Option::is_some);
    let all = Memo::new(move |_| choices(review, lang.get().text(Key::NewSet)));
    let shown = Memo::new(move |_| all.with(|all| filter.with(|f| matching(all, f))));
    let needs_text = move || review.draft.with(|d| d.as_ref().is_some_and(|d| d.spans.is_empty()));
    Effect::new(move || {
        if open() {
            let first = all.with_untracked(|all| all.iter().find(|c| c.empty).or(all.first()).map(|c| c.value.clone()));
            choice.set(first.unwrap_or_default());
            typed.set(String::new());
            filter.set(String::new());
            request_animation_frame(move || {
                let field = if needs_text() { value_field.get_untracked() } else { first_field.get_untracked() };
                if let Some(el) = field {
                    let _ = el.focus();
                }
            });
        }
    });
    // The choice follows the filter: it stays while it matches, else the first match is chosen.
    Effect::new(move || {
        let shown = shown.get();
        if !shown.iter().any(|c| c.value == choice.get_untracked()) {
            choice.set(shown.first().map(|c| c.value.clone()).unwrap_or_default());
        }
    });
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
    let keys = move |e: leptos::ev::KeyboardEvent| {
        let shown = shown.get_untracked();
        let at = shown.iter().position(|c| c.value == choice.get_untracked());
        let pick = match e.key().as_str() {
            "ArrowDown" => at.map_or(0, |i| (i + 1).min(shown.len().saturating_sub(1))),
            "ArrowUp" => at.map_or(0, |i| i.saturating_sub(1)),
            digit if filter.with_untracked(String::is_empty) && digit.len() == 1 => match digit.parse::<usize>() {
                Ok(n @ 1..=9) => n - 1,
                _ => return,
            },
            _ => return,
        };
        e.prevent_default();
        if let Some(c) = shown.get(pick) {
            choice.set(c.value.clone());
        }
    };
    view! {
        <Show when=open>
            <div class="dialog-backdrop">
                <form
                    class="dialog picker"
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
                            <input type="text" data-test="draft-value" required node_ref=value_field
                                prop:value=move || typed.get() on:input=move |e| typed.set(event_target_value(&e)) />
                        </label>
                    </Show>
                    <label>
                        {tr(Key::Label)}
                        <input
                            type="text"
                            data-test="label-filter"
                            role="combobox"
                            aria-controls="label-choices"
                            aria-expanded="true"
                            aria-activedescendant=move || format!("choice-{}", choice.get().replace(':', "-"))
                            autocomplete="off"
                            placeholder=tr(Key::FilterLabels)
                            node_ref=first_field
                            prop:value=move || filter.get()
                            on:input=move |e| filter.set(event_target_value(&e))
                            on:keydown=keys
                        />
                    </label>
                    <ul id="label-choices" class="choices" role="listbox" aria-label=tr(Key::Label) data-test="label-choices">
                        {move || shown.get().into_iter().enumerate().map(|(i, c)| {
                            let value = c.value.clone();
                            let chosen = {
                                let value = value.clone();
                                Signal::derive(move || choice.with(|v| *v == value))
                            };
                            view! {
                                <li
                                    id=format!("choice-{}", c.value.replace(':', "-"))
                                    role="option"
                                    data-test="label-choice"
                                    data-value=c.value.clone()
                                    aria-selected=move || chosen.get().to_string()
                                    class:chosen=chosen
                                    on:click=move |_| choice.set(value.clone())
                                >
                                    <kbd aria-hidden="true">{(i < 9).then(|| (i + 1).to_string())}</kbd>
                                    <span data-test="choice-name">{c.name}</span>
                                    {c.empty.then(|| view! { <span class="muted">{tr(Key::NoValue)}</span> })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <Show when=move || shown.with(Vec::is_empty)>
                        <p class="muted" data-test="no-label">{tr(Key::NoLabelMatches)}</p>
                    </Show>
                    <div class="buttons">
                        <button type="submit" data-test="create-annotation" disabled=move || choice.with(String::is_empty)>
                            {tr(Key::Create)}
                        </button>
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

    #[test]
    fn typing_keeps_the_labels_that_hold_every_word() {
        let choice = |name: &str| Choice { value: name.to_owned(), name: name.to_owned(), empty: false };
        let all = [choice("Invoice · Total"), choice("Invoice · Date"), choice("Positions · Total")];
        let names = |filter: &str| matching(&all, filter).into_iter().map(|c| c.name).collect::<Vec<_>>();
        assert_eq!(names("tot"), ["Invoice · Total", "Positions · Total"]);
        assert_eq!(names("inv TOTAL"), ["Invoice · Total"]);
        assert_eq!(names(""), ["Invoice · Total", "Invoice · Date", "Positions · Total"]);
        assert!(names("iban").is_empty());
    }
}

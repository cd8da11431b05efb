//! Form pieces the setup pages repeat: a create form, an editable row, a set of link checkboxes.

use leptos::prelude::*;

use crate::i18n::{tr, Key};

/// A form that creates a thing by name; `name` is the parent's so it can clear it on success.
#[component]
pub fn CreateForm(
    /// Heading of the form, e.g. "New label".
    title: Key,
    /// `data-test` of the form, for the browser tests.
    test: &'static str,
    name: RwSignal<String>,
    on_create: Callback<()>,
    /// Extra fields beside the name.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    view! {
        <form
            class="create"
            data-test=test
            on:submit=move |ev| {
                ev.prevent_default();
                on_create.run(());
            }
        >
            <fieldset>
                <legend>{tr(title)}</legend>
                <label>
                    {tr(Key::Name)}
                    <input type="text" data-test="new-name" bind:value=name />
                </label>
                {children.map(|c| c())}
                <button type="submit" data-test="create">{tr(Key::Create)}</button>
            </fieldset>
        </form>
    }
}

/// One existing thing: its name (editable), Save, Delete, and any extra controls. Deleting asks first: the
/// thing's name must be typed, as nothing deleted comes back.
#[component]
pub fn ItemRow(
    name: String,
    on_rename: Callback<String>,
    on_delete: Callback<()>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let draft = RwSignal::new(name.clone());
    let confirming = RwSignal::new(false);
    let typed = RwSignal::new(String::new());
    let expected = name.clone();
    let matches = Signal::derive(move || typed.with(|t| t.trim() == expected));
    let question = name.clone();
    view! {
        <li class="item" data-test="row" data-name=name>
            <form
                class="rename"
                on:submit=move |ev| {
                    ev.prevent_default();
                    on_rename.run(draft.get_untracked());
                }
            >
                <input type="text" data-test="name" aria-label=tr(Key::Name) bind:value=draft />
                <button type="submit" data-test="save">{tr(Key::Save)}</button>
                <button type="button" class="danger" data-test="delete" aria-expanded=move || confirming.get().to_string()
                    on:click=move |_| { typed.set(String::new()); confirming.update(|c| *c = !*c) }>
                    {tr(Key::Delete)}
                </button>
            </form>
            <Show when=move || confirming.get()>
                <form class="confirm-delete" data-test="confirm-delete" role="alertdialog"
                    on:submit=move |ev| {
                        ev.prevent_default();
                        if matches.get_untracked() {
                            confirming.set(false);
                            on_delete.run(());
                        }
                    }>
                    <label>
                        {
                            let question = question.clone();
                            move || tr(Key::TypeNameToDelete)().replace("{name}", &question)
                        }
                        <input type="text" data-test="confirm-name" autocomplete="off" bind:value=typed />
                    </label>
                    <button type="submit" class="danger" data-test="confirm" disabled=move || !matches.get()>
                        {tr(Key::DeleteForGood)}
                    </button>
                    <button type="button" data-test="cancel-delete" on:click=move |_| confirming.set(false)>
                        {tr(Key::Cancel)}
                    </button>
                </form>
            </Show>
            {children.map(|c| c())}
        </li>
    }
}

/// Checkboxes that link one thing to several others; each change sends the whole new list.
#[component]
pub fn LinkBoxes(
    legend: Key,
    test: &'static str,
    /// Everything that can be linked: (id, name).
    options: Signal<Vec<(i64, String)>>,
    /// The ids linked now, as the server last said.
    linked: Signal<Vec<i64>>,
    on_change: Callback<Vec<i64>>,
) -> impl IntoView {
    view! {
        <fieldset class="links" data-test=test>
            <legend>{tr(legend)}</legend>
            <Show when=move || !options.read().is_empty() fallback=|| view! { <span class="muted">{tr(Key::Empty)}</span> }>
                <For each=move || options.get() key=|o| o.clone() let:option>
                    <label class="check">
                        <input
                            type="checkbox"
                            data-name=option.1.clone()
                            prop:checked=move || linked.read().contains(&option.0)
                            on:change=move |ev| {
                                let mut ids = linked.get_untracked();
                                ids.retain(|id| *id != option.0);
                                if event_target_checked(&ev) {
                                    ids.push(option.0);
                                }
                                on_change.run(ids);
                            }
                        />
                        {option.1.clone()}
                    </label>
                </For>
            </Show>
        </fieldset>
    }
}

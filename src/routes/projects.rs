//! The projects page: every project of the user, with rename, delete and a form to create one.

use lectern_api::ProjectWrite;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::client;
use crate::components::forms::{CreateForm, ItemRow};
use crate::components::notice::use_notice;
use crate::i18n::{tr, Key};
use crate::session::use_session;

#[component]
pub fn Projects() -> impl IntoView {
    let session = use_session();
    let notice = use_notice();
    let projects = LocalResource::new(move || async move { notice.check(client::projects(session).await) });
    let reload = move || projects.refetch();
    let named = |name: String| ProjectWrite { name: Some(name), ..Default::default() };

    let new_name = RwSignal::new(String::new());
    let create = Callback::new(move |()| {
        let write = named(new_name.get_untracked());
        notice.run(client::create_project(session, write), move |created| {
            if created.is_some() {
                new_name.set(String::new());
            }
            reload();
        });
    });

    view! {
        <h1>{tr(Key::Projects)}</h1>
        <CreateForm title=Key::NewProject test="new-project" name=new_name on_create=create />
        <Show when=move || projects.read().is_some() fallback=|| view! { <p>{tr(Key::Loading)}</p> }>
            <Show
                when=move || projects.read().as_ref().is_some_and(|p| p.as_ref().is_some_and(|p| !p.is_empty()))
                fallback=|| view! { <p class="muted">{tr(Key::NoProjects)}</p> }
            >
                <ul class="items" data-test="projects">
                    <For
                        each=move || projects.get().flatten().unwrap_or_default()
                        key=|p| (p.id, p.name.clone())
                        let:project
                    >
                        <ItemRow
                            name=project.name.clone()
                            on_rename=Callback::new(move |name| {
                                let write = named(name);
                                notice.run(client::update_project(session, project.id, write), move |_| reload());
                            })
                            on_delete=Callback::new(move |()| {
                                notice.run(client::delete_project(session, project.id), move |_| reload());
                            })
                        >
                            <A href=format!("/projects/{}/documents", project.id) attr:data-test="documents">
                                {tr(Key::Documents)}
                            </A>
                            <A href=format!("/projects/{}/setup", project.id) attr:data-test="setup">
                                {tr(Key::Setup)}
                            </A>
                        </ItemRow>
                    </For>
                </ul>
            </Show>
        </Show>
    }
}

//! The links above a project's pages: back to the projects, and to the project's other pages.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{tr, Key};

/// The pages of a project that the crumbs link to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ProjectPage {
    Documents,
    Setup,
    Ais,
}

impl ProjectPage {
    const ALL: [ProjectPage; 3] = [ProjectPage::Documents, ProjectPage::Setup, ProjectPage::Ais];

    fn path(self) -> &'static str {
        match self {
            ProjectPage::Documents => "documents",
            ProjectPage::Setup => "setup",
            ProjectPage::Ais => "ais",
        }
    }

    fn name(self) -> Key {
        match self {
            ProjectPage::Documents => Key::Documents,
            ProjectPage::Setup => Key::Setup,
            ProjectPage::Ais => Key::AiModels,
        }
    }
}

/// Links back to the projects and to every page of `project` but `here`.
#[component]
pub fn ProjectCrumbs(project: Memo<i64>, here: ProjectPage) -> impl IntoView {
    let others = ProjectPage::ALL.into_iter().filter(move |p| *p != here).map(|page| {
        view! {
            <A href=move || format!("/projects/{}/{}", project.get(), page.path()) attr:data-test=page.path()>
                {tr(page.name())}
            </A>
        }
    });
    view! {
        <p class="crumbs">
            <A href="/">{tr(Key::BackToProjects)}</A>
            {others.collect_view()}
        </p>
    }
}

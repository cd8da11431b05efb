//! The app shell: the session and notice contexts, header, router and login redirect.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Redirect, Route, Router, Routes, A};
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::{path, NavigateOptions};

use crate::client;
use crate::components::notice::{use_notice, Notice, NoticeBanner};
use crate::i18n::{tr, Key, Lang};
use crate::review::options::{encode, query_param};
use crate::routes::ais::AiModels;
use crate::routes::document::DocumentPage;
use crate::routes::edit::EditDocument;
use crate::routes::public::{is_public_url, public_options, PublicDocument};
use crate::routes::{documents::Documents, login::Login, project_setup::ProjectSetup, projects::Projects};
use crate::session::{use_session, Session};

#[component]
pub fn App() -> impl IntoView {
    Session::provide();
    provide_context(Notice::new());
    view! {
        <Router>
            <Shell />
        </Router>
    }
}

/// Everything inside the router: sends visitors without a token to the login page and back, except on the
/// public view, which needs no login and hides the header when embedded with `chrome=0`.
#[component]
fn Shell() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let location = use_location();
    let pathname = location.pathname;
    let public = Memo::new(move |_| is_public_url(&pathname.get(), &location.search.get()));
    let chrome = move || !public.get() || !public_options(&location.search.get(), &location.hash.get()).hide_chrome;
    Effect::new(move || {
        let logged_in = session.token.read().is_some();
        let on_login = pathname.get() == "/login";
        if public.get() {
            // The public view needs no login.
        } else if !logged_in && !on_login {
            // The page asked for comes back after the login.
            let asked = format!("{}{}{}", pathname.get(), location.search.get(), location.hash.get());
            let login = match asked.as_str() {
                "/" => "/login".to_owned(),
                _ => format!("/login?next={}", encode(&asked)),
            };
            navigate(&login, NavigateOptions { replace: true, ..Default::default() });
        } else if logged_in && on_login {
            navigate(&after_login(&location.search.get()), NavigateOptions { replace: true, ..Default::default() });
        }
    });

    view! {
        <Show when=chrome>
            <Header public />
        </Show>
        <main>
            <NoticeBanner />
            <Routes fallback=|| view! { <p>{tr(Key::NotFound)}</p> }>
                <Route path=path!("/login") view=Login />
                <Route path=path!("/") view=Home />
                <Route path=path!("/projects/:id") view=ProjectHome />
                <Route path=path!("/projects/:id/documents") view=Documents />
                <Route path=path!("/projects/:id/setup") view=ProjectSetup />
                <Route path=path!("/projects/:id/ais") view=AiModels />
                <Route path=path!("/projects/:project/documents/:id") view=DocumentPage />
                <Route path=path!("/projects/:project/documents/:id/edit") view=EditDocument />
                <Route path=path!("/d/:id") view=PublicDocument />
                <Route path=path!("/d") view=PublicDocument />
            </Routes>
        </main>
    }
}

/// Where the login page leads: the `next` page it was given, if that is a page of this app, else the projects.
fn after_login(search: &str) -> String {
    query_param(search, "next").filter(|next| next.starts_with('/') && !next.starts_with("//")).unwrap_or("/".into())
}

/// The projects, or the public view when the URL names a document (`/?document=ID`, §22).
#[component]
fn Home() -> impl IntoView {
    if query_param(&use_location().search.get_untracked(), "document").is_some() {
        view! { <PublicDocument /> }.into_any()
    } else {
        view! { <Projects /> }.into_any()
    }
}

/// A project's main page is its documents.
#[component]
fn ProjectHome() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let id = params.read_untracked().get("id").unwrap_or_default();
    view! { <Redirect path=format!("/projects/{id}/documents") /> }
}

/// The app's header; on the public view it shows no account, and asks nothing of the server.
#[component]
fn Header(public: Memo<bool>) -> impl IntoView {
    let session = use_session();
    let notice = use_notice();
    let logged_in = move || session.token.read().is_some() && !public.get();
    let me = LocalResource::new(move || {
        let logged_in = logged_in();
        async move {
            if logged_in {
                notice.check(client::me(session).await)
            } else {
                None
            }
        }
    });
    let logout = move |_| {
        spawn_local(async move {
            notice.check(client::logout(session).await);
            session.token.set(None);
        })
    };
    let choose_lang = move |ev| {
        if let Some(lang) = Lang::from_code(&event_target_value(&ev)) {
            session.lang.set(lang);
        }
    };

    view! {
        <header class="top">
            <A href="/" attr:class="brand">{tr(Key::AppName)}</A>
            <nav>
                <Show when=logged_in>
                    <A href="/">{tr(Key::Projects)}</A>
                    <span class="user" data-test="user">{move || me.get().flatten().map(|m| m.username)}</span>
                    <button type="button" data-test="logout" on:click=logout>{tr(Key::Logout)}</button>
                </Show>
                <label class="lang">
                    {tr(Key::Language)}
                    <select data-test="language" on:change=choose_lang>
                        {Lang::ALL
                            .map(|l| {
                                view! {
                                    <option value=l.code() prop:selected=move || session.lang.get() == l>{l.name()}</option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
            </nav>
        </header>
    }
}

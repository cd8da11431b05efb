//! The public, read-only view of a document (`/d/{id}/` or `?document={id}`, §19, §22), also the embed mode.

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_params_map};

use crate::i18n::{tr, Key, Lang};
use crate::review::options::{query_param, ViewOptions};
use crate::review_view::view::DocumentReview;
use crate::session::use_session;

/// Whether a URL is the public view (`/d/…`, or `/?document=ID`), which needs no login and may hide the
/// app's chrome.
pub fn is_public_url(path: &str, search: &str) -> bool {
    path == "/d" || path.starts_with("/d/") || (path == "/" && query_param(search, "document").is_some())
}

/// The view options a public URL asks for: always read-only, the rest from the query and hash.
pub fn public_options(search: &str, hash: &str) -> ViewOptions {
    ViewOptions { read_only: true, ..ViewOptions::from_query(search, hash) }
}

#[component]
pub fn PublicDocument() -> impl IntoView {
    let session = use_session();
    let location = use_location();
    let search = location.search.get_untracked();
    let path_id = use_params_map().read_untracked().get("id");
    // The query's `document` wins over the path, as in DVUI.
    let id = query_param(&search, "document").or(path_id).and_then(|id| id.trim_end_matches('/').parse::<i64>().ok());
    let options = public_options(&search, &location.hash.get_untracked());
    if let Some(lang) = query_param(&search, "locale").and_then(|code| Lang::from_code(&code)) {
        session.lang.set(lang);
    }
    // The public view sends no token, whoever is logged in in this browser, and so reads only what is public.
    provide_context(session.anonymous());

    match id {
        Some(id) => view! { <PublicView id options /> }.into_any(),
        None => view! { <p>{tr(Key::NotFound)}</p> }.into_any(),
    }
}

/// The review view in read-only mode, in a wrapper that names the document.
#[component]
fn PublicView(id: i64, options: ViewOptions) -> impl IntoView {
    view! {
        <section class="public-document" data-test="public-document" data-document=id.to_string()>
            <h1 class="visually-hidden">{tr(Key::PublicDocument)}</h1>
            <DocumentReview document=id options />
        </section>
    }
}

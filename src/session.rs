//! Who is logged in and in which language: the session every API call reads, kept in local storage.

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;

use crate::i18n::Lang;

const TOKEN_KEY: &str = "lectern.token";
const LANG_KEY: &str = "lectern.lang";

/// Who is logged in and in which language; every API call reads both.
#[derive(Clone, Copy)]
pub struct Session {
    pub token: RwSignal<Option<String>>,
    pub lang: RwSignal<Lang>,
}

impl Session {
    /// The session this browser has stored, provided as context (its language too, for `tr`) and stored again
    /// whenever it changes; the app's root calls this once.
    pub fn provide() -> Session {
        let session = Session { token: RwSignal::new(stored(TOKEN_KEY)), lang: RwSignal::new(initial_lang()) };
        provide_context(session);
        provide_context(session.lang);
        Effect::new(move || store(TOKEN_KEY, session.token.read().as_deref()));
        Effect::new(move || {
            let code = session.lang.get().code();
            store(LANG_KEY, Some(code));
            if let Some(html) = document().document_element() {
                let _ = html.set_attribute("lang", code);
            }
        });
        session
    }

    /// The same language without a token, for views that must read only what is public whoever is logged in.
    pub fn anonymous(self) -> Session {
        Session { token: RwSignal::new(None), lang: self.lang }
    }
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

fn stored(key: &str) -> Option<String> {
    LocalStorage::raw().get_item(key).ok().flatten()
}

fn store(key: &str, value: Option<&str>) {
    let storage = LocalStorage::raw();
    let _ = match value {
        Some(v) => storage.set_item(key, v),
        None => storage.remove_item(key),
    };
}

/// The stored choice, else the browser's language, else English.
fn initial_lang() -> Lang {
    stored(LANG_KEY)
        .or_else(|| window().navigator().language())
        .and_then(|code| Lang::from_code(&code))
        .unwrap_or(Lang::En)
}

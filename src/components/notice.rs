//! The error banner: the last failed call's message, shown until dismissed or the next action.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::client::ApiError;
use crate::i18n::{tr, use_lang, Key};

/// The app-wide slot for the last error; provided once by `App`.
#[derive(Clone, Copy)]
pub struct Notice(RwSignal<Option<ApiError>>);

impl Notice {
    pub fn new() -> Notice {
        Notice(RwSignal::new(None))
    }

    pub fn clear(self) {
        self.0.set(None);
    }

    /// Shows `error`, except a 401: that ends the session, and the login page that follows says what to do.
    pub fn show(self, error: ApiError) {
        if !matches!(error, ApiError::Server { status: 401, .. }) {
            self.0.set(Some(error));
        }
    }

    /// Shows the error of a failed result and passes a successful value on.
    pub fn check<T>(self, result: Result<T, ApiError>) -> Option<T> {
        result.map_err(|e| self.show(e)).ok()
    }

    /// Runs a call started by the user: the old message goes, a new failure is shown,
    /// and `then` runs after the call whatever its outcome, with the value if it succeeded.
    pub fn run<T: 'static>(
        self,
        call: impl Future<Output = Result<T, ApiError>> + 'static,
        then: impl FnOnce(Option<T>) + 'static,
    ) {
        self.clear();
        spawn_local(async move { then(self.check(call.await)) });
    }
}

pub fn use_notice() -> Notice {
    expect_context::<Notice>()
}

#[component]
pub fn NoticeBanner() -> impl IntoView {
    let notice = use_notice();
    let lang = use_lang();
    move || {
        notice.0.get().map(|error| {
            view! {
                <div class="notice" role="alert" data-test="error">
                    <p data-test="error-message">{move || error.message(lang.get())}</p>
                    <button type="button" on:click=move |_| notice.clear()>{tr(Key::Dismiss)}</button>
                </div>
            }
        })
    }
}

//! The login page: email and password, exchanged for a token.

use lectern_api::Credentials;
use leptos::prelude::*;

use crate::client;
use crate::components::notice::use_notice;
use crate::i18n::{tr, Key};
use crate::session::use_session;

#[component]
pub fn Login() -> impl IntoView {
    let session = use_session();
    let notice = use_notice();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let credentials = Credentials { username: email.get_untracked(), password: password.get_untracked() };
        // The shell leaves the login page as soon as the token is set.
        notice.run(client::login(session, credentials), move |token| {
            if let Some(token) = token {
                session.token.set(Some(token.token));
            }
        });
    };

    view! {
        <form class="login card" data-test="login" on:submit=submit>
            <h1>{tr(Key::LoginTitle)}</h1>
            <label>
                {tr(Key::Email)}
                <input id="login-email" type="email" autocomplete="username" required bind:value=email />
            </label>
            <label>
                {tr(Key::Password)}
                <input id="login-password" type="password" autocomplete="current-password" bind:value=password />
            </label>
            <button type="submit" data-test="login-submit">{tr(Key::Login)}</button>
        </form>
    }
}

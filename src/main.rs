//! Browser entry point: installs the panic hook and mounts the app.

mod app;
mod client;
mod components;
mod i18n;
mod poll;
mod review;
mod review_view;
mod routes;
mod session;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}

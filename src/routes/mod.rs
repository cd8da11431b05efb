//! The pages, one module per route.

pub mod ais;
pub mod document;
pub mod documents;
pub mod edit;
pub mod login;
pub mod project_setup;
pub mod projects;
pub mod public;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The route's `:id` as a number (0 when it is not one), following the URL.
pub fn id_param() -> Memo<i64> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("id").and_then(|id| id.parse().ok()).unwrap_or(0))
}

//! The route `/projects/:project/documents/:id`: the full review of one document.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::review::options::ViewOptions;
use crate::review_view::view::DocumentReview;

#[component]
pub fn DocumentPage() -> impl IntoView {
    let params = use_params_map();
    let document = Signal::derive(move || params.read().get("id").and_then(|id| id.parse().ok()).unwrap_or(0));
    view! { <DocumentReview document options=ViewOptions::default() /> }
}

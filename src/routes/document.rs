//! The route `/projects/:project/documents/:id`: the full review of one document.

use leptos::prelude::*;

use crate::review::options::ViewOptions;
use crate::review_view::view::DocumentReview;
use crate::routes::id_param;

#[component]
pub fn DocumentPage() -> impl IntoView {
    view! { <DocumentReview document=id_param() options=ViewOptions::default() /> }
}

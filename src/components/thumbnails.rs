//! The thumbnail strip of the review view: one button per page that scrolls the pages to it.

use leptos::prelude::*;

use crate::components::page_canvas::PageImage;
use crate::i18n::{tr, Key};
use crate::review_view::state::Review;

#[component]
pub fn Thumbnails() -> impl IntoView {
    let review = expect_context::<Review>();
    let lang = review.session.lang;
    let pages = move || review.detail.with(|d| d.as_ref().map(|d| d.pages.clone()).unwrap_or_default());
    view! {
        <nav class="thumbnails" data-test="thumbnails" aria-label=tr(Key::Pages)>
            <For each=pages key=|p| p.id let:page>
                {
                    let number = page.number;
                    let name = Signal::derive(move || format!("{} {number}", lang.get().text(Key::Page)));
                    view! {
                        <button
                            type="button"
                            class="thumbnail"
                            data-test="thumbnail"
                            aria-label=name
                            on:click=move |_| review.scroll_to(number - 1, None)
                        >
                            <PageImage path=page.thumbnail_url.clone() alt=name />
                            <span aria-hidden="true">{number}</span>
                        </button>
                    }
                }
            </For>
        </nav>
    }
}

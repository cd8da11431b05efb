//! The pages of the review view: every page image in one scroll container, loaded only near the viewport,
//! with word boxes, annotation overlays, search hits and rectangle drawing.

use lectern_api::documents::{PageDetail, PageSummary};
use leptos::__reexports::send_wrapper::SendWrapper;
use leptos::ev;
use leptos::html::Div;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::js_sys::Array;
use web_sys::{IntersectionObserver, IntersectionObserverEntry, IntersectionObserverInit, MouseEvent};

use crate::client;
use crate::i18n::{tr, Key};
use crate::review::geometry::{fit_zoom, percent_style, SpanBox};
use crate::review::model::{label_colour, Row};
use crate::review_view::state::Review;
use crate::session::use_session;

/// A drag shorter than this (pixels, both ways) is a click.
const MIN_DRAG_PX: f64 = 4.0;
/// The page images retry a 428 ("not ready") every 2 s, as DVUI does, this many times.
const IMAGE_RETRIES: u32 = 150;

/// A page image or thumbnail; while the server answers 428 it is asked again every 2 s.
#[component]
pub fn PageImage(
    path: String,
    #[prop(into)] alt: Signal<String>,
    #[prop(optional)] class: &'static str,
    #[prop(optional, into)] style: String,
) -> impl IntoView {
    let session = use_session();
    let tries = RwSignal::new(0u32);
    let retry = move |_| {
        if tries.get_untracked() < IMAGE_RETRIES {
            set_timeout(
                move || {
                    tries.try_update(|t| *t += 1);
                },
                std::time::Duration::from_secs(2),
            );
        }
    };
    let src = move || client::file_url(session, &path, tries.get());
    view! { <img src=src alt=alt class=class style=style draggable="false" on:error=retry /> }
}

/// Sets `near` while the element is within a screen's height of the visible part of the pages. The observer
/// starts a frame after mounting, when the scroll container it measures against is in the document.
fn watch_nearness(target: NodeRef<Div>, near: RwSignal<bool>) {
    let held = StoredValue::new(None::<SendWrapper<(IntersectionObserver, Closure<dyn Fn(Array)>)>>);
    on_cleanup(move || {
        if let Some(Some(watching)) = held.try_update_value(Option::take) {
            watching.take().0.disconnect();
        }
    });
    target.on_load(move |el| {
        request_animation_frame(move || {
            let callback = Closure::<dyn Fn(Array)>::new(move |entries: Array| {
                if let Some(last) = entries.iter().last() {
                    near.try_set(last.unchecked_into::<IntersectionObserverEntry>().is_intersecting());
                }
            });
            let init = IntersectionObserverInit::new();
            init.set_root_margin("100% 0px");
            if let Some(root) = el.closest("#review-pages").ok().flatten() {
                init.set_root(Some(&root));
            }
            let Ok(observer) = IntersectionObserver::new_with_options(callback.as_ref().unchecked_ref(), &init) else {
                return;
            };
            observer.observe(&el);
            held.try_set_value(Some(SendWrapper::new((observer, callback))));
        });
    });
}

#[component]
fn PageCanvas(page: PageSummary) -> impl IntoView {
    let review = expect_context::<Review>();
    let lang = review.session.lang;
    let index = page.number - 1;
    let size = page.original_size;
    let el = NodeRef::<Div>::new();
    let near = RwSignal::new(false);
    let detail = RwSignal::new(None::<PageDetail>);
    watch_nearness(el, near);

    // Page detail (the words) while near, released when far.
    Effect::new(move || {
        if !near.get() {
            detail.set(None);
            return;
        }
        let (s, doc, number) = (review.session, review.document.get_untracked(), page.number);
        spawn_local(async move {
            match client::page(s, doc, number).await {
                Ok(d) if near.try_get_untracked() == Some(true) => drop(detail.try_set(Some(d))),
                Ok(_) => {}
                Err(e) => review.notice.show(e),
            }
        });
    });

    let boxes = Memo::new(move |_| {
        review.tree.with(|t| {
            t.annotations()
                .flat_map(|p| {
                    SpanBox::all(&p.annotation.span)
                        .into_iter()
                        .filter(|b| b.page_index == index)
                        .map(|b| (p.annotation.id, p.label.id, p.label.name.clone(), b.rect(), p.annotation.state()))
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        })
    });
    let overlays = move || {
        boxes
            .get()
            .into_iter()
            .map(|(id, label, name, rect, state)| {
                let selected = move || review.selected.with(|s| *s == Some(Row::Annotation(id)));
                view! {
                    <div
                        class="ann-box"
                        class:selected=selected
                        data-test="overlay"
                        data-id=id
                        data-state=state.code()
                        title=name
                        style=format!("{};--label:{}", percent_style(rect, size), label_colour(label))
                        on:mousedown=|e: MouseEvent| e.stop_propagation()
                        on:click=move |_| review.select(Row::Annotation(id), false)
                    ></div>
                }
            })
            .collect_view()
    };
    let hits = move || {
        let current = review.hit.get();
        review.hits.with(|hits| {
            hits.iter()
                .enumerate()
                .map(|(i, h)| (i, SpanBox::from(h)))
                .filter(|(_, b)| b.page_index == index)
                .map(|(i, b)| {
                    let style = percent_style(b.rect(), size);
                    view! { <div class="hit" class:current=i == current data-test="hit" style=style></div> }
                })
                .collect_view()
        })
    };
    let words = move || {
        if !review.writable() {
            return Vec::new();
        }
        detail.with(|d| d.as_ref().map(|d| d.entities.clone()).unwrap_or_default())
    };

    // Drawing: a drag from `start` to `end`, in pixels from the page's top-left corner.
    let drag = RwSignal::new(None::<([f64; 2], [f64; 2])>);
    let dragged = StoredValue::new(false);
    let point = move |e: &MouseEvent| -> Option<[f64; 2]> {
        let r = el.get_untracked()?.get_bounding_client_rect();
        Some([e.client_x() as f64 - r.left(), e.client_y() as f64 - r.top()])
    };
    let start_drag = move |e: MouseEvent| {
        dragged.set_value(false);
        if e.button() == 0 && review.writable() {
            if let Some(p) = point(&e) {
                e.prevent_default();
                drag.set(Some((p, p)));
            }
        }
    };
    let move_drag = move |e: MouseEvent| {
        if drag.with_untracked(Option::is_some) {
            if let Some(p) = point(&e) {
                drag.update(|d| {
                    if let Some(d) = d {
                        d.1 = p;
                    }
                });
            }
        }
    };
    let end_drag = move |e: MouseEvent| {
        let Some((start, _)) = drag.get_untracked() else { return };
        drag.set(None);
        let (Some(end), Some(page_el)) = (point(&e), el.get_untracked()) else { return };
        let big = (start[0] - end[0]).abs() > MIN_DRAG_PX && (start[1] - end[1]).abs() > MIN_DRAG_PX;
        dragged.set_value(big);
        if big {
            let r = page_el.get_bounding_client_rect();
            let entities = detail.with_untracked(|d| d.as_ref().map(|d| d.entities.clone()).unwrap_or_default());
            review.from_drawn(start, end, [r.width(), r.height()], size, index, &entities);
        }
    };
    let drag_style = move || {
        drag.get().map(|(a, b)| {
            format!(
                "left:{}px;top:{}px;width:{}px;height:{}px",
                a[0].min(b[0]),
                a[1].min(b[1]),
                (a[0] - b[0]).abs(),
                (a[1] - b[1]).abs()
            )
        })
    };

    let alt = Signal::derive(move || format!("{} {}", lang.get().text(Key::Page), page.number));
    let image = page.image_url.clone();
    view! {
        <div
            class="page"
            id=format!("review-page-{index}")
            data-test="page"
            data-number=page.number
            data-loaded=move || detail.with(Option::is_some).to_string()
            node_ref=el
            style=move || {
                let zoom = review.zoom.get();
                format!("width:{:.1}px;height:{:.1}px", size[0] * zoom, size[1] * zoom)
            }
            on:mousedown=start_drag
            on:mousemove=move_drag
            on:mouseup=end_drag
            on:mouseleave=move |_| drag.set(None)
        >
            <Show when=move || near.get()>
                <PageImage path=image.clone() alt=alt class="page-image" />
                {overlays}
                <For each=words key=|w| w.start_offset let:word>
                    {
                        let chosen_offset = word.start_offset;
                        let style = percent_style(
                            lectern_api::geometry::Rect { x0: word.x0, x1: word.x1, y0: word.y0, y1: word.y1 },
                            size,
                        );
                        let chosen = move || review.words.with(|w| w.iter().any(|x| x.start_offset == chosen_offset));
                        view! {
                            <div
                                class="word"
                                class:chosen=chosen
                                data-test="word"
                                data-text=word.offset_string.clone()
                                style=style
                                on:click=move |_| {
                                    if !std::mem::take(&mut *dragged.write_value()) {
                                        review.toggle_word(word.clone());
                                    }
                                }
                            ></div>
                        }
                    }
                </For>
                {hits}
            </Show>
            {move || drag_style().map(|style| view! { <div class="drawing" data-test="drawing" style=style></div> })}
        </div>
    }
}

/// Every page, one under the other, in a scroll container that keeps "fit to width" when resized.
#[component]
pub fn PageViewer() -> impl IntoView {
    let review = expect_context::<Review>();
    let container = NodeRef::<Div>::new();
    let pages = move || review.detail.with(|d| d.as_ref().map(|d| d.pages.clone()).unwrap_or_default());
    let fit_now = move || {
        if !review.fit.get_untracked() {
            return;
        }
        let widest = review.detail.with_untracked(|d| {
            d.as_ref().map(|d| d.pages.iter().map(|p| p.original_size[0]).fold(0.0, f64::max)).unwrap_or(0.0)
        });
        if let Some(el) = container.get_untracked() {
            review.zoom.set(fit_zoom(el.client_width() as f64 - 32.0, widest));
        }
    };
    Effect::new(move || {
        review.fit.track();
        fit_now();
    });
    // Measured a frame after mounting, once the container has its width.
    container.on_load(move |_| request_animation_frame(fit_now));
    let resize = window_event_listener(ev::resize, move |_| fit_now());
    on_cleanup(move || resize.remove());
    view! {
        // Focusable, so that the pages scroll by keyboard too.
        <div id="review-pages" class="review-pages" node_ref=container data-test="pages" tabindex="0"
            role="region" aria-label=tr(Key::Pages)>
            <For each=pages key=|p| p.id let:page>
                <PageCanvas page />
            </For>
        </div>
    }
}

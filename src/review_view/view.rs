//! The review view of one document: pages with overlays, the annotation panel and the review toolbar, with the
//! keyboard shortcuts, the selection and scrolling to what is selected.

use lectern_api::documents::{status, DocumentWrite};
use lectern_api::geometry::Rect;
use leptos::ev;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use wasm_bindgen::{JsCast, JsValue};

use super::state::{processing, Review};
use crate::components::annotation_panel::AnnotationPanel;
use crate::components::label_picker::{HelpSheet, LabelPicker};
use crate::components::notice::use_notice;
use crate::components::page_canvas::PageViewer;
use crate::components::review_toolbar::{PageTools, ReviewToolbar};
use crate::components::thumbnails::Thumbnails;
use crate::i18n::{tr, Key};
use crate::review::geometry::{percent_box, SpanBox};
use crate::review::keys::{shortcut, Shortcut};
use crate::review::model::{annotation_from_hash, step, Row};
use crate::review::options::ViewOptions;
use crate::session::use_session;

impl Review {
    /// Selects the annotation of a `#ann{id}` deep link once the pages are laid out: two frames on, after the
    /// page viewer's first frame has fitted the zoom to its width.
    pub(super) fn follow_hash(self) {
        let Some(id) = window().location().hash().ok().and_then(|h| annotation_from_hash(&h)) else { return };
        request_animation_frame(move || request_animation_frame(move || self.select(Row::Annotation(id), true)));
    }

    /// Selects a row of the panel; an annotation's overlay is scrolled into view when `scroll` and the URL names it.
    pub fn select(self, row: Row, scroll: bool) {
        if let Row::Annotation(id) = row {
            let _ = window()
                .history()
                .and_then(|h| h.replace_state_with_url(&JsValue::NULL, "", Some(&format!("#ann{id}"))));
            if scroll {
                self.scroll_to_annotation(id);
            }
        }
        let key = match &row {
            Row::Annotation(id) => format!("ann{id}"),
            Row::Label { set, label } => format!("label-{set}-{label}"),
        };
        self.selected.set(Some(row));
        // The panel row comes into view and takes the focus: an annotation's text button, where Enter accepts,
        // or the row of an empty label itself, so that the focus always shows where the keyboard acts.
        if let Some(el) = document().query_selector(&format!("[data-row='{key}']")).ok().flatten() {
            el.unchecked_ref::<web_sys::HtmlElement>().scroll_into_view_with_bool(false);
            let target = el.query_selector(".annotation-text").ok().flatten().unwrap_or(el);
            let _ = target.unchecked_into::<web_sys::HtmlElement>().focus();
        }
    }

    fn scroll_to_annotation(self, id: i64) {
        let first =
            self.tree.with_untracked(|t| t.find(id).and_then(|p| SpanBox::all(&p.annotation.span).first().copied()));
        if let Some(b) = first {
            self.scroll_to(b.page_index, Some(b.rect()));
        }
    }

    /// Scrolls the pages so that `rect` (or the page's top) of page `index` is in view.
    pub fn scroll_to(self, index: u32, rect: Option<Rect>) {
        let Some(size) = self.detail.with_untracked(|d| d.as_ref()?.pages.get(index as usize).map(|p| p.original_size))
        else {
            return;
        };
        let doc = document();
        let (Some(page), Some(pages)) =
            (doc.get_element_by_id(&format!("review-page-{index}")), doc.get_element_by_id("review-pages"))
        else {
            return;
        };
        let page: web_sys::HtmlElement = page.unchecked_into();
        let [left, top, ..] = rect.map(|r| percent_box(r, size)).unwrap_or([0.0; 4]);
        let y = page.offset_top() as f64 + page.offset_height() as f64 * top / 100.0 - 80.0;
        let x = page.offset_left() as f64 + page.offset_width() as f64 * left / 100.0 - 40.0;
        pages.set_scroll_top(y.max(0.0) as i32);
        pages.set_scroll_left(x.max(0.0) as i32);
    }

    /// Moves the selection through the panel's rows and scrolls to it.
    pub fn step_selection(self, delta: isize) {
        let rows = self.tree.with_untracked(|t| self.filter.with_untracked(|f| t.rows(f)));
        let current = self.selected.get_untracked();
        if let Some(row) = step(&rows, current.as_ref(), delta) {
            self.select(row, true);
        }
    }

    fn on_key(self, ev: web_sys::KeyboardEvent) {
        let in_field = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        let Some(key) = shortcut(&ev.key(), ev.ctrl_key() || ev.meta_key(), ev.shift_key(), in_field) else { return };
        let on_button = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlButtonElement>().ok())
            .is_some_and(|b| !b.class_list().contains("annotation-text"));
        let writable = self.writable() && self.draft.with_untracked(Option::is_none);
        match key {
            Shortcut::Next => self.step_selection(1),
            Shortcut::Previous => self.step_selection(-1),
            // Enter on a focused button presses that button.
            Shortcut::Accept if on_button || !writable => return,
            Shortcut::Accept => match self.selected.get_untracked() {
                Some(Row::Annotation(id))
                    if self
                        .tree
                        .with_untracked(|t| t.find(id).is_some_and(|p| p.annotation.state().needs_feedback())) =>
                {
                    self.accept(id)
                }
                _ => return,
            },
            Shortcut::MarkMissing if !writable => return,
            Shortcut::MarkMissing => match self.selected.get_untracked() {
                Some(Row::Label { set, label }) => self.mark_missing(set, vec![label]),
                Some(Row::Annotation(id)) => self.decline(id),
                None => return,
            },
            Shortcut::Cancel => {
                self.draft.set(None);
                self.help.set(false);
                self.words.set(Vec::new());
            }
            Shortcut::Help => self.help.update(|h| *h = !*h),
            Shortcut::Undo | Shortcut::Redo if !writable => return,
            Shortcut::Undo => self.undo(),
            Shortcut::Redo => self.redo(),
        }
        ev.prevent_default();
    }
}

/// The review view of one document, shown as `options` say: the full review, the public read-only view or embedded.
#[component]
pub fn DocumentReview(#[prop(into)] document: Signal<i64>, options: ViewOptions) -> impl IntoView {
    let review = Review::new(use_session(), use_notice(), document, options.clone());
    provide_context(review);
    Effect::new(move || {
        document.track();
        review.open();
    });
    let keys = window_event_listener(ev::keydown, move |e| review.on_key(e));
    on_cleanup(move || keys.remove());
    // A document waiting for split confirmation (status 41) is confirmed in the edit mode, which shows the
    // proposed split; DVUI opens its split dialog at once too (§7.5). Read-only views stay.
    let navigate = use_navigate();
    Effect::new(move || {
        let waiting = review.detail.with(|d| {
            d.as_ref().filter(|d| d.document.status_data == status::WAITING_FOR_SPLIT).map(|d| d.document.project)
        });
        if let (Some(project), false) = (waiting, review.read_only_mode()) {
            let edit = format!("/projects/{project}/documents/{}/edit", review.doc());
            navigate(&edit, NavigateOptions { replace: true, ..Default::default() });
        }
    });

    let state = move || {
        review.detail.with(|d| match d {
            None if review.unavailable.with(Option::is_some) => "unavailable",
            None => "loading",
            Some(d) if d.document.status_data == status::ERROR => "error",
            Some(d) if processing(d) => "processing",
            Some(_) => "ready",
        })
    };
    let reviewed = move || review.detail.with(|d| d.as_ref().is_some_and(|d| d.document.is_reviewed));
    view! {
        <div class="review" class:chrome-hidden=options.hide_chrome data-test="review" data-state=state>
            <ReviewToolbar />
            <Show when=reviewed>
                <div class="banner reviewed" role="status" data-test="reviewed-banner">
                    <span>{tr(Key::ReviewFinished)}</span>
                    <Show when=move || !review.read_only_mode()>
                        <button
                            type="button"
                            data-test="reopen"
                            on:click=move |_| {
                                review.update_document(DocumentWrite { is_reviewed: Some(false), ..Default::default() })
                            }
                        >
                            {tr(Key::Reopen)}
                        </button>
                    </Show>
                </div>
            </Show>
            {move || match state() {
                "loading" => view! { <p class="muted">{tr(Key::Loading)}</p> }.into_any(),
                "processing" => {
                    view! { <p class="muted" data-test="processing" role="status">{tr(Key::DocumentProcessing)}</p> }
                        .into_any()
                }
                "unavailable" => {
                    let why = review.unavailable.get().map(|e| e.message(review.session.lang.get())).unwrap_or_default();
                    view! {
                        <div class="notice" data-test="unavailable" role="alert">
                            <p>{tr(Key::DocumentUnavailable)}</p>
                            <p class="why">{why}</p>
                        </div>
                    }
                    .into_any()
                }
                "error" => {
                    view! { <p class="notice" data-test="processing-error" role="alert">{tr(Key::DocumentFailed)}</p> }
                        .into_any()
                }
                _ => ().into_any(),
            }}
            <div class="review-body">
                <Show when=move || options.show_thumbnails && state() == "ready">
                    <Thumbnails />
                </Show>
                <Show when=move || state() == "ready">
                    <div class="page-column">
                        <PageTools />
                        <PageViewer />
                    </div>
                </Show>
                <Show when=move || options.show_panel && state() == "ready">
                    <AnnotationPanel />
                </Show>
            </div>
            <LabelPicker />
            <HelpSheet />
        </div>
    }
}

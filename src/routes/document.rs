//! The document review view: pages with overlays, the annotation panel and the review toolbar for one document,
//! with optimistic actions that roll back when refused, undo/redo and the keyboard shortcuts.

use std::time::Duration;

use lectern_api::annotations::{AnnotationNested, BulkUpdate, MissingAnnotationWrite};
use lectern_api::documents::{status, DocumentDetail, DocumentWrite};
use lectern_api::geometry::{Entity, PageBox};
use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use leptos_router::NavigateOptions;
use serde_json::{json, Value};
use wasm_bindgen::{JsCast, JsValue};

use crate::client::{self, ApiError};
use crate::components::annotation_panel::AnnotationPanel;
use crate::components::label_picker::{HelpSheet, LabelPicker};
use crate::components::notice::{use_notice, Notice};
use crate::components::page_canvas::PageViewer;
use crate::components::review_toolbar::ReviewToolbar;
use crate::components::thumbnails::Thumbnails;
use crate::i18n::{tr, Key};
use crate::review::geometry::{drawn_box, percent_box, words_inside, SpanBox};
use crate::review::keys::{shortcut, Shortcut};
use crate::review::model::{annotation_from_hash, step, Filter, ReviewState, Row, Tree};
use crate::review::options::ViewOptions;
use crate::review::undo::{Call, Step, UndoStack};
use crate::session::{use_session, Session};

const FIRST_POLL_MS: u64 = 1_000;
const MAX_POLL_MS: u64 = 10_000;

/// A new annotation waiting for its label: the spans under the selection (none: the reviewer types the value).
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub spans: Vec<Value>,
    pub selection_bbox: Option<PageBox>,
}

/// Where a new annotation goes: an existing annotation set, or a new set of a label set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    Set(i64),
    NewSet(i64),
}

/// The review view's state, shared by its parts through the context.
#[derive(Clone, Copy)]
pub struct Review {
    pub session: Session,
    pub notice: Notice,
    pub document: Signal<i64>,
    pub options: StoredValue<ViewOptions>,
    pub detail: RwSignal<Option<DocumentDetail>>,
    pub tree: RwSignal<Tree>,
    pub filter: RwSignal<Filter>,
    pub selected: RwSignal<Option<Row>>,
    /// 1.0 = 100 %: a page point is a CSS pixel.
    pub zoom: RwSignal<f64>,
    pub fit: RwSignal<bool>,
    /// Words clicked into the selection.
    pub words: RwSignal<Vec<Entity>>,
    pub draft: RwSignal<Option<Draft>>,
    pub hits: RwSignal<Vec<Value>>,
    pub hit: RwSignal<usize>,
    pub undo: RwSignal<UndoStack>,
    pub help: RwSignal<bool>,
    /// Writes sent and not answered yet; a refresh answered meanwhile is stale and is redone after them.
    writes: StoredValue<u32>,
    stale: StoredValue<bool>,
    poll_ms: StoredValue<u64>,
}

/// Runs one write; answers the ids of what it created.
async fn run(s: Session, document: i64, call: &Call) -> Result<Vec<i64>, ApiError> {
    Ok(match call {
        Call::Patch { id, body } => client::update_annotation(s, *id, body.clone()).await.map(|_| Vec::new())?,
        Call::Delete { id } => client::delete_annotation(s, *id).await.map(|_| Vec::new())?,
        Call::Create { body } => vec![client::create_annotation(s, body.clone()).await?.nested.id],
        Call::Bulk { ids, is_correct, revised } => {
            let write = BulkUpdate { ids: ids.clone(), is_correct: Some(*is_correct), revised: Some(*revised) };
            client::update_annotations(s, document, write).await.map(|_| Vec::new())?
        }
        Call::MarkMissing { entries } => {
            client::create_missing_annotations(s, entries).await?.into_iter().map(|m| m.id).collect()
        }
        Call::Restore { ids } => {
            for id in ids {
                client::delete_missing_annotation(s, *id).await?;
            }
            Vec::new()
        }
    })
}

/// Whether the document is still being processed (§7.5): neither done, failed nor waiting for a split decision.
fn processing(d: &DocumentDetail) -> bool {
    !matches!(d.document.status_data, status::DONE | status::ERROR | status::WAITING_FOR_SPLIT)
}

impl Review {
    fn new(session: Session, notice: Notice, document: Signal<i64>, options: ViewOptions) -> Review {
        let filter = Filter {
            feedback_only: options.feedback_only,
            show_missing: options.show_missing,
            show_accepted: options.show_accepted,
            text: String::new(),
        };
        Review {
            session,
            notice,
            document,
            options: StoredValue::new(options),
            detail: RwSignal::new(None),
            tree: RwSignal::new(Tree::default()),
            filter: RwSignal::new(filter),
            selected: RwSignal::new(None),
            zoom: RwSignal::new(1.0),
            fit: RwSignal::new(true),
            words: RwSignal::new(Vec::new()),
            draft: RwSignal::new(None),
            hits: RwSignal::new(Vec::new()),
            hit: RwSignal::new(0),
            undo: RwSignal::new(UndoStack::default()),
            help: RwSignal::new(false),
            writes: StoredValue::new(0),
            stale: StoredValue::new(false),
            poll_ms: StoredValue::new(FIRST_POLL_MS),
        }
    }

    pub fn read_only_mode(self) -> bool {
        self.options.with_value(|o| o.read_only)
    }

    /// Whether write controls are shown: not in read-only mode, and not once the review is finished.
    pub fn writable(self) -> bool {
        !self.read_only_mode() && self.detail.with(|d| d.as_ref().is_some_and(|d| !d.document.is_reviewed))
    }

    fn doc(self) -> i64 {
        self.document.get_untracked()
    }

    /// Everything back to a fresh view of `document`, then loads it.
    fn open(self) {
        self.detail.set(None);
        self.tree.set(Tree::default());
        self.selected.set(None);
        self.words.set(Vec::new());
        self.draft.set(None);
        self.hits.set(Vec::new());
        self.undo.set(UndoStack::default());
        self.poll_ms.set_value(FIRST_POLL_MS);
        self.refresh_then(true);
    }

    /// Loads document detail (and, unless read-only, the missing-annotation records) into the view.
    pub fn refresh(self) {
        self.refresh_then(false)
    }

    fn refresh_then(self, first: bool) {
        let (s, id) = (self.session, self.doc());
        let read_only = self.read_only_mode();
        spawn_local(async move {
            let detail = client::document(s, id).await;
            let missing = match (&detail, read_only) {
                (Ok(d), false) if !processing(d) => client::missing_annotations(s, id).await,
                _ => Ok(Vec::new()),
            };
            if self.document.try_get_untracked() != Some(id) {
                return;
            }
            if self.writes.try_get_value().unwrap_or(0) > 0 {
                self.stale.try_set_value(true);
                return;
            }
            match (detail, missing) {
                (Ok(d), Ok(missing)) => {
                    self.tree.set(Tree::build(&d.annotation_sets, &missing));
                    let busy = processing(&d);
                    self.detail.set(Some(d));
                    if busy {
                        self.poll();
                    } else if first {
                        self.follow_hash();
                    }
                }
                (Err(e), _) | (_, Err(e)) => self.notice.show(e),
            }
        });
    }

    /// Asks again while the document is processed, waiting longer each time.
    fn poll(self) {
        let delay = self.poll_ms.get_value();
        self.poll_ms.set_value((delay * 2).min(MAX_POLL_MS));
        let id = self.doc();
        set_timeout(
            move || {
                if self.document.try_get_untracked() == Some(id) {
                    self.refresh_then(true);
                }
            },
            Duration::from_millis(delay),
        );
    }

    /// Selects the annotation of a `#ann{id}` deep link once the pages are laid out: two frames on, after the
    /// page viewer's first frame has fitted the zoom to its width.
    fn follow_hash(self) {
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
    pub fn scroll_to(self, index: u32, rect: Option<lectern_api::geometry::Rect>) {
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

    /// Changes the view at once, sends the call, and records the step for undo; a refused call puts the view
    /// back as the server has it and says why.
    fn act(self, change: impl FnOnce(&mut Tree), forward: Call, inverse: impl FnOnce(&[i64]) -> Call + 'static) {
        let before = self.tree.get_untracked();
        self.tree.update(change);
        self.notice.clear();
        self.writes.update_value(|w| *w += 1);
        let (s, doc) = (self.session, self.doc());
        spawn_local(async move {
            let result = run(s, doc, &forward).await;
            if self.writes.try_update_value(|w| *w -= 1).is_none() {
                return; // The view is gone.
            }
            let mut resync = self.stale.try_update_value(std::mem::take).unwrap_or(false);
            match result {
                Ok(created) => {
                    resync |= !created.is_empty();
                    let inverse = inverse(&created);
                    self.undo.update(|u| u.record(Step { forward, inverse }));
                }
                Err(e) => {
                    self.tree.set(before);
                    self.notice.show(e);
                    resync = true;
                }
            }
            if resync {
                self.refresh();
            }
        });
    }

    fn annotation(self, id: i64) -> Option<(AnnotationNested, String, i64, Option<i64>, i64)> {
        self.tree.with_untracked(|t| {
            t.find(id).map(|p| (p.annotation.clone(), p.set.key(), p.label.id, p.set.id, p.set.label_set.id))
        })
    }

    pub fn accept(self, id: i64) {
        let Some((a, ..)) = self.annotation(id) else { return };
        let change = move |t: &mut Tree| {
            if let Some(a) = t.annotation_mut(id) {
                (a.revised, a.is_correct) = (true, true);
            }
        };
        let back = review_state_call(&a);
        self.act(change, Call::accept(id, &a.span), move |_| back);
    }

    /// DVUI's decline: DELETE. An AI suggestion stays as declined (undo: its old state back); a person's
    /// annotation is gone (undo: made again).
    pub fn decline(self, id: i64) {
        let Some((a, _, label, set, label_set)) = self.annotation(id) else { return };
        let inverse = if a.created_by.is_some() || a.origin != "extraction" {
            let mut body = json!({"document": self.doc(), "label": label, "span": a.span, "is_correct": a.is_correct,
                                  "revised": a.revised});
            match set {
                Some(set) => body["annotation_set"] = json!(set),
                None => body["label_set"] = json!(label_set),
            }
            if let Some(b) = &a.selection_bbox {
                body["selection_bbox"] = json!(b);
            }
            Call::Create { body }
        } else {
            review_state_call(&a)
        };
        if self.selected.get_untracked() == Some(Row::Annotation(id)) {
            self.step_selection(1);
        }
        self.act(move |t| drop(t.remove(id)), Call::Delete { id }, move |_| inverse);
    }

    /// Saves an edited text: the first span carries it, and the annotation counts as accepted.
    pub fn edit(self, id: i64, text: String) {
        let Some((a, ..)) = self.annotation(id) else { return };
        let mut span = a.span.clone();
        if let Some(first) = span.first_mut() {
            first.offset_string = text.clone();
        }
        let forward = Call::Patch { id, body: json!({"is_correct": true, "revised": true, "span": span}) };
        let inverse =
            Call::Patch { id, body: json!({"is_correct": a.is_correct, "revised": a.revised, "span": a.span}) };
        let change = move |t: &mut Tree| {
            if let Some(a) = t.annotation_mut(id) {
                (a.revised, a.is_correct, a.offset_string) = (true, true, text);
            }
        };
        self.act(change, forward, move |_| inverse);
    }

    pub fn accept_all(self, set_key: String) {
        let ids = self.tree.with_untracked(|t| t.pending_in(&set_key));
        if ids.is_empty() {
            return;
        }
        let accepted = ids.clone();
        let change = move |t: &mut Tree| {
            for id in &accepted {
                if let Some(a) = t.annotation_mut(*id) {
                    (a.revised, a.is_correct) = (true, true);
                }
            }
        };
        let inverse = Call::Bulk { ids: ids.clone(), is_correct: false, revised: false };
        self.act(change, Call::Bulk { ids, is_correct: true, revised: true }, move |_| inverse);
    }

    fn missing_entry(self, set_key: &str, label: i64) -> Option<MissingAnnotationWrite> {
        self.tree.with_untracked(|t| {
            let set = t.sets.iter().find(|s| s.key() == set_key)?;
            Some(MissingAnnotationWrite {
                document: self.doc(),
                label,
                label_set: set.label_set.id,
                annotation_set: set.id,
            })
        })
    }

    /// Marks labels of a set "not found".
    pub fn mark_missing(self, set_key: String, labels: Vec<i64>) {
        let entries: Vec<MissingAnnotationWrite> =
            labels.iter().filter_map(|l| self.missing_entry(&set_key, *l)).collect();
        if entries.is_empty() {
            return;
        }
        let change = move |t: &mut Tree| {
            for label in &labels {
                if let Some(row) = t.label_mut(&set_key, *label) {
                    row.missing = Some(0);
                }
            }
        };
        self.act(change, Call::MarkMissing { entries }, |created| Call::Restore { ids: created.to_vec() });
    }

    pub fn mark_all_missing(self, set_key: String) {
        let labels = self.tree.with_untracked(|t| t.unfilled_in(&set_key));
        self.mark_missing(set_key, labels);
    }

    /// Takes back a "not found" mark.
    pub fn restore(self, set_key: String, label: i64) {
        let Some(id) = self.tree.with_untracked(|t| {
            t.sets.iter().find(|s| s.key() == set_key)?.labels.iter().find(|l| l.id == label)?.missing
        }) else {
            return;
        };
        let Some(entry) = self.missing_entry(&set_key, label) else { return };
        let change = move |t: &mut Tree| {
            if let Some(row) = t.label_mut(&set_key, label) {
                row.missing = None;
            }
        };
        self.act(change, Call::Restore { ids: vec![id] }, move |_| Call::MarkMissing { entries: vec![entry] });
    }

    /// Toggles a clicked word in or out of the selection.
    pub fn toggle_word(self, word: Entity) {
        self.words.update(|w| match w.iter().position(|x| x.start_offset == word.start_offset) {
            Some(i) => drop(w.remove(i)),
            None => w.push(word),
        });
    }

    /// Asks the server for the text in `boxes` and opens the label picker with it.
    fn draft_from(self, boxes: Value, selection_bbox: Option<PageBox>) {
        let (s, doc) = (self.session, self.doc());
        self.notice.clear();
        spawn_local(async move {
            match client::bbox_spans(s, doc, boxes).await {
                Ok(spans) => self.draft.set(Some(Draft { spans, selection_bbox })),
                Err(e) => self.notice.show(e),
            }
        });
    }

    /// A rectangle drawn on page `index`: the words inside it are sent, or the box itself when there are none.
    pub fn from_drawn(
        self,
        start: [f64; 2],
        end: [f64; 2],
        shown: [f64; 2],
        page: [f64; 2],
        index: u32,
        words: &[Entity],
    ) {
        let drawn = drawn_box(start, end, shown, page, index);
        let inside: Vec<Value> = words_inside(words, &drawn).into_iter().map(|e| json!(e)).collect();
        let boxes = if inside.is_empty() { json!([drawn]) } else { Value::Array(inside) };
        self.draft_from(boxes, Some(drawn));
    }

    pub fn from_words(self) {
        let words = self.words.get_untracked();
        if !words.is_empty() {
            self.draft_from(json!(words), None);
        }
    }

    /// Opens the label picker for the current search hit; its span goes to the server unchanged.
    pub fn from_hit(self) {
        let hit = self.hits.with_untracked(|h| h.get(self.hit.get_untracked()).cloned());
        if let Some(hit) = hit {
            self.draft.set(Some(Draft { spans: vec![hit], selection_bbox: None }));
        }
    }

    /// `POST annotations/` for the draft; `text` is the typed value when no text lies under the drawn box.
    pub fn create(self, target: Target, label: i64, text: String) {
        let Some(draft) = self.draft.get_untracked() else { return };
        let spans = match (&draft.selection_bbox, draft.spans.is_empty()) {
            (Some(b), true) => vec![json!({"x0": b.x0, "x1": b.x1, "y0": b.y0, "y1": b.y1, "page_index": b.page_index,
                                           "offset_string": text})],
            _ => draft.spans.clone(),
        };
        let mut body =
            json!({"document": self.doc(), "label": label, "span": spans, "is_correct": true, "revised": false});
        match target {
            Target::Set(id) => body["annotation_set"] = json!(id),
            Target::NewSet(id) => body["label_set"] = json!(id),
        }
        if let Some(b) = &draft.selection_bbox {
            body["selection_bbox"] = json!(b);
        }
        let s = self.session;
        self.notice.clear();
        spawn_local(async move {
            match client::create_annotation(s, body.clone()).await {
                Ok(created) => {
                    let id = created.nested.id;
                    self.undo
                        .update(|u| u.record(Step { forward: Call::Create { body }, inverse: Call::Delete { id } }));
                    self.draft.set(None);
                    self.words.set(Vec::new());
                    self.selected.set(Some(Row::Annotation(id)));
                    self.refresh();
                }
                Err(e) => self.notice.show(e),
            }
        });
    }

    pub fn undo(self) {
        let Some(step) = self.undo.try_update(|u| u.take_undo()).flatten() else { return };
        let (s, doc) = (self.session, self.doc());
        self.notice.clear();
        spawn_local(async move {
            match run(s, doc, &step.inverse).await {
                Ok(created) => self.undo.update(|u| u.undone(step, &created)),
                Err(e) => {
                    self.undo.update(|u| u.undo_failed(step));
                    self.notice.show(e);
                }
            }
            self.refresh();
        });
    }

    pub fn redo(self) {
        let Some(step) = self.undo.try_update(|u| u.take_redo()).flatten() else { return };
        let (s, doc) = (self.session, self.doc());
        self.notice.clear();
        spawn_local(async move {
            match run(s, doc, &step.forward).await {
                Ok(created) => self.undo.update(|u| u.redone(step, &created)),
                Err(e) => {
                    self.undo.update(|u| u.redo_failed(step));
                    self.notice.show(e);
                }
            }
            self.refresh();
        });
    }

    /// `PATCH documents/{id}/`, then the view shows the document as the server answers.
    pub fn update_document(self, write: DocumentWrite) {
        self.notice.run(client::update_document(self.session, self.doc(), write), move |done| {
            if done.is_some() {
                self.undo.set(UndoStack::default());
                self.refresh();
            }
        });
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
                    if self.tree.with_untracked(|t| {
                        t.find(id).is_some_and(|p| ReviewState::of(p.annotation).needs_feedback())
                    }) =>
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

/// The PATCH that puts an annotation's review fields back as they are now.
fn review_state_call(a: &AnnotationNested) -> Call {
    Call::Patch { id: a.id, body: json!({"is_correct": a.is_correct, "revised": a.revised}) }
}

/// The review view of one document, shown as `options` say: the full review, the public read-only view or embedded.
#[component]
pub fn DocumentReview(#[prop(into)] document: Signal<i64>, options: ViewOptions) -> impl IntoView {
    let session = use_session();
    let review = Review::new(session, use_notice(), document, options.clone());
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
                    <PageViewer />
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

/// The route `/projects/:project/documents/:id`: the full review.
#[component]
pub fn DocumentPage() -> impl IntoView {
    let params = use_params_map();
    let document = Signal::derive(move || params.read().get("id").and_then(|id| id.parse().ok()).unwrap_or(0));
    view! { <DocumentReview document options=ViewOptions::default() /> }
}

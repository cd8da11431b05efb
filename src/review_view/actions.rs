//! The review actions: each changes the view at once, sends its typed call and is recorded for undo; a refused
//! call puts the view back as the server has it. Also the drafts of new annotations and document changes.

use lectern_api::annotations::AnnotationNested;
use lectern_api::documents::DocumentWrite;
use lectern_api::geometry::{Entity, PageBox};
use lectern_api::review::ACCEPT;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::state::Review;
use crate::client::{self, ApiError};
use crate::review::geometry::{drawn_box, words_inside};
use crate::review::model::{Row, Target, Tree};
use crate::review::steps::{create_body, Draft, Place};
use crate::review::undo::{Call, Step, UndoStack};
use crate::session::Session;

/// Runs one write; answers the ids of what it created.
async fn run(s: Session, document: i64, call: &Call) -> Result<Vec<i64>, ApiError> {
    Ok(match call {
        Call::Patch { id, body } => client::update_annotation(s, *id, body).await.map(|_| Vec::new())?,
        Call::Delete { id } => client::delete_annotation(s, *id).await.map(|_| Vec::new())?,
        Call::Create { body } => vec![client::create_annotation(s, body).await?.nested.id],
        Call::Bulk { body } => client::update_annotations(s, document, body).await.map(|_| Vec::new())?,
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

impl Review {
    /// Changes the view at once, sends the step's call, and records the step for undo, its inverse aimed at what
    /// the call created; a refused call puts the view back as the server has it and says why.
    fn act(self, change: impl FnOnce(&mut Tree), step: Step) {
        let before = self.tree.get_untracked();
        self.tree.update(change);
        self.notice.clear();
        self.writes.update_value(|w| *w += 1);
        let (s, doc) = (self.session, self.doc());
        spawn_local(async move {
            let result = run(s, doc, &step.forward).await;
            if self.writes.try_update_value(|w| *w -= 1).is_none() {
                return; // The view is gone.
            }
            let mut resync = self.stale.try_update_value(std::mem::take).unwrap_or(false);
            match result {
                Ok(created) => {
                    resync |= !created.is_empty();
                    let step = Step { inverse: step.inverse.aimed_at(&created), forward: step.forward };
                    self.undo.update(|u| u.record(step));
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

    /// An annotation as the view has it, and where it is.
    fn placed(self, id: i64) -> Option<(AnnotationNested, Place)> {
        let document = self.doc();
        self.tree.with_untracked(|t| {
            let p = t.find(id)?;
            Some((p.annotation.clone(), Place { document, label: p.label.id, target: p.set.target() }))
        })
    }

    pub fn accept(self, id: i64) {
        let Some((a, _)) = self.placed(id) else { return };
        let change = move |t: &mut Tree| {
            if let Some(a) = t.annotation_mut(id) {
                (a.is_correct, a.revised) = ACCEPT;
            }
        };
        self.act(change, Step::accept(&a));
    }

    /// Declines an annotation; it leaves the panel and the selection moves on.
    pub fn decline(self, id: i64) {
        let Some((a, place)) = self.placed(id) else { return };
        if self.selected.get_untracked() == Some(Row::Annotation(id)) {
            self.step_selection(1);
        }
        self.act(move |t| drop(t.remove(id)), Step::decline(&a, place));
    }

    /// Saves an edited text, which accepts the annotation.
    pub fn edit(self, id: i64, text: String) {
        let Some((a, _)) = self.placed(id) else { return };
        let step = Step::edit(&a, &text);
        let change = move |t: &mut Tree| {
            if let Some(a) = t.annotation_mut(id) {
                (a.is_correct, a.revised) = ACCEPT;
                a.offset_string = text;
            }
        };
        self.act(change, step);
    }

    pub fn accept_all(self, set_key: String) {
        let ids = self.tree.with_untracked(|t| t.pending_in(&set_key));
        if ids.is_empty() {
            return;
        }
        let step = Step::accept_all(ids.clone());
        let change = move |t: &mut Tree| {
            for id in &ids {
                if let Some(a) = t.annotation_mut(*id) {
                    (a.is_correct, a.revised) = ACCEPT;
                }
            }
        };
        self.act(change, step);
    }

    /// Marks labels of a set "not found".
    pub fn mark_missing(self, set_key: String, labels: Vec<i64>) {
        let document = self.doc();
        let entries = self.tree.with_untracked(|t| {
            let set = t.set(&set_key)?;
            Some(labels.iter().map(|label| set.missing_entry(document, *label)).collect::<Vec<_>>())
        });
        let Some(entries) = entries.filter(|e| !e.is_empty()) else { return };
        let change = move |t: &mut Tree| {
            for label in &labels {
                if let Some(row) = t.label_mut(&set_key, *label) {
                    row.missing = Some(0);
                }
            }
        };
        self.act(change, Step::mark_missing(entries));
    }

    pub fn mark_all_missing(self, set_key: String) {
        let labels = self.tree.with_untracked(|t| t.unfilled_in(&set_key));
        self.mark_missing(set_key, labels);
    }

    /// Takes back a "not found" mark.
    pub fn restore(self, set_key: String, label: i64) {
        let document = self.doc();
        let Some((id, entry)) = self.tree.with_untracked(|t| {
            let set = t.set(&set_key)?;
            Some((set.labels.iter().find(|l| l.id == label)?.missing?, set.missing_entry(document, label)))
        }) else {
            return;
        };
        let change = move |t: &mut Tree| {
            if let Some(row) = t.label_mut(&set_key, label) {
                row.missing = None;
            }
        };
        self.act(change, Step::restore(id, entry));
    }

    /// Toggles a clicked word in or out of the selection.
    pub fn toggle_word(self, word: Entity) {
        self.words.update(|w| match w.iter().position(|x| x.start_offset == word.start_offset) {
            Some(i) => drop(w.remove(i)),
            None => w.push(word),
        });
    }

    /// Asks the server for the text in `boxes` and opens the label picker with it.
    fn draft_from(self, boxes: Vec<PageBox>, selection_bbox: Option<PageBox>) {
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
        let inside: Vec<PageBox> = words_inside(words, &drawn).into_iter().map(PageBox::from).collect();
        let boxes = if inside.is_empty() { vec![drawn.clone()] } else { inside };
        self.draft_from(boxes, Some(drawn));
    }

    pub fn from_words(self) {
        let boxes: Vec<PageBox> = self.words.with_untracked(|w| w.iter().map(PageBox::from).collect());
        if !boxes.is_empty() {
            self.draft_from(boxes, None);
        }
    }

    /// Opens the label picker for the current search hit; its span goes to the server unchanged.
    pub fn from_hit(self) {
        let hit = self.hits.with_untracked(|h| h.get(self.hit.get_untracked()).cloned());
        if let Some(hit) = hit {
            self.draft.set(Some(Draft { spans: vec![hit], selection_bbox: None }));
        }
    }

    /// `POST annotations/` for the draft; `typed` is the value when no text lies under the drawn box.
    pub fn create(self, target: Target, label: i64, typed: String) {
        let Some(draft) = self.draft.get_untracked() else { return };
        let body = create_body(Place { document: self.doc(), label, target }, &draft, typed);
        let s = self.session;
        self.notice.clear();
        spawn_local(async move {
            match client::create_annotation(s, &body).await {
                Ok(created) => {
                    let id = created.nested.id;
                    self.undo.update(|u| u.record(Step::create(body, id)));
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
        self.replay(true);
    }

    pub fn redo(self) {
        self.replay(false);
    }

    /// Runs the last step's inverse (`back`, undo) or the last undone step again (redo), and moves it to the
    /// other stack, or back where it was if the server refuses.
    fn replay(self, back: bool) {
        let Some(step) = self.undo.try_update(|u| if back { u.take_undo() } else { u.take_redo() }).flatten() else {
            return;
        };
        let (s, doc) = (self.session, self.doc());
        self.notice.clear();
        spawn_local(async move {
            match run(s, doc, if back { &step.inverse } else { &step.forward }).await {
                Ok(created) if back => self.undo.update(|u| u.undone(step, &created)),
                Ok(created) => self.undo.update(|u| u.redone(step, &created)),
                Err(e) => {
                    self.undo.update(|u| if back { u.undo_failed(step) } else { u.redo_failed(step) });
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
}

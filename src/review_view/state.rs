//! The review view's state: the document with its annotation tree, and what the reviewer selects, draws and
//! searches; loaded when a document opens, after writes, and again while the document is processed.

use std::time::Duration;

use lectern_api::annotations::{MissingAnnotation, ReviewCounts};
use lectern_api::documents::{status, DocumentDetail};
use lectern_api::geometry::{Entity, Span};
use leptos::prelude::*;

use crate::client::{self, ApiError};
use crate::components::notice::Notice;
use crate::poll::{Backoff, Poll};
use crate::review::model::{Filter, Row, Tree};
use crate::review::options::ViewOptions;
use crate::review::steps::Draft;
use crate::review::undo::UndoStack;
use crate::session::Session;

/// A document being processed is read again after 1 s, then less and less often.
const POLL: Backoff = Backoff { first: Duration::from_secs(1), max: Duration::from_secs(10) };

/// The review view's state, shared by its parts through the context.
#[derive(Clone, Copy)]
pub struct Review {
    pub session: Session,
    pub notice: Notice,
    pub document: Signal<i64>,
    pub options: StoredValue<ViewOptions>,
    pub detail: RwSignal<Option<DocumentDetail>>,
    /// Why the document could not be loaded at all (not found, not public, no network).
    pub unavailable: RwSignal<Option<ApiError>>,
    pub tree: RwSignal<Tree>,
    /// The counters of what the tree shows.
    pub counts: Memo<ReviewCounts>,
    pub filter: RwSignal<Filter>,
    pub selected: RwSignal<Option<Row>>,
    /// 1.0 = 100 %: a page point is a CSS pixel.
    pub zoom: RwSignal<f64>,
    pub fit: RwSignal<bool>,
    /// Words clicked into the selection.
    pub words: RwSignal<Vec<Entity>>,
    pub draft: RwSignal<Option<Draft>>,
    pub hits: RwSignal<Vec<Span>>,
    pub hit: RwSignal<usize>,
    pub undo: RwSignal<UndoStack>,
    pub help: RwSignal<bool>,
    /// Writes sent and not answered yet; a load answered meanwhile is stale and is redone after them.
    pub(super) writes: StoredValue<u32>,
    pub(super) stale: StoredValue<bool>,
    loads: Poll,
    /// Whether an `#ann{id}` deep link is still to be followed once the document is ready.
    hash_pending: StoredValue<bool>,
}

/// Whether the document is still being processed (§7.5): neither done, failed nor waiting for a split decision.
pub fn processing(d: &DocumentDetail) -> bool {
    !matches!(d.document.status_data, status::DONE | status::ERROR | status::WAITING_FOR_SPLIT)
}

/// Document detail and, unless `read_only` or still processing, the document's missing-annotation records.
async fn load(s: Session, id: i64, read_only: bool) -> Result<(DocumentDetail, Vec<MissingAnnotation>), ApiError> {
    let detail = client::document(s, id).await?;
    let missing = match read_only || processing(&detail) {
        true => Vec::new(),
        false => client::missing_annotations(s, id).await?,
    };
    Ok((detail, missing))
}

impl Review {
    pub(super) fn new(session: Session, notice: Notice, document: Signal<i64>, options: ViewOptions) -> Review {
        let filter = Filter {
            feedback_only: options.feedback_only,
            show_missing: options.show_missing,
            show_accepted: options.show_accepted,
            text: String::new(),
        };
        let tree = RwSignal::new(Tree::default());
        Review {
            session,
            notice,
            document,
            options: StoredValue::new(options),
            detail: RwSignal::new(None),
            unavailable: RwSignal::new(None),
            tree,
            counts: Memo::new(move |_| tree.with(Tree::review_counts)),
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
            loads: Poll::new(POLL),
            hash_pending: StoredValue::new(false),
        }
    }

    pub fn read_only_mode(self) -> bool {
        self.options.with_value(|o| o.read_only)
    }

    /// Whether write controls act: not in read-only mode, not while the document is processed or failed, and not
    /// once the review is finished.
    pub fn writable(self) -> bool {
        !self.read_only_mode()
            && self
                .detail
                .with(|d| d.as_ref().is_some_and(|d| !d.document.is_reviewed && d.document.status_data == status::DONE))
    }

    pub(super) fn doc(self) -> i64 {
        self.document.get_untracked()
    }

    /// Everything back to a fresh view of `document`, then loads it.
    pub(super) fn open(self) {
        self.detail.set(None);
        self.unavailable.set(None);
        self.tree.set(Tree::default());
        self.selected.set(None);
        self.words.set(Vec::new());
        self.draft.set(None);
        self.hits.set(Vec::new());
        self.undo.set(UndoStack::default());
        self.hash_pending.set_value(true);
        self.refresh();
    }

    /// Loads the document into the view, and again while it is processed; a newer load supersedes this one.
    pub fn refresh(self) {
        let (s, id, read_only) = (self.session, self.doc(), self.read_only_mode());
        self.loads.start(move || load(s, id, read_only), move |loaded| self.show(loaded));
    }

    /// Shows a loaded document unless writes are under way (then it is loaded again after them); answers whether
    /// to load again.
    fn show(self, loaded: Result<(DocumentDetail, Vec<MissingAnnotation>), ApiError>) -> bool {
        if self.writes.try_get_value().unwrap_or(0) > 0 {
            self.stale.try_set_value(true);
            return false;
        }
        match loaded {
            Ok((detail, missing)) => {
                self.tree.set(Tree::build(&detail.annotation_sets, &missing));
                let busy = processing(&detail);
                self.detail.set(Some(detail));
                if !busy && self.hash_pending.try_update_value(std::mem::take).unwrap_or(false) {
                    self.follow_hash();
                }
                busy
            }
            // A document that never loaded says so in its place; a later failure goes to the banner.
            Err(e) if self.detail.with_untracked(Option::is_none) => {
                self.unavailable.set(Some(e));
                false
            }
            Err(e) => {
                self.notice.show(e);
                false
            }
        }
    }
}

//! Undo and redo of review actions: each action is an API call paired with the call that reverses it.

use lectern_api::annotations::{AnnotationWrite, BulkUpdate, MissingAnnotationWrite};

/// One write the review view makes.
#[derive(Debug, Clone, PartialEq)]
pub enum Call {
    /// `PATCH annotations/{id}/`.
    Patch { id: i64, body: AnnotationWrite },
    /// `DELETE annotations/{id}/`: an AI suggestion stays as declined, a person's annotation goes.
    Delete { id: i64 },
    /// `POST annotations/`; creates one annotation.
    Create { body: AnnotationWrite },
    /// `PATCH documents/{id}/update-annotations/`.
    Bulk { body: BulkUpdate },
    /// `POST missing-annotations/` with a list; creates one record per entry.
    MarkMissing { entries: Vec<MissingAnnotationWrite> },
    /// `DELETE missing-annotations/{id}/` for each id.
    Restore { ids: Vec<i64> },
}

impl Call {
    /// The same call aimed at objects made by its partner's latest run: after a create is redone (or a deletion
    /// undone by re-creating), the call that removes the object again must name the new ids.
    pub fn aimed_at(self, created: &[i64]) -> Call {
        match self {
            Call::Delete { id } => Call::Delete { id: created.first().copied().unwrap_or(id) },
            Call::Restore { .. } if !created.is_empty() => Call::Restore { ids: created.to_vec() },
            other => other,
        }
    }
}

/// An action as done, and how to take it back.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub forward: Call,
    pub inverse: Call,
}

/// The done and undone steps; the caller runs the calls and reports the ids they created.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UndoStack {
    done: Vec<Step>,
    undone: Vec<Step>,
}

impl UndoStack {
    /// A new action: it can be undone, and what was undone before can no longer be redone.
    pub fn record(&mut self, step: Step) {
        self.done.push(step);
        self.undone.clear();
    }

    pub fn can_undo(&self) -> bool {
        !self.done.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.undone.is_empty()
    }

    /// The step to undo: run its `inverse`, then report with `undone` (or `undo_failed`).
    pub fn take_undo(&mut self) -> Option<Step> {
        self.done.pop()
    }

    pub fn undone(&mut self, step: Step, created: &[i64]) {
        let forward = step.forward.aimed_at(created);
        self.undone.push(Step { forward, inverse: step.inverse });
    }

    pub fn undo_failed(&mut self, step: Step) {
        self.done.push(step);
    }

    /// The step to redo: run its `forward`, then report with `redone` (or `redo_failed`).
    pub fn take_redo(&mut self) -> Option<Step> {
        self.undone.pop()
    }

    pub fn redone(&mut self, step: Step, created: &[i64]) {
        let inverse = step.inverse.aimed_at(created);
        self.done.push(Step { forward: step.forward, inverse });
    }

    pub fn redo_failed(&mut self, step: Step) {
        self.undone.push(step);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(label: i64) -> AnnotationWrite {
        AnnotationWrite { label: Some(label), ..AnnotationWrite::default() }
    }

    fn create_step(id: i64) -> Step {
        Step { forward: Call::Create { body: label(1) }, inverse: Call::Delete { id } }
    }

    #[test]
    fn undo_then_redo_follows_new_ids() {
        let mut stack = UndoStack::default();
        assert!(!stack.can_undo() && !stack.can_redo());
        let pending = AnnotationWrite::review((false, false));
        stack.record(Step {
            forward: Call::Patch { id: 5, body: AnnotationWrite::review(lectern_api::review::ACCEPT) },
            inverse: Call::Patch { id: 5, body: pending.clone() },
        });
        stack.record(create_step(40));

        let step = stack.take_undo().unwrap();
        assert_eq!(step.inverse, Call::Delete { id: 40 });
        stack.undone(step, &[]);
        assert!(stack.can_redo());

        // Redoing the create makes annotation 41; undoing it again must delete 41, not 40.
        let step = stack.take_redo().unwrap();
        assert_eq!(step.forward, Call::Create { body: label(1) });
        stack.redone(step, &[41]);
        assert_eq!(stack.take_undo().unwrap().inverse, Call::Delete { id: 41 });

        let step = stack.take_undo().unwrap();
        assert_eq!(step.inverse, Call::Patch { id: 5, body: pending });
        assert!(!stack.can_undo());
    }

    #[test]
    fn undoing_a_deletion_by_recreating_aims_the_redo_at_the_copy() {
        let mut stack = UndoStack::default();
        stack.record(Step { forward: Call::Delete { id: 7 }, inverse: Call::Create { body: label(2) } });
        let step = stack.take_undo().unwrap();
        stack.undone(step, &[70]);
        assert_eq!(stack.take_redo().unwrap().forward, Call::Delete { id: 70 });
    }

    #[test]
    fn missing_marks_restore_the_records_made() {
        let entry = MissingAnnotationWrite { document: 1, label: 2, label_set: 3, annotation_set: Some(4) };
        let mut stack = UndoStack::default();
        stack.record(Step {
            forward: Call::MarkMissing { entries: vec![entry] },
            inverse: Call::Restore { ids: vec![9] },
        });
        let step = stack.take_undo().unwrap();
        stack.undone(step, &[]);
        let step = stack.take_redo().unwrap();
        stack.redone(step, &[12]);
        assert_eq!(stack.take_undo().unwrap().inverse, Call::Restore { ids: vec![12] });
    }

    #[test]
    fn a_new_action_drops_the_redo_history_and_failures_keep_the_step() {
        let mut stack = UndoStack::default();
        stack.record(create_step(1));
        let step = stack.take_undo().unwrap();
        stack.undo_failed(step);
        assert!(stack.can_undo() && !stack.can_redo());
        let step = stack.take_undo().unwrap();
        stack.undone(step, &[]);
        stack.record(create_step(2));
        assert!(!stack.can_redo());
    }
}

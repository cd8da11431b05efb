//! The edit mode's plan: pages in their new order with turns, split lines and a selection, and the postprocess
//! body it becomes (§15.1).

use std::collections::BTreeSet;

use lectern_api::documents::{PageRef, PostprocessPart, ProposedPart};

/// A page of the document being edited.
#[derive(Debug, Clone, PartialEq)]
pub struct EditPage {
    pub id: i64,
    /// Its number in the document as it is now (1-based).
    pub number: u32,
    /// Clockwise turn in degrees: 0, 90, 180 or 270.
    pub angle: i64,
}

/// The name and category of one output document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PartInfo {
    pub name: String,
    pub category: Option<i64>,
    /// The category candidates of the suggested split for this part, names with confidences 0 to 1.
    pub candidates: Vec<(String, f64)>,
}

/// Pages in their new order, where the document is cut, which pages are selected and which has the focus.
#[derive(Debug, Clone, PartialEq)]
pub struct EditPlan {
    pub pages: Vec<EditPage>,
    /// Cuts after these positions of `pages`.
    pub splits: BTreeSet<usize>,
    pub selected: BTreeSet<i64>,
    pub focus: usize,
}

impl EditPlan {
    /// The document's pages `(id, number)` as they are, uncut.
    pub fn new(pages: impl IntoIterator<Item = (i64, u32)>) -> EditPlan {
        let pages = pages.into_iter().map(|(id, number)| EditPage { id, number, angle: 0 }).collect();
        EditPlan { pages, splits: BTreeSet::new(), selected: BTreeSet::new(), focus: 0 }
    }

    /// Turns the selected pages, or all when none is selected, a quarter clockwise or counter-clockwise.
    pub fn rotate(&mut self, clockwise: bool) {
        let all = self.selected.is_empty();
        for page in self.pages.iter_mut().filter(|p| all || self.selected.contains(&p.id)) {
            page.angle = (page.angle + if clockwise { 90 } else { 270 }) % 360;
        }
    }

    /// Turns the page with the focus.
    pub fn rotate_focused(&mut self, clockwise: bool) {
        if let Some(page) = self.pages.get_mut(self.focus) {
            page.angle = (page.angle + if clockwise { 90 } else { 270 }) % 360;
        }
    }

    pub fn toggle_selected(&mut self, id: i64) {
        if !self.selected.remove(&id) {
            self.selected.insert(id);
        }
    }

    /// Moves the page at `from` to `to`; the cuts stay where they are between positions.
    pub fn move_page(&mut self, from: usize, to: usize) {
        if from >= self.pages.len() || to >= self.pages.len() {
            return;
        }
        let page = self.pages.remove(from);
        self.pages.insert(to, page);
        self.focus = to;
    }

    /// Adds or removes the cut after position `at` (never after the last page).
    pub fn toggle_split(&mut self, at: usize) {
        if at + 1 < self.pages.len() && !self.splits.remove(&at) {
            self.splits.insert(at);
        }
    }

    /// Moves the focus by `step` pages, staying on the pages.
    pub fn move_focus(&mut self, step: isize) {
        let last = self.pages.len().saturating_sub(1) as isize;
        self.focus = (self.focus as isize + step).clamp(0, last) as usize;
    }

    /// Cuts where the `proposed_split` (§15.2) ends each part: after the position of each part's last page.
    pub fn apply_proposal(&mut self, parts: &[ProposedPart]) {
        self.splits.clear();
        for part in parts.iter().take(parts.len().saturating_sub(1)) {
            let last = part.pages.last().map(|p| p.id);
            if let Some(at) = last.and_then(|id| self.pages.iter().position(|p| p.id == id)) {
                self.toggle_split(at);
            }
        }
    }

    /// Each output document's pages, in order.
    pub fn parts(&self) -> Vec<&[EditPage]> {
        let mut parts = Vec::new();
        let mut start = 0;
        for &at in &self.splits {
            parts.push(&self.pages[start..=at]);
            start = at + 1;
        }
        parts.push(&self.pages[start..]);
        parts
    }

    /// Whether posting would change nothing: one part, pages in order, none turned.
    pub fn is_unchanged(&self) -> bool {
        self.splits.is_empty() && self.pages.iter().enumerate().all(|(i, p)| p.number as usize == i + 1 && p.angle == 0)
    }

    /// The postprocess body for the parts named and categorised by `info` (one per part, in order).
    pub fn body(&self, info: &[PartInfo]) -> Vec<PostprocessPart> {
        self.parts()
            .iter()
            .enumerate()
            .map(|(i, pages)| {
                let info = info.get(i).cloned().unwrap_or_default();
                PostprocessPart {
                    name: Some(info.name).filter(|n| !n.trim().is_empty()),
                    category: info.category,
                    pages: pages.iter().map(|p| PageRef { id: p.id, angle: p.angle }).collect(),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plan() -> EditPlan {
        EditPlan::new([(10, 1), (11, 2), (12, 3), (13, 4)])
    }

    fn ids(parts: &[&[EditPage]]) -> Vec<Vec<i64>> {
        parts.iter().map(|p| p.iter().map(|page| page.id).collect()).collect()
    }

    #[test]
    fn turns_apply_to_the_selection_or_to_all() {
        let mut p = plan();
        p.rotate(true);
        assert!(p.pages.iter().all(|page| page.angle == 90));
        p.toggle_selected(11);
        p.rotate(false);
        p.rotate(false);
        assert_eq!(p.pages.iter().map(|page| page.angle).collect::<Vec<_>>(), vec![90, 270, 90, 90]);
        p.toggle_selected(11);
        p.focus = 3;
        p.rotate_focused(true);
        assert_eq!(p.pages[3].angle, 180);
    }

    #[test]
    fn cuts_and_moves_make_the_parts() {
        let mut p = plan();
        assert!(p.is_unchanged());
        p.toggle_split(1);
        p.toggle_split(3); // after the last page: no cut
        assert_eq!(ids(&p.parts()), vec![vec![10, 11], vec![12, 13]]);
        p.move_page(3, 0);
        assert_eq!(ids(&p.parts()), vec![vec![13, 10], vec![11, 12]]);
        assert!(!p.is_unchanged());
        p.toggle_split(1);
        assert_eq!(ids(&p.parts()), vec![vec![13, 10, 11, 12]]);
        p.move_focus(-5);
        assert_eq!(p.focus, 0);
        p.move_focus(9);
        assert_eq!(p.focus, 3);
    }

    #[test]
    fn the_proposal_sets_the_cuts() {
        let mut p = plan();
        p.toggle_split(0);
        let proposal: Vec<ProposedPart> = serde_json::from_value(json!([
            {"pages": [{"id": 10}, {"id": 11}, {"id": 12}], "category": 1, "categories": []},
            {"pages": [{"id": 13}], "category": null, "categories": []}]))
        .unwrap();
        p.apply_proposal(&proposal);
        assert_eq!(ids(&p.parts()), vec![vec![10, 11, 12], vec![13]]);
        p.apply_proposal(&[]);
        assert_eq!(ids(&p.parts()), vec![vec![10, 11, 12, 13]]);
    }

    #[test]
    fn the_body_names_each_part() {
        let mut p = plan();
        p.toggle_split(0);
        p.pages[1].angle = 90;
        let body =
            p.body(&[PartInfo { name: "a.pdf".into(), category: Some(7), ..Default::default() }, PartInfo::default()]);
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!([{"name": "a.pdf", "category": 7, "pages": [{"id": 10, "angle": 0}]},
                   {"name": null, "category": null, "pages": [{"id": 11, "angle": 90}, {"id": 12, "angle": 0}, {"id": 13, "angle": 0}]}])
        );
    }
}

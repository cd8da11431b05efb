//! Review logic with no DOM: view options, the view model, coordinates, selection, the writes and undo; unit-tested
//! on the host.

pub mod edit;
pub mod geometry;
pub mod keys;
pub mod model;
pub mod options;
pub mod steps;
pub mod undo;

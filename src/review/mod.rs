//! Review logic with no DOM: view options, review state, coordinates, selection and undo; unit-tested on the host.

pub mod edit;
pub mod geometry;
pub mod keys;
pub mod model;
pub mod options;
pub mod undo;

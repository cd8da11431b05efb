//! The review view of one document: its state (shared by the view's parts through the context), the review
//! actions with undo, and the view with its keyboard and scrolling. The pure logic it runs lives in `review`.

pub mod actions;
pub mod state;
pub mod view;

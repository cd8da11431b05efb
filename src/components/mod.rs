//! Building blocks shared by the pages.

pub mod forms;
pub mod notice;

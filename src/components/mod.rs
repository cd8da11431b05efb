//! Building blocks shared by the pages.

pub mod annotation_panel;
pub mod crumbs;
pub mod forms;
pub mod icons;
pub mod label_picker;
pub mod notice;
pub mod page_canvas;
pub mod review_toolbar;
pub mod thumbnails;

//! Small line icons drawn as inline SVG, so that no symbol depends on a font having its glyph.

use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Icon {
    Accept,
    Decline,
    Edit,
    Link,
    Undo,
    Redo,
    Cut,
    Join,
    Previous,
    Next,
}

impl Icon {
    /// The SVG path data on a 16 × 16 grid, stroked with the text colour.
    fn path(self) -> &'static str {
        match self {
            Icon::Accept => "M3 8.5l3.2 3.2L13 4.8",
            Icon::Decline => "M4 4l8 8M12 4l-8 8",
            Icon::Edit => "M10.5 2.5l3 3L6 13H3v-3z",
            Icon::Link => {
                "M6.5 9.5l3-3M7 4.5l1.2-1.2a2.5 2.5 0 013.5 3.5L10.5 8M9 11.5l-1.2 1.2a2.5 2.5 0 01-3.5-3.5L5.5 8"
            }
            Icon::Undo => "M5 3L2 6l3 3M2 6h7a4 4 0 010 8H6",
            Icon::Redo => "M11 3l3 3-3 3M14 6H7a4 4 0 000 8h3",
            Icon::Cut => "M8 1v14M5 4l3-3 3 3M5 12l3 3 3-3",
            Icon::Join => "M8 4v8M4 8h8",
            Icon::Previous => "M10 3L5 8l5 5",
            Icon::Next => "M6 3l5 5-5 5",
        }
    }
}

/// An icon beside or instead of a text; the button or link that holds it carries the accessible name.
#[component]
pub fn Glyph(icon: Icon) -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
            <path d=icon.path() fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"
                stroke-linejoin="round" />
        </svg>
    }
}

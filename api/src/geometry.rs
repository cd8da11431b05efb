//! Boxes on pages (§10, §20): PDF points with the origin bottom-left, and their conversion to image pixels.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// One character's box in `GET documents/{id}/bbox/`, keyed there by its offset in the document text.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CharBox {
    pub x0: f64,
    pub x1: f64,
    pub y0: f64,
    pub y1: f64,
    /// `page height − y1`: distance from the page's top edge to the box's top.
    pub top: f64,
    /// `page height − y0`.
    pub bottom: f64,
    pub page_index: u32,
    pub page_number: u32,
    /// 0-based line of the document, counted over all pages.
    pub line_index: u32,
    pub text: String,
}

/// A word on a page (`entities` of page detail), sendable unchanged to `POST bbox`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Entity {
    pub x0: f64,
    pub x1: f64,
    pub y0: f64,
    pub y1: f64,
    pub top: f64,
    pub bottom: f64,
    pub start_offset: usize,
    pub end_offset: usize,
    pub line_index: u32,
    pub page_index: u32,
    pub offset_string: String,
}

/// A piece of text on one line of one page (§12.1), as `bbox` and `search` answer and annotations hold.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Span {
    pub x0: f64,
    pub x1: f64,
    pub y0: f64,
    pub y1: f64,
    pub top: f64,
    pub bottom: f64,
    pub page_index: u32,
    pub start_offset: usize,
    pub end_offset: usize,
    pub line_index: u32,
    /// The legacy name clients still read, kept consistent with `line_index` (the SDK prefers it): `line_index + 1`.
    pub line_number: u32,
    pub offset_string: String,
    pub offset_string_original: String,
}

/// A box a client sends to `POST bbox`: a drawn rectangle or a word entity (extra keys are ignored).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PageBox {
    pub x0: f64,
    pub x1: f64,
    pub y0: f64,
    pub y1: f64,
    pub page_index: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset_string: Option<String>,
}

/// A word sent as a box: its text goes along, and names the span when the box holds exactly one.
impl From<&Entity> for PageBox {
    fn from(e: &Entity) -> PageBox {
        let offset_string = Some(e.offset_string.clone());
        PageBox { x0: e.x0, x1: e.x1, y0: e.y0, y1: e.y1, page_index: e.page_index, offset_string }
    }
}

/// A rectangle on a page in PDF points, origin bottom-left.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Rect {
    pub x0: f64,
    pub x1: f64,
    pub y0: f64,
    pub y1: f64,
}

impl Rect {
    /// The smallest rectangle holding both.
    pub fn union(self, other: Rect) -> Rect {
        Rect {
            x0: self.x0.min(other.x0),
            x1: self.x1.max(other.x1),
            y0: self.y0.min(other.y0),
            y1: self.y1.max(other.y1),
        }
    }

    /// Whether `inner` lies completely inside (edges included).
    pub fn contains(&self, inner: &Rect) -> bool {
        inner.x0 >= self.x0 && inner.x1 <= self.x1 && inner.y0 >= self.y0 && inner.y1 <= self.y1
    }

    /// This rectangle in image pixels (left, top, width, height) for a page of `page_size` points shown
    /// as an image of `image_size` pixels; both axes are scaled separately.
    pub fn to_pixels(&self, page_size: [f64; 2], image_size: [f64; 2]) -> [f64; 4] {
        let (sx, sy) = (image_size[0] / page_size[0], image_size[1] / page_size[1]);
        [self.x0 * sx, (page_size[1] - self.y1) * sy, (self.x1 - self.x0) * sx, (self.y1 - self.y0) * sy]
    }

    /// The rectangle in points for a pixel rectangle (left, top, width, height); the inverse of `to_pixels`.
    pub fn from_pixels(px: [f64; 4], page_size: [f64; 2], image_size: [f64; 2]) -> Rect {
        let (sx, sy) = (image_size[0] / page_size[0], image_size[1] / page_size[1]);
        Rect {
            x0: px[0] / sx,
            x1: (px[0] + px[2]) / sx,
            y0: page_size[1] - (px[1] + px[3]) / sy,
            y1: page_size[1] - px[1] / sy,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pixels_round_trip_with_top_left_origin() {
        let page = [595.0, 842.0];
        let image = [1190.0, 1684.0];
        let r = Rect { x0: 72.0, x1: 172.0, y0: 700.0, y1: 712.0 };
        let px = r.to_pixels(page, image);
        assert_eq!(px, [144.0, 260.0, 200.0, 24.0]);
        let back = Rect::from_pixels(px, page, image);
        assert!((back.x0 - r.x0).abs() < 1e-9 && (back.y1 - r.y1).abs() < 1e-9 && (back.y0 - r.y0).abs() < 1e-9);
    }

    #[test]
    fn containment_and_union() {
        let outer = Rect { x0: 0.0, x1: 10.0, y0: 0.0, y1: 10.0 };
        assert!(outer.contains(&Rect { x0: 0.0, x1: 10.0, y0: 2.0, y1: 3.0 }));
        assert!(!outer.contains(&Rect { x0: -0.1, x1: 1.0, y0: 2.0, y1: 3.0 }));
        let u = Rect { x0: 1.0, x1: 2.0, y0: 5.0, y1: 6.0 }.union(Rect { x0: 3.0, x1: 4.0, y0: 4.0, y1: 5.5 });
        assert_eq!(u, Rect { x0: 1.0, x1: 4.0, y0: 4.0, y1: 6.0 });
    }
}

//! Boxes on the shown pages: page points ↔ screen pixels, a drawn rectangle → the `POST bbox` request.

use lectern_api::annotations::AnnotationSpan;
use lectern_api::geometry::{Entity, PageBox, Rect, Span};

/// DVUI pads a drawn selection by this many pixels each way before converting it (§10.2).
const PAD_PX: f64 = 1.0;

/// Where a span is drawn: an annotation's (text or a drawn box) or a search hit's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpanBox {
    pub x0: f64,
    pub x1: f64,
    pub y0: f64,
    pub y1: f64,
    pub page_index: u32,
}

impl SpanBox {
    pub fn rect(&self) -> Rect {
        Rect { x0: self.x0, x1: self.x1, y0: self.y0, y1: self.y1 }
    }

    /// The boxes of an annotation's `span` list.
    pub fn all(span: &[AnnotationSpan]) -> Vec<SpanBox> {
        span.iter().map(SpanBox::from).collect()
    }
}

impl From<&AnnotationSpan> for SpanBox {
    fn from(s: &AnnotationSpan) -> SpanBox {
        SpanBox { x0: s.x0, x1: s.x1, y0: s.y0, y1: s.y1, page_index: s.page_index }
    }
}

impl From<&Span> for SpanBox {
    fn from(s: &Span) -> SpanBox {
        SpanBox { x0: s.x0, x1: s.x1, y0: s.y0, y1: s.y1, page_index: s.page_index }
    }
}

/// A box as CSS percentages of its page (left, top, width, height): independent of the zoom, so overlays never
/// need re-rendering when it changes.
pub fn percent_box(rect: Rect, page_size: [f64; 2]) -> [f64; 4] {
    rect.to_pixels(page_size, [100.0, 100.0])
}

/// The CSS `left/top/width/height` of a box on its page.
pub fn percent_style(rect: Rect, page_size: [f64; 2]) -> String {
    let [left, top, width, height] = percent_box(rect, page_size);
    format!("left:{left:.3}%;top:{top:.3}%;width:{width:.3}%;height:{height:.3}%")
}

fn floor3(v: f64) -> f64 {
    (v * 1000.0).floor() / 1000.0
}

fn ceil3(v: f64) -> f64 {
    (v * 1000.0).ceil() / 1000.0
}

/// A rectangle dragged on a page shown `shown_size` pixels large, from `start` to `end` (pixels from the page's
/// top-left corner, any direction), as the box sent to `POST bbox`: padded by 1 px, rounded to 3 decimals
/// (x0 and y0 down, x1 and y1 up, as DVUI does) and kept on the page.
pub fn drawn_box(
    start: [f64; 2],
    end: [f64; 2],
    shown_size: [f64; 2],
    page_size: [f64; 2],
    page_index: u32,
) -> PageBox {
    let left = start[0].min(end[0]) - PAD_PX;
    let top = start[1].min(end[1]) - PAD_PX;
    let width = (start[0] - end[0]).abs() + 2.0 * PAD_PX;
    let height = (start[1] - end[1]).abs() + 2.0 * PAD_PX;
    let r = Rect::from_pixels([left, top, width, height], page_size, shown_size);
    PageBox {
        x0: floor3(r.x0.max(0.0)),
        x1: ceil3(r.x1.min(page_size[0])),
        y0: floor3(r.y0.max(0.0)),
        y1: ceil3(r.y1.min(page_size[1])),
        page_index,
        offset_string: None,
    }
}

/// The page's words lying completely inside a drawn box: DVUI sends these instead of the box when there are any.
pub fn words_inside<'a>(entities: &'a [Entity], drawn: &PageBox) -> Vec<&'a Entity> {
    let area = Rect { x0: drawn.x0, x1: drawn.x1, y0: drawn.y0, y1: drawn.y1 };
    entities.iter().filter(|e| area.contains(&Rect { x0: e.x0, x1: e.x1, y0: e.y0, y1: e.y1 })).collect()
}

/// The zoom (1.0 = 100 %) that makes a page `page_px` wide fill `available_px`, kept in the allowed range.
pub fn fit_zoom(available_px: f64, page_px: f64) -> f64 {
    clamp_zoom(if page_px > 0.0 { available_px / page_px } else { 1.0 })
}

pub const MIN_ZOOM: f64 = 0.25;
pub const MAX_ZOOM: f64 = 5.0;

pub fn clamp_zoom(zoom: f64) -> f64 {
    zoom.clamp(MIN_ZOOM, MAX_ZOOM)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const A4: [f64; 2] = [595.0, 842.0];

    #[test]
    fn percent_boxes_follow_the_page_not_the_zoom() {
        let r = Rect { x0: 59.5, x1: 119.0, y0: 757.8, y1: 842.0 };
        let [l, t, w, h] = percent_box(r, A4);
        assert!((l - 10.0).abs() < 1e-9 && t.abs() < 1e-9 && (w - 10.0).abs() < 1e-9 && (h - 10.0).abs() < 1e-9);
        assert_eq!(percent_style(r, A4), "left:10.000%;top:0.000%;width:10.000%;height:10.000%");
    }

    #[test]
    fn drawn_rectangles_are_padded_rounded_and_kept_on_the_page() {
        // Shown at 2 px per point: a drag from (201, 301) to (101, 201) is points 50..100 wide before padding.
        let b = drawn_box([201.0, 301.0], [101.0, 201.0], [1190.0, 1684.0], A4, 2);
        assert_eq!((b.x0, b.x1), (50.0, 101.0));
        assert_eq!((b.y0, b.y1), (691.0, 742.0));
        assert_eq!(b.page_index, 2);
        // Thirds round outward.
        let b = drawn_box([10.0, 10.0], [20.0, 20.0], [3.0 * 595.0, 3.0 * 842.0], A4, 0);
        assert_eq!((b.x0, b.x1), (3.0, 7.0));
        assert_eq!((b.y0, b.y1), (835.0, 839.0));
        let b = drawn_box([1.0, 1.0], [4.0, 4.0], [1785.0, 2526.0], A4, 0);
        assert_eq!((b.x0, b.y1), (0.0, 842.0), "padding never leaves the page");
        let b = drawn_box([1.0, 1.0], [2.0, 7.0], [1785.0, 2526.0], A4, 0);
        assert_eq!((b.x1, b.y0), (1.0, 839.333), "x1 rounds up, y0 down");
    }

    #[test]
    fn words_inside_a_drawn_box() {
        let word = |x0: f64, text: &str| -> Entity {
            serde_json::from_value(json!({"x0": x0, "x1": x0 + 30.0, "y0": 700.0, "y1": 712.0, "top": 130.0,
                "bottom": 142.0, "start_offset": 0, "end_offset": 4, "line_index": 0, "page_index": 0,
                "offset_string": text}))
            .unwrap()
        };
        let words = [word(72.0, "Total"), word(110.0, "9,50"), word(150.0, "EUR")];
        let drawn = PageBox { x0: 100.0, x1: 175.0, y0: 690.0, y1: 720.0, page_index: 0, offset_string: None };
        let inside: Vec<&str> = words_inside(&words, &drawn).iter().map(|e| e.offset_string.as_str()).collect();
        assert_eq!(inside, ["9,50"], "EUR reaches past the box");
    }

    #[test]
    fn span_boxes_and_zoom() {
        let drawn = PageBox { x0: 1.0, x1: 2.0, y0: 3.0, y1: 4.0, page_index: 0, offset_string: None };
        let spans = [AnnotationSpan::drawn(&drawn)];
        assert_eq!(SpanBox::all(&spans), [SpanBox { x0: 1.0, x1: 2.0, y0: 3.0, y1: 4.0, page_index: 0 }]);
        let hit: Span = serde_json::from_value(json!({"x0": 1.0, "x1": 2.0, "y0": 3.0, "y1": 4.0, "top": 838.0,
            "bottom": 839.0, "page_index": 1, "start_offset": 0, "end_offset": 2, "line_index": 0, "line_number": 1,
            "offset_string": "ab", "offset_string_original": "ab"}))
        .unwrap();
        assert_eq!(SpanBox::from(&hit), SpanBox { x0: 1.0, x1: 2.0, y0: 3.0, y1: 4.0, page_index: 1 });
        assert_eq!(fit_zoom(600.0, 1200.0), 0.5);
        assert_eq!(fit_zoom(100.0, 1200.0), MIN_ZOOM);
        assert_eq!(clamp_zoom(9.0), MAX_ZOOM);
    }
}

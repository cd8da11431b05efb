//! Deskewing scans and photos before OCR: the angle of a page's lines of print, and the page turned level.

use image::{imageops, GrayImage, RgbImage};

/// The search covers lines turned up to this many degrees either way.
const MAX_ANGLE: f64 = 10.0;
/// Pages skewed by less than this many degrees are left as they are: tesseract reads them as well, and turning a
/// page blurs it a little.
pub const MIN_ANGLE: f64 = 0.3;
/// The angle is searched on the page scaled to this long side: lines of 8 pt print stay apart on A4.
const SEARCH_LONG_SIDE: u32 = 1000;

/// The angle in degrees of the page's lines of print, positive when they fall to the right as shown (the page
/// turned clockwise); 0 when the page has too little print or no direction stands out.
///
/// Projection profiles: the ink of the scaled, binarised page is counted along lines at each candidate angle;
/// at the lines' own angle the counts alternate sharply between lines and the gaps between them, which the sum of
/// squared differences of neighbouring counts measures. Half-degree steps over ±10°, then 0.05° steps around the
/// best.
pub fn skew_angle(grey: &GrayImage) -> f64 {
    let (w, h) = grey.dimensions();
    let scale = (SEARCH_LONG_SIDE as f64 / w.max(h) as f64).min(1.0);
    let (sw, sh) = (((w as f64 * scale) as u32).max(1), ((h as f64 * scale) as u32).max(1));
    let small = imageops::resize(grey, sw, sh, imageops::FilterType::Triangle);
    let Some(cut) = ink_level(small.as_raw()) else { return 0.0 };
    let ink: Vec<(f64, f64)> =
        small.enumerate_pixels().filter(|(_, _, p)| p.0[0] <= cut).map(|(x, y, _)| (x as f64, y as f64)).collect();
    if ink.len() < 100 {
        return 0.0;
    }
    let bins = (sw + sh) as usize + 2;
    let best = |angles: &mut dyn Iterator<Item = f64>| {
        angles.map(|a| (a, sharpness(&ink, bins, a))).fold((0.0, f64::MIN), |b, c| if c.1 > b.1 { c } else { b })
    };
    let (coarse, _) = best(&mut (0..=40).map(|i| -MAX_ANGLE + 0.5 * i as f64));
    let (angle, score) = best(&mut (0..=20).map(|i| coarse - 0.5 + 0.05 * i as f64));
    // A page without lines of print (a photo, a drawing) scores about the same at every angle: leave it.
    if score < 1.05 * sharpness(&ink, bins, 0.0) {
        return 0.0;
    }
    (angle * 100.0).round() / 100.0
}

/// How sharply the ink's counts along lines at `degrees` alternate: the sum of squared differences of neighbouring
/// counts, over `bins` lines one pixel apart.
fn sharpness(ink: &[(f64, f64)], bins: usize, degrees: f64) -> f64 {
    let (sin, cos) = degrees.to_radians().sin_cos();
    // Each ink pixel counts for the line at the angle it lies on, numbered from half the bins on, so none is negative.
    let offset = bins as f64 / 2.0;
    let mut counts = vec![0u32; bins * 2];
    for &(x, y) in ink {
        counts[(cos * y - sin * x + offset) as usize] += 1;
    }
    counts.windows(2).map(|p| (p[0] as f64 - p[1] as f64).powi(2)).sum()
}

/// The grey level halfway between paper (the median) and ink (the darkest 1 %), or none when the page has no such
/// contrast.
fn ink_level(grey: &[u8]) -> Option<u8> {
    let mut hist = [0usize; 256];
    for &v in grey {
        hist[v as usize] += 1;
    }
    let level = |count: usize| {
        let mut seen = 0;
        hist.iter().position(|&n| {
            seen += n;
            seen > count
        })
    };
    let (ink, paper) = (level(grey.len() / 100)?, level(grey.len() / 2)?);
    (paper >= ink + 32).then_some(((ink + paper) / 2) as u8)
}

/// The page turned by `degrees` (clockwise as shown) about its centre on a canvas of the same size, by bilinear
/// interpolation; corners that come from outside the page are filled with its paper colour (the median of each
/// channel).
pub fn rotate(page: &RgbImage, degrees: f64) -> RgbImage {
    let (w, h) = page.dimensions();
    let fill = paper(page);
    let src = page.as_raw();
    let stride = w as usize * 3;
    // Each pixel of the result takes the source at the point turned back.
    let (sin, cos) = (-degrees).to_radians().sin_cos();
    let (cx, cy) = (w as f64 / 2.0, h as f64 / 2.0);
    let mut out = vec![0u8; src.len()];
    for (y, row) in out.chunks_exact_mut(stride).enumerate() {
        let dy = y as f64 + 0.5 - cy;
        for (x, px) in row.chunks_exact_mut(3).enumerate() {
            let dx = x as f64 + 0.5 - cx;
            let (sx, sy) = (cos * dx - sin * dy + cx - 0.5, sin * dx + cos * dy + cy - 0.5);
            if sx < 0.0 || sy < 0.0 || sx > (w - 1) as f64 || sy > (h - 1) as f64 {
                px.copy_from_slice(&fill);
                continue;
            }
            let (x0, y0) = (sx as usize, sy as usize);
            let (x1, y1) = ((x0 + 1).min(w as usize - 1), (y0 + 1).min(h as usize - 1));
            let (fx, fy) = (sx - x0 as f64, sy - y0 as f64);
            for (c, out) in px.iter_mut().enumerate() {
                let at = |x: usize, y: usize| src[y * stride + x * 3 + c] as f64;
                let top = at(x0, y0) + fx * (at(x1, y0) - at(x0, y0));
                let bottom = at(x0, y1) + fx * (at(x1, y1) - at(x0, y1));
                *out = (top + fy * (bottom - top)).round() as u8;
            }
        }
    }
    RgbImage::from_raw(w, h, out).expect("same size as the page")
}

/// The median of each channel: the paper's colour on a page of print.
fn paper(page: &RgbImage) -> [u8; 3] {
    let mut hist = [[0usize; 256]; 3];
    for p in page.pixels() {
        for c in 0..3 {
            hist[c][p.0[c] as usize] += 1;
        }
    }
    let half = (page.width() as usize * page.height() as usize) / 2;
    hist.map(|h| {
        let mut seen = 0;
        h.iter()
            .position(|&n| {
                seen += n;
                seen > half
            })
            .unwrap_or(255) as u8
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::ocr::{self, tests::draw, tests::INVOICE};
    use std::collections::BTreeSet;
    use std::time::Instant;

    /// An A4 page at `dpi` with the invoice's lines twice over, in colour: dark blue print on pale yellow paper.
    fn invoice_page(dpi: u32) -> (RgbImage, Vec<String>) {
        let lines: Vec<&str> = INVOICE.iter().chain(INVOICE.iter()).copied().collect();
        let (w, h) = (dpi * 827 / 100, dpi * 1169 / 100);
        let (grey, drawn) = draw(w, h, dpi, &lines, 0, 255, 0);
        // Grey level g becomes the mix of ink (20, 30, 110) and paper (250, 240, 200).
        let mix = |g: u8, ink: u8, paper: u8| ((ink as u32 * (255 - g as u32) + paper as u32 * g as u32) / 255) as u8;
        let rgb = grey.iter().flat_map(|&g| [mix(g, 20, 250), mix(g, 30, 240), mix(g, 110, 200)]).collect();
        (RgbImage::from_raw(w, h, rgb).unwrap(), drawn.into_iter().map(|d| d.text).collect())
    }

    #[test]
    fn turning_clockwise_makes_a_level_line_fall_to_the_right() {
        let mut page = RgbImage::from_pixel(400, 400, image::Rgb([255, 255, 255]));
        for x in 100..300 {
            page.put_pixel(x, 200, image::Rgb([0, 0, 0]));
        }
        let turned = rotate(&page, 10.0);
        let darkest_row = |x: u32| (0..400).min_by_key(|&y| turned.get_pixel(x, y).0[0]).unwrap();
        let (left, right) = (darkest_row(120), darkest_row(280));
        // tan 10° × 80 px ≈ 14 px either side of the centre.
        assert!((left as i32 - 186).abs() <= 1 && (right as i32 - 214).abs() <= 1, "{left} {right}");
        // The corners come from outside the page: paper colour.
        assert_eq!(turned.get_pixel(0, 0).0, [255, 255, 255]);
    }

    #[test]
    fn the_angle_of_turned_text_is_found_within_half_a_degree() {
        let (page, _) = invoice_page(100);
        for degrees in [-9.0, -4.0, -1.2, 0.0, 0.8, 4.0, 6.5] {
            let turned = rotate(&page, degrees);
            let found = skew_angle(&imageops::grayscale(&turned));
            assert!((found - degrees).abs() <= 0.5, "turned by {degrees}°, found {found}°");
        }
        // Level text is left alone.
        assert!(skew_angle(&imageops::grayscale(&page)).abs() <= MIN_ANGLE);
        // No print, or no lines of print: no angle.
        assert_eq!(skew_angle(&GrayImage::from_pixel(800, 1100, image::Luma([250]))), 0.0);
        let mut seed = 7u32;
        let noise = GrayImage::from_fn(800, 1100, |_, _| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            image::Luma([(seed >> 16) as u8])
        });
        assert_eq!(skew_angle(&noise), 0.0);
    }

    /// The share of the page's true words that OCR of `page` finds.
    fn recall(page: &RgbImage, dpi: u32, truth: &[String]) -> f64 {
        let (width, height) = page.dimensions();
        let image = ocr::PageImage { width, height, channels: 3, dpi, pixels: page.as_raw() };
        let content = ocr::recognize(&image).unwrap();
        let found: BTreeSet<String> = content
            .lines
            .iter()
            .flat_map(|l| &l.words)
            .map(|w| w.glyphs.iter().map(|g| g.ch).collect::<String>())
            .collect();
        truth.iter().filter(|w| found.contains(*w)).count() as f64 / truth.len() as f64
    }

    #[test]
    fn skewed_photos_are_read_once_turned_level() {
        let (page, truth) = invoice_page(200);
        let straight = recall(&page, 200, &truth);
        for degrees in [5.0, 8.0] {
            let skewed = rotate(&page, degrees);
            let t = Instant::now();
            let angle = skew_angle(&imageops::grayscale(&skewed));
            let level = rotate(&skewed, -angle);
            let deskew_time = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let before = recall(&skewed, 200, &truth);
            let ocr_time = t.elapsed().as_secs_f64();
            let after = recall(&level, 200, &truth);
            println!(
                "200 dpi A4 turned {degrees}°: found {angle}°, levelled in {deskew_time:.2} s (OCR {ocr_time:.2} s); \
                 word recall level {straight:.3}, skewed {before:.3}, deskewed {after:.3}"
            );
            assert!((angle - degrees).abs() <= 0.5, "{angle}");
            assert!(after >= 0.95 * straight, "deskewed {after}, level {straight}");
        }
    }
}

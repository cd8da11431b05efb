//! A small PDF writer for demo data, tests and benchmarks: pages with a size, an optional `/Rotate`, lines of
//! text in the base-14 font Courier, filled rectangles in colours, and images taken from PNG files (a page without
//! a text layer, for OCR).
//!
//! Every Courier glyph advances 0.6 × the font size, so the horizontal box of each drawn character is known
//! exactly: the `i`-th character of `text(x, y, size, …)` spans `x + 0.6·size·i .. x + 0.6·size·(i+1)`.

use std::fmt::Write;

/// A Courier glyph's advance as a share of the font size.
pub const COURIER_ADVANCE: f64 = 0.6;

/// A4 in points.
pub const A4: [f64; 2] = [595.0, 842.0];

/// One page: MediaBox `[0 0 w h]`, `/Rotate`, content stream and the images it draws.
#[derive(Debug, Clone)]
pub struct Page {
    pub size: [f64; 2],
    pub rotate: i32,
    content: String,
    images: Vec<Image>,
}

/// An image XObject: the zlib data of a non-interlaced 8-bit PNG, decoded by the PNG predictors.
#[derive(Debug, Clone)]
struct Image {
    width: u32,
    height: u32,
    colors: u8,
    data: Vec<u8>,
}

/// The header of a PNG file: width, height, bit depth, colour type, interlace method.
pub fn png_header(png: &[u8]) -> (u32, u32, u8, u8, u8) {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert_eq!(&png[12..16], b"IHDR", "the first chunk of a PNG is IHDR");
    let be = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (be(16), be(20), png[24], png[25], png[28])
}

impl Page {
    pub fn new(width: f64, height: f64) -> Page {
        Page { size: [width, height], rotate: 0, content: String::new(), images: Vec::new() }
    }

    pub fn a4() -> Page {
        Page::new(A4[0], A4[1])
    }

    /// Sets `/Rotate` (a multiple of 90).
    pub fn rotate(mut self, degrees: i32) -> Page {
        self.rotate = degrees;
        self
    }

    /// `text` in Courier of `size` points, its baseline starting at (`x`, `y`) in unrotated page space.
    pub fn text(mut self, x: f64, y: f64, size: f64, text: &str) -> Page {
        writeln!(self.content, "BT /F1 {size} Tf {x} {y} Td ({}) Tj ET", escape(text)).unwrap();
        self
    }

    /// Fills what is drawn after this (text, rectangles) with the colour `rgb` (each 0–1).
    pub fn colour(mut self, rgb: [f64; 3]) -> Page {
        writeln!(self.content, "{} {} {} rg", rgb[0], rgb[1], rgb[2]).unwrap();
        self
    }

    /// A filled rectangle with lower-left corner (`x`, `y`) and size `w` × `h` points.
    pub fn rect(mut self, x: f64, y: f64, w: f64, h: f64) -> Page {
        writeln!(self.content, "{x} {y} {w} {h} re f").unwrap();
        self
    }

    /// Draws a PNG (8-bit grey or RGB, not interlaced) into the rectangle with lower-left corner (`x`, `y`)
    /// and size `w` × `h` points.
    pub fn png(mut self, png: &[u8], x: f64, y: f64, w: f64, h: f64) -> Page {
        let (width, height, depth, color_type, interlace) = png_header(png);
        assert_eq!((depth, interlace), (8, 0), "only 8-bit non-interlaced PNGs can be embedded");
        let colors = match color_type {
            0 => 1,
            2 => 3,
            other => panic!("PNG colour type {other} cannot be embedded"),
        };
        // The IDAT chunks together are one zlib stream of PNG-filtered rows: PDF's FlateDecode with
        // predictor 15 reads exactly that.
        let mut data = Vec::new();
        let mut at = 8;
        while at + 8 <= png.len() {
            let len = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
            if &png[at + 4..at + 8] == b"IDAT" {
                data.extend_from_slice(&png[at + 8..at + 8 + len]);
            }
            at += 12 + len;
        }
        let name = self.images.len();
        writeln!(self.content, "q {w} 0 0 {h} {x} {y} cm /Im{name} Do Q").unwrap();
        self.images.push(Image { width, height, colors, data });
        self
    }
}

/// Escapes `(`, `)` and `\` for a PDF literal string; Latin-1 letters (U+00A0..U+00FF, the same codes in
/// the font's WinAnsiEncoding) become octal escapes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '(' | ')' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            '\u{a0}'..='\u{ff}' => write!(out, "\\{:03o}", c as u32).unwrap(),
            _ => panic!("{c:?} cannot be drawn in WinAnsiEncoding here"),
        }
    }
    out
}

/// The PDF file of `pages`, with Courier as `/F1` and the producer "Lectern tests".
pub fn document(pages: &[Page]) -> Vec<u8> {
    // Objects: 1 catalog, 2 page tree, 3 font, 4 info; then per page its dictionary, content and images.
    let mut numbers = Vec::new();
    let mut next = 5;
    for page in pages {
        numbers.push(next);
        next += 2 + page.images.len();
    }
    let mut objects: Vec<Vec<u8>> = Vec::new();
    objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    let kids: Vec<String> = numbers.iter().map(|n| format!("{n} 0 R")).collect();
    objects.push(format!("<< /Type /Pages /Kids [{}] /Count {} >>", kids.join(" "), pages.len()).into_bytes());
    objects.push(b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>".to_vec());
    objects.push(b"<< /Producer (Lectern tests) >>".to_vec());
    for (page, n) in pages.iter().zip(&numbers) {
        let xobjects: Vec<String> = (0..page.images.len()).map(|i| format!("/Im{i} {} 0 R", n + 2 + i)).collect();
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {} {}] /Rotate {} /Resources << /Font << /F1 3 0 R >> /XObject << {} >> >> /Contents {} 0 R >>",
                page.size[0],
                page.size[1],
                page.rotate,
                xobjects.join(" "),
                n + 1
            )
            .into_bytes(),
        );
        objects.push(stream("", page.content.as_bytes()));
        for image in &page.images {
            let dict = format!(
                "/Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /{space} /BitsPerComponent 8 /Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors {c} /BitsPerComponent 8 /Columns {w} >> ",
                w = image.width,
                h = image.height,
                space = if image.colors == 1 { "DeviceGray" } else { "DeviceRGB" },
                c = image.colors,
            );
            objects.push(stream(&dict, &image.data));
        }
    }
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    let mut tail = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for off in offsets {
        writeln!(tail, "{off:010} 00000 n ").unwrap();
    }
    write!(tail, "trailer\n<< /Size {} /Root 1 0 R /Info 4 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1)
        .unwrap();
    out.extend_from_slice(tail.as_bytes());
    out
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut out = format!("<< {dict}/Length {} >>\nstream\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\nendstream");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_offsets() {
        assert_eq!(escape(r"a(b)\c"), r"a\(b\)\\c");
        assert_eq!(escape("Größe"), r"Gr\366\337e");
        let pdf = document(&[Page::a4().text(72.0, 700.0, 12.0, "Hi (x)"), Page::a4().rotate(90)]);
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains(r"(Hi \(x\)) Tj"));
        assert!(text.contains("/Count 2"));
        // Each xref entry points at its object.
        let xref = pdf.windows(5).rposition(|w| w == b"xref\n").unwrap();
        let table = String::from_utf8(pdf[xref..].to_vec()).unwrap();
        for (i, line) in table.lines().skip(3).take(4).enumerate() {
            let off: usize = line[..10].parse().unwrap();
            assert!(pdf[off..].starts_with(format!("{} 0 obj", i + 1).as_bytes()), "object {}", i + 1);
        }
    }
}

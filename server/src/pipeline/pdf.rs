//! Born-digital PDFs through pdfium: page sizes, the text layer as lines of words of glyph boxes, rendered pages.

use std::path::Path;
use std::sync::{Mutex, OnceLock};

use anyhow::{anyhow, bail, Context, Result};
use image::{GrayImage, RgbImage};
use pdfium_render::prelude::*;

use super::layout::{Glyph, Line, PageContent, Word};
use lectern_api::geometry::Rect;

/// Long side of the page image in pixels (about 150 dpi for A4).
pub const PAGE_IMAGE_LONG_SIDE: u32 = 1700;
/// Long side of the thumbnail in pixels.
pub const THUMBNAIL_LONG_SIDE: u32 = 300;
/// Renders never exceed this many pixels, whatever long side was asked for.
const MAX_PIXELS: f64 = 25_000_000.0;

static PDFIUM: OnceLock<Pdfium> = OnceLock::new();

/// Loads the library now, so a server without it stops at start instead of failing documents.
pub fn load_library(lib: &Path) -> Result<()> {
    pdfium(lib).map(|_| ())
}

/// Binds `libpdfium.so` at `lib` on first use; later calls return the same binding whatever their path.
fn pdfium(lib: &Path) -> Result<&'static Pdfium> {
    static INIT: Mutex<()> = Mutex::new(());
    if let Some(p) = PDFIUM.get() {
        return Ok(p);
    }
    let _guard = INIT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(p) = PDFIUM.get() {
        return Ok(p);
    }
    let bindings =
        Pdfium::bind_to_library(lib).map_err(|e| anyhow!("cannot load pdfium from {}: {e:?}", lib.display()))?;
    Ok(PDFIUM.get_or_init(|| Pdfium::new(bindings)))
}

/// An open PDF (`Send + Sync`). pdfium reads the file on demand; pdfium-render serialises every call
/// process-wide, so one process extracts or renders on one core at a time.
pub struct PdfFile {
    doc: PdfDocument<'static>,
    sizes: Vec<[f64; 2]>,
    producer: Option<String>,
}

impl PdfFile {
    /// Opens the PDF at `path` with the pdfium library at `lib`. The error of a file that is damaged,
    /// not a PDF, or password-protected is a sentence meant for the person who uploaded it.
    pub fn open(lib: &Path, path: &Path) -> Result<PdfFile> {
        let doc = pdfium(lib)?.load_pdf_from_file(path, None).map_err(open_error)?;
        let pages = doc.pages();
        let sizes = (0..pages.len())
            .map(|i| {
                let r = pages.page_size(i).map_err(|_| anyhow!("Page {} of the PDF is damaged.", i + 1))?;
                Ok([r.width().value as f64, r.height().value as f64])
            })
            .collect::<Result<Vec<_>>>()?;
        if sizes.is_empty() {
            bail!("The PDF has no pages.");
        }
        let producer = doc
            .metadata()
            .get(PdfDocumentMetadataTagType::Producer)
            .map(|t| t.value().to_string())
            .filter(|p| !p.is_empty());
        Ok(PdfFile { doc, sizes, producer })
    }

    pub fn page_count(&self) -> usize {
        self.sizes.len()
    }

    /// Each page's `[width, height]` in points as displayed (after `/Rotate`).
    pub fn page_sizes(&self) -> &[[f64; 2]] {
        &self.sizes
    }

    /// The document information's `/Producer`, if any.
    pub fn producer(&self) -> Option<&str> {
        self.producer.as_deref()
    }

    fn page(&self, index: usize) -> Result<PdfPage<'static>> {
        if index >= self.sizes.len() {
            bail!("page index {index} out of range ({} pages)", self.sizes.len());
        }
        self.doc.pages().get(index as PdfPageIndex).map_err(|_| anyhow!("Page {} of the PDF is damaged.", index + 1))
    }

    /// Whether the page's text layer holds any character, visible or not (pages without one need OCR).
    pub fn has_text(&self, index: usize) -> Result<bool> {
        let page = self.page(index)?;
        let text = page.text().context("reading the text layer")?;
        Ok(text.chars().iter().any(|c| c.unicode_char().is_some_and(|ch| !ch.is_whitespace() && !ch.is_control())))
    }

    /// The page's text layer: lines as pdfium orders them, words split at whitespace, each glyph with its
    /// box in points on the page as displayed (origin bottom-left). Horizontally the box is the glyph's
    /// advance; vertically it spans the font's descent to ascent around the baseline. A page without a
    /// text layer has no lines.
    pub fn page_content(&self, index: usize) -> Result<PageContent> {
        let page = self.page(index)?;
        let [width, height] = self.sizes[index];
        let to_display = DisplayTransform::of(&page)?;
        let text = page.text().context("reading the text layer")?;
        let mut lines = Vec::new();
        let mut line = Line::default();
        let mut word = Word::default();
        for c in text.chars().iter() {
            let Some(ch) = c.unicode_char() else { continue };
            if ch == '\r' || ch == '\n' {
                end_word(&mut line, &mut word);
                if !line.words.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
            } else if ch.is_whitespace() {
                end_word(&mut line, &mut word);
            } else if !ch.is_control() {
                let r = c.loose_bounds().context("reading a character box")?;
                let rect = to_display.rect(r.left().value, r.bottom().value, r.right().value, r.top().value);
                word.glyphs.push(Glyph { ch, rect });
            }
        }
        end_word(&mut line, &mut word);
        if !line.words.is_empty() {
            lines.push(line);
        }
        Ok(PageContent { width, height, lines })
    }

    /// Renders the page as displayed to RGB pixels whose long side is `long_side_px` (smaller if that would exceed
    /// the pixel cap).
    pub fn render(&self, index: usize, long_side_px: u32) -> Result<RgbImage> {
        let (raw, stride, [pw, ph]) = self.draw(index, long_side_px, PdfBitmapFormat::BGRx)?;
        let rgb: Vec<u8> = raw
            .chunks(stride)
            .flat_map(|row| row[..4 * pw as usize].chunks_exact(4).flat_map(|p| [p[2], p[1], p[0]]))
            .collect();
        RgbImage::from_raw(pw, ph, rgb).context("the rendered page has the wrong number of pixels")
    }

    /// Renders the page like `render`, in grey: pdfium's grey rendering draws text darker than the grey of its
    /// colour rendering, which keeps small print legible in thumbnails and for OCR of the picture.
    pub fn render_grey(&self, index: usize, long_side_px: u32) -> Result<GrayImage> {
        let (raw, stride, [pw, ph]) = self.draw(index, long_side_px, PdfBitmapFormat::Gray)?;
        let grey: Vec<u8> = raw.chunks(stride).flat_map(|row| &row[..pw as usize]).copied().collect();
        GrayImage::from_raw(pw, ph, grey).context("the rendered page has the wrong number of pixels")
    }

    /// The page's bitmap in `format`: its bytes, row stride and size in pixels.
    fn draw(&self, index: usize, long_side_px: u32, format: PdfBitmapFormat) -> Result<(Vec<u8>, usize, [u32; 2])> {
        let page = self.page(index)?;
        let [w, h] = self.sizes[index];
        let mut scale = long_side_px.max(1) as f64 / w.max(h);
        let mut snap: fn(f64) -> f64 = f64::round;
        if w * h * scale * scale > MAX_PIXELS {
            scale = (MAX_PIXELS / (w * h)).sqrt();
            snap = f64::floor;
        }
        let (pw, ph) = ((snap(w * scale) as u32).max(1), (snap(h * scale) as u32).max(1));
        // pdfium draws no text into a grey bitmap when asked to reverse the byte order (RGB for BGR), which
        // pdfium-render does by default; colour comes in pdfium's own order (BGRx) and is swapped by the caller.
        let config = PdfRenderConfig::new()
            .set_fixed_size(pw as Pixels, ph as Pixels)
            .set_format(format)
            .set_reverse_byte_order(false);
        let bitmap = page.render_with_config(&config).context("rendering the page")?;
        let raw = bitmap.as_raw_bytes();
        // Rows may be padded.
        let stride = raw.len() / ph as usize;
        Ok((raw, stride, [pw, ph]))
    }
}

/// Writes a new PDF at `out` made of pages of `source`: each `(index, quarter_turns)` copies page `index` and turns
/// it clockwise by that many quarter turns more than it was (the page's `/Rotate`), so text, boxes and images of the
/// new file are read exactly as from a PDF made already rotated.
pub fn compose(lib: &Path, source: &Path, pages: &[(usize, u8)], out: &Path) -> Result<()> {
    let pdfium = pdfium(lib)?;
    let source = pdfium.load_pdf_from_file(source, None).map_err(open_error)?;
    let mut composed = pdfium.create_new_pdf().map_err(|e| anyhow!("cannot create a PDF: {e:?}"))?;
    for (position, (index, quarter_turns)) in pages.iter().enumerate() {
        let index = PdfPageIndex::try_from(*index).context("page index")?;
        let position = PdfPageIndex::try_from(position).context("page position")?;
        composed
            .pages_mut()
            .copy_page_from_document(&source, index, position)
            .map_err(|e| anyhow!("cannot copy page {}: {e:?}", index + 1))?;
        let mut page = composed.pages().get(position).map_err(|e| anyhow!("cannot read the copied page: {e:?}"))?;
        let turns = match page.rotation().map_err(|e| anyhow!("page rotation: {e:?}"))? {
            PdfPageRenderRotation::None => 0,
            PdfPageRenderRotation::Degrees90 => 1,
            PdfPageRenderRotation::Degrees180 => 2,
            PdfPageRenderRotation::Degrees270 => 3,
        };
        page.set_rotation(match (turns + quarter_turns) % 4 {
            0 => PdfPageRenderRotation::None,
            1 => PdfPageRenderRotation::Degrees90,
            2 => PdfPageRenderRotation::Degrees180,
            _ => PdfPageRenderRotation::Degrees270,
        });
    }
    composed.save_to_file(out).map_err(|e| anyhow!("cannot write the PDF: {e:?}"))?;
    Ok(())
}

fn end_word(line: &mut Line, word: &mut Word) {
    if !word.glyphs.is_empty() {
        line.words.push(std::mem::take(word));
    }
}

/// The error of a file pdfium cannot open, as the uploader should read it.
fn open_error(e: PdfiumError) -> anyhow::Error {
    match e {
        PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::PasswordError) => {
            anyhow!("The PDF is password-protected. Please upload it without password protection.")
        }
        PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::SecurityError) => {
            anyhow!("The PDF is encrypted with an unsupported security handler. Please upload it unencrypted.")
        }
        PdfiumError::PdfiumLibraryInternalError(PdfiumInternalError::FormatError) => {
            anyhow!("The file is not a valid PDF: it is damaged, incomplete or of another format.")
        }
        PdfiumError::IoError(io) => anyhow!("The file could not be read: {io}."),
        other => anyhow!("The PDF could not be opened ({other:?})."),
    }
}

/// Maps pdfium's user-space coordinates (unrotated, relative to the crop box's origin) to the page as
/// displayed: `/Rotate` turns the page clockwise.
struct DisplayTransform {
    x0: f64,
    y0: f64,
    /// The crop box's unrotated width and height.
    w: f64,
    h: f64,
    quarter_turns: u8,
}

impl DisplayTransform {
    fn of(page: &PdfPage) -> Result<DisplayTransform> {
        let b = page.boundaries().bounding().context("reading the page's crop box")?.bounds;
        let quarter_turns = match page.rotation().context("reading the page's rotation")? {
            PdfPageRenderRotation::None => 0,
            PdfPageRenderRotation::Degrees90 => 1,
            PdfPageRenderRotation::Degrees180 => 2,
            PdfPageRenderRotation::Degrees270 => 3,
        };
        Ok(DisplayTransform {
            x0: b.left().value as f64,
            y0: b.bottom().value as f64,
            w: b.width().value as f64,
            h: b.height().value as f64,
            quarter_turns,
        })
    }

    fn point(&self, x: f32, y: f32) -> (f64, f64) {
        let (x, y) = (x as f64 - self.x0, y as f64 - self.y0);
        match self.quarter_turns {
            0 => (x, y),
            1 => (y, self.w - x),
            2 => (self.w - x, self.h - y),
            _ => (self.h - y, x),
        }
    }

    /// The displayed rectangle of a user-space one, rounded to 1/1000 pt.
    fn rect(&self, left: f32, bottom: f32, right: f32, top: f32) -> Rect {
        let (ax, ay) = self.point(left, bottom);
        let (bx, by) = self.point(right, top);
        let round = |v: f64| (v * 1000.0).round() / 1000.0;
        Rect { x0: round(ax.min(bx)), x1: round(ax.max(bx)), y0: round(ay.min(by)), y1: round(ay.max(by)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;
    use std::path::PathBuf;

    const A4: [f64; 2] = [595.0, 842.0];
    /// Courier advances every glyph 600/1000 em: 7.2 pt at 12 pt.
    const ADVANCE: f64 = 7.2;
    /// pdfium's loose box spans Courier's descent and ascent: about −0.25 em and +0.80 em.
    const DESCENT: f64 = 3.0;
    const ASCENT: f64 = 9.6;

    /// The library setup.sh installs; the tests fail without it.
    fn lib() -> PathBuf {
        std::env::var_os("PDFIUM_LIB")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools/pdfium/libpdfium.so"))
    }

    /// One page of a generated PDF: MediaBox `[0 0 w h]`, `/Rotate`, more page dictionary entries, content.
    struct TestPage {
        size: [f64; 2],
        rotate: i32,
        extra: &'static str,
        content: String,
    }

    fn page(size: [f64; 2], rotate: i32, content: String) -> TestPage {
        TestPage { size, rotate, extra: "", content }
    }

    /// `text` in 12 pt Courier with its baseline starting at (`x`, `y`).
    fn text_at(x: f64, y: f64, text: &str) -> String {
        format!("BT /F1 12 Tf {x} {y} Td ({text}) Tj ET\n")
    }

    /// A PDF with the base-14 font Courier as /F1 and the producer "Lectern tests"; `encrypt` adds a
    /// standard security handler (RC4, 40 bits) whose user password is not the empty one.
    fn write_pdf(pages: &[TestPage], encrypt: bool) -> Vec<u8> {
        let n = pages.len();
        // Objects: 1 catalog, 2 pages, 3 font, 4 info, then page and content per page, then Encrypt.
        let mut objects: Vec<String> = Vec::new();
        objects.push("<< /Type /Catalog /Pages 2 0 R >>".into());
        let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 5 + 2 * i)).collect();
        objects.push(format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")));
        objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>".into());
        objects.push("<< /Producer (Lectern tests) >>".into());
        for (i, page) in pages.iter().enumerate() {
            objects.push(format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {} {}] /Rotate {} {} /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
                page.size[0], page.size[1], page.rotate, page.extra, 6 + 2 * i
            ));
            objects.push(format!("<< /Length {} >>\nstream\n{}\nendstream", page.content.len(), page.content));
        }
        if encrypt {
            let (o, u) = ("4a".repeat(32), "7c".repeat(32));
            objects.push(format!("<< /Filter /Standard /V 1 /R 2 /Length 40 /P -4 /O <{o}> /U <{u}> >>"));
        }
        let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
        let mut offsets = Vec::new();
        for (i, body) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
        }
        let xref = out.len();
        let mut tail = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
        for off in offsets {
            writeln!(tail, "{off:010} 00000 n ").unwrap();
        }
        let encrypt_entry = match encrypt {
            true => format!(" /Encrypt {} 0 R /ID [<{id}> <{id}>]", objects.len(), id = "0123456789abcdef".repeat(2)),
            false => String::new(),
        };
        let size = objects.len() + 1;
        write!(tail, "trailer\n<< /Size {size} /Root 1 0 R /Info 4 0 R{encrypt_entry} >>\nstartxref\n{xref}\n%%EOF\n")
            .unwrap();
        out.extend_from_slice(tail.as_bytes());
        out
    }

    fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("lectern-pdf-tests-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn open(name: &str, pages: &[TestPage]) -> PdfFile {
        PdfFile::open(&lib(), &temp_file(name, &write_pdf(pages, false))).unwrap()
    }

    /// The words of each line.
    fn words(content: &PageContent) -> Vec<Vec<String>> {
        content
            .lines
            .iter()
            .map(|l| l.words.iter().map(|w| w.glyphs.iter().map(|g| g.ch).collect()).collect())
            .collect()
    }

    /// Asserts that `line` holds `text` drawn by `text_at(x, y, text)` on an unrotated page.
    fn assert_drawn(line: &Line, x: f64, y: f64, text: &str) {
        let glyphs: Vec<&Glyph> = line.words.iter().flat_map(|w| &w.glyphs).collect();
        let drawn: Vec<(usize, char)> = text.chars().enumerate().filter(|(_, c)| *c != ' ').collect();
        assert_eq!(glyphs.len(), drawn.len(), "{text}");
        for (g, (i, ch)) in glyphs.iter().zip(drawn) {
            let x0 = x + ADVANCE * i as f64;
            let r = g.rect;
            assert_eq!(g.ch, ch);
            assert!(
                (r.x0 - x0).abs() < 0.01 && (r.x1 - (x0 + ADVANCE)).abs() < 0.01,
                "{ch:?} at {r:?}, drawn at x {x0}"
            );
            assert!(
                (r.y0 - (y - DESCENT)).abs() < 1.0 && (r.y1 - (y + ASCENT)).abs() < 1.0,
                "{ch:?} at {r:?}, baseline {y}"
            );
        }
    }

    #[test]
    fn page_count_sizes_as_displayed_and_producer() {
        let pdf = open(
            "sizes.pdf",
            &[
                page(A4, 0, String::new()),
                page(A4, 90, String::new()),
                page(A4, 180, String::new()),
                page(A4, 270, String::new()),
                page([612.0, 792.0], 0, String::new()),
            ],
        );
        assert_eq!(pdf.page_count(), 5);
        assert_eq!(pdf.page_sizes(), &[[595.0, 842.0], [842.0, 595.0], [595.0, 842.0], [842.0, 595.0], [612.0, 792.0]]);
        assert_eq!(pdf.producer(), Some("Lectern tests"));
        fn send_and_sync<T: Send + Sync>() {}
        send_and_sync::<PdfFile>();
        assert_eq!(pdf.page_content(1).unwrap().width, 842.0);
        assert!(pdf.page_content(5).is_err());
    }

    #[test]
    fn character_boxes_lines_and_words_are_where_courier_drew_them() {
        let first = text_at(72.0, 700.0, "Hello world") + &text_at(100.5, 500.25, "Total: 9,50 EUR");
        let second = "BT /F1 12 Tf 72 760 Td (Invoice 42) Tj 0 -14 Td (due  today) Tj ET\n".to_string();
        let pdf =
            open("text.pdf", &[page(A4, 0, first), page(A4, 0, second), page(A4, 0, text_at(300.0, 100.0, "end"))]);

        let p0 = pdf.page_content(0).unwrap();
        assert_eq!((p0.width, p0.height), (595.0, 842.0));
        assert_eq!(words(&p0), [vec!["Hello", "world"], vec!["Total:", "9,50", "EUR"]]);
        assert_drawn(&p0.lines[0], 72.0, 700.0, "Hello world");
        assert_drawn(&p0.lines[1], 100.5, 500.25, "Total: 9,50 EUR");

        let p1 = pdf.page_content(1).unwrap();
        assert_eq!(words(&p1), [vec!["Invoice", "42"], vec!["due", "today"]]);
        assert_drawn(&p1.lines[0], 72.0, 760.0, "Invoice 42");
        assert_drawn(&p1.lines[1], 72.0, 746.0, "due  today");

        let p2 = pdf.page_content(2).unwrap();
        assert_eq!(words(&p2), [vec!["end"]]);
        assert_drawn(&p2.lines[0], 300.0, 100.0, "end");
        assert!(pdf.has_text(2).unwrap());
    }

    #[test]
    fn boxes_are_relative_to_the_crop_box() {
        let mut cropped = page(A4, 0, text_at(72.0, 700.0, "Hi"));
        cropped.extra = "/CropBox [50 100 545 742]";
        let pdf = open("crop.pdf", &[cropped]);
        assert_eq!(pdf.page_sizes(), &[[495.0, 642.0]]);
        assert_drawn(&pdf.page_content(0).unwrap().lines[0], 22.0, 600.0, "Hi");
    }

    fn rects(c: &PageContent) -> Vec<(char, Rect)> {
        c.lines.iter().flat_map(|l| &l.words).flat_map(|w| &w.glyphs).map(|g| (g.ch, g.rect)).collect()
    }

    fn assert_close(a: &Rect, b: &Rect, what: &str) {
        let d = [a.x0 - b.x0, a.x1 - b.x1, a.y0 - b.y0, a.y1 - b.y1];
        assert!(d.iter().all(|d| d.abs() < 1.0), "{what}: {a:?} vs {b:?}");
    }

    const LINES: [(f64, f64, &str); 3] =
        [(72.0, 700.0, "Rotated page"), (72.0, 686.0, "second line 12,50"), (400.0, 60.0, "foot")];

    fn lines_text() -> String {
        LINES.iter().map(|(x, y, t)| text_at(*x, *y, t)).collect()
    }

    /// Text drawn on a page with `/Rotate` against the same text drawn on a page generated already
    /// rotated (MediaBox swapped for quarter turns, content turned clockwise by a `cm` matrix).
    #[test]
    fn rotated_pages_match_pages_drawn_rotated() {
        let text = lines_text();
        let (w, h) = (A4[0], A4[1]);
        for (rotate, matrix) in
            [(90, format!("0 -1 1 0 0 {w}")), (180, format!("-1 0 0 -1 {w} {h}")), (270, format!("0 1 -1 0 {h} 0"))]
        {
            let displayed = if rotate == 180 { A4 } else { [h, w] };
            let pdf = open(
                &format!("rotate{rotate}.pdf"),
                &[page(A4, rotate, text.clone()), page(displayed, 0, format!("q {matrix} cm\n{text}Q\n"))],
            );
            assert_eq!(pdf.page_sizes(), &[displayed, displayed], "/Rotate {rotate}");
            let (rotated, drawn) = (pdf.page_content(0).unwrap(), pdf.page_content(1).unwrap());
            // pdfium may order sideways lines differently on the two pages: compare them as sets.
            let mut lines = [words(&rotated), words(&drawn)];
            lines.iter_mut().for_each(|l| l.sort());
            assert_eq!(
                lines[0],
                [vec!["Rotated", "page"], vec!["foot"], vec!["second", "line", "12,50"]],
                "/Rotate {rotate}"
            );
            assert_eq!(lines[0], lines[1], "/Rotate {rotate}");
            let drawn = rects(&drawn);
            for (ch, r) in rects(&rotated) {
                let (_, nearest) = drawn
                    .iter()
                    .filter(|(c, _)| *c == ch)
                    .min_by(|a, b| dist(&a.1, &r).total_cmp(&dist(&b.1, &r)))
                    .unwrap();
                assert_close(&r, nearest, &format!("/Rotate {rotate} {ch:?} vs drawn rotated"));
                assert!(r.x0 >= 0.0 && r.x1 <= displayed[0] && r.y0 >= 0.0 && r.y1 <= displayed[1]);
            }
            // On a quarter turn the advance runs down or up the page: the first glyph box is 7.2 pt tall.
            let (_, first) = rects(&pdf.page_content(0).unwrap()).into_iter().find(|(c, _)| *c == 'R').unwrap();
            let advance = if rotate == 180 { first.x1 - first.x0 } else { first.y1 - first.y0 };
            assert!((advance - ADVANCE).abs() < 0.01, "{first:?}");
        }
    }

    fn dist(a: &Rect, b: &Rect) -> f64 {
        (a.x0 - b.x0).abs() + (a.x1 - b.x1).abs() + (a.y0 - b.y0).abs() + (a.y1 - b.y1).abs()
    }

    /// The common case of a rotated page: `/Rotate` with content turned the other way, so the text
    /// reads upright on screen. It must come out exactly like the same text on an unrotated page.
    #[test]
    fn upright_text_on_rotated_pages_matches_an_unrotated_page() {
        let text = lines_text();
        let (w, h) = (A4[0], A4[1]);
        let reference = open("upright.pdf", &[page(A4, 0, text.clone())]).page_content(0).unwrap();
        for (rotate, matrix) in
            [(90, format!("0 1 -1 0 {h} 0")), (180, format!("-1 0 0 -1 {w} {h}")), (270, format!("0 -1 1 0 0 {w}"))]
        {
            let media = if rotate == 180 { A4 } else { [h, w] };
            let pdf =
                open(&format!("upright{rotate}.pdf"), &[page(media, rotate, format!("q {matrix} cm\n{text}Q\n"))]);
            assert_eq!(pdf.page_sizes(), &[A4], "/Rotate {rotate}");
            let content = pdf.page_content(0).unwrap();
            assert_eq!(words(&content), words(&reference), "/Rotate {rotate}");
            for ((_, a), (_, b)) in rects(&content).iter().zip(rects(&reference)) {
                assert_close(a, &b, &format!("/Rotate {rotate} vs unrotated"));
            }
            for (line, (x, y, t)) in content.lines.iter().zip(LINES) {
                assert_drawn(line, x, y, t);
            }
        }
    }

    #[test]
    fn pages_without_text_have_no_lines() {
        let pdf = open(
            "empty.pdf",
            &[page(A4, 0, String::new()), page(A4, 0, "0 0 m 300 300 l S 10 10 100 100 re f\n".into())],
        );
        for i in 0..2 {
            assert!(pdf.page_content(i).unwrap().lines.is_empty());
            assert!(!pdf.has_text(i).unwrap());
        }
    }

    #[test]
    fn unreadable_files_give_sentences_not_panics() {
        let good =
            write_pdf(&[page(A4, 0, text_at(72.0, 700.0, "one")), page(A4, 0, text_at(72.0, 700.0, "two"))], false);
        let cases: Vec<(&str, Vec<u8>, &str)> = vec![
            ("garbage.pdf", b"this is a text file, not a PDF\n".repeat(20), "not a valid PDF"),
            ("empty.pdf", Vec::new(), "not a valid PDF"),
            ("truncated.pdf", good[..good.len() / 3].to_vec(), "not a valid PDF"),
            ("encrypted.pdf", write_pdf(&[page(A4, 0, text_at(72.0, 700.0, "secret"))], true), "password-protected"),
        ];
        for (name, bytes, expected) in cases {
            let result = PdfFile::open(&lib(), &temp_file(name, &bytes));
            let message = result.err().unwrap_or_else(|| panic!("{name} opened")).to_string();
            assert!(message.contains(expected), "{name}: {message}");
        }
        let missing = PdfFile::open(&lib(), Path::new("/nonexistent/file.pdf")).err().unwrap().to_string();
        assert!(missing.contains("could not be read"), "{missing}");
    }

    #[test]
    fn renders_pages_in_colour_with_text_where_the_boxes_are() {
        // Text and a light blue square (RGB 153, 204, 255) at (300, 100)–(400, 200).
        let text = text_at(72.0, 700.0, "MMMMMMMMMMMMMMMMMMMM")
            + &text_at(72.0, 686.0, "WWWWWWWWWWWWWWWWWWWW")
            + "0.6 0.8 1 rg 300 100 100 100 re f\n";
        let pdf = open("render.pdf", &[page(A4, 0, text.clone()), page(A4, 90, text)]);
        for index in 0..2 {
            let size = pdf.page_sizes()[index];
            let rendered = pdf.render(index, PAGE_IMAGE_LONG_SIDE).unwrap();
            let (w, h) = rendered.dimensions();
            let pixels: Vec<u8> =
                rendered.pixels().map(|p| (p.0.iter().map(|&c| c as u32).sum::<u32>() / 3) as u8).collect();
            assert_eq!(w.max(h), PAGE_IMAGE_LONG_SIDE);
            assert!((w as f64 / h as f64 - size[0] / size[1]).abs() < 0.002, "{w}x{h} for {size:?}");

            let content = pdf.page_content(index).unwrap();
            let glyphs = content.lines.iter().flat_map(|l| &l.words).flat_map(|w| &w.glyphs);
            let text_box = glyphs.map(|g| g.rect).reduce(Rect::union).unwrap();
            let [left, top, width, height] = text_box.to_pixels(size, [w as f64, h as f64]);
            let dark = |x0: f64, y0: f64, x1: f64, y1: f64, inside: bool| {
                let mut n = 0;
                for y in 0..h as usize {
                    for x in 0..w as usize {
                        let within = (x as f64) >= x0 && (x as f64) < x1 && (y as f64) >= y0 && (y as f64) < y1;
                        if within == inside && pixels[y * w as usize + x] < 128 {
                            n += 1;
                        }
                    }
                }
                n
            };
            let inside = dark(left, top, left + width, top + height, true);
            assert!(inside as f64 > 0.1 * width * height, "page {index}: {inside} dark pixels in the text box");
            let outside = dark(left - 2.0, top - 2.0, left + width + 2.0, top + height + 2.0, false);
            assert_eq!(outside, 0, "page {index}: dark pixels outside the text box");

            let square = Rect { x0: 300.0, x1: 400.0, y0: 100.0, y1: 200.0 };
            let square = if index == 1 { Rect { x0: 100.0, x1: 200.0, y0: 195.0, y1: 295.0 } } else { square };
            let [sx, sy, sw, sh] = square.to_pixels(size, [w as f64, h as f64]);
            let blue = rendered.get_pixel((sx + sw / 2.0) as u32, (sy + sh / 2.0) as u32).0;
            assert_eq!(blue, [153, 204, 255], "page {index}: the light blue square");

            let (tw, th) = pdf.render(index, THUMBNAIL_LONG_SIDE).unwrap().dimensions();
            assert_eq!(tw.max(th), THUMBNAIL_LONG_SIDE);
        }
    }

    #[test]
    fn huge_pages_render_within_the_pixel_cap() {
        let pdf = open("poster.pdf", &[page([14400.0, 14400.0], 0, text_at(72.0, 700.0, "poster"))]);
        let (w, h) = pdf.render(0, 20_000).unwrap().dimensions();
        assert!((w * h) as f64 <= MAX_PIXELS && w == h, "{w}x{h}");
    }
}

//! OCR of page images with tesseract (in-process, `deu+eng`) into page content and searchable PDFs.

use super::layout::{Glyph, Line, PageContent, Word};
use anyhow::{bail, ensure, Context, Result};
use lectern_api::geometry::Rect;
use std::cell::RefCell;
use std::ffi::{CStr, CString};
use std::os::raw::c_int;
use std::path::Path;
use std::ptr;
use tesseract_sys::*;

/// Tesseract's OpenMP threads fight the worker pool for the cores (a page takes about 5× longer). OpenMP reads
/// its limit when the library loads, before `main`, so without `OMP_THREAD_LIMIT` the process starts itself
/// again with the limit set; this returns only when the limit is in place (or the restart failed).
pub fn limit_openmp_threads() -> std::io::Result<()> {
    use std::os::unix::process::CommandExt;
    if std::env::var_os("OMP_THREAD_LIMIT").is_some() {
        return Ok(());
    }
    Err(std::process::Command::new(std::env::current_exe()?)
        .args(std::env::args_os().skip(1))
        .env("OMP_THREAD_LIMIT", "1")
        .exec())
}

/// A page image: rows of tightly packed 8-bit pixels, grey (1 channel) or RGB (3), and its resolution.
#[derive(Debug, Clone, Copy)]
pub struct PageImage<'a> {
    pub width: u32,
    pub height: u32,
    pub channels: u8,
    pub dpi: u32,
    pub pixels: &'a [u8],
}

/// One tesseract engine with the German and English models loaded (slow to create: reuse it).
/// Run OCR processes with `OMP_THREAD_LIMIT=1`: Debian's tesseract parallelises with OpenMP, which only contends
/// with a pool of one worker per core (a dense page took 10 s instead of 2 s on a loaded 2-core machine).
pub struct Engine {
    api: *mut TessBaseAPI,
}

thread_local! {
    static ENGINE: RefCell<Option<Engine>> = const { RefCell::new(None) };
}

/// Runs `f` with this thread's engine, created on first use.
pub fn with_engine<T>(f: impl FnOnce(&mut Engine) -> Result<T>) -> Result<T> {
    ENGINE.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Some(Engine::new()?);
        }
        f(slot.as_mut().expect("engine just created"))
    })
}

/// OCR of one page with this thread's engine.
pub fn recognize(page: &PageImage) -> Result<PageContent> {
    with_engine(|engine| engine.recognize(page))
}

/// A searchable PDF (page images visible, their text invisible on top) written page by page through tesseract's
/// own renderer with this thread's engine: each page goes to the file as it is added, so none is kept in memory.
pub struct SearchablePdf {
    renderer: *mut TessResultRenderer,
}

impl SearchablePdf {
    /// Starts writing the PDF to `path`, which must end in `.pdf` (tesseract adds the extension itself).
    pub fn begin(path: &Path) -> Result<Self> {
        ensure!(
            path.extension().is_some_and(|e| e == "pdf"),
            "{}: a searchable PDF's name ends in .pdf",
            path.display()
        );
        let base = CString::new(path.with_extension("").to_str().context("PDF path is not UTF-8")?)?;
        with_engine(|engine| {
            // SAFETY: the renderer copies both strings; it is deleted on drop, which also runs if beginning fails.
            unsafe {
                let renderer = TessPDFRendererCreate(base.as_ptr(), TessBaseAPIGetDatapath(engine.api), 0);
                ensure!(!renderer.is_null(), "tesseract: could not create the PDF renderer");
                let pdf = SearchablePdf { renderer };
                ensure!(
                    TessResultRendererBeginDocument(renderer, c"".as_ptr()) != 0,
                    "tesseract: could not begin the PDF {}",
                    path.display()
                );
                Ok(pdf)
            }
        })
    }

    /// Recognises the page, appends it to the PDF and returns its content.
    pub fn add_page(&mut self, page: &PageImage) -> Result<PageContent> {
        with_engine(|engine| {
            let content = engine.recognize(page)?;
            // Recognition saw the thresholded image; the PDF shows the original.
            let pnm = pnm(page);
            // SAFETY: the pix handed over is owned by tesseract afterwards; Clear releases it and the page's
            // recognition once the page is written.
            unsafe {
                let pix = leptonica_sys::pixReadMem(pnm.as_ptr(), pnm.len());
                ensure!(!pix.is_null(), "leptonica: could not read the page image");
                TessBaseAPISetInputImage(engine.api, pix);
                let added = TessResultRendererAddImage(self.renderer, engine.api);
                TessBaseAPIClear(engine.api);
                ensure!(added != 0, "tesseract: adding a PDF page failed");
            }
            Ok(content)
        })
    }

    /// Ends the document and closes the file.
    pub fn finish(self) -> Result<()> {
        // SAFETY: the renderer is ours; drop deletes it, which closes the file.
        ensure!(unsafe { TessResultRendererEndDocument(self.renderer) } != 0, "tesseract: PDF end failed");
        Ok(())
    }
}

impl Drop for SearchablePdf {
    fn drop(&mut self) {
        // SAFETY: the handle is ours and not used after this.
        unsafe { TessDeleteResultRenderer(self.renderer) }
    }
}

impl Engine {
    pub fn new() -> Result<Self> {
        // SAFETY: plain C API calls on a handle we own; strings are NUL-terminated.
        unsafe {
            let api = TessBaseAPICreate();
            ensure!(!api.is_null(), "tesseract: could not create an engine");
            if std::env::var_os("OMP_THREAD_LIMIT").is_none() {
                tracing::warn!("OMP_THREAD_LIMIT is unset: tesseract's OpenMP threads will contend with other workers");
            }
            let engine = Engine { api };
            if TessBaseAPIInit3(api, ptr::null(), c"deu+eng".as_ptr()) != 0 {
                bail!("tesseract: could not load the deu+eng models (are tesseract-ocr-deu and -eng installed?)");
            }
            // Keep tesseract's diagnostics ("Empty page!!" and the like) out of the server's stderr.
            TessBaseAPISetVariable(api, c"debug_file".as_ptr(), c"/dev/null".as_ptr());
            Ok(engine)
        }
    }

    /// Recognises the page: lines and words as tesseract reports them, glyph boxes in points, origin bottom-left.
    pub fn recognize(&mut self, page: &PageImage) -> Result<PageContent> {
        self.run(page)?;
        Ok(self.content(page))
    }

    /// Thresholds the page, hands it to tesseract with its resolution and recognises it.
    fn run(&mut self, page: &PageImage) -> Result<()> {
        ensure!(matches!(page.channels, 1 | 3), "page image: {} channels (1 or 3 expected)", page.channels);
        ensure!(page.width > 0 && page.height > 0, "page image: empty");
        let len = page.width as usize * page.height as usize * page.channels as usize;
        ensure!(page.pixels.len() == len, "page image: {} bytes for {len} expected", page.pixels.len());
        // Tesseract ignores resolutions outside 70..=2400 and guesses instead.
        ensure!((70..=2400).contains(&page.dpi), "page image: {} dpi (70..=2400 supported)", page.dpi);
        let binary = threshold(&grey(page));
        // SAFETY: `binary` outlives recognition (tesseract copies it into its own image in SetImage).
        unsafe {
            TessBaseAPISetImage(
                self.api,
                binary.as_ptr(),
                page.width as c_int,
                page.height as c_int,
                1,
                page.width as c_int,
            );
            TessBaseAPISetSourceResolution(self.api, page.dpi as c_int);
            ensure!(TessBaseAPIRecognize(self.api, ptr::null_mut()) == 0, "tesseract: recognition failed");
        }
        Ok(())
    }

    /// Walks the last recognition symbol by symbol.
    fn content(&mut self, page: &PageImage) -> PageContent {
        let pt = |px: f64| px * 72.0 / page.dpi as f64;
        let (width, height) = (pt(page.width as f64), pt(page.height as f64));
        let mut lines: Vec<Line> = Vec::new();
        // SAFETY: the iterator belongs to the last recognition and is deleted here; texts are freed after copying.
        unsafe {
            let it = TessBaseAPIGetIterator(self.api);
            if it.is_null() {
                return PageContent { width, height, lines };
            }
            let level = TessPageIteratorLevel_RIL_SYMBOL;
            let page_it = TessResultIteratorGetPageIteratorConst(it);
            loop {
                let text = TessResultIteratorGetUTF8Text(it, level);
                let (mut l, mut t, mut r, mut b) = (0, 0, 0, 0);
                if !text.is_null() && TessPageIteratorBoundingBox(page_it, level, &mut l, &mut t, &mut r, &mut b) != 0 {
                    let s = CStr::from_ptr(text).to_string_lossy().into_owned();
                    if lines.is_empty()
                        || TessPageIteratorIsAtBeginningOf(page_it, TessPageIteratorLevel_RIL_TEXTLINE) != 0
                    {
                        lines.push(Line::default());
                    }
                    let line = lines.last_mut().expect("line pushed");
                    if line.words.is_empty()
                        || TessPageIteratorIsAtBeginningOf(page_it, TessPageIteratorLevel_RIL_WORD) != 0
                    {
                        line.words.push(Word::default());
                    }
                    let word = line.words.last_mut().expect("word pushed");
                    // A symbol of several characters shares its box out evenly.
                    let chars: Vec<char> = s.chars().filter(|c| !c.is_whitespace()).collect();
                    let step = (r - l) as f64 / chars.len().max(1) as f64;
                    for (i, ch) in chars.into_iter().enumerate() {
                        let x0 = l as f64 + step * i as f64;
                        let rect = Rect {
                            x0: pt(x0),
                            x1: pt(x0 + step),
                            y0: height - pt(b as f64),
                            y1: height - pt(t as f64),
                        };
                        word.glyphs.push(Glyph { ch, rect });
                    }
                }
                if !text.is_null() {
                    TessDeleteText(text);
                }
                if TessResultIteratorNext(it, level) == 0 {
                    break;
                }
            }
            TessResultIteratorDelete(it);
        }
        lines.retain(|l| l.words.iter().any(|w| !w.glyphs.is_empty()));
        PageContent { width, height, lines }
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        // SAFETY: the handle is ours and not used after this.
        unsafe {
            TessBaseAPIEnd(self.api);
            TessBaseAPIDelete(self.api);
        }
    }
}

/// The page in grey levels.
fn grey(page: &PageImage) -> Vec<u8> {
    if page.channels == 1 {
        return page.pixels.to_vec();
    }
    page.pixels
        .chunks_exact(3)
        .map(|p| ((p[0] as u32 * 299 + p[1] as u32 * 587 + p[2] as u32 * 114) / 1000) as u8)
        .collect()
}

/// Black and white, cut halfway between paper (the median grey) and ink (the darkest 0.01 %), so faint grey print
/// becomes solid and scanner noise paper; a page without that contrast becomes white. (Otsu's global threshold
/// splits the paper's noise instead when print covers only a little of a noisy page.)
fn threshold(grey: &[u8]) -> Vec<u8> {
    let mut hist = [0usize; 256];
    for &v in grey {
        hist[v as usize] += 1;
    }
    let level = |count: usize| {
        let mut seen = 0;
        hist.iter()
            .position(|&n| {
                seen += n;
                seen > count
            })
            .unwrap_or(255)
    };
    let (ink, paper) = (level(grey.len() / 10_000), level(grey.len() / 2));
    if paper < ink + 32 {
        return vec![255; grey.len()];
    }
    let cut = ((ink + paper) / 2) as u8;
    grey.iter().map(|&v| if v <= cut { 0 } else { 255 }).collect()
}

/// The page as a binary PNM (P5 grey, P6 RGB), which leptonica reads from memory.
fn pnm(page: &PageImage) -> Vec<u8> {
    let magic = if page.channels == 1 { "P5" } else { "P6" };
    let mut out = format!("{magic}\n{} {}\n255\n", page.width, page.height).into_bytes();
    out.extend_from_slice(page.pixels);
    out
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};
    use std::process::Command;
    use std::time::Instant;

    pub(in crate::pipeline) const INVOICE: [&str; 6] = [
        "Rechnung Nr. 2024-0815",
        "Müller & Söhne GmbH, Hauptstraße 12, 80331 München",
        "Invoice date: 12.03.2024 Due date: 26.03.2024",
        "3 Stück Größe XL à 19,99 EUR",
        "Total amount due: 59,97 EUR",
        "Zahlbar innerhalb von 14 Tagen ohne Abzug.",
    ];

    /// A drawn word: its text, line and ink box in points (origin bottom-left).
    #[derive(Debug)]
    pub(in crate::pipeline) struct Drawn {
        pub(in crate::pipeline) text: String,
        line: usize,
        rect: Rect,
    }

    /// A grey page of `width`×`height` pixels at `dpi` with `lines` drawn in 12 pt DejaVu Sans from one inch in,
    /// 24 pt apart, `ink` on `paper`, plus ±`noise` levels of deterministic scanner noise.
    pub(in crate::pipeline) fn draw(
        width: u32,
        height: u32,
        dpi: u32,
        lines: &[&str],
        ink: u8,
        paper: u8,
        noise: u8,
    ) -> (Vec<u8>, Vec<Drawn>) {
        let bytes = std::fs::read("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").expect("fonts-dejavu-core");
        let font = FontRef::try_from_slice(&bytes).unwrap();
        let px = 12.0 * dpi as f32 / 72.0;
        let scaled = font.as_scaled(PxScale::from(px));
        let (w, h) = (width as usize, height as usize);
        let mut seed = 12345u32;
        let mut pixels: Vec<u8> = (0..w * h)
            .map(|_| {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                let n = ((seed >> 16) % (2 * noise as u32 + 1)) as i32 - noise as i32;
                (paper as i32 + n).clamp(0, 255) as u8
            })
            .collect();
        let pt = |px: usize| px as f64 * 72.0 / dpi as f64;
        let mut drawn = Vec::new();
        for (line, text) in lines.iter().enumerate() {
            let baseline = dpi as f32 * (1.5 + line as f32 / 3.0);
            let mut x = dpi as f32;
            for word in text.split(' ').filter(|w| !w.is_empty()) {
                let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
                let mut prev = None;
                for ch in word.chars() {
                    let id = font.glyph_id(ch);
                    if let Some(p) = prev {
                        x += scaled.kern(p, id);
                    }
                    if let Some(outline) = font.outline_glyph(id.with_scale_and_position(px, point(x, baseline))) {
                        let b = outline.px_bounds();
                        outline.draw(|gx, gy, c| {
                            let (px_x, px_y) =
                                ((b.min.x as i32 + gx as i32) as usize, (b.min.y as i32 + gy as i32) as usize);
                            let p = &mut pixels[px_y * w + px_x];
                            *p = (*p as f32 - c.min(1.0) * (*p as f32 - ink as f32)).round() as u8;
                            if c > 0.5 {
                                (x0, y0, x1, y1) = (x0.min(px_x), y0.min(px_y), x1.max(px_x + 1), y1.max(px_y + 1));
                            }
                        });
                    }
                    x += scaled.h_advance(id);
                    prev = Some(id);
                }
                x += scaled.h_advance(font.glyph_id(' '));
                let rect = Rect { x0: pt(x0), x1: pt(x1), y0: pt(h - y1), y1: pt(h - y0) };
                drawn.push(Drawn { text: word.to_string(), line, rect });
            }
        }
        (pixels, drawn)
    }

    /// A4 at 300 dpi.
    const A4: (u32, u32) = (2480, 3508);

    fn words(page: &PageContent) -> Vec<(String, usize, Rect)> {
        let mut out = Vec::new();
        for (i, line) in page.lines.iter().enumerate() {
            for word in &line.words {
                let rect = word.glyphs.iter().map(|g| g.rect).reduce(Rect::union).unwrap();
                out.push((word.glyphs.iter().map(|g| g.ch).collect(), i, rect));
            }
        }
        out
    }

    /// Pairs of (recognised index, drawn index) of equal words, in order (longest common subsequence).
    fn align(got: &[(String, usize, Rect)], want: &[Drawn]) -> Vec<(usize, usize)> {
        let (n, m) = (got.len(), want.len());
        let mut lcs = vec![vec![0usize; m + 1]; n + 1];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[i][j] =
                    if got[i].0 == want[j].text { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
            }
        }
        let (mut i, mut j, mut pairs) = (0, 0, Vec::new());
        while i < n && j < m {
            if got[i].0 == want[j].text {
                pairs.push((i, j));
                (i, j) = (i + 1, j + 1);
            } else if lcs[i + 1][j] >= lcs[i][j + 1] {
                i += 1;
            } else {
                j += 1;
            }
        }
        pairs
    }

    /// Recognises the page and checks accuracy, lines, order and boxes against what was drawn.
    fn check(pixels: &[u8], drawn: &[Drawn]) {
        let image = PageImage { width: A4.0, height: A4.1, channels: 1, dpi: 300, pixels };
        let start = Instant::now();
        let page = recognize(&image).unwrap();
        let seconds = start.elapsed().as_secs_f64();
        assert_eq!((page.width, page.height), (595.2, 841.92));
        let got = words(&page);
        let pairs = align(&got, drawn);
        let text: Vec<&str> = got.iter().map(|w| w.0.as_str()).collect();
        let accuracy = pairs.len() as f64 / drawn.len() as f64;
        assert!(accuracy >= 0.95, "word accuracy {accuracy:.3}: {text:?}");
        assert_eq!(page.lines.len(), INVOICE.len(), "{text:?}");
        let mut worst = 0.0f64;
        for &(g, d) in &pairs {
            let (word, line, r) = (&got[g].0, got[g].1, got[g].2);
            let want = &drawn[d];
            assert_eq!(line, want.line, "{word} on the wrong line");
            let w = want.rect;
            let off = [r.x0 - w.x0, r.x1 - w.x1, r.y0 - w.y0, r.y1 - w.y1];
            assert!(off.iter().all(|d| d.abs() <= 2.0), "{word}: box {r:?}, drawn at {w:?}");
            worst = off.iter().fold(worst, |m, d| m.max(d.abs()));
        }
        eprintln!("OCR of a 300 dpi A4 page: {seconds:.2} s, accuracy {accuracy:.3}, word boxes within {worst:.2} pt");
        for line in &page.lines {
            for glyph in line.words.iter().flat_map(|w| &w.glyphs) {
                let r = glyph.rect;
                assert!(0.0 <= r.x0 && r.x0 <= r.x1 && r.x1 <= page.width, "{glyph:?}");
                assert!(0.0 <= r.y0 && r.y0 <= r.y1 && r.y1 <= page.height, "{glyph:?}");
            }
            let xs: Vec<f64> = line.words.iter().flat_map(|w| &w.glyphs).map(|g| g.rect.x0).collect();
            assert!(xs.windows(2).all(|p| p[0] <= p[1]), "glyphs out of order in a line");
        }
        let tops: Vec<f64> = page.lines.iter().map(|l| l.words[0].glyphs[0].rect.y1).collect();
        assert!(tops.windows(2).all(|p| p[0] > p[1]), "lines must run top to bottom: {tops:?}");
    }

    #[test]
    fn recognises_a_clean_page_with_boxes_in_points() {
        let (pixels, drawn) = draw(A4.0, A4.1, 300, &INVOICE, 0, 255, 0);
        check(&pixels, &drawn);
    }

    #[test]
    fn thresholding_rescues_a_light_grey_scan() {
        let (pixels, drawn) = draw(A4.0, A4.1, 300, &INVOICE, 185, 235, 10);
        check(&pixels, &drawn);
    }

    #[test]
    fn blank_pages_have_no_lines() {
        for (paper, noise) in [(255, 0), (235, 10)] {
            let (pixels, _) = draw(A4.0, A4.1, 300, &[], 0, paper, noise);
            let page =
                recognize(&PageImage { width: A4.0, height: A4.1, channels: 1, dpi: 300, pixels: &pixels }).unwrap();
            assert!(page.lines.is_empty(), "{page:?}");
        }
        // Little print on a noisy page is still print.
        let (pixels, drawn) = draw(A4.0, A4.1, 300, &["Seite 2"], 185, 235, 10);
        let page = recognize(&PageImage { width: A4.0, height: A4.1, channels: 1, dpi: 300, pixels: &pixels }).unwrap();
        assert_eq!(align(&words(&page), &drawn).len(), 2, "{page:?}");
    }

    #[test]
    fn bad_images_are_errors() {
        let pixels = vec![255u8; 100];
        assert!(recognize(&PageImage { width: 10, height: 10, channels: 3, dpi: 300, pixels: &pixels }).is_err());
        assert!(recognize(&PageImage { width: 10, height: 10, channels: 1, dpi: 10, pixels: &pixels }).is_err());
    }

    fn poppler(tool: &str, args: &[&str]) -> String {
        let out = Command::new(tool).args(args).output().unwrap_or_else(|e| panic!("{tool} (poppler-utils): {e}"));
        assert!(out.status.success(), "{tool}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    #[test]
    fn searchable_pdf_is_written_page_by_page_with_the_text_in_place() {
        let (a4, _) = draw(A4.0, A4.1, 300, &INVOICE, 0, 255, 0);
        let (small, _) = draw(1400, 700, 200, &["Lieferschein für Bestellung 4711"], 40, 250, 0);
        let rgb: Vec<u8> = small.iter().flat_map(|&v| [v, v, v]).collect();
        let pages = [
            PageImage { width: A4.0, height: A4.1, channels: 1, dpi: 300, pixels: &a4 },
            PageImage { width: 1400, height: 700, channels: 3, dpi: 200, pixels: &rgb },
        ];
        let path = std::env::temp_dir().join(format!("lectern-ocr-test-{}.pdf", std::process::id()));
        let start = Instant::now();
        let mut pdf = SearchablePdf::begin(&path).unwrap();
        let contents: Vec<PageContent> = pages.iter().map(|page| pdf.add_page(page).unwrap()).collect();
        pdf.finish().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        eprintln!("searchable PDF of 2 pages: {:.2} s, {} bytes", start.elapsed().as_secs_f64(), bytes.len());
        assert!(bytes.starts_with(b"%PDF-"));
        assert_eq!((contents[0].width, contents[0].height), (595.2, 841.92));
        let file = path.to_str().unwrap();

        let info = poppler("pdfinfo", &["-f", "1", "-l", "9", file]);
        let sizes: Vec<&str> = info.lines().filter(|l| l.starts_with("Page") && l.contains("size:")).collect();
        assert_eq!(sizes.len(), 2, "{info}");
        assert!(sizes[0].contains("595.2 x 841.92 pts"), "{info}");
        assert!(sizes[1].contains("504 x 252 pts"), "{info}");

        let text = poppler("pdftotext", &["-layout", file, "-"]);
        let pages_text: Vec<&str> = text.split('\u{c}').collect();
        assert!(pages_text[0].contains("Rechnung") && pages_text[0].contains("Abzug."), "{text}");
        assert!(pages_text[1].contains("Lieferschein") && pages_text[1].contains("4711"), "{text}");

        // Each word of the text layer starts within 1 pt of the word the OCR reported and lies on it (pdftotext:
        // points, origin top-left). It ends short of the word's right edge: tesseract stretches word and trailing
        // space together over the word's box.
        let bbox = poppler("pdftotext", &["-bbox", file, "-"]);
        let mut checked = 0;
        for (page, html) in bbox.split("<page ").skip(1).enumerate() {
            let content = &contents[page];
            let ours = words(content);
            for w in html.split("<word ").skip(1) {
                let attr = |name: &str| -> f64 {
                    let rest = &w[w.find(&format!("{name}=\"")).unwrap() + name.len() + 2..];
                    rest[..rest.find('"').unwrap()].parse().unwrap()
                };
                let (x0, x1, top, bottom) = (attr("xMin"), attr("xMax"), attr("yMin"), attr("yMax"));
                let y = content.height - (top + bottom) / 2.0;
                let text = &w[w.find('>').unwrap() + 1..w.find("</word>").unwrap()];
                let (word, _, r) = ours
                    .iter()
                    .find(|(_, _, r)| (r.x0 - x0).abs() <= 1.0 && r.y0 - 1.0 <= y && y <= r.y1 + 1.0)
                    .unwrap_or_else(|| panic!("no OCR word under {w} on page {page}"));
                assert!(x1 <= r.x1 + 1.0, "text layer past its word: {w} vs {r:?}");
                assert_eq!(text.replace("&amp;", "&"), *word);
                checked += 1;
            }
        }
        assert!(checked >= 30, "{bbox}");
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn searchable_pdf_needs_a_pdf_name_and_a_writable_place() {
        assert!(SearchablePdf::begin(Path::new("/tmp/lectern-ocr-test.txt")).is_err());
        assert!(SearchablePdf::begin(Path::new("/nonexistent/dir/out.pdf")).is_err());
    }
}

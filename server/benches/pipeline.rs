//! Benchmark of the processing stages on generated documents, with poppler and the tesseract CLI as yardsticks.
//!
//! `cargo bench -p lectern-server --bench pipeline` prints pages per second for text and boxes, page images
//! and OCR, and the process's peak memory. It measures; it asserts nothing.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use lectern_server::pipeline::{ocr, pdf};
use lectern_server::sample_pdf::{document, Page};

const PDF_PAGES: usize = 50;
const SCAN_PAGES: usize = 10;
const SCAN_DPI: u32 = 300;
const BUNDLE_PAGES: usize = 100;
const BUNDLE_PARTS: usize = 4;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// An invoice-like page: 45 lines of 10 pt text.
fn page(number: usize) -> Page {
    (0..45).fold(Page::a4(), |page, line| {
        let text = format!(
            "Pos. {line:02} Rechnung 2024-{number:03} Artikel {} Menge {} Betrag {},{:02} EUR",
            line * 7 + number,
            line % 9 + 1,
            10 + line * 3,
            line % 100
        );
        page.text(50.0, 800.0 - line as f64 * 16.0, 10.0, &text)
    })
}

fn rate(pages: usize, seconds: f64) -> String {
    format!("{:8.1} pages/s  ({:7.1} ms/page)", pages as f64 / seconds, seconds * 1000.0 / pages as f64)
}

fn timed(f: impl FnOnce()) -> f64 {
    let t = Instant::now();
    f();
    t.elapsed().as_secs_f64()
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn peak_memory_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

fn main() {
    ocr::limit_openmp_threads().expect("restart with OMP_THREAD_LIMIT=1");
    let dir = std::env::temp_dir().join(format!("lectern-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let lib = std::env::var_os("PDFIUM_LIB")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join(".tools/pdfium/libpdfium.so"));
    let path = dir.join("invoices.pdf");
    std::fs::write(&path, document(&(0..PDF_PAGES).map(page).collect::<Vec<_>>())).unwrap();

    let file = pdf::PdfFile::open(&lib, &path).expect("pdfium opens the PDF");
    let mut chars = 0;
    let text = timed(|| {
        for i in 0..PDF_PAGES {
            let content = file.page_content(i).unwrap();
            chars += content.lines.iter().flat_map(|l| &l.words).map(|w| w.glyphs.len()).sum::<usize>();
        }
    });
    let render = timed(|| {
        for i in 0..PDF_PAGES {
            file.render(i, pdf::PAGE_IMAGE_LONG_SIDE).unwrap();
            file.render(i, pdf::THUMBNAIL_LONG_SIDE).unwrap();
        }
    });
    let poppler_text = timed(|| run(Command::new("pdftotext").arg("-bbox").arg(&path).arg(dir.join("bbox.html"))));
    let poppler_render = timed(|| {
        run(Command::new("pdftoppm")
            .args(["-gray", "-png", "-scale-to", &pdf::PAGE_IMAGE_LONG_SIDE.to_string()])
            .arg(&path)
            .arg(dir.join("page")))
    });

    // A scan: the first pages rendered at 300 dpi, then read back by OCR.
    let long_side = (842.0 / 72.0 * SCAN_DPI as f64) as u32;
    let scans: Vec<image::GrayImage> = (0..SCAN_PAGES)
        .map(|i| {
            let (png, _) = file.render(i, long_side).unwrap();
            let png_path = dir.join(format!("scan-{i}.png"));
            std::fs::write(&png_path, &png).unwrap();
            image::load_from_memory(&png).unwrap().to_luma8()
        })
        .collect();
    let mut words = 0;
    let ocr_time = timed(|| {
        for scan in &scans {
            let page = ocr::PageImage {
                width: scan.width(),
                height: scan.height(),
                channels: 1,
                dpi: SCAN_DPI,
                pixels: scan.as_raw(),
            };
            words += ocr::recognize(&page).unwrap().lines.iter().map(|l| l.words.len()).sum::<usize>();
        }
    });
    let tesseract_cli = timed(|| {
        for i in 0..SCAN_PAGES {
            let png = dir.join(format!("scan-{i}.png"));
            run(Command::new("tesseract")
                .arg(&png)
                .arg(dir.join(format!("cli-{i}")))
                .args(["-l", "deu+eng", "--dpi", &SCAN_DPI.to_string(), "quiet"])
                .env("OMP_THREAD_LIMIT", "1"));
        }
    });

    // Postprocess of a bundle: split into parts with every other page turned, then each part read again.
    let bundle = dir.join("bundle.pdf");
    std::fs::write(&bundle, document(&(0..BUNDLE_PAGES).map(page).collect::<Vec<_>>())).unwrap();
    let per_part = BUNDLE_PAGES / BUNDLE_PARTS;
    let parts: Vec<Vec<(usize, u8)>> =
        (0..BUNDLE_PARTS).map(|p| (p * per_part..(p + 1) * per_part).map(|i| (i, (i % 2) as u8)).collect()).collect();
    let compose = timed(|| {
        for (n, pages) in parts.iter().enumerate() {
            pdf::compose(&lib, &bundle, pages, &dir.join(format!("part-{n}.pdf"))).unwrap();
        }
    });
    let reread = timed(|| {
        for n in 0..BUNDLE_PARTS {
            let part = pdf::PdfFile::open(&lib, &dir.join(format!("part-{n}.pdf"))).unwrap();
            for i in 0..part.page_count() {
                part.page_content(i).unwrap();
                part.render(i, pdf::PAGE_IMAGE_LONG_SIDE).unwrap();
                part.render(i, pdf::THUMBNAIL_LONG_SIDE).unwrap();
            }
        }
    });

    println!("pipeline benchmark ({PDF_PAGES}-page generated PDF, {chars} characters; {SCAN_PAGES}-page scan at {SCAN_DPI} dpi, {words} words)");
    println!("  text + boxes   lectern (pdfium)      {}", rate(PDF_PAGES, text));
    println!("                 pdftotext -bbox       {}", rate(PDF_PAGES, poppler_text));
    println!("  page images    lectern (image+thumb) {}", rate(PDF_PAGES, render));
    println!("                 pdftoppm (image)      {}", rate(PDF_PAGES, poppler_render));
    println!("  OCR            lectern (in-process)  {}", rate(SCAN_PAGES, ocr_time));
    println!("                 tesseract CLI         {}", rate(SCAN_PAGES, tesseract_cli));
    println!(
        "  postprocess    {BUNDLE_PAGES}-page bundle into {BUNDLE_PARTS} parts: compose {:.0} ms, then text + images {:.1} s ({:.1} ms/page)",
        compose * 1000.0,
        reread,
        reread * 1000.0 / BUNDLE_PAGES as f64
    );
    println!("  peak memory of this process: {:.0} MB", peak_memory_mb());
    let _ = std::fs::remove_dir_all(&dir);
}

//! Raster pages: decoding uploaded images (multi-page TIFF included) to RGB pixels, telling colour pages from grey
//! ones, and the page pictures the reviewer sees (grey PNG, or colour JPEG) at a given size.

use std::io::{BufRead, Seek};

use anyhow::{bail, Context, Result};
use image::codecs::jpeg::JpegEncoder;
use image::{imageops, GrayImage, ImageReader, RgbImage};

/// Page images of scans are assumed to show an A4 page when their resolution is unknown; this is the dpi
/// that makes the long side 11.69 inches, kept within what scanners produce.
pub fn estimated_dpi(width: u32, height: u32) -> u32 {
    ((width.max(height) as f64 / 11.69).round() as u32).clamp(70, 600)
}

/// Each page of an uploaded PNG, JPEG or TIFF as RGB pixels (grey sources have equal channels), handed to `page`
/// one at a time as it is decoded (a TIFF frame by frame, so only one page is in memory).
pub fn decode_pages<R: BufRead + Seek>(
    reader: R,
    file_type: &str,
    mut page: impl FnMut(RgbImage) -> Result<()>,
) -> Result<()> {
    if file_type != "tiff" {
        let img = ImageReader::new(reader)
            .with_guessed_format()
            .map_err(anyhow::Error::from)
            .and_then(|r| Ok(r.decode()?))
            .context("The image could not be decoded; it may be damaged.")?;
        return page(img.to_rgb8());
    }
    let mut decoder = tiff::decoder::Decoder::new(reader).context("The TIFF file could not be read.")?;
    for number in 1.. {
        let (w, h) = decoder.dimensions().context("A TIFF page has no size.")?;
        let data =
            decoder.read_image().with_context(|| format!("Page {number} of the TIFF file could not be decoded."))?;
        let rgb = to_rgb(data, decoder.colortype()?, w, h)
            .with_context(|| format!("Page {number} of the TIFF file has an unsupported format."))?;
        page(rgb)?;
        if !decoder.more_images() {
            break;
        }
        decoder.next_image()?;
    }
    Ok(())
}

/// A TIFF page's samples as RGB. (The tiff crate decodes no palette pages: those fail before this.)
fn to_rgb(data: tiff::decoder::DecodingResult, color: tiff::ColorType, w: u32, h: u32) -> Result<RgbImage> {
    use tiff::decoder::DecodingResult as D;
    use tiff::ColorType as C;
    let samples: Vec<u8> = match data {
        D::U8(v) => v,
        D::U16(v) => v.into_iter().map(|s| (s >> 8) as u8).collect(),
        _ => bail!("unsupported sample type"),
    };
    let rgb: Vec<u8> = match color {
        C::Gray(_) => samples.iter().flat_map(|&v| [v, v, v]).collect(),
        C::GrayA(_) => samples.chunks_exact(2).flat_map(|p| [p[0], p[0], p[0]]).collect(),
        C::RGB(_) => samples,
        C::RGBA(_) => samples.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect(),
        other => bail!("colour type {other:?}"),
    };
    RgbImage::from_raw(w, h, rgb).context("pixel count does not match the size")
}

/// Pixels whose channels differ by at least this much are coloured (chroma, as max − min of R, G and B): above
/// JPEG's noise, a scanner's colour fringes at black print and tinted or yellowed paper.
const CHROMA: u8 = 40;
/// A page with at least this share of coloured pixels (after averaging to a thumbnail) is a colour page.
const COLOURED_SHARE: f64 = 0.001;

/// Whether the page has colour a reviewer should see. The page is first averaged down to 256 pixels on its long
/// side (about 1 mm a pixel on A4), which evens out fringes and noise while a stamp, a logo or a line of coloured
/// print keeps its colour; it is a colour page when at least 0.1 % of those pixels (a patch of about 8 × 8 mm on
/// A4) are coloured.
pub fn has_colour(page: &RgbImage) -> bool {
    let small = scaled(page, 256);
    let coloured = small.pixels().filter(|p| p.0.iter().max().unwrap() - p.0.iter().min().unwrap() >= CHROMA).count();
    coloured as f64 >= COLOURED_SHARE * small.len() as f64 / 3.0
}

/// JPEG quality of colour pictures: text stays sharp and free of visible ringing at 1700 pixels. Colour pages are
/// JPEGs because PNG is far larger: measured on an A4 page at 1700 px, the colour JPEG is 146 KB (the grey PNG of a
/// black page 72 KB), an RGB PNG of a photo of it 4.7 MB, and of a born-digital render about 1.4 MB.
const JPEG_QUALITY: u8 = 85;

/// The page scaled so its long side is `long_side` pixels (never enlarged), as the reviewer sees it: in colour a
/// JPEG, else a grey PNG; with its size in pixels.
pub fn picture(page: &RgbImage, long_side: u32, colour: bool) -> Result<(Vec<u8>, [u32; 2])> {
    let small = scaled(page, long_side);
    let (w, h) = small.dimensions();
    if !colour {
        return Ok((encode_png(imageops::grayscale(&small).as_raw(), w, h)?, [w, h]));
    }
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY).encode_image(&small)?;
    Ok((out, [w, h]))
}

/// The page scaled so its long side is `long_side` pixels, never enlarged.
fn scaled(page: &RgbImage, long_side: u32) -> RgbImage {
    let (w, h) = page.dimensions();
    let scale = (long_side as f64 / w.max(h) as f64).min(1.0);
    if scale >= 1.0 {
        return page.clone();
    }
    let (sw, sh) = (((w as f64 * scale).round() as u32).max(1), ((h as f64 * scale).round() as u32).max(1));
    imageops::resize(page, sw, sh, imageops::FilterType::Triangle)
}

/// The page in grey levels, as OCR reads it.
pub fn grey(page: &RgbImage) -> GrayImage {
    imageops::grayscale(page)
}

/// Grey pixels as a PNG with fast compression.
pub fn encode_png(grey: &[u8], width: u32, height: u32) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    encoder.write_header()?.write_image_data(grey)?;
    Ok(out)
}
#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn tiff_of(pages: &[(u32, u32, u8)]) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let mut enc = tiff::encoder::TiffEncoder::new(&mut out).unwrap();
        for &(w, h, v) in pages {
            enc.write_image::<tiff::encoder::colortype::Gray8>(w, h, &vec![v; (w * h) as usize]).unwrap();
        }
        out.into_inner()
    }

    /// The pages decoded, or the error after the pages before it.
    fn pages(bytes: &[u8], file_type: &str) -> (Vec<RgbImage>, Result<()>) {
        let mut pages = Vec::new();
        let result = decode_pages(Cursor::new(bytes), file_type, |page| {
            pages.push(page);
            Ok(())
        });
        (pages, result)
    }

    #[test]
    fn multi_page_tiffs_give_every_page_one_at_a_time() {
        let tiff = tiff_of(&[(40, 60, 10), (30, 20, 200), (50, 50, 90)]);
        let (got, result) = pages(&tiff, "tiff");
        result.unwrap();
        let got: Vec<_> = got.iter().map(|p| (p.dimensions(), p.get_pixel(0, 0).0[0])).collect();
        assert_eq!(got, [((40, 60), 10), ((30, 20), 200), ((50, 50), 90)]);
        assert!(pages(b"II*\0garbage", "tiff").1.is_err());

        // Each page is handed over before the next is decoded; an error from the caller stops decoding.
        let mut seen = 0;
        let result = decode_pages(Cursor::new(&tiff), "tiff", |_| {
            seen += 1;
            anyhow::ensure!(seen < 2, "stop");
            Ok(())
        });
        assert_eq!((seen, result.unwrap_err().to_string()), (2, "stop".to_string()));

        // A damaged later page fails after the pages before it were handed over.
        let mut cut = tiff.clone();
        let second = cut.windows(600).position(|w| w.iter().all(|&b| b == 200)).unwrap();
        cut.truncate(second + 10);
        let (got, result) = pages(&cut, "tiff");
        assert_eq!(got.len(), 1);
        assert!(result.is_err());
    }

    #[test]
    fn pngs_decode_as_one_page_and_scale_down_only_keeping_their_shape() {
        let png = encode_png(&vec![128; 400 * 200], 400, 200).unwrap();
        let (got, result) = pages(&png, "png");
        result.unwrap();
        assert_eq!(got.len(), 1);
        let (bytes, size) = picture(&got[0], 100, false).unwrap();
        assert_eq!(size, [100, 50]);
        assert!(bytes.starts_with(b"\x89PNG"));
        assert_eq!(picture(&got[0], 1000, false).unwrap().1, [400, 200]);
        assert!(pages(b"\x89PNG\r\n\x1a\nbroken", "png").1.is_err());
    }

    #[test]
    fn rgb_and_rgba_tiffs_and_palette_pngs_keep_their_colours() {
        use tiff::encoder::colortype::{Gray8, RGB8, RGBA8};
        let mut out = Cursor::new(Vec::new());
        let mut enc = tiff::encoder::TiffEncoder::new(&mut out).unwrap();
        enc.write_image::<RGB8>(2, 1, &[200, 30, 10, 0, 0, 250]).unwrap();
        enc.write_image::<RGBA8>(1, 1, &[10, 200, 30, 128]).unwrap();
        // A palette page, which the tiff crate cannot decode.
        let mut palette = enc.new_image::<Gray8>(2, 1).unwrap();
        palette.encoder().write_tag(tiff::tags::Tag::PhotometricInterpretation, 3u16).unwrap();
        palette.encoder().write_tag(tiff::tags::Tag::ColorMap, &[0u16; 768][..]).unwrap();
        palette.write_data(&[0, 1]).unwrap();
        let (got, result) = pages(&out.into_inner(), "tiff");
        let got: Vec<Vec<u8>> = got.into_iter().map(|p| p.into_raw()).collect();
        assert_eq!(got, [vec![200, 30, 10, 0, 0, 250], vec![10, 200, 30]]);
        // It fails with a sentence, after the pages before it.
        assert_eq!(result.unwrap_err().to_string(), "Page 3 of the TIFF file could not be decoded.");

        // A palette PNG: red, then blue.
        let mut png_bytes = Vec::new();
        let mut encoder = png::Encoder::new(&mut png_bytes, 2, 1);
        encoder.set_color(png::ColorType::Indexed);
        encoder.set_palette(vec![255, 0, 0, 0, 0, 255]);
        encoder.write_header().unwrap().write_image_data(&[0, 1]).unwrap();
        let (got, result) = pages(&png_bytes, "png");
        result.unwrap();
        assert_eq!(got[0].as_raw(), &[255, 0, 0, 0, 0, 255]);
    }

    /// An A4 page at 150 dpi: `paper` with 40 lines of `ink` print (bars of word-like runs).
    fn printed(paper: [u8; 3], ink: [u8; 3]) -> RgbImage {
        let mut page = RgbImage::from_pixel(1240, 1754, image::Rgb(paper));
        for line in 0..40u32 {
            for x in 150..1100u32 {
                if (x / 7) % 9 != 8 && (x % 7) < 3 {
                    for y in 150 + 35 * line..162 + 35 * line {
                        page.put_pixel(x, y, image::Rgb(ink));
                    }
                }
            }
        }
        page
    }

    fn jpeg_round_trip(page: &RgbImage, quality: u8) -> RgbImage {
        let mut bytes = Vec::new();
        JpegEncoder::new_with_quality(&mut bytes, quality).encode_image(page).unwrap();
        image::load_from_memory(&bytes).unwrap().to_rgb8()
    }

    #[test]
    fn colour_pages_are_told_from_grey_ones() {
        let black = printed([255, 255, 255], [0, 0, 0]);
        assert!(!has_colour(&black));
        assert!(!has_colour(&jpeg_round_trip(&black, 50)));
        // Yellowed paper, and a colour scanner's fringes: red left and blue right of each stroke.
        assert!(!has_colour(&printed([250, 240, 215], [30, 30, 30])));
        let mut fringed = black.clone();
        let white = |x: u32, y: u32| black.get_pixel(x, y).0 == [255, 255, 255];
        for (x, y) in (1..1239u32).flat_map(|x| (0..1754u32).map(move |y| (x, y))).filter(|&(x, y)| !white(x, y)) {
            if white(x - 1, y) {
                fringed.put_pixel(x - 1, y, image::Rgb([230, 110, 110]));
            }
            if white(x + 1, y) {
                fringed.put_pixel(x + 1, y, image::Rgb([110, 110, 230]));
            }
        }
        assert!(!has_colour(&fringed));
        // A few stray coloured pixels.
        let mut stray = black.clone();
        for i in 0..30 {
            stray.put_pixel(40 * i + 5, 60 * i + 7, image::Rgb([255, 0, 0]));
        }
        assert!(!has_colour(&stray));

        // Colour print, a red stamp's ring of 2 cm, a blue logo of 1 cm: colour.
        assert!(has_colour(&printed([255, 255, 255], [20, 40, 160])));
        let mut stamp = black.clone();
        for (x, y) in (0..1240u32).flat_map(|x| (0..1754u32).map(move |y| (x, y))) {
            let r = ((x as f64 - 900.0).powi(2) + (y as f64 - 1500.0).powi(2)).sqrt();
            if (50.0..59.0).contains(&r) {
                stamp.put_pixel(x, y, image::Rgb([200, 30, 40]));
            }
        }
        assert!(has_colour(&stamp));
        assert!(has_colour(&jpeg_round_trip(&stamp, 50)));
        let mut logo = black.clone();
        for (x, y) in (1000..1059u32).flat_map(|x| (40..99u32).map(move |y| (x, y))) {
            logo.put_pixel(x, y, image::Rgb([30, 90, 200]));
        }
        assert!(has_colour(&logo));
    }

    #[test]
    fn colour_pictures_are_jpegs_and_grey_ones_grey_pngs() {
        let page = printed([255, 255, 255], [20, 40, 160]);
        let (jpeg, size) = picture(&page, 850, true).unwrap();
        assert_eq!(size, [601, 850]);
        let shown = image::load_from_memory_with_format(&jpeg, image::ImageFormat::Jpeg).unwrap().to_rgb8();
        assert_eq!(shown.dimensions(), (601, 850));
        let ink = shown.pixels().filter(|p| p.0[2] as i32 - p.0[0] as i32 > 60).count();
        assert!(ink > 10_000, "{ink} blue pixels");
        let (png, size) = picture(&page, 850, false).unwrap();
        assert_eq!(
            (png::Decoder::new(Cursor::new(&png)).read_info().unwrap().info().color_type, size),
            (png::ColorType::Grayscale, [601, 850])
        );
    }

    #[test]
    fn a4_scans_get_their_resolution() {
        assert_eq!(estimated_dpi(2480, 3508), 300);
        assert_eq!(estimated_dpi(10, 20), 70);
    }
}

//! Raster pages: decoding uploaded images (multi-page TIFF included) to grey pixels, scaling, and PNG output.

use std::io::{BufRead, Seek};

use anyhow::{bail, Context, Result};
use image::{imageops, GrayImage, ImageReader};

/// Page images of scans are assumed to show an A4 page when their resolution is unknown; this is the dpi
/// that makes the long side 11.69 inches, kept within what scanners produce.
pub fn estimated_dpi(width: u32, height: u32) -> u32 {
    ((width.max(height) as f64 / 11.69).round() as u32).clamp(70, 600)
}

/// Each page of an uploaded PNG, JPEG or TIFF as grey pixels, handed to `page` one at a time as it is decoded
/// (a TIFF frame by frame, so only one page is in memory).
pub fn decode_pages<R: BufRead + Seek>(
    reader: R,
    file_type: &str,
    mut page: impl FnMut(GrayImage) -> Result<()>,
) -> Result<()> {
    if file_type != "tiff" {
        let img = ImageReader::new(reader)
            .with_guessed_format()
            .map_err(anyhow::Error::from)
            .and_then(|r| Ok(r.decode()?))
            .context("The image could not be decoded; it may be damaged.")?;
        return page(img.to_luma8());
    }
    let mut decoder = tiff::decoder::Decoder::new(reader).context("The TIFF file could not be read.")?;
    for number in 1.. {
        let (w, h) = decoder.dimensions().context("A TIFF page has no size.")?;
        let data =
            decoder.read_image().with_context(|| format!("Page {number} of the TIFF file could not be decoded."))?;
        let color = decoder.colortype()?;
        let grey = to_grey(data, color, w, h)
            .with_context(|| format!("Page {number} of the TIFF file has an unsupported format."))?;
        page(grey)?;
        if !decoder.more_images() {
            break;
        }
        decoder.next_image()?;
    }
    Ok(())
}

fn to_grey(data: tiff::decoder::DecodingResult, color: tiff::ColorType, w: u32, h: u32) -> Result<GrayImage> {
    use tiff::decoder::DecodingResult as D;
    use tiff::ColorType as C;
    let samples: Vec<u8> = match data {
        D::U8(v) => v,
        D::U16(v) => v.into_iter().map(|s| (s >> 8) as u8).collect(),
        _ => bail!("unsupported sample type"),
    };
    let pixels = (w as usize) * (h as usize);
    let grey: Vec<u8> = match color {
        C::Gray(_) => samples,
        C::GrayA(_) => samples.chunks_exact(2).map(|p| p[0]).collect(),
        C::RGB(_) => samples.chunks_exact(3).map(|p| luma(p[0], p[1], p[2])).collect(),
        C::RGBA(_) => samples.chunks_exact(4).map(|p| luma(p[0], p[1], p[2])).collect(),
        other => bail!("colour type {other:?}"),
    };
    if grey.len() != pixels {
        bail!("packed pixels ({color:?})");
    }
    GrayImage::from_raw(w, h, grey).context("pixel count does not match the size")
}

fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((r as u32 * 299 + g as u32 * 587 + b as u32 * 114) / 1000) as u8
}

/// The page scaled so its long side is `long_side` pixels (never enlarged), as a grey PNG, and its size.
pub fn scaled_png(page: &GrayImage, long_side: u32) -> Result<(Vec<u8>, [u32; 2])> {
    let (w, h) = page.dimensions();
    let scale = (long_side as f64 / w.max(h) as f64).min(1.0);
    let (sw, sh) = (((w as f64 * scale).round() as u32).max(1), ((h as f64 * scale).round() as u32).max(1));
    let scaled =
        if scale < 1.0 { imageops::resize(page, sw, sh, imageops::FilterType::Triangle) } else { page.clone() };
    Ok((encode_png(scaled.as_raw(), sw, sh)?, [sw, sh]))
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
    fn pages(bytes: &[u8], file_type: &str) -> (Vec<GrayImage>, Result<()>) {
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
    fn pngs_decode_as_one_page_and_scale_down_only() {
        let png = encode_png(&vec![128; 400 * 200], 400, 200).unwrap();
        let (got, result) = pages(&png, "png");
        result.unwrap();
        assert_eq!(got.len(), 1);
        let (bytes, size) = scaled_png(&got[0], 100).unwrap();
        assert_eq!(size, [100, 50]);
        assert!(bytes.starts_with(b"\x89PNG"));
        assert_eq!(scaled_png(&got[0], 1000).unwrap().1, [400, 200]);
        assert!(pages(b"\x89PNG\r\n\x1a\nbroken", "png").1.is_err());
    }

    #[test]
    fn a4_scans_get_their_resolution() {
        assert_eq!(estimated_dpi(2480, 3508), 300);
        assert_eq!(estimated_dpi(10, 20), 70);
    }
}

//! Raster pages: decoding uploaded images (multi-page TIFF included) to grey pixels, scaling, and PNG output.

use std::io::Cursor;

use anyhow::{bail, Context, Result};
use image::{imageops, GrayImage};

/// Page images of scans are assumed to show an A4 page when their resolution is unknown; this is the dpi
/// that makes the long side 11.69 inches, kept within what scanners produce.
pub fn estimated_dpi(width: u32, height: u32) -> u32 {
    ((width.max(height) as f64 / 11.69).round() as u32).clamp(70, 600)
}

/// Every page (frame) of an uploaded PNG, JPEG or TIFF as grey pixels.
pub fn decode_pages(bytes: &[u8], file_type: &str) -> Result<Vec<GrayImage>> {
    if file_type != "tiff" {
        let img = image::load_from_memory(bytes).context("The image could not be decoded; it may be damaged.")?;
        return Ok(vec![img.to_luma8()]);
    }
    let mut decoder = tiff::decoder::Decoder::new(Cursor::new(bytes)).context("The TIFF file could not be read.")?;
    let mut pages = Vec::new();
    loop {
        let (w, h) = decoder.dimensions().context("A TIFF page has no size.")?;
        let data = decoder.read_image().with_context(|| format!("Page {} of the TIFF file could not be decoded.", pages.len() + 1))?;
        let color = decoder.colortype()?;
        pages.push(to_grey(data, color, w, h).with_context(|| format!("Page {} of the TIFF file has an unsupported format.", pages.len() + 1))?);
        if !decoder.more_images() {
            break;
        }
        decoder.next_image()?;
    }
    Ok(pages)
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
    let scaled = if scale < 1.0 { imageops::resize(page, sw, sh, imageops::FilterType::Triangle) } else { page.clone() };
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

    fn tiff_of(pages: &[(u32, u32, u8)]) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let mut enc = tiff::encoder::TiffEncoder::new(&mut out).unwrap();
        for &(w, h, v) in pages {
            enc.write_image::<tiff::encoder::colortype::Gray8>(w, h, &vec![v; (w * h) as usize]).unwrap();
        }
        out.into_inner()
    }

    #[test]
    fn multi_page_tiffs_give_every_page() {
        let pages = decode_pages(&tiff_of(&[(40, 60, 10), (30, 20, 200)]), "tiff").unwrap();
        assert_eq!(pages.len(), 2);
        assert_eq!((pages[1].dimensions(), pages[1].get_pixel(0, 0).0[0]), ((30, 20), 200));
        assert!(decode_pages(b"II*\0garbage", "tiff").is_err());
    }

    #[test]
    fn pngs_decode_and_scale_down_only() {
        let png = encode_png(&vec![128; 400 * 200], 400, 200).unwrap();
        let pages = decode_pages(&png, "png").unwrap();
        let (bytes, size) = scaled_png(&pages[0], 100).unwrap();
        assert_eq!(size, [100, 50]);
        assert!(bytes.starts_with(b"\x89PNG"));
        assert_eq!(scaled_png(&pages[0], 1000).unwrap().1, [400, 200]);
        assert!(decode_pages(b"\x89PNG\r\n\x1a\nbroken", "png").is_err());
    }

    #[test]
    fn a4_scans_get_their_resolution() {
        assert_eq!(estimated_dpi(2480, 3508), 300);
        assert_eq!(estimated_dpi(10, 20), 70);
    }
}

//! Newspapers for browsers without a PDF viewer: pages drawn on the server
//! (`/pageimg/`), one at a time with plain previous/next links on the
//! document's page, first-page pictures in listings, damaged files answered
//! with words while the server stays up, and Hangul drawn from a Korean font
//! of the computer when the PDF does not carry one.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const PAPER: &str = "newspapers/새벽신문_2024-02-08.pdf";

fn server() -> &'static Server {
    static S: OnceLock<Server> = OnceLock::new();
    S.get_or_init(|| start(&sample_bundle()))
}

/// Decoded PNG: width, height, RGB(A) pixels as gray levels.
fn decode(png_bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("a frame");
    let channels = info.color_type.samples();
    let gray = buf[..info.buffer_size()]
        .chunks(channels)
        .map(|p| {
            if channels >= 3 {
                ((u32::from(p[0]) * 3 + u32::from(p[1]) * 6 + u32::from(p[2])) / 10) as u8
            } else {
                p[0]
            }
        })
        .collect();
    (info.width, info.height, gray)
}

fn ink(gray: &[u8]) -> f64 {
    gray.iter().filter(|&&g| g < 200).count() as f64 / gray.len().max(1) as f64
}

/// The page size in points, as poppler's `pdfinfo` reads it.
fn page_size(pdf: &Path) -> Option<(f64, f64)> {
    let out = Command::new("pdfinfo").arg(pdf).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find(|l| l.starts_with("Page size:"))?;
    let mut nums = line
        .split_whitespace()
        .filter_map(|w| w.parse::<f64>().ok());
    Some((nums.next()?, nums.next()?))
}

#[test]
fn a_page_is_a_png_of_the_page_shape_with_ink() {
    let r = server().get(&format!("/pageimg/{}?page=1&w=600", enc(PAPER)));
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("image/png"));
    let (w, h, gray) = decode(&r.body);
    assert_eq!(w, 600);
    if let Some((pw, ph)) = page_size(&sample_bundle().join(PAPER)) {
        let want = 600.0 * ph / pw;
        assert!(
            (f64::from(h) - want).abs() <= 2.0,
            "height {h}, page shape says {want}"
        );
    } else {
        println!("NOTICE: pdfinfo missing: page shape not compared");
    }
    let ink = ink(&gray);
    assert!(ink > 0.02 && ink < 0.6, "ink share {ink}");
}

#[test]
fn a_page_looks_like_poppler_draws_it() {
    let pdf = sample_bundle().join(PAPER);
    let dir = temp_dir("poppler");
    let out = dir.join("p");
    let ok = Command::new("pdftoppm")
        .args(["-f", "1", "-l", "1", "-singlefile", "-png", "-gray"])
        .args(["-scale-to-x", "300", "-scale-to-y", "-1"])
        .arg(&pdf)
        .arg(&out)
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        println!("NOTICE: skipped: pdftoppm (poppler-utils) not installed");
        return;
    }
    let theirs = std::fs::read(out.with_extension("png")).unwrap();
    let (tw, th, tg) = decode(&theirs);
    let r = server().get(&format!("/pageimg/{}?page=1&w=300", enc(PAPER)));
    let (w, h, g) = decode(&r.body);
    assert_eq!(w, tw);
    assert!((i64::from(h) - i64::from(th)).abs() <= 1, "{h} vs {th}");
    // Loosely: 10×10-pixel blocks' mean gray, compared block by block.
    let blocks = |g: &[u8], w: u32, h: u32| -> Vec<f64> {
        let (bw, bh) = (w / 10, h.min(th).min(h) / 10);
        let mut v = Vec::new();
        for by in 0..bh {
            for bx in 0..bw {
                let mut sum = 0u32;
                for y in 0..10 {
                    for x in 0..10 {
                        sum += u32::from(g[((by * 10 + y) * w + bx * 10 + x) as usize]);
                    }
                }
                v.push(f64::from(sum) / 100.0);
            }
        }
        v
    };
    let (a, b) = (blocks(&g, w, h.min(th)), blocks(&tg, tw, h.min(th)));
    let diff: f64 = a.iter().zip(&b).map(|(x, y)| (x - y).abs()).sum::<f64>() / a.len() as f64;
    assert!(diff < 12.0, "mean block difference {diff} of 255");
}

#[test]
fn the_document_page_shows_one_page_with_plain_links() {
    let s = server();
    let base = format!("/view/{}", enc(PAPER));
    let html = s.get(&base).text();
    assert!(
        html.contains(&format!(
            "<img src=\"/pageimg/{}?page=1&amp;w=900\" width=\"900\" height=\"",
            enc(PAPER)
        )),
        "{html}"
    );
    assert!(html.contains(&format!("href=\"{base}?page=2\"")), "{html}");
    assert!(!html.contains("rel=\"prev\""), "no previous on page 1");
    assert!(html.contains("1 / "), "{html}");
    // The browser's own viewer stays one click away.
    assert!(html.contains(&format!("href=\"/file/{}\"", enc(PAPER))));
    let p2 = s.get(&format!("{base}?page=2&lang=en")).text();
    assert!(
        p2.contains(&format!("href=\"{base}?page=1&amp;lang=en\"")),
        "{p2}"
    );
    assert!(p2.contains("Page 2 of"), "{p2}");
    // Switching language stays on page 2.
    assert!(p2.contains("href=\"?page=2&amp;lang=ko\""), "{p2}");
    // Past the end: the last page.
    let last = s.get(&format!("{base}?page=9999")).text();
    assert!(!last.contains("rel=\"next\""), "{last}");
    assert!(last.contains("rel=\"prev\""));
    // The page's words below it, for reading, copying and search hits.
    let words = &html[html.find("class=\"page-text\"").expect("page text")..];
    assert!(words.contains("국회의원은 법률이 정하는 직을"), "{words}");
    // No script needed: nothing on the page calls one for paging.
    assert!(!html.contains("onclick"));
}

#[test]
fn listings_show_first_page_pictures() {
    let html = server().get("/list/documents").text();
    assert!(
        html.contains(&format!("src=\"/pageimg/{}?page=1&amp;w=72\"", enc(PAPER))),
        "{html}"
    );
    let thumb = server().get(&format!("/pageimg/{}?page=1&w=72", enc(PAPER)));
    assert_eq!(thumb.status, 200);
    let (w, h, _) = decode(&thumb.body);
    assert_eq!(w, 72);
    assert!(h > 72, "portrait: {h}");
}

#[test]
fn damaged_documents_get_words_and_the_server_stays_up() {
    let dir = temp_dir("damaged-pdf");
    let news = dir.join("newspapers");
    std::fs::create_dir_all(&news).unwrap();
    let good = std::fs::read(sample_bundle().join(PAPER)).unwrap();
    std::fs::write(news.join("cut.pdf"), &good[..good.len() / 3]).unwrap();
    std::fs::write(
        news.join("noise.pdf"),
        b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF",
    )
    .unwrap();
    let mut flipped = good.clone();
    for i in (good.len() / 4..good.len()).step_by(997) {
        flipped[i] ^= 0x5a;
    }
    std::fs::write(news.join("flipped.pdf"), &flipped).unwrap();
    let s = start(&dir);
    for name in ["cut.pdf", "noise.pdf", "flipped.pdf"] {
        let rel = format!("newspapers/{name}");
        let page = s.get(&format!("/view/{}", enc(&rel)));
        assert_eq!(page.status, 200, "{name}");
        let img = s.get(&format!("/pageimg/{}?page=1&w=200", enc(&rel)));
        assert!(
            img.status == 200 || img.status == 500 || img.status == 404,
            "{name}: {}",
            img.status
        );
        if img.status != 200 {
            assert!(
                page.text().contains("그림으로 보여 드릴 수 없습니다"),
                "{name}: {}",
                page.text()
            );
        }
    }
    assert_eq!(s.get("/").status, 200);
}

/// A PDF whose Korean font is named, not carried: `HYGoThic-Medium` in
/// UniKS-UCS2-H (Adobe-Korea1), as older Korean tools wrote them.
fn pdf_with_korean_font_not_embedded() -> Vec<u8> {
    let content = "BT /F1 72 Tf 40 300 Td <D55CAE00C2E0BB38> Tj ET";
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 420] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type0 /BaseFont /HYGoThic-Medium /Encoding /UniKS-UCS2-H /DescendantFonts [6 0 R] >>".to_string(),
        "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /HYGoThic-Medium /CIDSystemInfo << /Registry (Adobe) /Ordering (Korea1) /Supplement 1 >> /FontDescriptor 7 0 R /DW 1000 >>".to_string(),
        "<< /Type /FontDescriptor /FontName /HYGoThic-Medium /Flags 4 /FontBBox [0 -150 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[test]
fn hangul_without_an_embedded_font_is_drawn_from_a_korean_font() {
    let dir = temp_dir("korean-font");
    std::fs::create_dir_all(dir.join("docs")).unwrap();
    std::fs::write(
        dir.join("docs/옛날 문서.pdf"),
        pdf_with_korean_font_not_embedded(),
    )
    .unwrap();
    // The drive's own fonts folder is where packers put one; here it is
    // filled from this computer's Nanum font when there is one.
    let nanum = PathBuf::from("/usr/share/fonts/truetype/nanum/NanumGothic.ttf");
    if !nanum.is_file() {
        println!("NOTICE: skipped: fonts-nanum not installed");
        return;
    }
    std::fs::create_dir_all(dir.join("fonts")).unwrap();
    std::fs::copy(&nanum, dir.join("fonts/NanumGothic.ttf")).unwrap();
    let s = start(&dir);
    let r = s.get(&format!(
        "/pageimg/{}?page=1&w=420",
        enc("docs/옛날 문서.pdf")
    ));
    assert_eq!(r.status, 200);
    let (w, h, gray) = decode(&r.body);
    assert_eq!((w, h), (420, 420));
    // Four syllables at 72 pt: a clear share of the page is ink.
    let ink = ink(&gray);
    assert!(ink > 0.01, "Hangul left blank: ink {ink}");
}

//! Real PDFs and poppler's reading of them, for the tests that compare our
//! PDF text with `pdftotext` (tests/pdf_vs_pdftotext.rs) and search real
//! documents end to end (tests/real_pdfs_search.rs).

use std::path::{Path, PathBuf};
use std::process::Command;
use unicode_normalization::UnicodeNormalization;

/// Words as both sides are compared: NFKC, lower case, punctuation at the
/// ends dropped.
pub fn words(text: &str) -> Vec<String> {
    let norm: String = text.nfkc().collect::<String>().to_lowercase();
    norm.split(|c: char| c.is_whitespace())
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(str::to_string)
        .collect()
}

/// Whether poppler's tools are installed.
pub fn have_poppler() -> bool {
    Command::new("pdftotext").arg("-v").output().is_ok()
}

/// `pdftotext` of the whole file, or of one page.
pub fn pdftotext(path: &Path, page: Option<u32>) -> Option<String> {
    let mut cmd = Command::new("pdftotext");
    cmd.args(["-q", "-enc", "UTF-8"]);
    if let Some(n) = page {
        let n = n.to_string();
        cmd.args(["-f", &n, "-l", &n]);
    }
    let out = cmd.arg(path).arg("-").output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// True when `pdffonts` lists fonts, none maps its glyphs to Unicode, and
/// some of them are not Type 1 fonts: pdftotext then prints glyph codes as
/// Latin-1 (mojibake), not words. Type 1 fonts without a map still name
/// their glyphs (`/a`, `/fi`), which both readers turn into letters, so a
/// document set in them alone (pdfTeX, dblatex) is compared like any other.
pub fn no_unicode_maps(path: &Path) -> bool {
    let Ok(out) = Command::new("pdffonts").arg(path).output() else {
        return false;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    // Columns: name, type (one to three words), encoding, then from the
    // right: emb sub uni object-number generation.
    let fonts: Vec<(String, bool)> = text
        .lines()
        .skip_while(|l| !l.starts_with("---"))
        .skip(1)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            let n = cols.len();
            let kind = cols.get(1..n.checked_sub(6)?)?.join(" ");
            Some((kind, cols[n - 3] == "yes"))
        })
        .collect();
    !fonts.is_empty()
        && fonts.iter().all(|(_, uni)| !uni)
        && fonts
            .iter()
            .any(|(kind, _)| kind != "Type 1" && kind != "Type 1C")
}

/// Every PDF under `dir`, in name order.
pub fn pdfs_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            pdfs_under(&p, out);
        } else if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf")) {
            out.push(p);
        }
    }
}

/// The sample newspapers and, when `$DRIVESHELF_REAL_PDFS` names a folder
/// (`.ci/run` unpacks Debian's texlive-lang-korean documentation there),
/// every PDF in it.
pub fn sample_and_real_pdfs() -> Vec<PathBuf> {
    let mut files = Vec::new();
    pdfs_under(&super::sample_bundle().join("newspapers"), &mut files);
    match std::env::var_os("DRIVESHELF_REAL_PDFS") {
        Some(dir) => pdfs_under(Path::new(&dir), &mut files),
        None => println!(
            "NOTICE: skipped: real PDFs (set DRIVESHELF_REAL_PDFS to a folder of PDFs; .ci/run does)"
        ),
    }
    files
}

//! Differential test of the PDF text against `pdftotext` (poppler-utils):
//! of the words pdftotext reads from a file, the share our extraction
//! reads too (NFKC, lower-cased, punctuation at the ends dropped) must be
//! at least 95 % per file. Runs on the sample bundle's newspapers and on
//! every PDF under `$DRIVESHELF_REAL_PDFS` (`.ci/run` unpacks Debian's
//! `texlive-lang-korean` documentation there: real Korean PDFs from
//! xdvipdfmx, pdfTeX and others). Prints the table.

mod common;

use driveshelf::pdf::{extract_text, Budget};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use unicode_normalization::UnicodeNormalization;

const MIN_SHARE: f64 = 0.95;

fn words(text: &str) -> Vec<String> {
    let norm: String = text.nfkc().collect::<String>().to_lowercase();
    norm.split(|c: char| c.is_whitespace())
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(str::to_string)
        .collect()
}

fn pdftotext(path: &Path) -> Option<String> {
    let out = Command::new("pdftotext")
        .args(["-q", "-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// True when `pdffonts` lists fonts and none maps its glyphs to Unicode:
/// pdftotext then prints glyph codes as Latin-1 (mojibake), not words.
fn no_unicode_maps(path: &Path) -> bool {
    let Ok(out) = Command::new("pdffonts").arg(path).output() else {
        return false;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    // Columns from the right: emb sub uni object-number generation.
    let uni: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("---"))
        .skip(1)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            cols.len().checked_sub(3).map(|i| cols[i])
        })
        .collect();
    !uni.is_empty() && uni.iter().all(|u| *u == "no")
}

fn pdfs_under(dir: &Path, out: &mut Vec<PathBuf>) {
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

#[test]
fn words_of_pdftotext_are_found() {
    if Command::new("pdftotext").arg("-v").output().is_err() {
        println!("NOTICE: skipped: pdftotext (poppler-utils) is not installed");
        return;
    }
    let mut files = Vec::new();
    pdfs_under(&common::sample_bundle().join("newspapers"), &mut files);
    match std::env::var_os("DRIVESHELF_REAL_PDFS") {
        Some(dir) => pdfs_under(Path::new(&dir), &mut files),
        None => println!(
            "NOTICE: skipped: real PDFs (set DRIVESHELF_REAL_PDFS to a folder of PDFs; .ci/run does)"
        ),
    }
    assert!(!files.is_empty(), "no PDFs to compare");
    println!(
        "{:<48} {:>6} {:>8} {:>8} {:>7}",
        "file", "pages", "theirs", "found", "share"
    );
    let mut failures = Vec::new();
    let (mut all_theirs, mut all_found) = (0usize, 0usize);
    for f in &files {
        let name = f.file_name().map(|n| n.to_string_lossy().into_owned());
        let name = name.unwrap_or_default();
        let Some(reference) = pdftotext(f) else {
            println!("{name:<48} pdftotext cannot read it; not compared");
            continue;
        };
        if no_unicode_maps(f) {
            println!(
                "{name:<48} no font maps to Unicode (pdftotext prints glyph codes); not compared"
            );
            continue;
        }
        let theirs: Vec<String> = words(&reference);
        let doc = match extract_text(f, &Budget::default()) {
            Ok(doc) => doc,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                println!("{name:<48} ERROR {e}");
                continue;
            }
        };
        let ours: HashSet<String> = doc.pages.iter().flat_map(|p| words(p)).collect();
        let found = theirs.iter().filter(|w| ours.contains(*w)).count();
        let share = if theirs.is_empty() {
            1.0
        } else {
            found as f64 / theirs.len() as f64
        };
        all_theirs += theirs.len();
        all_found += found;
        println!(
            "{name:<48} {:>6} {:>8} {:>8} {:>6.1}%",
            doc.page_count,
            theirs.len(),
            found,
            share * 100.0
        );
        if share < MIN_SHARE {
            let missing: Vec<&String> = theirs
                .iter()
                .filter(|w| !ours.contains(*w))
                .take(12)
                .collect();
            failures.push(format!(
                "{name}: {:.1}% of pdftotext's words (missing e.g. {missing:?})",
                share * 100.0
            ));
        }
    }
    if all_theirs > 0 {
        println!(
            "{:<48} {:>6} {:>8} {:>8} {:>6.1}%",
            "all",
            "",
            all_theirs,
            all_found,
            all_found as f64 * 100.0 / all_theirs as f64
        );
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

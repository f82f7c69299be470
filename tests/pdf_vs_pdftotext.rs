//! Differential test of the PDF text against `pdftotext` (poppler-utils):
//! of the words pdftotext reads from a file, the share our extraction
//! reads too (NFKC, lower-cased, punctuation at the ends dropped) must be
//! at least 95 % per file. Runs on the sample bundle's newspapers and on
//! every PDF under `$DRIVESHELF_REAL_PDFS` (`.ci/run` unpacks Debian's
//! `texlive-lang-korean` documentation there: real Korean PDFs from
//! xdvipdfmx, pdfTeX and others). Prints the table.

mod common;

use common::pdfs::{have_poppler, no_unicode_maps, pdftotext, sample_and_real_pdfs, words};
use driveshelf::pdf::{extract_text, Budget};
use std::collections::HashSet;

const MIN_SHARE: f64 = 0.95;
/// Over all files together: 99.5 % of 70,309 words on the sample
/// newspapers and Debian 13's texlive-lang-korean docs, 99.7 % of 136,737
/// with the Debian FAQ and dblatex's manuals `.ci/run` adds.
const MIN_ALL_SHARE: f64 = 0.994;

#[test]
fn words_of_pdftotext_are_found() {
    if !have_poppler() {
        println!("NOTICE: skipped: pdftotext (poppler-utils) is not installed");
        return;
    }
    let files = sample_and_real_pdfs();
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
        let Some(reference) = pdftotext(f, None) else {
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
    let all_share = all_found as f64 / all_theirs.max(1) as f64;
    if all_share < MIN_ALL_SHARE {
        failures.push(format!(
            "all files: {:.1}% of pdftotext's words (at least {:.1}%)",
            all_share * 100.0,
            MIN_ALL_SHARE * 100.0
        ));
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

//! The search box on real PDFs, end to end: a drive holding the sample
//! newspapers and every PDF under `$DRIVESHELF_REAL_PDFS` (`.ci/run` unpacks
//! Debian's `texlive-lang-korean` documentation there: Korean and English
//! files made by xdvipdfmx, pdfTeX, LuaTeX and others — not by our
//! generator), plus the few PDFs Debian documentation packages left on this
//! machine. For every page, the words `pdftotext` (poppler) reads there and
//! nowhere else on the drive are searched over HTTP; the hit must name that
//! file and that page, and its link must open on that page. Run twice: on a
//! drive the server reads in the background, and on the same drive after
//! `driveshelf prepare`. Prints the table of misses.

mod common;

use common::drive::{api, wait_until_read};
use common::*;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;
use unicode_normalization::UnicodeNormalization;

/// Share of the planted words that must lead to their page.
const MIN_SHARE: f64 = 0.95;
/// Words tried per page (the rarest first).
const PER_PAGE: usize = 2;

fn words(text: &str) -> Vec<String> {
    let norm: String = text.nfkc().collect::<String>().to_lowercase();
    norm.split(|c: char| c.is_whitespace())
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.chars().count() >= 3 && w.chars().all(char::is_alphanumeric))
        // Digits alone name page numbers and years: not what one searches.
        .filter(|w| w.chars().any(char::is_alphabetic))
        .map(str::to_string)
        .collect()
}

fn pdftotext_page(path: &Path, page: u32) -> Option<String> {
    let n = page.to_string();
    let out = Command::new("pdftotext")
        .args(["-q", "-enc", "UTF-8", "-f", &n, "-l", &n])
        .arg(path)
        .arg("-")
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn page_count(path: &Path) -> Option<u32> {
    let out = Command::new("pdfinfo").arg(path).output().ok()?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
}

/// True when no font of the file maps its glyphs to Unicode: pdftotext
/// then prints glyph codes, not words (see tests/pdf_vs_pdftotext.rs).
fn no_unicode_maps(path: &Path) -> bool {
    let Ok(out) = Command::new("pdffonts").arg(path).output() else {
        return false;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let uni: Vec<String> = text
        .lines()
        .skip_while(|l| !l.starts_with("---"))
        .skip(1)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            cols.len().checked_sub(3).map(|i| cols[i].to_string())
        })
        .collect();
    !uni.is_empty() && uni.iter().all(|u| u == "no")
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

/// A word to search and where pdftotext read it.
struct Probe {
    word: String,
    file: String,
    page: u32,
}

/// Copies the PDFs into `drive/newspapers/` under names of their own and
/// picks, per page, the words pdftotext reads on that page only.
fn lay_out(drive: &Path, sources: &[PathBuf]) -> Vec<Probe> {
    let dest = drive.join("newspapers");
    std::fs::create_dir_all(&dest).unwrap();
    // word → every (file, page) it is read on.
    let mut seen: HashMap<String, Vec<(String, u32)>> = HashMap::new();
    let mut pages: BTreeMap<(String, u32), Vec<String>> = BTreeMap::new();
    for (i, src) in sources.iter().enumerate() {
        if no_unicode_maps(src) {
            println!("{}: no font maps to Unicode; left out", src.display());
            continue;
        }
        let Some(count) = page_count(src) else {
            println!("{}: pdfinfo cannot read it; left out", src.display());
            continue;
        };
        let stem = src.file_stem().unwrap_or_default().to_string_lossy();
        let name = format!("{i:02}-{stem}.pdf");
        std::fs::copy(src, dest.join(&name)).unwrap();
        let rel = format!("newspapers/{name}");
        for page in 1..=count {
            let Some(text) = pdftotext_page(src, page) else {
                continue;
            };
            let mut ws = words(&text);
            ws.sort();
            ws.dedup();
            for w in &ws {
                seen.entry(w.clone()).or_default().push((rel.clone(), page));
            }
            pages.insert((rel.clone(), page), ws);
        }
    }
    let mut probes = Vec::new();
    for ((file, page), ws) in pages {
        // Words of this page only, longest first (the most telling), a
        // Hangul one and a Latin one where the page has both.
        let mut only: Vec<&String> = ws
            .iter()
            .filter(|w| seen.get(*w).is_some_and(|at| at.len() == 1))
            .collect();
        only.sort_by_key(|w| (std::cmp::Reverse(w.chars().count()), (*w).clone()));
        let hangul = |w: &&String| w.chars().any(|c| ('가'..='힣').contains(&c));
        let mut chosen: Vec<&String> = only.iter().copied().filter(hangul).take(1).collect();
        chosen.extend(only.iter().copied().filter(|w| !hangul(w)).take(1));
        for w in only {
            if chosen.len() >= PER_PAGE {
                break;
            }
            if !chosen.contains(&w) {
                chosen.push(w);
            }
        }
        for w in chosen {
            probes.push(Probe {
                word: w.clone(),
                file: file.clone(),
                page,
            });
        }
    }
    probes
}

/// Searches every probe; returns the misses, after checking that each hit's
/// link opens the document on its page.
fn search_all(s: &Server, probes: &[Probe]) -> Vec<String> {
    let mut misses = Vec::new();
    let mut links_opened = 0;
    for p in probes {
        let r = api(s, &p.word);
        let hit = r["results"].as_array().and_then(|rs| {
            rs.iter().find(|h| {
                h["file"].as_str() == Some(p.file.as_str())
                    && h["page"].as_u64() == Some(u64::from(p.page))
            })
        });
        let Some(hit) = hit else {
            let got: Vec<String> = r["results"]
                .as_array()
                .map(|rs| {
                    rs.iter()
                        .take(3)
                        .map(|h| format!("{}#{}", h["file"], h["page"]))
                        .collect()
                })
                .unwrap_or_default();
            misses.push(format!(
                "{:<24} {} p.{}  (total {}, first: {})",
                p.word,
                p.file,
                p.page,
                r["total"],
                got.join(", ")
            ));
            continue;
        };
        let url = hit["url"].as_str().unwrap_or_default();
        assert!(
            url.contains(&format!("page={}", p.page)),
            "{}: the link does not name page {}: {url}",
            p.word,
            p.page
        );
        // Open a few links for real (each is a page view or the file).
        if links_opened < 12 {
            let path = url.split('#').next().unwrap_or(url);
            let path = path.strip_prefix(&s.base_url()).unwrap_or(path);
            let opened = s.get(path);
            assert_eq!(opened.status, 200, "{url}");
            links_opened += 1;
        }
    }
    misses
}

fn report(label: &str, probes: &[Probe], misses: &[String]) {
    let share = 1.0 - misses.len() as f64 / probes.len().max(1) as f64;
    println!(
        "{label}: {} of {} words lead to their page ({:.1} %)",
        probes.len() - misses.len(),
        probes.len(),
        share * 100.0
    );
    for m in misses {
        println!("  missed: {m}");
    }
    assert!(
        share >= MIN_SHARE,
        "{label}: only {:.1} % of the words pdftotext reads lead to their page",
        share * 100.0
    );
}

#[test]
fn every_page_of_real_pdfs_is_found_by_its_own_words() {
    if Command::new("pdftotext").arg("-v").output().is_err() {
        println!("NOTICE: skipped: pdftotext (poppler-utils) is not installed");
        return;
    }
    let mut sources = Vec::new();
    pdfs_under(&sample_bundle().join("newspapers"), &mut sources);
    match std::env::var_os("DRIVESHELF_REAL_PDFS") {
        Some(dir) => pdfs_under(Path::new(&dir), &mut sources),
        None => println!(
            "NOTICE: real PDFs skipped (set DRIVESHELF_REAL_PDFS to a folder of PDFs; .ci/run does)"
        ),
    }
    // PDFs other Debian packages installed here (texinfo, DocBook), when present.
    for extra in [
        "/usr/share/doc/libtasn1-doc/libtasn1.pdf",
        "/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf",
    ] {
        if Path::new(extra).is_file() {
            sources.push(PathBuf::from(extra));
        }
    }

    let drive = temp_dir("real-pdfs");
    let probes = lay_out(&drive, &sources);
    let files: std::collections::BTreeSet<&str> = probes.iter().map(|p| p.file.as_str()).collect();
    println!("{} files, {} words to find", files.len(), probes.len());
    assert!(probes.len() >= 20, "too few words to try");

    // Unprepared: the server reads the drive in the background.
    let s = start(&drive);
    wait_until_read(&s);
    let misses = search_all(&s, &probes);
    drop(s);
    report("read by the server", &probes, &misses);

    // Prepared: the index `driveshelf prepare` wrote, used from the start.
    let out = Command::new(env!("CARGO_BIN_EXE_driveshelf"))
        .arg("prepare")
        .arg(&drive)
        .output()
        .expect("driveshelf runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let s = start(&drive);
    let misses = search_all(&s, &probes);
    report("prepared", &probes, &misses);
}

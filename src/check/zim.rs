//! Archives: everything libzim's `check()` looks at, worded for testers.

use super::report::{Finding, Level, Report};
use super::Progress;
use crate::archive::{scan_units, Archive, TitleListState};
use crate::bundle::ZimItem;
use std::path::Path;

const KIND: &str = "zim";

pub fn check(report: &mut Report, z: &ZimItem, quick: bool, progress: &Progress) {
    split_parts(report, z);
    let a = match &z.archive {
        Ok(a) => a,
        Err(reason) => {
            report.add(
                &z.rel,
                KIND,
                Finding::new(Level::Damaged, "zim_unopenable").arg("reason", reason),
            );
            return;
        }
    };
    progress.start_bytes(&z.rel, a.size());
    let (major, minor) = a.version();
    report.add(
        &z.rel,
        KIND,
        Finding::new(Level::Info, "zim_facts")
            .arg("version", format!("{major}.{minor}"))
            .arg("entries", a.entry_count())
            .arg("articles", a.article_count()),
    );
    match a.verify_checksum(&|n| progress.advance(n)) {
        Ok(sum) if sum.matches() => {
            report.add(&z.rel, KIND, Finding::new(Level::Info, "zim_checksum_ok"))
        }
        Ok(_) => report.add(
            &z.rel,
            KIND,
            Finding::new(Level::Damaged, "zim_checksum_mismatch"),
        ),
        Err(e) => report.add(
            &z.rel,
            KIND,
            Finding::new(Level::Damaged, "zim_unreadable").arg("reason", e),
        ),
    }
    main_page(report, z, a);
    match a.title_list_state() {
        Ok(TitleListState::Present { .. }) => {}
        Ok(TitleListState::Absent) => {
            report.add(&z.rel, KIND, Finding::new(Level::Warning, "zim_no_titles"))
        }
        Err(e) => report.add(
            &z.rel,
            KIND,
            Finding::new(Level::Damaged, "zim_titles_damaged").arg("reason", e),
        ),
    }
    let fulltext = [(b'X', "fulltext/xapian"), (b'Z', "fulltextIndex/xapian")]
        .iter()
        .any(|&(ns, p)| matches!(a.find(ns, p), Ok(Some(_))));
    let key = if fulltext {
        "zim_fulltext"
    } else {
        "zim_no_fulltext"
    };
    report.add(&z.rel, KIND, Finding::new(Level::Info, key));
    if quick {
        return;
    }
    progress.start_units(&z.rel, scan_units(a));
    let scan = a.scan_entries(&|n| progress.advance(n));
    add_problems(report, &z.rel, "zim_entries_damaged", &scan.problems);
    let titles = a.check_title_order(&|_| {});
    add_problems(report, &z.rel, "zim_titles_damaged", &titles);
}

fn add_problems(
    report: &mut Report,
    rel: &str,
    key: &'static str,
    problems: &crate::archive::Problems,
) {
    if problems.is_empty() {
        return;
    }
    let first: Vec<String> = problems
        .first
        .iter()
        .take(3)
        .map(|e| e.to_string())
        .collect();
    report.add(
        rel,
        KIND,
        Finding::new(Level::Damaged, key)
            .arg("count", problems.count)
            .arg("reason", first.join("; ")),
    );
}

fn main_page(report: &mut Report, z: &ZimItem, a: &Archive) {
    match a.main_page() {
        Ok(Some(i)) => {
            if let Err(e) = a.resolve(i).and_then(|(_, d)| a.blob(&d).map(|_| ())) {
                report.add(
                    &z.rel,
                    KIND,
                    Finding::new(Level::Damaged, "zim_main_page_broken").arg("reason", e),
                );
            }
        }
        Ok(None) => report.add(
            &z.rel,
            KIND,
            Finding::new(Level::Warning, "zim_no_main_page"),
        ),
        Err(e) => report.add(
            &z.rel,
            KIND,
            Finding::new(Level::Damaged, "zim_main_page_broken").arg("reason", e),
        ),
    }
}

/// Split sets: the walk opens `x.zimaa` and takes parts while they follow
/// one another; a part after a gap, an empty part, or a part shorter than
/// the first (all but the last are cut at the same size) means a copy went
/// wrong.
fn split_parts(report: &mut Report, z: &ZimItem) {
    let name = z.path.file_name().map(|n| n.to_string_lossy().into_owned());
    let Some(name) = name.filter(|n| n.ends_with(".zimaa")) else {
        return;
    };
    let base = name.trim_end_matches("aa").to_string();
    let dir = z.path.parent().unwrap_or(Path::new("."));
    let parts = crate::archive::find_parts(&z.path).unwrap_or_default();
    let sizes: Vec<u64> = parts
        .iter()
        .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
        .collect();
    let first = sizes.first().copied().unwrap_or(0);
    for (i, (p, &size)) in parts.iter().zip(&sizes).enumerate() {
        let last = i + 1 == parts.len();
        let short = if last { size == 0 } else { size != first };
        if short {
            let part = p.file_name().map(|n| n.to_string_lossy().into_owned());
            report.add(
                &z.rel,
                KIND,
                Finding::new(Level::Damaged, "zim_part_size")
                    .arg("part", part.unwrap_or_default())
                    .arg("size", size)
                    .arg("expected", first),
            );
        }
    }
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let known: Vec<String> = parts
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    let mut stray: Vec<String> = rd
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.len() == base.len() + 2
                && n.starts_with(&base)
                && n.get(base.len()..)
                    .is_some_and(|s| s.bytes().all(|b| b.is_ascii_lowercase()))
                && !known.contains(n)
        })
        .collect();
    stray.sort();
    for part in stray {
        report.add(
            &z.rel,
            KIND,
            Finding::new(Level::Damaged, "zim_part_gap").arg("part", part),
        );
    }
}

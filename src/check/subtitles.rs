//! Subtitle files: they decode, their encoding, they hold cues, and each
//! belongs to a film or recording.

use super::report::{Finding, Level, Report};
use crate::bundle::Catalog;
use crate::media::names;
use crate::media::subtitles;
use std::collections::HashSet;

const KIND: &str = "subtitle";
/// A subtitle file is text; a bigger one is not what it claims.
const MAX_SUBTITLE: u64 = 16 << 20;

/// Every `.srt`/`.vtt` found: attached ones are read; the others are
/// reported as sidecars without a main file.
pub fn check(report: &mut Report, catalog: &Catalog, files: &[(String, std::path::PathBuf)]) {
    let attached: HashSet<&str> = catalog
        .items
        .iter()
        .flat_map(|i| i.subtitles.iter().map(|s| s.rel.as_str()))
        .collect();
    for (rel, path) in files {
        let (_, ext) = names::stem_and_ext(rel.rsplit('/').next().unwrap_or(rel));
        let ext = ext.to_ascii_lowercase();
        if ext != "srt" && ext != "vtt" {
            continue;
        }
        if !attached.contains(rel.as_str()) {
            report.add(rel, KIND, Finding::new(Level::Warning, "sidecar_orphan"));
        }
        check_one(report, rel, path, ext == "srt");
    }
}

fn check_one(report: &mut Report, rel: &str, path: &std::path::Path, srt: bool) {
    let size = std::fs::metadata(path).map_or(0, |m| m.len());
    if size > MAX_SUBTITLE {
        report.add(
            rel,
            KIND,
            Finding::new(Level::Damaged, "subtitle_too_big").arg("size", size),
        );
        return;
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            report.add(
                rel,
                KIND,
                Finding::new(Level::Damaged, "file_unreadable").arg("reason", e),
            );
            return;
        }
    };
    let (text, encoding) = subtitles::decode_text(&bytes);
    if encoding != "UTF-8" {
        report.add(
            rel,
            KIND,
            Finding::new(Level::Info, "subtitle_encoding").arg("encoding", encoding),
        );
    }
    let vtt = if srt {
        subtitles::srt_to_vtt(&text)
    } else {
        subtitles::vtt_passthrough(&text)
    };
    let cues = vtt.lines().filter(|l| l.contains("-->")).count();
    if cues == 0 {
        report.add(rel, KIND, Finding::new(Level::Damaged, "subtitle_no_cues"));
    } else {
        report.add(
            rel,
            KIND,
            Finding::new(Level::Info, "subtitle_cues").arg("cues", cues),
        );
    }
}

//! Films and recordings: the container is readable, its duration and codecs,
//! whether a browser plays it, and whether the file was cut short.
//!
//! Probing reads headers only, so a copy that lost its tail still probes;
//! the container's own sizes tell how long the file should be.

use super::report::{Finding, Level, Report};
use crate::bundle::{Item, Kind};
use crate::media::{names, playback, probe};
use crate::readat::{read_vec, FileAt, ReadAt};
use std::path::Path;

/// Top-level MP4 boxes a file may hold before something is wrong.
const MAX_BOXES: usize = 100_000;
/// Where the last Ogg page is looked for.
const OGG_TAIL: u64 = 64 * 1024;

/// Every file of a film (`name.mp4`, `name.webm`, …) or the recording.
pub fn check(report: &mut Report, item: &Item) {
    for f in item.files() {
        check_file(report, item.kind, f.rel, f.path, f.file_name);
    }
}

fn check_file(report: &mut Report, kind: Kind, rel: &str, path: &Path, file_name: &str) {
    let video = kind == Kind::Video;
    let kind = if video { "video" } else { "audio" };
    let add = |report: &mut Report, f: Finding| report.add(rel, kind, f);
    let src = match FileAt::open(path) {
        Ok(s) => s,
        Err(e) => {
            add(
                report,
                Finding::new(Level::Damaged, "file_unreadable").arg("reason", e),
            );
            return;
        }
    };
    let (_, ext) = names::stem_and_ext(file_name);
    let info = match probe::probe(&src, ext) {
        Ok(i) => i,
        Err(e) => {
            add(
                report,
                Finding::new(Level::Damaged, "media_unreadable").arg("reason", e),
            );
            return;
        }
    };
    let codecs = [info.video_codec.as_deref(), info.audio_codec.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" + ");
    let duration = info
        .duration_secs
        .map(clock)
        .unwrap_or_else(|| "?".to_string());
    add(
        report,
        Finding::new(Level::Info, "media_facts")
            .arg("container", info.container)
            .arg("codecs", if codecs.is_empty() { "?" } else { &codecs })
            .arg("duration", duration),
    );
    let plays = playback::families(ext, &info);
    if video && !plays.is_empty() {
        let list = plays
            .iter()
            .map(|p| {
                let mut t = format!("{} {}", p.name(), p.from);
                match p.until {
                    Some(u) => t.push_str(&format!("–{u}")),
                    None => t.push('+'),
                }
                if p.system == Some("windows7") {
                    t.push_str(" (Windows 7+)");
                }
                t
            })
            .collect::<Vec<_>>()
            .join(", ");
        let codes = plays
            .iter()
            .map(|p| p.browser)
            .collect::<Vec<_>>()
            .join(",");
        add(
            report,
            Finding::new(Level::Info, "media_plays_in")
                .arg("browsers", list)
                .arg("families", codes),
        );
    } else if (video && plays.is_empty()) || !probe::browser_playable(ext, &info) {
        add(report, Finding::new(Level::Warning, "media_not_playable"));
    }
    match complete(&src, info.container) {
        Ok(Completeness::Whole) => {}
        Ok(Completeness::Unknown) => {}
        Ok(Completeness::NoEnd) => add(report, Finding::new(Level::Warning, "media_no_end")),
        Ok(Completeness::Short { expected }) => add(
            report,
            Finding::new(Level::Damaged, "media_truncated")
                .arg("expected", expected)
                .arg("size", src.len()),
        ),
        Err(e) => add(
            report,
            Finding::new(Level::Damaged, "file_unreadable").arg("reason", e),
        ),
    }
}

/// `1:02:03` or `4:05`.
fn clock(secs: f64) -> String {
    let t = if secs.is_finite() && secs > 0.0 {
        secs.round() as u64
    } else {
        0
    };
    let (h, m, s) = (t / 3600, t / 60 % 60, t % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum Completeness {
    Whole,
    /// The container says the file goes on to `expected` bytes.
    Short {
        expected: u64,
    },
    /// A stream with an end marker lacks it (Ogg): perhaps cut, perhaps a
    /// recording that was stopped uncleanly.
    NoEnd,
    /// The format says nothing about its length.
    Unknown,
}

/// Compares the sizes the container states with the file's length.
pub fn complete(src: &dyn ReadAt, container: &str) -> std::io::Result<Completeness> {
    match container {
        "mp4" | "mov" => mp4(src),
        "webm" | "matroska" => ebml(src),
        "avi" | "wav" => riff(src),
        "ogg" => ogg(src),
        _ => Ok(Completeness::Unknown),
    }
}

fn be32(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 4)
        .and_then(|s| s.try_into().ok())
        .map_or(0, |a| u64::from(u32::from_be_bytes(a)))
}

fn mp4(src: &dyn ReadAt) -> std::io::Result<Completeness> {
    let len = src.len();
    let mut pos = 0u64;
    for _ in 0..MAX_BOXES {
        if pos >= len {
            return Ok(Completeness::Whole);
        }
        if len - pos < 8 {
            return Ok(Completeness::Short { expected: pos + 8 });
        }
        let head = read_vec(src, pos, 8)?;
        let size = match be32(&head, 0) {
            // Extends to the end of the file, whatever that is.
            0 => return Ok(Completeness::Whole),
            1 => {
                if len - pos < 16 {
                    return Ok(Completeness::Short { expected: pos + 16 });
                }
                let big = read_vec(src, pos + 8, 8)?;
                (be32(&big, 0) << 32) | be32(&big, 4)
            }
            n => n,
        };
        if size < 8 {
            return Ok(Completeness::Unknown);
        }
        let Some(end) = pos.checked_add(size) else {
            return Ok(Completeness::Unknown);
        };
        if end > len {
            return Ok(Completeness::Short { expected: end });
        }
        pos = end;
    }
    Ok(Completeness::Unknown)
}

/// An EBML variable-size integer at `at`: (value, length); all ones in the
/// value means "unknown size".
fn vint(b: &[u8], at: usize) -> Option<(u64, usize, bool)> {
    let first = *b.get(at)?;
    let n = first.leading_zeros() as usize + 1;
    if n > 8 {
        return None;
    }
    let mut v = u64::from(first) & (0xFF >> n);
    for i in 1..n {
        v = (v << 8) | u64::from(*b.get(at + i)?);
    }
    let unknown = v == (1u64 << (7 * n)) - 1;
    Some((v, n, unknown))
}

fn ebml(src: &dyn ReadAt) -> std::io::Result<Completeness> {
    let len = src.len();
    let head = read_vec(src, 0, usize::try_from(len.min(64)).unwrap_or(64))?;
    // EBML header: 4-byte ID, size, body; then the Segment's ID and size.
    let Some((hsize, hn, _)) = vint(&head, 4) else {
        return Ok(Completeness::Unknown);
    };
    let seg_at = 4 + hn as u64 + hsize;
    let seg = read_vec(src, seg_at, 12).ok();
    let Some(seg) = seg.filter(|s| s.starts_with(&[0x18, 0x53, 0x80, 0x67])) else {
        return Ok(Completeness::Unknown);
    };
    let Some((size, n, unknown)) = vint(&seg, 4) else {
        return Ok(Completeness::Unknown);
    };
    if unknown {
        return Ok(Completeness::Unknown);
    }
    let end = (seg_at + 4 + n as u64).saturating_add(size);
    Ok(if end > len {
        Completeness::Short { expected: end }
    } else {
        Completeness::Whole
    })
}

fn riff(src: &dyn ReadAt) -> std::io::Result<Completeness> {
    let head = read_vec(src, 0, 8)?;
    let size = head
        .get(4..8)
        .and_then(|s| s.try_into().ok())
        .map_or(0, |a| u64::from(u32::from_le_bytes(a)));
    // Writers that go past 4 GiB (or stream) leave the size at its maximum.
    if size == 0 || size == u64::from(u32::MAX) {
        return Ok(Completeness::Unknown);
    }
    let end = 8 + size;
    Ok(if end > src.len() {
        Completeness::Short { expected: end }
    } else {
        Completeness::Whole
    })
}

fn ogg(src: &dyn ReadAt) -> std::io::Result<Completeness> {
    let len = src.len();
    let start = len.saturating_sub(OGG_TAIL);
    let tail = read_vec(src, start, usize::try_from(len - start).unwrap_or(0))?;
    let Some(at) = tail.windows(4).rposition(|w| w == b"OggS") else {
        return Ok(Completeness::NoEnd);
    };
    let page = tail.get(at..).unwrap_or_default();
    let (Some(&flags), Some(&nsegs)) = (page.get(5), page.get(26)) else {
        return Ok(Completeness::Short {
            expected: start + at as u64 + 27,
        });
    };
    let header = 27 + usize::from(nsegs);
    let body: usize = match page.get(27..header) {
        Some(t) => t.iter().map(|&b| usize::from(b)).sum(),
        None => {
            return Ok(Completeness::Short {
                expected: start + (at + header) as u64,
            })
        }
    };
    let end = start + (at + header + body) as u64;
    if end > len {
        return Ok(Completeness::Short { expected: end });
    }
    Ok(if flags & 0x04 != 0 {
        Completeness::Whole
    } else {
        Completeness::NoEnd
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mp4_file(boxes: &[(&[u8; 4], usize)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (t, n) in boxes {
            out.extend_from_slice(&(*n as u32).to_be_bytes());
            out.extend_from_slice(*t);
            out.resize(out.len() + n - 8, 0);
        }
        out
    }

    #[test]
    fn mp4_cut_short() {
        let f = mp4_file(&[(b"ftyp", 24), (b"moov", 100), (b"mdat", 1000)]);
        assert_eq!(complete(&f, "mp4").unwrap(), Completeness::Whole);
        let cut = f[..f.len() - 10].to_vec();
        assert_eq!(
            complete(&cut, "mp4").unwrap(),
            Completeness::Short { expected: 1124 }
        );
    }

    #[test]
    fn riff_cut_short() {
        let mut f = b"RIFF".to_vec();
        f.extend_from_slice(&100u32.to_le_bytes());
        f.resize(108, 0);
        assert_eq!(complete(&f, "avi").unwrap(), Completeness::Whole);
        f.truncate(50);
        assert_eq!(
            complete(&f, "wav").unwrap(),
            Completeness::Short { expected: 108 }
        );
    }

    #[test]
    fn vints() {
        assert_eq!(vint(&[0x81], 0), Some((1, 1, false)));
        assert_eq!(vint(&[0x40, 0x02], 0), Some((2, 2, false)));
        assert_eq!(vint(&[0xFF], 0), Some((127, 1, true)));
        assert_eq!(vint(&[0x00], 0), None);
        assert_eq!(vint(&[0x40], 0), None);
    }
}

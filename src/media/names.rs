//! File names: which files belong to which (sidecars), and titles and dates
//! guessed from names when a file has no description.
//!
//! Drives are often FAT32 or exFAT written from Windows, where `Film.MP4` and
//! `film.mp4.SRT` are the same as their lowercase spellings to the person who
//! made them, so extensions and stems compare ASCII-case-insensitively.

use crate::media::subtitles::{language_tag, strip_prefix_ignore_ascii_case};

/// Splits `name.ext` at its last dot: `("name", "ext")`, the extension as
/// written and without the dot. A name without a dot, or whose only dot is
/// the first character (`.hidden`), has an empty extension.
pub fn stem_and_ext(file_name: &str) -> (&str, &str) {
    match file_name.rfind('.') {
        Some(p) if p > 0 => (
            file_name.get(..p).unwrap_or(file_name),
            file_name.get(p + 1..).unwrap_or(""),
        ),
        _ => (file_name, ""),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubtitleFormat {
    Vtt,
    Srt,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SidecarKind {
    /// `name.md`: a Markdown description, perhaps with front matter.
    Description,
    /// `name.jpg|jpeg|png|webp`: a poster or cover picture.
    Poster,
    /// `name.srt|vtt` or `name.<lang>.srt|vtt`.
    Subtitle {
        lang: Option<String>,
        format: SubtitleFormat,
    },
}

/// Whether `candidate` (a file name in the same folder) is a sidecar of
/// `media_file` (a file name), and of which kind.
pub fn is_sidecar_of(candidate: &str, media_file: &str) -> Option<SidecarKind> {
    if candidate == media_file {
        return None;
    }
    let (media_stem, _) = stem_and_ext(media_file);
    let (stem, ext) = stem_and_ext(candidate);
    let ext = ext.to_ascii_lowercase();
    let same_stem = stem.eq_ignore_ascii_case(media_stem);
    match ext.as_str() {
        "md" if same_stem => Some(SidecarKind::Description),
        "jpg" | "jpeg" | "png" | "webp" if same_stem => Some(SidecarKind::Poster),
        "srt" | "vtt" => {
            let format = if ext == "srt" {
                SubtitleFormat::Srt
            } else {
                SubtitleFormat::Vtt
            };
            let lang = if same_stem {
                None
            } else {
                let tag = strip_prefix_ignore_ascii_case(stem, media_stem)?.strip_prefix('.')?;
                Some(language_tag(tag)?)
            };
            Some(SidecarKind::Subtitle { lang, format })
        }
        _ => None,
    }
}

/// A title and a date guessed from a file stem: the date (`YYYY-MM-DD`, from
/// `2024-02-08`, `2024_02_08`, `2024.02.08`, `20240208` or
/// `2024년 02월 09일`) or else a year (`(1987)`, `-2005`) is taken out, and
/// underscores become spaces (dashes too in names with no spaces at all,
/// which are slugs like `hanbit-ilbo`).
pub fn title_from_file_name(stem: &str) -> (String, Option<String>) {
    let chars: Vec<char> = stem.chars().collect();
    let found = find_full_date(&chars).or_else(|| find_year(&chars));
    let (rest, date) = match found {
        Some((start, end, date)) => {
            let mut rest: String = chars.get(..start).unwrap_or(&[]).iter().collect();
            rest.push(' ');
            rest.extend(chars.get(end..).unwrap_or(&[]).iter());
            (rest, Some(date))
        }
        None => (stem.to_owned(), None),
    };
    let rest = rest
        .replace("( )", " ")
        .replace("()", " ")
        .replace("[ ]", " ")
        .replace("[]", " ");
    let slug = !rest.trim().contains(' ');
    let mut title = String::with_capacity(rest.len());
    for c in rest.chars() {
        let c = if c == '_' || (slug && c == '-') {
            ' '
        } else {
            c
        };
        if c == ' ' && (title.is_empty() || title.ends_with(' ')) {
            continue;
        }
        title.push(c);
    }
    let title = title
        .trim_matches(|c: char| c == ' ' || c == '-' || c == ',' || c == '.')
        .to_owned();
    if title.is_empty() {
        (stem.replace('_', " ").trim().to_owned(), date)
    } else {
        (title, date)
    }
}

fn digits_at(chars: &[char], at: usize, n: usize) -> Option<u32> {
    let s = chars.get(at..at.checked_add(n)?)?;
    let mut v = 0u32;
    for c in s {
        v = v * 10 + c.to_digit(10)?;
    }
    Some(v)
}

fn is_digit_at(chars: &[char], at: Option<usize>) -> bool {
    at.and_then(|i| chars.get(i))
        .is_some_and(|c| c.is_ascii_digit())
}

/// Reads 1 or 2 digits (a month or a day).
fn small_number(chars: &[char], at: usize) -> Option<(u32, usize)> {
    let a = digits_at(chars, at, 1)?;
    match digits_at(chars, at + 1, 1) {
        Some(b) => Some((a * 10 + b, at + 2)),
        None => Some((a, at + 1)),
    }
}

fn plausible(y: u32, m: u32, d: u32) -> bool {
    (1800..=2199).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d)
}

/// The last full date in the name: `(start, end, "YYYY-MM-DD")` in chars.
fn find_full_date(chars: &[char]) -> Option<(usize, usize, String)> {
    let mut best = None;
    for start in 0..chars.len() {
        if is_digit_at(chars, start.checked_sub(1)) {
            continue;
        }
        let Some(y) = digits_at(chars, start, 4) else {
            continue;
        };
        let mut at = start + 4;
        let korean = chars.get(at) == Some(&'년');
        let parsed = if korean {
            (|| {
                at += 1;
                while chars.get(at) == Some(&' ') {
                    at += 1;
                }
                let (m, next) = small_number(chars, at)?;
                at = next;
                if chars.get(at) != Some(&'월') {
                    return None;
                }
                at += 1;
                while chars.get(at) == Some(&' ') {
                    at += 1;
                }
                let (d, next) = small_number(chars, at)?;
                at = next;
                if chars.get(at) != Some(&'일') {
                    return None;
                }
                Some((m, d, at + 1))
            })()
        } else if let Some(sep @ ('-' | '_' | '.')) = chars.get(at).copied() {
            (|| {
                let (m, next) = small_number(chars, at + 1)?;
                if chars.get(next) != Some(&sep) {
                    return None;
                }
                let (d, end) = small_number(chars, next + 1)?;
                Some((m, d, end))
            })()
        } else {
            digits_at(chars, at, 2)
                .zip(digits_at(chars, at + 2, 2))
                .map(|(m, d)| (m, d, at + 4))
        };
        if let Some((m, d, end)) = parsed {
            if plausible(y, m, d) && !is_digit_at(chars, Some(end)) {
                best = Some((start, end, format!("{y:04}-{m:02}-{d:02}")));
            }
        }
    }
    best
}

/// The last year standing alone (`(1987)`, `_2012`, `-2005`): four digits
/// with no digit on either side, 1850–2100.
fn find_year(chars: &[char]) -> Option<(usize, usize, String)> {
    let mut best = None;
    for start in 0..chars.len() {
        if is_digit_at(chars, start.checked_sub(1)) || is_digit_at(chars, Some(start + 4)) {
            continue;
        }
        if let Some(y) = digits_at(chars, start, 4) {
            if (1850..=2100).contains(&y) {
                let end = if chars.get(start + 4) == Some(&'년') {
                    start + 5
                } else {
                    start + 4
                };
                best = Some((start, end, format!("{y:04}")));
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::testutil::{sample_bundle, Rng};

    #[test]
    fn stems() {
        assert_eq!(stem_and_ext("a.b.mp4"), ("a.b", "mp4"));
        assert_eq!(stem_and_ext("noext"), ("noext", ""));
        assert_eq!(stem_and_ext(".hidden"), (".hidden", ""));
        assert_eq!(
            stem_and_ext("서울의 겨울 (1987).MP4"),
            ("서울의 겨울 (1987)", "MP4")
        );
    }

    #[test]
    fn sidecars() {
        let m = "서울의 겨울 (1987).mp4";
        assert_eq!(
            is_sidecar_of("서울의 겨울 (1987).md", m),
            Some(SidecarKind::Description)
        );
        assert_eq!(
            is_sidecar_of("서울의 겨울 (1987).JPG", m),
            Some(SidecarKind::Poster)
        );
        assert_eq!(
            is_sidecar_of("서울의 겨울 (1987).webp", m),
            Some(SidecarKind::Poster)
        );
        assert_eq!(
            is_sidecar_of("서울의 겨울 (1987).ko.srt", m),
            Some(SidecarKind::Subtitle {
                lang: Some("ko".into()),
                format: SubtitleFormat::Srt
            })
        );
        assert_eq!(
            is_sidecar_of("서울의 겨울 (1987).VTT", m),
            Some(SidecarKind::Subtitle {
                lang: None,
                format: SubtitleFormat::Vtt
            })
        );
        assert_eq!(
            is_sidecar_of("FILM.md", "film.MP4"),
            Some(SidecarKind::Description)
        );
        assert_eq!(is_sidecar_of("서울의 겨울.md", m), None);
        assert_eq!(is_sidecar_of("서울의 겨울 (1987).mp4", m), None);
        assert_eq!(is_sidecar_of("서울의 겨울 (1987) 2.jpg", m), None);
        assert_eq!(is_sidecar_of("서울의 겨울 (1987).txt", m), None);
        assert_eq!(is_sidecar_of("film2.ko.srt", "film.mp4"), None);
    }

    #[test]
    fn titles() {
        let t = |s: &str| {
            let (a, b) = title_from_file_name(s);
            (a, b.unwrap_or_default())
        };
        assert_eq!(
            t("새벽신문_2024-02-08"),
            ("새벽신문".into(), "2024-02-08".into())
        );
        assert_eq!(
            t("hanbit-ilbo_2024-02-07"),
            ("hanbit ilbo".into(), "2024-02-07".into())
        );
        assert_eq!(
            t("누리경제 2024년 02월 09일"),
            ("누리경제".into(), "2024-02-09".into())
        );
        assert_eq!(
            t("누리경제 2024년 2월 9일 호외"),
            ("누리경제 호외".into(), "2024-02-09".into())
        );
        assert_eq!(
            t("서울의 겨울 (1987)"),
            ("서울의 겨울".into(), "1987".into())
        );
        assert_eq!(
            t("walking-baekdudaegan-2005"),
            ("walking baekdudaegan".into(), "2005".into())
        );
        assert_eq!(
            t("어머니의_부엌_2012"),
            ("어머니의 부엌".into(), "2012".into())
        );
        assert_eq!(
            t("아침 뉴스 2024-02-07"),
            ("아침 뉴스".into(), "2024-02-07".into())
        );
        assert_eq!(
            t("weather-today-2024-02-08"),
            ("weather today".into(), "2024-02-08".into())
        );
        assert_eq!(t("report 20240131"), ("report".into(), "2024-01-31".into()));
        assert_eq!(t("K-pop 이야기"), ("K-pop 이야기".into(), "".into()));
        assert_eq!(t("file 12345"), ("file 12345".into(), "".into()));
        assert_eq!(t("2024-13-40"), ("13 40".into(), "2024".into()));
        assert_eq!(t("1987"), ("1987".into(), "1987".into()));
        assert_eq!(t(""), ("".into(), "".into()));
    }

    #[test]
    fn sample_bundle_names() {
        let Some(dir) = sample_bundle() else { return };
        let names: Vec<String> = std::fs::read_dir(dir.join("videos"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        let media = "작은 섬 이야기 (1976).avi";
        let kinds: Vec<SidecarKind> = names
            .iter()
            .filter_map(|n| is_sidecar_of(n, media))
            .collect();
        assert_eq!(kinds.len(), 3, "{kinds:?}");
    }

    #[test]
    fn fuzz_never_panics() {
        let alphabet: Vec<char> = "0123456789-_.() 년월일가aZ[]".chars().collect();
        let mut rng = Rng::new(7);
        for _ in 0..5000 {
            let n = rng.below(24);
            let s: String = (0..n)
                .map(|_| alphabet[rng.below(alphabet.len())])
                .collect();
            let _ = title_from_file_name(&s);
            let _ = is_sidecar_of(&s, "a.mp4");
            let _ = stem_and_ext(&s);
        }
    }
}

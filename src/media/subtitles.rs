//! Subtitle files: encoding detection and SRT → WebVTT conversion.
//!
//! Browsers only take WebVTT in `<track>`, and only as UTF-8, while Korean
//! `.srt` files in the wild are as often CP949 as UTF-8 (and sometimes UTF-16
//! from Windows tools). Everything here is total: bad input gives odd text or
//! skipped cues, never an error or a panic.

use encoding_rs::{Encoding, EUC_KR, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// Decodes subtitle (or any small text) bytes to a string, guessing the
/// encoding. Returns the text without any BOM and the name of the encoding
/// used: "UTF-8", "UTF-16LE", "UTF-16BE", "CP949" (a superset of EUC-KR) or
/// "windows-1252" (the Latin-1 fallback browsers use too).
pub fn decode_text(bytes: &[u8]) -> (String, &'static str) {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return (String::from_utf8_lossy(rest).into_owned(), "UTF-8");
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return (decode_with(UTF_16LE, rest), "UTF-16LE");
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return (decode_with(UTF_16BE, rest), "UTF-16BE");
    }
    if let Some(le) = utf16_without_bom(bytes) {
        return if le {
            (decode_with(UTF_16LE, bytes), "UTF-16LE")
        } else {
            (decode_with(UTF_16BE, bytes), "UTF-16BE")
        };
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return (s.to_owned(), "UTF-8");
    }
    if mostly_utf8(bytes) {
        return (String::from_utf8_lossy(bytes).into_owned(), "UTF-8");
    }
    let (korean, had_errors) = EUC_KR.decode_without_bom_handling(bytes);
    if looks_korean(&korean, had_errors) {
        return (korean.into_owned(), "CP949");
    }
    (decode_with(WINDOWS_1252, bytes), "windows-1252")
}

fn decode_with(enc: &'static Encoding, bytes: &[u8]) -> String {
    enc.decode_without_bom_handling(bytes).0.into_owned()
}

/// UTF-16 without a BOM shows itself by NUL bytes on one side of most pairs:
/// subtitle files are full of ASCII digits, colons and newlines. Returns
/// `Some(true)` for little-endian, `Some(false)` for big-endian.
fn utf16_without_bom(bytes: &[u8]) -> Option<bool> {
    let sample = bytes.get(..bytes.len().min(4096))?;
    let pairs = sample.len() / 2;
    if pairs < 2 {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in sample.chunks_exact(2) {
        if pair.first() == Some(&0) {
            even += 1;
        }
        if pair.get(1) == Some(&0) {
            odd += 1;
        }
    }
    // A quarter of the pairs: Hangul-heavy text has fewer NULs than English,
    // but the timestamps alone are more than that.
    if odd * 4 >= pairs && even * 10 <= odd {
        Some(true)
    } else if even * 4 >= pairs && odd * 10 <= even {
        Some(false)
    } else {
        None
    }
}

/// UTF-8 with a few broken sequences (a file cut mid-character, one stray
/// byte) is still UTF-8: CP949 read as UTF-8 is nearly all invalid, and UTF-8
/// Korean read as CP949 is often valid nonsense, so decide here first.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let mut valid_multibyte = 0usize;
    let mut invalid = 0usize;
    for chunk in bytes.utf8_chunks() {
        valid_multibyte += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        if !chunk.invalid().is_empty() {
            invalid += 1;
        }
    }
    valid_multibyte > 0 && invalid * 4 <= valid_multibyte
}

/// CP949 decoding "succeeds" on many Latin-1 byte pairs too, giving Hanja and
/// symbols; real Korean text is mostly Hangul syllables.
pub(crate) fn looks_korean(text: &str, had_errors: bool) -> bool {
    let mut non_ascii = 0usize;
    let mut hangul = 0usize;
    let mut replaced = 0usize;
    for c in text.chars() {
        if c == '\u{FFFD}' {
            replaced += 1;
        } else if !c.is_ascii() {
            non_ascii += 1;
            if ('\u{AC00}'..='\u{D7A3}').contains(&c) || ('\u{3131}'..='\u{318E}').contains(&c) {
                hangul += 1;
            }
        }
    }
    if non_ascii == 0 {
        return false;
    }
    let errors_ok = !had_errors || replaced * 50 <= non_ascii;
    errors_ok && hangul * 2 >= non_ascii
}

/// Converts SubRip text to WebVTT. Cue numbers are kept as cue ids; cues with
/// an unreadable timing line are skipped; the text is escaped so that only
/// `<b>`, `<i>` and `<u>` survive as markup.
pub fn srt_to_vtt(text: &str) -> String {
    let text = normalise(text);
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out = String::with_capacity(text.len() + 16);
    out.push_str("WEBVTT\n");
    let mut i = 0;
    while i < lines.len() {
        let Some(timing) = lines.get(i).and_then(|l| parse_timing(l)) else {
            i += 1;
            continue;
        };
        let id = i
            .checked_sub(1)
            .and_then(|p| lines.get(p))
            .map(|l| l.trim())
            .filter(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()));
        let mut body: Vec<&str> = Vec::new();
        let mut j = i + 1;
        while let Some(line) = lines.get(j) {
            if line.trim().is_empty() || parse_timing(line).is_some() {
                break;
            }
            body.push(line);
            j += 1;
        }
        // No blank line before the next timing line: its number got taken as
        // text of this cue.
        if lines.get(j).is_some_and(|l| parse_timing(l).is_some())
            && body
                .last()
                .is_some_and(|l| l.trim().bytes().all(|b| b.is_ascii_digit()))
        {
            body.pop();
        }
        i = j;
        let (start, end) = timing;
        if end < start {
            continue;
        }
        out.push('\n');
        if let Some(id) = id {
            out.push_str(id);
            out.push('\n');
        }
        out.push_str(&format_time(start));
        out.push_str(" --> ");
        out.push_str(&format_time(end));
        out.push('\n');
        for line in body {
            out.push_str(&escape_cue_text(line));
            out.push('\n');
        }
    }
    out
}

/// A WebVTT file as served: UTF-8, LF line ends, no BOM, and a `WEBVTT`
/// header even when the file forgot it (browsers reject the whole file then).
pub fn vtt_passthrough(text: &str) -> String {
    let text = normalise(text);
    let first = text.split('\n').next().unwrap_or("");
    let has_header = first
        .strip_prefix("WEBVTT")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']));
    if has_header {
        text
    } else {
        let mut out = String::with_capacity(text.len() + 8);
        out.push_str("WEBVTT\n\n");
        out.push_str(&text);
        out
    }
}

/// The language tag of a subtitle file beside a media file: `name.ko.srt` next
/// to `name.mp4` gives `Some("ko")`, `name.srt` gives `None`, as does a file
/// that is not this media's subtitle. Common English and Korean names of the
/// languages (`name.korean.srt`, `name.한국어.srt`) are mapped to their tags.
pub fn subtitle_lang(file_name: &str, media_stem: &str) -> Option<String> {
    let (stem, ext) = crate::media::names::stem_and_ext(file_name);
    if !ext.eq_ignore_ascii_case("srt") && !ext.eq_ignore_ascii_case("vtt") {
        return None;
    }
    let rest = strip_prefix_ignore_ascii_case(stem, media_stem)?;
    let tag = rest.strip_prefix('.')?;
    language_tag(tag)
}

pub(crate) fn strip_prefix_ignore_ascii_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        s.get(prefix.len()..)
    } else {
        None
    }
}

/// A tag like `ko`, `kor`, `en-US`, `zh_Hant`, or a language name, as a
/// BCP 47-ish tag (lowercase language, the rest as written with `-`).
pub(crate) fn language_tag(tag: &str) -> Option<String> {
    let named = match tag.to_lowercase().as_str() {
        "korean" | "한국어" | "한글" | "kor" => Some("ko"),
        "english" | "영어" | "eng" => Some("en"),
        "japanese" | "일본어" | "jpn" => Some("ja"),
        "chinese" | "중국어" | "chi" | "zho" => Some("zh"),
        _ => None,
    };
    if let Some(n) = named {
        return Some(n.to_owned());
    }
    let mut parts = tag.split(['-', '_']);
    let lang = parts.next()?;
    if !(2..=3).contains(&lang.len()) || !lang.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let mut out = lang.to_ascii_lowercase();
    for p in parts {
        if !(2..=8).contains(&p.len()) || !p.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        out.push('-');
        out.push_str(p);
    }
    Some(out)
}

/// Drops a BOM and turns CRLF and lone CR into LF.
fn normalise(text: &str) -> String {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// The cues of a SubRip or WebVTT text (already decoded) as plain text with
/// their start in milliseconds, for search: tags and `{\an8}` codes
/// dropped, lines of a cue joined by a space.
pub fn cues(text: &str) -> Vec<(u64, String)> {
    let text = normalise(text);
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some((start, _)) = lines.get(i).and_then(|l| parse_timing(l)) else {
            i += 1;
            continue;
        };
        let mut body = String::new();
        i += 1;
        while let Some(line) = lines.get(i) {
            if line.trim().is_empty() || parse_timing(line).is_some() {
                break;
            }
            let mut depth = 0u32;
            if !body.is_empty() {
                body.push(' ');
            }
            for c in line.chars() {
                match c {
                    '<' | '{' => depth += 1,
                    '>' | '}' if depth > 0 => depth -= 1,
                    c if depth == 0 => body.push(c),
                    _ => {}
                }
            }
            i += 1;
        }
        let body = body.trim();
        if !body.is_empty() {
            out.push((start, body.to_string()));
        }
    }
    out
}

/// Parses `00:01:02,345 --> 00:01:04,000` (hours optional, `.` or `,`, any
/// positioning after it ignored) into milliseconds.
fn parse_timing(line: &str) -> Option<(u64, u64)> {
    let (a, b) = line.split_once("-->")?;
    let start = parse_time(a.trim())?;
    let end = parse_time(b.split_whitespace().next()?)?;
    Some((start, end))
}

fn parse_time(s: &str) -> Option<u64> {
    let (hms, frac) = match s.rfind([',', '.']) {
        Some(p) => (s.get(..p)?, s.get(p + 1..)?),
        None => (s, ""),
    };
    let mut fields = [0u64; 3];
    let parts: Vec<&str> = hms.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let offset = 3 - parts.len();
    for (k, p) in parts.iter().enumerate() {
        if p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *fields.get_mut(k + offset)? = p.parse().ok()?;
    }
    let [h, m, sec] = fields;
    if m > 59 || sec > 59 {
        return None;
    }
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut ms: u64 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    for _ in frac.len()..3 {
        if !frac.is_empty() {
            ms *= 10;
        }
    }
    h.checked_mul(3_600_000)?
        .checked_add(m * 60_000)?
        .checked_add(sec * 1000)?
        .checked_add(ms)
}

fn format_time(ms: u64) -> String {
    let h = ms / 3_600_000;
    let m = ms / 60_000 % 60;
    let s = ms / 1000 % 60;
    format!("{h:02}:{m:02}:{s:02}.{:03}", ms % 1000)
}

/// Escapes cue text for WebVTT. `<b>`, `<i>`, `<u>` (any case) stay; SRT's
/// `<font …>` and `{\an8}`-style override codes are dropped because shown as
/// text they are noise; everything else with `<`, `&` or `>` is escaped, which
/// also keeps a literal `-->` from ending up in the cue.
fn escape_cue_text(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        if c == '<' {
            if let Some(close) = rest.find('>') {
                let inner = rest.get(1..close).unwrap_or("").trim().to_ascii_lowercase();
                let name = inner.trim_start_matches('/');
                if matches!(name, "b" | "i" | "u") {
                    out.push('<');
                    out.push_str(&inner);
                    out.push('>');
                    rest = rest.get(close + 1..).unwrap_or("");
                    continue;
                }
                if name == "font" || name.starts_with("font ") {
                    rest = rest.get(close + 1..).unwrap_or("");
                    continue;
                }
            }
            out.push_str("&lt;");
        } else if c == '{' && rest.starts_with("{\\") {
            if let Some(close) = rest.find('}') {
                rest = rest.get(close + 1..).unwrap_or("");
                continue;
            }
            out.push(c);
        } else if c == '&' {
            out.push_str("&amp;");
        } else if c == '>' {
            out.push_str("&gt;");
        } else {
            out.push(c);
        }
        rest = rest.get(c.len_utf8()..).unwrap_or("");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::testutil::{mutate, sample_bundle, Rng};

    const SRT: &str = "1\r\n00:00:00,500 --> 00:00:01,750\r\n안녕하세요 <b>굵게</b>\r\n둘째 줄 & <script>\r\n\r\n2\r\n00:00:02,000 --> 00:00:03,000\r\n이것 --> 저것\r\n";

    #[test]
    fn utf8_and_bom() {
        assert_eq!(decode_text("가나".as_bytes()), ("가나".to_owned(), "UTF-8"));
        assert_eq!(decode_text(b"\xEF\xBB\xBFabc"), ("abc".to_owned(), "UTF-8"));
    }

    #[test]
    fn utf16_with_and_without_bom() {
        let text = "1\n00:00:01,000 --> 00:00:02,000\n한국어 자막\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        let mut le_bom = vec![0xFF, 0xFE];
        le_bom.extend_from_slice(&le);
        let mut be_bom = vec![0xFE, 0xFF];
        be_bom.extend_from_slice(&be);
        assert_eq!(decode_text(&le_bom), (text.to_owned(), "UTF-16LE"));
        assert_eq!(decode_text(&be_bom), (text.to_owned(), "UTF-16BE"));
        assert_eq!(decode_text(&le), (text.to_owned(), "UTF-16LE"));
        assert_eq!(decode_text(&be), (text.to_owned(), "UTF-16BE"));
    }

    #[test]
    fn cp949_and_latin1() {
        let text = "1\n00:00:01,000 --> 00:00:02,000\n대한민국 헌법, 똠방각하\n";
        let (bytes, _, _) = EUC_KR.encode(text);
        assert_eq!(decode_text(&bytes), (text.to_owned(), "CP949"));
        // Latin-1 pairs that CP949 would happily read as Hanja.
        let latin = b"Caf\xE9 cr\xE8me br\xFBl\xE9e \xC0\xC9\xC8\n";
        let (s, enc) = decode_text(latin);
        assert_eq!(enc, "windows-1252");
        assert!(s.starts_with("Café crème"));
    }

    #[test]
    fn utf8_with_one_broken_byte_stays_utf8() {
        let mut bytes = "대한민국의 주권은 국민에게 있고".as_bytes().to_vec();
        bytes.push(0xED); // cut mid-character
        let (s, enc) = decode_text(&bytes);
        assert_eq!(enc, "UTF-8");
        assert!(s.starts_with("대한민국의"));
    }

    #[test]
    fn sample_bundle_subtitles() {
        let Some(dir) = sample_bundle() else { return };
        let avi_srt = std::fs::read(dir.join("videos/작은 섬 이야기 (1976).ko.srt")).unwrap();
        let (text, enc) = decode_text(&avi_srt);
        assert_eq!(enc, "CP949");
        assert!(text.contains("국가는 국가표준제도를 확립한다."), "{text}");
        let vtt = srt_to_vtt(&text);
        assert!(vtt.starts_with("WEBVTT\n"));
        assert!(vtt.contains("대법원에 부를 둘 수 있다."));
        assert_eq!(vtt.matches(" --> ").count(), 3, "{vtt}");
        let utf = std::fs::read(dir.join("videos/서울의 겨울 (1987).ko.srt")).unwrap();
        let (text, enc) = decode_text(&utf);
        assert_eq!(enc, "UTF-8");
        assert!(srt_to_vtt(&text).contains("모든 국민은 거주·이전의 자유를 가진다."));
    }

    #[test]
    fn converts_srt() {
        let vtt = srt_to_vtt(SRT);
        assert_eq!(
            vtt,
            "WEBVTT\n\n1\n00:00:00.500 --> 00:00:01.750\n안녕하세요 <b>굵게</b>\n둘째 줄 &amp; &lt;script&gt;\n\n2\n00:00:02.000 --> 00:00:03.000\n이것 --&gt; 저것\n"
        );
    }

    #[test]
    fn broken_cues_are_skipped() {
        let srt = "\u{FEFF}1\n00:00:xx,000 --> 00:00:02,000\nbad\n\n2\n0:01:02.5 --> 0:01:03.25 X1:10\n<font color=\"red\">{\\an8}ok</font>\n3\n00:00:05,000 --> 00:00:04,000\nbackwards\n\n4\n00:00:06,000 --> 00:00:07,000\n<I>last</I>\n";
        let vtt = srt_to_vtt(srt);
        assert_eq!(
            vtt,
            "WEBVTT\n\n2\n00:01:02.500 --> 00:01:03.250\nok\n\n4\n00:00:06.000 --> 00:00:07.000\n<i>last</i>\n"
        );
    }

    #[test]
    fn vtt_header_is_ensured() {
        assert_eq!(vtt_passthrough("\u{FEFF}WEBVTT\r\n\r\nx"), "WEBVTT\n\nx");
        assert_eq!(vtt_passthrough("WEBVTT - title\n"), "WEBVTT - title\n");
        assert_eq!(
            vtt_passthrough("00:01.000 --> 00:02.000\nhi\n"),
            "WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n"
        );
        assert!(vtt_passthrough("WEBVTTX\n").starts_with("WEBVTT\n\nWEBVTTX"));
    }

    #[test]
    fn languages() {
        assert_eq!(
            subtitle_lang("movie.ko.srt", "movie").as_deref(),
            Some("ko")
        );
        assert_eq!(
            subtitle_lang("Movie.EN-us.VTT", "movie").as_deref(),
            Some("en-us")
        );
        assert_eq!(
            subtitle_lang("서울의 겨울 (1987).ko.srt", "서울의 겨울 (1987)").as_deref(),
            Some("ko")
        );
        assert_eq!(
            subtitle_lang("movie.korean.srt", "movie").as_deref(),
            Some("ko")
        );
        assert_eq!(subtitle_lang("movie.srt", "movie"), None);
        assert_eq!(subtitle_lang("movie.ko.txt", "movie"), None);
        assert_eq!(subtitle_lang("other.ko.srt", "movie"), None);
        assert_eq!(subtitle_lang("movie2.ko.srt", "movie"), None);
        assert_eq!(subtitle_lang("movie.director cut.srt", "movie"), None);
    }

    #[test]
    fn fuzz_never_panics() {
        let mut seeds: Vec<Vec<u8>> =
            vec![SRT.as_bytes().to_vec(), EUC_KR.encode(SRT).0.into_owned()];
        if let Some(dir) = sample_bundle() {
            if let Ok(b) = std::fs::read(dir.join("videos/작은 섬 이야기 (1976).ko.srt")) {
                seeds.push(b);
            }
        }
        let mut rng = Rng::new(42);
        for round in 0..3000 {
            let mut data = seeds[round % seeds.len()].clone();
            for _ in 0..1 + rng.below(4) {
                mutate(&mut rng, &mut data);
            }
            let (text, _) = decode_text(&data);
            let vtt = srt_to_vtt(&text);
            assert!(vtt.starts_with("WEBVTT\n"));
            let _ = vtt_passthrough(&text);
        }
    }

    #[test]
    fn cues_for_search() {
        let srt = "1\r\n00:00:01,500 --> 00:00:03,000\r\n<i>수달이</i> 산다\r\n{\\an8}둘째 줄\r\n\r\n2\r\n01:02:03,000 --> 01:02:04,000\r\nend\r\n";
        assert_eq!(
            cues(srt),
            vec![
                (1500, "수달이 산다 둘째 줄".to_string()),
                (3_723_000, "end".to_string())
            ]
        );
        let vtt = "WEBVTT\n\n00:05.000 --> 00:06.000 line:0\nhello\n";
        assert_eq!(cues(vtt), vec![(5000, "hello".to_string())]);
    }
}

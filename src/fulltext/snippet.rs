//! A short extract of an article around the words that were searched for,
//! built from its HTML at query time (the index stores no text).

use super::tokenizer::{fold, is_cjk, is_wordchar, tokens, Token};

/// Tags whose content is never shown as text.
const HIDDEN: &[&str] = &[
    "script", "style", "noscript", "template", "title", "svg", "math",
];
/// Tags inside a line of text: everything else separates words.
const INLINE: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "kbd",
    "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr",
];
/// At most this many matches are weighed when choosing the window; a long
/// article full of matches does not need more to find a good one.
const MAX_MATCHES: usize = 256;

/// Snippet of about `max_chars` characters of the article's text around the
/// first matches of `terms` (from `Index::query_terms`), HTML-escaped, with
/// matched words in `<b>…</b>` and `…` where text was cut.
pub fn snippet(html: &[u8], terms: &[String], max_chars: usize) -> String {
    if max_chars == 0 {
        return String::new();
    }
    // Most articles show every searched word early: read the start of the
    // page first and the whole page only when that did not settle it.
    let mut prefix = FIRST_READ_BYTES;
    loop {
        let (part, whole) = html_prefix(html, prefix);
        let text = html_to_text(&String::from_utf8_lossy(part));
        let (matches, settled) = find_matches(&text, terms, max_chars.saturating_mul(2));
        if settled || whole {
            return render(&text, &matches, max_chars, !whole);
        }
        prefix = prefix.saturating_mul(8);
    }
}

/// How much of an article's HTML is read first for a snippet.
const FIRST_READ_BYTES: usize = 32 * 1024;

/// The first `n` bytes of `html` or a little less, cut before a tag (so
/// never inside a UTF-8 sequence); and whether that is all of it.
fn html_prefix(html: &[u8], n: usize) -> (&[u8], bool) {
    if html.len() <= n {
        return (html, true);
    }
    let head = html.get(..n).unwrap_or(html);
    match head.iter().rposition(|&b| b == b'<').filter(|&lt| lt > 0) {
        Some(lt) => (html.get(..lt).unwrap_or(head), false),
        // No tag to cut before: a lossy cut costs at most one character.
        None => (head, false),
    }
}

/// The snippet from the text and its matches; `more` says the text goes on
/// past its end.
fn render(text: &str, matches: &[(usize, usize, usize)], max_chars: usize, more: bool) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return String::new();
    }
    let (start, end) = choose_window(&chars, matches, max_chars);
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let mut pos = start;
    for &(ms, me, _) in matches.iter().filter(|m| m.0 >= start && m.1 <= end) {
        if ms < pos {
            continue;
        }
        if ms == pos && ms > start && out.ends_with("</b>") {
            // Adjacent matches ("서울특별시") read better as one.
            out.truncate(out.len() - "</b>".len());
        } else {
            escape_into(&mut out, chars.get(pos..ms).unwrap_or(&[]));
            out.push_str("<b>");
        }
        escape_into(&mut out, chars.get(ms..me).unwrap_or(&[]));
        out.push_str("</b>");
        pos = me;
    }
    escape_into(&mut out, chars.get(pos..end).unwrap_or(&[]));
    if end < chars.len() || more {
        out.push('…');
    }
    out
}

/// Text is tokenized in pieces of about this many bytes, so that the scan can
/// stop early in a long article.
const CHUNK_BYTES: usize = 1024;
/// Past this many characters, a text with some matches is not searched for
/// the missing words (they may be there only in forms `word_matches` does
/// not see): the snippet shows what was found.
const SCAN_CHARS: usize = 16_000;

/// Matched character ranges with the index of the term they matched, in text
/// order, and whether the scan settled the choice of window: it stops
/// `enough_after` characters past the point where every term has been seen
/// (a window further on cannot cover more terms).
fn find_matches(
    text: &str,
    terms: &[String],
    enough_after: usize,
) -> (Vec<(usize, usize, usize)>, bool) {
    let terms: Vec<Term> = terms
        .iter()
        .map(|t| {
            let folded = fold(t);
            Term {
                cjk: folded.chars().next().is_some_and(is_cjk),
                chars: folded.chars().collect(),
                folded,
            }
        })
        .filter(|t| !t.chars.is_empty())
        .collect();
    let mut found = Found {
        matches: Vec::new(),
        seen: vec![false; terms.len()],
        all_seen_at: None,
    };
    let mut base = 0;
    for piece in pieces(text, CHUNK_BYTES) {
        let folded = fold(piece);
        // A match contains a searched word as it is folded: pieces without
        // any are only counted.
        let len = if !terms.iter().any(|t| folded.contains(&t.folded)) {
            piece.chars().count()
        } else {
            let plain: Vec<char> = folded.chars().collect();
            let len = piece.chars().count();
            if plain.len() == len {
                scan_folded(&plain, base, &terms, &mut found);
            } else {
                // Folding changed the length: match token by token.
                scan_tokens(piece, base, &terms, &mut found);
            }
            len
        };
        base += len;
        if found.matches.len() >= MAX_MATCHES
            || found
                .all_seen_at
                .is_some_and(|at| base > at.saturating_add(enough_after))
            || (!found.matches.is_empty() && base > SCAN_CHARS)
        {
            return (found.matches, true);
        }
    }
    (found.matches, false)
}

struct Term {
    folded: String,
    chars: Vec<char>,
    cjk: bool,
}

struct Found {
    matches: Vec<(usize, usize, usize)>,
    seen: Vec<bool>,
    all_seen_at: Option<usize>,
}

impl Found {
    fn push(&mut self, start: usize, end: usize, term: usize) {
        if let Some(s) = self.seen.get_mut(term) {
            if !*s {
                *s = true;
                if self.all_seen_at.is_none() && self.seen.iter().all(|s| *s) {
                    self.all_seen_at = Some(start);
                }
            }
        }
        self.matches.push((start, end, term));
    }
}

fn is_word_letter(c: char) -> bool {
    is_wordchar(c) && !is_cjk(c)
}

/// Matches in folded text that has as many characters as the original: a
/// CJK term anywhere (Korean attaches particles to nouns, CJK has no
/// spaces), a word at the start of a word, with at most a short ending.
fn scan_folded(chars: &[char], base: usize, terms: &[Term], found: &mut Found) {
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let word_start = !i
            .checked_sub(1)
            .and_then(|p| chars.get(p))
            .is_some_and(|&p| is_word_letter(p));
        let hit = terms.iter().enumerate().find(|(_, t)| {
            t.chars.first() == Some(&c)
                && (t.cjk || word_start)
                && chars.get(i..i + t.chars.len()) == Some(t.chars.as_slice())
        });
        let Some((ti, t)) = hit else {
            i += 1;
            continue;
        };
        let mut end = i + t.chars.len();
        if !t.cjk {
            while chars.get(end).is_some_and(|&c| is_word_letter(c)) {
                end += 1;
            }
            let word = chars.get(i..end).unwrap_or(&[]);
            if !word_matches(word, &t.chars) {
                i = end;
                continue;
            }
        }
        found.push(base + i, base + end, ti);
        i = end;
    }
}

/// Matches token by token, for text whose folding changed its length.
fn scan_tokens(piece: &str, base: usize, terms: &[Term], found: &mut Found) {
    // Byte offset in the piece to character index in the text.
    let mut char_at = vec![0usize; piece.len() + 1];
    let mut n = base;
    for (b, c) in piece.char_indices() {
        for slot in char_at.iter_mut().skip(b).take(c.len_utf8()) {
            *slot = n;
        }
        n += 1;
    }
    if let Some(last) = char_at.last_mut() {
        *last = n;
    }
    for (tok, range) in tokens(piece) {
        let start = char_at.get(range.start).copied().unwrap_or(base);
        let end = char_at.get(range.end).copied().unwrap_or(start);
        match tok {
            Token::Word { text: word, .. } => {
                let word: Vec<char> = fold(&word).chars().collect();
                if let Some(t) = terms
                    .iter()
                    .position(|t| !t.cjk && word_matches(&word, &t.chars))
                {
                    found.push(start, end, t);
                }
            }
            Token::Cjk(run) => {
                let run: Vec<char> = fold(&run).chars().collect();
                if run.len() != end - start {
                    continue;
                }
                let mut i = 0;
                while i < run.len() {
                    let hit = terms.iter().enumerate().find(|(_, t)| {
                        t.cjk && run.get(i..i + t.chars.len()) == Some(t.chars.as_slice())
                    });
                    match hit {
                        Some((ti, t)) => {
                            found.push(start + i, start + i + t.chars.len(), ti);
                            i += t.chars.len();
                        }
                        None => i += 1,
                    }
                }
            }
        }
    }
}

/// `text` cut into pieces of at least `size` bytes, each ending just after a
/// space, so no word is split between two pieces.
fn pieces(text: &str, size: usize) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let cut = rest
            .get(size.min(rest.len())..)
            .and_then(|tail| tail.find(' '))
            .map_or(rest.len(), |sp| size + sp + 1);
        let (piece, tail) = rest.split_at(cut.min(rest.len()));
        rest = tail;
        Some(piece)
    })
}

/// The searched word itself, or an inflected form of it (`river` in
/// `rivers`): the index matched stems, so those documents contain them.
fn word_matches(word: &[char], term: &[char]) -> bool {
    if term.is_empty() {
        return false;
    }
    word == term || (term.len() >= 3 && word.starts_with(term) && word.len() <= term.len() + 3)
}

/// The window [start, end) in characters to show: the one that covers the
/// most different terms, then the most matches, then the earliest.
fn choose_window(chars: &[char], matches: &[(usize, usize, usize)], max: usize) -> (usize, usize) {
    let len = chars.len();
    if len <= max {
        return (0, len);
    }
    let mut best_start = 0;
    let mut best = (0usize, 0usize);
    for (i, &(ms, _, _)) in matches.iter().enumerate() {
        // A little text before the first match gives it context.
        let start = ms.saturating_sub(max / 5);
        let end = start.saturating_add(max);
        let mut seen: Vec<usize> = Vec::new();
        let mut count = 0;
        for &(s, e, t) in matches.iter().skip(i.saturating_sub(MAX_MATCHES)) {
            if s >= start && e <= end {
                count += 1;
                if !seen.contains(&t) {
                    seen.push(t);
                }
            }
        }
        if (seen.len(), count) > best {
            best = (seen.len(), count);
            best_start = start;
        }
    }
    let mut start = best_start.min(len.saturating_sub(max));
    let mut end = (start + max).min(len);
    // Cut at spaces rather than inside words, when one is near.
    if start > 0 {
        if let Some(sp) = (start..(start + 20).min(end)).find(|&i| chars.get(i) == Some(&' ')) {
            start = sp + 1;
        }
    }
    if end < len {
        if let Some(sp) = (end.saturating_sub(20).max(start)..end)
            .rev()
            .find(|&i| chars.get(i) == Some(&' '))
        {
            end = sp;
        }
    }
    (start, end.max(start))
}

fn escape_into(out: &mut String, chars: &[char]) {
    for &c in chars {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

/// The visible text of an HTML page with whitespace collapsed: the body only
/// (as libzim indexes it), without scripts and styles, entities decoded.
pub(super) fn html_to_text(html: &str) -> String {
    let lower_find = |hay: &str, needle: &str| -> Option<usize> {
        hay.as_bytes()
            .windows(needle.len())
            .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
    };
    let body = match lower_find(html, "<body") {
        Some(i) => html.get(i..).unwrap_or(html),
        None => html,
    };
    let mut out = String::with_capacity(body.len() / 2);
    let mut rest = body;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            push_text(&mut out, rest);
            break;
        };
        push_text(&mut out, rest.get(..lt).unwrap_or(""));
        rest = rest.get(lt..).unwrap_or("");
        if rest.starts_with("<!--") {
            rest = match rest.find("-->") {
                Some(e) => rest.get(e + 3..).unwrap_or(""),
                None => "",
            };
            continue;
        }
        let name: String = rest
            .get(1..)
            .unwrap_or("")
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() && !rest.get(1..).unwrap_or("").starts_with(['/', '!', '?']) {
            // A lone '<' is text.
            push_text(&mut out, "<");
            rest = rest.get(1..).unwrap_or("");
            continue;
        }
        let closing = rest.get(1..).unwrap_or("").starts_with('/');
        rest = match rest.find('>') {
            Some(gt) => rest.get(gt + 1..).unwrap_or(""),
            None => "",
        };
        if !closing && HIDDEN.contains(&name.as_str()) {
            let end_tag = format!("</{name}");
            rest = match lower_find(rest, &end_tag) {
                Some(e) => {
                    let after = rest.get(e..).unwrap_or("");
                    match after.find('>') {
                        Some(gt) => after.get(gt + 1..).unwrap_or(""),
                        None => "",
                    }
                }
                None => "",
            };
            out.push(' ');
            continue;
        }
        if !INLINE.contains(&name.as_str()) {
            out.push(' ');
        }
    }
    let mut collapsed = String::with_capacity(out.len());
    for word in out.split_whitespace() {
        if !collapsed.is_empty() {
            collapsed.push(' ');
        }
        collapsed.push_str(word);
    }
    collapsed
}

/// Appends text with character references decoded.
fn push_text(out: &mut String, s: &str) {
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(rest.get(..amp).unwrap_or(""));
        rest = rest.get(amp..).unwrap_or("");
        let end = rest.get(1..).and_then(|r| {
            r.char_indices()
                .take(32)
                .find(|(_, c)| !c.is_ascii_alphanumeric() && *c != '#')
                .filter(|(_, c)| *c == ';')
                .map(|(i, _)| i + 1)
        });
        let decoded = end.and_then(|e| decode_entity(rest.get(1..e).unwrap_or("")));
        match (decoded, end) {
            (Some(c), Some(e)) => {
                out.push(c);
                rest = rest.get(e + 1..).unwrap_or("");
            }
            _ => {
                out.push('&');
                rest = rest.get(1..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
}

fn decode_entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code).filter(|c| *c != '\0');
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "laquo" => '«',
        "raquo" => '»',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "middot" => '·',
        "bull" => '•',
        "times" => '×',
        "deg" => '°',
        "copy" => '©',
        "reg" => '®',
        "shy" => '\u{ad}',
        "zwj" => '\u{200d}',
        "zwnj" => '\u{200c}',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(t: &[&str]) -> Vec<String> {
        t.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn text_extraction() {
        let html = "<html><head><title>T</title><style>p{}</style></head><body>\
                    <p>Hello&nbsp;<b>wor</b>ld</p><script>var x='<p>';</script>\
                    <div>a &amp; b &#xAC00; &bogus; &#0;</div><!-- hidden --></body></html>";
        assert_eq!(html_to_text(html), "Hello world a & b 가 &bogus; &#0;");
    }

    #[test]
    fn highlights_and_escapes() {
        let html = "<body><p>The <i>Rivers</i> of <b>Korea</b> & more</p></body>";
        assert_eq!(
            snippet(html.as_bytes(), &terms(&["river", "korea"]), 200),
            "The <b>Rivers</b> of <b>Korea</b> &amp; more"
        );
    }

    #[test]
    fn korean_inside_words() {
        let html = "<body><p>강에는 수달이 산다. 수달의 먹이는 물고기이다.</p></body>";
        assert_eq!(
            snippet(html.as_bytes(), &terms(&["수달"]), 200),
            "강에는 <b>수달</b>이 산다. <b>수달</b>의 먹이는 물고기이다."
        );
    }

    #[test]
    fn word_rules_in_both_scans() {
        // Plain text: words start at word starts and take short endings.
        let html = "<p>서울seoul riverside rivers Korean xkorea</p>";
        assert_eq!(
            snippet(html.as_bytes(), &terms(&["seoul", "river", "korea"]), 200),
            "서울<b>seoul</b> riverside <b>rivers</b> <b>Korean</b> xkorea"
        );
        // Accented text goes through the tokenizer, with the same rules.
        let html = "<p>Ray Charlés sang; Ünïcode riverside rivers</p>";
        assert_eq!(
            snippet(
                html.as_bytes(),
                &terms(&["charles", "river", "unicode"]),
                200
            ),
            "Ray <b>Charlés</b> sang; <b>Ünïcode</b> riverside <b>rivers</b>"
        );
    }

    #[test]
    fn adjacent_matches_merge() {
        let html = "<p>서울특별시는</p>";
        assert_eq!(
            snippet(html.as_bytes(), &terms(&["서울", "특별시"]), 200),
            "<b>서울특별시</b>는"
        );
    }

    #[test]
    fn window_around_matches() {
        let filler = "lorem ipsum dolor sit amet ".repeat(40);
        let html = format!("<body>{filler} the otter swims {filler}</body>");
        let s = snippet(html.as_bytes(), &terms(&["otter"]), 100);
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.contains("<b>otter</b>"));
        assert!(s.chars().count() <= 100 + 2 + 7);
        // No match: the start of the text.
        let s = snippet(html.as_bytes(), &terms(&["zebra"]), 50);
        assert!(s.starts_with("lorem"));
    }

    #[test]
    fn pieces_end_after_spaces() {
        let text = "ab cd  ef 서울 gh";
        for size in 0..text.len() + 2 {
            let parts: Vec<&str> = pieces(text, size).collect();
            assert_eq!(parts.concat(), text, "size {size}");
            for p in parts.iter().take(parts.len().saturating_sub(1)) {
                assert!(p.ends_with(' '), "size {size}: {parts:?}");
            }
        }
    }

    #[test]
    fn matches_across_pieces_and_stops_early() {
        let filler = "lorem ipsum dolor sit amet ".repeat(150);
        let text = format!("{filler}otter {filler}서울 {filler}otter 서울");
        let (all, settled) = find_matches(&text, &terms(&["otter", "서울"]), usize::MAX);
        assert!(!settled);
        assert_eq!(all.len(), 4);
        let chars: Vec<char> = text.chars().collect();
        for (s, e, t) in &all {
            let word: String = chars[*s..*e].iter().collect();
            assert_eq!(word, ["otter", "서울"][*t]);
        }
        // Both terms are seen by the second match; the scan stops soon after.
        let (early, settled) = find_matches(&text, &terms(&["otter", "서울"]), 100);
        assert!(settled);
        assert_eq!(early, all[..2].to_vec());
    }

    #[test]
    fn long_pages_read_in_part_or_whole() {
        let filler = "<p>lorem ipsum dolor sit amet</p>".repeat(3000);
        // Early match: the same snippet as from the whole page, ending in "…".
        let html = format!("<body><p>the otter swims</p>{filler}</body>");
        let s = snippet(html.as_bytes(), &terms(&["otter"]), 60);
        assert!(s.contains("<b>otter</b>") && s.ends_with('…'), "{s}");
        // A word only at the very end is still found.
        let html = format!("<body>{filler}<p>the last zebra</p></body>");
        let s = snippet(html.as_bytes(), &terms(&["zebra"]), 60);
        assert!(s.contains("<b>zebra</b>") && !s.ends_with('…'), "{s}");
        // Cuts fall before tags and on character boundaries.
        let korean = format!("<body>{}</body>", "<i>수달</i>".repeat(5000));
        for n in [1, 7, 100, 1000, 4097] {
            let (part, whole) = html_prefix(korean.as_bytes(), n);
            assert!(!whole && korean.as_bytes().starts_with(part));
            assert!(part.len() <= n);
            assert!(n < 10 || std::str::from_utf8(part).is_ok());
        }
    }

    #[test]
    fn odd_input_does_not_panic() {
        for html in [
            "<",
            "&",
            "<body",
            "<script>",
            "&#xFFFFFFFF;",
            "<!--",
            "<a href='x",
            "é<é>",
        ] {
            let _ = snippet(html.as_bytes(), &terms(&["x", "é", "가"]), 10);
        }
        assert_eq!(snippet(b"", &terms(&["x"]), 10), "");
    }
}

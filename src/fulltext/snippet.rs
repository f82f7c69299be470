//! A short extract of an article around the words that were searched for,
//! built from its HTML at query time (the index stores no text).

use super::tokenizer::{fold, is_cjk, tokens, Token};

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
pub fn snippet(html: &str, terms: &[String], max_chars: usize) -> String {
    let text = html_to_text(html);
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() || max_chars == 0 {
        return String::new();
    }
    let matches = find_matches(&text, terms);
    let (start, end) = choose_window(&chars, &matches, max_chars);
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
    if end < chars.len() {
        out.push('…');
    }
    out
}

/// Matched character ranges with the index of the term they matched, in text
/// order.
fn find_matches(text: &str, terms: &[String]) -> Vec<(usize, usize, usize)> {
    let folded_terms: Vec<(Vec<char>, bool)> = terms
        .iter()
        .map(|t| {
            let f = fold(t);
            let cjk = f.chars().next().is_some_and(is_cjk);
            (f.chars().collect(), cjk)
        })
        .collect();
    // Byte offset to character index.
    let mut char_at = vec![0usize; text.len() + 1];
    let mut n = 0;
    for (b, c) in text.char_indices() {
        for slot in char_at.iter_mut().skip(b).take(c.len_utf8()) {
            *slot = n;
        }
        n += 1;
    }
    if let Some(last) = char_at.last_mut() {
        *last = n;
    }
    let mut out = Vec::new();
    for (tok, range) in tokens(text) {
        if out.len() >= MAX_MATCHES {
            break;
        }
        let start = char_at.get(range.start).copied().unwrap_or(0);
        let end = char_at.get(range.end).copied().unwrap_or(start);
        match tok {
            Token::Word { text: word, .. } => {
                let word: Vec<char> = fold(&word).chars().collect();
                if let Some(t) = folded_terms
                    .iter()
                    .position(|(t, cjk)| !cjk && word_matches(&word, t))
                {
                    out.push((start, end, t));
                }
            }
            Token::Cjk(run) => {
                // Korean attaches particles to nouns and CJK has no spaces,
                // so a searched run matches anywhere inside a text run.
                let run: Vec<char> = run
                    .chars()
                    .flat_map(|c| fold(&c.to_string()).chars().collect::<Vec<_>>())
                    .collect();
                if run.len() != end - start {
                    continue;
                }
                let mut i = 0;
                while i < run.len() {
                    let hit = folded_terms.iter().enumerate().find(|(_, (t, cjk))| {
                        *cjk && !t.is_empty() && run.get(i..i + t.len()) == Some(t.as_slice())
                    });
                    match hit {
                        Some((ti, (t, _))) => {
                            out.push((start + i, start + i + t.len(), ti));
                            i += t.len();
                        }
                        None => i += 1,
                    }
                }
            }
        }
    }
    out
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
            snippet(html, &terms(&["river", "korea"]), 200),
            "The <b>Rivers</b> of <b>Korea</b> &amp; more"
        );
    }

    #[test]
    fn korean_inside_words() {
        let html = "<body><p>강에는 수달이 산다. 수달의 먹이는 물고기이다.</p></body>";
        assert_eq!(
            snippet(html, &terms(&["수달"]), 200),
            "강에는 <b>수달</b>이 산다. <b>수달</b>의 먹이는 물고기이다."
        );
    }

    #[test]
    fn adjacent_matches_merge() {
        let html = "<p>서울특별시는</p>";
        assert_eq!(
            snippet(html, &terms(&["서울", "특별시"]), 200),
            "<b>서울특별시</b>는"
        );
    }

    #[test]
    fn window_around_matches() {
        let filler = "lorem ipsum dolor sit amet ".repeat(40);
        let html = format!("<body>{filler} the otter swims {filler}</body>");
        let s = snippet(&html, &terms(&["otter"]), 100);
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.contains("<b>otter</b>"));
        assert!(s.chars().count() <= 100 + 2 + 7);
        // No match: the start of the text.
        let s = snippet(&html, &terms(&["zebra"]), 50);
        assert!(s.starts_with("lorem"));
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
            let _ = snippet(html, &terms(&["x", "é", "가"]), 10);
        }
        assert_eq!(snippet("", &terms(&["x"]), 10), "");
    }
}

//! Text to words the way libzim indexes and queries: accent folding, Xapian's
//! word-character rules, and runs of CJK/Hangul characters that are matched
//! through unigrams and bigrams.

use unicode_normalization::UnicodeNormalization;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum CharClass {
    Letter,
    Mark,
    Number,
    /// Connector punctuation such as `_`.
    Connector,
}

fn class(c: char) -> Option<CharClass> {
    // Fast answers for the characters that make up nearly all text here;
    // the `table_matches_fast_paths` test holds them to the table.
    if c.is_ascii() {
        return match c {
            'a'..='z' | 'A'..='Z' => Some(CharClass::Letter),
            '0'..='9' => Some(CharClass::Number),
            '_' => Some(CharClass::Connector),
            _ => None,
        };
    }
    if is_hangul_syllable(c) {
        return Some(CharClass::Letter);
    }
    table_class(c)
}

fn table_class(c: char) -> Option<CharClass> {
    let cp = c as u32;
    let table = &super::unicode_table::RANGES;
    let i = table.partition_point(|&(_, end, _)| end < cp);
    match table.get(i) {
        Some(&(start, _, cls)) if start <= cp => Some(cls),
        _ => None,
    }
}

/// Letters, marks, numbers and connector punctuation make up words.
pub(super) fn is_wordchar(c: char) -> bool {
    class(c).is_some()
}

pub(super) fn is_digit(c: char) -> bool {
    class(c) == Some(CharClass::Number)
}

/// Scripts written without spaces between words, which Xapian splits into
/// n-grams instead of words. Hangul syllables are among them.
pub(super) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2EFF
        | 0x3000..=0x9FFF
        | 0xA700..=0xA71F
        | 0xAC00..=0xD7AF
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFFEF
        | 0x20000..=0x2A6DF
        | 0x2F800..=0x2FA1F)
}

/// libzim's `removeAccents`: lower-case, decompose, drop every combining
/// mark, recompose (which puts Hangul syllables back together).
pub(super) fn fold(s: &str) -> String {
    // ASCII, Hangul syllables and the basic CJK block have no accents and no
    // decomposition that survives recomposition: only ASCII case changes.
    // Nothing composes or changes case across a space either, so a text is
    // folded word by word, the slow way only where needed.
    if is_plain(s) {
        return s.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(s.len());
    for (i, part) in s.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if is_plain(part) {
            out.extend(part.chars().map(|c| c.to_ascii_lowercase()));
        } else {
            out.extend(
                part.to_lowercase()
                    .nfd()
                    .filter(|c| class(*c) != Some(CharClass::Mark))
                    .nfc(),
            );
        }
    }
    out
}

fn is_plain(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii() || is_hangul_syllable(c) || is_basic_han(c))
}

fn is_hangul_syllable(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

fn is_basic_han(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

/// Characters that keep a word together when a word character follows
/// (`don't`, `AT&T`); some are spelled differently in the term.
fn infix(c: char) -> Option<Option<char>> {
    match c {
        '\'' | '&' | '\u{b7}' | '\u{5f4}' | '\u{2027}' => Some(Some(c)),
        '\u{2019}' | '\u{201b}' => Some(Some('\'')),
        // Invisible joiners vanish from the term.
        '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}' => Some(None),
        _ => None,
    }
}

/// Separators that stay inside a number (`3.14`, `1,000`).
fn digit_infix(c: char) -> bool {
    matches!(
        c,
        '.' | ','
            | ';'
            | '\u{37e}'
            | '\u{589}'
            | '\u{60d}'
            | '\u{7f8}'
            | '\u{2044}'
            | '\u{fe10}'
            | '\u{fe13}'
            | '\u{fe14}'
    )
}

/// Xapian's notion of white space: Unicode space separators and the ASCII
/// controls that separate words.
pub(super) fn is_whitespace(c: char) -> bool {
    c.is_whitespace()
}

/// Characters that, between two words of a query, bind them into a phrase.
pub(super) fn is_phrase_link(c: char) -> bool {
    matches!(c, '.' | '-' | '/' | ':' | '\\' | '@')
}

#[derive(Debug, PartialEq, Eq, Clone)]
pub(super) enum Token {
    /// A word; `linked` when a phrase character joins it to the next word.
    Word { text: String, linked: bool },
    /// A run of CJK characters.
    Cjk(String),
}

impl Token {
    #[cfg(test)]
    pub(super) fn text(&self) -> &str {
        match self {
            Token::Word { text, .. } | Token::Cjk(text) => text,
        }
    }
}

/// Splits already folded text into words and CJK runs; each token comes with
/// the byte range it was read from.
pub(super) fn tokens(text: &str) -> Vec<(Token, std::ops::Range<usize>)> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let offset = |i: usize| chars.get(i).map_or(text.len(), |&(o, _)| o);
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(c) = at(i) {
        if !is_wordchar(c) {
            i += 1;
            continue;
        }
        let start = i;
        if is_cjk(c) {
            let mut run = String::new();
            while let Some(c) = at(i).filter(|c| is_cjk(*c) && is_wordchar(*c)) {
                run.push(c);
                i += 1;
            }
            out.push((Token::Cjk(run), offset(start)..offset(i)));
            continue;
        }
        let mut word = String::new();
        while let Some(c) = at(i) {
            // Between two digits only number separators join ("3·1" is two
            // words); elsewhere only the word infixes do.
            let between_digits =
                i > 0 && at(i - 1).is_some_and(is_digit) && at(i + 1).is_some_and(is_digit);
            if is_wordchar(c) && !is_cjk(c) {
                word.push(c);
            } else if between_digits {
                if !digit_infix(c) {
                    break;
                }
                word.push(c);
            } else if let (Some(mapped), Some(next)) =
                (infix(c), at(i + 1).filter(|n| is_wordchar(*n)))
            {
                // The character after an infix belongs to the word even when
                // it is CJK ("3'관" is one word); CJK after it ends the word.
                if let Some(m) = mapped {
                    word.push(m);
                }
                word.push(next);
                i += 1;
            } else {
                break;
            }
            i += 1;
        }
        // "c++", "c#": up to three trailing + or # belong to the word unless
        // a word character follows them.
        let mut suffix = 0;
        while suffix < 3 && at(i + suffix).is_some_and(|c| c == '+' || c == '#') {
            suffix += 1;
        }
        if suffix > 0 && !at(i + suffix).is_some_and(is_wordchar) {
            for k in 0..suffix {
                if let Some(c) = at(i + k) {
                    word.push(c);
                }
            }
            i += suffix;
        }
        let linked = at(i).is_some_and(is_phrase_link)
            && at(i + 1).is_some_and(|n| is_wordchar(n) && !is_cjk(n));
        out.push((Token::Word { text: word, linked }, offset(start)..offset(i)));
    }
    out
}

/// The unigrams and bigrams of a CJK run, in Xapian's order: A AB B BC C.
pub(super) fn ngrams(run: &str) -> Vec<String> {
    let chars: Vec<char> = run.chars().collect();
    let mut out = Vec::with_capacity(chars.len() * 2);
    for (i, c) in chars.iter().enumerate() {
        out.push(c.to_string());
        if let Some(n) = chars.get(i + 1) {
            out.push([*c, *n].iter().collect());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        tokens(&fold(s))
            .into_iter()
            .map(|(t, _)| t.text().to_string())
            .collect()
    }

    #[test]
    fn folding() {
        assert_eq!(fold("Ray Charlés"), "ray charles");
        assert_eq!(fold("Ünïcödé 문서"), "unicode 문서");
        assert_eq!(fold("서울특별시"), "서울특별시");
        assert_eq!(fold("ÆØÅ"), "æøa");
    }

    #[test]
    fn table_matches_fast_paths() {
        for c in (0u32..0x80)
            .chain(0xAC00..=0xD7A3)
            .filter_map(char::from_u32)
        {
            assert_eq!(class(c), table_class(c), "{c:?}");
        }
    }

    #[test]
    fn fast_fold_matches_full_fold() {
        let slow = |s: &str| -> String {
            s.to_lowercase()
                .nfd()
                .filter(|c| class(*c) != Some(CharClass::Mark))
                .nfc()
                .collect()
        };
        let alphabet: Vec<char> = "AZaz09 _-'서울特別市가힣\u{4E00}\u{9FFF}é\u{11A8}\u{301}\u{F900}ÅǅẞİKΣσς \u{1100}\u{1161}"
            .chars()
            .collect();
        let mut seed = 0x2545_f491_u32;
        for _ in 0..20_000 {
            let len = (seed % 12) as usize;
            let s: String = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    alphabet[(seed as usize) % alphabet.len()]
                })
                .collect();
            assert_eq!(fold(&s), slow(&s), "{s:?}");
        }
    }

    #[test]
    fn classes() {
        assert!(is_wordchar('a'));
        assert!(is_wordchar('_'));
        assert!(is_wordchar('٣'));
        assert!(!is_wordchar('-'));
        assert!(!is_wordchar(' '));
        assert!(is_cjk('한'));
        assert!(!is_cjk('\u{1100}'));
    }

    #[test]
    fn splitting() {
        assert_eq!(words("don't stop"), ["don't", "stop"]);
        assert_eq!(words("3.14 and 1,000."), ["3.14", "and", "1,000"]);
        assert_eq!(words("c++ c# a+b"), ["c++", "c#", "a", "b"]);
        assert_eq!(words("서울seoul 대한민국!"), ["서울", "seoul", "대한민국"]);
        assert_eq!(words("zero\u{200b}width"), ["zerowidth"]);
        assert_eq!(
            words("3·1 운동 a·b 3'4"),
            ["3", "1", "운동", "a·b", "3", "4"]
        );
        let linked: Vec<bool> = tokens("ray-charles x")
            .into_iter()
            .map(|(t, _)| matches!(t, Token::Word { linked: true, .. }))
            .collect();
        assert_eq!(linked, [true, false, false]);
    }

    #[test]
    fn cjk_ngrams() {
        assert_eq!(
            ngrams("서울특별시"),
            ["서", "서울", "울", "울특", "특", "특별", "별", "별시", "시"]
        );
        assert_eq!(ngrams("가"), ["가"]);
    }
}

//! The archives' words and ranking for text that is not in an archive: the
//! drive index (newspaper pages, subtitles, pages, descriptions) is
//! tokenized and scored exactly like the archives' own indexes, so a Korean
//! query finds the same words everywhere and the scores can be merged into
//! one list. No stemming and no stopwords: the drive's texts carry no
//! reliable language, and a word typed is a word searched.
//!
//! Where the drive's words differ from the archives': compatibility
//! characters are read as the letters they stand for (NFKC: ㎉ is "kcal",
//! ＰＤＦ is "pdf", ① is "1"), on both the text and the query, since a
//! reader types the plain letters. libzim does not, so the archives' query
//! path keeps its own.

use std::borrow::Cow;

use super::bm25;
use super::tokenizer::{fold, ngrams, tokens, Token};

/// Compatibility characters decomposed to the plain letters they stand for
/// (NFKD of each; `fold` composes again). Hangul letters written alone
/// (ㄱ, ﾡ) are kept: NFKC would turn them into conjoining jamo, which
/// join the syllable after them.
fn compatible(text: &str) -> Cow<'_, str> {
    let untouched = |c: char| {
        c.is_ascii()
            || ('\u{AC00}'..='\u{D7A3}').contains(&c)
            || ('\u{4E00}'..='\u{9FFF}').contains(&c)
            || ('\u{3131}'..='\u{318E}').contains(&c)
            || ('\u{FFA0}'..='\u{FFDC}').contains(&c)
    };
    if text.chars().all(untouched) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if untouched(c) {
            out.push(c);
        } else {
            unicode_normalization::char::decompose_compatible(c, |d| out.push(d));
        }
    }
    Cow::Owned(out)
}

/// The drive's folding: compatibility characters, then the archives' fold.
fn drive_fold(text: &str) -> String {
    fold(&compatible(text))
}

/// The terms `text` is indexed under, in order and with repeats (the
/// number of them is the document's length for BM25): folded words, and
/// the unigrams and bigrams of CJK runs (Hangul included), as Xapian's
/// term generator writes them for libzim; and, for a word of Latin letters
/// or digits run together with Hangul or Han (`xetex이라는`, `2월`), that
/// whole word too, so that the word typed as it is printed ranks the pages
/// that print it so first (see [`PlainQuery::boost`]).
pub fn index_terms(text: &str, mut emit: impl FnMut(&str)) {
    let folded = drive_fold(text);
    let toks = tokens(&folded);
    for (tok, _) in &toks {
        match tok {
            Token::Word { text, .. } => emit(bare(text)),
            Token::Cjk(run) => ngrams(run).iter().for_each(|g| emit(g)),
        }
    }
    mixed_words(&folded, &toks, emit);
}

/// A word without the underscores around it (`__noglobs__` is found as
/// `noglobs`, as a reader types it); underscores inside stay
/// (`snake_case`). A word of underscores alone stays as it is.
fn bare(word: &str) -> &str {
    match word.trim_matches('_') {
        "" => word,
        inner => inner,
    }
}

/// Each run of tokens that touch each other (no character between them)
/// and mix a word with a CJK run: `xetex이라는`, `2024년`.
fn mixed_words<'t>(
    text: &'t str,
    toks: &[(Token, std::ops::Range<usize>)],
    mut emit: impl FnMut(&'t str),
) {
    let mut i = 0;
    while i < toks.len() {
        let start = toks[i].1.start;
        let mut end = toks[i].1.end;
        let (mut word, mut cjk) = (false, false);
        let mut j = i;
        while let Some((tok, range)) = toks.get(j) {
            if j > i && range.start != end {
                break;
            }
            match tok {
                Token::Word { .. } => word = true,
                Token::Cjk(_) => cjk = true,
            }
            end = range.end;
            j += 1;
        }
        if word && cjk {
            if let Some(w) = text.get(start..end) {
                emit(w);
            }
        }
        i = j.max(i + 1);
    }
}

/// A query for the drive index.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct PlainQuery {
    /// Terms that must all be in a document.
    pub leaves: Vec<String>,
    /// Terms that raise a document's score when it has them: words of
    /// Latin and Hangul run together as typed (`latex에서의`). A page
    /// printing `latex 에서의` apart is still found, after those.
    pub boost: Vec<String>,
    /// Words as typed (folded), for highlighting in snippets.
    pub highlight: Vec<String>,
}

/// The longest query looked at (as for the archives).
const MAX_QUERY_BYTES: usize = 2048;

pub fn plain_query(q: &str) -> PlainQuery {
    let mut end = q.len().min(MAX_QUERY_BYTES);
    while !q.is_char_boundary(end) {
        end -= 1;
    }
    let mut out = PlainQuery::default();
    let folded = drive_fold(q.get(..end).unwrap_or(""));
    let toks = tokens(&folded);
    mixed_words(&folded, &toks, |w| out.boost.push(w.to_string()));
    for (tok, _) in toks {
        match tok {
            Token::Word { text, .. } => {
                out.leaves.push(bare(&text).to_string());
                out.highlight.push(text);
            }
            Token::Cjk(run) => {
                // A run of one character is its own unigram; longer runs
                // need only their bigrams (each contains two unigrams).
                let grams = ngrams(&run);
                if run.chars().count() == 1 {
                    out.leaves.extend(grams);
                } else {
                    out.leaves
                        .extend(grams.into_iter().filter(|g| g.chars().count() == 2));
                }
                out.highlight.push(run);
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.highlight.retain(|w| seen.insert(w.clone()));
    out
}

/// Xapian's BM25 over a collection of `doccount` documents of
/// `total_len` terms in all (the archives' weighting, same constants).
#[derive(Clone, Copy)]
pub struct Bm25 {
    c: bm25::Collection,
}

impl Bm25 {
    pub fn new(doccount: u32, total_len: u64) -> Bm25 {
        Bm25 {
            c: bm25::Collection {
                doccount,
                total_doclen: total_len,
            },
        }
    }

    /// The weight of a term found in `termfreq` documents.
    pub fn term_weight(&self, termfreq: u32) -> f64 {
        bm25::termweight(self.c, termfreq)
    }

    /// A term's part of a document's score.
    pub fn part(&self, term_weight: f64, wdf: u32, doclen: u32) -> f64 {
        bm25::sumpart(term_weight, wdf, doclen, self.c.len_factor())
    }
}

/// A snippet of plain text around the highlighted words: escaped HTML with
/// `<b>` around them, as for the archives' articles.
pub fn snippet_plain(text: &str, highlight: &[String], max_chars: usize) -> String {
    let mut html = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '&' => html.push_str("&amp;"),
            // Lines of a page or cues of a film read on as one text.
            '\n' => html.push(' '),
            c => html.push(c),
        }
    }
    super::snippet(html.as_bytes(), highlight, max_chars)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(t: &str) -> Vec<String> {
        let mut v = Vec::new();
        index_terms(t, |s| v.push(s.to_string()));
        v
    }

    #[test]
    fn korean_and_latin_terms() {
        assert_eq!(terms("수달 Otter"), ["수", "수달", "달", "otter"]);
        let q = plain_query("수달이 OTTER");
        assert_eq!(q.leaves, ["수달", "달이", "otter"]);
        assert_eq!(q.highlight, ["수달이", "otter"]);
        assert_eq!(plain_query("달").leaves, ["달"]);
        assert!(plain_query("  ").leaves.is_empty());
    }

    #[test]
    fn compatibility_characters_are_their_letters() {
        assert_eq!(terms("2 ㎉ ＰＤＦ① ﬁle"), ["2", "kcal", "pdf1", "file"]);
        assert_eq!(plain_query("kcal").leaves, ["kcal"]);
        assert_eq!(plain_query("㎉").leaves, ["kcal"]);
        assert_eq!(plain_query("ＬａＴｅＸ").leaves, ["latex"]);
        // Hangul letters alone stay letters (n-grams, as in the archives);
        // circled syllables are the syllable.
        assert_eq!(terms("ㄱㄴ ㉮"), ["ㄱ", "ㄱㄴ", "ㄴ", "가"]);
        assert_eq!(terms("서울 Seoul"), ["서", "서울", "울", "seoul"]);
    }

    #[test]
    fn words_of_latin_and_hangul_run_together_are_also_indexed_whole() {
        assert_eq!(
            terms("latex에서의 한글, 2월 b-c한"),
            [
                "latex",
                "에",
                "에서",
                "서",
                "서의",
                "의",
                "한",
                "한글",
                "글",
                "2",
                "월",
                "b",
                "c",
                "한",
                "latex에서의",
                "2월",
                "c한"
            ]
        );
        let q = plain_query("LaTeX에서의 사용");
        assert_eq!(q.leaves, ["latex", "에서", "서의", "사용"]);
        assert_eq!(q.boost, ["latex에서의"]);
        assert!(plain_query("latex 에서의").boost.is_empty());
    }

    #[test]
    fn old_hangul_is_found_as_it_is_typed() {
        // Conjoining jamo (ᄒᆞ, ᄉᆡᆼ) with modern syllables; tone marks (〮 〯)
        // and emphasis dots are dropped by folding on both sides.
        let page = terms("ᄒᆞ얏더니 ᄒᆞᆫᄉᆡᆼ 緣연分분 나〮랏〯말ᄊᆞ미 우\u{307}리");
        for typed in [
            "ᄒᆞ얏더니",
            "ᄒᆞᆫᄉᆡᆼ",
            "나랏말",
            "나〮랏〯말ᄊᆞ미",
            // Modern syllables typed as jamo compose as the page's did.
            "\u{1112}\u{119e}\u{110b}\u{1163}\u{11ba}\u{1103}\u{1165}\u{1102}\u{1175}",
            "緣연分분",
            "우리",
        ] {
            let q = plain_query(typed);
            assert!(!q.leaves.is_empty(), "{typed}");
            for leaf in &q.leaves {
                assert!(page.contains(leaf), "{typed}: {leaf} not in {page:?}");
            }
        }
        // A jamo word stays one term.
        assert!(page.contains(&"ᄒᆞᆫᄉᆡᆼ".to_string()));
    }

    #[test]
    fn underscores_around_a_word_are_not_part_of_it() {
        assert_eq!(
            terms("__noglobs__ snake_case ___"),
            ["noglobs", "snake_case", "___"]
        );
        assert_eq!(plain_query("__init__").leaves, ["init"]);
        assert_eq!(plain_query("noglobs").leaves, ["noglobs"]);
    }

    #[test]
    fn latin_and_hangul_run_together_are_found_in_any_form() {
        let page = terms("luatex과 xetex이라는 유니코드 텍 엔진");
        for typed in [
            "xetex이라는",
            "xetex",
            "이라는",
            "xetex 이라는",
            "XeTeX이라는",
        ] {
            let q = plain_query(typed);
            assert!(!q.leaves.is_empty());
            for leaf in &q.leaves {
                assert!(page.contains(leaf), "{typed}: {leaf} not on the page");
            }
        }
    }

    #[test]
    fn bm25_prefers_rarer_terms_and_shorter_documents() {
        let b = Bm25::new(100, 10_000);
        assert!(b.term_weight(2) > b.term_weight(50));
        let w = b.term_weight(5);
        assert!(b.part(w, 1, 50) > b.part(w, 1, 500));
        assert_eq!(b.part(w, 0, 50), 0.0);
    }

    #[test]
    fn snippets_escape_and_mark() {
        let s = snippet_plain("a <b> & 수달이 산다", &["수달이".to_string()], 100);
        assert!(s.contains("&lt;b&gt;"), "{s}");
        assert!(s.contains("<b>수달이</b>"), "{s}");
    }
}

//! The archives' words and ranking for text that is not in an archive: the
//! drive index (newspaper pages, subtitles, pages, descriptions) is
//! tokenized and scored exactly like the archives' own indexes, so a Korean
//! query finds the same words everywhere and the scores can be merged into
//! one list. No stemming and no stopwords: the drive's texts carry no
//! reliable language, and a word typed is a word searched.

use super::bm25;
use super::tokenizer::{fold, ngrams, tokens, Token};

/// The terms `text` is indexed under, in order and with repeats (the
/// number of them is the document's length for BM25): folded words, and
/// the unigrams and bigrams of CJK runs (Hangul included), as Xapian's
/// term generator writes them for libzim.
pub fn index_terms(text: &str, mut emit: impl FnMut(&str)) {
    for (tok, _) in tokens(&fold(text)) {
        match tok {
            Token::Word { text, .. } => emit(&text),
            Token::Cjk(run) => ngrams(&run).iter().for_each(|g| emit(g)),
        }
    }
}

/// A query for the drive index.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct PlainQuery {
    /// Terms that must all be in a document.
    pub leaves: Vec<String>,
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
    for (tok, _) in tokens(&fold(q.get(..end).unwrap_or(""))) {
        match tok {
            Token::Word { text, .. } => {
                out.leaves.push(text.clone());
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

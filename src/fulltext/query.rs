//! From the text a person typed to the terms that are looked up, following
//! libzim's settings for Xapian's query parser: accent folding, AND of all
//! words, every word stemmed when the language has a stemmer, stopwords
//! dropped from groups of words, CJK runs as AND of their n-grams. No
//! operators, quotes, prefixes or wildcards: libzim enables none of them.

use std::collections::HashSet;

use rust_stemmers::{Algorithm, Stemmer};

use std::ops::Range;

use super::tokenizer::{fold, is_whitespace, ngrams, tokens, Token};

/// What a query turns into.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Parsed {
    /// Terms that must all match, in query order; a repeated word appears
    /// twice and counts twice in the score, as in Xapian.
    pub(super) leaves: Vec<String>,
    /// Folded words and CJK runs as typed, for highlighting.
    pub(super) highlight: Vec<String>,
}

pub(super) struct Analyzer {
    stemmer: Option<Stemmer>,
    stopwords: HashSet<String>,
}

/// The Snowball stemmer libzim would pick for a language code. libzim asks
/// ICU for the language part of the code (which turns `eng` into `en`) and
/// then Xapian for a stemmer; codes Xapian does not know mean no stemming.
/// Xapian 1.4 has no Greek stemmer, so Greek stays unstemmed here too.
/// Armenian, Basque, Catalan, Indonesian, Irish, Lithuanian and Nepali have
/// Xapian stemmers but none in rust-stemmers; they stay unstemmed.
pub(super) fn stemmer_for(language: &str) -> Option<Algorithm> {
    let code = language
        .split(['_', '-'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    Some(match code.as_str() {
        "ar" | "ara" => Algorithm::Arabic,
        "da" | "dan" => Algorithm::Danish,
        "nl" | "nld" | "dut" => Algorithm::Dutch,
        "en" | "eng" => Algorithm::English,
        "fi" | "fin" => Algorithm::Finnish,
        "fr" | "fra" | "fre" => Algorithm::French,
        "de" | "deu" | "ger" => Algorithm::German,
        "hu" | "hun" => Algorithm::Hungarian,
        "it" | "ita" => Algorithm::Italian,
        "no" | "nor" | "nb" | "nob" | "nn" | "nno" => Algorithm::Norwegian,
        "pt" | "por" => Algorithm::Portuguese,
        "ro" | "ron" | "rum" => Algorithm::Romanian,
        "ru" | "rus" => Algorithm::Russian,
        "es" | "spa" => Algorithm::Spanish,
        "sv" | "swe" => Algorithm::Swedish,
        "ta" | "tam" => Algorithm::Tamil,
        "tr" | "tur" => Algorithm::Turkish,
        _ => return None,
    })
}

impl Analyzer {
    pub(super) fn new(language: &str, stopwords: &str) -> Analyzer {
        Analyzer {
            stemmer: stemmer_for(language).map(Stemmer::create),
            stopwords: stopwords
                .split('\n')
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect(),
        }
    }

    pub(super) fn parse(&self, query: &str) -> Parsed {
        let folded = fold(cap(query.trim()));
        let spans = tokens(&folded);
        if rejected_by_parser(&folded, &spans) {
            return Parsed::default();
        }
        let toks: Vec<Token> = spans.into_iter().map(|(t, _)| t).collect();
        // Words joined by phrase characters form a phrase; its words are
        // never dropped as stopwords.
        let in_phrase: Vec<bool> = (0..toks.len())
            .map(|k| {
                let linked =
                    |t: Option<&Token>| matches!(t, Some(Token::Word { linked: true, .. }));
                let is_word = matches!(toks.get(k), Some(Token::Word { .. }));
                is_word && (linked(toks.get(k)) || (k > 0 && linked(toks.get(k - 1))))
            })
            .collect();
        let loose: Vec<&str> = toks
            .iter()
            .zip(&in_phrase)
            .filter_map(|(t, p)| match t {
                Token::Word { text, .. } if !p => Some(text.as_str()),
                _ => None,
            })
            .collect();
        // Stopwords go only from a group of several words, and only if that
        // leaves at least one word.
        let drop_stopwords = loose.len() >= 2 && loose.iter().any(|w| !self.stopwords.contains(*w));
        let mut parsed = Parsed::default();
        for (tok, phrase) in toks.iter().zip(&in_phrase) {
            match tok {
                Token::Word { text, .. } => {
                    if drop_stopwords && !phrase && self.stopwords.contains(text.as_str()) {
                        continue;
                    }
                    let term = match &self.stemmer {
                        Some(s) => s.stem(text).into_owned(),
                        None => text.clone(),
                    };
                    parsed.leaves.push(term);
                    parsed.highlight.push(text.clone());
                }
                Token::Cjk(run) => {
                    parsed.leaves.extend(ngrams(run));
                    parsed.highlight.push(run.clone());
                }
            }
        }
        let mut seen = HashSet::new();
        parsed.highlight.retain(|w| seen.insert(w.clone()));
        parsed
    }
}

/// Longest query considered, in bytes. Every leaf costs a tree lookup, so a
/// pasted page of text must not become thousands of them; no one types this
/// much into a search box.
const MAX_QUERY_BYTES: usize = 2048;

fn cap(query: &str) -> &str {
    let mut end = query.len().min(MAX_QUERY_BYTES);
    while !query.is_char_boundary(end) {
        end -= 1;
    }
    query.get(..end).unwrap_or("")
}

/// Whether Xapian's query parser fails on this query, so libzim finds
/// nothing. Its grammar has no rule for a word that continues a group of
/// space-separated words after a CJK run inside that group ("1 법률 2",
/// "seoul 서울 kimchi"); matching kiwix means matching that too. A group is
/// opened by a word followed by white space and closed by any other
/// character between tokens or by a phrase; words joined into a phrase are
/// never group words.
fn rejected_by_parser(text: &str, spans: &[(Token, Range<usize>)]) -> bool {
    let mut in_group = false;
    let mut cjk_in_group = false;
    let mut previous_end = 0;
    let mut previous_linked = false;
    for (tok, range) in spans {
        let gap = text.get(previous_end..range.start).unwrap_or("");
        if gap.chars().any(|c| !is_whitespace(c)) {
            in_group = false;
            cjk_in_group = false;
        }
        match tok {
            Token::Cjk(_) => {
                cjk_in_group |= in_group;
                previous_linked = false;
            }
            Token::Word { linked, .. } => {
                if *linked || previous_linked {
                    in_group = false;
                    cjk_in_group = false;
                } else {
                    if in_group && cjk_in_group {
                        return true;
                    }
                    let after = text.get(range.end..).and_then(|r| r.chars().next());
                    in_group = after.is_some_and(is_whitespace);
                    cjk_in_group = false;
                }
                previous_linked = *linked;
            }
        }
        previous_end = range.end;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_stems_and_stopwords() {
        let a = Analyzer::new("en", "the\nof\nand\n");
        assert_eq!(a.parse("The Blues").leaves, ["blue"]);
        assert_eq!(a.parse("the").leaves, ["the"]);
        assert_eq!(a.parse("the of").leaves, ["the", "of"]);
        assert_eq!(a.parse("Ray Charles").leaves, ["ray", "charl"]);
        assert_eq!(a.parse("ray ray").leaves, ["ray", "ray"]);
        assert_eq!(a.parse("the-blues").leaves, ["the", "blue"]);
        assert_eq!(a.parse("  ").leaves, Vec::<String>::new());
    }

    #[test]
    fn korean_ngrams_unstemmed() {
        let a = Analyzer::new("kor", "");
        let p = a.parse("수달 Cities");
        assert_eq!(p.leaves, ["수", "수달", "달", "cities"]);
        assert_eq!(p.highlight, ["수달", "cities"]);
    }

    #[test]
    fn groups_broken_by_cjk_find_nothing() {
        let a = Analyzer::new("kor", "");
        for q in [
            "1 법률 2",
            "seoul 서울 kimchi",
            "2 문서 문서 1",
            "1 법률2",
            "법률 1 법률 2",
            "1-2 1 법률 1",
        ] {
            assert!(a.parse(q).leaves.is_empty(), "{q}");
        }
        for q in [
            "1 법률",
            "법률 1",
            "1, 법률 2",
            "1 법률, 2",
            "1 1-2 법률 1",
            "1 법률 2-3",
            "1법률 2",
            "1 1법률 1",
        ] {
            assert!(!a.parse(q).leaves.is_empty(), "{q}");
        }
    }

    #[test]
    fn long_queries_are_cut() {
        let a = Analyzer::new("kor", "");
        let q = "가나다라 ".repeat(2000);
        assert!(a.parse(&q).leaves.len() < 3000);
        assert_eq!(cap("가나"), "가나");
        assert_eq!(cap(&"가".repeat(1000)).len(), 2046);
    }

    #[test]
    fn language_codes() {
        assert!(stemmer_for("eng").is_some());
        assert!(stemmer_for("en_US").is_some());
        assert!(stemmer_for("kor").is_none());
        assert!(stemmer_for("el").is_none());
        assert!(stemmer_for("=en").is_none());
        assert!(stemmer_for("").is_none());
    }
}

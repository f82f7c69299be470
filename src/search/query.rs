//! A typed query and how well a title answers it.

use crate::hangul::keyboard;
use crate::hangul::keys;
use crate::hangul::typing::{patterns, Pattern};

/// How a title matches, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    /// The whole title, case and spacing aside.
    Exact,
    /// The title starts with it (spacing, punctuation, a syllable still
    /// being composed and initial consonants aside).
    Prefix,
    /// A later word of the title starts with it (헌법 in 대한민국 헌법).
    Contains,
    /// It starts inside a word of the title: Korean compounds have no
    /// spaces (헌법 in 대한민국헌법, 특별시 in 서울특별시).
    Inside,
    /// Only the description or file name holds its words.
    Description,
}

/// One reading of the query: as typed, or as the Hangul a Latin-mode
/// keyboard slip stands for.
pub struct Reading {
    /// As typed (trimmed), or the Hangul of a slip.
    pub raw: String,
    pub exact: String,
    pub folded: String,
    pub patterns: Vec<Pattern>,
    /// A keyboard slip: ranked after what was typed, class for class.
    pub slip: bool,
}

impl Reading {
    fn new(q: &str, slip: bool) -> Option<Reading> {
        let folded = keys::fold(q);
        if folded.is_empty() {
            return None;
        }
        Some(Reading {
            raw: q.to_string(),
            exact: keys::exact(q),
            patterns: patterns(&folded),
            folded,
            slip,
        })
    }
}

pub struct Query {
    pub readings: Vec<Reading>,
    /// Lower-cased words, for descriptions.
    pub words: Vec<String>,
    /// The words of a keyboard-slip reading (dkssud → 안녕), for
    /// descriptions too.
    pub slip_words: Vec<String>,
}

impl Query {
    pub fn new(q: &str) -> Query {
        let q = q.trim();
        let mut readings: Vec<Reading> = Reading::new(q, false).into_iter().collect();
        let mut slip_words = Vec::new();
        if let Some(h) = keyboard::slip(q) {
            slip_words = h.split_whitespace().map(str::to_lowercase).collect();
            readings.extend(Reading::new(&h, true));
        }
        Query {
            readings,
            slip_words,
            words: q
                .to_lowercase()
                .split_whitespace()
                .map(String::from)
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.readings.is_empty()
    }

    /// How `title` matches, and whether through a keyboard slip.
    pub fn classify(&self, title: &str) -> Option<(Class, bool)> {
        let exact = keys::exact(title);
        let marked = keys::fold_marked(title);
        let folded: Vec<char> = marked.iter().map(|m| m.0).collect();
        let word_start = |at: usize| marked.get(at).is_some_and(|m| m.1 == keys::At::WordStart);
        let mut best: Option<(Class, bool)> = None;
        for r in &self.readings {
            let class =
                if r.exact == exact {
                    Class::Exact
                } else if r.patterns.iter().any(|p| p.is_prefix_of(&folded)) {
                    Class::Prefix
                } else if r.patterns.iter().any(|p| {
                    (1..folded.len()).any(|at| word_start(at) && p.matches_at(&folded, at))
                }) {
                    Class::Contains
                } else if r.patterns.iter().any(|p| p.is_inside(&folded)) {
                    Class::Inside
                } else {
                    continue;
                };
            let found = (class, r.slip);
            if best.is_none_or(|b| found < b) {
                best = Some(found);
            }
        }
        best
    }

    /// Whether every word is in one of `texts` (lower-cased by the caller).
    pub fn words_in(&self, texts: &[&str]) -> bool {
        all_in(&self.words, texts)
    }

    /// Whether `texts` (a description, lower-cased by the caller) hold the
    /// words as typed (`Some(false)`) or those of a keyboard-slip reading
    /// (`Some(true)`, ranked after).
    pub fn words_or_slip_in(&self, texts: &[&str]) -> Option<bool> {
        if all_in(&self.words, texts) {
            Some(false)
        } else {
            all_in(&self.slip_words, texts).then_some(true)
        }
    }
}

fn all_in(words: &[String], texts: &[&str]) -> bool {
    !words.is_empty()
        && words
            .iter()
            .all(|w| texts.iter().any(|t| t.contains(w.as_str())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        let q = Query::new("대한 민국");
        assert_eq!(q.classify("대한민국"), Some((Class::Exact, false)));
        assert_eq!(q.classify("대한민국 헌법"), Some((Class::Prefix, false)));
        assert_eq!(
            q.classify("제1공화국 대한민국"),
            Some((Class::Contains, false))
        );
        assert_eq!(q.classify("대한제국"), None);
        let h = Query::new("헌법");
        assert_eq!(h.classify("대한민국 헌법"), Some((Class::Contains, false)));
        assert_eq!(h.classify("대한민국헌법"), Some((Class::Inside, false)));
        assert_eq!(
            Query::new("특별시").classify("서울특별시"),
            Some((Class::Inside, false))
        );
        assert_eq!(
            Query::new("ㅂㅇㅂ").classify("국가보안법"),
            Some((Class::Inside, false))
        );
        let s = Query::new("seoul");
        assert_eq!(s.classify("SEOUL"), Some((Class::Exact, false)));
        assert_eq!(s.classify("Seoul Station"), Some((Class::Prefix, false)));
        assert_eq!(s.classify("서울의 겨울"), None);
        assert!(s.words_in(&["winter in seoul"]));
    }

    #[test]
    fn composing_and_initials() {
        assert_eq!(
            Query::new("서우").classify("서울 (도시)"),
            Some((Class::Prefix, false))
        );
        assert_eq!(
            Query::new("ㄷㅎㅁㄱ").classify("대한민국헌법"),
            Some((Class::Prefix, false))
        );
        assert_eq!(
            Query::new("서울의겨울").classify("서울의 겨울"),
            Some((Class::Exact, false))
        );
    }

    #[test]
    fn keyboard_slips_rank_after_what_was_typed() {
        let q = Query::new("tjdnf");
        assert_eq!(q.classify("서울"), Some((Class::Exact, true)));
        assert_eq!(q.classify("서울 (도시)"), Some((Class::Prefix, true)));
        assert_eq!(q.classify("tjdnf"), Some((Class::Exact, false)));
        assert!(Query::new("seoul").readings.len() == 1);
        // Descriptions too, after the words as typed.
        let d = Query::new("dkssud");
        assert_eq!(d.words_or_slip_in(&["인사: 안녕하세요"]), Some(true));
        assert_eq!(d.words_or_slip_in(&["dkssud means 안녕"]), Some(false));
        assert_eq!(d.words_or_slip_in(&["서울"]), None);
        assert_eq!(Query::new("seoul").words_or_slip_in(&["서울"]), None);
        assert!(Query::new("  ").is_empty());
    }
}

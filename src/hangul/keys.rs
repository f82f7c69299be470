//! The forms of a title that matching compares.

use super::normalize;

/// Lower case, conjoining jamo composed, and only letters and digits kept:
/// spacing and punctuation never decide a match ("대한 민국" = "대한민국",
/// "3·1 운동" = "31운동", "K-pop" = "kpop").
pub fn fold(s: &str) -> String {
    let s = normalize(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|c| c.is_alphanumeric()) {
        out.extend(c.to_lowercase());
    }
    out
}

/// Where a folded character stands in the title's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum At {
    /// The first letter of a word (after the start, a space or punctuation).
    WordStart,
    /// Any later letter of a word.
    Inside,
}

/// [`fold`], each character with its place: what tells "contains at a word
/// start" (헌법 in 대한민국 헌법) from "inside a word" (헌법 in 대한민국헌법).
pub fn fold_marked(s: &str) -> Vec<(char, At)> {
    let s = normalize(s);
    let mut out = Vec::with_capacity(s.len());
    let mut at = At::WordStart;
    for c in s.chars() {
        if !c.is_alphanumeric() {
            at = At::WordStart;
            continue;
        }
        for l in c.to_lowercase() {
            out.push((l, at));
            at = At::Inside;
        }
    }
    out
}

/// What "the exact title" compares: case and spacing ignored, punctuation
/// kept ("C++" is not "C#").
pub fn exact(s: &str) -> String {
    let s = normalize(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|c| !c.is_whitespace() && *c != '_') {
        out.extend(c.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding() {
        assert_eq!(fold("대한 민국"), "대한민국");
        assert_eq!(fold("서울의 겨울 (1987)"), "서울의겨울1987");
        assert_eq!(fold("K-Pop"), "kpop");
        assert_eq!(fold("3·1 운동"), "31운동");
        assert_eq!(fold("😀 이모지"), "이모지");
        assert_eq!(fold("Ünïcödé"), "ünïcödé");
        assert_eq!(fold("ㄷㅎㅁㄱ"), "ㄷㅎㅁㄱ");
        // Conjoining jamo (decomposed text) fold like the syllables.
        assert_eq!(fold("\u{1109}\u{1165}\u{110B}\u{116E}\u{11AF}"), "서울");
        assert_eq!(exact(" Seoul  "), "seoul");
        assert_eq!(exact("대한 민국"), "대한민국");
        assert_ne!(exact("C++"), exact("C#"));
    }

    #[test]
    fn places_in_words() {
        use At::*;
        let m = fold_marked("대한 민국헌법 (K-Pop)");
        let folded: String = m.iter().map(|x| x.0).collect();
        assert_eq!(folded, fold("대한 민국헌법 (K-Pop)"));
        let starts: Vec<usize> = (0..m.len()).filter(|&i| m[i].1 == WordStart).collect();
        assert_eq!(starts, [0, 2, 6, 7]);
        assert_eq!(
            fold_marked("İx")[..2],
            [('i', WordStart), ('\u{307}', Inside)]
        );
    }
}

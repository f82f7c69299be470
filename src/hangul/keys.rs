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
}

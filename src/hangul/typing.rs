//! What a query means while it is being typed.
//!
//! An input method composes the last syllable letter by letter: 서울 passes
//! through 서, 섯 (or 서ㅇ), 서우 before it is 서울. A query is therefore read
//! as a [`Pattern`]: one [`Slot`] per character a title must have, where the
//! last syllable stands for everything it can still become, and a lone
//! consonant anywhere stands for any syllable it begins (초성: ㄷㅎㅁㄱ, or
//! mixed: 대ㅎㅁㄱ).

use super::{
    final_extensions, initial_of_jamo, initial_or_self, initial_range, medial_extensions,
    split_final, Syllable, FINALS,
};

/// What one character of a title must be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Slot {
    Is(char),
    /// One of these inclusive ranges of code points. All of them share one
    /// initial consonant (see [`Slot::initial_key`]).
    AnyOf(Vec<(char, char)>),
}

impl Slot {
    pub fn matches(&self, c: char) -> bool {
        match self {
            Slot::Is(x) => *x == c,
            Slot::AnyOf(ranges) => ranges.iter().any(|&(a, b)| a <= c && c <= b),
        }
    }

    /// The character this slot shows in a title's initials
    /// ([`super::initials`]): the initial consonant of what it matches.
    pub fn initial_key(&self) -> char {
        match self {
            Slot::Is(c) => initial_or_self(*c),
            Slot::AnyOf(r) => r.first().map_or('\u{FFFD}', |&(a, _)| initial_or_self(a)),
        }
    }

    /// Any syllable beginning with this initial, or the lone letter itself.
    fn initial(initial: u8, jamo: char) -> Slot {
        let (a, b) = initial_range(initial);
        Slot::AnyOf(vec![(jamo, jamo), (a, b)])
    }
}

/// A query as the characters a title must start with (or hold, for
/// "contains" matches). Characters are compared after [`super::keys::fold`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    pub slots: Vec<Slot>,
}

/// A sorted-list range `[lo, hi)` of keys (UTF-8 bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRange {
    pub lo: Vec<u8>,
    pub hi: Vec<u8>,
}

impl Pattern {
    /// Whether `title` (as chars, folded) matches from position `at`.
    pub fn matches_at(&self, title: &[char], at: usize) -> bool {
        title.len() >= at + self.slots.len()
            && self
                .slots
                .iter()
                .zip(&title[at..])
                .all(|(s, &c)| s.matches(c))
    }

    pub fn is_prefix_of(&self, title: &[char]) -> bool {
        self.matches_at(title, 0)
    }

    /// Whether it matches anywhere after the first character.
    pub fn is_inside(&self, title: &[char]) -> bool {
        !self.slots.is_empty()
            && (1..title.len().saturating_sub(self.slots.len() - 1))
                .any(|at| self.matches_at(title, at))
    }

    /// Whether only the last slot has choices: then the titles it matches
    /// are a few contiguous ranges of a list sorted by the same key.
    pub fn is_plain_but_last(&self) -> bool {
        let n = self.slots.len();
        self.slots
            .iter()
            .take(n.saturating_sub(1))
            .all(|s| matches!(s, Slot::Is(_)))
    }

    /// The key ranges of a list sorted by folded title that hold every
    /// match; `None` when a slot before the last has choices (an initials
    /// query: look it up in the initials order instead).
    pub fn key_ranges(&self) -> Option<Vec<KeyRange>> {
        if self.slots.is_empty() || !self.is_plain_but_last() {
            return None;
        }
        let mut stem = String::new();
        for s in &self.slots[..self.slots.len() - 1] {
            if let Slot::Is(c) = s {
                stem.push(*c);
            }
        }
        let last = match self.slots.last() {
            Some(Slot::Is(c)) => vec![(*c, *c)],
            Some(Slot::AnyOf(r)) => r.clone(),
            None => return None,
        };
        Some(
            merge(last)
                .into_iter()
                .map(|(a, b)| KeyRange {
                    lo: format!("{stem}{a}").into_bytes(),
                    hi: after(&stem, b),
                })
                .collect(),
        )
    }

    /// The prefix of a title's initials every match has.
    pub fn initials_key(&self) -> String {
        self.slots.iter().map(Slot::initial_key).collect()
    }

    /// The leading characters every match starts with exactly.
    pub fn plain_stem(&self) -> String {
        self.slots
            .iter()
            .map_while(|s| match s {
                Slot::Is(c) => Some(*c),
                Slot::AnyOf(_) => None,
            })
            .collect()
    }
}

/// `stem` followed by the character after `c`: the first key above every key
/// that starts with `stem` + `c`.
fn after(stem: &str, c: char) -> Vec<u8> {
    let mut n = u32::from(c) + 1;
    if (0xD800..0xE000).contains(&n) {
        n = 0xE000;
    }
    let mut out = stem.as_bytes().to_vec();
    match char::from_u32(n) {
        Some(next) => out.extend_from_slice(next.to_string().as_bytes()),
        // After the last code point: any byte above UTF-8's lead bytes.
        None => out.push(0xFF),
    }
    out
}

fn merge(mut ranges: Vec<(char, char)>) -> Vec<(char, char)> {
    ranges.sort_unstable();
    let mut out: Vec<(char, char)> = Vec::with_capacity(ranges.len());
    for (a, b) in ranges {
        match out.last_mut() {
            Some(last) if u32::from(a) <= u32::from(last.1) + 1 => {
                if b > last.1 {
                    last.1 = b;
                }
            }
            _ => out.push((a, b)),
        }
    }
    out
}

/// The patterns a folded query stands for: usually one; two when its last
/// syllable ends in a consonant that may yet move on to a next syllable
/// (달 may be 달… or 다라…; 닭 may be 닭… or 달가…).
pub fn patterns(q: &str) -> Vec<Pattern> {
    let chars: Vec<char> = q.chars().collect();
    let Some((&last, head)) = chars.split_last() else {
        return Vec::new();
    };
    let head: Vec<Slot> = head.iter().map(|&c| slot_of(c)).collect();
    let with = |tail: Vec<Slot>| {
        let mut slots = head.clone();
        slots.extend(tail);
        Pattern { slots }
    };
    let Some(s) = Syllable::of(last) else {
        return vec![with(vec![slot_of(last)])];
    };
    if s.fin == 0 {
        // The vowel may take a second stroke and any final may follow.
        let ranges = std::iter::once(s.medial)
            .chain(medial_extensions(s.medial).iter().copied())
            .map(|m| {
                let first = Syllable { medial: m, ..s };
                (first.to_char(), first.with_final(FINALS - 1).to_char())
            })
            .collect();
        return vec![with(vec![Slot::AnyOf(merge(ranges))])];
    }
    // The final may grow into a cluster…
    let grown = std::iter::once(s.fin)
        .chain(final_extensions(s.fin).iter().copied())
        .map(|f| {
            let c = s.with_final(f).to_char();
            (c, c)
        })
        .collect();
    let mut out = vec![with(vec![Slot::AnyOf(merge(grown))])];
    // …or its (last) letter may begin the next syllable.
    if let Some((stays, moves)) = split_final(s.fin) {
        let jamo = super::initial_jamo(moves);
        out.push(with(vec![
            Slot::Is(s.with_final(stays).to_char()),
            Slot::initial(moves, jamo),
        ]));
    }
    out
}

fn slot_of(c: char) -> Slot {
    match initial_of_jamo(c) {
        Some(i) => Slot::initial(i, c),
        None => Slot::Is(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn title(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    fn any(q: &str, t: &str) -> bool {
        patterns(q).iter().any(|p| p.is_prefix_of(&title(t)))
    }

    #[test]
    fn composing_syllable_without_final() {
        for t in ["서울", "서운", "서우", "서워", "서웠다", "서위", "서웨"] {
            assert!(any("서우", t), "{t}");
        }
        for t in ["서오", "서", "서아", "선우", "ㅅ우"] {
            assert!(!any("서우", t), "{t}");
        }
        // ㅗ → ㅘ ㅙ ㅚ, ㅡ → ㅢ, in two strokes.
        for t in ["오리", "와", "왜가리", "외교", "옵션"] {
            assert!(any("오", t), "{t}");
        }
        assert!(any("으", "의사") && any("으", "은행") && !any("으", "이"));
        assert!(!any("아", "와") && !any("우", "와"));
    }

    #[test]
    fn lone_consonant_after_syllables() {
        for t in ["서울", "서양", "서ㅇ", "서음"] {
            assert!(any("서ㅇ", t), "{t}");
        }
        assert!(!any("서ㅇ", "성남") && !any("서ㅇ", "서부"));
        // Double initials typed with Shift.
        assert!(any("ㄸ", "딸기") && !any("ㄸ", "달") && any("ㄷ", "달"));
        assert!(any("가ㅆ", "가씨") && any("ㅃ", "빵") && any("ㅉ", "짜장"));
    }

    #[test]
    fn final_that_may_move_on_or_grow() {
        // 달 + ㄱ → 닭; 달 + ㅏ → 다라.
        for t in ["달", "달걀", "닭", "닮다", "닳다", "다라", "다리", "다람쥐"] {
            assert!(any("달", t), "{t}");
        }
        for t in ["단", "다", "다나", "닥"] {
            assert!(!any("달", t), "{t}");
        }
        // 닭 typed as 달 + ㄱ, then a vowel: 달가…
        for t in ["닭", "닭갈비", "달걀", "달고나"] {
            assert!(any("닭", t), "{t}");
        }
        assert!(!any("닭", "달") && !any("닭", "닮"));
        // 값 = 갑 + ㅅ: 갑시다; 앉 = 안 + ㅈ: 안주.
        assert!(any("값", "갑시다") && any("앉", "안주") && any("않", "안하"));
        // ㄲ and ㅆ finals move whole.
        assert!(any("갔", "가싸") && any("밖", "바까") && !any("갔", "갓"));
        // ㄱ may become ㄳ, ㅂ → ㅄ, ㄴ → ㄵ ㄶ.
        assert!(any("각", "갃") && any("업", "없다") && any("안", "않다") && any("안", "앉다"));
    }

    #[test]
    fn initials_and_mixed() {
        let p = patterns("ㄷㅎㅁㄱ");
        assert_eq!(p.len(), 1);
        assert!(p[0].is_prefix_of(&title("대한민국헌법")));
        assert!(!p[0].is_prefix_of(&title("대한민주")));
        assert!(any("대ㅎㅁㄱ", "대한민국") && !any("대ㅎㅁㄱ", "도화문고"));
        assert!(any("ㄷㅎ민", "대한민국") && !any("ㄷㅎ민", "대한문"));
        assert_eq!(p[0].initials_key(), "ㄷㅎㅁㄱ");
        assert_eq!(patterns("대ㅎㅁㄱ")[0].initials_key(), "ㄷㅎㅁㄱ");
        assert!(p[0].key_ranges().is_none());
        assert_eq!(patterns("대ㅎㅁㄱ")[0].plain_stem(), "대");
        // Letters that only close a syllable are literal.
        assert!(any("ㄳ", "ㄳ") && !any("ㄳ", "가"));
        // Inside a title.
        assert!(patterns("ㅎㅂ")[0].is_inside(&title("대한민국헌법")));
        assert!(!patterns("ㅎㅂ")[0].is_inside(&title("헌법")));
    }

    #[test]
    fn plain_queries() {
        assert!(any("seoul", "seoul (city)") && !any("seoul", "seo"));
        assert!(patterns("").is_empty());
        let r = patterns("ab")[0].key_ranges().unwrap();
        assert_eq!(
            r,
            [KeyRange {
                lo: b"ab".to_vec(),
                hi: b"ac".to_vec()
            }]
        );
    }

    #[test]
    fn key_ranges_of_a_composing_syllable() {
        let r = patterns("서우")[0].key_ranges().unwrap();
        // 우…웋, then 워…윟 (ㅝ ㅞ ㅟ follow ㅜ in medial order).
        assert_eq!(r.len(), 1);
        assert_eq!(String::from_utf8(r[0].lo.clone()).unwrap(), "서우");
        assert_eq!(String::from_utf8(r[0].hi.clone()).unwrap(), "서유");
        let o = patterns("오")[0].key_ranges().unwrap();
        assert_eq!(o.len(), 1, "ㅗ ㅘ ㅙ ㅚ are consecutive medials");
        // 다 + (ㄹ or 라…맇): the lone letter and the syllables.
        let split = patterns("달")[1].key_ranges().unwrap();
        assert_eq!(split.len(), 2);
        assert_eq!(String::from_utf8(split[1].lo.clone()).unwrap(), "다라");
        assert_eq!(String::from_utf8(split[1].hi.clone()).unwrap(), "다마");
    }
}

//! Hangul as it is typed: syllables and their letters (jamo), the two ways
//! Unicode writes lone letters, what a half-typed syllable can still become,
//! and the 2-beolsik keyboard. Pure functions over `char`s, no I/O; the
//! suggestion code builds on them.
//!
//! A precomposed syllable is `0xAC00 + (initial × 21 + medial) × 28 + final`,
//! so every syllable with a given initial (or initial and medial) is one
//! contiguous run of code points — and, since UTF-8 keeps code point order,
//! one contiguous run of a sorted title list.

pub mod keyboard;
pub mod keys;
pub mod typing;

pub const SYLLABLE_FIRST: u32 = 0xAC00;
pub const SYLLABLE_LAST: u32 = 0xD7A3;
pub const INITIALS: u8 = 19;
pub const MEDIALS: u8 = 21;
pub const FINALS: u8 = 28;

/// Compatibility jamo (the lone letters a keyboard types, U+3131…) of the 19
/// initials, in initial order.
const COMPAT_INITIALS: [char; 19] = [
    'ㄱ', 'ㄲ', 'ㄴ', 'ㄷ', 'ㄸ', 'ㄹ', 'ㅁ', 'ㅂ', 'ㅃ', 'ㅅ', 'ㅆ', 'ㅇ', 'ㅈ', 'ㅉ', 'ㅊ', 'ㅋ',
    'ㅌ', 'ㅍ', 'ㅎ',
];

/// Compatibility jamo of the 27 finals (index 1…27; 0 is "no final").
const COMPAT_FINALS: [char; 28] = [
    '\0', 'ㄱ', 'ㄲ', 'ㄳ', 'ㄴ', 'ㄵ', 'ㄶ', 'ㄷ', 'ㄹ', 'ㄺ', 'ㄻ', 'ㄼ', 'ㄽ', 'ㄾ', 'ㄿ', 'ㅀ',
    'ㅁ', 'ㅂ', 'ㅄ', 'ㅅ', 'ㅆ', 'ㅇ', 'ㅈ', 'ㅊ', 'ㅋ', 'ㅌ', 'ㅍ', 'ㅎ',
];

/// Compatibility vowels run from ㅏ (U+314F) in medial order.
const COMPAT_VOWEL_FIRST: u32 = 0x314F;

/// A precomposed syllable's letters: initial 0‥19, medial 0‥21, final 0‥28
/// (0 = none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Syllable {
    pub initial: u8,
    pub medial: u8,
    pub fin: u8,
}

impl Syllable {
    pub fn new(initial: u8, medial: u8, fin: u8) -> Option<Syllable> {
        (initial < INITIALS && medial < MEDIALS && fin < FINALS).then_some(Syllable {
            initial,
            medial,
            fin,
        })
    }

    pub fn of(c: char) -> Option<Syllable> {
        let n = u32::from(c).checked_sub(SYLLABLE_FIRST)?;
        if u32::from(c) > SYLLABLE_LAST {
            return None;
        }
        let fin = (n % 28) as u8;
        let medial = ((n / 28) % 21) as u8;
        let initial = (n / 588) as u8;
        Some(Syllable {
            initial,
            medial,
            fin,
        })
    }

    pub fn to_char(self) -> char {
        let n = SYLLABLE_FIRST
            + (u32::from(self.initial) * 21 + u32::from(self.medial)) * 28
            + u32::from(self.fin);
        char::from_u32(n).unwrap_or('\u{FFFD}')
    }

    pub fn with_final(self, fin: u8) -> Syllable {
        Syllable { fin, ..self }
    }
}

/// The first and last syllable with this initial: every syllable a reader
/// may be typing once the initial is down.
pub fn initial_range(initial: u8) -> (char, char) {
    let first = Syllable {
        initial,
        medial: 0,
        fin: 0,
    };
    let last = Syllable {
        initial,
        medial: MEDIALS - 1,
        fin: FINALS - 1,
    };
    (first.to_char(), last.to_char())
}

/// The compatibility jamo of an initial.
pub fn initial_jamo(initial: u8) -> char {
    COMPAT_INITIALS
        .get(usize::from(initial))
        .copied()
        .unwrap_or('\u{FFFD}')
}

/// Which initial a compatibility consonant is (ㄱ → 0, ㄲ → 1, …); `None`
/// for vowels and for clusters that only close a syllable (ㄳ, ㄺ, …).
pub fn initial_of_jamo(c: char) -> Option<u8> {
    COMPAT_INITIALS
        .iter()
        .position(|&j| j == c)
        .map(|i| i as u8)
}

/// Which final a compatibility consonant is (ㄱ → 1, ㄺ → 9, …).
pub fn final_of_jamo(c: char) -> Option<u8> {
    COMPAT_FINALS
        .iter()
        .skip(1)
        .position(|&j| j == c)
        .map(|i| i as u8 + 1)
}

pub fn final_jamo(fin: u8) -> Option<char> {
    COMPAT_FINALS
        .get(usize::from(fin))
        .copied()
        .filter(|&c| c != '\0')
}

/// Which medial a compatibility vowel is (ㅏ → 0 … ㅣ → 20).
pub fn medial_of_jamo(c: char) -> Option<u8> {
    let n = u32::from(c).checked_sub(COMPAT_VOWEL_FIRST)?;
    (n < u32::from(MEDIALS)).then_some(n as u8)
}

pub fn medial_jamo(medial: u8) -> Option<char> {
    (medial < MEDIALS)
        .then(|| char::from_u32(COMPAT_VOWEL_FIRST + u32::from(medial)))
        .flatten()
}

/// A compatibility consonant, single or cluster.
pub fn is_consonant_jamo(c: char) -> bool {
    ('\u{3131}'..='\u{314E}').contains(&c)
}

/// The vowels a medial becomes with a second stroke (ㅗ+ㅏ = ㅘ, …).
pub fn medial_extensions(medial: u8) -> &'static [u8] {
    match medial {
        8 => &[9, 10, 11],   // ㅗ → ㅘ ㅙ ㅚ
        13 => &[14, 15, 16], // ㅜ → ㅝ ㅞ ㅟ
        18 => &[19],         // ㅡ → ㅢ
        _ => &[],
    }
}

/// The vowel two strokes make, if they make one.
pub fn combine_medials(first: u8, second: u8) -> Option<u8> {
    Some(match (first, second) {
        (8, 0) => 9,
        (8, 1) => 10,
        (8, 20) => 11,
        (13, 4) => 14,
        (13, 5) => 15,
        (13, 20) => 16,
        (18, 20) => 19,
        _ => return None,
    })
}

/// The final a second consonant makes with this one (ㄹ+ㄱ = ㄺ, …), by
/// final index and initial index of the second.
pub fn combine_finals(fin: u8, next_initial: u8) -> Option<u8> {
    Some(match (fin, next_initial) {
        (1, 9) => 3,   // ㄱㅅ
        (4, 12) => 5,  // ㄴㅈ
        (4, 18) => 6,  // ㄴㅎ
        (8, 0) => 9,   // ㄹㄱ
        (8, 6) => 10,  // ㄹㅁ
        (8, 7) => 11,  // ㄹㅂ
        (8, 9) => 12,  // ㄹㅅ
        (8, 16) => 13, // ㄹㅌ
        (8, 17) => 14, // ㄹㅍ
        (8, 18) => 15, // ㄹㅎ
        (17, 9) => 18, // ㅂㅅ
        _ => return None,
    })
}

/// The finals a final can still grow into with one more consonant.
pub fn final_extensions(fin: u8) -> &'static [u8] {
    match fin {
        1 => &[3],
        4 => &[5, 6],
        8 => &[9, 10, 11, 12, 13, 14, 15],
        17 => &[18],
        _ => &[],
    }
}

/// How a final splits when a vowel follows: what stays (a final, 0 for
/// none) and the initial that moves to the next syllable. `None` for
/// finals that cannot begin a syllable.
pub fn split_final(fin: u8) -> Option<(u8, u8)> {
    // Clusters: the first letter stays, the second moves.
    let cluster = match fin {
        3 => Some((1, 9)),
        5 => Some((4, 12)),
        6 => Some((4, 18)),
        9 => Some((8, 0)),
        10 => Some((8, 6)),
        11 => Some((8, 7)),
        12 => Some((8, 9)),
        13 => Some((8, 16)),
        14 => Some((8, 17)),
        15 => Some((8, 18)),
        18 => Some((17, 9)),
        _ => None,
    };
    if cluster.is_some() {
        return cluster;
    }
    let initial = initial_of_jamo(final_jamo(fin)?)?;
    Some((0, initial))
}

/// The final a single consonant (by initial index) can be; ㄸ ㅃ ㅉ cannot.
pub fn final_of_initial(initial: u8) -> Option<u8> {
    final_of_jamo(initial_jamo(initial))
}

/// Conjoining jamo (U+1100…, as decomposed text and some input methods send
/// them) composed into syllables; conjoining letters left alone become the
/// compatibility letters a keyboard types. Everything else is unchanged.
pub fn normalize(s: &str) -> String {
    if !s.chars().any(is_conjoining) {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let after = chars.get(i + 2).copied();
        if let (Some(l), Some(v)) = (conj_initial(c), next.and_then(conj_medial)) {
            let t = after.and_then(conj_final);
            if let Some(s) = Syllable::new(l, v, t.unwrap_or(0)) {
                out.push(s.to_char());
                i += if t.is_some() { 3 } else { 2 };
                continue;
            }
        }
        // A precomposed syllable without a final, then a conjoining final.
        if let (Some(s), Some(t)) = (Syllable::of(c), next.and_then(conj_final)) {
            if s.fin == 0 {
                out.push(s.with_final(t).to_char());
                i += 2;
                continue;
            }
        }
        out.push(to_compat(c));
        i += 1;
    }
    out
}

fn is_conjoining(c: char) -> bool {
    ('\u{1100}'..='\u{11FF}').contains(&c)
}

fn conj_initial(c: char) -> Option<u8> {
    let n = u32::from(c).checked_sub(0x1100)?;
    (n < 19).then_some(n as u8)
}

fn conj_medial(c: char) -> Option<u8> {
    let n = u32::from(c).checked_sub(0x1161)?;
    (n < 21).then_some(n as u8)
}

fn conj_final(c: char) -> Option<u8> {
    let n = u32::from(c).checked_sub(0x11A8)?;
    (n < 27).then_some(n as u8 + 1)
}

/// A lone conjoining letter as the compatibility letter.
fn to_compat(c: char) -> char {
    if let Some(l) = conj_initial(c) {
        return initial_jamo(l);
    }
    if let Some(v) = conj_medial(c) {
        return medial_jamo(v).unwrap_or(c);
    }
    if let Some(t) = conj_final(c) {
        return final_jamo(t).unwrap_or(c);
    }
    c
}

/// The initial consonant of each syllable, other characters unchanged:
/// "대한민국" → "ㄷㅎㅁㄱ".
pub fn initials(s: &str) -> String {
    s.chars().map(initial_or_self).collect()
}

pub fn initial_or_self(c: char) -> char {
    Syllable::of(c).map_or(c, |s| initial_jamo(s.initial))
}

#[cfg(test)]
mod tests;

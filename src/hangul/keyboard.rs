//! The standard Korean 2-beolsik (두벌식) keyboard: what Latin letters were
//! meant to be when the keyboard was left in Latin mode ("tjdnf" is 서울).

use super::{
    combine_finals, combine_medials, final_of_initial, initial_jamo, initial_of_jamo, medial_jamo,
    medial_of_jamo, split_final, Syllable,
};

/// The letter a key types; Shift only changes QWERTOP (ㅃㅉㄸㄲㅆㅒㅖ).
pub fn jamo_of_key(k: char) -> Option<char> {
    Some(match k {
        'Q' => 'ㅃ',
        'W' => 'ㅉ',
        'E' => 'ㄸ',
        'R' => 'ㄲ',
        'T' => 'ㅆ',
        'O' => 'ㅒ',
        'P' => 'ㅖ',
        _ => match k.to_ascii_lowercase() {
            'q' => 'ㅂ',
            'w' => 'ㅈ',
            'e' => 'ㄷ',
            'r' => 'ㄱ',
            't' => 'ㅅ',
            'y' => 'ㅛ',
            'u' => 'ㅕ',
            'i' => 'ㅑ',
            'o' => 'ㅐ',
            'p' => 'ㅔ',
            'a' => 'ㅁ',
            's' => 'ㄴ',
            'd' => 'ㅇ',
            'f' => 'ㄹ',
            'g' => 'ㅎ',
            'h' => 'ㅗ',
            'j' => 'ㅓ',
            'k' => 'ㅏ',
            'l' => 'ㅣ',
            'z' => 'ㅋ',
            'x' => 'ㅌ',
            'c' => 'ㅊ',
            'v' => 'ㅍ',
            'b' => 'ㅠ',
            'n' => 'ㅜ',
            'm' => 'ㅡ',
            _ => return None,
        },
    })
}

/// The syllable being composed, as an input method holds it.
#[derive(Default)]
struct Composer {
    out: String,
    initial: Option<u8>,
    medial: Option<u8>,
    fin: u8,
}

impl Composer {
    fn flush(&mut self) {
        match (self.initial, self.medial) {
            (Some(l), Some(v)) => {
                if let Some(s) = Syllable::new(l, v, self.fin) {
                    self.out.push(s.to_char());
                }
            }
            (Some(l), None) => self.out.push(initial_jamo(l)),
            (None, Some(v)) => self.out.extend(medial_jamo(v)),
            (None, None) => {}
        }
        *self = Composer {
            out: std::mem::take(&mut self.out),
            ..Composer::default()
        };
    }

    fn consonant(&mut self, c: u8) {
        match (self.initial, self.medial) {
            (Some(_), Some(_)) if self.fin == 0 => {
                if let Some(f) = final_of_initial(c) {
                    self.fin = f;
                    return;
                }
            }
            (Some(_), Some(_)) => {
                if let Some(f) = combine_finals(self.fin, c) {
                    self.fin = f;
                    return;
                }
            }
            _ => {}
        }
        self.flush();
        self.initial = Some(c);
    }

    fn vowel(&mut self, v: u8) {
        match (self.initial, self.medial) {
            (Some(_), None) => self.medial = Some(v),
            (Some(_), Some(m)) if self.fin == 0 => match combine_medials(m, v) {
                Some(c) => self.medial = Some(c),
                None => {
                    self.flush();
                    self.medial = Some(v);
                }
            },
            (Some(_), Some(_)) => {
                // The final (or its second letter) begins the next syllable.
                let moved = split_final(self.fin);
                let (stays, next) = moved.unwrap_or((self.fin, u8::MAX));
                self.fin = stays;
                self.flush();
                if next != u8::MAX {
                    self.initial = Some(next);
                }
                self.medial = Some(v);
            }
            (None, Some(m)) => match combine_medials(m, v) {
                Some(c) => self.medial = Some(c),
                None => {
                    self.flush();
                    self.medial = Some(v);
                }
            },
            (None, None) => self.medial = Some(v),
        }
    }
}

/// What `keys` type on a 2-beolsik keyboard, composed as an input method
/// composes it; `None` when a key is not a letter.
pub fn type_keys(keys: &str) -> Option<String> {
    let mut c = Composer::default();
    for k in keys.chars() {
        if k == ' ' {
            c.flush();
            c.out.push(' ');
            continue;
        }
        let j = jamo_of_key(k)?;
        match (initial_of_jamo(j), medial_of_jamo(j)) {
            (Some(i), _) => c.consonant(i),
            (None, Some(v)) => c.vowel(v),
            _ => return None,
        }
    }
    c.flush();
    Some(c.out)
}

/// The Hangul a Latin query stands for when it was typed with the keyboard
/// in the wrong mode: only when it makes whole syllables (a lone consonant
/// may end it, as it does while typing) and does not look like a Latin word
/// itself. "tjdnf" → 서울, "dkssud" → 안녕; "seoul", "kimchi", "test" → none.
pub fn slip(q: &str) -> Option<String> {
    let letters: String = q.chars().filter(|c| !c.is_whitespace()).collect();
    if letters.len() < 2 || !letters.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    if plausible_latin(&letters) {
        return None;
    }
    let typed = type_keys(q.trim())?;
    clean(&typed).then_some(typed)
}

/// Whole syllables (and spaces), with at most a lone consonant at the end.
fn clean(s: &str) -> bool {
    let chars: Vec<char> = s.chars().filter(|c| *c != ' ').collect();
    let Some((last, head)) = chars.split_last() else {
        return false;
    };
    let syllable = |c: &char| Syllable::of(*c).is_some();
    head.iter().all(syllable)
        && (syllable(last) || (initial_of_jamo(*last).is_some() && !head.is_empty()))
}

/// Latin words carry vowels; Korean typed in Latin mode mostly does not
/// (its vowels sit on y u i o p h j k l b n m).
fn plausible_latin(letters: &str) -> bool {
    let lower = letters.to_ascii_lowercase();
    let vowels = lower.chars().filter(|c| "aeiouy".contains(*c)).count();
    vowels * 10 >= lower.len() * 3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_to_jamo() {
        assert_eq!(type_keys("rkskek").as_deref(), Some("가나다"));
        assert_eq!(type_keys("tjdnf").as_deref(), Some("서울"));
        assert_eq!(type_keys("dkssudgktpdy").as_deref(), Some("안녕하세요"));
        assert_eq!(type_keys("gksrnr").as_deref(), Some("한국"));
        assert_eq!(type_keys("rk1"), None);
    }

    #[test]
    fn shifted_keys() {
        // Q W E R T O P → ㅃ ㅉ ㄸ ㄲ ㅆ ㅒ ㅖ; other capitals are plain.
        assert_eq!(type_keys("Qkd").as_deref(), Some("빵"));
        assert_eq!(type_keys("Wkwkdaus").as_deref(), Some("짜장면"));
        assert_eq!(type_keys("Ekfrl").as_deref(), Some("딸기"));
        assert_eq!(type_keys("Rkcl").as_deref(), Some("까치"));
        assert_eq!(type_keys("goTek").as_deref(), Some("했다"));
        assert_eq!(type_keys("dO").as_deref(), Some("얘"));
        assert_eq!(type_keys("dP").as_deref(), Some("예"));
        assert_eq!(type_keys("TJDNF").as_deref(), Some("써울"));
        assert_eq!(type_keys("Dkssud").as_deref(), Some("안녕"));
    }

    #[test]
    fn composite_vowels_and_clusters() {
        assert_eq!(type_keys("dhk").as_deref(), Some("와"));
        assert_eq!(type_keys("dho").as_deref(), Some("왜"));
        assert_eq!(type_keys("dhl").as_deref(), Some("외"));
        assert_eq!(type_keys("dnj").as_deref(), Some("워"));
        assert_eq!(type_keys("dnp").as_deref(), Some("웨"));
        assert_eq!(type_keys("dnl").as_deref(), Some("위"));
        assert_eq!(type_keys("dml").as_deref(), Some("의"));
        // ㄺ holds until a vowel takes its second letter: 닭, 달가.
        assert_eq!(type_keys("ekfr").as_deref(), Some("닭"));
        assert_eq!(type_keys("ekfrk").as_deref(), Some("달가"));
        assert_eq!(type_keys("ekfrrkfql").as_deref(), Some("닭갈비"));
        assert_eq!(type_keys("djqt").as_deref(), Some("없"));
        assert_eq!(type_keys("djqtdj").as_deref(), Some("없어"));
        // ㄸ cannot close a syllable.
        assert_eq!(type_keys("rkE").as_deref(), Some("가ㄸ"));
        // Lone letters stay lone.
        assert_eq!(type_keys("k").as_deref(), Some("ㅏ"));
        assert_eq!(type_keys("rr").as_deref(), Some("ㄱㄱ"));
        assert_eq!(type_keys("hk").as_deref(), Some("ㅘ"));
    }

    #[test]
    fn slips_are_only_offered_when_they_make_sense() {
        assert_eq!(slip("tjdnf").as_deref(), Some("서울"));
        assert_eq!(slip("dkssud").as_deref(), Some("안녕"));
        assert_eq!(slip("tjdnfd").as_deref(), Some("서울ㅇ"));
        assert_eq!(slip("gksrnr").as_deref(), Some("한국"));
        assert_eq!(slip("eogksalsrnr").as_deref(), Some("대한민국"));
        assert_eq!(slip("tjdnf dmlrudnf").as_deref(), Some("서울 의겨울"));
        // Latin words, or not whole syllables.
        for q in [
            "seoul", "kimchi", "test", "music", "data", "dog", "k", "hello", "c++", "서울",
        ] {
            assert_eq!(slip(q), None, "{q}");
        }
    }
}

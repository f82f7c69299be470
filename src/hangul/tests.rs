use super::*;

#[test]
fn syllables_decompose_and_compose() {
    let s = Syllable::of('한').unwrap();
    assert_eq!((s.initial, s.medial, s.fin), (18, 0, 4));
    assert_eq!(s.to_char(), '한');
    assert_eq!(Syllable::of('가'), Syllable::new(0, 0, 0));
    assert_eq!(Syllable::of('힣'), Syllable::new(18, 20, 27));
    assert_eq!(Syllable::of('ㄱ'), None);
    assert_eq!(Syllable::of('a'), None);
    assert_eq!(Syllable::of('\u{D7A4}'), None);
    assert_eq!(Syllable::new(19, 0, 0), None);
    // Every syllable round-trips.
    for n in SYLLABLE_FIRST..=SYLLABLE_LAST {
        let c = char::from_u32(n).unwrap();
        assert_eq!(Syllable::of(c).unwrap().to_char(), c);
    }
}

#[test]
fn compatibility_letters() {
    assert_eq!(initial_of_jamo('ㄱ'), Some(0));
    assert_eq!(initial_of_jamo('ㄲ'), Some(1));
    assert_eq!(initial_of_jamo('ㅎ'), Some(18));
    assert_eq!(initial_of_jamo('ㄺ'), None);
    assert_eq!(initial_of_jamo('ㅏ'), None);
    assert_eq!(final_of_jamo('ㄺ'), Some(9));
    assert_eq!(final_of_jamo('ㅎ'), Some(27));
    assert_eq!(final_of_jamo('ㄸ'), None);
    assert_eq!(medial_of_jamo('ㅏ'), Some(0));
    assert_eq!(medial_of_jamo('ㅘ'), Some(9));
    assert_eq!(medial_of_jamo('ㅣ'), Some(20));
    assert_eq!(medial_of_jamo('ㄱ'), None);
    assert!(is_consonant_jamo('ㄳ') && !is_consonant_jamo('ㅏ'));
    for i in 0..INITIALS {
        assert_eq!(initial_of_jamo(initial_jamo(i)), Some(i));
        let (a, b) = initial_range(i);
        assert_eq!(Syllable::of(a).unwrap().initial, i);
        assert_eq!(Syllable::of(b).unwrap().initial, i);
        assert_eq!(u32::from(b) - u32::from(a), 587);
    }
    assert_eq!(initial_range(0), ('가', '깋'));
    // ㄸ ㅃ ㅉ never close a syllable.
    assert_eq!(final_of_initial(4), None);
    assert_eq!(final_of_initial(0), Some(1));
}

#[test]
fn double_finals_split_and_combine() {
    // 닭 = 달 + ㄱ.
    let dak = Syllable::of('닭').unwrap();
    let (stays, moves) = split_final(dak.fin).unwrap();
    assert_eq!(dak.with_final(stays).to_char(), '달');
    assert_eq!(initial_jamo(moves), 'ㄱ');
    assert_eq!(combine_finals(8, 0), Some(dak.fin));
    // Every cluster splits into letters that combine back.
    for fin in 1..FINALS {
        let Some((stays, moves)) = split_final(fin) else {
            continue;
        };
        if stays == 0 {
            assert_eq!(final_of_initial(moves), Some(fin));
        } else {
            assert_eq!(combine_finals(stays, moves), Some(fin), "{fin}");
            assert!(final_extensions(stays).contains(&fin));
        }
    }
    // A single final moves whole: 갔 + ㅏ = 가싸.
    assert_eq!(split_final(final_of_jamo('ㅆ').unwrap()), Some((0, 10)));
}

#[test]
fn composite_vowels() {
    let m = |c| medial_of_jamo(c).unwrap();
    for (a, b, c) in [
        ('ㅗ', 'ㅏ', 'ㅘ'),
        ('ㅗ', 'ㅐ', 'ㅙ'),
        ('ㅗ', 'ㅣ', 'ㅚ'),
        ('ㅜ', 'ㅓ', 'ㅝ'),
        ('ㅜ', 'ㅔ', 'ㅞ'),
        ('ㅜ', 'ㅣ', 'ㅟ'),
        ('ㅡ', 'ㅣ', 'ㅢ'),
    ] {
        assert_eq!(combine_medials(m(a), m(b)), Some(m(c)));
        assert!(medial_extensions(m(a)).contains(&m(c)));
    }
    assert_eq!(combine_medials(m('ㅏ'), m('ㅣ')), None);
    assert!(medial_extensions(m('ㅏ')).is_empty());
}

#[test]
fn conjoining_letters_normalize() {
    // Decomposed 한글, a lone conjoining initial, a syllable + final.
    assert_eq!(
        normalize("\u{1112}\u{1161}\u{11AB}\u{1100}\u{1173}\u{11AF}"),
        "한글"
    );
    assert_eq!(normalize("\u{1100}"), "ㄱ");
    assert_eq!(normalize("\u{1161}"), "ㅏ");
    assert_eq!(normalize("\u{11A8}"), "ㄱ");
    assert_eq!(normalize("서\u{11AF}"), "설");
    assert_eq!(normalize("서울 Seoul"), "서울 Seoul");
    assert_eq!(normalize("\u{1109}\u{1165}ㅇ"), "서ㅇ");
}

#[test]
fn initials_of_titles() {
    assert_eq!(initials("대한민국"), "ㄷㅎㅁㄱ");
    assert_eq!(initials("K팝 2002"), "Kㅍ 2002");
    assert_eq!(initials("ㄱ"), "ㄱ");
    assert_eq!(initial_or_self('까'), 'ㄲ');
}

use super::*;
use crate::hangul::typing::patterns;

struct List(Vec<String>);

impl Titles for List {
    fn count(&self) -> Result<u32> {
        Ok(self.0.len() as u32)
    }
    fn entry(&self, i: u32) -> Result<u32> {
        // Entry numbers unlike positions, as in an archive.
        Ok(i * 3 + 1)
    }
    fn title(&self, entry: u32) -> Result<String> {
        self.0
            .get((entry / 3) as usize)
            .cloned()
            .ok_or(IndexError::Bad("no such entry"))
    }
}

fn index(titles: &[&str]) -> (Arc<List>, TitleIndex) {
    let list = Arc::new(List(titles.iter().map(|s| s.to_string()).collect()));
    let ix = TitleIndex::build(list.clone(), &AtomicBool::new(false)).unwrap();
    (list, ix)
}

fn titles_in(list: &List, ix: &TitleIndex, order: Order, lo: u32, hi: u32) -> Vec<String> {
    (lo..hi)
        .map(|i| list.title(ix.entry(order, i).unwrap()).unwrap())
        .collect()
}

const TITLES: &[&str] = &[
    "대한민국",
    "대한민국 헌법",
    "대한제국",
    "대전의 전통 가옥",
    "서울 (도시)",
    "서울의 겨울",
    "서양",
    "Seoul",
    "SEOUL",
    "K-pop",
    "대한민국헌법/제10장 헌법개정",
    "도시 (서울)",
    "가",
];

#[test]
fn spacing_and_case_do_not_matter() {
    let (list, ix) = index(TITLES);
    let (lo, hi) = ix
        .range_prefix(Order::Folded, "대한민국".as_bytes())
        .unwrap();
    let got = titles_in(&list, &ix, Order::Folded, lo, hi);
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(got[0], "대한민국");
    let (lo, hi) = ix
        .range_prefix(Order::Folded, "서울의겨".as_bytes())
        .unwrap();
    assert_eq!(
        titles_in(&list, &ix, Order::Folded, lo, hi),
        ["서울의 겨울"]
    );
    let (lo, hi) = ix.range_prefix(Order::Folded, b"seoul").unwrap();
    assert_eq!(hi - lo, 2);
    let (lo, hi) = ix.range_prefix(Order::Folded, b"kpop").unwrap();
    assert_eq!(titles_in(&list, &ix, Order::Folded, lo, hi), ["K-pop"]);
}

#[test]
fn initials_and_words() {
    let (list, ix) = index(TITLES);
    let (lo, hi) = ix
        .range_prefix(Order::Initials, "ㄷㅎㅁㄱ".as_bytes())
        .unwrap();
    let mut got = titles_in(&list, &ix, Order::Initials, lo, hi);
    got.sort();
    assert_eq!(
        got,
        ["대한민국", "대한민국 헌법", "대한민국헌법/제10장 헌법개정"]
    );
    let (lo, hi) = ix.range_prefix(Order::Initials, "ㅅㅇ".as_bytes()).unwrap();
    let mut got = titles_in(&list, &ix, Order::Initials, lo, hi);
    got.sort();
    assert_eq!(got, ["서양", "서울 (도시)", "서울의 겨울"]);
    // Later words: 헌법 (after a space), 헌법개정 (after the slash and a
    // space), 서울 in parentheses, 겨울.
    let (lo, hi) = ix.range_prefix(Order::Words, "헌법".as_bytes()).unwrap();
    let mut got = titles_in(&list, &ix, Order::Words, lo, hi);
    got.sort();
    assert_eq!(got, ["대한민국 헌법", "대한민국헌법/제10장 헌법개정"]);
    let (lo, hi) = ix.range_prefix(Order::Words, "서울".as_bytes()).unwrap();
    assert_eq!(titles_in(&list, &ix, Order::Words, lo, hi), ["도시 (서울)"]);
}

#[test]
fn inside_words() {
    let titles = [
        "대한민국헌법",
        "국가보안법",
        "서울특별시",
        "헌법",
        "대한민국 헌법",
        "Football",
        "3호선",
    ];
    let (list, ix) = index(&titles);
    let inside = |q: &str| {
        let (lo, hi) = ix.range_prefix(Order::Inside, q.as_bytes()).unwrap();
        let mut got = titles_in(&list, &ix, Order::Inside, lo, hi);
        got.sort();
        got
    };
    // Inside a word only: 헌법 at a title's or a word's start is found by
    // the other orders.
    assert_eq!(inside("헌법"), ["대한민국헌법"]);
    assert_eq!(inside("보안법"), ["국가보안법"]);
    assert_eq!(inside("특별시"), ["서울특별시"]);
    assert_eq!(inside("호선"), ["3호선"]);
    assert_eq!(inside("민국"), ["대한민국 헌법", "대한민국헌법"]);
    // Latin words are not cut; a word's last syllable is not a place.
    assert!(inside("ball").is_empty());
    assert!(inside("법").is_empty());
    // At most MAX_INSIDE places a title, the first ones.
    let long = "가나다라마바사아자차카타파하";
    let (list, ix) = index(&[long]);
    assert_eq!(ix.len(Order::Inside) as usize, MAX_INSIDE);
    let (lo, hi) = ix.range_prefix(Order::Inside, "나다".as_bytes()).unwrap();
    assert_eq!(titles_in(&list, &ix, Order::Inside, lo, hi), [long]);
    let (lo, hi) = ix.range_prefix(Order::Inside, "파하".as_bytes()).unwrap();
    assert_eq!(hi, lo);
}

#[test]
fn composing_ranges_come_from_the_patterns() {
    let (list, ix) = index(TITLES);
    let mut got = Vec::new();
    for p in patterns("서우") {
        for r in p.key_ranges().unwrap() {
            let (lo, hi) = ix.range(Order::Folded, &r.lo, &r.hi).unwrap();
            got.extend(titles_in(&list, &ix, Order::Folded, lo, hi));
        }
    }
    assert_eq!(got, ["서울 (도시)", "서울의 겨울"]);
}

#[test]
fn bounded_memory_and_stop() {
    let (_, ix) = index(TITLES);
    // 4 bytes a title in two orders, 4 a later word, 2 for the first
    // letter; nothing cached before a lookup.
    let places = ix.len(Order::Words) + ix.len(Order::Inside);
    let lists = 4 * (2 * TITLES.len() + places as usize) + 2 * TITLES.len();
    assert_eq!(ix.bytes(), lists);
    ix.range_prefix(Order::Folded, "서".as_bytes()).unwrap();
    assert!(ix.bytes() > lists);
    let first = |q: &str| {
        let (lo, _) = ix
            .range_prefix(Order::Initials, initials(q).as_bytes())
            .unwrap();
        ix.initials_first(lo)
    };
    assert_eq!(first("대한민국"), Some('대'));
    assert_eq!(first("kpop"), Some('k'));
    let list = Arc::new(List(vec!["a".into(); 10]));
    assert!(matches!(
        TitleIndex::build(list, &AtomicBool::new(true)),
        Err(IndexError::Stopped)
    ));
}

#[test]
fn long_titles_and_queries() {
    let long = "가".repeat(40);
    let longer = format!("{long}나");
    let (list, ix) = index(&[&long, &longer, "가나"]);
    // A query longer than the compared keys finds both by their start.
    let q = format!("{long}나");
    let (lo, hi) = ix.range_prefix(Order::Folded, q.as_bytes()).unwrap();
    assert_eq!(titles_in(&list, &ix, Order::Folded, lo, hi).len(), 2);
    let (lo, hi) = ix.range_prefix(Order::Folded, "가나".as_bytes()).unwrap();
    assert_eq!(titles_in(&list, &ix, Order::Folded, lo, hi), ["가나"]);
}

#[test]
fn sorted_like_a_plain_sort() {
    let mut titles: Vec<String> = Vec::new();
    let syll = ['가', '나', '다', '한', '국', '서', '울', 'a', 'B', ' ', '-'];
    let mut x = 12345u64;
    for _ in 0..3000 {
        let mut t = String::new();
        for _ in 0..(1 + x % 7) {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            t.push(syll[(x >> 33) as usize % syll.len()]);
        }
        titles.push(t);
    }
    let refs: Vec<&str> = titles.iter().map(String::as_str).collect();
    let (list, ix) = index(&refs);
    let all = titles_in(&list, &ix, Order::Folded, 0, ix.len(Order::Folded));
    let keys: Vec<String> = all.iter().map(|t| folded_key(t)).collect();
    assert!(keys.windows(2).all(|w| w[0] <= w[1]));
    for q in ["가", "한국", "a", "b가", "서울"] {
        let (lo, hi) = ix.range_prefix(Order::Folded, q.as_bytes()).unwrap();
        let want = keys.iter().filter(|k| k.starts_with(q)).count() as u32;
        assert_eq!(hi - lo, want, "{q}");
        let inits = initials(q);
        let (lo, hi) = ix.range_prefix(Order::Initials, inits.as_bytes()).unwrap();
        let want = keys
            .iter()
            .filter(|k| initials(k).starts_with(&inits))
            .count() as u32;
        assert_eq!(hi - lo, want, "{q}");
    }
}

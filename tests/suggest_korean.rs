//! Suggestions as a Korean reader types them, on a bundle made by
//! `../shared/tools/make-bundle` with a seed the unit tests never saw: the
//! syllable being composed, initial consonants, spacing, a keyboard left in
//! Latin mode, and the order (exact title, prefix, later word, description;
//! main articles before redirects; one line per article; the page's
//! language first). Expectations come from the bundle's manifest.
//!
//! Needs python3 with libzim, pillow and reportlab, and ffmpeg (`.ci/run`
//! installs them); without them it prints `NOTICE: skipped` and passes.

mod common;

use common::made::{make_bundle, thread_cpu, Bundle};
use common::{start, Server};
use driveshelf::archive::ClusterCache;
use driveshelf::bundle::Catalog;
use driveshelf::lang::Lang;
use driveshelf::render::urls::query_escape;
use serde_json::Value;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

const SEED: &str = "11";

/// Made once per test binary.
fn bundle() -> Option<&'static Bundle> {
    static B: OnceLock<Option<Bundle>> = OnceLock::new();
    B.get_or_init(|| {
        let args = [
            "--articles",
            "300",
            "--pdfs",
            "0",
            "--audio",
            "0",
            "--videos",
            "2",
        ];
        let more = [
            "--video-seconds",
            "1",
            "--video-size",
            "64x36",
            "--seed",
            SEED,
        ];
        make_bundle("suggest-bundle", &[&args[..], &more].concat(), |dir| {
            // Pages of our own: a greeting (for the keyboard slip) and two
            // pages in different languages with titles of equal length.
            let pages = dir.join("pages");
            std::fs::create_dir_all(&pages)?;
            let page = |name: &str, title: &str, lang: &str| {
                let body = format!("---\ntitle: {title}\nlanguage: {lang}\n---\n\n# {title}\n");
                std::fs::write(pages.join(name), body)
            };
            page("greeting.md", "안녕하세요 여러분", "ko")?;
            page("guide.md", "Seoul Guide", "en")?;
            page("notes.md", "Seoul Notes", "ko")
        })
    })
    .as_ref()
}

fn server() -> Option<(&'static Bundle, &'static Server)> {
    static S: OnceLock<Option<Server>> = OnceLock::new();
    let b = bundle();
    if b.is_none() {
        eprintln!("NOTICE: skipped: no make-bundle (../shared) or its Python modules");
    }
    let b = b?;
    let s = S
        .get_or_init(|| {
            let s = start(&b.dir);
            // The initials/spacing index builds in the background after the
            // server listens; wait until 초성 answers (seconds at most here).
            let t0 = Instant::now();
            while titles(&s, "ㄷㅎㅁㄱ", "").is_empty() {
                assert!(t0.elapsed() < Duration::from_secs(60), "index never ready");
                std::thread::sleep(Duration::from_millis(20));
            }
            Some(s)
        })
        .as_ref()?;
    Some((b, s))
}

/// Suggestions (without the last "search the full text" line).
fn suggest(s: &Server, q: &str, extra: &str) -> Vec<Value> {
    let r = s.get(&format!(
        "/api/suggest?limit=10&q={}{extra}",
        query_escape(q)
    ));
    assert_eq!(r.status, 200);
    let v = r.json();
    v.as_array()
        .unwrap()
        .iter()
        .filter(|h| h["kind"] != "search")
        .cloned()
        .collect()
}

fn titles(s: &Server, q: &str, extra: &str) -> Vec<String> {
    suggest(s, q, extra)
        .iter()
        .map(|h| h["title"].as_str().unwrap().to_string())
        .collect()
}

/// Every article title and redirect of the bundle's archives, with whether
/// it is a redirect, from the manifest.
fn all_titles(b: &Bundle) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for z in b.manifest["zims"].as_array().unwrap() {
        for list in ["articles_list", "pages"] {
            for a in z[list].as_array().into_iter().flatten() {
                out.push((a["title"].as_str().unwrap().to_string(), false));
            }
        }
        for r in z["redirects"].as_array().into_iter().flatten() {
            let t = r["title"].as_str().or(r["path"].as_str()).unwrap();
            out.push((t.replace('_', " "), true));
        }
    }
    out
}

/// Initial consonants, written here independently of the code under test.
fn initials(s: &str) -> String {
    const L: [char; 19] = [
        'ㄱ', 'ㄲ', 'ㄴ', 'ㄷ', 'ㄸ', 'ㄹ', 'ㅁ', 'ㅂ', 'ㅃ', 'ㅅ', 'ㅆ', 'ㅇ', 'ㅈ', 'ㅉ', 'ㅊ',
        'ㅋ', 'ㅌ', 'ㅍ', 'ㅎ',
    ];
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .map(|c| match u32::from(c) {
            n @ 0xAC00..=0xD7A3 => L[((n - 0xAC00) / 588) as usize],
            _ => c,
        })
        .collect()
}

fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[test]
fn composing_syllable_and_lone_consonant() {
    let Some((_, s)) = server() else { return };
    for q in ["서우", "서ㅇ"] {
        let got = titles(s, q, "");
        assert!(got.iter().any(|t| t == "서울 (도시)"), "{q}: {got:?}");
        // The first starts with 서 and a syllable of ㅇ (+ ㅜ for 서우).
        let first: Vec<char> = got[0].chars().collect();
        assert_eq!(first[0], '서', "{q}: {got:?}");
        let n = u32::from(first[1]) - 0xAC00;
        assert_eq!(n / 588, 11, "{q}: {got:?}");
        if q == "서우" {
            assert!([13, 14, 15, 16].contains(&((n / 28) % 21)), "{got:?}");
        }
    }
}

#[test]
fn initial_consonants_and_mixed() {
    let Some((b, s)) = server() else { return };
    // The first is the shortest main article whose initials start so.
    let want = all_titles(b)
        .into_iter()
        .filter(|(t, redirect)| !redirect && initials(t).starts_with("ㄷㅎㅁㄱ"))
        .map(|(t, _)| t)
        .min_by_key(|t| (t.chars().count(), t.clone()))
        .unwrap();
    assert_eq!(want, "대한민국헌법");
    for q in ["ㄷㅎㅁㄱ", "대ㅎㅁㄱ", "대한ㅁㄱ", "대한 민국", "대한민국"] {
        let got = titles(s, q, "");
        assert_eq!(got.first(), Some(&want), "{q}: {got:?}");
        // Every article offered matches (files may follow by description).
        for h in suggest(s, q, "").iter().filter(|h| h["kind"] == "article") {
            let t = h["title"].as_str().unwrap();
            assert!(initials(t).starts_with("ㄷㅎㅁㄱ"), "{q}: {t}");
        }
    }
    // Main articles before redirects (the 제N조 redirects of the
    // constitution come after its chapters).
    let redirects: Vec<String> = b.manifest["zims"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|z| z["redirects"].as_array().cloned().unwrap_or_default())
        .map(|r| r["path"].as_str().unwrap().to_string())
        .collect();
    let got = suggest(s, "ㄷㅎㅁㄱ", "");
    let flags: Vec<bool> = got
        .iter()
        .map(|h| {
            let url = h["url"].as_str().unwrap();
            let path = url
                .strip_prefix("/content/")
                .unwrap()
                .split_once('/')
                .unwrap()
                .1;
            let path = percent_decode(path);
            redirects.contains(&path)
        })
        .collect();
    assert!(flags.windows(2).all(|w| !w[0] || w[1]), "{got:?} {flags:?}");
    assert!(
        flags.contains(&false) && flags.contains(&true),
        "{got:?} {flags:?}"
    );
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn spacing_does_not_decide() {
    let Some((_, s)) = server() else { return };
    let got = suggest(s, "서울의겨울", "");
    assert_eq!(got[0]["title"], "서울의 겨울", "{got:?}");
    assert_eq!(got[0]["kind"], "video");
    assert_eq!(titles(s, "서울의 겨울", "")[0], "서울의 겨울");
}

#[test]
fn keyboard_left_in_latin_mode() {
    let Some((_, s)) = server() else { return };
    let hangul = titles(s, "서울", "");
    let slip = titles(s, "tjdnf", "");
    // The same titles (descriptions are matched by the words typed).
    assert!(!slip.is_empty());
    assert_eq!(slip, hangul[..slip.len()]);
    assert_eq!(titles(s, "dkssud", "")[0], "안녕하세요 여러분");
    // A Latin word is not read as Hangul.
    assert!(titles(s, "kimchi", "")
        .iter()
        .all(|t| squash(t).contains("kimchi")));
}

#[test]
fn exact_title_first_then_titles_then_descriptions() {
    let Some((_, s)) = server() else { return };
    assert_eq!(titles(s, "가", "")[0], "가");
    // "seoul": the articles Seoul and SEOUL, never the film whose
    // description says "Winter in Seoul".
    let got = suggest(s, "seoul", "");
    let first: Vec<&str> = got[..2]
        .iter()
        .map(|h| h["title"].as_str().unwrap())
        .collect();
    assert!(
        first.contains(&"Seoul") && first.contains(&"SEOUL"),
        "{got:?}"
    );
    let film = got.iter().position(|h| h["kind"] == "video");
    let last_title = got
        .iter()
        .rposition(|h| squash(h["title"].as_str().unwrap()).contains("seoul"));
    assert!(film.is_some() && film > last_title, "{got:?}");
    // "헌법": every title holding the word before any description.
    let got = titles(s, "헌법", "");
    let holds: Vec<bool> = got.iter().map(|t| squash(t).contains("헌법")).collect();
    assert!(holds[0], "{got:?}");
    assert!(holds.windows(2).all(|w| w[0] || !w[1]), "{got:?}");
}

#[test]
fn one_line_per_article() {
    let Some((_, s)) = server() else { return };
    // 서울특별시 redirects to 서울 (도시); K팝 to K-pop.
    let got = titles(s, "서울", "");
    assert!(got.contains(&"서울 (도시)".to_string()), "{got:?}");
    assert!(!got.contains(&"서울특별시".to_string()), "{got:?}");
    let got = titles(s, "서울특별", "");
    assert_eq!(got.first().map(String::as_str), Some("서울특별시"));
    let got = titles(s, "k", "");
    assert!(got.contains(&"K-pop".to_string()) && !got.contains(&"K팝".to_string()));
    // Every line leads somewhere different.
    for q in ["서울", "ㄷㅎㅁㄱ", "k", "가"] {
        let urls: Vec<String> = suggest(s, q, "")
            .iter()
            .map(|h| h["url"].as_str().unwrap().to_string())
            .collect();
        let mut dedup = urls.clone();
        dedup.sort();
        dedup.dedup();
        assert_eq!(dedup.len(), urls.len(), "{q}");
    }
}

#[test]
fn page_language_first_within_a_rank() {
    let Some((_, s)) = server() else { return };
    let order = |lang: &str| {
        titles(s, "seoul ", &format!("&lang={lang}"))
            .into_iter()
            .filter(|t| t.starts_with("Seoul "))
            .collect::<Vec<_>>()
    };
    let en = order("en");
    let ko = order("ko");
    let pos = |v: &[String], t: &str| v.iter().position(|x| x == t).unwrap();
    assert!(pos(&en, "Seoul Guide") < pos(&en, "Seoul Notes"), "{en:?}");
    assert!(pos(&ko, "Seoul Notes") < pos(&ko, "Seoul Guide"), "{ko:?}");
}

#[test]
fn english_and_other_scripts_unchanged() {
    let Some((_, s)) = server() else { return };
    let got = titles(s, "kim", "");
    for t in ["Kimchi", "KIMCHI", "kimchi"] {
        assert!(got.contains(&t.to_string()), "{got:?}");
    }
    assert_eq!(titles(s, "大韓", "")[0], "大韓民國");
    assert_eq!(titles(s, "c++", "")[0], "C++");
    assert_eq!(titles(s, "ünï", "")[0], "Ünïcödé 문서");
}

/// Before the index is ready, suggestions keep to the archive's own title
/// list: plain prefixes and the syllable being composed.
#[test]
fn without_the_index_composing_still_works() {
    let Some(b) = bundle() else {
        eprintln!("NOTICE: skipped: no make-bundle");
        return;
    };
    let catalog = Catalog::build(&b.dir, Arc::new(ClusterCache::new(1 << 20)));
    let got = driveshelf::search::suggest(&catalog, None, None, "서우", 10, Lang::Ko);
    assert!(got.hits.iter().any(|h| h.title == "서울 (도시)"));
    let got = driveshelf::search::suggest(&catalog, None, None, "tjdnf", 10, Lang::Ko);
    assert!(got.hits.iter().any(|h| h.title == "서울 (도시)"));
    let got = driveshelf::search::suggest(&catalog, None, None, "가", 10, Lang::Ko);
    assert_eq!(got.hits[0].title, "가");
}

/// Service time of a suggestion, in process and without HTTP: wall and
/// thread CPU time per query kind, p50 and p99 (the CPU time leaves out
/// waiting for a core, which on a shared machine decides wrk's tails).
/// `bench/suggest` runs it with SUGGEST_BENCH_DIR (a bundle) and
/// SUGGEST_BENCH_QUERIES (lines of `kind<TAB>query`); it prints, it does not
/// judge.
#[test]
#[ignore]
fn service_time() {
    use driveshelf::titleindex::Indexes;
    let (Ok(dir), Ok(list)) = (
        std::env::var("SUGGEST_BENCH_DIR"),
        std::env::var("SUGGEST_BENCH_QUERIES"),
    ) else {
        eprintln!("NOTICE: skipped: SUGGEST_BENCH_DIR / SUGGEST_BENCH_QUERIES not set");
        return;
    };
    let catalog = Catalog::build(
        std::path::Path::new(&dir),
        Arc::new(ClusterCache::new(64 << 20)),
    );
    let indexes = Indexes::new(catalog.zims.len());
    indexes.build_now(
        catalog
            .zims
            .iter()
            .map(|z| z.archive.as_ref().ok().map(|a| (a.clone(), None)))
            .collect(),
    );
    let text = std::fs::read_to_string(list).unwrap();
    let mut kinds: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.lines() {
        let Some((kind, q)) = line.split_once('\t') else {
            continue;
        };
        match kinds.iter_mut().find(|(k, _)| k == kind) {
            Some((_, qs)) => qs.push(q.to_string()),
            None => kinds.push((kind.to_string(), vec![q.to_string()])),
        }
    }
    let pct = |v: &mut Vec<f64>, p: f64| {
        v.sort_by(|a, b| a.total_cmp(b));
        v[((v.len() - 1) as f64 * p).round() as usize]
    };
    for (kind, qs) in &kinds {
        let (mut wall, mut cpu) = (Vec::new(), Vec::new());
        for round in 0..6 {
            for q in qs {
                let (t0, c0) = (Instant::now(), thread_cpu());
                let r = driveshelf::search::suggest(&catalog, Some(&indexes), None, q, 9, Lang::Ko);
                let (t1, c1) = (t0.elapsed(), thread_cpu());
                std::hint::black_box(r);
                // The first round warms the page cache and the search trees.
                if round > 0 {
                    wall.push(t1.as_secs_f64() * 1000.0);
                    cpu.push((c1 - c0) * 1000.0);
                }
            }
        }
        println!(
            "SERVICE\t{kind}\t{:.3}\t{:.3}\t{:.3}\t{:.3}",
            pct(&mut wall, 0.5),
            pct(&mut wall, 0.99),
            pct(&mut cpu, 0.5),
            pct(&mut cpu, 0.99)
        );
    }
}

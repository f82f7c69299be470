//! Suggestions that find a query inside the words of archive titles (Korean
//! compounds have no spaces: 특별시 in 서울특별시), ranked below titles that
//! start with it and titles with a later word that does; on a bundle made by
//! `../shared/tools/make-bundle` with a seed no other test uses.
//! Expectations are computed here from the bundle's manifest, apart from the
//! code under test.
//!
//! Needs python3 with libzim (`.ci/run` installs it); without it it prints
//! `NOTICE: skipped` and passes.

mod common;

use common::{shared, start, temp_dir, Server};
use driveshelf::render::urls::query_escape;
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const SEED: &str = "29";

pub struct Bundle {
    pub dir: PathBuf,
    pub manifest: Value,
}

/// Made once per test binary; tests that write into a bundle copy it.
pub fn bundle() -> Option<&'static Bundle> {
    static B: OnceLock<Option<Bundle>> = OnceLock::new();
    B.get_or_init(|| {
        let tool = shared()?.join("tools/make-bundle");
        let root = temp_dir("titles-bundle");
        let dir = root.join("drive");
        let manifest = root.join("manifest.json");
        let out = Command::new("python3")
            .arg(&tool)
            .arg(&dir)
            .args(["--articles", "400", "--pdfs", "0", "--audio", "0"])
            .args(["--videos", "0", "--seed", SEED, "--manifest"])
            .arg(&manifest)
            .output()
            .ok()?;
        if !out.status.success() {
            eprintln!(
                "NOTICE: skipped: make-bundle failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            return None;
        }
        let manifest = serde_json::from_slice(&std::fs::read(&manifest).ok()?).ok()?;
        Some(Bundle { dir, manifest })
    })
    .as_ref()
}

fn server() -> Option<(&'static Bundle, &'static Server)> {
    static S: OnceLock<Option<Server>> = OnceLock::new();
    let Some(b) = bundle() else {
        eprintln!("NOTICE: skipped: no make-bundle (../shared) or its Python modules");
        return None;
    };
    let s = S
        .get_or_init(|| {
            let s = start(&b.dir);
            wait_ready(&s);
            Some(s)
        })
        .as_ref()?;
    Some((b, s))
}

/// Until the background index is built (seconds at most here).
fn wait_ready(s: &Server) {
    let t0 = Instant::now();
    while s.get("/api/whoami").json()["suggest_index"]["ready_ms"].is_null() {
        assert!(t0.elapsed() < Duration::from_secs(60), "index never ready");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Article suggestions' titles, best first.
fn articles(s: &Server, q: &str) -> Vec<String> {
    let r = s.get(&format!("/api/suggest?limit=10&q={}", query_escape(q)));
    assert_eq!(r.status, 200);
    r.json()
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["kind"] == "article")
        .map(|h| h["title"].as_str().unwrap().to_string())
        .collect()
}

/// Lower case, letters and digits only.
fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn words(t: &str) -> Vec<String> {
    t.split(|c: char| !c.is_alphanumeric())
        .map(squash)
        .filter(|w| !w.is_empty())
        .collect()
}

fn is_syllable(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

/// How `title` answers `q`, best first: 0 exact, 1 starts with it, 2 a
/// later word starts with it, 3 inside a word, 4 not in the title.
fn class(title: &str, q: &str) -> u8 {
    let (t, q) = (squash(title), squash(q));
    // Where each later word starts in the squashed title.
    let mut later = Vec::new();
    let mut off = 0;
    for (i, w) in words(title).iter().enumerate() {
        if i > 0 {
            later.push(off);
        }
        off += w.len();
    }
    if t == q {
        0
    } else if t.starts_with(&q) {
        1
    } else if later.iter().any(|&at| t[at..].starts_with(&q)) {
        2
    } else if t.contains(&q) {
        3
    } else {
        4
    }
}

/// [`class`], where a title the query's last syllable may still become
/// (하도 → 하되…, 보장 → 보자어…: the syllable being composed) counts by
/// the query without it; `None` for a one-syllable query that is not in it.
fn loose_class(title: &str, q: &str) -> Option<u8> {
    let c = class(title, q);
    if c < 4 {
        return Some(c);
    }
    let stem: String = q.chars().take(q.chars().count() - 1).collect();
    (!stem.is_empty()).then(|| class(title, &stem))
}

/// (title, redirect) for every title of the bundle's archive.
fn all_titles(b: &Bundle) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for z in b.manifest["zims"].as_array().unwrap() {
        for a in z["articles_list"].as_array().into_iter().flatten() {
            out.push((a["title"].as_str().unwrap().to_string(), false));
        }
        for r in z["redirects"].as_array().into_iter().flatten() {
            let t = r["title"].as_str().or(r["path"].as_str()).unwrap();
            out.push((t.replace('_', " "), true));
        }
    }
    out
}

/// Queries of two syllables taken from inside a word of a main article
/// (its third and fourth syllables) that no title starts with, no later
/// word starts with, and only a few main articles (no redirect) hold within
/// a word —
/// with those articles.
fn inside_probes(b: &Bundle) -> Vec<(String, Vec<String>)> {
    let all = all_titles(b);
    let mut probes: Vec<(String, Vec<String>)> = Vec::new();
    for (t, redirect) in &all {
        // Short titles: the index keeps the first places of a title only.
        if *redirect || squash(t).chars().count() > 10 {
            continue;
        }
        for w in words(t) {
            let w: Vec<char> = w.chars().collect();
            if w.len() < 5 || !w.iter().all(|&c| is_syllable(c)) {
                continue;
            }
            let q: String = w[2..4].iter().collect();
            if probes.iter().any(|(p, _)| *p == q) {
                continue;
            }
            let holders: Vec<&(String, bool)> =
                all.iter().filter(|(x, _)| squash(x).contains(&q)).collect();
            // (Across two words, from a word's last syllable, is not
            // looked for: 할공 in 징계할 공원.)
            if holders.len() > 5
                || holders.iter().any(|(x, r)| {
                    *r || class(x, &q) < 3 || !words(x).iter().any(|w| w.contains(&q))
                })
            {
                continue;
            }
            let mut want: Vec<String> = holders.iter().map(|(x, _)| x.clone()).collect();
            want.sort_by_key(|x| (x.chars().count(), x.clone()));
            probes.push((q, want));
        }
    }
    probes
}

#[test]
fn found_inside_a_word() {
    let Some((b, s)) = server() else { return };
    let probes = inside_probes(b);
    assert!(probes.len() >= 10, "{probes:?}");
    for (q, want) in &probes {
        // Titles that start with it as the last syllable may still become
        // it rank above (하도 → 하되…); then those holding it inside a word
        // (or what it may still become: 당하 → 부당한), shorter first.
        let got = articles(s, q);
        let classes: Vec<u8> = got.iter().map(|t| loose_class(t, q).unwrap()).collect();
        assert!(classes.windows(2).all(|w| w[0] <= w[1]), "{q}: {got:?}");
        let inside: Vec<&String> = got
            .iter()
            .filter(|t| loose_class(t, q) == Some(3))
            .collect();
        for t in want {
            assert!(inside.contains(&t), "{q}: {t} not in {got:?}");
        }
        let mut sorted = inside.clone();
        sorted.sort_by_key(|t| (t.chars().count(), t.to_string()));
        assert_eq!(inside, sorted, "{q}");
    }
    // A redirect found inside its word (서울특별시 → 서울 (도시)): one line.
    assert_eq!(articles(s, "특별시"), ["서울특별시"]);
    assert_eq!(articles(s, "특별"), ["서울특별시"]);
}

#[test]
fn ranked_exact_prefix_word_inside() {
    let Some((b, s)) = server() else { return };
    // Every title the archive holds a query in, by class: what is offered
    // keeps that order, and an inside match is offered when fewer than ten
    // rank above it.
    let all = all_titles(b);
    let mut mixed = 0;
    for q in ["헌법", "개정", "장기", "강의", "보장", "서울", "kimchi"] {
        let got = articles(s, q);
        let classes: Vec<u8> = got.iter().filter_map(|t| loose_class(t, q)).collect();
        assert!(classes.iter().all(|&c| c < 4), "{q}: {got:?}");
        assert!(
            classes.windows(2).all(|w| w[0] <= w[1]),
            "{q}: {got:?} {classes:?}"
        );
        let above = all.iter().filter(|(t, _)| class(t, q) < 3).count();
        let inside = all.iter().filter(|(t, _)| class(t, q) == 3).count();
        if above < 5 && inside > 0 {
            assert!(classes.contains(&3), "{q}: {got:?}");
        }
        if classes.contains(&3) && classes.iter().any(|&c| c < 3) {
            mixed += 1;
        }
    }
    assert!(mixed >= 1, "no query mixed classes");
}

/// The suggestion index at scale, in process: its size, build time and
/// peak memory, and the time of one suggestion's index work (the ranges of
/// every order and the titles of the entries read) per query kind.
/// SUGGEST_SCALE_ZIM names an archive; SUGGEST_SCALE_COPIES=k lists each of
/// its titles k times ("서울", "서울 2", …), e.g. 7 to bring a
/// 200,000-article archive (220,145 titles) to Korean Wikipedia's 1.5
/// million. `bench/suggest --scale` runs it. It prints, it does not judge.
#[test]
#[ignore]
fn index_scale() {
    use driveshelf::archive::{Archive, ClusterCache};
    use driveshelf::titleindex::{IndexError, Order, TitleIndex, Titles};
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;

    struct Copies {
        a: Archive,
        n: u32,
        k: u32,
    }
    impl Titles for Copies {
        fn count(&self) -> Result<u32, IndexError> {
            Ok(self.n * self.k)
        }
        fn entry(&self, i: u32) -> Result<u32, IndexError> {
            Ok(i)
        }
        fn title(&self, e: u32) -> Result<String, IndexError> {
            let bad = |e: driveshelf::archive::ArchiveError| IndexError::Read(e.to_string());
            let t = self
                .a
                .entry_title(self.a.title_entry(e % self.n).map_err(bad)?)
                .map_err(bad)?;
            Ok(match e / self.n {
                0 => t,
                c => format!("{t} {}", c + 1),
            })
        }
    }
    let Ok(zim) = std::env::var("SUGGEST_SCALE_ZIM") else {
        eprintln!("NOTICE: skipped: SUGGEST_SCALE_ZIM not set");
        return;
    };
    let k: u32 = std::env::var("SUGGEST_SCALE_COPIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let a = Archive::open(
        std::path::Path::new(&zim),
        Arc::new(ClusterCache::new(64 << 20)),
    )
    .expect("archive opens");
    let n = a.title_count().unwrap();
    let titles = Arc::new(Copies { a, n, k });
    let rss_before = status_kib("VmRSS");
    let t0 = Instant::now();
    let ix = TitleIndex::build(titles.clone(), &AtomicBool::new(false)).unwrap();
    let build = t0.elapsed();
    let peak = status_kib("VmHWM");
    let rss_after = status_kib("VmRSS");
    let total = ix.len(Order::Folded);
    println!(
        "SCALE\ttitles {total}\tbuild {:.2} s\tindex {} bytes = {:.1} bytes/title \
         (words {}, inside {})\tRSS {} → {} KiB, peak {} KiB",
        build.as_secs_f64(),
        ix.bytes(),
        ix.bytes() as f64 / f64::from(total),
        ix.len(Order::Words),
        ix.len(Order::Inside),
        rss_before,
        rss_after,
        peak,
    );
    // Queries drawn from the titles: two syllables at a title's start,
    // inside a word, and the initials of three.
    let mut x = 7u64;
    let mut next = |m: u32| {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((x >> 33) % u64::from(m)) as u32
    };
    let (mut starts, mut insides, mut inits) = (Vec::new(), Vec::new(), Vec::new());
    while starts.len() < 200 || insides.len() < 200 {
        let t: Vec<char> = squash(&titles.title(next(n)).unwrap()).chars().collect();
        if t.len() < 4 || !t[..4].iter().all(|&c| is_syllable(c)) {
            continue;
        }
        starts.push(t[..2].iter().collect::<String>());
        insides.push(t[2..4].iter().collect::<String>());
        inits.push(driveshelf::hangul::initials(
            &t[..3].iter().collect::<String>(),
        ));
    }
    let lookup = |order: Order, q: &str| {
        let (lo, hi) = ix.range_prefix(order, q.as_bytes()).unwrap();
        for i in lo..hi.min(lo + 16) {
            std::hint::black_box(titles.title(ix.entry(order, i).unwrap()).unwrap());
        }
    };
    let kinds: [(&str, &[String], &[Order]); 3] = [
        ("prefix", &starts, &[Order::Folded]),
        (
            "inside",
            &insides,
            &[Order::Folded, Order::Words, Order::Inside],
        ),
        ("initials", &inits, &[Order::Initials]),
    ];
    for (kind, qs, orders) in kinds {
        let mut wall = Vec::new();
        for round in 0..6 {
            for q in qs {
                let t0 = Instant::now();
                for &o in orders {
                    lookup(o, q);
                }
                if round > 0 {
                    wall.push(t0.elapsed().as_secs_f64() * 1000.0);
                }
            }
        }
        wall.sort_by(|a, b| a.total_cmp(b));
        let pct = |p: f64| wall[((wall.len() - 1) as f64 * p).round() as usize];
        println!(
            "SCALE\t{kind}\tp50 {:.3} ms\tp99 {:.3} ms",
            pct(0.5),
            pct(0.99)
        );
    }
}

/// A field of /proc/self/status in KiB (0 where there is none).
fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

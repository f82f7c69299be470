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

use common::made::{make_bundle, thread_cpu, Bundle};
use common::{start, temp_dir, Server};
use driveshelf::render::urls::query_escape;
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const SEED: &str = "29";

/// Made once per test binary; tests that write into a bundle copy it.
pub fn bundle() -> Option<&'static Bundle> {
    static B: OnceLock<Option<Bundle>> = OnceLock::new();
    B.get_or_init(|| {
        let args = ["--articles", "400", "--pdfs", "0", "--audio", "0"];
        let args = [&args[..], &["--videos", "0", "--seed", SEED]].concat();
        make_bundle("titles-bundle", &args, |dir| {
            // A page whose title says nothing Korean: found by its words only.
            let pages = dir.join("pages");
            std::fs::create_dir_all(&pages)?;
            std::fs::write(
                pages.join("visitors.md"),
                "---\ntitle: Visitor notes\n---\n\n방문객에게 드리는 인사말입니다.\n",
            )
        })
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

/// Every suggestion's (title, kind), best first.
fn all_kinds(s: &Server, q: &str) -> Vec<(String, String)> {
    let r = s.get(&format!("/api/suggest?limit=10&q={}", query_escape(q)));
    r.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let f = |k: &str| h[k].as_str().unwrap_or_default().to_string();
            (f("title"), f("kind"))
        })
        .collect()
}

#[test]
fn keyboard_slip_finds_descriptions_too() {
    let Some((_, s)) = server() else { return };
    let page = ("Visitor notes".to_string(), "page".to_string());
    // 인사말 typed as is, and with the keyboard left in Latin mode.
    assert!(all_kinds(s, "인사말").contains(&page));
    let got = all_kinds(s, "dlstkakf");
    assert!(got.contains(&page), "{got:?}");
    assert!(!all_kinds(s, "dlstkakfx").contains(&page));
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
/// million:
///
/// SUGGEST_SCALE_ZIM=a.zim SUGGEST_SCALE_COPIES=7 cargo test --release \
///     --test suggest_titles -- --ignored --nocapture index_scale
///
/// It prints, it does not judge. Wall and thread CPU time per query (the
/// CPU time leaves out waiting for a core on a shared machine).
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
        let (mut wall, mut cpu) = (Vec::new(), Vec::new());
        for round in 0..6 {
            for q in qs {
                let (t0, c0) = (Instant::now(), thread_cpu());
                for &o in orders {
                    lookup(o, q);
                }
                // The first round warms the page cache and the trees.
                if round > 0 {
                    wall.push(t0.elapsed().as_secs_f64() * 1000.0);
                    cpu.push((thread_cpu() - c0) * 1000.0);
                }
            }
        }
        let pct = |v: &mut Vec<f64>, p: f64| {
            v.sort_by(|a, b| a.total_cmp(b));
            v[((v.len() - 1) as f64 * p).round() as usize]
        };
        println!(
            "SCALE\t{kind}\twall p50 {:.3} ms\tp99 {:.3} ms\tCPU p50 {:.3} ms\tp99 {:.3} ms",
            pct(&mut wall, 0.5),
            pct(&mut wall, 0.99),
            pct(&mut cpu, 0.5),
            pct(&mut cpu, 0.99)
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

/// A copy of the bundle in a folder of its own, for tests that write.
fn copy_of_bundle(name: &str) -> Option<(&'static Bundle, PathBuf)> {
    let b = bundle()?;
    let to = temp_dir(name).join("drive");
    let mut stack = vec![(b.dir.clone(), to.clone())];
    while let Some((from, to)) = stack.pop() {
        std::fs::create_dir_all(&to).unwrap();
        for e in std::fs::read_dir(&from).unwrap().flatten() {
            if e.file_type().unwrap().is_dir() {
                stack.push((e.path(), to.join(e.file_name())));
            } else {
                std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
            }
        }
    }
    Some((b, to))
}

fn prepare(dir: &std::path::Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_driveshelf"))
        .arg("prepare")
        .arg(dir)
        .output()
        .expect("driveshelf runs");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

/// The title index files `prepare` wrote, by name.
fn stored_indexes(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir.join(".driveshelf/titles"))
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// `check --json`'s findings on the title indexes: (path, code).
fn title_findings(dir: &std::path::Path) -> Vec<(String, String)> {
    let out = Command::new(env!("CARGO_BIN_EXE_driveshelf"))
        .args(["check", "--json", "--quick"])
        .arg(dir)
        .output()
        .expect("driveshelf runs");
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["path"]
                .as_str()
                .unwrap()
                .starts_with(".driveshelf/titles/")
        })
        .map(|e| {
            (
                e["path"].as_str().unwrap().to_string(),
                e["findings"][0]["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Queries of each kind the index answers, with a title each must offer.
fn index_probes(b: &Bundle) -> Vec<(String, String)> {
    let mut out = vec![("특별시".to_string(), "서울특별시".to_string())];
    // Initials of a main article, and the same without its spaces.
    let all = all_titles(b);
    let (t, _) = all
        .iter()
        .filter(|(t, r)| !r && t.contains(' ') && t.chars().all(|c| c == ' ' || is_syllable(c)))
        .min_by_key(|(t, _)| (t.chars().count(), t.clone()))
        .unwrap();
    let initials: String = t
        .chars()
        .filter(|&c| c != ' ')
        .map(|c| {
            const L: &str = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ";
            L.chars()
                .nth(((u32::from(c) - 0xAC00) / 588) as usize)
                .unwrap()
        })
        .collect();
    out.push((initials, t.clone()));
    out.push((t.replace(' ', ""), t.clone()));
    // Inside a word.
    let (q, want) = inside_probes(b).into_iter().next().unwrap();
    out.push((q, want[0].clone()));
    out
}

fn answers(s: &Server, probes: &[(String, String)]) {
    for (q, want) in probes {
        let got = articles(s, q);
        assert!(got.contains(want), "{q}: {want} not in {got:?}");
    }
}

#[test]
fn prepared_drive_answers_at_once() {
    let Some((b, d)) = copy_of_bundle("titles-prepared") else {
        eprintln!("NOTICE: skipped: no make-bundle");
        return;
    };
    let zims = b.manifest["zims"].as_array().unwrap().len();
    let (code, out) = prepare(&d);
    assert_eq!(code, 0, "{out}");
    let files = stored_indexes(&d);
    assert_eq!(files.len(), zims, "{out}");
    assert!(
        files[0].to_string_lossy().ends_with(".zim.titles"),
        "{files:?}"
    );
    assert!(out.contains(".driveshelf/titles/wikipedia~"), "{out}");
    assert!(title_findings(&d)
        .iter()
        .all(|(_, c)| c == "title_index_ok"));
    // The first requests already have every kind of suggestion: the
    // indexes are read from the drive, none is built.
    let s = start(&d);
    let probes = index_probes(b);
    answers(&s, &probes);
    let ix = &s.get("/api/whoami").json()["suggest_index"];
    assert_eq!(ix["from_drive"], zims, "{ix}");
    assert_eq!(ix["built"], 0, "{ix}");
    wait_ready(&s);
    assert_eq!(s.get("/api/whoami").json()["suggest_index"]["built"], 0);
    drop(s);

    // Run twice: nothing rewritten.
    let before: Vec<_> = files
        .iter()
        .map(|f| {
            (
                std::fs::read(f).unwrap(),
                std::fs::metadata(f).unwrap().modified().unwrap(),
            )
        })
        .collect();
    let (code, out) = prepare(&d);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("unchanged"), "{out}");
    let after: Vec<_> = files
        .iter()
        .map(|f| {
            (
                std::fs::read(f).unwrap(),
                std::fs::metadata(f).unwrap().modified().unwrap(),
            )
        })
        .collect();
    assert!(
        before == after,
        "prepare wrote an unchanged title index again"
    );
    assert_eq!(stored_indexes(&d), files, "no temporary file left");
}

#[test]
fn stale_or_cut_index_is_ignored_and_rebuilt() {
    let Some((b, d)) = copy_of_bundle("titles-stale") else {
        eprintln!("NOTICE: skipped: no make-bundle");
        return;
    };
    let zims = b.manifest["zims"].as_array().unwrap().len();
    assert!(title_findings(&d)
        .iter()
        .all(|(_, c)| c == "title_index_missing"));
    assert_eq!(prepare(&d).0, 0);
    let files = stored_indexes(&d);
    let good: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    let probes = index_probes(b);
    // Made for another archive (its UUID), or cut short.
    type Spoil = fn(&mut Vec<u8>);
    let spoil: [(&str, Spoil); 2] = [
        ("title_index_stale", |v| v[8] ^= 0xFF),
        ("title_index_damaged", |v| v.truncate(v.len() / 2)),
    ];
    for (code, spoil) in spoil {
        for (f, g) in files.iter().zip(&good) {
            let mut v = g.clone();
            spoil(&mut v);
            std::fs::write(f, v).unwrap();
        }
        assert!(
            title_findings(&d).iter().all(|(_, c)| c == code),
            "{code}: {:?}",
            title_findings(&d)
        );
        let s = start(&d);
        wait_ready(&s);
        let ix = &s.get("/api/whoami").json()["suggest_index"];
        assert_eq!(
            (&ix["from_drive"], &ix["built"]),
            (&0.into(), &zims.into()),
            "{ix}"
        );
        answers(&s, &probes);
        drop(s);
        // prepare writes it again.
        let (c, out) = prepare(&d);
        assert_eq!(c, 0, "{out}");
        assert!(out.contains("updated"), "{out}");
        for (f, g) in files.iter().zip(&good) {
            assert!(
                std::fs::read(f).unwrap() == *g,
                "{code}: rewritten the same"
            );
        }
    }
    // A file by that name that is not ours: left alone, and said.
    std::fs::write(&files[0], "someone's notes").unwrap();
    let (c, out) = prepare(&d);
    assert_eq!(c, 1, "{out}");
    assert!(out.contains("not written by driveshelf"), "{out}");
    assert_eq!(std::fs::read(&files[0]).unwrap(), b"someone's notes");
    let s = start(&d);
    wait_ready(&s);
    answers(&s, &probes);
}

//! Query latency on a large archive (not run by default):
//!   FULLTEXT_BENCH_ZIM=/tmp/big/wikipedia/x.zim \
//!   cargo test --release --test fulltext_latency -- --ignored --nocapture
//! Queries come from an oracle fixture (FULLTEXT_BENCH_QUERIES), from text
//! files of one query a line (FULLTEXT_BENCH_LISTS=a.txt,b.txt: timed per
//! file), or a small built-in list of common and rare Korean and English
//! words. FULLTEXT_BENCH_DUMP=out.txt writes every query's total and top 25
//! (path and the score's bits) to compare rankings before and after a change.
//! FULLTEXT_BENCH_SNIPPETS=1 also times reading the hits' articles and their
//! snippets, as the results page does; FULLTEXT_BENCH_CACHE_MIB sets the
//! index's block cache.

mod common;

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use driveshelf::archive::{Archive, ClusterCache};
use driveshelf::fulltext::{snippet, Index};

fn builtin() -> Vec<String> {
    [
        "법률",
        "대한민국",
        "수달",
        "서울 특별시",
        "1",
        "kimchi",
        "무지개송어",
        "국가 법률 관한",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn query_sets() -> Vec<(String, Vec<String>)> {
    if let Ok(path) = std::env::var("FULLTEXT_BENCH_QUERIES") {
        let f: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let qs = f["queries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| q["q"].as_str().unwrap().to_string())
            .collect();
        return vec![(path, qs)];
    }
    if let Ok(lists) = std::env::var("FULLTEXT_BENCH_LISTS") {
        return lists
            .split(',')
            .map(|p| {
                let qs = std::fs::read_to_string(p)
                    .unwrap()
                    .lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(str::to_string)
                    .collect();
                (p.to_string(), qs)
            })
            .collect();
    }
    vec![("built-in".to_string(), builtin())]
}

fn pct(times: &mut [f64], p: f64) -> f64 {
    times.sort_by(f64::total_cmp);
    times[((times.len() - 1) as f64 * p).round() as usize]
}

#[test]
#[ignore]
fn latency() {
    let Ok(zim) = std::env::var("FULLTEXT_BENCH_ZIM") else {
        eprintln!("set FULLTEXT_BENCH_ZIM");
        return;
    };
    let opened = common::open_fulltext(Path::new(&zim)).expect("index");
    let index = match std::env::var("FULLTEXT_BENCH_CACHE_MIB") {
        Ok(mib) => Index::open_with_cache(
            opened.index,
            &opened.language,
            mib.parse::<usize>().unwrap() << 20,
        ),
        Err(_) => Index::open(opened.index, &opened.language),
    }
    .unwrap();
    let archive = Archive::open(Path::new(&zim), Arc::new(ClusterCache::new(64 << 20))).unwrap();
    let with_snippets = std::env::var("FULLTEXT_BENCH_SNIPPETS").is_ok();
    let sets = query_sets();
    if let Ok(one) = std::env::var("FULLTEXT_BENCH_ONE") {
        for limit in [0usize, 25] {
            let t = Instant::now();
            let r = index.search(&one, 0, limit).unwrap();
            eprintln!(
                "{one:?} limit {limit}: {} hits in {:?}",
                r.total,
                t.elapsed()
            );
        }
    }
    if let Ok(path) = std::env::var("FULLTEXT_BENCH_DUMP") {
        let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
        for (_, queries) in &sets {
            for q in queries {
                let r = index.search(q, 0, 25).unwrap();
                writeln!(out, "{q}\t{}", r.total).unwrap();
                for h in &r.hits {
                    writeln!(out, "  {}\t{:016x}", h.path, h.score.to_bits()).unwrap();
                }
            }
        }
    }
    for pass in ["first", "second"] {
        for (name, queries) in &sets {
            let mut times = Vec::new();
            let mut snippet_times = Vec::new();
            let mut worst = (0.0, String::new(), 0);
            for q in queries {
                let t = Instant::now();
                let r = index.search(q, 0, 25).unwrap();
                let ms = t.elapsed().as_secs_f64() * 1000.0;
                if ms > worst.0 {
                    worst = (ms, q.clone(), r.total);
                }
                times.push(ms);
                if with_snippets {
                    let t = Instant::now();
                    let terms = index.query_terms(q);
                    for h in &r.hits {
                        let path = index.entry_path(&h.path, archive.has_new_namespace_scheme());
                        if let Some(i) = archive.find_user_path(path).ok().flatten() {
                            if let Ok((_, d)) = archive.resolve(i) {
                                if let Ok(b) = archive.blob(&d) {
                                    let html = b.read_all().unwrap_or_default();
                                    std::hint::black_box(snippet(&html, &terms, 220));
                                }
                            }
                        }
                    }
                    snippet_times.push(t.elapsed().as_secs_f64() * 1000.0);
                }
            }
            let (p50, p99) = (pct(&mut times, 0.5), pct(&mut times, 0.99));
            eprintln!(
                "{pass} pass, {name}: {} docs, {} queries: ranking p50 {p50:.2} ms, p99 {p99:.2} ms, \
                 max {:.2} ms ({:?}, {} hits)",
                index.doc_count(),
                times.len(),
                worst.0,
                worst.1,
                worst.2
            );
            if with_snippets {
                let (p50, p99) = (pct(&mut snippet_times, 0.5), pct(&mut snippet_times, 0.99));
                eprintln!("  articles and snippets of the hits: p50 {p50:.2} ms, p99 {p99:.2} ms");
            }
        }
    }
}

//! Query latency on a large archive (not run by default):
//!   FULLTEXT_BENCH_ZIM=/tmp/big/wikipedia/x.zim \
//!   cargo test --release --test fulltext_latency -- --ignored --nocapture
//! Queries come from an oracle fixture (FULLTEXT_BENCH_QUERIES) or a small
//! built-in list of common and rare Korean and English words.

mod common;

use std::time::Instant;

use driveshelf::fulltext::Index;

#[test]
#[ignore]
fn latency() {
    let Ok(zim) = std::env::var("FULLTEXT_BENCH_ZIM") else {
        eprintln!("set FULLTEXT_BENCH_ZIM");
        return;
    };
    let opened = common::open_fulltext(std::path::Path::new(&zim)).expect("index");
    let index = Index::open(opened.index, &opened.language).unwrap();
    let queries: Vec<String> = match std::env::var("FULLTEXT_BENCH_QUERIES") {
        Ok(path) => {
            let f: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            f["queries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|q| q["q"].as_str().unwrap().to_string())
                .collect()
        }
        Err(_) => [
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
        .collect(),
    };
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
    for pass in ["first", "second"] {
        let mut times = Vec::new();
        let mut worst = (0.0, String::new(), 0);
        for q in &queries {
            let t = Instant::now();
            let r = index.search(q, 0, 25).unwrap();
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            if ms > worst.0 {
                worst = (ms, q.clone(), r.total);
            }
            times.push(ms);
        }
        times.sort_by(f64::total_cmp);
        let pct = |p: f64| times[((times.len() - 1) as f64 * p) as usize];
        eprintln!(
            "{pass} pass, {} docs, {} queries: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({:?}, {} hits)",
            index.doc_count(),
            times.len(),
            pct(0.5),
            pct(0.99),
            worst.0,
            worst.1,
            worst.2
        );
    }
}

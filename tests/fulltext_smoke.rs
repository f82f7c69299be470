mod common;

use driveshelf::fulltext::Index;

#[test]
fn smoke() {
    let Some(shared) = common::shared() else {
        return;
    };
    for (zim, lang, q) in [
        (
            "sample-bundle/wikipedia/wikipedia_ko_sample_2024-02.zim",
            "kor",
            "수달",
        ),
        ("corpus/zim/libkiwix/zimfile.zim", "eng", "ray charles"),
    ] {
        let w = common::fulltext_window(&shared.join(zim)).unwrap();
        let idx = Index::open(w, lang).unwrap();
        let r = idx.search(q, 0, 20).unwrap();
        println!("{zim} docs={} {q}: total={}", idx.doc_count(), r.total);
        for h in &r.hits {
            println!(
                "  {:.6} {} | {} | {:?}",
                h.score, h.path, h.title, h.word_count
            );
        }
    }
}

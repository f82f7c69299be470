//! One search over everything on the drive: words planted in a PDF's pages
//! (Latin, and Korean in a font that is not embedded), in a film's
//! subtitles, in a page's body and in a description are found over HTTP
//! with the right file, page and moment, next to the archives' articles; a
//! damaged, a truncated, an encrypted and a scanned PDF are skipped while
//! the rest is searchable. Without a prepared index the server reads the
//! drive in the background; `tests/prepare.rs` covers the prepared one.

mod common;

use common::drive::*;
use common::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// The links of the results list of a results page, as the browser reads
/// them (`&amp;` decoded).
fn result_links(page: &str) -> Vec<String> {
    let Some(start) = page.find("<ol class=\"results\"") else {
        return Vec::new();
    };
    let list = &page[start
        ..page[start..]
            .find("</ol>")
            .map_or(page.len(), |e| start + e)];
    list.split("<li><a href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|h| h.replace("&amp;", "&"))
        .collect()
}

/// The href of the pager's next link, decoded.
fn next_link(page: &str) -> Option<String> {
    let at = page.find("rel=\"next\" href=\"")? + "rel=\"next\" href=\"".len();
    Some(page[at..].split('"').next()?.replace("&amp;", "&"))
}

#[test]
fn planted_words_are_found_while_the_server_reads_the_drive() {
    let d = planted_drive("drive-search");
    let s = start(&d);
    wait_until_read(&s);
    check_planted(&s);

    // The results page, without JavaScript: the page and the moment named,
    // the words marked, the links leading there.
    let page = s.get("/search?q=zanzibarite&lang=en").text();
    assert!(page.contains("page 2"), "{page}");
    assert!(page.contains("planted_2024-02-10.pdf?page=2"), "{page}");
    assert!(page.contains("<b>zanzibarite</b>"), "{page}");
    let page = s
        .get("/search?q=%ED%95%B4%EC%98%A4%EB%9D%BC%EA%B8%B0%EB%96%BC")
        .text();
    assert!(page.contains("1:05"), "{page}");

    // The film page starts the player at the moment a hit names.
    let film = s.get("/view/videos/film.mp4?t=65").text();
    assert!(film.contains("film.mp4#t=65"), "{film}");
    let film = s.get("/view/videos/film.mp4").text();
    assert!(!film.contains("#t="), "{film}");
}

#[test]
fn answers_while_the_drive_is_read_and_counts_exactly_after() {
    // Many files and a server asked at once: the first answer may come
    // before the reading ends, and then says so; it never errs.
    let d = planted_drive("drive-search-early");
    for i in 0..40 {
        std::fs::write(
            d.join(format!("pages/extra{i}.md")),
            format!("page {i} quokkaberry"),
        )
        .unwrap();
    }
    let s = start(&d);
    let first = s.get("/search?q=quokkaberry&lang=en");
    assert_eq!(first.status, 200);
    wait_until_read(&s);
    let r = api(&s, "quokkaberry");
    assert_eq!(r["total"], 41, "{r}");
}

#[test]
fn hits_lead_to_the_newspaper_page_and_the_films_moment() {
    let d = planted_drive("drive-search-links");
    let s = start(&d);
    wait_until_read(&s);

    // A newspaper hit opens the server-drawn page view at its page, whose
    // text (below the picture) holds the word; the browser's own viewer is
    // one click away, at the same page.
    for (q, page_no, word) in [
        ("zanzibarite", 2, "zanzibarite"),
        ("무지개쏘가리", 3, "무지개쏘가리"),
    ] {
        let results = s.get(&format!("/search?q={}&lang=en", enc(q))).text();
        let links = result_links(&results);
        assert_eq!(links.len(), 1, "{results}");
        let want = format!("/view/newspapers/planted_2024-02-10.pdf?page={page_no}&lang=en");
        assert_eq!(links[0], want, "{results}");
        let view = s.get(&links[0]);
        assert_eq!(view.status, 200, "{}", links[0]);
        let view = view.text();
        let text_at = view
            .find("<div class=\"page-text\">")
            .unwrap_or_else(|| panic!("no page text on {}: {view}", links[0]));
        assert!(view[text_at..].contains(word), "{view}");
        assert!(
            view.contains(&format!(
                "/pageimg/newspapers/planted_2024-02-10.pdf?page={page_no}&"
            )),
            "{view}"
        );
        assert!(
            view.contains(&format!(
                "/file/newspapers/planted_2024-02-10.pdf#page={page_no}"
            )),
            "{view}"
        );
        // The words of other pages are not on this one.
        assert!(!view[text_at..].contains("front page words"), "{view}");
    }

    // A subtitle hit opens the film at the moment (mm:ss named on the
    // results page), the player's source starting there.
    let results = s
        .get(&format!("/search?q={}&lang=en", enc("해오라기떼")))
        .text();
    assert!(results.contains("1:05"), "{results}");
    let links = result_links(&results);
    assert_eq!(links, ["/view/videos/film.mp4?t=65&lang=en"], "{results}");
    let film = s.get(&links[0]).text();
    assert!(film.contains("film.mp4#t=65"), "{film}");
}

fn api_kind(s: &Server, q: &str, kind: Option<&str>, offset: usize) -> Value {
    let mut url = format!("/api/search?q={}&limit=100&offset={offset}", enc(q));
    if let Some(k) = kind {
        url.push_str(&format!("&kind={k}"));
    }
    s.get(&url).json()
}

/// Every hit of a search, page after page: (kind, url).
fn every_hit(s: &Server, q: &str, kind: Option<&str>) -> (u64, BTreeSet<(String, String)>) {
    let mut out = BTreeSet::new();
    let first = api_kind(s, q, kind, 0);
    let total = first["total"].as_u64().unwrap();
    let mut page = first;
    loop {
        let hits = page["results"].as_array().unwrap().clone();
        if hits.is_empty() {
            break;
        }
        for h in &hits {
            out.insert((
                h["kind"].as_str().unwrap().to_string(),
                h["url"].as_str().unwrap().to_string(),
            ));
        }
        page = api_kind(s, q, kind, out.len());
    }
    (total, out)
}

/// The planted drive, with one word (국민, in the sample constitution
/// archive too) in a newspaper, a film's subtitles, a recording's
/// description and 25 pages.
fn kinds_drive() -> std::path::PathBuf {
    use driveshelf::pdf::testpdf::{pdf, Run};
    let d = planted_drive("drive-search-kinds");
    let sample = sample_bundle();
    std::fs::create_dir_all(d.join("wikipedia")).unwrap();
    std::fs::copy(
        sample.join("wikipedia/wikisource_ko_constitution_2024-02.zim"),
        d.join("wikipedia/constitution.zim"),
    )
    .unwrap();
    std::fs::write(
        d.join("newspapers/kinds_2024-03-01.pdf"),
        pdf(&[
            vec![Run::at(72.0, 700.0, "일면 국민 소식")],
            vec![Run::at(72.0, 700.0, "둘째 면")],
            vec![Run::at(72.0, 700.0, "셋째 면 국민 이야기")],
        ]),
    )
    .unwrap();
    std::fs::write(
        d.join("videos/film.en.srt"),
        "1\n00:00:10,000 --> 00:00:12,000\nthe people 국민 speak\n",
    )
    .unwrap();
    let radio = d.join("radio");
    std::fs::create_dir_all(&radio).unwrap();
    std::fs::copy(
        sample.join("radio/weather-today-2024-02-08.ogg"),
        radio.join("news.ogg"),
    )
    .unwrap();
    std::fs::write(
        radio.join("news.md"),
        "---\ntitle: 저녁 방송\n---\n\n오늘 저녁 국민 여러분께 드리는 말씀.\n",
    )
    .unwrap();
    for i in 0..25 {
        std::fs::write(
            d.join(format!("pages/kinds{i:02}.md")),
            format!("# 쪽 {i}\n\n첫 문단.\n\n이 글은 국민 이야기 {i}.\n"),
        )
        .unwrap();
    }
    d
}

#[test]
fn a_kind_filter_narrows_the_results_without_javascript() {
    let d = kinds_drive();
    let s = start(&d);
    wait_until_read(&s);
    let q = "국민";
    let (all_total, all) = every_hit(&s, q, None);
    assert_eq!(all.len() as u64, all_total, "paged through every hit");
    let kinds: BTreeSet<&str> = all.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        kinds,
        ["article", "audio", "document", "page", "video"].into(),
        "{all:?}"
    );

    // Each kind alone: exactly the hits of that kind in the full list, and
    // together they are the full list.
    let mut sum = 0;
    for kind in ["article", "document", "video", "audio", "page"] {
        let (total, hits) = every_hit(&s, q, Some(kind));
        let expected: BTreeSet<(String, String)> =
            all.iter().filter(|(k, _)| k == kind).cloned().collect();
        assert_eq!(hits, expected, "{kind}");
        assert_eq!(total, hits.len() as u64, "{kind}");
        sum += total;
    }
    assert_eq!(sum, all_total);
    let (n, _) = every_hit(&s, q, Some("nonsense"));
    assert_eq!(n, all_total, "an unknown kind is everything");

    // Counts per kind, the same whichever kind is shown: each is that
    // kind's total, and together they are everything's.
    let counts = api_kind(&s, q, None, 0)["counts"].clone();
    for kind in [None, Some("article"), Some("document"), Some("video")] {
        assert_eq!(api_kind(&s, q, kind, 0)["counts"], counts, "{kind:?}");
    }
    // A query asked first on a filtered page counts the articles itself.
    let fresh = api_kind(&s, "대한민국", Some("document"), 0)["counts"].clone();
    let unfiltered = api_kind(&s, "대한민국", None, 0)["counts"].clone();
    assert_eq!(fresh, unfiltered);
    assert!(
        unfiltered["article"].as_u64().unwrap_or(0) > 0,
        "{unfiltered}"
    );
    let mut sum = 0;
    for kind in ["article", "document", "video", "audio", "page"] {
        let n = counts[kind].as_u64().unwrap_or_else(|| panic!("{counts}"));
        assert_eq!(n, api_kind(&s, q, Some(kind), 0)["total"], "{kind}");
        assert!(n > 0, "{kind}: {counts}");
        sum += n;
    }
    assert_eq!(sum, all_total, "{counts}");
    let pages = all.iter().filter(|(k, _)| k == "page").count();
    assert!(pages > 20, "{pages} pages: more than one page of results");

    // The page: plain links to every other kind, the current one in bold,
    // and the pager keeps the kind.
    let page = s
        .get(&format!("/search?q={}&kind=page&lang=en", enc(q)))
        .text();
    let count = |k: &str| counts[k].as_u64().unwrap_or_default();
    assert!(
        page.contains(&format!(
            "<strong class=\"current\">Pages ({})</strong>",
            count("page")
        )),
        "{page}"
    );
    for (k, label) in [
        ("article", "Encyclopedias"),
        ("document", "Newspapers"),
        ("video", "Films"),
        ("audio", "Radio"),
    ] {
        assert!(
            page.contains(&format!(
                "?q={}&amp;kind={k}&amp;lang=en\">{label} ({})</a>",
                enc(q),
                count(k)
            )),
            "{k}: {page}"
        );
    }
    assert!(
        page.contains(&format!(
            "href=\"/search?q={}&amp;lang=en\">Everything ({all_total})</a>",
            enc(q)
        )),
        "everything: {page}"
    );
    let first = result_links(&page);
    assert_eq!(first.len(), 20, "{page}");
    let next = next_link(&page).expect("a next page");
    assert!(
        next.contains("kind=page") && next.contains("offset=20"),
        "{next}"
    );
    let second = result_links(&s.get(&next).text());
    assert_eq!(second.len(), pages - 20, "{next}");
    for link in first.iter().chain(&second) {
        assert!(link.starts_with("/view/pages/"), "{link}");
    }

    // Films: only the film, by its subtitles; the page says which filter.
    let page = s.get(&format!("/search?q={}&kind=video", enc(q))).text();
    assert!(
        page.contains(&format!(
            "<strong class=\"current\">영화 ({})</strong>",
            count("video")
        )),
        "{page}"
    );
    let links = result_links(&page);
    assert!(!links.is_empty(), "{page}");
    assert!(
        links.iter().all(|l| l.starts_with("/view/videos/film.mp4")),
        "{links:?}"
    );

    // Switching language keeps the query and the kind.
    let english = format!("?q={}&amp;kind=video&amp;lang=en\"", enc(q));
    assert!(page.contains(&english), "{page}");
    let en = s
        .get(&format!("/search?q={}&kind=video&lang=en", enc(q)))
        .text();
    assert_eq!(result_links(&en).len(), links.len(), "{en}");

    // Searching again from the header of a filtered page stays within the
    // kind: the box's form carries it (and only there).
    let form = search_form_fields(&page);
    assert!(form.contains(&("kind".into(), "video".into())), "{form:?}");
    let again = format!("/search?q={}&kind=video", enc("speak"));
    assert_eq!(form_url("speak", &form), again);
    let links = result_links(&s.get(&again).text());
    assert_eq!(links, ["/view/videos/film.mp4?t=10"], "{again}");
    let unfiltered = s.get(&format!("/search?q={}", enc(q))).text();
    let form = search_form_fields(&unfiltered);
    assert!(form.iter().all(|(n, _)| n != "kind"), "{form:?}");

    // Within one archive there is nothing to filter.
    let zim = s.get("/api/catalog").json()["zims"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let page = s
        .get(&format!("/search?q={}&zim={}", enc(q), enc(&zim)))
        .text();
    assert!(!page.contains("class=\"kinds\""), "{page}");
}

/// The hidden fields of the header's search form (name, value), in order.
fn search_form_fields(page: &str) -> Vec<(String, String)> {
    let start = page.find("<form class=\"search\"").expect("a search form");
    let form = &page[start..start + page[start..].find("</form>").expect("form end")];
    let attr = |tag: &str, name: &str| {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        Some(tag[at..].split('"').next()?.to_string())
    };
    form.split("<input")
        .skip(1)
        .filter(|tag| attr(tag, "type").as_deref() == Some("hidden"))
        .filter_map(|tag| Some((attr(tag, "name")?, attr(tag, "value")?)))
        .collect()
}

/// The URL a browser asks for when the form is sent with `q` typed.
fn form_url(q: &str, hidden: &[(String, String)]) -> String {
    let mut url = format!("/search?q={}", enc(q));
    for (n, v) in hidden {
        url.push_str(&format!("&{n}={}", enc(v)));
    }
    url
}

#[test]
fn the_page_says_while_the_drive_is_still_being_read() {
    if !cfg!(debug_assertions) {
        eprintln!("NOTICE: skipped: the reading hold exists in test builds only");
        return;
    }
    let d = planted_drive("drive-search-reading");
    let hold = d.join(driveshelf::driveindex::background::TEST_HOLD);
    std::fs::write(&hold, b"").unwrap();
    let s = start(&d);
    let page = s.get("/search?q=zanzibarite&lang=en").text();
    assert!(page.contains("Still reading the drive"), "{page}");
    assert!(page.contains("(0 of "), "{page}");
    let page = s.get(&format!("/search?q={}", enc("무지개쏘가리"))).text();
    assert!(page.contains("아직 읽고 있습니다"), "{page}");
    assert_eq!(api(&s, "zanzibarite")["total"], 0);
    let who = s.get("/api/whoami").json();
    assert_eq!(who["drive_index"]["running"], true, "{who}");

    // The reading thread runs at the lowest priority (Linux: nice 19 and
    // idle I/O, per thread).
    let priority = who["drive_index"]["priority"].as_str().unwrap_or_default();
    if cfg!(target_os = "linux") {
        assert_eq!(priority, "nice 19, idle I/O", "{who}");
        assert!(
            reading_threads_nice().contains(&19),
            "{:?}",
            reading_threads_nice()
        );
    }

    std::fs::remove_file(&hold).unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let page = s.get("/search?q=zanzibarite&lang=en").text();
        if !page.contains("Still reading") {
            assert_eq!(result_links(&page).len(), 1, "{page}");
            break;
        }
        assert!(Instant::now() < deadline, "the notice never went away");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(s.get("/api/whoami").json()["drive_index"]["running"], false);
}

/// The nice values of this process's threads named `drive-index`.
fn reading_threads_nice() -> Vec<i64> {
    let mut out = Vec::new();
    for t in std::fs::read_dir("/proc/self/task").unwrap().flatten() {
        let comm = std::fs::read_to_string(t.path().join("comm")).unwrap_or_default();
        if comm.trim() != "drive-index" {
            continue;
        }
        let stat = std::fs::read_to_string(t.path().join("stat")).unwrap_or_default();
        // Fields after the `(comm)`: state is the 3rd, nice the 19th.
        if let Some(rest) = stat.rsplit_once(") ").map(|(_, r)| r) {
            if let Some(n) = rest.split(' ').nth(16).and_then(|n| n.parse().ok()) {
                out.push(n);
            }
        }
    }
    out
}

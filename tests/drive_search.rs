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
    assert!(page.contains("#page=2"), "{page}");
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

//! The `index.html` that `driveshelf prepare` writes at the top of a drive:
//! one page that opens with no program running, by double-click, in any
//! browser from Internet Explorer 6 and Naenara (Firefox 3.5) on.
//!
//! What that asks of the HTML: HTML 4.01 with a full doctype (standards mode
//! in IE 6), no script, UTF-8 declared twice (`http-equiv` for IE, `charset`
//! for the rest) before anything else, CSS 2.1 inside the page with no child
//! selectors or `max-width` that layout depends on, layout by tables, links
//! relative to the page. Korean first, English second, side by side: the
//! page cannot switch language without a script.

use super::html::escape;
use super::i18n::Strings;
use crate::lang::Lang;
use std::fmt::Write;

/// A film, newspaper or recording.
#[derive(Debug, Clone, Default)]
pub struct Entry {
    pub title: String,
    /// `YYYY-MM-DD`, `YYYY-MM` or `YYYY`.
    pub date: Option<String>,
    /// `1:02:03`, `4:05`.
    pub duration: Option<String>,
    /// Page count of a document.
    pub pages: Option<u32>,
    /// The file's type (`MP4`, `PDF`) and size, as shown beside the link.
    pub format: String,
    pub size: String,
    /// Relative, already escaped for a URL; `None` when the file's name
    /// cannot be written as a link (not valid Unicode).
    pub href: Option<String>,
    /// A poster or first-page picture, relative and escaped.
    pub picture: Option<String>,
    /// The description, already rendered and made safe.
    pub description_html: String,
    /// Subtitles: (label, relative escaped href).
    pub subtitles: Vec<(String, String)>,
}

/// A Markdown page of the drive, shown in full when it is small.
#[derive(Debug, Clone, Default)]
pub struct PageEntry {
    pub title: String,
    pub href: Option<String>,
    /// The page itself, rendered; empty when it is too long to show here.
    pub body_html: String,
}

#[derive(Debug, Clone, Default)]
pub struct StaticIndex {
    /// The drive's own name for the library, when its welcome page sets one.
    pub library: Option<String>,
    pub welcome_html: Option<String>,
    /// Titles of the archives (encyclopedias): they need the program.
    pub archives: Vec<String>,
    pub films: Vec<Entry>,
    pub documents: Vec<Entry>,
    pub recordings: Vec<Entry>,
    pub pages: Vec<PageEntry>,
}

/// The comment that marks the file as ours; `prepare` finds it on the
/// second line and checks the digest that follows it (`index_html`).
pub const MARKER: &str = "<!-- driveshelf-index";

const DOCTYPE: &str = "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\" \
                       \"http://www.w3.org/TR/html4/loose.dtd\">";

/// CSS 2.1 only; every rule degrades to plain reading order where ignored.
const STYLE: &str = "\
body{margin:0;padding:0;background:#fff;color:#111;\
font-family:\"Malgun Gothic\",\"맑은 고딕\",Gulim,\"굴림\",Dotum,\"돋움\",\
\"NanumGothic\",\"나눔고딕\",\"UnDotum\",sans-serif;font-size:100%;line-height:1.5}\n\
div.page{margin:0 auto;padding:12px 16px;width:auto}\n\
h1{font-size:1.6em;margin:0 0 4px 0;color:#123c69}\n\
h2{font-size:1.3em;margin:28px 0 8px 0;padding:4px 0;border-bottom:2px solid #123c69;color:#123c69}\n\
h3{font-size:1.1em;margin:0 0 4px 0}\n\
p{margin:0 0 8px 0}\n\
p.en,span.en{color:#444}\n\
p.note{font-size:0.9em;color:#333;background:#f3f1e8;border:1px solid #ddd8c4;padding:6px 8px}\n\
table.items{border-collapse:collapse;width:100%}\n\
table.items td{vertical-align:top;padding:10px 8px;border-bottom:1px solid #ddd}\n\
td.pic{width:170px}\n\
td.pic img{border:1px solid #ccc}\n\
p.meta{font-size:0.9em;color:#444}\n\
p.open a{font-weight:bold}\n\
a{color:#0b4f9c}\n\
a:visited{color:#5a2d82}\n\
div.desc{font-size:0.95em}\n\
div.pagebody{border-left:3px solid #ddd;padding:0 0 0 12px;margin:0 0 16px 0}\n\
ul.toc{margin:8px 0 0 0}\n\
p.foot{font-size:0.85em;color:#555;margin-top:32px;border-top:1px solid #ddd;padding-top:8px}\n";

/// Korean text, then English, for one key.
fn both(key: &str) -> (String, String) {
    (
        Strings::get(Lang::Ko).t(key).to_string(),
        Strings::get(Lang::En).t(key).to_string(),
    )
}

/// `한국어 · English` in one run of text (headings, labels).
fn pair(key: &str) -> String {
    let (ko, en) = both(key);
    format!(
        "{} <span class=\"en\">· {}</span>",
        escape(&ko),
        escape(&en)
    )
}

/// A paragraph in Korean and the same in English below it.
fn paragraphs(out: &mut String, key: &str, class: &str) {
    let (ko, en) = both(key);
    let _ = write!(
        out,
        "<p class=\"{class}\">{}<br>\n<span class=\"en\">{}</span></p>\n",
        escape(&ko),
        escape(&en)
    );
}

/// The whole page, without the marker line (`index_html` adds it).
pub fn body(v: &StaticIndex) -> String {
    let mut out = String::with_capacity(16 * 1024);
    let (brand_ko, brand_en) = both("brand");
    let title = v.library.clone().unwrap_or_else(|| brand_ko.clone());
    let _ = write!(
        out,
        "<html lang=\"ko\">\n<head>\n\
         <meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\n\
         <meta charset=\"utf-8\">\n\
         <title>{}</title>\n<style type=\"text/css\">\n{STYLE}</style>\n</head>\n\
         <body>\n<div class=\"page\">\n<h1>{}",
        escape(&title),
        escape(&title),
    );
    if v.library.is_none() {
        let _ = write!(out, " <span class=\"en\">· {}</span>", escape(&brand_en));
    }
    out.push_str("</h1>\n");
    paragraphs(&mut out, "index_intro", "intro");

    let sections: [(&str, &str, usize); 4] = [
        ("films", "index_films", v.films.len()),
        ("newspapers", "index_documents", v.documents.len()),
        ("recordings", "index_recordings", v.recordings.len()),
        ("pages", "index_pages", v.pages.len()),
    ];
    if sections.iter().any(|s| s.2 > 0) {
        out.push_str("<ul class=\"toc\">\n");
        for (anchor, key, n) in sections {
            if n > 0 {
                let _ = writeln!(
                    out,
                    "<li><a href=\"#{anchor}\">{}</a> ({n})</li>",
                    pair(key)
                );
            }
        }
        out.push_str("</ul>\n");
    } else {
        paragraphs(&mut out, "index_empty", "note");
    }
    if let Some(w) = &v.welcome_html {
        let _ = write!(out, "<div class=\"desc\">\n{w}</div>\n");
    }
    if !v.archives.is_empty() {
        let _ = writeln!(
            out,
            "<h2><a name=\"archives\">{}</a></h2>",
            pair("index_archives")
        );
        paragraphs(&mut out, "index_archives_note", "note");
        out.push_str("<ul>\n");
        for a in &v.archives {
            let _ = writeln!(out, "<li>{}</li>", escape(a));
        }
        out.push_str("</ul>\n");
    }
    entries(
        &mut out,
        "films",
        "index_films",
        "index_films_note",
        &v.films,
    );
    entries(
        &mut out,
        "newspapers",
        "index_documents",
        "index_documents_note",
        &v.documents,
    );
    entries(
        &mut out,
        "recordings",
        "index_recordings",
        "index_recordings_note",
        &v.recordings,
    );
    if !v.pages.is_empty() {
        let _ = writeln!(
            out,
            "<h2><a name=\"pages\">{}</a></h2>",
            pair("index_pages")
        );
        for (i, p) in v.pages.iter().enumerate() {
            let _ = writeln!(
                out,
                "<h3><a name=\"page{}\">{}</a></h3>",
                i + 1,
                escape(&p.title)
            );
            if !p.body_html.is_empty() {
                let _ = write!(out, "<div class=\"pagebody\">\n{}</div>\n", p.body_html);
            } else if let Some(h) = &p.href {
                let _ = writeln!(
                    out,
                    "<p class=\"open\"><a href=\"{}\">{}</a></p>",
                    escape(h),
                    pair("index_open_text")
                );
            }
        }
    }
    paragraphs(&mut out, "index_footer", "foot");
    out.push_str("</div>\n</body>\n</html>\n");
    out
}

fn entries(out: &mut String, anchor: &str, heading: &str, note: &str, list: &[Entry]) {
    if list.is_empty() {
        return;
    }
    let _ = writeln!(out, "<h2><a name=\"{anchor}\">{}</a></h2>", pair(heading));
    paragraphs(out, note, "note");
    out.push_str("<table class=\"items\" cellspacing=\"0\" cellpadding=\"0\" width=\"100%\">\n");
    for e in list {
        out.push_str("<tr>");
        match &e.picture {
            Some(src) => {
                let img = format!("<img src=\"{}\" width=\"160\" alt=\"\">", escape(src));
                match &e.href {
                    Some(h) => {
                        let _ = write!(
                            out,
                            "<td class=\"pic\" width=\"170\"><a href=\"{}\">{img}</a></td>",
                            escape(h)
                        );
                    }
                    None => {
                        let _ = write!(out, "<td class=\"pic\" width=\"170\">{img}</td>");
                    }
                }
                out.push_str("<td>");
            }
            None => out.push_str("<td colspan=\"2\">"),
        }
        match &e.href {
            Some(h) => {
                let _ = write!(
                    out,
                    "<h3><a href=\"{}\">{}</a></h3>",
                    escape(h),
                    escape(&e.title)
                );
            }
            None => {
                let _ = write!(out, "<h3>{}</h3>", escape(&e.title));
            }
        }
        let mut meta: Vec<String> = Vec::new();
        if let Some(d) = &e.date {
            meta.push(escape(d));
        }
        if let Some(d) = &e.duration {
            meta.push(escape(d));
        }
        if let Some(n) = e.pages {
            let (ko, en) = both("index_pages_count");
            meta.push(format!(
                "{} <span class=\"en\">({})</span>",
                escape(&ko.replace("{n}", &n.to_string())),
                escape(&en.replace("{n}", &n.to_string()))
            ));
        }
        meta.push(escape(&format!("{}, {}", e.format, e.size)));
        let _ = writeln!(out, "\n<p class=\"meta\">{}</p>", meta.join(" · "));
        if !e.description_html.is_empty() {
            let _ = writeln!(out, "<div class=\"desc\">{}</div>", e.description_html);
        }
        match &e.href {
            Some(h) => {
                let _ = write!(
                    out,
                    "<p class=\"open\"><a href=\"{}\">{}</a>",
                    escape(h),
                    pair("index_open")
                );
                for (label, href) in &e.subtitles {
                    let _ = write!(
                        out,
                        " · <a href=\"{}\">{}: {}</a>",
                        escape(href),
                        pair("index_subtitles"),
                        escape(label)
                    );
                }
                out.push_str("</p>\n");
            }
            None => paragraphs(out, "index_no_link", "note"),
        }
        out.push_str("</td></tr>\n");
    }
    out.push_str("</table>\n");
}

/// The whole file: doctype, the marker line with `digest` (of [`body`]'s
/// bytes), then the body. The doctype stays first, so IE 6 renders in
/// standards mode (a comment before it would not change that, but nothing
/// is gained by putting one there).
pub fn document(body: &str, digest: &str) -> String {
    format!(
        "{DOCTYPE}\n{MARKER} {digest}: written by \"driveshelf prepare\", which rewrites this file \
         while this line and the page below it are unchanged. -->\n{body}"
    )
}

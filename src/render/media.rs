//! Pages of documents, films, recordings, Markdown pages and their listings.

use super::format;
use super::html::escape;
use super::{page, Ui};

/// Width of a document's first-page picture in lists.
pub const PAGE_THUMB_WIDTH: u32 = 72;

/// An item in a list: the start page's sections, listings, playlists.
pub struct ItemCard {
    pub title: String,
    pub url: String,
    pub date: Option<String>,
    pub duration_secs: Option<f64>,
    pub collection: String,
    pub poster_url: Option<String>,
    /// The picture is a document's first page (portrait, its own height).
    pub page_picture: bool,
}

pub struct Section {
    /// UI string key of the heading (`section_videos`).
    pub heading_key: &'static str,
    pub count: usize,
    pub list_url: String,
    pub items: Vec<ItemCard>,
}

pub fn card_list(ui: &Ui, items: &[ItemCard], start: usize) -> String {
    let mut out = format!("<ol class=\"items\" start=\"{}\">", start + 1);
    for it in items {
        out.push_str("<li>");
        match &it.poster_url {
            Some(p) if it.page_picture => out.push_str(&format!(
                "<img class=\"thumb page-thumb\" src=\"{}\" alt=\"\" width=\"{}\">",
                escape(p),
                PAGE_THUMB_WIDTH
            )),
            Some(p) => out.push_str(&format!(
                "<img class=\"thumb\" src=\"{}\" alt=\"\" width=\"96\" height=\"54\">",
                escape(p)
            )),
            None => {}
        }
        out.push_str(&format!(
            "<a href=\"{}\">{}</a>",
            escape(&ui.link(&it.url)),
            escape(&it.title)
        ));
        let mut meta = Vec::new();
        if let Some(d) = &it.date {
            meta.push(format::date(ui.lang, d));
        }
        if let Some(s) = it.duration_secs {
            meta.push(format::duration(ui.lang, s));
        }
        if !it.collection.is_empty() {
            meta.push(it.collection.clone());
        }
        if !meta.is_empty() {
            out.push_str(&format!(
                " <span class=\"meta\">{}</span>",
                escape(&meta.join(" · "))
            ));
        }
        out.push_str("</li>");
    }
    out.push_str("</ol>");
    out
}

pub fn sections(ui: &Ui, sections: &[Section]) -> String {
    let s = ui.s();
    let mut out = String::new();
    for sec in sections.iter().filter(|x| x.count > 0) {
        let id = sec.heading_key.replace('_', "-");
        out.push_str(&format!(
            "<div class=\"kind\" role=\"region\" aria-labelledby=\"{id}\"><h2 id=\"{id}\">{} <span class=\"count\">({})</span></h2>",
            escape(s.t(sec.heading_key)),
            escape(&s.fmt("section_count", &[("n", &sec.count.to_string())]))
        ));
        out.push_str(&card_list(ui, &sec.items, 0));
        out.push_str(&format!(
            "<p><a href=\"{}\">{}</a></p></div>",
            escape(&ui.link(&sec.list_url)),
            escape(&s.fmt("see_all", &[("n", &sec.count.to_string())]))
        ));
    }
    out
}

pub struct ListView {
    pub heading: String,
    pub sort_links: Vec<(String, String, bool)>,
    pub collections: Vec<(String, String, bool)>,
    pub items: Vec<ItemCard>,
    pub total: usize,
    pub offset: usize,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
}

fn link_row(ui: &Ui, label_key: &str, links: &[(String, String, bool)]) -> String {
    if links.len() < 2 {
        return String::new();
    }
    let parts: Vec<String> = links
        .iter()
        .map(|(label, url, current)| {
            if *current {
                format!("<strong aria-current=\"true\">{}</strong>", escape(label))
            } else {
                format!(
                    "<a href=\"{}\">{}</a>",
                    escape(&ui.link(url)),
                    escape(label)
                )
            }
        })
        .collect();
    format!(
        "<p class=\"row\"><span>{}:</span> {}</p>",
        escape(ui.s().t(label_key)),
        parts.join(" | ")
    )
}

pub fn listing(ui: &Ui, v: &ListView) -> String {
    let s = ui.s();
    let mut out = format!("<h1>{}</h1>", escape(&v.heading));
    out.push_str(&link_row(ui, "sort_label", &v.sort_links));
    out.push_str(&link_row(ui, "collections", &v.collections));
    if v.items.is_empty() {
        out.push_str(&format!("<p>{}</p>", escape(s.t("no_items"))));
    } else {
        out.push_str(&card_list(ui, &v.items, v.offset));
    }
    let mut nav = Vec::new();
    if let Some(p) = &v.prev_url {
        nav.push(format!(
            "<a rel=\"prev\" href=\"{}\">{}</a>",
            escape(&ui.link(p)),
            escape(s.t("pager_prev"))
        ));
    }
    if let Some(n) = &v.next_url {
        nav.push(format!(
            "<a rel=\"next\" href=\"{}\">{}</a>",
            escape(&ui.link(n)),
            escape(s.t("pager_next"))
        ));
    }
    if !nav.is_empty() {
        out.push_str(&format!(
            "<div class=\"pager\" role=\"navigation\" aria-label=\"{}\">{}</div>",
            escape(s.t("pager_label")),
            nav.join(" ")
        ));
    }
    page(ui, &v.heading, "", None, &out)
}

pub struct Track {
    pub url: String,
    pub lang: Option<String>,
}

/// A file of a film as the page names it.
pub struct DriveFile {
    /// Its path as a file manager shows it (`E:\videos\film.mp4`).
    pub shown_path: String,
    /// `MP4 (H.264)`, `AVI (MPEG4)`, …
    pub format: String,
    pub url: String,
}

pub struct PlayerView {
    pub video: bool,
    pub title: String,
    pub date: Option<String>,
    pub duration_secs: Option<f64>,
    pub collection: Option<(String, String)>,
    pub file_url: String,
    /// `<source>`s: (URL, type with codecs), in order of preference.
    pub sources: Vec<(String, String)>,
    pub size: u64,
    pub poster_url: Option<String>,
    pub tracks: Vec<Track>,
    /// Every file of a film, for the note that names them on the drive.
    pub drive_files: Vec<DriveFile>,
    /// The browser families that play one of the film's files.
    pub plays_in: Vec<crate::media::playback::Plays>,
    pub playable: bool,
    pub format_name: String,
    pub description_html: String,
    pub problem: Option<String>,
    /// Other recordings of the same collection: (title, page URL, file URL, current).
    pub playlist: Vec<(String, String, String, bool)>,
}

/// The name of a subtitle language in the UI language.
fn lang_label(ui: &Ui, code: Option<&str>) -> String {
    let s = ui.s();
    match code {
        Some(c) => {
            let key = format!("langname_{}", c.to_ascii_lowercase());
            let t = s.t(&key);
            if t == key {
                c.to_string()
            } else {
                t.to_string()
            }
        }
        None => s.t("subtitle_default").to_string(),
    }
}

fn meta_line(
    ui: &Ui,
    date: Option<&str>,
    duration: Option<f64>,
    collection: Option<&(String, String)>,
    extra: &[String],
) -> String {
    let mut parts = Vec::new();
    if let Some(d) = date {
        parts.push(escape(&format::date(ui.lang, d)));
    }
    if let Some(s) = duration {
        parts.push(format!(
            "{} {}",
            escape(ui.s().t("duration")),
            escape(&format::duration(ui.lang, s))
        ));
    }
    for e in extra {
        parts.push(escape(e));
    }
    if let Some((label, url)) = collection {
        parts.push(format!(
            "<a href=\"{}\">{}</a>",
            escape(&ui.link(url)),
            escape(label)
        ));
    }
    if parts.is_empty() {
        return String::new();
    }
    format!("<p class=\"meta\">{}</p>", parts.join(" · "))
}

/// Never the file itself: a page that first says a copy will land on this
/// computer (`/save/`).
fn download_link(ui: &Ui, file_url: &str, size: u64) -> String {
    format!(
        "<p><a class=\"button\" href=\"{}\">{}</a> <span class=\"meta\">{}</span></p>",
        escape(&ui.link(&super::urls::save_of_file(file_url))),
        escape(ui.s().t("save_button")),
        escape(&format::size(size))
    )
}

pub fn player(ui: &Ui, v: &PlayerView) -> String {
    let s = ui.s();
    let mut out = format!("<h1>{}</h1>", escape(&v.title));
    out.push_str(&meta_line(
        ui,
        v.date.as_deref(),
        v.duration_secs,
        v.collection.as_ref(),
        &[],
    ));
    if let Some(p) = &v.problem {
        out.push_str(&format!(
            "<p class=\"notice\">{}</p>",
            escape(&s.fmt("file_problem", &[("reason", p)]))
        ));
    }
    if v.playable {
        let tag = if v.video { "video" } else { "audio" };
        out.push_str(&format!(
            "<{tag} id=\"player\" controls preload=\"metadata\"{poster}>",
            poster = v
                .poster_url
                .as_ref()
                .map(|p| format!(" poster=\"{}\"", escape(p)))
                .unwrap_or_default()
        ));
        // `</source>` and `</track>` are written out although HTML5 makes
        // them void: NetSurf's parser does not know them and would keep the
        // rest of the page inside the player.
        for (url, ty) in &v.sources {
            out.push_str(&format!(
                "<source src=\"{}\" type=\"{}\"></source>",
                escape(url),
                escape(ty)
            ));
        }
        // The first track in the UI language is the default one.
        let default_idx = v
            .tracks
            .iter()
            .position(|t| t.lang.as_deref() == Some(ui.lang.code()))
            .or(if v.tracks.is_empty() { None } else { Some(0) });
        for (i, t) in v.tracks.iter().enumerate() {
            out.push_str(&format!(
                "<track kind=\"subtitles\" src=\"{}\"{} label=\"{}\"{}></track>",
                escape(&t.url),
                t.lang
                    .as_ref()
                    .map(|l| format!(" srclang=\"{}\"", escape(l)))
                    .unwrap_or_default(),
                escape(&lang_label(ui, t.lang.as_deref())),
                if Some(i) == default_idx {
                    " default"
                } else {
                    ""
                }
            ));
        }
        // What engines without the element show (IE 8, NetSurf): for a
        // film, that this browser plays none of its files and where they
        // are on the drive (film.js shows the same where a player exists
        // but plays none); then the save page, never the file straight away.
        if v.video {
            out.push_str(&no_player_note(ui, v));
        } else {
            out.push_str(&format!(
                "<a href=\"{}\">{}</a>",
                escape(&ui.link(&super::urls::save_of_file(&v.file_url))),
                escape(s.t("save_button"))
            ));
        }
        out.push_str(&format!("</{tag}>"));
        if v.video {
            out.push_str(&plays_in_line(ui, &v.plays_in));
        }
    } else {
        if let Some(p) = &v.poster_url {
            out.push_str(&format!(
                "<p><img class=\"poster\" src=\"{}\" alt=\"\"></p>",
                escape(p)
            ));
        }
        let key = if v.video {
            "cannot_play"
        } else {
            "cannot_play_audio"
        };
        out.push_str(&format!(
            "<p class=\"notice\">{}</p>",
            escape(&s.fmt(key, &[("format", &v.format_name)]))
        ));
        if v.video {
            out.push_str(&drive_file_list(ui, v));
        }
    }
    out.push_str(&download_link(ui, &v.file_url, v.size));
    if !v.tracks.is_empty() {
        let links: Vec<String> = v
            .tracks
            .iter()
            .map(|t| {
                format!(
                    "<a href=\"{}\">{}</a>",
                    escape(&t.url),
                    escape(&lang_label(ui, t.lang.as_deref()))
                )
            })
            .collect();
        out.push_str(&format!(
            "<p class=\"meta\">{}: {}</p>",
            escape(s.t("subtitles")),
            links.join(", ")
        ));
    }
    if !v.description_html.is_empty() {
        out.push_str(&format!(
            "<div class=\"description\">{}</div>",
            v.description_html
        ));
    }
    if v.playlist.len() > 1 {
        out.push_str(&format!(
            "<div class=\"playlist-box\" role=\"region\" aria-labelledby=\"pl\"><h2 id=\"pl\">{}</h2><p class=\"meta\">{}</p><ol class=\"playlist\">",
            escape(s.t("playlist")),
            escape(s.t("playlist_hint"))
        ));
        for (title, url, file, current) in &v.playlist {
            out.push_str(&format!(
                "<li{}><a href=\"{}\" data-src=\"{}\">{}</a></li>",
                if *current {
                    " class=\"current\" aria-current=\"true\""
                } else {
                    ""
                },
                escape(&ui.link(url)),
                escape(file),
                escape(title)
            ));
        }
        out.push_str("</ol></div>");
    }
    if v.video && v.playable {
        out.push_str(&format!(
            "<script src=\"{}film.js\"></script>",
            crate::assets::PREFIX
        ));
    }
    page(ui, &v.title, "", None, &out)
}

/// The fallback inside `<video>`: that this browser plays none of the
/// film's files, and where they are on the drive.
fn no_player_note(ui: &Ui, v: &PlayerView) -> String {
    format!(
        "<div class=\"no-player\" id=\"no-player\"><p class=\"notice\">{}</p>{}</div>",
        escape(ui.s().t("film_no_player")),
        drive_file_list(ui, v)
    )
}

/// The film's files by their path on the drive, to open in a player.
fn drive_file_list(ui: &Ui, v: &PlayerView) -> String {
    if v.drive_files.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "<p>{}</p><ul class=\"drive-files\">",
        escape(ui.s().t("film_open_file"))
    );
    for f in &v.drive_files {
        out.push_str(&format!(
            "<li><code>{}</code> <span class=\"meta\">{}</span></li>",
            escape(&f.shown_path),
            escape(&f.format)
        ));
    }
    out.push_str("</ul>");
    out
}

/// `Plays in: Internet Explorer 9+, Chrome 4+, Firefox 21+ (Windows 7+)`.
pub fn plays_in_text(ui: &Ui, plays: &[crate::media::playback::Plays]) -> String {
    let s = ui.s();
    plays
        .iter()
        .map(|p| {
            let mut t = match p.until {
                Some(u) => s.fmt(
                    "browser_range",
                    &[("name", p.name()), ("from", p.from), ("until", u)],
                ),
                None => s.fmt("browser_from", &[("name", p.name()), ("from", p.from)]),
            };
            match p.system {
                Some("windows7") => t.push_str(&format!(" ({})", s.t("system_windows7"))),
                Some(other) => t.push_str(&format!(" ({other})")),
                None => {}
            }
            t
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn plays_in_line(ui: &Ui, plays: &[crate::media::playback::Plays]) -> String {
    if plays.is_empty() {
        return String::new();
    }
    format!(
        "<p class=\"meta plays-in\">{}: {}</p>",
        escape(ui.s().t("film_plays_in")),
        escape(&plays_in_text(ui, plays))
    )
}

pub struct DocumentView {
    pub title: String,
    pub date: Option<String>,
    pub pages: Option<u32>,
    pub size: u64,
    pub file_url: String,
    pub collection: Option<(String, String)>,
    pub description_html: String,
    pub encrypted: bool,
    pub problem: Option<String>,
    /// The page shown as a picture drawn on the server, for browsers
    /// without a PDF viewer.
    pub page: Option<PageView>,
}

/// One page of a document as a picture, with the way to the others.
pub struct PageView {
    /// From 1.
    pub number: u32,
    pub count: u32,
    /// `/pageimg/…`, and its size when it was drawn; the reason when not.
    pub image: Result<(String, u32, u32), String>,
    /// The page's own words, for reading and copying.
    pub text: Option<String>,
    /// `/view/<doc>`: `?page=N` is added.
    pub view_url: String,
}

/// `이전 쪽 · 3 / 12쪽 · 다음 쪽`, as plain links (IE 6, Naenara, no JS).
fn page_nav(ui: &Ui, p: &PageView, label: &str) -> String {
    let s = ui.s();
    let at = |n: u32| ui.link(&format!("{}?page={n}", p.view_url));
    let mut parts = Vec::new();
    if p.number > 1 {
        parts.push(format!(
            "<a rel=\"prev\" href=\"{}\">{}</a>",
            escape(&at(p.number - 1)),
            escape(s.t("page_prev"))
        ));
    }
    parts.push(format!(
        "<strong>{}</strong>",
        escape(&s.fmt(
            "page_of",
            &[
                ("n", &p.number.to_string()),
                ("count", &p.count.to_string())
            ]
        ))
    ));
    if p.number < p.count {
        parts.push(format!(
            "<a rel=\"next\" href=\"{}\">{}</a>",
            escape(&at(p.number + 1)),
            escape(s.t("page_next"))
        ));
    }
    format!(
        "<p class=\"pager page-nav\" role=\"navigation\" aria-label=\"{}\">{}</p>",
        escape(label),
        parts.join(" | ")
    )
}

fn page_block(ui: &Ui, p: &PageView) -> String {
    let s = ui.s();
    let label = s.t("page_nav_label");
    let mut out = page_nav(ui, p, label);
    match &p.image {
        Ok((url, w, h)) => out.push_str(&format!(
            "<p class=\"page-image\"><img src=\"{}\" width=\"{w}\" height=\"{h}\" alt=\"{}\"></p>",
            escape(url),
            escape(&s.fmt("page_image_alt", &[("n", &p.number.to_string())]))
        )),
        Err(reason) => out.push_str(&format!(
            "<p class=\"notice\">{}</p>",
            escape(&s.fmt("page_not_drawn", &[("reason", reason)]))
        )),
    }
    out.push_str(&page_nav(ui, p, label));
    if p.count > 2 {
        out.push_str(&format!(
            "<form class=\"page-jump\" method=\"get\" action=\"{}\"><label for=\"page-number\">{}</label> <input type=\"text\" id=\"page-number\" name=\"page\" size=\"4\" value=\"{}\">{}<input type=\"submit\" value=\"{}\"></form>",
            escape(&p.view_url),
            escape(s.t("page_jump")),
            p.number,
            if ui.lang_in_url {
                format!("<input type=\"hidden\" name=\"lang\" value=\"{}\">", ui.lang.code())
            } else {
                String::new()
            },
            escape(s.t("page_go"))
        ));
    }
    if let Some(t) = p.text.as_deref().filter(|t| !t.trim().is_empty()) {
        out.push_str(&format!(
            "<div class=\"page-text\"><h2>{}</h2><div class=\"page-words\">{}</div></div>",
            escape(s.t("page_text")),
            t.split('\n')
                .filter(|l| !l.trim().is_empty())
                .map(|l| format!("<p>{}</p>", escape(l)))
                .collect::<String>()
        ));
    }
    out
}

pub fn document(ui: &Ui, v: &DocumentView) -> String {
    let s = ui.s();
    let mut out = format!("<h1>{}</h1>", escape(&v.title));
    let extra: Vec<String> = v
        .pages
        .map(|n| s.fmt("pages_count", &[("n", &n.to_string())]))
        .into_iter()
        .collect();
    out.push_str(&meta_line(
        ui,
        v.date.as_deref(),
        None,
        v.collection.as_ref(),
        &extra,
    ));
    if v.encrypted {
        out.push_str(&format!(
            "<p class=\"notice\">{}</p>",
            escape(s.t("encrypted_note"))
        ));
    }
    if let Some(p) = &v.problem {
        out.push_str(&format!(
            "<p class=\"notice\">{}</p>",
            escape(&s.fmt("file_problem", &[("reason", p)]))
        ));
    }
    // The browser's own viewer opens at the page shown here.
    let open_url = match &v.page {
        Some(p) if p.number > 1 => format!("{}#page={}", v.file_url, p.number),
        _ => v.file_url.clone(),
    };
    out.push_str(&format!(
        "<p><a class=\"button primary\" href=\"{}\">{}</a> <span class=\"meta\">{}</span></p>",
        escape(&open_url),
        escape(s.t("open_in_browser")),
        escape(s.t("open_in_browser_hint"))
    ));
    out.push_str(&download_link(ui, &v.file_url, v.size));
    if !v.description_html.is_empty() {
        out.push_str(&format!(
            "<div class=\"description\">{}</div>",
            v.description_html
        ));
    }
    if let Some(p) = &v.page {
        out.push_str(&page_block(ui, p));
    }
    page(ui, &v.title, "", None, &out)
}

/// A Markdown page of the drive; `body_html` is already made safe.
pub fn markdown_page(ui: &Ui, title: &str, body_html: &str) -> String {
    page(
        ui,
        title,
        "",
        None,
        &format!("<div class=\"page\">{body_html}</div>"),
    )
}

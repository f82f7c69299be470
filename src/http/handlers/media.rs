//! Files of the drive (`/file/`), subtitles as WebVTT (`/vtt/`), the page of
//! each item (`/view/`) and listings (`/list/`).

use super::pages;
use crate::bundle::{Catalog, Item, Kind};
use crate::http::app::App;
use crate::http::request::{decode_path, Req};
use crate::http::response::{Body, Policy, Reply};
use crate::markdown::{self, LinkTarget};
use crate::media::names::SubtitleFormat;
use crate::media::subtitles;
use crate::pdf::RenderError;
use crate::readat::{FileAt, ReadAt};

use crate::render::links::{self, Resolved};
use crate::render::media::{
    self as view, DocumentView, DriveFile, ItemCard, ListView, PageView, PlayerView, Track,
};
use crate::render::{urls, Ui};

/// Subtitle files larger than this are not converted: real ones are a few
/// hundred KB.
const MAX_SUBTITLE: u64 = 8 << 20;

// The error is the page to answer with, built once per request.
#[allow(clippy::result_large_err)]
fn rel_of(ui: &Ui, rest: &str) -> Result<String, Reply> {
    let rel = decode_path(rest).map_err(|_| pages::bad_request(ui))?;
    if rel.is_empty() {
        return Err(pages::not_found(ui));
    }
    Ok(rel)
}

/// The MIME type browsers expect for a file of the drive.
pub fn mime_of(name: &str) -> String {
    let ext = crate::media::names::stem_and_ext(name)
        .1
        .to_ascii_lowercase();
    let known = match ext.as_str() {
        "mp4" | "m4v" => "video/mp4",
        "webm" => "video/webm",
        "ogv" => "video/ogg",
        "mkv" => "video/x-matroska",
        "mp3" => "audio/mpeg",
        "m4a" => "audio/mp4",
        "aac" => "audio/aac",
        "ogg" | "oga" => "audio/ogg",
        "opus" => "audio/ogg; codecs=opus",
        "wav" => "audio/wav",
        "flac" => "audio/flac",
        "vtt" => "text/vtt; charset=utf-8",
        "srt" => "text/plain; charset=utf-8",
        "md" | "markdown" => "text/plain; charset=utf-8",
        "pdf" => "application/pdf",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_string();
    }
    let m = mime_guess::from_path(name).first_or_octet_stream();
    if m.type_() == "text" {
        format!("{m}; charset=utf-8")
    } else {
        m.to_string()
    }
}

/// `Content-Disposition` with the name in both the old and the RFC 6266 form.
fn disposition(kind: &str, name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "{kind}; filename=\"{ascii}\"; filename*=UTF-8''{}",
        urls::segment_escape(name)
    )
}

/// `/file/<rel>`: the bytes of a file the walk found, with ranges, never a
/// path the walk did not list.
pub fn file(app: &App, req: &Req, ui: &Ui, rest: &str) -> Reply {
    let rel = match rel_of(ui, rest) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let Some(path) = app.catalog.file(&rel) else {
        return pages::not_found(ui);
    };
    let src = match FileAt::open(path) {
        Ok(s) => s,
        Err(e) => return pages::damaged(ui, &e.to_string()),
    };
    let name = rel.rsplit('/').next().unwrap_or(&rel);
    let etag = file_etag(path, src.len());
    let mut reply = Reply::content(&mime_of(name), Body::File(src));
    if let Some(e) = etag {
        reply = reply.with_etag(e);
    }
    reply.policy = Policy::File;
    let how = if req.param("download").is_some() {
        "attachment"
    } else {
        "inline"
    };
    reply.with_header("Content-Disposition", disposition(how, name))
}

/// `/save/<rel>`: the page that says a copy is about to land on this
/// computer; only from there does a link ask for the file as an attachment.
pub fn save(app: &App, _req: &Req, ui: &Ui, rest: &str) -> Reply {
    let rel = match rel_of(ui, rest) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let Some(path) = app.catalog.file(&rel) else {
        return pages::not_found(ui);
    };
    let size = match std::fs::metadata(path) {
        Ok(m) => m.len(),
        Err(e) => return pages::damaged(ui, &e.to_string()),
    };
    let back = match app.catalog.item(&rel) {
        Some(item) => urls::view(&item.rel),
        None => "/".to_string(),
    };
    let name = rel.rsplit('/').next().unwrap_or(&rel);
    Reply::html(
        200,
        crate::render::save::save_page(
            ui,
            &crate::render::save::SaveView {
                name,
                size,
                file_url: &urls::file(&rel),
                back_url: &back,
            },
        ),
    )
}

/// Whether browsers show a file of this type themselves rather than save it.
fn shown_inline(name: &str) -> bool {
    let mime = mime_of(name);
    ["text/", "image/", "video/", "audio/", "application/pdf"]
        .iter()
        .any(|p| mime.starts_with(p))
}

/// Size and modification time: a file copied anew gets a new tag.
fn file_etag(path: &std::path::Path, len: u64) -> Option<String> {
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    let nanos = modified
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos();
    Some(format!("\"{len:x}-{nanos:x}\""))
}

/// `/vtt/<rel>`: a subtitle file converted to WebVTT in UTF-8.
pub fn vtt(app: &App, _req: &Req, ui: &Ui, rest: &str) -> Reply {
    let rel = match rel_of(ui, rest) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let Some(path) = app.catalog.file(&rel) else {
        return pages::not_found(ui);
    };
    let lower = rel.to_ascii_lowercase();
    let format = if lower.ends_with(".srt") {
        SubtitleFormat::Srt
    } else if lower.ends_with(".vtt") {
        SubtitleFormat::Vtt
    } else {
        return pages::not_found(ui);
    };
    let bytes = match std::fs::metadata(path) {
        Ok(m) if m.len() > MAX_SUBTITLE => return pages::damaged(ui, "subtitle file too large"),
        Ok(_) => match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => return pages::damaged(ui, &e.to_string()),
        },
        Err(e) => return pages::damaged(ui, &e.to_string()),
    };
    let (text, _) = subtitles::decode_text(&bytes);
    let out = match format {
        SubtitleFormat::Srt => subtitles::srt_to_vtt(&text),
        SubtitleFormat::Vtt => subtitles::vtt_passthrough(&text),
    };
    let mut r = Reply::content("text/vtt; charset=utf-8", Body::Bytes(out.into_bytes()));
    r.policy = Policy::File;
    r
}

/// Resolves a link written in a Markdown file of folder `base` to a place
/// on this server: items to their page, other files to `/file/`, folders to
/// their listing, the internet to the notice page.
pub fn link_mapper<'a>(catalog: &'a Catalog, base: &'a str) -> impl Fn(&str) -> LinkTarget + 'a {
    move |url: &str| match links::resolve(catalog, base, url) {
        Resolved::External(to) => {
            LinkTarget::Replace(format!("/external?url={}", urls::query_escape(to.trim())))
        }
        Resolved::Anchor(a) => LinkTarget::Keep(a),
        Resolved::Invalid => LinkTarget::Drop,
        Resolved::Item { rel, fragment } => {
            LinkTarget::Keep(format!("{}{fragment}", urls::view(&rel)))
        }
        // A file no browser shows (an archive, a program) would be saved
        // at once: such links go to the page that says so first.
        Resolved::File(rel) if !shown_inline(&rel) => LinkTarget::Keep(urls::save(&rel)),
        Resolved::File(rel) | Resolved::Nowhere(rel) => LinkTarget::Keep(urls::file(&rel)),
        Resolved::Folder(folder) => LinkTarget::Keep(urls::list("all", Some(&folder))),
    }
}

/// A description under an item's page: its headings go below the page's `h1`.
fn render_md(catalog: &Catalog, item: &Item, md: &str) -> String {
    let base = item.collection.as_str();
    let mapper = link_mapper(catalog, base);
    crate::render::html::shift_headings(&markdown::render(md, &mapper), 1)
}

/// A Markdown page: it keeps its own headings, and gets the title as `h1`
/// when it has none.
fn render_page(catalog: &Catalog, item: &Item, title: &str, md: &str) -> String {
    let mapper = link_mapper(catalog, item.collection.as_str());
    let html = markdown::render(md, &mapper);
    if html.contains("<h1") {
        html
    } else {
        format!("<h1>{}</h1>{html}", crate::render::html::escape(title))
    }
}

fn collection_link(ui: &Ui, item: &Item) -> Option<(String, String)> {
    let label = if item.collection.is_empty() {
        ui.s().t("top_folder").to_string()
    } else {
        item.collection.clone()
    };
    Some((label, urls::list(item.kind.slug(), Some(&item.collection))))
}

/// `/view/<rel>`: the page of one item.
pub fn item_page(app: &App, req: &Req, ui: &Ui, rest: &str) -> Reply {
    let rel = match rel_of(ui, rest) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let Some(item) = app.catalog.item(&rel) else {
        return pages::not_found(ui);
    };
    let d = item.details();
    let html = match item.kind {
        Kind::Page => view::markdown_page(
            ui,
            &d.title,
            &render_page(&app.catalog, item, &d.title, &d.body_md),
        ),
        Kind::Document => {
            let f = item.facts();
            view::document(
                ui,
                &DocumentView {
                    title: d.title.clone(),
                    date: d.date.clone(),
                    pages: f.pages,
                    size: d.size,
                    file_url: urls::file(&item.rel),
                    collection: collection_link(ui, item),
                    description_html: render_md(&app.catalog, item, &d.body_md),
                    encrypted: f.encrypted,
                    problem: f.problem.clone(),
                    page: document_page(app, req, item),
                },
            )
        }
        Kind::Video | Kind::Audio => {
            let f = item.facts();
            let ext = crate::media::names::stem_and_ext(&item.file_name)
                .1
                .to_ascii_uppercase();
            let playlist = if item.kind == Kind::Audio {
                app.catalog
                    .items_of(Kind::Audio)
                    .filter(|o| o.collection == item.collection)
                    .map(|o| {
                        (
                            o.details().title.clone(),
                            urls::view(&o.rel),
                            urls::file(&o.rel),
                            o.rel == item.rel,
                        )
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let video = item.kind == Kind::Video;
            let files = item.files();
            let sources: Vec<(String, String)> = if video {
                files
                    .iter()
                    // `?t=SECONDS` (a search hit in the subtitles): the
                    // player starts there, with or without JavaScript (a
                    // media fragment on each file's address).
                    .filter_map(|x| {
                        let url = format!("{}{}", urls::file(x.rel), start_fragment(req));
                        Some((url, x.facts.source_type.clone()?))
                    })
                    .collect()
            } else if f.playable {
                vec![(
                    format!("{}{}", urls::file(&item.rel), start_fragment(req)),
                    mime_of(&item.file_name),
                )]
            } else {
                Vec::new()
            };
            let drive_files = if video {
                files
                    .iter()
                    .map(|x| DriveFile {
                        shown_path: app.catalog.shown_path(x.rel),
                        format: x.facts.format_label.clone(),
                        url: urls::file(x.rel),
                    })
                    .collect()
            } else {
                Vec::new()
            };
            view::player(
                ui,
                &PlayerView {
                    video,
                    title: d.title.clone(),
                    date: d.date.clone(),
                    duration_secs: files.iter().find_map(|x| x.facts.duration_secs),
                    collection: collection_link(ui, item),
                    file_url: urls::file(&item.rel),
                    playable: !sources.is_empty(),
                    sources,
                    size: d.size,
                    poster_url: item.poster.as_deref().map(urls::file),
                    tracks: item
                        .subtitles
                        .iter()
                        .map(|s| Track {
                            url: urls::vtt(&s.rel),
                            lang: s.lang.clone(),
                        })
                        .collect(),
                    drive_files,
                    plays_in: if video { item.plays_in() } else { Vec::new() },
                    format_name: if video {
                        files
                            .iter()
                            .map(|x| x.facts.format_label.clone())
                            .collect::<Vec<_>>()
                            .join(", ")
                    } else {
                        ext
                    },
                    description_html: render_md(&app.catalog, item, &d.body_md),
                    problem: f.problem.clone(),
                    playlist,
                },
            )
        }
    };
    Reply::html(200, html)
}

/// Width of a page picture on a document's page: fits a 1024-pixel
/// screen beside the browser's borders.
const PAGE_WIDTH: u32 = 900;

/// `/view/<doc>?page=N`: the page drawn now (so a damaged page says so in
/// words, and the picture's size is known), then served from the cache.
fn document_page(app: &App, req: &Req, item: &Item) -> Option<PageView> {
    let known = item.facts().pages.filter(|&n| n > 0);
    let asked = req.param_usize("page").unwrap_or(1).max(1);
    let mut number = u32::try_from(asked)
        .unwrap_or(u32::MAX)
        .min(known.unwrap_or(u32::MAX));
    let mut drawn = app.pages.page(&item.path, number, PAGE_WIDTH);
    // hayro may count fewer pages than the header said: show its last one.
    if let Err(RenderError::NoSuchPage { pages }) = drawn {
        if pages > 0 && pages < number {
            number = pages;
            drawn = app.pages.page(&item.path, number, PAGE_WIDTH);
        }
    }
    let count = match &drawn {
        Ok(img) => img.pages,
        Err(_) => known.unwrap_or(number),
    };
    Some(PageView {
        number,
        count,
        image: drawn
            .map(|img| {
                (
                    page_image_url(&item.rel, number, PAGE_WIDTH),
                    img.width,
                    img.height,
                )
            })
            .map_err(|e| e.to_string()),
        text: app.pages.page_text(&item.path, number),
        view_url: urls::view(&item.rel),
    })
}

/// `/pageimg/<doc>?page=N&w=W`.
pub fn page_image_url(rel: &str, page: u32, width: u32) -> String {
    format!("/pageimg/{}?page={page}&w={width}", urls::path_escape(rel))
}

/// `/pageimg/<doc>?page=N&w=W`: a page of a document as a PNG.
pub fn page_image(app: &App, req: &Req, ui: &Ui, rest: &str) -> Reply {
    let rel = match rel_of(ui, rest) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let Some(item) = app.catalog.item(&rel).filter(|i| i.kind == Kind::Document) else {
        return pages::not_found(ui);
    };
    let page = req
        .param_usize("page")
        .and_then(|p| u32::try_from(p).ok())
        .unwrap_or(1)
        .max(1);
    let width = req
        .param_usize("w")
        .and_then(|w| u32::try_from(w).ok())
        .unwrap_or(PAGE_WIDTH);
    match app.pages.page(&item.path, page, width) {
        Ok(img) => {
            let mut r = Reply::content("image/png", Body::Bytes(img.png.clone()));
            r.policy = Policy::File;
            r
        }
        Err(RenderError::NoSuchPage { .. }) => pages::not_found(ui),
        Err(e) => pages::damaged(ui, &e.to_string()),
    }
}

/// A card for lists.
pub fn card(item: &Item) -> ItemCard {
    let d = item.details();
    let duration = matches!(item.kind, Kind::Video | Kind::Audio)
        .then(|| item.facts().duration_secs)
        .flatten();
    ItemCard {
        title: d.title.clone(),
        url: urls::view(&item.rel),
        date: d.date.clone(),
        duration_secs: duration,
        collection: item.collection.clone(),
        page_picture: item.kind == Kind::Document && item.poster.is_none(),
        poster_url: match item.kind {
            // The first page, drawn small: newspapers are known by their front.
            Kind::Document if item.poster.is_none() => {
                Some(page_image_url(&item.rel, 1, view::PAGE_THUMB_WIDTH))
            }
            _ => item.poster.as_deref().map(urls::file),
        },
    }
}

/// Newest first: by date, then by the file's time; undated items last.
pub fn newest_first(items: &mut [&Item]) {
    items.sort_by(|a, b| {
        let (da, db) = (a.details(), b.details());
        db.date
            .cmp(&da.date)
            .then_with(|| db.modified.cmp(&da.modified))
            .then_with(|| da.title.cmp(&db.title))
    });
}

pub const LIST_PAGE: usize = 50;

/// `/list/<kind>[?collection=…][&sort=title|date][&offset=N]`; kind `all`
/// lists every kind (a folder's content).
pub fn list(app: &App, req: &Req, ui: &Ui, rest: &str) -> Reply {
    let kind = match rest {
        "all" => None,
        k => match Kind::from_slug(k) {
            Some(k) => Some(k),
            None => return pages::not_found(ui),
        },
    };
    let collection = req.param("collection");
    let by_title = req.param("sort") == Some("title");
    let offset = req.param_usize("offset").unwrap_or(0);
    let mut items: Vec<&Item> = app
        .catalog
        .items
        .iter()
        .filter(|i| kind.is_none_or(|k| i.kind == k))
        .filter(|i| {
            collection
                .is_none_or(|c| i.collection == c || i.collection.starts_with(&format!("{c}/")))
        })
        .collect();
    if by_title {
        items.sort_by_cached_key(|i| i.details().title.to_lowercase());
    } else {
        newest_first(&mut items);
    }
    let total = items.len();
    let slug = kind.map_or("all", Kind::slug);
    let s = ui.s();
    let base_heading = match kind {
        Some(k) => s.t(&format!("section_{}", k.slug())).to_string(),
        None => s.t("library_heading").to_string(),
    };
    let heading = match collection {
        Some(c) if !c.is_empty() => format!("{base_heading} – {c}"),
        _ => base_heading,
    };
    let url_with = |sort: Option<&str>, off: usize| {
        let mut u = urls::list(slug, collection);
        let mut sep = if u.contains('?') { '&' } else { '?' };
        if let Some(so) = sort {
            u.push_str(&format!("{sep}sort={so}"));
            sep = '&';
        }
        if off > 0 {
            u.push_str(&format!("{sep}offset={off}"));
        }
        u
    };
    let sort = by_title.then_some("title");
    let mut collections: Vec<String> = app
        .catalog
        .items
        .iter()
        .filter(|i| kind.is_none_or(|k| i.kind == k))
        .map(|i| i.collection.clone())
        .collect();
    collections.sort();
    collections.dedup();
    let mut collection_links = vec![(
        s.t("all_collections").to_string(),
        urls::list(slug, None),
        collection.is_none(),
    )];
    for c in collections {
        let label = if c.is_empty() {
            s.t("top_folder").to_string()
        } else {
            c.clone()
        };
        let current = collection == Some(c.as_str());
        collection_links.push((label, urls::list(slug, Some(&c)), current));
    }
    let cards: Vec<ItemCard> = items
        .iter()
        .skip(offset)
        .take(LIST_PAGE)
        .map(|i| card(i))
        .collect();
    let v = ListView {
        heading,
        sort_links: vec![
            (s.t("sort_date").to_string(), url_with(None, 0), !by_title),
            (
                s.t("sort_title").to_string(),
                url_with(Some("title"), 0),
                by_title,
            ),
        ],
        collections: collection_links,
        total,
        offset,
        prev_url: (offset > 0).then(|| url_with(sort, offset.saturating_sub(LIST_PAGE))),
        next_url: (offset + LIST_PAGE < total).then(|| url_with(sort, offset + LIST_PAGE)),
        items: cards,
    };
    Reply::html(200, view::listing(ui, &v))
}

/// `#t=SECONDS` for a player's source when the page was asked for with
/// `?t=SECONDS`; empty otherwise.
fn start_fragment(req: &Req) -> String {
    match req.param("t").and_then(|t| t.parse::<u32>().ok()) {
        Some(t) if t > 0 => format!("#t={t}"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_names() {
        assert_eq!(
            disposition("attachment", "서울 (1987).mp4"),
            "attachment; filename=\"__ (1987).mp4\"; filename*=UTF-8''%EC%84%9C%EC%9A%B8%20(1987).mp4"
        );
    }
}

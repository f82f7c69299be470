//! Turns data into HTML pages. Knows nothing of files, archives or HTTP: the
//! handlers pass in plain view structs and get a string back.

pub mod contained;
pub mod format;
pub mod html;
pub mod i18n;
pub mod links;
pub mod media;
pub mod rewrite;
pub mod save;
pub mod search_kinds;
pub mod static_index;
pub mod template;
pub mod urls;

use crate::assets;
use crate::lang::Lang;
pub use contained::bare_message;
use html::escape;
use i18n::Strings;
use template::{render, Vars};

/// Who the page is for: the UI language, and whether the language was asked
/// for in the URL (then every link carries it, since we keep no cookie).
#[derive(Clone, Debug)]
pub struct Ui {
    pub lang: Lang,
    pub lang_in_url: bool,
    /// The library's name as the drive sets it (front matter `library:` of
    /// its welcome page); the neutral default otherwise.
    pub brand: Option<std::sync::Arc<str>>,
    /// The page's own query without `lang` (`q=…&kind=…&`, escaped for a
    /// URL): the language links keep it, so switching language shows the
    /// same page (the same results, the same newspaper page).
    pub here: String,
}

impl Ui {
    pub fn new(lang: Lang, lang_in_url: bool) -> Ui {
        Ui {
            lang,
            lang_in_url,
            brand: None,
            here: String::new(),
        }
    }

    /// The page's query to keep in the language links (`lang` and the
    /// close control's `token` left out).
    pub fn with_query(mut self, query: &[(String, String)]) -> Ui {
        self.here = query
            .iter()
            .filter(|(k, _)| k != "lang" && k != "token")
            .map(|(k, v)| format!("{}={}&", urls::query_escape(k), urls::query_escape(v)))
            .collect();
        self
    }

    pub fn with_brand(mut self, brand: Option<std::sync::Arc<str>>) -> Ui {
        self.brand = brand;
        self
    }

    /// The name shown in the header and window titles.
    pub fn brand(&self) -> &str {
        match &self.brand {
            Some(b) => b,
            None => self.s().t("brand"),
        }
    }

    pub fn s(&self) -> &'static Strings {
        Strings::get(self.lang)
    }

    /// A link to one of our own pages, carrying the language when the URL set it.
    pub fn link(&self, path_and_query: &str) -> String {
        if !self.lang_in_url {
            return path_and_query.to_string();
        }
        // The language goes before a `#page=4` or `#t=` fragment.
        let (path_and_query, fragment) = match path_and_query.find('#') {
            Some(i) => path_and_query.split_at(i),
            None => (path_and_query, ""),
        };
        let sep = if path_and_query.contains('?') {
            '&'
        } else {
            '?'
        };
        format!("{path_and_query}{sep}lang={}{fragment}", self.lang.code())
    }
}

/// One archive on the home page.
pub struct ArchiveCard {
    pub id: String,
    pub title: String,
    pub description: String,
    pub language: String,
    pub articles: u32,
    pub url: String,
    pub icon_url: Option<String>,
    pub damaged: Option<String>,
    pub file: String,
}

pub struct HomeView {
    pub archives: Vec<ArchiveCard>,
    /// Documents, films, radio, pages: count and newest of each.
    pub sections: Vec<media::Section>,
    /// The drive's welcome page, rendered (already made safe).
    pub welcome_html: Option<String>,
}

pub struct ResultItem {
    pub title: String,
    pub url: String,
    pub source: String,
    pub snippet_html: Option<String>,
}

pub struct SearchView<'a> {
    /// A plain note above the results (the drive still being read).
    pub notice: Option<String>,
    pub q: &'a str,
    pub scope: Option<(&'a str, &'a str)>,
    /// The kind the results are narrowed to (`document`…), if any.
    pub only: Option<&'static str>,
    /// The kinds offered as filters, in order, each with how many results
    /// the query finds of it (none within an archive).
    pub kinds: Vec<(&'static str, u64)>,
    pub total: u64,
    pub results: Vec<ResultItem>,
    pub offset: usize,
    pub page_size: usize,
}

/// Wraps page content in the common frame: header, search box, language switch.
pub fn page(ui: &Ui, title: &str, q: &str, scope: Option<&str>, content: &str) -> String {
    page_searching(ui, title, q, scope, None, content)
}

/// `page` whose search box also keeps the results' kind filter (`kind`,
/// on a filtered results page): searching again stays within it.
fn page_searching(
    ui: &Ui,
    title: &str,
    q: &str,
    scope: Option<&str>,
    kind: Option<&str>,
    content: &str,
) -> String {
    let s = ui.s();
    let full_title = if title.is_empty() {
        ui.brand().to_string()
    } else {
        format!("{title} – {}", ui.brand())
    };
    let mut hidden = String::new();
    if let Some(id) = scope {
        hidden.push_str(&format!(
            "<input type=\"hidden\" name=\"zim\" value=\"{}\">",
            escape(id)
        ));
    }
    if let Some(k) = kind {
        hidden.push_str(&format!(
            "<input type=\"hidden\" name=\"kind\" value=\"{}\">",
            escape(k)
        ));
    }
    if ui.lang_in_url {
        hidden.push_str(&format!(
            "<input type=\"hidden\" name=\"lang\" value=\"{}\">",
            ui.lang.code()
        ));
    }
    let vars = Vars::new()
        .text("lang", ui.lang.code())
        .text("title", full_title)
        .text("assets", assets::PREFIX)
        .text("home", ui.link("/"))
        .text("brand", ui.brand())
        .text("q", q)
        .html("search_hidden", hidden)
        .text(
            "close_url",
            format!("/close?token={}", crate::session::close_token()),
        )
        .text("hide_url", ui.link("/hide"))
        .html("lang_switch", lang_switch(ui))
        .html("content", content);
    render("layout", &vars, s)
}

fn lang_switch(ui: &Ui) -> String {
    Lang::ALL
        .iter()
        .map(|&l| {
            let label = escape(Strings::get(l).t(&format!("lang_{}", l.code())));
            if l == ui.lang {
                format!("<strong lang=\"{l}\" aria-current=\"true\">{label}</strong>")
            } else {
                // A plain link: the server reads `lang` from the URL, no cookie.
                format!(
                    "<a lang=\"{l}\" hreflang=\"{l}\" href=\"?{}lang={l}\">{label}</a>",
                    escape(&ui.here)
                )
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn home(ui: &Ui, view: &HomeView) -> String {
    let s = ui.s();
    let nothing = view.archives.is_empty() && view.sections.iter().all(|x| x.count == 0);
    let archives = if nothing {
        empty_library(ui)
    } else if view.archives.is_empty() {
        String::new()
    } else {
        let mut out = format!(
            "<div class=\"kind library\" role=\"region\" aria-labelledby=\"h-library\"><h2 id=\"h-library\">{}</h2><ul class=\"cards\">",
            escape(s.t("library_heading"))
        );
        for a in &view.archives {
            out.push_str(&archive_card(ui, a));
        }
        out.push_str("</ul></div>");
        out
    };
    let welcome = view
        .welcome_html
        .as_ref()
        .map(|w| format!("<div class=\"welcome\">{w}</div>"))
        .unwrap_or_default();
    let content = render(
        "home",
        &Vars::new()
            .html("welcome", welcome)
            .text("brand", ui.brand())
            .html("archives", archives)
            .html("sections", media::sections(ui, &view.sections)),
        s,
    );
    page(ui, "", "", None, &content)
}

fn empty_library(ui: &Ui) -> String {
    // Both languages at once: whoever set up this drive may read either.
    let mut out = String::from("<div class=\"empty\">");
    let mut langs = vec![ui.lang];
    langs.extend(Lang::ALL.iter().copied().filter(|&l| l != ui.lang));
    for l in langs {
        let s = Strings::get(l);
        out.push_str(&format!(
            "<div lang=\"{l}\"><h2>{}</h2><p>{}</p></div>",
            escape(s.t("empty_title")),
            escape(s.t("empty_body"))
        ));
    }
    out.push_str("</div>");
    out
}

fn archive_card(ui: &Ui, a: &ArchiveCard) -> String {
    let s = ui.s();
    if let Some(reason) = &a.damaged {
        return format!(
            "<li class=\"card damaged\"><h3>{}</h3><p class=\"file\">{}</p><p>{}</p></li>",
            escape(&a.title),
            escape(&a.file),
            escape(&s.fmt("archive_damaged", &[("reason", reason)]))
        );
    }
    let icon = match &a.icon_url {
        Some(u) => format!(
            "<img class=\"icon\" src=\"{}\" width=\"48\" height=\"48\" alt=\"\">",
            escape(u)
        ),
        None => "<span class=\"icon blank\" aria-hidden=\"true\"></span>".to_string(),
    };
    let mut meta = vec![s.fmt(
        "articles_count",
        &[("n", &format_count(ui.lang, a.articles as u64))],
    )];
    if !a.language.is_empty() {
        meta.push(s.fmt("archive_language", &[("lang", &a.language)]));
    }
    format!(
        "<li class=\"card\">{icon}<div class=\"body\"><h3><a href=\"{url}\">{title}</a></h3><p>{desc}</p><p class=\"meta\">{meta}</p></div></li>",
        url = escape(&ui.link(&a.url)),
        title = escape(&a.title),
        desc = escape(&a.description),
        meta = escape(&meta.join(" · ")),
    )
}

/// 1234567 → "1,234,567" (both languages group by thousands).
pub fn format_count(_lang: Lang, n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn search(ui: &Ui, v: &SearchView) -> String {
    let s = ui.s();
    let heading = if v.q.is_empty() {
        s.t("search_heading_empty").to_string()
    } else {
        s.fmt("search_heading", &[("q", v.q)])
    };
    let summary = if v.q.is_empty() {
        s.t("search_prompt").to_string()
    } else if v.total == 0 {
        s.t("search_none").to_string()
    } else {
        s.fmt(
            "search_summary",
            &[("total", &format_count(ui.lang, v.total))],
        )
    };
    let mut results = search_kinds::bar(ui, v);
    if let Some(n) = &v.notice {
        results.push_str(&format!("<p class=\"notice\">{}</p>", escape(n)));
    }
    if !v.results.is_empty() {
        results.push_str(&format!(
            "<ol class=\"results\" start=\"{}\">",
            v.offset + 1
        ));
        for r in &v.results {
            results.push_str(&format!(
                "<li><a href=\"{}\">{}</a> <span class=\"source\">{}</span>",
                escape(&r.url),
                escape(&r.title),
                escape(&r.source)
            ));
            if let Some(sn) = &r.snippet_html {
                results.push_str(&format!("<p class=\"snippet\">{sn}</p>"));
            }
            results.push_str("</li>");
        }
        results.push_str("</ol>");
    }
    let pager = pager(ui, v);
    let content = render(
        "search",
        &Vars::new()
            .text("heading", heading)
            .text("summary", summary)
            .html("results", results)
            .html("pager", pager),
        s,
    );
    page_searching(ui, v.q, v.q, v.scope.map(|(id, _)| id), v.only, &content)
}

fn pager(ui: &Ui, v: &SearchView) -> String {
    let s = ui.s();
    let size = v.page_size.max(1);
    let mut links = Vec::new();
    let base = |offset: usize| search_kinds::search_url(ui, v, v.only, offset);
    if v.offset > 0 {
        links.push(format!(
            "<a rel=\"prev\" href=\"{}\">{}</a>",
            base(v.offset.saturating_sub(size)),
            escape(s.t("pager_prev"))
        ));
    }
    if u64::try_from(v.offset.saturating_add(v.results.len())).is_ok_and(|shown| shown < v.total)
        && !v.results.is_empty()
    {
        links.push(format!(
            "<a rel=\"next\" href=\"{}\">{}</a>",
            base(v.offset + size),
            escape(s.t("pager_next"))
        ));
    }
    if links.is_empty() {
        return String::new();
    }
    let page_no = v.offset / size + 1;
    format!(
        "<div class=\"pager\" role=\"navigation\" aria-label=\"{}\">{} <span>{}</span></div>",
        escape(s.t("pager_label")),
        links.join(" "),
        escape(&s.fmt("page_of", &[("page", &page_no.to_string())]))
    )
}

/// A page with a heading and one paragraph: errors, notices.
pub fn message(ui: &Ui, title: &str, body: &str) -> String {
    let content = render(
        "message",
        &Vars::new()
            .text("title", title)
            .html("body", format!("<p>{}</p>", escape(body)))
            .text("home", ui.link("/")),
        ui.s(),
    );
    page(ui, title, "", None, &content)
}

/// The page shown instead of following a link that leaves the drive.
pub fn external(ui: &Ui, address: &str) -> String {
    let content = render(
        "external",
        &Vars::new()
            .text("address", address)
            .text("home", ui.link("/")),
        ui.s(),
    );
    page(ui, ui.s().t("external_heading"), "", None, &content)
}

/// What the close control leaves behind: a page that says nothing of what
/// was open.
pub fn closed(ui: &Ui) -> String {
    let s = ui.s();
    format!(
        "<!DOCTYPE html><html lang=\"{l}\"><head><meta charset=\"utf-8\"><title>{t}</title><link rel=\"stylesheet\" href=\"{a}style.css\"></head><body><div class=\"wrap plain\"><p>{b}</p></div></body></html>",
        l = ui.lang.code(),
        t = escape(s.t("closed_title")),
        a = assets::PREFIX,
        b = escape(s.t("closed_body")),
    )
}

/// The neutral page of the quick-hide key: blank, with a plain title, or the
/// drive's own `hide.md`.
pub fn hidden(ui: &Ui, body_html: Option<&str>) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"{l}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{t}</title><link rel=\"stylesheet\" href=\"{a}style.css\"></head><body class=\"hidden-page\"><div class=\"wrap plain\">{b}</div></body></html>",
        l = ui.lang.code(),
        t = escape(ui.s().t("hide_title")),
        a = assets::PREFIX,
        b = body_html.unwrap_or(""),
    )
}

/// The small bar above archive pages: home, search this archive, random
/// article, hide, close. Plain links and a GET form: no JavaScript needed.
/// The close token goes only into the viewer (`with_token`); a page of an
/// archive gets a link to the close page instead, so no archive ever holds
/// the token.
pub fn toolbar(ui: &Ui, zim_id: &str, zim_title: &str, with_token: bool) -> String {
    let s = ui.s();
    let id_q = urls::query_escape(zim_id);
    let lang_field = if ui.lang_in_url {
        format!(
            "<input type=\"hidden\" name=\"lang\" value=\"{}\">",
            ui.lang.code()
        )
    } else {
        String::new()
    };
    format!(
        concat!(
            "<div id=\"ds-bar\" role=\"navigation\" aria-label=\"{label}\" lang=\"{lang}\">",
            // Spaces between the pieces: engines that ignore the margins
            // (Dillo) and text browsers still show them apart.
            "<a href=\"{home}\">{home_t}</a> ",
            "<span class=\"ds-title\">{title}</span> ",
            "<form action=\"/search\" method=\"get\"><input type=\"hidden\" name=\"zim\" value=\"{id}\">{lang_field}",
            "<input class=\"ds-q\" type=\"search\" name=\"q\" aria-label=\"{search_t}\" placeholder=\"{search_t}\" data-suggest=\"/api/suggest\" data-zim=\"{id}\" autocomplete=\"off\">",
            "<input class=\"ds-go\" type=\"submit\" value=\"{go}\"></form> ",
            "<a href=\"{random}\">{random_t}</a> ",
            "<a class=\"ds-hide\" href=\"/hide\">{hide_t}</a> ",
            "{close}",
            "</div>"
        ),
        label = escape(s.t("toolbar_label")),
        lang = ui.lang.code(),
        home = escape(&ui.link("/")),
        home_t = escape(s.t("toolbar_home")),
        title = escape(zim_title),
        id = escape(zim_id),
        lang_field = lang_field,
        search_t = escape(s.t("toolbar_search")),
        go = escape(s.t("search_button")),
        random = escape(&ui.link(&format!("/random?zim={id_q}"))),
        random_t = escape(s.t("toolbar_random")),
        hide_t = escape(s.t("hide")),
        close = if with_token {
            format!(
                "<form class=\"ds-close\" method=\"post\" action=\"/close?token={}\"><input type=\"submit\" value=\"{}\"></form>",
                crate::session::close_token(),
                escape(s.t("close"))
            )
        } else {
            format!(
                "<a class=\"ds-close\" href=\"{}\">{}</a>",
                escape(&ui.link("/close")),
                escape(s.t("close"))
            )
        },
    )
}

/// A moment of a film as people read it: `m:ss`, or `h:mm:ss`.
pub fn clock(secs: f64) -> String {
    let t = if secs.is_finite() && secs > 0.0 {
        secs as u64
    } else {
        0
    };
    if t >= 3600 {
        format!("{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
    } else {
        format!("{}:{:02}", t / 60, t % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped() {
        assert_eq!(format_count(Lang::Ko, 0), "0");
        assert_eq!(format_count(Lang::Ko, 999), "999");
        assert_eq!(format_count(Lang::En, 1234567), "1,234,567");
    }

    #[test]
    fn lang_is_carried_only_when_in_url() {
        assert_eq!(Ui::new(Lang::En, false).link("/x?a=1"), "/x?a=1");
        assert_eq!(Ui::new(Lang::En, true).link("/x?a=1"), "/x?a=1&lang=en");
        assert_eq!(Ui::new(Lang::Ko, true).link("/"), "/?lang=ko");
    }

    #[test]
    fn empty_home_speaks_both_languages() {
        let out = home(
            &Ui::new(Lang::Ko, false),
            &HomeView {
                archives: vec![],
                sections: vec![],
                welcome_html: None,
            },
        );
        assert!(out.contains(Strings::get(Lang::Ko).t("empty_body")));
        assert!(out.contains(&escape(Strings::get(Lang::En).t("empty_body"))));
    }

    #[test]
    fn search_page_escapes_query() {
        let out = search(
            &Ui::new(Lang::En, false),
            &SearchView {
                notice: None,
                q: "<script>",
                scope: None,
                only: None,
                kinds: vec![],
                total: 0,
                results: vec![],
                offset: 0,
                page_size: 20,
            },
        );
        assert!(!out.contains("<script>"));
        assert!(out.contains("&lt;script&gt;"));
    }

    #[test]
    fn the_search_box_keeps_the_kind_only_when_filtered() {
        let view = |only| SearchView {
            notice: None,
            q: "x",
            scope: None,
            only,
            kinds: vec![("article", 1), ("document", 1)],
            total: 1,
            results: vec![],
            offset: 0,
            page_size: 20,
        };
        let ui = Ui::new(Lang::Ko, false);
        let out = search(&ui, &view(Some("document")));
        assert_eq!(
            out.matches("<input type=\"hidden\" name=\"kind\" value=\"document\">")
                .count(),
            1,
            "{out}"
        );
        assert!(!search(&ui, &view(None)).contains("name=\"kind\""));
    }

    #[test]
    fn the_language_links_keep_the_page_query() {
        let v = SearchView {
            notice: None,
            q: "국민 a&b",
            scope: None,
            only: Some("document"),
            kinds: vec![("document", 30)],
            total: 30,
            results: vec![],
            offset: 20,
            page_size: 20,
        };
        let query: Vec<(String, String)> = [
            ("q", "국민 a&b"),
            ("lang", "ko"),
            ("kind", "document"),
            ("offset", "20"),
            ("token", "secret"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let out = search(&Ui::new(Lang::Ko, true).with_query(&query), &v);
        assert!(
            out.contains(
                "href=\"?q=%EA%B5%AD%EB%AF%BC%20a%26b&amp;kind=document&amp;offset=20&amp;lang=en\""
            ),
            "{out}"
        );
        assert!(!out.contains("secret"), "{out}");
        let home = home(
            &Ui::new(Lang::Ko, false),
            &HomeView {
                archives: vec![],
                sections: vec![],
                welcome_html: None,
            },
        );
        assert!(home.contains("href=\"?lang=en\""), "{home}");
    }
}

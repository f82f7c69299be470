//! Markdown pages and descriptions from the drive: front matter and safe
//! rendering.
//!
//! pulldown-cmark has no safe mode: it passes raw HTML and `javascript:` links
//! through. Drive content is untrusted (anyone may have copied files onto it),
//! so raw HTML is turned into visible text and every URL goes through a check
//! and then the caller's mapping.

use pulldown_cmark::{html, Alignment, CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

/// The `---` block at the top of a Markdown file. Known keys get fields;
/// anything else lands in `extra` (keys lowercased, in file order).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub date: Option<String>,
    pub year: Option<String>,
    pub language: Option<String>,
    pub description: Option<String>,
    pub author: Option<String>,
    pub extra: Vec<(String, String)>,
}

/// Splits a front matter block off `text`. Returns the parsed block (if the
/// text starts with `---` and the block is closed by `---` or `...`) and the
/// body after it; otherwise `(None, text)`. Only flat `key: value` lines are
/// understood (quoted values, `# comments`, and `- item` lists joined with
/// ", "); this is not YAML.
pub fn split_front_matter(text: &str) -> (Option<FrontMatter>, &str) {
    let body = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let Some((first, mut rest)) = split_line(body) else {
        return (None, text);
    };
    if first.trim_end() != "---" {
        return (None, text);
    }
    let mut fm = FrontMatter::default();
    let mut last_key: Option<String> = None;
    loop {
        let Some((line, after)) = split_line(rest) else {
            // Never closed: not front matter after all (a thematic break).
            return (None, text);
        };
        rest = after;
        let trimmed = line.trim();
        if trimmed == "---" || trimmed == "..." {
            fm.finish();
            return (Some(fm), rest);
        }
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(item) = trimmed.strip_prefix("- ") {
            if let Some(key) = &last_key {
                let item = unquote(item.trim());
                let slot = fm.slot(key);
                if !slot.is_empty() {
                    slot.push_str(", ");
                }
                slot.push_str(&item);
            }
            continue;
        }
        let Some((key, value)) = trimmed.split_once(':') else {
            continue;
        };
        let key = key.trim().to_lowercase();
        if key.is_empty() {
            continue;
        }
        let value = unquote(value.trim());
        *fm.slot(&key) = value;
        last_key = Some(key);
    }
}

impl FrontMatter {
    /// The field a key fills (created empty if missing); empty fields are
    /// turned back into `None` by `finish`.
    fn slot(&mut self, key: &str) -> &mut String {
        let field = match key {
            "title" => &mut self.title,
            "date" => &mut self.date,
            "year" => &mut self.year,
            "language" | "lang" => &mut self.language,
            "description" | "summary" => &mut self.description,
            "author" | "authors" | "creator" => &mut self.author,
            _ => {
                let pos = match self.extra.iter().position(|(k, _)| k == key) {
                    Some(p) => p,
                    None => {
                        self.extra.push((key.to_owned(), String::new()));
                        self.extra.len() - 1
                    }
                };
                // `pos` is in range: found or just pushed.
                return &mut self.extra[pos].1;
            }
        };
        field.get_or_insert_with(String::new)
    }
}

impl FrontMatter {
    fn finish(&mut self) {
        for f in [
            &mut self.title,
            &mut self.date,
            &mut self.year,
            &mut self.language,
            &mut self.description,
            &mut self.author,
        ] {
            if f.as_deref() == Some("") {
                *f = None;
            }
        }
        self.extra.retain(|(_, v)| !v.is_empty());
    }
}

/// One line without its end (`\n` or `\r\n`) and the text after it; `None` at
/// the end of the text.
fn split_line(s: &str) -> Option<(&str, &str)> {
    if s.is_empty() {
        return None;
    }
    let (line, rest) = s.split_once('\n').unwrap_or((s, ""));
    Some((line.strip_suffix('\r').unwrap_or(line), rest))
}

fn unquote(v: &str) -> String {
    if let Some(inner) = v.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some(other) => out.push(other),
                    None => out.push('\\'),
                }
            } else {
                out.push(c);
            }
        }
        return out;
    }
    if let Some(inner) = v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        return inner.replace("''", "'");
    }
    // An unquoted value ends at a ` #` comment.
    match v.find(" #") {
        Some(p) => v.get(..p).unwrap_or(v).trim_end().to_owned(),
        None => v.to_owned(),
    }
}

/// What to do with a link or image URL, decided by the caller of [`render`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkTarget {
    /// Link (or show the image) to this URL: the original, or the same
    /// target mapped to where the server serves it.
    Keep(String),
    /// The original leads somewhere unreachable (outside the drive): link to
    /// this URL instead (e.g. the local notice page), showing the original as
    /// the link's tooltip. An image becomes such a link, with its alt text.
    Replace(String),
    /// No link at all: the link text stays as plain text, an image becomes
    /// its alt text.
    Drop,
}

/// Renders Markdown to an HTML fragment. Tables and strikethrough are on;
/// raw HTML shows as text; `javascript:`, `vbscript:` and `data:` URLs (but
/// `data:image/…` in images) are dropped before `link` sees them; every
/// other link, autolink and image URL is passed to `link`.
pub fn render(md: &str, link: &dyn Fn(&str) -> LinkTarget) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut stack: Vec<Open> = Vec::new();
    // pulldown-cmark aligns table cells with `style` attributes, which our
    // pages' Content-Security-Policy (`style-src 'self'`) refuses: alignment
    // was lost and the console logged an error per cell. Cells are written
    // here with the `align` attribute instead, which every browser honours.
    let mut aligns: Vec<Alignment> = Vec::new();
    let mut in_head = false;
    let mut column = 0usize;
    let events = Parser::new_ext(md, options).filter_map(|event| match event {
        Event::Start(Tag::Table(a)) => {
            aligns = a.clone();
            Some(Event::Start(Tag::Table(a)))
        }
        Event::Start(Tag::TableHead) => {
            in_head = true;
            column = 0;
            Some(Event::Start(Tag::TableHead))
        }
        Event::End(TagEnd::TableHead) => {
            in_head = false;
            Some(Event::End(TagEnd::TableHead))
        }
        Event::Start(Tag::TableRow) => {
            column = 0;
            Some(Event::Start(Tag::TableRow))
        }
        Event::Start(Tag::TableCell) => {
            let align = match aligns.get(column) {
                Some(Alignment::Left) => " align=\"left\"",
                Some(Alignment::Center) => " align=\"center\"",
                Some(Alignment::Right) => " align=\"right\"",
                Some(Alignment::None) | None => "",
            };
            column = column.saturating_add(1);
            let cell = if in_head { "th" } else { "td" };
            Some(Event::Html(format!("<{cell}{align}>").into()))
        }
        Event::End(TagEnd::TableCell) => {
            Some(Event::Html(if in_head { "</th>" } else { "</td>" }.into()))
        }
        Event::Html(s) | Event::InlineHtml(s) => Some(Event::Text(s)),
        Event::Start(Tag::HtmlBlock) => Some(Event::Start(Tag::Paragraph)),
        Event::End(TagEnd::HtmlBlock) => Some(Event::End(TagEnd::Paragraph)),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let (open, event) = link_start(false, link_type, dest_url, title, id, link);
            stack.push(open);
            event
        }
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let (open, event) = link_start(true, link_type, dest_url, title, id, link);
            stack.push(open);
            event
        }
        Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => match stack.pop() {
            Some(Open::Link) | Some(Open::ImageAsLink) => Some(Event::End(TagEnd::Link)),
            Some(Open::Image) => Some(Event::End(TagEnd::Image)),
            Some(Open::Dropped) | None => None,
        },
        other => Some(other),
    });
    let mut out = String::with_capacity(md.len() + md.len() / 2);
    html::push_html(&mut out, events);
    out
}

/// What an open link or image turned into, so its end matches.
#[derive(Clone, Copy)]
enum Open {
    Link,
    Image,
    ImageAsLink,
    Dropped,
}

/// The start of a link or an image as `link` decides it: kept (with its URL
/// mapped), replaced by a link elsewhere (an image then becomes a link with
/// its alt text), or dropped.
fn link_start<'a>(
    image: bool,
    link_type: LinkType,
    dest_url: CowStr<'a>,
    title: CowStr<'a>,
    id: CowStr<'a>,
    link: &dyn Fn(&str) -> LinkTarget,
) -> (Open, Option<Event<'a>>) {
    match decide(&dest_url, image, link) {
        LinkTarget::Keep(url) => {
            let dest_url = url.into();
            if image {
                let tag = Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                };
                (Open::Image, Some(Event::Start(tag)))
            } else {
                let tag = Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                };
                (Open::Link, Some(Event::Start(tag)))
            }
        }
        LinkTarget::Replace(url) => (
            if image { Open::ImageAsLink } else { Open::Link },
            Some(Event::Start(Tag::Link {
                link_type: LinkType::Inline,
                dest_url: url.into(),
                title: dest_url,
                id,
            })),
        ),
        LinkTarget::Drop => (Open::Dropped, None),
    }
}

fn decide(url: &CowStr, image: bool, link: &dyn Fn(&str) -> LinkTarget) -> LinkTarget {
    if dangerous_url(url, image) {
        LinkTarget::Drop
    } else {
        link(url)
    }
}

/// Browsers ignore ASCII whitespace and control characters inside a scheme
/// (`java\tscript:`) and compare it case-insensitively, so compare the same
/// way.
fn dangerous_url(url: &str, image: bool) -> bool {
    let squeezed: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .take(32)
        .flat_map(|c| c.to_lowercase())
        .collect();
    if squeezed.starts_with("javascript:") || squeezed.starts_with("vbscript:") {
        return true;
    }
    if squeezed.starts_with("data:") {
        let raster = [
            "data:image/png",
            "data:image/jpeg",
            "data:image/gif",
            "data:image/webp",
        ];
        return !(image && raster.iter().any(|p| squeezed.starts_with(p)));
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::testutil::{mutate, sample_bundle, Rng};
    use std::cell::RefCell;

    fn keep(u: &str) -> LinkTarget {
        LinkTarget::Keep(u.to_owned())
    }

    #[test]
    fn front_matter() {
        let text = "\u{FEFF}---\r\ntitle: \"서울의 겨울\"\r\nyear: 1987\nlanguage: ko # comment\nsubtitle: 'It''s'\ntags:\n  - a\n  - \"b\"\n---\n# Body\n";
        let (fm, body) = split_front_matter(text);
        let fm = fm.unwrap();
        assert_eq!(fm.title.as_deref(), Some("서울의 겨울"));
        assert_eq!(fm.year.as_deref(), Some("1987"));
        assert_eq!(fm.language.as_deref(), Some("ko"));
        assert_eq!(fm.date, None);
        assert_eq!(
            fm.extra,
            vec![
                ("subtitle".into(), "It's".into()),
                ("tags".into(), "a, b".into())
            ]
        );
        assert_eq!(body, "# Body\n");
    }

    #[test]
    fn no_front_matter() {
        assert_eq!(split_front_matter("# x\n"), (None, "# x\n"));
        assert_eq!(
            split_front_matter("---\nnot closed\n"),
            (None, "---\nnot closed\n")
        );
        assert_eq!(split_front_matter(""), (None, ""));
        let (fm, body) = split_front_matter("---\n---\n");
        assert_eq!(fm, Some(FrontMatter::default()));
        assert_eq!(body, "");
    }

    #[test]
    fn sample_descriptions() {
        let Some(dir) = sample_bundle() else { return };
        let text = std::fs::read_to_string(dir.join("radio/아침 뉴스 2024-02-07.md")).unwrap();
        let (fm, body) = split_front_matter(&text);
        let fm = fm.unwrap();
        assert_eq!(fm.title.as_deref(), Some("아침 뉴스"));
        assert_eq!(fm.date.as_deref(), Some("2024-02-07"));
        assert!(body.starts_with("\n# 아침 뉴스"));
        let welcome = std::fs::read_to_string(dir.join("welcome.md")).unwrap();
        let html = render(&welcome, &keep);
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("<img src=\"welcome.png\""), "{html}");
    }

    #[test]
    fn raw_html_is_text() {
        let html = render(
            "<script>alert(1)</script>\n\nhi <b onclick=x>there</b>\n\n<div>\n<iframe src=x>\n</div>\n",
            &keep,
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<b "), "{html}");
        assert!(!html.contains("<iframe"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(html.contains("&lt;b onclick=x&gt;there"), "{html}");
    }

    #[test]
    fn tables() {
        let html = render("| a | b | c |\n|:--|--:|:-:|\n| 1 | 2 | 3 |\n", &keep);
        assert!(
            html.contains("<table>")
                && html.contains("<td align=\"left\">1</td>")
                && html.contains("<td align=\"right\">2</td>")
                && html.contains("<td align=\"center\">3</td>"),
            "{html}"
        );
        // No inline style: the pages' CSP would refuse it.
        assert!(!html.contains("style="), "{html}");
        // Text that looks like the attribute stays text.
        let html = render("| a |\n|--:|\n| x style=\"text-align: right\" |\n", &keep);
        assert!(
            html.contains("<td align=\"right\">x style=\"text-align: right\"</td>"),
            "{html}"
        );
        assert!(html.contains("<th align=\"right\">a</th>"), "{html}");
    }

    #[test]
    fn links_go_through_callback() {
        let seen = RefCell::new(Vec::new());
        let cb = |u: &str| {
            seen.borrow_mut().push(u.to_owned());
            if u.starts_with("https://") {
                LinkTarget::Replace(format!("/outside?to={}", u.len()))
            } else if u == "gone.md" {
                LinkTarget::Drop
            } else {
                LinkTarget::Keep(format!("/drive/{u}"))
            }
        };
        let html = render(
            "[x](https://a) <https://b> ![pic](p.png) ![ext](https://c/i.png) [rel](<b c.pdf>) [g](gone.md) [j](JavaScript:alert(1)) [j2](java&#9;script:x) ![d](data:image/png;base64,AA) [d](data:text/html,x)",
            &cb,
        );
        assert_eq!(
            *seen.borrow(),
            vec![
                "https://a",
                "https://b",
                "p.png",
                "https://c/i.png",
                "b c.pdf",
                "gone.md",
                "data:image/png;base64,AA"
            ]
        );
        assert!(
            html.contains("<a href=\"/outside?to=9\" title=\"https://a\">x</a>"),
            "{html}"
        );
        assert!(
            html.contains("<a href=\"/outside?to=9\" title=\"https://b\">https://b</a>"),
            "{html}"
        );
        assert!(
            html.contains("<img src=\"/drive/p.png\" alt=\"pic\""),
            "{html}"
        );
        assert!(
            html.contains("<a href=\"/outside?to=15\" title=\"https://c/i.png\">ext</a>"),
            "{html}"
        );
        assert!(
            html.contains("<a href=\"/drive/b%20c.pdf\">rel</a>"),
            "{html}"
        );
        assert!(html.contains(" g "), "{html}");
        assert!(!html.to_lowercase().contains("script:"), "{html}");
        assert!(!html.contains("data:text"), "{html}");
    }

    #[test]
    fn fuzz_never_panics() {
        let mut seeds =
            vec![b"# T\n\n[a](b) <c> ![d](e) | x |\n|--|\n| y |\n<p>raw</p>\n".to_vec()];
        if let Some(dir) = sample_bundle() {
            if let Ok(b) = std::fs::read(dir.join("welcome.md")) {
                seeds.push(b);
            }
        }
        let mut rng = Rng::new(3);
        for round in 0..1500 {
            let mut data = seeds[round % seeds.len()].clone();
            for _ in 0..1 + rng.below(4) {
                mutate(&mut rng, &mut data);
            }
            let text = String::from_utf8_lossy(&data);
            let (_, body) = split_front_matter(&text);
            let _ = render(body, &|u| LinkTarget::Keep(u.to_owned()));
        }
    }
}

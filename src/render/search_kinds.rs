//! The results page's filter by kind (everything, encyclopedias,
//! newspapers, films, radio, pages), each with how many results it holds:
//! plain links, so it works without JavaScript and in every old browser;
//! the current choice is plain bold text, a kind with nothing is grey text
//! (no link to an empty page), and paging keeps the choice.

use super::html::escape;
use super::{format_count, urls, SearchView, Ui};

/// `/search?…` for this query, scope and kind, at `offset` (with the
/// page's language when the URL carries one), escaped for an attribute.
pub fn search_url(ui: &Ui, v: &SearchView, kind: Option<&str>, offset: usize) -> String {
    let mut q = format!("/search?q={}", urls::query_escape(v.q));
    if let Some((id, _)) = v.scope {
        q.push_str(&format!("&zim={}", urls::query_escape(id)));
    }
    if let Some(k) = kind {
        q.push_str(&format!("&kind={}", urls::query_escape(k)));
    }
    if offset > 0 {
        q.push_str(&format!("&offset={offset}"));
    }
    escape(&ui.link(&q))
}

/// The line of choices above the results; empty without a query, when
/// nothing at all is found, or when the search is within one archive.
pub fn bar(ui: &Ui, v: &SearchView) -> String {
    let all: u64 = v.kinds.iter().map(|(_, n)| n).sum();
    if v.q.is_empty() || v.kinds.is_empty() || (all == 0 && v.only.is_none()) {
        return String::new();
    }
    let s = ui.s();
    let choices = std::iter::once((None, all)).chain(v.kinds.iter().map(|&(k, n)| (Some(k), n)));
    let items: Vec<String> = choices
        .map(|(k, n)| {
            let label = escape(&s.fmt(
                "search_only_count",
                &[
                    ("kind", s.t(&format!("search_only_{}", k.unwrap_or("all")))),
                    ("count", &format_count(ui.lang, n)),
                ],
            ));
            if k == v.only {
                format!("<strong class=\"current\">{label}</strong>")
            } else if n == 0 {
                format!("<span class=\"none\">{label}</span>")
            } else {
                format!("<a href=\"{}\">{label}</a>", search_url(ui, v, k, 0))
            }
        })
        .collect();
    format!(
        "<p class=\"kinds\" role=\"navigation\" aria-label=\"{}\">{}</p>",
        escape(s.t("search_only_label")),
        items.join(" <span class=\"sep\">|</span> ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;

    fn view<'a>(q: &'a str, only: Option<&'static str>) -> SearchView<'a> {
        SearchView {
            notice: None,
            q,
            scope: None,
            only,
            kinds: vec![
                ("article", 1100),
                ("document", 120),
                ("video", 14),
                ("audio", 0),
                ("page", 3),
            ],
            total: 0,
            results: vec![],
            offset: 0,
            page_size: 20,
        }
    }

    #[test]
    fn the_current_kind_is_text_and_the_others_links_with_counts() {
        let ui = Ui::new(Lang::En, true);
        let out = bar(&ui, &view("a&b", Some("document")));
        assert!(
            out.contains("<strong class=\"current\">Newspapers (120)</strong>"),
            "{out}"
        );
        assert!(
            out.contains("href=\"/search?q=a%26b&amp;kind=video&amp;lang=en\">Films (14)</a>"),
            "{out}"
        );
        assert!(
            out.contains("href=\"/search?q=a%26b&amp;lang=en\">Everything (1,237)</a>"),
            "{out}"
        );
        assert!(
            out.contains(
                "href=\"/search?q=a%26b&amp;kind=article&amp;lang=en\">Encyclopedias (1,100)</a>"
            ),
            "{out}"
        );
        assert!(!out.contains("kind=document"), "{out}");
        // Radio found nothing: said, not linked.
        assert!(
            out.contains("<span class=\"none\">Radio (0)</span>"),
            "{out}"
        );
        assert!(!out.contains("kind=audio"), "{out}");
        assert_eq!(out.matches("<a ").count(), 4, "{out}");
    }

    #[test]
    fn korean_counts() {
        let ui = Ui::new(Lang::Ko, false);
        let out = bar(&ui, &view("서울", None));
        assert!(
            out.contains("<strong class=\"current\">모두 (1,237)</strong>"),
            "{out}"
        );
        assert!(out.contains(">백과사전 (1,100)</a>"), "{out}");
        assert!(out.contains(">신문 (120)</a>"), "{out}");
    }

    #[test]
    fn a_kind_filtered_to_nothing_is_still_bold() {
        let ui = Ui::new(Lang::En, false);
        let out = bar(&ui, &view("x", Some("audio")));
        assert!(
            out.contains("<strong class=\"current\">Radio (0)</strong>"),
            "{out}"
        );
    }

    #[test]
    fn no_bar_without_a_query_nothing_found_or_within_an_archive() {
        let ui = Ui::new(Lang::Ko, false);
        assert_eq!(bar(&ui, &view("", None)), "");
        let mut v = view("x", None);
        v.kinds.clear();
        assert_eq!(bar(&ui, &v), "");
        let mut v = view("x", None);
        for k in &mut v.kinds {
            k.1 = 0;
        }
        assert_eq!(bar(&ui, &v), "");
        assert!(bar(&ui, &view("x", None)).contains("<strong class=\"current\">"));
    }
}

//! The results page's filter by kind (everything, encyclopedias,
//! newspapers, films, radio, pages): plain links, so it works without
//! JavaScript and in every old browser; the current choice is plain bold
//! text, and paging keeps it.

use super::html::escape;
use super::{urls, SearchView, Ui};

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

/// The line of choices above the results; empty without a query or when
/// the search is within one archive.
pub fn bar(ui: &Ui, v: &SearchView) -> String {
    if v.q.is_empty() || v.kinds.is_empty() {
        return String::new();
    }
    let s = ui.s();
    let choices = std::iter::once(None).chain(v.kinds.iter().map(|k| Some(*k)));
    let items: Vec<String> = choices
        .map(|k| {
            let label = escape(s.t(&format!("search_only_{}", k.unwrap_or("all"))));
            if k == v.only {
                format!("<strong class=\"current\">{label}</strong>")
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
            kinds: vec!["article", "document", "video", "audio", "page"],
            total: 0,
            results: vec![],
            offset: 0,
            page_size: 20,
        }
    }

    #[test]
    fn the_current_kind_is_text_and_the_others_links() {
        let ui = Ui::new(Lang::En, true);
        let out = bar(&ui, &view("a&b", Some("document")));
        assert!(
            out.contains("<strong class=\"current\">Newspapers</strong>"),
            "{out}"
        );
        assert!(
            out.contains("href=\"/search?q=a%26b&amp;kind=video&amp;lang=en\""),
            "{out}"
        );
        assert!(
            out.contains("href=\"/search?q=a%26b&amp;lang=en\""),
            "{out}"
        );
        assert!(!out.contains("kind=document"), "{out}");
        assert_eq!(out.matches("<a ").count(), 5, "{out}");
    }

    #[test]
    fn no_bar_without_a_query_or_within_an_archive() {
        let ui = Ui::new(Lang::Ko, false);
        assert_eq!(bar(&ui, &view("", None)), "");
        let mut v = view("x", None);
        v.kinds.clear();
        assert_eq!(bar(&ui, &v), "");
        assert!(bar(&ui, &view("x", None)).contains("<strong class=\"current\">"));
    }
}

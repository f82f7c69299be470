//! The page shown before a copy of a file lands on the computer. The program
//! promises to leave nothing behind; a saved file is the one trace a
//! recipient can leave, so it is never one click away from a film or a
//! newspaper: this page says so plainly, in both languages, and only then
//! offers the file as an attachment.

use super::html::escape;
use super::i18n::Strings;
use super::{format, page, Ui};
use crate::lang::Lang;

pub struct SaveView<'a> {
    /// The file's name as the recipient will see it in their downloads.
    pub name: &'a str,
    pub size: u64,
    /// `/file/<rel>`; the attachment is this with `?download=1`.
    pub file_url: &'a str,
    /// Where "back" leads: the item's page, or the start page.
    pub back_url: &'a str,
}

pub fn save_page(ui: &Ui, v: &SaveView) -> String {
    let s = ui.s();
    let size = format::size(v.size);
    let vars = [("name", v.name), ("size", size.as_str())];
    let mut out = format!("<h1>{}</h1>", escape(s.t("save_title")));
    // The warning in the page's language first, then in the other one: who
    // clicks may read either.
    out.push_str(&format!(
        "<p class=\"notice\" lang=\"{}\">{}</p>",
        ui.lang.code(),
        escape(&s.fmt("save_explain", &vars))
    ));
    for &l in Lang::ALL.iter().filter(|&&l| l != ui.lang) {
        out.push_str(&format!(
            "<p class=\"meta\" lang=\"{}\">{}</p>",
            l.code(),
            escape(&Strings::get(l).fmt("save_explain", &vars))
        ));
    }
    out.push_str(&format!("<p>{}</p>", escape(s.t("save_view_instead"))));
    out.push_str(&format!(
        "<p><a class=\"button\" href=\"{}\">{}</a> <a href=\"{}\">{}</a></p>",
        escape(&format!("{}?download=1", v.file_url)),
        escape(s.t("save_confirm")),
        escape(&ui.link(v.back_url)),
        escape(s.t("save_back"))
    ));
    page(ui, s.t("save_title"), "", None, &out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_it_in_both_languages_then_offers_the_attachment() {
        let out = save_page(
            &Ui::new(Lang::Ko, false),
            &SaveView {
                name: "서울의 겨울 (1987).mp4",
                size: 2048,
                file_url: "/file/videos/a.mp4",
                back_url: "/view/videos/a.mp4",
            },
        );
        let ko = Strings::get(Lang::Ko).fmt("save_explain", &[("name", "x"), ("size", "y")]);
        let en = Strings::get(Lang::En).fmt("save_explain", &[("name", "x"), ("size", "y")]);
        let (ko_head, en_head) = (&ko[..ko.find('x').unwrap_or(4)], &en[..8]);
        assert!(out.contains(&escape(ko_head)), "{out}");
        assert!(out.contains(&escape(en_head)), "{out}");
        assert!(out.contains("서울의 겨울 (1987).mp4"));
        let warn = out.find(&escape(ko_head)).unwrap_or(usize::MAX);
        let link = out.find("href=\"/file/videos/a.mp4?download=1\"");
        assert!(
            link.is_some_and(|l| l > warn),
            "the link comes after the warning"
        );
        assert!(out.contains("href=\"/view/videos/a.mp4\""));
    }
}

//! UI strings, one file per language in `web/i18n/<lang>.txt`.
//!
//! Each line is `key = text`; `{name}` in a text is filled by [`Strings::fmt`].

use crate::assets;
use crate::lang::Lang;
use std::collections::HashMap;
use std::sync::OnceLock;

pub struct Strings {
    map: HashMap<String, String>,
}

fn parse(text: &str) -> HashMap<String, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let (k, v) = l.split_once('=')?;
            Some((k.trim().to_string(), v.trim().replace("\\n", "\n")))
        })
        .collect()
}

impl Strings {
    pub fn get(lang: Lang) -> &'static Strings {
        static KO: OnceLock<Strings> = OnceLock::new();
        static EN: OnceLock<Strings> = OnceLock::new();
        Strings::load(lang, [&KO, &EN], "")
    }

    /// Messages of `driveshelf check`, in `web/i18n/check.<lang>.txt`: kept
    /// apart from the pages' strings because only testers read them.
    pub fn check(lang: Lang) -> &'static Strings {
        static KO: OnceLock<Strings> = OnceLock::new();
        static EN: OnceLock<Strings> = OnceLock::new();
        Strings::load(lang, [&KO, &EN], "check.")
    }

    /// `web/i18n/<prefix><lang>.txt`, read once into the cell of `lang`.
    fn load(
        lang: Lang,
        [ko, en]: [&'static OnceLock<Strings>; 2],
        prefix: &str,
    ) -> &'static Strings {
        let cell = match lang {
            Lang::Ko => ko,
            Lang::En => en,
        };
        cell.get_or_init(|| Strings {
            map: assets::text(&format!("i18n/{prefix}{}.txt", lang.code()))
                .map(|t| parse(&t))
                .unwrap_or_default(),
        })
    }

    /// Whether `key` has a text.
    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// The text for `key`; a missing key shows as itself so it is noticed,
    /// and a test makes sure none is missing.
    pub fn t<'a>(&'a self, key: &'a str) -> &'a str {
        self.map.get(key).map(String::as_str).unwrap_or(key)
    }

    /// The text for `key` with `{name}` placeholders filled.
    pub fn fmt(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut s = self.t(key).to_string();
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), value);
        }
        s
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn both_languages_have_the_same_keys() {
        let ko: BTreeSet<_> = Strings::get(Lang::Ko).keys().collect();
        let en: BTreeSet<_> = Strings::get(Lang::En).keys().collect();
        assert!(!ko.is_empty());
        let only_ko: Vec<_> = ko.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&ko).collect();
        assert!(only_ko.is_empty(), "missing in en.txt: {only_ko:?}");
        assert!(only_en.is_empty(), "missing in ko.txt: {only_en:?}");
    }

    #[test]
    fn check_messages_have_the_same_keys() {
        let ko: BTreeSet<_> = Strings::check(Lang::Ko).keys().collect();
        let en: BTreeSet<_> = Strings::check(Lang::En).keys().collect();
        assert!(!ko.is_empty());
        let only_ko: Vec<_> = ko.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&ko).collect();
        assert!(only_ko.is_empty(), "missing in check.en.txt: {only_ko:?}");
        assert!(only_en.is_empty(), "missing in check.ko.txt: {only_en:?}");
    }

    /// Keys built at run time from a prefix and a code.
    const DYNAMIC_PREFIXES: [&str; 5] = ["kind_", "section_", "langname_", "lang_", "search_only_"];

    fn sources(dir: &std::path::Path, out: &mut String) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                sources(&p, out);
            } else if p
                .extension()
                .is_some_and(|x| x == "rs" || x == "html" || x == "js")
            {
                out.push_str(&std::fs::read_to_string(&p).unwrap_or_default());
            }
        }
    }

    #[test]
    fn every_string_is_used() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut code = String::new();
        sources(&root.join("src"), &mut code);
        sources(&root.join("web"), &mut code);
        let unused: Vec<&str> = Strings::get(Lang::Ko)
            .keys()
            .filter(|k| !DYNAMIC_PREFIXES.iter().any(|p| k.starts_with(p)))
            .filter(|k| {
                !code.contains(&format!("\"{k}\"")) && !code.contains(&format!("t:{k}}}}}"))
            })
            .collect();
        assert!(unused.is_empty(), "UI strings no code uses: {unused:?}");
    }

    #[test]
    fn every_key_used_in_templates_or_code_exists() {
        // Keys referenced as {{t:key}} in templates must exist.
        let ko = Strings::get(Lang::Ko);
        for name in crate::render::template::names() {
            let text = crate::assets::text(&name).unwrap_or_default();
            let mut rest = text.as_str();
            while let Some(i) = rest.find("{{t:") {
                rest = &rest[i + 4..];
                let end = rest.find("}}").unwrap_or(0);
                let key = &rest[..end];
                assert!(ko.map.contains_key(key), "{name}: unknown string key {key}");
            }
        }
    }
}

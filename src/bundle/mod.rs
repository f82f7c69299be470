//! The bundle: everything found on the drive, with ids, built once at start
//! and shared read-only. Opening reads archive headers only, so startup stays
//! fast whatever the size of the drive; titles and descriptions are read the
//! first time a page needs them.

pub mod items;
pub mod walk;

use crate::archive::{Archive, ClusterCache};
use crate::fulltext::Index;
pub use items::{FileOf, Item, Kind};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// An archive of the bundle, opened or not.
pub struct ZimItem {
    pub id: String,
    /// Path in the bundle, for people (`wikipedia/wikipedia_ko_all.zim`).
    pub rel: String,
    pub path: PathBuf,
    pub archive: Result<Arc<Archive>, String>,
    info: OnceLock<ZimInfo>,
    fulltext: OnceLock<Result<Arc<Index>, String>>,
}

/// What the pages show of an archive, read from its metadata.
#[derive(Debug, Clone, Default)]
pub struct ZimInfo {
    pub title: String,
    pub description: String,
    pub language: String,
    pub articles: u32,
    pub has_icon: bool,
}

impl ZimItem {
    pub fn is_damaged(&self) -> bool {
        self.archive.is_err()
    }

    pub fn error(&self) -> Option<&str> {
        self.archive.as_ref().err().map(String::as_str)
    }

    /// The archive's embedded full-text index, opened on first use. An
    /// archive without one, or with a damaged one, gets title search only.
    pub fn fulltext(&self) -> Result<&Arc<Index>, &str> {
        let opened = self.fulltext.get_or_init(|| {
            let a = self
                .archive
                .as_ref()
                .map_err(|_| "archive damaged".to_string())?;
            let window = a
                .fulltext_index()
                .ok_or_else(|| "no full-text index".to_string())?;
            let language = a.metadata_text("Language").unwrap_or_default();
            Index::open(Arc::new(window), &language)
                .map(Arc::new)
                .map_err(|e| e.to_string())
        });
        opened.as_ref().map_err(String::as_str)
    }

    /// Metadata, read once; a damaged archive shows its file name.
    pub fn info(&self) -> &ZimInfo {
        self.info.get_or_init(|| match &self.archive {
            Ok(a) => {
                let title = a
                    .metadata_text("Title")
                    .filter(|t| !t.is_empty())
                    .unwrap_or_else(|| self.id.clone());
                ZimInfo {
                    title,
                    description: a.metadata_text("Description").unwrap_or_default(),
                    language: a.metadata_text("Language").unwrap_or_default(),
                    articles: a.article_count(),
                    has_icon: matches!(a.illustration_48(), Ok(Some(_))),
                }
            }
            Err(_) => ZimInfo {
                title: self.rel.rsplit('/').next().unwrap_or(&self.rel).to_string(),
                ..ZimInfo::default()
            },
        })
    }
}

pub struct Catalog {
    pub root: PathBuf,
    pub zims: Vec<ZimItem>,
    by_id: HashMap<String, usize>,
    /// Documents, films, audio and pages, in walk order.
    pub items: Vec<Item>,
    item_by_rel: HashMap<String, usize>,
    /// Every plain file found, by its path in the bundle: the only files
    /// `/file/` can serve.
    files: HashMap<String, PathBuf>,
    /// Lower-cased path → path, for links written with another case on a
    /// drive made on Windows.
    files_ci: HashMap<String, String>,
    library_name: OnceLock<Option<Arc<str>>>,
}

impl Catalog {
    /// Walks `root` and opens what it finds. Never fails: an item that cannot
    /// be opened is listed with the reason.
    pub fn build(root: &Path, cache: Arc<ClusterCache>) -> Catalog {
        let found = walk::walk(root);
        let mut ids = IdSet::default();
        let mut zims = Vec::with_capacity(found.zims.len());
        for f in found.zims {
            let id = ids.claim(&f.stem);
            let archive = Archive::open(&f.path, cache.clone())
                .map(Arc::new)
                .map_err(|e| e.to_string());
            zims.push(ZimItem {
                id,
                rel: f.rel,
                path: f.path,
                archive,
                info: OnceLock::new(),
                fulltext: OnceLock::new(),
            });
        }
        let by_id = zims
            .iter()
            .enumerate()
            .map(|(i, z)| (z.id.clone(), i))
            .collect();
        let items = items::classify(&found.files);
        // A film's other files lead to the film.
        let item_by_rel = items
            .iter()
            .enumerate()
            .flat_map(|(i, it)| {
                std::iter::once(it.rel.clone())
                    .chain(it.alternates.iter().map(|a| a.rel.clone()))
                    .map(move |r| (r, i))
            })
            .collect();
        let files_ci = found
            .files
            .iter()
            .map(|f| (f.rel.to_lowercase(), f.rel.clone()))
            .collect();
        let files = found.files.into_iter().map(|f| (f.rel, f.path)).collect();
        Catalog {
            root: root.to_path_buf(),
            zims,
            by_id,
            items,
            item_by_rel,
            files,
            files_ci,
            library_name: OnceLock::new(),
        }
    }

    /// The item whose path in the bundle is `rel`.
    pub fn item(&self, rel: &str) -> Option<&Item> {
        let rel = self.canonical_rel(rel)?;
        self.item_by_rel.get(rel).and_then(|&i| self.items.get(i))
    }

    /// A file of the bundle by its path in it (any case); never a path the
    /// walk did not find.
    pub fn file(&self, rel: &str) -> Option<&Path> {
        let rel = self.canonical_rel(rel)?;
        self.files.get(rel).map(PathBuf::as_path)
    }

    fn canonical_rel<'a>(&'a self, rel: &'a str) -> Option<&'a str> {
        if self.files.contains_key(rel) {
            return Some(rel);
        }
        self.files_ci.get(&rel.to_lowercase()).map(String::as_str)
    }

    /// A file's path as a file manager on this computer shows it
    /// (`E:\videos\film.mp4` on Windows, `/media/usb/videos/film.mp4`
    /// elsewhere): what to open in a video player.
    pub fn shown_path(&self, rel: &str) -> String {
        shown_path(&self.root.to_string_lossy(), rel, cfg!(windows))
    }

    pub fn items_of(&self, kind: Kind) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(move |i| i.kind == kind)
    }

    /// The library's name when the drive sets one: `library:` in the front
    /// matter of its welcome page. Read once.
    pub fn library_name(&self) -> Option<Arc<str>> {
        self.library_name
            .get_or_init(|| {
                let w = self.welcome()?;
                let text = items::read_md(&w.path)?;
                let (fm, _) = crate::markdown::split_front_matter(&text);
                fm?.extra
                    .into_iter()
                    .find(|(k, _)| k == "library" || k == "library_name")
                    .map(|(_, v)| Arc::from(v.trim()))
                    .filter(|v: &Arc<str>| !v.is_empty())
            })
            .clone()
    }

    /// The page shown on top of the start page: a Markdown file at the top
    /// of the drive named welcome, index, readme or 시작 (any case).
    pub fn welcome(&self) -> Option<&Item> {
        const NAMES: [&str; 5] = ["welcome", "index", "readme", "시작", "안내"];
        NAMES.iter().find_map(|n| {
            self.items.iter().find(|i| {
                i.kind == Kind::Page
                    && i.collection.is_empty()
                    && crate::media::names::stem_and_ext(&i.file_name)
                        .0
                        .eq_ignore_ascii_case(n)
            })
        })
    }

    pub fn zim(&self, id: &str) -> Option<&ZimItem> {
        self.by_id.get(id).and_then(|&i| self.zims.get(i))
    }

    /// Archives that opened.
    pub fn open_zims(&self) -> impl Iterator<Item = (&ZimItem, &Arc<Archive>)> {
        self.zims
            .iter()
            .filter_map(|z| z.archive.as_ref().ok().map(|a| (z, a)))
    }

    pub fn is_empty(&self) -> bool {
        self.zims.is_empty() && self.items.is_empty()
    }
}

fn shown_path(root: &str, rel: &str, windows: bool) -> String {
    if windows {
        let root = if let Some(unc) = root.strip_prefix(r"\\?\UNC\") {
            format!(r"\\{unc}")
        } else {
            root.strip_prefix(r"\\?\").unwrap_or(root).to_string()
        };
        let rel = rel.replace('/', "\\");
        let root = root.trim_end_matches('\\');
        if root.is_empty() || root == "." {
            rel
        } else {
            format!("{root}\\{rel}")
        }
    } else {
        let root = root.trim_end_matches('/');
        if root.is_empty() || root == "." {
            rel.to_string()
        } else {
            format!("{root}/{rel}")
        }
    }
}

/// Hands out unique ids: the name itself, then `name_2`, `name_3`, …
#[derive(Default)]
struct IdSet {
    taken: std::collections::HashSet<String>,
}

impl IdSet {
    fn claim(&mut self, stem: &str) -> String {
        let base = if stem.is_empty() { "archive" } else { stem };
        let mut id = base.to_string();
        let mut n = 2;
        while self.taken.contains(&id) {
            id = format!("{base}_{n}");
            n += 1;
        }
        self.taken.insert(id.clone());
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_as_people_see_them() {
        let rel = "videos/서울의 겨울 (1987).mp4";
        assert_eq!(
            shown_path(r"\\?\E:\", rel, true),
            r"E:\videos\서울의 겨울 (1987).mp4"
        );
        assert_eq!(
            shown_path(r"D:\bundle", rel, true),
            r"D:\bundle\videos\서울의 겨울 (1987).mp4"
        );
        assert_eq!(
            shown_path(r"\\?\UNC\srv\share", "a/b.mp4", true),
            r"\\srv\share\a\b.mp4"
        );
        assert_eq!(
            shown_path("/media/usb/", rel, false),
            "/media/usb/videos/서울의 겨울 (1987).mp4"
        );
        assert_eq!(shown_path(".", "a.mp4", false), "a.mp4");
    }

    #[test]
    fn ids_are_unique() {
        let mut s = IdSet::default();
        assert_eq!(s.claim("wiki"), "wiki");
        assert_eq!(s.claim("wiki"), "wiki_2");
        assert_eq!(s.claim("wiki"), "wiki_3");
        assert_eq!(s.claim("wiki_2"), "wiki_2_2");
        assert_eq!(s.claim(""), "archive");
    }
}

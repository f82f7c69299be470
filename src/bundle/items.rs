//! Documents, films, audio and Markdown pages of the bundle, each with its
//! sidecars (description, poster, subtitles). Built from the walk's file list
//! without opening any file; what needs reading (front matter, durations, page
//! counts) is read the first time a page asks, and kept.

use super::walk::FoundFile;
use crate::markdown::{self, FrontMatter};
use crate::media::names::{self, SidecarKind, SubtitleFormat};
use crate::media::playback::{self, Plays};
use crate::media::{pdfinfo, probe, subtitles};
use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Document,
    Video,
    Audio,
    Page,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Document, Kind::Video, Kind::Audio, Kind::Page];

    /// The kind of a file by its extension; `None` for everything else.
    pub fn of_ext(ext: &str) -> Option<Kind> {
        let e = ext.to_ascii_lowercase();
        Some(match e.as_str() {
            "pdf" => Kind::Document,
            "mp4" | "m4v" | "webm" | "ogv" | "mkv" | "avi" | "mov" | "wmv" | "flv" | "mpg"
            | "mpeg" | "ts" | "m2ts" | "3gp" | "vob" | "divx" => Kind::Video,
            "mp3" | "m4a" | "aac" | "ogg" | "oga" | "opus" | "wav" | "flac" | "wma" => Kind::Audio,
            "md" | "markdown" => Kind::Page,
            _ => return None,
        })
    }

    /// The name used in URLs and JSON.
    pub fn slug(self) -> &'static str {
        match self {
            Kind::Document => "documents",
            Kind::Video => "videos",
            Kind::Audio => "audio",
            Kind::Page => "pages",
        }
    }

    pub fn from_slug(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.slug() == s)
    }

    /// The singular word for search results and JSON `kind`.
    pub fn singular(self) -> &'static str {
        match self {
            Kind::Document => "document",
            Kind::Video => "video",
            Kind::Audio => "audio",
            Kind::Page => "page",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Subtitle {
    pub lang: Option<String>,
    pub rel: String,
    pub format: SubtitleFormat,
}

/// One document, film, recording or page.
#[derive(Debug)]
pub struct Item {
    pub kind: Kind,
    /// Path in the bundle (`videos/서울의 겨울 (1987).mp4`); also its id in URLs.
    pub rel: String,
    pub path: PathBuf,
    /// The folder it sits in (`videos`), empty at the top of the drive.
    pub collection: String,
    pub file_name: String,
    /// The description sidecar (`name.md`).
    pub description: Option<PathBuf>,
    /// The poster sidecar, as a path in the bundle.
    pub poster: Option<String>,
    pub subtitles: Vec<Subtitle>,
    /// The other files of the same film (`name.webm`, `name.ogv` beside
    /// `name.mp4`): one film, one page, a `<source>` each.
    pub alternates: Vec<Alternate>,
    details: OnceLock<Details>,
    facts: OnceLock<Facts>,
}

/// Another file of a film, with its own header facts.
#[derive(Debug)]
pub struct Alternate {
    pub rel: String,
    pub path: PathBuf,
    pub file_name: String,
    facts: OnceLock<Facts>,
}

/// One file of an item: the item's own or an alternate.
#[derive(Clone, Copy, Debug)]
pub struct FileOf<'a> {
    pub rel: &'a str,
    pub path: &'a Path,
    pub file_name: &'a str,
    pub facts: &'a Facts,
}

/// What the file's own headers say: read once, on first use.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub duration_secs: Option<f64>,
    /// Whether a browser can play it (films and audio).
    pub playable: bool,
    pub video_codec: Option<String>,
    pub audio_codec: Option<String>,
    /// Browser families that play a film file, from its codecs.
    pub plays_in: Vec<Plays>,
    /// What a `<source>` announces (`video/mp4; codecs="avc1.42E01E,
    /// mp4a.40.2"`), for films a browser may play.
    pub source_type: Option<String>,
    /// `MP4 (H.264)`, `WebM (VP8)`, `AVI (MPEG4)`, …
    pub format_label: String,
    pub pages: Option<u32>,
    pub encrypted: bool,
    /// A document's own title and date (PDF metadata).
    pub doc_title: Option<String>,
    pub doc_date: Option<String>,
    /// Why the headers could not be read, when they could not.
    pub problem: Option<String>,
}

/// What is read from the files themselves, once.
#[derive(Debug, Clone, Default)]
pub struct Details {
    pub title: String,
    /// `YYYY-MM-DD`, `YYYY-MM` or `YYYY`.
    pub date: Option<String>,
    pub language: Option<String>,
    /// Markdown of the description (or of the page itself), front matter removed.
    pub body_md: String,
    /// Plain words of the description, for search.
    pub summary: String,
    pub size: u64,
    pub modified: Option<std::time::SystemTime>,
}

/// Markdown files larger than this are not read: a page is text, not a book.
const MAX_MD: u64 = 2 << 20;

pub(crate) fn read_md(path: &Path) -> Option<String> {
    let md = fs::metadata(path).ok()?;
    if md.len() > MAX_MD {
        return None;
    }
    let bytes = fs::read(path).ok()?;
    Some(subtitles::decode_text(&bytes).0)
}

fn first_heading(md: &str) -> Option<String> {
    md.lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("# "))
        .map(|h| h.trim().trim_end_matches('#').trim().to_string())
        .filter(|h| !h.is_empty())
}

/// Plain text of Markdown, roughly: enough for a search over words.
fn plain_words(md: &str, max: usize) -> String {
    let mut out = String::new();
    for c in md.chars() {
        if out.len() >= max {
            break;
        }
        match c {
            '#' | '*' | '_' | '`' | '>' | '|' | '[' | ']' | '(' | ')' | '!' => out.push(' '),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Item {
    /// An item with no sidecars yet, nothing read.
    fn bare(kind: Kind, f: &FoundFile, collection: &str, file_name: &str) -> Item {
        Item {
            kind,
            rel: f.rel.clone(),
            path: f.path.clone(),
            collection: collection.to_string(),
            file_name: file_name.to_string(),
            description: None,
            poster: None,
            subtitles: Vec::new(),
            alternates: Vec::new(),
            details: OnceLock::new(),
            facts: OnceLock::new(),
        }
    }

    /// Durations, codecs, page counts: from the file's headers, on first use.
    pub fn facts(&self) -> &Facts {
        self.facts
            .get_or_init(|| file_facts(self.kind, &self.path, &self.file_name))
    }

    /// The item's files: its own first, then a film's alternates.
    pub fn files(&self) -> Vec<FileOf<'_>> {
        let mut out = vec![FileOf {
            rel: &self.rel,
            path: &self.path,
            file_name: &self.file_name,
            facts: self.facts(),
        }];
        for a in &self.alternates {
            out.push(FileOf {
                rel: &a.rel,
                path: &a.path,
                file_name: &a.file_name,
                facts: a
                    .facts
                    .get_or_init(|| file_facts(self.kind, &a.path, &a.file_name)),
            });
        }
        out
    }

    /// Whether some browser plays one of its files.
    pub fn playable(&self) -> bool {
        self.files().iter().any(|f| f.facts.playable)
    }

    /// The browser families that play at least one of its files.
    pub fn plays_in(&self) -> Vec<Plays> {
        let each: Vec<Vec<Plays>> = self
            .files()
            .iter()
            .map(|f| f.facts.plays_in.clone())
            .collect();
        playback::union(&each)
    }

    /// Title, date and description, read on first use.
    pub fn details(&self) -> &Details {
        self.details.get_or_init(|| self.load_details())
    }

    fn load_details(&self) -> Details {
        let (stem, _) = names::stem_and_ext(&self.file_name);
        let (name_title, name_date) = names::title_from_file_name(stem);
        let meta = fs::metadata(&self.path).ok();
        let md_path = match self.kind {
            Kind::Page => Some(self.path.as_path()),
            _ => self.description.as_deref(),
        };
        let text = md_path.and_then(read_md).unwrap_or_default();
        let (fm, body) = markdown::split_front_matter(&text);
        let fm = fm.unwrap_or_default();
        let FrontMatter {
            title,
            date,
            year,
            language,
            description,
            ..
        } = fm;
        // A PDF's own metadata is read only when no sidecar names it.
        let doc = |f: fn(&Facts) -> Option<String>| {
            (self.kind == Kind::Document)
                .then(|| f(self.facts()))
                .flatten()
        };
        let title = title
            .filter(|t| !t.trim().is_empty())
            .or_else(|| {
                (self.kind == Kind::Page)
                    .then(|| first_heading(body))
                    .flatten()
            })
            .or_else(|| doc(|f| f.doc_title.clone()))
            .unwrap_or_else(|| {
                if name_title.is_empty() {
                    stem.to_string()
                } else {
                    name_title
                }
            });
        let mut summary = description.unwrap_or_default();
        summary.push(' ');
        summary.push_str(&plain_words(body, 2000));
        Details {
            title,
            // File names carry the paper's date; PDF dates are often the
            // day the file was made.
            date: date
                .or(year)
                .or(name_date)
                .or_else(|| doc(|f| f.doc_date.clone())),
            language,
            body_md: body.to_string(),
            summary: summary.trim().to_string(),
            size: meta.as_ref().map_or(0, |m| m.len()),
            modified: meta.and_then(|m| m.modified().ok()),
        }
    }
}

/// What one file's headers say.
fn file_facts(kind: Kind, path: &Path, file_name: &str) -> Facts {
    let (_, ext) = names::stem_and_ext(file_name);
    let src = match crate::readat::FileAt::open(path) {
        Ok(s) => s,
        Err(e) => {
            return Facts {
                problem: Some(e.to_string()),
                format_label: ext.to_ascii_uppercase(),
                ..Facts::default()
            }
        }
    };
    match kind {
        Kind::Video | Kind::Audio => match probe::probe(&src, ext) {
            Ok(info) => {
                let video = kind == Kind::Video;
                Facts {
                    duration_secs: info.duration_secs,
                    playable: probe::browser_playable(ext, &info),
                    video_codec: info.video_codec.clone(),
                    audio_codec: info.audio_codec.clone(),
                    plays_in: if video {
                        playback::families(ext, &info)
                    } else {
                        Vec::new()
                    },
                    source_type: video.then(|| playback::source_type(ext, &info)).flatten(),
                    format_label: playback::format_label(ext, &info),
                    ..Facts::default()
                }
            }
            Err(e) => Facts {
                problem: Some(e.to_string()),
                format_label: ext.to_ascii_uppercase(),
                ..Facts::default()
            },
        },
        Kind::Document => document_facts(&src),
        Kind::Page => Facts::default(),
    }
}

fn document_facts(src: &dyn crate::readat::ReadAt) -> Facts {
    match pdfinfo::pdf_info(src) {
        Ok(info) => Facts {
            pages: info.pages,
            encrypted: info.encrypted,
            doc_title: info.title.filter(|t| !t.trim().is_empty()),
            doc_date: info.date,
            ..Facts::default()
        },
        Err(e) => Facts {
            problem: Some(e.to_string()),
            ..Facts::default()
        },
    }
}

fn dir_of(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(d, _)| d)
}

fn name_of(rel: &str) -> &str {
    rel.rsplit_once('/').map_or(rel, |(_, n)| n)
}

/// Film files of one folder by lower-cased stem, each group in order of
/// preference: the first is the film's own file and comes first in its
/// `<source>` list (MP4 plays in the most browsers, then WebM, then Ogg).
fn film_groups<'a>(group: &[&'a FoundFile]) -> HashMap<String, Vec<&'a FoundFile>> {
    fn rank(name: &str) -> u8 {
        match names::stem_and_ext(name).1.to_ascii_lowercase().as_str() {
            "mp4" => 0,
            "m4v" => 1,
            "webm" => 2,
            "ogv" => 3,
            "mov" => 4,
            _ => 5,
        }
    }
    let mut films: HashMap<String, Vec<&FoundFile>> = HashMap::new();
    for f in group {
        let name = name_of(&f.rel);
        let (stem, ext) = names::stem_and_ext(name);
        if Kind::of_ext(ext) == Some(Kind::Video) {
            films.entry(stem.to_lowercase()).or_default().push(f);
        }
    }
    for files in films.values_mut() {
        files.sort_by(|a, b| {
            let (na, nb) = (name_of(&a.rel), name_of(&b.rel));
            rank(na).cmp(&rank(nb)).then_with(|| na.cmp(nb))
        });
    }
    films
}

/// Sorts the walk's files into items. Sidecars are matched within a folder,
/// case-insensitively (drives are written from Windows).
pub fn classify(files: &[FoundFile]) -> Vec<Item> {
    let mut by_dir: HashMap<&str, Vec<&FoundFile>> = HashMap::new();
    let mut dirs: Vec<&str> = Vec::new();
    for f in files {
        let d = dir_of(&f.rel);
        by_dir.entry(d).or_insert_with(|| {
            dirs.push(d);
            Vec::new()
        });
        if let Some(v) = by_dir.get_mut(d) {
            v.push(f);
        }
    }
    let mut items = Vec::new();
    for d in dirs {
        let Some(group) = by_dir.get(d) else { continue };
        let mut used: HashSet<&str> = HashSet::new();
        let mut media: Vec<Item> = Vec::new();
        let films = film_groups(group);
        for f in group {
            let name = name_of(&f.rel);
            let (stem, ext) = names::stem_and_ext(name);
            let Some(kind) = Kind::of_ext(ext) else {
                continue;
            };
            if kind == Kind::Page {
                continue;
            }
            let mut item = Item::bare(kind, f, d, name);
            if kind == Kind::Video {
                let Some(files) = films.get(&stem.to_lowercase()) else {
                    continue;
                };
                // The film is made once, at its first file by preference.
                if files.first().map(|p| p.rel.as_str()) != Some(f.rel.as_str()) {
                    continue;
                }
                item.alternates = files
                    .iter()
                    .skip(1)
                    .map(|a| Alternate {
                        rel: a.rel.clone(),
                        path: a.path.clone(),
                        file_name: name_of(&a.rel).to_string(),
                        facts: OnceLock::new(),
                    })
                    .collect();
            }
            for other in group {
                let other_name = name_of(&other.rel);
                match names::is_sidecar_of(other_name, name) {
                    Some(SidecarKind::Description) => {
                        item.description = Some(other.path.clone());
                        used.insert(other.rel.as_str());
                    }
                    Some(SidecarKind::Poster) if item.poster.is_none() => {
                        item.poster = Some(other.rel.clone());
                        used.insert(other.rel.as_str());
                    }
                    Some(SidecarKind::Subtitle { lang, format }) => {
                        item.subtitles.push(Subtitle {
                            lang,
                            rel: other.rel.clone(),
                            format,
                        });
                        used.insert(other.rel.as_str());
                    }
                    _ => {}
                }
            }
            media.push(item);
        }
        for f in group {
            let name = name_of(&f.rel);
            let (_, ext) = names::stem_and_ext(name);
            if Kind::of_ext(ext) == Some(Kind::Page) && !used.contains(f.rel.as_str()) {
                media.push(Item::bare(Kind::Page, f, d, name));
            }
        }
        items.extend(media);
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(rel: &str) -> FoundFile {
        FoundFile {
            path: PathBuf::from("/nonexistent").join(rel),
            rel: rel.to_string(),
            stem: String::new(),
        }
    }

    #[test]
    fn sidecars_attach_to_their_file() {
        let files = [
            "welcome.md",
            "welcome.png",
            "videos/서울의 겨울 (1987).mp4",
            "videos/서울의 겨울 (1987).ko.srt",
            "videos/서울의 겨울 (1987).en.srt",
            "videos/서울의 겨울 (1987).jpg",
            "videos/서울의 겨울 (1987).md",
            "videos/Other.AVI",
            "videos/other.SRT",
            "videos/notes.md",
            "newspapers/a.pdf",
            "radio/r.mp3",
            "radio/r.md",
        ]
        .map(f);
        let items = classify(&files);
        let kinds: Vec<_> = items.iter().map(|i| (i.kind, i.rel.as_str())).collect();
        assert_eq!(
            kinds,
            [
                (Kind::Page, "welcome.md"),
                (Kind::Video, "videos/서울의 겨울 (1987).mp4"),
                (Kind::Video, "videos/Other.AVI"),
                (Kind::Page, "videos/notes.md"),
                (Kind::Document, "newspapers/a.pdf"),
                (Kind::Audio, "radio/r.mp3"),
            ]
        );
        let film = &items[1];
        assert_eq!(film.collection, "videos");
        assert_eq!(
            film.poster.as_deref(),
            Some("videos/서울의 겨울 (1987).jpg")
        );
        assert_eq!(film.subtitles.len(), 2);
        assert!(film.description.is_some());
        assert_eq!(items[2].subtitles.len(), 1, "case-insensitive sidecar");
        assert!(items[5].description.is_some());
    }

    #[test]
    fn one_film_of_several_files() {
        let files = [
            "videos/Film (1987).webm",
            "videos/film (1987).OGV",
            "videos/Film (1987).mp4",
            "videos/Film (1987).ko.srt",
            "videos/Film (1987).jpg",
            "videos/Other.ogv",
            "videos/Other.avi",
        ]
        .map(f);
        let items = classify(&files);
        let rels: Vec<_> = items.iter().map(|i| i.rel.as_str()).collect();
        assert_eq!(rels, ["videos/Film (1987).mp4", "videos/Other.ogv"]);
        let film = &items[0];
        let alts: Vec<_> = film.alternates.iter().map(|a| a.rel.as_str()).collect();
        assert_eq!(alts, ["videos/Film (1987).webm", "videos/film (1987).OGV"]);
        assert_eq!(film.subtitles.len(), 1);
        assert!(film.poster.is_some());
        assert_eq!(items[1].alternates.len(), 1, "ogv before avi");
        assert_eq!(film.files().len(), 3);
    }

    #[test]
    fn titles_from_names_without_sidecars() {
        let items = classify(&[f("newspapers/새벽신문_2024-02-08.pdf")]);
        let d = items[0].details();
        assert_eq!(d.title, "새벽신문");
        assert_eq!(d.date.as_deref(), Some("2024-02-08"));
    }
}

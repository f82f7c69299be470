//! What the drive index reads, and reading it: every document's pages,
//! every film's subtitles (all languages), every page's body, every
//! description beside a file.

use super::segment::{ItemKind, Outcome, Role};
use crate::bundle::{Catalog, Kind};
use crate::media::subtitles;
use crate::pdf::{self, Budget};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// A file to read, and the item it belongs to.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub rel: String,
    pub path: PathBuf,
    pub item_rel: String,
    pub kind: ItemKind,
    pub role: Role,
    pub lang: String,
}

/// Size and modification time (seconds since 1970), the key that tells a
/// changed file.
pub fn stamp(path: &Path) -> std::io::Result<(u64, i64)> {
    let m = std::fs::metadata(path)?;
    let mtime = m
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    Ok((m.len(), mtime))
}

/// Every source of the catalog, in catalog order. No I/O.
pub fn list(catalog: &Catalog) -> Vec<SourceFile> {
    let mut out = Vec::new();
    for item in &catalog.items {
        let kind = match item.kind {
            Kind::Document => ItemKind::Document,
            Kind::Video => ItemKind::Video,
            Kind::Audio => ItemKind::Audio,
            Kind::Page => ItemKind::Page,
        };
        let mut push = |rel: String, path: PathBuf, role: Role, lang: String| {
            out.push(SourceFile {
                rel,
                path,
                item_rel: item.rel.clone(),
                kind,
                role,
                lang,
            })
        };
        match item.kind {
            Kind::Document => push(
                item.rel.clone(),
                item.path.clone(),
                Role::PdfText,
                String::new(),
            ),
            Kind::Page => push(
                item.rel.clone(),
                item.path.clone(),
                Role::PageBody,
                String::new(),
            ),
            Kind::Video | Kind::Audio => {}
        }
        for sub in &item.subtitles {
            if let Some(path) = catalog.file(&sub.rel) {
                push(
                    sub.rel.clone(),
                    path.to_path_buf(),
                    Role::Subtitles,
                    sub.lang.clone().unwrap_or_default(),
                );
            }
        }
        if let Some(desc) = &item.description {
            let rel = rel_of(&catalog.root, desc);
            push(rel, desc.clone(), Role::Description, String::new());
        }
    }
    out
}

fn rel_of(root: &Path, path: &Path) -> String {
    match path.strip_prefix(root) {
        Ok(r) => r
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
    }
}

/// Subtitle cues go into units of a few cues each: a hit names the moment
/// of the unit's first cue, and a few lines are enough context.
const CUES_PER_UNIT: usize = 3;
/// Largest text file read (subtitles, pages, descriptions).
const MAX_TEXT_FILE: u64 = 8 << 20;

/// The units of text of one source: (location, text). Location: page
/// number for documents, start in ms for subtitles, 0 otherwise.
pub fn read(src: &SourceFile, budget: &Budget) -> Result<Vec<(u32, String)>, Outcome> {
    match src.role {
        Role::PdfText => {
            let doc = pdf::extract_text(&src.path, budget).map_err(|e| Outcome::Failed {
                code: e.code().to_string(),
                message: e.to_string(),
            })?;
            if !doc.has_text() {
                return Err(Outcome::NoText);
            }
            Ok(doc
                .pages
                .into_iter()
                .enumerate()
                .filter(|(_, t)| !t.trim().is_empty())
                .map(|(i, t)| (u32::try_from(i + 1).unwrap_or(u32::MAX), t))
                .collect())
        }
        Role::Subtitles => {
            let text = read_text(&src.path)?;
            let cues = subtitles::cues(&text);
            let units: Vec<(u32, String)> = cues
                .chunks(CUES_PER_UNIT)
                .filter_map(|c| {
                    let start = c.first()?.0;
                    let text: Vec<&str> = c.iter().map(|(_, t)| t.as_str()).collect();
                    Some((u32::try_from(start).unwrap_or(u32::MAX), text.join("\n")))
                })
                .collect();
            if units.is_empty() {
                return Err(Outcome::NoText);
            }
            Ok(units)
        }
        Role::Description | Role::PageBody => {
            let text = read_text(&src.path)?;
            let (fm, body) = crate::markdown::split_front_matter(&text);
            let mut plain = String::new();
            if let Some(fm) = fm {
                for v in [fm.title, fm.description, fm.author].into_iter().flatten() {
                    plain.push_str(&v);
                    plain.push('\n');
                }
            }
            plain.push_str(&markdown_text(body));
            if plain.trim().is_empty() {
                return Err(Outcome::NoText);
            }
            Ok(vec![(0, plain)])
        }
    }
}

fn read_text(path: &Path) -> Result<String, Outcome> {
    let failed = |e: std::io::Error| Outcome::Failed {
        code: "io".into(),
        message: format!("cannot be read: {e}"),
    };
    let size = std::fs::metadata(path).map_err(failed)?.len();
    if size > MAX_TEXT_FILE {
        return Err(Outcome::Failed {
            code: "too-large".into(),
            message: format!("too large to read ({} MiB)", size >> 20),
        });
    }
    let bytes = std::fs::read(path).map_err(failed)?;
    Ok(subtitles::decode_text(&bytes).0)
}

/// The words of Markdown, without its markup.
fn markdown_text(md: &str) -> String {
    use pulldown_cmark::{Event, Parser, TagEnd};
    let mut out = String::new();
    for ev in Parser::new(md) {
        match ev {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                out.push_str(&t)
            }
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item)
            | Event::End(TagEnd::TableCell) => out.push('\n'),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_to_words() {
        let t = markdown_text("# 제목\n\n본문 **굵게** [링크](x.md) `code`\n\n- 항목");
        assert_eq!(t, "제목\n본문 굵게 링크 code\n항목\n");
    }
}

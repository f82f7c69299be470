//! A Korean font for PDFs that name one without carrying it (common in
//! Korean documents made with older tools: `Batang`, `HYGoThic-Medium` in
//! UniKS-UCS2-H). Without one, hayro leaves Hangul blank.
//!
//! Looked for, in order: a `fonts` folder at the top of the drive (packers
//! may put a free Korean font there), then the computer's own fonts
//! (Windows: Malgun Gothic, Gulim, Batang; Linux: Nanum, Noto CJK, Un).
//! Each file is only read, once, on first need, and kept in memory.

use hayro::hayro_interpret::font::FontData;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Font files larger than this are not read.
const MAX_FONT: u64 = 40 << 20;

pub struct KoreanFonts {
    drive: PathBuf,
    sans: OnceLock<Option<(FontData, u32)>>,
    serif: OnceLock<Option<(FontData, u32)>>,
}

/// Whether a font name is one of the usual Korean ones.
pub fn looks_korean(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "batang",
        "gulim",
        "dotum",
        "gungsuh",
        "malgun",
        "hygothic",
        "hymyeongjo",
        "hysmyeongjo",
        "hygraphic",
        "nanum",
        "myeongjo",
        "gothic",
        "kodig",
        "hcr",
        "haansoft",
        "unbatang",
        "undotum",
        "korean",
        "-kr",
    ]
    .iter()
    .any(|k| n.contains(k))
        || name.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c))
}

impl KoreanFonts {
    pub fn new(drive: &Path) -> KoreanFonts {
        KoreanFonts {
            drive: drive.to_path_buf(),
            sans: OnceLock::new(),
            serif: OnceLock::new(),
        }
    }

    /// A serif (Myeongjo/Batang) or sans (Gothic/Dotum) Korean font, the
    /// other kind when only that one is found.
    pub fn get(&self, serif: bool) -> Option<(FontData, u32)> {
        let want = |serif: bool| {
            let slot = if serif { &self.serif } else { &self.sans };
            slot.get_or_init(|| load(&candidates(&self.drive, serif)))
                .clone()
        };
        want(serif).or_else(|| want(!serif))
    }
}

/// Font files to try, best first, with the face to use in a collection.
fn candidates(drive: &Path, serif: bool) -> Vec<(PathBuf, u32)> {
    let mut out = Vec::new();
    // The drive's own fonts folder: fonts whose names tell the kind first.
    if let Ok(entries) = std::fs::read_dir(drive.join("fonts")) {
        let mut found: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                let ext = p
                    .extension()
                    .map(|e| e.to_string_lossy().to_ascii_lowercase());
                matches!(ext.as_deref(), Some("ttf" | "otf" | "ttc"))
            })
            .collect();
        found.sort();
        let is_serif = |p: &PathBuf| {
            let n = p.to_string_lossy().to_ascii_lowercase();
            ["myeongjo", "batang", "serif", "mincho"]
                .iter()
                .any(|k| n.contains(k))
        };
        found.sort_by_key(|p| is_serif(p) != serif);
        out.extend(found.into_iter().map(|p| (p, 0)));
    }
    let system: &[(&str, u32, bool)] = if cfg!(windows) {
        &[
            ("malgun.ttf", 0, false),
            ("gulim.ttc", 0, false),
            ("batang.ttc", 0, true),
            ("NanumGothic.ttf", 0, false),
            ("NanumMyeongjo.ttf", 0, true),
        ]
    } else {
        &[
            ("/usr/share/fonts/truetype/nanum/NanumGothic.ttf", 0, false),
            ("/usr/share/fonts/truetype/nanum/NanumMyeongjo.ttf", 0, true),
            (
                "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                1,
                false,
            ),
            (
                "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
                1,
                true,
            ),
            (
                "/usr/share/fonts/truetype/unfonts-core/UnDotum.ttf",
                0,
                false,
            ),
            (
                "/usr/share/fonts/truetype/unfonts-core/UnBatang.ttf",
                0,
                true,
            ),
            ("/usr/share/fonts/nanum/NanumGothic.ttf", 0, false),
            ("/usr/share/fonts/korean/TrueType/gulim.ttf", 0, false),
        ]
    };
    let windows_fonts = std::env::var_os("WINDIR")
        .map(|w| PathBuf::from(w).join("Fonts"))
        .unwrap_or_else(|| PathBuf::from(r"C:\Windows\Fonts"));
    let mut sys: Vec<(PathBuf, u32, bool)> = system
        .iter()
        .map(|(p, face, is_serif)| {
            let path = if cfg!(windows) {
                windows_fonts.join(p)
            } else {
                PathBuf::from(p)
            };
            (path, *face, *is_serif)
        })
        .collect();
    sys.sort_by_key(|(_, _, s)| *s != serif);
    out.extend(sys.into_iter().map(|(p, f, _)| (p, f)));
    out
}

fn load(candidates: &[(PathBuf, u32)]) -> Option<(FontData, u32)> {
    candidates.iter().find_map(|(path, face)| {
        let size = std::fs::metadata(path).ok()?.len();
        if !(1024..=MAX_FONT).contains(&size) {
            return None;
        }
        let bytes = std::fs::read(path).ok()?;
        let data: FontData = Arc::new(bytes);
        Some((data, *face))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn korean_names() {
        assert!(looks_korean("HYGoThic-Medium"));
        assert!(looks_korean("Batang"));
        assert!(looks_korean("바탕"));
        assert!(!looks_korean("Helvetica"));
        assert!(!looks_korean("TimesNewRomanPSMT"));
    }

    #[test]
    fn the_drive_fonts_folder_comes_first() {
        let dir = std::env::temp_dir().join(format!("driveshelf-fonts-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("fonts")).unwrap();
        std::fs::write(dir.join("fonts/NanumMyeongjo.ttf"), b"x").unwrap();
        std::fs::write(dir.join("fonts/NanumGothic.ttf"), b"x").unwrap();
        std::fs::write(dir.join("fonts/readme.txt"), b"x").unwrap();
        let sans = candidates(&dir, false);
        assert!(sans[0].0.ends_with("fonts/NanumGothic.ttf"), "{sans:?}");
        let serif = candidates(&dir, true);
        assert!(serif[0].0.ends_with("fonts/NanumMyeongjo.ttf"));
        assert!(!sans.iter().any(|(p, _)| p.ends_with("readme.txt")));
        let _ = std::fs::remove_dir_all(&dir);
    }
}

//! Which browsers play a film file, from the codecs read from its header
//! (never from the name alone), and the `type` a `<source>` announces so
//! each browser picks a file it can play.
//!
//! The families are the ones recipients have (../shared/docs/recipients-
//! browsers.md, caniuse data): Internet Explorer, Chrome, Firefox, and
//! Naenara (Red Star OS 3, Firefox 3.5 inside: Ogg Theora only).

use super::probe::MediaInfo;
use serde::Serialize;

/// One browser family that plays a file, and from (or up to) which version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Plays {
    /// `ie`, `chrome`, `firefox`, `naenara`.
    pub browser: &'static str,
    /// First version that plays it.
    pub from: &'static str,
    /// Last version that plays it, when support was removed since.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<&'static str>,
    /// A condition on the system (`windows7`: MP4 in Firefox needs the
    /// decoders of Windows 7 or later; Windows XP has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<&'static str>,
}

impl Plays {
    const fn new(browser: &'static str, from: &'static str) -> Plays {
        Plays {
            browser,
            from,
            until: None,
            system: None,
        }
    }

    /// The browser's name as people know it.
    pub fn name(&self) -> &'static str {
        match self.browser {
            "ie" => "Internet Explorer",
            "chrome" => "Chrome",
            "firefox" => "Firefox",
            "naenara" => "Naenara (Red Star OS 3)",
            other => other,
        }
    }
}

/// The formats a browser plays in `<video>`, by what the header says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebFormat {
    /// MP4 with H.264 (and AAC or MP3, or no sound).
    Mp4H264,
    /// WebM with VP8 and Vorbis (or no sound).
    WebmVp8,
    /// WebM with VP9, or with Opus sound.
    WebmVp9,
    /// WebM with AV1.
    WebmAv1,
    /// Ogg with Theora and Vorbis (or no sound).
    OggTheora,
}

/// The web format of a film file, or `None` when no browser plays it
/// (AVI, MKV, WMV, HEVC, MPEG-4 Part 2, …).
pub fn web_format(ext: &str, info: &MediaInfo) -> Option<WebFormat> {
    let ext = ext.to_ascii_lowercase();
    let v = info.video_codec.as_deref()?;
    let a = info.audio_codec.as_deref();
    match (ext.as_str(), info.container) {
        ("mp4" | "m4v" | "mov", "mp4" | "mov") => {
            (v == "h264" && matches!(a, None | Some("aac" | "mp3"))).then_some(WebFormat::Mp4H264)
        }
        ("webm", "webm") => match (v, a) {
            ("vp8", None | Some("vorbis")) => Some(WebFormat::WebmVp8),
            ("vp8" | "vp9", None | Some("vorbis" | "opus")) => Some(WebFormat::WebmVp9),
            ("av1", None | Some("opus" | "vorbis")) => Some(WebFormat::WebmAv1),
            _ => None,
        },
        ("ogv" | "ogg", "ogg") => {
            (v == "theora" && matches!(a, None | Some("vorbis"))).then_some(WebFormat::OggTheora)
        }
        _ => None,
    }
}

/// The browser families that play a film file; empty when none does.
pub fn families(ext: &str, info: &MediaInfo) -> Vec<Plays> {
    let Some(f) = web_format(ext, info) else {
        return Vec::new();
    };
    match f {
        WebFormat::Mp4H264 => vec![
            Plays::new("ie", "9"),
            Plays::new("chrome", "4"),
            Plays {
                system: Some("windows7"),
                ..Plays::new("firefox", "21")
            },
        ],
        WebFormat::WebmVp8 => vec![Plays::new("chrome", "6"), Plays::new("firefox", "4")],
        WebFormat::WebmVp9 => vec![Plays::new("chrome", "29"), Plays::new("firefox", "28")],
        WebFormat::WebmAv1 => vec![Plays::new("chrome", "70"), Plays::new("firefox", "67")],
        WebFormat::OggTheora => vec![
            Plays::new("naenara", "3"),
            Plays {
                until: Some("119"),
                ..Plays::new("chrome", "3")
            },
            Plays {
                until: Some("129"),
                ..Plays::new("firefox", "3.5")
            },
        ],
    }
}

/// The short name of a format for people: `MP4 (H.264)`, `WebM (VP8)`, …;
/// for files no browser plays, the container and codecs as read.
pub fn format_label(ext: &str, info: &MediaInfo) -> String {
    match web_format(ext, info) {
        Some(WebFormat::Mp4H264) => "MP4 (H.264)".into(),
        Some(WebFormat::WebmVp8) => "WebM (VP8)".into(),
        Some(WebFormat::WebmVp9) => "WebM (VP9)".into(),
        Some(WebFormat::WebmAv1) => "WebM (AV1)".into(),
        Some(WebFormat::OggTheora) => "Ogg (Theora)".into(),
        None => {
            let codec = info
                .video_codec
                .as_deref()
                .map(|c| format!(" ({})", c.to_ascii_uppercase()))
                .unwrap_or_default();
            format!("{}{codec}", ext.to_ascii_uppercase())
        }
    }
}

/// The `type` of a `<source>`: the MIME type with the codecs read from the
/// header, so that `canPlayType` answers for this very file (a browser that
/// plays H.264 baseline but not High profile says so).
pub fn source_type(ext: &str, info: &MediaInfo) -> Option<String> {
    let f = web_format(ext, info)?;
    let audio = info.audio_codec.as_deref();
    let (mime, video) = match f {
        WebFormat::Mp4H264 => ("video/mp4", info.video_codec_rfc6381.clone()),
        WebFormat::WebmVp8 => ("video/webm", Some("vp8".into())),
        WebFormat::WebmVp9 => (
            "video/webm",
            Some(info.video_codec.clone().unwrap_or_default()),
        ),
        // AV1's codec string needs the sequence header; the bare type it is.
        WebFormat::WebmAv1 => ("video/webm", None),
        WebFormat::OggTheora => ("video/ogg", Some("theora".into())),
    };
    let Some(video) = video else {
        return Some(mime.to_string());
    };
    let audio = match (f, audio) {
        (_, None) => None,
        (WebFormat::Mp4H264, Some("aac")) => Some("mp4a.40.2"),
        (WebFormat::Mp4H264, Some("mp3")) => Some("mp4a.69"),
        (_, Some("vorbis")) => Some("vorbis"),
        (_, Some("opus")) => Some("opus"),
        _ => None,
    };
    Some(match audio {
        Some(a) => format!("{mime}; codecs=\"{video}, {a}\""),
        None => format!("{mime}; codecs=\"{video}\""),
    })
}

/// The families that play at least one of the files, each once, in a fixed
/// order (IE, Chrome, Firefox, Naenara); a browser listed by several files
/// keeps the widest range.
pub fn union(files: &[Vec<Plays>]) -> Vec<Plays> {
    let mut out: Vec<Plays> = Vec::new();
    for browser in ["ie", "chrome", "firefox", "naenara"] {
        let mut best: Option<Plays> = None;
        for p in files.iter().flatten().filter(|p| p.browser == browser) {
            best = Some(match best {
                None => *p,
                Some(b) => widest(b, *p),
            });
        }
        out.extend(best);
    }
    out
}

fn version(v: &str) -> (u32, u32) {
    let mut it = v.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    (it.next().unwrap_or(0), it.next().unwrap_or(0))
}

fn widest(a: Plays, b: Plays) -> Plays {
    let from = if version(b.from) < version(a.from) {
        b.from
    } else {
        a.from
    };
    let until = match (a.until, b.until) {
        (None, _) | (_, None) => None,
        (Some(x), Some(y)) => Some(if version(x) > version(y) { x } else { y }),
    };
    // A condition stays only when every file that plays there has it.
    let system = if a.system.is_some() && b.system.is_some() {
        a.system
    } else {
        None
    };
    Plays {
        browser: a.browser,
        from,
        until,
        system,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(container: &'static str, v: &str, a: Option<&str>) -> MediaInfo {
        MediaInfo {
            container,
            video_codec: Some(v.into()),
            audio_codec: a.map(Into::into),
            ..MediaInfo::default()
        }
    }

    #[test]
    fn mp4_h264_plays_in_ie9_chrome_and_firefox_on_windows7() {
        let mut i = info("mp4", "h264", Some("aac"));
        i.video_codec_rfc6381 = Some("avc1.42C01E".into());
        let f = families("MP4", &i);
        assert_eq!(
            f.iter().map(|p| p.browser).collect::<Vec<_>>(),
            ["ie", "chrome", "firefox"]
        );
        assert_eq!(f[0].from, "9");
        assert_eq!(f[2].system, Some("windows7"));
        assert_eq!(
            source_type("mp4", &i).unwrap(),
            "video/mp4; codecs=\"avc1.42C01E, mp4a.40.2\""
        );
        assert_eq!(format_label("mp4", &i), "MP4 (H.264)");
    }

    #[test]
    fn webm_and_ogg_never_in_ie() {
        let w = info("webm", "vp8", Some("vorbis"));
        assert!(families("webm", &w).iter().all(|p| p.browser != "ie"));
        assert_eq!(
            source_type("webm", &w).unwrap(),
            "video/webm; codecs=\"vp8, vorbis\""
        );
        let o = info("ogg", "theora", Some("vorbis"));
        let f = families("ogv", &o);
        assert!(f.iter().all(|p| p.browser != "ie"));
        assert_eq!(f[0].browser, "naenara");
        assert_eq!(
            source_type("ogv", &o).unwrap(),
            "video/ogg; codecs=\"theora, vorbis\""
        );
    }

    #[test]
    fn codecs_decide_not_names() {
        // HEVC in MP4, MPEG-4 in AVI, H.264 named .webm: nobody.
        assert!(families("mp4", &info("mp4", "hevc", Some("aac"))).is_empty());
        assert!(families("avi", &info("avi", "mpeg4", Some("mp3"))).is_empty());
        assert!(families("webm", &info("mp4", "h264", Some("aac"))).is_empty());
        assert!(source_type("mkv", &info("matroska", "h264", Some("aac"))).is_none());
        assert_eq!(
            format_label("mkv", &info("matroska", "h264", None)),
            "MKV (H264)"
        );
    }

    #[test]
    fn union_keeps_each_browser_once_and_widest() {
        let mp4 = families("mp4", &info("mp4", "h264", None));
        let webm = families("webm", &info("webm", "vp8", None));
        let ogv = families("ogv", &info("ogg", "theora", None));
        let u = union(&[mp4, webm, ogv]);
        let names: Vec<_> = u.iter().map(|p| p.browser).collect();
        assert_eq!(names, ["ie", "chrome", "firefox", "naenara"]);
        let ff = u.iter().find(|p| p.browser == "firefox").unwrap();
        assert_eq!((ff.from, ff.until, ff.system), ("3.5", None, None));
    }
}

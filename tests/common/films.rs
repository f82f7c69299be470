//! Films made here with ffmpeg for the tests: one film as `.mp4` (H.264
//! baseline + AAC), `.webm` (VP8 + Vorbis) and `.OGV` (Theora + Vorbis) with
//! a Korean subtitle, and films in one format each.

#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

pub const FILM: &str = "서울의 겨울 (1987)";

pub fn have_ffmpeg() -> bool {
    Command::new("ffmpeg").arg("-version").output().is_ok()
}

fn ffmpeg(args: &[&str], out: &Path) -> bool {
    let ok = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg("testsrc=size=160x120:rate=10")
        .args(["-f", "lavfi", "-i", "sine=frequency=440", "-t", "1"])
        .args(args)
        .arg(out)
        .status()
        .is_ok_and(|s| s.success());
    ok && out.is_file()
}

const X264: &[&str] = &[
    "-c:v",
    "libx264",
    "-profile:v",
    "baseline",
    "-pix_fmt",
    "yuv420p",
    "-c:a",
    "aac",
    "-movflags",
    "+faststart",
];
const VP8: &[&str] = &["-c:v", "libvpx", "-b:v", "200k", "-c:a", "libvorbis"];
const THEORA: &[&str] = &["-c:v", "libtheora", "-q:v", "5", "-c:a", "libvorbis"];
const MPEG4: &[&str] = &["-c:v", "mpeg4", "-c:a", "libmp3lame"];

/// Writes the films into `dir/videos`: `FILM` in three formats with
/// `FILM.ko.srt`, and `only-mp4.mp4`, `only-theora.ogv`, `only-avi.avi`.
pub fn make(dir: &Path) {
    let v = dir.join("videos");
    std::fs::create_dir_all(&v).unwrap();
    for (name, args) in [
        (format!("{FILM}.mp4"), X264),
        (format!("{FILM}.webm"), VP8),
        (format!("{FILM}.OGV"), THEORA),
        ("only-mp4.mp4".to_string(), X264),
        ("only-theora.ogv".to_string(), THEORA),
        ("only-avi.avi".to_string(), MPEG4),
    ] {
        assert!(ffmpeg(args, &v.join(&name)), "ffmpeg made {name}");
    }
    std::fs::write(
        v.join(format!("{FILM}.ko.srt")),
        "1\n00:00:00,000 --> 00:00:01,000\n안녕하세요\n",
    )
    .unwrap();
}

//! Issue 16, item 1: every page kind reads in NetSurf 3 and Dillo 3, the
//! stand-ins for IE 8 and Firefox 3.5 (CSS 2.1, no flexbox, grid, `rem`,
//! custom properties; no `<video>`; JavaScript off). One Xvfb for all shots;
//! each engine opens each page, the screen is taken once it stops changing,
//! and the picture is checked:
//!
//! - text is there (enough dark-on-light or light-on-dark ink);
//! - no band of one colour holds text that does not stand out from it — the
//!   bug this guards against: NetSurf drew everything after a film's player
//!   inside a black box, dark text on black;
//! - no dark box covers most of the page.
//!
//! The shots land in `target/screenshots/old-engines/` for a person to look
//! at. Skips with a notice when Xvfb, NetSurf, Dillo or ImageMagick is not
//! installed (`.ci/run` installs them).

#[path = "browser/mod.rs"]
mod browser;
mod common;
mod kinds;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const WIDTH: u32 = 1024;
const HEIGHT: u32 = 768;

fn installed(cmd: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(cmd).is_file()))
}

/// A private X display, stopped on drop.
struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    fn start() -> Xvfb {
        let base = 100 + std::process::id() % 300;
        for n in base..base + 40 {
            let socket = PathBuf::from(format!("/tmp/.X11-unix/X{n}"));
            if socket.exists() || Path::new(&format!("/tmp/.X{n}-lock")).exists() {
                continue;
            }
            let Ok(mut child) = Command::new("Xvfb")
                .args([
                    &format!(":{n}"),
                    "-screen",
                    "0",
                    &format!("{WIDTH}x{HEIGHT}x24"),
                    "-nolisten",
                    "tcp",
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
            else {
                panic!("Xvfb does not start");
            };
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if socket.exists() {
                    return Xvfb {
                        child,
                        display: format!(":{n}"),
                    };
                }
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("no free X display for Xvfb");
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The two engines, each with its own throwaway settings.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Engine {
    NetSurf,
    Dillo,
}

impl Engine {
    fn name(self) -> &'static str {
        match self {
            Engine::NetSurf => "netsurf",
            Engine::Dillo => "dillo",
        }
    }

    fn command(self, url: &str) -> Command {
        match self {
            Engine::NetSurf => {
                let mut c = Command::new("netsurf-gtk");
                c.arg(url);
                c
            }
            Engine::Dillo => {
                let mut c = Command::new("dillo");
                c.args(["-g", &format!("{WIDTH}x{HEIGHT}+0+0"), url]);
                c
            }
        }
    }

    /// The part of the screen that shows the page: below the engine's own
    /// toolbars, above its status line, left of its scroll bar.
    fn page_area(self) -> (u32, u32, u32, u32) {
        match self {
            // x, y, width, height
            Engine::NetSurf => (0, 46, 1000, 700),
            Engine::Dillo => (0, 100, 1000, 640),
        }
    }
}

/// Throwaway settings: NetSurf with JavaScript off and a window the size of
/// the screen; fontconfig mapping Dillo's default faces to a Hangul font
/// (Dillo has no font fallback and shows boxes otherwise).
fn engine_home(dir: &Path) {
    let ns = dir.join(".config/netsurf");
    std::fs::create_dir_all(&ns).unwrap();
    std::fs::write(
        ns.join("Choices"),
        format!("enable_javascript:0\nwindow_width:{WIDTH}\nwindow_height:{HEIGHT}\nwindow_x:0\nwindow_y:0\n"),
    )
    .unwrap();
    let fc = dir.join(".config/fontconfig");
    std::fs::create_dir_all(&fc).unwrap();
    let map = |from: &str, to: &str| {
        format!("<match target=\"pattern\"><test name=\"family\"><string>{from}</string></test><edit name=\"family\" mode=\"prepend\" binding=\"strong\"><string>{to}</string></edit></match>")
    };
    std::fs::write(
        fc.join("fonts.conf"),
        format!(
            "<?xml version=\"1.0\"?><!DOCTYPE fontconfig SYSTEM \"fonts.dtd\"><fontconfig>{}{}{}</fontconfig>",
            map("DejaVu Sans", "NanumGothic"),
            map("DejaVu Serif", "NanumMyeongjo"),
            map("DejaVu Sans Mono", "NanumGothicCoding")
        ),
    )
    .unwrap();
}

/// The whole screen as raw RGB.
fn grab(display: &str) -> Option<Vec<u8>> {
    let out = Command::new("import")
        .args([
            "-display", display, "-window", "root", "-depth", "8", "rgb:-",
        ])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    (out.status.success() && out.stdout.len() == (WIDTH * HEIGHT * 3) as usize)
        .then_some(out.stdout)
}

/// Opens `url` in `engine`, waits until the screen has stopped changing
/// (at most 12 s), writes the PNG and returns the screen's pixels.
fn shoot(x: &Xvfb, home: &Path, engine: Engine, url: &str, png: &Path) -> Vec<u8> {
    let mut child = engine
        .command(url)
        .env("DISPLAY", &x.display)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("LANG", "C.UTF-8")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{} does not start: {e}", engine.name()));
    let start = Instant::now();
    std::thread::sleep(Duration::from_millis(1200));
    // Ready: the page area is drawn (not one colour: every page has text)
    // and three grabs in a row are the same.
    let (ax, ay, aw, ah) = engine.page_area();
    let drawn = |s: &[u8]| {
        let at = |x: u32, y: u32| {
            let i = ((y * WIDTH + x) * 3) as usize;
            &s[i..i + 3]
        };
        let first = at(ax, ay).to_vec();
        (ay..ay + ah).any(|y| (ax..ax + aw).any(|x| at(x, y) != first.as_slice()))
    };
    let mut screen = Vec::new();
    let mut same = 0;
    while start.elapsed() < Duration::from_secs(15) {
        if let Some(now) = grab(&x.display) {
            same = if now == screen { same + 1 } else { 0 };
            screen = now;
            if same >= 2 && drawn(&screen) {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    // The picture a person looks at is the one that was checked.
    if let Ok(mut c) = Command::new("convert")
        .args([
            "-size",
            &format!("{WIDTH}x{HEIGHT}"),
            "-depth",
            "8",
            "rgb:-",
        ])
        .arg(png)
        .stdin(Stdio::piped())
        .spawn()
    {
        if let Some(mut stdin) = c.stdin.take() {
            use std::io::Write;
            let _ = stdin.write_all(&screen);
        }
        let _ = c.wait();
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(!screen.is_empty(), "no screen from {}", engine.name());
    screen
}

fn lum(p: &[u8]) -> i32 {
    (2126 * p[0] as i32 + 7152 * p[1] as i32 + 722 * p[2] as i32) / 10000
}

/// WCAG's relative luminance, 0 (black) to 1 (white).
fn rel_lum(p: &[u8]) -> f64 {
    let lin = |c: u8| {
        let c = c as f64 / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(p[0]) + 0.7152 * lin(p[1]) + 0.0722 * lin(p[2])
}

/// WCAG's contrast ratio of two colours, 1 to 21.
fn contrast(a: &[u8], b: &[u8]) -> f64 {
    let (x, y) = (rel_lum(a), rel_lum(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

fn distance(a: &[u8], b: &[u8]) -> i32 {
    (0..3)
        .map(|i| (a[i] as i32 - b[i] as i32).abs())
        .max()
        .unwrap_or(0)
}

/// What is wrong with a screen, as sentences; empty when it reads well.
fn problems(screen: &[u8], area: (u32, u32, u32, u32)) -> Vec<String> {
    let (ax, ay, aw, ah) = area;
    let px = |x: u32, y: u32| {
        let i = ((y * WIDTH + x) * 3) as usize;
        &screen[i..i + 3]
    };
    let mut out = Vec::new();

    // Each row's most common colour (quantized to 4 bits a channel) and how
    // much of the row it covers; rows of one colour that follow each other
    // form a band.
    let bin =
        |p: &[u8]| ((p[0] as usize >> 4) << 8) | ((p[1] as usize >> 4) << 4) | (p[2] as usize >> 4);
    let unbin = |b: usize| {
        [
            ((b >> 8) << 4) as u8,
            (((b >> 4) & 15) << 4) as u8,
            ((b & 15) << 4) as u8,
        ]
    };
    let mut rows: Vec<([u8; 3], f64)> = Vec::new();
    let mut counts = vec![0u32; 4096];
    for y in ay..ay + ah {
        counts.iter_mut().for_each(|c| *c = 0);
        for x in ax..ax + aw {
            counts[bin(px(x, y))] += 1;
        }
        let (b, n) = counts
            .iter()
            .enumerate()
            .max_by_key(|&(_, n)| *n)
            .map_or((0, 0), |(b, n)| (b, *n));
        rows.push((unbin(b), n as f64 / aw as f64));
    }
    let mut bands: Vec<(u32, u32, [u8; 3])> = Vec::new();
    for (i, &(c, share)) in rows.iter().enumerate() {
        let y = ay + i as u32;
        if share < 0.5 {
            continue;
        }
        match bands.last_mut() {
            Some(b) if b.2 == c && b.1 + 1 >= y => b.1 = y,
            _ => bands.push((y, y, c)),
        }
    }

    let mut ink_total = 0u64;
    for &(y0, y1, c) in &bands {
        let height = y1 - y0 + 1;
        // The band's true colour: the most common exact pixel of its colour
        // (sampled).
        let bg: Vec<u8> = {
            let mut exact = std::collections::HashMap::new();
            for y in (y0..=y1).step_by(2) {
                for x in (ax..ax + aw).step_by(3) {
                    let p = px(x, y);
                    if unbin(bin(p)) == c {
                        *exact.entry([p[0], p[1], p[2]]).or_insert(0u32) += 1;
                    }
                }
            }
            exact
                .into_iter()
                .max_by_key(|&(_, n)| n)
                .map(|(p, _)| p.to_vec())
                .unwrap_or_else(|| c.to_vec())
        };
        // Ink: what differs from the band's colour, between the band
        // colour's first and last pixel on each row (a box narrower than
        // the page has the page's own background beside it).
        let mut contrasts = Vec::new();
        for y in y0..=y1 {
            let inside: Vec<u32> = (ax..ax + aw)
                .filter(|&x| unbin(bin(px(x, y))) == c)
                .collect();
            let (Some(&first), Some(&last)) = (inside.first(), inside.last()) else {
                continue;
            };
            for x in first..=last {
                let p = px(x, y);
                if distance(p, &bg) > 24 {
                    contrasts.push(contrast(p, &bg));
                }
            }
        }
        ink_total += contrasts.len() as u64;
        let area_px = (height * aw) as usize;
        let dark = lum(&bg) < 110;
        if dark && height * 100 > ah * 60 {
            out.push(format!(
                "a dark box (rgb {bg:?}) covers rows {y0}–{y1}, most of the page"
            ));
        }
        // A dark or coloured band holding text (at least 0.3 % of it ink)
        // whose ink mostly does not stand out from it: glyphs drawn to be
        // read have a contrast ratio well over 3 with their background,
        // except at their smoothed edges. (Text on white and light greys is
        // our own palette's and is not what goes wrong in old engines.)
        if height >= 24 && rel_lum(&bg) < 0.4 && contrasts.len() * 1000 > area_px * 3 {
            let strong = contrasts.iter().filter(|&&r| r >= 3.0).count();
            if strong * 2 < contrasts.len() {
                out.push(format!(
                    "text that does not stand out: rows {y0}–{y1} on rgb {bg:?} (only {} % of its ink has a contrast of 3:1)",
                    strong * 100 / contrasts.len()
                ));
            }
        }
    }
    let ink_share = ink_total as f64 / (aw * ah) as f64;
    if ink_share < 0.003 {
        out.push(format!(
            "almost no text on the page ({:.2} % ink)",
            ink_share * 100.0
        ));
    }
    out
}

#[test]
fn every_page_kind_reads_in_netsurf_and_dillo() {
    for cmd in ["Xvfb", "netsurf-gtk", "dillo", "import", "convert"] {
        if !installed(cmd) {
            println!("NOTICE: skipped: {cmd} not installed (apt-get install xvfb netsurf-gtk dillo imagemagick)");
            return;
        }
    }
    let server = common::start(&common::sample_bundle());
    let empty_dir = kinds::empty_drive();
    let empty = common::start(&empty_dir);
    let catalog = server.get("/api/catalog").json();
    let mut pages: Vec<(String, String)> = kinds::all(&catalog)
        .into_iter()
        .map(|k| {
            (
                k.name.to_string(),
                format!("{}{}", server.base_url(), k.path),
            )
        })
        .collect();
    pages.push(("empty-drive".into(), format!("{}/", empty.base_url())));
    // `OLD_ENGINES_ONLY=film,home` shoots only those kinds (for looking at
    // one page while changing it).
    if let Ok(only) = std::env::var("OLD_ENGINES_ONLY") {
        let only: Vec<&str> = only.split(',').collect();
        pages.retain(|(name, _)| only.contains(&name.as_str()));
    }

    let home = common::temp_dir("old-engines-home");
    engine_home(&home);
    let shots = browser::screenshot_path("old-engines");
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).unwrap();
    let x = Xvfb::start();

    let started = Instant::now();
    let mut complaints = Vec::new();
    for engine in [Engine::NetSurf, Engine::Dillo] {
        for (name, url) in &pages {
            let png = shots.join(format!("{}-{name}.png", engine.name()));
            let screen = shoot(&x, &home, engine, url, &png);
            for p in problems(&screen, engine.page_area()) {
                complaints.push(format!("{} {name} ({url}): {p}", engine.name()));
            }
        }
    }
    println!(
        "{} shots in {:?} in {}",
        pages.len() * 2,
        started.elapsed(),
        shots.display()
    );
    drop(x);
    let _ = std::fs::remove_dir_all(&home);
    let _ = std::fs::remove_dir_all(&empty_dir);
    assert!(
        complaints.is_empty(),
        "pages that do not read well:\n{}",
        complaints.join("\n")
    );
}

/// The checks themselves, on drawn screens: the black box of the old film
/// page fails, a plain page and a dark bar with white text pass.
#[test]
fn the_picture_checks_catch_dark_text_on_black() {
    fn fill(screen: &mut [u8], x0: u32, y0: u32, w: u32, h: u32, c: [u8; 3]) {
        for y in y0..y0 + h {
            for x in x0..x0 + w {
                let i = ((y * WIDTH + x) * 3) as usize;
                screen[i..i + 3].copy_from_slice(&c);
            }
        }
    }
    // "Text": short strokes every few pixels, as glyphs leave.
    fn text(screen: &mut [u8], y0: u32, h: u32, c: [u8; 3]) {
        let mut y = y0 + 4;
        while y + 12 < y0 + h {
            let mut x = 20;
            while x + 3 < 900 {
                fill(screen, x, y, 2, 10, c);
                x += 7;
            }
            y += 24;
        }
    }
    let mut screen = vec![255u8; (WIDTH * HEIGHT * 3) as usize];
    let area = (0, 0, WIDTH, HEIGHT);
    assert!(problems(&screen, area)
        .iter()
        .any(|p| p.contains("almost no text")));

    text(&mut screen, 0, HEIGHT, [0x1f, 0x23, 0x28]);
    assert_eq!(problems(&screen, area), Vec::<String>::new());

    // A dark bar with white text on top: fine.
    fill(&mut screen, 0, 0, WIDTH, 60, [0x2f, 0x4f, 0x4f]);
    text(&mut screen, 0, 60, [255, 255, 255]);
    assert_eq!(problems(&screen, area), Vec::<String>::new());

    // The old film page: half the screen black with the page's dark text
    // and blue links on it.
    fill(&mut screen, 0, 300, WIDTH, 400, [0, 0, 0]);
    text(&mut screen, 300, 200, [0x1f, 0x23, 0x28]);
    text(&mut screen, 500, 200, [0x0b, 0x57, 0xa4]);
    let p = problems(&screen, area);
    assert!(p.iter().any(|p| p.contains("does not stand out")), "{p:?}");
}

//! `driveshelf serve`: open the bundle, listen on 127.0.0.1, open the browser.

use crate::archive::ClusterCache;
use crate::args::{ServeOptions, PORT_TRIES};
use crate::bundle::Catalog;
use crate::http::app::{App, Site};
use crate::http::contain::{self, Containment, Origins};
use crate::http::server::{self, Running};
use crate::launch;
use crate::session::Stopper;
use crate::titleindex::stored::Stored;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// The folder that holds the program: the drive, when it is double-clicked.
pub fn program_dir() -> Option<PathBuf> {
    std::env::current_exe()
        .ok()?
        .parent()
        .map(Path::to_path_buf)
}

/// Connections served at once: a browser opens six per site, a few tabs and
/// films more; the cap bounds threads and memory (512 × a 512 KiB stack fits
/// a 32-bit address space), not normal use.
const MAX_CONNECTIONS: usize = 512;

/// How to stop it, in the words of the window it runs in.
fn stop_hint() -> &'static str {
    if cfg!(windows) {
        "서재가 열렸습니다. 닫으려면 이 창을 닫거나 Ctrl-C를 누르세요. / The library is open. Close this window or press Ctrl-C to stop."
    } else {
        "서재가 열렸습니다. 닫으려면 Ctrl-C를 누르세요. / The library is open. Press Ctrl-C to stop."
    }
}

/// Builds the catalog of `dir` and starts serving it. The caller owns the
/// returned server (tests start it on port 0 in-process).
pub fn start(opts: &ServeOptions, dir: &Path) -> io::Result<Running> {
    start_with(opts, dir, Stopper::new())
}

/// [`start`], with the switch that the close control pulls.
pub fn start_with(opts: &ServeOptions, dir: &Path, stopper: Stopper) -> io::Result<Running> {
    start_parts(opts, dir, stopper).map(|(running, _)| running)
}

/// [`start_with`], also giving the drive index (for tests of its reader).
fn start_parts(
    opts: &ServeOptions,
    dir: &Path,
    stopper: Stopper,
) -> io::Result<(Running, Arc<crate::driveindex::DriveIndex>)> {
    let cache_bytes = usize::try_from(opts.cache_mib.saturating_mul(1 << 20)).unwrap_or(usize::MAX);
    let cache = Arc::new(ClusterCache::new(cache_bytes));
    let catalog = Catalog::build(dir, cache);
    let mut app = App::new(catalog, opts.lang, stopper);
    // Two origins: the interface on the chosen port, archive content on
    // any free one (another origin of the same site; see http::contain).
    let listener = server::bind(opts.port, PORT_TRIES)?;
    let content_listener = server::bind(0, 1)?;
    let origins = Origins {
        ui: listener.local_addr()?.port(),
        content: content_listener.local_addr()?.port(),
    };
    let (trusted, all) = read_trusted(dir);
    app.contain = Containment::new(origins, opts.archive_scripts || all, trusted);
    let indexes = app.title_indexes.clone();
    let drive = app.drive.clone();
    let drive_sources = crate::driveindex::sources::list(&app.catalog);
    let drive_root = app.catalog.root.clone();
    let archives = app
        .catalog
        .zims
        .iter()
        .map(|z| {
            let a = z.archive.as_ref().ok()?.clone();
            Some((a, Stored::find(&app.catalog.root, &z.rel)))
        })
        .collect();
    // Title indexes `prepare` stored on the drive serve from the first
    // request (a header read each); the others build once listening.
    let to_build = indexes.open_stored(archives);
    let (ui, content) = Site::pair(Arc::new(app));
    let content = server::start(content_listener, Arc::new(content), MAX_CONNECTIONS)?;
    let stop_indexes = indexes.clone();
    let running = server::start(listener, Arc::new(ui), MAX_CONNECTIONS)?
        .with_companion(content)
        .on_shutdown(move || stop_indexes.stop());
    // Listening: the suggestion indexes now build without delaying the
    // first page (suggestions keep to plain prefixes until they are ready).
    indexes.build_in_background(to_build);
    // The drive index: what `prepare` wrote, checked, then the rest read
    // in the background, until the server stops.
    let reader = crate::driveindex::background::start(drive.clone(), drive_root, drive_sources);
    Ok((running.on_shutdown(move || reader.stop()), drive))
}

/// The drive's `archive-scripts.txt`, if the packer wrote one.
fn read_trusted(dir: &Path) -> (std::collections::HashSet<String>, bool) {
    match std::fs::read(dir.join(contain::TRUSTED_FILE)) {
        // A list bigger than this is not a list of archives.
        Ok(b) if b.len() <= 1 << 20 => contain::parse_trusted(&String::from_utf8_lossy(&b)),
        _ => Default::default(),
    }
}

/// The address of a copy of this program already serving on one of the
/// ports we would try, if there is one.
fn running_copy(port: u16) -> Option<String> {
    (0..PORT_TRIES).find_map(|i| {
        let p = port.checked_add(i)?;
        let addr = std::net::SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, p));
        let mut s = TcpStream::connect_timeout(&addr, Duration::from_millis(200)).ok()?;
        s.set_read_timeout(Some(Duration::from_millis(800))).ok()?;
        let req =
            format!("GET /api/whoami HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\nConnection: close\r\n\r\n");
        s.write_all(req.as_bytes()).ok()?;
        let mut buf = Vec::new();
        let _ = s.take(4096).read_to_end(&mut buf);
        let text = String::from_utf8_lossy(&buf);
        text.contains("\"app\":\"driveshelf\"")
            .then(|| format!("http://127.0.0.1:{p}/"))
    })
}

/// Runs until Ctrl-C, SIGTERM or the close control (on Windows also: the
/// window is closed); returns the process exit code.
pub fn run(opts: ServeOptions) -> i32 {
    crate::platform::set_console_title("driveshelf");
    let code = serve(opts);
    if code != 0 {
        crate::platform::pause_before_exit();
    }
    code
}

fn serve(opts: ServeOptions) -> i32 {
    let dir = match opts.dir.clone().or_else(program_dir) {
        Some(d) => d,
        None => {
            eprintln!("driveshelf: 폴더를 알 수 없습니다 / cannot tell which folder to serve; give it as an argument");
            return 2;
        }
    };
    if !dir.is_dir() {
        eprintln!(
            "driveshelf: 폴더가 아닙니다 / not a folder: {}",
            dir.display()
        );
        return 2;
    }
    if opts.port != 0 {
        if let Some(url) = running_copy(opts.port) {
            let _ = writeln!(io::stdout(), "driveshelf: {url}");
            let _ = writeln!(io::stdout(), "  이미 열려 있습니다. / Already open.");
            if opts.open_browser {
                let _ = launch::open(&url, opts.private);
            }
            return 0;
        }
    }
    let stopper = Stopper::new();
    let running = match start_with(&opts, &dir, stopper.clone()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("driveshelf: 시작할 수 없습니다 / cannot start: {e}");
            return 1;
        }
    };
    let url = running.url();
    let mut out = io::stdout();
    let _ = writeln!(out, "driveshelf: {url}");
    let _ = writeln!(out, "  {}", stop_hint());
    let _ = out.flush();

    let on_signal = stopper.clone();
    if ctrlc::set_handler(move || on_signal.stop()).is_err() {
        eprintln!("driveshelf: Ctrl-C cannot be caught here; close the window to stop");
    }
    if opts.open_browser {
        // The browser is the recipient's way in; when none can be started the
        // printed address still works.
        if launch::open(&url, opts.private).is_err() {
            let _ = writeln!(
                out,
                "  브라우저에서 위 주소를 여세요. / Open the address above in a browser."
            );
        }
    }
    stopper.wait();
    // Stopping the accept thread in order means connect()ing to our own
    // listener to wake it. The process ends here anyway, so it ends without
    // that: no socket is made but the listener.
    std::mem::forget(running);
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_drive_reader_stops_with_the_server() {
        let dir =
            std::env::temp_dir().join(format!("driveshelf-serve-stop-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("pages")).unwrap();
        for i in 0..5 {
            std::fs::write(
                dir.join(format!("pages/p{i}.md")),
                format!("# {i}\n\nwords"),
            )
            .unwrap();
        }
        // The reader waits before its first file while this is there (up
        // to a minute): only the stop can end it sooner.
        std::fs::write(dir.join(crate::driveindex::background::TEST_HOLD), b"").unwrap();
        let opts = ServeOptions {
            dir: Some(dir.clone()),
            port: 0,
            open_browser: false,
            ..ServeOptions::default()
        };
        let (running, drive) = start_parts(&opts, &dir, Stopper::new()).unwrap();
        let before = drive.status();
        assert!(before.running, "{before:?}");
        assert_eq!(before.total, 5, "{before:?}");
        running.shutdown();
        let after = drive.status();
        assert!(!after.running, "still reading after shutdown: {after:?}");
        assert_eq!(after.done, 0, "{after:?}");
        assert!(drive.sources().is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }
}

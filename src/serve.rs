//! `driveshelf serve`: open the bundle, listen on 127.0.0.1, open the browser.

use crate::archive::ClusterCache;
use crate::args::{ServeOptions, PORT_TRIES};
use crate::bundle::Catalog;
use crate::http::app::App;
use crate::http::server::{self, Running};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc};

/// The folder that holds the program: the drive, when it is double-clicked.
pub fn program_dir() -> Option<PathBuf> {
    std::env::current_exe()
        .ok()?
        .parent()
        .map(Path::to_path_buf)
}

/// How to stop it, in the words of the window it runs in.
fn stop_hint() -> &'static str {
    if cfg!(windows) {
        "서재가 열렸습니다. 닫으려면 이 창을 닫거나 Ctrl-C를 누르세요. / The library is open. Close this window or press Ctrl-C to stop."
    } else {
        "서재가 열렸습니다. 닫으려면 Ctrl-C를 누르세요. / The library is open. Press Ctrl-C to stop."
    }
}

fn workers() -> usize {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    (cores * 4).clamp(8, 64)
}

/// Builds the catalog of `dir` and starts serving it. The caller owns the
/// returned server (tests start it on port 0 in-process).
pub fn start(opts: &ServeOptions, dir: &Path) -> io::Result<Running> {
    let cache_bytes = usize::try_from(opts.cache_mib.saturating_mul(1 << 20)).unwrap_or(usize::MAX);
    let cache = Arc::new(ClusterCache::new(cache_bytes));
    let catalog = Catalog::build(dir, cache);
    let app = Arc::new(App::new(catalog, opts.lang));
    let listener = server::bind(opts.port, PORT_TRIES)?;
    server::start(listener, app, workers())
}

/// Runs until Ctrl-C or SIGTERM (on Windows also: the window is closed);
/// returns the process exit code.
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
    let running = match start(&opts, &dir) {
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

    let (tx, rx) = mpsc::channel();
    if ctrlc::set_handler(move || {
        let _ = tx.send(());
    })
    .is_err()
    {
        eprintln!("driveshelf: Ctrl-C cannot be caught here; close the window to stop");
    }
    if opts.open_browser {
        // The browser is the recipient's way in; when none can be started the
        // printed address still works.
        if open::that_detached(&url).is_err() {
            let _ = writeln!(
                out,
                "  브라우저에서 위 주소를 여세요. / Open the address above in a browser."
            );
        }
    }
    let _ = rx.recv();
    running.shutdown();
    0
}

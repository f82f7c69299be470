//! The listening socket and the connections. Knows nothing of routes: a
//! [`Handler`] turns each request into a reply.

use super::guard;
use super::request::{Method, Req};
use super::response::{self, Reply};
use super::sendfile;
use super::wire::{self, ReadError};
use std::io::{self, BufReader, BufWriter};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

pub trait Handler: Send + Sync + 'static {
    fn handle(&self, req: &Req) -> Reply;
    /// Whether a POST to `path` may reach [`Handler::handle`].
    fn accepts_post(&self, _path: &str) -> bool {
        false
    }
    /// The reply for a request refused before routing (wrong Host, method).
    fn refuse(&self, req: &Req, status: u16) -> Reply;
}

/// Binds 127.0.0.1 (never another address) on `port`, or on one of the next
/// `tries - 1` ports when it is taken; port 0 asks the system for any port.
pub fn bind(port: u16, tries: u16) -> io::Result<TcpListener> {
    let mut last = None;
    for i in 0..tries.max(1) {
        let p = if port == 0 { 0 } else { port.saturating_add(i) };
        match TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, p))) {
            Ok(l) => return Ok(l),
            Err(e) => last = Some(e),
        }
        if port == 0 {
            break;
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no port to try")))
}

/// A running server.
pub struct Running {
    port: u16,
    stop: Arc<AtomicBool>,
    accept: JoinHandle<()>,
    /// The content origin's listener, which lives and stops with this one.
    companion: Option<Box<Running>>,
    /// Called at shutdown: background work that must end with the server.
    on_shutdown: Vec<Box<dyn FnOnce() + Send + Sync>>,
}

impl Running {
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port of the content origin (archive pages in the viewer's frame).
    pub fn content_port(&self) -> Option<u16> {
        self.companion.as_ref().map(|c| c.port)
    }

    pub fn with_companion(mut self, other: Running) -> Running {
        self.companion = Some(Box::new(other));
        self
    }

    /// Runs `f` when the server shuts down.
    pub fn on_shutdown(mut self, f: impl FnOnce() + Send + Sync + 'static) -> Running {
        self.on_shutdown.push(Box::new(f));
        self
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// Stops accepting. Connections already open finish on their own threads.
    pub fn shutdown(self) {
        for f in self.on_shutdown {
            f();
        }
        if let Some(c) = self.companion {
            c.shutdown();
        }
        self.stop.store(true, Ordering::SeqCst);
        // The accept call only returns for a connection: make one. (The
        // program itself never does this: it just exits, see `serve::run`.)
        let _ = TcpStream::connect_timeout(
            &SocketAddr::from((Ipv4Addr::LOCALHOST, self.port)),
            Duration::from_secs(1),
        );
        let _ = self.accept.join();
    }
}

/// No link of ours is near this long; a longer URL is a mistake or an attack.
pub const MAX_URL: usize = 8 * 1024;
/// A whole request head; browsers send 1–2 KiB.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// The close control posts nothing; no request needs a body larger than this.
const MAX_BODY: u64 = 64 * 1024;
/// Each connection's thread stack: handlers keep big data on the heap, and a
/// small stack lets hundreds of connections fit a 32-bit address space.
const CONN_STACK: usize = 512 * 1024;
/// How long a connection may sit idle (or trickle a head) before it is closed.
const READ_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a client may refuse to read what we send before we give up on it.
const WRITE_TIMEOUT: Duration = Duration::from_secs(60);

/// Serves `listener` with one thread per connection, at most
/// `max_connections` at once (one more is told 503 and closed). A thread
/// per connection keeps a slow video client from holding anyone else up,
/// and each connection's timeouts free its thread from a stalled client.
pub fn start(
    listener: TcpListener,
    handler: Arc<dyn Handler>,
    max_connections: usize,
) -> io::Result<Running> {
    let port = listener.local_addr()?.port();
    let stop = Arc::new(AtomicBool::new(false));
    let live = Arc::new(AtomicUsize::new(0));
    let stop_accept = stop.clone();
    let accept = thread::Builder::new()
        .name("accept".into())
        .spawn(move || {
            accept_loop(
                &listener,
                &handler,
                port,
                &stop_accept,
                &live,
                max_connections.max(1),
            )
        })?;
    Ok(Running {
        port,
        stop,
        accept,
        companion: None,
        on_shutdown: Vec::new(),
    })
}

fn accept_loop(
    listener: &TcpListener,
    handler: &Arc<dyn Handler>,
    port: u16,
    stop: &AtomicBool,
    live: &Arc<AtomicUsize>,
    max: usize,
) {
    loop {
        let stream = match listener.accept() {
            Ok((s, _)) => s,
            Err(_) if stop.load(Ordering::SeqCst) => return,
            Err(_) => {
                // Out of file descriptors or a connection reset before we
                // took it: wait a moment and go on accepting.
                thread::sleep(Duration::from_millis(20));
                continue;
            }
        };
        if stop.load(Ordering::SeqCst) {
            return;
        }
        if live.fetch_add(1, Ordering::SeqCst) >= max {
            live.fetch_sub(1, Ordering::SeqCst);
            let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
            let mut w = &stream;
            let _ = wire::write_response(&mut w, 503, &[], 0, &mut io::empty(), false, false);
            continue;
        }
        let handler = handler.clone();
        let live_conn = live.clone();
        let spawned = thread::Builder::new()
            .name("conn".into())
            .stack_size(CONN_STACK)
            .spawn(move || {
                connection(stream, &*handler, port);
                live_conn.fetch_sub(1, Ordering::SeqCst);
            });
        if spawned.is_err() {
            live.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// Answers the requests of one connection in turn until it closes.
fn connection(stream: TcpStream, handler: &dyn Handler, port: u16) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::with_capacity(8 * 1024, read_half);
    let mut writer = BufWriter::with_capacity(64 * 1024, stream);
    loop {
        let head = match wire::read_head(&mut reader, MAX_URL + 32, MAX_HEADER_BYTES) {
            Ok(h) => h,
            Err(ReadError::Closed) | Err(ReadError::Io(_)) => return,
            Err(ReadError::TooLarge { line }) => {
                let status = if line { 414 } else { 431 };
                refuse_early(&mut writer, handler, status);
                return;
            }
            Err(ReadError::Malformed) => {
                refuse_early(&mut writer, handler, 400);
                return;
            }
        };
        if head.target.len() > MAX_URL {
            refuse_early(&mut writer, handler, 414);
            return;
        }
        let body_len = match head
            .header("Content-Length")
            .map(|v| v.trim().parse::<u64>())
        {
            None => 0,
            Some(Ok(n)) if n <= MAX_BODY => n,
            _ => {
                refuse_early(&mut writer, handler, 400);
                return;
            }
        };
        if head.header("Transfer-Encoding").is_some()
            || wire::skip_body(&mut reader, body_len).is_err()
        {
            refuse_early(&mut writer, handler, 400);
            return;
        }
        let (method, mut out) = respond(&head, handler, port);
        // A request meant for another site is not a client to keep.
        let keep_alive = head.keep_alive() && out.status != 421;
        let head_only = method == Method::Head;
        let sent = match out.file.as_mut() {
            Some(part) => {
                wire::write_head(&mut writer, out.status, &out.headers, out.len, keep_alive)
                    .and_then(|()| io::Write::flush(&mut writer))
                    .and_then(|()| match head_only {
                        true => Ok(()),
                        false => {
                            sendfile::send(&mut part.file, part.offset, part.len, writer.get_mut())
                        }
                    })
            }
            None => wire::write_response(
                &mut writer,
                out.status,
                &out.headers,
                out.len,
                &mut out.reader,
                head_only,
                keep_alive,
            ),
        };
        if let Some(after) = out.after.take() {
            after();
        }
        // A client that went away mid-response is not an error worth reporting.
        if sent.is_err() || !keep_alive {
            return;
        }
    }
}

/// Answers a request we could not read, then the connection closes.
fn refuse_early(w: &mut impl io::Write, handler: &dyn Handler, status: u16) {
    let req = Req::new(Method::Get, "/");
    let mut out = response::finish(handler.refuse(&req, status), None, None);
    let _ = wire::write_response(
        w,
        out.status,
        &out.headers,
        out.len,
        &mut out.reader,
        false,
        false,
    );
}

/// Guards, routing and the panic net for one request.
fn respond(head: &wire::Head, handler: &dyn Handler, port: u16) -> (Method, response::Outgoing) {
    let method = match head.method.as_str() {
        "GET" => Method::Get,
        "HEAD" => Method::Head,
        "POST" => Method::Post,
        _ => Method::Other,
    };
    let owned = |name: &str| head.header(name).map(str::to_string);
    let mut req = Req::new(method, &head.target);
    req.host = owned("Host");
    req.range = owned("Range");
    req.if_range = owned("If-Range");
    req.origin = owned("Origin");
    req.accept_language = owned("Accept-Language");
    let lower = |name: &str| head.header(name).map(|v| v.trim().to_ascii_lowercase());
    req.fetch_site = lower("Sec-Fetch-Site");
    req.fetch_dest = lower("Sec-Fetch-Dest");
    req.fetch_mode = lower("Sec-Fetch-Mode");
    req.service_worker = head.header("Service-Worker").is_some();
    req.user_agent = owned("User-Agent");
    req.ch_ua = owned("Sec-CH-UA");

    let reply = if !guard::host_ok(req.host.as_deref(), port) {
        handler.refuse(&req, 421)
    } else if !guard::origin_ok(req.origin.as_deref(), port) {
        handler.refuse(&req, 403)
    } else if method == Method::Other
        || (method == Method::Post && !handler.accepts_post(&req.raw_path))
    {
        handler.refuse(&req, 405).with_header("Allow", "GET, HEAD")
    } else {
        // A bug or a hostile file must cost one request, never the server.
        match catch_unwind(AssertUnwindSafe(|| handler.handle(&req))) {
            Ok(r) => r,
            Err(_) => handler.refuse(&req, 500),
        }
    };
    let out = response::finish(reply, req.range.as_deref(), req.if_range.as_deref());
    (method, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::response::Body;

    struct Nothing;
    impl Handler for Nothing {
        fn handle(&self, _: &Req) -> Reply {
            Reply::new(204, "text/plain", Body::Empty)
        }
        fn refuse(&self, _: &Req, status: u16) -> Reply {
            Reply::new(status, "text/plain", Body::Empty)
        }
    }

    /// Background work registered with the server (the title indexes'
    /// build) is told to stop when the server shuts down.
    #[test]
    fn shutdown_runs_the_hooks() {
        let stopped = Arc::new(AtomicBool::new(false));
        let flag = stopped.clone();
        let running = start(bind(0, 1).unwrap(), Arc::new(Nothing), 4)
            .unwrap()
            .on_shutdown(move || flag.store(true, Ordering::SeqCst));
        assert!(!stopped.load(Ordering::SeqCst));
        running.shutdown();
        assert!(stopped.load(Ordering::SeqCst));
    }
}

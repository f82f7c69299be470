//! The listening socket and the worker threads. Knows nothing of routes: a
//! [`Handler`] turns each request into a reply.

use super::guard;
use super::request::{Method, Req};
use super::response::{self, Reply};
use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};

pub trait Handler: Send + Sync + 'static {
    fn handle(&self, req: &Req) -> Reply;
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
            Ok(l) => {
                // Connections accepted from it inherit the option; a
                // failure only costs latency, never correctness.
                let _ = socket2::SockRef::from(&l).set_tcp_nodelay(true);
                return Ok(l);
            }
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
    server: Arc<tiny_http::Server>,
    stop: Arc<AtomicBool>,
    workers: Vec<JoinHandle<()>>,
}

impl Running {
    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// Stops accepting and waits for the workers to finish what they hold.
    pub fn shutdown(self) {
        self.stop.store(true, Ordering::SeqCst);
        for _ in &self.workers {
            self.server.unblock();
        }
        for w in self.workers {
            let _ = w.join();
        }
    }
}

/// Most requests are small and answered by a fixed pool; a response larger
/// than this goes out on a thread of its own, so a few slow video clients
/// cannot hold every worker.
const LONG_BODY: u64 = 1 << 20;
const MAX_STREAMS: usize = 64;

pub fn start(
    listener: TcpListener,
    handler: Arc<dyn Handler>,
    workers: usize,
) -> io::Result<Running> {
    let port = listener.local_addr()?.port();
    let server = tiny_http::Server::from_listener(listener, None)
        .map_err(|e| io::Error::other(e.to_string()))?;
    let server = Arc::new(server);
    let stop = Arc::new(AtomicBool::new(false));
    let streams = Arc::new(AtomicUsize::new(0));
    let mut handles = Vec::new();
    for i in 0..workers.max(1) {
        let server = server.clone();
        let stop = stop.clone();
        let handler = handler.clone();
        let streams = streams.clone();
        let h = thread::Builder::new()
            .name(format!("http-{i}"))
            .spawn(move || loop {
                let Ok(rq) = server.recv() else { break };
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                serve_one(rq, &*handler, port, &streams);
            })?;
        handles.push(h);
    }
    Ok(Running {
        port,
        server,
        stop,
        workers: handles,
    })
}

fn header(rq: &tiny_http::Request, name: &str) -> Option<String> {
    rq.headers()
        .iter()
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str().to_string())
}

fn serve_one(rq: tiny_http::Request, handler: &dyn Handler, port: u16, streams: &Arc<AtomicUsize>) {
    let method = match rq.method() {
        tiny_http::Method::Get => Method::Get,
        tiny_http::Method::Head => Method::Head,
        _ => Method::Other,
    };
    let mut req = Req::new(method, rq.url());
    req.host = header(&rq, "Host");
    req.range = header(&rq, "Range");
    req.accept_language = header(&rq, "Accept-Language");

    let reply = if !guard::host_ok(req.host.as_deref(), port) {
        handler.refuse(&req, 421)
    } else if method == Method::Other {
        handler.refuse(&req, 405).with_header("Allow", "GET, HEAD")
    } else {
        // A bug or a hostile file must cost one request, never the server.
        match catch_unwind(AssertUnwindSafe(|| handler.handle(&req))) {
            Ok(r) => r,
            Err(_) => handler.refuse(&req, 500),
        }
    };
    let out = response::finish(reply, req.range.as_deref());
    let len = out.len;
    let mut headers = Vec::with_capacity(out.headers.len());
    for (k, v) in &out.headers {
        if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
            headers.push(h);
        }
    }
    let response = tiny_http::Response::new(
        tiny_http::StatusCode(out.status),
        headers,
        out.reader,
        usize::try_from(len).ok(),
        None,
    )
    .with_chunked_threshold(usize::MAX);

    if len > LONG_BODY
        && method == Method::Get
        && streams.fetch_add(1, Ordering::SeqCst) < MAX_STREAMS
    {
        let streams = streams.clone();
        let spawned = thread::Builder::new().name("stream".into()).spawn(move || {
            let _ = rq.respond(response);
            streams.fetch_sub(1, Ordering::SeqCst);
        });
        if spawned.is_err() {
            // The request moved into the failed closure is dropped: the
            // connection closes and the browser retries.
        }
        return;
    }
    if len > LONG_BODY && method == Method::Get {
        streams.fetch_sub(1, Ordering::SeqCst);
    }
    // A client that went away mid-response is not an error worth reporting.
    let _ = rq.respond(response);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_connections_do_not_wait_for_delayed_acks() {
        let l = bind(0, 1).unwrap();
        let addr = l.local_addr().unwrap();
        let _client = std::net::TcpStream::connect(addr).unwrap();
        let (conn, _) = l.accept().unwrap();
        assert!(conn.nodelay().unwrap());
    }
}

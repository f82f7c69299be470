//! "Outside", on this machine: a TCP listener and a UDP socket on one
//! loopback port that count what reaches them. Connections and datagrams
//! are counted, not request lines: a preconnect or a blocked navigation's
//! connect sends nothing, and WebRTC sends only UDP.

use std::net::{TcpListener, TcpStream, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

pub struct NetTrap {
    pub port: u16,
    tcp: Arc<AtomicUsize>,
    udp: Arc<AtomicUsize>,
    /// The first line of each TCP connection that sent one, for the report.
    lines: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl NetTrap {
    pub fn start() -> NetTrap {
        // The UDP socket takes the TCP listener's port; retry when that
        // port is taken for UDP.
        for _ in 0..20 {
            let tcp_l = TcpListener::bind("127.0.0.1:0").expect("trap tcp");
            let port = tcp_l.local_addr().expect("addr").port();
            let Ok(udp_s) = UdpSocket::bind(("127.0.0.1", port)) else {
                continue;
            };
            let stop = Arc::new(AtomicBool::new(false));
            let (tcp, udp) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
            let lines = Arc::new(Mutex::new(Vec::new()));
            let (t2, l2, s2) = (tcp.clone(), lines.clone(), stop.clone());
            let tcp_thread = std::thread::spawn(move || {
                for conn in tcp_l.incoming() {
                    if s2.load(Ordering::SeqCst) {
                        break;
                    }
                    t2.fetch_add(1, Ordering::SeqCst);
                    let Ok(conn) = conn else { continue };
                    let l3 = l2.clone();
                    std::thread::spawn(move || {
                        use std::io::Read;
                        let _ = conn.set_read_timeout(Some(Duration::from_millis(500)));
                        let mut buf = [0u8; 200];
                        let n = (&conn).read(&mut buf).unwrap_or(0);
                        let line = String::from_utf8_lossy(&buf[..n]);
                        let first = line.lines().next().unwrap_or("").to_string();
                        if let Ok(mut v) = l3.lock() {
                            v.push(first);
                        }
                    });
                }
            });
            let (u2, s3) = (udp.clone(), stop.clone());
            let _ = udp_s.set_read_timeout(Some(Duration::from_millis(200)));
            let udp_thread = std::thread::spawn(move || {
                let mut buf = [0u8; 2048];
                while !s3.load(Ordering::SeqCst) {
                    if udp_s.recv_from(&mut buf).is_ok() {
                        u2.fetch_add(1, Ordering::SeqCst);
                    }
                }
            });
            return NetTrap {
                port,
                tcp,
                udp,
                lines,
                stop,
                threads: vec![tcp_thread, udp_thread],
            };
        }
        panic!("no loopback port free for both TCP and UDP");
    }

    /// (TCP connections, UDP datagrams) so far.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.tcp.load(Ordering::SeqCst),
            self.udp.load(Ordering::SeqCst),
        )
    }

    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

impl Drop for NetTrap {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

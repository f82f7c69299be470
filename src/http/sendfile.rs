//! A part of a file to a socket without passing through the program.
//!
//! Films are most of the bytes served. On 64-bit Linux the kernel's
//! `sendfile` moves them from the page cache to the socket; the standard
//! library's `io::copy` will not do that from a regular file to a socket (a
//! later write to the file could show in bytes already queued — harmless
//! here, as nothing writes to the drive while serving). Elsewhere the part
//! goes in large read/write chunks.

use std::fs::File;
use std::io::{self, Seek, SeekFrom};
use std::net::TcpStream;

/// Sends `len` bytes of `file` from `offset`; an `UnexpectedEof` error when
/// the file ends first (it was cut short while serving).
pub fn send(file: &mut File, offset: u64, len: u64, sock: &mut TcpStream) -> io::Result<()> {
    let sent = kernel_send(file, offset, len, sock)?;
    if sent < len {
        copy_chunks(file, offset + sent, len - sent, sock)?;
    }
    Ok(())
}

/// How much the kernel sent; 0 where it cannot, so the caller copies.
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
fn kernel_send(file: &File, offset: u64, len: u64, sock: &TcpStream) -> io::Result<u64> {
    use std::os::fd::AsRawFd;
    let Ok(mut off) = libc::off_t::try_from(offset) else {
        return Ok(0);
    };
    let mut sent = 0u64;
    while sent < len {
        // The kernel sends at most about 2 GiB per call.
        let want = usize::try_from(len - sent)
            .unwrap_or(usize::MAX)
            .min(1 << 30);
        // SAFETY: both descriptors are open for the duration of the call
        // (borrowed from live File and TcpStream values) and `off` is a
        // valid, exclusively borrowed off_t.
        let n = unsafe { libc::sendfile(sock.as_raw_fd(), file.as_raw_fd(), &mut off, want) };
        match n {
            0 => break,
            n if n > 0 => sent += n as u64,
            _ => {
                let e = io::Error::last_os_error();
                match e.raw_os_error() {
                    Some(libc::EINTR) => continue,
                    // Not a file the kernel can send from: copy instead.
                    Some(libc::EINVAL | libc::ENOSYS) if sent == 0 => return Ok(0),
                    _ => return Err(e),
                }
            }
        }
    }
    Ok(sent)
}

#[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
fn kernel_send(_: &File, _: u64, _: u64, _: &TcpStream) -> io::Result<u64> {
    Ok(0)
}

fn copy_chunks(file: &mut File, offset: u64, len: u64, sock: &mut TcpStream) -> io::Result<()> {
    file.seek(SeekFrom::Start(offset))?;
    super::wire::copy_chunks(file, sock, len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::net::TcpListener;

    fn transfer(content: &[u8], offset: u64, len: u64) -> (io::Result<()>, Vec<u8>) {
        let dir = std::env::temp_dir().join(format!(
            "driveshelf-sendfile-{}-{offset}-{len}",
            std::process::id()
        ));
        std::fs::write(&dir, content).unwrap();
        let mut file = File::open(&dir).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let reader = std::thread::spawn(move || {
            let mut c = TcpStream::connect(addr).unwrap();
            let mut got = Vec::new();
            c.read_to_end(&mut got).unwrap();
            got
        });
        let (mut sock, _) = listener.accept().unwrap();
        let r = send(&mut file, offset, len, &mut sock);
        drop(sock);
        let got = reader.join().unwrap();
        let _ = std::fs::remove_file(&dir);
        (r, got)
    }

    #[test]
    fn sends_exactly_the_part() {
        let content: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        for (off, len) in [
            (0, 3_000_000),
            (1, 10),
            (1_234_567, 1_000_000),
            (2_999_999, 1),
            (5, 0),
        ] {
            let (r, got) = transfer(&content, off, len);
            r.unwrap();
            assert_eq!(
                got,
                content[off as usize..(off + len) as usize],
                "{off}+{len}"
            );
        }
    }

    #[test]
    fn a_short_file_is_an_error_after_what_it_had() {
        let content = vec![7u8; 1000];
        let (r, got) = transfer(&content, 900, 500);
        assert_eq!(r.unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
        assert_eq!(got, vec![7u8; 100]);
    }
}

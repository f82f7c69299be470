//! Positional reads from files on the drive.
//!
//! Every byte driveshelf serves is read with a positional read (`pread` on
//! Unix, `ReadFile` with an offset on Windows) instead of a memory map: a
//! truncated file or a failing USB stick then gives an I/O error for that one
//! request instead of a SIGBUS that kills the server, and archives larger than
//! a 32-bit address space still open.

use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::Arc;

/// Something bytes can be read from at any offset, from many threads at once.
pub trait ReadAt: Send + Sync {
    /// Fills `buf` from `offset`, or fails (`UnexpectedEof` past the end).
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()>;
    /// Total length in bytes, as known when opened.
    fn len(&self) -> u64;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Reads `len` bytes at `offset` into a new vector.
pub fn read_vec(src: &dyn ReadAt, offset: u64, len: usize) -> io::Result<Vec<u8>> {
    let end = offset
        .checked_add(len as u64)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "read past u64"))?;
    if end > src.len() {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "read past the end of the file",
        ));
    }
    let mut buf = vec![0u8; len];
    src.read_exact_at(&mut buf, offset)?;
    Ok(buf)
}

/// One file opened read-only.
pub struct FileAt {
    file: File,
    len: u64,
}

impl FileAt {
    pub fn open(path: &Path) -> io::Result<FileAt> {
        let file = File::open(path)?;
        let len = file.metadata()?.len();
        Ok(FileAt { file, len })
    }

    /// The open file, for handing its bytes to the kernel to send.
    pub fn into_file(self) -> File {
        self.file
    }
}

impl ReadAt for FileAt {
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        pread_exact(&self.file, buf, offset)
    }
    fn len(&self) -> u64 {
        self.len
    }
}

#[cfg(unix)]
fn pread_exact(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    use std::os::unix::fs::FileExt;
    file.read_exact_at(buf, offset)
}

#[cfg(windows)]
fn pread_exact(file: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, offset) {
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "file ended early",
                ))
            }
            Ok(n) => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// A window `[start, start + len)` of another source, seen as a source of its
/// own (a ZIM embedded in a file, a Xapian database inside a ZIM cluster).
#[derive(Clone)]
pub struct Window {
    inner: Arc<dyn ReadAt>,
    start: u64,
    len: u64,
}

impl Window {
    pub fn new(inner: Arc<dyn ReadAt>, start: u64, len: u64) -> io::Result<Window> {
        match start.checked_add(len) {
            Some(end) if end <= inner.len() => Ok(Window { inner, start, len }),
            _ => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "window outside the file",
            )),
        }
    }
}

impl ReadAt for Window {
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        let end = offset.checked_add(buf.len() as u64);
        match end {
            Some(end) if end <= self.len => self.inner.read_exact_at(buf, self.start + offset),
            _ => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "read past the end of the window",
            )),
        }
    }
    fn len(&self) -> u64 {
        self.len
    }
}

/// Bytes already in memory (tests, small blobs).
impl ReadAt for Vec<u8> {
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        let start = usize::try_from(offset).map_err(|_| eof())?;
        let end = start.checked_add(buf.len()).ok_or_else(eof)?;
        let src = self.get(start..end).ok_or_else(eof)?;
        buf.copy_from_slice(src);
        Ok(())
    }
    fn len(&self) -> u64 {
        Vec::len(self) as u64
    }
}

fn eof() -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, "read past the end")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_bounds() {
        let data: Arc<dyn ReadAt> = Arc::new((0u8..100).collect::<Vec<u8>>());
        let w = Window::new(data.clone(), 10, 20).unwrap();
        let mut b = [0u8; 5];
        w.read_exact_at(&mut b, 15).unwrap();
        assert_eq!(b, [25, 26, 27, 28, 29]);
        assert!(w.read_exact_at(&mut b, 16).is_err());
        assert!(Window::new(data, 90, 11).is_err());
    }

    #[test]
    fn read_vec_past_end() {
        let data = vec![1u8, 2, 3];
        assert!(read_vec(&data, 2, 2).is_err());
        assert_eq!(read_vec(&data, 1, 2).unwrap(), vec![2, 3]);
        assert!(read_vec(&data, u64::MAX, 2).is_err());
    }
}

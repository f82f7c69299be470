//! An entry's content, without copying it where that can be avoided.

use std::borrow::Cow;
use std::io;
use std::sync::Arc;

use crate::readat::{read_vec, ReadAt, Window};

/// Uncompressed clusters give a window over the file (a 2 GB video is served
/// by range, never loaded whole); compressed ones a slice of the cached
/// decompressed cluster.
#[derive(Clone)]
pub enum Blob {
    Memory {
        data: Arc<Vec<u8>>,
        start: usize,
        len: usize,
    },
    File(Window),
}

impl std::fmt::Debug for Blob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Blob::Memory { start, len, .. } => {
                write!(f, "Blob::Memory {{ start: {start}, len: {len} }}")
            }
            Blob::File(w) => write!(f, "Blob::File {{ len: {} }}", w.len()),
        }
    }
}

fn eof() -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        "read past the end of the entry",
    )
}

impl Blob {
    pub fn len(&self) -> u64 {
        match self {
            Blob::Memory { len, .. } => *len as u64,
            Blob::File(w) => w.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes, when they are already in memory.
    pub fn as_slice(&self) -> Option<&[u8]> {
        match self {
            Blob::Memory { data, start, len } => data.get(*start..start.checked_add(*len)?),
            Blob::File(_) => None,
        }
    }

    /// The whole content. For file-backed blobs this reads it all: callers
    /// serving large entries should read ranges through `ReadAt` instead.
    pub fn read_all(&self) -> io::Result<Cow<'_, [u8]>> {
        match self {
            Blob::Memory { .. } => self.as_slice().map(Cow::Borrowed).ok_or_else(eof),
            Blob::File(w) => {
                let len = usize::try_from(w.len()).map_err(|_| {
                    io::Error::new(io::ErrorKind::OutOfMemory, "entry too large for memory")
                })?;
                read_vec(w, 0, len).map(Cow::Owned)
            }
        }
    }
}

impl ReadAt for Blob {
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        match self {
            Blob::Memory { .. } => {
                let all = self.as_slice().ok_or_else(eof)?;
                let start = usize::try_from(offset).map_err(|_| eof())?;
                let end = start.checked_add(buf.len()).ok_or_else(eof)?;
                buf.copy_from_slice(all.get(start..end).ok_or_else(eof)?);
                Ok(())
            }
            Blob::File(w) => w.read_exact_at(buf, offset),
        }
    }

    fn len(&self) -> u64 {
        Blob::len(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_and_file() {
        let data = Arc::new((0u8..50).collect::<Vec<u8>>());
        let m = Blob::Memory {
            data: data.clone(),
            start: 10,
            len: 5,
        };
        assert_eq!(m.len(), 5);
        assert_eq!(&*m.read_all().unwrap(), &[10, 11, 12, 13, 14]);
        let mut b = [0u8; 2];
        m.read_exact_at(&mut b, 3).unwrap();
        assert_eq!(b, [13, 14]);
        assert!(m.read_exact_at(&mut b, 4).is_err());

        let src: Arc<dyn ReadAt> = data;
        let f = Blob::File(Window::new(src, 20, 3).unwrap());
        assert_eq!(&*f.read_all().unwrap(), &[20, 21, 22]);
        assert!(f.as_slice().is_none());

        let broken = Blob::Memory {
            data: Arc::new(vec![1, 2]),
            start: 1,
            len: 5,
        };
        assert!(broken.read_all().is_err());
    }
}

//! What can go wrong with one PDF. Each is about that file only.

use std::fmt;

#[derive(Debug)]
pub enum PdfError {
    /// The file could not be read (a pulled drive, a worn stick).
    Io(std::io::Error),
    /// Larger than the budget allows to read into memory.
    TooLarge { size: u64, limit: u64 },
    /// Needs a password to open.
    Encrypted,
    /// Encrypted with a method we cannot decrypt, or a broken encryption
    /// dictionary.
    UnsupportedEncryption,
    /// Not a PDF, or too damaged to find its pages.
    Damaged,
    /// Cut short: no end-of-file marker where a whole file has one.
    Truncated,
    /// The interpreter panicked on this file (message of the panic).
    Panicked(String),
    /// The time budget ran out.
    TimedOut { secs: u64 },
    /// The memory budget ran out.
    OutOfMemoryBudget { mib: u64 },
    /// The worker thread could not be started.
    Spawn(std::io::Error),
}

impl PdfError {
    /// A stable short name, for reports and the index file.
    pub fn code(&self) -> &'static str {
        match self {
            PdfError::Io(_) => "io",
            PdfError::TooLarge { .. } => "too-large",
            PdfError::Encrypted => "encrypted",
            PdfError::UnsupportedEncryption => "unsupported-encryption",
            PdfError::Damaged => "damaged",
            PdfError::Truncated => "truncated",
            PdfError::Panicked(_) => "panicked",
            PdfError::TimedOut { .. } => "timed-out",
            PdfError::OutOfMemoryBudget { .. } => "memory-budget",
            PdfError::Spawn(_) => "spawn",
        }
    }
}

impl fmt::Display for PdfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PdfError::Io(e) => write!(f, "cannot be read: {e}"),
            PdfError::TooLarge { size, limit } => write!(
                f,
                "too large to read ({} MiB; the limit is {} MiB)",
                size >> 20,
                limit >> 20
            ),
            PdfError::Encrypted => f.write_str("protected by a password"),
            PdfError::UnsupportedEncryption => {
                f.write_str("encrypted in a way that cannot be read")
            }
            PdfError::Damaged => f.write_str("damaged: its pages cannot be found"),
            PdfError::Truncated => f.write_str("cut short (no end-of-file marker)"),
            PdfError::Panicked(m) => write!(f, "the PDF reader failed on it ({m})"),
            PdfError::TimedOut { secs } => write!(f, "took longer than {secs} s to read"),
            PdfError::OutOfMemoryBudget { mib } => write!(f, "needed more than {mib} MiB to read"),
            PdfError::Spawn(e) => write!(f, "no thread to read it: {e}"),
        }
    }
}

impl std::error::Error for PdfError {}

impl From<std::io::Error> for PdfError {
    fn from(e: std::io::Error) -> Self {
        PdfError::Io(e)
    }
}

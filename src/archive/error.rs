//! Why reading an archive failed, worded for the person looking at the drive.

use std::fmt;
use std::io;

#[derive(Debug)]
pub enum ArchiveError {
    /// The operating system could not read the file (missing, unreadable, a
    /// failing stick, a file that shrank after it was opened).
    Io(io::Error),
    NotZim,
    TooSmall {
        len: u64,
    },
    UnsupportedVersion {
        major: u16,
        minor: u16,
    },
    /// The header says the file is longer than it is: an interrupted copy.
    Truncated {
        expected: u64,
        len: u64,
    },
    /// The checksum must be the last 16 bytes; it is earlier.
    BadSize {
        checksum_pos: u64,
        len: u64,
    },
    /// A table the header points to does not lie inside the file.
    TableOutside {
        what: &'static str,
        end: u64,
        limit: u64,
    },
    BadMimeListPos(u64),
    BadMimeList(&'static str),
    BadDirentPointer {
        index: u32,
    },
    Unsorted {
        first: u32,
        first_path: String,
        second: u32,
        second_path: String,
    },
    BadDirent {
        index: u32,
        reason: &'static str,
    },
    EntryOutOfRange {
        index: u32,
        count: u32,
    },
    ClusterOutOfRange {
        cluster: u32,
        count: u32,
    },
    BadCluster {
        cluster: u32,
        reason: &'static str,
    },
    BlobOutOfRange {
        cluster: u32,
        blob: u32,
        count: u64,
    },
    UnsupportedCompression {
        cluster: u32,
        name: &'static str,
    },
    Decompress {
        cluster: u32,
        algorithm: &'static str,
        message: String,
    },
    ClusterTooLarge {
        cluster: u32,
        limit: u64,
    },
    TooLarge {
        what: &'static str,
        size: u64,
        limit: u64,
    },
    RedirectLoop {
        index: u32,
    },
    UnknownMime(u16),
    NotContent {
        index: Option<u32>,
    },
    BadTitleListing(&'static str),
    SplitPartsMissing(String),
}

pub type Result<T> = std::result::Result<T, ArchiveError>;

impl fmt::Display for ArchiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ArchiveError::*;
        match self {
            Io(e) if e.kind() == io::ErrorKind::UnexpectedEof => write!(
                f,
                "file is truncated or changed since it was opened (a read went past its end)"
            ),
            Io(e) if e.kind() == io::ErrorKind::NotFound => write!(f, "file not found ({e})"),
            Io(e) => write!(f, "the file cannot be read ({e})"),
            NotZim => write!(f, "not a ZIM file (bad magic number)"),
            TooSmall { len } => write!(
                f,
                "file is too small to be a ZIM file: {len} bytes, the header alone is 80"
            ),
            UnsupportedVersion { major, minor } => write!(
                f,
                "unsupported ZIM format version {major}.{minor} (only 5.x and 6.x are known)"
            ),
            Truncated { expected, len } => write!(
                f,
                "file is truncated: the header says it is {expected} bytes long but the file ends at {len}"
            ),
            BadSize { checksum_pos, len } => write!(
                f,
                "file size does not match its header (checksum at byte {checksum_pos}, file is {len} bytes): the file is damaged"
            ),
            TableOutside { what, end, limit } => write!(
                f,
                "header is damaged: the {what} would reach byte {end}, past the end of the data at byte {limit}"
            ),
            BadMimeListPos(pos) => write!(
                f,
                "header is damaged: the MIME type list must start at byte 80, not {pos}"
            ),
            BadMimeList(why) => write!(f, "the MIME type list is damaged: {why}"),
            BadDirentPointer { index } => write!(
                f,
                "entry list is damaged: the pointer of entry {index} points outside the file"
            ),
            Unsorted {
                first,
                first_path,
                second,
                second_path,
            } => write!(
                f,
                "entry list is damaged: not sorted by path (#{first} \"{first_path}\" comes before #{second} \"{second_path}\")"
            ),
            BadDirent { index, reason } => {
                write!(f, "entry list is damaged: entry {index} {reason}")
            }
            EntryOutOfRange { index, count } => write!(
                f,
                "entry number {index} does not exist (the archive has {count} entries)"
            ),
            ClusterOutOfRange { cluster, count } => write!(
                f,
                "cluster {cluster} does not exist (the archive has {count} clusters)"
            ),
            BadCluster { cluster, reason } => write!(f, "cluster {cluster} is damaged: {reason}"),
            BlobOutOfRange {
                cluster,
                blob,
                count,
            } => write!(
                f,
                "cluster {cluster} has {count} items, item {blob} does not exist"
            ),
            UnsupportedCompression { cluster, name } => write!(
                f,
                "cluster {cluster} uses {name} compression, which is not supported"
            ),
            Decompress {
                cluster,
                algorithm,
                message,
            } => write!(
                f,
                "cluster {cluster} cannot be decompressed ({algorithm} error: {message})"
            ),
            ClusterTooLarge { cluster, limit } => write!(
                f,
                "cluster {cluster} decompresses to more than {limit} bytes; refusing it"
            ),
            TooLarge { what, size, limit } => write!(
                f,
                "{what} is too large ({size} bytes, the limit is {limit})"
            ),
            RedirectLoop { index } => write!(f, "redirect loop (starting at entry {index})"),
            UnknownMime(n) => write!(f, "unknown MIME type number {n}"),
            NotContent { index: Some(i) } => {
                write!(f, "entry {i} is a redirect or a placeholder, it has no content")
            }
            NotContent { index: None } => {
                write!(f, "entry is a redirect or a placeholder, it has no content")
            }
            BadTitleListing(why) => write!(f, "title list is damaged: {why}"),
            SplitPartsMissing(name) => write!(
                f,
                "split archive \"{name}\" has no parts (expected {name}aa, {name}ab, …)"
            ),
        }
    }
}

impl std::error::Error for ArchiveError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ArchiveError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for ArchiveError {
    fn from(e: io::Error) -> Self {
        ArchiveError::Io(e)
    }
}

//! The units' text, for snippets, in zstd blocks of about 32 KiB: a few
//! pages of a newspaper each, so that a snippet reads and unpacks one small
//! block, while the text still compresses as text (to a fifth or less of
//! its size for Korean newspapers; a unit is never split across blocks).

use std::io;

/// A block is closed once it holds this much text.
pub const TARGET: usize = 32 << 10;
/// zstd level: ~10 % smaller than the default 3 on Korean text, still
/// far faster than reading the PDFs it came from.
const LEVEL: i32 = 9;
/// The largest block a reader unpacks: one unit's text is capped by the
/// PDF budget (16 MiB) and text files (8 MiB).
pub const MAX_RAW: u32 = 24 << 20;

/// Where a block is in the blob.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockRec {
    pub off: u64,
    /// Compressed length.
    pub len: u32,
    /// Text length.
    pub raw: u32,
}

fn damaged() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "drive index text damaged")
}

pub fn compress(raw: &[u8]) -> io::Result<Vec<u8>> {
    zstd::bulk::compress(raw, LEVEL)
}

/// The text of `rec`, read from `data` (its compressed bytes); exactly
/// `rec.raw` bytes or an error.
pub fn decompress(data: &[u8], rec: &BlockRec) -> io::Result<Vec<u8>> {
    if rec.raw > MAX_RAW {
        return Err(damaged());
    }
    let out = zstd::bulk::decompress(data, rec.raw as usize).map_err(|_| damaged())?;
    if out.len() != rec.raw as usize {
        return Err(damaged());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_damage() {
        let text = "대한민국은 민주공화국이다. 모든 권력은 국민으로부터 나온다. ".repeat(500);
        let z = compress(text.as_bytes()).unwrap();
        assert!(z.len() < text.len() / 10);
        let rec = BlockRec {
            off: 0,
            len: z.len() as u32,
            raw: text.len() as u32,
        };
        assert_eq!(decompress(&z, &rec).unwrap(), text.as_bytes());
        // A wrong length either way, flipped bits, a cut: errors.
        for raw in [rec.raw - 1, rec.raw + 1, MAX_RAW + 1] {
            assert!(decompress(&z, &BlockRec { raw, ..rec }).is_err());
        }
        assert!(decompress(&z[..z.len() - 3], &rec).is_err());
        for i in (0..z.len()).step_by(7) {
            let mut bad = z.clone();
            bad[i] ^= 0x5a;
            // zstd frames carry no checksum by default: a flipped literal
            // may still unpack, but never to more or less than asked.
            if let Ok(t) = decompress(&bad, &rec) {
                assert_eq!(t.len(), text.len());
            }
        }
    }
}

//! Posting lists of the drive index as stored: (unit, wdf) pairs, units
//! ascending, in blocks of 128 whose gaps and wdfs are bit-packed at the
//! width the block needs.
//!
//! A word on most pages of a newspaper (gaps of 1, wdf 1–3) then costs a
//! quarter of a byte a posting instead of two, which is most of what keeps
//! the index small beside the text; a rare word's few postings cost about
//! what varints would.
//!
//! Block: one byte of gap width, one of wdf width (0–32 bits each), then
//! the gaps less one (the first unit counts from −1), then the wdfs less
//! one, each packed least significant bit first and padded to a byte. The
//! number of postings (`df`) is kept in the term's record, so a block's
//! length follows from the widths.

use std::io;

/// Postings per block.
pub const BLOCK: usize = 128;

fn damaged() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "drive index postings damaged")
}

/// Bits needed for `v` (0 for 0).
fn width(v: u32) -> u8 {
    (32 - v.leading_zeros()) as u8
}

fn pack(values: impl Iterator<Item = u32>, bits: u8, out: &mut Vec<u8>) {
    if bits == 0 {
        return;
    }
    let mut acc: u64 = 0;
    let mut held: u32 = 0;
    for v in values {
        acc |= u64::from(v) << held;
        held += u32::from(bits);
        while held >= 8 {
            out.push(acc as u8);
            acc >>= 8;
            held -= 8;
        }
    }
    if held > 0 {
        out.push(acc as u8);
    }
}

/// Reads `n` values of `bits` bits from `b` at `*pos`, handing each to `f`.
fn unpack(
    b: &[u8],
    pos: &mut usize,
    n: usize,
    bits: u8,
    mut f: impl FnMut(usize, u32),
) -> io::Result<()> {
    if bits == 0 {
        (0..n).for_each(|i| f(i, 0));
        return Ok(());
    }
    let len = (n * usize::from(bits)).div_ceil(8);
    let bytes = b.get(*pos..*pos + len).ok_or_else(damaged)?;
    *pos += len;
    let mask: u64 = if bits == 32 {
        u64::from(u32::MAX)
    } else {
        (1u64 << bits) - 1
    };
    let mut acc: u64 = 0;
    let mut held: u32 = 0;
    let mut next = bytes.iter();
    for i in 0..n {
        while held < u32::from(bits) {
            acc |= u64::from(*next.next().ok_or_else(damaged)?) << held;
            held += 8;
        }
        f(i, (acc & mask) as u32);
        acc >>= bits;
        held -= u32::from(bits);
    }
    // The padding is zeros: a wrong count shows here, not only as a
    // wrong length.
    if acc != 0 || next.next().is_some() {
        return Err(damaged());
    }
    Ok(())
}

/// Appends the stored form of `list` ((unit, wdf), units strictly
/// ascending, wdf at least 1) to `out`.
pub fn encode(list: &[(u32, u32)], out: &mut Vec<u8>) {
    let mut prev: i64 = -1;
    for block in list.chunks(BLOCK) {
        let mut gaps = [0u32; BLOCK];
        let mut wdfs = [0u32; BLOCK];
        for (i, &(unit, wdf)) in block.iter().enumerate() {
            // Ascending by construction; a repeat would store as gap 0 − 1.
            gaps[i] = u32::try_from(i64::from(unit) - prev - 1).unwrap_or(0);
            wdfs[i] = wdf.max(1) - 1;
            prev = i64::from(unit);
        }
        let n = block.len();
        let gw = gaps[..n].iter().map(|&g| width(g)).max().unwrap_or(0);
        let ww = wdfs[..n].iter().map(|&w| width(w)).max().unwrap_or(0);
        out.push(gw);
        out.push(ww);
        pack(gaps[..n].iter().copied(), gw, out);
        pack(wdfs[..n].iter().copied(), ww, out);
    }
}

/// The `df` postings stored in `bytes`, each unit below `units`; anything
/// else (too short, too long, a unit out of range) is damage.
pub fn decode(bytes: &[u8], df: u32, units: u32) -> io::Result<Vec<(u32, u32)>> {
    let df = df as usize;
    // Each block takes at least its two width bytes.
    if df.div_ceil(BLOCK) * 2 > bytes.len() {
        return Err(damaged());
    }
    let mut out = Vec::with_capacity(df);
    let mut pos = 0;
    let mut prev: i64 = -1;
    let mut left = df;
    while left > 0 {
        let n = left.min(BLOCK);
        let gw = *bytes.get(pos).ok_or_else(damaged)?;
        let ww = *bytes.get(pos + 1).ok_or_else(damaged)?;
        pos += 2;
        if gw > 32 || ww > 32 {
            return Err(damaged());
        }
        let start = out.len();
        let mut bad = false;
        unpack(bytes, &mut pos, n, gw, |_, gap| {
            let unit = prev + 1 + i64::from(gap);
            if unit >= i64::from(units) {
                bad = true;
            }
            prev = unit;
            out.push((unit as u32, 1));
        })?;
        if bad {
            return Err(damaged());
        }
        let block = out.get_mut(start..).ok_or_else(damaged)?;
        unpack(bytes, &mut pos, n, ww, |i, w| {
            if let Some(p) = block.get_mut(i) {
                p.1 = w.saturating_add(1);
            }
        })?;
        left -= n;
    }
    if pos != bytes.len() {
        return Err(damaged());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(list: &[(u32, u32)], units: u32) -> Vec<u8> {
        let mut b = Vec::new();
        encode(list, &mut b);
        assert_eq!(decode(&b, list.len() as u32, units).unwrap(), list);
        b
    }

    #[test]
    fn dense_lists_take_bits_not_bytes() {
        let list: Vec<(u32, u32)> = (0..10_000).map(|u| (u, 1 + u % 3)).collect();
        let b = round(&list, 10_000);
        // Gaps of 1 need no bits, wdfs 1–3 two: ~0.25 byte a posting.
        assert!(b.len() < 10_000 / 3, "{}", b.len());
    }

    #[test]
    fn sparse_and_odd_lists() {
        round(&[], 1);
        round(&[(0, 1)], 1);
        round(&[(u32::MAX - 1, u32::MAX)], u32::MAX);
        round(&[(5, 1), (6, 200), (1_000_000, 1)], 1_000_001);
        let list: Vec<(u32, u32)> = (0..1000).map(|i| (i * i, 1 + (i * 7919) % 50)).collect();
        round(&list, 1_000_000);
        // Exactly one block, and one past it.
        let list: Vec<(u32, u32)> = (0..129).map(|u| (u * 2, 1)).collect();
        round(&list[..128], 300);
        round(&list, 300);
    }

    #[test]
    fn damage_is_an_error_not_a_panic() {
        let list: Vec<(u32, u32)> = (0..300).map(|u| (u * 3, 1 + u % 5)).collect();
        let mut b = Vec::new();
        encode(&list, &mut b);
        // A unit past the end, a df that does not match, cut or grown bytes.
        assert!(decode(&b, 300, 800).is_err());
        assert!(decode(&b, 299, 1000).is_err());
        assert!(decode(&b, 301, 1000).is_err());
        assert!(decode(&b[..b.len() - 1], 300, 1000).is_err());
        let mut longer = b.clone();
        longer.push(0);
        assert!(decode(&longer, 300, 1000).is_err());
        assert!(decode(&[40, 0], 1, 10).is_err());
        // Any bytes: an answer or an error, never a panic.
        let mut x: u32 = 1;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let n = (x % 24) as usize;
            let bytes: Vec<u8> = (0..n).map(|i| (x >> (i % 4 * 8)) as u8 ^ i as u8).collect();
            let _ = decode(&bytes, x % 300, x % 5000);
        }
    }
}

//! Glass's integer and string encodings. Every decoder works on a slice
//! cursor and reports `None` on truncated or overlong input, so damaged bytes
//! become an error at the caller instead of a panic.

/// A read position in a byte slice.
pub(super) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf, pos: 0 }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }

    /// Bytes not read yet.
    pub(super) fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    pub(super) fn byte(&mut self) -> Option<u8> {
        let b = *self.buf.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    pub(super) fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }

    /// `pack_uint`: 7 bits a byte, least significant group first.
    pub(super) fn uint(&mut self) -> Option<u64> {
        let mut value: u64 = 0;
        let mut shift = 0u32;
        loop {
            let b = self.byte()?;
            let bits = u64::from(b & 0x7f);
            if shift >= 64 || (shift > 0 && bits.checked_shl(shift)? >> shift != bits) {
                return None;
            }
            value |= bits << shift;
            if b & 0x80 == 0 {
                return Some(value);
            }
            shift += 7;
        }
    }

    pub(super) fn uint32(&mut self) -> Option<u32> {
        u32::try_from(self.uint()?).ok()
    }

    /// `pack_bool`: ASCII '0' or '1'.
    pub(super) fn bool(&mut self) -> Option<bool> {
        match self.byte()? {
            b'0' => Some(false),
            b'1' => Some(true),
            _ => None,
        }
    }

    /// `pack_string`: a varint length, then the bytes.
    pub(super) fn string(&mut self) -> Option<&'a [u8]> {
        let n = usize::try_from(self.uint()?).ok()?;
        self.bytes(n)
    }

    /// `pack_uint_preserving_sort` as glass writes it.
    pub(super) fn sortable_uint(&mut self) -> Option<u64> {
        let first = self.byte()?;
        if first < 0x80 {
            let second = self.byte()?;
            return Some(u64::from(first) << 8 | u64::from(second));
        }
        // k leading one-bits announce k + 1 more bytes.
        let k = first.leading_ones() as usize;
        if k >= 8 {
            return None;
        }
        let mut value = u64::from(u32::from(first) & (0xffu32 >> (k + 1)));
        for _ in 0..=k {
            let b = self.byte()?;
            value = value.checked_mul(256)? | u64::from(b);
        }
        Some(value)
    }
}

pub(super) fn put_uint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

pub(super) fn put_sortable_uint(out: &mut Vec<u8>, v: u64) {
    if v < 0x8000 {
        out.extend_from_slice(&(v as u16).to_be_bytes());
        return;
    }
    // k leading one-bits in the first byte announce k + 1 more bytes; the
    // first byte keeps 7 - k value bits.
    let mut k = 1usize;
    while k < 7 && v >> ((7 - k) + 8 * (k + 1)) != 0 {
        k += 1;
    }
    let first = out.len();
    for i in (0..k + 2).rev() {
        out.push(if i < 8 { (v >> (8 * i)) as u8 } else { 0 });
    }
    if let Some(b) = out.get_mut(first) {
        *b |= !(0xffu32 >> k) as u8;
    }
}

/// Postlist keys escape NUL as `00 FF` so a term sorts before the chunks of
/// any term that extends it.
pub(super) fn put_escaped(out: &mut Vec<u8>, s: &[u8]) {
    for &b in s {
        out.push(b);
        if b == 0 {
            out.push(0xff);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sortable(v: u64) -> Vec<u8> {
        let mut out = Vec::new();
        put_sortable_uint(&mut out, v);
        out
    }

    #[test]
    fn sortable_examples() {
        assert_eq!(sortable(1), vec![0, 1]);
        assert_eq!(sortable(0x8000), vec![0x80, 0x80, 0x00]);
        assert_eq!(sortable(0x40_0000), vec![0xC0, 0x40, 0x00, 0x00]);
        let max = sortable(u64::MAX);
        assert_eq!(max.len(), 9);
        assert_eq!(max[0], 0xFE);
        for v in [
            0u64,
            5,
            0x7fff,
            0x8000,
            0x1f_ffff,
            0x20_0000,
            1 << 40,
            u64::MAX,
        ] {
            let enc = sortable(v);
            assert_eq!(Reader::new(&enc).sortable_uint(), Some(v), "{v:#x}");
        }
        let mut prev = sortable(0);
        for v in (1..3_000_000u64).step_by(977) {
            let enc = sortable(v);
            assert!(enc > prev);
            prev = enc;
        }
    }

    #[test]
    fn varints() {
        for v in [0u64, 1, 127, 128, 300, 1 << 35, u64::MAX] {
            let mut out = Vec::new();
            put_uint(&mut out, v);
            assert_eq!(Reader::new(&out).uint(), Some(v));
        }
        assert_eq!(Reader::new(&[0x80]).uint(), None);
        assert_eq!(Reader::new(&[0xff; 11]).uint(), None);
        assert_eq!(Reader::new(&[0x05, b'a']).string(), None);
        assert_eq!(Reader::new(&[0xff]).sortable_uint(), None);
    }
}

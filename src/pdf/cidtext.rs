//! Unicode for the glyphs of a CID-keyed font that carries no ToUnicode
//! map, as pdftotext finds it: the font's program names its character
//! collection (Adobe-Japan1, -Korea1, -GB1, -CNS1) and maps each glyph to
//! a CID of it; Adobe's table for that collection gives the CID's Unicode.
//! Only embedded CFF programs are read (CIDFontType0C, bare or in an
//! OpenType wrapper); anything else, or anything malformed, gives nothing.

use hayro_interpret::font::OutlineGlyph;
use hayro_interpret::hayro_cmap::{load_embedded, BfString, CMap, CMapName};
use std::collections::HashMap;
use std::sync::Arc;

/// What one font program tells: the CID of each glyph, and the table of
/// its collection.
struct Collection {
    cids: Vec<u16>,
    ucs2: Arc<CMap>,
}

/// Per document: each font read once (by its program's hash), each
/// collection's table parsed once.
#[derive(Default)]
pub(super) struct CidFallback {
    fonts: HashMap<u128, Option<Collection>>,
    tables: HashMap<&'static str, Option<Arc<CMap>>>,
}

impl CidFallback {
    /// The text of a glyph its font does not map to Unicode, when its
    /// program is a CID-keyed CFF of a known collection.
    pub(super) fn unicode(&mut self, glyph: &OutlineGlyph) -> Option<BfString> {
        let data = glyph.font_data()?;
        let tables = &mut self.tables;
        let font = self.fonts.entry(data.cache_key).or_insert_with(|| {
            let bytes: &[u8] = (*data.data).as_ref();
            let cff = cff_table(bytes)?;
            let (ordering, cids) = read_cid_font(cff)?;
            let ucs2 = tables
                .entry(ordering)
                .or_insert_with(|| collection_table(ordering))
                .clone()?;
            Some(Collection { cids, ucs2 })
        });
        let font = font.as_ref()?;
        let gid = usize::try_from(glyph.glyph_id().to_u32()).ok()?;
        let cid = *font.cids.get(gid)?;
        // CID 0 is .notdef in every collection.
        if cid == 0 {
            return None;
        }
        font.ucs2.lookup_bf_string(u32::from(cid))
    }
}

fn collection_table(ordering: &str) -> Option<Arc<CMap>> {
    let name = match ordering {
        "Japan1" => CMapName::AdobeJapan1Ucs2,
        "Korea1" => CMapName::AdobeKorea1Ucs2,
        "GB1" => CMapName::AdobeGb1Ucs2,
        "CNS1" => CMapName::AdobeCns1Ucs2,
        _ => return None,
    };
    CMap::parse(load_embedded(name)?, load_embedded).map(Arc::new)
}

/// The CFF program: the bytes themselves, or the `CFF ` table of an
/// OpenType font.
fn cff_table(data: &[u8]) -> Option<&[u8]> {
    if data.get(..4)? != b"OTTO" {
        // A bare CFF starts with major version 1.
        return (data.first() == Some(&1)).then_some(data);
    }
    let tables = usize::from(be16(data, 4)?);
    for i in 0..tables {
        let rec = 12 + 16 * i;
        if data.get(rec..rec + 4)? == b"CFF " {
            let off = usize::try_from(be32(data, rec + 8)?).ok()?;
            let len = usize::try_from(be32(data, rec + 12)?).ok()?;
            return data.get(off..off.checked_add(len)?);
        }
    }
    None
}

fn be16(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(d.get(at..at + 2)?.try_into().ok()?))
}

fn be32(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(d.get(at..at + 4)?.try_into().ok()?))
}

/// A CFF INDEX at `at`: its items and where it ends.
fn index(d: &[u8], at: usize) -> Option<(Vec<&[u8]>, usize)> {
    let count = usize::from(be16(d, at)?);
    if count == 0 {
        return Some((Vec::new(), at + 2));
    }
    let size = usize::from(*d.get(at + 2)?);
    if !(1..=4).contains(&size) {
        return None;
    }
    let offset = |i: usize| -> Option<usize> {
        let p = at + 3 + i * size;
        let bytes = d.get(p..p + size)?;
        Some(bytes.iter().fold(0usize, |v, &b| (v << 8) | usize::from(b)))
    };
    // Offsets count from 1, from the byte before the data.
    let base = at + 3 + (count + 1) * size - 1;
    let mut items = Vec::with_capacity(count);
    for i in 0..count {
        let (from, to) = (offset(i)?, offset(i + 1)?);
        items.push(d.get(base.checked_add(from)?..base.checked_add(to)?)?);
    }
    Some((items, base.checked_add(offset(count)?)?))
}

/// The Top DICT's operators and their operands (integers only; reals are
/// skipped as operands of no interest here).
fn dict(d: &[u8]) -> HashMap<u16, Vec<i64>> {
    let mut out = HashMap::new();
    let mut operands = Vec::new();
    let mut i = 0;
    while let Some(&b) = d.get(i) {
        i += 1;
        let byte = |k: usize| d.get(k).copied().map(i64::from);
        match b {
            0..=21 => {
                let op = if b == 12 {
                    let Some(&e) = d.get(i) else { break };
                    i += 1;
                    1200 + u16::from(e)
                } else {
                    u16::from(b)
                };
                out.insert(op, std::mem::take(&mut operands));
            }
            28 => {
                let (Some(h), Some(l)) = (byte(i), byte(i + 1)) else {
                    break;
                };
                operands.push(i64::from(((h << 8) | l) as u16 as i16));
                i += 2;
            }
            29 => {
                let Some(v) = d.get(i..i + 4) else { break };
                operands.push(i64::from(i32::from_be_bytes([v[0], v[1], v[2], v[3]])));
                i += 4;
            }
            30 => {
                // A real: nibbles up to one of 0xf.
                while let Some(&n) = d.get(i) {
                    i += 1;
                    if n & 0x0f == 0x0f || n >> 4 == 0x0f {
                        break;
                    }
                }
                operands.push(0);
            }
            32..=246 => operands.push(i64::from(b) - 139),
            247..=250 => {
                let Some(w) = byte(i) else { break };
                operands.push((i64::from(b) - 247) * 256 + w + 108);
                i += 1;
            }
            251..=254 => {
                let Some(w) = byte(i) else { break };
                operands.push(-(i64::from(b) - 251) * 256 - w - 108);
                i += 1;
            }
            _ => {}
        }
    }
    out
}

/// The CFF standard strings end here; SIDs above it name the String INDEX.
const STANDARD_STRINGS: i64 = 391;

/// A CID-keyed CFF's collection ordering ("Japan1") and each glyph's CID.
fn read_cid_font(d: &[u8]) -> Option<(&'static str, Vec<u16>)> {
    let header = usize::from(*d.get(2)?);
    let (_, after_names) = index(d, header)?;
    let (top, after_top) = index(d, after_names)?;
    let (strings, _) = index(d, after_top)?;
    let top = dict(top.first()?);
    let ros = top.get(&1230)?;
    let string = |sid: i64| -> Option<&[u8]> {
        let i = usize::try_from(sid.checked_sub(STANDARD_STRINGS)?).ok()?;
        strings.get(i).copied()
    };
    if string(*ros.first()?)? != b"Adobe" {
        return None;
    }
    let ordering = match string(*ros.get(1)?)? {
        b"Japan1" => "Japan1",
        b"Korea1" => "Korea1",
        b"GB1" => "GB1",
        b"CNS1" => "CNS1",
        _ => return None,
    };
    let charstrings = usize::try_from(*top.get(&17)?.first()?).ok()?;
    let glyphs = usize::from(be16(d, charstrings)?);
    let charset = usize::try_from(*top.get(&15)?.first()?).ok()?;
    Some((ordering, charset_cids(d, charset, glyphs)?))
}

/// The charset: the CID of each glyph (glyph 0 is CID 0).
fn charset_cids(d: &[u8], at: usize, glyphs: usize) -> Option<Vec<u16>> {
    let mut cids = Vec::with_capacity(glyphs);
    cids.push(0);
    let mut p = at + 1;
    match d.get(at)? {
        0 => {
            while cids.len() < glyphs {
                cids.push(be16(d, p)?);
                p += 2;
            }
        }
        f @ (1 | 2) => {
            while cids.len() < glyphs {
                let first = be16(d, p)?;
                let left = if *f == 1 {
                    u16::from(*d.get(p + 2)?)
                } else {
                    be16(d, p + 2)?
                };
                p += if *f == 1 { 3 } else { 4 };
                for k in 0..=left {
                    if cids.len() == glyphs {
                        break;
                    }
                    cids.push(first.checked_add(k)?);
                }
            }
        }
        _ => return None,
    }
    Some(cids)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CID-keyed CFF with no outlines to speak of: `glyphs` glyphs, ROS
    /// Adobe-`ordering`-0, the charset as given (format 2 ranges).
    fn cff(ordering: &[u8], ranges: &[(u16, u16)], glyphs: u16) -> Vec<u8> {
        let index = |items: &[&[u8]]| -> Vec<u8> {
            let mut out = (items.len() as u16).to_be_bytes().to_vec();
            if items.is_empty() {
                return out;
            }
            out.push(4);
            let mut off = 1u32;
            out.extend_from_slice(&off.to_be_bytes());
            for it in items {
                off += it.len() as u32;
                out.extend_from_slice(&off.to_be_bytes());
            }
            for it in items {
                out.extend_from_slice(it);
            }
            out
        };
        let int = |v: i32| -> Vec<u8> {
            let mut o = vec![29];
            o.extend_from_slice(&v.to_be_bytes());
            o
        };
        let strings = index(&[b"Adobe", ordering]);
        let names = index(&[b"Test"]);
        // The Top DICT's length does not depend on the offsets (5-byte ints).
        let top_len = 3 * 5 + 2 + 5 + 1 + 5 + 1;
        let top_index_len = 2 + 1 + 8 + top_len;
        let charset_at = 4 + names.len() + top_index_len + strings.len() + 2;
        let mut charset = vec![2u8];
        for (first, left) in ranges {
            charset.extend_from_slice(&first.to_be_bytes());
            charset.extend_from_slice(&left.to_be_bytes());
        }
        let charstrings_at = charset_at + charset.len();
        let mut top = Vec::new();
        top.extend(int(391));
        top.extend(int(392));
        top.extend(int(0));
        top.extend([12, 30]);
        top.extend(int(charset_at as i32));
        top.push(15);
        top.extend(int(charstrings_at as i32));
        top.push(17);
        assert_eq!(top.len(), top_len);
        let mut out = vec![1, 0, 4, 4];
        out.extend(names);
        out.extend(index(&[&top]));
        out.extend(strings);
        out.extend(index(&[]));
        assert_eq!(out.len(), charset_at);
        out.extend(charset);
        let one: &[u8] = &[14];
        out.extend(index(&vec![one; usize::from(glyphs)]));
        out
    }

    #[test]
    fn reads_the_collection_and_the_cids() {
        let data = cff(b"Japan1", &[(100, 2), (7000, 0)], 5);
        let (ordering, cids) = read_cid_font(&data).unwrap();
        assert_eq!(ordering, "Japan1");
        assert_eq!(cids, [0, 100, 101, 102, 7000]);
        assert!(read_cid_font(&cff(b"Identity", &[(1, 3)], 5)).is_none());
    }

    #[test]
    fn collection_tables_give_unicode() {
        // Adobe-Japan1 CID 843 is あ; Adobe-Korea1 CID 1086 is 가.
        let japan = collection_table("Japan1").unwrap();
        assert!(matches!(
            japan.lookup_bf_string(843),
            Some(BfString::Char('あ'))
        ));
        let korea = collection_table("Korea1").unwrap();
        assert!(matches!(
            korea.lookup_bf_string(1086),
            Some(BfString::Char('가'))
        ));
        assert!(collection_table("Identity").is_none());
    }

    #[test]
    fn opentype_wrapped_cff_is_found() {
        let data = cff(b"Korea1", &[(1, 3)], 5);
        let mut otf = b"OTTO".to_vec();
        otf.extend_from_slice(&1u16.to_be_bytes());
        otf.extend_from_slice(&[0; 6]);
        otf.extend_from_slice(b"CFF ");
        otf.extend_from_slice(&[0; 4]);
        otf.extend_from_slice(&28u32.to_be_bytes());
        otf.extend_from_slice(&(data.len() as u32).to_be_bytes());
        otf.extend_from_slice(&data);
        assert_eq!(cff_table(&otf), Some(&data[..]));
        assert_eq!(cff_table(&data), Some(&data[..]));
        assert_eq!(cff_table(b"\x00\x01\x00\x00true"), None);
    }

    #[test]
    fn damaged_programs_give_nothing_and_never_panic() {
        let data = cff(b"Japan1", &[(100, 2), (7000, 0)], 5);
        for cut in 0..data.len() {
            let _ = read_cid_font(&data[..cut]);
        }
        let mut seed = 0x9e37_79b9_u32;
        for _ in 0..3000 {
            let mut d = data.clone();
            for _ in 0..3 {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                let i = seed as usize % d.len();
                d[i] = (seed >> 8) as u8;
            }
            let _ = read_cid_font(&d);
            let _ = cff_table(&d);
        }
    }
}

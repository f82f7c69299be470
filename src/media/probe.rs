//! Duration, codecs and picture size of media files, read from container
//! headers only.
//!
//! Every reader here uses a handful of positional reads of at most a few
//! hundred KB in all, whatever the file's size: an MP4 whose `moov` sits after
//! a 4 GB `mdat` is found by hopping over box headers, an Ogg file's length
//! comes from its last page. Nothing is decoded. Hand-written rather than a
//! crate per format: the crates that exist cover one container each, some read
//! whole files, and together they would weigh more than the whole server.

use crate::readat::ReadAt;
use std::fmt;
use std::io;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct MediaInfo {
    pub duration_secs: Option<f64>,
    /// `mp4`, `mov`, `webm`, `matroska`, `ogg`, `mp3`, `aac`, `wav`, `flac`,
    /// `avi`, `asf`, `flv`, `mpeg-ps`, `mpeg-ts`.
    pub container: &'static str,
    /// Short lowercase names: `h264`, `hevc`, `av1`, `vp8`, `vp9`, `mpeg4`,
    /// `theora`, `mjpeg`, … (unknown ones as their lowercased tag).
    pub video_codec: Option<String>,
    /// `aac`, `mp3`, `opus`, `vorbis`, `flac`, `pcm`, `ac3`, …
    pub audio_codec: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// The video codec as RFC 6381 names it in a `codecs=` parameter, when
    /// the header says more than the codec (`avc1.42E01E`: H.264 baseline,
    /// level 3.0), so a browser can tell whether it decodes that profile.
    pub video_codec_rfc6381: Option<String>,
}

#[derive(Debug)]
pub enum ProbeError {
    Io(io::Error),
    /// The first bytes match no container this module knows.
    Unrecognised,
    /// The container was recognised but its header is damaged.
    Malformed(&'static str),
}

impl fmt::Display for ProbeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProbeError::Io(e) => write!(f, "could not read the media file: {e}"),
            ProbeError::Unrecognised => write!(f, "not a media file format that can be read"),
            ProbeError::Malformed(what) => write!(f, "the media file is damaged: {what}"),
        }
    }
}

impl std::error::Error for ProbeError {}

impl From<io::Error> for ProbeError {
    fn from(e: io::Error) -> Self {
        ProbeError::Io(e)
    }
}

type Result<T> = std::result::Result<T, ProbeError>;

/// Reads the container header of `src`. The format is recognised from the
/// first bytes; `ext` (the file's extension, any case) only breaks ties that
/// the bytes cannot (an MPEG audio stream after an ID3 tag in a `.aac` file).
pub fn probe(src: &dyn ReadAt, ext: &str) -> Result<MediaInfo> {
    let head = read_upto(src, 0, 64)?;
    let at = |i: usize, n: usize| head.get(i..i + n);
    if at(4, 4)
        .is_some_and(|t| matches!(t, b"ftyp" | b"moov" | b"mdat" | b"free" | b"wide" | b"skip"))
    {
        return mp4(src);
    }
    if head.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        return ebml(src);
    }
    if head.starts_with(b"OggS") {
        return ogg(src);
    }
    if head.starts_with(b"RIFF") || head.starts_with(b"RF64") {
        return match at(8, 4) {
            Some(b"WAVE") => wav(src),
            Some(b"AVI ") => avi(src),
            _ => Err(ProbeError::Unrecognised),
        };
    }
    if head.starts_with(&ASF_HEADER) {
        return asf(src);
    }
    if head.starts_with(b"FLV\x01") {
        return flv(src);
    }
    if head.starts_with(&[0, 0, 1, 0xBA]) {
        return Ok(MediaInfo::new("mpeg-ps"));
    }
    if head.first() == Some(&0x47) && read_upto(src, 188, 1)?.first() == Some(&0x47) {
        return Ok(MediaInfo::new("mpeg-ts"));
    }
    // ID3 tags sit in front of MP3, AAC and sometimes FLAC streams.
    let start = skip_id3(src, 0)?;
    let head = read_upto(src, start, 4)?;
    if head.starts_with(b"fLaC") {
        return flac(src, start);
    }
    let _ = ext;
    mpeg_audio(src, start)
}

/// Whether browsers (including older Chrome and Firefox) play the file in a
/// `<video>`/`<audio>` element: MP4/M4A/MOV with H.264 and AAC or MP3, WebM
/// with VP8/VP9/AV1 and Vorbis/Opus, Ogg Vorbis/Opus/FLAC, MP3, AAC, WAV PCM,
/// FLAC. Everything else (AVI, MKV, WMV, FLV, MPEG, HEVC, …) is not.
pub fn browser_playable(ext: &str, info: &MediaInfo) -> bool {
    let ext = ext.to_ascii_lowercase();
    let v = info.video_codec.as_deref();
    let a = info.audio_codec.as_deref();
    if v.is_none() && a.is_none() {
        return false;
    }
    match (ext.as_str(), info.container) {
        ("mp4" | "m4v" | "m4a" | "mov", "mp4" | "mov") => {
            matches!(v, None | Some("h264")) && matches!(a, None | Some("aac" | "mp3"))
        }
        ("webm", "webm") => {
            matches!(v, None | Some("vp8" | "vp9" | "av1"))
                && matches!(a, None | Some("vorbis" | "opus"))
        }
        ("ogg" | "oga" | "opus", "ogg") => {
            v.is_none() && matches!(a, Some("vorbis" | "opus" | "flac"))
        }
        ("mp3", "mp3") => v.is_none() && a == Some("mp3"),
        ("aac", "aac") => v.is_none() && a == Some("aac"),
        ("wav", "wav") => v.is_none() && a == Some("pcm"),
        ("flac", "flac") => v.is_none() && a == Some("flac"),
        _ => false,
    }
}

impl MediaInfo {
    fn new(container: &'static str) -> MediaInfo {
        MediaInfo {
            container,
            ..MediaInfo::default()
        }
    }
}

// ---------------------------------------------------------------- helpers

/// Reads up to `max` bytes at `offset`, fewer at the end of the file. `max`
/// is always a constant of this module, never a size read from the file.
fn read_upto(src: &dyn ReadAt, offset: u64, max: usize) -> io::Result<Vec<u8>> {
    let avail = src.len().saturating_sub(offset);
    let n = usize::try_from(avail).map_or(max, |a| a.min(max));
    let mut buf = vec![0u8; n];
    if n > 0 {
        src.read_exact_at(&mut buf, offset)?;
    }
    Ok(buf)
}

fn bytes<const N: usize>(b: &[u8], at: usize) -> Option<[u8; N]> {
    b.get(at..at.checked_add(N)?)?.try_into().ok()
}
fn be16(b: &[u8], at: usize) -> Option<u16> {
    bytes(b, at).map(u16::from_be_bytes)
}
fn be32(b: &[u8], at: usize) -> Option<u32> {
    bytes(b, at).map(u32::from_be_bytes)
}
fn be64(b: &[u8], at: usize) -> Option<u64> {
    bytes(b, at).map(u64::from_be_bytes)
}
fn le16(b: &[u8], at: usize) -> Option<u16> {
    bytes(b, at).map(u16::from_le_bytes)
}
fn le32(b: &[u8], at: usize) -> Option<u32> {
    bytes(b, at).map(u32::from_le_bytes)
}
fn le64(b: &[u8], at: usize) -> Option<u64> {
    bytes(b, at).map(u64::from_le_bytes)
}

/// A four-character code as a codec name: lowercase, trimmed, printable.
fn fourcc_name(cc: &[u8]) -> String {
    let s: String = cc
        .iter()
        .map(|&b| {
            if b.is_ascii_graphic() {
                b.to_ascii_lowercase() as char
            } else {
                ' '
            }
        })
        .collect();
    s.trim().to_owned()
}

fn positive(d: f64) -> Option<f64> {
    (d.is_finite() && d > 0.0).then_some(d)
}

fn nonzero(v: u32) -> Option<u32> {
    (v > 0).then_some(v)
}

// ---------------------------------------------------------------- MP4

#[derive(Default)]
struct Mp4Track {
    handler: [u8; 4],
    codec: Option<String>,
    rfc6381: Option<String>,
    width: Option<u32>,
    height: Option<u32>,
    duration: Option<f64>,
}

/// One box header read at `offset`: (type, body start, box end).
fn mp4_box(src: &dyn ReadAt, offset: u64, limit: u64) -> Result<Option<([u8; 4], u64, u64)>> {
    if offset.checked_add(8).is_none_or(|e| e > limit) {
        return Ok(None);
    }
    let h = read_upto(src, offset, 16)?;
    let (Some(size), Some(kind)) = (be32(&h, 0), bytes::<4>(&h, 4)) else {
        return Ok(None);
    };
    let (body, end) = match size {
        0 => (offset + 8, limit),
        1 => {
            let big = be64(&h, 8).ok_or(ProbeError::Malformed("MP4 box cut short"))?;
            (
                offset + 16,
                offset
                    .checked_add(big)
                    .ok_or(ProbeError::Malformed("MP4 box size"))?,
            )
        }
        n => (offset + 8, offset + u64::from(n)),
    };
    if end < body || end > limit {
        // A box running past its parent: use what is there.
        return Ok(Some((kind, body.min(limit), limit)));
    }
    Ok(Some((kind, body, end)))
}

/// Sees one child box: (source, type, body start, box end); false stops.
type BoxVisitor<'a> = dyn FnMut(&dyn ReadAt, [u8; 4], u64, u64) -> Result<bool> + 'a;

/// Calls `f` for each child box in `[start, end)`, at most `MAX_CHILDREN`.
fn mp4_children(src: &dyn ReadAt, start: u64, end: u64, f: &mut BoxVisitor) -> Result<()> {
    const MAX_CHILDREN: usize = 4096;
    let mut off = start;
    for _ in 0..MAX_CHILDREN {
        let Some((kind, body, box_end)) = mp4_box(src, off, end)? else {
            break;
        };
        if !f(src, kind, body, box_end)? {
            break;
        }
        if box_end <= off {
            break;
        }
        off = box_end;
    }
    Ok(())
}

fn mp4(src: &dyn ReadAt) -> Result<MediaInfo> {
    let mut info = MediaInfo::new("mp4");
    let mut moov = None;
    // Top level: ftyp, then mdat and moov in either order; fragmented files
    // add a moof/mdat pair per fragment, hence the higher cap.
    let mut off = 0u64;
    for _ in 0..100_000 {
        let Some((kind, body, end)) = mp4_box(src, off, src.len())? else {
            break;
        };
        match &kind {
            b"ftyp" if read_upto(src, body, 4)?.as_slice() == b"qt  " => {
                info.container = "mov";
            }
            b"moov" => {
                moov = Some((body, end));
                break;
            }
            _ => {}
        }
        if end <= off {
            break;
        }
        off = end;
    }
    let (start, end) = moov.ok_or(ProbeError::Malformed(
        "no moov box (the file may be incomplete)",
    ))?;
    let mut movie_duration = None;
    let mut fragment_duration = None;
    let mut timescale = 0u32;
    let mut tracks: Vec<Mp4Track> = Vec::new();
    mp4_children(src, start, end, &mut |src, kind, body, box_end| {
        match &kind {
            b"mvhd" => {
                let b = read_upto(src, body, 32)?;
                let (ts, dur) = if b.first() == Some(&1) {
                    (be32(&b, 20), be64(&b, 24))
                } else {
                    (be32(&b, 12), be32(&b, 16).map(u64::from))
                };
                timescale = ts.unwrap_or(0);
                if let (Some(ts), Some(d)) = (ts.filter(|&t| t > 0), dur) {
                    if d != u64::MAX && d != u64::from(u32::MAX) {
                        movie_duration = positive(d as f64 / f64::from(ts));
                    }
                }
            }
            b"mvex" => mp4_children(src, body, box_end, &mut |src, kind, body, _| {
                if &kind == b"mehd" {
                    let b = read_upto(src, body, 12)?;
                    fragment_duration = if b.first() == Some(&1) {
                        be64(&b, 4)
                    } else {
                        be32(&b, 4).map(u64::from)
                    };
                }
                Ok(true)
            })?,
            b"trak" if tracks.len() < 64 => {
                let mut t = Mp4Track::default();
                mp4_trak(src, body, box_end, &mut t)?;
                tracks.push(t);
            }
            _ => {}
        }
        Ok(true)
    })?;
    info.duration_secs = movie_duration
        .or_else(|| {
            let ts = f64::from(timescale);
            fragment_duration.and_then(|d| positive(d as f64 / ts))
        })
        .or_else(|| {
            tracks
                .iter()
                .filter_map(|t| t.duration)
                .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.max(d))))
        });
    if let Some(v) = tracks.iter().find(|t| &t.handler == b"vide") {
        info.video_codec = v.codec.clone();
        info.video_codec_rfc6381 = v.rfc6381.clone();
        info.width = v.width;
        info.height = v.height;
    }
    if let Some(a) = tracks.iter().find(|t| &t.handler == b"soun") {
        info.audio_codec = a.codec.clone();
    }
    Ok(info)
}

fn mp4_trak(src: &dyn ReadAt, start: u64, end: u64, t: &mut Mp4Track) -> Result<()> {
    mp4_children(src, start, end, &mut |src, kind, body, box_end| {
        match &kind {
            b"tkhd" => {
                let b = read_upto(src, body, 96)?;
                let at = if b.first() == Some(&1) { 88 } else { 76 };
                // 16.16 fixed point display size.
                t.width = be32(&b, at).map(|w| w >> 16).and_then(nonzero);
                t.height = be32(&b, at + 4).map(|h| h >> 16).and_then(nonzero);
            }
            b"mdia" | b"minf" | b"stbl" => mp4_trak(src, body, box_end, t)?,
            b"mdhd" => {
                let b = read_upto(src, body, 32)?;
                let (ts, dur) = if b.first() == Some(&1) {
                    (be32(&b, 20), be64(&b, 24))
                } else {
                    (be32(&b, 12), be32(&b, 16).map(u64::from))
                };
                if let (Some(ts), Some(d)) = (ts.filter(|&t| t > 0), dur) {
                    if d != u64::MAX && d != u64::from(u32::MAX) {
                        t.duration = positive(d as f64 / f64::from(ts));
                    }
                }
            }
            b"hdlr" => {
                if let Some(h) = bytes::<4>(&read_upto(src, body, 12)?, 8) {
                    t.handler = h;
                }
            }
            b"stsd" => {
                let b = read_upto(src, body, 4096)?;
                mp4_stsd(&b, t);
            }
            _ => {}
        }
        Ok(true)
    })
}

/// The first sample entry of an `stsd` body names the codec.
fn mp4_stsd(b: &[u8], t: &mut Mp4Track) {
    let entry_start = 8;
    let Some(cc) = bytes::<4>(b, entry_start + 4) else {
        return;
    };
    let entry_end = be32(b, entry_start)
        .and_then(|s| entry_start.checked_add(s as usize))
        .map_or(b.len(), |e| e.min(b.len()));
    let payload = entry_start + 8;
    let codec = match &cc {
        b"avc1" | b"avc3" => "h264".to_owned(),
        b"hvc1" | b"hev1" => "hevc".to_owned(),
        b"av01" => "av1".to_owned(),
        b"vp08" => "vp8".to_owned(),
        b"vp09" => "vp9".to_owned(),
        b"mp4v" => "mpeg4".to_owned(),
        b"s263" | b"h263" => "h263".to_owned(),
        b"jpeg" | b"mjpa" | b"mjpb" => "mjpeg".to_owned(),
        b"Opus" => "opus".to_owned(),
        b"fLaC" => "flac".to_owned(),
        b"ac-3" => "ac3".to_owned(),
        b"ec-3" => "eac3".to_owned(),
        b".mp3" => "mp3".to_owned(),
        b"twos" | b"sowt" | b"lpcm" | b"raw " | b"in24" | b"in32" | b"fl32" | b"fl64" => {
            "pcm".to_owned()
        }
        b"mp4a" => {
            // QuickTime sound descriptions grow by version; child boxes follow.
            let extra = match be16(b, payload + 8) {
                Some(1) => 16,
                Some(2) => 36,
                _ => 0,
            };
            let children = b.get(payload + 28 + extra..entry_end).unwrap_or(&[]);
            esds_codec(children).unwrap_or("aac").to_owned()
        }
        other => fourcc_name(other),
    };
    if matches!(&cc, b"avc1" | b"avc3") {
        // A VisualSampleEntry is 78 bytes; its child boxes (avcC) follow.
        let children = b.get(payload + 78..entry_end).unwrap_or(&[]);
        t.rfc6381 = avc_profile(children)
            .map(|[p, c, l]| format!("{}.{p:02X}{c:02X}{l:02X}", fourcc_name(&cc)));
    }
    if t.width.is_none() && matches!(&t.handler, b"vide") {
        t.width = be16(b, payload + 24).map(u32::from).and_then(nonzero);
        t.height = be16(b, payload + 26).map(u32::from).and_then(nonzero);
    }
    t.codec = Some(codec);
}

/// Profile, constraint flags and level from the `avcC` box among `b`.
fn avc_profile(b: &[u8]) -> Option<[u8; 3]> {
    let mut pos = 0usize;
    for _ in 0..16 {
        let size = be32(b, pos)? as usize;
        if &bytes::<4>(b, pos + 4)? == b"avcC" {
            return bytes::<3>(b, pos + 9);
        }
        if size < 8 {
            return None;
        }
        pos = pos.checked_add(size)?;
    }
    None
}

/// Finds `esds` (directly or inside QuickTime's `wave`) among boxes in `b`
/// and maps its object type to a codec.
fn esds_codec(b: &[u8]) -> Option<&'static str> {
    let mut pos = 0usize;
    for _ in 0..64 {
        let size = be32(b, pos)? as usize;
        let kind = bytes::<4>(b, pos + 4)?;
        let end = pos.checked_add(size)?.min(b.len());
        let body = b.get(pos + 8..end)?;
        match &kind {
            b"esds" => return esds_object_type(body.get(4..)?),
            b"wave" => {
                if let Some(c) = esds_codec(body) {
                    return Some(c);
                }
            }
            _ => {}
        }
        if size < 8 {
            return None;
        }
        pos = end;
    }
    None
}

fn esds_object_type(b: &[u8]) -> Option<&'static str> {
    // Descriptor: tag, then a length in 1–4 bytes of 7 bits each.
    fn header(b: &[u8], mut pos: usize) -> Option<(u8, usize)> {
        let tag = *b.get(pos)?;
        pos += 1;
        for _ in 0..4 {
            let byte = *b.get(pos)?;
            pos += 1;
            if byte & 0x80 == 0 {
                break;
            }
        }
        Some((tag, pos))
    }
    let (mut tag, mut pos) = header(b, 0)?;
    if tag == 0x03 {
        let flags = *b.get(pos + 2)?;
        pos += 3;
        if flags & 0x80 != 0 {
            pos += 2;
        }
        if flags & 0x40 != 0 {
            pos += 1 + usize::from(*b.get(pos)?);
        }
        if flags & 0x20 != 0 {
            pos += 2;
        }
        (tag, pos) = header(b, pos)?;
    }
    if tag != 0x04 {
        return None;
    }
    Some(match *b.get(pos)? {
        0x40 | 0x66 | 0x67 | 0x68 => "aac",
        0x69 | 0x6B => "mp3",
        0xA5 => "ac3",
        0xA6 => "eac3",
        0xAD => "opus",
        0xDD => "vorbis",
        _ => "mp4a",
    })
}

// ---------------------------------------------------------------- EBML

/// An element header in `b` at `pos`: (id with its length marker, size or
/// `None` when unknown, data start).
fn ebml_header(b: &[u8], pos: usize) -> Option<(u32, Option<u64>, usize)> {
    let first = *b.get(pos)?;
    let id_len = first.leading_zeros() as usize + 1;
    if id_len > 4 {
        return None;
    }
    let mut id = 0u32;
    for i in 0..id_len {
        id = (id << 8) | u32::from(*b.get(pos + i)?);
    }
    let p = pos + id_len;
    let first = *b.get(p)?;
    let size_len = first.leading_zeros() as usize + 1;
    if size_len > 8 {
        return None;
    }
    let mut size = u64::from(first) & (0xFF >> size_len);
    let mut all_ones = size == (0xFF >> size_len);
    for i in 1..size_len {
        let byte = *b.get(p + i)?;
        all_ones &= byte == 0xFF;
        size = (size << 8) | u64::from(byte);
    }
    Some((id, (!all_ones).then_some(size), p + size_len))
}

/// Calls `f(id, data)` for each element in `b`; an element running past the
/// end of `b` (a capped read) is given what is there.
fn ebml_each(b: &[u8], f: &mut dyn FnMut(u32, &[u8])) {
    let mut pos = 0usize;
    for _ in 0..10_000 {
        let Some((id, size, data)) = ebml_header(b, pos) else {
            return;
        };
        let end = size
            .and_then(|s| usize::try_from(s).ok())
            .and_then(|s| data.checked_add(s))
            .map_or(b.len(), |e| e.min(b.len()));
        f(id, b.get(data..end).unwrap_or(&[]));
        if end <= pos {
            return;
        }
        pos = end;
    }
}

fn ebml_uint(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > 8 {
        return None;
    }
    Some(b.iter().fold(0u64, |v, &x| (v << 8) | u64::from(x)))
}

fn ebml_float(b: &[u8]) -> Option<f64> {
    match b.len() {
        4 => bytes::<4>(b, 0).map(|x| f64::from(f32::from_be_bytes(x))),
        8 => bytes::<8>(b, 0).map(f64::from_be_bytes),
        _ => None,
    }
}

const SEGMENT: u32 = 0x1853_8067;
const SEEK_HEAD: u32 = 0x114D_9B74;
const INFO: u32 = 0x1549_A966;
const TRACKS: u32 = 0x1654_AE6B;
const CLUSTER: u32 = 0x1F43_B675;

fn ebml(src: &dyn ReadAt) -> Result<MediaInfo> {
    let head = read_upto(src, 0, 4096)?;
    let (_, size, data) = ebml_header(&head, 0).ok_or(ProbeError::Malformed("EBML header"))?;
    let header_end = size
        .and_then(|s| usize::try_from(s).ok())
        .and_then(|s| data.checked_add(s))
        .ok_or(ProbeError::Malformed("EBML header size"))?;
    let mut info = MediaInfo::new("matroska");
    ebml_each(
        head.get(data..header_end.min(head.len())).unwrap_or(&[]),
        &mut |id, d| {
            if id == 0x4282 && d == b"webm" {
                info.container = "webm";
            }
        },
    );
    // The Segment follows the EBML header (perhaps after Void elements).
    let mut off = header_end as u64;
    let mut segment = None;
    for _ in 0..16 {
        let h = read_upto(src, off, 16)?;
        let Some((id, size, data)) = ebml_header(&h, 0) else {
            break;
        };
        let data = off + data as u64;
        if id == SEGMENT {
            let end = size
                .and_then(|s| data.checked_add(s))
                .map_or(src.len(), |e| e.min(src.len()));
            segment = Some((data, end));
            break;
        }
        match size {
            Some(s) => {
                off = data
                    .checked_add(s)
                    .ok_or(ProbeError::Malformed("element size"))?
            }
            None => break,
        }
    }
    let (seg_start, seg_end) = segment.ok_or(ProbeError::Malformed("no Segment"))?;
    let mut scale = 1_000_000u64;
    let mut duration = None;
    let (mut have_info, mut have_tracks) = (false, false);
    let mut seeks: Vec<(u32, u64)> = Vec::new();
    let mut off = seg_start;
    for _ in 0..4096 {
        if have_info && have_tracks {
            break;
        }
        let h = read_upto(src, off, 16)?;
        let Some((id, size, data)) = ebml_header(&h, 0) else {
            break;
        };
        let data = off + data as u64;
        match id {
            INFO => {
                ebml_info(
                    &read_upto(src, data, 64 * 1024)?,
                    &mut scale,
                    &mut duration,
                    size,
                );
                have_info = true;
            }
            TRACKS => {
                ebml_tracks(&read_upto(src, data, capped(size, 512 * 1024))?, &mut info);
                have_tracks = true;
            }
            SEEK_HEAD => {
                let b = read_upto(src, data, capped(size, 64 * 1024))?;
                seeks = ebml_seeks(&b);
            }
            // Clusters hold the frames: Info and Tracks are not past here
            // except in odd files, which the SeekHead points into.
            CLUSTER => break,
            _ => {}
        }
        let Some(next) = size.and_then(|s| data.checked_add(s)) else {
            break;
        };
        if next <= off || next >= seg_end {
            break;
        }
        off = next;
    }
    for (id, pos) in seeks {
        let Some(at) = seg_start.checked_add(pos) else {
            continue;
        };
        let wanted = (id == INFO && !have_info) || (id == TRACKS && !have_tracks);
        if !wanted {
            continue;
        }
        let h = read_upto(src, at, 16)?;
        let Some((real_id, size, data)) = ebml_header(&h, 0) else {
            continue;
        };
        let data = at + data as u64;
        if real_id == INFO && id == INFO {
            ebml_info(
                &read_upto(src, data, 64 * 1024)?,
                &mut scale,
                &mut duration,
                size,
            );
            have_info = true;
        } else if real_id == TRACKS && id == TRACKS {
            ebml_tracks(&read_upto(src, data, capped(size, 512 * 1024))?, &mut info);
            have_tracks = true;
        }
    }
    if !have_info && !have_tracks {
        return Err(ProbeError::Malformed(
            "no Info or Tracks in the Matroska segment",
        ));
    }
    info.duration_secs = duration.and_then(|d| positive(d * scale as f64 / 1e9));
    Ok(info)
}

fn capped(size: Option<u64>, cap: usize) -> usize {
    size.and_then(|s| usize::try_from(s).ok())
        .map_or(cap, |s| s.min(cap))
}

fn ebml_info(b: &[u8], scale: &mut u64, duration: &mut Option<f64>, size: Option<u64>) {
    let b = b.get(..capped(size, b.len())).unwrap_or(b);
    ebml_each(b, &mut |id, d| match id {
        0x2A_D7B1 => {
            if let Some(s) = ebml_uint(d).filter(|&s| s > 0) {
                *scale = s;
            }
        }
        0x4489 => *duration = ebml_float(d),
        _ => {}
    });
}

fn ebml_seeks(b: &[u8]) -> Vec<(u32, u64)> {
    let mut out = Vec::new();
    ebml_each(b, &mut |id, seek| {
        if id != 0x4DBB || out.len() >= 64 {
            return;
        }
        let (mut target, mut pos) = (None, None);
        ebml_each(seek, &mut |id, d| match id {
            0x53AB => target = ebml_uint(d).and_then(|v| u32::try_from(v).ok()),
            0x53AC => pos = ebml_uint(d),
            _ => {}
        });
        if let (Some(t), Some(p)) = (target, pos) {
            out.push((t, p));
        }
    });
    out
}

fn ebml_tracks(b: &[u8], info: &mut MediaInfo) {
    ebml_each(b, &mut |id, entry| {
        if id != 0xAE {
            return;
        }
        let (mut kind, mut codec, mut w, mut h) = (0u64, None, None, None);
        ebml_each(entry, &mut |id, d| match id {
            0x83 => kind = ebml_uint(d).unwrap_or(0),
            0x86 => codec = Some(String::from_utf8_lossy(d).trim_end_matches('\0').to_owned()),
            0xE0 => ebml_each(d, &mut |id, d| match id {
                0xB0 => w = ebml_uint(d).and_then(|v| u32::try_from(v).ok()),
                0xBA => h = ebml_uint(d).and_then(|v| u32::try_from(v).ok()),
                _ => {}
            }),
            _ => {}
        });
        let Some(codec) = codec else { return };
        let name = matroska_codec(&codec);
        if kind == 1 && info.video_codec.is_none() {
            info.video_codec = Some(name);
            info.width = w.and_then(nonzero);
            info.height = h.and_then(nonzero);
        } else if kind == 2 && info.audio_codec.is_none() {
            info.audio_codec = Some(name);
        }
    });
}

fn matroska_codec(id: &str) -> String {
    let known = match id {
        "V_VP8" => "vp8",
        "V_VP9" => "vp9",
        "V_AV1" => "av1",
        "V_MPEG4/ISO/AVC" => "h264",
        "V_MPEGH/ISO/HEVC" => "hevc",
        "V_MPEG4/ISO/SP" | "V_MPEG4/ISO/ASP" | "V_MPEG4/ISO/AP" => "mpeg4",
        "V_MPEG4/MS/V3" => "msmpeg4v3",
        "V_MPEG1" => "mpeg1",
        "V_MPEG2" => "mpeg2",
        "V_THEORA" => "theora",
        "V_MJPEG" => "mjpeg",
        "A_OPUS" => "opus",
        "A_VORBIS" => "vorbis",
        "A_MPEG/L3" => "mp3",
        "A_MPEG/L2" => "mp2",
        "A_AC3" => "ac3",
        "A_EAC3" => "eac3",
        "A_DTS" => "dts",
        "A_FLAC" => "flac",
        _ if id.starts_with("A_AAC") => "aac",
        _ if id.starts_with("A_PCM/") => "pcm",
        _ => return id.to_ascii_lowercase(),
    };
    known.to_owned()
}

// ---------------------------------------------------------------- Ogg

struct OggStream {
    serial: u32,
    codec: &'static str,
    video: bool,
    /// Granule positions per second (audio: sample rate).
    rate: f64,
    /// Granules to subtract (Opus pre-skip).
    pre_skip: u64,
    /// Theora packs keyframe numbers into the high bits of the granule.
    theora_shift: Option<u32>,
    width: Option<u32>,
    height: Option<u32>,
}

fn ogg(src: &dyn ReadAt) -> Result<MediaInfo> {
    let head = read_upto(src, 0, 64 * 1024)?;
    let mut streams: Vec<OggStream> = Vec::new();
    let mut pos = 0usize;
    // The first pages are the beginning-of-stream pages, one per stream.
    for _ in 0..16 {
        let Some(page) = ogg_page(&head, pos) else {
            break;
        };
        if page.header_type & 0x02 == 0 {
            break;
        }
        if let Some(s) = ogg_identify(page.serial, page.first_packet) {
            streams.push(s);
        }
        pos = page.end;
    }
    if streams.is_empty() {
        return Err(ProbeError::Malformed("no known Ogg stream"));
    }
    let mut info = MediaInfo::new("ogg");
    if let Some(v) = streams.iter().find(|s| s.video) {
        info.video_codec = Some(v.codec.to_owned());
        info.width = v.width;
        info.height = v.height;
    }
    if let Some(a) = streams.iter().find(|s| !s.video) {
        info.audio_codec = Some(a.codec.to_owned());
    }
    let timed = streams
        .iter()
        .find(|s| !s.video && s.rate > 0.0)
        .or_else(|| streams.first());
    if let Some(s) = timed {
        let tail_len = 64 * 1024u64;
        let tail_start = src.len().saturating_sub(tail_len);
        let tail = read_upto(src, tail_start, tail_len as usize)?;
        let mut last = None;
        let mut i = tail.len();
        while let Some(p) = tail.get(..i).and_then(|t| find_last(t, b"OggS")) {
            if let Some(page) = ogg_page(&tail, p) {
                if page.serial == s.serial && page.granule != u64::MAX {
                    last = Some(page.granule);
                    break;
                }
            }
            i = p;
        }
        if let (Some(g), true) = (last, s.rate > 0.0) {
            let units = match s.theora_shift {
                Some(shift) if shift < 64 => {
                    let key = g >> shift;
                    let delta = g & ((1u64 << shift) - 1);
                    key.saturating_add(delta)
                }
                _ => g.saturating_sub(s.pre_skip),
            };
            info.duration_secs = positive(units as f64 / s.rate);
        }
    }
    Ok(info)
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

struct OggPage<'a> {
    header_type: u8,
    granule: u64,
    serial: u32,
    first_packet: &'a [u8],
    end: usize,
}

fn ogg_page(b: &[u8], pos: usize) -> Option<OggPage<'_>> {
    if b.get(pos..pos + 4)? != b"OggS" || *b.get(pos + 4)? != 0 {
        return None;
    }
    let header_type = *b.get(pos + 5)?;
    let granule = le64(b, pos + 6)?;
    let serial = le32(b, pos + 14)?;
    let nsegs = usize::from(*b.get(pos + 26)?);
    let table = b.get(pos + 27..pos + 27 + nsegs)?;
    let data = pos + 27 + nsegs;
    let total: usize = table.iter().map(|&x| usize::from(x)).sum();
    // The first packet ends at the first lacing value below 255.
    let mut first = 0usize;
    for &l in table {
        first += usize::from(l);
        if l < 255 {
            break;
        }
    }
    let end = data + total;
    let first_packet = b.get(data..(data + first).min(b.len())).unwrap_or(&[]);
    Some(OggPage {
        header_type,
        granule,
        serial,
        first_packet,
        end,
    })
}

fn ogg_identify(serial: u32, p: &[u8]) -> Option<OggStream> {
    let mut s = OggStream {
        serial,
        codec: "",
        video: false,
        rate: 0.0,
        pre_skip: 0,
        theora_shift: None,
        width: None,
        height: None,
    };
    if p.starts_with(b"\x01vorbis") {
        s.codec = "vorbis";
        s.rate = f64::from(le32(p, 12)?);
    } else if p.starts_with(b"OpusHead") {
        s.codec = "opus";
        s.rate = 48_000.0;
        s.pre_skip = u64::from(le16(p, 10)?);
    } else if p.starts_with(b"\x7FFLAC") {
        s.codec = "flac";
        s.rate = f64::from(flac_rate(p.get(17..)?)?);
    } else if p.starts_with(b"Speex   ") {
        s.codec = "speex";
        s.rate = f64::from(le32(p, 36)?);
    } else if p.starts_with(b"\x80theora") {
        s.codec = "theora";
        s.video = true;
        let w = be32(p, 13)? & 0x00FF_FFFF;
        let h = be32(p, 16)? & 0x00FF_FFFF;
        s.width = nonzero(w);
        s.height = nonzero(h);
        let num = be32(p, 22)?;
        let den = be32(p, 26)?;
        if num > 0 && den > 0 {
            s.rate = f64::from(num) / f64::from(den);
        }
        let b40 = *p.get(40)?;
        let b41 = *p.get(41)?;
        s.theora_shift = Some(u32::from(((b40 & 0x03) << 3) | (b41 >> 5)));
    } else {
        return None;
    }
    Some(s)
}

// ---------------------------------------------------------------- FLAC

/// Sample rate from a STREAMINFO block body.
fn flac_rate(si: &[u8]) -> Option<u32> {
    let r = (u32::from(*si.get(10)?) << 12)
        | (u32::from(*si.get(11)?) << 4)
        | (u32::from(*si.get(12)?) >> 4);
    nonzero(r)
}

fn flac(src: &dyn ReadAt, start: u64) -> Result<MediaInfo> {
    let b = read_upto(src, start, 4 + 4 + 34)?;
    if b.get(4).map(|t| t & 0x7F) != Some(0) {
        return Err(ProbeError::Malformed("FLAC without STREAMINFO"));
    }
    let si = b
        .get(8..)
        .ok_or(ProbeError::Malformed("FLAC header cut short"))?;
    let mut info = MediaInfo::new("flac");
    info.audio_codec = Some("flac".to_owned());
    if let (Some(rate), Some(hi), Some(lo)) = (flac_rate(si), si.get(13), be32(si, 14)) {
        let total = (u64::from(hi & 0x0F) << 32) | u64::from(lo);
        info.duration_secs = positive(total as f64 / f64::from(rate));
    }
    Ok(info)
}

// ---------------------------------------------------------------- MP3 / AAC

fn skip_id3(src: &dyn ReadAt, mut off: u64) -> Result<u64> {
    for _ in 0..4 {
        let h = read_upto(src, off, 10)?;
        if !h.starts_with(b"ID3") || h.len() < 10 {
            break;
        }
        let mut size = 0u64;
        for &x in h.get(6..10).unwrap_or(&[]) {
            size = (size << 7) | u64::from(x & 0x7F);
        }
        let footer = if h.get(5).is_some_and(|f| f & 0x10 != 0) {
            10
        } else {
            0
        };
        off = off.saturating_add(10 + size + footer);
    }
    Ok(off)
}

struct MpegFrame {
    version: u8, // 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5
    layer: u8,   // 1, 2, 3
    bitrate: u32,
    rate: u32,
    mono: bool,
    len: usize,
}

impl MpegFrame {
    fn samples(&self) -> u32 {
        match (self.layer, self.version) {
            (1, _) => 384,
            (3, 2) | (3, 0) => 576,
            _ => 1152,
        }
    }
}

fn mpeg_frame(h: &[u8]) -> Option<MpegFrame> {
    let (b0, b1, b2, b3) = (*h.first()?, *h.get(1)?, *h.get(2)?, *h.get(3)?);
    if b0 != 0xFF || b1 & 0xE0 != 0xE0 {
        return None;
    }
    let version = (b1 >> 3) & 3;
    let layer = match (b1 >> 1) & 3 {
        1 => 3,
        2 => 2,
        3 => 1,
        _ => return None,
    };
    if version == 1 {
        return None;
    }
    let bi = usize::from(b2 >> 4);
    let si = usize::from((b2 >> 2) & 3);
    if bi == 0 || bi == 15 || si == 3 {
        return None;
    }
    const V1L1: [u32; 15] = [
        0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448,
    ];
    const V1L2: [u32; 15] = [
        0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384,
    ];
    const V1L3: [u32; 15] = [
        0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
    ];
    const V2L1: [u32; 15] = [
        0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256,
    ];
    const V2L23: [u32; 15] = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
    let table = match (version, layer) {
        (3, 1) => &V1L1,
        (3, 2) => &V1L2,
        (3, _) => &V1L3,
        (_, 1) => &V2L1,
        _ => &V2L23,
    };
    let bitrate = *table.get(bi)? * 1000;
    let base = *[44_100u32, 48_000, 32_000].get(si)?;
    let rate = match version {
        3 => base,
        2 => base / 2,
        _ => base / 4,
    };
    let pad = u32::from((b2 >> 1) & 1);
    let len = match layer {
        1 => (12 * bitrate / rate + pad) * 4,
        3 if version != 3 => 72 * bitrate / rate + pad,
        _ => 144 * bitrate / rate + pad,
    };
    Some(MpegFrame {
        version,
        layer,
        bitrate,
        rate,
        mono: b3 >> 6 == 3,
        len: len as usize,
    })
}

fn mpeg_audio(src: &dyn ReadAt, start: u64) -> Result<MediaInfo> {
    let buf = read_upto(src, start, 64 * 1024)?;
    // A false sync inside junk is common; demand a second header right after.
    let mut found = None;
    for i in 0..buf.len() {
        if buf.get(i) != Some(&0xFF) {
            continue;
        }
        let Some(rest) = buf.get(i..) else { break };
        if rest.get(1).is_some_and(|b| b & 0xF6 == 0xF0) {
            if let Some(len) = adts_len(rest).filter(|&l| l >= 7) {
                if buf
                    .get(i + len..)
                    .is_none_or(|n| n.len() < 2 || adts_len(n).is_some())
                {
                    return Ok(adts(src, start + i as u64, rest));
                }
            }
        }
        let Some(f) = mpeg_frame(rest) else { continue };
        let next = buf.get(i + f.len..);
        if next.is_none_or(|n| n.len() < 4 || mpeg_frame(n).is_some()) && f.len >= 4 {
            found = Some((i, f));
            break;
        }
    }
    let (i, f) = found.ok_or(ProbeError::Unrecognised)?;
    let frame = buf.get(i..).unwrap_or(&[]);
    let mut info = MediaInfo::new("mp3");
    info.audio_codec = Some(
        match f.layer {
            3 => "mp3",
            2 => "mp2",
            _ => "mp1",
        }
        .to_owned(),
    );
    let side = match (f.version == 3, f.mono) {
        (true, false) => 32,
        (true, true) => 17,
        (false, false) => 17,
        (false, true) => 9,
    };
    let xing = 4 + side;
    let rate = f64::from(f.rate);
    let spf = f64::from(f.samples());
    if matches!(frame.get(xing..xing + 4), Some(b"Xing") | Some(b"Info")) {
        let flags = be32(frame, xing + 4).unwrap_or(0);
        if flags & 1 != 0 {
            if let Some(frames) = be32(frame, xing + 8).filter(|&n| n > 0) {
                let mut samples = f64::from(frames) * spf;
                // LAME's tag says how many samples of padding the encoder
                // added at both ends: subtract them as players do.
                let mut lame = xing + 8;
                for bit in [1u32, 2, 4, 8] {
                    if flags & bit != 0 {
                        lame += if bit == 4 { 100 } else { 4 };
                    }
                }
                if frame.get(lame..lame + 4) == Some(b"LAME")
                    || frame.get(lame..lame + 4) == Some(b"Lavc")
                {
                    if let Some(d) = bytes::<3>(frame, lame + 21) {
                        let delay = (u32::from(d[0]) << 4) | (u32::from(d[1]) >> 4);
                        let padding = (u32::from(d[1] & 0x0F) << 8) | u32::from(d[2]);
                        let trimmed = samples - f64::from(delay) - f64::from(padding);
                        if trimmed > 0.0 {
                            samples = trimmed;
                        }
                    }
                }
                info.duration_secs = positive(samples / rate);
                return Ok(info);
            }
        }
    }
    if frame.get(36..40) == Some(b"VBRI") {
        if let Some(frames) = be32(frame, 36 + 14).filter(|&n| n > 0) {
            info.duration_secs = positive(f64::from(frames) * spf / rate);
            return Ok(info);
        }
    }
    // Constant bit rate: the audio bytes over the bit rate, less an ID3v1 tag.
    let audio_start = start + i as u64;
    let mut audio_end = src.len();
    if src.len() >= 128 && read_upto(src, src.len() - 128, 3)?.as_slice() == b"TAG" {
        audio_end -= 128;
    }
    let audio = audio_end.saturating_sub(audio_start);
    info.duration_secs = positive(audio as f64 * 8.0 / f64::from(f.bitrate));
    Ok(info)
}

fn adts_len(h: &[u8]) -> Option<usize> {
    if *h.first()? != 0xFF || *h.get(1)? & 0xF6 != 0xF0 {
        return None;
    }
    if (*h.get(2)? >> 2) & 0x0F >= 13 {
        return None;
    }
    let len = (usize::from(*h.get(3)? & 3) << 11)
        | (usize::from(*h.get(4)?) << 3)
        | usize::from(*h.get(5)? >> 5);
    Some(len)
}

/// Raw AAC: no header says the length, so average the frames in the first
/// read and extrapolate over the file (each frame is 1024 samples).
fn adts(src: &dyn ReadAt, start: u64, buf: &[u8]) -> MediaInfo {
    let mut info = MediaInfo::new("aac");
    info.audio_codec = Some("aac".to_owned());
    const RATES: [u32; 13] = [
        96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
    ];
    let Some(rate) = buf
        .get(2)
        .and_then(|b| RATES.get(usize::from((b >> 2) & 0x0F)))
    else {
        return info;
    };
    let (mut pos, mut frames) = (0usize, 0u64);
    while let Some(len) = buf.get(pos..).and_then(adts_len).filter(|&l| l >= 7) {
        if pos + len > buf.len() {
            break;
        }
        pos += len;
        frames += 1;
    }
    if frames > 0 && pos > 0 {
        let total = src.len().saturating_sub(start) as f64 / (pos as f64 / frames as f64);
        info.duration_secs = positive(total * 1024.0 / f64::from(*rate));
    }
    info
}

// ---------------------------------------------------------------- WAV

fn wav(src: &dyn ReadAt) -> Result<MediaInfo> {
    let mut info = MediaInfo::new("wav");
    let mut byte_rate = 0u32;
    let mut ds64_data = None;
    let mut off = 12u64;
    for _ in 0..256 {
        let h = read_upto(src, off, 8)?;
        let (Some(id), Some(size)) = (bytes::<4>(&h, 0), le32(&h, 4)) else {
            break;
        };
        let body = off + 8;
        match &id {
            b"ds64" => ds64_data = le64(&read_upto(src, body, 24)?, 8),
            b"fmt " => {
                let f = read_upto(src, body, 40)?;
                let mut tag = le16(&f, 0).unwrap_or(0);
                if tag == 0xFFFE {
                    tag = le16(&f, 24).unwrap_or(0);
                }
                byte_rate = le32(&f, 8).unwrap_or(0);
                info.audio_codec = Some(match tag {
                    1 | 3 => "pcm".to_owned(),
                    2 | 0x11 => "adpcm".to_owned(),
                    6 => "alaw".to_owned(),
                    7 => "mulaw".to_owned(),
                    0x50 => "mp2".to_owned(),
                    0x55 => "mp3".to_owned(),
                    0xFF | 0x1610 => "aac".to_owned(),
                    t => format!("wav-0x{t:04x}"),
                });
            }
            b"data" => {
                let declared = match (size, ds64_data) {
                    (u32::MAX, Some(d)) => d,
                    (s, _) => u64::from(s),
                };
                // Streamed recordings leave the size at 0 or all ones.
                let present = src.len().saturating_sub(body);
                let data = if declared == 0 || declared > present {
                    present
                } else {
                    declared
                };
                if byte_rate > 0 {
                    info.duration_secs = positive(data as f64 / f64::from(byte_rate));
                }
                break;
            }
            _ => {}
        }
        off = body
            .saturating_add(u64::from(size))
            .saturating_add(u64::from(size & 1));
    }
    if info.audio_codec.is_none() {
        return Err(ProbeError::Malformed("WAV without a fmt chunk"));
    }
    Ok(info)
}

// ---------------------------------------------------------------- AVI

fn avi(src: &dyn ReadAt) -> Result<MediaInfo> {
    let mut info = MediaInfo::new("avi");
    let mut off = 12u64;
    let mut hdrl = None;
    for _ in 0..64 {
        let h = read_upto(src, off, 12)?;
        let (Some(id), Some(size)) = (bytes::<4>(&h, 0), le32(&h, 4)) else {
            break;
        };
        if &id == b"LIST" && h.get(8..12) == Some(b"hdrl") {
            hdrl = Some((off + 12, size.saturating_sub(4)));
            break;
        }
        off = off.saturating_add(8 + u64::from(size) + u64::from(size & 1));
    }
    let (start, size) = hdrl.ok_or(ProbeError::Malformed("AVI without hdrl"))?;
    let b = read_upto(src, start, (size as usize).min(256 * 1024))?;
    let mut avih_duration = None;
    let mut dmlh_frames = None;
    let mut us_per_frame = 0u32;
    let mut stream_durations: Vec<f64> = Vec::new();
    let mut kind = [0u8; 4];
    riff_chunks(&b, &mut |id, d| match &id {
        b"avih" => {
            us_per_frame = le32(d, 0).unwrap_or(0);
            let frames = le32(d, 16).unwrap_or(0);
            avih_duration = positive(f64::from(frames) * f64::from(us_per_frame) / 1e6);
            info.width = le32(d, 32).and_then(nonzero);
            info.height = le32(d, 36).and_then(nonzero);
        }
        b"dmlh" => dmlh_frames = le32(d, 0),
        b"strh" => {
            kind = bytes::<4>(d, 0).unwrap_or_default();
            let (scale, rate, length) = (
                le32(d, 20).unwrap_or(0),
                le32(d, 24).unwrap_or(0),
                le32(d, 32).unwrap_or(0),
            );
            if rate > 0 {
                if let Some(dur) = positive(f64::from(length) * f64::from(scale) / f64::from(rate))
                {
                    stream_durations.push(dur);
                }
            }
            if &kind == b"vids" && info.video_codec.is_none() {
                info.video_codec = bytes::<4>(d, 4).map(|cc| avi_video_codec(&cc));
            }
        }
        b"strf" => {
            if &kind == b"vids" {
                if let Some(cc) = bytes::<4>(d, 16).filter(|cc| cc != &[0; 4]) {
                    info.video_codec = Some(avi_video_codec(&cc));
                }
            } else if &kind == b"auds" && info.audio_codec.is_none() {
                info.audio_codec = le16(d, 0).map(|t| {
                    match t {
                        1 | 3 => "pcm",
                        0x50 => "mp2",
                        0x55 => "mp3",
                        0xFF | 0x1610 | 0x706D => "aac",
                        0x2000 => "ac3",
                        0x2001 => "dts",
                        0x161..=0x163 => "wma",
                        2 | 0x11 => "adpcm",
                        _ => "unknown",
                    }
                    .to_owned()
                });
            }
            kind = [0; 4];
        }
        _ => {}
    });
    // Files over 1 GB keep the full frame count in the OpenDML header.
    let dml = dmlh_frames.and_then(|f| positive(f64::from(f) * f64::from(us_per_frame) / 1e6));
    let longest = stream_durations
        .into_iter()
        .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.max(d))));
    info.duration_secs = longest.or(dml).or(avih_duration);
    Ok(info)
}

/// Walks RIFF chunks in `b`, descending into LIST chunks.
fn riff_chunks(b: &[u8], f: &mut dyn FnMut([u8; 4], &[u8])) {
    fn walk(b: &[u8], f: &mut dyn FnMut([u8; 4], &[u8]), depth: u32) {
        let mut pos = 0usize;
        for _ in 0..1024 {
            let (Some(id), Some(size)) = (bytes::<4>(b, pos), le32(b, pos + 4)) else {
                return;
            };
            let data = pos + 8;
            let end = data.saturating_add(size as usize).min(b.len());
            let body = b.get(data..end).unwrap_or(&[]);
            if &id == b"LIST" {
                if depth < 4 {
                    walk(body.get(4..).unwrap_or(&[]), f, depth + 1);
                }
            } else {
                f(id, body);
            }
            pos = end.saturating_add(size as usize & 1);
        }
    }
    walk(b, f, 0);
}

fn avi_video_codec(cc: &[u8; 4]) -> String {
    let up: [u8; 4] = cc.map(|b| b.to_ascii_uppercase());
    match &up {
        b"XVID" | b"DIVX" | b"DX50" | b"FMP4" | b"MP4V" | b"M4S2" => "mpeg4".to_owned(),
        b"DIV3" | b"MP43" | b"DIV4" => "msmpeg4v3".to_owned(),
        b"H264" | b"AVC1" | b"X264" => "h264".to_owned(),
        b"HEVC" | b"H265" | b"HVC1" => "hevc".to_owned(),
        b"MJPG" => "mjpeg".to_owned(),
        _ => fourcc_name(cc),
    }
}

// ---------------------------------------------------------------- ASF, FLV

const ASF_HEADER: [u8; 16] = [
    0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11, 0xA6, 0xD9, 0x00, 0xAA, 0x00, 0x62, 0xCE, 0x6C,
];
const ASF_FILE_PROPERTIES: [u8; 16] = [
    0xA1, 0xDC, 0xAB, 0x8C, 0x47, 0xA9, 0xCF, 0x11, 0x8E, 0xE4, 0x00, 0xC0, 0x0C, 0x20, 0x53, 0x65,
];

fn asf(src: &dyn ReadAt) -> Result<MediaInfo> {
    let mut info = MediaInfo::new("asf");
    let mut off = 30u64;
    for _ in 0..64 {
        let h = read_upto(src, off, 24)?;
        let (Some(guid), Some(size)) = (bytes::<16>(&h, 0), le64(&h, 16)) else {
            break;
        };
        if guid == ASF_FILE_PROPERTIES {
            let b = read_upto(src, off, 88)?;
            if let (Some(play), Some(preroll)) = (le64(&b, 64), le64(&b, 80)) {
                info.duration_secs = positive(play as f64 / 1e7 - preroll as f64 / 1e3);
            }
            break;
        }
        if size < 24 {
            break;
        }
        off = off.saturating_add(size);
    }
    Ok(info)
}

fn flv(src: &dyn ReadAt) -> Result<MediaInfo> {
    let mut info = MediaInfo::new("flv");
    // onMetaData is the first tag; its AMF "duration" is a big-endian double.
    let b = read_upto(src, 0, 64 * 1024)?;
    let key = b"\x00\x08duration\x00";
    if let Some(p) = b.windows(key.len()).position(|w| w == key) {
        info.duration_secs = bytes::<8>(&b, p + key.len())
            .map(f64::from_be_bytes)
            .and_then(positive);
    }
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::testutil::{mutate, sample_bundle, Counting, Rng};
    use crate::readat::FileAt;
    use std::path::Path;

    fn probe_file(path: &Path) -> MediaInfo {
        let f = FileAt::open(path).unwrap();
        let ext = path.extension().unwrap().to_str().unwrap();
        probe(&f, ext).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    #[test]
    fn sample_bundle_matches_manifest() {
        let Some(dir) = sample_bundle() else { return };
        let manifest = dir.with_file_name("sample-bundle.manifest.json");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            eprintln!("SKIP: no {}", manifest.display());
            return;
        };
        let m: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut checked = 0;
        for item in m["videos"]
            .as_array()
            .unwrap()
            .iter()
            .chain(m["audio"].as_array().unwrap())
        {
            let file = item["file"].as_str().unwrap();
            let path = dir.join(file);
            let info = probe_file(&path);
            let want = item["duration"].as_f64().unwrap();
            let got = info.duration_secs.unwrap_or(-1.0);
            eprintln!("{file}: {info:?} (manifest {want})");
            assert!(
                (got - want).abs() <= 0.1,
                "{file}: duration {got} want {want} ({info:?})"
            );
            let codecs: Vec<String> = info
                .video_codec
                .iter()
                .chain(info.audio_codec.iter())
                .cloned()
                .collect();
            let want_codecs: Vec<String> = item["codecs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_owned())
                .collect();
            assert_eq!(codecs, want_codecs, "{file}");
            let ext = path.extension().unwrap().to_str().unwrap();
            if let Some(p) = item.get("browser_playable").and_then(|p| p.as_bool()) {
                assert_eq!(browser_playable(ext, &info), p, "{file}");
            } else {
                assert!(browser_playable(ext, &info), "{file}");
            }
            if info.video_codec.is_some() {
                assert_eq!((info.width, info.height), (Some(320), Some(180)), "{file}");
            }
            checked += 1;
        }
        assert!(checked >= 4);
    }

    #[test]
    fn synthetic_wav_and_flac() {
        let mut wav =
            b"RIFF\0\0\0\0WAVEfmt \x10\0\0\0\x01\0\x01\0\x22\x56\0\0\x44\xac\0\0\x02\0\x10\0data"
                .to_vec();
        wav.extend_from_slice(&44100u32.to_le_bytes());
        wav.resize(wav.len() + 44100, 0);
        let info = probe(&wav, "wav").unwrap();
        assert_eq!(info.audio_codec.as_deref(), Some("pcm"));
        assert!((info.duration_secs.unwrap() - 1.0).abs() < 1e-9);
        assert!(browser_playable("WAV", &info));

        let mut flac = b"fLaC\x80\0\0\x22".to_vec();
        let mut si = [0u8; 34];
        // 44100 Hz, 2 channels, 16 bits, 88200 samples.
        let rate = 44100u32;
        si[10] = (rate >> 12) as u8;
        si[11] = (rate >> 4) as u8;
        si[12] = ((rate & 0xF) << 4) as u8 | (1 << 1);
        si[13] = 0xF0;
        si[14..18].copy_from_slice(&88200u32.to_be_bytes());
        flac.extend_from_slice(&si);
        let info = probe(&flac, "flac").unwrap();
        assert_eq!(info.duration_secs, Some(2.0));
        assert!(browser_playable("flac", &info));
    }

    #[test]
    fn moov_at_the_end_is_found() {
        // ftyp, a large mdat, then moov: only box headers are read.
        let Some(dir) = sample_bundle() else { return };
        let data = std::fs::read(dir.join("videos/walking-baekdudaegan-2005.mp4")).unwrap();
        let info = probe(&data, "mp4").unwrap();
        let mut order = Vec::new();
        let mut off = 0usize;
        while let (Some(size), Some(kind)) = (be32(&data, off), bytes::<4>(&data, off + 4)) {
            order.push((kind, off, size as usize));
            off += size as usize;
        }
        let (ftyp, moov) = (order[0], order.iter().find(|b| &b.0 == b"moov").unwrap());
        let mut moved = data[..ftyp.2].to_vec();
        let mdat_big = vec![0u8; 1 << 20];
        moved.extend_from_slice(&((mdat_big.len() + 8) as u32).to_be_bytes());
        moved.extend_from_slice(b"mdat");
        moved.extend_from_slice(&mdat_big);
        moved.extend_from_slice(&data[moov.1..moov.1 + moov.2]);
        let counting = Counting {
            inner: &moved,
            read: Default::default(),
        };
        let again = probe(&counting, "mp4").unwrap();
        assert_eq!(again, info);
        let read = counting.read.into_inner();
        assert!(read < 64 * 1024, "read {read} bytes of {}", moved.len());
    }

    #[test]
    fn unplayable_kinds() {
        let mut i = MediaInfo::new("mp4");
        i.video_codec = Some("hevc".into());
        i.audio_codec = Some("aac".into());
        assert!(!browser_playable("mp4", &i));
        i.video_codec = Some("h264".into());
        assert!(browser_playable("mp4", &i));
        assert!(browser_playable("m4v", &i));
        assert!(!browser_playable("mkv", &i));
        i.container = "mov";
        assert!(browser_playable("mov", &i));
        i.video_codec = Some("prores".into());
        assert!(!browser_playable("mov", &i));
        let mut w = MediaInfo::new("matroska");
        w.video_codec = Some("vp9".into());
        assert!(!browser_playable("mkv", &w));
        w.container = "webm";
        assert!(browser_playable("webm", &w));
        assert!(!browser_playable("webm", &MediaInfo::new("webm")));
        assert!(matches!(
            probe(&b"hello world, not media".to_vec(), "mp4"),
            Err(ProbeError::Unrecognised)
        ));
        assert!(probe(&Vec::new(), "mp3").is_err());
    }

    #[test]
    fn fuzz_never_panics() {
        let mut seeds: Vec<Vec<u8>> = Vec::new();
        if let Some(dir) = sample_bundle() {
            for f in [
                "videos/서울의 겨울 (1987).mp4",
                "videos/어머니의_부엌_2012.webm",
                "videos/작은 섬 이야기 (1976).avi",
                "radio/아침 뉴스 2024-02-07.mp3",
                "radio/weather-today-2024-02-08.ogg",
            ] {
                if let Ok(mut b) = std::fs::read(dir.join(f)) {
                    // The tails matter for Ogg; the heads for the rest.
                    if b.len() > 96 * 1024 && !f.ends_with(".ogg") {
                        b.truncate(96 * 1024);
                    }
                    seeds.push(b);
                }
            }
        }
        seeds.push(b"RIFF\0\0\0\0WAVEfmt \x10\0\0\0\x01\0\x01\0\x22\x56\0\0\x44\xac\0\0\x02\0\x10\0data\0\0\0\0".to_vec());
        seeds.push(b"fLaC\x80\0\0\x22\0\0\0\0\0\0\0\0\0\0\x0a\xc4\x42\xf0\0\x01\x58\x88\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0".to_vec());
        let mut rng = Rng::new(11);
        let start = std::time::Instant::now();
        for round in 0..1500 {
            let mut data = seeds[round % seeds.len()].clone();
            for _ in 0..1 + rng.below(3) {
                mutate(&mut rng, &mut data);
            }
            let _ = probe(&data, "mp4");
        }
        assert!(start.elapsed().as_secs() < 120);
    }
}

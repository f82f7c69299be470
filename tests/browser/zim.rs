//! A minimal ZIM writer for tests: new namespace scheme (6.1), one
//! uncompressed cluster, so tests can make archives with exactly the pages
//! they need without Python or libzim.
//!
//! Layout written: 80-byte header, MIME list, path pointer list, title
//! pointer list, cluster pointer list, dirents, the cluster, and the MD5 of
//! everything before it.

use md5::{Digest, Md5};
use std::collections::BTreeSet;
use std::path::Path;

const MAGIC: u32 = 72_173_914;
const REDIRECT: u16 = 0xFFFF;

enum Body {
    Data { mime: String, bytes: Vec<u8> },
    Redirect { ns: u8, path: String },
}

struct Entry {
    ns: u8,
    path: String,
    title: String,
    body: Body,
}

#[derive(Default)]
pub struct ZimWriter {
    entries: Vec<Entry>,
}

impl ZimWriter {
    pub fn new() -> ZimWriter {
        ZimWriter::default()
    }

    /// A content entry (namespace C) with the given title.
    pub fn add(&mut self, path: &str, title: &str, mime: &str, bytes: impl Into<Vec<u8>>) {
        self.entries.push(Entry {
            ns: b'C',
            path: path.into(),
            title: title.into(),
            body: Body::Data {
                mime: mime.into(),
                bytes: bytes.into(),
            },
        });
    }

    /// A metadata value (`M/Title`, `M/Language`, …).
    pub fn metadata(&mut self, name: &str, value: &str) {
        self.entries.push(Entry {
            ns: b'M',
            path: name.into(),
            title: String::new(),
            body: Body::Data {
                mime: "text/plain".into(),
                bytes: value.as_bytes().to_vec(),
            },
        });
    }

    /// A redirect from `C/path` to `C/target`.
    pub fn redirect(&mut self, path: &str, title: &str, target: &str) {
        self.entries.push(Entry {
            ns: b'C',
            path: path.into(),
            title: title.into(),
            body: Body::Redirect {
                ns: b'C',
                path: target.into(),
            },
        });
    }

    /// `W/mainPage`, a redirect to `C/path`, and the header's main page.
    pub fn main_page(&mut self, path: &str) {
        self.entries.push(Entry {
            ns: b'W',
            path: "mainPage".into(),
            title: String::new(),
            body: Body::Redirect {
                ns: b'C',
                path: path.into(),
            },
        });
    }

    pub fn write(mut self, file: &Path) -> std::io::Result<()> {
        // The title listing's content depends on the final order, which
        // depends only on paths: add it empty, sort, then fill it.
        self.entries.push(Entry {
            ns: b'X',
            path: "listing/titleOrdered/v1".into(),
            title: String::new(),
            body: Body::Data {
                mime: "application/octet-stream+zimlisting".into(),
                bytes: Vec::new(),
            },
        });
        let mut entries = self.entries;
        entries.sort_by(|a, b| (a.ns, a.path.as_bytes()).cmp(&(b.ns, b.path.as_bytes())));
        let index_of = |ns: u8, path: &str, entries: &[Entry]| -> u32 {
            entries
                .iter()
                .position(|e| e.ns == ns && e.path == path)
                .map(|i| i as u32)
                .unwrap_or_else(|| panic!("redirect target {}/{path} missing", ns as char))
        };
        let title_key = |e: &Entry| {
            let t = if e.title.is_empty() {
                &e.path
            } else {
                &e.title
            };
            (e.ns, t.as_bytes().to_vec())
        };
        let mut by_title: Vec<u32> = (0..entries.len() as u32).collect();
        by_title.sort_by_key(|&i| title_key(&entries[i as usize]));
        let listing: Vec<u8> = by_title
            .iter()
            .filter(|&&i| entries[i as usize].ns == b'C')
            .flat_map(|i| i.to_le_bytes())
            .collect();
        if let Some(e) = entries.iter_mut().find(|e| e.ns == b'X') {
            if let Body::Data { bytes, .. } = &mut e.body {
                *bytes = listing;
            }
        }

        let mimes: Vec<String> = entries
            .iter()
            .filter_map(|e| match &e.body {
                Body::Data { mime, .. } => Some(mime.clone()),
                Body::Redirect { .. } => None,
            })
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut mime_list = Vec::new();
        for m in &mimes {
            mime_list.extend_from_slice(m.as_bytes());
            mime_list.push(0);
        }
        mime_list.push(0);

        // Dirents and the one cluster's blobs.
        let mut dirents: Vec<Vec<u8>> = Vec::new();
        let mut blobs: Vec<&[u8]> = Vec::new();
        for e in &entries {
            let mut d = Vec::new();
            match &e.body {
                Body::Data { mime, bytes } => {
                    let m = mimes.iter().position(|x| x == mime).unwrap_or(0) as u16;
                    d.extend_from_slice(&m.to_le_bytes());
                    d.push(0); // parameter length
                    d.push(e.ns);
                    d.extend_from_slice(&0u32.to_le_bytes()); // revision
                    d.extend_from_slice(&0u32.to_le_bytes()); // cluster
                    d.extend_from_slice(&(blobs.len() as u32).to_le_bytes());
                    blobs.push(bytes);
                }
                Body::Redirect { ns, path } => {
                    d.extend_from_slice(&REDIRECT.to_le_bytes());
                    d.push(0);
                    d.push(e.ns);
                    d.extend_from_slice(&0u32.to_le_bytes());
                    d.extend_from_slice(&index_of(*ns, path, &entries).to_le_bytes());
                }
            }
            d.extend_from_slice(e.path.as_bytes());
            d.push(0);
            d.extend_from_slice(e.title.as_bytes());
            d.push(0);
            dirents.push(d);
        }
        let mut cluster = vec![1u8]; // uncompressed, 4-byte offsets
        let table = 4 * (blobs.len() as u32 + 1);
        let mut at = table;
        cluster.extend_from_slice(&at.to_le_bytes());
        for b in &blobs {
            at += b.len() as u32;
            cluster.extend_from_slice(&at.to_le_bytes());
        }
        for b in &blobs {
            cluster.extend_from_slice(b);
        }

        let n = entries.len() as u64;
        let path_ptr_pos = 80 + mime_list.len() as u64;
        let title_ptr_pos = path_ptr_pos + 8 * n;
        let cluster_ptr_pos = title_ptr_pos + 4 * n;
        let dirents_pos = cluster_ptr_pos + 8;
        let mut dirent_pos = Vec::new();
        let mut p = dirents_pos;
        for d in &dirents {
            dirent_pos.push(p);
            p += d.len() as u64;
        }
        let cluster_pos = p;
        let checksum_pos = cluster_pos + cluster.len() as u64;
        let main = entries
            .iter()
            .position(|e| e.ns == b'W' && e.path == "mainPage")
            .map(|i| i as u32)
            .unwrap_or(u32::MAX);

        let mut out = Vec::with_capacity(checksum_pos as usize + 16);
        out.extend_from_slice(&MAGIC.to_le_bytes());
        out.extend_from_slice(&6u16.to_le_bytes());
        out.extend_from_slice(&1u16.to_le_bytes());
        out.extend_from_slice(&[0x5a; 16]); // uuid
        out.extend_from_slice(&(n as u32).to_le_bytes());
        out.extend_from_slice(&1u32.to_le_bytes()); // cluster count
        out.extend_from_slice(&path_ptr_pos.to_le_bytes());
        out.extend_from_slice(&title_ptr_pos.to_le_bytes());
        out.extend_from_slice(&cluster_ptr_pos.to_le_bytes());
        out.extend_from_slice(&80u64.to_le_bytes());
        out.extend_from_slice(&main.to_le_bytes());
        out.extend_from_slice(&u32::MAX.to_le_bytes()); // layout page
        out.extend_from_slice(&checksum_pos.to_le_bytes());
        out.extend_from_slice(&mime_list);
        for p in &dirent_pos {
            out.extend_from_slice(&p.to_le_bytes());
        }
        for i in &by_title {
            out.extend_from_slice(&i.to_le_bytes());
        }
        out.extend_from_slice(&cluster_pos.to_le_bytes());
        for d in &dirents {
            out.extend_from_slice(d);
        }
        out.extend_from_slice(&cluster);
        assert_eq!(out.len() as u64, checksum_pos);
        let sum = Md5::digest(&out);
        out.extend_from_slice(&sum);
        std::fs::write(file, out)
    }
}

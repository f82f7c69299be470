//! driveshelf: serves the content of a USB drive (ZIM archives, documents,
//! films, radio, pages) read-only on 127.0.0.1 to the local browser.
//!
//! Data flows one way: drive (`readat`, `archive`, `media`) → catalog
//! (`bundle`) → search (`fulltext`, `search`) → pages (`render`) → `http`.

#[cfg(target_os = "linux")]
pub mod alloc;
pub mod archive;
pub mod args;
pub mod assets;
pub mod bundle;
pub mod check;
pub mod driveindex;
pub mod fulltext;
pub mod hangul;
pub mod http;
pub mod lang;
pub mod launch;
pub mod markdown;
pub mod media;
pub mod pdf;
pub mod platform;
pub mod prepare;
pub mod readat;
pub mod render;
pub mod search;
pub mod serve;
pub mod session;
pub mod titleindex;

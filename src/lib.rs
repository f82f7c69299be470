//! driveshelf: serves the content of a USB drive (ZIM archives, documents,
//! films, radio, pages) read-only on 127.0.0.1 to the local browser.
//!
//! Data flows one way: drive (`readat`, `archive`) → catalog (`bundle`) →
//! `search` → pages (`render`) → `http`.

pub mod archive;
pub mod args;
pub mod assets;
pub mod bundle;
pub mod http;
pub mod lang;
pub mod markdown;
pub mod media;
pub mod platform;
pub mod readat;
pub mod render;
pub mod search;
pub mod serve;

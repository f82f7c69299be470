//! driveshelf: serves the content of a USB drive (ZIM archives, documents,
//! films, radio, pages) read-only on 127.0.0.1 to the local browser.
//!
//! Data flows one way: drive → catalog → search → pages → HTTP.

pub mod archive;
pub mod fulltext;
pub mod readat;

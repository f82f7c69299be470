//! driveshelf: serves the content of a USB drive (ZIM archives, documents,
//! films, radio, pages) read-only on 127.0.0.1 to the local browser.
//!
//! Data flows one way: drive → catalog → search → pages → HTTP.

pub mod assets;
pub mod http;
pub mod lang;
pub mod markdown;
pub mod media;
pub mod readat;
pub mod render;

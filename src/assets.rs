//! Files of `web/` built into the binary, so the drive holds one file only.

use rust_embed::RustEmbed;
use std::borrow::Cow;

#[derive(RustEmbed)]
#[folder = "web/"]
struct Web;

/// Bytes of `web/<path>`, if such a file was embedded.
pub fn get(path: &str) -> Option<Cow<'static, [u8]>> {
    Web::get(path).map(|f| f.data)
}

/// Text of `web/<path>`; embedded text files are ours and UTF-8.
pub fn text(path: &str) -> Option<String> {
    get(path).map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// URL prefix of the UI's own static files. The version is part of it so a
/// browser never mixes files of two releases.
pub const PREFIX: &str = concat!("/_/", env!("CARGO_PKG_VERSION"), "/");

/// Names of the embedded static files served under [`PREFIX`].
pub fn static_names() -> impl Iterator<Item = Cow<'static, str>> {
    Web::iter().filter_map(|p| {
        let rest = p.strip_prefix("assets/")?.to_string();
        Some(Cow::Owned(rest))
    })
}

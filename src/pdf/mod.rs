//! The PDF room: everything that knows PDF internals.
//!
//! - `render`: pages drawn into PNGs (hayro), for browsers without a PDF
//!   viewer and for first-page pictures; `fonts`: the Korean font for
//!   documents that name one without carrying it.

pub mod fonts;
pub mod render;

pub use render::{PageImage, RenderError, Renderer};

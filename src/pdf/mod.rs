//! The PDF room: everything that knows PDF internals.
//!
//! - `text`: the words of each page, in reading order good enough for
//!   snippets (the drive index and `prepare` read documents through it);
//!   `cidtext`: Unicode for CID fonts that carry no map of their own.
//! - `worker`: the isolation every PDF job runs in — its own thread with a
//!   big stack, a deadline, a memory budget, panics caught and reported.
//! - `render`: pages drawn into PNGs (hayro), for browsers without a PDF
//!   viewer and for first-page pictures; `fonts`: the Korean font for
//!   documents that name one without carrying it.
//!
//! PDFs come off the drive and may be damaged, truncated, encrypted or
//! hostile; nothing here panics or hangs the caller: every failure is a
//! `PdfError` for that one file. The interpreter is `hayro-interpret`
//! (pure Rust, fuzzed upstream): measured on 32 PDFs (newspapers, real
//! Korean documents, non-embedded Korean CID fonts) it read 97–100 % of
//! `pdftotext`'s words where `pdf-extract` panicked or lost whole
//! documents (../shared/docs/crate-notes.md).

mod budget;
mod cidtext;
mod error;
pub mod fonts;
pub mod render;
mod text;
mod worker;

pub use budget::{Budget, CountingAlloc, Guard};
pub use error::PdfError;
pub use render::{PageImage, RenderError, Renderer};
pub use text::{extract_text_in_place, DocumentText};
pub use worker::run_isolated;

use std::path::Path;

/// The text of every page of the PDF at `path`, read under `budget` in a
/// worker thread. A scanned PDF (images only) is `Ok` with empty pages.
pub fn extract_text(path: &Path, budget: &Budget) -> Result<DocumentText, PdfError> {
    let data = budget::read_capped(path, budget.max_file_bytes)?;
    extract_text_bytes(data, budget)
}

/// As `extract_text`, for bytes already in memory.
pub fn extract_text_bytes(data: Vec<u8>, budget: &Budget) -> Result<DocumentText, PdfError> {
    let b = budget.clone();
    run_isolated("pdf-text", budget, move |guard| {
        extract_text_in_place(data, &b, guard)
    })
}

#[doc(hidden)]
pub mod testpdf;

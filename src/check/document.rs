//! PDF documents: they parse, how many pages, encrypted or not, cut short.

use super::report::{Finding, Level, Report};
use crate::bundle::Item;
use crate::media::pdfinfo;
use crate::readat::{FileAt, ReadAt};

const KIND: &str = "document";
/// Writers end a PDF with `%%EOF` and at most a little whitespace; some
/// append junk, so the marker is looked for in the last KiB.
const EOF_WINDOW: u64 = 1024;

pub fn check(report: &mut Report, item: &Item) {
    let src = match FileAt::open(&item.path) {
        Ok(s) => s,
        Err(e) => {
            report.add(
                &item.rel,
                KIND,
                Finding::new(Level::Damaged, "file_unreadable").arg("reason", e),
            );
            return;
        }
    };
    match pdfinfo::pdf_info(&src) {
        Ok(info) => {
            if let Some(pages) = info.pages {
                report.add(
                    &item.rel,
                    KIND,
                    Finding::new(Level::Info, "pdf_pages").arg("pages", pages),
                );
            } else {
                report.add(
                    &item.rel,
                    KIND,
                    Finding::new(Level::Warning, "pdf_no_pages"),
                );
            }
            if info.encrypted {
                report.add(&item.rel, KIND, Finding::new(Level::Info, "pdf_encrypted"));
            }
        }
        Err(e) => {
            report.add(
                &item.rel,
                KIND,
                Finding::new(Level::Damaged, "pdf_unreadable").arg("reason", e),
            );
            return;
        }
    }
    // The reader recovers from a lost end by scanning, so a cut copy still
    // parses; the missing end marker is what gives it away.
    match has_eof_marker(&src) {
        Ok(true) => {}
        Ok(false) => report.add(
            &item.rel,
            KIND,
            Finding::new(Level::Damaged, "pdf_truncated"),
        ),
        Err(e) => report.add(
            &item.rel,
            KIND,
            Finding::new(Level::Damaged, "file_unreadable").arg("reason", e),
        ),
    }
}

fn has_eof_marker(src: &dyn ReadAt) -> std::io::Result<bool> {
    let len = src.len();
    let start = len.saturating_sub(EOF_WINDOW);
    let tail = crate::readat::read_vec(src, start, usize::try_from(len - start).unwrap_or(0))?;
    Ok(tail.windows(5).any(|w| w == b"%%EOF"))
}

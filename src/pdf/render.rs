//! Page images: one page of a PDF drawn by hayro into a PNG, for browsers
//! without a PDF viewer (IE on Windows 7, Naenara) and for the first-page
//! pictures in listings.
//!
//! hayro's renderer can neither be cancelled nor stopped from overflowing a
//! small stack, so each render runs as a job of `worker::run_isolated` (its
//! own thread, a large stack, panics caught), at most `MAX_RENDERS` at once
//! — a render slot is freed when its thread ends, not when the caller gives
//! up after `RENDER_TIME` — and a page that ran out of time is not tried
//! again while the program runs. Rendered pages are kept within
//! `CACHE_BYTES`; the bytes of the documents last drawn, and their text, are
//! kept too, so paging through a newspaper does not read it again from a
//! slow stick.

use super::fonts::KoreanFonts;
use super::{Budget, DocumentText, PdfError};
use hayro::hayro_interpret::font::FontQuery;
use hayro::hayro_interpret::hayro_cmap::CidFamily;
use hayro::hayro_interpret::InterpreterSettings;
use hayro::hayro_syntax::{LoadPdfError, Pdf};
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::{PixmapSettings, RenderCache, RenderSettings};
use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// Renders at once: each holds a decoded page and a full-size bitmap.
pub const MAX_RENDERS: usize = 2;
/// How long a request waits for its render.
pub const RENDER_TIME: Duration = Duration::from_secs(20);
/// Rendered PNGs kept in memory.
const CACHE_BYTES: usize = 24 << 20;
/// Documents whose bytes are kept for the next page.
const KEEP_DOCUMENTS: usize = 2;
/// Documents whose text is kept for their pages' views.
const KEEP_TEXTS: usize = 4;
/// Time for reading a whole document's text (about 1 ms a page).
const TEXT_TIME: Duration = Duration::from_secs(10);
/// The widest picture served, and the longest side of any.
pub const MAX_WIDTH: u32 = 2000;
const MAX_SIDE: f32 = 4000.0;
pub const MIN_WIDTH: u32 = 48;

#[derive(Debug, Clone)]
pub enum RenderError {
    Io(String),
    TooLarge,
    Encrypted,
    Damaged,
    NoSuchPage {
        pages: u32,
    },
    Panicked(String),
    TimedOut,
    /// Every render slot is taken by pages that never finished.
    Busy,
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RenderError::Io(e) => write!(f, "the file cannot be read: {e}"),
            RenderError::TooLarge => f.write_str("the file is too large to draw"),
            RenderError::Encrypted => f.write_str("the document is protected by a password"),
            RenderError::Damaged => f.write_str("the document is damaged"),
            RenderError::NoSuchPage { pages } => write!(f, "the document has {pages} pages"),
            RenderError::Panicked(m) => write!(f, "the page could not be drawn ({m})"),
            RenderError::TimedOut => f.write_str("the page took too long to draw"),
            RenderError::Busy => f.write_str("too many pages are being drawn"),
        }
    }
}

impl std::error::Error for RenderError {}

impl From<PdfError> for RenderError {
    fn from(e: PdfError) -> Self {
        match e {
            PdfError::Io(e) | PdfError::Spawn(e) => RenderError::Io(e.to_string()),
            PdfError::TooLarge { .. } => RenderError::TooLarge,
            PdfError::Encrypted | PdfError::UnsupportedEncryption => RenderError::Encrypted,
            PdfError::Damaged | PdfError::Truncated => RenderError::Damaged,
            PdfError::Panicked(m) => RenderError::Panicked(m),
            PdfError::TimedOut { .. } | PdfError::OutOfMemoryBudget { .. } => RenderError::TimedOut,
        }
    }
}

/// A drawn page.
#[derive(Debug)]
pub struct PageImage {
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// Pages in the document.
    pub pages: u32,
}

type Key = (PathBuf, u32, u32);

/// The page renderer of a running program: slots, caches, fonts.
pub struct Renderer {
    slots: Arc<Slots>,
    cache: Mutex<Lru>,
    documents: Mutex<VecDeque<(PathBuf, Arc<Vec<u8>>)>>,
    /// Pages that timed out: not tried again.
    given_up: Mutex<HashSet<(PathBuf, u32)>>,
    /// Documents' text, `None` where it could not be read.
    texts: Mutex<VecDeque<(PathBuf, Option<Arc<DocumentText>>)>>,
    fonts: Arc<KoreanFonts>,
}

impl Renderer {
    /// `drive` is where a `fonts` folder with a Korean font may sit.
    pub fn new(drive: &Path) -> Renderer {
        Renderer {
            slots: Arc::new(Slots::default()),
            cache: Mutex::new(Lru::default()),
            documents: Mutex::new(VecDeque::new()),
            given_up: Mutex::new(HashSet::new()),
            texts: Mutex::new(VecDeque::new()),
            fonts: Arc::new(KoreanFonts::new(drive)),
        }
    }

    /// Page `page` (from 1) of the PDF at `path`, `width` pixels wide (the
    /// height follows the page's shape).
    pub fn page(&self, path: &Path, page: u32, width: u32) -> Result<Arc<PageImage>, RenderError> {
        let width = width.clamp(MIN_WIDTH, MAX_WIDTH);
        let key: Key = (path.to_path_buf(), page, width);
        if let Some(hit) = lock(&self.cache).get(&key) {
            return Ok(hit);
        }
        if lock(&self.given_up).contains(&(key.0.clone(), page)) {
            return Err(RenderError::TimedOut);
        }
        let data = self.document(path)?;
        let permit = self.slots.acquire(RENDER_TIME).ok_or(RenderError::Busy)?;
        let fonts = self.fonts.clone();
        let budget = Budget {
            max_time: RENDER_TIME,
            ..Budget::default()
        };
        let drawn = super::run_isolated("pdf-page", &budget, move |_| {
            // The slot is free only once the thread is done drawing.
            let _permit = permit;
            Ok(draw(data, page, width, &fonts))
        });
        match drawn {
            Ok(Ok(img)) => {
                let img = Arc::new(img);
                lock(&self.cache).put(key, img.clone());
                Ok(img)
            }
            Ok(Err(e)) => Err(e),
            Err(PdfError::TimedOut { .. }) => {
                lock(&self.given_up).insert((key.0, page));
                Err(RenderError::TimedOut)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The words of page `page` (from 1), read with the rest of the
    /// document's text the first time one of its pages is shown.
    pub fn page_text(&self, path: &Path, page: u32) -> Option<String> {
        let cached = lock(&self.texts)
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, t)| t.clone());
        let text = match cached {
            Some(t) => t,
            None => {
                let budget = Budget {
                    max_time: TEXT_TIME,
                    ..Budget::default()
                };
                let t = self
                    .document(path)
                    .ok()
                    .and_then(|d| super::extract_text_bytes(d.to_vec(), &budget).ok())
                    .map(Arc::new);
                let mut texts = lock(&self.texts);
                texts.push_front((path.to_path_buf(), t.clone()));
                texts.truncate(KEEP_TEXTS);
                t
            }
        };
        let index = usize::try_from(page.checked_sub(1)?).ok()?;
        text?.pages.get(index).cloned()
    }

    /// The bytes of a document, from the small keep or read anew.
    fn document(&self, path: &Path) -> Result<Arc<Vec<u8>>, RenderError> {
        {
            let docs = lock(&self.documents);
            if let Some((_, d)) = docs.iter().find(|(p, _)| p == path) {
                return Ok(d.clone());
            }
        }
        let data = Arc::new(super::budget::read_capped(
            path,
            Budget::default().max_file_bytes,
        )?);
        let mut docs = lock(&self.documents);
        docs.push_front((path.to_path_buf(), data.clone()));
        docs.truncate(KEEP_DOCUMENTS);
        Ok(data)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Draws one page; runs in the render thread.
fn draw(
    data: Arc<Vec<u8>>,
    page: u32,
    width: u32,
    fonts: &Arc<KoreanFonts>,
) -> Result<PageImage, RenderError> {
    let pdf = Pdf::new(data).map_err(|e| match e {
        LoadPdfError::Decryption(_) => RenderError::Encrypted,
        LoadPdfError::Invalid => RenderError::Damaged,
    })?;
    let pages = pdf.pages();
    let count = u32::try_from(pages.len()).unwrap_or(u32::MAX);
    let p = page
        .checked_sub(1)
        .and_then(|i| pages.get(i as usize))
        .ok_or(RenderError::NoSuchPage { pages: count })?;
    let (w, h) = p.render_dimensions();
    if !(w.is_finite() && h.is_finite() && w >= 1.0 && h >= 1.0) {
        return Err(RenderError::Damaged);
    }
    // hayro truncates the scaled size: half a pixel more gives `width`.
    let mut scale = (width as f32 + 0.5) / w;
    if h * scale > MAX_SIDE {
        scale = MAX_SIDE / h;
    }
    let settings = interpreter_settings(fonts.clone());
    let cache = RenderCache::new();
    let pixmap = hayro::render(
        p,
        &cache,
        &settings,
        &RenderSettings::default(),
        &PixmapSettings {
            x_scale: scale,
            y_scale: scale,
            bg_color: WHITE,
        },
    );
    let (pw, ph) = (u32::from(pixmap.width()), u32::from(pixmap.height()));
    if pw == 0 || ph == 0 {
        return Err(RenderError::Damaged);
    }
    let png = pixmap
        .into_png()
        .map_err(|e| RenderError::Panicked(e.to_string()))?;
    Ok(PageImage {
        png,
        width: pw,
        height: ph,
        pages: count,
    })
}

/// hayro's settings: its own standard fonts, and for text in a Korean font
/// the document does not carry, a Korean font from the drive or this
/// computer (read, never written).
fn interpreter_settings(fonts: Arc<KoreanFonts>) -> InterpreterSettings {
    InterpreterSettings {
        font_resolver: Arc::new(move |query| match query {
            FontQuery::Standard(s) => Some(s.get_font_data()),
            FontQuery::Fallback(f) => {
                let korean = f
                    .character_collection
                    .as_ref()
                    .is_some_and(|cc| matches!(cc.family, CidFamily::AdobeKorea1))
                    || f.font_name
                        .as_deref()
                        .or(f.post_script_name.as_deref())
                        .is_some_and(super::fonts::looks_korean);
                if korean {
                    if let Some(font) = fonts.get(f.is_serif) {
                        return Some(font);
                    }
                }
                Some(f.pick_standard_font().get_font_data())
            }
        }),
        ..InterpreterSettings::default()
    }
}

/// A counting semaphore for render slots.
#[derive(Default)]
struct Slots {
    used: Mutex<usize>,
    freed: Condvar,
}

struct Permit(Arc<Slots>);

impl Drop for Permit {
    fn drop(&mut self) {
        let mut used = lock(&self.0.used);
        *used = used.saturating_sub(1);
        self.0.freed.notify_one();
    }
}

impl Slots {
    fn acquire(self: &Arc<Self>, wait: Duration) -> Option<Permit> {
        let mut used = lock(&self.used);
        let deadline = std::time::Instant::now() + wait;
        while *used >= MAX_RENDERS {
            let left = deadline.checked_duration_since(std::time::Instant::now())?;
            used = self
                .freed
                .wait_timeout(used, left)
                .map(|(g, _)| g)
                .unwrap_or_else(|e| e.into_inner().0);
        }
        *used += 1;
        Some(Permit(self.clone()))
    }
}

/// Rendered pages, least recently used out first, within `CACHE_BYTES`.
#[derive(Default)]
struct Lru {
    map: HashMap<Key, (Arc<PageImage>, u64)>,
    tick: u64,
    bytes: usize,
}

impl Lru {
    fn get(&mut self, k: &Key) -> Option<Arc<PageImage>> {
        self.tick += 1;
        let t = self.tick;
        self.map.get_mut(k).map(|(img, used)| {
            *used = t;
            img.clone()
        })
    }

    fn put(&mut self, k: Key, img: Arc<PageImage>) {
        if img.png.len() > CACHE_BYTES / 4 {
            return;
        }
        self.tick += 1;
        self.bytes += img.png.len();
        if let Some((old, _)) = self.map.insert(k, (img, self.tick)) {
            self.bytes -= old.png.len();
        }
        while self.bytes > CACHE_BYTES {
            let Some(oldest) = self
                .map
                .iter()
                .min_by_key(|(_, (_, t))| *t)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            if let Some((gone, _)) = self.map.remove(&oldest) {
                self.bytes -= gone.png.len();
            }
        }
    }
}

//! Route handlers: each turns a request into calls on the catalog and search
//! and a `render` call. No file or archive parsing here.

pub mod api;
pub mod assets;
pub mod content;
pub mod media;
pub mod pages;
pub mod viewer;

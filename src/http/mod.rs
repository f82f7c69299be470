//! Everything that speaks HTTP: the server loop, guards, responses, and the
//! route table with its handlers.

pub mod app;
pub mod contain;
pub mod guard;
pub mod handlers;
pub mod range;
pub mod request;
pub mod response;
pub mod sendfile;
pub mod server;
pub mod wire;

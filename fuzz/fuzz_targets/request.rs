//! Any request line through the request parser, the Range parser, the route
//! table (on the sample bundle) and the response finisher; any bytes as
//! archive HTML through the rewriter.
#![no_main]

use driveshelf::archive::ClusterCache;
use driveshelf::bundle::Catalog;
use driveshelf::http::app::App;
use driveshelf::http::range;
use driveshelf::http::request::{decode_path, Method, Req};
use driveshelf::http::response;
use driveshelf::http::server::Handler;
use driveshelf::render::rewrite::{self, Inject};
use libfuzzer_sys::fuzz_target;
use std::io::Read;
use std::path::Path;
use std::sync::{Arc, OnceLock};

fn app() -> &'static App {
    static APP: OnceLock<App> = OnceLock::new();
    APP.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sample-bundle");
        let catalog = Catalog::build(&dir, Arc::new(ClusterCache::new(8 << 20)));
        App::new(catalog, None)
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // First line: the URL; second: a Range header; the rest: HTML.
    let mut parts = text.splitn(3, '\n');
    let url = parts.next().unwrap_or("");
    let range_header = parts.next();
    let html = parts.next().unwrap_or("");
    let _ = decode_path(url);
    let _ = range::parse(range_header, 1000);
    let _ = range::parse(range_header, 0);
    if !url.starts_with('/') {
        let _ = rewrite::rewrite(
            html,
            &Inject {
                head: "<link>",
                body: "<nav>",
            },
        );
        let _ = rewrite::decode_entities(url);
        let _ = rewrite::is_external(url);
        return;
    }
    let mut req = Req::new(Method::Get, url);
    req.range = range_header.map(str::to_string);
    let reply = app().handle(&req);
    let mut out = response::finish(reply, req.range.as_deref());
    // Bodies are read a little, as a client that stops early would.
    let mut buf = [0u8; 4096];
    let _ = out.reader.read(&mut buf);
});

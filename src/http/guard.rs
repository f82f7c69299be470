//! Checks made before any route runs.

/// Only requests addressed to this server by a loopback name pass. A page of
/// another site whose name was made to resolve to 127.0.0.1 (DNS rebinding)
/// sends its own name in `Host` and is refused.
pub fn host_ok(host: Option<&str>, port: u16) -> bool {
    let Some(h) = host else {
        return false;
    };
    let h = h.trim().to_ascii_lowercase();
    let (name, p) = match h.rsplit_once(':') {
        Some((n, p)) if !n.is_empty() && !p.contains(']') => (n, Some(p)),
        _ => (h.as_str(), None),
    };
    let port_ok = match p {
        Some(p) => p.parse::<u16>().ok() == Some(port),
        None => port == 80,
    };
    port_ok && matches!(name, "127.0.0.1" | "localhost" | "[::1]")
}

/// A request made by a page of another origin (another site, a file on
/// disk, a sandboxed frame) is refused whatever it asks: our pages send our
/// own origin or none.
pub fn origin_ok(origin: Option<&str>, port: u16) -> bool {
    match origin {
        None => true,
        Some(o) => o
            .trim()
            .strip_prefix("http://")
            .is_some_and(|host| host_ok(Some(host), port)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert!(host_ok(Some("127.0.0.1:8480"), 8480));
        assert!(host_ok(Some("LOCALHOST:8480"), 8480));
        assert!(host_ok(Some("[::1]:8480"), 8480));
        assert!(!host_ok(Some("127.0.0.1:8481"), 8480));
        assert!(!host_ok(Some("evil.example:8480"), 8480));
        assert!(!host_ok(Some("localhost.evil.example:8480"), 8480));
        assert!(!host_ok(Some("127.0.0.1"), 8480));
        assert!(!host_ok(Some("[::1]"), 8480));
        assert!(!host_ok(None, 8480));
        assert!(host_ok(Some("localhost"), 80));
    }

    #[test]
    fn origins() {
        assert!(origin_ok(None, 8480));
        assert!(origin_ok(Some("http://127.0.0.1:8480"), 8480));
        assert!(origin_ok(Some("http://localhost:8480"), 8480));
        assert!(!origin_ok(Some("null"), 8480));
        assert!(!origin_ok(Some("https://127.0.0.1:8480"), 8480));
        assert!(!origin_ok(Some("http://evil.example"), 8480));
        assert!(!origin_ok(Some("http://127.0.0.1:8481"), 8480));
    }
}

//! The `Range` request header, single ranges only.

#[derive(Debug, PartialEq, Eq)]
pub enum RangeReq {
    /// No usable Range header: send everything.
    Full,
    /// Bytes `start..=end`.
    Part { start: u64, end: u64 },
    /// A range that cannot be satisfied: 416.
    Unsatisfiable,
}

/// Interprets `header` for a body of `len` bytes. Several ranges, or a
/// header we do not understand, fall back to the full body, as RFC 9110
/// allows.
pub fn parse(header: Option<&str>, len: u64) -> RangeReq {
    let Some(h) = header else {
        return RangeReq::Full;
    };
    let Some(spec) = h.trim().strip_prefix("bytes=") else {
        return RangeReq::Full;
    };
    if spec.contains(',') {
        return RangeReq::Full;
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return RangeReq::Full;
    };
    let (a, b) = (a.trim(), b.trim());
    if a.is_empty() {
        // Suffix: the last N bytes.
        let Ok(n) = b.parse::<u64>() else {
            return RangeReq::Full;
        };
        if n == 0 || len == 0 {
            return RangeReq::Unsatisfiable;
        }
        let n = n.min(len);
        return RangeReq::Part {
            start: len - n,
            end: len - 1,
        };
    }
    let Ok(start) = a.parse::<u64>() else {
        return RangeReq::Full;
    };
    let end = if b.is_empty() {
        u64::MAX
    } else {
        match b.parse::<u64>() {
            Ok(e) if e >= start => e,
            _ => return RangeReq::Full,
        }
    };
    if start >= len {
        return RangeReq::Unsatisfiable;
    }
    RangeReq::Part {
        start,
        end: end.min(len - 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse(None, 10), RangeReq::Full);
        assert_eq!(
            parse(Some("bytes=0-4"), 10),
            RangeReq::Part { start: 0, end: 4 }
        );
        assert_eq!(
            parse(Some("bytes=5-"), 10),
            RangeReq::Part { start: 5, end: 9 }
        );
        assert_eq!(
            parse(Some("bytes=-3"), 10),
            RangeReq::Part { start: 7, end: 9 }
        );
        assert_eq!(
            parse(Some("bytes=-30"), 10),
            RangeReq::Part { start: 0, end: 9 }
        );
        assert_eq!(
            parse(Some("bytes=8-100"), 10),
            RangeReq::Part { start: 8, end: 9 }
        );
        assert_eq!(parse(Some("bytes=10-"), 10), RangeReq::Unsatisfiable);
        assert_eq!(parse(Some("bytes=-0"), 10), RangeReq::Unsatisfiable);
        assert_eq!(parse(Some("bytes=0-0"), 0), RangeReq::Unsatisfiable);
        assert_eq!(parse(Some("bytes=0-1,3-4"), 10), RangeReq::Full);
        assert_eq!(parse(Some("bytes=5-2"), 10), RangeReq::Full);
        assert_eq!(parse(Some("items=0-1"), 10), RangeReq::Full);
        assert_eq!(
            parse(Some("bytes=99999999999999999999-"), 10),
            RangeReq::Full
        );
    }
}

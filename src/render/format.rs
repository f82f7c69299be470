//! Dates, durations and sizes as each language writes them.

use crate::lang::Lang;

/// 245.3 s → "4분 5초" / "4 min 5 s"; an hour or more drops the seconds.
pub fn duration(lang: Lang, secs: f64) -> String {
    if !secs.is_finite() || secs < 0.0 {
        return String::new();
    }
    let total = secs.round() as u64;
    let (h, m, s) = (total / 3600, (total % 3600) / 60, total % 60);
    match lang {
        Lang::Ko => match (h, m) {
            (0, 0) => format!("{s}초"),
            (0, _) => format!("{m}분 {s}초"),
            _ => format!("{h}시간 {m}분"),
        },
        Lang::En => match (h, m) {
            (0, 0) => format!("{s} s"),
            (0, _) => format!("{m} min {s} s"),
            _ => format!("{h} h {m} min"),
        },
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `2024-02-08` → "2024년 2월 8일" / "8 February 2024"; `1987` → "1987년" / "1987".
/// Anything else is shown as written.
pub fn date(lang: Lang, d: &str) -> String {
    let parts: Vec<&str> = d.trim().split('-').collect();
    let num = |s: &str| s.parse::<u32>().ok();
    match (lang, parts.as_slice()) {
        (Lang::Ko, [y, m, day]) if num(y).is_some() && num(m).is_some() && num(day).is_some() => {
            format!(
                "{y}년 {}월 {}일",
                num(m).unwrap_or(0),
                num(day).unwrap_or(0)
            )
        }
        (Lang::Ko, [y, m]) if num(y).is_some() && num(m).is_some() => {
            format!("{y}년 {}월", num(m).unwrap_or(0))
        }
        (Lang::Ko, [y]) if num(y).is_some() => format!("{y}년"),
        (Lang::En, [y, m, day]) => match (
            num(m).and_then(|m| MONTHS.get(m.wrapping_sub(1) as usize)),
            num(day),
        ) {
            (Some(mn), Some(dd)) => format!("{dd} {mn} {y}"),
            _ => d.to_string(),
        },
        (Lang::En, [y, m]) => match num(m).and_then(|m| MONTHS.get(m.wrapping_sub(1) as usize)) {
            Some(mn) => format!("{mn} {y}"),
            None => d.to_string(),
        },
        _ => d.to_string(),
    }
}

/// 1536 → "1.5 KB"; decimal units, as file managers show them.
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1000.0 && u + 1 < UNITS.len() {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} B")
    } else if v < 10.0 {
        format!("{v:.1} {}", UNITS[u])
    } else {
        format!("{v:.0} {}", UNITS[u])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration(Lang::Ko, 4.02), "4초");
        assert_eq!(duration(Lang::Ko, 245.3), "4분 5초");
        assert_eq!(duration(Lang::En, 3725.0), "1 h 2 min");
        assert_eq!(duration(Lang::En, f64::NAN), "");
    }

    #[test]
    fn dates() {
        assert_eq!(date(Lang::Ko, "2024-02-08"), "2024년 2월 8일");
        assert_eq!(date(Lang::En, "2024-02-08"), "8 February 2024");
        assert_eq!(date(Lang::Ko, "1987"), "1987년");
        assert_eq!(date(Lang::En, "1987"), "1987");
        assert_eq!(date(Lang::En, "2024-13-01"), "2024-13-01");
        assert_eq!(date(Lang::Ko, "어제"), "어제");
    }

    #[test]
    fn sizes() {
        assert_eq!(size(999), "999 B");
        assert_eq!(size(1536), "1.5 KB");
        assert_eq!(size(186_197), "186 KB");
        assert_eq!(size(4_500_000_000), "4.5 GB");
    }
}

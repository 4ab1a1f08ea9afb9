//! Wall-clock helpers without a date crate: lab only ever needs "now" and a
//! UTC calendar date for humans.

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Nanoseconds since the Unix epoch (a daemon's event times, a VM's clock).
pub fn now_nanos() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0)
}

/// `YYYY-MM-DD HH:MM UTC` for a Unix time (Howard Hinnant's civil_from_days).
pub fn date(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60
    )
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Nanoseconds since the Unix epoch of an RFC 3339 time as Go writes it
/// (`2026-12-02T12:14:32.123456789Z`, `…+08:00`): `docker info`'s
/// SystemTime. `None` for anything else.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let num = |a: usize, b: usize| -> Option<i64> {
        let part = s.get(a..b)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (y, mo, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (h, mi, sec) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    if s.get(4..5)? != "-" || s.get(7..8)? != "-" || !matches!(s.get(10..11)?, "T" | "t" | " ") {
        return None;
    }
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut rest = s.get(19..)?;
    let mut nanos = 0i64;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 9 {
            return None;
        }
        nanos = frac[..digits].parse::<i64>().ok()? * 10i64.pow(9 - digits as u32);
        rest = &frac[digits..];
    }
    let zone = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.get(0..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.get(3..4)? != ":" {
                return None;
            }
            let zh: i64 = rest.get(1..3)?.parse().ok()?;
            let zm: i64 = rest.get(4..6)?.parse().ok()?;
            sign * (zh * 3600 + zm * 60)
        }
    };
    let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec - zone;
    secs.checked_mul(1_000_000_000)?.checked_add(nanos)
}

/// A deadline as a teacher writes it: RFC 3339 with a zone, seconds
/// optional (`2026-12-01T18:00+08:00`, `2026-12-01 10:00Z`), in Unix
/// nanoseconds. A time without a zone is refused: it would mean another
/// moment on every machine.
pub fn parse_deadline(s: &str) -> Option<i64> {
    let s = s.trim();
    match (s.get(..16), s.get(16..)) {
        (Some(minute), Some(zone)) if zone.starts_with(['Z', 'z', '+', '-']) => {
            parse_rfc3339(&format!("{minute}:00{zone}"))
        }
        _ => parse_rfc3339(s),
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` for a Unix time (the gradebook's `late:` flag).
pub fn rfc3339(secs: i64) -> String {
    let day = date(secs);
    let (ymd, _) = day.split_at(10);
    let rem = secs.rem_euclid(86_400);
    format!(
        "{ymd}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn deadlines_need_a_zone_and_may_leave_out_seconds() {
        use super::parse_deadline as p;
        let ten_utc = super::parse_rfc3339("2026-12-01T10:00:00Z");
        assert!(ten_utc.is_some());
        assert_eq!(p("2026-12-01T18:00+08:00"), ten_utc);
        assert_eq!(p("2026-12-01 10:00Z"), ten_utc);
        assert_eq!(p(" 2026-12-01T10:00:00Z "), ten_utc);
        assert_eq!(p("2026-12-01T05:00-05:00"), ten_utc);
        assert_eq!(p("2026-12-01T18:00"), None, "no zone");
        assert_eq!(p("2026-12-01"), None);
        assert_eq!(p("tomorrow"), None);
        assert_eq!(p("2026-12-01T18:00+0800"), None);
        assert_eq!(p("２０２６-12-01T18:00Z"), None, "no panic on wide digits");
        assert_eq!(p("2026-12-01T1８:00Z"), None, "nor mid-character");
        assert_eq!(
            super::rfc3339(ten_utc.unwrap() / 1_000_000_000 + 61),
            "2026-12-01T10:01:01Z"
        );
    }

    #[test]
    fn docker_info_times_are_read_in_any_zone() {
        use super::parse_rfc3339 as p;
        assert_eq!(p("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            p("2026-11-22T05:52:48Z"),
            Some(1_795_326_768 * 1_000_000_000)
        );
        assert_eq!(
            p("2026-11-22T13:52:48.5+08:00"),
            Some(1_795_326_768 * 1_000_000_000 + 500_000_000)
        );
        assert_eq!(
            p("2000-02-29T00:00:00.000000001-01:30"),
            Some((951_782_400 + 5400) * 1_000_000_000 + 1)
        );
        for bad in [
            "",
            "2026-11-22",
            "2026-13-01T00:00:00Z",
            "2026-11-22T05:52:48",
            "2026-11-22T05:52:48.Z",
            "２０２６-11-22T05:52:48Z",
        ] {
            assert_eq!(p(bad), None, "{bad}");
        }
    }

    #[test]
    fn dates_are_civil_utc() {
        assert_eq!(super::date(0), "1970-01-01 00:00 UTC");
        assert_eq!(super::date(1_795_326_768), "2026-11-22 05:52 UTC");
        assert_eq!(super::date(951_782_400), "2000-02-29 00:00 UTC");
    }
}

//! Timestamps as the tracker writes them, normalised to one sortable UTC form.
//!
//! Files hold `'2025-01-02T03:04:05.123456+00:00'`, older ones omit the zone (read as UTC),
//! and unquoted YAML timestamps use a space instead of `T`. We keep the text as written and
//! derive a key that sorts correctly across all of them.

/// Returns `YYYY-MM-DDTHH:MM:SS.ffffffZ` in UTC, or `None` when `text` is not a timestamp.
#[must_use]
pub fn sort_key(text: &str) -> Option<String> {
    let t = text.trim();
    let b = t.as_bytes();
    let year = digits(b, 0, 4)?;
    expect(b, 4, b'-')?;
    let month = digits(b, 5, 2)?;
    expect(b, 7, b'-')?;
    let day = digits(b, 8, 2)?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let mut pos = 10;
    let (mut hour, mut minute, mut second, mut micros) = (0, 0, 0, 0);
    let mut offset_minutes: i64 = 0;
    if pos < b.len() {
        if b[pos] != b'T' && b[pos] != b't' && b[pos] != b' ' {
            return None;
        }
        pos += 1;
        while pos < b.len() && b[pos] == b' ' {
            pos += 1;
        }
        hour = digits(b, pos, 2)?;
        expect(b, pos + 2, b':')?;
        minute = digits(b, pos + 3, 2)?;
        pos += 5;
        if b.get(pos) == Some(&b':') {
            second = digits(b, pos + 1, 2)?;
            pos += 3;
        }
        if b.get(pos) == Some(&b'.') {
            pos += 1;
            let start = pos;
            while pos < b.len() && b[pos].is_ascii_digit() {
                pos += 1;
            }
            let frac = &b[start..pos];
            if frac.is_empty() {
                return None;
            }
            // The first six digits, padded with zeros on the right.
            let kept = &frac[..frac.len().min(6)];
            micros = kept
                .iter()
                .fold(0, |n, digit| n * 10 + i64::from(digit - b'0'))
                * 10_i64.pow(6 - kept.len() as u32);
        }
        while pos < b.len() && b[pos] == b' ' {
            pos += 1;
        }
        if pos < b.len() {
            offset_minutes = zone_offset(&t[pos..])?;
        }
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let total = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    let (d, secs) = (total.div_euclid(86_400), total.rem_euclid(86_400));
    let (y, m, dd) = civil_from_days(d);
    if !(0..=9999).contains(&y) {
        return Some(format!(
            "{y:04}-{m:02}-{dd:02}T{:02}:{:02}:{:02}.{micros:06}Z",
            secs / 3600,
            secs % 3600 / 60,
            secs % 60
        ));
    }
    // Written digit by digit: `format!` was most of a sync's time in this function, which
    // runs twice or more per issue file.
    let mut key = [0_u8; 27];
    let mut at = 0;
    let mut put = |value: i64, width: u32, after: u8| {
        for place in (0..width).rev() {
            key[at] = b'0' + (value / 10_i64.pow(place) % 10) as u8;
            at += 1;
        }
        key[at] = after;
        at += 1;
    };
    put(y, 4, b'-');
    put(m, 2, b'-');
    put(dd, 2, b'T');
    put(secs / 3600, 2, b':');
    put(secs % 3600 / 60, 2, b':');
    put(secs % 60, 2, b'.');
    put(micros, 6, b'Z');
    Some(String::from_utf8_lossy(&key).into_owned())
}

/// Returns the current time as a [`sort_key`], for comparisons such as "due before now".
///
/// Test-only: `ROADMAP_TEST_NOW` (any timestamp [`sort_key`] reads) stands for the clock, so
/// that captures of the tracker made on one day (`--overdue`) replay on any other.
#[must_use]
pub fn now_key() -> String {
    if let Some(fixed) = std::env::var("ROADMAP_TEST_NOW")
        .ok()
        .and_then(|text| sort_key(&text))
    {
        return fixed;
    }
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let total = i64::try_from(since.as_secs()).unwrap_or(i64::MAX);
    let (days, secs) = (total.div_euclid(86_400), total.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:06}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60,
        since.subsec_micros()
    )
}

fn zone_offset(zone: &str) -> Option<i64> {
    if zone == "Z" || zone == "z" {
        return Some(0);
    }
    let sign = match zone.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    // The zone without its colons, wherever they are; at most four characters are read.
    let mut kept = [0_u8; 4];
    let mut len = 0;
    for &byte in zone.as_bytes()[1..].iter().filter(|&&byte| byte != b':') {
        *kept.get_mut(len)? = byte;
        len += 1;
    }
    let b = &kept[..len];
    let (h, m) = match b.len() {
        1 | 2 => (std::str::from_utf8(b).ok()?.parse::<i64>().ok()?, 0),
        4 => (digits(b, 0, 2)?, digits(b, 2, 2)?),
        _ => return None,
    };
    Some(sign * (h * 60 + m))
}

fn digits(b: &[u8], start: usize, len: usize) -> Option<i64> {
    let slice = b.get(start..start + len)?;
    if !slice.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        slice
            .iter()
            .fold(0, |acc, d| acc * 10 + i64::from(d - b'0')),
    )
}

fn expect(b: &[u8], pos: usize, want: u8) -> Option<()> {
    (b.get(pos) == Some(&want)).then_some(())
}

// Howard Hinnant's civil calendar algorithms: exact for the proleptic Gregorian calendar.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

#[cfg(test)]
mod tests {
    use super::sort_key;

    #[test]
    fn every_spelling_in_the_wild_sorts_as_utc() {
        let want = "2025-01-02T03:04:05.123456Z";
        assert_eq!(
            sort_key("2025-01-02T03:04:05.123456+00:00").as_deref(),
            Some(want)
        );
        assert_eq!(
            sort_key("2025-01-02T03:04:05.123456").as_deref(),
            Some(want)
        );
        assert_eq!(
            sort_key("2025-01-02 03:04:05.123456").as_deref(),
            Some(want)
        );
        assert_eq!(
            sort_key("2025-01-02T05:04:05.123456+02:00").as_deref(),
            Some(want)
        );
        assert_eq!(
            sort_key("2025-01-01T22:04:05.123456-05:00").as_deref(),
            Some(want)
        );
        assert_eq!(
            sort_key("2025-01-02T03:04:05.123456Z").as_deref(),
            Some(want)
        );
    }

    #[test]
    fn dates_and_short_forms() {
        assert_eq!(
            sort_key("2025-03-01").as_deref(),
            Some("2025-03-01T00:00:00.000000Z")
        );
        assert_eq!(
            sort_key("2024-02-29T23:59").as_deref(),
            Some("2024-02-29T23:59:00.000000Z")
        );
        assert_eq!(
            sort_key("2025-01-02T03:04:05.5").as_deref(),
            Some("2025-01-02T03:04:05.500000Z")
        );
    }

    #[test]
    fn edges_of_the_written_key() {
        for (text, want) in [
            (
                "0000-01-01T00:30+01:00",
                Some("-001-12-31T23:30:00.000000Z"),
            ),
            (
                "9999-12-31T23:30-01:00",
                Some("10000-01-01T00:30:00.000000Z"),
            ),
            (
                "0001-01-01T00:00:00.1234567",
                Some("0001-01-01T00:00:00.123456Z"),
            ),
            (
                "2025-01-02T03:04:05.000001+5",
                Some("2025-01-01T22:04:05.000001Z"),
            ),
            (
                "2025-01-02T03:04:05+0:5:30",
                Some("2025-01-01T21:34:05.000000Z"),
            ),
            ("2025-01-02T03:04:05 z", Some("2025-01-02T03:04:05.000000Z")),
            ("2025-01-02T03:04:05+05300", None),
            ("2025-01-02T03:04:05+é", None),
        ] {
            assert_eq!(sort_key(text).as_deref(), want, "{text}");
        }
    }

    #[test]
    fn garbage_is_not_a_timestamp() {
        for text in [
            "",
            "yesterday",
            "2025-13-01",
            "2025-01-02X",
            "2025-01-02T3:04",
            "2025-01-02T03:04:05+0x",
        ] {
            assert_eq!(sort_key(text), None, "{text}");
        }
    }
}

//! Timestamps as roadmap-cli 0.3.1 rewrites them: every timestamp it saves went through
//! Python's `datetime.fromisoformat` (`Z` read as `+00:00`, a naive time taken as UTC) and back
//! out through `isoformat()`, so `2026-01-10` is saved as `2026-01-10T00:00:00+00:00` and the
//! microseconds appear only when they are not zero.

/// The text 0.3.1 saves for the timestamp `text`; `None` when Python could not read it (then
/// 0.3.1 refuses the whole document, and so do we).
#[must_use]
pub fn normalize(text: &str) -> Option<String> {
    let text = text.trim().replace('Z', "+00:00");
    let (date, rest) = match text.char_indices().nth(10) {
        None => (text.as_str(), ""),
        Some((at, 'T' | ' ')) => (&text[..at], &text[at + 1..]),
        Some(_) => return None,
    };
    let date_ok = date.len() == 10
        && date.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !date_ok || !valid_date(date) {
        return None;
    }
    if rest.is_empty() && text.len() == 10 {
        return Some(format!("{date}T00:00:00+00:00"));
    }
    let zone_at = rest.find(['+', '-']).unwrap_or(rest.len());
    let (clock, zone) = rest.split_at(zone_at);
    let mut fields = clock.splitn(3, ':');
    let hour = two_digits(fields.next()?, 23)?;
    let minute = two_digits(fields.next()?, 59)?;
    let (second, micros) = match fields.next() {
        None => (0, 0),
        Some(seconds) => {
            let (whole, fraction) = seconds.split_once(['.', ',']).unwrap_or((seconds, ""));
            let second = two_digits(whole, 59)?;
            if !fraction.bytes().all(|b| b.is_ascii_digit())
                || seconds.contains(['.', ',']) && fraction.is_empty()
            {
                return None;
            }
            let digits: String = fraction.chars().chain("000000".chars()).take(6).collect();
            (second, digits.parse::<u32>().ok()?)
        }
    };
    let offset = if zone.is_empty() {
        "+00:00".to_owned()
    } else {
        offset(zone)?
    };
    let fraction = if micros == 0 {
        String::new()
    } else {
        format!(".{micros:06}")
    };
    Some(format!(
        "{date}T{hour:02}:{minute:02}:{second:02}{fraction}{offset}"
    ))
}

fn two_digits(text: &str, max: u32) -> Option<u32> {
    if text.len() != 2 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().filter(|value| *value <= max)
}

fn valid_date(date: &str) -> bool {
    let (Ok(year), Ok(month), Ok(day)) = (
        date[..4].parse::<i64>(),
        date[5..7].parse::<i64>(),
        date[8..].parse::<i64>(),
    ) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    year >= 1 && (1..=days).contains(&day)
}

/// `+HH:MM`, `+HHMM` or `+HH` as Python's `isoformat` prints the offset.
fn offset(zone: &str) -> Option<String> {
    let (sign, rest) = zone.split_at(1);
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !matches!(digits.len(), 2 | 4) {
        return None;
    }
    let hours = two_digits(&digits[..2], 23)?;
    let minutes = if digits.len() == 4 {
        two_digits(&digits[2..], 59)?
    } else {
        0
    };
    // Python prints a zero offset as +00:00 whichever sign it was given.
    let sign = if hours == 0 && minutes == 0 {
        "+"
    } else {
        sign
    };
    Some(format!("{sign}{hours:02}:{minutes:02}"))
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn timestamps_are_saved_as_python_prints_them() {
        for (given, saved) in [
            (
                "2026-12-06T22:38:48.533963+00:00",
                "2026-12-06T22:38:48.533963+00:00",
            ),
            ("2027-01-10", "2027-01-10T00:00:00+00:00"),
            ("2027-02-03T14:30:00+00:00", "2027-02-03T14:30:00+00:00"),
            ("2026-01-01T10:00:00Z", "2026-01-01T10:00:00+00:00"),
            ("2026-01-01 10:00", "2026-01-01T10:00:00+00:00"),
            ("2026-01-01T10:00:00.5", "2026-01-01T10:00:00.500000+00:00"),
            (
                "2026-01-01T10:00:00.000000+00:00",
                "2026-01-01T10:00:00+00:00",
            ),
            ("2026-01-01T10:00:00+0200", "2026-01-01T10:00:00+02:00"),
            ("2026-01-01T10:00:00-00:00", "2026-01-01T10:00:00+00:00"),
        ] {
            assert_eq!(normalize(given).as_deref(), Some(saved), "{given}");
        }
        for bad in [
            "",
            "yesterday",
            "2026-13-01",
            "2026-02-30",
            "2026-01-01T25:00",
            "2026/01/01",
        ] {
            assert_eq!(normalize(bad), None, "{bad}");
        }
    }
}

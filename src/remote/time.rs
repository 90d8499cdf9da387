//! GitHub's `Date` header (`Tue, 01 Dec 2026 20:02:08 GMT`) as the ISO 8601 form `since=` takes.

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Converts an HTTP date (RFC 9110 IMF-fixdate) to `YYYY-MM-DDTHH:MM:SSZ`.
#[must_use]
pub fn http_date_to_iso(date: &str) -> Option<String> {
    let parts: Vec<&str> = date.split_whitespace().collect();
    let [_, day, month, year, time, "GMT"] = parts.as_slice() else {
        return None;
    };
    let month = MONTHS.iter().position(|m| m == month)? + 1;
    let day: u32 = day.parse().ok()?;
    let year: u32 = year.parse().ok()?;
    let hms: Vec<u32> = time
        .split(':')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    let [h, m, s] = hms.as_slice() else {
        return None;
    };
    Some(format!(
        "{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}Z"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_http_date_reads_as_iso() {
        assert_eq!(
            http_date_to_iso("Tue, 01 Dec 2026 20:02:08 GMT").as_deref(),
            Some("2026-12-01T20:02:08Z")
        );
        assert_eq!(http_date_to_iso("yesterday"), None);
    }
}

//! How Python prints the values 0.3.1's read commands show: `str(float)` (also `json.dumps`'s
//! float), `datetime.isoformat()` of a timestamp read from a file, and `json.dumps(indent=2,
//! ensure_ascii=False)` of ordered objects (`inspect_json`, `status --format json`).
//!
//! Each function answers `None` for a value whose Python spelling we do not reproduce, so the
//! command goes to the tracker instead.

/// A YAML number as Python holds it: `4` stays an `int`, `4.0` a `float`; they print apart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PyNumber {
    Int(i64),
    Float(f64),
}

impl PyNumber {
    /// The number as a float, for sums and ratios.
    #[must_use]
    pub fn as_f64(self) -> f64 {
        match self {
            // Estimates and percentages are small; the cast is exact for them.
            #[allow(clippy::cast_precision_loss)]
            PyNumber::Int(i) => i as f64,
            PyNumber::Float(f) => f,
        }
    }

    /// `str(value)`; `None` for a float Python spells in a way we do not (nan, inf).
    #[must_use]
    pub fn repr(self) -> Option<String> {
        match self {
            PyNumber::Int(i) => Some(i.to_string()),
            PyNumber::Float(f) => float_repr(f),
        }
    }
}

/// Python's `repr(float)`: the shortest digits that read back, positional for exponents -4 to
/// 15 (with `.0` when whole), else `1e+16` / `1.5e-05`.
#[must_use]
pub fn float_repr(value: f64) -> Option<String> {
    if !value.is_finite() {
        return None;
    }
    if value == 0.0 {
        return Some(
            if value.is_sign_negative() {
                "-0.0"
            } else {
                "0.0"
            }
            .to_owned(),
        );
    }
    // Rust's `{:e}` gives the shortest round-tripping digits, as Python's repr does.
    let scientific = format!("{value:e}");
    let (mantissa, exponent) = scientific.split_once('e')?;
    let exponent: i32 = exponent.parse().ok()?;
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if negative { "-" } else { "" };
    if (-4..16).contains(&exponent) {
        let text = if exponent < 0 {
            let zeros = "0".repeat(usize::try_from(-exponent - 1).ok()?);
            format!("0.{zeros}{digits}")
        } else {
            let point = usize::try_from(exponent).ok()? + 1;
            if digits.len() > point {
                format!("{}.{}", &digits[..point], &digits[point..])
            } else {
                format!("{digits}{}.0", "0".repeat(point - digits.len()))
            }
        };
        return Some(format!("{sign}{text}"));
    }
    let (first, rest) = digits.split_at(1);
    let fraction = if rest.is_empty() {
        String::new()
    } else {
        format!(".{rest}")
    };
    let exponent_sign = if exponent < 0 { '-' } else { '+' };
    Some(format!(
        "{sign}{first}{fraction}e{exponent_sign}{:02}",
        exponent.abs()
    ))
}

/// `datetime.fromisoformat(text).isoformat()` (no offset read as UTC), for the timestamps
/// 0.3.1 writes: `YYYY-MM-DDTHH:MM:SS`, optionally `.ffffff` (six digits), optionally `Z` or
/// `±HH:MM`. Anything else is `None`.
#[must_use]
pub fn isoformat(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let digit_at = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let shape = "dddd-dd-ddTdd:dd:dd";
    if b.len() < shape.len()
        || !shape.bytes().enumerate().all(|(i, s)| match s {
            b'd' => digit_at(i),
            other => b[i] == other,
        })
    {
        return None;
    }
    let mut rest = &text[19..];
    let mut fraction = "";
    if let Some(after) = rest.strip_prefix('.') {
        let digits = after.get(..6)?;
        if !digits.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        // `isoformat` leaves the fraction out when the microseconds are zero.
        if digits != "000000" {
            fraction = &rest[..7];
        }
        rest = &after[6..];
    }
    let offset = match rest {
        "" | "Z" | "+00:00" | "-00:00" => "+00:00",
        _ => {
            let o = rest.as_bytes();
            let ok = o.len() == 6
                && (o[0] == b'+' || o[0] == b'-')
                && o[3] == b':'
                && [1, 2, 4, 5].iter().all(|i| o[*i].is_ascii_digit())
                && &rest[1..3] < "24"
                && &rest[4..6] < "60";
            if !ok {
                return None;
            }
            rest
        }
    };
    Some(format!("{}{fraction}{offset}", &text[..19]))
}

/// An ordered JSON value as `json.dumps` prints it.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(PyNumber),
    Str(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// A string, or `null` for `None`.
    pub fn text(value: Option<&str>) -> Json {
        value.map_or(Json::Null, |v| Json::Str(v.to_owned()))
    }

    /// An object from `(key, value)` pairs, in that order.
    pub fn object<const N: usize>(pairs: [(&str, Json); N]) -> Json {
        Json::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    }

    /// The value with every object's keys sorted, as `json.dumps(sort_keys=True)` orders them
    /// (by code point, which is UTF-8 byte order).
    #[must_use]
    pub fn sorted(self) -> Json {
        match self {
            Json::Array(items) => Json::Array(items.into_iter().map(Json::sorted).collect()),
            Json::Object(pairs) => {
                let mut pairs: Vec<(String, Json)> =
                    pairs.into_iter().map(|(k, v)| (k, v.sorted())).collect();
                pairs.sort_by(|a, b| a.0.cmp(&b.0));
                Json::Object(pairs)
            }
            other => other,
        }
    }

    /// `json.dumps(self, indent=2, ensure_ascii=False)`; `None` when a float has no Python
    /// spelling we reproduce.
    #[must_use]
    pub fn dumps(&self) -> Option<String> {
        let mut out = String::new();
        self.write(&mut out, 0)?;
        Some(out)
    }

    fn write(&self, out: &mut String, depth: usize) -> Option<()> {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Number(n) => out.push_str(&n.repr()?),
            Json::Str(s) => write_string(out, s),
            Json::Array(items) if items.is_empty() => out.push_str("[]"),
            Json::Object(pairs) if pairs.is_empty() => out.push_str("{}"),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    out.push_str(if i == 0 { "\n" } else { ",\n" });
                    out.push_str(&"  ".repeat(depth + 1));
                    item.write(out, depth + 1)?;
                }
                out.push('\n');
                out.push_str(&"  ".repeat(depth));
                out.push(']');
            }
            Json::Object(pairs) => {
                out.push('{');
                for (i, (key, value)) in pairs.iter().enumerate() {
                    out.push_str(if i == 0 { "\n" } else { ",\n" });
                    out.push_str(&"  ".repeat(depth + 1));
                    write_string(out, key);
                    out.push_str(": ");
                    value.write(out, depth + 1)?;
                }
                out.push('\n');
                out.push_str(&"  ".repeat(depth));
                out.push('}');
            }
        }
        Some(())
    }
}

/// A string with `ensure_ascii=False`: only quotes, backslashes and C0 controls are escaped.
fn write_string(out: &mut String, text: &str) {
    crate::lines::python_text::write_json_string(out, text, false);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_python_repr_does() {
        for (value, python) in [
            (1.5, "1.5"),
            (16.0, "16.0"),
            (0.5, "0.5"),
            (39.0, "39.0"),
            (5.882_352_941_176_47, "5.88235294117647"),
            (0.0001, "0.0001"),
            (0.000_01, "1e-05"),
            (1e16, "1e+16"),
            (123_456_789_012_345.6, "123456789012345.6"),
            (-2.5, "-2.5"),
            (1.0 / 3.0, "0.3333333333333333"),
        ] {
            assert_eq!(float_repr(value).as_deref(), Some(python), "{value}");
        }
        assert_eq!(float_repr(f64::NAN), None);
    }

    #[test]
    fn timestamps_print_as_isoformat_does() {
        for (text, python) in [
            (
                "2026-12-06T22:23:47.326481+00:00",
                Some("2026-12-06T22:23:47.326481+00:00"),
            ),
            (
                "2027-01-15T00:00:00+00:00",
                Some("2027-01-15T00:00:00+00:00"),
            ),
            (
                "2027-01-15T00:00:00.000000Z",
                Some("2027-01-15T00:00:00+00:00"),
            ),
            ("2027-01-15T00:00:00", Some("2027-01-15T00:00:00+00:00")),
            (
                "2027-01-15T01:00:00+02:00",
                Some("2027-01-15T01:00:00+02:00"),
            ),
            ("2027-01-15T00:00:00.5+00:00", None),
            ("2027-01-15", None),
        ] {
            assert_eq!(isoformat(text).as_deref(), python, "{text}");
        }
    }

    #[test]
    fn json_keeps_unicode_and_order() {
        let value = Json::object([
            ("b", Json::Str("É🚀\"\n".into())),
            ("a", Json::Array(vec![Json::Number(PyNumber::Float(4.0))])),
            ("c", Json::Object(Vec::new())),
        ]);
        assert_eq!(
            value.dumps().unwrap(),
            "{\n  \"b\": \"É🚀\\\"\\n\",\n  \"a\": [\n    4.0\n  ],\n  \"c\": {}\n}"
        );
    }
}

//! Python's spellings of data that both tracker lines print: a record as the `csv` module
//! writes it, and a value as `json.dumps(indent=2)` (with `ensure_ascii`) writes it. Each writes
//! into one buffer: a 10k-row output holds no string a field or a level.

use serde_json::Value;
use std::fmt::Write as _;

/// One record as Python's `csv.writer` spells it with its defaults, without the line end: a
/// field holding a comma, a quote or a line break is quoted (quotes doubled), and a record of
/// one empty field is `""` (else it would read back as no field at all). Both tracker lines
/// print CSV this way.
#[must_use]
pub(crate) fn csv_record<S: AsRef<str>>(fields: &[S]) -> String {
    let mut record = String::new();
    push_csv_record(&mut record, fields);
    record
}

/// [`csv_record`] written at the end of `out` (a 10k-row CSV in one buffer, no string a field).
pub(crate) fn push_csv_record<S: AsRef<str>>(out: &mut String, fields: &[S]) {
    if let [only] = fields {
        if only.as_ref().is_empty() {
            out.push_str("\"\"");
            return;
        }
    }
    for (index, field) in fields.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        let field = field.as_ref();
        if field
            .bytes()
            .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
        {
            out.push('"');
            for (at, part) in field.split('"').enumerate() {
                if at > 0 {
                    out.push_str("\"\"");
                }
                out.push_str(part);
            }
            out.push('"');
        } else {
            out.push_str(field);
        }
    }
}

/// `json.dumps(value, indent=2)`: Python's separators and `ensure_ascii` escapes.
pub(crate) fn python_json(value: &Value, depth: usize) -> String {
    let mut out = String::new();
    write_python_json(&mut out, value, depth);
    out
}

/// [`python_json`] at the end of `out`: one buffer for the whole document (a 10k-issue
/// envelope built string by string, each level copying its children's, was nine tenths of a
/// served `--format json`).
pub(crate) fn write_python_json(out: &mut String, value: &Value, depth: usize) {
    let indent = |out: &mut String, d: usize| {
        for _ in 0..d {
            out.push_str("  ");
        }
    };
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_python_string(out, s),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Object(map) if map.is_empty() => out.push_str("{}"),
        Value::Array(items) => {
            out.push_str("[\n");
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push_str(",\n");
                }
                indent(out, depth + 1);
                write_python_json(out, item, depth + 1);
            }
            out.push('\n');
            indent(out, depth);
            out.push(']');
        }
        Value::Object(map) => {
            out.push_str("{\n");
            for (index, (key, item)) in map.iter().enumerate() {
                if index > 0 {
                    out.push_str(",\n");
                }
                indent(out, depth + 1);
                write_python_string(out, key);
                out.push_str(": ");
                write_python_json(out, item, depth + 1);
            }
            out.push('\n');
            indent(out, depth);
            out.push('}');
        }
    }
}

/// A JSON string as Python's `json.dumps` writes it with `ensure_ascii`.
pub(crate) fn write_python_string(out: &mut String, text: &str) {
    write_json_string(out, text, true);
}

/// A JSON string as Python's `json.dumps` writes it: quotes, backslashes and C0 controls
/// escaped, and with `ensure_ascii` every other non-ASCII character too (UTF-16 units).
pub(crate) fn write_json_string(out: &mut String, text: &str, ensure_ascii: bool) {
    // Runs of bytes written as they are go in whole (most text is such a run): only a byte
    // that must be escaped, or starts a character that must, is taken character by character.
    let as_is = |b: u8| b >= 0x20 && b != b'"' && b != b'\\' && (!ensure_ascii || b < 0x7f);
    out.reserve(text.len() + 2);
    out.push('"');
    let bytes = text.as_bytes();
    let (mut run, mut at) = (0, 0);
    while at < bytes.len() {
        if as_is(bytes[at]) {
            at += 1;
            continue;
        }
        // `at` starts a character: every byte of a multi-byte one is >= 0x80, and those are
        // either all written as they are or stop the run at the first.
        out.push_str(&text[run..at]);
        let c = text[at..].chars().next().expect("a character starts here");
        push_escaped(out, c);
        at += c.len_utf8();
        run = at;
    }
    out.push_str(&text[run..]);
    out.push('"');
}

/// One character [`write_json_string`] does not write as it is.
fn push_escaped(out: &mut String, c: char) {
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        c => {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `json.dumps`'s escaping, a character at a time (the writer before its runs).
    fn one_by_one(text: &str, ensure_ascii: bool) -> String {
        let mut out = String::from('"');
        for c in text.chars() {
            let as_is = u32::from(c) >= 0x20
                && c != '"'
                && c != '\\'
                && (!ensure_ascii || (c.is_ascii() && c != '\x7f'));
            if as_is {
                out.push(c);
            } else {
                push_escaped(&mut out, c);
            }
        }
        out.push('"');
        out
    }

    #[test]
    fn runs_are_written_as_one_character_at_a_time_would_write_them() {
        let pieces = [
            "", "a", "é", "😀", "\"", "\\", "\n", "\u{1f}", "\u{7f}", "\u{80}", "日本", "x y", "\t",
        ];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let text = format!("{a}{b}{c}");
                    for ensure_ascii in [true, false] {
                        let mut out = String::new();
                        write_json_string(&mut out, &text, ensure_ascii);
                        assert_eq!(out, one_by_one(&text, ensure_ascii), "{text:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn json_strings_escape_as_json_dumps_does_in_both_modes() {
        let text = "a\"\\\n\u{1f}\u{7f}é😀";
        let written = |ensure_ascii| {
            let mut out = String::new();
            write_json_string(&mut out, text, ensure_ascii);
            out
        };
        // json.dumps(text) and json.dumps(text, ensure_ascii=False) in Python 3.12.
        assert_eq!(written(true), r#""a\"\\\n\u001f\u007f\u00e9\ud83d\ude00""#);
        assert_eq!(written(false), "\"a\\\"\\\\\\n\\u001f\u{7f}é😀\"");
    }
}

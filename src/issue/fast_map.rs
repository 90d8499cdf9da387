//! A fast reader for front matter in the block shape PyYAML's `safe_dump` writes for the 0.2
//! contract: `key: scalar` lines, `[]` and `{}`, block lists of scalars and block lists of flat
//! maps (`history:`, `comments:`). It returns the `serde_yaml::Value` mapping serde_yaml would
//! build, resolving plain scalars by serde_yaml's own rules (null, booleans, integers, floats,
//! else text), and `None` for anything outside that shape so the caller asks serde_yaml.
//!
//! Every 0.3.1 document carries `schema_version`, `retention` and a `history` list, which the
//! typed reader in [`super::fast`] leaves to serde_yaml: on the contract line libyaml was a
//! third of a full rebuild, and the strictness check parsed each file a second time.

use serde_yaml::{Mapping, Number, Value};

/// Reads `yaml` if it is in the simple block shape; `None` means "ask serde_yaml".
pub(crate) fn read(yaml: &str) -> Option<Mapping> {
    if !in_block_shape(yaml) {
        return None;
    }
    let yaml = yaml.strip_suffix('\n').unwrap_or(yaml);
    // Room for the keys 0.3.1 writes (27 in an issue), so the map is not rehashed as it grows.
    let mut map = Mapping::with_capacity(32);
    let mut lines = yaml.split('\n').peekable();
    while let Some(line) = lines.next() {
        let (key, rest) = key_and_rest(line)?;
        let value = value_after(rest, &mut lines)?;
        if map.insert(Value::String(key.to_owned()), value).is_some() {
            // serde_yaml refuses a repeated key; let it say so.
            return None;
        }
    }
    Some(map)
}

/// The value of a top-level key: `rest`, what follows `key: ` on its line, or, when nothing
/// does, the block list on the lines after it (read from `lines`). The typed reader in
/// [`super::fast`] reads the keys it does not know with it. `None` for anything outside the
/// block shape, and for text holding `\r` or `\t`, which the caller rules out.
pub(super) fn value_after<'a>(
    rest: Option<&str>,
    lines: &mut std::iter::Peekable<impl Iterator<Item = &'a str>>,
) -> Option<Value> {
    Some(match rest {
        Some(rest) => inline_value(rest)?,
        None if lines.peek().is_some_and(|l| l.starts_with("- ")) => {
            let mut items = Vec::new();
            while let Some(item) = lines.peek().and_then(|l| l.strip_prefix("- ")) {
                lines.next();
                items.push(match key_and_rest(item) {
                    Some((first, rest)) if !item.starts_with(['\'', '"']) => {
                        Value::Mapping(flat_map(first, rest, lines)?)
                    }
                    _ => inline_value(item)?,
                });
            }
            Value::Sequence(items)
        }
        // An indented line would be a nested map or a continued scalar.
        None if lines.peek().is_some_and(|l| l.starts_with(' ')) => return None,
        None => Value::Null,
    })
}

/// The value of the top-level `key` in `yaml` as [`read`] reads it, without reading the rest;
/// `None` when the key is absent or its value outside the block shape.
pub(crate) fn value_of(yaml: &str, key: &str) -> Option<Value> {
    if !in_block_shape(yaml) {
        return None;
    }
    let mut lines = yaml.split('\n').peekable();
    while let Some(line) = lines.next() {
        if let Some((found, rest)) = key_and_rest(line) {
            if found == key {
                return value_after(rest, &mut lines);
            }
        }
    }
    None
}

/// One item of a block list of maps: `- first: value` already read, then `  key: value` lines.
fn flat_map<'a>(
    first: &str,
    rest: Option<&str>,
    lines: &mut std::iter::Peekable<impl Iterator<Item = &'a str>>,
) -> Option<Mapping> {
    let mut map = Mapping::new();
    let mut entry = (first, rest);
    loop {
        let (key, rest) = entry;
        let value = match rest {
            Some(rest) => inline_value(rest)?,
            None if lines
                .peek()
                .is_some_and(|l| l.starts_with("   ") || l.starts_with("  -")) =>
            {
                return None;
            }
            None => Value::Null,
        };
        if map.insert(Value::String(key.to_owned()), value).is_some() {
            return None;
        }
        match lines.peek().and_then(|l| l.strip_prefix("  ")) {
            Some(next) if !next.starts_with(' ') => {
                lines.next();
                entry = key_and_rest(next)?;
            }
            _ => return Some(map),
        }
    }
}

/// `key:` or `key: rest` with a key that serde_yaml reads as text (`[a-z_][a-z0-9_]*`, not a
/// null or boolean spelling); `rest` is `None` when nothing follows the colon.
pub(super) fn key_and_rest(line: &str) -> Option<(&str, Option<&str>)> {
    let (key, rest) = line.split_once(':')?;
    let simple = key
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !simple || matches!(key, "null" | "true" | "false") {
        return None;
    }
    if rest.is_empty() {
        return Some((key, None));
    }
    Some((key, Some(rest.strip_prefix(' ')?)))
}

/// A value on the rest of its line: `[]`, `{}`, a single-quoted or a plain scalar.
fn inline_value(text: &str) -> Option<Value> {
    match text {
        "[]" => return Some(Value::Sequence(Vec::new())),
        "{}" => return Some(Value::Mapping(Mapping::new())),
        _ => {}
    }
    if text.starts_with('\'') {
        return single_quoted(text).map(Value::String);
    }
    let plain = text.trim_end_matches(' ');
    let first = plain.bytes().next()?;
    let indicator = b"-?:,[]{}#&*!|>'\"%@` ".contains(&first);
    if indicator || ends_or_comments(plain) || plain.ends_with(':') {
        return None;
    }
    resolve(plain)
}

/// Whether a plain scalar holds `: ` (a mapping key ends there) or ` #` (a comment starts):
/// YAML would not read the line as the one scalar. One pass for both, without building a
/// substring searcher per scalar.
pub(super) fn ends_or_comments(plain: &str) -> bool {
    let bytes = plain.as_bytes();
    memchr::memchr2_iter(b':', b'#', bytes).any(|at| match bytes[at] {
        b':' => bytes.get(at + 1) == Some(&b' '),
        _ => at > 0 && bytes[at - 1] == b' ',
    })
}

/// The text of a single-quoted scalar on one line (`text` starts with the quote); `None` when
/// a lone quote inside would end it early. The typed reader ([`super::fast`]) reads its
/// quoted scalars with it too.
pub(super) fn single_quoted(text: &str) -> Option<String> {
    let inner = text.strip_prefix('\'')?.strip_suffix('\'')?;
    // Most quoted scalars hold no quote (timestamps, titles): no copies to undouble.
    if !inner.contains('\'') {
        return Some(inner.to_owned());
    }
    // Doubled quotes are one quote.
    if inner.replace("''", "").contains('\'') {
        return None;
    }
    Some(inner.replace("''", "'"))
}

/// Whether `yaml` holds no `\r` and no `\t`: the block shape these readers take (either is
/// left to serde_yaml, which knows where YAML allows them).
pub(super) fn in_block_shape(yaml: &str) -> bool {
    memchr::memchr2(b'\r', b'\t', yaml.as_bytes()).is_none()
}

/// What serde_yaml makes of a plain scalar (its `visit_untagged_scalar`), or `None` where
/// this reader would rather not decide (integers past 64 bits).
fn resolve(plain: &str) -> Option<Value> {
    Some(match resolve_scalar(plain)? {
        Resolved::Text => Value::String(plain.to_owned()),
        Resolved::Other(value) => value,
    })
}

/// What [`resolve`] makes of a plain scalar, without copying it when it is text.
enum Resolved {
    Text,
    /// Null, a boolean or a number.
    Other(Value),
}

fn resolve_scalar(plain: &str) -> Option<Resolved> {
    if matches!(plain, "null" | "Null" | "NULL" | "~") {
        return Some(Resolved::Other(Value::Null));
    }
    match plain {
        "true" | "True" | "TRUE" => return Some(Resolved::Other(Value::Bool(true))),
        "false" | "False" | "FALSE" => return Some(Resolved::Other(Value::Bool(false))),
        _ => {}
    }
    // No number starts with a letter (a float only as `inf` or `nan`, which serde_yaml and
    // [`float`] leave as text): most scalars (`high`, `todo`, names) are text at once.
    if plain
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic())
    {
        return Some(Resolved::Text);
    }
    // An integer only in the decimal spelling it prints back as (`+7`, `0x1F` and `-0` go to
    // serde_yaml): whoever needs the scalar's text, not its number, can then take the number's
    // (see `lenient::comment_ids_as_text`).
    let number = |number: Number| Resolved::Other(Value::Number(number));
    if let Some(int) = unsigned_int(plain) {
        return canonical_decimal(plain).then(|| number(Number::from(int)));
    }
    if let Some(int) = negative_int(plain) {
        return canonical_decimal(plain).then(|| number(Number::from(int)));
    }
    let unsigned = plain.strip_prefix(['+', '-']).unwrap_or(plain);
    if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
        // Too large for 64 bits: serde_yaml tries 128 bits next.
        return None;
    }
    if !digits_but_not_number(plain) {
        if let Some(float) = float(plain) {
            return Some(number(Number::from(float)));
        }
    }
    Some(Resolved::Text)
}

/// Whether serde_yaml reads the plain scalar `plain` as text (not null, a boolean or a
/// number), without copying it.
pub(crate) fn reads_as_text(plain: &str) -> bool {
    matches!(resolve_scalar(plain), Some(Resolved::Text))
}

/// serde_yaml's `parse_unsigned_int` for `u64`.
fn unsigned_int(scalar: &str) -> Option<u64> {
    let unpositive = scalar.strip_prefix('+').unwrap_or(scalar);
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(rest) = unpositive.strip_prefix(prefix) {
            if rest.starts_with(['+', '-']) {
                return None;
            }
            if let Ok(int) = u64::from_str_radix(rest, radix) {
                return Some(int);
            }
        }
    }
    if unpositive.starts_with(['+', '-']) || digits_but_not_number(scalar) {
        return None;
    }
    unpositive.parse::<u64>().ok()
}

/// serde_yaml's `parse_negative_int` for `i64`.
fn negative_int(scalar: &str) -> Option<i64> {
    for (prefix, radix) in [("-0x", 16), ("-0o", 8), ("-0b", 2)] {
        if let Some(rest) = scalar.strip_prefix(prefix) {
            if let Ok(int) = i64::from_str_radix(&format!("-{rest}"), radix) {
                return Some(int);
            }
        }
    }
    if digits_but_not_number(scalar) {
        return None;
    }
    scalar.parse::<i64>().ok()
}

/// serde_yaml's `parse_f64`.
fn float(scalar: &str) -> Option<f64> {
    let unpositive = match scalar.strip_prefix('+') {
        Some(rest) if rest.starts_with(['+', '-']) => return None,
        Some(rest) => rest,
        None => scalar,
    };
    if matches!(unpositive, ".inf" | ".Inf" | ".INF") {
        return Some(f64::INFINITY);
    }
    if matches!(scalar, "-.inf" | "-.Inf" | "-.INF") {
        return Some(f64::NEG_INFINITY);
    }
    if matches!(scalar, ".nan" | ".NaN" | ".NAN") {
        return Some(f64::NAN);
    }
    unpositive.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Whether `int` is written as Rust prints its value: digits with no leading zero, after a
/// `-` for a number below zero.
fn canonical_decimal(int: &str) -> bool {
    let digits = int.strip_prefix('-').unwrap_or(int);
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits.len() == 1 || !digits.starts_with('0'))
        && !(int.starts_with('-') && digits == "0")
}

/// Leading zeros followed by digits: text in YAML 1.2 (serde_yaml's `digits_but_not_number`).
pub(super) fn digits_but_not_number(scalar: &str) -> bool {
    let scalar = scalar.strip_prefix(['-', '+']).unwrap_or(scalar);
    scalar.len() > 1 && scalar.starts_with('0') && scalar[1..].bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::read;
    use serde_yaml::Value;

    /// Every input the fast reader accepts must read exactly as serde_yaml reads it.
    fn agrees(yaml: &str) -> bool {
        let Some(fast) = read(yaml) else { return false };
        let slow: Value = serde_yaml::from_str(yaml).unwrap_or_else(|e| panic!("{e}\n{yaml}"));
        // NaN is not equal to itself: compare the debug forms.
        assert_eq!(
            format!("{:?}", Value::Mapping(fast)),
            format!("{slow:?}"),
            "\n{yaml}"
        );
        true
    }

    #[test]
    fn a_document_as_0_3_1_writes_it_takes_the_fast_path_and_agrees() {
        let yaml = [
            "schema_version: 1",
            "id: 000224aa-545c-45fb-ac6d-f962f691a871",
            "created: '2025-08-07T00:43:43.241577+00:00'",
            "retention: visible",
            "title: 'Remove CSV export #7554: it''s slow'",
            "headline: ''",
            "priority: high",
            "milestone: 69000000-29c2-4d06-8098-d56efd8ad139",
            "depends_on: []",
            "labels:",
            "- backend",
            "- perf",
            "estimated_hours: 14.0",
            "due_date: null",
            "progress_percentage: 40",
            "remote_ids: {}",
            "comments:",
            "- id: 1",
            "  issue_id: 97a48337-7964-4d5e-b6d4-c2f301feaa5e",
            "  author: carol",
            "  body: Looked into it, see the branch",
            "  in_reply_to: null",
            "history:",
            "- action: created",
            "  at: '2025-08-07T00:43:43.241577+00:00'",
            "  reason: null",
            "- action: closed",
            "  at: x",
            "  reason:",
        ]
        .join("\n");
        assert!(agrees(&yaml));
        assert!(agrees(&format!("{yaml}\n")));
    }

    #[test]
    fn generated_contract_documents_and_committed_fixtures_agree() {
        let mut fast = 0;
        for index in 0..500 {
            let issue = crate::corpus::generated(crate::corpus::Layout::Contract, 5, index);
            let (yaml, _) = crate::issue::split(&issue.text).unwrap();
            fast += usize::from(agrees(yaml));
        }
        // Titles with `:` or non-ASCII are double-quoted by PyYAML and go the slow way.
        assert!(fast > 400, "{fast} of 500");
        // Every document committed from the real trackers (both lines) agrees when read.
        let mut read_fast = 0;
        for (path, text) in crate::issue::fixture_documents() {
            let Some((yaml, _)) = crate::issue::split(&text) else {
                continue;
            };
            if serde_yaml::from_str::<Value>(yaml).is_ok() {
                read_fast += usize::from(agrees(yaml));
            } else {
                assert!(read(yaml).is_none(), "{}", path.display());
            }
        }
        assert!(read_fast > 100, "{read_fast}");
    }

    #[test]
    fn tricky_scalars_agree_or_fall_back() {
        let scalars = [
            "1",
            "0",
            "007",
            "-7",
            "+7",
            "-007",
            "0x1F",
            "-0x1F",
            "0o17",
            "0b101",
            "1e5",
            "1E-3",
            ".5",
            "5.",
            "1.10",
            "-.inf",
            ".inf",
            ".NaN",
            "inf",
            "nan",
            "infinity",
            "1_000",
            "12345678901234567890123",
            "-12345678901234567890",
            "4e619042",
            "true",
            "True",
            "yes",
            "no",
            "on",
            "off",
            "Null",
            "~",
            "2026-01-01",
            "12:30",
            "a b",
            "trailing  ",
            "0758d37f-2853-43d0",
            "+",
            "-",
            "+-1",
            "--1",
            "0x",
            "0x+1",
            "é",
        ];
        let mut fast = 0;
        for scalar in scalars {
            for yaml in [
                format!("k: {scalar}"),
                format!("k:\n- {scalar}"),
                format!("k:\n- a: {scalar}\n  b: x"),
            ] {
                if agrees(&yaml) {
                    fast += 1;
                }
            }
        }
        // 96 at the last count: `+7`, `0x1F` and such go to serde_yaml.
        assert!(fast > 90, "{fast}");
    }

    #[test]
    fn integers_read_fast_only_in_the_spelling_they_print_back_as() {
        for int in ["0", "1", "42", "18446744073709551615"] {
            let map = read(&format!("k: {int}")).unwrap();
            let Value::Number(number) = &map["k"] else {
                panic!("{int}")
            };
            assert_eq!(number.to_string(), int);
        }
        for int in ["+7", "0x1F", "-0x1F", "0o17", "0b101", "-0", "+0"] {
            assert!(read(&format!("k: {int}")).is_none(), "{int}");
        }
    }

    #[test]
    fn shapes_outside_the_block_form_fall_back() {
        for yaml in [
            "k: \"double\"",
            "k: |\n  block",
            "k:\n  nested: 1",
            "k:\n- a: 1\n   b: 2",
            "k:\n- - a",
            "k: 'unclosed",
            "k: a #comment",
            "k: [a, b]",
            "k: &anchor a",
            "k: a\nk: b",
            "K: a",
            "1: a",
            "null: a",
            "k: a\r",
            "# comment\nk: a",
            "k: a\n\nj: b",
            "k:\n- a: 1\n  a: 2",
        ] {
            assert!(read(yaml).is_none(), "{yaml}");
        }
    }
}

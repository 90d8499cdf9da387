//! The bytes of `yaml.safe_dump(data, sort_keys=False, allow_unicode=True)`, which is how
//! roadmap-cli 0.3.1 writes every document's front matter: a port of the parts of PyYAML's
//! emitter a document uses (block mappings and sequences, `[]`/`{}` when empty, and the
//! plain / single-quoted / double-quoted choice of scalars with their folding at 80 columns).
//! Columns count characters, as Python's `len` does; the state (`column`, `whitespace`,
//! `indention`, `indent`) follows PyYAML's names so the two can be read side by side.

use serde_yaml::{Mapping, Value};

const BEST_WIDTH: usize = 80;
const BEST_INDENT: usize = 2;

/// Returns `safe_dump` of the mapping `entries` (without the final newline, as 0.3.1 strips it).
#[must_use]
pub fn dump_mapping(data: &Mapping) -> String {
    let mut emitter = Emitter {
        out: String::new(),
        column: 0,
        whitespace: true,
        indention: true,
        indent: None,
        indents: Vec::new(),
    };
    emitter.block_mapping(data.iter());
    emitter.out.trim_end().to_owned()
}

struct Emitter {
    out: String,
    column: usize,
    whitespace: bool,
    indention: bool,
    indent: Option<usize>,
    indents: Vec<Option<usize>>,
}

impl Emitter {
    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        self.indent = match self.indent {
            None if flow => Some(BEST_INDENT),
            None => Some(0),
            Some(indent) if !indentless => Some(indent + BEST_INDENT),
            same => same,
        };
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().flatten();
    }

    fn write(&mut self, data: &str) {
        self.column += data.chars().count();
        self.out.push_str(data);
    }

    fn write_indicator(&mut self, indicator: &str, need_whitespace: bool, whitespace: bool) {
        if !self.whitespace && need_whitespace {
            self.write(" ");
        }
        self.write(indicator);
        self.whitespace = whitespace;
        self.indention = false;
    }

    /// `write_indicator('-', True, indention=True)`: the only indicator that keeps indention.
    fn write_dash(&mut self) {
        if !self.whitespace {
            self.write(" ");
        }
        self.write("-");
        self.whitespace = false;
    }

    fn write_indent(&mut self) {
        let indent = self.indent.unwrap_or(0);
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.write_line_break();
        }
        if self.column < indent {
            self.whitespace = true;
            let spaces = " ".repeat(indent - self.column);
            self.write(&spaces);
        }
    }

    fn write_line_break(&mut self) {
        self.whitespace = true;
        self.indention = true;
        self.column = 0;
        self.out.push('\n');
    }

    /// A node in a mapping value (`mapping`) or sequence item (`!mapping`) position.
    fn node(&mut self, value: &Value, mapping_context: bool) {
        match value {
            Value::Mapping(map) if !map.is_empty() => {
                self.block_mapping(map.iter());
            }
            Value::Sequence(items) if !items.is_empty() => {
                let indentless = mapping_context && !self.indention;
                self.increase_indent(false, indentless);
                for item in items {
                    self.write_indent();
                    self.write_dash();
                    self.node(item, false);
                }
                self.pop_indent();
            }
            Value::Mapping(_) => self.empty_flow("{", "}"),
            Value::Sequence(_) => self.empty_flow("[", "]"),
            Value::Tagged(tagged) => self.node(&tagged.value, mapping_context),
            scalar => {
                let (text, implicit) = represent(scalar);
                self.increase_indent(true, false);
                self.scalar(&text, implicit, false);
                self.pop_indent();
            }
        }
    }

    fn empty_flow(&mut self, open: &str, close: &str) {
        self.write_indicator(open, true, true);
        self.write_indicator(close, false, false);
    }

    fn block_mapping<'a>(&mut self, entries: impl Iterator<Item = (&'a Value, &'a Value)>) {
        self.increase_indent(false, false);
        for (key, value) in entries {
            self.write_indent();
            let (text, implicit) = represent(key);
            self.increase_indent(true, false);
            self.scalar(&text, implicit, true);
            self.pop_indent();
            self.write_indicator(":", false, false);
            self.node(value, true);
        }
        self.pop_indent();
    }

    fn scalar(&mut self, text: &str, implicit: bool, simple_key: bool) {
        let analysis = analyze(text);
        let split = !simple_key;
        let plain_ok = implicit
            && !(simple_key && (analysis.empty || analysis.multiline))
            && analysis.allow_block_plain;
        if plain_ok {
            self.write_plain(text, split);
        } else if analysis.allow_single_quoted && !(simple_key && analysis.multiline) {
            self.write_single_quoted(text, split);
        } else {
            self.write_double_quoted(text, split);
        }
    }

    fn write_plain(&mut self, text: &str, split: bool) {
        if text.is_empty() {
            return;
        }
        if !self.whitespace {
            self.write(" ");
        }
        self.whitespace = false;
        self.indention = false;
        let chars: Vec<char> = text.chars().collect();
        let (mut spaces, mut start) = (false, 0);
        for end in 0..=chars.len() {
            let ch = chars.get(end).copied();
            if spaces {
                if ch != Some(' ') {
                    if start + 1 == end && self.column > BEST_WIDTH && split {
                        self.write_indent();
                        self.whitespace = false;
                        self.indention = false;
                    } else {
                        self.write(&collect(&chars[start..end]));
                    }
                    start = end;
                }
            } else if ch.is_none_or(|c| c == ' ') {
                self.write(&collect(&chars[start..end]));
                start = end;
            }
            if let Some(c) = ch {
                spaces = c == ' ';
            }
        }
    }

    fn write_single_quoted(&mut self, text: &str, split: bool) {
        self.write_indicator("'", true, false);
        let chars: Vec<char> = text.chars().collect();
        let (mut spaces, mut breaks, mut start) = (false, false, 0);
        for end in 0..=chars.len() {
            let ch = chars.get(end).copied();
            if spaces {
                if ch != Some(' ') {
                    if start + 1 == end
                        && self.column > BEST_WIDTH
                        && split
                        && start != 0
                        && end != chars.len()
                    {
                        self.write_indent();
                    } else {
                        self.write(&collect(&chars[start..end]));
                    }
                    start = end;
                }
            } else if breaks {
                if ch.is_none_or(|c| !is_break(c)) {
                    if chars[start] == '\n' {
                        self.write_line_break();
                    }
                    for &br in &chars[start..end] {
                        if br == '\n' {
                            self.write_line_break();
                        } else {
                            self.write_line_break();
                            self.out.pop();
                            self.out.push(br);
                        }
                    }
                    self.write_indent();
                    start = end;
                }
            } else if ch.is_none_or(|c| c == ' ' || is_break(c) || c == '\'') && start < end {
                self.write(&collect(&chars[start..end]));
                start = end;
            }
            if ch == Some('\'') {
                self.write("''");
                start = end + 1;
            }
            if let Some(c) = ch {
                spaces = c == ' ';
                breaks = is_break(c);
            }
        }
        self.write_indicator("'", false, false);
    }

    fn write_double_quoted(&mut self, text: &str, split: bool) {
        self.write_indicator("\"", true, false);
        let chars: Vec<char> = text.chars().collect();
        let mut start = 0;
        for end in 0..=chars.len() {
            let ch = chars.get(end).copied();
            let escaped = match ch {
                None => true,
                Some(c) => {
                    matches!(
                        c,
                        '"' | '\\' | '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}'
                    ) || !(('\x20'..='\x7E').contains(&c)
                        || ('\u{A0}'..='\u{D7FF}').contains(&c)
                        || ('\u{E000}'..='\u{FFFD}').contains(&c))
                }
            };
            if escaped {
                if start < end {
                    self.write(&collect(&chars[start..end]));
                    start = end;
                }
                if let Some(c) = ch {
                    self.write(&escape(c));
                    start = end + 1;
                }
            }
            if 0 < end
                && end + 1 < chars.len()
                && (ch == Some(' ') || start >= end)
                && self.column as isize + end as isize - start as isize > BEST_WIDTH as isize
                && split
            {
                let data = format!("{}\\", collect(&chars[start.min(end)..end]));
                if start < end {
                    start = end;
                }
                self.write(&data);
                self.write_indent();
                self.whitespace = false;
                self.indention = false;
                if chars[start] == ' ' {
                    self.write("\\");
                }
            }
        }
        self.write_indicator("\"", false, false);
    }
}

fn collect(chars: &[char]) -> String {
    chars.iter().collect()
}

fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn escape(c: char) -> String {
    let short = match c {
        '\0' => "0",
        '\x07' => "a",
        '\x08' => "b",
        '\t' => "t",
        '\n' => "n",
        '\x0B' => "v",
        '\x0C' => "f",
        '\r' => "r",
        '\x1B' => "e",
        '"' => "\"",
        '\\' => "\\",
        '\u{85}' => "N",
        '\u{A0}' => "_",
        '\u{2028}' => "L",
        '\u{2029}' => "P",
        _ => "",
    };
    let code = u32::from(c);
    match (short, code) {
        ("", ..=0xFF) => format!("\\x{code:02X}"),
        ("", ..=0xFFFF) => format!("\\u{code:04X}"),
        ("", _) => format!("\\U{code:08X}"),
        (short, _) => format!("\\{short}"),
    }
}

/// A scalar's text as PyYAML's SafeRepresenter writes it, and whether it may be plain
/// (`implicit[0]`: a string is plain only when no implicit resolver would read it as another
/// type).
fn represent(value: &Value) -> (String, bool) {
    match value {
        Value::Null => ("null".into(), true),
        Value::Bool(flag) => (flag.to_string(), true),
        Value::Number(number) => match (number.as_i64(), number.as_u64(), number.as_f64()) {
            (Some(int), ..) if !number.is_f64() => (int.to_string(), true),
            (_, Some(int), _) if !number.is_f64() => (int.to_string(), true),
            (.., Some(float)) => (python_float(float), true),
            _ => (number.to_string(), true),
        },
        Value::String(text) => (text.clone(), resolves_as_str(text)),
        other => (serde_yaml::to_string(other).unwrap_or_default(), true),
    }
}

/// `repr(float).lower()` with PyYAML's `.0` before an exponent and its spellings of the
/// special values.
fn python_float(value: f64) -> String {
    if value.is_nan() {
        return ".nan".into();
    }
    if value.is_infinite() {
        return if value > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    // Rust's `{:?}` is the shortest round-trip text and switches to an exponent where
    // Python's repr does (below 1e-4, from 1e16); only the exponent's spelling differs.
    let debug = format!("{value:?}");
    let Some((mantissa, exponent)) = debug.split_once('e') else {
        return debug;
    };
    let mantissa = if mantissa.contains('.') {
        mantissa.to_owned()
    } else {
        format!("{mantissa}.0")
    };
    let (sign, digits) = match exponent.strip_prefix('-') {
        Some(digits) => ('-', digits),
        None => ('+', exponent),
    };
    format!("{mantissa}e{sign}{digits:0>2}")
}

/// Whether PyYAML's resolver (YAML 1.1) reads `text`, written plain, as a string.
fn resolves_as_str(text: &str) -> bool {
    !(text.is_empty()
        || matches!(text, "~" | "null" | "Null" | "NULL" | "=" | "<<")
        || is_bool(text)
        || is_int(text)
        || is_float(text)
        || is_timestamp(text))
}

fn is_bool(text: &str) -> bool {
    matches!(
        text,
        "yes"
            | "Yes"
            | "YES"
            | "no"
            | "No"
            | "NO"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
    )
}

fn digits_with(text: &str, allowed: impl Fn(char) -> bool) -> bool {
    !text.is_empty() && text.chars().all(allowed)
}

/// `[-+]?0b[0-1_]+ | [-+]?0[0-7_]+ | [-+]?(?:0|[1-9][0-9_]*) | [-+]?0x[0-9a-fA-F_]+ |
/// [-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+`
fn is_int(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    if let Some(bits) = body.strip_prefix("0b") {
        return digits_with(bits, |c| matches!(c, '0' | '1' | '_'));
    }
    if let Some(hex) = body.strip_prefix("0x") {
        return digits_with(hex, |c| c.is_ascii_hexdigit() || c == '_');
    }
    if body == "0" {
        return true;
    }
    if let Some(octal) = body.strip_prefix('0') {
        return digits_with(octal, |c| matches!(c, '0'..='7' | '_'));
    }
    let mut parts = body.split(':');
    let first = parts.next().unwrap_or("");
    let decimal = first.starts_with(|c: char| matches!(c, '1'..='9'))
        && digits_with(first, |c| c.is_ascii_digit() || c == '_');
    decimal && parts.all(sexagesimal_part)
}

fn sexagesimal_part(part: &str) -> bool {
    let bytes = part.as_bytes();
    match bytes {
        [d] => d.is_ascii_digit(),
        [a, b] => matches!(a, b'0'..=b'5') && b.is_ascii_digit(),
        _ => false,
    }
}

/// `[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)? | \.[0-9][0-9_]*(?:[eE][-+][0-9]+)? |
/// [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]* | [-+]?\.(?:inf|Inf|INF) | \.(?:nan|NaN|NAN)`
fn is_float(text: &str) -> bool {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if matches!(text, ".nan" | ".NaN" | ".NAN") || matches!(unsigned, ".inf" | ".Inf" | ".INF") {
        return true;
    }
    if text.starts_with('.') && !text.starts_with("..") {
        let rest = &text[1..];
        let (mantissa, exponent) = split_exponent(rest);
        return mantissa.starts_with(|c: char| c.is_ascii_digit())
            && digits_with(mantissa, |c| c.is_ascii_digit() || c == '_')
            && exponent.is_none_or(valid_exponent);
    }
    let Some((whole, fraction)) = unsigned.split_once('.') else {
        return false;
    };
    if !whole.starts_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    let whole_ok = match whole.split_once(':') {
        None => digits_with(whole, |c| c.is_ascii_digit() || c == '_'),
        Some((first, rest)) => {
            digits_with(first, |c| c.is_ascii_digit() || c == '_')
                && rest.split(':').all(sexagesimal_part)
        }
    };
    let (mantissa, exponent) = split_exponent(fraction);
    let sexagesimal = whole.contains(':');
    whole_ok
        && (mantissa.is_empty() || digits_with(mantissa, |c| c.is_ascii_digit() || c == '_'))
        && (exponent.is_none() || (!sexagesimal && exponent.is_some_and(valid_exponent)))
}

fn split_exponent(text: &str) -> (&str, Option<&str>) {
    match text.find(['e', 'E']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    }
}

fn valid_exponent(exponent: &str) -> bool {
    exponent
        .strip_prefix(['-', '+'])
        .is_some_and(|digits| digits_with(digits, |c| c.is_ascii_digit()))
}

/// `[0-9]{4}-[0-9]{2}-[0-9]{2}` or the same date with a time
/// (`[Tt]|[ \t]+` `H?H:MM:SS(.frac)?` and an optional zone).
fn is_timestamp(text: &str) -> bool {
    let b = text.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    if b.len() == 10 {
        return (0..4).all(digit)
            && b[4] == b'-'
            && digit(5)
            && digit(6)
            && b[7] == b'-'
            && digit(8)
            && digit(9);
    }
    // The long form: YYYY-M?M-D?D, then T/t or blanks, then the time.
    let mut parts = text.splitn(3, '-');
    let (Some(year), Some(month), Some(rest)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let short_digits =
        |s: &str| (1..=2).contains(&s.len()) && s.bytes().all(|c| c.is_ascii_digit());
    if year.len() != 4 || !year.bytes().all(|c| c.is_ascii_digit()) || !short_digits(month) {
        return false;
    }
    let day_len = rest.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=2).contains(&day_len) {
        return false;
    }
    let after_day = &rest[day_len..];
    let time = if let Some(time) = after_day.strip_prefix(['T', 't']) {
        time
    } else {
        let trimmed = after_day.trim_start_matches([' ', '\t']);
        if trimmed.len() == after_day.len() {
            return false;
        }
        trimmed
    };
    let mut clock = time.splitn(3, ':');
    let (Some(hour), Some(minute), Some(rest)) = (clock.next(), clock.next(), clock.next()) else {
        return false;
    };
    if !short_digits(hour) || minute.len() != 2 || !minute.bytes().all(|c| c.is_ascii_digit()) {
        return false;
    }
    if rest.len() < 2 || !rest[..2].bytes().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let mut zone = &rest[2..];
    if let Some(fraction) = zone.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        zone = &fraction[digits..];
    }
    let zone = zone.trim_start_matches([' ', '\t']);
    if zone.is_empty() || zone == "Z" {
        return true;
    }
    let Some(offset) = zone.strip_prefix(['+', '-']) else {
        return false;
    };
    let (hours, minutes) = offset.split_once(':').unwrap_or((offset, ""));
    short_digits(hours)
        && (minutes.is_empty()
            || (minutes.len() == 2 && minutes.bytes().all(|c| c.is_ascii_digit())))
}

struct Analysis {
    empty: bool,
    multiline: bool,
    allow_block_plain: bool,
    allow_single_quoted: bool,
}

/// PyYAML's `analyze_scalar` with `allow_unicode=True`, reduced to what block context uses.
fn analyze(text: &str) -> Analysis {
    if text.is_empty() {
        return Analysis {
            empty: true,
            multiline: false,
            allow_block_plain: true,
            allow_single_quoted: true,
        };
    }
    let chars: Vec<char> = text.chars().collect();
    let blank = |c: char| {
        matches!(
            c,
            '\0' | ' ' | '\t' | '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}'
        )
    };
    let mut block_indicators = text.starts_with("---") || text.starts_with("...");
    let (mut line_breaks, mut special) = (false, false);
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
        (false, false, false, false);
    let (mut break_space, mut space_break) = (false, false);
    let mut preceded_by_whitespace = true;
    let mut followed_by_whitespace = chars.len() == 1 || blank(chars[1]);
    let (mut previous_space, mut previous_break) = (false, false);
    for (index, &ch) in chars.iter().enumerate() {
        if index == 0 {
            if "#,[]{}&*!|>'\"%@`".contains(ch) {
                block_indicators = true;
            }
            if "?:".contains(ch) && followed_by_whitespace {
                block_indicators = true;
            }
            if ch == '-' && followed_by_whitespace {
                block_indicators = true;
            }
        } else {
            if ch == ':' && followed_by_whitespace {
                block_indicators = true;
            }
            if ch == '#' && preceded_by_whitespace {
                block_indicators = true;
            }
        }
        if is_break(ch) {
            line_breaks = true;
        }
        if !(ch == '\n' || ('\x20'..='\x7E').contains(&ch)) {
            let unicode = (ch == '\u{85}'
                || ('\u{A0}'..='\u{D7FF}').contains(&ch)
                || ('\u{E000}'..='\u{FFFD}').contains(&ch)
                || ('\u{10000}'..'\u{10FFFF}').contains(&ch))
                && ch != '\u{FEFF}';
            if !unicode {
                special = true;
            }
        }
        let last = index == chars.len() - 1;
        if ch == ' ' {
            leading_space |= index == 0;
            trailing_space |= last;
            break_space |= previous_break;
            (previous_space, previous_break) = (true, false);
        } else if is_break(ch) {
            leading_break |= index == 0;
            trailing_break |= last;
            space_break |= previous_space;
            (previous_space, previous_break) = (false, true);
        } else {
            (previous_space, previous_break) = (false, false);
        }
        preceded_by_whitespace = blank(ch);
        followed_by_whitespace = index + 2 >= chars.len() || blank(chars[index + 2]);
    }
    let mut allow_block_plain =
        !(leading_space || leading_break || trailing_space || trailing_break);
    let mut allow_single_quoted = true;
    if break_space {
        allow_block_plain = false;
        allow_single_quoted = false;
    }
    if space_break || special {
        allow_block_plain = false;
        allow_single_quoted = false;
    }
    if line_breaks || block_indicators {
        allow_block_plain = false;
    }
    Analysis {
        empty: false,
        multiline: line_breaks,
        allow_block_plain,
        allow_single_quoted,
    }
}

#[cfg(test)]
#[path = "pyyaml_tests.rs"]
mod tests;

//! What the tracker's `console.print(text)` writes when its output is not a terminal: Rich
//! (13.x) in the tracker's plain mode, 80 cells wide, no colour. Lines are word-wrapped by Rich's
//! own rules (`rich/_wrap.py` `divide_line`, `Text.wrap`), quirks included, so our output is
//! the tracker's byte for byte.
//!
//! Text Rich would rewrite (markup in `[...]`, `:emoji:` codes, control characters, tabs) is not
//! emulated: [`is_literal`] says so, and the caller hands the command to the tracker instead.

mod panel;

pub use panel::{Panel, panel, write_panel};

use unicode_width::UnicodeWidthChar;

/// The width of the tracker's console in plain mode (fixed; `COLUMNS` does not change it).
pub const PLAIN_WIDTH: usize = 80;

/// Whether the tracker would print in its plain mode (`is_plain_mode` in roadmap-cli): output
/// piped or redirected, `NO_COLOR`, `ROADMAP_OUTPUT=plain`, `FORCE_COLOR=0`, or a CI or test
/// environment. Only then is its output fixed at 80 cells without colour, so ours can equal it.
#[must_use]
pub fn tracker_plain_mode() -> bool {
    use std::io::IsTerminal;
    let var = |name: &str| std::env::var(name).ok();
    let set = |names: &[&str]| names.iter().any(|n| std::env::var_os(n).is_some());
    var("ROADMAP_OUTPUT").as_deref() == Some("plain")
        || var("NO_COLOR").is_some_and(|v| ["1", "true", "True", "TRUE"].contains(&v.as_str()))
        || var("FORCE_COLOR").as_deref() == Some("0")
        || !std::io::stdout().is_terminal()
        || !std::io::stderr().is_terminal()
        || set(&[
            "CI",
            "CONTINUOUS_INTEGRATION",
            "GITHUB_ACTIONS",
            "TRAVIS",
            "CIRCLECI",
            "JENKINS_URL",
            "GITLAB_CI",
            "PYTEST_CURRENT_TEST",
            "_PYTEST_RAISE",
            "UNITTEST_MODE",
        ])
}

/// Whether `text` has no characters Rich treats specially even outside markup: control
/// characters and tabs (stripped or expanded) and Unicode line separators (`splitlines`).
#[must_use]
pub fn is_plain_text(text: &str) -> bool {
    !text
        .chars()
        .any(|c| (c.is_control() && c != '\n') || matches!(c, '\u{2028}' | '\u{2029}'))
}

/// Whether Rich prints `text` as it is (no markup, no emoji codes, no control characters).
#[must_use]
pub fn is_literal(text: &str) -> bool {
    if text.contains('[') || !is_plain_text(text) {
        return false;
    }
    // Rich replaces `:name:` (no whitespace inside) when `name` is an emoji code.
    let mut open: Option<usize> = None;
    for (index, c) in text.char_indices() {
        if c == ':' {
            if open.is_some_and(|start| index > start + 1) {
                return false;
            }
            open = Some(index);
        } else if c.is_whitespace() {
            open = None;
        }
    }
    true
}

/// Rich's cell width of one character (wide East Asian and emoji take two cells).
fn cells(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// Rich's width of `text` in cells.
#[must_use]
pub fn cell_len(text: &str) -> usize {
    if is_printable_ascii(text) {
        return text.len();
    }
    text.chars().map(cells).sum()
}

/// Printable ASCII only: one cell per byte, nothing Rich measures otherwise (the common case,
/// which spares a table of 10k rows a character-by-character width lookup). Tested eight
/// bytes at a time: a panel of 10k issues tests 8 MB of mostly short lines, a line at a time.
pub(crate) fn is_printable_ascii(text: &str) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // A byte below 0x20, or above 0x7e (0x7f and every non-ASCII byte), sets its high bit
    // (the classic "has less" and "has more" word tricks: adding 0x7f - 0x7e = 1 to each
    // byte carries 0x7f into the high bit; a carry out of a byte only leaves one that is
    // already outside).
    let outside = |word: u64| {
        let below = word.wrapping_sub(ONES * 0x20) & !word;
        let above = word.wrapping_add(ONES) | word;
        (below | above) & HIGH != 0
    };
    let mut words = text.as_bytes().chunks_exact(8);
    for word in words.by_ref() {
        if outside(u64::from_le_bytes(word.try_into().expect("eight bytes"))) {
            return false;
        }
    }
    // The rest padded with spaces.
    let mut last = [b' '; 8];
    let rest = words.remainder();
    last[..rest.len()].copy_from_slice(rest);
    !outside(u64::from_le_bytes(last))
}

/// `text.split('\n')`, found with `memchr` (the panel of 10k issues is 120k lines, split twice).
fn split_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    memchr::memchr_iter(b'\n', text.as_bytes())
        .chain([text.len()])
        .map(move |end| {
            let line = &text[start..end];
            start = end + 1;
            line
        })
}

/// `count` spaces at the end of `out`, a run at a time.
pub(crate) fn push_spaces(out: &mut String, mut count: usize) {
    const SPACES: &str = "                                                                ";
    while count > 0 {
        let run = count.min(SPACES.len());
        out.push_str(&SPACES[..run]);
        count -= run;
    }
}

/// Returns what `console.print(text)` writes: every line wrapped to `width`, then a newline.
#[must_use]
pub fn print(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 40 + 1);
    wrap_lines(text, width, |line, _| {
        out.push_str(line);
        out.push('\n');
    });
    out
}

/// Rich's `Text.wrap`: each `\n`-separated line divided at `width`, trimmed and cut as Rich
/// does; each resulting line is handed to `emit` with its width in cells (no list of lines: a
/// 10k-row panel is 100k).
fn wrap_lines(text: &str, width: usize, mut emit: impl FnMut(&str, usize)) {
    // The last line measured that fitted: a panel repeats its separator line once an entry.
    let mut fitted: (&str, usize) = ("", 0);
    for line in split_lines(text) {
        // A line that fits has nowhere to break and nothing to crop: no word passes the width
        // (their cells add up to the line's), and no character is cut (there are no more
        // characters than cells). Printable ASCII is one cell a byte.
        if line.len() <= width && is_printable_ascii(line) {
            emit(line, line.len());
            continue;
        }
        if !line.is_empty() && line == fitted.0 {
            emit(line, fitted.1);
            continue;
        }
        let cells = cell_len(line);
        if cells <= width && line.chars().count() <= width {
            fitted = (line, cells);
            emit(line, cells);
            continue;
        }
        let mut start = 0;
        for end in divide_line(line, width).into_iter().chain([line.len()]) {
            let finished = finish_line(&line[start..end], width);
            emit(&finished, cell_len(&finished));
            start = end;
        }
    }
}

/// What `console.print(Table(title=title))` writes for a table with `headers` and `rows`:
/// Rich's default `HEAVY_HEAD` box, each column as wide as its widest cell plus one space each
/// side, the title centred above (padded to the table's width). Only for tables narrower than
/// the console and cells Rich prints as they are ([`is_literal`], no wide characters needed).
#[must_use]
pub fn table(title: &str, headers: &[&str], rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = headers
        .iter()
        .enumerate()
        .map(|(index, header)| {
            rows.iter()
                .map(|row| cell_len(&row[index]))
                .chain([cell_len(header)])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let total = widths.iter().map(|w| w + 3).sum::<usize>() + 1;
    let border = |left: &str, line: &str, cross: &str, right: &str| {
        let parts: Vec<String> = widths.iter().map(|w| line.repeat(w + 2)).collect();
        format!("{left}{}{right}\n", parts.join(cross))
    };
    let cells = |bar: &str, values: &mut dyn Iterator<Item = &str>| {
        let parts: Vec<String> = values
            .zip(&widths)
            .map(|(value, width)| format!(" {value}{} ", " ".repeat(width - cell_len(value))))
            .collect();
        format!("{bar}{}{bar}\n", parts.join(bar))
    };
    let excess = total.saturating_sub(cell_len(title));
    let mut out = format!(
        "{}{title}{}\n",
        " ".repeat(excess / 2),
        " ".repeat(excess - excess / 2)
    );
    out.push_str(&border("┏", "━", "┳", "┓"));
    out.push_str(&cells("┃", &mut headers.iter().copied()));
    out.push_str(&border("┡", "━", "╇", "┩"));
    for row in rows {
        out.push_str(&cells("│", &mut row.iter().map(String::as_str)));
    }
    out.push_str(&border("└", "─", "┴", "┘"));
    out
}

/// `Text.rstrip_end` then `Text.truncate(overflow="fold")`: trailing whitespace past `width`
/// (counted in characters, as Rich does) is dropped, then the line is cut to `width` cells.
fn finish_line(line: &str, width: usize) -> String {
    let chars = line.chars().count();
    let mut text = line.to_owned();
    if chars > width {
        let trailing = line.chars().rev().take_while(|c| c.is_whitespace()).count();
        let crop = trailing.min(chars - width);
        let keep: usize = line.chars().take(chars - crop).map(char::len_utf8).sum();
        text.truncate(keep);
    }
    if cell_len(&text) > width {
        text = set_cell_size(&text, width);
    }
    text
}

/// Rich's `set_cell_size` when shortening: cut to `total` cells, a space where a wide
/// character would straddle the edge.
fn set_cell_size(text: &str, total: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = cells(c);
        if used + w > total {
            if used < total {
                out.push(' ');
            }
            break;
        }
        out.push(c);
        used += w;
    }
    out
}

/// Byte offsets where Rich breaks `line` (its `divide_line` with `fold=True`). Rich counts in
/// characters, and a folded word advances by the lengths of pieces cut from its end: kept as is.
fn divide_line(line: &str, width: usize) -> Vec<usize> {
    let byte_at: Vec<usize> = line
        .char_indices()
        .map(|(i, _)| i)
        .chain([line.len()])
        .collect();
    let char_at = |byte: usize| byte_at.partition_point(|&b| b < byte);
    let mut divides = Vec::new();
    let mut position = 0;
    for (start, word) in words(line) {
        let start = char_at(start);
        let word_length = cell_len(word.trim_end());
        if position + word_length > width {
            if word_length > width {
                let chunks = chop_cells(word, width);
                let mut start = start;
                let last = chunks.len() - 1;
                for (index, chunk) in chunks.iter().enumerate() {
                    if start > 0 {
                        divides.push(start);
                    }
                    if index == last {
                        position = chunk.iter().map(|c| cells(*c)).sum();
                    } else {
                        start += chunk.len();
                    }
                }
            } else if position > 0 && start > 0 {
                divides.push(start);
                position = cell_len(word);
            }
        } else {
            position += cell_len(word);
        }
    }
    divides
        .into_iter()
        .map(|c| byte_at[c.min(byte_at.len() - 1)])
        .collect()
}

/// Rich's words: `\s*\S+\s*` matched one after another from the start of the line.
fn words(line: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < line.len() {
        let rest = &line[start..];
        let leading = rest.len() - rest.trim_start().len();
        let body = &rest[leading..];
        if body.is_empty() {
            break;
        }
        let word_end = body.find(char::is_whitespace).unwrap_or(body.len());
        let after = &body[word_end..];
        let trailing = after.len() - after.trim_start().len();
        let end = leading + word_end + trailing;
        out.push((start, &rest[..end]));
        start += end;
    }
    out
}

/// Rich's `chop_cells`: pieces of at most `max` cells, filled from the end of the word, each
/// holding its characters in reverse (only their lengths are used).
fn chop_cells(word: &str, max: usize) -> Vec<Vec<char>> {
    let mut lines: Vec<Vec<char>> = vec![Vec::new()];
    let mut total = 0;
    for c in word.chars().rev() {
        let size = cells(c);
        if total + size > max {
            lines.push(vec![c]);
            total = size;
        } else {
            total += size;
            lines.last_mut().expect("starts with one line").push(c);
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_ascii_is_tested_a_word_at_a_time_as_byte_by_byte() {
        let simple = |text: &[u8]| text.iter().all(|b| (0x20..0x7f).contains(b));
        // Every byte value at every place of lines up to 19 bytes long, among printable ones.
        for len in 1..20 {
            for place in 0..len {
                for byte in 0..=255_u8 {
                    let mut line = vec![b'a'; len];
                    line[place] = byte;
                    let Ok(text) = std::str::from_utf8(&line) else {
                        continue;
                    };
                    assert_eq!(is_printable_ascii(text), simple(&line), "{line:?}");
                }
            }
        }
        assert!(is_printable_ascii(""));
        assert!(!is_printable_ascii("Comments: \u{1f4ac} 1"));
        assert!(!is_printable_ascii("caf\u{e9} au lait, tr\u{e8}s chaud"));
    }

    #[test]
    fn wraps_at_word_boundaries_keeping_the_trailing_space() {
        let text = "| ID | Title | Priority | Status | Progress | Assignee | Estimate | Milestone | Comments |";
        assert_eq!(
            print(text, 80),
            "| ID | Title | Priority | Status | Progress | Assignee | Estimate | Milestone | \nComments |\n"
        );
    }

    #[test]
    fn a_trailing_newline_prints_a_blank_line() {
        assert_eq!(print("a\nb\n", 80), "a\nb\n\n");
    }

    #[test]
    fn long_words_are_folded() {
        assert_eq!(print(&"x".repeat(12), 5), "xxxxx\nxxxxx\nxx\n");
        assert_eq!(print("日本語日本語日", 5), "日本\n語日\n本語\n日\n");
    }

    #[test]
    fn markup_and_emoji_codes_are_not_literal() {
        assert!(is_literal("Écrire la doc: «hooks» #1: done?"));
        assert!(!is_literal("[bug] crash"));
        assert!(!is_literal("say :smile: now"));
        assert!(!is_literal("tab\there"));
    }
}

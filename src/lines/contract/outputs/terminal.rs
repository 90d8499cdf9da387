//! 0.3.1's Rich outputs as a person sees them on a terminal: the same lines the plain console
//! prints at the terminal's width, in the tracker's colours. The tracker promises meaning, not
//! Rich's exact escape sequences, for human output; the bytes of pipes and machine formats are
//! exact. The styles, read from 0.3.1's output on a terminal (`tests/fixtures/tracker-0.3.1-terminal`):
//!
//! * the vertical panel ([`styled`]): the `📋` count line and each `Entry N` in bold cyan, each
//!   field's label in bold;
//! * Rich's table ([`styled`]): the title above it in italic, the header's cells in bold cyan;
//! * `status` ([`styled_status`]): `Roadmap Status` in bold, each table's title in italic, its
//!   header in bold (borderless tables, so told apart by their place, not their characters).

const BOLD_CYAN: &str = "\x1b[1;36m";
const BOLD: &str = "\x1b[1m";
const ITALIC: &str = "\x1b[3m";
const RESET: &str = "\x1b[0m";
const BORDER: &str = "│ ";

/// `plain` (a default view at the terminal's width: panel or table) with the tracker's styles.
#[must_use]
pub fn styled(plain: &str) -> String {
    let mut out = String::with_capacity(plain.len() + plain.len() / 4);
    let mut lines = plain.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        let (text, end) = split_end(line);
        if lines.peek().is_some_and(|next| next.starts_with('┏')) {
            paint(&mut out, ITALIC, text);
        } else if text.starts_with('┃') {
            out.push_str(&header_cells(text));
        } else {
            out.push_str(&styled_line(text));
        }
        out.push_str(end);
    }
    out
}

/// `status`'s text (title, then two borderless tables apart by a blank line) with its styles.
#[must_use]
pub fn styled_status(plain: &str) -> String {
    /// What the next line of `status` is.
    enum Next {
        Heading,
        TableTitle,
        Header,
        Row,
    }
    let mut out = String::with_capacity(plain.len() + 64);
    let mut next = Next::Heading;
    for line in plain.split_inclusive('\n') {
        let (text, end) = split_end(line);
        next = match next {
            Next::Heading => {
                paint(&mut out, BOLD, text);
                Next::TableTitle
            }
            Next::TableTitle if !text.is_empty() => {
                paint(&mut out, ITALIC, text);
                Next::Header
            }
            Next::Header => {
                paint(&mut out, BOLD, text);
                Next::Row
            }
            Next::TableTitle | Next::Row => {
                out.push_str(text);
                if text.is_empty() {
                    Next::TableTitle
                } else {
                    Next::Row
                }
            }
        };
        out.push_str(end);
    }
    out
}

/// A line and its `\n` (empty for a last line without one).
fn split_end(line: &str) -> (&str, &str) {
    line.strip_suffix('\n')
        .map_or((line, ""), |text| (text, "\n"))
}

fn paint(out: &mut String, style: &str, text: &str) {
    out.push_str(style);
    out.push_str(text);
    out.push_str(RESET);
}

/// A Rich table's header row, `┃ Name ┃ Status ┃`: each cell (padding included, as Rich
/// styles it) in bold cyan, the bars plain.
fn header_cells(line: &str) -> String {
    let mut out = String::with_capacity(line.len() * 2);
    for (index, cell) in line.split('┃').enumerate() {
        if index > 0 {
            out.push('┃');
        }
        if !cell.is_empty() {
            paint(&mut out, BOLD_CYAN, cell);
        }
    }
    out
}

fn styled_line(line: &str) -> String {
    if line.starts_with("📋 ") {
        return format!("{BOLD_CYAN}{line}{RESET}");
    }
    let Some(inside) = line.strip_prefix(BORDER) else {
        return line.to_owned();
    };
    if let Some(rest) = inside.strip_prefix("Entry ") {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 {
            let (number, tail) = rest.split_at(digits);
            return format!("{BORDER}{BOLD_CYAN}Entry {number}{RESET}{tail}");
        }
    }
    // `  Label: value`: a field line of the panel (a wrapped title's continuation has no indent).
    if let Some(field) = inside.strip_prefix("  ") {
        if let Some(colon) = field
            .find(": ")
            .filter(|&at| at > 0 && field[..at].chars().all(|c| c.is_alphanumeric() || c == ' '))
        {
            let (label, value) = field.split_at(colon + 2);
            return format!("{BORDER}{BOLD}  {label}{RESET}{value}");
        }
    }
    line.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_count_entries_and_labels_take_the_trackers_styles() {
        let plain = "📋 2 all issues\n╭─ Issues ─╮\n│ Entry 1    │\n│   ID: abc  │\n│ wrapped: no │\n╰──────────╯\n";
        assert_eq!(
            styled(plain),
            "\x1b[1;36m📋 2 all issues\x1b[0m\n╭─ Issues ─╮\n│ \x1b[1;36mEntry 1\x1b[0m    │\n\
             │ \x1b[1m  ID: \x1b[0mabc  │\n│ wrapped: no │\n╰──────────╯\n"
        );
    }

    #[test]
    fn a_tables_title_is_italic_and_its_header_cells_bold_cyan() {
        let plain =
            "   Projects   \n┏━━━━┳━━━━┓\n┃ ID ┃ Na ┃\n┡━━━━╇━━━━┩\n│ a  │ b  │\n└────┴────┘\n";
        assert_eq!(
            styled(plain),
            "\x1b[3m   Projects   \x1b[0m\n┏━━━━┳━━━━┓\n┃\x1b[1;36m ID \x1b[0m┃\x1b[1;36m Na \x1b[0m┃\n\
             ┡━━━━╇━━━━┩\n│ a  │ b  │\n└────┴────┘\n"
        );
    }

    #[test]
    fn status_has_its_heading_bold_each_title_italic_and_each_header_bold() {
        let plain = "Roadmap Status\n  Entities  \n Entity \n Issues \n\n  Issue Status  \n Status \n todo \n";
        assert_eq!(
            styled_status(plain),
            "\x1b[1mRoadmap Status\x1b[0m\n\x1b[3m  Entities  \x1b[0m\n\x1b[1m Entity \x1b[0m\n Issues \n\n\
             \x1b[3m  Issue Status  \x1b[0m\n\x1b[1m Status \x1b[0m\n todo \n"
        );
    }
}

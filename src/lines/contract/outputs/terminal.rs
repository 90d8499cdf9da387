//! 0.3.1's default views as a person sees them on a terminal: the same lines the plain console
//! prints at the terminal's width, in the tracker's colours (Rich's markup in its source: the
//! `📋` count line and each `Entry N` in bold cyan, each field's label in bold). The tracker
//! promises meaning, not Rich's exact escape sequences, for human output; the bytes of pipes and
//! machine formats are exact.

const BOLD_CYAN: &str = "\x1b[1;36m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";
const BORDER: &str = "│ ";

/// `plain` (the default view at the terminal's width) with the tracker's styles.
#[must_use]
pub fn styled(plain: &str) -> String {
    let mut out = String::with_capacity(plain.len() + plain.len() / 4);
    for line in plain.split_inclusive('\n') {
        let (text, end) = line
            .strip_suffix('\n')
            .map_or((line, ""), |text| (text, "\n"));
        out.push_str(&styled_line(text));
        out.push_str(end);
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
}

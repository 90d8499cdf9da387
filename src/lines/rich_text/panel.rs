//! Rich's `Panel(text, title=title, expand=False)` as a console prints it: whole ([`panel`]),
//! or written a line at a time by a caller that measured its lines first ([`Panel`]: the
//! 10k entries of `issue list`, which need not be joined into one text and split again).

use super::{cell_len, is_printable_ascii, push_spaces, split_lines, wrap_lines};

/// What `console.print(Panel(text, title=title, expand=False))` writes on a console `width`
/// cells wide: a rounded box around `text` (padding one cell left and right), as narrow as the
/// longest line allows, the title centred in the top border. `text` is taken as plain text
/// (Rich's `Text.append`, no markup).
#[must_use]
pub fn panel(title: &str, text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8 + 256);
    write_panel(&mut out, title, text, width);
    out
}

/// [`panel`] at the end of `out`.
pub fn write_panel(out: &mut String, title: &str, text: &str, width: usize) {
    let mut panel = Panel::new(out, title, longest_line(text), width);
    wrap_lines(text, panel.inner, |line, cells| {
        panel.push_fitted(line, cells)
    });
    panel.finish();
}

/// A panel being written a line at a time at the end of a text, its widest line known from
/// the start.
pub struct Panel<'a> {
    out: &'a mut String,
    /// The cells between the padding, left and right.
    inner: usize,
    child: usize,
}

impl<'a> Panel<'a> {
    /// Writes the panel's top border at the end of `out`, for lines at most `longest` cells
    /// wide on a console `width` cells wide.
    pub fn new(out: &'a mut String, title: &str, longest: usize, width: usize) -> Self {
        let child = (longest.min(width - 2) + 2).min(width - 2);
        let title = format!(" {title} ");
        let excess = child.saturating_sub(2 + cell_len(&title));
        let left = excess / 2;
        out.push_str("╭─");
        out.push_str(&"─".repeat(left));
        out.push_str(&title);
        out.push_str(&"─".repeat(excess - left));
        out.push_str("─╮\n");
        Panel {
            out,
            inner: child - 2,
            child,
        }
    }

    /// Adds the line made of `pieces`, `cells` wide in `chars` characters, wrapped as Rich
    /// wraps it when it does not fit. It holds no newline.
    pub fn line(&mut self, pieces: &[&str], cells: usize, chars: usize) {
        if cells <= self.inner && chars <= self.inner {
            self.out.push_str("│ ");
            for piece in pieces {
                self.out.push_str(piece);
            }
            self.pad(cells);
            return;
        }
        let line = pieces.concat();
        let inner = self.inner;
        wrap_lines(&line, inner, |part, cells| self.push_fitted(part, cells));
    }

    /// Adds a line that fits, `cells` wide.
    fn push_fitted(&mut self, line: &str, cells: usize) {
        self.out.push_str("│ ");
        self.out.push_str(line);
        self.pad(cells);
    }

    fn pad(&mut self, cells: usize) {
        push_spaces(self.out, self.inner.saturating_sub(cells));
        self.out.push_str(" │\n");
    }

    /// The cells between the padding, left and right.
    #[must_use]
    pub fn inner(&self) -> usize {
        self.inner
    }

    /// Writes the bottom border.
    pub fn finish(self) {
        self.out.push('╰');
        self.out.push_str(&"─".repeat(self.child));
        self.out.push_str("╯\n");
    }
}

/// The cells of the widest line of `text`.
fn longest_line(text: &str) -> usize {
    // The last line measured character by character, kept: a panel repeats its separator
    // line once an entry, between lines of printable ASCII.
    let mut measured: (&str, usize) = ("", 0);
    split_lines(text)
        .map(|line| {
            if is_printable_ascii(line) {
                line.len()
            } else {
                if line != measured.0 {
                    measured = (line, cell_len(line));
                }
                measured.1
            }
        })
        .max()
        .unwrap_or(0)
}

//! Long output on a terminal goes through a pager, as git does: `ROADMAP_PAGER`, else `PAGER`,
//! else `less` (with `LESS=FRX` unless set: quit if one screen, keep colours, no clearing).
//! `--no-pager`, an empty value or `cat` prints directly; so does output that fits the screen.

use super::{CommandError, write_stdout};
use std::io::{IsTerminal, Write};
use std::process::{Command, Stdio};
use unicode_width::UnicodeWidthStr;

/// Prints `text` on stdout, through the pager when stdout is a terminal and `text` is taller
/// than the screen.
pub fn page(text: &str, no_pager: bool) -> Result<(), CommandError> {
    if no_pager || !std::io::stdout().is_terminal() {
        return write_stdout(text.as_bytes());
    }
    let Some(pager) = pager_command() else {
        return write_stdout(text.as_bytes());
    };
    let (columns, rows) = screen_size().unwrap_or((80, 24));
    if screen_rows(text, columns) < rows {
        return write_stdout(text.as_bytes());
    }
    let mut command = Command::new("sh");
    command.arg("-c").arg(&pager).stdin(Stdio::piped());
    if std::env::var_os("LESS").is_none() {
        command.env("LESS", "FRX");
    }
    let Ok(mut child) = command.spawn() else {
        return write_stdout(text.as_bytes());
    };
    if let Some(mut input) = child.stdin.take() {
        // The user quitting the pager early closes the pipe: not an error.
        let _ = input.write_all(text.as_bytes());
    }
    let _ = child.wait();
    Ok(())
}

/// The pager to run (a shell command), or `None` for none.
fn pager_command() -> Option<String> {
    let chosen = std::env::var("ROADMAP_PAGER")
        .or_else(|_| std::env::var("PAGER"))
        .unwrap_or_else(|_| "less".to_owned());
    let trimmed = chosen.trim();
    (!trimmed.is_empty() && trimmed != "cat").then(|| trimmed.to_owned())
}

/// How many screen rows `text` takes on a terminal `columns` wide.
fn screen_rows(text: &str, columns: usize) -> usize {
    text.lines()
        .map(|line| line.width().max(1).div_ceil(columns.max(1)))
        .sum()
}

fn screen_size() -> Option<(usize, usize)> {
    // SAFETY: TIOCGWINSZ writes one `winsize` into the struct we pass and nothing else.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0;
    (ok && size.ws_row > 0 && size.ws_col > 0)
        .then(|| (usize::from(size.ws_col), usize::from(size.ws_row)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_count_wrapped_lines() {
        assert_eq!(screen_rows("a\n\nbbbbbbbbbb\n", 4), 1 + 1 + 3);
    }
}

//! The command-line layer: argument definitions and rendering. No SQL, no git and no file
//! writes here; the binaries call the library (through the `Workspace`) and hand its answers to
//! these functions.

pub mod chart;
mod contract_issue_view;
pub mod contract_list;
mod contract_planning;
pub mod contract_reads;
mod contract_terminal;
pub mod first_use;
pub mod forward;
pub mod history;
pub mod history_args;
pub mod history_render;
pub mod legacy_list;
pub mod legacy_milestone_list;
pub mod legacy_status;
pub mod list_args;
pub mod pager;
pub mod remote;
pub mod render;
pub mod thread;
pub mod tracker_front;
pub mod write;
pub mod write_args;

use std::io::{self, Write};

pub use crate::error::{CommandError, EXIT_USER_ERROR};
pub use crate::issue_write::resolve_id;

/// Writes `text` to stdout. A reader that went away (`roadmap list | head`) is not an error.
pub fn write_stdout(text: &[u8]) -> Result<(), CommandError> {
    widen_pipe(text.len());
    let mut stdout = io::stdout().lock();
    match stdout.write_all(text).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            Err(CommandError::internal(format!("writing output: {e}")))
        }
        _ => Ok(()),
    }
}

/// Grows stdout's pipe, when it is one, to hold `len` bytes (up to 1 MiB, what Linux grants
/// anyone): a pipe holds 64 KiB, and 10 MB of `issue list` went through it in 165 rounds of
/// the writer waiting for the reader. Best effort: a pipe that stays small still works.
fn widen_pipe(len: usize) {
    const WIDEST: usize = 1 << 20;
    #[cfg(target_os = "linux")]
    if len > 64 << 10 {
        // SAFETY: `fstat` fills the struct it is given, and `fcntl` reads only its arguments;
        // neither touches memory of ours beyond that.
        unsafe {
            let mut stat: libc::stat = std::mem::zeroed();
            if libc::fstat(1, &raw mut stat) == 0 && stat.st_mode & libc::S_IFMT == libc::S_IFIFO {
                let size = libc::c_int::try_from(len.min(WIDEST)).unwrap_or(0);
                libc::fcntl(1, libc::F_SETPIPE_SZ, size);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (len, WIDEST);
}

/// Whether output to stdout should be coloured: a terminal, and `NO_COLOR` unset.
#[must_use]
pub fn use_colour() -> bool {
    use std::io::IsTerminal;
    io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The width to fit tables to: `COLUMNS`, else the terminal's, else unlimited (a pipe).
#[must_use]
pub fn output_width() -> Option<usize> {
    if let Some(columns) = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()) {
        return Some(columns);
    }
    terminal_width()
}

/// The width of the terminal on stdout, if stdout is one.
#[must_use]
pub fn terminal_width() -> Option<usize> {
    use std::io::IsTerminal;
    if !io::stdout().is_terminal() {
        return None;
    }
    // SAFETY: TIOCGWINSZ writes one `winsize` into the struct we pass and nothing else.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0;
    (ok && size.ws_col > 0).then_some(usize::from(size.ws_col))
}

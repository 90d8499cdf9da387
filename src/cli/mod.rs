//! The command-line layer: argument definitions and rendering. No SQL and no git here; the
//! binaries call the library and hand its answers to these functions.

pub mod list_args;
pub mod remote;
pub mod render;
pub mod write;
pub mod write_args;

use std::io::{self, Write};

/// Exit code for a user error: bad input, not a repository, no cache. Usage errors (clap) exit 2.
pub const EXIT_USER_ERROR: i32 = 1;

/// An error for the user: one line, and a second `hint:` line where there is a fix.
#[derive(Debug)]
pub struct UserError {
    pub message: String,
    pub hint: Option<String>,
}

impl UserError {
    pub fn new(message: impl Into<String>) -> Self {
        UserError {
            message: message.into(),
            hint: None,
        }
    }

    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Prints the error on stderr in the form `error: …` / `hint: …`.
    pub fn print(&self, program: &str) {
        let mut stderr = io::stderr().lock();
        let _ = writeln!(stderr, "{program}: error: {}", self.message);
        if let Some(hint) = &self.hint {
            let _ = writeln!(stderr, "hint: {hint}");
        }
    }
}

impl<E: std::error::Error> From<E> for UserError {
    fn from(error: E) -> Self {
        UserError::new(error.to_string())
    }
}

/// Writes `text` to stdout. A reader that went away (`roadmap list | head`) is not an error.
pub fn write_stdout(text: &[u8]) -> Result<(), UserError> {
    let mut stdout = io::stdout().lock();
    match stdout.write_all(text).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            Err(UserError::new(format!("writing output: {e}")))
        }
        _ => Ok(()),
    }
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

fn terminal_width() -> Option<usize> {
    use std::io::IsTerminal;
    if !io::stdout().is_terminal() {
        return None;
    }
    // SAFETY: TIOCGWINSZ writes one `winsize` into the struct we pass and nothing else.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0;
    (ok && size.ws_col > 0).then_some(usize::from(size.ws_col))
}

/// Finds the one issue whose id starts with `id`, or says why there is none.
pub fn resolve_id(
    cache: &crate::cache::Cache,
    id: &str,
) -> Result<crate::cache::query::IssueDetail, UserError> {
    let prefix = id.trim().to_ascii_lowercase();
    let mut found = cache.issues_with_id_prefix(&prefix)?;
    match found.len() {
        0 => Err(UserError::new(format!("no issue with id `{id}`"))
            .with_hint("run `roadmap list --all` to see every id")),
        1 => Ok(found.remove(0)),
        _ => {
            let candidates: Vec<String> = found
                .iter()
                .map(|d| format!("{} ({})", d.row.id, d.row.title))
                .collect();
            Err(UserError::new(format!(
                "id prefix `{id}` is ambiguous: {}",
                candidates.join(", ")
            )))
        }
    }
}

/// The user's view of a failure to open the cache.
#[must_use]
pub fn explain_freshness(error: crate::freshness::FreshnessError) -> UserError {
    use crate::freshness::FreshnessError;
    match error {
        FreshnessError::NoCache => UserError::new("no issue cache for this repository yet")
            .with_hint("run `roadmap-hooks install` to build it and keep it current (or `roadmap-hooks sync` once)"),
        FreshnessError::NotARepository(dir) => UserError::new(format!("not in a git repository: {dir}")),
        other => UserError::new(other.to_string()).with_hint("run `roadmap-hooks sync --full` to rebuild the cache"),
    }
}

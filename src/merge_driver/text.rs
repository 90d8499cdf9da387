//! Line-by-line merges by git's own `git merge-file`: the issue body, and whole files the
//! field merge cannot read. Also what the merge is told by git beyond the three files: the
//! conflict style (`merge.conflictStyle`) and a `-X ours|theirs` given to the git command.

use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

/// How conflicts are written and resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub marker_size: usize,
    pub base_label: String,
    pub ours_label: String,
    pub theirs_label: String,
    /// `merge.conflictStyle`.
    pub style: Style,
    pub favor: Option<Favor>,
    /// git is merging two merge bases into a virtual one (a criss-cross merge), not files
    /// anyone will see: a field the bases disagree on is left out rather than marked.
    pub virtual_base: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            marker_size: 7,
            base_label: "base".to_owned(),
            ours_label: "ours".to_owned(),
            theirs_label: "theirs".to_owned(),
            style: Style::Merge,
            favor: None,
            virtual_base: false,
        }
    }
}

/// How conflicts are written: `merge.conflictStyle`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Ours and theirs (git's default).
    Merge,
    /// The base too.
    Diff3,
    /// The base too, lines common to both sides moved out of the conflict (bodies only; a
    /// field conflict is written as `Diff3`).
    Zdiff3,
}

/// A side given with `-X ours`, `-X theirs` or `-X union`: conflicts resolve to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Favor {
    Ours,
    Theirs,
    Union,
}

impl Options {
    /// Writes one conflict between `ours` and `theirs` (each whole lines) with git's markers.
    #[must_use]
    pub fn conflict(&self, base: &str, ours: &str, theirs: &str) -> String {
        let marker = |c: char, label: &str| {
            let mut line = c.to_string().repeat(self.marker_size);
            if !label.is_empty() {
                line.push(' ');
                line.push_str(label);
            }
            line.push('\n');
            line
        };
        let mut out = marker('<', &self.ours_label) + ours;
        if self.style != Style::Merge {
            out += &(marker('|', &self.base_label) + base);
        }
        out + &marker('=', "") + theirs + &marker('>', &self.theirs_label)
    }
}

/// The result of a text merge: the text, and how many conflicts it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    pub text: String,
    pub conflicts: usize,
}

/// Merges three texts with `git merge-file -p`; bytes that are not UTF-8 are replaced.
pub fn merge_text(base: &str, ours: &str, theirs: &str, options: &Options) -> io::Result<Merged> {
    if ours == theirs || base == theirs {
        return Ok(Merged {
            text: ours.to_owned(),
            conflicts: 0,
        });
    }
    if base == ours {
        return Ok(Merged {
            text: theirs.to_owned(),
            conflicts: 0,
        });
    }
    let dir = TempDir::new()?;
    let [b, o, t] = ["base", "ours", "theirs"].map(|name| dir.0.join(name));
    std::fs::write(&b, base)?;
    std::fs::write(&o, ours)?;
    std::fs::write(&t, theirs)?;
    let output = merge_file_command(options, &o, &b, &t).arg("-p").output()?;
    let conflicts = exit_conflicts(output.status)?;
    Ok(Merged {
        text: String::from_utf8_lossy(&output.stdout).into_owned(),
        conflicts,
    })
}

/// Merges the files in place (the result goes to `ours`), as git would without our driver.
/// Returns the number of conflicts.
pub fn merge_files_in_place(
    base: &Path,
    ours: &Path,
    theirs: &Path,
    options: &Options,
) -> io::Result<usize> {
    let status = merge_file_command(options, ours, base, theirs).status()?;
    exit_conflicts(status)
}

fn merge_file_command(options: &Options, ours: &Path, base: &Path, theirs: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .arg("merge-file")
        .arg(format!("--marker-size={}", options.marker_size))
        .args([
            "-L",
            &options.ours_label,
            "-L",
            &options.base_label,
            "-L",
            &options.theirs_label,
        ]);
    match options.style {
        Style::Merge => {}
        Style::Diff3 => {
            command.arg("--diff3");
        }
        Style::Zdiff3 => {
            command.arg("--zdiff3");
        }
    }
    match options.favor {
        Some(Favor::Ours) => command.arg("--ours"),
        Some(Favor::Theirs) => command.arg("--theirs"),
        Some(Favor::Union) => command.arg("--union"),
        None => &mut command,
    };
    command.arg(ours).arg(base).arg(theirs);
    command
}

/// `git merge-file` exits with the number of conflicts, or a negative number on an error.
fn exit_conflicts(status: std::process::ExitStatus) -> io::Result<usize> {
    match status.code() {
        Some(code @ 0..=127) => Ok(code as usize),
        _ => Err(io::Error::other(format!("git merge-file failed: {status}"))),
    }
}

/// `merge.conflictStyle` as git sees it (`git -c` included); git's default when unset.
#[must_use]
pub fn configured_style() -> Style {
    let value = Command::new("git")
        .args(["config", "--get", "merge.conflictStyle"])
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .unwrap_or_default();
    match value.as_str() {
        "diff3" => Style::Diff3,
        "zdiff3" => Style::Zdiff3,
        _ => Style::Merge,
    }
}

/// The `-X` option of the git command that runs the driver, read from its command line (git
/// does not pass it to merge drivers). Linux only; elsewhere `None`.
#[must_use]
pub fn favor_of_git_command() -> Option<Favor> {
    let mut pid = std::os::unix::process::parent_id();
    // The driver runs under `sh -c` under git (or git under git, as `pull` runs `merge`).
    for _ in 0..4 {
        let args = process_args(pid)?;
        let program = args
            .first()?
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        if program == "git" || program.starts_with("git-") {
            return favor_in(&args[1..]);
        }
        pid = parent_of(pid)?;
    }
    None
}

fn process_args(pid: u32) -> Option<Vec<String>> {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    Some(
        raw.split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect(),
    )
}

fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (name) state ppid ...`; the name may hold spaces and parentheses.
    stat.rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// The last `-X ours|theirs|union` in a git command's arguments.
fn favor_in(args: &[String]) -> Option<Favor> {
    let mut favor = None;
    let mut args = args.iter().peekable();
    while let Some(arg) = args.next() {
        let value = match arg.as_str() {
            "-X" | "--strategy-option" => args.next().map(String::as_str),
            "--" => break,
            other => other
                .strip_prefix("--strategy-option=")
                .or_else(|| other.strip_prefix("-X")),
        };
        match value {
            Some("ours") => favor = Some(Favor::Ours),
            Some("theirs") => favor = Some(Favor::Theirs),
            Some("union") => favor = Some(Favor::Union),
            _ => {}
        }
    }
    favor
}

/// A temporary folder removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> io::Result<Self> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path =
            std::env::temp_dir().join(format!("roadmap-merge-{}-{nanos}", std::process::id()));
        std::fs::create_dir(&path)?;
        Ok(TempDir(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn favor_is_read_from_every_spelling_of_the_option() {
        let args = |line: &str| line.split(' ').map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(favor_in(&args("merge -X ours feature")), Some(Favor::Ours));
        assert_eq!(favor_in(&args("rebase -Xtheirs main")), Some(Favor::Theirs));
        assert_eq!(
            favor_in(&args("merge --strategy-option=union x")),
            Some(Favor::Union)
        );
        assert_eq!(
            favor_in(&args("merge --strategy-option theirs x")),
            Some(Favor::Theirs)
        );
        assert_eq!(favor_in(&args("merge -X patience x")), None);
        assert_eq!(favor_in(&args("merge -- -Xours")), None);
    }

    #[test]
    fn body_conflicts_are_written_by_git_in_the_style_asked_for() {
        let mut options = Options::default();
        let (base, ours, theirs) = ("a\nb\nc\n", "a\nB\nc\n", "a\nX\nc\n");
        let merged = merge_text(base, ours, theirs, &options).unwrap();
        assert_eq!(
            (merged.text.as_str(), merged.conflicts),
            ("a\n<<<<<<< ours\nB\n=======\nX\n>>>>>>> theirs\nc\n", 1)
        );
        options.style = Style::Diff3;
        let merged = merge_text(base, ours, theirs, &options).unwrap();
        assert!(
            merged.text.contains("B\n||||||| base\nb\n=======\n"),
            "{}",
            merged.text
        );
        options.favor = Some(Favor::Theirs);
        let merged = merge_text(base, ours, theirs, &options).unwrap();
        assert_eq!((merged.text.as_str(), merged.conflicts), ("a\nX\nc\n", 0));
        let apart = merge_text("a\nb\nc\n", "A\nb\nc\n", "a\nb\nC", &Options::default()).unwrap();
        assert_eq!((apart.text.as_str(), apart.conflicts), ("A\nb\nC", 0));
    }

    #[test]
    fn conflicts_use_the_marker_size_and_style() {
        let mut options = Options {
            marker_size: 3,
            ..Options::default()
        };
        assert_eq!(
            options.conflict("b\n", "o\n", "t\n"),
            "<<< ours\no\n===\nt\n>>> theirs\n"
        );
        options.style = Style::Diff3;
        assert_eq!(
            options.conflict("b\n", "o\n", "t\n"),
            "<<< ours\no\n||| base\nb\n===\nt\n>>> theirs\n"
        );
    }
}

//! Which release of the tracker stands behind us, known without starting Python on every
//! command: served answers follow that release's outputs, and a release we do not know gets
//! every command.
//!
//! The version comes from the package metadata beside the interpreter the tracker's script
//! names in its `#!` line (`roadmap_cli-0.3.1.dist-info` in the venv pipx made), which costs a
//! few file reads. Only when there is none (an unusual install) is `roadmap --version` run,
//! once: its answer is remembered in the git dir, keyed by the executable's path, size and
//! modification time, so an upgrade (which rewrites the script) is noticed.

use super::{FORWARDED_ENV, Tracker};
use crate::lines::{self, Line};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// The tracker's release: its version as its package records it, and the line it follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// `0.3.1`; what `--version` printed when no package metadata was found.
    pub version: String,
    /// `None` for a release we do not know.
    pub line: Option<Line>,
}

impl Release {
    fn new(version: String) -> Self {
        let line = lines::tracker_line(&version);
        Release { version, line }
    }
}

/// The release of `tracker`; `memo_dir` (the repository's `<git dir>/roadmap`) keeps the
/// answer of a `--version` run. `None` when neither the metadata nor `--version` tells.
#[must_use]
pub fn release(tracker: &Tracker, memo_dir: Option<&Path>) -> Option<Release> {
    let executable = tracker
        .path
        .canonicalize()
        .unwrap_or_else(|_| tracker.path.clone());
    if let Some(version) = installed_version(&executable) {
        return Some(Release::new(version));
    }
    let key = memo_key(&executable)?;
    let memo = memo_dir.map(|dir| dir.join(MEMO_FILE));
    if let Some(version) = memo.as_deref().and_then(|memo| remembered(memo, &key)) {
        return Some(Release::new(version));
    }
    let version = asked_version(&tracker.path)?;
    if let Some(memo) = &memo {
        remember(memo, &key, &version);
    }
    Some(Release::new(version))
}

/// `roadmap-cli 0.3.1, 0.2 contract (roadmap-cli 0.2+)`, or why the release is unknown.
#[must_use]
pub fn describe(release: Option<&Release>) -> String {
    match release {
        Some(Release {
            version,
            line: Some(line),
        }) => format!("roadmap-cli {version}, {}", line.describe()),
        Some(Release {
            version,
            line: None,
        }) => format!(
            "roadmap-cli {version}, a release we do not know (every tracker command goes to it)"
        ),
        None => {
            "a roadmap whose release we cannot tell (every tracker command goes to it)".to_owned()
        }
    }
}

const MEMO_FILE: &str = "tracker-release";
/// The distribution's name as pip writes it in `*.dist-info` folder names.
const DIST_PREFIX: &str = "roadmap_cli-";

/// The version in the `roadmap_cli-X.dist-info` folder of the environment whose interpreter
/// `executable`'s `#!` line names (a venv's `bin/python`, or a system one).
fn installed_version(executable: &Path) -> Option<String> {
    let interpreter = shebang_interpreter(executable)?;
    let prefix = interpreter.parent()?.parent()?;
    site_packages(prefix)
        .into_iter()
        .find_map(|folder| dist_info_version(&folder))
}

/// The interpreter of a script's `#!` line, as written: a venv's `bin/python` is a link to the
/// base interpreter, whose prefix holds other packages, so it is not resolved. `/usr/bin/env
/// python3` names no prefix; such a script falls back to `--version`.
fn shebang_interpreter(executable: &Path) -> Option<PathBuf> {
    let mut head = [0u8; 256];
    let read = fs::File::open(executable).ok()?.read(&mut head).ok()?;
    let line = head[..read].strip_prefix(b"#!")?;
    let line = line.split(|&b| b == b'\n').next()?;
    let interpreter = std::str::from_utf8(line).ok()?.split_whitespace().next()?;
    let interpreter = PathBuf::from(interpreter);
    (!interpreter.ends_with("env")).then_some(interpreter)
}

/// `<prefix>/lib/python3.*/{site,dist}-packages`, and the same under `<prefix>/local`.
fn site_packages(prefix: &Path) -> Vec<PathBuf> {
    let mut folders = Vec::new();
    for lib in [prefix.join("lib"), prefix.join("local/lib")] {
        let Ok(entries) = fs::read_dir(&lib) else {
            continue;
        };
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with("python3") {
                folders.push(entry.path().join("site-packages"));
                folders.push(entry.path().join("dist-packages"));
            }
        }
    }
    folders
}

fn dist_info_version(site_packages: &Path) -> Option<String> {
    fs::read_dir(site_packages)
        .ok()?
        .flatten()
        .find_map(|entry| {
            let name = entry.file_name();
            let name = name.to_str()?;
            let version = name.strip_prefix(DIST_PREFIX)?.strip_suffix(".dist-info")?;
            Some(version.to_owned())
        })
}

/// What identifies one installed tracker: its path, size and modification time.
fn memo_key(executable: &Path) -> Option<String> {
    let meta = fs::metadata(executable).ok()?;
    let modified = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    Some(format!(
        "{}\t{}\t{}",
        executable.display(),
        meta.len(),
        modified.as_nanos()
    ))
}

fn remembered(memo: &Path, key: &str) -> Option<String> {
    let text = fs::read_to_string(memo).ok()?;
    let (stored_key, version) = text.trim_end().rsplit_once('\t')?;
    (stored_key == key).then(|| version.to_owned())
}

/// Best effort: a memo that cannot be written means `--version` runs again next time.
fn remember(memo: &Path, key: &str, version: &str) {
    let temporary = memo.with_extension(format!("tmp.{}", std::process::id()));
    if let Some(folder) = memo.parent() {
        let _ = fs::create_dir_all(folder);
    }
    if fs::write(&temporary, format!("{key}\t{version}\n")).is_ok()
        && fs::rename(&temporary, memo).is_err()
    {
        let _ = fs::remove_file(&temporary);
    }
}

/// The last word of the first line of `roadmap --version` (`roadmap, version 0.3.1`).
fn asked_version(path: &Path) -> Option<String> {
    let output = std::process::Command::new(path)
        .arg("--version")
        .env(FORWARDED_ENV, "1")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let word = text.lines().next()?.split_whitespace().last()?;
    word.chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit())
        .then(|| word.to_owned())
}

//! Registering the merge driver: `merge.roadmap.*` in the repository's own config and a marked
//! block in `$GIT_COMMON_DIR/info/attributes` (shared by linked worktrees, never committed).
//!
//! The driver command checks that the binary is still there and otherwise runs
//! `git merge-file`, so a moved or deleted binary never makes a merge fail: it merges as git
//! would without us.

use super::{HookError, git};
use crate::durable::Folders;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The driver's name in `merge.<name>.*` and `merge=<name>`.
pub const DRIVER: &str = "roadmap";
const NAME: &str = "roadmap issue files, field by field (roadmap-hooks)";
const BLOCK_START: &str = "# >>> roadmap-hooks merge driver >>>";
const BLOCK_END: &str = "# <<< roadmap-hooks merge driver <<<";
/// The folders whose Markdown files the driver merges.
const PATTERNS: &[&str] = &[
    "/.roadmap/issues/**/*.md",
    "/.roadmap/archive/**/*.md",
    "/.roadmap/milestones/**/*.md",
    "/.roadmap/projects/**/*.md",
];

/// Returns the `merge.roadmap.driver` command for the binary at `binary`.
#[must_use]
pub fn driver_command(binary: &str) -> String {
    let binary = super::script::shell_quote(binary);
    format!(
        "if [ -x {binary} ]; then {binary} merge-driver %O %A %B %P %L %S %X %Y; \
         else git merge-file --marker-size=%L -L %X -L %S -L %Y %A %O %B; fi"
    )
}

/// The binary a driver command runs, when it is ours.
#[must_use]
pub fn binary_in_command(command: &str) -> Option<String> {
    let quoted = command
        .strip_prefix("if [ -x ")?
        .split(" ]; then ")
        .next()?;
    Some(super::script::shell_unquote(quoted))
}

/// The attributes block that sends the roadmap folders to the driver.
#[must_use]
pub fn attributes_block() -> String {
    let mut block = format!("{BLOCK_START}\n");
    for pattern in PATTERNS {
        block.push_str(&format!("{pattern} merge={DRIVER}\n"));
    }
    block.push_str(BLOCK_END);
    block.push('\n');
    block
}

/// Whether each half of the registration is in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// `merge.roadmap.driver`, when set.
    pub command: Option<String>,
    /// The binary that command runs, when it is ours.
    pub binary: Option<String>,
    /// Our block is in `info/attributes`.
    pub attributes: bool,
    pub attributes_path: PathBuf,
}

impl Registration {
    /// Both halves are there and the command is ours.
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.binary.is_some() && self.attributes
    }

    /// Neither half is there.
    #[must_use]
    pub fn is_absent(&self) -> bool {
        self.command.is_none() && !self.attributes
    }
}

/// Reads the registration of the repository at `work_dir`.
pub fn state(work_dir: &Path) -> Result<Registration, HookError> {
    let command = config_get(work_dir, "driver")?;
    let attributes_path = attributes_path(work_dir)?;
    let attributes = find_block(&read_attributes(&attributes_path)?).is_some();
    Ok(Registration {
        binary: command.as_deref().and_then(binary_in_command),
        command,
        attributes,
        attributes_path,
    })
}

/// What `install` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registered {
    Added,
    Updated,
    Unchanged,
    /// `merge.roadmap.driver` is someone else's command; nothing was changed.
    Foreign,
}

/// Registers the driver running `binary`; changes nothing already right, and nothing at all
/// when `merge.roadmap.driver` is a command of someone else's.
pub fn install(work_dir: &Path, binary: &str) -> Result<Registered, HookError> {
    let before = state(work_dir)?;
    if before.command.is_some() && before.binary.is_none() {
        return Ok(Registered::Foreign);
    }
    let command = driver_command(binary);
    let mut changed = false;
    if config_get(work_dir, "name")?.as_deref() != Some(NAME) {
        git(work_dir, &["config", "--local", &key("name"), NAME])?;
        changed = true;
    }
    if before.command.as_deref() != Some(command.as_str()) {
        git(work_dir, &["config", "--local", &key("driver"), &command])?;
        changed = true;
    }
    if !before.attributes {
        let path = &before.attributes_path;
        // Every byte already there is kept, whatever its encoding: git reads this file as
        // bytes, and a user's lines are not ours to drop.
        let mut bytes = read_attributes(path)?;
        if !bytes.is_empty() && !bytes.ends_with(b"\n") {
            bytes.push(b'\n');
        }
        bytes.extend_from_slice(attributes_block().as_bytes());
        write_attributes(path, &bytes)?;
        changed = true;
    }
    Ok(match (changed, before.is_absent()) {
        (false, _) => Registered::Unchanged,
        (true, true) => Registered::Added,
        (true, false) => Registered::Updated,
    })
}

/// Removes the config section (when it is ours) and our attributes block; returns whether
/// anything was there. An attributes file left empty is deleted.
pub fn uninstall(work_dir: &Path) -> Result<bool, HookError> {
    let before = state(work_dir)?;
    if before.binary.is_some() {
        git(
            work_dir,
            &[
                "config",
                "--local",
                "--remove-section",
                &format!("merge.{DRIVER}"),
            ],
        )?;
    }
    if before.attributes {
        let path = &before.attributes_path;
        let mut bytes = read_attributes(path)?;
        if let Some(start) = find_block(&bytes) {
            bytes.drain(start..start + attributes_block().len());
        }
        if bytes.is_empty() {
            remove_attributes(path)?;
        } else {
            write_attributes(path, &bytes)?;
        }
    }
    Ok(before.binary.is_some() || before.attributes)
}

/// The bytes of `info/attributes`; none when it does not exist. Any other read error stops
/// the caller: writing after a failed read would replace a file we could not see.
fn read_attributes(path: &Path) -> Result<Vec<u8>, HookError> {
    match fs::read(path) {
        Ok(bytes) => Ok(bytes),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(source) => Err(io_error(path, source)),
    }
}

/// Where our block starts in `bytes`.
fn find_block(bytes: &[u8]) -> Option<usize> {
    memchr::memmem::find(bytes, attributes_block().as_bytes())
}

/// Replaces `path` with `bytes` atomically: a temporary file beside it, written, fsynced, given
/// the old file's permissions and renamed over it, then the folder fsynced. A crash leaves the
/// old file or the new one, never a truncated one.
fn write_attributes(path: &Path, bytes: &[u8]) -> Result<(), HookError> {
    let folder = path.parent().expect("info/attributes has a parent folder");
    let temporary = folder.join(format!(".attributes.roadmap-hooks.{}", std::process::id()));
    let mut folders = Folders::new();
    let written = (|| {
        folders.create_dir_all(folder)?;
        let mut file = fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        if let Ok(old) = fs::metadata(path) {
            file.set_permissions(old.permissions())?;
        }
        file.sync_all()?;
        folders.rename(&temporary, path)?;
        folders.sync()
    })();
    if let Err(source) = written {
        let _ = fs::remove_file(&temporary);
        return Err(io_error(path, source));
    }
    Ok(())
}

/// Removes `path` and fsyncs its folder, so the removal survives a crash.
fn remove_attributes(path: &Path) -> Result<(), HookError> {
    let mut folders = Folders::new();
    folders
        .unlink(path)
        .and_then(|()| folders.sync())
        .map_err(|source| io_error(path, source))
}

fn io_error(path: &Path, source: io::Error) -> HookError {
    HookError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn key(name: &str) -> String {
    format!("merge.{DRIVER}.{name}")
}

/// A local config value; `None` when unset.
fn config_get(work_dir: &Path, name: &str) -> Result<Option<String>, HookError> {
    match git(work_dir, &["config", "--local", "--get", &key(name)]) {
        Ok(value) => Ok(Some(value)),
        // `git config --get` exits 1 for a key that is not set.
        Err(HookError::Git { message, .. }) if message.is_empty() => Ok(None),
        Err(e) => Err(e),
    }
}

/// `info/attributes` in the common git dir, which every worktree of the repository reads.
fn attributes_path(work_dir: &Path) -> Result<PathBuf, HookError> {
    let common = git(
        work_dir,
        &["rev-parse", "--path-format=absolute", "--git-common-dir"],
    )?;
    Ok(PathBuf::from(common).join("info").join("attributes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_binary_is_read_back_from_the_command() {
        for binary in ["/usr/bin/roadmap-hooks", "/home/a b/it's/roadmap-hooks"] {
            assert_eq!(
                binary_in_command(&driver_command(binary)).as_deref(),
                Some(binary)
            );
        }
        assert_eq!(binary_in_command("cat %A"), None);
    }
}

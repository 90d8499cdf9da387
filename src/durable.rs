//! Changes to folder entries (rename, link, unlink, new folders) that must survive a power cut.
//!
//! rename(2), link(2) and unlink(2) change the folder, not the file: until the folder itself is
//! fsynced, a crash may bring back the old entry or lose the new one, although the file's data
//! was synced. A [`Folders`] batch makes each change and remembers its folder; [`Folders::sync`]
//! fsyncs each folder once, so a write of a thousand files into one folder costs one fsync. A
//! batch dropped without `sync` (an error path) still fsyncs what it changed, best effort.
//!
//! For tests only: `ROADMAP_TEST_FS_TRACE=FILE` appends one line per change and per folder
//! fsync (`rename FROM TO`, `link FROM TO`, `unlink PATH`, `mkdir DIR`, `fsync-dir DIR`), and
//! `ROADMAP_TEST_FS_FAIL=STEP[,STEP]` makes the named steps of a write fail (see [`fail_point`]).

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

/// The environment variable naming the trace file of the tests.
pub const TRACE_VAR: &str = "ROADMAP_TEST_FS_TRACE";
/// The environment variable naming the steps the tests make fail.
pub const FAIL_VAR: &str = "ROADMAP_TEST_FS_FAIL";

/// The folders a batch of changes touched, each to be fsynced once.
#[derive(Debug, Default)]
pub struct Folders {
    changed: Vec<PathBuf>,
}

impl Folders {
    #[must_use]
    pub fn new() -> Self {
        Folders::default()
    }

    /// Renames `from` to `to`, replacing `to` if it exists.
    pub fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        fs::rename(from, to)?;
        self.changed_entry(from);
        self.changed_entry(to);
        trace(&format!("rename {} {}", from.display(), to.display()));
        Ok(())
    }

    /// Renames `from` to `to` in one step, failing with `AlreadyExists` if `to` exists: the
    /// file is at one path or the other, never at both and never lost.
    pub fn rename_new(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        rename_noreplace(from, to)?;
        self.changed_entry(from);
        self.changed_entry(to);
        trace(&format!("rename {} {}", from.display(), to.display()));
        Ok(())
    }

    /// Links `to` to the file `from`; fails with `AlreadyExists` if `to` exists.
    pub fn link(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        fs::hard_link(from, to)?;
        self.changed_entry(to);
        trace(&format!("link {} {}", from.display(), to.display()));
        Ok(())
    }

    /// Removes the file `path`.
    pub fn unlink(&mut self, path: &Path) -> io::Result<()> {
        fs::remove_file(path)?;
        self.changed_entry(path);
        trace(&format!("unlink {}", path.display()));
        Ok(())
    }

    /// Creates `dir` and its missing parents; each new folder's entry is in the folder above.
    pub fn create_dir_all(&mut self, dir: &Path) -> io::Result<()> {
        let mut missing = Vec::new();
        let mut at = dir;
        while !at.is_dir() {
            missing.push(at.to_owned());
            match at.parent() {
                Some(parent) => at = parent,
                None => break,
            }
        }
        fs::create_dir_all(dir)?;
        for created in missing.iter().rev() {
            self.changed_entry(created);
            trace(&format!("mkdir {}", created.display()));
        }
        Ok(())
    }

    /// Fsyncs every folder changed since the last call, each once.
    pub fn sync(&mut self) -> io::Result<()> {
        let mut first_error = None;
        for dir in std::mem::take(&mut self.changed) {
            let synced = fs::File::open(&dir).and_then(|folder| folder.sync_all());
            match synced {
                Ok(()) => trace(&format!("fsync-dir {}", dir.display())),
                Err(error) => {
                    first_error.get_or_insert(io::Error::new(
                        error.kind(),
                        format!("syncing folder {}: {error}", dir.display()),
                    ));
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    fn changed_entry(&mut self, path: &Path) {
        let dir = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
            _ => PathBuf::from("."),
        };
        if !self.changed.contains(&dir) {
            self.changed.push(dir);
        }
    }
}

impl Drop for Folders {
    fn drop(&mut self) {
        let _ = self.sync();
    }
}

#[cfg(target_os = "linux")]
fn rename_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    use std::os::unix::ffi::OsStrExt as _;
    let cstring = |path: &Path| {
        std::ffi::CString::new(path.as_os_str().as_bytes())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a path with a NUL byte"))
    };
    let (c_from, c_to) = (cstring(from)?, cstring(to)?);
    // SAFETY: both are valid NUL-terminated paths; AT_FDCWD resolves them like rename(2).
    let result = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            c_from.as_ptr(),
            libc::AT_FDCWD,
            c_to.as_ptr(),
            libc::RENAME_NOREPLACE,
        )
    };
    if result == 0 {
        return Ok(());
    }
    let error = io::Error::last_os_error();
    match error.raw_os_error() {
        // A file system or kernel without the flag: check, then rename.
        Some(libc::EINVAL | libc::ENOSYS) => rename_if_absent(from, to),
        _ => Err(error),
    }
}

#[cfg(not(target_os = "linux"))]
fn rename_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    rename_if_absent(from, to)
}

/// The fallback of [`rename_noreplace`]: the check and the rename are two steps, so a file
/// another program creates at `to` in between is replaced (our own writers hold the lock).
fn rename_if_absent(from: &Path, to: &Path) -> io::Result<()> {
    if fs::symlink_metadata(to).is_ok() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} exists", to.display()),
        ));
    }
    fs::rename(from, to)
}

/// For tests: fails when `ROADMAP_TEST_FS_FAIL` names `step`. Steps: `move` (taking a moved
/// file from its old path), `move-rollback` (putting it back after that failed).
pub fn fail_point(step: &str) -> io::Result<()> {
    match std::env::var(FAIL_VAR) {
        Ok(steps) if steps.split(',').any(|s| s.trim() == step) => Err(io::Error::other(format!(
            "failed on purpose at step `{step}` ({FAIL_VAR})"
        ))),
        _ => Ok(()),
    }
}

/// For tests: appends `line` to the file `ROADMAP_TEST_FS_TRACE` names, if it names one.
fn trace(line: &str) {
    let Some(path) = std::env::var_os(TRACE_VAR) else {
        return;
    };
    if let Ok(mut file) = fs::OpenOptions::new().create(true).append(true).open(path) {
        let _ = writeln!(file, "{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rename_new_never_replaces_and_each_folder_is_synced_once() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b, c) = (
            dir.path().join("a"),
            dir.path().join("b"),
            dir.path().join("c"),
        );
        fs::write(&a, "a").unwrap();
        fs::write(&b, "b").unwrap();
        let mut folders = Folders::new();
        let refused = folders.rename_new(&a, &b).unwrap_err();
        assert_eq!(refused.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read_to_string(&b).unwrap(), "b");
        folders.rename_new(&a, &c).unwrap();
        assert!(!a.exists() && fs::read_to_string(&c).unwrap() == "a");
        folders.unlink(&b).unwrap();
        assert_eq!(folders.changed, [dir.path().to_owned()]);
        folders.sync().unwrap();
        assert!(folders.changed.is_empty());
    }

    #[test]
    fn new_folders_are_entries_of_the_folder_above() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("x/y");
        let mut folders = Folders::new();
        folders.create_dir_all(&deep).unwrap();
        assert_eq!(
            folders.changed,
            [dir.path().to_owned(), dir.path().join("x")]
        );
    }

    /// The write paths go through [`Folders`]; a direct call would skip the folder's fsync.
    #[test]
    fn the_write_paths_change_folders_only_through_this_module() {
        for (name, source) in [
            ("workspace/write.rs", include_str!("workspace/write.rs")),
            ("workspace/files.rs", include_str!("workspace/files.rs")),
            ("pending.rs", include_str!("pending.rs")),
        ] {
            let code = source.split("#[cfg(test)]").next().unwrap_or_default();
            for call in ["fs::rename(", "fs::hard_link(", "fs::remove_file("] {
                assert!(!code.contains(call), "{name} calls {call} directly");
            }
        }
    }
}

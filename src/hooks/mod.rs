//! Installing, removing and inspecting our git hooks.
//!
//! Hooks go where git really runs them (`git rev-parse --git-path hooks`, which honours
//! `core.hooksPath` and linked worktrees). A hook that exists and is not ours keeps working:
//! an executable shell script gets our marked block; anything else (another language, a hook
//! turned off by its mode, a symbolic link) is renamed and chained to. Uninstall takes out
//! exactly what install put in. The merge driver's registration (config and attributes) is
//! in `merge_config`.

pub mod merge_config;
pub mod script;

use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The hooks `install` writes: together they see every commit, checkout, merge and rewrite.
pub const HOOKS: &[&str] = &[
    "post-commit",
    "post-checkout",
    "post-merge",
    "post-rewrite",
    "post-applypatch",
];

/// Opt-in only: git runs it for every ref update, which slows fetches of many refs.
pub const REFERENCE_TRANSACTION: &str = "reference-transaction";

#[derive(Debug, thiserror::Error)]
pub enum HookError {
    #[error("git is not on PATH; roadmap-hooks needs it to find the hooks directory")]
    GitMissing,
    #[error("`git {args}` failed in {dir}: {message}")]
    Git {
        args: String,
        dir: String,
        message: String,
    },
    #[error("{0} is a bare repository; roadmap-hooks needs a working tree")]
    Bare(String),
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
}

/// Where the hooks of a repository live, and facts that change how we may write there.
#[derive(Debug, Clone)]
pub struct HooksDir {
    pub path: PathBuf,
    /// Files in it are tracked by the repository (husky and the like).
    pub tracked: bool,
    /// It is outside the repository (a shared `core.hooksPath`): every repository using it runs our hooks.
    pub outside_repository: bool,
}

/// Finds the hooks directory of the repository at `repo_dir`, as git itself resolves it.
pub fn locate(repo_dir: &Path) -> Result<HooksDir, HookError> {
    if git(repo_dir, &["rev-parse", "--is-bare-repository"])? == "true" {
        return Err(HookError::Bare(repo_dir.display().to_string()));
    }
    let path = PathBuf::from(git(
        repo_dir,
        &["rev-parse", "--path-format=absolute", "--git-path", "hooks"],
    )?);
    let top = PathBuf::from(git(repo_dir, &["rev-parse", "--show-toplevel"])?);
    let common = PathBuf::from(git(
        repo_dir,
        &["rev-parse", "--path-format=absolute", "--git-common-dir"],
    )?);
    let canonical = fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
    let in_work_tree = canonical.starts_with(fs::canonicalize(&top).unwrap_or(top.clone()))
        && !canonical.starts_with(fs::canonicalize(&common).unwrap_or(common.clone()));
    let tracked = in_work_tree
        && !git(&top, &["ls-files", "--", &canonical.display().to_string()])?.is_empty();
    let outside_repository =
        !in_work_tree && !canonical.starts_with(fs::canonicalize(&common).unwrap_or(common));
    Ok(HooksDir {
        path,
        tracked,
        outside_repository,
    })
}

fn git(dir: &Path, args: &[&str]) -> Result<String, HookError> {
    let program = which::which("git").map_err(|_| HookError::GitMissing)?;
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|source| HookError::Io {
            path: dir.display().to_string(),
            source,
        })?;
    if !output.status.success() {
        return Err(HookError::Git {
            args: args.join(" "),
            dir: dir.display().to_string(),
            message: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// What a hook file holds, as far as we are concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookState {
    Missing,
    /// A file we created; the text is the block's first line (it names the version).
    Ours(String),
    /// The user's shell hook with our block in it.
    BlockInUserHook(String),
    /// Ours, chaining to the user's hook renamed with [`script::CHAINED_SUFFIX`].
    Chaining(String),
    /// A hook without our block.
    NotOurs,
}

impl HookState {
    /// Whether our block runs when git runs this hook.
    #[must_use]
    pub fn is_installed(&self) -> bool {
        matches!(
            self,
            HookState::Ours(_) | HookState::BlockInUserHook(_) | HookState::Chaining(_)
        )
    }
}

/// Reads what the hook `name` in `dir` holds.
pub fn state(dir: &Path, name: &str) -> HookState {
    let path = dir.join(name);
    let Ok(text) = fs::read(&path) else {
        return HookState::Missing;
    };
    let text = String::from_utf8_lossy(&text);
    let Some(range) = script::find_block(&text) else {
        return HookState::NotOurs;
    };
    let version = text[range.clone()]
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    let rest = format!("{}{}", &text[..range.start], &text[range.end..]);
    if script::is_our_new_hook(&rest) {
        HookState::Ours(version)
    } else if fs::symlink_metadata(dir.join(format!("{name}{}", script::CHAINED_SUFFIX))).is_ok() {
        HookState::Chaining(version)
    } else {
        HookState::BlockInUserHook(version)
    }
}

/// What `install` did to one hook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Installed {
    Created,
    AddedToUserHook,
    ChainedToUserHook,
    /// Chained to a hook that is not executable: git skipped it before and our hook still does.
    ChainedToSkippedHook,
    Updated,
    Unchanged,
}

/// Installs our block in the hook `name` in `dir`, calling `binary`.
pub fn install(dir: &Path, name: &str, binary: &str) -> Result<Installed, HookError> {
    let io_error = |path: &Path| {
        let path = path.display().to_string();
        move |source| HookError::Io { path, source }
    };
    fs::create_dir_all(dir).map_err(io_error(dir))?;
    let path = dir.join(name);
    let block = script::block(name, binary);
    if fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
        // Writing through the link would replace it with a copy of its target (and uninstall
        // could not bring the link back), so the link itself is set aside.
        return chain_to_user_hook(dir, name, &block);
    }
    let existing = match fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(io_error(&path)(e)),
    };
    let Some(existing) = existing else {
        write_hook(&path, &script::new_hook(&block), None).map_err(io_error(&path))?;
        return Ok(Installed::Created);
    };
    let text = String::from_utf8_lossy(&existing).into_owned();
    if let Some(range) = script::find_block(&text) {
        if text[range.clone()] == block {
            return Ok(Installed::Unchanged);
        }
        let updated = format!("{}{block}{}", &text[..range.start], &text[range.end..]);
        write_hook(&path, &updated, Some(&path)).map_err(io_error(&path))?;
        return Ok(Installed::Updated);
    }
    // In a hook git skips for not being executable, our block would never run.
    if is_executable(&path)
        && std::str::from_utf8(&existing).is_ok()
        && script::is_shell_script(&text)
    {
        write_hook(&path, &script::insert_block(&text, &block), Some(&path))
            .map_err(io_error(&path))?;
        return Ok(Installed::AddedToUserHook);
    }
    chain_to_user_hook(dir, name, &block)
}

/// Renames the user's hook `name` aside and puts ours in its place, which runs `block` and then
/// the user's hook, if git would have run it.
fn chain_to_user_hook(dir: &Path, name: &str, block: &str) -> Result<Installed, HookError> {
    let path = dir.join(name);
    let io_error = |source| HookError::Io {
        path: path.display().to_string(),
        source,
    };
    let runs = is_executable(&path);
    let chained_name = format!("{name}{}", script::CHAINED_SUFFIX);
    fs::rename(&path, dir.join(&chained_name)).map_err(io_error)?;
    write_hook(&path, &script::chain_hook(block, &chained_name), None).map_err(io_error)?;
    Ok(if runs {
        Installed::ChainedToUserHook
    } else {
        Installed::ChainedToSkippedHook
    })
}

/// Whether git runs the hook at `path`: it skips one that is not executable.
fn is_executable(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}

/// What `uninstall` did to one hook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uninstalled {
    Deleted,
    RemovedFromUserHook,
    RestoredUserHook,
    NotInstalled,
}

/// Takes our block out of the hook `name` in `dir`, restoring what was there before.
pub fn uninstall(dir: &Path, name: &str) -> Result<Uninstalled, HookError> {
    let path = dir.join(name);
    let io_error = |source| HookError::Io {
        path: path.display().to_string(),
        source,
    };
    let state = state(dir, name);
    match state {
        HookState::Missing | HookState::NotOurs => Ok(Uninstalled::NotInstalled),
        HookState::Ours(_) => {
            fs::remove_file(&path).map_err(io_error)?;
            Ok(Uninstalled::Deleted)
        }
        HookState::Chaining(_) => {
            let chained = dir.join(format!("{name}{}", script::CHAINED_SUFFIX));
            fs::rename(&chained, &path).map_err(io_error)?;
            Ok(Uninstalled::RestoredUserHook)
        }
        HookState::BlockInUserHook(_) => {
            let text = fs::read_to_string(&path).map_err(io_error)?;
            let without = script::remove_block(&text).unwrap_or(text);
            write_hook(&path, &without, Some(&path)).map_err(io_error)?;
            Ok(Uninstalled::RemovedFromUserHook)
        }
    }
}

/// Writes a hook atomically (temporary file, then rename), keeping `mode_from`'s permissions
/// or making a new hook executable.
fn write_hook(path: &Path, text: &str, mode_from: Option<&Path>) -> io::Result<()> {
    let mode = match mode_from {
        Some(existing) => fs::metadata(existing)?.permissions().mode(),
        None => 0o755,
    };
    let temporary = path.with_extension("roadmap-hooks-tmp");
    fs::write(&temporary, text)?;
    fs::set_permissions(&temporary, fs::Permissions::from_mode(mode))?;
    fs::rename(&temporary, path)
}

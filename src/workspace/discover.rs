//! Finding the repository exactly as git does (gitrepository-layout(5), git(1) ENVIRONMENT):
//! `GIT_DIR` (a directory or a gitfile), `GIT_WORK_TREE`, `GIT_COMMON_DIR`, `core.worktree`,
//! `core.bare`, `GIT_CEILING_DIRECTORIES`, and otherwise the walk up from the current directory
//! looking for `.git` (a directory or a gitfile) or a bare repository. File reads only: no git
//! process and no libgit2, so it costs a few `stat`s and works for every repository format.

use super::RepoDirs;
use std::path::{Path, PathBuf};

/// Why no usable repository was found.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("not in a git repository: {0}")]
    NotARepository(String),
    #[error("{} is a bare repository; roadmap-hooks needs a working tree", .0.display())]
    Bare(PathBuf),
    #[error("{path}: {message}")]
    BadGitFile { path: String, message: String },
}

/// Finds the repository for a process started in `cwd`, honouring git's environment.
pub fn discover(cwd: &Path) -> Result<RepoDirs, DiscoverError> {
    if let Some(git_dir) = env_path("GIT_DIR") {
        let git_dir = resolve_git_dir(&cwd.join(git_dir))?;
        let common_dir = common_dir(&git_dir);
        let work_dir = match env_path("GIT_WORK_TREE") {
            Some(work_tree) => cwd.join(work_tree),
            None => match config_work_tree(&git_dir, &common_dir)? {
                Some(work_tree) => work_tree,
                // git: with GIT_DIR and no work tree named, the current directory is its top.
                None => cwd.to_owned(),
            },
        };
        return Ok(RepoDirs::new(git_dir, common_dir, work_dir));
    }
    let ceilings = ceiling_directories();
    for dir in cwd.ancestors() {
        if ceilings.iter().any(|c| c == dir) && dir != cwd {
            break;
        }
        let dot_git = dir.join(".git");
        if dot_git.is_file() || is_git_dir(&dot_git) {
            let git_dir = resolve_git_dir(&dot_git)?;
            let common_dir = common_dir(&git_dir);
            let work_dir = match env_path("GIT_WORK_TREE") {
                Some(work_tree) => cwd.join(work_tree),
                None => config_work_tree(&git_dir, &common_dir)?.unwrap_or_else(|| dir.to_owned()),
            };
            return Ok(RepoDirs::new(git_dir, common_dir, work_dir));
        }
        if is_git_dir(dir) {
            return Err(DiscoverError::Bare(crate::repo_dirs::absolute(dir)));
        }
    }
    Err(DiscoverError::NotARepository(cwd.display().to_string()))
}

fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// `path` itself when it is a git directory, or the directory a gitfile there points at.
fn resolve_git_dir(path: &Path) -> Result<PathBuf, DiscoverError> {
    if !path.is_file() {
        if is_git_dir(path) {
            return Ok(crate::repo_dirs::absolute(path));
        }
        return Err(DiscoverError::NotARepository(path.display().to_string()));
    }
    let bad = |message: &str| DiscoverError::BadGitFile {
        path: path.display().to_string(),
        message: message.to_owned(),
    };
    let text = std::fs::read_to_string(path).map_err(|e| bad(&e.to_string()))?;
    let target = text
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("gitdir:"))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| bad("not a gitfile (expected `gitdir: PATH`)"))?;
    let target = path.parent().unwrap_or(Path::new(".")).join(target);
    if !is_git_dir(&target) {
        return Err(bad(&format!(
            "points at {}, which is not a git directory",
            target.display()
        )));
    }
    Ok(crate::repo_dirs::absolute(&target))
}

/// git's own test (setup.c `is_git_directory`): HEAD, and objects and refs here or in the
/// common directory.
fn is_git_dir(path: &Path) -> bool {
    if !path.join("HEAD").is_file() {
        return false;
    }
    let common = common_dir(path);
    common.join("objects").is_dir() && common.join("refs").is_dir()
}

fn common_dir(git_dir: &Path) -> PathBuf {
    if let Some(common) = env_path("GIT_COMMON_DIR") {
        return crate::repo_dirs::absolute(&common);
    }
    std::fs::read_to_string(git_dir.join("commondir")).map_or_else(
        |_| git_dir.to_owned(),
        |rel| crate::repo_dirs::absolute(&git_dir.join(rel.trim())),
    )
}

/// `core.worktree`, relative to the git dir; an error for `core.bare = true` (unless
/// `GIT_WORK_TREE` overrides it, handled by the caller first).
fn config_work_tree(git_dir: &Path, common_dir: &Path) -> Result<Option<PathBuf>, DiscoverError> {
    // A linked worktree never has core.bare / core.worktree of its own in the shared config.
    if git_dir != common_dir {
        return Ok(None);
    }
    let Ok(config) = git2::Config::open(&common_dir.join("config")) else {
        return Ok(None);
    };
    if let Ok(work_tree) = config.get_path("core.worktree") {
        return Ok(Some(crate::repo_dirs::absolute(&git_dir.join(work_tree))));
    }
    if config.get_bool("core.bare").unwrap_or(false) {
        return Err(DiscoverError::Bare(git_dir.to_owned()));
    }
    Ok(None)
}

fn ceiling_directories() -> Vec<PathBuf> {
    std::env::var_os("GIT_CEILING_DIRECTORIES")
        .map(|v| {
            std::env::split_paths(&v)
                .filter(|p| p.is_absolute())
                .map(|p| crate::repo_dirs::absolute(&p))
                .collect()
        })
        .unwrap_or_default()
}

//! Finding the Python tracker (`roadmap-cli`) whose command line ours stands in front of: the
//! `roadmap` that commands we do not serve are handed to.
//!
//! Order: `ROADMAP_TRACKER`, then `git config roadmap.tracker`, then the first `roadmap` on
//! `PATH` that is not this binary (canonical paths compared, so a symlink to us is skipped).
//!
//! `roadmap.tracker` names a program we run, so it is read as git reads `core.fsmonitor`: from
//! the repository's own config only when git would open the repository (the user owns it, or
//! lists it in `safe.directory`), and always from the user's own config.

pub mod release;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Set in the tracker's environment when we hand a command over, so a "tracker" that turns out
/// to be roadmap-hooks again (a copy of this binary) is caught instead of looping forever.
pub const FORWARDED_ENV: &str = "ROADMAP_HOOKS_FORWARDED";

/// Where the tracker was found, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tracker {
    pub path: PathBuf,
    pub source: TrackerSource,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackerSource {
    /// `ROADMAP_TRACKER`
    Environment,
    /// `git config roadmap.tracker`
    GitConfig,
    /// The first other `roadmap` on `PATH`
    Path,
}

/// Why the configured tracker cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TrackerError {
    #[error("{setting} names `{value}`, which is not an executable file")]
    NotFound {
        setting: &'static str,
        value: String,
    },
    #[error("{setting} names `{value}`, which is this roadmap-hooks binary itself")]
    IsUs {
        setting: &'static str,
        value: String,
    },
}

/// Finds the tracker; `Ok(None)` when none is configured and none is on `PATH`.
pub fn find(cwd: &Path) -> Result<Option<Tracker>, TrackerError> {
    let us = std::env::current_exe()
        .ok()
        .and_then(|p| p.canonicalize().ok());
    let configured = [
        (
            std::env::var_os("ROADMAP_TRACKER").filter(|v| !v.is_empty()),
            "ROADMAP_TRACKER",
            TrackerSource::Environment,
        ),
        (
            git_config_tracker(cwd).map(OsString::from),
            "git config roadmap.tracker",
            TrackerSource::GitConfig,
        ),
    ];
    for (value, setting, source) in configured {
        let Some(value) = value else { continue };
        let shown = value.to_string_lossy().into_owned();
        let path = which::which_in(&value, std::env::var_os("PATH"), cwd).map_err(|_| {
            TrackerError::NotFound {
                setting,
                value: shown.clone(),
            }
        })?;
        if us.is_some() && path.canonicalize().ok() == us {
            return Err(TrackerError::IsUs {
                setting,
                value: shown,
            });
        }
        return Ok(Some(Tracker { path, source }));
    }
    Ok(on_path(us.as_deref(), cwd).map(|path| Tracker {
        path,
        source: TrackerSource::Path,
    }))
}

/// The first `roadmap` on `PATH` whose canonical path is not `us`.
fn on_path(us: Option<&Path>, cwd: &Path) -> Option<PathBuf> {
    let candidates = which::which_in_all("roadmap", std::env::var_os("PATH"), cwd).ok()?;
    candidates
        .into_iter()
        .find(|candidate| candidate.canonicalize().ok().as_deref() != us)
}

/// `roadmap.tracker` from the repository's git config, or the user's own when outside one or
/// when the repository belongs to someone else.
fn git_config_tracker(cwd: &Path) -> Option<String> {
    // libgit2 refuses to open a repository another user owns unless `safe.directory` lists it
    // (`ErrorCode::Owner`), git's own rule; that refusal is what keeps a stranger's
    // `.git/config` from choosing a program for us to run. Never turn the check off here.
    let config = match git2::Repository::discover(cwd) {
        Ok(repo) => repo.config().ok()?,
        Err(_) => git2::Config::open_default().ok()?,
    };
    config
        .get_string("roadmap.tracker")
        .ok()
        .filter(|v| !v.is_empty())
}

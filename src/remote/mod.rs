//! Two-way sync with a remote tracker (GitHub Issues): read the baseline (`sync_base_state`),
//! the local files and the remote issues changed since the last sync; merge each issue three
//! ways (`merge`); plan (`plan`); apply to both sides (`apply`). HTTP goes through `http`.

pub mod apply;
pub mod config;
pub mod github;
pub mod http;
pub mod local_files;
pub mod mapping;
pub mod merge;
pub mod plan;

use crate::cache::query::{ListQuery, Scope, SortKey};
use crate::cache::remote::RemoteState;
use crate::cache::{Cache, CacheError};
use crate::issue::Issue;
use crate::layout::{RoadmapFile, classify};
use crate::workspace::{LockPurpose, Workspace};
use apply::{Applied, CURSOR_ROW, Direction, Target};
use config::SyncConfig;
use github::{GitHub, GitHubError};
use merge::{Conflict, Prefer};
use plan::{BaseState, Inputs, LocalIssue, Plan, Step};
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;

/// What `roadmap sync` was asked to do.
#[derive(Debug, Clone, Copy)]
pub struct SyncOptions {
    pub dry_run: bool,
    pub direction: Direction,
    pub prefer: Option<Prefer>,
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error("no GitHub token: set GITHUB_TOKEN (or GH_TOKEN)")]
    NoToken,
    #[error(transparent)]
    GitHub(#[from] GitHubError),
    #[error(transparent)]
    Freshness(#[from] crate::workspace::freshness::FreshnessError),
    #[error(transparent)]
    Lock(#[from] crate::workspace::LockError),
    #[error(transparent)]
    Cache(#[from] CacheError),
    #[error(transparent)]
    Apply(#[from] apply::ApplyError),
    #[error("another `roadmap sync` is running in this repository")]
    Busy,
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
}

/// One line of the plan as the user sees it.
#[derive(Debug, Clone, Serialize)]
pub struct PlanRow {
    /// `update`, `link`, `create-local`, `create-remote`, `close-remote`.
    pub action: &'static str,
    /// The local issue id; `None` for an issue still to be created locally.
    pub id: Option<String>,
    /// The GitHub issue number; `None` for an issue still to be created on GitHub.
    pub number: Option<u64>,
    pub title: String,
    /// Fields that change in the local file, and on GitHub.
    pub local: Vec<String>,
    pub remote: Vec<String>,
    pub conflicts: Vec<Conflict>,
}

/// The outcome of `roadmap sync`.
#[derive(Debug, Serialize)]
pub struct SyncSummary {
    pub dry_run: bool,
    pub plan: Vec<PlanRow>,
    pub warnings: Vec<String>,
    /// Conflicts no `--prefer` settled: neither side changed for those fields.
    pub unresolved_conflicts: usize,
    pub remote_writes: usize,
    pub local_files: usize,
    pub baselines: usize,
    /// GitHub API requests made, retries included.
    pub requests: u32,
    /// Why the remote changes stopped part way, if they did.
    pub error: Option<String>,
    #[serde(skip)]
    pub cache_note: Option<String>,
}

/// Runs a sync of the workspace's repository with its configured remote.
pub fn sync(workspace: &Workspace, options: &SyncOptions) -> Result<SyncSummary, SyncError> {
    let fresh = workspace.open_fresh(false)?;
    let mut warnings = fresh.warnings;
    let cache = fresh.cache;
    let dirs = workspace.dirs();
    let work_dir = dirs.work_dir.clone();
    let config = SyncConfig::load(&work_dir)?;
    let token = ["GITHUB_TOKEN", "GH_TOKEN"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|t| !t.trim().is_empty()))
        .ok_or(SyncError::NoToken)?;
    // Two syncs at once could both create the same issue on GitHub.
    let _lock = workspace
        .lock(LockPurpose::RemoteSync)?
        .ok_or(SyncError::Busy)?;
    let mut state = RemoteState::open(&dirs.cache_dir())?;
    let (bases, since) = read_bases(&state, &config)?;
    let locals = read_locals(&cache, &work_dir, &mut warnings)?;
    let mut github = GitHub::new(
        &config.api_url,
        &config.repo,
        token.trim(),
        &dirs.cache_dir(),
    )?;
    let changed = github.list_issues(since.as_deref())?;
    let cursor = changed
        .iter()
        .map(|i| i.updated_at.clone())
        .chain(since.clone())
        .max();
    let plan = plan::build(
        Inputs {
            config: &config,
            locals,
            bases,
            changed,
            complete_listing: since.is_none(),
            prefer: options.prefer,
        },
        |number| github.get_issue(number),
    )?;
    warnings.extend(plan.warnings.iter().cloned());
    let rows = plan_rows(&plan, options.direction);
    let unresolved_conflicts = rows
        .iter()
        .flat_map(|r| &r.conflicts)
        .filter(|c| c.resolved_to.is_none())
        .count();
    let applied = if options.dry_run {
        Applied::default()
    } else {
        apply::apply(
            &plan,
            &mut Target {
                workspace,
                cache: &cache,
                github: &mut github,
                config: &config,
                state: &mut state,
                direction: options.direction,
                cursor,
            },
        )?
    };
    Ok(SyncSummary {
        dry_run: options.dry_run,
        plan: rows,
        warnings,
        unresolved_conflicts,
        remote_writes: applied.remote_writes,
        local_files: applied.local_files,
        baselines: applied.baselines,
        requests: github.requests,
        error: applied.remote_error.map(|e| e.to_string()),
        cache_note: applied.cache_note,
    })
}

/// The baselines by local id, and the listing cursor.
fn read_bases(
    state: &RemoteState,
    config: &SyncConfig,
) -> Result<(HashMap<String, BaseState>, Option<String>), SyncError> {
    let mut bases = HashMap::new();
    let mut since = None;
    for (id, json) in state.base_states(&config.remote_key())? {
        if id == CURSOR_ROW {
            since = serde_json::from_str::<serde_json::Value>(&json)
                .ok()
                .and_then(|v| v.get("since")?.as_str().map(str::to_owned));
        } else if let Ok(base) = serde_json::from_str::<BaseState>(&json) {
            bases.insert(id, base);
        }
    }
    Ok((bases, since))
}

/// Every issue the cache lists, read from its file in the working tree, so edits not yet
/// committed are merged rather than overwritten.
fn read_locals(
    cache: &Cache,
    work_dir: &Path,
    warnings: &mut Vec<String>,
) -> Result<Vec<LocalIssue>, SyncError> {
    let query = ListQuery {
        scope: Scope::All,
        sort: SortKey::Id,
        ..ListQuery::default()
    };
    let mut locals = Vec::new();
    for json in cache.list_json(&query)? {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&json) else {
            continue;
        };
        let Some(path) = value.get("path").and_then(|p| p.as_str()) else {
            continue;
        };
        let Some(RoadmapFile::Issue(context)) = classify(path) else {
            continue;
        };
        let text = match std::fs::read_to_string(work_dir.join(path)) {
            Ok(text) => text,
            // Deleted in the working tree: treated as deleted.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(SyncError::Io(path.to_owned(), e)),
        };
        match Issue::parse(text.as_bytes(), &context) {
            Ok(issue) => {
                let number = github_number(issue.frontmatter.remote_ids.as_ref());
                locals.push(LocalIssue {
                    path: path.to_owned(),
                    text,
                    issue,
                    number,
                });
            }
            Err(error) => warnings.push(format!("skipped {path}: {error}")),
        }
    }
    Ok(locals)
}

/// `remote_ids: {github: N}` (a number or a numeric string).
fn github_number(remote_ids: Option<&serde_yaml::Value>) -> Option<u64> {
    match remote_ids?.get("github")? {
        serde_yaml::Value::Number(n) => n.as_u64(),
        serde_yaml::Value::String(s) => s.trim().trim_start_matches('#').parse().ok(),
        _ => None,
    }
}

fn plan_rows(plan: &Plan, direction: Direction) -> Vec<PlanRow> {
    let (pull, push) = (direction.pulls(), direction.pushes());
    let mut rows = Vec::new();
    for step in &plan.steps {
        let row = match step {
            Step::Merge {
                local,
                number,
                merged,
                link,
                ..
            } => {
                let to_local = if pull {
                    merged.to_local.clone()
                } else {
                    Vec::new()
                };
                let to_remote = if push {
                    merged.to_remote.clone()
                } else {
                    Vec::new()
                };
                if !link
                    && to_local.is_empty()
                    && to_remote.is_empty()
                    && merged.conflicts.is_empty()
                {
                    continue;
                }
                PlanRow {
                    action: if *link { "link" } else { "update" },
                    id: Some(local.issue.id.clone()),
                    number: Some(*number),
                    title: merged.result.title.clone(),
                    local: to_local,
                    remote: to_remote,
                    conflicts: merged.conflicts.clone(),
                }
            }
            Step::PullNew { number, fields } if pull => PlanRow {
                action: "create-local",
                id: None,
                number: Some(*number),
                title: fields.title.clone(),
                local: Vec::new(),
                remote: Vec::new(),
                conflicts: Vec::new(),
            },
            Step::PushNew { local, fields } if push => PlanRow {
                action: "create-remote",
                id: Some(local.issue.id.clone()),
                number: None,
                title: fields.title.clone(),
                local: Vec::new(),
                remote: Vec::new(),
                conflicts: Vec::new(),
            },
            Step::CloseRemote {
                id,
                number,
                base,
                already_closed: false,
            } if push => PlanRow {
                action: "close-remote",
                id: Some(id.clone()),
                number: Some(*number),
                title: base.title.clone(),
                local: Vec::new(),
                remote: vec!["status".into()],
                conflicts: Vec::new(),
            },
            _ => continue,
        };
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::github_number;

    #[test]
    fn the_link_reads_as_a_number_or_numeric_text() {
        for (yaml, expected) in [
            ("{github: 42}", Some(42)),
            ("{github: '7'}", Some(7)),
            ("{gitlab: 3}", None),
            ("{}", None),
        ] {
            let value: serde_yaml::Value = serde_yaml::from_str(yaml).unwrap();
            assert_eq!(github_number(Some(&value)), expected, "{yaml}");
        }
    }
}

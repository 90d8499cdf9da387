//! Two-way sync with a remote tracker (GitHub Issues): confirm the repository once per clone
//! (`confirm`); read the baselines and the local files (`inputs`), ask git which absent files
//! are committed deletions (`deletions`), list the remote issues changed since the last sync
//! (`github`, over `http`, under `auth`'s rules); merge each issue three ways (`merge`,
//! `lines`); plan (`plan`, shown as `rows`); apply to both sides (`apply`, `payload`,
//! `baseline`); then the comments (`comments`). Nothing runs on an unresolved merge
//! (`unmerged`). The baselines are the repository's, shared by its worktrees (`shared_state`).

pub mod apply;
pub mod auth;
mod baseline;
pub mod clock;
mod comment_file;
mod comment_merge;
pub mod comments;
pub mod config;
pub mod confirm;
pub mod contract_comments;
pub mod contract_files;
pub mod deletions;
pub mod github;
pub mod http;
mod inputs;
pub mod lines;
pub mod local_files;
mod local_side;
pub mod mapping;
pub mod merge;
mod payload;
pub mod plan;
mod rows;
mod shared_state;
pub mod time;
pub mod unmerged;

use crate::cache::CacheError;
use crate::workspace::{LockPurpose, Workspace};
use apply::{Applied, Direction, Target};
use config::SyncConfig;
use github::{GitHub, GitHubError};
use merge::{Prefer, Take};
use plan::{BaseState, Inputs, LocalIssue, Plan, SkippedLocal, Step};
pub use rows::PlanRow;
use rows::plan_rows;
use serde::Serialize;
use std::collections::HashMap;

/// What `roadmap sync` was asked to do.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    pub dry_run: bool,
    pub direction: Direction,
    pub prefer: Option<Prefer>,
    /// Allow more than [`CLOSES_WITHOUT_YES`] closes on GitHub in one run.
    pub yes: bool,
    /// `--baseline`: the side taken as the last agreed state of a link without a baseline.
    pub first_base: Option<Prefer>,
    /// `--take`: conflicts settled for one issue or field.
    pub takes: Vec<Take>,
    /// `--repo OWNER/NAME`: confirms, for this clone, the repository the config names.
    pub repo: Option<String>,
}

/// The prompt that confirms the repository (see [`confirm`]); `None` where nobody can answer.
pub type Ask<'a> = Option<&'a dyn Fn(&confirm::RepoQuestion) -> bool>;

/// The most GitHub issues one run closes without `--yes`.
pub const CLOSES_WITHOUT_YES: usize = 5;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error(transparent)]
    Auth(#[from] auth::AuthError),
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
    #[error(transparent)]
    Confirm(#[from] confirm::ConfirmError),
    #[error(transparent)]
    SharedState(shared_state::Disagree),
    #[error("another `roadmap sync` is running in this repository")]
    Busy,
    /// Roadmap files of an unresolved merge, one `PATH: why` each; nothing was sent or written.
    #[error("an unresolved merge in the roadmap files; nothing was synced\n  {}", .0.join("\n  "))]
    Unresolved(Vec<String>),
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
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
    /// Issues that failed on their own (GitHub's message each); the others went on.
    pub failures: Vec<String>,
    /// Closes on GitHub held back because they were more than a handful and `--yes` was absent.
    pub closes_held: usize,
    /// Seconds spent waiting for GitHub's rate limits and pacing, rounded.
    pub waited_secs: u64,
    #[serde(skip)]
    pub cache_note: Option<String>,
}

/// Runs a sync of the workspace's repository with its configured remote, once the repository
/// is confirmed for this clone (already, by `options.repo`, or by `ask`).
pub fn sync(
    workspace: &Workspace,
    options: &SyncOptions,
    ask: Ask<'_>,
) -> Result<SyncSummary, SyncError> {
    let fresh = workspace.open_fresh(false)?;
    let mut warnings = fresh.warnings;
    let cache = fresh.cache;
    let dirs = workspace.dirs();
    let work_dir = dirs.work_dir.clone();
    let config = SyncConfig::load(&work_dir)?;
    let git_error = |e: crate::git::GitError| {
        SyncError::Io(dirs.git_dir.display().to_string(), std::io::Error::other(e))
    };
    let repo = workspace.repo().map_err(git_error)?;
    // The history walks below are libgit2's; HEAD is resolved by the workspace's repository,
    // which reads reftable too.
    let history = repo.libgit2().map_err(|e| {
        git_error(crate::git::GitError::Unsupported(format!(
            "roadmap sync with GitHub does not support this repository yet: {e}"
        )))
    })?;
    let head = repo.head().ok().flatten();
    let api_url = auth::api_url(config.api_url.as_deref(), auth::user_api_url(history))?;
    let token = auth::token(
        &api_url,
        |name| std::env::var(name).ok(),
        auth::gh_auth_token,
    )?;
    // Two syncs at once could both create the same issue on GitHub.
    let _lock = workspace
        .lock(LockPurpose::RemoteSync)?
        .ok_or(SyncError::Busy)?;
    let local_files = inputs::read_locals(&cache, &work_dir, &mut warnings)?;
    let unmerged = unmerged::unmerged_paths(history).map_err(|e| git_error(e.into()))?;
    let unresolved = unmerged::describe(&unmerged, &local_files.with_markers);
    if !unresolved.is_empty() {
        return Err(SyncError::Unresolved(unresolved));
    }
    let mut state = shared_state::open(workspace)?;
    let inputs::Bases {
        states: bases,
        since,
        undecodable,
    } = inputs::read_bases(&state, &config)?;
    let inputs::LocalFiles {
        issues: mut locals,
        mut skipped,
        ..
    } = local_files;
    let unknown_links = leave_alone(&undecodable, &mut locals, &mut skipped, &mut warnings);
    let check = confirm::Check {
        dirs,
        repo: history,
        config: &config,
        api_url: &api_url,
        given: options.repo.as_deref(),
    };
    confirm::confirm(&check, || would_create(&locals, &bases), ask)?;
    let head_oid = head.and_then(|id| id.to_git2());
    let absences = absences(history, head_oid, &bases, &locals, &skipped)?;
    let mut github = GitHub::new(&api_url, &config.repo, &token);
    let (changed, cursor) = github.list_issues(since.as_deref())?;
    let listed: HashMap<u64, String> = changed
        .iter()
        .map(|i| (i.number, i.updated_at.clone()))
        .collect();
    let linked: Vec<comments::Linked> = locals
        .iter()
        .filter_map(|l| {
            let number = l.number?;
            Some(comments::Linked {
                id: l.issue.id.clone(),
                number,
                path: l.path.clone(),
                listed_comments: changed
                    .iter()
                    .find(|i| i.number == number)
                    .map(|i| i.comments),
            })
        })
        .collect();
    let mut plan = plan::build(
        Inputs {
            config: &config,
            locals,
            bases,
            changed,
            complete_listing: since.is_none(),
            prefer: options.prefer,
            first_base: options.first_base,
            takes: options.takes.clone(),
            skipped,
            absences,
            unknown_links,
        },
        |number| github.get_issue(number),
    )?;
    warnings.extend(plan.warnings.iter().cloned());
    let closes_held = hold_closes(&mut plan, options, &mut warnings);
    let rows = plan_rows(&plan, options.direction);
    for take in &options.takes {
        let settles = rows.iter().any(|row| {
            row.id.as_deref() == Some(take.id.as_str())
                && row
                    .conflicts
                    .iter()
                    .any(|c| take.covers(&take.id, &c.field))
        });
        if !settles {
            let field = take
                .field
                .as_deref()
                .map(|f| format!(":{f}"))
                .unwrap_or_default();
            warnings.push(format!("--take {}{field}: no such conflict", take.id));
        }
    }
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
                listed,
                head: head.map(|id| id.to_string()),
            },
        )?
    };
    warnings.extend(applied.notes.iter().cloned());
    // Comments last: their writes go to files the issue step may just have written.
    let commented = if options.dry_run || applied.remote_error.is_some() {
        comments::CommentsDone::default()
    } else {
        let sides = (options.direction.pulls(), options.direction.pushes());
        let key = config.remote_key();
        comments::sync_comments(&linked, sides, &mut github, workspace, &mut state, &key)?
    };
    warnings.extend(commented.notes.iter().cloned());
    Ok(SyncSummary {
        dry_run: options.dry_run,
        plan: rows,
        warnings,
        unresolved_conflicts,
        remote_writes: applied.remote_writes + commented.remote_writes,
        local_files: applied.local_files + commented.local_files,
        baselines: applied.baselines,
        requests: github.requests,
        error: applied.remote_error.map(|e| e.to_string()),
        failures: applied.failures,
        closes_held,
        waited_secs: github.clock.waited.as_secs_f64().round() as u64,
        cache_note: applied.cache_note,
    })
}

/// Sets apart the issues whose baseline cannot be decoded, as files that cannot be read are:
/// neither pushed, pulled nor closed this run, each reported. Returns the ids whose GitHub
/// number neither the row nor the file says.
fn leave_alone(
    undecodable: &[inputs::Undecodable],
    locals: &mut Vec<LocalIssue>,
    skipped: &mut Vec<SkippedLocal>,
    warnings: &mut Vec<String>,
) -> Vec<String> {
    let mut unknown = Vec::new();
    for bad in undecodable {
        let id = &bad.id;
        warnings.push(format!(
            "{id}: its baseline in remote.db cannot be read ({}); left alone: nothing pushed, pulled or closed for it (delete its row to link it again: DELETE FROM sync_base_state WHERE issue_id = '{id}')",
            bad.error
        ));
        let local = locals.iter().position(|l| &l.issue.id == id);
        let in_file = local.and_then(|at| locals.remove(at).number);
        let number = bad.number.or(in_file);
        if number.is_none() {
            unknown.push(id.clone());
        }
        skipped.retain(|s| &s.id != id);
        skipped.push(SkippedLocal {
            id: id.clone(),
            number,
        });
    }
    unknown
}

/// Titles of the local issues a sync would create on GitHub: no link, no live baseline, not
/// archived (what the plan pushes as new, but for one a copied marker links).
fn would_create(locals: &[LocalIssue], bases: &HashMap<String, BaseState>) -> Vec<String> {
    locals
        .iter()
        .filter(|l| l.number.is_none() && !l.issue.archived)
        .filter(|l| !bases.get(&l.issue.id).is_some_and(BaseState::is_live))
        .map(|l| l.issue.title.clone())
        .collect()
}

/// Takes the closes out of `plan` when there are more than a handful and `--yes` is absent;
/// returns how many were held back.
fn hold_closes(plan: &mut Plan, options: &SyncOptions, warnings: &mut Vec<String>) -> usize {
    let is_close = |step: &Step| {
        matches!(
            step,
            Step::CloseRemote {
                already_closed: false,
                ..
            }
        )
    };
    let closes = plan.steps.iter().filter(|s| is_close(s)).count();
    if closes <= CLOSES_WITHOUT_YES || options.yes || !options.direction.pushes() {
        return 0;
    }
    warnings.push(format!(
        "{closes} GitHub issues would be closed because their files' deletions are committed; held back: rerun with --yes to close them"
    ));
    if !options.dry_run {
        plan.steps.retain(|s| !is_close(s));
    }
    closes
}

/// What git says about each live baseline that no readable file stands for.
fn absences(
    repo: &git2::Repository,
    head: Option<git2::Oid>,
    bases: &HashMap<String, BaseState>,
    locals: &[LocalIssue],
    skipped: &[SkippedLocal],
) -> Result<HashMap<String, deletions::Absence>, SyncError> {
    let present: std::collections::HashSet<&str> = locals
        .iter()
        .map(|l| l.issue.id.as_str())
        .chain(skipped.iter().map(|s| s.id.as_str()))
        .collect();
    let candidates: Vec<(String, Option<String>)> = bases
        .iter()
        .filter(|(id, base)| base.is_live() && !present.contains(id.as_str()))
        .map(|(id, base)| (id.clone(), base.seen_at.clone()))
        .collect();
    if candidates.is_empty() {
        return Ok(HashMap::new());
    }
    deletions::absences(repo, head, &candidates)
        .map_err(|e| SyncError::Io("reading git history".into(), std::io::Error::other(e)))
}

//! `roadmap sync`: arguments, the plan as a table or JSON, and what the errors mean to the user.

use super::{CommandError, write_stdout};
use crate::remote::apply::Direction;
use crate::remote::auth::{API_URL_GIT_KEY, AuthError};
use crate::remote::config::CONFIG_PATH;
use crate::remote::confirm::{CONFIRMED_KEY, RepoQuestion};
use crate::remote::merge::{Prefer, Take};
use crate::remote::{self, SyncError, SyncOptions, SyncSummary};
use clap::Args;
use std::fmt::Write as _;
use std::io::{IsTerminal as _, Write as _};

#[derive(Debug, Clone, Args)]
pub struct SyncArgs {
    /// Print the plan and change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Only bring GitHub's changes into the local files
    #[arg(long, conflicts_with = "push_only")]
    pub pull_only: bool,
    /// Only send local changes to GitHub
    #[arg(long)]
    pub push_only: bool,
    /// Settle conflicts with this side's value (default: report them and change neither side)
    #[arg(long, value_enum)]
    pub prefer: Option<PreferArg>,
    /// For issues linked by another tool (no baseline yet): the side to treat as the state both
    /// last agreed on; the other side's differences are then its edits
    #[arg(long, value_enum)]
    pub baseline: Option<PreferArg>,
    /// Settle one issue's conflicts (or one field's) with a side: `--take remote 4e619042:title`
    #[arg(long, num_args = 2, value_names = ["local|remote", "ID[:FIELD]"], action = clap::ArgAction::Append)]
    pub take: Vec<String>,
    /// Show each conflict's base, local and GitHub values, and change nothing
    #[arg(long)]
    pub conflicts: bool,
    /// Close more than a handful of GitHub issues in one run (their files' deletions committed)
    #[arg(long)]
    pub yes: bool,
    /// Confirm, once for this clone, the GitHub repository .roadmap/sync.yaml names (OWNER/NAME)
    #[arg(long, value_name = "OWNER/NAME")]
    pub repo: Option<String>,
    /// `table`: one line per issue that changes; `json`: the plan and counts, for scripts
    #[arg(short, long, value_enum, default_value_t = SyncFormat::Table)]
    pub format: SyncFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PreferArg {
    Local,
    Remote,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SyncFormat {
    Table,
    Json,
}

/// Runs `roadmap sync`.
pub fn run(args: &SyncArgs) -> Result<(), CommandError> {
    let workspace = crate::workspace::Workspace::discover()?;
    let mut takes = Vec::new();
    for pair in args.take.chunks(2) {
        let side = match pair[0].as_str() {
            "local" => Prefer::Local,
            "remote" | "github" => Prefer::Remote,
            other => {
                return Err(CommandError::user(format!(
                    "--take {other}: the side is `local` or `remote`"
                )));
            }
        };
        takes.push(Take::parse(side, pair.get(1).map_or("", String::as_str)));
    }
    let options = SyncOptions {
        dry_run: args.dry_run || args.conflicts,
        direction: match (args.pull_only, args.push_only) {
            (true, _) => Direction::PullOnly,
            (_, true) => Direction::PushOnly,
            _ => Direction::Both,
        },
        prefer: args.prefer.map(|p| match p {
            PreferArg::Local => Prefer::Local,
            PreferArg::Remote => Prefer::Remote,
        }),
        yes: args.yes,
        first_base: args.baseline.map(|p| match p {
            PreferArg::Local => Prefer::Local,
            PreferArg::Remote => Prefer::Remote,
        }),
        takes,
        repo: args.repo.clone(),
    };
    // Only someone at a terminal can answer; a script or CI job gets the error and its hint.
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let ask: &dyn Fn(&RepoQuestion) -> bool = &ask_to_confirm;
    let summary =
        remote::sync(&workspace, &options, interactive.then_some(ask)).map_err(explain)?;
    for warning in &summary.warnings {
        eprintln!("roadmap: warning: {warning}");
    }
    if let Some(note) = &summary.cache_note {
        eprintln!("roadmap: warning: {note}");
    }
    let output = match args.format {
        SyncFormat::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&summary).unwrap_or_default()
        ),
        SyncFormat::Table if args.conflicts => conflicts_table(&summary),
        SyncFormat::Table => table(&summary),
    };
    write_stdout(output.as_bytes())?;
    for failure in &summary.failures {
        eprintln!("roadmap: error: {failure}");
    }
    if let Some(error) = &summary.error {
        return Err(CommandError::user(error.clone())
            .with_hint("what was applied is recorded; run `roadmap sync` again to finish"));
    }
    if !summary.failures.is_empty() {
        return Err(CommandError::user(format!(
            "{} issue(s) skipped; every other issue was synced",
            summary.failures.len()
        ))
        .with_hint("fix what each error names, then run `roadmap sync` again"));
    }
    if summary.closes_held > 0 && !summary.dry_run {
        return Err(CommandError::user(format!(
            "{} close(s) on GitHub held back",
            summary.closes_held
        ))
        .with_hint("check `roadmap sync --dry-run`, then run `roadmap sync --yes`"));
    }
    if summary.unresolved_conflicts > 0 {
        return Err(CommandError::user(format!(
            "{} conflicting field(s) left as they are on both sides",
            summary.unresolved_conflicts
        ))
        .with_hint(
            "see them with `roadmap sync --conflicts`; settle one with `--take local|remote ID[:FIELD]`, all with `--prefer local|remote`",
        ));
    }
    Ok(())
}

fn explain(error: SyncError) -> CommandError {
    match error {
        SyncError::Config(crate::remote::config::ConfigError::Missing) => {
            CommandError::user(format!("no {CONFIG_PATH} in this repository")).with_hint(format!(
                "create {CONFIG_PATH} with `kind: github` and `repo: OWNER/NAME` (README: Two-way sync with GitHub)"
            ))
        }
        SyncError::Auth(AuthError::NoToken { .. }) => CommandError::user(error.to_string())
            .with_hint("create a token that can read and write issues and export it, or run `gh auth login`"),
        SyncError::Auth(AuthError::HostNotConfirmed { ref committed, .. }) => {
            let hint = format!(
                "if you trust that host with your token, run `git config {API_URL_GIT_KEY} {committed}`"
            );
            CommandError::user(error.to_string()).with_hint(hint)
        }
        SyncError::GitHub(crate::remote::github::GitHubError::BadToken { .. }) => {
            CommandError::user(error.to_string())
                .with_hint("check the token (GH_TOKEN, GITHUB_TOKEN, GH_ENTERPRISE_TOKEN or `gh auth token`): expired, revoked, or for another host")
        }
        SyncError::Unresolved(_) => CommandError::user(error.to_string()).with_hint(
            "resolve the conflicts in these files, `git add` them and commit the merge, then run `roadmap sync` again",
        ),
        SyncError::Confirm(ref inner) => match inner.repo() {
            Some(repo) => CommandError::user(error.to_string()).with_hint(format!(
                "if your issues belong there, run `roadmap sync --repo {repo}` (this clone then remembers it as `git config {CONFIRMED_KEY}`)"
            )),
            None => CommandError::user(error.to_string()),
        },
        SyncError::SharedState(ref inner) => {
            let hint = format!(
                "keep one: delete {} to keep the shared baselines, or move it over {} to keep the worktree's; then run `roadmap sync` again",
                inner.worktree.display(),
                inner.shared.display()
            );
            CommandError::user(error.to_string()).with_hint(hint)
        }
        SyncError::Freshness(inner) => inner.into(),
        SyncError::Lock(inner) => inner.into(),
        other => CommandError::user(other.to_string()),
    }
}

/// Shows what confirming the repository means and reads a yes or no from the terminal.
fn ask_to_confirm(question: &RepoQuestion) -> bool {
    let mut text = format!(
        "roadmap sync would send this clone's issues to GitHub repository {}, which {} names.\n",
        question.repo, question.named_in
    );
    let _ = writeln!(text, "  {}", question.remotes_phrase());
    for (name, at) in &question.remotes {
        let at = at.as_deref().unwrap_or("not a GitHub repository URL");
        let _ = writeln!(text, "    {name}: {at}");
    }
    if let Some(previously) = &question.previously {
        let _ = writeln!(text, "  this clone synced with {previously} until now");
    }
    let count = question.would_create.len();
    if count > 0 {
        let shown: Vec<String> = question
            .would_create
            .iter()
            .take(5)
            .map(|t| format!("\"{t}\""))
            .collect();
        let more = count.saturating_sub(shown.len());
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        let _ = writeln!(
            text,
            "  it would create {count} issue{} there: {}{more}",
            if count == 1 { "" } else { "s" },
            shown.join(", ")
        );
    }
    let _ = write!(
        text,
        "sync this clone with {} from now on? [y/N] ",
        question.repo
    );
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
    let _ = stderr.flush();
    let mut answer = String::new();
    if std::io::stdin().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

/// Each conflict with the three values: what both sides last agreed on, and each side's.
fn conflicts_table(summary: &SyncSummary) -> String {
    let mut out = String::new();
    let value = |v: &serde_json::Value| match v {
        serde_json::Value::String(text) => text.replace('\n', "\n            "),
        other => other.to_string(),
    };
    for row in summary.plan.iter().filter(|r| !r.conflicts.is_empty()) {
        let id = row.id.as_deref().unwrap_or("-");
        let number = row.number.map_or("-".to_owned(), |n| format!("#{n}"));
        let _ = writeln!(out, "{id} {number} {}", row.title);
        for conflict in &row.conflicts {
            let _ = writeln!(out, "  {}", conflict.field);
            let _ = writeln!(out, "    base:   {}", value(&conflict.base));
            let _ = writeln!(out, "    local:  {}", value(&conflict.local));
            let _ = writeln!(out, "    github: {}", value(&conflict.remote));
        }
    }
    let _ = writeln!(
        out,
        "{} conflict(s); settle one with `roadmap sync --take local|remote ID[:FIELD]`",
        summary.unresolved_conflicts
    );
    out
}

fn table(summary: &SyncSummary) -> String {
    let mut out = String::new();
    for row in &summary.plan {
        let id = row.id.as_deref().unwrap_or("-");
        let number = row.number.map_or("-".to_owned(), |n| format!("#{n}"));
        let _ = writeln!(out, "{:<14} {id:<8}  {number:<6} {}", row.action, row.title);
        if !row.local.is_empty() {
            let _ = writeln!(out, "    local  <- {}", row.local.join(", "));
        }
        if !row.remote.is_empty() {
            let _ = writeln!(out, "    github <- {}", row.remote.join(", "));
        }
        for conflict in &row.conflicts {
            let outcome = match conflict.resolved_to {
                Some(Prefer::Local) => "local wins",
                Some(Prefer::Remote) => "github wins",
                None => "unresolved, both kept",
            };
            let _ = writeln!(
                out,
                "    conflict {}: local {} / github {} ({outcome})",
                conflict.field, conflict.local, conflict.remote
            );
        }
    }
    let verb = if summary.dry_run {
        "would change"
    } else {
        "changed"
    };
    let changed = summary
        .plan
        .iter()
        .filter(|row| row.action != "update" || !row.local.is_empty() || !row.remote.is_empty())
        .count();
    let _ = writeln!(
        out,
        "{changed} issue(s) {verb}; {} conflict(s) unresolved; {} GitHub request(s)",
        summary.unresolved_conflicts, summary.requests
    );
    if summary.dry_run {
        out.push_str("dry run: nothing was changed\n");
    } else if summary.local_files > 0 {
        out.push_str("local files changed: review them, then `git add .roadmap && git commit`\n");
    }
    out
}

//! The history commands, `roadmap diff` and `roadmap log`: arguments in, the library's answer
//! (`crate::history`) rendered out. `list --at` is `list` with an overlay, in the binary.

use super::history_args::{DiffArgs, DiffFormat, LogArgs, LogFormat};
use super::history_render as render;
use super::{CommandError, first_use, pager};
use crate::history::{HistoryError, issue_log, plan_diff};
use crate::workspace::Workspace;

/// `roadmap diff RANGE`: prints what the range changes; with `--exit-code`, exits 1 when it
/// changes anything.
pub fn diff(args: &DiffArgs, no_pager: bool) -> Result<(), CommandError> {
    let workspace = Workspace::discover()?;
    let repo = workspace.repo()?;
    let range = plan_diff::parse_range(repo, &args.range)?;
    let diff = plan_diff::plan_diff(repo, range, workspace.work_dir())?;
    let text = match args.format {
        DiffFormat::Table => render::diff_table(&diff),
        DiffFormat::Json => render::diff_json(&diff),
        DiffFormat::Markdown => render::diff_markdown(&diff),
    };
    pager::page(&text, no_pager)?;
    if args.exit_code && !diff.issues.is_empty() {
        std::process::exit(1);
    }
    Ok(())
}

/// `roadmap log ID`: the issue's story, newest first. The id is resolved against the cache (a
/// unique prefix is enough); an id no file at HEAD holds is looked for in the history.
pub fn log(args: &LogArgs, no_pager: bool) -> Result<(), CommandError> {
    let workspace = Workspace::discover()?;
    let fresh = first_use::open(&workspace, false, false)?;
    for warning in &fresh.warnings {
        eprintln!("roadmap: {warning}");
    }
    let typed = args.id.trim().to_ascii_lowercase();
    let (id, paths) = if !typed.is_empty() && fresh.cache.issues_with_id_prefix(&typed)?.is_empty()
    {
        (typed, Vec::new())
    } else {
        let detail = crate::issue_write::resolve_id(&fresh.cache, &args.id)?;
        let paths = fresh.cache.issue_paths(&detail.row.id)?;
        (detail.row.id, paths)
    };
    let repo = workspace.repo()?;
    let Some(head) = repo.head()? else {
        return Err(
            HistoryError::Issue("HEAD has no commit yet: no history to read".into()).into(),
        );
    };
    let (id, entries) = issue_log::issue_log(repo, head, &id, &paths, workspace.work_dir())?;
    let text = match args.format {
        LogFormat::Text => render::log_text(&id, &entries),
        LogFormat::Json => render::log_json(&id, &entries),
    };
    pager::page(&text, no_pager)
}

//! Which issues 0.3.1's `issue list` shows and how it describes them: its `IssueQueries.list`
//! (`application/use_cases/issues.py`) and `resolve_milestone_id` (`planning.py`), step for
//! step: scope, then one milestone selection, then the assignee, then the other filters and
//! `--search`, rows in id order.

use super::args::ContractListArgs;
use super::row::{ContractIssueRow, ContractMilestone};

/// The query after `_build_query`: the milestone resolved to its id.
#[derive(Debug, Clone)]
pub struct Query<'a> {
    pub args: &'a ContractListArgs,
    /// The id `--milestone` resolved to; `None` without `--milestone` (or with an empty one).
    pub milestone: Option<String>,
    /// "Me" for `--my-issues`: `identity.name` of the user config, else git's `user.name`.
    pub me: Option<String>,
    /// The current time as a [`crate::issue::timestamp::sort_key`], for `--overdue`.
    pub now: String,
}

/// What the query selected.
#[derive(Debug)]
pub struct Selection<'a> {
    pub records: Vec<&'a ContractIssueRow>,
    /// The tracker's description: `all`, `backlog`, `my open`, `all matching 'hook'`, ...
    pub description: String,
    /// `--next-milestone` found no open milestone with a due date.
    pub next_milestone_missing: bool,
}

/// The milestone `supplied` names: exactly one id or name, else the one id it starts. `Err` is
/// the tracker's message (shown after `Error: `, exit 1).
pub fn resolve_milestone(
    milestones: &[ContractMilestone],
    supplied: &str,
) -> Result<String, String> {
    let exact: Vec<&ContractMilestone> = milestones
        .iter()
        .filter(|m| m.id == supplied || m.name == supplied)
        .collect();
    if exact.len() == 1 {
        return Ok(exact[0].id.clone());
    }
    let mut matches = if exact.is_empty() {
        milestones
            .iter()
            .filter(|m| m.id.starts_with(supplied))
            .collect()
    } else {
        exact
    };
    match matches.len() {
        0 => Err(format!("Milestone '{supplied}' was not found")),
        1 => Ok(matches[0].id.clone()),
        _ => {
            matches.sort_by(|a, b| a.id.cmp(&b.id));
            let choices: Vec<String> = matches
                .iter()
                .map(|m| format!("  {}: {}", m.id, m.name))
                .collect();
            Err(format!(
                "Ambiguous milestone name or ID prefix '{supplied}'; use a complete ID:\n{}",
                choices.join("\n")
            ))
        }
    }
}

/// `IssueQueries._validate`: the combinations the tracker refuses (message for `Error: `).
pub fn validate(query: &Query) -> Result<(), String> {
    let args = query.args;
    if args.assignee.as_deref().is_some_and(|a| !a.is_empty()) && args.my_issues {
        return Err("Cannot combine --assignee and --my-issues filters".to_owned());
    }
    let milestone_filters = [
        backlog(args),
        args.next_milestone,
        query.milestone.is_some(),
    ];
    if milestone_filters.iter().filter(|on| **on).count() > 1 {
        return Err(
            "Cannot combine --backlog, --unassigned, --next-milestone, and --milestone filters"
                .to_owned(),
        );
    }
    Ok(())
}

fn backlog(args: &ContractListArgs) -> bool {
    args.backlog || args.unassigned || args.filter_type.is_some()
}

/// `IssueQueries.list` after validation; `None` when `--search` needs Python's `casefold`
/// where we cannot tell its result (the caller forwards).
#[must_use]
pub fn select<'a>(
    issues: &'a [ContractIssueRow],
    milestones: &[ContractMilestone],
    query: &Query,
) -> Option<Selection<'a>> {
    let args = query.args;
    let scope = args.scope.as_deref().unwrap_or("visible");
    let mut records: Vec<&ContractIssueRow> =
        issues.iter().filter(|i| in_scope(i, scope)).collect();
    let mut description = if scope == "visible" { "all" } else { scope }.to_owned();
    let mut milestone = query.milestone.clone();
    if args.next_milestone {
        let Some(next) = next_milestone(milestones) else {
            return Some(Selection {
                records: Vec::new(),
                description: String::new(),
                next_milestone_missing: true,
            });
        };
        description = format!("next milestone ({next})");
        milestone = Some(next);
    } else if backlog(args) {
        records.retain(|i| i.milestone_id.is_none());
        description = "backlog".to_owned();
        milestone = None;
    } else if let Some(id) = &milestone {
        description = format!("milestone '{id}'");
    }
    if let Some(id) = &milestone {
        records.retain(|i| i.milestone_id.as_ref() == Some(id));
    }
    let mut assignee = args.assignee.clone();
    if args.my_issues {
        description = "my".to_owned();
        assignee.clone_from(&query.me);
        if assignee.is_none() {
            records.clear();
        }
    } else if let Some(name) = assignee.as_deref().filter(|a| !a.is_empty()) {
        description = format!("assigned to {name}");
    }
    if let Some(name) = assignee.filter(|a| !a.is_empty()) {
        records.retain(|i| i.assignee.as_deref() == Some(name.as_str()));
    }
    apply_filters(&mut records, &mut description, query);
    if let Some(needle) = &args.search {
        let mut kept = Vec::with_capacity(records.len());
        for record in records {
            let text = format!("{}\n{}\n{}", record.title, record.headline, record.content);
            if casefold_contains(&text, needle)? {
                kept.push(record);
            }
        }
        records = kept;
        description = format!("{description} matching '{needle}'");
    }
    records.sort_by(|a, b| a.id.cmp(&b.id));
    Some(Selection {
        records,
        description,
        next_milestone_missing: false,
    })
}

/// `--open`, `--blocked`, `-s`, `-p`, `-t`, `--overdue`, each adding its word.
fn apply_filters(records: &mut Vec<&ContractIssueRow>, description: &mut String, query: &Query) {
    let args = query.args;
    let mut apply = |keep: &dyn Fn(&ContractIssueRow) -> bool, label: &str| {
        records.retain(|r| keep(r));
        *description = format!("{description} {label}").trim().to_owned();
    };
    if args.open_only {
        apply(&|r| r.status != "closed", "open");
    }
    if args.blocked {
        apply(&|r| r.status == "blocked", "blocked");
    }
    if let Some(status) = &args.status {
        apply(&|r| &r.status == status, status);
    }
    if let Some(priority) = &args.priority {
        apply(
            &|r| &r.priority == priority,
            &format!("{priority} priority"),
        );
    }
    if let Some(kind) = &args.issue_type {
        apply(&|r| &r.issue_type == kind, kind);
    }
    if args.overdue {
        let now = query.now.as_str();
        apply(
            &|r| r.due_key.as_deref().is_some_and(|due| due < now),
            "overdue",
        );
    }
}

/// `IssueQueries._in_scope`.
fn in_scope(issue: &ContractIssueRow, scope: &str) -> bool {
    match scope {
        "all" => issue.retention != "purged",
        "archived" => issue.retention == "archived",
        "closed" => issue.retention == "visible" && issue.status == "closed",
        _ => issue.retention == "visible",
    }
}

/// `next_milestone_id`: the visible open milestone due first (ties by id).
fn next_milestone(milestones: &[ContractMilestone]) -> Option<String> {
    milestones
        .iter()
        .filter(|m| m.visible && m.status == "open")
        .filter_map(|m| Some((m.due_key.as_deref()?, m.id.as_str())))
        .min()
        .map(|(_, id)| id.to_owned())
}

/// Characters whose Unicode case folding yields ASCII letters (`ß` → `ss`, `K` (Kelvin) → `k`,
/// `ﬁ` → `fi`, ...): the only way text outside ASCII can match an ASCII needle.
const FOLDS_TO_ASCII: &[char] = &[
    'ß', 'İ', 'ŉ', 'ſ', 'ǰ', 'ẖ', 'ẗ', 'ẘ', 'ẙ', 'ẚ', 'ẞ', '\u{212a}', 'ﬀ', 'ﬁ', 'ﬂ', 'ﬃ', 'ﬄ',
    'ﬅ', 'ﬆ',
];

/// `needle.casefold() in text.casefold()`, exactly, for an ASCII needle; `None` when we cannot
/// tell (a needle outside ASCII, or text holding a character in [`FOLDS_TO_ASCII`]).
fn casefold_contains(text: &str, needle: &str) -> Option<bool> {
    if !needle.is_ascii() || text.chars().any(|c| FOLDS_TO_ASCII.contains(&c)) {
        return None;
    }
    // Other characters fold to non-ASCII ones, which an ASCII needle cannot match.
    Some(
        text.to_ascii_lowercase()
            .contains(&needle.to_ascii_lowercase()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn milestone(id: &str, name: &str) -> ContractMilestone {
        ContractMilestone {
            id: id.into(),
            name: name.into(),
            visible: true,
            status: "open".into(),
            due_key: None,
        }
    }

    #[test]
    fn a_milestone_is_named_by_name_id_or_unique_id_prefix() {
        let all = [milestone("69f8-a", "v0-1"), milestone("69f8-b", "v0-2")];
        assert_eq!(resolve_milestone(&all, "v0-2").unwrap(), "69f8-b");
        assert_eq!(resolve_milestone(&all, "69f8-a").unwrap(), "69f8-a");
        assert_eq!(resolve_milestone(&all, "69f8-b").unwrap(), "69f8-b");
        assert_eq!(
            resolve_milestone(&all, "69f8").unwrap_err(),
            "Ambiguous milestone name or ID prefix '69f8'; use a complete ID:\n  69f8-a: v0-1\n  69f8-b: v0-2"
        );
        assert_eq!(
            resolve_milestone(&all, "x").unwrap_err(),
            "Milestone 'x' was not found"
        );
    }

    #[test]
    fn search_folds_case_and_gives_up_where_folding_is_not_lowercasing() {
        assert_eq!(casefold_contains("Install the HOOK", "hook"), Some(true));
        assert_eq!(casefold_contains("Ünïcode body", "body"), Some(true));
        assert_eq!(casefold_contains("Straße", "strasse"), None);
        assert_eq!(casefold_contains("x", "ü"), None);
    }
}

//! roadmap-cli 0.3.1's `issue list`, byte for byte and exit status included, as a pure
//! function of the parsed options and the workspace's rows ([`answer`]).
//!
//! The steps follow the tracker's own order, because that order decides which error wins:
//! click's choice checks (in [`args::usage_error`], before this), the `--verbose` deprecation
//! line, `--columns`/`--sort-by`/`--filter` parsing (usage errors, exit 2), the milestone
//! lookup (reads milestones only), the query's own checks, then the issues; `Error: …` with
//! exit 1 for the application's failures. Whatever we cannot reproduce exactly is
//! [`Answer::Forward`], never an approximation.

pub mod args;
mod document;
pub mod file_rows;
pub mod formats;
pub mod project_records;
pub mod query;
pub mod records;
pub mod row;
pub mod sources;
pub mod strict;
pub mod table;

use crate::lines::rich_text::{self, PLAIN_WIDTH};
use args::{ContractListArgs, USAGE};
use formats::Flat;
use row::{ContractSources, Unread};
use std::borrow::Cow;
use table::{ShapeError, Table};

/// What the tracker would print, and its exit status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

/// What to do with an `issue list` command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Reply(Reply),
    /// Hand the command to the tracker; the reason is for tests and debugging.
    Forward(String),
}

impl Answer {
    /// `Error: message` on stderr, exit 1 (a `ClickException`).
    #[must_use]
    pub fn failed(message: &str) -> Answer {
        Answer::Reply(Reply {
            stdout: String::new(),
            stderr: format!("Error: {message}\n"),
            code: 1,
        })
    }

    /// This answer with its stdout rewritten by `restyle` (the tracker's colours on a
    /// terminal); a forward stays one.
    #[must_use]
    pub fn restyled(self, restyle: impl FnOnce(&str) -> String) -> Answer {
        match self {
            Answer::Reply(mut reply) => {
                reply.stdout = restyle(&reply.stdout);
                Answer::Reply(reply)
            }
            forward => forward,
        }
    }
}

/// The world outside the files that the answer depends on.
#[derive(Debug, Clone)]
pub struct Surroundings {
    /// Who "me" is for `--my-issues` (`None`: nobody configured).
    pub me: Option<String>,
    /// Now, as a [`crate::issue::timestamp::sort_key`].
    pub now: String,
    /// Python's `shutil.get_terminal_size().columns` (decides the rich layout).
    pub terminal_width: usize,
    /// A person reads it on a terminal: the default view printed at the terminal's width in
    /// the tracker's colours ([`super::super::terminal`]); piped, its plain 80-cell bytes.
    pub on_terminal: bool,
}

/// The tracker's deprecation line for `--verbose`.
pub const VERBOSE: &str = "Deprecated through 0.3; removed in 0.4: --verbose; remove --verbose; use global --debug for unexpected failures.\n";

/// Builds a reply as the tracker would print it, step by step.
struct Out {
    stdout: String,
    stderr: String,
    /// The console's width: 80 piped (Rich's plain mode), the terminal's on a terminal.
    width: usize,
}

impl Out {
    fn done(self, code: i32) -> Answer {
        Answer::Reply(Reply {
            stdout: self.stdout,
            stderr: self.stderr,
            code,
        })
    }

    /// A click `ClickException`: `Error: message`, exit 1.
    fn failed(mut self, message: &str) -> Answer {
        self.stderr.push_str(&format!("Error: {message}\n"));
        self.done(1)
    }

    /// A line through the tracker's plain-mode console (`console.print`), or `false` when Rich
    /// would rewrite it.
    fn print(&mut self, line: &str) -> bool {
        self.stdout.push_str(&rich_text::print(line, self.width));
        rich_text::is_literal(line)
    }
}

/// Answers `issue list` (options already past click's choice checks). The sources are
/// borrowed (their milestone names filled in), so that a process about to exit need not free
/// them.
#[must_use]
pub fn answer(
    args: &ContractListArgs,
    sources: &mut ContractSources,
    world: &Surroundings,
) -> Answer {
    for source in [
        sources.milestones.as_ref().err(),
        sources.issues.as_ref().err(),
    ] {
        if let Some(Unread::Unserved(reason)) = source {
            return Answer::Forward(reason.clone());
        }
    }
    let mut out = Out {
        stdout: String::new(),
        stderr: if args.verbose {
            VERBOSE.to_owned()
        } else {
            String::new()
        },
        width: if world.on_terminal {
            world.terminal_width
        } else {
            PLAIN_WIDTH
        },
    };
    let shape = match table::parse(
        args.columns.as_deref(),
        args.sort_by.as_deref(),
        args.filter.as_deref(),
    ) {
        Ok(shape) => shape,
        Err(ShapeError::Usage(message)) => {
            out.stderr
                .push_str(&format!("{USAGE}Error: Invalid value: {message}\n"));
            return out.done(2);
        }
        Err(ShapeError::Application(message)) => return out.failed(&message),
        Err(ShapeError::Unserved(reason)) => return Answer::Forward(reason.to_owned()),
    };
    let mut milestone = None;
    if let Some(supplied) = args.milestone.as_deref().filter(|m| !m.is_empty()) {
        let milestones = match &sources.milestones {
            Ok(milestones) => milestones,
            Err(unread) => return refused(out, unread),
        };
        match query::resolve_milestone(milestones, supplied) {
            Ok(id) => milestone = Some(id),
            Err(message) => return out.failed(&message),
        }
    }
    let query = query::Query {
        args,
        milestone,
        me: world.me.clone(),
        now: world.now.clone(),
    };
    if let Err(message) = query::validate(&query) {
        return out.failed(&message);
    }
    // The tracker reads the issues, then the milestones for their names.
    let (issues, milestones) = match (&mut sources.issues, &sources.milestones) {
        (Err(unread), _) => return refused(out, unread),
        (Ok(_), Err(unread)) => return refused(out, unread),
        (Ok(issues), Ok(milestones)) => (issues, milestones),
    };
    row::name_milestones(issues, milestones);
    let Some(selection) = query::select(issues, milestones, &query) else {
        return Answer::Forward("a --search Python folds differently".to_owned());
    };
    if !selection
        .records
        .iter()
        .all(|r| table::progress_is_servable(r))
    {
        return Answer::Forward("a progress Python prints with an exponent".to_owned());
    }
    let rows: Vec<Vec<Cow<'_, str>>> = selection.records.iter().map(|r| table::cells(r)).collect();
    let format = args.format();
    let Some(flat) = Flat::parse(&format) else {
        return rich(out, args, &selection, rows, &shape, world.terminal_width);
    };
    match Table::build(selection.description, rows, &shape) {
        Ok(table) => {
            let rendered = formats::render(&table, flat);
            // Moved, not copied, when nothing precedes it (megabytes at 100k issues).
            if out.stdout.is_empty() {
                out.stdout = rendered;
            } else {
                out.stdout.push_str(&rendered);
            }
            out.done(0)
        }
        Err(ShapeError::Application(message)) => out.failed(&message),
        Err(other) => Answer::Forward(format!("{other:?}")),
    }
}

/// The refusal of a record that cannot be read: for git conflict hunks in the front matter,
/// `Error:` naming the file (as 0.3.1 does, though its text after the path is PyYAML's), exit
/// 1; for hunks in the body, ours ([`Unread::refusal`]), where 0.3.1 would show the record.
fn refused(out: Out, unread: &Unread) -> Answer {
    match unread {
        Unread::Conflict { path, line } => out.failed(&format!(
            "invalid YAML frontmatter in {}: unresolved git conflict markers (line {line}); resolve the conflict and commit",
            path.display()
        )),
        Unread::BodyConflict { .. } | Unread::Unserved(_) => match unread.refusal() {
            Some(message) => out.failed(&message),
            None => unread.answer(),
        },
    }
}

/// The default format, piped: a header line, the workload for `-a`/`--my-issues`, then the
/// vertical panel (the horizontal table is not served).
fn rich(
    mut out: Out,
    args: &ContractListArgs,
    selection: &query::Selection,
    rows: Vec<Vec<Cow<'_, str>>>,
    shape: &table::Shape,
    terminal_width: usize,
) -> Answer {
    let description = &selection.description;
    let mut literal = true;
    if selection.next_milestone_missing {
        literal &= out.print("📋 No upcoming milestones with due dates found.");
        return if literal {
            out.done(0)
        } else {
            Answer::Forward("markup".into())
        };
    }
    if selection.records.is_empty() {
        literal &= out.print(&format!("📋 No {description} issues found."));
        literal &= out.print("Create one with: roadmap issue create --title 'Issue title'");
        return if literal {
            out.done(0)
        } else {
            Answer::Forward("markup".into())
        };
    }
    let count = selection.records.len();
    let plural = if count == 1 { "" } else { "s" };
    literal &= out.print(&format!("📋 {count} {description} issue{plural}"));
    let assignee = args.assignee.as_deref().filter(|a| !a.is_empty());
    if assignee.is_some() || args.my_issues {
        let total: f64 = selection
            .records
            .iter()
            .map(|r| r.estimated_hours.map_or(0.0, |h| h.value))
            .sum();
        let who = assignee.unwrap_or("you");
        literal &= out.print(&format!(
            "Total estimated time for {who}: {}",
            table::duration(Some(total))
        ));
        out.print("Workload breakdown:");
        let mut statuses: Vec<&str> = selection
            .records
            .iter()
            .map(|r| r.status.as_str())
            .collect();
        statuses.sort_unstable();
        let mut counted = statuses.clone();
        counted.dedup();
        for status in counted {
            let n = statuses.iter().filter(|s| **s == status).count();
            out.print(&format!("  {status}: {n} issues"));
        }
    }
    if !literal {
        return Answer::Forward("text Rich would rewrite (markup, emoji codes)".into());
    }
    let table = match Table::build(description.clone(), rows, shape) {
        Ok(table) => table,
        Err(ShapeError::Application(message)) => return out.failed(&message),
        Err(other) => return Answer::Forward(format!("{other:?}")),
    };
    if !formats::vertical_layout(&table, terminal_width) {
        return Answer::Forward(
            "the horizontal rich table (only the vertical panel is served)".into(),
        );
    }
    if !table
        .rows
        .iter()
        .flatten()
        .all(|c| rich_text::is_plain_text(c))
    {
        return Answer::Forward("control characters in a value".into());
    }
    formats::vertical(&mut out.stdout, &table, out.width);
    out.done(0)
}

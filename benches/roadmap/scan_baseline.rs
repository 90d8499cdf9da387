//! The file-scan baseline: `roadmap list` answered the way it was before the cache, as fast as
//! Rust makes it. Enumerate `.roadmap/issues` and `.roadmap/archive/issues`, read and parse
//! every file on all cores with the crate's own parser, pick one file per id as the cache
//! does, filter and sort in memory, and print with the same renderer, so the output is
//! byte-for-byte `roadmap list`'s (the bench checks that).
//!
//! It runs as its own process (this bench binary, re-invoked with [`ENV`] set), so the
//! comparison includes process start on both sides.

use clap::Parser;
use roadmap_hooks::cache::query::{
    IssueRow, ListQuery, Matched, MilestoneFilter, MilestoneRow, Scope, SortKey,
};
use roadmap_hooks::cli::list_args::{Format, ListArgs};
use roadmap_hooks::cli::render::{self, TableStyle};
use roadmap_hooks::cli::{self, write_stdout};
use roadmap_hooks::issue::{Issue, to_json};
use roadmap_hooks::lines::legacy::layout::{self, RoadmapFile};
use roadmap_hooks::record::Record;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};

/// Set to anything: this process is the baseline, not the bench.
pub const ENV: &str = "ROADMAP_BENCH_SCAN_BASELINE";

#[derive(Parser)]
#[command(name = "scan-baseline")]
struct Args {
    /// Read and parse every file, print only the count: the parse-only floor of a rebuild
    #[arg(long)]
    parse_only: bool,
    #[command(flatten)]
    list: ListArgs,
}

/// Whether this process was started as the baseline.
#[must_use]
pub fn requested() -> bool {
    std::env::var_os(ENV).is_some()
}

/// Runs the baseline in the current directory; returns the exit code.
pub fn main() -> i32 {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => 0,
        Err(error) => {
            eprintln!("scan-baseline: error: {error}");
            1
        }
    }
}

/// One issue as the baseline keeps it: the row a list prints and the keys it sorts on.
struct Row {
    row: IssueRow,
    is_open: bool,
    status_rank: i64,
    priority_rank: i64,
    /// Built on the parsing threads, and only for `--format json`.
    json: Option<String>,
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let (mut files, mut milestone_files) = (Vec::new(), Vec::new());
    collect(Path::new("."), ".roadmap", &mut files, &mut milestone_files)?;
    if args.parse_only {
        let count: usize = parse_in_parallel(&files, |path, issue| {
            std::hint::black_box((path, issue));
        })?
        .len();
        return Ok(write_stdout(format!("{count} issues\n").as_bytes()).map_err(|e| e.message)?);
    }
    let with_json = args.list.format == Format::Json;
    let rows = parse_in_parallel(&files, |path, issue| Row {
        json: with_json.then(|| to_json(&issue, path)),
        is_open: issue.status.is_open() && !issue.archived,
        status_rank: issue.status.rank(),
        priority_rank: issue.priority.rank(),
        row: IssueRow {
            created: issue.created_key().map(str::to_owned),
            updated: issue.updated_key().map(str::to_owned),
            id: issue.id,
            title: issue.title,
            status: issue.status.as_str().to_owned(),
            priority: issue.priority.as_str().to_owned(),
            issue_type: issue.issue_type.as_str().to_owned(),
            assignee: issue.assignee,
            milestone: issue.milestone,
            labels: issue.labels,
            due_date: issue.frontmatter.due_date,
            archived: issue.archived,
            path: path.to_owned(),
        },
    })?;
    // Unknown statuses are accepted as filters when some file uses them, as `roadmap` does.
    let query = args
        .list
        .to_query(|status| rows.iter().any(|r| r.row.status == status))
        .map_err(|e| e.message)?;
    let mut listed: Vec<Row> = winners(rows)
        .into_iter()
        .filter(|r| matches(r, &query))
        .collect();
    listed.sort_unstable_by(|a, b| {
        let order = compare(a, b, query.sort);
        if query.reverse {
            order.reverse()
        } else {
            order
        }
    });
    let matched = listed.len();
    listed.truncate(query.limit.unwrap_or(usize::MAX));
    let output = if with_json {
        let objects: Vec<String> = listed.into_iter().filter_map(|r| r.json).collect();
        render::json(&objects)
    } else {
        let rows: Vec<IssueRow> = listed.into_iter().map(|r| r.row).collect();
        let style = TableStyle {
            colour: cli::use_colour(),
            width: cli::output_width(),
        };
        let mut text = String::new();
        if let (Some(name), Format::Table | Format::Plain) =
            (&args.list.milestone, args.list.format)
        {
            let milestone = milestone_named(&milestone_files, name)?;
            text.push_str(&render::milestone_header(name, milestone.as_ref()));
        }
        text.push_str(&render::render_rows(&rows, args.list.format, style));
        if let (Format::Table, Some(limit)) = (args.list.format, query.limit) {
            if rows.len() == limit {
                text.push_str(&render::limit_footer(limit, Matched::Exactly(matched)));
            }
        }
        text
    };
    Ok(write_stdout(output.as_bytes()).map_err(|e| e.message)?)
}

/// The issue and milestone files under `root/relative`, as repository-relative paths.
fn collect(
    root: &Path,
    relative: &str,
    issues: &mut Vec<String>,
    milestones: &mut Vec<String>,
) -> std::io::Result<()> {
    for entry in std::fs::read_dir(root.join(relative))? {
        let entry = entry?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        let path = format!("{relative}/{name}");
        let kind = entry.file_type()?;
        if kind.is_dir() && layout::may_contain_roadmap_files(&path) {
            collect(root, &path, issues, milestones)?;
        } else if kind.is_file() {
            match layout::classify(&path) {
                Some(RoadmapFile::Issue(_)) => issues.push(path),
                Some(RoadmapFile::Milestone { .. }) => milestones.push(path),
                _ => {}
            }
        }
    }
    Ok(())
}

/// The milestone `roadmap list -m` describes above its rows: an active file before an
/// archived one, then the smaller path, as the cache picks.
fn milestone_named(files: &[String], name: &str) -> std::io::Result<Option<MilestoneRow>> {
    let mut found: Vec<(bool, &String, MilestoneRow)> = Vec::new();
    for path in files {
        let bytes = std::fs::read(path)?;
        if let Some(Record::Milestone(milestone)) = Record::read(path, &bytes) {
            if milestone.name == name {
                let row = MilestoneRow {
                    name: milestone.name,
                    status: milestone.status,
                    due_date: milestone.due_date,
                    archived: milestone.archived,
                };
                found.push((row.archived, path, row));
            }
        }
    }
    found.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    Ok(found.into_iter().next().map(|(_, _, row)| row))
}

/// Reads and parses `files` on every core; `keep` turns each issue into what the caller needs,
/// on the parsing thread. Files that are not valid issues are skipped (the corpus has none).
fn parse_in_parallel<T: Send>(
    files: &[String],
    keep: impl Fn(&str, Issue) -> T + Sync,
) -> std::io::Result<Vec<T>> {
    const CHUNK: usize = 64;
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| -> std::io::Result<Vec<T>> {
                    let mut kept = Vec::with_capacity(files.len() / threads + CHUNK);
                    loop {
                        let start = next.fetch_add(CHUNK, AtomicOrdering::Relaxed);
                        let Some(chunk) = files.get(start..(start + CHUNK).min(files.len())) else {
                            return Ok(kept);
                        };
                        for path in chunk {
                            let bytes = std::fs::read(path)?;
                            if let Some(Record::Issue(issue)) = Record::read(path, &bytes) {
                                kept.push(keep(path, *issue));
                            }
                        }
                    }
                })
            })
            .collect();
        let mut all = Vec::with_capacity(files.len());
        for worker in workers {
            all.extend(worker.join().expect("a parsing thread panicked")?);
        }
        Ok(all)
    })
}

/// One row per id, chosen as the cache chooses: an active file beats an archived copy, then
/// the later `updated` wins (a missing one loses), then the smaller path.
fn winners(rows: Vec<Row>) -> Vec<Row> {
    let mut best: HashMap<String, Row> = HashMap::with_capacity(rows.len());
    for row in rows {
        match best.get(&row.row.id) {
            Some(held) if beats(held, &row) => {}
            _ => {
                best.insert(row.row.id.clone(), row);
            }
        }
    }
    best.into_values().collect()
}

fn beats(a: &Row, b: &Row) -> bool {
    let (a, b) = (&a.row, &b.row);
    a.archived
        .cmp(&b.archived)
        .then_with(|| match (&a.updated, &b.updated) {
            (Some(x), Some(y)) => y.cmp(x),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        })
        .then_with(|| a.path.cmp(&b.path))
        == Ordering::Less
}

/// The `WHERE` of the cache's list query, in memory.
fn matches(r: &Row, query: &ListQuery) -> bool {
    let row = &r.row;
    let in_scope = match (query.scope, query.statuses.is_empty()) {
        (Scope::Open, true) => r.is_open,
        (Scope::Open, false) => !row.archived,
        (Scope::Archived, _) => row.archived,
        (Scope::All, _) => true,
    };
    let any_of =
        |values: &[String], value: &str| values.is_empty() || values.iter().any(|v| v == value);
    in_scope
        && any_of(&query.statuses, &row.status)
        && any_of(&query.priorities, &row.priority)
        && any_of(&query.types, &row.issue_type)
        && query.assignee.as_ref().is_none_or(|wanted| {
            row.assignee
                .as_ref()
                .is_some_and(|a| a.eq_ignore_ascii_case(wanted))
        })
        && match &query.milestone {
            Some(MilestoneFilter::Named(name)) => row.milestone.as_ref() == Some(name),
            Some(MilestoneFilter::Backlog) => row.milestone.is_none(),
            None => true,
        }
        && query.labels.iter().all(|label| row.labels.contains(label))
}

/// The `ORDER BY` of the cache's list query: SQLite puts NULL first in ascending order, as
/// `Option`'s `None < Some` does, and compares text bytewise (`NOCASE` folds ASCII only).
fn compare(a: &Row, b: &Row, key: SortKey) -> Ordering {
    let (x, y) = (&a.row, &b.row);
    match key {
        SortKey::Priority => (a.priority_rank, a.status_rank, &x.created, &x.id).cmp(&(
            b.priority_rank,
            b.status_rank,
            &y.created,
            &y.id,
        )),
        SortKey::Status => {
            (a.status_rank, a.priority_rank, &x.id).cmp(&(b.status_rank, b.priority_rank, &y.id))
        }
        SortKey::Created => (&x.created, &x.id).cmp(&(&y.created, &y.id)),
        SortKey::Updated => (&x.updated, &x.id).cmp(&(&y.updated, &y.id)),
        SortKey::Id => (&x.id, &x.path).cmp(&(&y.id, &y.path)),
        SortKey::Title => x
            .title
            .bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(y.title.bytes().map(|c| c.to_ascii_lowercase()))
            .then_with(|| x.id.cmp(&y.id)),
    }
}

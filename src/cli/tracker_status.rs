//! `roadmap status` with the tracker's exact output (roadmap-cli 1.0.2's `StatusSnapshotService`
//! printed by its `OutputManager`): the title line, the "Entities" table (projects, milestones,
//! issues: open, closed, archived, total) and the "Issue Status" table (one row per status, in
//! the tracker's enum order, then the total).
//!
//! Issue counts come from the cache (working tree included); milestones and projects, which
//! are few, from their files. Served only when the output is piped (the tracker's tables are
//! then plain, without colour or style codes) and every file is in a shape the tracker reads
//! as we do; anything else, and every `--format` but `rich`, goes to the tracker.

use super::rich_text;
use super::tracker_format::{Column, Table};
use super::tracker_list::{Answer, hand_over, tracker_cache};
use super::{CommandError, write_stdout};
use crate::cache::query::TrackerStatusCount;
use crate::layout::{self, RoadmapFile};
use crate::tracker_projects::{self, ProjectCounts};
use clap::Args;
use std::ffi::OsString;
use std::path::Path;

/// The tracker's `status` options.
#[derive(Debug, Clone, Args)]
pub struct StatusArgs {
    /// Accepted as the tracker does (its output does not change)
    #[arg(short, long)]
    pub verbose: bool,
    /// rich (the default) is answered here; plain, json, csv and markdown by the tracker
    #[arg(short, long, value_parser = clap::builder::PossibleValuesParser::new(["rich", "plain", "json", "csv", "markdown"]), ignore_case = true)]
    pub format: Option<String>,
    /// Write the output to a file (the tracker does this)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<OsString>,
}

// `Status`, in the tracker's enum order: the status table prints its rows in this order.
use super::tracker_list::STATUSES as ISSUE_STATUSES;

/// What `status` counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub projects: ProjectCounts,
    /// Open and closed milestones under `.roadmap/milestones/`.
    pub milestones: [usize; 2],
    pub archived_milestones: usize,
    pub issues: Vec<TrackerStatusCount>,
}

/// Runs `roadmap status`: ours when exact, else the tracker.
pub fn run(args: &StatusArgs, argv: &[OsString]) -> Result<(), CommandError> {
    if args.output.is_some()
        || args
            .format
            .as_ref()
            .is_some_and(|f| !f.eq_ignore_ascii_case("rich"))
    {
        hand_over(argv, "a --format or --output other than the rich table");
    }
    if let Err(reason) = styled_output() {
        hand_over(argv, reason);
    }
    let (cache, root) = tracker_cache(argv)?;
    if let Err(reason) = tracker_reads_what_we_cache(&root, &cache) {
        hand_over(argv, reason);
    }
    if let Err(reason) = closed_as_written(&root, &cache.tracker_closed_paths()?) {
        hand_over(argv, reason);
    }
    let unreadable = cache.invalid_files()?;
    if unreadable
        .iter()
        .any(|(path, _)| path.starts_with(".roadmap/archive/issues/"))
    {
        hand_over(argv, "an archived issue file we cannot read");
    }
    let Some(milestones) = crate::tracker_milestones::read(&root) else {
        hand_over(argv, "a milestone file the tracker may read differently");
    };
    let Some(archived_milestones) = crate::tracker_milestones::count_archived(&root) else {
        hand_over(
            argv,
            "an archived milestone the tracker may read differently",
        );
    };
    let Some(projects) = tracker_projects::count(&root) else {
        hand_over(argv, "a project file the tracker may read differently");
    };
    let open = milestones.iter().filter(|m| m.status == "open").count();
    let snapshot = Snapshot {
        projects,
        milestones: [open, milestones.len() - open],
        archived_milestones,
        issues: cache.tracker_status_counts()?,
    };
    match answer(&snapshot, terminal_width()) {
        Answer::Print(text) => write_stdout(text.as_bytes()),
        Answer::Forward(reason) => hand_over(argv, reason),
    }
}

/// The tracker's status output for `snapshot`, its layout chosen for `terminal_width`.
#[must_use]
pub fn answer(snapshot: &Snapshot, terminal_width: usize) -> Answer {
    let mut issues = [0usize; 6];
    for count in &snapshot.issues {
        if count.has_warnings {
            return Answer::Forward("an issue the tracker may read differently");
        }
        let status = if count.archived {
            Some(5)
        } else {
            ISSUE_STATUSES.iter().position(|s| *s == count.status)
        };
        let Some(status) = status else {
            return Answer::Forward("an issue status the tracker does not know");
        };
        issues[status] += usize::try_from(count.files).unwrap_or(usize::MAX);
    }
    let projects = &snapshot.projects;
    let project = [
        projects.by_status[..3].iter().sum::<usize>(),
        projects.by_status[3..].iter().sum(),
        projects.archived,
    ];
    let milestone = [
        snapshot.milestones[0],
        snapshot.milestones[1],
        snapshot.archived_milestones,
    ];
    let issue = [issues[..4].iter().sum::<usize>(), issues[4], issues[5]];
    let line = |name: &str, counts: [usize; 3]| -> Vec<String> {
        let mut row = vec![name.to_owned()];
        row.extend(counts.iter().map(usize::to_string));
        row.push(counts.iter().sum::<usize>().to_string());
        row
    };
    let total: [usize; 3] = std::array::from_fn(|i| project[i] + milestone[i] + issue[i]);
    let entities = vec![
        line("Projects", project),
        line("Milestones", milestone),
        line("Issues", issue),
        line("Total", total),
    ];
    let mut by_status: Vec<Vec<String>> = ISSUE_STATUSES
        .iter()
        .zip(issues)
        .map(|(status, count)| vec![(*status).to_owned(), count.to_string()])
        .collect();
    by_status.push(vec![
        "Total".to_owned(),
        issues.iter().sum::<usize>().to_string(),
    ]);
    let mut out = rich_text::print("📊 Roadmap Status", rich_text::PLAIN_WIDTH);
    out.push_str(&render(
        "Entities",
        ENTITY_COLUMNS,
        entities,
        terminal_width,
    ));
    out.push('\n');
    out.push_str(&render(
        "Issue Status",
        STATUS_COLUMNS,
        by_status,
        terminal_width,
    ));
    Answer::Print(out)
}

const fn column(name: &'static str, display_name: &'static str, kind: &'static str) -> Column {
    Column {
        name,
        display_name,
        kind,
        width: 0,
        style: "",
        enum_values: None,
        sortable: true,
        filterable: true,
    }
}

const ENTITY_COLUMNS: &[Column] = &[
    column("entity", "Entity", "string"),
    column("open", "Open", "integer"),
    column("closed", "Closed", "integer"),
    column("archived", "Archived", "integer"),
    column("total", "Total", "integer"),
];

const STATUS_COLUMNS: &[Column] = &[
    column("status", "Status", "string"),
    column("count", "Count", "integer"),
];

/// One table as `SmartTableLayout` prints it: horizontal, or one panel of entries when the
/// estimate passes 80% of the terminal's width.
fn render(
    title: &'static str,
    columns: &'static [Column],
    rows: Vec<Vec<String>>,
    terminal_width: usize,
) -> String {
    let table = Table::new(title, String::new(), columns, rows);
    if table.vertical_layout(terminal_width) {
        return table.render_vertical();
    }
    let headers: Vec<&str> = columns.iter().map(|c| c.display_name).collect();
    rich_text::table(title, &headers, &table.rows)
}

/// The tracker's tables carry bold and italic codes whenever stdout is a terminal or
/// `FORCE_COLOR` asks for colour: then ours would differ.
fn styled_output() -> Result<(), &'static str> {
    use std::io::IsTerminal;
    if std::io::stdout().is_terminal() {
        return Err("a terminal (the tracker's styles)");
    }
    let force = std::env::var("FORCE_COLOR").unwrap_or_default();
    if ["1", "true", "yes"].contains(&force.to_ascii_lowercase().as_str()) {
        return Err("FORCE_COLOR");
    }
    Ok(())
}

/// `shutil.get_terminal_size().columns` with stdout piped: `COLUMNS` when it is a positive
/// number, else 80.
fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|c| *c > 0)
        .unwrap_or(80)
}

/// Whether the tracker's file walk finds exactly the issue files the cache holds: every
/// `*.md` under `.roadmap/issues/` and `.roadmap/archive/issues/` (any depth, hidden ones too,
/// as `rglob` finds them) must be a file our layout reads as an issue, and not a `.backup`
/// (which the tracker skips and we do not); the repository's own path must not pass through a
/// folder named `archive` (the tracker would count every issue as archived).
fn tracker_reads_what_we_cache(
    root: &Path,
    cache: &crate::cache::Cache,
) -> Result<(), &'static str> {
    if root
        .canonicalize()
        .unwrap_or_else(|_| root.to_owned())
        .components()
        .any(|c| c.as_os_str() == "archive")
    {
        return Err("a repository path through a folder named archive");
    }
    let mut found = 0u64;
    for dir in [".roadmap/issues", ".roadmap/archive/issues"] {
        walk(root, Path::new(dir), &mut found)?;
    }
    let cached: u64 = cache
        .tracker_status_counts()
        .map_err(|_| "the cache could not be read")?
        .iter()
        .map(|c| c.files)
        .sum();
    if found == cached {
        Ok(())
    } else {
        Err("issue files the cache does not hold")
    }
}

fn walk(root: &Path, relative: &Path, found: &mut u64) -> Result<(), &'static str> {
    let odd = "a file under the issue folders the tracker may read differently";
    let entries = match std::fs::read_dir(root.join(relative)) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(_) => return Err(odd),
    };
    for entry in entries {
        let entry = entry.map_err(|_| odd)?;
        let kind = entry.file_type().map_err(|_| odd)?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            return Err(odd);
        };
        let path = relative.join(name);
        if kind.is_dir() {
            walk(root, &path, found)?;
            continue;
        }
        if !name.ends_with(".md") {
            continue;
        }
        let classified = path.to_str().and_then(layout::classify);
        if !kind.is_file()
            || name.contains(".backup")
            || !matches!(classified, Some(RoadmapFile::Issue(_)))
        {
            return Err(odd);
        }
        *found += 1;
    }
    Ok(())
}

/// Whether every issue the cache reads as closed says `closed` in its file: the cache also
/// reads an older tracker's `done` and `completed` as closed, and the tracker skips such a
/// file. Reads only the closed issues' frontmatter, up to its `status:` line.
pub(crate) fn closed_as_written(root: &Path, paths: &[String]) -> Result<(), &'static str> {
    let older = "a status the cache reads as closed and the tracker skips";
    for path in paths {
        let text = std::fs::read_to_string(root.join(path)).map_err(|_| older)?;
        let status = text
            .lines()
            .skip(1)
            .take_while(|line| *line != "---")
            .find_map(|line| line.strip_prefix("status:"))
            .map(|value| value.trim().trim_matches(|c| c == '\'' || c == '"'));
        if status != Some("closed") {
            return Err(older);
        }
    }
    Ok(())
}

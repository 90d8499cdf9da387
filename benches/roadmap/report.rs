//! The bench's output: Markdown tables filled in as sizes are measured, and issue 6's targets
//! judged against the figures of this run.

use crate::measure::{Sample, human, ratio};
use std::collections::HashMap;
use std::time::Duration;

/// The figures the targets are judged on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Figure {
    ListDefault,
    ScanDefault,
    ListFiltered,
    ListJson,
    Tracker,
    Backlog,
    HookOneFile,
    DiffOneFile,
    Rebuild,
    ProcessFloor,
}

/// One Markdown table.
pub struct Table {
    title: &'static str,
    note: &'static str,
    header: &'static [&'static str],
    rows: Vec<Vec<String>>,
}

impl Table {
    fn render(&self, out: &mut String) {
        if self.rows.is_empty() {
            return;
        }
        out.push_str(&format!("### {}\n\n", self.title));
        if !self.note.is_empty() {
            out.push_str(&format!("{}\n\n", self.note));
        }
        out.push_str(&format!("| {} |\n", self.header.join(" | ")));
        out.push_str(&format!("|{}\n", "---|".repeat(self.header.len())));
        for row in &self.rows {
            out.push_str(&format!("| {} |\n", row.join(" | ")));
        }
        out.push('\n');
    }
}

/// The tables of a run, in the order they are printed.
#[derive(Debug, Clone, Copy)]
pub enum Section {
    List,
    Views,
    Peers,
    Hook,
    Switch,
    Rebuild,
    Memory,
    Worktree,
    History,
}

pub struct Report {
    /// Lines printed above the tables (the machine's load while each size ran).
    notes: Vec<String>,
    tables: Vec<Table>,
    figures: HashMap<(usize, Figure), Sample>,
    sizes: Vec<usize>,
}

impl Report {
    #[must_use]
    pub fn new(sizes: &[usize]) -> Report {
        let table = |title, note, header| Table {
            title,
            note,
            header,
            rows: Vec::new(),
        };
        Report {
            notes: Vec::new(),
            tables: vec![
                table(
                    "`roadmap list` vs the Rust file scan",
                    "Whole processes, output piped to the bench. The file scan reads and parses \
                     every issue file on all cores, filters and sorts in memory and prints the \
                     same bytes (checked).",
                    &[
                        "issues",
                        "view",
                        "`roadmap list`",
                        "file scan (Rust)",
                        "speed-up",
                        "runs",
                    ],
                ),
                table(
                    "Every view beside the default one",
                    "`roadmap list` with filters and orders (issue 15), each timed in the same \
                     comparison as the default view (first row); the ratio is over the default \
                     view. Lines: what the view printed (the header and up to 50 rows). At \
                     1k-100k each view's output is checked against the file scan's.",
                    &[
                        "issues",
                        "view",
                        "`roadmap list`",
                        "÷ default",
                        "lines",
                        "runs",
                    ],
                ),
                table(
                    "Side by side with the tools in use today",
                    "Each tool's listing on the same issues (Backlog.md: converted to its task \
                     files). The last column is the tool's time over `roadmap list --limit 50` \
                     measured in this run.",
                    &["issues", "tool", "median", "runs", "vs `roadmap list`"],
                ),
                table(
                    "Post-commit hook sync vs `git diff`",
                    "`roadmap hook post-commit` (what the installed hook runs) after a \
                     commit made with hooks off; each run syncs the commit's diff into a cache \
                     one commit behind. The floor: `git diff --name-only HEAD~1 HEAD` in the \
                     same repository.",
                    &[
                        "issues",
                        "commit touches",
                        "hook sync",
                        "`git diff`",
                        "hook ÷ diff",
                        "runs",
                    ],
                ),
                table(
                    "Branch switch between branches differing by 1,000 issues",
                    "`git switch` back and forth; with hooks the post-checkout hook syncs the \
                     1,000 changed issues before git returns.",
                    &[
                        "issues",
                        "hooks installed",
                        "no hooks",
                        "ratio",
                        "cost of the hook",
                        "runs",
                    ],
                ),
                table(
                    "Full rebuild vs parse-only",
                    "`roadmap-hooks sync --full` reads every issue blob from git, parses it and \
                     writes a new cache generation. Parse-only: the file scan reading and \
                     parsing the working-tree files on all cores, nothing else.",
                    &[
                        "issues",
                        "`sync --full`",
                        "every index inline",
                        "÷ inline",
                        "issues/s",
                        "read + parse only",
                        "rebuild ÷ parse",
                        "runs",
                    ],
                ),
                table(
                    "Peak memory and disk",
                    "Peak RSS from `wait4` of each process (the highest of its runs). Cache: \
                     the live `cache-*.db` in `.git/roadmap/` after a full rebuild; issue files: \
                     the Markdown under `.roadmap/issues` and `.roadmap/archive/issues`.",
                    &[
                        "issues",
                        "RSS `list --limit 50`",
                        "RSS `list --all --format json`",
                        "RSS `sync --full`",
                        "RSS hook (1 file)",
                        "cache file",
                        "issue files",
                        "cache ÷ files",
                    ],
                ),
                table(
                    "Queries that show hand edits (`--worktree`) vs `git status`",
                    "`roadmap list --limit 50 --worktree` with 10 issue files edited and not \
                     committed (already seen by an earlier look, as in everyday use): a walk of \
                     the roadmap folders comparing stat data with the cache's. The floor: \
                     `git status --porcelain -- .roadmap` in the same repository.",
                    &[
                        "issues",
                        "`list --worktree`",
                        "`list`",
                        "`git status`",
                        "worktree ÷ status",
                        "runs",
                    ],
                ),
                table(
                    "The plan through time: `list --at`, `diff`, `log`",
                    "A chain of 100 commits on top of the corpus, each editing 5 issues and \
                     the first issue (whose story is then 100 commits long); the cache at the \
                     tip. `list --at HEAD~100` lays the diff between HEAD and HEAD~100 over the \
                     cache; its target (issue 23) is the default view plus 2× `git diff \
                     --name-only HEAD HEAD~100`. `diff`'s target is 1.5× that `git diff` plus \
                     parsing the changed files (timed in the bench's own process: libgit2 \
                     reading both sides' blobs, the crate's parser reading them, one thread); \
                     `log`'s floor is `git log --format=%H` of the \
                     issue's file.",
                    &[
                        "issues",
                        "command",
                        "median",
                        "baseline",
                        "baseline is",
                        "ratio",
                        "runs",
                    ],
                ),
            ],
            figures: HashMap::new(),
            sizes: sizes.to_vec(),
        }
    }

    pub fn note(&mut self, line: String) {
        self.notes.push(line);
    }

    pub fn row(&mut self, section: Section, cells: Vec<String>) {
        self.tables[section as usize].rows.push(cells);
    }

    pub fn record(&mut self, issues: usize, figure: Figure, sample: &Sample) {
        self.figures.insert((issues, figure), sample.clone());
    }

    #[must_use]
    pub fn figure(&self, issues: usize, figure: Figure) -> Option<&Sample> {
        self.figures.get(&(issues, figure))
    }

    /// Every table, then the targets.
    #[must_use]
    pub fn render(&self) -> String {
        let mut out = String::new();
        for note in &self.notes {
            out.push_str(&format!("- {note}\n"));
        }
        if !self.notes.is_empty() {
            out.push('\n');
        }
        for table in &self.tables {
            table.render(&mut out);
        }
        out.push_str(&self.targets());
        out
    }

    fn targets(&self) -> String {
        let mut out = String::from(
            "### Targets of issue 6\n\n| target | measured | verdict |\n|---|---|---|\n",
        );
        let mut line = |target: &str, measured: Option<(String, bool)>, missing: &str| {
            let (measured, verdict) = match measured {
                Some((text, true)) => (text, "met"),
                Some((text, false)) => (text, "**missed**"),
                None => (missing.to_owned(), "not measured"),
            };
            out.push_str(&format!("| {target} | {measured} | {verdict} |\n"));
        };
        let speed_up = |n: usize, slow: Figure, at_least: f64| {
            let fast = self.figure(n, Figure::ListDefault)?.median();
            let slow = self.figure(n, slow)?.median();
            let times = slow.as_secs_f64() / fast.as_secs_f64();
            Some((format!("{} faster", ratio(slow, fast)), times >= at_least))
        };
        let under = |n: usize, figure: Figure, limit: Duration| {
            let median = self.figure(n, figure)?.median();
            Some((human(median), median < limit))
        };
        let full = "needs `--full` (100k)";
        let floor = self
            .figure(10_000, Figure::ScanDefault)
            .zip(self.figure(10_000, Figure::ProcessFloor))
            .map_or(String::new(), |(scan, floor)| {
                format!(
                    " (a process doing nothing: {} faster)",
                    ratio(scan.median(), floor.median())
                )
            });
        line(
            "`roadmap list` at 10k ≥ 100× faster than the Rust file scan",
            speed_up(10_000, Figure::ScanDefault, 100.0).map(|(text, met)| (text + &floor, met)),
            "needs the default mode (10k)",
        );
        for (peer, figure) in [
            ("Backlog.md", Figure::Backlog),
            ("the Python tracker", Figure::Tracker),
        ] {
            line(
                &format!("`roadmap list` at 10k ≥ 1000× faster than {peer}"),
                speed_up(10_000, figure, 1000.0),
                "peer not installed, or 10k not run",
            );
        }
        line(
            "default view `--limit 50` under 5 ms at 100k (whole process)",
            under(100_000, Figure::ListDefault, Duration::from_millis(5)),
            full,
        );
        line(
            "all 100k rows as JSON under 1 s",
            under(100_000, Figure::ListJson, Duration::from_secs(1)),
            full,
        );
        let hook = self
            .figure(100_000, Figure::HookOneFile)
            .zip(self.figure(100_000, Figure::DiffOneFile))
            .map(|(hook, diff)| {
                let times = hook.median().as_secs_f64() / diff.median().as_secs_f64();
                (
                    format!("{} of `git diff`", ratio(hook.median(), diff.median())),
                    times <= 2.0,
                )
            });
        line(
            "1-file post-commit sync at 100k within 2× of `git diff`",
            hook,
            full,
        );
        line(
            "full rebuild of 100k under 2 s",
            under(100_000, Figure::Rebuild, Duration::from_secs(2)),
            full,
        );
        let largest = self.sizes.iter().copied().max().unwrap_or(0);
        let rss = |figure: Figure, limit: f64| {
            let mb = self.figure(largest, figure)?.peak_rss_mb();
            Some((format!("{mb:.1} MB at {}", thousands(largest)), mb < limit))
        };
        line(
            "peak RSS of `roadmap list` (default view) under 15 MB",
            rss(Figure::ListDefault, 15.0),
            "not measured",
        );
        line(
            "peak RSS of a full rebuild at 100k under 150 MB",
            rss(Figure::Rebuild, 150.0).filter(|_| largest == 100_000),
            full,
        );
        out
    }
}

/// `100000` → `100,000`.
#[must_use]
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Bytes as `12.3 MB`.
#[must_use]
pub fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

//! The benchmark suite (issue 6): the real `roadmap` and `roadmap-hooks` binaries, timed as
//! whole processes on generated repositories of 1k / 10k / 100k issues, each figure beside a
//! baseline measured in the same run.
//!
//! ```sh
//! cargo bench --bench roadmap -- --quick   # 1k issues, 3 runs: a smoke check
//! cargo bench --bench roadmap              # 1k and 10k
//! cargo bench --bench roadmap -- --full    # 1k, 10k and 100k
//! cargo bench --bench roadmap -- --quick --formats   # only reftable and the git CLI backend
//! cargo bench --bench roadmap -- --at [--full]  # only list --at, diff and log (issue 23)
//! cargo bench --bench roadmap -- --million # 1M only, the cache's own figures (no peers, no scans)
//! cargo bench --bench roadmap -- --contract [--full]  # 0.3.1's issue list served, 10k (100k)
//! cargo bench --bench roadmap -- --history [--full]   # the event log and charts: 10k (100k) issues, 1k commits
//! cargo bench --bench roadmap -- --board [--quick]     # roadmap serve at 100k (1k)
//! cargo bench --bench roadmap -- --worktree [--full]  # list --worktree vs git status, both lines: 10k (100k)
//! ```
//!
//! Repositories are generated once under `target/bench-corpus/`; peers are run when
//! `bench/install-peers.sh` has installed them. The tables go to stdout and to
//! `target/bench-results/roadmap-<mode>.md`. BENCHMARKS.md holds the published figures.

#[path = "roadmap/board.rs"]
mod board;
#[path = "roadmap/contract.rs"]
mod contract;
#[path = "../examples/support/corpus.rs"]
#[allow(dead_code)]
mod corpus;
#[path = "roadmap/event_log.rs"]
mod event_log;
#[path = "roadmap/formats.rs"]
mod formats;
#[path = "roadmap/front.rs"]
mod front;
#[path = "roadmap/history.rs"]
mod history;
#[path = "roadmap/installed.rs"]
mod installed;
#[path = "roadmap/measure.rs"]
mod measure;
#[path = "roadmap/peers.rs"]
mod peers;
#[path = "roadmap/repo.rs"]
mod repo;
#[path = "roadmap/report.rs"]
mod report;
#[path = "roadmap/scan_baseline.rs"]
mod scan_baseline;
#[path = "roadmap/worktree.rs"]
mod worktree;

use measure::{Job, Plan, Sample, compare, human, ratio};
use peers::Peers;
use repo::{BenchRepo, git_command, plain_command as plain};
use report::{Figure, Report, Section, megabytes, thousands};
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Which tables a run measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Only {
    Everything,
    /// `--formats`: the repository formats and git backends.
    Formats,
    /// `--at`: `list --at`, `diff` and `log` (issue 23).
    PlanThroughTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Quick,
    Default,
    Full,
    /// A million issues: the cache against itself and git, without the file scans and peers
    /// (a scan of 1M files takes seconds a run).
    Million,
}

impl Mode {
    /// The mode, and which tables alone are measured (`--formats`, `--at`).
    fn from_args() -> Result<(Mode, Only), String> {
        let mut mode = Mode::Default;
        let mut only = Only::Everything;
        for arg in std::env::args().skip(1) {
            match arg.as_str() {
                "--quick" => mode = Mode::Quick,
                "--full" => mode = Mode::Full,
                "--formats" => only = Only::Formats,
                "--at" => only = Only::PlanThroughTime,
                "--million" => mode = Mode::Million,
                // `cargo bench` passes `--bench` to every bench built with `harness = false`.
                "--bench" => {}
                other => {
                    return Err(format!(
                        "unknown argument `{other}`\nusage: cargo bench --bench roadmap [-- --quick | --full | --million] [--formats | --at]"
                    ));
                }
            }
        }
        Ok((mode, only))
    }

    fn name(self) -> &'static str {
        match self {
            Mode::Quick => "quick",
            Mode::Default => "default",
            Mode::Full => "full",
            Mode::Million => "million",
        }
    }

    fn sizes(self) -> &'static [usize] {
        match self {
            Mode::Quick => &[1_000],
            Mode::Default => &[1_000, 10_000],
            Mode::Full => &[1_000, 10_000, 100_000],
            Mode::Million => &[1_000_000],
        }
    }

    fn plan(self) -> Plan {
        match self {
            Mode::Quick => Plan {
                runs: 3,
                budget: Duration::from_secs(2),
                min_runs: 3,
            },
            Mode::Default | Mode::Full => Plan {
                runs: 10,
                budget: Duration::from_secs(10),
                min_runs: 3,
            },
            // A 1M rebuild takes tens of seconds: once is what fits.
            Mode::Million => Plan {
                runs: 10,
                budget: Duration::from_secs(10),
                min_runs: 1,
            },
        }
    }
}

fn main() {
    if measure::probe_requested() {
        std::process::exit(measure::probe_main());
    }
    if scan_baseline::requested() {
        std::process::exit(scan_baseline::main());
    }
    build_order_indexes_inline();
    if contract::requested()
        || front::requested()
        || event_log::requested()
        || board::requested()
        || worktree::requested()
    {
        let roadmap = PathBuf::from(env!("CARGO_BIN_EXE_roadmap"));
        let target_dir = roadmap
            .parent()
            .and_then(Path::parent)
            .map(Path::to_owned)
            .unwrap_or_default();
        let roadmap_hooks = Path::new(env!("CARGO_BIN_EXE_roadmap-hooks"));
        let run = if board::requested() {
            board::run
        } else if worktree::requested() {
            worktree::run
        } else if contract::requested() {
            contract::run
        } else if event_log::requested() {
            event_log::run
        } else {
            front::run
        };
        if let Err(error) = run(&roadmap, roadmap_hooks, &target_dir) {
            eprintln!("bench: error: {error}");
            std::process::exit(1);
        }
        return;
    }
    let outcome = Mode::from_args()
        .map_err(io::Error::other)
        .and_then(|(mode, only)| match only {
            Only::Everything => run(mode),
            Only::Formats => run_formats(mode),
            Only::PlanThroughTime => run_plan_through_time(mode),
        });
    measure::remove_temp_files();
    if let Err(error) = outcome {
        eprintln!("bench: error: {error}");
        std::process::exit(1);
    }
}

fn run(mode: Mode) -> io::Result<()> {
    let started = Instant::now();
    let mut bench = Bench::new(mode)?;
    for &issues in mode.sizes() {
        bench.size(issues)?;
    }
    if mode != Mode::Million {
        bench.long_history()?;
    }
    bench.installed()?;
    let mut text = format!(
        "## Results ({} mode, {})\n\n{}\n\n",
        mode.name(),
        mode.sizes()
            .iter()
            .map(|&n| thousands(n))
            .collect::<Vec<_>>()
            .join(" / "),
        machine_note(mode.plan())
    );
    text.push_str(&bench.report.render());
    println!("{text}");
    let results = bench.tools.target_dir.join("bench-results");
    std::fs::create_dir_all(&results)?;
    let file = results.join(format!("roadmap-{}.md", mode.name()));
    std::fs::write(&file, &text)?;
    eprintln!(
        "bench: done in {:.0?}; tables written to {}",
        started.elapsed(),
        file.display()
    );
    Ok(())
}

/// `--at`: only issue 23's commands over a chain of commits (`list --at`, `diff`, `log`), at
/// each size of the mode, and `log` on the long history.
fn run_plan_through_time(mode: Mode) -> io::Result<()> {
    let started = Instant::now();
    let mut bench = Bench::new(mode)?;
    for &issues in mode.sizes() {
        let repo = repo::prepare(&bench.tools.corpus_root, issues)?;
        let load_before = load_average();
        bench.tools.sync(&repo)?;
        bench.history(&repo)?;
        bench.report.note(format!(
            "{} issues: load average (1 min) {load_before} before, {} after",
            thousands(issues),
            load_average()
        ));
    }
    bench.long_history()?;
    let mut text = format!(
        "## The plan through time ({} mode)\n\n{}\n\n",
        mode.name(),
        machine_note(mode.plan())
    );
    text.push_str(&bench.report.render());
    println!("{text}");
    let results = bench.tools.target_dir.join("bench-results");
    std::fs::create_dir_all(&results)?;
    std::fs::write(results.join(format!("at-{}.md", mode.name())), &text)?;
    eprintln!("bench: done in {:.0?}", started.elapsed());
    Ok(())
}

/// `--formats`: only the table of repository formats and git backends.
fn run_formats(mode: Mode) -> io::Result<()> {
    let bench = Bench::new(mode)?;
    let tools = &bench.tools;
    let mut rows = Vec::new();
    for &issues in mode.sizes() {
        let repo = repo::prepare(&tools.corpus_root, issues)?;
        measure::run(&mut tools.hooks(&repo.dir, &["install"]), false)?;
        rows.extend(formats::measure(tools, &repo)?);
    }
    let mut text = format!(
        "## Repository formats ({} mode)\n\n{}\n\n\
         | issues | what | first | second | second / first | runs |\n\
         |---:|---|---:|---:|---:|---:|\n",
        mode.name(),
        machine_note(mode.plan())
    );
    for row in rows {
        text.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    println!("{text}");
    let results = tools.target_dir.join("bench-results");
    std::fs::create_dir_all(&results)?;
    std::fs::write(results.join(format!("formats-{}.md", mode.name())), &text)
}

fn machine_note(plan: Plan) -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let git = Command::new("git")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    format!(
        "{cores} cores ({cpu}), {git}. Medians of up to {} timed runs after a warm-up run \
         (fewer for commands slower than {:?} in all: the runs column); ratios are between \
         figures of this run.",
        plan.runs, plan.budget
    )
}

/// One run of the suite: what it runs, and the tables filled so far.
struct Bench {
    mode: Mode,
    tools: Tools,
    report: Report,
}

/// The binaries, where things go, and how often to run each command.
struct Tools {
    roadmap: PathBuf,
    roadmap_hooks: PathBuf,
    myself: PathBuf,
    target_dir: PathBuf,
    corpus_root: PathBuf,
    plan: Plan,
    peers: Peers,
}

/// The three views of `roadmap list` timed against the file scan.
const LIST_VIEWS: &[(&str, &[&str], Figure)] = &[
    (
        "default: `--limit 50`",
        &["--limit", "50"],
        Figure::ListDefault,
    ),
    (
        "filtered, sorted: `-s todo,in-progress -p critical,high -l backend --sort updated -r --limit 50`",
        &[
            "-s",
            "todo,in-progress",
            "-p",
            "critical,high",
            "-l",
            "backend",
            "--sort",
            "updated",
            "-r",
            "--limit",
            "50",
        ],
        Figure::ListFiltered,
    ),
    (
        "every issue as JSON: `--all --format json`",
        &["--all", "--format", "json"],
        Figure::ListJson,
    ),
];

/// The view matrix of issue 15: views users ask for, each timed beside the default view in
/// the same comparison. The values are the corpus's own (`-l hooks`, `-m v1-1`); the last
/// two spell a label and a milestone that no issue has, as a typo would, so nothing matches
/// and a walk in the order of the view would read the whole index.
const VIEWS: &[(&str, &[&str])] = &[
    ("default: `--limit 50`", &["--limit", "50"]),
    (
        "`-s todo,in-progress -p critical,high -l backend --sort updated -r`",
        &[
            "-s",
            "todo,in-progress",
            "-p",
            "critical,high",
            "-l",
            "backend",
            "--sort",
            "updated",
            "-r",
            "--limit",
            "50",
        ],
    ),
    (
        "`-a alice --sort created`",
        &["-a", "alice", "--sort", "created", "--limit", "50"],
    ),
    (
        "`-m v1-1 --sort title`",
        &["-m", "v1-1", "--sort", "title", "--limit", "50"],
    ),
    (
        "`-t bug -s blocked`",
        &["-t", "bug", "-s", "blocked", "--limit", "50"],
    ),
    (
        "`--all --sort updated`",
        &["--all", "--sort", "updated", "--limit", "50"],
    ),
    (
        "`-l hooks -l perf`",
        &["-l", "hooks", "-l", "perf", "--limit", "50"],
    ),
    (
        "`--all -a bob --sort priority -r`",
        &[
            "--all", "-a", "bob", "--sort", "priority", "-r", "--limit", "50",
        ],
    ),
    ("`--sort id -r`", &["--sort", "id", "-r", "--limit", "50"]),
    (
        "`--all --sort status -r`",
        &["--all", "--sort", "status", "-r", "--limit", "50"],
    ),
    (
        "`--archived --sort title`",
        &["--archived", "--sort", "title", "--limit", "50"],
    ),
    (
        "`-a carol -m v2-0 -t feature -p high --sort updated` (0.1% of issues)",
        &[
            "-a", "carol", "-m", "v2-0", "-t", "feature", "-p", "high", "--sort", "updated",
            "--limit", "50",
        ],
    ),
    (
        "`-l cache` (no such label)",
        &["-l", "cache", "--limit", "50"],
    ),
    (
        "`-m v1.1 --sort title` (no such milestone)",
        &["-m", "v1.1", "--sort", "title", "--limit", "50"],
    ),
];

impl Bench {
    fn new(mode: Mode) -> io::Result<Bench> {
        let roadmap = PathBuf::from(env!("CARGO_BIN_EXE_roadmap"));
        let target_dir = roadmap
            .parent()
            .and_then(Path::parent)
            .ok_or_else(|| io::Error::other("unexpected location of the roadmap binary"))?
            .to_owned();
        let tools = Tools {
            roadmap,
            roadmap_hooks: PathBuf::from(env!("CARGO_BIN_EXE_roadmap-hooks")),
            myself: std::env::current_exe()?,
            corpus_root: target_dir.join("bench-corpus"),
            peers: Peers::find(&target_dir),
            target_dir,
            plan: mode.plan(),
        };
        Ok(Bench {
            mode,
            tools,
            report: Report::new(mode.sizes()),
        })
    }

    fn size(&mut self, issues: usize) -> io::Result<()> {
        let repo = repo::prepare(&self.tools.corpus_root, issues)?;
        let (load_before, started) = (load_average(), Instant::now());
        measure::run(&mut self.tools.hooks(&repo.dir, &["install"]), false)?;
        let disk = self.rebuild(&repo)?;
        if self.mode == Mode::Million {
            self.views(&repo, false)?;
        } else {
            self.list(&repo)?;
            self.views(&repo, true)?;
            self.peers(&repo);
        }
        self.hook_sync(&repo)?;
        self.branch_switch(&repo)?;
        if self.mode != Mode::Million {
            self.worktree_look(&repo)?;
            self.history(&repo)?;
        }
        self.memory_and_disk(issues, disk);
        self.report.note(format!(
            "{} issues: measured in {:.0?}; load average (1 min) {load_before} before, {} after",
            thousands(issues),
            started.elapsed(),
            load_average()
        ));
        repo.restore()?;
        self.tools.sync(&repo)
    }

    /// Times a full rebuild against parse-only; returns (cache bytes, issue file bytes).
    fn rebuild(&mut self, repo: &BenchRepo) -> io::Result<(u64, u64)> {
        let tools = &self.tools;
        let dir = &repo.dir;
        let mut jobs = vec![
            Job::new("roadmap-hooks sync --full", || {
                rebuild_as_users_run_it(tools.hooks(dir, &["sync", "--full"]))
            })
            .after_each(|| repo::wait_for_order_indexes(dir)),
            Job::new("roadmap-hooks sync --full, every index inline", || {
                tools.hooks(dir, &["sync", "--full"])
            }),
        ];
        // At 1M the parse-only scan is minutes of reading 1M files on a shared machine; the
        // rebuild's target there is absolute (20 s).
        if self.mode != Mode::Million {
            jobs.push(Job::new("scan baseline --parse-only", || {
                tools.scan_baseline(dir, &["--parse-only"])
            }));
        }
        let measured = compare(&jobs, tools.plan)?;
        let rebuild = &measured.samples[0];
        let inline = &measured.samples[1];
        let per_second = repo.issues as f64 / rebuild.median().as_secs_f64();
        let (parse_time, slower) = match measured.samples.get(2) {
            Some(parse) => {
                let slower = ratio(rebuild.median(), parse.median());
                progress(repo.issues, "full rebuild", rebuild, parse, &slower);
                (human(parse.median()), slower)
            }
            None => ("not run".to_owned(), "-".to_owned()),
        };
        self.report.row(
            Section::Rebuild,
            vec![
                thousands(repo.issues),
                human(rebuild.median()),
                human(inline.median()),
                ratio(rebuild.median(), inline.median()),
                format!("{:.0}", per_second),
                parse_time,
                slower,
                rebuild.runs.len().to_string(),
            ],
        );
        self.report.record(repo.issues, Figure::Rebuild, rebuild);
        Ok((repo.cache_bytes()?, repo.issue_file_bytes()?))
    }

    fn list(&mut self, repo: &BenchRepo) -> io::Result<()> {
        let tools = &self.tools;
        let dir = &repo.dir;
        for (view, args, figure) in LIST_VIEWS {
            let jobs = [
                Job::new("roadmap list", || tools.roadmap(dir, args)),
                Job::new("scan baseline", || tools.scan_baseline(dir, args)),
            ];
            let measured = compare(&jobs, tools.plan)?;
            let [list, scan] = &measured.samples[..] else {
                unreachable!("two jobs")
            };
            let mut speed_up = ratio(scan.median(), list.median());
            if let Some(difference) = first_difference(&measured.outputs[0], &measured.outputs[1]) {
                eprintln!(
                    "bench: WARNING: the file scan printed other output ({view}): {difference}"
                );
                speed_up.push_str(" (outputs differ!)");
            }
            progress(repo.issues, &format!("list {view}"), list, scan, &speed_up);
            self.report.row(
                Section::List,
                vec![
                    thousands(repo.issues),
                    (*view).to_owned(),
                    human(list.median()),
                    human(scan.median()),
                    speed_up,
                    list.runs.len().to_string(),
                ],
            );
            self.report.record(repo.issues, *figure, list);
            if *figure == Figure::ListDefault {
                self.report.record(repo.issues, Figure::ScanDefault, scan);
            }
        }
        self.process_floor(repo.issues)
    }

    /// Times every view of [`VIEWS`] beside the default one; with `check`, each view's output
    /// is compared with the file scan's (one untimed run each).
    fn views(&mut self, repo: &BenchRepo, check: bool) -> io::Result<()> {
        let tools = &self.tools;
        let dir = &repo.dir;
        let timed = |views: &[(&str, &[&str])]| {
            let jobs: Vec<Job> = views
                .iter()
                .map(|&(view, args)| Job::new(view, move || tools.roadmap(dir, args)))
                .collect();
            compare(&jobs, tools.plan)
        };
        let mut blocks = vec![(VIEWS.to_vec(), timed(VIEWS)?)];
        if !check {
            // Beside the default view in a comparison of its own: in the matrix, a 1 s export
            // would cut every view's runs to what its own budget allows.
            let export: Vec<(&str, &[&str])> = vec![
                VIEWS[0],
                (
                    "every issue as JSON: `--all --format json`",
                    &["--all", "--format", "json"],
                ),
            ];
            let measured = timed(&export)?;
            blocks.push((export, measured));
        }
        for (block, (views, measured)) in blocks.iter().enumerate() {
            let default = &measured.samples[0];
            for (index, (view, args)) in views.iter().enumerate() {
                if block > 0 && index == 0 {
                    continue;
                }
                let sample = &measured.samples[index];
                let mut times = ratio(sample.median(), default.median());
                if check {
                    let (_, scanned) = measure::run(&mut tools.scan_baseline(dir, args), true)?;
                    if let Some(difference) = first_difference(&measured.outputs[index], &scanned) {
                        eprintln!(
                            "bench: WARNING: the file scan printed other output ({view}): {difference}"
                        );
                        times.push_str(" (outputs differ!)");
                    }
                }
                let shown = measured.outputs[index]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                progress(
                    repo.issues,
                    &format!("view {view}"),
                    sample,
                    default,
                    &times,
                );
                self.report.row(
                    Section::Views,
                    vec![
                        thousands(repo.issues),
                        (*view).to_owned(),
                        human(sample.median()),
                        times,
                        shown.to_string(),
                        sample.runs.len().to_string(),
                    ],
                );
            }
        }
        if !check {
            let (_, matrix) = &blocks[0];
            self.report
                .record(repo.issues, Figure::ListDefault, &matrix.samples[0]);
            if let Some(json) = blocks.last().and_then(|(_, m)| m.samples.last()) {
                self.report.record(repo.issues, Figure::ListJson, json);
            }
        }
        Ok(())
    }

    /// Times `true`: what starting any process costs on this machine, the floor under every
    /// whole-process figure, and so the largest speed-up over the file scan a process can show.
    fn process_floor(&mut self, issues: usize) -> io::Result<()> {
        let tools = &self.tools;
        let measured = compare(
            &[Job::new("true", || {
                plain(Path::new("true"), &tools.target_dir)
            })],
            tools.plan,
        )?;
        let floor = &measured.samples[0];
        let scan = self
            .report
            .figure(issues, Figure::ScanDefault)
            .map(Sample::median);
        let row = vec![
            thousands(issues),
            "floor: `true`, a process that does nothing".to_owned(),
            human(floor.median()),
            "-".to_owned(),
            scan.map_or("-".to_owned(), |scan| {
                format!("{} (at most)", ratio(scan, floor.median()))
            }),
            floor.runs.len().to_string(),
        ];
        self.report.row(Section::List, row);
        self.report.record(issues, Figure::ProcessFloor, floor);
        Ok(())
    }

    fn peers(&mut self, repo: &BenchRepo) {
        let tools = &self.tools;
        let n = repo.issues;
        let reference = self.report.figure(n, Figure::ListDefault).cloned();
        let scan = self.report.figure(n, Figure::ScanDefault).cloned();
        let Some(reference) = reference else { return };
        let mut rows = vec![peer_row(
            n,
            "`roadmap list --limit 50` (this project)",
            &reference,
            &reference,
        )];
        if let Some(scan) = &scan {
            rows.push(peer_row(
                n,
                "Rust file scan, all cores (same output)",
                scan,
                &reference,
            ));
        }
        let mut figures = Vec::new();
        for peer in tools.peers.at(repo, &tools.corpus_root) {
            let measured = peer.job.and_then(|job| {
                compare(&[job], tools.plan.for_slow_peers()).map_err(|e| format!("failed: {e}"))
            });
            match measured {
                Ok(mut measured) => {
                    let sample = measured.samples.remove(0);
                    eprintln!("bench: {n:>6} {}: {}", peer.name, human(sample.median()));
                    rows.push(peer_row(n, peer.name, &sample, &reference));
                    if let Some(figure) = peer.figure {
                        figures.push((figure, sample));
                    }
                }
                Err(reason) => {
                    eprintln!("bench: {n:>6} {}: {reason}", peer.name);
                    rows.push(vec![
                        thousands(n),
                        peer.name.to_owned(),
                        reason,
                        "-".into(),
                        "-".into(),
                    ]);
                }
            }
        }
        for row in rows {
            self.report.row(Section::Peers, row);
        }
        for (figure, sample) in figures {
            self.report.record(n, figure, &sample);
        }
    }

    /// What we install: the binaries' size, and their line tables still read in a backtrace.
    fn installed(&mut self) -> io::Result<()> {
        self.report.note(installed::size_note(&self.tools)?);
        let issues = self.mode.sizes()[0];
        let repo = repo::prepare(&self.tools.corpus_root, issues)?;
        let frame = installed::hook_panic_frame(&self.tools, &repo)?;
        self.report.note(format!(
            "a hook's panic is logged with a backtrace naming file and line from the release \
             binary's compressed line tables (checked at {} issues: a frame at `{frame}`)",
            thousands(issues)
        ));
        Ok(())
    }

    fn hook_sync(&mut self, repo: &BenchRepo) -> io::Result<()> {
        let tools = &self.tools;
        let dir = &repo.dir;
        for touched in [1, 100] {
            let commit = repo.commit_edits(&format!("edit-{touched}"), touched)?;
            let jobs = [
                Job::new("roadmap hook post-commit (as installed)", || {
                    tools.installed_hook(dir, "post-commit")
                })
                // The cache one commit behind (synced by the previous commit's hook), HEAD and
                // the index on the new commit, its trees not yet read: as right after
                // `git commit`.
                .before_each(|| {
                    repo.commit_state(&repo.base)?;
                    tools.sync(repo)?;
                    repo.forget_new_trees(&commit)?;
                    repo.commit_state(&commit)
                })
                .after_each(|| repo.expect_synced_to(&commit)),
                Job::new("git diff --name-only HEAD~1 HEAD", || {
                    let mut git = git_command(dir);
                    git.args(["diff", "--name-only", "HEAD~1", "HEAD"]);
                    git
                })
                .before_each(|| repo.move_head(&commit)),
            ];
            let measured = compare(&jobs, tools.plan)?;
            let listed = measured.outputs[1].iter().filter(|&&b| b == b'\n').count();
            if listed != touched {
                return Err(io::Error::other(format!(
                    "git diff listed {listed} files for a commit touching {touched}"
                )));
            }
            let [hook, diff] = &measured.samples[..] else {
                unreachable!("two jobs")
            };
            let times = ratio(hook.median(), diff.median());
            let what = format!("hook sync, {touched} touched");
            progress(repo.issues, &what, hook, diff, &times);
            let touches = if touched == 1 {
                "1 issue".to_owned()
            } else {
                format!("{touched} issues")
            };
            self.report.row(
                Section::Hook,
                vec![
                    thousands(repo.issues),
                    touches,
                    human(hook.median()),
                    human(diff.median()),
                    times,
                    hook.runs.len().to_string(),
                ],
            );
            if touched == 1 {
                self.report.record(repo.issues, Figure::HookOneFile, hook);
                self.report.record(repo.issues, Figure::DiffOneFile, diff);
            }
            repo.commit_state(&repo.base)?;
            tools.sync(repo)?;
        }
        Ok(())
    }

    fn branch_switch(&mut self, repo: &BenchRepo) -> io::Result<()> {
        let tools = &self.tools;
        const DIFFERING: usize = 1_000;
        let dir = &repo.dir;
        repo.commit_edits("switch", DIFFERING)?;
        let other = || match repo.current_branch().as_deref() {
            Ok("main") => "bench-switch",
            _ => "main",
        };
        let head = || repo::git(dir, &["rev-parse", "HEAD"]);
        let jobs = [
            Job::new("git switch (hooks installed)", || {
                let mut git = git_command(dir);
                git.args(["switch", "-q", other()]);
                git
            })
            .before_each(|| tools.sync(repo))
            .after_each(|| repo.expect_synced_to(&head()?)),
            Job::new("git switch (no hooks)", || {
                let mut git = git_command(dir);
                git.args(["-c", "core.hooksPath=/dev/null", "switch", "-q", other()]);
                git
            }),
        ];
        let measured = compare(&jobs, tools.plan)?;
        let [with, without] = &measured.samples[..] else {
            unreachable!("two jobs")
        };
        let times = ratio(with.median(), without.median());
        progress(repo.issues, "branch switch", with, without, &times);
        let cost = with.median().saturating_sub(without.median());
        self.report.row(
            Section::Switch,
            vec![
                thousands(repo.issues),
                human(with.median()),
                human(without.median()),
                times,
                format!("+{}", human(cost)),
                with.runs.len().to_string(),
            ],
        );
        repo::git(dir, &["switch", "-q", "main"])?;
        tools.sync(repo)
    }

    fn worktree_look(&mut self, repo: &BenchRepo) -> io::Result<()> {
        let tools = &self.tools;
        let dir = &repo.dir;
        repo.edit_in_worktree(10)?;
        let with = ["--limit", "50", "--worktree"];
        // The first look reads every file once (no stat data yet); everyday looks do not.
        measure::run(&mut tools.roadmap(dir, &with), false)?;
        let jobs = [
            Job::new("roadmap list --worktree", || tools.roadmap(dir, &with)),
            Job::new("roadmap list", || tools.roadmap(dir, &["--limit", "50"])),
            Job::new("git status -- .roadmap", || {
                let mut git = git_command(dir);
                git.args(["status", "--porcelain", "--", ".roadmap"]);
                git
            }),
        ];
        let measured = compare(&jobs, tools.plan)?;
        let [look, list, status] = &measured.samples[..] else {
            unreachable!("three jobs")
        };
        let times = ratio(look.median(), status.median());
        progress(repo.issues, "list --worktree", look, status, &times);
        self.report.row(
            Section::Worktree,
            vec![
                thousands(repo.issues),
                human(look.median()),
                human(list.median()),
                human(status.median()),
                times,
                look.runs.len().to_string(),
            ],
        );
        repo::git(dir, &["checkout", "-q", "--", ".roadmap"])?;
        measure::run(&mut tools.roadmap(dir, &with), false).map(drop)
    }

    fn memory_and_disk(&mut self, issues: usize, (cache, files): (u64, u64)) {
        let rss = |figure| {
            self.report
                .figure(issues, figure)
                .map_or("-".to_owned(), |s: &Sample| {
                    format!("{:.1} MB", s.peak_rss_mb())
                })
        };
        let row = vec![
            thousands(issues),
            rss(Figure::ListDefault),
            rss(Figure::ListJson),
            rss(Figure::Rebuild),
            rss(Figure::HookOneFile),
            megabytes(cache),
            megabytes(files),
            format!("{:.2}", cache as f64 / files.max(1) as f64),
        ];
        self.report.row(Section::Memory, row);
    }
}

impl Tools {
    fn roadmap(&self, dir: &Path, args: &[&str]) -> Command {
        let mut command = plain(&self.roadmap, dir);
        command.arg("list").args(args);
        command
    }

    /// What an installed hook runs: the multi-call `roadmap`, not the `roadmap-hooks` launcher.
    fn installed_hook(&self, dir: &Path, hook: &str) -> Command {
        let mut command = plain(&self.roadmap, dir);
        command.args(["hook", hook]);
        command
    }

    fn hooks(&self, dir: &Path, args: &[&str]) -> Command {
        let mut command = plain(&self.roadmap_hooks, dir);
        command.args(args);
        command
    }

    fn scan_baseline(&self, dir: &Path, args: &[&str]) -> Command {
        let mut command = plain(&self.myself, dir);
        command.env(scan_baseline::ENV, "1").args(args);
        command
    }

    /// Brings the cache to HEAD, untimed.
    fn sync(&self, repo: &BenchRepo) -> io::Result<()> {
        measure::run(&mut self.hooks(&repo.dir, &["sync"]), false).map(drop)
    }
}

/// Makes every rebuild this bench starts build its order indexes before it exits, so no
/// detached builder (`cache::order_indexes`) competes with timed work or leaves a list timed
/// without its index. The timed rebuilds remove the variable to measure what users run, and
/// wait for their builder after each run ([`repo::wait_for_order_indexes`]).
fn build_order_indexes_inline() {
    // SAFETY: at the start of `main`, before any thread is started.
    unsafe {
        std::env::set_var(
            roadmap_hooks::cache::order_indexes::DEFER_FROM_VARIABLE,
            usize::MAX.to_string(),
        );
    }
}

/// A timed full rebuild as users run it: large ones leave their order indexes to a detached
/// builder, which the run waits for afterwards, untimed.
fn rebuild_as_users_run_it(mut command: Command) -> Command {
    command.env_remove(roadmap_hooks::cache::order_indexes::DEFER_FROM_VARIABLE);
    command
}

/// The 1-minute load average: other work on this shared machine shows in the figures.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}

fn peer_row(n: usize, name: &str, sample: &Sample, reference: &Sample) -> Vec<String> {
    vec![
        thousands(n),
        name.to_owned(),
        human(sample.median()),
        sample.runs.len().to_string(),
        ratio(sample.median(), reference.median()),
    ]
}

fn progress(issues: usize, what: &str, measured: &Sample, baseline: &Sample, ratio: &str) {
    eprintln!(
        "bench: {issues:>6} {what}: {} vs {} ({ratio})",
        human(measured.median()),
        human(baseline.median()),
    );
}

/// Where two outputs first differ, for the warning: the line number and both lines.
fn first_difference(a: &[u8], b: &[u8]) -> Option<String> {
    if a == b {
        return None;
    }
    let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    let mut lines = a.lines().zip(b.lines()).enumerate();
    let found = lines.find(|(_, (x, y))| x != y && !same_limit_footer(x, y));
    if found.is_none() && a.lines().count() == b.lines().count() {
        return None;
    }
    Some(match found {
        Some((line, (x, y))) => format!("line {}: `{x}` vs `{y}`", line + 1),
        None => format!("{} vs {} lines", a.lines().count(), b.lines().count()),
    })
}

/// Whether two lines are the footer under a list a limit cut, saying the same: `roadmap list`
/// counts the matches within a budget and says "more issues match" when it runs out, where
/// the file scan always knows the exact count, which is then more than the rows shown.
fn same_limit_footer(a: &str, b: &str) -> bool {
    let footer = |line: &str| -> Option<(usize, Option<usize>)> {
        let inner = line
            .strip_prefix('(')?
            .strip_suffix(" raise --limit to see more)")?;
        if let Some(shown) = inner.strip_suffix(" shown; more issues match:") {
            return Some((shown.parse().ok()?, None));
        }
        let (shown, rest) = inner.split_once(" of ")?;
        let matched = rest.strip_suffix(" matching issues shown;")?;
        Some((shown.parse().ok()?, Some(matched.parse().ok()?)))
    };
    match (footer(a), footer(b)) {
        (Some((x, None)), Some((y, Some(matched))))
        | (Some((y, Some(matched))), Some((x, None))) => x == y && matched > x,
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

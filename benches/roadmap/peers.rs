//! The tools people use today, run side by side on the same generated issues when
//! `bench/install-peers.sh` has installed them into `target/bench-peers/`: the Python tracker
//! (roadmap-cli 1.0.2), Backlog.md (on the issues converted to its task files), and a PyYAML
//! scan with the pure-Python and the libyaml loader.

use crate::measure::Job;
use crate::repo::{BenchRepo, git};
use crate::report::Figure;
use roadmap_hooks::issue::Issue;
use roadmap_hooks::record::Record;
use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

pub const NOT_INSTALLED: &str = "skipped (not installed: run bench/install-peers.sh)";

/// The peers found in `target/bench-peers/`.
pub struct Peers {
    root: PathBuf,
    python: Option<PathBuf>,
    tracker: Option<PathBuf>,
    backlog: Option<PathBuf>,
    csafe_loader: bool,
}

/// One peer at one corpus size: ready to time, or why not.
pub struct Peer<'a> {
    pub name: &'static str,
    /// The figure a target is judged on, for the peers issue 6 names one for.
    pub figure: Option<Figure>,
    pub job: Result<Job<'a>, String>,
}

impl Peers {
    #[must_use]
    pub fn find(target_dir: &Path) -> Peers {
        let root = target_dir.join("bench-peers");
        let executable = |path: PathBuf| path.is_file().then_some(path);
        let python = executable(root.join("venv/bin/python")).filter(|python| {
            Command::new(python)
                .args(["-c", "import yaml"])
                .output()
                .is_ok_and(|o| o.status.success())
        });
        let csafe_loader = python.as_ref().is_some_and(|python| {
            Command::new(python)
                .args(["-c", "import yaml; yaml.CSafeLoader"])
                .output()
                .is_ok_and(|o| o.status.success())
        });
        Peers {
            tracker: executable(root.join("venv/bin/roadmap")),
            backlog: executable(root.join("node/node_modules/.bin/backlog")),
            python,
            csafe_loader,
            root,
        }
    }

    /// The peers for `repo`, setting up their copies of its issues when missing.
    pub fn at<'a>(&'a self, repo: &'a BenchRepo, corpus_root: &Path) -> Vec<Peer<'a>> {
        let scan = env!("CARGO_MANIFEST_DIR").to_owned() + "/bench/pyyaml_scan.py";
        let pyyaml = |loader: &'static str| -> Result<Job<'a>, String> {
            let python = self.python.as_ref().ok_or(NOT_INSTALLED)?;
            if loader == "csafe" && !self.csafe_loader {
                return Err("skipped (PyYAML was built without libyaml)".into());
            }
            let scan = scan.clone();
            Ok(Job::new(format!("pyyaml_scan.py {loader}"), move || {
                let mut command = Command::new(python);
                command.current_dir(&repo.dir).args([scan.as_str(), loader]);
                command
            }))
        };
        vec![
            Peer {
                name: "Python tracker: `roadmap issue list --format csv`",
                figure: Some(Figure::Tracker),
                job: self.tracker_job(repo, corpus_root),
            },
            Peer {
                name: "Backlog.md: `backlog task list --plain`",
                figure: Some(Figure::Backlog),
                job: self.backlog_job(repo, corpus_root),
            },
            Peer {
                name: "PyYAML scan, SafeLoader (`bench/pyyaml_scan.py safe`)",
                figure: None,
                job: pyyaml("safe"),
            },
            Peer {
                name: "PyYAML scan, CSafeLoader (`bench/pyyaml_scan.py csafe`)",
                figure: None,
                job: pyyaml("csafe"),
            },
        ]
    }

    fn tracker_job<'a>(&'a self, repo: &BenchRepo, corpus_root: &Path) -> Result<Job<'a>, String> {
        let tracker = self.tracker.as_ref().ok_or(NOT_INSTALLED)?;
        let home = self.root.join("home");
        let dir = corpus_root.join(format!("{}-tracker", repo.issues));
        let tracker_command = move |dir: &Path| {
            let mut command = Command::new(tracker);
            command.current_dir(dir).env("HOME", &home);
            command
        };
        ensure_copy(repo, &dir, |dir| {
            std::fs::create_dir_all(dir)?;
            std::fs::create_dir_all(self.root.join("home"))?;
            copy_tree(&repo.dir.join(".roadmap"), dir)?;
            git(dir, &["init", "-q", "-b", "main"])?;
            // The tracker refuses to list before `init`; init keeps the issues that are there.
            let init = tracker_command(dir)
                .args(["init", "--non-interactive", "-y", "--skip-github"])
                .args(["-p", "Bench", "-d", "Benchmark corpus"])
                .output()?;
            if !init.status.success() {
                let stderr = String::from_utf8_lossy(&init.stderr);
                return Err(io::Error::other(format!(
                    "roadmap init: {}",
                    stderr.lines().last().unwrap_or_default()
                )));
            }
            Ok(())
        })
        .map_err(|e| format!("failed to set up: {e}"))?;
        Ok(Job::new("roadmap issue list --format csv", move || {
            let mut command = tracker_command(&dir);
            command.args(["issue", "list", "--format", "csv"]);
            command
        }))
    }

    fn backlog_job<'a>(&'a self, repo: &BenchRepo, corpus_root: &Path) -> Result<Job<'a>, String> {
        let backlog = self.backlog.as_ref().ok_or(NOT_INSTALLED)?;
        let dir = corpus_root.join(format!("{}-backlog", repo.issues));
        ensure_copy(repo, &dir, |dir| convert_to_backlog(&repo.dir, dir))
            .map_err(|e| format!("failed to set up: {e}"))?;
        Ok(Job::new("backlog task list --plain", move || {
            let mut command = Command::new(backlog);
            command.current_dir(&dir).args(["task", "list", "--plain"]);
            command
        }))
    }
}

/// Makes `dir` with `make` unless a complete copy of this corpus is already there.
fn ensure_copy(
    repo: &BenchRepo,
    dir: &Path,
    make: impl FnOnce(&Path) -> io::Result<()>,
) -> io::Result<()> {
    let marker = dir.with_extension("complete");
    if dir.is_dir() && std::fs::read_to_string(&marker).is_ok_and(|m| m.trim() == repo.base) {
        return Ok(());
    }
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    eprintln!("bench: setting up {}", dir.display());
    make(dir)?;
    std::fs::write(marker, format!("{}\n", repo.base))
}

fn copy_tree(from: &Path, into: &Path) -> io::Result<()> {
    let status = Command::new("cp").arg("-r").arg(from).arg(into).status()?;
    if status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!("cp -r {} failed", from.display())))
    }
}

/// Writes each issue of `corpus` as a Backlog.md task file in a new repository at `dir`, in
/// the format `backlog task create` writes (checked against Backlog.md 1.52): active issues
/// under `backlog/tasks/`, archived ones under `backlog/archive/tasks/`, committed.
fn convert_to_backlog(corpus: &Path, dir: &Path) -> io::Result<()> {
    for folder in [
        "tasks",
        "archive/tasks",
        "completed",
        "drafts",
        "docs",
        "decisions",
    ] {
        std::fs::create_dir_all(dir.join("backlog").join(folder))?;
    }
    // As `backlog init` writes it, with the branch checks off: the peer in its best light.
    std::fs::write(
        dir.join("backlog/config.yml"),
        "project_name: \"bench\"\ndefault_status: \"To Do\"\n\
         statuses: [\"To Do\", \"In Progress\", \"Done\"]\nlabels: []\n\
         date_format: yyyy-mm-dd\nmax_column_width: 20\nauto_open_browser: false\n\
         default_port: 6420\nremote_operations: false\nauto_commit: false\n\
         filesystem_only: false\nbypass_git_hooks: false\ncheck_active_branches: false\n\
         active_branch_days: 30\ntask_prefix: \"task\"\n",
    )?;
    let mut paths = Vec::new();
    for root in [".roadmap/issues", ".roadmap/archive/issues"] {
        collect_markdown(&corpus.join(root), root, &mut paths)?;
    }
    paths.sort();
    for (number, path) in (1..).zip(&paths) {
        let bytes = std::fs::read(corpus.join(path))?;
        let Some(Record::Issue(issue)) = Record::read(path, &bytes) else {
            continue;
        };
        let folder = if issue.archived {
            "backlog/archive/tasks"
        } else {
            "backlog/tasks"
        };
        let name = format!("task-{number} - {}.md", backlog_slug(&issue.title));
        std::fs::write(dir.join(folder).join(name), task_file(number, &issue))?;
    }
    git(dir, &["init", "-q", "-b", "main"])?;
    git(dir, &["add", "-A"])?;
    git(
        dir,
        &["commit", "-q", "-m", "Backlog converted from the corpus"],
    )?;
    Ok(())
}

fn collect_markdown(dir: &Path, relative: &str, out: &mut Vec<String>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = format!("{relative}/{name}");
        if entry.file_type()?.is_dir() {
            collect_markdown(&entry.path(), &path, out)?;
        } else if name.ends_with(".md") {
            out.push(path);
        }
    }
    Ok(())
}

/// Backlog.md's file-name slug: `Fix login redirect #1` → `Fix-login-redirect-1`.
fn backlog_slug(title: &str) -> String {
    let mut slug = String::new();
    for c in title.chars() {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if (c.is_whitespace() || c == '-' || c == '_') && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_matches('-').chars().take(80).collect()
}

fn task_file(number: usize, issue: &Issue) -> String {
    let quote = |text: &str| serde_json::to_string(text).unwrap_or_else(|_| "''".to_owned());
    let status = match issue.status.as_str() {
        "in-progress" | "review" => "In Progress",
        "closed" | "archived" => "Done",
        _ => "To Do",
    };
    let priority = match issue.priority.as_str() {
        "critical" | "high" => "high",
        "low" => "low",
        _ => "medium",
    };
    let created = issue
        .frontmatter
        .created
        .as_deref()
        .and_then(|c| Some(format!("{} {}", c.get(..10)?, c.get(11..16)?)))
        .unwrap_or_else(|| "2026-01-01 00:00".to_owned());
    let mut text = format!("---\nid: TASK-{number}\ntitle: {}\n", quote(&issue.title));
    let _ = writeln!(text, "status: {status}");
    match &issue.assignee {
        Some(name) => {
            let _ = writeln!(text, "assignee:\n  - '@{name}'");
        }
        None => text.push_str("assignee: []\n"),
    }
    let _ = writeln!(text, "created_date: '{created}'");
    if issue.labels.is_empty() {
        text.push_str("labels: []\n");
    } else {
        text.push_str("labels:\n");
        for label in &issue.labels {
            let _ = writeln!(text, "  - {label}");
        }
    }
    let _ = write!(
        text,
        "dependencies: []\npriority: {priority}\nordinal: {}\n---\n\n## Description\n\n\
         <!-- SECTION:DESCRIPTION:BEGIN -->\n{}\n<!-- SECTION:DESCRIPTION:END -->\n",
        number * 1000,
        issue.body
    );
    text
}

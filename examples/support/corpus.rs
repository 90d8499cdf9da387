//! Generated repositories of realistic issues, deterministic from a seed: for the demo, the
//! benchmarks and the tests. Files are written in the tracker's exact format and committed in
//! a history of several commits, as a team would have made them: in the legacy layout
//! (roadmap-cli 1.0.x / 0.1.x), or in the 0.2 contract as roadmap-cli 0.3.1 writes it
//! ([`Layout::Contract`]).

#[path = "corpus_contract.rs"]
mod contract;

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

/// Which tracker line's files to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `issues/{milestone}/{id8}-{slug}.md`, milestones by name, `archive/` for archived.
    Legacy,
    /// Flat `issues/{uuid}.md`, milestone files with ids, `retention`, `history`, a
    /// `config.yaml` with `workspace_schema_version: 1`: what 0.3.1 writes.
    Contract,
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct CorpusSpec {
    pub issues: usize,
    pub seed: u64,
    /// Commits the issues are spread over.
    pub commits: usize,
    pub layout: Layout,
}

impl CorpusSpec {
    #[must_use]
    pub fn new(issues: usize, seed: u64) -> Self {
        CorpusSpec {
            issues,
            seed,
            commits: 10.min(issues.max(1)),
            layout: Layout::Legacy,
        }
    }
}

/// A small, fast, deterministic generator (SplitMix64); statistical quality is plenty here.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound`.
    pub fn below(&mut self, bound: usize) -> usize {
        usize::try_from(self.next_u64() % bound.max(1) as u64).unwrap_or(0)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const STATUSES: &[&str] = &[
    "todo",
    "todo",
    "todo",
    "in-progress",
    "in-progress",
    "blocked",
    "review",
    "closed",
    "closed",
    "closed",
];
const PRIORITIES: &[&str] = &[
    "critical", "high", "high", "medium", "medium", "medium", "low", "low",
];
const TYPES: &[&str] = &["feature", "feature", "bug", "bug", "other"];
const ASSIGNEES: &[&str] = &[
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
];
const LABELS: &[&str] = &[
    "backend",
    "frontend",
    "hooks",
    "cli",
    "docs",
    "perf",
    "security",
    "ux",
    "ci",
    "good-first-issue",
];
const MILESTONES: &[&str] = &["v1-0", "v1-1", "v2-0", "future_ideas"];
const VERBS: &[&str] = &[
    "Fix",
    "Add",
    "Remove",
    "Refactor",
    "Document",
    "Speed up",
    "Support",
    "Investigate",
    "Test",
    "Rework",
];
const THINGS: &[&str] = &[
    "login redirect",
    "cache invalidation",
    "hook installer",
    "CSV export",
    "merge conflicts",
    "rename detection",
    "progress bar",
    "config loading",
    "worktree support",
    "search ranking",
    "label filter",
    "due dates",
];
const WORDS: &[&str] = &[
    "the", "sync", "cache", "commit", "issue", "file", "should", "when", "users", "run", "list",
    "after", "branch", "merge", "and", "fails", "quickly", "with", "every", "query", "rebuild",
    "index", "works", "expected", "actual",
];
const UNICODE_TITLES: &[&str] = &[
    "Écrire la documentation",
    "Unterstützung für Umlaute",
    "日本語のタイトル",
    "Emoji 🚀 support",
];

/// One generated issue: where it goes and what it says.
#[derive(Debug, Clone)]
pub struct GeneratedIssue {
    pub path: String,
    pub text: String,
}

/// Returns issue number `index` of the corpus with `seed` in `layout`: the same inputs give
/// the same file.
#[must_use]
pub fn generated(layout: Layout, seed: u64, index: usize) -> GeneratedIssue {
    match layout {
        Layout::Legacy => issue(seed, index),
        Layout::Contract => contract::issue(seed, index),
    }
}

/// Returns issue number `index` of the legacy corpus with `seed`: the same inputs give the
/// same file.
#[must_use]
pub fn issue(seed: u64, index: usize) -> GeneratedIssue {
    let mut rng = Rng::new(seed ^ (index as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
    let id = format!("{:08x}", unique_id(seed, index));
    let mut title = if rng.chance(3) {
        format!("{} #{index}", rng.pick(UNICODE_TITLES))
    } else {
        format!("{} {} #{index}", rng.pick(VERBS), rng.pick(THINGS))
    };
    if rng.chance(5) {
        title.push_str(
            " in repositories with many worktrees, submodules and a custom hooks path setting",
        );
    }
    let status = *rng.pick(STATUSES);
    let archived = status == "closed" && rng.chance(30);
    let milestone = if rng.chance(30) {
        None
    } else {
        Some(*rng.pick(MILESTONES))
    };
    let mut labels: Vec<&str> = (0..rng.below(4)).map(|_| *rng.pick(LABELS)).collect();
    labels.dedup();
    let day = 1 + rng.below(28);
    let month = 1 + rng.below(12);
    let created = format!(
        "'2025-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}+00:00'",
        rng.below(24),
        rng.below(60),
        rng.below(60),
        rng.below(1_000_000)
    );
    let updated = format!(
        "'2026-{month:02}-{day:02}T{:02}:{:02}:00.000000+00:00'",
        rng.below(24),
        rng.below(60)
    );
    let mut yaml = String::with_capacity(2048);
    let _ = writeln!(yaml, "id: {}", yaml_id(&id));
    let _ = writeln!(yaml, "title: {}", yaml_text(&title));
    let _ = writeln!(yaml, "headline: ''");
    let _ = writeln!(yaml, "priority: {}", rng.pick(PRIORITIES));
    let _ = writeln!(yaml, "status: {status}");
    let _ = writeln!(yaml, "archived: {archived}");
    let _ = writeln!(yaml, "issue_type: {}", rng.pick(TYPES));
    let _ = writeln!(yaml, "milestone: {}", milestone.unwrap_or("null"));
    if labels.is_empty() {
        yaml.push_str("labels: []\n");
    } else {
        yaml.push_str("labels:\n");
        for label in &labels {
            let _ = writeln!(yaml, "- {label}");
        }
    }
    yaml.push_str("remote_ids: {}\n");
    let _ = writeln!(yaml, "created: {created}");
    let _ = writeln!(yaml, "updated: {updated}");
    let _ = writeln!(
        yaml,
        "assignee: {}",
        if rng.chance(80) {
            rng.pick(ASSIGNEES)
        } else {
            "null"
        }
    );
    let _ = writeln!(
        yaml,
        "estimated_hours: {}",
        if rng.chance(50) {
            format!("{}.0", 1 + rng.below(16))
        } else {
            "null".into()
        }
    );
    yaml.push_str("due_date: null\n");
    yaml.push_str("depends_on: []\nblocks: []\nactual_start_date: null\nactual_end_date: null\n");
    yaml.push_str("progress_percentage: null\nhandoff_notes: null\nprevious_assignee: null\nhandoff_date: null\n");
    yaml.push_str("git_branches: []\ngit_commits: []\ncompleted_date: null\ncomments: []\ngithub_issue: null\n");
    let body = body(&mut rng, &title);
    let folder = milestone.unwrap_or("backlog");
    let root = if archived {
        ".roadmap/archive/issues"
    } else {
        ".roadmap/issues"
    };
    GeneratedIssue {
        path: format!(
            "{root}/{folder}/{id}-{}.md",
            roadmap_hooks::lines::legacy::layout::slug(&title)
        ),
        text: format!("---\n{yaml}---\n\n{body}\n"),
    }
}

/// A bijection of the 32-bit index (xor-shift and odd multiplications are each invertible),
/// so ids look random but never collide within a corpus.
pub(crate) fn unique_id(seed: u64, index: usize) -> u32 {
    let mut x = (index as u32) ^ (seed as u32).wrapping_mul(0x9E37_79B9);
    x ^= x >> 16;
    x = x.wrapping_mul(0x7FEB_352D);
    x ^= x >> 15;
    x = x.wrapping_mul(0x846C_A68B);
    x ^ (x >> 16)
}

pub(crate) fn body(rng: &mut Rng, title: &str) -> String {
    let target = 500 + rng.below(1500);
    let mut body = format!("# {title}\n\n## Description\n\n");
    while body.len() < target {
        let sentence: Vec<&str> = (0..6 + rng.below(10)).map(|_| *rng.pick(WORDS)).collect();
        body.push_str(&sentence.join(" "));
        body.push_str(if rng.chance(20) { ".\n\n" } else { ". " });
    }
    body.push_str("\n\n## Acceptance Criteria\n\n- [ ] it works\n- [ ] it is tested");
    body
}

/// PyYAML writes an id unquoted unless YAML 1.1 would read it as a number.
fn yaml_id(id: &str) -> String {
    if id.bytes().all(|b| b.is_ascii_digit())
        || (id.contains('e') && id.replace('e', "").bytes().all(|b| b.is_ascii_digit()))
    {
        format!("'{id}'")
    } else {
        id.to_owned()
    }
}

/// Quotes a title as PyYAML does: double quotes (with escapes) for non-ASCII text, single
/// quotes where a plain scalar would be read otherwise, plain text elsewhere.
fn yaml_text(text: &str) -> String {
    if !text.is_ascii() {
        serde_json::to_string(text).unwrap_or_else(|_| format!("'{}'", text.replace('\'', "''")))
    } else if text.contains(": ")
        || text.contains(" #")
        || text.starts_with(|c: char| !c.is_alphanumeric())
    {
        format!("'{}'", text.replace('\'', "''"))
    } else {
        text.to_owned()
    }
}

const MILESTONE_DUE: &[(&str, &str)] = &[
    ("v1-0", "'2026-03-01T00:00:00'"),
    ("v1-1", "'2026-06-01T00:00:00'"),
    ("v2-0", "'2027-01-01T00:00:00'"),
    ("future_ideas", "null"),
];

/// Creates a git repository at `dir` holding the corpus, committed over `spec.commits` commits.
pub fn generate(dir: &Path, spec: &CorpusSpec) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    git(dir, &["init", "-q", "-b", "main"])?;
    match spec.layout {
        Layout::Legacy => {
            for (name, due) in MILESTONE_DUE {
                let text = format!(
                    "---\nname: {name}\nheadline: ''\ndue_date: {due}\nstatus: open\narchived: false\n---\n\n"
                );
                write(dir, &format!(".roadmap/milestones/{name}.md"), &text)?;
            }
        }
        Layout::Contract => {
            for (path, text) in contract::workspace_files() {
                write(dir, &path, &text)?;
            }
        }
    }
    write(dir, "README.md", "# Generated roadmap corpus\n")?;
    let per_commit = spec.issues.div_ceil(spec.commits.max(1)).max(1);
    for (commit, start) in (0..spec.issues.max(1)).step_by(per_commit).enumerate() {
        for index in start..(start + per_commit).min(spec.issues) {
            let generated = generated(spec.layout, spec.seed, index);
            write(dir, &generated.path, &generated.text)?;
        }
        git(dir, &["add", "-A"])?;
        git(
            dir,
            &[
                "commit",
                "-q",
                "--no-verify",
                "-m",
                &format!("Plan batch {}", commit + 1),
            ],
        )?;
    }
    Ok(())
}

fn write(dir: &Path, relative: &str, text: &str) -> std::io::Result<()> {
    let path = dir.join(relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)
}

/// Runs git in `dir` with a fixed identity, so generated histories are reproducible.
pub fn git(dir: &Path, args: &[&str]) -> std::io::Result<String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Corpus")
        .env("GIT_AUTHOR_EMAIL", "corpus@example.com")
        .env("GIT_COMMITTER_NAME", "Corpus")
        .env("GIT_COMMITTER_EMAIL", "corpus@example.com")
        .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
        .output()?;
    if !output.status.success() {
        return Err(std::io::Error::other(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

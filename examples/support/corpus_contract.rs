//! The corpus in the 0.2 contract, as roadmap-cli 0.3.1 writes it (`yaml.safe_dump(data,
//! sort_keys=False, allow_unicode=True)` between `---` lines, see `shared/TRACKERS.md`): flat
//! `issues/<uuid>.md`, milestone files named by their ids, `retention`, `history`, integer
//! comment ids, and a `config.yaml` declaring `workspace_schema_version: 1`. Issue `index`
//! draws the same title, status, priority, assignee and milestone as in the legacy corpus.

use super::{
    ASSIGNEES, GeneratedIssue, LABELS, MILESTONE_DUE, MILESTONES, PRIORITIES, Rng, STATUSES,
    THINGS, TYPES, UNICODE_TITLES, VERBS, body, unique_id,
};
use std::fmt::Write as _;

/// A UUID4 in the usual spelling, unique within a corpus (its first 8 hex digits are the
/// legacy corpus's unique id of the same issue).
fn uuid(first: u32, rng: &mut Rng) -> String {
    let tail = rng.next_u64();
    format!(
        "{first:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
        (tail >> 48) & 0xffff,
        (tail >> 36) & 0xfff,
        8 + ((tail >> 34) & 0x3),
        (tail >> 22) & 0xfff,
        rng.next_u64() & 0xffff_ffff_ffff
    )
}

/// The id of milestone `name` (one of the corpus's four).
fn milestone_id(name: &str) -> String {
    let index = MILESTONES.iter().position(|m| *m == name).unwrap_or(0);
    let mut rng = Rng::new(0xD1CE ^ index as u64);
    uuid(0x6900_0000 + index as u32, &mut rng)
}

/// `config.yaml` and the milestone files, as `(path, text)`.
pub fn workspace_files() -> Vec<(String, String)> {
    let mut files = vec![
        (
            ".roadmap/config.yaml".to_owned(),
            "schema_version: 1\nworkspace_schema_version: 1\nbehavior:\n  default_project_id: null\n  include_closed_in_critical_path: false\n".to_owned(),
        ),
        (
            ".gitignore".to_owned(),
            ".roadmap/db/*.db\n.roadmap/db/*.db-*\n.roadmap/db/*.lock\n".to_owned(),
        ),
    ];
    for (name, due) in MILESTONE_DUE {
        let id = milestone_id(name);
        let due = match *due {
            "null" => "null".to_owned(),
            quoted => format!("{}+00:00'", quoted.trim_end_matches('\'')),
        };
        let stamp = "'2025-01-01T00:00:00.000000+00:00'";
        let text = format!(
            "---\nschema_version: 1\nid: {id}\ncreated: {stamp}\nupdated: {stamp}\nretention: visible\nname: {name}\nheadline: ''\nstatus: open\nproject_id: null\ndue_date: {due}\n---\n\nMilestone {name}"
        );
        files.push((format!(".roadmap/milestones/{id}.md"), text));
    }
    files
}

/// A title as PyYAML writes it with `allow_unicode`: single quotes where a plain scalar
/// would be read otherwise, plain text elsewhere.
fn yaml_text(text: &str) -> String {
    if text.contains(": ")
        || text.contains(" #")
        || text.starts_with(|c: char| !c.is_alphanumeric())
    {
        format!("'{}'", text.replace('\'', "''"))
    } else {
        text.to_owned()
    }
}

/// Issue number `index` of the contract corpus with `seed`.
pub fn issue(seed: u64, index: usize) -> GeneratedIssue {
    let mut rng = Rng::new(seed ^ (index as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
    let id = uuid(unique_id(seed, index), &mut rng);
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
    let milestone = (!rng.chance(30)).then(|| milestone_id(rng.pick::<&str>(MILESTONES)));
    let mut labels: Vec<&str> = (0..rng.below(4)).map(|_| *rng.pick(LABELS)).collect();
    labels.sort_unstable();
    labels.dedup();
    let (month, day) = (1 + rng.below(12), 1 + rng.below(28));
    let created = format!(
        "2025-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}+00:00",
        rng.below(24),
        rng.below(60),
        rng.below(60),
        rng.below(1_000_000)
    );
    let updated = format!(
        "2026-{month:02}-{day:02}T{:02}:{:02}:00.000000+00:00",
        rng.below(24),
        rng.below(60)
    );
    let mut y = String::with_capacity(2048);
    let _ = write!(
        y,
        "schema_version: 1\nid: {id}\ncreated: '{created}'\nupdated: '{updated}'\nretention: {}\ntitle: {}\nheadline: ''\npriority: {}\nstatus: {status}\nissue_type: {}\nmilestone: {}\ndepends_on: []\nblocks: []\n",
        if archived { "archived" } else { "visible" },
        yaml_text(&title),
        rng.pick(PRIORITIES),
        rng.pick(TYPES),
        milestone.as_deref().unwrap_or("null"),
    );
    if labels.is_empty() {
        y.push_str("labels: []\n");
    } else {
        y.push_str("labels:\n");
        for label in &labels {
            let _ = writeln!(y, "- {label}");
        }
    }
    let assignee = rng.chance(80).then(|| *rng.pick(ASSIGNEES));
    let hours = rng.chance(50).then(|| 1 + rng.below(16));
    let progress = (status == "in-progress" && rng.chance(50)).then(|| 10 * (1 + rng.below(9)));
    let _ = write!(
        y,
        "assignee: {}\nestimated_hours: {}\ndue_date: null\nprogress_percentage: {}\nactual_start_date: null\nactual_end_date: null\ngit_branches: []\n",
        assignee.unwrap_or("null"),
        hours.map_or("null".to_owned(), |h| format!("{h}.0")),
        progress.map_or("null".to_owned(), |p| format!("{p}.0")),
    );
    if rng.chance(5) {
        let author = rng.pick(ASSIGNEES);
        let _ = write!(
            y,
            "comments:\n- id: 1\n  issue_id: {id}\n  author: {author}\n  body: Looked into it, see the branch\n  created_at: '{updated}'\n  updated_at: '{updated}'\n  in_reply_to: null\n  github_url: null\n"
        );
    } else {
        y.push_str("comments: []\n");
    }
    y.push_str("history:\n");
    let mut event = |action: &str| {
        let _ = write!(y, "- action: {action}\n  at: '{created}'\n  reason: null\n");
    };
    event("created");
    if status == "closed" {
        event("closed");
    }
    if archived {
        event("archived");
    }
    let body = body(&mut rng, &title);
    GeneratedIssue {
        path: format!(".roadmap/issues/{id}.md"),
        text: format!("---\n{y}---\n\n{body}"),
    }
}

//! Helpers shared by the history tests (`list --at`, `diff`, `log`): files of the 0.2
//! contract as roadmap-cli 0.3.1 writes them, a rebuild at any commit in a second clone, and
//! commit ids written as their place in the history so snapshots hold in any object format.

use crate::common::TestRepo;

/// A 0.2-contract workspace config.
pub const CONTRACT_CONFIG: &str = "schema_version: 1\nworkspace_schema_version: 1\nbehavior:\n  \
    default_project_id: null\n  include_closed_in_critical_path: false\n";

/// An issue file as 0.3.1 writes it, with the fields the history tests change.
pub fn contract_issue(id: &str, title: &str, status: &str, milestone: Option<&str>) -> String {
    let milestone = milestone.unwrap_or("null");
    format!(
        "---\nschema_version: 1\nid: '{id}'\ncreated: '2026-12-01T10:00:00.000000+00:00'\n\
         updated: '2026-12-01T10:00:00.000000+00:00'\nretention: visible\ntitle: {title}\n\
         headline: ''\npriority: medium\nstatus: {status}\nissue_type: other\nmilestone: {milestone}\n\
         depends_on: []\nblocks: []\nlabels: []\nassignee: null\nestimated_hours: null\n\
         due_date: null\nprogress_percentage: null\nactual_start_date: null\n\
         actual_end_date: null\ngit_branches: []\ncomments: []\nhistory:\n- action: created\n  \
         at: '2026-12-01T10:00:00.000000+00:00'\n  reason: null\n---\n"
    )
}

/// A milestone file as 0.3.1 writes it.
pub fn contract_milestone(id: &str, name: &str) -> String {
    format!(
        "---\nschema_version: 1\nid: {id}\ncreated: '2026-12-01T10:00:00.000000+00:00'\n\
         updated: '2026-12-01T10:00:00.000000+00:00'\nretention: visible\nname: {name}\n\
         headline: ''\nstatus: open\nproject_id: null\ndue_date: null\n---\n"
    )
}

/// `roadmap list --all --sort id --format json` (plus `extra`) in a second clone checked out
/// at `rev` and rebuilt from scratch there: the oracle the history commands are held to.
#[track_caller]
pub fn rebuilt_at(repo: &TestRepo, rev: &str, extra: &[&str]) -> serde_json::Value {
    let clone = repo.sibling("rebuilt");
    if !clone.exists() {
        let (from, to) = (repo.root.to_str().unwrap(), clone.to_str().unwrap());
        repo.git(&["clone", "-q", "--no-checkout", from, to]);
    }
    let commit = repo.git(&["rev-parse", &format!("{rev}^{{commit}}")]);
    repo.git_in(&clone, &["fetch", "-q", "origin", commit.trim()]);
    repo.git_in(&clone, &["checkout", "-q", "-f", "--detach", commit.trim()]);
    repo.run_in(&clone, "roadmap-hooks", &["sync", "--full"])
        .success();
    let mut args = vec!["list", "--all", "--sort", "id", "--format", "json"];
    args.extend_from_slice(extra);
    let run = repo.run_in(&clone, "roadmap", &args).success();
    serde_json::from_str(&run.stdout).expect("list prints JSON")
}

/// `text` with every commit id (full or its first 7 digits) replaced by `<N>`, N its place in
/// `git rev-list --all --topo-order` (0 the newest).
pub fn redact_commits(repo: &TestRepo, text: &str) -> String {
    let ids = repo.git(&["rev-list", "--all", "--topo-order"]);
    let mut text = text.to_owned();
    for (n, id) in ids.lines().enumerate() {
        text = text.replace(id, &format!("<{n}>"));
        text = text.replace(&id[..7], &format!("<{n}>"));
    }
    text
}

//! `roadmap sync` never runs on an unresolved merge (issue 26, point 2): while an issue file
//! holds conflict markers or the index has unmerged roadmap paths, it refuses before any
//! request, names each file and writes nothing.

use crate::common::mirrored::{Mirrored, linked_pair};
use serde_json::json;

/// A linked issue whose body two branches changed on the same line, merged with a conflict;
/// the file's path.
fn conflicted_merge() -> (Mirrored, u64, String) {
    let (m, number, _) = linked_pair();
    let path = m.path_of(number);
    let text = std::fs::read_to_string(m.repo.root.join(&path)).unwrap();
    m.repo.git(&["checkout", "-q", "-b", "feature"]);
    m.repo
        .write(&path, &text.replace("Steps to reproduce", "Steps, theirs"));
    m.commit("theirs");
    m.repo.git(&["checkout", "-q", "main"]);
    m.repo
        .write(&path, &text.replace("Steps to reproduce", "Steps, ours"));
    m.commit("ours");
    let merge = m.repo.try_git(&["merge", "-q", "feature"]);
    assert_ne!(merge.status, 0, "the merge must stop on the conflict");
    (m, number, path)
}

/// Asserts the run refused with exit 1, named `path`, and that GitHub, the files and the
/// baselines are as they were.
#[track_caller]
fn refused(m: &Mirrored, run: &crate::common::Run, path: &str, before: &Before) {
    assert_eq!(run.status, 1, "{run:?}");
    assert!(run.stderr.contains(path), "{}", run.stderr);
    assert!(run.stderr.contains("hint: "), "{}", run.stderr);
    assert!(run.stderr.contains("commit"), "{}", run.stderr);
    assert_eq!(
        m.github.request_count(),
        before.requests,
        "no request at all"
    );
    assert_eq!(m.files(), before.files, "no file written");
    assert_eq!(m.baselines(), before.baselines, "no baseline written");
}

struct Before {
    requests: usize,
    files: Vec<(String, String)>,
    baselines: Vec<(String, String)>,
}

fn before(m: &Mirrored) -> Before {
    Before {
        requests: m.github.request_count(),
        files: m.files(),
        baselines: m.baselines(),
    }
}

#[test]
fn a_sync_during_a_conflicted_merge_sends_nothing() {
    let (m, number, path) = conflicted_merge();
    m.github
        .state()
        .edit(number, json!({ "title": "Changed on GitHub meanwhile" }));
    let before = before(&m);

    let run = m.sync(&[]);
    refused(&m, &run, &path, &before);
    assert_eq!(m.github.issue(number)["body"], "Steps to reproduce");

    // Marked resolved with the markers still in: refused all the same.
    m.repo.git(&["add", &path]);
    let run = m.sync(&[]);
    refused(&m, &run, &path, &before);

    // Resolved and committed: the sync runs.
    let text = std::fs::read_to_string(m.repo.root.join(&path)).unwrap();
    let resolved: String = text
        .lines()
        .filter(|l| {
            !l.starts_with("<<<<<<<") && !l.starts_with("=======") && !l.starts_with(">>>>>>>")
        })
        .filter(|l| !l.contains("Steps, theirs"))
        .map(|l| format!("{l}\n"))
        .collect();
    m.repo.write(&path, &resolved);
    m.commit("merged");
    m.sync(&[]).success();
    assert!(
        m.github.issue(number)["body"]
            .as_str()
            .unwrap()
            .starts_with("Steps, ours"),
        "{}",
        m.github.issue(number)["body"]
    );
}

#[test]
fn an_unmerged_file_that_fails_to_parse_is_named_too() {
    let (m, number, _) = linked_pair();
    let path = m.path_of(number);
    let text = std::fs::read_to_string(m.repo.root.join(&path)).unwrap();
    m.repo.git(&["checkout", "-q", "-b", "feature"]);
    m.repo
        .write(&path, &text.replace("priority: medium", "priority: high"));
    m.commit("theirs");
    m.repo.git(&["checkout", "-q", "main"]);
    m.repo
        .write(&path, &text.replace("priority: medium", "priority: low"));
    let other = m.github.state().add_issue("Another", "", &[]);
    m.commit("ours");
    assert_ne!(m.repo.try_git(&["merge", "-q", "feature"]).status, 0);
    let before = before(&m);

    let run = m.sync(&[]);
    refused(&m, &run, &path, &before);
    assert!(
        m.local()
            .iter()
            .all(|i| i["remote_ids"]["github"] != json!(other)),
        "nothing pulled"
    );
}

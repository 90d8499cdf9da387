//! The live roadmap-cli 0.3.1 edits one issue on two branches, git merges them through the
//! installed driver, and 0.3.1 reads the result: `issue view` answers, `health scan` finds
//! nothing wrong with the merged files, and both sides' comments (renumbered, the reply
//! following its comment), events and relations are there. Skipped with a message when 0.3.1
//! is not installed (failing under CI=true); the captured files in `contract` always run.

use super::contract::assert_written_by_pyyaml;
use super::*;
use crate::common::tracker::{TrackerLine, installed_tracker};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// Runs 0.3.1 in the repository with a scratch `HOME`; its exit status and stdout.
fn tracker(repo: &TestRepo, bin: &Path, args: &[&str]) -> (i32, String) {
    let home = repo.sibling("home");
    fs::create_dir_all(&home).unwrap();
    let out = Command::new(bin)
        .args(args)
        .current_dir(&repo.root)
        .env("HOME", &home)
        .env("TZ", "UTC")
        .output()
        .unwrap();
    let status = out.status.code().unwrap_or(-1);
    (status, String::from_utf8_lossy(&out.stdout).into_owned())
}

#[track_caller]
fn tracker_ok(repo: &TestRepo, bin: &Path, args: &[&str]) -> String {
    let (status, stdout) = tracker(repo, bin, args);
    assert_eq!(status, 0, "roadmap {args:?}: {stdout}");
    stdout.trim().to_owned()
}

/// The same edits as the `comments` capture (`make-merge-0.3.sh`), made live: feature adds
/// comment 2, a reply to it and starts Alpha, Gamma depends on Beta; main adds its own comment
/// 2, Alpha depends on Beta, priority high. Returns the repository (`main` checked out) and
/// the ids of Alpha, Beta and Gamma.
fn live_diverged(bin: &Path) -> (TestRepo, [String; 3]) {
    let repo = TestRepo::new();
    tracker_ok(&repo, bin, &["init", "--skip-project"]);
    let create = |args: &[&str]| {
        let mut all = vec!["issue", "create", "--print-id"];
        all.extend(args);
        tracker_ok(&repo, bin, &all)
    };
    let ids = [
        create(&["--title", "Alpha", "-d", "Body of Alpha."]),
        create(&["--title", "Beta"]),
        create(&["--title", "Gamma"]),
    ];
    let [a, b, c] = [&ids[0], &ids[1], &ids[2]].map(String::as_str);
    let comment = |body: &str, author: &str, more: &[&str]| {
        let mut args = vec!["issue", "comment", "add", a, body, "-a", author];
        args.extend(more);
        tracker_ok(&repo, bin, &args);
    };
    comment("Base comment", "ada", &[]);
    repo.commit_all("base");
    repo.roadmap_hooks(&["install"]).success();
    diverge(
        &repo,
        |r| {
            comment("From feature", "bob", &[]);
            comment("Reply on feature", "bob", &["-r", "2"]);
            tracker_ok(r, bin, &["issue", "start", a]);
            tracker_ok(r, bin, &["issue", "deps", "add", c, b]);
        },
        |r| {
            comment("From main", "carol", &[]);
            tracker_ok(r, bin, &["issue", "deps", "add", a, b]);
            tracker_ok(r, bin, &["issue", "update", a, "-p", "high"]);
        },
    );
    (repo, ids)
}

/// What 0.3.1 says of the merged Alpha, Beta and Gamma.
#[track_caller]
fn assert_tracker_reads_the_merge(repo: &TestRepo, bin: &Path, ids: &[String; 3]) {
    let (status, scan) = tracker(repo, bin, &["health", "scan", "--format", "json"]);
    let scan: Value = serde_json::from_str(&scan).expect("health scan's JSON");
    let findings = scan["findings"].as_array().expect("findings");
    for id in ids {
        let about: Vec<&Value> = findings
            .iter()
            .filter(|f| f["scope"].as_str().is_some_and(|s| s.contains(id.as_str())))
            .collect();
        assert!(
            about.is_empty(),
            "health scan (exit {status}) on {id}: {about:?}"
        );
        tracker_ok(repo, bin, &["issue", "view", id]);
        assert_written_by_pyyaml(&repo.root.join(format!(".roadmap/issues/{id}.md")));
    }
    let view = tracker_ok(repo, bin, &["issue", "view", &ids[0], "--format", "json"]);
    let record = &serde_json::from_str::<Value>(&view).expect("issue view's JSON")["record"];
    let comments: Vec<(i64, &str, Option<i64>)> = record["comments"]
        .as_array()
        .expect("comments")
        .iter()
        .map(|c| {
            let id = c["id"].as_i64().expect("an integer id");
            (id, c["body"].as_str().unwrap(), c["in_reply_to"].as_i64())
        })
        .collect();
    let id_of = |body: &str| comments.iter().find(|c| c.1 == body).map(|c| c.0);
    let bodies = [
        "Base comment",
        "From main",
        "From feature",
        "Reply on feature",
    ];
    assert!(bodies.iter().all(|b| id_of(b).is_some()), "{comments:?}");
    assert_eq!(comments.len(), 4, "{comments:?}");
    let reply = comments.iter().find(|c| c.1 == "Reply on feature").unwrap();
    assert_eq!(reply.2, id_of("From feature"), "{comments:?}");
    let record_text = record.to_string();
    for expected in ["started", "\"in-progress\"", "\"high\""] {
        assert!(record_text.contains(expected), "{expected}: {record}");
    }
    let beta = read(repo, &format!(".roadmap/issues/{}.md", ids[1]));
    assert!(
        block_has(&beta, &ids[0]) && block_has(&beta, &ids[2]),
        "Beta blocks both:\n{beta}"
    );
}

fn block_has(text: &str, id: &str) -> bool {
    text.split("\nblocks:")
        .nth(1)
        .is_some_and(|rest| rest.contains(&format!("\n- {id}\n")))
}

#[test]
fn contract_live_edits_merge_rebase_and_cherry_pick_cleanly_and_0_3_1_reads_them() {
    let Some(bin) = installed_tracker(TrackerLine::Current) else {
        return;
    };
    for operation in ["merge", "rebase", "cherry-pick"] {
        let (repo, ids) = live_diverged(&bin);
        let run = match operation {
            "merge" => git(&repo, &["merge", "-q", "--no-edit", "feature"]),
            "rebase" => {
                repo.git(&["switch", "-q", "feature"]);
                git(&repo, &["rebase", "main"])
            }
            _ => git(&repo, &["cherry-pick", "feature"]),
        };
        assert_merged(&run);
        assert_tracker_reads_the_merge(&repo, &bin, &ids);
        assert_cache_is_head(&repo);
    }
}

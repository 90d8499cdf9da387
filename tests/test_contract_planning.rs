//! 0.3.1's planning reads (`milestone list`, `milestone view`, `project list`, `project view`)
//! take their issues from the cache, and show what a hand-written file says as the tracker
//! shows it: Python keeps `estimated_hours: 4` an int and `4.0` a float, and its sums print
//! `4` for the one and `4.0` for the other. 0.3.1 itself writes floats, so only a file written
//! by hand (or by another tool) holds an int; the captures have none.

use crate::common::tracker::{TrackerLine, installed_tracker};
use crate::test_contract_issue_list::{MARKER, contract_repo, homes, run, stand_in_tracker};

/// A project with one milestone holding one issue, estimated at `hours`.
const PROJECT_ID: &str = "7e570000-0000-4000-8000-000000000003";
const MILESTONE_ID: &str = "7e570000-0000-4000-8000-000000000001";
const ISSUE_ID: &str = "7e570000-0000-4000-8000-000000000002";

fn project_file() -> String {
    format!(
        "---\nschema_version: 1\nid: {PROJECT_ID}\ncreated: '2026-12-06T22:23:39.983867+00:00'\n\
         updated: '2026-12-06T22:23:42.816374+00:00'\nretention: visible\nname: Whole project\n\
         headline: ''\nstatus: planning\npriority: medium\nmilestones:\n- {MILESTONE_ID}\n\
         owner: null\nestimated_hours: null\nstart_date: null\ntarget_end_date: null\n\
         actual_end_date: null\nactual_hours: null\nrepo_url: null\n---\n\nCounted by hand\n"
    )
}

fn milestone_file() -> String {
    format!(
        "---\nschema_version: 1\nid: {MILESTONE_ID}\ncreated: '2026-12-06T22:23:42.816374+00:00'\n\
         updated: '2026-12-06T22:23:42.816374+00:00'\nretention: visible\nname: v-whole\n\
         headline: ''\nstatus: open\nproject_id: {PROJECT_ID}\n\
         due_date: '2027-02-01T00:00:00+00:00'\n---\n\nWhole hours\n"
    )
}

fn issue_file(hours: &str, progress: &str) -> String {
    format!(
        "---\nschema_version: 1\nid: {ISSUE_ID}\ncreated: '2026-12-06T22:23:46.187505+00:00'\n\
         updated: '2026-12-06T22:24:07.381172+00:00'\nretention: visible\ntitle: Counted by hand\n\
         headline: ''\npriority: high\nstatus: in-progress\nissue_type: feature\n\
         milestone: {MILESTONE_ID}\ndepends_on: []\nblocks: []\nlabels: []\nassignee: ada\n\
         estimated_hours: {hours}\ndue_date: null\nprogress_percentage: {progress}\n\
         actual_start_date: null\nactual_end_date: null\ngit_branches: []\ncomments: []\n\
         history:\n- action: created\n  at: '2026-12-06T22:23:46.187505+00:00'\n  reason: null\n\
         ---\n\nWritten by hand.\n"
    )
}

const COMMANDS: &[&[&str]] = &[
    &["milestone", "list", "--format", "json"],
    &["milestone", "view", "v-whole", "--format", "json"],
    &["milestone", "view", "v-whole"],
    &["project", "list", "--format", "json"],
    &["project", "view", PROJECT_ID, "--format", "json"],
    &["project", "view", PROJECT_ID],
];

/// The project's `estimated_hours` in `project view --format json`, as printed.
fn viewed_estimate(stdout: &str) -> String {
    let view: serde_json::Value = serde_json::from_str(stdout).expect("project view JSON");
    view.pointer("/record/estimated_hours")
        .unwrap_or_else(|| panic!("no estimated_hours in {stdout}"))
        .to_string()
}

#[test]
fn whole_hours_written_by_hand_sum_as_python_sums_them() {
    let repo = contract_repo();
    let tracker = stand_in_tracker(&repo, "0.3.1");
    let (home, _) = homes(&repo);
    let ours = crate::common::binary("roadmap");
    let env = [("ROADMAP_TRACKER", tracker.to_str().unwrap())];
    let milestone = format!(".roadmap/milestones/{MILESTONE_ID}.md");
    let issue = format!(".roadmap/issues/{ISSUE_ID}.md");
    repo.write(
        &format!(".roadmap/projects/{PROJECT_ID}.md"),
        &project_file(),
    );
    repo.write(&milestone, &milestone_file());
    repo.write(&issue, &issue_file("4", "50"));
    repo.commit_all("an issue estimated by hand in whole hours");
    let live = installed_tracker(TrackerLine::Current);
    // Committed (the sync reads it), then edited by hand and not committed (the look at the
    // working tree reads it): both served, each as Python prints it.
    for (hours, progress, printed) in [("4", "50", "4"), ("4.0", "50", "4.0"), ("6", "25.5", "6")] {
        repo.write(&issue, &issue_file(hours, progress));
        for args in COMMANDS {
            let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
            let got = run(&repo.root, &ours, &args, &home, &env);
            assert_eq!(
                (got.status, got.stderr.contains(MARKER)),
                (0, false),
                "`{}` with estimated_hours: {hours} was not served: {got:?}",
                args.join(" ")
            );
            if args[..2] == ["project", "view"] && args.len() == 5 {
                assert_eq!(viewed_estimate(&got.stdout), printed, "{}", got.stdout);
            }
            if let Some(live) = &live {
                let theirs = run(&repo.root, live, &args, &home, &[]);
                assert_eq!(
                    (got.status, &got.stdout, &got.stderr),
                    (theirs.status, &theirs.stdout, &theirs.stderr),
                    "`{}` with estimated_hours: {hours}",
                    args.join(" ")
                );
            }
        }
    }
}

/// An issue file renamed by hand (its name no longer its id) and a second copy of an issue
/// under another name: whatever ours reads from the cache or the files, each planning read
/// answers as 0.3.1 does (served or handed to it).
#[test]
fn renamed_and_copied_issue_files_answer_as_the_tracker_does() {
    let Some(live) = installed_tracker(TrackerLine::Current) else {
        return;
    };
    let repo = contract_repo();
    let (home, _) = homes(&repo);
    let ours = crate::common::binary("roadmap");
    let env = [("ROADMAP_TRACKER", live.to_str().unwrap())];
    repo.write(
        &format!(".roadmap/projects/{PROJECT_ID}.md"),
        &project_file(),
    );
    repo.write(
        &format!(".roadmap/milestones/{MILESTONE_ID}.md"),
        &milestone_file(),
    );
    repo.write(
        &format!(".roadmap/issues/{ISSUE_ID}.md"),
        &issue_file("4", "50"),
    );
    repo.commit_all("an issue estimated by hand");
    let renamed = ".roadmap/issues/7e570000-0000-4000-8000-0000000000ff.md";
    for what in ["renamed", "copied"] {
        if what == "renamed" {
            repo.remove(&format!(".roadmap/issues/{ISSUE_ID}.md"));
            repo.write(renamed, &issue_file("4", "50"));
        } else {
            repo.write(
                &format!(".roadmap/issues/{ISSUE_ID}.md"),
                &issue_file("5", "50"),
            );
        }
        for args in COMMANDS {
            let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
            let got = run(&repo.root, &ours, &args, &home, &env);
            let theirs = run(&repo.root, &live, &args, &home, &[]);
            assert_eq!(
                (got.status, &got.stdout, &got.stderr),
                (theirs.status, &theirs.stdout, &theirs.stderr),
                "`{}` with the issue file {what}",
                args.join(" ")
            );
        }
    }
}

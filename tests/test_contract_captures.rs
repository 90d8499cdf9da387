//! What roadmap-cli 0.3.1 wrote and printed, read back through us: every file its commands
//! wrote reads the same in our cache as in its own reader; a workspace its `migrate` made lists
//! as it lists it; and a legacy workspace with 0.3.1 behind us gets 0.3.1's own refusal. The
//! oracles are the tracker's (its reader, its captured output, the live tracker), never ours.

use crate::common::tracker::{TrackerLine, assert_listing_equals_files, installed_tracker};
use crate::common::{Run, TestRepo, copy_fixture, hermetic};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The id in a 0.2 document's `id:` line.
fn document_id(text: &str) -> &str {
    let line = text
        .lines()
        .find(|line| line.starts_with("id: "))
        .expect("a 0.2 document has an id line");
    line["id: ".len()..].trim_matches('\'')
}

#[test]
fn every_file_0_3_1_wrote_reads_the_same_in_the_cache_as_in_its_reader() {
    let repo = TestRepo::new();
    copy_fixture(&repo, "tracker-0.3.1");
    // Each step of the effects capture is one state of an issue file; all go in at once, each
    // under an id of its own (the `id:` line and the file name; every other byte as written).
    let effects = fixtures().join("tracker-0.3.1-effects");
    let mut steps: Vec<_> = fs::read_dir(&effects)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    steps.sort();
    assert!(steps.len() >= 40, "the effects capture is there");
    for (n, step) in steps.iter().enumerate() {
        let text = fs::read_to_string(step).unwrap();
        let id = document_id(&text).to_owned();
        let new_id = format!("{:08x}-0000-4000-8000-{n:012x}", 0xe0e0_0000_u32 + n as u32);
        let text = text.replacen(&format!("id: {id}\n"), &format!("id: {new_id}\n"), 1);
        let text = text.replacen(&format!("id: '{id}'\n"), &format!("id: {new_id}\n"), 1);
        assert!(
            text.contains(&new_id),
            "{}: id line rewritten",
            step.display()
        );
        repo.write(&format!(".roadmap/issues/{new_id}.md"), &text);
    }
    repo.commit_all("every state 0.3.1 wrote");
    let listed = repo.listed(&[]);
    assert_eq!(
        listed.as_array().unwrap().len(),
        17 + steps.len(),
        "every file is listed"
    );
    assert_listing_equals_files(&listed, &repo.root);
}

/// The cells of one CSV record as 0.3.1 writes it (CRLF, quotes only where needed).
fn csv_cells(line: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                cells.last_mut().unwrap().push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => cells.push(String::new()),
            c => cells.last_mut().unwrap().push(c),
        }
    }
    cells
}

#[test]
fn a_workspace_0_3_1_migrated_lists_as_0_3_1_lists_it() {
    let repo = TestRepo::new();
    copy_fixture(&repo, "tracker-0.3.1-legacy/after");
    repo.commit_all("roadmap migrate --yes");
    let listed = repo.listed(&[]);
    assert_listing_equals_files(&listed, &repo.root);

    let capture = fs::read_to_string(
        fixtures().join("tracker-0.3.1-legacy/after/issue-list--scope-all--format-csv.txt"),
    )
    .unwrap();
    let mut theirs: Vec<Vec<String>> = capture
        .split("\r\n")
        .skip(1)
        .filter(|line| !line.is_empty())
        .map(csv_cells)
        .collect();
    theirs.sort();
    let mut ours: Vec<Vec<String>> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|issue| {
            let text = |key: &str| issue[key].as_str().map(str::to_owned);
            vec![
                text("id").unwrap(),
                text("title").unwrap(),
                text("priority").unwrap(),
                text("status").unwrap(),
                text("assignee").unwrap_or_else(|| "Unassigned".to_owned()),
                text("milestone").unwrap_or_else(|| "Backlog".to_owned()),
            ]
        })
        .collect();
    ours.sort();
    // ID, Title, Priority, Status, (Progress), Assignee, (Estimate), Milestone: the fields the
    // cache holds as 0.3.1 shows them; milestones by name, resolved from the ids migrate wrote.
    let theirs: Vec<Vec<String>> = theirs
        .into_iter()
        .map(|cells| {
            vec![
                cells[0].clone(),
                cells[1].clone(),
                cells[2].clone(),
                cells[3].clone(),
                cells[5].clone(),
                cells[7].clone(),
            ]
        })
        .collect();
    assert_eq!(ours, theirs);
}

#[test]
fn a_legacy_workspace_with_0_3_1_behind_us_gets_its_refusal() {
    let Some(tracker) = installed_tracker(TrackerLine::Current) else {
        return;
    };
    let repo = TestRepo::new();
    copy_fixture(&repo, "tracker-1.0.2");
    let captures = fixtures().join("tracker-0.3.1-legacy");
    fs::copy(
        captures.join("input-config.yaml"),
        repo.root.join(".roadmap/config.yaml"),
    )
    .unwrap();
    repo.commit_all("a legacy workspace");
    let home = repo.sibling("home");
    fs::create_dir_all(&home).unwrap();
    let before = captures.join("before");
    let commands = fs::read_to_string(before.join("commands.txt")).unwrap();
    let mut compared = 0;
    for line in commands.lines().filter(|line| !line.starts_with('#')) {
        let fields: Vec<&str> = line.split(" | ").collect();
        let (file, args) = (fields[0], fields[1]);
        let stem = file.trim_end_matches(".txt");
        let Ok(exit) = fs::read_to_string(before.join(format!("{stem}.exit.txt"))) else {
            continue; // migrate --dry-run and the like succeed: not a refusal
        };
        let mut command = Command::new(crate::common::binary("roadmap"));
        hermetic(&mut command)
            .env("ROADMAP_TRACKER", &tracker)
            .env("HOME", &home)
            .env("LC_ALL", "C.UTF-8")
            .args(args.split(' '))
            .current_dir(&repo.root)
            .stdin(Stdio::null());
        let run = Run::from_output(command.output().unwrap());
        let read = |suffix: &str| {
            fs::read_to_string(before.join(format!("{stem}{suffix}"))).unwrap_or_default()
        };
        assert_eq!(run.stdout, read(".txt"), "stdout of `roadmap {args}`");
        assert_eq!(
            run.stderr,
            read(".stderr.txt"),
            "stderr of `roadmap {args}`"
        );
        assert_eq!(
            run.status.to_string(),
            exit.trim(),
            "exit of `roadmap {args}`"
        );
        compared += 1;
    }
    assert!(compared >= 5, "the refusals were compared ({compared})");
}

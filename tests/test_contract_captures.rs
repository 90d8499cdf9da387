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

/// Replays one `commands.txt` of the legacy capture through ours, the live 0.3.1 behind us
/// (its clock at the capture's day): each line's stdout, stderr and exit status as captured.
/// Lines ours answers (`issue list` on the migrated workspace) never reach the tracker.
fn replay(repo: &TestRepo, tracker: &Path, home: &Path, captures: &Path) -> usize {
    let fake_now = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/common/fake_now");
    let commands = fs::read_to_string(captures.join("commands.txt")).unwrap();
    let mut failures = Vec::new();
    let mut compared = 0;
    for line in commands.lines().filter(|line| !line.starts_with('#')) {
        let fields: Vec<&str> = line.split(" | ").collect();
        let (file, args) = (fields[0], fields[1]);
        let stem = file.trim_end_matches(".txt");
        let mut command = Command::new(crate::common::binary("roadmap"));
        hermetic(&mut command)
            .env("ROADMAP_TRACKER", tracker)
            .env("HOME", home)
            .env("LC_ALL", "C.UTF-8")
            .env("PYTHONPATH", &fake_now)
            .env(
                "ROADMAP_FAKE_NOW",
                crate::test_contract_issue_list::CAPTURE_NOW,
            )
            .env(
                "ROADMAP_TEST_NOW",
                crate::test_contract_issue_list::CAPTURE_NOW,
            )
            .env_remove("NO_COLOR")
            .args(args.split(' '))
            .current_dir(&repo.root)
            .stdin(Stdio::null());
        let run = Run::from_output(command.output().unwrap());
        let read = |suffix: &str| {
            fs::read_to_string(captures.join(format!("{stem}{suffix}"))).unwrap_or_default()
        };
        let exit = read(".exit.txt");
        let want = (
            exit.trim().parse::<i32>().unwrap_or(0),
            read(".txt"),
            read(".stderr.txt"),
        );
        let got = (run.status, masked(&run.stdout), masked(&run.stderr));
        let want = (want.0, masked(&want.1), masked(&want.2));
        if got != want {
            failures.push(format!("roadmap {args}:\nwant {want:?}\ngot  {got:?}"));
        }
        compared += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    compared
}

/// `text` with the 64-hex digest after each `fingerprint` masked: `migrate`'s plan fingerprint
/// hashes where the workspace is, which differs from the capture's scratch folder.
fn masked(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("fingerprint") {
        let (head, tail) = rest.split_at(at + "fingerprint".len());
        out.push_str(head);
        let skip = tail
            .find(|c: char| c.is_ascii_hexdigit())
            .unwrap_or(tail.len());
        let digits = tail[skip..]
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .count();
        if digits == 64 {
            out.push_str(&tail[..skip]);
            out.push_str("<digest>");
            rest = &tail[skip + 64..];
        } else {
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

/// Every regular file under `dir`, relative, sorted, `.roadmap/db/` (the tracker's private
/// state) left out.
fn files_under(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.push(
                    path.strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &dir.join(".roadmap"), &mut out);
    out.retain(|path| !path.starts_with(".roadmap/db/"));
    out.sort();
    out
}

/// 0.3.1 on a legacy workspace through ours: its refusals and `migrate --dry-run` as captured;
/// `migrate --yes` writes the captured tree byte for byte and our next query shows it; then
/// every captured read of the migrated workspace, served or forwarded, prints what 0.3.1
/// printed.
#[test]
fn a_legacy_workspace_migrated_through_ours_replays_the_capture() {
    let Some(tracker) = installed_tracker(TrackerLine::Current) else {
        return;
    };
    let captures = fixtures().join("tracker-0.3.1-legacy");
    let repo = TestRepo::new();
    copy_fixture(&repo, "tracker-1.0.2");
    fs::copy(
        captures.join("input-config.yaml"),
        repo.root.join(".roadmap/config.yaml"),
    )
    .unwrap();
    fs::copy(
        captures.join("input-gitignore-by-1.0.2-init.txt"),
        repo.root.join(".gitignore"),
    )
    .unwrap();
    // The capture started from this very tree: its checksums (config included) say so.
    let sums = fs::read_to_string(captures.join("input-tree.sha256")).unwrap();
    let checked = Command::new("sha256sum")
        .args(["--check", "--quiet", "-"])
        .current_dir(repo.root.join(".roadmap"))
        .stdin(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(sums.as_bytes())?;
            child.wait()
        })
        .unwrap();
    assert!(
        checked.success(),
        "tests/fixtures/tracker-1.0.2 is the tree the capture used"
    );
    repo.git(&["config", "user.name", "Ada Lovelace"]);
    repo.commit_all("a legacy workspace");
    let home = repo.sibling("home");
    fs::create_dir_all(&home).unwrap();
    assert!(replay(&repo, &tracker, &home, &captures.join("before")) >= 10);
    assert_eq!(
        repo.git(&["status", "--porcelain", "--untracked-files=all"]),
        fs::read_to_string(captures.join("before/git-status-after-dry-run.txt")).unwrap(),
        "refusals and dry runs change nothing but the tracker's db/"
    );

    let after = captures.join("after");
    let migrate = |args: &[&str]| {
        let mut command = Command::new(crate::common::binary("roadmap"));
        hermetic(&mut command)
            .env("ROADMAP_TRACKER", &tracker)
            .env("HOME", &home)
            .env("LC_ALL", "C.UTF-8")
            .args(args)
            .current_dir(&repo.root)
            .stdin(Stdio::null());
        Run::from_output(command.output().unwrap())
    };
    let run = migrate(&["migrate", "--yes"]);
    assert_eq!(
        run.stdout,
        fs::read_to_string(after.join("migrate--yes.txt")).unwrap()
    );
    assert_eq!(
        run.stderr,
        fs::read_to_string(after.join("migrate--yes.stderr.txt")).unwrap()
    );
    let captured_tree = files_under(&after);
    assert_eq!(files_under(&repo.root), captured_tree);
    for path in &captured_tree {
        assert_eq!(
            fs::read(repo.root.join(path)).unwrap(),
            fs::read(after.join(path)).unwrap(),
            "{path} as migrate wrote it"
        );
    }
    let listed_after = fs::read_to_string(after.join("tree-after-migrate.txt")).unwrap();
    let listed_after: Vec<&str> = listed_after
        .lines()
        .filter_map(|line| line.strip_prefix("f "))
        .filter(|path| !path.starts_with(".roadmap/db/"))
        .collect();
    assert_eq!(files_under(&repo.root), listed_after);
    assert_eq!(
        fs::read_to_string(home.join(".config/roadmap/config.yaml")).unwrap(),
        fs::read_to_string(after.join("user-config-after-migrate.yaml")).unwrap()
    );
    assert_eq!(
        fs::read_to_string(repo.root.join(".gitignore")).unwrap(),
        fs::read_to_string(after.join("gitignore-after-migrate.txt")).unwrap()
    );
    let status = repo.git(&["status", "--porcelain", "--untracked-files=all"]);
    let captured = fs::read_to_string(after.join("git-status-after-migrate.txt")).unwrap();
    let only = |a: &str, b: &str| -> Vec<String> {
        a.lines()
            .filter(|l| !b.lines().any(|m| m == *l))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(
        (only(&status, &captured), only(&captured, &status)),
        (vec![], vec![]),
        "git status after migrate: (ours only, the capture's only)"
    );
    // What the tracker wrote through ours shows in our next query, before any commit.
    assert_listing_equals_files(&repo.listed(&[]), &repo.root);

    assert!(replay(&repo, &tracker, &home, &after) >= 8);
    let read_tree = fs::read_to_string(after.join("tree-after-reads.txt")).unwrap();
    let mut read_tree: Vec<&str> = read_tree
        .lines()
        .filter_map(|line| line.strip_prefix("f "))
        .collect();
    read_tree.sort_unstable();
    let mut ours = files_under(&repo.root);
    for db in ["canonical-write.lock", "projection.db"] {
        ours.push(format!(".roadmap/db/{db}"));
        assert!(repo.root.join(".roadmap/db").join(db).is_file(), "{db}");
    }
    ours.sort();
    assert_eq!(
        ours, read_tree,
        "the reads wrote nothing but the tracker's db/"
    );
}

/// Every file under `.roadmap/db/` that 0.3.1 was seen to create (its projection, lock,
/// `.stale` marker and journals: the listings of the effects and output captures).
fn db_files_0_3_1_made() -> Vec<String> {
    let mut listings = Vec::new();
    for dir in ["tracker-0.3.1-effects", "tracker-0.3.1-cli-output"] {
        for entry in fs::read_dir(fixtures().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with("db-")
                || name.starts_with("after-")
                || name == "files-after-reads.txt"
            {
                listings.push(fs::read_to_string(&path).unwrap());
            }
        }
    }
    let mut files: Vec<String> = listings
        .iter()
        .flat_map(|text| text.lines())
        .filter_map(|line| {
            // `f SIZE PATH` in the effects' polls; a bare path in the others.
            let path = line.strip_prefix("f ").map_or(line, |rest| {
                rest.split_once(' ').map_or(rest, |(_, path)| path)
            });
            path.starts_with(".roadmap/db/").then(|| path.to_owned())
        })
        .collect();
    files.sort();
    files.dedup();
    files
}

#[test]
fn what_0_3_1_keeps_under_db_never_reads_as_an_issue_even_when_committed() {
    let files = db_files_0_3_1_made();
    assert!(
        files.iter().any(|f| f.contains("/transactions/")),
        "the listings show a journal: {files:?}"
    );
    let repo = TestRepo::new();
    copy_fixture(&repo, "tracker-0.3.1");
    repo.commit_all("the plan");
    let before = repo.listed(&[]);
    for (n, path) in files.iter().enumerate() {
        // What a journal holds: whole documents (`0.before`, `0.after`), as issue files are.
        let issue = fs::read_dir(repo.root.join(".roadmap/issues"))
            .unwrap()
            .next();
        let document = fs::read(issue.unwrap().unwrap().path()).unwrap();
        let target = repo.root.join(path);
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        fs::write(
            &target,
            if n % 2 == 0 {
                &document[..]
            } else {
                b"---\nid: [oops\n---\n"
            },
        )
        .unwrap();
    }
    repo.git(&["add", "-f", ".roadmap/db"]);
    repo.git(&["commit", "-q", "-m", "a journal committed by mistake"]);
    assert_eq!(repo.listed(&[]), before, "incremental sync");
    repo.roadmap_hooks(&["sync", "--full"]).success();
    assert_eq!(repo.listed(&[]), before, "full rebuild");
    let status = repo.roadmap_hooks(&["status"]).success().stdout;
    assert!(status.contains("invalid files: 0\n"), "{status}");
    assert!(!status.contains("warning:"), "{status}");
}

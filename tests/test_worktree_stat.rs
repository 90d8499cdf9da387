//! The stat file of `--worktree` (`<git dir>/roadmap/worktree-stat`, git's index and untracked
//! cache in one): whatever it holds, or fails to hold, a hand edit is never hidden. Edits in
//! the second of the last look, edits that put the size and mtime back, new, renamed and
//! deleted files and folders in folders the look no longer lists, a deleted, damaged, stale or
//! half-written stat file, a stat file from before a rebuild or from before a commit that
//! changed what the cache shows, and two looks at once.

use crate::common::{IssueSpec, TestRepo, binary, hermetic};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

const ALPHA: &str = ".roadmap/issues/v1/0000000a-alpha.md";
const BETA: &str = ".roadmap/issues/backlog/0000000b-beta.md";

fn repo_with_hooks() -> TestRepo {
    let repo = TestRepo::new();
    repo.commit_issue(&IssueSpec::new("0000000a", "Alpha").milestone("v1"));
    repo.commit_issue(&IssueSpec::new("0000000b", "Beta"));
    repo.commit_issue(&IssueSpec::new("0000000d", "Delta").milestone("v2"));
    repo.roadmap_hooks(&["install"]).success();
    repo
}

fn stat_file(repo: &TestRepo) -> PathBuf {
    repo.root.join(".git/roadmap/worktree-stat")
}

/// The titles `roadmap list --worktree` shows, by id.
fn titles(repo: &TestRepo) -> Vec<(String, String)> {
    shown_titles(repo, &["--worktree"])
}

/// The titles `roadmap list ARGS` shows, by id.
fn shown_titles(repo: &TestRepo, args: &[&str]) -> Vec<(String, String)> {
    let listed = repo.listed(args);
    listed
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let text = |k: &str| i[k].as_str().unwrap().to_owned();
            (text("id"), text("title"))
        })
        .collect()
}

fn title_of(repo: &TestRepo, id: &str) -> Option<String> {
    shown_title(repo, &["--worktree"], id)
}

fn shown_title(repo: &TestRepo, args: &[&str], id: &str) -> Option<String> {
    shown_titles(repo, args)
        .into_iter()
        .find(|(i, _)| i == id)
        .map(|(_, t)| t)
}

/// Replaces the title line, keeping the file's size (`title` must be as long as the old one).
pub(crate) fn retitle(repo: &TestRepo, path: &str, title: &str) {
    let file = repo.root.join(path);
    let text = std::fs::read_to_string(&file).unwrap();
    let old = text.lines().find(|l| l.starts_with("title:")).unwrap();
    let new = format!("title: \"{title}\"");
    assert_eq!(old.len(), new.len(), "same size");
    std::fs::write(&file, text.replace(old, &new)).unwrap();
}

pub(crate) fn set_mtime(path: &Path, at: SystemTime) {
    std::fs::File::open(path).unwrap().set_modified(at).unwrap();
}

pub(crate) fn mtime(path: &Path) -> SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
}

/// Puts every roadmap file and folder a year back, so a look trusts their stat data (nothing
/// changed in the second of the look) and lists no folder again while it does not move.
pub(crate) fn age_roadmap(repo: &TestRepo) {
    let year_ago = SystemTime::now() - Duration::from_secs(365 * 86_400);
    let mut stack = vec![repo.root.join(".roadmap")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                set_mtime(&path, year_ago);
            }
        }
        set_mtime(&dir, year_ago);
    }
}

#[test]
fn a_same_size_edit_in_the_second_of_the_last_look_is_seen() {
    let repo = repo_with_hooks();
    let file = repo.root.join(ALPHA);
    assert_eq!(title_of(&repo, "0000000a").as_deref(), Some("Alpha"));
    assert!(stat_file(&repo).is_file(), "the look left its stat file");
    // Within the same second as that look, same size, the mtime put back: only the racy-clean
    // rule (the mtime is not older than the look's second) and the change time can tell.
    let before = mtime(&file);
    retitle(&repo, ALPHA, "Alfa!");
    set_mtime(&file, before);
    assert_eq!(title_of(&repo, "0000000a").as_deref(), Some("Alfa!"));
}

#[test]
fn an_edit_that_puts_back_the_size_and_an_old_mtime_is_seen_by_its_change_time() {
    let repo = repo_with_hooks();
    age_roadmap(&repo);
    assert_eq!(title_of(&repo, "0000000a").as_deref(), Some("Alpha"));
    let file = repo.root.join(ALPHA);
    let old = mtime(&file);
    // `touch -d` back to the old time after a same-size edit: size, mtime and inode as the
    // look recorded them, long settled. git compares the change time too (in whole seconds);
    // the look compares it to the nanosecond.
    retitle(&repo, ALPHA, "Alfa!");
    set_mtime(&file, old);
    assert_eq!(mtime(&file), old);
    assert_eq!(title_of(&repo, "0000000a").as_deref(), Some("Alfa!"));
}

#[test]
fn new_renamed_and_deleted_files_and_folders_are_seen_in_folders_no_longer_listed() {
    let repo = repo_with_hooks();
    age_roadmap(&repo);
    assert_eq!(repo.listed(&["--worktree"]), repo.scanned());
    let v1 = repo.root.join(".roadmap/issues/v1");

    // A new file in a folder whose mtime is then put back: its change time moved.
    let folder_time = mtime(&v1);
    repo.write(
        ".roadmap/issues/v1/0000000c-gamma.md",
        &IssueSpec::new("0000000c", "Gamma").milestone("v1").render(),
    );
    set_mtime(&v1, folder_time);
    assert_eq!(repo.listed(&["--worktree"]), repo.scanned());
    assert_eq!(title_of(&repo, "0000000c").as_deref(), Some("Gamma"));

    // A file replaced by a rename over it (another inode, the folder changed).
    let replacement = repo.root.join(".roadmap/issues/v1/replacement.tmp");
    std::fs::write(
        &replacement,
        IssueSpec::new("0000000a", "Alpha renamed over")
            .milestone("v1")
            .render(),
    )
    .unwrap();
    std::fs::rename(&replacement, repo.root.join(ALPHA)).unwrap();
    assert_eq!(
        title_of(&repo, "0000000a").as_deref(),
        Some("Alpha renamed over")
    );

    // A deleted file, then a deleted folder.
    repo.remove(BETA);
    assert_eq!(repo.listed(&["--worktree"]), repo.scanned());
    std::fs::remove_dir_all(repo.root.join(".roadmap/issues/v2")).unwrap();
    assert_eq!(repo.listed(&["--worktree"]), repo.scanned());
    let ids: Vec<String> = titles(&repo).into_iter().map(|(id, _)| id).collect();
    assert_eq!(ids, ["0000000a", "0000000c"]);

    // All of it committed: the cache is HEAD's again.
    repo.commit_all("what was done by hand");
    repo.assert_cache_matches_head(&["--worktree"]);
}

/// The raw bytes of the blob id git gives `path`'s content.
fn raw_blob_id(repo: &TestRepo, path: &str) -> Vec<u8> {
    let hex = repo.git(&["hash-object", path]);
    let hex = hex.trim();
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn a_deleted_or_damaged_stat_file_makes_the_next_look_read_every_file() {
    let repo = repo_with_hooks();
    age_roadmap(&repo);
    std::fs::write(
        repo.root.join(ALPHA),
        IssueSpec::new("0000000a", "Alpha by hand")
            .milestone("v1")
            .render(),
    )
    .unwrap();
    age_roadmap(&repo);
    assert_eq!(
        title_of(&repo, "0000000a").as_deref(),
        Some("Alpha by hand")
    );

    // Damaged where it records the blob the edited file holds: were it believed, the file
    // would hold something else than the cache shows, and the record would end.
    let raw = raw_blob_id(&repo, ALPHA);
    let mut bytes = std::fs::read(stat_file(&repo)).unwrap();
    let at = bytes
        .windows(raw.len())
        .position(|w| w == raw.as_slice())
        .expect("the stat file records the blob");
    bytes[at] ^= 0xff;
    std::fs::write(stat_file(&repo), &bytes).unwrap();
    assert_eq!(
        title_of(&repo, "0000000a").as_deref(),
        Some("Alpha by hand")
    );
    assert_eq!(repo.listed(&["--worktree"]), repo.scanned());
    assert_ne!(std::fs::read(stat_file(&repo)).unwrap(), bytes, "replaced");

    // Deleted, or cut short: the same.
    std::fs::remove_file(stat_file(&repo)).unwrap();
    retitle(&repo, BETA, "Bet@");
    assert_eq!(title_of(&repo, "0000000b").as_deref(), Some("Bet@"));
    let whole = std::fs::read(stat_file(&repo)).unwrap();
    std::fs::write(stat_file(&repo), &whole[..whole.len() / 2]).unwrap();
    assert_eq!(repo.listed(&["--worktree"]), repo.scanned());
}

#[test]
fn a_stat_file_from_before_a_rebuild_is_not_taken_for_the_new_cache() {
    let repo = repo_with_hooks();
    age_roadmap(&repo);
    retitle(&repo, ALPHA, "Hand!");
    age_roadmap(&repo);
    assert_eq!(title_of(&repo, "0000000a").as_deref(), Some("Hand!"));
    // The record of the hand edit lost, then a rebuild: the new cache shows HEAD's title, while
    // the stat file says the cache showed the file's. Nothing in the file moved since.
    std::fs::remove_file(repo.root.join(".git/roadmap/pending-writes.json")).unwrap();
    repo.roadmap_hooks(&["sync", "--full"]).success();
    assert_eq!(
        shown_title(&repo, &[], "0000000a").as_deref(),
        Some("Alpha")
    );
    assert_eq!(title_of(&repo, "0000000a").as_deref(), Some("Hand!"));
    assert_eq!(repo.listed(&["--worktree"]), repo.scanned());
}

fn spawn_look(repo: &TestRepo) -> std::process::Child {
    hermetic(&mut Command::new(binary("roadmap")))
        .args([
            "list",
            "--all",
            "--sort",
            "id",
            "--format",
            "json",
            "--worktree",
        ])
        .current_dir(&repo.root)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn two_looks_at_once_both_show_the_edit() {
    let repo = repo_with_hooks();
    retitle(&repo, ALPHA, "Twice");
    repo.remove(BETA);
    let expected = repo.scanned();
    let (first, second) = (spawn_look(&repo), spawn_look(&repo));
    for child in [first, second] {
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{output:?}");
        let listed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(listed, expected);
    }
    assert_eq!(repo.listed(&["--worktree"]), expected);
}

#[test]
fn a_killed_look_or_a_stale_stat_file_hides_no_edit() {
    let repo = repo_with_hooks();
    age_roadmap(&repo);
    assert_eq!(title_of(&repo, "0000000a").as_deref(), Some("Alpha"));
    let stale = std::fs::read(stat_file(&repo)).unwrap();

    // A look killed at whatever point it reached: the next one shows the edit.
    retitle(&repo, ALPHA, "Kill!");
    let mut child = spawn_look(&repo);
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(title_of(&repo, "0000000a").as_deref(), Some("Kill!"));

    // What a look killed while replacing the stat file leaves: a half-written temporary file
    // beside the one from before the edit (the rename never happened).
    std::fs::write(stat_file(&repo), &stale).unwrap();
    std::fs::write(
        repo.root.join(".git/roadmap/worktree-stat.tmp"),
        &stale[..stale.len() / 3],
    )
    .unwrap();
    retitle(&repo, BETA, "Bet2");
    assert_eq!(title_of(&repo, "0000000a").as_deref(), Some("Kill!"));
    assert_eq!(title_of(&repo, "0000000b").as_deref(), Some("Bet2"));
    assert_eq!(repo.listed(&["--worktree"]), repo.scanned());
}

#[test]
fn a_commit_of_a_staged_version_the_file_no_longer_holds_shows_the_file() {
    let repo = repo_with_hooks();
    age_roadmap(&repo);
    assert_eq!(title_of(&repo, "0000000a").as_deref(), Some("Alpha"));
    // Staged, then put back in the working tree, then committed: the commit changes what the
    // cache shows at the path while the file holds what the last look recorded there.
    let file = repo.root.join(ALPHA);
    let original = std::fs::read(&file).unwrap();
    let staged = IssueSpec::new("0000000a", "Alpha as staged").milestone("v1");
    std::fs::write(&file, staged.render()).unwrap();
    repo.git(&["add", ALPHA]);
    std::fs::write(&file, &original).unwrap();
    repo.git(&["commit", "-qm", "the staged version"]);
    assert_eq!(
        shown_title(&repo, &[], "0000000a").as_deref(),
        Some("Alpha as staged")
    );
    assert_eq!(title_of(&repo, "0000000a").as_deref(), Some("Alpha"));
    assert_eq!(repo.listed(&["--worktree"]), repo.scanned());
}

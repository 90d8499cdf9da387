//! 0.2-contract issue files (roadmap-cli 0.3.1) edited on two branches: the files are 0.3.1's
//! own, captured by `tests/fixtures/make-merge-0.3.sh` into `tracker-0.3.1-merge/`, committed
//! into a real repository with the driver installed, and merged by git. What each merge must
//! give is derived here from the captured sides by the rule the README states, never from ids
//! or times written into the test.

use super::*;
use crate::common::tracker::pyyaml_python;
use std::path::Path;

/// A captured file: `NAME.SIDE.md` of `scenario` (side `base`, `ours` or `theirs`).
pub(super) fn captured(scenario: &str, name: &str, side: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tracker-0.3.1-merge")
        .join(scenario)
        .join(format!("{name}.{side}.md"));
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Where an issue file lives on the contract line: `issues/<id>.md`.
pub(super) fn issue_path(text: &str) -> String {
    let id = text
        .lines()
        .find_map(|line| line.strip_prefix("id: "))
        .expect("an id line");
    format!(".roadmap/issues/{id}.md")
}

/// A 0.2 workspace (0.3.1's config) holding the base of each named file, driver installed;
/// `feature` then holds theirs and `main` ours, one commit each, `main` checked out.
fn diverged(scenario: &str, names: &[&str]) -> TestRepo {
    let repo = TestRepo::new();
    let config = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tracker-0.3.1/.roadmap/config.yaml");
    repo.write(".roadmap/config.yaml", &fs::read_to_string(config).unwrap());
    let write_side = |repo: &TestRepo, side: &str| {
        for name in names {
            let text = captured(scenario, name, side);
            repo.write(&issue_path(&text), &text);
        }
    };
    write_side(&repo, "base");
    repo.commit_all("base");
    repo.roadmap_hooks(&["install"]).success();
    diverge(
        &repo,
        |r| write_side(r, "theirs"),
        |r| write_side(r, "ours"),
    );
    repo
}

/// The lines of top-level `key` in a file: its own line and every line under it.
fn block(text: &str, key: &str) -> String {
    let start = text
        .find(&format!("\n{key}:"))
        .unwrap_or_else(|| panic!("no {key}"))
        + 1;
    let rest = &text[start..];
    let end = rest
        .split_inclusive('\n')
        .enumerate()
        .take_while(|(i, line)| *i == 0 || line.starts_with([' ']) || line.starts_with("- "))
        .map(|(_, line)| line.len())
        .sum::<usize>();
    rest[..end].to_owned()
}

fn with_block(text: &str, key: &str, lines: &str) -> String {
    text.replacen(&block(text, key), lines, 1)
}

/// The items of a block list, each with its lines.
fn items(block: &str) -> Vec<String> {
    let mut items: Vec<String> = Vec::new();
    for line in block.split_inclusive('\n').skip(1) {
        match items.last_mut() {
            Some(item) if !line.starts_with('-') => item.push_str(line),
            _ => items.push(line.to_owned()),
        }
    }
    items
}

/// `history` as the README says it merges: every event of either side once, ordered by `at`
/// (0.3.1 writes every `at` in one UTC form, so its text sorts as its time).
fn expected_history(ours: &str, theirs: &str) -> String {
    let mut events = items(&block(ours, "history"));
    for event in items(&block(theirs, "history")) {
        if !events.contains(&event) {
            events.push(event);
        }
    }
    events.sort_by_key(|event| {
        let at = event
            .lines()
            .find_map(|l| l.trim_start().strip_prefix("at: "));
        at.expect("an at line").to_owned()
    });
    format!("history:\n{}", events.concat())
}

/// The later `updated:` line of two files.
fn later_updated(ours: &str, theirs: &str) -> String {
    block(ours, "updated").max(block(theirs, "updated"))
}

/// Alpha of the `comments` scenario as it must merge: ours, with theirs' status, progress and
/// start date (only theirs changed them), the later `updated`, both sides' history, and
/// theirs' two new comments numbered after ours' comment 2 (2 → 3, 3 → 4), the reply
/// following its comment.
fn expected_alpha() -> String {
    let [base, ours, theirs] = ["base", "ours", "theirs"].map(|s| captured("comments", "alpha", s));
    let mut merged = ours.clone();
    for key in ["status", "progress_percentage", "actual_start_date"] {
        merged = with_block(&merged, key, &block(&theirs, key));
    }
    merged = with_block(&merged, "updated", &later_updated(&ours, &theirs));
    let theirs_new = block(&theirs, "comments")
        .strip_prefix(&block(&base, "comments"))
        .expect("theirs appended comments")
        .replace("- id: 3\n", "- id: 4\n")
        .replace("- id: 2\n", "- id: 3\n")
        .replace("in_reply_to: 2\n", "in_reply_to: 3\n");
    merged = with_block(
        &merged,
        "comments",
        &format!("{}{theirs_new}", block(&ours, "comments")),
    );
    with_block(&merged, "history", &expected_history(&ours, &theirs))
}

/// Beta: each side added one issue that Beta now blocks; both stay, ours' first.
fn expected_beta() -> String {
    let [ours, theirs] = ["ours", "theirs"].map(|s| captured("comments", "beta", s));
    let blocks = format!(
        "{}{}",
        block(&ours, "blocks"),
        items(&block(&theirs, "blocks")).concat()
    );
    let merged = with_block(&ours, "blocks", &blocks);
    with_block(&merged, "updated", &later_updated(&ours, &theirs))
}

/// Asserts the merged files of the `comments` scenario, and that they are PyYAML's bytes.
#[track_caller]
fn assert_comments_merged(repo: &TestRepo) {
    let alpha = issue_path(&captured("comments", "alpha", "ours"));
    let beta = issue_path(&captured("comments", "beta", "ours"));
    let gamma = captured("comments", "gamma", "theirs");
    assert_eq!(read(repo, &alpha), expected_alpha());
    assert_eq!(read(repo, &beta), expected_beta());
    assert_eq!(read(repo, &issue_path(&gamma)), gamma);
    for path in [alpha, beta] {
        assert_written_by_pyyaml(&repo.root.join(path));
    }
}

/// The file's frontmatter is what `yaml.safe_dump(sort_keys=False, allow_unicode=True)`
/// writes for what it holds, as 0.3.1 saves every document (PyYAML itself is the oracle).
#[track_caller]
pub(super) fn assert_written_by_pyyaml(path: &Path) {
    let Some(python) = pyyaml_python() else {
        return;
    };
    let script = "import sys, yaml\n\
        text = open(sys.argv[1], encoding='utf-8').read()\n\
        yaml_text = text.split('---\\n', 2)[1]\n\
        data = yaml.safe_load(yaml_text)\n\
        dumped = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)\n\
        sys.exit(0 if dumped == yaml_text else 'differs:\\n' + dumped)\n";
    let run = std::process::Command::new(python)
        .args(["-c", script])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}: {}",
        path.display(),
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn contract_merge_unites_comments_history_and_relations() {
    let repo = diverged("comments", &["alpha", "beta", "gamma"]);
    assert_merged(&git(&repo, &["merge", "-q", "--no-edit", "feature"]));
    assert_comments_merged(&repo);
    assert_cache_is_head(&repo);
}

#[test]
fn contract_rebase_unites_comments_history_and_relations() {
    let repo = diverged("comments", &["alpha", "beta", "gamma"]);
    repo.git(&["switch", "-q", "feature"]);
    assert_merged(&git(&repo, &["rebase", "main"]));
    assert_comments_merged(&repo);
    assert_cache_is_head(&repo);
}

#[test]
fn contract_cherry_pick_unites_comments_history_and_relations() {
    let repo = diverged("comments", &["alpha", "beta", "gamma"]);
    assert_merged(&git(&repo, &["cherry-pick", "feature"]));
    assert_comments_merged(&repo);
    assert_cache_is_head(&repo);
}

#[test]
fn contract_stash_pop_unites_comments_history_and_relations() {
    let repo = diverged("comments", &["alpha", "beta", "gamma"]);
    // Theirs as uncommitted edits on the base, stashed; ours committed; then the pop.
    repo.git(&["switch", "-q", "--detach", "main~1"]);
    repo.git(&["checkout", "-q", "feature", "--", ".roadmap"]);
    repo.git(&["stash", "-q"]);
    repo.git(&["switch", "-q", "main"]);
    assert_merged(&git(&repo, &["stash", "pop"]));
    assert_comments_merged(&repo);
}

#[test]
fn contract_an_event_both_sides_hold_is_kept_once() {
    let repo = diverged("shared", &["alpha"]);
    assert_merged(&git(&repo, &["merge", "-q", "--no-edit", "feature"]));
    let [ours, theirs] = ["ours", "theirs"].map(|s| captured("shared", "alpha", s));
    let shared = items(&block(&ours, "history"))
        .into_iter()
        .find(|event| event.contains("status:blocked"))
        .expect("the cherry-picked block event");
    assert!(theirs.contains(&shared), "both sides hold it");
    let mut expected = with_block(&ours, "priority", &block(&theirs, "priority"));
    expected = with_block(&expected, "updated", &later_updated(&ours, &theirs));
    expected = with_block(&expected, "history", &expected_history(&ours, &theirs));
    let merged = read(&repo, &issue_path(&ours));
    assert_eq!(merged, expected);
    assert_eq!(merged.matches(&shared).count(), 1);
    assert_written_by_pyyaml(&repo.root.join(issue_path(&ours)));
    assert_cache_is_head(&repo);
}

#[test]
fn contract_titles_changed_differently_still_conflict_on_the_title_only() {
    let repo = diverged("title", &["alpha"]);
    let [ours, theirs] = ["ours", "theirs"].map(|s| captured("title", "alpha", s));
    let path = issue_path(&ours);
    assert_conflicted(&git(&repo, &["merge", "feature"]), &path);
    let mut expected = with_block(&ours, "updated", &later_updated(&ours, &theirs));
    expected = with_block(
        &expected,
        "title",
        &format!(
            "<<<<<<< HEAD\n{}=======\n{}>>>>>>> feature\n",
            block(&ours, "title"),
            block(&theirs, "title")
        ),
    );
    expected = with_block(&expected, "comments", &block(&theirs, "comments"));
    expected = with_block(&expected, "history", &expected_history(&ours, &theirs));
    assert_eq!(read(&repo, &path), expected);
    let status = repo.roadmap_hooks(&["status"]).success().stdout;
    assert!(status.contains(&path), "{status}");
}

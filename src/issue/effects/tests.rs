//! Each effect against what the tracker itself wrote: the keys that changed between two of its
//! files are exactly the keys the function returns, with the same text.

use super::*;
use crate::issue::render::render_field;
use std::collections::BTreeMap;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            "../../../tests/fixtures/tracker-1.0.2-effects/",
            $name
        ))
    };
}

/// Each top-level key of the frontmatter with its whole text (block-list lines included).
fn fields(file: &str) -> BTreeMap<String, String> {
    let yaml = file
        .strip_prefix("---\n")
        .unwrap()
        .split("\n---\n")
        .next()
        .unwrap();
    let mut fields: BTreeMap<String, String> = BTreeMap::new();
    let mut last = String::new();
    for line in yaml.lines() {
        if line.starts_with("- ") || line.starts_with("  ") {
            fields
                .get_mut(&last)
                .unwrap()
                .push_str(&format!("{line}\n"));
        } else {
            last = line.split_once(':').unwrap().0.to_owned();
            fields.insert(last.clone(), format!("{line}\n"));
        }
    }
    fields
}

fn body(file: &str) -> &str {
    file.split_once("\n---\n").unwrap().1
}

/// The value of `key` as the tracker wrote it, without quotes.
fn value(fields: &BTreeMap<String, String>, key: &str) -> String {
    let line = &fields[key];
    let text = line.split_once(": ").unwrap().1.trim_end();
    text.trim_matches('\'').to_owned()
}

/// Checks that going from `before` to `after`, the tracker changed exactly what `effect`
/// (given the `now` the tracker used) returns, plus the headline a save fills in. Values
/// named in `approximate` are compared by key only (the tracker took a second `now`).
fn check(
    before: &str,
    after: &str,
    effect: impl Fn(&str) -> Vec<FieldChange>,
    approximate: &[&str],
) {
    let (old, new) = (fields(before), fields(after));
    let now = value(&new, "updated");
    let mut changes = effect(&now);
    let headline = old.get("headline").map(|_| value(&old, "headline"));
    changes.extend(headline_on_save(headline.as_deref(), body(before)));
    let changed: Vec<&String> = new.keys().filter(|k| old.get(*k) != new.get(*k)).collect();
    // A value the file already held is no change (start on an issue already in progress).
    let mut expected: Vec<&str> = changes
        .iter()
        .filter(|(key, value)| {
            approximate.contains(key) || old.get(*key) != Some(&render_field(key, value))
        })
        .map(|(key, _)| *key)
        .collect();
    expected.sort_unstable();
    assert_eq!(changed, expected, "changed keys\n{after}");
    for (key, value) in &changes {
        if !approximate.contains(key) {
            assert_eq!(render_field(key, value), new[*key], "{key}");
        }
    }
}

#[test]
fn close_sets_status_and_progress_and_a_date_only_when_asked() {
    check(
        fixture!("09-update-status-review.md"),
        fixture!("10-close.md"),
        |now| on_close(now, None),
        &[],
    );
    check(
        fixture!("02-create-full.md"),
        fixture!("12-close-record-time.md"),
        |now| on_close(now, Some("2026-11-24T17:00:00")),
        &[],
    );
    check(
        fixture!("17-update-status-in-progress.md"),
        fixture!("18-close-plain.md"),
        |now| on_close(now, None),
        &[],
    );
}

#[test]
fn start_sets_status_start_date_and_resets_progress() {
    check(
        fixture!("01-create-minimal.md"),
        fixture!("05-start.md"),
        |now| on_start(now, None),
        &["actual_start_date"],
    );
    check(
        fixture!("24-progress-50-from-todo.md"),
        fixture!("25-start-with-date.md"),
        |now| on_start(now, Some("2026-11-20T09:30:00")),
        &[],
    );
}

#[test]
fn progress_moves_a_todo_issue_to_in_progress() {
    check(
        fixture!("05-start.md"),
        fixture!("06-progress-40.md"),
        |now| on_progress(now, 40.0, "in-progress"),
        &[],
    );
    check(
        fixture!("23-create-for-progress.md"),
        fixture!("24-progress-50-from-todo.md"),
        |now| on_progress(now, 50.0, "todo"),
        &[],
    );
}

#[test]
fn a_status_update_changes_the_status_alone() {
    check(
        fixture!("08-unblock.md"),
        fixture!("09-update-status-review.md"),
        |now| on_status(now, "review"),
        &[],
    );
    check(
        fixture!("10-close.md"),
        fixture!("11-update-status-todo-after-close.md"),
        |now| on_status(now, "todo"),
        &[],
    );
    check(
        fixture!("03-create-empty-assignee.md"),
        fixture!("17-update-status-in-progress.md"),
        |now| on_status(now, "in-progress"),
        &[],
    );
}

#[test]
fn block_unblock_archive_and_restore_write_no_field() {
    // 1.0.2's block and unblock crash before writing; archive and restore only move the file.
    assert_eq!(fixture!("06-progress-40.md"), fixture!("07-block.md"));
    assert_eq!(fixture!("07-block.md"), fixture!("08-unblock.md"));
    assert_eq!(fixture!("18-close-plain.md"), fixture!("19-archive.md"));
    assert_eq!(fixture!("19-archive.md"), fixture!("20-restore.md"));
    assert!(fixture!("19-archive.path").starts_with(".roadmap/archive/issues/backlog/"));
    assert_eq!(fixture!("20-restore.path").matches('/').count(), 2, "flat");
    assert!(on_archive_or_restore().is_empty());
    assert_eq!(on_block("t"), on_status("t", "blocked"));
    assert_eq!(on_unblock("t"), on_status("t", "in-progress"));
}

#[test]
fn a_new_issue_gets_the_trackers_defaults() {
    let minimal = fixture!("01-create-minimal.md");
    assert_eq!(
        body(minimal),
        format!("\n{}", default_body("Minimal issue"))
    );
    assert_eq!(value(&fields(minimal), "assignee"), "Ada Lovelace");
    let empty = fields(fixture!("03-create-empty-assignee.md"));
    assert_eq!(
        value(&empty, "assignee"),
        "Ada Lovelace",
        "-a '' is no assignee"
    );
    assert_eq!(
        default_assignee(Some(""), Some("Ada Lovelace")).as_deref(),
        Some("Ada Lovelace")
    );
    assert_eq!(default_assignee(None, None), None);
    assert_eq!(
        default_assignee(Some("bob"), Some("Ada")).as_deref(),
        Some("bob")
    );
    let spaced = fields(fixture!("04-create-untrimmed-title.md"));
    assert_eq!(
        spaced["title"], "title: '  Spaces around  '\n",
        "titles are not trimmed"
    );
    assert!(fixture!("04-create-untrimmed-title.path").ends_with("-spaces-around.md\n"));
}

#[test]
fn every_save_renames_the_file_to_the_titles_slug() {
    let before = fixture!("12-close-record-time.path");
    let after = fixture!("13-update-title.path");
    assert!(before.ends_with("-full-issue.md\n"), "{before}");
    assert!(after.ends_with("-full-issue-renamed.md\n"), "{after}");
    assert!(fixture!("14-update-milestone.path").starts_with(".roadmap/issues/v2/"));
    // A title too long for a file name: the tracker fails ("File name too long") and writes nothing.
    assert_eq!(fixture!("27-create-long-title.path"), "(no file)\n");
}

#[test]
fn headlines_are_filled_from_the_body_once() {
    assert_eq!(headline_on_save(Some("kept"), "Body"), None);
    assert_eq!(
        headline_on_save(Some(""), "\n\n  First line\nsecond"),
        Some(("headline", YamlValue::Text("First line".into())))
    );
    let long = "é".repeat(150);
    let Some((_, YamlValue::Text(cut))) = headline_on_save(None, &long) else {
        panic!("a headline")
    };
    assert_eq!(cut.chars().count(), 100);
}

#[test]
fn an_update_of_nothing_the_tracker_writes_is_the_save_alone() {
    // 1.0.2's `issue update ID -d TEXT` writes no description: only the save's `updated`.
    check(
        fixture!("15-update-assignee-priority-estimate.md"),
        fixture!("16-update-description.md"),
        on_save,
        &[],
    );
}

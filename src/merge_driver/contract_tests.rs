use super::*;

/// The one key of `yaml` as a field entry.
fn entry(yaml: &str) -> Entry {
    let fields = Fields::parse(yaml).unwrap_or_else(|| panic!("parses:\n{yaml}"));
    fields.entries.into_iter().next().expect("one key")
}

fn event(action: &str, second: u32) -> String {
    format!("- action: {action}\n  at: '2026-12-06T10:00:{second:02}+00:00'\n  reason: null\n")
}

fn history(events: &[String]) -> Entry {
    entry(&format!("history:\n{}", events.concat()))
}

#[test]
fn history_is_the_union_in_time_order_each_shared_event_once() {
    let created = event("created", 0);
    let ours = history(&[
        created.clone(),
        event("status:blocked", 3),
        event("updated", 5),
    ]);
    let theirs = history(&[
        created.clone(),
        event("status:blocked", 3),
        event("started", 4),
    ]);
    assert_eq!(
        merge_history(&ours, &theirs).unwrap(),
        format!(
            "history:\n{created}{}{}{}",
            event("status:blocked", 3),
            event("started", 4),
            event("updated", 5)
        )
    );
    // Theirs' events before and after all of ours', and an event twice on one side.
    let theirs = history(&[event("early", 0), created.clone(), event("late", 9)]);
    let twice = history(&[created.clone(), created.clone()]);
    assert_eq!(
        merge_history(&twice, &theirs).unwrap(),
        format!(
            "history:\n{created}{created}{}{}",
            event("early", 0),
            event("late", 9)
        )
    );
}

fn comment(id: i64, author: &str, body: &str, reply_to: Option<i64>) -> String {
    let reply = reply_to.map_or("null".to_owned(), |to| to.to_string());
    format!(
        "- id: {id}\n  issue_id: 6c2efb14\n  author: {author}\n  body: {body}\n  \
         created_at: '2026-12-06T10:00:00+00:00'\n  updated_at: '2026-12-06T10:00:00+00:00'\n  \
         in_reply_to: {reply}\n  github_url: null\n"
    )
}

fn comments(list: &[String]) -> Entry {
    if list.is_empty() {
        return entry("comments: []\n");
    }
    entry(&format!("comments:\n{}", list.concat()))
}

#[test]
fn comments_both_sides_numbered_alike_are_renumbered_with_their_replies() {
    let first = comment(1, "ada", "Base", None);
    let base = comments(std::slice::from_ref(&first));
    let ours = comments(&[first.clone(), comment(2, "carol", "From main", None)]);
    let theirs = comments(&[
        first.clone(),
        comment(2, "bob", "From feature", None),
        comment(3, "bob", "Reply", Some(2)),
        comment(4, "bob", "Reply to the base", Some(1)),
    ]);
    assert_eq!(
        merge_comments(Some(&base), &ours, &theirs).unwrap(),
        format!(
            "comments:\n{first}{}{}{}{}",
            comment(2, "carol", "From main", None),
            comment(3, "bob", "From feature", None),
            comment(4, "bob", "Reply", Some(3)),
            comment(5, "bob", "Reply to the base", Some(1)),
        )
    );
}

#[test]
fn comments_without_a_shared_new_id_keep_their_ids_and_alike_ones_are_kept_once() {
    let first = comment(1, "ada", "Base", None);
    let base = comments(std::slice::from_ref(&first));
    let ours = comments(std::slice::from_ref(&first));
    let theirs = comments(&[first.clone(), comment(2, "bob", "New", None)]);
    assert_eq!(
        merge_comments(Some(&base), &ours, &theirs).unwrap(),
        format!("comments:\n{first}{}", comment(2, "bob", "New", None))
    );
    let both = comments(&[first.clone(), comment(2, "bob", "New", None)]);
    assert_eq!(
        merge_comments(Some(&base), &both, &both.clone()).unwrap(),
        format!("comments:\n{first}{}", comment(2, "bob", "New", None))
    );
    // Added from nothing (no base at all) on both sides, one alike and one not.
    let ours = comments(&[first.clone(), comment(2, "carol", "Mine", None)]);
    assert_eq!(
        merge_comments(None, &ours, &both).unwrap(),
        format!(
            "comments:\n{first}{}{}",
            comment(2, "carol", "Mine", None),
            comment(3, "bob", "New", None)
        )
    );
}

#[test]
fn a_comment_edited_differently_or_edited_and_deleted_conflicts() {
    let base = comments(&[comment(1, "ada", "Base", None)]);
    let ours = comments(&[comment(1, "ada", "Edited here", None)]);
    let theirs = comments(&[comment(1, "ada", "Edited there", None)]);
    assert_eq!(merge_comments(Some(&base), &ours, &theirs), None);
    let deleted = comments(&[]);
    assert_eq!(merge_comments(Some(&base), &ours, &deleted), None);
    assert_eq!(merge_comments(Some(&base), &deleted, &theirs), None);
    // One side's edit against the other's untouched copy: the edit.
    assert_eq!(
        merge_comments(Some(&base), &ours, &base).unwrap(),
        format!("comments:\n{}", comment(1, "ada", "Edited here", None))
    );
    // Deleted on one side, untouched on the other: gone.
    assert_eq!(
        merge_comments(Some(&base), &base, &deleted).unwrap(),
        "comments: []\n"
    );
}

#[test]
fn merged_keys_are_written_as_pyyaml_writes_them() {
    // A flow list, and an id PyYAML must quote (it reads as a number).
    assert_eq!(
        redump("depends_on: [a1, '123']\n").unwrap(),
        "depends_on:\n- a1\n- '123'\n"
    );
    assert_eq!(redump("blocks: []\n").unwrap(), "blocks: []\n");
    assert_eq!(redump("- a\n"), None);
}

#[test]
fn a_document_is_a_contract_one_when_both_sides_say_so() {
    let contract = Fields::parse("schema_version: 1\nid: a\n").unwrap();
    let legacy = Fields::parse("id: a\n").unwrap();
    assert!(is_contract(&contract, &contract));
    assert!(!is_contract(&contract, &legacy));
    assert!(!is_contract(&legacy, &contract));
}

/// Every 0.2 document under `tests/fixtures/NAME` (one folder deep or in `.roadmap/*/`).
fn captured(name: &str) -> Vec<(std::path::PathBuf, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let folders = [root.clone(), root.join(".roadmap/issues")];
    let mut files: Vec<_> = folders
        .iter()
        .filter_map(|dir| std::fs::read_dir(dir).ok())
        .flatten()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .map(|path| (path.clone(), std::fs::read_to_string(&path).unwrap()))
        .filter(|(_, text)| text.contains("\nschema_version: "))
        .collect();
    files.sort();
    files
}

#[test]
fn every_captured_0_3_1_issue_merges_by_key_unchanged_with_itself() {
    let files = captured("tracker-0.3.1-effects");
    assert!(files.len() > 40);
    for (path, text) in files.into_iter().chain(captured("tracker-0.3.1")) {
        let merged = super::super::merge_files(
            text.as_bytes(),
            text.as_bytes(),
            text.as_bytes(),
            &super::super::Options::default(),
        )
        .unwrap_or_else(|| panic!("{} is not merged by key", path.display()));
        assert_eq!(
            (merged.text, merged.conflicts),
            (text, 0),
            "{}",
            path.display()
        );
    }
}

#[test]
fn a_description_added_to_an_issue_without_one_gets_0_3_1_blank_line() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tracker-0.3.1-effects");
    let without = std::fs::read_to_string(dir.join("29-update-description-empty.md")).unwrap();
    // Same frontmatter as the bodiless file, so only the body differs between the sides.
    let yaml = without.strip_suffix("\n---\n").unwrap();
    let theirs = format!("{yaml}\n---\n\nA new description.\n");
    let merged = super::super::merge_files(
        without.as_bytes(),
        without.as_bytes(),
        theirs.as_bytes(),
        &super::super::Options::default(),
    )
    .unwrap();
    assert_eq!(merged.text, theirs);
    let merged = super::super::merge_files(
        theirs.as_bytes(),
        theirs.as_bytes(),
        without.as_bytes(),
        &super::super::Options::default(),
    )
    .unwrap();
    assert_eq!(merged.text, without);
}

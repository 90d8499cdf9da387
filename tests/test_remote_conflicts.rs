//! Conflicts a person can settle (issue 12, rule 10): body edits on both sides merge line by
//! line when they touch different lines; `roadmap sync --conflicts` shows base, local and
//! GitHub values; `--take local|remote ID[:FIELD]` settles one issue or one field.

use crate::common::mirrored::Mirrored;
use serde_json::json;

/// A linked issue with a four-line body; returns it, its number, id and file.
fn linked_with_body() -> (Mirrored, u64, String, std::path::PathBuf) {
    let m = Mirrored::new();
    let number = m.github.state().add_issue(
        "Four lines",
        "line one\nline two\nline three\nline four",
        &[],
    );
    m.sync(&[]).success();
    m.commit("pulled");
    let id = m.local_of(number)["id"].as_str().unwrap().to_owned();
    let file = m.repo.root.join(m.path_of(number));
    (m, number, id, file)
}

fn edit_file(file: &std::path::Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    assert!(text.contains(from), "{text}");
    std::fs::write(file, text.replace(from, to)).unwrap();
}

#[test]
fn body_edits_on_different_lines_merge() {
    let (m, number, _, file) = linked_with_body();
    edit_file(&file, "line one", "line ONE (local)");
    m.github.state().edit(
        number,
        json!({ "body": "line one\nline two\nline three\nline FOUR (github)" }),
    );
    let run = m.sync(&[]).success();
    assert!(run.stdout.contains("0 conflict(s)"), "{}", run.stdout);
    let merged = "line ONE (local)\nline two\nline three\nline FOUR (github)";
    assert!(std::fs::read_to_string(&file).unwrap().contains(merged));
    let remote = m.github.issue(number)["body"].as_str().unwrap().to_owned();
    assert!(remote.starts_with(merged), "{remote}");
}

#[test]
fn conflicts_are_shown_and_settled_one_field_at_a_time() {
    let (m, number, id, file) = linked_with_body();
    edit_file(&file, "line two", "line two, said locally");
    edit_file(&file, "title: Four lines", "title: Local title");
    m.github.state().edit(
        number,
        json!({ "title": "GitHub title", "body": "line one\nline two, said on GitHub\nline three\nline four" }),
    );
    let writes = m.github.writes().len();

    let shown = m.sync(&["--conflicts"]);
    assert_eq!(shown.status, 1, "{shown:?}");
    for needle in [
        "  title\n    base:   Four lines\n    local:  Local title\n    github: GitHub title",
        "local:  line one\n            line two, said locally",
        "github: line one\n            line two, said on GitHub",
    ] {
        assert!(shown.stdout.contains(needle), "{needle}\n{}", shown.stdout);
    }
    assert_eq!(
        m.github.writes().len(),
        writes,
        "--conflicts changes nothing"
    );

    // One field: the title from GitHub; the body stays in conflict.
    let run = m.sync(&["--take", "remote", &format!("{id}:title")]);
    assert_eq!(run.status, 1, "{run:?}");
    assert!(
        run.stdout.contains("1 conflict(s) unresolved"),
        "{}",
        run.stdout
    );
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("title: GitHub title")
    );

    // The rest of the issue: the local side.
    m.sync(&["--take", "local", &id]).success();
    let remote = m.github.issue(number)["body"].as_str().unwrap().to_owned();
    assert!(remote.contains("line two, said locally"), "{remote}");
    assert_eq!(m.github.issue(number)["title"], "GitHub title");
    m.commit("settled");
    let quiet = m.sync(&[]).success();
    assert!(
        quiet.stdout.starts_with("0 issue(s) changed"),
        "{}",
        quiet.stdout
    );

    let unknown = m.sync(&["--take", "local", "ffffffff"]).success();
    assert!(
        unknown.stderr.contains("no such conflict"),
        "{}",
        unknown.stderr
    );
}

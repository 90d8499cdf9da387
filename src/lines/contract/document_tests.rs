//! Every issue file roadmap-cli 0.3.1 wrote in the fixtures reads and renders back to its
//! own bytes: what 0.3.1 reads and saves unchanged, we do too.

use super::Document;
use std::path::Path;

fn issue_files() -> Vec<std::path::PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files = Vec::new();
    for dir in [
        "tracker-0.3.1/.roadmap/issues",
        "contract-read/.roadmap/issues",
        "tracker-0.3.1-effects",
    ] {
        for entry in std::fs::read_dir(root.join(dir)).expect("fixture folder") {
            let path = entry.expect("entry").path();
            let is_issue = path.extension().is_some_and(|e| e == "md")
                && std::fs::read_to_string(&path).is_ok_and(|t| t.contains("\nstatus: "));
            if is_issue {
                files.push(path);
            }
        }
    }
    files
}

#[test]
fn the_trackers_files_render_back_to_their_own_bytes() {
    let files = issue_files();
    assert!(files.len() > 40, "{} files", files.len());
    for path in files {
        let text = std::fs::read_to_string(&path).expect("utf-8");
        let document = Document::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(document.render(), text, "{}", path.display());
    }
}

#[test]
fn documents_the_tracker_refuses_are_refused() {
    let good = "---\nid: abc\ncreated: '2026-01-01T00:00:00+00:00'\nupdated: '2026-01-01T00:00:00+00:00'\ntitle: T\n---\n";
    assert!(Document::parse(good).is_ok());
    for (bad, why) in [
        (good.replace("title: T", "title: ' T'"), "single-line"),
        (
            good.replace("title: T", "title: T\nstatus: done"),
            "invalid status: done",
        ),
        (good.replace("id: abc", "id: a/b"), "invalid id"),
        (
            good.replace("updated: '2026", "updated: '2025"),
            "cannot precede",
        ),
        (
            good.replace("created: '2026-01-01T00:00:00+00:00'", "created: soon"),
            "invalid created",
        ),
        (
            good.replace("title: T", "title: T\ndepends_on: abc"),
            "depends_on must be a list",
        ),
        (good.replace("\n---\n", "\n"), "missing YAML frontmatter"),
        (good.replace("title: T", "title: [T"), "invalid YAML"),
    ] {
        let refused = Document::parse(&bad).expect_err(&bad);
        assert!(refused.contains(why), "{bad}: {refused}");
    }
}

#[test]
fn keys_the_tracker_does_not_own_are_kept_first_and_archived_becomes_retention() {
    let text = "---\nid: abc\nremote_ids:\n  github: 7\ncreated: '2026-01-01T00:00:00Z'\nupdated: 2026-01-02\narchived: true\ntitle: T\n---\r\nbody\r\n";
    let document = Document::parse(text).expect("readable");
    let rendered = document.render();
    assert!(rendered.starts_with("---\nremote_ids:\n  github: 7\nschema_version: 1\nid: abc\ncreated: '2026-01-01T00:00:00+00:00'\nupdated: '2026-01-02T00:00:00+00:00'\nretention: archived\n"), "{rendered}");
    // Read as Python's text mode reads it: the CRLF file is saved with LF line ends.
    assert!(
        rendered.ends_with("reason: null\n---\n\nbody\n")
            || rendered.ends_with("history: []\n---\n\nbody\n"),
        "{rendered:?}"
    );
}

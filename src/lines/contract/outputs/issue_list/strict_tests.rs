//! The one-pass read ([`undoubted_issue`]) against the two-pass one it stands in for: whenever
//! it answers, the issue is the one `Issue::parse` reads and the strict check doubts nothing.

use super::{issue_doubt, undoubted_issue};
use crate::issue::{FileContext, Issue};
use crate::lines::RoadmapFile;

fn context(path: &str) -> FileContext {
    match crate::lines::contract::layout::classify(path) {
        Some(RoadmapFile::Issue(context)) => context,
        _ => panic!("{path} is no issue path"),
    }
}

/// Whether the one-pass read took `text`; when it did, it must agree with the two-pass read.
fn agrees(path: &str, text: &str) -> bool {
    let context = context(path);
    let Some(fast) = undoubted_issue(path, text.as_bytes(), &context) else {
        return false;
    };
    assert_eq!(issue_doubt(path, text.as_bytes()), None, "\n{text}");
    assert_eq!(
        Some(fast),
        Issue::parse(text.as_bytes(), &context).ok(),
        "\n{text}"
    );
    true
}

#[test]
fn generated_documents_take_one_pass_and_agree() {
    let mut fast = 0;
    for index in 0..500 {
        let issue = crate::corpus::generated(crate::corpus::Layout::Contract, 7, index);
        fast += usize::from(agrees(&issue.path, &issue.text));
    }
    // Titles PyYAML double-quotes are left to the two-pass read.
    assert!(fast > 450, "{fast} of 500");
}

#[test]
fn documents_from_the_real_tracker_agree() {
    let mut fast = 0;
    for (path, text) in crate::issue::fixture_documents() {
        let name = path.file_name().unwrap().to_string_lossy();
        let in_issues = format!(".roadmap/issues/{name}");
        let is_issue = matches!(
            crate::lines::contract::layout::classify(&in_issues),
            Some(RoadmapFile::Issue(_))
        );
        if is_issue && text.contains("schema_version") {
            fast += usize::from(agrees(&in_issues, &text));
        }
    }
    assert!(fast > 10, "{fast}");
}

/// Each change makes 0.3.1 read the file otherwise, or the reader unsure: the one-pass read
/// must leave every one of them to the two-pass read, which has the last word.
#[test]
fn anything_doubtful_is_left_to_the_two_pass_read() {
    let path = ".roadmap/issues/0758d37f-2853-43d0-9a1b-4b0e8f1f0c11.md";
    let base = "---\nschema_version: 1\nid: 0758d37f-2853-43d0-9a1b-4b0e8f1f0c11\n\
                created: '2026-12-06T22:23:55.271711+00:00'\n\
                updated: '2026-12-06T22:24:14.689480+00:00'\nretention: visible\n\
                title: A title\nheadline: ''\npriority: high\nstatus: todo\nmilestone: null\n\
                depends_on: []\nblocks: []\nlabels:\n- backend\nassignee: bob\n\
                estimated_hours: 4.0\nprogress_percentage: 40\ncomments: []\nhistory:\n\
                - action: created\n  at: '2026-12-06T22:23:55.271711+00:00'\n  reason: null\n\
                ---\n\nBody.\n";
    assert!(agrees(path, base));
    // Comments as 0.3.1 writes them are read in one pass too.
    let commented = base.replace(
        "comments: []",
        "comments:\n- id: 1\n  issue_id: 0758d37f-2853-43d0-9a1b-4b0e8f1f0c11\n  author: ada\n  \
         body: Looked into it\n  created_at: '2026-12-06T22:25:00.000000+00:00'\n  \
         in_reply_to: null\n- id: 2\n  author: bo\n  body: Thanks\n  in_reply_to: 1",
    );
    assert!(agrees(path, &commented));
    for (from, to) in [
        ("assignee: bob", "assignee: yes"),
        ("assignee: bob", "assignee: 1e5"),
        ("assignee: bob", "assignee: '12'"),
        ("title: A title", "title: 12345"),
        ("title: A title", "title: ' padded'"),
        ("retention: visible", "retention: hidden"),
        ("retention: visible", "retention: 1"),
        ("assignee: bob", "archived: false"),
        ("schema_version: 1", "schema_version: 2"),
        ("schema_version: 1", "schema_version: 1.0"),
        ("priority: high", "priority: urgent"),
        ("status: todo", "status: done"),
        ("- backend", "- 'yes'"),
        ("- backend", "- 007"),
        (
            "depends_on: []",
            "depends_on:\n- 0758d37f-2853-43d0-9a1b-4b0e8f1f0c11",
        ),
        ("blocks: []", "blocks:\n- a\n- a"),
        ("estimated_hours: 4.0", "estimated_hours: -1.0"),
        ("estimated_hours: 4.0", "estimated_hours: 007"),
        ("progress_percentage: 40", "progress_percentage: 140"),
        (
            "created: '2026-12-06T22:23:55.271711+00:00'",
            "created: '2026-12-06'",
        ),
        (
            "updated: '2026-12-06T22:24:14.689480+00:00'",
            "updated: null",
        ),
        (
            "comments: []",
            "comments:\n- id: '1'\n  author: ada\n  body: Hi\n  in_reply_to: null",
        ),
        (
            "comments: []",
            "comments:\n- id: 1\n  author: ada\n  body: Hi\n  in_reply_to: 2",
        ),
        (
            "comments: []",
            "comments:\n- id: 1\n  author: ''\n  body: Hi\n  in_reply_to: null",
        ),
        (
            "comments: []",
            "comments:\n- id: 1\n  author: ada\n  body: Hi\n- id: 1\n  author: bo\n  body: Yo",
        ),
        ("milestone: null", "milestone: ' spaced'"),
        (
            "title: A title",
            "<<<<<<< HEAD\ntitle: A\n=======\ntitle: B\n>>>>>>> x",
        ),
        ("Body.", "<<<<<<< HEAD\nours\n=======\ntheirs\n>>>>>>> x"),
    ] {
        assert!(base.contains(from), "{from}");
        let text = base.replace(from, to);
        assert!(
            undoubted_issue(path, text.as_bytes(), &context(path)).is_none(),
            "{to}"
        );
    }
    // Line ends and bytes the typed reader does not vouch for.
    let crlf = base.replace('\n', "\r\n");
    assert!(undoubted_issue(path, crlf.as_bytes(), &context(path)).is_none());
    let mut latin1 = base.replace("A title", "Caf\u{e9}").into_bytes();
    let at = latin1.iter().position(|b| *b == 0xc3).unwrap();
    latin1.splice(at..at + 2, [0xe9]);
    assert!(undoubted_issue(path, &latin1, &context(path)).is_none());
}

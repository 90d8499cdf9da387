//! Bad input a user can give: any text to `search`, odd file names, hostile temporary folders.

use crate::common::{IssueSpec, TestRepo};

/// The ids `roadmap ARGS --format ids` prints, in order; panics on a failure.
#[track_caller]
fn ids(repo: &TestRepo, args: &[&str]) -> Vec<String> {
    let mut full = vec![args[0], "--format", "ids"];
    full.extend_from_slice(&args[1..]);
    let run = repo.roadmap(&full).success();
    run.stdout.lines().map(str::to_owned).collect()
}

#[test]
fn search_finds_whatever_text_the_user_types() {
    let repo = TestRepo::new();
    let titles = [
        ("0000000a", "C++ parser"),
        ("0000000b", "don't panic"),
        ("0000000c", "Release v1.2-beta"),
        ("0000000d", "The \"quoted\" word"),
        ("0000000e", "Fix AND, OR and NOT NEAR(x) in queries"),
        ("0000000f", "Caret ^ star * colon: title: (parens)"),
        ("00000010", "Hindi हिंदी text"),
    ];
    for (id, title) in titles {
        repo.write_issue(&IssueSpec::new(id, title).body("Filed."));
    }
    repo.commit_all("issues");
    repo.roadmap_hooks(&["install"]).success();
    let cases: &[(&str, &[&str])] = &[
        ("C++ parser", &["0000000a"]),
        ("C++", &["0000000a"]),
        ("don't", &["0000000b"]),
        ("don't panic", &["0000000b"]),
        ("v1.2-beta", &["0000000c"]),
        ("\"quoted\"", &["0000000d"]),
        ("\"quoted", &["0000000d"]),
        ("AND", &["0000000e"]),
        ("OR", &["0000000e"]),
        ("NOT", &["0000000e"]),
        ("NEAR(x)", &["0000000e"]),
        ("AND OR NOT", &["0000000e"]),
        ("^caret", &["0000000f"]),
        ("star *", &["0000000f"]),
        ("title: colon", &["0000000f"]),
        ("(parens)", &["0000000f"]),
        ("हिंदी", &["00000010"]),
        ("...", &[]),
        ("-- * ^", &[]),
        ("-", &[]),
    ];
    for (query, expected) in cases {
        let found = ids(&repo, &["search", "--all", "--", query]);
        assert_eq!(&found, expected, "roadmap search {query:?}");
    }
    assert_eq!(
        ids(&repo, &["search", "pars"]),
        ["0000000a"],
        "a last word still being typed is a prefix"
    );
}

//! Comments in `roadmap sync` (issue 26): a comment written here is created on GitHub once,
//! whatever the direction of the run and whatever fails after the create; pulling comments
//! keeps every key of each comment, byte for byte where the comment is untouched.

use crate::common::github_server::{Fault, TOKEN};
use crate::common::mirrored::{Mirrored, linked_pair};

/// Adds a comment without an id (written here, not yet on GitHub) to the file of `number`.
fn comment_here(m: &Mirrored, number: u64, body: &str) {
    let path = m.repo.root.join(m.path_of(number));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\ncomments: []\n"), "{text}");
    let added = text.replacen(
        "\ncomments: []\n",
        &format!("\ncomments:\n- author: alice\n  body: {body}\n"),
        1,
    );
    std::fs::write(&path, added).unwrap();
}

/// The bodies of GitHub's comments on `number`.
fn on_github(m: &Mirrored, number: u64) -> Vec<String> {
    m.github
        .state()
        .comments
        .get(&number)
        .into_iter()
        .flatten()
        .map(|c| c["body"].as_str().unwrap().to_owned())
        .collect()
}

/// `text` with the lines of its `comments:` key replaced by `comments:` and `items`.
fn with_comments_block(text: &str, items: &str) -> String {
    let start = text.find("\ncomments:").expect("a comments key") + 1;
    let rest = &text[start..];
    let end = rest
        .char_indices()
        .skip(1)
        .find(|&(i, c)| rest.as_bytes()[i - 1] == b'\n' && c != ' ' && c != '-')
        .map_or(rest.len(), |(i, _)| i);
    format!("{}comments:\n{items}{}", &text[..start], &rest[end..])
}

/// The file of `number`.
fn file_of(m: &Mirrored, number: u64) -> String {
    std::fs::read_to_string(m.repo.root.join(m.path_of(number))).unwrap()
}

#[test]
fn push_only_creates_a_comment_once_and_pull_only_creates_none() {
    let (m, number, _) = linked_pair();
    comment_here(&m, number, "Pushed once.");
    m.github.state().add_comment(number, "bob", "From GitHub.");
    m.sync(&["--pull-only"]).success();
    assert_eq!(
        on_github(&m, number),
        ["From GitHub."],
        "a pull creates nothing"
    );
    assert!(file_of(&m, number).contains("From GitHub."));
    // The same again, with a comment GitHub got meanwhile: a push leaves it for the next pull.
    m.github
        .state()
        .add_comment(number, "bob", "Later on GitHub.");
    m.sync(&["--push-only"]).success();
    m.sync(&["--push-only"]).success();
    assert_eq!(
        on_github(&m, number),
        ["From GitHub.", "Later on GitHub.", "Pushed once."]
    );
    let id = m.github.state().comments[&number][2]["id"].clone();
    assert!(
        file_of(&m, number).contains(&format!("  id: {id}\n")),
        "the id is written back by a push too:\n{}",
        file_of(&m, number)
    );
    assert!(!file_of(&m, number).contains("Later on GitHub."));
    m.sync(&[]).success();
    assert_eq!(on_github(&m, number).len(), 3);
    assert!(
        file_of(&m, number).contains("Later on GitHub."),
        "pulled by the next run that pulls:\n{}",
        file_of(&m, number)
    );
}

#[test]
fn a_comment_whose_id_could_not_be_written_back_is_not_created_again() {
    let (m, number, _) = linked_pair();
    comment_here(&m, number, "Only once.");
    // The file changes while GitHub creates the comment: the id cannot be written back.
    let path = m.repo.root.join(m.path_of(number));
    m.github.state().on_request = Some(Box::new(move |_, line| {
        if line.starts_with("POST ") && line.contains("/comments") {
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, text.replace("priority: medium", "priority: high")).unwrap();
        }
    }));
    let run = m.sync(&[]);
    m.github.state().on_request = None;
    assert!(run.stderr.contains("comments not written"), "{run:?}");
    assert_eq!(on_github(&m, number), ["Only once."]);
    m.sync(&[]).success();
    m.sync(&[]).success();
    assert_eq!(
        on_github(&m, number),
        ["Only once."],
        "found, not created again"
    );
    let id = m.github.state().comments[&number][0]["id"].clone();
    let text = file_of(&m, number);
    assert!(text.contains(&format!("  id: {id}\n")), "{text}");
    assert!(text.contains("priority: high"), "the edit stands: {text}");
}

#[test]
fn a_create_answered_with_an_error_after_it_happened_is_not_sent_again() {
    let (m, number, _) = linked_pair();
    comment_here(&m, number, "Created despite the 502.");
    m.github.state().on_request = Some(Box::new(|state, line| {
        if line.starts_with("POST ") && line.contains("/comments") {
            state.fail_this(Fault::BadGatewayAfterApplying);
            state.on_request = None;
        }
    }));
    m.sync(&[]);
    assert_eq!(on_github(&m, number), ["Created despite the 502."]);
    m.sync(&[]).success();
    assert_eq!(on_github(&m, number), ["Created despite the 502."]);
    let id = m.github.state().comments[&number][0]["id"].clone();
    assert!(file_of(&m, number).contains(&format!("  id: {id}\n")));
}

#[test]
fn a_sync_killed_after_creating_a_comment_does_not_create_it_again() {
    let (m, number, _) = linked_pair();
    comment_here(&m, number, "Before the kill.");
    let killed = m.sync_with(
        &[],
        &[
            ("GH_ENTERPRISE_TOKEN", TOKEN),
            ("ROADMAP_SYNC_TEST_CRASH", "after-comment-create"),
        ],
    );
    assert_eq!(killed.status, 137, "{killed:?}");
    assert_eq!(on_github(&m, number), ["Before the kill."]);
    m.sync(&[]).success();
    m.sync(&["--push-only"]).success();
    assert_eq!(on_github(&m, number), ["Before the kill."]);
}

#[test]
fn pulling_comments_keeps_every_key_and_untouched_comments_byte_for_byte() {
    let (m, number, id) = linked_pair();
    let first = m
        .github
        .state()
        .add_comment(number, "bob", "Seen on Safari.");
    m.sync(&[]).success();
    // The comment as the tracker writes it, with keys we do not know.
    let tracker_item = format!(
        "- id: {first}\n  issue_id: {id}\n  author: bob\n  body: Seen on Safari.\n  \
         created_at: &id001 2026-01-01 00:00:05+00:00\n  updated_at: *id001\n  \
         github_url: null\n  in_reply_to: null\n  reactions:\n    heart: 2\n  x_team: web # ours\n"
    );
    let path = m.repo.root.join(m.path_of(number));
    let rewritten = with_comments_block(&std::fs::read_to_string(&path).unwrap(), &tracker_item);
    std::fs::write(&path, &rewritten).unwrap();
    m.commit("comment as the tracker writes it");

    m.github
        .state()
        .add_comment(number, "carol", "And on Firefox.");
    m.sync(&[]).success();
    let text = file_of(&m, number);
    assert!(
        text.contains(&tracker_item),
        "untouched, byte for byte:\n{text}"
    );
    assert!(text.contains("And on Firefox."), "{text}");
    m.commit("second comment");

    // Edited on GitHub: the new body comes in, every other key stays.
    m.github.state().edit_comment(first, "Seen on Safari 17.");
    m.github.state().edit(
        number,
        serde_json::json!({ "title": "Login fails on Safari" }),
    );
    m.sync(&[]).success();
    let text = file_of(&m, number);
    assert!(text.contains("Seen on Safari 17."), "{text}");
    for kept in [
        "  issue_id: ",
        "  reactions:\n    heart: 2\n",
        "  x_team: web # ours\n",
    ] {
        assert!(text.contains(kept), "{kept:?} kept:\n{text}");
    }
    assert_eq!(on_github(&m, number).len(), 2);
}

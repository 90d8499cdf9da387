//! The board in a real browser, headless Chromium: the DOM of a filtered view, a commit made
//! while the page is open appearing without a reload, a hostile title staying text, and a
//! screenshot (its reference is `docs/board.png`, shown in the README). Skipped, saying so,
//! where Chromium is not installed; under `CI=true` that is a failure (`.ci/run` installs it).

use crate::common::board::{Served, eventually};
use crate::common::browser::{Browser, chromium, dump_dom, png_size};
use crate::common::{IssueSpec, TestRepo};
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

/// A small team's roadmap: two milestones, every column, a hostile title.
fn team_repo() -> TestRepo {
    let repo = TestRepo::new();
    let issues = [
        (
            "c3000001",
            "Login fails on Safari",
            "todo",
            "critical",
            Some("v1-0"),
        ),
        (
            "c3000002",
            "Sync hooks after rebase",
            "in-progress",
            "high",
            Some("v1-0"),
        ),
        (
            "c3000003",
            "Board shows live commits",
            "review",
            "medium",
            Some("v1-0"),
        ),
        (
            "c3000004",
            "Flaky build on ARM",
            "blocked",
            "high",
            Some("v1-1"),
        ),
        ("c3000005", "Document the cache", "todo", "low", None),
        ("c3000006", "Ship 0.9", "closed", "medium", Some("v1-0")),
        (
            "c3000007",
            "<script>alert(1)</script>",
            "todo",
            "medium",
            Some("v1-1"),
        ),
    ];
    for (id, title, status, priority, milestone) in issues {
        let mut spec = IssueSpec::new(id, title).status(status).priority(priority);
        if let Some(milestone) = milestone {
            spec = spec.milestone(milestone);
        }
        repo.write_issue(&spec);
    }
    repo.write(
        ".roadmap/milestones/v1-0.md",
        "---\nname: v1-0\nstatus: open\ndue_date: '2025-03-01'\n---\n",
    );
    repo.commit_all("the team's roadmap");
    repo.roadmap_hooks(&["install"]).success();
    repo
}

/// `data-id`s of the cards in column `status` of a DOM.
fn dom_column(dom: &str, status: &str) -> Vec<String> {
    crate::common::board::column_ids(dom, status)
}

#[test]
fn the_dom_of_a_filtered_view_holds_the_right_cards() {
    let Some((chromium, _)) = chromium() else {
        return;
    };
    let repo = team_repo();
    let board = Served::start(&repo, &[]);
    let dom = dump_dom(&chromium, &format!("{}?milestone=v1-0", board.url));
    assert_eq!(dom_column(&dom, "todo"), ["c3000001"], "{dom}");
    assert_eq!(dom_column(&dom, "in-progress"), ["c3000002"]);
    assert_eq!(dom_column(&dom, "review"), ["c3000003"]);
    assert_eq!(dom_column(&dom, "closed"), ["c3000006"]);
    assert!(
        dom_column(&dom, "blocked").is_empty(),
        "v1-1's issue is filtered out"
    );
    let high = dump_dom(&chromium, &format!("{}?priority=high", board.url));
    assert_eq!(dom_column(&high, "in-progress"), ["c3000002"]);
    assert_eq!(dom_column(&high, "blocked"), ["c3000004"]);
    assert!(dom_column(&high, "todo").is_empty());
}

#[test]
fn a_commit_appears_on_the_open_page_without_a_reload_and_titles_stay_text() {
    let Some((chromium, chromedriver)) = chromium() else {
        return;
    };
    let repo = team_repo();
    let board = Served::start(&repo, &[]);
    let browser = Browser::start(&chromium, &chromedriver);
    browser.goto(&board.url);
    // The hostile title is a card's text, and nothing ran it.
    let titles = browser
        .script("return [...document.querySelectorAll('.card .title')].map(a => a.textContent)");
    assert!(
        titles
            .as_array()
            .unwrap()
            .contains(&Value::from("<script>alert(1)</script>")),
        "{titles}"
    );
    assert_eq!(
        browser.script("return document.querySelectorAll('main script').length"),
        Value::from(0)
    );
    assert!(!browser.alert_open(), "a title ran as a script");
    // Mark this page: a reload would lose the mark.
    browser.script("window.boardTestMark = 'still the same page'; return null");
    eventually("the page's event stream", Duration::from_secs(20), || {
        let connected =
            browser.script("return !document.getElementById('live').classList.contains('off')");
        (connected == Value::Bool(true)).then_some(())
    });
    repo.commit_issue(&IssueSpec::new("c3000008", "Arrived while you looked").status("review"));
    let review = eventually(
        "the new card on the open page",
        Duration::from_secs(20),
        || {
            let ids = browser.script(
            "return [...document.querySelectorAll('[data-status=\"review\"] .card')].map(c => c.dataset.id)",
        );
            ids.as_array()
                .unwrap()
                .contains(&Value::from("c3000008"))
                .then_some(ids)
        },
    );
    assert_eq!(review, serde_json::json!(["c3000003", "c3000008"]));
    assert_eq!(
        browser.script("return window.boardTestMark"),
        Value::from("still the same page"),
        "the page was reloaded"
    );
    // A screenshot of what the user sees; docs/board.png is the reference the README shows.
    let png = browser.screenshot();
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/board-screenshot.png");
    std::fs::write(&target, &png).unwrap();
    let reference = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/board.png"))
        .expect("the reference screenshot docs/board.png");
    assert_eq!(
        png_size(&png),
        png_size(&reference),
        "see {}",
        target.display()
    );
    assert!(png.len() > 20_000, "a blank page? see {}", target.display());
}

//! `roadmap serve` over HTTP, on both tracker lines: the board's columns and filters as the URL
//! carries them, issue and milestone pages, escaping, the answers to bad requests, uncommitted
//! writes marked, and live updates by server-sent events after a commit. (The same board in
//! a real browser: `test_serve_browser.rs`.)

use crate::common::board::{Served, column_count, column_ids, eventually, send_raw};
use crate::common::{IssueSpec, TestRepo, copy_fixture};
use std::time::Duration;

const SCRIPT_TITLE: &str = "<script>alert(1)</script>";

/// A legacy repository: two milestones, every status, one hostile title.
fn legacy_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write_issue(
        &IssueSpec::new("a1000001", "Login fails")
            .milestone("v1")
            .priority("high"),
    );
    repo.write_issue(
        &IssueSpec::new("a1000002", "Cache warms slowly")
            .milestone("v1")
            .status("in-progress"),
    );
    repo.write_issue(
        &IssueSpec::new("a1000003", "Docs for hooks")
            .milestone("v2")
            .status("blocked"),
    );
    repo.write_issue(
        &IssueSpec::new("a1000004", "Old bug")
            .milestone("v1")
            .status("closed"),
    );
    repo.write_issue(
        &IssueSpec::new("a1000005", SCRIPT_TITLE)
            .body("Hi <img src=x onerror=alert(2)>\n\n**bold** text"),
    );
    repo.write_issue(
        &IssueSpec::new("a1000006", "Put away")
            .status("todo")
            .archived(),
    );
    repo.write(
        ".roadmap/milestones/v1.md",
        "---\nname: v1\nstatus: open\ndue_date: '2025-03-01'\n---\n",
    );
    repo.commit_all("issues");
    repo
}

#[test]
fn the_board_shows_a_column_per_status_with_its_cards() {
    let repo = legacy_repo();
    let board = Served::start(&repo, &[]);
    assert!(board.url.starts_with("http://127.0.0.1:"), "{}", board.url);
    let page = board.get("/");
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(column_ids(&page.body, "todo"), ["a1000001", "a1000005"]);
    assert_eq!(column_ids(&page.body, "in-progress"), ["a1000002"]);
    assert_eq!(column_ids(&page.body, "blocked"), ["a1000003"]);
    assert_eq!(column_ids(&page.body, "closed"), ["a1000004"]);
    assert_eq!(column_count(&page.body, "review"), Some(0));
    assert!(
        !page.body.contains("a1000006"),
        "archived issues stay off the board"
    );
    // Columns in the tracker's order, todo first and closed last.
    let todo = page.body.find("data-status=\"todo\"").unwrap();
    let closed = page.body.find("data-status=\"closed\"").unwrap();
    assert!(todo < closed);
    // Only the board's own script and style may run, whatever a page holds.
    let policy = page.header("content-security-policy").unwrap();
    assert!(policy.contains("script-src 'self'"), "{policy}");
    assert!(page.body.contains("<script src=\"/assets/board.js\""));
    let script = board.get("/assets/board.js");
    assert_eq!(script.status, 200);
    assert!(script.body.contains("EventSource"), "{}", script.body);
    assert_eq!(board.get("/assets/board.css").status, 200);
}

#[test]
fn filters_in_the_url_pick_the_cards_and_survive_in_links() {
    let repo = legacy_repo();
    let board = Served::start(&repo, &[]);
    let page = board.get("/?milestone=v1&priority=");
    assert_eq!(page.status, 200);
    assert_eq!(column_ids(&page.body, "todo"), ["a1000001"]);
    assert_eq!(column_ids(&page.body, "in-progress"), ["a1000002"]);
    assert_eq!(column_ids(&page.body, "blocked"), Vec::<String>::new());
    assert!(
        page.body.contains("<option selected>v1</option>"),
        "the form shows the filter"
    );
    let high = board.get("/?priority=high");
    assert_eq!(column_ids(&high.body, "todo"), ["a1000001"]);
    let two = board.get("/?status=blocked,closed");
    assert!(
        !two.body.contains("data-status=\"todo\""),
        "only the statuses asked for"
    );
    assert_eq!(column_ids(&two.body, "blocked"), ["a1000003"]);
    assert_eq!(column_ids(&two.body, "closed"), ["a1000004"]);
    // A column cut to `per` cards links to more of it, with the other filters kept.
    let cut = board.get("/?milestone=v1&per=1&status=todo,in-progress,closed");
    assert_eq!(column_ids(&cut.body, "todo"), ["a1000001"]);
    let everyone = board.get("/?per=1");
    assert_eq!(column_ids(&everyone.body, "todo"), ["a1000001"]);
    assert!(
        everyone
            .body
            .contains("href=\"/?status=todo&amp;per=4\">1 more</a>"),
        "{}",
        everyone.body
    );
}

#[test]
fn a_text_search_finds_titles_and_bodies_once_the_index_is_built() {
    let repo = legacy_repo();
    let board = Served::start(&repo, &[]);
    // The first search asks the watcher to build the index; the page says so until it is.
    let found = eventually("the search index", Duration::from_secs(30), || {
        let page = board.get("/?q=login");
        (!page.body.contains("building the search index")).then_some(page)
    });
    assert_eq!(column_ids(&found.body, "todo"), ["a1000001"]);
    let body_word = board.get("/?q=bold");
    assert_eq!(column_ids(&body_word.body, "todo"), ["a1000005"]);
}

#[test]
fn user_text_is_escaped_and_raw_html_in_bodies_stays_text() {
    let repo = legacy_repo();
    let board = Served::start(&repo, &[]);
    let page = board.get("/");
    assert!(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!page.body.contains(SCRIPT_TITLE));
    let issue = board.get("/issue/a1000005");
    assert_eq!(issue.status, 200);
    assert!(!issue.body.contains(SCRIPT_TITLE), "{}", issue.body);
    assert!(!issue.body.contains("<img"), "{}", issue.body);
    assert!(
        issue.body.contains("&lt;img src=x onerror=alert(2)&gt;"),
        "{}",
        issue.body
    );
    assert!(
        issue.body.contains("<strong>bold</strong>"),
        "Markdown is rendered"
    );
}

#[test]
fn bad_paths_parameters_and_methods_get_4xx_never_a_crash() {
    let repo = legacy_repo();
    let board = Served::start(&repo, &[]);
    for (target, status, says) in [
        ("/nowhere", 404, "no page at /nowhere"),
        ("/issue/ffffffff", 404, "no issue with id `ffffffff`"),
        ("/issue/a100000", 404, "ambiguous"),
        ("/milestone/v9", 404, "no milestone named `v9`"),
        ("/assets/other.js", 404, "no such asset"),
        ("/?priority=urgent", 400, "unknown priority `urgent`"),
        ("/?colour=red", 400, "unknown parameter `colour`"),
        ("/?per=0", 400, "parameter `per`"),
        ("/?per=99999999999999999999", 400, "parameter `per`"),
        ("/issue/a1000001?x=1", 400, "unknown parameter `x`"),
        ("/issue/%ff", 400, "not UTF-8"),
    ] {
        let reply = board.get(target);
        assert_eq!(reply.status, status, "{target}: {}", reply.body);
        assert!(reply.body.contains(says), "{target}: {}", reply.body);
    }
    for method in ["POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"] {
        let reply = board.request(method, "/", &[]);
        assert_eq!(reply.status, 405, "{method}");
        assert_eq!(reply.header("allow").as_deref(), Some("GET"), "{method}");
    }
    let garbage = send_raw(&board.address, b"\x16\x03\x01 not http at all\r\n\r\n");
    assert_eq!(garbage.status, 400);
    let absolute = send_raw(&board.address, b"GET http://elsewhere/ HTTP/1.1\r\n\r\n");
    assert_eq!(absolute.status, 400);
    let huge = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(20_000));
    assert_eq!(send_raw(&board.address, huge.as_bytes()).status, 431);
    // A page elsewhere reaching the board through its own DNS name is refused.
    let rebound = board.request("GET", "/", &[("Host", "attacker.example:80")]);
    assert_eq!(rebound.status, 400);
    // Still serving after all of that.
    assert_eq!(board.get("/").status, 200);
    assert!(!board.stderr().contains("panicked"), "{}", board.stderr());
}

#[test]
fn the_issue_page_shows_fields_body_and_dependency_links() {
    let repo = TestRepo::new();
    repo.write(
        ".roadmap/issues/v1/b2000001-parent.md",
        "---\nid: b2000001\ntitle: Parent\nheadline: ''\npriority: high\nstatus: todo\narchived: false\n\
         issue_type: feature\nmilestone: 'v1'\nlabels: [web]\nremote_ids: {}\nassignee: carol\n\
         estimated_hours: 5.0\ndepends_on: [b2000002]\n\
         comments:\n- id: c1\n  author: dave\n  body: Looks *right*\n  created_at: '2025-01-03T00:00:00'\n\
         created: '2025-01-01T00:00:00+00:00'\nupdated: '2025-01-02T00:00:00+00:00'\n---\n\n## Plan\n\n- one\n- two\n",
    );
    repo.write_issue(&IssueSpec::new("b2000002", "Child").milestone("v1"));
    repo.commit_all("issues");
    let board = Served::start(&repo, &[]);
    let page = board.get("/issue/b2000001");
    assert_eq!(page.status, 200);
    for expected in [
        "<h1>Parent</h1>",
        "<dd>carol</dd>",
        "<a href=\"/milestone/v1\">v1</a>",
        "<span class=\"label\">web</span>",
        "<dt>estimate (h)</dt><dd>5.0</dd>",
        "<a class=\"dependency\" href=\"/issue/b2000002\">b2000002</a>",
        "<h2>Plan</h2>",
        "<li>one</li>",
        "<b>dave</b>",
        "Looks <em>right</em>",
    ] {
        assert!(page.body.contains(expected), "{expected} in {}", page.body);
    }
    // A unique prefix is enough, as for `roadmap show`.
    assert!(board.get("/issue/b2000002").body.contains("<h1>Child</h1>"));
}

#[test]
fn the_milestone_page_shows_progress_and_its_burndown() {
    let repo = legacy_repo();
    let board = Served::start(&repo, &[]);
    let page = board.get("/milestone/v1");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("1 of 3 issues closed (33%)"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<progress max=\"3\" value=\"1\">"));
    assert!(page.body.contains("<dd>2025-03-01</dd>"));
    assert!(page.body.contains("id=\"burndown\""));
    assert!(
        page.body
            .contains("<img src=\"/milestone/v1/burndown.svg\""),
        "{}",
        page.body
    );
    // The image is `roadmap chart burndown -m v1 --svg`, from the event log of the history.
    let svg = board.get("/milestone/v1/burndown.svg");
    assert_eq!(svg.status, 200, "{}", svg.body);
    assert_eq!(svg.header("Content-Type").as_deref(), Some("image/svg+xml"));
    let chart = repo.sibling("burndown.svg");
    repo.roadmap(&[
        "chart",
        "burndown",
        "-m",
        "v1",
        "--svg",
        chart.to_str().unwrap(),
    ])
    .success();
    assert_eq!(svg.body, std::fs::read_to_string(&chart).unwrap());
    assert!(
        svg.body.starts_with("<svg"),
        "{}",
        &svg.body[..80.min(svg.body.len())]
    );
    assert_eq!(board.get("/milestone/v9/burndown.svg").status, 404);
    let list = board.get("/milestones");
    assert!(
        list.body.contains("<a href=\"/milestone/v1\">v1</a>"),
        "{}",
        list.body
    );
}

#[test]
fn a_0_3_1_workspace_shows_milestone_names_comments_and_history() {
    let repo = TestRepo::new();
    copy_fixture(&repo, "contract-read");
    repo.commit_all("0.3.1 workspace");
    let board = Served::start(&repo, &[]);
    let page = board.get("/");
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(column_count(&page.body, "todo"), Some(2), "{}", page.body);
    assert_eq!(column_count(&page.body, "blocked"), Some(1));
    assert!(
        page.body
            .contains("<a class=\"milestone\" href=\"/milestone/v1-0\">v1-0</a>")
    );
    let filtered = board.get("/?milestone=v1-0");
    assert_eq!(
        column_count(&filtered.body, "todo"),
        Some(1),
        "{}",
        filtered.body
    );
    let id = "12ee8bf7-e95c-478d-962f-a61f4a9b0399";
    let issue = board.get(&format!("/issue/{}", &id[..8]));
    assert_eq!(issue.status, 200, "{}", issue.body);
    for expected in [
        "<h1>Fix login redirect</h1>",
        "2 comments",
        "<b>bob</b>",
        "First look",
        "<b>created</b>",
        "href=\"/issue/c1703ef4-cc7a-4f0a-9b23-8dfc7c58bed8\"",
    ] {
        assert!(
            issue.body.contains(expected),
            "{expected} in {}",
            issue.body
        );
    }
    let milestone = board.get("/milestone/v1-0");
    assert!(
        milestone.body.contains("0 of 2 issues closed"),
        "{}",
        milestone.body
    );
}

#[test]
fn uncommitted_writes_are_marked_until_committed() {
    let repo = legacy_repo();
    repo.roadmap_hooks(&["install"]).success();
    let board = Served::start(&repo, &[]);
    repo.roadmap(&["create", "Not committed yet", "-m", "v1", "-p", "critical"])
        .success();
    let page = board.get("/?priority=critical");
    let ids = column_ids(&page.body, "todo");
    assert_eq!(ids.len(), 1, "{}", page.body);
    assert!(
        page.body.contains("card priority-critical uncommitted"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("1 uncommitted write shown"),
        "{}",
        page.body
    );
    repo.commit_all("commit it");
    let after = eventually("the commit synced", Duration::from_secs(20), || {
        let page = board.get("/?priority=critical");
        (!page.body.contains("uncommitted")).then_some(page)
    });
    assert_eq!(column_ids(&after.body, "todo"), ids);
}

#[test]
fn an_open_page_hears_of_a_commit_through_its_event_stream() {
    let repo = legacy_repo();
    repo.roadmap_hooks(&["install"]).success();
    let board = Served::start(&repo, &[]);
    let mut events = board.events();
    // Many open tabs: event streams do not hold up pages.
    let tabs: Vec<_> = (0..20).map(|_| board.events()).collect();
    assert_eq!(board.get("/").status, 200);
    repo.commit_issue(&IssueSpec::new("a1000009", "Arrived live").status("review"));
    events.next_change();
    let page = board.request("GET", "/", &[("X-Board-Fragment", "1")]);
    assert!(
        page.body.starts_with("<form"),
        "a fragment is the page's main only"
    );
    assert_eq!(column_ids(&page.body, "review"), ["a1000009"]);
    // A checkout back is a change too.
    repo.git(&["checkout", "-q", "HEAD~1"]);
    events.next_change();
    assert_eq!(
        column_ids(&board.get("/").body, "review"),
        Vec::<String>::new()
    );
    drop(tabs);
}

#[test]
fn a_busy_port_is_a_one_line_error_and_open_without_a_browser_still_serves() {
    let repo = legacy_repo();
    let first = Served::start(&repo, &[]);
    let port = first.address.rsplit(':').next().unwrap();
    let run = repo.roadmap(&["serve", "--port", port]);
    assert_eq!(run.status, 1, "{run:?}");
    assert!(
        run.stderr.starts_with(&format!(
            "roadmap: error: --bind 127.0.0.1 --port {port}: cannot listen there"
        )),
        "{}",
        run.stderr
    );
    let bad = repo.roadmap(&["serve", "--bind", "nowhere"]);
    assert_eq!(bad.status, 2, "{bad:?}");
    assert!(bad.stderr.contains("--bind"), "{}", bad.stderr);
    let opened = Served::start_with(&repo, &["--open"], &[("PATH", "/nonexistent")]);
    assert_eq!(opened.get("/").status, 200);
    assert!(
        opened
            .stderr()
            .contains("--open: xdg-open is not installed"),
        "{}",
        opened.stderr()
    );
}

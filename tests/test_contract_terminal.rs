//! 0.3.1's Rich reads on a terminal (`status`, `milestone list`, `project list`) and the views
//! beside them (`milestone view`, `project view`), served by ours on a pseudo-terminal and
//! compared with what the live 0.3.1 printed on the same terminal
//! (`tests/fixtures/tracker-0.3.1-terminal/`, made by `make-terminal-captures.sh`). Behind ours
//! stands a tracker that fails any command it is handed ([`MARKER`]).

use crate::common::TestRepo;
use crate::test_contract_issue_list::{
    CAPTURE_NOW, MARKER, at_a_120_column_terminal, person_at_a_terminal, visible,
};
use std::path::Path;

fn capture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tracker-0.3.1-terminal")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The 0.3.1 workspace with the stand-in tracker, and the terminal's environment at `columns`.
fn at_a_terminal(columns: &str) -> (TestRepo, Vec<(&'static str, String)>) {
    let (repo, env) = at_a_120_column_terminal();
    let env = env
        .into_iter()
        .map(|(name, value)| match name {
            "COLUMNS" => (name, columns.to_owned()),
            _ => (name, value),
        })
        .collect();
    (repo, env)
}

/// What a person sees running `roadmap ARGS` on that terminal; `None` without `script`.
fn shown(repo: &TestRepo, env: &[(&'static str, String)], args: &str) -> Option<String> {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let shown = person_at_a_terminal(repo, args, &env);
    crate::common::tracker::required(shown, "`script` (a terminal)")
}

/// The same rows, columns, titles, header and borders as 0.3.1 on a 120-column terminal (Rich's
/// heavy-head tables for the lists, `status`'s borderless ones), on a 40-column one (the
/// vertical panel, each line wrapped where Rich wraps it; `status`'s columns narrowed, headers
/// cut with `…`) and on a 30-column one (`status`'s data cells cut too), in the tracker's styles.
#[test]
fn on_a_terminal_status_and_the_planning_lists_are_served_in_the_trackers_colours() {
    for (columns, args, styles) in [
        (
            "120",
            "status",
            &[
                "\u{1b}[1mRoadmap Status\u{1b}[0m",
                "\u{1b}[3m      Issue Status",
            ][..],
        ),
        (
            "120",
            "milestone list",
            &["\u{1b}[3m    ", "┃\u{1b}[1;36m Name "][..],
        ),
        (
            "120",
            "project list",
            &["\u{1b}[3m    ", "┃\u{1b}[1;36m Priority \u{1b}[0m┃"][..],
        ),
        (
            "40",
            "status",
            &["\u{1b}[1m Entity      Open  Clos…", "\u{1b}[3m       "][..],
        ),
        (
            "30",
            "status",
            &["\u{1b}[1mRoadmap Status\u{1b}[0m", " Milesto…  3 "][..],
        ),
        (
            "40",
            "milestone list",
            &[
                "\u{1b}[1;36mEntry 3\u{1b}[0m",
                "\u{1b}[1m  Due date: \u{1b}[0m",
            ][..],
        ),
        (
            "40",
            "project list",
            &[
                "\u{1b}[1;36mEntry 1\u{1b}[0m",
                "\u{1b}[1m  Owner: \u{1b}[0m",
            ][..],
        ),
    ] {
        let (repo, env) = at_a_terminal(columns);
        let Some(shown) = shown(&repo, &env, args) else {
            return;
        };
        let what = format!("{args} at {columns} columns");
        assert!(
            !shown.contains(MARKER),
            "{what}: served, not forwarded: {shown}"
        );
        let captured = capture(&format!(
            "{}--COLUMNS-{columns}.txt",
            args.replace(' ', "-")
        ));
        assert_eq!(visible(&shown), visible(&captured), "{what}");
        for style in styles {
            assert!(shown.contains(style), "{what}: {style:?} in {shown}");
        }
    }
}

/// `milestone view` and `project view` are `click.echo` of plain text: on a terminal of any
/// width the tracker prints the bytes it prints into a pipe, and so do we.
#[test]
fn on_a_terminal_the_views_are_the_bytes_the_tracker_prints_there() {
    for columns in ["120", "40"] {
        let (repo, env) = at_a_terminal(columns);
        for args in ["milestone view v0-1", "project view 84a1a355"] {
            let Some(shown) = shown(&repo, &env, args) else {
                return;
            };
            let captured = capture(&format!(
                "{}--COLUMNS-{columns}.txt",
                args.replace(' ', "-")
            ));
            assert_eq!(shown, captured.replace("\r\n", "\n"), "{args} at {columns}");
        }
    }
}

/// The machine formats on a terminal go through Rich's highlighting; a table Rich would wrap
/// or shrink past what we follow (`status` at 20 columns, where Rich leaves columns out; the
/// empty 74-column table of `milestone list --overdue` at 60) is the tracker's to print too.
#[test]
fn a_machine_format_or_a_table_rich_would_squeeze_goes_to_the_tracker() {
    for (columns, args) in [
        // `--overdue` before any milestone is due: the captures' day, not today.
        ("60", "milestone list --overdue"),
        ("120", "status --format json"),
        ("120", "milestone list --format csv"),
        ("120", "project list --format plain"),
        ("20", "status"),
    ] {
        let (repo, mut env) = at_a_terminal(columns);
        env.push(("ROADMAP_TEST_NOW", CAPTURE_NOW.to_owned()));
        let Some(shown) = shown(&repo, &env, args) else {
            return;
        };
        assert!(shown.contains(MARKER), "{args} at {columns}: {shown}");
    }
}

//! `roadmap sync` and GitHub's rate limits (issue 12, rule 4), on the virtual clock the tests
//! give it (`ROADMAP_SYNC_TEST_CLOCK=fast`: waits are counted, never slept): `retry-after` and
//! `x-ratelimit-reset` honoured, a limit without them waited a minute then exponentially
//! longer, content-creating requests paced, a first push of 500 issues completed.

use crate::common::IssueSpec;
use crate::common::github_server::Fault;
use crate::common::mirrored::Mirrored;

#[test]
fn a_secondary_limit_without_headers_waits_a_minute_then_backs_off() {
    let m = Mirrored::new();
    m.github.state().add_issue("One", "", &[]);
    m.github
        .inject(&[Fault::SecondaryLimit, Fault::SecondaryLimit]);
    let (run, summary) = m.sync_json(&[]);
    assert_eq!(run.status, 0, "{run:?}");
    let waited = summary["waited_secs"].as_u64().unwrap();
    assert!((180..200).contains(&waited), "60 s, then 120 s: {waited}");
    assert_eq!(m.local().len(), 1);
}

#[test]
fn retry_after_and_the_reset_time_are_honoured() {
    let m = Mirrored::new();
    m.github.state().add_issue("One", "", &[]);
    m.github.inject(&[Fault::RetryAfter, Fault::RateLimitReset]);
    let (run, summary) = m.sync_json(&[]);
    assert_eq!(run.status, 0, "{run:?}");
    let waited = summary["waited_secs"].as_u64().unwrap();
    assert!((1..5).contains(&waited), "{waited}");
    assert_eq!(m.github.request_count(), 3);
}

/// `count` local issues, committed in one commit.
fn many_local(m: &Mirrored, count: usize) {
    for n in 0..count {
        m.repo
            .write_issue(&IssueSpec::new(&format!("{n:08x}"), &format!("Issue {n}")));
    }
    m.commit("many");
}

#[test]
fn a_first_push_of_500_issues_is_paced_under_the_secondary_limit() {
    let m = Mirrored::new();
    many_local(&m, 500);
    m.github.state().creates_per_minute = Some(80);
    let (run, summary) = m.sync_json(&[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let state = m.github.state();
    assert_eq!(state.issues.len(), 500);
    assert_eq!(state.limited, 0, "paced: the limit was never hit");
    let gaps = state.write_times.windows(2).map(|w| w[1] - w[0]);
    assert!(gaps.clone().all(|gap| gap >= 1000), "{:?}", gaps.min());
    drop(state);
    assert!(summary["waited_secs"].as_u64().unwrap() >= 450);
    assert_eq!(
        m.local()
            .iter()
            .filter(|i| i["remote_ids"]["github"].is_u64())
            .count(),
        500
    );
}

#[test]
fn creates_past_a_secondary_limit_wait_and_complete_without_duplicates() {
    let m = Mirrored::new();
    many_local(&m, 30);
    m.github.state().creates_per_minute = Some(10);
    let (run, summary) = m.sync_json(&[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let state = m.github.state();
    assert_eq!(state.issues.len(), 30, "no duplicates");
    assert!(state.limited >= 2, "{}", state.limited);
    drop(state);
    assert!(summary["waited_secs"].as_u64().unwrap() >= 120);
}

#[test]
fn one_connection_serves_every_request_of_a_run() {
    let m = Mirrored::new();
    many_local(&m, 5);
    m.github.state().add_issue("From GitHub", "", &[]);
    m.sync(&[]).success();
    let state = m.github.state();
    assert!(state.requests.len() >= 6, "{:?}", state.requests);
    assert_eq!(state.connections, 1, "{:?}", state.requests);
}

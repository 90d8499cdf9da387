//! Where `roadmap sync` sends the token, and which token (issue 12, rule 7): the API host comes
//! from the user's own settings, never from the committed `.roadmap/sync.yaml` alone; plain
//! http only to this machine; tokens read as gh reads them, then from `gh auth token`.

use crate::common::github_server::{REPO, TOKEN};
use crate::common::mirrored::Mirrored;
use std::os::unix::fs::PermissionsExt as _;

#[test]
fn a_committed_api_url_alone_does_not_choose_where_the_token_goes() {
    let m = Mirrored::new();
    m.github.state().add_issue("One", "", &[]);
    let no_setting = [
        ("GH_ENTERPRISE_TOKEN", TOKEN),
        ("ROADMAP_GITHUB_API_URL", ""),
    ];
    // sync.yaml names the fake; the user named nothing (so github.com): stop, say how to confirm.
    let run = m.sync_with(&[], &no_setting);
    assert_eq!(run.status, 1, "{run:?}");
    assert!(
        run.stderr.contains(".roadmap/sync.yaml sends the sync"),
        "{}",
        run.stderr
    );
    let hint = format!("git config roadmap.github.api-url {}", m.github.url);
    assert!(run.stderr.contains(&hint), "{}", run.stderr);
    assert_eq!(m.github.request_count(), 0);

    // Confirmed in the user's own git configuration: it runs.
    m.repo
        .git(&["config", "roadmap.github.api-url", &m.github.url]);
    m.sync_with(&[], &no_setting).success();
    assert_eq!(m.local().len(), 1);

    // A merged change points the file elsewhere: stopped before any request.
    m.repo.write(
        ".roadmap/sync.yaml",
        &format!("kind: github\nrepo: {REPO}\napi_url: https://collector.example.net\n"),
    );
    m.commit("innocent-looking change");
    let requests = m.github.request_count();
    let run = m.sync(&[]);
    assert_eq!(run.status, 1, "{run:?}");
    assert!(
        run.stderr.contains("collector.example.net"),
        "{}",
        run.stderr
    );
    assert_eq!(m.github.request_count(), requests);
}

#[test]
fn no_token_goes_over_plain_http_except_to_this_machine() {
    let m = Mirrored::new();
    m.repo.write(
        ".roadmap/sync.yaml",
        &format!("kind: github\nrepo: {REPO}\n"),
    );
    m.commit("no url in the file");
    let run = m.sync_with(
        &[],
        &[
            ("GH_ENTERPRISE_TOKEN", TOKEN),
            ("ROADMAP_GITHUB_API_URL", "http://ghe.example.com/api/v3"),
        ],
    );
    assert_eq!(run.status, 1, "{run:?}");
    assert!(
        run.stderr.contains("plain http to ghe.example.com"),
        "{}",
        run.stderr
    );
    m.sync(&[]).success();
}

#[test]
fn the_token_comes_from_gh_when_no_variable_is_set() {
    let m = Mirrored::new();
    m.github.state().add_issue("One", "", &[]);
    let bin = m.repo.sibling("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let host = m.github.url.trim_start_matches("http://");
    let gh = bin.join("gh");
    std::fs::write(
        &gh,
        format!(
            "#!/bin/sh\n[ \"$*\" = \"auth token --hostname {host}\" ] && echo {TOKEN} && exit 0\nexit 1\n"
        ),
    )
    .unwrap();
    std::fs::set_permissions(&gh, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:/usr/bin:/bin", bin.display());
    m.sync_with(&[], &[("PATH", path.as_str())]).success();
    assert_eq!(m.local().len(), 1);
}

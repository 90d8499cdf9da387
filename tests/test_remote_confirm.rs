//! The GitHub repository a clone syncs with is confirmed once per clone (issue 26, point 3):
//! by `roadmap sync --repo OWNER/NAME`, or a prompt on a terminal, and kept in the clone's own
//! git config (`roadmap.sync.repo`). A committed `.roadmap/sync.yaml` naming a repository this
//! clone has not confirmed, or another than it confirmed, gets no request at all.

use crate::common::github_server::{REPO, TOKEN};
use crate::common::mirrored::Mirrored;
use crate::common::{IssueSpec, Run, binary};
use std::io::Write as _;
use std::process::{Command, Stdio};

/// A clone whose remote is the user's own private repository, with one issue of theirs not
/// yet on GitHub, and a committed sync.yaml naming the fake's repository (someone else's):
/// nothing confirmed.
fn someone_elses_repository() -> Mirrored {
    let m = Mirrored::new();
    m.repo.git(&["config", "--unset", "roadmap.sync.repo"]);
    m.repo
        .git(&["remote", "add", "origin", "git@github.com:me/private.git"]);
    m.repo
        .commit_issue(&IssueSpec::new("0000e001", "Secret acquisition plan"));
    m
}

fn confirmed(m: &Mirrored) -> Option<String> {
    let run = m
        .repo
        .try_git(&["config", "--local", "--get", "roadmap.sync.repo"]);
    (run.status == 0).then(|| run.stdout.trim().to_owned())
}

#[test]
fn a_repository_no_remote_points_at_gets_nothing_until_confirmed() {
    let m = someone_elses_repository();
    for args in [&[][..], &["--dry-run"], &["--push-only"]] {
        let run = m.sync(args);
        assert_eq!(run.status, 1, "{args:?}: {run:?}");
        assert!(run.stderr.contains(REPO), "{}", run.stderr);
        assert!(
            run.stderr.contains("none of this clone's remotes"),
            "{}",
            run.stderr
        );
        let hint = format!("hint: if your issues belong there, run `roadmap sync --repo {REPO}`");
        assert!(run.stderr.contains(&hint), "{}", run.stderr);
        assert_eq!(m.github.request_count(), 0, "no request at all");
    }
    assert!(m.github.state().issues.is_empty());
    assert_eq!(confirmed(&m), None);

    // Another name on the command line than the file's confirms nothing.
    let run = m.sync(&["--repo", "me/private"]);
    assert_eq!(run.status, 1, "{run:?}");
    assert!(run.stderr.contains("me/private"), "{}", run.stderr);
    assert_eq!(m.github.request_count(), 0);

    // Confirmed by name: it syncs, and this clone remembers.
    m.sync(&["--repo", REPO]).success();
    assert_eq!(m.github.issue(1)["title"], "Secret acquisition plan");
    assert_eq!(confirmed(&m).as_deref(), Some(REPO));
    m.commit("linked");
    m.sync(&[]).success();
}

#[test]
fn a_committed_change_of_repository_needs_confirming_again() {
    let m = Mirrored::new();
    m.repo.commit_issue(&IssueSpec::new("0000e002", "Ours"));
    m.repo.git(&["config", "roadmap.sync.repo", "me/private"]);
    let run = m.sync(&[]);
    assert_eq!(run.status, 1, "{run:?}");
    assert!(
        run.stderr
            .contains(&format!("now names GitHub repository {REPO}")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("confirmed me/private"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!("roadmap sync --repo {REPO}")),
        "{}",
        run.stderr
    );
    assert_eq!(m.github.request_count(), 0);

    m.sync(&["--repo", REPO]).success();
    assert_eq!(confirmed(&m).as_deref(), Some(REPO));
}

#[test]
fn a_committed_file_cannot_confirm_through_an_include() {
    let m = someone_elses_repository();
    // A shared config committed in the repository, included from the clone's config: git
    // reads it, but a confirmation must come from the clone's own config file.
    m.repo.write(
        "shared.gitconfig",
        &format!("[roadmap \"sync\"]\n\trepo = {REPO}\n"),
    );
    m.commit("shared settings");
    m.repo
        .git(&["config", "include.path", "../shared.gitconfig"]);
    assert_eq!(
        m.repo.git(&["config", "--get", "roadmap.sync.repo"]).trim(),
        REPO
    );
    let run = m.sync(&[]);
    assert_eq!(run.status, 1, "{run:?}");
    assert_eq!(m.github.request_count(), 0);
}

/// `roadmap sync` on a pseudo-terminal (`script`) whose keyboard types `answer`; `None`
/// where `script` is missing.
fn sync_on_a_terminal(m: &Mirrored, answer: &str) -> Option<Run> {
    let script = ["/usr/bin/script", "/bin/script"]
        .into_iter()
        .find(|p| std::path::Path::new(p).is_file())?;
    let mut command = Command::new(script);
    command.args([
        "-qec",
        &format!("{} sync", binary("roadmap").display()),
        "/dev/null",
    ]);
    m.sync_environment(&mut command, &[("GH_ENTERPRISE_TOKEN", TOKEN)]);
    command.stdin(Stdio::piped()).stdout(Stdio::piped());
    let mut child = command.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(answer.as_bytes())
        .unwrap();
    Some(Run::from_output(child.wait_with_output().unwrap()))
}

#[test]
fn on_a_terminal_the_user_is_asked_once_showing_what_would_be_created() {
    let m = someone_elses_repository();
    let Some(declined) = sync_on_a_terminal(&m, "n\n") else {
        eprintln!("skipped: no `script` to give the command a terminal");
        return;
    };
    // `script` puts the terminal's output, stderr included, on its stdout.
    let shown = declined.stdout.replace("\r\n", "\n");
    assert!(
        shown.contains(&format!("GitHub repository {REPO}")),
        "{shown}"
    );
    assert!(shown.contains("none of this clone's remotes"), "{shown}");
    assert!(shown.contains("origin"), "{shown}");
    assert!(
        shown.contains("create 1 issue") && shown.contains("Secret acquisition plan"),
        "{shown}"
    );
    assert_ne!(declined.status, 0, "{shown}");
    assert_eq!(m.github.request_count(), 0);
    assert_eq!(confirmed(&m), None);

    let accepted = sync_on_a_terminal(&m, "y\n").unwrap();
    assert_eq!(accepted.status, 0, "{accepted:?}");
    assert_eq!(m.github.issue(1)["title"], "Secret acquisition plan");
    assert_eq!(confirmed(&m).as_deref(), Some(REPO));

    // Asked once: the next run on a terminal goes straight on.
    m.commit("linked");
    let again = sync_on_a_terminal(&m, "").unwrap();
    assert_eq!(again.status, 0, "{again:?}");
    assert!(!again.stdout.contains("[y/N]"), "{}", again.stdout);
}

//! `roadmap-hooks install`, `uninstall`, `status` and `hook` on real repositories: where the
//! hooks go, what becomes of hooks the user had, and that our hooks never fail git.

use crate::common::tracker::required;
use crate::common::{IssueSpec, Run, TestRepo, binary};
use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

const OUR_HOOKS: &str = "post-commit, post-checkout, post-merge, post-rewrite, post-applypatch";

#[test]
fn install_twice_changes_no_byte() {
    let repo = repo_with_alpha();
    let hooks = repo.root.join(".git/hooks");

    let first = repo.roadmap_hooks(&["install"]).success();
    assert_eq!(
        redacted(&repo, &first.stdout),
        format!(
            "installed hooks in [REPO]/.git/hooks: {OUR_HOOKS}\n\
             registered the merge driver for issue files (merge.roadmap in .git/config, \
             [REPO]/.git/info/attributes)\n\
             rebuilt the cache from {} (first sync): 1 issues\n",
            short_head(&repo)
        )
    );
    let installed = files_in(&hooks);
    for name in OUR_HOOKS.split(", ") {
        let hook = &installed[name];
        assert_eq!(hook.mode, 0o755, "{name} is executable");
        assert!(
            hook.text()
                .starts_with("#!/bin/sh\n# >>> roadmap-hooks v1 >>>\n")
        );
    }

    let second = repo.roadmap_hooks(&["install"]).success();
    assert_eq!(
        redacted(&repo, &second.stdout),
        format!(
            "hooks already installed in [REPO]/.git/hooks\ncache already at {}: 1 issues\n",
            short_head(&repo)
        )
    );
    assert_eq!(files_in(&hooks), installed);

    // The same from outside the repository, with --repo.
    let outside = repo.root.parent().expect("the temporary directory");
    let root = repo.root.display().to_string();
    let third = repo.run_in(outside, "roadmap-hooks", &["install", "--repo", &root]);
    let third = third.success().stdout;
    assert!(third.starts_with("hooks already installed"), "{third}");
    assert_eq!(files_in(&hooks), installed);
}

#[test]
fn a_user_shell_hook_that_appends_to_a_file_keeps_running() {
    user_shell_hook_runs_with_and_without_ours(
        "#!/bin/sh\n# The user's own hook.\necho \"commit $(git rev-parse --short HEAD)\" >> {LOG}\n",
    );
}

#[test]
fn a_user_shell_hook_ending_in_exec_keeps_running() {
    user_shell_hook_runs_with_and_without_ours(
        "#!/bin/bash\nset -eu\nexec printf 'commit %s\\n' \"$(git rev-parse --short HEAD)\" >> {LOG}\n",
    );
}

/// A post-commit hook of the user's (`{LOG}` in `template` is the file it appends to): after
/// install both it and ours run; uninstall gives back its exact bytes and mode, and ours is gone.
fn user_shell_hook_runs_with_and_without_ours(template: &str) {
    let repo = repo_with_alpha();
    let log = repo.sibling("user-hook.log");
    let user_hook = template.replace("{LOG}", &format!("'{}'", log.display()));
    let hooks = repo.root.join(".git/hooks");
    let hook_path = hooks.join("post-commit");
    write_executable(&hook_path, &user_hook, 0o750);
    let before = files_in(&hooks);

    let install = repo.roadmap_hooks(&["install"]).success();
    assert!(
        install.stdout.contains("post-commit (added to your hook)"),
        "{}",
        install.stdout
    );
    let with_block = fs::read_to_string(&hook_path).unwrap();
    let shebang = user_hook.lines().next().unwrap();
    assert!(
        with_block.starts_with(&format!("{shebang}\n# >>> roadmap-hooks v1 >>>\n")),
        "our block comes right after the #! line:\n{with_block}"
    );
    assert!(with_block.ends_with(&user_hook[shebang.len() + 1..]));
    assert_eq!(mode_of(&hook_path), 0o750);

    let beta = commit_quietly(&repo, &IssueSpec::new("0000000b", "Beta"));
    assert_eq!(read(&log), format!("commit {}\n", short(&beta)));
    assert_eq!(fresh_ids(&repo, &repo.root), ["0000000a", "0000000b"]);

    let uninstall = repo.roadmap_hooks(&["uninstall"]).success();
    assert!(
        uninstall.stdout.contains("post-commit (your hook kept)"),
        "{}",
        uninstall.stdout
    );
    assert_eq!(files_in(&hooks), before, "the user's hook, bytes and mode");

    let gamma = commit_quietly(&repo, &IssueSpec::new("0000000c", "Gamma"));
    assert_eq!(
        read(&log),
        format!("commit {}\ncommit {}\n", short(&beta), short(&gamma))
    );
    // Uninstall removed the cache; a block of ours still in the hook would have synced and
    // built it again.
    assert!(
        !repo.root.join(".git/roadmap").exists(),
        "our block is gone"
    );
}

/// A python (or perl) post-rewrite hook reads the rewritten commits on its stdin, and a
/// post-checkout hook's exit status is `git checkout`'s: both survive being chained to.
#[test]
fn a_user_hook_in_another_language_is_chained_with_its_stdin_and_exit_status() {
    let Some(language) = required(ScriptLanguage::available(), "python3 or /usr/bin/perl") else {
        return;
    };
    let repo = repo_with_alpha();
    let log = repo.sibling("rewrites.log");
    let hooks = repo.root.join(".git/hooks");
    let rewrite_hook = language.post_rewrite_logging_stdin_to(&log);
    let checkout_hook = language.post_checkout_exiting(3);
    write_executable(&hooks.join("post-rewrite"), &rewrite_hook, 0o755);
    write_executable(&hooks.join("post-checkout"), &checkout_hook, 0o700);
    let before = files_in(&hooks);
    let failing_checkout = repo.try_git(&["checkout", "-q", "-b", "before-install"]);
    assert_ne!(failing_checkout.status, 0, "{failing_checkout:?}");

    let install = repo.roadmap_hooks(&["install"]).success();
    for name in ["post-rewrite", "post-checkout"] {
        assert!(
            install.stdout.contains(&format!(
                "{name} (your hook renamed to {name}.roadmap-hooks-chained and still runs)"
            )),
            "{}",
            install.stdout
        );
    }
    assert_eq!(
        read(&hooks.join("post-rewrite.roadmap-hooks-chained")),
        rewrite_hook
    );

    let amended = amend_adding(&repo, &IssueSpec::new("0000000b", "Beta"));
    assert_eq!(read(&log), amended);
    assert_eq!(fresh_ids(&repo, &repo.root), ["0000000a", "0000000b"]);

    let checkout = repo.try_git(&["checkout", "-q", "-b", "topic"]);
    assert_eq!(checkout.status, failing_checkout.status, "{checkout:?}");
    assert!(!checkout.stderr.contains("roadmap-hooks"), "{checkout:?}");
    let run_directly = Command::new(hooks.join("post-checkout"))
        .args([&repo.head(), &repo.head(), "1"])
        .current_dir(&repo.root)
        .status()
        .expect("run the hook");
    assert_eq!(run_directly.code(), Some(3), "the user's exit status");

    let uninstall = repo.roadmap_hooks(&["uninstall"]).success();
    assert!(
        uninstall
            .stdout
            .contains("post-rewrite (your hook restored)"),
        "{}",
        uninstall.stdout
    );
    assert_eq!(
        files_in(&hooks),
        before,
        "the user's hooks, bytes and modes"
    );

    let amended_again = amend_adding(&repo, &IssueSpec::new("0000000c", "Gamma"));
    assert_eq!(read(&log), format!("{amended}{amended_again}"));
}

/// Hooks kept in a dotfiles folder and linked into .git/hooks: the link itself is set aside and
/// chained to, so the user's file is never copied, and uninstall gives back the link.
#[test]
fn a_symlinked_user_hook_is_chained_and_its_link_restored() {
    let repo = repo_with_alpha();
    let log = repo.sibling("linked-hook.log");
    let target = repo.sibling("dotfiles/post-commit");
    let user_hook = format!("#!/bin/sh\necho linked hook ran >> '{}'\n", log.display());
    write_executable(&target, &user_hook, 0o755);
    let hooks = repo.root.join(".git/hooks");
    std::os::unix::fs::symlink("../../../dotfiles/post-commit", hooks.join("post-commit")).unwrap();
    // A link to nothing (git runs no hook then) is set aside and given back as well.
    std::os::unix::fs::symlink("../../../dotfiles/gone", hooks.join("post-checkout")).unwrap();
    let before = files_in(&hooks);

    let install = repo.roadmap_hooks(&["install"]).success();
    assert!(
        install.stdout.contains(
            "post-commit (your hook renamed to post-commit.roadmap-hooks-chained and still runs)"
        ),
        "{}",
        install.stdout
    );
    commit_quietly(&repo, &IssueSpec::new("0000000b", "Beta"));
    assert_eq!(read(&log), "linked hook ran\n");
    assert_eq!(fresh_ids(&repo, &repo.root), ["0000000a", "0000000b"]);
    assert_eq!(
        read(&target),
        user_hook,
        "the linked file is not ours to change"
    );

    quiet_git(&repo, &repo.root, &["checkout", "-q", "HEAD~1"], &[]);
    assert_eq!(fresh_ids(&repo, &repo.root), ["0000000a"]);
    repo.git(&["checkout", "-q", "main"]);

    repo.roadmap_hooks(&["uninstall"]).success();
    assert_eq!(files_in(&hooks), before, "the links are back");
    commit_quietly(&repo, &IssueSpec::new("0000000c", "Gamma"));
    assert_eq!(read(&log), "linked hook ran\nlinked hook ran\n");
}

/// Git skips a hook file that is not executable (a way to turn a hook off). Install keeps it
/// off, but our hook must run, and must not make git fail by running the file anyway.
#[test]
fn a_hook_turned_off_by_its_mode_stays_off_and_ours_runs() {
    let repo = repo_with_alpha();
    let log = repo.sibling("disabled-hooks.log");
    let hooks = repo.root.join(".git/hooks");
    let shell_hook = format!("#!/bin/sh\necho shell hook ran >> '{}'\n", log.display());
    let other_hook = "#!/usr/bin/env node\nprocess.exit(1)\n";
    write_executable(&hooks.join("post-commit"), &shell_hook, 0o644);
    write_executable(&hooks.join("post-checkout"), other_hook, 0o644);
    let before = files_in(&hooks);

    let install = repo.roadmap_hooks(&["install"]).success();
    for name in ["post-commit", "post-checkout"] {
        assert!(
            install.stdout.contains(&format!(
                "{name} (your hook is not executable, so git skips it; \
                 renamed to {name}.roadmap-hooks-chained and still skipped)"
            )),
            "{}",
            install.stdout
        );
    }
    commit_quietly(&repo, &IssueSpec::new("0000000b", "Beta"));
    assert_eq!(fresh_ids(&repo, &repo.root), ["0000000a", "0000000b"]);
    quiet_git(&repo, &repo.root, &["checkout", "-q", "HEAD~1"], &[]);
    assert_eq!(fresh_ids(&repo, &repo.root), ["0000000a"]);
    assert!(!log.exists(), "the user's hook stayed off");

    repo.roadmap_hooks(&["uninstall"]).success();
    assert_eq!(files_in(&hooks), before);
}

#[test]
fn core_hooks_path_inside_the_git_dir_is_honoured() {
    hooks_go_to_core_hooks_path(".git/team-hooks", false);
}

#[test]
fn core_hooks_path_outside_the_repository_is_honoured_with_a_note() {
    let repo = TestRepo::new();
    let shared = repo.sibling("shared-hooks");
    hooks_go_to_core_hooks_path(&shared.display().to_string(), true);
}

/// With `core.hooksPath` set to `value` the hooks go there, not to .git/hooks, and git runs them.
fn hooks_go_to_core_hooks_path(value: &str, outside: bool) {
    let repo = repo_with_alpha();
    repo.git(&["config", "core.hooksPath", value]);
    let dir = repo.hooks_dir();

    let install = repo.roadmap_hooks(&["install"]).success();
    let first_line = install.stdout.lines().next().unwrap_or_default();
    assert_eq!(
        first_line,
        format!("installed hooks in {}: {OUR_HOOKS}", dir.display())
    );
    let note = "note: this hooks directory is outside the repository (core.hooksPath); \
                the hooks run in every repository that uses it";
    assert_eq!(install.stdout.contains(note), outside, "{}", install.stdout);
    for name in OUR_HOOKS.split(", ") {
        assert!(dir.join(name).is_file(), "{name} in {}", dir.display());
        assert!(!repo.root.join(".git/hooks").join(name).exists(), "{name}");
    }

    commit_quietly(&repo, &IssueSpec::new("0000000b", "Beta"));
    assert_eq!(
        fresh_ids(&repo, &repo.root),
        ["0000000a", "0000000b"],
        "the hooks in {} ran",
        dir.display()
    );
}

#[test]
fn a_tracked_hooks_dir_is_refused_unless_allowed() {
    let repo = repo_with_alpha();
    write_executable(&repo.root.join(".husky/pre-commit"), "#!/bin/sh\n", 0o755);
    repo.commit_all("husky");
    repo.git(&["config", "core.hooksPath", ".husky"]);

    let refused = repo.roadmap_hooks(&["install"]);
    assert_eq!(refused.status, 1);
    assert_eq!(refused.stdout, "");
    assert_eq!(
        redacted(&repo, &refused.stderr),
        "roadmap-hooks: error: the hooks directory [REPO]/.husky is tracked in this repository; \
         installing would change files you commit\n\
         hint: rerun with --allow-tracked-hooks if that is what you want\n"
    );
    assert_eq!(
        files_in(&repo.root.join(".husky"))
            .into_keys()
            .collect::<Vec<_>>(),
        ["pre-commit"]
    );

    let allowed = repo
        .roadmap_hooks(&["install", "--allow-tracked-hooks"])
        .success();
    assert!(
        redacted(&repo, &allowed.stdout).starts_with("installed hooks in [REPO]/.husky: "),
        "{}",
        allowed.stdout
    );
    commit_quietly(&repo, &IssueSpec::new("0000000b", "Beta"));
    assert_eq!(fresh_ids(&repo, &repo.root), ["0000000a", "0000000b"]);
}

#[test]
fn a_bare_repository_is_refused_in_one_line() {
    let repo = TestRepo::new();
    let bare = repo.sibling("bare.git");
    repo.git(&["init", "-q", "--bare", &bare.display().to_string()]);
    let hooks_before = files_in(&bare.join("hooks"));

    let inside = repo.run_in(&bare, "roadmap-hooks", &["install"]);
    let bare_text = bare.display().to_string();
    let from_outside = repo.run_in(
        repo.root.parent().expect("the temporary directory"),
        "roadmap-hooks",
        &["install", "--repo", &bare_text],
    );
    for run in [inside, from_outside] {
        assert_eq!(run.status, 1, "{run:?}");
        assert_eq!(run.stdout, "");
        let lines: Vec<&str> = run.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{run:?}");
        assert!(
            lines[0].starts_with(&format!("roadmap-hooks: error: {bare_text}"))
                && lines[0].ends_with("is a bare repository; roadmap-hooks needs a working tree"),
            "{}",
            lines[0]
        );
    }
    assert_eq!(files_in(&bare.join("hooks")), hooks_before);
}

#[test]
fn install_from_a_linked_worktree_writes_the_shared_hooks_and_each_worktree_has_its_cache() {
    let repo = repo_with_alpha();
    let worktree = repo.sibling("wt");
    repo.git(&["worktree", "add", "-q", "-b", "topic", "../wt"]);

    let install = repo
        .run_in(&worktree, "roadmap-hooks", &["install"])
        .success();
    assert!(
        redacted(&repo, &install.stdout).starts_with(&format!(
            "installed hooks in [REPO]/.git/hooks: {OUR_HOOKS}\n"
        )),
        "{}",
        install.stdout
    );
    let worktree_git_dir = repo.root.join(".git/worktrees/wt");
    assert!(repo.root.join(".git/hooks/post-commit").is_file());
    assert!(!worktree_git_dir.join("hooks").exists());
    assert!(
        worktree_git_dir.join("roadmap").is_dir(),
        "the worktree's cache"
    );
    assert!(
        !repo.root.join(".git/roadmap").exists(),
        "install synced only the worktree it ran in"
    );

    commit_quietly_in(&repo, &worktree, &IssueSpec::new("0000000b", "On topic"));
    commit_quietly(&repo, &IssueSpec::new("0000000c", "On main"));
    assert!(repo.root.join(".git/roadmap").is_dir(), "main's own cache");
    assert_eq!(fresh_ids(&repo, &worktree), ["0000000a", "0000000b"]);
    assert_eq!(fresh_ids(&repo, &repo.root), ["0000000a", "0000000c"]);
    let status = repo
        .run_in(&worktree, "roadmap-hooks", &["status"])
        .success();
    insta::assert_snapshot!(
        "status_in_a_linked_worktree",
        redacted(&repo, &status.stdout)
    );
}

/// The binary the hooks call (`roadmap`, which `roadmap-hooks` runs) was deleted after
/// install: git still succeeds, and says once why the cache was not updated.
#[test]
fn a_missing_binary_never_fails_git() {
    let repo = repo_with_alpha();
    let launcher = repo.sibling("bin/roadmap-hooks");
    let copy = repo.sibling("bin/roadmap");
    fs::create_dir_all(copy.parent().unwrap()).unwrap();
    for (name, to) in [("roadmap-hooks", &launcher), ("roadmap", &copy)] {
        if fs::hard_link(binary(name), to).is_err() {
            fs::copy(binary(name), to).unwrap();
        }
    }
    repo.run_program_in(&repo.root, &launcher, ["install"])
        .success();
    let hook = read(&repo.root.join(".git/hooks/post-commit"));
    assert!(hook.contains(&format!("'{}' hook post-commit", copy.display())));
    fs::remove_file(&copy).unwrap();

    let warning = format!(
        "roadmap-hooks: {} is missing; issue cache not updated (reinstall: roadmap-hooks install)",
        copy.display()
    );
    repo.write_issue(&IssueSpec::new("0000000b", "Beta"));
    repo.git(&["add", "-A"]);
    for args in [
        &["commit", "-q", "-m", "add beta"][..],
        &["checkout", "-q", "-b", "topic"],
        &["checkout", "-q", "main"],
        &["checkout", "-q", "HEAD~1"],
    ] {
        let run = repo.try_git(args);
        assert_eq!(run.status, 0, "git {args:?}: {run:?}");
        assert_eq!(
            run.stderr.lines().collect::<Vec<_>>(),
            [&warning],
            "{args:?}"
        );
    }
}

#[test]
fn roadmap_hooks_0_turns_the_hooks_off_for_one_command() {
    let repo = repo_with_alpha();
    repo.roadmap_hooks(&["install"]).success();
    let synced = short_head(&repo);

    repo.write_issue(&IssueSpec::new("0000000b", "Beta"));
    repo.git(&["add", "-A"]);
    let off = [("ROADMAP_HOOKS", "0")];
    quiet_git(&repo, &repo.root, &["commit", "-q", "-m", "add beta"], &off);
    assert_eq!(
        ids_without_sync(&repo, &repo.root),
        (
            vec!["0000000a".to_owned()],
            format!(
                "roadmap: warning: the cache holds {synced} but HEAD is {}; \
                 showing it anyway (--no-sync)\n",
                short_head(&repo)
            )
        )
    );

    // Without the variable the next commit syncs both.
    commit_quietly(&repo, &IssueSpec::new("0000000c", "Gamma"));
    assert_eq!(
        fresh_ids(&repo, &repo.root),
        ["0000000a", "0000000b", "0000000c"]
    );
}

/// `git reset --hard` fires no post-* hook; the opt-in reference-transaction hook catches it.
#[test]
fn the_reference_transaction_opt_in_syncs_a_reset_hard() {
    let with_opt_in = repo_with_alpha();
    let install = with_opt_in
        .roadmap_hooks(&["install", "--reference-transaction"])
        .success();
    assert!(
        install
            .stdout
            .contains(&format!("{OUR_HOOKS}, reference-transaction\n")),
        "{}",
        install.stdout
    );
    let without = repo_with_alpha();
    without.roadmap_hooks(&["install"]).success();

    for repo in [&with_opt_in, &without] {
        commit_quietly(repo, &IssueSpec::new("0000000b", "Beta"));
        commit_quietly(repo, &IssueSpec::new("0000000c", "Gamma"));
        quiet_git(repo, &repo.root, &["reset", "-q", "--hard", "HEAD~2"], &[]);
    }
    assert_eq!(fresh_ids(&with_opt_in, &with_opt_in.root), ["0000000a"]);
    let (stale, warning) = ids_without_sync(&without, &without.root);
    assert_eq!(stale, ["0000000a", "0000000b", "0000000c"]);
    assert!(warning.contains("(--no-sync)"), "{warning}");

    let hook = with_opt_in.root.join(".git/hooks/reference-transaction");
    assert!(hook.is_file());
    let uninstall = with_opt_in.roadmap_hooks(&["uninstall"]).success();
    assert!(
        uninstall.stdout.ends_with(&format!(
            ", reference-transaction\nremoved the merge driver for issue files\n\
             removed the cache {}\n",
            with_opt_in.root.join(".git/roadmap").display()
        )),
        "{}",
        uninstall.stdout
    );
    assert!(!hook.exists());
}

#[test]
fn status_shows_each_hook_and_whether_the_cache_is_in_sync() {
    let repo = repo_with_alpha();
    let hooks = repo.root.join(".git/hooks");
    write_executable(&hooks.join("post-commit"), "#!/bin/sh\ntrue\n", 0o755);
    // Never run here (nothing is rewritten), so any interpreter will do.
    write_executable(
        &hooks.join("post-rewrite"),
        "#!/usr/bin/env node\nprocess.exit(0)\n",
        0o755,
    );
    let status =
        |repo: &TestRepo| redacted(repo, &repo.roadmap_hooks(&["status"]).success().stdout);
    insta::assert_snapshot!("status_before_install", status(&repo));
    let before = files_in(&hooks);

    repo.roadmap_hooks(&["install", "--reference-transaction"])
        .success();
    insta::assert_snapshot!("status_installed_in_sync", status(&repo));

    repo.write_issue(&IssueSpec::new("0000000b", "Beta"));
    repo.git(&["add", "-A"]);
    let off = [("ROADMAP_HOOKS", "0")];
    quiet_git(&repo, &repo.root, &["commit", "-q", "-m", "add beta"], &off);
    insta::assert_snapshot!("status_behind_head", status(&repo));

    repo.roadmap_hooks(&["uninstall"]).success();
    insta::assert_snapshot!("status_after_uninstall", status(&repo));
    // Exactly what the user had before install: their hooks, byte for byte, and no cache.
    assert_eq!(files_in(&hooks), before);
    assert!(!repo.root.join(".git/roadmap").exists());
}

/// Uninstall removes the cache it built and keeps the two files git cannot give back: the
/// record of an uncommitted `roadmap create` and the GitHub sync's baselines.
#[test]
fn uninstall_keeps_only_what_cannot_be_rebuilt() {
    let repo = repo_with_alpha();
    repo.roadmap_hooks(&["install"]).success();
    let created = repo.roadmap(&["create", "Not committed yet"]).success();
    let cache = repo.root.join(".git/roadmap");
    rusqlite::Connection::open(cache.join("remote.db"))
        .and_then(|db| db.execute_batch("CREATE TABLE baseline (id TEXT)"))
        .expect("a remote.db as the GitHub sync leaves it");
    assert!(cache.join("hooks.log").exists() || cache.join("current").exists());

    let uninstall = repo.roadmap_hooks(&["uninstall"]).success();
    assert!(
        uninstall.stdout.ends_with(&format!(
            "removed the cache in {} (kept pending-writes.json, remote.db: they cannot be rebuilt)\n",
            cache.display()
        )),
        "{}",
        uninstall.stdout
    );
    let mut left: Vec<String> = fs::read_dir(&cache)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    assert_eq!(left, ["pending-writes.json", "remote.db"]);
    // The next query builds the cache again, the uncommitted issue still in it.
    let titles = repo.roadmap(&["list", "--format", "csv"]).success().stdout;
    assert!(
        titles.contains("Not committed yet"),
        "{created:?}\n{titles}"
    );
}

#[test]
fn the_hook_command_exits_0_whatever_it_is_given() {
    let repo = repo_with_alpha();
    repo.roadmap_hooks(&["install"]).success();
    let nowhere = repo.sibling("not-a-repository");
    fs::create_dir(&nowhere).unwrap();
    let garbage: &[&[&str]] = &[
        &["hook"],
        &["hook", ""],
        &["hook", "--help"],
        &["hook", "no-such-hook", "--bogus", "-x"],
        &["hook", "post-checkout", "not-a-sha", "zzz", "7"],
        &["hook", "post-rewrite", "amend", "extra", "args"],
        &["hook", "reference-transaction"],
    ];
    for dir in [&repo.root, &nowhere] {
        for args in garbage {
            let run = repo.run_program_in(dir, &binary("roadmap-hooks"), *args);
            assert_hook_ran_quietly(&run, dir, args);
        }
    }
    assert_eq!(fresh_ids(&repo, &repo.root), ["0000000a"]);
}

#[test]
fn the_hook_command_exits_0_on_arguments_that_are_not_utf8() {
    use std::os::unix::ffi::OsStringExt;
    let repo = repo_with_alpha();
    let not_utf8 = [
        "hook".into(),
        "post-checkout".into(),
        std::ffi::OsString::from_vec(vec![0xff, 0xfe]),
    ];
    let run = repo.run_program_in(&repo.root, &binary("roadmap-hooks"), &not_utf8);
    assert_hook_ran_quietly(&run, &repo.root, &not_utf8);
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// A repository whose first commit holds issue 0000000a.
fn repo_with_alpha() -> TestRepo {
    let repo = TestRepo::new();
    repo.commit_issue(&IssueSpec::new("0000000a", "Alpha"));
    repo
}

/// `text` with the temporary repository's path replaced by `[REPO]`.
fn redacted(repo: &TestRepo, text: &str) -> String {
    let canonical = fs::canonicalize(&repo.root).unwrap();
    text.replace(&canonical.display().to_string(), "[REPO]")
        .replace(&repo.root.display().to_string(), "[REPO]")
}

fn short(commit: &str) -> &str {
    &commit[..7]
}

fn short_head(repo: &TestRepo) -> String {
    short(&repo.head()).to_owned()
}

/// Commits `issue` in the repository; asserts git succeeded and our hooks said nothing.
#[track_caller]
fn commit_quietly(repo: &TestRepo, issue: &IssueSpec) -> String {
    commit_quietly_in(repo, &repo.root, issue)
}

/// [`commit_quietly`] in the worktree at `dir`; returns the new commit.
#[track_caller]
fn commit_quietly_in(repo: &TestRepo, dir: &Path, issue: &IssueSpec) -> String {
    let path = dir.join(issue.path());
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, issue.render()).unwrap();
    repo.git_in(dir, &["add", "-A"]);
    quiet_git(
        repo,
        dir,
        &["commit", "-q", "-m", &format!("add {}", issue.id)],
        &[],
    );
    repo.git_in(dir, &["rev-parse", "HEAD"]).trim().to_owned()
}

/// Runs git in `dir` with extra environment variables; asserts it succeeded and printed
/// nothing on stderr (our hooks are silent when all is well).
#[track_caller]
fn quiet_git(repo: &TestRepo, dir: &Path, args: &[&str], env: &[(&str, &str)]) {
    let run = repo.try_git_with_env(dir, args, env);
    assert_eq!(
        (run.status, run.stderr.as_str()),
        (0, ""),
        "git {args:?}: {run:?}"
    );
}

/// Amends HEAD to add `issue`; returns what git gives post-rewrite: `amend`, then `OLD NEW`.
fn amend_adding(repo: &TestRepo, issue: &IssueSpec) -> String {
    let old = repo.head();
    repo.write_issue(issue);
    repo.git(&["add", "-A"]);
    // A different date, or the amended commit could be the very same object.
    let later = [("GIT_COMMITTER_DATE", "2025-01-02T00:00:00Z")];
    quiet_git(
        repo,
        &repo.root,
        &["commit", "-q", "--amend", "--no-edit"],
        &later,
    );
    format!("post-rewrite amend\n{old} {}\n", repo.head())
}

/// The ids `roadmap list --all --no-sync` lists in `dir`, asserting it did not warn: the cache
/// was already at HEAD, so only a hook can have synced it.
#[track_caller]
fn fresh_ids(repo: &TestRepo, dir: &Path) -> Vec<String> {
    let (ids, warning) = ids_without_sync(repo, dir);
    assert_eq!(warning, "", "the cache is behind HEAD in {}", dir.display());
    ids
}

/// `roadmap list --all --no-sync` in `dir`: the ids, sorted, and what it said on stderr.
#[track_caller]
fn ids_without_sync(repo: &TestRepo, dir: &Path) -> (Vec<String>, String) {
    let args = [
        "list",
        "--all",
        "--no-sync",
        "--sort",
        "id",
        "--format",
        "json",
    ];
    let run = repo.run_in(dir, "roadmap", &args).success();
    let listed: serde_json::Value = serde_json::from_str(&run.stdout).expect("list prints JSON");
    let ids = listed
        .as_array()
        .expect("a JSON array")
        .iter()
        .map(|issue| issue["id"].as_str().expect("an id").to_owned())
        .collect();
    (ids, run.stderr)
}

#[track_caller]
fn assert_hook_ran_quietly(run: &Run, dir: &Path, args: &dyn std::fmt::Debug) {
    assert_eq!(run.status, 0, "hook {args:?} in {}: {run:?}", dir.display());
    assert_eq!(run.stdout, "", "hook {args:?}");
    assert!(
        run.stderr.lines().count() <= 1,
        "hook {args:?} in {}: {run:?}",
        dir.display()
    );
}

fn write_executable(path: &Path, text: &str, mode: u32) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

fn mode_of(path: &Path) -> u32 {
    fs::symlink_metadata(path).unwrap().permissions().mode() & 0o7777
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// One entry of a hooks directory, as `uninstall` must give it back.
#[derive(Debug, Clone, PartialEq, Eq)]
struct HookFile {
    bytes: Vec<u8>,
    mode: u32,
    symlink_to: Option<PathBuf>,
}

impl HookFile {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

/// Every entry of `dir` by name (none when `dir` does not exist).
fn files_in(dir: &Path) -> BTreeMap<String, HookFile> {
    let Ok(entries) = fs::read_dir(dir) else {
        return BTreeMap::new();
    };
    entries
        .map(|entry| {
            let path = entry.unwrap().path();
            let file = HookFile {
                bytes: fs::read(&path).unwrap_or_default(),
                mode: mode_of(&path),
                symlink_to: fs::read_link(&path).ok(),
            };
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, file)
        })
        .collect()
}

/// A scripting language other than the shell, for hooks we cannot add a block to.
#[derive(Debug, Clone, Copy)]
enum ScriptLanguage {
    Python,
    Perl,
}

impl ScriptLanguage {
    fn available() -> Option<Self> {
        let runs = |program: &str, code: &str| {
            Command::new(program)
                .args([if program == "python3" { "-c" } else { "-e" }, code])
                .output()
                .is_ok_and(|output| output.status.success())
        };
        if runs("python3", "pass") {
            Some(ScriptLanguage::Python)
        } else if runs("/usr/bin/perl", "1") {
            Some(ScriptLanguage::Perl)
        } else {
            None
        }
    }

    /// A post-rewrite hook appending `post-rewrite ARGS` and then its stdin to `log`.
    fn post_rewrite_logging_stdin_to(self, log: &Path) -> String {
        let log = log.display();
        match self {
            ScriptLanguage::Python => format!(
                "#!/usr/bin/env python3\nimport sys\n\
                 with open('{log}', 'a') as log:\n    \
                 log.write('post-rewrite ' + ' '.join(sys.argv[1:]) + '\\n' + sys.stdin.read())\n"
            ),
            ScriptLanguage::Perl => format!(
                "#!/usr/bin/perl\nopen(my $log, '>>', '{log}') or die;\n\
                 print $log \"post-rewrite @ARGV\\n\";\nprint $log $_ while <STDIN>;\n"
            ),
        }
    }

    fn post_checkout_exiting(self, status: i32) -> String {
        match self {
            ScriptLanguage::Python => {
                format!("#!/usr/bin/env python3\nimport sys\nsys.exit({status})\n")
            }
            ScriptLanguage::Perl => format!("#!/usr/bin/perl\nexit {status};\n"),
        }
    }
}

#[test]
fn doctor_names_each_problem_and_its_fix() {
    let repo = TestRepo::new();
    repo.commit_issue(&crate::common::IssueSpec::new("0000000a", "Alpha"));
    repo.roadmap_hooks(&["install"]).success();
    let healthy = repo.doctor();
    assert_eq!(healthy.status, 0, "{healthy:?}");
    assert!(!healthy.stdout.contains("problem"), "{}", healthy.stdout);

    std::fs::remove_file(repo.root.join(".git/hooks/post-merge")).unwrap();
    repo.write(
        ".roadmap/issues/backlog/0000000b-broken.md",
        "---\nid: [oops\n---\n",
    );
    repo.git(&["add", "-A"]);
    repo.git(&[
        "-c",
        "core.hooksPath=/dev/null",
        "commit",
        "-q",
        "-m",
        "behind the hooks' back",
    ]);
    let sick = repo.doctor();
    assert_eq!(sick.status, 1);
    assert!(
        sick.stdout.contains(
            "problem  post-merge: not installed\n         fix: run `roadmap-hooks install`\n"
        ),
        "{}",
        sick.stdout
    );
    assert!(
        sick.stdout.contains("problem  cache holds "),
        "{}",
        sick.stdout
    );
    assert!(
        sick.stdout
            .contains("fix: run `roadmap-hooks sync` (the next `roadmap list` does it too)"),
        "{}",
        sick.stdout
    );
    assert_eq!(sick.stderr, "roadmap-hooks: error: 2 problem(s) found\n");

    repo.roadmap(&["list"]).success();
    let after_sync = repo.doctor().stdout;
    assert!(after_sync.contains("problem  1 issue files cannot be read, e.g. .roadmap/issues/backlog/0000000b-broken.md: invalid YAML in frontmatter"), "{after_sync}");
}

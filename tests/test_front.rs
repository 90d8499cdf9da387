//! `roadmap` in front of the Python tracker: command lines we do not serve go to it unchanged;
//! `issue list` answered from the cache equals the tracker's own output byte for byte (against
//! committed captures always, and against the tracker itself when it is installed); the first
//! query in a repository builds the cache.

use crate::common::tracker::{TrackerLine, installed_tracker, required};
use crate::common::{NO_TRACKER, Run, TestRepo, copy_fixture, hermetic};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A repository holding the `.roadmap/` of `tests/fixtures/TREE`, committed, with the config
/// file `roadmap init` writes (and gitignores), without which the tracker refuses to read it.
fn tracker_repo(tree: &str) -> TestRepo {
    let repo = TestRepo::new();
    copy_fixture(&repo, tree);
    repo.write(".roadmap/config.yaml", "");
    repo.commit_all("roadmap data");
    repo
}

/// A stand-in tracker: prints its arguments (one per bracket), then its stdin, exits 7.
fn fake_tracker(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join("roadmap");
    std::fs::write(
        &path,
        "#!/bin/sh\n\
         if [ \"$1\" = --version ]; then echo 'roadmap, version 9.9.9'; exit 0; fi\n\
         if [ -n \"$FAKE_PWD\" ]; then echo \"in $(pwd)\"; fi\n\
         printf 'tracker got:'; for a in \"$@\"; do printf ' [%s]' \"$a\"; done; echo\n\
         cat\n\
         exit 7\n",
    )
    .unwrap();
    make_executable(&path);
    path
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Runs our `roadmap` (or `program`) in `dir` with `env` and `stdin`.
fn run(dir: &Path, program: &Path, args: &[&str], env: &[(&str, &str)], stdin: &str) -> Run {
    let mut command = Command::new(program);
    hermetic(&mut command).args(args).current_dir(dir);
    for (name, value) in env {
        command.env(name, value);
    }
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("start");
    {
        use std::io::Write;
        let mut input = child.stdin.take().unwrap();
        input.write_all(stdin.as_bytes()).unwrap();
    }
    Run::from_output(child.wait_with_output().unwrap())
}

fn roadmap() -> PathBuf {
    crate::common::binary("roadmap")
}

#[test]
fn unknown_commands_go_to_the_tracker_with_arguments_stdin_and_exit_status() {
    let repo = TestRepo::new();
    let tracker = fake_tracker(&repo.sibling("bin"));
    let tracker = tracker.to_str().unwrap();
    let got = run(
        &repo.root,
        &roadmap(),
        &["init", "--name", "two words", ""],
        &[("ROADMAP_TRACKER", tracker)],
        "typed\n",
    );
    assert_eq!(
        got.stdout,
        "tracker got: [init] [--name] [two words] []\ntyped\n"
    );
    assert_eq!(got.status, 7);
    let got = run(
        &repo.root,
        &roadmap(),
        &["help", "milestone", "create"],
        &[("ROADMAP_TRACKER", tracker)],
        "",
    );
    assert_eq!(got.stdout, "tracker got: [milestone] [create] [--help]\n");
    for args in [
        &["issue", "start", "abc"][..],
        &["issue", "view", "abc"],
        &["issue", "create", "--title", "X"],
        &["issue", "list"],
        &["issue", "list", "--format", "rich"],
        &["issue", "list", "--verbose", "--format", "csv"],
        &["milestone", "list"],
        &["status"],
        &["--no-such-flag"],
    ] {
        let got = run(
            &repo.root,
            &roadmap(),
            args,
            &[("ROADMAP_TRACKER", tracker)],
            "",
        );
        let expected: String = args.iter().map(|a| format!(" [{a}]")).collect();
        assert_eq!(got.stdout, format!("tracker got:{expected}\n"), "{args:?}");
        assert_eq!(got.status, 7, "{args:?}");
    }
}

#[test]
fn our_directory_option_applies_before_the_tracker_runs() {
    let repo = TestRepo::new();
    std::fs::create_dir_all(repo.root.join("sub")).unwrap();
    let tracker = fake_tracker(&repo.sibling("bin"));
    let env = [
        ("ROADMAP_TRACKER", tracker.to_str().unwrap()),
        ("FAKE_PWD", "1"),
    ];
    let got = run(
        &repo.root,
        &roadmap(),
        &["-C", "sub", "--no-pager", "init", "-C"],
        &env,
        "",
    );
    let sub = repo.root.join("sub").canonicalize().unwrap();
    assert_eq!(
        got.stdout,
        format!("in {}\ntracker got: [init] [-C]\n", sub.display())
    );
}

#[test]
fn the_tracker_is_the_next_roadmap_on_path_not_this_one() {
    let repo = TestRepo::new();
    let ours = repo.sibling("ours");
    std::fs::create_dir_all(&ours).unwrap();
    std::os::unix::fs::symlink(roadmap(), ours.join("roadmap")).unwrap();
    let theirs = fake_tracker(&repo.sibling("theirs"));
    let path = format!(
        "{}:{}:/usr/bin:/bin",
        ours.display(),
        theirs.parent().unwrap().display()
    );
    let mut command = Command::new(ours.join("roadmap"));
    hermetic(&mut command)
        .env_remove("ROADMAP_TRACKER")
        .env("PATH", &path)
        .args(["milestone", "list"])
        .current_dir(&repo.root)
        .stdin(Stdio::null());
    let got = Run::from_output(command.output().unwrap());
    assert_eq!(got.stdout, "tracker got: [milestone] [list]\n");
    assert_eq!(got.status, 7);
}

#[test]
fn git_config_names_the_tracker() {
    let repo = TestRepo::new();
    let tracker = fake_tracker(&repo.sibling("bin"));
    repo.git(&["config", "roadmap.tracker", tracker.to_str().unwrap()]);
    let mut command = Command::new(roadmap());
    hermetic(&mut command)
        .env_remove("ROADMAP_TRACKER")
        .env("PATH", "/usr/bin:/bin")
        .args(["today"])
        .current_dir(&repo.root)
        .stdin(Stdio::null());
    let got = Run::from_output(command.output().unwrap());
    assert_eq!(got.stdout, "tracker got: [today]\n");
}

#[test]
fn without_a_tracker_one_line_says_whose_command_it_is_and_how_to_install_it() {
    let repo = TestRepo::new();
    let mut command = Command::new(roadmap());
    hermetic(&mut command)
        .env_remove("ROADMAP_TRACKER")
        .env("PATH", "/usr/bin:/bin")
        .args(["milestone", "list", "--overdue"])
        .current_dir(&repo.root);
    let got = Run::from_output(command.output().unwrap());
    assert_eq!(got.status, 2);
    assert_eq!(
        got.stderr,
        "roadmap: `roadmap milestone list` is a command of the roadmap-cli tracker, which is not installed (not on PATH); install it with `pipx install roadmap-cli`\n"
    );
    assert_eq!(got.stdout, "");
}

#[test]
fn a_tracker_that_is_roadmap_hooks_again_is_not_run_in_a_loop() {
    let repo = TestRepo::new();
    let copy = repo.sibling("copy-of-ours");
    std::fs::copy(roadmap(), &copy).unwrap();
    let got = run(
        &repo.root,
        &roadmap(),
        &["init"],
        &[("ROADMAP_TRACKER", copy.to_str().unwrap())],
        "",
    );
    assert_eq!(got.status, 2);
    assert!(
        got.stderr
            .contains("which is this roadmap-hooks binary itself"),
        "{}",
        got.stderr
    );
}

#[test]
fn sync_is_always_ours_and_names_our_equivalent_of_a_tracker_flag() {
    let repo = TestRepo::new();
    let tracker = fake_tracker(&repo.sibling("bin"));
    let env = [("ROADMAP_TRACKER", tracker.to_str().unwrap())];
    let got = run(&repo.root, &roadmap(), &["sync", "--force-local"], &env, "");
    assert_eq!(got.status, 2);
    assert_eq!(got.stdout, "", "the tracker must not run");
    assert!(
        got.stderr.starts_with(
            "roadmap: error: `roadmap sync` is roadmap-hooks' GitHub sync and has no `--force-local`; use `roadmap sync --prefer local`\n"
        ),
        "{}",
        got.stderr
    );
    let got = run(
        &repo.root,
        &roadmap(),
        &["sync", "--backend", "git"],
        &env,
        "",
    );
    assert_eq!(got.status, 2);
    assert!(
        got.stderr.contains("see `roadmap sync --help`"),
        "{}",
        got.stderr
    );
}

#[test]
fn a_typo_in_one_of_our_own_commands_is_our_usage_error() {
    let repo = TestRepo::new();
    let tracker = fake_tracker(&repo.sibling("bin"));
    let env = [("ROADMAP_TRACKER", tracker.to_str().unwrap())];
    let got = run(&repo.root, &roadmap(), &["list", "--bogus"], &env, "");
    assert_eq!(got.status, 2);
    assert_eq!(got.stdout, "");
    assert!(got.stderr.contains("unexpected argument '--bogus'"));
}

#[test]
fn version_shows_ours_and_the_trackers() {
    let repo = TestRepo::new();
    let tracker = fake_tracker(&repo.sibling("bin"));
    let env = [("ROADMAP_TRACKER", tracker.to_str().unwrap())];
    let got = run(&repo.root, &roadmap(), &["--version"], &env, "");
    assert_eq!(
        got.stdout,
        format!(
            "roadmap (roadmap-hooks) {}\ntracker: roadmap-cli 9.9.9, a release we do not know \
             (every tracker command goes to it) ({})\n",
            env!("CARGO_PKG_VERSION"),
            tracker.display()
        )
    );
    let got = repo.roadmap(&["--version"]);
    assert_eq!(
        got.stdout.lines().nth(1).unwrap(),
        format!("tracker: ROADMAP_TRACKER names `{NO_TRACKER}`, which is not an executable file")
    );
}

#[test]
fn help_says_which_commands_are_served_and_which_forwarded() {
    let repo = TestRepo::new();
    let help = repo.roadmap(&["help"]).success().stdout;
    assert!(
        help.contains("Served by roadmap-hooks from the cache:"),
        "{help}"
    );
    assert!(
        help.contains("Forwarded unchanged to the Python tracker"),
        "{help}"
    );
}

#[test]
fn issue_list_is_forwarded_when_ours_could_differ() {
    let repo = TestRepo::new();
    let tracker = fake_tracker(&repo.sibling("bin"));
    let env = [("ROADMAP_TRACKER", tracker.to_str().unwrap())];
    let args = ["issue", "list", "--format", "csv"];
    // No config.yaml: the tracker says the roadmap is not initialised; its words, not ours.
    copy_fixture(&repo, "front");
    repo.remove(".roadmap/config.yaml");
    repo.commit_all("no config");
    let got = run(&repo.root, &roadmap(), &args, &env, "");
    assert_eq!(got.stdout, "tracker got: [issue] [list] [--format] [csv]\n");
    // Rich markup in a title: the tracker would eat `[draft]`; we do not imitate that.
    repo.write(".roadmap/config.yaml", "");
    let file = ".roadmap/issues/m1/a1000001-past-due-and-small.md";
    let text = std::fs::read_to_string(repo.root.join(file)).unwrap();
    repo.write(
        file,
        &text.replace("title: Past due", "title: '[draft] Past due'"),
    );
    repo.commit_all("markup");
    let got = run(&repo.root, &roadmap(), &args, &env, "");
    assert_eq!(got.stdout, "tracker got: [issue] [list] [--format] [csv]\n");
    // A milestone file in a shape the tracker's writer never produces: its reading, not ours.
    repo.write(
        ".roadmap/milestones/legacy.md",
        "---\nname: legacy\ndescription: old key\n---\n",
    );
    repo.commit_all("legacy milestone");
    let got = run(&repo.root, &roadmap(), &["milestone", "list"], &env, "");
    assert_eq!(got.stdout, "tracker got: [milestone] [list]\n");
    // From a subfolder the tracker finds no roadmap; forwarded too.
    std::fs::create_dir_all(repo.root.join("sub")).unwrap();
    let got = run(&repo.root.join("sub"), &roadmap(), &args, &env, "");
    assert_eq!(got.status, 7);
}

/// One command line of `tests/fixtures/front-cases.txt`.
struct Case {
    tree: String,
    name: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
}

impl Case {
    fn forwarded(&self) -> bool {
        self.name.starts_with("forwarded-")
    }

    fn env(&self) -> Vec<(&str, &str)> {
        self.env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(fixtures().join("front-cases.txt")).unwrap();
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('|').map(str::trim).collect();
            Case {
                tree: fields[0].to_owned(),
                name: fields[1].to_owned(),
                args: fields[2].split(' ').map(str::to_owned).collect(),
                env: fields
                    .get(3)
                    .map(|env| {
                        env.split(' ')
                            .filter_map(|pair| pair.split_once('='))
                            .map(|(k, v)| (k.to_owned(), v.to_owned()))
                            .collect()
                    })
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// Runs every case through ours (the tracker unreachable, so a forward would fail) and
/// compares with `expected(case, repo)`; reports every difference at once.
fn compare_all(expected: impl Fn(&Case, &TestRepo) -> Option<String>) {
    let mut failures = Vec::new();
    let mut repos: Vec<(String, TestRepo)> = Vec::new();
    for case in cases() {
        if !repos.iter().any(|(tree, _)| *tree == case.tree) {
            repos.push((case.tree.clone(), tracker_repo(&case.tree)));
        }
        let repo = &repos.iter().find(|(tree, _)| *tree == case.tree).unwrap().1;
        let args: Vec<&str> = case.args.iter().map(String::as_str).collect();
        let ours = run(&repo.root, &roadmap(), &args, &case.env(), "");
        if case.forwarded() {
            // The tracker is unreachable for ours: a forward shows as this failure.
            if ours.status != 2 || !ours.stderr.contains("with the tracker") {
                failures.push(format!("{}/{}: not forwarded", case.tree, case.name));
            }
            continue;
        }
        let Some(theirs) = expected(&case, repo) else {
            continue;
        };
        if ours.status != 0 || ours.stdout != theirs {
            failures.push(format!(
                "{}/{} ({}): exit {}\n--- ours\n{}{}--- tracker\n{}",
                case.tree,
                case.name,
                args.join(" "),
                ours.status,
                ours.stdout,
                ours.stderr,
                theirs
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn front_cases_equal_the_trackers_captured_output() {
    compare_all(|case, _| {
        let path = fixtures()
            .join("tracker-1.0.2-front-output")
            .join(&case.tree)
            .join(format!("{}.txt", case.name));
        Some(std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (run tests/fixtures/make-fixtures.sh --front)",
                path.display()
            )
        }))
    });
}

#[test]
fn front_cases_equal_the_installed_tracker() {
    let Some(tracker) = installed_tracker(TrackerLine::Legacy) else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    compare_all(|case, repo| {
        let mut env = case.env();
        env.push(("HOME", home.path().to_str().unwrap()));
        let got = run(
            &repo.root,
            &tracker,
            &case.args.iter().map(String::as_str).collect::<Vec<_>>(),
            &env,
            "",
        );
        Some(got.stdout)
    });
}

#[test]
fn issue_list_shows_uncommitted_edits_as_the_tracker_does() {
    // The tracker reads the working tree. Ours on uncommitted edits must equal ours on the same
    // files committed, which the comparisons above hold to the tracker's bytes.
    let edit = |repo: &TestRepo| {
        let file = ".roadmap/issues/m1/a1000001-past-due-and-small.md";
        let text = std::fs::read_to_string(repo.root.join(file)).unwrap();
        repo.write(file, &text.replace("priority: high", "priority: low"));
        repo.remove(".roadmap/issues/m1/a1000009-review-by-dave.md");
        let other = ".roadmap/issues/m2/a1000008-blocked-with-explicit-zero-progress.md";
        let text = std::fs::read_to_string(repo.root.join(other)).unwrap();
        repo.write(
            ".roadmap/issues/backlog/a10000ff-new.md",
            &text
                .replace("a1000008", "a10000ff")
                .replace("2026-01-08", "2026-02-01")
                .replace("milestone: m2", "milestone: null"),
        );
    };
    let uncommitted = tracker_repo("front");
    uncommitted.roadmap(&["list"]).success();
    edit(&uncommitted);
    let committed = tracker_repo("front");
    edit(&committed);
    committed.commit_all("the same edits, committed");
    for args in [
        &["issue", "list", "--format", "csv"][..],
        &["issue", "list", "--backlog", "--format", "json"],
    ] {
        let ours = uncommitted.roadmap(args).success().stdout;
        assert_eq!(ours, committed.roadmap(args).success().stdout, "{args:?}");
        assert!(
            ours.contains("a10000ff") && !ours.contains("a1000009"),
            "{ours}"
        );
    }
}

#[test]
fn status_counts_uncommitted_edits_as_the_tracker_does() {
    // As for `issue list`: ours on uncommitted edits equals ours on the same files committed.
    let edit = |repo: &TestRepo| {
        let file = ".roadmap/issues/m1/a1000001-past-due-and-small.md";
        let text = std::fs::read_to_string(repo.root.join(file)).unwrap();
        repo.write(file, &text.replace("status: todo", "status: closed"));
        repo.remove(".roadmap/issues/m1/a1000009-review-by-dave.md");
        let moved = ".roadmap/issues/m2/a1000008-blocked-with-explicit-zero-progress.md";
        let text = std::fs::read_to_string(repo.root.join(moved)).unwrap();
        repo.remove(moved);
        repo.write(
            ".roadmap/archive/issues/m2/a1000008-blocked-with-explicit-zero-progress.md",
            &text,
        );
    };
    let uncommitted = tracker_repo("front");
    let before = uncommitted.roadmap(&["status"]).success().stdout;
    edit(&uncommitted);
    let committed = tracker_repo("front");
    edit(&committed);
    committed.commit_all("the same edits, committed");
    let ours = uncommitted.roadmap(&["status"]).success().stdout;
    assert_eq!(ours, committed.roadmap(&["status"]).success().stdout);
    assert_ne!(ours, before);
    assert!(
        ours.contains("│ Issues     │ 6    │ 3      │ 2        │ 11    │"),
        "{ours}"
    );
    if let Some(tracker) = installed_tracker(TrackerLine::Legacy) {
        let home = tempfile::tempdir().unwrap();
        let env = [("HOME", home.path().to_str().unwrap())];
        let theirs = run(&uncommitted.root, &tracker, &["status"], &env, "");
        assert_eq!(ours, theirs.stdout);
    }
}

#[test]
fn issue_and_milestone_lists_go_to_the_tracker_for_a_status_it_skips() {
    let issue = ".roadmap/issues/m1/a1000001-past-due-and-small.md";
    for status in ["done", "completed", "'done'"] {
        let repo = tracker_repo("front");
        let text = std::fs::read_to_string(repo.root.join(issue))
            .unwrap()
            .replace("status: todo", &format!("status: {status}"));
        repo.write(issue, &text);
        for command in [&["issue", "list"][..], &["milestone", "list"]] {
            let got = repo.roadmap(command);
            assert_eq!(got.status, 2, "{status} {command:?}: {}", got.stdout);
            assert!(got.stderr.contains("with the tracker"), "{}", got.stderr);
        }
    }
}

#[test]
fn status_goes_to_the_tracker_when_it_may_count_files_differently() {
    let issue = ".roadmap/issues/m1/a1000001-past-due-and-small.md";
    let milestone = "---\nname: m9\nstatus: closed\n---\n";
    // An older tracker's `done`: the cache reads it as closed, roadmap-cli 1.0.2 skips the file.
    let done = std::fs::read_to_string(fixtures().join("front").join(issue))
        .unwrap()
        .replace("status: todo", "status: done");
    for (path, text) in [
        (issue, Some(done.as_str())),
        (".roadmap/issues/m1/a1000001-copy.backup.md", None),
        (".roadmap/issues/m1/deeper/a1000001-deeper.md", None),
        (".roadmap/issues/README.md", Some("# Issues\n")),
        (
            ".roadmap/archive/issues/m1/a10000ee-broken.md",
            Some("no frontmatter\n"),
        ),
        (
            ".roadmap/archive/milestones/m9.md",
            Some(&milestone.replace("status: closed\n", "")),
        ),
        (
            ".roadmap/projects/p1-x.md",
            Some("---\nname: x\nstatus: finished\n---\n"),
        ),
        (
            ".roadmap/archive/projects/p1-x.md",
            Some("---\nname: x\nlead: ada\n---\n"),
        ),
    ] {
        let repo = tracker_repo("front");
        let text = text.map_or_else(
            || std::fs::read_to_string(repo.root.join(issue)).unwrap(),
            str::to_owned,
        );
        repo.write(path, &text);
        let got = repo.roadmap(&["status"]);
        assert_eq!(got.status, 2, "{path}: {}", got.stdout);
        assert!(
            got.stderr.contains("with the tracker"),
            "{path}: {}",
            got.stderr
        );
    }
}

#[test]
fn the_first_query_builds_the_cache_and_says_once_how_to_keep_it_current() {
    let repo = tracker_repo("front");
    let first = repo.roadmap(&["list", "--format", "ids"]).success();
    assert!(first.stdout.contains("a1000001"), "{}", first.stdout);
    assert_eq!(
        first.stderr,
        "roadmap: built the issue cache; run `roadmap-hooks install` once so git hooks keep it current\n"
    );
    let second = repo.roadmap(&["list", "--format", "ids"]).success();
    assert_eq!(second.stdout, first.stdout);
    assert_eq!(second.stderr, "");
}

#[test]
fn without_a_roadmap_folder_at_the_root_it_says_so_and_names_one_further_down() {
    let repo = TestRepo::new();
    repo.write("README.md", "hello\n");
    repo.commit_all("no roadmap");
    let got = repo.roadmap(&["list"]);
    assert_eq!(got.status, 1);
    let root = repo.root.display();
    assert_eq!(
        got.stderr,
        format!(
            "roadmap: error: no .roadmap/ folder at the root of this repository ({root})\nhint: run `roadmap init` to start tracking issues here\n"
        )
    );
    repo.write("tools/planning/.roadmap/issues/backlog/.gitkeep", "");
    let got = repo.roadmap(&["show", "abc"]);
    assert_eq!(got.status, 1);
    assert!(
        got.stderr.ends_with(
            "hint: found tools/planning/.roadmap/; roadmap reads only the repository root's (move it there, or run `roadmap init` to start one)\n"
        ),
        "{}",
        got.stderr
    );
}

/// A repository with `count` issues committed (ids 00000001...).
fn repo_with_issues(count: usize) -> TestRepo {
    let repo = TestRepo::new();
    for n in 1..=count {
        repo.write_issue(&crate::common::IssueSpec::new(
            &format!("{n:08x}"),
            &format!("Issue number {n}"),
        ));
    }
    repo.commit_all("issues");
    repo.roadmap_hooks(&["sync"]).success();
    repo
}

/// Runs `roadmap ARGS` on a pseudo-terminal (`script`), or `None` where `script` is missing.
fn on_a_terminal(repo: &TestRepo, args: &str, env: &[(&str, &str)]) -> Option<String> {
    on_a_terminal_running(repo, &format!("{} {args}", roadmap().display()), env)
}

/// Runs the shell command `line` on a pseudo-terminal (`script`), or `None` where `script` is
/// missing.
pub(crate) fn on_a_terminal_running(
    repo: &TestRepo,
    line: &str,
    env: &[(&str, &str)],
) -> Option<String> {
    let script = which_script()?;
    let mut command = Command::new(script);
    hermetic(&mut command)
        .args(["-qec", line, "/dev/null"])
        .current_dir(&repo.root)
        .stdin(Stdio::null());
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().unwrap();
    Some(String::from_utf8_lossy(&output.stdout).replace("\r\n", "\n"))
}

fn which_script() -> Option<PathBuf> {
    ["/usr/bin/script", "/bin/script"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

#[test]
fn long_output_on_a_terminal_goes_through_the_pager() {
    let repo = repo_with_issues(40);
    let pager = [("ROADMAP_PAGER", "sed s/^/paged:/")];
    let paged = on_a_terminal(&repo, "list", &pager);
    let Some(paged) = required(paged, "`script` (to give the command a terminal)") else {
        return;
    };
    assert!(paged.lines().count() > 40, "{paged}");
    assert!(paged.lines().all(|l| l.starts_with("paged:")), "{paged}");
    let direct = on_a_terminal(&repo, "list --no-pager", &pager).unwrap();
    assert!(!direct.contains("paged:"), "{direct}");
    let cat = on_a_terminal(&repo, "list", &[("PAGER", "cat")]).unwrap();
    assert!(!cat.contains("paged:") && cat.contains("Issue number 40"));
    let short = on_a_terminal(&repo, "list --limit 3", &pager).unwrap();
    assert!(!short.contains("paged:"), "{short}");
    // Piped output is never paged.
    let piped = run(&repo.root, &roadmap(), &["list"], &pager, "");
    assert!(!piped.stdout.contains("paged:"));
}

#[test]
fn a_limit_that_cuts_the_table_says_how_many_matched() {
    let repo = repo_with_issues(5);
    let table = repo.roadmap(&["list", "--limit", "2"]).success().stdout;
    assert_eq!(
        table.lines().last().unwrap(),
        "(2 of 5 matching issues shown; raise --limit to see more)"
    );
    let all = repo.roadmap(&["list", "--limit", "5"]).success().stdout;
    assert!(!all.contains("matching issues shown"));
    let csv = repo
        .roadmap(&["list", "--limit", "2", "--format", "csv"])
        .success()
        .stdout;
    assert_eq!(csv.lines().count(), 3, "header and two rows, no footer");
}

#[test]
fn control_characters_in_titles_are_escaped() {
    let repo = TestRepo::new();
    let spec = crate::common::IssueSpec::new("0000000c", "placeholder");
    let text: String = spec
        .render()
        .lines()
        .map(|line| match line.starts_with("title:") {
            true => "title: \"two\\nlines\\e[31m red\\tand tab\"\n".to_owned(),
            false => format!("{line}\n"),
        })
        .collect();
    repo.write(&spec.path(), &text);
    repo.commit_all("odd title");
    repo.roadmap_hooks(&["sync"]).success();
    for format in ["table", "plain"] {
        let out = repo.roadmap(&["list", "--format", format]).success().stdout;
        assert_eq!(out.lines().count(), 2, "{out}");
        assert!(
            out.contains("two\\nlines\\u{1b}[31m red\\tand tab"),
            "{out}"
        );
    }
    let shown = repo.roadmap(&["show", "0000000c"]).success().stdout;
    assert!(
        shown.starts_with("0000000c  two\\nlines\\u{1b}[31m red\\tand tab\n"),
        "{shown}"
    );
}

#[test]
fn completions_and_the_man_page_come_from_the_argument_definitions() {
    let repo = TestRepo::new();
    let bash = repo.roadmap(&["completions", "bash"]).success().stdout;
    assert!(
        bash.contains("_roadmap()") && bash.contains("unarchive"),
        "{bash}"
    );
    let zsh = repo.roadmap(&["completions", "zsh"]).success().stdout;
    assert!(zsh.starts_with("#compdef roadmap"), "{zsh}");
    let fish = repo.roadmap(&["completions", "fish"]).success().stdout;
    assert!(fish.contains("complete -c roadmap"), "{fish}");
    let man = repo.roadmap(&["man"]).success().stdout;
    assert!(man.contains(".TH roadmap 1"), "{man}");
    assert!(man.contains("Forwarded unchanged"), "{man}");
}

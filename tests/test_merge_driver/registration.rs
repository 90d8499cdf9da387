//! `install` registers the driver, `uninstall` removes it exactly, `status` and `doctor` report it.

use super::*;

#[test]
fn install_registers_the_driver_once_and_uninstall_removes_it_exactly() {
    let repo = uninstalled_repo();
    let config = repo.root.join(".git/config");
    let attributes = repo.root.join(".git/info/attributes");
    let config_before = fs::read_to_string(&config).unwrap();

    let skipped = repo
        .roadmap_hooks(&["install", "--no-merge-driver"])
        .success();
    assert!(
        !skipped.stdout.contains("merge driver"),
        "{}",
        skipped.stdout
    );
    assert_eq!(fs::read_to_string(&config).unwrap(), config_before);
    assert!(!attributes.exists());
    let doctor = repo.doctor().success().stdout;
    assert!(
        doctor.contains("ok       merge driver: not registered"),
        "{doctor}"
    );

    let first = repo.roadmap_hooks(&["install"]).success().stdout;
    assert!(
        first.contains("registered the merge driver for issue files"),
        "{first}"
    );
    // The multi-call binary itself, which `roadmap-hooks` runs.
    let binary = fs::canonicalize(binary("roadmap")).unwrap();
    let driver = repo.git(&["config", "merge.roadmap.driver"]);
    assert!(
        driver.contains(&format!("'{}' merge-driver %O %A %B %P", binary.display())),
        "{driver}"
    );
    let check = repo.git(&[
        "check-attr",
        "merge",
        "--",
        ALPHA,
        ".roadmap/milestones/v1.md",
        "README.md",
    ]);
    assert_eq!(
        check,
        format!(
            "{ALPHA}: merge: roadmap\n.roadmap/milestones/v1.md: merge: roadmap\nREADME.md: merge: unspecified\n"
        )
    );
    let (config_once, attributes_once) =
        (fs::read(&config).unwrap(), fs::read(&attributes).unwrap());
    let second = repo.roadmap_hooks(&["install"]).success().stdout;
    assert!(!second.contains("merge driver"), "{second}");
    assert_eq!(
        (fs::read(&config).unwrap(), fs::read(&attributes).unwrap()),
        (config_once, attributes_once)
    );
    let status = repo.roadmap_hooks(&["status"]).success().stdout;
    assert!(
        status.contains("merge driver: registered (issue files merge field by field)\n"),
        "{status}"
    );
    let doctor = repo.doctor().success().stdout;
    assert!(
        doctor.contains("ok       merge driver: registered"),
        "{doctor}"
    );

    // A linked worktree reads the same config and attributes.
    let worktree = repo.sibling("wt");
    repo.git(&["worktree", "add", "-q", worktree.to_str().unwrap()]);
    let in_worktree = repo.git_in(&worktree, &["check-attr", "merge", "--", ALPHA]);
    assert_eq!(in_worktree, format!("{ALPHA}: merge: roadmap\n"));

    let removed = repo.roadmap_hooks(&["uninstall"]).success().stdout;
    assert!(
        removed.contains("removed the merge driver for issue files"),
        "{removed}"
    );
    assert_eq!(fs::read_to_string(&config).unwrap(), config_before);
    assert!(!attributes.exists());
    let status = repo.roadmap_hooks(&["status"]).success().stdout;
    assert!(status.contains("merge driver: not registered"), "{status}");
}

#[test]
fn doctor_reports_a_driver_whose_binary_is_gone() {
    let repo = uninstalled_repo();
    repo.roadmap_hooks(&["install"]).success();
    repo.git(&["config", "merge.roadmap.driver", "if [ -x '/nowhere/roadmap-hooks' ]; then '/nowhere/roadmap-hooks' merge-driver %O %A %B %P; fi"]);
    let doctor = repo.doctor();
    assert_eq!(doctor.status, 1);
    assert!(
        doctor
            .stdout
            .contains("problem  merge driver: runs /nowhere/roadmap-hooks, which is missing"),
        "{}",
        doctor.stdout
    );
}

#[test]
fn a_merge_driver_of_yours_named_roadmap_is_left_alone() {
    let repo = uninstalled_repo();
    repo.git(&["config", "merge.roadmap.driver", "my-merge %O %A %B"]);
    let install = repo.roadmap_hooks(&["install"]).success().stdout;
    assert!(
        install.contains("note: merge.roadmap.driver is set to a command of yours"),
        "{install}"
    );
    assert_eq!(
        repo.git(&["config", "merge.roadmap.driver"]),
        "my-merge %O %A %B\n"
    );
    assert!(!repo.root.join(".git/info/attributes").exists());
    let status = repo.roadmap_hooks(&["status"]).success().stdout;
    assert!(
        status.contains("merge.roadmap.driver is a command of yours"),
        "{status}"
    );
    let doctor = repo.doctor().success().stdout;
    assert!(
        doctor.contains("ok       merge driver: merge.roadmap.driver is a command of yours"),
        "{doctor}"
    );
    repo.roadmap_hooks(&["uninstall"]).success();
    assert_eq!(
        repo.git(&["config", "merge.roadmap.driver"]),
        "my-merge %O %A %B\n"
    );
}

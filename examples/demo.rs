//! The built-in demo: a generated repository of 2,000 issues, hooks installed, a commit that
//! the post-commit hook syncs, and `roadmap list` answering from the cache.
//!
//! Run with `cargo run --release --example demo`. The repository stays in
//! `target/roadmap-demo` so you can `cd` there and try the commands yourself.

#[path = "support/corpus.rs"]
#[allow(dead_code)]
mod corpus;

use corpus::CorpusSpec;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const ISSUES: usize = 2_000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let bin_dir = build_binaries()?;
    let repo = bin_dir
        .parent()
        .ok_or("no target directory")?
        .join("roadmap-demo");
    if repo.exists() {
        std::fs::remove_dir_all(&repo)?;
    }
    println!("==> generating {ISSUES} issues in {}", repo.display());
    let started = Instant::now();
    corpus::generate(&repo, &CorpusSpec::new(ISSUES, 42))?;
    println!("    done in {:.1?}", started.elapsed());

    println!("==> roadmap-hooks install");
    run(&bin_dir.join("roadmap-hooks"), &["install"], &repo)?;

    let generated = corpus::issue(42, 7);
    let edited =
        generated
            .text
            .replacen("status: ", "status: blocked\nx_demo_previous_status: ", 1);
    std::fs::write(repo.join(&generated.path), edited)?;
    println!("==> git commit (marks one issue blocked; the post-commit hook syncs it)");
    let started = Instant::now();
    corpus::git(&repo, &["commit", "-q", "-am", "Block an issue"])?;
    println!("    commit + hook took {:.1?}", started.elapsed());

    println!("==> roadmap list --limit 12");
    run(
        &bin_dir.join("roadmap"),
        &["list", "--limit", "12", "--no-sync"],
        &repo,
    )?;
    // The tracker's own spelling (`roadmap issue list --blocked`) is answered from the cache in
    // a repository `roadmap init` set up, and handed to the tracker otherwise: this generated
    // one has no tracker config, so the demo uses our spelling.
    println!("==> roadmap list --status blocked --limit 5");
    run(
        &bin_dir.join("roadmap"),
        &["list", "--status", "blocked", "--limit", "5"],
        &repo,
    )?;
    println!("==> roadmap-hooks status");
    run(&bin_dir.join("roadmap-hooks"), &["status"], &repo)?;
    println!(
        "\nTry it: cd {} && {}/roadmap list --help",
        repo.display(),
        bin_dir.display()
    );
    Ok(())
}

/// Builds the two binaries with the same profile as this example and returns their folder.
fn build_binaries() -> Result<PathBuf, Box<dyn std::error::Error>> {
    let example = std::env::current_exe()?;
    // target/<profile>/examples/demo
    let bin_dir = example
        .parent()
        .and_then(Path::parent)
        .ok_or("unexpected example location")?
        .to_owned();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut build = Command::new(cargo);
    build.args(["build", "--quiet", "--bins"]);
    if bin_dir.file_name().is_some_and(|p| p == "release") {
        build.arg("--release");
    }
    if !build.status()?.success() {
        return Err("building the binaries failed".into());
    }
    Ok(bin_dir)
}

fn run(binary: &Path, args: &[&str], dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let status = Command::new(binary).args(args).current_dir(dir).status()?;
    if !status.success() {
        return Err(format!("{} {} failed", binary.display(), args.join(" ")).into());
    }
    Ok(())
}

//! `roadmap-hooks`: the `roadmap` binary beside this one, run under this name.
//!
//! The two commands shared nearly all their code (git, SQLite, TLS), so they are one
//! multi-call binary (`src/bin/roadmap/hooks_cli.rs` is this command) and this is a small
//! launcher: `cargo install` copies binaries, not links, and two full copies cost twice the
//! disk. A symbolic link named `roadmap-hooks` to `roadmap` does the same job without it. The
//! hooks `install` writes run `roadmap` itself, so git's hooks never pay this extra start.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::Command;

fn main() {
    let mut args = std::env::args_os();
    let name = args
        .next()
        .unwrap_or_else(|| OsString::from("roadmap-hooks"));
    let args: Vec<OsString> = args.collect();
    let roadmap = std::env::current_exe()
        .map(|exe| exe.with_file_name("roadmap"))
        .unwrap_or_else(|_| PathBuf::from("roadmap"));
    // `exec` returns only when it failed.
    let error = Command::new(&roadmap).arg0(&name).args(&args).exec();
    eprintln!(
        "roadmap-hooks: cannot run {}: {error}\nhint: reinstall both binaries (install/install.sh)",
        roadmap.display()
    );
    // Hooks installed by an older version call this launcher: they must never fail git.
    let hook = args.first().is_some_and(|arg| arg == "hook");
    std::process::exit(if hook { 0 } else { 1 });
}

//! Processes a command starts and does not wait for: this binary again, under one of its
//! hidden subcommands (a hook's checkpoint, the order-index builder, the watcher).
//!
//! Each gets its own process group, no terminal and no pipes: git waits for none of them when
//! a hook starts one, and a ^C meant for git does not stop them half way.

use std::ffi::OsStr;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};

/// Starts this executable with `args` in the folder `dir` (the caller's when `None`), detached.
pub fn spawn<S: AsRef<OsStr>>(args: &[S], dir: Option<&Path>) -> std::io::Result<()> {
    spawn_program(&std::env::current_exe()?, args, dir)
}

/// [`spawn`] for `program`, an executable the caller chose.
pub fn spawn_program<S: AsRef<OsStr>>(
    program: &Path,
    args: &[S],
    dir: Option<&Path>,
) -> std::io::Result<()> {
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0);
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    command.spawn().map(drop)
}

//! What we install (issue 25): the size of the two binaries as `cargo install` copies them,
//! and that the release binary's compressed line tables still give a hook's panic log the
//! file and line of each frame.

use crate::Tools;
use crate::measure;
use crate::repo::BenchRepo;
use crate::report::megabytes;
use std::io;

/// The sizes on disk of `roadmap` and `roadmap-hooks` (the release profile `cargo install` uses).
pub fn size_note(tools: &Tools) -> io::Result<String> {
    let roadmap = std::fs::metadata(&tools.roadmap)?.len();
    let launcher = std::fs::metadata(&tools.roadmap_hooks)?.len();
    Ok(format!(
        "installed binaries: `roadmap` {} + `roadmap-hooks` {} = {} on disk",
        megabytes(roadmap),
        megabytes(launcher),
        megabytes(roadmap + launcher)
    ))
}

/// Makes a hook panic in the middle of a sync (the crate's test point `panic-written`) and
/// returns the `file:line:column` of the first frame of the sync in the backtrace of the hook's log; an
/// error when no frame names one. Leaves the cache synced to the base commit.
pub fn hook_panic_frame(tools: &Tools, repo: &BenchRepo) -> io::Result<String> {
    let commit = repo.commit_edits("panic-check", 1)?;
    repo.move_head(&repo.base)?;
    tools.sync(repo)?;
    repo.move_head(&commit)?;
    let log = repo.dir.join(".git/roadmap/hooks.log");
    let _ = std::fs::remove_file(&log);
    let mut hook = tools.installed_hook(&repo.dir, "post-commit");
    hook.env("ROADMAP_HOOKS_TEST_PAUSE", "panic-written");
    measure::run(&mut hook, false)?;
    repo.move_head(&repo.base)?;
    tools.sync(repo)?;
    let text = std::fs::read_to_string(&log)?;
    // A frame of the sync, as `at /path/to/src/sync/incremental.rs:LINE:COLUMN`.
    text.lines()
        .filter_map(|line| line.trim_start().strip_prefix("at "))
        .find_map(|place| {
            let ours = &place[place.find("src/sync/")?..];
            let (_, line) = ours.split_once(".rs:")?;
            line.starts_with(|c: char| c.is_ascii_digit())
                .then(|| ours.to_owned())
        })
        .ok_or_else(|| {
            io::Error::other(format!(
                "the hook's panic log names no file and line of ours:\n{text}"
            ))
        })
}

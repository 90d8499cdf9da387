//! The issue files as roadmap-cli 1.0.2's walk finds them (`rglob("*.md")` under the issue
//! folders), checked against what the cache holds before a served answer counts them.

use crate::lines::legacy::layout::{self, RoadmapFile};
use std::path::Path;

/// Whether the tracker's file walk finds exactly the issue files the cache holds: every
/// `*.md` under `.roadmap/issues/` and `.roadmap/archive/issues/` (any depth, hidden ones too,
/// as `rglob` finds them) must be a file our layout reads as an issue, and not a `.backup`
/// (which the tracker skips and we do not); the repository's own path must not pass through a
/// folder named `archive` (the tracker would count every issue as archived).
pub(crate) fn tracker_reads_what_we_cache(
    root: &Path,
    cache: &crate::cache::Cache,
) -> Result<(), &'static str> {
    if root
        .canonicalize()
        .unwrap_or_else(|_| root.to_owned())
        .components()
        .any(|c| c.as_os_str() == "archive")
    {
        return Err("a repository path through a folder named archive");
    }
    let mut found = 0u64;
    for dir in [".roadmap/issues", ".roadmap/archive/issues"] {
        walk(root, Path::new(dir), &mut found)?;
    }
    let cached: u64 = cache
        .tracker_status_counts()
        .map_err(|_| "the cache could not be read")?
        .iter()
        .map(|c| c.files)
        .sum();
    if found == cached {
        Ok(())
    } else {
        Err("issue files the cache does not hold")
    }
}

fn walk(root: &Path, relative: &Path, found: &mut u64) -> Result<(), &'static str> {
    let odd = "a file under the issue folders the tracker may read differently";
    let entries = match std::fs::read_dir(root.join(relative)) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(_) => return Err(odd),
    };
    for entry in entries {
        let entry = entry.map_err(|_| odd)?;
        let kind = entry.file_type().map_err(|_| odd)?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            return Err(odd);
        };
        let path = relative.join(name);
        if kind.is_dir() {
            walk(root, &path, found)?;
            continue;
        }
        if !name.ends_with(".md") {
            continue;
        }
        let classified = path.to_str().and_then(layout::classify);
        if !kind.is_file()
            || name.contains(".backup")
            || !matches!(classified, Some(RoadmapFile::Issue(_)))
        {
            return Err(odd);
        }
        *found += 1;
    }
    Ok(())
}

/// Whether every issue the cache reads as closed says `closed` in its file: the cache also
/// reads an older tracker's `done` and `completed` as closed, and the tracker skips such a
/// file. Reads only the closed issues' frontmatter, up to its `status:` line.
pub(crate) fn closed_as_written(root: &Path, paths: &[String]) -> Result<(), &'static str> {
    let older = "a status the cache reads as closed and the tracker skips";
    for path in paths {
        let text = std::fs::read_to_string(root.join(path)).map_err(|_| older)?;
        let status = text
            .lines()
            .skip(1)
            .take_while(|line| *line != "---")
            .find_map(|line| line.strip_prefix("status:"))
            .map(|value| value.trim().trim_matches(|c| c == '\'' || c == '"'));
        if status != Some("closed") {
            return Err(older);
        }
    }
    Ok(())
}

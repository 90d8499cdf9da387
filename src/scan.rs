//! A full scan of the issue files in a working tree, without the cache: enumerate, read and
//! parse every file. It is the "before" this project replaces, the baseline of the benchmarks,
//! and the reference the tests compare the cache with.

use crate::issue::{Issue, to_json};
use crate::layout;
use crate::record::Record;
use std::path::Path;

/// Every issue file found, with duplicates resolved as the cache resolves them.
#[derive(Debug, Default)]
pub struct Scan {
    /// `(path, issue)` of each listed issue (one per id), sorted by id then path.
    pub issues: Vec<(String, Issue)>,
    /// `(path, error)` of files that could not be read.
    pub invalid: Vec<(String, String)>,
}

/// Reads every roadmap file under `root/.roadmap`.
pub fn scan(root: &Path) -> std::io::Result<Scan> {
    let mut files = Vec::new();
    collect(root, ".roadmap", &mut files)?;
    let mut found = Scan::default();
    let mut all: Vec<(String, Issue)> = Vec::new();
    for relative in files {
        let bytes = std::fs::read(root.join(&relative))?;
        match Record::read(&relative, &bytes) {
            Some(Record::Issue(issue)) => all.push((relative, *issue)),
            Some(Record::Invalid(error)) => found.invalid.push((relative, error.to_string())),
            _ => {}
        }
    }
    // Same rule as the cache: active before archived, later `updated` first, then by path.
    all.sort_by(|(pa, a), (pb, b)| {
        a.id.cmp(&b.id)
            .then(a.archived.cmp(&b.archived))
            .then_with(|| match (a.updated_key(), b.updated_key()) {
                (Some(x), Some(y)) => y.cmp(x),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            })
            .then_with(|| pa.cmp(pb))
    });
    all.dedup_by(|later, first| later.1.id == first.1.id);
    found.issues = all;
    found.invalid.sort();
    Ok(found)
}

fn collect(root: &Path, relative: &str, out: &mut Vec<String>) -> std::io::Result<()> {
    let entries = match std::fs::read_dir(root.join(relative)) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        let path = format!("{relative}/{name}");
        let kind = entry.file_type()?;
        if kind.is_dir() {
            if layout::may_contain_roadmap_files(&path) {
                collect(root, &path, out)?;
            }
        } else if kind.is_file() && layout::classify(&path).is_some() {
            out.push(path);
        }
    }
    Ok(())
}

impl Scan {
    /// The issues as `roadmap list --all --sort id --format json` prints them.
    #[must_use]
    pub fn to_json_objects(&self) -> Vec<String> {
        self.issues
            .iter()
            .map(|(path, issue)| to_json(issue, path))
            .collect()
    }
}

//! A full scan of the issue files in a working tree, without the cache: enumerate, read and
//! parse every file. It is the "before" this project replaces, the baseline of the benchmarks,
//! and the reference the tests compare the cache with.

use crate::issue::{Issue, ParseError, to_json};
use crate::layout;
use crate::record::Record;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

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
    collect(root, Path::new(".roadmap"), ".roadmap", true, &mut files)?;
    let mut found = Scan::default();
    let mut all: Vec<(String, Issue)> = Vec::new();
    for file in files {
        if !file.name_is_utf8 {
            let error = ParseError::NameNotUtf8.to_string();
            found.invalid.push((file.shown, error));
            continue;
        }
        let bytes = std::fs::read(root.join(&file.relative))?;
        match Record::read(&file.shown, &bytes) {
            Some(Record::Issue(issue)) => all.push((file.shown, *issue)),
            Some(Record::Invalid(error)) => found.invalid.push((file.shown, error.to_string())),
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

/// A roadmap file found in the working tree.
struct Found {
    /// Where it is, relative to the root.
    relative: PathBuf,
    /// The path as the cache names it (`/`-separated; `\xNN` for bytes that are not UTF-8).
    shown: String,
    name_is_utf8: bool,
}

fn collect(
    root: &Path,
    relative: &Path,
    shown: &str,
    is_utf8: bool,
    out: &mut Vec<Found>,
) -> std::io::Result<()> {
    let entries = match std::fs::read_dir(root.join(relative)) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let file_name = entry.file_name();
        let name = layout::name_as_text(file_name.as_bytes());
        let name_is_utf8 = is_utf8 && name.is_ok();
        let path = match &name {
            Ok(name) => format!("{shown}/{name}"),
            Err(escaped) => format!("{shown}/{escaped}"),
        };
        let kind = entry.file_type()?;
        if kind.is_dir() {
            if layout::may_contain_roadmap_files(&path) {
                let inner = relative.join(&file_name);
                collect(root, &inner, &path, name_is_utf8, out)?;
            }
        } else if kind.is_file() && layout::classify(&path).is_some() {
            out.push(Found {
                relative: relative.join(&file_name),
                shown: path,
                name_is_utf8,
            });
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

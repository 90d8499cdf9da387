//! A full scan of the issue files in a working tree, without the cache: enumerate, read and
//! parse every file. It is the "before" this project replaces, the baseline of the benchmarks,
//! and the reference the tests compare the cache with. The files are read as the working
//! tree's `config.yaml` says its tracker line lays them out, milestones before issues (a
//! contract issue shows its milestone's name, from the milestone's file).

use crate::issue::{Issue, ParseError, to_json};
use crate::lines::{self, Line, Reader, RoadmapFile};
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
    let line = lines::workspace_line(&root.join(".roadmap"));
    let mut files = Vec::new();
    collect(
        line,
        root,
        Path::new(".roadmap"),
        ".roadmap",
        true,
        &mut files,
    )?;
    // Milestones first, by path, so issues are read knowing their names.
    files.sort_by_key(|file| {
        let is_milestone = matches!(
            line.classify(&file.shown),
            Some(RoadmapFile::Milestone { .. })
        );
        (!is_milestone, file.shown.clone())
    });
    let mut reader = Reader::new(line);
    let mut found = Scan::default();
    let mut all: Vec<(String, Issue)> = Vec::new();
    for file in files {
        if !file.name_is_utf8 {
            let error = ParseError::NameNotUtf8.to_string();
            found.invalid.push((file.shown, error));
            continue;
        }
        let bytes = std::fs::read(root.join(&file.relative))?;
        let record = reader.read(&file.shown, &bytes);
        if let Some(Record::Milestone(milestone)) = &record {
            if let Some(id) = &milestone.id {
                reader.add_milestone_name(id.clone(), milestone.name.clone());
            }
        }
        match record {
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
    line: Line,
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
        let name = lines::name_as_text(file_name.as_bytes());
        let name_is_utf8 = is_utf8 && name.is_ok();
        let path = match &name {
            Ok(name) => format!("{shown}/{name}"),
            Err(escaped) => format!("{shown}/{escaped}"),
        };
        let kind = entry.file_type()?;
        if kind.is_dir() {
            if line.may_contain_documents(&path) {
                let inner = relative.join(&file_name);
                collect(line, root, &inner, &path, name_is_utf8, out)?;
            }
        } else if kind.is_file() && line.classify(&path).is_some() {
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

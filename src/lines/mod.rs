//! The two lines of the Python tracker (`roadmap-cli`) whose files we read and write, which one
//! a workspace follows, and the seam the engine reaches a line through. See
//! `../shared/TRACKERS.md` for the measured facts.
//!
//! - **Legacy** (1.0.x, yanked, and 0.1.x): `issues/{milestone}/{id8}-{slug}.md`, milestones by
//!   name, archived issues moved under `archive/` ([`legacy`]).
//! - **Contract** (the "0.2 contract": 0.2.0 … 0.3.1, what `pipx install roadmap-cli` gives
//!   today): flat `issues/{id}.md`, milestones by id, `retention` and `history` in the file
//!   ([`contract`]).
//!
//! A workspace follows the contract when its `config.yaml` carries `workspace_schema_version`
//! (written by 0.2+ `init` and by `migrate`); otherwise it is legacy. 0.3.1 reads a legacy
//! workspace only to refuse it and ask for `roadmap migrate`.
//!
//! The seam: the engine (sync, cache, scan) never classifies a path or parses a file itself.
//! It holds a [`Reader`] for the workspace's line and asks it which paths hold documents and
//! what a file says; only this module and its two children match on [`Line`]. Walks that run
//! before the line is known (a diff between two commits, which may follow different lines)
//! use [`may_contain_documents`] and [`may_be_document`], the union of both lines' paths; the
//! reader then drops what its line does not hold.

pub mod contract;
pub mod legacy;
pub mod python_text;
pub mod rich_text;
pub mod writes;

use crate::issue::FileContext;
use crate::record::Record;
use std::collections::HashMap;
use std::path::Path;

/// Which tracker line wrote a workspace, or a tracker belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line {
    /// roadmap-cli 1.0.x and 0.1.x.
    Legacy,
    /// roadmap-cli 0.2 and later (the 0.2 contract).
    Contract,
}

impl Line {
    /// How the cache records the line its rows were read under.
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            Line::Legacy => "legacy",
            Line::Contract => "contract",
        }
    }

    /// How `--version`, `status` and `doctor` name the line.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Line::Legacy => "legacy layout (roadmap-cli 1.0.x / 0.1.x)",
            Line::Contract => "0.2 contract (roadmap-cli 0.2+)",
        }
    }
}

/// The line the workspace whose `.roadmap` folder is `roadmap_dir` follows, from its
/// `config.yaml`. A missing or unreadable config reads as legacy, the line that kept none.
#[must_use]
pub fn workspace_line(roadmap_dir: &Path) -> Line {
    line_of_config(
        std::fs::read(roadmap_dir.join("config.yaml"))
            .ok()
            .as_deref(),
    )
}

/// Whether a workspace config holds the top-level key `workspace_schema_version`. A line scan,
/// not a YAML parse: the key is written by the tracker at the top level, unquoted.
fn config_declares_contract(config: &[u8]) -> bool {
    config
        .split(|&b| b == b'\n')
        .any(|line| line.starts_with(b"workspace_schema_version:"))
}

/// What a path under `.roadmap/` holds, on either line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoadmapFile {
    Issue(FileContext),
    /// `name` is the file's stem: the milestone's name on the legacy line, its id on the
    /// contract (whose file says the name).
    Milestone {
        name: String,
        archived: bool,
    },
    Project,
}

impl Line {
    /// Classifies a repository-relative path with `/` separators as this line lays files out;
    /// `None` for files the line does not hold.
    #[must_use]
    pub fn classify(self, path: &str) -> Option<RoadmapFile> {
        match self {
            Line::Legacy => legacy::layout::classify(path),
            Line::Contract => contract::layout::classify(path),
        }
    }

    /// Whether a walk must enter the folder at `path` (no trailing slash) to find every file
    /// [`Line::classify`] accepts.
    #[must_use]
    pub fn may_contain_documents(self, path: &str) -> bool {
        match self {
            Line::Legacy => legacy::layout::may_contain_roadmap_files(path),
            Line::Contract => contract::layout::may_contain_documents(path),
        }
    }
}

/// Whether a walk that does not know the line must enter the folder at `path`: either line
/// may hold documents there. Never `.roadmap/db/` (the contract tracker's projection, lock
/// and write journals), so a committed journal costs a diff nothing.
#[must_use]
pub fn may_contain_documents(path: &str) -> bool {
    Line::Legacy.may_contain_documents(path) || Line::Contract.may_contain_documents(path)
}

/// Every folder either line keeps documents in: what a `git` command is limited to (by these
/// pathspecs, `.roadmap/db/` is never listed).
pub const DOCUMENT_FOLDERS: &[&str] = &[
    ".roadmap/issues",
    ".roadmap/milestones",
    ".roadmap/projects",
    ".roadmap/archive",
];

/// Whether either line holds a document at `path`.
#[must_use]
pub fn may_be_document(path: &str) -> bool {
    Line::Legacy.classify(path).is_some() || Line::Contract.classify(path).is_some()
}

/// Reads the files of one workspace as its line writes them. On the contract line an issue
/// names its milestone by id, so the reader holds the workspace's milestone names (id → name,
/// from the milestone files of the same commit) and issues are read with the name resolved.
#[derive(Debug, Clone)]
pub struct Reader {
    line: Line,
    milestone_names: HashMap<String, String>,
}

impl Reader {
    /// A reader for `line`, knowing no milestone names yet.
    #[must_use]
    pub fn new(line: Line) -> Self {
        Reader {
            line,
            milestone_names: HashMap::new(),
        }
    }

    #[must_use]
    pub fn line(&self) -> Line {
        self.line
    }

    /// What the file at repository-relative `path` says; `None` when the line holds no
    /// document there.
    #[must_use]
    pub fn read(&self, path: &str, bytes: &[u8]) -> Option<Record> {
        match self.line {
            Line::Legacy => legacy::read(path, bytes),
            Line::Contract => contract::read(path, bytes, &self.milestone_names),
        }
    }

    /// Whether issue rows depend on the milestone files beside them: a milestone file whose
    /// name changes changes what its issues show. True on the contract line only.
    #[must_use]
    pub fn issues_name_milestones_by_id(&self) -> bool {
        self.line == Line::Contract
    }

    /// Sets the milestone names issues are read with, as `(id, name)`; the first of two
    /// files claiming one id wins, so callers pass them in path order.
    pub fn set_milestone_names(&mut self, names: impl IntoIterator<Item = (String, String)>) {
        self.milestone_names.clear();
        for (id, name) in names {
            self.add_milestone_name(id, name);
        }
    }

    /// Adds one milestone's name, unless a file read earlier claimed the id.
    pub fn add_milestone_name(&mut self, id: String, name: String) {
        self.milestone_names.entry(id).or_insert(name);
    }

    /// What an issue naming milestone `id` shows as its milestone: the name, or the id itself
    /// when no milestone file has that id.
    #[must_use]
    pub fn milestone_shown_for(&self, id: &str) -> String {
        self.milestone_names
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_owned())
    }
}

/// The line a workspace config's bytes declare (see [`workspace_line`]).
#[must_use]
pub fn line_of_config(config: Option<&[u8]>) -> Line {
    match config {
        Some(bytes) if config_declares_contract(bytes) => Line::Contract,
        _ => Line::Legacy,
    }
}

/// Whether a file name can be a document on either line: `*.md`, not hidden, not a README.
pub(crate) fn is_document_name(file_name: &str) -> bool {
    file_name.ends_with(".md")
        && file_name.len() > 3
        && !file_name.starts_with('.')
        && !file_name.eq_ignore_ascii_case("readme.md")
}

/// A file or folder name as text: `Ok` when it is UTF-8; otherwise `Err` with each byte that
/// is not written `\xNN`, so the file can be listed as unreadable by a name a terminal shows
/// and two such names never become one (as `String::from_utf8_lossy` would make them).
pub fn name_as_text(name: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(name).map_err(|_| {
        let mut text = String::new();
        for chunk in name.utf8_chunks() {
            text.push_str(chunk.valid());
            for byte in chunk.invalid() {
                text.push_str(&format!("\\x{byte:02x}"));
            }
        }
        text
    })
}

/// The line of a tracker release, from its version: 1.x and 0.1.x are legacy, 0.2 and 0.3
/// the contract. 1.0.2's wheel reports `0.0.0` (its `--version` reads no package metadata), so
/// `0.0.0` is legacy too. `None` for a release we do not know: everything then goes to it.
#[must_use]
pub fn tracker_line(version: &str) -> Option<Line> {
    let mut parts = version.trim().split('.');
    let major = parts.next()?.parse::<u32>().ok()?;
    let minor = parts.next()?.parse::<u32>().ok()?;
    match (major, minor) {
        (0, 0) | (0, 1) | (1, 0) => Some(Line::Legacy),
        (0, 2) | (0, 3) => Some(Line::Contract),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contract_config_is_told_from_a_legacy_one() {
        let contract = b"schema_version: 1\nworkspace_schema_version: 1\nbehavior: {}\n";
        let legacy = b"github:\n  enabled: false\npaths: {}\nuser:\n  name: ada\n";
        assert!(config_declares_contract(contract));
        assert!(!config_declares_contract(legacy));
        // A nested key of the same name is not the workspace's.
        assert!(!config_declares_contract(
            b"x:\n  workspace_schema_version: 1\n"
        ));
    }

    #[test]
    fn releases_map_to_their_line() {
        for (version, line) in [
            ("1.0.2", Some(Line::Legacy)),
            ("1.0.0", Some(Line::Legacy)),
            ("0.1.1", Some(Line::Legacy)),
            ("0.0.0", Some(Line::Legacy)),
            ("0.2.0", Some(Line::Contract)),
            ("0.3.1", Some(Line::Contract)),
            ("0.4.0", None),
            ("2.0.0", None),
            ("garbage", None),
        ] {
            assert_eq!(tracker_line(version), line, "{version}");
        }
    }

    #[test]
    fn git_pathspecs_cover_every_document_and_leave_db_out() {
        for path in [
            ".roadmap/issues/v1/4e619042-x.md",
            ".roadmap/issues/12ee8bf7-e95c-478d-962f-a61f4a9b0399.md",
            ".roadmap/archive/issues/v1/4e619042-x.md",
            ".roadmap/archive/milestones/2024/old.md",
            ".roadmap/milestones/v1.md",
            ".roadmap/projects/0a1b2c3d.md",
        ] {
            assert!(may_be_document(path), "{path}");
            assert!(
                DOCUMENT_FOLDERS
                    .iter()
                    .any(|folder| path.starts_with(&format!("{folder}/"))),
                "{path}"
            );
        }
        assert!(!may_be_document(".roadmap/db/transactions/ab/issues/x.md"));
        assert!(!may_contain_documents(".roadmap/db"));
        assert_eq!(
            Line::Contract.classify(".roadmap/issues/v1/4e619042-x.md"),
            None
        );
    }

    #[test]
    fn names_that_are_not_utf8_are_shown_with_escapes() {
        assert_eq!(
            name_as_text(b"4e619042-caf\xc3\xa9.md"),
            Ok("4e619042-café.md")
        );
        assert_eq!(
            name_as_text(b"4e619042-caf\xe9.md"),
            Err("4e619042-caf\\xe9.md".to_owned())
        );
        assert_ne!(name_as_text(b"\xfe.md"), name_as_text(b"\xff.md"));
    }
}

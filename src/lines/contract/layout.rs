//! Which paths under `.roadmap/` hold documents on the contract line (roadmap-cli 0.2+).
//!
//! Flat and never moving: `issues/{id}.md`, `milestones/{id}.md`, `projects/{id}.md`, the
//! whole file stem being the record's id (a UUID4, or the 8 hex digits a migrated record
//! kept). Archiving changes `retention:` in the file, not its folder. Everything else is not a
//! document: `config.yaml`, README.md, hidden files, deeper folders, and above all `db/`, the
//! tracker's projection (`projection.db`), its write lock and its write journals
//! (`transactions/<hex>/`), which 0.3.1 does not git-ignore and so can end up committed.

use crate::issue::FileContext;
use crate::lines::{RoadmapFile, is_document_name};

/// Classifies a repository-relative path with `/` separators; `None` for files we ignore.
#[must_use]
pub fn classify(path: &str) -> Option<RoadmapFile> {
    let rest = path.strip_prefix(".roadmap/")?;
    let (folder, file_name) = rest.split_once('/')?;
    if file_name.contains('/') || !is_document_name(file_name) {
        return None;
    }
    let stem = file_name.strip_suffix(".md")?;
    match folder {
        "issues" => Some(RoadmapFile::Issue(FileContext {
            id_from_name: Some(stem.to_owned()),
            milestone_folder: None,
            in_archive: false,
        })),
        "milestones" => Some(RoadmapFile::Milestone {
            name: stem.to_owned(),
            archived: false,
        }),
        "projects" => Some(RoadmapFile::Project),
        _ => None,
    }
}

/// Whether a walk must enter the folder at `path` (no trailing slash): `.roadmap` and its
/// three document folders, never `db/`.
#[must_use]
pub fn may_contain_documents(path: &str) -> bool {
    matches!(
        path,
        ".roadmap" | ".roadmap/issues" | ".roadmap/milestones" | ".roadmap/projects"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const UUID: &str = "12ee8bf7-e95c-478d-962f-a61f4a9b0399";

    #[test]
    fn the_whole_stem_is_the_id() {
        for id in [UUID, "4e619042", "4E619042"] {
            let path = format!(".roadmap/issues/{id}.md");
            let Some(RoadmapFile::Issue(context)) = classify(&path) else {
                panic!("{path}");
            };
            assert_eq!(context.id_from_name.as_deref(), Some(id));
            assert_eq!(
                (context.milestone_folder, context.in_archive),
                (None, false)
            );
        }
        assert_eq!(
            classify(&format!(".roadmap/milestones/{UUID}.md")),
            Some(RoadmapFile::Milestone {
                name: UUID.into(),
                archived: false
            })
        );
        assert_eq!(
            classify(".roadmap/projects/5330e9a1.md"),
            Some(RoadmapFile::Project)
        );
    }

    #[test]
    fn the_tracker_state_and_other_files_are_not_documents() {
        for path in [
            ".roadmap/config.yaml",
            ".roadmap/db/projection.db",
            ".roadmap/db/projection.db.stale",
            ".roadmap/db/canonical-write.lock",
            ".roadmap/db/transactions/9f2c/issues/12ee8bf7.md",
            ".roadmap/db/transactions/9f2c/journal.json",
            ".roadmap/issues/v1-0/4e619042-legacy.md",
            ".roadmap/archive/issues/4e619042-x.md",
            ".roadmap/issues/README.md",
            ".roadmap/issues/.hidden.md",
            ".roadmap/issues/notes.txt",
            ".roadmap/issues/.md",
        ] {
            assert_eq!(classify(path), None, "{path}");
        }
        assert!(may_contain_documents(".roadmap/issues"));
        for folder in [
            ".roadmap/db",
            ".roadmap/db/transactions",
            ".roadmap/issues/x",
        ] {
            assert!(!may_contain_documents(folder), "{folder}");
        }
    }
}

//! One commit's versions of issues, read from git: the commit's tracker line and, on the
//! contract line, its milestone names, then the files asked for parsed into
//! [`IssueVersion`]s. When several files hold one id, the cache's rule picks the one shown.

use super::HistoryError;
use super::field_changes::IssueVersion;
use crate::git::repo::BlobSource;
use crate::git::{GitRepo, ObjectId};
use crate::lines::{Line, Reader, RoadmapFile};
use crate::record::Record;
use crate::sync::at_commit;
use std::collections::BTreeMap;
use std::path::Path;

/// The folders milestone files live in, on either line.
const MILESTONE_FOLDERS: &[&str] = &[".roadmap/milestones", ".roadmap/archive/milestones"];

/// Reads files as one commit's workspace reads them.
pub struct CommitReader {
    reader: Reader,
}

impl CommitReader {
    /// The reader of `commit` (`None`: an empty tree): its line (see
    /// [`at_commit::line_at`]; `head` is HEAD's commit), and on the contract line the names of
    /// its milestones.
    pub fn at(
        repo: &GitRepo,
        commit: Option<ObjectId>,
        head: Option<ObjectId>,
        work_dir: &Path,
    ) -> Result<Self, HistoryError> {
        let Some(commit) = commit else {
            return Ok(CommitReader {
                reader: Reader::new(Line::Legacy),
            });
        };
        let mut reader = Reader::new(at_commit::line_at(repo, commit, head, work_dir)?);
        if reader.issues_name_milestones_by_id() {
            let mut files = repo.files_under(commit, MILESTONE_FOLDERS)?;
            files.sort();
            let mut names = Vec::new();
            for (path, blob) in files {
                if !matches!(
                    reader.line().classify(&path),
                    Some(RoadmapFile::Milestone { .. })
                ) {
                    continue;
                }
                if let Some(Record::Milestone(m)) = reader.read(&path, &repo.read_blob(blob)?) {
                    if let Some(id) = m.id {
                        names.push((id, m.name));
                    }
                }
            }
            reader.set_milestone_names(names);
        }
        Ok(CommitReader { reader })
    }

    /// The line this commit's files are read under.
    #[must_use]
    pub fn line(&self) -> Line {
        self.reader.line()
    }

    /// The issue the file at `path` (blob `blob`) holds; `None` for a file that is not an
    /// issue on this line or cannot be read as one.
    pub fn read(
        &self,
        repo: &GitRepo,
        path: &str,
        blob: ObjectId,
    ) -> Result<Option<IssueVersion>, HistoryError> {
        if !self.holds_issue(path) {
            return Ok(None);
        }
        Ok(self.parse(path, &repo.read_blob(blob)?))
    }

    fn holds_issue(&self, path: &str) -> bool {
        matches!(
            self.reader.line().classify(path),
            Some(RoadmapFile::Issue(_))
        )
    }

    /// The issue the bytes of the file at `path` hold, if they hold one.
    fn parse(&self, path: &str, bytes: &[u8]) -> Option<IssueVersion> {
        match self.reader.read(path, bytes) {
            Some(Record::Issue(issue)) => Some(IssueVersion::of(&issue, path)),
            _ => None,
        }
    }

    /// [`CommitReader::read_all`] with blobs read through a reader of its own, so that two
    /// sides of a diff are read and parsed on two threads.
    pub fn read_all_from(
        &self,
        source: &BlobSource,
        files: &[(String, ObjectId)],
    ) -> Result<BTreeMap<String, IssueVersion>, HistoryError> {
        let mut blobs = source.open()?;
        let mut by_id: BTreeMap<String, IssueVersion> = BTreeMap::new();
        for (path, blob) in files {
            if !self.holds_issue(path) {
                continue;
            }
            if let Some(version) = self.parse(path, &blobs.read(*blob)?) {
                keep_shown(&mut by_id, version);
            }
        }
        Ok(by_id)
    }

    /// [`CommitReader::read`] of every file, keeping one version per id
    /// ([`shown_version`]).
    pub fn read_all(
        &self,
        repo: &GitRepo,
        files: &[(String, ObjectId)],
    ) -> Result<BTreeMap<String, IssueVersion>, HistoryError> {
        let mut by_id: BTreeMap<String, IssueVersion> = BTreeMap::new();
        for (path, blob) in files {
            if let Some(version) = self.read(repo, path, *blob)? {
                keep_shown(&mut by_id, version);
            }
        }
        Ok(by_id)
    }
}

/// Adds `version` to `by_id`, unless the version already there is the one shown.
pub fn keep_shown(by_id: &mut BTreeMap<String, IssueVersion>, version: IssueVersion) {
    match by_id.get(&version.id) {
        Some(kept) if shown_version(kept, &version) => {}
        _ => {
            by_id.insert(version.id.clone(), version);
        }
    }
}

/// Whether `a` is shown rather than `b` when two files hold one id: the cache's rule (see
/// `cache/write.rs`): an active file beats an archived copy, then the later `updated`, then
/// the path.
#[must_use]
pub fn shown_version(a: &IssueVersion, b: &IssueVersion) -> bool {
    let rank = |v: &IssueVersion| {
        (
            v.archived,
            std::cmp::Reverse(v.updated_key.clone().is_some()),
        )
    };
    match rank(a).cmp(&rank(b)) {
        std::cmp::Ordering::Less => true,
        std::cmp::Ordering::Greater => false,
        std::cmp::Ordering::Equal => match b.updated_key.cmp(&a.updated_key) {
            std::cmp::Ordering::Less => true,
            std::cmp::Ordering::Greater => false,
            std::cmp::Ordering::Equal => a.path < b.path,
        },
    }
}

//! What one file under `.roadmap/` says, read from its bytes: an issue, a milestone, a project,
//! or the reason it could not be read.

use crate::issue::Issue;
use crate::issue::ParseError;
use crate::milestone::{Milestone, Project};

/// The content of one roadmap file.
#[derive(Debug, Clone)]
pub enum Record {
    Issue(Box<Issue>),
    Milestone(Milestone),
    Project(Project),
    /// The file is ours by its path but could not be read; the error says why.
    Invalid(ParseError),
}

impl Record {
    /// Reads the file at repository-relative `path` as the legacy line lays it out; `None`
    /// when the path is not ours. The sync and the scan read through a
    /// [`crate::lines::Reader`] for the workspace's line instead.
    #[must_use]
    pub fn read(path: &str, bytes: &[u8]) -> Option<Record> {
        crate::lines::Reader::new(crate::lines::Line::Legacy).read(path, bytes)
    }
}

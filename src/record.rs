//! What one file under `.roadmap/` says, read from its bytes: an issue, a milestone, a project,
//! or the reason it could not be read.

use crate::issue::{Issue, ParseError};
use crate::layout::{RoadmapFile, classify};
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
    /// Reads the file at repository-relative `path`; `None` when the path is not ours.
    #[must_use]
    pub fn read(path: &str, bytes: &[u8]) -> Option<Record> {
        Some(match classify(path)? {
            RoadmapFile::Issue(context) => match Issue::parse(bytes, &context) {
                Ok(issue) => Record::Issue(Box::new(issue)),
                Err(error) => Record::Invalid(error),
            },
            RoadmapFile::Milestone { name, archived } => Milestone::parse(bytes, &name, archived)
                .map_or_else(Record::Invalid, Record::Milestone),
            RoadmapFile::Project => {
                Project::parse(bytes).map_or_else(Record::Invalid, Record::Project)
            }
        })
    }
}

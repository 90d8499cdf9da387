//! The legacy line (roadmap-cli 1.0.x and 0.1.x): where its files live ([`layout`]), how
//! one is read and written, and the tracker's outputs we serve ([`outputs`]). Issues name their milestone by name and archived files sit under `archive/`,
//! so a file is read from its own bytes and path alone.

pub mod issue_files;
pub mod layout;
pub mod milestone_files;
pub mod outputs;
pub mod project_files;
pub mod writer;

use crate::issue::Issue;
use crate::lines::RoadmapFile;
use crate::milestone::{Milestone, Project};
use crate::record::Record;

/// What the legacy file at `path` says; `None` when the layout holds no document there.
pub(super) fn read(path: &str, bytes: &[u8]) -> Option<Record> {
    Some(match layout::classify(path)? {
        RoadmapFile::Issue(context) => match Issue::parse(bytes, &context) {
            Ok(issue) => Record::Issue(Box::new(issue)),
            Err(error) => Record::Invalid(error),
        },
        RoadmapFile::Milestone { name, archived } => {
            Milestone::parse(bytes, &name, archived).map_or_else(Record::Invalid, Record::Milestone)
        }
        RoadmapFile::Project => Project::parse(bytes).map_or_else(Record::Invalid, Record::Project),
    })
}

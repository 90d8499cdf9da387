//! The contract line (roadmap-cli 0.2 and later, the "0.2 contract"): where its files live
//! ([`layout`]) and how one is read.
//!
//! What differs from the legacy line once the frontmatter is parsed (the keys are the same
//! names, and the new ones, `schema_version`, `retention`, `history`, are kept as unknown keys
//! in file order, so the JSON export carries them under `extra`):
//! - the id is the whole file stem, so a UUID file name never reads as an 8-hex id;
//! - `retention: archived` or `purged` makes the record archived. The tracker's `issue delete`
//!   removes the file, so a `purged` file is one the tracker meant to be gone but that a merge
//!   or a checkout kept: it is listed as archived (shown with `--archived` and `--all`, never
//!   in the default view) rather than hidden, so no committed file is invisible;
//! - `milestone:` holds the milestone's id; lists show its name, taken from the milestone file
//!   with that id (see [`super::Reader`]), and the id stays in the JSON as `milestone_id`;
//! - comment ids and `in_reply_to` are integers, and stay numbers in the JSON.
//!
//! Each issue and milestone file is also read as strictly as roadmap-cli 0.3.1 reads it, once,
//! here: what it might read differently from us is kept as the record's `tracker_doubt`, and
//! the tracker's outputs we serve forward while such a file is in play
//! ([`outputs::issue_list::strict`]).

pub mod document;
pub mod instant;
pub mod layout;
pub mod operations;
pub mod outputs;
pub mod pyyaml;
pub mod writer;

use crate::issue::Issue;
use crate::lines::RoadmapFile;
use crate::milestone::{Milestone, Project};
use crate::record::Record;
use std::collections::HashMap;

/// The retention values 0.3.1 writes.
const RETENTIONS: [&str; 3] = ["visible", "archived", "purged"];

/// What the contract file at `path` says, with issue milestones named from `milestone_names`
/// (id → name); `None` when the layout holds no document there.
pub(super) fn read(
    path: &str,
    bytes: &[u8],
    milestone_names: &HashMap<String, String>,
) -> Option<Record> {
    Some(match layout::classify(path)? {
        RoadmapFile::Issue(context) => {
            // Nearly every file: one typed read, vouched for as 0.3.1 reads it.
            if let Some(mut issue) =
                outputs::issue_list::strict::undoubted_issue(path, bytes, &context)
            {
                adapt_issue(&mut issue, milestone_names);
                return Some(Record::Issue(Box::new(issue)));
            }
            // Else the strict read's mapping is what the issue is parsed from, when the two
            // read the same front matter: one YAML read a file, not two.
            let (doubt, read) = outputs::issue_list::strict::issue_doubt_keeping(path, bytes);
            match Issue::parse_reusing(bytes, &context, read) {
                Ok(mut issue) => {
                    adapt_issue(&mut issue, milestone_names);
                    issue.tracker_doubt = doubt;
                    Record::Issue(Box::new(issue))
                }
                Err(error) => Record::Invalid(error),
            }
        }
        RoadmapFile::Milestone { name: stem, .. } => match Milestone::parse(bytes, &stem, false) {
            Ok(mut milestone) => {
                milestone.archived = hidden_by(milestone.retention.as_deref());
                milestone.id = milestone
                    .id
                    .filter(|id| !id.trim().is_empty())
                    .or(Some(stem));
                milestone.tracker_doubt = outputs::issue_list::strict::milestone_doubt(path, bytes);
                Record::Milestone(milestone)
            }
            Err(error) => Record::Invalid(error),
        },
        RoadmapFile::Project => Project::parse(bytes).map_or_else(Record::Invalid, Record::Project),
    })
}

/// Whether a `retention:` value takes the record out of the default view.
fn hidden_by(retention: Option<&str>) -> bool {
    matches!(retention, Some("archived" | "purged"))
}

fn adapt_issue(issue: &mut Issue, milestone_names: &HashMap<String, String>) {
    let retention = issue
        .frontmatter
        .unknown
        .iter()
        .find(|(key, _)| key == "retention")
        .map(|(_, value)| value.clone());
    match retention {
        None | Some(serde_yaml::Value::Null) => {}
        Some(serde_yaml::Value::String(text)) if RETENTIONS.contains(&text.as_str()) => {
            issue.archived |= hidden_by(Some(&text));
        }
        Some(other) => issue.warn(format!(
            "unknown retention {} (known: {}); listed as visible",
            crate::issue::one_line(&serde_yaml::to_string(&other).unwrap_or_default().trim()),
            RETENTIONS.join(", ")
        )),
    }
    if let Some(id) = issue.milestone.take() {
        match milestone_names.get(&id) {
            Some(name) => issue.milestone = Some(name.clone()),
            None => {
                issue.warn(format!(
                    "milestone `{id}` has no file in .roadmap/milestones/; shown by its id"
                ));
                issue.milestone = Some(id.clone());
            }
        }
        issue.milestone_id = Some(id);
    }
    issue.integer_comment_ids = true;
}

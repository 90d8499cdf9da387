//! The reads behind roadmap-cli 0.3.1's outputs on a 0.2-contract workspace: its issues and
//! milestones as its commands use them, and the files whose rows cannot vouch for what the
//! tracker would read. What "as the tracker reads them" means (the working tree) is the
//! caller's to arrange: open the cache after a look at the working tree.

use super::{Cache, CacheError};
use crate::issue::{Issue, Number, timestamp};
use serde_json::Value::Null;

/// One issue as 0.3.1's `issue list` needs it: the fields its filters, columns and sort read.
#[derive(Debug, Clone, PartialEq)]
pub struct ContractIssueRow {
    /// The full id (a UUID, or 8 hex for migrated issues).
    pub id: String,
    pub title: String,
    pub headline: String,
    /// The Markdown body, as `--search` reads it; empty unless asked for.
    pub content: String,
    pub priority: String,
    pub status: String,
    /// `feature`, `bug` or `other`: the tracker reads any other value as `other`.
    pub issue_type: String,
    /// `visible`, `archived` or `purged`.
    pub retention: String,
    pub milestone_id: Option<String>,
    /// The name of the milestone `milestone_id` names, when a milestone file has that id
    /// (filled in by the caller, which reads the milestones as the tracker does).
    pub milestone_name: Option<String>,
    pub assignee: Option<String>,
    /// As the file wrote it, an int or a float (Python's sums keep the difference).
    pub estimated_hours: Option<Number>,
    pub progress_percentage: Option<Number>,
    /// The due date as a [`timestamp::sort_key`] (UTC), for `--overdue`.
    pub due_key: Option<String>,
    pub comment_count: usize,
    /// The ids this issue waits on, and when it ended as the file says it (`today` reads them).
    pub depends_on: Vec<String>,
    pub actual_end_date: Option<String>,
    /// Some field was odd when the sync read the file (see `issues.warnings`).
    pub has_warnings: bool,
}

/// What [`Cache::contract_issues`] reads beside each row's fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueRead {
    /// The rows in no particular order (`issue list` sorts them itself).
    Rows,
    /// The rows with their Markdown bodies, for `--search`.
    WithBodies,
    /// The rows in the order the tracker reads the files (by path), for the outputs that show
    /// issues in that order (`milestone view`, `today`).
    InFileOrder,
}

/// A milestone as `--milestone` and `--next-milestone` need it.
#[derive(Debug, Clone, PartialEq)]
pub struct ContractMilestone {
    pub id: String,
    pub name: String,
    /// `retention: visible` (or none): not archived, not purged.
    pub visible: bool,
    pub status: String,
    pub due_key: Option<String>,
}

/// A file of a document folder the cache cannot vouch for, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suspect {
    /// Repository-relative, `/`-separated.
    pub path: String,
    pub reason: String,
}

/// The issue columns, then `tracker_fields` (see [`tracker_fields`]), read in Rust: six
/// `json_extract` calls per row were a tenth of a served `issue list`.
const ISSUE_COLUMNS: &str = "i.id, i.title, i.priority, i.status, i.issue_type, i.assignee,
    i.due_date, i.warnings IS NOT NULL, i.tracker_fields";

/// The array [`tracker_fields`] writes, as read back.
type TrackerFields = (
    Option<String>,
    Option<String>,
    Option<String>,
    serde_json::Value,
    serde_json::Value,
    Option<u64>,
    Vec<String>,
    Option<String>,
);

/// The few fields 0.3.1's outputs read that `issues` has no column for, as the JSON array kept
/// in `issues.tracker_fields`: `[headline, retention, milestone_id, estimated_hours,
/// progress_percentage, number of comments, depends_on, actual_end_date]`, each as the file says
/// it (`null` when absent; a retention that is not text is `null`, and such a file is doubted
/// anyway). A number the file wrote as an int is a JSON int, a float a JSON float (`4.0`).
#[must_use]
pub(super) fn tracker_fields(issue: &Issue) -> String {
    let fm = &issue.frontmatter;
    // A tuple is written as a JSON array straight away, without a `serde_json::Value` built of
    // copies first (this runs for every row a rebuild writes).
    let fields = (
        &fm.headline,
        retention(issue),
        &issue.milestone_id,
        fm.estimated_hours.map(json_number),
        fm.progress_percentage.map(json_number),
        fm.comments.as_ref().map_or(0, Vec::len),
        fm.depends_on.as_deref().unwrap_or_default(),
        &fm.actual_end_date,
    );
    serde_json::to_string(&fields).unwrap_or_else(|_| "[]".to_owned())
}

/// The file's `retention` (an unknown key to our model), when it is text.
pub(super) fn retention(issue: &Issue) -> Option<&str> {
    issue
        .frontmatter
        .unknown
        .iter()
        .find(|(key, _)| key == "retention")
        .and_then(|(_, value)| value.as_str())
}

impl Cache {
    /// The ids of the issue files of the contract layout that `supplied` names as 0.3.1's
    /// `resolve_issue_id` does: the exact id, else every id it starts (sorted). A range of the
    /// id index: at 100k issues, reading every id was most of an `issue view`.
    pub fn contract_issue_ids_named(&self, supplied: &str) -> Result<Vec<String>, CacheError> {
        let connection = self.connection();
        let ids = |sql: &str, params: &[&dyn rusqlite::ToSql]| -> Result<Vec<String>, CacheError> {
            let mut statement = connection.prepare_cached(sql)?;
            let rows = statement.query_map(params, |row| row.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        let exact = ids(
            "SELECT id FROM issues INDEXED BY issues_by_id
             WHERE id = ?1 AND path GLOB '.roadmap/issues/*'",
            &[&supplied],
        )?;
        if !exact.is_empty() {
            return Ok(exact);
        }
        // Every id that starts with `supplied`: those from it up to the first text past all of
        // them (its last character's successor), by the index's byte order.
        let mut end: Vec<char> = supplied.chars().collect();
        let past = end
            .pop()
            .and_then(|last| (u32::from(last) + 1..=0x10_FFFF).find_map(char::from_u32));
        let Some(past) = past else {
            return ids(
                "SELECT id FROM issues INDEXED BY issues_by_id
                 WHERE id >= ?1 AND path GLOB '.roadmap/issues/*' ORDER BY id",
                &[&supplied],
            );
        };
        end.push(past);
        let end: String = end.into_iter().collect();
        ids(
            "SELECT id FROM issues INDEXED BY issues_by_id
             WHERE id >= ?1 AND id < ?2 AND path GLOB '.roadmap/issues/*' ORDER BY id",
            &[&supplied, &end],
        )
    }

    /// Returns every issue file of the contract layout (`.roadmap/issues/*.md`, shadowed
    /// copies too: the tracker reads files), as `read` asks. Milestone names are left for the
    /// caller ([`Cache::contract_milestones`]).
    pub fn contract_issues(&self, read: IssueRead) -> Result<Vec<ContractIssueRow>, CacheError> {
        let body = if read == IssueRead::WithBodies {
            "(SELECT body FROM issue_bodies WHERE issue = i.rowid)"
        } else {
            "''"
        };
        let order = if read == IssueRead::InFileOrder {
            "ORDER BY i.path"
        } else {
            ""
        };
        let mut statement = self.connection().prepare(&format!(
            "SELECT {ISSUE_COLUMNS}, {body} FROM issues AS i
             WHERE i.path GLOB '.roadmap/issues/*' {order}"
        ))?;
        let rows = statement.query_map([], issue_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The issue files of the contract layout assigned to `me` (exactly, as the tracker
    /// compares), in the order the tracker reads the files (by path): what `today` shows. A
    /// seek of the assignee index (case-blind, so the few other spellings are dropped here)
    /// and of the few shadowed files, not a read of every row.
    pub fn contract_issues_assigned(&self, me: &str) -> Result<Vec<ContractIssueRow>, CacheError> {
        self.contract_issues_found(
            "issues_by_assignee",
            "i.assignee = ?1 COLLATE NOCASE",
            &[me],
            |issue| issue.assignee.as_deref() == Some(me),
        )
    }

    /// The issue files of the contract layout whose milestone id is `id`, in the order the
    /// tracker reads the files (by path): what `milestone view` shows. A seek of the milestone
    /// index by the name such rows show (`name`, from the milestone's file) and by the id (an
    /// issue whose milestone has no file shows the id), and of the few shadowed files. A row
    /// showing another name would be missed: the caller counts the rows found against the
    /// tallies.
    pub fn contract_issues_of_milestone(
        &self,
        id: &str,
        name: &str,
    ) -> Result<Vec<ContractIssueRow>, CacheError> {
        self.contract_issues_found(
            "issues_by_milestone",
            "i.milestone IN (?1, ?2)",
            &[id, name],
            |issue| issue.milestone_id.as_deref() == Some(id),
        )
    }

    /// The issue files of the contract layout that `seek` (a condition on `i`, which `index`
    /// answers) finds among the rows and among the few shadowed ones, those `keep` keeps, by
    /// path.
    fn contract_issues_found(
        &self,
        index: &str,
        seek: &str,
        params: &[&str],
        keep: impl Fn(&ContractIssueRow) -> bool,
    ) -> Result<Vec<ContractIssueRow>, CacheError> {
        // Until the builder has made it (see `order_indexes`), SQLite plans the seek itself.
        let access = if self.has_index(index)? {
            format!("INDEXED BY {index}")
        } else {
            String::new()
        };
        let mut statement = self.connection().prepare_cached(&format!(
            "SELECT {ISSUE_COLUMNS}, '', i.path FROM issues AS i {access}
             WHERE {seek} AND NOT i.shadowed AND i.path GLOB '.roadmap/issues/*'
             UNION ALL
             SELECT {ISSUE_COLUMNS}, '', i.path FROM issues AS i INDEXED BY issues_shadowed
             WHERE i.shadowed AND {seek} AND i.path GLOB '.roadmap/issues/*'"
        ))?;
        let rows = statement.query_map(rusqlite::params_from_iter(params), |row| {
            Ok((row.get::<_, String>(10)?, issue_row(row)?))
        })?;
        let mut found: Vec<(String, ContractIssueRow)> = rows
            .filter(|row| row.as_ref().map_or(true, |(_, issue)| keep(issue)))
            .collect::<Result<_, _>>()?;
        found.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(found.into_iter().map(|(_, issue)| issue).collect())
    }

    /// Returns every milestone file of the contract layout (`.roadmap/milestones/*.md`) by
    /// path, the order the tracker reads them in. Reusable by any 0.3.1 output that reads
    /// milestones (`issue list -m`, `--next-milestone`, milestone names).
    pub fn contract_milestones(&self) -> Result<Vec<ContractMilestone>, CacheError> {
        let mut statement = self.connection().prepare(
            "SELECT coalesce(id, name), name, NOT archived, coalesce(status, 'open'), due_date
             FROM milestones WHERE path GLOB '.roadmap/milestones/*' ORDER BY path",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(ContractMilestone {
                id: row.get(0)?,
                name: row.get(1)?,
                visible: row.get(2)?,
                status: row.get(3)?,
                due_key: row
                    .get::<_, Option<String>>(4)?
                    .as_deref()
                    .and_then(timestamp::sort_key),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Returns the files under `folder` (`.roadmap/issues`, say) the cache cannot vouch for, by
    /// path: unreadable ones, those the tracker might read differently (`tracker_doubts`), and
    /// issue files whose id another file also has. Reads the small tables and the index of
    /// shadowed rows only.
    pub fn contract_suspects(&self, folder: &str) -> Result<Vec<Suspect>, CacheError> {
        let mut statement = self.connection().prepare_cached(
            "SELECT path, error FROM invalid_files WHERE path GLOB ?1
             UNION ALL SELECT path, reason FROM tracker_doubts WHERE path GLOB ?1
             UNION ALL SELECT path, 'another issue file has its id' FROM issues
                 WHERE shadowed AND path GLOB ?1
             ORDER BY path",
        )?;
        let rows = statement.query_map([format!("{folder}/*")], |row| {
            Ok(Suspect {
                path: row.get(0)?,
                reason: row.get(1)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// One row of [`ISSUE_COLUMNS`] then the body (`''` when not asked for).
fn issue_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<ContractIssueRow> {
    let text = |i: usize| row.get::<_, Option<String>>(i);
    let issue_type: String = row.get(4)?;
    // A row written before the column existed, or damaged: every field unknown, and the row
    // doubted (the command goes to the tracker).
    let fields: Option<TrackerFields> = row
        .get_ref(8)?
        .as_str_or_null()
        .ok()
        .flatten()
        .and_then(|json| serde_json::from_str(json).ok());
    let readable = fields.is_some();
    let (headline, retention, milestone_id, hours, progress, comments, depends_on, ended) =
        fields.unwrap_or((None, None, None, Null, Null, None, Vec::new(), None));
    let (hours, progress) = (number(&hours), number(&progress));
    Ok(ContractIssueRow {
        id: row.get(0)?,
        title: row.get(1)?,
        priority: row.get(2)?,
        status: row.get(3)?,
        issue_type: if ["feature", "bug", "other"].contains(&issue_type.as_str()) {
            issue_type
        } else {
            "other".to_owned()
        },
        assignee: text(5)?,
        due_key: text(6)?.as_deref().and_then(timestamp::sort_key),
        has_warnings: row.get::<_, bool>(7)? || !readable || hours.is_err() || progress.is_err(),
        headline: headline.unwrap_or_default(),
        retention: retention.unwrap_or_else(|| "visible".to_owned()),
        milestone_id,
        milestone_name: None,
        estimated_hours: hours.unwrap_or(None),
        progress_percentage: progress.unwrap_or(None),
        comment_count: comments.and_then(|n| usize::try_from(n).ok()).unwrap_or(0),
        depends_on,
        actual_end_date: ended,
        content: row.get(9)?,
    })
}

/// An int as a JSON int, when it is one exactly; anything else as a JSON float, but for
/// `.nan` and `.inf`, which JSON cannot hold: text, which [`number`] reads as odd.
pub(super) fn json_number(number: Number) -> serde_json::Value {
    if !number.value.is_finite() {
        return serde_json::Value::from("not finite");
    }
    number.exact_int().map_or(
        serde_json::Value::from(number.value),
        serde_json::Value::from,
    )
}

/// A JSON number, read back as [`json_number`] wrote it; `Err` for anything else (the file
/// said something odd).
pub(super) fn number(value: &serde_json::Value) -> Result<Option<Number>, ()> {
    match value {
        Null => Ok(None),
        serde_json::Value::Number(n) => n
            .as_f64()
            .map(|value| {
                Some(Number {
                    value,
                    integer: !n.is_f64(),
                })
            })
            .ok_or(()),
        _ => Err(()),
    }
}

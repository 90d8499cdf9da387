//! `contract_tally`: the issue files of the contract layout counted by what roadmap-cli
//! 0.3.1's summaries read of them (retention, status, milestone id, estimate, progress), so
//! `status` and `milestone list` read a few hundred tallies instead of every row (at 100k
//! issues, reading the rows was 170-220 ms of each).
//!
//! SQL triggers keep it: every write to `issues`, whichever path of ours makes it, moves the
//! counts in the same transaction, and the counts cannot drift from the rows. The keys are
//! the JSON texts of `tracker_fields` (`4` and `4.0` stay apart, as Python keeps an int from
//! a float), computed by one SQL expression for the fill and for the triggers alike. A
//! rebuild drops the triggers, fills the table with one `GROUP BY` after its rows, and makes
//! the triggers again (100k trigger firings cost more than the one pass).

use super::contract_query::number;
use super::{Cache, CacheError};
use crate::issue::Number;

/// The key of one issue row `{r}`, in the order of `contract_tally`'s key columns.
const KEY: &str = "
    CASE WHEN json_valid({r}.tracker_fields)
         THEN coalesce({r}.tracker_fields ->> '$[1]', 'visible') ELSE 'visible' END,
    {r}.status,
    CASE WHEN json_valid({r}.tracker_fields)
         THEN coalesce({r}.tracker_fields -> '$[2]', 'null') ELSE 'null' END,
    CASE WHEN json_valid({r}.tracker_fields)
         THEN coalesce({r}.tracker_fields -> '$[3]', 'null') ELSE 'null' END,
    CASE WHEN json_valid({r}.tracker_fields)
         THEN coalesce({r}.tracker_fields -> '$[4]', 'null') ELSE 'null' END,
    CASE WHEN json_valid({r}.tracker_fields) AND {r}.warnings IS NULL THEN 0 ELSE 1 END";

const COLUMNS: &str = "retention, status, milestone, estimated, progress, odd";

/// The files 0.3.1 reads as issues, as [`Cache::contract_issues`] selects them.
const COUNTED: &str = "{r}.path GLOB '.roadmap/issues/*'";

const TRIGGERS: [&str; 3] = [
    "contract_tally_inserted",
    "contract_tally_deleted",
    "contract_tally_updated",
];

fn key(row: &str) -> String {
    KEY.replace("{r}", row)
}

/// `DROP`s of the triggers, for a rebuild about to insert every row.
pub(super) fn drop_triggers() -> String {
    TRIGGERS
        .iter()
        .map(|name| format!("DROP TRIGGER IF EXISTS {name};"))
        .collect()
}

/// The tally counted from the rows: what the table holds at every commit (a test's check).
#[must_use]
pub fn recount_sql() -> String {
    format!(
        "SELECT {key}, count(*) FROM issues AS r WHERE {counted} GROUP BY 1, 2, 3, 4, 5, 6",
        key = key("r"),
        counted = COUNTED.replace("{r}", "r"),
    )
}

/// Fills the tally from the rows and makes the triggers that keep it.
pub(super) fn fill_and_keep() -> String {
    let counted = |row: &str| COUNTED.replace("{r}", row);
    let (old, new) = (key("old"), key("new"));
    let take_old = format!(
        "UPDATE contract_tally SET n = n - 1 WHERE ({COLUMNS}) = ({old}) AND {when};
         DELETE FROM contract_tally WHERE ({COLUMNS}) = ({old}) AND n <= 0;",
        when = counted("old"),
    );
    let add_new = format!(
        "INSERT INTO contract_tally ({COLUMNS}, n) SELECT {new}, 1 WHERE {when}
         ON CONFLICT DO UPDATE SET n = n + 1;",
        when = counted("new"),
    );
    format!(
        "DELETE FROM contract_tally;
         INSERT INTO contract_tally ({COLUMNS}, n) {recount};
         CREATE TRIGGER IF NOT EXISTS {inserted} AFTER INSERT ON issues BEGIN {add_new} END;
         CREATE TRIGGER IF NOT EXISTS {deleted} AFTER DELETE ON issues BEGIN {take_old} END;
         CREATE TRIGGER IF NOT EXISTS {updated}
             AFTER UPDATE OF path, status, warnings, tracker_fields ON issues
             BEGIN {take_old} {add_new} END;",
        recount = recount_sql(),
        inserted = TRIGGERS[0],
        deleted = TRIGGERS[1],
        updated = TRIGGERS[2],
    )
}

/// Issue files sharing every field 0.3.1's summaries read.
#[derive(Debug, Clone, PartialEq)]
pub struct Tally {
    /// `visible`, `archived` or `purged`.
    pub retention: String,
    pub status: String,
    pub milestone_id: Option<String>,
    /// As the files wrote it: an int or a float.
    pub estimated_hours: Option<Number>,
    pub progress_percentage: Option<Number>,
    /// Some field was odd when the sync read these files (as `ContractIssueRow::has_warnings`).
    pub odd: bool,
    /// How many files.
    pub files: u64,
}

impl Cache {
    /// Every tally of the contract layout's issue files (a few per milestone and status in
    /// the common case: one per distinct estimate and progress beside them).
    pub fn contract_tallies(&self) -> Result<Vec<Tally>, CacheError> {
        let mut statement = self.connection().prepare_cached(
            "SELECT retention, status, milestone, estimated, progress, odd, n FROM contract_tally",
        )?;
        let rows = statement.query_map([], |row| {
            let json = |i: usize| -> rusqlite::Result<Option<serde_json::Value>> {
                Ok(serde_json::from_str(&row.get::<_, String>(i)?).ok())
            };
            let milestone = json(2)?;
            let (hours, progress) = (json(3)?, json(4)?);
            let milestone_id = match milestone {
                Some(serde_json::Value::Null) => Ok(None),
                Some(serde_json::Value::String(id)) => Ok(Some(id)),
                _ => Err(()),
            };
            let hours = hours.as_ref().ok_or(()).and_then(number);
            let progress = progress.as_ref().ok_or(()).and_then(number);
            let readable = milestone_id.is_ok() && hours.is_ok() && progress.is_ok();
            Ok(Tally {
                retention: row.get(0)?,
                status: row.get(1)?,
                milestone_id: milestone_id.unwrap_or(None),
                estimated_hours: hours.unwrap_or(None),
                progress_percentage: progress.unwrap_or(None),
                odd: row.get::<_, bool>(5)? || !readable,
                files: row.get::<_, i64>(6)?.try_into().unwrap_or(0),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

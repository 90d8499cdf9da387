//! `contract_tally`: the issue files of the contract layout counted by what roadmap-cli
//! 0.3.1's summaries read of them (retention, status, milestone id, estimate, progress), so
//! `status` and `milestone list` read a few hundred tallies instead of every row (at 100k
//! issues, reading the rows was 170-220 ms of each).
//!
//! Each row carries its key ([`tally_key`], `issues.tally_key`), written by the sync with the
//! row. SQL triggers keep the counts: every write to `issues`, whichever path of ours makes
//! it, moves them in the same transaction, so they cannot drift from the rows. A rebuild
//! drops the triggers, counts its rows as it writes them ([`Tallies`]) and makes the triggers
//! again: 100k trigger firings, or a `GROUP BY` over the rows at the end, cost more.

use super::contract_query::{json_number, number, retention};
use super::{Cache, CacheError};
use crate::issue::{Issue, Number};
use rusqlite::Connection;
use std::collections::HashMap;

/// The folder of the files 0.3.1 reads as issues. Only its own files are counted: the
/// contract layout is flat, and a served read refuses a folder nested in it before it reads
/// (so the tallies count what [`Cache::contract_issues`] would read for it). The legacy
/// layout's files, all in nested folders, cost no tally.
const COUNTED: &str = ".roadmap/issues/";

const TRIGGERS: &str = "
    CREATE TRIGGER IF NOT EXISTS contract_tally_inserted AFTER INSERT ON issues
    WHEN new.tally_key IS NOT NULL BEGIN
        INSERT INTO contract_tally (key, n) VALUES (new.tally_key, 1)
            ON CONFLICT DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER IF NOT EXISTS contract_tally_deleted AFTER DELETE ON issues
    WHEN old.tally_key IS NOT NULL BEGIN
        UPDATE contract_tally SET n = n - 1 WHERE key = old.tally_key;
        DELETE FROM contract_tally WHERE key = old.tally_key AND n <= 0;
    END;
    CREATE TRIGGER IF NOT EXISTS contract_tally_updated AFTER UPDATE OF tally_key ON issues
    WHEN old.tally_key IS NOT new.tally_key BEGIN
        UPDATE contract_tally SET n = n - 1 WHERE key = old.tally_key;
        DELETE FROM contract_tally WHERE key = old.tally_key AND n <= 0;
        INSERT INTO contract_tally (key, n) SELECT new.tally_key, 1
            WHERE new.tally_key IS NOT NULL ON CONFLICT DO UPDATE SET n = n + 1;
    END;";

/// The key of the issue read from `path`: the JSON array `[retention, status, milestone id,
/// estimated_hours, progress_percentage, odd]`, each as [`Cache::contract_issues`] reads it
/// (numbers as `tracker_fields` writes them: `4` and `4.0` stay apart, as Python keeps an int
/// from a float; `odd` as its `has_warnings`); `None` for a file not directly in the issue
/// folder.
#[must_use]
pub(super) fn tally_key(path: &str, issue: &Issue) -> Option<String> {
    if path
        .strip_prefix(COUNTED)
        .is_none_or(|name| name.contains('/'))
    {
        return None;
    }
    let fm = &issue.frontmatter;
    let retention = retention(issue).unwrap_or("visible");
    // A tuple is written as an array with no `Value` tree built (a rebuild writes 100k).
    let key = (
        retention,
        issue.status.as_str(),
        issue.milestone_id.as_deref(),
        fm.estimated_hours.map(json_number),
        fm.progress_percentage.map(json_number),
        !issue.warnings.is_empty(),
    );
    serde_json::to_string(&key).ok()
}

/// A rebuild's counts, kept while it writes its rows and stored at its end.
#[derive(Debug, Default)]
pub(super) struct Tallies(HashMap<String, u64>);

impl Tallies {
    pub(super) fn count(&mut self, key: &str) {
        match self.0.get_mut(key) {
            Some(n) => *n += 1,
            None => {
                self.0.insert(key.to_owned(), 1);
            }
        }
    }

    /// Stores the counts in a rebuild's new generation and makes the triggers that keep them.
    pub(super) fn store(self, tx: &Connection) -> Result<(), CacheError> {
        let mut insert = tx.prepare("INSERT INTO contract_tally (key, n) VALUES (?1, ?2)")?;
        for (key, n) in self.0 {
            insert.execute(rusqlite::params![key, i64::try_from(n).unwrap_or(i64::MAX)])?;
        }
        tx.execute_batch(TRIGGERS)?;
        Ok(())
    }
}

/// Drops the triggers, for a rebuild about to insert every row.
pub(super) fn drop_triggers(tx: &Connection) -> Result<(), CacheError> {
    tx.execute_batch(
        "DROP TRIGGER IF EXISTS contract_tally_inserted;
         DROP TRIGGER IF EXISTS contract_tally_deleted;
         DROP TRIGGER IF EXISTS contract_tally_updated;",
    )?;
    Ok(())
}

/// The tallies counted again from the rows (by path, as 0.3.1 reads the files), as
/// `(key, n)`: what the table holds after every sync (a test's check).
pub const RECOUNT_SQL: &str = "SELECT tally_key, count(*) FROM issues
    WHERE path GLOB '.roadmap/issues/*' AND path NOT GLOB '.roadmap/issues/*/*' GROUP BY 1";

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

/// The array [`tally_key`] writes, as read back.
type Key = (
    String,
    String,
    Option<String>,
    serde_json::Value,
    serde_json::Value,
    bool,
);

impl Cache {
    /// Every tally of the contract layout's issue files (a few per milestone and status in
    /// the common case: one per distinct estimate and progress beside them).
    pub fn contract_tallies(&self) -> Result<Vec<Tally>, CacheError> {
        let mut statement = self
            .connection()
            .prepare_cached("SELECT key, n FROM contract_tally")?;
        let rows = statement.query_map([], |row| {
            let key: Option<Key> = serde_json::from_str(&row.get::<_, String>(0)?).ok();
            let files = row.get::<_, i64>(1)?.try_into().unwrap_or(0);
            // A key we cannot read back: counted, and odd (the read goes to the tracker).
            let Some((retention, status, milestone_id, hours, progress, odd)) = key else {
                return Ok(Tally {
                    retention: String::new(),
                    status: String::new(),
                    milestone_id: None,
                    estimated_hours: None,
                    progress_percentage: None,
                    odd: true,
                    files,
                });
            };
            let (hours, progress) = (number(&hours), number(&progress));
            Ok(Tally {
                retention,
                status,
                milestone_id,
                odd: odd || hours.is_err() || progress.is_err(),
                estimated_hours: hours.unwrap_or(None),
                progress_percentage: progress.unwrap_or(None),
                files,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

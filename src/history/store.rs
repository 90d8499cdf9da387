//! `history.db`, the event log: the only code that reads or writes its tables.
//!
//! Invariant, kept by every transaction here: `history_chain` is a prefix of the first-parent
//! line of some commit (seq 1 its root, each row the first child of the one before), every
//! `history_events` row belongs to a chain row, and `history_files` holds the issue files of
//! the chain's last commit. A batch of commits is one transaction, so an interrupted backfill
//! leaves the log at the end of its last batch, and the next run goes on from there.
//!
//! The log lives beside the cache generations, not in them: a cache rebuild keeps it (the
//! events of a commit never change), and a log derived by another version of the field rules
//! ([`DERIVER`]) is emptied and derived again.

mod event_rows;

use super::event_fields::EventFields;
use super::events::EventLogError;
use super::tally::Tallies;
use event_rows::{decode_fields, encode_fields};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use std::path::{Path, PathBuf};

/// Ordered migrations; entry `n` takes the schema from version `n` to `n + 1`.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/001_event_log.sql"),
    include_str!("migrations/002_whole_issue_events.sql"),
];

/// The version of the rules that turn two versions of a file into events; a log derived under
/// another one is derived again.
const DERIVER: &str = "2";

/// One commit of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainCommit {
    pub seq: i64,
    pub commit_id: String,
    pub committed_at: i64,
    pub author: String,
}

pub use event_rows::StoredEvent;

/// The open event log.
pub struct EventLog {
    conn: Connection,
    path: PathBuf,
}

/// How long a writer waits for another (a backfill commits every second at most).
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

impl EventLog {
    /// Opens `history.db` in `dir`, creating it or running the migrations it lacks. Charts
    /// started together all create the file at once, and an open racing another one's creation
    /// (its switch to WAL, its migrations) failed with `SQLITE_BUSY` despite the busy timeout
    /// (`backfills_running_at_once_leave_one_log`, about one run in three under load): the
    /// whole open is tried again for up to the busy timeout.
    pub fn open(dir: &Path) -> Result<Self, EventLogError> {
        let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
        loop {
            match Self::open_once(dir) {
                Err(EventLogError::Sqlite(error))
                    if error.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                        && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                other => return other,
            }
        }
    }

    fn open_once(dir: &Path) -> Result<Self, EventLogError> {
        std::fs::create_dir_all(dir).map_err(|source| EventLogError::Io {
            path: dir.to_owned(),
            source,
        })?;
        let path = dir.join("history.db");
        let mut conn = Connection::open(&path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY;",
        )?;
        if Self::is_current(&conn)? {
            return Ok(EventLog { conn, path });
        }
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Read again under the write lock: another process may have migrated meanwhile.
        let version: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
        for (index, migration) in MIGRATIONS
            .iter()
            .enumerate()
            .skip(usize::try_from(version).unwrap_or(0))
        {
            tx.execute_batch(migration)?;
            tx.pragma_update(None, "user_version", i64::try_from(index).unwrap_or(0) + 1)?;
        }
        let deriver: Option<String> = tx
            .query_row(
                "SELECT value FROM history_meta WHERE key = 'deriver'",
                [],
                |row| row.get(0),
            )
            .optional()?;
        if deriver.as_deref() != Some(DERIVER) {
            tx.execute_batch(
                "DELETE FROM history_events; DELETE FROM history_tallies;
                 DELETE FROM history_chain; DELETE FROM history_files;
                 DELETE FROM history_milestones;",
            )?;
            tx.execute(
                "INSERT OR REPLACE INTO history_meta (key, value) VALUES ('deriver', ?1)",
                [DERIVER],
            )?;
        }
        tx.commit()?;
        Ok(EventLog { conn, path })
    }

    /// Whether the schema and the field rules are this build's: then opening writes nothing
    /// (a chart does not wait for a backfill running in another process to open the log).
    fn is_current(conn: &Connection) -> Result<bool, EventLogError> {
        let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
        if usize::try_from(version).ok() != Some(MIGRATIONS.len()) {
            return Ok(false);
        }
        let deriver: Option<String> = conn
            .query_row(
                "SELECT value FROM history_meta WHERE key = 'deriver'",
                [],
                |row| row.get(0),
            )
            .optional()?;
        Ok(deriver.as_deref() == Some(DERIVER))
    }

    /// Where the database file is.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The chain's last commit.
    pub fn tip(&self) -> Result<Option<ChainCommit>, EventLogError> {
        tip(&self.conn)
    }

    /// The position of `commit_id` on the chain.
    pub fn seq_of(&self, commit_id: &str) -> Result<Option<i64>, EventLogError> {
        Ok(self
            .conn
            .prepare_cached("SELECT seq FROM history_chain WHERE commit_id = ?1")?
            .query_row([commit_id], |row| row.get(0))
            .optional()?)
    }

    /// Starts a write: `BEGIN IMMEDIATE`, so a second writer waits here for the first batch to
    /// end, then finds the tip moved and starts over (see `walk`).
    pub fn batch(&mut self) -> Result<Batch<'_>, EventLogError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        Ok(Batch { tx })
    }

    /// The whole chain, oldest first.
    pub fn chain(&self) -> Result<Vec<ChainCommit>, EventLogError> {
        let mut read = self.conn.prepare(
            "SELECT seq, commit_id, committed_at, author FROM history_chain ORDER BY seq",
        )?;
        let rows = read.query_map([], chain_commit)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Calls `each(seq, key, issues, estimate)` with every count change of `chart` (see
    /// `tally`), in chain order.
    pub fn each_tally(
        &self,
        chart: &str,
        mut each: impl FnMut(i64, &str, f64, f64),
    ) -> Result<(), EventLogError> {
        let mut read = self.conn.prepare_cached(
            "SELECT seq, key, issues, estimate FROM history_tallies WHERE chart = ?1
             ORDER BY seq, key",
        )?;
        let mut rows = read.query([chart])?;
        while let Some(row) = rows.next()? {
            let key: String = row.get(1)?;
            each(row.get(0)?, &key, row.get(2)?, row.get(3)?);
        }
        Ok(())
    }

    /// The milestone ids a contract-line file ever gave the name `name`.
    pub fn milestone_ids_named(&self, name: &str) -> Result<Vec<String>, EventLogError> {
        let mut read = self
            .conn
            .prepare("SELECT DISTINCT id FROM history_milestones WHERE name = ?1 ORDER BY id")?;
        let rows = read.query_map([name], |row| row.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// One write transaction of the log: a truncation, a batch of commits, or both.
pub struct Batch<'c> {
    tx: Transaction<'c>,
}

impl Batch<'_> {
    /// The chain's last commit, as this transaction sees it.
    pub fn tip(&self) -> Result<Option<ChainCommit>, EventLogError> {
        tip(&self.tx)
    }

    /// Drops the chain after `seq` and the events of the commits dropped (0 drops all). The
    /// file states still belong to the dropped tip: the caller moves them back.
    pub fn truncate_after(&self, seq: i64) -> Result<(), EventLogError> {
        self.tx
            .execute("DELETE FROM history_events WHERE seq > ?1", [seq])?;
        self.tx
            .execute("DELETE FROM history_tallies WHERE seq > ?1", [seq])?;
        self.tx
            .execute("DELETE FROM history_chain WHERE seq > ?1", [seq])?;
        Ok(())
    }

    /// Forgets every file state (the chain is empty again).
    pub fn clear_files(&self) -> Result<(), EventLogError> {
        self.tx.execute("DELETE FROM history_files", [])?;
        Ok(())
    }

    /// The issue file at `path` in the chain's last commit, as `(issue id, fields)`.
    pub fn file(&self, path: &str) -> Result<Option<(String, EventFields)>, EventLogError> {
        let found: Option<(String, String)> = self
            .tx
            .prepare_cached("SELECT issue, fields FROM history_files WHERE path = ?1")?
            .query_row([path], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?;
        Ok(found.map(|(issue, fields)| (issue, decode_fields(&fields))))
    }

    /// Records the issue file at `path` (`None`: none there any more).
    pub fn set_file(
        &self,
        path: &str,
        file: Option<&(String, EventFields)>,
    ) -> Result<(), EventLogError> {
        match file {
            Some((issue, fields)) => {
                let encoded = encode_fields(fields);
                self.tx
                    .prepare_cached(
                        "INSERT OR REPLACE INTO history_files (path, issue, fields)
                         VALUES (?1, ?2, ?3)",
                    )?
                    .execute(params![path, issue, encoded])?;
            }
            None => {
                self.tx
                    .prepare_cached("DELETE FROM history_files WHERE path = ?1")?
                    .execute([path])?;
            }
        }
        Ok(())
    }

    /// Appends a commit to the chain.
    pub fn push_commit(&self, commit: &ChainCommit) -> Result<(), EventLogError> {
        self.tx
            .prepare_cached(
                "INSERT INTO history_chain (seq, commit_id, committed_at, author)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![
                commit.seq,
                commit.commit_id,
                commit.committed_at,
                commit.author
            ])?;
        Ok(())
    }

    /// Records the changes of the charts' counts at the commit at `seq` (none when zero).
    pub fn push_tallies(&self, seq: i64, tallies: &Tallies) -> Result<(), EventLogError> {
        let mut insert = self.tx.prepare_cached(
            "INSERT INTO history_tallies (seq, chart, key, issues, estimate)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for ((chart, key), (issues, estimate)) in tallies {
            if issues.abs() > 1e-9 || estimate.abs() > 1e-9 {
                insert.execute(params![seq, chart, key, issues, estimate])?;
            }
        }
        Ok(())
    }

    /// Remembers that milestone `id` was named `name`.
    pub fn name_milestone(&self, id: &str, name: &str) -> Result<(), EventLogError> {
        self.tx
            .prepare_cached("INSERT OR IGNORE INTO history_milestones (id, name) VALUES (?1, ?2)")?
            .execute([id, name])?;
        Ok(())
    }

    pub fn commit(self) -> Result<(), EventLogError> {
        self.tx.commit()?;
        Ok(())
    }
}

fn tip(conn: &Connection) -> Result<Option<ChainCommit>, EventLogError> {
    Ok(conn
        .prepare_cached(
            "SELECT seq, commit_id, committed_at, author FROM history_chain
             ORDER BY seq DESC LIMIT 1",
        )?
        .query_row([], chain_commit)
        .optional()?)
}

fn chain_commit(row: &rusqlite::Row<'_>) -> rusqlite::Result<ChainCommit> {
    Ok(ChainCommit {
        seq: row.get(0)?,
        commit_id: row.get(1)?,
        committed_at: row.get(2)?,
        author: row.get(3)?,
    })
}

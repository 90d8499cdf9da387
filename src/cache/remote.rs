//! `remote.db`: state that cannot be rebuilt from git, such as `sync_base_state` (the baseline
//! of a two-way sync with a remote tracker). It lives apart from the cache generations, so no
//! rebuild can drop it, and its schema is migrated in place by ordered migrations.

use super::CacheError;
use rusqlite::Connection;
use std::path::Path;

/// Ordered migrations; entry `n` takes the schema from version `n` to `n + 1`.
const MIGRATIONS: &[&str] = &[include_str!("migrations/001_sync_base_state.sql")];

/// The open remote-state database.
pub struct RemoteState {
    conn: Connection,
}

impl RemoteState {
    /// Opens `remote.db` in `dir`, creating it or running the migrations it lacks.
    pub fn open(dir: &Path) -> Result<Self, CacheError> {
        std::fs::create_dir_all(dir).map_err(|source| CacheError::Io {
            path: dir.to_owned(),
            source,
        })?;
        let mut conn = Connection::open(dir.join("remote.db"))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
        let tx = conn.transaction()?;
        for (index, migration) in MIGRATIONS
            .iter()
            .enumerate()
            .skip(usize::try_from(version).unwrap_or(0))
        {
            tx.execute_batch(migration)?;
            tx.pragma_update(None, "user_version", i64::try_from(index).unwrap_or(0) + 1)?;
        }
        tx.commit()?;
        Ok(RemoteState { conn })
    }

    /// Records the agreed state of `issue_id` on `remote` (JSON of the synced fields).
    pub fn set_base_state(
        &self,
        remote: &str,
        issue_id: &str,
        state: &str,
    ) -> Result<(), CacheError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO sync_base_state (remote, issue_id, state, synced_at)
             VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
            [remote, issue_id, state],
        )?;
        Ok(())
    }

    /// Records several agreed states of `remote` in one transaction: all of them or none.
    pub fn set_base_states(
        &mut self,
        remote: &str,
        states: &[(String, String)],
    ) -> Result<(), CacheError> {
        let tx = self.conn.transaction()?;
        for (issue_id, state) in states {
            tx.execute(
                "INSERT OR REPLACE INTO sync_base_state (remote, issue_id, state, synced_at)
                 VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                [remote, issue_id, state],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Returns every agreed state of `remote`, as `(issue_id, state)` pairs.
    pub fn base_states(&self, remote: &str) -> Result<Vec<(String, String)>, CacheError> {
        let mut statement = self
            .conn
            .prepare("SELECT issue_id, state FROM sync_base_state WHERE remote = ?1")?;
        let rows = statement.query_map([remote], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Returns the agreed state of `issue_id` on `remote`, if it was ever synced.
    pub fn base_state(&self, remote: &str, issue_id: &str) -> Result<Option<String>, CacheError> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row(
                "SELECT state FROM sync_base_state WHERE remote = ?1 AND issue_id = ?2",
                [remote, issue_id],
                |row| row.get(0),
            )
            .optional()?)
    }
}

//! `remote.db`: state that cannot be rebuilt from git, such as `sync_base_state` (the baseline
//! of a two-way sync with a remote tracker). It lives apart from the cache generations, so no
//! rebuild can drop it, and its schema is migrated in place by ordered migrations. One per
//! repository, shared by its worktrees; [`RemoteState::adopt`] folds in one a worktree kept.

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
        Self::open_file(&dir.join("remote.db"))
    }

    fn open_file(path: &Path) -> Result<Self, CacheError> {
        let mut conn = Connection::open(path)?;
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

    /// Folds the rows of another `remote.db` (`other`, say one a worktree kept) into this one,
    /// in one transaction: a row this one lacks is added, an equal one kept, and two that differ
    /// go to `merge(issue_id, ours, theirs)`, whose `None` means they cannot be merged. Then
    /// `other` is renamed `remote.db.adopted` (kept, never read again). If any pair cannot be
    /// merged, nothing changes and their `(remote, issue_id)` are returned.
    pub fn adopt(
        &mut self,
        other: &Path,
        merge: impl Fn(&str, &str, &str) -> Option<String>,
    ) -> Result<Vec<(String, String)>, CacheError> {
        let dir = other.parent().unwrap_or(Path::new("."));
        let theirs = RemoteState::open_file(other)?;
        let rows: Vec<(String, String, String, String)> = {
            let mut statement = theirs
                .conn
                .prepare("SELECT remote, issue_id, state, synced_at FROM sync_base_state")?;
            let rows =
                statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        let tx = self.conn.transaction()?;
        let mut unmerged = Vec::new();
        for (remote, issue_id, state, synced_at) in rows {
            let ours: Option<String> = {
                use rusqlite::OptionalExtension;
                tx.query_row(
                    "SELECT state FROM sync_base_state WHERE remote = ?1 AND issue_id = ?2",
                    [&remote, &issue_id],
                    |row| row.get(0),
                )
                .optional()?
            };
            let merged = match ours {
                None => state,
                Some(ours) if ours == state => continue,
                Some(ours) => match merge(&issue_id, &ours, &state) {
                    Some(merged) => merged,
                    None => {
                        unmerged.push((remote, issue_id));
                        continue;
                    }
                },
            };
            tx.execute(
                "INSERT OR REPLACE INTO sync_base_state (remote, issue_id, state, synced_at)
                 VALUES (?1, ?2, ?3, ?4)",
                [&remote, &issue_id, &merged, &synced_at],
            )?;
        }
        if !unmerged.is_empty() {
            return Ok(unmerged);
        }
        tx.commit()?;
        // Out of WAL first, so the one file renamed holds every row.
        theirs.conn.pragma_update(None, "journal_mode", "DELETE")?;
        drop(theirs);
        let io = |source| CacheError::Io {
            path: other.to_owned(),
            source,
        };
        std::fs::rename(other, dir.join("remote.db.adopted")).map_err(io)?;
        Ok(Vec::new())
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

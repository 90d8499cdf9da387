//! The cache's side of the working-tree check (`workspace::worktree`): the blob each roadmap
//! path shows, and the key that names that state, so a stat file can keep the blobs a look
//! found shown and a later look can trust them while the key holds.

use super::{Cache, CacheError, meta};

impl Cache {
    /// The blob every roadmap path of the cache shows (HEAD's, or a pending write's), sorted
    /// by path. Each table is read in its path order, so SQLite sorts nothing.
    pub fn shown_blobs(&self) -> Result<Vec<(String, String)>, CacheError> {
        let mut shown = Vec::new();
        for table in ["issues", "milestones", "projects", "invalid_files"] {
            let mut statement = self
                .connection()
                .prepare(&format!("SELECT path, blob_oid FROM {table} ORDER BY path"))?;
            let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
            for row in rows {
                shown.push(row?);
            }
        }
        shown.sort_unstable();
        Ok(shown)
    }

    /// Names what [`Cache::shown_blobs`] returns now: the generation's file name and its count
    /// of committed transactions (`shown_version`, counted by every commit of rows). A rebuild
    /// writes another generation, so the name changes with it.
    pub fn shown_key(&self) -> Result<String, CacheError> {
        let version = self.metadata(meta::SHOWN_VERSION)?.unwrap_or_default();
        let generation = self
            .path()
            .file_name()
            .unwrap_or_default()
            .to_string_lossy();
        Ok(format!("{generation}:{version}"))
    }

    /// [`Cache::shown_key`] and [`Cache::shown_blobs`] read in one transaction, so the key
    /// names exactly the blobs read.
    pub fn shown_state(&self) -> Result<(String, Vec<(String, String)>), CacheError> {
        let read = self.connection().unchecked_transaction()?;
        let key = self.shown_key()?;
        let shown = self.shown_blobs()?;
        read.commit()?;
        Ok((key, shown))
    }
}

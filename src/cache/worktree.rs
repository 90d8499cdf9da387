//! The cache's side of the working-tree check (`workspace::worktree`): the blob each roadmap
//! path shows, and the stat data of the files as last looked at.

use super::{Cache, CacheError, CacheTransaction};
use rusqlite::params;

/// A working-tree file as last looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatEntry {
    pub size: u64,
    pub mtime_ns: i64,
    pub inode: u64,
    pub blob: String,
    pub stamped_ns: i64,
}

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

    /// The stat data of every working-tree file as last looked at, sorted by path.
    pub fn worktree_stats(&self) -> Result<Vec<(String, StatEntry)>, CacheError> {
        let mut statement = self.connection().prepare(
            "SELECT path, size, mtime_ns, inode, blob_oid, stamped_ns FROM worktree_stat ORDER BY path",
        )?;
        let rows = statement.query_map([], |row| {
            Ok((
                row.get(0)?,
                StatEntry {
                    size: u64::try_from(row.get::<_, i64>(1)?).unwrap_or(0),
                    mtime_ns: row.get(2)?,
                    inode: u64::try_from(row.get::<_, i64>(3)?).unwrap_or(0),
                    blob: row.get(4)?,
                    stamped_ns: row.get(5)?,
                },
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

impl CacheTransaction<'_> {
    /// Records what the working-tree file at `path` held; `None` forgets it (the file is gone).
    pub fn set_worktree_stat(
        &mut self,
        path: &str,
        entry: Option<&StatEntry>,
    ) -> Result<(), CacheError> {
        match entry {
            Some(e) => self.connection().prepare_cached(
                "INSERT OR REPLACE INTO worktree_stat (path, size, mtime_ns, inode, blob_oid, stamped_ns)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?.execute(params![
                path,
                i64::try_from(e.size).unwrap_or(i64::MAX),
                e.mtime_ns,
                i64::try_from(e.inode).unwrap_or(i64::MAX),
                e.blob,
                e.stamped_ns
            ])?,
            None => self
                .connection()
                .prepare_cached("DELETE FROM worktree_stat WHERE path = ?1")?
                .execute([path])?,
        };
        Ok(())
    }
}

//! The order indexes (`order_indexes.sql`): one per order a list can ask for, and the two a
//! filter on a rare value starts from. They are most of a full rebuild's index work (about
//! 1 s of CPU at 100k issues), and nothing but the lists that walk them needs them: a sync
//! finds rows by path and id, and the default view walks `issues_open_by_priority`.
//!
//! So a rebuild of a large repository publishes its rows without them, and a detached process
//! builds them one at a time (`crate::sync::order_index_builder`). Until an index exists, a
//! list that would walk or seek it leaves the plan to SQLite (a sort of what it reads): the
//! same rows in the same order, slower. An incremental sync keeps whatever indexes exist.

use super::{Cache, CacheError};
use crate::lock::SyncLock;
use rusqlite::Connection;

const CREATE_ORDER_INDEXES: &str = include_str!("order_indexes.sql");

/// From this many issue files on, a full rebuild leaves the order indexes to the builder.
/// Below it they cost a rebuild little (0.15 s of 0.37 s at 10k) and are built at once.
pub const DEFER_FROM: usize = 20_000;

/// Sets [`DEFER_FROM`] for this process and what it starts (tests and benches).
pub const DEFER_FROM_VARIABLE: &str = "ROADMAP_HOOKS_DEFER_INDEXES_FROM";

/// Whether a rebuild of `files` issue files leaves the order indexes to the builder.
#[must_use]
pub fn defer_for(files: usize) -> bool {
    let from = std::env::var(DEFER_FROM_VARIABLE)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(DEFER_FROM);
    files >= from
}

/// Each order index's name and its `CREATE INDEX` statement, in the file's order.
fn statements() -> impl Iterator<Item = (&'static str, &'static str)> {
    CREATE_ORDER_INDEXES
        .split_inclusive(';')
        .filter_map(|statement| {
            let name = statement
                .split("CREATE INDEX IF NOT EXISTS ")
                .nth(1)?
                .split_whitespace()
                .next()?;
            Some((name, statement))
        })
}

/// Creates every order index on `conn` (a rebuild's transaction, a test's cache).
pub(super) fn create_all(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(CREATE_ORDER_INDEXES)
}

impl Cache {
    /// Creates every index, as a rebuild of a small repository does.
    #[cfg(test)]
    pub(crate) fn create_all_indexes_for_tests(&self) {
        self.connection()
            .execute_batch(super::CREATE_INDEXES)
            .unwrap();
        create_all(self.connection()).unwrap();
    }

    /// Whether the index `name` exists. Asked each time, never remembered: the builder may
    /// add it while this connection is open (a board serving for hours).
    pub(crate) fn has_index(&self, name: &str) -> Result<bool, CacheError> {
        Ok(self
            .connection()
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?1)",
            )?
            .query_row([name], |row| row.get(0))?)
    }

    /// The order indexes this generation does not have yet, in the order they are built.
    pub fn missing_order_indexes(&self) -> Result<Vec<&'static str>, CacheError> {
        let mut statement = self
            .connection()
            .prepare_cached("SELECT name FROM sqlite_master WHERE type = 'index'")?;
        let present = statement
            .query_map([], |row| row.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(statements()
            .map(|(name, _)| name)
            .filter(|name| !present.iter().any(|p| p == name))
            .collect())
    }

    /// Builds the first missing order index, in a transaction of its own, and returns its
    /// name; `None` when none is missing. The caller holds the sync lock, for this one index:
    /// a hook waits at most one index's build (0.1-0.2 s at 100k issues).
    pub fn build_next_order_index(
        &mut self,
        _lock: &SyncLock,
    ) -> Result<Option<&'static str>, CacheError> {
        let Some(name) = self.missing_order_indexes()?.first().copied() else {
            return Ok(None);
        };
        let statement = statements()
            .find(|(each, _)| *each == name)
            .map_or("", |(_, statement)| statement);
        let tx = self
            .writable()
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(statement)?;
        tx.commit()?;
        // The new index is all in the WAL (~30 MB at 100k), which every process opening the
        // cache would index first: empty it when this connection closes.
        self.checkpoint_on_close = true;
        Ok(Some(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_order_index_is_a_statement_of_its_own() {
        let names: Vec<&str> = statements().map(|(name, _)| name).collect();
        assert_eq!(
            names,
            [
                "issues_sort_priority",
                "issues_sort_status",
                "issues_sort_created",
                "issues_sort_updated",
                "issues_sort_id",
                "issues_sort_title",
                "issues_by_assignee",
                "issues_by_milestone",
            ]
        );
        for (name, statement) in statements() {
            assert_eq!(statement.matches("CREATE INDEX").count(), 1, "{name}");
        }
    }

    #[test]
    fn the_builder_adds_one_index_at_a_time_until_none_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        let generation = crate::cache::NewGeneration::create(dir.path()).unwrap();
        let mut cache = generation.publish(dir.path()).unwrap();
        assert_eq!(cache.missing_order_indexes().unwrap().len(), 8);
        let lock = crate::lock::take(
            &dir.path().join("sync.lock"),
            crate::lock::LockPurpose::Sync,
        )
        .unwrap()
        .unwrap();
        let mut built = Vec::new();
        while let Some(name) = cache.build_next_order_index(&lock).unwrap() {
            assert!(cache.has_index(name).unwrap());
            built.push(name);
        }
        assert_eq!(built.len(), 8);
        assert!(cache.missing_order_indexes().unwrap().is_empty());
    }
}

//! The SQLite cache: the one place that opens the database and defines its schema.
//!
//! One file per worktree under the git dir, in WAL mode so queries read while a sync writes.
//! The schema version lives in `PRAGMA user_version`; migrations in `migrations/` run in order.

pub mod query;
mod write;

pub use write::CacheTransaction;

use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension};
use std::path::{Path, PathBuf};

/// The schema this build writes and reads.
pub const SCHEMA_VERSION: i64 = 1;

/// Ordered migrations; entry `n` takes the schema from version `n` to `n + 1`.
const MIGRATIONS: &[&str] = &[include_str!("migrations/001_init.sql")];

const CREATE_INDEXES: &str = include_str!("indexes.sql");
const DROP_INDEXES: &str = include_str!("drop_indexes.sql");

/// Keys of `sync_metadata`.
pub mod meta {
    /// The commit whose issue files the cache holds; empty for an unborn HEAD.
    pub const LAST_SYNCED_COMMIT: &str = "last_synced_commit";
    /// `incremental` or `full`.
    pub const LAST_SYNC_KIND: &str = "last_sync_kind";
    /// Seconds since the Unix epoch.
    pub const LAST_SYNC_AT: &str = "last_sync_at";
}

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("no roadmap cache at {} yet", .0.display())]
    Missing(PathBuf),
    #[error("the cache at {} was written by a newer roadmap-hooks (schema {found}; this build knows {SCHEMA_VERSION})", path.display())]
    NewerSchema { path: PathBuf, found: i64 },
    #[error("the cache at {} is damaged: {detail}", path.display())]
    Damaged { path: PathBuf, detail: String },
    #[error("cache database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("creating the cache folder {}: {source}", path.display())]
    Folder {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// An open cache database.
pub struct Cache {
    conn: Connection,
    path: PathBuf,
}

impl Cache {
    /// Opens an existing cache to read it. Never creates one: a missing or half-created
    /// cache is [`CacheError::Missing`].
    pub fn open_existing(path: &Path) -> Result<Self, CacheError> {
        if !path.exists() {
            return Err(CacheError::Missing(path.to_owned()));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| classify(path, e))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let version = user_version(&conn).map_err(|e| classify(path, e))?;
        match version {
            0 => Err(CacheError::Missing(path.to_owned())),
            SCHEMA_VERSION => Ok(Cache {
                conn,
                path: path.to_owned(),
            }),
            found if found > SCHEMA_VERSION => Err(CacheError::NewerSchema {
                path: path.to_owned(),
                found,
            }),
            // An older schema is migrated by the next sync, which holds the lock.
            _ => Err(CacheError::Missing(path.to_owned())),
        }
    }

    /// Opens the cache to write it, creating or migrating it. The caller holds the sync lock.
    /// A damaged file is deleted and created anew; the returned note says so.
    pub fn open_for_sync(path: &Path) -> Result<(Self, Option<String>), CacheError> {
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder).map_err(|source| CacheError::Folder {
                path: folder.to_owned(),
                source,
            })?;
        }
        match Self::open_and_migrate(path) {
            Err(CacheError::Damaged { detail, .. }) => {
                remove_database_files(path);
                let cache = Self::open_and_migrate(path)?;
                Ok((
                    cache,
                    Some(format!("the cache was damaged ({detail}); built it again")),
                ))
            }
            other => other.map(|cache| (cache, None)),
        }
    }

    fn open_and_migrate(path: &Path) -> Result<Self, CacheError> {
        let mut conn = Connection::open(path).map_err(|e| classify(path, e))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| classify(path, e))?;
        // WAL with synchronous=NORMAL never corrupts on a crash; a power cut may lose the last
        // sync, which the next one redoes.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        let version = user_version(&conn).map_err(|e| classify(path, e))?;
        if version > SCHEMA_VERSION {
            return Err(CacheError::NewerSchema {
                path: path.to_owned(),
                found: version,
            });
        }
        let tx = conn.transaction()?;
        for (index, migration) in MIGRATIONS
            .iter()
            .enumerate()
            .skip(usize::try_from(version).unwrap_or(0))
        {
            tx.execute_batch(migration)?;
            tx.pragma_update(None, "user_version", i64::try_from(index).unwrap_or(0) + 1)?;
        }
        tx.execute_batch(CREATE_INDEXES)?;
        tx.commit()?;
        Ok(Cache {
            conn,
            path: path.to_owned(),
        })
    }

    /// Where the database file is.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads one `sync_metadata` value.
    pub fn metadata(&self, key: &str) -> Result<Option<String>, CacheError> {
        let value = self
            .conn
            .prepare_cached("SELECT value FROM sync_metadata WHERE key = ?1")?
            .query_row([key], |row| row.get(0))
            .optional()
            .map_err(|e| classify(&self.path, e))?;
        Ok(value)
    }

    /// Starts the one write transaction of a sync. `BEGIN IMMEDIATE` so a second writer that
    /// slipped past the lock waits here rather than failing half-way.
    pub fn transaction(&mut self) -> Result<CacheTransaction<'_>, CacheError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        Ok(CacheTransaction::new(tx))
    }

    /// Runs `PRAGMA quick_check`; `Ok(())` when SQLite finds the file sound.
    pub fn check_integrity(&self) -> Result<(), CacheError> {
        let verdict: String = self
            .conn
            .query_row("PRAGMA quick_check", [], |row| row.get(0))?;
        if verdict == "ok" {
            Ok(())
        } else {
            Err(CacheError::Damaged {
                path: self.path.clone(),
                detail: verdict,
            })
        }
    }

    pub(crate) fn connection(&self) -> &Connection {
        &self.conn
    }
}

fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
}

/// Turns "this is not a database" errors into [`CacheError::Damaged`].
fn classify(path: &Path, error: rusqlite::Error) -> CacheError {
    match error.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => CacheError::Damaged {
            path: path.to_owned(),
            detail: error.to_string(),
        },
        _ => CacheError::Sqlite(error),
    }
}

fn remove_database_files(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        // A file that is already gone is what we want.
        let _ = std::fs::remove_file(PathBuf::from(file));
    }
}

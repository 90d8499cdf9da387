//! The SQLite cache: the one place that opens the databases and defines their schema.
//!
//! Files under `<git-dir>/roadmap/`:
//! - `cache-<stamp>.db`: one generation of the rebuildable cache, in WAL mode so queries read
//!   while a sync writes. A full rebuild writes a new generation with the journal off, then
//!   points `current` at it: readers see the old or the new generation, never a mix, and the
//!   rebuild writes each page once instead of deleting rows and writing everything twice.
//! - `cache-<stamp>.db-json`: a rebuild's `issue_json` rows while it reads the files
//!   ([`json_staging`]), deleted when it commits or fails.
//! - `current`: the file name of the live generation, replaced atomically by rename.
//! - `remote.db`: state that cannot be rebuilt from git ([`remote`]), migrated in place.

pub mod board_query;
pub mod checkpoint;
pub mod contract_query;
mod json_staging;
mod list_plan;
mod list_query;
pub mod order_indexes;
pub mod query;
pub mod remote;
mod row_update;
mod search;
pub mod tally;
mod worktree;
mod write;

pub use write::CacheTransaction;

use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The schema of a cache generation. A generation with another version is rebuilt, never
/// migrated: everything in it comes from git.
pub const SCHEMA_VERSION: i64 = 14;

const SCHEMA: &str = include_str!("schema.sql");
const CREATE_INDEXES: &str = include_str!("indexes.sql");
const CURRENT: &str = "current";
const METADATA_QUERY: &str = "SELECT value FROM sync_metadata WHERE key = ?1";

/// Keys of `sync_metadata`.
pub mod meta {
    /// The commit whose issue files the cache holds; empty for an unborn HEAD.
    pub const LAST_SYNCED_COMMIT: &str = "last_synced_commit";
    /// `incremental` or `full`.
    pub const LAST_SYNC_KIND: &str = "last_sync_kind";
    /// Seconds since the Unix epoch.
    pub const LAST_SYNC_AT: &str = "last_sync_at";
    /// `complete` once the full-text index holds every issue; absent until the first search.
    pub const TEXT_INDEX: &str = "text_index";
    /// The digest of the pending local writes the rows show (see `workspace::pending`).
    pub const PENDING_APPLIED: &str = "pending_applied";
    /// The tracker line the rows were read under (`legacy` or `contract`, see `lines`): a
    /// commit that switches lines is rebuilt, never diffed.
    pub const WORKSPACE_LINE: &str = "workspace_line";
    /// How many transactions committed rows to this generation: with the generation's file
    /// name, it names the blobs the rows show (see `Cache::shown_key`).
    pub const SHOWN_VERSION: &str = "shown_version";
}

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("no roadmap cache in {} yet", .0.display())]
    Missing(PathBuf),
    #[error("the cache at {} has schema {found}; this build uses {SCHEMA_VERSION}", path.display())]
    Outdated { path: PathBuf, found: i64 },
    #[error("the cache at {} is damaged: {detail}", path.display())]
    Damaged { path: PathBuf, detail: String },
    #[error("cache database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl CacheError {
    /// Whether the error means the file itself is damaged (corrupt pages, not a database), so
    /// the cure is a rebuild, whichever query ran into it.
    #[must_use]
    pub fn is_damage(&self) -> bool {
        match self {
            CacheError::Damaged { .. } => true,
            CacheError::Sqlite(error) => {
                matches!(
                    error.sqlite_error_code(),
                    Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)
                )
            }
            _ => false,
        }
    }
}

/// An open generation of the cache.
pub struct Cache {
    conn: Connection,
    path: PathBuf,
    /// Empty the WAL into the file when closing, whatever its size: set on a generation just
    /// published, so a rebuild leaves the whole cache in its file.
    checkpoint_on_close: bool,
}

impl Cache {
    /// SQLite's `data_version`: it changes when another connection commits to this file, so
    /// equal values before and after a series of reads mean they all saw one state.
    pub fn data_version(&self) -> Result<i64, CacheError> {
        Ok(self
            .conn
            .pragma_query_value(None, "data_version", |row| row.get(0))?)
    }

    /// Opens the live generation in `dir` for a query, which does not checkpoint when it
    /// closes (no connection does, see [`Cache::open_existing`]): a reader doing it turned
    /// `roadmap list` into a write. (A memory map made `list --all --format json` at 100k 80 ms faster but tripled
    /// its peak RSS, 161 -> 428 MB, so pages are still read with `pread`.)
    pub fn open_reader(dir: &Path) -> Result<Self, CacheError> {
        let cache = match Self::open_existing(dir) {
            Err(CacheError::Sqlite(error)) if is_read_only(&error) => Self::open_immutable(dir)?,
            other => other?,
        };
        Ok(cache)
    }

    /// Opens the live generation of a cache folder this user may not write (another user's
    /// clone, a read-only mount): SQLite cannot take WAL read locks there, so the file is read
    /// as immutable. Writers close their connections with a checkpoint, so at rest the file
    /// holds everything.
    fn open_immutable(dir: &Path) -> Result<Self, CacheError> {
        let Some(path) = current_generation(dir)? else {
            return Err(CacheError::Missing(dir.to_owned()));
        };
        // Writers leave their last transactions in the WAL (they do not checkpoint when they
        // close), which SQLite reads read-only through the `-shm` they left. Where it cannot
        // (no `-shm`, or one needing recovery), the file alone is read as immutable: the
        // transactions since the last checkpoint are then missing, as a sync would find.
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let open = |mode: &str| -> Result<(Connection, i64), CacheError> {
            let uri = format!("file:{}?{mode}", path.display());
            let conn = Connection::open_with_flags(&uri, flags).map_err(|e| classify(&path, e))?;
            conn.pragma_update(None, "temp_store", "MEMORY")?;
            let version = user_version(&conn).map_err(|e| classify(&path, e))?;
            Ok((conn, version))
        };
        let (conn, version) = open("mode=ro").or_else(|_| open("immutable=1"))?;
        match version {
            SCHEMA_VERSION => Ok(Cache {
                conn,
                path,
                checkpoint_on_close: false,
            }),
            found => Err(CacheError::Outdated { path, found }),
        }
    }

    /// Opens the live generation in `dir` to read it. Never creates one.
    ///
    /// A rebuild may replace the generation at any moment: it renames `current`, then unlinks
    /// the old files. A reader that read `current` just before may find the file gone, or open
    /// it and then, on its first read, find its WAL and shared-memory files gone ("disk I/O
    /// error", or fresh empty ones that no longer go with the file). So the first read is part
    /// of opening, and `current` is read again after it: once it still names the same file, the
    /// unlink has not happened and the connection holds the real files, which stay readable
    /// for as long as it keeps them open. Otherwise the opening starts again.
    pub fn open_existing(dir: &Path) -> Result<Self, CacheError> {
        const ATTEMPTS: usize = 8;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let Some(path) = current_generation(dir)? else {
                return Err(CacheError::Missing(dir.to_owned()));
            };
            let opened = Self::open_generation(path.clone());
            let replaced = current_generation(dir)?.as_ref() != Some(&path);
            if !replaced || attempt == ATTEMPTS {
                return opened;
            }
        }
    }

    /// Opens the generation file at `path` and reads its schema version: the first read, which
    /// also opens its WAL and shared memory.
    fn open_generation(path: PathBuf) -> Result<Self, CacheError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = match Connection::open_with_flags(&path, flags) {
            // `current` names a file that is not there: deleted, or swapped by a rebuild.
            Err(_) if !path.exists() => return Err(damaged(path, "the file is missing")),
            other => other.map_err(|e| classify(&path, e))?,
        };
        // SQLite reads an empty file as an empty database, which would pass for "schema 0".
        // And while the WAL holds a copy of the first page (writers leave it uncheckpointed),
        // SQLite reads that copy, not the file's: a file overwritten with other bytes would
        // only show as pages that do not fit, later. So the file's own header is read here.
        let mut header = [0u8; 16];
        let read = std::fs::File::open(&path).and_then(|mut file| {
            use std::io::Read as _;
            file.read(&mut header)
        });
        match read {
            Ok(0) => return Err(damaged(path, "the file is empty")),
            Ok(_) if &header != b"SQLite format 3\0" => {
                return Err(damaged(path, "file is not a database"));
            }
            _ => {}
        }
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // No connection checkpoints when it closes (see `Drop for Cache`): for a 1-file hook
        // that was 5 fsyncs, and deleting and creating again the `-wal` and `-shm` files. A
        // commit in WAL mode with `synchronous = NORMAL` is not synced, so a power loss may
        // lose the last syncs, never corrupt the file; a lost sync is redone by the next one
        // (`last_synced_commit` is part of each transaction). No automatic checkpoints either:
        // each process indexes the WAL anew, so SQLite would copy every frame again each time.
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
            true,
        )?;
        // Sorts and the search's scratch table stay in memory: a query must not need a
        // writable, non-full TMPDIR (SQLite spills a sort over ~2 MB to a temporary file).
        // (Reading the schema, these may be the first to find a damaged file.)
        conn.execute_batch(
            "PRAGMA wal_autocheckpoint = 0; PRAGMA synchronous = NORMAL;
             PRAGMA temp_store = MEMORY;",
        )
        .map_err(|e| classify(&path, e))?;
        match user_version(&conn).map_err(|e| classify(&path, e))? {
            SCHEMA_VERSION => {
                // The first read of a table (the schema, then `sync_metadata`) is part of
                // opening: a file damaged there must fail here, where damage is cured by a
                // rebuild, not in whichever caller reads the metadata first.
                conn.prepare_cached(METADATA_QUERY)
                    .and_then(|mut read| {
                        read.query_row([meta::LAST_SYNCED_COMMIT], |_| Ok(()))
                            .optional()
                    })
                    .map_err(|e| classify(&path, e))?;
                Ok(Cache {
                    conn,
                    path,
                    checkpoint_on_close: false,
                })
            }
            found => Err(CacheError::Outdated { path, found }),
        }
    }

    /// Opens the live generation to update it; the caller holds the sync lock. `Ok(None)`
    /// when there is none to update: the reason is returned for a damaged or outdated one.
    pub fn open_for_sync(dir: &Path) -> Result<(Option<Self>, Option<String>), CacheError> {
        Self::ready_for_sync(Self::open_existing(dir), dir)
    }

    /// [`Cache::open_for_sync`], keeping this connection (opened by [`Cache::open_reader`] for a
    /// check before the lock was taken) when it may write and still holds the live generation:
    /// a second open reads the schema again, a tenth of a 1-file hook. The caller holds the
    /// sync lock, so no rebuild can replace the generation from here on.
    pub fn reopen_for_sync(self, dir: &Path) -> Result<(Option<Self>, Option<String>), CacheError> {
        let read_only = self.conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(true);
        if read_only || current_generation(dir)?.as_deref() != Some(self.path.as_path()) {
            drop(self);
            return Self::open_for_sync(dir);
        }
        Self::ready_for_sync(Ok(self), dir)
    }

    /// What [`Cache::open_for_sync`] makes of an opened (or failed) live generation: checked
    /// readable, the other generations removed, a damaged or outdated one turned into the reason
    /// for a rebuild.
    fn ready_for_sync(
        opened: Result<Self, CacheError>,
        dir: &Path,
    ) -> Result<(Option<Self>, Option<String>), CacheError> {
        match opened.and_then(|cache| cache.check_readable().map(|()| cache)) {
            Ok(cache) => {
                // Only lock holders build generations, so any other one was left by a rebuild
                // that was killed before it published (a whole cache's worth of disk).
                if let Some(live) = cache.path.file_name().and_then(|n| n.to_str()) {
                    remove_other_generations(dir, live);
                }
                Ok((Some(cache), None))
            }
            Err(CacheError::Missing(_)) => Ok((None, None)),
            Err(error @ (CacheError::Outdated { .. } | CacheError::Damaged { .. })) => {
                Ok((None, Some(error.to_string())))
            }
            Err(other) => Err(other),
        }
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
            .prepare_cached(METADATA_QUERY)?
            .query_row([key], |row| row.get(0))
            .optional()
            .map_err(|e| classify(&self.path, e))?;
        Ok(value)
    }

    /// How many files the cache holds rows for (issues, milestones, projects, unreadable
    /// files): what a sync weighs a large diff against.
    pub fn file_count(&self) -> Result<usize, CacheError> {
        let count: i64 = self
            .conn
            .query_row(
                "SELECT (SELECT count(*) FROM issues) + (SELECT count(*) FROM milestones) \
                 + (SELECT count(*) FROM projects) + (SELECT count(*) FROM invalid_files)",
                [],
                |row| row.get(0),
            )
            .map_err(|e| classify(&self.path, e))?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    /// Starts the one write transaction of a sync. `BEGIN IMMEDIATE` so a second writer that
    /// slipped past the lock waits here rather than failing half-way.
    pub fn transaction(&mut self) -> Result<CacheTransaction<'_>, CacheError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        CacheTransaction::new(tx)
    }

    /// A transaction that is never committed: the history overlay (`roadmap list --at`) writes
    /// another commit's rows into it, queries them through this same `Cache` (the list engine
    /// unchanged) and drops it, which rolls it back. Other readers never see it (WAL); a sync
    /// waits for it as for any writer. Fails on a cache this user may not write.
    pub fn overlay(&self) -> Result<CacheTransaction<'_>, CacheError> {
        // The overlay's changed rows touch a page of every index each: 500 changed issues
        // dirty ~9,000 pages, which SQLite's default cache (2,000 pages) spills to the WAL and
        // reads back, two thirds of `list --at`'s time, for a transaction that is rolled
        // back. Kept in memory instead; the memory is released with the process.
        self.conn
            .execute_batch("PRAGMA cache_size = -262144; PRAGMA cache_spill = OFF;")?;
        let tx = rusqlite::Transaction::new_unchecked(
            &self.conn,
            rusqlite::TransactionBehavior::Immediate,
        )?;
        CacheTransaction::new(tx)
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

    /// Reads the schema and the last synced commit: cheap, and enough to catch a file that is
    /// not a database at all.
    fn check_readable(&self) -> Result<(), CacheError> {
        self.metadata(meta::LAST_SYNCED_COMMIT).map(drop)
    }

    pub(crate) fn connection(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn writable(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

/// The WAL a writer leaves behind when it closes, at most. The first connection of every
/// process reads the whole WAL to index it (about 1 µs a page), so a query pays for what is
/// left; a checkpoint costs a writer three fsyncs. 512 KiB is a checkpoint every few 1-file
/// hooks and at most ~0.1 ms for a query.
const WAL_LEFT_AT_MOST: u64 = 512 << 10;

impl Drop for Cache {
    /// A connection that wrote checkpoints and empties the WAL once it is over
    /// [`WAL_LEFT_AT_MOST`], or always after a rebuild; queries never do (they do not write).
    /// In a hook, a detached process does it ([`checkpoint`]), so git does not wait for it.
    fn drop(&mut self) {
        if self.conn.total_changes() == 0 && !self.checkpoint_on_close {
            return;
        }
        let mut wal = self.path.as_os_str().to_owned();
        wal.push("-wal");
        let size = std::fs::metadata(&wal).map_or(0, |m| m.len());
        if size > WAL_LEFT_AT_MOST || (self.checkpoint_on_close && size > 0) {
            checkpoint::checkpoint(&self.conn, &self.path);
        }
    }
}

/// A generation being built by a full rebuild: not yet visible to anyone, written with the
/// journal off, and either published as the live [`Cache`] or discarded.
pub struct NewGeneration {
    conn: Connection,
    path: PathBuf,
}

impl NewGeneration {
    /// Creates an empty generation in `dir` for a full rebuild: journal and fsync off (an
    /// unfinished generation is simply deleted), pages large enough that rows pack densely.
    pub fn create(dir: &Path) -> Result<Self, CacheError> {
        std::fs::create_dir_all(dir).map_err(|source| CacheError::Io {
            path: dir.to_owned(),
            source,
        })?;
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let path = dir.join(format!("cache-{stamp}-{}.db", std::process::id()));
        // One thread uses the connection: SQLite's own mutexes were ~6% of the writer's time.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&path, flags)?;
        // `threads`: the sorts of the index builds at the end use a helper thread, when the
        // parsing threads are done.
        conn.execute_batch(
            "PRAGMA page_size = 8192; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
             PRAGMA cache_size = -8192; PRAGMA threads = 2;",
        )?;
        conn.execute_batch(SCHEMA)?;
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        Ok(NewGeneration { conn, path })
    }

    /// Makes this new generation the live one, durably, and deletes the others. Returns it
    /// reopened as readers and incremental syncs will use it.
    pub fn publish(self, dir: &Path) -> Result<Cache, CacheError> {
        self.conn.execute_batch("PRAGMA journal_mode = WAL;")?;
        let NewGeneration { conn, path } = self;
        drop(conn);
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| CacheError::Io { path, source }
        };
        std::fs::File::open(&path)
            .and_then(|f| f.sync_all())
            .map_err(io(&path))?;
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let pointer = dir.join(CURRENT);
        let staged = dir.join(format!("{CURRENT}.tmp"));
        let mut file = std::fs::File::create(&staged).map_err(io(&staged))?;
        file.write_all(format!("{name}\n").as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(io(&staged))?;
        // The pointer's folder too: a power cut must not bring the old generation back.
        let mut folders = crate::durable::Folders::new();
        folders.rename(&staged, &pointer).map_err(io(&pointer))?;
        folders.sync().map_err(io(dir))?;
        remove_other_generations(dir, &name);
        let mut cache = Cache::open_existing(dir)?;
        cache.checkpoint_on_close = true;
        Ok(cache)
    }

    /// Deletes an unfinished generation after a failed rebuild.
    pub fn discard(self) {
        let NewGeneration { conn, path } = self;
        drop(conn);
        remove_database_files(&path);
    }

    /// Starts the one transaction that fills this generation: rows go in without replacing
    /// anything, and the indexes are created when it commits.
    pub fn transaction(&mut self) -> Result<CacheTransaction<'_>, CacheError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        CacheTransaction::for_rebuild(tx, json_staging::JsonStaging::create(&self.path)?)
    }
}

/// The file of the live generation, from `current`.
fn current_generation(dir: &Path) -> Result<Option<PathBuf>, CacheError> {
    let pointer = dir.join(CURRENT);
    match std::fs::read_to_string(&pointer) {
        Ok(name) if !name.trim().is_empty() => Ok(Some(dir.join(name.trim()))),
        Ok(_) => Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(CacheError::Io {
            path: pointer,
            source,
        }),
    }
}

fn remove_other_generations(dir: &Path, keep: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        // A reader that lost the race with a rebuild may have recreated the WAL and shared
        // memory of a generation already deleted: those go too.
        let database = name
            .trim_end_matches("-wal")
            .trim_end_matches("-shm")
            .trim_end_matches(json_staging::SUFFIX);
        if name.starts_with("cache-") && database.ends_with(".db") && database != keep {
            // Readers that still have it open keep reading their snapshot: unlinking does not
            // take a file away from those who hold it.
            remove_database_files(&dir.join(database));
        }
    }
}

/// Whether SQLite refused because this process may not write the file or its folder.
fn is_read_only(error: &rusqlite::Error) -> bool {
    matches!(
        error.sqlite_error_code(),
        Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied)
    )
}

fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
}

fn damaged(path: PathBuf, detail: &str) -> CacheError {
    CacheError::Damaged {
        path,
        detail: detail.to_owned(),
    }
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
    for suffix in ["", "-wal", "-shm", json_staging::SUFFIX] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        // A file that is already gone is what we want.
        let _ = std::fs::remove_file(PathBuf::from(file));
    }
}

//! The `issue_json` rows of a full rebuild, staged in a file beside the new generation and
//! inserted in key order when the rebuild commits.
//!
//! `issue_json` is keyed by list order, which has nothing to do with the order files are read
//! in. Inserted as they came, each row landed on a random page of a 100 MB b-tree, far beyond
//! SQLite's page cache, so nearly every insert read a page back and wrote another out: about
//! 1.3 s of CPU at 100k issues. Staged, each row is appended to a plain file once, and SQLite
//! receives the rows in key order and writes every page once. Only the sort keys stay in
//! memory (~50 bytes an issue): the JSON would be 75 MB.

use super::CacheError;
use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::os::unix::fs::FileExt as _;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

/// The suffix of the staging file's name, after the generation's (`cache-….db-json`).
pub(super) const SUFFIX: &str = "-json";

/// `OR REPLACE` as for every other insert: two files with the same key cannot exist (the key
/// ends with the path), but a failed insert must not be the way to find out.
const INSERT_JSON: &str = "
    INSERT OR REPLACE INTO issue_json (priority_rank, status_rank, created_key, id, path, is_open, json)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

/// The staged rows of one rebuild. Its file is deleted when it is dropped, whether its rows
/// went in or the rebuild failed (a killed rebuild's file goes with its generation, see
/// `remove_other_generations` in `cache/mod.rs`).
pub(super) struct JsonStaging {
    path: PathBuf,
    file: BufWriter<File>,
    written: u64,
    /// Each row's `created_key` and `id`, back to back.
    keys: Vec<u8>,
    rows: Vec<StagedRow>,
}

/// Where one row is: its ranks, its `created_key` and `id` as `keys[start..split]` and
/// `keys[split..end]`, and its record in the file (`is_open` byte, path length as 4 bytes,
/// path, JSON).
#[derive(Clone, Copy)]
struct StagedRow {
    priority_rank: i64,
    status_rank: i64,
    key: [u32; 3],
    offset: u64,
    len: u32,
}

/// The values of one `issue_json` row, as the writer hands them over.
pub(super) struct JsonRow<'a> {
    pub priority_rank: i64,
    pub status_rank: i64,
    pub created_key: &'a str,
    pub id: &'a str,
    pub path: &'a str,
    pub is_open: bool,
    pub json: &'a str,
}

impl JsonStaging {
    /// Creates the staging file of the generation at `generation`.
    pub(super) fn create(generation: &Path) -> Result<Self, CacheError> {
        let mut path = generation.as_os_str().to_owned();
        path.push(SUFFIX);
        let path = PathBuf::from(path);
        let file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .map_err(|source| CacheError::Io {
                path: path.clone(),
                source,
            })?;
        Ok(JsonStaging {
            path,
            file: BufWriter::with_capacity(256 << 10, file),
            written: 0,
            keys: Vec::new(),
            rows: Vec::new(),
        })
    }

    /// Appends one row.
    pub(super) fn push(&mut self, row: &JsonRow<'_>) -> Result<(), CacheError> {
        let key_start = self.keys.len();
        self.keys.extend_from_slice(row.created_key.as_bytes());
        let key_split = self.keys.len();
        self.keys.extend_from_slice(row.id.as_bytes());
        let key_end = u32::try_from(self.keys.len()).map_err(|_| self.too_large())?;
        let path_len = u32::try_from(row.path.len()).map_err(|_| self.too_large())?;
        let len = 5 + row.path.len() + row.json.len();
        let record = [
            &[u8::from(row.is_open)][..],
            &path_len.to_le_bytes(),
            row.path.as_bytes(),
            row.json.as_bytes(),
        ];
        for part in record {
            self.file.write_all(part).map_err(|e| self.io(e))?;
        }
        self.rows.push(StagedRow {
            priority_rank: row.priority_rank,
            status_rank: row.status_rank,
            // Both below the end, which fits.
            key: [key_start as u32, key_split as u32, key_end],
            offset: self.written,
            len: u32::try_from(len).map_err(|_| self.too_large())?,
        });
        self.written += len as u64;
        Ok(())
    }

    /// Inserts every staged row into `issue_json`, in the table's key order, and deletes the
    /// staging file. A helper thread sorts the rows and reads their records back, so this one
    /// (SQLite's) only inserts: the sort and the reads were two fifths of the time.
    pub(super) fn insert_in_key_order(
        mut self,
        conn: &rusqlite::Connection,
    ) -> Result<(), CacheError> {
        self.file.flush().map_err(|e| self.io(e))?;
        let keys = std::mem::take(&mut self.keys);
        let rows = std::mem::take(&mut self.rows);
        let (keys, file) = (&keys, self.file.get_ref());
        let [created_key, id] = [0, 1].map(|part| {
            move |row: &StagedRow| &keys[row.key[part] as usize..row.key[part + 1] as usize]
        });
        let mut insert = conn.prepare_cached(INSERT_JSON)?;
        std::thread::scope(|scope| {
            let (sender, batches) = mpsc::sync_channel(4);
            scope.spawn(move || read_in_key_order(rows, keys, file, &sender));
            // Returning early drops `batches`, which ends the helper at its next batch.
            for batch in batches {
                let Batch { rows, records } = batch.map_err(|e| self.io(e))?;
                let mut records = records.as_slice();
                for row in &rows {
                    let (record, rest) = records.split_at(row.len as usize);
                    records = rest;
                    let (is_open, rest) = record.split_at(1);
                    let (path_len, rest) = rest.split_at(4);
                    let path_len =
                        u32::from_le_bytes(path_len.try_into().expect("4 bytes")) as usize;
                    let (path, json) = rest.split_at(path_len.min(rest.len()));
                    insert.execute(rusqlite::params![
                        row.priority_rank,
                        row.status_rank,
                        text(created_key(row)),
                        text(id(row)),
                        text(path),
                        is_open[0] != 0,
                        text(json),
                    ])?;
                }
            }
            Ok(())
        })
    }

    fn io(&self, source: std::io::Error) -> CacheError {
        CacheError::Io {
            path: self.path.clone(),
            source,
        }
    }

    fn too_large(&self) -> CacheError {
        self.io(std::io::Error::other("issue keys or JSON over 4 GiB"))
    }
}

/// Rows in key order with their records (see [`StagedRow`]) back to back.
struct Batch {
    rows: Vec<StagedRow>,
    records: Vec<u8>,
}

/// Sorts `rows` into `issue_json`'s key order and sends them with their records, a batch at
/// a time, until done, a read fails or the receiver is gone.
fn read_in_key_order(
    mut rows: Vec<StagedRow>,
    keys: &[u8],
    file: &File,
    sender: &mpsc::SyncSender<std::io::Result<Batch>>,
) {
    const BATCH: usize = 256;
    let key = |row: &StagedRow| {
        let [start, split, end] = row.key.map(|at| at as usize);
        (
            row.priority_rank,
            row.status_rank,
            &keys[start..split],
            &keys[split..end],
        )
    };
    // Bytes compare as SQLite's BINARY collation does. Rows with equal keys up to the path
    // (duplicate ids created at the same instant) may go in either order: SQLite sorts them,
    // at the cost of one insert out of order.
    rows.sort_unstable_by(|a, b| key(a).cmp(&key(b)));
    for chunk in rows.chunks(BATCH) {
        let mut records = vec![0; chunk.iter().map(|row| row.len as usize).sum()];
        let mut at = 0;
        for row in chunk {
            let end = at + row.len as usize;
            if let Err(error) = file.read_exact_at(&mut records[at..end], row.offset) {
                let _ = sender.send(Err(error));
                return;
            }
            at = end;
        }
        let batch = Batch {
            rows: chunk.to_vec(),
            records,
        };
        if sender.send(Ok(batch)).is_err() {
            return;
        }
    }
}

impl Drop for JsonStaging {
    fn drop(&mut self) {
        // Already gone is what we want.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Bytes this module wrote from a `&str`, bound as TEXT.
fn text(bytes: &[u8]) -> rusqlite::types::ToSqlOutput<'_> {
    rusqlite::types::ToSqlOutput::Borrowed(rusqlite::types::ValueRef::Text(bytes))
}

//! The large raw trees of the last diff, kept in files beside the cache so the next sync
//! need not inflate them again: the old side of a sync's diff is the new side of the one
//! before it. At 100k issues a folder's tree is 1.9 MB, and zlib inflating it was most of a
//! 1-file hook (twice when the pack stores one version as a delta of the other: libgit2 caches
//! no delta base over 1 MiB).
//!
//! A file is named by its tree's id and holds the length and a checksum after the bytes (so
//! neither writing nor reading moves the bytes: a 100k-issue folder tree is 6.7 MB), so a torn
//! or foreign file is never taken for the tree: it is read from git instead. Only the holder of
//! the sync lock reads or writes them.
//!
//! A sync of HEAD also reads large folders from the worktree's index when its cache-tree lists
//! them (`git::index_file`): no tree to inflate. Such a folder's memo is then a hard link to
//! that index file (`<tree id>.index`), which git never rewrites in place: nothing to copy.

use crate::git::TreeMemo;
use crate::git::index_file::IndexFile;
use git2::Oid;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// Trees smaller than this (~170 issues) are left to git: inflating them costs about what
/// reading a file does.
const KEEP_FROM: usize = 8 << 10;

/// An index is read (and kept) for a folder whose tree is at least this fraction of its size.
const INDEX_UP_TO_TIMES_THE_TREE: u64 = 4;

/// The folder, under the cache folder.
const FOLDER: &str = "trees";

/// The name of the hard link to an index listing tree `id`.
fn index_link_name(id: Oid) -> String {
    format!("{id}.index")
}

/// The memo of one sync pass: what it found, and what it read.
pub(super) struct TreeSnapshots {
    dir: PathBuf,
    /// The files this diff found (raw trees and index links): kept, as either side may come
    /// back.
    looked_up: HashSet<String>,
    /// Large trees read from git, to keep.
    read: Vec<(Oid, Vec<u8>)>,
    /// The worktree's index file, for a sync of HEAD, and the index once opened.
    index_path: Option<PathBuf>,
    index: Option<Option<Rc<IndexFile>>>,
    /// The index file's size, once asked.
    index_len: Option<u64>,
    /// Trees the index listed, to keep a link to it for.
    listed_by_index: Vec<Oid>,
}

impl TreeSnapshots {
    /// The memo of a diff to a commit other than HEAD.
    pub(super) fn new(cache_dir: &Path) -> Self {
        TreeSnapshots {
            dir: cache_dir.join(FOLDER),
            looked_up: HashSet::new(),
            read: Vec::new(),
            index_path: None,
            index: None,
            index_len: None,
            listed_by_index: Vec::new(),
        }
    }

    /// The memo of a diff to HEAD, which may read folders from the index at `index_path`.
    pub(super) fn at_head(cache_dir: &Path, index_path: PathBuf) -> Self {
        TreeSnapshots {
            index_path: Some(index_path),
            ..TreeSnapshots::new(cache_dir)
        }
    }

    /// Keeps the trees of this diff, both sides, and drops the others. Best effort: a file
    /// that cannot be written is read from git next time.
    pub(super) fn save(self) {
        if self.read.is_empty() && self.looked_up.is_empty() && self.listed_by_index.is_empty() {
            return;
        }
        let _ = std::fs::create_dir_all(&self.dir);
        let mut kept: HashSet<String> = HashSet::new();
        if let (Some(path), Some(Some(index))) = (&self.index_path, &self.index) {
            for id in &self.listed_by_index {
                let name = index_link_name(*id);
                if link_index(path, index, &self.dir, &name).is_ok() {
                    kept.insert(name);
                }
            }
        }
        for (id, data) in &self.read {
            let name = id.to_string();
            let staged = self.dir.join(format!("{name}.tmp"));
            let written =
                write(&staged, data).and_then(|()| std::fs::rename(&staged, self.dir.join(&name)));
            if written.is_ok() {
                kept.insert(name);
            } else {
                let _ = std::fs::remove_file(&staged);
            }
        }
        kept.extend(self.looked_up);
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            if !entry.file_name().to_str().is_some_and(|n| kept.contains(n)) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

impl TreeMemo for TreeSnapshots {
    fn get(&mut self, id: Oid) -> Option<Rc<Vec<u8>>> {
        let bytes = read_whole(&self.dir.join(id.to_string())).ok()?;
        let data = decode(bytes)?;
        self.looked_up.insert(id.to_string());
        Some(Rc::new(data))
    }

    fn reads_index(&self) -> bool {
        self.index_path.is_some() && !matches!(self.index, Some(None))
    }

    fn index_for(&mut self, tree_size: usize) -> Option<Rc<IndexFile>> {
        // The index is mapped whole, searched from its start, and kept by a link for the next
        // diff: worth it for the issue folder of a repository that is mostly issues (the 0.2
        // contract's one folder), not for one of many (the legacy layout's milestone folders)
        // nor for one folder of a large monorepo. Those trees are read and kept as before.
        let path = self.index_path.as_deref()?;
        let len = *self
            .index_len
            .get_or_insert_with(|| std::fs::metadata(path).map_or(u64::MAX, |meta| meta.len()));
        if len > (tree_size as u64).saturating_mul(INDEX_UP_TO_TIMES_THE_TREE) {
            return None;
        }
        self.index
            .get_or_insert_with(|| IndexFile::open(path).map(Rc::new))
            .clone()
    }

    fn kept_index(&mut self, id: Oid) -> Option<Rc<IndexFile>> {
        let name = index_link_name(id);
        let index = IndexFile::open(&self.dir.join(&name))?;
        self.looked_up.insert(name);
        Some(Rc::new(index))
    }

    fn offer_index(&mut self, id: Oid) {
        self.listed_by_index.push(id);
    }

    fn offer(&mut self, id: Oid, data: &[u8]) {
        if data.len() >= KEEP_FROM {
            let mut kept = Vec::new();
            crate::big_buffer::reserve_bytes(&mut kept, data.len());
            kept.extend_from_slice(data);
            self.read.push((id, kept));
        }
    }
}

/// Links `name` in `dir` to the index file at `path`, when that is still the file `index`
/// mapped (git may have replaced it since).
fn link_index(path: &Path, index: &IndexFile, dir: &Path, name: &str) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt as _;
    let staged = dir.join(format!("{name}.tmp"));
    let _ = std::fs::remove_file(&staged);
    std::fs::hard_link(path, &staged)?;
    let linked = std::fs::metadata(&staged)?;
    if (linked.dev(), linked.ino()) != index.identity() {
        let _ = std::fs::remove_file(&staged);
        return Err(std::io::Error::other("the index was replaced"));
    }
    std::fs::rename(&staged, dir.join(name)).inspect_err(|_| {
        let _ = std::fs::remove_file(&staged);
    })
}

/// The file at `path`, read into room reserved once under huge pages: a 100k-issue folder's
/// tree is 6.7 MB, 1,600 page faults a 4 KiB page at a time.
fn read_whole(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut file = std::fs::File::open(path)?;
    let len = usize::try_from(file.metadata()?.len()).unwrap_or(0);
    let mut bytes = Vec::new();
    crate::big_buffer::reserve_bytes(&mut bytes, len + 1);
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// `data | length (8 bytes LE) | checksum (8 bytes LE)`.
fn trailer(data: &[u8]) -> [u8; 16] {
    let mut trailer = [0u8; 16];
    trailer[..8].copy_from_slice(&(data.len() as u64).to_le_bytes());
    trailer[8..].copy_from_slice(&checksum(data).to_le_bytes());
    trailer
}

/// Writes `data` and its trailer to a new file at `path`.
fn write(path: &Path, data: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut file = std::fs::File::create(path)?;
    file.write_all(data)?;
    file.write_all(&trailer(data))
}

#[cfg(test)]
fn encode(data: &[u8]) -> Vec<u8> {
    let mut file = data.to_vec();
    file.extend_from_slice(&trailer(data));
    file
}

fn decode(mut file: Vec<u8>) -> Option<Vec<u8>> {
    let at = file.len().checked_sub(16)?;
    let (data, trailer) = file.split_at(at);
    let length = u64::from_le_bytes(trailer[..8].try_into().ok()?);
    let sum = u64::from_le_bytes(trailer[8..].try_into().ok()?);
    if data.len() as u64 != length || checksum(data) != sum {
        return None;
    }
    file.truncate(at);
    Some(file)
}

/// A fast 64-bit checksum: catches a torn or truncated file, which is all it is for (the name
/// says which tree, and only our syncs write there). Four independent lanes of eight bytes
/// each, so the multiplications overlap (one lane was 11% of a 1-file hook at 100k issues).
fn checksum(data: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let step = |hash: u64, word: u64| (hash.rotate_left(5) ^ word).wrapping_mul(K);
    let word = |bytes: &[u8]| u64::from_le_bytes(bytes.try_into().expect("eight bytes"));
    let mut lanes = [data.len() as u64, 1, 2, 3];
    let mut blocks = data.chunks_exact(32);
    for block in &mut blocks {
        for (lane, bytes) in lanes.iter_mut().zip(block.chunks_exact(8)) {
            *lane = step(*lane, word(bytes));
        }
    }
    let mut hash = lanes.into_iter().fold(0, step);
    for &byte in blocks.remainder() {
        hash = step(hash, u64::from(byte));
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_torn_or_foreign_file_is_not_a_tree() {
        let data: Vec<u8> = (0..100_003u32).map(|n| (n % 251) as u8).collect();
        let file = encode(&data);
        assert_eq!(decode(file.clone()).as_deref(), Some(&data[..]));
        assert_eq!(decode(file[..file.len() - 1].to_vec()), None, "truncated");
        let mut flipped = file.clone();
        flipped[16 + 50_000] ^= 1;
        assert_eq!(decode(flipped), None, "a changed byte");
        let mut zeroed = file;
        zeroed[16 + 4096..16 + 8192].fill(0);
        assert_eq!(decode(zeroed), None, "a block never written");
        assert_eq!(decode(Vec::new()), None, "empty");
    }
}

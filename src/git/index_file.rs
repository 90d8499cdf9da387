//! A folder's entries read from git's index, where a commit has just written them, instead of
//! from the folder's tree object.
//!
//! The 0.2 contract keeps every issue in one folder, so at 100k issues each commit writes a
//! 6.7 MB tree, and the post-commit hook spent most of its time inflating it (and copying the
//! previous one from the memo). The index git wrote for that commit lists the same entries
//! uncompressed, and its cache-tree extension names the tree they make: when it names the tree
//! the diff wants, the entries are that tree's, as git itself trusts them to write the next
//! commit. Anything else (another index version, a split index, a folder with subfolders, a
//! cache-tree that was invalidated or names another tree) answers `None`, and the tree is read
//! from git as before.
//!
//! Git never rewrites an index file in place (it writes `index.lock` and renames it), so a
//! mapped index, or a hard link to one kept beside the cache, keeps its bytes.

use super::pack_file::be32;
use git2::Oid;
use std::fs::File;
use std::path::Path;

/// The size of a SHA-1 id: only SHA-1 repositories are read in process.
const ID_LEN: usize = 20;
/// `ctime`, `mtime`, `dev`, `ino`, `mode`, `uid`, `gid`, `size`: 4 bytes each but the times.
const STAT_LEN: usize = 40;
/// Where an entry's mode lies.
const MODE_AT: usize = 24;
/// Entries are padded to a multiple of this (versions 2 and 3).
const ALIGN: usize = 8;
/// The 12-bit name length field, saturated: the name runs to its NUL.
const LONG_NAME: usize = 0xfff;
const FLAG_EXTENDED: u16 = 0x4000;

/// An index file mapped in memory, its cache-tree located.
pub struct IndexFile {
    map: memmap2::Mmap,
    /// How many entries there are.
    count: usize,
    /// The `TREE` extension's data, as a range of `map`.
    cache_tree: (usize, usize),
    /// The inode of the mapped file, to check a hard link to it names the same file.
    identity: (u64, u64),
}

/// The entries of one folder in an [`IndexFile`], as its cache-tree counts them.
pub(crate) struct IndexFolder {
    /// The offset and ordinal of the first entry.
    start: usize,
    ordinal: usize,
    count: usize,
    /// `dir/`: the start of each entry's path.
    prefix: Box<[u8]>,
}

/// One index entry, as a tree entry lists it: mode, name within its folder, id.
pub(crate) struct IndexEntry<'i> {
    pub(crate) mode: u32,
    pub(crate) name: &'i [u8],
    pub(crate) id: &'i [u8],
}

impl IndexFile {
    /// The index at `path`, when it is one this reader follows: version 2 or 3 with a
    /// cache-tree, no sparse directories. `None` for anything else, a missing file included.
    pub(crate) fn open(path: &Path) -> Option<IndexFile> {
        use std::os::unix::fs::MetadataExt as _;
        let file = File::open(path).ok()?;
        let meta = file.metadata().ok()?;
        // SAFETY: git replaces an index by renaming a new file over it and never writes one
        // in place, so the mapped bytes do not change under us. All of it is read: mapped at
        // once rather than a fault per 16 pages.
        let map = unsafe { memmap2::MmapOptions::new().populate().map(&file) }.ok()?;
        let data: &[u8] = &map;
        if data.len() < 12 + ID_LEN || &data[..4] != b"DIRC" {
            return None;
        }
        let version = be32(data, 4)?;
        if version != 2 && version != 3 {
            return None;
        }
        let count = be32(data, 8)? as usize;
        let cache_tree = find_cache_tree(data)?;
        Some(IndexFile {
            map,
            count,
            cache_tree,
            identity: (meta.dev(), meta.ino()),
        })
    }

    /// The file's device and inode.
    pub(crate) fn identity(&self) -> (u64, u64) {
        self.identity
    }

    /// The entries of folder `dir` (a path from the top, `/`-separated), when the cache-tree
    /// says they make tree `id` and it has no subfolder. Whether they are all there is checked
    /// as they are read (see [`IndexEntries::agrees`]).
    pub(crate) fn folder(&self, dir: &str, id: Oid) -> Option<IndexFolder> {
        let (count, subtrees) = self.cache_tree_node(dir.as_bytes(), id)?;
        // A valid cache-tree node has a subtree per subfolder and no unmerged entry under it.
        if subtrees != 0 || count == 0 {
            return None;
        }
        // The entries are sorted by path, and `.roadmap/` sorts before most of a repository:
        // a walk from the first entry is short.
        let prefix = format!("{dir}/");
        let data: &[u8] = &self.map;
        let (mut at, mut ordinal) = (12, 0);
        while ordinal < self.count && path_at(data, at)? < prefix.as_bytes() {
            at += entry_len(data, at)?;
            ordinal += 1;
        }
        (ordinal + count <= self.count).then(|| IndexFolder {
            start: at,
            ordinal,
            count,
            prefix: prefix.into_bytes().into_boxed_slice(),
        })
    }

    /// The entries of `folder`, in order.
    pub(crate) fn entries<'i>(&'i self, folder: &'i IndexFolder) -> IndexEntries<'i> {
        IndexEntries {
            data: &self.map,
            at: folder.start,
            left: folder.count,
            after: self.count - folder.ordinal - folder.count,
            prefix: &folder.prefix,
        }
    }

    /// The entry and subtree counts the cache-tree records for `dir`, if it is valid there
    /// and names tree `id`.
    fn cache_tree_node(&self, dir: &[u8], id: Oid) -> Option<(usize, usize)> {
        let (start, end) = self.cache_tree;
        let data = &self.map[start..end];
        // Pre-order: each node is `name\0<entries> <subtrees>\n[id]`, then its subtrees.
        let mut open: Vec<(Vec<u8>, usize)> = Vec::new();
        let mut at = 0;
        while at < data.len() {
            let nul = at + memchr::memchr(0, &data[at..])?;
            let name = &data[at..nul];
            let line_end = nul + 1 + memchr::memchr(b'\n', &data[nul + 1..])?;
            let counts = std::str::from_utf8(&data[nul + 1..line_end]).ok()?;
            let (entries, subtrees) = counts.split_once(' ')?;
            let entries: i64 = entries.parse().ok()?;
            let subtrees: usize = subtrees.parse().ok()?;
            at = line_end + 1;
            let node_id = if entries >= 0 {
                let node_id = data.get(at..at + ID_LEN)?;
                at += ID_LEN;
                Some(node_id)
            } else {
                None
            };
            while open.last().is_some_and(|(_, left)| *left == 0) {
                open.pop();
            }
            let path = match open.last_mut() {
                None => Vec::new(),
                Some((parent, left)) => {
                    *left -= 1;
                    let mut path = parent.clone();
                    if !path.is_empty() {
                        path.push(b'/');
                    }
                    path.extend_from_slice(name);
                    path
                }
            };
            if path == dir {
                let entries = usize::try_from(entries).ok()?;
                return (node_id == Some(id.as_bytes())).then_some((entries, subtrees));
            }
            open.push((path, subtrees));
        }
        None
    }
}

/// The entries of one folder, in order.
pub(crate) struct IndexEntries<'i> {
    data: &'i [u8],
    at: usize,
    /// Entries of the folder not read yet, and entries of the index after the folder.
    left: usize,
    after: usize,
    prefix: &'i [u8],
}

impl<'i> IndexEntries<'i> {
    /// The next entry without moving past it; `None` at the end, or at an entry out of the
    /// folder (see [`IndexEntries::agrees`]).
    pub(crate) fn peek(&self) -> Option<IndexEntry<'i>> {
        let path = self.next_path()?;
        Some(IndexEntry {
            mode: be32(self.data, self.at + MODE_AT)?,
            name: &path[self.prefix.len()..],
            id: &self.data[self.at + STAT_LEN..self.at + STAT_LEN + ID_LEN],
        })
    }

    /// The next entry's id, flags and path, as the index stores them: the same bytes in two
    /// indexes are the same file at the same path.
    pub(crate) fn peek_key(&self) -> Option<&'i [u8]> {
        let path = self.next_path()?;
        let end = path.as_ptr() as usize - self.data.as_ptr() as usize + path.len();
        self.data.get(self.at + STAT_LEN..end)
    }

    /// Moves past the next entry.
    pub(crate) fn advance(&mut self) {
        if self.next_path().is_some() {
            self.at += entry_len(self.data, self.at).unwrap_or(0);
            self.left -= 1;
        }
    }

    /// Whether the folder held as many entries as the cache-tree says, all read: the index
    /// agrees with its cache-tree. A split index, which names only the entries changed since
    /// its shared index, does not: its folder is read from the tree instead.
    pub(crate) fn agrees(&self) -> bool {
        self.left == 0
            && (self.after == 0
                || path_at(self.data, self.at).is_some_and(|path| !self.in_folder(path)))
    }

    /// The next entry's path, if it is one of the folder's.
    fn next_path(&self) -> Option<&'i [u8]> {
        if self.left == 0 {
            return None;
        }
        path_at(self.data, self.at).filter(|path| self.in_folder(path))
    }

    /// Whether `path` names an entry of the folder.
    fn in_folder(&self, path: &[u8]) -> bool {
        path.len() > self.prefix.len() && path.starts_with(self.prefix)
    }
}

/// The `TREE` extension's data: found from the end (it is the one after the entries, and
/// extensions hold a few kilobytes where entries hold megabytes), and taken only where the
/// extensions from it on end exactly at the checksum. An index holding sparse directories
/// (`sdir`) is refused.
fn find_cache_tree(data: &[u8]) -> Option<(usize, usize)> {
    let end = data.len() - ID_LEN;
    let region = &data[12..end];
    for found in memchr::memmem::rfind_iter(region, b"TREE") {
        let at = 12 + found;
        if let Some(sparse) = chain_ends_at(data, at, end) {
            let len = be32(data, at + 4)? as usize;
            return (!sparse).then_some((at + 8, at + 8 + len));
        }
    }
    None
}

/// Whether the extensions from `at` on end exactly at `end` (`Some(sparse)`: whether one is
/// `sdir`), or `None` when they do not (`at` is no extension's start).
fn chain_ends_at(data: &[u8], mut at: usize, end: usize) -> Option<bool> {
    let mut sparse = false;
    while at < end {
        let signature = data.get(at..at + 4)?;
        sparse |= signature == b"sdir";
        let len = be32(data, at + 4)? as usize;
        at = at.checked_add(8 + len)?;
    }
    (at == end).then_some(sparse)
}

fn flags_at(data: &[u8], at: usize) -> Option<u16> {
    let at = at + STAT_LEN + ID_LEN;
    Some(u16::from_be_bytes(data.get(at..at + 2)?.try_into().ok()?))
}

/// The path of the entry at `at`.
fn path_at(data: &[u8], at: usize) -> Option<&[u8]> {
    let flags = flags_at(data, at)?;
    let name_at = at + STAT_LEN + ID_LEN + if flags & FLAG_EXTENDED != 0 { 4 } else { 2 };
    let len = usize::from(flags) & LONG_NAME;
    if len < LONG_NAME {
        data.get(name_at..name_at + len)
    } else {
        let rest = data.get(name_at..)?;
        Some(&rest[..memchr::memchr(0, rest)?])
    }
}

/// The length of the entry at `at`, padding included (versions 2 and 3).
fn entry_len(data: &[u8], at: usize) -> Option<usize> {
    let flags = flags_at(data, at)?;
    let flags_len = if flags & FLAG_EXTENDED != 0 { 4 } else { 2 };
    let name_len = match usize::from(flags) & LONG_NAME {
        LONG_NAME => path_at(data, at)?.len(),
        short => short,
    };
    let len = (STAT_LEN + ID_LEN + flags_len + name_len + ALIGN) & !(ALIGN - 1);
    (at + len <= data.len()).then_some(len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn git(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", dir)
            .env("GIT_AUTHOR_NAME", "T")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "T")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    }

    /// A repository whose commit holds `files` issues in `.roadmap/issues/`, a file before
    /// and after the folder, and a subfolder under `.roadmap/other/`.
    fn repo(files: usize) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, &["init", "-q", "-b", "main"]);
        let issues = root.join(".roadmap/issues");
        std::fs::create_dir_all(&issues).unwrap();
        std::fs::create_dir_all(root.join(".roadmap/other/deeper")).unwrap();
        for n in 0..files {
            std::fs::write(issues.join(format!("{n:05}.md")), format!("issue {n}\n")).unwrap();
        }
        std::fs::write(root.join(".github"), "before\n").unwrap();
        std::fs::write(root.join("zz"), "after\n").unwrap();
        std::fs::write(root.join(".roadmap/other/deeper/x.md"), "x\n").unwrap();
        git(root, &["add", "-A"]);
        git(root, &["commit", "-q", "-m", "plan"]);
        dir
    }

    fn tree_id(root: &Path, spec: &str) -> Oid {
        Oid::from_str(git(root, &["rev-parse", spec]).trim()).unwrap()
    }

    /// `(mode, name, id)` of every entry of the folder, read from the index.
    fn listed(index: &IndexFile, folder: &IndexFolder) -> Vec<(u32, Vec<u8>, Vec<u8>)> {
        let mut entries = index.entries(folder);
        let mut listed = Vec::new();
        while let Some(entry) = entries.peek() {
            listed.push((entry.mode, entry.name.to_vec(), entry.id.to_vec()));
            entries.advance();
        }
        assert!(entries.agrees(), "the index holds what its cache-tree says");
        listed
    }

    /// `(mode, name, id)` of every entry of tree `id`, as libgit2 reads it.
    fn tree_entries(root: &Path, id: Oid) -> Vec<(u32, Vec<u8>, Vec<u8>)> {
        let repo = git2::Repository::open(root).unwrap();
        let tree = repo.find_tree(id).unwrap();
        tree.iter()
            .map(|e| {
                let mode = u32::try_from(e.filemode()).unwrap();
                (mode, e.name_bytes().to_vec(), e.id().as_bytes().to_vec())
            })
            .collect()
    }

    #[test]
    fn a_committed_folder_lists_as_its_tree() {
        let dir = repo(300);
        let root = dir.path();
        let index = IndexFile::open(&root.join(".git/index")).expect("a version 2 index");
        let id = tree_id(root, "HEAD:.roadmap/issues");
        let folder = index
            .folder(".roadmap/issues", id)
            .expect("listed by the cache-tree");
        assert_eq!(listed(&index, &folder), tree_entries(root, id));
        assert_eq!(listed(&index, &folder).len(), 300);
        // Another tree id, a folder with a subfolder, a folder that is not there: no.
        assert!(
            index
                .folder(".roadmap/issues", tree_id(root, "HEAD:.roadmap"))
                .is_none()
        );
        let other = tree_id(root, "HEAD:.roadmap/other");
        assert!(
            index.folder(".roadmap/other", other).is_none(),
            "has a subfolder"
        );
        let deeper = tree_id(root, "HEAD:.roadmap/other/deeper");
        let folder = index
            .folder(".roadmap/other/deeper", deeper)
            .expect("a flat folder");
        assert_eq!(listed(&index, &folder), tree_entries(root, deeper));
        assert!(index.folder(".roadmap/none", id).is_none());
    }

    #[test]
    fn a_staged_change_or_another_format_is_refused() {
        let dir = repo(50);
        let root = dir.path();
        let committed = tree_id(root, "HEAD:.roadmap/issues");
        std::fs::write(root.join(".roadmap/issues/00007.md"), "changed\n").unwrap();
        git(root, &["add", "-A"]);
        let index = IndexFile::open(&root.join(".git/index")).unwrap();
        assert!(
            index.folder(".roadmap/issues", committed).is_none(),
            "git invalidated the folder's cache-tree"
        );
        git(root, &["commit", "-q", "-m", "change"]);
        git(root, &["update-index", "--index-version", "4"]);
        assert!(
            IndexFile::open(&root.join(".git/index")).is_none(),
            "version 4"
        );
        assert!(
            IndexFile::open(&root.join(".git/none")).is_none(),
            "missing"
        );
        std::fs::write(root.join("not-an-index"), b"DIRC\0\0\0\x02").unwrap();
        assert!(
            IndexFile::open(&root.join("not-an-index")).is_none(),
            "cut short"
        );
    }

    #[test]
    fn a_sparse_index_is_refused() {
        let dir = repo(20);
        let root = dir.path();
        git(
            root,
            &["sparse-checkout", "set", "--cone", "--sparse-index", "src"],
        );
        let index = std::fs::read(root.join(".git/index")).unwrap();
        assert!(
            memchr::memmem::find(&index, b"sdir").is_some(),
            "git wrote a sparse index"
        );
        assert!(IndexFile::open(&root.join(".git/index")).is_none());
    }

    #[test]
    fn a_split_index_never_lists_a_folder_it_does_not_hold() {
        let dir = repo(200);
        let root = dir.path();
        git(root, &["update-index", "--split-index"]);
        // The split file names the entries added since (`zz-new/`), and holds the changed
        // ones without their names (`deeper/x.md`, an issue).
        std::fs::write(root.join(".roadmap/issues/00009.md"), "changed\n").unwrap();
        std::fs::write(root.join(".roadmap/other/deeper/x.md"), "changed\n").unwrap();
        std::fs::create_dir_all(root.join("zz-new")).unwrap();
        for n in 0..20 {
            std::fs::write(root.join(format!("zz-new/{n}")), "new\n").unwrap();
        }
        git(root, &["add", "-A"]);
        git(root, &["commit", "-q", "-m", "in a split index"]);
        let index = IndexFile::open(&root.join(".git/index")).expect("the split file");
        let issues = tree_id(root, "HEAD:.roadmap/issues");
        assert!(
            index.folder(".roadmap/issues", issues).is_none(),
            "fewer entries"
        );
        // One entry under `deeper/` by the cache-tree, and entries enough after it: found,
        // and then reading it tells it does not hold the folder.
        let deeper = tree_id(root, "HEAD:.roadmap/other/deeper");
        let folder = index
            .folder(".roadmap/other/deeper", deeper)
            .expect("the cache-tree names it");
        let mut entries = index.entries(&folder);
        while entries.peek().is_some() {
            entries.advance();
        }
        assert!(
            !entries.agrees(),
            "an entry out of the folder where one of it should be"
        );
    }
}

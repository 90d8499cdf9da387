//! The in-process roadmap diff: two trees' `.roadmap/` folders compared entry by entry, read
//! as raw tree objects from the object database.
//!
//! libgit2's tree objects cost as much to build as to inflate (an allocated entry per name,
//! then a `TreeEntry` per look): a fifth of a 1-file hook at 10k issues. Raw entries are
//! compared where they lie, and an entry whose name and id are the same on both sides, nearly
//! all of them, costs a few compares. Only SHA-1 repositories are read in process. A
//! [`TreeMemo`] spares reading a tree again that an earlier diff read (see
//! `sync::tree_snapshots`).

use super::TreeChange;
use super::index_file::{IndexEntries, IndexFile, IndexFolder};
use super::loose::{self, LooseTree};
use crate::lines;
use git2::{Odb, OdbObject, Oid, Repository};
use std::cmp::Ordering;
use std::path::Path;
use std::rc::Rc;

/// The size of a SHA-1 id in a tree entry.
const ID_LEN: usize = 20;

/// Trees from this size (~4,000 entries) are read from the index when it lists them.
const INDEX_WORTH_IT: usize = 256 << 10;

/// Lists the roadmap files (see [`lines::may_be_document`]) that differ from the tree of commit
/// `old` to that of commit `new`; `None` stands for an empty tree. Trees `memo` holds are not
/// read from the object database, and the large ones read are added to it.
pub(crate) fn diff_roadmap_files(
    repo: &Repository,
    old: Option<Oid>,
    new: Option<Oid>,
    memo: &mut dyn TreeMemo,
) -> Result<Vec<TreeChange>, git2::Error> {
    let odb = repo.odb()?;
    let roadmap = |commit: Option<Oid>| -> Result<Option<Oid>, git2::Error> {
        let Some(commit) = commit else {
            return Ok(None);
        };
        let root = read_tree(&odb, repo.find_commit(commit)?.tree_id())?;
        let mut rest = root.data();
        while let Some((entry, len)) = entry_at(rest)
            .ok_or_else(|| git2::Error::from_str(&format!("malformed tree in {commit}")))?
        {
            if entry.name == b".roadmap" {
                return Ok(entry.is_tree().then(|| entry.oid()));
            }
            rest = &rest[len..];
        }
        Ok(None)
    };
    let (old, new) = (roadmap(old)?, roadmap(new)?);
    let mut changes = Vec::new();
    let objects = repo.commondir().join("objects");
    let mut walk = Walk {
        odb: &odb,
        objects: &objects,
        memo,
        out: &mut changes,
    };
    walk.dir(".roadmap", old, new, true)?;
    Ok(changes)
}

/// Raw trees kept between syncs: zlib inflating the two versions of a large folder's tree is
/// most of a 1-file sync, and the old one is the tree the previous sync read as its new one.
pub trait TreeMemo {
    /// The raw content of tree `id`, if it is known (shared: a memo that keeps it in memory
    /// hands it out without a copy of a 2 MB tree per diff).
    fn get(&mut self, id: Oid) -> Option<Rc<Vec<u8>>>;
    /// Offers tree `id`, just read from the object database, to keep.
    fn offer(&mut self, id: Oid, data: &[u8]);
    /// Whether this memo's diffs may read large folders from the index of the worktree whose
    /// HEAD they reach (see [`super::index_file`]); `false` (the default) for other commits.
    fn reads_index(&self) -> bool {
        false
    }
    /// That index, when it is worth reading for a folder whose tree is `tree_size` bytes (not
    /// when it is much larger: one folder of a large monorepo's index).
    fn index_for(&mut self, _tree_size: usize) -> Option<Rc<IndexFile>> {
        None
    }
    /// A kept index that lists tree `id` (one offered by [`TreeMemo::offer_index`]).
    fn kept_index(&mut self, _id: Oid) -> Option<Rc<IndexFile>> {
        None
    }
    /// Keeps the index [`TreeMemo::index_for`] gave, whose entries under one folder make tree
    /// `id`, for a later diff.
    fn offer_index(&mut self, _id: Oid) {}
}

/// No memo: every tree is read from the object database.
pub struct NoMemo;

impl TreeMemo for NoMemo {
    fn get(&mut self, _id: Oid) -> Option<Rc<Vec<u8>>> {
        None
    }

    fn offer(&mut self, _id: Oid, _data: &[u8]) {}
}

/// The last few large trees read, in memory: a walk over history diffs each commit against
/// its parent, so one side of each diff is a side of the one before (`roadmap log`).
pub struct RecentTrees {
    kept: std::collections::VecDeque<(Oid, Rc<Vec<u8>>)>,
    capacity: usize,
}

impl RecentTrees {
    /// A memo keeping the `capacity` trees read last.
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        RecentTrees {
            kept: std::collections::VecDeque::with_capacity(capacity),
            capacity,
        }
    }
}

impl TreeMemo for RecentTrees {
    fn get(&mut self, id: Oid) -> Option<Rc<Vec<u8>>> {
        self.kept
            .iter()
            .find(|(kept, _)| *kept == id)
            .map(|(_, data)| Rc::clone(data))
    }

    fn offer(&mut self, id: Oid, data: &[u8]) {
        // Small trees cost less to inflate again than to copy.
        if data.len() < 4096 || self.capacity == 0 {
            return;
        }
        if self.kept.len() == self.capacity {
            self.kept.pop_front();
        }
        self.kept.push_back((id, Rc::new(data.to_vec())));
    }
}

/// A tree's raw content, from the memo, its loose file or the object database.
enum RawTree<'o> {
    Kept(Rc<Vec<u8>>),
    Loose(LooseTree),
    Read(OdbObject<'o>),
}

impl RawTree<'_> {
    fn data(&self) -> &[u8] {
        match self {
            RawTree::Kept(data) => data,
            RawTree::Loose(tree) => tree.data(),
            RawTree::Read(object) => object.data(),
        }
    }
}

/// One side of a folder's diff: its tree's raw entries, or its entries in an index.
enum Side<'o> {
    Raw(RawTree<'o>),
    Index(Rc<IndexFile>, IndexFolder),
}

/// A place in one side's entries.
enum Cursor<'s> {
    Raw(&'s [u8]),
    Index(IndexEntries<'s>),
}

impl<'s> Cursor<'s> {
    fn new(side: Option<&'s Side<'_>>) -> Self {
        match side {
            None => Cursor::Raw(&[]),
            Some(Side::Raw(tree)) => Cursor::Raw(tree.data()),
            Some(Side::Index(index, folder)) => Cursor::Index(index.entries(folder)),
        }
    }

    /// The next entry and its length in a raw tree; `Some(None)` at the end, `None` when a
    /// raw entry is malformed.
    fn peek(&self) -> Option<Option<(Entry<'s>, usize)>> {
        match self {
            Cursor::Raw(rest) => entry_at(rest),
            Cursor::Index(entries) => Some(entries.peek().map(|entry| {
                let entry = Entry {
                    mode: entry.mode,
                    name: entry.name,
                    id: entry.id,
                };
                (entry, 0)
            })),
        }
    }

    /// Whether an index side held what its cache-tree says (see [`IndexEntries::agrees`]).
    fn agrees(&self) -> bool {
        match self {
            Cursor::Raw(_) => true,
            Cursor::Index(entries) => entries.agrees(),
        }
    }

    /// Moves past the entry [`Cursor::peek`] gave, of length `len`.
    fn advance(&mut self, len: usize) {
        match self {
            Cursor::Raw(rest) => *rest = &rest[len..],
            Cursor::Index(entries) => entries.advance(),
        }
    }
}

/// One diff under way: where trees come from and where changes go.
struct Walk<'w, 'o> {
    odb: &'o Odb<'o>,
    /// The repository's `objects` folder, where a commit writes its trees.
    objects: &'w Path,
    memo: &'w mut dyn TreeMemo,
    out: &'w mut Vec<TreeChange>,
}

fn read_tree<'o>(odb: &'o Odb<'_>, id: Oid) -> Result<OdbObject<'o>, git2::Error> {
    let object = odb.read(id)?;
    if object.kind() != git2::ObjectType::Tree {
        return Err(git2::Error::from_str(&format!("object {id} is not a tree")));
    }
    Ok(object)
}

impl<'o> Walk<'_, 'o> {
    /// The tree `id`: kept in the memo, or read and offered to it.
    fn tree(&mut self, id: Oid) -> Result<RawTree<'o>, git2::Error> {
        if let Some(data) = self.memo.get(id) {
            return Ok(RawTree::Kept(data));
        }
        if let Some(tree) = loose::read_large_tree(self.objects, self.odb, id) {
            self.memo.offer(id, tree.data());
            return Ok(RawTree::Loose(tree));
        }
        let object = read_tree(self.odb, id)?;
        self.memo.offer(id, object.data());
        Ok(RawTree::Read(object))
    }

    fn dir(
        &mut self,
        dir: &str,
        old: Option<Oid>,
        new: Option<Oid>,
        dir_is_utf8: bool,
    ) -> Result<(), git2::Error> {
        if old.is_some() && old == new {
            return Ok(());
        }
        let old_side = old.map(|id| self.side(dir, id)).transpose()?;
        let new_side = new.map(|id| self.side(dir, id)).transpose()?;
        let found = self.out.len();
        if self.compare(dir, dir_is_utf8, old_side.as_ref(), new_side.as_ref())? {
            return Ok(());
        }
        // An index that did not hold what its cache-tree says: the trees, then.
        self.out.truncate(found);
        let old_side = old.map(|id| self.tree(id).map(Side::Raw)).transpose()?;
        let new_side = new.map(|id| self.tree(id).map(Side::Raw)).transpose()?;
        self.compare(dir, dir_is_utf8, old_side.as_ref(), new_side.as_ref())
            .map(drop)
    }

    /// Compares two sides of folder `dir` entry by entry; `false` when an index side turned out
    /// not to hold its folder (what was found is then to be dropped).
    fn compare(
        &mut self,
        dir: &str,
        dir_is_utf8: bool,
        old_side: Option<&Side<'_>>,
        new_side: Option<&Side<'_>>,
    ) -> Result<bool, git2::Error> {
        let mut old_rest = Cursor::new(old_side);
        let mut new_rest = Cursor::new(new_side);
        let malformed = || git2::Error::from_str(&format!("malformed tree under {dir}"));
        loop {
            // Most entries are byte for byte the same on both sides: skipped without a look at
            // the other side's entry.
            match (&mut old_rest, &mut new_rest) {
                (Cursor::Raw(old_bytes), Cursor::Raw(new_bytes)) => {
                    if let Some((_, len)) = entry_at(old_bytes).ok_or_else(malformed)? {
                        if new_bytes.get(..len) == Some(&old_bytes[..len]) {
                            *old_bytes = &old_bytes[len..];
                            *new_bytes = &new_bytes[len..];
                            continue;
                        }
                    }
                }
                (Cursor::Index(old_entries), Cursor::Index(new_entries)) => {
                    if let Some(key) = old_entries.peek_key() {
                        if new_entries.peek_key() == Some(key) {
                            old_entries.advance();
                            new_entries.advance();
                            continue;
                        }
                    }
                }
                _ => {}
            }
            let before = old_rest.peek().ok_or_else(malformed)?;
            let after = new_rest.peek().ok_or_else(malformed)?;
            let order = match (&before, &after) {
                (Some((a, _)), Some((b, _))) => git_order(a, b),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => return Ok(old_rest.agrees() && new_rest.agrees()),
            };
            let before = before
                .filter(|_| order != Ordering::Greater)
                .map(|(entry, len)| {
                    old_rest.advance(len);
                    entry
                });
            let after = after
                .filter(|_| order != Ordering::Less)
                .map(|(entry, len)| {
                    new_rest.advance(len);
                    entry
                });
            if let (Some(a), Some(b)) = (&before, &after) {
                if a.id == b.id {
                    continue;
                }
            }
            self.changed(dir, dir_is_utf8, before, after)?;
        }
    }

    /// Folder `dir`'s side of tree `id`: its entries in the index when the memo offers an
    /// index that lists that tree (read in place, no tree to inflate), else the tree's.
    fn side(&mut self, dir: &str, id: Oid) -> Result<Side<'o>, git2::Error> {
        if let Some(index) = self.memo.kept_index(id) {
            if let Some(folder) = index.folder(dir, id) {
                return Ok(Side::Index(index, folder));
            }
        }
        if self.memo.reads_index() {
            // A small tree inflates faster than a large index is mapped and searched.
            let size = self.odb.read_header(id).map_or(0, |(size, _)| size);
            let index = (size >= INDEX_WORTH_IT)
                .then(|| self.memo.index_for(size))
                .flatten();
            if let Some(index) = index {
                if let Some(folder) = index.folder(dir, id) {
                    self.memo.offer_index(id);
                    return Ok(Side::Index(index, folder));
                }
            }
        }
        Ok(Side::Raw(self.tree(id)?))
    }

    /// One name whose entry differs between the two sides (either may be missing).
    fn changed(
        &mut self,
        dir: &str,
        dir_is_utf8: bool,
        before: Option<Entry<'_>>,
        after: Option<Entry<'_>>,
    ) -> Result<(), git2::Error> {
        let Some(either) = before.as_ref().or(after.as_ref()) else {
            return Ok(());
        };
        let name = lines::name_as_text(either.name);
        let path_is_utf8 = dir_is_utf8 && name.is_ok();
        let path = match &name {
            Ok(name) => format!("{dir}/{name}"),
            Err(escaped) => format!("{dir}/{escaped}"),
        };
        // The side that decides whether this is a folder, as git's diff orders them.
        if either.is_tree() {
            if lines::may_contain_documents(&path) {
                let old = before.filter(Entry::is_tree).map(|e| e.oid());
                let new = after.filter(Entry::is_tree).map(|e| e.oid());
                self.dir(&path, old, new, path_is_utf8)?;
            }
            return Ok(());
        }
        if !lines::may_be_document(&path) {
            return Ok(());
        }
        let before = before.filter(Entry::is_file);
        let after = after.filter(Entry::is_file);
        if !path_is_utf8 {
            if before.is_some() || after.is_some() {
                let blob = after.map(|e| e.oid().into());
                self.out.push(TreeChange::NameNotUtf8 { path, blob });
            }
            return Ok(());
        }
        self.out.push(match (before, after) {
            (None, Some(b)) => TreeChange::Added {
                path,
                blob: b.oid().into(),
            },
            (Some(a), Some(b)) => TreeChange::Modified {
                path,
                blob: b.oid().into(),
                was: Some(a.oid().into()),
            },
            (Some(a), None) => TreeChange::Deleted {
                path,
                blob: a.oid().into(),
            },
            (None, None) => return Ok(()),
        });
        Ok(())
    }
}

/// One entry of a raw tree object: `<octal mode> <name>\0<20-byte id>`.
struct Entry<'t> {
    mode: u32,
    name: &'t [u8],
    id: &'t [u8],
}

impl Entry<'_> {
    fn is_tree(&self) -> bool {
        self.mode == 0o040000
    }

    fn is_file(&self) -> bool {
        self.mode == 0o100644 || self.mode == 0o100755
    }

    fn oid(&self) -> Oid {
        Oid::from_bytes(self.id).expect("tree entries hold 20-byte ids")
    }
}

/// The entry at the start of raw tree data and its length in bytes; `Some(None)` at the end
/// of the data, `None` when the entry is malformed.
fn entry_at(data: &[u8]) -> Option<Option<(Entry<'_>, usize)>> {
    if data.is_empty() {
        return Some(None);
    }
    let space = data.iter().take(8).position(|&b| b == b' ')?;
    let mode = data[..space].iter().try_fold(0u32, |mode, &digit| {
        (b'0'..=b'7')
            .contains(&digit)
            .then(|| (mode << 3) | u32::from(digit - b'0'))
    })?;
    let nul = space + 1 + memchr::memchr(0, &data[space + 1..])?;
    let end = nul + 1 + ID_LEN;
    let entry = Entry {
        mode,
        name: &data[space + 1..nul],
        id: data.get(nul + 1..end)?,
    };
    Some(Some((entry, end)))
}

/// Git sorts tree entries by name, comparing a directory as if its name ended in `/`.
fn git_order(a: &Entry, b: &Entry) -> Ordering {
    let common = a.name.len().min(b.name.len());
    a.name[..common].cmp(&b.name[..common]).then_with(|| {
        let next = |e: &Entry| {
            e.name
                .get(common)
                .copied()
                .unwrap_or(if e.is_tree() { b'/' } else { 0 })
        };
        next(a).cmp(&next(b))
    })
}

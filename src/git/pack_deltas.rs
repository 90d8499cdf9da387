//! Large trees read from pack files by applying their delta to a version kept in memory: the
//! event log's walk reads each changed folder's tree once per commit, and at 100k issues a
//! milestone folder's tree is 1-2 MB. libgit2 caches no delta base over 1 MB, so each read
//! inflated the chain's base and applied every delta on the chain again (up to 50 in a pack
//! `fast-import` or `gc` wrote): ~20 ms a tree. Packs store a tree as a delta against another
//! version, most often the previous one, which the walk has just read; applying that one delta
//! (a few dozen bytes to inflate, one copy of the tree) is all the read costs then.
//!
//! [`DeltaTrees`] is a [`TreeMemo`]: it keeps the trees read last (within a memory budget) by
//! id and by place in their pack, and serves a tree from its pack by following its delta chain
//! down to a tree it keeps (or a whole tree) and applying the deltas back up, keeping every
//! eighth tree on the way: in a pack `git gc` wrote, older versions are deltas of newer ones,
//! so walking forward the chain runs through versions not read yet. Anything else (a loose
//! object, a base in another pack, an index version it does not know) is left to libgit2,
//! whose result is offered to it. SHA-1 only, as the in-process backend.

use super::GitRepo;
use super::pack_file::{Base, Entry, Pack, apply_delta};
use super::tree_diff::TreeMemo;
use git2::Oid;
use std::collections::VecDeque;
use std::path::Path;
use std::rc::Rc;

/// How many bytes of trees are kept: the folders a history changes, each a few MB at most, and
/// some of the bases on their delta chains.
const BUDGET: usize = 160 << 20;
/// Every this many trees up a delta chain, one is kept.
const CHECKPOINT: usize = 8;
/// Longer chains are left to libgit2 (git writes 50 at most by default).
const MAX_CHAIN: usize = 4096;

/// A tree kept: its id (unknown for a base met on a delta chain), where it lies in a pack (if
/// it does), and its content.
struct Kept {
    id: Option<Oid>,
    at: Option<(usize, u64)>,
    data: Rc<Vec<u8>>,
}

/// Trees kept between the diffs of a walk over history, served from pack deltas.
pub struct DeltaTrees {
    packs: Vec<Pack>,
    /// Least recently used first.
    kept: VecDeque<Kept>,
    bytes: usize,
}

impl DeltaTrees {
    /// Reads the pack indexes of the repository whose object folder is `objects`; a pack it
    /// cannot read is left to libgit2.
    #[must_use]
    pub fn open(objects: &Path) -> Self {
        DeltaTrees {
            packs: super::pack_file::open_all(objects),
            kept: VecDeque::new(),
            bytes: 0,
        }
    }

    /// Sorts `files` by where their blobs lie in the packs, those in none last. Packs write a
    /// delta's base before it, so read in this order each base was just read, and libgit2
    /// still holds it: read in path order, the files of a `fast-import` pack (each blob a
    /// delta against the blob written before it, in chains of up to 50) were most of a
    /// 100k-file commit, each file inflating its chain again.
    pub fn sort_by_pack_place(&self, files: &mut [(String, super::ObjectId)]) {
        files.sort_by_cached_key(|(_, blob)| {
            let place = blob.to_git2().and_then(|id| self.find(id));
            (place.is_none(), place)
        });
    }

    /// Where object `id` lies: (pack, offset).
    fn find(&self, id: Oid) -> Option<(usize, u64)> {
        self.packs
            .iter()
            .enumerate()
            .find_map(|(n, pack)| pack.offset_of(id.as_bytes()).map(|offset| (n, offset)))
    }

    fn keep(&mut self, id: Option<Oid>, at: Option<(usize, u64)>, data: Rc<Vec<u8>>) {
        self.bytes += data.len();
        self.kept.push_back(Kept { id, at, data });
        while self.bytes > BUDGET && self.kept.len() > 1 {
            if let Some(old) = self.kept.pop_front() {
                self.bytes -= old.data.len();
            }
        }
    }

    /// The tree `id` from its pack: its chain of deltas followed down to a tree kept (or a
    /// whole tree), then applied back up. Walking forward through a pack `gc` wrote, a tree's
    /// chain runs through newer versions not read yet (most trees at depth 50): every eighth
    /// tree on the way up is kept, so the next version's chain soon meets one.
    fn read_from_pack(&mut self, id: Oid) -> Option<Rc<Vec<u8>>> {
        let (pack_no, offset) = self.find(id)?;
        let mut deltas: Vec<(u64, Vec<u8>)> = Vec::new();
        let mut at = offset;
        let mut data = loop {
            if let Some(kept) = self.kept.iter().find(|k| k.at == Some((pack_no, at))) {
                break Rc::clone(&kept.data);
            }
            if deltas.len() > MAX_CHAIN {
                return None;
            }
            match self.packs[pack_no].entry_at(at)? {
                Entry::Tree(data) => {
                    let data = Rc::new(data);
                    self.keep(None, Some((pack_no, at)), Rc::clone(&data));
                    break data;
                }
                Entry::Delta(base, delta) => {
                    deltas.push((at, delta));
                    at = match base {
                        Base::Offset(base) => base,
                        // A base in another pack: left to libgit2.
                        Base::Id(base) => match self.find(Oid::from_bytes(&base).ok()?)? {
                            (n, base) if n == pack_no => base,
                            _ => return None,
                        },
                    };
                }
            }
        };
        for (up, (at, delta)) in deltas.iter().enumerate().rev() {
            data = Rc::new(apply_delta(&data, delta)?);
            if up == 0 {
                self.keep(Some(id), Some((pack_no, *at)), Rc::clone(&data));
            } else if up % CHECKPOINT == 0 {
                self.keep(None, Some((pack_no, *at)), Rc::clone(&data));
            }
        }
        Some(data)
    }
}

impl TreeMemo for DeltaTrees {
    fn get(&mut self, id: Oid) -> Option<Rc<Vec<u8>>> {
        if let Some(index) = self.kept.iter().position(|k| k.id == Some(id)) {
            let kept = self.kept.remove(index)?;
            let data = Rc::clone(&kept.data);
            self.kept.push_back(kept);
            return Some(data);
        }
        self.read_from_pack(id)
    }

    fn offer(&mut self, id: Oid, data: &[u8]) {
        // Small trees are cached by libgit2 itself.
        if data.len() >= 4096 {
            let at = self.find(id);
            self.keep(Some(id), at, Rc::new(data.to_vec()));
        }
    }
}

impl GitRepo {
    /// A [`DeltaTrees`] for walking this repository's history: empty where the command line
    /// serves it (it keeps no trees).
    #[must_use]
    pub fn delta_trees(&self) -> DeltaTrees {
        match self.in_process() {
            Some(repo) => DeltaTrees::open(&repo.commondir().join("objects")),
            None => DeltaTrees {
                packs: Vec::new(),
                kept: VecDeque::new(),
                bytes: 0,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::process::{Command, Stdio};

    /// A repository whose only pack `git fast-import` wrote: one folder of 300 files, then the
    /// same folder with one file changed (stored as a delta against the first version).
    fn two_versions() -> (tempfile::TempDir, git2::Repository) {
        let dir = tempfile::tempdir().unwrap();
        let git = |args: &[&str]| {
            Command::new("git")
                .args(args)
                .current_dir(dir.path())
                .output()
        };
        git(&["init", "-q"]).unwrap();
        let mut import = Command::new("git")
            .args(["fast-import", "--quiet"])
            .current_dir(dir.path())
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = import.stdin.take().unwrap();
        for (commit, changed) in [(1, None), (2, Some(150))] {
            writeln!(
                stdin,
                "commit refs/heads/main\ncommitter A <a@b> {commit} +0000\ndata 1\nx"
            )
            .unwrap();
            for n in 0..300 {
                if changed.is_none() || changed == Some(n) {
                    let text = format!("file {n} of commit {commit}\n");
                    let path = format!("folder/{n:04}-a-long-enough-name.md");
                    write!(
                        stdin,
                        "M 100644 inline {path}\ndata {}\n{text}\n",
                        text.len()
                    )
                    .unwrap();
                }
            }
        }
        drop(stdin);
        assert!(import.wait().unwrap().success());
        let repo = git2::Repository::open(dir.path()).unwrap();
        (dir, repo)
    }

    fn folder_at(repo: &git2::Repository, rev: &str) -> Oid {
        let commit = repo.revparse_single(rev).unwrap().peel_to_commit().unwrap();
        commit.tree().unwrap().get_name("folder").unwrap().id()
    }

    #[test]
    fn a_tree_stored_as_a_delta_is_read_from_the_version_kept() {
        let (_dir, repo) = two_versions();
        let odb = repo.odb().unwrap();
        let (old, new) = (folder_at(&repo, "main~1"), folder_at(&repo, "main"));
        let mut trees = DeltaTrees::open(&repo.path().join("objects"));
        // Read through the chain: the delta, then its base, a whole tree.
        let mut fresh = DeltaTrees::open(&repo.path().join("objects"));
        let read = fresh
            .get(new)
            .expect("the chain followed down to a whole tree");
        assert_eq!(read.as_slice(), odb.read(new).unwrap().data());
        let base = fresh
            .get(old)
            .expect("the base met on the way, kept by its place");
        assert_eq!(base.as_slice(), odb.read(old).unwrap().data());
        // A base offered by libgit2 is used as well.
        trees.offer(old, odb.read(old).unwrap().data());
        let read = trees
            .get(new)
            .expect("the delta applied to the version kept");
        assert_eq!(read.as_slice(), odb.read(new).unwrap().data());
        // Kept in turn: served again without the pack.
        assert_eq!(
            trees.get(new).as_deref().map(Vec::as_slice),
            Some(odb.read(new).unwrap().data())
        );
    }
}

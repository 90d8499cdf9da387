//! Large tree objects read from their loose files with libdeflate.
//!
//! A commit writes its trees as loose objects, and the post-commit hook then reads the one
//! that lists the issue folder: at 100k issues in the contract layout's single folder, a 6.7 MB
//! tree, whose zlib inflating was four fifths of the hook's instructions (system zlib, inside
//! libgit2). libdeflate inflates a whole buffer about twice as fast; the object's size, which it
//! needs first, comes from libgit2's header read (a few bytes inflated). Any object that is not
//! a loose file in the repository's own object folder (packed, an alternate's, another object
//! format) is read by libgit2 as before.

use git2::{ObjectType, Odb, Oid};
use std::path::Path;

/// Below this many bytes libgit2's read costs little: not worth a second lookup.
const WORTH_IT: usize = 256 << 10;

/// A tree object inflated whole: its header, then its content.
pub(super) struct LooseTree {
    object: Vec<u8>,
    header_len: usize,
}

impl LooseTree {
    /// The tree's content (its raw entries).
    pub(super) fn data(&self) -> &[u8] {
        &self.object[self.header_len..]
    }
}

/// Tree `id` when it is a loose object of `objects` (the `objects` folder) of at least
/// [`WORTH_IT`] bytes, read and checked here; `None` for libgit2 to read.
pub(super) fn read_large_tree(objects: &Path, odb: &Odb<'_>, id: Oid) -> Option<LooseTree> {
    let hex = id.to_string();
    let file = std::fs::read(objects.join(&hex[..2]).join(&hex[2..])).ok()?;
    let (size, kind) = odb.read_header(id).ok()?;
    if kind != ObjectType::Tree || size < WORTH_IT {
        return None;
    }
    let header = format!("tree {size}\0");
    // Under huge pages where the kernel offers them: a few faults for 6.7 MB, not 1,600.
    let mut object = Vec::new();
    crate::big_buffer::reserve_bytes(&mut object, header.len() + size);
    object.resize(header.len() + size, 0);
    let written = libdeflater::Decompressor::new()
        .zlib_decompress(&file, &mut object)
        .ok()?;
    // The whole object, exactly: the header libgit2 read, then `size` bytes.
    if written != object.len() || !object.starts_with(header.as_bytes()) {
        return None;
    }
    Some(LooseTree {
        object,
        header_len: header.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A repository holding a loose tree of `entries` files, and the tree's id.
    fn repo_with_tree(entries: usize) -> (tempfile::TempDir, git2::Repository, Oid) {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(dir.path()).unwrap();
        let blob = repo.blob(b"---\nid: x\n---\n").unwrap();
        let id = {
            let mut builder = repo.treebuilder(None).unwrap();
            for n in 0..entries {
                let name = format!("7a11e000-0000-4000-8000-{n:012}.md");
                builder.insert(name, blob, 0o100_644).unwrap();
            }
            builder.write().unwrap()
        };
        (dir, repo, id)
    }

    #[test]
    fn a_large_loose_tree_reads_as_libgit2_reads_it() {
        let (_dir, repo, id) = repo_with_tree(5000);
        let odb = repo.odb().unwrap();
        let objects = repo.commondir().join("objects");
        let tree = read_large_tree(&objects, &odb, id).expect("read from its loose file");
        assert_eq!(tree.data(), odb.read(id).unwrap().data());
        assert!(tree.data().len() >= WORTH_IT);
    }

    #[test]
    fn small_damaged_or_absent_trees_are_left_to_libgit2() {
        let (_dir, repo, small) = repo_with_tree(10);
        let odb = repo.odb().unwrap();
        let objects = repo.commondir().join("objects");
        assert!(read_large_tree(&objects, &odb, small).is_none());
        // Not in this folder (an alternate's, or packed): libgit2 finds it, or says why not.
        let elsewhere = tempfile::tempdir().unwrap();
        let (_big_dir, big_repo, big) = repo_with_tree(5000);
        let big_odb = big_repo.odb().unwrap();
        assert!(read_large_tree(elsewhere.path(), &big_odb, big).is_none());
        // A loose file cut short: refused here (libgit2 then reports the damage).
        let hex = big.to_string();
        let path = big_repo
            .commondir()
            .join("objects")
            .join(&hex[..2])
            .join(&hex[2..]);
        let whole = std::fs::read(&path).unwrap();
        let mut permissions = std::fs::metadata(&path).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        permissions.set_readonly(false);
        std::fs::set_permissions(&path, permissions).unwrap();
        std::fs::write(&path, &whole[..whole.len() / 2]).unwrap();
        assert!(read_large_tree(&big_repo.commondir().join("objects"), &big_odb, big).is_none());
    }
}

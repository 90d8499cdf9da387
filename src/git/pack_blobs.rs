//! Whole blobs read straight from the repository's pack files and inflated by libdeflate, for
//! a full rebuild.
//!
//! A rebuild reads every issue blob of HEAD: 100k of them at 100k issues, nearly all stored
//! whole in one pack (`git gc` finds few deltas among issue files: 14 of 100k in the bench
//! corpus). libgit2 inflates each through a zlib stream it sets up and tears down per object;
//! that was a third of the rebuild's CPU. Here the pack indexes are read once, shared by the
//! parsing threads, and each thread reads the pack in windows of [`WINDOW`] bytes (the files
//! are read in path order, about the order `git repack` wrote their blobs in, so one window
//! holds a few hundred of them) and inflates each blob with libdeflate into a buffer of its
//! exact size.
//!
//! Only a SHA-1 pack index (version 2) is read, and only a blob stored whole: a delta, an
//! object in no pack of the repository's own object folder (loose, an alternate's, one a
//! partial clone has yet to fetch), or any entry that does not read back exactly is left to
//! libgit2 (`None`), as is every object of a SHA-256 repository.

use super::ObjectId;
use super::pack_file::{Pack, object_header};
use std::path::Path;
use std::sync::Arc;

/// The bytes of a pack one read brings into a thread's window.
const WINDOW: usize = 1 << 20;

/// The largest blob read here; a larger one (never an issue file) goes to libgit2.
const MAX_BLOB: usize = 64 << 20;

/// The packs of one object folder, their indexes in memory, shared by the reading threads.
#[derive(Clone)]
pub struct PackBlobs {
    packs: Arc<Vec<Pack>>,
}

impl PackBlobs {
    /// The version-2 pack indexes in `objects/pack`; `None` when there is none to read.
    #[must_use]
    pub fn open(objects: &Path) -> Option<PackBlobs> {
        let packs = super::pack_file::open_all(objects);
        (!packs.is_empty()).then(|| PackBlobs {
            packs: Arc::new(packs),
        })
    }

    /// One thread's reader of these packs.
    #[must_use]
    pub fn reader(&self) -> PackBlobReader {
        PackBlobReader {
            packs: Arc::clone(&self.packs),
            window: Window::default(),
            inflater: libdeflater::Decompressor::new(),
        }
    }
}

/// The part of one pack a thread read last.
#[derive(Default)]
struct Window {
    pack: usize,
    start: u64,
    data: Vec<u8>,
}

impl Window {
    /// The bytes from `offset` of pack `pack` on, at least `wanted` of them unless the pack
    /// ends first: from this window when it holds them, else read anew.
    fn at(&mut self, packs: &[Pack], pack: usize, offset: u64, wanted: usize) -> Option<&[u8]> {
        let end = offset.checked_add(u64::try_from(wanted).ok()?)?;
        let window_end = self.start + self.data.len() as u64;
        let held = pack == self.pack && offset >= self.start && end <= window_end;
        if !held {
            self.data.resize(wanted.max(WINDOW), 0);
            let read = packs[pack].read_at(&mut self.data, offset)?;
            self.data.truncate(read);
            self.pack = pack;
            self.start = offset;
        }
        let from = usize::try_from(offset - self.start).ok()?;
        self.data.get(from..)
    }
}

impl std::fmt::Debug for PackBlobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PackBlobs({} packs)", self.packs.len())
    }
}

/// One thread's reader of [`PackBlobs`].
pub struct PackBlobReader {
    packs: Arc<Vec<Pack>>,
    window: Window,
    inflater: libdeflater::Decompressor,
}

impl PackBlobReader {
    /// Blob `id` when a pack holds it whole; `None` for libgit2 to read.
    pub fn read(&mut self, id: ObjectId) -> Option<Vec<u8>> {
        let id = id.as_bytes();
        if id.len() != 20 {
            return None;
        }
        let (pack, offset) = self
            .packs
            .iter()
            .enumerate()
            .find_map(|(place, pack)| Some((place, pack.offset_of(id)?)))?;
        // The entry's header, then at most zlib's worst case for the blob's size (stored
        // blocks: 5 bytes per 16 KB, 6 for the stream): a header first, to learn the size.
        let head = self.window.at(&self.packs, pack, offset, 32)?;
        let (kind, size, header_len) = object_header(head)?;
        if kind != 3 || size > MAX_BLOB {
            return None;
        }
        let wanted = header_len + size + size / 1024 + 64;
        let entry = self.window.at(&self.packs, pack, offset, wanted)?;
        let mut blob = vec![0u8; size];
        // A stream that ends before `size` bytes, or runs past them, is not this blob.
        let written = self
            .inflater
            .zlib_decompress(entry.get(header_len..)?, &mut blob)
            .ok()?;
        (written == size).then_some(blob)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) {
        let status = std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    }

    /// Blobs stored whole, one stored as a delta of another, and one large enough to need a
    /// window of its own, packed by `git gc`: each reads back as libgit2 reads it, or is left
    /// to libgit2.
    #[test]
    fn packed_blobs_read_as_libgit2_reads_them() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, &["init", "-q"]);
        let base: String = (0..400)
            .map(|i| format!("line {i} of the base\n"))
            .collect();
        let mut edited = base.clone();
        edited.push_str("one more line\n");
        // Incompressible, and larger than a window: a read of its own.
        let mut state = 7u64;
        let large: Vec<u8> = (0..(WINDOW + 5000))
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                (state >> 56) as u8
            })
            .collect();
        std::fs::write(root.join("a.md"), &base).unwrap();
        std::fs::write(root.join("large.bin"), &large).unwrap();
        std::fs::write(root.join("empty.md"), "").unwrap();
        git(root, &["add", "-A"]);
        git(root, &["commit", "-qm", "one"]);
        std::fs::write(root.join("a.md"), &edited).unwrap();
        git(root, &["commit", "-qam", "two"]);
        git(root, &["gc", "-q"]);

        let repo = git2::Repository::open(root).unwrap();
        let blobs = PackBlobs::open(&root.join(".git/objects")).expect("a pack");
        let mut reader = blobs.reader();
        let mut whole = 0;
        for path in [
            "HEAD:a.md",
            "HEAD~1:a.md",
            "HEAD:large.bin",
            "HEAD:empty.md",
        ] {
            let oid = repo.revparse_single(path).unwrap().id();
            let expected = repo.find_blob(oid).unwrap().content().to_vec();
            if let Some(read) = reader.read(ObjectId::from(oid)) {
                assert_eq!(read, expected, "{path}");
                whole += 1;
            }
        }
        // git stores one version of `a.md` as a delta of the other: that one is libgit2's.
        assert_eq!(whole, 3, "every blob stored whole is read here");
        let missing = ObjectId::from_hex(&"ab".repeat(20)).unwrap();
        assert!(reader.read(missing).is_none());
    }
}

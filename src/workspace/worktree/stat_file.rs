//! The stat file, `worktree-stat` in the cache folder: what the last look found, read in one
//! go as git reads its index. For each roadmap folder its stat data and entries (git's
//! untracked cache: a folder whose stat did not move has the same entries, so it is not
//! listed again); for each file its stat data, the blob it held and the blob the cache showed
//! (so an unchanged file costs one comparison); the cache state those shown blobs belong to
//! (`key`, see [`crate::cache::Cache::shown_key`]); and the paths the cache showed that had
//! no file ("ghosts").
//!
//! **Trust.** The file is replaced by rename, and ends with a checksum of all it holds: a
//! missing, short, corrupt or other-version file reads as none, and the look then reads every
//! file, as the first look does. Its shown blobs are used only while the cache's key is the
//! one recorded; its stat data only under git's racy-clean rule ([`super::folder::Stat`]).
//!
//! **With a watcher** ([`crate::watch`]) the file also holds the watcher's token from before
//! the look: only the paths the watcher reports changed since are looked at. Its head (key,
//! token, and what the look concluded) is read alone, without the checksum, by a look the
//! watcher tells that nothing changed: nothing else of the file is used then.
//!
//! Layout (little-endian): magic, key, watcher token, conclusions, folder count, then each folder in walk order (path,
//! stat, stamp, its files, its subfolder names), then the ghosts, then the checksum.

use super::folder::Stat;
use crate::git::ObjectId;
use crate::lock::SyncLock;
use std::io::Write as _;
use std::ops::Range;
use std::path::Path;

pub const FILE_NAME: &str = "worktree-stat";
const MAGIC: &[u8; 8] = b"RMWTST03";

/// What the cache showed at a file's path, relative to the blob the file held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// No row at that path.
    Nothing,
    /// The file's own blob: the cache showed the working tree.
    Same,
    Other(ObjectId),
}

impl Shown {
    /// `shown` relative to `blob`.
    #[must_use]
    pub fn relative_to(shown: Option<ObjectId>, blob: ObjectId) -> Shown {
        match shown {
            None => Shown::Nothing,
            Some(id) if id == blob => Shown::Same,
            Some(id) => Shown::Other(id),
        }
    }

    /// The blob shown, for a file that held `blob`.
    #[must_use]
    pub fn resolve(self, blob: ObjectId) -> Option<ObjectId> {
        match self {
            Shown::Nothing => None,
            Shown::Same => Some(blob),
            Shown::Other(id) => Some(id),
        }
    }
}

/// An id no file's blob has (all zeros), for a file a look could not read.
#[must_use]
pub fn no_blob() -> ObjectId {
    ObjectId::from_raw(&[0; 20]).expect("20 bytes make an id")
}

/// One file as the last look found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileRecord<'a> {
    pub name: &'a str,
    pub stat: Stat,
    /// When its blob was read (ns since the epoch), for the racy-clean rule.
    pub stamped_ns: i64,
    pub blob: ObjectId,
    pub shown: Shown,
}

/// One folder as the last look found it; its files are `files` of [`Snapshot::files`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderRecord<'a> {
    pub path: &'a str,
    pub stat: Stat,
    /// When its entries were listed.
    pub stamped_ns: i64,
    pub files: Range<usize>,
    pub subfolders: Vec<&'a str>,
    /// It held entries the walk does not follow (see [`super::walk::WalkedFolder::strays`]).
    pub strays: bool,
}

/// What a look concluded, kept in the stat file's head.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Conclusions {
    /// See [`super::WorktreeReport::contract_documents_only`].
    pub contract_documents_only: bool,
    /// The cache showed every file as it was (no pending write left to record).
    pub settled: bool,
}

impl Conclusions {
    fn byte(self) -> u8 {
        u8::from(self.contract_documents_only) | (u8::from(self.settled) << 1)
    }

    fn of(byte: u8) -> Option<Conclusions> {
        (byte < 4).then_some(Conclusions {
            contract_documents_only: byte & 1 != 0,
            settled: byte & 2 != 0,
        })
    }
}

/// The head of a stat file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Head<'a> {
    pub key: &'a str,
    /// The watcher's token from before the look (empty: no watcher).
    pub token: &'a str,
    pub conclusions: Conclusions,
}

impl<'a> Head<'a> {
    /// Reads the head from the start of a stat file, trusting it without the checksum: its
    /// key and token match the cache's and the watcher's only if it is whole.
    #[must_use]
    pub fn parse(bytes: &'a [u8]) -> Option<Head<'a>> {
        let mut r = Reader {
            bytes: bytes.strip_prefix(MAGIC)?,
        };
        r.head()
    }
}

/// A stat file, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot<'a> {
    pub head: Head<'a>,
    pub folders: Vec<FolderRecord<'a>>,
    pub files: Vec<FileRecord<'a>>,
    /// Paths the cache showed with no file there, sorted.
    pub ghosts: Vec<(&'a str, ObjectId)>,
}

impl<'a> Snapshot<'a> {
    /// Reads a stat file's bytes; `None` unless they are whole and of this version.
    #[must_use]
    pub fn parse(bytes: &'a [u8]) -> Option<Snapshot<'a>> {
        let (body, sum) = bytes.split_at_checked(bytes.len().checked_sub(8)?)?;
        if body.get(..MAGIC.len())? != MAGIC || checksum(body).to_le_bytes() != sum {
            return None;
        }
        let mut r = Reader {
            bytes: &body[MAGIC.len()..],
        };
        let head = r.head()?;
        let folder_count = r.u32()?;
        let mut folders = Vec::new();
        let mut files = Vec::new();
        for _ in 0..folder_count {
            let path = r.str16()?;
            let stat = r.stat()?;
            let stamped_ns = r.i64()?;
            let start = files.len();
            for _ in 0..r.u32()? {
                let name = r.str16()?;
                let stat = r.stat()?;
                let stamped_ns = r.i64()?;
                let blob = r.id()?;
                let shown = match r.u8()? {
                    0 => Shown::Nothing,
                    1 => Shown::Same,
                    2 => Shown::Other(r.id()?),
                    _ => return None,
                };
                files.push(FileRecord {
                    name,
                    stat,
                    stamped_ns,
                    blob,
                    shown,
                });
            }
            let subfolders = (0..r.u32()?).map(|_| r.str16()).collect::<Option<_>>()?;
            let strays = match r.u8()? {
                0 => false,
                1 => true,
                _ => return None,
            };
            folders.push(FolderRecord {
                path,
                stat,
                stamped_ns,
                files: start..files.len(),
                subfolders,
                strays,
            });
        }
        let ghosts = (0..r.u32()?)
            .map(|_| Some((r.str16()?, r.id()?)))
            .collect::<Option<_>>()?;
        r.bytes.is_empty().then_some(Snapshot {
            head,
            folders,
            files,
            ghosts,
        })
    }

    /// The index of the folder at `path`, looked for from `hint` on (the next folder of the
    /// walk, which visits them in the order they were recorded).
    #[must_use]
    pub fn folder(&self, path: &str, hint: usize) -> Option<usize> {
        let at = |i: &usize| self.folders[*i].path == path;
        (hint..self.folders.len())
            .find(at)
            .or_else(|| (0..hint.min(self.folders.len())).find(at))
    }
}

/// Writes a stat file: [`Writer::folder`] for each folder in walk order, its files, then
/// [`Writer::finish`].
pub struct Writer {
    bytes: Vec<u8>,
    folder_count: u32,
    folders_at: usize,
}

impl Writer {
    #[must_use]
    pub fn new(head: Head<'_>, capacity: usize) -> Writer {
        let mut w = Writer {
            bytes: Vec::with_capacity(capacity),
            folder_count: 0,
            folders_at: 0,
        };
        w.bytes.extend_from_slice(MAGIC);
        w.str16(head.key);
        w.str16(head.token);
        w.bytes.push(head.conclusions.byte());
        w.folders_at = w.bytes.len();
        w.bytes.extend_from_slice(&0u32.to_le_bytes());
        w
    }

    /// Starts a folder holding `file_count` files, written next by [`Writer::file`].
    pub fn folder(&mut self, path: &str, stat: Stat, stamped_ns: i64, file_count: usize) {
        self.folder_count += 1;
        self.str16(path);
        self.stat(stat);
        self.bytes.extend_from_slice(&stamped_ns.to_le_bytes());
        self.u32(file_count);
    }

    pub fn file(&mut self, name: &str, stat: Stat, stamped_ns: i64, blob: ObjectId, shown: Shown) {
        self.str16(name);
        self.stat(stat);
        self.bytes.extend_from_slice(&stamped_ns.to_le_bytes());
        self.id(blob);
        match shown {
            Shown::Nothing => self.bytes.push(0),
            Shown::Same => self.bytes.push(1),
            Shown::Other(id) => {
                self.bytes.push(2);
                self.id(id);
            }
        }
    }

    /// Ends the current folder with its subfolder names and whether it holds strays.
    pub fn subfolders<'s>(&mut self, names: impl ExactSizeIterator<Item = &'s str>, strays: bool) {
        self.u32(names.len());
        for name in names {
            self.str16(name);
        }
        self.bytes.push(u8::from(strays));
    }

    /// The file's bytes, with `ghosts` (sorted by path) and the checksum.
    #[must_use]
    pub fn finish(mut self, ghosts: &[(String, ObjectId)]) -> Vec<u8> {
        self.u32(ghosts.len());
        for (path, id) in ghosts {
            self.str16(path);
            self.id(*id);
        }
        let count = self.folder_count.to_le_bytes();
        self.bytes[self.folders_at..self.folders_at + 4].copy_from_slice(&count);
        let sum = checksum(&self.bytes);
        self.bytes.extend_from_slice(&sum.to_le_bytes());
        self.bytes
    }

    fn u32(&mut self, n: usize) {
        let n = u32::try_from(n).unwrap_or(u32::MAX);
        self.bytes.extend_from_slice(&n.to_le_bytes());
    }

    /// Names and paths are short (a path past 64 KiB is written cut, and then read as
    /// another path that no file has).
    fn str16(&mut self, text: &str) {
        let mut end = text.len().min(usize::from(u16::MAX));
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let len = u16::try_from(end).unwrap_or(u16::MAX);
        self.bytes.extend_from_slice(&len.to_le_bytes());
        self.bytes.extend_from_slice(&text.as_bytes()[..end]);
    }

    fn stat(&mut self, stat: Stat) {
        self.bytes.extend_from_slice(&stat.size.to_le_bytes());
        self.bytes.extend_from_slice(&stat.mtime_ns.to_le_bytes());
        self.bytes.extend_from_slice(&stat.ctime_ns.to_le_bytes());
        self.bytes.extend_from_slice(&stat.inode.to_le_bytes());
    }

    fn id(&mut self, id: ObjectId) {
        let raw = id.as_bytes();
        self.bytes.push(u8::try_from(raw.len()).unwrap_or(0));
        self.bytes.extend_from_slice(raw);
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn head(&mut self) -> Option<Head<'a>> {
        Some(Head {
            key: self.str16()?,
            token: self.str16()?,
            conclusions: Conclusions::of(self.u8()?)?,
        })
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.bytes.split_at_checked(n)?;
        self.bytes = rest;
        Some(head)
    }

    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn u32(&mut self) -> Option<usize> {
        let n = u32::from_le_bytes(self.take(4)?.try_into().ok()?);
        usize::try_from(n).ok()
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn str16(&mut self) -> Option<&'a str> {
        let len = u16::from_le_bytes(self.take(2)?.try_into().ok()?);
        std::str::from_utf8(self.take(usize::from(len))?).ok()
    }

    fn stat(&mut self) -> Option<Stat> {
        Some(Stat {
            size: self.u64()?,
            mtime_ns: self.i64()?,
            ctime_ns: self.i64()?,
            inode: self.u64()?,
        })
    }

    fn id(&mut self) -> Option<ObjectId> {
        let len = self.u8()?;
        ObjectId::from_raw(self.take(usize::from(len))?)
    }
}

/// A 64-bit checksum of `bytes`, a word at a time (a multiply-rotate hash: each step is a
/// bijection of the state, so any one changed word changes the result). It tells a whole
/// file from a cut or damaged one; nobody forges a stat file.
fn checksum(bytes: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut hash = 0x9e37_79b9_7f4a_7c15 ^ bytes.len() as u64;
    let words = bytes.chunks_exact(8);
    let tail = words.remainder();
    for word in words {
        let word = u64::from_le_bytes(word.try_into().expect("chunks of 8"));
        hash = (hash.rotate_left(5) ^ word).wrapping_mul(K);
    }
    let mut last = [0u8; 8];
    last[..tail.len()].copy_from_slice(tail);
    hash = (hash.rotate_left(5) ^ u64::from_le_bytes(last)).wrapping_mul(K);
    hash ^ (hash >> 29)
}

/// The stat file of the cache folder `cache_dir`, if any (read whole, one allocation).
#[must_use]
pub fn read(cache_dir: &Path) -> Option<Vec<u8>> {
    std::fs::read(cache_dir.join(FILE_NAME)).ok()
}

/// The start of the stat file of `cache_dir`, where its head is.
#[must_use]
pub fn read_head(cache_dir: &Path) -> Option<Vec<u8>> {
    use std::io::Read as _;
    let file = std::fs::File::open(cache_dir.join(FILE_NAME)).ok()?;
    let mut bytes = Vec::with_capacity(1024);
    file.take(1024).read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

/// Replaces the stat file by rename, so a reader finds the old file or the new one, whole.
/// Not synced to disk: after a crash, a lost or cut file only costs the next look a read of
/// every file. The caller holds the lock, so no two writers share the temporary file.
pub fn save(cache_dir: &Path, bytes: &[u8], _lock: &SyncLock) -> std::io::Result<()> {
    let staged = cache_dir.join(format!("{FILE_NAME}.tmp"));
    let mut file = std::fs::File::create(&staged)?;
    file.write_all(bytes)?;
    drop(file);
    std::fs::rename(&staged, cache_dir.join(FILE_NAME))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(byte: u8) -> ObjectId {
        ObjectId::from_raw(&[byte; 20]).unwrap()
    }

    fn stat(n: i64) -> Stat {
        Stat {
            size: 10,
            mtime_ns: n,
            ctime_ns: n + 1,
            inode: 7,
        }
    }

    fn sample() -> Vec<u8> {
        let head = Head {
            key: "cache-1.db:4",
            token: "7:9",
            conclusions: Conclusions {
                contract_documents_only: false,
                settled: true,
            },
        };
        let mut w = Writer::new(head, 0);
        w.folder(".roadmap", stat(1), 100, 0);
        w.subfolders([".roadmap/issues"].into_iter(), false);
        w.folder(".roadmap/issues", stat(2), 100, 2);
        w.file("a.md", stat(3), 100, id(1), Shown::Same);
        w.file("b.md", stat(4), 100, id(2), Shown::Other(id(3)));
        w.subfolders(std::iter::empty(), true);
        w.finish(&[(".roadmap/issues/c.md".to_owned(), id(4))])
    }

    #[test]
    fn reads_back_what_was_written() {
        let bytes = sample();
        let snapshot = Snapshot::parse(&bytes).unwrap();
        assert_eq!(snapshot.head.key, "cache-1.db:4");
        assert_eq!(Head::parse(&bytes[..40]), Some(snapshot.head));
        assert_eq!(snapshot.head.token, "7:9");
        assert!(snapshot.head.conclusions.settled);
        assert!(!snapshot.head.conclusions.contract_documents_only);
        assert_eq!(snapshot.folders.len(), 2);
        assert_eq!(snapshot.folders[0].subfolders, [".roadmap/issues"]);
        assert_eq!(
            (snapshot.folders[0].strays, snapshot.folders[1].strays),
            (false, true)
        );
        assert_eq!(snapshot.folder(".roadmap/issues", 0), Some(1));
        let files = &snapshot.files[snapshot.folders[1].files.clone()];
        assert_eq!(files[0].name, "a.md");
        assert_eq!(files[0].shown.resolve(files[0].blob), Some(id(1)));
        assert_eq!(files[1].shown.resolve(files[1].blob), Some(id(3)));
        assert_eq!(files[1].stat, stat(4));
        assert_eq!(snapshot.ghosts, [(".roadmap/issues/c.md", id(4))]);
    }

    #[test]
    fn a_cut_or_damaged_file_reads_as_none() {
        let bytes = sample();
        for cut in [0, 7, 8, bytes.len() / 2, bytes.len() - 1] {
            assert_eq!(Snapshot::parse(&bytes[..cut]), None, "cut at {cut}");
        }
        for at in [0, 9, bytes.len() / 2, bytes.len() - 9, bytes.len() - 1] {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x10;
            assert_eq!(Snapshot::parse(&damaged), None, "byte {at} flipped");
        }
    }
}

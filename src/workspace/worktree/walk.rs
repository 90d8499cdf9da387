//! The walk of a look: every roadmap folder and file of the working tree, against the stat
//! file of the last look. As `git status` with its index and untracked cache: a folder whose
//! stat data did not move keeps its recorded entries (no listing), every file gets its `stat`,
//! and only a file whose stat data moved (or is racily clean) is read and hashed.

use super::folder::{self, Folder, Kind, Stat};
use super::stat_file::Snapshot;
use crate::git::{ObjectFormat, ObjectId};
use crate::lines;
use crate::watch::Moved;
use std::borrow::Cow;
use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;

/// A folder as this walk found it.
#[derive(Debug)]
pub struct WalkedFolder<'p> {
    pub path: String,
    pub stat: Stat,
    /// When its entries were listed (kept from the stat file when they were not listed again).
    pub stamped_ns: i64,
    /// Its files, in [`Walked::files`], sorted by name.
    pub files: Range<usize>,
    pub subfolders: Vec<Cow<'p, str>>,
    /// It holds an entry the walk does not follow: a folder no line keeps documents in, or a
    /// `*.md` that is not a regular file either line would read as a document (the 0.3.1
    /// tracker reads every `*.md` of its folders, and refuses a nested folder).
    pub strays: bool,
}

/// A roadmap file as this walk found it.
#[derive(Debug)]
pub struct WalkedFile<'p> {
    pub name: Cow<'p, str>,
    /// Its folder, in [`Walked::folders`].
    pub folder: usize,
    pub stat: Stat,
    /// The blob it holds; `None` when it could not be read (gone or unreadable since the stat).
    pub blob: Option<ObjectId>,
    /// When `blob` was read.
    pub stamped_ns: i64,
    /// Its record in the stat file, if it has one.
    pub recorded: Option<usize>,
}

/// Every roadmap folder (walk order: a folder, then each subfolder by name) and file.
#[derive(Debug, Default)]
pub struct Walked<'p> {
    pub folders: Vec<WalkedFolder<'p>>,
    pub files: Vec<WalkedFile<'p>>,
    /// Files read and hashed (stat data moved, racily clean, or not recorded).
    pub hashed: usize,
    /// Folders whose entries were listed (stat data moved, racily clean, or not recorded).
    pub listed: usize,
    /// Files taken as recorded, without a stat, on the watcher's word.
    pub trusted: usize,
}

/// One folder's entries as [`Walker::list`] sorts them out.
#[derive(Default)]
struct Listing {
    files: Vec<String>,
    subfolders: Vec<String>,
    strays: bool,
}

impl Walked<'_> {
    /// Whether `.roadmap/issues` and `.roadmap/milestones` hold nothing but documents of the
    /// 0.2 contract's layout (no folder, no other `*.md`), or are absent: what a served 0.3.1
    /// read needs, as its tracker reads every `*.md` of them. From the walk's own listing, so
    /// the reads need not list those folders again.
    #[must_use]
    pub fn contract_documents_only(&self) -> bool {
        self.folders
            .iter()
            .filter(|f| matches!(f.path.as_str(), ".roadmap/issues" | ".roadmap/milestones"))
            .all(|folder| {
                !folder.strays
                    && folder.subfolders.is_empty()
                    && self.files[folder.files.clone()]
                        .iter()
                        .all(|file| lines::is_document_name(&file.name))
            })
    }
}

impl WalkedFile<'_> {
    /// The file's path from the top of the working tree.
    #[must_use]
    pub fn path(&self, walked: &Walked<'_>) -> String {
        format!("{}/{}", walked.folders[self.folder].path, self.name)
    }
}

/// Walks `.roadmap` in `work_dir`, trusting what `before` (the last look's stat file) recorded
/// where the stat data say nothing moved since, or, given `moved` (what a watcher reported
/// since `before`), wherever it reported nothing, without a stat. `now` stamps what is listed
/// or read: taken before any of it, so that a change made during the walk stays racily clean.
#[must_use]
pub fn walk<'p>(
    work_dir: &Path,
    before: Option<&Snapshot<'p>>,
    moved: Option<&Moved>,
    format: ObjectFormat,
    now: i64,
) -> Walked<'p> {
    let mut walker = Walker {
        work_dir,
        before,
        moved: moved.filter(|_| before.is_some()),
        format,
        now,
        hint: 0,
        out: Walked::default(),
    };
    let top = ".roadmap";
    if let Some(folder) = Folder::open(&work_dir.join(top)) {
        walker.visit(top.to_owned(), &folder);
    }
    walker.out
}

struct Walker<'w, 'p> {
    work_dir: &'w Path,
    before: Option<&'w Snapshot<'p>>,
    moved: Option<&'w Moved>,
    format: ObjectFormat,
    now: i64,
    /// The next recorded folder, where the walk usually finds the one it looks for.
    hint: usize,
    out: Walked<'p>,
}

impl<'p> Walker<'_, 'p> {
    fn visit(&mut self, path: String, folder: &Folder) {
        let recorded = self.before.and_then(|b| {
            let index = b.folder(&path, self.hint)?;
            self.hint = index + 1;
            Some((b, index))
        });
        // The watcher's word: `None` without one, then the names reported in this folder.
        let watched: Option<Option<&HashSet<String>>> = self.moved.map(|m| m.names(&path));
        let unreported = recorded.filter(|_| self.moved.is_some_and(|m| !m.folder(&path)));
        let stat = match unreported {
            Some((b, i)) => b.folders[i].stat,
            None => match folder.stat() {
                Some(stat) => stat,
                None => return,
            },
        };
        let index = self.out.folders.len();
        let first = self.out.files.len();
        // The entries are the recorded ones while the folder's stat data did not move since a
        // second after they were listed (git's untracked cache, with its racy-clean rule), or
        // while the watcher reports nothing of it.
        let kept = unreported.or_else(|| {
            recorded.filter(|(b, i)| {
                let r = &b.folders[*i];
                r.stat == stat && stat.settled_at(r.stamped_ns)
            })
        });
        let (stamped_ns, subfolders, strays) = if let Some((before, i)) = kept {
            let record = &before.folders[i];
            for file in record.files.clone() {
                let name = before.files[file].name;
                self.file(
                    folder,
                    index,
                    &path,
                    watched,
                    Cow::Borrowed(name),
                    Some(file),
                );
            }
            let subfolders = record.subfolders.iter().map(|s| Cow::Borrowed(*s));
            (record.stamped_ns, subfolders.collect(), record.strays)
        } else {
            self.out.listed += 1;
            let Listing {
                files,
                subfolders,
                strays,
            } = self.list(&path);
            for name in files {
                let file = recorded.and_then(|(b, i)| {
                    let range = b.folders[i].files.clone();
                    let at = b.files[range.clone()].binary_search_by(|f| f.name.cmp(&name));
                    at.ok().map(|at| range.start + at)
                });
                self.file(folder, index, &path, watched, Cow::Owned(name), file);
            }
            let subfolders = subfolders.into_iter().map(Cow::Owned).collect();
            (self.now, subfolders, strays)
        };
        self.out.folders.push(WalkedFolder {
            path,
            stat,
            stamped_ns,
            files: first..self.out.files.len(),
            subfolders,
            strays,
        });
        for s in 0..self.out.folders[index].subfolders.len() {
            let name = &self.out.folders[index].subfolders[s];
            let sub_path = format!("{}/{name}", self.out.folders[index].path);
            if let Some(sub) = folder.open_at(name) {
                self.visit(sub_path, &sub);
            }
        }
    }

    /// The roadmap files and the folders that may hold some, of the folder at `path`, each
    /// sorted by name, and whether it holds anything else that matters (see
    /// [`WalkedFolder::strays`]).
    fn list(&self, path: &str) -> Listing {
        let mut listing = Listing::default();
        for (name, kind) in folder::list(&self.work_dir.join(path)) {
            let full = format!("{path}/{name}");
            match kind {
                Kind::File if lines::may_be_document(&full) => listing.files.push(name),
                Kind::Folder if lines::may_contain_documents(&full) => {
                    listing.subfolders.push(name);
                }
                Kind::Folder => listing.strays = true,
                _ if name.ends_with(".md") || name.contains(char::REPLACEMENT_CHARACTER) => {
                    listing.strays = true;
                }
                _ => {}
            }
        }
        listing.files.sort_unstable();
        listing.subfolders.sort_unstable();
        listing
    }

    /// Looks at one file: its stat, then its blob, recorded or read; only the record, when the
    /// watcher reported nothing of it (`watched`: the names reported in its folder).
    #[allow(clippy::too_many_arguments)]
    fn file(
        &mut self,
        folder: &Folder,
        index: usize,
        folder_path: &str,
        watched: Option<Option<&HashSet<String>>>,
        name: Cow<'p, str>,
        recorded: Option<usize>,
    ) {
        let unreported = match watched {
            Some(None) => true,
            Some(Some(names)) => !names.contains(&*name),
            None => false,
        };
        // A file that could not be read was recorded with no stat data: read it again.
        let record = recorded
            .and_then(|i| self.before.map(|b| &b.files[i]))
            .filter(|r| unreported && r.stat != Stat::default());
        if let Some(record) = record {
            self.out.trusted += 1;
            self.out.files.push(WalkedFile {
                name,
                folder: index,
                stat: record.stat,
                blob: Some(record.blob),
                stamped_ns: record.stamped_ns,
                recorded,
            });
            return;
        }
        // Gone since it was listed, or no longer a file: as if it had not been listed.
        let Some((stat, Kind::File)) = folder.stat_at(&name) else {
            return;
        };
        let unchanged = recorded
            .and_then(|i| self.before.map(|b| &b.files[i]))
            .filter(|r| r.stat == stat && stat.settled_at(r.stamped_ns));
        let (blob, stamped_ns) = match unchanged {
            Some(record) => (Some(record.blob), record.stamped_ns),
            None => {
                self.out.hashed += 1;
                let path = self.work_dir.join(folder_path).join(&*name);
                let blob = std::fs::read(path)
                    .ok()
                    .and_then(|bytes| ObjectId::from_hex(&self.format.blob_id(&bytes)));
                (blob, self.now)
            }
        };
        self.out.files.push(WalkedFile {
            name,
            folder: index,
            stat,
            blob,
            stamped_ns,
            recorded,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::shown::{self, Source};
    use super::super::stat_file_bytes;
    use super::*;
    use std::time::{Duration, SystemTime};

    fn set_mtime(path: &Path, at: SystemTime) {
        std::fs::File::open(path).unwrap().set_modified(at).unwrap();
    }

    /// A walk, then the stat file it leaves.
    fn walk_and_record(dir: &Path, before: Option<&Snapshot<'_>>) -> (usize, usize, Vec<u8>) {
        let walked = walk(dir, before, None, ObjectFormat::Sha1, now());
        let compared = shown::compare(&walked, &Source::Rows(&[]));
        let bytes = stat_file_bytes(super::super::stat_file::Head::default(), &walked, &compared);
        (walked.hashed, walked.listed, bytes)
    }

    fn now() -> i64 {
        let since = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH);
        i64::try_from(since.unwrap().as_nanos()).unwrap()
    }

    #[test]
    fn a_walk_reads_and_lists_only_what_moved_since_the_last() {
        let dir = tempfile::tempdir().unwrap();
        let issues = dir.path().join(".roadmap/issues/v1");
        std::fs::create_dir_all(&issues).unwrap();
        let alpha = issues.join("0000000a-alpha.md");
        std::fs::write(&alpha, "---\nid: 0000000a\ntitle: Alpha\n---\n").unwrap();
        std::fs::write(issues.join("0000000b-beta.md"), "---\nid: 0000000b\n---\n").unwrap();
        let long_ago = SystemTime::now() - Duration::from_secs(86_400);
        for path in [
            alpha.clone(),
            issues.join("0000000b-beta.md"),
            issues.clone(),
            dir.path().join(".roadmap/issues"),
            dir.path().join(".roadmap"),
        ] {
            set_mtime(&path, long_ago);
        }
        let (hashed, listed, first) = walk_and_record(dir.path(), None);
        assert_eq!((hashed, listed), (2, 3), "the first walk reads everything");
        let before = Snapshot::parse(&first).unwrap();

        let (hashed, listed, second) = walk_and_record(dir.path(), Some(&before));
        assert_eq!(
            (hashed, listed),
            (0, 0),
            "nothing moved: nothing read or listed"
        );
        assert_eq!(second, first);

        // Same size, the old mtime put back: the change time tells, and only that file is read.
        let text = std::fs::read_to_string(&alpha).unwrap();
        std::fs::write(&alpha, text.replace("Alpha", "ALPHA")).unwrap();
        set_mtime(&alpha, long_ago);
        let (hashed, listed, third) = walk_and_record(dir.path(), Some(&before));
        assert_eq!((hashed, listed), (1, 0));
        assert_ne!(third, first);

        // A new file moves its folder: that folder alone is listed again.
        std::fs::write(issues.join("0000000c-gamma.md"), "---\nid: 0000000c\n---\n").unwrap();
        let after = Snapshot::parse(&third).unwrap();
        let (hashed, listed, _) = walk_and_record(dir.path(), Some(&after));
        assert_eq!((hashed, listed), (1, 1));
    }
}

//! What the cache shows at each path a look walked: from the stat file while its key is the
//! cache's (no row is read), else from the cache's rows; and the paths it shows where no file
//! was walked (gone from the working tree).

use super::stat_file::Snapshot;
use super::walk::Walked;
use crate::git::ObjectId;

/// Where the shown blobs come from.
pub enum Source<'s, 'p> {
    /// The last look's stat file, whose key is the cache's.
    Recorded(&'s Snapshot<'p>),
    /// The cache's rows ([`crate::cache::Cache::shown_blobs`]), sorted by path.
    Rows(&'s [(String, String)]),
}

/// The shown blobs, set against the walk.
#[derive(Debug, Default)]
pub struct Compared {
    /// For each walked file, the blob the cache shows at its path.
    pub shown: Vec<Option<ObjectId>>,
    /// Paths the cache shows where no file was walked, sorted.
    pub unmatched: Vec<(String, ObjectId)>,
}

/// Sets what `source` says the cache shows against the `walked` files.
#[must_use]
pub fn compare(walked: &Walked<'_>, source: &Source<'_, '_>) -> Compared {
    let mut compared = match source {
        Source::Recorded(before) => from_record(walked, before),
        Source::Rows(rows) => from_rows(walked, rows),
    };
    compared.unmatched.sort_unstable();
    compared
}

fn from_record(walked: &Walked<'_>, before: &Snapshot<'_>) -> Compared {
    let mut seen = vec![false; before.files.len()];
    let mut ghost_seen = vec![false; before.ghosts.len()];
    let mut shown = Vec::with_capacity(walked.files.len());
    for file in &walked.files {
        shown.push(match file.recorded {
            Some(i) => {
                seen[i] = true;
                before.files[i].shown.resolve(before.files[i].blob)
            }
            None if before.ghosts.is_empty() => None,
            None => {
                let path = file.path(walked);
                let at = before
                    .ghosts
                    .binary_search_by(|(p, _)| (*p).cmp(path.as_str()));
                at.ok().map(|g| {
                    ghost_seen[g] = true;
                    before.ghosts[g].1
                })
            }
        });
    }
    let mut unmatched = Vec::new();
    for folder in &before.folders {
        for i in folder.files.clone().filter(|&i| !seen[i]) {
            let record = &before.files[i];
            if let Some(id) = record.shown.resolve(record.blob) {
                unmatched.push((format!("{}/{}", folder.path, record.name), id));
            }
        }
    }
    let ghosts = before.ghosts.iter().zip(&ghost_seen);
    unmatched.extend(
        ghosts
            .filter(|(_, seen)| !**seen)
            .map(|((path, id), _)| ((*path).to_owned(), *id)),
    );
    Compared { shown, unmatched }
}

fn from_rows(walked: &Walked<'_>, rows: &[(String, String)]) -> Compared {
    let mut matched = vec![false; rows.len()];
    let mut shown = Vec::with_capacity(walked.files.len());
    let mut path = String::new();
    for file in &walked.files {
        path.clear();
        path.push_str(&walked.folders[file.folder].path);
        path.push('/');
        path.push_str(&file.name);
        let at = rows.binary_search_by(|(p, _)| p.as_str().cmp(&path));
        shown.push(at.ok().map(|i| {
            matched[i] = true;
            id_of(&rows[i].1)
        }));
    }
    let unmatched = rows
        .iter()
        .zip(matched)
        .filter(|(_, matched)| !matched)
        .map(|((path, blob), _)| (path.clone(), id_of(blob)))
        .collect();
    Compared { shown, unmatched }
}

/// A row's blob id; one that does not parse (never written by the sync) reads as an id no
/// file has, so the path is compared as changed rather than as clean.
fn id_of(hex: &str) -> ObjectId {
    ObjectId::from_hex(hex).unwrap_or_else(super::stat_file::no_blob)
}

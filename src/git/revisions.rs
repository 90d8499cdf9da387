//! Revisions as git names them (`HEAD~3`, a tag, `main@{upstream}`), merge bases, the files of
//! one folder at a commit, and the walk over the commits that changed `.roadmap/`: what the
//! history commands (`roadmap list --at`, `diff`, `log`) read from git.
//!
//! In process (libgit2) where the repository allows it; the git command line otherwise
//! (SHA-256, replace refs) and for revision syntax libgit2 does not know (reftable refs).

use super::cli::{is_file_mode, parse_id, path_text};
use super::{GitError, GitRepo, ObjectId};
use git2::{Oid, Repository};
use std::collections::HashMap;
use std::path::Path;

/// A commit as `roadmap log` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    pub id: ObjectId,
    pub parents: Vec<ObjectId>,
    pub author: String,
    /// The author date, ISO 8601 with the author's offset (`2026-03-01T10:00:00+01:00`).
    pub date: String,
    /// The first line of the message.
    pub summary: String,
}

/// Reads objects without re-hashing each one: they come from git's own database, which git
/// itself does not re-hash on read either. Hashing was a fifth of a 1-file sync, a quarter of
/// a rebuild and of a backfill, and a third of a `roadmap diff` over 1,000 files; the sync,
/// the history commands and the event log's walk all call this.
pub fn trust_object_database() {
    git2::opts::strict_hash_verification(false);
}

impl GitRepo {
    /// The commit `rev` names, as `git rev-parse REV^{commit}` reads it.
    pub fn resolve_commit(&self, rev: &str) -> Result<ObjectId, GitError> {
        if rev.starts_with('-') {
            return Err(GitError::Unsupported(format!("unknown revision `{rev}`")));
        }
        if let Some(repo) = self.in_process() {
            if let Ok(commit) = repo.revparse_single(rev).and_then(|o| o.peel_to_commit()) {
                return Ok(commit.id().into());
            }
        }
        let spec = format!("{rev}^{{commit}}");
        self.command_line()
            .run(&["rev-parse", "--verify", "--quiet", &spec])
            .ok()
            .and_then(|out| parse_id(&out).ok())
            .ok_or_else(|| GitError::Unsupported(format!("unknown revision `{rev}`")))
    }

    /// The best common ancestor of `a` and `b` (`git merge-base`); `None` when they share none.
    pub fn merge_base(&self, a: ObjectId, b: ObjectId) -> Result<Option<ObjectId>, GitError> {
        if let (Some(repo), Some(x), Some(y)) = (self.in_process(), a.to_git2(), b.to_git2()) {
            return match repo.merge_base(x, y) {
                Ok(id) => Ok(Some(id.into())),
                Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
                Err(e) => Err(e.into()),
            };
        }
        let (a, b) = (a.to_string(), b.to_string());
        match self.command_line().run(&["merge-base", &a, &b]) {
            Ok(out) => Ok(Some(parse_id(&out)?)),
            // `git merge-base` exits 1, silently, for unrelated histories.
            Err(GitError::Command { message, .. }) if message.is_empty() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The regular files under `folders` (repository-relative, no trailing slash) at `commit`,
    /// with their blob ids: the milestone files a contract issue names by id.
    pub fn files_under(
        &self,
        commit: ObjectId,
        folders: &[&str],
    ) -> Result<Vec<(String, ObjectId)>, GitError> {
        let Some(repo) = self.in_process() else {
            return Ok(self
                .command_line()
                .files(commit, folders)?
                .into_iter()
                .filter_map(|change| match change {
                    super::TreeChange::Added { path, blob } => Some((path, blob)),
                    _ => None,
                })
                .collect());
        };
        let id = commit
            .to_git2()
            .ok_or_else(|| GitError::Missing(commit.to_string()))?;
        let tree = repo.find_commit(id)?.tree()?;
        let mut files = Vec::new();
        for folder in folders {
            let Ok(entry) = tree.get_path(Path::new(folder)) else {
                continue;
            };
            let Ok(sub) = repo.find_tree(entry.id()) else {
                continue;
            };
            sub.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
                let mode = format!("{:o}", entry.filemode());
                if is_file_mode(mode.as_bytes()) {
                    let (name, utf8) = path_text(entry.name_bytes());
                    if utf8 {
                        files.push((format!("{folder}/{dir}{name}"), entry.id().into()));
                    }
                }
                git2::TreeWalkResult::Ok
            })?;
        }
        Ok(files)
    }

    /// The commits reachable from `from` whose `.roadmap` folder differs from at least one
    /// parent's (a root commit: has one), newest first in topological order: what `git log
    /// --full-history --topo-order -- .roadmap` lists. In process, a commit that left the
    /// folder alone costs one tree lookup, so the walk grows with the commits that touch it.
    pub fn roadmap_commits(&self, from: ObjectId) -> Result<Vec<CommitInfo>, GitError> {
        match (self.in_process(), from.to_git2()) {
            (Some(repo), Some(from)) => walk_in_process(repo, from),
            _ => self.walk_by_command(from),
        }
    }

    fn walk_by_command(&self, from: ObjectId) -> Result<Vec<CommitInfo>, GitError> {
        let from = from.to_string();
        let output = self.command_line().run(&[
            "log",
            "--full-history",
            "--topo-order",
            "--format=%x1e%H%x1f%P%x1f%an%x1f%at %ai%x1f%s",
            &from,
            "--",
            ".roadmap",
        ])?;
        let text = String::from_utf8_lossy(&output);
        let mut commits = Vec::new();
        for record in text.split('\x1e').filter(|r| !r.trim().is_empty()) {
            let fields: Vec<&str> = record.trim_end_matches('\n').split('\x1f').collect();
            let [id, parents, author, date, summary] = fields[..] else {
                continue;
            };
            commits.push(CommitInfo {
                id: parse_id(id.as_bytes())?,
                parents: parents
                    .split_whitespace()
                    .map(|p| parse_id(p.as_bytes()))
                    .collect::<Result<_, _>>()?,
                author: author.to_owned(),
                date: date_of_log(date),
                summary: summary.to_owned(),
            });
        }
        Ok(commits)
    }
}

fn walk_in_process(repo: &Repository, from: Oid) -> Result<Vec<CommitInfo>, GitError> {
    let mut walk = repo.revwalk()?;
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::TIME)?;
    walk.push(from)?;
    let mut roadmap_trees: HashMap<Oid, Option<Oid>> = HashMap::new();
    let mut roadmap_of = |id: Oid| -> Result<Option<Oid>, GitError> {
        if let Some(tree) = roadmap_trees.get(&id) {
            return Ok(*tree);
        }
        let tree = repo.find_commit(id)?.tree()?;
        let folder = tree
            .get_name(".roadmap")
            .filter(|e| e.kind() == Some(git2::ObjectType::Tree))
            .map(|e| e.id());
        roadmap_trees.insert(id, folder);
        Ok(folder)
    };
    let mut commits = Vec::new();
    for id in walk {
        let id = id?;
        let commit = repo.find_commit(id)?;
        let mine = roadmap_of(id)?;
        let parents: Vec<Oid> = commit.parent_ids().collect();
        let changed = if parents.is_empty() {
            mine.is_some()
        } else {
            let mut differs = false;
            for parent in &parents {
                differs |= roadmap_of(*parent)? != mine;
            }
            differs
        };
        if !changed {
            continue;
        }
        let author = commit.author();
        commits.push(CommitInfo {
            id: id.into(),
            parents: parents.into_iter().map(ObjectId::from).collect(),
            author: String::from_utf8_lossy(author.name_bytes()).into_owned(),
            date: iso_date(author.when()),
            summary: String::from_utf8_lossy(commit.summary_bytes().unwrap_or_default())
                .into_owned(),
        });
    }
    Ok(commits)
}

/// `%at %ai` (`1735689600 2025-01-01 00:00:00 +0000`) as [`iso_date`] writes it: git's own
/// `%aI` writes UTC as `Z` in some versions and `+00:00` in others.
fn date_of_log(text: &str) -> String {
    let mut fields = text.split_whitespace();
    let seconds = fields.next().and_then(|s| s.parse::<i64>().ok());
    let zone = fields.last().unwrap_or("+0000");
    let digits = |range: std::ops::Range<usize>| {
        zone.get(range)
            .and_then(|d| d.parse::<i32>().ok())
            .unwrap_or(0)
    };
    let minutes = digits(1..3) * 60 + digits(3..5);
    let offset = if zone.starts_with('-') {
        -minutes
    } else {
        minutes
    };
    match seconds {
        Some(seconds) => iso_date(git2::Time::new(seconds, offset)),
        None => text.to_owned(),
    }
}

/// A git time as `git log --format=%aI` prints it (`+00:00` for UTC).
fn iso_date(when: git2::Time) -> String {
    let offset = i64::from(when.offset_minutes());
    let local = when.seconds() + offset * 60;
    let (days, secs) = (local.div_euclid(86_400), local.rem_euclid(86_400));
    let (y, m, d) = crate::issue::timestamp::civil_from_days(days);
    let sign = if offset < 0 { '-' } else { '+' };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        offset.abs() / 60,
        offset.abs() % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_print_as_git_log_prints_them() {
        let when = git2::Time::new(1_700_000_000, 60);
        assert_eq!(iso_date(when), "2023-11-14T23:13:20+01:00");
        let when = git2::Time::new(0, -330);
        assert_eq!(iso_date(when), "1969-12-31T18:30:00-05:30");
        assert_eq!(
            date_of_log("1700000000 2023-11-14 23:13:20 +0100"),
            "2023-11-14T23:13:20+01:00"
        );
    }
}

//! The repository as the sync sees it: HEAD, whether a commit exists, the roadmap diff between
//! two commits and blob contents, served by one of two backends chosen per repository.
//!
//! - **In process** (libgit2) for SHA-1 repositories, the files and the reftable ref backends
//!   alike: libgit2 0.20 refuses `extensions.refStorage`, so the extension is registered with
//!   it and refs are resolved here (from the reftable stack, see [`super::reftable`]); trees
//!   and blobs are read by id, which is all libgit2 is asked for.
//! - **The git command line** ([`super::cli`]) for SHA-256 repositories (libgit2 0.20 knows
//!   no SHA-256) and for repositories with replace refs, which git honours (`git show HEAD:path`
//!   shows the replacement) and libgit2 ignores. `ROADMAP_HOOKS_GIT_BACKEND=cli` forces it.
//!
//! **Partial clones.** Blobs a blobless clone lacks are fetched before a sync reads them: the
//! missing ones among those it needs are found without fetching, then brought by one `git
//! fetch` from the promisor remote, never a process per blob.

use super::cli::{CatFile, Cli};
use super::pack_blobs::{PackBlobReader, PackBlobs};
use super::tree_diff::{NoMemo, TreeMemo};
use super::{HeadStamp, ObjectFormat, ObjectId, TreeChange, head_commit, read_head_stamp};
use crate::repo_dirs::RepoDirs;
use git2::Repository;
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;

/// A git operation that failed.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("{}", .0.message())]
    Lib(#[from] git2::Error),
    #[error("`git {command}` failed: {message}")]
    Command { command: String, message: String },
    #[error("object {0} is not in the repository")]
    Missing(String),
    #[error("{0}")]
    Unsupported(String),
}

/// One repository, opened for a sync.
pub struct GitRepo {
    dirs: RepoDirs,
    format: ObjectFormat,
    /// The promisor remote of a partial clone.
    promisor: Option<String>,
    backend: Backend,
    cli: Cli,
    /// The command-line backend's blob reader for this thread, started on first use.
    cat_file: RefCell<Option<CatFile>>,
    /// libgit2's handle where the command line serves a SHA-1 repository, opened on demand.
    libgit2: std::cell::OnceCell<Repository>,
}

enum Backend {
    InProcess { repo: Repository, reftable: bool },
    Cli,
}

/// What a repository's config says about how to read it.
struct Facts {
    format: ObjectFormat,
    reftable: bool,
    promisor: Option<String>,
    use_replace_refs: bool,
}

/// The hash of the repository whose shared git dir is `common_dir`, from its config.
#[must_use]
pub fn object_format(common_dir: &Path) -> ObjectFormat {
    Facts::read(common_dir).format
}

impl Facts {
    fn read(common_dir: &Path) -> Facts {
        let config = git2::Config::open(&common_dir.join("config")).ok();
        let get = |key: &str| config.as_ref().and_then(|c| c.get_string(key).ok());
        let format = match get("extensions.objectformat").as_deref() {
            Some(f) if f.eq_ignore_ascii_case("sha256") => ObjectFormat::Sha256,
            _ => ObjectFormat::Sha1,
        };
        let reftable = get("extensions.refstorage").is_some_and(|r| r == "reftable");
        let promisor = config
            .as_ref()
            .and_then(promisor_remote)
            .or_else(|| get("extensions.partialclone"));
        let use_replace_refs = std::env::var_os("GIT_NO_REPLACE_OBJECTS").is_none()
            && config
                .as_ref()
                .and_then(|c| c.get_bool("core.usereplacerefs").ok())
                .unwrap_or(true);
        Facts {
            format,
            reftable,
            promisor,
            use_replace_refs,
        }
    }
}

fn promisor_remote(config: &git2::Config) -> Option<String> {
    let mut entries = config.entries(Some(r"remote\..*\.promisor")).ok()?;
    while let Some(Ok(entry)) = entries.next() {
        let on = entry.value().is_some_and(|v| {
            matches!(v.to_ascii_lowercase().as_str(), "true" | "yes" | "on" | "1")
        });
        let name = entry.name()?;
        if on {
            return Some(
                name.strip_prefix("remote.")?
                    .strip_suffix(".promisor")?
                    .to_owned(),
            );
        }
    }
    None
}

/// Whether the repository has any `refs/replace/` ref.
fn has_replace_refs(dirs: &RepoDirs, reftable: bool) -> bool {
    if reftable {
        return super::reftable::Stack::open(&dirs.common_dir.join("reftable"))
            .and_then(|stack| stack.any_with_prefix("refs/replace/"))
            .unwrap_or(false);
    }
    let loose = std::fs::read_dir(dirs.common_dir.join("refs/replace"))
        .is_ok_and(|mut entries| entries.next().is_some());
    loose
        || std::fs::read_to_string(dirs.common_dir.join("packed-refs"))
            .is_ok_and(|packed| packed.contains(" refs/replace/"))
}

/// libgit2 refuses repositories with extensions it does not know; reftable is one it need not
/// understand, since refs are resolved here.
fn allow_reftable_in_libgit2() -> Result<(), git2::Error> {
    static REGISTERED: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            // SAFETY: set once per process, before any repository is opened with it, and no
            // other thread reads libgit2's options meanwhile (the OnceLock serialises this).
            unsafe { git2::opts::set_extensions(&["refstorage"]) }.map_err(|e| e.to_string())
        })
        .clone()
        .map_err(|message| git2::Error::from_str(&message))
}

impl GitRepo {
    /// Opens the repository of `dirs`, choosing the backend for it.
    pub fn open(dirs: &RepoDirs) -> Result<GitRepo, GitError> {
        let facts = Facts::read(&dirs.common_dir);
        let forced_cli = std::env::var_os("ROADMAP_HOOKS_GIT_BACKEND").is_some_and(|v| v == "cli");
        let backend = if forced_cli
            || facts.format == ObjectFormat::Sha256
            || (facts.use_replace_refs && has_replace_refs(dirs, facts.reftable))
        {
            Backend::Cli
        } else {
            if facts.reftable {
                allow_reftable_in_libgit2()?;
            }
            let repo = Repository::open(&dirs.git_dir)?;
            repo.set_workdir(&dirs.work_dir, false)?;
            Backend::InProcess {
                repo,
                reftable: facts.reftable,
            }
        };
        Ok(GitRepo {
            dirs: dirs.clone(),
            format: facts.format,
            promisor: facts.promisor,
            backend,
            cli: Cli::new(dirs),
            cat_file: RefCell::new(None),
            libgit2: std::cell::OnceCell::new(),
        })
    }

    /// libgit2's handle, for code that walks history itself (the GitHub sync's deletion
    /// check); refs are not resolved through it (use [`GitRepo::head`]). An error in a
    /// SHA-256 repository, which libgit2 0.20 cannot read.
    pub fn libgit2(&self) -> Result<&Repository, GitError> {
        if let Backend::InProcess { repo, .. } = &self.backend {
            return Ok(repo);
        }
        if self.format == ObjectFormat::Sha256 {
            return Err(GitError::Unsupported(
                "its history is walked with libgit2, which reads no SHA-256 repository".into(),
            ));
        }
        if let Some(repo) = self.libgit2.get() {
            return Ok(repo);
        }
        if self.dirs.common_dir.join("reftable").is_dir() {
            allow_reftable_in_libgit2()?;
        }
        let repo = Repository::open(&self.dirs.git_dir)?;
        Ok(self.libgit2.get_or_init(|| repo))
    }

    /// The in-process handle, when libgit2 serves this repository (see [`super::revisions`]).
    pub(super) fn in_process(&self) -> Option<&Repository> {
        match &self.backend {
            Backend::InProcess { repo, .. } => Some(repo),
            Backend::Cli => None,
        }
    }

    /// The command-line backend, which serves what libgit2 cannot read.
    pub(super) fn command_line(&self) -> &Cli {
        &self.cli
    }

    /// The hash this repository names objects by.
    #[must_use]
    pub fn format(&self) -> ObjectFormat {
        self.format
    }

    /// Whether the command-line backend serves this repository.
    #[must_use]
    pub fn uses_cli(&self) -> bool {
        matches!(self.backend, Backend::Cli)
    }

    /// HEAD's commit; `None` for an unborn HEAD.
    pub fn head(&self) -> Result<Option<ObjectId>, GitError> {
        if let Backend::InProcess {
            repo,
            reftable: false,
        } = &self.backend
        {
            return Ok(head_commit(repo)?.map(|c| c.id().into()));
        }
        match read_head_stamp(&self.dirs) {
            HeadStamp::Commit(hex) => Ok(ObjectId::from_hex(&hex)),
            HeadStamp::Unborn => Ok(None),
            HeadStamp::Unknown => self.cli.head(),
        }
    }

    /// Whether `id` is a commit in the object database.
    #[must_use]
    pub fn has_commit(&self, id: ObjectId) -> bool {
        match &self.backend {
            Backend::InProcess { repo, .. } => {
                id.to_git2().is_some_and(|id| repo.find_commit(id).is_ok())
            }
            Backend::Cli => self.cli.has_commit(id),
        }
    }

    /// Whether `commit`'s tree has a `.roadmap` folder.
    #[must_use]
    pub fn has_roadmap_folder(&self, commit: ObjectId) -> bool {
        match &self.backend {
            Backend::InProcess { repo, .. } => commit
                .to_git2()
                .and_then(|id| repo.find_commit(id).ok())
                .and_then(|c| c.tree().ok())
                .is_some_and(|tree| tree.get_name(".roadmap").is_some()),
            Backend::Cli => self.cli.has_roadmap_folder(commit),
        }
    }

    /// The roadmap files that differ from commit `old` to commit `new` (`None`: nothing).
    pub fn diff(
        &self,
        old: Option<ObjectId>,
        new: Option<ObjectId>,
    ) -> Result<Vec<TreeChange>, GitError> {
        self.diff_remembering(old, new, &mut NoMemo)
    }

    /// [`GitRepo::diff`], taking trees from `memo` and offering it those read (in process).
    pub fn diff_remembering(
        &self,
        old: Option<ObjectId>,
        new: Option<ObjectId>,
        memo: &mut dyn TreeMemo,
    ) -> Result<Vec<TreeChange>, GitError> {
        match &self.backend {
            Backend::InProcess { repo, .. } => {
                let oid = |id: Option<ObjectId>| -> Result<Option<git2::Oid>, GitError> {
                    id.map(|id| {
                        id.to_git2()
                            .ok_or_else(|| GitError::Missing(id.to_string()))
                    })
                    .transpose()
                };
                Ok(super::tree_diff::diff_roadmap_files(
                    repo,
                    oid(old)?,
                    oid(new)?,
                    memo,
                )?)
            }
            Backend::Cli => self.cli.diff(old, new),
        }
    }

    /// The blob ids of `paths` at `commit` (paths with no file there are left out).
    pub fn blob_ids_at(
        &self,
        commit: Option<ObjectId>,
        paths: &[&str],
    ) -> Result<HashMap<String, ObjectId>, GitError> {
        let Some(commit) = commit else {
            return Ok(HashMap::new());
        };
        match &self.backend {
            Backend::InProcess { repo, .. } => {
                let id = commit
                    .to_git2()
                    .ok_or_else(|| GitError::Missing(commit.to_string()))?;
                let tree = repo.find_commit(id)?.tree()?;
                // Each folder's tree is read once: looking up every path from the root parsed
                // a 1,000-entry folder again per path (`roadmap diff` over 500 changed files).
                let mut folders: HashMap<&str, Option<git2::Tree<'_>>> = HashMap::new();
                let mut found = HashMap::new();
                for path in paths {
                    let (folder, name) = path.rsplit_once('/').unwrap_or(("", path));
                    let folder_tree = folders.entry(folder).or_insert_with(|| {
                        if folder.is_empty() {
                            return Some(tree.clone());
                        }
                        let entry = tree.get_path(Path::new(folder)).ok()?;
                        repo.find_tree(entry.id()).ok()
                    });
                    let Some(entry) = folder_tree.as_ref().and_then(|t| t.get_name(name)) else {
                        continue;
                    };
                    if matches!(entry.filemode(), 0o100644 | 0o100755) {
                        found.insert((*path).to_owned(), entry.id().into());
                    }
                }
                Ok(found)
            }
            Backend::Cli => super::cli::blob_ids_at(&self.cli, commit, paths),
        }
    }

    /// The files under `.roadmap/` the index marks as conflicted, sorted.
    pub fn conflicted_roadmap_files(&self) -> Result<Vec<String>, GitError> {
        match &self.backend {
            Backend::InProcess { repo, .. } => Ok(crate::merge_driver::conflicted_files(repo)?),
            Backend::Cli => self.cli.conflicted_roadmap_files(),
        }
    }

    /// Brings the blobs among `ids` a partial clone lacks, in one fetch. Nothing to do (and no
    /// process) in a full clone.
    pub fn prefetch(&self, ids: &[ObjectId]) -> Result<(), GitError> {
        let Some(remote) = &self.promisor else {
            return Ok(());
        };
        let missing = match &self.backend {
            Backend::InProcess { repo, .. } => {
                let odb = repo.odb()?;
                ids.iter()
                    .copied()
                    .filter(|id| !id.to_git2().is_some_and(|oid| odb.exists(oid)))
                    .collect()
            }
            Backend::Cli => self.cli.missing(ids)?,
        };
        if missing.is_empty() {
            return Ok(());
        }
        self.cli.fetch(remote, &missing)
    }

    /// The content of blob `id`. In a partial clone, a blob still missing is fetched first.
    pub fn read_blob(&self, id: ObjectId) -> Result<Vec<u8>, GitError> {
        match &self.backend {
            Backend::InProcess { repo, .. } => {
                let oid = id
                    .to_git2()
                    .ok_or_else(|| GitError::Missing(id.to_string()))?;
                match repo.find_blob(oid) {
                    Ok(blob) => Ok(blob.content().to_vec()),
                    Err(_) if self.promisor.is_some() => {
                        self.prefetch(&[id])?;
                        Ok(repo.find_blob(oid)?.content().to_vec())
                    }
                    Err(e) => Err(e.into()),
                }
            }
            Backend::Cli => {
                let mut cat_file = self.cat_file.borrow_mut();
                if cat_file.is_none() {
                    *cat_file = Some(self.cli.cat_file()?);
                }
                cat_file.as_mut().expect("started above").read(id)
            }
        }
    }

    /// A way for other threads to read blobs of this repository.
    #[must_use]
    pub fn blob_source(&self) -> BlobSource {
        BlobSource {
            dirs: self.dirs.clone(),
            in_process: !self.uses_cli(),
            packs: None,
        }
    }

    /// [`GitRepo::blob_source`] for reading many blobs (a rebuild, a sync of hundreds of
    /// files): its readers read blobs stored whole in the packs themselves ([`PackBlobs`]),
    /// with the pack indexes mapped here once (libgit2 took a fifth of a hook syncing a
    /// branch switch across 1,000 issues; a few files are not worth opening every pack).
    #[must_use]
    pub fn blob_source_for_all(&self) -> BlobSource {
        let packs = if self.uses_cli() {
            None
        } else {
            PackBlobs::open(&self.dirs.common_dir.join("objects"))
        };
        BlobSource {
            packs,
            ..self.blob_source()
        }
    }
}

/// What a reading thread needs to open its own blob reader.
#[derive(Debug, Clone)]
pub struct BlobSource {
    dirs: RepoDirs,
    in_process: bool,
    packs: Option<PackBlobs>,
}

impl BlobSource {
    pub fn open(&self) -> Result<BlobReader, GitError> {
        Ok(if self.in_process {
            BlobReader::InProcess {
                repo: Repository::open(&self.dirs.git_dir)?,
                packs: self.packs.as_ref().map(PackBlobs::reader),
            }
        } else {
            BlobReader::Cli(Cli::new(&self.dirs).cat_file()?)
        })
    }
}

/// One thread's blob reader.
pub enum BlobReader {
    InProcess {
        repo: Repository,
        /// Blobs stored whole in a pack, read without libgit2 (see [`PackBlobs`]).
        packs: Option<PackBlobReader>,
    },
    Cli(CatFile),
}

impl BlobReader {
    pub fn read(&mut self, id: ObjectId) -> Result<Vec<u8>, GitError> {
        match self {
            BlobReader::InProcess { repo, packs } => {
                if let Some(blob) = packs.as_mut().and_then(|packs| packs.read(id)) {
                    return Ok(blob);
                }
                let oid = id
                    .to_git2()
                    .ok_or_else(|| GitError::Missing(id.to_string()))?;
                Ok(repo.find_blob(oid)?.content().to_vec())
            }
            BlobReader::Cli(cat_file) => cat_file.read(id),
        }
    }
}

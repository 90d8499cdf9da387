//! The command-line backend: the answers of the in-process one, from `git` processes. It serves
//! repositories libgit2 0.20 cannot read (SHA-256 object ids) and those with replace refs,
//! which git honours and libgit2 does not; it also runs the one fetch per sync that brings a
//! partial clone's missing blobs.
//!
//! A sync costs a few processes: `diff-tree` (or `ls-tree` for a rebuild) limited to
//! `.roadmap`, and one `cat-file --batch` per reading thread that streams every blob.

use super::{GitError, ObjectId, TreeChange};
use crate::lines;
use crate::repo_dirs::RepoDirs;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// `git` run on one repository.
#[derive(Debug, Clone)]
pub struct Cli {
    dirs: RepoDirs,
}

impl Cli {
    #[must_use]
    pub fn new(dirs: &RepoDirs) -> Self {
        Cli { dirs: dirs.clone() }
    }

    /// `git` for this repository, whatever GIT_DIR the caller's environment holds; pathspecs
    /// are literal (an issue file may have `*` in its name).
    pub fn command(&self) -> Command {
        let mut command = Command::new("git");
        command
            .arg("--git-dir")
            .arg(&self.dirs.git_dir)
            .current_dir(&self.dirs.work_dir)
            .env("GIT_LITERAL_PATHSPECS", "1")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .stdin(Stdio::null());
        command
    }

    /// Runs `git ARGS`; its stdout, or an error with its stderr.
    pub(super) fn run(&self, args: &[&str]) -> Result<Vec<u8>, GitError> {
        let output = self
            .command()
            .args(args)
            .output()
            .map_err(|e| failed(args, &e.to_string()))?;
        if output.status.success() {
            Ok(output.stdout)
        } else {
            Err(failed(args, &String::from_utf8_lossy(&output.stderr)))
        }
    }

    /// HEAD's commit, `None` for an unborn HEAD.
    pub fn head(&self) -> Result<Option<ObjectId>, GitError> {
        let args = ["rev-parse", "-q", "--verify", "HEAD^{commit}"];
        let output = self
            .command()
            .args(args)
            .output()
            .map_err(|e| failed(&args, &e.to_string()))?;
        match output.status.code() {
            Some(0) => parse_id(&output.stdout).map(Some),
            // `--verify -q` exits 1, silently, when HEAD names no commit yet.
            Some(1) if output.stdout.is_empty() => Ok(None),
            _ => Err(failed(&args, &String::from_utf8_lossy(&output.stderr))),
        }
    }

    /// Whether `id` names a commit in the object database.
    #[must_use]
    pub fn has_commit(&self, id: ObjectId) -> bool {
        let spec = format!("{id}^{{commit}}");
        self.run(&["cat-file", "-e", &spec]).is_ok()
    }

    /// Whether `commit`'s tree has a `.roadmap` folder.
    #[must_use]
    pub fn has_roadmap_folder(&self, commit: ObjectId) -> bool {
        let spec = format!("{commit}:.roadmap");
        self.run(&["cat-file", "-e", &spec]).is_ok()
    }

    /// The roadmap files that differ between two commits (`None`: no commit, an empty tree).
    pub fn diff(
        &self,
        old: Option<ObjectId>,
        new: Option<ObjectId>,
    ) -> Result<Vec<TreeChange>, GitError> {
        match (old, new) {
            (None, None) => Ok(Vec::new()),
            (None, Some(new)) => self.files(new, &[]),
            (Some(old), None) => Ok(self
                .files(old, &[])?
                .into_iter()
                .map(|change| match change {
                    TreeChange::Added { path, blob } => TreeChange::Deleted { path, blob },
                    TreeChange::NameNotUtf8 { path, .. } => {
                        TreeChange::NameNotUtf8 { path, blob: None }
                    }
                    other => other,
                })
                .collect()),
            (Some(old), Some(new)) => {
                let (old, new) = (old.to_string(), new.to_string());
                // The document folders only: never `.roadmap/db/`, where the contract
                // tracker's journals may be committed.
                let mut args = vec![
                    "diff-tree",
                    "-r",
                    "-z",
                    "--raw",
                    "--no-renames",
                    &old,
                    &new,
                    "--",
                ];
                args.extend_from_slice(lines::DOCUMENT_FOLDERS);
                parse_raw_diff(&self.run(&args)?)
            }
        }
    }

    /// The roadmap files of `commit` as added to an empty tree; only `paths` when not empty.
    pub fn files(&self, commit: ObjectId, paths: &[&str]) -> Result<Vec<TreeChange>, GitError> {
        let commit = commit.to_string();
        let mut args = vec!["ls-tree", "-r", "-z", "--full-tree", &commit, "--"];
        if paths.is_empty() {
            args.extend_from_slice(lines::DOCUMENT_FOLDERS);
        } else {
            args.extend_from_slice(paths);
        }
        let output = self.run(&args)?;
        let mut files = Vec::new();
        for record in output.split(|b| *b == 0).filter(|r| !r.is_empty()) {
            // `<mode> SP <type> SP <id> TAB <path>`
            let tab = record.iter().position(|b| *b == b'\t');
            let (meta, path) = match tab {
                Some(tab) => (&record[..tab], &record[tab + 1..]),
                None => return Err(failed(&args, "unexpected output")),
            };
            let mut fields = meta.split(|b| *b == b' ');
            let (mode, id) = (fields.next(), fields.nth(1));
            let (path, is_utf8) = path_text(path);
            if !mode.is_some_and(is_file_mode)
                || (paths.is_empty() && !lines::may_be_document(&path))
            {
                continue;
            }
            let id = parse_id(id.unwrap_or_default())?;
            files.push(if is_utf8 {
                TreeChange::Added { path, blob: id }
            } else {
                TreeChange::NameNotUtf8 {
                    path,
                    blob: Some(id),
                }
            });
        }
        Ok(files)
    }

    /// The files under `.roadmap/` the index marks as conflicted, sorted.
    pub fn conflicted_roadmap_files(&self) -> Result<Vec<String>, GitError> {
        let output = self.run(&["ls-files", "-u", "-z", "--full-name", "--", ".roadmap"])?;
        let mut paths: Vec<String> = output
            .split(|b| *b == 0)
            .filter_map(|record| {
                let tab = record.iter().position(|b| *b == b'\t')?;
                Some(String::from_utf8_lossy(&record[tab + 1..]).into_owned())
            })
            .collect();
        paths.sort();
        paths.dedup();
        Ok(paths)
    }

    /// Those of `ids` the object database lacks, without fetching any (a partial clone's
    /// promisor objects).
    pub fn missing(&self, ids: &[ObjectId]) -> Result<Vec<ObjectId>, GitError> {
        let output = self.with_input(
            &["--no-lazy-fetch", "cat-file", "--batch-check=%(objectname)"],
            ids,
        )?;
        Ok(output
            .split(|b| *b == b'\n')
            .filter_map(|line| line.strip_suffix(b" missing"))
            .filter_map(|id| parse_id(id).ok())
            .collect())
    }

    /// Fetches `ids` from the promisor `remote` in one request, as git's own lazy fetch does.
    pub fn fetch(&self, remote: &str, ids: &[ObjectId]) -> Result<(), GitError> {
        let args = [
            "-c",
            "fetch.negotiationAlgorithm=noop",
            "fetch",
            "-q",
            remote,
            "--no-tags",
            "--no-write-fetch-head",
            "--recurse-submodules=no",
            "--filter=blob:none",
            "--stdin",
        ];
        self.with_input(&args, ids).map(drop)
    }

    /// Runs `git ARGS` with one id per line on its stdin, written by a thread so a long list
    /// never deadlocks against the output.
    fn with_input(&self, args: &[&str], ids: &[ObjectId]) -> Result<Vec<u8>, GitError> {
        let mut child = self
            .command()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| failed(args, &e.to_string()))?;
        let mut stdin = child.stdin.take().expect("stdin is piped");
        let input: String = ids.iter().map(|id| format!("{id}\n")).collect();
        let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
        let output = child
            .wait_with_output()
            .map_err(|e| failed(args, &e.to_string()))?;
        let _ = writer.join();
        if output.status.success() {
            Ok(output.stdout)
        } else {
            Err(failed(args, &String::from_utf8_lossy(&output.stderr)))
        }
    }

    /// A `git cat-file --batch` process for reading blobs one after another.
    pub fn cat_file(&self) -> Result<CatFile, GitError> {
        let args = ["cat-file", "--batch"];
        let mut child = self
            .command()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| failed(&args, &e.to_string()))?;
        let stdin = child.stdin.take().expect("stdin is piped");
        let stdout = BufReader::with_capacity(64 * 1024, child.stdout.take().expect("piped"));
        Ok(CatFile {
            child,
            stdin: Some(stdin),
            stdout,
        })
    }
}

/// A running `git cat-file --batch`: one blob per request, in order.
pub struct CatFile {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl CatFile {
    /// The content of blob `id`.
    pub fn read(&mut self, id: ObjectId) -> Result<Vec<u8>, GitError> {
        let broken = |e: std::io::Error| failed(&["cat-file", "--batch"], &e.to_string());
        let stdin = self.stdin.as_mut().expect("open until dropped");
        writeln!(stdin, "{id}").map_err(broken)?;
        stdin.flush().map_err(broken)?;
        let mut header = String::new();
        self.stdout.read_line(&mut header).map_err(broken)?;
        // `<id> <type> <size>`, or `<id> missing`.
        let mut fields = header.split_ascii_whitespace().skip(1);
        let (kind, size) = (
            fields.next(),
            fields.next().and_then(|s| s.parse::<usize>().ok()),
        );
        let (Some("blob"), Some(size)) = (kind, size) else {
            return Err(GitError::Missing(id.to_string()));
        };
        let mut content = vec![0; size + 1];
        self.stdout.read_exact(&mut content).map_err(broken)?;
        content.pop();
        Ok(content)
    }
}

impl Drop for CatFile {
    fn drop(&mut self) {
        // End of input ends it; waiting leaves no zombie behind.
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

/// A path as text, with bytes that are not UTF-8 written `\xNN` as the in-process walk writes
/// them ([`lines::name_as_text`]); `false` when there were any.
pub(super) fn path_text(raw: &[u8]) -> (String, bool) {
    match lines::name_as_text(raw) {
        Ok(text) => (text.to_owned(), true),
        Err(escaped) => (escaped, false),
    }
}

pub(super) fn is_file_mode(mode: &[u8]) -> bool {
    mode == b"100644" || mode == b"100755"
}

pub(super) fn parse_id(text: &[u8]) -> Result<ObjectId, GitError> {
    std::str::from_utf8(text)
        .ok()
        .and_then(|t| ObjectId::from_hex(t.trim()))
        .ok_or_else(|| GitError::Command {
            command: "git".into(),
            message: format!("unexpected object id {:?}", String::from_utf8_lossy(text)),
        })
}

fn failed(args: &[&str], message: &str) -> GitError {
    GitError::Command {
        command: args.join(" "),
        message: message.trim().to_owned(),
    }
}

/// Parses `git diff-tree -r -z --raw`: `:<old mode> <new mode> <old id> <new id> <status>\0
/// <path>\0` per file, keeping the roadmap files whose regular-file side changed.
fn parse_raw_diff(output: &[u8]) -> Result<Vec<TreeChange>, GitError> {
    let mut changes = Vec::new();
    let mut fields = output.split(|b| *b == 0);
    while let Some(meta) = fields.next().filter(|m| !m.is_empty()) {
        let path = fields.next().unwrap_or_default();
        let meta: Vec<&[u8]> = meta
            .strip_prefix(b":")
            .unwrap_or(meta)
            .split(|b| *b == b' ')
            .collect();
        let [old_mode, new_mode, old_id, new_id, ..] = meta[..] else {
            return Err(failed(&["diff-tree"], "unexpected output"));
        };
        let (path, is_utf8) = path_text(path);
        if !lines::may_be_document(&path) {
            continue;
        }
        let before = is_file_mode(old_mode)
            .then(|| parse_id(old_id))
            .transpose()?;
        let after = is_file_mode(new_mode)
            .then(|| parse_id(new_id))
            .transpose()?;
        if !is_utf8 {
            if before.is_some() || after.is_some() {
                changes.push(TreeChange::NameNotUtf8 { path, blob: after });
            }
            continue;
        }
        changes.push(match (before, after) {
            (None, Some(blob)) => TreeChange::Added { path, blob },
            (Some(was), Some(blob)) => TreeChange::Modified {
                path,
                blob,
                was: Some(was),
            },
            (Some(blob), None) => TreeChange::Deleted { path, blob },
            (None, None) => continue,
        });
    }
    Ok(changes)
}

/// Blob ids of `paths` at `commit`, for the few files pending writes name.
pub fn blob_ids_at(
    cli: &Cli,
    commit: ObjectId,
    paths: &[&str],
) -> Result<HashMap<String, ObjectId>, GitError> {
    if paths.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(cli
        .files(commit, paths)?
        .into_iter()
        .filter_map(|change| match change {
            TreeChange::Added { path, blob } => Some((path, blob)),
            _ => None,
        })
        .collect())
}

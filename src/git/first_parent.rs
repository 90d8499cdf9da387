//! A first-parent line of commits, newest first, read until a commit the caller already knows:
//! what the event log (`history::walk`) derives events from. In process (libgit2) where the
//! repository allows it; a streamed `git log --first-parent` otherwise (SHA-256, replace refs),
//! stopped as soon as the caller knows a commit, so a chart that lacks one commit reads one.

use super::{GitError, GitRepo, ObjectId};
use std::io::{BufRead, BufReader};
use std::process::Stdio;

/// A commit of the line, as the event log records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineCommit {
    pub id: ObjectId,
    /// Committer time, seconds since the Unix epoch.
    pub committed_at: i64,
    /// The author's name.
    pub author: String,
}

impl GitRepo {
    /// The first-parent line from `from` back, newest first, up to (not with) the first commit
    /// `known` says yes to, which is returned beside it (`None`: the line ran out first).
    pub fn first_parent_line<E: From<GitError>>(
        &self,
        from: ObjectId,
        mut known: impl FnMut(ObjectId) -> Result<bool, E>,
    ) -> Result<(Vec<LineCommit>, Option<ObjectId>), E> {
        let mut fresh = Vec::new();
        if let (Some(repo), Some(start)) = (self.in_process(), from.to_git2()) {
            let mut next = Some(start);
            while let Some(id) = next {
                if known(id.into())? {
                    return Ok((fresh, Some(id.into())));
                }
                let commit = repo.find_commit(id).map_err(GitError::from)?;
                fresh.push(LineCommit {
                    id: id.into(),
                    committed_at: commit.committer().when().seconds(),
                    author: String::from_utf8_lossy(commit.author().name_bytes()).into_owned(),
                });
                next = commit.parent_id(0).ok();
            }
            return Ok((fresh, None));
        }
        let args = [
            "log",
            "--first-parent",
            "--no-show-signature",
            "--format=%H %ct %an",
        ];
        let failed = |message: String| GitError::Command {
            command: args.join(" "),
            message,
        };
        let mut child = self
            .command_line()
            .command()
            .args(args)
            .arg(from.to_string())
            .arg("--")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| failed(e.to_string()))?;
        let stdout = child.stdout.take().expect("piped");
        let mut stop = None;
        for line in BufReader::new(stdout).split(b'\n') {
            let line = line.map_err(|e| failed(e.to_string()))?;
            let commit = parse_line(&line).ok_or_else(|| {
                failed(format!(
                    "unexpected output line `{}`",
                    String::from_utf8_lossy(&line)
                ))
            })?;
            if known(commit.id)? {
                stop = Some(commit.id);
                break;
            }
            fresh.push(commit);
        }
        if stop.is_some() {
            // The rest of the line is not needed: git stops on the closed pipe.
            let _ = child.kill();
            let _ = child.wait();
            return Ok((fresh, stop));
        }
        let output = child
            .wait_with_output()
            .map_err(|e| failed(e.to_string()))?;
        if !output.status.success() {
            return Err(failed(String::from_utf8_lossy(&output.stderr).trim().to_owned()).into());
        }
        Ok((fresh, None))
    }
}

/// `<id> <committer time> <author name>`.
fn parse_line(line: &[u8]) -> Option<LineCommit> {
    let text = String::from_utf8_lossy(line);
    let mut fields = text.splitn(3, ' ');
    let id = ObjectId::from_hex(fields.next()?)?;
    let committed_at = fields.next()?.parse().ok()?;
    let author = fields.next().unwrap_or_default().to_owned();
    Some(LineCommit {
        id,
        committed_at,
        author,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_line_gives_the_commit_its_time_and_an_author_with_spaces() {
        let id = "a".repeat(64);
        let commit = parse_line(format!("{id} 1735689600 Ada King Lovelace").as_bytes()).unwrap();
        assert_eq!(commit.id.to_string(), id);
        assert_eq!(commit.committed_at, 1_735_689_600);
        assert_eq!(commit.author, "Ada King Lovelace");
        assert!(parse_line(b"not an id 12 x").is_none());
    }
}

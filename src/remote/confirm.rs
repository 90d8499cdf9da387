//! Which GitHub repository this clone syncs with, confirmed once per clone. `.roadmap/sync.yaml`
//! (or the tracker's `config.yaml`) is committed, so anyone whose change was merged, or who got
//! the user to clone their repository, could name a repository of theirs and receive the user's
//! private issues there, created with the user's token. So the repository the file names is
//! used only once this clone confirmed it: by `roadmap sync --repo OWNER/NAME`, or a yes at the
//! prompt on a terminal, kept as `roadmap.sync.repo` in the clone's own config file (read
//! without its includes, so no committed file can answer for it). A file naming another
//! repository later needs confirming again. Until then nothing is sent: the check runs before
//! any request.
//!
//! Every repository is confirmed, also one a remote points at: an `upstream` remote of a public
//! project is no sign that a private clone's issues belong there. The remotes only word the
//! question and the error.

use super::config::SyncConfig;
use crate::workspace::RepoDirs;
use std::path::Path;
use std::process::{Command, Stdio};

/// The clone's git config key holding the confirmed `owner/name`.
pub const CONFIRMED_KEY: &str = "roadmap.sync.repo";

/// What the user is asked, or told, before the first sync with a repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoQuestion {
    /// `owner/name` as the file names it.
    pub repo: String,
    /// The committed file that names it.
    pub named_in: &'static str,
    /// What this clone confirmed before, when it is another repository.
    pub previously: Option<String>,
    /// The clone's remotes and the repository each points at (`host/owner/name`), or `None`
    /// for a URL that names none (a path, another kind of host).
    pub remotes: Vec<(String, Option<String>)>,
    /// The remotes that point at `repo` on the API's host.
    pub matching: Vec<String>,
    /// Titles of the local issues the sync would create there.
    pub would_create: Vec<String>,
}

impl RepoQuestion {
    /// "remote origin points at it", or "none of this clone's remotes point at it".
    #[must_use]
    pub fn remotes_phrase(&self) -> String {
        match self.matching.as_slice() {
            [] => "none of this clone's remotes point at it".to_owned(),
            [one] => format!("remote {one} points at it"),
            many => format!("remotes {} point at it", many.join(", ")),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfirmError {
    #[error(
        "{} names GitHub repository {}, which this clone has not confirmed ({}); nothing was sent",
        .0.named_in, .0.repo, .0.remotes_phrase()
    )]
    NotConfirmed(Box<RepoQuestion>),
    #[error(
        "{} now names GitHub repository {}, but this clone confirmed {}; nothing was sent",
        .0.named_in, .0.repo, .0.previously.as_deref().unwrap_or_default()
    )]
    Changed(Box<RepoQuestion>),
    #[error("GitHub repository {repo} not confirmed; nothing was sent")]
    Declined { repo: String },
    #[error("--repo {given}, but {named_in} names {repo}; nothing was sent")]
    OtherThanNamed {
        given: String,
        repo: String,
        named_in: &'static str,
    },
    #[error("{0}")]
    Git(String),
}

impl ConfirmError {
    /// The repository a `--repo` would confirm, for the hint.
    #[must_use]
    pub fn repo(&self) -> Option<&str> {
        match self {
            ConfirmError::NotConfirmed(q) | ConfirmError::Changed(q) => Some(&q.repo),
            ConfirmError::Declined { repo } => Some(repo),
            ConfirmError::OtherThanNamed { .. } | ConfirmError::Git(_) => None,
        }
    }
}

/// What the check is given: the clone, the file's choice, and what the user said.
pub struct Check<'a> {
    pub dirs: &'a RepoDirs,
    pub repo: &'a git2::Repository,
    pub config: &'a SyncConfig,
    /// The API the sync talks to; its host is the one remotes are compared with.
    pub api_url: &'a str,
    /// `--repo OWNER/NAME`.
    pub given: Option<&'a str>,
}

/// Returns `Ok` once the repository `config` names is this clone's confirmed one: already, by
/// `--repo`, or by `ask` (the prompt, on a terminal only); a yes is stored. `would_create`
/// lists what the question shows; it is called only when there is a question.
pub fn confirm(
    check: &Check<'_>,
    would_create: impl FnOnce() -> Vec<String>,
    ask: Option<&dyn Fn(&RepoQuestion) -> bool>,
) -> Result<(), ConfirmError> {
    let repo = check.config.repo.as_str();
    let config_file = check.dirs.common_dir.join("config");
    if let Some(given) = check.given {
        if !same_repo(given, repo) {
            return Err(ConfirmError::OtherThanNamed {
                given: given.to_owned(),
                repo: repo.to_owned(),
                named_in: check.config.source,
            });
        }
        return store(&config_file, repo);
    }
    let stored = read_confirmed(&config_file)?;
    if stored.as_deref().is_some_and(|s| same_repo(s, repo)) {
        return Ok(());
    }
    let host = web_host(check.api_url);
    let remotes = remotes(check.repo);
    let matching = remotes
        .iter()
        .filter(|(_, at)| {
            at.as_deref()
                .is_some_and(|at| same_repo(at, &format!("{host}/{repo}")))
        })
        .map(|(name, _)| name.clone())
        .collect();
    let question = RepoQuestion {
        repo: repo.to_owned(),
        named_in: check.config.source,
        previously: stored,
        remotes,
        matching,
        would_create: would_create(),
    };
    match ask {
        Some(ask) if ask(&question) => store(&config_file, repo),
        Some(_) => Err(ConfirmError::Declined {
            repo: repo.to_owned(),
        }),
        None if question.previously.is_some() => Err(ConfirmError::Changed(Box::new(question))),
        None => Err(ConfirmError::NotConfirmed(Box::new(question))),
    }
}

/// GitHub spells owner and name in any case.
fn same_repo(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// `roadmap.sync.repo` from the clone's own config file, without its includes.
fn read_confirmed(config_file: &Path) -> Result<Option<String>, ConfirmError> {
    let output = git_config(config_file)
        .args(["--no-includes", "--get", CONFIRMED_KEY])
        .output()
        .map_err(|e| ConfirmError::Git(format!("reading {CONFIRMED_KEY} with git: {e}")))?;
    match output.status.code() {
        Some(0) => Ok(
            Some(String::from_utf8_lossy(&output.stdout).trim().to_owned())
                .filter(|v| !v.is_empty()),
        ),
        // `git config --get` exits 1 for a key that is not set.
        Some(1) => Ok(None),
        _ => Err(ConfirmError::Git(format!(
            "reading {CONFIRMED_KEY} from {}: {}",
            config_file.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        ))),
    }
}

fn store(config_file: &Path, repo: &str) -> Result<(), ConfirmError> {
    let output = git_config(config_file)
        .args([CONFIRMED_KEY, repo])
        .output()
        .map_err(|e| ConfirmError::Git(format!("writing {CONFIRMED_KEY} with git: {e}")))?;
    if output.status.success() {
        return Ok(());
    }
    Err(ConfirmError::Git(format!(
        "writing {CONFIRMED_KEY} to {}: {}",
        config_file.display(),
        String::from_utf8_lossy(&output.stderr).trim()
    )))
}

fn git_config(config_file: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .arg("config")
        .arg("--file")
        .arg(config_file)
        .stdin(Stdio::null());
    command
}

/// The host that remotes name for the API at `api_url`: `github.com` for `api.github.com`,
/// `NAME.ghe.com` for `api.NAME.ghe.com`, else the API's own host (Enterprise Server), without
/// a port (ssh URLs carry none).
fn web_host(api_url: &str) -> String {
    let host = super::auth::host(api_url).unwrap_or(api_url);
    let host = host.rsplit_once(':').map_or(host, |(name, _)| name);
    let host = host.to_ascii_lowercase();
    match host.strip_prefix("api.") {
        Some(rest) if rest == "github.com" || rest.ends_with(".ghe.com") => rest.to_owned(),
        _ => host,
    }
}

/// The clone's remotes (URLs as libgit2 reads them, `insteadOf` applied) and the repository
/// each points at (`host/owner/name`).
fn remotes(repo: &git2::Repository) -> Vec<(String, Option<String>)> {
    let Ok(names) = repo.remotes() else {
        return Vec::new();
    };
    names
        .iter()
        .flatten()
        .map(|name| {
            let at = repo
                .find_remote(name)
                .ok()
                .and_then(|r| r.url().and_then(parse_remote_url))
                .map(|(remote_host, path)| format!("{remote_host}/{path}"));
            (name.to_owned(), at)
        })
        .collect()
}

/// `(host, owner/name)` of a git URL: `https://[user@]host[:port]/o/n[.git][/]`, `http://`,
/// `git://`, `ssh://[user@]host[:port]/o/n`, `git+ssh://`, and scp-like `[user@]host:o/n`.
#[must_use]
pub fn parse_remote_url(url: &str) -> Option<(String, String)> {
    let url = url.trim();
    let (authority, path) = match url.split_once("://") {
        Some((scheme, rest)) => {
            let known = ["https", "http", "git", "ssh", "git+ssh", "ssh+git"];
            if !known.contains(&scheme.to_ascii_lowercase().as_str()) {
                return None;
            }
            let (authority, path) = rest.split_once('/')?;
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            let host = match host.rsplit_once(':') {
                Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
                _ => host,
            };
            (host, path)
        }
        None => {
            let (authority, path) = url.split_once(':')?;
            if authority.contains('/') || path.starts_with("//") {
                return None;
            }
            (
                authority.rsplit_once('@').map_or(authority, |(_, h)| h),
                path,
            )
        }
    };
    let path = path.trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    let (owner, name) = path.split_once('/')?;
    if authority.is_empty() || owner.is_empty() || name.is_empty() || name.contains('/') {
        return None;
    }
    Some((authority.to_ascii_lowercase(), format!("{owner}/{name}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_urls_in_every_spelling_name_their_repository() {
        let acme = Some(("github.com".to_owned(), "acme/app".to_owned()));
        for url in [
            "https://github.com/acme/app.git",
            "https://github.com/acme/app",
            "https://github.com/acme/app/",
            "https://me:secret@github.com/acme/app.git",
            "http://github.com/acme/app",
            "git://github.com/acme/app.git",
            "git@github.com:acme/app.git",
            "github.com:acme/app",
            "ssh://git@github.com/acme/app.git",
            "ssh://git@github.com:22/acme/app.git",
            "git+ssh://git@github.com/acme/app",
            "https://GitHub.com/acme/app.git",
        ] {
            assert_eq!(parse_remote_url(url), acme, "{url}");
        }
        for url in [
            "/srv/git/app.git",
            "file:///srv/git/acme/app.git",
            "../app",
            "https://github.com/acme",
            "https://gitlab.example.com/group/sub/app.git",
        ] {
            assert_eq!(parse_remote_url(url), None, "{url}");
        }
    }

    #[test]
    fn the_host_remotes_name_is_the_web_host_of_the_api() {
        assert_eq!(web_host("https://api.github.com"), "github.com");
        assert_eq!(web_host("https://api.acme.ghe.com"), "acme.ghe.com");
        assert_eq!(
            web_host("https://ghe.example.com/api/v3"),
            "ghe.example.com"
        );
        assert_eq!(web_host("http://127.0.0.1:8080"), "127.0.0.1");
    }
}

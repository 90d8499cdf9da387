//! Where the token goes, and which token. The API URL comes from the user's own settings
//! (`ROADMAP_GITHUB_API_URL`, else `git config roadmap.github.api-url`), never from the committed
//! `.roadmap/sync.yaml` alone, since anyone whose change was merged controls that file. The
//! token is read as gh reads it: `GH_TOKEN`, `GITHUB_TOKEN` for github.com,
//! `GH_ENTERPRISE_TOKEN`, `GITHUB_ENTERPRISE_TOKEN` for other hosts, then `gh auth token`.

use super::config::CONFIG_PATH;
use std::process::{Command, Stdio};

/// The environment variable naming the API URL (the user's setting, first choice).
pub const API_URL_VAR: &str = "ROADMAP_GITHUB_API_URL";
/// The git configuration key naming the API URL (the user's setting, second choice).
pub const API_URL_GIT_KEY: &str = "roadmap.github.api-url";
/// github.com's REST API, used when nobody names another.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error(
        "{CONFIG_PATH} sends the sync (and your token) to {committed}, which your own settings do not name ({chosen})"
    )]
    HostNotConfirmed { committed: String, chosen: String },
    #[error("refusing to send the GitHub token over plain http to {0}")]
    PlainHttp(String),
    #[error("the GitHub API URL `{0}` is not an http(s) URL")]
    BadUrl(String),
    #[error("no GitHub token for {host}: set {variables}")]
    NoToken {
        host: String,
        variables: &'static str,
    },
}

/// The user's own API URL setting: the environment, else git's configuration of `repo`.
#[must_use]
pub fn user_api_url(repo: &git2::Repository) -> Option<String> {
    let tidy =
        |url: String| Some(url.trim().trim_end_matches('/').to_owned()).filter(|u| !u.is_empty());
    std::env::var(API_URL_VAR)
        .ok()
        .and_then(tidy)
        .or_else(|| tidy(repo.config().ok()?.get_string(API_URL_GIT_KEY).ok()?))
}

/// The API URL to use: the user's, or github.com's. A committed URL that the user's settings
/// do not name stops the sync; plain http is allowed to this machine only.
pub fn api_url(committed: Option<&str>, user: Option<String>) -> Result<String, AuthError> {
    let chosen = user.unwrap_or_else(|| DEFAULT_API_URL.to_owned());
    if let Some(committed) = committed.map(|c| c.trim().trim_end_matches('/')) {
        if committed != chosen {
            return Err(AuthError::HostNotConfirmed {
                committed: committed.to_owned(),
                chosen,
            });
        }
    }
    let host = host(&chosen).ok_or_else(|| AuthError::BadUrl(chosen.clone()))?;
    if chosen.starts_with("http://") && !is_loopback(host) {
        return Err(AuthError::PlainHttp(host.to_owned()));
    }
    Ok(chosen)
}

/// The `host[:port]` of an http(s) URL.
#[must_use]
pub fn host(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty() && !host.contains('@')).then_some(host)
}

fn is_loopback(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.split(':').next().unwrap_or_default(),
    };
    matches!(name, "localhost" | "127.0.0.1" | "::1")
}

/// Whether gh would use `GH_TOKEN`/`GITHUB_TOKEN` for this API host (github.com, *.ghe.com).
fn is_github_com(host: &str) -> bool {
    host == "api.github.com" || host.ends_with(".ghe.com")
}

/// The token for the API at `api_url`: from `env` (a lookup, so it can be tested), else from
/// `gh auth token`.
pub fn token(
    api_url: &str,
    env: impl Fn(&str) -> Option<String>,
    gh: impl FnOnce(&str) -> Option<String>,
) -> Result<String, AuthError> {
    let host = host(api_url).unwrap_or(api_url);
    let (names, variables): (&[&str], _) = if is_github_com(host) {
        (&["GH_TOKEN", "GITHUB_TOKEN"], "GH_TOKEN (or GITHUB_TOKEN)")
    } else {
        (
            &["GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN"],
            "GH_ENTERPRISE_TOKEN (or GITHUB_ENTERPRISE_TOKEN)",
        )
    };
    let gh_host = if host == "api.github.com" {
        "github.com"
    } else {
        host
    };
    names
        .iter()
        .find_map(|name| env(name))
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .or_else(|| gh(gh_host))
        .ok_or_else(|| AuthError::NoToken {
            host: host.to_owned(),
            variables,
        })
}

/// `gh auth token --hostname HOST`, when gh is installed and logged in there.
#[must_use]
pub fn gh_auth_token(host: &str) -> Option<String> {
    let gh = which::which("gh").ok()?;
    let output = Command::new(gh)
        .args(["auth", "token", "--hostname", host])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let token = String::from_utf8(output.stdout).ok()?.trim().to_owned();
    (output.status.success() && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn tokens_are_read_in_gh_order_and_never_sent_to_the_wrong_host() {
        let all = [
            ("GITHUB_TOKEN", "b"),
            ("GH_TOKEN", "a"),
            ("GH_ENTERPRISE_TOKEN", "e"),
        ];
        let none = |_: &str| None;
        assert_eq!(token(DEFAULT_API_URL, env(&all), none).unwrap(), "a");
        assert_eq!(token(DEFAULT_API_URL, env(&all[..1]), none).unwrap(), "b");
        assert_eq!(
            token("https://ghe.example.com/api/v3", env(&all), none).unwrap(),
            "e"
        );
        // A github.com token never goes to another host.
        assert!(token("https://ghe.example.com/api/v3", env(&all[..2]), none).is_err());
        let from_gh = token(DEFAULT_API_URL, env(&[]), |host| {
            (host == "github.com").then(|| "g".to_owned())
        });
        assert_eq!(from_gh.unwrap(), "g");
    }

    #[test]
    fn the_api_url_comes_from_the_user_and_plain_http_only_to_this_machine() {
        assert_eq!(api_url(None, None).unwrap(), DEFAULT_API_URL);
        let evil = Some("https://collector.example.net");
        assert!(matches!(
            api_url(evil, None),
            Err(AuthError::HostNotConfirmed { .. })
        ));
        let confirmed = api_url(evil, evil.map(str::to_owned)).unwrap();
        assert_eq!(confirmed, "https://collector.example.net");
        assert!(matches!(
            api_url(None, Some("http://ghe.example.com/api/v3".into())),
            Err(AuthError::PlainHttp(_))
        ));
        for local in [
            "http://127.0.0.1:8080",
            "http://localhost",
            "http://[::1]:9",
        ] {
            assert!(api_url(None, Some(local.into())).is_ok(), "{local}");
        }
    }
}

//! The subset of the GitHub Issues REST API a sync needs: list (all pages, `since`), get,
//! create, update, milestones. Rate limits (`Retry-After`, `X-RateLimit-Reset`) are waited out
//! within a bound, and 502/503/504 are retried with backoff.

use super::http::{self, Client, HttpError, Request, Response};
use serde::Deserialize;
use serde_json::Value;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The longest single wait for a rate limit before giving up with an error.
const MAX_RATE_LIMIT_WAIT: Duration = Duration::from_secs(90);
/// Attempts for a request answered 502, 503 or 504.
const TRANSIENT_ATTEMPTS: u32 = 4;

#[derive(Debug, Clone, Deserialize)]
pub struct GhLabel {
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GhUser {
    pub login: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GhMilestone {
    pub number: u64,
    pub title: String,
}

/// A GitHub issue, the fields a sync reads.
#[derive(Debug, Clone, Deserialize)]
pub struct GhIssue {
    pub number: u64,
    pub title: String,
    pub body: Option<String>,
    pub state: String,
    #[serde(default)]
    pub labels: Vec<GhLabel>,
    #[serde(default)]
    pub assignees: Vec<GhUser>,
    pub assignee: Option<GhUser>,
    pub milestone: Option<GhMilestone>,
    #[serde(default)]
    pub updated_at: String,
    /// Present when the "issue" is a pull request; those are skipped.
    pub pull_request: Option<Value>,
}

impl GhIssue {
    /// The first assignee's login, if any.
    #[must_use]
    pub fn first_assignee(&self) -> Option<String> {
        self.assignees
            .first()
            .or(self.assignee.as_ref())
            .map(|user| user.login.clone())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GitHubError {
    #[error("GitHub rejected the token for {repo} (401 Bad credentials); nothing was changed")]
    BadToken { repo: String },
    #[error("{method} {url}: GitHub answered {status}: {message}")]
    Api {
        method: String,
        url: String,
        status: u16,
        message: String,
    },
    #[error("rate limited by GitHub for {0} more seconds; run `roadmap sync` again later")]
    RateLimited(u64),
    #[error("{context}: unexpected answer from GitHub: {message}")]
    Unexpected { context: String, message: String },
    #[error(transparent)]
    Http(#[from] HttpError),
}

/// A connection to one repository's issues.
pub struct GitHub {
    client: Client,
    api_url: String,
    repo: String,
    /// Requests sent, retries included.
    pub requests: u32,
    /// When the last answer said no requests are left: wait until then before the next.
    paused_until: Option<SystemTime>,
}

impl GitHub {
    /// A connection to `repo` (`owner/name`) under `api_url`, authenticated with `token`.
    pub fn new(
        api_url: &str,
        repo: &str,
        token: &str,
        scratch_dir: &std::path::Path,
    ) -> Result<Self, GitHubError> {
        let headers = vec![
            format!("Authorization: Bearer {token}"),
            "Accept: application/vnd.github+json".to_owned(),
            "X-GitHub-Api-Version: 2022-11-28".to_owned(),
            format!("User-Agent: roadmap-hooks/{}", env!("CARGO_PKG_VERSION")),
        ];
        Ok(GitHub {
            client: Client::new(headers, scratch_dir)?,
            api_url: api_url.to_owned(),
            repo: repo.to_owned(),
            requests: 0,
            paused_until: None,
        })
    }

    fn url(&self, tail: &str) -> String {
        format!("{}/repos/{}/{tail}", self.api_url, self.repo)
    }

    /// Returns every issue (not pull request) updated at or after `since`, or all of them.
    pub fn list_issues(&mut self, since: Option<&str>) -> Result<Vec<GhIssue>, GitHubError> {
        let mut url = self.url("issues?state=all&per_page=100&sort=updated&direction=asc");
        if let Some(since) = since {
            url.push_str(&format!("&since={since}"));
        }
        let mut issues = Vec::new();
        let mut next = Some(url);
        while let Some(url) = next.take() {
            let response = self.call("GET", &url, None)?;
            let page: Vec<GhIssue> = parse(&response, &url)?;
            issues.extend(page.into_iter().filter(|i| i.pull_request.is_none()));
            next = response.header("link").and_then(next_link);
        }
        Ok(issues)
    }

    /// Returns issue `number`, or `None` if GitHub has no such issue (deleted, transferred).
    pub fn get_issue(&mut self, number: u64) -> Result<Option<GhIssue>, GitHubError> {
        let url = self.url(&format!("issues/{number}"));
        match self.call("GET", &url, None) {
            Err(GitHubError::Api {
                status: 404 | 410, ..
            }) => Ok(None),
            Err(other) => Err(other),
            Ok(response) => parse(&response, &url).map(Some),
        }
    }

    /// Creates an issue from `payload` (title, body, labels, …) and returns it.
    pub fn create_issue(&mut self, payload: &Value) -> Result<GhIssue, GitHubError> {
        let url = self.url("issues");
        let response = self.call("POST", &url, Some(payload))?;
        parse(&response, &url)
    }

    /// Changes the fields of issue `number` that `payload` names and returns the issue.
    pub fn update_issue(&mut self, number: u64, payload: &Value) -> Result<GhIssue, GitHubError> {
        let url = self.url(&format!("issues/{number}"));
        let response = self.call("PATCH", &url, Some(payload))?;
        parse(&response, &url)
    }

    /// Returns every milestone (open and closed) as `(title, number)`.
    pub fn milestones(&mut self) -> Result<Vec<(String, u64)>, GitHubError> {
        let mut next = Some(self.url("milestones?state=all&per_page=100"));
        let mut found = Vec::new();
        while let Some(url) = next.take() {
            let response = self.call("GET", &url, None)?;
            let page: Vec<GhMilestone> = parse(&response, &url)?;
            found.extend(page.into_iter().map(|m| (m.title, m.number)));
            next = response.header("link").and_then(next_link);
        }
        Ok(found)
    }

    /// Creates milestone `title` and returns its number.
    pub fn create_milestone(&mut self, title: &str) -> Result<u64, GitHubError> {
        let url = self.url("milestones");
        let response = self.call("POST", &url, Some(&serde_json::json!({ "title": title })))?;
        parse::<GhMilestone>(&response, &url).map(|m| m.number)
    }

    /// Sends one request, waiting out rate limits and retrying transient failures.
    fn call(
        &mut self,
        method: &str,
        url: &str,
        body: Option<&Value>,
    ) -> Result<Response, GitHubError> {
        let body_text = body.map(Value::to_string);
        let mut transient_failures = 0;
        loop {
            if let Some(until) = self.paused_until.take() {
                wait_until(until)?;
            }
            self.requests += 1;
            let response = self.client.send(&Request {
                method,
                url,
                body: body_text.as_deref(),
            })?;
            let reset = rate_limit_reset(&response);
            match response.status {
                200..=299 => {
                    self.paused_until = reset;
                    return Ok(response);
                }
                401 => {
                    return Err(GitHubError::BadToken {
                        repo: self.repo.clone(),
                    });
                }
                403 | 429 if retry_after(&response).or(reset).is_some() => {
                    let until = retry_after(&response)
                        .or(reset)
                        .unwrap_or_else(SystemTime::now);
                    wait_until(until)?;
                }
                502..=504 if transient_failures + 1 < TRANSIENT_ATTEMPTS => {
                    transient_failures += 1;
                    std::thread::sleep(Duration::from_millis(100 << transient_failures));
                }
                status => {
                    return Err(GitHubError::Api {
                        method: method.to_owned(),
                        url: url.to_owned(),
                        status,
                        message: error_message(&response),
                    });
                }
            }
        }
    }
}

fn parse<T: serde::de::DeserializeOwned>(response: &Response, url: &str) -> Result<T, GitHubError> {
    serde_json::from_str(&response.body).map_err(|e| GitHubError::Unexpected {
        context: url.to_owned(),
        message: e.to_string(),
    })
}

fn error_message(response: &Response) -> String {
    serde_json::from_str::<Value>(&response.body)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_else(|| http::first_line(&response.body))
}

/// `Retry-After: N` as a point in time.
fn retry_after(response: &Response) -> Option<SystemTime> {
    let seconds: u64 = response.header("retry-after")?.trim().parse().ok()?;
    Some(SystemTime::now() + Duration::from_secs(seconds))
}

/// `X-RateLimit-Reset` as a point in time, when `X-RateLimit-Remaining` is 0.
fn rate_limit_reset(response: &Response) -> Option<SystemTime> {
    if response.header("x-ratelimit-remaining")?.trim() != "0" {
        return None;
    }
    let epoch: u64 = response.header("x-ratelimit-reset")?.trim().parse().ok()?;
    Some(UNIX_EPOCH + Duration::from_secs(epoch))
}

/// Sleeps until `until`, unless that is further away than we are willing to wait.
fn wait_until(until: SystemTime) -> Result<(), GitHubError> {
    let wait = until
        .duration_since(SystemTime::now())
        .unwrap_or(Duration::ZERO);
    if wait > MAX_RATE_LIMIT_WAIT {
        return Err(GitHubError::RateLimited(wait.as_secs()));
    }
    std::thread::sleep(wait);
    Ok(())
}

/// The `rel="next"` URL of a `Link` header.
fn next_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        params
            .split(';')
            .any(|p| p.trim() == "rel=\"next\"")
            .then(|| {
                url.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_owned()
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_link_is_found_among_others() {
        let link = "<https://api.github.com/x?page=3>; rel=\"next\", <https://api.github.com/x?page=9>; rel=\"last\"";
        assert_eq!(
            next_link(link).as_deref(),
            Some("https://api.github.com/x?page=3")
        );
        assert_eq!(next_link("<https://x?page=1>; rel=\"prev\""), None);
    }
}

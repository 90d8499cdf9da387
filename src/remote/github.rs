//! The subset of the GitHub Issues REST API a sync needs: list (all pages, `since`), get,
//! create, update, milestones. Rate limits are waited out as GitHub documents them, writes are
//! paced, 502/503/504 are retried except for a create, and 301/404/410 name a gone issue.

pub use super::clock::Clock;
use super::http::{self, Client, HttpError, Request, Response};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Attempts for a request answered 502, 503 or 504.
const TRANSIENT_ATTEMPTS: u32 = 4;
/// A secondary rate limit without `retry-after`: GitHub asks for at least a minute, then an
/// exponentially growing wait; after this many the sync gives up.
const SECONDARY_LIMIT_WAIT: Duration = Duration::from_secs(60);
const SECONDARY_LIMIT_ATTEMPTS: u32 = 4;
/// Content-creating requests go out at most this often (GitHub asks for about one a second).
const WRITE_SPACING: Duration = Duration::from_secs(1);

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
    /// How many comments GitHub holds for the issue.
    #[serde(default)]
    pub comments: u64,
    /// Why a closed issue was closed: `completed`, `not_planned`, …
    #[serde(default)]
    pub state_reason: Option<String>,
    /// Present when the "issue" is a pull request; those are skipped.
    pub pull_request: Option<Value>,
}

impl GhIssue {
    /// Every assignee's login, sorted (the older single `assignee` when that is all there is).
    #[must_use]
    pub fn all_assignees(&self) -> Vec<String> {
        let mut logins: Vec<String> = self
            .assignees
            .iter()
            .chain(
                self.assignees
                    .is_empty()
                    .then_some(())
                    .and(self.assignee.as_ref()),
            )
            .map(|user| user.login.clone())
            .collect();
        logins.sort();
        logins.dedup();
        logins
    }
}

/// A comment on a GitHub issue, the fields a sync reads.
#[derive(Debug, Clone, Deserialize)]
pub struct GhComment {
    pub id: u64,
    pub body: Option<String>,
    pub user: Option<GhUser>,
    #[serde(default)]
    pub created_at: String,
    #[serde(default)]
    pub updated_at: String,
    pub html_url: Option<String>,
}

impl GhComment {
    /// The body, trimmed.
    #[must_use]
    pub fn text(&self) -> String {
        self.body.as_deref().unwrap_or_default().trim().to_owned()
    }
}

/// What a read of one linked issue found.
#[derive(Debug, Clone)]
pub enum Fetched {
    Found(Box<GhIssue>),
    /// Deleted (410), out of reach (404) or transferred to another repository (301), as words.
    Gone(String),
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
    #[error("{0}")]
    Gone(String),
    /// A create that failed in a way that may have reached GitHub.
    #[error("{0}")]
    Uncertain(String),
    #[error(transparent)]
    Http(#[from] HttpError),
}

impl GitHubError {
    /// Whether the failure concerns one issue only, so the sync goes on with the others.
    #[must_use]
    pub fn is_per_issue(&self) -> bool {
        matches!(
            self,
            GitHubError::Api { .. }
                | GitHubError::Gone(_)
                | GitHubError::Uncertain(_)
                | GitHubError::Unexpected { .. }
        )
    }

    /// Whether a request that failed this way may still have been carried out by GitHub.
    #[must_use]
    pub fn is_ambiguous(&self) -> bool {
        match self {
            GitHubError::Api { status, .. } => *status >= 500,
            GitHubError::Http(_) | GitHubError::Unexpected { .. } => true,
            _ => false,
        }
    }
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
    /// When the last content-creating request (POST, PATCH) went out, for pacing.
    last_write: Option<SystemTime>,
    pub clock: Clock,
}

impl GitHub {
    /// A connection to `repo` (`owner/name`) under `api_url`, authenticated with `token`.
    pub fn new(api_url: &str, repo: &str, token: &str) -> Self {
        let headers = vec![
            format!("Authorization: Bearer {token}"),
            "Accept: application/vnd.github+json".to_owned(),
            "X-GitHub-Api-Version: 2022-11-28".to_owned(),
            format!("User-Agent: roadmap-hooks/{}", env!("CARGO_PKG_VERSION")),
        ];
        GitHub {
            client: Client::new(&headers),
            api_url: api_url.to_owned(),
            repo: repo.to_owned(),
            requests: 0,
            paused_until: None,
            last_write: None,
            clock: Clock::from_env(),
        }
    }

    fn url(&self, tail: &str) -> String {
        format!("{}/repos/{}/{tail}", self.api_url, self.repo)
    }

    /// Returns every issue (not pull request) updated at or after `since`, or all of them, and
    /// the cursor for the next run: GitHub's clock (`Date`) when the listing began, so an issue
    /// edited while the pages are read is listed again next time. Newest first, so an edit
    /// during the listing moves an issue to a page already read and never skips one.
    pub fn list_issues(
        &mut self,
        since: Option<&str>,
    ) -> Result<(Vec<GhIssue>, Option<String>), GitHubError> {
        let mut url = self.url("issues?state=all&per_page=100&sort=updated&direction=desc");
        if let Some(since) = since {
            url.push_str(&format!("&since={since}"));
        }
        let mut issues: BTreeMap<u64, GhIssue> = BTreeMap::new();
        let mut next = Some(url);
        let mut started = None;
        while let Some(url) = next.take() {
            let response = self.call("GET", &url, None)?;
            if started.is_none() {
                started = Some(
                    response
                        .header("date")
                        .and_then(super::time::http_date_to_iso),
                );
            }
            let page: Vec<GhIssue> = parse(&response, &url)?;
            for issue in page.into_iter().filter(|i| i.pull_request.is_none()) {
                // Shifted pages show an issue twice: keep the newer.
                let newer = issues
                    .get(&issue.number)
                    .is_none_or(|seen| seen.updated_at <= issue.updated_at);
                if newer {
                    issues.insert(issue.number, issue);
                }
            }
            next = response.header("link").and_then(next_link);
        }
        let issues: Vec<GhIssue> = issues.into_values().collect();
        let cursor = started.flatten().or_else(|| {
            issues
                .iter()
                .map(|i| i.updated_at.clone())
                .chain(since.map(str::to_owned))
                .max()
        });
        Ok((issues, cursor))
    }

    /// Returns issue `number`, or why it is gone.
    pub fn get_issue(&mut self, number: u64) -> Result<Fetched, GitHubError> {
        let url = self.url(&format!("issues/{number}"));
        match self.call("GET", &url, None) {
            Err(GitHubError::Gone(reason)) => Ok(Fetched::Gone(reason)),
            Err(other) => Err(other),
            Ok(response) => parse(&response, &url).map(|issue| Fetched::Found(Box::new(issue))),
        }
    }

    /// The newest issues (by creation) whose hidden marker names `local_id`, lowest number
    /// first: after a create that may or may not have reached GitHub.
    pub fn find_by_marker(&mut self, local_id: &str) -> Result<Option<GhIssue>, GitHubError> {
        let url = self.url("issues?state=all&per_page=100&sort=created&direction=desc");
        let response = self.call("GET", &url, None)?;
        let page: Vec<GhIssue> = parse(&response, &url)?;
        Ok(page
            .into_iter()
            .filter(|i| {
                super::mapping::strip_marker(i.body.as_deref().unwrap_or_default())
                    .0
                    .as_deref()
                    == Some(local_id)
            })
            .min_by_key(|i| i.number))
    }

    /// Creates an issue from `payload` (title, body, labels, …) and returns it. Never retried:
    /// a failed create may have happened (see [`GitHubError::is_ambiguous`]).
    pub fn create_issue(&mut self, payload: &Value) -> Result<GhIssue, GitHubError> {
        let url = self.url("issues");
        let response = self.call("POST", &url, Some(payload))?;
        parse(&response, &url)
    }

    /// Changes the fields of issue `number` that `payload` names and returns the issue. A 404
    /// to the change of an issue that can still be read is a refusal, not a deletion.
    pub fn update_issue(&mut self, number: u64, payload: &Value) -> Result<GhIssue, GitHubError> {
        let url = self.url(&format!("issues/{number}"));
        match self.call("PATCH", &url, Some(payload)) {
            Ok(response) => parse(&response, &url),
            Err(GitHubError::Gone(reason)) if reason.contains("(404)") => {
                match self.get_issue(number)? {
                    Fetched::Gone(reason) => Err(GitHubError::Gone(reason)),
                    Fetched::Found(_) => Err(GitHubError::Api {
                        method: "PATCH".into(),
                        url,
                        status: 404,
                        message: "the issue can be read but not changed with this token".into(),
                    }),
                }
            }
            Err(other) => Err(other),
        }
    }

    /// Returns every comment of issue `number`, oldest first.
    pub fn list_comments(&mut self, number: u64) -> Result<Vec<GhComment>, GitHubError> {
        let mut next = Some(self.url(&format!("issues/{number}/comments?per_page=100")));
        let mut found = Vec::new();
        while let Some(url) = next.take() {
            let response = self.call("GET", &url, None)?;
            let page: Vec<GhComment> = parse(&response, &url)?;
            found.extend(page);
            next = response.header("link").and_then(next_link);
        }
        Ok(found)
    }

    /// Adds a comment to issue `number`. Never retried (see [`GitHub::create_issue`]).
    pub fn create_comment(&mut self, number: u64, body: &str) -> Result<GhComment, GitHubError> {
        let url = self.url(&format!("issues/{number}/comments"));
        let response = self.call("POST", &url, Some(&serde_json::json!({ "body": body })))?;
        parse(&response, &url)
    }

    /// Changes the body of comment `id`.
    pub fn update_comment(&mut self, id: u64, body: &str) -> Result<GhComment, GitHubError> {
        let url = self.url(&format!("issues/comments/{id}"));
        let response = self.call("PATCH", &url, Some(&serde_json::json!({ "body": body })))?;
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

    /// Sends one request: paced if it creates content, rate limits waited out as GitHub
    /// documents, 502/503/504 retried unless it is a POST (which may have happened), and a 301
    /// to a transferred issue followed to name where it went.
    fn call(
        &mut self,
        method: &str,
        url: &str,
        body: Option<&Value>,
    ) -> Result<Response, GitHubError> {
        let body_text = body.map(Value::to_string);
        let mut transient_failures = 0;
        let mut secondary_limits = 0;
        loop {
            if let Some(until) = self.paused_until.take() {
                self.clock.wait_until(until)?;
            }
            if method != "GET" {
                if let Some(last) = self.last_write {
                    self.clock.wait_until(last + WRITE_SPACING)?;
                }
                self.last_write = Some(self.clock.now());
            }
            self.requests += 1;
            let mut extra = Vec::new();
            if let Some(now) = self.clock.test_header() {
                extra.push(now);
            }
            let response = self.client.send(&Request {
                method,
                url,
                body: body_text.as_deref(),
                extra_headers: &extra,
            })?;
            let reset = rate_limit_reset(&response);
            let api_error = |response: &Response| GitHubError::Api {
                method: method.to_owned(),
                url: url.to_owned(),
                status: response.status,
                message: error_message(response),
            };
            match response.status {
                200..=299 => {
                    self.paused_until = reset;
                    return Ok(response);
                }
                301 => return Err(self.moved(&response)),
                401 => {
                    return Err(GitHubError::BadToken {
                        repo: self.repo.clone(),
                    });
                }
                404 | 410 if url.contains("/issues/") => {
                    return Err(GitHubError::Gone(if response.status == 410 {
                        "deleted on GitHub (410)".to_owned()
                    } else {
                        "not found on GitHub, or no longer readable with this token (404)"
                            .to_owned()
                    }));
                }
                403 | 429 => {
                    let limited = self.clock.retry_after(&response).or(reset);
                    let until = match limited {
                        Some(until) => until,
                        // A 403 that names no rate limit is a refusal (no permission).
                        None if response.status == 403
                            && !error_message(&response)
                                .to_ascii_lowercase()
                                .contains("rate limit") =>
                        {
                            return Err(api_error(&response));
                        }
                        // GitHub: wait at least a minute, then back off exponentially.
                        None if secondary_limits < SECONDARY_LIMIT_ATTEMPTS => {
                            secondary_limits += 1;
                            self.clock.now() + SECONDARY_LIMIT_WAIT * (1 << (secondary_limits - 1))
                        }
                        None => return Err(api_error(&response)),
                    };
                    self.clock.wait_until(until)?;
                }
                502..=504 if method != "POST" && transient_failures + 1 < TRANSIENT_ATTEMPTS => {
                    transient_failures += 1;
                    self.clock
                        .sleep(Duration::from_millis(100 << transient_failures));
                }
                _ => return Err(api_error(&response)),
            }
        }
    }

    /// The error for a 301: where a transferred issue went, read from the new location (one
    /// request, not followed further).
    fn moved(&mut self, response: &Response) -> GitHubError {
        let Some(location) = response.header("location").map(str::to_owned) else {
            return GitHubError::Gone("moved on GitHub (301 without a location)".into());
        };
        self.requests += 1;
        let place = self
            .client
            .send(&Request {
                method: "GET",
                url: &location,
                body: None,
                extra_headers: &[],
            })
            .ok()
            .filter(|r| r.status == 200)
            .and_then(|r| serde_json::from_str::<Value>(&r.body).ok())
            .and_then(|issue| {
                let repo = issue.get("repository_url")?.as_str()?;
                let repo = repo.rsplit("/repos/").next()?.to_owned();
                Some(format!("{repo}#{}", issue.get("number")?.as_u64()?))
            })
            .unwrap_or(location);
        GitHubError::Gone(format!("transferred to {place} (301)"))
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

/// `X-RateLimit-Reset` as a point in time, when `X-RateLimit-Remaining` is 0.
fn rate_limit_reset(response: &Response) -> Option<SystemTime> {
    if response.header("x-ratelimit-remaining")?.trim() != "0" {
        return None;
    }
    let epoch: u64 = response.header("x-ratelimit-reset")?.trim().parse().ok()?;
    Some(UNIX_EPOCH + Duration::from_secs(epoch))
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

//! HTTP requests in process, through one `ureq` agent (rustls, connections kept alive and
//! reused), so a sync starts no process per request and leaves nothing on disk if killed. The
//! token stays in this process's memory. Redirects are not followed: the caller decides what a
//! 301 means (a transferred issue).

use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("{method} {url}: {message}")]
    Failed {
        method: String,
        url: String,
        message: String,
    },
}

/// One request: method, URL and an optional JSON body.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub method: &'a str,
    pub url: &'a str,
    pub body: Option<&'a str>,
    /// Headers for this request only (`Name: value`).
    pub extra_headers: &'a [String],
}

/// What the server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    /// Header names lowercased, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    /// Returns the first header named `name` (lowercase).
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A client: one agent (its connection pool) and the headers every request carries.
pub struct Client {
    agent: ureq::Agent,
    headers: Vec<(String, String)>,
}

impl Client {
    /// A client whose requests all carry `headers` (`Name: value`, e.g. the authorization).
    #[must_use]
    pub fn new(headers: &[String]) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .new_agent();
        Client {
            agent,
            headers: headers.iter().filter_map(|h| split_header(h)).collect(),
        }
    }

    /// Sends one request and returns the final response, whatever its status.
    pub fn send(&self, request: &Request<'_>) -> Result<Response, HttpError> {
        let failed = |message: String| HttpError::Failed {
            method: request.method.to_owned(),
            url: request.url.to_owned(),
            message,
        };
        let mut builder = ureq::http::Request::builder()
            .method(request.method)
            .uri(request.url);
        let extra = request.extra_headers.iter().filter_map(|h| split_header(h));
        for (name, value) in self.headers.iter().cloned().chain(extra) {
            builder = builder.header(name, value);
        }
        let sent = match request.body {
            Some(body) => builder
                .header("Content-Type", "application/json")
                .body(body.to_owned())
                .map_err(|e| failed(e.to_string()))
                .and_then(|r| self.agent.run(r).map_err(|e| failed(e.to_string()))),
            None => builder
                .body(())
                .map_err(|e| failed(e.to_string()))
                .and_then(|r| self.agent.run(r).map_err(|e| failed(e.to_string()))),
        };
        let mut response = sent?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                (name.as_str().to_ascii_lowercase(), value)
            })
            .collect();
        let body = response
            .body_mut()
            .read_to_string()
            .map_err(|e| failed(format!("reading the answer: {e}")))?;
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

fn split_header(header: &str) -> Option<(String, String)> {
    let (name, value) = header.split_once(':')?;
    Some((name.trim().to_owned(), value.trim().to_owned()))
}

/// The first line of `text`, at most 200 characters: enough of an error page to name it.
#[must_use]
pub fn first_line(text: &str) -> String {
    text.lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect()
}

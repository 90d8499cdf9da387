//! HTTP requests through the system `curl`, one child process per request, so the build needs
//! no HTTP or TLS crates. The token reaches curl only through its config on stdin, never the
//! command line (visible in `ps`) or a file. A native client can replace this module behind
//! the same [`Response`] API.

use std::io::{Read as _, Write as _};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("`curl` was not found on PATH; roadmap sync runs it for HTTP requests")]
    NoCurl,
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

/// A client: the curl binary, the headers every request carries, and where bodies are staged.
pub struct Client {
    curl: PathBuf,
    headers: Vec<String>,
    scratch_dir: PathBuf,
    max_time_secs: u32,
}

impl Client {
    /// Finds curl; `headers` (e.g. `Authorization: Bearer …`) go to curl on stdin only.
    /// Request bodies are staged in `scratch_dir` (mode 0600) for the length of a request.
    pub fn new(headers: Vec<String>, scratch_dir: &Path) -> Result<Self, HttpError> {
        let curl = which::which("curl").map_err(|_| HttpError::NoCurl)?;
        Ok(Client {
            curl,
            headers,
            scratch_dir: scratch_dir.to_owned(),
            max_time_secs: 60,
        })
    }

    /// Sends one request and returns the final response, whatever its status.
    pub fn send(&self, request: &Request<'_>) -> Result<Response, HttpError> {
        let failed = |message: String| HttpError::Failed {
            method: request.method.to_owned(),
            url: request.url.to_owned(),
            message,
        };
        let body_file = match request.body {
            Some(body) => Some(StagedBody::write(&self.scratch_dir, body).map_err(|e| {
                failed(format!(
                    "staging the request body in {}: {e}",
                    self.scratch_dir.display()
                ))
            })?),
            None => None,
        };
        let mut config = String::new();
        config.push_str(&format!("url = {}\n", quoted(request.url)));
        config.push_str(&format!("request = {}\n", quoted(request.method)));
        // No `Expect: 100-continue` round trip, so the output holds one header block.
        let headers = self.headers.iter().chain(request.extra_headers);
        for header in headers.map(String::as_str).chain(["Expect:"]) {
            config.push_str(&format!("header = {}\n", quoted(header)));
        }
        if let Some(file) = &body_file {
            config.push_str("header = \"Content-Type: application/json\"\n");
            let at = format!("@{}", file.path.display());
            config.push_str(&format!("data-binary = {}\n", quoted(&at)));
        }
        let mut child = Command::new(&self.curl)
            .args([
                "-q",
                "--config",
                "-",
                "--silent",
                "--show-error",
                "--dump-header",
                "-",
            ])
            .args(["--connect-timeout", "10", "--max-time"])
            .arg(self.max_time_secs.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| failed(format!("starting {}: {e}", self.curl.display())))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(config.as_bytes())
                .map_err(|e| failed(format!("writing to curl: {e}")))?;
        }
        let mut stderr = String::new();
        let mut stdout = Vec::new();
        if let Some(mut out) = child.stdout.take() {
            out.read_to_end(&mut stdout)
                .map_err(|e| failed(format!("reading curl's output: {e}")))?;
        }
        if let Some(mut err) = child.stderr.take() {
            let _ = err.read_to_string(&mut stderr);
        }
        let status = child
            .wait()
            .map_err(|e| failed(format!("waiting for curl: {e}")))?;
        drop(body_file);
        if !status.success() {
            let message = stderr.trim().trim_start_matches("curl: ").to_owned();
            return Err(failed(if message.is_empty() {
                format!("curl exited with {status}")
            } else {
                message
            }));
        }
        parse_response(&String::from_utf8_lossy(&stdout))
            .ok_or_else(|| failed("the answer is not an HTTP response".into()))
    }
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

/// A curl config value in double quotes (curl unescapes `\\` and `\"`).
fn quoted(value: &str) -> String {
    let escaped = value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
        .replace('\r', "\\r");
    format!("\"{escaped}\"")
}

/// Parses `--dump-header -` output: header blocks (interim ones skipped), then the body.
fn parse_response(output: &str) -> Option<Response> {
    let mut rest = output;
    loop {
        let (head, body) = rest
            .split_once("\r\n\r\n")
            .or_else(|| rest.split_once("\n\n"))
            .unwrap_or((rest, ""));
        let mut lines = head.lines();
        let status: u16 = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
        // Interim answers (100 Continue) and a proxy's `CONNECT` answer come first.
        if (100..200).contains(&status) || body.starts_with("HTTP/") {
            rest = body;
            continue;
        }
        let headers = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
            .collect();
        return Some(Response {
            status,
            headers,
            body: body.to_owned(),
        });
    }
}

/// A request body in a private file, removed when dropped.
struct StagedBody {
    path: PathBuf,
}

impl StagedBody {
    fn write(dir: &Path, body: &str) -> std::io::Result<Self> {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        std::fs::create_dir_all(dir)?;
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!("sync-body-{}-{n}.json", std::process::id()));
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)?;
        file.write_all(body.as_bytes())?;
        Ok(StagedBody { path })
    }
}

impl Drop for StagedBody {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interim_responses_are_skipped_and_headers_lowercased() {
        let output = "HTTP/1.1 200 Connection established\r\n\r\nHTTP/1.1 100 Continue\r\n\r\nHTTP/2 200\r\nLink: <x>; rel=\"next\"\r\nX-Thing: 1\r\n\r\n[1]";
        let response = parse_response(output).unwrap();
        assert_eq!(response.status, 200);
        assert_eq!(response.header("link"), Some("<x>; rel=\"next\""));
        assert_eq!(response.body, "[1]");
    }

    #[test]
    fn config_values_are_escaped() {
        assert_eq!(quoted(r#"a"b\c"#), r#""a\"b\\c""#);
    }
}

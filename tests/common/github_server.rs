//! A local HTTP server with the subset of the GitHub Issues REST API `roadmap sync` uses:
//! issues (list with `since`, sort and `Link` pagination, get, create, update), milestones, a
//! token check, and the faults GitHub produces: queued ones (502, 500, rate limits, a 502 after
//! the create happened), deleted (410) and transferred (301) issues, assignees it refuses
//! (422), issues the token may not change (403), a secondary limit on creates per minute, and a
//! hook that runs on a request (to edit an issue while a listing runs, or a local file while a
//! sync talks to GitHub). Issues live in memory; every request is counted. It listens on
//! 127.0.0.1 and stops when dropped.

use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

pub const TOKEN: &str = "test-token-0123";
pub const REPO: &str = "acme/app";

/// A fault to answer the next API request with.
#[derive(Debug, Clone, Copy)]
pub enum Fault {
    /// No fault: the request is served as usual (to place a fault later in the queue).
    Pass,
    /// `500`, which is not retried.
    ServerError,
    /// `502 Bad Gateway`.
    BadGateway,
    /// `429` with `Retry-After: 1`.
    RetryAfter,
    /// `403` with `X-RateLimit-Remaining: 0` and a reset one second away.
    RateLimitReset,
    /// `403` naming a secondary rate limit, without `retry-after` or `x-ratelimit-*`.
    SecondaryLimit,
    /// The request is carried out, then answered `502` (a create that did happen).
    BadGatewayAfterApplying,
}

/// A hook run on each API request, with the state and `METHOD /path?query`.
pub type Hook = Box<dyn FnMut(&mut State, &str) + Send>;

#[derive(Default)]
pub struct State {
    pub issues: BTreeMap<u64, Value>,
    pub milestones: Vec<Value>,
    next_number: u64,
    /// A fake clock: each change moves it one second, so `since` is exact.
    clock: u64,
    /// `METHOD /path?query` of every request, in order.
    pub requests: Vec<String>,
    /// TCP connections accepted (a client that reuses its connection opens one per run).
    pub connections: usize,
    faults: VecDeque<Fault>,
    /// Deleted issues: answered 410.
    pub deleted: BTreeSet<u64>,
    /// Transferred issues: answered 301 to `(other repository, its number there)`.
    pub transferred: BTreeMap<u64, (String, u64)>,
    /// Issues this token may not change: a PATCH is answered 403.
    pub read_only: BTreeSet<u64>,
    /// Issues whose change is answered 404 though they can be read (GitHub's answer to some
    /// tokens without write access).
    pub patch_not_found: BTreeSet<u64>,
    /// Logins GitHub accepts as assignees (`None`: any); others are answered 422, or dropped
    /// without an error when `drop_unassignable` (as GitHub does for some requests).
    pub assignable: Option<Vec<String>>,
    pub drop_unassignable: bool,
    /// Labels the repository has: a label set in another case takes their spelling.
    pub existing_labels: Vec<String>,
    /// The most creates (POST) per minute before a secondary limit (403, no headers), timed by
    /// the client's `X-Roadmap-Test-Clock` when sent.
    pub creates_per_minute: Option<usize>,
    creates_at: Vec<u64>,
    /// Times (ms) of every content-creating request, for pacing checks.
    pub write_times: Vec<u64>,
    /// Creates answered with the secondary limit.
    pub limited: usize,
    pub on_request: Option<Hook>,
    /// Comments by issue number.
    pub comments: BTreeMap<u64, Vec<Value>>,
    next_comment: u64,
}

impl State {
    fn tick(&mut self) -> String {
        self.clock += 1;
        self.now()
    }

    /// The fake clock as GitHub writes `updated_at`.
    pub fn now(&self) -> String {
        let s = self.clock;
        format!(
            "2026-01-{:02}T{:02}:{:02}:{:02}Z",
            1 + s / 86_400,
            s / 3600 % 24,
            s / 60 % 60,
            s % 60
        )
    }

    /// The fake clock as an HTTP `Date` header.
    fn http_date(&self) -> String {
        let s = self.clock;
        format!(
            "Thu, {:02} Jan 2026 {:02}:{:02}:{:02} GMT",
            1 + s / 86_400,
            s / 3600 % 24,
            s / 60 % 60,
            s % 60
        )
    }

    fn milestone(&self, number: &Value) -> Value {
        self.milestones
            .iter()
            .find(|m| &m["number"] == number)
            .map_or(
                Value::Null,
                |m| json!({ "number": m["number"], "title": m["title"] }),
            )
    }

    /// Applies the fields of a create or update request to `issue`.
    fn set_fields(&mut self, issue: &mut Value, request: &Value) {
        for key in ["title", "body", "state"] {
            if let Some(value) = request.get(key) {
                issue[key] = value.clone();
            }
        }
        if request.get("state").is_some() {
            issue["state_reason"] = match issue["state"].as_str() {
                Some("closed") => request
                    .get("state_reason")
                    .cloned()
                    .unwrap_or(json!("completed")),
                _ => Value::Null,
            };
        }
        if let Some(labels) = request.get("labels").and_then(Value::as_array) {
            let spelled = |name: &str| {
                self.existing_labels
                    .iter()
                    .find(|l| l.eq_ignore_ascii_case(name))
                    .map_or(name.to_owned(), Clone::clone)
            };
            issue["labels"] = labels
                .iter()
                .map(|name| json!({ "name": spelled(name.as_str().unwrap_or_default()) }))
                .collect();
        }
        if let Some(assignees) = request.get("assignees").and_then(Value::as_array) {
            let allowed = |login: &&Value| match &self.assignable {
                Some(logins) if self.drop_unassignable => logins.iter().any(|l| l == *login),
                _ => true,
            };
            let users: Vec<Value> = assignees
                .iter()
                .filter(allowed)
                .map(|l| json!({ "login": l }))
                .collect();
            issue["assignee"] = users.first().cloned().unwrap_or(Value::Null);
            issue["assignees"] = Value::Array(users);
        }
        if let Some(number) = request.get("milestone") {
            issue["milestone"] = self.milestone(number);
        }
        issue["updated_at"] = json!(self.tick());
    }

    /// Adds an issue as a person on GitHub would; returns its number.
    pub fn add_issue(&mut self, title: &str, body: &str, labels: &[&str]) -> u64 {
        self.next_number += 1;
        let number = self.next_number;
        let mut issue = json!({
            "number": number, "title": "", "body": null, "state": "open", "labels": [],
            "repository_url": format!("https://api.github.com/repos/{REPO}"), "comments": 0,
            "assignee": null, "assignees": [], "milestone": null,
            "html_url": format!("https://github.com/{REPO}/issues/{number}"),
        });
        let request = json!({ "title": title, "body": body, "labels": labels });
        self.set_fields(&mut issue, &request);
        issue["created_at"] = issue["updated_at"].clone();
        self.issues.insert(number, issue);
        number
    }

    /// Changes an issue as a person on GitHub would (fields as in a PATCH request).
    pub fn edit(&mut self, number: u64, request: Value) {
        let mut issue = self.issues.remove(&number).expect("no such issue");
        self.set_fields(&mut issue, &request);
        self.issues.insert(number, issue);
    }

    /// Adds a comment by `login` to issue `number`, as a person on GitHub would; returns its id.
    pub fn add_comment(&mut self, number: u64, login: &str, body: &str) -> u64 {
        self.next_comment += 1;
        let id = 9000 + self.next_comment;
        let now = self.tick();
        let comment = json!({
            "id": id, "body": body, "user": { "login": login },
            "created_at": now, "updated_at": now,
            "html_url": format!("https://github.com/{REPO}/issues/{number}#issuecomment-{id}"),
        });
        self.comments.entry(number).or_default().push(comment);
        let count = self.comments[&number].len();
        let issue = self.issues.get_mut(&number).expect("no such issue");
        issue["comments"] = json!(count);
        issue["updated_at"] = json!(now);
        id
    }

    /// From a request hook: answers the request being served (and then the next ones) with
    /// `fault`, so a fault can be aimed at one kind of request.
    pub fn fail_this(&mut self, fault: Fault) {
        self.faults.push_front(fault);
    }

    /// Changes a comment's body, as a person on GitHub would (the issue's `updated_at` stays).
    pub fn edit_comment(&mut self, id: u64, body: &str) {
        let now = self.tick();
        for comment in self.comments.values_mut().flatten() {
            if comment["id"] == json!(id) {
                comment["body"] = json!(body);
                comment["updated_at"] = json!(now);
            }
        }
    }

    /// Adds a pull request, which the issues listing also returns.
    pub fn add_pull_request(&mut self, title: &str) -> u64 {
        let number = self.add_issue(title, "", &[]);
        self.issues.get_mut(&number).unwrap()["pull_request"] = json!({ "url": "x" });
        number
    }
}

pub struct GitHubServer {
    pub url: String,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl GitHubServer {
    /// Starts the server on a free port of 127.0.0.1.
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (state, stop, url) = (state.clone(), stop.clone(), url.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(stream) = stream {
                        let _ = serve_connection(stream, &state, &url);
                    }
                }
            })
        };
        GitHubServer {
            url,
            state,
            stop,
            thread: Some(thread),
        }
    }

    /// The server's state, to read or change.
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn issue(&self, number: u64) -> Value {
        self.state().issues[&number].clone()
    }

    pub fn request_count(&self) -> usize {
        self.state().requests.len()
    }

    /// Requests that changed something (POST, PATCH).
    pub fn writes(&self) -> Vec<String> {
        let state = self.state();
        state
            .requests
            .iter()
            .filter(|r| !r.starts_with("GET "))
            .cloned()
            .collect()
    }

    /// Answers the next requests with these faults, in order.
    pub fn inject(&self, faults: &[Fault]) {
        self.state().faults.extend(faults);
    }

    /// Label names of issue `number`, sorted.
    pub fn labels(&self, number: u64) -> Vec<String> {
        let mut labels: Vec<String> = self.issue(number)["labels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["name"].as_str().unwrap().to_owned())
            .collect();
        labels.sort();
        labels
    }
}

impl Drop for GitHubServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

fn reply(status: u16, body: Value) -> Reply {
    Reply {
        status,
        headers: Vec::new(),
        body: body.to_string(),
    }
}

/// Serves the requests of one connection, kept alive until the client closes it.
fn serve_connection(
    stream: TcpStream,
    state: &Mutex<State>,
    base_url: &str,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(std::time::Duration::from_secs(10)))?;
    state.lock().unwrap_or_else(|e| e.into_inner()).connections += 1;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut stream = stream;
    while serve(&mut reader, &mut stream, state, base_url)? {}
    Ok(())
}

/// Serves one request; `false` once the client closed the connection.
fn serve(
    reader: &mut BufReader<TcpStream>,
    stream: &mut TcpStream,
    state: &Mutex<State>,
    base_url: &str,
) -> std::io::Result<bool> {
    let mut request_line = String::new();
    if reader.read_line(&mut request_line)? == 0 {
        return Ok(false);
    }
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let length: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let (reply, date) = {
        let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
        let line = format!("{method} {target}");
        state.requests.push(line.clone());
        if let Some(mut hook) = state.on_request.take() {
            hook(&mut state, &line);
            if state.on_request.is_none() {
                state.on_request = Some(hook);
            }
        }
        let now_ms = header("x-roadmap-test-clock")
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_millis() as u64
            });
        if method != "GET" {
            state.write_times.push(now_ms);
        }
        let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let reply = if header("authorization").as_deref() != Some(&format!("Bearer {TOKEN}")) {
            reply(401, json!({ "message": "Bad credentials" }))
        } else if let Some(fault) = state
            .faults
            .pop_front()
            .filter(|f| !matches!(f, Fault::Pass))
        {
            if matches!(fault, Fault::BadGatewayAfterApplying) {
                route(&mut state, &method, &target, &request, base_url);
            }
            fault_reply(fault)
        } else if method == "POST" && state.over_create_limit(now_ms) {
            state.limited += 1;
            fault_reply(Fault::SecondaryLimit)
        } else {
            route(&mut state, &method, &target, &request, base_url)
        };
        (reply, state.http_date())
    };
    let mut head = format!(
        "HTTP/1.1 {} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nDate: {date}\r\n",
        reply.status,
        reply.body.len()
    );
    if !reply
        .headers
        .iter()
        .any(|(n, _)| n == "X-RateLimit-Remaining")
    {
        head.push_str("X-RateLimit-Remaining: 4999\r\n");
    }
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(reply.body.as_bytes())?;
    stream.flush()?;
    Ok(true)
}

fn fault_reply(fault: Fault) -> Reply {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    match fault {
        Fault::Pass | Fault::ServerError => Reply {
            status: 500,
            headers: Vec::new(),
            body: json!({ "message": "Server Error" }).to_string(),
        },
        Fault::BadGateway => Reply {
            status: 502,
            headers: Vec::new(),
            body: "<html>502 Bad Gateway</html>".into(),
        },
        Fault::RetryAfter => Reply {
            status: 429,
            headers: vec![("Retry-After".into(), "1".into())],
            body: json!({ "message": "secondary rate limit" }).to_string(),
        },
        Fault::SecondaryLimit => Reply {
            status: 403,
            headers: Vec::new(),
            body: json!({ "message": "You have exceeded a secondary rate limit and have been temporarily blocked from content creation. Please retry your request again later." }).to_string(),
        },
        Fault::BadGatewayAfterApplying => Reply {
            status: 502,
            headers: Vec::new(),
            body: "<html>502 Bad Gateway</html>".into(),
        },
        Fault::RateLimitReset => Reply {
            status: 403,
            headers: vec![
                ("X-RateLimit-Remaining".into(), "0".into()),
                ("X-RateLimit-Reset".into(), (now + 1).to_string()),
            ],
            body: json!({ "message": "API rate limit exceeded" }).to_string(),
        },
    }
}

impl State {
    /// Whether one more create now would pass the secondary limit on creates per minute.
    fn over_create_limit(&mut self, now_ms: u64) -> bool {
        let Some(limit) = self.creates_per_minute else {
            return false;
        };
        self.creates_at.retain(|t| now_ms < t + 60_000);
        if self.creates_at.len() >= limit {
            return true;
        }
        self.creates_at.push(now_ms);
        false
    }

    /// The answer for a deleted or transferred issue, if `n` is one.
    fn gone(&self, n: u64, base_url: &str) -> Option<Reply> {
        if self.deleted.contains(&n) {
            return Some(reply(410, json!({ "message": "This issue was deleted" })));
        }
        let (_, there) = self.transferred.get(&n)?;
        Some(Reply {
            status: 301,
            headers: vec![(
                "Location".into(),
                format!("{base_url}/repositories/99/issues/{there}"),
            )],
            body: json!({ "message": "Moved Permanently" }).to_string(),
        })
    }

    /// A 422 naming the first assignee GitHub would refuse, if any.
    fn refused_assignee(&self, request: &Value) -> Option<Reply> {
        let allowed = self
            .assignable
            .as_ref()
            .filter(|_| !self.drop_unassignable)?;
        let login = request
            .get("assignees")?
            .as_array()?
            .iter()
            .filter_map(Value::as_str)
            .find(|l| !allowed.iter().any(|a| a == l))?;
        Some(reply(
            422,
            json!({ "message": "Validation Failed", "errors": [
                { "value": login, "resource": "Issue", "field": "assignees", "code": "invalid" }
            ] }),
        ))
    }
}

fn route(state: &mut State, method: &str, target: &str, request: &Value, base_url: &str) -> Reply {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let params: BTreeMap<&str, &str> = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .collect();
    if let Some(there) = path.strip_prefix("/repositories/99/issues/") {
        // Where transferred issues went: another repository.
        let found = state
            .transferred
            .values()
            .find(|(_, n)| n.to_string() == there);
        return match found {
            Some((repo, n)) => reply(
                200,
                json!({ "number": n, "title": "moved", "state": "open",
                        "repository_url": format!("{base_url}/repos/{repo}") }),
            ),
            None => reply(404, json!({ "message": "Not Found" })),
        };
    }
    let prefix = format!("/repos/{REPO}/");
    let Some(rest) = path.strip_prefix(&prefix) else {
        return reply(404, json!({ "message": "Not Found" }));
    };
    let segments: Vec<&str> = rest.split('/').collect();
    let number = segments.get(1).and_then(|n| n.parse::<u64>().ok());
    if let Some(gone) = number.and_then(|n| state.gone(n, base_url)) {
        return gone;
    }
    if method != "GET" {
        if let Some(refused) = state.refused_assignee(request) {
            return refused;
        }
    }
    match (method, segments.as_slice()) {
        ("GET", ["issues"]) => list_issues(state, &params, base_url, path),
        ("POST", ["issues"]) => {
            let title = request["title"].as_str().unwrap_or_default();
            let number = state.add_issue(title, "", &[]);
            let mut issue = state.issues.remove(&number).unwrap();
            state.set_fields(&mut issue, request);
            state.issues.insert(number, issue.clone());
            reply(201, issue)
        }
        ("GET", ["issues", n]) => match n.parse().ok().and_then(|n: u64| state.issues.get(&n)) {
            Some(issue) => reply(200, issue.clone()),
            None => reply(404, json!({ "message": "Not Found" })),
        },
        ("PATCH", ["issues", _]) if number.is_some_and(|n| state.read_only.contains(&n)) => reply(
            403,
            json!({ "message": "Resource not accessible by personal access token" }),
        ),
        ("PATCH", ["issues", _]) if number.is_some_and(|n| state.patch_not_found.contains(&n)) => {
            reply(404, json!({ "message": "Not Found" }))
        }
        ("PATCH", ["issues", n]) => match n.parse::<u64>() {
            Ok(n) if state.issues.contains_key(&n) => {
                state.edit(n, request.clone());
                reply(200, state.issues[&n].clone())
            }
            _ => reply(404, json!({ "message": "Not Found" })),
        },
        ("GET", ["issues", n, "comments"]) => match n.parse::<u64>() {
            Ok(n) if state.issues.contains_key(&n) => reply(
                200,
                Value::Array(state.comments.get(&n).cloned().unwrap_or_default()),
            ),
            _ => reply(404, json!({ "message": "Not Found" })),
        },
        ("POST", ["issues", n, "comments"]) => match n.parse::<u64>() {
            Ok(n) if state.issues.contains_key(&n) => {
                let body = request["body"].as_str().unwrap_or_default().to_owned();
                let id = state.add_comment(n, "test-user", &body);
                let created = state.comments[&n].iter().find(|c| c["id"] == json!(id));
                reply(201, created.cloned().unwrap_or(Value::Null))
            }
            _ => reply(404, json!({ "message": "Not Found" })),
        },
        ("PATCH", ["issues", "comments", id]) => match id.parse::<u64>() {
            Ok(id) => {
                let body = request["body"].as_str().unwrap_or_default().to_owned();
                state.edit_comment(id, &body);
                let found = state
                    .comments
                    .values()
                    .flatten()
                    .find(|c| c["id"] == json!(id));
                match found {
                    Some(comment) => reply(200, comment.clone()),
                    None => reply(404, json!({ "message": "Not Found" })),
                }
            }
            Err(_) => reply(404, json!({ "message": "Not Found" })),
        },
        ("GET", ["milestones"]) => reply(200, Value::Array(state.milestones.clone())),
        ("POST", ["milestones"]) => {
            let number = state.milestones.len() as u64 + 1;
            let milestone = json!({ "number": number, "title": request["title"] });
            state.milestones.push(milestone.clone());
            reply(201, milestone)
        }
        _ => reply(404, json!({ "message": "Not Found" })),
    }
}

fn list_issues(state: &State, params: &BTreeMap<&str, &str>, base_url: &str, path: &str) -> Reply {
    let per_page: usize = params
        .get("per_page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(30)
        .min(100);
    let page: usize = params.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    let since = params.get("since").copied().unwrap_or("");
    let mut matching: Vec<&Value> = state
        .issues
        .values()
        .filter(|i| i["updated_at"].as_str().unwrap_or_default() >= since)
        .filter(|i| {
            let n = i["number"].as_u64().unwrap_or_default();
            !state.deleted.contains(&n) && !state.transferred.contains_key(&n)
        })
        .collect();
    let key = if params.get("sort") == Some(&"created") {
        "created_at"
    } else {
        "updated_at"
    };
    matching.sort_by_key(|i| {
        (
            i[key].as_str().unwrap_or_default().to_owned(),
            i["number"].as_u64(),
        )
    });
    if params.get("direction") == Some(&"desc") {
        matching.reverse();
    }
    let start = (page - 1) * per_page;
    let items: Vec<Value> = matching
        .iter()
        .skip(start)
        .take(per_page)
        .map(|i| (*i).clone())
        .collect();
    let mut headers = Vec::new();
    if start + per_page < matching.len() {
        let mut query: Vec<String> = params
            .iter()
            .filter(|(k, _)| **k != "page")
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        query.push(format!("page={}", page + 1));
        let next = format!("{base_url}{path}?{}", query.join("&"));
        let last = format!(
            "{base_url}{path}?page={}",
            matching.len().div_ceil(per_page)
        );
        headers.push((
            "Link".to_owned(),
            format!("<{next}>; rel=\"next\", <{last}>; rel=\"last\""),
        ));
    }
    Reply {
        status: 200,
        headers,
        body: Value::Array(items).to_string(),
    }
}

//! `roadmap serve` under test: the real binary started in a test repository, and a tiny HTTP/1.1
//! client over `TcpStream` that can send what a browser would not (other methods, odd targets,
//! another `Host`), also used to speak WebDriver's JSON to chromedriver (`tests/common/browser.rs`).

use super::{TestRepo, binary, hermetic};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `roadmap serve`; stopped when dropped.
pub struct Served {
    child: Child,
    /// `http://127.0.0.1:PORT/`
    pub url: String,
    /// `127.0.0.1:PORT`
    pub address: String,
    stderr_path: std::path::PathBuf,
}

impl Served {
    /// Starts `roadmap serve ARGS` in `repo` and waits for the URL it prints.
    #[track_caller]
    pub fn start(repo: &TestRepo, args: &[&str]) -> Self {
        Self::start_with(repo, args, &[])
    }

    /// [`Served::start`] with extra environment variables.
    #[track_caller]
    pub fn start_with(repo: &TestRepo, args: &[&str], env: &[(&str, &str)]) -> Self {
        let stderr_path = repo.sibling(&format!("serve-{}.stderr", std::process::id()));
        let stderr = std::fs::File::create(&stderr_path).unwrap();
        let mut command = Command::new(binary("roadmap"));
        hermetic(&mut command)
            .arg("serve")
            .args(args)
            .envs(env.iter().copied())
            .current_dir(&repo.root)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr);
        let mut child = command.spawn().expect("start roadmap serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let Some(url) = line.trim().strip_prefix("roadmap board: ") else {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "roadmap serve printed {line:?}; stderr: {}",
                std::fs::read_to_string(&stderr_path).unwrap_or_default()
            );
        };
        let address = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        Served {
            child,
            url: url.to_owned(),
            address,
            stderr_path,
        }
    }

    /// `GET path` (with query), as a browser sends it.
    pub fn get(&self, target: &str) -> Reply {
        self.request("GET", target, &[])
    }

    /// A request with any method and extra headers.
    pub fn request(&self, method: &str, target: &str, headers: &[(&str, &str)]) -> Reply {
        http(&self.address, method, target, headers, "")
    }

    /// What the server printed on stderr so far.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }

    /// Opens `/events` and returns the stream, past the head and the first (hello) event.
    pub fn events(&self) -> EventStream {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        write!(
            stream,
            "GET /events HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
            self.address
        )
        .unwrap();
        let mut events = EventStream {
            reader: BufReader::new(stream),
        };
        let head = events.block();
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert!(head.contains("text/event-stream"), "{head}");
        let hello = events.block();
        assert!(hello.contains("event: hello"), "{hello}");
        events
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An open server-sent event stream.
pub struct EventStream {
    reader: BufReader<TcpStream>,
}

impl EventStream {
    /// The next block of lines up to a blank line.
    fn block(&mut self) -> String {
        let mut block = String::new();
        loop {
            let mut line = String::new();
            let read = self
                .reader
                .read_line(&mut line)
                .expect("read the event stream");
            assert!(read > 0, "the event stream closed; so far: {block}");
            if line.trim_end_matches(['\r', '\n']).is_empty() {
                return block;
            }
            block.push_str(&line);
        }
    }

    /// Waits for the next `data:` event (keep-alive comments skipped), for at most a minute.
    #[track_caller]
    pub fn next_change(&mut self) -> String {
        let start = Instant::now();
        loop {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "no change event within a minute"
            );
            let block = self.block();
            if let Some(data) = block.lines().find_map(|l| l.strip_prefix("data: ")) {
                return data.to_owned();
            }
        }
    }
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl Reply {
    /// The value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }
}

/// Sends one HTTP/1.1 request to `address` and reads the answer to the end (the server closes
/// every connection).
pub fn http(
    address: &str,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Reply {
    let mut raw = format!("{method} {target} HTTP/1.1\r\nConnection: close\r\n");
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        raw.push_str(&format!("Host: {address}\r\n"));
    }
    for (key, value) in headers {
        raw.push_str(&format!("{key}: {value}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        raw.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    raw.push_str("\r\n");
    raw.push_str(body);
    send_raw(address, raw.as_bytes())
}

/// Sends `raw` bytes as they are and reads the answer.
pub fn send_raw(address: &str, raw: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    stream.write_all(raw).unwrap();
    let bytes = read_answer(&mut stream);
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        unchunk(body)
    } else {
        body.to_owned()
    };
    Reply {
        status,
        head: head.to_owned(),
        body,
    }
}

/// Reads one answer: up to its `Content-Length`, the end of its chunks, or the end of the
/// connection (chromedriver keeps connections open, the board closes them).
fn read_answer(stream: &mut TcpStream) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut buffer = [0u8; 16 * 1024];
    loop {
        let read = stream.read(&mut buffer).expect("read the answer");
        if read == 0 {
            return bytes;
        }
        bytes.extend_from_slice(&buffer[..read]);
        let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&bytes[..end]).to_ascii_lowercase();
        let body = &bytes[end + 4..];
        let length = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|n| n.trim().parse::<usize>().ok());
        let complete = match length {
            Some(length) => body.len() >= length,
            None if head.contains("transfer-encoding: chunked") => body.ends_with(b"0\r\n\r\n"),
            None => false,
        };
        if complete {
            return bytes;
        }
    }
}

/// Joins the chunks of a chunked body (chromedriver answers so).
fn unchunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || after.len() < size {
            break;
        }
        out.push_str(&after[..size]);
        rest = after[size..].trim_start_matches("\r\n");
    }
    out
}

/// Calls `check` until it returns `Some`, or panics with `what` after `limit`: for what
/// another process does in its own time (a hook's sync, a page's refetch). Not a timing
/// assertion: the limit only ends a test that would otherwise hang.
#[track_caller]
pub fn eventually<T>(what: &str, limit: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(found) = check() {
            return found;
        }
        assert!(start.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The cards of column `status` in a board page, by `data-id`, in order.
pub fn column_ids(html: &str, status: &str) -> Vec<String> {
    let marker = format!("data-status=\"{status}\"");
    let Some(start) = html.find(&marker) else {
        return Vec::new();
    };
    let column = &html[start..];
    let column = &column[..column.find("</section>").unwrap_or(column.len())];
    column
        .split("data-id=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect()
}

/// The count a column's heading shows.
pub fn column_count(html: &str, status: &str) -> Option<usize> {
    let marker = format!("data-status=\"{status}\"");
    let column = &html[html.find(&marker)?..];
    let count = &column[column.find("class=\"count\">")? + "class=\"count\">".len()..];
    count.split('<').next()?.parse().ok()
}

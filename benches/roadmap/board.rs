//! `cargo bench --bench roadmap -- --board [--quick]` (issue 24): `roadmap serve` on the 100k
//! corpus (1k with `--quick`). One server is started; each page is requested over a fresh
//! connection, as a browser tab does, and timed to its first byte and to its last, beside
//! `roadmap list --limit 50` (the default view, a whole process) and the same filters in
//! `roadmap list`, timed in the same run. With Chromium and chromedriver installed, the first
//! paint of the board in headless Chromium (`first-contentful-paint`, from the page's own
//! performance timeline) is measured too.

use crate::measure::{Job, Plan, compare, human, ratio};
use crate::repo::{self, plain_command};
use crate::report::thousands;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// Pages timed: what a user opens, and a filter change (`roadmap list` flags of the same view).
const PAGES: &[(&str, &str, &[&str])] = &[
    ("the board `/`", "/", &["--limit", "50"]),
    (
        "a filter change `/?milestone=v1-1&priority=high`",
        "/?milestone=v1-1&priority=high",
        &["-m", "v1-1", "-p", "high", "--limit", "50"],
    ),
    (
        "a label and an assignee `/?label=backend&assignee=alice`",
        "/?label=backend&assignee=alice",
        &["-l", "backend", "-a", "alice", "--limit", "50"],
    ),
    ("an issue page `/issue/<id>`", "", &["--limit", "1"]),
];

const RUNS: usize = 20;

pub fn requested() -> bool {
    std::env::args().any(|a| a == "--board")
}

/// The server, stopped when dropped.
struct Server(Child, String);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs this mode's comparison and prints its tables.
pub fn run(roadmap: &Path, roadmap_hooks: &Path, target_dir: &Path) -> io::Result<()> {
    let issues = if std::env::args().any(|a| a == "--quick") {
        1_000
    } else {
        100_000
    };
    let repo = repo::prepare(&target_dir.join("bench-corpus"), issues)?;
    crate::measure::run(
        plain_command(roadmap_hooks, &repo.dir).arg("install"),
        false,
    )?;
    let mut child = plain_command(roadmap, &repo.dir)
        .arg("serve")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped")).read_line(&mut line)?;
    let address = line
        .trim()
        .trim_start_matches("roadmap board: http://")
        .trim_end_matches('/')
        .to_owned();
    let server = Server(child, address);
    let first_id = String::from_utf8_lossy(
        &crate::measure::run(
            plain_command(roadmap, &repo.dir).args(["list", "--limit", "1", "--format", "ids"]),
            true,
        )?
        .1,
    )
    .trim()
    .to_owned();
    let plan = Plan {
        runs: RUNS,
        budget: Duration::from_secs(10),
        min_runs: 5,
    };
    let mut text = format!(
        "### `roadmap serve` at {} issues\n\nOne server; each page over a new connection, {RUNS} runs, medians; \
         `roadmap list` with the same filters (a whole process) timed in the same run.\n\n\
         | page | first byte | whole page | bytes | `roadmap list` same view | page ÷ list |\n|---|---:|---:|---:|---:|---:|\n",
        thousands(issues)
    );
    for (name, target, list_args) in PAGES {
        let target = if target.is_empty() {
            format!("/issue/{first_id}")
        } else {
            (*target).to_owned()
        };
        let (first_byte, whole, bytes) = time_page(&server.1, &target)?;
        let dir = &repo.dir;
        let job = Job::new(format!("roadmap list {}", list_args.join(" ")), move || {
            let mut command = plain_command(roadmap, dir);
            command.arg("list").args(*list_args).env("NO_COLOR", "1");
            command
        });
        let list = compare(&[job], plan)?.samples[0].median();
        text.push_str(&format!(
            "| {name} | {} | {} | {} | {} | {} |\n",
            human(first_byte),
            human(whole),
            thousands(bytes),
            human(list),
            ratio(whole, list)
        ));
    }
    if let Some(paint) = first_paint(&server.1)? {
        text.push_str(&format!(
            "\nFirst contentful paint of `/` in headless Chromium (median of {} loads): {}\n",
            paint.1,
            human(paint.0)
        ));
    } else {
        text.push_str("\nFirst paint: not measured (chromium or chromedriver not installed)\n");
    }
    println!("{text}");
    let results = target_dir.join("bench-results");
    std::fs::create_dir_all(&results)?;
    std::fs::write(results.join("roadmap-board.md"), &text)
}

/// Median time to the first byte and to the end of `GET target`, and the page's size.
fn time_page(address: &str, target: &str) -> io::Result<(Duration, Duration, usize)> {
    let mut firsts = Vec::new();
    let mut wholes = Vec::new();
    let mut size = 0;
    for run in 0..=RUNS {
        let started = Instant::now();
        let mut stream = TcpStream::connect(address)?;
        write!(
            stream,
            "GET {target} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
        )?;
        let mut buffer = vec![0u8; 1 << 16];
        let mut first = None;
        let mut bytes = Vec::new();
        loop {
            let read = stream.read(&mut buffer)?;
            if read == 0 {
                break;
            }
            first.get_or_insert_with(|| started.elapsed());
            bytes.extend_from_slice(&buffer[..read]);
        }
        let whole = started.elapsed();
        if !bytes.starts_with(b"HTTP/1.1 200") {
            return Err(io::Error::other(format!(
                "GET {target}: {}",
                String::from_utf8_lossy(&bytes[..bytes.len().min(200)])
            )));
        }
        size = bytes.len();
        // The first run warms the cache's pages and is not counted.
        if run > 0 {
            firsts.push(first.unwrap_or(whole));
            wholes.push(whole);
        }
    }
    Ok((median(firsts), median(wholes), size))
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort_unstable();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

/// The median first contentful paint of the board over a few loads in one headless Chromium,
/// through chromedriver; `None` without them.
fn first_paint(address: &str) -> io::Result<Option<(Duration, usize)>> {
    let (Ok(chromium), Ok(chromedriver)) = (which::which("chromium"), which::which("chromedriver"))
    else {
        return Ok(None);
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let driver = std::process::Command::new(chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let driver = Server(driver, format!("127.0.0.1:{port}"));
    let started = Instant::now();
    while TcpStream::connect(&driver.1).is_err() {
        if started.elapsed() > Duration::from_secs(30) {
            return Err(io::Error::other("chromedriver did not start"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let profile =
        std::env::temp_dir().join(format!("roadmap-bench-chromium-{}", std::process::id()));
    let capabilities = serde_json::json!({"capabilities": {"alwaysMatch": {
        "browserName": "chrome",
        "goog:chromeOptions": {"binary": chromium, "args": [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--window-size=1280,800", format!("--user-data-dir={}", profile.display())
        ]}
    }}});
    let session = webdriver(&driver.1, "POST", "/session", &capabilities.to_string())?;
    let id = session["value"]["sessionId"]
        .as_str()
        .ok_or_else(|| io::Error::other(format!("no WebDriver session: {session}")))?
        .to_owned();
    let mut paints = Vec::new();
    for _ in 0..7 {
        let url = serde_json::json!({ "url": format!("http://{address}/") }).to_string();
        webdriver(&driver.1, "POST", &format!("/session/{id}/url"), &url)?;
        let script = serde_json::json!({"script": "const p = performance.getEntriesByName('first-contentful-paint')[0]; return p ? p.startTime : null", "args": []}).to_string();
        let value = webdriver(
            &driver.1,
            "POST",
            &format!("/session/{id}/execute/sync"),
            &script,
        )?;
        if let Some(ms) = value["value"].as_f64() {
            paints.push(Duration::from_secs_f64(ms / 1000.0));
        }
    }
    let _ = webdriver(&driver.1, "DELETE", &format!("/session/{id}"), "");
    let _ = std::fs::remove_dir_all(&profile);
    let count = paints.len();
    Ok((count > 0).then(|| (median(paints), count)))
}

/// One WebDriver command over a fresh connection; the parsed JSON answer.
fn webdriver(address: &str, method: &str, path: &str, body: &str) -> io::Result<serde_json::Value> {
    let mut stream = TcpStream::connect(address)?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    // chromedriver keeps the connection open: the answer ends at its Content-Length.
    let mut bytes = Vec::new();
    let mut buffer = [0u8; 16 * 1024];
    let answer = loop {
        let read = stream.read(&mut buffer)?;
        bytes.extend_from_slice(&buffer[..read]);
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let Some((head, body)) = text.split_once("\r\n\r\n") else {
            if read == 0 {
                break text;
            }
            continue;
        };
        let length = head.lines().find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        });
        if read == 0 || length.is_some_and(|length| body.len() >= length) {
            break text;
        }
    };
    let json = answer.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    let json = json
        .find('{')
        .and_then(|start| json.rfind('}').map(|end| &json[start..=end]))
        .unwrap_or("null");
    serde_json::from_str(json)
        .map_err(|e| io::Error::other(format!("{method} {path}: {e}: {answer}")))
}

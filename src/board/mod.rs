//! `roadmap serve`: a live, read-only web board of this worktree's issues, from the cache.
//!
//! A thread per connection (each request gets its own, so an open event stream never holds up
//! a page), at most [`MAX_CONNECTIONS`] at once; one more thread watches the cache ([`live`]).
//! Requests read the cache read-only and never sync or take the sync lock: hooks never wait
//! on the board. Pages are rendered on the server (`routes`, `board_page`, `detail_pages`,
//! `html`); the embedded script only listens to `/events` and refetches the page's `<main>`.
//! Requests whose `Host` is not the address the board serves are refused, so a web page
//! elsewhere cannot read the board through a rebinding DNS name.

mod board_page;
mod detail_pages;
pub mod filters;
pub mod html;
pub mod http;
pub mod live;
pub mod routes;

use crate::workspace::Workspace;
use routes::Site;
use std::io::Write;
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Connections served at once; more get a 503 (each is a thread; an event stream lives as
/// long as its tab).
pub const MAX_CONNECTIONS: usize = 256;
/// How often an idle event stream sends a comment, so a closed tab is noticed.
const KEEPALIVE: Duration = Duration::from_secs(15);

/// Where to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub bind: IpAddr,
    /// 0: a free port.
    pub port: u16,
}

/// A bound board, ready to serve.
pub struct Board {
    listener: TcpListener,
    site: Arc<Site>,
    hosts: Vec<String>,
}

impl Board {
    /// Binds the address of `options` for the cache of `workspace`.
    pub fn bind(workspace: &Workspace, options: &ServeOptions) -> std::io::Result<Self> {
        let listener = TcpListener::bind(SocketAddr::new(options.bind, options.port))?;
        let address = listener.local_addr()?;
        let port = address.port();
        let mut hosts = vec![host_of(address), format!("localhost:{port}")];
        if address.ip().is_loopback() {
            hosts.push(format!("127.0.0.1:{port}"));
            hosts.push(format!("[::1]:{port}"));
        }
        Ok(Board {
            listener,
            site: Arc::new(Site {
                cache_dir: workspace.cache_dir(),
                work_dir: workspace.work_dir().to_owned(),
                live: live::Live::default(),
            }),
            hosts,
        })
    }

    /// The URL the board answers at.
    pub fn url(&self) -> std::io::Result<String> {
        Ok(format!("http://{}/", host_of(self.listener.local_addr()?)))
    }

    /// Serves for ever: starts the watcher on `workspace`, then answers connections.
    pub fn serve(self, workspace: Workspace) -> ! {
        let site = Arc::clone(&self.site);
        let watcher = live::Watcher::start(&workspace, &site.live);
        std::thread::Builder::new()
            .name("roadmap-serve-watch".into())
            .spawn(move || watcher.run(&workspace, &site.live))
            .expect("a thread can be started at startup");
        let any_host = self
            .listener
            .local_addr()
            .is_ok_and(|a| a.ip().is_unspecified());
        let hosts = Arc::new(if any_host { Vec::new() } else { self.hosts });
        let open = Arc::new(AtomicUsize::new(0));
        for stream in self.listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            if open.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
                let _ = busy(&mut stream);
                continue;
            }
            open.fetch_add(1, Ordering::SeqCst);
            let (site, hosts, count) = (
                Arc::clone(&self.site),
                Arc::clone(&hosts),
                Arc::clone(&open),
            );
            let spawned = std::thread::Builder::new()
                .name("roadmap-serve-request".into())
                .spawn(move || {
                    connection(stream, &site, &hosts);
                    count.fetch_sub(1, Ordering::SeqCst);
                });
            if spawned.is_err() {
                open.fetch_sub(1, Ordering::SeqCst);
            }
        }
        unreachable!("TcpListener::incoming never ends")
    }
}

fn host_of(address: SocketAddr) -> String {
    match address.ip() {
        IpAddr::V6(ip) => format!("[{ip}]:{}", address.port()),
        IpAddr::V4(ip) => format!("{ip}:{}", address.port()),
    }
}

fn busy(stream: &mut TcpStream) -> std::io::Result<()> {
    stream.set_write_timeout(Some(Duration::from_secs(1)))?;
    http::Response::text(503, "too many open connections; close a tab and reload").write_to(stream)
}

/// Answers one connection: a request, or an event stream for as long as the page is open.
fn connection(mut stream: TcpStream, site: &Site, hosts: &[String]) {
    // Events are small writes that must leave at once.
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(http::READ_TIMEOUT));
    let _ = stream.set_write_timeout(Some(http::READ_TIMEOUT));
    let request = match http::read_request(&mut stream) {
        Ok(request) => request,
        Err(Some(response)) => {
            let _ = response.write_to(&mut stream);
            linger(&mut stream);
            return;
        }
        Err(None) => return,
    };
    let host_allowed = hosts.is_empty()
        || request
            .host
            .as_deref()
            .is_some_and(|host| hosts.iter().any(|h| h.eq_ignore_ascii_case(host)));
    let response = if !host_allowed {
        http::Response::text(
            400,
            "the Host header does not name the address the board serves",
        )
    } else if request.segments == ["events"] && request.method == "GET" {
        let _ = events(&mut stream, &site.live);
        return;
    } else if request.segments.is_empty() && request.method == "GET" && !request.fragment {
        let _ = board(&mut stream, site, &request);
        return;
    } else {
        routes::respond(site, &request)
    };
    let _ = response.write_to(&mut stream);
}

/// The board page, its start sent before the columns are read (the end of the connection
/// ends the page: no length is known when it starts).
fn board(stream: &mut TcpStream, site: &Site, request: &http::Request) -> std::io::Result<()> {
    match routes::board_streamed(site, request) {
        Err(response) => response.write_to(stream),
        Ok((start, rest)) => {
            let mut head = http::head(200, "text/html; charset=utf-8");
            head.push_str("\r\n");
            head.push_str(&start);
            stream.write_all(head.as_bytes())?;
            stream.flush()?;
            stream.write_all(rest().as_bytes())?;
            stream.flush()
        }
    }
}

/// Reads what a client is still sending after an early answer (a head too large), for a
/// moment, before the connection closes: closing with unread input makes the kernel reset the
/// connection, and the client would lose the answer.
fn linger(stream: &mut TcpStream) {
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
    let mut sink = [0u8; 4096];
    let mut left: usize = 1 << 20;
    while let Ok(read @ 1..) = std::io::Read::read(stream, &mut sink) {
        left = left.saturating_sub(read);
        if left == 0 {
            break;
        }
    }
}

/// A server-sent event stream: an event each time the cache changes, until the page goes.
fn events(stream: &mut TcpStream, live: &live::Live) -> std::io::Result<()> {
    let mut seen = live.generation();
    let mut head = http::head(200, "text/event-stream");
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(format!("retry: 1000\nevent: hello\ndata: {seen}\n\n").as_bytes())?;
    stream.flush()?;
    loop {
        let now = live.wait_past(seen, KEEPALIVE);
        if now > seen {
            seen = now;
            stream.write_all(format!("data: {seen}\n\n").as_bytes())?;
        } else {
            stream.write_all(b": still here\n\n")?;
        }
        stream.flush()?;
    }
}

/// Opens `url` in the desktop's browser with `xdg-open`, without waiting for it; an error says
/// why it could not (no `xdg-open`, as on a server).
pub fn open_in_browser(url: &str) -> Result<(), String> {
    let opener = which::which("xdg-open").map_err(|_| "xdg-open is not installed".to_owned())?;
    std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(drop)
        .map_err(|e| format!("xdg-open failed to start: {e}"))
}

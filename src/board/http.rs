//! The board's HTTP/1.1, as little as it needs: one request per connection (every response
//! closes it), the head parsed by `httparse` (hyper's parser, already built for ureq), the
//! target split into decoded path segments and query pairs. Whatever a client sends ends in an
//! answer (400, 405, 431) or a closed socket, never a panic.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Longest request head read; a browser's is well under 2 KiB.
const MAX_HEAD: usize = 16 * 1024;
/// How long a client may take to send its head (a slow one must not hold a thread).
pub const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A request the board can route: the method as sent, the path's segments percent-decoded
/// (empty ones dropped), the query's pairs decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub segments: Vec<String>,
    pub query: QueryPairs,
    pub host: Option<String>,
    /// The page asked for its `<main>` only (the live update's refetch).
    pub fragment: bool,
}

/// What the board answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// A page or fragment of HTML.
    #[must_use]
    pub fn html(status: u16, body: String) -> Self {
        Response {
            status,
            content_type: "text/html; charset=utf-8",
            headers: Vec::new(),
            body: body.into_bytes(),
        }
    }

    /// A one-line plain-text answer (errors of requests no page asked for, such as assets).
    #[must_use]
    pub fn text(status: u16, message: &str) -> Self {
        Response {
            status,
            content_type: "text/plain; charset=utf-8",
            headers: Vec::new(),
            body: format!("{message}\n").into_bytes(),
        }
    }

    /// An embedded asset.
    #[must_use]
    pub fn asset(content_type: &'static str, body: &'static str) -> Self {
        Response {
            status: 200,
            content_type,
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    /// Writes the whole response in one write; the connection is closed after it. (Head and
    /// body written apart cost a delayed acknowledgement, ~30 ms a page, measured.)
    pub fn write_to(&self, stream: &mut impl Write) -> std::io::Result<()> {
        let mut head = head(self.status, self.content_type);
        head.push_str(&format!("Content-Length: {}\r\n", self.body.len()));
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let mut whole = head.into_bytes();
        whole.extend_from_slice(&self.body);
        stream.write_all(&whole)?;
        stream.flush()
    }
}

/// The status line and the headers every answer carries. The content security policy allows
/// only the board's own script and style: even an escaping bug could not run a script that
/// came from an issue.
#[must_use]
pub fn head(status: u16, content_type: &str) -> String {
    format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\nConnection: close\r\n\
         Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\n\
         Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'\r\n",
        reason(status)
    )
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Internal Server Error",
    }
}

/// Reads one request head from `stream`. `Err(None)`: the client went away or sent nothing in
/// time (nothing to answer); `Err(Some(response))`: what to answer a malformed request.
pub fn read_request(stream: &mut TcpStream) -> Result<Request, Option<Response>> {
    let mut buffer = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    loop {
        let read = match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return Err(None),
            Ok(read) => read,
        };
        buffer.extend_from_slice(&chunk[..read]);
        match parse(&buffer)? {
            Some(request) => return Ok(request),
            None if buffer.len() >= MAX_HEAD => {
                return Err(Some(Response::text(431, "the request head is too large")));
            }
            None => {}
        }
    }
}

/// Parses a request head: `Ok(None)` while it is incomplete.
pub fn parse(bytes: &[u8]) -> Result<Option<Request>, Option<Response>> {
    let mut headers = [httparse::EMPTY_HEADER; 48];
    let mut request = httparse::Request::new(&mut headers);
    let bad = |message: &str| Some(Response::text(400, message));
    match request.parse(bytes) {
        Ok(httparse::Status::Partial) => return Ok(None),
        Ok(httparse::Status::Complete(_)) => {}
        Err(httparse::Error::TooManyHeaders) => {
            return Err(Some(Response::text(431, "too many request headers")));
        }
        Err(error) => return Err(bad(&format!("malformed request: {error}"))),
    }
    let (Some(method), Some(target)) = (request.method, request.path) else {
        return Err(bad("malformed request line"));
    };
    let header = |name: &str| {
        request
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .and_then(|h| std::str::from_utf8(h.value).ok())
            .map(str::to_owned)
    };
    let (segments, query) = split_target(target).map_err(|message| bad(&message))?;
    Ok(Some(Request {
        method: method.to_owned(),
        segments,
        query,
        host: header("host"),
        fragment: header("x-board-fragment").is_some(),
    }))
}

/// A query's decoded `(key, value)` pairs, in order.
type QueryPairs = Vec<(String, String)>;

/// Splits an origin-form target (`/issue/ab%20c?status=todo`) into decoded path segments and
/// query pairs.
fn split_target(target: &str) -> Result<(Vec<String>, QueryPairs), String> {
    if !target.starts_with('/') {
        return Err(format!("the request target `{target}` is not a path"));
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let path = path.split_once('#').map_or(path, |(path, _)| path);
    let mut segments = Vec::new();
    for raw in path.split('/').filter(|s| !s.is_empty()) {
        let decoded = percent_encoding::percent_decode_str(raw)
            .decode_utf8()
            .map_err(|_| format!("the path segment `{raw}` is not UTF-8 once decoded"))?;
        segments.push(decoded.into_owned());
    }
    let pairs = form_urlencoded::parse(query.as_bytes())
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect();
    Ok((segments, pairs))
}

/// Percent-encodes `text` for a path segment or a query value.
#[must_use]
pub fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// What a path segment keeps as it is: letters, digits and RFC 3986's unreserved marks.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes `text` for a path segment (`%20` for a space, which `+` is not in a path;
/// `%2F` for a slash).
#[must_use]
pub fn encode_segment(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, SEGMENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_complete_head_is_split_into_decoded_segments_and_pairs() {
        let request = parse(
            b"GET /issue/a%20b/?status=todo&label=x%2By&q=two+words HTTP/1.1\r\nHost: 127.0.0.1:80\r\n\r\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(request.segments, ["issue", "a b"]);
        assert_eq!(
            request.query,
            [
                ("status".to_owned(), "todo".to_owned()),
                ("label".to_owned(), "x+y".to_owned()),
                ("q".to_owned(), "two words".to_owned())
            ]
        );
        assert_eq!(request.host.as_deref(), Some("127.0.0.1:80"));
    }

    #[test]
    fn an_incomplete_head_waits_and_garbage_is_a_400() {
        assert_eq!(parse(b"GET / HTTP/1.1\r\nHost: x").unwrap(), None);
        assert_eq!(
            parse(b"\x00\x01 nonsense\r\n\r\n")
                .unwrap_err()
                .unwrap()
                .status,
            400
        );
        assert_eq!(
            parse(b"GET http://x/ HTTP/1.1\r\n\r\n")
                .unwrap_err()
                .unwrap()
                .status,
            400
        );
        assert_eq!(
            parse(b"GET /%ff HTTP/1.1\r\n\r\n")
                .unwrap_err()
                .unwrap()
                .status,
            400
        );
    }

    #[test]
    fn segments_round_trip_through_their_encoding() {
        let odd = "v1.0 / <b>&?#%";
        let target = format!("/milestone/{}", encode_segment(odd));
        let (segments, _) = split_target(&target).unwrap();
        assert_eq!(segments, ["milestone", odd]);
    }
}

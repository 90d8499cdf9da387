//! A look's side of the watcher (see [`super`]): ask it what changed, or start it.

use super::{Answer, SUBCOMMAND, Token, socket_name};
use std::ffi::OsStr;
use std::io::{Read as _, Write as _};
use std::os::linux::net::SocketAddrExt as _;
use std::os::unix::net::{SocketAddr, UnixStream};
use std::path::Path;
use std::time::Duration;

/// Whether looks use a watcher at all: not when `ROADMAP_WATCH=0`.
#[must_use]
pub fn allowed() -> bool {
    std::env::var_os("ROADMAP_WATCH").is_none_or(|v| v != "0")
}

/// Asks the watcher of the working tree at `work_dir` what changed since `since`; `None`
/// when none runs (or it answers nothing sensible within half a second).
#[must_use]
pub fn ask(work_dir: &Path, since: Option<Token>) -> Option<Answer> {
    if !allowed() {
        return None;
    }
    let question = match since {
        Some(token) => format!("since {token}\n"),
        None => "since none\n".to_owned(),
    };
    parse(&exchange(work_dir, &question)?)
}

/// Stops the watcher of the working tree at `work_dir`; whether one ran.
pub fn stop(work_dir: &Path) -> bool {
    exchange(work_dir, "stop\n").is_some_and(|reply| reply == b"stopping\n")
}

/// Sends `question` to the watcher of `work_dir` and reads its whole reply.
fn exchange(work_dir: &Path, question: &str) -> Option<Vec<u8>> {
    let work_dir = std::fs::canonicalize(work_dir).ok()?;
    // SAFETY: no arguments, cannot fail.
    let uid = unsafe { libc::geteuid() };
    let name = socket_name(&work_dir, uid);
    let address = SocketAddr::from_abstract_name(name.as_bytes()).ok()?;
    let mut stream = UnixStream::connect_addr(&address).ok()?;
    // Anyone may bind an abstract name: only our own user's watcher is believed.
    if super::daemon::peer_uid(&stream) != Some(uid) {
        return None;
    }
    let timeout = Some(Duration::from_millis(500));
    stream.set_read_timeout(timeout).ok()?;
    stream.set_write_timeout(timeout).ok()?;
    stream.write_all(question.as_bytes()).ok()?;
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).ok()?;
    Some(reply)
}

fn parse(reply: &[u8]) -> Option<Answer> {
    let end = reply.iter().position(|&b| b == b'\n')?;
    let head = std::str::from_utf8(&reply[..end]).ok()?;
    let mut words = head.split(' ');
    let kind = words.next()?;
    let token = Token::parse(words.next()?)?;
    match kind {
        "everything" => Some(Answer::Everything(token)),
        "changed" => {
            let count: usize = words.next()?.parse().ok()?;
            let body = std::str::from_utf8(&reply[end + 1..]).ok()?;
            let paths: Vec<String> = body.split_terminator('\0').map(ToOwned::to_owned).collect();
            (paths.len() == count).then_some(Answer::Changed(token, paths))
        }
        _ => None,
    }
}

/// Starts a watcher for the working tree at `work_dir`, detached (its own process group, no
/// terminal, no pipes: nobody waits for it). One already running makes the new one stop at
/// once. Best effort: without one, looks stat every file as before.
pub fn start(work_dir: &Path) {
    if !allowed() {
        return;
    }
    // Only the `roadmap` binary runs the watcher (a test binary given this subcommand would
    // run its tests instead).
    let Some(exe) = std::env::current_exe()
        .ok()
        .filter(|exe| exe.file_name().is_some_and(|name| name == "roadmap"))
    else {
        return;
    };
    let Ok(work_dir) = std::fs::canonicalize(work_dir) else {
        return;
    };
    // It would refuse at once: not worth a process per query.
    if super::daemon::remote_file_system(&work_dir) {
        return;
    }
    let _ = crate::detached::spawn_program(
        &exe,
        &[OsStr::new(SUBCOMMAND), work_dir.as_os_str()],
        Some(Path::new("/")),
    );
}

#[cfg(test)]
mod tests {
    use super::super::daemon::{self, Stop};
    use super::*;

    #[test]
    fn replies_read_back() {
        let token = Token {
            instance: 7,
            seq: 9,
        };
        assert_eq!(parse(b"everything 7:9\n"), Some(Answer::Everything(token)));
        assert_eq!(
            parse(b"changed 7:9 2\n.roadmap/issues/a.md\0.roadmap/issues\0"),
            Some(Answer::Changed(
                token,
                vec![".roadmap/issues/a.md".into(), ".roadmap/issues".into()]
            ))
        );
        assert_eq!(parse(b"changed 7:9 3\na\0b\0"), None, "cut short");
        assert_eq!(
            parse(b"changed 7:9 0\n"),
            Some(Answer::Changed(token, vec![]))
        );
        assert_eq!(parse(b"what 7:9\n"), None);
        assert_eq!(parse(b""), None);
    }

    /// Asks until the watcher started in a thread answers.
    fn first_answer(dir: &Path) -> Answer {
        for _ in 0..200 {
            if let Some(answer) = ask(dir, None) {
                return answer;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("the watcher never answered");
    }

    fn changed(answer: Answer) -> (Token, Vec<String>) {
        match answer {
            Answer::Changed(token, mut paths) => {
                paths.sort();
                (token, paths)
            }
            other => panic!("expected the changed paths, got {other:?}"),
        }
    }

    #[test]
    fn a_watcher_reports_each_change_made_before_the_question_and_stops_with_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        let work = dir.path().join("work");
        let issues = work.join(".roadmap/issues");
        std::fs::create_dir_all(&issues).unwrap();
        std::fs::create_dir_all(work.join(".roadmap/db")).unwrap();
        std::fs::write(issues.join("a.md"), "a").unwrap();
        let watched = work.clone();
        let watcher = std::thread::spawn(move || daemon::run(&watched));

        let Answer::Everything(start) = first_answer(&work) else {
            panic!("no token given: everything");
        };
        let (token, paths) = changed(ask(&work, Some(start)).unwrap());
        assert!(paths.is_empty(), "nothing changed yet: {paths:?}");
        assert_eq!(token, start);

        // A hand edit, a new folder with a file made at once, and the tracker's projection.
        std::fs::write(issues.join("a.md"), "b").unwrap();
        std::fs::create_dir_all(work.join(".roadmap/issues/v2")).unwrap();
        std::fs::write(issues.join("v2/c.md"), "c").unwrap();
        std::fs::write(work.join(".roadmap/db/state.db"), "x").unwrap();
        let (next, paths) = changed(ask(&work, Some(token)).unwrap());
        assert!(
            paths.contains(&".roadmap/issues/a.md".to_owned()),
            "{paths:?}"
        );
        assert!(
            paths.contains(&".roadmap/issues/v2".to_owned()),
            "{paths:?}"
        );
        assert!(paths.contains(&".roadmap/issues".to_owned()), "{paths:?}");
        assert!(!paths.iter().any(|p| p.contains("/db/")), "{paths:?}");
        assert!(next.seq > token.seq);

        // Asked again from the new token: only what changed since.
        std::fs::remove_file(issues.join("v2/c.md")).unwrap();
        let (_, paths) = changed(ask(&work, Some(next)).unwrap());
        assert_eq!(paths, [".roadmap/issues/v2", ".roadmap/issues/v2/c.md"]);

        // Another watcher's token, or one from before a folder was moved: everything.
        let other = Token {
            instance: next.instance ^ 1,
            seq: 0,
        };
        assert!(matches!(
            ask(&work, Some(other)),
            Some(Answer::Everything(_))
        ));
        std::fs::rename(issues.join("v2"), issues.join("v3")).unwrap();
        assert!(matches!(
            ask(&work, Some(next)),
            Some(Answer::Everything(_))
        ));

        // A second watcher for the same tree stops at once.
        assert_eq!(daemon::run(&work), Stop::Running);

        std::fs::remove_dir_all(work.join(".roadmap")).unwrap();
        assert_eq!(watcher.join().unwrap(), Stop::NoRoadmap);
        assert_eq!(ask(&work, None), None, "the watcher is gone");
        assert!(!stop(&work), "no watcher to stop");
    }

    #[test]
    fn a_watcher_stops_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".roadmap/issues")).unwrap();
        let watched = dir.path().to_owned();
        let watcher = std::thread::spawn(move || daemon::run(&watched));
        first_answer(dir.path());
        assert!(stop(dir.path()));
        assert_eq!(watcher.join().unwrap(), Stop::Asked);
        assert_eq!(ask(dir.path(), None), None);
    }
}

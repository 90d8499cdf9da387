//! The backfill's progress bar: one `\r`-rewritten line on stderr, only on a terminal and only
//! once the walk has taken half a second (a chart that extends the log by a commit or two
//! shows nothing).

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Width of the bar itself, in characters: the whole line fits 80 columns up to a million
/// commits, so `\r` rewrites it in place.
const BAR: usize = 24;

pub(super) struct Progress {
    shown: bool,
    drawn: bool,
    total: usize,
    done: usize,
    started: Instant,
    last_draw: Instant,
}

impl Progress {
    pub(super) fn new(wanted: bool, total: usize) -> Self {
        let now = Instant::now();
        Progress {
            shown: wanted && std::io::stderr().is_terminal(),
            drawn: false,
            total,
            done: 0,
            started: now,
            last_draw: now,
        }
    }

    pub(super) fn tick(&mut self) {
        self.done += 1;
        let due = self.last_draw.elapsed() >= Duration::from_millis(100);
        if self.shown && due && self.started.elapsed() >= Duration::from_millis(500) {
            self.last_draw = Instant::now();
            self.drawn = true;
            let filled = (self.done * BAR) / self.total.max(1);
            let mut stderr = std::io::stderr().lock();
            let _ = write!(
                stderr,
                "\rroadmap: reading history [{}{}] {}/{} commits",
                "#".repeat(filled),
                ".".repeat(BAR - filled.min(BAR)),
                self.done,
                self.total
            );
            let _ = stderr.flush();
        }
    }

    pub(super) fn finish(&self) {
        if self.drawn {
            eprint!("\r\x1b[K");
        }
    }
}

//! The clock a sync waits by. Normally the system's; with `ROADMAP_SYNC_TEST_CLOCK=fast` a
//! virtual one whose waits return at once, so tests of rate limits never sleep. The virtual time
//! then goes to the test server in `X-Roadmap-Test-Clock`, so it can enforce limits per minute.

use super::github::GitHubError;
use super::http::Response;
use std::io::IsTerminal as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The environment variable that selects the virtual clock (value `fast`), for tests.
pub const TEST_CLOCK_VAR: &str = "ROADMAP_SYNC_TEST_CLOCK";

/// The longest single wait before giving up with an error (run the sync again later).
const MAX_WAIT: Duration = Duration::from_secs(15 * 60);

/// Time as the sync sees it, and how long it waited.
#[derive(Debug, Default)]
pub struct Clock {
    fast: bool,
    /// How far the virtual clock is ahead of the system's.
    offset: Duration,
    /// Time spent waiting for GitHub (rate limits, pacing, retries).
    pub waited: Duration,
}

impl Clock {
    /// The system clock, or the virtual one when [`TEST_CLOCK_VAR`] says `fast`.
    #[must_use]
    pub fn from_env() -> Self {
        Clock {
            fast: std::env::var(TEST_CLOCK_VAR).as_deref() == Ok("fast"),
            ..Clock::default()
        }
    }

    #[must_use]
    pub fn now(&self) -> SystemTime {
        SystemTime::now() + self.offset
    }

    /// Waits `duration` (or moves the virtual clock on by it).
    pub fn sleep(&mut self, duration: Duration) {
        self.waited += duration;
        if self.fast {
            self.offset += duration;
        } else {
            if duration >= Duration::from_secs(3) && std::io::stderr().is_terminal() {
                eprintln!(
                    "roadmap: waiting {}s for GitHub's rate limit",
                    duration.as_secs()
                );
            }
            std::thread::sleep(duration);
        }
    }

    /// Waits until `until`, unless that is further away than a sync should wait.
    pub fn wait_until(&mut self, until: SystemTime) -> Result<(), GitHubError> {
        let wait = until.duration_since(self.now()).unwrap_or(Duration::ZERO);
        if wait > MAX_WAIT {
            return Err(GitHubError::RateLimited(wait.as_secs()));
        }
        if !wait.is_zero() {
            self.sleep(wait);
        }
        Ok(())
    }

    /// `Retry-After: N` as a point in time.
    #[must_use]
    pub fn retry_after(&self, response: &Response) -> Option<SystemTime> {
        let seconds: u64 = response.header("retry-after")?.trim().parse().ok()?;
        Some(self.now() + Duration::from_secs(seconds))
    }

    /// The header that tells the test server the virtual time, in fast mode only.
    #[must_use]
    pub fn test_header(&self) -> Option<String> {
        let millis = self.now().duration_since(UNIX_EPOCH).ok()?.as_millis();
        self.fast.then(|| format!("X-Roadmap-Test-Clock: {millis}"))
    }
}

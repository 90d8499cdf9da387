//! Timing whole processes: spawn, drain stdout, reap. Commands compared with each other are
//! timed in the same run, one block of runs after the other, each block warmed by an untimed
//! run. Peak memory comes from a separate run through a small probe process (see [`probe_main`]).

use std::ffi::OsString;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Every timed run of one command, and its peak memory.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    pub runs: Vec<Duration>,
    /// Peak resident set of the command (and of the children it reaped), in KiB.
    pub peak_rss_kib: u64,
}

impl Sample {
    /// The median wall time (the mean of the two middle runs for an even count).
    #[must_use]
    pub fn median(&self) -> Duration {
        let mut walls = self.runs.clone();
        walls.sort_unstable();
        match walls.len() {
            0 => Duration::ZERO,
            n if n % 2 == 1 => walls[n / 2],
            n => (walls[n / 2 - 1] + walls[n / 2]) / 2,
        }
    }

    /// The peak RSS in MB (10^6 bytes, as the targets are stated).
    #[must_use]
    pub fn peak_rss_mb(&self) -> f64 {
        self.peak_rss_kib as f64 * 1024.0 / 1e6
    }
}

/// How many times to run each command.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Timed runs of a fast command, after one untimed warm-up run.
    pub runs: usize,
    /// Fewer runs for a slow command: about this much time per command, but never fewer
    /// than `min_runs`.
    pub budget: Duration,
    pub min_runs: usize,
}

impl Plan {
    /// The plan for tools that take seconds per run: a run slower than half the budget is
    /// timed once, and its warm-up counts as that run.
    #[must_use]
    pub fn for_slow_peers(self) -> Plan {
        Plan {
            min_runs: 1,
            ..self
        }
    }

    fn runs_after(&self, warmup: Duration) -> usize {
        let affordable = (self.budget.as_secs_f64() / warmup.as_secs_f64().max(1e-6)) as usize;
        affordable.clamp(self.min_runs.min(self.runs), self.runs)
    }
}

type Step<'a> = Box<dyn Fn() -> io::Result<()> + 'a>;

/// A command to time, with untimed steps around each run.
pub struct Job<'a> {
    pub name: String,
    command: Box<dyn Fn() -> Command + 'a>,
    /// Puts the repository in the state the run starts from (e.g. the cache one commit behind).
    before: Option<Step<'a>>,
    /// Checks that the run did the work it is credited with.
    after: Option<Step<'a>>,
}

/// What one run of a job gave.
struct Outcome {
    wall: Duration,
    stdout: Vec<u8>,
    /// Only from a run through the probe.
    peak_rss_kib: Option<u64>,
}

impl<'a> Job<'a> {
    pub fn new(name: impl Into<String>, command: impl Fn() -> Command + 'a) -> Self {
        Job {
            name: name.into(),
            command: Box::new(command),
            before: None,
            after: None,
        }
    }

    #[must_use]
    pub fn before_each(mut self, step: impl Fn() -> io::Result<()> + 'a) -> Self {
        self.before = Some(Box::new(step));
        self
    }

    #[must_use]
    pub fn after_each(mut self, step: impl Fn() -> io::Result<()> + 'a) -> Self {
        self.after = Some(Box::new(step));
        self
    }

    /// One run; `warm_up` keeps stdout and goes through the probe for the peak RSS.
    fn run(&self, warm_up: bool) -> io::Result<Outcome> {
        if let Some(before) = &self.before {
            before().map_err(|e| context(&self.name, "preparing", e))?;
        }
        let command = (self.command)();
        let named = |e| context(&self.name, "", e);
        let outcome = if warm_up {
            let report = temp_file("rss");
            let (wall, stdout) =
                run(&mut through_probe(&command, &report)?, true).map_err(named)?;
            let peak = std::fs::read_to_string(&report)?;
            Outcome {
                wall,
                stdout,
                peak_rss_kib: peak.trim().parse().ok(),
            }
        } else {
            let mut command = command;
            let (wall, _) = run(&mut command, false).map_err(named)?;
            Outcome {
                wall,
                stdout: Vec::new(),
                peak_rss_kib: None,
            }
        };
        if let Some(after) = &self.after {
            after().map_err(|e| context(&self.name, "checking", e))?;
        }
        Ok(outcome)
    }
}

fn context(name: &str, doing: &str, error: io::Error) -> io::Error {
    let doing = if doing.is_empty() {
        String::new()
    } else {
        format!("{doing} ")
    };
    io::Error::new(error.kind(), format!("{doing}`{name}`: {error}"))
}

/// What [`compare`] measured: a sample per job, and each job's stdout from its warm-up run.
pub struct Comparison {
    pub samples: Vec<Sample>,
    pub outputs: Vec<Vec<u8>>,
}

/// Runs each job once untimed (keeping its output and taking its peak RSS), then times each
/// job's runs in a block.
pub fn compare(jobs: &[Job<'_>], plan: Plan) -> io::Result<Comparison> {
    let mut samples = Vec::with_capacity(jobs.len());
    let mut warmups = Vec::with_capacity(jobs.len());
    let mut outputs = Vec::with_capacity(jobs.len());
    for job in jobs {
        let outcome = job.run(true)?;
        samples.push(Sample {
            runs: Vec::new(),
            peak_rss_kib: outcome.peak_rss_kib.unwrap_or(0),
        });
        warmups.push(outcome.wall);
        outputs.push(outcome.stdout);
    }
    let slowest = warmups.iter().copied().max().unwrap_or_default();
    let runs = plan.runs_after(slowest);
    // A command too slow for more than one run in the budget is timed once: its warm-up (the
    // probe around it adds about a millisecond to a run of many seconds).
    if runs == 1 && slowest * 2 > plan.budget {
        for (sample, warmup) in samples.iter_mut().zip(warmups) {
            sample.runs.push(warmup);
        }
        return Ok(Comparison { samples, outputs });
    }
    // Job by job, as hyperfine does, each block after one more untimed run: interleaving runs
    // one by one made a 2 ms command 0.6 ms slower right after a heavy baseline had run.
    for (job, sample) in jobs.iter().zip(samples.iter_mut()) {
        if jobs.len() > 1 {
            job.run(false)?;
        }
        for _ in 0..runs {
            sample.runs.push(job.run(false)?.wall);
        }
    }
    Ok(Comparison { samples, outputs })
}

/// Removes the temporary files this bench process made.
pub fn remove_temp_files() {
    for kind in ["rss", "stderr"] {
        let _ = std::fs::remove_file(temp_file(kind));
    }
}

/// A file in the temporary directory for this bench process.
fn temp_file(kind: &str) -> PathBuf {
    std::env::temp_dir().join(format!("roadmap-bench-{}.{kind}", std::process::id()))
}

/// Runs `command` to completion: wall time from spawn to reaped exit, stdout drained (and kept
/// when asked). Its stderr goes to a file, so a chatty child never blocks on a full pipe while
/// we drain stdout. A non-zero exit is an error carrying the start of stderr.
pub fn run(command: &mut Command, keep_stdout: bool) -> io::Result<(Duration, Vec<u8>)> {
    let stderr_path = temp_file("stderr");
    let stderr = File::create(&stderr_path)?;
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr);
    let started = Instant::now();
    let mut child = command.spawn()?;
    let mut stdout = child.stdout.take().expect("stdout was set to piped");
    let mut kept = Vec::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        match stdout.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) if keep_stdout => kept.extend_from_slice(&buffer[..n]),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let status = child.wait()?;
    let wall = started.elapsed();
    if !status.success() {
        let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
        let first: Vec<&str> = stderr.lines().take(5).collect();
        return Err(io::Error::other(format!(
            "{command:?} exited with {status}: {}",
            first.join(" / ")
        )));
    }
    Ok((wall, kept))
}

/// Set to a file path: this process is the memory probe ([`probe_main`]), not the bench.
pub const PROBE_ENV: &str = "ROADMAP_BENCH_RSS_PROBE";

/// Whether this process was started as the memory probe.
#[must_use]
pub fn probe_requested() -> bool {
    std::env::var_os(PROBE_ENV).is_some()
}

/// The same command, run through the probe: this bench binary, freshly started, which runs it
/// and writes its peak RSS to `report`.
fn through_probe(command: &Command, report: &Path) -> io::Result<Command> {
    let mut probe = Command::new(std::env::current_exe()?);
    probe
        .env(PROBE_ENV, report)
        .arg(command.get_program())
        .args(command.get_args());
    if let Some(dir) = command.get_current_dir() {
        probe.current_dir(dir);
    }
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => probe.env(key, value),
            None => probe.env_remove(key),
        };
    }
    Ok(probe)
}

/// The memory probe: runs the command in its arguments with inherited stdio, reaps it with
/// `wait4`, writes its `ru_maxrss` (KiB) to the file named by [`PROBE_ENV`] and exits with its
/// code. Why a probe: Linux counts the memory a process had before `exec` in its `ru_maxrss`,
/// and std spawns with vfork, so a child of the bench would report at least the bench's own
/// peak (which holds 100k rows of JSON output at times). The probe is small and new.
pub fn probe_main() -> i32 {
    let report = std::env::var_os(PROBE_ENV).unwrap_or_default();
    let mut args = std::env::args_os().skip(1);
    let program = args.next().unwrap_or_else(|| OsString::from("true"));
    let mut command = Command::new(program);
    command.args(args).env_remove(PROBE_ENV);
    let outcome = command
        .spawn()
        .and_then(|child| reap(child.id()))
        .and_then(|(exit, rss)| std::fs::write(&report, rss.to_string()).map(|()| exit));
    match outcome {
        Ok(exit) => exit.unwrap_or(1),
        Err(error) => {
            eprintln!("rss probe: {error}");
            1
        }
    }
}

/// Waits for `pid` with `wait4`, which reports that child's own resource use (getrusage's
/// RUSAGE_CHILDREN would give the maximum over every child so far). Returns the exit code
/// (`None` when killed by a signal) and the peak RSS in KiB.
fn reap(pid: u32) -> io::Result<(Option<i32>, u64)> {
    let pid = libc::pid_t::try_from(pid).map_err(io::Error::other)?;
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 fills it and `status` for our own child `pid`, which
    // std has not reaped (we never call `Child::wait` on it).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if reaped == pid {
            break;
        }
        let error = io::Error::last_os_error();
        if error.kind() != io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
    let exit = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    Ok((exit, u64::try_from(usage.ru_maxrss).unwrap_or(0)))
}

/// A duration as a person reads it: `1.93 ms`, `48.1 ms`, `2.41 s`.
#[must_use]
pub fn human(duration: Duration) -> String {
    let ms = duration.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 1000.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

/// How many times longer `slow` took than `fast`: `412×`, `1.3×`.
#[must_use]
pub fn ratio(slow: Duration, fast: Duration) -> String {
    let ratio = slow.as_secs_f64() / fast.as_secs_f64().max(1e-9);
    if ratio >= 100.0 {
        format!("{ratio:.0}×")
    } else if ratio >= 10.0 {
        format!("{ratio:.1}×")
    } else {
        format!("{ratio:.2}×")
    }
}

//! The oracles that do not share our code: the Python tracker's two lines installed by
//! `bench/install-peers.sh`, and PyYAML reading the issue files through the tracker's reader.
//! Under `CI=true` (set by `.ci/run`) a missing oracle fails the test instead of skipping it,
//! so CI can never pass by checking nothing.

use super::TestRepo;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// One line of the Python tracker (`roadmap-cli` on PyPI), as `TRACKERS.md` describes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackerLine {
    /// roadmap-cli 1.0.2, the legacy layout, in `target/bench-peers/venv/`.
    Legacy,
    /// roadmap-cli 0.3.1, what `pipx install roadmap-cli` gives today, in
    /// `target/bench-peers/venv-0.3/`.
    Current,
}

impl TrackerLine {
    fn venv(self) -> PathBuf {
        let peers = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-peers");
        match self {
            TrackerLine::Legacy => peers.join("venv"),
            TrackerLine::Current => peers.join("venv-0.3"),
        }
    }

    fn version(self) -> &'static str {
        match self {
            TrackerLine::Legacy => "1.0.2",
            TrackerLine::Current => "0.3.1",
        }
    }
}

/// Whether this run is CI's (`CI=true`), where nothing may be skipped.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| value == "true")
}

/// Returns `found`; when it is `None`, panics under CI and otherwise says on stderr which
/// check is skipped and how to get what it needs.
#[track_caller]
pub fn required<T>(found: Option<T>, what: &str) -> Option<T> {
    if found.is_none() {
        assert!(
            !in_ci(),
            "{what} is not installed and CI=true: run bench/install-peers.sh --trackers-only"
        );
        eprintln!("skipped: {what} is not installed; run bench/install-peers.sh --trackers-only");
    }
    found
}

/// The tracker of `line`: for the legacy line `ROADMAP_TEST_TRACKER` when set, else the one
/// `bench/install-peers.sh` installed. `None` (with a "skipped" line) only outside CI.
#[track_caller]
pub fn installed_tracker(line: TrackerLine) -> Option<PathBuf> {
    let found = match std::env::var_os("ROADMAP_TEST_TRACKER") {
        Some(path) if line == TrackerLine::Legacy => Some(PathBuf::from(path)),
        _ => Some(line.venv().join("bin/roadmap")),
    };
    required(
        found.filter(|path| path.is_file()),
        &format!("roadmap-cli {}", line.version()),
    )
}

/// A Python that can import PyYAML: the current tracker's venv (whose reader the oracle then
/// uses), else, outside CI, the first `python3` on PATH that has PyYAML.
#[track_caller]
pub fn pyyaml_python() -> Option<PathBuf> {
    let venv = TrackerLine::Current.venv().join("bin/python");
    if venv.is_file() {
        return Some(venv);
    }
    let system = (!in_ci())
        .then(|| PathBuf::from("python3"))
        .filter(|python| {
            Command::new(python)
                .args(["-c", "import yaml"])
                .output()
                .is_ok_and(|o| o.status.success())
        });
    required(system, "PyYAML (the venv of roadmap-cli 0.3.1)")
}

/// Asserts that `listed` (our `list --all --sort id --format json`) equals the issue files in
/// `dir`'s working tree, as the tracker's reader and PyYAML read them
/// (`tests/common/files_oracle.py`), never as our own parser does.
#[track_caller]
pub fn assert_listing_equals_files(listed: &serde_json::Value, dir: &Path) {
    let Some(python) = pyyaml_python() else {
        return;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/common/files_oracle.py");
    let mut child = Command::new(&python)
        .arg(&script)
        .arg(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("run {}: {e}", python.display()));
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("piped stdin");
        stdin
            .write_all(listed.to_string().as_bytes())
            .expect("write the listing to the oracle");
    }
    let output = child.wait_with_output().expect("wait for the oracle");
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

impl TestRepo {
    /// Asserts that the cache, as it stands (`--no-sync`), equals the issue files of the
    /// working tree read by the oracle.
    #[track_caller]
    pub fn assert_cache_equals_working_tree(&self) {
        assert_listing_equals_files(&self.listed(&["--no-sync"]), &self.root);
    }
}

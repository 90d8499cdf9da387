//! Bad input: whatever bytes an issue file holds, reading it never panics, ends in bounded
//! time, and either gives an issue or one clear, one-line reason; and a repository full of
//! odd files syncs, warns once per unreadable file, and lists every readable one.
//!
//! `fuzz/fuzz_targets/parse_issue.rs` feeds the same parser from cargo-fuzz; the property
//! test here runs in CI from a seeded generator (`ROADMAP_PARSE_SEED`, `ROADMAP_PARSE_CASES`).

use super::{LIST_ALL, list_in, scan_dir};
use crate::common::{IssueSpec, TestRepo};
use crate::corpus::{self, Rng};
use roadmap_hooks::issue::{FileContext, Issue, ParseError, to_json};
use roadmap_hooks::lines::legacy::layout::{RoadmapFile, classify};
use roadmap_hooks::record::Record;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// Far above what any input here needs in a debug build (the largest, a few megabytes, take
/// well under a second); an exponential blow-up (an alias bomb expanded) would take hours.
const TIME_BOUND: Duration = Duration::from_secs(5);

/// Where generated inputs pretend to live: the file name has an id, the folder a milestone.
const PATH: &str = ".roadmap/issues/v1-0/0a1b2c3d-generated.md";

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn parsing_any_bytes_never_panics_and_ends_in_bounded_time() {
    let seed = env_number("ROADMAP_PARSE_SEED", 0xbad_f11e);
    let cases = env_number("ROADMAP_PARSE_CASES", 1500);
    let mut rng = Rng::new(seed);
    for case in 0..cases {
        let (kind, bytes, same_as) = generate(&mut rng);
        let outcome = std::panic::catch_unwind(|| check(kind, &bytes, same_as.as_deref()));
        if let Err(panic) = outcome {
            let message = super::panic_message(panic.as_ref());
            panic!(
                "case {case} ({kind}) failed: {message}\n\
                 replay: ROADMAP_PARSE_SEED={seed} ROADMAP_PARSE_CASES={} cargo test parsing_any\n\
                 input ({} bytes): {:?}",
                case + 1,
                bytes.len(),
                String::from_utf8_lossy(&bytes[..bytes.len().min(400)])
            );
        }
    }
}

/// The properties every input must have; `same_as` is another input that must read the same.
fn check(kind: Kind, bytes: &[u8], same_as: Option<&[u8]>) {
    let Some(RoadmapFile::Issue(context)) = classify(PATH) else {
        unreachable!("PATH is an issue path")
    };
    let started = Instant::now();
    let parsed = Issue::parse(bytes, &context);
    let took = started.elapsed();
    assert!(took < TIME_BOUND, "parsing took {took:?}");
    // Reading twice costs too much for the few inputs of megabytes; the others are most.
    if bytes.len() < 64 * 1024 {
        assert_eq!(
            Issue::parse(bytes, &context),
            parsed,
            "the same bytes read the same"
        );
        match (&parsed, Record::read(PATH, bytes)) {
            (Ok(issue), Some(Record::Issue(read))) => assert_eq!(issue, &*read),
            (Err(error), Some(Record::Invalid(read))) => assert_eq!(error, &read),
            (parsed, record) => panic!("Issue::parse gave {parsed:?}, Record::read {record:?}"),
        }
    }
    match &parsed {
        Ok(issue) => {
            assert!(
                !issue.id.is_empty() && issue.id.trim() == issue.id,
                "{:?}",
                issue.id
            );
            for warning in &issue.warnings {
                assert!(
                    !warning.contains('\n'),
                    "a warning is one line: {warning:?}"
                );
            }
            let json: serde_json::Value =
                serde_json::from_str(&to_json(issue, PATH)).expect("to_json gives JSON");
            assert_eq!(json["id"], issue.id.as_str());
        }
        Err(error) => {
            let text = error.to_string();
            assert!(
                !text.contains('\n') && !text.is_empty(),
                "one line: {text:?}"
            );
        }
    }
    if let Some(other) = same_as {
        assert_eq!(
            fields(&parsed),
            fields(&Issue::parse(other, &context)),
            "reads differently from {:?}",
            String::from_utf8_lossy(&other[..other.len().min(400)])
        );
    }
    match kind {
        Kind::NotUtf8 => assert_eq!(parsed, Err(ParseError::NotUtf8)),
        Kind::NoClosingFence => assert_eq!(parsed, Err(ParseError::NoFrontmatter)),
        // Odd values are kept with a warning; the issue is never lost for them.
        Kind::WrongType | Kind::UnknownKeys => assert!(parsed.is_ok(), "{parsed:?}"),
        _ => {}
    }
}

/// What the tracker shows of an issue (not the body, whose line endings may differ, nor the
/// order keys came in), or the error.
fn fields(parsed: &Result<Issue, ParseError>) -> Result<String, ParseError> {
    parsed.clone().map(|issue| {
        format!(
            "{:?}",
            (
                issue.id,
                issue.title,
                issue.status,
                issue.priority,
                issue.issue_type,
                (
                    issue.labels,
                    issue.milestone,
                    issue.archived,
                    issue.assignee
                ),
                (issue.frontmatter.unknown, issue.warnings),
            )
        )
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    ArbitraryBytes,
    ArbitraryFrontmatter,
    Mutated,
    Crlf,
    Bom,
    NoClosingFence,
    DuplicateKey,
    WrongType,
    UnknownKeys,
    DeepNesting,
    AliasBomb,
    Huge,
    NotUtf8,
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self, f)
    }
}

/// One input: its kind, its bytes, and for some kinds another input that must read the same.
/// Most are cheap; the deep, bomb and huge kinds are rare.
fn generate(rng: &mut Rng) -> (Kind, Vec<u8>, Option<Vec<u8>>) {
    let valid = corpus::issue(rng.next_u64(), rng.below(1000)).text;
    let roll = rng.below(1000);
    let kind = match roll {
        0..150 => Kind::ArbitraryBytes,
        150..250 => Kind::ArbitraryFrontmatter,
        250..550 => Kind::Mutated,
        550..600 => Kind::Crlf,
        600..650 => Kind::Bom,
        650..700 => Kind::NoClosingFence,
        700..750 => Kind::DuplicateKey,
        750..850 => Kind::WrongType,
        850..940 => Kind::UnknownKeys,
        940..960 => Kind::DeepNesting,
        960..975 => Kind::AliasBomb,
        975..981 => Kind::Huge,
        _ => Kind::NotUtf8,
    };
    let mut same_as = None;
    let bytes = match kind {
        Kind::ArbitraryBytes => {
            let len = rng.below(2048);
            noise(rng, len)
        }
        Kind::ArbitraryFrontmatter => {
            let mut bytes = b"---\n".to_vec();
            let len = rng.below(512);
            bytes.extend(noise_from(rng, len, YAML_BYTES));
            bytes.extend(b"\n---\nbody\n");
            bytes
        }
        Kind::Mutated => mutate(rng, valid.into_bytes()),
        // Line endings and a byte-order mark change nothing the tracker reads.
        Kind::Crlf => {
            same_as = Some(valid.clone().into_bytes());
            valid.replace('\n', "\r\n").into_bytes()
        }
        Kind::Bom => {
            same_as = Some(valid.clone().into_bytes());
            format!("\u{feff}{valid}").into_bytes()
        }
        Kind::NoClosingFence => valid.replacen("\n---\n", "\n", 1).into_bytes(),
        // As PyYAML, the tracker's parser, reads it: the last value of a key wins.
        Kind::DuplicateKey => {
            let key = *rng.pick(&["id", "title", "status", "assignee", "x_custom"]);
            let last = |text: &str| text.replacen("\n---\n", &format!("\n{key}: second\n---\n"), 1);
            let without_key: String = valid
                .split_inclusive('\n')
                .filter(|line| !line.starts_with(&format!("{key}:")))
                .collect();
            same_as = Some(last(&without_key).into_bytes());
            last(&valid.replacen('\n', &format!("\n{key}: first\n"), 1)).into_bytes()
        }
        Kind::WrongType => wrong_type(rng, &valid).into_bytes(),
        Kind::UnknownKeys => {
            let extra: String = (0..1 + rng.below(5))
                .map(|i| format!("x_unknown_{i}: {}\n", rng.pick(ODD_VALUES)))
                .collect();
            valid
                .replacen("\n---\n", &format!("\n{extra}---\n"), 1)
                .into_bytes()
        }
        Kind::DeepNesting => deep_nesting(rng).into_bytes(),
        Kind::AliasBomb => alias_bomb(rng).into_bytes(),
        Kind::Huge => huge(rng, &valid).into_bytes(),
        Kind::NotUtf8 => {
            let mut bytes = valid.into_bytes();
            let at = rng.below(bytes.len());
            bytes.insert(at, *rng.pick(&[0xff, 0xc3, 0x80, 0xfe]));
            bytes
        }
    };
    (kind, bytes, same_as)
}

/// Bytes that make YAML do things: indicators, quotes, anchors, tags, breaks, tabs.
const YAML_BYTES: &[u8] = b"abc01 :-?[]{},#&*!|>'\"%@`\n\r\t\\~.=";

const TOKENS: &[&str] = &[
    "\n---\n",
    "---",
    ": ",
    "- ",
    "[",
    "]",
    "{",
    "}",
    "&a ",
    "*a",
    "!!binary ",
    "!!int ",
    "? ",
    "|\n  ",
    ">-\n  ",
    "'",
    "\"",
    "\\",
    "\t",
    "\r",
    "\u{feff}",
    "\0",
    "%YAML 1.1\n",
    "<<: *a\n",
    "~",
    "null",
    "0x1F",
    ".inf",
    "2025-13-45",
    "\u{2028}",
    "é",
    "🚀",
    "\n\n\n",
    "#",
];

const ODD_VALUES: &[&str] = &[
    "[1, 2, [3, {a: b}]]",
    "{nested: {deeper: [x, y]}, list: []}",
    "!!binary aGVsbG8=",
    "12e999",
    "-.inf",
    "yes",
    "~",
    "'quoted: with colon'",
    "\"\\u0041\\x42\"",
    "|\n  literal\n  block",
    "2025-01-01T00:00:00",
    "&anchor anchored",
    "0o17",
];

fn noise(rng: &mut Rng, len: usize) -> Vec<u8> {
    (0..len).map(|_| rng.next_u64() as u8).collect()
}

fn noise_from(rng: &mut Rng, len: usize, alphabet: &[u8]) -> Vec<u8> {
    (0..len).map(|_| *rng.pick(alphabet)).collect()
}

/// A few random edits of a valid file: bytes flipped, tokens inserted, ranges cut, lines
/// doubled, the end cut off.
fn mutate(rng: &mut Rng, mut bytes: Vec<u8>) -> Vec<u8> {
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(5) {
            0 if !bytes.is_empty() => {
                let last = bytes.len() - 1;
                bytes[at.min(last)] = rng.next_u64() as u8;
            }
            1 => {
                let token = rng.pick(TOKENS).as_bytes();
                bytes.splice(at..at, token.iter().copied());
            }
            2 => {
                let end = (at + rng.below(40)).min(bytes.len());
                bytes.drain(at..end);
            }
            3 => {
                let start = bytes[..at]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1);
                let end = bytes[at..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(bytes.len(), |i| at + i + 1);
                let line = bytes[start..end].to_vec();
                bytes.splice(end..end, line);
            }
            _ => bytes.truncate(at),
        }
    }
    bytes
}

/// A valid file with one known key given a value of another shape.
fn wrong_type(rng: &mut Rng, valid: &str) -> String {
    let key = *rng.pick(&[
        "title",
        "status",
        "priority",
        "labels",
        "archived",
        "estimated_hours",
        "assignee",
        "created",
        "milestone",
        "comments",
        "depends_on",
        "progress_percentage",
        "remote_ids",
    ]);
    let value = *rng.pick(ODD_VALUES);
    let mut out = String::new();
    let mut replaced = false;
    let mut skipping = false;
    for line in valid.split_inclusive('\n') {
        if skipping && line.starts_with("- ") {
            continue;
        }
        skipping = false;
        if !replaced && line.starts_with(&format!("{key}:")) {
            out.push_str(&format!("{key}: {value}\n"));
            replaced = true;
            skipping = true;
        } else {
            out.push_str(line);
        }
    }
    out
}

/// Nesting thousands deep, in flow or block style, under a known or an unknown key.
fn deep_nesting(rng: &mut Rng) -> String {
    let depth = *rng.pick(&[50, 200, 1_000, 10_000, 100_000]);
    let key = *rng.pick(&["title", "labels", "x_deep", "remote_ids"]);
    let value = match rng.below(3) {
        0 => format!("{}x{}", "[".repeat(depth), "]".repeat(depth)),
        1 => format!("{}x{}", "{a: ".repeat(depth), "}".repeat(depth)),
        _ => {
            let depth = depth.min(1_000);
            (0..depth).fold(String::from("\n"), |mut out, level| {
                out.push_str(&" ".repeat(2 * (level + 1)));
                out.push_str("a:\n");
                out
            }) + &" ".repeat(2 * (depth + 1))
                + "x"
        }
    };
    format!("---\nid: 0a1b2c3d\n{key}: {value}\n---\nbody\n")
}

/// "Billion laughs": each level an anchored list of aliases to the level below.
fn alias_bomb(rng: &mut Rng) -> String {
    let levels = 3 + rng.below(10);
    let width = 2 + rng.below(9);
    let mut yaml = String::from("id: 0a1b2c3d\nx0: &x0 lol\n");
    for level in 1..=levels {
        let aliases = vec![format!("*x{}", level - 1); width].join(", ");
        yaml.push_str(&format!("x{level}: &x{level} [{aliases}]\n"));
    }
    let key = *rng.pick(&["title", "labels", "x_bomb", "git_commits", "comments"]);
    yaml.push_str(&format!("{key}: *x{levels}\n"));
    format!("---\n{yaml}---\nbody\n")
}

/// Megabytes: in the body, in one title line, or as thousands of keys.
fn huge(rng: &mut Rng, valid: &str) -> String {
    match rng.below(3) {
        0 => format!("{valid}{}", "lorem ipsum dolor ".repeat(250_000)),
        1 => valid.replacen("title: ", &format!("title: {}", "t".repeat(2_000_000)), 1),
        _ => {
            let keys: String = (0..5_000)
                .map(|i| format!("x_key_{i}: value {i}\n"))
                .collect();
            valid.replacen("\n---\n", &format!("\n{keys}---\n"), 1)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A repository of odd files

/// Files that cannot be read as issues, each with the reason the user should see.
fn unreadable_files() -> Vec<(&'static str, Vec<u8>)> {
    let laughs = {
        let mut yaml = String::from("id: 0b000001\nx0: &x0 lol\n");
        for level in 1..=12 {
            yaml.push_str(&format!(
                "x{level}: &x{level} [{}]\n",
                vec![format!("*x{}", level - 1); 10].join(", ")
            ));
        }
        format!("---\n{yaml}title: *x12\n---\n")
    };
    vec![
        (
            ".roadmap/issues/backlog/0b000001-billion-laughs.md",
            laughs.into_bytes(),
        ),
        (
            ".roadmap/issues/backlog/0b000002-deep.md",
            format!(
                "---\nid: 0b000002\ntitle: {}x{}\n---\n",
                "[".repeat(10_000),
                "]".repeat(10_000)
            )
            .into_bytes(),
        ),
        (
            ".roadmap/issues/backlog/0b000003-latin1.md",
            b"---\nid: 0b000003\ntitle: caf\xe9\n---\n".to_vec(),
        ),
        (
            ".roadmap/issues/backlog/0b000004-unclosed.md",
            b"---\nid: 0b000004\ntitle: Never closed\n\nBody\n".to_vec(),
        ),
        (
            ".roadmap/issues/backlog/0b000006-binary.md",
            (0..=255u8).rev().cycle().take(4096).collect(),
        ),
        (
            ".roadmap/issues/backlog/no-id-anywhere.md",
            b"---\ntitle: Nobody knows my id\n---\n".to_vec(),
        ),
        (".roadmap/issues/v1-0/0b000008-empty.md", Vec::new()),
    ]
}

/// Files that read as issues although they are odd: `(path, text, id listed)`.
fn readable_odd_files() -> Vec<(String, String, &'static str)> {
    let plain = |id: &str, title: &str| IssueSpec::new(id, title).render();
    vec![
        (
            ".roadmap/issues/backlog/0c000001-crlf.md".into(),
            plain("0c000001", "Windows line endings").replace('\n', "\r\n"),
            "0c000001",
        ),
        (
            ".roadmap/issues/backlog/0c000002-bom.md".into(),
            format!("\u{feff}{}", plain("0c000002", "Byte order mark")),
            "0c000002",
        ),
        (
            ".roadmap/issues/backlog/0c000003-types.md".into(),
            "---\nid: 0c000003\ntitle: [a, list]\nlabels: bug\nestimated_hours: soon\narchived: maybe\n---\n".into(),
            "0c000003",
        ),
        (
            ".roadmap/issues/backlog/0c000004-unknown.md".into(),
            plain("0c000004", "Unknown keys")
                .replacen("title:", "x_custom: {nested: [1, {deeper: true}]}\nx_tag: !custom value\ntitle:", 1),
            "0c000004",
        ),
        (
            ".roadmap/issues/backlog/0c000005-name-says-five.md".into(),
            plain("0c0000ff", "The frontmatter id wins"),
            "0c0000ff",
        ),
        (
            // The last value of a key wins, as in PyYAML.
            ".roadmap/issues/backlog/0c000008-duplicate.md".into(),
            "---\nid: 0c000008\ntitle: One\ntitle: Two\n---\n".into(),
            "0c000008",
        ),
        (
            ".roadmap/issues/backlog/0c000006-café au lait ☕ with spaces.md".into(),
            plain("0c000006", "Spaces and unicode in the name"),
            "0c000006",
        ),
        (
            ".roadmap/issues/v1-0/0c000007-huge.md".into(),
            plain("0c000007", "A huge body") + &"All work and no play. ".repeat(100_000),
            "0c000007",
        ),
    ]
}

#[test]
fn a_repository_of_odd_files_warns_once_per_unreadable_file_and_lists_the_rest() {
    let repo = TestRepo::new();
    let good: Vec<IssueSpec> = (0..5)
        .map(|n| IssueSpec::new(&format!("0a00000{n}"), &format!("Good issue {n}")))
        .collect();
    for issue in &good {
        repo.write_issue(issue);
    }
    for (path, bytes) in unreadable_files() {
        let path = repo.root.join(path);
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("create the folder");
        std::fs::write(path, bytes).expect("write an unreadable file");
    }
    for (path, text, _) in readable_odd_files() {
        repo.write(&path, &text);
    }
    // Not files: a symbolic link (to a good issue) and a submodule entry. Neither is read.
    std::os::unix::fs::symlink(
        format!("../../../{}", good[0].path()),
        repo.root.join(".roadmap/issues/backlog/0d000001-link.md"),
    )
    .expect("create a link");
    repo.git(&["add", "-A"]);
    repo.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        "160000,1234567890abcdef1234567890abcdef12345678,.roadmap/issues/backlog/0d000002-sub.md",
    ]);
    repo.git(&["commit", "-q", "-m", "odd files"]);

    let started = Instant::now();
    let sync = repo.roadmap_hooks(&["sync"]).success();
    assert!(
        started.elapsed() < TIME_BOUND * 4,
        "sync took {:?}",
        started.elapsed()
    );
    let expected: BTreeSet<&str> = unreadable_files().iter().map(|(path, _)| *path).collect();
    let warned: Vec<&str> = sync
        .stderr
        .lines()
        .map(|line| {
            let rest = line
                .strip_prefix("roadmap-hooks: warning: skipped ")
                .unwrap_or_else(|| panic!("an unexpected line: {line}"));
            expected
                .iter()
                .copied()
                .find(|path| rest.starts_with(&format!("{path}: ")))
                .unwrap_or_else(|| panic!("a warning for a file that is not unreadable: {line}"))
        })
        .collect();
    assert_eq!(
        warned.len(),
        expected.len(),
        "one line per unreadable file:\n{}",
        sync.stderr
    );
    assert_eq!(warned.iter().copied().collect::<BTreeSet<_>>(), expected);

    // Every readable file is listed, exactly as a full parse lists it.
    let listing = list_in(&repo, &repo.root, &[]);
    assert_eq!(listing.status, 0, "{}", listing.stderr);
    assert_eq!(listing.json, scan_dir(&repo.root).json);
    let listed: Vec<serde_json::Value> = serde_json::from_str(&listing.json).expect("JSON");
    let ids: BTreeSet<&str> = listed
        .iter()
        .filter_map(|issue| issue["id"].as_str())
        .collect();
    let mut wanted: BTreeSet<&str> = good.iter().map(|issue| issue.id.as_str()).collect();
    wanted.extend(readable_odd_files().iter().map(|(_, _, id)| *id));
    assert_eq!(ids, wanted);
    // `roadmap list` sums them up in one line; `status` names each.
    assert_eq!(listing.stderr.lines().count(), 1, "{}", listing.stderr);
    assert!(
        listing.stderr.contains(&format!(
            "(and {} more; see `roadmap-hooks status`)",
            expected.len() - 1
        )),
        "{}",
        listing.stderr
    );
    let status = repo.roadmap_hooks(&["status"]).success().stdout;
    assert!(
        status.contains(&format!("invalid files: {}\n", expected.len())),
        "{status}"
    );
    for path in &expected {
        assert_eq!(
            status.matches(&format!("  {path}: ")).count(),
            1,
            "{path} in:\n{status}"
        );
    }

    // The hooks say the same in one line when such a file is committed.
    repo.roadmap_hooks(&["install"]).success();
    repo.write(
        ".roadmap/issues/backlog/0b000009-broken.md",
        "---\nid: [0b000009\n---\n",
    );
    repo.git(&["add", "-A"]);
    let commit = repo.try_git(&["commit", "-q", "-m", "one more broken file"]);
    assert_eq!(commit.status, 0, "{commit:?}");
    assert_eq!(commit.stderr.lines().count(), 1, "{}", commit.stderr);
    assert!(
        commit
            .stderr
            .starts_with("roadmap-hooks: .roadmap/issues/backlog/0b000009-broken.md: "),
        "{}",
        commit.stderr
    );
    let after = repo.roadmap(&LIST_ALL).success();
    assert_eq!(after.stdout, listing.json, "good files unaffected");
}

/// Regression: libyaml's time grows with the square of bracket nesting, and serde_yaml's limit
/// of 128 levels only applies after; 100,000 `[` in an issue took minutes (a hook, and git
/// with it, stalled that long).
#[test]
fn brackets_nested_100000_deep_are_refused_at_once() {
    for (open, close) in [("[", "]"), ("{a: ", "}")] {
        let text = format!(
            "---\nid: 0a1b2c3d\ntitle: {}x{}\n---\n",
            open.repeat(100_000),
            close.repeat(100_000)
        );
        let started = Instant::now();
        let parsed = Issue::parse(text.as_bytes(), &FileContext::default());
        assert!(
            started.elapsed() < TIME_BOUND,
            "took {:?}",
            started.elapsed()
        );
        assert_eq!(
            parsed,
            Err(ParseError::Yaml(
                "brackets nested deeper than 1000 levels".to_owned()
            ))
        );
    }
}

/// Regression: a warning quoted a multi-line value as it was, so `roadmap-hooks status` printed
/// one warning over several lines.
#[test]
fn a_warning_about_a_multi_line_value_is_one_line() {
    let text = "---\nid: 0a1b2c3d\ntitle: t\npriority: |\n  very\n  high\n---\n";
    let issue = Issue::parse(text.as_bytes(), &FileContext::default()).expect("it reads");
    assert_eq!(
        issue.warnings,
        ["unknown priority `very\\nhigh` (known: critical, high, medium, low); kept as written"]
    );
}

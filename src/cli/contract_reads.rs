//! 0.3.1's read commands other than `issue list` on a 0.2-contract workspace: `issue view`
//! and `status`, answered from the workspace's rows as roadmap-cli 0.3.1 prints them (see
//! [`crate::lines::contract::outputs`]), or the tracker when ours could differ.
//!
//! The gate is `issue list`'s ([`super::contract_list`]): a contract workspace with 0.3.x or
//! no tracker behind us, piped output, the config files as the tracker writes them. Command
//! lines are read as click reads them, only as far as we are sure: an option or shape we do
//! not know goes to the tracker, which prints its own usage error or help.

use super::CommandError;
use super::contract_list::{cached, contract_workspace_root, finish, who_am_i};
use super::contract_planning;
use super::contract_terminal;
use super::tracker_front::{hand_over, python_terminal_width};
use crate::lines::contract::outputs::issue_list::file_rows::{
    ContractMilestone, read_milestones, read_workspace,
};
use crate::lines::contract::outputs::issue_list::records::{
    ProjectRecord, read_planning_records, read_records,
};
use crate::lines::contract::outputs::issue_list::row::Unread;
use crate::lines::contract::outputs::issue_list::{Answer, Reply, sources};
use crate::lines::contract::outputs::table_data::{self, Console};
use crate::lines::contract::outputs::{issue_view, status};
use crate::lines::rich_text::{self, PLAIN_WIDTH};
use std::ffi::OsString;
use std::path::Path;

/// One option of a served command, as click declares it.
pub(super) struct Opt {
    name: &'static str,
    /// The one-letter alias, if any (`-f`).
    short: Option<&'static str>,
    /// `click.Choice` values; `None` for a flag.
    choices: Option<&'static [&'static str]>,
}

/// What the tracker prints for a served command on a terminal.
#[derive(Clone, Copy, PartialEq, Eq)]
enum OnTerminal {
    /// `click.echo` of plain text only (`issue view`, `today`, `milestone view`, `project
    /// view`, their JSON too): measured with the live 0.3.1 under a pseudo-terminal, the same
    /// bytes at 40, 120 and 200 columns as into a pipe.
    SameBytes,
    /// A Rich table or panel (`status`, `milestone list`, `project list`): laid out at the
    /// terminal's width and coloured; we serve the rich format so (see
    /// [`super::contract_terminal`]). Its other formats go through Rich's highlighting there:
    /// the tracker's.
    Styled,
}

/// A served command: its words, click's usage line, how many arguments it takes, its options,
/// and what the tracker prints for it on a terminal.
struct Spec {
    words: &'static [&'static str],
    on_terminal: OnTerminal,
    usage: &'static str,
    arguments: usize,
    options: &'static [Opt],
}

const PLAIN_JSON: &[&str] = &["plain", "json"];

const SPECS: &[Spec] = &[
    Spec {
        words: &["issue", "view"],
        on_terminal: OnTerminal::SameBytes,
        usage: "Usage: roadmap issue view [OPTIONS] ISSUE_ID\nTry 'roadmap issue view --help' for help.\n",
        arguments: 1,
        options: &[Opt {
            name: "--format",
            short: None,
            choices: Some(PLAIN_JSON),
        }],
    },
    Spec {
        words: &["status"],
        on_terminal: OnTerminal::Styled,
        usage: "Usage: roadmap status [OPTIONS]\nTry 'roadmap status --help' for help.\n",
        arguments: 0,
        options: &[
            Opt {
                name: "--verbose",
                short: Some("-v"),
                choices: None,
            },
            Opt {
                name: "--format",
                short: Some("-f"),
                choices: Some(status::FORMATS),
            },
        ],
    },
    Spec {
        words: &["milestone", "list"],
        on_terminal: OnTerminal::Styled,
        usage: "Usage: roadmap milestone list [OPTIONS]\nTry 'roadmap milestone list --help' for help.\n",
        arguments: 0,
        options: &[
            Opt {
                name: "--overdue",
                short: None,
                choices: None,
            },
            Opt {
                name: "--format",
                short: None,
                choices: Some(table_data::FORMATS),
            },
        ],
    },
    Spec {
        words: &["milestone", "view"],
        on_terminal: OnTerminal::SameBytes,
        usage: "Usage: roadmap milestone view [OPTIONS] MILESTONE_NAME\nTry 'roadmap milestone view --help' for help.\n",
        arguments: 1,
        options: &[Opt {
            name: "--format",
            short: None,
            choices: Some(PLAIN_JSON),
        }],
    },
    Spec {
        words: &["project", "list"],
        on_terminal: OnTerminal::Styled,
        usage: "Usage: roadmap project list [OPTIONS]\nTry 'roadmap project list --help' for help.\n",
        arguments: 0,
        options: &[Opt {
            name: "--format",
            short: None,
            choices: Some(table_data::FORMATS),
        }],
    },
    Spec {
        words: &["today"],
        on_terminal: OnTerminal::SameBytes,
        usage: "Usage: roadmap today [OPTIONS]\nTry 'roadmap today --help' for help.\n",
        arguments: 0,
        options: &[Opt {
            name: "--verbose",
            short: Some("-v"),
            choices: None,
        }],
    },
    Spec {
        words: &["project", "view"],
        on_terminal: OnTerminal::SameBytes,
        usage: "Usage: roadmap project view [OPTIONS] PROJECT_ID\nTry 'roadmap project view --help' for help.\n",
        arguments: 1,
        options: &[Opt {
            name: "--format",
            short: None,
            choices: Some(PLAIN_JSON),
        }],
    },
];

/// A command line as click read it: the arguments and each option given (value or flag).
pub(super) struct Parsed {
    pub(super) arguments: Vec<String>,
    pub(super) options: Vec<(&'static str, Option<String>)>,
}

impl Parsed {
    pub(super) fn value(&self, name: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| v.as_deref())
    }

    /// Whether the flag or option `name` was given.
    pub(super) fn has(&self, name: &str) -> bool {
        self.options.iter().any(|(n, _)| *n == name)
    }
}

/// Reads `words` (after the command's own) as click would, or `None` for anything we leave
/// to click itself: unknown options, `--help`, repeated options, a wrong count of arguments.
fn parse(spec: &Spec, words: &[String]) -> Option<Parsed> {
    let mut parsed = Parsed {
        arguments: Vec::new(),
        options: Vec::new(),
    };
    let mut rest = words.iter();
    while let Some(word) = rest.next() {
        if !word.starts_with('-') || word == "-" {
            parsed.arguments.push(word.clone());
            continue;
        }
        let (name, inline) = match word.split_once('=') {
            Some((name, value)) => (name, Some(value.to_owned())),
            None => (word.as_str(), None),
        };
        let opt = spec
            .options
            .iter()
            .find(|o| o.name == name || (o.short == Some(name) && inline.is_none()))?;
        if parsed.options.iter().any(|(n, _)| *n == opt.name) {
            return None;
        }
        let value = match (opt.choices, inline) {
            (None, None) => None,
            (None, Some(_)) => return None,
            (Some(_), Some(value)) => Some(value),
            (Some(_), None) => Some(rest.next()?.clone()),
        };
        parsed.options.push((opt.name, value));
    }
    (parsed.arguments.len() == spec.arguments).then_some(parsed)
}

/// click's usage error for a value outside a `Choice`, when its `repr` is plain quoting.
fn bad_choice(spec: &Spec, parsed: &Parsed) -> Option<Result<Reply, ()>> {
    let mut bad = spec.options.iter().filter_map(|opt| {
        let choices = opt.choices?;
        let value = parsed.value(opt.name)?;
        (!choices.contains(&value)).then_some((opt, choices, value))
    });
    let (opt, choices, value) = bad.next()?;
    // `case_sensitive=False` choices accept `CSV`; we leave that spelling to click.
    if bad.next().is_some()
        || choices.contains(&value.to_lowercase().as_str())
        || value.contains(['\'', '"', '\\'])
        || value.chars().any(char::is_control)
    {
        return Some(Err(()));
    }
    let listed: Vec<String> = choices.iter().map(|c| format!("'{c}'")).collect();
    Some(Ok(Reply {
        stdout: String::new(),
        stderr: format!(
            "{}\nError: Invalid value for '{}': '{value}' is not one of {}.\n",
            spec.usage,
            opt.name,
            listed.join(", ")
        ),
        code: 2,
    }))
}

/// The answer for `argv` when it is a read command we serve on a contract workspace; `None`
/// for any other line (the current directory is then left as it was).
pub fn run_if_served(argv: &[OsString]) -> Option<Result<(), CommandError>> {
    let mut words = Vec::new();
    let mut directory = None;
    let mut rest = argv.iter().skip(1);
    while let Some(word) = rest.next() {
        let word = word.to_str()?;
        match word {
            "--no-pager" => {}
            "-C" => directory = Some(rest.next()?.clone()),
            _ => words.push(word.to_owned()),
        }
    }
    let spec = SPECS
        .iter()
        .find(|s| words.len() >= s.words.len() && words[..s.words.len()] == *s.words)?;
    let before = std::env::current_dir().ok()?;
    if let Some(dir) = &directory {
        std::env::set_current_dir(dir).ok()?;
    }
    let Some(root) = contract_workspace_root(argv) else {
        std::env::set_current_dir(before).ok()?;
        return None;
    };
    let Some(parsed) = parse(spec, &words[spec.words.len()..]) else {
        hand_over(argv, "a command line we leave to click")
    };
    match bad_choice(spec, &parsed) {
        Some(Ok(usage)) => finish(&usage),
        Some(Err(())) => hand_over(argv, "a usage error click words differently"),
        None => {}
    }
    let console = if rich_text::tracker_plain_mode() {
        Console::Piped
    } else {
        Console::Terminal(python_terminal_width())
    };
    let rich_format = parsed.value("--format").is_none_or(|f| f == "rich");
    if console != Console::Piped && spec.on_terminal == OnTerminal::Styled && !rich_format {
        hand_over(argv, "a machine format on a terminal (Rich highlights it)");
    }
    let roadmap_dir = root.join(".roadmap");
    if let Err(reason) = who_am_i(&root, &roadmap_dir, false) {
        hand_over(argv, &reason)
    }
    match answer(spec, &parsed, &roadmap_dir, console) {
        Answer::Reply(reply) => finish(&reply),
        Answer::Forward(reason) => hand_over(argv, &reason),
    }
}

/// `status` with the issues counted from the cache's tallies, by `count` (what the tracker
/// prints for projects, milestones and each issue's retention and status); `None` when the
/// cache cannot answer.
fn cached_status(
    roadmap_dir: &Path,
    count: impl Fn(&[ProjectRecord], &[ContractMilestone], &status::Tallies) -> Answer,
) -> Option<Answer> {
    let root = roadmap_dir.parent()?;
    let tallied = cached(root, sources::read_tallies).ok()?;
    // The tracker parses every document before it counts: an unreadable one goes to it (or is
    // refused: see `Unread::answer`).
    let tallies = match (tallied.tallies, tallied.milestones) {
        (Ok(tallies), Ok(_)) => tallies,
        (Err(unread), _) | (_, Err(unread)) => return Some(unread.answer()),
    };
    let (projects, milestones) = match (
        read_planning_records(roadmap_dir),
        read_milestones(roadmap_dir),
    ) {
        (Ok((projects, _)), Ok(milestones)) => (projects, milestones),
        (Err(unread), _) | (_, Err(unread)) => return Some(unread.answer()),
    };
    let counted: Vec<(&str, &str, usize)> = tallies
        .iter()
        .map(|t| {
            let files = usize::try_from(t.files).unwrap_or(usize::MAX);
            (t.retention.as_str(), t.status.as_str(), files)
        })
        .collect();
    Some(count(&projects, &milestones, &counted))
}

/// `status` on a console `console_width` cells wide (uncoloured).
fn status_answer(parsed: &Parsed, roadmap_dir: &Path, console_width: usize) -> Answer {
    let format = parsed.value("--format").unwrap_or("rich");
    let verbose = parsed.options.iter().any(|(n, _)| *n == "--verbose");
    let count =
        |projects: &[ProjectRecord], milestones: &[ContractMilestone], pairs: &status::Tallies| {
            status::answer(format, console_width, verbose, projects, milestones, pairs)
        };
    // Issues from the cache (each vouched for when the sync read it, the working tree
    // looked at first), milestones and projects from their few files; the file bridge
    // when the cache cannot answer.
    if let Some(answer) = cached_status(roadmap_dir, count) {
        return answer;
    }
    let (sources, records) = (read_workspace(roadmap_dir), read_records(roadmap_dir));
    // The tracker parses every document before it counts; so do we.
    let read = || -> Result<_, Unread> {
        let projects = records.projects?;
        records.milestones?;
        records.issues?;
        Ok((projects, sources.milestones?, sources.issues?))
    };
    let (projects, milestones, issues) = match read() {
        Ok(read) => read,
        Err(unread) => return unread.answer(),
    };
    let pairs: Vec<(&str, &str, usize)> = issues
        .iter()
        .map(|i| (i.retention.as_str(), i.status.as_str(), 1))
        .collect();
    count(&projects, &milestones, &pairs)
}

/// The reply of the command `spec` names, printed on `console`.
fn answer(spec: &Spec, parsed: &Parsed, roadmap_dir: &Path, console: Console) -> Answer {
    match (spec.words, console) {
        (["status"], Console::Piped) => return status_answer(parsed, roadmap_dir, PLAIN_WIDTH),
        (["status"], Console::Terminal(width)) => {
            return contract_terminal::status(status_answer(parsed, roadmap_dir, width));
        }
        (["milestone" | "project", "list"], Console::Terminal(width)) => {
            return contract_terminal::list(spec.words, parsed, roadmap_dir, width);
        }
        _ => {}
    }
    match spec.words {
        ["issue", "view"] => {
            let format = match parsed.value("--format") {
                Some("json") => issue_view::Format::Json,
                _ => issue_view::Format::Plain,
            };
            if let Some(answer) =
                super::contract_issue_view::answer(&parsed.arguments[0], format, roadmap_dir)
            {
                return answer;
            }
            issue_view::answer(
                &parsed.arguments[0],
                format,
                read_workspace(roadmap_dir),
                &read_records(roadmap_dir),
            )
        }
        ["today"] => {
            let root = roadmap_dir.parent().unwrap_or(roadmap_dir);
            match who_am_i(root, roadmap_dir, true) {
                Ok(Some(me)) if !me.is_empty() => contract_planning::today(&me, roadmap_dir),
                // The tracker's "No descriptive identity is configured" error.
                Ok(_) => Answer::Forward("no identity configured".into()),
                Err(reason) => Answer::Forward(reason),
            }
        }
        ["milestone", ..] | ["project", ..] => {
            contract_planning::answer(spec.words, parsed, roadmap_dir)
        }
        _ => Answer::Forward("a command without an answer of ours".into()),
    }
}

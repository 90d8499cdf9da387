//! The merge driver git runs for issue, milestone and project files (`merge=roadmap`): merges
//! the frontmatter field by field and the body line by line, so two branches that change one
//! issue conflict only where they truly disagree.
//!
//! git calls `roadmap-hooks merge-driver %O %A %B %P %L %S %X %Y` and reads the result from
//! `%A`; exit 0 means merged, 1 means conflicts are left in the file. The output is ours' bytes
//! with only the merged keys' lines changed. Anything the field merge cannot read (a side that
//! is not a frontmatter file, YAML it cannot split by key) is merged as text by
//! `git merge-file`, exactly as git would without the driver.
//!
//! A 0.2-contract document (roadmap-cli 0.2 … 0.3.1, told by its `schema_version` key) merges
//! by the same rules plus the contract's own for `history` and `comments`, its merged keys
//! written in 0.3.1's bytes ([`contract`] says why the file, not the workspace, decides).
//!
//! In a criss-cross merge git first merges the two merge bases into a virtual one with the same
//! driver; there a field the bases disagree on is left out, so the real merge sees it as added
//! on both sides instead of merging against conflict markers.
//!
//! The `milestone:` field merges like any field, and git alone decides the path (it follows a
//! move made on either side). The tracker and the cache read the field, so the field is what
//! counts; when the merged field names another milestone folder than the path, the driver
//! prints one line saying so and how to move the file.

mod contract;
mod fields;
mod lists;
mod text;

pub use fields::{Entry, Fields, Piece, Rules, SET_KEYS};
pub use lists::item_texts;
pub use text::{Favor, Options, Style};

use crate::issue::split;
use std::path::Path;

/// Exit status for a file left with conflicts.
pub const EXIT_CONFLICT: i32 = 1;

/// What one run was given by git.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub base: String,
    pub ours: String,
    pub theirs: String,
    /// The path of the merged file in the repository (`%P`).
    pub path: String,
}

impl Call {
    /// Reads `%O %A %B %P [%L [%S %X %Y]]`; labels git left unexpanded (older versions) are
    /// replaced by `base`, `ours`, `theirs`.
    #[must_use]
    pub fn from_args(args: &[String]) -> Option<(Call, Options)> {
        let [base, ours, theirs, path, rest @ ..] = args else {
            return None;
        };
        let mut options = Options::default();
        if let Some(size) = rest.first().and_then(|s| s.parse().ok()) {
            options.marker_size = size;
        }
        let label = |i: usize, fallback: &str| match rest.get(i) {
            Some(label) if !label.starts_with('%') && !label.is_empty() => label.clone(),
            _ => fallback.to_owned(),
        };
        options.base_label = label(1, "base");
        options.ours_label = label(2, "ours");
        options.theirs_label = label(3, "theirs");
        // The names git gives the two merge bases of a criss-cross merge it merges first.
        options.virtual_base = [&options.ours_label, &options.theirs_label]
            .iter()
            .all(|label| label.starts_with("Temporary merge branch "));
        let call = Call {
            base: base.clone(),
            ours: ours.clone(),
            theirs: theirs.clone(),
            path: path.clone(),
        };
        Some((call, options))
    }
}

/// Runs the driver: merges into `call.ours` and returns the exit status for git.
#[must_use]
pub fn run(call: &Call, mut options: Options) -> i32 {
    options.style = text::configured_style();
    options.favor = text::favor_of_git_command();
    let read = |path: &str| std::fs::read(path);
    let merged = match (read(&call.base), read(&call.ours), read(&call.theirs)) {
        (Ok(base), Ok(ours), Ok(theirs)) => merge_files(&base, &ours, &theirs, &options),
        _ => None,
    };
    match merged {
        Some(merged) => match std::fs::write(&call.ours, &merged.text) {
            Ok(()) => {
                if let Some(line) = milestone_mismatch(&call.path, &merged.text) {
                    eprintln!("roadmap-hooks: {line}");
                }
                if merged.conflicts > 0 {
                    EXIT_CONFLICT
                } else {
                    0
                }
            }
            Err(e) => {
                eprintln!("roadmap-hooks: merge driver: writing {}: {e}", call.path);
                EXIT_CONFLICT
            }
        },
        None => fall_back_to_text_merge(call, &options),
    }
}

/// git's own merge of the whole file, for files the field merge does not read.
pub fn fall_back_to_text_merge(call: &Call, options: &Options) -> i32 {
    let paths = [&call.base, &call.ours, &call.theirs].map(Path::new);
    match text::merge_files_in_place(paths[0], paths[1], paths[2], options) {
        Ok(0) => 0,
        Ok(_) => EXIT_CONFLICT,
        Err(e) => {
            eprintln!("roadmap-hooks: merge driver: {}: {e}", call.path);
            EXIT_CONFLICT
        }
    }
}

/// Merges three versions of a file; `None` when one of them is not a frontmatter file whose
/// keys can be merged one by one (the caller then merges the text).
#[must_use]
pub fn merge_files(
    base: &[u8],
    ours: &[u8],
    theirs: &[u8],
    options: &Options,
) -> Option<text::Merged> {
    let [base, ours, theirs] = [base, ours, theirs].map(|b| std::str::from_utf8(b).ok());
    let crlf = is_crlf(ours?);
    let [base, ours, theirs] = [base?, ours?, theirs?].map(to_lf);
    let merged = merge_lf(&base, &ours, &theirs, options)?;
    Some(if crlf {
        text::Merged {
            text: merged.text.replace('\n', "\r\n"),
            ..merged
        }
    } else {
        merged
    })
}

/// Every line break is `\r\n`.
fn is_crlf(text: &str) -> bool {
    text.contains("\r\n") && text.matches('\n').count() == text.matches("\r\n").count()
}

/// A file whose every line break is `\r\n` with `\n` instead; any other file as it is.
fn to_lf(text: &str) -> String {
    if is_crlf(text) {
        text.replace("\r\n", "\n")
    } else {
        text.to_owned()
    }
}

fn merge_lf(base: &str, ours: &str, theirs: &str, options: &Options) -> Option<text::Merged> {
    let sides = [base, ours, theirs].map(Side::read);
    let [base, ours_side, theirs] = [sides[0].as_ref()?, sides[1].as_ref()?, sides[2].as_ref()?];
    let rules = if contract::is_contract(&ours_side.fields, &theirs.fields) {
        Rules::Contract
    } else {
        Rules::Legacy
    };
    let mut conflicts = 0;
    let mut yaml = String::new();
    for piece in fields::merge(&base.fields, &ours_side.fields, &theirs.fields, rules) {
        match piece {
            Piece::Clean(text) => yaml.push_str(&text),
            // Left out of a virtual base, the field counts as added by both sides in the merge
            // that uses it: equal values merge, different ones conflict, lists unite.
            Piece::Conflict { .. } if options.virtual_base => {}
            Piece::Conflict {
                base, ours, theirs, ..
            } => match options.favor {
                Some(Favor::Theirs) => yaml.push_str(&theirs),
                Some(Favor::Ours | Favor::Union) => yaml.push_str(&ours),
                None => {
                    conflicts += 1;
                    yaml.push_str(&options.conflict(&base, &ours, &theirs));
                }
            },
        }
    }
    let body = text::merge_text(base.body, ours_side.body, theirs.body, options).ok()?;
    conflicts += body.conflicts;
    // The frontmatter's last line break belongs to the closing fence.
    yaml.pop();
    // A file without a body ends at the closing fence's line break (0.3.1 writes no blank line
    // after it then): the fence of a side whose body is empty or not like the merged one.
    let fence = if body.text.is_empty() == ours_side.body.is_empty() {
        ours_side.fence
    } else {
        theirs.fence
    };
    let text = format!("{}{yaml}{fence}{}", ours_side.before_yaml, body.text);
    if conflicts == 0 && (Side::read(&text).is_none() || refused_by_the_tracker(rules, ours, &text))
    {
        return None;
    }
    Some(text::Merged { text, conflicts })
}

/// Whether 0.3.1 reads ours as an issue but would refuse the merged file (a relation on both
/// lists, say, each added by one side): then the merge is not clean whatever the keys say.
fn refused_by_the_tracker(rules: Rules, ours: &str, merged: &str) -> bool {
    use crate::lines::contract::document::Document;
    rules == Rules::Contract && Document::parse(ours).is_ok() && Document::parse(merged).is_err()
}

/// One version of a file, split for the merge.
struct Side<'a> {
    /// The opening fence (and a byte-order mark).
    before_yaml: &'a str,
    fields: Fields,
    /// The closing fence and the blank lines after it.
    fence: &'a str,
    body: &'a str,
}

impl<'a> Side<'a> {
    fn read(text: &'a str) -> Option<Side<'a>> {
        let (yaml, body) = split(text)?;
        let yaml_start = yaml.as_ptr() as usize - text.as_ptr() as usize;
        let yaml_end = yaml_start + yaml.len();
        let body_start = text.len() - body.len();
        Some(Side {
            before_yaml: &text[..yaml_start],
            fields: Fields::parse(&format!("{yaml}\n"))?,
            fence: &text[yaml_end..body_start],
            body,
        })
    }
}

/// The files under `.roadmap/` the index still marks as conflicted, sorted.
pub fn conflicted_files(repo: &git2::Repository) -> Result<Vec<String>, git2::Error> {
    let mut paths: Vec<String> = repo
        .index()?
        .conflicts()?
        .filter_map(Result::ok)
        .filter_map(|c| c.our.or(c.their).or(c.ancestor))
        .map(|entry| String::from_utf8_lossy(&entry.path).into_owned())
        .filter(|path| path.starts_with(".roadmap/"))
        .collect();
    paths.sort();
    paths.dedup();
    Ok(paths)
}

/// A line to print when the merged `milestone:` names another folder than the file's path
/// (a file with conflicts, or without the key, is not checked).
fn milestone_mismatch(path: &str, text: &str) -> Option<String> {
    let folder = issue_folder(path)?;
    let lf = to_lf(text);
    let side = Side::read(&lf)?;
    let field = |key: &str| side.fields.entries.iter().find(|e| e.key == key);
    let milestone = field("milestone")?.value.as_str().map(str::trim);
    let expected = milestone.filter(|m| !m.is_empty()).unwrap_or("backlog");
    if expected == folder {
        return None;
    }
    let id = field("id").and_then(|e| e.value.as_str()).unwrap_or("ID");
    Some(format!(
        "{path} says milestone {expected} but sits in {folder}/; the field is what \
         the tracker reads (move the file with `roadmap update {id} --milestone {expected}`)"
    ))
}

/// The milestone folder of an issue path, `.roadmap/[archive/]issues/{folder}/{file}`.
fn issue_folder(path: &str) -> Option<&str> {
    let rest = path
        .strip_prefix(".roadmap/issues/")
        .or_else(|| path.strip_prefix(".roadmap/archive/issues/"))?;
    let (folder, file) = rest.split_once('/')?;
    (!file.contains('/')).then_some(folder)
}

#[cfg(test)]
mod tests;

//! What a plan is made from, read before GitHub is asked: the baselines and the listing cursor
//! from `remote.db`, and every issue from its file in the working tree (with the ones that
//! cannot be read now set apart).

use super::SyncError;
use super::apply::CURSOR_ROW;
use super::comments;
use super::config::SyncConfig;
use super::plan::{BaseState, LocalIssue, SkippedLocal};
use super::unmerged;
use crate::cache::Cache;
use crate::cache::query::{ListQuery, Scope, SortKey};
use crate::cache::remote::RemoteState;
use crate::issue::Issue;
use crate::record::Record;
use std::collections::HashMap;
use std::path::Path;

/// What `remote.db` holds for a remote.
pub(super) struct Bases {
    /// The baselines by local id.
    pub states: HashMap<String, BaseState>,
    /// The listing cursor (`since=`).
    pub since: Option<String>,
    /// Baselines that cannot be decoded (damage, or a version of ours that wrote another
    /// shape): their issues are left alone, never taken for unlinked ones.
    pub undecodable: Vec<Undecodable>,
}

/// A baseline row that does not decode.
pub(super) struct Undecodable {
    pub id: String,
    /// The GitHub issue it links, when the row still says (`"number": N`).
    pub number: Option<u64>,
    pub error: String,
}

/// The baselines and the listing cursor of `config`'s remote.
pub(super) fn read_bases(state: &RemoteState, config: &SyncConfig) -> Result<Bases, SyncError> {
    let mut bases = Bases {
        states: HashMap::new(),
        since: None,
        undecodable: Vec::new(),
    };
    for (id, json) in state.base_states(&config.remote_key())? {
        if id.starts_with(comments::ROW_PREFIX) {
            continue;
        }
        if id == CURSOR_ROW {
            // A cursor that cannot be read means a full listing: slower, never wrong.
            bases.since = serde_json::from_str::<serde_json::Value>(&json)
                .ok()
                .and_then(|v| v.get("since")?.as_str().map(str::to_owned));
            continue;
        }
        match serde_json::from_str::<BaseState>(&json) {
            Ok(base) => {
                bases.states.insert(id, base);
            }
            Err(error) => bases.undecodable.push(Undecodable {
                number: number_in(&json),
                error: error.to_string(),
                id,
            }),
        }
    }
    Ok(bases)
}

/// The `"number": N` of a baseline row that does not decode as a whole.
fn number_in(json: &str) -> Option<u64> {
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(json) {
        return value.get("number")?.as_u64();
    }
    let after = &json[json.find("\"number\"")? + "\"number\"".len()..];
    let digits = after.trim_start().strip_prefix(':')?.trim_start();
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    digits[..end].parse().ok()
}

/// The issue files as the working tree holds them.
pub(super) struct LocalFiles {
    pub issues: Vec<LocalIssue>,
    /// The ones whose file cannot be read now (unparseable, or deleted or moved without a
    /// commit), which this run leaves alone.
    pub skipped: Vec<SkippedLocal>,
    /// Paths of files that hold conflict markers, parseable or not: the sync stops on them.
    pub with_markers: Vec<String>,
}

/// Every issue the cache lists, read from its file in the working tree, so edits not yet
/// committed are merged rather than overwritten.
pub(super) fn read_locals(
    cache: &Cache,
    work_dir: &Path,
    warnings: &mut Vec<String>,
) -> Result<LocalFiles, SyncError> {
    let query = ListQuery {
        scope: Scope::All,
        sort: SortKey::Id,
        ..ListQuery::default()
    };
    let mut locals = Vec::new();
    let mut skipped = Vec::new();
    let mut with_markers = Vec::new();
    // The cache's reader: the workspace's line, and on the contract line the milestone names
    // its issues' milestone ids stand for (GitHub's milestones are titles).
    let reader = crate::sync::reader_of_cache(cache)
        .map_err(|e| SyncError::Io(".roadmap".into(), std::io::Error::other(e)))?;
    for json in cache.list_json(&query)? {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&json) else {
            continue;
        };
        let Some(path) = value.get("path").and_then(|p| p.as_str()) else {
            continue;
        };
        if reader.line().classify(path).is_none() {
            continue;
        }
        let cached = || {
            let id = value.get("id").and_then(|i| i.as_str()).unwrap_or_default();
            let number = value
                .get("remote_ids")
                .and_then(|r| serde_yaml::to_value(r).ok())
                .and_then(|r| github_number(Some(&r)));
            SkippedLocal {
                id: id.to_owned(),
                number,
            }
        };
        let text = match std::fs::read_to_string(work_dir.join(path)) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                warnings.push(format!(
                    "skipped {path}: deleted or moved in the working tree but not committed; commit the change to sync it"
                ));
                skipped.push(cached());
                continue;
            }
            Err(e) => return Err(SyncError::Io(path.to_owned(), e)),
        };
        if unmerged::has_conflict_markers(&text) {
            with_markers.push(path.to_owned());
        }
        match read_issue(&reader, path, &text) {
            Ok(issue) => {
                let number = local_link(&issue);
                locals.push(LocalIssue {
                    path: path.to_owned(),
                    text,
                    issue,
                    number,
                });
            }
            Err(error) => {
                warnings.push(format!(
                    "skipped {path}: {error}; fix the file, its GitHub issue is left as it is"
                ));
                skipped.push(cached());
            }
        }
    }
    Ok(LocalFiles {
        issues: locals,
        skipped,
        with_markers,
    })
}

/// The issue in `text`, the file at `path`, as the workspace's line reads it.
fn read_issue(reader: &crate::lines::Reader, path: &str, text: &str) -> Result<Issue, String> {
    match reader.read(path, text.as_bytes()) {
        Some(Record::Issue(issue)) => Ok(*issue),
        Some(Record::Invalid(error)) => Err(error.to_string()),
        _ => Err("not an issue file".into()),
    }
}

/// The link of a local issue: `remote_ids: {github: N}`, else the tracker's older
/// `github_issue: N`.
fn local_link(issue: &Issue) -> Option<u64> {
    github_number(issue.frontmatter.remote_ids.as_ref()).or_else(|| {
        let legacy = issue.frontmatter.github_issue.as_deref()?;
        legacy.trim().trim_start_matches('#').parse().ok()
    })
}

/// `remote_ids: {github: N}` (a number or a numeric string).
fn github_number(remote_ids: Option<&serde_yaml::Value>) -> Option<u64> {
    match remote_ids?.get("github")? {
        serde_yaml::Value::Number(n) => n.as_u64(),
        serde_yaml::Value::String(s) => s.trim().trim_start_matches('#').parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{github_number, number_in};

    #[test]
    fn a_damaged_baseline_still_says_its_number_when_it_can() {
        assert_eq!(number_in(r#"{"number": 7, "fields": 3}"#), Some(7));
        assert_eq!(
            number_in(r#"{"fields": {"title": "x"}, "number": 12, "remo"#),
            Some(12)
        );
        assert_eq!(number_in("\u{0}garbled"), None);
        assert_eq!(number_in(r#"{"number": "7"}"#), None);
    }

    #[test]
    fn the_link_reads_as_a_number_or_numeric_text() {
        for (yaml, expected) in [
            ("{github: 42}", Some(42)),
            ("{github: '7'}", Some(7)),
            ("{gitlab: 3}", None),
            ("{}", None),
        ] {
            let value: serde_yaml::Value = serde_yaml::from_str(yaml).unwrap();
            assert_eq!(github_number(Some(&value)), expected, "{yaml}");
        }
    }
}

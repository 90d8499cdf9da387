//! What the tracker's own write commands change in an issue file besides the field a user
//! names, so our commands leave the same file the tracker would.
//!
//! Found by running roadmap-cli 1.0.2 (`tests/fixtures/make-effects.sh`; the files it wrote are
//! in `tests/fixtures/tracker-1.0.2-effects/`, `NN-step.md` after each command, `NN-step.path`
//! where the file then was). Every function is pure: `now` is the tracker's timestamp format,
//! `datetime.now(UTC).isoformat()` (`2026-12-01T20:15:15.304968+00:00`), and a date the user
//! gave (`--date "2026-11-20 09:30"`) is written as the tracker parses it, without a zone
//! (`2026-11-20T09:30:00`).
//!
//! What every save by the tracker does, whatever the command ([`on_save`], [`headline_on_save`]):
//! `updated` becomes now; an empty `headline` becomes the body's first line; the file is renamed
//! to `{id}-{slug of the title}.md` (`update --title` renames it, and so does any save of a file
//! named otherwise); timestamps without a zone are rewritten with `+00:00`; floats are written
//! with a decimal point (`-e 4` writes `4.0`). `update --description` changes nothing but
//! `updated` (1.0.2 drops the text). `block` and `unblock` crash before writing (exit 1: "Attempt
//! to overwrite 'args' in LogRecord"); `update --status blocked` is what they mean to do.
//! `archive` moves the file unchanged to `.roadmap/archive/issues/{milestone|backlog}/` (its
//! attempt to set `archived: true` fails); `restore` moves it unchanged to the flat
//! `.roadmap/issues/{file}`, whatever its milestone, and ignores `--status`. There is no
//! `reopen`: `update --status todo` after `close` sets the status alone (progress stays 100).

use super::render::YamlValue;

/// One frontmatter key and the value a command writes there.
pub type FieldChange = (&'static str, YamlValue);

/// The body of an issue created without one (`issue create` with no `-d`), the tracker's
/// template with the title as written.
#[must_use]
pub fn default_body(title: &str) -> String {
    format!(
        "# {title}\n\n## Description\n\nBrief description of the issue or feature request.\n\n\
         ## Acceptance Criteria\n\n- [ ] Criterion 1\n- [ ] Criterion 2\n- [ ] Criterion 3\n"
    )
}

/// The assignee of a new issue: the one given, unless it is absent or empty (`-a ""`), then
/// git's `user.name` ("Auto-detected assignee from Git"), else none.
#[must_use]
pub fn default_assignee(given: Option<&str>, git_user_name: Option<&str>) -> Option<String> {
    given
        .filter(|name| !name.is_empty())
        .or(git_user_name.filter(|name| !name.is_empty()))
        .map(str::to_owned)
}

/// What every save writes: `updated`.
#[must_use]
pub fn on_save(now: &str) -> Vec<FieldChange> {
    vec![("updated", YamlValue::Text(now.to_owned()))]
}

/// The `headline` a save writes when the file's is missing or empty: the first line of the
/// body (the text after the frontmatter, trimmed), at most 100 characters. `None` when the
/// headline is kept.
#[must_use]
pub fn headline_on_save(headline: Option<&str>, body: &str) -> Option<FieldChange> {
    if headline.is_some_and(|h| !h.is_empty()) {
        return None;
    }
    let first_line = body.trim().split('\n').next().unwrap_or_default();
    let first_line: String = first_line
        .trim_end_matches('\r')
        .chars()
        .take(100)
        .collect();
    Some(("headline", YamlValue::Text(first_line)))
}

/// The timestamps a save rewrites: the tracker reads its datetime fields (`created`,
/// `due_date`, `actual_start_date`, `actual_end_date`, `handoff_date`) as UTC when they carry no
/// zone, and writes them back with `+00:00` (`2026-11-24T17:00:00` becomes
/// `2026-11-24T17:00:00+00:00`). Values with a zone, dates alone and other text are kept.
#[must_use]
pub fn zones_on_save(frontmatter: &super::Frontmatter) -> Vec<FieldChange> {
    [
        ("created", &frontmatter.created),
        ("due_date", &frontmatter.due_date),
        ("actual_start_date", &frontmatter.actual_start_date),
        ("actual_end_date", &frontmatter.actual_end_date),
        ("handoff_date", &frontmatter.handoff_date),
    ]
    .into_iter()
    .filter_map(|(key, value)| {
        let value = value.as_deref()?;
        naive_timestamp(value).map(|iso| (key, YamlValue::Text(format!("{iso}+00:00"))))
    })
    .collect()
}

/// `YYYY-MM-DDTHH:MM:SS[.ffffff]` (or with a space for the `T`) and no zone: the ISO form with a
/// `T`; `None` for anything else.
fn naive_timestamp(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    let shape = bytes.len() >= 19
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && matches!(bytes[10], b'T' | b' ')
        && bytes[13] == b':'
        && bytes[16] == b':'
        && [0..4, 5..7, 8..10, 11..13, 14..16, 17..19]
            .into_iter()
            .all(|range| bytes[range].iter().all(u8::is_ascii_digit));
    let fraction = &value.get(19..)?;
    let fraction_ok = fraction.is_empty()
        || (fraction.starts_with('.')
            && fraction.len() > 1
            && fraction[1..].bytes().all(|b| b.is_ascii_digit()));
    (shape && fraction_ok).then(|| format!("{}T{}", &value[..10], &value[11..]))
}

/// `issue update --status STATUS` (also what `reopen` is: `--status todo`): the status, and
/// nothing else; no dates, progress kept.
#[must_use]
pub fn on_status(now: &str, status: &str) -> Vec<FieldChange> {
    with_save(now, [("status", YamlValue::Text(status.to_owned()))])
}

/// `issue close`: status `closed`, `progress_percentage: 100.0`. Only with `--record-time`
/// (`-t`) is a completion date written, as `actual_end_date` (`ended`: now, or `--date`);
/// `completed_date` is never set and the reason is only printed.
#[must_use]
pub fn on_close(now: &str, ended: Option<&str>) -> Vec<FieldChange> {
    let mut changes = vec![
        ("status", YamlValue::Text("closed".into())),
        ("progress_percentage", YamlValue::Number(100.0)),
    ];
    if let Some(ended) = ended {
        changes.push(("actual_end_date", YamlValue::Text(ended.to_owned())));
    }
    with_save(now, changes)
}

/// `issue start`: status `in-progress`, `actual_start_date` (now, or `--date`) and
/// `progress_percentage: 0.0`, even when progress was already higher.
#[must_use]
pub fn on_start(now: &str, started: Option<&str>) -> Vec<FieldChange> {
    with_save(
        now,
        [
            ("status", YamlValue::Text("in-progress".into())),
            (
                "actual_start_date",
                YamlValue::Text(started.unwrap_or(now).to_owned()),
            ),
            ("progress_percentage", YamlValue::Number(0.0)),
        ],
    )
}

/// `issue progress ID PERCENT`: `progress_percentage`, and status `in-progress` when the issue
/// was `todo` and the percentage is strictly between 0 and 100.
#[must_use]
pub fn on_progress(now: &str, percent: f64, status: &str) -> Vec<FieldChange> {
    let mut changes = vec![("progress_percentage", YamlValue::Number(percent))];
    if status == "todo" && percent > 0.0 && percent < 100.0 {
        changes.push(("status", YamlValue::Text("in-progress".into())));
    }
    with_save(now, changes)
}

/// `issue block`, as `update --status blocked` writes it (1.0.2's `block` crashes first).
#[must_use]
pub fn on_block(now: &str) -> Vec<FieldChange> {
    on_status(now, "blocked")
}

/// `issue unblock`, as `update --status in-progress` writes it (1.0.2's `unblock` crashes).
#[must_use]
pub fn on_unblock(now: &str) -> Vec<FieldChange> {
    on_status(now, "in-progress")
}

/// `issue archive` and `issue restore`: no field changes; only the file moves (see the
/// module's documentation for where to).
#[must_use]
pub fn on_archive_or_restore() -> Vec<FieldChange> {
    Vec::new()
}

fn with_save(now: &str, changes: impl IntoIterator<Item = FieldChange>) -> Vec<FieldChange> {
    let mut changes: Vec<FieldChange> = changes.into_iter().collect();
    changes.extend(on_save(now));
    changes
}

#[cfg(test)]
mod zone_tests {
    use super::*;

    #[test]
    fn naive_timestamps_get_the_utc_zone_and_nothing_else_changes() {
        assert_eq!(
            naive_timestamp("2026-11-24T17:00:00").as_deref(),
            Some("2026-11-24T17:00:00")
        );
        assert_eq!(
            naive_timestamp("2026-11-24 17:00:00.5").as_deref(),
            Some("2026-11-24T17:00:00.5")
        );
        for kept in [
            "2026-11-24T17:00:00+00:00",
            "2026-11-24T17:00:00Z",
            "2026-11-24",
            "soon",
            "2026-11-24T17:00:00.",
        ] {
            assert_eq!(naive_timestamp(kept), None, "{kept}");
        }
    }
}

#[cfg(test)]
mod tests;

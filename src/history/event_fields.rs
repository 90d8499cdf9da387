//! The fields the event log follows, read from one version of an issue, and the changes between
//! two versions: what one commit did to one issue. (Part of issue 23 compares versions for
//! `roadmap log` too, in `field_changes.rs`; the two are meant to be folded together.)

use crate::issue::Issue;

/// The followed fields, in the order [`EventFields`] holds them. `exists` is `1` while the
/// issue has a file; the others are the file's values as text.
pub const FIELDS: [&str; 10] = [
    "exists",
    "status",
    "milestone",
    "priority",
    "assignee",
    "estimate",
    "archived",
    "title",
    "created",
    "closed",
];

/// Index of `exists` in [`FIELDS`].
pub const EXISTS: usize = 0;
/// Index of `status` in [`FIELDS`].
pub const STATUS: usize = 1;
/// Index of `milestone` in [`FIELDS`].
pub const MILESTONE: usize = 2;
/// Index of `estimate` in [`FIELDS`].
pub const ESTIMATE: usize = 5;
/// Index of `archived` in [`FIELDS`].
pub const ARCHIVED: usize = 6;

/// One version of an issue as the event log sees it.
pub type EventFields = [Option<String>; FIELDS.len()];

/// The followed fields of `issue`. The milestone is what the file names: the name on the
/// legacy line, the milestone's id on the contract line (a renamed milestone file changes no
/// issue); `archived` covers the legacy archive folder and the contract's `retention`.
#[must_use]
pub fn event_fields(issue: &Issue) -> EventFields {
    let fm = &issue.frontmatter;
    let text = |value: &Option<String>| value.clone().filter(|v| !v.trim().is_empty());
    [
        Some("1".to_owned()),
        Some(issue.status.as_str().to_owned()),
        text(&issue.milestone_id).or_else(|| text(&issue.milestone)),
        Some(issue.priority.as_str().to_owned()),
        text(&issue.assignee),
        fm.estimated_hours.map(|hours| hours.value.to_string()),
        Some(issue.archived.to_string()),
        Some(issue.title.clone()),
        text(&fm.created),
        text(&fm.completed_date).or_else(|| text(&fm.actual_end_date)),
    ]
}

/// The fields that differ from `old` to `new` (`None`: no file) as `(field index, old, new)`:
/// an issue that appears gets every field it has, one that goes loses every field it had.
#[must_use]
pub fn changed_fields(
    old: Option<&EventFields>,
    new: Option<&EventFields>,
) -> Vec<(usize, Option<String>, Option<String>)> {
    let none: EventFields = Default::default();
    let (old, new) = (old.unwrap_or(&none), new.unwrap_or(&none));
    old.iter()
        .zip(new)
        .enumerate()
        .filter(|(_, (before, after))| before != after)
        .map(|(field, (before, after))| (field, before.clone(), after.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(status: &str, milestone: Option<&str>) -> EventFields {
        let mut fields: EventFields = Default::default();
        fields[EXISTS] = Some("1".into());
        fields[STATUS] = Some(status.into());
        fields[MILESTONE] = milestone.map(str::to_owned);
        fields
    }

    #[test]
    fn a_move_and_a_close_are_two_changes() {
        let before = fields("todo", Some("v1"));
        let after = fields("closed", Some("v2"));
        assert_eq!(
            changed_fields(Some(&before), Some(&after)),
            vec![
                (STATUS, Some("todo".into()), Some("closed".into())),
                (MILESTONE, Some("v1".into()), Some("v2".into())),
            ]
        );
    }

    #[test]
    fn an_issue_that_goes_loses_every_field_it_had() {
        let before = fields("todo", None);
        let changes = changed_fields(Some(&before), None);
        assert_eq!(changes.len(), 2);
        assert!(changes.iter().all(|(_, _, new)| new.is_none()));
    }
}

//! The baseline a step leaves once applied: what both sides agree on, read from GitHub's answer
//! where there is one (a value GitHub kept differently is reported), and the remote's state
//! when it differs.

use super::apply::RemoteDone;
use super::config::SyncConfig;
use super::github::GhIssue;
use super::mapping::Fields;
use super::merge::next_base;
use super::plan::{BaseState, Step};

/// What GitHub holds after a write, read from its answer: where it differs from what was
/// sent (a label spelled as GitHub's existing one, an assignee dropped without an error), the
/// baseline takes GitHub's value, and the difference is reported.
/// Returns the agreed fields, GitHub's, and the label-borne fields GitHub still lacks.
fn answered(
    (sent, fields): (&Fields, &[String]),
    answer: &GhIssue,
    uncarried: &[String],
    config: &SyncConfig,
    id: &str,
    notes: &mut Vec<String>,
) -> (Fields, Fields, Vec<String>) {
    let (held, still) = Fields::of_remote_against(answer, config, sent, uncarried);
    let mut base = sent.clone();
    for field in fields {
        let kept = with_fields(&base, &held, std::slice::from_ref(field));
        if kept != base {
            notes.push(format!(
                "{id}: GitHub kept a different {field} than was sent (#{}); the baseline records GitHub's",
                answer.number
            ));
            base = kept;
        }
    }
    (base, held, still)
}

/// Whether a write of `fields` sends the labels (which then carry every label-borne field).
fn sends_labels(fields: &[String]) -> bool {
    fields
        .iter()
        .any(|f| matches!(f.as_str(), "status" | "priority" | "issue_type" | "labels"))
}

/// The baseline row for `step` once applied as far as `done` says, if both sides agree.
pub(super) fn baseline(
    step: &Step,
    done: &RemoteDone,
    (pull, push): (bool, bool),
    new_id: Option<&String>,
    config: &SyncConfig,
    notes: &mut Vec<String>,
) -> Option<(String, BaseState)> {
    let state = |number: u64, fields: Fields, remote: Option<Fields>, uncarried| BaseState {
        number,
        fields: Some(fields),
        remote,
        seen_at: None,
        unlinked: None,
        uncarried,
    };
    match step {
        Step::Merge {
            local,
            number,
            base,
            remote,
            merged,
            uncarried,
            ..
        } => {
            let mut fields = next_base(base.as_ref(), merged, pull, push)?;
            let mut uncarried = uncarried.clone();
            let remote_after = match &done.answer {
                Some(answer) => {
                    let id = &local.issue.id;
                    if sends_labels(&merged.to_remote) {
                        uncarried.clear();
                    }
                    let sent = (&fields, merged.to_remote.as_slice());
                    let (agreed, held, still) =
                        answered(sent, answer, &uncarried, config, id, notes);
                    fields = agreed;
                    uncarried = still;
                    held
                }
                None if done.pushed => with_fields(remote, &merged.result, &merged.to_remote),
                None => remote.clone(),
            };
            let differs = (remote_after != fields).then_some(remote_after);
            let row = state(*number, fields, differs, uncarried);
            Some((local.issue.id.clone(), row))
        }
        Step::PullNew { number, fields } => Some((
            new_id?.clone(),
            state(*number, fields.clone(), None, Vec::new()),
        )),
        Step::PushNew { local, fields } => {
            let (agreed, held) = match &done.answer {
                Some(answer) => {
                    let id = &local.issue.id;
                    let sent = (fields, config.fields.as_slice());
                    let (agreed, held, _) = answered(sent, answer, &[], config, id, notes);
                    (agreed, held)
                }
                None => (fields.clone(), fields.clone()),
            };
            let differs = (held != agreed).then_some(held);
            let row = state(done.number?, agreed, differs, Vec::new());
            Some((local.issue.id.clone(), row))
        }
        Step::CloseRemote {
            id,
            number,
            already_closed,
            ..
        } => (done.pushed || *already_closed).then(|| {
            (
                id.clone(),
                BaseState {
                    number: *number,
                    fields: None,
                    remote: None,
                    seen_at: None,
                    unlinked: None,
                    uncarried: Vec::new(),
                },
            )
        }),
        Step::Unlink { id, number, reason } => {
            Some((id.clone(), BaseState::unlinked(*number, reason)))
        }
    }
}

/// `into` with the `fields` named taken from `from`.
pub(super) fn with_fields(into: &Fields, from: &Fields, fields: &[String]) -> Fields {
    let mut out = into.clone();
    for field in fields {
        match field.as_str() {
            "title" => out.title.clone_from(&from.title),
            "body" => out.body.clone_from(&from.body),
            "status" => out.status.clone_from(&from.status),
            "priority" => out.priority.clone_from(&from.priority),
            "issue_type" => out.issue_type.clone_from(&from.issue_type),
            "labels" => out.labels.clone_from(&from.labels),
            "assignee" => out.assignee.clone_from(&from.assignee),
            "milestone" => out.milestone.clone_from(&from.milestone),
            _ => {}
        }
    }
    out
}

//! The rows of `history_events`: how one commit's change of one issue is stored, and read back
//! as field changes.
//!
//! An issue that appears (or goes) is one row, `opened` (`removed`), holding every field it
//! has (had) as a JSON array: ten rows per added issue made the first commit of a 100k-issue
//! history write 1.1 million rows. Any other change is one row per changed field. Readers get
//! field changes either way: a whole-issue row is expanded into the changes it stands for, in
//! the order the per-field rows come in (by field name).

use super::super::event_fields::{EventFields, FIELDS, changed_fields};
use super::super::events::EventLogError;
use super::{Batch, EventLog};
use rusqlite::params;

/// One field change, as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub seq: i64,
    pub issue: String,
    pub field: usize,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// The `field` of a row for an issue that appears in the commit.
const OPENED: &str = "opened";
/// The `field` of a row for an issue whose file goes in the commit.
const REMOVED: &str = "removed";

impl Batch<'_> {
    /// Records what the commit at `seq` did to `issue`, from `old` to `new` (`None`: no file).
    pub fn push_change(
        &self,
        seq: i64,
        issue: &str,
        old: Option<&EventFields>,
        new: Option<&EventFields>,
    ) -> Result<(), EventLogError> {
        let mut insert = self.tx.prepare_cached(
            "INSERT OR REPLACE INTO history_events (seq, issue, field, old, new)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        match (old, new) {
            (None, Some(new)) => {
                insert.execute(params![
                    seq,
                    issue,
                    OPENED,
                    None::<String>,
                    encode_fields(new)
                ])?;
            }
            (Some(old), None) => {
                insert.execute(params![
                    seq,
                    issue,
                    REMOVED,
                    encode_fields(old),
                    None::<String>
                ])?;
            }
            _ => {
                for (field, before, after) in changed_fields(old, new) {
                    insert.execute(params![seq, issue, FIELDS[field], before, after])?;
                }
            }
        }
        Ok(())
    }
}

impl EventLog {
    /// Calls `each` with every event of the fields `fields` (indexes into [`FIELDS`]), in
    /// chain order, then by issue and field name.
    pub fn each_event(
        &self,
        fields: &[usize],
        mut each: impl FnMut(StoredEvent),
    ) -> Result<(), EventLogError> {
        let mut wanted: Vec<&str> = fields.iter().map(|&f| FIELDS[f]).collect();
        wanted.extend([OPENED, REMOVED]);
        let list = vec!["?"; wanted.len()].join(", ");
        let sql = format!(
            "SELECT seq, issue, field, old, new FROM history_events WHERE field IN ({list})
             ORDER BY seq, issue, field"
        );
        let mut by_name: Vec<usize> = (0..FIELDS.len()).collect();
        by_name.sort_by_key(|&f| FIELDS[f]);
        let mut read = self.conn.prepare(&sql)?;
        let mut rows = read.query(rusqlite::params_from_iter(wanted))?;
        while let Some(row) = rows.next()? {
            let (seq, issue, name): (i64, String, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
            let (old, new): (Option<String>, Option<String>) = (row.get(3)?, row.get(4)?);
            let whole = match name.as_str() {
                OPENED => Some((None, new.as_deref().map(decode_fields))),
                REMOVED => Some((old.as_deref().map(decode_fields), None)),
                _ => None,
            };
            if let Some((before, after)) = whole {
                let mut changes = changed_fields(before.as_ref(), after.as_ref());
                changes.retain(|(field, _, _)| fields.contains(field));
                changes.sort_by_key(|(field, _, _)| by_name.iter().position(|f| f == field));
                for (field, old, new) in changes {
                    each(StoredEvent {
                        seq,
                        issue: issue.clone(),
                        field,
                        old,
                        new,
                    });
                }
                continue;
            }
            let Some(field) = FIELDS.iter().position(|f| *f == name) else {
                continue;
            };
            each(StoredEvent {
                seq,
                issue,
                field,
                old,
                new,
            });
        }
        Ok(())
    }
}

/// The fields as one JSON array, [`FIELDS`] order.
pub(super) fn encode_fields(fields: &EventFields) -> String {
    serde_json::to_string(fields.as_slice()).unwrap_or_default()
}

/// The fields [`encode_fields`] wrote; a row that does not decode reads as empty fields, which
/// the next change of that file replaces.
pub(super) fn decode_fields(text: &str) -> EventFields {
    let values: Vec<Option<String>> = serde_json::from_str(text).unwrap_or_default();
    let mut fields: EventFields = Default::default();
    for (slot, value) in fields.iter_mut().zip(values) {
        *slot = value;
    }
    fields
}

//! Rewriting an issue row in place, column by column: only the columns whose value changed
//! are written, so an edit of one field (a commit moving `updated` and the body, say) touches
//! the index entries of that field alone, not those of every list order (`indexes.sql`).

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params_from_iter};

/// The columns of `issues` a file sets, in the order of [`RowValues`].
pub(super) const COLUMNS: [&str; 19] = [
    "blob_oid",
    "id",
    "archived",
    "is_open",
    "title",
    "status",
    "status_rank",
    "priority",
    "priority_rank",
    "issue_type",
    "milestone",
    "assignee",
    "labels",
    "created_key",
    "updated_key",
    "due_date",
    "warnings",
    "tracker_fields",
    "tally_key",
];

/// The values of [`COLUMNS`] for one file.
pub(super) type RowValues = [Value; 19];

/// Places in [`COLUMNS`] of the key `issue_json` is ordered by (with the path).
const JSON_KEY: [usize; 4] = [8, 6, 13, 1];
const LABELS: usize = 12;

/// The row at `path`: its rowid and the values of [`COLUMNS`].
pub(super) fn row_at(tx: &Connection, path: &str) -> rusqlite::Result<Option<(i64, RowValues)>> {
    let sql = format!(
        "SELECT rowid, {} FROM issues WHERE path = ?1",
        COLUMNS.join(", ")
    );
    tx.prepare_cached(&sql)?
        .query_row([path], |row| {
            let values: Vec<Value> = (1..=COLUMNS.len())
                .map(|i| row.get(i))
                .collect::<Result<_, _>>()?;
            let values: RowValues = values.try_into().expect("one value per column");
            Ok((row.get(0)?, values))
        })
        .optional()
}

/// What changed between the stored row and the file's new values.
pub(super) struct Changes {
    columns: Vec<usize>,
}

impl Changes {
    pub(super) fn between(old: &RowValues, new: &RowValues) -> Self {
        Changes {
            columns: (0..COLUMNS.len()).filter(|&i| old[i] != new[i]).collect(),
        }
    }

    /// Whether the row's place in `issue_json` moves.
    pub(super) fn moves_json_key(&self) -> bool {
        self.columns.iter().any(|c| JSON_KEY.contains(c))
    }

    pub(super) fn labels(&self) -> bool {
        self.columns.contains(&LABELS)
    }

    /// Writes the changed columns of row `rowid`.
    pub(super) fn write(
        &self,
        tx: &Connection,
        rowid: i64,
        new: &RowValues,
    ) -> rusqlite::Result<()> {
        if self.columns.is_empty() {
            return Ok(());
        }
        let set: Vec<String> = self
            .columns
            .iter()
            .enumerate()
            .map(|(place, &column)| format!("{} = ?{}", COLUMNS[column], place + 2))
            .collect();
        let sql = format!("UPDATE issues SET {} WHERE rowid = ?1", set.join(", "));
        let values = std::iter::once(Value::Integer(rowid))
            .chain(self.columns.iter().map(|&c| new[c].clone()));
        tx.prepare_cached(&sql)?.execute(params_from_iter(values))?;
        Ok(())
    }
}

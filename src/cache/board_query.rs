//! The reads behind `roadmap serve`'s board beyond the lists themselves ([`Cache::list`]): how
//! many issues each status column holds under the board's filters, the milestones, and one
//! milestone's progress.

use super::list_query::{ListQuery, SortKey};
use super::query::{IssueDetail, JSON_OF_ROW, MilestoneRow, ROW_COLUMNS, issue_row};
use super::{Cache, CacheError};
use rusqlite::OptionalExtension;
use rusqlite::params_from_iter;

/// How many issues of one status (as written) a board's filters select.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusCount {
    pub status: String,
    pub issues: usize,
}

/// One status's share of a milestone: its issues and the hours estimated for them.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusProgress {
    pub status: String,
    pub issues: usize,
    /// The sum of `estimated_hours` over the issues that have one.
    pub estimated_hours: f64,
    /// How many of the issues have an estimate.
    pub estimated: usize,
}

impl Cache {
    /// Counts the issues `query` selects (its limit and order ignored) per status, archived
    /// ones left out whatever the scope (the board never shows them), in status rank, then
    /// spelling. The count walks the status order's covering index (or the filter's own),
    /// never reading a row: one walk for every column.
    pub fn count_by_status(&self, query: &ListQuery) -> Result<Vec<StatusCount>, CacheError> {
        let unlimited = ListQuery {
            limit: None,
            sort: SortKey::Status,
            reverse: false,
            ..query.clone()
        };
        let Some(text_match) = self.text_match(&unlimited)? else {
            return Ok(Vec::new());
        };
        let plan = self.plan(&unlimited)?;
        let (picked, params) = unlimited.select(
            "issues.status_rank AS rank, issues.status AS status, issues.archived AS archived",
            text_match.as_deref(),
            &plan,
        );
        let mut statement = self.connection().prepare(&format!(
            "SELECT status, count(*) FROM ({picked}) WHERE NOT archived \
             GROUP BY rank, status ORDER BY rank, status"
        ))?;
        let rows = statement.query_map(params_from_iter(params.iter()), |row| {
            Ok(StatusCount {
                status: row.get(0)?,
                issues: row.get::<_, i64>(1)?.try_into().unwrap_or(0),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The listed issue whose id is exactly `id`: a seek of the id index (a prefix lookup,
    /// [`Cache::issues_with_id_prefix`], reads every row at 100k, ~20 ms).
    pub fn issue_with_id(&self, id: &str) -> Result<Option<IssueDetail>, CacheError> {
        Ok(self
            .connection()
            .query_row(
                &format!(
                    "SELECT {ROW_COLUMNS}, ({JSON_OF_ROW}), body, warnings FROM issues
                     JOIN issue_bodies ON issue = issues.rowid WHERE id = ?1 AND NOT shadowed"
                ),
                [id],
                |row| {
                    Ok(IssueDetail {
                        row: issue_row(row)?,
                        json: row.get(13)?,
                        body: row.get(14)?,
                        warnings: row.get(15)?,
                    })
                },
            )
            .optional()?)
    }

    /// Every milestone, active ones first, by name.
    pub fn milestones(&self) -> Result<Vec<MilestoneRow>, CacheError> {
        let mut statement = self.connection().prepare(
            "SELECT name, status, due_date, archived FROM milestones ORDER BY archived, name, path",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(MilestoneRow {
                name: row.get(0)?,
                status: row.get(1)?,
                due_date: row.get(2)?,
                archived: row.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The issues of the milestone named `name` (archived ones left out, as the board does),
    /// counted per status with their estimates, in the board's column order.
    pub fn milestone_progress(&self, name: &str) -> Result<Vec<StatusProgress>, CacheError> {
        let mut statement = self.connection().prepare(&format!(
            "SELECT status, count(*), total(hours), count(hours) FROM (
                 SELECT status_rank AS rank, status,
                        json_extract(({JSON_OF_ROW}), '$.estimated_hours') AS hours
                 FROM issues WHERE milestone = ?1 AND NOT shadowed AND NOT archived)
             GROUP BY rank, status ORDER BY rank, status"
        ))?;
        let rows = statement.query_map([name], |row| {
            Ok(StatusProgress {
                status: row.get(0)?,
                issues: row.get::<_, i64>(1)?.try_into().unwrap_or(0),
                estimated_hours: row.get(2)?,
                estimated: row.get::<_, i64>(3)?.try_into().unwrap_or(0),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

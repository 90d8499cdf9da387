//! Every read the commands make, in one place. Queries never touch git or the files.

pub use super::list_query::{ListQuery, MilestoneFilter, Scope, SortKey};
use super::{Cache, CacheError, meta};
use rusqlite::{OptionalExtension, params_from_iter};

/// How many issues a list's filters select: counted, or too many to count within a budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matched {
    Exactly(usize),
    Many,
}

/// One issue as a list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct IssueRow {
    pub id: String,
    pub title: String,
    pub status: String,
    pub priority: String,
    pub issue_type: String,
    pub assignee: Option<String>,
    pub milestone: Option<String>,
    pub labels: Vec<String>,
    pub created: Option<String>,
    pub updated: Option<String>,
    pub due_date: Option<String>,
    pub archived: bool,
    pub path: String,
}

/// A milestone's facts for the header of `list --milestone`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MilestoneRow {
    pub name: String,
    pub status: Option<String>,
    pub due_date: Option<String>,
    pub archived: bool,
}

/// Reads the [`ROW_COLUMNS`] at the start of a result row.
pub(super) fn issue_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<IssueRow> {
    let labels: String = row.get(7)?;
    Ok(IssueRow {
        id: row.get(0)?,
        title: row.get(1)?,
        status: row.get(2)?,
        priority: row.get(3)?,
        issue_type: row.get(4)?,
        assignee: row.get(5)?,
        milestone: row.get(6)?,
        labels: serde_json::from_str(&labels).unwrap_or_default(),
        created: row.get(8)?,
        updated: row.get(9)?,
        due_date: row.get(10)?,
        archived: row.get(11)?,
        path: row.get(12)?,
    })
}

/// The JSON object of the `issues` row in scope, from `issue_json` by its key.
pub(super) const JSON_OF_ROW: &str = "SELECT json FROM issue_json WHERE \
    issue_json.priority_rank = issues.priority_rank AND issue_json.status_rank = issues.status_rank \
    AND issue_json.created_key = coalesce(issues.created_key, '') AND issue_json.id = issues.id \
    AND issue_json.path = issues.path";

pub(super) const ROW_COLUMNS: &str = "id, title, status, priority, issue_type, assignee, milestone, labels, \
    created_key, updated_key, due_date, archived, path";

impl Cache {
    /// Returns the issues `query` selects, in its order.
    pub fn list(&self, query: &ListQuery) -> Result<Vec<IssueRow>, CacheError> {
        self.read_in_order(query, ROW_COLUMNS, issue_row)
    }

    /// Counts the issues `query` selects, ignoring its limit, within a budget of SQLite
    /// steps: exactly when that suffices, else only that there are many. Counting walks
    /// the list's plan one step per match and per entry a filter skips, so an exact count of
    /// the default view at 100k (70k open issues) cost twice the whole list, and a 1% filter
    /// walked its whole index; the budget keeps the count near the cost of the list itself.
    pub fn count_matches(&self, query: &ListQuery) -> Result<Matched, CacheError> {
        /// SQLite virtual-machine steps the count may take: a few thousand index entries.
        const BUDGET: u64 = 5_000;
        const EVERY: i32 = 250;
        let unlimited = ListQuery {
            limit: None,
            ..query.clone()
        };
        let Some(text_match) = self.text_match(&unlimited)? else {
            return Ok(Matched::Exactly(0));
        };
        let plan = self.plan(&unlimited)?;
        let (sql, params) = unlimited.sql(text_match.as_deref(), &plan);
        let mut steps = 0_u64;
        self.connection().progress_handler(
            EVERY,
            Some(move || {
                steps += EVERY as u64;
                steps > BUDGET
            }),
        );
        let counted = self.connection().query_row(
            &format!("SELECT count(*) FROM ({sql})"),
            params_from_iter(params.iter()),
            |row| row.get::<_, i64>(0),
        );
        self.connection()
            .progress_handler(EVERY, None::<fn() -> bool>);
        match counted {
            Ok(count) => Ok(Matched::Exactly(usize::try_from(count).unwrap_or(0))),
            Err(error)
                if error.sqlite_error_code() == Some(rusqlite::ErrorCode::OperationInterrupted) =>
            {
                Ok(Matched::Many)
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Returns the stored JSON object of each issue `query` selects, in its order.
    pub fn list_json(&self, query: &ListQuery) -> Result<Vec<String>, CacheError> {
        let mut objects = Vec::new();
        self.each_json(query, |json| {
            objects.push(json.to_owned());
            true
        })?;
        Ok(objects)
    }

    /// Picks the rowids `query` selects, in order, then reads `columns` of each row in rowid
    /// order (so each page of the table is read once, not once per row as reading them in the
    /// list's order would) and puts them back in the list's order. Both reads are one read
    /// transaction: a sync committing between them must not remove a picked row.
    fn read_in_order<T>(
        &self,
        query: &ListQuery,
        columns: &str,
        read: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, CacheError> {
        let Some(text_match) = self.text_match(query)? else {
            return Ok(Vec::new());
        };
        let snapshot = if self.connection().is_autocommit() {
            Some(self.connection().unchecked_transaction()?)
        } else {
            None
        };
        let plan = self.plan(query)?;
        let (sql, params) = query.sql(text_match.as_deref(), &plan);
        let mut picked: Vec<(i64, usize)> = self
            .connection()
            .prepare(&sql)?
            .query_map(params_from_iter(params.iter()), |row| row.get(0))?
            .enumerate()
            .map(|(place, rowid)| rowid.map(|rowid| (rowid, place)))
            .collect::<Result<_, _>>()?;
        picked.sort_unstable();
        let mut statement = self
            .connection()
            .prepare_cached(&format!("SELECT {columns} FROM issues WHERE rowid = ?1"))?;
        let mut placed: Vec<(usize, T)> = Vec::with_capacity(picked.len());
        for (rowid, place) in picked {
            placed.push((place, statement.query_row([rowid], &read)?));
        }
        drop(statement);
        if let Some(snapshot) = snapshot {
            snapshot.commit()?;
        }
        placed.sort_unstable_by_key(|(place, _)| *place);
        Ok(placed.into_iter().map(|(_, row)| row).collect())
    }

    /// Returns the milestone named `name`, preferring an active one over an archived one;
    /// failing that, the milestone whose id is `name` (contract-line files name milestones by
    /// id, and `-m` takes either).
    pub fn milestone(&self, name: &str) -> Result<Option<MilestoneRow>, CacheError> {
        Ok(self
            .connection()
            .query_row(
                "SELECT name, status, due_date, archived FROM milestones WHERE name = ?1 OR id = ?1
                 ORDER BY name IS NOT ?1, archived, path LIMIT 1",
                [name],
                |row| {
                    Ok(MilestoneRow {
                        name: row.get(0)?,
                        status: row.get(1)?,
                        due_date: row.get(2)?,
                        archived: row.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    /// Limits a `--milestone` given as a milestone's id to the issues of that milestone: the
    /// rows hold names, so the filter becomes the name. A value that is some milestone's name
    /// stays as it is.
    pub fn resolve_milestone_filter(&self, query: &mut ListQuery) -> Result<(), CacheError> {
        if let Some(MilestoneFilter::Named(given)) = &query.milestone {
            if let Some(found) = self.milestone(given)? {
                query.milestone = Some(MilestoneFilter::Named(found.name));
            }
        }
        Ok(())
    }

    /// Every milestone file as `(path, id, name)`, by path (what the sync resolves contract
    /// issues' milestone ids with).
    pub fn milestone_files(&self) -> Result<Vec<(String, Option<String>, String)>, CacheError> {
        let mut statement = self
            .connection()
            .prepare("SELECT path, id, name FROM milestones ORDER BY path")?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The issue files whose row shows one of `milestones`, as `(path, blob)`: when a
    /// milestone's name changes, the files that must be read again. Seeks the milestone
    /// index for listed rows and the small shadowed index for the others.
    pub fn issue_files_showing_milestones(
        &self,
        milestones: &[String],
    ) -> Result<Vec<(String, String)>, CacheError> {
        let values = serde_json::to_string(milestones).unwrap_or_else(|_| "[]".into());
        let mut statement = self.connection().prepare(
            "SELECT path, blob_oid FROM issues
                 WHERE NOT shadowed AND milestone IN (SELECT value FROM json_each(?1))
             UNION ALL
             SELECT path, blob_oid FROM issues
                 WHERE shadowed AND milestone IN (SELECT value FROM json_each(?1))
             ORDER BY path",
        )?;
        let rows = statement.query_map([values], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Returns every file that could not be read, as `(path, error)`, by path.
    pub fn invalid_files(&self) -> Result<Vec<(String, String)>, CacheError> {
        let mut statement = self
            .connection()
            .prepare("SELECT path, error FROM invalid_files ORDER BY path")?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Returns ids held by more than one file, with the winning path first.
    pub fn duplicate_ids(&self) -> Result<Vec<(String, Vec<String>)>, CacheError> {
        let mut statement = self.connection().prepare(
            "SELECT id, path FROM issues WHERE id IN (SELECT id FROM issues GROUP BY id HAVING count(*) > 1)
             ORDER BY id, shadowed, path",
        )?;
        let mut duplicates: Vec<(String, Vec<String>)> = Vec::new();
        let rows = statement.query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })?;
        for row in rows {
            let (id, path) = row?;
            match duplicates.last_mut() {
                Some((last, paths)) if *last == id => paths.push(path),
                _ => duplicates.push((id, vec![path])),
            }
        }
        Ok(duplicates)
    }

    /// Returns `(path, warning)` for every odd field of every listed issue file.
    pub fn field_warnings(&self) -> Result<Vec<(String, String)>, CacheError> {
        let mut statement = self.connection().prepare(
            "SELECT path, warnings FROM issues WHERE warnings IS NOT NULL ORDER BY path",
        )?;
        let rows = statement.query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })?;
        let mut warnings = Vec::new();
        for row in rows {
            let (path, text) = row?;
            warnings.extend(text.lines().map(|line| (path.clone(), line.to_owned())));
        }
        Ok(warnings)
    }

    /// Counts the issues the cache lists (one per id).
    pub fn issue_count(&self) -> Result<i64, CacheError> {
        Ok(self.connection().query_row(
            "SELECT count(*) FROM issues WHERE NOT shadowed",
            [],
            |row| row.get(0),
        )?)
    }

    /// The commit the cache holds; `Some("")` for an unborn HEAD, `None` before the first sync.
    pub fn last_synced_commit(&self) -> Result<Option<String>, CacheError> {
        self.metadata(meta::LAST_SYNCED_COMMIT)
    }
}

impl Cache {
    /// Whether some listed issue has exactly this status as written.
    pub fn has_status(&self, status: &str) -> Result<bool, CacheError> {
        Ok(self.connection().query_row(
            "SELECT EXISTS (SELECT 1 FROM issues WHERE status = ?1 AND NOT shadowed)",
            [status],
            |row| row.get(0),
        )?)
    }
}

/// One issue with everything `show` prints.
#[derive(Debug, Clone, PartialEq)]
pub struct IssueDetail {
    pub row: IssueRow,
    /// The stored JSON object (every frontmatter field).
    pub json: String,
    pub body: String,
    pub warnings: Option<String>,
}

impl Cache {
    /// Returns the listed issues whose id starts with `prefix` (one per id), by id.
    pub fn issues_with_id_prefix(&self, prefix: &str) -> Result<Vec<IssueDetail>, CacheError> {
        // GLOB on the binary-collated id walks the id index; a prefix with GLOB syntax in it
        // cannot be an id anyway.
        if prefix.is_empty() || prefix.contains(['*', '?', '[', ']']) {
            return Ok(Vec::new());
        }
        let mut statement = self.connection().prepare(&format!(
            "SELECT {ROW_COLUMNS}, ({JSON_OF_ROW}), body, warnings FROM issues JOIN issue_bodies ON issue = issues.rowid
             WHERE id GLOB ?1 || '*' AND NOT shadowed ORDER BY id"
        ))?;
        let rows = statement.query_map([prefix], |row| {
            Ok(IssueDetail {
                row: issue_row(row)?,
                json: row.get(13)?,
                body: row.get(14)?,
                warnings: row.get(15)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// A file `roadmap` wrote that HEAD does not hold yet.
/// A local write recorded by a cache of schema 3 or older, which kept them in a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyPendingWrite {
    pub path: String,
    /// Git's id of the content written; empty when the write removed the file.
    pub blob_oid: String,
    pub size: u64,
    pub mtime_ns: i64,
}

/// Reads the pending writes a cache of schema 3 or older kept in its live generation, so an
/// upgrade carries them over; none when there is no such table or file.
#[must_use]
pub fn legacy_pending_writes(dir: &std::path::Path) -> Vec<LegacyPendingWrite> {
    let read = || -> Result<Vec<LegacyPendingWrite>, Box<dyn std::error::Error>> {
        let Some(path) = super::current_generation(dir)? else {
            return Ok(Vec::new());
        };
        let conn = rusqlite::Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )?;
        let mut statement =
            conn.prepare("SELECT path, blob_oid, size, mtime_ns FROM pending_writes")?;
        let rows = statement.query_map([], |row| {
            Ok(LegacyPendingWrite {
                path: row.get(0)?,
                blob_oid: row.get(1)?,
                size: u64::try_from(row.get::<_, i64>(2)?).unwrap_or(0),
                mtime_ns: row.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    };
    read().unwrap_or_default()
}

impl Cache {
    /// Returns the listed issues with exactly this id (the winner first), with their paths.
    pub fn issue_paths(&self, id: &str) -> Result<Vec<String>, CacheError> {
        let mut statement = self
            .connection()
            .prepare_cached("SELECT path FROM issues WHERE id = ?1 ORDER BY shadowed, path")?;
        let rows = statement.query_map([id], |row| row.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// One active issue with the fields the tracker's `issue list` shows and filters on.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackerIssueRow {
    pub id: String,
    pub title: String,
    pub status: String,
    pub priority: String,
    pub issue_type: String,
    pub assignee: Option<String>,
    pub milestone: Option<String>,
    pub created_key: Option<String>,
    pub due_date: Option<String>,
    pub estimated_hours: Option<f64>,
    pub progress_percentage: Option<f64>,
    /// Some field was odd (an unknown status, say): the tracker may read it differently.
    pub has_warnings: bool,
}

impl Cache {
    /// Returns every issue whose file is under `.roadmap/issues/` (the tracker's active
    /// issues), shadowed copies included, in path order.
    pub fn tracker_active_issues(&self) -> Result<Vec<TrackerIssueRow>, CacheError> {
        // The JSON lives in `issue_json`, found by the row's key (`JSON_OF_ROW`).
        let mut statement = self.connection().prepare(&format!(
            "SELECT id, title, status, priority, issue_type, assignee, milestone, created_key, due_date,
                    json_extract(object, '$.estimated_hours'), json_extract(object, '$.progress_percentage'),
                    warnings IS NOT NULL
             FROM (SELECT *, ({JSON_OF_ROW}) AS object FROM issues
                   WHERE path GLOB '.roadmap/issues/*') ORDER BY path"
        ))?;
        let number = |value: rusqlite::types::ValueRef<'_>| match value {
            rusqlite::types::ValueRef::Integer(i) => Ok(Some(i as f64)),
            rusqlite::types::ValueRef::Real(f) => Ok(Some(f)),
            rusqlite::types::ValueRef::Null => Ok(None),
            _ => Err(()),
        };
        let rows = statement.query_map([], |row| {
            let estimated = number(row.get_ref(9)?);
            let progress = number(row.get_ref(10)?);
            let odd_number = estimated.is_err() || progress.is_err();
            Ok(TrackerIssueRow {
                id: row.get(0)?,
                title: row.get(1)?,
                status: row.get(2)?,
                priority: row.get(3)?,
                issue_type: row.get(4)?,
                assignee: row.get(5)?,
                milestone: row.get(6)?,
                created_key: row.get(7)?,
                due_date: row.get(8)?,
                estimated_hours: estimated.unwrap_or(None),
                progress_percentage: progress.unwrap_or(None),
                has_warnings: row.get::<_, bool>(11)? || odd_number,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Issue files of one status, as the tracker's `status` counts them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackerStatusCount {
    /// The status as written.
    pub status: String,
    /// Under `.roadmap/archive/issues/` or a folder named `archive`, `archived: true`, or status
    /// `archived`: the tracker's `_is_archived_issue`.
    pub archived: bool,
    /// Some field was odd: the tracker may read the file differently or not at all.
    pub has_warnings: bool,
    pub files: u64,
}

impl Cache {
    /// Counts every issue file, active and archived (shadowed copies too: the tracker counts
    /// files), by status, archived or not, and whether a field was odd.
    pub fn tracker_status_counts(&self) -> Result<Vec<TrackerStatusCount>, CacheError> {
        let mut statement = self.connection().prepare(
            "SELECT status, archived OR path GLOB '.roadmap/issues/archive/*', warnings IS NOT NULL,
                    count(*)
             FROM issues
             WHERE path GLOB '.roadmap/issues/*' OR path GLOB '.roadmap/archive/issues/*'
             GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(TrackerStatusCount {
                status: row.get(0)?,
                archived: row.get(1)?,
                has_warnings: row.get(2)?,
                files: row.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Returns the paths of the issue files, active and archived, read as closed: the status
    /// written `closed`, or an older tracker's `done` or `completed`, which roadmap-cli 1.0.2
    /// cannot read (it skips such a file).
    pub fn tracker_closed_paths(&self) -> Result<Vec<String>, CacheError> {
        let mut statement = self.connection().prepare(
            "SELECT path FROM issues
             WHERE status = 'closed'
               AND (path GLOB '.roadmap/issues/*' OR path GLOB '.roadmap/archive/issues/*')
             ORDER BY path",
        )?;
        let rows = statement.query_map([], |row| row.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

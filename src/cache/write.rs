//! The write side of the cache: one transaction per sync, with prepared statements.

use super::json_staging::{JsonRow, JsonStaging};
use super::row_update::{self, Changes, RowValues};
use super::tally::{self, Tallies};
use super::{CREATE_INDEXES, CacheError, meta, order_indexes};
use crate::issue::Issue;
use crate::milestone::{Milestone, Project};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Transaction, params, params_from_iter};
use std::collections::BTreeSet;

/// The single transaction of a sync. Dropped without [`CacheTransaction::commit`], it rolls
/// back and the cache stays as it was.
pub struct CacheTransaction<'c> {
    tx: Transaction<'c>,
    /// Ids whose rows changed: which file wins among duplicates is decided again for each.
    touched_ids: BTreeSet<String>,
    /// Filling a new, empty generation: nothing to replace, indexes created at the end.
    rebuilding: bool,
    /// A rebuild's `issue_json` rows, inserted in key order when it commits.
    staged_json: Option<JsonStaging>,
    /// A rebuild's counts for `contract_tally`, stored when it commits.
    tallies: Option<Tallies>,
    /// A rebuild that leaves the order indexes to the builder (see [`super::order_indexes`]).
    defer_order_indexes: bool,
    /// The full-text index exists and must follow every row (see [`Cache::ensure_text_index`]).
    text_index: bool,
    /// The blob some path shows changed (a row of [`super::Cache::shown_blobs`]' tables was
    /// added, removed, or given another blob): set by every method that writes those tables,
    /// and counted in `shown_version` when committed. Rewriting a path with the blob it had
    /// (a sync applying the same pending writes again) does not count.
    rows_written: bool,
}

/// A new row; a changed one is rewritten column by column (`row_update`).
const INSERT_ISSUE: &str = "
    INSERT INTO issues (path, blob_oid, id, archived, is_open, title, status, status_rank,
        priority, priority_rank, issue_type, milestone, assignee, labels, created_key,
        updated_key, due_date, warnings, tracker_fields, tally_key)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,
            ?20)";

/// The JSON of the issue row at a path, by its key in `issue_json` (see `schema.sql`).
const DELETE_JSON: &str = "
    DELETE FROM issue_json WHERE (priority_rank, status_rank, created_key, id, path) =
        (SELECT priority_rank, status_rank, coalesce(created_key, ''), id, path
         FROM issues WHERE path = ?1)";

/// `OR REPLACE`: a row left behind by a cache changed outside a sync is overwritten.
const INSERT_JSON: &str = "
    INSERT OR REPLACE INTO issue_json (priority_rank, status_rank, created_key, id, path, is_open, json)
    VALUES (?1, ?2, coalesce(?3, ''), ?4, ?5, ?6, ?7)";

/// Among files sharing an id, an active file beats an archived copy, then the later `updated`
/// wins, then the path decides so the choice never flips between runs.
const PICK_WINNERS: &str = "
    UPDATE issues SET shadowed = ranked.rank > 1
    FROM (SELECT rowid AS row, row_number() OVER (
              PARTITION BY id ORDER BY archived, updated_key DESC NULLS LAST, path) AS rank
          FROM issues WHERE id IN (SELECT value FROM json_each(?1))) AS ranked
    WHERE issues.rowid = ranked.row AND issues.shadowed != (ranked.rank > 1)";

const PICK_ALL_WINNERS: &str = "
    UPDATE issues SET shadowed = 1
    FROM (SELECT rowid AS row, row_number() OVER (
              PARTITION BY id ORDER BY archived, updated_key DESC NULLS LAST, path) AS rank
          FROM issues) AS ranked
    WHERE issues.rowid = ranked.row AND ranked.rank > 1";

impl<'c> CacheTransaction<'c> {
    pub(super) fn new(tx: Transaction<'c>) -> Result<Self, CacheError> {
        let text_index = text_index_built(&tx)?;
        Ok(CacheTransaction {
            tx,
            touched_ids: BTreeSet::new(),
            rebuilding: false,
            staged_json: None,
            tallies: None,
            defer_order_indexes: false,
            text_index,
            rows_written: false,
        })
    }

    /// The transaction that fills a new generation, staging its JSON in `staged_json`.
    pub(super) fn for_rebuild(
        tx: Transaction<'c>,
        staged_json: JsonStaging,
    ) -> Result<Self, CacheError> {
        // Each row would fire the tally's triggers: the rebuild counts as it writes.
        tally::drop_triggers(&tx)?;
        Ok(CacheTransaction {
            rebuilding: true,
            staged_json: Some(staged_json),
            tallies: Some(Tallies::default()),
            ..Self::new(tx)?
        })
    }

    /// Writes the issue read from `path` (blob `blob_oid`), replacing what the path held.
    /// `json` is [`crate::issue::to_json`] of it, built by the caller (on a parsing thread).
    pub fn upsert_issue(
        &mut self,
        path: &str,
        blob_oid: &str,
        issue: &Issue,
        json: &str,
    ) -> Result<(), CacheError> {
        let is_open = issue.status.is_open() && !issue.archived;
        let labels = serde_json::to_string(&issue.labels).unwrap_or_else(|_| "[]".into());
        let warnings = (!issue.warnings.is_empty()).then(|| issue.warnings.join("\n"));
        let text = |value: Option<&str>| value.map_or(Value::Null, |v| Value::Text(v.to_owned()));
        let tally_key = tally::tally_key(path, issue);
        if let (Some(tallies), Some(key)) = (&mut self.tallies, &tally_key) {
            tallies.count(key);
        }
        let new: RowValues = [
            Value::Text(blob_oid.to_owned()),
            Value::Text(issue.id.clone()),
            Value::Integer(issue.archived.into()),
            Value::Integer(is_open.into()),
            Value::Text(issue.title.clone()),
            Value::Text(issue.status.as_str().to_owned()),
            Value::Integer(issue.status.rank()),
            Value::Text(issue.priority.as_str().to_owned()),
            Value::Integer(issue.priority.rank()),
            Value::Text(issue.issue_type.as_str().to_owned()),
            text(issue.milestone.as_deref()),
            text(issue.assignee.as_deref()),
            Value::Text(labels),
            text(issue.created_key()),
            text(issue.updated_key()),
            text(issue.frontmatter.due_date.as_deref()),
            text(warnings.as_deref()),
            Value::Text(super::contract_query::tracker_fields(issue)),
            text(tally_key.as_deref()),
        ];
        let existing = if self.rebuilding {
            None
        } else {
            self.forget_other_kinds(path, false)?;
            row_update::row_at(&self.tx, path)?
        };
        self.rows_written |= existing.as_ref().is_none_or(|(_, old)| old[0] != new[0]);
        // The title is the fifth value; the text index holds it beside the body.
        let title_kept = existing.as_ref().is_some_and(|(_, old)| old[4] == new[4]);
        let (rowid, labels_changed) = match existing {
            Some((rowid, old)) => {
                if let Value::Text(previous_id) = &old[1] {
                    self.touched_ids.insert(previous_id.clone());
                }
                let changes = Changes::between(&old, &new);
                if changes.moves_json_key() {
                    self.tx.prepare_cached(DELETE_JSON)?.execute([path])?;
                }
                changes.write(&self.tx, rowid, &new)?;
                (rowid, changes.labels())
            }
            None => {
                // Not `RETURNING rowid`: SQLite gathers returned rows in a table of their own
                // before the statement ends, which the rebuild pays 100k times.
                self.tx
                    .prepare_cached(INSERT_ISSUE)?
                    .execute(params_from_iter(
                        std::iter::once(Value::Text(path.to_owned())).chain(new),
                    ))?;
                (self.tx.last_insert_rowid(), true)
            }
        };
        match &mut self.staged_json {
            Some(staged) => staged.push(&JsonRow {
                priority_rank: issue.priority.rank(),
                status_rank: issue.status.rank(),
                created_key: issue.created_key().unwrap_or(""),
                id: &issue.id,
                path,
                is_open,
                json,
            })?,
            None => {
                self.tx.prepare_cached(INSERT_JSON)?.execute(params![
                    issue.priority.rank(),
                    issue.status.rank(),
                    issue.created_key(),
                    issue.id,
                    path,
                    is_open,
                    json,
                ])?;
            }
        }
        // Most edits leave the body as it was (a status, a date): its page is then read but
        // not written, and the text index, dozens of pages per body, is not touched.
        let body_written = self
            .tx
            .prepare_cached(
                "INSERT INTO issue_bodies (issue, body) VALUES (?1, ?2)
                 ON CONFLICT (issue) DO UPDATE SET body = excluded.body
                 WHERE body IS NOT excluded.body",
            )?
            .execute(params![rowid, issue.body])?
            > 0;
        if self.text_index && (body_written || !title_kept) {
            self.tx
                .prepare_cached("DELETE FROM issue_text WHERE rowid = ?1")?
                .execute([rowid])?;
            self.tx
                .prepare_cached("INSERT INTO issue_text (rowid, title, body) VALUES (?1, ?2, ?3)")?
                .execute(params![rowid, issue.title, issue.body])?;
        }
        if labels_changed {
            if !self.rebuilding {
                self.tx
                    .prepare_cached("DELETE FROM issue_labels WHERE issue = ?1")?
                    .execute([rowid])?;
            }
            let mut insert_label = self.tx.prepare_cached(
                "INSERT OR IGNORE INTO issue_labels (label, issue) VALUES (?1, ?2)",
            )?;
            for label in &issue.labels {
                insert_label.execute(params![label, rowid])?;
            }
        }
        self.set_tracker_doubt(path, issue.tracker_doubt.as_deref())?;
        // A rebuild decides every winner at the end (`commit`).
        if !self.rebuilding {
            self.touched_ids.insert(issue.id.clone());
        }
        Ok(())
    }

    /// Records that the file at `path` could not be read, dropping any issue row it had.
    pub fn record_invalid(
        &mut self,
        path: &str,
        blob_oid: &str,
        error: &str,
    ) -> Result<(), CacheError> {
        self.rows_written = true;
        if !self.rebuilding {
            self.remove(path)?;
        }
        self.tx
            .prepare_cached(
                "INSERT OR REPLACE INTO invalid_files (path, blob_oid, error) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![path, blob_oid, error])?;
        Ok(())
    }

    /// Writes a milestone file's fields.
    pub fn upsert_milestone(
        &mut self,
        path: &str,
        blob_oid: &str,
        milestone: &Milestone,
    ) -> Result<(), CacheError> {
        self.note_blob("milestones", path, blob_oid)?;
        if !self.rebuilding {
            self.forget_other_kinds(path, true)?;
        }
        self.tx
            .prepare_cached(
                "INSERT OR REPLACE INTO milestones (path, name, id, archived, status, due_date, headline, blob_oid)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                path,
                milestone.name,
                milestone.id,
                milestone.archived,
                milestone.status,
                milestone.due_date,
                milestone.headline,
                blob_oid
            ])?;
        self.set_tracker_doubt(path, milestone.tracker_doubt.as_deref())
    }

    /// Writes a project file's fields.
    pub fn upsert_project(
        &mut self,
        path: &str,
        blob_oid: &str,
        project: &Project,
    ) -> Result<(), CacheError> {
        self.note_blob("projects", path, blob_oid)?;
        if !self.rebuilding {
            self.forget_other_kinds(path, true)?;
        }
        self.tx
            .prepare_cached("INSERT OR REPLACE INTO projects (path, id, name, status, blob_oid) VALUES (?1, ?2, ?3, ?4, ?5)")?
            .execute(params![path, project.id, project.name, project.status, blob_oid])?;
        Ok(())
    }

    /// Forgets whatever the file at `path` held: issue, invalid file, milestone or project.
    pub fn remove(&mut self, path: &str) -> Result<(), CacheError> {
        self.forget_other_kinds(path, true)?;
        let milestones = self
            .tx
            .prepare_cached("DELETE FROM milestones WHERE path = ?1")?
            .execute([path])?;
        let projects = self
            .tx
            .prepare_cached("DELETE FROM projects WHERE path = ?1")?
            .execute([path])?;
        self.rows_written |= milestones + projects > 0;
        Ok(())
    }

    /// Notes whether writing `blob_oid` at `path` in `table` changes the blob shown there.
    fn note_blob(&mut self, table: &str, path: &str, blob_oid: &str) -> Result<(), CacheError> {
        if self.rows_written || self.rebuilding {
            return Ok(());
        }
        let shown: Option<String> = self
            .tx
            .prepare_cached(&format!("SELECT blob_oid FROM {table} WHERE path = ?1"))?
            .query_row([path], |row| row.get(0))
            .optional()?;
        self.rows_written = shown.as_deref() != Some(blob_oid);
        Ok(())
    }

    /// Records why the tracker might read the file at `path` differently, or that it would not.
    fn set_tracker_doubt(&mut self, path: &str, doubt: Option<&str>) -> Result<(), CacheError> {
        if let Some(reason) = doubt {
            self.tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO tracker_doubts (path, reason) VALUES (?1, ?2)",
                )?
                .execute([path, reason])?;
        }
        Ok(())
    }

    fn forget_other_kinds(&mut self, path: &str, including_issue: bool) -> Result<(), CacheError> {
        let invalid = self
            .tx
            .prepare_cached("DELETE FROM invalid_files WHERE path = ?1")?
            .execute([path])?;
        self.rows_written |= invalid > 0;
        self.tx
            .prepare_cached("DELETE FROM tracker_doubts WHERE path = ?1")?
            .execute([path])?;
        if including_issue {
            self.tx.prepare_cached(DELETE_JSON)?.execute([path])?;
            let removed: Option<(i64, String)> = self
                .tx
                .prepare_cached("DELETE FROM issues WHERE path = ?1 RETURNING rowid, id")?
                .query_row([path], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?;
            if let Some((rowid, id)) = removed {
                self.rows_written = true;
                self.tx
                    .prepare_cached("DELETE FROM issue_labels WHERE issue = ?1")?
                    .execute([rowid])?;
                self.tx
                    .prepare_cached("DELETE FROM issue_bodies WHERE issue = ?1")?
                    .execute([rowid])?;
                if self.text_index {
                    self.tx
                        .prepare_cached("DELETE FROM issue_text WHERE rowid = ?1")?
                        .execute([rowid])?;
                }
                self.touched_ids.insert(id);
            }
        }
        Ok(())
    }

    /// Sets one `sync_metadata` value in this transaction.
    pub fn set_metadata(&mut self, key: &str, value: &str) -> Result<(), CacheError> {
        self.tx
            .prepare_cached("INSERT OR REPLACE INTO sync_metadata (key, value) VALUES (?1, ?2)")?
            .execute([key, value])?;
        Ok(())
    }

    /// Commits a local write: duplicate winners decided again, `last_synced_commit` unchanged.
    pub fn commit_local(self) -> Result<(), CacheError> {
        self.pick_winners()?;
        self.count_shown_version()?;
        self.tx.commit()?;
        Ok(())
    }

    /// Decides duplicate winners again for the rows written so far, without committing: an
    /// overlay ([`super::Cache::overlay`]) is then queried as a synced cache would be.
    pub fn settle(&mut self) -> Result<(), CacheError> {
        self.pick_winners()?;
        self.touched_ids.clear();
        Ok(())
    }

    /// Counts this transaction in `shown_version` when it wrote rows: every commit goes
    /// through here, so a stat file's blobs recorded at another count are not taken for the
    /// cache's (see [`super::Cache::shown_key`]). A sync of a commit that touched no roadmap
    /// file writes none, and a look after it still trusts its stat file.
    fn count_shown_version(&self) -> Result<(), CacheError> {
        if !self.rows_written && !self.rebuilding {
            return Ok(());
        }
        self.tx
            .prepare_cached(
                "INSERT INTO sync_metadata (key, value) VALUES (?1, '1')
                 ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
            )?
            .execute([meta::SHOWN_VERSION])?;
        Ok(())
    }

    fn pick_winners(&self) -> Result<(), CacheError> {
        if self.touched_ids.is_empty() {
            return Ok(());
        }
        let ids = serde_json::to_string(&self.touched_ids).unwrap_or_else(|_| "[]".into());
        // Nearly every sync touches no id that two files hold: the id index says so without
        // ranking rows (a twentieth of a hook syncing 1,000 files), and then only a row that
        // lost its twin since can still be marked shadowed.
        let duplicated: bool = self.tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM issues INDEXED BY issues_by_id
                            WHERE id IN (SELECT value FROM json_each(?1))
                            GROUP BY id HAVING count(*) > 1)",
            [&ids],
            |row| row.get(0),
        )?;
        if duplicated {
            self.tx.execute(PICK_WINNERS, [ids])?;
        } else {
            self.tx.execute(
                "UPDATE issues INDEXED BY issues_shadowed SET shadowed = 0
                 WHERE shadowed AND id IN (SELECT value FROM json_each(?1))",
                [ids],
            )?;
        }
        Ok(())
    }

    /// Decides duplicate winners, records `commit` as synced and commits. `commit` is empty
    /// for an unborn HEAD.
    pub fn commit(mut self, commit: &str, kind: &str) -> Result<(), CacheError> {
        if self.rebuilding {
            self.finish_rebuild()?;
        } else {
            self.pick_winners()?;
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let mut set = self
            .tx
            .prepare_cached("INSERT OR REPLACE INTO sync_metadata (key, value) VALUES (?1, ?2)")?;
        set.execute([meta::LAST_SYNCED_COMMIT, commit])?;
        set.execute([meta::LAST_SYNC_KIND, kind])?;
        set.execute([meta::LAST_SYNC_AT, &now.to_string()])?;
        drop(set);
        self.count_shown_version()?;
        self.tx.commit()?;
        Ok(())
    }

    /// Leaves the order indexes out of this rebuild, to the builder (see
    /// [`super::order_indexes`]).
    pub fn defer_order_indexes(&mut self) {
        self.defer_order_indexes = true;
    }

    /// Inserts a rebuild's staged JSON, creates the indexes and decides duplicate winners.
    ///
    /// Meanwhile a helper thread syncs what the rebuild wrote so far (all rows but the JSON),
    /// which the disk writes while this thread builds indexes: `NewGeneration::publish` then
    /// has less left to sync (its phase 0.19 -> 0.10 s at 100k). It syncs the whole file
    /// anyway, and reports errors: this early sync only starts the work sooner.
    fn finish_rebuild(&mut self) -> Result<(), CacheError> {
        let written = self.tx.path().map(std::path::PathBuf::from);
        std::thread::scope(|scope| {
            if let Some(written) = &written {
                scope.spawn(move || {
                    let _ = std::fs::File::open(written).and_then(|file| file.sync_data());
                });
            }
            if let Some(staged) = self.staged_json.take() {
                staged.insert_in_key_order(&self.tx)?;
            }
            self.tx.execute_batch(CREATE_INDEXES)?;
            if !self.defer_order_indexes {
                order_indexes::create_all(&self.tx)?;
            }
            if let Some(tallies) = self.tallies.take() {
                tallies.store(&self.tx)?;
            }
            // Ranking every row costs a tenth of a 100k rebuild; most repositories have no
            // duplicate ids, which the id index answers at once.
            let duplicates: bool = self.tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM issues GROUP BY id HAVING count(*) > 1)",
                [],
                |row| row.get(0),
            )?;
            if duplicates {
                self.tx.execute(PICK_ALL_WINNERS, [])?;
            }
            Ok(())
        })
    }
}

fn text_index_built(conn: &rusqlite::Connection) -> Result<bool, CacheError> {
    Ok(conn
        .query_row(
            "SELECT value FROM sync_metadata WHERE key = ?1",
            [meta::TEXT_INDEX],
            |row| row.get::<_, String>(0),
        )
        .optional()?
        .is_some_and(|value| value == "complete"))
}

impl super::Cache {
    /// Builds the full-text index of titles and bodies if this generation has none yet.
    ///
    /// Tokenizing every body costs more than the rest of a rebuild together (2.7 s of 4.5 s at
    /// 100k issues), so rebuilds leave the index out and the first search builds it, once; from
    /// then on every sync and local write keeps it in step, in the same transaction. The caller
    /// holds the sync lock (see [`crate::workspace::Workspace::search_cache`]).
    pub fn ensure_text_index(&mut self, _lock: &crate::lock::SyncLock) -> Result<(), CacheError> {
        if text_index_built(self.connection())? {
            return Ok(());
        }
        let tx = self
            .writable()
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if !text_index_built(&tx)? {
            tx.execute_batch(
                "DELETE FROM issue_text;
                 INSERT INTO issue_text (rowid, title, body)
                     SELECT issues.rowid, title, body FROM issues JOIN issue_bodies ON issue = issues.rowid;",
            )?;
            tx.execute(
                "INSERT OR REPLACE INTO sync_metadata (key, value) VALUES (?1, 'complete')",
                [meta::TEXT_INDEX],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}

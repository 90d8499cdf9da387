//! What `roadmap list` asks for (filters, order, limit) and the statement that picks its rows.

use super::list_plan::Plan;
use crate::issue::{Priority, Status};
use rusqlite::ToSql;

/// Which issues a list shows before the filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    /// Not closed and not archived (or, with a status filter, not archived).
    #[default]
    Open,
    /// Everything, closed and archived included.
    All,
    /// Only archived issues.
    Archived,
}

/// The order a list is printed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// Most urgent first, then by status and age: the default view.
    #[default]
    Priority,
    Status,
    Created,
    Updated,
    Id,
    Title,
}

impl SortKey {
    /// The index that holds the issues in this order with every filtered column (`indexes.sql`).
    pub(super) fn index(self) -> &'static str {
        match self {
            SortKey::Priority => "issues_sort_priority",
            SortKey::Status => "issues_sort_status",
            SortKey::Created => "issues_sort_created",
            SortKey::Updated => "issues_sort_updated",
            SortKey::Id => "issues_sort_id",
            SortKey::Title => "issues_sort_title",
        }
    }

    fn order_by(self) -> &'static [&'static str] {
        match self {
            SortKey::Priority => &["priority_rank", "status_rank", "created_key", "id"],
            SortKey::Status => &["status_rank", "priority_rank", "id"],
            SortKey::Created => &["created_key", "id"],
            SortKey::Updated => &["updated_key", "id"],
            SortKey::Id => &["id", "path"],
            SortKey::Title => &["title COLLATE NOCASE", "id"],
        }
    }
}

/// Which milestone a list is limited to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MilestoneFilter {
    Named(String),
    /// Issues without a milestone.
    Backlog,
}

/// The filters, order and limit of `roadmap list`.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub scope: Scope,
    /// Canonical status spellings; any of them matches.
    pub statuses: Vec<String>,
    pub priorities: Vec<String>,
    pub types: Vec<String>,
    pub assignee: Option<String>,
    pub milestone: Option<MilestoneFilter>,
    /// Every label must be present.
    pub labels: Vec<String>,
    pub sort: SortKey,
    pub reverse: bool,
    pub limit: Option<usize>,
    /// Words to find in titles and bodies, as the user typed them (any text: no query
    /// syntax); results are ranked by relevance first, then by `sort`.
    pub text: Option<String>,
}

impl ListQuery {
    /// Builds the statement that picks the issues, in order: their rowids, and its parameters;
    /// `text_match` is the FTS5 expression for [`ListQuery::text`], `plan` how the rows are
    /// found ([`Plan`]). What a sort holds is the keys and the rowid, never the wide columns,
    /// so it stays small in memory, where readers keep temporary storage (`temp_store`).
    pub(super) fn sql(
        &self,
        text_match: Option<&str>,
        plan: &Plan,
    ) -> (String, Vec<Box<dyn ToSql>>) {
        self.select("issues.rowid", text_match, plan)
    }

    /// [`ListQuery::sql`] picking `columns` of `issues` instead of the rowid: for counts
    /// that read what the order's covering index holds (the board's counts by status).
    pub(super) fn select(
        &self,
        columns: &str,
        text_match: Option<&str>,
        plan: &Plan,
    ) -> (String, Vec<Box<dyn ToSql>>) {
        let mut conditions: Vec<String> = vec!["NOT shadowed".into()];
        let mut params: Vec<Box<dyn ToSql>> = Vec::new();
        let mut join = String::new();
        if let Some(text) = text_match {
            join = " JOIN (SELECT rowid AS hit, bm25(issue_text) AS score FROM issue_text WHERE issue_text MATCH ?) \
                    ON hit = issues.rowid"
                .into();
            params.push(Box::new(text.to_owned()));
        }
        let mut any_of = |column: &str, values: &[String], params: &mut Vec<Box<dyn ToSql>>| {
            if !values.is_empty() {
                let marks = vec!["?"; values.len()].join(", ");
                conditions.push(format!("{column} IN ({marks})"));
                params.extend(values.iter().map(|v| Box::new(v.clone()) as Box<dyn ToSql>));
            }
        };
        any_of("status", &self.statuses, &mut params);
        any_of("priority", &self.priorities, &mut params);
        any_of("issue_type", &self.types, &mut params);
        if *plan == Plan::Walk {
            conditions.extend(self.rank_seeks());
        }
        match (self.scope, self.statuses.is_empty()) {
            // Written as the partial index's condition, so the default view walks that index.
            (Scope::Open, true) => conditions[0] = "is_open AND NOT shadowed".into(),
            (Scope::Open, false) => conditions.push("NOT archived".into()),
            (Scope::Archived, _) => conditions.push("archived".into()),
            (Scope::All, _) => {}
        }
        if let Some(assignee) = &self.assignee {
            conditions.push("assignee = ? COLLATE NOCASE".into());
            params.push(Box::new(assignee.clone()));
        }
        match &self.milestone {
            Some(MilestoneFilter::Named(name)) => {
                conditions.push("milestone = ?".into());
                params.push(Box::new(name.clone()));
            }
            Some(MilestoneFilter::Backlog) => conditions.push("milestone IS NULL".into()),
            None => {}
        }
        for (index, label) in self.labels.iter().enumerate() {
            if *plan == Plan::FromLabel(index) || text_match.is_some() {
                // The label the plan starts from: a list of rows to visit.
                conditions.push(
                    "issues.rowid IN (SELECT issue FROM issue_labels WHERE label = ?)".into(),
                );
                params.push(Box::new(label.clone()));
            } else {
                // Tested on the index entry, whose `labels` is the JSON array as serde_json
                // wrote it: an element is `"label"` after `[` or `,`, which inside a string
                // could only appear escaped (`\"`).
                let quoted = serde_json::to_string(label).unwrap_or_default();
                conditions.push("(instr(labels, ?) > 0 OR instr(labels, ?) > 0)".into());
                params.push(Box::new(format!("[{quoted}")));
                params.push(Box::new(format!(",{quoted}")));
            }
        }
        let direction = if self.reverse { " DESC" } else { "" };
        let relevance = text_match.map(|_| "score".to_owned());
        let order: Vec<String> = relevance
            .into_iter()
            .chain(
                self.sort
                    .order_by()
                    .iter()
                    .map(|c| format!("{c}{direction}")),
            )
            .collect();
        let access = if text_match.is_some() {
            String::new()
        } else {
            plan.access(self)
        };
        let mut sql = format!(
            "SELECT {columns} FROM issues{access}{join} WHERE {} ORDER BY {}",
            conditions.join(" AND "),
            order.join(", ")
        );
        if let Some(limit) = self.limit {
            sql.push_str(&format!(" LIMIT {limit}"));
        }
        (sql, params)
    }

    /// The ranks of the statuses and priorities the list asks for, beside their names: the
    /// order indexes lead with the ranks, so a walk seeks to the entries that have them
    /// instead of passing every other one (at 1M, `-t bug -s blocked` walked the 30,000 open
    /// critical issues in progress or in review before the first blocked one). On the
    /// priority order a status alone gets every priority rank, so the seek reaches the status.
    /// Only the priority and status orders lead with ranks. Ranks are a function of the names (`Status::rank`), so the rows are the same.
    fn rank_seeks(&self) -> Vec<String> {
        fn ranks_in(column: &str, ranks: impl Iterator<Item = i64>) -> String {
            let mut ranks: Vec<String> = ranks.map(|rank| rank.to_string()).collect();
            ranks.sort();
            ranks.dedup();
            format!("{column} IN ({})", ranks.join(", "))
        }
        let mut seeks = Vec::new();
        if !matches!(self.sort, SortKey::Priority | SortKey::Status) {
            // The other orders' indexes lead with their key: nothing to seek by.
            return seeks;
        }
        if !self.priorities.is_empty() {
            let ranks = self
                .priorities
                .iter()
                .map(|p| Priority::from_file(p).0.rank());
            seeks.push(ranks_in("priority_rank", ranks));
        } else if !self.statuses.is_empty() && self.sort == SortKey::Priority {
            let every = [
                Priority::Critical,
                Priority::High,
                Priority::Medium,
                Priority::Low,
                Priority::Other(String::new()),
            ];
            seeks.push(ranks_in("priority_rank", every.iter().map(Priority::rank)));
        }
        if !self.statuses.is_empty() {
            let ranks = self.statuses.iter().map(|s| Status::from_file(s).0.rank());
            seeks.push(ranks_in("status_rank", ranks));
        }
        seeks
    }

    /// Whether the list is the default view's set of rows (or all of them) in the default
    /// order, which `issue_json` holds in that order.
    pub(super) fn in_json_order(&self) -> bool {
        self.sort == SortKey::Priority
            && self.text.is_none()
            && self.statuses.is_empty()
            && self.priorities.is_empty()
            && self.types.is_empty()
            && self.assignee.is_none()
            && self.milestone.is_none()
            && self.labels.is_empty()
            && matches!(self.scope, Scope::Open | Scope::All)
    }

    /// Whether the list has filters beyond its scope.
    pub(super) fn filtered(&self) -> bool {
        !(self.statuses.is_empty()
            && self.priorities.is_empty()
            && self.types.is_empty()
            && self.assignee.is_none()
            && self.milestone.is_none()
            && self.labels.is_empty())
    }
}

/// SQLite's plan of `sql`, one line per step: for the tests of plans, here and in `list_plan`.
#[cfg(test)]
pub(super) fn plan_steps(
    cache: &super::Cache,
    sql: &str,
    params: &[Box<dyn ToSql>],
) -> Vec<String> {
    cache
        .connection()
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap()
        .query_map(rusqlite::params_from_iter(params.iter()), |row| row.get(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every combination of scope, order and text the list can ask for.
    fn queries() -> Vec<ListQuery> {
        let sorts = [
            SortKey::Priority,
            SortKey::Status,
            SortKey::Created,
            SortKey::Updated,
            SortKey::Id,
            SortKey::Title,
        ];
        let mut queries = Vec::new();
        for scope in [Scope::Open, Scope::All, Scope::Archived] {
            for sort in sorts {
                for text in [None, Some("word".to_owned())] {
                    for labels in [vec![], vec!["x".to_owned()]] {
                        queries.push(ListQuery {
                            scope,
                            sort,
                            text: text.clone(),
                            labels,
                            ..ListQuery::default()
                        });
                    }
                }
            }
        }
        queries
    }

    #[test]
    fn lists_sort_rowids_and_keys_never_whole_rows() {
        let dir = tempfile::tempdir().unwrap();
        let generation = crate::cache::NewGeneration::create(dir.path()).unwrap();
        let cache = generation.publish(dir.path()).unwrap();
        cache.create_all_indexes_for_tests();
        for query in queries() {
            let text = query.text.as_ref().map(|_| "\"word\"");
            for plan in [
                Plan::Walk,
                Plan::FromLabel(0),
                Plan::FromAssignee,
                Plan::FromMilestone,
            ] {
                let (sql, _) = query.sql(text, &plan);
                let statement = cache.connection().prepare(&sql).unwrap();
                assert_eq!(statement.column_names(), ["rowid"], "{sql}");
            }
        }
    }

    /// Every order, either direction, any scope and any filter but the text: a walk of one
    /// index in order, never a sort.
    #[test]
    fn every_order_walks_its_index() {
        let dir = tempfile::tempdir().unwrap();
        let generation = crate::cache::NewGeneration::create(dir.path()).unwrap();
        let cache = generation.publish(dir.path()).unwrap();
        cache.create_all_indexes_for_tests();
        for mut query in queries().into_iter().filter(|q| q.text.is_none()) {
            for reverse in [false, true] {
                query.reverse = reverse;
                query.limit = Some(50);
                query.assignee = reverse.then(|| "alice".to_owned());
                query.statuses = if reverse { vec!["todo".into()] } else { vec![] };
                let (sql, params) = query.sql(None, &Plan::Walk);
                let plan = plan_steps(&cache, &sql, &params);
                assert!(
                    !plan.iter().any(|step| step.contains("TEMP B-TREE")),
                    "{sql}: {plan:?}"
                );
                // A walk of the order's index, or (a status filter) seeks along it.
                let along_the_order = |step: &String| {
                    step.contains("SCAN issues USING")
                        || step.starts_with(&format!(
                            "SEARCH issues USING COVERING INDEX {}",
                            query.sort.index()
                        ))
                };
                assert!(plan.iter().any(along_the_order), "{sql}: {plan:?}");
            }
        }
    }
}

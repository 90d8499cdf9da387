//! How a list finds its rows: which index it walks or starts from, chosen per query from
//! bounded counts, and the JSON export streamed in list order.
//!
//! Every order has an index holding every filtered column (`indexes.sql`), so most lists walk
//! the index of their order and stop at their limit without sorting: the cost is the limit
//! over the share of issues that pass the filters. A filter that few issues pass (a rare
//! label, assignee or milestone, or one nobody has) would make that walk read the whole
//! index; such a list starts from the filter's own index and sorts what it finds instead.

use super::list_query::{ListQuery, MilestoneFilter, Scope, SortKey};
use super::query::JSON_OF_ROW;
use super::{Cache, CacheError};
use rusqlite::params_from_iter;

/// A filter that fewer issues than this pass is where a list starts; a count stops here, so
/// deciding costs at most this many index entries per filter.
const FEW: i64 = 2_000;

/// Where a list's rows come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Plan {
    /// Walk the index of the list's order, testing the filters on each entry.
    Walk,
    /// Start from the rows with the label at this place of [`ListQuery::labels`], then sort.
    FromLabel(usize),
    /// Start from the rows of the assignee, then sort.
    FromAssignee,
    /// Start from the rows of the milestone, then sort.
    FromMilestone,
    /// The index of the list's order is not built yet (see [`super::order_indexes`]): SQLite
    /// plans the list itself, a sort of what it reads.
    Unplanned,
}

/// A constraint on a leading column of a filter's index (`indexes.sql`), as SQLite seeks it.
enum Leading<'q> {
    Equals(&'static str, &'q str),
    Null(&'static str),
    AnyOf(&'static str, &'q [String]),
}

/// The leading columns of `issues_by_assignee` (`by_assignee`) or `issues_by_milestone` the
/// list constrains, in index order up to the first it leaves free: what a seek narrows by.
fn seek_prefix(query: &ListQuery, by_assignee: bool) -> Vec<Leading<'_>> {
    let assignee = query
        .assignee
        .as_deref()
        .map(|name| Leading::Equals("assignee COLLATE NOCASE", name));
    let milestone = query.milestone.as_ref().map(|filter| match filter {
        MilestoneFilter::Named(name) => Leading::Equals("milestone", name),
        MilestoneFilter::Backlog => Leading::Null("milestone"),
    });
    let (first, second) = if by_assignee {
        (assignee, milestone)
    } else {
        (milestone, assignee)
    };
    fn any_of<'q>(column: &'static str, values: &'q [String]) -> Option<Leading<'q>> {
        (!values.is_empty()).then_some(Leading::AnyOf(column, values))
    }
    [
        first,
        second,
        any_of("issue_type", &query.types),
        any_of("priority", &query.priorities),
        any_of("status", &query.statuses),
    ]
    .into_iter()
    .map_while(|leading| leading)
    .collect()
}

impl Plan {
    /// The `INDEXED BY` / `NOT INDEXED` clause that holds SQLite to this plan: without
    /// statistics its planner prefers any index matching an equality, whatever it selects.
    pub(super) fn access(&self, query: &ListQuery) -> String {
        let index = match self {
            Plan::Walk => walk_index(query),
            Plan::FromLabel(_) => return " NOT INDEXED".into(),
            Plan::FromAssignee => "issues_by_assignee",
            Plan::FromMilestone => "issues_by_milestone",
            Plan::Unplanned => return String::new(),
        };
        format!(" INDEXED BY {index}")
    }
}

/// The index a walk of `query`'s order reads.
fn walk_index(query: &ListQuery) -> &'static str {
    if query.sort == SortKey::Priority && query.scope == Scope::Open && !query.filtered() {
        "issues_open_by_priority"
    } else {
        query.sort.index()
    }
}

impl Cache {
    /// Chooses how `query` finds its rows: from the filter fewest issues pass when that is
    /// under [`FEW`], else by walking the index of its order.
    pub(super) fn plan(&self, query: &ListQuery) -> Result<Plan, CacheError> {
        let mut best: Option<(i64, Plan)> = None;
        let mut consider = |count: i64, plan: Plan| {
            if count < FEW && best.as_ref().is_none_or(|(fewest, _)| count < *fewest) {
                best = Some((count, plan));
            }
        };
        for (index, label) in query.labels.iter().enumerate() {
            let count = self.count_rows_up_to(
                "SELECT 1 FROM issue_labels WHERE label = ?1 LIMIT ?2",
                label,
            )?;
            consider(count, Plan::FromLabel(index));
        }
        if query.assignee.is_some() && self.has_index("issues_by_assignee")? {
            let count = self.count_seek_up_to("issues_by_assignee", &seek_prefix(query, true))?;
            consider(count, Plan::FromAssignee);
        }
        if matches!(query.milestone, Some(MilestoneFilter::Named(_)))
            && self.has_index("issues_by_milestone")?
        {
            let count = self.count_seek_up_to("issues_by_milestone", &seek_prefix(query, false))?;
            consider(count, Plan::FromMilestone);
        }
        match best {
            Some((_, plan)) => Ok(plan),
            None if self.has_index(walk_index(query))? => Ok(Plan::Walk),
            None => Ok(Plan::Unplanned),
        }
    }

    /// Counts the rows of `rows` (a statement with the value as `?1` and a limit as `?2`), up
    /// to [`FEW`].
    fn count_rows_up_to(&self, rows: &str, value: &str) -> Result<i64, CacheError> {
        let sql = format!("SELECT count(*) FROM ({rows})");
        Ok(self
            .connection()
            .prepare_cached(&sql)?
            .query_row(rusqlite::params![value, FEW], |row| row.get(0))?)
    }

    /// Counts, up to [`FEW`], the entries of `index` a list starting from it visits: those
    /// its seek reaches through the leading columns the list constrains (`prefix`).
    fn count_seek_up_to(&self, index: &str, prefix: &[Leading<'_>]) -> Result<i64, CacheError> {
        let mut conditions = vec!["NOT shadowed".to_owned()];
        let mut params: Vec<&str> = Vec::new();
        for leading in prefix {
            match leading {
                Leading::Equals(column, value) => {
                    conditions.push(format!("{column} = ?"));
                    params.push(value);
                }
                Leading::Null(column) => conditions.push(format!("{column} IS NULL")),
                Leading::AnyOf(column, values) => {
                    let marks = vec!["?"; values.len()].join(", ");
                    conditions.push(format!("{column} IN ({marks})"));
                    params.extend(values.iter().map(String::as_str));
                }
            }
        }
        let sql = format!(
            "SELECT count(*) FROM (SELECT 1 FROM issues INDEXED BY {index} WHERE {} LIMIT {FEW})",
            conditions.join(" AND ")
        );
        Ok(self
            .connection()
            .prepare_cached(&sql)?
            .query_row(params_from_iter(params), |row| row.get(0))?)
    }

    /// Hands the stored JSON object of each issue `query` selects to `emit`, in order, as it
    /// is read; `emit` returns false to stop (its reader went away). Nothing is collected: the
    /// default order is a sequential read of `issue_json`; any other picks the rowids in order
    /// first (the keys only) and then reads each object by its key.
    pub fn each_json(
        &self,
        query: &ListQuery,
        mut emit: impl FnMut(&str) -> bool,
    ) -> Result<(), CacheError> {
        let Some(text_match) = self.text_match(query)? else {
            return Ok(());
        };
        // One read transaction: a sync committing between the two reads must not remove a
        // picked row.
        let snapshot = if self.connection().is_autocommit() {
            Some(self.connection().unchecked_transaction()?)
        } else {
            None
        };
        if query.in_json_order() {
            let direction = if query.reverse { " DESC" } else { "" };
            let order: Vec<String> = ["priority_rank", "status_rank", "created_key", "id", "path"]
                .iter()
                .map(|column| format!("{column}{direction}"))
                .collect();
            let open = if query.scope == Scope::Open {
                "is_open AND "
            } else {
                ""
            };
            let limit = query.limit.map_or(String::new(), |n| format!(" LIMIT {n}"));
            let sql = format!(
                "SELECT json FROM issue_json
                 WHERE {open}path NOT IN (SELECT path FROM issues WHERE shadowed)
                 ORDER BY {}{limit}",
                order.join(", ")
            );
            let mut statement = self.connection().prepare(&sql)?;
            let mut rows = statement.query([])?;
            while let Some(row) = rows.next()? {
                if !emit(text(row)?) {
                    break;
                }
            }
        } else {
            let plan = self.plan(query)?;
            let (sql, params) = query.sql(text_match.as_deref(), &plan);
            let picked: Vec<i64> = self
                .connection()
                .prepare(&sql)?
                .query_map(params_from_iter(params.iter()), |row| row.get(0))?
                .collect::<Result<_, _>>()?;
            let mut statement = self.connection().prepare(&format!(
                "SELECT ({JSON_OF_ROW}) FROM issues WHERE rowid = ?1"
            ))?;
            for rowid in picked {
                let mut rows = statement.query([rowid])?;
                // A picked row is there (one read transaction): a missing one is damage.
                let row = rows.next()?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
                if !emit(text(row)?) {
                    break;
                }
            }
        }
        if let Some(snapshot) = snapshot {
            snapshot.commit()?;
        }
        Ok(())
    }
}

/// The first column of `row` as text, borrowed from SQLite's buffer.
fn text<'r>(row: &'r rusqlite::Row<'_>) -> rusqlite::Result<&'r str> {
    let value = row.get_ref(0)?;
    value.as_str().map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(0, value.data_type(), Box::new(error))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::list_query::plan_steps;
    use crate::cli::list_args::ListArgs;
    use clap::Parser;

    #[derive(Parser)]
    struct List {
        #[command(flatten)]
        args: ListArgs,
    }

    /// A cache whose 6,000 open issues spread over 3 assignees, 2 milestones, 2 types, 4
    /// priorities and 5 statuses independently: every filter alone passes 1,200 or more.
    fn spread_cache(dir: &std::path::Path) -> Cache {
        let generation = super::super::NewGeneration::create(dir).unwrap();
        let cache = generation.publish(dir).unwrap();
        cache.create_all_indexes_for_tests();
        let connection = cache.connection();
        let mut insert = connection
            .prepare(
                "INSERT INTO issues (path, blob_oid, id, archived, is_open, title, status,
                     status_rank, priority, priority_rank, issue_type, milestone, assignee,
                     labels, created_key, updated_key)
                 VALUES (?1, '', ?1, 0, 1, 't', ?7, ?8, ?2, ?3, ?4, ?5, ?6, '[]', ?1, ?1)",
            )
            .unwrap();
        let priorities = ["critical", "high", "medium", "low"];
        // Every status, an unknown one included, with the rank a sync gives it.
        let statuses = ["todo", "in-progress", "blocked", "review", "waiting"];
        for n in 0..6_000_usize {
            let status = statuses[n / 48 % statuses.len()];
            insert
                .execute(rusqlite::params![
                    format!("{n:05}"),
                    priorities[n % 4],
                    (n % 4) as i64,
                    ["bug", "feature"][n / 4 % 2],
                    ["v1", "v2"][n / 8 % 2],
                    ["alice", "bob", "carol"][n / 16 % 3],
                    status,
                    crate::issue::Status::from_file(status).0.rank(),
                ])
                .unwrap();
        }
        drop(insert);
        cache
    }

    fn query(args: &str) -> ListQuery {
        let parsed = List::try_parse_from(std::iter::once("list").chain(args.split(' ')))
            .unwrap()
            .args;
        parsed.to_query(|_| false).unwrap()
    }

    /// Filters common alone but rare together start from the filter index that seeks them all
    /// at once: the walk in order would read every entry for a handful of matches.
    #[test]
    fn a_rare_combination_of_common_filters_is_one_seek() {
        let dir = tempfile::tempdir().unwrap();
        let cache = spread_cache(dir.path());
        let rare = query("-a carol -m v2 -t feature -p high --sort updated --limit 50");
        assert_eq!(cache.plan(&rare).unwrap(), Plan::FromAssignee);
        let (sql, params) = rare.sql(None, &Plan::FromAssignee);
        let steps = plan_steps(&cache, &sql, &params);
        assert!(
            steps.iter().any(|step| step.contains(
                "issues_by_assignee (assignee=? AND milestone=? AND issue_type=? AND priority=?)"
            )),
            "{steps:?}"
        );
        let found = cache.list(&rare).unwrap();
        // carol (n/16 % 3 == 2), v2 (n/8 % 2 == 1), feature (n/4 % 2 == 1), high (n % 4 == 1).
        let expected: Vec<String> = (0..6_000_usize)
            .filter(|n| n / 16 % 3 == 2 && n / 8 % 2 == 1 && n / 4 % 2 == 1 && n % 4 == 1)
            .map(|n| format!("{n:05}"))
            .take(50)
            .collect();
        let ids: Vec<String> = found.into_iter().map(|row| row.id).collect();
        assert_eq!(ids, expected);
        // One common filter alone: walking the order's index finds 50 soonest.
        let common = query("-a carol --sort updated --limit 50");
        assert_eq!(cache.plan(&common).unwrap(), Plan::Walk);
        // A milestone with a rare assignee spelled in another case seeks the same way.
        let rare_by_milestone = query("-m v1 -a ALICE -t bug -p low --limit 50");
        assert_ne!(cache.plan(&rare_by_milestone).unwrap(), Plan::Walk);
        assert!(!cache.list(&rare_by_milestone).unwrap().is_empty());
    }

    /// Status and priority filters seek by rank on the orders that lead with ranks, and find
    /// exactly the rows the names select, an unknown status included, in either direction.
    #[test]
    fn status_and_priority_filters_seek_by_rank_and_find_the_same_rows() {
        let dir = tempfile::tempdir().unwrap();
        let cache = spread_cache(dir.path());
        for (args, names) in [
            (
                "-t bug -s blocked",
                "issue_type = 'bug' AND status = 'blocked'",
            ),
            (
                "-s waiting -s review --sort status -r",
                "status IN ('waiting', 'review')",
            ),
            (
                "-s todo -p low -p critical",
                "status = 'todo' AND priority IN ('low', 'critical')",
            ),
            ("-p high --sort status", "priority = 'high'"),
            ("-s blocked --sort updated -r", "status = 'blocked'"),
        ] {
            let parsed = List::try_parse_from(std::iter::once("list").chain(args.split(' ')))
                .unwrap()
                .args;
            let list = parsed.to_query(|status| status == "waiting").unwrap();
            let (sql, _) = list.sql(None, &Plan::Walk);
            if matches!(list.sort, SortKey::Priority | SortKey::Status) {
                assert!(
                    sql.contains("status_rank IN (") || sql.contains("priority_rank IN ("),
                    "{sql}"
                );
            }
            let mut found: Vec<String> = cache
                .list(&list)
                .unwrap()
                .into_iter()
                .map(|r| r.id)
                .collect();
            let mut expected: Vec<String> = cache
                .connection()
                .prepare(&format!("SELECT id FROM issues WHERE {names}"))
                .unwrap()
                .query_map([], |row| row.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert!(expected.len() > 100, "{args}: the case selects too little");
            found.sort();
            expected.sort();
            assert_eq!(found, expected, "{args}: {sql}");
        }
    }

    /// Prints the plan of each view of the bench's matrix for the cache generation at
    /// `ROADMAP_PLAN_CACHE` (for BENCHMARKS.md): `cargo test --lib view_plans -- --ignored
    /// --nocapture`.
    #[test]
    #[ignore = "needs a cache: ROADMAP_PLAN_CACHE=<cache-*.db>"]
    fn view_plans() {
        let path = std::env::var("ROADMAP_PLAN_CACHE").expect("ROADMAP_PLAN_CACHE");
        let cache = Cache::open_generation(path.into()).unwrap();
        let views: &[&str] = &[
            "--limit 50",
            "-s todo,in-progress -p critical,high -l backend --sort updated -r --limit 50",
            "-a alice --sort created --limit 50",
            "-m v1-1 --sort title --limit 50",
            "-t bug -s blocked --limit 50",
            "--all --sort updated --limit 50",
            "-l hooks -l perf --limit 50",
            "--all -a bob --sort priority -r --limit 50",
            "--sort id -r --limit 50",
            "--all --sort status -r --limit 50",
            "--archived --sort title --limit 50",
            "-a carol -m v2-0 -t feature -p high --sort updated --limit 50",
            "-l cache --limit 50",
            "-m v1.1 --sort title --limit 50",
        ];
        for view in views {
            let parsed = List::try_parse_from(std::iter::once("list").chain(view.split(' ')))
                .unwrap()
                .args;
            let query = parsed.to_query(|_| false).unwrap();
            let plan = cache.plan(&query).unwrap();
            let (sql, params) = query.sql(None, &plan);
            let steps = plan_steps(&cache, &sql, &params);
            println!("| `{view}` | {plan:?} | {} |", steps.join("; "));
        }
    }
}

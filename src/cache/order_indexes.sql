-- The order indexes: one per order a list can ask for, and two that a filter on a rare value
-- starts from. A full rebuild of a large repository leaves them to a detached process
-- (`order_indexes.rs`). Until each exists, the lists that would use it let SQLite plan.
-- Each statement is built on its own: no semicolon inside a comment here.
-- One index per order a list can ask for, each followed by every column a list filters on
-- (labels as the JSON array) and `shadowed` (SQLite counts an index as covering only when it holds every
-- column the query names, even one its WHERE implies): a list walks the index of its order, forwards or backwards, tests the
-- filters on the index entry and stops at its limit, never reading a row it does not print
-- and never sorting. `query.rs` picks the index by name (`INDEXED BY`).
CREATE INDEX IF NOT EXISTS issues_sort_priority
    ON issues(priority_rank, status_rank, created_key, id,
              is_open, archived, status, priority, issue_type, assignee, milestone, labels, shadowed) WHERE NOT shadowed;
CREATE INDEX IF NOT EXISTS issues_sort_status
    ON issues(status_rank, priority_rank, id,
              is_open, archived, status, priority, issue_type, assignee, milestone, labels, shadowed) WHERE NOT shadowed;
CREATE INDEX IF NOT EXISTS issues_sort_created
    ON issues(created_key, id,
              is_open, archived, status, priority, issue_type, assignee, milestone, labels, shadowed) WHERE NOT shadowed;
CREATE INDEX IF NOT EXISTS issues_sort_updated
    ON issues(updated_key, id,
              is_open, archived, status, priority, issue_type, assignee, milestone, labels, shadowed) WHERE NOT shadowed;
CREATE INDEX IF NOT EXISTS issues_sort_id
    ON issues(id, path,
              is_open, archived, status, priority, issue_type, assignee, milestone, labels, shadowed) WHERE NOT shadowed;
CREATE INDEX IF NOT EXISTS issues_sort_title
    ON issues(title COLLATE NOCASE, id,
              is_open, archived, status, priority, issue_type, assignee, milestone, labels, shadowed) WHERE NOT shadowed;
-- A filter on a value few issues have (an assignee, a milestone) starts from these instead:
-- a walk in order would read the whole index to find them. The other equality filters
-- follow, so a combination of them (`-a carol -m v2-0 -t feature -p high`) is one seek to
-- the few entries that pass, however common each filter is alone. The rest are tested on the
-- entry. The sort keys that edits rarely move follow, so the entries found are sorted by
-- priority, status, creation or id without reading their rows (at 1M, reading the ~1,000 rows
-- of the 0.1% combination cost 3 ms). Not `updated` (nor the title): nearly every edit moves
-- it, and with it in these two indexes a branch switch across 1,000 edited issues wrote two
-- more index pages per issue (+25 ms at 100k). A list sorted by it reads the rows it found.
CREATE INDEX IF NOT EXISTS issues_by_assignee
    ON issues(assignee COLLATE NOCASE, milestone, issue_type, priority, status, is_open, archived,
              priority_rank, status_rank, created_key, id)
    WHERE NOT shadowed;
CREATE INDEX IF NOT EXISTS issues_by_milestone
    ON issues(milestone, assignee COLLATE NOCASE, issue_type, priority, status, is_open, archived,
              priority_rank, status_rank, created_key, id)
    WHERE NOT shadowed;

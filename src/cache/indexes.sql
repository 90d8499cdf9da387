-- Indexes of the rebuildable tables every sync and the default view use. A full rebuild
-- inserts first and creates them after, which is about twice as fast as inserting into
-- indexed tables. The order indexes are in `order_indexes.sql`.
CREATE INDEX IF NOT EXISTS issues_by_id ON issues(id);
-- The default view (open issues, most urgent first) is a walk of this index, not a sort,
-- and never reads a row of the table.
CREATE INDEX IF NOT EXISTS issues_open_by_priority
    ON issues(priority_rank, status_rank, created_key, id, is_open, shadowed) WHERE is_open AND NOT shadowed;
-- The few shadowed files, for `list --format json`, which reads `issue_json` in order.
CREATE INDEX IF NOT EXISTS issues_shadowed ON issues(path) WHERE shadowed;
CREATE INDEX IF NOT EXISTS issues_by_issue ON issue_labels(issue);

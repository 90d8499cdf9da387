-- Indexes of the rebuildable tables. A full rebuild drops them, inserts, and creates them
-- again, which is about twice as fast as inserting into indexed tables.
CREATE INDEX IF NOT EXISTS issues_by_id ON issues(id);
-- The default view (open issues, most urgent first) is a walk of this index, not a sort.
CREATE INDEX IF NOT EXISTS issues_open_by_priority
    ON issues(priority_rank, status_rank, created_key, id) WHERE is_open AND NOT shadowed;
CREATE INDEX IF NOT EXISTS issues_by_status ON issues(status, priority_rank) WHERE NOT shadowed;
CREATE INDEX IF NOT EXISTS issues_by_milestone ON issues(milestone, priority_rank) WHERE NOT shadowed;
CREATE INDEX IF NOT EXISTS issues_by_assignee ON issues(assignee, priority_rank) WHERE NOT shadowed;
CREATE INDEX IF NOT EXISTS issues_by_issue ON issue_labels(issue);

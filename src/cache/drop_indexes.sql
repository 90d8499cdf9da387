DROP INDEX IF EXISTS issues_by_id;
DROP INDEX IF EXISTS issues_open_by_priority;
DROP INDEX IF EXISTS issues_by_status;
DROP INDEX IF EXISTS issues_by_milestone;
DROP INDEX IF EXISTS issues_by_assignee;
DROP INDEX IF EXISTS issues_by_issue;

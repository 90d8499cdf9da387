-- remote.db, schema 1: state that cannot be rebuilt from git, kept apart from the cache so
-- that no rebuild can drop it.

-- The remote tracker's state at the last two-way sync, per linked issue.
CREATE TABLE sync_base_state (
    remote    TEXT NOT NULL,
    issue_id  TEXT NOT NULL,
    state     TEXT NOT NULL,              -- JSON of the fields as last agreed
    synced_at TEXT NOT NULL,
    PRIMARY KEY (remote, issue_id)
) WITHOUT ROWID;

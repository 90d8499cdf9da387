-- history.db, schema 1: the plan's field changes along HEAD's first-parent line.
-- Everything here comes from git and can be derived again; it lives apart from the cache
-- generations so that a cache rebuild (schema upgrade, damage, large diff) keeps it.

-- HEAD's first-parent line as far as events were derived: seq 1 is the root commit.
CREATE TABLE history_chain (
    seq          INTEGER PRIMARY KEY,
    commit_id    TEXT NOT NULL UNIQUE,
    committed_at INTEGER NOT NULL,        -- committer time, seconds since the Unix epoch
    author       TEXT NOT NULL
);

-- One row per issue field a commit changed against its first parent. `field` is one of
-- event_fields::FIELDS (`exists` is '1' while the issue has a file); NULL is "no value".
CREATE TABLE history_events (
    seq   INTEGER NOT NULL,               -- history_chain.seq
    issue TEXT NOT NULL,
    field TEXT NOT NULL,
    old   TEXT,
    new   TEXT,
    PRIMARY KEY (seq, issue, field)
) WITHOUT ROWID;

-- The issue files at the chain's last commit, so the next commit's events need only its diff.
CREATE TABLE history_files (
    path   TEXT PRIMARY KEY,
    issue  TEXT NOT NULL,
    fields TEXT NOT NULL                  -- JSON array, event_fields::FIELDS order
) WITHOUT ROWID;

-- Every milestone id a contract-line file named, with its name: `chart burndown -m NAME`.
CREATE TABLE history_milestones (
    id   TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (id, name)
) WITHOUT ROWID;

CREATE TABLE history_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

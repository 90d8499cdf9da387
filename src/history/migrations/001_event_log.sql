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

-- Per commit, how the counts the charts draw changed (history/tally.rs): derived with the
-- commit's events, in the same transaction, so a chart reads a few rows per commit instead of
-- replaying every issue's events.
CREATE TABLE history_tallies (
    seq      INTEGER NOT NULL,            -- history_chain.seq
    chart    TEXT NOT NULL,               -- status, open, member or closed
    key      TEXT NOT NULL,               -- the status, the milestone, or ''
    issues   REAL NOT NULL,               -- change of the count of issues
    estimate REAL NOT NULL,               -- change of their estimate (hours)
    PRIMARY KEY (chart, seq, key)
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

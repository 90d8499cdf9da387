-- The rebuildable cache: one generation file holds all of it. A file with another
-- `user_version` than this build's SCHEMA_VERSION is simply rebuilt.

-- Key/value facts about the cache: last_synced_commit, last_sync_kind, last_sync_at.
CREATE TABLE sync_metadata (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- One row per issue file at HEAD. Several files may share an id; all but one are shadowed.
-- Narrow: what lists filter on, sort by and print (~250 bytes a row); the JSON and the body
-- live apart, so the indexes walked by lists and the rows they read stay small.
CREATE TABLE issues (
    path          TEXT NOT NULL UNIQUE,   -- repository-relative, `/`-separated
    blob_oid      TEXT NOT NULL,          -- the file's blob at last_synced_commit
    id            TEXT NOT NULL,
    shadowed      INTEGER NOT NULL DEFAULT 0,
    archived      INTEGER NOT NULL,
    is_open       INTEGER NOT NULL,       -- not closed, not archived
    title         TEXT NOT NULL,
    status        TEXT NOT NULL,
    status_rank   INTEGER NOT NULL,
    priority      TEXT NOT NULL,
    priority_rank INTEGER NOT NULL,
    issue_type    TEXT NOT NULL,
    milestone     TEXT,
    assignee      TEXT,
    labels        TEXT NOT NULL,          -- JSON array
    created_key   TEXT,                   -- UTC sort key of `created`
    updated_key   TEXT,
    due_date      TEXT,
    warnings      TEXT,                   -- one line per odd field
    -- The few fields roadmap-cli 0.3.1's outputs read that have no column above, as a short
    -- JSON array (`contract_query.rs`): the object in `issue_json` carries the history and
    -- comments too, and reading those for every row was most of a served `issue list`.
    tracker_fields TEXT,
    -- What `contract_tally` counts this file by (`tally.rs`); NULL outside `.roadmap/issues/`.
    tally_key      TEXT
);

-- The object `list --format json` prints, stored in the default order (most urgent first):
-- `list --all --format json` is one sequential read of this table, streamed as it goes,
-- instead of 100k lookups in random order. The key is the issue row's sort key (`created_key`
-- '' for none, which sorts as NULL does: first) and its path, unique among all files.
CREATE TABLE issue_json (
    priority_rank INTEGER NOT NULL,
    status_rank   INTEGER NOT NULL,
    created_key   TEXT NOT NULL,
    id            TEXT NOT NULL,
    path          TEXT NOT NULL,
    is_open       INTEGER NOT NULL,
    json          TEXT NOT NULL,
    PRIMARY KEY (priority_rank, status_rank, created_key, id, path)
) WITHOUT ROWID;

-- Bodies apart from the rows that lists scan: list rows stay small and pack densely.
CREATE TABLE issue_bodies (
    issue INTEGER PRIMARY KEY,            -- issues.rowid
    body  TEXT NOT NULL
);

CREATE TABLE issue_labels (
    label TEXT NOT NULL,
    issue INTEGER NOT NULL,               -- issues.rowid
    PRIMARY KEY (label, issue)
) WITHOUT ROWID;

-- Files under the issue folders that could not be read as issues.
CREATE TABLE invalid_files (
    path     TEXT PRIMARY KEY,
    blob_oid TEXT NOT NULL,
    error    TEXT NOT NULL
) WITHOUT ROWID;

-- `name` is what issues show; `id` is what contract-line issues name the milestone by (NULL
-- on the legacy line, whose issues name it by name).
CREATE TABLE milestones (
    path     TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    id       TEXT,
    archived INTEGER NOT NULL,
    status   TEXT,
    due_date TEXT,
    headline TEXT,
    blob_oid TEXT NOT NULL
) WITHOUT ROWID;

-- Issue and milestone files roadmap-cli 0.3.1 might read differently from us (YAML 1.1
-- typing, values it validates, git conflict markers; see `lines::contract`): an output of
-- the tracker that we serve goes to the tracker while one of them is in play. Few rows,
-- written with the file's own row.
CREATE TABLE tracker_doubts (
    path   TEXT PRIMARY KEY,
    reason TEXT NOT NULL
) WITHOUT ROWID;

-- The contract layout's issue files counted by what roadmap-cli 0.3.1's summaries read
-- (`status`, `milestone list`): `key` is `issues.tally_key` (`tally.rs`). Kept by triggers on
-- `issues`, made with the rebuild's indexes.
CREATE TABLE contract_tally (
    key TEXT PRIMARY KEY,
    n   INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE projects (
    path     TEXT PRIMARY KEY,
    id       TEXT,
    name     TEXT,
    status   TEXT,
    blob_oid TEXT NOT NULL
) WITHOUT ROWID;

-- Full-text index of titles and bodies for `roadmap search`; rowid = issues.rowid. Contentless:
-- the text already lives in `issues` and `issue_bodies`.
CREATE VIRTUAL TABLE issue_text USING fts5(
    title, body, content = '', contentless_delete = 1, detail = none,
    tokenize = 'unicode61 remove_diacritics 2'
);

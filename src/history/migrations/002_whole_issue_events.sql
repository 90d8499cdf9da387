-- history.db, schema 2: an issue that appears or goes in a commit is ONE history_events row,
-- `field` 'opened' (its `new` the JSON array of the fields it has, event_fields::FIELDS order,
-- `old` NULL) or 'removed' (its `old` the array of the fields it had), instead of one row per
-- field: the first commit of a 100k-issue history wrote 1.1 million rows. Readers expand such
-- a row into the field changes it stands for, so `roadmap chart events` prints what it did.
-- The rows derived under schema 1 are dropped; the log is derived again (it all comes from
-- git).
DELETE FROM history_events;
DELETE FROM history_tallies;
DELETE FROM history_chain;
DELETE FROM history_files;
DELETE FROM history_milestones;

//! The plan through time, from git. Here: the event log (`history.db`), which records the
//! field changes of every commit on HEAD's first-parent line, its backfill, and the chart
//! series computed from it.
//!
//! - [`events`]: opening the event log at HEAD, and its error type.
//! - [`event_fields`]: the followed fields of one version of an issue, and what changed.
//! - [`store`]: `history.db`, its migrations and the only SQL on its tables.
//! - [`walk`]: brings the log to HEAD (backfill, incremental extension, rewritten history).
//! - [`tally`]: what each change does to the counts the charts draw, stored with its events.
//! - [`series`]: burndown, cumulative flow and throughput series, summed from those counts.
//!
//! The log is filled when a chart asks for it, never by the hooks (see README, "Charts").

pub mod event_fields;
pub mod events;
mod progress;
pub mod series;
pub mod store;
pub mod tally;
pub mod walk;

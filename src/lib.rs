//! roadmap-hooks: a SQLite cache of a repository's roadmap issues, kept current by git hooks.
//!
//! Everything starts at a [`workspace::Workspace`]: the repository found as git finds it, the
//! only owner of the sync lock, the cache and the pending local writes. Data flows one way:
//! git (`git`) → sync (`sync`, under the workspace's lock) → cache (`cache`) → queries
//! (`cache::query`) → rendering (`cli`). Issue files are parsed by `issue`; which paths hold
//! issues, and how a file reads on each of the tracker's two lines, is decided by `lines`
//! (the engine holds a `lines::Reader` for the workspace's line). Writes are computed by
//! `issue_write` and land through the workspace's compare-and-swap write; renames and links of
//! files that must survive a power cut go through `durable`, which fsyncs their folders. Hook
//! files and the merge driver's registration are
//! installed by `hooks`; the driver itself (`merge_driver`) merges issue files field by field.
//! Two-way sync with GitHub Issues is `remote`. The plan at other commits, what a range
//! changes and an issue's story are read from git by `history`. Errors reach the user as `error::CommandError`.

// The corpus generator is shared with the tests, benches and examples by path; inside the
// library it names this crate as they do.
extern crate self as roadmap_hooks;

pub mod big_buffer;
pub mod board;
pub mod cache;
pub mod chart;
pub mod cli;
pub mod detached;
pub mod doctor;
pub mod durable;
pub mod error;
pub mod git;
pub mod history;
pub mod hook_entry;
pub mod hooks;
pub mod issue;
pub mod issue_write;
pub mod lines;
pub mod lock;
pub mod merge_driver;
pub mod milestone;
pub mod pending;
pub mod record;
pub mod remote;
pub mod repo_dirs;
pub mod scan;
pub mod sync;
pub mod tracker;
pub mod watch;
pub mod workspace;

#[cfg(test)]
#[allow(dead_code)]
#[path = "../examples/support/corpus.rs"]
mod corpus;

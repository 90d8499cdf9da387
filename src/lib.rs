//! roadmap-hooks: a SQLite cache of a repository's roadmap issues, kept current by git hooks.
//!
//! Data flows one way: git (`git`) → sync (`sync`, under `lock`) → cache (`cache`) →
//! queries (`cache::query`) → rendering (`cli`). Issue files are parsed by `issue`; which paths
//! hold issues is decided by `layout`. Hook files are installed by `hooks`.
//! Two-way sync with GitHub Issues (`remote`) reads the cache and writes through `local_write`.

pub mod cache;
pub mod cli;
pub mod corpus;
pub mod doctor;
pub mod freshness;
pub mod git;
pub mod hook_entry;
pub mod hooks;
pub mod issue;
pub mod layout;
pub mod local_write;
pub mod lock;
pub mod milestone;
pub mod pending;
pub mod record;
pub mod remote;
pub mod scan;
pub mod sync;

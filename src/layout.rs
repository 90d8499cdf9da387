//! Moved to [`crate::lines::legacy::layout`], the legacy line's layout; this path stays while
//! the write side (`issue_write`, `remote`, `cli::write`) still names it.

pub use crate::lines::legacy::layout::*;

//! One integration-test binary for every area: each extra test binary costs a link.

mod common;

mod test_fixtures;
mod test_git_operations;
mod test_install;
mod test_list;
mod test_reliability;
mod test_remote_sync;
mod test_write;

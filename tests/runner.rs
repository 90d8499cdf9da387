//! One integration-test binary for every area: each extra test binary costs a link.

mod common;
#[path = "../examples/support/corpus.rs"]
#[allow(dead_code)]
mod corpus;

mod test_bad_input;
mod test_captures;
mod test_contract_captures;
mod test_contract_forwarded;
mod test_contract_issue_list;
mod test_contract_kill;
mod test_contract_live;
mod test_contract_read;
mod test_contract_reads;
mod test_contract_write;
mod test_corpus;
mod test_durability;
mod test_first_use;
mod test_fixtures;
mod test_formats;
mod test_forwarded_writes;
mod test_front;
mod test_git_operations;
mod test_install;
mod test_install_attributes;
mod test_list;
mod test_merge_driver;
mod test_reliability;
mod test_remote_answers;
mod test_remote_auth;
mod test_remote_baselines;
mod test_remote_comments;
mod test_remote_confirm;
mod test_remote_conflicts;
mod test_remote_contract;
mod test_remote_deletions;
mod test_remote_faults;
mod test_remote_fields;
mod test_remote_limits;
mod test_remote_moves;
mod test_remote_sync;
mod test_remote_tracker;
mod test_remote_unmerged;
mod test_remote_worktrees;
mod test_serve;
mod test_serve_browser;
mod test_tracker_effects;
mod test_tracker_release;
mod test_tracker_trust;
mod test_two_clones;
mod test_workspace;
mod test_worktree;
mod test_write;

//! Feeds arbitrary bytes to the issue-file reader: it must never panic, whatever the bytes.
//! The seeded property test `tests/test_reliability/bad_input.rs` checks the same in CI.

#![no_main]

use libfuzzer_sys::fuzz_target;
use roadmap_hooks::issue::{FileContext, Issue};
use roadmap_hooks::record::Record;

fuzz_target!(|bytes: &[u8]| {
    let in_a_milestone_folder = FileContext {
        id_from_name: Some("0a1b2c3d".to_owned()),
        milestone_folder: Some("v1-0".to_owned()),
        in_archive: false,
    };
    if let Ok(issue) = Issue::parse(bytes, &in_a_milestone_folder) {
        assert!(!issue.id.is_empty());
        let _ = roadmap_hooks::issue::to_json(&issue, ".roadmap/issues/v1-0/0a1b2c3d-x.md");
    }
    let _ = Issue::parse(bytes, &FileContext::default());
    // Milestone and project files go through the same YAML reader.
    let _ = Record::read(".roadmap/milestones/v1-0.md", bytes);
});

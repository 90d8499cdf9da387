//! The two lines of the Python tracker (`roadmap-cli`) whose files we read and write, and
//! which one a workspace follows. See `../shared/TRACKERS.md` for the measured facts.
//!
//! - **Legacy** (1.0.x, yanked, and 0.1.x): `issues/{milestone}/{id8}-{slug}.md`, milestones by
//!   name, archived issues moved under `archive/`.
//! - **Contract** (the "0.2 contract": 0.2.0 … 0.3.1, what `pipx install roadmap-cli` gives
//!   today): flat `issues/{id}.md`, milestones by id, `retention` and `history` in the file.
//!
//! A workspace follows the contract when its `config.yaml` carries `workspace_schema_version`
//! (written by 0.2+ `init` and by `migrate`); otherwise it is legacy. 0.3.1 reads a legacy
//! workspace only to refuse it and ask for `roadmap migrate`.

pub mod contract;

use std::path::Path;

/// Which tracker line wrote a workspace, or a tracker belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line {
    /// roadmap-cli 1.0.x and 0.1.x.
    Legacy,
    /// roadmap-cli 0.2 and later (the 0.2 contract).
    Contract,
}

impl Line {
    /// How `--version`, `status` and `doctor` name the line.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Line::Legacy => "legacy layout (roadmap-cli 1.0.x / 0.1.x)",
            Line::Contract => "0.2 contract (roadmap-cli 0.2+)",
        }
    }
}

/// The line the workspace whose `.roadmap` folder is `roadmap_dir` follows, from its
/// `config.yaml`. A missing or unreadable config reads as legacy, the line that kept none.
#[must_use]
pub fn workspace_line(roadmap_dir: &Path) -> Line {
    match std::fs::read(roadmap_dir.join("config.yaml")) {
        Ok(bytes) if config_declares_contract(&bytes) => Line::Contract,
        _ => Line::Legacy,
    }
}

/// Whether a workspace config holds the top-level key `workspace_schema_version`. A line scan,
/// not a YAML parse: the key is written by the tracker at the top level, unquoted.
fn config_declares_contract(config: &[u8]) -> bool {
    config
        .split(|&b| b == b'\n')
        .any(|line| line.starts_with(b"workspace_schema_version:"))
}

/// The line of a tracker release, from its version: 1.x and 0.1.x are legacy, 0.2 and 0.3
/// the contract. 1.0.2's wheel reports `0.0.0` (its `--version` reads no package metadata), so
/// `0.0.0` is legacy too. `None` for a release we do not know: everything then goes to it.
#[must_use]
pub fn tracker_line(version: &str) -> Option<Line> {
    let mut parts = version.trim().split('.');
    let major = parts.next()?.parse::<u32>().ok()?;
    let minor = parts.next()?.parse::<u32>().ok()?;
    match (major, minor) {
        (0, 0) | (0, 1) | (1, 0) => Some(Line::Legacy),
        (0, 2) | (0, 3) => Some(Line::Contract),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contract_config_is_told_from_a_legacy_one() {
        let contract = b"schema_version: 1\nworkspace_schema_version: 1\nbehavior: {}\n";
        let legacy = b"github:\n  enabled: false\npaths: {}\nuser:\n  name: ada\n";
        assert!(config_declares_contract(contract));
        assert!(!config_declares_contract(legacy));
        // A nested key of the same name is not the workspace's.
        assert!(!config_declares_contract(
            b"x:\n  workspace_schema_version: 1\n"
        ));
    }

    #[test]
    fn releases_map_to_their_line() {
        for (version, line) in [
            ("1.0.2", Some(Line::Legacy)),
            ("1.0.0", Some(Line::Legacy)),
            ("0.1.1", Some(Line::Legacy)),
            ("0.0.0", Some(Line::Legacy)),
            ("0.2.0", Some(Line::Contract)),
            ("0.3.1", Some(Line::Contract)),
            ("0.4.0", None),
            ("2.0.0", None),
            ("garbage", None),
        ] {
            assert_eq!(tracker_line(version), line, "{version}");
        }
    }
}

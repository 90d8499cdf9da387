//! `.roadmap/sync.yaml`: which remote tracker an issue folder mirrors, and how fields map.

use serde::Deserialize;
use std::path::Path;

/// Where the configuration lives, relative to the working tree.
pub const CONFIG_PATH: &str = ".roadmap/sync.yaml";
/// The tracker's own settings (`github: {owner, repo}`), read when ours are absent.
pub const TRACKER_CONFIG_PATH: &str = ".roadmap/config.yaml";

/// The fields a sync can carry; `fields:` in the config picks a subset.
pub const SYNCABLE_FIELDS: &[&str] = &[
    "title",
    "body",
    "status",
    "priority",
    "issue_type",
    "labels",
    "assignee",
    "milestone",
];

/// The sync configuration as the file says it, defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncConfig {
    /// The remote's kind; only `github` for now.
    pub kind: String,
    /// `owner/name` of the GitHub repository.
    pub repo: String,
    /// The REST API root the file names (`https://HOST/api/v3` for Enterprise). Only a hint:
    /// the sync uses it only if the user's own settings name the same (see `auth`).
    #[serde(default)]
    pub api_url: Option<String>,
    /// The fields to sync, from [`SYNCABLE_FIELDS`]; all of them by default.
    #[serde(default = "default_fields")]
    pub fields: Vec<String>,
    /// Label prefixes that carry the fields GitHub has no place for.
    #[serde(default = "default_status_prefix")]
    pub status_label_prefix: String,
    #[serde(default = "default_priority_prefix")]
    pub priority_label_prefix: String,
    #[serde(default = "default_type_prefix")]
    pub type_label_prefix: String,
    /// Push `priority:medium` and `type:other` too (by default a missing label means the
    /// default, so GitHub is not filled with them).
    #[serde(default)]
    pub push_default_labels: bool,
    /// The committed file these settings come from, for messages.
    #[serde(skip, default = "default_source")]
    pub source: &'static str,
}

fn default_source() -> &'static str {
    CONFIG_PATH
}

fn default_fields() -> Vec<String> {
    SYNCABLE_FIELDS.iter().map(|f| (*f).to_owned()).collect()
}
fn default_status_prefix() -> String {
    "status:".into()
}
fn default_priority_prefix() -> String {
    "priority:".into()
}
fn default_type_prefix() -> String {
    "type:".into()
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("no {CONFIG_PATH} in this repository")]
    Missing,
    #[error("{CONFIG_PATH}: {0}")]
    Invalid(String),
}

impl SyncConfig {
    /// Reads and checks the configuration in the working tree `work_dir`: ours, else the
    /// tracker's `github: {owner, repo}`.
    pub fn load(work_dir: &Path) -> Result<Self, ConfigError> {
        let text = match std::fs::read_to_string(work_dir.join(CONFIG_PATH)) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Self::from_tracker(work_dir)?.ok_or(ConfigError::Missing);
            }
            Err(e) => return Err(ConfigError::Invalid(e.to_string())),
        };
        Self::parse(&text)
    }

    /// The tracker's GitHub settings in `.roadmap/config.yaml`, if it has them.
    fn from_tracker(work_dir: &Path) -> Result<Option<Self>, ConfigError> {
        let Ok(text) = std::fs::read_to_string(work_dir.join(TRACKER_CONFIG_PATH)) else {
            return Ok(None);
        };
        let value: serde_yaml::Value = serde_yaml::from_str(&text)
            .map_err(|e| ConfigError::Invalid(format!("{TRACKER_CONFIG_PATH}: {e}")))?;
        let github = &value["github"];
        let (Some(owner), Some(repo)) = (github["owner"].as_str(), github["repo"].as_str()) else {
            return Ok(None);
        };
        let mut config = Self::parse(&format!("kind: github\nrepo: '{owner}/{repo}'\n"))?;
        config.source = TRACKER_CONFIG_PATH;
        Ok(Some(config))
    }

    /// Reads and checks the configuration text.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let mut config: SyncConfig =
            serde_yaml::from_str(text).map_err(|e| ConfigError::Invalid(e.to_string()))?;
        if config.kind != "github" {
            return Err(ConfigError::Invalid(format!(
                "unknown kind `{}` (supported: github)",
                config.kind
            )));
        }
        let parts: Vec<&str> = config.repo.split('/').collect();
        if parts.len() != 2 || parts.iter().any(|p| p.trim().is_empty()) {
            return Err(ConfigError::Invalid(format!(
                "`repo` must be owner/name, not `{}`",
                config.repo
            )));
        }
        if let Some(field) = config
            .fields
            .iter()
            .find(|f| !SYNCABLE_FIELDS.contains(&f.as_str()))
        {
            return Err(ConfigError::Invalid(format!(
                "unknown field `{field}` in `fields` (known: {})",
                SYNCABLE_FIELDS.join(", ")
            )));
        }
        config.api_url = config
            .api_url
            .map(|url| url.trim().trim_end_matches('/').to_owned());
        Ok(config)
    }

    /// The key of this remote in `sync_base_state`: `github:owner/name`.
    #[must_use]
    pub fn remote_key(&self) -> String {
        format!("{}:{}", self.kind, self.repo)
    }

    /// Whether `field` is synced.
    #[must_use]
    pub fn syncs(&self, field: &str) -> bool {
        self.fields.iter().any(|f| f == field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_a_minimal_config() {
        let config = SyncConfig::parse("kind: github\nrepo: acme/app\n").unwrap();
        assert_eq!(config.api_url, None);
        assert!(config.syncs("milestone") && config.syncs("body"));
        assert_eq!(config.remote_key(), "github:acme/app");
    }

    #[test]
    fn mistakes_name_the_key() {
        for (text, needle) in [
            ("kind: gitlab\nrepo: a/b\n", "unknown kind"),
            ("kind: github\nrepo: ab\n", "owner/name"),
            (
                "kind: github\nrepo: a/b\nfields: [title, colour]\n",
                "colour",
            ),
            ("kind: github\nrepo: a/b\ntoken: x\n", "token"),
        ] {
            let error = SyncConfig::parse(text).unwrap_err().to_string();
            assert!(error.contains(needle), "{error}");
        }
    }
}

//! Which paths under `.roadmap/` hold issues, milestones and projects (tracker 1.0.x layout).
//!
//! Active issues: `.roadmap/issues/{milestone|backlog}/{id}-{slug}.md` or the older flat
//! `.roadmap/issues/{id}-{slug}.md`; archived ones the same under `.roadmap/archive/issues/`.
//! Milestones: `.roadmap/milestones/{name}.md`, archived ones anywhere under
//! `.roadmap/archive/milestones/`. Projects: `.roadmap/projects/{id}-{slug}.md`. Everything
//! else (README.md, .gitkeep, non-Markdown, deeper folders) is not ours and is ignored.

use crate::issue::FileContext;
pub use crate::lines::{RoadmapFile, name_as_text};

/// The folder that holds issues without a milestone.
pub const BACKLOG_FOLDER: &str = "backlog";

/// Classifies a repository-relative path with `/` separators; `None` for files we ignore.
#[must_use]
pub fn classify(path: &str) -> Option<RoadmapFile> {
    let rest = path.strip_prefix(".roadmap/")?;
    let parts: Vec<&str> = rest.split('/').collect();
    let file_name = *parts.last()?;
    if !crate::lines::is_document_name(file_name) {
        return None;
    }
    match parts.as_slice() {
        ["issues", _] => Some(issue(file_name, None, false)),
        ["issues", folder, _] => Some(issue(file_name, Some(folder), false)),
        ["archive", "issues", _] => Some(issue(file_name, None, true)),
        ["archive", "issues", folder, _] => Some(issue(file_name, Some(folder), true)),
        ["milestones", _] => Some(milestone(file_name, false)),
        ["archive", "milestones", .., _] => Some(milestone(file_name, true)),
        ["projects", _] => Some(RoadmapFile::Project),
        _ => None,
    }
}

/// Whether a tree walk must enter the directory at `path` (no trailing slash) to find every
/// file [`classify`] accepts. Keeps walks out of the rest of the repository.
#[must_use]
pub fn may_contain_roadmap_files(path: &str) -> bool {
    if path == ".roadmap" {
        return true;
    }
    let Some(rest) = path.strip_prefix(".roadmap/") else {
        return false;
    };
    let parts: Vec<&str> = rest.split('/').collect();
    matches!(
        parts.as_slice(),
        ["issues"]
            | ["issues", _]
            | ["archive"]
            | ["archive", "issues"]
            | ["archive", "issues", _]
            | ["milestones"]
            | ["projects"]
            | ["archive", "milestones", ..]
    )
}

fn issue(file_name: &str, folder: Option<&str>, in_archive: bool) -> RoadmapFile {
    RoadmapFile::Issue(FileContext {
        id_from_name: id_from_file_name(file_name),
        milestone_folder: folder.filter(|f| *f != BACKLOG_FOLDER).map(str::to_owned),
        in_archive,
    })
}

fn milestone(file_name: &str, archived: bool) -> RoadmapFile {
    let name = file_name
        .strip_suffix(".md")
        .unwrap_or(file_name)
        .to_owned();
    RoadmapFile::Milestone { name, archived }
}

/// The tracker's slug: letters, digits, space, `-` and `_` kept, spaces to `-`, lowercased.
#[must_use]
pub fn slug(title: &str) -> String {
    title
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .collect::<String>()
        .trim()
        .replace(' ', "-")
        .to_lowercase()
}

/// The longest file name most file systems take (ext4, APFS, NTFS: 255 bytes).
pub const MAX_FILE_NAME_BYTES: usize = 255;

/// The file name of issue `id` titled `title`: `{id}-{slug}.md` as the tracker names it, with
/// the slug shortened at a character boundary (and a `-` left at the cut dropped) when the whole
/// name would pass [`MAX_FILE_NAME_BYTES`]. The tracker does not shorten: it fails with "File
/// name too long". It finds a file by `{id}-*.md`, so a shortened name stays readable to it.
#[must_use]
pub fn issue_file_name(id: &str, title: &str) -> String {
    let mut slug = slug(title);
    let room = MAX_FILE_NAME_BYTES.saturating_sub(id.len() + "-.md".len());
    if slug.len() > room {
        let cut = (0..=room)
            .rev()
            .find(|&i| slug.is_char_boundary(i))
            .unwrap_or(0);
        slug.truncate(cut);
        slug.truncate(slug.trim_end_matches('-').len());
    }
    format!("{id}-{slug}.md")
}

/// Checks that `name` can be a milestone's folder under `.roadmap/issues/`: one path component
/// that stays inside it: not empty, not `.` or `..`, not absolute, without `/`, `\\` or NUL, at
/// most 252 bytes (the milestone's file is `{name}.md`, and [`MAX_FILE_NAME_BYTES`] is the
/// limit). The error names the milestone and the rule it breaks.
pub fn check_milestone_name(name: &str) -> Result<(), String> {
    let problem = if name.is_empty() {
        "is empty"
    } else if name == "." || name == ".." {
        "is not a folder name"
    } else if name.starts_with('/') {
        "is an absolute path"
    } else if name.contains('/') || name.contains('\\') {
        "contains a path separator"
    } else if name.contains('\0') {
        "contains a NUL byte"
    } else if name.len() + ".md".len() > MAX_FILE_NAME_BYTES {
        "is longer than a file name may be (252 bytes, with `.md` 255)"
    } else {
        return Ok(());
    };
    Err(format!("milestone `{}` {problem}", name.escape_debug()))
}

/// The path of the same issue file in milestone folder `folder` (`backlog` for none), keeping
/// the root (active or archive) and the file name; `None` for the flat layout.
#[must_use]
pub fn in_milestone_folder(path: &str, folder: &str) -> Option<String> {
    let (root, rest) = path.split_once("issues/")?;
    let (_, name) = rest.split_once('/')?;
    Some(format!("{root}issues/{folder}/{name}"))
}

/// The 8-hex-digit id at the start of `{id}-{slug}.md` or `{id}.md`.
#[must_use]
pub fn id_from_file_name(file_name: &str) -> Option<String> {
    let stem = file_name.strip_suffix(".md").unwrap_or(file_name);
    let id = stem.get(..8)?;
    let after = &stem[8..];
    let is_id =
        id.bytes().all(|b| b.is_ascii_hexdigit()) && (after.is_empty() || after.starts_with('-'));
    is_id.then(|| id.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(path: &str) -> FileContext {
        match classify(path) {
            Some(RoadmapFile::Issue(context)) => context,
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn issue_paths_in_every_layout() {
        let in_milestone = context(".roadmap/issues/v1.0/4e619042-fix-login.md");
        assert_eq!(in_milestone.id_from_name.as_deref(), Some("4e619042"));
        assert_eq!(in_milestone.milestone_folder.as_deref(), Some("v1.0"));
        assert!(!in_milestone.in_archive);
        assert_eq!(
            context(".roadmap/issues/backlog/4e619042-x.md").milestone_folder,
            None
        );
        assert_eq!(
            context(".roadmap/issues/4e619042-flat.md").milestone_folder,
            None
        );
        assert!(context(".roadmap/archive/issues/4e619042-x.md").in_archive);
        assert!(context(".roadmap/archive/issues/v1/4e619042-x.md").in_archive);
        assert_eq!(context(".roadmap/issues/notes.md").id_from_name, None);
    }

    #[test]
    fn other_files_are_ignored() {
        for path in [
            ".roadmap/issues/README.md",
            ".roadmap/issues/.gitkeep",
            ".roadmap/issues/backlog/notes.txt",
            ".roadmap/issues/a/b/4e619042-too-deep.md",
            ".roadmap/config.yaml",
            "docs/4e619042-x.md",
            ".roadmap/issues/backlog/.hidden.md",
        ] {
            assert_eq!(classify(path), None, "{path}");
        }
    }

    #[test]
    fn milestones_and_projects() {
        assert_eq!(
            classify(".roadmap/milestones/v1.0.md"),
            Some(RoadmapFile::Milestone {
                name: "v1.0".into(),
                archived: false
            })
        );
        assert_eq!(
            classify(".roadmap/archive/milestones/2024/q1/old.md"),
            Some(RoadmapFile::Milestone {
                name: "old".into(),
                archived: true
            })
        );
        assert_eq!(
            classify(".roadmap/projects/0a1b2c3d-site.md"),
            Some(RoadmapFile::Project)
        );
    }

    #[test]
    fn issue_file_names_fit_the_file_name_limit() {
        assert_eq!(
            issue_file_name("4e619042", "Fix: the login (again)"),
            "4e619042-fix-the-login-again.md"
        );
        assert_eq!(issue_file_name("4e619042", "!!!"), "4e619042-.md");
        for title in [
            "word ".repeat(100),
            "é".repeat(300),
            "日本語のタイトル".repeat(40),
            format!("a{}", "🚀x".repeat(200)),
            "x".repeat(243),
            "x".repeat(244),
            format!("{}-{}", "x".repeat(242), "y".repeat(20)),
        ] {
            let name = issue_file_name("4e619042", &title);
            assert!(
                name.len() <= MAX_FILE_NAME_BYTES,
                "{} bytes: {name}",
                name.len()
            );
            assert!(
                name.starts_with("4e619042-") && name.ends_with(".md"),
                "{name}"
            );
            assert!(!name.ends_with("-.md"), "no dash left at the cut: {name}");
            assert_eq!(id_from_file_name(&name).as_deref(), Some("4e619042"));
            let slug = slug(&title);
            let kept = &name["4e619042-".len()..name.len() - 3];
            assert!(slug.starts_with(kept), "a prefix of the slug: {name}");
            if slug.len() + 12 <= MAX_FILE_NAME_BYTES {
                assert_eq!(kept, slug, "short enough names are not cut");
            }
        }
        let exact = issue_file_name("4e619042", &"x".repeat(243));
        assert_eq!(exact.len(), 255, "the whole limit is used");
    }

    #[test]
    fn milestone_names_are_one_folder() {
        for good in ["v1-0", "1.10", "future ideas", "été", "backlog-2"] {
            assert_eq!(check_milestone_name(good), Ok(()), "{good}");
        }
        for (bad, why) in [
            ("", "empty"),
            (".", "not a folder name"),
            ("..", "not a folder name"),
            ("/etc", "absolute"),
            ("a/b", "path separator"),
            ("../x", "path separator"),
            ("a\\b", "path separator"),
            ("a\0b", "NUL"),
        ] {
            let error = check_milestone_name(bad).unwrap_err();
            assert!(error.contains(why), "{bad:?}: {error}");
            assert!(error.starts_with("milestone `"), "{error}");
        }
        assert!(check_milestone_name(&"m".repeat(252)).is_ok());
        assert!(
            check_milestone_name(&"m".repeat(253))
                .unwrap_err()
                .contains("longer than a file name")
        );
    }

    #[test]
    fn milestone_moves_keep_the_root_and_file_name() {
        assert_eq!(
            in_milestone_folder(".roadmap/issues/backlog/a-x.md", "v1").as_deref(),
            Some(".roadmap/issues/v1/a-x.md")
        );
        assert_eq!(
            in_milestone_folder(".roadmap/archive/issues/v1/a-x.md", "backlog").as_deref(),
            Some(".roadmap/archive/issues/backlog/a-x.md")
        );
        assert_eq!(in_milestone_folder(".roadmap/issues/a-x.md", "v1"), None);
    }

    #[test]
    fn walks_enter_only_roadmap_folders() {
        assert!(may_contain_roadmap_files(".roadmap"));
        assert!(may_contain_roadmap_files(".roadmap/issues/v1.0"));
        assert!(may_contain_roadmap_files(
            ".roadmap/archive/milestones/2024/q1"
        ));
        assert!(!may_contain_roadmap_files(".roadmap/issues/v1.0/deeper"));
        assert!(!may_contain_roadmap_files("src"));
        assert!(!may_contain_roadmap_files(".roadmap/db"));
    }
}

//! A sync never runs on an unresolved merge: the plan is made from the working tree, so a file
//! git left with conflict markers would reach GitHub as the body (or be skipped while
//! its GitHub changes are pulled into the middle of the merge). Before any request, the index's
//! unmerged roadmap paths and the issue files that hold markers stop the sync, each named.

use std::collections::BTreeMap;

/// Why a path stops the sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Unresolved {
    /// The index holds the path's conflict stages (`git status`: both modified, added, …).
    Unmerged,
    /// Marked resolved (or never merged), but the file still holds conflict markers.
    Markers,
}

impl Unresolved {
    fn describe(self) -> &'static str {
        match self {
            Unresolved::Unmerged => "unmerged in the index",
            Unresolved::Markers => "holds conflict markers",
        }
    }
}

/// The roadmap paths the index holds unmerged (`.roadmap/...`, with `/` separators).
pub fn unmerged_paths(repo: &git2::Repository) -> Result<Vec<String>, git2::Error> {
    let index = repo.index()?;
    if !index.has_conflicts() {
        return Ok(Vec::new());
    }
    let mut paths = Vec::new();
    for conflict in index.conflicts()? {
        let conflict = conflict?;
        let entry = conflict.our.or(conflict.their).or(conflict.ancestor);
        let Some(path) = entry.and_then(|e| String::from_utf8(e.path).ok()) else {
            continue;
        };
        if path.starts_with(".roadmap/") {
            paths.push(path);
        }
    }
    Ok(paths)
}

/// Whether `text` holds a conflict as git writes one: a line of 7 or more `<` (then a space or
/// the line's end), and after it a line of as many `>`. Either alone is taken for prose.
#[must_use]
pub fn has_conflict_markers(text: &str) -> bool {
    let marker = |line: &str, c: char| {
        let run = line.len() - line.trim_start_matches(c).len();
        let rest = &line[run..];
        (run >= 7 && (rest.is_empty() || rest.starts_with([' ', '\r']))).then_some(run)
    };
    let mut open = None;
    for line in text.lines() {
        match open {
            None => open = marker(line, '<'),
            Some(size) if marker(line, '>') == Some(size) => return true,
            Some(_) => {}
        }
    }
    false
}

/// The paths that stop the sync, with why, one line each (`PATH: why`); empty when none does.
#[must_use]
pub fn describe(unmerged: &[String], with_markers: &[String]) -> Vec<String> {
    let mut reasons = BTreeMap::new();
    for path in with_markers {
        reasons.insert(path.clone(), Unresolved::Markers);
    }
    for path in unmerged {
        reasons.insert(path.clone(), Unresolved::Unmerged);
    }
    reasons
        .into_iter()
        .map(|(path, why)| format!("{path}: {}", why.describe()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_found_as_git_writes_them_and_prose_is_left_alone() {
        let merge = "a\n<<<<<<< HEAD\nours\n=======\ntheirs\n>>>>>>> feature\nb\n";
        assert!(has_conflict_markers(merge));
        let diff3 = "<<<<<<< ours\nx\n||||||| base\ny\n=======\nz\n>>>>>>> theirs\n";
        assert!(has_conflict_markers(diff3));
        let sized = "<<<<<<<<<<\nx\n==========\ny\n>>>>>>>>>>\r\n";
        assert!(has_conflict_markers(sized));
        for prose in [
            "<<<<<<< only an opening\n",
            ">>>>>>> only a closing\n<<<<<<< then an opening\n",
            "<<<<<<<< eight\n>>>>>>> seven\n",
            "<<<<<<<x\n>>>>>>>x\n",
            "quote: <<<<<<< HEAD\n>>>>>>> end\n",
        ] {
            assert!(!has_conflict_markers(prose), "{prose}");
        }
    }

    #[test]
    fn each_path_is_named_once_and_unmerged_wins() {
        let lines = describe(
            &[".roadmap/issues/b.md".into()],
            &[".roadmap/issues/b.md".into(), ".roadmap/issues/a.md".into()],
        );
        assert_eq!(
            lines,
            [
                ".roadmap/issues/a.md: holds conflict markers",
                ".roadmap/issues/b.md: unmerged in the index",
            ]
        );
    }
}

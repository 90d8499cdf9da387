//! The three-way merge of a body, line by line: edits on each side against the base are kept
//! together when they touch different lines; edits to the same or adjacent lines conflict.

/// The most lines on a side for which a line merge is tried (the diff is quadratic).
const MAX_LINES: usize = 3000;

/// One change against the base: lines `start..end` of the base become `lines`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Hunk<'a> {
    start: usize,
    end: usize,
    lines: Vec<&'a str>,
}

/// Merges `local` and `remote`, both edited from `base`; `None` when their edits overlap.
#[must_use]
pub fn merge3(base: &str, local: &str, remote: &str) -> Option<String> {
    let (base, local, remote) = (split(base), split(local), split(remote));
    if [&base, &local, &remote].iter().any(|t| t.len() > MAX_LINES) {
        return None;
    }
    let ours = hunks(&base, &local);
    let theirs = hunks(&base, &remote);
    let mut all: Vec<Hunk> = Vec::new();
    for hunk in ours.iter().chain(&theirs) {
        if all.contains(hunk) {
            continue; // The same edit on both sides.
        }
        if all.iter().any(|other| overlaps(other, hunk)) {
            return None;
        }
        all.push(hunk.clone());
    }
    all.sort_by_key(|h| (h.start, h.end));
    let mut out: Vec<&str> = Vec::new();
    let mut at = 0;
    for hunk in &all {
        out.extend(&base[at..hunk.start]);
        out.extend(&hunk.lines);
        at = hunk.end;
    }
    out.extend(&base[at..]);
    Some(out.join("\n"))
}

fn split(text: &str) -> Vec<&str> {
    if text.is_empty() {
        Vec::new()
    } else {
        text.split('\n').collect()
    }
}

/// Whether two edits touch the same or adjacent base lines (or insert at the same place).
fn overlaps(a: &Hunk, b: &Hunk) -> bool {
    a.start <= b.end && b.start <= a.end
}

/// The edits that turn `base` into `side`, from a longest common subsequence of lines.
fn hunks<'a>(base: &[&'a str], side: &[&'a str]) -> Vec<Hunk<'a>> {
    let (n, m) = (base.len(), side.len());
    // lcs[i][j]: the LCS length of base[i..] and side[j..].
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if base[i] == side[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut hunks = Vec::new();
    let (mut i, mut j) = (0, 0);
    let mut open: Option<Hunk<'a>> = None;
    while i < n || j < m {
        if i < n && j < m && base[i] == side[j] {
            hunks.extend(open.take());
            i += 1;
            j += 1;
            continue;
        }
        let hunk = open.get_or_insert(Hunk {
            start: i,
            end: i,
            lines: Vec::new(),
        });
        if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            hunk.lines.push(side[j]);
            j += 1;
        } else {
            i += 1;
            hunk.end = i;
        }
    }
    hunks.extend(open);
    hunks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_to_different_lines_merge() {
        let base = "one\ntwo\nthree\nfour\nfive";
        let local = "ONE\ntwo\nthree\nfour\nfive";
        let remote = "one\ntwo\nthree\nfour\nFIVE\nsix";
        assert_eq!(
            merge3(base, local, remote).as_deref(),
            Some("ONE\ntwo\nthree\nfour\nFIVE\nsix")
        );
    }

    #[test]
    fn edits_to_the_same_or_adjacent_lines_conflict() {
        let base = "one\ntwo\nthree";
        assert_eq!(merge3(base, "ONE\ntwo\nthree", "One\ntwo\nthree"), None);
        assert_eq!(merge3(base, "ONE\ntwo\nthree", "one\nTWO\nthree"), None);
    }

    #[test]
    fn the_same_edit_on_both_sides_is_taken_once() {
        let base = "a\nb\nc\nd";
        assert_eq!(
            merge3(base, "a\nB\nc\nd", "a\nB\nc\nD").as_deref(),
            Some("a\nB\nc\nD")
        );
    }

    #[test]
    fn insertions_and_deletions_merge() {
        let base = "a\nb\nc\nd\ne";
        assert_eq!(
            merge3(base, "new\na\nb\nc\nd\ne", "a\nb\nc\ne").as_deref(),
            Some("new\na\nb\nc\ne")
        );
    }
}

use super::*;

/// Every Markdown file under `tests/fixtures/NAME/.roadmap`, with its path.
fn fixture_files(name: &str) -> Vec<(String, Vec<u8>)> {
    fn walk(dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "md") {
                out.push((path.display().to_string(), std::fs::read(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    walk(&root.join(".roadmap"), &mut out);
    out
}

#[test]
fn every_file_the_tracker_wrote_merges_field_by_field_and_unchanged_with_itself() {
    let files = fixture_files("tracker-1.0.2");
    assert!(files.len() > 20);
    for (path, bytes) in files {
        let merged = merge_files(&bytes, &bytes, &bytes, &Options::default())
            .unwrap_or_else(|| panic!("{path} is not merged by key"));
        assert_eq!(
            (merged.text.as_bytes(), merged.conflicts),
            (&bytes[..], 0),
            "{path}"
        );
    }
}

#[test]
fn odd_files_merge_with_themselves_unchanged_or_fall_back() {
    for (path, bytes) in fixture_files("wild") {
        if let Some(merged) = merge_files(&bytes, &bytes, &bytes, &Options::default()) {
            assert_eq!(merged.text.as_bytes(), &bytes[..], "{path}");
        }
    }
}

#[test]
fn edits_of_two_fields_of_each_tracker_issue_both_land() {
    for (path, bytes) in fixture_files("tracker-1.0.2") {
        let text = String::from_utf8(bytes).unwrap();
        if !text.contains("\nstatus: ") || !text.contains("\npriority: ") {
            continue;
        }
        let set = |text: &str, key: &str, value: &str| {
            let start = text.find(&format!("\n{key}: ")).unwrap() + 1;
            let end = start + text[start..].find('\n').unwrap();
            format!("{}{key}: {value}{}", &text[..start], &text[end..])
        };
        let ours = set(&text, "status", "blocked");
        let theirs = set(&text, "priority", "low");
        let merged = merge_files(
            text.as_bytes(),
            ours.as_bytes(),
            theirs.as_bytes(),
            &Options::default(),
        )
        .unwrap_or_else(|| panic!("{path}"));
        assert_eq!(merged.text, set(&ours, "priority", "low"), "{path}");
    }
}

#[test]
fn a_virtual_merge_base_leaves_out_the_fields_the_bases_disagree_on() {
    let base = "---\nid: a\nstatus: todo\npriority: low\nlabels: []\n---\n\nBody\n";
    let one = base
        .replace("todo", "blocked")
        .replace("labels: []", "labels:\n- x");
    let two = base.replace("todo", "closed").replace("low", "high");
    let args: Vec<String> = ["o", "a", "b", "p", "9", "merged common ancestors"]
        .into_iter()
        .chain(["Temporary merge branch 1", "Temporary merge branch 2"])
        .map(str::to_owned)
        .collect();
    let (_, options) = Call::from_args(&args).unwrap();
    assert!(options.virtual_base);
    let merged = merge_files(base.as_bytes(), one.as_bytes(), two.as_bytes(), &options).unwrap();
    assert_eq!(
        (merged.text.as_str(), merged.conflicts),
        ("---\nid: a\npriority: high\nlabels:\n- x\n---\n\nBody\n", 0)
    );
}

#[test]
fn a_milestone_field_that_disagrees_with_the_folder_is_named() {
    let file = |m: &str| format!("---\nid: a1\nmilestone: {m}\n---\n\nBody\n");
    let path = ".roadmap/issues/v1/a1-x.md";
    assert_eq!(milestone_mismatch(path, &file("v1")), None);
    assert_eq!(
        milestone_mismatch(path, &file("v2")).as_deref(),
        Some(
            ".roadmap/issues/v1/a1-x.md says milestone v2 but sits in v1/; the field is what \
             the tracker reads (move the file with `roadmap update a1 --milestone v2`)"
        )
    );
    assert!(milestone_mismatch(path, &file("null")).is_some());
    assert_eq!(
        milestone_mismatch(".roadmap/issues/backlog/a1-x.md", &file("''")),
        None
    );
    assert_eq!(
        milestone_mismatch(".roadmap/milestones/v1.md", &file("v2")),
        None
    );
    assert_eq!(milestone_mismatch(path, "---\nid: a1\n---\n"), None);
}

#[test]
fn crlf_and_a_missing_final_newline_survive_a_merge() {
    let base = "---\r\nid: a\r\nstatus: todo\r\nlabels: []\r\n---\r\n\r\nBody";
    let ours = base.replace("todo", "closed");
    let theirs = base.replace("labels: []", "labels:\r\n- x");
    let merged = merge_files(
        base.as_bytes(),
        ours.as_bytes(),
        theirs.as_bytes(),
        &Options::default(),
    );
    assert_eq!(
        merged.map(|m| (m.text, m.conflicts)),
        Some((theirs.replace("todo", "closed"), 0))
    );
}

#[test]
fn labels_come_from_git_unless_it_left_them_unexpanded() {
    let args = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let (_, options) =
        Call::from_args(&args(&["o", "a", "b", "p", "9", "base", "HEAD", "topic"])).unwrap();
    assert_eq!(
        (
            options.marker_size,
            options.ours_label.as_str(),
            options.theirs_label.as_str()
        ),
        (9, "HEAD", "topic")
    );
    let (_, options) =
        Call::from_args(&args(&["o", "a", "b", "p", "7", "%S", "%X", "%Y"])).unwrap();
    assert_eq!(
        (options.ours_label.as_str(), options.theirs_label.as_str()),
        ("ours", "theirs")
    );
    assert!(Call::from_args(&args(&["o", "a", "b"])).is_none());
}

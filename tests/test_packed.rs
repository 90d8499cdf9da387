//! A rebuild reads the blobs of a packed repository (as after a clone or `git gc`) itself
//! where a pack holds them whole (`git/pack_blobs.rs`), and through libgit2 otherwise: deltas,
//! loose objects, other packs. Every issue must read as the files say, whichever way.

use crate::common::TestRepo;
use crate::corpus::issue;

/// How many of the repository's packed blobs git stored as deltas, and how many packs.
fn deltas_and_packs(repo: &TestRepo) -> (usize, usize) {
    let pack_dir = repo.root.join(".git/objects/pack");
    let mut deltas = 0;
    let mut packs = 0;
    for entry in std::fs::read_dir(pack_dir).unwrap().flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|ext| ext != "idx") {
            continue;
        }
        packs += 1;
        let listed = repo.git(&["verify-pack", "-v", path.to_str().unwrap()]);
        // `id type size size-in-pack offset [depth base]`: a delta names its base.
        deltas += listed
            .lines()
            .filter(|line| {
                let fields: Vec<&str> = line.split_whitespace().collect();
                fields.get(1) == Some(&"blob") && fields.len() == 7
            })
            .count();
    }
    (deltas, packs)
}

#[test]
fn a_rebuild_reads_whole_blobs_deltas_and_loose_objects_alike() {
    if repo_format_is_partial() {
        return; // a blobless clone's blobs are fetched, not packed here: test_formats
    }
    let repo = TestRepo::new();
    for index in 0..200 {
        let generated = issue(11, index);
        repo.write(&generated.path, &generated.text);
    }
    repo.commit_all("issues");
    // Small edits of 30 files, packed with the old versions by `gc`: deltas of them.
    for index in 0..30 {
        let generated = issue(11, index);
        let edited = format!("{}\nOne more line of notes.\n", generated.text);
        repo.write(&generated.path, &edited);
    }
    repo.commit_all("edits");
    repo.git(&["gc", "-q"]);
    // More files in a second pack of their own.
    for index in 200..240 {
        let generated = issue(11, index);
        repo.write(&generated.path, &generated.text);
    }
    repo.commit_all("more");
    repo.git(&["repack", "-q", "-d"]);
    // And one file loose.
    let last = issue(11, 240);
    repo.write(&last.path, &last.text);
    repo.commit_all("one more");

    let (deltas, packs) = deltas_and_packs(&repo);
    assert!(packs >= 2, "two packs: {packs}");
    assert!(deltas > 0, "some blobs are deltas");

    repo.roadmap_hooks(&["sync", "--full"]).success();
    assert_eq!(
        repo.listed(&[]),
        repo.scanned(),
        "the cache reads as the files"
    );
    assert_eq!(repo.listed_ids(&[]).len(), 241);
}

fn repo_format_is_partial() -> bool {
    std::env::var("ROADMAP_TEST_REPO_FORMAT").is_ok_and(|format| format == "partial")
}

//! What `install` and `uninstall` do to the user's own `$GIT_DIR/info/attributes`: every byte
//! the user had is kept, whatever its encoding, and the file is never left half written.

use crate::common::TestRepo;
use std::fs;
use std::os::unix::fs::PermissionsExt;

/// Lines a user may well have: a Latin-1 comment (not UTF-8) and a CRLF line without a final
/// newline.
const USER_ATTRIBUTES: &[u8] = b"# caf\xe9 r\xe9sum\xe9s\n*.bin -diff\r\n*.psd binary";

#[test]
fn install_keeps_every_byte_of_non_utf8_attributes_and_uninstall_restores_them() {
    let repo = TestRepo::new();
    repo.commit_all("initial");
    let path = repo.root.join(".git/info/attributes");
    fs::write(&path, USER_ATTRIBUTES).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();

    repo.roadmap_hooks(&["install"]).success();
    let installed = fs::read(&path).unwrap();
    assert!(
        installed.starts_with(USER_ATTRIBUTES),
        "the user's bytes come first, unchanged: {:?}",
        String::from_utf8_lossy(&installed)
    );
    let ours = &installed[USER_ATTRIBUTES.len()..];
    let ours = String::from_utf8(ours.to_vec()).expect("our block is UTF-8");
    assert!(
        ours.starts_with("\n# >>> roadmap-hooks merge driver >>>\n"),
        "{ours}"
    );
    assert!(
        ours.ends_with("# <<< roadmap-hooks merge driver <<<\n"),
        "{ours}"
    );
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o640,
        "the file keeps its mode"
    );
    let status = repo.roadmap_hooks(&["status"]).success().stdout;
    assert!(
        status.contains("merge driver: registered (issue files merge field by field)"),
        "status reads the block back from a non-UTF-8 file: {status}"
    );

    repo.roadmap_hooks(&["install"]).success();
    assert_eq!(
        fs::read(&path).unwrap(),
        installed,
        "a second install adds nothing"
    );

    repo.roadmap_hooks(&["uninstall"]).success();
    let mut expected = USER_ATTRIBUTES.to_vec();
    // Install ended the user's last line so our block starts on a line of its own; git reads
    // the file the same with or without that newline.
    expected.push(b'\n');
    assert_eq!(fs::read(&path).unwrap(), expected);
}

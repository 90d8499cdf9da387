//! The generated corpus (examples/support/corpus.rs) that the demo, benches and tests share.

use crate::corpus::issue;
use roadmap_hooks::issue::Issue;
use roadmap_hooks::lines::legacy::layout::{RoadmapFile, classify};

#[test]
fn generated_issues_are_deterministic_and_parse_cleanly() {
    for index in 0..500 {
        let generated = issue(7, index);
        assert_eq!(generated.text, issue(7, index).text);
        let Some(RoadmapFile::Issue(context)) = classify(&generated.path) else {
            panic!("{}", generated.path)
        };
        let parsed = Issue::parse(generated.text.as_bytes(), &context).unwrap();
        assert!(
            parsed.warnings.is_empty(),
            "{}: {:?}",
            generated.path,
            parsed.warnings
        );
        assert_eq!(Some(parsed.id), context.id_from_name);
    }
}

#[test]
fn slugs_follow_the_tracker() {
    use roadmap_hooks::lines::legacy::layout::slug;
    assert_eq!(slug("Fix: the login (again)"), "fix-the-login-again");
    assert_eq!(slug("Écrire la doc"), "écrire-la-doc");
    assert_eq!(slug("core.hooksPath"), "corehookspath");
}

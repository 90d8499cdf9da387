//! The text of hook files: our marked block, and adding it to or taking it out of a file
//! without changing any other byte.

/// The first line of our block, whatever its version.
const START_PREFIX: &str = "# >>> roadmap-hooks";
const END_LINE: &str = "# <<< roadmap-hooks <<<";
const BLOCK: &str = include_str!("../../hooks/block.sh");
const NEW_HOOK: &str = include_str!("../../hooks/new-hook.sh");
const CHAIN_HOOK: &str = include_str!("../../hooks/chain-hook.sh");

/// The suffix an existing non-shell hook gets when our hook takes its place and chains to it.
pub const CHAINED_SUFFIX: &str = ".roadmap-hooks-chained";

/// Returns our block for `hook`, calling the binary at `binary`.
#[must_use]
pub fn block(hook: &str, binary: &str) -> String {
    BLOCK
        .replace("{{BINARY}}", &shell_quote(binary))
        .replace("{{HOOK}}", hook)
}

/// Returns the whole file of a hook that did not exist before.
#[must_use]
pub fn new_hook(block: &str) -> String {
    NEW_HOOK.replace("{{BLOCK}}", block)
}

/// Returns the file that runs our block, then execs the user's renamed hook.
#[must_use]
pub fn chain_hook(block: &str, chained_name: &str) -> String {
    CHAIN_HOOK
        .replace("{{BLOCK}}", block)
        .replace("{{CHAINED}}", chained_name)
}

/// Where our block sits in `text`: the byte range of its lines, line breaks included.
#[must_use]
pub fn find_block(text: &str) -> Option<std::ops::Range<usize>> {
    let start = line_starts(text).find(|&i| text[i..].starts_with(START_PREFIX))?;
    let end_line = line_starts(&text[start..])
        .map(|i| start + i)
        .find(|&i| text[i..].starts_with(END_LINE))?;
    let end = text[end_line..]
        .find('\n')
        .map_or(text.len(), |nl| end_line + nl + 1);
    Some(start..end)
}

fn line_starts(text: &str) -> impl Iterator<Item = usize> + '_ {
    std::iter::once(0).chain(
        text.match_indices('\n')
            .map(|(i, _)| i + 1)
            .filter(move |&i| i < text.len()),
    )
}

/// Whether a hook file is run by a POSIX shell, so our block can go inside it.
#[must_use]
pub fn is_shell_script(text: &str) -> bool {
    let Some(shebang) = text.strip_prefix("#!") else {
        // Git runs a hook without `#!` through /bin/sh.
        return !text.as_bytes().contains(&0);
    };
    let line = shebang.lines().next().unwrap_or_default();
    let mut words = line.split_whitespace();
    let program = words.next().unwrap_or_default();
    let program = if program.ends_with("/env") {
        words.next().unwrap_or_default()
    } else {
        program
    };
    let name = program.rsplit('/').next().unwrap_or_default();
    matches!(
        name,
        "sh" | "bash" | "dash" | "ash" | "ksh" | "zsh" | "busybox"
    )
}

/// Returns `text` with `block` added right after the `#!` line, or `None` if it has it already.
#[must_use]
pub fn insert_block(text: &str, block: &str) -> String {
    let after_shebang = if text.starts_with("#!") {
        text.find('\n').map_or(text.len(), |nl| nl + 1)
    } else {
        0
    };
    let mut out = String::with_capacity(text.len() + block.len() + 1);
    out.push_str(&text[..after_shebang]);
    if after_shebang == text.len() && !text.is_empty() && !text.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(block);
    out.push_str(&text[after_shebang..]);
    out
}

/// Returns `text` without our block; `None` when it has none.
#[must_use]
pub fn remove_block(text: &str) -> Option<String> {
    let range = find_block(text)?;
    Some(format!("{}{}", &text[..range.start], &text[range.end..]))
}

/// Whether `text`, with our block removed, is exactly what we write for a new hook.
#[must_use]
pub fn is_our_new_hook(without_block: &str) -> bool {
    without_block == new_hook("")
}

/// The binary our block in `text` runs, as install wrote it; `None` without a block.
#[must_use]
pub fn binary_in_block(text: &str) -> Option<String> {
    let block = &text[find_block(text)?];
    let line = block
        .lines()
        .find_map(|l| l.trim().strip_prefix("if [ -x "))?;
    let quoted = line.strip_suffix(" ]; then")?;
    Some(shell_unquote(quoted))
}

/// Reads back what [`shell_quote`] wrote: quoted runs and `\'` escapes.
pub(crate) fn shell_unquote(quoted: &str) -> String {
    let mut out = String::new();
    let mut chars = quoted.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => out.extend(chars.by_ref().take_while(|&c| c != '\'')),
            '\\' => out.extend(chars.next()),
            other => out.push(other),
        }
    }
    out
}

/// Quotes `value` for a POSIX shell.
pub(crate) fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const USER_HOOK: &str = "#!/bin/bash\nset -e\necho user hook\nexec some-tool \"$@\"\n";

    #[test]
    fn insert_then_remove_restores_every_byte() {
        let ours = block("post-commit", "/opt/bin/roadmap-hooks");
        let with = insert_block(USER_HOOK, &ours);
        assert!(with.starts_with("#!/bin/bash\n# >>> roadmap-hooks v1 >>>\n"));
        assert!(with.ends_with("exec some-tool \"$@\"\n"));
        assert_eq!(remove_block(&with).as_deref(), Some(USER_HOOK));
    }

    #[test]
    fn a_new_hook_is_recognised_as_ours() {
        let ours = block("post-merge", "/x");
        let file = new_hook(&ours);
        assert!(file.starts_with("#!/bin/sh\n# >>> roadmap-hooks"));
        assert!(file.ends_with("exit 0\n"));
        assert!(is_our_new_hook(&remove_block(&file).unwrap()));
        assert!(!is_our_new_hook(
            &remove_block(&insert_block(USER_HOOK, &ours)).unwrap()
        ));
    }

    #[test]
    fn the_binary_path_reads_back_from_the_block() {
        for path in [
            "/opt/bin/roadmap-hooks",
            "/home/o'brien/my bin/roadmap-hooks",
        ] {
            let file = new_hook(&block("post-commit", path));
            assert_eq!(binary_in_block(&file).as_deref(), Some(path));
        }
        assert_eq!(binary_in_block("#!/bin/sh\necho hi\n"), None);
    }

    #[test]
    fn binary_paths_are_quoted_for_the_shell() {
        let ours = block("post-commit", "/home/o'brien/my bin/roadmap-hooks");
        assert!(ours.contains(r"'/home/o'\''brien/my bin/roadmap-hooks' hook post-commit"));
    }

    #[test]
    fn shell_detection() {
        assert!(is_shell_script("#!/bin/sh\n"));
        assert!(is_shell_script("#!/usr/bin/env bash\n"));
        assert!(is_shell_script("echo no shebang\n"));
        assert!(!is_shell_script("#!/usr/bin/env python3\nprint()\n"));
        assert!(!is_shell_script("#!/usr/bin/node\n"));
        assert!(!is_shell_script("\x7fELF\0\0"));
    }

    #[test]
    fn a_file_without_trailing_newline_keeps_its_line() {
        let with = insert_block(
            "#!/bin/sh",
            "# >>> roadmap-hooks v1 >>>\n# <<< roadmap-hooks <<<\n",
        );
        assert_eq!(
            with,
            "#!/bin/sh\n# >>> roadmap-hooks v1 >>>\n# <<< roadmap-hooks <<<\n"
        );
    }
}

//! Build script: compresses the debug sections of the release binaries and drops their local
//! symbols.
//!
//! They keep line tables so that a backtrace in a hook's log names file and line; zlib cuts
//! those sections to about a third, and std's symbolizer reads zlib-compressed sections (not
//! zstd ones: checked with rustc 1.95, whose backtraces then lose every file and line). Debug
//! builds stay uncompressed: compressing hundreds of megabytes would slow every test link.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let release = std::env::var("PROFILE").is_ok_and(|profile| profile == "release");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    if release && linux {
        println!("cargo::rustc-link-arg-bins=-Wl,--compress-debug-sections=zlib");
        // Local symbols (21k of 24.5k, 1.8 MB of names) go: std's symbolizer names frames and
        // their files and lines from the DWARF line tables, not from `.symtab`.
        println!("cargo::rustc-link-arg-bins=-Wl,--discard-all");
        // The launcher only `exec`s `roadmap` (src/bin/roadmap-hooks.rs): std's line tables,
        // three quarters of its size, would name nothing of ours in a backtrace.
        println!("cargo::rustc-link-arg-bin=roadmap-hooks=-Wl,--strip-debug");
    }
}

//! Generates a corpus repository: `cargo run --release --example gen_corpus -- DIR N [SEED]
//! [--contract]` (`--contract`: the 0.2 contract's layout, as roadmap-cli 0.3.1 writes it).

#[path = "support/corpus.rs"]
#[allow(dead_code)]
mod corpus;

use corpus::{CorpusSpec, Layout};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let contract = std::env::args().any(|a| a == "--contract");
    let mut args = std::env::args().skip(1).filter(|a| a != "--contract");
    let dir = args.next().ok_or("usage: gen_corpus DIR N [SEED]")?;
    let issues: usize = args
        .next()
        .ok_or("usage: gen_corpus DIR N [SEED]")?
        .parse()?;
    let seed: u64 = args.next().map_or(Ok(42), |s| s.parse())?;
    let started = std::time::Instant::now();
    let spec = CorpusSpec {
        layout: if contract {
            Layout::Contract
        } else {
            Layout::Legacy
        },
        ..CorpusSpec::new(issues, seed)
    };
    corpus::generate(std::path::Path::new(&dir), &spec)?;
    eprintln!(
        "generated {issues} issues in {dir} in {:.1?}",
        started.elapsed()
    );
    Ok(())
}

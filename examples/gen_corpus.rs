//! Generates a corpus repository: `cargo run --release --example gen_corpus -- DIR N [SEED]`.

#[path = "support/corpus.rs"]
#[allow(dead_code)]
mod corpus;

use corpus::CorpusSpec;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().ok_or("usage: gen_corpus DIR N [SEED]")?;
    let issues: usize = args
        .next()
        .ok_or("usage: gen_corpus DIR N [SEED]")?
        .parse()?;
    let seed: u64 = args.next().map_or(Ok(42), |s| s.parse())?;
    let started = std::time::Instant::now();
    corpus::generate(std::path::Path::new(&dir), &CorpusSpec::new(issues, seed))?;
    eprintln!(
        "generated {issues} issues in {dir} in {:.1?}",
        started.elapsed()
    );
    Ok(())
}

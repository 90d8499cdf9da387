//! The full rebuild: every roadmap file of HEAD read and parsed on all cores, written by one
//! thread into a new cache generation, which then replaces the live one.

use super::store::{Parsed, store};
use super::{RebuildReason, SyncError, SyncReport, pause_for_tests, short};
use crate::cache::meta;
use crate::cache::{Cache, NewGeneration};
use crate::git::repo::BlobSource;
use crate::git::{GitRepo, ObjectId, TreeChange};
use crate::lines::Reader;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// Builds a new cache generation from HEAD's tree, read with `reader` (the line of HEAD), and
/// makes it the live one.
pub(super) fn rebuild(
    repo: &GitRepo,
    reader: &mut Reader,
    cache_dir: &std::path::Path,
    head: Option<ObjectId>,
    head_id: &str,
    reason: RebuildReason,
    progress: bool,
) -> Result<(Cache, SyncReport), SyncError> {
    let phases = Phases::start();
    let mut files: Vec<(String, ObjectId)> = Vec::new();
    let mut unreadable_names: Vec<(String, ObjectId)> = Vec::new();
    for change in repo.diff(None, head)? {
        match change {
            TreeChange::Added { path, blob } => files.push((path, blob)),
            TreeChange::NameNotUtf8 {
                path,
                blob: Some(blob),
            } => unreadable_names.push((path, blob)),
            _ => {}
        }
    }
    phases.mark("listed the files of HEAD");
    super::reader::name_milestones_for_rebuild(repo, reader, &files, head_id)?;
    let reader = &*reader;
    let blobs: Vec<ObjectId> = files.iter().map(|(_, blob)| *blob).collect();
    repo.prefetch(&blobs).map_err(|source| SyncError::Blob {
        path: format!("{} files", blobs.len()),
        commit: short(head_id).to_owned(),
        source,
    })?;
    let mut report = SyncReport {
        commit: head_id.to_owned(),
        rebuilt: Some(reason),
        ..SyncReport::default()
    };
    report.added = files.len();
    let mut generation = NewGeneration::create(cache_dir)?;
    let filled = (|| {
        let mut tx = generation.transaction()?;
        if crate::cache::order_indexes::defer_for(files.len()) {
            tx.defer_order_indexes();
        }
        let mut progress = Progress::new(progress, files.len());
        read_in_parallel(
            &repo.blob_source_for_all(),
            &files,
            head_id,
            |path, bytes| Parsed::read(reader, path, bytes),
            |path, blob, parsed| {
                progress.tick();
                store(&mut tx, path, blob, parsed, &mut report)
            },
        )?;
        for (path, blob) in &unreadable_names {
            store(&mut tx, path, *blob, &Parsed::name_not_utf8(), &mut report)?;
        }
        progress.finish();
        phases.mark("read, parsed and inserted");
        pause_for_tests("written");
        tx.set_metadata(meta::WORKSPACE_LINE, reader.line().key())?;
        tx.commit(head_id, "full")?;
        phases.mark("indexed and committed");
        Ok::<(), SyncError>(())
    })();
    match filled {
        Ok(()) => {
            pause_for_tests("committed");
            let published = generation.publish(cache_dir)?;
            phases.mark("published");
            Ok((published, report))
        }
        Err(error) => {
            generation.discard();
            Err(error)
        }
    }
}

/// Keeps libgit2's memory maps of pack files small. By default it maps a whole pack (up to
/// 1 GiB at a time, 8 GiB in all), and each parsing thread opens the repository again, so
/// every pack page a thread touched counted in the rebuild's resident memory once per thread:
/// most of a 100k rebuild's 147 MB peak. Windows of 1 MiB, at most 8 MiB mapped in all, are
/// unmapped as reading moves on (the pages stay in the kernel's cache). Files are read in path
/// order, which is about the order `git repack` wrote their blobs in, so each pack is read
/// front to back and small windows cost few extra mappings (32 MiB cost 18 MB more at 100k
/// and was no faster).
pub(super) fn bound_pack_mappings() {
    // SAFETY: process-wide libgit2 options, set before any object is read (a window mapped
    // earlier would stay mapped whole); no other code sets them.
    unsafe {
        let _ = git2::opts::set_mwindow_size(1 << 20);
        let _ = git2::opts::set_mwindow_mapped_limit(8 << 20);
    }
}

/// The rebuild's progress line: `\r`-rewritten on a terminal, from the first second on.
struct Progress {
    shown: bool,
    total: usize,
    done: usize,
    started: std::time::Instant,
}

impl Progress {
    fn new(wanted: bool, total: usize) -> Self {
        use std::io::IsTerminal;
        let shown = wanted && std::io::stderr().is_terminal();
        Progress {
            shown,
            total,
            done: 0,
            started: std::time::Instant::now(),
        }
    }

    fn tick(&mut self) {
        self.done += 1;
        if self.shown && self.done % 2048 == 0 && self.started.elapsed() > Duration::from_secs(1) {
            eprint!(
                "\rroadmap-hooks: rebuilding the issue cache: {}/{} files",
                self.done, self.total
            );
        }
    }

    fn finish(&self) {
        if self.shown && self.started.elapsed() > Duration::from_secs(1) {
            eprint!("\r\x1b[K");
        }
    }
}

/// Phase timings of a rebuild on stderr when `ROADMAP_HOOKS_TIMINGS` is set, with the CPU
/// time of the thread that writes SQLite: for profiling, see BENCHMARKS.md.
struct Phases(Option<std::time::Instant>);

impl Phases {
    fn start() -> Self {
        Phases(std::env::var_os("ROADMAP_HOOKS_TIMINGS").map(|_| std::time::Instant::now()))
    }

    fn mark(&self, phase: &str) {
        let Some(started) = self.0 else { return };
        // SAFETY: getrusage fills the struct we pass and nothing else.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut usage) };
        let cpu = usage.ru_utime.tv_sec as f64 + usage.ru_utime.tv_usec as f64 / 1e6;
        eprintln!(
            "roadmap-hooks: {:>7.2}s wall {cpu:>6.2}s writer cpu  {phase}",
            started.elapsed().as_secs_f64()
        );
    }
}

/// Reads `files` and turns each into what `parse` makes of it on all cores, handing each result
/// to `sink` on this thread (the one that owns the transaction) as soon as it is ready, in no
/// set order; files `parse` makes nothing of are skipped. The incremental sync uses it for
/// large diffs too, and the event log's walk for commits that change many files.
pub(crate) fn read_in_parallel<T: Send, E: From<SyncError>>(
    source: &BlobSource,
    files: &[(String, ObjectId)],
    commit: &str,
    parse: impl Fn(&str, &[u8]) -> Option<T> + Sync,
    mut sink: impl FnMut(&str, ObjectId, &T) -> Result<(), E>,
) -> Result<(), E> {
    const BATCH: usize = 256;
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, 4);
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let (sender, receiver) =
            mpsc::sync_channel::<(usize, Result<Batch<T>, SyncError>)>(workers * 2);
        // Each batch goes back to the thread that allocated it, to be freed there: freeing on
        // this thread made glibc's allocator lock its arenas against the workers (~20% of a
        // 100k rebuild).
        let mut returns = Vec::new();
        for worker in 0..workers {
            let (sender, next, parse) = (sender.clone(), &next, &parse);
            let (give_back, returned) = mpsc::channel::<Batch<T>>();
            returns.push(give_back);
            scope.spawn(move || {
                let mut reader = match source.open() {
                    Ok(reader) => reader,
                    Err(e) => return drop(sender.send((worker, Err(e.into())))),
                };
                loop {
                    returned.try_iter().for_each(drop);
                    let start = next.fetch_add(BATCH, Ordering::Relaxed);
                    if start >= files.len() {
                        break;
                    }
                    let batch: Result<Batch<T>, SyncError> = files
                        [start..(start + BATCH).min(files.len())]
                        .iter()
                        .enumerate()
                        .map(|(offset, (path, blob))| {
                            let bytes = reader.read(*blob).map_err(|source| SyncError::Blob {
                                path: path.clone(),
                                commit: short(commit).to_owned(),
                                source,
                            })?;
                            Ok((start + offset, parse(path, &bytes)))
                        })
                        .collect();
                    let failed = batch.is_err();
                    if sender.send((worker, batch)).is_err() || failed {
                        break;
                    }
                }
                drop(sender);
                returned.iter().for_each(drop);
            });
        }
        drop(sender);
        let outcome = (|| {
            for (worker, batch) in &receiver {
                let batch = batch.map_err(E::from)?;
                for (index, parsed) in &batch {
                    let (path, blob) = &files[*index];
                    if let Some(parsed) = parsed {
                        sink(path, *blob, parsed)?;
                    }
                }
                // A worker that already left dropped its receiver; then the batch is freed here.
                let _ = returns[worker].send(batch);
            }
            Ok(())
        })();
        // Let every worker finish freeing and exit, whatever happened here.
        drop(returns);
        drop(receiver);
        outcome
    })
}

/// What one worker read: `(index into files, what `parse` made of the file)`.
type Batch<T> = Vec<(usize, Option<T>)>;

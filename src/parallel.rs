//! A map over a slice on several threads, keeping the order: reading,
//! parsing and rendering a thousand issues, and writing a thousand small
//! files into the page cache, all keep a core busy, so one thread per core,
//! each taking the next batch of work when it is done with its last.

use std::num::NonZeroUsize;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

/// Threads for the work: one per core. Asked once, as the answer costs a
/// few reads of cgroup files.
pub fn cpus() -> usize {
    static CPUS: OnceLock<usize> = OnceLock::new();
    *CPUS.get_or_init(|| thread::available_parallelism().map_or(1, NonZeroUsize::get))
}

/// How many batches each thread takes on average: enough that a thread
/// the machine holds back leaves little for the others to wait on.
const BATCHES_PER_THREAD: usize = 8;

/// Fewest items worth a thread of their own: starting one, and waiting for
/// it to be scheduled on a busy machine, costs more than a few small items.
const MIN_ITEMS_PER_THREAD: usize = 4;

/// `items.iter().map(f).collect()`, on up to `threads` threads.
pub fn map<T: Sync, R: Send>(items: &[T], threads: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = threads.clamp(1, (items.len() / MIN_ITEMS_PER_THREAD).max(1));
    if threads == 1 {
        return items.iter().map(f).collect();
    }
    // Small batches, each taken by whichever thread is free, rather than one
    // fixed share per thread: the machine is shared (with other builds, with
    // the daemon's own work), and a thread preempted mid-share would leave
    // the others idle at the end.
    let batch = items.len().div_ceil(threads * BATCHES_PER_THREAD);
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done: Vec<(usize, Vec<R>)> = Vec::new();
        loop {
            let start = next.fetch_add(batch, Ordering::Relaxed);
            if start >= items.len() {
                return done;
            }
            let end = (start + batch).min(items.len());
            done.push((start, items[start..end].iter().map(&f).collect()));
        }
    };
    let mut batches = thread::scope(|scope| {
        let others: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        // The calling thread works too instead of waiting idle.
        let mut batches = work();
        for other in others {
            batches.extend(
                other
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        batches
    });
    batches.sort_unstable_by_key(|(start, _)| *start);
    let mut results = Vec::with_capacity(items.len());
    for (_, part) in batches {
        results.extend(part);
    }
    results
}

/// Drops `value` on a thread of its own. Freeing what a build holds (a
/// thousand parsed issues and every file of the site: a few hundred thousand
/// allocations) takes milliseconds that the caller, about to report or exit,
/// need not wait for; a process that exits meanwhile just frees it all at
/// once.
pub fn drop_in_background<T: Send + 'static>(value: T) {
    // A thread that cannot be started hands the value back to be dropped
    // here.
    let _ = thread::Builder::new()
        .name("drop".into())
        .spawn(move || drop(value));
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_the_order() {
        let items: Vec<u32> = (0..1000).collect();
        for threads in [1, 2, 7, 64] {
            let doubled = super::map(&items, threads, |n| n * 2);
            assert_eq!(doubled, items.iter().map(|n| n * 2).collect::<Vec<_>>());
        }
        assert!(super::map(&[] as &[u32], 4, |n| *n).is_empty());
        // Short lists, done on the calling thread alone, keep it too.
        for len in 0..12 {
            let short: Vec<u32> = (0..len).collect();
            let plus_one = super::map(&short, 2, |n| n + 1);
            assert_eq!(plus_one, short.iter().map(|n| n + 1).collect::<Vec<_>>());
        }
    }
}

//! A map over a slice on several threads, keeping the order: reading,
//! parsing and rendering a thousand issues, and writing a thousand small
//! files into the page cache, all keep a core busy, so one thread per core.

use std::num::NonZeroUsize;
use std::sync::OnceLock;
use std::thread;

/// Threads for the work: one per core. Asked once, as the answer costs a
/// few reads of cgroup files.
pub fn cpus() -> usize {
    static CPUS: OnceLock<usize> = OnceLock::new();
    *CPUS.get_or_init(|| thread::available_parallelism().map_or(1, NonZeroUsize::get))
}

/// `items.iter().map(f).collect()`, on up to `threads` threads.
pub fn map<T: Sync, R: Send>(items: &[T], threads: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = threads.clamp(1, items.len().max(1));
    if threads == 1 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    thread::scope(|scope| {
        let mut parts = items.chunks(chunk);
        // The calling thread takes the first part instead of waiting idle.
        let first = parts.next().unwrap_or_default();
        let others: Vec<_> = parts
            .map(|part| scope.spawn(|| part.iter().map(&f).collect::<Vec<R>>()))
            .collect();
        let mut results: Vec<R> = Vec::with_capacity(items.len());
        results.extend(first.iter().map(&f));
        for part in others {
            results.extend(
                part.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        results
    })
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
    }
}

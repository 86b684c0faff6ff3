//! How many worker threads bulk fills may use.
//!
//! Parallel fills in this crate are designed so that their output does not depend on the
//! number of threads (each thread starts from an exactly advanced copy of the generator, or
//! computes a disjoint set of counter blocks), so this setting only changes speed, never bits.
//!
//! The default (`0`) is "all available cores" (`std::thread::available_parallelism`);
//! [`set_max_threads`] caps it process-wide (the benches use it to measure one thread).

use std::sync::atomic::{AtomicUsize, Ordering};

static MAX_THREADS: AtomicUsize = AtomicUsize::new(0);

/// Caps the worker threads of parallel fills (`0` = all available cores, `1` = never spawn).
pub fn set_max_threads(n: usize) {
    MAX_THREADS.store(n, Ordering::Relaxed);
}

/// The current cap as set by [`set_max_threads`] (`0` = no cap).
pub fn max_threads_setting() -> usize {
    MAX_THREADS.load(Ordering::Relaxed)
}

/// The number of threads a parallel fill may use: the cap, or the available cores.
pub fn max_threads() -> usize {
    match MAX_THREADS.load(Ordering::Relaxed) {
        0 => std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        n => n,
    }
}

/// Threads worth using for `work` units when each thread should get at least `min_per_thread`
/// units (spawning threads and advancing generators has a fixed cost): between 1 and
/// [`max_threads`].
pub fn threads_for(work: usize, min_per_thread: usize) -> usize {
    let by_work = work / min_per_thread.max(1);
    by_work.clamp(1, max_threads().max(1))
}

/// Splits `0..len` into `parts` contiguous ranges whose starts are multiples of `align`
/// (except that the last range ends at `len`). Returns the range boundaries, `parts + 1` values
/// from `0` to `len` (some ranges may be empty).
pub fn split_points(len: usize, parts: usize, align: usize) -> Vec<usize> {
    let parts = parts.max(1);
    let align = align.max(1);
    let mut pts = Vec::with_capacity(parts + 1);
    for p in 0..parts {
        let raw = len / parts * p + (len % parts) * p / parts;
        pts.push((raw / align * align).min(len));
    }
    pts.push(len);
    pts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_points_cover_and_align() {
        for len in [0usize, 1, 7, 100, 1001] {
            for parts in 1..5 {
                let p = split_points(len, parts, 4);
                assert_eq!(p.len(), parts + 1);
                assert_eq!(p[0], 0);
                assert_eq!(*p.last().unwrap(), len);
                assert!(p.windows(2).all(|w| w[0] <= w[1]));
                assert!(p[..parts].iter().all(|&x| x % 4 == 0));
            }
        }
    }
}

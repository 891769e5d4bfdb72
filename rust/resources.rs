//! What a call may use of the machine: memory (checked before allocating, so
//! a huge request is an error instead of an abort or the OOM killer), threads
//! (bounded, pools reused across calls) and a stop flag (Ctrl-C).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use crate::error::{Error, Result};

/// Upper bound on `num_threads`: more threads than this only add overhead.
pub const MAX_THREADS: usize = 256;

/// Memory the system could give this process now, from /proc/meminfo
/// (`MemAvailable`); None where that is not known.
pub fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kb.checked_mul(1024)
}

/// `count * size` bytes, refused when it exceeds the memory available.
pub fn check_bytes(parameter: &'static str, what: &'static str, bytes: u128) -> Result<usize> {
    let available = available_memory();
    let limit = available.map_or(isize::MAX as u128, |a| a as u128);
    if bytes > limit || bytes > isize::MAX as u128 {
        return Err(Error::OutOfMemory {
            parameter,
            what,
            bytes,
            available,
        });
    }
    Ok(bytes as usize)
}

/// Refuse a task list (one entry per read, at most `bytes_per_task` each)
/// that would not fit, before it is built.
pub fn check_task_list(parameter: &'static str, reads: usize, bytes_per_task: usize) -> Result<()> {
    check_bytes(
        parameter,
        "a task list",
        reads as u128 * bytes_per_task as u128,
    )
    .map(|_| ())
}

/// A vector of `len` copies of `value`, or an `OutOfMemory` error naming the
/// parameter: the size is checked against the memory available and the
/// allocation itself cannot abort the process.
pub fn try_filled<T: Clone>(
    parameter: &'static str,
    what: &'static str,
    len: usize,
    value: T,
) -> Result<Vec<T>> {
    let bytes = len as u128 * std::mem::size_of::<T>() as u128;
    check_bytes(parameter, what, bytes)?;
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| Error::OutOfMemory {
        parameter,
        what,
        bytes,
        available: None,
    })?;
    v.resize(len, value);
    Ok(v)
}

/// A stop request shared between the caller and the workers: long loops poll
/// it between sweeps and return `Error::Interrupted` once it is set.
#[derive(Debug, Default)]
pub struct Stop(AtomicBool);

impl Stop {
    pub fn new() -> Self {
        Stop(AtomicBool::new(false))
    }

    /// A flag nobody sets: for callers that cannot be interrupted.
    pub fn never() -> &'static Stop {
        static NEVER: Stop = Stop(AtomicBool::new(false));
        &NEVER
    }

    pub fn request(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    #[inline]
    pub fn check(&self) -> Result<()> {
        if self.0.load(Ordering::Relaxed) {
            Err(Error::Interrupted)
        } else {
            Ok(())
        }
    }
}

/// Check a thread count: 0 means "all cores".
pub fn check_threads(num_threads: usize) -> Result<usize> {
    if num_threads > MAX_THREADS {
        return Err(Error::value(
            "num_threads",
            format!(
                "must be at most {MAX_THREADS} (this machine has {} cores): value = {num_threads}",
                std::thread::available_parallelism().map_or(1, |n| n.get())
            ),
        ));
    }
    Ok(num_threads)
}

/// The thread count `num_threads = 0` stands for: `RAYON_NUM_THREADS` when
/// set to a positive number (as rayon's global pool reads it; a Dask worker
/// sets it to 1), else one per core.
pub fn default_threads() -> usize {
    std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .min(MAX_THREADS)
}

/// Run `work` on `num_threads` threads (0: `default_threads()`). Pools are kept and
/// reused, so a loop of small calls does not start threads each time. 0 gets
/// a pool of its own too, not rayon's global one: called from outside that
/// pool, a team of threads sharing a group ran erratically on two cores (at
/// times slower than one thread), and never did on a pool of its own.
pub fn with_threads<R: Send>(num_threads: usize, work: impl FnOnce() -> R + Send) -> Result<R> {
    check_threads(num_threads)?;
    let num_threads = if num_threads == 0 {
        default_threads()
    } else {
        num_threads
    };
    static POOLS: OnceLock<Mutex<HashMap<usize, Arc<rayon::ThreadPool>>>> = OnceLock::new();
    let pool = {
        let mut pools = POOLS
            .get_or_init(|| Mutex::new(HashMap::new()))
            .lock()
            .map_err(|_| Error::Internal("thread pool registry poisoned".into()))?;
        match pools.get(&num_threads) {
            Some(p) => p.clone(),
            None => {
                let p = Arc::new(
                    rayon::ThreadPoolBuilder::new()
                        .num_threads(num_threads)
                        .build()
                        .map_err(|e| {
                            Error::value("num_threads", format!("could not start threads: {e}"))
                        })?,
                );
                pools.insert(num_threads, p.clone());
                p
            }
        }
    };
    Ok(pool.install(work))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_requests_are_refused_before_allocating() {
        let e = try_filled::<i8>("num_reads", "samples", usize::MAX / 2, 0).unwrap_err();
        assert!(matches!(e, Error::OutOfMemory { .. }), "{e}");
        assert!(e.to_string().contains("'num_reads'"));
        assert_eq!(try_filled("n", "x", 3, 7u8).unwrap(), vec![7, 7, 7]);
    }

    #[test]
    fn threads_are_bounded_and_pools_reused() {
        assert!(check_threads(MAX_THREADS + 1).is_err());
        let a = with_threads(2, rayon::current_num_threads).unwrap();
        let b = with_threads(2, rayon::current_num_threads).unwrap();
        assert_eq!((a, b), (2, 2));
    }

    #[test]
    fn stop_flag() {
        let s = Stop::new();
        assert!(s.check().is_ok());
        s.request();
        assert_eq!(s.check(), Err(Error::Interrupted));
        assert!(Stop::never().check().is_ok());
    }
}

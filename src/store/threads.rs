//! How many threads the library's own parallel work may use when the
//! caller has not said: splitting a large query, parsing a large CSV,
//! building the relationship lists of a large graph.
//!
//! `AIKG_THREADS` caps it for a whole process (`1` keeps all of aikg's work
//! on the calling thread); without it, the cores the process may run on,
//! at most [`DEFAULT_MAX_THREADS`].

use std::sync::OnceLock;

/// The most threads used when nothing says how many: past a few, the
/// work this library splits is bound by memory, not by cores.
pub(crate) const DEFAULT_MAX_THREADS: usize = 8;

/// `AIKG_THREADS` if it is set to a number, else the available cores (at
/// most [`DEFAULT_MAX_THREADS`]); at least one. Read once per process.
pub(crate) fn default_threads() -> usize {
    static DEFAULT: OnceLock<usize> = OnceLock::new();
    *DEFAULT.get_or_init(|| {
        let cores = || std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        std::env::var("AIKG_THREADS")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or_else(|| cores().min(DEFAULT_MAX_THREADS))
            .max(1)
    })
}

/// Starts `work` on a thread of `scope` named `name`, if the process may
/// use more than one thread ([`default_threads`]) and a thread can be had;
/// `None` tells the caller to do the work itself.
pub(crate) fn spawn_helper<'scope, T: Send + 'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    name: &str,
    work: impl FnOnce() -> T + Send + 'scope,
) -> Option<std::thread::ScopedJoinHandle<'scope, T>> {
    if default_threads() < 2 {
        return None;
    }
    std::thread::Builder::new().name(name.to_string()).spawn_scoped(scope, work).ok()
}

/// Waits for a helper thread, re-raising its panic (a bug) here.
pub(crate) fn join<T>(helper: std::thread::ScopedJoinHandle<'_, T>) -> T {
    helper.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

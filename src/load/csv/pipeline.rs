//! Blocks in parallel: parser threads turn blocks of records into parsed
//! blocks while one consumer takes them in file order.

use std::collections::BTreeMap;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// Blocks the parsers may run ahead of the consumer, per parser: enough to
/// keep them busy, few enough that parsed blocks do not pile up in memory.
const AHEAD_PER_THREAD: usize = 4;

struct Pipeline<R> {
    /// Blocks taken by parsers.
    next: usize,
    consumed: usize,
    /// The number of blocks, once a parser has found no more.
    count: Option<usize>,
    done: BTreeMap<usize, (usize, R)>,
    /// The consumer has stopped (finished or unwinding) or a parser panicked.
    stop: bool,
    parser_panicked: bool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Parses the items of `blocks` with `parse` on parser threads, each with
/// its own state from `new_parser`, and hands each result to `consume` on
/// the calling thread in block order, with the number of the parser that
/// made it (a parser takes its blocks in increasing order, so per-parser
/// state such as new interned names reaches `consume` in the order it
/// arose). Parsers take blocks only while fewer than a few per parser wait
/// for `consume`, so `blocks` is drawn no further ahead than that. With one
/// thread or one block, everything runs on the calling thread.
pub(super) fn run_blocks<I, S, R, N, P, C>(blocks: I, threads: usize, new_parser: N, parse: P, mut consume: C)
where
    I: Iterator + Send,
    I::Item: Send,
    R: Send,
    N: Fn() -> S + Sync,
    P: Fn(&mut S, I::Item) -> R + Sync,
    C: FnMut(usize, R),
{
    let mut blocks = blocks.peekable();
    let first = blocks.next();
    let threads = match threads {
        _ if blocks.peek().is_none() => 1,
        // The graph is built on this thread, which a few parsers keep busy
        // (the default is at most eight), and every parser adds blocks
        // waiting in memory; `AIKG_THREADS=1` parses here too.
        0 => crate::store::threads::default_threads(),
        t => t,
    };
    let mut blocks = first.into_iter().chain(blocks);
    if threads <= 1 {
        let mut state = new_parser();
        for block in blocks {
            consume(0, parse(&mut state, block));
        }
        return;
    }
    let source = Mutex::new(&mut blocks);
    let shared = Mutex::new(Pipeline {
        next: 0,
        consumed: 0,
        count: None,
        done: BTreeMap::new(),
        stop: false,
        parser_panicked: false,
    });
    let changed = Condvar::new();
    let ahead = threads * AHEAD_PER_THREAD;

    /// Wakes everyone up when its thread leaves, normally or by a panic, so
    /// no thread waits for one that is gone.
    struct Leave<'s, R> {
        shared: &'s Mutex<Pipeline<R>>,
        changed: &'s Condvar,
        consumer: bool,
    }
    impl<R> Drop for Leave<'_, R> {
        fn drop(&mut self) {
            let mut p = lock(self.shared);
            if self.consumer {
                p.stop = true;
            } else if std::thread::panicking() {
                p.parser_panicked = true;
            }
            self.changed.notify_all();
        }
    }

    std::thread::scope(|scope| {
        let mut started = 0;
        for parser in 0..threads {
            let (source, shared, changed, new_parser, parse) =
                (&source, &shared, &changed, &new_parser, &parse);
            let worker = move || {
                let _leave = Leave { shared, changed, consumer: false };
                let mut state = new_parser();
                loop {
                    // Parsers take blocks one at a time, so that block `k`
                    // is the `k`th drawn; the next one may wait for a read.
                    let mut source = lock(source);
                    let k = {
                        let mut p = lock(shared);
                        loop {
                            if p.stop || p.count.is_some() {
                                return;
                            }
                            if p.next < p.consumed + ahead {
                                break;
                            }
                            p = changed.wait(p).unwrap_or_else(PoisonError::into_inner);
                        }
                        p.next
                    };
                    let block = source.next();
                    {
                        let mut p = lock(shared);
                        match block {
                            Some(_) => p.next = k + 1,
                            None => p.count = Some(k),
                        }
                    }
                    drop(source);
                    let Some(block) = block else {
                        changed.notify_all();
                        return;
                    };
                    let result = parse(&mut state, block);
                    lock(shared).done.insert(k, (parser, result));
                    changed.notify_all();
                }
            };
            let builder = std::thread::Builder::new().name("aikg-csv".to_string());
            started += usize::from(builder.spawn_scoped(scope, worker).is_ok());
        }
        if started == 0 {
            // No thread could be started (a process or memory limit); the
            // load still succeeds, on this thread.
            let mut state = new_parser();
            for block in &mut **lock(&source) {
                consume(0, parse(&mut state, block));
            }
            return;
        }
        let _leave = Leave { shared: &shared, changed: &changed, consumer: true };
        for k in 0.. {
            let (parser, result) = {
                let mut p = lock(&shared);
                loop {
                    if let Some(r) = p.done.remove(&k) {
                        p.consumed = k + 1;
                        break r;
                    }
                    // The scope re-raises a parser's panic once all have left.
                    if p.count == Some(k) || p.parser_panicked {
                        return;
                    }
                    p = changed.wait(p).unwrap_or_else(PoisonError::into_inner);
                }
            };
            changed.notify_all();
            consume(parser, result);
        }
    });
}

//! A large breadth-first search on two threads: one walks, one produces.
//!
//! A variable-length hop from one start node ("everything built on this
//! base model") spends its time about evenly in two places: walking the
//! relationships (the lists, the marks, the queue) and producing each node
//! found (its labels, the properties the query returns, the operators
//! above). The search's order is what the rows' order is, and the walk is
//! one queue, so the two halves are split the other way: once a search has
//! taken [`HAND_OFF_AFTER`] nodes, a helper thread carries the same walk on
//! (same marks, same queue) and hands the nodes it finds over in batches,
//! in order, while the calling thread produces them. The rows are the ones
//! one thread gives, in the same order; a search that ends sooner never
//! starts the thread, so a short lineage pays one compare per node.
//!
//! The helper counts the run's threads (see [`QueryOptions::threads`] and
//! `AIKG_THREADS`): a run allowed one thread, a split run's workers (see
//! `parallel`) and a search under one already handed off never start it.
//! Neither does a run with a limit on expansions, which the helper would
//! overshoot before the count reached the calling thread.
//!
//! [`QueryOptions::threads`]: crate::QueryOptions::threads

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, OnceLock};

use super::traverse::{Walk, Walked};
use super::{Budget, Flow};
use crate::error::QueryError;
use crate::model::NodeId;
use crate::store::threads;

/// Nodes a search takes on its own before it hands off: enough that the
/// thread's start (tens of microseconds) is a small part of what is left.
pub(crate) const HAND_OFF_AFTER: usize = 2048;

/// Nodes in a batch crossing threads: each crossing costs a few hundred
/// nanoseconds, and the batches in flight bound how far the walk runs ahead.
const CROSSING: usize = 1024;

/// Batches that may wait for the producing thread.
const IN_FLIGHT: usize = 4;

/// How many nodes a search may take before [`carry_on`] is worth asking
/// for, or `None` when this run may not start a thread for it.
/// `AIKG_HAND_OFF_AFTER` sets the count (0 hands every search off, which
/// tests use to run the TCK's searches on two threads).
pub(crate) fn hand_off_after(budget: &Budget<'_>) -> Option<usize> {
    static AFTER: OnceLock<usize> = OnceLock::new();
    let after = *AFTER.get_or_init(|| {
        std::env::var("AIKG_HAND_OFF_AFTER")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(HAND_OFF_AFTER)
    });
    (!budget.limits_expansions()).then_some(after)
}

/// Carries a paused walk on to its end on a helper thread, while this one
/// hands each batch of found nodes, in order, to `produce` (which empties
/// it): first the nodes already in `batch`, then the walk's, in batches of
/// at most `batch_len`. Runs the walk here instead when no thread can be
/// had. The walk's expansions are added to `budget` when it is done.
pub(crate) fn carry_on(
    walk: &mut Walk<'_>,
    budget: &Budget<'_>,
    batch: &mut Vec<NodeId>,
    batch_len: usize,
    mut produce: impl FnMut(&mut Vec<NodeId>) -> Result<Flow, QueryError>,
) -> Result<Flow, QueryError> {
    if !batch.is_empty() && produce(batch)? == Flow::Stop {
        return Ok(Flow::Stop);
    }
    let two_threads = budget.take_thread().then(|| {
        let outcome = on_two_threads(walk, budget, batch_len, &mut produce);
        budget.give_thread();
        outcome
    });
    if let Some(Some(flow)) = two_threads {
        return flow;
    }
    match walk.run(budget, batch, batch_len, None, None, &mut produce)? {
        Walked::Done(Flow::Continue) if !batch.is_empty() => produce(batch),
        Walked::Done(flow) => Ok(flow),
        Walked::Paused => Ok(Flow::Continue),
    }
}

/// The walk on a helper, the producing here; `None` (having done nothing)
/// when the helper could not be started.
fn on_two_threads(
    walk: &mut Walk<'_>,
    budget: &Budget<'_>,
    batch_len: usize,
    produce: &mut impl FnMut(&mut Vec<NodeId>) -> Result<Flow, QueryError>,
) -> Option<Result<Flow, QueryError>> {
    #[cfg(test)]
    HAND_OFFS.with(|c| c.set(c.get() + 1));
    let (found, found_rx) = mpsc::sync_channel::<Result<Vec<NodeId>, QueryError>>(IN_FLIGHT);
    let (spent, spent_rx) = mpsc::channel::<Vec<NodeId>>();
    let helper_budget = budget.fork();
    // Set when this side needs no more nodes, so that the walk ends at its
    // next node rather than at its next hand-over, which a selective label
    // filter can make a long walk away.
    let stopped = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let stopped = &stopped;
        let helper = threads::spawn_helper(scope, "aikg-walk", move || {
            let mut mine = Vec::with_capacity(CROSSING);
            let hand_over = |nodes: &mut Vec<NodeId>| {
                let empty = spent_rx.try_recv().unwrap_or_else(|_| Vec::with_capacity(CROSSING));
                let full = std::mem::replace(nodes, empty);
                // The producing side has stopped (enough rows, or an error).
                Ok(if found.send(Ok(full)).is_ok() { Flow::Continue } else { Flow::Stop })
            };
            match walk.run(&helper_budget, &mut mine, CROSSING, None, Some(stopped), hand_over) {
                Ok(Walked::Done(Flow::Continue)) if !mine.is_empty() => {
                    let _ = found.send(Ok(mine));
                }
                Ok(_) => {}
                Err(e) => {
                    let _ = found.send(Err(e));
                }
            }
            // Dropping `found` ends the producing side's loop.
            helper_budget
        })?;
        let found_rx = found_rx;
        let mut chunk = Vec::with_capacity(batch_len);
        let mut flow = Ok(Flow::Continue);
        'batches: while let Ok(nodes) = found_rx.recv() {
            let mut nodes = match nodes {
                Ok(nodes) => nodes,
                Err(e) => {
                    flow = Err(e);
                    break;
                }
            };
            for part in nodes.chunks(batch_len) {
                chunk.extend_from_slice(part);
                flow = produce(&mut chunk);
                chunk.clear();
                if !matches!(flow, Ok(Flow::Continue)) {
                    stopped.store(true, Ordering::Relaxed);
                    break 'batches;
                }
            }
            nodes.clear();
            let _ = spent.send(nodes);
        }
        // The helper's next hand-over fails, and it stops.
        drop(found_rx);
        let helper_budget = threads::join(helper);
        Some(flow.and_then(|flow| budget.absorb(&helper_budget).map(|()| flow)))
    })
}

#[cfg(test)]
thread_local! {
    /// Searches carried on by a helper from this thread, for tests to tell
    /// a handed-off search from one that ran alone.
    static HAND_OFFS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[cfg(test)]
mod tests {
    use super::HAND_OFFS;
    use crate::{Graph, Params, Query, QueryOptions, Value};

    /// A lineage of 6,000 models, each built on one or two earlier ones,
    /// every tenth also labelled `Open`, and a ring closing back on the
    /// first so the start node is reached again.
    fn graph() -> Graph {
        let mut g = Graph::new();
        let mut next = crate::query::exec::numbers(11);
        let models: Vec<_> = (0..6000i64)
            .map(|i| {
                let labels: &[&str] = if i % 10 == 0 { &["Model", "Open"] } else { &["Model"] };
                g.add_node(
                    labels.iter().copied(),
                    [("id", Value::from(format!("m{i}"))), ("i", Value::Int(i))],
                )
            })
            .collect();
        for i in 1..models.len() {
            g.add_edge(models[i], models[next(i as u64) as usize], "BUILT_ON", []);
            if i % 3 == 0 {
                g.add_edge(models[i], models[next(i as u64) as usize], "BUILT_ON", []);
            }
        }
        g.add_edge(models[0], models[5999], "BUILT_ON", []);
        g
    }

    fn run(g: &Graph, text: &str, options: QueryOptions) -> (Result<Vec<String>, String>, usize) {
        let before = HAND_OFFS.with(|c| c.get());
        let result = Query::parse(text)
            .and_then(|q| q.run_with(g, &Params::new(), &options))
            .map(|rows| rows.rows().map(|r| format!("{:?}", r.iter().collect::<Vec<_>>())).collect())
            .map_err(|e| e.to_string());
        (result, HAND_OFFS.with(|c| c.get()) - before)
    }

    fn threads(n: usize) -> QueryOptions {
        QueryOptions { threads: Some(n), ..QueryOptions::default() }
    }

    #[test]
    fn a_handed_off_search_gives_the_rows_of_one_thread_in_order() {
        let g = graph();
        for text in [
            "MATCH (b:Model {id: 'm0'})<-[:BUILT_ON*1..]-(d:Model) RETURN DISTINCT d.id, d.i",
            "MATCH (b:Model {id: 'm0'})<-[:BUILT_ON*0..]-(d:Open) RETURN DISTINCT d.id",
            "MATCH (b:Model {id: 'm0'})<-[:BUILT_ON*1..]-(d) RETURN DISTINCT d.id LIMIT 3000",
            "MATCH (b:Model {id: 'm0'})<-[:BUILT_ON*1..]-(d) WITH DISTINCT d WHERE d.i % 7 = 3 RETURN count(*) AS n",
            "MATCH (b:Model {id: 'm0'})<-[:BUILT_ON*1..]-(d) RETURN DISTINCT d.id AS id ORDER BY id = 'm0'",
        ] {
            let (one, alone) = run(&g, text, threads(1));
            let (two, handed) = run(&g, text, threads(2));
            assert_eq!(alone, 0, "{text}");
            assert_eq!(handed, 1, "not handed off: {text}");
            assert!(one.as_ref().is_ok_and(|rows| !rows.is_empty()), "{text}: {one:?}");
            assert_eq!(two, one, "{text}");
        }
        // Every model, the start included: reached again over the ring.
        let every = "MATCH (b:Model {id: 'm0'})<-[:BUILT_ON*1..]-(d) WITH DISTINCT d RETURN count(*) AS n";
        assert_eq!(run(&g, every, threads(2)), (Ok(vec!["[Int(6000)]".to_string()]), 1));
    }

    #[test]
    fn short_searches_and_limited_runs_stay_on_one_thread() {
        let g = graph();
        // A short lineage never reaches the hand-off.
        let (rows, handed) =
            run(&g, "MATCH (:Model {id: 'm5999'})-[:BUILT_ON*1..]->(a) RETURN DISTINCT a.id", threads(2));
        assert!(rows.is_ok_and(|r| !r.is_empty()));
        assert_eq!(handed, 0);
        // With a limit on expansions the count must stop the walk where one
        // thread would: the same error, and no helper.
        let text = "MATCH (b:Model {id: 'm0'})<-[:BUILT_ON*1..]-(d) RETURN DISTINCT d.id";
        let tight = |n| QueryOptions { max_expansions: Some(5000), ..threads(n) };
        let (one, _) = run(&g, text, tight(1));
        let (two, handed) = run(&g, text, tight(2));
        assert!(one.as_ref().is_err_and(|e| e.contains("budget of 5000")), "{one:?}");
        assert_eq!((two, handed), (one, 0));
    }

    #[test]
    fn an_error_after_the_hand_off_is_the_one_thread_error() {
        let g = graph();
        let text =
            "MATCH (b:Model {id: 'm0'})<-[:BUILT_ON*1..]-(d) RETURN DISTINCT d.id, 10 / (d.i - 4321) AS x";
        let (one, _) = run(&g, text, threads(1));
        let (two, handed) = run(&g, text, threads(2));
        assert!(one.as_ref().is_err_and(|e| e.contains("division by zero")), "{one:?}");
        assert_eq!((two, handed), (one, 1));
        // Rows over the result's limit: the same error too.
        let rows = |n| QueryOptions { max_rows: Some(4000), ..threads(n) };
        let (one, _) =
            run(&g, "MATCH (b:Model {id: 'm0'})<-[:BUILT_ON*1..]-(d) RETURN DISTINCT d.id", rows(1));
        let (two, _) =
            run(&g, "MATCH (b:Model {id: 'm0'})<-[:BUILT_ON*1..]-(d) RETURN DISTINCT d.id", rows(2));
        assert!(one.as_ref().is_err_and(|e| e.contains("4000 rows")), "{one:?}");
        assert_eq!(two, one);
    }
}

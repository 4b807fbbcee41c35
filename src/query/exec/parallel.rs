//! Grouping queries over a large label scan, on several threads.
//!
//! A query such as "for each lab, how many models descend from the models
//! its companies made" scans a label and traverses from every node it
//! finds before it groups: the scan's nodes are independent of each other
//! until the grouping, so the scan is cut into consecutive parts, each
//! part runs up to the grouping on whichever thread takes it, and the
//! parts' groups are merged in scan order. The merged groups are the ones
//! one pass would have made (same groups, same order, same values: see
//! `AggState::mergeable` for the aggregates that allow it), so the result
//! does not depend on the number of threads. What comes after the
//! grouping (sorting, projecting) runs once, on the calling thread.
//!
//! Only plans of that shape are split: a label scan at the bottom, then
//! operators that handle each row on its own (expansions, filters,
//! projections, `OPTIONAL MATCH`, `UNWIND`), then the grouping. A
//! `DISTINCT`, `ORDER BY`, `LIMIT` or a second grouping below it would see
//! only its part's rows. A scan too small to repay a thread (see
//! [`worth_splitting`]) runs as before, so point queries and small scans
//! pay nothing but a walk down the plan.
//!
//! Threads: [`QueryOptions::threads`], else the `AIKG_THREADS` environment
//! variable, else the machine's cores (see [`threads_for`]). Each thread
//! has a budget of its own, added to the run's when the parts are done,
//! so a limit on expansions holds for the run as a whole.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

use super::ops::{self, Groups, Sink, Stage};
use super::{put, Budget, Ctx, CtxParts, Flow, Row};
use crate::error::QueryError;
use crate::model::{NodeId, Value};
use crate::query::plan::logical::{LabelRef, Op, Plan, Slot};
use crate::query::QueryOptions;
use crate::store::LabelId;

/// Parts per thread: enough that a thread finishing early takes another
/// part while the others finish theirs (scan nodes differ widely in how
/// much they reach), few enough that merging the parts stays cheap.
const PARTS_PER_THREAD: usize = 16;

/// A plan that can run split: the grouping operator the parts run up to,
/// and the label scan at the bottom.
pub(crate) struct Split<'p> {
    aggregate: &'p Op,
    node: Slot,
    labels: &'p [LabelRef],
    /// An operator between the scan and the grouping follows relationships,
    /// so each scanned node costs more than a visit.
    traverses: bool,
}

/// The plan's split, if it has the shape the module doc describes.
pub(crate) fn split(plan: &Plan) -> Option<Split<'_>> {
    // The grouping nearest the scan, then the scan.
    let mut at = &plan.root;
    let mut aggregate = None;
    let (node, labels) = loop {
        match at {
            Op::Aggregate { input, aggregates, .. } => {
                let mergeable = aggregates
                    .iter()
                    .all(|(_, call)| super::aggregate::AggState::mergeable(call.func, call.distinct));
                aggregate = mergeable.then_some(at);
                at = input;
            }
            Op::NodeScan { input, node, labels } => {
                if !matches!(**input, Op::Argument) || labels.is_empty() {
                    return None;
                }
                break (*node, labels.as_slice());
            }
            other => at = ops::input_of(other)?,
        }
    };
    let aggregate = aggregate?;
    let Op::Aggregate { input, .. } = aggregate else { return None };
    let mut traverses = false;
    let mut at: &Op = input;
    loop {
        match at {
            Op::NodeScan { .. } => break,
            // An OPTIONAL MATCH's body is a pattern to match from each row.
            Op::Expand(_) | Op::VarExpand(_) | Op::ShortestPath(_) | Op::Optional { .. } => traverses = true,
            // Rows of one search group are consecutive in the scan; a group
            // that a cut could split would be searched twice.
            Op::Reachable(r) if r.into || r.group.contains(&node) => traverses = true,
            Op::Filter { .. }
            | Op::Project { .. }
            | Op::Unwind { .. }
            | Op::BindPath { .. }
            | Op::NodeKeySeek { .. } => {}
            _ => return None,
        }
        at = ops::input_of(at)?;
    }
    Some(Split { aggregate, node, labels, traverses })
}

/// Whether a scan of `nodes` nodes repays a thread (tens of microseconds
/// to start): a few thousand nodes that each start a traversal do; a bare
/// scan needs far more. `AIKG_PARALLEL_MIN_NODES` sets one threshold for
/// both (0 splits every scan of that shape, which tests use to run the
/// TCK's grouping queries split).
fn worth_splitting(nodes: usize, traverses: bool) -> bool {
    match min_nodes_override() {
        Some(min) => nodes >= min,
        None => nodes >= if traverses { 2048 } else { 1 << 17 },
    }
}

fn min_nodes_override() -> Option<usize> {
    static MIN: OnceLock<Option<usize>> = OnceLock::new();
    *MIN.get_or_init(|| std::env::var("AIKG_PARALLEL_MIN_NODES").ok().and_then(|v| v.trim().parse().ok()))
}

/// The fewest nodes in a part: fewer would cost more to merge than to
/// scan, but for a threshold set below it, where the point is many parts.
fn min_part() -> usize {
    min_nodes_override().map_or(16, |min| min.clamp(1, 16))
}

/// How many threads a run may use: `options.threads`, else `AIKG_THREADS`,
/// else the cores this process may run on (at most eight).
pub(crate) fn threads_for(options: &QueryOptions) -> usize {
    options.threads.unwrap_or_else(crate::store::threads::default_threads).max(1)
}

/// What the workers share: the parts of the run's context that may cross
/// threads (the budget may not; each worker has its own).
struct Shared<'a> {
    cx: CtxParts<'a>,
    split: &'a Split<'a>,
    nodes: &'a [NodeId],
    others: &'a [LabelId],
    part_len: usize,
    parts: usize,
    next: AtomicUsize,
    /// The first part that failed: no part after it is started.
    failed: AtomicUsize,
    done: Mutex<Vec<(usize, Result<Groups, QueryError>)>>,
}

/// Runs `stages` (the whole plan's, built by the caller) with the part of
/// the plan up to the grouping split over threads, then the rest from the
/// merged groups. Returns `Ok(false)`, having done nothing, when the scan
/// is too small or only one thread is allowed: the caller runs the stages
/// as usual.
pub(crate) fn run(
    split: &Split<'_>,
    stages: &mut [Stage<'_>],
    cx: &Ctx<'_>,
    threads: usize,
    sink: &mut Sink<'_>,
) -> Result<bool, QueryError> {
    let resolved: Option<Vec<LabelId>> = split.labels.iter().map(|l| cx.labels[l.0 as usize]).collect();
    let Some((&first, others)) = resolved.as_deref().and_then(<[LabelId]>::split_first) else {
        return Ok(false);
    };
    let nodes = cx.graph.nodes_with_label(first);
    if threads <= 1 || !worth_splitting(nodes.len(), split.traverses) {
        return Ok(false);
    }
    let Some(at) = stages.iter().position(|s| std::ptr::eq(ops::stage_op(s), split.aggregate)) else {
        return Ok(false);
    };
    #[cfg(test)]
    SPLIT_RUNS.with(|c| c.set(c.get() + 1));
    let part_len = nodes.len().div_ceil(threads * PARTS_PER_THREAD).max(min_part());
    let shared = Shared {
        cx: CtxParts::of(cx),
        split,
        nodes,
        others,
        part_len,
        parts: nodes.len().div_ceil(part_len),
        next: AtomicUsize::new(0),
        failed: AtomicUsize::new(usize::MAX),
        done: Mutex::new(Vec::new()),
    };
    let helpers: Vec<Budget<'_>> = (1..threads).map(|_| cx.budget.fork()).collect();
    let spent = std::thread::scope(|scope| {
        let mut running = Vec::with_capacity(helpers.len());
        for budget in helpers {
            let shared = &shared;
            let spawned =
                std::thread::Builder::new().name("aikg-query".to_string()).spawn_scoped(scope, move || {
                    work(shared, &budget);
                    budget
                });
            // No thread to spare: the others (the caller at least) take its parts.
            if let Ok(handle) = spawned {
                running.push(handle);
            }
        }
        cx.budget.without_threads(|| work(&shared, cx.budget));
        running
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect::<Vec<_>>()
    });
    for budget in &spent {
        cx.budget.absorb(budget)?;
    }
    let mut done = shared.done.into_inner().unwrap_or_else(PoisonError::into_inner);
    done.sort_unstable_by_key(|(part, _)| *part);
    let mut merged: Option<Groups> = None;
    for (_, groups) in done {
        // Parts before a failed one all finished: its error is the first
        // one a single pass would have met.
        let groups = groups?;
        match &mut merged {
            Some(m) => m.merge(groups),
            None => merged = Some(groups),
        }
    }
    if let Some(groups) = merged {
        ops::put_groups(&mut stages[at], groups);
    }
    ops::flush_from(stages, at, cx, sink)?;
    Ok(true)
}

/// What a split run's stages not ending in the grouping would be: a bug.
const NO_GROUPING: &str = "a split plan did not end in its grouping";

/// Takes parts until none is left (or one has failed), running each up to
/// the grouping on stages of its own.
fn work(shared: &Shared<'_>, budget: &Budget<'_>) {
    let cx = shared.cx.with(budget);
    let mut stages = match ops::build_tree(shared.split.aggregate, &cx) {
        Ok(stages) => stages,
        Err(e) => {
            shared.failed.fetch_min(0, Ordering::Relaxed);
            shared.done.lock().unwrap_or_else(PoisonError::into_inner).push((0, Err(e)));
            return;
        }
    };
    let mut row: Row = vec![Value::Null; cx.plan.slots.len()];
    loop {
        let part = shared.next.fetch_add(1, Ordering::Relaxed);
        if part >= shared.parts || part > shared.failed.load(Ordering::Relaxed) {
            break;
        }
        let start = part * shared.part_len;
        let nodes = &shared.nodes[start..(start + shared.part_len).min(shared.nodes.len())];
        let result = run_part(&mut stages, shared, nodes, &mut row, &cx);
        let failed = result.is_err();
        if failed {
            shared.failed.fetch_min(part, Ordering::Relaxed);
        }
        shared.done.lock().unwrap_or_else(PoisonError::into_inner).push((part, result));
        if failed {
            break;
        }
    }
    ops::recycle(stages, cx.graph);
}

/// One part of the scan through the stages above it, up to the grouping
/// (the last stage), whose groups it returns.
fn run_part(
    stages: &mut [Stage<'_>],
    shared: &Shared<'_>,
    nodes: &[NodeId],
    row: &mut Row,
    cx: &Ctx<'_>,
) -> Result<Groups, QueryError> {
    // The grouping stage takes every row and hands none on.
    let mut nothing = |_: &mut Row| -> Result<Flow, QueryError> { Ok(Flow::Continue) };
    let Some((_scan, above)) = stages.split_first_mut() else {
        return Err(super::internal(NO_GROUPING));
    };
    for &n in nodes {
        if cx.graph.has_labels(n, shared.others) {
            cx.budget.tick()?;
            put(&mut row[shared.split.node], Value::Node(n));
            ops::push(above, row, cx, &mut nothing)?;
        }
    }
    let last = above.len().checked_sub(1).ok_or_else(|| super::internal(NO_GROUPING))?;
    ops::flush_range(above, 0..last, cx, &mut nothing)?;
    ops::take_groups(&mut above[last]).ok_or_else(|| super::internal(NO_GROUPING))
}

#[cfg(test)]
thread_local! {
    /// Runs split on this thread, for tests to tell a split run from a plain one.
    static SPLIT_RUNS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[cfg(test)]
mod tests {
    use super::SPLIT_RUNS;
    use crate::{Graph, Params, Query, QueryOptions, Value};

    /// Labs incubating companies that develop models built on each other:
    /// the shape of the benchmark's grouping query, with values that group
    /// by equivalence (`1` and `1.0`) and nulls.
    fn graph() -> Graph {
        let mut g = Graph::new();
        let mut next = crate::query::exec::numbers(7);
        let models: Vec<_> = (0..4000i64)
            .map(|i| {
                g.add_node(
                    ["Model"],
                    [("id", Value::from(format!("m{i}"))), ("year", Value::Int(2000 + i % 23))],
                )
            })
            .collect();
        for i in 1..models.len() {
            let parent = next(i as u64) as usize;
            g.add_edge(models[i], models[parent], "BUILT_ON", []);
        }
        for i in 0..3000i64 {
            let kind = match i % 4 {
                0 => Value::Int(1),
                1 => Value::Float(1.0),
                2 => Value::Null,
                _ => Value::from("x"),
            };
            let lab = g.add_node(
                ["Lab"],
                [("id", Value::from(format!("l{i}"))), ("kind", kind), ("i", Value::Int(i))],
            );
            for c in 0..next(3) {
                let company = g.add_node(["Company"], [("id", Value::from(format!("c{i}-{c}")))]);
                g.add_edge(company, lab, "INCUBATED_BY", []);
                for _ in 0..next(3) {
                    let model = models[next(models.len() as u64) as usize];
                    g.add_edge(model, company, "DEVELOPED_BY", []);
                }
            }
        }
        g
    }

    fn run(
        g: &Graph,
        text: &str,
        threads: usize,
        options: QueryOptions,
    ) -> (Result<Vec<String>, String>, usize) {
        let before = SPLIT_RUNS.with(|c| c.get());
        let options = QueryOptions { threads: Some(threads), ..options };
        let result = Query::parse(text)
            .and_then(|q| q.run_with(g, &Params::new(), &options))
            .map(|rows| rows.rows().map(|r| format!("{:?}", r.iter().collect::<Vec<_>>())).collect())
            .map_err(|e| e.to_string());
        (result, SPLIT_RUNS.with(|c| c.get()) - before)
    }

    const SPLIT: &[&str] = &[
        "MATCH (l:Lab)<-[:INCUBATED_BY]-(:Company)<-[:DEVELOPED_BY]-(:Model)<-[:BUILT_ON*1..]-(d:Model) \
         RETURN l.id, count(DISTINCT d) AS n ORDER BY n DESC, l.id",
        "MATCH (l:Lab)<-[:INCUBATED_BY]-(c) RETURN l.kind AS kind, count(*) AS n, collect(c.id)[0..3] AS some",
        "MATCH (l:Lab)<-[:INCUBATED_BY]-(c)<-[:DEVELOPED_BY]-(m) \
         RETURN l.kind, collect(DISTINCT m.year) AS years, min(m.id), max(m.year), count(DISTINCT l.kind)",
        "MATCH (l:Lab)<-[:INCUBATED_BY]-()<-[:DEVELOPED_BY]-(m) RETURN percentileDisc(m.year, 0.3), count(m)",
        "MATCH (l:Lab) OPTIONAL MATCH (l)<-[:INCUBATED_BY]-(c) WITH l, c WHERE l.i % 3 <> 1 \
         RETURN l.i % 5 AS k, count(c) AS n, collect(DISTINCT l.kind) AS kinds",
        "MATCH (l:Lab)<-[:INCUBATED_BY]-(c) UNWIND [1, 1.0, l.i % 2] AS x \
         WITH x, c, count(*) AS n RETURN x, count(c), sum(n) ORDER BY x",
        "MATCH (l:Lab)<-[:INCUBATED_BY]-(c) WHERE (c)<-[:DEVELOPED_BY]-() RETURN count(l) AS n",
        "MATCH (l:Lab)<-[:INCUBATED_BY]-(c) RETURN [l.kind] AS k, count(*) AS n",
    ];

    /// Shapes a split would get wrong (a DISTINCT, LIMIT or sum below or
    /// in the grouping), and a bare scan too small to repay a thread: one pass.
    const NOT_SPLIT: &[&str] = &[
        "MATCH (l:Lab)<-[:INCUBATED_BY]-(c) WITH DISTINCT l.kind AS k RETURN count(*)",
        "MATCH (l:Lab)<-[:INCUBATED_BY]-(c) WITH c LIMIT 500 RETURN count(*)",
        "MATCH (l:Lab)<-[:INCUBATED_BY]-(c) RETURN l.kind, sum(l.i), avg(l.i)",
        "MATCH (l:Lab) RETURN count(*)",
    ];

    #[test]
    fn split_runs_give_the_rows_of_one_pass_in_the_same_order() {
        let g = graph();
        for text in SPLIT {
            let (one, plain) = run(&g, text, 1, QueryOptions::default());
            assert_eq!(plain, 0, "{text}");
            for threads in [2, 3, 8] {
                let (many, split) = run(&g, text, threads, QueryOptions::default());
                assert_eq!(split, 1, "not split with {threads} threads: {text}");
                assert_eq!(many, one, "{threads} threads: {text}");
            }
            assert!(one.as_ref().is_ok_and(|rows| !rows.is_empty()), "{text}: {one:?}");
        }
        for text in NOT_SPLIT {
            let (one, _) = run(&g, text, 1, QueryOptions::default());
            let (many, split) = run(&g, text, 4, QueryOptions::default());
            assert_eq!(split, 0, "split: {text}");
            assert_eq!(many, one, "{text}");
        }
    }

    #[test]
    fn a_split_run_fails_as_one_pass_does() {
        let g = graph();
        // Fails at one lab in the middle of the scan, and again later.
        let text = "MATCH (l:Lab)<-[:INCUBATED_BY]-(c) RETURN l.kind, count(10 / (l.i % 1700 - 1234))";
        let (one, _) = run(&g, text, 1, QueryOptions::default());
        let (many, split) = run(&g, text, 4, QueryOptions::default());
        assert!(one.as_ref().is_err_and(|e| e.contains("division by zero")), "{one:?}");
        assert_eq!((many, split), (one, 1));
        // A budget of expansions holds for the run, not for each thread.
        let q6 = SPLIT[0];
        let (all, _) = run(&g, q6, 1, QueryOptions::default());
        assert!(all.is_ok());
        let tight = QueryOptions { max_expansions: Some(20_000), ..QueryOptions::default() };
        let (one, _) = run(&g, q6, 1, tight.clone());
        let (many, split) = run(&g, q6, 4, tight);
        assert!(one.as_ref().is_err_and(|e| e.contains("budget of 20000")), "{one:?}");
        assert_eq!((many, split), (one, 1));
    }
}

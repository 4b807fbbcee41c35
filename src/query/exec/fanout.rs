//! A large expansion on two threads: the calling thread produces the
//! first parts of a node's relationships, a helper the last ones.
//!
//! "Everyone who invested in this company" follows one node's
//! relationships to tens of thousands of others and returns properties of
//! each: the time goes to reading those nodes, one cache miss after
//! another, not to the walk. The matches of one node are all known once
//! gathered, so they are cut into consecutive parts: the calling thread
//! takes parts from the front and produces their rows as usual, straight
//! into the result; a helper takes parts from the back, runs them through
//! stages of its own up to the final projection, and keeps the projected
//! rows (values lent from the graph where they can be). When the two meet,
//! the helper's rows follow the caller's in part order, so the rows and
//! their order are those of one thread.
//!
//! Only a chain above the expansion that treats each row on its own can be
//! cut so: filters, projections and further single hops, ending in the
//! final projection, with at most a `DISTINCT` before it. The helper keeps
//! every row with the values that `DISTINCT` reads, and the caller tells
//! the helper's rows apart with its own `DISTINCT`, in order, so the first
//! of equal rows is the one kept, as in one pass. A run with a limit on
//! expansions, or without a thread to spare (see
//! [`QueryOptions::threads`]), stays on one thread, as does an expansion
//! with fewer matches than [`FAN_OUT_AFTER`] (or [`FAN_OUT_AFTER_HOPS`]
//! when the chain above it hops again).
//!
//! Errors: a part that fails stops the helper; the caller still produces
//! every part before it, then the helper's rows before the error, then
//! returns it, which is where one thread would have stopped. A caller's
//! error stops the helper at its next part.
//!
//! [`QueryOptions::threads`]: crate::QueryOptions::threads

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

use super::ops::{self, Sink, Stage};
use super::{Budget, Ctx, CtxParts, Finish, Flow, Row};
use crate::error::QueryError;
use crate::model::{EdgeId, NodeId, Value};
use crate::query::plan::logical::{Expand, Op, Slot};
use crate::store::threads;

/// Matches below which an expansion stays on one thread: each costs a
/// cache miss or two to produce (about a tenth of a microsecond), and a
/// thread costs tens of microseconds to start.
pub(crate) const FAN_OUT_AFTER: usize = 4096;

/// The same when the chain above hops again, so that each match costs a
/// walk of its own.
pub(crate) const FAN_OUT_AFTER_HOPS: usize = 256;

/// Parts per expansion: enough that the two threads meet close to the
/// middle however unevenly the matches cost.
const PARTS: usize = 64;

/// What the caller's run allows: which top-level expansions may be cut,
/// and the final projection the helper evaluates (the plan's last
/// projection, or its outputs passed through from their slots). Built by
/// each reading run once its stages are.
pub(crate) struct FanOut<'a> {
    /// Each expansion that may be cut, and its threshold.
    candidates: Vec<(&'a Op, usize)>,
    /// The final projection, which the caller's rows take as well.
    pub(crate) finish: Finish<'a>,
    /// The helper's rows for the result, handed over through the sink.
    replay: RefCell<Option<Produced<'a>>>,
    /// `replay` holds rows: the one read the sink makes for every row.
    pending: Cell<bool>,
}

/// Rows a helper projected, in order.
#[derive(Default)]
pub(crate) struct Produced<'g> {
    /// Per row: whether its values are lent (else owned), and whether the
    /// caller keeps it (not a repeat under `DISTINCT`).
    rows: Vec<(bool, bool)>,
    lent: Vec<&'g Value>,
    owned: Vec<Value>,
    /// Per row, the values the last `DISTINCT` tells rows apart by.
    keys: Vec<Value>,
    /// What stopped the helper's part, after its rows.
    error: Option<QueryError>,
}

impl<'a> FanOut<'a> {
    /// The expansions of `stages` (the run's top-level chain, its final
    /// projection `finish` already taken off) that may be cut.
    pub(crate) fn new<'p: 'a>(stages: &[Stage<'p>], finish: Finish<'a>) -> FanOut<'a> {
        FanOut {
            candidates: candidates(stages),
            finish,
            replay: RefCell::new(None),
            pending: Cell::new(false),
        }
    }

    /// How many matches `op` needs to be cut, when it may be.
    #[inline]
    pub(crate) fn after(&self, op: &Op) -> Option<usize> {
        self.candidates.iter().find(|(c, _)| std::ptr::eq(*c, op)).map(|(_, after)| *after)
    }

    /// The helper's rows handed over by [`run`], if this call of the sink
    /// is for them.
    #[inline]
    pub(crate) fn take_replay(&self) -> Option<Produced<'a>> {
        if !self.pending.get() {
            return None;
        }
        self.pending.set(false);
        self.replay.borrow_mut().take()
    }
}

/// One row of a helper's, as [`Produced::replay`] hands it on.
pub(crate) enum Replayed<'r, 'g> {
    Lent(&'r [&'g Value]),
    Owned(&'r mut [Value]),
}

impl<'g> Produced<'g> {
    /// Hands each row the caller keeps to `emit`, counted by `budget`
    /// first; `width` values per row.
    pub(crate) fn replay(
        mut self,
        width: usize,
        budget: &Budget<'_>,
        mut emit: impl FnMut(Replayed<'_, 'g>),
    ) -> Result<(), QueryError> {
        let (mut lent, mut owned) = (0, 0);
        for &(is_lent, keep) in &self.rows {
            if keep {
                budget.row()?;
            }
            if is_lent {
                if keep {
                    emit(Replayed::Lent(&self.lent[lent..lent + width]));
                }
                lent += width;
            } else {
                if keep {
                    emit(Replayed::Owned(&mut self.owned[owned..owned + width]));
                }
                owned += width;
            }
        }
        Ok(())
    }
}

/// The expansions of `stages` followed only by operators that treat each
/// row on its own, each with its threshold: walking back from the end,
/// past a last DISTINCT by nodes, while the operators allow it.
fn candidates<'p>(stages: &[Stage<'p>]) -> Vec<(&'p Op, usize)> {
    let mut chain = stages;
    if let Some((last, before)) = stages.split_last() {
        if ops::is_distinct(last) {
            chain = before;
        }
    }
    let mut hops_after = false;
    let mut candidates = Vec::new();
    for stage in chain.iter().rev() {
        match ops::stage_op(stage) {
            Op::Filter { .. } | Op::Project { .. } => {}
            op @ Op::Expand(_) => {
                let threshold = if hops_after { FAN_OUT_AFTER_HOPS } else { FAN_OUT_AFTER };
                candidates.push((op, after_override().unwrap_or(threshold)));
                hops_after = true;
            }
            _ => break,
        }
    }
    candidates
}

/// `AIKG_FAN_OUT_AFTER` sets one threshold for every expansion (0 cuts
/// every candidate, which tests use to run the TCK's expansions on two
/// threads).
fn after_override() -> Option<usize> {
    static AFTER: OnceLock<Option<usize>> = OnceLock::new();
    *AFTER.get_or_init(|| std::env::var("AIKG_FAN_OUT_AFTER").ok().and_then(|v| v.trim().parse().ok()))
}

/// Produces `list`, the matches of expansion `x` from `row`, on two
/// threads; `None`, having done nothing, when no thread can be had.
pub(crate) fn run(
    x: &Expand,
    list: &[(EdgeId, NodeId)],
    row: &mut Row,
    rest: &mut [Stage<'_>],
    cx: &Ctx<'_>,
    sink: &mut Sink<'_>,
) -> Result<Option<Flow>, QueryError> {
    let Some(fan) = cx.fan_out.and_then(std::cell::OnceCell::get) else { return Ok(None) };
    if cx.budget.limits_expansions() || !cx.budget.take_thread() {
        return Ok(None);
    }
    let outcome = on_two_threads(fan, x, list, row, rest, cx, sink);
    cx.budget.give_thread();
    outcome
}

/// Which parts are not yet taken: `front..back`.
struct Claims(Mutex<(usize, usize)>);

impl Claims {
    fn front(&self) -> Option<usize> {
        let mut c = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        (c.0 < c.1).then(|| {
            c.0 += 1;
            c.0 - 1
        })
    }

    fn back(&self) -> Option<usize> {
        let mut c = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        (c.0 < c.1).then(|| {
            c.1 -= 1;
            c.1
        })
    }
}

#[allow(clippy::too_many_arguments)]
fn on_two_threads<'a>(
    fan: &FanOut<'a>,
    x: &Expand,
    list: &[(EdgeId, NodeId)],
    row: &mut Row,
    rest: &mut [Stage<'_>],
    cx: &Ctx<'a>,
    sink: &mut Sink<'_>,
) -> Result<Option<Flow>, QueryError> {
    #[cfg(test)]
    FAN_OUTS.with(|c| c.set(c.get() + 1));
    let part_len = list.len().div_ceil(PARTS).max(1);
    let parts: Vec<&[(EdgeId, NodeId)]> = list.chunks(part_len).collect();
    let claims = Claims(Mutex::new((0, parts.len())));
    let stop = AtomicBool::new(false);
    // The helper runs the chain but for a last DISTINCT, which the caller
    // applies to the helper's rows in order, from the values it reads.
    let (distinct_at, reads) = match rest.last().and_then(ops::distinct_reads) {
        Some(reads) => (Some(rest.len() - 1), reads),
        None => (None, Vec::new()),
    };
    let body: Vec<&Op> = rest[..distinct_at.unwrap_or(rest.len())].iter().map(ops::stage_op).collect();
    if let Some(at) = distinct_at {
        ops::reserve_distinct(&mut rest[at], list.len());
    }
    let shared = CtxParts::of(cx);
    let helper_budget = cx.budget.fork();
    let finish = &fan.finish;
    let start_row = row.clone();
    let outcome = std::thread::scope(|scope| {
        let (claims, stop, parts, body, reads) = (&claims, &stop, &parts, &body, &reads);
        let helper = threads::spawn_helper(scope, "aikg-fan-out", move || {
            let done = help(&shared, &helper_budget, x, body, parts, claims, stop, finish, reads, start_row);
            (done, helper_budget)
        });
        let helper = helper?;
        let mut warm = Vec::new();
        let mut flow = Ok(Flow::Continue);
        while let Some(part) = claims.front() {
            flow = ops::expand_list(x, parts[part], &mut warm, row, rest, cx, sink);
            if !matches!(flow, Ok(Flow::Continue)) {
                stop.store(true, Ordering::Relaxed);
                break;
            }
        }
        let (done, spent) = threads::join(helper);
        Some((flow, done, spent))
    });
    let Some((flow, mut done, spent)) = outcome else {
        return Ok(None);
    };
    if flow? == Flow::Stop {
        return Ok(Some(Flow::Stop));
    }
    cx.budget.absorb(&spent)?;
    // The helper took its parts from the back.
    done.sort_unstable_by_key(|(part, _)| *part);
    for (_, mut produced) in done {
        if let Some(at) = distinct_at {
            let width = reads.len();
            let keys = std::mem::take(&mut produced.keys);
            for (i, (_, keep)) in produced.rows.iter_mut().enumerate() {
                for (slot, value) in reads.iter().zip(&keys[i * width..(i + 1) * width]) {
                    row[*slot] = value.clone();
                }
                *keep = ops::distinct_fresh(&mut rest[at], row, cx).unwrap_or(true);
            }
        }
        let error = produced.error.take();
        *fan.replay.borrow_mut() = Some(produced);
        fan.pending.set(true);
        let flow = sink(row);
        if fan.take_replay().is_some() {
            // The sink was not the run's own: a bug in choosing candidates.
            return Err(super::internal("an expansion's rows went to a sink that cannot take them"));
        }
        if flow? == Flow::Stop {
            return Ok(Some(Flow::Stop));
        }
        if let Some(e) = error {
            return Err(e);
        }
    }
    Ok(Some(Flow::Continue))
}

/// The helper's side: parts from the back, through stages of its own,
/// each part's rows projected and kept, until the parts meet or one fails.
#[allow(clippy::too_many_arguments)]
fn help<'a>(
    shared: &CtxParts<'a>,
    budget: &Budget<'_>,
    x: &Expand,
    body: &[&Op],
    parts: &[&[(EdgeId, NodeId)]],
    claims: &Claims,
    stop: &AtomicBool,
    finish: &Finish<'_>,
    reads: &[Slot],
    mut row: Row,
) -> Vec<(usize, Produced<'a>)> {
    let cx = shared.with(budget);
    let mut done = Vec::new();
    // Built from the same operators as the caller's, so it cannot fail
    // where the caller's did not; if it did, the caller takes every part.
    let Ok(mut stages) = ops::build(body, &cx) else { return done };
    let mut warm = Vec::new();
    while let Some(part) = (!stop.load(Ordering::Relaxed)).then(|| claims.back()).flatten() {
        let mut out = Produced::default();
        let mut keep = |row: &mut Row| -> Result<Flow, QueryError> {
            out.keys.extend(reads.iter().map(|s| row[*s].clone()));
            let is_lent = finish.project(row, shared.graph, &cx, &mut out.lent, &mut out.owned)?;
            out.rows.push((is_lent, true));
            Ok(Flow::Continue)
        };
        let result = ops::expand_list(x, parts[part], &mut warm, &mut row, &mut stages, &cx, &mut keep);
        let failed = result.is_err();
        out.error = result.err();
        done.push((part, out));
        if failed {
            break;
        }
    }
    ops::recycle(stages, cx.graph);
    done
}

#[cfg(test)]
thread_local! {
    /// Expansions cut over two threads on this thread, for tests.
    pub(crate) static FAN_OUTS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[cfg(test)]
mod tests {
    use super::FAN_OUTS;
    use crate::{Graph, Params, Query, QueryOptions, Value};

    /// Two labs; lab `l0` incubated 400 companies, and company `c0` has
    /// 9,000 investments from 6,000 investors (some invest twice, so
    /// `DISTINCT` has repeats to drop, near and far apart), each investor
    /// also in a few other companies. Every fifth investor is a `Fund`
    /// besides.
    fn graph() -> Graph {
        let mut g = Graph::new();
        let mut next = crate::query::exec::numbers(7);
        let labs: Vec<_> =
            (0..2).map(|i| g.add_node(["Lab"], [("id", Value::from(format!("l{i}")))])).collect();
        let companies: Vec<_> = (0..500i64)
            .map(|i| g.add_node(["Company"], [("id", Value::from(format!("c{i}"))), ("n", Value::Int(i))]))
            .collect();
        for (i, &c) in companies.iter().enumerate() {
            g.add_edge(c, labs[usize::from(i >= 400)], "INCUBATED_BY", []);
        }
        let investors: Vec<_> = (0..6000i64)
            .map(|i| {
                let labels: &[&str] = if i % 5 == 0 { &["Investor", "Fund"] } else { &["Investor"] };
                g.add_node(
                    labels.iter().copied(),
                    [
                        ("id", Value::from(format!("i{i}"))),
                        ("name", Value::from(format!("Investor number {i} of many"))),
                        ("n", Value::Int(i)),
                    ],
                )
            })
            .collect();
        for round in 0..9000u64 {
            let investor = if round < 6000 { round } else { next(6000) };
            let props = [("round", Value::from(format!("r{round}")))];
            g.add_edge(investors[investor as usize], companies[0], "INVESTED_IN", props);
        }
        for &i in &investors {
            for _ in 0..3 {
                g.add_edge(i, companies[1 + next(499) as usize], "INVESTED_IN", []);
            }
        }
        g
    }

    fn threads(n: usize) -> QueryOptions {
        QueryOptions { threads: Some(n), ..QueryOptions::default() }
    }

    /// The rows as a `ResultSet` gives them, and as a visitor sees them,
    /// and how many expansions went on two threads.
    fn run(
        g: &Graph,
        text: &str,
        options: &QueryOptions,
    ) -> (Result<Vec<String>, String>, Vec<String>, usize) {
        let before = FAN_OUTS.with(|c| c.get());
        let query = Query::parse(text).unwrap();
        let owned = query
            .run_with(g, &Params::new(), options)
            .map(|rows| rows.rows().map(|r| format!("{:?}", r.iter().collect::<Vec<_>>())).collect())
            .map_err(|e| e.to_string());
        let mut visited = Vec::new();
        let lent = query.for_each_row_with(g, &Params::new(), options, |r| {
            visited.push(format!("{:?}", r.values().collect::<Vec<_>>()));
        });
        if let Err(e) = lent {
            visited.push(e.to_string());
        }
        (owned, visited, FAN_OUTS.with(|c| c.get()) - before)
    }

    #[test]
    fn an_expansion_on_two_threads_gives_the_rows_of_one_in_order() {
        let g = graph();
        for text in [
            // Lent values, repeats dropped by node.
            "MATCH (c:Company {id: 'c0'})<-[:INVESTED_IN]-(i) RETURN DISTINCT i.id, i.name",
            // Every relationship, values of their own.
            "MATCH (c:Company {id: 'c0'})<-[r:INVESTED_IN]-(i) RETURN i.id, r.round, i.n * 2 AS twice",
            "MATCH (c:Company {id: 'c0'})<-[:INVESTED_IN]-(i:Investor) WHERE i.n % 3 = 1 RETURN i.id",
            "MATCH (c:Company {id: 'c0'})<-[:INVESTED_IN]-(i) WITH i, i.n % 7 AS k WHERE k > 2 RETURN i.id, k",
            // DISTINCT by values, and whole nodes passed through.
            "MATCH (c:Company {id: 'c0'})<-[:INVESTED_IN]-(i) RETURN DISTINCT i.n % 1000 AS k, i.n % 7 AS j",
            "MATCH (c:Company {id: 'c0'})<-[:INVESTED_IN]-(i) RETURN DISTINCT i.name",
            "MATCH (c:Company {id: 'c0'})<-[r:INVESTED_IN]-(i) RETURN i, r",
            // Two hops: cut at the first, whose companies each hop again.
            "MATCH (l:Lab {id: 'l0'})<-[:INCUBATED_BY]-(c:Company)<-[:INVESTED_IN]-(i) RETURN DISTINCT c.id, i.id",
            "MATCH (l:Lab {id: 'l0'})<-[:INCUBATED_BY]-(c)<-[:INVESTED_IN]-(i)-[:INVESTED_IN]->(o) RETURN o.n, i.n",
        ] {
            let (one, one_lent, alone) = run(&g, text, &threads(1));
            let (two, two_lent, fanned) = run(&g, text, &threads(2));
            assert_eq!(alone, 0, "{text}");
            assert_eq!(fanned, 2, "not on two threads: {text}");
            assert!(one.as_ref().is_ok_and(|rows| rows.len() > 1000), "{text}: {one:?}");
            assert_eq!(two, one, "{text}");
            assert_eq!(one_lent, *one.as_ref().unwrap(), "{text}");
            assert_eq!(two_lent, one_lent, "{text}");
        }
    }

    #[test]
    fn small_expansions_limits_and_order_dependent_chains_stay_on_one_thread() {
        let g = graph();
        for (text, options) in [
            // Four investors.
            ("MATCH (c:Company {id: 'c7'})<-[:INVESTED_IN]-(i) RETURN i.id", threads(2)),
            // LIMIT, ORDER BY and grouping need the rows in one place.
            ("MATCH (c:Company {id: 'c0'})<-[:INVESTED_IN]-(i) RETURN i.id LIMIT 5000", threads(2)),
            ("MATCH (c:Company {id: 'c0'})<-[:INVESTED_IN]-(i) RETURN i.id ORDER BY i.n DESC", threads(2)),
            ("MATCH (c:Company {id: 'c0'})<-[:INVESTED_IN]-(i) RETURN i.n % 10 AS k, count(*)", threads(2)),
            // A limit on expansions must stop where one thread would.
            (
                "MATCH (c:Company {id: 'c0'})<-[:INVESTED_IN]-(i) RETURN i.id",
                QueryOptions { max_expansions: Some(100_000), ..threads(2) },
            ),
        ] {
            let (rows, _, fanned) = run(&g, text, &options);
            assert!(rows.is_ok_and(|r| !r.is_empty()), "{text}");
            assert_eq!(fanned, 0, "{text}");
        }
        let text = "MATCH (c:Company {id: 'c0'})<-[:INVESTED_IN]-(i) RETURN i.id";
        let tight = |n| QueryOptions { max_expansions: Some(5000), ..threads(n) };
        let (one, _, _) = run(&g, text, &tight(1));
        let (two, _, fanned) = run(&g, text, &tight(2));
        assert!(one.as_ref().is_err_and(|e| e.contains("budget of 5000")), "{one:?}");
        assert_eq!((two, fanned), (one, 0));
    }

    #[test]
    fn an_error_on_either_thread_is_the_one_thread_error_after_the_same_rows() {
        let g = graph();
        for text in [
            // Investor 5000 is met late, in the helper's parts.
            "MATCH (c:Company {id: 'c0'})<-[:INVESTED_IN]-(i) RETURN i.id, 10 / (i.n - 5000) AS x",
            // Investor 10 early, in the caller's.
            "MATCH (c:Company {id: 'c0'})<-[:INVESTED_IN]-(i) RETURN DISTINCT i.id, 10 / (i.n - 10) AS x",
            "MATCH (c:Company {id: 'c0'})<-[:INVESTED_IN]-(i) WHERE 10 / (i.n - 4321) > 0 RETURN i.id",
        ] {
            let (one, one_lent, _) = run(&g, text, &threads(1));
            let (two, two_lent, fanned) = run(&g, text, &threads(2));
            assert!(one.as_ref().is_err_and(|e| e.contains("division by zero")), "{text}: {one:?}");
            assert_eq!(fanned, 2, "{text}");
            assert_eq!(two, one, "{text}");
            // The visitor saw the same rows before the error.
            assert!(one_lent.len() > 1, "{text}");
            assert_eq!(two_lent, one_lent, "{text}");
        }
        // Rows over the result's limit: the same error after the same rows.
        let rows = |n| QueryOptions { max_rows: Some(5500), ..threads(n) };
        let text = "MATCH (c:Company {id: 'c0'})<-[:INVESTED_IN]-(i) RETURN DISTINCT i.id";
        let (one, one_lent, _) = run(&g, text, &rows(1));
        let (two, two_lent, _) = run(&g, text, &rows(2));
        assert!(one.as_ref().is_err_and(|e| e.contains("5500 rows")), "{one:?}");
        assert_eq!((two, two_lent.len()), (one, one_lent.len()));
        assert_eq!(two_lent, one_lent);
    }
}

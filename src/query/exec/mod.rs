//! Executes a logical plan over the store.
//!
//! The plan's operator chain is turned into a list of stages that push rows
//! forward: a scan sets its node slot in one reused row buffer and hands the
//! row to the next stage, which extends it again, so a row is only copied
//! where an operator has to keep it (sorting, grouping, `DISTINCT` keys, the
//! result). `LIMIT` answers [`Flow::Stop`] to stop the stages above it.
//! Sorting, grouping and `CREATE` collect their input first and emit when
//! their input is done.
//!
//! `CREATE` splits the chain: the stages before it run to the end on a
//! shared borrow of the graph, then the graph is changed once per collected
//! row, and the stages after it run on the rows `CREATE` produced, with
//! names resolved again so labels and keys it created are found.

mod aggregate;
mod create;
mod eval;
mod functions;
mod ops;
mod traverse;
pub(crate) mod value;

pub(crate) use traverse::SearchPool;

use std::cell::Cell;
use std::time::Instant;

use crate::error::{ErrorClass, QueryError};
use crate::model::Value;
use crate::query::plan::logical::{Op, Plan};
use crate::query::{Params, QueryOptions};
use crate::result::QueryStats;
use crate::store::{Graph, KeyId, LabelId, RelTypeId};

/// A row: one value per slot of the plan.
pub(crate) type Row = Vec<Value>;

/// Stores `value` in a row slot. The value it replaces is most often a
/// node, a number or a short string, which own nothing: those are let go
/// without running the drop code of `Value` (a call per row at every
/// stage that sets a slot).
#[inline]
pub(crate) fn put(slot: &mut Value, value: Value) {
    let old = std::mem::replace(slot, value);
    match old {
        Value::Null
        | Value::Bool(_)
        | Value::Int(_)
        | Value::Float(_)
        | Value::Node(_)
        | Value::Relationship(_) => std::mem::forget(old),
        Value::String(ref t) if t.is_inline() => std::mem::forget(old),
        _ => drop(old),
    }
}

/// Whether the stages above should keep producing rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    /// Keep going.
    Continue,
    /// Enough rows: stop producing.
    Stop,
}

/// The limits of one run and the counters that enforce them.
pub(crate) struct Budget<'o> {
    options: &'o QueryOptions,
    /// Only read with a time limit: a point lookup would spend a tenth of
    /// its time asking the clock.
    started: Option<Instant>,
    /// The limits as plain numbers (`MAX` for none), so the check made on
    /// every relationship and row is one compare.
    max_expansions: u64,
    max_rows: usize,
    expansions: Cell<u64>,
    rows: Cell<usize>,
    ticks: Cell<u32>,
}

impl<'o> Budget<'o> {
    pub(crate) fn new(options: &'o QueryOptions) -> Budget<'o> {
        Budget {
            options,
            started: options.timeout.map(|_| Instant::now()),
            max_expansions: options.max_expansions.unwrap_or(u64::MAX),
            max_rows: options.max_rows.unwrap_or(usize::MAX),
            expansions: Cell::new(0),
            rows: Cell::new(0),
            ticks: Cell::new(0),
        }
    }

    /// Counts one relationship expansion.
    #[inline]
    pub(crate) fn expand(&self) -> Result<(), QueryError> {
        let n = self.expansions.get() + 1;
        self.expansions.set(n);
        if n > self.max_expansions {
            return Err(limit_exceeded(format!(
                "the query went over its budget of {} relationship expansions",
                self.max_expansions
            )));
        }
        self.tick()
    }

    /// Counts one unit of other work (a scanned node, an evaluated row).
    #[inline]
    pub(crate) fn tick(&self) -> Result<(), QueryError> {
        let t = self.ticks.get().wrapping_add(1);
        self.ticks.set(t);
        if t % 4096 == 0 {
            self.check_clock()
        } else {
            Ok(())
        }
    }

    fn check_clock(&self) -> Result<(), QueryError> {
        if self.options.cancel.as_ref().is_some_and(|c| c.is_cancelled()) {
            return Err(limit_exceeded("the query was cancelled".to_string()));
        }
        if let (Some(timeout), Some(started)) = (self.options.timeout, self.started) {
            if started.elapsed() > timeout {
                return Err(limit_exceeded(format!("the query went over its time limit of {timeout:?}")));
            }
        }
        Ok(())
    }

    /// Counts one result row.
    #[inline]
    pub(crate) fn row(&self) -> Result<(), QueryError> {
        let n = self.rows.get() + 1;
        self.rows.set(n);
        if n > self.max_rows {
            return Err(limit_exceeded(format!("the result went over its limit of {} rows", self.max_rows)));
        }
        self.tick()
    }
}

fn limit_exceeded(message: String) -> QueryError {
    QueryError::runtime(ErrorClass::LimitExceeded, "LimitExceeded", message, None)
}

/// The plan's labels, relationship types and property keys as the graph's
/// interned ids (`None` for a name the graph has never seen). Resolving
/// them is a string hash each, so a cached plan keeps them (see
/// `query::cache`) for as long as the graph's names stay the same.
#[derive(Debug, Clone)]
pub(crate) struct Names {
    keys: Vec<Option<KeyId>>,
    labels: Vec<Option<LabelId>>,
    types: Vec<Option<RelTypeId>>,
}

impl Names {
    pub(crate) fn resolve(plan: &Plan, graph: &Graph) -> Names {
        Names {
            keys: plan.keys.iter().map(|k| graph.key_id(k)).collect(),
            labels: plan.labels.iter().map(|l| graph.label_id(l)).collect(),
            types: plan.types.iter().map(|t| graph.rel_type_id(t)).collect(),
        }
    }
}

/// Everything an operator or expression needs during one run over one
/// graph: the graph, the parameters, and the plan's names resolved to the
/// graph's interned ids.
pub(crate) struct Ctx<'a> {
    pub(crate) graph: &'a Graph,
    pub(crate) params: &'a Params,
    pub(crate) plan: &'a Plan,
    pub(crate) keys: &'a [Option<KeyId>],
    pub(crate) labels: &'a [Option<LabelId>],
    pub(crate) types: &'a [Option<RelTypeId>],
    pub(crate) budget: &'a Budget<'a>,
    /// The graph's `id` index has one node per id, so a seek is exact.
    pub(crate) ids_unique: bool,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(
        graph: &'a Graph,
        params: &'a Params,
        plan: &'a Plan,
        names: &'a Names,
        budget: &'a Budget<'a>,
    ) -> Ctx<'a> {
        Ctx {
            graph,
            params,
            plan,
            keys: &names.keys,
            labels: &names.labels,
            types: &names.types,
            budget,
            ids_unique: ids_unique(graph),
        }
    }
}

/// Whether `Graph::node_by_key` finds every node with a given `id`: true
/// for graph data and bulk loads, false once `CREATE` or `add_node` has
/// repeated an id, and then seeks fall back to scanning.
fn ids_unique(graph: &Graph) -> bool {
    graph.ids_unique()
}

/// The graph a run reads, and may change when the plan has a `CREATE`.
pub(crate) enum GraphAccess<'g> {
    /// Read only.
    Shared(&'g Graph),
    /// Read and write.
    Mut(&'g mut Graph),
}

impl GraphAccess<'_> {
    pub(crate) fn get(&self) -> &Graph {
        match self {
            GraphAccess::Shared(g) => g,
            GraphAccess::Mut(g) => g,
        }
    }
}

/// The rows and stats a run produced: `len` rows of one value per output,
/// one after another in `values`.
pub(crate) struct Output {
    pub(crate) values: Vec<Value>,
    pub(crate) len: usize,
    pub(crate) stats: QueryStats,
}

/// `given`, or the plan's names resolved now (kept in `fresh`).
fn given_or_resolved<'n>(
    given: Option<&'n Names>,
    plan: &Plan,
    graph: &Graph,
    fresh: &'n mut Option<Names>,
) -> &'n Names {
    match given {
        Some(names) => names,
        None => fresh.insert(Names::resolve(plan, graph)),
    }
}

/// Runs a plan; `expected_rows` is how many rows to make room for.
pub(crate) fn execute(
    plan: &Plan,
    names: Option<&Names>,
    graph: &mut GraphAccess<'_>,
    params: &Params,
    options: &QueryOptions,
    expected_rows: usize,
) -> Result<Output, QueryError> {
    let budget = Budget::new(options);
    // Room for the rows expected up front: growing from empty would
    // reallocate several times on the way.
    let mut values: Vec<Value> = Vec::with_capacity(plan.outputs.len() * expected_rows);
    let mut len = 0;
    let mut produce = |row: &mut Row| -> Result<Flow, QueryError> {
        budget.row()?;
        if !plan.outputs.is_empty() {
            for s in &plan.outputs {
                values.push(row[*s].clone());
            }
            len += 1;
        }
        Ok(Flow::Continue)
    };
    if !plan.writes {
        // The common case, and the one a point lookup pays for on every
        // call: one segment, one input row, stages built straight from the
        // operator tree.
        let mut fresh = None;
        let names = given_or_resolved(names, plan, graph.get(), &mut fresh);
        graph.get().prepare_traversal();
        let cx = Ctx::new(graph.get(), params, plan, names, &budget);
        let mut stages = ops::build_tree(&plan.root, &cx)?;
        ops::run(&mut stages, std::iter::once(vec![Value::Null; plan.slots.len()]), &cx, &mut produce)?;
        ops::recycle(stages, graph.get());
        return Ok(Output { values, len, stats: QueryStats::default() });
    }
    let chain = ops::chain(&plan.root);
    let width = plan.slots.len();
    let mut stats = QueryStats::default();
    let mut input: Vec<Row> = vec![vec![Value::Null; width]];
    let mut start = 0;
    loop {
        let end = chain[start..].iter().position(|op| matches!(op, Op::Create { .. })).map(|i| start + i);
        let segment = &chain[start..end.unwrap_or(chain.len())];
        let collected = {
            // Names are resolved again after a CREATE, which may have added some.
            let mut fresh = None;
            let names = given_or_resolved(names.filter(|_| start == 0), plan, graph.get(), &mut fresh);
            graph.get().prepare_traversal();
            let cx = Ctx::new(graph.get(), params, plan, names, &budget);
            let mut stages = ops::build(segment, &cx)?;
            let mut collected: Vec<Row> = Vec::new();
            if end.is_none() {
                ops::run(&mut stages, input, &cx, &mut produce)?;
            } else {
                let mut collect = |row: &mut Row| -> Result<Flow, QueryError> {
                    budget.tick()?;
                    collected.push(row.clone());
                    Ok(Flow::Continue)
                };
                ops::run(&mut stages, input, &cx, &mut collect)?;
            }
            ops::recycle(stages, graph.get());
            collected
        };
        let Some(end) = end else { break };
        let Op::Create { actions, .. } = chain[end] else { break };
        input = match graph {
            GraphAccess::Mut(g) => create::apply(actions, collected, g, plan, params, &budget, &mut stats)?,
            GraphAccess::Shared(_) => {
                return Err(QueryError::runtime(
                    ErrorClass::Unsupported,
                    "ReadOnly",
                    "this query writes to the graph: use Graph::execute for CREATE",
                    None,
                ))
            }
        };
        start = end + 1;
    }
    Ok(Output { values, len, stats })
}

//! Executes a logical plan over the store.
//!
//! The plan's operator chain is turned into a list of stages that push rows
//! forward: a scan sets its node slot in one reused row buffer and hands the
//! row to the next stage, which extends it again, so a row is only copied
//! where an operator has to keep it (sorting, grouping, `DISTINCT` keys, the
//! result). `LIMIT` answers `Flow::Stop` to stop the stages above it.
//! Sorting, grouping and `CREATE` collect their input first and emit when
//! their input is done.
//!
//! A grouping over a large label scan may run on several threads, each
//! taking parts of the scan up to the grouping, with the groups merged in
//! scan order (see `parallel`).
//!
//! `CREATE` splits the chain: the stages before it run to the end on a
//! shared borrow of the graph, then the graph is changed once per collected
//! row, and the stages after it run on the rows `CREATE` produced, with
//! names resolved again so labels and keys it created are found.

mod aggregate;
mod call;
mod create;
mod eval;
mod fanout;
mod functions;
mod ops;
mod parallel;
mod pipeline;
mod point;
mod temporal;
mod traverse;
pub(crate) mod value;
mod write;

pub(crate) use point::PointPlan;
pub(crate) use traverse::SearchPool;

use std::cell::Cell;
use std::time::Instant;

use crate::error::{ErrorClass, QueryError};
use crate::model::Value;
use crate::query::cache::Planned;
use crate::query::plan::logical::{Expr, ExprKind, KeyRef, Op, Plan, Slot, SubqueryKind};
use crate::query::{Params, QueryOptions};
use crate::result::{QueryStats, RowRef, RowValues};
use crate::store::{Graph, KeyId, LabelId, RelTypeId};

/// A row: one value per slot of the plan.
pub(crate) type Row = Vec<Value>;

/// Stores `value` in a row slot. The value it replaces is most often a
/// node, a number or a short string, which own nothing: those are let go
/// without running the drop code of `Value` (a call per row at every
/// stage that sets a slot).
#[inline(always)]
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

/// Reading a node or relationship that an earlier clause of the same
/// query deleted.
#[cold]
pub(crate) fn deleted_entity(what: &str, span: crate::error::Span) -> QueryError {
    QueryError::runtime(
        ErrorClass::EntityNotFound,
        "DeletedEntityAccess",
        format!("this {what} was deleted earlier in the query: its properties and labels are gone"),
        Some(span),
    )
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
    /// Threads this run may still start besides its own ([`UNKNOWN`] until
    /// first asked, so that a point lookup never reads the setting).
    spare_threads: Cell<usize>,
}

/// [`Budget::spare_threads`] not yet worked out.
const UNKNOWN: usize = usize::MAX;

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
            spare_threads: Cell::new(UNKNOWN),
        }
    }

    /// A budget for a thread that runs part of the same query: the same
    /// limits and clock, counters of its own (see [`absorb`](Self::absorb)),
    /// and no thread to start (the run's threads are already in use).
    pub(crate) fn fork(&self) -> Budget<'o> {
        Budget {
            options: self.options,
            started: self.started,
            max_expansions: self.max_expansions,
            max_rows: self.max_rows,
            expansions: Cell::new(0),
            rows: Cell::new(0),
            ticks: Cell::new(0),
            spare_threads: Cell::new(0),
        }
    }

    /// Takes one of the threads this run may start besides its own (see
    /// [`QueryOptions::threads`]); `false` when none is left. A taken thread
    /// is handed back with [`give_thread`](Self::give_thread).
    pub(crate) fn take_thread(&self) -> bool {
        let spare = match self.spare_threads.get() {
            UNKNOWN => parallel::threads_for(self.options) - 1,
            n => n,
        };
        self.spare_threads.set(spare.saturating_sub(1));
        spare > 0
    }

    pub(crate) fn give_thread(&self) {
        self.spare_threads.set(self.spare_threads.get() + 1);
    }

    /// Keeps this run from starting threads while `work` runs (its own are
    /// busy with it).
    pub(crate) fn without_threads<T>(&self, work: impl FnOnce() -> T) -> T {
        let before = self.spare_threads.replace(0);
        let out = work();
        self.spare_threads.set(before);
        out
    }

    /// Whether the run has a limit on relationship expansions: a walk
    /// split over threads would overshoot it before it noticed.
    pub(crate) fn limits_expansions(&self) -> bool {
        self.max_expansions != u64::MAX
    }

    /// Adds what a [`fork`](Self::fork) spent, failing as this budget
    /// would have had it spent the same itself.
    pub(crate) fn absorb(&self, fork: &Budget<'_>) -> Result<(), QueryError> {
        let n = self.expansions.get().saturating_add(fork.expansions.get());
        self.expansions.set(n);
        self.ticks.set(self.ticks.get().wrapping_add(fork.ticks.get()));
        if n > self.max_expansions {
            return Err(limit_exceeded(format!(
                "the query went over its budget of {} relationship expansions",
                self.max_expansions
            )));
        }
        Ok(())
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

/// An error that only a bug in the executor can cause.
pub(crate) fn internal(what: &str) -> QueryError {
    QueryError::runtime(ErrorClass::Unsupported, "Internal", format!("internal error: {what}"), None)
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
    /// A plan's property key as the graph's id.
    pub(crate) fn key(&self, key: crate::query::plan::logical::KeyRef) -> Option<KeyId> {
        self.keys[key.0 as usize]
    }

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
    /// The graph's `id` index has one node per id, so a seek is exact
    /// (true for graph data and bulk loads, false once `CREATE` or
    /// `add_node` has repeated an id; seeks then fall back to scanning).
    pub(crate) ids_unique: bool,
    /// Every node has a string `id` of its own, so two nodes' ids are
    /// equal exactly when the nodes are, and none is null.
    pub(crate) ids_own: bool,
    /// About how many rows the run will return (what the cached plan's
    /// last run returned), for sizing sets up front; 0 when unknown.
    pub(crate) expected_rows: usize,
    /// Runs a subquery's plan from a row. Handed in rather than called, so
    /// that expression evaluation does not import the operators that call it.
    pub(crate) subquery: SubqueryRunner,
    /// The clock as `date()`, `datetime.statement()` and the like see it:
    /// read at the first such call, then the same for the whole run.
    now: std::sync::OnceLock<jiff::Timestamp>,
    /// Which expansions of the run's top-level chain may go on two threads
    /// (see `fanout`); set once the chain is built, on the calling thread.
    pub(crate) fan_out: Option<&'a std::cell::OnceCell<fanout::FanOut<'a>>>,
}

/// A [`Ctx`] without its budget: what a run's helper threads share.
#[derive(Clone, Copy)]
pub(crate) struct CtxParts<'a> {
    pub(crate) graph: &'a Graph,
    params: &'a Params,
    plan: &'a Plan,
    keys: &'a [Option<KeyId>],
    labels: &'a [Option<LabelId>],
    types: &'a [Option<RelTypeId>],
    ids_unique: bool,
    ids_own: bool,
    expected_rows: usize,
    subquery: SubqueryRunner,
    now: jiff::Timestamp,
}

impl<'a> CtxParts<'a> {
    pub(crate) fn of(cx: &Ctx<'a>) -> CtxParts<'a> {
        CtxParts {
            graph: cx.graph,
            params: cx.params,
            plan: cx.plan,
            keys: cx.keys,
            labels: cx.labels,
            types: cx.types,
            ids_unique: cx.ids_unique,
            ids_own: cx.ids_own,
            expected_rows: cx.expected_rows,
            subquery: cx.subquery,
            now: cx.now(),
        }
    }

    pub(crate) fn with<'b>(&self, budget: &'b Budget<'b>) -> Ctx<'b>
    where
        'a: 'b,
    {
        Ctx {
            graph: self.graph,
            params: self.params,
            plan: self.plan,
            keys: self.keys,
            labels: self.labels,
            types: self.types,
            budget,
            ids_unique: self.ids_unique,
            ids_own: self.ids_own,
            expected_rows: self.expected_rows,
            subquery: self.subquery,
            now: std::sync::OnceLock::from(self.now),
            fan_out: None,
        }
    }
}

/// Runs the body of a pattern predicate or `EXISTS`/`COUNT` from the
/// current row and gives its value.
pub(crate) type SubqueryRunner = fn(&Op, SubqueryKind, &[Value], &Ctx<'_>) -> Result<Value, QueryError>;

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
            ids_unique: graph.ids_unique(),
            ids_own: graph.ids_unique() && graph.ids_dense(),
            expected_rows: 0,
            subquery: ops::run_subquery,
            now: std::sync::OnceLock::new(),
            fan_out: None,
        }
    }

    /// The statement's clock reading.
    pub(crate) fn now(&self) -> jiff::Timestamp {
        *self.now.get_or_init(jiff::Timestamp::now)
    }
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

/// The outputs (bit `i` for output `i`) a run can take out of the row
/// rather than copy into the result: those the last `Project` computes,
/// when only operators that pass a row on at most once and do not read it
/// again (a filter, `DISTINCT`, `SKIP`, `LIMIT`) stand between it and the
/// result. That `Project` writes its slots afresh for every row, and no
/// operator reads them after the result has the row, so the null left
/// behind is never seen. Variables bound further down are never taken: a
/// scan or an expand keeps one in the row while it produces many rows.
pub(crate) fn movable_outputs(plan: &Plan) -> u64 {
    let mut at = &plan.root;
    let items = loop {
        match at {
            Op::Filter { input, .. }
            | Op::Distinct { input, .. }
            | Op::Skip { input, .. }
            | Op::Limit { input, .. } => {
                at = input;
            }
            Op::Project { items, .. } => break items,
            _ => return 0,
        }
    };
    let mut mask = 0u64;
    for (i, out) in plan.outputs.iter().enumerate().take(64) {
        let once = plan.outputs.iter().filter(|o| *o == out).count() == 1;
        if once && items.iter().any(|(slot, _): &(Slot, _)| slot == out) {
            mask |= 1 << i;
        }
    }
    mask
}

/// Where a run's rows go: into the result, one after another, or each
/// to a visitor as soon as it is made, and then dropped.
struct RowSink<'v> {
    values: Vec<Value>,
    len: usize,
    visit: Option<Visitor<'v>>,
}

/// A visitor of rows, with the column names to show it.
type Visitor<'v> = (&'v [String], &'v mut dyn FnMut(RowRef<'_>));

impl RowSink<'_> {
    /// Hands the visitor a row of values lent from the graph (only called
    /// when there is a visitor: see [`lendable_properties`]).
    #[inline]
    fn lend(&mut self, values: &[&Value]) {
        self.len += 1;
        if let Some((columns, visit)) = &mut self.visit {
            visit(RowRef::new(columns, RowValues::Borrowed(values)));
        }
    }

    /// Ends the row whose values were pushed since the last.
    #[inline]
    fn end_row(&mut self) {
        self.len += 1;
        if let Some((columns, visit)) = &mut self.visit {
            visit(RowRef::new(columns, RowValues::Owned(&self.values)));
            self.values.clear();
        }
    }
}

/// Final projections with every output passed through from its slot.
const PASSED: [Option<usize>; 32] = [None; 32];

/// A helper's rows into the result (see `fanout`).
fn replay<'g>(
    produced: fanout::Produced<'g>,
    width: usize,
    budget: &Budget<'_>,
    rows: &mut RowSink<'_>,
) -> Result<Flow, QueryError> {
    produced.replay(width, budget, |values| match values {
        fanout::Replayed::Lent(values) => rows.lend(values),
        fanout::Replayed::Owned(values) => {
            rows.values.extend(values.iter_mut().map(std::mem::take));
            rows.end_row();
        }
    })?;
    Ok(Flow::Continue)
}

/// Adds a row's outputs to the result (see [`movable_outputs`]).
#[inline]
fn produce_row(
    planned: &Planned,
    budget: &Budget<'_>,
    row: &mut Row,
    rows: &mut RowSink<'_>,
) -> Result<Flow, QueryError> {
    budget.row()?;
    let outputs = &planned.plan.outputs;
    if !outputs.is_empty() {
        let movable = planned.movable_outputs;
        for (i, s) in outputs.iter().enumerate() {
            rows.values.push(if movable >> i & 1 == 1 {
                std::mem::take(&mut row[*s])
            } else {
                row[*s].clone()
            });
        }
        rows.end_row();
    }
    Ok(Flow::Continue)
}

/// For rows handed to a visitor, when every output is a property of a
/// node the row holds (`RETURN a.id, a.name`): the node's slot and the key
/// of each, so that the values are lent from the graph rather than copied
/// into the row and dropped after it (see [`lend_properties`]).
fn lendable_properties(
    sources: &[Option<usize>],
    items: &[(Slot, Expr)],
    rows: &RowSink<'_>,
) -> Option<Vec<(Slot, KeyRef)>> {
    rows.visit.as_ref()?;
    sources
        .iter()
        .map(|source| match &items[(*source)?].1.kind {
            ExprKind::Property(base, key) => Some((base.as_slot()?, *key)),
            _ => None,
        })
        .collect()
}

/// The values of `lendable` for `row`, borrowed from `graph` into `lent`;
/// `false` (and `lent` to be ignored) when a slot does not hold a live
/// node, for the caller to evaluate the row as usual.
#[inline]
fn lend_properties<'g>(
    lendable: &[(Slot, KeyRef)],
    row: &Row,
    graph: &'g Graph,
    keys: &[Option<KeyId>],
    lent: &mut Vec<&'g Value>,
) -> bool {
    for (slot, key) in lendable {
        let Value::Node(n) = row[*slot] else { return false };
        match keys[key.0 as usize].and_then(|k| graph.node_property(n, k)) {
            Some(v) => lent.push(v),
            None if graph.node_is_dead(n) => return false,
            None => lent.push(&value::NULL),
        }
    }
    true
}

/// A plan's last projection, evaluated straight into the result (see
/// [`final_items`]): by the calling thread for its rows, and by a helper
/// for the rows it produces (see `fanout`).
pub(crate) struct Finish<'p> {
    /// Per output, the item that computes it, or `None` for a slot passed
    /// through.
    sources: &'p [Option<usize>],
    items: &'p [(Slot, Expr)],
    outputs: &'p [Slot],
    /// Each output's node and key, when every output is a node's property
    /// and the rows go to a visitor (see [`lendable_properties`]).
    lendable: Option<Vec<(Slot, KeyRef)>>,
}

impl Finish<'_> {
    /// Projects `row`: lends its values from `graph` onto `lent` and gives
    /// `true`, or pushes values of their own onto `owned` and gives `false`.
    #[inline]
    pub(crate) fn project<'g>(
        &self,
        row: &Row,
        graph: &'g Graph,
        cx: &Ctx<'_>,
        lent: &mut Vec<&'g Value>,
        owned: &mut Vec<Value>,
    ) -> Result<bool, QueryError> {
        if let Some(lendable) = &self.lendable {
            let start = lent.len();
            if lend_properties(lendable, row, graph, cx.keys, lent) {
                return Ok(true);
            }
            lent.truncate(start);
        }
        for (source, s) in self.sources.iter().zip(self.outputs) {
            owned.push(match source {
                Some(i) => eval::eval(&self.items[*i].1, row, cx)?.into_owned(),
                None => row[*s].clone(),
            });
        }
        Ok(false)
    }
}

/// For a plan whose last operator, but for a `DISTINCT` a run may leave
/// out, is a `Project` whose items read only slots bound below it: for
/// each output, the item that computes it (or `None` for a variable passed
/// through). A run whose stages end with that `Project` evaluates it
/// straight into the result, sparing each row a stage and a slot
/// written and taken again.
pub(crate) fn final_items(plan: &Plan) -> Option<Vec<Option<usize>>> {
    let mut at = &plan.root;
    while let Op::Distinct { input, .. } = at {
        at = input;
    }
    let Op::Project { items, .. } = at else { return None };
    let mut self_contained = true;
    for (_, e) in items {
        e.visit_slots(&mut |s| self_contained &= !items.iter().any(|(slot, _)| *slot == s));
    }
    if !self_contained || plan.outputs.is_empty() {
        return None;
    }
    Some(plan.outputs.iter().map(|out| items.iter().position(|(slot, _)| slot == out)).collect())
}

/// Runs a planned query.
pub(crate) fn execute(
    planned: &Planned,
    graph: &mut GraphAccess<'_>,
    params: &Params,
    options: &QueryOptions,
) -> Result<Output, QueryError> {
    if let Some(point) = &planned.point {
        if let Some(output) = point::run(planned, point, graph.get(), params, options)? {
            return Ok(output);
        }
    }
    // Room for the rows expected up front: growing from empty would
    // reallocate several times on the way.
    let values = Vec::with_capacity(planned.plan.outputs.len() * planned.expected_rows());
    let mut rows = RowSink { values, len: 0, visit: None };
    let stats = run_stages(planned, graph, params, options, &mut rows)?;
    Ok(Output { values: rows.values, len: rows.len, stats })
}

/// Runs a planned query's stages, its rows going to `rows`.
fn run_stages(
    planned: &Planned,
    graph: &mut GraphAccess<'_>,
    params: &Params,
    options: &QueryOptions,
    rows: &mut RowSink<'_>,
) -> Result<QueryStats, QueryError> {
    let plan = &planned.plan;
    let budget = Budget::new(options);
    if !plan.writes {
        // The common case, and the one a point lookup pays for on every
        // call: one segment, one input row, stages built straight from the
        // operator tree.
        graph.get().prepare_traversal();
        let fan_cell = std::cell::OnceCell::new();
        let cx = Ctx {
            expected_rows: planned.expected_rows(),
            fan_out: Some(&fan_cell),
            ..Ctx::new(graph.get(), params, plan, &planned.names, &budget)
        };
        let mut stages = ops::build_tree(&plan.root, &cx)?;
        let row = vec![Value::Null; plan.slots.len()];
        match planned.final_items.as_deref().zip(ops::pop_final_project(&mut stages)) {
            // The last projection evaluated straight into the result.
            Some((sources, items)) => {
                let lendable = lendable_properties(sources, items, rows);
                let finish = Finish { sources, items, outputs: &plan.outputs, lendable };
                let fan = fan_cell.get_or_init(|| fanout::FanOut::new(&stages, finish));
                let width = plan.outputs.len();
                let mut lent: Vec<&Value> = Vec::with_capacity(width);
                let mut produce = |row: &mut Row| -> Result<Flow, QueryError> {
                    if let Some(produced) = fan.take_replay() {
                        return replay(produced, width, &budget, rows);
                    }
                    budget.row()?;
                    lent.clear();
                    if fan.finish.project(row, cx.graph, &cx, &mut lent, &mut rows.values)? {
                        rows.lend(&lent);
                    } else {
                        rows.end_row();
                    }
                    Ok(Flow::Continue)
                };
                run_read(&mut stages, row, &cx, options, &mut produce)?;
            }
            None => {
                // Outputs passed through from their slots, as `produce_row`
                // does, for a helper's rows (see `fanout`); a plan without
                // outputs produces no rows to replay.
                let fan = (1..=PASSED.len()).contains(&plan.outputs.len()).then(|| {
                    let sources = &PASSED[..plan.outputs.len()];
                    let finish = Finish { sources, items: &[], outputs: &plan.outputs, lendable: None };
                    fan_cell.get_or_init(|| fanout::FanOut::new(&stages, finish))
                });
                let width = plan.outputs.len();
                let mut produce = |row: &mut Row| -> Result<Flow, QueryError> {
                    if let Some(produced) = fan.and_then(fanout::FanOut::take_replay) {
                        return replay(produced, width, &budget, rows);
                    }
                    produce_row(planned, &budget, row, rows)
                };
                run_read(&mut stages, row, &cx, options, &mut produce)?;
            }
        }
        ops::recycle(stages, graph.get());
        return Ok(QueryStats::default());
    }
    let GraphAccess::Mut(graph) = graph else {
        return Err(QueryError::runtime(
            ErrorClass::Unsupported,
            "ReadOnly",
            "this query writes to the graph: use Graph::execute for CREATE, MERGE, SET, REMOVE or DELETE",
            None,
        ));
    };
    // All or nothing: a statement that fails leaves the graph as it was.
    graph.begin_statement();
    let mut pending = write::Pending::default();
    let outcome = run_writes(planned, graph, params, &budget, rows, &mut pending)
        .and_then(|stats| write::check_pending(&pending, graph).map(|()| stats));
    match outcome {
        Ok(stats) => {
            graph.commit_statement();
            Ok(stats)
        }
        Err(e) => {
            graph.rollback_statement();
            Err(e)
        }
    }
}

/// Runs a reading plan's stages from its first row: split over threads
/// when the plan and the graph allow it (see `parallel`), else in one pass.
fn run_read(
    stages: &mut [ops::Stage<'_>],
    row: Row,
    cx: &Ctx<'_>,
    options: &QueryOptions,
    sink: &mut ops::Sink<'_>,
) -> Result<(), QueryError> {
    if let Some(split) = parallel::split(cx.plan) {
        if parallel::run(&split, stages, cx, parallel::threads_for(options), sink)? {
            return Ok(());
        }
    }
    ops::run(stages, std::iter::once(row), cx, sink)
}

/// Runs the segments of a writing plan: the reading operators up to each
/// updating one stream as usual; the updating one takes all their rows at
/// once (see `write`), and its rows feed the next segment.
fn run_writes(
    planned: &Planned,
    graph: &mut Graph,
    params: &Params,
    budget: &Budget<'_>,
    rows: &mut RowSink<'_>,
    pending: &mut write::Pending,
) -> Result<QueryStats, QueryError> {
    let plan = &planned.plan;
    let mut produce = |row: &mut Row| produce_row(planned, budget, row, rows);
    let chain = ops::chain(&plan.root);
    let width = plan.slots.len();
    let mut stats = QueryStats::default();
    let mut input: Vec<Row> = vec![vec![Value::Null; width]];
    let mut start = 0;
    let env = write::Env { plan, params, budget };
    loop {
        let end = chain[start..].iter().position(|op| op.writes()).map(|i| start + i);
        let segment = &chain[start..end.unwrap_or(chain.len())];
        let collected = {
            // Names are resolved again after an update, which may have added some.
            let fresh;
            let names = if start == 0 {
                &planned.names
            } else {
                fresh = Names::resolve(plan, graph);
                &fresh
            };
            graph.prepare_traversal();
            let cx = Ctx::new(graph, params, plan, names, budget);
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
            ops::recycle(stages, graph);
            collected
        };
        let Some(end) = end else { break };
        input = match chain[end] {
            Op::Create { actions, .. } => {
                create::apply(actions, collected, graph, plan, params, budget, &mut stats)?
            }
            Op::Update { items, .. } => write::update(items, collected, graph, &env, &mut stats)?,
            Op::Delete { exprs, detach, .. } => {
                write::delete(exprs, *detach, collected, graph, &env, &mut stats, pending)?
            }
            Op::Merge(m) => write::merge(m, collected, graph, &env, &mut stats)?,
            _ => unreachable!("only updating operators end a segment"),
        };
        start = end + 1;
    }
    Ok(stats)
}

/// Runs a read-only planned query, handing each row to `visit` in order,
/// and returns how many there were. A point lookup lends its values
/// straight from the store; other plans lend each row as they make it.
#[inline]
pub(crate) fn for_each(
    planned: &Planned,
    graph: &Graph,
    params: &Params,
    options: &QueryOptions,
    visit: &mut dyn FnMut(RowRef<'_>),
) -> Result<usize, QueryError> {
    if let Some(point) = &planned.point {
        if let Some(len) = point::for_each(planned, point, graph, params, options, visit)? {
            return Ok(len);
        }
    }
    // Each row is lent as soon as it is made, so a long result is never
    // held whole (stages that sort or group still hold their input).
    let values = Vec::with_capacity(planned.plan.outputs.len());
    let mut rows = RowSink { values, len: 0, visit: Some((&planned.columns, visit)) };
    run_stages(planned, &mut GraphAccess::Shared(graph), params, options, &mut rows)?;
    planned.record_rows(rows.len);
    Ok(rows.len)
}

/// A small seeded generator of numbers below `n`, for tests that build
/// large graphs of a repeatable shape.
#[cfg(test)]
pub(crate) fn numbers(mut seed: u64) -> impl FnMut(u64) -> u64 {
    move |n| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) % n
    }
}

#[cfg(test)]
mod tests {
    use super::movable_outputs;
    use crate::{Graph, Query};

    fn mask(graph: &Graph, text: &str) -> u64 {
        movable_outputs(&Query::parse(text).unwrap().plan(graph).unwrap())
    }

    #[test]
    fn only_values_the_last_projection_computes_are_taken_from_the_row() {
        let g = Graph::new();
        assert_eq!(mask(&g, "MATCH (a)-->(b) RETURN a.id, b.id"), 0b11);
        assert_eq!(mask(&g, "MATCH (a)-->(b) RETURN DISTINCT a, b.id LIMIT 3"), 0b10);
        // Bound further down, or computed below an UNWIND or a sort: copied.
        assert_eq!(mask(&g, "MATCH (a)-->(b) WITH a.id AS y UNWIND [1, 2] AS z RETURN y, z"), 0);
        assert_eq!(mask(&g, "MATCH (a) RETURN a.id AS id ORDER BY id"), 0);
        assert_eq!(mask(&g, "MATCH (a) RETURN a.id AS x, a.id AS y"), 0b11);
    }

    #[test]
    fn the_last_projection_is_fused_into_the_result_only_when_it_is_last() {
        let g = Graph::new();
        let items = |text: &str| super::final_items(&Query::parse(text).unwrap().plan(&g).unwrap());
        assert_eq!(items("MATCH (a)-->(b) RETURN a.id, b.name"), Some(vec![Some(0), Some(1)]));
        // A variable passed through is read from the row.
        assert_eq!(items("MATCH (a)-->(b) RETURN b, a.id"), Some(vec![None, Some(0)]));
        // Below a DISTINCT that a run may leave out.
        assert_eq!(items("MATCH (a)-[:T*]->(b) RETURN DISTINCT b.id"), Some(vec![Some(0)]));
        // Anything else above it, or no projection at all: not fused.
        assert_eq!(items("MATCH (a) RETURN a.id AS id LIMIT 2"), None);
        assert_eq!(items("MATCH (a) RETURN a.id AS id ORDER BY id"), None);
        assert_eq!(items("MATCH (a) RETURN a"), None);
    }

    #[test]
    fn taken_values_leave_no_gap_in_later_rows() {
        let mut g = Graph::new();
        g.execute("CREATE (a:N {id: 'a'})-[:T]->(:N {id: 'b'}), (a)-[:T]->(:N {id: 'c'})").unwrap();
        let rows = |q: &str| -> Vec<Vec<String>> {
            g.query(q)
                .unwrap()
                .rows()
                .map(|r| {
                    r.iter().map(|v| v.as_str().map_or_else(|| format!("{v:?}"), str::to_string)).collect()
                })
                .collect()
        };
        let mut r = rows("MATCH (a {id: 'a'})-->(b) RETURN a.id, b.id");
        r.sort();
        assert_eq!(r, [["a", "b"], ["a", "c"]]);
        let r = rows("MATCH (a {id: 'a'})-->(b) WITH a.id AS y, b.id AS x UNWIND [1, 2] AS z RETURN y, x");
        assert_eq!(r.len(), 4);
        assert!(r.iter().all(|row| row[0] == "a" && (row[1] == "b" || row[1] == "c")), "{r:?}");
    }
}

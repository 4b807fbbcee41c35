//! The operators, as stages that push rows forward (see the module docs of
//! [`super`]).

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;

use super::aggregate::AggState;
use super::eval::{eval, holds};
use super::traverse::{for_each_edge, warm, FxBuild, SearchBuffers, TypeFilter};
use super::value::{equals, order};
use super::{put, Ctx, Flow, Row};
use crate::error::{ErrorClass, QueryError};
use crate::model::{EdgeId, NodeId, Value};
use crate::query::plan::logical::*;
use crate::store::{Graph, KeyId, LabelSet};

mod walks;

pub(crate) use walks::build_path;
use walks::{reachable_push, search_group, shortest, var_expand};

/// The chain of operators from the leaf up, without the leaf `Argument`.
pub(crate) fn chain(root: &Op) -> Vec<&Op> {
    let mut out = Vec::new();
    let mut at = root;
    while let Some(input) = input_of(at) {
        out.push(at);
        at = input;
    }
    out.reverse();
    out
}

pub(super) fn input_of(op: &Op) -> Option<&Op> {
    Some(match op {
        Op::Argument => return None,
        Op::NodeScan { input, .. }
        | Op::NodeKeySeek { input, .. }
        | Op::Filter { input, .. }
        | Op::Optional { input, .. }
        | Op::Project { input, .. }
        | Op::Aggregate { input, .. }
        | Op::Distinct { input, .. }
        | Op::Sort { input, .. }
        | Op::Skip { input, .. }
        | Op::Limit { input, .. }
        | Op::Unwind { input, .. }
        | Op::BindPath { input, .. }
        | Op::Union { input, .. }
        | Op::Create { input, .. }
        | Op::Update { input, .. }
        | Op::Delete { input, .. } => input,
        Op::Merge(x) => &x.input,
        Op::Call(x) => &x.input,
        Op::Expand(x) => &x.input,
        Op::VarExpand(x) => &x.input,
        Op::Reachable(x) => &x.input,
        Op::ShortestPath(x) => &x.input,
    })
}

/// An operator with its per-run state.
pub(crate) struct Stage<'p> {
    op: &'p Op,
    state: State<'p>,
}

enum State<'p> {
    Plain,
    /// Labels resolved; `None` when one does not exist (nothing matches).
    Labels(Option<LabelSet>),
    Seek {
        labels: Option<LabelSet>,
        id_key: Option<KeyId>,
    },
    Hop {
        types: TypeFilter,
        labels: Option<LabelSet>,
        props: Vec<(Option<KeyId>, &'p Expr)>,
        /// Matches of one start node, gathered to be warmed (see [`warm`]).
        buffer: Vec<(EdgeId, NodeId)>,
        warm_nodes: Vec<NodeId>,
    },
    Reach(Box<ReachState>),
    Optional(Vec<Stage<'p>>),
    /// The stages of each part of a `UNION`.
    Union(Vec<Vec<Stage<'p>>>),
    Aggregate(Box<AggTable>),
    Distinct(Distinct),
    /// The node tuples seen by a DISTINCT run before its projection (see
    /// `distinct_by_nodes_first`), packed by [`node_tuple`].
    NodeKeys(HashSet<u64, FxBuild>),
    Sort(Vec<(Vec<Value>, Row)>),
    Count(u64),
}

struct ReachState {
    types: TypeFilter,
    labels: Option<LabelSet>,
    group: Option<Vec<Value>>,
    /// Marks, queue, the batch of reached nodes waiting to be produced (see
    /// [`warm`]) and the row they are produced from; from the graph's pool.
    buffers: SearchBuffers,
}

/// How many reached nodes a search hands on at a time.
const BATCH: usize = 64;

/// Produces a batch of reached nodes, one row each.
fn emit_batch(
    r: &Reachable,
    batch: &mut Vec<NodeId>,
    row: &mut Row,
    rest: &mut [Stage<'_>],
    cx: &Ctx<'_>,
    sink: &mut Sink<'_>,
) -> Result<Flow, QueryError> {
    if r.prefetch != Prefetch::No {
        warm(cx.graph, batch, r.prefetch);
    }
    for &n in batch.iter() {
        put(&mut row[r.to], Value::Node(n));
        if push(rest, row, cx, sink)? == Flow::Stop {
            batch.clear();
            return Ok(Flow::Stop);
        }
    }
    batch.clear();
    Ok(Flow::Continue)
}

struct AggTable {
    /// Groups by the keys' equivalence representatives (see
    /// `value::equivalence_key`).
    groups: IndexMap<Vec<Value>, Vec<AggState>, FxBuild>,
    /// For a group whose first keys were not their own representatives
    /// (`1.0`, keyed as `1`), those keys as they were: the result shows them.
    shown: HashMap<usize, Vec<Value>, FxBuild>,
    key: Vec<Value>,
    /// The slots the grouping keys read, and their values in the last row
    /// with the group that row fell in: consecutive rows of one group (all
    /// the rows of one lab, say) skip evaluating and hashing the keys.
    deps: Vec<Slot>,
    last: Option<(Vec<Value>, usize)>,
}

impl AggTable {
    fn empty(deps: Vec<Slot>) -> AggTable {
        AggTable { groups: IndexMap::default(), shown: HashMap::default(), key: Vec::new(), deps, last: None }
    }

    /// Folds in the groups of the rows that follow this table's: groups
    /// keep the order they first appear in, as in one pass.
    fn merge(&mut self, later: AggTable) {
        let AggTable { groups, mut shown, .. } = later;
        for (i, (key, states)) in groups.into_iter().enumerate() {
            match self.groups.get_index_of(&key) {
                Some(at) => {
                    if let Some((_, mine)) = self.groups.get_index_mut(at) {
                        for (state, more) in mine.iter_mut().zip(states) {
                            state.merge(more);
                        }
                    }
                }
                None => {
                    let at = self.groups.insert_full(key, states).0;
                    if let Some(first) = shown.remove(&i) {
                        self.shown.insert(at, first);
                    }
                }
            }
        }
        self.last = None;
    }
}

/// The groups a grouping stage gathered from part of its input (see
/// `super::parallel`).
pub(super) struct Groups(Box<AggTable>);

impl Groups {
    /// Folds in the groups of the part of the input that follows.
    pub(super) fn merge(&mut self, later: Groups) {
        self.0.merge(*later.0);
    }
}

/// Takes the groups out of `stage`, a grouping stage, leaving it empty for
/// the next part of its input.
pub(super) fn take_groups(stage: &mut Stage<'_>) -> Option<Groups> {
    let State::Aggregate(table) = &mut stage.state else { return None };
    let empty = Box::new(AggTable::empty(table.deps.clone()));
    Some(Groups(std::mem::replace(table, empty)))
}

/// Puts `groups` into `stage`, a grouping stage, for it to emit when flushed.
pub(super) fn put_groups(stage: &mut Stage<'_>, groups: Groups) {
    if let State::Aggregate(table) = &mut stage.state {
        *table = groups.0;
    }
}

/// The operator a stage runs.
pub(super) fn stage_op<'p>(stage: &Stage<'p>) -> &'p Op {
    stage.op
}

/// Emits what `stages[from..]` held back, in order, as [`run`] does once
/// its input is done.
pub(super) fn flush_from(
    stages: &mut [Stage<'_>],
    from: usize,
    cx: &Ctx<'_>,
    sink: &mut Sink<'_>,
) -> Result<(), QueryError> {
    let len = stages.len();
    flush_range(stages, from..len, cx, sink)
}

/// Emits what the stages in `range` held back, in order, each into the
/// stages after it (those past the range included).
pub(super) fn flush_range(
    stages: &mut [Stage<'_>],
    range: std::ops::Range<usize>,
    cx: &Ctx<'_>,
    sink: &mut Sink<'_>,
) -> Result<(), QueryError> {
    for i in range {
        let (head, rest) = stages[i..].split_at_mut(1);
        flush(&mut head[0], rest, cx, sink)?;
    }
    Ok(())
}

struct Distinct {
    /// Rows told apart by their entities' node ids (see `Op::Distinct`).
    nodes: HashSet<u64, FxBuild>,
    values: DistinctValues,
}

enum DistinctValues {
    One(HashSet<Value, FxBuild>),
    Many(HashSet<Vec<Value>, FxBuild>, Vec<Value>),
}

/// The labels a pattern node must have, as the graph's ids; `None` when a
/// label is not in the graph: then nothing matches. A point lookup resolves
/// a few of these per call, so one label is kept without allocating.
fn resolve_labels(labels: &[LabelRef], cx: &Ctx<'_>) -> Option<LabelSet> {
    match labels {
        [one] => cx.labels[one.0 as usize].map(LabelSet::One),
        _ => {
            labels.iter().map(|l| cx.labels[l.0 as usize]).collect::<Option<Vec<_>>>().map(LabelSet::from_vec)
        }
    }
}

fn type_filter(types: &[TypeRef], cx: &Ctx<'_>) -> TypeFilter {
    TypeFilter::new(types.iter().map(|t| cx.types[t.0 as usize]), types.is_empty())
}

/// `labels`, or none to check when every node at the far end of the
/// relationships a hop follows has them anyway (see
/// `Graph::far_end_label`): checking would read the label of every node
/// reached for nothing.
fn unless_implied(
    labels: Option<LabelSet>,
    types: &TypeFilter,
    direction: crate::model::Direction,
    cx: &Ctx<'_>,
) -> Option<LabelSet> {
    let set = labels?;
    let implied_by =
        |t: &crate::store::RelTypeId| cx.graph.far_end_label(*t, direction) == set.first().copied();
    let implied = set.len() == 1
        && match types {
            TypeFilter::One(t) => implied_by(t),
            TypeFilter::Many(ts) => ts.iter().all(implied_by),
            TypeFilter::Any | TypeFilter::Nothing => false,
        };
    Some(if implied { LabelSet::default() } else { set })
}

/// Builds the stages of a segment of the chain.
pub(crate) fn build<'p>(ops: &[&'p Op], cx: &Ctx<'_>) -> Result<Vec<Stage<'p>>, QueryError> {
    ops.iter().map(|op| build_stage(op, cx)).collect()
}

/// Whether `op` would hand on every row it gets, unchanged, on this graph:
/// a DISTINCT by a node that its input never repeats, whose keys are the
/// node or its `id`, when every node has an `id` of its own (so no key is
/// null, which would be told apart by value). A lineage query then skips
/// the check for each ancestor it returns.
fn passes_every_row(op: &Op, cx: &Ctx<'_>) -> bool {
    match op {
        Op::Distinct { entities, entities_unique: true, .. } => {
            entities.iter().all(|(_, id)| id.is_none()) || cx.ids_own
        }
        _ => false,
    }
}

/// The `Project` under `op` when `op` is a DISTINCT by nodes that can run
/// before it: each key is a node or its `id` (and reads nothing that
/// varies between rows of the same nodes, see the planner), and every node
/// has an `id` of its own, so two rows are equal exactly when their nodes
/// are (a missing node, from an OPTIONAL MATCH, gives nulls throughout).
fn distinct_by_nodes_first<'p>(op: &'p Op, cx: &Ctx<'_>) -> Option<&'p Op> {
    let Op::Distinct { input, entities, entities_unique: false, .. } = op else { return None };
    let project = &**input;
    (matches!(project, Op::Project { .. }) && !entities.is_empty() && cx.ids_own).then_some(project)
}

/// Builds the stages of the operators from the leaf up to `root`, which
/// must hold no `CREATE` (a plan that writes runs in segments, see
/// [`chain`]).
pub(crate) fn build_tree<'p>(root: &'p Op, cx: &Ctx<'_>) -> Result<Vec<Stage<'p>>, QueryError> {
    fn depth(op: &Op) -> usize {
        input_of(op).map_or(0, |input| 1 + depth(input))
    }
    fn add<'p>(op: &'p Op, cx: &Ctx<'_>, out: &mut Vec<Stage<'p>>) -> Result<(), QueryError> {
        if let Some(project) = distinct_by_nodes_first(op, cx) {
            // Told apart before the projection, so a repeated node is not
            // projected only to be dropped.
            if let Some(input) = input_of(project) {
                add(input, cx, out)?;
            }
            let seen = HashSet::with_capacity_and_hasher(cx.expected_rows, FxBuild::default());
            out.push(Stage { op, state: State::NodeKeys(seen) });
            out.push(build_stage(project, cx)?);
            return Ok(());
        }
        if let Some(input) = input_of(op) {
            add(input, cx, out)?;
            if !passes_every_row(op, cx) {
                out.push(build_stage(op, cx)?);
            }
        }
        Ok(())
    }
    let mut out = Vec::with_capacity(depth(root));
    add(root, cx, &mut out)?;
    Ok(out)
}

fn build_stage<'p>(op: &'p Op, cx: &Ctx<'_>) -> Result<Stage<'p>, QueryError> {
    let state = match op {
        Op::NodeScan { labels, .. } => State::Labels(resolve_labels(labels, cx)),
        Op::NodeKeySeek { labels, id_key, .. } => {
            State::Seek { labels: resolve_labels(labels, cx), id_key: cx.keys[id_key.0 as usize] }
        }
        Op::Expand(x) => {
            let types = type_filter(&x.types, cx);
            let labels = unless_implied(resolve_labels(&x.to_labels, cx), &types, x.direction, cx);
            State::Hop { types, labels, props: Vec::new(), buffer: Vec::new(), warm_nodes: Vec::new() }
        }
        Op::VarExpand(x) => State::Hop {
            types: type_filter(&x.types, cx),
            labels: resolve_labels(&x.to_labels, cx),
            props: x.rel_props.iter().map(|(k, e)| (cx.keys[k.0 as usize], e)).collect(),
            buffer: Vec::new(),
            warm_nodes: Vec::new(),
        },
        Op::ShortestPath(x) => State::Hop {
            types: type_filter(&x.types, cx),
            labels: Some(LabelSet::default()),
            props: Vec::new(),
            buffer: Vec::new(),
            warm_nodes: Vec::new(),
        },
        Op::Reachable(x) => {
            let types = type_filter(&x.types, cx);
            let labels = resolve_labels(&x.to_labels, cx);
            // With a minimum of one hop every node produced is reached over
            // a relationship (a start node only when reached again).
            let labels =
                if x.min >= 1 && !x.into { unless_implied(labels, &types, x.direction, cx) } else { labels };
            State::Reach(Box::new(ReachState {
                types,
                labels,
                group: None,
                buffers: cx.graph.search_pool().take(cx.graph.node_slots()),
            }))
        }
        Op::Optional { inner, .. } => State::Optional(build_tree(inner, cx)?),
        Op::Union { parts, .. } => {
            State::Union(parts.iter().map(|p| build_tree(&p.root, cx)).collect::<Result<_, _>>()?)
        }
        Op::Aggregate { keys, .. } => {
            let mut deps = Vec::new();
            for (_, e) in keys {
                e.visit_slots(&mut |s| {
                    if !deps.contains(&s) {
                        deps.push(s);
                    }
                });
            }
            State::Aggregate(Box::new(AggTable::empty(deps)))
        }
        Op::Distinct { slots, entities, .. } => {
            // The set in use is sized for the rows the last run returned,
            // so a repeated query does not grow it step by step.
            let sized = |used: bool| if used { cx.expected_rows } else { 0 };
            let by_node = !entities.is_empty();
            State::Distinct(Distinct {
                nodes: HashSet::with_capacity_and_hasher(sized(by_node), FxBuild::default()),
                values: match slots.as_slice() {
                    [_] => DistinctValues::One(HashSet::with_capacity_and_hasher(
                        sized(!by_node),
                        FxBuild::default(),
                    )),
                    _ => DistinctValues::Many(
                        HashSet::with_capacity_and_hasher(sized(!by_node), FxBuild::default()),
                        Vec::new(),
                    ),
                },
            })
        }
        Op::Sort { .. } => State::Sort(Vec::new()),
        Op::Skip { count, .. } | Op::Limit { count, .. } => State::Count(count_value(count, cx)?),
        _ => State::Plain,
    };
    Ok(Stage { op, state })
}

fn count_value(e: &Expr, cx: &Ctx<'_>) -> Result<u64, QueryError> {
    // The count reads no variable, but a list comprehension in it still
    // needs room for its own.
    let row = vec![Value::Null; cx.plan.slots.len()];
    let v = eval(e, &row, cx)?;
    match &*v {
        Value::Int(i) if *i >= 0 => Ok(*i as u64),
        Value::Int(i) => Err(QueryError::runtime(
            ErrorClass::SyntaxError,
            "NegativeIntegerArgument",
            format!("SKIP and LIMIT take a non-negative integer, found {i}"),
            Some(e.span),
        )),
        other => Err(QueryError::runtime(
            ErrorClass::SyntaxError,
            "InvalidArgumentType",
            format!("SKIP and LIMIT take a non-negative integer, found {}", other.type_name()),
            Some(e.span),
        )),
    }
}

/// The consumer at the end of a segment.
pub(crate) type Sink<'s> = dyn FnMut(&mut Row) -> Result<Flow, QueryError> + 's;

/// Takes the last stage off when it is a `Project`, and gives its items.
pub(crate) fn pop_final_project<'p>(stages: &mut Vec<Stage<'p>>) -> Option<&'p [(Slot, Expr)]> {
    let Some(Stage { op: Op::Project { items, .. }, .. }) = stages.last() else { return None };
    let items: &'p [(Slot, Expr)] = items;
    stages.pop();
    Some(items)
}

/// Hands the stages' search buffers back to the graph's pool.
pub(crate) fn recycle(mut stages: Vec<Stage<'_>>, graph: &Graph) {
    for stage in &mut stages {
        // Only the stages that hold buffers are taken apart.
        if matches!(stage.state, State::Reach(_) | State::Optional(_) | State::Union(_)) {
            match std::mem::replace(&mut stage.state, State::Plain) {
                State::Reach(state) => graph.search_pool().give_back(state.buffers),
                State::Optional(inner) => recycle(inner, graph),
                State::Union(parts) => parts.into_iter().for_each(|p| recycle(p, graph)),
                _ => {}
            }
        }
    }
}

/// The value of a subquery expression: whether the body gives a row from
/// `row` (stopping at the first), or how many it gives.
pub(crate) fn run_subquery(
    plan: &Op,
    kind: SubqueryKind,
    row: &[Value],
    cx: &Ctx<'_>,
) -> Result<Value, QueryError> {
    let mut stages = build_tree(plan, cx)?;
    let mut count: i64 = 0;
    let mut values = Vec::new();
    let mut sink = |row: &mut Row| -> Result<Flow, QueryError> {
        count += 1;
        if let SubqueryKind::Collect(slot) = kind {
            values.push(std::mem::take(&mut row[slot]));
        }
        Ok(if kind == SubqueryKind::Exists { Flow::Stop } else { Flow::Continue })
    };
    let outcome = run(&mut stages, std::iter::once(row.to_vec()), cx, &mut sink);
    recycle(stages, cx.graph);
    outcome?;
    Ok(match kind {
        SubqueryKind::Exists => Value::Bool(count > 0),
        SubqueryKind::Count => Value::Int(count),
        SubqueryKind::Collect(_) => Value::List(values),
    })
}

/// Runs a segment: every input row through the stages, then flushes the
/// stages that hold rows back.
pub(crate) fn run(
    stages: &mut [Stage<'_>],
    input: impl IntoIterator<Item = Row>,
    cx: &Ctx<'_>,
    sink: &mut Sink<'_>,
) -> Result<(), QueryError> {
    for mut row in input {
        if push(stages, &mut row, cx, sink)? == Flow::Stop {
            break;
        }
    }
    flush_from(stages, 0, cx, sink)
}

fn violates_unique(row: &[Value], unique: &[Slot], e: EdgeId) -> bool {
    unique.iter().any(|s| match &row[*s] {
        Value::Relationship(r) => *r == e,
        Value::List(items) => items.contains(&Value::Relationship(e)),
        _ => false,
    })
}

/// The node ids that tell a row apart for a DISTINCT by entity, packed in
/// one word; `None` when the row must be told apart by its values (an
/// entity is null, or its `id` is not a string, or ids are not unique).
#[inline]
fn entity_key(row: &[Value], entities: &[(Slot, Option<Slot>)], ids_unique: bool) -> Option<u64> {
    for (entity, id) in entities {
        if !matches!(row[*entity], Value::Node(_)) {
            return None;
        }
        if let Some(id) = id {
            if !ids_unique || !matches!(row[*id], Value::String(_)) {
                return None;
            }
        }
    }
    (!entities.is_empty()).then(|| node_tuple(row, entities))
}

/// The entities' node ids packed in one word (at most two), a missing node
/// as `u32::MAX`.
#[inline]
fn node_tuple(row: &[Value], entities: &[(Slot, Option<Slot>)]) -> u64 {
    let mut key = 0u64;
    for (i, (entity, _)) in entities.iter().enumerate() {
        let id = match row[*entity] {
            Value::Node(n) => n.0,
            _ => u32::MAX,
        };
        key |= u64::from(id) << (32 * i);
    }
    key
}

/// Whether `stage` is a DISTINCT (by nodes before its projection, or by
/// values).
pub(super) fn is_distinct(stage: &Stage<'_>) -> bool {
    is_distinct_state(&stage.state)
}

fn is_distinct_state(state: &State<'_>) -> bool {
    matches!(state, State::NodeKeys(_) | State::Distinct(_))
}

/// The slots a DISTINCT stage reads to tell rows apart; `None` when
/// `stage` is not one.
pub(super) fn distinct_reads(stage: &Stage<'_>) -> Option<Vec<Slot>> {
    match (stage.op, &stage.state) {
        (Op::Distinct { entities, .. }, State::NodeKeys(_)) => Some(entities.iter().map(|e| e.0).collect()),
        (Op::Distinct { slots, entities, .. }, State::Distinct(_)) => {
            let ids = entities.iter().flat_map(|(entity, id)| std::iter::once(*entity).chain(*id));
            Some(slots.iter().copied().chain(ids).collect())
        }
        _ => None,
    }
}

/// Makes room in a DISTINCT by nodes for `more` rows: the set is sized
/// from the last run's result, at most a few thousand, and an expansion cut
/// over two threads (see `fanout`) knows better.
pub(super) fn reserve_distinct(stage: &mut Stage<'_>, more: usize) {
    if let State::NodeKeys(seen) = &mut stage.state {
        seen.reserve(more);
    }
}

/// Whether `row` is one the DISTINCT `stage` has not seen (and now has);
/// `None` when `stage` is not a DISTINCT.
pub(super) fn distinct_fresh(stage: &mut Stage<'_>, row: &[Value], cx: &Ctx<'_>) -> Option<bool> {
    fresh_in(stage.op, &mut stage.state, row, cx)
}

/// What the DISTINCT stage does with a row: whether it is new; `None` when
/// `op` and `state` are not a DISTINCT's.
fn fresh_in(op: &Op, state: &mut State<'_>, row: &[Value], cx: &Ctx<'_>) -> Option<bool> {
    match (op, state) {
        // A missing node stands for the nulls every key computed from it is.
        (Op::Distinct { entities, .. }, State::NodeKeys(seen)) => {
            Some(seen.insert(node_tuple(row, entities)))
        }
        (Op::Distinct { slots, entities, entities_unique, .. }, State::Distinct(seen)) => {
            Some(fresh_values(seen, row, slots, entities, *entities_unique, cx))
        }
        _ => None,
    }
}

/// A DISTINCT by values: whether `row` is new. Rows of nodes with ids of
/// their own are told apart by the nodes (see `entity_key`).
fn fresh_values(
    seen: &mut Distinct,
    row: &[Value],
    slots: &[Slot],
    entities: &[(Slot, Option<Slot>)],
    entities_unique: bool,
    cx: &Ctx<'_>,
) -> bool {
    match (entity_key(row, entities, cx.ids_unique), &mut seen.values) {
        (Some(_), _) if entities_unique => true,
        (Some(key), _) => seen.nodes.insert(key),
        (None, DistinctValues::One(set)) => {
            let v = &row[slots[0]];
            set.insert(super::value::equivalence_key(v).unwrap_or_else(|| v.clone()))
        }
        (None, DistinctValues::Many(set, key)) => {
            key.clear();
            key.extend(slots.iter().map(|s| {
                let v = &row[*s];
                super::value::equivalence_key(v).unwrap_or_else(|| v.clone())
            }));
            !set.contains(&key[..]) && set.insert(std::mem::take(key))
        }
    }
}

/// Produces an expansion's gathered matches (`list`) through the stages
/// after it, warming each batch first when the expansion asks for it.
pub(super) fn expand_list(
    x: &Expand,
    list: &[(EdgeId, NodeId)],
    warm_nodes: &mut Vec<NodeId>,
    row: &mut Row,
    rest: &mut [Stage<'_>],
    cx: &Ctx<'_>,
    sink: &mut Sink<'_>,
) -> Result<Flow, QueryError> {
    // Warm a batch, produce it, then the next: warming them all at once
    // would push the first ones out of the cache again.
    for chunk in list.chunks(BATCH) {
        if x.prefetch != Prefetch::No {
            warm_nodes.clear();
            warm_nodes.extend(chunk.iter().map(|(_, n)| *n));
            warm(cx.graph, warm_nodes, x.prefetch);
        }
        for &(e, other) in chunk {
            cx.budget.expand()?;
            put(&mut row[x.rel], Value::Relationship(e));
            put(&mut row[x.to], Value::Node(other));
            if push(rest, row, cx, sink)? == Flow::Stop {
                return Ok(Flow::Stop);
            }
        }
    }
    Ok(Flow::Continue)
}

/// Pushes one row through the stages.
pub(super) fn push(
    stages: &mut [Stage<'_>],
    row: &mut Row,
    cx: &Ctx<'_>,
    sink: &mut Sink<'_>,
) -> Result<Flow, QueryError> {
    let Some((stage, rest)) = stages.split_first_mut() else {
        return sink(row);
    };
    let graph = cx.graph;
    match (stage.op, &mut stage.state) {
        (Op::NodeScan { node, .. }, State::Labels(labels)) => {
            let Some(labels) = labels else { return Ok(Flow::Continue) };
            let emit = |n: NodeId, row: &mut Row, rest: &mut [Stage<'_>], sink: &mut Sink<'_>| {
                cx.budget.tick()?;
                put(&mut row[*node], Value::Node(n));
                push(rest, row, cx, sink)
            };
            match labels.split_first() {
                None => {
                    for n in graph.node_ids() {
                        if emit(n, row, rest, sink)? == Flow::Stop {
                            return Ok(Flow::Stop);
                        }
                    }
                }
                Some((first, others)) => {
                    for &n in graph.nodes_with_label(*first) {
                        if graph.has_labels(n, others) && emit(n, row, rest, sink)? == Flow::Stop {
                            return Ok(Flow::Stop);
                        }
                    }
                }
            }
            Ok(Flow::Continue)
        }
        (Op::NodeKeySeek { node, key, .. }, State::Seek { labels, id_key }) => {
            let (Some(labels), Some(id_key)) = (labels, id_key) else { return Ok(Flow::Continue) };
            let key = eval(key, row, cx)?;
            if let (Value::String(s), true) = (&*key, cx.ids_unique) {
                let Some(n) = graph.node_by_key(s).filter(|n| graph.has_labels(*n, labels)) else {
                    return Ok(Flow::Continue);
                };
                put(&mut row[*node], Value::Node(n));
                return push(rest, row, cx, sink);
            }
            // The scan below binds the node slot while it still compares.
            let key = key.into_owned();
            let candidates: Box<dyn Iterator<Item = NodeId>> = match labels.first() {
                Some(l) => Box::new(graph.nodes_with_label(*l).iter().copied()),
                None => Box::new(graph.node_ids()),
            };
            for n in candidates {
                cx.budget.tick()?;
                let matches = graph.node_property(n, *id_key).is_some_and(|v| equals(v, &key) == Some(true));
                if matches && graph.has_labels(n, labels) {
                    put(&mut row[*node], Value::Node(n));
                    if push(rest, row, cx, sink)? == Flow::Stop {
                        return Ok(Flow::Stop);
                    }
                }
            }
            Ok(Flow::Continue)
        }
        (Op::Expand(x), State::Hop { types, labels, buffer, warm_nodes, .. }) => {
            let Value::Node(from) = row[x.from] else { return Ok(Flow::Continue) };
            let target = match (x.into, &row[x.to]) {
                (false, _) => None,
                (true, Value::Node(t)) => Some(*t),
                (true, _) => return Ok(Flow::Continue),
            };
            let bound_rel = match (x.rel_bound, &row[x.rel]) {
                (false, _) => None,
                (true, Value::Relationship(r)) => Some(*r),
                (true, _) => return Ok(Flow::Continue),
            };
            let Some(labels) = labels else { return Ok(Flow::Continue) };
            let keep = |e: EdgeId, other: NodeId, row: &Row| {
                !(target.is_some_and(|t| t != other)
                    || bound_rel.is_some_and(|r| r != e)
                    || !graph.has_labels(other, labels)
                    || violates_unique(row, &x.unique, e))
            };
            // A candidate for two threads (see `fanout`) gathers its matches
            // first, as a warmed expansion does, to see how many there are.
            let fan_out_after = cx.fan_out.and_then(std::cell::OnceCell::get).and_then(|f| f.after(stage.op));
            if x.prefetch != Prefetch::No || fan_out_after.is_some() {
                buffer.clear();
                for_each_edge::<QueryError>(graph, from, x.direction, types, |e, other| {
                    if keep(e, other, row) {
                        buffer.push((e, other));
                    }
                    Ok(true)
                })?;
                if fan_out_after.is_some_and(|after| buffer.len() >= after) {
                    if let Some(flow) = super::fanout::run(x, buffer, row, rest, cx, sink)? {
                        return Ok(flow);
                    }
                }
                return expand_list(x, buffer, warm_nodes, row, rest, cx, sink);
            }
            let mut flow = Flow::Continue;
            for_each_edge(graph, from, x.direction, types, |e, other| {
                if !keep(e, other, row) {
                    return Ok(true);
                }
                cx.budget.expand()?;
                put(&mut row[x.rel], Value::Relationship(e));
                if !x.into {
                    put(&mut row[x.to], Value::Node(other));
                }
                flow = push(rest, row, cx, sink)?;
                Ok(flow == Flow::Continue)
            })?;
            Ok(flow)
        }
        (Op::VarExpand(v), State::Hop { types, labels, props, .. }) => {
            var_expand(v, types, labels.as_deref(), props, row, rest, cx, sink)
        }
        (Op::Reachable(r), State::Reach(state)) => reachable_push(r, state, row, rest, cx, sink),
        (Op::ShortestPath(s), State::Hop { types, .. }) => shortest(s, types, row, rest, cx, sink),
        (Op::Filter { predicate, .. }, _) => {
            if holds(predicate, row, cx)? {
                push(rest, row, cx, sink)
            } else {
                Ok(Flow::Continue)
            }
        }
        (Op::Optional { nulls, .. }, State::Optional(inner)) => {
            let mut found = false;
            let flow = {
                let mut tail = |r: &mut Row| -> Result<Flow, QueryError> {
                    found = true;
                    push(rest, r, cx, sink)
                };
                push(inner, row, cx, &mut tail)?
            };
            if flow == Flow::Stop {
                return Ok(Flow::Stop);
            }
            if found {
                return Ok(Flow::Continue);
            }
            for s in nulls {
                row[*s] = Value::Null;
            }
            push(rest, row, cx, sink)
        }
        (Op::Call(c), _) => super::call::call_push(c, row, rest, cx, sink),
        (Op::Union { parts, slots, .. }, State::Union(stages)) => {
            for (part, stages) in parts.iter().zip(stages.iter_mut()) {
                let mut stopped = false;
                let mut tail = |r: &mut Row| -> Result<Flow, QueryError> {
                    for (from, to) in part.outputs.iter().zip(slots) {
                        let v = r[*from].clone();
                        put(&mut r[*to], v);
                    }
                    let flow = push(rest, r, cx, sink)?;
                    stopped |= flow == Flow::Stop;
                    Ok(flow)
                };
                run(stages, std::iter::once(row.clone()), cx, &mut tail)?;
                if stopped {
                    return Ok(Flow::Stop);
                }
            }
            Ok(Flow::Continue)
        }
        (Op::Project { items, .. }, _) => {
            for (slot, e) in items {
                let v = eval(e, row, cx)?.into_owned();
                put(&mut row[*slot], v);
            }
            cx.budget.tick()?;
            push(rest, row, cx, sink)
        }
        (Op::Aggregate { keys, aggregates, .. }, State::Aggregate(table)) => {
            let table = &mut **table;
            let cached = match &table.last {
                Some((values, index)) if table.deps.iter().zip(values).all(|(s, v)| row[*s] == *v) => {
                    Some(*index)
                }
                _ => None,
            };
            let index = match cached {
                Some(i) => i,
                None => {
                    table.key.clear();
                    for (_, e) in keys {
                        let v = eval(e, row, cx)?.into_owned();
                        table.key.push(v);
                    }
                    let mut shown = None;
                    for i in 0..table.key.len() {
                        if let Some(k) = super::value::equivalence_key(&table.key[i]) {
                            shown.get_or_insert_with(|| table.key.clone());
                            table.key[i] = k;
                        }
                    }
                    let index = match table.groups.get_index_of(&table.key[..]) {
                        Some(i) => i,
                        None => {
                            let states =
                                aggregates.iter().map(|(_, a)| AggState::new(a.func, a.distinct)).collect();
                            let index = table.groups.insert_full(table.key.clone(), states).0;
                            if let Some(shown) = shown {
                                table.shown.insert(index, shown);
                            }
                            index
                        }
                    };
                    let values = table.deps.iter().map(|s| row[*s].clone()).collect();
                    table.last = Some((values, index));
                    index
                }
            };
            let Some((_, states)) = table.groups.get_index_mut(index) else { return Ok(Flow::Continue) };
            for ((_, call), state) in aggregates.iter().zip(states.iter_mut()) {
                let value = match call.args.first() {
                    Some(a) => eval(a, row, cx)?,
                    None => super::value::null(),
                };
                let extra = match call.args.get(1) {
                    Some(a) => Some(eval(a, row, cx)?),
                    None => None,
                };
                state.add(&value, extra.as_deref(), call.span)?;
            }
            cx.budget.tick()?;
            Ok(Flow::Continue)
        }
        (op @ Op::Distinct { .. }, state) if is_distinct_state(state) => {
            if fresh_in(op, state, row, cx) == Some(true) {
                push(rest, row, cx, sink)
            } else {
                Ok(Flow::Continue)
            }
        }
        (Op::Sort { keys, .. }, State::Sort(buffer)) => {
            let mut values = Vec::with_capacity(keys.len());
            for k in keys {
                values.push(eval(&k.expr, row, cx)?.into_owned());
            }
            buffer.push((values, row.clone()));
            cx.budget.tick()?;
            Ok(Flow::Continue)
        }
        (Op::Skip { .. }, State::Count(remaining)) => {
            if *remaining > 0 {
                *remaining -= 1;
                return Ok(Flow::Continue);
            }
            push(rest, row, cx, sink)
        }
        (Op::Limit { .. }, State::Count(remaining)) => {
            if *remaining == 0 {
                return Ok(Flow::Stop);
            }
            *remaining -= 1;
            let flow = push(rest, row, cx, sink)?;
            Ok(if *remaining == 0 { Flow::Stop } else { flow })
        }
        (Op::Unwind { list, slot, .. }, _) => {
            let value = eval(list, row, cx)?.into_owned();
            match value {
                Value::Null => Ok(Flow::Continue),
                Value::List(items) => {
                    for item in items {
                        cx.budget.tick()?;
                        row[*slot] = item;
                        if push(rest, row, cx, sink)? == Flow::Stop {
                            return Ok(Flow::Stop);
                        }
                    }
                    Ok(Flow::Continue)
                }
                other => {
                    row[*slot] = other;
                    push(rest, row, cx, sink)
                }
            }
        }
        (Op::BindPath { slot, start, steps, .. }, _) => {
            row[*slot] = build_path(graph, row, *start, steps);
            push(rest, row, cx, sink)
        }
        _ => Err(QueryError::runtime(
            ErrorClass::Unsupported,
            "Internal",
            "internal error: an operator was run without its state",
            None,
        )),
    }
}

/// Emits what a stage held back, once its input is done.
fn flush(
    stage: &mut Stage<'_>,
    rest: &mut [Stage<'_>],
    cx: &Ctx<'_>,
    sink: &mut Sink<'_>,
) -> Result<(), QueryError> {
    match (stage.op, &mut stage.state) {
        (Op::Reachable(r), State::Reach(state)) => {
            search_group(r, state, rest, cx, sink)?;
        }
        (Op::Aggregate { keys, aggregates, .. }, State::Aggregate(table)) => {
            if table.groups.is_empty() && keys.is_empty() {
                let states = aggregates.iter().map(|(_, a)| AggState::new(a.func, a.distinct)).collect();
                table.groups.insert(Vec::new(), states);
            }
            let width = cx.plan.slots.len();
            let shown = &mut table.shown;
            for (i, (key, states)) in table.groups.drain(..).enumerate() {
                let key = shown.remove(&i).unwrap_or(key);
                let mut row = vec![Value::Null; width];
                for ((slot, _), v) in keys.iter().zip(key) {
                    row[*slot] = v;
                }
                for ((slot, _), state) in aggregates.iter().zip(states) {
                    row[*slot] = state.finish();
                }
                if push(rest, &mut row, cx, sink)? == Flow::Stop {
                    break;
                }
            }
        }
        (Op::Sort { keys, .. }, State::Sort(buffer)) => {
            let mut rows = std::mem::take(buffer);
            rows.sort_by(|(a, _), (b, _)| {
                for ((x, y), k) in a.iter().zip(b).zip(keys) {
                    let o = order(x, y);
                    if o.is_ne() {
                        return if k.descending { o.reverse() } else { o };
                    }
                }
                std::cmp::Ordering::Equal
            });
            for (_, mut row) in rows {
                if push(rest, &mut row, cx, sink)? == Flow::Stop {
                    break;
                }
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests;

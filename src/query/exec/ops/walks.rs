//! The operators that walk more than one relationship per row: variable-length
//! hops (bound lists, per-group searches, reachability), shortest paths, and the
//! path values built from a matched pattern.

use std::collections::hash_map::Entry;

use super::super::functions::path_value;
use super::super::pipeline;
use super::super::traverse::{start_on_trail, Walk, Walked, EMITTED, EXPANDED};
use super::*;
use crate::model::{Direction, Path};
use crate::store::LabelId;

#[allow(clippy::too_many_arguments)]
pub(super) fn var_expand(
    v: &VarExpand,
    types: &TypeFilter,
    labels: Option<&[LabelId]>,
    props: &[(Option<KeyId>, &Expr)],
    row: &mut Row,
    rest: &mut [Stage<'_>],
    cx: &Ctx<'_>,
    sink: &mut Sink<'_>,
) -> Result<Flow, QueryError> {
    let graph = cx.graph;
    let Value::Node(from) = row[v.from] else { return Ok(Flow::Continue) };
    let target = match (v.into, &row[v.to]) {
        (false, _) => None,
        (true, Value::Node(t)) => Some(*t),
        (true, _) => return Ok(Flow::Continue),
    };
    let Some(labels) = labels else { return Ok(Flow::Continue) };
    // Property constraints: every relationship must have them.
    let mut wanted: Vec<(Option<KeyId>, Value)> = Vec::with_capacity(props.len());
    for (k, e) in props {
        wanted.push((*k, eval(e, row, cx)?.into_owned()));
    }
    let edge_ok = |e: EdgeId| {
        wanted.iter().all(|(k, want)| {
            k.and_then(|k| graph.edge_property(e, k)).is_some_and(|have| equals(have, want) == Some(true))
        })
    };
    let max = v.max.unwrap_or(u32::MAX);
    let emit = |to: NodeId, edges: &[EdgeId], row: &mut Row, rest: &mut [Stage<'_>], sink: &mut Sink<'_>| {
        if target.is_some_and(|t| t != to) || !graph.has_labels(to, labels) {
            return Ok(Flow::Continue);
        }
        let mut list: Vec<Value> = edges.iter().map(|e| Value::Relationship(*e)).collect();
        if v.reversed {
            list.reverse();
        }
        row[v.rel] = Value::List(list);
        if !v.into {
            row[v.to] = Value::Node(to);
        }
        push(rest, row, cx, sink)
    };
    if v.rel_bound {
        return follow_bound_list(v, types, from, &edge_ok, row, rest, cx, sink, &emit);
    }
    if v.min == 0 && emit(from, &[], row, rest, sink)? == Flow::Stop {
        return Ok(Flow::Stop);
    }
    if max == 0 {
        return Ok(Flow::Continue);
    }
    let neighbours = |n: NodeId| -> Vec<(EdgeId, NodeId)> {
        let mut out = Vec::new();
        let _ = for_each_edge::<()>(graph, n, v.direction, types, |e, o| {
            out.push((e, o));
            Ok(true)
        });
        out
    };
    let mut edges: Vec<EdgeId> = Vec::new();
    let mut frames: Vec<(Vec<(EdgeId, NodeId)>, usize)> = vec![(neighbours(from), 0)];
    while let Some((cands, next)) = frames.last_mut() {
        let Some(&(e, other)) = cands.get(*next) else {
            frames.pop();
            edges.pop();
            continue;
        };
        *next += 1;
        if edges.contains(&e) || violates_unique(row, &v.unique, e) || !edge_ok(e) {
            continue;
        }
        cx.budget.expand()?;
        edges.push(e);
        let depth = edges.len() as u32;
        if depth >= v.min && emit(other, &edges, row, rest, sink)? == Flow::Stop {
            return Ok(Flow::Stop);
        }
        if depth < max {
            frames.push((neighbours(other), 0));
        } else {
            edges.pop();
        }
    }
    Ok(Flow::Continue)
}

/// Produces one row for a walk ending at a node along relationships.
type Emit<'e> =
    dyn Fn(NodeId, &[EdgeId], &mut Row, &mut [Stage<'_>], &mut Sink<'_>) -> Result<Flow, QueryError> + 'e;

/// A variable-length hop whose relationship list is already bound: the
/// walk must follow exactly those relationships.
#[allow(clippy::too_many_arguments)]
fn follow_bound_list(
    v: &VarExpand,
    types: &TypeFilter,
    from: NodeId,
    edge_ok: &dyn Fn(EdgeId) -> bool,
    row: &mut Row,
    rest: &mut [Stage<'_>],
    cx: &Ctx<'_>,
    sink: &mut Sink<'_>,
    emit: &Emit<'_>,
) -> Result<Flow, QueryError> {
    let Value::List(items) = &row[v.rel] else { return Ok(Flow::Continue) };
    let mut walk: Vec<EdgeId> = Vec::with_capacity(items.len());
    for item in items {
        let Value::Relationship(e) = item else { return Ok(Flow::Continue) };
        walk.push(*e);
    }
    let n = walk.len() as u32;
    if n < v.min || v.max.is_some_and(|m| n > m) {
        return Ok(Flow::Continue);
    }
    if v.reversed {
        walk.reverse();
    }
    let mut at = from;
    for (i, &e) in walk.iter().enumerate() {
        if !types.accepts(cx.graph.edge_type(e)) || !edge_ok(e) || walk[..i].contains(&e) {
            return Ok(Flow::Continue);
        }
        let (src, dst) = cx.graph.edge_endpoints(e);
        at = match v.direction {
            crate::model::Direction::Outgoing if src == at => dst,
            crate::model::Direction::Incoming if dst == at => src,
            crate::model::Direction::Both if src == at => dst,
            crate::model::Direction::Both if dst == at => src,
            _ => return Ok(Flow::Continue),
        };
    }
    // `emit` stores the list again (reversed back into pattern order).
    emit(at, &walk, row, rest, sink)
}

pub(super) fn reachable_push(
    r: &Reachable,
    state: &mut ReachState,
    row: &mut Row,
    rest: &mut [Stage<'_>],
    cx: &Ctx<'_>,
    sink: &mut Sink<'_>,
) -> Result<Flow, QueryError> {
    let Value::Node(from) = row[r.from] else { return Ok(Flow::Continue) };
    if r.into {
        let Value::Node(target) = row[r.to] else { return Ok(Flow::Continue) };
        if reaches(r, state, from, target, cx)? {
            return push(rest, row, cx, sink);
        }
        return Ok(Flow::Continue);
    }
    let same = state.group.as_ref().is_some_and(|g| r.group.iter().zip(g).all(|(s, v)| row[*s] == *v));
    if same {
        state.buffers.sources.push(from);
        return Ok(Flow::Continue);
    }
    let flow = search_group(r, state, rest, cx, sink)?;
    state.group = Some(r.group.iter().map(|s| row[*s].clone()).collect());
    state.buffers.template.clone_from(row);
    state.buffers.sources.clear();
    state.buffers.sources.push(from);
    Ok(flow)
}

/// The multi-source breadth-first search for the rows collected so far.
pub(super) fn search_group(
    r: &Reachable,
    state: &mut ReachState,
    rest: &mut [Stage<'_>],
    cx: &Ctx<'_>,
    sink: &mut Sink<'_>,
) -> Result<Flow, QueryError> {
    if state.buffers.sources.is_empty() {
        return Ok(Flow::Continue);
    }
    let graph = cx.graph;
    let ReachState { types, labels, buffers, .. } = state;
    let SearchBuffers { marks, queue, batch, template, sources } = buffers;
    let Some(labels) = labels.as_deref() else {
        sources.clear();
        return Ok(Flow::Continue);
    };
    sources.sort_unstable();
    sources.dedup();
    marks.clear();
    queue.clear();
    let row = template;
    let max = r.max.unwrap_or(u32::MAX);
    // Both ways, every neighbour leads back to its start node, but over the
    // same relationship: a start node counts only over a trail of its own,
    // found apart and produced first; the walk never produces one.
    let apart = r.min >= 1 && r.direction == Direction::Both;
    let mut reached_all = false;
    if apart {
        for &s in sources.iter() {
            if start_on_trail(graph, s, sources, types, max, cx.budget, marks, queue)? {
                if graph.has_labels(s, labels) {
                    batch.push(s);
                }
            } else {
                // With one start and no bound, the check went through all of
                // the start node's component without finding a way back: the
                // walk would find the same nodes again.
                reached_all = sources.len() == 1 && max == u32::MAX;
            }
        }
    }
    let mut produce = |batch: &mut Vec<NodeId>| emit_batch(r, batch, row, rest, cx, sink);
    let flow = if reached_all {
        let mut flow = Flow::Continue;
        for &(n, _, _) in queue.held() {
            if graph.has_labels(n, labels) {
                batch.push(n);
                if batch.len() >= BATCH {
                    flow = produce(batch)?;
                    if flow == Flow::Stop {
                        break;
                    }
                }
            }
        }
        if flow == Flow::Continue {
            flow = produce(batch)?;
        }
        flow
    } else {
        marks.clear();
        queue.clear();
        for &s in sources.iter() {
            marks.set(s, EXPANDED);
            let emit = if apart {
                marks.set(s, EMITTED);
                false
            } else {
                r.min == 0 && marks.set(s, EMITTED)
            };
            queue.push((s, 0, emit));
        }
        let mut walk = Walk { graph, direction: r.direction, max, types, labels, marks, queue };
        let hand_off = pipeline::hand_off_after(cx.budget);
        match walk.run(cx.budget, batch, BATCH, hand_off, None, &mut produce)? {
            Walked::Done(Flow::Continue) => produce(batch)?,
            Walked::Done(Flow::Stop) => Flow::Stop,
            // A large search: carried on by a second thread if one is free.
            Walked::Paused => pipeline::carry_on(&mut walk, cx.budget, batch, BATCH, &mut produce)?,
        }
    };
    batch.clear();
    sources.clear();
    Ok(flow)
}

/// Whether `target` is reachable from `from` within the hop's bounds.
fn reaches(
    r: &Reachable,
    state: &mut ReachState,
    from: NodeId,
    target: NodeId,
    cx: &Ctx<'_>,
) -> Result<bool, QueryError> {
    if r.min == 0 && from == target {
        return Ok(true);
    }
    let max = r.max.unwrap_or(u32::MAX);
    let ReachState { types, buffers, .. } = state;
    let SearchBuffers { marks, queue, .. } = buffers;
    if from == target && r.direction == Direction::Both {
        return start_on_trail(cx.graph, from, &[], types, max, cx.budget, marks, queue);
    }
    marks.clear();
    queue.clear();
    marks.set(from, EXPANDED);
    queue.push((from, 0, false));
    while let Some((n, depth, _)) = queue.pop() {
        if depth >= max {
            continue;
        }
        let mut found = false;
        for_each_edge(cx.graph, n, r.direction, types, |_, other| {
            cx.budget.expand()?;
            if other == target {
                found = true;
                return Ok(false);
            }
            if marks.set(other, EXPANDED) {
                queue.push((other, depth + 1, false));
            }
            Ok::<bool, QueryError>(true)
        })?;
        if found {
            return Ok(true);
        }
    }
    Ok(false)
}

pub(super) fn shortest(
    s: &ShortestPath,
    types: &TypeFilter,
    row: &mut Row,
    rest: &mut [Stage<'_>],
    cx: &Ctx<'_>,
    sink: &mut Sink<'_>,
) -> Result<Flow, QueryError> {
    let (Value::Node(a), Value::Node(b)) = (&row[s.from], &row[s.to]) else { return Ok(Flow::Continue) };
    let (a, b) = (*a, *b);
    let paths: Vec<Path> = if a == b {
        if s.min == 0 {
            vec![Path { nodes: vec![a], rels: Vec::new() }]
        } else {
            Vec::new()
        }
    } else {
        shortest_paths(cx, a, b, s.direction, types, s.max.unwrap_or(u32::MAX), s.all)?
    };
    for p in paths {
        if let Some(slot) = s.rel {
            row[slot] = Value::List(p.rels.iter().map(|e| Value::Relationship(*e)).collect());
        }
        if let Some(slot) = s.path {
            row[slot] = path_value(p);
        }
        if push(rest, row, cx, sink)? == Flow::Stop {
            return Ok(Flow::Stop);
        }
    }
    Ok(Flow::Continue)
}

/// Breadth-first search from `a` for `b`, level by level; with `all`, every
/// path of the shortest length.
fn shortest_paths(
    cx: &Ctx<'_>,
    a: NodeId,
    b: NodeId,
    direction: crate::model::Direction,
    types: &TypeFilter,
    max: u32,
    all: bool,
) -> Result<Vec<Path>, QueryError> {
    // Node -> (depth, the node and relationship it was first found from);
    // the other parents at the same depth, kept only for `all`.
    // Sized for a typical lineage, so most searches never rehash.
    let mut seen: HashMap<NodeId, (u32, NodeId, EdgeId), FxBuild> =
        HashMap::with_capacity_and_hasher(64, FxBuild::default());
    let mut more: HashMap<NodeId, Vec<(NodeId, EdgeId)>, FxBuild> = HashMap::default();
    seen.insert(a, (0, a, EdgeId(u32::MAX)));
    let mut frontier = Vec::with_capacity(16);
    frontier.push(a);
    let mut next = Vec::with_capacity(16);
    let mut depth = 0u32;
    let mut found = false;
    while !frontier.is_empty() && depth < max && !found {
        next.clear();
        for &n in &frontier {
            for_each_edge(cx.graph, n, direction, types, |e, other| {
                cx.budget.expand()?;
                // One probe per relationship: most far ends are new.
                match seen.entry(other) {
                    Entry::Vacant(v) => {
                        v.insert((depth + 1, n, e));
                        next.push(other);
                    }
                    Entry::Occupied(o) if o.get().0 == depth + 1 && all => {
                        more.entry(other).or_default().push((n, e))
                    }
                    Entry::Occupied(_) => {}
                }
                if other == b {
                    found = true;
                    if !all {
                        return Ok(false);
                    }
                }
                Ok::<bool, QueryError>(true)
            })?;
            if found && !all {
                break;
            }
        }
        std::mem::swap(&mut frontier, &mut next);
        depth += 1;
    }
    if !found {
        return Ok(Vec::new());
    }
    let parents = |at: NodeId| {
        let first = seen.get(&at).map(|(_, p, e)| (*p, *e));
        first.into_iter().chain(more.get(&at).into_iter().flatten().copied())
    };
    // Walk the parents back from b.
    if !all {
        let hops = seen.get(&b).map_or(0, |(d, ..)| *d as usize);
        let mut nodes = Vec::with_capacity(hops + 1);
        let mut rels = Vec::with_capacity(hops);
        nodes.push(b);
        let mut at = b;
        while at != a {
            cx.budget.tick()?;
            let Some(&(_, p, e)) = seen.get(&at) else { return Ok(Vec::new()) };
            nodes.push(p);
            rels.push(e);
            at = p;
        }
        nodes.reverse();
        rels.reverse();
        return Ok(vec![Path { nodes, rels }]);
    }
    let mut out = Vec::new();
    let mut stack: Vec<(NodeId, Vec<NodeId>, Vec<EdgeId>)> = vec![(b, vec![b], Vec::new())];
    while let Some((at, mut nodes, mut rels)) = stack.pop() {
        cx.budget.tick()?;
        if at == a {
            nodes.reverse();
            rels.reverse();
            out.push(Path { nodes, rels });
            continue;
        }
        for (p, e) in parents(at) {
            let mut n = nodes.clone();
            n.push(p);
            let mut r = rels.clone();
            r.push(e);
            stack.push((p, n, r));
        }
    }
    Ok(out)
}

/// A path value from the slots of a matched pattern part; null when any
/// part is null (an unmatched optional pattern).
pub(crate) fn build_path(graph: &Graph, row: &[Value], start: Slot, steps: &[PathStep]) -> Value {
    let Value::Node(first) = row[start] else { return Value::Null };
    let mut nodes = vec![first];
    let mut rels = Vec::with_capacity(steps.len());
    for step in steps {
        match &row[step.rel] {
            Value::Relationship(e) if !step.var_length => {
                rels.push(*e);
                let Value::Node(n) = row[step.node] else { return Value::Null };
                nodes.push(n);
            }
            Value::List(items) if step.var_length => {
                for item in items {
                    let Value::Relationship(e) = item else { return Value::Null };
                    let at = *nodes.last().unwrap_or(&first);
                    let (src, dst) = graph.edge_endpoints(*e);
                    rels.push(*e);
                    nodes.push(if src == at { dst } else { src });
                }
            }
            _ => return Value::Null,
        }
    }
    path_value(Path { nodes, rels })
}

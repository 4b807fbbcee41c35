//! Traversal helpers: a node set that is
//! cheap both when a search touches a handful of nodes and when it touches
//! most of a large graph, and the relationship walk shared by the expand
//! operators.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use super::{Budget, Flow};
use crate::error::QueryError;
use crate::model::{Direction, EdgeId, NodeId};
use crate::query::plan::logical::Prefetch;
use crate::store::{Graph, LabelId, RelTypeId};

pub(crate) use crate::store::FxBuild;

/// Two marks per node (say "produced" and "expanded" for a search): a hash
/// map while few nodes are marked, then two bits per node in one array over
/// the graph. Both marks of a node share a word, so marking costs one memory
/// access; and at two bits a node, the array of a million-node graph is
/// 250 KB, small enough to stay in the cache while a search hits it at
/// random. [`clear`](NodeMarks::clear) zeroes only the words the marks
/// since the last clear touched, so many small searches (one per group)
/// cost what they mark, not the size of the graph.
#[derive(Debug)]
pub(crate) struct NodeMarks {
    sparse: HashMap<u32, u8, FxBuild>,
    /// Node `n`'s marks are bits `2 * (n % 32)` and up of word `n / 32`.
    bits: Vec<u64>,
    /// The words of `bits` that are not zero.
    touched: Vec<u32>,
    dense: bool,
    node_count: usize,
    /// Nodes marked over every clear so far: many small searches (one per
    /// group) also make the array pay.
    marked_total: usize,
}

impl NodeMarks {
    const SPARSE_LIMIT: usize = 2048;

    pub(crate) fn new(node_count: usize) -> NodeMarks {
        NodeMarks {
            // Sized for a typical lineage, so most searches never rehash.
            sparse: HashMap::with_capacity_and_hasher(64, FxBuild::default()),
            bits: Vec::new(),
            touched: Vec::new(),
            dense: false,
            node_count,
            marked_total: 0,
        }
    }

    /// Ors `marks` into `node`'s; the marks it had before.
    #[inline]
    fn or_dense(&mut self, node: NodeId, marks: u8) -> u8 {
        let (at, shift) = (node.index() / 32, (node.index() % 32) * 2);
        let word = &mut self.bits[at];
        if *word == 0 {
            self.touched.push(at as u32);
        }
        let before = (*word >> shift) as u8 & 3;
        *word |= u64::from(marks) << shift;
        before
    }

    /// Sets `mark` (1 or 2) on `node`; `true` if it was not set.
    #[inline]
    pub(crate) fn set(&mut self, node: NodeId, mark: u8) -> bool {
        if self.dense {
            return self.or_dense(node, mark) & mark == 0;
        }
        let marks = self.sparse.entry(node.0).or_insert(0);
        let fresh = *marks & mark == 0;
        *marks |= mark;
        if self.sparse.len() > Self::SPARSE_LIMIT {
            self.go_dense();
        }
        fresh
    }

    /// Sets both marks on `node`; whether each was not set before.
    #[inline]
    pub(crate) fn set_both(&mut self, node: NodeId) -> (bool, bool) {
        let before = if self.dense {
            self.or_dense(node, 3)
        } else {
            let marks = self.sparse.entry(node.0).or_insert(0);
            let before = *marks;
            *marks = 3;
            if self.sparse.len() > Self::SPARSE_LIMIT {
                self.go_dense();
            }
            before
        };
        (before & 1 == 0, before & 2 == 0)
    }

    #[cfg(test)]
    fn get(&self, node: NodeId, mark: u8) -> bool {
        if self.dense {
            let word = self.bits[node.index() / 32];
            (word >> ((node.index() % 32) * 2)) as u8 & mark != 0
        } else {
            self.sparse.get(&node.0).is_some_and(|m| m & mark != 0)
        }
    }

    fn go_dense(&mut self) {
        if self.bits.is_empty() {
            self.bits = vec![0; self.node_count.div_ceil(32)];
        }
        let sparse = std::mem::take(&mut self.sparse);
        self.dense = true;
        for (&n, &m) in &sparse {
            self.or_dense(NodeId(n), m);
        }
        self.sparse = sparse;
        self.sparse.clear();
    }

    /// Clears every mark, in time proportional to the words marked.
    pub(crate) fn clear(&mut self) {
        if self.dense {
            if self.touched.len() > self.bits.len() / 8 {
                self.bits.fill(0);
            } else {
                for &at in &self.touched {
                    self.bits[at as usize] = 0;
                }
            }
            self.touched.clear();
        } else {
            self.marked_total += self.sparse.len();
            self.sparse.clear();
            if self.marked_total > (self.node_count / 32).max(Self::SPARSE_LIMIT) {
                self.go_dense();
            }
        }
    }
}

/// The memory one breadth-first search works in: its node marks, its
/// queue (node, depth, whether to produce it), the reached nodes waiting to
/// be produced, the row they are produced from, and the start nodes.
#[derive(Debug)]
pub(crate) struct SearchBuffers {
    pub(crate) marks: NodeMarks,
    pub(crate) queue: Fifo<(NodeId, u32, bool)>,
    pub(crate) batch: Vec<NodeId>,
    pub(crate) template: Vec<crate::model::Value>,
    pub(crate) sources: Vec<NodeId>,
}

/// One breadth-first search in progress: what it follows and how far, its
/// marks and its queue. [`run`](Walk::run) takes nodes off the queue until
/// it is empty, or pauses part way, leaving the queue as it was then, so
/// that another thread can carry the same search on (see `pipeline`).
pub(crate) struct Walk<'a> {
    pub(crate) graph: &'a Graph,
    pub(crate) direction: Direction,
    /// The deepest hop followed.
    pub(crate) max: u32,
    pub(crate) types: &'a TypeFilter,
    /// The labels a node needs to be produced.
    pub(crate) labels: &'a [LabelId],
    pub(crate) marks: &'a mut NodeMarks,
    pub(crate) queue: &'a mut Fifo<(NodeId, u32, bool)>,
}

/// How a [`Walk::run`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Walked {
    /// The queue ran out, or the batches' consumer said stop.
    Done(Flow),
    /// It took as many nodes as it was allowed; the rest are still queued.
    Paused,
}

/// The marks of a search: a node produced, a node whose relationships
/// were (or are queued to be) followed.
pub(crate) const EMITTED: u8 = 1;
pub(crate) const EXPANDED: u8 = 2;

impl Walk<'_> {
    /// Takes nodes off the queue in the order they were found and follows
    /// their relationships, queueing the nodes not seen before. A node to
    /// produce (with the labels) goes into `batch`, which is handed to
    /// `on_full` each time it holds `batch_len` nodes (`on_full` empties
    /// it); a last, shorter batch is left in it. With `pause_after`, stops
    /// after taking that many nodes; once `stop` is set (by the thread the
    /// batches go to, which needs no more), ends at the next node.
    pub(crate) fn run(
        &mut self,
        budget: &Budget<'_>,
        batch: &mut Vec<NodeId>,
        batch_len: usize,
        pause_after: Option<usize>,
        stop: Option<&AtomicBool>,
        mut on_full: impl FnMut(&mut Vec<NodeId>) -> Result<Flow, QueryError>,
    ) -> Result<Walked, QueryError> {
        let Walk { graph, direction, max, types, labels, marks, queue } = self;
        let mut taken = 0usize;
        loop {
            if pause_after.is_some_and(|at| taken >= at) {
                return Ok(Walked::Paused);
            }
            if stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
                return Ok(Walked::Done(Flow::Stop));
            }
            let Some((n, depth, emit)) = queue.pop() else { return Ok(Walked::Done(Flow::Continue)) };
            taken += 1;
            // A node is produced when it is taken off the queue, in the order
            // it was found; its labels are checked then, on the same memory
            // the walk of its relationships reads next.
            if emit && graph.has_labels(n, labels) {
                batch.push(n);
                if batch.len() >= batch_len && on_full(batch)? == Flow::Stop {
                    return Ok(Walked::Done(Flow::Stop));
                }
            }
            if depth >= *max {
                continue;
            }
            let mut stopped = false;
            for_each_edge(graph, n, *direction, types, |_, other| {
                budget.expand()?;
                match marks.set_both(other) {
                    (emit, true) => queue.push((other, depth + 1, emit)),
                    // A start node reached again: produced now, not expanded twice.
                    (true, false) if graph.has_labels(other, labels) => {
                        batch.push(other);
                        if batch.len() >= batch_len && on_full(batch)? == Flow::Stop {
                            stopped = true;
                            return Ok(false);
                        }
                    }
                    _ => {}
                }
                Ok::<bool, QueryError>(true)
            })?;
            if stopped {
                return Ok(Walked::Done(Flow::Stop));
            }
        }
    }
}

/// For a search that follows relationships both ways from `start` with
/// at least one hop: whether it reaches `start` itself over a trail (no
/// relationship used twice) of at most `max` relationships. So it does
/// when another of the search's start nodes (`sources`, sorted) lies
/// within `max` hops, the shortest path there being a trail; or when
/// `start` lies on a cycle of at most `max` relationships: a self-loop,
/// two relationships to one neighbour, or a longer ring. Going out and back
/// over one relationship is not a trail, which is why a breadth-first
/// search reaching `start` again says nothing.
///
/// Works in `marks` and `queue`, which it leaves dirty. When it finds no
/// trail back and there is no bound, it has searched all of `start`'s
/// component, and [`Fifo::held`] lists what it reached.
#[allow(clippy::too_many_arguments)]
pub(crate) fn start_on_trail(
    graph: &Graph,
    start: NodeId,
    sources: &[NodeId],
    types: &TypeFilter,
    max: u32,
    budget: &Budget<'_>,
    marks: &mut NodeMarks,
    queue: &mut Fifo<(NodeId, u32, bool)>,
) -> Result<bool, QueryError> {
    let is_source = |n: NodeId| n != start && sources.binary_search(&n).is_ok();
    match max {
        0 => Ok(false),
        u32::MAX => on_any_cycle(graph, start, is_source, types, budget, marks, queue),
        max => on_short_cycle(graph, start, is_source, types, max, budget),
    }
}

/// [`start_on_trail`] without a bound. From each relationship at `start`
/// in turn, a search that does not pass `start` marks what it reaches:
/// another relationship back to `start`, another start node, or a far end
/// already marked by an earlier branch closes a trail. Each node is marked
/// once, so this costs one search of `start`'s component, in the dense
/// marks the main search uses.
fn on_any_cycle(
    graph: &Graph,
    start: NodeId,
    is_source: impl Fn(NodeId) -> bool,
    types: &TypeFilter,
    budget: &Budget<'_>,
    marks: &mut NodeMarks,
    queue: &mut Fifo<(NodeId, u32, bool)>,
) -> Result<bool, QueryError> {
    marks.clear();
    queue.clear();
    marks.set(start, EXPANDED);
    let mut branches = Vec::new();
    for_each_edge(graph, start, Direction::Both, types, |e, other| {
        branches.push((e, other));
        Ok::<bool, QueryError>(true)
    })?;
    // The queue's items are read from an index of its own and never taken
    // off, so that they list every node reached (see `Fifo::held`).
    let reached = &mut queue.items;
    let mut next = 0;
    for (first, near) in branches {
        budget.expand()?;
        if near == start || is_source(near) || !marks.set(near, EXPANDED) {
            return Ok(true);
        }
        reached.push((near, 0, false));
        while let Some(&(n, _, _)) = reached.get(next) {
            next += 1;
            let mut found = false;
            for_each_edge(graph, n, Direction::Both, types, |e, other| {
                budget.expand()?;
                found = if other == start {
                    // Only the branch's own first relationship leads back.
                    n != near || e != first
                } else if is_source(other) {
                    true
                } else {
                    if marks.set(other, EXPANDED) {
                        reached.push((other, 0, false));
                    }
                    false
                };
                Ok::<bool, QueryError>(!found)
            })?;
            if found {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// [`start_on_trail`] within `max` hops. A breadth-first search labels each
/// node with the relationship at `start` its branch began with: a
/// relationship between two nodes of different branches closes a cycle
/// through `start` of their depths plus one, and the shortest cycle
/// through `start` is the least of these.
fn on_short_cycle(
    graph: &Graph,
    start: NodeId,
    is_source: impl Fn(NodeId) -> bool,
    types: &TypeFilter,
    max: u32,
    budget: &Budget<'_>,
) -> Result<bool, QueryError> {
    // Node -> (the relationship at `start` its branch began with, depth).
    let mut seen: HashMap<NodeId, (EdgeId, u32), FxBuild> = HashMap::default();
    let mut queue = std::collections::VecDeque::new();
    let mut found = false;
    for_each_edge(graph, start, Direction::Both, types, |e, other| {
        budget.expand()?;
        // A self-loop, another start node, or a second relationship to the
        // same neighbour (a cycle of two).
        found = other == start || is_source(other) || (seen.contains_key(&other) && max >= 2);
        if !found && !seen.contains_key(&other) {
            seen.insert(other, (e, 1));
            queue.push_back(other);
        }
        Ok::<bool, QueryError>(!found)
    })?;
    while let Some(n) = queue.pop_front() {
        if found {
            break;
        }
        let (branch, depth) = seen[&n];
        // Past this depth, a start node is too far and every cycle closed
        // is longer than `max`.
        if depth >= max {
            break;
        }
        for_each_edge(graph, n, Direction::Both, types, |_, other| {
            budget.expand()?;
            if other == start {
                // `n`'s own relationship back: a neighbour's second one was
                // seen from `start`.
                return Ok(true);
            }
            found = is_source(other)
                || match seen.entry(other) {
                    Entry::Vacant(v) => {
                        v.insert((branch, depth + 1));
                        queue.push_back(other);
                        false
                    }
                    Entry::Occupied(o) => {
                        let (their_branch, their_depth) = *o.get();
                        their_branch != branch && u64::from(depth) + u64::from(their_depth) < u64::from(max)
                    }
                };
            Ok::<bool, QueryError>(!found)
        })?;
    }
    Ok(found)
}

/// Search buffers kept by a graph between queries. A lineage query on a
/// large graph would otherwise allocate and zero its marks, queue and
/// batch on every call, which for a short lineage costs more than the
/// search; and kept marks see enough nodes over many calls to switch to
/// the dense array (see [`NodeMarks`]), whose marking is cheaper than the
/// map's. At most [`Self::KEEP`] are kept, each at most a quarter of a
/// byte per node plus what its largest search queued.
#[derive(Debug, Default)]
pub(crate) struct SearchPool(Mutex<Vec<SearchBuffers>>);

/// A cloned graph starts with an empty pool, as it does with an empty plan
/// cache.
impl Clone for SearchPool {
    fn clone(&self) -> SearchPool {
        SearchPool::default()
    }
}

impl SearchPool {
    const KEEP: usize = 8;

    /// Buffers for a search over a graph of `node_count` nodes, emptied.
    pub(crate) fn take(&self, node_count: usize) -> SearchBuffers {
        let kept = self.0.lock().unwrap_or_else(PoisonError::into_inner).pop();
        match kept {
            Some(mut b) => {
                if b.marks.node_count != node_count {
                    b.marks = NodeMarks::new(node_count);
                }
                b
            }
            None => SearchBuffers {
                marks: NodeMarks::new(node_count),
                queue: Fifo::with_capacity(64),
                batch: Vec::with_capacity(64),
                template: Vec::new(),
                sources: Vec::new(),
            },
        }
    }

    /// Keeps `buffers` for a later search, cleared, and the queue cut back
    /// to 64K entries (768 KB) if a large search grew it further.
    pub(crate) fn give_back(&self, mut buffers: SearchBuffers) {
        buffers.marks.clear();
        buffers.queue.clear();
        buffers.queue.items.shrink_to(1 << 16);
        buffers.batch.clear();
        buffers.template.clear();
        buffers.sources.clear();
        let mut kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.len() < Self::KEEP {
            kept.push(buffers);
        }
    }
}

/// A first-in first-out queue for breadth-first search: a vector read from
/// a moving head. Cheaper per step than a ring buffer's wrap-around; the
/// items already taken are dropped from the front once they are the
/// larger half, so it holds at most about twice what is waiting.
#[derive(Debug)]
pub(crate) struct Fifo<T> {
    items: Vec<T>,
    head: usize,
}

impl<T: Copy> Fifo<T> {
    pub(crate) fn with_capacity(n: usize) -> Fifo<T> {
        Fifo { items: Vec::with_capacity(n), head: 0 }
    }

    #[inline]
    pub(crate) fn push(&mut self, item: T) {
        if self.head > 1024 && self.head * 2 > self.items.len() {
            self.items.drain(..self.head);
            self.head = 0;
        }
        self.items.push(item);
    }

    #[inline]
    pub(crate) fn pop(&mut self) -> Option<T> {
        let item = self.items.get(self.head).copied()?;
        self.head += 1;
        Some(item)
    }

    pub(crate) fn clear(&mut self) {
        self.items.clear();
        self.head = 0;
    }

    /// Every item still held, taken or not: after [`start_on_trail`] found
    /// no trail back in a search without a bound, every node reached
    /// (besides the start node), in the order found.
    pub(crate) fn held(&self) -> &[T] {
        &self.items
    }
}

/// Reads the properties of each node (and the first byte of each string
/// value, which for a long string shares its cache line with its reference
/// count) so that the memory holding them is loaded while the loop runs
/// on: independent loads overlap, where the same loads made one row at a
/// time by the operators downstream would each wait in turn. Called on a
/// batch of nodes just before they are produced.
pub(crate) fn warm(graph: &Graph, nodes: &[NodeId], what: Prefetch) {
    let mut acc = 0u64;
    for &n in nodes {
        acc = acc.wrapping_add(graph.touch_node(n, what == Prefetch::Id));
    }
    std::hint::black_box(acc);
}

/// Which relationship types a hop follows, resolved against the graph.
#[derive(Debug, Clone)]
pub(crate) enum TypeFilter {
    /// Any type.
    Any,
    /// Exactly this type.
    One(RelTypeId),
    /// Any of these.
    Many(Vec<RelTypeId>),
    /// None of the named types exists in the graph.
    Nothing,
}

impl TypeFilter {
    pub(crate) fn new(types: impl IntoIterator<Item = Option<RelTypeId>>, any: bool) -> TypeFilter {
        if any {
            return TypeFilter::Any;
        }
        // One type is the common case, and needs no vector.
        let mut found = types.into_iter().flatten();
        let Some(first) = found.next() else { return TypeFilter::Nothing };
        match found.next() {
            None => TypeFilter::One(first),
            Some(second) => TypeFilter::Many([first, second].into_iter().chain(found).collect()),
        }
    }

    #[inline]
    pub(crate) fn accepts(&self, t: RelTypeId) -> bool {
        match self {
            TypeFilter::Any => true,
            TypeFilter::One(x) => *x == t,
            TypeFilter::Many(xs) => xs.contains(&t),
            TypeFilter::Nothing => false,
        }
    }

    pub(crate) fn is_nothing(&self) -> bool {
        matches!(self, TypeFilter::Nothing)
    }
}

/// Calls `f(edge, other end)` for each relationship at `node` in `direction`
/// that `types` accepts; a self-loop is seen once even in both directions.
/// Stops early when `f` returns `false`; returns whether it ran to the end.
#[inline]
pub(crate) fn for_each_edge<E>(
    graph: &Graph,
    node: NodeId,
    direction: Direction,
    types: &TypeFilter,
    mut f: impl FnMut(EdgeId, NodeId) -> Result<bool, E>,
) -> Result<bool, E> {
    if types.is_nothing() {
        return Ok(true);
    }
    // Both directions: outgoing first, then incoming without self-loops,
    // which the outgoing list already gave.
    let (first, second) = match direction {
        Direction::Both => (Direction::Outgoing, Some(Direction::Incoming)),
        d => (d, None),
    };
    // The packed lists when the graph has them, petgraph's otherwise: the
    // same relationships in the same order.
    match graph.adjacency() {
        Some(a) => {
            let list = |d| if d == Direction::Outgoing { a.outgoing(node) } else { a.incoming(node) };
            Ok(visit(list(first), None, types, &mut f)?
                && second.map_or(Ok(true), |d| visit(list(d), Some(node), types, &mut f))?)
        }
        None => Ok(visit(graph.edges_of(node, first), None, types, &mut f)?
            && second.map_or(Ok(true), |d| visit(graph.edges_of(node, d), Some(node), types, &mut f))?),
    }
}

/// Calls `f` on each relationship of `edges` that `types` accepts and whose
/// other end is not `skip`, until it returns `false`.
#[inline]
fn visit<E>(
    edges: impl Iterator<Item = (EdgeId, RelTypeId, NodeId)>,
    skip: Option<NodeId>,
    types: &TypeFilter,
    f: &mut impl FnMut(EdgeId, NodeId) -> Result<bool, E>,
) -> Result<bool, E> {
    for (e, t, other) in edges {
        if Some(other) != skip && types.accepts(t) && !f(e, other)? {
            return Ok(false);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_sparse_then_dense_and_clear() {
        let mut m = NodeMarks::new(10_000);
        assert!(m.set(NodeId(5), 1));
        assert!(!m.set(NodeId(5), 1));
        assert!(m.set(NodeId(5), 2));
        for i in 0..5000 {
            m.set(NodeId(i), 1);
        }
        assert!(m.dense);
        assert!(m.get(NodeId(4999), 1) && !m.get(NodeId(4999), 2));
        assert!(m.get(NodeId(5), 2), "marks survive the switch to dense");
        assert!(!m.get(NodeId(5000), 1));
        m.clear();
        assert!(!m.get(NodeId(5), 1));
        assert!(m.set(NodeId(5), 2));
        assert_eq!(m.set_both(NodeId(5)), (true, false));
        assert_eq!(m.set_both(NodeId(5)), (false, false));
        assert_eq!(m.set_both(NodeId(6)), (true, true));
    }

    #[test]
    fn clearing_after_a_few_marks_or_after_many() {
        let mut m = NodeMarks::new(100_000);
        for i in 0..3000 {
            m.set(NodeId(i * 7), 1);
        }
        assert!(m.dense);
        m.clear();
        // Few words touched: only those are zeroed.
        assert!(m.set_both(NodeId(63)) == (true, true) && m.touched == [1]);
        assert!(!m.get(NodeId(7), 1) && m.get(NodeId(63), 2));
        m.clear();
        // Most words touched: the whole array is zeroed.
        for i in 0..100_000 {
            m.set(NodeId(i), 2);
        }
        assert!(m.get(NodeId(99_999), 2) && !m.get(NodeId(99_999), 1));
        m.clear();
        assert!((0..100_000).all(|i| !m.get(NodeId(i), 1) && !m.get(NodeId(i), 2)));
        assert!(m.touched.is_empty());
    }

    #[test]
    fn pooled_search_buffers_come_back_empty_and_sized_for_the_graph() {
        let pool = SearchPool::default();
        let mut b = pool.take(100_000);
        for i in 0..5000 {
            b.marks.set(NodeId(i), EMITTED_FOR_TEST);
        }
        b.queue.push((NodeId(1), 1, true));
        b.batch.push(NodeId(2));
        b.template.push(crate::model::Value::Int(1));
        pool.give_back(b);
        let mut b = pool.take(100_000);
        assert!(b.marks.dense, "a kept set stays dense");
        assert!((0..5000).all(|i| !b.marks.get(NodeId(i), EMITTED_FOR_TEST)));
        assert!(b.queue.pop().is_none() && b.batch.is_empty() && b.template.is_empty());
        pool.give_back(b);
        // A graph that grew gets marks over all of its nodes.
        let mut b = pool.take(200_000);
        assert_eq!(b.marks.node_count, 200_000);
        for i in 0..5000 {
            b.marks.set(NodeId(199_999 - i), EMITTED_FOR_TEST);
        }
        assert!(b.marks.get(NodeId(199_999), EMITTED_FOR_TEST));
    }

    const EMITTED_FOR_TEST: u8 = 1;

    #[test]
    fn fifo_keeps_order_and_stays_bounded() {
        let mut q = Fifo::with_capacity(4);
        let mut next_out = 0u32;
        for i in 0..100_000u32 {
            q.push(i);
            if i % 3 != 0 {
                assert_eq!(q.pop(), Some(next_out));
                next_out += 1;
            }
        }
        // About a third of the pushes are still waiting; the taken ones
        // were dropped from the front along the way.
        let waiting = 100_000 - next_out as usize;
        assert!(q.items.len() <= 2 * waiting + 1100, "{} held for {waiting}", q.items.len());
        while let Some(x) = q.pop() {
            assert_eq!(x, next_out);
            next_out += 1;
        }
        assert_eq!(next_out, 100_000);
        q.clear();
        assert_eq!(q.pop(), None);
    }

    #[test]
    fn a_walk_ends_at_its_next_node_once_told_to_stop() {
        let mut g = Graph::new();
        let chain: Vec<NodeId> = (0..100).map(|_| g.add_node(["M"], [])).collect();
        for pair in chain.windows(2) {
            g.add_edge(pair[0], pair[1], "NEXT", []);
        }
        let (mut marks, mut queue) = (NodeMarks::new(100), Fifo::with_capacity(16));
        marks.set(chain[0], EXPANDED);
        queue.push((chain[0], 0, false));
        let options = crate::query::QueryOptions::default();
        let budget = Budget::new(&options);
        let stop = AtomicBool::new(false);
        let mut walk = Walk {
            graph: &g,
            direction: Direction::Outgoing,
            max: u32::MAX,
            types: &TypeFilter::Any,
            labels: &[],
            marks: &mut marks,
            queue: &mut queue,
        };
        let (mut batch, mut handed) = (Vec::new(), Vec::new());
        // The consumer of the first node found says it needs no more.
        let ended = walk.run(&budget, &mut batch, 1, None, Some(&stop), |found| {
            handed.append(found);
            stop.store(true, Ordering::Relaxed);
            Ok(Flow::Continue)
        });
        assert!(matches!(ended, Ok(Walked::Done(Flow::Stop))), "{ended:?}");
        assert_eq!(handed, [chain[1]]);
        // The node after it was queued, not taken: the walk stopped there.
        assert_eq!(queue.pop().map(|(n, _, _)| n), Some(chain[2]));
    }

    #[test]
    fn self_loop_seen_once_both_ways() {
        let mut g = Graph::new();
        let a = g.add_node(["A"], []);
        let b = g.add_node(["B"], []);
        g.add_edge(a, a, "LOOP", []);
        g.add_edge(a, b, "T", []);
        let mut seen = Vec::new();
        let done = for_each_edge::<()>(&g, a, Direction::Both, &TypeFilter::Any, |e, o| {
            seen.push((e, o));
            Ok(true)
        });
        assert_eq!(done, Ok(true));
        assert_eq!(seen.len(), 2);
        let only_t = TypeFilter::new([g.rel_type_id("T")], false);
        let mut n = 0;
        let _ = for_each_edge::<()>(&g, a, Direction::Outgoing, &only_t, |_, _| {
            n += 1;
            Ok(true)
        });
        assert_eq!(n, 1);
    }
}

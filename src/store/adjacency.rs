//! Compressed adjacency (CSR) beside petgraph's linked edge lists.
//!
//! petgraph keeps each node's relationships as a linked list threaded
//! through the edge array, so walking a node's relationships costs one
//! scattered memory access per relationship; on a graph of millions of
//! relationships nearly every one misses the cache. A breadth-first search
//! spends most of its time there. These arrays hold the same lists packed
//! per node, one slice per node and direction, in the order petgraph gives
//! them (newest first), so results do not change with the layout: a node's
//! relationships are one contiguous read.
//!
//! The arrays describe the graph as it was when they were built. Adding a
//! node or a relationship drops them (see `Graph::add_edge`), reads fall
//! back to petgraph's lists, and the next query or traversal builds them
//! again: O(nodes + relationships), about 0.1 s for five million
//! relationships, paid once per batch of changes.

use petgraph::graph::EdgeReference;
use petgraph::visit::EdgeRef as _;

use super::{threads, EdgeData, LabelId, RelTypeId};
use crate::model::{EdgeId, NodeId};

/// One direction's lists.
#[derive(Debug)]
pub(crate) struct Lists {
    /// `offsets[n]..offsets[n + 1]` is node `n`'s range in `entries`.
    offsets: Box<[u32]>,
    entries: Box<[Entry]>,
}

/// One relationship in a node's list. The three fields sit together
/// because a walk reads them together: the type to filter, the other end
/// to follow, the relationship to bind. In one array a node's list is one
/// cache miss, where an array per field would be three.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Entry {
    other: u32,
    edge: u32,
    ty: u32,
}

impl Entry {
    pub(crate) fn new(other: u32, edge: u32, ty: u32) -> Entry {
        Entry { other, edge, ty }
    }
}

/// An order-free digest of a set of relationships, each given by its
/// source, target, index and type: the sum of a hash of each. A snapshot's
/// stored lists are checked against its relationship records with it, in
/// one pass over each rather than by building the lists again.
pub(crate) fn digest_one(source: u32, target: u32, edge: u32, ty: u32) -> u64 {
    let ends = u64::from(source) << 32 | u64::from(target);
    super::splitmix(ends ^ super::splitmix(u64::from(edge) << 32 | u64::from(ty)))
}

/// Outgoing and incoming lists of every node, and every node's label in a
/// dense array: a search that checks the label of each node it reaches
/// reads four bytes per node there instead of a cache line of node data.
#[derive(Debug)]
pub(crate) struct Adjacency {
    outgoing: Lists,
    incoming: Lists,
    labels: Box<[u32]>,
    /// Per relationship type, the label of its sources (`[0]`) and of its
    /// targets (`[1]`) when every one has exactly that label, else `MIXED`:
    /// a search that follows `BUILT_ON` to `(:Model)` need not read the
    /// label of each node it reaches when every `BUILT_ON` ends at a Model.
    ends: Box<[[u32; 2]]>,
}

/// A node's labels as the dense array knows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Labels {
    None,
    One(LabelId),
    /// Several: read the node.
    Many,
}

/// Relationships from which the two directions are built on two threads:
/// below it, starting a thread costs more than it saves.
const PARALLEL_MIN_EDGES: usize = 1 << 18;

const NO_LABEL: u32 = u32::MAX;
const MANY_LABELS: u32 = u32::MAX - 1;
/// In `Adjacency::ends`: no relationship of the type seen yet / ends with
/// other labels, several labels or none.
const UNSEEN: u32 = u32::MAX;
const MIXED: u32 = u32::MAX - 1;

/// A node's relationships in one direction: `(relationship, type, other end)`.
#[derive(Debug, Clone)]
pub(crate) struct Slice<'a>(std::slice::Iter<'a, Entry>);

impl Iterator for Slice<'_> {
    type Item = (EdgeId, RelTypeId, NodeId);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|e| (EdgeId(e.edge), RelTypeId(e.ty), NodeId(e.other)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl Adjacency {
    /// Builds both directions from petgraph's edge array, on two threads
    /// when there are enough relationships to repay one and the process
    /// may use two (see [`super::threads`]): the directions are
    /// independent, and each is a counting sort bound by memory latency.
    /// Deleted relationships (`dead`) are left out.
    pub(crate) fn build(
        graph: &petgraph::Graph<super::NodeData, EdgeData, petgraph::Directed, u32>,
        dead: impl Fn(EdgeId) -> bool + Sync,
    ) -> Adjacency {
        let edges = graph.raw_edges();
        let nodes = graph.node_count();
        let live = |i: usize| !dead(EdgeId(i as u32));
        let outgoing = || {
            Lists::build(nodes, edges.len(), live, |i| {
                let e = &edges[i];
                (e.source().index(), e.target().index(), e.weight.rel_type.0)
            })
        };
        let incoming = || {
            Lists::build(nodes, edges.len(), live, |i| {
                let e = &edges[i];
                (e.target().index(), e.source().index(), e.weight.rel_type.0)
            })
        };
        let (outgoing, incoming) = if edges.len() >= PARALLEL_MIN_EDGES {
            std::thread::scope(|scope| match threads::spawn_helper(scope, "aikg-lists", incoming) {
                Some(other) => (outgoing(), threads::join(other)),
                None => (outgoing(), incoming()),
            })
        } else {
            (outgoing(), incoming())
        };
        Adjacency::with_lists(graph, outgoing, incoming, live)
    }

    /// The arrays, around lists built beforehand from the graph's
    /// relationships in the same order (opening a snapshot builds them on
    /// two threads while it fills the graph).
    pub(crate) fn with_lists(
        graph: &petgraph::Graph<super::NodeData, EdgeData, petgraph::Directed, u32>,
        outgoing: Lists,
        incoming: Lists,
        live: impl Fn(usize) -> bool,
    ) -> Adjacency {
        let edges = graph.raw_edges();
        let labels = graph
            .raw_nodes()
            .iter()
            .map(|n| match n.weight.labels.as_slice() {
                [] => NO_LABEL,
                [one] if one.0 < MANY_LABELS => one.0,
                _ => MANY_LABELS,
            })
            .collect::<Box<[u32]>>();
        let types = edges.iter().map(|e| e.weight.rel_type.0 as usize + 1).max().unwrap_or(0);
        let mut ends = vec![[UNSEEN; 2]; types];
        for (i, e) in edges.iter().enumerate() {
            if !live(i) {
                continue;
            }
            let end = &mut ends[e.weight.rel_type.0 as usize];
            for (slot, node) in end.iter_mut().zip([e.source().index(), e.target().index()]) {
                *slot = match labels[node] {
                    NO_LABEL | MANY_LABELS => MIXED,
                    l if *slot == UNSEEN || *slot == l => l,
                    _ => MIXED,
                };
            }
        }
        Adjacency { outgoing, incoming, labels, ends: ends.into_boxed_slice() }
    }

    /// The outgoing and the incoming lists, for a snapshot to store.
    pub(crate) fn lists(&self) -> [&Lists; 2] {
        [&self.outgoing, &self.incoming]
    }

    /// The bytes the arrays hold, for `Graph::memory_usage`.
    pub(crate) fn heap_bytes(&self) -> usize {
        let lists = |l: &Lists| std::mem::size_of_val(&*l.offsets) + std::mem::size_of_val(&*l.entries);
        lists(&self.outgoing)
            + lists(&self.incoming)
            + std::mem::size_of_val(&*self.labels)
            + std::mem::size_of_val(&*self.ends)
    }

    /// The one label every node at one end of every `ty` relationship has
    /// (the targets when `target`, else the sources), if there is one.
    pub(crate) fn end_label(&self, ty: RelTypeId, target: bool) -> Option<LabelId> {
        let label = self.ends.get(ty.0 as usize)?[usize::from(target)];
        (label != UNSEEN && label != MIXED).then_some(LabelId(label))
    }

    #[inline]
    pub(crate) fn labels(&self, node: NodeId) -> Labels {
        match self.labels[node.index()] {
            NO_LABEL => Labels::None,
            MANY_LABELS => Labels::Many,
            l => Labels::One(LabelId(l)),
        }
    }

    #[inline]
    pub(crate) fn outgoing(&self, node: NodeId) -> Slice<'_> {
        self.outgoing.slice(node)
    }

    #[inline]
    pub(crate) fn incoming(&self, node: NodeId) -> Slice<'_> {
        self.incoming.slice(node)
    }
}

impl Lists {
    /// A counting sort of the relationships by their `from` end; `edge(i)`
    /// gives relationship `i`'s `(from, to, type)`. Filling from the last
    /// relationship to the first puts each node's list newest first, the
    /// order of petgraph's lists.
    pub(crate) fn build(
        nodes: usize,
        edge_count: usize,
        live: impl Fn(usize) -> bool,
        edge: impl Fn(usize) -> (usize, usize, u32),
    ) -> Lists {
        let mut offsets = vec![0u32; nodes + 1];
        let mut live_count = 0;
        for i in 0..edge_count {
            if live(i) {
                offsets[edge(i).0 + 1] += 1;
                live_count += 1;
            }
        }
        for n in 0..nodes {
            offsets[n + 1] += offsets[n];
        }
        let mut next: Vec<u32> = offsets[..nodes].to_vec();
        let mut entries = vec![Entry::default(); live_count];
        for i in (0..edge_count).rev() {
            if !live(i) {
                continue;
            }
            let (from, to, ty) = edge(i);
            let at = next[from] as usize;
            next[from] += 1;
            entries[at] = Entry { other: to as u32, edge: i as u32, ty };
        }
        Lists { offsets: offsets.into_boxed_slice(), entries: entries.into_boxed_slice() }
    }

    /// The length of each node's list, node by node.
    pub(crate) fn degrees(&self) -> impl Iterator<Item = u32> + '_ {
        self.offsets.windows(2).map(|w| w[1] - w[0])
    }

    /// Every entry, node by node: `(other end, relationship, type)`.
    pub(crate) fn raw_entries(&self) -> impl Iterator<Item = [u32; 3]> + '_ {
        self.entries.iter().map(|e| [e.other, e.edge, e.ty])
    }

    /// Lists as a snapshot stores them: each node's degree and every entry,
    /// node by node, each entry's ends and type already checked to be in
    /// range. `None` unless the degrees add up to the entries and each
    /// node's list is newest first, as [`Lists::build`] makes it; otherwise
    /// the [`digest_one`] sum of the lists' relationships, with each list's
    /// node as the source (`outgoing`) or the target.
    pub(crate) fn from_stored(
        degrees: &[u32],
        entries: Vec<Entry>,
        relationships: usize,
        outgoing: bool,
    ) -> Option<(Lists, u64)> {
        let mut offsets = Vec::with_capacity(degrees.len() + 1);
        let mut end = 0u32;
        offsets.push(0);
        for d in degrees {
            end = end.checked_add(*d)?;
            offsets.push(end);
        }
        if end as usize != entries.len() {
            return None;
        }
        let mut digest = 0u64;
        for (node, range) in offsets.windows(2).enumerate() {
            let list = &entries[range[0] as usize..range[1] as usize];
            let mut newer = u32::MAX;
            for e in list {
                // The first entry is below u32::MAX, as every index is.
                if e.edge as usize >= relationships || e.edge >= newer {
                    return None;
                }
                newer = e.edge;
                let (source, target) = if outgoing { (node as u32, e.other) } else { (e.other, node as u32) };
                digest = digest.wrapping_add(digest_one(source, target, e.edge, e.ty));
            }
        }
        Some((Lists { offsets: offsets.into_boxed_slice(), entries: entries.into_boxed_slice() }, digest))
    }

    #[inline]
    fn slice(&self, node: NodeId) -> Slice<'_> {
        let n = node.index();
        let range = self.offsets[n] as usize..self.offsets[n + 1] as usize;
        Slice(self.entries[range].iter())
    }
}

/// petgraph's own list, for graphs without arrays.
pub(crate) fn from_petgraph(
    e: EdgeReference<'_, EdgeData, u32>,
    outgoing: bool,
) -> (EdgeId, RelTypeId, NodeId) {
    let other = if outgoing { e.target() } else { e.source() };
    (EdgeId(e.id().index() as u32), e.weight().rel_type, NodeId(other.index() as u32))
}

#[cfg(test)]
mod tests {
    use crate::model::{Direction, NodeId, Value};
    use crate::store::Graph;

    fn lists(g: &Graph) -> Vec<Vec<(crate::model::EdgeId, super::RelTypeId, NodeId)>> {
        let dirs = [Direction::Outgoing, Direction::Incoming, Direction::Both];
        g.node_ids().flat_map(|n| dirs.map(|d| g.edges_of(n, d).collect())).collect()
    }

    /// A small graph with several types, parallel relationships and a
    /// self-loop, read through petgraph's lists and through the arrays.
    #[test]
    fn lists_built_on_two_threads_match_petgraph_order() {
        let mut g = Graph::new();
        let n: Vec<NodeId> = (0..1000).map(|_| g.add_node(["N"], [])).collect();
        let mut x: u64 = 7;
        for k in 0..super::PARALLEL_MIN_EDGES + 1000 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let (a, b) = ((x >> 33) as usize % n.len(), (x >> 13) as usize % n.len());
            g.add_edge(n[a], n[b], ["A", "B"][k % 2], []);
        }
        let linked = lists(&g);
        g.prepare_traversal();
        assert_eq!(lists(&g), linked);
    }

    #[test]
    fn packed_lists_match_petgraph_order() {
        let mut g = Graph::new();
        let n: Vec<NodeId> = (0..6).map(|i| g.add_node(["N"], [("i", i.into())])).collect();
        for (k, (a, b)) in [(0, 1), (0, 2), (1, 2), (0, 1), (3, 3), (4, 0), (2, 0), (5, 4)].iter().enumerate()
        {
            g.add_edge(n[*a], n[*b], ["A", "B", "C"][k % 3], []);
        }
        assert!(g.adjacency().is_none(), "adding drops the arrays");
        let linked = lists(&g);
        g.prepare_traversal();
        assert!(g.adjacency().is_some());
        assert_eq!(lists(&g), linked);
        g.add_edge(n[5], n[0], "A", []);
        assert!(g.adjacency().is_none());
        let rows = g.query("MATCH (a)-[:A]->(b) RETURN count(*) AS n").unwrap();
        assert_eq!(rows.iter().next().unwrap().get_int("n"), Some(4), "a query sees the new relationship");
        assert!(g.adjacency().is_some(), "and rebuilt the arrays");
    }

    #[test]
    fn end_labels_are_known_only_when_every_end_agrees() {
        let mut g = Graph::new();
        let m1 = g.add_node(["Model"], [("id", "m1".into())]);
        let m2 = g.add_node(["Model"], [("id", "m2".into())]);
        let c = g.add_node(["Company"], [("id", "c".into())]);
        g.add_edge(m1, m2, "BUILT_ON", []);
        g.add_edge(m1, c, "DEVELOPED_BY", []);
        g.prepare_traversal();
        let built_on = g.rel_type_id("BUILT_ON").unwrap();
        let developed_by = g.rel_type_id("DEVELOPED_BY").unwrap();
        let model = g.label_id("Model");
        assert_eq!(g.far_end_label(built_on, Direction::Outgoing), model);
        assert_eq!(g.far_end_label(built_on, Direction::Both), model);
        assert_eq!(g.far_end_label(developed_by, Direction::Outgoing), g.label_id("Company"));
        assert_eq!(g.far_end_label(developed_by, Direction::Both), None);
        // A model built on a company breaks the rule: the label is checked again.
        g.add_edge(m2, c, "BUILT_ON", []);
        assert_eq!(
            g.far_end_label(built_on, Direction::Outgoing),
            None,
            "not known before the lists are rebuilt"
        );
        let rows = g.query("MATCH (:Model {id: 'm1'})-[:BUILT_ON*1..]->(b:Model) RETURN b.id").unwrap();
        assert_eq!(rows.into_rows(), [vec![Value::from("m2")]]);
        assert_eq!(g.far_end_label(built_on, Direction::Incoming), model);
        assert_eq!(g.far_end_label(built_on, Direction::Outgoing), None);
    }
}

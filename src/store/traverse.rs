//! Breadth-first walks over the store: reachability along relationship types
//! and shortest paths.

use std::collections::{HashMap, VecDeque};

use crate::error::Error;
use crate::model::{Direction, EdgeId, NodeId, Path};

use super::{EdgeRef, Graph, RelTypeId};

/// A set of nodes that starts as a hash set and becomes a bitset once it
/// grows, so a walk that touches twenty nodes of a million-node graph does
/// not pay for clearing a million bits, and a walk that touches most of them
/// does not pay for hashing.
#[derive(Debug, Clone)]
pub(crate) enum VisitedSet {
    Sparse(std::collections::HashSet<u32>, usize),
    Dense(Vec<u64>),
}

impl VisitedSet {
    const SPARSE_LIMIT: usize = 4096;

    /// An empty set for a graph of `node_count` nodes.
    pub(crate) fn new(node_count: usize) -> VisitedSet {
        VisitedSet::Sparse(std::collections::HashSet::new(), node_count)
    }

    /// Adds `node`; `true` if it was not there yet.
    pub(crate) fn insert(&mut self, node: NodeId) -> bool {
        match self {
            VisitedSet::Sparse(set, n) => {
                let fresh = set.insert(node.0);
                if set.len() > Self::SPARSE_LIMIT {
                    let mut bits = vec![0u64; (*n).div_ceil(64).max(1)];
                    for &i in set.iter() {
                        bits[i as usize / 64] |= 1 << (i % 64);
                    }
                    *self = VisitedSet::Dense(bits);
                }
                fresh
            }
            VisitedSet::Dense(bits) => {
                let (word, bit) = (node.index() / 64, 1u64 << (node.0 % 64));
                if word >= bits.len() {
                    bits.resize(word + 1, 0);
                }
                let fresh = bits[word] & bit == 0;
                bits[word] |= bit;
                fresh
            }
        }
    }

    /// Whether `node` is in the set.
    #[cfg(test)]
    pub(crate) fn contains(&self, node: NodeId) -> bool {
        match self {
            VisitedSet::Sparse(set, _) => set.contains(&node.0),
            VisitedSet::Dense(bits) => {
                bits.get(node.index() / 64).is_some_and(|w| w & (1 << (node.0 % 64)) != 0)
            }
        }
    }
}

/// One node reached by a [`Reachable`] walk, with the edge it came
/// through: `graph.edge(step.via)` has the relationship's type and
/// properties, and `from` is the node on the near side of it, so following
/// `from` back step by step gives the path from the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// The node reached.
    pub node: NodeId,
    /// Hops from the start (1 for a direct neighbour).
    pub depth: u32,
    /// The relationship it was reached through.
    pub via: EdgeId,
    /// The node it was reached from.
    pub from: NodeId,
}

/// Which relationships a walk may follow, beyond their type.
type EdgeFilter<'g> = Box<dyn Fn(EdgeRef<'g>) -> bool + 'g>;

/// A breadth-first walk from one node along chosen relationship types,
/// yielding each reachable node once, nearest first. Created by
/// [`Graph::reachable`], [`Graph::ancestors`] and [`Graph::descendants`];
/// [`Reachable::edges_where`] narrows the relationships it follows.
pub struct Reachable<'g> {
    graph: &'g Graph,
    types: Option<Vec<RelTypeId>>,
    filter: Option<EdgeFilter<'g>>,
    direction: Direction,
    max_depth: u32,
    queue: VecDeque<(NodeId, u32)>,
    pending: Vec<Step>,
    visited: VisitedSet,
}

impl std::fmt::Debug for Reachable<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reachable")
            .field("types", &self.types)
            .field("filtered", &self.filter.is_some())
            .field("direction", &self.direction)
            .field("max_depth", &self.max_depth)
            .finish_non_exhaustive()
    }
}

impl<'g> Reachable<'g> {
    /// Follows only the relationships for which `keep` is true, besides
    /// their type: e.g. leave out architecture-only lineage
    /// (`basis: 'architecture'`) or relations the source reports as planned
    /// ([`crate::lineage::is_established`]). Call it before iterating; a
    /// node reachable only through left-out relationships is not yielded.
    ///
    /// ```
    /// use aikg::Graph;
    /// let g = Graph::builtin();
    /// let chatglm = g.resolve("chatglm-6b")?;
    /// let key = |s: aikg::Step| g.node(s.node).key().unwrap_or_default();
    /// let all: Vec<_> = g.ancestors(chatglm, &["BUILT_ON"])?.map(key).collect();
    /// let weights: Vec<_> = g
    ///     .ancestors(chatglm, &["BUILT_ON"])?
    ///     .edges_where(|e| e.property("basis").is_none())
    ///     .map(key)
    ///     .collect();
    /// assert!(all.contains(&"glm") && !weights.contains(&"glm"));
    /// assert!(weights.contains(&"glm-6b"));
    /// # Ok::<(), aikg::Error>(())
    /// ```
    pub fn edges_where(mut self, keep: impl Fn(EdgeRef<'g>) -> bool + 'g) -> Reachable<'g> {
        self.filter = Some(Box::new(keep));
        self
    }
}

impl Iterator for Reachable<'_> {
    type Item = Step;

    fn next(&mut self) -> Option<Step> {
        loop {
            if let Some(step) = self.pending.pop() {
                return Some(step);
            }
            let (node, depth) = self.queue.pop_front()?;
            if depth >= self.max_depth {
                continue;
            }
            let mut found = Vec::new();
            for (edge, rel_type, other) in self.graph.edges_of(node, self.direction) {
                if self.types.as_ref().is_some_and(|t| !t.contains(&rel_type)) {
                    continue;
                }
                if self.filter.as_ref().is_some_and(|keep| !keep(self.graph.edge(edge))) {
                    continue;
                }
                if self.visited.insert(other) {
                    self.queue.push_back((other, depth + 1));
                    found.push(Step { node: other, depth: depth + 1, via: edge, from: node });
                }
            }
            found.reverse();
            self.pending = found;
        }
    }
}

impl Graph {
    /// Every node reachable from `start` by following relationships of the
    /// given types (all types when `rel_types` is empty) in `direction`, at
    /// most `max_depth` hops away, each once, nearest first. `start` itself
    /// is not yielded. Cost: O(nodes + relationships reached).
    ///
    /// ```
    /// use aikg::{Direction, Graph};
    /// let g = Graph::builtin();
    /// let chatglm = g.resolve("chatglm-6b")?;
    /// let upstream: Vec<_> = g
    ///     .reachable(chatglm, &["BUILT_ON"], Direction::Outgoing, u32::MAX)?
    ///     .map(|step| g.node(step.node).key().unwrap_or_default())
    ///     .collect();
    /// assert!(upstream.contains(&"glm-6b"));
    /// # Ok::<(), aikg::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::UnknownRelType`] for a type the graph does not have and
    /// its schema does not declare (see [`Graph::rel_type`]).
    pub fn reachable(
        &self,
        start: NodeId,
        rel_types: &[&str],
        direction: Direction,
        max_depth: u32,
    ) -> Result<Reachable<'_>, Error> {
        let types = self.rel_type_filter(rel_types)?;
        self.prepare_traversal();
        let mut visited = VisitedSet::new(self.node_slots());
        visited.insert(start);
        Ok(Reachable {
            graph: self,
            types,
            filter: None,
            direction,
            max_depth,
            queue: VecDeque::from([(start, 0)]),
            pending: Vec::new(),
            visited,
        })
    }

    /// What `start` is built on, transitively: the walk along outgoing
    /// relationships of the given types (e.g. `BUILT_ON`; all types when
    /// empty). Each [`Step`] names the relationship it came through;
    /// [`Reachable::edges_where`] leaves some out.
    ///
    /// ```
    /// use aikg::Graph;
    /// let g = Graph::builtin();
    /// let chatglm = g.resolve("chatglm-6b")?;
    /// let up: Vec<_> = g
    ///     .ancestors(chatglm, &["BUILT_ON", "DEVELOPED_BY"])?
    ///     .map(|step| (g.edge(step.via).rel_type(), g.node(step.node).key().unwrap_or_default()))
    ///     .collect();
    /// assert!(up.contains(&("BUILT_ON", "glm-6b")));
    /// assert!(g.ancestors(chatglm, &["built_on"]).is_err(), "types are case-sensitive");
    /// # Ok::<(), aikg::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::UnknownRelType`], as for [`reachable`](Self::reachable).
    pub fn ancestors(&self, start: NodeId, rel_types: &[&str]) -> Result<Reachable<'_>, Error> {
        self.reachable(start, rel_types, Direction::Outgoing, u32::MAX)
    }

    /// What is built on `start`, transitively: the walk along incoming
    /// relationships of the given types (all types when empty).
    ///
    /// ```
    /// use aikg::Graph;
    /// let g = Graph::builtin();
    /// let glm = g.resolve("glm-130b")?;
    /// let down: Vec<_> = g.descendants(glm, &["BUILT_ON"])?.map(|s| g.node(s.node).display_name()).collect();
    /// assert!(down.contains(&"Hubble".to_string()));
    /// # Ok::<(), aikg::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::UnknownRelType`], as for [`reachable`](Self::reachable).
    pub fn descendants(&self, start: NodeId, rel_types: &[&str]) -> Result<Reachable<'_>, Error> {
        self.reachable(start, rel_types, Direction::Incoming, u32::MAX)
    }

    /// A shortest path from `from` to `to` along relationships of the given
    /// types (all when empty) in `direction`, found by breadth-first search.
    /// `None` when `to` is unreachable. Cost: O(nodes + relationships
    /// reached).
    ///
    /// ```
    /// use aikg::{Direction, Graph};
    /// let g = Graph::builtin();
    /// let (a, b) = (g.resolve("chatglm-6b")?, g.resolve("tsinghua-university")?);
    /// let path = g.shortest_path(a, b, &[], Direction::Both)?.expect("connected");
    /// assert!(path.len() >= 2);
    /// # Ok::<(), aikg::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::UnknownRelType`], as for [`reachable`](Self::reachable).
    pub fn shortest_path(
        &self,
        from: NodeId,
        to: NodeId,
        rel_types: &[&str],
        direction: Direction,
    ) -> Result<Option<Path>, Error> {
        Ok(self.shortest_path_in(self.reachable(from, rel_types, direction, u32::MAX)?, from, to))
    }

    /// Like [`Graph::shortest_path`], over only the relationships for which
    /// `keep` is true, e.g. [`crate::lineage::is_established`] for a
    /// connection made of facts the source states as done.
    ///
    /// ```
    /// use aikg::{lineage::is_established, Direction, Graph};
    /// let g = Graph::builtin();
    /// let (a, b) = (g.resolve("chatglm-6b")?, g.resolve("tsinghua-university")?);
    /// let path = g.shortest_path_where(a, b, &[], Direction::Both, is_established)?;
    /// assert!(path.is_some_and(|p| p.rels.iter().all(|&r| is_established(g.edge(r)))));
    /// # Ok::<(), aikg::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::UnknownRelType`], as for [`reachable`](Self::reachable).
    pub fn shortest_path_where<'g>(
        &'g self,
        from: NodeId,
        to: NodeId,
        rel_types: &[&str],
        direction: Direction,
        keep: impl Fn(EdgeRef<'g>) -> bool + 'g,
    ) -> Result<Option<Path>, Error> {
        let walk = self.reachable(from, rel_types, direction, u32::MAX)?.edges_where(keep);
        Ok(self.shortest_path_in(walk, from, to))
    }

    /// The path to `to` along the breadth-first `walk` that starts at `from`.
    fn shortest_path_in(&self, walk: Reachable<'_>, from: NodeId, to: NodeId) -> Option<Path> {
        if from == to {
            return Some(Path { nodes: vec![from], rels: Vec::new() });
        }
        let mut parent: HashMap<NodeId, (NodeId, EdgeId)> = HashMap::new();
        for step in walk {
            parent.insert(step.node, (step.from, step.via));
            if step.node == to {
                let mut nodes = vec![to];
                let mut rels = Vec::new();
                let mut at = to;
                while at != from {
                    let (prev, edge) = parent[&at];
                    rels.push(edge);
                    nodes.push(prev);
                    at = prev;
                }
                nodes.reverse();
                rels.reverse();
                return Some(Path { nodes, rels });
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visited_set_switches_to_dense() {
        let mut v = VisitedSet::new(100_000);
        for i in 0..10_000 {
            assert!(v.insert(NodeId(i * 7 % 100_000)));
        }
        assert!(matches!(v, VisitedSet::Dense(_)));
        assert!(v.contains(NodeId(7)));
        assert!(!v.insert(NodeId(7)));
        assert!(!v.contains(NodeId(1)));
    }

    #[test]
    fn bfs_order_and_shortest_path() {
        let mut g = Graph::new();
        let n: Vec<NodeId> =
            (0..5).map(|i| g.add_node(["M"], [("id", Value::from(format!("m{i}")))])).collect();
        // m0 -> m1 -> m2 -> m3, and a shortcut m0 -> m3; m4 isolated.
        g.add_edge(n[0], n[1], "BUILT_ON", []);
        g.add_edge(n[1], n[2], "BUILT_ON", []);
        g.add_edge(n[2], n[3], "BUILT_ON", []);
        g.add_edge(n[0], n[3], "OTHER", []);
        let depths: Vec<_> = g.ancestors(n[0], &["BUILT_ON"]).unwrap().map(|s| (s.node, s.depth)).collect();
        assert_eq!(depths, vec![(n[1], 1), (n[2], 2), (n[3], 3)]);
        assert_eq!(g.shortest_path(n[0], n[3], &[], Direction::Outgoing).unwrap().unwrap().len(), 1);
        assert_eq!(
            g.shortest_path(n[0], n[3], &["BUILT_ON"], Direction::Outgoing).unwrap().unwrap().len(),
            3
        );
        assert_eq!(g.shortest_path(n[3], n[0], &[], Direction::Both).unwrap().unwrap().len(), 1);
        assert!(g.shortest_path(n[0], n[4], &[], Direction::Both).unwrap().is_none());
    }

    #[test]
    fn edge_filters_narrow_walks_and_paths() {
        let mut g = Graph::new();
        let n: Vec<NodeId> =
            (0..4).map(|i| g.add_node(["M"], [("id", Value::from(format!("m{i}")))])).collect();
        // m0 -> m1 (planned) -> m2, and m0 -> m3 -> m2 by another type.
        g.add_edge(n[0], n[1], "BUILT_ON", [("status", Value::from("planned"))]);
        g.add_edge(n[1], n[2], "BUILT_ON", []);
        g.add_edge(n[0], n[3], "PART_OF", []);
        g.add_edge(n[3], n[2], "BUILT_ON", []);
        let done = |e: EdgeRef<'_>| e.property("status").is_none();
        let nodes = |walk: Reachable<'_>| walk.map(|s| s.node).collect::<Vec<_>>();
        assert_eq!(nodes(g.ancestors(n[0], &["BUILT_ON"]).unwrap()), [n[1], n[2]]);
        assert!(nodes(g.ancestors(n[0], &["BUILT_ON"]).unwrap().edges_where(done)).is_empty());
        assert_eq!(
            nodes(g.ancestors(n[0], &["BUILT_ON", "PART_OF"]).unwrap().edges_where(done)),
            [n[3], n[2]]
        );
        assert_eq!(nodes(g.descendants(n[2], &[]).unwrap()), [n[3], n[1], n[0]]);
        let path = g.shortest_path_where(n[0], n[2], &[], Direction::Outgoing, done).unwrap().unwrap();
        assert_eq!(path.nodes, [n[0], n[3], n[2]]);
        assert!(g.shortest_path_where(n[0], n[1], &[], Direction::Both, done).unwrap().is_some());
        assert!(g
            .shortest_path_where(n[0], n[1], &["BUILT_ON"], Direction::Outgoing, done)
            .unwrap()
            .is_none());
    }

    use crate::model::Value;
}

//! Traversal helpers: a fast hasher for small keys, a node set that is
//! cheap both when a search touches a handful of nodes and when it touches
//! most of a large graph, and the relationship walk shared by the expand
//! operators.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

use crate::model::{Direction, EdgeId, NodeId};
use crate::store::{Graph, RelTypeId};

/// The multiply-rotate hash of rustc (FxHash): much faster than SipHash for
/// integers and short strings; hash flooding is no concern for query-local
/// tables.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// Builds [`FxHasher`]s.
pub(crate) type FxBuild = BuildHasherDefault<FxHasher>;

/// A set of nodes: a hash set while small, then a stamp array over every
/// node, which a new [`clear`](NodeSet::clear) empties in O(1) by moving to
/// the next stamp.
#[derive(Debug)]
pub(crate) struct NodeSet {
    sparse: HashSet<u32, FxBuild>,
    stamps: Vec<u32>,
    stamp: u32,
    dense: bool,
    node_count: usize,
}

impl NodeSet {
    const SPARSE_LIMIT: usize = 2048;

    pub(crate) fn new(node_count: usize) -> NodeSet {
        NodeSet { sparse: HashSet::default(), stamps: Vec::new(), stamp: 1, dense: false, node_count }
    }

    /// Adds `node`; `true` if it was not in the set.
    #[inline]
    pub(crate) fn insert(&mut self, node: NodeId) -> bool {
        if self.dense {
            let slot = &mut self.stamps[node.index()];
            let fresh = *slot != self.stamp;
            *slot = self.stamp;
            return fresh;
        }
        let fresh = self.sparse.insert(node.0);
        if fresh && self.sparse.len() > Self::SPARSE_LIMIT {
            self.go_dense();
        }
        fresh
    }

    #[cfg(test)]
    fn contains(&self, node: NodeId) -> bool {
        if self.dense {
            self.stamps[node.index()] == self.stamp
        } else {
            self.sparse.contains(&node.0)
        }
    }

    fn go_dense(&mut self) {
        if self.stamps.len() < self.node_count {
            self.stamps = vec![0; self.node_count];
            self.stamp = 1;
        }
        for &n in &self.sparse {
            self.stamps[n as usize] = self.stamp;
        }
        self.sparse.clear();
        self.dense = true;
    }

    /// Empties the set; O(1) once dense.
    pub(crate) fn clear(&mut self) {
        if self.dense {
            if self.stamp == u32::MAX {
                self.stamps.fill(0);
                self.stamp = 0;
            }
            self.stamp += 1;
        } else {
            self.sparse.clear();
        }
    }
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
        let found: Vec<RelTypeId> = types.into_iter().flatten().collect();
        match found.as_slice() {
            [] => TypeFilter::Nothing,
            [one] => TypeFilter::One(*one),
            _ => TypeFilter::Many(found),
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
    match direction {
        Direction::Outgoing | Direction::Incoming => {
            for (e, t, other) in graph.edges_of(node, direction) {
                if types.accepts(t) && !f(e, other)? {
                    return Ok(false);
                }
            }
        }
        Direction::Both => {
            for (e, t, other) in graph.edges_of(node, Direction::Outgoing) {
                if types.accepts(t) && !f(e, other)? {
                    return Ok(false);
                }
            }
            for (e, t, other) in graph.edges_of(node, Direction::Incoming) {
                if other != node && types.accepts(t) && !f(e, other)? {
                    return Ok(false);
                }
            }
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_set_sparse_then_dense_and_clear() {
        let mut s = NodeSet::new(10_000);
        assert!(s.insert(NodeId(5)));
        assert!(!s.insert(NodeId(5)));
        for i in 0..5000 {
            s.insert(NodeId(i));
        }
        assert!(s.dense);
        assert!(s.contains(NodeId(4999)));
        assert!(!s.contains(NodeId(5000)));
        s.clear();
        assert!(!s.contains(NodeId(5)));
        assert!(s.insert(NodeId(5)));
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

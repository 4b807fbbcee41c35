//! Entry points for the bulk loaders: the steps of
//! [`Graph::add_edge_interned`] taken apart, so a loader that has already
//! resolved a relationship's type and property set (once per distinct value,
//! not once per relationship) can add millions of relationships without a
//! hash lookup each.
//!
//! `add_edge` and `add_edge_interned` are built from the same steps.

use super::{EdgeData, Graph, KeyId, RelTypeId};
use crate::model::{EdgeId, NodeId, Value};
use petgraph::graph::NodeIndex;
use petgraph::Direction;

impl Graph {
    /// Reserves room in the id index for `ids` more nodes with an `id`, so
    /// a bulk load of a known size does not rehash it as it grows.
    pub(crate) fn reserve_ids(&mut self, ids: usize) {
        self.by_id.reserve_exact(ids);
    }

    /// Reads a node's relationship list heads, which adding a relationship
    /// at the node updates. A loader touches the nodes of a batch of
    /// relationships first so the processor fetches them from memory
    /// together rather than one relationship after another.
    pub(crate) fn touch_edge_heads(&self, node: NodeId) -> u32 {
        self.inner
            .raw_nodes()
            .get(node.index())
            .map_or(0, |n| n.next_edge(Direction::Outgoing).index() as u32)
    }

    /// Interns a relationship type, as adding a relationship of that type
    /// would.
    pub(crate) fn intern_rel_type(&mut self, rel_type: &str) -> RelTypeId {
        let rel_type = RelTypeId(self.rel_types.intern(rel_type));
        if self.edges_per_type.len() <= rel_type.0 as usize {
            self.edges_per_type.resize(rel_type.0 as usize + 1, 0);
        }
        rel_type
    }

    /// Stores a relationship property set (sharing an equal small set
    /// already stored) and returns its handle for
    /// [`add_edge_with_set`](Self::add_edge_with_set). Null values are
    /// dropped; keys must be distinct.
    pub(crate) fn edge_property_set(&mut self, mut properties: Vec<(KeyId, Value)>) -> u32 {
        properties.retain(|(_, v)| !v.is_null());
        self.shared_properties(properties.into_boxed_slice())
    }

    /// Adds a relationship whose type comes from
    /// [`intern_rel_type`](Self::intern_rel_type) and whose properties come
    /// from [`edge_property_set`](Self::edge_property_set) on this graph.
    ///
    /// # Panics
    /// If `src` or `dst` is not a node of this graph, or `rel_type` or
    /// `properties` did not come from this graph.
    pub(crate) fn add_edge_with_set(
        &mut self,
        src: NodeId,
        dst: NodeId,
        rel_type: RelTypeId,
        properties: u32,
    ) -> EdgeId {
        assert!((properties as usize) < self.edge_property_sets.len(), "unknown property set");
        self.edges_per_type[rel_type.0 as usize] += 1;
        let e = self.inner.add_edge(
            NodeIndex::new(src.index()),
            NodeIndex::new(dst.index()),
            EdgeData { rel_type, properties },
        );
        self.adjacency.take();
        EdgeId(e.index() as u32)
    }
}

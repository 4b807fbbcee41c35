//! Entry points for the bulk loaders: the steps of
//! [`Graph::add_edge_interned`] taken apart, so a loader that has already
//! resolved a relationship's type and property set (once per distinct value,
//! not once per relationship) can add millions of relationships without a
//! hash lookup each.
//!
//! `add_edge` and `add_edge_interned` are built from the same steps.

use super::ids::{IdTable, Probe};
use super::{EdgeData, Graph, KeyId, RelTypeId};
use crate::model::{EdgeId, NodeId, Value};
use petgraph::graph::NodeIndex;
use petgraph::Direction;

impl Graph {
    /// Reserves room in the id index for `ids` more nodes with an `id`, so
    /// a bulk load of a known size does not rehash it as it grows.
    pub(crate) fn reserve_ids(&mut self, ids: usize) {
        self.by_id.reserve(ids);
    }

    /// The id index's probe for `id`: worked out once by a loader, for
    /// [`touch_id`](Self::touch_id) and the insertion or lookup after it.
    pub(crate) fn id_probe(&self, id: &str) -> Probe {
        self.by_id.probe(id)
    }

    /// Reads the id index slot that looking `probe` up starts at. A loader
    /// touches the slots of a batch of ids first, so that the processor
    /// fetches them from memory together (see [`IdTable::touch`]).
    pub(crate) fn touch_id(&self, probe: &Probe) -> u32 {
        self.by_id.touch(probe)
    }

    /// Adds a node whose property keys are already interned (null values
    /// are skipped; keys must be distinct) and whose `id` property is `id`
    /// (with probe `probe`), unless a node has that id already: then that
    /// node is the error and nothing is added.
    pub(crate) fn add_node_with_id(
        &mut self,
        labels: &[&str],
        properties: Vec<(KeyId, Value)>,
        id: &str,
        probe: &Probe,
    ) -> Result<NodeId, NodeId> {
        match self.by_id.get_probed(id, probe) {
            Some(first) => Err(first),
            None => Ok(self.add_node_probed(labels, properties, Some(probe))),
        }
    }

    /// Lends the id index out while a loader adds relationships: parser
    /// threads look endpoints up in it while the graph takes the
    /// relationships. [`put_id_index`](Self::put_id_index) gives it back.
    pub(crate) fn take_id_index(&mut self) -> IdTable {
        std::mem::take(&mut self.by_id)
    }

    /// Puts back the index [`take_id_index`](Self::take_id_index) lent.
    pub(crate) fn put_id_index(&mut self, ids: IdTable) {
        self.by_id = ids;
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

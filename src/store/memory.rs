//! Where a graph's memory goes: [`Graph::memory_usage`].
//!
//! Every figure is computed from the lengths and capacities of the store's
//! own vectors and tables, times the size of what they hold, plus the heap
//! each value owns. What is approximate, and why:
//!
//! - allocator overhead (a few bytes per allocation, and the rounding up of
//!   each to a size class) is not counted;
//! - hash tables are counted as hashbrown lays them out (a power-of-two
//!   number of buckets at 7/8 load, a control byte each), from their
//!   capacity;
//! - a long string shared by several values (`Text` behind an `Arc`) is
//!   counted once per value that holds it, except the id index's keys, which
//!   share their strings with the nodes' `id` properties and count only
//!   their inline part;
//! - B-tree maps inside values are counted as their entries, without the
//!   tree's node headers;
//! - the plan cache and the search memory kept between queries are left
//!   out: they hold what queries left there, not the graph.

use std::mem::size_of;

use indexmap::{IndexMap, IndexSet};

use super::{EdgeData, Graph, Interner, KeyId, LabelSet, NodeData};
use crate::model::{NodeId, Temporal, Text, Value};

/// Bytes per component of a [`Graph`], from [`Graph::memory_usage`].
///
/// The groups the `aikg stats --memory` table shows are
/// [`adjacency`](Self::adjacency), [`properties`](Self::properties),
/// [`indexes`](Self::indexes), `names` and `other`; their sum is
/// [`total`](Self::total).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct MemoryUsage {
    /// petgraph's node and relationship vectors: per node its labels, the
    /// pointer to its properties and the heads of its relationship lists;
    /// per relationship its ends, type, property set and list links.
    pub graph: usize,
    /// The packed per-node relationship lists and the dense label array,
    /// when built (see the `adjacency` module); zero otherwise.
    pub packed_adjacency: usize,
    /// Node property lists and the heap their values own (long strings,
    /// lists, maps, temporals).
    pub node_properties: usize,
    /// Relationship property sets, the heap their values own, and the pool
    /// that shares equal small sets.
    pub edge_properties: usize,
    /// The index of nodes by their string `id`.
    pub id_index: usize,
    /// The lists of nodes per label.
    pub label_index: usize,
    /// The index of normalised names and aliases, when built (by the first
    /// lookup by name); zero otherwise.
    pub name_index: usize,
    /// The interned labels, relationship types and property keys.
    pub names: usize,
    /// The rest: the graph's own fields and the per-type counts.
    pub other: usize,
}

impl MemoryUsage {
    /// [`graph`](Self::graph) and [`packed_adjacency`](Self::packed_adjacency).
    pub fn adjacency(&self) -> usize {
        self.graph + self.packed_adjacency
    }

    /// [`node_properties`](Self::node_properties) and
    /// [`edge_properties`](Self::edge_properties).
    pub fn properties(&self) -> usize {
        self.node_properties + self.edge_properties
    }

    /// The id, label and name indexes.
    pub fn indexes(&self) -> usize {
        self.id_index + self.label_index + self.name_index
    }

    /// Every component.
    pub fn total(&self) -> usize {
        self.adjacency() + self.properties() + self.indexes() + self.names + self.other
    }

    /// Each component with its name, in the order the fields are declared
    /// (the names of `aikg stats --memory --json`).
    pub fn components(&self) -> [(&'static str, usize); 9] {
        [
            ("graph", self.graph),
            ("packed_adjacency", self.packed_adjacency),
            ("node_properties", self.node_properties),
            ("edge_properties", self.edge_properties),
            ("id_index", self.id_index),
            ("label_index", self.label_index),
            ("name_index", self.name_index),
            ("names", self.names),
            ("other", self.other),
        ]
    }
}

impl Graph {
    /// An estimate of the bytes the graph holds, per component; see
    /// [`MemoryUsage`] and the module notes on what is approximate. Cost:
    /// O(nodes + relationship property sets), reading every property list.
    ///
    /// ```
    /// let mut graph = aikg::Graph::builtin();
    /// let before = graph.memory_usage();
    /// assert!(before.properties() > 0 && before.indexes() > 0);
    /// graph.add_node(["Model"], [("id", "m-new".into()), ("name", "A model with a long name, on the heap".into())]);
    /// assert!(graph.memory_usage().node_properties > before.node_properties);
    /// ```
    pub fn memory_usage(&self) -> MemoryUsage {
        let (node_cap, edge_cap) = self.inner.capacity();
        let labels_heap: usize = self
            .inner
            .raw_nodes()
            .iter()
            .map(|n| match &n.weight.labels {
                LabelSet::One(_) => 0,
                LabelSet::Many(ls) => ls.len() * size_of::<super::LabelId>(),
            })
            .sum();
        let graph = node_cap * size_of::<petgraph::graph::Node<NodeData, u32>>()
            + edge_cap * size_of::<petgraph::graph::Edge<EdgeData, u32>>()
            + labels_heap;
        let node_properties =
            self.inner.raw_nodes().iter().map(|n| properties_bytes(&n.weight.properties)).sum();
        let sets = &self.edge_property_sets;
        let pool = &self.edge_property_pool;
        let edge_properties = sets.capacity() * size_of::<super::Properties>()
            + sets.iter().map(|s| properties_bytes(s)).sum::<usize>()
            + table_bytes(pool.capacity(), size_of::<(super::Properties, u32)>())
            + pool.keys().map(|s| properties_bytes(s)).sum::<usize>();
        let label_index = self.by_label.capacity() * size_of::<Vec<NodeId>>()
            + self.by_label.iter().map(|v| v.capacity() * size_of::<NodeId>()).sum::<usize>();
        MemoryUsage {
            graph,
            packed_adjacency: self.adjacency().map_or(0, super::adjacency::Adjacency::heap_bytes),
            node_properties,
            edge_properties,
            id_index: self.by_id.heap_bytes(),
            label_index,
            name_index: self.by_name.get().map_or(0, super::names::NameIndex::heap_bytes),
            names: [&self.labels, &self.rel_types, &self.keys].into_iter().map(interner_bytes).sum(),
            other: size_of::<Graph>() + self.edges_per_type.capacity() * size_of::<usize>(),
        }
    }
}

/// An `Arc`'s counts, before its value.
const ARC_HEADER: usize = 2 * size_of::<usize>();

/// A property list: its slice and what its values own.
fn properties_bytes(properties: &[(KeyId, Value)]) -> usize {
    size_of_val(properties) + properties.iter().map(|(_, v)| value_heap(v)).sum::<usize>()
}

/// The heap a value owns beyond its own bytes.
pub(super) fn value_heap(value: &Value) -> usize {
    match value {
        Value::String(s) => text_heap(s),
        Value::List(items) => {
            items.capacity() * size_of::<Value>() + items.iter().map(value_heap).sum::<usize>()
        }
        Value::Map(map) => map
            .iter()
            .map(|(k, v)| size_of::<String>() + size_of::<Value>() + k.capacity() + value_heap(v))
            .sum(),
        Value::Path(p) => {
            ARC_HEADER
                + size_of::<crate::model::Path>()
                + p.nodes.capacity() * size_of::<NodeId>()
                + p.rels.capacity() * size_of::<crate::model::EdgeId>()
        }
        Value::Temporal(_) => size_of::<Temporal>(),
        Value::Null
        | Value::Bool(_)
        | Value::Int(_)
        | Value::Float(_)
        | Value::Node(_)
        | Value::Relationship(_) => 0,
    }
}

/// A string's heap: none when it is inline.
pub(super) fn text_heap(text: &Text) -> usize {
    if text.is_inline() {
        0
    } else {
        ARC_HEADER + text.len()
    }
}

/// A hashbrown table of `capacity` entries of `entry` bytes: buckets of a
/// power of two at 7/8 load, each an entry and a control byte.
pub(super) fn table_bytes(capacity: usize, entry: usize) -> usize {
    let buckets = match capacity {
        0 => 0,
        c if c < 8 => (c + 1).next_power_of_two(),
        c => (c.saturating_mul(8) / 7).next_power_of_two(),
    };
    buckets * (entry + 1)
}

/// An `IndexMap`: its entries (hash, key, value) and its table of indexes;
/// not what the keys and values own.
pub(super) fn index_map_bytes<K, V, S>(map: &IndexMap<K, V, S>) -> usize {
    let cap = map.capacity();
    cap * (size_of::<usize>() + size_of::<K>() + size_of::<V>()) + table_bytes(cap, size_of::<usize>())
}

fn interner_bytes(interner: &Interner) -> usize {
    let set: &IndexSet<_, _> = &interner.0;
    let cap = set.capacity();
    cap * (size_of::<usize>() + size_of::<std::sync::Arc<str>>())
        + table_bytes(cap, size_of::<usize>())
        + set.iter().map(|s| ARC_HEADER + s.len()).sum::<usize>()
}

#[cfg(test)]
mod tests {
    use crate::{Graph, Value};

    #[test]
    fn every_component_of_the_builtin_graph_is_counted() {
        let g = Graph::builtin();
        g.prepare_traversal();
        let _ = g.find_by_name("zhipu ai").count();
        let m = g.memory_usage();
        for (name, bytes) in m.components() {
            assert!(bytes > 0, "{name} is zero: {m:?}");
        }
        assert_eq!(m.total(), m.components().iter().map(|(_, b)| b).sum::<usize>());
        // Every node has an id, a name and a line span; a property list is
        // at least a key and a value each.
        let floor = g.node_count() * 3 * std::mem::size_of::<(crate::store::KeyId, Value)>();
        assert!(m.node_properties >= floor, "{} < {floor}", m.node_properties);
    }

    #[test]
    fn the_total_grows_with_nodes_and_long_strings() {
        let mut g = Graph::new();
        let empty = g.memory_usage();
        let long = "a string too long to be kept inline in its value".repeat(4);
        for i in 0..1000 {
            g.add_node(["N"], [("id", Value::from(format!("n{i}"))), ("text", Value::from(long.as_str()))]);
        }
        let full = g.memory_usage();
        assert!(full.total() > empty.total());
        // A thousand copies of the long string alone.
        assert!(full.node_properties > 1000 * long.len(), "{full:?}");
        assert!(full.id_index >= 1000 * std::mem::size_of::<crate::Value>(), "{full:?}");
        assert!(full.label_index >= 1000 * 4, "{full:?}");
        assert_eq!(full.name_index, 0, "not built yet");
        assert_eq!(full.packed_adjacency, 0, "not built yet");
    }
}

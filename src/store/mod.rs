//! The in-memory property graph: petgraph underneath, indexes beside it.
//!
//! # Layout
//!
//! Nodes and relationships live in a [`petgraph::Graph`] (adjacency lists in
//! two flat vectors), the denser layout and the faster edge walk for a
//! read-heavy traversal workload. Its index-shifting removal is never used:
//! `DELETE` leaves a tombstone in a bit set beside the graph, so ids stay
//! stable, and a writing statement keeps an undo record so that it is all or
//! nothing (see the `write` module for the design and why the read path pays
//! nothing for it). Labels, relationship types and property keys are interned to
//! small integers; a node's properties are a boxed slice of `(key, value)`
//! pairs, which is smaller than a map for the handful of keys a node carries.
//!
//! Indexes, all [`indexmap`]-backed: by `id` (the string `id` property), by
//! label (a vector of nodes per label), and by name and alias (built on first
//! use, with names normalised so `"zhipu ai"`, `"Zhipu-AI"` and `"智谱AI"`
//! meet).

mod adjacency;
pub(crate) mod attached;
mod bulk;
mod memory;
mod names;
#[cfg(any(feature = "server", test))]
mod redo;
mod snapshot;
pub(crate) mod threads;
mod traverse;
mod vocab;
mod write;

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::{Arc, OnceLock};

use indexmap::IndexSet;
use petgraph::graph::{EdgeIndex, NodeIndex};

use crate::error::Error;
use crate::model::{Direction, EdgeId, NodeId, Schema, Value};

pub use memory::MemoryUsage;
pub(crate) use names::closest;
pub(crate) use names::normalize_name;
#[cfg(feature = "server")]
pub(crate) use redo::Changes;
#[cfg(feature = "server")]
pub(crate) use snapshot::snapshot_identity;
pub use traverse::{Reachable, Step};
pub(crate) use vocab::Vocab;
pub use vocab::{Label, RelType};

/// The hasher of the store's maps: ids and names are short strings that
/// come from the data, not from an attacker racing the hash table, and
/// SipHash costs a third of a bulk load.
pub(crate) type FxBuild = BuildHasherDefault<fx::FxHasher>;

mod fx;
pub(crate) mod ids;
pub(crate) use fx::splitmix;
use fx::IndexHash;

/// An interned label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct LabelId(pub(crate) u32);

/// An interned relationship type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct RelTypeId(pub(crate) u32);

/// An interned property key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct KeyId(pub(crate) u32);

type Properties = Box<[(KeyId, Value)]>;

/// A set of labels without a heap allocation for the usual one label (or
/// none): a node's labels, and the labels a query pattern asks for.
#[derive(Debug, Clone)]
pub(crate) enum LabelSet {
    One(LabelId),
    Many(Box<[LabelId]>),
}

impl Default for LabelSet {
    fn default() -> LabelSet {
        LabelSet::Many(Box::default())
    }
}

impl std::ops::Deref for LabelSet {
    type Target = [LabelId];

    fn deref(&self) -> &[LabelId] {
        self.as_slice()
    }
}

impl LabelSet {
    pub(crate) fn from_vec(mut labels: Vec<LabelId>) -> LabelSet {
        if labels.len() == 1 {
            LabelSet::One(labels[0])
        } else {
            labels.shrink_to_fit();
            LabelSet::Many(labels.into_boxed_slice())
        }
    }

    fn as_slice(&self) -> &[LabelId] {
        match self {
            LabelSet::One(l) => std::slice::from_ref(l),
            LabelSet::Many(ls) => ls,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct NodeData {
    labels: LabelSet,
    properties: Properties,
}

/// A relationship is eight bytes: its type and the index of its property
/// set. Bulk data repeats the same few property sets (a round and a year)
/// millions of times, so equal small sets are stored once and shared.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EdgeData {
    rel_type: RelTypeId,
    properties: u32,
}

/// A set of interned strings; the position is the id.
#[derive(Debug, Clone, Default)]
struct Interner(IndexSet<Arc<str>, IndexHash>);

impl Interner {
    fn intern(&mut self, s: &str) -> u32 {
        if let Some(i) = self.0.get_index_of(s) {
            return i as u32;
        }
        self.0.insert_full(Arc::from(s)).0 as u32
    }

    fn get(&self, s: &str) -> Option<u32> {
        self.0.get_index_of(s).map(|i| i as u32)
    }

    fn name(&self, i: u32) -> &str {
        &self.0[i as usize]
    }
}

/// A property graph with labelled nodes, typed relationships and indexes.
///
/// `Graph` is `Send + Sync`: its only interior mutability is the lazily
/// built name index (a [`OnceLock`]) and the cache of query plans by text
/// (behind a mutex held only to look up or insert), so any number of
/// threads can read and query one graph at once. Adding to it needs
/// `&mut Graph`.
///
/// ```
/// use aikg::Graph;
/// let graph = Graph::builtin();
/// let glm = graph.resolve("ChatGLM-6B")?;
/// assert_eq!(graph.node(glm).key(), Some("chatglm-6b"));
/// # Ok::<(), aikg::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Graph {
    inner: petgraph::Graph<NodeData, EdgeData, petgraph::Directed, u32>,
    labels: Interner,
    rel_types: Interner,
    keys: Interner,
    by_id: ids::IdTable,
    /// The interned `id` key, once some entity has carried it.
    id_key: Option<KeyId>,
    /// Every node's id is in `by_id`, under the node: so `n.id` is
    /// read from that dense array (one memory access) instead of through
    /// the node's property list (three). True for graph data and bulk loads.
    ids_dense: bool,
    by_label: Vec<Vec<NodeId>>,
    edges_per_type: Vec<usize>,
    by_name: OnceLock<names::NameIndex>,
    schema: Option<&'static Schema>,
    /// Some string `id` is carried by more than one node (or an `id` was
    /// changed after the node was indexed), so the id index is not exact.
    duplicate_ids: bool,
    /// Relationship property sets; index 0 is the empty set.
    edge_property_sets: Vec<Properties>,
    /// Small property sets already in `edge_property_sets`, by content.
    edge_property_pool: HashMap<Properties, u32, IndexHash>,
    /// Packed copies of the relationship lists, for fast traversal.
    adjacency: OnceLock<Arc<adjacency::Adjacency>>,
    /// This graph's identity, for what is kept per graph above the store.
    identity: attached::Identity,
    /// The query layer's plan cache, search memory and procedures.
    attached: attached::Attached,
    /// How many times `attached` was borrowed for changing.
    attached_changes: usize,
    /// Deleted nodes and relationships, once there are any (see `write`).
    dead: Option<Box<write::Tombstones>>,
    /// The open writing statement's undo record (see `write`).
    journal: Option<Box<write::Journal>>,
}

/// A node with access to its graph: labels, properties, neighbours.
#[derive(Debug, Clone, Copy)]
pub struct NodeRef<'g> {
    graph: &'g Graph,
    id: NodeId,
}

/// A relationship with access to its graph.
#[derive(Debug, Clone, Copy)]
pub struct EdgeRef<'g> {
    graph: &'g Graph,
    id: EdgeId,
}

impl Graph {
    /// An empty, schemaless graph.
    pub fn new() -> Graph {
        Graph::default()
    }

    /// An empty graph whose nodes and relationships follow `schema`.
    pub fn with_schema(schema: &'static Schema) -> Graph {
        Graph { schema: Some(schema), ..Graph::default() }
    }

    /// Hashes the graph's indexes (ids, labels, relationship types,
    /// property keys, shared relationship property sets) with SipHash under
    /// a random key from now on, instead of the faster Fx hash.
    ///
    /// Call it on a graph that takes writes from clients you do not trust
    /// (`aikg serve` does): Fx lets whoever picks the keys make them
    /// collide, so that every insert into an index scans all the keys
    /// before it. Point lookups by id then cost a few nanoseconds more;
    /// traversals and scans do not hash and cost the same. The graph's
    /// copies keep the keyed hashing. Calling it again changes nothing.
    ///
    /// ```
    /// let mut graph = aikg::Graph::builtin();
    /// graph.use_keyed_hashing();
    /// assert!(graph.resolve("智谱AI").is_ok());
    /// assert_eq!(graph.query("MATCH (m:Model {id: 'chatglm-6b'}) RETURN m.id")?.len(), 1);
    /// # Ok::<(), aikg::Error>(())
    /// ```
    pub fn use_keyed_hashing(&mut self) {
        if self.by_id.hasher().is_keyed() {
            return;
        }
        let keyed = IndexHash::keyed();
        self.by_id.rehash_with(keyed.clone());
        // Re-inserting in order keeps every entry's position, which is the
        // id of an interned name.
        for interner in [&mut self.labels, &mut self.rel_types, &mut self.keys] {
            let old = std::mem::take(&mut interner.0);
            interner.0 = IndexSet::with_capacity_and_hasher(old.len(), keyed.clone());
            interner.0.extend(old);
        }
        let pool = std::mem::take(&mut self.edge_property_pool);
        self.edge_property_pool = HashMap::with_capacity_and_hasher(pool.len(), keyed);
        self.edge_property_pool.extend(pool);
    }

    /// The schema the graph's data was checked against, if any.
    pub fn schema(&self) -> Option<&'static Schema> {
        self.schema
    }

    /// Tells this graph apart from every other in the process.
    pub(crate) fn uid(&self) -> attached::GraphUid {
        self.identity.uid()
    }

    /// What a layer above keeps with this graph, created on first use.
    #[inline]
    pub(crate) fn attached<T: attached::Attachment + Default>(&self) -> &T {
        self.attached.get()
    }

    /// As [`attached`](Self::attached), for changing.
    pub(crate) fn attached_mut<T: attached::Attachment + Default>(&mut self) -> &mut T {
        self.attached_changes += 1;
        self.attached.get_mut()
    }

    /// How many times [`attached_mut`](Self::attached_mut) was called: what
    /// is cached from the attachment (a plan checked against registered
    /// procedures) is stale once this moves. A plain field, so a prepared
    /// query checks it without reaching the attachment.
    pub(crate) fn attached_changes(&self) -> usize {
        self.attached_changes
    }

    /// How many labels, relationship types and property keys the graph
    /// has interned: they only grow, so a change in any shows new names.
    pub(crate) fn name_counts(&self) -> [usize; 3] {
        [self.labels.0.len(), self.rel_types.0.len(), self.keys.0.len()]
    }

    /// Number of nodes. O(1).
    pub fn node_count(&self) -> usize {
        self.inner.node_count() - self.dead.as_deref().map_or(0, write::Tombstones::dead_nodes)
    }

    /// Number of relationships. O(1).
    pub fn edge_count(&self) -> usize {
        self.inner.edge_count() - self.dead.as_deref().map_or(0, write::Tombstones::dead_edges)
    }

    /// One more than the largest node index: the length of an array indexed
    /// by node (deleted nodes keep their index; see `write`).
    pub(crate) fn node_slots(&self) -> usize {
        self.inner.node_count()
    }

    /// One more than the largest relationship index.
    pub(crate) fn edge_slots(&self) -> usize {
        self.inner.edge_count()
    }

    /// Reserves room for `nodes` more nodes and `edges` more relationships.
    pub fn reserve(&mut self, nodes: usize, edges: usize) {
        self.inner.reserve_nodes(nodes);
        self.inner.reserve_edges(edges);
    }

    // ----- interning -------------------------------------------------------

    /// The id of a label, if any node ever carried it.
    pub(crate) fn label_id(&self, label: &str) -> Option<LabelId> {
        self.labels.get(label).map(LabelId)
    }

    /// The name of an interned label.
    pub(crate) fn label_name(&self, label: LabelId) -> &str {
        self.labels.name(label.0)
    }

    /// The id of a relationship type, if any relationship ever had it.
    pub(crate) fn rel_type_id(&self, rel_type: &str) -> Option<RelTypeId> {
        self.rel_types.get(rel_type).map(RelTypeId)
    }

    /// The name of an interned relationship type.
    pub(crate) fn rel_type_name(&self, rel_type: RelTypeId) -> &str {
        self.rel_types.name(rel_type.0)
    }

    /// The id of a property key, if any entity ever carried it.
    pub(crate) fn key_id(&self, key: &str) -> Option<KeyId> {
        self.keys.get(key).map(KeyId)
    }

    /// The name of an interned property key.
    pub(crate) fn key_name(&self, key: KeyId) -> &str {
        self.keys.name(key.0)
    }

    /// Every label in use, with the number of nodes carrying it.
    pub fn labels(&self) -> impl Iterator<Item = (&str, usize)> + '_ {
        self.labels.0.iter().zip(&self.by_label).map(|(name, nodes)| (&**name, nodes.len()))
    }

    /// Every relationship type in use, with its number of relationships.
    pub fn rel_types(&self) -> impl Iterator<Item = (&str, usize)> + '_ {
        self.rel_types.0.iter().zip(&self.edges_per_type).map(|(name, n)| (&**name, *n))
    }

    /// Every property key in use.
    pub fn property_keys(&self) -> impl Iterator<Item = &str> + '_ {
        self.keys.0.iter().map(|k| &**k)
    }

    // ----- building --------------------------------------------------------

    /// Adds a node. A string `id` property is entered in the id index; if
    /// another node already has that id, the index keeps the first one.
    /// Cost: amortised O(labels + properties).
    pub fn add_node<'a, L, P>(&mut self, labels: L, properties: P) -> NodeId
    where
        L: IntoIterator<Item = &'a str>,
        P: IntoIterator<Item = (&'a str, Value)>,
    {
        let mut label_ids: Vec<LabelId> = Vec::new();
        for l in labels {
            let id = LabelId(self.labels.intern(l));
            if !label_ids.contains(&id) {
                label_ids.push(id);
            }
        }
        let properties = self.intern_properties(properties);
        let id = NodeId(self.inner.node_count() as u32);
        for &l in &label_ids {
            if self.by_label.len() <= l.0 as usize {
                self.by_label.resize_with(l.0 as usize + 1, Vec::new);
            }
            self.by_label[l.0 as usize].push(id);
        }
        self.index_id(id, &properties, None);
        self.inner.add_node(NodeData { labels: LabelSet::from_vec(label_ids), properties });
        self.by_name.take();
        self.adjacency.take();
        id
    }

    /// Enters a new node's string `id` in the id index; `probe` is the
    /// id's, when a bulk loader worked it out beforehand.
    fn index_id(&mut self, node: NodeId, properties: &[(KeyId, Value)], probe: Option<&ids::Probe>) {
        let id =
            self.id_key.and_then(|k| find_property(properties, k)).filter(|v| matches!(v, Value::String(_)));
        let dense_before = self.ids_dense || node.index() == 0;
        self.ids_dense = false;
        let Some(id) = id else { return };
        let entered = match probe {
            Some(probe) => self.by_id.insert_probed(id.clone(), probe, node),
            None => self.by_id.insert(id.clone(), node),
        };
        match entered {
            Err(_) => self.duplicate_ids = true,
            Ok(()) => self.ids_dense = dense_before,
        }
    }

    /// Interns a property key.
    pub(crate) fn intern_key(&mut self, key: &str) -> KeyId {
        let id = KeyId(self.keys.intern(key));
        if key == "id" {
            self.id_key = Some(id);
        }
        id
    }

    /// Adds a node whose property keys are already interned (the bulk
    /// loaders' fast path), with the probe of its `id` worked out
    /// beforehand. Null values are skipped; keys must be distinct.
    fn add_node_probed(
        &mut self,
        labels: &[&str],
        mut properties: Vec<(KeyId, Value)>,
        id_probe: Option<&ids::Probe>,
    ) -> NodeId {
        let mut label_ids: Vec<LabelId> = Vec::with_capacity(labels.len());
        for l in labels {
            let id = self.intern_label(l);
            if !label_ids.contains(&id) {
                label_ids.push(id);
            }
        }
        properties.retain(|(_, v)| !v.is_null());
        let id = NodeId(self.inner.node_count() as u32);
        for &l in &label_ids {
            self.by_label[l.0 as usize].push(id);
        }
        self.index_id(id, &properties, id_probe);
        self.inner.add_node(NodeData {
            labels: LabelSet::from_vec(label_ids),
            properties: properties.into_boxed_slice(),
        });
        self.by_name.take();
        self.adjacency.take();
        id
    }

    /// Adds a relationship of type `rel_type` from `src` to `dst`.
    /// Cost: amortised O(properties).
    ///
    /// # Panics
    /// If `src` or `dst` is not a node of this graph.
    pub fn add_edge<'a, P>(&mut self, src: NodeId, dst: NodeId, rel_type: &str, properties: P) -> EdgeId
    where
        P: IntoIterator<Item = (&'a str, Value)>,
    {
        let rel_type = self.intern_rel_type(rel_type);
        let properties = self.intern_properties(properties);
        let properties = self.shared_properties(properties);
        self.add_edge_with_set(src, dst, rel_type, properties)
    }

    fn intern_properties<'a>(
        &mut self,
        properties: impl IntoIterator<Item = (&'a str, Value)>,
    ) -> Properties {
        let mut out: Vec<(KeyId, Value)> = Vec::new();
        for (k, v) in properties {
            if v.is_null() {
                continue;
            }
            let key = self.intern_key(k);
            match out.iter_mut().find(|(existing, _)| *existing == key) {
                Some(slot) => slot.1 = v,
                None => out.push((key, v)),
            }
        }
        out.into_boxed_slice()
    }

    /// The index of a relationship property set in `edge_property_sets`,
    /// adding it unless an equal small set is there already. Sets with long
    /// strings or lists are rarely repeated and skip the pool.
    fn shared_properties(&mut self, properties: Properties) -> u32 {
        if self.edge_property_sets.is_empty() {
            self.edge_property_sets.push(Box::new([]));
            self.edge_property_pool.insert(Box::new([]), 0);
        }
        let poolable = properties.len() <= 4
            && properties.iter().all(|(_, v)| match v {
                Value::String(s) => s.len() <= 32,
                Value::List(_) | Value::Map(_) => false,
                _ => true,
            });
        if poolable {
            if let Some(&index) = self.edge_property_pool.get(&properties) {
                return index;
            }
        }
        let index = self.edge_property_sets.len() as u32;
        if poolable && self.edge_property_pool.len() < 4096 {
            self.edge_property_pool.insert(properties.clone(), index);
        }
        self.edge_property_sets.push(properties);
        index
    }

    /// Interns a label without adding a node (so a label set by `CREATE` on
    /// an existing node, or mentioned by the schema, has an id).
    pub(crate) fn intern_label(&mut self, label: &str) -> LabelId {
        let id = LabelId(self.labels.intern(label));
        if self.by_label.len() <= id.0 as usize {
            self.by_label.resize_with(id.0 as usize + 1, Vec::new);
        }
        id
    }

    // ----- reading nodes ---------------------------------------------------

    /// The node with this index, as a [`NodeRef`].
    ///
    /// # Panics
    /// If `id` is not a node of this graph.
    pub fn node(&self, id: NodeId) -> NodeRef<'_> {
        assert!(id.index() < self.node_slots(), "node {} out of range", id.0);
        NodeRef { graph: self, id }
    }

    /// The relationship with this index, as an [`EdgeRef`].
    ///
    /// # Panics
    /// If `id` is not a relationship of this graph.
    pub fn edge(&self, id: EdgeId) -> EdgeRef<'_> {
        assert!(id.index() < self.edge_slots(), "relationship {} out of range", id.0);
        EdgeRef { graph: self, id }
    }

    /// Every node, in insertion order. O(1) per step.
    pub fn node_ids(&self) -> impl ExactSizeIterator<Item = NodeId> + '_ {
        let dead = self.dead.as_deref().filter(|t| t.dead_nodes() > 0);
        LiveIds::new(self.node_slots(), self.node_count(), dead, write::Tombstones::node_is_dead).map(NodeId)
    }

    /// Every relationship, in insertion order.
    pub fn edge_ids(&self) -> impl ExactSizeIterator<Item = EdgeId> + '_ {
        let dead = self.dead.as_deref().filter(|t| t.dead_edges() > 0);
        LiveIds::new(self.edge_slots(), self.edge_count(), dead, write::Tombstones::edge_is_dead).map(EdgeId)
    }

    /// The nodes carrying `label`, in insertion order. O(1) to get the slice.
    pub(crate) fn nodes_with_label(&self, label: LabelId) -> &[NodeId] {
        self.by_label.get(label.0 as usize).map_or(&[], Vec::as_slice)
    }

    /// Whether every string `id` belongs to one node, so that
    /// [`node_by_key`](Self::node_by_key) finds every node with a given id.
    /// Graph data and the bulk loaders guarantee it; `add_node` with a
    /// repeated id, or changing an `id` property, ends it.
    pub(crate) fn ids_unique(&self) -> bool {
        !self.duplicate_ids
    }

    /// Whether every node has a string `id` of its own: true for graph data
    /// and bulk loads, ended by a node without one or by changing an `id`.
    pub(crate) fn ids_dense(&self) -> bool {
        self.ids_dense
    }

    /// The node whose `id` property is `key` (the first one, if several
    /// share it: graph data and the bulk loaders never repeat an id, but
    /// `add_node` and `CREATE` may). O(1).
    pub fn node_by_key(&self, key: &str) -> Option<NodeId> {
        self.by_id.get(key)
    }

    /// The labels of a node.
    pub(crate) fn node_label_ids(&self, id: NodeId) -> &[LabelId] {
        self.inner[NodeIndex::new(id.index())].labels.as_slice()
    }

    /// Whether a node carries a label. O(labels of the node).
    pub(crate) fn has_label(&self, id: NodeId, label: LabelId) -> bool {
        self.has_labels(id, std::slice::from_ref(&label))
    }

    /// Whether a node carries every one of `labels`. O(1) for a node with
    /// one label once the graph is prepared for traversal.
    #[inline]
    pub(crate) fn has_labels(&self, id: NodeId, labels: &[LabelId]) -> bool {
        if labels.is_empty() {
            return true;
        }
        if let Some(adjacency) = self.adjacency() {
            match adjacency.labels(id) {
                adjacency::Labels::None => return false,
                adjacency::Labels::One(own) => return labels.iter().all(|l| *l == own),
                adjacency::Labels::Many => {}
            }
        }
        let own = self.node_label_ids(id);
        labels.iter().all(|l| own.contains(l))
    }

    /// The one label that every node at the far end of a `ty` relationship
    /// walked in `direction` has, as far as the packed lists know (none
    /// before they are built): then checking that label on each node a walk
    /// reaches is redundant.
    pub(crate) fn far_end_label(&self, ty: RelTypeId, direction: Direction) -> Option<LabelId> {
        let adjacency = self.adjacency()?;
        match direction {
            Direction::Outgoing => adjacency.end_label(ty, true),
            Direction::Incoming => adjacency.end_label(ty, false),
            Direction::Both => {
                let label = adjacency.end_label(ty, true)?;
                (adjacency.end_label(ty, false) == Some(label)).then_some(label)
            }
        }
    }

    /// A node's property by interned key. O(properties of the node).
    #[inline]
    pub(crate) fn node_property(&self, id: NodeId, key: KeyId) -> Option<&Value> {
        if self.dense_id_key() == Some(key) {
            return self.dense_id(id);
        }
        find_property(self.node_properties(id), key)
    }

    /// A node's properties, for reading several by interned key: the
    /// checks [`node_property`](Self::node_property) makes on each read are
    /// made once.
    #[inline]
    pub(crate) fn node_properties_of(&self, id: NodeId) -> NodeProperties<'_> {
        let dense_id = self.dense_id_key().and_then(|key| Some((key, self.dense_id(id)?)));
        NodeProperties { dense_id, list: self.node_properties(id) }
    }

    /// The `id` key, when every node's id is read from the id index rather
    /// than from its property list (see `ids_dense`).
    #[inline]
    fn dense_id_key(&self) -> Option<KeyId> {
        self.id_key.filter(|_| self.ids_dense)
    }

    /// Node `id`'s entry in the id index: its id, when
    /// [`dense_id_key`](Self::dense_id_key) is some.
    #[inline]
    fn dense_id(&self, id: NodeId) -> Option<&Value> {
        self.by_id.id_of(id)
    }

    /// Reads the memory that reading `node`'s properties reads (the id
    /// index entry, the property list, the first byte of each string), or
    /// only what reading its `id` reads, for prefetching: see
    /// `query::exec::traverse::warm`.
    #[inline]
    pub(crate) fn touch_node(&self, node: NodeId, only_id: bool) -> u64 {
        fn first_byte(s: &str) -> u64 {
            u64::from(s.as_bytes().first().copied().unwrap_or(0))
        }
        let mut acc = 0u64;
        let dense_id = self.dense_id_key();
        if let Some(Value::String(id)) = dense_id.and_then(|_| self.dense_id(node)) {
            acc = acc.wrapping_add(first_byte(id));
            if only_id {
                return acc;
            }
        }
        for (k, v) in self.node_properties(node) {
            acc = acc.wrapping_add(u64::from(k.0));
            if let (Value::String(s), false) = (v, Some(*k) == dense_id) {
                acc = acc.wrapping_add(first_byte(s));
            }
        }
        acc
    }

    /// A node's properties by interned key, in insertion order.
    #[inline]
    pub(crate) fn node_properties(&self, id: NodeId) -> &[(KeyId, Value)] {
        &self.inner[NodeIndex::new(id.index())].properties
    }

    /// Sets (or, with `Null`, removes) a node property.
    pub fn set_node_property(&mut self, id: NodeId, key: &str, value: Value) {
        self.update_node_properties(id, false, &[(key, value)]);
    }

    // ----- reading relationships ------------------------------------------

    /// The type of a relationship.
    pub(crate) fn edge_type(&self, id: EdgeId) -> RelTypeId {
        self.inner[EdgeIndex::new(id.index())].rel_type
    }

    /// Start and end node of a relationship.
    pub(crate) fn edge_endpoints(&self, id: EdgeId) -> (NodeId, NodeId) {
        let (a, b) = self.inner.edge_endpoints(EdgeIndex::new(id.index())).expect("edge id out of range");
        (NodeId(a.index() as u32), NodeId(b.index() as u32))
    }

    /// A relationship's property by interned key.
    pub(crate) fn edge_property(&self, id: EdgeId, key: KeyId) -> Option<&Value> {
        find_property(self.edge_properties(id), key)
    }

    /// A relationship's properties by interned key.
    pub(crate) fn edge_properties(&self, id: EdgeId) -> &[(KeyId, Value)] {
        &self.edge_property_sets[self.inner[EdgeIndex::new(id.index())].properties as usize]
    }

    /// The relationships at a node in one direction (or both: outgoing
    /// first, then incoming; a self-loop shows up once in each), as
    /// `(relationship, type, other end)`. O(1) per step, no allocation.
    pub(crate) fn edges_of(
        &self,
        id: NodeId,
        direction: Direction,
    ) -> impl Iterator<Item = (EdgeId, RelTypeId, NodeId)> + '_ {
        let (out, inc) = match direction {
            Direction::Outgoing => (true, false),
            Direction::Incoming => (false, true),
            Direction::Both => (true, true),
        };
        let adjacency = self.adjacency();
        let packed = adjacency.map(|a| {
            let outgoing = out.then(|| a.outgoing(id)).into_iter().flatten();
            outgoing.chain(inc.then(|| a.incoming(id)).into_iter().flatten())
        });
        let linked = adjacency.is_none().then(|| {
            let n = NodeIndex::new(id.index());
            let outgoing = out
                .then(|| self.inner.edges_directed(n, petgraph::Direction::Outgoing))
                .into_iter()
                .flatten()
                .map(|e| adjacency::from_petgraph(e, true));
            let incoming = inc
                .then(|| self.inner.edges_directed(n, petgraph::Direction::Incoming))
                .into_iter()
                .flatten()
                .map(|e| adjacency::from_petgraph(e, false));
            outgoing.chain(incoming).filter(|(e, _, _)| !self.edge_is_dead(*e))
        });
        packed.into_iter().flatten().chain(linked.into_iter().flatten())
    }

    /// The packed relationship lists, when they are built and current.
    #[inline]
    pub(crate) fn adjacency(&self) -> Option<&adjacency::Adjacency> {
        self.adjacency.get().map(|a| &**a)
    }

    /// Builds the packed relationship lists that make traversals fast, if
    /// they are not built yet: O(nodes + relationships) once after the
    /// graph was last changed, then free. The bulk loaders call it, and so
    /// do queries and the traversal methods, so it rarely needs calling:
    /// a program that adds to a graph and then hands it to many threads
    /// can call it first so that no query pays for it.
    pub(crate) fn prepare_traversal(&self) {
        self.packed_lists();
    }

    /// The packed relationship lists, built first if they are not (see
    /// [`Graph::prepare_traversal`]).
    pub(crate) fn packed_lists(&self) -> &adjacency::Adjacency {
        self.adjacency
            .get_or_init(|| Arc::new(adjacency::Adjacency::build(&self.inner, |e| self.edge_is_dead(e))))
    }

    // ----- names -----------------------------------------------------------

    fn name_index(&self) -> &names::NameIndex {
        self.by_name.get_or_init(|| names::NameIndex::build(self))
    }

    /// The nodes whose `id`, `name`, `name_zh` or one of whose `aliases`
    /// matches `name` once both are normalised (case, full-width forms,
    /// spaces, hyphens and underscores ignored). The first call builds the
    /// name index: O(nodes); later calls are O(1) plus the matches.
    pub fn find_by_name(&self, name: &str) -> impl Iterator<Item = NodeId> + '_ {
        self.name_index().lookup(&normalize_name(name)).iter().copied()
    }

    /// Resolves a user-given name to one node: an exact `id` first, then the
    /// normalised name index (the first node in insertion order wins when
    /// names collide).
    ///
    /// # Errors
    /// [`Error::NotFound`] with up to three close names as suggestions.
    pub fn resolve(&self, name: &str) -> Result<NodeId, Error> {
        if let Some(id) = self.node_by_key(name) {
            return Ok(id);
        }
        if let Some(id) = self.find_by_name(name).next() {
            return Ok(id);
        }
        Err(Error::NotFound {
            name: name.to_string(),
            suggestions: self.name_index().suggest(&normalize_name(name), 3),
        })
    }
}

/// Whether an index is dead, by the tombstones of nodes or of relationships.
type IsDead = fn(&write::Tombstones, usize) -> bool;

/// The indexes `0..slots` but the dead ones, knowing how many remain.
struct LiveIds<'g> {
    next: u32,
    end: u32,
    remaining: usize,
    dead: Option<(&'g write::Tombstones, IsDead)>,
}

impl<'g> LiveIds<'g> {
    fn new(slots: usize, live: usize, dead: Option<&'g write::Tombstones>, is_dead: IsDead) -> LiveIds<'g> {
        LiveIds { next: 0, end: slots as u32, remaining: live, dead: dead.map(|t| (t, is_dead)) }
    }
}

impl Iterator for LiveIds<'_> {
    type Item = u32;

    #[inline]
    fn next(&mut self) -> Option<u32> {
        while self.next < self.end {
            let i = self.next;
            self.next += 1;
            if let Some((t, is_dead)) = self.dead {
                if is_dead(t, i as usize) {
                    continue;
                }
            }
            self.remaining -= 1;
            return Some(i);
        }
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl ExactSizeIterator for LiveIds<'_> {}

/// A node's properties: see [`Graph::node_properties_of`].
pub(crate) struct NodeProperties<'g> {
    /// The `id` key and the node's id, when ids are read from the id index.
    dense_id: Option<(KeyId, &'g Value)>,
    list: &'g [(KeyId, Value)],
}

impl<'g> NodeProperties<'g> {
    /// The property `key`, as `Graph::node_property` reads it.
    #[inline]
    pub(crate) fn get(&self, key: KeyId) -> Option<&'g Value> {
        match self.dense_id {
            Some((id_key, id)) if id_key == key => Some(id),
            _ => find_property(self.list, key),
        }
    }
}

fn find_property(props: &[(KeyId, Value)], key: KeyId) -> Option<&Value> {
    props.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
}

impl<'g> NodeRef<'g> {
    /// The node's index.
    pub fn id(&self) -> NodeId {
        self.id
    }

    /// The node's `id` property (its stable key in graph data), if a string.
    pub fn key(&self) -> Option<&'g str> {
        self.property("id").and_then(Value::as_str)
    }

    /// The node's `name` property, if a string.
    pub fn name(&self) -> Option<&'g str> {
        self.property("name").and_then(Value::as_str)
    }

    /// The node's `name_zh` property (its name in Chinese), if a string.
    pub fn name_zh(&self) -> Option<&'g str> {
        self.property("name_zh").and_then(Value::as_str)
    }

    /// A label to show for the node: `name`, else `name_zh`, else `id`, else
    /// its index.
    pub fn display_name(&self) -> String {
        ["name", "name_zh", "id"]
            .iter()
            .find_map(|k| self.property(k).and_then(Value::as_str))
            .map_or_else(|| format!("#{}", self.id.0), str::to_string)
    }

    /// The [`display_name`](Self::display_name) followed by the Chinese
    /// name when the node has both and they differ, as the `aikg` command
    /// prints nodes.
    ///
    /// ```
    /// let g = aikg::Graph::builtin();
    /// let zhipu = g.node(g.resolve("zhipu-ai")?);
    /// assert_eq!(zhipu.name_zh(), Some("智谱AI"));
    /// assert_eq!(zhipu.bilingual_name(), "Zhipu AI 智谱AI");
    /// assert_eq!(g.node(g.resolve("glm-130b")?).bilingual_name(), "GLM-130B");
    /// # Ok::<(), aikg::Error>(())
    /// ```
    pub fn bilingual_name(&self) -> String {
        let mut text = self.display_name();
        if let Some(zh) = self.name_zh().filter(|zh| *zh != text) {
            text.push(' ');
            text.push_str(zh);
        }
        text
    }

    /// The node's labels.
    pub fn labels(&self) -> impl ExactSizeIterator<Item = &'g str> + 'g {
        let g = self.graph;
        g.node_label_ids(self.id).iter().map(move |l| g.label_name(*l))
    }

    /// Whether the node carries `label` (checked by [`Graph::label`]).
    ///
    /// ```
    /// let g = aikg::Graph::builtin();
    /// let model = g.label("Model")?;
    /// assert!(g.node(g.resolve("glm-130b")?).has_label(model));
    /// # Ok::<(), aikg::Error>(())
    /// ```
    pub fn has_label(&self, label: Label<'_>) -> bool {
        label.id().is_some_and(|l| self.graph.has_label(self.id, l))
    }

    /// A property by name.
    pub fn property(&self, key: &str) -> Option<&'g Value> {
        self.graph.node_property(self.id, self.graph.key_id(key)?)
    }

    /// All properties as `(key, value)`, in insertion order.
    pub fn properties(&self) -> impl ExactSizeIterator<Item = (&'g str, &'g Value)> + 'g {
        let g = self.graph;
        g.node_properties(self.id).iter().map(move |(k, v)| (g.key_name(*k), v))
    }

    /// The relationships at this node in `direction`, optionally of one
    /// type only, with the node at the other end. O(1) per step.
    ///
    /// ```
    /// use aikg::Direction;
    /// let g = aikg::Graph::builtin();
    /// let chatglm = g.node(g.resolve("ChatGLM-6B")?);
    /// let mut bases = chatglm.neighbours(Some("BUILT_ON"), Direction::Outgoing)?;
    /// assert!(bases.any(|(_, base)| base.name() == Some("GLM-6B")));
    /// assert!(chatglm.neighbours(Some("BUILT_0N"), Direction::Outgoing).is_err());
    /// # Ok::<(), aikg::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::UnknownRelType`] for a type the graph does not have and its
    /// schema does not declare (see [`Graph::rel_type`]).
    pub fn neighbours(
        &self,
        rel_type: Option<&str>,
        direction: Direction,
    ) -> Result<impl Iterator<Item = (EdgeRef<'g>, NodeRef<'g>)> + 'g, Error> {
        let g = self.graph;
        // A declared type no relationship has yet matches nothing: `Some(None)`.
        let wanted = match rel_type {
            Some(t) => Some(g.rel_type(t)?.id()),
            None => None,
        };
        Ok(g.edges_of(self.id, direction)
            .filter(move |(_, t, _)| wanted.is_none_or(|w| w == Some(*t)))
            .map(move |(e, _, other)| (EdgeRef { graph: g, id: e }, NodeRef { graph: g, id: other })))
    }
}

impl<'g> EdgeRef<'g> {
    /// The relationship's index.
    pub fn id(&self) -> EdgeId {
        self.id
    }

    /// The relationship's type.
    pub fn rel_type(&self) -> &'g str {
        self.graph.rel_type_name(self.graph.edge_type(self.id))
    }

    /// The start node.
    pub fn src(&self) -> NodeRef<'g> {
        NodeRef { graph: self.graph, id: self.graph.edge_endpoints(self.id).0 }
    }

    /// The end node.
    pub fn dst(&self) -> NodeRef<'g> {
        NodeRef { graph: self.graph, id: self.graph.edge_endpoints(self.id).1 }
    }

    /// A property by name.
    pub fn property(&self, key: &str) -> Option<&'g Value> {
        self.graph.edge_property(self.id, self.graph.key_id(key)?)
    }

    /// All properties as `(key, value)`, in insertion order.
    pub fn properties(&self) -> impl ExactSizeIterator<Item = (&'g str, &'g Value)> + 'g {
        let g = self.graph;
        g.edge_properties(self.id).iter().map(move |(k, v)| (g.key_name(*k), v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> (Graph, NodeId, NodeId, NodeId) {
        let mut g = Graph::new();
        let a = g.add_node(["Model"], [("id", "a".into()), ("name", "GLM-130B".into())]);
        let b = g.add_node(["Model"], [("id", "b".into()), ("name", "ChatGLM-6B".into())]);
        let c = g.add_node(
            ["Company"],
            [("id", "c".into()), ("name", "Zhipu AI".into()), ("name_zh", "智谱AI".into())],
        );
        g.add_edge(b, a, "BUILT_ON", []);
        g.add_edge(a, c, "DEVELOPED_BY", [("source", "x".into())]);
        (g, a, b, c)
    }

    #[test]
    fn keyed_hashing_keeps_every_id_and_name_in_place() {
        let (mut g, a, b, c) = tiny();
        let names = |g: &Graph| {
            let labels: Vec<(String, usize)> = g.labels().map(|(l, n)| (l.to_string(), n)).collect();
            let types: Vec<(String, usize)> = g.rel_types().map(|(t, n)| (t.to_string(), n)).collect();
            (labels, types, g.property_keys().map(str::to_string).collect::<Vec<_>>(), g.key_id("name"))
        };
        let before = names(&g);
        g.use_keyed_hashing();
        assert!(g.by_id.hasher().is_keyed() && g.labels.0.hasher().is_keyed());
        assert_eq!(names(&g), before);
        assert_eq!([g.node_by_key("a"), g.node_by_key("b")], [Some(a), Some(b)]);
        let d = g.add_node(["Lab"], [("id", "d".into())]);
        g.add_edge(d, c, "PART_OF", [("source", "x".into())]);
        assert_eq!(g.node_by_key("d"), Some(d));
        assert!(g.clone().by_id.hasher().is_keyed(), "a copy falls back to Fx");
        let compact = g.compacted();
        assert!(compact.by_id.hasher().is_keyed() && compact.keys.0.hasher().is_keyed());
        assert!(compact.edge_property_pool.hasher().is_keyed());
        assert_eq!(
            compact.node_by_key("d").map(|n| compact.node(n).key().map(str::to_string)),
            Some(Some("d".into()))
        );
    }

    #[test]
    fn id_reads_agree_whether_the_index_is_dense_or_not() {
        let mut g = Graph::new();
        let a = g.add_node(["M"], [("id", Value::from("a")), ("n", Value::from(1))]);
        let b = g.add_node(["M"], [("n", Value::from(2)), ("id", Value::from("b"))]);
        let key = g.key_id("id").unwrap();
        assert!(g.ids_dense);
        assert_eq!(g.node_property(b, key), Some(&Value::from("b")));
        let c = g.add_node(["M"], [("n", Value::from(3))]);
        assert!(!g.ids_dense, "a node without an id ends the dense reading");
        assert_eq!(g.node_property(c, key), None);
        assert_eq!(g.node_property(b, key), Some(&Value::from("b")));
        g.set_node_property(a, "id", Value::from("z"));
        assert_eq!(g.node_property(a, key), Some(&Value::from("z")));
    }

    #[test]
    fn indexes_by_id_label_and_name() {
        let (g, a, _, c) = tiny();
        assert_eq!(g.node_by_key("a"), Some(a));
        let model = g.label_id("Model").unwrap();
        assert_eq!(g.nodes_with_label(model).len(), 2);
        for name in ["zhipu ai", "Zhipu-AI", "智谱AI", "ＺＨＩＰＵ　ＡＩ"] {
            assert_eq!(g.find_by_name(name).collect::<Vec<_>>(), vec![c], "{name}");
        }
        assert!(
            matches!(g.resolve("zhipu a"), Err(Error::NotFound { ref suggestions, .. }) if suggestions.contains(&"Zhipu AI".to_string()))
        );
    }

    #[test]
    fn neighbours_by_type_and_direction() {
        let (g, a, b, c) = tiny();
        let up: Vec<_> = g
            .node(b)
            .neighbours(Some("BUILT_ON"), Direction::Outgoing)
            .unwrap()
            .map(|(_, n)| n.id())
            .collect();
        assert_eq!(up, vec![a]);
        let both: Vec<_> =
            g.node(a).neighbours(None, Direction::Both).unwrap().map(|(_, n)| n.id()).collect();
        assert_eq!(both, vec![c, b]);
        assert!(g.node(a).neighbours(Some("NOPE"), Direction::Both).is_err());
        let (e, _) = g.node(a).neighbours(Some("DEVELOPED_BY"), Direction::Outgoing).unwrap().next().unwrap();
        assert_eq!(e.property("source"), Some(&Value::from("x")));
    }
}

//! Changing what is already in the graph: properties and labels set and
//! removed, nodes and relationships deleted, and a statement's changes
//! undone when it fails.
//!
//! # Deletion leaves a tombstone
//!
//! petgraph's `Graph` removes an element by moving the last one into its
//! place, which would renumber a node or relationship that a query row, a
//! [`NodeRef`](super::NodeRef) or a caller's [`NodeId`] still holds. So a
//! deleted node or relationship keeps its slot and is marked dead in a bit
//! set beside the graph: every id stays valid and means the same entity for
//! the graph's life. The read path pays nothing for it:
//!
//! - the packed adjacency lists that traversals walk are rebuilt after a
//!   change anyway, and leave dead relationships out;
//! - label scans read per-label node lists, from which dead nodes are
//!   removed when the `DELETE` that killed them ends;
//! - only a scan of every node ([`Graph::node_ids`]) tests the bit set, and
//!   only once some node has died (one branch per scan otherwise).
//!
//! A dead entity's slot is not reused: a graph that deletes much keeps that
//! memory until it is rebuilt ([`Graph::compacted`], which renumbers).
//!
//! # A statement is all or nothing
//!
//! A writing statement runs inside [`Graph::begin_statement`] /
//! [`Graph::commit_statement`]. While it runs, every change to existing
//! entities records what it overwrote; nodes and relationships it creates
//! are appended after the slots that existed at the start. If the statement
//! fails, [`Graph::rollback_statement`] puts the recorded values back,
//! revives what it deleted, truncates what it created and rebuilds the
//! indexes: O(graph) on the error path only, nothing on success.
//!
//! # Units: several statements kept or undone together
//!
//! The server needs one more level: a write is kept only once it is
//! durable, so it opens a unit ([`Graph::begin_unit`]) around a statement
//! (or a transaction's statements). Inside a unit a statement's begin,
//! commit and rollback work on a savepoint in the unit's record, and the
//! unit's record, kept to its end, is both what [`Graph::rollback_unit`]
//! undoes and what the redo record of the `redo` module is computed from.

use fixedbitset::FixedBitSet;
use petgraph::graph::{EdgeIndex, NodeIndex};

use super::{Graph, KeyId, LabelId, LabelSet, Properties};
use crate::model::{EdgeId, NodeId, Value};

/// The dead slots of a graph that has deleted something.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tombstones {
    nodes: FixedBitSet,
    edges: FixedBitSet,
    dead_nodes: usize,
    dead_edges: usize,
    /// Labels whose node lists still hold nodes deleted since the last
    /// [`Graph::purge_deleted`].
    stale_labels: Vec<LabelId>,
}

impl Tombstones {
    pub(crate) fn dead_nodes(&self) -> usize {
        self.dead_nodes
    }

    pub(crate) fn dead_edges(&self) -> usize {
        self.dead_edges
    }

    #[inline]
    pub(crate) fn node_is_dead(&self, n: usize) -> bool {
        self.nodes.contains(n)
    }

    #[inline]
    pub(crate) fn edge_is_dead(&self, e: usize) -> bool {
        self.edges.contains(e)
    }
}

/// What one change overwrote, to put back on rollback.
#[derive(Debug, Clone)]
enum Undo {
    NodeProperties(NodeId, Properties),
    NodeLabels(NodeId, LabelSet),
    EdgeProperties(EdgeId, u32),
    /// A deleted node, with the properties and labels taken from it.
    NodeDeleted(NodeId, Properties, LabelSet),
    /// A deleted relationship, with its property set.
    EdgeDeleted(EdgeId, u32),
}

/// The open statement's (or unit's) record of changes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Journal {
    /// Node and relationship slots at the start: what was created since
    /// sits after them.
    pub(super) nodes: usize,
    pub(super) edges: usize,
    undo: Vec<Undo>,
    /// Whether this is a unit's record (see [`Graph::begin_unit`]).
    unit: bool,
    /// Inside a unit, where the running statement began.
    statement: Option<Savepoint>,
}

/// Where a statement inside a unit began.
#[derive(Debug, Clone, Copy)]
struct Savepoint {
    nodes: usize,
    edges: usize,
    undo: usize,
}

#[cfg(any(feature = "server", test))]
/// The entities a record of changes touched, by kind of change.
#[derive(Debug, Default)]
pub(super) struct Touched {
    /// Nodes whose labels or properties changed (with repeats).
    pub(super) nodes: Vec<NodeId>,
    /// Relationships whose properties changed (with repeats).
    pub(super) edges: Vec<EdgeId>,
    /// Deleted nodes, in the order deleted.
    pub(super) deleted_nodes: Vec<NodeId>,
    /// Deleted relationships, in the order deleted.
    pub(super) deleted_edges: Vec<EdgeId>,
}

#[cfg(any(feature = "server", test))]
impl Journal {
    /// What the record says was changed. O(changes).
    pub(super) fn touched(&self) -> Touched {
        let mut t = Touched::default();
        for undo in &self.undo {
            match undo {
                Undo::NodeProperties(n, _) | Undo::NodeLabels(n, _) => t.nodes.push(*n),
                Undo::EdgeProperties(e, _) => t.edges.push(*e),
                Undo::NodeDeleted(n, _, _) => t.deleted_nodes.push(*n),
                Undo::EdgeDeleted(e, _) => t.deleted_edges.push(*e),
            }
        }
        t
    }

    pub(super) fn is_empty(&self) -> bool {
        self.undo.is_empty()
    }
}

impl Graph {
    // ----- statements ------------------------------------------------------

    /// Starts recording changes so that a failing statement can be undone.
    /// Inside a unit, marks where the statement begins.
    pub(crate) fn begin_statement(&mut self) {
        let (nodes, edges) = (self.node_slots(), self.edge_slots());
        match self.journal.as_deref_mut() {
            Some(j) if j.unit => j.statement = Some(Savepoint { nodes, edges, undo: j.undo.len() }),
            _ => {
                self.journal = Some(Box::new(Journal { nodes, edges, ..Journal::default() }));
            }
        }
    }

    /// Keeps the open statement's changes (inside a unit: until the unit
    /// ends).
    pub(crate) fn commit_statement(&mut self) {
        self.purge_deleted();
        match self.journal.as_deref_mut() {
            Some(j) if j.unit => j.statement = None,
            _ => self.journal = None,
        }
    }

    /// Undoes every change since [`begin_statement`](Self::begin_statement).
    pub(crate) fn rollback_statement(&mut self) {
        match self.journal.as_deref_mut() {
            Some(j) if j.unit => {
                let Some(at) = j.statement.take() else { return };
                let undo = j.undo.split_off(at.undo);
                self.undo(undo, at.nodes, at.edges);
            }
            _ => self.rollback_unit(),
        }
    }

    #[cfg(any(feature = "server", test))]
    /// Starts a unit: the statements run until [`commit_unit`] or
    /// [`rollback_unit`] are kept or undone together, and
    /// [`unit_changes`](Self::unit_changes) tells what they changed. A
    /// record left open (by a statement that panicked) is undone first, so
    /// that the unit starts from a graph every earlier unit accounts for.
    ///
    /// [`commit_unit`]: Self::commit_unit
    /// [`rollback_unit`]: Self::rollback_unit
    pub(crate) fn begin_unit(&mut self) {
        if self.journal.is_some() {
            self.rollback_unit();
        }
        let (nodes, edges) = (self.node_slots(), self.edge_slots());
        self.journal = Some(Box::new(Journal { nodes, edges, unit: true, ..Journal::default() }));
    }

    #[cfg(any(feature = "server", test))]
    /// Keeps what the open unit (or statement) changed.
    pub(crate) fn commit_unit(&mut self) {
        self.purge_deleted();
        self.journal = None;
    }

    /// Undoes everything the open unit (or statement) changed.
    pub(crate) fn rollback_unit(&mut self) {
        let Some(journal) = self.journal.take() else { return };
        self.undo(journal.undo, journal.nodes, journal.edges);
    }

    #[cfg(any(feature = "server", test))]
    /// The open unit's record, if one is open.
    pub(super) fn unit_record(&self) -> Option<&Journal> {
        self.journal.as_deref().filter(|j| j.unit)
    }

    /// Puts back what `undo` records, newest first, and truncates the
    /// nodes and relationships created after the first `nodes` and
    /// `edges`.
    fn undo(&mut self, undo: Vec<Undo>, nodes: usize, edges: usize) {
        for undo in undo.into_iter().rev() {
            match undo {
                Undo::NodeProperties(n, props) => self.inner[NodeIndex::new(n.index())].properties = props,
                Undo::NodeLabels(n, labels) => self.inner[NodeIndex::new(n.index())].labels = labels,
                Undo::EdgeProperties(e, set) => self.inner[EdgeIndex::new(e.index())].properties = set,
                Undo::NodeDeleted(n, props, labels) => {
                    if let Some(t) = self.dead.as_deref_mut() {
                        t.nodes.set(n.index(), false);
                    }
                    let data = &mut self.inner[NodeIndex::new(n.index())];
                    data.properties = props;
                    data.labels = labels;
                }
                Undo::EdgeDeleted(e, set) => {
                    if let Some(t) = self.dead.as_deref_mut() {
                        t.edges.set(e.index(), false);
                    }
                    self.inner[EdgeIndex::new(e.index())].properties = set;
                }
            }
        }
        // Removing the last element moves nothing, so truncating from the
        // end keeps every older id.
        while self.inner.edge_count() > edges {
            self.inner.remove_edge(EdgeIndex::new(self.inner.edge_count() - 1));
        }
        while self.inner.node_count() > nodes {
            self.inner.remove_node(NodeIndex::new(self.inner.node_count() - 1));
        }
        self.rebuild_indexes();
    }

    fn record(&mut self, undo: impl FnOnce() -> Undo) {
        if let Some(journal) = self.journal.as_deref_mut() {
            journal.undo.push(undo());
        }
    }

    /// Recomputes every index and count from the nodes and relationships.
    fn rebuild_indexes(&mut self) {
        let slots = self.inner.node_count();
        if let Some(t) = self.dead.as_deref_mut() {
            t.nodes.grow(slots);
            t.edges.grow(self.inner.edge_count());
            // Slots past the end were truncated away.
            let (nodes, edges) = (slots, self.inner.edge_count());
            let keep = |set: &mut FixedBitSet, len: usize| {
                let mut fresh = FixedBitSet::with_capacity(len);
                fresh.extend(set.ones().filter(|&i| i < len));
                *set = fresh;
            };
            keep(&mut t.nodes, nodes);
            keep(&mut t.edges, edges);
            t.dead_nodes = t.nodes.count_ones(..);
            t.dead_edges = t.edges.count_ones(..);
            t.stale_labels.clear();
        }
        for list in &mut self.by_label {
            list.clear();
        }
        self.by_id.clear();
        self.ids_dense = true;
        self.duplicate_ids = false;
        for i in 0..slots {
            let n = NodeId(i as u32);
            if self.node_is_dead(n) {
                self.ids_dense = false;
                continue;
            }
            let data = &self.inner[NodeIndex::new(i)];
            for l in data.labels.iter() {
                self.by_label[l.0 as usize].push(n);
            }
            let props = data.properties.clone();
            self.index_id(n, &props, None);
        }
        if slots == 0 {
            self.ids_dense = false;
        }
        self.edges_per_type.iter_mut().for_each(|c| *c = 0);
        for (i, e) in self.inner.raw_edges().iter().enumerate() {
            if !self.dead.as_deref().is_some_and(|t| t.edge_is_dead(i)) {
                self.edges_per_type[e.weight.rel_type.0 as usize] += 1;
            }
        }
        self.changed();
    }

    /// Drops what was derived from the graph as it was.
    fn changed(&mut self) {
        self.adjacency.take();
        self.by_name.take();
    }

    // ----- liveness --------------------------------------------------------

    /// Whether a node has been deleted.
    #[inline]
    pub(crate) fn node_is_dead(&self, n: NodeId) -> bool {
        self.dead.as_deref().is_some_and(|t| t.node_is_dead(n.index()))
    }

    /// Whether a relationship has been deleted.
    #[inline]
    pub(crate) fn edge_is_dead(&self, e: EdgeId) -> bool {
        self.dead.as_deref().is_some_and(|t| t.edge_is_dead(e.index()))
    }

    fn tombstones(&mut self) -> &mut Tombstones {
        let (nodes, edges) = (self.inner.node_count(), self.inner.edge_count());
        let t = self.dead.get_or_insert_with(Default::default);
        t.nodes.grow(nodes);
        t.edges.grow(edges);
        t
    }

    /// A copy of the graph without the slots of deleted nodes and
    /// relationships: the live ones in the same order, renumbered from 0,
    /// with the same names, schema and registered procedures. Node and
    /// relationship ids held from before do not name the same entities in
    /// the copy (nor do node ids stored inside property values).
    ///
    /// [`Graph::save`] refuses a graph with deleted slots; save its
    /// compacted copy instead. Cost: O(nodes + relationships + properties),
    /// and a second copy of the graph in memory while it runs.
    ///
    /// ```
    /// let mut graph = aikg::Graph::new();
    /// graph.execute("CREATE (:T {n: 1}), (:T {n: 2})-[:R]->(:T {n: 3})")?;
    /// graph.execute("MATCH (t:T {n: 1}) DELETE t")?;
    /// let compact = graph.compacted();
    /// assert_eq!(compact.node_ids().map(|n| n.0).collect::<Vec<_>>(), [0, 1]);
    /// let path = std::env::temp_dir().join(format!("aikg-doc-compacted-{}.snapshot", std::process::id()));
    /// assert!(graph.save(&path).is_err());
    /// compact.save(&path)?;
    /// assert_eq!(aikg::Graph::open(&path)?.query("MATCH (:T)-[:R]->(t) RETURN t.n AS n")?.len(), 1);
    /// # std::fs::remove_file(&path).ok();
    /// # Ok::<(), aikg::Error>(())
    /// ```
    pub fn compacted(&self) -> Graph {
        let mut g = Graph {
            schema: self.schema,
            labels: self.labels.clone(),
            rel_types: self.rel_types.clone(),
            keys: self.keys.clone(),
            id_key: self.id_key,
            attached: self.attached.clone(),
            by_label: vec![Vec::new(); self.by_label.len().max(self.labels.0.len())],
            edges_per_type: vec![0; self.rel_types.0.len()],
            // A graph on keyed hashing stays on it (see `use_keyed_hashing`).
            by_id: super::ids::IdTable::with_hasher(self.by_id.hasher().clone()),
            edge_property_pool: std::collections::HashMap::with_hasher(
                self.edge_property_pool.hasher().clone(),
            ),
            ..Graph::default()
        };
        g.reserve(self.node_count(), self.edge_count());
        let mut renumbered = vec![NodeId(u32::MAX); self.node_slots()];
        for n in self.node_ids() {
            let data = self.inner[NodeIndex::new(n.index())].clone();
            let id = NodeId(g.inner.node_count() as u32);
            for l in data.labels.iter() {
                g.by_label[l.0 as usize].push(id);
            }
            g.index_id(id, &data.properties, None);
            g.inner.add_node(data);
            renumbered[n.index()] = id;
        }
        for e in self.edge_ids() {
            let (src, dst) = self.edge_endpoints(e);
            let set = g.shared_properties(self.edge_properties(e).into());
            g.add_edge_with_set(renumbered[src.index()], renumbered[dst.index()], self.edge_type(e), set);
        }
        g.prepare_traversal();
        g
    }

    // ----- deleting --------------------------------------------------------

    /// Deletes a relationship; false if it was dead already.
    pub(crate) fn delete_edge(&mut self, e: EdgeId) -> bool {
        if e.index() >= self.edge_slots() || self.edge_is_dead(e) {
            return false;
        }
        let t = self.tombstones();
        t.edges.insert(e.index());
        t.dead_edges += 1;
        let ty = self.edge_type(e);
        self.edges_per_type[ty.0 as usize] -= 1;
        // A dead relationship reads as having no properties, so that reads
        // pay nothing to tell it apart: only a missing property asks.
        let set = std::mem::replace(&mut self.inner[EdgeIndex::new(e.index())].properties, 0);
        self.record(|| Undo::EdgeDeleted(e, set));
        self.changed();
        true
    }

    /// The live relationships at a node, both directions (a self-loop twice).
    pub(crate) fn live_edges_of(&self, n: NodeId) -> Vec<EdgeId> {
        let node = NodeIndex::new(n.index());
        [petgraph::Direction::Outgoing, petgraph::Direction::Incoming]
            .into_iter()
            .flat_map(|d| self.inner.edges_directed(node, d))
            .map(|e| EdgeId(petgraph::visit::EdgeRef::id(&e).index() as u32))
            .filter(|e| !self.edge_is_dead(*e))
            .collect()
    }

    /// Deletes a node (its relationships must be deleted by the caller);
    /// false if it was dead already. The per-label lists drop it at the next
    /// [`purge_deleted`](Self::purge_deleted).
    pub(crate) fn delete_node(&mut self, n: NodeId) -> bool {
        if n.index() >= self.node_slots() || self.node_is_dead(n) {
            return false;
        }
        let labels: Vec<LabelId> = self.node_label_ids(n).to_vec();
        let t = self.tombstones();
        t.nodes.insert(n.index());
        t.dead_nodes += 1;
        for l in labels {
            if !t.stale_labels.contains(&l) {
                t.stale_labels.push(l);
            }
        }
        if let Some(Value::String(id)) = self.id_key.and_then(|k| self.node_property(n, k)).cloned() {
            self.by_id.remove(&id, n);
        }
        self.ids_dense = false;
        // As for relationships: a dead node has no properties or labels.
        let data = &mut self.inner[NodeIndex::new(n.index())];
        let props = std::mem::take(&mut data.properties);
        let labels = std::mem::take(&mut data.labels);
        self.record(|| Undo::NodeDeleted(n, props, labels));
        self.changed();
        true
    }

    /// Removes deleted nodes from the per-label lists. Cost: the length of
    /// the lists of the labels the deleted nodes had.
    pub(crate) fn purge_deleted(&mut self) {
        let Some(t) = self.dead.as_deref_mut() else { return };
        let stale = std::mem::take(&mut t.stale_labels);
        let t = self.dead.as_deref().expect("tombstones exist");
        for l in stale {
            self.by_label[l.0 as usize].retain(|n| !t.node_is_dead(n.index()));
        }
    }

    // ----- properties ------------------------------------------------------

    /// A node's properties as owned pairs, for changing them.
    fn node_props_vec(&self, n: NodeId) -> Vec<(KeyId, Value)> {
        self.node_properties(n).to_vec()
    }

    /// Replaces a node's property list, recording the old one.
    fn put_node_properties(&mut self, n: NodeId, props: Vec<(KeyId, Value)>) {
        let id_key = self.id_key;
        let touches_id = |p: &[(KeyId, Value)]| id_key.is_some_and(|k| p.iter().any(|(key, _)| *key == k));
        let old = &self.inner[NodeIndex::new(n.index())].properties;
        let old_id = id_key.and_then(|k| super::find_property(old, k)).cloned();
        let new_id = id_key.and_then(|k| super::find_property(&props, k)).cloned();
        if (touches_id(old) || touches_id(&props)) && old_id != new_id {
            // Ids may repeat now, so queries stop trusting the id index;
            // it still follows the change, so that `node_by_key` finds the
            // node by its new id whether or not a rollback rebuilt the
            // index since (and a replayed redo record gives the same index).
            self.duplicate_ids = true;
            self.ids_dense = false;
            if let Some(Value::String(old)) = &old_id {
                self.by_id.remove(old, n);
            }
            if let Some(new @ Value::String(_)) = new_id {
                // Another node with this id keeps it.
                let _ = self.by_id.insert(new, n);
            }
        }
        let old = std::mem::replace(&mut self.inner[NodeIndex::new(n.index())].properties, props.into());
        self.record(|| Undo::NodeProperties(n, old));
        self.by_name.take();
    }

    /// Sets (or, with null, removes) node properties; returns how many were
    /// set and how many removed.
    pub(crate) fn update_node_properties(
        &mut self,
        n: NodeId,
        replace: bool,
        changes: &[(&str, Value)],
    ) -> (usize, usize) {
        let mut props = if replace { Vec::new() } else { self.node_props_vec(n) };
        let removed_by_replace = if replace { self.node_properties(n).len() } else { 0 };
        let (set, removed) = self.apply_changes(&mut props, changes);
        self.put_node_properties(n, props);
        (set, removed + removed_by_replace)
    }

    /// Sets (or, with null, removes) relationship properties; returns how
    /// many were set and how many removed.
    pub(crate) fn update_edge_properties(
        &mut self,
        e: EdgeId,
        replace: bool,
        changes: &[(&str, Value)],
    ) -> (usize, usize) {
        let mut props = if replace { Vec::new() } else { self.edge_properties(e).to_vec() };
        let removed_by_replace = if replace { self.edge_properties(e).len() } else { 0 };
        let (set, removed) = self.apply_changes(&mut props, changes);
        let set_index = self.shared_properties(props.into_boxed_slice());
        let old = std::mem::replace(&mut self.inner[EdgeIndex::new(e.index())].properties, set_index);
        self.record(|| Undo::EdgeProperties(e, old));
        (set, removed + removed_by_replace)
    }

    fn apply_changes(
        &mut self,
        props: &mut Vec<(KeyId, Value)>,
        changes: &[(&str, Value)],
    ) -> (usize, usize) {
        let (mut set, mut removed) = (0, 0);
        for (key, value) in changes {
            let key = self.intern_key(key);
            let at = props.iter().position(|(k, _)| *k == key);
            match (at, value.is_null()) {
                (Some(i), true) => {
                    props.remove(i);
                    removed += 1;
                }
                (None, true) => {}
                (Some(i), false) => {
                    props[i].1 = value.clone();
                    set += 1;
                }
                (None, false) => {
                    props.push((key, value.clone()));
                    set += 1;
                }
            }
        }
        (set, removed)
    }

    // ----- labels ----------------------------------------------------------

    /// Adds labels to a node; returns how many it did not have.
    pub(crate) fn add_labels(&mut self, n: NodeId, labels: &[&str]) -> usize {
        let mut own = self.node_label_ids(n).to_vec();
        let mut added = 0;
        for l in labels {
            let id = self.intern_label(l);
            if !own.contains(&id) {
                own.push(id);
                self.by_label[id.0 as usize].push(n);
                added += 1;
            }
        }
        if added > 0 {
            self.put_labels(n, own);
        }
        added
    }

    /// Removes labels from a node; returns how many it had.
    pub(crate) fn remove_labels(&mut self, n: NodeId, labels: &[&str]) -> usize {
        let mut own = self.node_label_ids(n).to_vec();
        let mut removed = 0;
        for l in labels {
            let Some(id) = self.label_id(l) else { continue };
            if let Some(i) = own.iter().position(|x| *x == id) {
                own.remove(i);
                self.by_label[id.0 as usize].retain(|x| *x != n);
                removed += 1;
            }
        }
        if removed > 0 {
            self.put_labels(n, own);
        }
        removed
    }

    #[cfg(any(feature = "server", test))]
    /// Gives a node exactly `labels`, in that order (replaying a redo
    /// record).
    pub(super) fn set_labels(&mut self, n: NodeId, labels: &[&str]) {
        let mut want: Vec<LabelId> = Vec::with_capacity(labels.len());
        for l in labels {
            let id = self.intern_label(l);
            if !want.contains(&id) {
                want.push(id);
            }
        }
        let have = self.node_label_ids(n).to_vec();
        if have == want {
            return;
        }
        for l in have.iter().filter(|l| !want.contains(l)) {
            self.by_label[l.0 as usize].retain(|x| *x != n);
        }
        for l in want.iter().filter(|l| !have.contains(l)) {
            self.by_label[l.0 as usize].push(n);
        }
        self.put_labels(n, want);
    }

    fn put_labels(&mut self, n: NodeId, labels: Vec<LabelId>) {
        let old =
            std::mem::replace(&mut self.inner[NodeIndex::new(n.index())].labels, LabelSet::from_vec(labels));
        self.record(|| Undo::NodeLabels(n, old));
        self.changed();
    }
}

#[cfg(test)]
mod tests {
    use crate::model::Value;
    use crate::Graph;

    fn small() -> Graph {
        let mut g = Graph::new();
        let a = g.add_node(["A"], [("id", Value::from("a")), ("x", Value::Int(1))]);
        let b = g.add_node(["A", "B"], [("id", Value::from("b"))]);
        g.add_edge(a, b, "T", [("w", Value::Int(2))]);
        g
    }

    #[test]
    fn deleted_entities_keep_their_ids_and_vanish_from_scans() {
        let mut g = small();
        let (a, b) = (g.node_by_key("a").unwrap(), g.node_by_key("b").unwrap());
        let e = g.live_edges_of(a)[0];
        assert!(g.delete_edge(e));
        assert!(!g.delete_edge(e), "deleting twice is a no-op");
        assert!(g.delete_node(a));
        g.purge_deleted();
        assert_eq!((g.node_count(), g.edge_count()), (1, 0));
        assert_eq!(g.node_ids().collect::<Vec<_>>(), [b]);
        assert_eq!(g.node_ids().len(), 1);
        assert_eq!(g.labels().collect::<Vec<_>>(), [("A", 1), ("B", 1)]);
        assert_eq!(g.rel_types().collect::<Vec<_>>(), [("T", 0)]);
        assert_eq!(g.node_by_key("a"), None);
        assert_eq!(g.node(b).key(), Some("b"));
        assert_eq!(
            g.query("MATCH (n)-->() RETURN count(*) AS c").unwrap().iter().next().unwrap().get_int("c"),
            Some(0)
        );
    }

    #[test]
    fn compacting_drops_dead_slots_and_keeps_the_live_graph() {
        let mut g = small();
        g.execute("CREATE (:A {id: 'c'})-[:U {k: 1}]->(:B {id: 'd'})").unwrap();
        g.execute("MATCH (a {id: 'a'}) DETACH DELETE a").unwrap();
        g.execute("MATCH (c {id: 'c'}) SET c.id = 'c2', c:C").unwrap();
        let json = |g: &Graph| crate::export::Subgraph::all(g).to_json().to_string();
        let compact = g.compacted();
        assert_eq!((compact.node_slots(), compact.edge_slots()), (3, 1));
        assert_eq!(json(&compact), json(&g));
        assert_eq!(compact.labels().collect::<Vec<_>>(), g.labels().collect::<Vec<_>>());
        assert_eq!(compact.node_by_key("c2"), Some(crate::model::NodeId(1)));
        assert_eq!(compact.node_by_key("c"), None);
        let mut bytes = Vec::new();
        assert!(g.write_snapshot(&mut bytes).is_err(), "tombstones are refused");
        compact.write_snapshot(&mut bytes).unwrap();
        let opened = Graph::read_snapshot(bytes.as_slice()).unwrap();
        assert_eq!(json(&opened), json(&g));
        let q = "MATCH (c:C)-[u:U]->(d) RETURN c.id, u.k, d.id";
        assert_eq!(format!("{:?}", opened.query(q).unwrap()), format!("{:?}", g.query(q).unwrap()));
    }

    #[test]
    fn rollback_restores_everything_a_statement_changed() {
        let mut g = small();
        let before = crate::export::Subgraph::all(&g).to_json().to_string();
        let (a, b) = (g.node_by_key("a").unwrap(), g.node_by_key("b").unwrap());
        g.begin_statement();
        g.update_node_properties(a, false, &[("x", Value::Null), ("y", Value::Int(5))]);
        g.add_labels(a, &["C"]);
        g.remove_labels(b, &["A"]);
        let e = g.live_edges_of(a)[0];
        g.update_edge_properties(e, true, &[("v", Value::Int(1))]);
        g.delete_edge(e);
        g.delete_node(b);
        let c = g.add_node(["A"], [("id", Value::from("c"))]);
        g.add_edge(a, c, "U", []);
        g.rollback_statement();
        assert_eq!(crate::export::Subgraph::all(&g).to_json().to_string(), before);
        assert_eq!(g.node_by_key("b"), Some(b));
        assert_eq!(g.node_by_key("c"), None);
        assert_eq!(g.labels().collect::<Vec<_>>(), [("A", 2), ("B", 1), ("C", 0)]);
    }
}

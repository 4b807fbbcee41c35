//! Redo records: what a unit of writes changed, as a value that can be
//! written down and applied to another copy of the graph.
//!
//! The undo record of the `write` module says which entities a unit
//! touched and what they held before; the graph says what they hold now.
//! [`Graph::unit_changes`] puts the two together into [`Changes`]: the
//! final labels and properties of every existing node and relationship the
//! unit changed, the nodes and relationships it created (whole, in slot
//! order) and the ids it deleted. Its cost is proportional to the changes;
//! nothing is recorded while a unit runs beyond what rollback records
//! anyway, so a graph that never opens a unit (every library user who does
//! not serve a file) pays nothing.
//!
//! A record is physical, not the query text: a query that calls `rand()` or
//! reads the clock would not give the same graph twice. It names entities
//! by id, which is sound because ids are stable (deleted slots are never
//! reused) and created entities take the next slots in order: applying the
//! records in order to the graph they started from gives the same ids.
//! [`Graph::redo`] checks that the graph has the slot counts the
//! record started from, and every id it names, before changing anything.
//!
//! The result is the same graph as far as queries can tell: the same ids,
//! labels and properties in the same order. Two things may differ: nodes
//! in a label scan may come in another order (a label added to an old node
//! in the same statement as a new node with that label), and names
//! interned by statements that were rolled back are not interned.
//!
//! # Encoding
//!
//! Varints and values as in the snapshot format (`snapshot` module):
//!
//! ```text
//! node slots, relationship slots            at the start of the unit
//! created nodes       count, then each: labels, properties
//! created rels        count, then each: start, end, type, properties
//! updated nodes       count, then each: id, labels, properties
//! updated rels        count, then each: id, properties
//! deleted rels        count, then each id
//! deleted nodes       count, then each id
//! labels              count, then each name
//! properties          count, then each: key name, value
//! ```

use super::snapshot::values::{put_value, read_value};
use super::snapshot::{corrupt, put_str, put_uv, Corrupt, Reader};
use super::Graph;
use crate::model::{EdgeId, NodeId, Value};

/// A node's labels and properties, by name.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct NodeState {
    pub(crate) labels: Vec<String>,
    pub(crate) properties: Vec<(String, Value)>,
}

/// A created relationship.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EdgeState {
    pub(crate) src: NodeId,
    pub(crate) dst: NodeId,
    pub(crate) rel_type: String,
    pub(crate) properties: Vec<(String, Value)>,
}

/// What a unit of writes changed: see the module doc.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Changes {
    /// Node slots when the unit began: created nodes take the slots from
    /// here on.
    pub(crate) node_slots: usize,
    /// Relationship slots when the unit began.
    pub(crate) edge_slots: usize,
    /// Nodes created, in slot order (a node created and deleted again is
    /// here, empty, and among the deleted).
    pub(crate) created_nodes: Vec<NodeState>,
    /// Relationships created, in slot order.
    pub(crate) created_edges: Vec<EdgeState>,
    /// Older nodes whose labels or properties changed, with the final ones.
    pub(crate) updated_nodes: Vec<(NodeId, NodeState)>,
    /// Older relationships whose properties changed, with the final ones.
    pub(crate) updated_edges: Vec<(EdgeId, Vec<(String, Value)>)>,
    /// Relationships deleted.
    pub(crate) deleted_edges: Vec<EdgeId>,
    /// Nodes deleted.
    pub(crate) deleted_nodes: Vec<NodeId>,
}

impl Graph {
    /// What the open unit (see [`Graph::begin_unit`]) has changed so far;
    /// `None` when no unit is open or it changed nothing. O(changes).
    pub(crate) fn unit_changes(&self) -> Option<Changes> {
        let unit = self.unit_record()?;
        let (nodes, edges) = (unit.nodes, unit.edges);
        if unit.is_empty() && self.node_slots() == nodes && self.edge_slots() == edges {
            return None;
        }
        let touched = unit.touched();
        let mut updated_nodes = touched.nodes;
        updated_nodes.retain(|n| n.index() < nodes && !self.node_is_dead(*n));
        updated_nodes.sort_unstable();
        updated_nodes.dedup();
        let mut updated_edges = touched.edges;
        updated_edges.retain(|e| e.index() < edges && !self.edge_is_dead(*e));
        updated_edges.sort_unstable();
        updated_edges.dedup();
        Some(Changes {
            node_slots: nodes,
            edge_slots: edges,
            created_nodes: (nodes..self.node_slots()).map(|n| self.node_state(NodeId(n as u32))).collect(),
            created_edges: (edges..self.edge_slots())
                .map(|e| {
                    let e = EdgeId(e as u32);
                    let (src, dst) = self.edge_endpoints(e);
                    let rel_type = self.rel_type_name(self.edge_type(e)).to_string();
                    EdgeState { src, dst, rel_type, properties: self.named(self.edge_properties(e)) }
                })
                .collect(),
            updated_nodes: updated_nodes.into_iter().map(|n| (n, self.node_state(n))).collect(),
            updated_edges: updated_edges
                .into_iter()
                .map(|e| (e, self.named(self.edge_properties(e))))
                .collect(),
            deleted_edges: touched.deleted_edges,
            deleted_nodes: touched.deleted_nodes,
        })
    }

    fn node_state(&self, n: NodeId) -> NodeState {
        NodeState {
            labels: self.node_label_ids(n).iter().map(|l| self.label_name(*l).to_string()).collect(),
            properties: self.named(self.node_properties(n)),
        }
    }

    fn named(&self, properties: &[(super::KeyId, Value)]) -> Vec<(String, Value)> {
        properties.iter().map(|(k, v)| (self.key_name(*k).to_string(), v.clone())).collect()
    }

    /// Makes the changes `changes` records, on the graph they were made
    /// on (or a copy of it, or the graph that applying the same records in
    /// the same order gives). Cost: O(changes), plus rebuilding the
    /// per-label lists of labels whose nodes were deleted.
    ///
    /// # Errors
    /// A message when the graph does not have the slot counts the record
    /// starts from, or the record names an entity the graph does not have
    /// (or has deleted); the graph is then unchanged.
    pub(crate) fn redo(&mut self, changes: &Changes) -> Result<(), String> {
        self.check_changes(changes)?;
        for node in &changes.created_nodes {
            self.add_node(
                node.labels.iter().map(String::as_str),
                node.properties.iter().map(|(k, v)| (k.as_str(), v.clone())),
            );
        }
        for e in &changes.created_edges {
            self.add_edge(
                e.src,
                e.dst,
                &e.rel_type,
                e.properties.iter().map(|(k, v)| (k.as_str(), v.clone())),
            );
        }
        for (n, state) in &changes.updated_nodes {
            let labels: Vec<&str> = state.labels.iter().map(String::as_str).collect();
            self.set_labels(*n, &labels);
            let props: Vec<(&str, Value)> =
                state.properties.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            self.update_node_properties(*n, true, &props);
        }
        for (e, properties) in &changes.updated_edges {
            let props: Vec<(&str, Value)> = properties.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            self.update_edge_properties(*e, true, &props);
        }
        for e in &changes.deleted_edges {
            self.delete_edge(*e);
        }
        for n in &changes.deleted_nodes {
            self.delete_node(*n);
        }
        self.purge_deleted();
        Ok(())
    }

    fn check_changes(&self, c: &Changes) -> Result<(), String> {
        if self.node_slots() != c.node_slots || self.edge_slots() != c.edge_slots {
            return Err(format!(
                "the record starts from {} node and {} relationship slots, the graph has {} and {}",
                c.node_slots,
                c.edge_slots,
                self.node_slots(),
                self.edge_slots()
            ));
        }
        let nodes = c.node_slots + c.created_nodes.len();
        let edges = c.edge_slots + c.created_edges.len();
        if nodes > u32::MAX as usize || edges > u32::MAX as usize {
            return Err("the record creates more nodes or relationships than a graph holds".to_string());
        }
        let old_node = |n: NodeId| n.index() < c.node_slots && !self.node_is_dead(n);
        let node = |n: NodeId| (c.node_slots..nodes).contains(&n.index()) || old_node(n);
        let old_edge = |e: EdgeId| e.index() < c.edge_slots && !self.edge_is_dead(e);
        let edge = |e: EdgeId| (c.edge_slots..edges).contains(&e.index()) || old_edge(e);
        let missing =
            |what: &str, id: u32| Err(format!("the record names {what} {id}, which the graph does not have"));
        for e in &c.created_edges {
            for n in [e.src, e.dst] {
                if !node(n) {
                    return missing("node", n.0);
                }
            }
        }
        for (n, _) in &c.updated_nodes {
            if !old_node(*n) {
                return missing("node", n.0);
            }
        }
        for (e, _) in &c.updated_edges {
            if !old_edge(*e) {
                return missing("relationship", e.0);
            }
        }
        for e in &c.deleted_edges {
            if !edge(*e) {
                return missing("relationship", e.0);
            }
        }
        for n in &c.deleted_nodes {
            if !node(*n) {
                return missing("node", n.0);
            }
        }
        Ok(())
    }
}

impl Changes {
    /// Appends the encoded record to `out` (see the module doc).
    ///
    /// # Errors
    /// An [`std::io::ErrorKind::InvalidInput`] error for a property holding
    /// lists or maps nested more than 256 deep.
    pub(crate) fn encode(&self, out: &mut Vec<u8>) -> std::io::Result<()> {
        put_uv(out, self.node_slots as u64);
        put_uv(out, self.edge_slots as u64);
        put_uv(out, self.created_nodes.len() as u64);
        for n in &self.created_nodes {
            put_node(out, n)?;
        }
        put_uv(out, self.created_edges.len() as u64);
        for e in &self.created_edges {
            put_uv(out, u64::from(e.src.0));
            put_uv(out, u64::from(e.dst.0));
            put_str(out, &e.rel_type);
            put_props(out, &e.properties)?;
        }
        put_uv(out, self.updated_nodes.len() as u64);
        for (id, n) in &self.updated_nodes {
            put_uv(out, u64::from(id.0));
            put_node(out, n)?;
        }
        put_uv(out, self.updated_edges.len() as u64);
        for (id, props) in &self.updated_edges {
            put_uv(out, u64::from(id.0));
            put_props(out, props)?;
        }
        put_uv(out, self.deleted_edges.len() as u64);
        for e in &self.deleted_edges {
            put_uv(out, u64::from(e.0));
        }
        put_uv(out, self.deleted_nodes.len() as u64);
        for n in &self.deleted_nodes {
            put_uv(out, u64::from(n.0));
        }
        Ok(())
    }

    /// Decodes a record made by [`encode`](Self::encode), all of `bytes`.
    ///
    /// # Errors
    /// A message saying what is wrong, for bytes that are not such a
    /// record (never a panic).
    pub(crate) fn decode(bytes: &[u8]) -> Result<Changes, String> {
        let mut r = Reader { bytes, pos: 0 };
        let decoded = read_changes(&mut r).and_then(|c| {
            if r.remaining() != 0 {
                return corrupt(format!("{} unexpected bytes after the record", r.remaining()));
            }
            Ok(c)
        });
        decoded.map_err(|Corrupt(message)| format!("{message} (at byte {} of the record)", r.pos))
    }
}

fn put_props(out: &mut Vec<u8>, props: &[(String, Value)]) -> std::io::Result<()> {
    put_uv(out, props.len() as u64);
    for (k, v) in props {
        put_str(out, k);
        put_value(out, v, 0)?;
    }
    Ok(())
}

fn put_node(out: &mut Vec<u8>, n: &NodeState) -> std::io::Result<()> {
    put_uv(out, n.labels.len() as u64);
    for l in &n.labels {
        put_str(out, l);
    }
    put_props(out, &n.properties)
}

fn read_changes(r: &mut Reader<'_>) -> Result<Changes, Corrupt> {
    let slots = |r: &mut Reader<'_>, what: &str| r.u32(what).map(|v| v as usize);
    let mut c = Changes {
        node_slots: slots(r, "node slots")?,
        edge_slots: slots(r, "relationship slots")?,
        ..Changes::default()
    };
    // Each item takes at least this many bytes, so that a corrupt count is
    // refused before it allocates.
    for _ in 0..r.count(2)? {
        c.created_nodes.push(read_node(r)?);
    }
    for _ in 0..r.count(4)? {
        let (src, dst) = (NodeId(r.u32("node")?), NodeId(r.u32("node")?));
        let rel_type = r.str()?.to_string();
        c.created_edges.push(EdgeState { src, dst, rel_type, properties: read_props(r)? });
    }
    for _ in 0..r.count(3)? {
        let id = NodeId(r.u32("node")?);
        c.updated_nodes.push((id, read_node(r)?));
    }
    for _ in 0..r.count(2)? {
        let id = EdgeId(r.u32("relationship")?);
        c.updated_edges.push((id, read_props(r)?));
    }
    for _ in 0..r.count(1)? {
        c.deleted_edges.push(EdgeId(r.u32("relationship")?));
    }
    for _ in 0..r.count(1)? {
        c.deleted_nodes.push(NodeId(r.u32("node")?));
    }
    Ok(c)
}

fn read_props(r: &mut Reader<'_>) -> Result<Vec<(String, Value)>, Corrupt> {
    let n = r.count(2)?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let key = r.str()?.to_string();
        out.push((key, read_value(r, 0)?));
    }
    Ok(out)
}

fn read_node(r: &mut Reader<'_>) -> Result<NodeState, Corrupt> {
    let n = r.count(1)?;
    let mut labels = Vec::with_capacity(n);
    for _ in 0..n {
        labels.push(r.str()?.to_string());
    }
    Ok(NodeState { labels, properties: read_props(r)? })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::Subgraph;

    /// A schemaless graph with some data, created outside any unit.
    fn base() -> Graph {
        let mut g = Graph::new();
        g.execute("CREATE (:Old {id: 'o1', n: 1})-[:KNOWS {since: 2020}]->(:Old {id: 'o2'}), (:Other)")
            .unwrap();
        g
    }

    fn json(g: &Graph) -> String {
        Subgraph::all(g).to_json().to_string()
    }

    /// Runs `statements` on `graph` one unit each, returning the records.
    fn record(graph: &mut Graph, statements: &[&str]) -> Vec<Changes> {
        let mut out = Vec::new();
        for s in statements {
            graph.begin_unit();
            let ran = graph.execute(s);
            let changes = graph.unit_changes();
            graph.commit_unit();
            match ran {
                Ok(_) => out.extend(changes),
                Err(e) => assert!(changes.is_none(), "a failed statement left a record: {e}"),
            }
        }
        out
    }

    const STATEMENTS: &[&str] = &[
        "CREATE (a:A {id: 'a', x: 1})-[:T {w: 1.5}]->(b:A:B {id: 'b', d: date('2024-01-02')})",
        "CREATE (:C {list: [1, 2], s: ['a'], z: duration('P1D'), t: datetime('2024-01-02T03:04:05+01:00')})",
        "MATCH (a {id: 'a'}) SET a.x = a.x + 1, a.y = 'new', a:Extra REMOVE a:A",
        "MATCH (:A)-[t:T]->() SET t = {v: 'replaced'}",
        "MATCH (b {id: 'b'}) SET b.id = 'b2'",
        "CREATE (t:Temp) WITH t DELETE t",
        "MATCH (c:C) DETACH DELETE c",
        "MATCH (n {id: 'a'}) CREATE (n)-[:LOOP]->(n)",
        "MERGE (m:M {id: 'm'}) ON CREATE SET m.created = true",
        "MERGE (m:M {id: 'm'}) ON MATCH SET m.seen = 1",
        "MATCH (a {id: 'a'}) SET a = {}",
        "MATCH (n {id: 'nope'}) SET n.x = 1",
        "MATCH (a)-[r:LOOP]->() DELETE r",
        "RETURN 1 / 0",
        "MATCH (a:Extra) DELETE a",
        "MATCH (o:Old {id: 'o1'})-[k:KNOWS]->(p) SET k.since = 2021, p:Renamed, o.n = null CREATE (p)-[:BACK]->(o)",
        "MATCH (o:Other) DELETE o",
        "MATCH (o {id: 'o2'})-[b:BACK]->() DELETE b",
    ];

    #[test]
    fn replaying_records_gives_the_same_graph() {
        let base = base();
        let mut a = base.clone();
        let records = record(&mut a, STATEMENTS);
        assert!(records.len() >= 10, "{}", records.len());
        let mut b = base.clone();
        for c in &records {
            let mut bytes = Vec::new();
            c.encode(&mut bytes).unwrap();
            let decoded = Changes::decode(&bytes).unwrap();
            assert_eq!(&decoded, c);
            b.redo(&decoded).unwrap();
        }
        assert_eq!(json(&b), json(&a));
        assert_eq!((b.node_count(), b.edge_count()), (a.node_count(), a.edge_count()));
        assert_eq!(b.node_by_key("b2"), a.node_by_key("b2"));
        let q =
            "MATCH (n) WHERE n.id IN ['a', 'b2', 'm'] RETURN n.id, labels(n), properties(n) ORDER BY n.id";
        assert_eq!(format!("{:?}", b.query(q).unwrap()), format!("{:?}", a.query(q).unwrap()));
    }

    #[test]
    fn a_statement_that_changes_nothing_or_fails_leaves_no_record() {
        let mut g = base();
        let before = json(&g);
        let records = record(
            &mut g,
            &[
                "MATCH (n {id: 'no such node'}) SET n.x = 1",
                "CREATE (:X) WITH 1 AS one RETURN one / 0",
                "RETURN 1",
            ],
        );
        assert!(records.is_empty(), "{records:?}");
        assert_eq!(json(&g), before);
    }

    #[test]
    fn a_unit_of_several_statements_is_one_record_and_rolls_back_whole() {
        let mut g = Graph::new();
        g.begin_unit();
        g.execute("CREATE (:A {id: 'x'})").unwrap();
        assert!(g.execute("MATCH (a:A) CREATE (a)-[:T]->(:B) WITH a DELETE a").is_err());
        g.execute("MATCH (a:A) SET a.n = 2").unwrap();
        let c = g.unit_changes().unwrap();
        assert_eq!(c.created_nodes.len(), 1, "{c:?}");
        assert_eq!(
            c.created_nodes[0].properties,
            [("id".to_string(), Value::from("x")), ("n".into(), Value::Int(2))]
        );
        assert!(c.created_edges.is_empty() && c.updated_nodes.is_empty(), "{c:?}");
        g.rollback_unit();
        assert_eq!(g.node_count(), 0);
        let mut replayed = Graph::new();
        replayed.redo(&c).unwrap();
        assert_eq!(replayed.node(replayed.node_by_key("x").unwrap()).property("n"), Some(&Value::Int(2)));
    }

    #[test]
    fn applying_to_the_wrong_graph_changes_nothing() {
        let mut a = Graph::new();
        let c = record(&mut a, &["CREATE (:A)-[:T]->(:B)"]).remove(0);
        let mut other = Graph::new();
        other.add_node(["Z"], []);
        let err = other.redo(&c).unwrap_err();
        assert_eq!(err, "the record starts from 0 node and 0 relationship slots, the graph has 1 and 0");
        let bad = Changes { deleted_nodes: vec![NodeId(7)], ..Changes::default() };
        assert_eq!(
            Graph::new().redo(&bad).unwrap_err(),
            "the record names node 7, which the graph does not have"
        );
        let edge = Changes {
            created_nodes: vec![NodeState::default()],
            created_edges: vec![EdgeState {
                src: NodeId(0),
                dst: NodeId(1),
                rel_type: "T".into(),
                properties: vec![],
            }],
            ..Changes::default()
        };
        let mut g = Graph::new();
        assert!(g.redo(&edge).is_err());
        assert_eq!(g.node_slots(), 0, "nothing applied");
    }

    #[test]
    fn damaged_records_are_errors_not_panics() {
        let mut g = base();
        let c = record(&mut g, &[STATEMENTS[0], STATEMENTS[1]]);
        let mut bytes = Vec::new();
        c[1].encode(&mut bytes).unwrap();
        for cut in 0..bytes.len() {
            assert!(Changes::decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(Changes::decode(&longer).unwrap_err().starts_with("1 unexpected bytes after the record"));
        for i in 0..bytes.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut damaged = bytes.clone();
                damaged[i] ^= flip;
                let _ = Changes::decode(&damaged);
            }
        }
        let huge = [0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x0f];
        assert!(
            Changes::decode(&huge).unwrap_err().contains("is more than the"),
            "refused before allocating"
        );
    }
}

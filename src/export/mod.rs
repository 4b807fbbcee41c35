//! Exports a graph, or the part of it a query returned, in formats other
//! tools read.
//!
//! | format | writer | read by |
//! |---|---|---|
//! | JSON | [`Subgraph::write_json`], [`to_json`] | aikg itself ([`Graph::from_json_export`]), any JSON tool |
//! | CSV | [`Subgraph::write_neo4j_csv`] | `neo4j-admin database import` |
//! | Cypher | [`Subgraph::write_cypher`] | Neo4j (`cypher-shell`), Memgraph (`mgconsole`), aikg |
//! | Kùzu Cypher | [`Subgraph::write_kuzu`] | Kùzu (DDL first, then `CREATE`) |
//! | GraphML | [`Subgraph::write_graphml`] | Gephi, yEd, networkx, igraph |
//! | DOT | [`Subgraph::write_dot`] | Graphviz |
//! | Mermaid | [`Subgraph::write_mermaid`] | Markdown renderers (GitHub, GitLab, mdBook) |
//!
//! # Node keys
//!
//! Every format names a node by its *key*: its `id` property when that is a
//! string the graph's id index gives to this node (every node of graph data
//! and bulk CSV has one), else its index (a node made by `CREATE` without an
//! `id`, or one whose `id` repeats another node's). In JSON an index key is
//! a number, in the text formats `#` followed by the number. A node's string
//! key is not repeated among its properties; an `id` property that is not
//! the key (a number, or a repeated string) is kept there.
//!
//! # JSON
//!
//! ```text
//! {"nodes":[
//! {"id":"zhipu-ai","labels":["Company"],"properties":{"name":"Zhipu AI","name_zh":"智谱AI",...}},
//! ...
//! ],"relationships":[
//! {"type":"DEVELOPED_BY","src":"glm-130b","dst":"zhipu-ai","properties":{"source":"..."}},
//! ...
//! ]}
//! ```
//!
//! One entity per line, so the file diffs well and [`Graph::from_json_export`]
//! can report problems by line. Integers and floats stay distinct (`2019`
//! vs `175.0`); lists stay lists.
//!
//! ```
//! use aikg::{export, Graph};
//!
//! let graph = Graph::builtin();
//! let json = export::to_json(&graph);
//! assert_eq!(json["nodes"].as_array().map(Vec::len), Some(graph.node_count()));
//! let again = Graph::from_json_export(&json.to_string())?;
//! assert_eq!(again.edge_count(), graph.edge_count());
//! # Ok::<(), aikg::Error>(())
//! ```

mod csv;
mod cypher;
mod graphml;
mod json;
mod picture;

pub use csv::CsvNotes;
#[cfg(feature = "server")]
pub(crate) use json::value_to_json;
#[cfg(feature = "server")]
pub(crate) use picture::label_colour;

use std::collections::BTreeSet;
use std::fmt;

use indexmap::IndexMap;

use crate::model::{EdgeId, NodeId, Value};
use crate::result::ResultSet;
use crate::store::Graph;

/// The nodes and relationships to export from one graph: all of them, or
/// those a query result mentions. Nodes and relationships keep the graph's
/// insertion order.
#[derive(Debug, Clone)]
pub struct Subgraph<'g> {
    graph: &'g Graph,
    nodes: Vec<NodeId>,
    edges: Vec<EdgeId>,
}

/// How an export names a node: see the [module docs](self#node-keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeKey<'g> {
    /// The node's `id` property.
    Id(&'g str),
    /// The node's index, for nodes without an `id` of their own.
    Index(u32),
}

impl fmt::Display for NodeKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeKey::Id(s) => f.write_str(s),
            NodeKey::Index(i) => write!(f, "#{i}"),
        }
    }
}

impl NodeKey<'_> {
    fn to_json(self) -> serde_json::Value {
        match self {
            NodeKey::Id(s) => serde_json::Value::from(s),
            NodeKey::Index(i) => serde_json::Value::from(i),
        }
    }
}

/// The JSON export of a whole graph as a value; see the [module
/// docs](self#json) for the shape. [`Subgraph::write_json`] streams the
/// same to a writer without building the value.
pub fn to_json(graph: &Graph) -> serde_json::Value {
    Subgraph::all(graph).to_json()
}

impl<'g> Subgraph<'g> {
    /// Every node and relationship of `graph`.
    pub fn all(graph: &'g Graph) -> Subgraph<'g> {
        Subgraph { graph, nodes: graph.node_ids().collect(), edges: graph.edge_ids().collect() }
    }

    /// The nodes and relationships `result` mentions anywhere in its rows
    /// (inside lists, maps and paths too), plus both ends of every
    /// relationship. `result` must come from a query on `graph`; entities it
    /// names that `graph` does not have are left out.
    pub fn from_result(graph: &'g Graph, result: &ResultSet) -> Subgraph<'g> {
        let mut nodes = BTreeSet::new();
        let mut edges = BTreeSet::new();
        for row in result.rows() {
            for value in row {
                collect(value, &mut nodes, &mut edges);
            }
        }
        edges.retain(|e| e.index() < graph.edge_slots() && !graph.edge_is_dead(*e));
        for e in &edges {
            let (a, b) = graph.edge_endpoints(*e);
            nodes.insert(a);
            nodes.insert(b);
        }
        nodes.retain(|n| n.index() < graph.node_slots() && !graph.node_is_dead(*n));
        Subgraph { graph, nodes: nodes.into_iter().collect(), edges: edges.into_iter().collect() }
    }

    /// The graph the subgraph is part of.
    pub fn graph(&self) -> &'g Graph {
        self.graph
    }

    /// The nodes, in insertion order.
    pub fn nodes(&self) -> &[NodeId] {
        &self.nodes
    }

    /// The relationships, in insertion order.
    pub fn edges(&self) -> &[EdgeId] {
        &self.edges
    }

    /// The key every export names `node` by. O(1).
    pub fn node_key(&self, node: NodeId) -> NodeKey<'g> {
        node_key(self.graph, node)
    }

    /// A node's properties as exported: without the `id` property when that
    /// is the node's key.
    fn node_properties(&self, node: NodeId) -> impl Iterator<Item = (&'g str, &'g Value)> + 'g {
        let keyed = matches!(self.node_key(node), NodeKey::Id(_));
        self.graph.node(node).properties().filter(move |(k, _)| !(keyed && *k == "id"))
    }

    /// Whether every node is named by its `id` property.
    fn all_keyed(&self) -> bool {
        self.nodes.iter().all(|n| matches!(self.node_key(*n), NodeKey::Id(_)))
    }

    /// The columns the nodes' properties need: each key with one type that
    /// fits all its values, in order of first appearance.
    fn node_columns(&self) -> Columns<'g> {
        columns(self.nodes.iter().flat_map(|n| self.node_properties(*n)))
    }

    /// Like [`Subgraph::node_columns`], for relationships.
    fn edge_columns(&self) -> Columns<'g> {
        let g = self.graph;
        columns(self.edges.iter().flat_map(move |e| g.edge(*e).properties()))
    }
}

fn node_key(graph: &Graph, node: NodeId) -> NodeKey<'_> {
    match graph.node(node).key() {
        Some(key) if graph.node_by_key(key) == Some(node) => NodeKey::Id(key),
        _ => NodeKey::Index(node.0),
    }
}

fn collect(value: &Value, nodes: &mut BTreeSet<NodeId>, edges: &mut BTreeSet<EdgeId>) {
    match value {
        Value::Node(n) => {
            nodes.insert(*n);
        }
        Value::Relationship(e) => {
            edges.insert(*e);
        }
        Value::Path(p) => {
            nodes.extend(p.nodes.iter().copied());
            edges.extend(p.rels.iter().copied());
        }
        Value::List(items) => items.iter().for_each(|v| collect(v, nodes, edges)),
        Value::Map(m) => m.values().for_each(|v| collect(v, nodes, edges)),
        _ => {}
    }
}

/// Property keys with the one type each is written as, in order of first
/// appearance.
pub(crate) type Columns<'a> = IndexMap<&'a str, ColumnType>;

/// The scalar part of a column type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scalar {
    Bool,
    Int,
    Float,
    String,
}

/// The one type the values of a property key are written as in the typed
/// formats (CSV headers, Kùzu DDL, GraphML keys): a scalar or a list of one.
/// Keys whose values disagree fall back to strings (integers and floats
/// agree on float).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ColumnType {
    pub(crate) scalar: Scalar,
    pub(crate) list: bool,
}

impl ColumnType {
    const STRING: ColumnType = ColumnType { scalar: Scalar::String, list: false };

    fn of(value: &Value) -> Option<ColumnType> {
        let scalar = |v: &Value| match v {
            Value::Bool(_) => Some(Scalar::Bool),
            Value::Int(_) => Some(Scalar::Int),
            Value::Float(_) => Some(Scalar::Float),
            Value::Null => None,
            _ => Some(Scalar::String),
        };
        match value {
            Value::Null => None,
            Value::List(items) => {
                let mut elem: Option<Scalar> = None;
                for item in items {
                    if matches!(item, Value::List(_) | Value::Map(_)) {
                        return Some(ColumnType::STRING);
                    }
                    elem = match (elem, scalar(item)) {
                        (a, None) => a,
                        (None, b) => b,
                        (Some(a), Some(b)) => Some(unify_scalar(a, b)),
                    };
                }
                Some(ColumnType { scalar: elem.unwrap_or(Scalar::String), list: true })
            }
            other => scalar(other).map(|scalar| ColumnType { scalar, list: false }),
        }
    }

    fn unify(self, other: ColumnType) -> ColumnType {
        if self.list != other.list {
            return ColumnType::STRING;
        }
        ColumnType { scalar: unify_scalar(self.scalar, other.scalar), list: self.list }
    }
}

fn unify_scalar(a: Scalar, b: Scalar) -> Scalar {
    match (a, b) {
        (a, b) if a == b => a,
        (Scalar::Int, Scalar::Float) | (Scalar::Float, Scalar::Int) => Scalar::Float,
        _ => Scalar::String,
    }
}

fn columns<'a>(properties: impl Iterator<Item = (&'a str, &'a Value)>) -> Columns<'a> {
    let mut out: Columns<'a> = IndexMap::new();
    for (key, value) in properties {
        let Some(ty) = ColumnType::of(value) else { continue };
        out.entry(key).and_modify(|t| *t = t.unify(ty)).or_insert(ty);
    }
    out
}

/// A property value as plain text, for formats without types: strings as
/// they are, numbers and booleans as literals, lists and maps as JSON.
pub(crate) fn plain_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.to_string(),
        Value::Float(f) => json::float_text(*f),
        Value::List(_) | Value::Map(_) => json::value_to_json(value).to_string(),
        Value::Temporal(t) => t.to_string(),
        other => other.to_string(),
    }
}

/// A short summary of the facts on a relationship worth showing on a
/// picture's edge or a lineage branch: round, year, lead, role, basis, in
/// that order, e.g. `B, 2022, lead`.
pub fn edge_facts(graph: &Graph, edge: EdgeId) -> Option<String> {
    let e = graph.edge(edge);
    let mut parts = Vec::new();
    for key in ["round", "year", "role", "basis"] {
        if let Some(v) = e.property(key) {
            parts.push(plain_text(v));
        }
    }
    if e.property("lead").and_then(Value::as_bool) == Some(true) {
        parts.push("lead".to_string());
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Path;
    use std::sync::Arc;

    pub(crate) fn tiny() -> Graph {
        let mut g = Graph::new();
        let a = g.add_node(
            ["Model"],
            [
                ("id", "glm-130b".into()),
                ("name", "GLM-130B".into()),
                ("params_billion", Value::Float(130.0)),
                ("aliases", Value::from(vec!["GLM", "通用语言模型"])),
            ],
        );
        let b = g.add_node(["Model"], [("id", "chatglm-6b".into()), ("name", "ChatGLM-6B".into())]);
        let c = g.add_node(
            ["Company", "Investor"],
            [
                ("id", "zhipu-ai".into()),
                ("name", "Zhipu AI".into()),
                ("name_zh", "智谱AI".into()),
                ("founded", Value::Int(2019)),
                ("open", Value::Bool(true)),
            ],
        );
        let d = g.add_node(["Company"], [("name", "No \"Id\" & <Co>".into())]);
        g.add_edge(b, a, "BUILT_ON", [("source", "s > t".into())]);
        g.add_edge(a, c, "DEVELOPED_BY", [("source", "x,y".into())]);
        g.add_edge(c, d, "INVESTED_IN", [("round", "B".into()), ("year", Value::Int(2022))]);
        g
    }

    #[test]
    fn keys_fall_back_to_the_index() {
        let mut g = tiny();
        let dup = g.add_node(["Model"], [("id", "glm-130b".into())]);
        let numeric = g.add_node(["Model"], [("id", Value::Int(7))]);
        let sub = Subgraph::all(&g);
        assert_eq!(sub.node_key(NodeId(0)), NodeKey::Id("glm-130b"));
        assert_eq!(sub.node_key(NodeId(3)), NodeKey::Index(3));
        assert_eq!(sub.node_key(dup), NodeKey::Index(dup.0));
        assert_eq!(sub.node_key(numeric).to_string(), format!("#{}", numeric.0));
        // The repeated id stays a property; the key is not repeated.
        assert_eq!(sub.node_properties(dup).map(|(k, _)| k).collect::<Vec<_>>(), ["id"]);
        assert!(sub.node_properties(NodeId(0)).all(|(k, _)| k != "id"));
    }

    #[test]
    fn from_result_takes_paths_lists_and_relationship_ends() {
        let g = tiny();
        let path = Value::Path(Arc::new(Path { nodes: vec![NodeId(1), NodeId(0)], rels: vec![EdgeId(0)] }));
        let rows = vec![
            vec![path, Value::Int(1)],
            vec![Value::List(vec![Value::Relationship(EdgeId(2))]), Value::Null],
        ];
        let result = ResultSet::new(&g, vec!["p".into(), "x".into()], rows);
        let sub = Subgraph::from_result(&g, &result);
        assert_eq!(sub.nodes(), [NodeId(0), NodeId(1), NodeId(2), NodeId(3)]);
        assert_eq!(sub.edges(), [EdgeId(0), EdgeId(2)]);
    }

    #[test]
    fn column_types_unify() {
        let vals = [Value::Int(1), Value::Float(2.0)];
        let cols = columns(vals.iter().map(|v| ("k", v)));
        assert_eq!(cols["k"], ColumnType { scalar: Scalar::Float, list: false });
        let vals = [Value::Int(1), Value::from("x")];
        assert_eq!(columns(vals.iter().map(|v| ("k", v)))["k"], ColumnType::STRING);
        let vals = [Value::from(vec!["a"]), Value::List(vec![])];
        assert_eq!(
            columns(vals.iter().map(|v| ("k", v)))["k"],
            ColumnType { scalar: Scalar::String, list: true }
        );
        let vals = [Value::from(vec!["a"]), Value::from("b")];
        assert_eq!(columns(vals.iter().map(|v| ("k", v)))["k"], ColumnType::STRING);
    }

    #[test]
    fn edge_facts_summarise_rounds() {
        let g = tiny();
        assert_eq!(edge_facts(&g, EdgeId(2)).as_deref(), Some("B, 2022"));
        assert_eq!(edge_facts(&g, EdgeId(0)), None);
    }
}

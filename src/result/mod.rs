//! [`ResultSet`]: the columns and rows a query returns, with snapshots of the
//! nodes and relationships they mention, so a result stands on its own (it
//! can be printed or serialised after the graph has changed or is gone).

mod format;
mod table;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use indexmap::IndexMap;
use serde::ser::{SerializeMap, SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

use crate::error::GetError;
use crate::model::{EdgeId, NodeId, Value};
use crate::store::{FxBuild, Graph};

pub use format::{write_csv, write_json};

/// A node as it was when the query ran.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeSnapshot {
    /// The node's index in its graph.
    pub id: NodeId,
    /// Its labels.
    pub labels: Vec<String>,
    /// Its properties.
    pub properties: BTreeMap<String, Value>,
}

impl NodeSnapshot {
    /// The `id` property when it is a string (the stable key of graph data).
    pub fn key(&self) -> Option<&str> {
        self.properties.get("id").and_then(Value::as_str)
    }
}

/// A relationship as it was when the query ran.
#[derive(Debug, Clone, PartialEq)]
pub struct RelSnapshot {
    /// The relationship's index in its graph.
    pub id: EdgeId,
    /// Its type.
    pub rel_type: String,
    /// Its start node.
    pub src: NodeId,
    /// Its end node.
    pub dst: NodeId,
    /// Its properties.
    pub properties: BTreeMap<String, Value>,
}

/// What a query changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct QueryStats {
    /// Nodes created.
    pub nodes_created: usize,
    /// Relationships created.
    pub relationships_created: usize,
    /// Properties set.
    pub properties_set: usize,
    /// Labels added to nodes.
    pub labels_added: usize,
    /// Nodes deleted.
    pub nodes_deleted: usize,
    /// Relationships deleted.
    pub relationships_deleted: usize,
    /// Labels removed from nodes.
    pub labels_removed: usize,
}

/// The result of a query: named columns and rows of [`Value`]s.
///
/// Serialises (serde) as `{"columns": [...], "rows": [[...], ...]}` with
/// nodes as `{"id", "labels", "properties"}`, relationships as `{"id",
/// "type", "src", "dst", "properties"}` and paths as `{"nodes",
/// "relationships"}`; an entity's `id` is its `id` property when that is a
/// string, else its index.
///
/// ```
/// let graph = aikg::Graph::builtin();
/// let result = graph.query("MATCH (c:Company {id: 'zhipu-ai'}) RETURN c.name_zh AS zh")?;
/// assert_eq!(result.columns(), ["zh"]);
/// assert_eq!(result.iter().next().unwrap().get_str("zh"), Some("智谱AI"));
/// # Ok::<(), aikg::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResultSet {
    /// Shared with the cached plan that produced the result.
    columns: Arc<[String]>,
    /// Every row's values, row after row, one per column: a result of a
    /// hundred thousand rows is one allocation, not a hundred thousand.
    values: Vec<Value>,
    /// The number of rows (the columns may be none).
    len: usize,
    /// Snapshots of the entities the rows mention; none for most results,
    /// which then stay small enough that handing one back copies little.
    entities: Option<Box<Entities>>,
    warnings: Vec<String>,
    stats: QueryStats,
}

impl ResultSet {
    /// Builds a result from rows, taking snapshots from `graph` of every node
    /// and relationship the rows mention (inside lists, maps and paths too).
    /// Each row holds one value per column: a shorter row is filled up with
    /// nulls, and values past the last column are dropped.
    ///
    /// ```
    /// use aikg::{Graph, ResultSet, Value};
    ///
    /// let rows = vec![vec![Value::Int(1), Value::from("a")], vec![Value::Int(2)]];
    /// let result = ResultSet::new(&Graph::new(), vec!["n".into(), "s".into()], rows);
    /// assert_eq!(result.row(1), Some(&[Value::Int(2), Value::Null][..]));
    /// ```
    pub fn new(graph: &Graph, columns: Vec<String>, rows: Vec<Vec<Value>>) -> ResultSet {
        let width = columns.len();
        let len = rows.len();
        let mut values = Vec::with_capacity(width * len);
        for row in rows {
            let given = row.len().min(width);
            values.extend(row.into_iter().take(width));
            values.extend(std::iter::repeat_n(Value::Null, width - given));
        }
        ResultSet::from_values(graph, columns.into(), values, len, QueryStats::default(), Vec::new())
    }

    /// A result from `len` rows laid out one after another in `values`,
    /// `columns.len()` values each, made in place (a result is a few
    /// hundred bytes, and a point lookup would otherwise copy it once per
    /// builder call).
    pub(crate) fn from_values(
        graph: &Graph,
        columns: Arc<[String]>,
        values: Vec<Value>,
        len: usize,
        stats: QueryStats,
        warnings: Vec<String>,
    ) -> ResultSet {
        debug_assert_eq!(values.len(), columns.len() * len);
        let mut nodes = Vec::new();
        let mut rels = Vec::new();
        for v in &values {
            // Most values are scalars: telling them apart here is a compare,
            // where the call would be a frame per value.
            if !v.is_scalar() {
                collect_entities(v, &mut nodes, &mut rels);
            }
        }
        let entities =
            (!nodes.is_empty() || !rels.is_empty()).then(|| Box::new(Entities::of(graph, nodes, rels)));
        ResultSet { columns, values, len, entities, warnings, stats }
    }

    /// The column names, in order.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The rows, each as its values in column order.
    ///
    /// ```
    /// let graph = aikg::Graph::new();
    /// let result = graph.query("UNWIND [1, 2] AS n RETURN n, n * 10 AS m")?;
    /// let sums: Vec<i64> = result.rows().map(|r| r.iter().filter_map(|v| v.as_int()).sum()).collect();
    /// assert_eq!(sums, [11, 22]);
    /// # Ok::<(), aikg::Error>(())
    /// ```
    pub fn rows(&self) -> Rows<'_> {
        Rows { values: &self.values, width: self.columns.len(), left: self.len }
    }

    /// Row `i`'s values in column order, if there is such a row.
    pub fn row(&self, i: usize) -> Option<&[Value]> {
        let width = self.columns.len();
        (i < self.len).then(|| &self.values[i * width..(i + 1) * width])
    }

    /// Takes the rows out.
    pub fn into_rows(self) -> Vec<Vec<Value>> {
        let width = self.columns.len();
        let mut values = self.values.into_iter();
        (0..self.len).map(|_| values.by_ref().take(width).collect()).collect()
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// `true` when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The rows with access by column name.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Row<'_>> + '_ {
        self.rows().map(move |values| Row { result: self, values })
    }

    /// Warnings about the query, such as a label that does not exist in the
    /// graph (with a did-you-mean suggestion).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// What the query changed.
    pub fn stats(&self) -> QueryStats {
        self.stats
    }

    /// The snapshot of a node the rows mention.
    pub fn node(&self, id: NodeId) -> Option<&NodeSnapshot> {
        self.entities.as_ref()?.nodes.get(&id)
    }

    /// The snapshot of a relationship the rows mention.
    pub fn relationship(&self, id: EdgeId) -> Option<&RelSnapshot> {
        self.entities.as_ref()?.relationships.get(&id)
    }

    /// The index of a column.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// Serialises one value the way [`ResultSet`]'s serde form does.
    pub fn value_json(&self, value: &Value) -> serde_json::Value {
        serde_json::to_value(ValueSer { result: self, value }).unwrap_or(serde_json::Value::Null)
    }

    /// Renders a value for display: scalars as Cypher literals (strings
    /// and temporals unquoted at top level, temporals as ISO text), nodes as `(:Label {id: ...})`.
    pub fn display_value(&self, value: &Value) -> String {
        match value {
            Value::String(s) => s.to_string(),
            Value::Temporal(t) => t.to_string(),
            other => self.literal(other),
        }
    }

    /// Renders a value as Cypher-like literal text, entities included:
    /// `(:Model {id: 'glm-130b', ...})`, `[:BUILT_ON {...}]`, `<(...)-[...]->(...)>`.
    pub fn literal(&self, value: &Value) -> String {
        let mut out = String::new();
        self.write_literal(&mut out, value);
        out
    }

    fn write_literal(&self, out: &mut String, value: &Value) {
        use std::fmt::Write;
        match value {
            Value::List(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.write_literal(out, v);
                }
                out.push(']');
            }
            Value::Map(m) => {
                out.push('{');
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    let _ = write!(out, "{}: ", crate::model::quote_ident(k));
                    self.write_literal(out, v);
                }
                out.push('}');
            }
            Value::Node(n) => self.write_node(out, *n),
            Value::Relationship(r) => self.write_rel(out, *r),
            Value::Path(p) => {
                out.push('<');
                self.write_node(out, p.nodes[0]);
                for (i, r) in p.rels.iter().enumerate() {
                    let forward = self.relationship(*r).is_none_or(|s| s.src == p.nodes[i]);
                    out.push_str(if forward { "-" } else { "<-" });
                    self.write_rel(out, *r);
                    out.push_str(if forward { "->" } else { "-" });
                    self.write_node(out, p.nodes[i + 1]);
                }
                out.push('>');
            }
            other => {
                let _ = write!(out, "{other}");
            }
        }
    }

    fn write_props(&self, out: &mut String, props: &BTreeMap<String, Value>) {
        if props.is_empty() {
            return;
        }
        out.push_str(" {");
        for (i, (k, v)) in props.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(&crate::model::quote_ident(k));
            out.push_str(": ");
            self.write_literal(out, v);
        }
        out.push('}');
    }

    fn write_node(&self, out: &mut String, n: NodeId) {
        out.push('(');
        if let Some(snap) = self.node(n) {
            for l in &snap.labels {
                out.push(':');
                out.push_str(&crate::model::quote_ident(l));
            }
            self.write_props(out, &snap.properties);
        }
        out.push(')');
    }

    fn write_rel(&self, out: &mut String, r: EdgeId) {
        out.push('[');
        if let Some(snap) = self.relationship(r) {
            out.push(':');
            out.push_str(&crate::model::quote_ident(&snap.rel_type));
            self.write_props(out, &snap.properties);
        }
        out.push(']');
    }
}

/// The snapshots of a result's nodes and relationships.
#[derive(Debug, Clone, Default, PartialEq)]
struct Entities {
    /// Keyed by the graph's own dense ids, so a fast fixed hash serves.
    nodes: IndexMap<NodeId, NodeSnapshot, FxBuild>,
    relationships: IndexMap<EdgeId, RelSnapshot, FxBuild>,
}

impl Entities {
    /// Snapshots of `nodes` and `rels`, and of the ends of `rels`.
    fn of(graph: &Graph, nodes: Vec<NodeId>, rels: Vec<EdgeId>) -> Entities {
        let mut out = Entities::default();
        for n in nodes {
            out.nodes.entry(n).or_insert_with(|| snapshot_node(graph, n));
        }
        for r in rels {
            if !out.relationships.contains_key(&r) {
                let snap = snapshot_rel(graph, r);
                out.nodes.entry(snap.src).or_insert_with(|| snapshot_node(graph, snap.src));
                out.nodes.entry(snap.dst).or_insert_with(|| snapshot_node(graph, snap.dst));
                out.relationships.insert(r, snap);
            }
        }
        out
    }
}

fn collect_entities(v: &Value, nodes: &mut Vec<NodeId>, rels: &mut Vec<EdgeId>) {
    match v {
        Value::Node(n) => nodes.push(*n),
        Value::Relationship(r) => rels.push(*r),
        Value::Path(p) => {
            nodes.extend(&p.nodes);
            rels.extend(&p.rels);
        }
        Value::List(items) => items.iter().for_each(|i| collect_entities(i, nodes, rels)),
        Value::Map(m) => m.values().for_each(|i| collect_entities(i, nodes, rels)),
        _ => {}
    }
}

fn snapshot_node(graph: &Graph, n: NodeId) -> NodeSnapshot {
    let node = graph.node(n);
    NodeSnapshot {
        id: n,
        labels: node.labels().map(str::to_string).collect(),
        properties: node.properties().map(|(k, v)| (k.to_string(), v.clone())).collect(),
    }
}

fn snapshot_rel(graph: &Graph, r: EdgeId) -> RelSnapshot {
    let edge = graph.edge(r);
    RelSnapshot {
        id: r,
        rel_type: edge.rel_type().to_string(),
        src: edge.src().id(),
        dst: edge.dst().id(),
        properties: edge.properties().map(|(k, v)| (k.to_string(), v.clone())).collect(),
    }
}

/// The rows of a [`ResultSet`], each as a slice of values in column
/// order: see [`ResultSet::rows`].
#[derive(Debug, Clone)]
pub struct Rows<'r> {
    values: &'r [Value],
    width: usize,
    left: usize,
}

impl<'r> Iterator for Rows<'r> {
    type Item = &'r [Value];

    fn next(&mut self) -> Option<&'r [Value]> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let (row, rest) = self.values.split_at(self.width);
        self.values = rest;
        Some(row)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl DoubleEndedIterator for Rows<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let (rest, row) = self.values.split_at(self.values.len() - self.width);
        self.values = rest;
        Some(row)
    }
}

impl ExactSizeIterator for Rows<'_> {}

/// A type a column's value can be read as, by [`Row::try_get`] and
/// [`RowRef::try_get`]: `i64`, `f64` (from an integer too), `bool`, `&str`,
/// `String`, [`NodeId`], [`EdgeId`], `&Path`, `&[Value]`, `&Value` and
/// [`Value`] (any value, null included), and `Option` of any of these
/// (`None` for null).
pub trait FromValue<'r>: Sized {
    /// The openCypher name of the type, for [`GetError::WrongType`].
    const TYPE_NAME: &'static str;

    /// The value as this type, or `None` when it has another type (or is
    /// null).
    fn from_value(value: &'r Value) -> Option<Self>;

    /// What a null reads as: an error, except for the types that can hold
    /// one.
    #[doc(hidden)]
    fn from_null() -> Option<Self> {
        None
    }
}

macro_rules! from_value {
    ($($ty:ty, $name:literal, $as:expr;)*) => {$(
        impl<'r> FromValue<'r> for $ty {
            const TYPE_NAME: &'static str = $name;

            fn from_value(value: &'r Value) -> Option<Self> {
                $as(value)
            }
        }
    )*};
}

from_value! {
    i64, "Integer", Value::as_int;
    f64, "Float", Value::as_f64;
    bool, "Boolean", Value::as_bool;
    &'r str, "String", Value::as_str;
    String, "String", |v: &Value| v.as_str().map(str::to_string);
    NodeId, "Node", Value::as_node;
    EdgeId, "Relationship", Value::as_relationship;
    &'r crate::model::Path, "Path", Value::as_path;
    &'r [Value], "List", Value::as_list;
}

impl<'r> FromValue<'r> for &'r Value {
    const TYPE_NAME: &'static str = "Any";

    fn from_value(value: &'r Value) -> Option<Self> {
        Some(value)
    }

    fn from_null() -> Option<Self> {
        Some(&Value::Null)
    }
}

impl FromValue<'_> for Value {
    const TYPE_NAME: &'static str = "Any";

    fn from_value(value: &Value) -> Option<Self> {
        Some(value.clone())
    }

    fn from_null() -> Option<Self> {
        Some(Value::Null)
    }
}

impl<'r, T: FromValue<'r>> FromValue<'r> for Option<T> {
    const TYPE_NAME: &'static str = T::TYPE_NAME;

    fn from_value(value: &'r Value) -> Option<Self> {
        T::from_value(value).map(Some)
    }

    fn from_null() -> Option<Self> {
        Some(None)
    }
}

/// Reads `column` of a row as `T`: see [`Row::try_get`].
fn try_get<'r, T: FromValue<'r>>(
    columns: &[String],
    value: Option<&'r Value>,
    column: &str,
) -> Result<T, GetError> {
    let Some(value) = value else {
        return Err(GetError::MissingColumn {
            column: column.to_string(),
            suggestions: crate::store::closest(column, columns.iter().map(String::as_str), 3),
        });
    };
    let read = if value.is_null() { T::from_null() } else { T::from_value(value) };
    read.ok_or_else(|| match value {
        Value::Null => GetError::Null { column: column.to_string() },
        other => GetError::WrongType {
            column: column.to_string(),
            expected: T::TYPE_NAME,
            found: other.type_name(),
        },
    })
}

/// The typed column getters [`Row`] and [`RowRef`] share, over their
/// `get(column) -> Option<&'r Value>` and `columns()`.
macro_rules! typed_getters {
    ($r:lifetime) => {
        /// The value in `column` as a `T`, or why there is none: no such
        /// column (with close names), null, or a value of another type.
        /// The `get_*` getters answer `None` for all three.
        ///
        /// ```
        /// use aikg::GetError;
        ///
        /// let graph = aikg::Graph::builtin();
        /// let result = graph.query("MATCH (c:Company {id: 'zhipu-ai'}) RETURN c.founded AS founded, c.name AS name, null AS nothing")?;
        /// let row = result.iter().next().unwrap();
        /// assert_eq!(row.try_get::<i64>("founded")?, 2019);
        /// assert_eq!(row.try_get::<&str>("name")?, "Zhipu AI");
        /// assert_eq!(row.try_get::<Option<i64>>("nothing")?, None);
        /// assert_eq!(
        ///     row.try_get::<i64>("founder").unwrap_err().to_string(),
        ///     "no column 'founder'; did you mean 'founded'?"
        /// );
        /// assert!(matches!(row.try_get::<i64>("nothing"), Err(GetError::Null { .. })));
        /// assert_eq!(
        ///     row.try_get::<i64>("name").unwrap_err().to_string(),
        ///     "column 'name' holds String, not Integer"
        /// );
        /// # Ok::<(), aikg::Error>(())
        /// ```
        ///
        /// # Errors
        /// [`GetError`], which converts into [`Error`](crate::Error) for `?`.
        pub fn try_get<T: FromValue<$r>>(&self, column: &str) -> Result<T, GetError> {
            try_get(self.columns(), self.get(column), column)
        }

        /// A string column.
        pub fn get_str(&self, column: &str) -> Option<&$r str> {
            self.get(column)?.as_str()
        }

        /// An integer column.
        pub fn get_int(&self, column: &str) -> Option<i64> {
            self.get(column)?.as_int()
        }

        /// A numeric column as float.
        pub fn get_f64(&self, column: &str) -> Option<f64> {
            self.get(column)?.as_f64()
        }

        /// A boolean column.
        pub fn get_bool(&self, column: &str) -> Option<bool> {
            self.get(column)?.as_bool()
        }
    };
}

/// One row of a [`ResultSet`], with access by column name.
#[derive(Debug, Clone, Copy)]
pub struct Row<'r> {
    result: &'r ResultSet,
    values: &'r [Value],
}

impl<'r> Row<'r> {
    /// The column names, in order.
    pub fn columns(&self) -> &'r [String] {
        self.result.columns()
    }

    /// The value in a column, by name.
    pub fn get(&self, column: &str) -> Option<&'r Value> {
        self.values.get(self.result.column_index(column)?)
    }

    /// The values in column order.
    pub fn values(&self) -> &'r [Value] {
        self.values
    }

    typed_getters!('r);

    /// A node column, as its snapshot.
    pub fn get_node(&self, column: &str) -> Option<&'r NodeSnapshot> {
        self.result.node(self.get(column)?.as_node()?)
    }

    /// A relationship column, as its snapshot.
    pub fn get_relationship(&self, column: &str) -> Option<&'r RelSnapshot> {
        self.result.relationship(self.get(column)?.as_relationship()?)
    }
}

/// One row handed to [`Query::for_each_row`](crate::Query::for_each_row):
/// its values, borrowed for the call (from the graph where the query read
/// them straight from it), with access by column name.
///
/// Nodes and relationships are the graph's ids: look them up in the graph
/// the query ran on (there are no snapshots, as in a [`ResultSet`]).
///
/// ```
/// let graph = aikg::Graph::builtin();
/// let query = aikg::Query::parse("MATCH (m:Model {id: $id}) RETURN m.name AS name, m")?;
/// let params = aikg::Params::from([("id", aikg::Value::from("chatglm-6b"))]);
/// let mut names = Vec::new();
/// query.for_each_row(&graph, &params, |row| {
///     names.push(row.get_str("name").map(str::to_string));
///     let node = row.get("m").and_then(aikg::Value::as_node).map(|n| graph.node(n));
///     assert_eq!(node.and_then(|n| n.key()), Some("chatglm-6b"));
/// })?;
/// assert_eq!(names, [Some("ChatGLM-6B".to_string())]);
/// # Ok::<(), aikg::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct RowRef<'r> {
    columns: &'r [String],
    values: RowValues<'r>,
}

/// A row's values as a run has them: in a run's own storage, or each
/// borrowed from wherever it lives (see `query::exec::point`).
#[derive(Debug, Clone, Copy)]
pub(crate) enum RowValues<'r> {
    Owned(&'r [Value]),
    Borrowed(&'r [&'r Value]),
}

impl<'r> RowRef<'r> {
    pub(crate) fn new(columns: &'r [String], values: RowValues<'r>) -> RowRef<'r> {
        RowRef { columns, values }
    }

    /// The column names, in order.
    pub fn columns(&self) -> &'r [String] {
        self.columns
    }

    /// The number of values (one per column).
    pub fn len(&self) -> usize {
        match self.values {
            RowValues::Owned(values) => values.len(),
            RowValues::Borrowed(values) => values.len(),
        }
    }

    /// `true` when the row has no columns.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value in column `i`, if there is such a column.
    pub fn value(&self, i: usize) -> Option<&'r Value> {
        match self.values {
            RowValues::Owned(values) => values.get(i),
            RowValues::Borrowed(values) => values.get(i).copied(),
        }
    }

    /// The values in column order.
    pub fn values(&self) -> impl ExactSizeIterator<Item = &'r Value> + 'r {
        let values = self.values;
        (0..self.len()).map(move |i| match values {
            RowValues::Owned(values) => &values[i],
            RowValues::Borrowed(values) => values[i],
        })
    }

    /// The values copied out, for keeping past the call.
    pub fn to_vec(&self) -> Vec<Value> {
        self.values().cloned().collect()
    }

    /// The value in a column, by name.
    pub fn get(&self, column: &str) -> Option<&'r Value> {
        self.value(self.columns.iter().position(|c| c == column)?)
    }

    typed_getters!('r);
}

struct ValueSer<'a> {
    result: &'a ResultSet,
    value: &'a Value,
}

struct EntityId<'a>(&'a BTreeMap<String, Value>, u32);

impl Serialize for EntityId<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.get("id") {
            Some(Value::String(key)) => s.serialize_str(key),
            _ => s.serialize_u32(self.1),
        }
    }
}

struct PropsSer<'a>(&'a ResultSet, &'a BTreeMap<String, Value>);

impl Serialize for PropsSer<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.1.len()))?;
        for (k, v) in self.1 {
            map.serialize_entry(k, &ValueSer { result: self.0, value: v })?;
        }
        map.end()
    }
}

impl Serialize for ValueSer<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.result;
        match self.value {
            Value::Null => s.serialize_none(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => s.serialize_i64(*i),
            // JSON has no NaN or infinities; they become null.
            Value::Float(f) if !f.is_finite() => s.serialize_none(),
            Value::Float(f) => s.serialize_f64(*f),
            Value::String(x) => s.serialize_str(x),
            Value::List(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for v in items {
                    seq.serialize_element(&ValueSer { result: r, value: v })?;
                }
                seq.end()
            }
            Value::Map(m) => PropsSer(r, m).serialize(s),
            Value::Node(n) => match r.node(*n) {
                Some(snap) => {
                    let mut st = s.serialize_struct("Node", 3)?;
                    st.serialize_field("id", &EntityId(&snap.properties, n.0))?;
                    st.serialize_field("labels", &snap.labels)?;
                    st.serialize_field("properties", &PropsSer(r, &snap.properties))?;
                    st.end()
                }
                None => s.serialize_u32(n.0),
            },
            Value::Relationship(e) => match r.relationship(*e) {
                Some(snap) => {
                    let node_id = |n: NodeId| {
                        r.node(n).map_or(serde_json::Value::from(n.0), |ns| {
                            serde_json::to_value(EntityId(&ns.properties, n.0)).unwrap_or_default()
                        })
                    };
                    let mut st = s.serialize_struct("Relationship", 5)?;
                    st.serialize_field("id", &e.0)?;
                    st.serialize_field("type", &snap.rel_type)?;
                    st.serialize_field("src", &node_id(snap.src))?;
                    st.serialize_field("dst", &node_id(snap.dst))?;
                    st.serialize_field("properties", &PropsSer(r, &snap.properties))?;
                    st.end()
                }
                None => s.serialize_u32(e.0),
            },
            Value::Path(p) => {
                let nodes: Vec<Value> = p.nodes.iter().map(|n| Value::Node(*n)).collect();
                let rels: Vec<Value> = p.rels.iter().map(|e| Value::Relationship(*e)).collect();
                let mut st = s.serialize_struct("Path", 2)?;
                st.serialize_field("nodes", &ValueSer { result: r, value: &Value::List(nodes) })?;
                st.serialize_field("relationships", &ValueSer { result: r, value: &Value::List(rels) })?;
                st.end()
            }
            Value::Temporal(t) => s.collect_str(t),
        }
    }
}

struct RowSer<'a>(&'a ResultSet, &'a [Value]);

impl Serialize for RowSer<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.1.len()))?;
        for v in self.1 {
            seq.serialize_element(&ValueSer { result: self.0, value: v })?;
        }
        seq.end()
    }
}

/// The result as the `aikg query` command prints it: an aligned table
/// (numeric columns to the right, Chinese text two columns a character)
/// and a row count line. Strings show bare and other values as
/// [`display_value`](ResultSet::display_value) writes them. A precision
/// cuts every cell to that many columns, ending it in `…` (`{:.40}`; 0
/// means no limit, as without one).
///
/// ```
/// use aikg::{Graph, ResultSet, Value};
///
/// let rows = vec![vec![Value::from("智谱AI"), Value::Int(2019)], vec![Value::from("MiniMax"), Value::Null]];
/// let result = ResultSet::new(&Graph::new(), vec!["name".into(), "founded".into()], rows);
/// assert_eq!(
///     result.to_string(),
///     " name    | founded\n\
///      ---------+---------\n \
///      智谱AI  |    2019\n \
///      MiniMax |    null\n\
///      (2 rows)\n"
/// );
/// assert_eq!(format!("{result:.4}").lines().nth(3), Some(" Min… | null"));
/// ```
impl fmt::Display for ResultSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.columns.is_empty() {
            let mut t = table::Table::new(self.columns.to_vec());
            let is_number = |v: Option<&Value>| matches!(v, Some(Value::Int(_) | Value::Float(_)));
            for i in 0..self.columns.len() {
                let numeric = self.rows().any(|r| is_number(r.get(i)))
                    && self.rows().all(|r| is_number(r.get(i)) || matches!(r.get(i), Some(Value::Null)));
                t.align_right(i, numeric);
            }
            for row in self.rows() {
                t.push(row.iter().map(|v| self.display_value(v)).collect());
            }
            f.write_str(&t.render(f.precision().unwrap_or(0)))?;
        }
        writeln!(f, "{}", table::row_count(self.len))
    }
}

impl Serialize for ResultSet {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("ResultSet", 2)?;
        st.serialize_field("columns", &*self.columns)?;
        let rows: Vec<RowSer<'_>> = self.rows().map(|r| RowSer(self, r)).collect();
        st.serialize_field("rows", &rows)?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_the_command_line_table() {
        let g = Graph::builtin();
        let zhipu = g.resolve("zhipu-ai").unwrap();
        let result = ResultSet::new(
            &g,
            vec!["name".into(), "founded".into()],
            vec![vec![Value::from("智谱AI"), Value::Int(2019)], vec![Value::from("x"), Value::Null]],
        );
        assert_eq!(
            format!("{result:.60}"),
            " name   | founded\n--------+---------\n 智谱AI |    2019\n x      |    null\n(2 rows)\n"
        );
        let nodes = ResultSet::new(&g, vec!["n".into()], vec![vec![Value::Node(zhipu)]]);
        let text = format!("{nodes:.30}");
        assert!(text.contains(" (:Company {aliases: ['"), "{text}");
        assert!(text.lines().nth(2).is_some_and(|l| l.ends_with('…')), "{text}");
        assert!(format!("{nodes}").lines().nth(2).is_some_and(|l| !l.ends_with('…')));
        let no_columns = ResultSet::new(&g, Vec::new(), vec![Vec::new()]);
        assert_eq!(no_columns.to_string(), "(1 row)\n");
    }

    #[test]
    fn rows_come_back_in_order_from_either_end() {
        let rows = vec![vec![Value::Int(1), Value::Int(2)], vec![Value::Int(3), Value::Int(4)]];
        let result = ResultSet::new(&Graph::new(), vec!["a".into(), "b".into()], rows.clone());
        assert_eq!(result.rows().len(), 2);
        assert_eq!(
            result.rows().rev().map(<[Value]>::to_vec).collect::<Vec<_>>(),
            [rows[1].clone(), rows[0].clone()]
        );
        assert_eq!(result.row(2), None);
        assert_eq!(result.into_rows(), rows);
    }

    #[test]
    fn rows_without_columns_still_count() {
        let result = ResultSet::new(&Graph::new(), Vec::new(), vec![vec![], vec![Value::Int(9)]]);
        assert_eq!(result.len(), 2);
        assert!(result.rows().all(|r| r.is_empty()));
        assert_eq!(result.into_rows(), [Vec::<Value>::new(), Vec::new()]);
    }
}

//! [`Value`]: every value a property, parameter or query result can hold.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use super::{Temporal, Text};

/// A node of a [`Graph`](crate::Graph): a dense index, stable for the life of
/// the graph (aikg never deletes, so indices never shift).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

/// A relationship of a [`Graph`](crate::Graph); stable like [`NodeId`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EdgeId(pub u32);

impl NodeId {
    /// The dense index as `usize`, for indexing side tables.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl EdgeId {
    /// The dense index as `usize`, for indexing side tables.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A path: `nodes.len() == rels.len() + 1`; hop `i` joins `nodes[i]` and
/// `nodes[i + 1]` through `rels[i]`, in either direction.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Path {
    /// The nodes in order, starting with the start node.
    pub nodes: Vec<NodeId>,
    /// The relationships in order.
    pub rels: Vec<EdgeId>,
}

impl Path {
    /// The number of relationships.
    pub fn len(&self) -> usize {
        self.rels.len()
    }

    /// `true` for a zero-length path (a single node).
    pub fn is_empty(&self) -> bool {
        self.rels.is_empty()
    }
}

/// A value. Strings are [`Text`]: short ones inline, long ones shared, so
/// returning a stored property never copies a long string.
///
/// `Int` and `Float` are different values (`1 <> 1.0` is false in openCypher,
/// but they are distinct in results), as the openCypher TCK requires.
///
/// # Printing
///
/// `Display` writes a Cypher literal, the text that reads back as the same
/// value in a query: strings come quoted. For a string's own text use
/// [`as_str`](Value::as_str) (or [`Row::get_str`](crate::Row::get_str)), and
/// for a value as a result table shows it (strings bare, nodes and
/// relationships with their labels and properties) use
/// [`ResultSet::display_value`](crate::ResultSet::display_value).
///
/// ```
/// use aikg::Value;
///
/// let name = Value::from("Zhipu AI");
/// assert_eq!(name.to_string(), "'Zhipu AI'");
/// assert_eq!(name.as_str(), Some("Zhipu AI"));
/// assert_eq!(Value::from(vec![1.5, 2.0]).to_string(), "[1.5, 2.0]");
/// ```
#[derive(Debug, Clone, Default)]
pub enum Value {
    /// `null`
    #[default]
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A 64-bit signed integer.
    Int(i64),
    /// A 64-bit float.
    Float(f64),
    /// A string.
    String(Text),
    /// A list.
    List(Vec<Value>),
    /// A map with string keys.
    Map(BTreeMap<String, Value>),
    /// A node of the graph the value came from.
    Node(NodeId),
    /// A relationship of the graph the value came from.
    Relationship(EdgeId),
    /// A path of the graph the value came from.
    Path(Arc<Path>),
    /// A date, time, date-time or duration.
    Temporal(Box<Temporal>),
}

impl Value {
    /// `true` for `Null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// `true` for null, a boolean, a number or a string: a value that
    /// holds no other value and refers to no node or relationship.
    #[inline]
    pub(crate) fn is_scalar(&self) -> bool {
        matches!(
            self,
            Value::Null
                | Value::Bool(_)
                | Value::Int(_)
                | Value::Float(_)
                | Value::String(_)
                | Value::Temporal(_)
        )
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The integer, if this is one.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The number as a float, if this is an integer or a float.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The list, if this is one.
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// The map, if this is one.
    pub fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The node, if this is one.
    pub fn as_node(&self) -> Option<NodeId> {
        match self {
            Value::Node(n) => Some(*n),
            _ => None,
        }
    }

    /// The relationship, if this is one.
    pub fn as_relationship(&self) -> Option<EdgeId> {
        match self {
            Value::Relationship(r) => Some(*r),
            _ => None,
        }
    }

    /// The path, if this is one.
    pub fn as_path(&self) -> Option<&Path> {
        match self {
            Value::Path(p) => Some(p),
            _ => None,
        }
    }

    /// The temporal value, if this is one.
    pub fn as_temporal(&self) -> Option<&Temporal> {
        match self {
            Value::Temporal(t) => Some(t),
            _ => None,
        }
    }

    /// The openCypher type name, as used in error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "Null",
            Value::Bool(_) => "Boolean",
            Value::Int(_) => "Integer",
            Value::Float(_) => "Float",
            Value::String(_) => "String",
            Value::List(_) => "List",
            Value::Map(_) => "Map",
            Value::Node(_) => "Node",
            Value::Relationship(_) => "Relationship",
            Value::Path(_) => "Path",
            Value::Temporal(t) => t.type_name(),
        }
    }
}

/// Structural identity: `Int(1) != Float(1.0)`, `NaN == NaN`, `Null == Null`.
/// This is what `DISTINCT`, grouping and result comparison need; openCypher's
/// `=` with its null logic is implemented by the query engine.
impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        use Value::*;
        match (self, other) {
            (Null, Null) => true,
            (Bool(a), Bool(b)) => a == b,
            (Int(a), Int(b)) => a == b,
            (Float(a), Float(b)) => a.to_bits() == b.to_bits() || a == b,
            (String(a), String(b)) => a == b,
            (List(a), List(b)) => a == b,
            (Map(a), Map(b)) => a == b,
            (Node(a), Node(b)) => a == b,
            (Relationship(a), Relationship(b)) => a == b,
            (Path(a), Path(b)) => a == b,
            (Temporal(a), Temporal(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Value {}

impl std::hash::Hash for Value {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state);
        match self {
            Value::Null => {}
            Value::Bool(b) => b.hash(state),
            Value::Int(i) => i.hash(state),
            // -0.0 == 0.0 must hash alike.
            Value::Float(f) => (if *f == 0.0 { 0.0f64 } else { *f }).to_bits().hash(state),
            Value::String(s) => s.hash(state),
            Value::List(l) => l.hash(state),
            Value::Map(m) => m.hash(state),
            Value::Node(n) => n.hash(state),
            Value::Relationship(r) => r.hash(state),
            Value::Path(p) => p.hash(state),
            Value::Temporal(t) => t.hash(state),
        }
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}

impl From<i32> for Value {
    fn from(i: i32) -> Value {
        Value::Int(i64::from(i))
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Float(f)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.into())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s.into())
    }
}

impl From<Arc<str>> for Value {
    fn from(s: Arc<str>) -> Value {
        Value::String(s.into())
    }
}

impl From<Text> for Value {
    fn from(s: Text) -> Value {
        Value::String(s)
    }
}

impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(items: Vec<T>) -> Value {
        Value::List(items.into_iter().map(Into::into).collect())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

/// Writes the value as a Cypher literal (`'text'`, `[1, 2.0]`, `{k: v}`);
/// entities print as `node(3)`, `relationship(7)` since they need a graph to
/// say more. [`Value::as_str`] gives a string's text without the quotes.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write_float(f, *x),
            Value::String(s) => write_quoted(f, s),
            Value::List(items) => {
                f.write_str("[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            Value::Map(m) => {
                f.write_str("{")?;
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}: {v}", crate::model::quote_ident(k))?;
                }
                f.write_str("}")
            }
            Value::Node(n) => write!(f, "node({})", n.0),
            Value::Relationship(r) => write!(f, "relationship({})", r.0),
            Value::Path(p) => write!(f, "path(length {})", p.len()),
            Value::Temporal(t) => write_temporal(f, t),
        }
    }
}

/// A temporal as the call that makes it: `date('2015-07-21')`.
fn write_temporal(f: &mut fmt::Formatter<'_>, t: &Temporal) -> fmt::Result {
    let function = match t {
        Temporal::Date(_) => "date",
        Temporal::LocalTime(_) => "localtime",
        Temporal::Time(..) => "time",
        Temporal::LocalDateTime(_) => "localdatetime",
        Temporal::DateTime(_) => "datetime",
        Temporal::Duration(_) => "duration",
    };
    write!(f, "{function}('{t}')")
}

impl From<Temporal> for Value {
    fn from(t: Temporal) -> Value {
        Value::Temporal(Box::new(t))
    }
}

/// Floats always show a decimal point or exponent, so `1.0` never reads as an
/// integer.
pub(crate) fn write_float(f: &mut impl fmt::Write, x: f64) -> fmt::Result {
    if x.is_nan() {
        f.write_str("NaN")
    } else if x.is_infinite() {
        f.write_str(if x > 0.0 { "Infinity" } else { "-Infinity" })
    } else {
        let s = format!("{x:?}");
        f.write_str(&s)
    }
}

pub(crate) fn write_quoted(f: &mut impl fmt::Write, s: &str) -> fmt::Result {
    f.write_char('\'')?;
    for c in s.chars() {
        match c {
            '\'' => f.write_str("\\'")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('\'')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_and_float_are_distinct() {
        assert_ne!(Value::Int(1), Value::Float(1.0));
        assert_eq!(Value::Float(f64::NAN), Value::Float(f64::NAN));
        assert_eq!(Value::Float(0.0), Value::Float(-0.0));
    }

    #[test]
    fn display_as_literals() {
        let v = Value::List(vec![Value::Int(1), Value::Float(2.0), "it's".into(), Value::Null]);
        assert_eq!(v.to_string(), r"[1, 2.0, 'it\'s', null]");
        let mut m = BTreeMap::new();
        m.insert("a b".to_string(), Value::Bool(true));
        assert_eq!(Value::Map(m).to_string(), "{`a b`: true}");
    }
}

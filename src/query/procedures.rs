//! Procedures for `CALL`: the built-in `db.*` ones and those a host
//! program registers with [`Graph::register_procedure`].
//!
//! A procedure has a [`ProcedureSignature`]: a namespaced name, typed
//! inputs and typed outputs. The planner checks a call against it (the
//! procedure exists, the number of arguments, the type of literal
//! arguments, the `YIELD` fields), so a wrong call is a compile-time error;
//! the body runs once per input row and returns whole rows of outputs.
//!
//! Built in:
//!
//! | Procedure | Yields |
//! |---|---|
//! | `db.labels()` | `label`: every label some node carries |
//! | `db.relationshipTypes()` | `relationshipType`: every type some relationship has |
//! | `db.propertyKeys()` | `propertyKey`: every property key the graph knows |
//! | `db.schema.relationships()` | `from`, `type`, `to`, `count`: the label/type/label triples relationships connect, with how many do |
//!
//! ```
//! use aikg::query::procedures::ProcedureSignature;
//! use aikg::{Graph, Value};
//!
//! let mut graph = Graph::builtin();
//! let signature = ProcedureSignature::parse("my.double(x :: INTEGER?) :: (twice :: INTEGER?)")?;
//! graph.register_procedure(signature, |_graph, args| match &args[0] {
//!     Value::Int(x) => Ok(vec![vec![Value::Int(x * 2)]]),
//!     _ => Ok(vec![vec![Value::Null]]),
//! });
//! let rows = graph.query("CALL my.double(21) YIELD twice RETURN twice")?;
//! assert_eq!(rows.iter().next().unwrap().get_int("twice"), Some(42));
//!
//! let labels = graph.query("CALL db.labels() YIELD label RETURN collect(label) AS names")?;
//! assert!(labels.iter().next().unwrap().get("names").unwrap().to_string().contains("Model"));
//! # Ok::<(), aikg::Error>(())
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::{Arc, OnceLock};

use crate::error::{Error, ErrorClass, QueryError};
use crate::model::Value;
use crate::store::Graph;

/// The type of a procedure's input or output field. Every field also
/// accepts `null`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProcedureType {
    /// Any value.
    Any,
    /// `BOOLEAN`
    Boolean,
    /// `INTEGER`
    Integer,
    /// `FLOAT`; an integer argument is turned into a float.
    Float,
    /// `NUMBER`: an integer or a float.
    Number,
    /// `STRING`
    String,
    /// `LIST` (of anything; `LIST OF T` is read as `LIST`).
    List,
    /// `MAP`
    Map,
    /// `NODE`
    Node,
    /// `RELATIONSHIP`
    Relationship,
    /// `PATH`
    Path,
}

impl ProcedureType {
    /// The type named as Neo4j and the TCK write it (`INTEGER`, `STRING`,
    /// `LIST OF STRING`, ...), ignoring case.
    pub fn from_name(name: &str) -> Option<ProcedureType> {
        let upper = name.trim().to_ascii_uppercase();
        if upper.starts_with("LIST") {
            return Some(ProcedureType::List);
        }
        Some(match upper.as_str() {
            "ANY" => ProcedureType::Any,
            "BOOLEAN" => ProcedureType::Boolean,
            "INTEGER" => ProcedureType::Integer,
            "FLOAT" => ProcedureType::Float,
            "NUMBER" => ProcedureType::Number,
            "STRING" => ProcedureType::String,
            "MAP" => ProcedureType::Map,
            "NODE" => ProcedureType::Node,
            "RELATIONSHIP" => ProcedureType::Relationship,
            "PATH" => ProcedureType::Path,
            _ => return None,
        })
    }

    /// The name as written in a signature.
    pub fn name(self) -> &'static str {
        match self {
            ProcedureType::Any => "ANY",
            ProcedureType::Boolean => "BOOLEAN",
            ProcedureType::Integer => "INTEGER",
            ProcedureType::Float => "FLOAT",
            ProcedureType::Number => "NUMBER",
            ProcedureType::String => "STRING",
            ProcedureType::List => "LIST",
            ProcedureType::Map => "MAP",
            ProcedureType::Node => "NODE",
            ProcedureType::Relationship => "RELATIONSHIP",
            ProcedureType::Path => "PATH",
        }
    }

    /// `value` as an argument of this type: itself, an integer made a
    /// float for `FLOAT`, or `None` when it does not fit.
    pub fn coerce(self, value: Value) -> Option<Value> {
        let fits = match (self, &value) {
            (_, Value::Null) | (ProcedureType::Any, _) => true,
            (ProcedureType::Float, Value::Int(i)) => return Some(Value::Float(*i as f64)),
            (ProcedureType::Boolean, Value::Bool(_))
            | (ProcedureType::Integer, Value::Int(_))
            | (ProcedureType::Float, Value::Float(_))
            | (ProcedureType::Number, Value::Int(_) | Value::Float(_))
            | (ProcedureType::String, Value::String(_))
            | (ProcedureType::List, Value::List(_))
            | (ProcedureType::Map, Value::Map(_))
            | (ProcedureType::Node, Value::Node(_))
            | (ProcedureType::Relationship, Value::Relationship(_))
            | (ProcedureType::Path, Value::Path(_)) => true,
            _ => false,
        };
        fits.then_some(value)
    }
}

/// One named, typed input or output of a procedure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcedureField {
    /// The field's name: an output's name is what `YIELD` binds.
    pub name: String,
    /// Its type.
    pub ty: ProcedureType,
}

/// What a procedure is called and what it takes and gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcedureSignature {
    /// The namespaced name, `ns.name`; calls must spell it the same way.
    pub name: String,
    /// The inputs, in argument order.
    pub inputs: Vec<ProcedureField>,
    /// The outputs, in column order; none for a procedure that only acts.
    pub outputs: Vec<ProcedureField>,
}

impl ProcedureSignature {
    /// Reads a signature as Neo4j prints them and the TCK writes them:
    /// `name(in :: TYPE?, ...) :: (out :: TYPE?, ...)`; the `?` (may be
    /// null) is optional, and every field accepts null anyway.
    ///
    /// ```
    /// use aikg::query::procedures::{ProcedureSignature, ProcedureType};
    ///
    /// let s = ProcedureSignature::parse("test.my.proc(name :: STRING?, id :: INTEGER?) :: (city :: STRING?)")?;
    /// assert_eq!(s.name, "test.my.proc");
    /// assert_eq!(s.inputs[1].ty, ProcedureType::Integer);
    /// assert_eq!(s.outputs[0].name, "city");
    /// # Ok::<(), aikg::Error>(())
    /// ```
    ///
    /// # Errors
    /// A `SyntaxError` [`QueryError`] saying what part is malformed.
    pub fn parse(text: &str) -> Result<ProcedureSignature, Error> {
        let bad = |what: String| -> Error {
            QueryError::compile(ErrorClass::SyntaxError, "UnexpectedSyntax", what, None).into()
        };
        let (name, rest) =
            text.split_once('(').ok_or_else(|| bad(format!("procedure signature '{text}' has no '('")))?;
        let (inputs, rest) = rest
            .split_once(')')
            .ok_or_else(|| bad(format!("procedure signature '{text}' has no ')' after its inputs")))?;
        let rest = rest.trim();
        let outputs = rest
            .strip_prefix("::")
            .map(str::trim)
            .and_then(|r| r.strip_prefix('('))
            .and_then(|r| r.trim_end().strip_suffix(')'))
            .ok_or_else(|| {
                bad(format!("procedure signature '{text}' needs ':: (outputs)' after its inputs"))
            })?;
        let fields = |list: &str| -> Result<Vec<ProcedureField>, Error> {
            list.split(',')
                .map(str::trim)
                .filter(|f| !f.is_empty())
                .map(|f| {
                    let (name, ty) =
                        f.split_once("::").ok_or_else(|| bad(format!("field '{f}' needs ':: TYPE'")))?;
                    let ty_name = ty.trim().trim_end_matches('?');
                    let ty = ProcedureType::from_name(ty_name)
                        .ok_or_else(|| bad(format!("field '{f}' has unknown type '{ty_name}'")))?;
                    Ok(ProcedureField { name: name.trim().to_string(), ty })
                })
                .collect()
        };
        let name = name.trim();
        if name.is_empty() {
            return Err(bad(format!("procedure signature '{text}' has no name")));
        }
        Ok(ProcedureSignature { name: name.to_string(), inputs: fields(inputs)?, outputs: fields(outputs)? })
    }
}

impl fmt::Display for ProcedureSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |fields: &[ProcedureField]| {
            fields.iter().map(|x| format!("{} :: {}?", x.name, x.ty.name())).collect::<Vec<_>>().join(", ")
        };
        write!(f, "{}({}) :: ({})", self.name, list(&self.inputs), list(&self.outputs))
    }
}

/// The body of a procedure: given the graph and the arguments (one per
/// input, already of the input's type), the output rows, each with one
/// value per output; an `Err` message fails the query.
pub type ProcedureFn = dyn Fn(&Graph, &[Value]) -> Result<Vec<Vec<Value>>, String> + Send + Sync;

/// A procedure: its signature and its body.
#[derive(Clone)]
pub(crate) struct Procedure {
    pub(crate) signature: ProcedureSignature,
    pub(crate) body: Arc<ProcedureFn>,
}

impl fmt::Debug for Procedure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Procedure({})", self.signature)
    }
}

/// The procedures a graph's host registered; shared by clones of the graph.
#[derive(Debug, Clone, Default)]
pub(crate) struct Procedures {
    /// A registration borrows these through `Graph::attached_mut`, which
    /// counts it: cached plans, checked against the signatures, are
    /// planned again.
    by_name: HashMap<String, Arc<Procedure>>,
}

impl Procedures {
    /// The procedure called `name`: a registered one, else a built-in.
    pub(crate) fn get(&self, name: &str) -> Option<&Procedure> {
        self.by_name.get(name).map(|p| &**p).or_else(|| builtins().get(name))
    }
}

impl Graph {
    /// Makes a procedure callable with `CALL` on this graph, replacing a
    /// registered or built-in one of the same name.
    ///
    /// `body` gets the graph and one argument per input of `signature`
    /// (an integer passed for a `FLOAT` input arrives as a float) and
    /// returns the output rows, each with one value per output; a
    /// procedure without outputs returns no rows, and a call to it keeps
    /// the query's row as it is. See the [module docs](crate::query::procedures)
    /// for an example.
    pub fn register_procedure<F>(&mut self, signature: ProcedureSignature, body: F)
    where
        F: Fn(&Graph, &[Value]) -> Result<Vec<Vec<Value>>, String> + Send + Sync + 'static,
    {
        self.procedures_mut()
            .by_name
            .insert(signature.name.clone(), Arc::new(Procedure { signature, body: Arc::new(body) }));
    }
}

/// The built-in procedures, by name.
fn builtins() -> &'static HashMap<String, Procedure> {
    static BUILTINS: OnceLock<HashMap<String, Procedure>> = OnceLock::new();
    BUILTINS.get_or_init(|| {
        let mut out = HashMap::new();
        let mut add = |signature: &str, body: fn(&Graph) -> Vec<Vec<Value>>| {
            let signature = ProcedureSignature::parse(signature).unwrap_or_else(|_| unreachable!());
            let body: Arc<ProcedureFn> = Arc::new(move |graph: &Graph, _: &[Value]| Ok(body(graph)));
            out.insert(signature.name.clone(), Procedure { signature, body });
        };
        add("db.labels() :: (label :: STRING?)", |g| {
            names(g.labels().filter(|(_, n)| *n > 0).map(|(l, _)| l))
        });
        add("db.relationshipTypes() :: (relationshipType :: STRING?)", |g| {
            names(g.rel_types().filter(|(_, n)| *n > 0).map(|(t, _)| t))
        });
        add("db.propertyKeys() :: (propertyKey :: STRING?)", |g| names(g.property_keys()));
        add(
            "db.schema.relationships() :: (from :: STRING?, type :: STRING?, to :: STRING?, count :: INTEGER?)",
            schema_relationships,
        );
        out
    })
}

fn names<'a>(names: impl Iterator<Item = &'a str>) -> Vec<Vec<Value>> {
    let mut names: Vec<&str> = names.collect();
    names.sort_unstable();
    names.into_iter().map(|n| vec![Value::from(n)]).collect()
}

/// One row per (start label, type, end label) that some relationship
/// connects, with how many do; an unlabelled end is null.
fn schema_relationships(graph: &Graph) -> Vec<Vec<Value>> {
    let mut counts: BTreeMap<(Option<&str>, &str, Option<&str>), i64> = BTreeMap::new();
    for e in graph.edge_ids() {
        let edge = graph.edge(e);
        fn labels(n: crate::store::NodeRef<'_>) -> Vec<Option<&str>> {
            let labels: Vec<Option<&str>> = n.labels().map(Some).collect();
            if labels.is_empty() {
                vec![None]
            } else {
                labels
            }
        }
        let ty = graph.rel_type_name(graph.edge_type(e));
        for from in labels(edge.src()) {
            for to in labels(edge.dst()) {
                *counts.entry((from, ty, to)).or_default() += 1;
            }
        }
    }
    counts
        .into_iter()
        .map(|((from, ty, to), n)| {
            vec![
                from.map_or(Value::Null, Value::from),
                Value::from(ty),
                to.map_or(Value::Null, Value::from),
                Value::Int(n),
            ]
        })
        .collect()
}

//! aikg: a knowledge graph of the AI industry with an openCypher query
//! language.
//!
//! The built-in graph holds the companies, models, labs, universities,
//! people and investors of a 2023 report on large models, and how they relate:
//! which model is built on which, who developed it, which lab incubated which
//! start-up, who invested in it and in which round. [`Graph::load_dir`],
//! [`Graph::from_csv`] and [`Graph::load_json_export`] load other data.
//!
//! There are two ways in: the typed API, which walks the graph from Rust,
//! and queries in openCypher. Both answer from the same in-memory store, and
//! both say so when a name is wrong instead of answering nothing.
//!
//! # The typed API
//!
//! [`Graph::resolve`] finds a node by id, English or Chinese name or alias;
//! [`Graph::node`] gives a [`NodeRef`] with its properties and
//! [`neighbours`](NodeRef::neighbours); [`Graph::ancestors`],
//! [`Graph::descendants`] and [`Graph::reachable`] walk breadth-first,
//! yielding a [`Step`] (node, depth, and the relationship it came through)
//! per node; [`Graph::shortest_path`] gives a [`Path`]. Relationship types
//! and labels are checked against the graph and its schema
//! ([`Graph::rel_type`], [`Graph::label`]).
//!
//! ```
//! use aikg::{Direction, Graph};
//!
//! let graph = Graph::builtin();
//! // Any of a node's names will do: id, name, Chinese name or alias.
//! let chatglm = graph.resolve("ChatGLM-6B")?;
//! let zhipu = graph.resolve("智谱AI")?;
//! assert_eq!(graph.node(zhipu).bilingual_name(), "Zhipu AI 智谱AI");
//!
//! // The developer of its base model, one hop from that model.
//! let glm_6b = graph.resolve("GLM-6B")?;
//! let (_, developer) = graph.node(glm_6b).neighbours(Some("DEVELOPED_BY"), Direction::Outgoing)?.next().unwrap();
//! assert_eq!(developer.id(), zhipu);
//!
//! // Everything it is built on, nearest first.
//! let bases: Vec<String> =
//!     graph.ancestors(chatglm, &["BUILT_ON"])?.map(|step| graph.node(step.node).display_name()).collect();
//! assert!(bases.iter().any(|b| b == "GLM-6B"));
//!
//! // How it connects to Tsinghua University, along any relationship.
//! let tsinghua = graph.resolve("清华大学")?;
//! let path = graph.shortest_path(chatglm, tsinghua, &[], Direction::Both)?.expect("connected");
//! assert!(path.len() >= 2);
//!
//! // A misspelt type is an error, not an empty walk.
//! let typo = graph.ancestors(chatglm, &["BUILT_0N"]).unwrap_err();
//! assert_eq!(typo.to_string(), "unknown relationship type 'BUILT_0N'; did you mean 'BUILT_ON'?");
//! # Ok::<(), aikg::Error>(())
//! ```
//!
//! The trees and path explanations `aikg lineage` and `aikg path` print are
//! library calls too: [`lineage::Lineage`] draws a node's origins or
//! descendants over several relationship types, optionally leaving some
//! relationships out (e.g. [`lineage::is_established`] to skip plans), and
//! [`lineage::path_text`] explains a [`Path`] hop by hop.
//!
//! ```
//! use aikg::lineage::{is_established, Lineage, Toward, DEFAULT_TYPES};
//!
//! let graph = aikg::Graph::builtin();
//! let chatglm = graph.resolve("ChatGLM-6B")?;
//! let tree = Lineage::new(&graph, DEFAULT_TYPES, Toward::Origins)?
//!     .max_depth(2)
//!     .edges_where(is_established)
//!     .tree(chatglm)
//!     .to_string();
//! assert!(tree.contains("BUILT_ON → GLM-6B (Model)"), "{tree}");
//! # Ok::<(), aikg::Error>(())
//! ```
//!
//! # The query API
//!
//! [`Graph::query`] runs query text (and keeps the plans of recent texts);
//! [`Query::parse`] checks a query once to run it many times with different
//! [`Params`]. A [`ResultSet`] has named columns: read a [`Row`] with the
//! `get_*` getters, or with [`Row::try_get`] to learn why a value is
//! missing; print it with `{}` for the table `aikg query` prints. A query
//! error's `Display` draws the query with a caret under the mistake.
//!
//! ```
//! use aikg::{Graph, Params, Query};
//!
//! let graph = Graph::builtin();
//! // Everything built, directly or not, on GLM-130B.
//! let rows = graph.query(
//!     "MATCH (base:Model {id: 'glm-130b'})<-[:BUILT_ON*]-(m)
//!      RETURN DISTINCT m.id AS id ORDER BY id",
//! )?;
//! assert!(rows.iter().any(|row| row.get_str("id") == Some("hubble")));
//!
//! // A query parsed once and run with parameters, as a prepared statement.
//! let founded = Query::parse("MATCH (c:Company {id: $id}) RETURN c.name AS name, c.founded AS founded")?;
//! let result = founded.run(&graph, &Params::from([("id", "zhipu-ai")]))?;
//! let row = result.iter().next().unwrap();
//! assert_eq!(row.try_get::<i64>("founded")?, 2019);
//! assert!(result.to_string().starts_with(" name     | founded\n"));
//!
//! let err = graph.query("MATCH (m:Model RETURN m").unwrap_err();
//! assert!(err.to_string().contains("\n    MATCH (m:Model RETURN m\n                   ^^^^^^\n"));
//! # Ok::<(), aikg::Error>(())
//! ```
//!
//! # As a dependency
//!
//! The default `cli` feature builds the `aikg` command and its crates
//! (clap, rustyline, ctrlc); a crate that only needs the library depends on
//! aikg with `default-features = false`.
//!
//! The modules hold the rest of the public API: [`error`] (the error
//! types), [`model`] (values and the schema), [`load`] (graph data and its
//! validation), [`export`] (JSON, Cypher, CSV, GraphML and pictures of a
//! graph or a result), [`query`] and [`result`].

// One audited exception: `model::text` reads its inline bytes back as `str`.
#![deny(unsafe_code)]
#![deny(missing_docs)]

pub mod error;
pub mod export;
pub mod lineage;
pub mod load;
pub mod model;
pub mod query;
pub mod result;
#[cfg(feature = "server")]
pub mod server;
mod store;

pub use error::{Error, GetError, LoadError, QueryError};
pub use model::{Direction, EdgeId, NodeId, Path, Text, Value};
pub use query::{CancelHandle, Params, Query, QueryOptions};
pub use result::{FromValue, ResultSet, Row, RowRef};
pub use store::{EdgeRef, Graph, Label, MemoryUsage, NodeRef, Reachable, RelType, Step};

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

//! aikg: a knowledge graph of the AI industry with an openCypher query
//! language.
//!
//! The built-in graph holds the companies, models, labs, universities,
//! people and investors of a 2023 report on large models, and how they relate:
//! which model is built on which, who developed it, which lab incubated which
//! start-up, who invested in it and in which round.
//!
//! ```
//! use aikg::Graph;
//!
//! let graph = Graph::builtin();
//! // Everything built, directly or not, on GLM-130B.
//! let rows = graph.query(
//!     "MATCH (base:Model {id: 'glm-130b'})<-[:BUILT_ON*]-(m)
//!      RETURN DISTINCT m.id AS id ORDER BY id",
//! )?;
//! assert!(rows.iter().any(|row| row.get_str("id") == Some("hubble")));
//! # Ok::<(), aikg::Error>(())
//! ```
//!
//! The pipeline is text → [`query::syntax`] (nom parser, spanned AST) →
//! [`query::plan`] (checked logical plan) → [`query::exec`] (operators over
//! the [`store`]) → [`ResultSet`].

// One audited exception: `model::text` reads its inline bytes back as `str`.
#![deny(unsafe_code)]
#![deny(missing_docs)]

pub mod error;
pub mod export;
pub mod load;
pub mod model;
pub mod query;
pub mod result;
mod store;

pub use error::{Error, LoadError, QueryError};
pub use model::{Direction, EdgeId, NodeId, Path, Text, Value};
pub use query::{CancelHandle, Params, Query, QueryOptions};
pub use result::{ResultSet, Row, RowRef};
pub use store::{EdgeRef, Graph, Label, NodeRef, Reachable, RelType, Step};

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

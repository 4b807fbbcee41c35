//! The data model: values, entity ids and the schema of the AI-industry graph.

pub mod schema;
pub mod temporal;
mod text;
mod value;

pub use schema::{PropertyType, RelationRule, Schema};
pub use temporal::{Duration, Temporal};
pub use text::Text;
pub(crate) use value::{write_float, write_quoted};
pub use value::{EdgeId, NodeId, Path, Value};

/// Which relationships of a node to follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Relationships that start at the node.
    Outgoing,
    /// Relationships that end at the node.
    Incoming,
    /// Both.
    Both,
}

impl Direction {
    /// The opposite direction (`Both` stays `Both`).
    pub fn reverse(self) -> Direction {
        match self {
            Direction::Outgoing => Direction::Incoming,
            Direction::Incoming => Direction::Outgoing,
            Direction::Both => Direction::Both,
        }
    }
}

/// Writes an identifier so that it parses back: plain when it is a simple
/// name, in backquotes otherwise.
pub(crate) fn quote_ident(name: &str) -> std::borrow::Cow<'_, str> {
    let simple = name.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    if simple {
        name.into()
    } else {
        format!("`{}`", name.replace('`', "``")).into()
    }
}

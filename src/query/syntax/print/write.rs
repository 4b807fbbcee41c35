//! Query text for the updating clauses.

use std::fmt::{self, Display, Formatter, Write};

use super::{write_key, write_list};
use crate::query::syntax::ast::{Delete, Expr, ExprKind, Merge, Remove, RemoveItem, SetClause, SetItem};

impl Display for Merge {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "MERGE {}", self.pattern)?;
        for (on, items) in [("CREATE", &self.on_create), ("MATCH", &self.on_match)] {
            if !items.is_empty() {
                write!(f, " ON {on} SET ")?;
                write_list(f, items)?;
            }
        }
        Ok(())
    }
}

impl Display for SetClause {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("SET ")?;
        write_list(f, &self.items)
    }
}

impl Display for SetItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            SetItem::Property { entity, key, value } => {
                write_entity(f, entity)?;
                f.write_char('.')?;
                write_key(f, key)?;
                write!(f, " = {value}")
            }
            SetItem::Properties { entity, value, merge } => {
                write_entity(f, entity)?;
                write!(f, " {} {value}", if *merge { "+=" } else { "=" })
            }
            SetItem::Labels { entity, labels } => {
                write_entity(f, entity)?;
                labels.iter().try_for_each(|l| {
                    f.write_char(':')?;
                    write_key(f, l)
                })
            }
        }
    }
}

impl Display for Remove {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("REMOVE ")?;
        write_list(f, &self.items)
    }
}

impl Display for RemoveItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            RemoveItem::Property { entity, key } => {
                write_entity(f, entity)?;
                f.write_char('.')?;
                write_key(f, key)
            }
            RemoveItem::Labels { entity, labels } => {
                write_entity(f, entity)?;
                labels.iter().try_for_each(|l| {
                    f.write_char(':')?;
                    write_key(f, l)
                })
            }
        }
    }
}

impl Display for Delete {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(if self.detach { "DETACH DELETE " } else { "DELETE " })?;
        write_list(f, &self.exprs)
    }
}

/// A variable as it is, anything else in parentheses (as it must be
/// written before `.key` or `:Label` in `SET` and `REMOVE`).
fn write_entity(f: &mut Formatter<'_>, entity: &Expr) -> fmt::Result {
    match &entity.kind {
        ExprKind::Variable(_) => entity.fmt(f),
        _ => write!(f, "({entity})"),
    }
}

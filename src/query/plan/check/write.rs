//! Checks of the updating clauses: what `SET`, `REMOVE` and `DELETE` name
//! must be in scope and of a kind they can change; `MERGE` patterns follow
//! the rules of both `MATCH` and `CREATE`.

use super::{syntax, Checker, PatternMode, Ty, Walk};
use crate::error::QueryError;
use crate::query::syntax::ast::{Delete, Expr, ExprKind, Merge, Remove, RemoveItem, SetItem};

impl Checker {
    pub(super) fn merge(&mut self, m: &Merge) -> Result<(), QueryError> {
        let mut rels = Vec::new();
        self.bind_pattern(&m.pattern, PatternMode::Merge, &mut rels)?;
        self.pattern_properties(std::slice::from_ref(&m.pattern))?;
        self.set_items(&m.on_create)?;
        self.set_items(&m.on_match)
    }

    pub(super) fn set_items(&mut self, items: &[SetItem]) -> Result<(), QueryError> {
        for item in items {
            match item {
                SetItem::Property { entity, value, .. } => {
                    self.entity(entity, "SET", false)?;
                    no_pattern_value(value)?;
                    self.expr(value, &self.cx(), &mut Walk::new(Some("SET")))?;
                }
                SetItem::Properties { entity, value, .. } => {
                    self.entity(entity, "SET", false)?;
                    no_pattern_value(value)?;
                    let ty = self.expr(value, &self.cx(), &mut Walk::new(Some("SET")))?;
                    if ty.is_known() && !matches!(ty, Ty::Map | Ty::Node | Ty::Rel | Ty::Null) {
                        return Err(syntax(
                            "InvalidArgumentType",
                            format!("SET needs a map of properties, not {}", ty.describe()),
                            value.span,
                        ));
                    }
                }
                SetItem::Labels { entity, .. } => self.entity(entity, "SET", true)?,
            }
        }
        Ok(())
    }

    pub(super) fn remove(&mut self, r: &Remove) -> Result<(), QueryError> {
        for item in &r.items {
            match item {
                RemoveItem::Property { entity, .. } => self.entity(entity, "REMOVE", false)?,
                RemoveItem::Labels { entity, .. } => self.entity(entity, "REMOVE", true)?,
            }
        }
        Ok(())
    }

    pub(super) fn delete(&mut self, d: &Delete) -> Result<(), QueryError> {
        for e in &d.exprs {
            if let ExprKind::HasLabels(..) = e.kind {
                return Err(syntax(
                    "InvalidDelete",
                    "DELETE removes nodes, relationships and paths; to remove a label use REMOVE n:Label",
                    e.span,
                ));
            }
            let ty = self.expr(e, &self.cx(), &mut Walk::new(Some("DELETE")))?;
            // Whatever the operands, these never give a node, relationship
            // or path.
            let computed = matches!(
                e.kind,
                ExprKind::Literal(_)
                    | ExprKind::Binary(..)
                    | ExprKind::Unary(..)
                    | ExprKind::Comparison(..)
                    | ExprKind::IsNull { .. }
                    | ExprKind::List(_)
                    | ExprKind::Map(_)
            );
            if computed || (ty.is_known() && !matches!(ty, Ty::Node | Ty::Rel | Ty::Path | Ty::Null)) {
                return Err(syntax(
                    "InvalidArgumentType",
                    format!("DELETE needs a node, relationship or path, not {}", ty.describe()),
                    e.span,
                ));
            }
        }
        Ok(())
    }
}

/// openCypher only allows a pattern as a predicate, not as a value to store.
fn no_pattern_value(value: &Expr) -> Result<(), QueryError> {
    match super::pattern_as_value(value) {
        Some(span) => Err(syntax(
            "UnexpectedSyntax",
            "a pattern expression can only be a predicate, not a value to SET; use a pattern comprehension",
            span,
        )),
        None => Ok(()),
    }
}

impl Checker {
    /// What a `SET` or `REMOVE` item changes: a node (or, but for labels,
    /// a relationship) in scope.
    fn entity(&self, entity: &Expr, clause: &'static str, labels: bool) -> Result<(), QueryError> {
        let ty = self.expr(entity, &self.cx(), &mut Walk::new(Some(clause)))?;
        let fits = match &ty {
            Ty::Node | Ty::Null => true,
            Ty::Rel => !labels,
            // Properties of a map value cannot be set: it is not stored.
            other => !other.is_known(),
        };
        if fits {
            Ok(())
        } else {
            let what = if labels { "a node" } else { "a node or a relationship" };
            Err(syntax(
                "InvalidArgumentType",
                format!("{clause} needs {what} here, not {}", ty.describe()),
                entity.span,
            ))
        }
    }
}

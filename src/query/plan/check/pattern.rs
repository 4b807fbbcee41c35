//! Patterns: binding node and relationship variables against what they are
//! already bound to, and the property maps a clause may use.

use super::*;
use crate::query::syntax::ast::{Direction, NodePattern, PatternPart, RelPattern};

impl Checker {
    /// Binds the variables of one pattern part, checking each against what
    /// it is already bound to. `rels` collects the relationship variables of
    /// the whole clause, which must all differ.
    pub(super) fn bind_pattern(
        &mut self,
        part: &PatternPart,
        mode: PatternMode,
        rels: &mut Vec<String>,
    ) -> Result<(), QueryError> {
        let lone = part.element.chain.is_empty();
        self.bind_node(&part.element.start, mode, lone)?;
        for (rel, node) in &part.element.chain {
            self.bind_rel(rel, mode, rels)?;
            self.bind_node(node, mode, false)?;
        }
        if let Some(var) = &part.var {
            if self.scope.get(&var.name).is_some() {
                return Err(syntax(
                    "VariableAlreadyBound",
                    format!("variable `{}` already declared; a path variable must be new", var.name),
                    var.span,
                ));
            }
            self.scope.bind(&var.name, Ty::Path);
        }
        Ok(())
    }

    fn bind_node(&mut self, node: &NodePattern, mode: PatternMode, lone: bool) -> Result<(), QueryError> {
        no_parameter_map(node.properties.as_ref(), mode)?;
        let Some(var) = &node.var else { return Ok(()) };
        match self.scope.get(&var.name) {
            Some(bound) => {
                if bound.ty.is_known() && bound.ty != Ty::Node {
                    return Err(syntax(
                        "VariableTypeConflict",
                        format!(
                            "variable `{}` is already declared as {}, so it cannot be used as a node",
                            var.name,
                            bound.ty.describe()
                        ),
                        var.span,
                    ));
                }
                if mode.creates() && (lone || !node.labels.is_empty() || node.properties.is_some()) {
                    let why = match (lone, mode) {
                        (true, _) => "it cannot be created again",
                        (false, PatternMode::Merge) => "labels and properties cannot be added to it in MERGE",
                        _ => "labels and properties cannot be added to it in CREATE",
                    };
                    return Err(syntax(
                        "VariableAlreadyBound",
                        format!("variable `{}` already declared; {why}", var.name),
                        var.span,
                    ));
                }
            }
            None => self.scope.bind(&var.name, Ty::Node),
        }
        Ok(())
    }

    fn bind_rel(
        &mut self,
        rel: &RelPattern,
        mode: PatternMode,
        rels: &mut Vec<String>,
    ) -> Result<(), QueryError> {
        no_parameter_map(rel.properties.as_ref(), mode)?;
        if mode.creates() {
            // Re-creating a bound relationship is the first thing wrong
            // with `CREATE ()-[r]->()`, whatever else is missing.
            if let Some(var) = rel.var.as_ref().filter(|v| self.scope.get(&v.name).is_some()) {
                return Err(syntax(
                    "VariableAlreadyBound",
                    format!(
                        "variable `{}` already declared; relationships cannot be created again",
                        var.name
                    ),
                    var.span,
                ));
            }
            if rel.types.len() != 1 {
                return Err(syntax(
                    "NoSingleRelationshipType",
                    "a relationship must have exactly one type to be created",
                    rel.span,
                ));
            }
            if rel.direction == Direction::Both && mode == PatternMode::Create {
                return Err(syntax(
                    "RequiresDirectedRelationship",
                    "a relationship must have a direction to be created",
                    rel.span,
                ));
            }
            if rel.length.is_some() {
                return Err(syntax(
                    "CreatingVarLength",
                    "variable-length relationships cannot be created",
                    rel.span,
                ));
            }
        }
        let Some(var) = &rel.var else { return Ok(()) };
        let var_length = rel.length.is_some();
        if let Some(bound) = self.scope.get(&var.name) {
            let fits = if var_length {
                matches!(bound.ty, Ty::Any | Ty::Null | Ty::List(_))
            } else {
                matches!(bound.ty, Ty::Any | Ty::Null | Ty::Rel)
            };
            if !fits {
                let wanted = if var_length { "a variable-length relationship" } else { "a relationship" };
                return Err(syntax(
                    "VariableTypeConflict",
                    format!(
                        "variable `{}` is already declared as {}, so it cannot be used as {wanted}",
                        var.name,
                        bound.ty.describe()
                    ),
                    var.span,
                ));
            }
        }
        if rels.contains(&var.name) {
            return Err(syntax(
                "RelationshipUniquenessViolation",
                format!(
                    "relationship variable `{}` is used for more than one relationship in the pattern",
                    var.name
                ),
                var.span,
            ));
        }
        rels.push(var.name.clone());
        let ty = if var_length { Ty::List(Box::new(Ty::Rel)) } else { Ty::Rel };
        self.scope.bind(&var.name, ty);
        Ok(())
    }

    /// The property maps of a clause's patterns, checked once all of its
    /// variables are bound.
    pub(super) fn pattern_properties(&self, parts: &[PatternPart]) -> Result<(), QueryError> {
        for part in parts {
            let element = &part.element;
            let props = std::iter::once(&element.start.properties)
                .chain(element.chain.iter().flat_map(|(r, n)| [&r.properties, &n.properties]));
            for p in props {
                if let Some(Properties::Map(entries)) = p {
                    for (_, value) in entries {
                        self.expr(value, &self.cx(), &mut Walk::new(Some("a pattern")))?;
                    }
                }
            }
        }
        Ok(())
    }
}

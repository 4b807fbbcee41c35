//! Expressions: their static types, aggregate placement, and function
//! arity and argument types.

use super::*;
use crate::query::signatures::Signature;
use crate::query::syntax::ast::{PatternPart, SubqueryKind};

fn check_arity(sig: &Signature, given: usize, span: Span) -> Result<(), QueryError> {
    if given >= sig.min_args && given <= sig.max_args {
        return Ok(());
    }
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let expected = if sig.max_args == usize::MAX {
        format!("at least {} argument{}", sig.min_args, plural(sig.min_args))
    } else if sig.min_args == sig.max_args {
        format!("{} argument{}", sig.min_args, plural(sig.min_args))
    } else {
        format!("{} to {} arguments", sig.min_args, sig.max_args)
    };
    Err(syntax(
        "InvalidNumberOfArguments",
        format!(
            "function '{}' takes {expected}, but {given} {} given",
            sig.name,
            if given == 1 { "was" } else { "were" }
        ),
        span,
    ))
}

/// Rejects arguments whose type is certainly wrong for the graph and
/// collection functions; value-level checks (`range(0, 1, 0)`, `toInteger`
/// of a list) are left to the executor, as openCypher does.
fn check_argument_types(sig: &Signature, args: &[Expr], types: &[Ty]) -> Result<(), QueryError> {
    let (Some(arg), Some(ty)) = (args.first(), types.first()) else { return Ok(()) };
    let (accepts, expected): (fn(&Ty) -> bool, &str) = match sig.name {
        "labels" => (|t| *t == Ty::Node, "a node"),
        "type" | "startNode" | "endNode" => (|t| *t == Ty::Rel, "a relationship"),
        "id" | "elementId" => (|t| matches!(t, Ty::Node | Ty::Rel), "a node or relationship"),
        "properties" | "keys" => {
            (|t| matches!(t, Ty::Node | Ty::Rel | Ty::Map), "a node, relationship or map")
        }
        "size" => (|t| matches!(t, Ty::Str | Ty::List(_)), "a string or list"),
        "length" => (|t| matches!(t, Ty::Path | Ty::Str | Ty::List(_)), "a path"),
        "nodes" | "relationships" => (|t| *t == Ty::Path, "a path"),
        "exists" => {
            if matches!(arg.kind, ExprKind::Property(..)) {
                return Ok(());
            }
            return Err(syntax(
                "InvalidArgumentType",
                "the argument of exists() must be a property access such as n.name",
                arg.span,
            ));
        }
        _ => return Ok(()),
    };
    if ty.is_known() && !accepts(ty) {
        return Err(syntax(
            "InvalidArgumentType",
            format!("type mismatch: {}() expects {expected}, but was given {}", sig.name, ty.describe()),
            arg.span,
        ));
    }
    Ok(())
}

/// The result type of a function, where it is certain.
fn function_ty(name: &str, args: &[Ty]) -> Ty {
    let list = |t: Ty| Ty::List(Box::new(t));
    match name {
        "count" | "size" | "length" | "toInteger" | "toIntegerOrNull" | "sign" | "timestamp" => Ty::Int,
        "labels" | "keys" | "split" => list(Ty::Str),
        "type" | "elementId" | "toString" | "toStringOrNull" | "toUpper" | "toLower" | "trim" | "ltrim"
        | "rtrim" | "substring" | "left" | "right" | "replace" => Ty::Str,
        "toBoolean" | "toBooleanOrNull" | "exists" | "isEmpty" => Ty::Bool,
        "toFloat" | "toFloatOrNull" | "sqrt" | "stDev" | "stDevP" | "percentileCont" | "rand" | "e"
        | "pi" | "exp" | "log" | "log10" | "sin" | "cos" | "tan" | "cot" | "asin" | "acos" | "atan"
        | "atan2" | "degrees" | "radians" | "haversin" => Ty::Float,
        "properties" => Ty::Map,
        "startNode" | "endNode" => Ty::Node,
        "nodes" => list(Ty::Node),
        "relationships" => list(Ty::Rel),
        "range" => list(Ty::Int),
        "collect" => list(args.first().cloned().unwrap_or(Ty::Any)),
        "head" | "last" => match args.first() {
            Some(Ty::List(inner)) => (**inner).clone(),
            _ => Ty::Any,
        },
        "tail" | "reverse" => match args.first() {
            Some(t @ Ty::List(_)) => t.clone(),
            _ => Ty::Any,
        },
        _ => Ty::Any,
    }
}

fn expect_bool(ty: &Ty, op: &str, operand: &Expr) -> Result<(), QueryError> {
    if ty.is_known() && *ty != Ty::Bool {
        return Err(syntax(
            "InvalidArgumentType",
            format!("type mismatch: {op} expects a Boolean, but was given {}", ty.describe()),
            operand.span,
        ));
    }
    Ok(())
}

impl Checker {
    /// Checks an expression and returns its static type.
    pub(super) fn expr(&self, e: &Expr, cx: &Cx<'_>, w: &mut Walk) -> Result<Ty, QueryError> {
        if cx.projected.iter().any(|p| same_expr(p, e)) {
            return Ok(Ty::Any);
        }
        Ok(match &e.kind {
            ExprKind::Literal(l) => literal_ty(l),
            ExprKind::List(items) => {
                let mut ty = Ty::Null;
                for item in items {
                    ty = ty.join(self.expr(item, cx, w)?);
                }
                Ty::List(Box::new(ty))
            }
            ExprKind::Map(entries) => {
                for (_, value) in entries {
                    self.expr(value, cx, w)?;
                }
                Ty::Map
            }
            ExprKind::Parameter(_) => Ty::Any,
            ExprKind::Variable(name) => {
                if let Some((_, ty)) = w.locals.iter().rev().find(|(l, _)| l == name) {
                    ty.clone()
                } else {
                    match cx.scope.get(name) {
                        Some(var) => var.ty.clone(),
                        None => {
                            return Err(syntax(
                                "UndefinedVariable",
                                format!("variable `{name}` not defined"),
                                e.span,
                            ))
                        }
                    }
                }
            }
            ExprKind::Property(base, key) => {
                let ty = self.expr(base, cx, w)?;
                match ty {
                    Ty::Path => {
                        return Err(syntax(
                            "InvalidArgumentType",
                            format!("type mismatch: cannot read property `{}` of a Path", key.name),
                            e.span,
                        ))
                    }
                    Ty::Bool | Ty::Int | Ty::Float | Ty::Str | Ty::List(_) => {
                        return Err(type_error(
                            "InvalidArgumentType",
                            format!(
                                "type mismatch: cannot read property `{}` of {} (expected a map, node or relationship)",
                                key.name,
                                ty.describe()
                            ),
                            e.span,
                        ))
                    }
                    _ => Ty::Any,
                }
            }
            ExprKind::Index(base, index) => {
                let base_ty = self.expr(base, cx, w)?;
                let index_ty = self.expr(index, cx, w)?;
                match base_ty {
                    Ty::Bool | Ty::Int | Ty::Float | Ty::Str | Ty::Path => {
                        return Err(type_error(
                            "InvalidArgumentType",
                            format!("type mismatch: cannot index into {}", base_ty.describe()),
                            base.span,
                        ))
                    }
                    Ty::List(inner) => {
                        if index_ty.is_known() && index_ty != Ty::Int {
                            return Err(type_error(
                                "InvalidArgumentType",
                                format!(
                                    "type mismatch: list index must be an Integer, not {}",
                                    index_ty.describe()
                                ),
                                index.span,
                            ));
                        }
                        *inner
                    }
                    _ => Ty::Any,
                }
            }
            ExprKind::Slice(base, from, to) => {
                let base_ty = self.expr(base, cx, w)?;
                for bound in [from, to].into_iter().flatten() {
                    self.expr(bound, cx, w)?;
                }
                match base_ty {
                    Ty::List(_) => base_ty,
                    _ => Ty::Any,
                }
            }
            ExprKind::HasLabels(base, _) => {
                self.expr(base, cx, w)?;
                Ty::Bool
            }
            ExprKind::Unary(op, operand) => {
                let ty = self.expr(operand, cx, w)?;
                match op {
                    UnaryOp::Not => {
                        expect_bool(&ty, "NOT", operand)?;
                        Ty::Bool
                    }
                    UnaryOp::Negate | UnaryOp::Plus => match ty {
                        Ty::Int | Ty::Float => ty,
                        _ => Ty::Any,
                    },
                }
            }
            ExprKind::Binary(op, lhs, rhs) => {
                let l = self.expr(lhs, cx, w)?;
                let r = self.expr(rhs, cx, w)?;
                match op {
                    BinaryOp::And | BinaryOp::Or | BinaryOp::Xor => {
                        let name = match op {
                            BinaryOp::And => "AND",
                            BinaryOp::Or => "OR",
                            _ => "XOR",
                        };
                        expect_bool(&l, name, lhs)?;
                        expect_bool(&r, name, rhs)?;
                        Ty::Bool
                    }
                    BinaryOp::In => {
                        if !r.may_be_list() {
                            return Err(syntax(
                                "InvalidArgumentType",
                                format!(
                                    "type mismatch: the right side of IN must be a list, not {}",
                                    r.describe()
                                ),
                                rhs.span,
                            ));
                        }
                        Ty::Bool
                    }
                    BinaryOp::StartsWith | BinaryOp::EndsWith | BinaryOp::Contains | BinaryOp::RegexMatch => {
                        Ty::Bool
                    }
                    BinaryOp::Add
                    | BinaryOp::Subtract
                    | BinaryOp::Multiply
                    | BinaryOp::Divide
                    | BinaryOp::Modulo
                    | BinaryOp::Power => {
                        // A list takes anything as an element to append.
                        let appends = *op == BinaryOp::Add && (l.may_be_list() || r.may_be_list());
                        for (ty, side) in [(&l, lhs), (&r, rhs)] {
                            if !appends && !ty.may_be_arithmetic_operand(*op == BinaryOp::Add) {
                                return Err(syntax(
                                    "InvalidArgumentType",
                                    format!("type mismatch: arithmetic needs numbers, not {}", ty.describe()),
                                    side.span,
                                ));
                            }
                        }
                        Ty::Any
                    }
                }
            }
            ExprKind::Comparison(first, rest) => {
                self.expr(first, cx, w)?;
                for (_, operand) in rest {
                    self.expr(operand, cx, w)?;
                }
                Ty::Bool
            }
            ExprKind::IsNull { expr, .. } => {
                self.expr(expr, cx, w)?;
                Ty::Bool
            }
            ExprKind::Function { name, distinct, args } => self.function(e, name, *distinct, args, cx, w)?,
            ExprKind::CountStar => {
                self.enter_aggregate("count(*)", e.span, w)?;
                Ty::Int
            }
            ExprKind::Case { subject, alternatives, default } => {
                if let Some(subject) = subject {
                    self.expr(subject, cx, w)?;
                }
                let mut ty = Ty::Null;
                for (when, then) in alternatives {
                    self.expr(when, cx, w)?;
                    ty = ty.join(self.expr(then, cx, w)?);
                }
                match default {
                    Some(default) => ty.join(self.expr(default, cx, w)?),
                    // No ELSE: a row matching no WHEN gives null.
                    None => ty,
                }
            }
            ExprKind::ListComprehension { quantifier, var, list, predicate, projection } => {
                let list_ty = self.expr(list, cx, w)?;
                if !list_ty.may_be_list() {
                    return Err(syntax(
                        "InvalidArgumentType",
                        format!(
                            "type mismatch: a list comprehension needs a list, not {}",
                            list_ty.describe()
                        ),
                        list.span,
                    ));
                }
                let saved = w.no_aggregates.replace("a list comprehension");
                let element = match &list_ty {
                    Ty::List(inner) => (**inner).clone(),
                    _ => Ty::Any,
                };
                w.locals.push((var.name.clone(), element.clone()));
                let result = (|| {
                    if let Some(pred) = predicate {
                        self.expr(pred, cx, w)?;
                    }
                    match projection {
                        Some(proj) => self.expr(proj, cx, w),
                        None => Ok(element),
                    }
                })();
                w.locals.pop();
                w.no_aggregates = saved;
                let result = result?;
                if quantifier.is_some() {
                    Ty::Bool
                } else {
                    Ty::List(Box::new(result))
                }
            }
            ExprKind::Pattern(part) => {
                self.pattern_predicate(part, &self.inner_scope(cx, w))?;
                Ty::Bool
            }
            ExprKind::PatternComprehension { pattern, predicate, projection } => {
                // Checked as `MATCH pattern WHERE predicate` in a scope of
                // its own: the pattern may bind new variables.
                let mut inner = Checker { scope: self.inner_scope(cx, w), columns: None };
                inner.bind_pattern(pattern, PatternMode::Match, &mut Vec::new())?;
                inner.pattern_properties(std::slice::from_ref(&**pattern))?;
                let icx = inner.cx();
                let what = Some("a pattern comprehension");
                if let Some(p) = predicate {
                    let ty = inner.expr(p, &icx, &mut Walk::new(what))?;
                    expect_predicate(&ty, p)?;
                }
                Ty::List(Box::new(inner.expr(projection, &icx, &mut Walk::new(what))?))
            }
            ExprKind::Subquery { kind, body } => {
                if let Some(update) = body.clauses.iter().find(|c| c.writes()) {
                    return Err(syntax(
                        "InvalidClauseComposition",
                        "a subquery in an expression only reads: it cannot have an updating clause",
                        update.span(),
                    ));
                }
                Checker { scope: self.inner_scope(cx, w), columns: None }.clauses(body, false)?;
                match kind {
                    SubqueryKind::Exists => Ty::Bool,
                    SubqueryKind::Count => Ty::Int,
                }
            }
        })
    }

    /// What a pattern predicate or subquery sees: the scope with the
    /// enclosing list comprehensions' variables laid over it.
    fn inner_scope(&self, cx: &Cx<'_>, w: &Walk) -> Scope {
        let mut scope = cx.scope.clone();
        for (name, ty) in &w.locals {
            scope.bind(name, ty.clone());
        }
        scope
    }

    /// A pattern used as a predicate may only mention variables already
    /// bound: it tests the bound ones, it cannot introduce new ones.
    fn pattern_predicate(&self, part: &PatternPart, scope: &Scope) -> Result<(), QueryError> {
        if let Some(var) = &part.var {
            return Err(syntax(
                "UnexpectedSyntax",
                format!("a pattern predicate cannot bind the path variable `{}`", var.name),
                var.span,
            ));
        }
        let names = std::iter::once(part.element.start.var.as_ref())
            .chain(part.element.chain.iter().flat_map(|(r, n)| [r.var.as_ref(), n.var.as_ref()]));
        for var in names.flatten() {
            if scope.get(&var.name).is_none() {
                return Err(syntax(
                    "UndefinedVariable",
                    format!(
                        "variable `{}` not defined (a pattern predicate cannot introduce variables)",
                        var.name
                    ),
                    var.span,
                ));
            }
        }
        let mut inner = Checker { scope: scope.clone(), columns: None };
        inner.bind_pattern(part, PatternMode::Match, &mut Vec::new())?;
        inner.pattern_properties(std::slice::from_ref(part))
    }

    /// Notes that an aggregate starts here, rejecting it where aggregates
    /// are not allowed or inside another aggregate.
    fn enter_aggregate(&self, name: &str, span: Span, w: &Walk) -> Result<(), QueryError> {
        if let Some(outer) = &w.in_aggregate {
            return Err(syntax(
                "NestedAggregation",
                format!("aggregate function {name} cannot be used inside the aggregate {outer}"),
                span,
            ));
        }
        if let Some(place) = w.no_aggregates {
            return Err(syntax(
                "InvalidAggregation",
                format!("aggregate function {name} is not allowed in {place}"),
                span,
            ));
        }
        Ok(())
    }

    fn function(
        &self,
        call: &Expr,
        name: &crate::query::syntax::ast::Ident,
        distinct: bool,
        args: &[Expr],
        cx: &Cx<'_>,
        w: &mut Walk,
    ) -> Result<Ty, QueryError> {
        let Some(sig) = signatures::lookup(&name.name) else {
            let hint = crate::error::did_you_mean(&signatures::suggest(&name.name));
            return Err(syntax(
                "UnknownFunction",
                format!("unknown function '{}'{hint}", name.name),
                name.span,
            ));
        };
        check_arity(sig, args.len(), call.span)?;
        if distinct && !sig.aggregate {
            return Err(syntax(
                "InvalidAggregation",
                format!("DISTINCT can only be used with aggregate functions, not '{}'", sig.name),
                call.span,
            ));
        }
        if sig.name == "rand" && w.in_aggregate.is_some() {
            return Err(syntax(
                "NonConstantExpression",
                "rand() cannot be used inside an aggregate function",
                call.span,
            ));
        }
        let mut types = Vec::with_capacity(args.len());
        if sig.aggregate {
            self.enter_aggregate(&format!("{}(...)", sig.name), call.span, w)?;
            w.in_aggregate = Some(format!("{}(...)", sig.name));
            let result: Result<Vec<Ty>, QueryError> = args.iter().map(|a| self.expr(a, cx, w)).collect();
            w.in_aggregate = None;
            types = result?;
        } else {
            for arg in args {
                types.push(self.expr(arg, cx, w)?);
            }
        }
        check_argument_types(sig, args, &types)?;
        Ok(function_ty(sig.name, &types))
    }
}

//! The semantic checker: every compile-time error a parsed query can still
//! have, found before planning.
//!
//! It walks the clauses in order with the set of variables in scope and what
//! kind of value each holds (node, relationship, path, or a statically known
//! scalar type), and rejects what openCypher rejects at compile time:
//!
//! - variables used but not in scope, and the scope rules of `WITH`/`RETURN`
//!   (after a projection only its names are visible; `ORDER BY` and `WITH ...
//!   WHERE` also see the earlier variables unless the projection aggregates
//!   or is `DISTINCT`);
//! - variables re-declared as another kind (`VariableTypeConflict`) or bound
//!   twice where that is not allowed (`VariableAlreadyBound`,
//!   `RelationshipUniquenessViolation`);
//! - `CREATE` patterns that do not name one type and one direction, or are
//!   variable-length;
//! - aggregates where none may be, nested aggregates, and expressions that
//!   mix aggregates with non-grouping variables;
//! - unknown functions, wrong argument counts, and argument, operand and
//!   property-access types that are wrong for certain (a literal, a
//!   variable bound to one, or a graph element);
//! - `SKIP`/`LIMIT` values that are not constant, negative or not integers;
//! - `WITH` items without an alias and duplicate column names.
//!
//! Types are only ever used to reject: anything the checker cannot be sure
//! of (parameters, properties, arithmetic) is `Any` and passes; the
//! executor checks those at runtime.
//!
//! Errors carry the openCypher TCK's class and detail names (`SyntaxError` /
//! `UndefinedVariable`, ...) and the span of the offending text.

use crate::error::{ErrorClass, QueryError, Span};

mod write;

use crate::query::signatures::{self, Signature};
use crate::query::syntax::ast::{
    BinaryOp, Call, Clause, Create, Direction, Expr, ExprKind, Literal, Match, NodePattern, PatternPart,
    Projection, Properties, Query, RelPattern, Statement, SubqueryKind, UnaryOp, Unwind,
};

/// Checks a parsed statement for semantic errors.
///
/// # Errors
///
/// The first problem found, in clause order, as a compile-time
/// [`QueryError`] with the TCK's class and detail code and the span of the
/// offending text.
pub fn check(statement: &Statement) -> Result<(), QueryError> {
    let mut first = Checker::default();
    first.query(&statement.query)?;
    for union in &statement.unions {
        if union.all != statement.unions[0].all {
            return Err(syntax(
                "InvalidClauseComposition",
                "UNION and UNION ALL cannot be mixed in one query",
                union.span,
            ));
        }
        let mut part = Checker::default();
        part.query(&union.query)?;
        if let (Some(a), Some(b)) = (&first.columns, &part.columns) {
            if a != b {
                return Err(different_columns(a, b, union.span));
            }
        }
    }
    Ok(())
}

/// The error for union parts whose columns differ.
pub(crate) fn different_columns(a: &[String], b: &[String], span: Span) -> QueryError {
    syntax(
        "DifferentColumnsInUnion",
        format!(
            "all queries of a UNION must return the same columns in the same order: {} vs {}",
            a.join(", "),
            b.join(", ")
        ),
        span,
    )
}

/// The statically known type of a value. `Null` is the type of `null` and
/// fits everywhere; `Any` means "not known here".
#[derive(Debug, Clone, PartialEq)]
enum Ty {
    Any,
    Null,
    Bool,
    Int,
    Float,
    Str,
    List(Box<Ty>),
    Map,
    Node,
    Rel,
    Path,
}

impl Ty {
    /// The type of a value that is one of two types (list elements, `CASE`
    /// branches). `null` fits any type, so it does not widen.
    fn join(self, other: Ty) -> Ty {
        match (self, other) {
            (Ty::Null, t) | (t, Ty::Null) => t,
            (Ty::List(a), Ty::List(b)) => Ty::List(Box::new(a.join(*b))),
            (a, b) if a == b => a,
            _ => Ty::Any,
        }
    }

    /// Whether the type is certain enough to reject with.
    fn is_known(&self) -> bool {
        !matches!(self, Ty::Any | Ty::Null)
    }

    /// Whether a value of this type may be a list (for `IN`, `UNWIND`).
    fn may_be_list(&self) -> bool {
        matches!(self, Ty::Any | Ty::Null | Ty::List(_))
    }

    /// Whether a value of this type may be an operand of `+` (`add`) or of
    /// `- * / % ^`: strings and lists concatenate, temporals and durations
    /// (typed `Any` here) add and scale, but booleans, maps, nodes,
    /// relationships and paths never take part, and strings only add.
    fn may_be_arithmetic_operand(&self, add: bool) -> bool {
        match self {
            Ty::Bool | Ty::Map | Ty::Node | Ty::Rel | Ty::Path => false,
            Ty::Str | Ty::List(_) => add,
            Ty::Any | Ty::Null | Ty::Int | Ty::Float => true,
        }
    }

    /// The type's name as openCypher writes it, for messages.
    fn describe(&self) -> String {
        match self {
            Ty::Any => "Any".into(),
            Ty::Null => "Null".into(),
            Ty::Bool => "Boolean".into(),
            Ty::Int => "Integer".into(),
            Ty::Float => "Float".into(),
            Ty::Str => "String".into(),
            Ty::List(inner) => match **inner {
                Ty::Any | Ty::Null => "List".into(),
                ref t => format!("List<{}>", t.describe()),
            },
            Ty::Map => "Map".into(),
            Ty::Node => "Node".into(),
            Ty::Rel => "Relationship".into(),
            Ty::Path => "Path".into(),
        }
    }
}

/// One variable in scope.
#[derive(Debug, Clone)]
struct Var {
    name: String,
    ty: Ty,
}

/// The variables visible at a point of the query, in the order they were
/// bound (which is the column order of `RETURN *`).
#[derive(Debug, Clone, Default)]
struct Scope {
    vars: Vec<Var>,
}

impl Scope {
    fn get(&self, name: &str) -> Option<&Var> {
        self.vars.iter().find(|v| v.name == name)
    }

    /// Binds `name`, replacing an earlier binding of the same name.
    fn bind(&mut self, name: &str, ty: Ty) {
        match self.vars.iter_mut().find(|v| v.name == name) {
            Some(var) => var.ty = ty,
            None => self.vars.push(Var { name: name.to_string(), ty }),
        }
    }

    /// This scope with `other`'s bindings laid over it.
    fn overlaid(&self, other: &Scope) -> Scope {
        let mut merged = self.clone();
        for var in &other.vars {
            merged.bind(&var.name, var.ty.clone());
        }
        merged
    }
}

/// `MATCH` and `MERGE` patterns take a literal map, not `$map`: a map
/// parameter there would hide which properties the pattern matches on.
fn no_parameter_map(properties: Option<&Properties>, mode: PatternMode) -> Result<(), QueryError> {
    match properties {
        Some(Properties::Parameter(p)) if mode.reads() => Err(syntax(
            "InvalidParameterUse",
            format!(
                "parameter maps cannot be used in {} patterns (use a WHERE clause instead): ${}",
                mode.clause(),
                p.name
            ),
            p.span,
        )),
        _ => Ok(()),
    }
}
fn syntax(detail: &'static str, message: impl Into<String>, span: Span) -> QueryError {
    QueryError::compile(ErrorClass::SyntaxError, detail, message, Some(span))
}

fn type_error(detail: &'static str, message: impl Into<String>, span: Span) -> QueryError {
    QueryError::compile(ErrorClass::TypeError, detail, message, Some(span))
}

/// How an expression is being looked at.
struct Cx<'a> {
    /// The variables it may use.
    scope: &'a Scope,
    /// Expressions the enclosing projection has already computed: in
    /// `ORDER BY`/`WHERE` of an aggregating or `DISTINCT` projection, a
    /// subexpression equal to a projected one is a reference to that column,
    /// not to the variables inside it.
    projected: &'a [&'a Expr],
}

/// State while walking one expression.
struct Walk {
    /// List-comprehension and quantifier variables with the element type
    /// of their list, innermost last.
    locals: Vec<(String, Ty)>,
    /// The aggregate being walked through, if any (aggregates don't nest).
    in_aggregate: Option<String>,
    /// Where aggregates are not allowed, named for the message; `None` where
    /// they are.
    no_aggregates: Option<&'static str>,
}

impl Walk {
    fn new(no_aggregates: Option<&'static str>) -> Walk {
        Walk { locals: Vec::new(), in_aggregate: None, no_aggregates }
    }
}

/// Which clause a pattern is in: `MATCH` patterns may re-use bound nodes
/// freely, `CREATE` patterns may only connect them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PatternMode {
    Match,
    Create,
    /// Checked as both: no parameter maps, and only what could be created.
    Merge,
}

impl PatternMode {
    fn reads(self) -> bool {
        matches!(self, PatternMode::Match | PatternMode::Merge)
    }

    fn creates(self) -> bool {
        matches!(self, PatternMode::Create | PatternMode::Merge)
    }

    fn clause(self) -> &'static str {
        match self {
            PatternMode::Match => "MATCH",
            PatternMode::Create => "CREATE",
            PatternMode::Merge => "MERGE",
        }
    }
}

#[derive(Default)]
struct Checker {
    scope: Scope,
    /// The result's column names, when `RETURN` lists them (no `*`).
    columns: Option<Vec<String>>,
}

impl Checker {
    fn query(&mut self, query: &Query) -> Result<(), QueryError> {
        self.clauses(query, true)
    }

    /// The clauses of a statement (which must end with `RETURN` or an
    /// update) or of a subquery (which may end anywhere).
    fn clauses(&mut self, query: &Query, statement: bool) -> Result<(), QueryError> {
        let mut previous: Option<&Clause> = None;
        for clause in &query.clauses {
            if let Some(Clause::Return(_)) = previous {
                return Err(syntax(
                    "InvalidClauseComposition",
                    "RETURN can only be used at the end of the query",
                    clause.span(),
                ));
            }
            match clause {
                Clause::Match(m) => self.match_clause(m)?,
                Clause::Unwind(u) => self.unwind(u)?,
                Clause::With(p) => self.projection(p, true)?,
                Clause::Return(p) => self.projection(p, false)?,
                Clause::Create(c) => self.create(c)?,
                Clause::Call(c) => self.call(c, query.clauses.len() == 1)?,
                Clause::Merge(m) => self.merge(m)?,
                Clause::Set(s) => self.set_items(&s.items)?,
                Clause::Remove(r) => self.remove(r)?,
                Clause::Delete(d) => self.delete(d)?,
            }
            previous = Some(clause);
        }
        match previous {
            _ if !statement => Ok(()),
            None | Some(Clause::Return(_)) => Ok(()),
            Some(c) if c.writes() => Ok(()),
            Some(Clause::Call(_)) if query.clauses.len() == 1 => Ok(()),
            Some(last) => {
                let name = match last {
                    Clause::Match(m) if m.optional => "OPTIONAL MATCH",
                    Clause::Match(_) => "MATCH",
                    Clause::Unwind(_) => "UNWIND",
                    _ => "WITH",
                };
                Err(syntax(
                    "InvalidClauseComposition",
                    format!("query cannot conclude with {name} (must be RETURN or an update clause)"),
                    last.span(),
                ))
            }
        }
    }

    // ---- clauses ----------------------------------------------------------

    fn match_clause(&mut self, m: &Match) -> Result<(), QueryError> {
        let mut rels = Vec::new();
        for part in &m.pattern {
            self.bind_pattern(part, PatternMode::Match, &mut rels)?;
        }
        self.pattern_properties(&m.pattern)?;
        if let Some(pred) = &m.where_ {
            let ty = self.expr(pred, &self.cx(), &mut Walk::new(Some("WHERE")))?;
            expect_predicate(&ty, pred)?;
        }
        Ok(())
    }

    fn create(&mut self, c: &Create) -> Result<(), QueryError> {
        let mut rels = Vec::new();
        for part in &c.pattern {
            self.bind_pattern(part, PatternMode::Create, &mut rels)?;
        }
        self.pattern_properties(&c.pattern)
    }

    /// `CALL`: what can be checked without the procedure's signature (the
    /// planner checks the call against it).
    fn call(&mut self, c: &Call, standalone: bool) -> Result<(), QueryError> {
        for arg in c.args.iter().flatten() {
            self.expr(arg, &self.cx(), &mut Walk::new(Some("procedure arguments")))?;
        }
        if c.yield_star && !standalone {
            return Err(syntax(
                "UnexpectedSyntax",
                "YIELD * is only allowed in a standalone CALL, name the fields to yield",
                c.span,
            ));
        }
        let mut bound: Vec<&str> = Vec::new();
        for item in c.yields.iter().flatten() {
            let var = item.var();
            if self.scope.get(&var.name).is_some() || bound.contains(&var.name.as_str()) {
                return Err(syntax(
                    "VariableAlreadyBound",
                    format!("variable `{}` already declared", var.name),
                    var.span,
                ));
            }
            bound.push(&var.name);
        }
        for name in bound {
            self.scope.bind(name, Ty::Any);
        }
        if let Some(pred) = &c.where_ {
            self.expr(pred, &self.cx(), &mut Walk::new(Some("WHERE")))?;
        }
        Ok(())
    }

    fn unwind(&mut self, u: &Unwind) -> Result<(), QueryError> {
        let ty = self.expr(&u.expr, &self.cx(), &mut Walk::new(Some("UNWIND")))?;
        if self.scope.get(&u.var.name).is_some() {
            return Err(syntax(
                "VariableAlreadyBound",
                format!("variable `{}` already declared", u.var.name),
                u.var.span,
            ));
        }
        let element = match ty {
            Ty::List(inner) => *inner,
            other => other,
        };
        self.scope.bind(&u.var.name, element);
        Ok(())
    }

    /// `WITH` (`is_with`) or `RETURN`.
    fn projection(&mut self, p: &Projection, is_with: bool) -> Result<(), QueryError> {
        let clause = if is_with { "WITH" } else { "RETURN" };
        let incoming = std::mem::take(&mut self.scope);
        // `WITH *` over nothing is allowed (it carries no columns on), but a
        // result needs at least one column.
        if p.star && !is_with && incoming.vars.is_empty() {
            return Err(syntax(
                "NoVariablesInScope",
                "RETURN * is not allowed when there are no variables in scope",
                p.span,
            ));
        }

        let no_projection: [&Expr; 0] = [];
        let mut types = Vec::with_capacity(p.items.len());
        for item in &p.items {
            if let Some(span) = pattern_as_value(&item.expr) {
                return Err(syntax(
                    "UnexpectedSyntax",
                    format!("a pattern expression can only be a predicate, not a {clause} value; use EXISTS {{ ... }} or a pattern comprehension"),
                    span,
                ));
            }
            let cx = Cx { scope: &incoming, projected: &no_projection };
            types.push(self.expr(&item.expr, &cx, &mut Walk::new(None))?);
        }
        let aggregating = p.items.iter().any(|item| contains_aggregate(&item.expr));

        // Grouping keys: what an expression holding an aggregate may use
        // outside the aggregate.
        let grouping: Vec<&Expr> =
            p.items.iter().filter(|item| !contains_aggregate(&item.expr)).map(|item| &item.expr).collect();
        if aggregating {
            let mut names: Vec<&str> = grouping
                .iter()
                .filter_map(|e| match &e.kind {
                    ExprKind::Variable(v) => Some(v.as_str()),
                    _ => None,
                })
                .collect();
            if p.star {
                names.extend(incoming.vars.iter().map(|v| v.name.as_str()));
            }
            for item in p.items.iter().filter(|item| contains_aggregate(&item.expr)) {
                check_ambiguity(&item.expr, &grouping, &names, &mut Vec::new())?;
            }
        }

        let mut out = if p.star { incoming.clone() } else { Scope::default() };
        for (item, ty) in p.items.iter().zip(&types) {
            if let Some(name) = column_variable(item) {
                out.bind(name, ty.clone());
            }
        }

        // ORDER BY and WITH ... WHERE see the projected names; unless the
        // projection aggregates or is DISTINCT they also see the variables
        // from before it (the rows are still the same rows).
        let restricted = aggregating || p.distinct;
        let after_scope = if restricted { out.clone() } else { incoming.overlaid(&out) };
        let projected: Vec<&Expr> =
            if restricted { p.items.iter().map(|i| &i.expr).collect() } else { Vec::new() };
        let cx = Cx { scope: &after_scope, projected: &projected };
        for sort in &p.order_by {
            let no_aggregates =
                if aggregating { None } else { Some("ORDER BY after a projection without aggregation") };
            self.expr(&sort.expr, &cx, &mut Walk::new(no_aggregates))?;
            if aggregating && contains_aggregate(&sort.expr) {
                let names: Vec<&str> = out.vars.iter().map(|v| v.name.as_str()).collect();
                check_ambiguity(&sort.expr, &grouping, &names, &mut Vec::new())?;
            }
        }
        if let Some(skip) = &p.skip {
            self.skip_limit(skip, "SKIP")?;
        }
        if let Some(limit) = &p.limit {
            self.skip_limit(limit, "LIMIT")?;
        }
        if let Some(pred) = &p.where_ {
            let ty = self.expr(pred, &cx, &mut Walk::new(Some("WHERE")))?;
            expect_predicate(&ty, pred)?;
        }

        let mut columns: Vec<&str> = Vec::new();
        for item in &p.items {
            if is_with && item.alias.is_none() && !matches!(item.expr.kind, ExprKind::Variable(_)) {
                return Err(syntax(
                    "NoExpressionAlias",
                    format!("expression in WITH must be aliased (use AS): {}", item.text),
                    item.span,
                ));
            }
            let name = column_variable(item).unwrap_or(item.text.as_str());
            if columns.contains(&name) {
                let span = item.alias.as_ref().map_or(item.span, |a| a.span);
                return Err(syntax(
                    "ColumnNameConflict",
                    format!("multiple {clause} columns named `{name}`"),
                    span,
                ));
            }
            columns.push(name);
        }
        if !is_with && !p.star {
            self.columns = Some(columns.iter().map(|c| c.to_string()).collect());
        }

        self.scope = out;
        Ok(())
    }

    /// `SKIP`/`LIMIT`: a constant, non-negative integer.
    fn skip_limit(&self, e: &Expr, what: &'static str) -> Result<(), QueryError> {
        if let Some(span) = first_variable(e) {
            return Err(syntax(
                "NonConstantExpression",
                format!("{what} must be a constant expression; it cannot use variables"),
                span,
            ));
        }
        // A literal, possibly negated: `SKIP -1` is `-(1)` to the parser.
        let (literal, negated) = match &e.kind {
            ExprKind::Literal(l) => (Some(l), false),
            ExprKind::Unary(UnaryOp::Negate, inner) => match &inner.kind {
                ExprKind::Literal(l) => (Some(l), true),
                _ => (None, false),
            },
            _ => (None, false),
        };
        match literal {
            Some(Literal::Integer(n)) if (negated && *n > 0) || (!negated && *n < 0) => {
                return Err(syntax(
                    "NegativeIntegerArgument",
                    format!("{what} must be a non-negative integer"),
                    e.span,
                ));
            }
            Some(l @ (Literal::Bool(_) | Literal::Float(_) | Literal::String(_))) => {
                return Err(syntax(
                    "InvalidArgumentType",
                    format!("{what} must be a non-negative integer, not {}", literal_ty(l).describe()),
                    e.span,
                ));
            }
            _ => {}
        }
        let empty = Scope::default();
        let ty = self.expr(e, &Cx { scope: &empty, projected: &[] }, &mut Walk::new(Some(what)))?;
        if ty.is_known() && ty != Ty::Int {
            return Err(syntax(
                "InvalidArgumentType",
                format!("{what} must be a non-negative integer, not {}", ty.describe()),
                e.span,
            ));
        }
        Ok(())
    }

    // ---- patterns ---------------------------------------------------------

    fn cx(&self) -> Cx<'_> {
        Cx { scope: &self.scope, projected: &[] }
    }

    /// Binds the variables of one pattern part, checking each against what
    /// it is already bound to. `rels` collects the relationship variables of
    /// the whole clause, which must all differ.
    fn bind_pattern(
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
    fn pattern_properties(&self, parts: &[PatternPart]) -> Result<(), QueryError> {
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

    // ---- expressions ------------------------------------------------------

    /// Checks an expression and returns its static type.
    fn expr(&self, e: &Expr, cx: &Cx<'_>, w: &mut Walk) -> Result<Ty, QueryError> {
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

fn literal_ty(l: &Literal) -> Ty {
    match l {
        Literal::Null => Ty::Null,
        Literal::Bool(_) => Ty::Bool,
        Literal::Integer(_) => Ty::Int,
        Literal::Float(_) => Ty::Float,
        Literal::String(_) => Ty::Str,
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

/// The variable a projection item defines afterwards: its alias, or the
/// variable it projects unchanged.
fn column_variable(item: &crate::query::syntax::ast::ProjectionItem) -> Option<&str> {
    match (&item.alias, &item.expr.kind) {
        (Some(alias), _) => Some(alias.name.as_str()),
        (None, ExprKind::Variable(v)) => Some(v.as_str()),
        _ => None,
    }
}

fn is_aggregate_call(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::CountStar => true,
        ExprKind::Function { name, .. } => signatures::lookup(&name.name).is_some_and(|s| s.aggregate),
        _ => false,
    }
}

/// Whether an aggregate appears anywhere in `e`.
fn contains_aggregate(e: &Expr) -> bool {
    let mut found = false;
    visit(e, &mut |sub| {
        found |= is_aggregate_call(sub);
        !found
    });
    found
}

/// The span of the first variable `e` uses, if any (list-comprehension
/// variables are its own, not the query's).
/// `WHERE (n)` and the like: a value that can never be a boolean.
fn expect_predicate(ty: &Ty, pred: &Expr) -> Result<(), QueryError> {
    if ty.is_known() && *ty != Ty::Bool {
        return Err(syntax(
            "InvalidArgumentType",
            format!("type mismatch: WHERE expects a Boolean, but was given {}", ty.describe()),
            pred.span,
        ));
    }
    Ok(())
}

/// Where a projected value is a pattern expression itself, or one handed to a
/// function other than `exists()`: openCypher only allows patterns as
/// predicates.
pub(super) fn pattern_as_value(e: &Expr) -> Option<Span> {
    match &e.kind {
        ExprKind::Pattern(_) => Some(e.span),
        ExprKind::Function { name, .. } if name.name.eq_ignore_ascii_case("exists") => None,
        ExprKind::Function { args, .. } => args.iter().find_map(|a| match &a.kind {
            ExprKind::Pattern(_) => Some(a.span),
            _ => pattern_as_value(a),
        }),
        ExprKind::Unary(UnaryOp::Not, _)
        | ExprKind::Binary(BinaryOp::And | BinaryOp::Or | BinaryOp::Xor, ..)
        | ExprKind::Case { .. }
        | ExprKind::ListComprehension { .. } => None,
        _ => children(e).into_iter().find_map(pattern_as_value),
    }
}

fn first_variable(e: &Expr) -> Option<Span> {
    fn walk(e: &Expr, locals: &mut Vec<String>) -> Option<Span> {
        match &e.kind {
            ExprKind::Variable(v) if !locals.contains(v) => Some(e.span),
            ExprKind::ListComprehension { var, list, predicate, projection, .. } => walk(list, locals)
                .or_else(|| {
                    locals.push(var.name.clone());
                    let found = predicate
                        .as_deref()
                        .and_then(|p| walk(p, locals))
                        .or_else(|| projection.as_deref().and_then(|p| walk(p, locals)));
                    locals.pop();
                    found
                }),
            ExprKind::Pattern(_) | ExprKind::Subquery { .. } => Some(e.span),
            _ => {
                let mut found = None;
                for child in children(e) {
                    found = found.or_else(|| walk(child, locals));
                }
                found
            }
        }
    }
    walk(e, &mut Vec::new())
}

/// In a projection that aggregates, an expression holding an aggregate may
/// use, outside its aggregates, only constants, parameters and grouping
/// keys: a variable named in `names`, or a property of one, or a property
/// access that is itself a grouping key. openCypher matches grouping keys
/// only at these leaves, so `a.x + b.x + count(*)` is ambiguous even when
/// `a.x + b.x` is projected.
fn check_ambiguity(
    e: &Expr,
    grouping: &[&Expr],
    names: &[&str],
    locals: &mut Vec<String>,
) -> Result<(), QueryError> {
    if is_aggregate_call(e) {
        return Ok(());
    }
    let ambiguous = || {
        syntax(
            "AmbiguousAggregationExpression",
            "expression mixes an aggregate with a value that is not a grouping key; \
             project it as its own column",
            e.span,
        )
    };
    match &e.kind {
        ExprKind::Variable(v) => {
            if locals.contains(v) || names.contains(&v.as_str()) {
                Ok(())
            } else {
                Err(ambiguous())
            }
        }
        ExprKind::Property(..) if property_root(e).is_some() => {
            if grouping.iter().any(|g| same_expr(g, e)) {
                return Ok(());
            }
            match property_root(e) {
                Some(root) if locals.iter().any(|l| l == root) || names.contains(&root) => Ok(()),
                _ => Err(ambiguous()),
            }
        }
        ExprKind::ListComprehension { var, list, predicate, projection, .. } => {
            check_ambiguity(list, grouping, names, locals)?;
            locals.push(var.name.clone());
            let result = predicate
                .as_deref()
                .into_iter()
                .chain(projection.as_deref())
                .try_for_each(|sub| check_ambiguity(sub, grouping, names, locals));
            locals.pop();
            result
        }
        _ => children(e).into_iter().try_for_each(|child| check_ambiguity(child, grouping, names, locals)),
    }
}

/// The variable at the bottom of a property chain `v.a.b`.
fn property_root(e: &Expr) -> Option<&str> {
    match &e.kind {
        ExprKind::Variable(v) => Some(v),
        ExprKind::Property(base, _) => property_root(base),
        _ => None,
    }
}

/// Calls `f` on `e` and its subexpressions, depth first, while it returns
/// `true`.
fn visit(e: &Expr, f: &mut dyn FnMut(&Expr) -> bool) -> bool {
    if !f(e) {
        return false;
    }
    children(e).into_iter().all(|child| visit(child, f))
}

/// The direct subexpressions of `e` (pattern expressions have none that
/// matter here).
fn children(e: &Expr) -> Vec<&Expr> {
    match &e.kind {
        ExprKind::Literal(_)
        | ExprKind::Parameter(_)
        | ExprKind::Variable(_)
        | ExprKind::CountStar
        | ExprKind::Pattern(_)
        | ExprKind::PatternComprehension { .. }
        | ExprKind::Subquery { .. } => Vec::new(),
        ExprKind::List(items) => items.iter().collect(),
        ExprKind::Map(entries) => entries.iter().map(|(_, v)| v).collect(),
        ExprKind::Property(base, _) | ExprKind::HasLabels(base, _) | ExprKind::Unary(_, base) => vec![base],
        ExprKind::IsNull { expr, .. } => vec![expr],
        ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => vec![a, b],
        ExprKind::Slice(base, from, to) => {
            std::iter::once(&**base).chain(from.as_deref()).chain(to.as_deref()).collect()
        }
        ExprKind::Comparison(first, rest) => {
            std::iter::once(&**first).chain(rest.iter().map(|(_, e)| e)).collect()
        }
        ExprKind::Function { args, .. } => args.iter().collect(),
        ExprKind::Case { subject, alternatives, default } => subject
            .as_deref()
            .into_iter()
            .chain(alternatives.iter().flat_map(|(w, t)| [w, t]))
            .chain(default.as_deref())
            .collect(),
        ExprKind::ListComprehension { list, predicate, projection, .. } => {
            std::iter::once(&**list).chain(predicate.as_deref()).chain(projection.as_deref()).collect()
        }
    }
}

/// Structural equality ignoring spans (and the case of function names).
fn same_expr(a: &Expr, b: &Expr) -> bool {
    use ExprKind as K;
    let all =
        |xs: &[Expr], ys: &[Expr]| xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| same_expr(x, y));
    let opt = |x: &Option<Box<Expr>>, y: &Option<Box<Expr>>| match (x, y) {
        (None, None) => true,
        (Some(x), Some(y)) => same_expr(x, y),
        _ => false,
    };
    let maps = |xs: &[(crate::query::syntax::ast::Ident, Expr)],
                ys: &[(crate::query::syntax::ast::Ident, Expr)]| {
        xs.len() == ys.len()
            && xs.iter().zip(ys).all(|((k1, v1), (k2, v2))| k1.name == k2.name && same_expr(v1, v2))
    };
    match (&a.kind, &b.kind) {
        (K::Literal(x), K::Literal(y)) => x == y,
        (K::List(x), K::List(y)) => all(x, y),
        (K::Map(x), K::Map(y)) => maps(x, y),
        (K::Parameter(x), K::Parameter(y)) | (K::Variable(x), K::Variable(y)) => x == y,
        (K::Property(x, k1), K::Property(y, k2)) => k1.name == k2.name && same_expr(x, y),
        (K::Index(x1, x2), K::Index(y1, y2)) => same_expr(x1, y1) && same_expr(x2, y2),
        (K::Slice(x, x1, x2), K::Slice(y, y1, y2)) => same_expr(x, y) && opt(x1, y1) && opt(x2, y2),
        (K::HasLabels(x, l1), K::HasLabels(y, l2)) => {
            same_expr(x, y) && l1.len() == l2.len() && l1.iter().zip(l2).all(|(p, q)| p.name == q.name)
        }
        (K::Unary(o1, x), K::Unary(o2, y)) => o1 == o2 && same_expr(x, y),
        (K::Binary(o1, x1, x2), K::Binary(o2, y1, y2)) => o1 == o2 && same_expr(x1, y1) && same_expr(x2, y2),
        (K::Comparison(x, xs), K::Comparison(y, ys)) => {
            same_expr(x, y)
                && xs.len() == ys.len()
                && xs.iter().zip(ys).all(|((o1, p), (o2, q))| o1 == o2 && same_expr(p, q))
        }
        (K::IsNull { expr: x, negated: n1 }, K::IsNull { expr: y, negated: n2 }) => {
            n1 == n2 && same_expr(x, y)
        }
        (
            K::Function { name: n1, distinct: d1, args: a1 },
            K::Function { name: n2, distinct: d2, args: a2 },
        ) => n1.name.eq_ignore_ascii_case(&n2.name) && d1 == d2 && all(a1, a2),
        (K::CountStar, K::CountStar) => true,
        (
            K::Case { subject: s1, alternatives: a1, default: d1 },
            K::Case { subject: s2, alternatives: a2, default: d2 },
        ) => {
            opt(s1, s2)
                && opt(d1, d2)
                && a1.len() == a2.len()
                && a1.iter().zip(a2).all(|((w1, t1), (w2, t2))| same_expr(w1, w2) && same_expr(t1, t2))
        }
        (
            K::ListComprehension { quantifier: q1, var: v1, list: l1, predicate: p1, projection: r1 },
            K::ListComprehension { quantifier: q2, var: v2, list: l2, predicate: p2, projection: r2 },
        ) => q1 == q2 && v1.name == v2.name && same_expr(l1, l2) && opt(p1, p2) && opt(r1, r2),
        _ => false,
    }
}

#[cfg(test)]
#[path = "check_tck.rs"]
mod tck;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::syntax::parse_statement;

    /// Parses and checks `q`; parse errors fail the test.
    fn run(q: &str) -> Result<(), QueryError> {
        let statement = parse_statement(q).unwrap_or_else(|e| panic!("{q}: parse error: {}", e.message));
        check(&statement)
    }

    #[track_caller]
    fn ok(q: &str) {
        if let Err(e) = run(q) {
            panic!("{q}: rejected: {} {}: {}", e.class.as_str(), e.detail, e.message);
        }
    }

    /// Asserts `q` fails with `detail` and returns the error.
    #[track_caller]
    fn fails(q: &str, detail: &str) -> QueryError {
        match run(q) {
            Ok(()) => panic!("{q}: accepted, expected {detail}"),
            Err(e) => {
                assert_eq!(e.detail, detail, "{q}: {}", e.message);
                assert_eq!(e.phase, crate::error::Phase::CompileTime);
                e
            }
        }
    }

    /// The text the error's span covers.
    fn spanned<'q>(q: &'q str, e: &QueryError) -> &'q str {
        let span = e.span.expect("error has a span");
        &q[span.start..span.end]
    }

    #[test]
    fn undefined_variables() {
        let q = "MATCH (s) WHERE s.name = undefinedVariable RETURN s";
        let e = fails(q, "UndefinedVariable");
        assert_eq!(e.class, ErrorClass::SyntaxError);
        assert_eq!(spanned(q, &e), "undefinedVariable");
        assert_eq!(e.message, "variable `undefinedVariable` not defined");
        fails("RETURN {k1: k2} AS literal", "UndefinedVariable");
        fails("CREATE (b {name: missing}) RETURN b", "UndefinedVariable");
        fails("MATCH (a), (b) WITH a RETURN b", "UndefinedVariable");
        ok("MATCH (a)-[r]->(b) RETURN a, r, b");
        ok("UNWIND [1, 2] AS x RETURN [y IN [x] | y + x] AS l");
        fails("RETURN [y IN [1] | y] AS l, y", "UndefinedVariable");
    }

    #[test]
    fn error_renders_with_caret() {
        let q = "MATCH (n)\nRETURN n.name AS name, m";
        let e = run(q).unwrap_err().with_query(q);
        assert_eq!(
            e.render(),
            "query error at line 2, column 24:\n    RETURN n.name AS name, m\n                           ^\nerror: variable `m` not defined"
        );
    }

    #[test]
    fn order_by_scope() {
        // Without aggregation or DISTINCT the earlier variables stay visible.
        ok("MATCH (a:A) WITH a, a.num + a.num2 AS sum WITH a, a.num2 % 3 AS mod ORDER BY sum LIMIT 3 RETURN a, mod");
        ok("MATCH (a) WITH a.name2 AS name WHERE a.name2 = 'B' RETURN *");
        ok("MATCH (a) RETURN a.name AS n ORDER BY a.age");
        fails("MATCH (a:A), (b:B), (c:C) WITH a, b WITH a ORDER BY c RETURN a", "UndefinedVariable");
        // DISTINCT and aggregation hide them, but projected expressions may be repeated.
        let q = "MATCH (a) RETURN DISTINCT a.name ORDER BY a.age";
        assert_eq!(spanned(q, &fails(q, "UndefinedVariable")), "a");
        ok("MATCH (a) RETURN DISTINCT a.name ORDER BY a.name");
        ok("MATCH (a) WITH DISTINCT a.name2 AS name WHERE a.name2 = 'B' RETURN *");
        ok("MATCH (a:A) WITH a.num2 % 3 AS mod, sum(a.num + a.num2) AS sum ORDER BY sum(a.num + a.num2) LIMIT 2 RETURN mod, sum");
        fails(
            "MATCH (a:A) WITH a.num2 % 3 AS mod, min(a.num + a.num2) AS min ORDER BY sum(a.num + a.num2) RETURN mod, min",
            "UndefinedVariable",
        );
        ok("MATCH (me:Person)--(you:Person) WITH me.age AS age, count(you.age) AS cnt ORDER BY me.age + count(you.age) RETURN age");
        fails(
            "MATCH (me:Person)--(you:Person) WITH count(you.age) AS agg ORDER BY me.age + count(you.age) RETURN *",
            "UndefinedVariable",
        );
    }

    #[test]
    fn pattern_kind_conflicts() {
        let q = "MATCH ()-[r]-() MATCH (r) RETURN r";
        let e = fails(q, "VariableTypeConflict");
        assert_eq!(e.span.map(|s| s.start), Some(q.rfind("r)").unwrap()));
        fails("MATCH r = ()-[]-() MATCH (r) RETURN r", "VariableTypeConflict");
        fails("MATCH ()-[r]-(r) RETURN r", "VariableTypeConflict");
        fails("MATCH (r)-[r]-() RETURN r", "VariableTypeConflict");
        fails("MATCH r = ()-[]-(), ()-[r*]-() RETURN r", "VariableTypeConflict");
        fails("WITH 123 AS n MATCH (n) RETURN n", "VariableTypeConflict");
        fails("WITH {x: 1} AS r MATCH ()-[r]-() RETURN r", "VariableTypeConflict");
        fails(
            "MATCH (n) WITH [n] AS users MATCH (users)-->(messages) RETURN messages",
            "VariableTypeConflict",
        );
        fails("MATCH ()-[r]-() MATCH ()-[r*]-() RETURN r", "VariableTypeConflict");
        ok("MATCH (a)-[r]->(b) WITH r MATCH ()-[r]->() RETURN r");
        ok("MATCH ()-[rs*]->() WITH rs MATCH ()-[rs*]->() RETURN rs");
        ok("MATCH (a)-->(b), (b)-->(a) RETURN a, b");
        ok("WITH $param AS n MATCH (n) RETURN n");
        ok("UNWIND [null] AS n MATCH (n) RETURN n");
    }

    #[test]
    fn already_bound() {
        fails("MATCH (p)-[]-() MATCH p = ()-[]-() RETURN p", "VariableAlreadyBound");
        fails("MATCH p = (p)-[]-() RETURN p", "VariableAlreadyBound");
        fails("WITH true AS p MATCH p = ()-[]-() RETURN p", "VariableAlreadyBound");
        fails("MATCH (a) CREATE (a)", "VariableAlreadyBound");
        fails("MATCH (a) CREATE (a {name: 'foo'}) RETURN a", "VariableAlreadyBound");
        fails("CREATE (n:Foo)-[:T1]->(), (n:Bar)-[:T2]->()", "VariableAlreadyBound");
        fails("CREATE (n {}) CREATE (n:Bar)-[:OWNS]->(:Dog)", "VariableAlreadyBound");
        fails("MATCH ()-[r]->() CREATE ()-[r]->()", "VariableAlreadyBound");
        fails("UNWIND [1] AS x UNWIND [2] AS x RETURN x", "VariableAlreadyBound");
        ok("MATCH (a) CREATE (a)-[:R]->(b) RETURN b");
        ok("CREATE (a:A) CREATE (a)-[:R]->(:B)");
        ok("CREATE (a)-[:R]->(a)");
    }

    #[test]
    fn relationship_uniqueness() {
        fails("MATCH (a)-[r]->()-[r]->(a) RETURN r", "RelationshipUniquenessViolation");
        fails("MATCH (a)-[r]->(b), (b)-[r]->(c) RETURN r", "RelationshipUniquenessViolation");
    }

    #[test]
    fn create_rules() {
        fails("CREATE ()-->()", "NoSingleRelationshipType");
        fails("CREATE ()-[:A|:B]->()", "NoSingleRelationshipType");
        fails("CREATE (a)-[:FOO]-(b)", "RequiresDirectedRelationship");
        fails("CREATE (a)<-[:FOO]->(b)", "RequiresDirectedRelationship");
        fails("CREATE ()-[:FOO*2]->()", "CreatingVarLength");
        ok("CREATE (a $props) RETURN a");
        ok("CREATE p = (a:A)-[:R {w: 1}]->(b:B {x: a.y}) RETURN p");
    }

    /// Parses `q` and edits its AST, for shapes the parser already rejects
    /// but the check must not rely on that.
    fn edited(q: &str, edit: impl FnOnce(&mut Vec<Clause>)) -> Result<(), QueryError> {
        let mut statement = parse_statement(q).unwrap_or_else(|e| panic!("{q}: parse error: {}", e.message));
        edit(&mut statement.query.clauses);
        check(&statement)
    }

    #[test]
    fn parameters_in_match_patterns() {
        // `CREATE (n $param)` is fine; the same pattern in MATCH is not.
        let as_match = |clauses: &mut Vec<Clause>| {
            if let Clause::Create(c) = &clauses[0] {
                let pattern = c.pattern.clone();
                clauses[0] = Clause::Match(Match { optional: false, pattern, where_: None, span: c.span });
            }
        };
        ok("CREATE (n $param) RETURN n");
        let e = edited("CREATE (n $param) RETURN n", as_match).unwrap_err();
        assert_eq!(e.detail, "InvalidParameterUse");
        let e = edited("CREATE ()-[r:FOO $param]->() RETURN r", as_match).unwrap_err();
        assert_eq!(e.detail, "InvalidParameterUse");
        ok("MATCH (n {name: $name}) RETURN n");
    }

    #[test]
    fn aggregation_placement() {
        fails("MATCH (a) WHERE count(a) > 10 RETURN a", "InvalidAggregation");
        fails("MATCH (n) RETURN [x IN [1, 2, 3] | count(*)]", "InvalidAggregation");
        fails("MATCH (n) WITH n.num1 AS foo ORDER BY max(n.num2) RETURN foo AS foo", "InvalidAggregation");
        fails("MATCH (n) RETURN n.num1 ORDER BY max(n.num2)", "InvalidAggregation");
        fails("UNWIND [count(*)] AS x RETURN x", "InvalidAggregation");
        fails("RETURN count(count(*))", "NestedAggregation");
        fails("RETURN count(rand())", "NonConstantExpression");
        fails("RETURN size(DISTINCT [1])", "InvalidAggregation");
        ok("MATCH (a) RETURN size(collect(a))");
        ok("MATCH (n) RETURN n.num, count(*) ORDER BY count(*) DESC");
        ok("MATCH (n) RETURN [x IN collect(n.num) WHERE x > 1 | x * 2] AS l");
        ok("MATCH (n) RETURN count(DISTINCT n.num) AS c, collect(DISTINCT n) AS d");
    }

    #[test]
    fn ambiguous_aggregation() {
        fails("MATCH (me)--(you) RETURN me.age + count(you.age)", "AmbiguousAggregationExpression");
        fails(
            "MATCH (me)--(you) RETURN me.age + you.age, me.age + you.age + count(*)",
            "AmbiguousAggregationExpression",
        );
        fails(
            "MATCH (me)--(you) WITH me.age + you.age AS grp, me.age + you.age + count(*) AS agg RETURN *",
            "AmbiguousAggregationExpression",
        );
        // The missing alias would be an error too; the ambiguity is found first.
        fails(
            "MATCH (me)--(you) WITH me.age + you.age, count(*) AS cnt ORDER BY me.age + you.age + count(*) RETURN *",
            "AmbiguousAggregationExpression",
        );
        ok("MATCH (me)--(you) RETURN me.age, me.age + count(you.age)");
        ok("MATCH (me)--(you) WITH me.age AS age, you RETURN age, age + count(you.age)");
        ok("MATCH (a)<-[:F]-(c) RETURN a.name, {foo: a.name = 'x', kids: collect(c.name)}");
        ok("MATCH (a) RETURN a, count(a) + 3");
        ok("MATCH (a) RETURN a, a.x + count(*)");
        ok("MATCH (p) RETURN $age + avg(p.age) - 1000");
        ok("MATCH (a) RETURN [x IN collect(a) | x.name] AS names");
    }

    #[test]
    fn projection_names() {
        fails("MATCH (a) WITH a, count(*) RETURN a", "NoExpressionAlias");
        fails("WITH 1 AS a, 2 AS a RETURN a", "ColumnNameConflict");
        fails("RETURN 1 AS a, 2 AS a", "ColumnNameConflict");
        fails("MATCH () RETURN *", "NoVariablesInScope");
        ok("MATCH (a) WITH a, count(*) AS c RETURN *");
        ok("MATCH (a) WITH * RETURN a");
        ok("RETURN 1 AS a, 1 AS b");
    }

    #[test]
    fn functions() {
        let q = "MATCH (a) RETURN foo(a)";
        let e = fails(q, "UnknownFunction");
        assert_eq!((spanned(q, &e), e.message.as_str()), ("foo", "unknown function 'foo'"));
        let e = fails("MATCH (a) RETURN colect(a)", "UnknownFunction");
        assert_eq!(e.message, "unknown function 'colect'; did you mean 'collect'?");
        fails("RETURN apoc.coll.sum([1])", "UnknownFunction");
        fails("RETURN size()", "InvalidNumberOfArguments");
        fails("RETURN range(1)", "InvalidNumberOfArguments");
        fails("RETURN rand(1)", "InvalidNumberOfArguments");
        ok("RETURN coalesce(null, 1, 2), cOuNt(*), toUpper('a'), range(1, 10, 2)");
        fails("MATCH p = (a) RETURN labels(p) AS l", "InvalidArgumentType");
        fails("MATCH (r) RETURN type(r)", "InvalidArgumentType");
        fails("RETURN properties(1)", "InvalidArgumentType");
        fails("MATCH p = (a)-[*]->(b) RETURN size(p)", "InvalidArgumentType");
        fails("MATCH (n) RETURN length(n)", "InvalidArgumentType");
        fails("MATCH (n) RETURN exists(n)", "InvalidArgumentType");
        ok("MATCH (n) RETURN exists(n.name)");
        // Value-level problems are the executor's.
        ok("RETURN range(2, 8, 0), range(true, 1, 1), toInteger([1])");
        ok("MATCH (a) WITH [a, 1] AS list RETURN labels(list[1]) AS l");
    }

    #[test]
    fn arithmetic_on_known_non_numbers_fails_at_compile_time() {
        fails("RETURN none(x IN ['Clara'] WHERE x % 2 = 0) AS r", "InvalidArgumentType");
        fails("RETURN all(x IN [false, true] WHERE x % 2 = 0) AS r", "InvalidArgumentType");
        fails("MATCH (n) RETURN n * 2", "InvalidArgumentType");
        fails("RETURN 'a' - 1", "InvalidArgumentType");
        // Strings and lists add; temporals and unknowns are the executor's.
        ok("RETURN 'a' + 1, [1] + 2, [1] + true, 1 + 2.5");
        ok("RETURN date('2022-12') - duration('P6M'), duration('P1D') * 2");
        ok("MATCH (n) RETURN n.x % 2, any(x IN ['a', 1] WHERE x % 2 = 0)");
    }

    #[test]
    fn operand_types() {
        let q = "RETURN 123 AND true";
        let e = fails(q, "InvalidArgumentType");
        assert_eq!((e.class, spanned(q, &e)), (ErrorClass::SyntaxError, "123"));
        fails("RETURN true OR [false]", "InvalidArgumentType");
        fails("RETURN {x: []} XOR [123]", "InvalidArgumentType");
        fails("RETURN NOT 'foo'", "InvalidArgumentType");
        fails("RETURN 1 IN 123.4", "InvalidArgumentType");
        ok("RETURN null AND true, null OR null, NOT null, 1 IN null, null IN [1]");
        ok("UNWIND [true, false] AS b RETURN NOT b, b XOR true");
        ok("MATCH (n) RETURN n.flag AND n.other, NOT n:Label");
    }

    #[test]
    fn property_and_index_types() {
        let e = fails("WITH 123 AS x RETURN x.num", "InvalidArgumentType");
        assert_eq!(e.class, ErrorClass::TypeError);
        fails("WITH [123, true] AS x RETURN x.num", "InvalidArgumentType");
        let e = fails("MATCH (n) MATCH r = (n)-[*]->() WHERE r.name = 'apa' RETURN r", "InvalidArgumentType");
        assert_eq!(e.class, ErrorClass::SyntaxError);
        ok("WITH {num: 1} AS m, null AS z RETURN m.num, z.num");
        ok("MATCH (n)-[r]->() RETURN n.name, r.w, n['name']");
        let e = fails("WITH true AS list, 0 AS idx RETURN list[idx]", "InvalidArgumentType");
        assert_eq!(e.class, ErrorClass::TypeError);
        fails("WITH [1, 2] AS list, 4.7 AS idx RETURN list[idx]", "InvalidArgumentType");
        ok("WITH [1, 2] AS list, 1 AS idx RETURN list[idx], list[0..1], {a: 1}['a']");
        ok("WITH $expr AS list, $idx AS idx RETURN list[idx]");
    }

    #[test]
    fn skip_and_limit() {
        fails("MATCH (n) RETURN n SKIP n.count", "NonConstantExpression");
        fails("MATCH (n) RETURN n LIMIT n.count", "NonConstantExpression");
        fails("MATCH (n) RETURN n SKIP -1", "NegativeIntegerArgument");
        fails("MATCH (n) RETURN n LIMIT -1", "NegativeIntegerArgument");
        fails("MATCH (n) RETURN n SKIP 1.5", "InvalidArgumentType");
        fails("MATCH (n) RETURN n LIMIT 1.7", "InvalidArgumentType");
        ok("MATCH (n) RETURN n SKIP $s LIMIT $l");
        ok("MATCH (n) RETURN n SKIP 0 LIMIT 1 + 1");
        ok("MATCH (n) WITH n SKIP toInteger(rand() * 2) RETURN n");
    }

    #[test]
    fn clause_order() {
        let drop_last = |clauses: &mut Vec<Clause>| {
            clauses.pop();
        };
        let e = edited("MATCH (n) RETURN n", drop_last).unwrap_err();
        assert_eq!(
            (e.detail, e.message.as_str()),
            (
                "InvalidClauseComposition",
                "query cannot conclude with MATCH (must be RETURN or an update clause)"
            )
        );
        let e = edited("MATCH (n) WITH n RETURN n", drop_last).unwrap_err();
        assert_eq!(e.detail, "InvalidClauseComposition");
        let return_first = |clauses: &mut Vec<Clause>| clauses.swap(0, 1);
        let e = edited("MATCH (n) RETURN 1 AS x", return_first).unwrap_err();
        assert_eq!(e.detail, "InvalidClauseComposition");
        ok("UNWIND [1] AS x CREATE (:N {x: x})");
        ok("MATCH () CREATE () WITH * CREATE ()");
    }

    /// Everyday queries over the AI-industry graph that must not trip any
    /// rule.
    #[test]
    fn accepts_everyday_queries() {
        for q in [
            "MATCH (m:Model {id: 'chatglm-6b'})-[:BUILT_ON*]->(base:Model) RETURN DISTINCT base.id AS base ORDER BY base",
            "MATCH (c:Company)<-[:INVESTED_IN]-(i) RETURN c.name, count(i) AS n ORDER BY n DESC LIMIT 10",
            "MATCH (c:Company)<-[:INVESTED_IN]-(i) RETURN c.name AS name, count(*) AS n ORDER BY c.name",
            "MATCH (c:Company)<-[:INVESTED_IN]-(i) RETURN c.name, count(*) ORDER BY toUpper(c.name), count(*)",
            "MATCH (n) RETURN DISTINCT n AS m ORDER BY n.name",
            "MATCH (n:Model) WITH n.org AS org, collect(n.id) AS ids RETURN org, ids[0..3] AS firstThree",
            "MATCH p = shortestPath((a:Company {id: 'x'})-[*]-(b:Lab {id: 'y'})) RETURN [n IN nodes(p) | n.name]",
            "MATCH p = (a)-[*]->(b) RETURN relationships(p)[0].round, head(nodes(p)).name, length(p)",
            "MATCH (a)-[r:KNOWS|LIKES]->(b) RETURN type(r), count(*) AS c ORDER BY c * -1",
            "MATCH (a) OPTIONAL MATCH (a)-[r]->(b) RETURN a, collect(b) AS bs, size(collect(DISTINCT b)) AS n",
            "MATCH (n) WHERE n:Person AND (n.age > 30 OR n.name STARTS WITH 'A') RETURN n",
            "MATCH (n) WHERE id(n) IN $ids AND NOT exists(n.retired) RETURN n.name AS name, n.name AS other",
            "MATCH (a) WITH a, a.x AS x ORDER BY x SKIP 1 LIMIT 5 WHERE x > 1 RETURN a",
            "MATCH (n) WITH n LIMIT 10 MATCH (n)-->(m) RETURN m",
            "MATCH (n) RETURN n.x AS x, n.x + count(*) AS y, avg(n.y) * 2 AS z",
            "UNWIND [[1, 2], [3]] AS l RETURN l[0], l[-1], size(l)",
            "WITH {a: {b: 1}} AS m RETURN m.a.b, m['a'], keys(m)",
            "UNWIND [{a: 1}, {a: 2}] AS m RETURN m.a",
            "MATCH (n) WITH collect(n) AS ns UNWIND ns AS m MATCH (m)-->(x) RETURN x",
            "RETURN CASE WHEN 1 < 2 THEN 'a' ELSE 'b' END AS c, coalesce(null, 1) AS d, reverse('abc') AS e",
            "MATCH (n) RETURN DISTINCT labels(n) AS l ORDER BY l",
            "EXPLAIN MATCH (n:Company) RETURN n.name ORDER BY n.name DESC",
            "MATCH (a:Company), (b:Company) WHERE a <> b CREATE (a)-[:PARTNERS_WITH]->(b)",
            "MATCH (a)-[r]->(b) WITH a, r, b, count(*) AS c ORDER BY c MATCH (a)-[r]->(b) RETURN r AS rel ORDER BY rel.id",
        ] {
            ok(q);
        }
    }

    #[test]
    fn types_flow_through_projections() {
        fails("WITH 1 AS x WITH x AS y RETURN y.name", "InvalidArgumentType");
        fails("UNWIND [1, 2] AS x MATCH (x) RETURN x", "VariableTypeConflict");
        fails("MATCH (n) WITH collect(n) AS ns MATCH (ns) RETURN ns", "VariableTypeConflict");
        ok("MATCH (n) WITH collect(n) AS ns UNWIND ns AS m MATCH (m)-->() RETURN m");
        ok("WITH CASE WHEN true THEN 1 ELSE 'a' END AS x RETURN x.name");
    }
}

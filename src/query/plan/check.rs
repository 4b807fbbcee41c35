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
//!
//! Clauses are checked here; patterns in `pattern`, expressions in `expr`,
//! the updating clauses in `write`.

use crate::error::{ErrorClass, QueryError, Span};
use crate::query::signatures;
use crate::query::syntax::ast::{
    BinaryOp, Call, Clause, Create, Expr, ExprKind, Literal, Match, Projection, Properties, Query, Statement,
    UnaryOp, Unwind,
};

mod expr;
mod pattern;
mod write;

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

    fn cx(&self) -> Cx<'_> {
        Cx { scope: &self.scope, projected: &[] }
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
mod tests;

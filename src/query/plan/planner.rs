//! AST → logical plan.
//!
//! The planner walks the clauses in order, keeping the variables in scope
//! and the slot each lives in. For a `MATCH` it picks, pattern part by
//! pattern part, the start node that promises the fewest rows (bound >
//! `id` seek > a label scan of the rarest label > all nodes), expands from
//! there along the chain in both directions, and places each predicate of
//! `WHERE` (and of inline property maps) right after the operator that binds
//! the last slot it reads. A variable-length hop whose relationships are
//! never looked at, in a `MATCH` whose rows are made distinct or counted
//! distinctly straight after, becomes a breadth-first [`Reachable`] search
//! instead of an enumeration of every path.
//!
//! The planner sees the graph only through [`Catalog`] (counts for the cost
//! model), so plans stay independent of the store.
//!
//! Clauses are planned here; projections in `projection`, patterns in
//! `pattern`, expressions in `expr`, the updating clauses in `write`.

use std::collections::{HashMap, HashSet};

use indexmap::IndexSet;

use super::logical::*;
use crate::error::{ErrorClass, QueryError, Span};
use crate::model::{Direction, Value};
use crate::query::procedures::{ProcedureSignature, ProcedureType};
use crate::query::syntax::ast;

mod expr;
mod pattern;
mod projection;
mod write;

/// What the planner may ask about the graph a plan is made for.
pub trait Catalog {
    /// Number of nodes.
    fn node_count(&self) -> usize;
    /// Number of nodes carrying `label` (0 for an unknown label).
    fn label_count(&self, label: &str) -> usize;
    /// The signature of the procedure `CALL name` runs, if there is one.
    fn procedure(&self, _name: &str) -> Option<&ProcedureSignature> {
        None
    }
}

/// Plans a checked statement.
///
/// # Errors
/// A compile-time [`QueryError`] for what the checker lets through but the
/// engine does not support (pattern expressions, regular expressions).
pub fn plan_statement(statement: &ast::Statement, catalog: &dyn Catalog) -> Result<Plan, QueryError> {
    let mut p = Planner {
        catalog,
        slots: Vec::new(),
        keys: IndexSet::new(),
        labels: IndexSet::new(),
        types: IndexSet::new(),
        mentions: Vec::new(),
        writes: false,
        props_read: HashMap::new(),
    };
    let (mut root, columns, mut outputs) = p.query(&statement.query)?;
    if let Some(first) = statement.unions.first() {
        if p.writes {
            return Err(unsupported("CREATE cannot be combined with UNION", first.span));
        }
        let mut parts = vec![UnionPart { root, outputs }];
        for union in &statement.unions {
            let (root, part_columns, outputs) = p.query(&union.query)?;
            if p.writes {
                return Err(unsupported("CREATE cannot be combined with UNION", union.span));
            }
            // The checker catches this unless a part returns `*`.
            if part_columns != columns {
                return Err(super::check::different_columns(&columns, &part_columns, union.span));
            }
            parts.push(UnionPart { root, outputs });
        }
        let slots: Vec<Slot> = columns.iter().map(|c| p.new_slot(c)).collect();
        root = Op::Union { input: Box::new(Op::Argument), parts, slots: slots.clone() };
        if !first.all {
            root = Op::Distinct {
                input: Box::new(root),
                slots: slots.clone(),
                entities: Vec::new(),
                entities_unique: false,
            };
        }
        outputs = slots;
    }
    Ok(Plan {
        root,
        columns,
        outputs,
        slots: p.slots,
        keys: p.keys.into_iter().collect(),
        labels: p.labels.into_iter().collect(),
        types: p.types.into_iter().collect(),
        writes: p.writes,
        mentions: p.mentions,
    })
}

fn syntax_error(detail: &'static str, message: impl Into<String>, span: Span) -> QueryError {
    QueryError::compile(ErrorClass::SyntaxError, detail, message, Some(span))
}

fn unsupported(message: impl Into<String>, span: Span) -> QueryError {
    QueryError::compile(ErrorClass::Unsupported, "Unsupported", message, Some(span))
}

/// What a variable holds, as far as the planner knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Node,
    Rel,
    RelList,
    Path,
    Value,
}

#[derive(Debug, Clone, Copy)]
struct Var {
    slot: Slot,
    kind: Kind,
}

/// Variables in scope, in the order they were bound.
#[derive(Debug, Clone, Default)]
struct Scope {
    vars: Vec<(String, Var)>,
}

impl Scope {
    fn get(&self, name: &str) -> Option<Var> {
        self.vars.iter().rev().find(|(n, _)| n == name).map(|(_, v)| *v)
    }

    fn set(&mut self, name: &str, var: Var) {
        match self.vars.iter_mut().find(|(n, _)| n == name) {
            Some(entry) => entry.1 = var,
            None => self.vars.push((name.to_string(), var)),
        }
    }

    /// `self` with `over`'s variables on top.
    fn overlaid(&self, over: &Scope) -> Scope {
        let mut out = self.clone();
        for (n, v) in &over.vars {
            out.set(n, *v);
        }
        out
    }
}

const AGGREGATES: &[(&str, AggFunc)] = &[
    ("count", AggFunc::Count),
    ("collect", AggFunc::Collect),
    ("sum", AggFunc::Sum),
    ("avg", AggFunc::Avg),
    ("min", AggFunc::Min),
    ("max", AggFunc::Max),
    ("stdev", AggFunc::StDev),
    ("stdevp", AggFunc::StDevP),
    ("percentilecont", AggFunc::PercentileCont),
    ("percentiledisc", AggFunc::PercentileDisc),
];

fn aggregate_func(name: &str) -> Option<AggFunc> {
    AGGREGATES.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, f)| *f)
}

fn is_aggregate(e: &ast::Expr) -> bool {
    match &e.kind {
        ast::ExprKind::CountStar => true,
        ast::ExprKind::Function { name, .. } => aggregate_func(&name.name).is_some(),
        _ => false,
    }
}

fn contains_aggregate(e: &ast::Expr) -> bool {
    let mut found = false;
    walk_ast(e, &mut |x| found |= is_aggregate(x));
    found
}

/// Calls `f` on `e` and every subexpression (not into pattern expressions).
pub(super) fn walk_ast(e: &ast::Expr, f: &mut dyn FnMut(&ast::Expr)) {
    use ast::ExprKind::*;
    f(e);
    match &e.kind {
        Literal(_) | Parameter(_) | Variable(_) | CountStar | Pattern(_) | Subquery { .. } => {}
        PatternComprehension { .. } => {}
        List(items) => items.iter().for_each(|x| walk_ast(x, f)),
        Map(items) => items.iter().for_each(|(_, x)| walk_ast(x, f)),
        Property(x, _) | HasLabels(x, _) | Unary(_, x) | IsNull { expr: x, .. } => walk_ast(x, f),
        Index(a, b) | Binary(_, a, b) => {
            walk_ast(a, f);
            walk_ast(b, f);
        }
        Slice(a, b, c) => {
            walk_ast(a, f);
            for x in [b, c].into_iter().flatten() {
                walk_ast(x, f);
            }
        }
        Comparison(first, rest) => {
            walk_ast(first, f);
            rest.iter().for_each(|(_, x)| walk_ast(x, f));
        }
        Function { args, .. } => args.iter().for_each(|x| walk_ast(x, f)),
        Case { subject, alternatives, default } => {
            for x in subject.iter().chain(default.iter()) {
                walk_ast(x, f);
            }
            for (w, t) in alternatives {
                walk_ast(w, f);
                walk_ast(t, f);
            }
        }
        ListComprehension { list, predicate, projection, .. } => {
            walk_ast(list, f);
            for x in predicate.iter().chain(projection.iter()) {
                walk_ast(x, f);
            }
        }
    }
}

/// Every variable name an expression mentions (over-approximated: names
/// bound by list comprehensions count too).
fn variables_in(e: &ast::Expr, out: &mut HashSet<String>) {
    walk_ast(e, &mut |x| match &x.kind {
        ast::ExprKind::Variable(v) => {
            out.insert(v.clone());
        }
        ast::ExprKind::Pattern(part) => pattern_variables(part, out),
        ast::ExprKind::PatternComprehension { pattern, predicate, projection } => {
            pattern_variables(pattern, out);
            predicate.iter().chain(std::iter::once(projection)).for_each(|x| variables_in(x, out));
        }
        ast::ExprKind::Subquery { body, .. } => {
            for clause in &body.clauses {
                clause_variables(clause, out);
            }
        }
        _ => {}
    });
}

/// The variable names a pattern part mentions, its property maps included.
fn pattern_variables(part: &ast::PatternPart, out: &mut HashSet<String>) {
    let el = &part.element;
    let nodes = std::iter::once(&el.start).chain(el.chain.iter().map(|(_, n)| n));
    for n in nodes {
        out.extend(n.var.iter().map(|v| v.name.clone()));
        if let Some(ast::Properties::Map(entries)) = &n.properties {
            entries.iter().for_each(|(_, x)| variables_in(x, out));
        }
    }
    for (r, _) in &el.chain {
        out.extend(r.var.iter().map(|v| v.name.clone()));
        if let Some(ast::Properties::Map(entries)) = &r.properties {
            entries.iter().for_each(|(_, x)| variables_in(x, out));
        }
    }
    out.extend(part.var.iter().map(|v| v.name.clone()));
}

/// The variable names a clause mentions (an over-approximation: names it
/// binds count too).
fn clause_variables(clause: &ast::Clause, out: &mut HashSet<String>) {
    match clause {
        ast::Clause::Match(m) => {
            m.pattern.iter().for_each(|p| pattern_variables(p, out));
            m.where_.iter().for_each(|x| variables_in(x, out));
        }
        ast::Clause::Create(c) => c.pattern.iter().for_each(|p| pattern_variables(p, out)),
        ast::Clause::Merge(m) => {
            pattern_variables(&m.pattern, out);
            m.on_create.iter().chain(&m.on_match).for_each(|i| set_item_variables(i, out));
        }
        ast::Clause::Set(s) => s.items.iter().for_each(|i| set_item_variables(i, out)),
        ast::Clause::Remove(r) => r.items.iter().for_each(|i| match i {
            ast::RemoveItem::Property { entity, .. } | ast::RemoveItem::Labels { entity, .. } => {
                variables_in(entity, out)
            }
        }),
        ast::Clause::Delete(d) => d.exprs.iter().for_each(|x| variables_in(x, out)),
        ast::Clause::Unwind(u) => variables_in(&u.expr, out),
        ast::Clause::Call(c) => {
            c.args.iter().flatten().chain(c.where_.iter()).for_each(|x| variables_in(x, out));
        }
        ast::Clause::With(p) | ast::Clause::Return(p) => {
            let exprs = p.items.iter().map(|i| &i.expr).chain(p.order_by.iter().map(|s| &s.expr));
            exprs
                .chain(p.where_.iter())
                .chain(p.skip.iter())
                .chain(p.limit.iter())
                .for_each(|x| variables_in(x, out));
        }
    }
}

fn set_item_variables(item: &ast::SetItem, out: &mut HashSet<String>) {
    match item {
        ast::SetItem::Property { entity, value, .. } | ast::SetItem::Properties { entity, value, .. } => {
            variables_in(entity, out);
            variables_in(value, out);
        }
        ast::SetItem::Labels { entity, .. } => variables_in(entity, out),
    }
}

/// Structural equality of two expressions, ignoring spans.
fn same_expr(a: &ast::Expr, b: &ast::Expr) -> bool {
    use ast::ExprKind::*;
    let same_opt = |x: &Option<Box<ast::Expr>>, y: &Option<Box<ast::Expr>>| match (x, y) {
        (None, None) => true,
        (Some(x), Some(y)) => same_expr(x, y),
        _ => false,
    };
    let same_all = |x: &[ast::Expr], y: &[ast::Expr]| {
        x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_expr(p, q))
    };
    match (&a.kind, &b.kind) {
        (Literal(x), Literal(y)) => x == y,
        (Parameter(x), Parameter(y)) | (Variable(x), Variable(y)) => x == y,
        (List(x), List(y)) => same_all(x, y),
        (Map(x), Map(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|((k, p), (l, q))| k.name == l.name && same_expr(p, q))
        }
        (Property(x, k), Property(y, l)) => k.name == l.name && same_expr(x, y),
        (Index(x, i), Index(y, j)) => same_expr(x, y) && same_expr(i, j),
        (Slice(x, p, q), Slice(y, r, s)) => same_expr(x, y) && same_opt(p, r) && same_opt(q, s),
        (HasLabels(x, k), HasLabels(y, l)) => {
            same_expr(x, y) && k.len() == l.len() && k.iter().zip(l).all(|(p, q)| p.name == q.name)
        }
        (Unary(o, x), Unary(p, y)) => o == p && same_expr(x, y),
        (Binary(o, x, i), Binary(p, y, j)) => o == p && same_expr(x, y) && same_expr(i, j),
        (Comparison(x, r), Comparison(y, s)) => {
            same_expr(x, y)
                && r.len() == s.len()
                && r.iter().zip(s).all(|((o, p), (q, t))| o == q && same_expr(p, t))
        }
        (IsNull { expr: x, negated: n }, IsNull { expr: y, negated: m }) => n == m && same_expr(x, y),
        (Function { name: n, distinct: d, args: x }, Function { name: m, distinct: e, args: y }) => {
            n.name.eq_ignore_ascii_case(&m.name) && d == e && same_all(x, y)
        }
        (CountStar, CountStar) => true,
        (
            Case { subject: s, alternatives: x, default: d },
            Case { subject: t, alternatives: y, default: e },
        ) => {
            same_opt(s, t)
                && same_opt(d, e)
                && x.len() == y.len()
                && x.iter().zip(y).all(|((p, q), (r, u))| same_expr(p, r) && same_expr(q, u))
        }
        (
            ListComprehension { quantifier: x, var: v, list: l, predicate: p, projection: q },
            ListComprehension { quantifier: y, var: w, list: m, predicate: r, projection: s },
        ) => x == y && v.name == w.name && same_expr(l, m) && same_opt(p, r) && same_opt(q, s),
        _ => false,
    }
}

/// Slots an expression reads from the row, leaving out the ones its list
/// comprehensions bind themselves.
fn free_slots(e: &Expr) -> Vec<Slot> {
    let mut local = Vec::new();
    e.walk(&mut |x| {
        if let ExprKind::ListComp { slot, .. } = x.kind {
            local.push(slot);
        }
    });
    let mut out = Vec::new();
    e.visit_slots(&mut |s| {
        if !local.contains(&s) && !out.contains(&s) {
            out.push(s);
        }
    });
    out
}

/// A predicate waiting for the slots it reads to be bound.
struct Pred {
    expr: Expr,
    slots: Vec<Slot>,
    done: bool,
}

/// A node of a `MATCH` pattern, shared by every mention of its variable.
struct PNode {
    slot: Slot,
    labels: Vec<LabelRef>,
    /// Bound before this clause.
    bound_before: bool,
    /// An `id` equality usable for a seek, and the predicate it replaces.
    seek: Option<(Expr, usize)>,
    has_props: bool,
    name: Option<String>,
}

struct PRel {
    slot: Slot,
    types: Vec<TypeRef>,
    direction: Direction,
    length: Option<(u32, Option<u32>)>,
    /// Property equalities of a variable-length relationship.
    var_props: Vec<(KeyRef, Expr)>,
    has_props: bool,
    name: Option<String>,
    span: Span,
}

struct PPart {
    path: Option<Slot>,
    kind: ast::PathKind,
    nodes: Vec<usize>,
    rels: Vec<usize>,
    span: Span,
}

/// Why a `MATCH` may use [`Reachable`]: the next clause only needs the
/// distinct values of these variables.
struct ReachContext {
    used: HashSet<String>,
}

struct Planner<'c> {
    catalog: &'c dyn Catalog,
    slots: Vec<String>,
    keys: IndexSet<String>,
    labels: IndexSet<String>,
    types: IndexSet<String>,
    mentions: Vec<Mention>,
    writes: bool,
    /// Variables of the `MATCH` being planned whose properties the clause's
    /// `WHERE` or the next projection reads.
    props_read: HashMap<String, Prefetch>,
}

type Hook<'h> = &'h mut dyn FnMut(&mut Planner<'_>, &ast::Expr) -> Result<Option<Expr>, QueryError>;

impl Planner<'_> {
    fn new_slot(&mut self, name: &str) -> Slot {
        self.slots.push(name.to_string());
        self.slots.len() - 1
    }

    fn anon_slot(&mut self) -> Slot {
        let n = self.slots.len();
        self.slots.push(format!("  anon_{n}"));
        n
    }

    fn key(&mut self, name: &str) -> KeyRef {
        KeyRef(self.keys.insert_full(name.to_string()).0 as u32)
    }

    fn label(&mut self, name: &str) -> LabelRef {
        LabelRef(self.labels.insert_full(name.to_string()).0 as u32)
    }

    fn rel_type(&mut self, name: &str) -> TypeRef {
        TypeRef(self.types.insert_full(name.to_string()).0 as u32)
    }

    fn mention(&mut self, kind: NameKind, ident: &ast::Ident) {
        self.mentions.push(Mention { kind, name: ident.name.clone(), span: ident.span });
    }

    // ----- clauses ---------------------------------------------------------

    fn query(&mut self, q: &ast::Query) -> Result<(Op, Vec<String>, Vec<Slot>), QueryError> {
        self.query_from(q, Op::Argument, Scope::default())
    }

    /// Plans `q`'s clauses on top of `op`, with `scope` visible: the empty
    /// row and scope for a statement, the outer row's for a subquery.
    fn query_from(
        &mut self,
        q: &ast::Query,
        mut op: Op,
        mut scope: Scope,
    ) -> Result<(Op, Vec<String>, Vec<Slot>), QueryError> {
        let mut columns = Vec::new();
        let mut outputs = Vec::new();
        for (i, clause) in q.clauses.iter().enumerate() {
            let rest = &q.clauses[i + 1..];
            match clause {
                ast::Clause::Match(m) => op = self.match_clause(op, m, &mut scope, rest)?,
                ast::Clause::Unwind(u) => {
                    let list = self.expr(&u.expr, &scope)?;
                    let slot = self.new_slot(&u.var.name);
                    op = Op::Unwind { input: Box::new(op), list, slot };
                    scope.set(&u.var.name, Var { slot, kind: Kind::Value });
                }
                ast::Clause::With(p) => {
                    let (o, s, _, _) = self.projection(op, p, &scope, false)?;
                    op = o;
                    scope = s;
                }
                ast::Clause::Return(p) => {
                    let (o, s, c, out) = self.projection(op, p, &scope, true)?;
                    op = o;
                    scope = s;
                    columns = c;
                    outputs = out;
                }
                ast::Clause::Create(c) => {
                    self.writes = true;
                    op = self.create(op, c, &mut scope)?;
                }
                ast::Clause::Merge(m) => {
                    self.writes = true;
                    op = self.merge(op, m, &mut scope)?;
                }
                ast::Clause::Set(s) => {
                    self.writes = true;
                    let items = self.set_items(&s.items, &scope)?;
                    op = Op::Update { input: Box::new(op), items };
                }
                ast::Clause::Remove(r) => {
                    self.writes = true;
                    let items = self.remove_items(&r.items, &scope)?;
                    op = Op::Update { input: Box::new(op), items };
                }
                ast::Clause::Delete(d) => {
                    self.writes = true;
                    op = self.delete(op, d, &scope)?;
                }
                ast::Clause::Call(c) => {
                    let standalone = q.clauses.len() == 1;
                    let (o, yielded) = self.call(op, c, &mut scope, standalone)?;
                    op = o;
                    if standalone {
                        (columns, outputs) = yielded.into_iter().unzip();
                    }
                }
            }
        }
        Ok((op, columns, outputs))
    }

    fn match_clause(
        &mut self,
        input: Op,
        m: &ast::Match,
        scope: &mut Scope,
        rest: &[ast::Clause],
    ) -> Result<Op, QueryError> {
        self.props_read = props_read(m, rest);
        if m.optional {
            let first_new = self.slots.len();
            let inner = self.pattern(Op::Argument, m, scope, None)?;
            let nulls = (first_new..self.slots.len()).collect();
            Ok(Op::Optional { input: Box::new(input), inner: Box::new(inner), nulls })
        } else {
            let reach = reach_context(m, rest);
            self.pattern(input, m, scope, reach.as_ref())
        }
    }

    /// `CALL`, checked against the procedure's signature; also gives the
    /// yielded variables and their slots, which are a standalone call's
    /// columns.
    fn call(
        &mut self,
        input: Op,
        c: &ast::Call,
        scope: &mut Scope,
        standalone: bool,
    ) -> Result<(Op, Vec<(String, Slot)>), QueryError> {
        let Some(sig) = self.catalog.procedure(&c.procedure.name) else {
            return Err(QueryError::compile(
                ErrorClass::ProcedureError,
                "ProcedureNotFound",
                format!("there is no procedure named '{}'", c.procedure.name),
                Some(c.procedure.span),
            ));
        };
        let args = match &c.args {
            Some(args) if args.len() != sig.inputs.len() => {
                return Err(syntax_error(
                    "InvalidNumberOfArguments",
                    format!("procedure {sig} takes {} argument(s), {} given", sig.inputs.len(), args.len()),
                    c.span,
                ))
            }
            Some(args) => {
                let mut planned = Vec::with_capacity(args.len());
                for (arg, field) in args.iter().zip(&sig.inputs) {
                    let e = self.expr(arg, scope)?;
                    if let ExprKind::Const(v) = &e.kind {
                        if field.ty.coerce(v.clone()).is_none() {
                            return Err(syntax_error(
                                "InvalidArgumentType",
                                format!(
                                    "argument '{}' of {} must be {}",
                                    field.name,
                                    sig.name,
                                    field.ty.name()
                                ),
                                arg.span,
                            ));
                        }
                    }
                    planned.push((e, field.ty));
                }
                planned
            }
            None if !standalone && !sig.inputs.is_empty() => {
                return Err(syntax_error(
                    "InvalidArgumentPassingMode",
                    format!("procedure {} takes arguments: pass them in parentheses", sig.name),
                    c.span,
                ))
            }
            // `CALL name` takes its arguments from the parameters named
            // like the inputs.
            None => sig
                .inputs
                .iter()
                .map(|f| (Expr { kind: ExprKind::Param(f.name.clone()), span: c.procedure.span }, f.ty))
                .collect(),
        };
        let all: Vec<(&str, &str)>;
        let wanted: Vec<(&str, &str)> = match &c.yields {
            Some(items) => items.iter().map(|i| (i.field.name.as_str(), i.var().name.as_str())).collect(),
            None if standalone || c.yield_star => {
                all = sig.outputs.iter().map(|f| (f.name.as_str(), f.name.as_str())).collect();
                all
            }
            None => Vec::new(),
        };
        let mut yields = Vec::with_capacity(wanted.len());
        let mut yielded = Vec::with_capacity(wanted.len());
        for (field, var) in wanted {
            let Some(index) = sig.outputs.iter().position(|f| f.name == field) else {
                let span = c
                    .yields
                    .iter()
                    .flatten()
                    .find(|i| i.field.name == field)
                    .map_or(c.span, |i| i.field.span);
                return Err(syntax_error(
                    "UndefinedVariable",
                    format!("procedure {} has no output named '{field}'", sig.name),
                    span,
                ));
            };
            let kind = match sig.outputs[index].ty {
                ProcedureType::Node => Kind::Node,
                ProcedureType::Relationship => Kind::Rel,
                ProcedureType::Path => Kind::Path,
                _ => Kind::Value,
            };
            let slot = self.new_slot(var);
            scope.set(var, Var { slot, kind });
            yields.push((index, slot));
            yielded.push((var.to_string(), slot));
        }
        let mut op = Op::Call(Box::new(Call {
            input,
            procedure: sig.name.clone(),
            args,
            yields,
            void: sig.outputs.is_empty(),
        }));
        if let Some(w) = &c.where_ {
            let predicate = self.expr(w, scope)?;
            op = Op::Filter { input: Box::new(op), predicate };
        }
        Ok((op, yielded))
    }

    /// What to load ahead for the nodes bound to `var` (see [`Prefetch`]).
    fn prefetch(&self, var: Option<&str>) -> Prefetch {
        var.and_then(|v| self.props_read.get(v)).copied().unwrap_or(Prefetch::No)
    }

    fn create(&mut self, input: Op, c: &ast::Create, scope: &mut Scope) -> Result<Op, QueryError> {
        let mut actions = Vec::new();
        for part in &c.pattern {
            let first = self.create_node(&part.element.start, scope, &mut actions)?;
            let mut prev = first;
            let mut steps = Vec::new();
            for (rel, node) in &part.element.chain {
                let next = self.create_node(node, scope, &mut actions)?;
                let [rel_type] = rel.types.as_slice() else {
                    return Err(syntax_error(
                        "NoSingleRelationshipType",
                        "a relationship to create needs exactly one type",
                        rel.span,
                    ));
                };
                if rel.length.is_some() {
                    return Err(syntax_error(
                        "CreatingVarLength",
                        "cannot create a variable-length relationship",
                        rel.span,
                    ));
                }
                let (from, to) = match rel.direction {
                    ast::Direction::Outgoing => (prev, next),
                    ast::Direction::Incoming => (next, prev),
                    ast::Direction::Both => {
                        return Err(syntax_error(
                            "RequiresDirectedRelationship",
                            "a relationship to create needs a direction",
                            rel.span,
                        ))
                    }
                };
                let slot = match &rel.var {
                    Some(v) => {
                        if scope.get(&v.name).is_some() {
                            return Err(syntax_error(
                                "VariableAlreadyBound",
                                format!("variable `{}` is already bound", v.name),
                                v.span,
                            ));
                        }
                        let slot = self.new_slot(&v.name);
                        scope.set(&v.name, Var { slot, kind: Kind::Rel });
                        slot
                    }
                    None => self.anon_slot(),
                };
                let properties = self.create_props(rel.properties.as_ref(), scope)?;
                actions.push(CreateAction::Rel {
                    slot,
                    from,
                    to,
                    rel_type: rel_type.name.clone(),
                    properties,
                    span: rel.span,
                });
                steps.push(PathStep { rel: slot, var_length: false, node: next });
                prev = next;
            }
            if let Some(v) = &part.var {
                let slot = self.new_slot(&v.name);
                actions.push(CreateAction::Path { slot, start: first, steps });
                scope.set(&v.name, Var { slot, kind: Kind::Path });
            }
        }
        Ok(Op::Create { input: Box::new(input), actions })
    }

    fn create_node(
        &mut self,
        node: &ast::NodePattern,
        scope: &mut Scope,
        actions: &mut Vec<CreateAction>,
    ) -> Result<Slot, QueryError> {
        if let Some(v) = &node.var {
            if let Some(var) = scope.get(&v.name) {
                if matches!(var.kind, Kind::Rel | Kind::RelList | Kind::Path) {
                    return Err(syntax_error(
                        "VariableTypeConflict",
                        format!("variable `{}` is not a node", v.name),
                        v.span,
                    ));
                }
                if !node.labels.is_empty() || node.properties.is_some() {
                    return Err(syntax_error(
                        "VariableAlreadyBound",
                        format!("variable `{}` is already bound", v.name),
                        v.span,
                    ));
                }
                return Ok(var.slot);
            }
        }
        let slot = match &node.var {
            Some(v) => {
                let slot = self.new_slot(&v.name);
                scope.set(&v.name, Var { slot, kind: Kind::Node });
                slot
            }
            None => self.anon_slot(),
        };
        let properties = self.create_props(node.properties.as_ref(), scope)?;
        actions.push(CreateAction::Node {
            slot,
            labels: node.labels.iter().map(|l| l.name.clone()).collect(),
            properties,
            span: node.span,
        });
        Ok(slot)
    }

    fn create_props(
        &mut self,
        props: Option<&ast::Properties>,
        scope: &Scope,
    ) -> Result<CreateProps, QueryError> {
        match props {
            None => Ok(CreateProps::Map(Vec::new())),
            Some(ast::Properties::Map(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for (k, v) in items {
                    out.push((k.name.clone(), self.expr(v, scope)?));
                }
                Ok(CreateProps::Map(out))
            }
            Some(ast::Properties::Parameter(p)) => {
                Ok(CreateProps::Expr(Expr::new(ExprKind::Param(p.name.clone()), p.span)))
            }
        }
    }
}

fn unreachable_item() -> Result<(Expr, Kind, Option<String>), QueryError> {
    Err(QueryError::compile(ErrorClass::SyntaxError, "UnexpectedSyntax", "empty projection item", None))
}

/// The node slot filled by a breadth-first search that runs once for all
/// its input (no grouping) and so yields each node once, looking through
/// the operators that keep or drop rows without repeating them.
fn single_search_output(op: &Op) -> Option<Slot> {
    match op {
        Op::Project { input, .. } | Op::Filter { input, .. } => single_search_output(input),
        Op::Reachable(r) if r.group.is_empty() && !r.into => Some(r.to),
        _ => None,
    }
}

fn property_eq(slot: Slot, key: KeyRef, value: Expr, span: Span) -> Expr {
    let prop = Expr::new(ExprKind::Property(Box::new(Expr::new(ExprKind::Slot(slot), span)), key), span);
    Expr::new(ExprKind::Compare(Box::new(prop), vec![(ast::CompareOp::Eq, value)]), span)
}

fn split_and<'a>(e: &'a ast::Expr, out: &mut Vec<&'a ast::Expr>) {
    match &e.kind {
        ast::ExprKind::Binary(ast::BinaryOp::And, a, b) => {
            split_and(a, out);
            split_and(b, out);
        }
        _ => out.push(e),
    }
}

/// Wraps `op` in filters for every predicate whose slots are all bound.
fn place_ready(mut op: Op, preds: &mut [Pred], bound: &HashSet<Slot>) -> Op {
    for p in preds.iter_mut() {
        if !p.done && p.slots.iter().all(|s| bound.contains(s)) {
            p.done = true;
            op = Op::Filter { input: Box::new(op), predicate: p.expr.clone() };
        }
    }
    op
}

fn literal(l: &ast::Literal) -> Value {
    match l {
        ast::Literal::Null => Value::Null,
        ast::Literal::Bool(b) => Value::Bool(*b),
        ast::Literal::Integer(i) => Value::Int(*i),
        ast::Literal::Float(f) => Value::Float(*f),
        ast::Literal::String(s) => Value::String(s.as_str().into()),
    }
}

/// A list of constants folds into one constant, so it is built once.
fn constant_list(items: Vec<Expr>) -> ExprKind {
    if items.iter().all(|x| matches!(x.kind, ExprKind::Const(_))) {
        let values = items
            .into_iter()
            .map(|x| match x.kind {
                ExprKind::Const(v) => v,
                _ => Value::Null,
            })
            .collect();
        ExprKind::Const(Value::List(values))
    } else {
        ExprKind::List(items)
    }
}

/// The expressions of a `MATCH`'s `WHERE` and of the projection after it.
fn clause_exprs<'a>(m: &'a ast::Match, p: &'a ast::Projection) -> impl Iterator<Item = &'a ast::Expr> {
    p.items
        .iter()
        .map(|i| &i.expr)
        .chain(p.order_by.iter().map(|s| &s.expr))
        .chain(p.where_.iter())
        .chain(m.where_.iter())
}

/// Variables whose properties the `MATCH`'s `WHERE` or the projection
/// right after it reads (a variable passed whole to a function counts too,
/// except to `count` and `collect`, which only hold on to it): worth
/// loading in batches as they are matched.
fn props_read(m: &ast::Match, rest: &[ast::Clause]) -> HashMap<String, Prefetch> {
    let mut out: HashMap<String, Prefetch> = HashMap::new();
    let mut note = |v: &str, what: Prefetch| {
        let e = out.entry(v.to_string()).or_insert(what);
        *e = (*e).max(what);
    };
    let Some(ast::Clause::With(p) | ast::Clause::Return(p)) = rest.first() else { return out };
    for e in clause_exprs(m, p) {
        walk_ast(e, &mut |x| match &x.kind {
            ast::ExprKind::Property(base, key) => {
                if let ast::ExprKind::Variable(v) = &base.kind {
                    note(v, if key.name == "id" { Prefetch::Id } else { Prefetch::All });
                }
            }
            ast::ExprKind::Function { name, args, .. }
                if !matches!(aggregate_func(&name.name), Some(AggFunc::Count | AggFunc::Collect)) =>
            {
                for a in args {
                    if let ast::ExprKind::Variable(v) = &a.kind {
                        note(v, Prefetch::All);
                    }
                }
            }
            _ => {}
        });
    }
    out
}

/// Whether the clause after a `MATCH` only needs the distinct values of
/// what it reads, and which variables it (and the `MATCH`'s `WHERE`) reads.
fn reach_context(m: &ast::Match, rest: &[ast::Clause]) -> Option<ReachContext> {
    let p = match rest.first()? {
        ast::Clause::With(p) | ast::Clause::Return(p) => p,
        _ => return None,
    };
    if p.star {
        return None;
    }
    let mut has_agg = false;
    let mut insensitive = true;
    for item in &p.items {
        walk_ast(&item.expr, &mut |x| match &x.kind {
            ast::ExprKind::CountStar => {
                has_agg = true;
                insensitive = false;
            }
            ast::ExprKind::Function { name, distinct, .. } => {
                if let Some(f) = aggregate_func(&name.name) {
                    has_agg = true;
                    if !*distinct && !matches!(f, AggFunc::Min | AggFunc::Max) {
                        insensitive = false;
                    }
                }
            }
            _ => {}
        });
    }
    if !(p.distinct || has_agg) || !insensitive {
        return None;
    }
    let mut used = HashSet::new();
    for e in clause_exprs(m, p) {
        variables_in(e, &mut used);
    }
    Some(ReachContext { used })
}

#[cfg(test)]
mod tests;

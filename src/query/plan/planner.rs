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

use std::collections::{HashMap, HashSet};

use indexmap::IndexSet;

use super::logical::*;
use crate::error::{ErrorClass, QueryError, Span};
use crate::model::{Direction, Value};
use crate::query::plan::regex::Pattern;
use crate::query::procedures::{ProcedureSignature, ProcedureType};
use crate::query::syntax::ast;

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

    // ----- projections -----------------------------------------------------

    #[allow(clippy::type_complexity)]
    fn projection(
        &mut self,
        input: Op,
        p: &ast::Projection,
        scope: &Scope,
        is_return: bool,
    ) -> Result<(Op, Scope, Vec<String>, Vec<Slot>), QueryError> {
        struct Item<'a> {
            name: String,
            expr: Option<&'a ast::Expr>,
            var: Option<Var>,
        }
        let mut items: Vec<Item<'_>> = Vec::new();
        if p.star {
            let mut vars: Vec<&(String, Var)> = scope.vars.iter().collect();
            if is_return {
                vars.sort_by(|a, b| a.0.cmp(&b.0));
            }
            for (name, var) in vars {
                items.push(Item { name: name.clone(), expr: None, var: Some(*var) });
            }
        }
        for it in &p.items {
            let name = it.alias.as_ref().map_or_else(|| it.text.clone(), |a| a.name.clone());
            items.push(Item { name, expr: Some(&it.expr), var: None });
        }
        let aggregating = items.iter().any(|i| i.expr.is_some_and(contains_aggregate));
        let mut op = input;
        let mut new_scope = Scope::default();
        let mut outputs = Vec::with_capacity(items.len());
        // Item expressions by output slot, for ORDER BY to reuse.
        let mut item_exprs: Vec<(&ast::Expr, Slot)> = Vec::new();

        // What each output slot is computed from, for DISTINCT by entity.
        let mut defs: Vec<(Slot, Expr)> = Vec::new();
        if !aggregating {
            let mut project = Vec::new();
            for item in &items {
                let (slot, kind) = match (item.expr, item.var) {
                    (None, Some(var)) => {
                        defs.push((var.slot, Expr::new(ExprKind::Slot(var.slot), Span::default())));
                        (var.slot, var.kind)
                    }
                    (Some(e), _) => {
                        let kind = self.kind_of(e, scope);
                        match &e.kind {
                            ast::ExprKind::Variable(v) if *v == item.name && scope.get(v).is_some() => {
                                let var = scope.get(v).map_or(0, |v| v.slot);
                                defs.push((var, Expr::new(ExprKind::Slot(var), e.span)));
                                (var, kind)
                            }
                            _ => {
                                let compiled = self.expr(e, scope)?;
                                let slot = self.new_slot(&item.name);
                                defs.push((slot, compiled.clone()));
                                project.push((slot, compiled));
                                (slot, kind)
                            }
                        }
                    }
                    (None, None) => continue,
                };
                if let Some(e) = item.expr {
                    item_exprs.push((e, slot));
                }
                new_scope.set(&item.name, Var { slot, kind });
                outputs.push(slot);
            }
            if !project.is_empty() {
                op = Op::Project { input: Box::new(op), items: project };
            }
        } else {
            let mut keys: Vec<(Slot, Expr)> = Vec::new();
            let mut key_exprs: Vec<(&ast::Expr, Slot)> = Vec::new();
            let mut key_scope = Scope::default();
            let mut item_slots: Vec<Option<(Slot, Kind)>> = Vec::with_capacity(items.len());
            for item in &items {
                if item.expr.is_some_and(contains_aggregate) {
                    item_slots.push(None);
                    continue;
                }
                let (compiled, kind, var_name) = match (item.expr, item.var) {
                    (None, Some(var)) => (
                        Expr::new(ExprKind::Slot(var.slot), Span::default()),
                        var.kind,
                        Some(item.name.clone()),
                    ),
                    (Some(e), _) => {
                        let var_name = match &e.kind {
                            ast::ExprKind::Variable(v) => Some(v.clone()),
                            _ => None,
                        };
                        (self.expr(e, scope)?, self.kind_of(e, scope), var_name)
                    }
                    (None, None) => unreachable_item()?,
                };
                let slot = self.new_slot(&item.name);
                keys.push((slot, compiled));
                if let Some(e) = item.expr {
                    key_exprs.push((e, slot));
                    item_exprs.push((e, slot));
                }
                if let Some(v) = var_name {
                    key_scope.set(&v, Var { slot, kind });
                }
                item_slots.push(Some((slot, kind)));
            }
            let mut aggregates: Vec<(Slot, AggCall)> = Vec::new();
            let mut project = Vec::new();
            for (i, item) in items.iter().enumerate() {
                if item_slots[i].is_some() {
                    continue;
                }
                let Some(e) = item.expr else { continue };
                let first_agg = aggregates.len();
                let compiled = {
                    let key_exprs = &key_exprs;
                    let aggs = &mut aggregates;
                    let mut hook =
                        |pl: &mut Planner<'_>, x: &ast::Expr| -> Result<Option<Expr>, QueryError> {
                            if let Some(call) = pl.agg_call(x, scope)? {
                                let slot = pl.anon_slot();
                                aggs.push((slot, call));
                                return Ok(Some(Expr::new(ExprKind::Slot(slot), x.span)));
                            }
                            if let Some((_, slot)) = key_exprs.iter().find(|(k, _)| same_expr(k, x)) {
                                return Ok(Some(Expr::new(ExprKind::Slot(*slot), x.span)));
                            }
                            Ok(None)
                        };
                    self.expr_with(e, &key_scope, &mut hook)?
                };
                let slot = match compiled.as_slot() {
                    Some(s) if aggregates.len() == first_agg + 1 && aggregates[first_agg].0 == s => {
                        self.slots[s] = item.name.clone();
                        s
                    }
                    _ => {
                        let slot = self.new_slot(&item.name);
                        project.push((slot, compiled));
                        slot
                    }
                };
                item_exprs.push((e, slot));
                item_slots[i] = Some((slot, Kind::Value));
            }
            for (item, slot) in items.iter().zip(&item_slots) {
                if let Some((slot, kind)) = slot {
                    new_scope.set(&item.name, Var { slot: *slot, kind: *kind });
                    outputs.push(*slot);
                }
            }
            op = Op::Aggregate { input: Box::new(op), keys, aggregates };
            if !project.is_empty() {
                op = Op::Project { input: Box::new(op), items: project };
            }
        }

        if p.distinct {
            let entities = if aggregating { Vec::new() } else { self.distinct_entities(&defs, scope) };
            let entities_unique =
                matches!(entities.as_slice(), [(e, _)] if single_search_output(&op) == Some(*e));
            op = Op::Distinct { input: Box::new(op), slots: outputs.clone(), entities, entities_unique };
        }
        // ORDER BY and WITH ... WHERE see the earlier variables too, unless
        // the projection aggregates or is DISTINCT.
        let sees_old = !aggregating && !p.distinct;
        let order_scope = if sees_old { scope.overlaid(&new_scope) } else { new_scope.clone() };
        // An alias, or an expression written as one of the items, reads the
        // item's slot (`WITH DISTINCT a.x AS x ORDER BY a.x`).
        let mut hook = |_: &mut Planner<'_>, x: &ast::Expr| -> Result<Option<Expr>, QueryError> {
            if let ast::ExprKind::Variable(v) = &x.kind {
                if let Some(var) = new_scope.get(v) {
                    return Ok(Some(Expr::new(ExprKind::Slot(var.slot), x.span)));
                }
            }
            Ok(item_exprs
                .iter()
                .find(|(e, _)| same_expr(e, x))
                .map(|(_, slot)| Expr::new(ExprKind::Slot(*slot), x.span)))
        };
        if !p.order_by.is_empty() {
            let mut keys = Vec::with_capacity(p.order_by.len());
            for s in &p.order_by {
                let expr = self.expr_with(&s.expr, &order_scope, &mut hook)?;
                keys.push(SortKey { expr, descending: s.descending });
            }
            op = Op::Sort { input: Box::new(op), keys };
        }
        if let Some(skip) = &p.skip {
            let count = self.count_expr(skip)?;
            op = Op::Skip { input: Box::new(op), count };
        }
        if let Some(limit) = &p.limit {
            let count = self.count_expr(limit)?;
            op = Op::Limit { input: Box::new(op), count };
        }
        if let Some(w) = &p.where_ {
            let predicate = self.expr_with(w, &order_scope, &mut hook)?;
            op = Op::Filter { input: Box::new(op), predicate };
        }
        let columns = items.into_iter().map(|i| i.name).collect();
        Ok((op, new_scope, columns, outputs))
    }

    /// The nodes a DISTINCT's keys are computed from, if each is pinned
    /// down by a key (itself, or its `id`); see [`Op::Distinct`].
    fn distinct_entities(&self, defs: &[(Slot, Expr)], scope: &Scope) -> Vec<(Slot, Option<Slot>)> {
        let mut entities: Vec<Slot> = Vec::new();
        for (_, e) in defs {
            for s in free_slots(e) {
                if !entities.contains(&s) {
                    entities.push(s);
                }
            }
        }
        let is_node = |s: Slot| scope.vars.iter().any(|(_, v)| v.slot == s && v.kind == Kind::Node);
        if entities.is_empty() || entities.len() > 2 || !entities.iter().all(|s| is_node(*s)) {
            return Vec::new();
        }
        // A key that can differ between two rows of the same node (`rand()`)
        // is not a function of the node: those rows are told apart by value.
        let mut varies = false;
        for (_, e) in defs {
            e.walk(&mut |x| {
                varies |= matches!(x.kind, ExprKind::Call(Function::Rand | Function::Timestamp, _));
            });
        }
        if varies {
            return Vec::new();
        }
        let id = self.keys.get_index_of("id");
        let mut out = Vec::with_capacity(entities.len());
        for &entity in &entities {
            let pinned = defs.iter().find_map(|(out_slot, e)| match &e.kind {
                ExprKind::Slot(s) if *s == entity => Some(None),
                ExprKind::Property(base, key)
                    if base.as_slot() == Some(entity) && Some(key.0 as usize) == id =>
                {
                    Some(Some(*out_slot))
                }
                _ => None,
            });
            match pinned {
                Some(p) => out.push((entity, p)),
                None => return Vec::new(),
            }
        }
        out
    }

    fn count_expr(&mut self, e: &ast::Expr) -> Result<Expr, QueryError> {
        let compiled = self.expr(e, &Scope::default())?;
        match &compiled.kind {
            ExprKind::Const(Value::Int(i)) if *i < 0 => Err(syntax_error(
                "NegativeIntegerArgument",
                format!("SKIP and LIMIT take a non-negative integer, found {i}"),
                e.span,
            )),
            ExprKind::Const(v) if !matches!(v, Value::Int(_)) => Err(syntax_error(
                "InvalidArgumentType",
                format!("SKIP and LIMIT take a non-negative integer, found {}", v.type_name()),
                e.span,
            )),
            _ => Ok(compiled),
        }
    }

    /// The kind of value an expression yields, when it is a variable.
    fn kind_of(&self, e: &ast::Expr, scope: &Scope) -> Kind {
        match &e.kind {
            ast::ExprKind::Variable(v) => scope.get(v).map_or(Kind::Value, |v| v.kind),
            _ => Kind::Value,
        }
    }

    fn agg_call(&mut self, e: &ast::Expr, scope: &Scope) -> Result<Option<AggCall>, QueryError> {
        match &e.kind {
            ast::ExprKind::CountStar => Ok(Some(AggCall {
                func: AggFunc::CountStar,
                distinct: false,
                args: Vec::new(),
                span: e.span,
            })),
            ast::ExprKind::Function { name, distinct, args } => {
                let Some(func) = aggregate_func(&name.name) else { return Ok(None) };
                let mut compiled = Vec::with_capacity(args.len());
                for a in args {
                    compiled.push(self.expr(a, scope)?);
                }
                Ok(Some(AggCall { func, distinct: *distinct, args: compiled, span: e.span }))
            }
            _ => Ok(None),
        }
    }

    // ----- patterns --------------------------------------------------------

    fn pattern(
        &mut self,
        input: Op,
        m: &ast::Match,
        scope: &mut Scope,
        reach: Option<&ReachContext>,
    ) -> Result<Op, QueryError> {
        let before = scope.clone();
        let mut nodes: Vec<PNode> = Vec::new();
        let mut rels: Vec<PRel> = Vec::new();
        let mut parts: Vec<PPart> = Vec::new();
        let mut preds: Vec<Pred> = Vec::new();

        // Pass 1: give every variable a slot, so that predicates can read
        // any of them.
        for part in &m.pattern {
            let mut pp =
                PPart { path: None, kind: part.kind, nodes: Vec::new(), rels: Vec::new(), span: part.span };
            let first = self.pattern_node(&part.element.start, &mut nodes, scope, &before)?;
            pp.nodes.push(first);
            for (rel, node) in &part.element.chain {
                let right = self.pattern_node(node, &mut nodes, scope, &before)?;
                let ri = self.pattern_rel(rel, &mut rels, scope)?;
                pp.nodes.push(right);
                pp.rels.push(ri);
            }
            if let Some(v) = &part.var {
                let slot = self.new_slot(&v.name);
                scope.set(&v.name, Var { slot, kind: Kind::Path });
                pp.path = Some(slot);
            }
            parts.push(pp);
        }

        // Pass 2: predicates, from property maps and WHERE.
        for (part, pp) in m.pattern.iter().zip(&parts) {
            let node_pats =
                std::iter::once(&part.element.start).chain(part.element.chain.iter().map(|(_, n)| n));
            for (np, &ni) in node_pats.zip(&pp.nodes) {
                self.node_props(np, ni, &mut nodes, &mut preds, scope)?;
            }
            for ((rp, _), &ri) in part.element.chain.iter().zip(&pp.rels) {
                self.rel_props(rp, ri, &mut rels, &mut preds, scope)?;
            }
        }
        // Nodes at either end of a relationship of this clause.
        let hop_ends: HashSet<usize> = parts
            .iter()
            .flat_map(|pp| (0..pp.rels.len()).flat_map(move |i| [pp.nodes[i], pp.nodes[i + 1]]))
            .collect();
        for (ni, n) in nodes.iter().enumerate() {
            // A node bound by an earlier clause may be null (from OPTIONAL
            // MATCH); a pattern never matches a null node, even a bare `(a)`.
            // A hop from or to a null node already finds nothing, so only a
            // node no hop touches needs the test when it has no labels.
            if n.bound_before && (!n.labels.is_empty() || !hop_ends.contains(&ni)) {
                let slot = n.slot;
                let node = Box::new(Expr::new(ExprKind::Slot(slot), Span::default()));
                let kind = if n.labels.is_empty() {
                    ExprKind::IsNull(node, true)
                } else {
                    ExprKind::HasLabels(node, n.labels.clone())
                };
                preds.push(Pred { expr: Expr::new(kind, Span::default()), slots: vec![slot], done: false });
            }
        }
        if let Some(w) = &m.where_ {
            let mut conjuncts = Vec::new();
            split_and(w, &mut conjuncts);
            for c in conjuncts {
                let expr = self.expr(c, scope)?;
                let slots = free_slots(&expr);
                let index = preds.len();
                // `n.id = value` makes `n` seekable.
                if let Some((slot, value)) = self.id_equality(&expr, &before) {
                    if let Some(n) = nodes.iter_mut().find(|n| n.slot == slot && !n.bound_before) {
                        if n.seek.is_none() {
                            n.seek = Some((value, index));
                        }
                    }
                }
                preds.push(Pred { expr, slots, done: false });
            }
        }

        // Pass 3: order the parts and plan each.
        let used_slots: Vec<Slot> = reach
            .map(|r| r.used.iter().filter_map(|n| scope.get(n).map(|v| v.slot)).collect())
            .unwrap_or_default();
        let mut bound: HashSet<Slot> = before.vars.iter().map(|(_, v)| v.slot).collect();
        let mut clause_rels: Vec<Slot> = Vec::new();
        let mut op = input;
        op = place_ready(op, &mut preds, &bound);
        let mut todo: Vec<usize> = (0..parts.len()).collect();
        while !todo.is_empty() {
            // Plain parts first, cheapest start first; shortest paths last.
            let mut best: Option<(usize, usize, f64)> = None;
            for (ti, &pi) in todo.iter().enumerate() {
                let part = &parts[pi];
                if part.kind != ast::PathKind::Pattern {
                    continue;
                }
                for (pos, &ni) in part.nodes.iter().enumerate() {
                    let c = self.node_cost(&nodes[ni], &bound);
                    if best.is_none_or(|(_, _, bc)| c < bc) {
                        best = Some((ti, pos, c));
                    }
                }
            }
            let (ti, start) = match best {
                Some((ti, pos, _)) => (ti, pos),
                None => (0, 0),
            };
            let pi = todo.remove(ti);
            let part = &parts[pi];
            if part.kind != ast::PathKind::Pattern {
                op = self.plan_shortest(op, part, &nodes, &rels, &mut preds, &mut bound)?;
                continue;
            }
            let start_node = &nodes[part.nodes[start]];
            op = self.bind_node(op, start_node, &mut preds, &mut bound);
            op = place_ready(op, &mut preds, &bound);
            let order: Vec<(usize, bool)> = (start..part.rels.len())
                .map(|i| (i, true))
                .chain((0..start).rev().map(|i| (i, false)))
                .collect();
            for (k, &(i, forward)) in order.iter().enumerate() {
                let rel = &rels[part.rels[i]];
                let (from, to) = if forward {
                    (&nodes[part.nodes[i]], &nodes[part.nodes[i + 1]])
                } else {
                    (&nodes[part.nodes[i + 1]], &nodes[part.nodes[i]])
                };
                // The nodes the hops still to plan start from or end at.
                let later_nodes: Vec<Slot> = order[k + 1..]
                    .iter()
                    .flat_map(|&(j, _)| [nodes[part.nodes[j]].slot, nodes[part.nodes[j + 1]].slot])
                    .chain(todo.iter().flat_map(|&t| parts[t].nodes.iter().map(|&n| nodes[n].slot)))
                    // ... and what the predicates still to place read.
                    .chain(preds.iter().filter(|p| !p.done).flat_map(|p| p.slots.iter().copied()))
                    .collect();
                let ctx = HopContext {
                    forward,
                    has_path: part.path.is_some(),
                    reach,
                    used_slots: &used_slots,
                    later_nodes: &later_nodes,
                };
                op = self.hop(op, rel, from, to, &rels, &clause_rels, &bound, &ctx)?;
                bound.insert(rel.slot);
                bound.insert(to.slot);
                clause_rels.push(rel.slot);
                op = place_ready(op, &mut preds, &bound);
            }
            if let Some(path) = part.path {
                let steps = part
                    .rels
                    .iter()
                    .zip(&part.nodes[1..])
                    .map(|(&r, &n)| PathStep {
                        rel: rels[r].slot,
                        var_length: rels[r].length.is_some(),
                        node: nodes[n].slot,
                    })
                    .collect();
                op =
                    Op::BindPath { input: Box::new(op), slot: path, start: nodes[part.nodes[0]].slot, steps };
                bound.insert(path);
                op = place_ready(op, &mut preds, &bound);
            }
        }
        // Anything left reads slots the pattern never binds (it cannot, after
        // the checker), so evaluate it at the end where every slot is set.
        for p in preds.iter_mut().filter(|p| !p.done) {
            p.done = true;
            op = Op::Filter { input: Box::new(op), predicate: p.expr.clone() };
        }
        Ok(op)
    }

    fn pattern_node(
        &mut self,
        np: &ast::NodePattern,
        nodes: &mut Vec<PNode>,
        scope: &mut Scope,
        before: &Scope,
    ) -> Result<usize, QueryError> {
        let labels: Vec<LabelRef> = np
            .labels
            .iter()
            .map(|l| {
                self.mention(NameKind::Label, l);
                self.label(&l.name)
            })
            .collect();
        if let Some(v) = &np.var {
            if let Some(i) = nodes.iter().position(|n| n.name.as_deref() == Some(&v.name)) {
                for l in labels {
                    if !nodes[i].labels.contains(&l) {
                        nodes[i].labels.push(l);
                    }
                }
                return Ok(i);
            }
            if let Some(var) = scope.get(&v.name) {
                if matches!(var.kind, Kind::Rel | Kind::RelList | Kind::Path) {
                    return Err(syntax_error(
                        "VariableTypeConflict",
                        format!("variable `{}` is not a node", v.name),
                        v.span,
                    ));
                }
                let bound_before = before.get(&v.name).is_some();
                nodes.push(PNode {
                    slot: var.slot,
                    labels,
                    bound_before,
                    seek: None,
                    has_props: false,
                    name: Some(v.name.clone()),
                });
                return Ok(nodes.len() - 1);
            }
            let slot = self.new_slot(&v.name);
            scope.set(&v.name, Var { slot, kind: Kind::Node });
            nodes.push(PNode {
                slot,
                labels,
                bound_before: false,
                seek: None,
                has_props: false,
                name: Some(v.name.clone()),
            });
            return Ok(nodes.len() - 1);
        }
        let slot = self.anon_slot();
        nodes.push(PNode { slot, labels, bound_before: false, seek: None, has_props: false, name: None });
        Ok(nodes.len() - 1)
    }

    fn pattern_rel(
        &mut self,
        rp: &ast::RelPattern,
        rels: &mut Vec<PRel>,
        scope: &mut Scope,
    ) -> Result<usize, QueryError> {
        let types: Vec<TypeRef> = rp
            .types
            .iter()
            .map(|t| {
                self.mention(NameKind::RelType, t);
                self.rel_type(&t.name)
            })
            .collect();
        let length = rp.length.map(|r| {
            let clamp = |x: u64| x.min(u64::from(u32::MAX)) as u32;
            (r.min.map_or(1, clamp), r.max.map(clamp))
        });
        let kind = if length.is_some() { Kind::RelList } else { Kind::Rel };
        let slot = match &rp.var {
            Some(v) => match scope.get(&v.name) {
                Some(var) => {
                    if matches!(var.kind, Kind::Node | Kind::Path) {
                        return Err(syntax_error(
                            "VariableTypeConflict",
                            format!("variable `{}` is not a relationship", v.name),
                            v.span,
                        ));
                    }
                    var.slot
                }
                None => {
                    let slot = self.new_slot(&v.name);
                    scope.set(&v.name, Var { slot, kind });
                    slot
                }
            },
            None => self.anon_slot(),
        };
        let direction = match rp.direction {
            ast::Direction::Outgoing => Direction::Outgoing,
            ast::Direction::Incoming => Direction::Incoming,
            ast::Direction::Both => Direction::Both,
        };
        rels.push(PRel {
            slot,
            types,
            direction,
            length,
            var_props: Vec::new(),
            has_props: rp.properties.is_some(),
            name: rp.var.as_ref().map(|v| v.name.clone()),
            span: rp.span,
        });
        Ok(rels.len() - 1)
    }

    fn node_props(
        &mut self,
        np: &ast::NodePattern,
        ni: usize,
        nodes: &mut [PNode],
        preds: &mut Vec<Pred>,
        scope: &Scope,
    ) -> Result<(), QueryError> {
        let Some(props) = &np.properties else { return Ok(()) };
        let slot = nodes[ni].slot;
        nodes[ni].has_props = true;
        match props {
            ast::Properties::Map(items) => {
                for (k, v) in items {
                    self.mention(NameKind::Key, k);
                    let key = self.key(&k.name);
                    let value = self.expr(v, scope)?;
                    if k.name == "id"
                        && !nodes[ni].bound_before
                        && nodes[ni].seek.is_none()
                        && free_slots(&value).is_empty()
                    {
                        nodes[ni].seek = Some((value.clone(), preds.len()));
                    }
                    let e = property_eq(slot, key, value, k.span.to(v.span));
                    let slots = free_slots(&e);
                    preds.push(Pred { expr: e, slots, done: false });
                }
            }
            ast::Properties::Parameter(p) => {
                return Err(syntax_error(
                    "InvalidParameterUse",
                    "a parameter cannot stand for the properties of a pattern to match",
                    p.span,
                ))
            }
        }
        Ok(())
    }

    fn rel_props(
        &mut self,
        rp: &ast::RelPattern,
        ri: usize,
        rels: &mut [PRel],
        preds: &mut Vec<Pred>,
        scope: &Scope,
    ) -> Result<(), QueryError> {
        let Some(props) = &rp.properties else { return Ok(()) };
        let ast::Properties::Map(items) = props else {
            return Err(syntax_error(
                "InvalidParameterUse",
                "a parameter cannot stand for the properties of a pattern to match",
                rp.span,
            ));
        };
        for (k, v) in items {
            self.mention(NameKind::Key, k);
            let key = self.key(&k.name);
            let value = self.expr(v, scope)?;
            if rels[ri].length.is_some() {
                rels[ri].var_props.push((key, value));
            } else {
                let e = property_eq(rels[ri].slot, key, value, k.span.to(v.span));
                let slots = free_slots(&e);
                preds.push(Pred { expr: e, slots, done: false });
            }
        }
        Ok(())
    }

    /// `n.id = value` (either way round) where `n` is not bound before the
    /// clause and `value` reads only slots bound before it.
    fn id_equality(&self, e: &Expr, before: &Scope) -> Option<(Slot, Expr)> {
        let ExprKind::Compare(lhs, rest) = &e.kind else { return None };
        let [(ast::CompareOp::Eq, rhs)] = rest.as_slice() else { return None };
        let id_of = |x: &Expr| match &x.kind {
            ExprKind::Property(base, key)
                if self.keys.get_index(key.0 as usize).is_some_and(|k| k == "id") =>
            {
                base.as_slot()
            }
            _ => None,
        };
        let bound_before =
            |x: &Expr| free_slots(x).iter().all(|s| before.vars.iter().any(|(_, v)| v.slot == *s));
        if let Some(slot) = id_of(lhs) {
            if bound_before(rhs) && !free_slots(rhs).contains(&slot) {
                return Some((slot, rhs.clone()));
            }
        }
        if let Some(slot) = id_of(rhs) {
            if bound_before(lhs) && !free_slots(lhs).contains(&slot) {
                return Some((slot, (**lhs).clone()));
            }
        }
        None
    }

    fn node_cost(&self, n: &PNode, bound: &HashSet<Slot>) -> f64 {
        if bound.contains(&n.slot) {
            return 0.0;
        }
        if n.seek.is_some() {
            return 1.0;
        }
        let base = if n.labels.is_empty() {
            self.catalog.node_count() as f64
        } else {
            n.labels
                .iter()
                .map(|l| {
                    self.catalog.label_count(self.labels.get_index(l.0 as usize).map_or("", String::as_str))
                })
                .min()
                .unwrap_or(0) as f64
        };
        2.0 + if n.has_props { base * 0.1 } else { base }
    }

    /// Binds a part's start node: a seek, a scan, or nothing when bound.
    fn bind_node(&mut self, op: Op, n: &PNode, preds: &mut [Pred], bound: &mut HashSet<Slot>) -> Op {
        if bound.contains(&n.slot) {
            return op;
        }
        bound.insert(n.slot);
        if let Some((value, pred)) = &n.seek {
            preds[*pred].done = true;
            let id_key = self.key("id");
            return Op::NodeKeySeek {
                input: Box::new(op),
                node: n.slot,
                id_key,
                key: value.clone(),
                labels: n.labels.clone(),
            };
        }
        let mut labels = n.labels.clone();
        // Scan the rarest label, check the others.
        labels.sort_by_key(|l| {
            self.catalog.label_count(self.labels.get_index(l.0 as usize).map_or("", String::as_str))
        });
        Op::NodeScan { input: Box::new(op), node: n.slot, labels }
    }

    #[allow(clippy::too_many_arguments)]
    fn hop(
        &mut self,
        op: Op,
        rel: &PRel,
        from: &PNode,
        to: &PNode,
        rels: &[PRel],
        clause_rels: &[Slot],
        bound: &HashSet<Slot>,
        cx: &HopContext<'_>,
    ) -> Result<Op, QueryError> {
        let direction = if cx.forward { rel.direction } else { rel.direction.reverse() };
        let into = bound.contains(&to.slot);
        let to_labels = if into { Vec::new() } else { to.labels.clone() };
        let Some((min, max)) = rel.length else {
            return Ok(Op::Expand(Box::new(Expand {
                input: op,
                from: from.slot,
                rel: rel.slot,
                to: to.slot,
                types: rel.types.clone(),
                direction,
                to_labels,
                into,
                rel_bound: bound.contains(&rel.slot),
                unique: clause_rels.to_vec(),
                prefetch: if into { Prefetch::No } else { self.prefetch(to.name.as_deref()) },
            })));
        };
        if self.reachable_ok(rel, min, rels, bound, cx) {
            // What the rest reads and is bound already: the rest of the query,
            // and the hops of this clause still to come.
            let mut group: Vec<Slot> = cx
                .used_slots
                .iter()
                .chain(cx.later_nodes)
                .copied()
                .filter(|s| bound.contains(s) && *s != to.slot)
                .collect();
            group.sort_unstable();
            group.dedup();
            let prefetch = self.prefetch(to.name.as_deref());
            return Ok(Op::Reachable(Box::new(Reachable {
                prefetch,
                input: op,
                from: from.slot,
                to: to.slot,
                types: rel.types.clone(),
                direction,
                min,
                max,
                to_labels,
                into,
                group,
            })));
        }
        Ok(Op::VarExpand(Box::new(VarExpand {
            input: op,
            from: from.slot,
            rel: rel.slot,
            to: to.slot,
            types: rel.types.clone(),
            direction,
            min,
            max,
            to_labels,
            into,
            rel_bound: bound.contains(&rel.slot),
            reversed: !cx.forward,
            rel_props: rel.var_props.clone(),
            unique: clause_rels.to_vec(),
        })))
    }

    fn reachable_ok(
        &self,
        rel: &PRel,
        min: u32,
        rels: &[PRel],
        bound: &HashSet<Slot>,
        cx: &HopContext<'_>,
    ) -> bool {
        let Some(reach) = cx.reach else { return false };
        if min > 1 || cx.has_path || rel.has_props {
            return false;
        }
        if bound.contains(&rel.slot) || rel.name.as_ref().is_some_and(|n| reach.used.contains(n)) {
            return false;
        }
        // Relationship uniqueness against the other hops of the clause can be
        // ignored only if no other hop can use the same relationships.
        let others: Vec<&PRel> = rels.iter().filter(|r| r.slot != rel.slot).collect();
        if !others.is_empty() {
            if rel.types.is_empty() {
                return false;
            }
            if others.iter().any(|o| o.types.is_empty() || o.types.iter().any(|t| rel.types.contains(t))) {
                return false;
            }
        }
        true
    }

    #[allow(clippy::too_many_arguments)]
    fn plan_shortest(
        &mut self,
        mut op: Op,
        part: &PPart,
        nodes: &[PNode],
        rels: &[PRel],
        preds: &mut [Pred],
        bound: &mut HashSet<Slot>,
    ) -> Result<Op, QueryError> {
        let ([a, b], [r]) = (part.nodes.as_slice(), part.rels.as_slice()) else {
            return Err(syntax_error(
                "UnexpectedSyntax",
                "shortestPath needs a pattern of exactly one relationship",
                part.span,
            ));
        };
        let rel = &rels[*r];
        let (min, max) = rel.length.unwrap_or((1, Some(1)));
        if min > 1 {
            return Err(unsupported("shortestPath with a minimal length above 1 is not supported", rel.span));
        }
        if rel.has_props {
            return Err(unsupported("property constraints inside shortestPath are not supported", rel.span));
        }
        for ni in [a, b] {
            op = self.bind_node(op, &nodes[*ni], preds, bound);
            op = place_ready(op, preds, bound);
        }
        let rel_slot = rel.name.as_ref().map(|_| rel.slot);
        op = Op::ShortestPath(Box::new(ShortestPath {
            input: op,
            from: nodes[*a].slot,
            to: nodes[*b].slot,
            path: part.path,
            rel: rel_slot,
            types: rel.types.clone(),
            direction: rel.direction,
            min,
            max,
            all: part.kind == ast::PathKind::AllShortest,
        }));
        bound.insert(rel.slot);
        if let Some(p) = part.path {
            bound.insert(p);
        }
        Ok(place_ready(op, preds, bound))
    }

    // ----- expressions -----------------------------------------------------

    fn expr(&mut self, e: &ast::Expr, scope: &Scope) -> Result<Expr, QueryError> {
        let mut hook = |_: &mut Planner<'_>, x: &ast::Expr| -> Result<Option<Expr>, QueryError> {
            if is_aggregate(x) {
                return Err(syntax_error("InvalidAggregation", "an aggregate is not allowed here", x.span));
            }
            Ok(None)
        };
        self.expr_with(e, scope, &mut hook)
    }

    /// Plans a pattern predicate or `EXISTS`/`COUNT` body on the outer row.
    /// The body sees the outer scope; `reads` lists the outer slots it
    /// mentions, so a filter using it is placed where they are bound.
    fn subquery(
        &mut self,
        kind: ast::SubqueryKind,
        body: &ast::Query,
        scope: &Scope,
    ) -> Result<ExprKind, QueryError> {
        let kind = match kind {
            ast::SubqueryKind::Count => SubqueryKind::Count,
            ast::SubqueryKind::Exists => SubqueryKind::Exists,
        };
        self.subquery_of(|_| kind, body, scope)
    }

    /// A subquery expression over `body`, whose kind may depend on the
    /// slots of the body's result.
    fn subquery_of(
        &mut self,
        kind: impl FnOnce(&[Slot]) -> SubqueryKind,
        body: &ast::Query,
        scope: &Scope,
    ) -> Result<ExprKind, QueryError> {
        let mut mentioned = HashSet::new();
        body.clauses.iter().for_each(|c| clause_variables(c, &mut mentioned));
        let mut reads: Vec<Slot> =
            scope.vars.iter().filter(|(n, _)| mentioned.contains(n)).map(|(_, v)| v.slot).collect();
        reads.sort_unstable();
        reads.dedup();
        // The body's MATCH clauses set the prefetch hints for their own
        // projections; the enclosing clause's hints must survive them.
        let saved = std::mem::take(&mut self.props_read);
        let planned = self.query_from(body, Op::Argument, scope.clone());
        self.props_read = saved;
        let (plan, _, outputs) = planned?;
        Ok(ExprKind::Subquery { kind: kind(&outputs), plan: Box::new(plan), reads })
    }

    fn expr_with(&mut self, e: &ast::Expr, scope: &Scope, hook: Hook<'_>) -> Result<Expr, QueryError> {
        use ast::ExprKind as A;
        if let Some(done) = hook(self, e)? {
            return Ok(done);
        }
        // exists((a)-->(b)), the older spelling of a pattern predicate.
        if let A::Function { name, args, .. } = &e.kind {
            if let [arg @ ast::Expr { kind: A::Pattern(_), .. }] = args.as_slice() {
                if name.name.eq_ignore_ascii_case("exists") {
                    return self.expr_with(arg, scope, hook);
                }
            }
        }
        let span = e.span;
        let boxed =
            |pl: &mut Planner<'_>, x: &ast::Expr, hook: Hook<'_>| pl.expr_with(x, scope, hook).map(Box::new);
        let kind = match &e.kind {
            A::Literal(l) => ExprKind::Const(literal(l)),
            A::Parameter(p) => ExprKind::Param(p.clone()),
            A::Variable(v) => match scope.get(v) {
                Some(var) => ExprKind::Slot(var.slot),
                None => {
                    return Err(syntax_error(
                        "UndefinedVariable",
                        format!("variable `{v}` not defined"),
                        span,
                    ));
                }
            },
            A::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for x in items {
                    out.push(self.expr_with(x, scope, hook)?);
                }
                constant_list(out)
            }
            A::Map(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (k, x) in items {
                    out.push((k.name.clone(), self.expr_with(x, scope, hook)?));
                }
                ExprKind::Map(out)
            }
            A::Property(base, key) => {
                self.mention(NameKind::Key, key);
                let k = self.key(&key.name);
                ExprKind::Property(boxed(self, base, hook)?, k)
            }
            A::Index(base, index) => ExprKind::Index(boxed(self, base, hook)?, boxed(self, index, hook)?),
            A::Slice(base, from, to) => {
                let base = boxed(self, base, hook)?;
                let from = match from {
                    Some(x) => Some(boxed(self, x, hook)?),
                    None => None,
                };
                let to = match to {
                    Some(x) => Some(boxed(self, x, hook)?),
                    None => None,
                };
                ExprKind::Slice(base, from, to)
            }
            A::HasLabels(base, labels) => {
                let refs = labels
                    .iter()
                    .map(|l| {
                        self.mention(NameKind::Label, l);
                        self.label(&l.name)
                    })
                    .collect();
                ExprKind::HasLabels(boxed(self, base, hook)?, refs)
            }
            A::Unary(op, x) => {
                let inner = boxed(self, x, hook)?;
                match op {
                    ast::UnaryOp::Not => ExprKind::Not(inner),
                    ast::UnaryOp::Negate => match inner.kind {
                        ExprKind::Const(Value::Int(i)) if i != i64::MIN => ExprKind::Const(Value::Int(-i)),
                        ExprKind::Const(Value::Float(f)) => ExprKind::Const(Value::Float(-f)),
                        _ => ExprKind::Negate(inner),
                    },
                    ast::UnaryOp::Plus => ExprKind::Plus(inner),
                }
            }
            A::Binary(op, a, b) => {
                let op = match op {
                    ast::BinaryOp::Or => BinOp::Or,
                    ast::BinaryOp::Xor => BinOp::Xor,
                    ast::BinaryOp::And => BinOp::And,
                    ast::BinaryOp::Add => BinOp::Add,
                    ast::BinaryOp::Subtract => BinOp::Sub,
                    ast::BinaryOp::Multiply => BinOp::Mul,
                    ast::BinaryOp::Divide => BinOp::Div,
                    ast::BinaryOp::Modulo => BinOp::Mod,
                    ast::BinaryOp::Power => BinOp::Pow,
                    ast::BinaryOp::In => BinOp::In,
                    ast::BinaryOp::StartsWith => BinOp::StartsWith,
                    ast::BinaryOp::EndsWith => BinOp::EndsWith,
                    ast::BinaryOp::Contains => BinOp::Contains,
                    ast::BinaryOp::RegexMatch => {
                        let text = boxed(self, a, hook)?;
                        let pattern = match &b.kind {
                            A::Literal(ast::Literal::String(p)) => RegexOperand::Fixed(
                                Pattern::new(p)
                                    .map_err(|m| syntax_error("InvalidArgumentValue", m, b.span))?,
                            ),
                            _ => RegexOperand::Computed(boxed(self, b, hook)?),
                        };
                        return Ok(Expr::new(ExprKind::RegexMatch(text, pattern), span));
                    }
                };
                ExprKind::Binary(op, boxed(self, a, hook)?, boxed(self, b, hook)?)
            }
            A::Comparison(first, rest) => {
                let first = boxed(self, first, hook)?;
                let mut out = Vec::with_capacity(rest.len());
                for (op, x) in rest {
                    out.push((*op, self.expr_with(x, scope, hook)?));
                }
                ExprKind::Compare(first, out)
            }
            A::IsNull { expr, negated } => ExprKind::IsNull(boxed(self, expr, hook)?, *negated),
            A::Function { name, args, .. } => {
                let Some(f) = Function::lookup(&name.name) else {
                    return Err(syntax_error(
                        "UnknownFunction",
                        format!("unknown function '{}'", name.name),
                        name.span,
                    ));
                };
                let mut out = Vec::with_capacity(args.len());
                for x in args {
                    out.push(self.expr_with(x, scope, hook)?);
                }
                if f == Function::Exists {
                    let [arg] = <[Expr; 1]>::try_from(out).map_err(|_| {
                        syntax_error("InvalidNumberOfArguments", "exists() takes one argument", span)
                    })?;
                    ExprKind::IsNull(Box::new(arg), true)
                } else {
                    ExprKind::Call(f, out)
                }
            }
            A::CountStar => {
                return Err(syntax_error("InvalidAggregation", "count(*) is not allowed here", span));
            }
            A::Case { subject, alternatives, default } => {
                let subject = match subject {
                    Some(x) => Some(boxed(self, x, hook)?),
                    None => None,
                };
                let mut alts = Vec::with_capacity(alternatives.len());
                for (w, t) in alternatives {
                    alts.push((self.expr_with(w, scope, hook)?, self.expr_with(t, scope, hook)?));
                }
                let default = match default {
                    Some(x) => Some(boxed(self, x, hook)?),
                    None => None,
                };
                ExprKind::Case { subject, alternatives: alts, default }
            }
            A::ListComprehension { quantifier, var, list, predicate, projection } => {
                let list = boxed(self, list, hook)?;
                let slot = self.new_slot(&var.name);
                let mut inner = scope.clone();
                inner.set(&var.name, Var { slot, kind: Kind::Value });
                let predicate = match predicate {
                    Some(x) => Some(Box::new(self.expr_with(x, &inner, hook)?)),
                    None => None,
                };
                let projection = match projection {
                    Some(x) => Some(Box::new(self.expr_with(x, &inner, hook)?)),
                    None => None,
                };
                ExprKind::ListComp { quantifier: *quantifier, slot, list, predicate, projection }
            }
            A::Pattern(part) => {
                let m = ast::Match { optional: false, pattern: vec![(**part).clone()], where_: None, span };
                let body = ast::Query { clauses: vec![ast::Clause::Match(m)], span };
                self.subquery(ast::SubqueryKind::Exists, &body, scope)?
            }
            A::PatternComprehension { pattern, predicate, projection } => {
                let m = ast::Match {
                    optional: false,
                    pattern: vec![(**pattern).clone()],
                    where_: predicate.as_deref().cloned(),
                    span,
                };
                let item = ast::ProjectionItem {
                    expr: (**projection).clone(),
                    alias: Some(ast::Ident { name: "  value".into(), span: projection.span }),
                    text: String::new(),
                    span: projection.span,
                };
                let ret = ast::Projection {
                    distinct: false,
                    star: false,
                    items: vec![item],
                    order_by: Vec::new(),
                    skip: None,
                    limit: None,
                    where_: None,
                    span,
                };
                let body =
                    ast::Query { clauses: vec![ast::Clause::Match(m), ast::Clause::Return(ret)], span };
                // The body's one output is the value.
                self.subquery_of(|outputs| SubqueryKind::Collect(outputs[0]), &body, scope)?
            }
            A::Subquery { kind, body } => self.subquery(*kind, body, scope)?,
        };
        Ok(Expr::new(kind, span))
    }
}

struct HopContext<'a> {
    forward: bool,
    has_path: bool,
    reach: Option<&'a ReachContext>,
    /// The slots of the variables `reach` says are read later.
    used_slots: &'a [Slot],
    /// The slots the rest of the clause reads: the nodes of the hops planned
    /// after this one, and the slots of predicates not placed yet.
    later_nodes: &'a [Slot],
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
mod tests {
    use super::*;
    use crate::query::syntax::parse_statement;

    /// Label sizes for the cost model.
    struct Sizes(&'static [(&'static str, usize)]);

    impl Catalog for Sizes {
        fn node_count(&self) -> usize {
            self.0.iter().map(|(_, n)| n).sum()
        }

        fn label_count(&self, label: &str) -> usize {
            self.0.iter().find(|(l, _)| *l == label).map_or(0, |(_, n)| *n)
        }
    }

    const SIZES: Sizes =
        Sizes(&[("Big", 100_000), ("Small", 10), ("Lab", 50), ("Company", 200), ("Model", 5000)]);

    fn plan(q: &str) -> Plan {
        let statement = parse_statement(q).unwrap_or_else(|e| panic!("{q}: {e}"));
        super::super::check::check(&statement).unwrap_or_else(|e| panic!("{q}: {e}"));
        plan_statement(&statement, &SIZES).unwrap_or_else(|e| panic!("{q}: {e}"))
    }

    /// The prefetch of the first expanding operator in a plan.
    fn prefetch_of(q: &str) -> Prefetch {
        fn find(op: &Op) -> Option<Prefetch> {
            match op {
                Op::Expand(x) => Some(x.prefetch),
                Op::Reachable(r) => Some(r.prefetch),
                Op::Project { input, .. }
                | Op::Distinct { input, .. }
                | Op::Aggregate { input, .. }
                | Op::Filter { input, .. } => find(input),
                _ => None,
            }
        }
        find(&plan(q).root).unwrap_or_else(|| panic!("{q}: no hop under the projection"))
    }

    #[test]
    fn prefetch_loads_what_the_projection_reads() {
        assert_eq!(prefetch_of("MATCH (a:Lab)<-[:T]-(b) RETURN b.id"), Prefetch::Id);
        assert_eq!(prefetch_of("MATCH (a:Lab)<-[:T]-(b) RETURN b.id, b.name"), Prefetch::All);
        assert_eq!(prefetch_of("MATCH (a:Lab)<-[:T]-(b) RETURN labels(b)"), Prefetch::All);
        assert_eq!(prefetch_of("MATCH (a:Lab)<-[:T]-(b) RETURN count(b)"), Prefetch::No);
        assert_eq!(
            prefetch_of("MATCH (a:Lab {id: 'x'})<-[:T*1..]-(b:Model) RETURN count(DISTINCT b)"),
            Prefetch::No
        );
        assert_eq!(
            prefetch_of("MATCH (a:Lab {id: 'x'})<-[:T*1..]-(b:Model) RETURN DISTINCT b.id"),
            Prefetch::Id
        );
    }

    fn explain(q: &str) -> String {
        plan(q).explain()
    }

    fn lines(q: &str) -> Vec<String> {
        explain(q).lines().map(str::to_string).collect()
    }

    #[test]
    fn starts_at_the_smallest_label_and_expands_backwards() {
        assert_eq!(
            lines("MATCH (a:Big)-[:T]->(b:Small) RETURN a"),
            ["Produce [a]", "  Expand (b)<-[:T]-(a:Big)", "    NodeByLabelScan (b:Small)",]
        );
    }

    #[test]
    fn id_equality_becomes_a_seek_from_either_side() {
        let plan = explain("MATCH (a:Big)-[:T]->(b:Small) WHERE $x = a.id RETURN b");
        assert!(plan.contains("NodeKeySeek (a:Big {id: $x})"), "{plan}");
        assert!(!plan.contains("Filter"), "{plan}");
        let plan = explain("MATCH (a:Big {id: 'k'}) RETURN a");
        assert!(plan.contains("NodeKeySeek (a:Big {id: 'k'})"), "{plan}");
    }

    #[test]
    fn predicates_sit_right_above_what_binds_them() {
        assert_eq!(
            lines("MATCH (a:Small)-[:T]->(b) WHERE a.x = 1 AND b.y = 2 RETURN b"),
            [
                "Produce [b]",
                "  Filter b.y = 2",
                "    Expand (a)-[:T]->(b)",
                "      Filter a.x = 1",
                "        NodeByLabelScan (a:Small)",
            ]
        );
    }

    #[test]
    fn reachability_only_when_rows_are_made_distinct() {
        let q = "MATCH (l:Lab)<-[:INCUBATED_BY]-(:Company)<-[:DEVELOPED_BY]-(m:Model)<-[:BUILT_ON*1..]-(d:Model) \
                 RETURN l.id, count(DISTINCT d) AS n";
        let plan = explain(q);
        assert!(plan.contains("Reachable BFS (m)<-[:BUILT_ON*1..]-(d:Model) per [l]"), "{plan}");
        let plan = explain("MATCH (m:Model)-[:BUILT_ON*]->(a) RETURN a.id, count(*)");
        assert!(plan.contains("VarLengthExpand"), "{plan}");
        // A named relationship that is read later must be enumerated.
        let plan = explain("MATCH (m:Model)-[r:BUILT_ON*]->(a) RETURN DISTINCT a, size(r)");
        assert!(plan.contains("VarLengthExpand"), "{plan}");
        // So must a hop that could share relationships with another one.
        let plan = explain("MATCH (x)-[:BUILT_ON]->(m:Model)-[:BUILT_ON*]->(a) RETURN DISTINCT a");
        assert!(plan.contains("VarLengthExpand"), "{plan}");
        // A search in the middle of a pattern keeps what later hops and
        // predicates read.
        let plan = explain(
            "MATCH (s:Small)-[:BUILT_ON*]->(m:Model)-[:DEVELOPED_BY]->(c {k: s.k}) RETURN DISTINCT c.name",
        );
        assert!(plan.contains("Reachable BFS (s)-[:BUILT_ON*1..]->(m:Model) per [s]"), "{plan}");
    }

    #[test]
    fn distinct_by_node_when_ids_pin_the_nodes() {
        let plan = explain("MATCH (c:Small)<-[:T]-(i) RETURN DISTINCT c.id, i.id, i.name");
        assert!(plan.contains("Distinct [c.id, i.id, i.name] by node [c, i]"), "{plan}");
        let plan = explain("MATCH (c:Small)<-[:T]-(i) RETURN DISTINCT i.name");
        assert!(!plan.contains("by node"), "{plan}");
        let plan = explain("MATCH (m:Model {id: 'x'})-[:BUILT_ON*]->(a) RETURN DISTINCT a.id");
        assert!(plan.contains("by node [a] (already unique)"), "{plan}");
    }

    #[test]
    fn optional_branch_and_shortest_path() {
        assert_eq!(
            lines("MATCH (a:Small) OPTIONAL MATCH (a)-[:T]->(b) RETURN a, b"),
            [
                "Produce [a, b]",
                "  Optional [b]",
                "    Expand (a)-[:T]->(b)",
                "      Argument",
                "    NodeByLabelScan (a:Small)",
            ]
        );
        let plan = explain(
            "MATCH p = shortestPath((a:Small {id: 'x'})-[:T*]->(b:Small {id: 'y'})) RETURN length(p)",
        );
        assert!(plan.contains("ShortestPath p = (a)-[:T*1..]->(b)"), "{plan}");
    }

    #[test]
    fn aggregates_group_by_the_other_items() {
        assert_eq!(
            lines("MATCH (n:Small) RETURN n.k AS k, count(*) + 1 AS c ORDER BY c"),
            [
                "Produce [k, c]",
                "  Sort [c]",
                "    Project [c = (anon_2 + 1)]",
                "      Aggregate by [k = n.k] computing [anon_2 = count(*)]",
                "        NodeByLabelScan (n:Small)",
            ]
        );
    }

    #[test]
    fn unsupported_constructs_are_compile_errors() {
        let statement = parse_statement("RETURN 1 AS x UNION CREATE (n) RETURN 2 AS x").unwrap();
        let err = plan_statement(&statement, &SIZES).unwrap_err();
        assert_eq!(err.class, ErrorClass::Unsupported);
        assert!(err.span.is_some());
    }
}

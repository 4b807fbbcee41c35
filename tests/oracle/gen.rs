//! Random graphs and random queries, with no shrinking: a failing case is
//! replayed from its seed and minimised by hand into a regression test.

use super::model::*;
use super::rng::Rng;

/// Switches for query features; one goes off only when aikg gets a whole
/// feature wrong and the disagreement is reported instead of re-found in
/// every run.
#[derive(Debug, Clone, Copy)]
pub struct Features {
    /// `[r*1..2]`: a variable bound to a list of relationships.
    pub named_var_length: bool,
    /// `[*1..2 {w: 1}]`: a property map on a variable-length relationship.
    pub var_length_properties: bool,
    /// Unbounded `*`, `*0..`, `*2..`.
    pub unbounded_var_length: bool,
    /// `ORDER BY`, `SKIP`, `LIMIT`.
    pub order_skip_limit: bool,
    /// `sum`, `min`, `max` beside `count` and `collect`.
    pub numeric_aggregates: bool,
    /// `OPTIONAL MATCH` as the first clause.
    pub leading_optional: bool,
    /// A pattern part that is one bare node reusing a variable of an
    /// earlier clause: `OPTIONAL MATCH (a:D) MATCH (a)`. aikg used to keep
    /// rows where that variable is null (regression_match_bare_null_node_*).
    pub bound_lone_node_parts: bool,
    /// A relationship variable of an earlier clause in a later pattern
    /// (TCK Match7 [5], [6]).
    pub bound_relationships: bool,
    /// `WITH [DISTINCT] vars [WHERE ...]` between match clauses.
    pub with_clauses: bool,
    /// Pattern predicates in WHERE: `(a)-[:R]->()`, `NOT (a)--(b)`.
    pub pattern_predicates: bool,
    /// `EXISTS { MATCH ... WHERE ... }` and `COUNT { MATCH ... WHERE ... }`.
    pub subqueries: bool,
    /// `all/any/none/single(x IN [...] WHERE ...)`.
    pub quantifiers: bool,
    /// `UNION` and `UNION ALL` of two queries.
    pub unions: bool,
    /// `[(a)-->(s0) WHERE ... | s0.v]` as a returned column.
    pub pattern_comprehensions: bool,
}

impl Default for Features {
    fn default() -> Features {
        Features {
            named_var_length: true,
            var_length_properties: true,
            unbounded_var_length: true,
            order_skip_limit: true,
            numeric_aggregates: true,
            leading_optional: true,
            bound_lone_node_parts: true,
            bound_relationships: true,
            with_clauses: true,
            pattern_predicates: true,
            subqueries: true,
            quantifiers: true,
            unions: true,
            pattern_comprehensions: true,
        }
    }
}

const LABELS: [&str; 3] = ["A", "B", "C"];
const REL_TYPES: [&str; 2] = ["R", "S"];

/// 0–8 nodes with 0–2 labels and an optional `v` in 0..=3; 0–14
/// relationships (self-loops, parallel edges and cycles all come out of
/// picking both ends at random) with an optional `w` in 0..=3.
pub fn graph(rng: &mut Rng) -> GraphSpec {
    // Mostly larger graphs: small ones leave most patterns unmatched.
    let n = if rng.chance(12) { rng.range(0, 3) } else { rng.range(4, 8) };
    let nodes = (0..n)
        .map(|_| {
            let mut labels: Vec<&'static str> = Vec::new();
            let count = match rng.below(4) {
                0 => 0,
                1 | 2 => 1,
                _ => 2,
            };
            while labels.len() < count {
                let l = *rng.pick(&LABELS);
                if !labels.contains(&l) {
                    labels.push(l);
                }
            }
            let v = rng.chance(75).then(|| rng.range(0, 3) as i64);
            NodeSpec { labels, v }
        })
        .collect();
    let m = if n == 0 {
        0
    } else if rng.chance(15) {
        rng.range(0, 4)
    } else {
        rng.range(6, 14)
    };
    let mut rels: Vec<RelSpec> = Vec::with_capacity(m);
    for _ in 0..m {
        // Bias towards self-loops and parallel or anti-parallel edges, which
        // a uniform pick makes rare on the larger graphs.
        let (src, dst) = match rng.below(20) {
            0 | 1 => {
                let x = rng.below(n);
                (x, x)
            }
            2..=4 if !rels.is_empty() => {
                let r = &rels[rng.below(rels.len())];
                if rng.chance(50) {
                    (r.src, r.dst)
                } else {
                    (r.dst, r.src)
                }
            }
            _ => (rng.below(n), rng.below(n)),
        };
        rels.push(RelSpec {
            src,
            dst,
            rel_type: REL_TYPES[rng.below(REL_TYPES.len())],
            w: rng.chance(75).then(|| rng.range(0, 3) as i64),
        });
    }
    GraphSpec { nodes, rels }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Node,
    Rel,
    RelList,
    Path,
}

#[derive(Clone)]
struct Scope {
    vars: Vec<(String, Kind)>,
    /// The features, for the expression generators.
    features: Features,
    /// Inside a subquery or quantifier: no further nesting, which keeps
    /// the naive evaluator's work per row small.
    nested: bool,
    /// Variables a subquery introduced, named apart from the outer ones.
    next_sub: usize,
    /// Where the current clause's variables start in `vars`.
    clause_start: usize,
    /// Earlier relationship variables this clause already mentions: a
    /// second mention is a RelationshipUniquenessViolation (TCK Match3 [29]).
    reused_rels: Vec<String>,
    next_node: usize,
    next_rel: usize,
    next_path: usize,
}

impl Scope {
    fn of(&self, kind: Kind) -> Vec<String> {
        self.vars.iter().filter(|(_, k)| *k == kind).map(|(v, _)| v.clone()).collect()
    }

    fn fresh_node(&mut self) -> String {
        const NAMES: [&str; 8] = ["a", "b", "c", "d", "e", "f", "g", "h"];
        let name =
            NAMES.get(self.next_node).map_or_else(|| format!("n{}", self.next_node), |s| s.to_string());
        self.next_node += 1;
        self.vars.push((name.clone(), Kind::Node));
        name
    }

    fn fresh(&mut self, kind: Kind) -> String {
        let name = match kind {
            Kind::Path => {
                self.next_path += 1;
                format!("p{}", self.next_path)
            }
            _ => {
                self.next_rel += 1;
                format!("r{}", self.next_rel)
            }
        };
        self.vars.push((name.clone(), kind));
        name
    }
}

/// A random query over the labels, types and keys of [`graph`], now and
/// then the `UNION [ALL]` of two.
pub fn query(rng: &mut Rng, features: &Features) -> Query {
    let mut q = single_query(rng, features);
    if features.unions && rng.chance(10) {
        let mut other = single_query(rng, features);
        // Both sides need the same column names: keep as many items as the
        // shorter has and alias them alike. ORDER BY, SKIP and LIMIT would
        // apply to one side only, which the comparison does not model.
        let width = q.ret.items.len().min(other.ret.items.len());
        for ret in [&mut q.ret, &mut other.ret] {
            ret.items.truncate(width);
            for (i, it) in ret.items.iter_mut().enumerate() {
                it.alias = Some(format!("u{i}"));
            }
            ret.order_by.clear();
            ret.skip = None;
            ret.limit = None;
        }
        q.union = Some((rng.chance(50), Box::new(other)));
    }
    q
}

fn single_query(rng: &mut Rng, features: &Features) -> Query {
    let mut scope = Scope {
        features: *features,
        nested: false,
        next_sub: 0,
        vars: Vec::new(),
        clause_start: 0,
        reused_rels: Vec::new(),
        next_node: 0,
        next_rel: 0,
        next_path: 0,
    };
    let n_clauses = match rng.below(10) {
        0..=5 => 1,
        6..=8 => 2,
        _ => 3,
    };
    let mut clauses = Vec::new();
    let mut hop_budget = 4usize;
    for i in 0..n_clauses {
        if i > 0 && features.with_clauses && !scope.vars.is_empty() && rng.chance(20) {
            clauses.push(with_clause(rng, &mut scope));
        }
        scope.clause_start = scope.vars.len();
        scope.reused_rels.clear();
        let optional = if i == 0 { features.leading_optional && rng.chance(8) } else { rng.chance(60) };
        let n_parts = match rng.below(10) {
            0..=5 => 1,
            6..=8 => 2,
            _ => 3,
        };
        let mut parts = Vec::new();
        for _ in 0..n_parts {
            parts.push(part(rng, features, &mut scope, &mut hop_budget));
        }
        let where_ = rng.chance(35).then(|| predicate(rng, &scope, 2)).flatten();
        clauses.push(Clause::Match(MatchClause { optional, parts, where_ }));
    }
    let ret = projection(rng, features, &scope);
    Query { clauses, ret, union: None }
}

/// `earlier`: whether the pattern may reuse a variable of an earlier clause.
/// `WITH` a non-empty subset of the variables in scope, which then become
/// the whole scope.
fn with_clause(rng: &mut Rng, scope: &mut Scope) -> Clause {
    let mut kept: Vec<(String, Kind)> = scope.vars.iter().filter(|_| rng.chance(60)).cloned().collect();
    if kept.is_empty() {
        kept.push(rng.pick(&scope.vars).clone());
    }
    scope.vars = kept;
    let vars = scope.vars.iter().map(|(v, _)| v.clone()).collect();
    let where_ = rng.chance(30).then(|| predicate(rng, scope, 1)).flatten();
    Clause::With { distinct: rng.chance(30), vars, where_ }
}

fn node_pat(rng: &mut Rng, scope: &mut Scope, earlier: bool) -> NodePat {
    let from = if earlier { 0 } else { scope.clause_start };
    let existing: Vec<String> =
        scope.vars[from..].iter().filter(|(_, k)| *k == Kind::Node).map(|(v, _)| v.clone()).collect();
    let var = if !existing.is_empty() && rng.chance(20) {
        Some(rng.pick(&existing).clone())
    } else if rng.chance(70) {
        Some(scope.fresh_node())
    } else {
        None
    };
    let labels = match rng.below(100) {
        0..=74 => vec![],
        75..=95 => vec![*rng.pick(&LABELS)],
        96..=98 => vec!["A", *rng.pick(&["B", "C"])],
        // A label no node carries.
        _ => vec!["D"],
    };
    let v = rng.chance(7).then(|| rng.range(0, 4) as i64);
    NodePat { var, labels, v }
}

fn rel_pat(rng: &mut Rng, features: &Features, scope: &mut Scope) -> RelPat {
    let len = rng.chance(30).then(|| {
        let mut forms = vec![
            VarLen::Range(Some(0), Some(2)),
            VarLen::Range(Some(1), Some(3)),
            VarLen::Exact(2),
            VarLen::Exact(1),
            VarLen::Exact(0),
            VarLen::Range(None, Some(2)),
            VarLen::Range(Some(2), Some(3)),
            VarLen::Range(Some(1), Some(1)),
        ];
        if features.unbounded_var_length {
            forms.extend([
                VarLen::Any,
                VarLen::Any,
                VarLen::Range(Some(0), None),
                VarLen::Range(Some(2), None),
            ]);
        }
        *rng.pick(&forms)
    });
    // A relationship variable of an earlier clause; never one of this
    // clause, which would be a RelationshipUniquenessViolation.
    let earlier: Vec<String> = scope.vars[..scope.clause_start]
        .iter()
        .filter(|(v, k)| *k == Kind::Rel && !scope.reused_rels.contains(v))
        .map(|(v, _)| v.clone())
        .collect();
    let var = match len {
        None if features.bound_relationships && !earlier.is_empty() && rng.chance(15) => {
            let v = rng.pick(&earlier).clone();
            scope.reused_rels.push(v.clone());
            Some(v)
        }
        None => rng.chance(50).then(|| scope.fresh(Kind::Rel)),
        Some(_) => (features.named_var_length && rng.chance(25)).then(|| scope.fresh(Kind::RelList)),
    };
    let types = match rng.below(100) {
        0..=64 => vec![],
        65..=78 => vec!["R"],
        79..=88 => vec!["S"],
        89..=98 => vec!["R", "S"],
        // A type no relationship has.
        _ => vec!["T"],
    };
    let dir = *rng.pick(&[Dir::Out, Dir::In, Dir::Both]);
    let w_allowed = len.is_none() || features.var_length_properties;
    let w = (w_allowed && rng.chance(8)).then(|| rng.range(0, 3) as i64);
    RelPat { var, types, dir, len, w }
}

fn part(rng: &mut Rng, features: &Features, scope: &mut Scope, hop_budget: &mut usize) -> Part {
    let hops = match rng.below(20) {
        0..=3 => 0,
        4..=12 => 1,
        13..=17 => 2,
        _ => 3,
    }
    .min(*hop_budget);
    *hop_budget -= hops;
    let start = node_pat(rng, scope, hops > 0 || features.bound_lone_node_parts);
    let mut chain = Vec::new();
    for _ in 0..hops {
        let r = rel_pat(rng, features, scope);
        let n = node_pat(rng, scope, true);
        chain.push((r, n));
    }
    // Declared last: a path variable is not in scope inside its own pattern.
    let path_var = rng.chance(22).then(|| scope.fresh(Kind::Path));
    Part { path_var, start, chain }
}

fn cmp_op(rng: &mut Rng) -> CmpOp {
    *rng.pick(&[CmpOp::Eq, CmpOp::Ne, CmpOp::Lt, CmpOp::Le, CmpOp::Gt, CmpOp::Ge])
}

fn int_atom(rng: &mut Rng, scope: &Scope) -> Option<Expr> {
    let nodes = scope.of(Kind::Node);
    let rels = scope.of(Kind::Rel);
    let paths = scope.of(Kind::Path);
    let mut options = Vec::new();
    if !nodes.is_empty() {
        options.push(Expr::Prop(rng.pick(&nodes).clone(), "v"));
        options.push(Expr::Prop(rng.pick(&nodes).clone(), "v"));
    }
    if !rels.is_empty() {
        options.push(Expr::Prop(rng.pick(&rels).clone(), "w"));
    }
    if !paths.is_empty() {
        options.push(Expr::Length(rng.pick(&paths).clone()));
    }
    if scope.features.subqueries && !scope.nested && !nodes.is_empty() && rng.chance(15) {
        if let Some(sub) = sub_query(rng, scope) {
            options.push(Expr::CountSub(Box::new(sub)));
        }
    }
    if options.is_empty() {
        return None;
    }
    Some(options.swap_remove(rng.below(options.len())))
}

fn atom(rng: &mut Rng, scope: &Scope) -> Option<Expr> {
    let nodes = scope.of(Kind::Node);
    let rels = scope.of(Kind::Rel);
    for _ in 0..8 {
        let e = match rng.below(10) {
            0..=3 => {
                let a = int_atom(rng, scope)?;
                let b =
                    if rng.chance(50) { Expr::Int(rng.range(0, 3) as i64) } else { int_atom(rng, scope)? };
                Expr::Cmp(cmp_op(rng), Box::new(a), Box::new(b))
            }
            4 | 5 => Expr::IsNull(Box::new(int_atom(rng, scope)?), rng.chance(40)),
            6 if !nodes.is_empty() => {
                Expr::HasLabel(rng.pick(&nodes).clone(), LABELS[rng.below(LABELS.len())])
            }
            7 if nodes.len() >= 2 || rels.len() >= 2 => {
                let pool =
                    if nodes.len() >= 2 && (rels.len() < 2 || rng.chance(60)) { &nodes } else { &rels };
                let a = rng.pick(pool).clone();
                let b = rng.pick(pool).clone();
                let op = if rng.chance(50) { CmpOp::Eq } else { CmpOp::Ne };
                Expr::Cmp(op, Box::new(Expr::Var(a)), Box::new(Expr::Var(b)))
            }
            8 if !scope.vars.is_empty() => {
                // Only meaningful for variables an OPTIONAL MATCH left null.
                let (v, _) = rng.pick(&scope.vars).clone();
                Expr::IsNull(Box::new(Expr::Var(v)), rng.chance(50))
            }
            9 => match extended_atom(rng, scope) {
                Some(e) => e,
                None => continue,
            },
            _ => continue,
        };
        return Some(e);
    }
    None
}

/// The newer reading constructs as boolean atoms: a pattern predicate,
/// an `EXISTS` subquery or a list quantifier.
fn extended_atom(rng: &mut Rng, scope: &Scope) -> Option<Expr> {
    let nodes = scope.of(Kind::Node);
    if scope.nested {
        return None;
    }
    match rng.below(3) {
        0 if scope.features.pattern_predicates && !nodes.is_empty() => {
            let p = Expr::Pattern(bound_part(rng, scope, None));
            Some(if rng.chance(35) { Expr::Not(Box::new(p)) } else { p })
        }
        1 if scope.features.subqueries && !nodes.is_empty() => {
            let e = Expr::Exists(Box::new(sub_query(rng, scope)?));
            Some(if rng.chance(25) { Expr::Not(Box::new(e)) } else { e })
        }
        2 if scope.features.quantifiers => quantifier(rng, scope),
        _ => None,
    }
}

/// A pattern part from a bound node variable of `scope`: 1–2 hops over
/// anonymous relationships to anonymous nodes (or bound ones, or, with
/// `fresh`, to the subquery's own variables drawn from it).
fn bound_part(rng: &mut Rng, scope: &Scope, mut fresh: Option<&mut Scope>) -> Part {
    let nodes = scope.of(Kind::Node);
    let start = NodePat {
        var: Some(rng.pick(&nodes).clone()),
        labels: if rng.chance(15) { vec![*rng.pick(&LABELS)] } else { vec![] },
        v: None,
    };
    let hops = if rng.chance(75) { 1 } else { 2 };
    let mut chain = Vec::new();
    for _ in 0..hops {
        let types = match rng.below(4) {
            0 => vec![],
            1 => vec!["R"],
            2 => vec!["S"],
            _ => vec!["R", "S"],
        };
        let len = rng.chance(15).then(|| *rng.pick(&[VarLen::Range(Some(1), Some(2)), VarLen::Exact(2)]));
        let w = (len.is_none() && rng.chance(10)).then(|| rng.range(0, 3) as i64);
        let rel = RelPat { var: None, types, dir: *rng.pick(&[Dir::Out, Dir::In, Dir::Both]), len, w };
        let var = match rng.below(10) {
            0..=2 => Some(rng.pick(&nodes).clone()),
            3..=5 => fresh.as_deref_mut().map(|s| {
                let name = format!("s{}", s.next_sub);
                s.next_sub += 1;
                s.vars.push((name.clone(), Kind::Node));
                name
            }),
            _ => None,
        };
        let labels = if rng.chance(30) { vec![*rng.pick(&LABELS)] } else { vec![] };
        let v = rng.chance(10).then(|| rng.range(0, 3) as i64);
        chain.push((rel, NodePat { var, labels, v }));
    }
    Part { path_var: None, start, chain }
}

/// `MATCH part WHERE pred` for `EXISTS { }` / `COUNT { }`, the predicate
/// seeing the outer variables and the subquery's own.
fn sub_query(rng: &mut Rng, scope: &Scope) -> Option<SubQuery> {
    if scope.of(Kind::Node).is_empty() {
        return None;
    }
    let mut inner = scope.clone();
    inner.nested = true;
    let part = bound_part(rng, scope, Some(&mut inner));
    let where_ = rng.chance(50).then(|| predicate(rng, &inner, 1)).flatten();
    Some(SubQuery { part, where_ })
}

/// `[part WHERE pred | value]`, the value drawn from the subquery's own
/// variables as well as the outer ones.
fn pattern_comprehension(rng: &mut Rng, scope: &Scope) -> Option<Expr> {
    if scope.of(Kind::Node).is_empty() {
        return None;
    }
    let mut inner = scope.clone();
    inner.nested = true;
    let part = bound_part(rng, scope, Some(&mut inner));
    let where_ = rng.chance(40).then(|| predicate(rng, &inner, 1)).flatten();
    let own: Vec<String> = inner.vars[scope.vars.len()..].iter().map(|(v, _)| v.clone()).collect();
    let value = match rng.below(3) {
        0 if !own.is_empty() => Expr::Var(rng.pick(&own).clone()),
        1 if !own.is_empty() => Expr::Prop(rng.pick(&own).clone(), "v"),
        _ => int_atom(rng, &inner).unwrap_or(Expr::Int(1)),
    };
    Some(Expr::PatComp(Box::new(SubQuery { part, where_ }), Box::new(value)))
}

/// `all/any/none/single(x IN [...] WHERE pred)` over a list of integer
/// atoms (often null) and literals, with a predicate on `x` that can be
/// null.
fn quantifier(rng: &mut Rng, scope: &Scope) -> Option<Expr> {
    let q = *rng.pick(&[Quant::All, Quant::Any, Quant::None, Quant::Single]);
    let mut elems = Vec::new();
    for _ in 0..rng.range(0, 4) {
        match int_atom(rng, scope) {
            Some(e) if rng.chance(50) => elems.push(e),
            _ if rng.chance(20) => elems.push(Expr::Null),
            _ => elems.push(Expr::Int(rng.range(0, 3) as i64)),
        }
    }
    let x = || Box::new(Expr::Var(QUANT_VAR.to_string()));
    let pred = match rng.below(4) {
        0 => Expr::IsNull(x(), rng.chance(50)),
        1 => {
            // x compared with an outer value, which may itself be null.
            let other = int_atom(rng, scope).unwrap_or(Expr::Int(1));
            Expr::Cmp(cmp_op(rng), x(), Box::new(other))
        }
        _ => Expr::Cmp(cmp_op(rng), x(), Box::new(Expr::Int(rng.range(0, 3) as i64))),
    };
    Some(Expr::Quant(q, elems, Box::new(pred)))
}

fn predicate(rng: &mut Rng, scope: &Scope, depth: u32) -> Option<Expr> {
    if depth == 0 || rng.chance(45) {
        return atom(rng, scope);
    }
    Some(match rng.below(7) {
        0 => Expr::Not(Box::new(predicate(rng, scope, depth - 1)?)),
        1..=3 => Expr::And(
            Box::new(predicate(rng, scope, depth - 1)?),
            Box::new(predicate(rng, scope, depth - 1)?),
        ),
        4 | 5 => {
            Expr::Or(Box::new(predicate(rng, scope, depth - 1)?), Box::new(predicate(rng, scope, depth - 1)?))
        }
        _ => Expr::Xor(
            Box::new(predicate(rng, scope, depth - 1)?),
            Box::new(predicate(rng, scope, depth - 1)?),
        ),
    })
}

/// Any value a `RETURN` may show: a variable, a property, a path length.
fn value_expr(rng: &mut Rng, scope: &Scope) -> Option<Expr> {
    if scope.vars.is_empty() {
        return None;
    }
    if rng.chance(45) {
        let (v, _) = rng.pick(&scope.vars).clone();
        return Some(Expr::Var(v));
    }
    // A returned boolean tells null from false, which WHERE does not.
    // A bare pattern is a predicate only (aikg refuses it as a value,
    // pointing to EXISTS), so a returned one is written as EXISTS { }.
    if rng.chance(12) {
        let as_value = |e: Expr| match e {
            Expr::Pattern(part) => Expr::Exists(Box::new(SubQuery { part, where_: None })),
            other => other,
        };
        match extended_atom(rng, scope) {
            Some(Expr::Not(e)) => return Some(Expr::Not(Box::new(as_value(*e)))),
            Some(e) => return Some(as_value(e)),
            None => {}
        }
    }
    int_atom(rng, scope).or_else(|| Some(Expr::Var(rng.pick(&scope.vars).0.clone())))
}

fn is_int_valued(item: &Item) -> bool {
    match item {
        Item::Expr(Expr::Prop(..) | Expr::Length(_) | Expr::CountSub(_)) => true,
        Item::Expr(_) => false,
        Item::CountStar => true,
        Item::Agg { func: AggFn::Collect, .. } => false,
        Item::Agg { .. } => true,
    }
}

fn projection(rng: &mut Rng, features: &Features, scope: &Scope) -> Return {
    let mut items: Vec<ReturnItem> = Vec::new();
    let push = |items: &mut Vec<ReturnItem>, item: Item| {
        let text = item.to_string();
        if !items.iter().any(|i| i.item.to_string() == text) {
            items.push(ReturnItem { item, alias: None });
        }
    };
    let aggregating = scope.vars.is_empty() || rng.chance(40);
    if aggregating {
        for _ in 0..rng.range(0, 2) {
            if let Some(e) = value_expr(rng, scope) {
                push(&mut items, Item::Expr(e));
            }
        }
        for _ in 0..rng.range(1, 2) {
            let mut funcs = vec![AggFn::Count, AggFn::Count, AggFn::Collect];
            if features.numeric_aggregates {
                funcs.extend([AggFn::Sum, AggFn::Min, AggFn::Max]);
            }
            let func = *rng.pick(&funcs);
            let arg = match func {
                AggFn::Count | AggFn::Collect => value_expr(rng, scope),
                _ => int_atom(rng, scope),
            };
            let item = match arg {
                Some(arg) if rng.chance(80) => Item::Agg { func, distinct: rng.chance(35), arg },
                _ => Item::CountStar,
            };
            push(&mut items, item);
        }
    } else {
        for _ in 0..rng.range(1, 3) {
            if let Some(e) = value_expr(rng, scope) {
                push(&mut items, Item::Expr(e));
            }
        }
        if features.pattern_comprehensions && rng.chance(12) {
            if let Some(e) = pattern_comprehension(rng, scope) {
                push(&mut items, Item::Expr(e));
            }
        }
    }
    for (i, it) in items.iter_mut().enumerate() {
        if rng.chance(30) {
            it.alias = Some(format!("col{i}"));
        }
    }
    // Not with a pattern comprehension: DISTINCT would compare its lists
    // in match order, which the two evaluators need not share.
    let has_comprehension = items.iter().any(|i| matches!(i.item, Item::Expr(Expr::PatComp(..))));
    let distinct = rng.chance(if aggregating { 8 } else { 25 }) && !has_comprehension;
    let mut order_by = Vec::new();
    let (mut skip, mut limit) = (None, None);
    if features.order_skip_limit {
        if rng.chance(25) {
            let orderable: Vec<usize> = (0..items.len()).filter(|&i| is_int_valued(&items[i].item)).collect();
            for _ in 0..rng.range(1, 2) {
                if orderable.is_empty() {
                    break;
                }
                let col = *rng.pick(&orderable);
                if !order_by.iter().any(|(c, _)| *c == col) {
                    order_by.push((col, rng.chance(40)));
                    items[col].alias.get_or_insert_with(|| format!("col{col}"));
                }
            }
        }
        skip = rng.chance(10).then(|| rng.range(0, 3));
        limit = rng.chance(15).then(|| rng.range(0, 4));
    }
    Return { distinct, items, order_by, skip, limit }
}

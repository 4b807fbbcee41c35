//! The reference evaluator: brute-force enumeration over a snapshot of the
//! store, written straight from the openCypher semantics and sharing no code
//! with `aikg::query`. It is slow so that it is obviously right: every
//! relationship is tried at every hop, every trail is walked by DFS, and
//! every binding is materialised before `WHERE` looks at it.

use std::collections::BTreeMap;

use aikg::{EdgeId, Graph, NodeId, Value};

use super::model::*;

/// A value as the oracle compares it: nodes and relationships by id.
/// The derived order is only used to sort multisets canonically.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NVal {
    Null,
    Bool(bool),
    Int(i64),
    Node(u32),
    Rel(u32),
    Path(Vec<u32>, Vec<u32>),
    List(Vec<NVal>),
    /// Anything the oracle never expects (a float, a string, a map).
    Other(String),
}

impl NVal {
    pub fn from_value(v: &Value) -> NVal {
        match v {
            Value::Null => NVal::Null,
            Value::Bool(b) => NVal::Bool(*b),
            Value::Int(i) => NVal::Int(*i),
            Value::Node(n) => NVal::Node(n.0),
            Value::Relationship(r) => NVal::Rel(r.0),
            Value::Path(p) => {
                NVal::Path(p.nodes.iter().map(|n| n.0).collect(), p.rels.iter().map(|r| r.0).collect())
            }
            Value::List(l) => NVal::List(l.iter().map(NVal::from_value).collect()),
            other => NVal::Other(format!("{other:?}")),
        }
    }
}

/// What the evaluator needs of a node.
#[derive(Debug, Clone)]
pub struct SnapNode {
    pub labels: Vec<String>,
    pub v: Option<i64>,
    /// The spec index given as property `k` at creation.
    pub k: Option<i64>,
}

/// What the evaluator needs of a relationship.
#[derive(Debug, Clone)]
pub struct SnapRel {
    pub src: u32,
    pub dst: u32,
    pub rel_type: String,
    pub w: Option<i64>,
}

/// The graph as read back through the store API, indexed by store id.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub nodes: Vec<SnapNode>,
    pub rels: Vec<SnapRel>,
}

fn int_property(v: Option<&Value>) -> Option<i64> {
    v.and_then(Value::as_int)
}

impl Snapshot {
    pub fn read(graph: &Graph) -> Snapshot {
        let mut nodes = Vec::new();
        for (i, n) in graph.node_ids().enumerate() {
            assert_eq!(n, NodeId(i as u32), "node ids are dense");
            let node = graph.node(n);
            nodes.push(SnapNode {
                labels: node.labels().map(str::to_string).collect(),
                v: int_property(node.property("v")),
                k: int_property(node.property("k")),
            });
        }
        let mut rels = Vec::new();
        for (i, e) in graph.edge_ids().enumerate() {
            assert_eq!(e, EdgeId(i as u32), "relationship ids are dense");
            let edge = graph.edge(e);
            rels.push(SnapRel {
                src: edge.src().id().0,
                dst: edge.dst().id().0,
                rel_type: edge.rel_type().to_string(),
                w: int_property(edge.property("w")),
            });
        }
        Snapshot { nodes, rels }
    }

    /// Checks that the store holds exactly `spec` (what `CREATE` was asked
    /// to build), matching nodes up through their `k` property.
    pub fn check_against(&self, spec: &GraphSpec) -> Result<(), String> {
        if self.nodes.len() != spec.nodes.len() || self.rels.len() != spec.rels.len() {
            return Err(format!(
                "CREATE built {} nodes and {} relationships, expected {} and {}",
                self.nodes.len(),
                self.rels.len(),
                spec.nodes.len(),
                spec.rels.len()
            ));
        }
        let mut spec_index = vec![usize::MAX; self.nodes.len()];
        for (i, n) in self.nodes.iter().enumerate() {
            let k = n.k.ok_or_else(|| format!("node {i} has no k"))? as usize;
            let want = spec.nodes.get(k).ok_or_else(|| format!("node {i} has k {k}"))?;
            let mut got_labels = n.labels.clone();
            got_labels.sort();
            let mut want_labels: Vec<String> = want.labels.iter().map(|l| l.to_string()).collect();
            want_labels.sort();
            if got_labels != want_labels || n.v != want.v {
                return Err(format!("node k={k}: got {n:?}, expected {want:?}"));
            }
            spec_index[i] = k;
        }
        let mut got: Vec<(usize, usize, String, Option<i64>)> = self
            .rels
            .iter()
            .map(|r| (spec_index[r.src as usize], spec_index[r.dst as usize], r.rel_type.clone(), r.w))
            .collect();
        let mut want: Vec<(usize, usize, String, Option<i64>)> =
            spec.rels.iter().map(|r| (r.src, r.dst, r.rel_type.to_string(), r.w)).collect();
        got.sort();
        want.sort();
        if got != want {
            return Err(format!("CREATE built relationships {got:?}, expected {want:?}"));
        }
        Ok(())
    }
}

/// The enumeration went past its budget; the case is skipped, not judged.
#[derive(Debug)]
pub struct TooBig;

type Row = BTreeMap<String, NVal>;

/// The result of a query before `SKIP`/`LIMIT`: rows in `ORDER BY` order
/// when there is one (ties in the order the evaluator met them).
pub fn evaluate(snap: &Snapshot, query: &Query, budget: u64) -> Result<Vec<Vec<NVal>>, TooBig> {
    let mut m = Matcher { snap, steps: 0, budget };
    let mut rows: Vec<Row> = vec![Row::new()];
    for clause in &query.clauses {
        rows = match clause {
            Clause::Match(clause) => m.match_clause(clause, &rows)?,
            Clause::With { distinct, vars, where_ } => {
                let mut out: Vec<Row> = Vec::new();
                for row in &rows {
                    let kept: Row = vars.iter().map(|v| (v.clone(), row[v].clone())).collect();
                    if *distinct && out.contains(&kept) {
                        continue;
                    }
                    out.push(kept);
                }
                out.retain(|r| where_.as_ref().is_none_or(|w| eval(snap, w, r) == NVal::Bool(true)));
                out
            }
        };
    }
    let mut out = project(snap, &query.ret, &rows);
    if let Some((all, other)) = &query.union {
        out.extend(evaluate(snap, other, budget)?);
        // UNION without ALL removes duplicates across both sides, and
        // within each side too.
        if !*all {
            let mut seen: Vec<Vec<NVal>> = Vec::new();
            out.retain(|r| {
                if seen.contains(r) {
                    false
                } else {
                    seen.push(r.clone());
                    true
                }
            });
        }
    }
    Ok(out)
}

/// Every binding of one pattern part extending `row`, by the same
/// enumeration as MATCH; relationship uniqueness holds within the part.
/// Subpatterns are small (few hops, bounded lengths), so no budget.
fn sub_matches(snap: &Snapshot, part: &Part, row: &Row) -> Vec<Row> {
    let mut m = Matcher { snap, steps: 0, budget: u64::MAX };
    let mut out = Vec::new();
    m.parts(std::slice::from_ref(part), 0, row.clone(), &mut Vec::new(), &mut out)
        .expect("no budget for subpatterns");
    out
}

/// The bindings of a subquery that pass its WHERE.
fn sub_query_rows(snap: &Snapshot, sub: &SubQuery, row: &Row) -> usize {
    sub_matches(snap, &sub.part, row)
        .iter()
        .filter(|r| sub.where_.as_ref().is_none_or(|w| eval(snap, w, r) == NVal::Bool(true)))
        .count()
}

/// Every variable a clause names (new or already bound).
fn clause_vars(clause: &MatchClause) -> Vec<String> {
    let mut out = Vec::new();
    for p in &clause.parts {
        out.extend(p.path_var.clone());
        out.extend(p.start.var.clone());
        for (r, n) in &p.chain {
            out.extend(r.var.clone());
            out.extend(n.var.clone());
        }
    }
    out
}

struct Matcher<'s> {
    snap: &'s Snapshot,
    steps: u64,
    budget: u64,
}

/// The path built so far for the current pattern part.
#[derive(Clone, Default)]
struct PathSoFar {
    nodes: Vec<u32>,
    rels: Vec<u32>,
}

impl Matcher<'_> {
    /// One MATCH clause over every input row: all bindings, then WHERE,
    /// then the OPTIONAL MATCH rule (no surviving binding: one row with
    /// the new variables null).
    fn match_clause(&mut self, clause: &MatchClause, rows: &[Row]) -> Result<Vec<Row>, TooBig> {
        let mut next = Vec::new();
        for row in rows {
            let mut found = Vec::new();
            // Uniqueness holds within this clause only.
            let mut used = Vec::new();
            self.parts(&clause.parts, 0, row.clone(), &mut used, &mut found)?;
            let kept: Vec<Row> = found
                .into_iter()
                .filter(|r| clause.where_.as_ref().is_none_or(|w| eval(self.snap, w, r) == NVal::Bool(true)))
                .collect();
            if kept.is_empty() && clause.optional {
                let mut r = row.clone();
                for v in clause_vars(clause) {
                    r.entry(v).or_insert(NVal::Null);
                }
                next.push(r);
            } else {
                next.extend(kept);
            }
            self.tick(next.len() as u64)?;
        }
        Ok(next)
    }

    fn tick(&mut self, n: u64) -> Result<(), TooBig> {
        self.steps += n.max(1);
        if self.steps > self.budget {
            Err(TooBig)
        } else {
            Ok(())
        }
    }

    /// Whether node `id` fits pattern `np` given the bindings in `row`.
    fn node_fits(&self, np: &NodePat, id: u32, row: &Row) -> bool {
        if let Some(var) = &np.var {
            if let Some(bound) = row.get(var) {
                // A variable an OPTIONAL MATCH left null matches nothing.
                if *bound != NVal::Node(id) {
                    return false;
                }
            }
        }
        let node = &self.snap.nodes[id as usize];
        np.labels.iter().all(|l| node.labels.iter().any(|have| have == l))
            && np.v.is_none_or(|v| node.v == Some(v))
    }

    fn rel_fits(&self, rp: &RelPat, e: u32) -> bool {
        let rel = &self.snap.rels[e as usize];
        (rp.types.is_empty() || rp.types.iter().any(|t| *t == rel.rel_type))
            && rp.w.is_none_or(|w| rel.w == Some(w))
    }

    /// The node reached by walking relationship `e` from `from` in `dir`, if
    /// the walk is possible. An undirected walk over a self-loop is one
    /// walk, not two (TCK Match2 [3], Match3 [11]).
    fn walk(&self, e: u32, from: u32, dir: Dir) -> Option<u32> {
        let rel = &self.snap.rels[e as usize];
        match dir {
            Dir::Out => (rel.src == from).then_some(rel.dst),
            Dir::In => (rel.dst == from).then_some(rel.src),
            Dir::Both => {
                if rel.src == from {
                    Some(rel.dst)
                } else if rel.dst == from {
                    Some(rel.src)
                } else {
                    None
                }
            }
        }
    }

    fn bind(row: &mut Row, var: &Option<String>, value: NVal) {
        if let Some(v) = var {
            row.entry(v.clone()).or_insert(value);
        }
    }

    fn parts(
        &mut self,
        parts: &[Part],
        pi: usize,
        row: Row,
        used: &mut Vec<u32>,
        out: &mut Vec<Row>,
    ) -> Result<(), TooBig> {
        self.tick(1)?;
        let Some(part) = parts.get(pi) else {
            out.push(row);
            return Ok(());
        };
        for n in 0..self.snap.nodes.len() as u32 {
            if !self.node_fits(&part.start, n, &row) {
                continue;
            }
            let mut row = row.clone();
            Self::bind(&mut row, &part.start.var, NVal::Node(n));
            let path = PathSoFar { nodes: vec![n], rels: vec![] };
            self.hops(parts, pi, 0, row, n, path, used, out)?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn hops(
        &mut self,
        parts: &[Part],
        pi: usize,
        hi: usize,
        row: Row,
        cur: u32,
        path: PathSoFar,
        used: &mut Vec<u32>,
        out: &mut Vec<Row>,
    ) -> Result<(), TooBig> {
        self.tick(1)?;
        let part = &parts[pi];
        let Some((rp, np)) = part.chain.get(hi) else {
            let mut row = row;
            Self::bind(&mut row, &part.path_var, NVal::Path(path.nodes, path.rels));
            return self.parts(parts, pi + 1, row, used, out);
        };
        // Each candidate is (end node, relationships walked, nodes after the first).
        let mut candidates: Vec<(u32, Vec<u32>, Vec<u32>)> = Vec::new();
        match rp.len {
            None => {
                // A relationship variable bound by an earlier clause allows
                // only that relationship (and, when null, none).
                let bound = rp.var.as_ref().and_then(|v| row.get(v));
                for e in 0..self.snap.rels.len() as u32 {
                    if used.contains(&e) || !self.rel_fits(rp, e) || bound.is_some_and(|b| *b != NVal::Rel(e))
                    {
                        continue;
                    }
                    if let Some(other) = self.walk(e, cur, rp.dir) {
                        candidates.push((other, vec![e], vec![other]));
                    }
                }
            }
            Some(len) => {
                let (min, max) = len.bounds();
                // openCypher never repeats a relationship within one MATCH,
                // so no trail is longer than the graph has relationships.
                let max = max.unwrap_or(self.snap.rels.len() as u32);
                let mut trail = Vec::new();
                let mut trail_nodes = Vec::new();
                self.trails(rp, cur, min, max, used, &mut trail, &mut trail_nodes, &mut candidates)?;
            }
        }
        for (end, rels, nodes) in candidates {
            if !self.node_fits(np, end, &row) {
                continue;
            }
            let mut row = row.clone();
            let rel_value = match rp.len {
                None => NVal::Rel(rels[0]),
                Some(_) => NVal::List(rels.iter().map(|&e| NVal::Rel(e)).collect()),
            };
            Self::bind(&mut row, &rp.var, rel_value);
            Self::bind(&mut row, &np.var, NVal::Node(end));
            let mut path = path.clone();
            path.rels.extend(&rels);
            path.nodes.extend(&nodes);
            let mark = used.len();
            used.extend(&rels);
            self.hops(parts, pi, hi + 1, row, end, path, used, out)?;
            used.truncate(mark);
        }
        Ok(())
    }

    /// Every trail (no relationship twice, none from `used`) of `min..=max`
    /// relationships from `cur`, found by DFS.
    #[allow(clippy::too_many_arguments)]
    fn trails(
        &mut self,
        rp: &RelPat,
        cur: u32,
        min: u32,
        max: u32,
        used: &[u32],
        trail: &mut Vec<u32>,
        trail_nodes: &mut Vec<u32>,
        out: &mut Vec<(u32, Vec<u32>, Vec<u32>)>,
    ) -> Result<(), TooBig> {
        self.tick(1)?;
        if trail.len() as u32 >= min {
            out.push((cur, trail.clone(), trail_nodes.clone()));
        }
        if trail.len() as u32 >= max {
            return Ok(());
        }
        for e in 0..self.snap.rels.len() as u32 {
            if used.contains(&e) || trail.contains(&e) || !self.rel_fits(rp, e) {
                continue;
            }
            if let Some(next) = self.walk(e, cur, rp.dir) {
                trail.push(e);
                trail_nodes.push(next);
                self.trails(rp, next, min, max, used, trail, trail_nodes, out)?;
                trail.pop();
                trail_nodes.pop();
            }
        }
        Ok(())
    }
}

fn truth(v: &NVal) -> Option<bool> {
    match v {
        NVal::Bool(b) => Some(*b),
        _ => None,
    }
}

fn from_truth(t: Option<bool>) -> NVal {
    t.map_or(NVal::Null, NVal::Bool)
}

/// Evaluates with openCypher's null logic: comparisons with null are null,
/// and AND/OR/XOR/NOT are Kleene's three-valued connectives.
pub fn eval(snap: &Snapshot, e: &Expr, row: &Row) -> NVal {
    match e {
        Expr::Int(i) => NVal::Int(*i),
        Expr::Null => NVal::Null,
        Expr::Var(v) => row.get(v).cloned().unwrap_or_else(|| panic!("oracle bug: {v} unbound")),
        Expr::Prop(v, key) => {
            let value = match row.get(v) {
                Some(NVal::Node(n)) => {
                    let node = &snap.nodes[*n as usize];
                    match *key {
                        "v" => node.v,
                        "k" => node.k,
                        _ => None,
                    }
                }
                Some(NVal::Rel(r)) => match *key {
                    "w" => snap.rels[*r as usize].w,
                    _ => None,
                },
                _ => None,
            };
            value.map_or(NVal::Null, NVal::Int)
        }
        Expr::Length(p) => match row.get(p) {
            Some(NVal::Path(_, rels)) => NVal::Int(rels.len() as i64),
            _ => NVal::Null,
        },
        Expr::HasLabel(v, l) => match row.get(v) {
            Some(NVal::Node(n)) => NVal::Bool(snap.nodes[*n as usize].labels.iter().any(|have| have == l)),
            _ => NVal::Null,
        },
        Expr::Cmp(op, a, b) => {
            let (a, b) = (eval(snap, a, row), eval(snap, b, row));
            if a == NVal::Null || b == NVal::Null {
                return NVal::Null;
            }
            match (&a, &b) {
                (NVal::Int(x), NVal::Int(y)) => NVal::Bool(match op {
                    CmpOp::Eq => x == y,
                    CmpOp::Ne => x != y,
                    CmpOp::Lt => x < y,
                    CmpOp::Le => x <= y,
                    CmpOp::Gt => x > y,
                    CmpOp::Ge => x >= y,
                }),
                _ => match op {
                    CmpOp::Eq => NVal::Bool(a == b),
                    CmpOp::Ne => NVal::Bool(a != b),
                    _ => panic!("oracle bug: ordering {a:?} and {b:?}"),
                },
            }
        }
        Expr::IsNull(e, negated) => NVal::Bool((eval(snap, e, row) == NVal::Null) != *negated),
        Expr::Not(e) => from_truth(truth(&eval(snap, e, row)).map(|b| !b)),
        Expr::And(a, b) => {
            let (a, b) = (truth(&eval(snap, a, row)), truth(&eval(snap, b, row)));
            match (a, b) {
                (Some(false), _) | (_, Some(false)) => NVal::Bool(false),
                (Some(true), Some(true)) => NVal::Bool(true),
                _ => NVal::Null,
            }
        }
        Expr::Or(a, b) => {
            let (a, b) = (truth(&eval(snap, a, row)), truth(&eval(snap, b, row)));
            match (a, b) {
                (Some(true), _) | (_, Some(true)) => NVal::Bool(true),
                (Some(false), Some(false)) => NVal::Bool(false),
                _ => NVal::Null,
            }
        }
        Expr::Xor(a, b) => {
            let (a, b) = (truth(&eval(snap, a, row)), truth(&eval(snap, b, row)));
            from_truth(a.zip(b).map(|(x, y)| x != y))
        }
        // A pattern is true when it has at least one match; a variable
        // left null by OPTIONAL MATCH matches no node, so it is false.
        Expr::Pattern(part) => NVal::Bool(!sub_matches(snap, part, row).is_empty()),
        Expr::Exists(sub) => NVal::Bool(sub_query_rows(snap, sub, row) > 0),
        Expr::PatComp(sub, value) => NVal::List(
            sub_matches(snap, &sub.part, row)
                .iter()
                .filter(|r| sub.where_.as_ref().is_none_or(|w| eval(snap, w, r) == NVal::Bool(true)))
                .map(|r| eval(snap, value, r))
                .collect(),
        ),
        Expr::CountSub(sub) => NVal::Int(sub_query_rows(snap, sub, row) as i64),
        Expr::Quant(q, elems, pred) => {
            // The predicate's truth for each element, null as None.
            let truths: Vec<Option<bool>> = elems
                .iter()
                .map(|el| {
                    let mut inner = row.clone();
                    inner.insert(QUANT_VAR.to_string(), eval(snap, el, row));
                    truth(&eval(snap, pred, &inner))
                })
                .collect();
            let trues = truths.iter().filter(|t| **t == Some(true)).count();
            let falses = truths.iter().filter(|t| **t == Some(false)).count();
            let nulls = truths.len() - trues - falses;
            // Three-valued, as openCypher: a null result where the nulls
            // could go either way and decide the answer (Quantifier1-4).
            match q {
                Quant::All if falses > 0 => NVal::Bool(false),
                Quant::Any | Quant::None if trues > 0 => NVal::Bool(*q == Quant::Any),
                Quant::Single if trues > 1 => NVal::Bool(false),
                _ if nulls > 0 => NVal::Null,
                Quant::All => NVal::Bool(true),
                Quant::Any => NVal::Bool(false),
                Quant::None => NVal::Bool(true),
                Quant::Single => NVal::Bool(trues == 1),
            }
        }
    }
}

fn aggregate(snap: &Snapshot, item: &Item, group: &[&Row]) -> NVal {
    let (func, distinct, arg) = match item {
        Item::CountStar => return NVal::Int(group.len() as i64),
        Item::Agg { func, distinct, arg } => (*func, *distinct, arg),
        Item::Expr(_) => unreachable!("not an aggregate"),
    };
    let mut values: Vec<NVal> =
        group.iter().map(|r| eval(snap, arg, r)).filter(|v| *v != NVal::Null).collect();
    if distinct {
        let mut seen = Vec::new();
        values.retain(|v| {
            if seen.contains(v) {
                false
            } else {
                seen.push(v.clone());
                true
            }
        });
    }
    let ints = || values.iter().map(|v| if let NVal::Int(i) = v { *i } else { panic!("oracle bug: {v:?}") });
    match func {
        AggFn::Count => NVal::Int(values.len() as i64),
        AggFn::Collect => NVal::List(values.clone()),
        AggFn::Sum => NVal::Int(ints().sum()),
        AggFn::Min => ints().min().map_or(NVal::Null, NVal::Int),
        AggFn::Max => ints().max().map_or(NVal::Null, NVal::Int),
    }
}

/// openCypher's order for integers and null: null sorts after every
/// integer ascending, and so first descending.
pub fn order_key_cmp(a: &NVal, b: &NVal) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a, b) {
        (NVal::Null, NVal::Null) => Ordering::Equal,
        (NVal::Null, _) => Ordering::Greater,
        (_, NVal::Null) => Ordering::Less,
        (NVal::Int(x), NVal::Int(y)) => x.cmp(y),
        _ => panic!("oracle bug: ordering {a:?} and {b:?}"),
    }
}

/// Compares two rows by the `ORDER BY` keys of `ret`.
pub fn order_rows(ret: &Return, a: &[NVal], b: &[NVal]) -> std::cmp::Ordering {
    for &(col, desc) in &ret.order_by {
        let o = order_key_cmp(&a[col], &b[col]);
        let o = if desc { o.reverse() } else { o };
        if o.is_ne() {
            return o;
        }
    }
    std::cmp::Ordering::Equal
}

fn project(snap: &Snapshot, ret: &Return, rows: &[Row]) -> Vec<Vec<NVal>> {
    let mut out: Vec<Vec<NVal>> = if ret.items.iter().any(|i| i.item.is_aggregate()) {
        let keys: Vec<usize> = (0..ret.items.len()).filter(|&i| !ret.items[i].item.is_aggregate()).collect();
        let mut groups: Vec<(Vec<NVal>, Vec<&Row>)> = Vec::new();
        for row in rows {
            let key: Vec<NVal> = keys
                .iter()
                .map(|&i| match &ret.items[i].item {
                    Item::Expr(e) => eval(snap, e, row),
                    _ => unreachable!(),
                })
                .collect();
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, members)) => members.push(row),
                None => groups.push((key, vec![row])),
            }
        }
        // Without grouping keys an aggregation yields one row even for no
        // input (count(*) = 0, collect = []).
        if keys.is_empty() && groups.is_empty() {
            groups.push((Vec::new(), Vec::new()));
        }
        groups
            .into_iter()
            .map(|(key, members)| {
                let mut key = key.into_iter();
                ret.items
                    .iter()
                    .map(|it| match &it.item {
                        Item::Expr(_) => key.next().unwrap(),
                        agg => aggregate(snap, agg, &members),
                    })
                    .collect()
            })
            .collect()
    } else {
        rows.iter()
            .map(|row| {
                ret.items
                    .iter()
                    .map(|it| match &it.item {
                        Item::Expr(e) => eval(snap, e, row),
                        _ => unreachable!(),
                    })
                    .collect()
            })
            .collect()
    };
    if ret.distinct {
        let mut seen: Vec<Vec<NVal>> = Vec::new();
        out.retain(|r| {
            if seen.contains(r) {
                false
            } else {
                seen.push(r.clone());
                true
            }
        });
    }
    out.sort_by(|a, b| order_rows(ret, a, b));
    out
}

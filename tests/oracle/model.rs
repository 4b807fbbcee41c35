//! The oracle's own description of a test graph and a test query, and how
//! each prints as openCypher text. Both the generator and the naive
//! evaluator work on these types; nothing here comes from `aikg::query`.

use std::fmt::{self, Write as _};

/// A graph to build with `CREATE`.
#[derive(Debug, Clone, Default)]
pub struct GraphSpec {
    pub nodes: Vec<NodeSpec>,
    pub rels: Vec<RelSpec>,
}

#[derive(Debug, Clone)]
pub struct NodeSpec {
    pub labels: Vec<&'static str>,
    pub v: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct RelSpec {
    pub src: usize,
    pub dst: usize,
    pub rel_type: &'static str,
    pub w: Option<i64>,
}

impl GraphSpec {
    /// One `CREATE` statement; every node also gets `k: <index>` so the
    /// store can be checked against the spec after the engine built it.
    /// `None` for the empty graph (nothing to create).
    pub fn create_text(&self) -> Option<String> {
        if self.nodes.is_empty() {
            return None;
        }
        let mut parts = Vec::new();
        for (i, n) in self.nodes.iter().enumerate() {
            let mut s = format!("(n{i}");
            for l in &n.labels {
                write!(s, ":{l}").unwrap();
            }
            match n.v {
                Some(v) => write!(s, " {{k: {i}, v: {v}}})").unwrap(),
                None => write!(s, " {{k: {i}}})").unwrap(),
            }
            parts.push(s);
        }
        for r in &self.rels {
            let props = r.w.map_or(String::new(), |w| format!(" {{w: {w}}}"));
            parts.push(format!("(n{})-[:{}{props}]->(n{})", r.src, r.rel_type, r.dst));
        }
        Some(format!("CREATE {}", parts.join(", ")))
    }
}

/// A read query: match and `WITH` clauses, then `RETURN`.
#[derive(Debug, Clone)]
pub struct Query {
    pub clauses: Vec<Clause>,
    pub ret: Return,
    /// `UNION` (`true`: `UNION ALL`) with a second query of the same
    /// columns; `ret` then has no `ORDER BY`, `SKIP` or `LIMIT`.
    pub union: Option<(bool, Box<Query>)>,
}

#[derive(Debug, Clone)]
pub enum Clause {
    Match(MatchClause),
    /// `WITH [DISTINCT] v1, v2 [WHERE pred]`: keeps only some variables.
    With {
        distinct: bool,
        vars: Vec<String>,
        where_: Option<Expr>,
    },
}

#[derive(Debug, Clone)]
pub struct MatchClause {
    pub optional: bool,
    pub parts: Vec<Part>,
    pub where_: Option<Expr>,
}

#[derive(Debug, Clone)]
pub struct Part {
    pub path_var: Option<String>,
    pub start: NodePat,
    pub chain: Vec<(RelPat, NodePat)>,
}

#[derive(Debug, Clone)]
pub struct NodePat {
    pub var: Option<String>,
    pub labels: Vec<&'static str>,
    pub v: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    Out,
    In,
    Both,
}

#[derive(Debug, Clone)]
pub struct RelPat {
    pub var: Option<String>,
    pub types: Vec<&'static str>,
    pub dir: Dir,
    /// `None` for a single relationship; else the `*` spec.
    pub len: Option<VarLen>,
    pub w: Option<i64>,
}

/// A variable-length spec exactly as written, so printing is faithful.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarLen {
    /// `*`
    Any,
    /// `*n`
    Exact(u32),
    /// `*lo..hi`, `*lo..`, `*..hi`
    Range(Option<u32>, Option<u32>),
}

impl VarLen {
    /// `(min, max)`, `max` `None` when unbounded.
    pub fn bounds(self) -> (u32, Option<u32>) {
        match self {
            VarLen::Any => (1, None),
            VarLen::Exact(n) => (n, Some(n)),
            VarLen::Range(lo, hi) => (lo.unwrap_or(1), hi),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// WHERE and RETURN expressions: only what both evaluators must agree on.
#[derive(Debug, Clone)]
pub enum Expr {
    Int(i64),
    /// The literal `null` (in quantifier lists, where it decides the
    /// three-valued result).
    Null,
    Var(String),
    Prop(String, &'static str),
    Length(String),
    HasLabel(String, &'static str),
    Cmp(CmpOp, Box<Expr>, Box<Expr>),
    IsNull(Box<Expr>, bool),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Xor(Box<Expr>, Box<Expr>),
    /// A pattern predicate `(a)-[:R]->(:B)`: its named variables are all
    /// bound outside, the rest is anonymous.
    Pattern(Part),
    /// `EXISTS { MATCH part WHERE pred }`.
    Exists(Box<SubQuery>),
    /// `COUNT { MATCH part WHERE pred }`.
    CountSub(Box<SubQuery>),
    /// `all/any/none/single(x IN [elems] WHERE pred)`; `pred` may name `x`.
    Quant(Quant, Vec<Expr>, Box<Expr>),
    /// A pattern comprehension `[part WHERE pred | value]`; its list order
    /// is the engine's match order, so it is compared as a multiset.
    PatComp(Box<SubQuery>, Box<Expr>),
}

/// The body of an `EXISTS { }` or `COUNT { }` subquery: one pattern part
/// that may introduce its own variables, and an optional `WHERE`.
#[derive(Debug, Clone)]
pub struct SubQuery {
    pub part: Part,
    pub where_: Option<Expr>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quant {
    All,
    Any,
    None,
    Single,
}

/// The variable every generated quantifier binds; no scope variable has
/// this name.
pub const QUANT_VAR: &str = "x";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggFn {
    Count,
    Collect,
    Sum,
    Min,
    Max,
}

#[derive(Debug, Clone)]
pub enum Item {
    Expr(Expr),
    CountStar,
    Agg { func: AggFn, distinct: bool, arg: Expr },
}

impl Item {
    pub fn is_aggregate(&self) -> bool {
        !matches!(self, Item::Expr(_))
    }
}

#[derive(Debug, Clone)]
pub struct ReturnItem {
    pub item: Item,
    pub alias: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Return {
    pub distinct: bool,
    pub items: Vec<ReturnItem>,
    /// Indices of returned columns (each printed as its alias) and
    /// `descending`.
    pub order_by: Vec<(usize, bool)>,
    pub skip: Option<usize>,
    pub limit: Option<usize>,
}

impl ReturnItem {
    /// The result column name: the alias, else the text as written.
    pub fn column(&self) -> String {
        self.alias.clone().unwrap_or_else(|| self.item.to_string())
    }
}

fn prec(e: &Expr) -> u8 {
    match e {
        Expr::Or(..) => 1,
        Expr::Xor(..) => 2,
        Expr::And(..) => 3,
        Expr::Not(..) => 4,
        Expr::Cmp(..) | Expr::IsNull(..) => 5,
        _ => 9,
    }
}

/// Prints `e`, parenthesised when it binds looser than `min`.
fn write_sub(f: &mut fmt::Formatter<'_>, e: &Expr, min: u8) -> fmt::Result {
    if prec(e) < min {
        write!(f, "({e})")
    } else {
        write!(f, "{e}")
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Int(i) => write!(f, "{i}"),
            Expr::Null => f.write_str("null"),
            Expr::Var(v) => write!(f, "{v}"),
            Expr::Prop(v, k) => write!(f, "{v}.{k}"),
            Expr::Length(p) => write!(f, "length({p})"),
            Expr::HasLabel(v, l) => write!(f, "{v}:{l}"),
            Expr::Cmp(op, a, b) => {
                let op = match op {
                    CmpOp::Eq => "=",
                    CmpOp::Ne => "<>",
                    CmpOp::Lt => "<",
                    CmpOp::Le => "<=",
                    CmpOp::Gt => ">",
                    CmpOp::Ge => ">=",
                };
                // Operands are atoms; a nested comparison would chain.
                write_sub(f, a, 9)?;
                write!(f, " {op} ")?;
                write_sub(f, b, 9)
            }
            Expr::IsNull(e, negated) => {
                write_sub(f, e, 9)?;
                f.write_str(if *negated { " IS NOT NULL" } else { " IS NULL" })
            }
            Expr::Not(e) => {
                f.write_str("NOT ")?;
                write_sub(f, e, 4)
            }
            Expr::And(a, b) => {
                write_sub(f, a, 3)?;
                f.write_str(" AND ")?;
                write_sub(f, b, 4)
            }
            Expr::Xor(a, b) => {
                write_sub(f, a, 2)?;
                f.write_str(" XOR ")?;
                write_sub(f, b, 3)
            }
            Expr::Or(a, b) => {
                write_sub(f, a, 1)?;
                f.write_str(" OR ")?;
                write_sub(f, b, 2)
            }
            Expr::Pattern(p) => write!(f, "{p}"),
            Expr::Exists(sub) => write!(f, "EXISTS {{ {sub} }}"),
            Expr::CountSub(sub) => write!(f, "COUNT {{ {sub} }}"),
            Expr::PatComp(sub, value) => {
                write!(f, "[{}", sub.part)?;
                if let Some(w) = &sub.where_ {
                    write!(f, " WHERE {w}")?;
                }
                write!(f, " | {value}]")
            }
            Expr::Quant(q, elems, pred) => {
                let name = match q {
                    Quant::All => "all",
                    Quant::Any => "any",
                    Quant::None => "none",
                    Quant::Single => "single",
                };
                let elems: Vec<String> = elems.iter().map(|e| e.to_string()).collect();
                write!(f, "{name}({QUANT_VAR} IN [{}] WHERE {pred})", elems.join(", "))
            }
        }
    }
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Item::Expr(e) => write!(f, "{e}"),
            Item::CountStar => f.write_str("count(*)"),
            Item::Agg { func, distinct, arg } => {
                let name = match func {
                    AggFn::Count => "count",
                    AggFn::Collect => "collect",
                    AggFn::Sum => "sum",
                    AggFn::Min => "min",
                    AggFn::Max => "max",
                };
                let d = if *distinct { "DISTINCT " } else { "" };
                write!(f, "{name}({d}{arg})")
            }
        }
    }
}

impl fmt::Display for NodePat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        if let Some(v) = &self.var {
            f.write_str(v)?;
        }
        for l in &self.labels {
            write!(f, ":{l}")?;
        }
        if let Some(v) = self.v {
            if self.var.is_some() || !self.labels.is_empty() {
                f.write_str(" ")?;
            }
            write!(f, "{{v: {v}}}")?;
        }
        f.write_str(")")
    }
}

impl fmt::Display for RelPat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut inner = String::new();
        if let Some(v) = &self.var {
            inner.push_str(v);
        }
        if !self.types.is_empty() {
            write!(inner, ":{}", self.types.join("|")).unwrap();
        }
        if let Some(len) = self.len {
            match len {
                VarLen::Any => inner.push('*'),
                VarLen::Exact(n) => write!(inner, "*{n}").unwrap(),
                VarLen::Range(lo, hi) => {
                    inner.push('*');
                    if let Some(lo) = lo {
                        write!(inner, "{lo}").unwrap();
                    }
                    inner.push_str("..");
                    if let Some(hi) = hi {
                        write!(inner, "{hi}").unwrap();
                    }
                }
            }
        }
        if let Some(w) = self.w {
            if !inner.is_empty() {
                inner.push(' ');
            }
            write!(inner, "{{w: {w}}}").unwrap();
        }
        let body = if inner.is_empty() { String::new() } else { format!("[{inner}]") };
        match self.dir {
            Dir::Out => write!(f, "-{body}->"),
            Dir::In => write!(f, "<-{body}-"),
            Dir::Both => write!(f, "-{body}-"),
        }
    }
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = &self.path_var {
            write!(f, "{p} = ")?;
        }
        write!(f, "{}", self.start)?;
        for (r, n) in &self.chain {
            write!(f, "{r}{n}")?;
        }
        Ok(())
    }
}

impl fmt::Display for MatchClause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.optional {
            f.write_str("OPTIONAL ")?;
        }
        f.write_str("MATCH ")?;
        for (i, p) in self.parts.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{p}")?;
        }
        if let Some(w) = &self.where_ {
            write!(f, " WHERE {w}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Clause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Clause::Match(m) => write!(f, "{m}"),
            Clause::With { distinct, vars, where_ } => {
                f.write_str("WITH ")?;
                if *distinct {
                    f.write_str("DISTINCT ")?;
                }
                f.write_str(&vars.join(", "))?;
                if let Some(w) = where_ {
                    write!(f, " WHERE {w}")?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for Return {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RETURN ")?;
        if self.distinct {
            f.write_str("DISTINCT ")?;
        }
        for (i, it) in self.items.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}", it.item)?;
            if let Some(a) = &it.alias {
                write!(f, " AS {a}")?;
            }
        }
        if !self.order_by.is_empty() {
            f.write_str(" ORDER BY ")?;
            for (i, (col, desc)) in self.order_by.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                f.write_str(&self.items[*col].column())?;
                if *desc {
                    f.write_str(" DESC")?;
                }
            }
        }
        if let Some(s) = self.skip {
            write!(f, " SKIP {s}")?;
        }
        if let Some(l) = self.limit {
            write!(f, " LIMIT {l}")?;
        }
        Ok(())
    }
}

impl fmt::Display for SubQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MATCH {}", self.part)?;
        if let Some(w) = &self.where_ {
            write!(f, " WHERE {w}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in &self.clauses {
            write!(f, "{c} ")?;
        }
        write!(f, "{}", self.ret)?;
        if let Some((all, other)) = &self.union {
            write!(f, " UNION {}{other}", if *all { "ALL " } else { "" })?;
        }
        Ok(())
    }
}

//! The spanned syntax tree of a query, true to its source text.
//!
//! Every node that an error may point at carries a [`Span`] (byte offsets into
//! the query text). The printer in `print.rs` turns any tree back into query
//! text that parses to the same tree (spans aside).

use crate::error::Span;

/// A whole statement: an optional `EXPLAIN` in front of a query, and the
/// queries joined to it with `UNION` or `UNION ALL`.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// `EXPLAIN` was written in front of the query.
    pub explain: bool,
    /// The query proper (the first one of a union).
    pub query: Query,
    /// The queries after the first, in order; empty without `UNION`.
    pub unions: Vec<Union>,
}

impl Statement {
    /// Every single query of the statement: the first, then each union part.
    pub fn queries(&self) -> impl Iterator<Item = &Query> {
        std::iter::once(&self.query).chain(self.unions.iter().map(|u| &u.query))
    }
}

/// `UNION [ALL] query`
#[derive(Debug, Clone, PartialEq)]
pub struct Union {
    /// `UNION ALL` (keeps duplicates) rather than `UNION`.
    pub all: bool,
    /// The query joined on.
    pub query: Query,
    /// The `UNION [ALL]` keywords.
    pub span: Span,
}

/// A single query: clauses in order, the last of which is usually `RETURN`.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// The clauses in source order.
    pub clauses: Vec<Clause>,
    /// The whole query text.
    pub span: Span,
}

/// One clause of a query.
#[derive(Debug, Clone, PartialEq)]
pub enum Clause {
    /// `[OPTIONAL] MATCH pattern, ... [WHERE expr]`
    Match(Match),
    /// `UNWIND expr AS var`
    Unwind(Unwind),
    /// `WITH [DISTINCT] items [ORDER BY ...] [SKIP n] [LIMIT n] [WHERE expr]`
    With(Projection),
    /// `RETURN [DISTINCT] items [ORDER BY ...] [SKIP n] [LIMIT n]`
    Return(Projection),
    /// `CREATE pattern, ...`
    Create(Create),
    /// `CALL proc(args) [YIELD items [WHERE expr]]`
    Call(Call),
    /// `MERGE pattern [ON CREATE SET ...] [ON MATCH SET ...]`
    Merge(Merge),
    /// `SET item, ...`
    Set(SetClause),
    /// `REMOVE item, ...`
    Remove(Remove),
    /// `[DETACH] DELETE expr, ...`
    Delete(Delete),
}

impl Clause {
    /// The source range of the clause.
    pub fn span(&self) -> Span {
        match self {
            Clause::Match(m) => m.span,
            Clause::Unwind(u) => u.span,
            Clause::With(p) | Clause::Return(p) => p.span,
            Clause::Create(c) => c.span,
            Clause::Call(c) => c.span,
            Clause::Merge(m) => m.span,
            Clause::Set(s) => s.span,
            Clause::Remove(r) => r.span,
            Clause::Delete(d) => d.span,
        }
    }

    /// Whether the clause changes the graph.
    pub fn writes(&self) -> bool {
        matches!(
            self,
            Clause::Create(_) | Clause::Merge(_) | Clause::Set(_) | Clause::Remove(_) | Clause::Delete(_)
        )
    }
}

/// `[OPTIONAL] MATCH pattern, ... [WHERE expr]`
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// `OPTIONAL MATCH` rather than `MATCH`.
    pub optional: bool,
    /// The comma-separated pattern parts.
    pub pattern: Vec<PatternPart>,
    /// The `WHERE` predicate, if any.
    pub where_: Option<Expr>,
    /// The whole clause.
    pub span: Span,
}

/// `UNWIND expr AS var`
#[derive(Debug, Clone, PartialEq)]
pub struct Unwind {
    /// The list to unwind.
    pub expr: Expr,
    /// The variable each element is bound to.
    pub var: Ident,
    /// The whole clause.
    pub span: Span,
}

/// `CREATE pattern, ...`
#[derive(Debug, Clone, PartialEq)]
pub struct Create {
    /// The comma-separated pattern parts to create.
    pub pattern: Vec<PatternPart>,
    /// The whole clause.
    pub span: Span,
}

/// `MERGE pattern [ON CREATE SET items] [ON MATCH SET items]`
#[derive(Debug, Clone, PartialEq)]
pub struct Merge {
    /// The one pattern part to find or create.
    pub pattern: PatternPart,
    /// `ON CREATE SET` items, in order (several `ON CREATE` join up).
    pub on_create: Vec<SetItem>,
    /// `ON MATCH SET` items, in order.
    pub on_match: Vec<SetItem>,
    /// The whole clause.
    pub span: Span,
}

/// `SET item, ...`
#[derive(Debug, Clone, PartialEq)]
pub struct SetClause {
    /// The items, applied in order for each row.
    pub items: Vec<SetItem>,
    /// The whole clause.
    pub span: Span,
}

/// One item of `SET`.
#[derive(Debug, Clone, PartialEq)]
pub enum SetItem {
    /// `entity.key = value` (`entity` is a variable or a parenthesised
    /// expression); a null value removes the property.
    Property {
        /// The node or relationship.
        entity: Expr,
        /// The property key.
        key: Ident,
        /// The new value.
        value: Expr,
    },
    /// `var = map` (replace every property) or `var += map` (add to them).
    Properties {
        /// The node or relationship.
        entity: Expr,
        /// A map, or a node or relationship whose properties are copied.
        value: Expr,
        /// `+=` rather than `=`.
        merge: bool,
    },
    /// `var:Label1:Label2`
    Labels {
        /// The node.
        entity: Expr,
        /// The labels to add.
        labels: Vec<Ident>,
    },
}

/// `REMOVE item, ...`
#[derive(Debug, Clone, PartialEq)]
pub struct Remove {
    /// The items.
    pub items: Vec<RemoveItem>,
    /// The whole clause.
    pub span: Span,
}

/// One item of `REMOVE`.
#[derive(Debug, Clone, PartialEq)]
pub enum RemoveItem {
    /// `entity.key`
    Property {
        /// The node or relationship.
        entity: Expr,
        /// The property key.
        key: Ident,
    },
    /// `var:Label1:Label2`
    Labels {
        /// The node.
        entity: Expr,
        /// The labels to remove.
        labels: Vec<Ident>,
    },
}

/// `[DETACH] DELETE expr, ...`
#[derive(Debug, Clone, PartialEq)]
pub struct Delete {
    /// `DETACH DELETE`: a node's relationships go with it.
    pub detach: bool,
    /// The nodes, relationships or paths to delete (null is skipped).
    pub exprs: Vec<Expr>,
    /// The whole clause.
    pub span: Span,
}

/// `CALL name(args) [YIELD field [AS var], ... [WHERE expr]]`, or
/// `CALL name` whose arguments are the parameters named like its inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The procedure's (namespaced) name, as written: `db.labels`.
    pub procedure: Ident,
    /// The arguments; `None` for `CALL name` without parentheses.
    pub args: Option<Vec<Expr>>,
    /// The `YIELD` items; `None` without `YIELD`.
    pub yields: Option<Vec<YieldItem>>,
    /// `YIELD *` (only a standalone call may have it).
    pub yield_star: bool,
    /// The `WHERE` after the `YIELD` items.
    pub where_: Option<Expr>,
    /// The whole clause.
    pub span: Span,
}

/// `field [AS var]` after `YIELD`.
#[derive(Debug, Clone, PartialEq)]
pub struct YieldItem {
    /// The procedure's output field.
    pub field: Ident,
    /// The variable it is bound to, when not the field's own name.
    pub alias: Option<Ident>,
}

impl YieldItem {
    /// The variable the field is bound to.
    pub fn var(&self) -> &Ident {
        self.alias.as_ref().unwrap_or(&self.field)
    }
}

/// The body shared by `WITH` and `RETURN`.
#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    /// `DISTINCT` was given.
    pub distinct: bool,
    /// `*` was given (all variables in scope), possibly followed by more items.
    pub star: bool,
    /// The projected items, in order (after `*` if both are present).
    pub items: Vec<ProjectionItem>,
    /// `ORDER BY` keys, empty when absent.
    pub order_by: Vec<SortItem>,
    /// `SKIP expr`
    pub skip: Option<Expr>,
    /// `LIMIT expr`
    pub limit: Option<Expr>,
    /// `WHERE expr`; only `WITH` has one.
    pub where_: Option<Expr>,
    /// The whole clause.
    pub span: Span,
}

/// `expr [AS alias]`
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectionItem {
    /// The projected expression.
    pub expr: Expr,
    /// The alias given with `AS`, if any.
    pub alias: Option<Ident>,
    /// The expression's source text exactly as written (used as the column
    /// name when there is no alias, as openCypher does: `count(*)`, `n.name`).
    pub text: String,
    /// The whole item.
    pub span: Span,
}

/// `expr [ASC|ASCENDING|DESC|DESCENDING]`
#[derive(Debug, Clone, PartialEq)]
pub struct SortItem {
    /// The sort key.
    pub expr: Expr,
    /// `true` for `DESC`/`DESCENDING`.
    pub descending: bool,
    /// The whole item.
    pub span: Span,
}

/// An identifier: a variable, alias, label, type, key or function name.
/// Backquoted identifiers are stored unquoted.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ident {
    /// The name, without backquotes.
    pub name: String,
    /// Where it was written.
    pub span: Span,
}

/// `[var =] element` or `[var =] shortestPath(element)`.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternPart {
    /// The path variable in `p = (a)-->(b)`.
    pub var: Option<Ident>,
    /// Plain pattern or one of the shortest-path functions.
    pub kind: PathKind,
    /// The chain of nodes and relationships.
    pub element: PatternElement,
    /// The whole part.
    pub span: Span,
}

/// Whether a pattern part is a plain pattern or a shortest-path search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathKind {
    /// A plain pattern.
    Pattern,
    /// `shortestPath(...)`
    Shortest,
    /// `allShortestPaths(...)`
    AllShortest,
}

/// A chain `(n0) -[r0]- (n1) -[r1]- (n2) ...`: the first node, then
/// relationship/node pairs. Redundant parentheses around a chain are dropped.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternElement {
    /// The first node.
    pub start: NodePattern,
    /// The following hops.
    pub chain: Vec<(RelPattern, NodePattern)>,
}

/// `(var:Label1:Label2 {key: expr, ...})`; every part optional.
#[derive(Debug, Clone, PartialEq)]
pub struct NodePattern {
    /// The variable.
    pub var: Option<Ident>,
    /// The labels, all of which the node must carry.
    pub labels: Vec<Ident>,
    /// Property constraints (`{k: v}`) or, rarely, a parameter (`$props`).
    pub properties: Option<Properties>,
    /// The whole node pattern including parentheses.
    pub span: Span,
}

/// `-[var:T1|T2 *min..max {key: expr}]->` and its variants.
#[derive(Debug, Clone, PartialEq)]
pub struct RelPattern {
    /// The variable.
    pub var: Option<Ident>,
    /// The types; any one of them matches. Empty means any type.
    pub types: Vec<Ident>,
    /// Direction relative to the text order of the chain.
    pub direction: Direction,
    /// Variable-length specification (`*`, `*2`, `*1..3`, `*..3`, `*2..`).
    pub length: Option<Range>,
    /// Property constraints.
    pub properties: Option<Properties>,
    /// The whole relationship pattern including the arrows.
    pub span: Span,
}

/// Direction of a relationship pattern as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `-->`: from the left node to the right node.
    Outgoing,
    /// `<--`: from the right node to the left node.
    Incoming,
    /// `--` (or `<-->`): either way.
    Both,
}

/// Bounds of a variable-length relationship. `*` is `{min: None, max: None}`,
/// `*3` is `{Some(3), Some(3)}`, `*2..` is `{Some(2), None}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    /// Lower bound; absent means 1.
    pub min: Option<u64>,
    /// Upper bound; absent means unbounded.
    pub max: Option<u64>,
}

/// Property constraints on a node or relationship pattern.
#[derive(Debug, Clone, PartialEq)]
pub enum Properties {
    /// `{key: expr, ...}` in source order.
    Map(Vec<(Ident, Expr)>),
    /// `$name`
    Parameter(Ident),
}

/// An expression with its source range.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What kind of expression.
    pub kind: ExprKind,
    /// Where it was written.
    pub span: Span,
}

/// The kinds of expressions.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A literal scalar: `null`, `true`, `42`, `1.5`, `'text'`.
    Literal(Literal),
    /// `[a, b, c]`
    List(Vec<Expr>),
    /// `{k: v, ...}` in source order.
    Map(Vec<(Ident, Expr)>),
    /// `$name` or `$0`
    Parameter(String),
    /// A variable reference.
    Variable(String),
    /// `expr.key`
    Property(Box<Expr>, Ident),
    /// `expr[index]`
    Index(Box<Expr>, Box<Expr>),
    /// `expr[from..to]`; either bound may be absent.
    Slice(Box<Expr>, Option<Box<Expr>>, Option<Box<Expr>>),
    /// `var:Label1:Label2` used as a predicate.
    HasLabels(Box<Expr>, Vec<Ident>),
    /// A unary operator.
    Unary(UnaryOp, Box<Expr>),
    /// A binary operator other than comparison.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// A chain of comparisons `a < b <= c` meaning `a < b AND b <= c`;
    /// the first operand, then operator/operand pairs.
    Comparison(Box<Expr>, Vec<(CompareOp, Expr)>),
    /// `expr IS NULL` (`negated` for `IS NOT NULL`).
    IsNull {
        /// The tested expression.
        expr: Box<Expr>,
        /// `IS NOT NULL`.
        negated: bool,
    },
    /// A function call `name(args)`, `name(DISTINCT args)`; `name` may be
    /// namespaced (`a.b.c`), kept as written.
    Function {
        /// The function name as written (case is kept; lookup ignores case).
        name: Ident,
        /// `DISTINCT` inside the parentheses.
        distinct: bool,
        /// The arguments.
        args: Vec<Expr>,
    },
    /// `count(*)`
    CountStar,
    /// `CASE [subject] WHEN a THEN b ... [ELSE c] END`
    Case {
        /// The operand of a simple `CASE x WHEN ...`; absent for the generic form.
        subject: Option<Box<Expr>>,
        /// `WHEN`/`THEN` pairs.
        alternatives: Vec<(Expr, Expr)>,
        /// `ELSE`
        default: Option<Box<Expr>>,
    },
    /// `[var IN list WHERE pred | projection]`, or with `quantifier` one of
    /// `all/any/none/single(var IN list WHERE pred)`, which scope `var` the
    /// same way.
    ListComprehension {
        /// The quantifier, for `all(...)` and its kin; `None` for a list.
        quantifier: Option<Quantifier>,
        /// The element variable.
        var: Ident,
        /// The source list.
        list: Box<Expr>,
        /// The optional filter.
        predicate: Option<Box<Expr>>,
        /// The optional projection.
        projection: Option<Box<Expr>>,
    },
    /// A pattern used as a predicate, `WHERE (a)-[:T]->()`: true when the
    /// pattern has a match that extends the bound variables.
    Pattern(Box<PatternPart>),
    /// `[(a)-[:T]->(b) WHERE pred | expr]`: `expr` for every match of the
    /// pattern that extends the bound variables, as a list.
    PatternComprehension {
        /// The pattern (with a path variable, if written `p = ...`).
        pattern: Box<PatternPart>,
        /// The optional filter.
        predicate: Option<Box<Expr>>,
        /// The value collected per match.
        projection: Box<Expr>,
    },
    /// `EXISTS { ... }` or `COUNT { ... }` around a pattern with an optional
    /// `WHERE`, or around a whole query; it sees the variables in scope.
    Subquery {
        /// Whether it asks for existence or a count.
        kind: SubqueryKind,
        /// The body; a bare pattern is kept as a one-`MATCH` query.
        body: Box<Query>,
    },
}

/// What a subquery expression asks of its body's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubqueryKind {
    /// `EXISTS { }`: whether there is a row.
    Exists,
    /// `COUNT { }`: how many rows there are.
    Count,
}

impl SubqueryKind {
    /// The keyword, as written in queries.
    pub fn keyword(self) -> &'static str {
        match self {
            SubqueryKind::Exists => "EXISTS",
            SubqueryKind::Count => "COUNT",
        }
    }
}

/// The list predicates `all`, `any`, `none` and `single`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    /// True when the predicate holds for every element.
    All,
    /// True when it holds for at least one.
    Any,
    /// True when it holds for none.
    None,
    /// True when it holds for exactly one.
    Single,
}

impl Quantifier {
    /// The function name as openCypher spells it.
    pub fn name(self) -> &'static str {
        match self {
            Quantifier::All => "all",
            Quantifier::Any => "any",
            Quantifier::None => "none",
            Quantifier::Single => "single",
        }
    }

    /// The quantifier a function name stands for, ignoring case.
    pub fn from_name(name: &str) -> Option<Quantifier> {
        [Quantifier::All, Quantifier::Any, Quantifier::None, Quantifier::Single]
            .into_iter()
            .find(|q| q.name().eq_ignore_ascii_case(name))
    }

    /// Folds the predicate's outcomes over a list with openCypher's
    /// three-valued logic: `Some(b)` for true/false, `None` for null.
    pub fn fold(self, outcomes: impl IntoIterator<Item = Option<bool>>) -> Option<bool> {
        let (mut trues, mut nulls, mut falses) = (0usize, 0usize, 0usize);
        for o in outcomes {
            match o {
                Some(true) => trues += 1,
                Some(false) => falses += 1,
                None => nulls += 1,
            }
        }
        match self {
            Quantifier::All if falses > 0 => Some(false),
            Quantifier::Any | Quantifier::None if trues > 0 => Some(self == Quantifier::Any),
            Quantifier::Single if trues > 1 => Some(false),
            _ if nulls > 0 => None,
            Quantifier::All => Some(true),
            Quantifier::Any => Some(false),
            Quantifier::None => Some(true),
            Quantifier::Single => Some(trues == 1),
        }
    }
}

#[cfg(test)]
mod quantifier_tests {
    use super::Quantifier as Q;

    fn fold(q: Q, outcomes: &[Option<bool>]) -> Option<bool> {
        q.fold(outcomes.iter().copied())
    }

    #[test]
    fn three_valued_folds() {
        let (t, f, n) = (Some(true), Some(false), None);
        for (q, empty) in [(Q::All, t), (Q::Any, f), (Q::None, t), (Q::Single, f)] {
            assert_eq!(fold(q, &[]), empty, "{q:?} over an empty list");
        }
        // A false decides all(), a true decides any() and none(), two trues decide single().
        assert_eq!(fold(Q::All, &[n, f, t]), f);
        assert_eq!(fold(Q::All, &[n, t]), n);
        assert_eq!(fold(Q::Any, &[n, t]), t);
        assert_eq!(fold(Q::Any, &[n, f]), n);
        assert_eq!(fold(Q::None, &[n, t]), f);
        assert_eq!(fold(Q::None, &[f, n]), n);
        assert_eq!(fold(Q::Single, &[t, n, t]), f);
        assert_eq!(fold(Q::Single, &[t, n]), n);
        assert_eq!(fold(Q::Single, &[t, f]), t);
        assert_eq!(Q::from_name("ANY"), Some(Q::Any));
        assert_eq!(Q::from_name("every"), None);
    }
}

/// A literal scalar.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `null`
    Null,
    /// `true` or `false`
    Bool(bool),
    /// A decimal, hex (`0x1F`) or octal (`0o17`) integer that fits in `i64`.
    /// `-9223372036854775808` is parsed as one literal.
    Integer(i64),
    /// A float such as `1.5`, `.5`, `1e3`, `1.5e-3`.
    Float(f64),
    /// A string with its escapes resolved.
    String(String),
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `NOT`
    Not,
    /// `-`
    Negate,
    /// `+`
    Plus,
}

/// Binary operators other than comparisons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `OR`
    Or,
    /// `XOR`
    Xor,
    /// `AND`
    And,
    /// `+`
    Add,
    /// `-`
    Subtract,
    /// `*`
    Multiply,
    /// `/`
    Divide,
    /// `%`
    Modulo,
    /// `^`
    Power,
    /// `IN`
    In,
    /// `STARTS WITH`
    StartsWith,
    /// `ENDS WITH`
    EndsWith,
    /// `CONTAINS`
    Contains,
    /// `=~` (regular expression match; parsed, reported as unsupported)
    RegexMatch,
}

/// Comparison operators; chains of them are kept together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `=`
    Eq,
    /// `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

//! The logical plan: a tree of operators over rows of slots.
//!
//! A row is a vector of [`Value`]s indexed by [`Slot`]; the planner gives
//! every variable (and every anonymous node or relationship of a pattern) a
//! slot of its own. Names of labels, relationship types and property keys
//! are kept as indexes into the plan's name tables ([`LabelRef`],
//! [`TypeRef`], [`KeyRef`]) and resolved against a graph when a run starts,
//! so one plan serves any graph, and a label created earlier in the same
//! query still matches.
//!
//! Each operator takes its input's rows and produces rows; the leaf is
//! [`Op::Argument`], one row with nothing bound (or, inside
//! [`Op::Optional`], the row the optional branch starts from).

use crate::error::Span;
use crate::model::{Direction, Value};
use crate::query::plan::regex::Pattern;
use crate::query::syntax::ast::{CompareOp, Quantifier};

/// The index of a value in a row.
pub type Slot = usize;

/// What a subquery expression makes of its body's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubqueryKind {
    /// `EXISTS { }` and pattern predicates: whether there is a row.
    Exists,
    /// `COUNT { }`: how many rows there are.
    Count,
    /// A pattern comprehension: the list of each row's value in this slot.
    Collect(Slot),
}

impl SubqueryKind {
    /// The keyword, as written in queries (plans show a comprehension as
    /// `COLLECT`).
    pub fn keyword(self) -> &'static str {
        match self {
            SubqueryKind::Exists => "EXISTS",
            SubqueryKind::Count => "COUNT",
            SubqueryKind::Collect(_) => "COLLECT",
        }
    }
}

/// A property key, as an index into [`Plan::keys`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyRef(pub u32);

/// A label, as an index into [`Plan::labels`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LabelRef(pub u32);

/// A relationship type, as an index into [`Plan::types`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TypeRef(pub u32);

/// A planned query.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The operator tree; its rows are the query's result rows.
    pub root: Op,
    /// The result's column names.
    pub columns: Vec<String>,
    /// The slot each column is read from.
    pub outputs: Vec<Slot>,
    /// A name for every slot (variables by name, hidden ones as `  anon_N`).
    pub slots: Vec<String>,
    /// Property keys the plan refers to.
    pub keys: Vec<String>,
    /// Labels the plan refers to.
    pub labels: Vec<String>,
    /// Relationship types the plan refers to.
    pub types: Vec<String>,
    /// The query has a `CREATE`.
    pub writes: bool,
    /// Labels, relationship types and property keys as written in the query
    /// (for did-you-mean warnings).
    pub mentions: Vec<Mention>,
}

/// Which properties of matched nodes the rest of the query reads, so an
/// operator can load them for a batch of nodes at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Prefetch {
    /// None.
    No,
    /// Only `id`.
    Id,
    /// Others, or the node whole.
    All,
}

/// What kind of name a [`Mention`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// A node label.
    Label,
    /// A relationship type.
    RelType,
    /// A property key.
    Key,
}

/// A label, type or key written in a read position of the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// The kind of name.
    pub kind: NameKind,
    /// The name.
    pub name: String,
    /// Where it was written.
    pub span: Span,
}

/// One operator of the plan.
#[derive(Debug, Clone)]
pub enum Op {
    /// One row: empty at the top of the plan, the outer row inside an
    /// optional branch.
    Argument,
    /// Every node, or every node with `labels` (the first is scanned, the
    /// others checked).
    NodeScan {
        /// Rows to extend.
        input: Box<Op>,
        /// Where the node goes.
        node: Slot,
        /// Labels the node must carry; the first drives the scan.
        labels: Vec<LabelRef>,
    },
    /// The nodes whose `id` property equals `key` (an index lookup when the
    /// value is a string), carrying `labels`.
    NodeKeySeek {
        /// Rows to extend.
        input: Box<Op>,
        /// Where the node goes.
        node: Slot,
        /// The `id` property key.
        id_key: KeyRef,
        /// The value to look up.
        key: Expr,
        /// Labels the node must carry.
        labels: Vec<LabelRef>,
    },
    /// One relationship hop from a bound node.
    Expand(Box<Expand>),
    /// A variable-length hop, enumerating every trail (no relationship twice).
    VarExpand(Box<VarExpand>),
    /// The distinct nodes reachable within a variable-length hop, by
    /// breadth-first search; used where only the set of end nodes matters.
    Reachable(Box<Reachable>),
    /// `shortestPath` / `allShortestPaths` between two bound nodes.
    ShortestPath(Box<ShortestPath>),
    /// Keeps the rows for which `predicate` is true.
    Filter {
        /// Rows to test.
        input: Box<Op>,
        /// The predicate.
        predicate: Expr,
    },
    /// `OPTIONAL MATCH`: the rows of `inner` run from each input row, or the
    /// input row with `nulls` set to null when `inner` has none.
    Optional {
        /// Outer rows.
        input: Box<Op>,
        /// The optional branch; its leaf is [`Op::Argument`].
        inner: Box<Op>,
        /// The slots the branch binds.
        nulls: Vec<Slot>,
    },
    /// Evaluates expressions into slots.
    Project {
        /// Rows to extend.
        input: Box<Op>,
        /// Target slot and expression, evaluated in order.
        items: Vec<(Slot, Expr)>,
    },
    /// Groups rows by `keys` and computes `aggregates` per group. With no
    /// keys, empty input still gives one row.
    Aggregate {
        /// Rows to group.
        input: Box<Op>,
        /// Grouping keys.
        keys: Vec<(Slot, Expr)>,
        /// Aggregates.
        aggregates: Vec<(Slot, AggCall)>,
    },
    /// Drops rows whose values in `slots` were seen before.
    Distinct {
        /// Rows to filter.
        input: Box<Op>,
        /// The slots that make a row distinct.
        slots: Vec<Slot>,
        /// When every key is computed from at most two nodes, and each of
        /// them is a key itself or has its `id` among the keys: the node
        /// slots, each with the key slot holding its `id` (`None` when the
        /// node itself is a key). While the graph's string ids are unique,
        /// rows are then told apart by node, without hashing the keys.
        entities: Vec<(Slot, Option<Slot>)>,
        /// The input never repeats a node of `entities` (it comes from one
        /// breadth-first search that produces each node once), so rows told
        /// apart by node need no set at all.
        entities_unique: bool,
    },
    /// Sorts rows (stable) by the keys.
    Sort {
        /// Rows to sort.
        input: Box<Op>,
        /// Sort keys, most significant first.
        keys: Vec<SortKey>,
    },
    /// Drops the first `count` rows.
    Skip {
        /// Rows.
        input: Box<Op>,
        /// A non-negative integer, constant for the run.
        count: Expr,
    },
    /// Keeps the first `count` rows.
    Limit {
        /// Rows.
        input: Box<Op>,
        /// A non-negative integer, constant for the run.
        count: Expr,
    },
    /// One row per element of `list`.
    Unwind {
        /// Rows to extend.
        input: Box<Op>,
        /// The list (null gives no rows, a non-list one row).
        list: Expr,
        /// Where each element goes.
        slot: Slot,
    },
    /// Builds a path value from the slots of a matched pattern part.
    BindPath {
        /// Rows to extend.
        input: Box<Op>,
        /// Where the path goes.
        slot: Slot,
        /// The pattern's first node.
        start: Slot,
        /// The hops in pattern order.
        steps: Vec<PathStep>,
    },
    /// `CALL`: runs a procedure once per input row and extends the row with
    /// each row the procedure returns.
    Call(Box<Call>),
    /// `UNION [ALL]`: the rows of each part in turn, each part's columns
    /// copied into `slots` (a `Distinct` above makes it `UNION`).
    Union {
        /// The one row the parts start from ([`Op::Argument`]).
        input: Box<Op>,
        /// The single queries, in order.
        parts: Vec<UnionPart>,
        /// Where the result's columns go.
        slots: Vec<Slot>,
    },
    /// `CREATE`: runs after every input row has been produced, then adds the
    /// pattern once per row.
    Create {
        /// Rows to create for.
        input: Box<Op>,
        /// What to create, in order.
        actions: Vec<CreateAction>,
    },
    /// `SET` and `REMOVE`: after every input row has been produced, applies
    /// the items to each row in turn.
    Update {
        /// Rows to update for.
        input: Box<Op>,
        /// The changes, in order.
        items: Vec<UpdateItem>,
    },
    /// `[DETACH] DELETE`: after every input row has been produced, deletes
    /// what the expressions give for each row.
    Delete {
        /// Rows to delete for.
        input: Box<Op>,
        /// Nodes, relationships, paths (or lists and maps of them) to delete.
        exprs: Vec<Expr>,
        /// A node's relationships go with it.
        detach: bool,
    },
    /// `MERGE`: for each input row in turn, the rows of `inner` if it has
    /// any (each updated by `on_match`), else the pattern created (and
    /// updated by `on_create`).
    Merge(Box<Merge>),
}

impl Op {
    /// Whether the operator changes the graph (and so takes all its input
    /// rows before it runs).
    pub fn writes(&self) -> bool {
        matches!(self, Op::Create { .. } | Op::Update { .. } | Op::Delete { .. } | Op::Merge(_))
    }
}

/// `MERGE`'s parts.
#[derive(Debug, Clone)]
pub struct Merge {
    /// Rows to merge for.
    pub input: Op,
    /// The pattern matched from each input row; its leaf is [`Op::Argument`].
    pub inner: Op,
    /// What creates the pattern when it is not found.
    pub create: Vec<CreateAction>,
    /// Slots the creation fills that the matched rows hold elsewhere:
    /// `(created, matched)`, copied after creating.
    pub copy: Vec<(Slot, Slot)>,
    /// Applied to each matched row.
    pub on_match: Vec<UpdateItem>,
    /// Applied to the created row.
    pub on_create: Vec<UpdateItem>,
}

/// One change of `SET` or `REMOVE`.
#[derive(Debug, Clone)]
pub struct UpdateItem {
    /// The node or relationship changed (null does nothing).
    pub entity: Expr,
    /// The change.
    pub change: Change,
    /// The item's text, for errors.
    pub span: Span,
}

/// What an [`UpdateItem`] does to its entity.
#[derive(Debug, Clone)]
pub enum Change {
    /// `SET e.key = value` (null removes it).
    SetProperty(String, Expr),
    /// `SET e = map` (`merge: false`) or `SET e += map`.
    SetProperties {
        /// A map, or a node or relationship whose properties are copied.
        value: Expr,
        /// Add to the properties rather than replace them.
        merge: bool,
    },
    /// `SET e:Label...`
    AddLabels(Vec<String>),
    /// `REMOVE e.key`
    RemoveProperty(String),
    /// `REMOVE e:Label...`
    RemoveLabels(Vec<String>),
}

/// A procedure call.
#[derive(Debug, Clone)]
pub struct Call {
    /// Rows to extend.
    pub input: Op,
    /// The procedure's name, looked up in the graph when the run starts.
    pub procedure: String,
    /// One argument per input, with the type it must have.
    pub args: Vec<(Expr, crate::query::procedures::ProcedureType)>,
    /// The outputs kept: the index of the output and where it goes.
    pub yields: Vec<(usize, Slot)>,
    /// The procedure has no outputs: the input row goes on as it is.
    pub void: bool,
}

/// One single query of a `UNION`.
#[derive(Debug, Clone)]
pub struct UnionPart {
    /// Its operators, from an [`Op::Argument`] leaf.
    pub root: Op,
    /// The slots of its columns, in column order.
    pub outputs: Vec<Slot>,
}

/// One relationship hop: from a bound node along relationships of `types`.
#[derive(Debug, Clone)]
pub struct Expand {
    /// Rows to extend.
    pub input: Op,
    /// The bound node to start from.
    pub from: Slot,
    /// Where the relationship goes.
    pub rel: Slot,
    /// Where the other end goes (or, with `into`, the node it must be).
    pub to: Slot,
    /// Any of these types; empty means any type.
    pub types: Vec<TypeRef>,
    /// Direction seen from `from`.
    pub direction: Direction,
    /// Labels the other end must carry.
    pub to_labels: Vec<LabelRef>,
    /// `to` is already bound: only relationships ending there match.
    pub into: bool,
    /// `rel` is already bound: only that relationship matches.
    pub rel_bound: bool,
    /// Relationship slots of the same `MATCH` (single or lists) the
    /// relationship must differ from.
    pub unique: Vec<Slot>,
    /// The rest of the query reads properties of `to`: load them for all the
    /// matches of one start node before producing them.
    pub prefetch: Prefetch,
}

/// A variable-length hop.
#[derive(Debug, Clone)]
pub struct VarExpand {
    /// Rows to extend.
    pub input: Op,
    /// The bound node to start from.
    pub from: Slot,
    /// Where the list of relationships goes (in pattern order).
    pub rel: Slot,
    /// Where the other end goes (or, with `into`, the node it must be).
    pub to: Slot,
    /// Any of these types; empty means any type.
    pub types: Vec<TypeRef>,
    /// Direction seen from `from`.
    pub direction: Direction,
    /// Fewest hops.
    pub min: u32,
    /// Most hops; `None` is unbounded.
    pub max: Option<u32>,
    /// Labels the other end must carry.
    pub to_labels: Vec<LabelRef>,
    /// `to` is already bound.
    pub into: bool,
    /// `rel` already holds a list of relationships: the walk must follow
    /// exactly those.
    pub rel_bound: bool,
    /// The walk runs against the pattern's text order, so the list is
    /// reversed before it is stored.
    pub reversed: bool,
    /// Property equalities every relationship on the way must satisfy.
    pub rel_props: Vec<(KeyRef, Expr)>,
    /// Relationship slots of the same `MATCH` to differ from.
    pub unique: Vec<Slot>,
}

/// Breadth-first reachability in place of a variable-length hop whose
/// relationships and paths are never looked at and whose row multiplicity
/// does not matter (the rows are made distinct or counted distinctly later).
#[derive(Debug, Clone)]
pub struct Reachable {
    /// Rows to extend.
    pub input: Op,
    /// The bound node to start from.
    pub from: Slot,
    /// Where each reached node goes.
    pub to: Slot,
    /// Any of these types; empty means any type.
    pub types: Vec<TypeRef>,
    /// `Outgoing` or `Incoming`.
    pub direction: Direction,
    /// 0 or 1: whether the start node itself counts with zero hops.
    pub min: u32,
    /// Most hops; `None` is unbounded.
    pub max: Option<u32>,
    /// Labels a reached node must carry to be produced.
    pub to_labels: Vec<LabelRef>,
    /// `to` is already bound: produce the row once if it is reachable.
    pub into: bool,
    /// The slots the rest of the query reads (besides `to`): consecutive
    /// input rows that agree on them share one multi-source search.
    pub group: Vec<Slot>,
    /// The rest of the query reads properties of `to`: load them for a batch
    /// of reached nodes at a time.
    pub prefetch: Prefetch,
}

/// A shortest-path search between two bound nodes.
#[derive(Debug, Clone)]
pub struct ShortestPath {
    /// Rows with both ends bound.
    pub input: Op,
    /// Start node.
    pub from: Slot,
    /// End node.
    pub to: Slot,
    /// Where the path goes, if named.
    pub path: Option<Slot>,
    /// Where the list of relationships goes, if named.
    pub rel: Option<Slot>,
    /// Any of these types; empty means any type.
    pub types: Vec<TypeRef>,
    /// Direction seen from `from`.
    pub direction: Direction,
    /// Fewest hops (0 or 1).
    pub min: u32,
    /// Most hops.
    pub max: Option<u32>,
    /// `allShortestPaths`: every path of the shortest length.
    pub all: bool,
}

/// One hop of a path built by [`Op::BindPath`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathStep {
    /// The relationship slot (a list for variable length).
    pub rel: Slot,
    /// The relationship slot holds a list.
    pub var_length: bool,
    /// The node after the hop.
    pub node: Slot,
}

/// One thing `CREATE` makes (or reuses, for bound nodes).
#[derive(Debug, Clone)]
pub enum CreateAction {
    /// A node; skipped when `slot` is already bound.
    Node {
        /// Where the node goes.
        slot: Slot,
        /// Labels.
        labels: Vec<String>,
        /// Properties.
        properties: CreateProps,
        /// Span of the node pattern, for errors.
        span: Span,
    },
    /// A relationship between two bound slots.
    Rel {
        /// Where the relationship goes.
        slot: Slot,
        /// Start node slot.
        from: Slot,
        /// End node slot.
        to: Slot,
        /// The type.
        rel_type: String,
        /// Properties.
        properties: CreateProps,
        /// Span of the relationship pattern, for errors.
        span: Span,
    },
    /// A path over created or bound slots.
    Path {
        /// Where the path goes.
        slot: Slot,
        /// First node.
        start: Slot,
        /// Hops.
        steps: Vec<PathStep>,
    },
}

/// The properties of a created entity.
#[derive(Debug, Clone)]
pub enum CreateProps {
    /// `{k: v, ...}`
    Map(Vec<(String, Expr)>),
    /// `$param` (a map).
    Expr(Expr),
}

/// A sort key.
#[derive(Debug, Clone)]
pub struct SortKey {
    /// The key.
    pub expr: Expr,
    /// Descending order.
    pub descending: bool,
}

/// The aggregate functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggFunc {
    /// `count(*)`
    CountStar,
    /// `count(x)`
    Count,
    /// `collect(x)`
    Collect,
    /// `sum(x)`
    Sum,
    /// `avg(x)`
    Avg,
    /// `min(x)`
    Min,
    /// `max(x)`
    Max,
    /// `stDev(x)`
    StDev,
    /// `stDevP(x)`
    StDevP,
    /// `percentileCont(x, p)`
    PercentileCont,
    /// `percentileDisc(x, p)`
    PercentileDisc,
}

impl AggFunc {
    /// The name as written in queries.
    pub fn name(self) -> &'static str {
        match self {
            AggFunc::CountStar | AggFunc::Count => "count",
            AggFunc::Collect => "collect",
            AggFunc::Sum => "sum",
            AggFunc::Avg => "avg",
            AggFunc::Min => "min",
            AggFunc::Max => "max",
            AggFunc::StDev => "stDev",
            AggFunc::StDevP => "stDevP",
            AggFunc::PercentileCont => "percentileCont",
            AggFunc::PercentileDisc => "percentileDisc",
        }
    }
}

/// One aggregate call.
#[derive(Debug, Clone)]
pub struct AggCall {
    /// Which function.
    pub func: AggFunc,
    /// `DISTINCT` inside the parentheses.
    pub distinct: bool,
    /// The arguments (none for `count(*)`).
    pub args: Vec<Expr>,
    /// Where the call is written.
    pub span: Span,
}

/// An expression with its source range (for runtime errors).
#[derive(Debug, Clone)]
pub struct Expr {
    /// What it computes.
    pub kind: ExprKind,
    /// Where it was written.
    pub span: Span,
}

/// Binary operators other than comparisons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `AND`
    And,
    /// `OR`
    Or,
    /// `XOR`
    Xor,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
    /// `^`
    Pow,
    /// `IN`
    In,
    /// `STARTS WITH`
    StartsWith,
    /// `ENDS WITH`
    EndsWith,
    /// `CONTAINS`
    Contains,
}

/// The right side of `=~`.
#[derive(Debug, Clone)]
pub enum RegexOperand {
    /// A literal pattern, compiled once.
    Fixed(Pattern),
    /// A pattern computed per row.
    Computed(Box<Expr>),
}

/// The kinds of planned expressions.
#[derive(Debug, Clone)]
pub enum ExprKind {
    /// A constant.
    Const(Value),
    /// `$name`
    Param(String),
    /// The value in a slot.
    Slot(Slot),
    /// `expr.key`
    Property(Box<Expr>, KeyRef),
    /// `expr[index]`
    Index(Box<Expr>, Box<Expr>),
    /// `expr[from..to]`
    Slice(Box<Expr>, Option<Box<Expr>>, Option<Box<Expr>>),
    /// `expr:A:B`
    HasLabels(Box<Expr>, Vec<LabelRef>),
    /// `NOT expr`
    Not(Box<Expr>),
    /// `-expr`
    Negate(Box<Expr>),
    /// `+expr` (checks that the operand is a number)
    Plus(Box<Expr>),
    /// A binary operator.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// A pattern predicate, `EXISTS { }`, `COUNT { }` or a pattern
    /// comprehension: `plan` runs from the current row (its leaf is
    /// [`Op::Argument`]) and binds slots of its own; `reads` are the outer
    /// slots it uses.
    Subquery {
        /// What is made of the body's rows.
        kind: SubqueryKind,
        /// The body.
        plan: Box<Op>,
        /// Outer slots the body reads.
        reads: Vec<Slot>,
    },
    /// `text =~ pattern`, the pattern compiled at planning time when it is a
    /// literal.
    RegexMatch(Box<Expr>, RegexOperand),
    /// `a < b <= c`: each adjacent pair compared, the results ANDed.
    Compare(Box<Expr>, Vec<(CompareOp, Expr)>),
    /// `expr IS [NOT] NULL`
    IsNull(Box<Expr>, bool),
    /// A scalar function call.
    Call(Function, Vec<Expr>),
    /// `CASE`
    Case {
        /// The operand of the simple form.
        subject: Option<Box<Expr>>,
        /// `WHEN`/`THEN` pairs.
        alternatives: Vec<(Expr, Expr)>,
        /// `ELSE`
        default: Option<Box<Expr>>,
    },
    /// `[x IN list WHERE pred | proj]`, with `x` in `slot`; with a
    /// quantifier, `all(x IN list WHERE pred)` and its kin.
    ListComp {
        /// `all`, `any`, `none` or `single`; `None` for a list.
        quantifier: Option<Quantifier>,
        /// The element variable's slot.
        slot: Slot,
        /// The source list.
        list: Box<Expr>,
        /// Filter.
        predicate: Option<Box<Expr>>,
        /// Projection.
        projection: Option<Box<Expr>>,
    },
    /// `[a, b]`
    List(Vec<Expr>),
    /// `{k: v}`
    Map(Vec<(String, Expr)>),
}

impl Expr {
    /// An expression of `kind` at `span`.
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }

    /// The slot, if this is a plain slot reference.
    pub fn as_slot(&self) -> Option<Slot> {
        match self.kind {
            ExprKind::Slot(s) => Some(s),
            _ => None,
        }
    }

    /// Calls `f` with every slot the expression reads (list comprehension
    /// variables included).
    pub fn visit_slots(&self, f: &mut dyn FnMut(Slot)) {
        use ExprKind::*;
        match &self.kind {
            Const(_) | Param(_) => {}
            Slot(s) => f(*s),
            Property(e, _)
            | HasLabels(e, _)
            | Not(e)
            | Negate(e)
            | Plus(e)
            | IsNull(e, _)
            | RegexMatch(e, RegexOperand::Fixed(_)) => e.visit_slots(f),
            RegexMatch(a, RegexOperand::Computed(b)) => {
                a.visit_slots(f);
                b.visit_slots(f);
            }
            Subquery { reads, .. } => reads.iter().for_each(|s| f(*s)),
            Index(a, b) | Binary(_, a, b) => {
                a.visit_slots(f);
                b.visit_slots(f);
            }
            Slice(a, b, c) => {
                a.visit_slots(f);
                for e in [b, c].into_iter().flatten() {
                    e.visit_slots(f);
                }
            }
            Compare(first, rest) => {
                first.visit_slots(f);
                rest.iter().for_each(|(_, e)| e.visit_slots(f));
            }
            Call(_, args) | List(args) => args.iter().for_each(|e| e.visit_slots(f)),
            Map(items) => items.iter().for_each(|(_, e)| e.visit_slots(f)),
            Case { subject, alternatives, default } => {
                for e in subject.iter().chain(default.iter()) {
                    e.visit_slots(f);
                }
                for (w, t) in alternatives {
                    w.visit_slots(f);
                    t.visit_slots(f);
                }
            }
            ListComp { slot, list, predicate, projection, .. } => {
                f(*slot);
                list.visit_slots(f);
                for e in predicate.iter().chain(projection.iter()) {
                    e.visit_slots(f);
                }
            }
        }
    }

    /// Calls `f` on this expression and every subexpression, parents first.
    pub fn walk(&self, f: &mut dyn FnMut(&Expr)) {
        use ExprKind::*;
        f(self);
        match &self.kind {
            Const(_) | Param(_) | Slot(_) => {}
            Property(e, _)
            | HasLabels(e, _)
            | Not(e)
            | Negate(e)
            | Plus(e)
            | IsNull(e, _)
            | RegexMatch(e, RegexOperand::Fixed(_)) => e.walk(f),
            RegexMatch(a, RegexOperand::Computed(b)) => {
                a.walk(f);
                b.walk(f);
            }
            // The body is a plan of its own, walked where plans are.
            Subquery { .. } => {}
            Index(a, b) | Binary(_, a, b) => {
                a.walk(f);
                b.walk(f);
            }
            Slice(a, b, c) => {
                a.walk(f);
                for e in [b, c].into_iter().flatten() {
                    e.walk(f);
                }
            }
            Compare(first, rest) => {
                first.walk(f);
                rest.iter().for_each(|(_, e)| e.walk(f));
            }
            Call(_, args) | List(args) => args.iter().for_each(|e| e.walk(f)),
            Map(items) => items.iter().for_each(|(_, e)| e.walk(f)),
            Case { subject, alternatives, default } => {
                for e in subject.iter().chain(default.iter()) {
                    e.walk(f);
                }
                for (w, t) in alternatives {
                    w.walk(f);
                    t.walk(f);
                }
            }
            ListComp { list, predicate, projection, .. } => {
                list.walk(f);
                for e in predicate.iter().chain(projection.iter()) {
                    e.walk(f);
                }
            }
        }
    }
}

macro_rules! functions {
    ($($variant:ident => $name:literal,)*) => {
        /// The scalar functions.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[allow(missing_docs)]
        pub enum Function {
            $($variant,)*
        }

        impl Function {
            /// The function's canonical name.
            pub fn name(self) -> &'static str {
                match self {
                    $(Function::$variant => $name,)*
                }
            }

            /// The function called `name` (case-insensitive).
            pub fn lookup(name: &str) -> Option<Function> {
                $(if name.eq_ignore_ascii_case($name) { return Some(Function::$variant); })*
                None
            }
        }
    };
}

functions! {
    Abs => "abs",
    Ceil => "ceil",
    Floor => "floor",
    Round => "round",
    Sign => "sign",
    Sqrt => "sqrt",
    Exp => "exp",
    Log => "log",
    Log10 => "log10",
    E => "e",
    Pi => "pi",
    Rand => "rand",
    Sin => "sin",
    Cos => "cos",
    Tan => "tan",
    Cot => "cot",
    Asin => "asin",
    Acos => "acos",
    Atan => "atan",
    Atan2 => "atan2",
    Degrees => "degrees",
    Radians => "radians",
    Haversin => "haversin",
    ToInteger => "toInteger",
    ToFloat => "toFloat",
    ToBoolean => "toBoolean",
    ToString => "toString",
    ToIntegerOrNull => "toIntegerOrNull",
    ToFloatOrNull => "toFloatOrNull",
    ToBooleanOrNull => "toBooleanOrNull",
    ToStringOrNull => "toStringOrNull",
    Size => "size",
    Length => "length",
    Type => "type",
    Id => "id",
    ElementId => "elementId",
    Labels => "labels",
    Keys => "keys",
    Properties => "properties",
    Nodes => "nodes",
    Relationships => "relationships",
    StartNode => "startNode",
    EndNode => "endNode",
    Head => "head",
    Last => "last",
    Tail => "tail",
    Range => "range",
    Reverse => "reverse",
    Coalesce => "coalesce",
    Substring => "substring",
    Left => "left",
    Right => "right",
    Trim => "trim",
    LTrim => "ltrim",
    RTrim => "rtrim",
    Replace => "replace",
    Split => "split",
    ToLower => "toLower",
    ToUpper => "toUpper",
    IsEmpty => "isEmpty",
    Exists => "exists",
    Timestamp => "timestamp",
    Date => "date",
    DateTransaction => "date.transaction",
    DateStatement => "date.statement",
    DateRealtime => "date.realtime",
    DateTruncate => "date.truncate",
    LocalTime => "localtime",
    LocalTimeTransaction => "localtime.transaction",
    LocalTimeStatement => "localtime.statement",
    LocalTimeRealtime => "localtime.realtime",
    LocalTimeTruncate => "localtime.truncate",
    Time => "time",
    TimeTransaction => "time.transaction",
    TimeStatement => "time.statement",
    TimeRealtime => "time.realtime",
    TimeTruncate => "time.truncate",
    LocalDateTime => "localdatetime",
    LocalDateTimeTransaction => "localdatetime.transaction",
    LocalDateTimeStatement => "localdatetime.statement",
    LocalDateTimeRealtime => "localdatetime.realtime",
    LocalDateTimeTruncate => "localdatetime.truncate",
    DateTime => "datetime",
    DateTimeTransaction => "datetime.transaction",
    DateTimeStatement => "datetime.statement",
    DateTimeRealtime => "datetime.realtime",
    DateTimeTruncate => "datetime.truncate",
    DateTimeFromEpoch => "datetime.fromepoch",
    DateTimeFromEpochMillis => "datetime.fromepochmillis",
    Duration => "duration",
    DurationBetween => "duration.between",
    DurationInMonths => "duration.inMonths",
    DurationInDays => "duration.inDays",
    DurationInSeconds => "duration.inSeconds",
}

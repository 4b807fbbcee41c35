//! Lineage as text: a node's origins or descendants drawn as a tree, and a
//! path explained hop by hop, as `aikg lineage` and `aikg path` print them.
//!
//! A [`Lineage`] walks chosen relationship types towards origins (what a
//! model is built on, who developed it, where they came from) or away from
//! them, optionally over only some relationships
//! ([`Lineage::edges_where`], e.g. [`is_established`] for facts the source
//! states as done). Its [`Tree`] lists every branch with the relationship it
//! came through, so a program can use the structure or print it.
//!
//! ```
//! use aikg::lineage::{Lineage, Toward};
//! use aikg::Graph;
//!
//! let graph = Graph::builtin();
//! let chatglm = graph.resolve("ChatGLM-6B")?;
//! let tree = Lineage::new(&graph, &["BUILT_ON", "DEVELOPED_BY"], Toward::Origins)?.tree(chatglm);
//! let text = tree.to_string();
//! assert!(text.starts_with("├─ BUILT_ON → GLM-6B (Model)\n"));
//! assert!(text.contains("DEVELOPED_BY → Zhipu AI 智谱AI (Company)"));
//! // The same branches as data: the relationship and the node each leads to.
//! let first = &tree.branches()[0];
//! assert_eq!(graph.edge(first.edge).rel_type(), "BUILT_ON");
//! assert_eq!(graph.node(first.node).key(), Some("glm-6b"));
//! # Ok::<(), aikg::Error>(())
//! ```

use std::collections::HashSet;
use std::fmt;

use crate::error::Error;
use crate::export::edge_facts;
use crate::model::{Direction, EdgeId, NodeId, Path, Value};
use crate::store::{EdgeRef, Graph, NodeRef};

/// What a walk towards origins follows when no types are chosen: a model's
/// lineage, its developers, and where they came from.
pub const DEFAULT_TYPES: &[&str] = &["BUILT_ON", "DEVELOPED_BY", "INCUBATED_BY", "PART_OF"];

/// A relationship's `status` (`planned`, `announced` or `reported`; see
/// [`crate::model::schema::STATUSES`]), or `None` for a fact the source
/// states as done.
pub fn status<'g>(edge: EdgeRef<'g>) -> Option<&'g str> {
    edge.property("status").and_then(Value::as_str)
}

/// Whether a relationship is an established fact: it carries no `status`.
/// Use it as an edge filter to leave out plans, announcements and hearsay.
///
/// ```
/// use aikg::lineage::is_established;
/// let g = aikg::Graph::builtin();
/// let facts = g.edge_ids().filter(|&e| is_established(g.edge(e))).count();
/// assert!(facts > 0 && facts <= g.edge_count());
/// ```
pub fn is_established(edge: EdgeRef<'_>) -> bool {
    edge.property("status").is_none()
}

/// How lineage and path output names a node: its name, its Chinese name
/// when it has a different one, and its labels: `Zhipu AI 智谱AI (Company)`.
///
/// ```
/// let g = aikg::Graph::builtin();
/// let zhipu = g.node(g.resolve("zhipu-ai")?);
/// assert_eq!(aikg::lineage::node_text(zhipu), "Zhipu AI 智谱AI (Company)");
/// # Ok::<(), aikg::Error>(())
/// ```
pub fn node_text(node: NodeRef<'_>) -> String {
    let mut text = node.bilingual_name();
    let labels: Vec<&str> = node.labels().collect();
    if !labels.is_empty() {
        text.push_str(&format!(" ({})", labels.join(", ")));
    }
    text
}

/// A relationship as lineage output labels it: its type, then the facts
/// that say most about it (round and year, role, basis) and its status,
/// each in brackets: `INVESTED_IN [B, 2022, lead]`, `BUILT_ON [planned]`.
pub fn edge_label(graph: &Graph, edge: EdgeId) -> String {
    let e = graph.edge(edge);
    let mut text = e.rel_type().to_string();
    if let Some(facts) = edge_facts(graph, edge) {
        text.push_str(&format!(" [{facts}]"));
    }
    if let Some(s) = status(e) {
        text.push_str(&format!(" [{s}]"));
    }
    text
}

/// The direction that leads towards origins along `rel_type`: outgoing,
/// except for `INVESTED_IN`, whose source (the investor) is where the
/// money came from, and symmetric types, which lead both ways.
pub fn upstream(graph: &Graph, rel_type: &str) -> Direction {
    let symmetric = graph.schema().and_then(|s| s.relation(rel_type)).is_some_and(|r| r.symmetric);
    if symmetric {
        Direction::Both
    } else if rel_type == "INVESTED_IN" {
        Direction::Incoming
    } else {
        Direction::Outgoing
    }
}

/// Which way a [`Lineage`] walks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Toward {
    /// Towards origins: what a node is built on, who made it, who paid.
    Origins,
    /// Away from them: what is built on it, made by it, came from it.
    Derived,
}

/// Which relationships a lineage walk may follow, beyond their type.
type EdgeFilter<'g> = Box<dyn Fn(EdgeRef<'g>) -> bool + 'g>;

/// Draws lineage trees over fixed relationship types and directions.
pub struct Lineage<'g> {
    graph: &'g Graph,
    steps: Vec<(String, Direction)>,
    max_depth: u32,
    keep: Option<EdgeFilter<'g>>,
}

impl fmt::Debug for Lineage<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lineage")
            .field("steps", &self.steps)
            .field("max_depth", &self.max_depth)
            .field("filtered", &self.keep.is_some())
            .finish_non_exhaustive()
    }
}

impl<'g> Lineage<'g> {
    /// A walk along `types` ([`DEFAULT_TYPES`] is the usual choice towards
    /// origins), each in the direction [`upstream`] gives or its reverse,
    /// with no depth limit.
    ///
    /// # Errors
    /// [`Error::UnknownRelType`] for a type neither the graph nor its
    /// schema knows, with close names as suggestions.
    pub fn new(graph: &'g Graph, types: &[&str], toward: Toward) -> Result<Lineage<'g>, Error> {
        let mut steps = Vec::with_capacity(types.len());
        for t in types {
            graph.rel_type(t)?;
            let d = upstream(graph, t);
            steps.push((t.to_string(), if toward == Toward::Origins { d } else { d.reverse() }));
        }
        Ok(Lineage { graph, steps, max_depth: u32::MAX, keep: None })
    }

    /// Stops `max_depth` hops from the start; a node with more below is
    /// marked [`BranchEnd::Cut`].
    pub fn max_depth(mut self, max_depth: u32) -> Lineage<'g> {
        self.max_depth = max_depth;
        self
    }

    /// Follows only the relationships for which `keep` is true, e.g.
    /// [`is_established`] to leave out plans, or
    /// `|e| e.property("basis").is_none()` to leave out architecture-only
    /// lineage.
    ///
    /// ```
    /// use aikg::lineage::{Lineage, Toward};
    /// let g = aikg::Graph::builtin();
    /// let chatglm = g.resolve("chatglm-6b")?;
    /// let tree = Lineage::new(&g, &["BUILT_ON"], Toward::Origins)?
    ///     .edges_where(|e| e.property("basis").is_none())
    ///     .tree(chatglm);
    /// assert_eq!(tree.to_string(), "└─ BUILT_ON → GLM-6B (Model)\n");
    /// # Ok::<(), aikg::Error>(())
    /// ```
    pub fn edges_where(mut self, keep: impl Fn(EdgeRef<'g>) -> bool + 'g) -> Lineage<'g> {
        self.keep = Some(Box::new(keep));
        self
    }

    fn branches(&self, node: NodeId) -> Vec<(EdgeId, NodeId, bool)> {
        let n = self.graph.node(node);
        let mut out = Vec::new();
        for (t, d) in &self.steps {
            let start = out.len();
            // The types were checked when the walk was made.
            for (edge, other) in n.neighbours(Some(t), *d).into_iter().flatten() {
                if self.keep.as_ref().is_none_or(|keep| keep(edge)) {
                    out.push((edge.id(), other.id(), edge.src().id() == node));
                }
            }
            // The store lists a node's newest relationships first; the data's
            // own order reads better.
            out[start..].sort_by_key(|b| b.0);
        }
        out
    }

    /// The tree below `root`: every branch, depth first, each labelled with
    /// its relationship; a node shown before is marked
    /// [`BranchEnd::SeeAbove`], or [`BranchEnd::Cycle`] when it is one of
    /// the branch's own ancestors, instead of being walked again. Walks
    /// with an explicit stack, so deep chains cannot overflow the call
    /// stack. Cost: O(nodes + relationships reached).
    pub fn tree(&self, root: NodeId) -> Tree<'g> {
        struct Frame {
            branches: Vec<(EdgeId, NodeId, bool)>,
            next: usize,
            prefix: String,
            depth: u32,
        }
        let mut out = Vec::new();
        let mut shown: HashSet<NodeId> = HashSet::from([root]);
        let mut path: Vec<NodeId> = vec![root];
        let mut stack =
            vec![Frame { branches: self.branches(root), next: 0, prefix: String::new(), depth: 0 }];
        while let Some(frame) = stack.last_mut() {
            let Some(&(edge, node, outgoing)) = frame.branches.get(frame.next) else {
                stack.pop();
                path.pop();
                continue;
            };
            frame.next += 1;
            let last = frame.next == frame.branches.len();
            let depth = frame.depth + 1;
            let prefix = frame.prefix.clone();
            let end = if path.contains(&node) {
                BranchEnd::Cycle
            } else if shown.contains(&node) {
                BranchEnd::SeeAbove
            } else {
                let below = self.branches(node);
                if below.is_empty() {
                    shown.insert(node);
                    BranchEnd::Leaf
                } else if depth >= self.max_depth {
                    BranchEnd::Cut { more: below.len() }
                } else {
                    shown.insert(node);
                    path.push(node);
                    let inner = format!("{prefix}{}", if last { "   " } else { "│  " });
                    stack.push(Frame { branches: below, next: 0, prefix: inner, depth });
                    BranchEnd::Expanded
                }
            };
            out.push(Branch { edge, node, outgoing, depth, last, end, prefix });
        }
        Tree { graph: self.graph, branches: out }
    }
}

/// How a branch of a [`Tree`] ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BranchEnd {
    /// The node has nothing further along the walk.
    Leaf,
    /// The node's own branches follow it.
    Expanded,
    /// The node was drawn earlier in the tree: `(see above)`.
    SeeAbove,
    /// The node is one of this branch's own ancestors: `(cycle)`.
    Cycle,
    /// The depth limit stops the walk here, with this many branches below:
    /// `(+2 more below; raise --depth)`.
    Cut {
        /// Branches the node has below it.
        more: usize,
    },
}

/// One line of a [`Tree`]: a relationship and the node it leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branch {
    /// The relationship followed.
    pub edge: EdgeId,
    /// The node it leads to.
    pub node: NodeId,
    /// Whether the relationship points from the parent to `node`.
    pub outgoing: bool,
    /// Hops from the root (1 for the root's own branches).
    pub depth: u32,
    /// Whether it is its parent's last branch.
    pub last: bool,
    /// What follows it.
    pub end: BranchEnd,
    /// The tree drawing before its `├─ ` or `└─ `.
    prefix: String,
}

impl Branch {
    /// The drawing to put before a line that belongs under this branch but
    /// is not one of its branches (a quote, a note), so that the tree's
    /// lines stay connected.
    pub fn continuation(&self) -> String {
        let own = if self.last { "   " } else { "│  " };
        let below = if self.end == BranchEnd::Expanded { "│  " } else { "   " };
        format!("{}{own}{below}", self.prefix)
    }
}

/// A lineage tree below a root, made by [`Lineage::tree`]. `Display`
/// draws it with box-drawing characters, one branch per line, the root's
/// own line left to the caller.
#[derive(Debug, Clone)]
pub struct Tree<'g> {
    graph: &'g Graph,
    branches: Vec<Branch>,
}

impl Tree<'_> {
    /// The branches, depth first, in drawing order.
    pub fn branches(&self) -> &[Branch] {
        &self.branches
    }

    /// Whether the root has no branches.
    pub fn is_empty(&self) -> bool {
        self.branches.is_empty()
    }

    /// One branch's line, without its line end:
    /// `│  ├─ BUILT_ON [architecture] → GLM 通用语言模型 (Model)`.
    pub fn line(&self, branch: &Branch) -> String {
        let arrow = if branch.outgoing { "→" } else { "←" };
        let mut line = format!(
            "{}{}{} {arrow} {}",
            branch.prefix,
            if branch.last { "└─ " } else { "├─ " },
            edge_label(self.graph, branch.edge),
            node_text(self.graph.node(branch.node))
        );
        match branch.end {
            BranchEnd::Leaf | BranchEnd::Expanded => {}
            BranchEnd::SeeAbove => line.push_str(" (see above)"),
            BranchEnd::Cycle => line.push_str(" (cycle)"),
            BranchEnd::Cut { more } => line.push_str(&format!(" (+{more} more below; raise --depth)")),
        }
        line
    }
}

impl fmt::Display for Tree<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for branch in &self.branches {
            writeln!(f, "{}", self.line(branch))?;
        }
        Ok(())
    }
}

/// A path explained hop by hop: the chain on one line, then one numbered
/// line per hop with both ends' labels, the relationship's status inside
/// its arrow and its other facts after it.
///
/// ```
/// use aikg::{lineage::path_text, Direction, Graph};
/// let g = Graph::builtin();
/// let (a, b) = (g.resolve("ChatGLM-6B")?, g.resolve("清华大学")?);
/// let path = g.shortest_path(a, b, &[], Direction::Both)?.expect("connected");
/// let text = path_text(&g, &path);
/// assert!(text.starts_with("ChatGLM-6B —BUILT_ON→ GLM-6B —DEVELOPED_BY→ Zhipu AI —INCUBATED_BY→ Tsinghua University\n3 hops:\n"));
/// # Ok::<(), aikg::Error>(())
/// ```
pub fn path_text(graph: &Graph, path: &Path) -> String {
    let name = |n: NodeId| graph.node(n).display_name();
    let text = |n: NodeId| node_text(graph.node(n));
    let mut chain = path.nodes.first().map(|&n| name(n)).unwrap_or_default();
    let mut hops = Vec::new();
    for (i, &e) in path.rels.iter().enumerate() {
        let (a, b) = (path.nodes[i], path.nodes[i + 1]);
        let edge = graph.edge(e);
        let (l, r) = if edge.src().id() == a { ("—", "→") } else { ("←", "—") };
        let marker = status(edge).map(|s| format!(" [{s}]")).unwrap_or_default();
        let link = format!("{l}{}{marker}{r}", edge.rel_type());
        chain.push_str(&format!(" {link} {}", name(b)));
        let facts = edge_facts(graph, e).map(|f| format!("  [{f}]")).unwrap_or_default();
        hops.push(format!("  {}. {} {link} {}{facts}", i + 1, text(a), text(b)));
    }
    let n = path.len();
    let mut out = format!("{chain}\n");
    if n == 0 {
        out.push_str("(the same node)\n");
    } else {
        out.push_str(&format!("{n} hop{}:\n", if n == 1 { "" } else { "s" }));
        for h in hops {
            out.push_str(&h);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain() -> (Graph, Vec<NodeId>) {
        let mut g = Graph::new();
        let n: Vec<NodeId> = ["a", "b", "c", "d"]
            .iter()
            .map(|k| {
                g.add_node(["Model"], [("id", Value::from(*k)), ("name", Value::from(k.to_uppercase()))])
            })
            .collect();
        g.add_edge(n[0], n[1], "BUILT_ON", []);
        g.add_edge(n[1], n[2], "BUILT_ON", []);
        g.add_edge(n[0], n[2], "BUILT_ON", []);
        g.add_edge(n[2], n[0], "BUILT_ON", []);
        let inv = g.add_node(["Investor"], [("id", Value::from("v")), ("name", Value::from("V"))]);
        g.add_edge(
            inv,
            n[3],
            "INVESTED_IN",
            [("round", "A".into()), ("year", Value::Int(2021)), ("lead", Value::Bool(true))],
        );
        (g, n)
    }

    fn tree(g: &Graph, types: &[&str], toward: Toward, depth: u32, root: NodeId) -> String {
        Lineage::new(g, types, toward).unwrap().max_depth(depth).tree(root).to_string()
    }

    #[test]
    fn tree_marks_repeats_and_cycles() {
        let (g, n) = chain();
        assert_eq!(
            tree(&g, &["BUILT_ON"], Toward::Origins, u32::MAX, n[0]),
            "├─ BUILT_ON → B (Model)\n\
             │  └─ BUILT_ON → C (Model)\n\
             │     └─ BUILT_ON → A (Model) (cycle)\n\
             └─ BUILT_ON → C (Model) (see above)\n"
        );
        assert_eq!(
            tree(&g, &["BUILT_ON"], Toward::Derived, 1, n[2]),
            "├─ BUILT_ON ← B (Model) (+1 more below; raise --depth)\n└─ BUILT_ON ← A (Model) (+1 more below; raise --depth)\n"
        );
    }

    #[test]
    fn branches_carry_their_edge_and_continuation() {
        let (g, n) = chain();
        let t = Lineage::new(&g, &["BUILT_ON"], Toward::Origins).unwrap().tree(n[0]);
        let ends: Vec<_> = t.branches().iter().map(|b| (b.node, b.depth, b.end)).collect();
        assert_eq!(
            ends,
            [
                (n[1], 1, BranchEnd::Expanded),
                (n[2], 2, BranchEnd::Expanded),
                (n[0], 3, BranchEnd::Cycle),
                (n[2], 1, BranchEnd::SeeAbove)
            ]
        );
        assert_eq!(g.edge(t.branches()[0].edge).dst().id(), n[1]);
        // Under B (not last, with branches below), under the cycle (last, none).
        assert_eq!(t.branches()[0].continuation(), "│  │  ");
        assert_eq!(t.branches()[2].continuation(), "│           ");
    }

    #[test]
    fn investors_are_upstream_with_round_and_year() {
        let (g, n) = chain();
        assert_eq!(
            tree(&g, &["INVESTED_IN"], Toward::Origins, u32::MAX, n[3]),
            "└─ INVESTED_IN [A, 2021, lead] ← V (Investor)\n"
        );
    }

    #[test]
    fn status_is_marked_and_can_be_left_out() {
        let (mut g, n) = chain();
        let e = g.add_edge(n[3], n[1], "BUILT_ON", [("status", Value::from("planned"))]);
        assert_eq!(edge_label(&g, e), "BUILT_ON [planned]");
        assert_eq!(
            tree(&g, &["BUILT_ON"], Toward::Origins, 1, n[3]),
            "└─ BUILT_ON [planned] → B (Model) (+1 more below; raise --depth)\n"
        );
        let facts =
            Lineage::new(&g, &["BUILT_ON"], Toward::Origins).unwrap().edges_where(is_established).tree(n[3]);
        assert!(facts.is_empty());
        let path = g.shortest_path(n[3], n[1], &[], Direction::Both).unwrap().unwrap();
        assert_eq!(
            path_text(&g, &path),
            "D —BUILT_ON [planned]→ B\n1 hop:\n  1. D (Model) —BUILT_ON [planned]→ B (Model)\n"
        );
    }

    #[test]
    fn builtin_lineage_of_chatglm() {
        let g = Graph::builtin();
        let chatglm = g.resolve("ChatGLM-6B").unwrap();
        let tree = tree(&g, DEFAULT_TYPES, Toward::Origins, u32::MAX, chatglm);
        assert!(tree.contains("├─ BUILT_ON → GLM-6B (Model)"), "{tree}");
        // Every node the store's own walk reaches is in the tree.
        for step in g.ancestors(chatglm, DEFAULT_TYPES).unwrap() {
            let text = node_text(g.node(step.node));
            assert!(tree.contains(&text), "{text}\n{tree}");
        }
        assert!(tree.contains("DEVELOPED_BY → Zhipu AI 智谱AI (Company)"), "{tree}");
    }

    #[test]
    fn path_shows_direction_per_hop() {
        let (g, n) = chain();
        let text = |a, b| g.shortest_path(a, b, &[], Direction::Both).unwrap().map(|p| path_text(&g, &p));
        assert_eq!(
            text(n[1], n[0]).unwrap(),
            "B ←BUILT_ON— A\n1 hop:\n  1. B (Model) ←BUILT_ON— A (Model)\n"
        );
        assert_eq!(text(n[0], n[0]).unwrap(), "A\n(the same node)\n");
        assert!(text(n[0], n[3]).is_none());
    }
}

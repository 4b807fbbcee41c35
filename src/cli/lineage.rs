//! `aikg lineage` (a node's origins or descendants as a tree) and `aikg
//! path` (the shortest connection between two nodes, hop by hop).

use std::collections::HashSet;
use std::process::ExitCode;

use super::args::{LineageArgs, PathArgs, Walk};
use super::{check_rel_types, node_text, print, resolve, Failure};
use aikg::export::edge_facts;
use aikg::{Direction, EdgeId, Graph, NodeId};

/// What `--up` follows when no `--rel` is given: a model's lineage, its
/// developers, and where they came from.
pub const DEFAULT_TYPES: &[&str] = &["BUILT_ON", "DEVELOPED_BY", "INCUBATED_BY", "PART_OF"];

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

/// One branch of the tree: the relationship and the node it leads to.
#[derive(Debug, Clone, Copy)]
struct Branch {
    edge: EdgeId,
    to: NodeId,
    outgoing: bool,
}

/// Draws lineage trees over fixed relationship types and directions.
#[derive(Debug, Clone)]
pub struct Lineage<'g> {
    graph: &'g Graph,
    steps: Vec<(String, Direction)>,
    max_depth: u32,
}

impl<'g> Lineage<'g> {
    /// A walk along `types` towards origins (`up`) or away from them,
    /// stopping `max_depth` hops from the start.
    pub fn new(graph: &'g Graph, types: &[String], up: bool, max_depth: u32) -> Lineage<'g> {
        let steps = types
            .iter()
            .map(|t| {
                let d = upstream(graph, t);
                (t.clone(), if up { d } else { d.reverse() })
            })
            .collect();
        Lineage { graph, steps, max_depth }
    }

    fn branches(&self, node: NodeId) -> Vec<Branch> {
        let n = self.graph.node(node);
        let mut out = Vec::new();
        for (t, d) in &self.steps {
            let start = out.len();
            // The types were checked against the graph when the walk was made.
            for (edge, other) in n.neighbours(Some(t), *d).into_iter().flatten() {
                out.push(Branch { edge: edge.id(), to: other.id(), outgoing: edge.src().id() == node });
            }
            // The store lists a node's newest relationships first; the data's
            // own order reads better.
            out[start..].sort_by_key(|b| b.edge);
        }
        out
    }

    fn branch_text(&self, b: Branch) -> String {
        let edge = self.graph.edge(b.edge);
        let facts = edge_facts(self.graph, b.edge).map(|f| format!(" [{f}]")).unwrap_or_default();
        let arrow = if b.outgoing { "→" } else { "←" };
        format!("{}{facts} {arrow} {}", edge.rel_type(), node_text(self.graph, b.to))
    }

    /// The tree below `root` (the root line not included): each branch is
    /// labelled with its relationship type (and round and year, role or
    /// basis), and a node shown before is marked `(see above)`, or
    /// `(cycle)` when it is one of the branch's own ancestors, instead of
    /// being drawn again. Walks with an explicit stack, so deep chains
    /// cannot overflow the call stack.
    pub fn tree(&self, root: NodeId) -> String {
        struct Frame {
            branches: Vec<Branch>,
            next: usize,
            prefix: String,
            depth: u32,
        }
        let mut out = String::new();
        let mut shown: HashSet<NodeId> = HashSet::from([root]);
        let mut path: Vec<NodeId> = vec![root];
        let mut stack =
            vec![Frame { branches: self.branches(root), next: 0, prefix: String::new(), depth: 0 }];
        while let Some(frame) = stack.last_mut() {
            let Some(&branch) = frame.branches.get(frame.next) else {
                stack.pop();
                path.pop();
                continue;
            };
            frame.next += 1;
            let last = frame.next == frame.branches.len();
            let depth = frame.depth + 1;
            let mut line =
                format!("{}{}{}", frame.prefix, if last { "└─ " } else { "├─ " }, self.branch_text(branch));
            let prefix = format!("{}{}", frame.prefix, if last { "   " } else { "│  " });
            if path.contains(&branch.to) {
                line.push_str(" (cycle)");
            } else if shown.contains(&branch.to) {
                line.push_str(" (see above)");
            } else {
                let below = self.branches(branch.to);
                if below.is_empty() {
                    shown.insert(branch.to);
                } else if depth >= self.max_depth {
                    line.push_str(&format!(" (+{} more below; raise --depth)", below.len()));
                } else {
                    shown.insert(branch.to);
                    path.push(branch.to);
                    stack.push(Frame { branches: below, next: 0, prefix, depth });
                }
            }
            out.push_str(&line);
            out.push('\n');
        }
        out
    }
}

/// `aikg lineage`.
pub fn lineage(graph: &Graph, args: LineageArgs) -> Result<ExitCode, Failure> {
    let root = resolve(graph, &args.name)?;
    let types = if args.rel.is_empty() {
        let present: Vec<String> = DEFAULT_TYPES
            .iter()
            .filter(|t| graph.rel_types().any(|(have, _)| have == **t))
            .map(|t| t.to_string())
            .collect();
        if present.is_empty() {
            graph.rel_types().map(|(t, _)| t.to_string()).collect()
        } else {
            present
        }
    } else {
        check_rel_types(graph, &args.rel)?
    };
    let max_depth = args.depth.unwrap_or(u32::MAX);
    let head = node_text(graph, root);
    let mut out = String::new();
    let walks: &[(bool, &str)] = match args.walk() {
        Walk::Up => &[(true, "upstream")],
        Walk::Down => &[(false, "downstream")],
        Walk::Both => &[(true, "upstream"), (false, "downstream")],
    };
    for (i, (up, name)) in walks.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if walks.len() > 1 {
            out.push_str(&format!("{head}, {name}\n"));
        } else {
            out.push_str(&format!("{head}\n"));
        }
        let tree = Lineage::new(graph, &types, *up, max_depth).tree(root);
        if tree.is_empty() {
            out.push_str(&format!("(nothing {name} along {})\n", types.join(", ")));
        }
        out.push_str(&tree);
    }
    print(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// The hop-by-hop explanation of the shortest path from `from` to `to`
/// over `types` (all when empty) in either direction, or `None`.
pub fn path_text(graph: &Graph, from: NodeId, to: NodeId, types: &[&str]) -> Option<String> {
    // The types were checked against the graph (`check_rel_types`).
    let path = graph.shortest_path(from, to, types, Direction::Both).ok().flatten()?;
    let name = |n: NodeId| graph.node(n).display_name();
    let mut chain = name(path.nodes[0]);
    let mut hops = Vec::new();
    for (i, e) in path.rels.iter().enumerate() {
        let (a, b) = (path.nodes[i], path.nodes[i + 1]);
        let edge = graph.edge(*e);
        let (l, r) = if edge.src().id() == a { ("—", "→") } else { ("←", "—") };
        let link = format!("{l}{}{r}", edge.rel_type());
        chain.push_str(&format!(" {link} {}", name(b)));
        let facts = edge_facts(graph, *e).map(|f| format!("  [{f}]")).unwrap_or_default();
        hops.push(format!("  {}. {} {link} {}{facts}", i + 1, node_text(graph, a), node_text(graph, b)));
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
    Some(out)
}

/// `aikg path`.
pub fn path(graph: &Graph, args: PathArgs) -> Result<ExitCode, Failure> {
    let from = resolve(graph, &args.from)?;
    let to = resolve(graph, &args.to)?;
    let types = check_rel_types(graph, &args.rel)?;
    let types: Vec<&str> = types.iter().map(String::as_str).collect();
    match path_text(graph, from, to, &types) {
        Some(text) => {
            print(&text)?;
            Ok(ExitCode::SUCCESS)
        }
        None => Err(Failure::Message(format!(
            "no path between {} and {}{}",
            node_text(graph, from),
            node_text(graph, to),
            if types.is_empty() { String::new() } else { format!(" along {}", types.join(", ")) }
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aikg::Value;

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

    #[test]
    fn tree_marks_repeats_and_cycles() {
        let (g, n) = chain();
        let tree = Lineage::new(&g, &["BUILT_ON".into()], true, u32::MAX).tree(n[0]);
        assert_eq!(
            tree,
            "├─ BUILT_ON → B (Model)\n\
             │  └─ BUILT_ON → C (Model)\n\
             │     └─ BUILT_ON → A (Model) (cycle)\n\
             └─ BUILT_ON → C (Model) (see above)\n"
        );
        let down = Lineage::new(&g, &["BUILT_ON".into()], false, 1).tree(n[2]);
        assert_eq!(down, "├─ BUILT_ON ← B (Model) (+1 more below; raise --depth)\n└─ BUILT_ON ← A (Model) (+1 more below; raise --depth)\n");
    }

    #[test]
    fn investors_are_upstream_with_round_and_year() {
        let (g, n) = chain();
        let tree = Lineage::new(&g, &["INVESTED_IN".into()], true, u32::MAX).tree(n[3]);
        assert_eq!(tree, "└─ INVESTED_IN [A, 2021, lead] ← V (Investor)\n");
    }

    #[test]
    fn builtin_lineage_of_chatglm() {
        let g = Graph::builtin();
        let chatglm = g.resolve("ChatGLM-6B").unwrap();
        let types: Vec<String> = DEFAULT_TYPES.iter().map(|t| t.to_string()).collect();
        let tree = Lineage::new(&g, &types, true, u32::MAX).tree(chatglm);
        assert!(tree.contains("├─ BUILT_ON → GLM-6B (Model)"), "{tree}");
        // Every node the store's own walk reaches is in the tree.
        for step in g.reachable(chatglm, DEFAULT_TYPES, Direction::Outgoing, u32::MAX).unwrap() {
            assert!(tree.contains(&node_text(&g, step.node)), "{}\n{tree}", node_text(&g, step.node));
        }
        assert!(tree.contains("DEVELOPED_BY → Zhipu AI 智谱AI (Company)"), "{tree}");
    }

    #[test]
    fn path_shows_direction_per_hop() {
        let (g, n) = chain();
        let text = path_text(&g, n[1], n[0], &[]).unwrap();
        assert_eq!(text, "B ←BUILT_ON— A\n1 hop:\n  1. B (Model) ←BUILT_ON— A (Model)\n");
        assert_eq!(path_text(&g, n[0], n[0], &[]).unwrap(), "A\n(the same node)\n");
        assert!(path_text(&g, n[0], n[3], &[]).is_none());
    }
}

//! `aikg lineage` (a node's origins or descendants as a tree) and `aikg
//! path` (the shortest connection between two nodes, hop by hop), drawn by
//! [`aikg::lineage`].

use std::process::ExitCode;

use super::args::{LineageArgs, PathArgs, Walk};
use super::show::{citation_lines, open_report};
use super::{check_rel_types, node_text, print, resolve, Failure};
use aikg::lineage::{is_established, path_text, Lineage, Toward, DEFAULT_TYPES};
use aikg::{Direction, Graph};

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
    let types: Vec<&str> = types.iter().map(String::as_str).collect();
    let report = if args.sources { Some(open_report(args.report.as_deref())?) } else { None };
    let head = node_text(graph, root);
    let mut out = String::new();
    let walks: &[(Toward, &str)] = match args.walk() {
        Walk::Up => &[(Toward::Origins, "upstream")],
        Walk::Down => &[(Toward::Derived, "downstream")],
        Walk::Both => &[(Toward::Origins, "upstream"), (Toward::Derived, "downstream")],
    };
    for (i, (toward, name)) in walks.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if walks.len() > 1 {
            out.push_str(&format!("{head}, {name}\n"));
        } else {
            out.push_str(&format!("{head}\n"));
        }
        let mut walk = Lineage::new(graph, &types, *toward)?.max_depth(args.depth.unwrap_or(u32::MAX));
        if args.facts_only {
            walk = walk.edges_where(is_established);
        }
        let tree = walk.tree(root);
        if tree.is_empty() {
            out.push_str(&format!("(nothing {name} along {})\n", types.join(", ")));
        }
        match &report {
            None => out.push_str(&tree.to_string()),
            Some(report) => {
                for branch in tree.branches() {
                    out.push_str(&tree.line(branch));
                    out.push('\n');
                    let lines = graph.edge(branch.edge).property("lines");
                    out.push_str(&citation_lines(report.as_ref(), lines, &branch.continuation()));
                }
            }
        }
    }
    print(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// `aikg path`.
pub fn path(graph: &Graph, args: PathArgs) -> Result<ExitCode, Failure> {
    let from = resolve(graph, &args.from)?;
    let to = resolve(graph, &args.to)?;
    let types = check_rel_types(graph, &args.rel)?;
    let types: Vec<&str> = types.iter().map(String::as_str).collect();
    let found = if args.facts_only {
        graph.shortest_path_where(from, to, &types, Direction::Both, is_established)?
    } else {
        graph.shortest_path(from, to, &types, Direction::Both)?
    };
    match found {
        Some(path) => {
            print(&path_text(graph, &path))?;
            Ok(ExitCode::SUCCESS)
        }
        None => Err(Failure::Message(format!(
            "no path between {} and {}{}{}",
            node_text(graph, from),
            node_text(graph, to),
            if types.is_empty() { String::new() } else { format!(" along {}", types.join(", ")) },
            if args.facts_only { " through established facts" } else { "" }
        ))),
    }
}

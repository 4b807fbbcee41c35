//! How are two entities connected? The shortest chain of relationships
//! between them, of any type and in either direction, explained hop by hop.
//!
//! ```text
//! cargo run --example connect [-- FROM TO]   # default: ChatGLM-6B 清华大学
//! cargo run --example connect -- 君联资本 CogVideo
//! ```
//!
//! Names resolve with [`Graph::resolve`] (ids, English and Chinese names,
//! aliases; an unknown name prints the closest ones and exits with status
//! 1). The path is found twice: by the store API's breadth-first
//! [`Graph::shortest_path`] and by the query language's `shortestPath`.
//! Either may pick a different path when several are equally short; the
//! lengths must agree.

mod common;

use std::process::ExitCode;

use aikg::{Direction, Graph, Params, Path, Value};
use common::{kind, node_name, outln};

const SHORTEST: &str = "
    MATCH (a {id: $from}), (b {id: $to})
    MATCH p = shortestPath((a)-[*]-(b))
    RETURN p, length(p) AS hops";

fn main() -> ExitCode {
    common::run(|| {
        let graph = Graph::builtin();
        let mut args = std::env::args().skip(1);
        let from = graph.resolve(&args.next().unwrap_or_else(|| "ChatGLM-6B".to_string()))?;
        let to = graph.resolve(&args.next().unwrap_or_else(|| "清华大学".to_string()))?;
        let (a, b) = (graph.node(from), graph.node(to));
        outln!("{} → {}", node_name(a), node_name(b));
        if from == to {
            outln!("\nthat is the same node");
            return Ok(());
        }

        let Some(path) = graph.shortest_path(from, to, &[], Direction::Both)? else {
            outln!("\nnot connected");
            return Ok(());
        };
        outln!("\nshortest path: {} (store API: Graph::shortest_path)", hops(path.len()));
        explain(&graph, &path);

        let params =
            Params::from([("from", a.key().unwrap_or_default()), ("to", b.key().unwrap_or_default())]);
        let result = graph.query_with(SHORTEST, &params)?;
        let Some(found) = result.iter().next().and_then(|row| row.get("p")?.as_path().cloned()) else {
            return Err("the query found no path but the store API did".into());
        };
        outln!("\nshortest path: {} (query: shortestPath((a)-[*]-(b)))", hops(found.len()));
        explain(&graph, &found);
        if found.len() != path.len() {
            return Err(format!(
                "the query's path has {} but the store API's {}",
                hops(found.len()),
                hops(path.len())
            )
            .into());
        }
        Ok(())
    })
}

fn hops(n: usize) -> String {
    format!("{n} hop{}", if n == 1 { "" } else { "s" })
}

/// One line per node; between them the relationship, with an arrow that
/// points the way it is stored, and the properties that say most about it.
fn explain(graph: &Graph, path: &Path) {
    outln!("    {} ({})", node_name(graph.node(path.nodes[0])), kind(graph.node(path.nodes[0])));
    for (i, &rel) in path.rels.iter().enumerate() {
        let edge = graph.edge(rel);
        // A status (planned, announced, reported) says the report does not
        // state the link as done.
        let mut detail: Vec<String> = ["role", "round", "year", "basis", "status"]
            .iter()
            .filter_map(|k| Some(format!("{k}: {}", common::cell(Some(edge.property(k)?)))))
            .collect();
        if edge.property("lead").and_then(Value::as_bool) == Some(true) {
            detail.push("lead".to_string());
        }
        let label = if detail.is_empty() {
            edge.rel_type().to_string()
        } else {
            format!("{} {{{}}}", edge.rel_type(), detail.join(", "))
        };
        let next = graph.node(path.nodes[i + 1]);
        let arrow = if edge.src().id() == path.nodes[i] {
            format!("─{label}→")
        } else {
            format!("←{label}─")
        };
        outln!("      {arrow}  {} ({})", node_name(next), kind(next));
    }
}

//! The GLM family: what are GLM-130B and ChatGLM-6B built on, who made
//! them, and what has been built on them since?
//!
//! ```text
//! cargo run --example glm_family
//! ```
//!
//! Upstream comes from the typed store API: [`Graph::ancestors`] walks
//! `BUILT_ON` outward, breadth first, and each step says which relationship
//! reached it, so a chain that passes through an architecture-only link
//! (`basis: 'architecture'`: "uses the GLM design", not "fine-tuned from")
//! is marked as such. Downstream comes from the query language: a
//! variable-length `BUILT_ON*` pattern read backwards, with the developers of
//! each model or product collected beside it.
//!
//! A link the report only announces or plans (a `status` on the
//! relationship) is marked `[planned]` (or `[announced]`, `[reported]`), and
//! so is everything reached only through one.

mod common;

use std::collections::HashMap;
use std::process::ExitCode;

use aikg::{Direction, Error, Graph, NodeRef, Params, Value};
use common::{kind, node_name, outln, print_table, status_mark, strings};

const BASES: [&str; 2] = ["GLM-130B", "ChatGLM-6B"];

/// Everything built on `$id`, directly or not, nearest first. `status` is
/// empty when some chain to it is all established facts, else the status
/// of the first link in a chain that is not.
const DOWNSTREAM: &str = "
    MATCH p = (base {id: $id})<-[:BUILT_ON*]-(d)
    WITH d, p, [r IN relationships(p) WHERE r.status IS NOT NULL | r.status] AS statuses
    OPTIONAL MATCH (d)-[:DEVELOPED_BY]->(dev)
    RETURN d.name AS name, d.name_zh AS zh, labels(d) AS labels,
           min(length(p)) AS hops,
           min(CASE WHEN size(statuses) = 0 THEN '' ELSE statuses[0] END) AS status,
           collect(DISTINCT dev.name + coalesce(' ' + dev.name_zh, '')) AS developers
    ORDER BY hops, name";

fn main() -> ExitCode {
    common::run(|| {
        let graph = Graph::builtin();
        for (i, base) in BASES.iter().enumerate() {
            if i > 0 {
                outln!();
            }
            describe(&graph, graph.node(graph.resolve(base)?))?;
        }
        Ok(())
    })
}

fn describe(graph: &Graph, base: NodeRef<'_>) -> Result<(), Error> {
    let mut facts = vec![kind(base)];
    if let Some(p) = base.property("params_billion").and_then(Value::as_f64) {
        facts.push(format!("{p}B parameters"));
    }
    if let Some(year) = base.property("released").and_then(Value::as_str) {
        facts.push(format!("released {year}"));
    }
    if base.property("open_source").and_then(Value::as_bool) == Some(true) {
        facts.push("open source".to_string());
    }
    outln!("{}  ({})", node_name(base), facts.join(", "));
    outln!("  developed by  {}", developers(base)?.join(", "));
    for (_, family) in base.neighbours(Some("PART_OF"), Direction::Outgoing)? {
        outln!("  part of       {}", node_name(family));
    }

    // Upstream, with the store API. A node is "architecture only" when the
    // chain that reached it passes through an architecture link anywhere.
    outln!("  built on (Graph::ancestors over BUILT_ON):");
    // Likewise a status: the first one on the chain carries over.
    let mut architecture_only: HashMap<_, bool> = HashMap::from([(base.id(), false)]);
    let mut statuses: HashMap<_, Option<&str>> = HashMap::from([(base.id(), None)]);
    let mut rows = Vec::new();
    for step in graph.ancestors(base.id(), &["BUILT_ON"])? {
        let via = graph.edge(step.via);
        let arch = via.property("basis").and_then(Value::as_str) == Some("architecture")
            || architecture_only.get(&step.from).copied().unwrap_or(false);
        architecture_only.insert(step.node, arch);
        let status = statuses.get(&step.from).copied().flatten().or(common::status(via));
        statuses.insert(step.node, status);
        let node = graph.node(step.node);
        let link = if arch { "architecture only" } else { "weights / fine-tune" };
        rows.push(vec![
            hops(i64::from(step.depth)),
            node_name(node),
            kind(node),
            format!("{link}{}", status_mark(status)),
            by(&developers(node)?),
        ]);
    }
    if rows.is_empty() {
        outln!("    (nothing recorded)");
    }
    print_table(4, &rows);

    // Downstream, with the query language.
    outln!("  built on it (query: (base)<-[:BUILT_ON*]-(d)):");
    let key = base.key().unwrap_or_default();
    let params = Params::from([("id", Value::from(key))]);
    let result = graph.query_with(DOWNSTREAM, &params)?;
    let rows: Vec<Vec<String>> = result
        .iter()
        .map(|row| {
            vec![
                row.get_int("hops").map_or_else(String::new, hops),
                format!(
                    "{}{}",
                    common::bilingual(row.get_str("name"), row.get_str("zh")),
                    status_mark(row.get_str("status"))
                ),
                strings(row.get("labels")).join("/"),
                by(&strings(row.get("developers"))),
            ]
        })
        .collect();
    if rows.is_empty() {
        outln!("    (nothing recorded)");
    }
    print_table(4, &rows);
    Ok(())
}

/// The bilingual names of a node's developers, sorted.
fn developers(node: NodeRef<'_>) -> Result<Vec<String>, Error> {
    let mut names: Vec<String> =
        node.neighbours(Some("DEVELOPED_BY"), Direction::Outgoing)?.map(|(_, dev)| node_name(dev)).collect();
    names.sort();
    Ok(names)
}

fn hops(n: i64) -> String {
    format!("{n} hop{}", if n == 1 { "" } else { "s" })
}

fn by(names: &[String]) -> String {
    if names.is_empty() {
        String::new()
    } else {
        format!("by {}", names.join(", "))
    }
}

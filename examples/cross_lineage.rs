//! Cross-company lineage: which models and products were built on another
//! organisation's model? (Bing on OpenAI's GPT-4, BestSign's Hubble on
//! Zhipu's GLM-130B, ...)
//!
//! ```text
//! cargo run --example cross_lineage [-- ORGANISATION]   # e.g. OpenAI, 百度
//! ```
//!
//! A `BUILT_ON` link crosses company lines when one of the builder's
//! developers belongs to none of the groups that made the base model; a
//! group is a developer together with everything it is `PART_OF` (Huawei
//! Cloud counts as Huawei, THUNLP as Tsinghua). The query does the
//! comparison with list comprehensions; the store API does it again (its
//! `reachable` walk gives the groups) as a check. With an organisation
//! argument only links onto that organisation's models are shown.
//!
//! The counts are of established facts: a link the report only plans,
//! announces or passes on (a `status` on the `BUILT_ON`, e.g. products
//! that "will be integrated" with a model) is listed apart, with its status,
//! and not counted.

mod common;

use std::collections::BTreeSet;
use std::process::ExitCode;

use aikg::{Direction, Error, Graph, NodeId, Value};
use common::{bilingual, node_name, outln, print_table, status_mark, strings};

const CROSS: &str = "
    MATCH (a)-[b:BUILT_ON]->(m)-[:DEVELOPED_BY]->(md)
    OPTIONAL MATCH (md)-[:PART_OF*]->(mp)
    WITH a, b, m, collect(DISTINCT md) AS makers, collect(DISTINCT md) + collect(DISTINCT mp) AS makerSide
    MATCH (a)-[:DEVELOPED_BY]->(ad)
    OPTIONAL MATCH (ad)-[:PART_OF*]->(ap)
    WITH a, b, m, makers, makerSide, ad, [ad] + collect(DISTINCT ap) AS builderSide
    WHERE size([x IN builderSide WHERE x IN makerSide]) = 0
    RETURN a.id AS built_id, a.name AS built, a.name_zh AS built_zh, ad.id AS by_id, ad.name AS builder, ad.name_zh AS builder_zh,
           m.id AS base_id, m.name AS base, [x IN makers | x.name] AS base_by, [x IN makerSide | x.id] AS base_side,
           b.basis AS basis, b.status AS status
    ORDER BY base, built, builder";

fn main() -> ExitCode {
    common::run(|| {
        let graph = Graph::builtin();
        let only = match std::env::args().nth(1) {
            Some(name) => Some(graph.resolve(&name)?),
            None => None,
        };
        let wanted = |row: &aikg::Row<'_>| match only {
            Some(org) => strings(row.get("base_side")).iter().any(|k| graph.node_by_key(k) == Some(org)),
            None => true,
        };
        let result = graph.query(CROSS)?;
        if let Some(org) = only {
            outln!("Built on models of {}\n", node_name(graph.node(org)));
        }
        // Rows arrive sorted by base model; each base gets a heading.
        let (mut direct, mut architecture, mut intended) = (Vec::new(), Vec::new(), Vec::new());
        for row in result.iter().filter(wanted) {
            let base = format!("{}  (by {})", cell(row.get("base")), strings(row.get("base_by")).join(", "));
            let mut line = vec![
                format!("← {}", bilingual(row.get_str("built"), row.get_str("built_zh"))),
                format!("by {}", bilingual(row.get_str("builder"), row.get_str("builder_zh"))),
            ];
            if row.get_str("status").is_some() {
                line.push(status_mark(row.get_str("status")).trim().to_string());
                intended.push((base, line));
                continue;
            }
            match row.get_str("basis") {
                Some("architecture") => architecture.push((base, line)),
                _ => direct.push((base, line)),
            }
        }
        outln!("Built on another organisation's model (weights, fine-tuning, API): {} links", direct.len());
        print_grouped(&direct);
        outln!("\nUsing another organisation's architecture only: {} links", architecture.len());
        print_grouped(&architecture);
        if !intended.is_empty() {
            outln!("\nPlanned, announced or reported, not counted above: {} links", intended.len());
            print_grouped(&intended);
        }

        // The same links with the store API.
        let from_query: BTreeSet<(String, String, String)> = result
            .iter()
            .map(|r| (cell(r.get("built_id")), cell(r.get("by_id")), cell(r.get("base_id"))))
            .collect();
        let from_store = cross_links(&graph)?;
        if from_query != from_store {
            return Err(format!("the query found {from_query:?} but the store walk {from_store:?}").into());
        }
        outln!("\n(the store API walk finds the same {} links in the whole graph)", from_store.len());
        Ok(())
    })
}

/// Prints `(heading, row)` pairs, a heading once above its rows.
fn print_grouped(rows: &[(String, Vec<String>)]) {
    let mut start = 0;
    while start < rows.len() {
        let end = start + rows[start..].iter().take_while(|(h, _)| *h == rows[start].0).count();
        outln!("  {}", rows[start].0);
        print_table(4, &rows[start..end].iter().map(|(_, line)| line.clone()).collect::<Vec<_>>());
        start = end;
    }
}

fn cell(value: Option<&Value>) -> String {
    value.and_then(Value::as_str).unwrap_or_default().to_string()
}

/// A developer and every organisation it is part of, transitively.
fn group(graph: &Graph, org: NodeId) -> Result<BTreeSet<NodeId>, Error> {
    let mut side: BTreeSet<NodeId> = graph.ancestors(org, &["PART_OF"])?.map(|s| s.node).collect();
    side.insert(org);
    Ok(side)
}

/// `(built, developer, base)` keys of every cross-company `BUILT_ON` link.
fn cross_links(graph: &Graph) -> Result<BTreeSet<(String, String, String)>, Error> {
    let key = |n: NodeId| graph.node(n).key().unwrap_or_default().to_string();
    let makers = |n: NodeId| -> Result<Vec<NodeId>, Error> {
        Ok(graph
            .node(n)
            .neighbours(Some("DEVELOPED_BY"), Direction::Outgoing)?
            .map(|(_, d)| d.id())
            .collect())
    };
    let mut out = BTreeSet::new();
    for id in graph.node_ids() {
        for (_, base) in graph.node(id).neighbours(Some("BUILT_ON"), Direction::Outgoing)? {
            let base_makers = makers(base.id())?;
            let mut maker_side = BTreeSet::new();
            for &m in &base_makers {
                maker_side.extend(group(graph, m)?);
            }
            for dev in makers(id)? {
                if !base_makers.is_empty() && group(graph, dev)?.is_disjoint(&maker_side) {
                    out.insert((key(id), key(dev), key(base.id())));
                }
            }
        }
    }
    Ok(out)
}

//! Which investors backed more than one company, and which followed a
//! company into a later round?
//!
//! ```text
//! cargo run --example investor_overlap
//! ```
//!
//! An investor is any node with an outgoing `INVESTED_IN`: funds, but also
//! companies (Zhipu AI invests in other Tsinghua spin-outs) and people. The
//! query counts each investor's distinct companies, keeps those with more
//! than one and lists every deal; a walk over the store API finds the same
//! investors the long way round, as a check.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;

use aikg::{Direction, Error, Graph};
use common::{bilingual, cell, outln, print_table, strings};

const OVERLAP: &str = "
    MATCH (i)-[:INVESTED_IN]->(c)
    WITH i, count(DISTINCT c) AS companies
    WHERE companies > 1
    MATCH (i)-[r:INVESTED_IN]->(c)
    RETURN i.id AS id, i.name AS investor, i.name_zh AS investor_zh, labels(i) AS kind, companies,
           c.name AS company, c.name_zh AS company_zh, r.round AS round, r.year AS year, r.lead AS lead
    ORDER BY companies DESC, investor, year, company";

/// Rounds are collected in year order, so the list reads as a timeline.
const FOLLOW_ON: &str = "
    MATCH (i)-[r:INVESTED_IN]->(c)
    WITH i, c, r ORDER BY r.year
    WITH i, c, collect(r.round + ' ' + toString(r.year)) AS rounds
    WHERE size(rounds) > 1
    RETURN i.name AS investor, i.name_zh AS investor_zh, c.name AS company, c.name_zh AS company_zh, rounds
    ORDER BY investor, company";

fn main() -> ExitCode {
    common::run(|| {
        let graph = Graph::builtin();
        let result = graph.query(OVERLAP)?;
        outln!("Investors that backed more than one company\n");
        let mut current = None;
        let mut table = Vec::new();
        for row in result.iter() {
            if current != row.get_str("id") {
                print_table(4, &std::mem::take(&mut table));
                current = row.get_str("id");
                outln!(
                    "{}  ({}; {} companies)",
                    bilingual(row.get_str("investor"), row.get_str("investor_zh")),
                    strings(row.get("kind")).join("/"),
                    cell(row.get("companies"))
                );
            }
            table.push(vec![
                bilingual(row.get_str("company"), row.get_str("company_zh")),
                cell(row.get("round")),
                cell(row.get("year")),
                if row.get_bool("lead") == Some(true) { "lead".to_string() } else { String::new() },
            ]);
        }
        print_table(4, &table);

        let from_query: BTreeSet<&str> = result.iter().filter_map(|row| row.get_str("id")).collect();
        let from_store = multi_company_investors(&graph)?;
        if from_query == from_store.iter().map(String::as_str).collect() {
            outln!("\n(the store API walk finds the same {} investor(s))", from_store.len());
        } else {
            return Err(format!("the query found {from_query:?} but the store walk {from_store:?}").into());
        }

        outln!("\nFollow-on investors: the same company in more than one round\n");
        let table: Vec<Vec<String>> = graph
            .query(FOLLOW_ON)?
            .iter()
            .map(|row| {
                vec![
                    bilingual(row.get_str("investor"), row.get_str("investor_zh")),
                    bilingual(row.get_str("company"), row.get_str("company_zh")),
                    strings(row.get("rounds")).join(" → "),
                ]
            })
            .collect();
        print_table(4, &table);
        Ok(())
    })
}

/// The ids of nodes with `INVESTED_IN` to two or more distinct companies.
fn multi_company_investors(graph: &Graph) -> Result<BTreeSet<String>, Error> {
    let mut companies: BTreeMap<String, BTreeSet<aikg::NodeId>> = BTreeMap::new();
    for id in graph.node_ids() {
        let node = graph.node(id);
        for (_, company) in node.neighbours(Some("INVESTED_IN"), Direction::Outgoing)? {
            companies.entry(node.key().unwrap_or_default().to_string()).or_default().insert(company.id());
        }
    }
    Ok(companies.into_iter().filter(|(_, c)| c.len() > 1).map(|(id, _)| id).collect())
}

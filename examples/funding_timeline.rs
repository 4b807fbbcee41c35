//! A company's funding timeline: round by round, who invested, who led and
//! how much.
//!
//! ```text
//! cargo run --example funding_timeline [-- COMPANY]   # default zhipu-ai
//! cargo run --example funding_timeline -- 面壁智能
//! ```
//!
//! The name is resolved with [`Graph::resolve`], which knows ids, English
//! and Chinese names and aliases (`智谱华章`, `Zhipu`, `zhipu ai`); an unknown
//! name prints the closest names and exits with status 1. The profile comes
//! from the store API, the rounds from a query that orders them by year and
//! then by stage (a `CASE` turns round names into a rank).

mod common;

use std::process::ExitCode;

use aikg::{Direction, Graph, Params, Value};
use common::{bilingual, cell, node_name, outln, print_table};

const ROUNDS: &str = "
    MATCH (inv)-[r:INVESTED_IN]->(c {id: $id})
    RETURN r.year AS year, r.round AS round,
           CASE r.round WHEN 'Angel' THEN 1 WHEN 'Seed' THEN 1 WHEN 'Pre-A' THEN 2 WHEN 'A' THEN 3
                        WHEN 'Pre-A+' THEN 4 WHEN 'A+' THEN 4 WHEN 'B' THEN 5 WHEN 'B+' THEN 6
                        WHEN 'C' THEN 7 ELSE 9 END AS stage,
           inv.name AS investor, inv.name_zh AS investor_zh, coalesce(r.lead, false) AS lead,
           r.amount AS amount
    ORDER BY year, stage, lead DESC, investor";

fn main() -> ExitCode {
    common::run(|| {
        let graph = Graph::builtin();
        let name = std::env::args().nth(1).unwrap_or_else(|| "zhipu-ai".to_string());
        let company = graph.node(graph.resolve(&name)?);

        let mut profile = Vec::new();
        for (key, label) in [("founded", "founded "), ("hq", ""), ("stage", "stage ")] {
            if let Some(v) = company.property(key) {
                profile.push(format!("{label}{}", cell(Some(v))));
            }
        }
        if profile.is_empty() {
            outln!("{}", node_name(company));
        } else {
            outln!("{}  ({})", node_name(company), profile.join(", "));
        }
        let incubators: Vec<String> = company
            .neighbours(Some("INCUBATED_BY"), Direction::Outgoing)?
            .map(|(_, n)| node_name(n))
            .collect();
        if !incubators.is_empty() {
            outln!("incubated by {}", incubators.join(", "));
        }

        let key = company.key().unwrap_or_default();
        let params = Params::from([("id", Value::from(key))]);
        let result = graph.query_with(ROUNDS, &params)?;
        if result.is_empty() {
            outln!("\nno funding rounds recorded");
            return Ok(());
        }
        // Rows arrive sorted; a new (year, round) starts a new block.
        let mut rows = result.iter().peekable();
        while let Some(first) = rows.next() {
            let round = (cell(first.get("year")), cell(first.get("round")));
            let mut investors = vec![first];
            while let Some(next) = rows.next_if(|r| (cell(r.get("year")), cell(r.get("round"))) == round) {
                investors.push(next);
            }
            let amount = investors.iter().find_map(|r| r.get_str("amount")).unwrap_or("amount not stated");
            let leads = investors.iter().filter(|r| r.get_bool("lead") == Some(true)).count();
            let leads = if leads == 0 { "no lead named".to_string() } else { format!("{leads} leading") };
            outln!("\n{}  round {}  {}  ({} investors, {leads})", round.0, round.1, amount, investors.len());
            let table: Vec<Vec<String>> = investors
                .iter()
                .map(|r| {
                    let lead = if r.get_bool("lead") == Some(true) { "lead" } else { "" };
                    vec![bilingual(r.get_str("investor"), r.get_str("investor_zh")), lead.to_string()]
                })
                .collect();
            print_table(6, &table);
        }
        Ok(())
    })
}

//! Tsinghua's spin-out map: which labs sit inside the university, which
//! start-ups did they (or the university itself) incubate, what models and
//! products do those start-ups make, and who invested in them?
//!
//! ```text
//! cargo run --example tsinghua_spinouts [-- UNIVERSITY]   # default 清华大学
//! ```
//!
//! The lab tree comes from the store API ([`Graph::reachable`] along
//! incoming `PART_OF`, whose steps remember their parent). The set of units
//! found that way goes into a query as the parameter `$units`, which finds
//! the spin-outs (`INCUBATED_BY`) and what they made (`DEVELOPED_BY`; one
//! the report only plans or announces is marked with that status). Each
//! spin-out's rounds come from [`NodeRef::neighbours`] over `INVESTED_IN`.

mod common;

use std::process::ExitCode;

use aikg::{Direction, Error, Graph, NodeId, Params, Step, Value};
use common::{bilingual, cell, node_name, outln, print_table, strings};

const SPINOUTS: &str = "
    MATCH (c:Company)-[:INCUBATED_BY]->(unit)
    WHERE unit.id IN $units
    WITH c, collect(DISTINCT coalesce(unit.name_zh, unit.name)) AS incubators
    OPTIONAL MATCH (made)-[d:DEVELOPED_BY]->(c)
    WITH c, incubators,
         collect(DISTINCT {name: made.name + coalesce(' [' + d.status + ']', ''), model: made:Model}) AS made
    RETURN c.id AS id, c.name AS name, c.name_zh AS zh, c.founded AS founded, incubators,
           [x IN made WHERE x.model | x.name] AS models,
           [x IN made WHERE NOT x.model | x.name] AS products
    ORDER BY founded, name";

fn main() -> ExitCode {
    common::run(|| {
        let graph = Graph::builtin();
        let name = std::env::args().nth(1).unwrap_or_else(|| "清华大学".to_string());
        let university = graph.resolve(&name)?;

        // The unit tree: every lab reachable over incoming PART_OF, printed
        // under the parent the breadth-first walk reached it from.
        let steps: Vec<_> =
            graph.reachable(university, &["PART_OF"], Direction::Incoming, u32::MAX)?.collect();
        outln!("{}", node_name(graph.node(university)));
        print_tree(&graph, &steps, university, 1)?;

        let mut units = vec![university];
        units.extend(steps.iter().map(|s| s.node));
        let keys: Vec<Value> = units.iter().filter_map(|&u| graph.node(u).key()).map(Value::from).collect();
        let params = Params::from([("units", Value::List(keys))]);
        let spinouts = graph.query_with(SPINOUTS, &params)?;

        outln!("\n{} spin-outs", spinouts.len());
        for row in spinouts.iter() {
            outln!(
                "\n{}  (founded {}; incubated by {})",
                bilingual(row.get_str("name"), row.get_str("zh")),
                cell(row.get("founded")),
                strings(row.get("incubators")).join(", ")
            );
            for (what, column) in [("models", "models"), ("products", "products")] {
                let mut names = strings(row.get(column));
                names.sort();
                if !names.is_empty() {
                    outln!("  {what:<9} {}", names.join(", "));
                }
            }
            let Some(company) = row.get_str("id").and_then(|id| graph.node_by_key(id)) else { continue };
            let mut rounds: Vec<_> =
                graph.node(company).neighbours(Some("INVESTED_IN"), Direction::Incoming)?.collect();
            rounds.sort_by_key(|(r, inv)| {
                (r.property("year").and_then(Value::as_int).unwrap_or(i64::MAX), inv.name())
            });
            let table: Vec<Vec<String>> = rounds
                .iter()
                .map(|(r, investor)| {
                    let lead = r.property("lead").and_then(Value::as_bool) == Some(true);
                    vec![
                        cell(r.property("year")),
                        cell(r.property("round")),
                        node_name(*investor),
                        if lead { "lead".to_string() } else { String::new() },
                    ]
                })
                .collect();
            if !table.is_empty() {
                outln!("  investors");
                print_table(4, &table);
            }
        }
        Ok(())
    })
}

/// Prints the units under `parent`, by name. A unit that is part of two
/// others (THUNLP belongs to the university and to its AI institute) sits
/// under the one the walk reached it from, and names the other.
fn print_tree(graph: &Graph, steps: &[Step], parent: NodeId, depth: usize) -> Result<(), Error> {
    let mut children: Vec<&Step> = steps.iter().filter(|s| s.from == parent).collect();
    children.sort_by_key(|s| graph.node(s.node).name());
    for step in children {
        let unit = graph.node(step.node);
        let also: Vec<String> = unit
            .neighbours(Some("PART_OF"), Direction::Outgoing)?
            .filter(|(_, up)| up.id() != parent)
            .map(|(_, up)| up.name_zh().map_or_else(|| node_name(up), str::to_string))
            .collect();
        let also =
            if also.is_empty() { String::new() } else { format!("  (also part of {})", also.join(", ")) };
        outln!("{}└ {}{also}", "  ".repeat(depth), node_name(unit));
        print_tree(graph, steps, step.node, depth + 1)?;
    }
    Ok(())
}

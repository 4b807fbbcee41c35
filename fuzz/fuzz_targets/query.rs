//! Parse, plan and run arbitrary query text, reads and writes, on a small
//! graph. The input is up to four statements separated by a line holding
//! only `;`, run in order on one copy of the graph, so that later statements
//! see what earlier writes did.
//!
//! A statement may fail; it must not panic or hang, a failing statement must
//! leave the graph exactly as it was (writes are all or nothing), a read must
//! change nothing, and a successful write must leave the graph consistent.
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use aikg::error::ErrorClass;
use aikg::export::Subgraph;
use aikg::{Error, Graph, Params, Query, QueryOptions};

/// Small enough to clone per input, varied enough that MERGE finds and
/// misses, DELETE meets attached and lone nodes, and SET/REMOVE meet
/// labels, lists and nulls.
const SETUP: &str = "CREATE (a:A {name: 'a', num: 1, list: [1, 2]}),
    (b:B {name: 'b', num: 2.5}), (c:A:B {name: 'c'}), (d:C), (e {flag: true}),
    (a)-[:T {w: 1}]->(b), (b)-[:T]->(c), (c)-[:R {w: 2}]->(a), (a)-[:R]->(a),
    (d)-[:T]->(b)";

fn small_graph() -> &'static Graph {
    static GRAPH: OnceLock<Graph> = OnceLock::new();
    GRAPH.get_or_init(|| {
        let mut g = Graph::new();
        g.execute(SETUP).expect("the setup statement runs");
        g
    })
}

fn budget() -> QueryOptions {
    QueryOptions {
        timeout: Some(Duration::from_millis(50)),
        max_rows: Some(1_000),
        max_expansions: Some(100_000),
        ..QueryOptions::default()
    }
}

fn snapshot(g: &Graph) -> String {
    Subgraph::all(g).to_json().to_string()
}

fn over_budget(e: &Error) -> bool {
    e.as_query().is_some_and(|q| q.class == ErrorClass::LimitExceeded)
}

/// Functions whose value changes between runs can make the same statement
/// succeed once and fail the next time; skip the agreement check for them.
fn deterministic(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    !["rand", "time", "date", "uuid"].iter().any(|w| lower.contains(w))
}

/// The store's invariants after a write: the live-id iterators agree with
/// the counts, and no relationship hangs off a deleted node.
fn check_consistent(g: &Graph, text: &str) {
    let nodes: std::collections::HashSet<_> = g.node_ids().collect();
    assert_eq!(nodes.len(), g.node_count(), "node ids vs count after {text:?}");
    assert_eq!(g.edge_ids().count(), g.edge_count(), "edge ids vs count after {text:?}");
    for e in g.edge_ids() {
        let edge = g.edge(e);
        assert!(nodes.contains(&edge.src().id()), "dangling start of {e:?} after {text:?}");
        assert!(nodes.contains(&edge.dst().id()), "dangling end of {e:?} after {text:?}");
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else { return };
    let mut g = small_graph().clone();
    for text in input.split("\n;\n").take(4) {
        let Ok(query) = Query::parse(text) else { continue };
        let before = snapshot(&g);

        // A first run under a budget on a throwaway copy: it bounds the time
        // the unbudgeted `Graph::execute` below can take, and checks rollback
        // on the `Query::run_*` path too.
        let trial = if query.is_read_only() {
            query.run_with(&g, &Params::new(), &budget())
        } else {
            let mut copy = g.clone();
            let trial = query.run_mut_with(&mut copy, &Params::new(), &budget());
            if trial.is_err() {
                assert_eq!(snapshot(&copy), before, "failed {text:?} changed the graph");
            }
            trial
        };
        if trial.as_ref().is_err_and(over_budget) {
            continue;
        }

        // The same statement through the plan cache and `Graph::execute`.
        let result = g.execute(text);
        match &result {
            Err(_) => assert_eq!(snapshot(&g), before, "failed {text:?} changed the graph"),
            Ok(_) if query.is_read_only() => {
                assert_eq!(snapshot(&g), before, "read-only {text:?} changed the graph")
            }
            Ok(_) => check_consistent(&g, text),
        }
        if deterministic(text) {
            assert_eq!(
                trial.is_ok(),
                result.is_ok(),
                "{text:?}: run_with gave {:?}, execute gave {:?}",
                trial.as_ref().err(),
                result.as_ref().err()
            );
        }
    }
});

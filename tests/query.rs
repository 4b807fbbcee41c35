//! End-to-end queries through the public API: small graphs built with
//! `CREATE`, and the built-in graph.

use aikg::{Error, Graph, Params, Query, QueryOptions, Value};

fn rows(graph: &Graph, q: &str) -> Vec<Vec<Value>> {
    graph.query(q).unwrap_or_else(|e| panic!("{q}: {e}")).into_rows()
}

fn graph(setup: &str) -> Graph {
    let mut g = Graph::new();
    g.execute(setup).unwrap_or_else(|e| panic!("{setup}: {e}"));
    g
}

fn ints(v: &[Vec<Value>]) -> Vec<i64> {
    v.iter().map(|r| r[0].as_int().expect("integer")).collect()
}

#[test]
fn create_then_match() {
    let g = graph("CREATE (a:A {name: 'a'})-[:T {w: 1}]->(b:B {name: 'b'}), (a)-[:T {w: 2}]->(:B {name: 'c'})");
    let r = rows(&g, "MATCH (a:A)-[t:T]->(b:B) RETURN b.name AS n, t.w AS w ORDER BY w");
    assert_eq!(r, vec![vec![Value::from("b"), Value::Int(1)], vec![Value::from("c"), Value::Int(2)]]);
}

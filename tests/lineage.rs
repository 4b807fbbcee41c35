//! Lineage questions over the built-in graph, with the answers the report
//! gives, and the exact text of query errors as a user sees them.

use aikg::{Error, Graph, Value};

fn column(graph: &Graph, text: &str) -> Vec<String> {
    let result = graph.query(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    result
        .rows()
        .map(|row| row.iter().map(|v| result.display_value(v)).collect::<Vec<_>>().join(","))
        .collect()
}

#[test]
fn what_chatglm_6b_is_built_on() {
    // One GLM-6B model, and the GLM architecture (report: GLM series, ChatGLM-6B).
    let g = Graph::builtin();
    let up = column(
        &g,
        "MATCH (m:Model {id: 'chatglm-6b'})-[:BUILT_ON*]->(b) RETURN DISTINCT b.id AS id ORDER BY id",
    );
    assert_eq!(up, ["glm", "glm-6b"]);
}

#[test]
fn what_is_built_on_glm_130b() {
    // Zhipu's Hubble product runs on GLM-130B (report: GLM series, application cases).
    let g = Graph::builtin();
    let down =
        column(&g, "MATCH (b {id: 'glm-130b'})<-[:BUILT_ON*]-(d) RETURN DISTINCT d.id AS id ORDER BY id");
    assert_eq!(down, ["hubble"]);
}

#[test]
fn tsinghua_spinouts_through_labs_and_their_investors() {
    let g = Graph::builtin();
    let spinouts = column(
        &g,
        "MATCH (u:University {id: 'tsinghua-university'})<-[:PART_OF*0..]-(lab)<-[:INCUBATED_BY]-(c:Company)
         RETURN DISTINCT c.id AS id ORDER BY id",
    );
    assert_eq!(spinouts, ["deeplang", "lingxin-ai", "modelbest", "powerlaw", "recurrent-ai", "zhipu-ai"]);
    let rounds = column(
        &g,
        "MATCH (u:University {id: 'tsinghua-university'})<-[:PART_OF*0..]-(lab)<-[:INCUBATED_BY]-(c:Company)<-[r:INVESTED_IN]-(i)
         WHERE r.round IS NOT NULL
         RETURN c.id AS company, r.round AS round, r.year AS year, count(DISTINCT i) AS investors
         ORDER BY company, year, round",
    );
    assert_eq!(
        rounds,
        [
            "deeplang,Seed,2022,4",
            "deeplang,A,2023,3",
            "lingxin-ai,Angel,2022,3",
            "lingxin-ai,Pre-A,2023,1",
            "modelbest,Angel,2023,2",
            "zhipu-ai,A,2021,10",
            "zhipu-ai,B,2022,2",
        ]
    );
}

#[test]
fn shortest_connection_between_sections() {
    let g = Graph::builtin();
    let hops = column(
        &g,
        "MATCH p = shortestPath((a {id: 'chatglm-6b'})-[*]-(b {id: 'tsinghua-university'}))
         RETURN [n IN nodes(p) | n.id] AS path",
    );
    assert_eq!(hops, ["['chatglm-6b', 'glm-6b', 'zhipu-ai', 'tsinghua-university']"]);
}

fn rendered_error(graph: &Graph, text: &str) -> String {
    match graph.query(text) {
        Err(Error::Query(e)) => e.render(),
        other => panic!("{text}: expected a query error, got {other:?}"),
    }
}

#[test]
fn error_messages_as_users_see_them() {
    let g = Graph::builtin();
    assert_eq!(
        rendered_error(&g, "MATCH (c:Company RETURN c"),
        "query error at line 1, column 18:\n    MATCH (c:Company RETURN c\n                     ^^^^^^\nerror: expected ')' to close node pattern"
    );
    assert_eq!(
        rendered_error(&g, "MATCH (n)\nRETURN m"),
        "query error at line 2, column 8:\n    RETURN m\n           ^\nerror: variable `m` not defined"
    );
    assert_eq!(
        rendered_error(&g, "RETURN 1 / 0"),
        "query error at line 1, column 8:\n    RETURN 1 / 0\n           ^^^^^\nerror: integer division by zero"
    );
    assert_eq!(
        rendered_error(&g, "MATCH (n) RETURN count(count(n))"),
        "query error at line 1, column 24:\n    MATCH (n) RETURN count(count(n))\n                           ^^^^^^^^\nerror: aggregate function count(...) cannot be used inside the aggregate count(...)"
    );
    let warned = g.query("MATCH (c:Compny) RETURN c").unwrap();
    assert!(warned.is_empty());
    assert_eq!(warned.warnings(), ["unknown label 'Compny'; did you mean 'Company'?"]);
    assert_eq!(g.query("RETURN 1 AS one").unwrap().into_rows(), [vec![Value::Int(1)]]);
}

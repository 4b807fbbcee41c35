//! Writing queries through the public API: `MERGE`, `SET`, `REMOVE`,
//! `[DETACH] DELETE`, their counters, statements that fail changing
//! nothing, and the typed API seeing every write at once.

use aikg::error::{ErrorClass, Phase};
use aikg::{Error, Graph, Value};

fn exec(g: &mut Graph, q: &str) -> aikg::ResultSet {
    g.execute(q).unwrap_or_else(|e| panic!("{q}: {e}"))
}

fn rows(g: &Graph, q: &str) -> Vec<Vec<Value>> {
    g.query(q).unwrap_or_else(|e| panic!("{q}: {e}")).into_rows()
}

fn fails(g: &mut Graph, q: &str) -> aikg::QueryError {
    match g.execute(q) {
        Err(Error::Query(e)) => e,
        Err(other) => panic!("{q}: expected a query error, got {other}"),
        Ok(_) => panic!("{q}: expected an error"),
    }
}

/// The whole graph as one comparable value.
fn dump(g: &Graph) -> String {
    aikg::export::Subgraph::all(g).to_json().to_string()
}

#[test]
fn merge_finds_or_creates_and_runs_the_right_set() {
    let mut g = Graph::new();
    let first =
        exec(&mut g, "MERGE (c:Company {id: 'zhipu'}) ON CREATE SET c.new = true ON MATCH SET c.seen = 1");
    assert_eq!(
        (first.stats().nodes_created, first.stats().labels_added, first.stats().properties_set),
        (1, 1, 2)
    );
    let second =
        exec(&mut g, "MERGE (c:Company {id: 'zhipu'}) ON CREATE SET c.new = true ON MATCH SET c.seen = 1");
    assert_eq!((second.stats().nodes_created, second.stats().properties_set), (0, 1));
    assert_eq!(rows(&g, "MATCH (c:Company) RETURN c.new, c.seen"), [[Value::Bool(true), Value::Int(1)]]);

    // Rows of one MERGE see what earlier rows created: two rows, one node.
    let r = exec(&mut g, "UNWIND ['a', 'a', 'b'] AS id MERGE (m:Model {id: id}) RETURN m.id");
    assert_eq!(r.stats().nodes_created, 2);
    assert_eq!(r.len(), 3);

    // A relationship pattern over bound nodes creates only the relationship.
    let r = exec(
        &mut g,
        "MATCH (m:Model {id: 'a'}), (c:Company {id: 'zhipu'}) MERGE (m)-[d:DEVELOPED_BY]->(c) RETURN d",
    );
    assert_eq!((r.stats().nodes_created, r.stats().relationships_created), (0, 1));
    let again =
        exec(&mut g, "MATCH (m:Model {id: 'a'}), (c:Company {id: 'zhipu'}) MERGE (m)-[:DEVELOPED_BY]-(c)");
    assert_eq!(again.stats().relationships_created, 0, "an undirected MERGE matches either direction");
}

#[test]
fn set_and_remove_properties_and_labels() {
    let mut g = Graph::new();
    exec(
        &mut g,
        "CREATE (:Lab {name: 'KEG', size: 10})-[:PART_OF {since: 2010}]->(:University {name: 'THU'})",
    );
    let r = exec(
        &mut g,
        "MATCH (l:Lab) SET l.size = l.size + 1, l:Research, l += {city: 'Beijing'} RETURN l.size",
    );
    assert_eq!(r.into_rows(), [[Value::Int(11)]]);
    assert_eq!(rows(&g, "MATCH (l:Research) RETURN l.city"), [[Value::from("Beijing")]]);

    let r = exec(&mut g, "MATCH (l:Lab) SET l = {name: 'KEG'} REMOVE l:Research RETURN keys(l) AS k");
    assert_eq!(r.stats().labels_removed, 1);
    assert_eq!(r.into_rows(), [[Value::List(vec![Value::from("name")])]]);

    exec(&mut g, "MATCH ()-[p:PART_OF]->() SET p.until = 2030 REMOVE p.since");
    assert_eq!(
        rows(&g, "MATCH ()-[p:PART_OF]->() RETURN p.since, p.until"),
        [[Value::Null, Value::Int(2030)]]
    );
    // Setting null removes; a null entity is skipped.
    exec(&mut g, "MATCH (l:Lab) SET l.name = null");
    exec(&mut g, "OPTIONAL MATCH (x:Nothing) SET x.a = 1 REMOVE x:Lab");
    assert_eq!(rows(&g, "MATCH (l:Lab) RETURN l.name"), [[Value::Null]]);
}

#[test]
fn delete_and_detach_delete() {
    let mut g = Graph::new();
    exec(&mut g, "CREATE (a:A {id: 'a'})-[:T]->(b:B {id: 'b'}), (a)-[:T]->(:C)");
    let e = fails(&mut g, "MATCH (a:A) DELETE a");
    assert_eq!(
        (e.class, e.detail, e.phase),
        (ErrorClass::ConstraintVerificationFailed, "DeleteConnectedNode", Phase::Runtime)
    );
    assert!(e.render().contains("^"), "{}", e.render());

    let r = exec(&mut g, "MATCH (a:A)-[t]->(x) DELETE t, x RETURN count(*) AS n");
    assert_eq!((r.stats().nodes_deleted, r.stats().relationships_deleted), (2, 2));
    assert_eq!((g.node_count(), g.edge_count()), (1, 0));
    assert_eq!(g.node_by_key("b"), None, "the id index forgets deleted nodes");
    let r = exec(&mut g, "MATCH (a:A) DETACH DELETE a");
    assert_eq!(r.stats().nodes_deleted, 1);
    assert_eq!(g.node_ids().count(), 0);
    assert_eq!(g.labels().filter(|(_, n)| *n > 0).count(), 0);
}

#[test]
fn a_failing_statement_changes_nothing() {
    let mut g = Graph::new();
    exec(&mut g, "CREATE (:A {id: 'a', n: 1})-[:T {w: 1}]->(:B {id: 'b'}), (:C {id: 'c'})");
    let before = dump(&g);
    // Every kind of change, then an error on the last row.
    let e = fails(
        &mut g,
        "MATCH (c:C) CREATE (c)-[:U]->(:D {id: 'd'})
         WITH c MATCH (a:A)-[t:T]->(b:B) SET a.n = 2, t.w = 5, b:Extra REMOVE a:A
         WITH a, b MATCH (c:C) DETACH DELETE c
         WITH a UNWIND [1, 0] AS d RETURN 1 / d",
    );
    assert_eq!(e.detail, "DivisionByZero");
    assert_eq!(dump(&g), before);
    assert_eq!(rows(&g, "MATCH (a:A {id: 'a'}) RETURN a.n"), [[Value::Int(1)]]);
    assert_eq!(g.node_by_key("c").map(|n| g.node(n).key()), Some(Some("c")));
    assert_eq!(g.node_by_key("d"), None);

    let e = fails(&mut g, "MERGE (x:X {k: null})");
    assert_eq!((e.class, e.detail), (ErrorClass::SemanticError, "MergeReadOwnWrites"));
    let e = fails(&mut g, "MATCH (a:A) SET a.bad = [{x: 1}]");
    assert_eq!(e.detail, "InvalidPropertyType");
    assert_eq!(dump(&g), before);
}

#[test]
fn deleted_entities_cannot_be_read_later_in_the_query() {
    let mut g = Graph::new();
    exec(&mut g, "CREATE (:A {n: 1})-[:T {w: 1}]->()");
    for q in [
        "MATCH (a:A) DETACH DELETE a RETURN a.n",
        "MATCH (a:A) DETACH DELETE a RETURN labels(a)",
        "MATCH ()-[t]->() DELETE t RETURN t.w",
    ] {
        let e = fails(&mut g, q);
        assert_eq!((e.class, e.detail), (ErrorClass::EntityNotFound, "DeletedEntityAccess"), "{q}");
    }
    assert_eq!(g.node_count(), 2, "the failed statements deleted nothing");
}

#[test]
fn compile_errors_of_the_update_clauses() {
    let mut g = Graph::new();
    for (q, detail) in [
        ("SET x.a = 1", "UndefinedVariable"),
        ("MATCH (n) DELETE 1 + 1", "InvalidArgumentType"),
        ("MATCH (n) DELETE n:A", "InvalidDelete"),
        ("MATCH (a) MERGE (a)", "VariableAlreadyBound"),
        ("MERGE (a)-->(b)", "NoSingleRelationshipType"),
        ("MERGE (a)-[:T*2]->(b)", "CreatingVarLength"),
        ("MERGE (n $p)", "InvalidParameterUse"),
        ("MATCH (n) WHERE EXISTS { MATCH (n) SET n.a = 1 } RETURN n", "InvalidClauseComposition"),
    ] {
        let e = fails(&mut g, q);
        assert_eq!((e.detail, e.phase), (detail, Phase::CompileTime), "{q}");
    }
    let e = fails(&mut g, "MATCH (n) SET n.x");
    assert_eq!(
        e.render(),
        "query error at line 1, column 18:\n    MATCH (n) SET n.x\n                     ^\nerror: unexpected end of input, expected '=' after the property to set"
    );
}

#[test]
fn the_typed_api_sees_writes_at_once() {
    let mut g = Graph::builtin();
    let glm = g.resolve("ChatGLM-6B").unwrap();
    exec(&mut g, "MATCH (m:Model {id: 'chatglm-6b'}) SET m.note = 'checked', m:Checked");
    assert_eq!(g.node(glm).property("note"), Some(&Value::from("checked")));
    assert!(g.node(glm).labels().any(|l| l == "Checked"));
    let base = rows(&g, "MATCH (:Model {id: 'chatglm-6b'})-[:BUILT_ON]->(b) RETURN b.id")[0][0].clone();
    let base = g.node_by_key(base.as_str().unwrap()).unwrap();
    assert!(g.descendants(base, &["BUILT_ON"]).unwrap().any(|s| s.node == glm));
    let nodes = g.node_count();
    exec(&mut g, "MATCH (m:Model {id: 'chatglm-6b'}) DETACH DELETE m");
    assert_eq!(g.node_count(), nodes - 1);
    assert!(g.resolve("ChatGLM-6B").is_err(), "the name index forgets deleted nodes");
    assert!(g.node_ids().all(|n| n != glm));
    assert!(!g.descendants(base, &["BUILT_ON"]).unwrap().any(|s| s.node == glm));
}

#[test]
fn distinct_and_grouping_treat_one_and_one_point_zero_as_one_value() {
    let g = Graph::new();
    assert_eq!(rows(&g, "UNWIND [1, 1.0] AS x RETURN count(DISTINCT x)"), [[Value::Int(1)]]);
    assert_eq!(
        rows(&g, "UNWIND [[1], [1.0], {a: 1}, {a: 1.0}] AS x RETURN count(DISTINCT x)"),
        [[Value::Int(2)]]
    );
    // The first value seen is the one shown.
    assert_eq!(rows(&g, "UNWIND [1.0, 1] AS x RETURN x, count(*)"), [[Value::Float(1.0), Value::Int(2)]]);
    assert_eq!(rows(&g, "UNWIND [2, 2.0, 2.5] AS x RETURN DISTINCT x").len(), 2);
    assert_eq!(
        rows(&g, "UNWIND [1, 2, 3] AS x RETURN percentileDisc(x, 0.5), percentileDisc(toFloat(x), 0.5)"),
        [[Value::Int(2), Value::Float(2.0)]]
    );
}

#[test]
fn pattern_comprehensions_collect_per_match() {
    let g = Graph::builtin();
    let r = rows(
        &g,
        "MATCH (m:Model {id: 'chatglm-6b'}) RETURN [(m)-[:BUILT_ON]->(b) | b.id] AS bases, [p = (m)-->() | length(p)] AS lengths",
    );
    let Value::List(bases) = &r[0][0] else { panic!("{r:?}") };
    assert!(!bases.is_empty(), "ChatGLM-6B is built on something");
    let Value::List(lengths) = &r[0][1] else { panic!("{r:?}") };
    assert!(lengths.iter().all(|l| *l == Value::Int(1)));
}

#[test]
fn a_graph_with_deletions_is_refused_by_the_snapshot_writer() {
    let mut g = Graph::new();
    exec(&mut g, "CREATE (:A), (:B)");
    exec(&mut g, "MATCH (b:B) DELETE b");
    let err = g.write_snapshot(Vec::new()).unwrap_err();
    assert!(err.to_string().contains("deleted nodes or relationships"), "{err}");
}

#[test]
fn a_query_ending_in_a_line_comment_is_an_error_not_a_panic() {
    // Found by the query fuzz target: the lexer's end of a `//` comment was
    // a string outside the query, and the error position underflowed.
    for q in ["//", "MATCH (n) //", "RETURN 1 // one"] {
        let _ = aikg::Query::parse(q);
    }
    assert!(aikg::Query::parse("//").is_err());
    assert!(aikg::Query::parse("RETURN 1 // one").is_ok());
}

#[test]
fn writing_to_an_entity_deleted_earlier_in_the_statement_fails_and_changes_nothing() {
    let mut g = Graph::new();
    exec(&mut g, "CREATE (:A {id: 'a'})-[:T {w: 1}]->(:B {id: 'b'})");
    let before = dump(&g);
    for (q, what) in [
        ("MATCH (a:A) DETACH DELETE a SET a.x = 1", "node"),
        ("MATCH (a:A) DETACH DELETE a SET a:Gone", "node"),
        ("MATCH (a:A) DETACH DELETE a REMOVE a.id", "node"),
        ("MATCH ()-[t:T]->() DELETE t SET t += {w: 2}", "relationship"),
    ] {
        let e = fails(&mut g, q);
        assert_eq!((e.class, e.detail), (ErrorClass::EntityNotFound, "DeletedEntityAccess"), "{q}");
        assert!(e.message.contains(what), "{q}: {}", e.message);
        assert_eq!(dump(&g), before, "{q} left a change behind");
    }
}

/// Errors in the clauses that came with writes, pattern predicates,
/// subqueries, UNION, CALL, regular expressions and temporal values, exactly
/// as a user sees them: where, with a caret, and what went wrong.
#[test]
fn errors_of_the_newer_clauses_as_users_see_them() {
    let mut g = Graph::builtin();
    let cases = [
        (
            "MERGE (n:Model {id: 'x'})\nON CREATE n.name = 'y'",
            "query error at line 2, column 11:\n    ON CREATE n.name = 'y'\n              ^\nerror: expected SET after ON CREATE or ON MATCH",
        ),
        (
            "RETURN 1 AS a UNION RETURN 2 AS b",
            "query error at line 1, column 15:\n    RETURN 1 AS a UNION RETURN 2 AS b\n                  ^^^^^\nerror: all queries of a UNION must return the same columns in the same order: a vs b",
        ),
        (
            "CALL db.nothing()",
            "query error at line 1, column 6:\n    CALL db.nothing()\n         ^^^^^^^^^^\nerror: there is no procedure named 'db.nothing'",
        ),
        (
            "MATCH (m:Model)\nWHERE EXISTS { MATCH (m)-->(x) RETURN y }\nRETURN m",
            "query error at line 2, column 39:\n    WHERE EXISTS { MATCH (m)-->(x) RETURN y }\n                                          ^\nerror: variable `y` not defined",
        ),
        (
            "MATCH (m:Model) WHERE m.name =~ 'GLM-(' RETURN m",
            "query error at line 1, column 33:\n    MATCH (m:Model) WHERE m.name =~ 'GLM-(' RETURN m\n                                    ^^^^^^^\nerror: invalid regular expression: unclosed group",
        ),
        (
            "RETURN date('2023-13-01')",
            "query error at line 1, column 8:\n    RETURN date('2023-13-01')\n           ^^^^^^^^^^^^^^^^^^\nerror: date(): parameter 'month' is not in the required range of 1..=12",
        ),
        (
            "MATCH (m:Model) DETACH DELETE m SET m.x = 1",
            "query error at line 1, column 37:\n    MATCH (m:Model) DETACH DELETE m SET m.x = 1\n                                        ^\nerror: this node was deleted earlier in the query: its properties and labels are gone",
        ),
    ];
    let degree = rows(&g, "MATCH (m:Model {id: 'glm-130b'})--() RETURN count(*)")[0][0].clone();
    let delete = "MATCH (m:Model {id: 'glm-130b'}) DELETE m";
    let delete_rendered = format!(
        "query error at line 1, column 41:\n    {delete}\n                                            ^\nerror: cannot delete a node that still has {degree} relationships: delete them first, or use DETACH DELETE"
    );
    let before = dump(&g);
    for (q, rendered) in cases.into_iter().chain([(delete, delete_rendered.as_str())]) {
        let e = fails(&mut g, q);
        assert_eq!(e.render(), rendered, "{q}");
    }
    assert_eq!(dump(&g), before, "a failed statement changed the graph");
}

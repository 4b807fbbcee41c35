//! End-to-end queries through the public API: small graphs built with
//! `CREATE`, and the built-in graph.

use aikg::error::{ErrorClass, Phase};
use aikg::{CancelHandle, Error, Graph, Params, Query, QueryOptions, Value};

fn rows(graph: &Graph, q: &str) -> Vec<Vec<Value>> {
    graph.query(q).unwrap_or_else(|e| panic!("{q}: {e}")).into_rows()
}

fn graph(setup: &str) -> Graph {
    let mut g = Graph::new();
    g.execute(setup).unwrap_or_else(|e| panic!("{setup}: {e}"));
    g
}

fn ints<R: AsRef<[Value]>>(rows: impl IntoIterator<Item = R>) -> Vec<i64> {
    rows.into_iter().map(|r| r.as_ref()[0].as_int().expect("integer")).collect()
}

fn strs(v: &[Vec<Value>]) -> Vec<String> {
    v.iter().map(|r| r[0].as_str().expect("string").to_string()).collect()
}

fn query_error(e: Error) -> aikg::QueryError {
    match e {
        Error::Query(q) => q,
        other => panic!("expected a query error, got {other}"),
    }
}

fn params(pairs: &[(&str, Value)]) -> Params {
    pairs.iter().map(|(k, v)| (*k, v.clone())).collect()
}

/// A chain m0 <- m1 <- ... <- m9 (each BUILT_ON the previous), a shortcut
/// m9 -> m0, and a cycle m0 -> m9 so that `*` must stop on its own.
fn lineage() -> Graph {
    let mut g = Graph::new();
    g.execute("UNWIND range(0, 9) AS i CREATE (:Model {id: 'm' + toString(i), n: i})").unwrap();
    g.execute(
        "MATCH (a:Model), (b:Model) WHERE b.n = a.n + 1 CREATE (b)-[:BUILT_ON]->(a)
         WITH count(*) AS made
         MATCH (first:Model {id: 'm0'}), (last:Model {id: 'm9'})
         CREATE (last)-[:BUILT_ON]->(first), (first)-[:BUILT_ON]->(last)",
    )
    .unwrap();
    g
}

#[test]
fn create_then_match() {
    let g =
        graph("CREATE (a:A {name: 'a'})-[:T {w: 1}]->(b:B {name: 'b'}), (a)-[:T {w: 2}]->(:B {name: 'c'})");
    let r = rows(&g, "MATCH (a:A)-[t:T]->(b:B) RETURN b.name AS n, t.w AS w ORDER BY w");
    assert_eq!(r, vec![vec![Value::from("b"), Value::Int(1)], vec![Value::from("c"), Value::Int(2)]]);
}

#[test]
fn create_reports_stats_and_skips_null_properties() {
    let mut g = Graph::new();
    let r = g.execute("CREATE (a:A:B {x: 1, y: null})-[:T {w: 2}]->(:C)").unwrap();
    let stats = r.stats();
    assert_eq!((stats.nodes_created, stats.relationships_created), (2, 1));
    assert_eq!((stats.labels_added, stats.properties_set), (3, 2));
    assert_eq!(rows(&g, "MATCH (a:A) RETURN keys(a)"), vec![vec![Value::List(vec!["x".into()])]]);
}

#[test]
fn create_per_row_and_match_sees_created_labels() {
    let mut g = Graph::new();
    let r = g
        .execute("UNWIND [1, 2, 3] AS i CREATE (n:New {i: i}) WITH n MATCH (m:New) RETURN count(*)")
        .unwrap();
    // Every created node, for each of the three rows.
    assert_eq!(ints(r.rows()), vec![9]);
}

#[test]
fn read_only_run_refuses_create() {
    let g = Graph::new();
    let e = query_error(g.query("CREATE ()").unwrap_err());
    assert!(e.message.contains("Graph::execute"), "{}", e.message);
    assert!(!Query::parse("CREATE ()").unwrap().is_read_only());
    assert!(Query::parse("MATCH (n) RETURN n").unwrap().is_read_only());
}

#[test]
fn optional_match_gives_nulls_and_keeps_its_where() {
    let g = graph("CREATE (:P {name: 'a'})-[:K]->(:P {name: 'b'}), (:P {name: 'c'})");
    let r = rows(
        &g,
        "MATCH (p:P) OPTIONAL MATCH (p)-[:K]->(q) WHERE q.name <> 'zzz' RETURN p.name, q.name ORDER BY p.name",
    );
    assert_eq!(
        r,
        vec![
            vec![Value::from("a"), Value::from("b")],
            vec![Value::from("b"), Value::Null],
            vec![Value::from("c"), Value::Null],
        ]
    );
    // The predicate belongs to the optional match: no row is dropped.
    let r =
        rows(&g, "MATCH (p:P) OPTIONAL MATCH (p)-[:K]->(q) WHERE q.name = 'nope' RETURN count(*), count(q)");
    assert_eq!(r, vec![vec![Value::Int(3), Value::Int(0)]]);
}

#[test]
fn aggregation_groups_and_empty_input() {
    let g = graph("CREATE ({k: 'a', v: 1}), ({k: 'a', v: 2}), ({k: 'b', v: 5}), ({k: 'b'})");
    let r =
        rows(&g, "MATCH (n) RETURN n.k AS k, sum(n.v) AS s, count(n.v) AS c, collect(n.v) AS l ORDER BY k");
    assert_eq!(
        r,
        vec![
            vec!["a".into(), 3.into(), 2.into(), Value::List(vec![1.into(), 2.into()])],
            vec!["b".into(), 5.into(), 1.into(), Value::List(vec![5.into()])],
        ]
    );
    let r = rows(&g, "MATCH (n:Nothing) RETURN count(*) AS c, sum(n.v) AS s, avg(n.v) AS a, collect(n) AS l");
    assert_eq!(r, vec![vec![0.into(), 0.into(), Value::Null, Value::List(vec![])]]);
    assert!(rows(&g, "MATCH (n:Nothing) RETURN n.k, count(*)").is_empty());
}

#[test]
fn order_by_global_sort_order_and_nulls_last() {
    let g = Graph::new();
    let r = rows(&g, "UNWIND [2, null, 'b', 1.5, false, [1], 'a'] AS x RETURN x ORDER BY x");
    assert_eq!(
        r.into_iter().map(|mut v| v.remove(0)).collect::<Vec<_>>(),
        vec![
            Value::List(vec![1.into()]),
            "a".into(),
            "b".into(),
            false.into(),
            1.5.into(),
            2.into(),
            Value::Null
        ]
    );
    let r = rows(&g, "UNWIND [3, 1, 2] AS x RETURN x ORDER BY x DESC SKIP 1 LIMIT 1");
    assert_eq!(ints(&r), vec![2]);
}

#[test]
fn skip_and_limit_take_parameters_and_reject_negatives() {
    let g = Graph::new();
    let q = Query::parse("UNWIND range(1, 10) AS x RETURN x SKIP $s LIMIT $l").unwrap();
    let r = q.run(&g, &params(&[("s", 2.into()), ("l", 3.into())])).unwrap();
    assert_eq!(ints(r.rows()), vec![3, 4, 5]);
    let e = query_error(q.run(&g, &params(&[("s", (-1).into()), ("l", 3.into())])).unwrap_err());
    assert_eq!(e.detail, "NegativeIntegerArgument");
    assert_eq!(e.phase, Phase::Runtime);
}

#[test]
fn missing_parameter_is_an_error_with_a_caret() {
    let g = Graph::new();
    let e = query_error(g.query("RETURN $nope AS x").unwrap_err());
    assert_eq!(e.class, ErrorClass::ParameterMissing);
    let text = e.render();
    assert!(text.contains("^^^^^"), "{text}");
}

#[test]
fn runtime_errors_carry_spans() {
    let g = Graph::new();
    let e = query_error(g.query("RETURN 9223372036854775807 + 1 AS x").unwrap_err());
    assert_eq!((e.class, e.detail), (ErrorClass::ArgumentError, "IntegerOverflow"));
    assert!(e.span.is_some());
    let e = query_error(g.query("WITH {a: 1} AS m RETURN m[0]").unwrap_err());
    assert_eq!(e.detail, "MapElementAccessByNonString");
}

#[test]
fn three_valued_logic() {
    let g = Graph::new();
    let r = rows(
        &g,
        "RETURN null AND false AS a, null OR true AS b, null XOR true AS c, NOT null AS d, null = null AS e, 1 = 1.0 AS f",
    );
    assert_eq!(r, vec![vec![false.into(), true.into(), Value::Null, Value::Null, Value::Null, true.into()]]);
}

#[test]
fn distinct_takes_equal_int_and_float_as_one_value() {
    // openCypher's equivalence: 1 and 1.0 are one value for DISTINCT, the
    // first seen shown; nulls are one value too.
    let g = Graph::new();
    let r = rows(&g, "UNWIND [1, 1.0, 1, null, null, 1.5] AS x RETURN DISTINCT x");
    assert_eq!(r, vec![vec![Value::Int(1)], vec![Value::Null], vec![Value::Float(1.5)]]);
}

#[test]
fn distinct_by_node_still_merges_equal_values() {
    // Two nodes without an id (null) and two with the same name: DISTINCT is
    // by value, not by node.
    let g = graph("CREATE ({name: 'x'}), ({name: 'x'}), ({id: 'a', name: 'y'})");
    let r = rows(&g, "MATCH (n) RETURN DISTINCT n.id AS id, n.name AS name ORDER BY name");
    assert_eq!(r, vec![vec![Value::Null, "x".into()], vec!["a".into(), "y".into()]]);
}

#[test]
fn distinct_rows_of_one_node_that_differ_in_a_random_column_are_kept() {
    // One investor, two investments in the same company: two rows of `i`.
    let g = graph("CREATE (i:Investor {id: 'i'}), (c:Company {id: 'c'}), (i)-[:INVESTED_IN]->(c), (i)-[:INVESTED_IN]->(c)");
    assert_eq!(rows(&g, "MATCH (c:Company)<-[:INVESTED_IN]-(i) RETURN DISTINCT i.id").len(), 1);
    let r = rows(&g, "MATCH (c:Company)<-[:INVESTED_IN]-(i) RETURN DISTINCT i.id, rand() AS r");
    assert_eq!(r.len(), 2, "{r:?}");
}

#[test]
fn distinct_by_node_before_the_projection_keeps_first_rows_and_one_null() {
    // Every node has an id of its own, so the DISTINCT runs before the
    // projection; a repeated investor and the missing ones of the OPTIONAL
    // MATCH must still come out once each, first occurrence first.
    let g = graph(
        "CREATE (a:I {id: 'a', name: 'A'}), (b:I {id: 'b', name: 'B'}), (c:C {id: 'c'}), (d:C {id: 'd'}), (e:C {id: 'e'}),
                (a)-[:INV]->(c), (b)-[:INV]->(c), (a)-[:INV]->(d), (a)-[:INV]->(c)",
    );
    let r =
        rows(&g, "MATCH (c:C {id: 'c'})<-[:INV]-(i) RETURN DISTINCT i.id AS id, i.name AS name ORDER BY id");
    assert_eq!(r, vec![vec!["a".into(), "A".into()], vec!["b".into(), "B".into()]]);
    let r = rows(&g, "MATCH (c:C) OPTIONAL MATCH (c)<-[:INV]-(i) RETURN DISTINCT i.id AS id, i.name AS name");
    assert_eq!(r.len(), 3, "{r:?}");
    assert!(r.contains(&vec![Value::Null, Value::Null]));
    let r = rows(&g, "MATCH (c:C)<-[:INV]-(i) RETURN DISTINCT c.id AS c, i.id AS i ORDER BY c, i");
    assert_eq!(strs_pairs(&r), [("c", "a"), ("c", "b"), ("d", "a")]);
}

fn strs_pairs(rows: &[Vec<Value>]) -> Vec<(&str, &str)> {
    rows.iter().map(|r| (r[0].as_str().unwrap(), r[1].as_str().unwrap())).collect()
}

#[test]
fn distinct_ancestor_ids_merge_missing_ids_but_keep_every_present_one() {
    let q = "MATCH (:M {id: 'a'})-[:BUILT_ON*1..]->(x) RETURN DISTINCT x.id AS id";
    // Every node has an id of its own: the search's nodes are the answer.
    let g = graph("CREATE (:M {id: 'a'})-[:BUILT_ON]->(:M {id: 'b'})-[:BUILT_ON]->(:M {id: 'c'})");
    let mut ids = strs(&rows(&g, q));
    ids.sort();
    assert_eq!(ids, ["b", "c"]);
    // Two ancestors without an id are one null row.
    let g = graph("CREATE (:M {id: 'a'})-[:BUILT_ON]->(:M)-[:BUILT_ON]->(:M)-[:BUILT_ON]->(:M {id: 'd'})");
    let r = rows(&g, q);
    assert_eq!(r.len(), 2, "{r:?}");
    assert!(r.contains(&vec![Value::Null]) && r.contains(&vec!["d".into()]));
}

#[test]
fn variable_length_stops_on_cycles_and_keeps_relationships_unique() {
    let g = lineage();
    // Every trail from m5 upwards: m4 .. m0, then round the cycle.
    let r = rows(&g, "MATCH (:Model {id: 'm5'})-[:BUILT_ON*]->(a) RETURN count(*) AS c");
    assert!(ints(&r)[0] >= 10, "{r:?}");
    let r = rows(&g, "MATCH (:Model {id: 'm5'})-[rs:BUILT_ON*2]->(a) RETURN a.id, size(rs)");
    assert_eq!(r, vec![vec!["m3".into(), 2.into()]]);
    // Bounded, both directions.
    let r = rows(&g, "MATCH (:Model {id: 'm5'})-[:BUILT_ON*1..2]-(a) RETURN DISTINCT a.id AS id ORDER BY id");
    assert_eq!(strs(&r), ["m3", "m4", "m6", "m7"]);
}

#[test]
fn reachability_runs_as_a_search_and_matches_enumeration() {
    let g = lineage();
    let search = "MATCH (:Model {id: 'm5'})-[:BUILT_ON*]->(a) RETURN DISTINCT a.id AS id ORDER BY id";
    let plan = Query::parse(search).unwrap().explain(&g).unwrap();
    assert!(plan.contains("Reachable BFS"), "{plan}");
    // A WITH that keeps every path (no DISTINCT) enumerates them instead.
    let paths = "MATCH (:Model {id: 'm5'})-[:BUILT_ON*]->(a) WITH a.id AS id RETURN DISTINCT id ORDER BY id";
    let plan = Query::parse(paths).unwrap().explain(&g).unwrap();
    assert!(plan.contains("VarLengthExpand"), "{plan}");
    assert_eq!(rows(&g, search), rows(&g, paths));
    assert_eq!(rows(&g, search).len(), 10);
}

/// A small random multigraph: nodes labelled `S` or `X` with a number `k`,
/// relationships of types `T` and `U` between random ends, self-loops and
/// parallel relationships included.
fn random_multigraph(seed: u64) -> Graph {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = |below: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % below
    };
    let nodes = 2 + next(7);
    let mut parts: Vec<String> =
        (0..nodes).map(|i| format!("(n{i}:{} {{k: {i}}})", if next(3) == 0 { "X" } else { "S" })).collect();
    for _ in 0..next(12) {
        let (a, b, t) = (next(nodes), next(nodes), if next(4) == 0 { "U" } else { "T" });
        parts.push(format!("(n{a})-[:{t}]->(n{b})"));
    }
    graph(&format!("CREATE {}", parts.join(", ")))
}

#[test]
fn undirected_reachability_matches_enumerating_the_trails() {
    // Both ways, a neighbour leads straight back to the start node over
    // the same relationship, which is no trail: the start node is reached
    // only over a cycle (a self-loop, two parallel relationships, a ring)
    // or from another start node. Each search form is checked against the
    // same pattern enumerated trail by trail (a WITH that keeps every
    // path), on random multigraphs.
    let forms = [
        // One start node per search.
        ("MATCH (a:S)-[:T*]-(b)", "a.k AS a, b.k AS b"),
        ("MATCH (a:S)-[:T*]-(b:X)", "a.k AS a, b.k AS b"),
        ("MATCH (a:S)-[:T*1..1]-(b)", "a.k AS a, b.k AS b"),
        ("MATCH (a:S)-[:T*1..2]-(b)", "a.k AS a, b.k AS b"),
        ("MATCH (a:S)-[:T*..3]-(b:S)", "a.k AS a, b.k AS b"),
        ("MATCH (a:S)-[*0..2]-(b)", "a.k AS a, b.k AS b"),
        ("MATCH (a:S)-[:T|U*]-(b)", "a.k AS a, b.k AS b"),
        // Every start node in one search: one is reached from another.
        ("MATCH (a:S) MATCH (a)-[:T*]-(b)", "b.k AS b"),
        ("MATCH (a:S) MATCH (a)-[:T*1..2]-(b)", "b.k AS b"),
        ("MATCH (a:S) MATCH (a)-[*..3]-(b:S)", "b.k AS b"),
        // Both ends bound.
        ("MATCH (a:S), (b:S) MATCH (a)-[:T*]-(b)", "a.k AS a, b.k AS b"),
        ("MATCH (a:S), (b) MATCH (a)-[:T*1..2]-(b)", "a.k AS a, b.k AS b"),
    ];
    let g = random_multigraph(1);
    for (pattern, items) in forms {
        let search = format!("{pattern} RETURN DISTINCT {items}");
        let plan = Query::parse(&search).unwrap().explain(&g).unwrap();
        assert!(plan.contains("Reachable BFS"), "{search}\n{plan}");
    }
    for seed in 0..300 {
        let g = random_multigraph(seed);
        for (pattern, items) in forms {
            let columns: Vec<&str> = items.split(", ").map(|i| i.rsplit(' ').next().unwrap()).collect();
            let order = columns.join(", ");
            let search = format!("{pattern} RETURN DISTINCT {items} ORDER BY {order}");
            let trails = format!("{pattern} WITH {items} RETURN DISTINCT {order} ORDER BY {order}");
            assert_eq!(rows(&g, &search), rows(&g, &trails), "seed {seed}: {search}");
        }
        let counted = "MATCH (a:S)-[:T*]-(b) RETURN a.k AS a, count(DISTINCT b) AS n ORDER BY a";
        let listed =
            "MATCH (a:S)-[:T*]-(b) WITH a.k AS a, b RETURN a, size(collect(DISTINCT b)) AS n ORDER BY a";
        assert_eq!(rows(&g, counted), rows(&g, listed), "seed {seed}");
    }
}

#[test]
fn grouped_reachability_counts_per_group() {
    // Two labs; lab1's company developed m0 (everything is built on it,
    // through the chain and the cycle), lab2's developed nothing.
    let mut g = lineage();
    g.execute(
        "MATCH (m:Model {id: 'm0'})
         CREATE (:Lab {id: 'lab1'})<-[:INCUBATED_BY]-(:Company {id: 'c1'})<-[:DEVELOPED_BY]-(m),
                (:Lab {id: 'lab2'})<-[:INCUBATED_BY]-(:Company {id: 'c2'})",
    )
    .unwrap();
    let q = "MATCH (l:Lab)<-[:INCUBATED_BY]-(:Company)<-[:DEVELOPED_BY]-(:Model)<-[:BUILT_ON*1..]-(d:Model)
             RETURN l.id, count(DISTINCT d) AS n ORDER BY n DESC, l.id";
    let plan = Query::parse(q).unwrap().explain(&g).unwrap();
    assert!(plan.contains("Reachable BFS") && plan.contains("per [l]"), "{plan}");
    // m0 reaches every model, itself included through the cycle.
    assert_eq!(rows(&g, q), vec![vec!["lab1".into(), 10.into()]]);
}

#[test]
fn shortest_paths() {
    let g = lineage();
    let r = rows(
        &g,
        "MATCH p = shortestPath((a:Model {id: 'm9'})-[:BUILT_ON*]->(b:Model {id: 'm5'}))
         RETURN length(p) AS hops, [n IN nodes(p) | n.id] AS ids",
    );
    // m9 -> m0 (shortcut) is not on the way down; the chain is m9 -> m8 ... m5? No:
    // BUILT_ON points from the newer to the older model, so m9 reaches m5 in 4.
    assert_eq!(
        r,
        vec![vec![
            4.into(),
            Value::List(vec!["m9".into(), "m8".into(), "m7".into(), "m6".into(), "m5".into()])
        ]]
    );
    let r = rows(
        &g,
        "MATCH p = shortestPath((a:Model {id: 'm0'})-[:BUILT_ON*]->(b:Model {id: 'm8'})) RETURN length(p)",
    );
    assert_eq!(ints(&r), vec![2]);
    let r = rows(
        &g,
        "MATCH p = shortestPath((a:Model {id: 'm0'})-[:BUILT_ON*..1]->(b:Model {id: 'm8'})) RETURN p",
    );
    assert!(r.is_empty());
    let g = graph("CREATE (a:S)-[:R]->(:M)-[:R]->(z:E), (a)-[:R]->(:M)-[:R]->(z), (a)-[:R]->(:X)");
    let r = rows(&g, "MATCH p = allShortestPaths((a:S)-[:R*]->(z:E)) RETURN count(p)");
    assert_eq!(ints(&r), vec![2]);
}

#[test]
fn seek_and_scan_agree() {
    let g = graph("CREATE (:A {id: 'x', v: 1}), (:B {id: 'x2', v: 2}), (:A {id: 3, v: 3})");
    assert_eq!(rows(&g, "MATCH (n:A {id: 'x'}) RETURN n.v"), vec![vec![Value::Int(1)]]);
    assert_eq!(rows(&g, "MATCH (n) WHERE n.id = 'x2' RETURN n.v"), vec![vec![Value::Int(2)]]);
    // Non-string ids are not in the index: the seek falls back to a scan.
    assert_eq!(rows(&g, "MATCH (n:A {id: 3}) RETURN n.v"), vec![vec![Value::Int(3)]]);
    assert!(rows(&g, "MATCH (n:B {id: 'x'}) RETURN n").is_empty());
    let plan = Query::parse("MATCH (n:A {id: $x}) RETURN n").unwrap().explain(&g).unwrap();
    assert!(plan.contains("NodeKeySeek (n:A {id: $x})"), "{plan}");
}

#[test]
fn explain_statement_and_method() {
    let g = graph("CREATE (:A)");
    let r = g.query("EXPLAIN MATCH (a:A)-[:T]->(b) RETURN b").unwrap();
    assert_eq!(r.columns(), ["plan"]);
    let lines: Vec<&str> = r.rows().map(|row| row[0].as_str().unwrap()).collect();
    assert_eq!(lines, ["Produce [b]", "  Expand (a)-[:T]->(b)", "    NodeByLabelScan (a:A)"]);
    let text = Query::parse("MATCH (a:A)-[:T]->(b) RETURN b").unwrap().explain(&g).unwrap();
    assert_eq!(text.lines().collect::<Vec<_>>(), lines);
}

#[test]
fn budgets_stop_runs() {
    let g = lineage();
    let q = Query::parse("MATCH (a)-[:BUILT_ON*]->(b) RETURN a, b").unwrap();
    let limited = |o: QueryOptions| query_error(q.run_with(&g, &Params::new(), &o).unwrap_err());
    let e = limited(QueryOptions { max_rows: Some(5), ..Default::default() });
    assert_eq!(e.class, ErrorClass::LimitExceeded);
    assert!(e.message.contains("5 rows"), "{}", e.message);
    let e = limited(QueryOptions { max_expansions: Some(10), ..Default::default() });
    assert!(e.message.contains("expansions"), "{}", e.message);
    let cancel = CancelHandle::new();
    cancel.cancel();
    let big = Query::parse("UNWIND range(1, 100000) AS x RETURN count(*)").unwrap();
    let e = query_error(
        big.run_with(&g, &Params::new(), &QueryOptions { cancel: Some(cancel), ..Default::default() })
            .unwrap_err(),
    );
    assert!(e.message.contains("cancelled"), "{}", e.message);
}

#[test]
fn limit_stops_the_scan_early() {
    let g = lineage();
    let q = Query::parse("MATCH (a)-[:BUILT_ON*]->(b) RETURN a LIMIT 1").unwrap();
    let o = QueryOptions { max_expansions: Some(5), ..Default::default() };
    assert_eq!(q.run_with(&g, &Params::new(), &o).unwrap().len(), 1);
}

#[test]
fn return_star_sorts_columns_by_name() {
    let g = graph("CREATE (:A {x: 1})");
    let r = g.query("MATCH (b:A) WITH b, b.x AS a RETURN *").unwrap();
    assert_eq!(r.columns(), ["a", "b"]);
}

#[test]
fn paths_and_relationship_lists() {
    let g = graph("CREATE (:A {n: 1})-[:T]->(:B {n: 2})-[:T]->(:C {n: 3})");
    let r = rows(&g, "MATCH p = (c:C)<-[rs:T*]-(a:A) RETURN length(p), [n IN nodes(p) | n.n], size(rs)");
    assert_eq!(r, vec![vec![2.into(), Value::List(vec![3.into(), 2.into(), 1.into()]), 2.into()]]);
    let r = rows(&g, "MATCH p = (a:A)-[*]->(c:C) RETURN [r IN relationships(p) | type(r)]");
    assert_eq!(r, vec![vec![Value::List(vec!["T".into(), "T".into()])]]);
}

#[test]
fn builtin_lineage_and_lookup() {
    let g = Graph::builtin();
    // The data is still being curated: compare with the store's own walk
    // rather than with a fixed list.
    let start = g.resolve("chatglm-6b").unwrap();
    let mut expected: Vec<String> = g
        .ancestors(start, &["BUILT_ON"])
        .unwrap()
        .filter(|s| g.node(s.node).has_label(g.label("Model").unwrap()))
        .filter_map(|s| g.node(s.node).key().map(str::to_string))
        .collect();
    expected.sort();
    assert!(!expected.is_empty());
    let r = rows(
        &g,
        "MATCH (m:Model {id: 'chatglm-6b'})-[:BUILT_ON*]->(b:Model) RETURN DISTINCT b.id AS id ORDER BY id",
    );
    assert_eq!(strs(&r), expected);
    let r = rows(&g, "MATCH (c:Company) WHERE c.id = 'zhipu-ai' RETURN c.name_zh");
    assert_eq!(r, vec![vec![Value::from("智谱AI")]]);
    let r = rows(&g, "MATCH (c:Company) RETURN count(*) AS n");
    assert!(ints(&r)[0] > 10);
}

#[test]
fn builtin_warns_about_unknown_names() {
    let g = Graph::builtin();
    let r = g.query("MATCH (c:Compny) RETURN c").unwrap();
    assert!(r.is_empty());
    assert_eq!(r.warnings(), ["unknown label 'Compny'; did you mean 'Company'?"]);
    let r = g.query("MATCH (:Model)-[:BUILT_ONN]->(m) RETURN m.nme").unwrap();
    assert!(
        r.warnings().iter().any(|w| w.contains("'BUILT_ONN'") && w.contains("'BUILT_ON'")),
        "{:?}",
        r.warnings()
    );
    assert!(r.warnings().iter().any(|w| w.contains("'nme'") && w.contains("'name'")), "{:?}", r.warnings());
    // Known names, and graphs without a schema, give no warnings.
    assert!(g.query("MATCH (c:Company) RETURN c.name LIMIT 1").unwrap().warnings().is_empty());
    assert!(Graph::new().query("MATCH (c:Compny) RETURN c").unwrap().warnings().is_empty());
}

/// Issue 18: a comparison the stored types make impossible is an empty
/// answer with no word of why.
#[test]
fn issue_18_type_mismatched_comparisons_warn() {
    let g = Graph::builtin();
    let warns = |q: &str| g.query(q).unwrap().warnings().to_vec();
    let w = warns("MATCH (:Company)<-[r:INVESTED_IN]-(i) WHERE r.year = '2021' RETURN i");
    assert!(
        w.len() == 1 && w[0].contains("r.year = '2021' is never true") && w[0].contains("integers"),
        "{w:?}"
    );
    let w = warns("MATCH (m:Model) WHERE m.released >= 2022 RETURN m");
    assert!(
        w.len() == 1 && w[0].contains("m.released >= 2022 is never true") && w[0].contains("strings"),
        "{w:?}"
    );
    assert!(warns("MATCH (m:Model) WHERE m.released >= '2022' AND m.params_billion > 6 RETURN m").is_empty());

    // A bulk CSV graph has no schema: the types come from its values.
    let dir = std::env::temp_dir().join(format!("aikg-query-{}-mismatch", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("n.csv"), "id,label,name,year\na,Model,A,2020\nb,Model,B,2021.5\n").unwrap();
    std::fs::write(dir.join("e.csv"), "src,dst,type\na,b,BUILT_ON\n").unwrap();
    let csv = Graph::from_csv(dir.join("n.csv"), dir.join("e.csv")).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let w = csv.query("MATCH (m:Model) WHERE m.year = '2020' RETURN m").unwrap().warnings().to_vec();
    assert!(w.len() == 1 && w[0].contains("integers and floats"), "{w:?}");
    assert!(csv.query("MATCH (m:Model) WHERE m.year < 2021 RETURN m").unwrap().warnings().is_empty());
}

#[test]
fn create_on_a_schema_graph_is_checked() {
    let mut g = Graph::builtin();
    let e = query_error(g.execute("CREATE (:Compny {id: 'x', name: 'X', source: 's'})").unwrap_err());
    assert!(e.message.contains("'Compny'") && e.message.contains("'Company'"), "{}", e.message);
    let e = query_error(
        g.execute(
            "MATCH (a:Company {id: 'zhipu-ai'}), (b:Company {id: 'zhipu-ai'}) CREATE (a)-[:BUILT_ON]->(b)",
        )
        .unwrap_err(),
    );
    assert!(e.message.contains("BUILT_ON"), "{}", e.message);
    let before = g.node_count();
    g.execute("CREATE (:Company {id: 'new-co', name: 'New', source: 'test'})").unwrap();
    assert_eq!(g.node_count(), before + 1);
}

#[test]
fn unwind_null_and_scalars() {
    let g = Graph::new();
    assert!(rows(&g, "UNWIND null AS x RETURN x").is_empty());
    assert_eq!(ints(rows(&g, "UNWIND 5 AS x RETURN x")), vec![5]);
}

#[test]
fn queries_are_reusable_across_graphs() {
    let q = Query::parse("MATCH (n:N) RETURN count(n) AS c").unwrap();
    let a = graph("CREATE (:N), (:N)");
    let b = graph("CREATE (:N)");
    assert_eq!(ints(q.run(&a, &Params::new()).unwrap().rows()), vec![2]);
    assert_eq!(ints(q.run(&b, &Params::new()).unwrap().rows()), vec![1]);
    assert_eq!(q.text(), "MATCH (n:N) RETURN count(n) AS c");
}

#[test]
fn entity_parameters_must_belong_to_the_graph() {
    let g = graph("CREATE (:A {x: 1})");
    let q = Query::parse("RETURN $n.x AS x").unwrap();
    let ok = q.run(&g, &params(&[("n", Value::Node(aikg::NodeId(0)))])).unwrap();
    assert_eq!(ints(ok.rows()), vec![1]);
    let e = query_error(q.run(&g, &params(&[("n", Value::Node(aikg::NodeId(7)))])).unwrap_err());
    assert!(e.message.contains("$n") && e.message.contains("node 7"), "{}", e.message);
}

#[test]
fn limit_with_a_list_comprehension() {
    let g = Graph::new();
    let r = rows(&g, "UNWIND range(1, 5) AS x RETURN x LIMIT size([y IN [1, 2] | y])");
    assert_eq!(ints(&r), vec![1, 2]);
}

#[test]
fn search_in_the_middle_of_a_pattern_matches_enumeration() {
    let mut g = lineage();
    g.execute(
        "MATCH (m:Model) WHERE m.n % 3 = 0
         CREATE (m)-[:DEVELOPED_BY]->(:Company {id: 'c' + toString(m.n), k: m.n % 2})",
    )
    .unwrap();
    let search = "MATCH (s:Model {id: 'm5'})-[:BUILT_ON*]->(m)-[:DEVELOPED_BY]->(c {k: s.n % 2})
                  RETURN DISTINCT c.id AS id ORDER BY id";
    let plan = Query::parse(search).unwrap().explain(&g).unwrap();
    assert!(plan.contains("Reachable BFS"), "{plan}");
    let paths = "MATCH (s:Model {id: 'm5'})-[:BUILT_ON*]->(m)-[:DEVELOPED_BY]->(c {k: s.n % 2})
                 WITH c.id AS id RETURN DISTINCT id ORDER BY id";
    assert_eq!(rows(&g, search), rows(&g, paths));
    assert_eq!(strs(&rows(&g, search)), ["c3", "c9"]);
}

#[test]
fn duplicate_string_ids_from_create_are_all_found() {
    let mut g = Graph::new();
    g.execute("CREATE (:M {id: 'x', n: 1}), (:M {id: 'x', n: 2}), (:M {id: 'y', n: 3})").unwrap();
    let r = rows(&g, "MATCH (m:M {id: 'x'}) RETURN m.n ORDER BY m.n");
    assert_eq!(ints(&r), vec![1, 2]);
    let r = rows(&g, "MATCH (m:M) WHERE m.id = 'x' RETURN DISTINCT m.id, m.n ORDER BY m.n");
    assert_eq!(r.len(), 2);
}

/// The rows `for_each_row` lends, copied out, with their column names.
fn lent(q: &Query, g: &Graph, p: &Params) -> Result<(Vec<Vec<Value>>, Vec<String>), Error> {
    let mut rows = Vec::new();
    let mut columns = Vec::new();
    let count = q.for_each_row(g, p, |row| {
        columns = row.columns().to_vec();
        assert_eq!(row.len(), row.values().len());
        rows.push(row.to_vec());
    })?;
    assert_eq!(count, rows.len());
    Ok((rows, columns))
}

#[test]
fn for_each_row_lends_the_rows_run_returns() {
    let g = lineage();
    let id = params(&[("id", Value::from("m3"))]);
    for (text, p) in [
        // Point lookups, answered from the store.
        ("MATCH (m:Model {id: $id}) RETURN m.id, m.n, m.missing", &id),
        ("MATCH (m:Model {id: $id}) RETURN m.n * 2 AS twice, m, $id AS asked", &id),
        ("MATCH (m:Model {id: $id}) WHERE m.n > 5 RETURN m.id", &id),
        ("MATCH (m:Model {id: 'nothing'}) RETURN m.id", &id),
        ("MATCH (m:Lab {id: $id}) RETURN m.id", &id),
        ("RETURN 1 AS one, 'two' AS two", &id),
        // Everything else, through the stages.
        ("MATCH (m:Model {id: $id})-[:BUILT_ON*]->(b) RETURN b.id ORDER BY b.id", &id),
        // Properties of the row's nodes, lent from the graph (a missing one
        // as null), and a row whose node is null, evaluated as usual.
        ("MATCH (m:Model {id: $id})-[:BUILT_ON*]->(b) RETURN DISTINCT b.id, b.n, b.missing", &id),
        ("MATCH (m:Model)-[:BUILT_ON]->(b) RETURN m.id AS m, b.n AS n LIMIT 3", &id),
        ("MATCH (m:Model {id: $id}) OPTIONAL MATCH (m)<-[:NOTHING]-(x) RETURN m.id, x.id", &id),
        ("MATCH (m:Model) RETURN m.n % 3 AS k, count(*) AS c ORDER BY k", &id),
        ("UNWIND [1, null, 'x'] AS v RETURN v", &id),
        ("MATCH (m:Model {id: 'nothing'})-->(b) RETURN b", &id),
        ("EXPLAIN MATCH (m:Model {id: $id}) RETURN m.id", &id),
    ] {
        let q = Query::parse(text).unwrap();
        let owned = q.run(&g, p).unwrap_or_else(|e| panic!("{text}: {e}"));
        let (rows, columns) = lent(&q, &g, p).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(rows, owned.clone().into_rows(), "{text}");
        let mut by_text = Vec::new();
        g.for_each_row(text, p, |row| by_text.push(row.to_vec())).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(by_text, rows, "{text}: by text");
        if !rows.is_empty() {
            assert_eq!(columns, owned.columns(), "{text}");
        }
    }
}

#[test]
fn for_each_row_reads_columns_by_name_and_nodes_from_the_graph() {
    let g = lineage();
    let q = Query::parse("MATCH (m:Model {id: $id}) RETURN m.id AS id, m.n AS n, m").unwrap();
    let mut seen = Vec::new();
    q.for_each_row(&g, &params(&[("id", Value::from("m4"))]), |row| {
        let node = row.get("m").and_then(Value::as_node).expect("a node");
        let id = row.get_str("id").map(str::to_string);
        seen.push((id, row.get_int("n"), g.node(node).key(), row.get("nope").is_some()));
        assert_eq!(row.value(3), None);
    })
    .unwrap();
    assert_eq!(seen, [(Some("m4".to_string()), Some(4), Some("m4"), false)]);
}

#[test]
fn for_each_row_errors_as_run_does() {
    let g = lineage();
    let missing = Query::parse("MATCH (m:Model {id: $id}) RETURN m.id").unwrap();
    let e = query_error(lent(&missing, &g, &Params::new()).unwrap_err());
    assert!(e.message.contains("parameter $id is missing"), "{}", e.message);
    let writes = Query::parse("CREATE (:A)").unwrap();
    let e = query_error(lent(&writes, &g, &Params::new()).unwrap_err());
    assert_eq!(e.class, ErrorClass::Unsupported);
    let e = query_error(g.for_each_row("CREATE (:A)", &Params::new(), |_| {}).unwrap_err());
    assert_eq!(e.class, ErrorClass::Unsupported);
    let e = query_error(g.for_each_row("MATCH (m RETURN m", &Params::new(), |_| {}).unwrap_err());
    assert_eq!(e.phase, Phase::CompileTime);
    assert!(e.render().contains('^'), "{}", e.render());
    let bad = Query::parse("MATCH (m:Model {id: $id}) RETURN m.id - 1").unwrap();
    let e = query_error(lent(&bad, &g, &params(&[("id", Value::from("m1"))])).unwrap_err());
    assert_eq!(e.phase, Phase::Runtime);
    // Rows are lent as they are made: the five within the limit arrive
    // before the run fails on the sixth.
    let q = Query::parse("MATCH (a)-[:BUILT_ON*]->(b) RETURN a, b").unwrap();
    let o = QueryOptions { max_rows: Some(5), ..Default::default() };
    let mut seen = 0;
    let e = query_error(q.for_each_row_with(&g, &Params::new(), &o, |_| seen += 1).unwrap_err());
    assert_eq!(e.class, ErrorClass::LimitExceeded);
    assert_eq!(seen, 5);
    let one = Query::parse("MATCH (m:Model {id: 'm1'}) RETURN m.id").unwrap();
    let o = QueryOptions { max_rows: Some(0), ..Default::default() };
    let e = query_error(one.for_each_row_with(&g, &Params::new(), &o, |_| {}).unwrap_err());
    assert_eq!(e.class, ErrorClass::LimitExceeded);
}

#[test]
fn for_each_row_visitors_may_query_the_same_graph() {
    // A visitor runs while the run that lends it rows is still going:
    // nothing the run holds (search memory, plans) may block another run.
    let g = lineage();
    let outer =
        Query::parse("MATCH (a:Model {id: 'm9'})-[:BUILT_ON*]->(b) RETURN DISTINCT b.id AS id").unwrap();
    let inner =
        Query::parse("MATCH (b:Model {id: $id})-[:BUILT_ON*]->(c) RETURN count(DISTINCT c) AS n").unwrap();
    let mut reaches = Vec::new();
    outer
        .for_each_row(&g, &Params::new(), |row| {
            let id = row.get_str("id").expect("an id");
            let n = inner
                .run(&g, &params(&[("id", Value::from(id))]))
                .unwrap()
                .iter()
                .next()
                .unwrap()
                .get_int("n");
            let mut nested = 0;
            outer.for_each_row(&g, &Params::new(), |_| nested += 1).unwrap();
            reaches.push((n, nested));
        })
        .unwrap();
    assert_eq!(reaches.len(), 10);
    // Every model reaches all ten through the cycle m0 -> m9.
    assert!(reaches.iter().all(|&(n, nested)| n == Some(10) && nested == 10), "{reaches:?}");
}

#[test]
fn list_quantifiers_answer_lineage_questions() {
    let g = Graph::builtin();
    // Models every one of whose direct bases Zhipu AI developed.
    let q = "MATCH (m:Model)-[:BUILT_ON]->(b)-[:DEVELOPED_BY]->(d) WITH m, collect(d.id) AS devs
              WHERE all(d IN devs WHERE d = 'zhipu-ai') AND size(devs) > 0
              RETURN m.id AS id ORDER BY id";
    let ids = strs(&rows(&g, q));
    assert!(ids.contains(&"chatglm-6b".to_string()), "{ids:?}");
    for id in &ids {
        let devs = rows(
            &g,
            &format!(
                "MATCH (:Model {{id: '{id}'}})-[:BUILT_ON]->()-[:DEVELOPED_BY]->(d) RETURN DISTINCT d.id"
            ),
        );
        assert_eq!(strs(&devs), vec!["zhipu-ai".to_string()], "{id}");
    }
    let r = rows(
        &g,
        "RETURN any(x IN [1, null] WHERE x > 1) AS a, none(x IN [1, 2] WHERE x > 1) AS n,
                single(x IN [1, 2, 3] WHERE x = 2) AS s, all(x IN null WHERE x) AS z",
    );
    assert_eq!(r, vec![vec![Value::Null, Value::Bool(false), Value::Bool(true), Value::Null]]);
    let err = query_error(g.query("RETURN all(x IN ['a'] WHERE x % 2 = 0)").unwrap_err());
    assert_eq!(err.detail, "InvalidArgumentType");
}

#[test]
fn regex_match_is_anchored_and_checked() {
    let g = Graph::builtin();
    let names =
        strs(&rows(&g, "MATCH (m:Model) WHERE m.name =~ 'GLM-[0-9]+B' RETURN m.name ORDER BY m.name"));
    assert_eq!(names, ["GLM-10B", "GLM-130B", "GLM-6B"]);
    // Case-insensitive, on Chinese names, and through a parameter.
    let by_param = g
        .query_with(
            "MATCH (c:Company) WHERE c.name_zh =~ $p RETURN c.id",
            &params(&[("p", Value::from("智谱.*"))]),
        )
        .unwrap()
        .into_rows();
    assert_eq!(strs(&by_param), ["zhipu-ai"]);
    assert_eq!(rows(&g, "RETURN null =~ 'a', 'a' =~ null, 1 =~ 'a'"), vec![vec![Value::Null; 3]]);
    // A bad literal pattern is refused before the query runs; a computed one when it is used.
    let err = query_error(g.query("MATCH (m) WHERE m.name =~ '(GLM' RETURN m").unwrap_err());
    assert_eq!((err.class, err.phase), (ErrorClass::SyntaxError, Phase::CompileTime));
    assert!(err.message.starts_with("invalid regular expression"), "{}", err.message);
    let err = query_error(g.query("WITH '(a{1000}){1000}' AS p RETURN 'a' =~ p").unwrap_err());
    assert_eq!(err.phase, Phase::Runtime);
    assert!(err.message.contains("exceeds the limit"), "{}", err.message);
}

fn text(graph: &Graph, q: &str) -> Vec<String> {
    rows(graph, q).iter().map(|r| r.iter().map(|v| format!("{v}")).collect::<Vec<_>>().join(" | ")).collect()
}

#[test]
fn temporal_values_parse_compute_and_print_as_opencypher_does() {
    let g = Graph::new();
    let one = |q: &str| text(&g, q).remove(0);
    assert_eq!(one("RETURN date('2015-W30-2')"), "date('2015-07-21')");
    assert_eq!(
        one("RETURN toString(datetime({year: 1984, ordinalDay: 202, timezone: 'Europe/Stockholm'}))"),
        "'1984-07-20T00:00+02:00[Europe/Stockholm]'"
    );
    assert_eq!(one("RETURN toString(date('1984-10-11') + duration('P1M-14D'))"), "'1984-10-28'");
    assert_eq!(
        one("RETURN toString(duration.between(date('1984-10-11'), date('2015-06-24')))"),
        "'P30Y8M13D'"
    );
    assert_eq!(one("RETURN toString(duration({months: 0.75}))"), "'P22DT19H51M49.5S'");
    assert_eq!(
        one("WITH date({year: 1984, month: 1, day: 1}) AS d RETURN [d.weekYear, d.week, d.weekDay]"),
        "[1983, 52, 7]"
    );
    assert_eq!(
        one("RETURN toString(datetime.truncate('week', localdatetime('1984-10-11T12:31'), {dayOfWeek: 2}))"),
        "'1984-10-09T00:00Z'"
    );
    // Equal instants in different zones are equal; durations only equal.
    assert_eq!(
        one("RETURN time('10:00+01:00') = time('09:00Z'), duration('P1D') < duration('P2D')"),
        "true | null"
    );
}

#[test]
fn temporals_sort_group_and_survive_a_store() {
    let mut g = Graph::new();
    g.execute("UNWIND ['2020-01-02', '2019-12-31', '2020-01-02'] AS s CREATE (:Day {on: date(s)})").unwrap();
    let r = rows(&g, "MATCH (d:Day) RETURN DISTINCT d.on AS day ORDER BY day");
    let days: Vec<String> =
        r.iter().map(|row| row[0].as_temporal().expect("a temporal").to_string()).collect();
    assert_eq!(days, ["2019-12-31", "2020-01-02"]);
    let err = query_error(g.query("RETURN date('2015-13-01')").unwrap_err());
    assert_eq!(err.class, ErrorClass::ArgumentError);
}

#[test]
fn union_removes_duplicate_rows_and_union_all_keeps_them() {
    let g = graph("CREATE (:Model {id: 'a'}), (:Model {id: 'b'}), (:Company {id: 'b'})");
    let q = "MATCH (m:Model) RETURN m.id AS id UNION MATCH (c:Company) RETURN c.id AS id";
    let mut ids = strs(&rows(&g, q));
    ids.sort();
    assert_eq!(ids, ["a", "b"]);
    let q = "MATCH (m:Model) RETURN m.id AS id UNION ALL MATCH (c:Company) RETURN c.id AS id";
    let mut ids = strs(&rows(&g, q));
    ids.sort();
    assert_eq!(ids, ["a", "b", "b"]);
    // Each part aggregates, orders and limits on its own.
    let q =
        "MATCH (m:Model) RETURN count(*) AS n UNION ALL UNWIND [3, 1, 2] AS n RETURN n ORDER BY n LIMIT 2";
    assert_eq!(ints(rows(&g, q)), [2, 1, 2]);
}

#[test]
fn union_parts_must_agree_on_columns_and_kind() {
    let g = Graph::new();
    for (q, detail) in [
        ("RETURN 1 AS a UNION RETURN 2 AS b", "DifferentColumnsInUnion"),
        ("RETURN 1 AS a, 2 AS b UNION RETURN 2 AS b, 1 AS a", "DifferentColumnsInUnion"),
        ("WITH 1 AS a RETURN * UNION RETURN 2 AS b", "DifferentColumnsInUnion"),
        ("RETURN 1 AS a UNION RETURN 2 AS a UNION ALL RETURN 3 AS a", "InvalidClauseComposition"),
    ] {
        let e = query_error(g.query(q).unwrap_err());
        assert_eq!(
            (e.class, e.detail, e.phase),
            (ErrorClass::SyntaxError, detail, Phase::CompileTime),
            "{q}"
        );
    }
}

#[test]
fn union_shows_in_explain() {
    let g = Graph::new();
    let plan = g.query("EXPLAIN RETURN 1 AS x UNION RETURN 2 AS x").unwrap();
    let text: Vec<String> = plan.into_rows().iter().map(|r| r[0].as_str().unwrap().to_string()).collect();
    assert_eq!(text[1].trim(), "Distinct [x]");
    assert_eq!(text[2].trim(), "Union [x]");
    assert!(text.iter().any(|l| l.trim() == "Part 2 [x]"), "{text:?}");
}

#[test]
fn built_in_procedures_list_the_graph_names() {
    let g = graph("CREATE (:Model {id: 'a'})-[:BUILT_ON]->(:Model {name: 'b'}), (:Company)");
    assert_eq!(strs(&rows(&g, "CALL db.labels()")), ["Company", "Model"]);
    assert_eq!(
        strs(&rows(&g, "CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType")),
        ["BUILT_ON"]
    );
    assert_eq!(strs(&rows(&g, "CALL db.propertyKeys() YIELD propertyKey AS k RETURN k")), ["id", "name"]);
    let schema = rows(&g, "CALL db.schema.relationships()");
    assert_eq!(
        schema,
        [vec![Value::from("Model"), Value::from("BUILT_ON"), Value::from("Model"), Value::Int(1)]]
    );
    // YIELD ... WHERE filters, and the call runs once per input row.
    let q = "UNWIND [1, 2] AS i CALL db.labels() YIELD label WHERE label STARTS WITH 'M' RETURN i, label";
    assert_eq!(rows(&g, q).len(), 2);
}

#[test]
fn host_registered_procedure_is_called_per_row_and_checked_at_compile_time() {
    use aikg::query::procedures::ProcedureSignature;
    let mut g = graph("CREATE (:Model {id: 'a', params: 7}), (:Model {id: 'b', params: 70})");
    let signature = ProcedureSignature::parse(
        "host.scale(x :: FLOAT?, times :: INTEGER?) :: (scaled :: FLOAT?, node :: NODE?)",
    )
    .unwrap();
    g.register_procedure(signature, |graph, args| {
        let (Value::Float(x), Value::Int(times)) = (&args[0], &args[1]) else {
            return Err("both arguments are required".to_string());
        };
        let first = graph.node_ids().next().map_or(Value::Null, Value::Node);
        Ok((1..=*times).map(|k| vec![Value::Float(x * k as f64), first.clone()]).collect())
    });
    // The integer argument arrives as a float; a yielded node is a node.
    let q = "MATCH (m:Model) CALL host.scale(m.params, 2) YIELD scaled, node AS first
             RETURN m.id AS id, scaled, first.id AS first ORDER BY scaled";
    let r = rows(&g, q);
    assert_eq!(
        r.iter().map(|row| row[1].clone()).collect::<Vec<_>>(),
        [7.0, 14.0, 70.0, 140.0].map(Value::Float)
    );
    assert!(r.iter().all(|row| row[2] == Value::from("a")));
    // `CALL name` alone takes its arguments from the parameters.
    let p = params(&[("x", Value::Float(1.5)), ("times", Value::Int(1))]);
    assert_eq!(g.query_with("CALL host.scale", &p).unwrap().into_rows()[0][0], Value::Float(1.5));
    let failed = query_error(g.query("CALL host.scale(null, 1)").unwrap_err());
    assert_eq!((failed.class, failed.phase), (ErrorClass::ProcedureError, Phase::Runtime));
    assert!(failed.message.contains("both arguments are required"), "{}", failed.message);
    for (q, class, detail) in [
        ("CALL host.nothing()", ErrorClass::ProcedureError, "ProcedureNotFound"),
        ("CALL host.scale(1)", ErrorClass::SyntaxError, "InvalidNumberOfArguments"),
        ("CALL host.scale('x', 1)", ErrorClass::SyntaxError, "InvalidArgumentType"),
        ("CALL host.scale(1, 1) YIELD nope RETURN nope", ErrorClass::SyntaxError, "UndefinedVariable"),
        (
            "WITH 1 AS scaled CALL host.scale(1, 1) YIELD scaled RETURN scaled",
            ErrorClass::SyntaxError,
            "VariableAlreadyBound",
        ),
    ] {
        let e = query_error(g.query(q).unwrap_err());
        assert_eq!((e.class, e.detail, e.phase), (class, detail, Phase::CompileTime), "{q}");
    }
}

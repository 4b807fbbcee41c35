//! Bad input never panics, never hangs and never yields a half-loaded graph:
//! a corpus of malformed data files, CSV files and queries; query budgets;
//! a mutation smoke run of the fuzz targets on stable Rust; and concurrent
//! readers on one graph.

use std::sync::Arc;
use std::time::{Duration, Instant};

use aikg::error::{DataErrorKind, ErrorClass};
use aikg::load::{parse_graph_data, DataFile};
use aikg::model::schema::AI_INDUSTRY;
use aikg::{CancelHandle, Error, Graph, Params, Query, QueryOptions, Value};

// ----- graph data -----------------------------------------------------------

fn load_nodes(bytes: &[u8]) -> Result<Graph, aikg::LoadError> {
    parse_graph_data([DataFile::new("nodes/x.jsonl", bytes)], &AI_INDUSTRY)
}

const NODE: &str = r#"{"id":"m1","labels":["Model"],"name":"M1","source":"s"}"#;

#[test]
fn malformed_graph_data_is_reported_with_its_line() {
    let long_name = "x".repeat(1 << 20);
    let cases: Vec<(&str, Vec<u8>, usize, DataErrorKind)> = vec![
        ("truncated", format!("{NODE}\n{}", &NODE[..20]).into_bytes(), 2, DataErrorKind::Malformed),
        ("binary", b"\x00\x01\x02\xff\xfe garbage".to_vec(), 1, DataErrorKind::Malformed),
        (
            "utf-16",
            "{\"id\":1}".encode_utf16().flat_map(u16::to_le_bytes).collect(),
            1,
            DataErrorKind::Malformed,
        ),
        ("array", format!("{NODE}\n[1,2,3]\n").into_bytes(), 2, DataErrorKind::Malformed),
        (
            "wrong type",
            r#"{"id":"m1","labels":["Model"],"name":"M1","source":"s","params_billion":"big"}"#.into(),
            1,
            DataErrorKind::InvalidProperty,
        ),
        (
            "bad month",
            r#"{"id":"m1","labels":["Model"],"name":"M1","source":"s","released":"2023-13"}"#.into(),
            1,
            DataErrorKind::InvalidProperty,
        ),
        (
            "labels not a list",
            r#"{"id":"m1","labels":"Model","name":"M1","source":"s"}"#.into(),
            1,
            DataErrorKind::InvalidProperty,
        ),
        (
            "very long line",
            format!(r#"{{"id":"m1","labels":["Modle"],"name":"{long_name}","source":"s"}}"#).into_bytes(),
            1,
            DataErrorKind::UnknownName,
        ),
        (
            "huge integer",
            r#"{"id":"m1","labels":["Model"],"name":"M","source":"s","founded":1e400}"#.into(),
            1,
            DataErrorKind::Malformed,
        ),
    ];
    for (what, bytes, line, kind) in cases {
        let err = load_nodes(&bytes).expect_err(what);
        let first = &err.errors[0];
        assert_eq!((first.location.line, first.kind), (line, kind), "{what}: {err}");
        assert_eq!(first.location.file, "nodes/x.jsonl", "{what}");
    }
}

#[test]
fn bom_crlf_and_blank_lines_are_accepted() {
    let text = format!("\u{feff}{NODE}\r\n\r\n{}\r\n", NODE.replace("m1", "m2"));
    let g = load_nodes(text.as_bytes()).unwrap();
    assert_eq!(g.node_count(), 2);
}

// ----- CSV --------------------------------------------------------------------

fn csv(nodes: &str, edges: &str) -> Result<Graph, aikg::LoadError> {
    Graph::from_csv_text("nodes.csv", nodes, "edges.csv", edges)
}

#[test]
fn malformed_csv_is_reported_with_its_row() {
    let edges = "src,dst,type\n";
    let long = "y".repeat(1 << 20);
    let cases: Vec<(&str, String, usize)> = vec![
        ("truncated row", "id,label,name\nA,Model,x\nB,Mod".into(), 3),
        ("duplicate header", "id,label,name,name\nA,Model,x,y\n".into(), 1),
        ("wrong type", "id,label,year:int\nA,Model,nineteen\n".into(), 2),
        ("unterminated quote", "id,label,name\nA,Model,\"open\nB,Model,x\n".into(), 2),
        ("text after quote", "id,label,name\nA,Model,\"a\"b\n".into(), 2),
        ("very long line", format!("id,label,name\nA,Model,{long},extra\n"), 2),
        ("binary", "id,label\n\u{0}\u{1},\u{2}\n\u{0}\u{1},\u{2}\n".into(), 3),
    ];
    for (what, nodes, row) in cases {
        let err = csv(&nodes, edges).expect_err(what);
        assert_eq!(err.errors[0].location.line, row, "{what}: {err}");
    }
    // Edges naming unknown nodes: every bad row, and no graph.
    let err = csv("id,label\nA,Model\n", "src,dst,type\nA,B,R\nC,A,R\nA,A,R\n").unwrap_err();
    let rows: Vec<usize> = err.errors.iter().map(|e| e.location.line).collect();
    assert_eq!(rows, vec![2, 3]);
}

#[test]
fn a_file_full_of_errors_is_summarised() {
    let mut nodes = String::from("id,label\n");
    for i in 0..10_000 {
        nodes.push_str(&format!("N{i},\n"));
    }
    let err = csv(&nodes, "src,dst,type\n").unwrap_err();
    assert!(err.errors.len() <= 101);
    assert!(err.to_string().contains("more errors not shown"), "{}", err.errors.last().unwrap());
}

// ----- queries ----------------------------------------------------------------

fn syntax_error(text: &str) -> aikg::QueryError {
    match Query::parse(text) {
        Err(Error::Query(q)) => q,
        Ok(_) => panic!("expected an error for {text:?}"),
        Err(other) => panic!("expected a query error for {text:?}, got {other}"),
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    for depth in [1_000, 5_000, 20_000] {
        for (open, close) in [("(", ")"), ("[", "]"), ("{a: ", "}"), ("-", ""), ("NOT ", "")] {
            let text = format!("RETURN {}1{}", open.repeat(depth), close.repeat(depth));
            let err = syntax_error(&text);
            assert_eq!(err.class, ErrorClass::SyntaxError, "{open} x {depth}");
            let _ = err.render();
        }
    }
}

/// `single(` starts a quantifier or a call, and telling which once took
/// parsing the argument twice: nested 40 deep, 2^40 parses (found by the
/// parse fuzz target). Each form here must parse in one pass.
#[test]
fn nested_quantifier_names_parse_once_each() {
    for depth in [40, 150] {
        for (open, close) in
            [("single(", ")"), ("any(x IN [", "])"), ("none(x IN ", " OR true)"), ("[single(", ")]")]
        {
            let text = format!("RETURN {}1{}", open.repeat(depth), close.repeat(depth));
            // Valid or not (a quantifier of a non-list), it ends.
            let _ = Query::parse(&text);
            let unclosed = format!("RETURN {}", open.repeat(depth));
            let _ = syntax_error(&unclosed).render();
        }
    }
    let q = Query::parse(
        "RETURN single(x IN [1, 2] WHERE x > 1) AS one, any(x IN [1] WHERE x = 2 OR true) AS two",
    )
    .expect("quantifiers parse");
    let g = Graph::new();
    let rows = q.run(&g, &aikg::Params::new()).unwrap().into_rows();
    assert_eq!(rows, [vec![aikg::Value::Bool(true), aikg::Value::Bool(true)]]);
}

#[test]
fn every_unterminated_construct_is_a_located_error() {
    let cases = [
        "RETURN 'abc",
        "RETURN \"abc",
        "RETURN 1 /* comment",
        "RETURN `abc",
        "MATCH (n",
        "MATCH (n:",
        "MATCH (n)-[r",
        "MATCH (n)-[r:T*1..",
        "MATCH (n)-->",
        "MATCH (n {a: 1",
        "RETURN [1, 2",
        "RETURN {a: 1",
        "RETURN CASE WHEN true THEN 1",
        "RETURN $",
        "RETURN 1 +",
        "RETURN f(1,",
        "RETURN [x IN [1] WHERE",
        "MATCH (n) WHERE",
        "MATCH (n) RETURN n ORDER BY",
        "UNWIND [1] AS",
        "",
        "   ",
        "RETURN 99999999999999999999999999",
        "RETURN 1e999999",
        "RETURN '\\u12'",
    ];
    for text in cases {
        let err = syntax_error(text);
        if let Some(span) = err.span {
            assert!(span.start <= text.len() && span.end <= text.len(), "{text:?}: {span:?}");
        }
        let rendered = err.render();
        assert!(!err.message.is_empty() && !rendered.is_empty(), "{text:?}");
    }
    assert_eq!(syntax_error("RETURN 99999999999999999999999999").detail, "IntegerOverflow");
}

fn budget(timeout_ms: u64) -> QueryOptions {
    QueryOptions { timeout: Some(Duration::from_millis(timeout_ms)), ..QueryOptions::default() }
}

fn limit_error(result: Result<aikg::ResultSet, Error>) -> aikg::QueryError {
    match result {
        Err(Error::Query(q)) if q.class == ErrorClass::LimitExceeded => q,
        Err(other) => panic!("expected a limit error, got {other}"),
        Ok(r) => panic!("expected a limit error, got {} rows", r.len()),
    }
}

#[test]
fn runaway_queries_stop_within_twice_their_budget() {
    let mut dense = Graph::new();
    dense
        .execute("UNWIND range(1, 60) AS i CREATE (:N {i: i})")
        .and_then(|_| {
            dense.execute("MATCH (a:N), (b:N) WHERE a.i < b.i AND (a.i + b.i) % 3 = 0 CREATE (a)-[:R]->(b)")
        })
        .expect("dense graph builds");
    let cases: [(&Graph, &str); 3] = [
        (&dense, "MATCH p = (a)-[*]-(b) RETURN p"),
        (&dense, "UNWIND range(1, 100000000) AS x RETURN count(x)"),
        (&dense, "MATCH (a), (b), (c), (d), (e) RETURN count(*)"),
    ];
    for (graph, text) in cases {
        let query = Query::parse(text).unwrap();
        let started = Instant::now();
        let err = limit_error(query.run_with(graph, &Params::new(), &budget(200)));
        let took = started.elapsed();
        assert!(took < Duration::from_millis(400), "{text}: stopped after {took:?}");
        assert!(err.message.contains("timeout") || err.message.contains("time"), "{text}: {}", err.message);
    }
}

#[test]
fn row_and_expansion_limits_name_the_limit() {
    let g = Graph::builtin();
    let rows = QueryOptions { max_rows: Some(10), ..QueryOptions::default() };
    let err = limit_error(
        g.query("MATCH (n) RETURN n")
            .map(|_| ())
            .and_then(|_| Query::parse("MATCH (n) RETURN n")?.run_with(&g, &Params::new(), &rows)),
    );
    assert!(err.message.contains("row"), "{}", err.message);
    let expansions = QueryOptions { max_expansions: Some(100), ..QueryOptions::default() };
    let err = limit_error(Query::parse("MATCH (a)-[*]-(b) RETURN count(*)").unwrap().run_with(
        &g,
        &Params::new(),
        &expansions,
    ));
    assert!(err.message.contains("expansion"), "{}", err.message);
}

#[test]
fn cancellation_from_another_thread() {
    let g = Graph::builtin();
    let cancel = CancelHandle::new();
    let options = QueryOptions { cancel: Some(cancel.clone()), ..QueryOptions::default() };
    let query =
        Query::parse("UNWIND range(1, 100000) AS x UNWIND range(1, 100000) AS y RETURN sum(x * y)").unwrap();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        cancel.cancel();
    });
    let started = Instant::now();
    let err = limit_error(query.run_with(&g, &Params::new(), &options));
    canceller.join().unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(err.message.contains("cancel"), "{}", err.message);
}

// ----- mutation smoke run -------------------------------------------------------

/// A tiny deterministic generator, so a failure names a reproducible case.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const SEEDS: &[&str] = &[
    "MATCH (m:Model {id: 'glm-130b'})<-[:BUILT_ON*]-(d) RETURN DISTINCT d.id ORDER BY d.id",
    "MATCH (c:Company)<-[r:INVESTED_IN]-(i) WHERE r.year >= 2021 RETURN c.name, collect(i.name) AS investors",
    "MATCH p = shortestPath((a {id: 'chatglm-6b'})-[*]-(b {id: 'openai'})) RETURN length(p), nodes(p)",
    "UNWIND [1, 2.5, 'x', null, [1, 2], {a: 1}] AS v RETURN v, toString(v), size(toString(v)) SKIP 1 LIMIT 3",
    "MATCH (a:Lab) OPTIONAL MATCH (a)<-[:INCUBATED_BY]-(c) WITH a, count(c) AS n WHERE n > 0 RETURN a.name, n",
    "RETURN CASE 1 WHEN 1 THEN [x IN range(1, 5) WHERE x % 2 = 1 | x * 2] ELSE {k: substring('abc', 1)} END",
    "MATCH (n) WHERE n.name STARTS WITH 'GL' OR n.name_zh CONTAINS '智谱' RETURN n.id, labels(n), keys(n)[0]",
    "CREATE (a:Model {id: 'x', name: 'X', source: 's'})-[:BUILT_ON {source: 's'}]->(b:Model {id: 'y', name: 'Y', source: 's'}) RETURN a, b",
];

/// Runs one text through the `query` fuzz target's path: parse, then run
/// under a small budget (on a copy for writes).
fn exercise(graph: &Graph, text: &str) {
    let Ok(query) = Query::parse(text) else { return };
    let options = QueryOptions {
        timeout: Some(Duration::from_millis(50)),
        max_rows: Some(1_000),
        max_expansions: Some(100_000),
        ..QueryOptions::default()
    };
    if query.is_read_only() {
        let _ = query.run_with(graph, &Params::new(), &options);
    } else {
        let mut copy = graph.clone();
        let _ = query.run_mut_with(&mut copy, &Params::new(), &options);
    }
}

#[test]
fn mutated_queries_never_panic() {
    let graph = Graph::builtin();
    let alphabet: Vec<char> = "()[]{}<>-=:.,*|$'\"`/ \n0123456789abcnrxyzMATCHRETURNWITH智".chars().collect();
    let mut rng = SplitMix(0x5EED);
    let cases = std::env::var("AIKG_SMOKE_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(3_000);
    for case in 0..cases {
        let mut chars: Vec<char> = SEEDS[rng.below(SEEDS.len())].chars().collect();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(chars.len() + 1);
            match rng.below(4) {
                0 if at < chars.len() => {
                    chars.remove(at);
                }
                1 => chars.insert(at, alphabet[rng.below(alphabet.len())]),
                2 if at < chars.len() => {
                    let end = (at + 1 + rng.below(8)).min(chars.len());
                    let piece: Vec<char> = chars[at..end].to_vec();
                    chars.splice(at..at, piece);
                }
                _ => chars.truncate(at),
            }
        }
        let text: String = chars.into_iter().collect();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| exercise(&graph, &text)));
        assert!(outcome.is_ok(), "case {case} panicked on {text:?}");
    }
}

#[test]
fn mutated_data_files_never_panic() {
    let good = aikg::load::BUILTIN_FILES.iter().find(|(n, _)| n.starts_with("nodes/")).unwrap().1;
    let mut rng = SplitMix(42);
    for case in 0..300 {
        let mut bytes = good.as_bytes()[..good.len().min(4_000)].to_vec();
        for _ in 0..1 + rng.below(6) {
            let at = rng.below(bytes.len());
            match rng.below(3) {
                0 => bytes[at] = rng.next() as u8,
                1 => {
                    bytes.remove(at);
                }
                _ => bytes.insert(at, b"{}[]\",:\n\\"[rng.below(9)]),
            }
        }
        let outcome = std::panic::catch_unwind(|| {
            let _ = load_nodes(&bytes);
            let text = String::from_utf8_lossy(&bytes);
            let _ = csv(&text, &text);
        });
        assert!(outcome.is_ok(), "case {case} panicked");
    }
}

// ----- concurrency ----------------------------------------------------------------

/// `Graph` is `Send + Sync`, so one graph serves any number of readers.
#[test]
fn graph_and_results_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Graph>();
    assert_send_sync::<Query>();
    assert_send_sync::<aikg::ResultSet>();
    assert_send_sync::<Error>();
}

#[test]
fn eight_threads_agree_with_one() {
    let graph = Arc::new(Graph::builtin());
    let texts: Vec<(&str, Params)> = vec![
        ("MATCH (m:Model)-[:DEVELOPED_BY]->(c:Company) RETURN c.id, count(m) AS n ORDER BY n DESC, c.id", Params::new()),
        ("MATCH (b {id: $id})<-[:BUILT_ON*]-(d) RETURN DISTINCT d.id ORDER BY d.id", params("id", "glm-130b")),
        ("MATCH (c:Company)<-[r:INVESTED_IN]-(i) RETURN c.id, r.round, r.year, i.id ORDER BY c.id, i.id, r.round", Params::new()),
        ("MATCH p = shortestPath((a {id: $a})-[*]-(b {id: 'openai'})) RETURN [n IN nodes(p) | n.id]", params("a", "chatglm-6b")),
        ("MATCH (n) WHERE n.name_zh CONTAINS $s RETURN n.id ORDER BY n.id", params("s", "智")),
        ("MATCH (l:Lab) OPTIONAL MATCH (l)<-[:INCUBATED_BY]-(c) RETURN l.id, collect(c.id) AS c ORDER BY l.id", Params::new()),
    ];
    let queries: Vec<(Query, Params)> =
        texts.iter().map(|(t, p)| (Query::parse(t).unwrap(), p.clone())).collect();
    // Parsed and never run: the threads race to plan them first.
    let fresh: Arc<Vec<Query>> = Arc::new(texts.iter().map(|(t, _)| Query::parse(t).unwrap()).collect());
    let expected: Vec<Vec<Vec<Value>>> =
        queries.iter().map(|(q, p)| q.run(&graph, p).unwrap().into_rows()).collect();
    assert!(expected.iter().all(|rows| !rows.is_empty()));
    let queries = Arc::new(queries);
    let expected = Arc::new(expected);
    let workers: Vec<_> = (0..8)
        .map(|t| {
            let (graph, queries, expected, fresh) =
                (graph.clone(), queries.clone(), expected.clone(), fresh.clone());
            std::thread::spawn(move || {
                for i in 0..1_000 {
                    let k = (i * 7 + t) % queries.len();
                    let (q, p) = &queries[k];
                    // A third through the graph's plan cache: cached plans and
                    // the graph's kept search buffers are shared by every thread.
                    let rows = match i % 3 {
                        0 => q.run(&graph, p),
                        1 => fresh[k].run(&graph, p),
                        _ => graph.query_with(q.text(), p),
                    };
                    assert_eq!(rows.unwrap().into_rows(), expected[k], "thread {t}, query {k}");
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("a reader thread failed");
    }
}

fn params(key: &str, value: &str) -> Params {
    Params::from([(key, value)])
}

// ----- temporal values --------------------------------------------------------

#[test]
fn temporal_values_out_of_range_are_errors_not_panics() {
    let g = Graph::new();
    for q in [
        "RETURN duration({seconds: -9223372036854775807}) * -2",
        "RETURN localdatetime('2015-07-21T21:40') - duration({seconds: -9223372036854775807})",
        "RETURN date('+999999999-01-01')",
        "RETURN datetime('2015-07-21T21:40:32.142[Nowhere/Zone]')",
        "RETURN date({year: 2020, quarter: 1, dayOfQuarter: 99999999999})",
        "RETURN date({year: 2020, ordinalDay: 400})",
        "RETURN localtime('25:00')",
        "RETURN duration('P')",
        "RETURN duration('PT1.5.5S')",
        "RETURN duration({months: 1e300})",
        "RETURN date('2015-01-01') + duration({years: 9000})",
        "RETURN datetime.fromepochmillis(9223372036854775807)",
        "RETURN date.truncate('fortnight', date('2015-01-01'))",
    ] {
        let err = g.query(q).expect_err(q);
        assert!(matches!(err, Error::Query(_)), "{q}: {err}");
    }
}

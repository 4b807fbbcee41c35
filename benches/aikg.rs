//! Criterion benches, in the groups `load/` (the built-in data, and the 10k
//! graph from CSV and from a snapshot), `parse/`, `plan/` and `exec/`.
//!
//! `cargo bench --bench aikg` (add a filter such as `exec/100k` to narrow it).
//! The generated graphs come from `../shared/bench/gen.py` (10k and 100k
//! nodes, seed 42), written once under `target/bench-data/`; benches that
//! need them are skipped when Python or the generator is missing.
//!
//! `AIKG_BENCH_10M=1` adds `exec/10M` (ten million nodes, 53 million
//! relationships: about 7 GB of memory, several minutes to generate the
//! first time, so never in CI); `AIKG_BENCH_10M=DIR` takes the graph from
//! a folder `gen.py` already wrote. `Q6_1thread` in each `exec/` group is
//! Q6 kept on one thread, beside `Q6` on all of them.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use aikg::{Graph, Params, Query, Value};
use criterion::{criterion_group, criterion_main, Criterion};

const QUERIES: [(&str, &str); 7] = [
    ("q1_point", "Q1"),
    ("q2_investors", "Q2"),
    ("q3_lineage", "Q3"),
    ("q4_descendants", "Q4"),
    ("q5_lab_portfolio", "Q5"),
    ("q6_lab_reach", "Q6"),
    ("q7_shortest", "Q7"),
];

fn bench_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench")
}

fn query_text(file: &str) -> String {
    std::fs::read_to_string(bench_dir().join("queries").join(format!("{file}.cypher")))
        .unwrap_or_else(|e| panic!("{file}.cypher: {e}"))
}

/// Generates (once) and returns the folder of a synthetic graph.
fn dataset(nodes: usize) -> Option<PathBuf> {
    if nodes == 10_000_000 {
        if let Some(dir) = std::env::var_os("AIKG_BENCH_10M").map(PathBuf::from).filter(|d| d.is_dir()) {
            return Some(dir);
        }
    }
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("target/bench-data/kg-{nodes}"));
    if out.join("params.json").exists() {
        return Some(out);
    }
    let status = std::process::Command::new("python3")
        .arg(bench_dir().join("gen.py"))
        .args(["--nodes", &nodes.to_string(), "--seed", "42", "--out"])
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .status()
        .ok()?;
    status.success().then_some(out)
}

fn params(q: &str, p: &serde_json::Value) -> Params {
    let get = |k: &str| Value::from(p[k].as_str().unwrap_or_default());
    let pairs: Vec<(&str, Value)> = match q {
        "Q1" => vec![("id", get("q1_id"))],
        "Q2" => vec![("company", get("q2_company"))],
        "Q3" => vec![("model", get("q3_model"))],
        "Q4" => vec![("base", get("q4_base"))],
        "Q5" => vec![("lab", get("q5_lab"))],
        "Q7" => vec![("src", get("q7_src")), ("dst", get("q7_dst"))],
        _ => vec![],
    };
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn load(c: &mut Criterion) {
    let mut group = c.benchmark_group("load");
    group.bench_function("builtin", |b| {
        b.iter(|| {
            let files = aikg::load::BUILTIN_FILES
                .iter()
                .map(|(name, text)| aikg::load::DataFile::new(name, text.as_bytes()));
            let g = aikg::load::parse_graph_data(files, &aikg::model::schema::AI_INDUSTRY).unwrap();
            black_box(g.node_count())
        })
    });
    if let Some(dir) = dataset(10_000) {
        let nodes = std::fs::read_to_string(dir.join("nodes.csv")).unwrap();
        let edges = std::fs::read_to_string(dir.join("edges.csv")).unwrap();
        let expected = Graph::from_csv_text("nodes.csv", &nodes, "edges.csv", &edges).unwrap().edge_count();
        group.sample_size(20);
        group.bench_function("csv_10k", |b| {
            b.iter(|| {
                let g = Graph::from_csv_text("nodes.csv", black_box(&nodes), "edges.csv", &edges).unwrap();
                assert_eq!(g.edge_count(), expected);
            })
        });
        // The same graph from a snapshot held in memory, as `Graph::open`
        // reads a small file: beside `csv_10k`, the ratio the snapshot is for.
        let graph = Graph::from_csv_text("nodes.csv", &nodes, "edges.csv", &edges).unwrap();
        let mut snapshot = Vec::new();
        graph.write_snapshot(&mut snapshot).unwrap();
        group.bench_function("snapshot_10k", |b| {
            b.iter(|| {
                let g = Graph::read_snapshot(black_box(&snapshot[..])).unwrap();
                assert_eq!(g.edge_count(), expected);
            })
        });
    }
    group.finish();
}

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    for (file, _) in QUERIES {
        let text = query_text(file);
        Query::parse(&text).expect("bench query parses");
        group.bench_function(file, |b| b.iter(|| Query::parse(black_box(&text)).unwrap()));
    }
    group.finish();
}

fn plan(c: &mut Criterion) {
    let graph = Graph::builtin();
    let mut group = c.benchmark_group("plan");
    for (file, _) in QUERIES {
        let query = Query::parse(&query_text(file)).unwrap();
        query.explain(&graph).expect("bench query plans");
        group.bench_function(file, |b| b.iter(|| query.explain(black_box(&graph)).unwrap()));
    }
    group.finish();
}

fn exec_generated(c: &mut Criterion, nodes: usize, label: &str) {
    let Some(dir) = dataset(nodes) else {
        eprintln!("skipping exec/{label}: could not generate the data");
        return;
    };
    let graph = Graph::from_csv(dir.join("nodes.csv"), dir.join("edges.csv")).unwrap();
    let p: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("params.json")).unwrap()).unwrap();
    let mut group = c.benchmark_group(format!("exec/{label}"));
    group.sample_size(20);
    for (file, q) in QUERIES {
        let query = Query::parse(&query_text(file)).unwrap();
        let params = params(q, &p);
        let rows = query.run(&graph, &params).expect("bench query runs").len();
        assert!(rows > 0, "{q} returned nothing");
        group.bench_function(q, |b| {
            b.iter(|| assert_eq!(query.run(black_box(&graph), &params).unwrap().len(), rows))
        });
        // The point lookup twice more: with its values lent for a closure
        // instead of copied into a result, and found in the graph's plan
        // cache by its text, which is what a caller that keeps no parsed
        // query pays on top.
        if q == "Q6" {
            let one = aikg::QueryOptions { threads: Some(1), ..aikg::QueryOptions::default() };
            group.bench_function("Q6_1thread", |b| {
                b.iter(|| assert_eq!(query.run_with(black_box(&graph), &params, &one).unwrap().len(), rows))
            });
        }
        if q == "Q3" {
            // The model's whole family, both ways: a search whose start node
            // counts only over a cycle, which it looks for apart.
            let family = Query::parse(
                "MATCH (m:Model {id: $model})-[:BUILT_ON*]-(a:Model) RETURN count(DISTINCT a) AS n",
            )
            .unwrap();
            let n = family.run(&graph, &params).unwrap().row(0).map(|r| r[0].clone());
            group.bench_function("Q3_family", |b| {
                b.iter(|| {
                    assert_eq!(
                        family.run(black_box(&graph), &params).unwrap().row(0).map(|r| r[0].clone()),
                        n
                    )
                })
            });
        }
        if q == "Q1" {
            group.bench_function("Q1_rows", |b| {
                b.iter(|| {
                    let lent = query.for_each_row(black_box(&graph), &params, |row| {
                        black_box(row.value(1));
                    });
                    assert_eq!(lent.unwrap(), rows)
                })
            });
            let text = query.text();
            group.bench_function("Q1_by_text", |b| {
                b.iter(|| assert_eq!(graph.query_with(black_box(text), &params).unwrap().len(), rows))
            });
        }
    }
    group.finish();
}

fn exec(c: &mut Criterion) {
    exec_generated(c, 10_000, "10k");
    exec_generated(c, 100_000, "100k");
    if std::env::var_os("AIKG_BENCH_10M").is_some_and(|v| !v.is_empty() && v != "0") {
        exec_generated(c, 10_000_000, "10M");
    }
    let graph = Graph::builtin();
    let lineage = [
        ("built_on_glm_130b", "MATCH (b {id: 'glm-130b'})<-[:BUILT_ON*]-(m) RETURN DISTINCT m.id"),
        ("gpt_family_upstream", "MATCH (m {id: 'chatgpt'})-[:BUILT_ON*]->(a) RETURN DISTINCT a.id"),
        ("glm_family_both_ways", "MATCH (m {id: 'glm-130b'})-[:BUILT_ON*]-(a) RETURN DISTINCT a.id"),
        (
            "tsinghua_spinouts_investors",
            "MATCH (u:University {id: 'tsinghua-university'})<-[:PART_OF*0..]-(lab)<-[:INCUBATED_BY]-(c:Company)<-[r:INVESTED_IN]-(i) RETURN c.name, i.name, r.round, r.year",
        ),
        ("path_chatglm_tsinghua", "MATCH p = shortestPath((a {id: 'chatglm-6b'})-[*]-(b {id: 'tsinghua-university'})) RETURN length(p)"),
    ];
    let mut group = c.benchmark_group("exec/builtin");
    for (name, text) in lineage {
        let query = Query::parse(text).unwrap();
        let rows = query.run(&graph, &Params::new()).unwrap().len();
        assert!(rows > 0, "{name} returned nothing");
        group.bench_function(name, |b| {
            b.iter(|| assert_eq!(query.run(&graph, &Params::new()).unwrap().len(), rows))
        });
    }
    group.finish();
}

criterion_group!(benches, load, parse, plan, exec);
criterion_main!(benches);

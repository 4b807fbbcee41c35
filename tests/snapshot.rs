//! Snapshots end to end: `Graph::save` / `Graph::open` through the library
//! and through `aikg export --format snapshot` and `aikg --graph FILE`, and
//! `aikg stats --memory`.

use std::path::PathBuf;
use std::process::{Command, Output};

use aikg::{Error, Graph};
use serde_json::Value as Json;

fn aikg(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aikg")).args(args).env("AIKG_HISTORY", "").output().expect("aikg runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

/// A path under the temp dir, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str) -> TempFile {
        TempFile(std::env::temp_dir().join(format!("aikg-snapshot-test-{}-{name}", std::process::id())))
    }

    fn arg(&self) -> String {
        self.0.display().to_string()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

const QUERIES: &[&str] = &[
    "MATCH (m:Model)-[:BUILT_ON*]->(b:Model) RETURN m.id, b.id ORDER BY m.id, b.id",
    "MATCH (c:Company {name_zh: '智谱AI'})<-[i:INVESTED_IN]-(v) RETURN v.name, i.round, i.year ORDER BY v.name",
    "MATCH (n) RETURN labels(n) AS l, count(*) AS n ORDER BY l",
    "MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS n ORDER BY t",
    "MATCH (n {id: 'chatglm-6b'}) RETURN n",
];

#[test]
fn the_builtin_graph_answers_every_query_alike_after_save_and_open() {
    let graph = Graph::builtin();
    let file = TempFile::new("builtin.snapshot");
    graph.save(&file.0).unwrap();
    let opened = Graph::open(&file.0).unwrap();
    assert_eq!(opened.schema(), graph.schema());
    for q in QUERIES {
        let (a, b) = (graph.query(q).unwrap(), opened.query(q).unwrap());
        assert!(!a.is_empty(), "{q} returns rows");
        assert_eq!(a.to_string(), b.to_string(), "{q}");
    }
    assert_eq!(opened.resolve("智谱 AI").unwrap(), graph.resolve("智谱 AI").unwrap());
}

#[test]
fn values_made_by_queries_round_trip() {
    let mut graph = Graph::new();
    let create = "CREATE (:Event {on: date('2023-03-14'), at: datetime('2023-03-14T09:30:00.5+08:00[Asia/Shanghai]'), \
                  local: localdatetime('2023-03-14T09:30'), t: time('09:30+01:00'), lt: localtime('23:59:59.999999999'), \
                  took: duration('P1Y2M3DT4H5M6.7S'), tags: ['a', 'b'], scores: [1, 2.5, -0.0], open: true, n: -9007199254740993})";
    graph.execute(create).unwrap();
    let file = TempFile::new("values.snapshot");
    graph.save(&file.0).unwrap();
    let opened = Graph::open(&file.0).unwrap();
    let q = "MATCH (e:Event) RETURN e.on, e.at, e.local, e.t, e.lt, e.took, e.tags, e.scores, e.open, e.n, e.at.timezone";
    let (a, b) = (graph.query(q).unwrap().into_rows(), opened.query(q).unwrap().into_rows());
    assert_eq!(a.len(), 1);
    assert!(a[0].iter().all(|v| !v.is_null()), "{a:?}");
    assert_eq!(a, b);
}

#[test]
fn cli_export_then_graph_gives_the_same_json_export() {
    let file = TempFile::new("cli.snapshot");
    let wrote = aikg(&["export", "--format", "snapshot", "-o", &file.arg()]);
    assert!(wrote.status.success(), "{}", text(&wrote.stderr));
    let note = text(&wrote.stderr);
    assert!(note.contains(&format!("relationships to {}", file.arg())), "{note}");
    let direct = aikg(&["export", "--format", "json"]);
    let via = aikg(&["--graph", &file.arg(), "export", "--format", "json"]);
    assert!(via.status.success(), "{}", text(&via.stderr));
    assert_eq!(text(&direct.stdout), text(&via.stdout));
    let stats = aikg(&["--graph", &file.arg(), "stats"]);
    assert_eq!(text(&stats.stdout), text(&aikg(&["stats"]).stdout));
    let check = aikg(&["--graph", &file.arg(), "validate"]);
    assert!(check.status.success(), "{}", text(&check.stdout));
}

#[test]
fn cli_writes_a_snapshot_to_standard_output() {
    let out = aikg(&["export", "--format", "snapshot", "-o", "-"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let opened = Graph::read_snapshot(out.stdout.as_slice()).unwrap();
    assert_eq!(opened.node_count(), Graph::builtin().node_count());
}

#[test]
fn cli_snapshot_export_takes_the_whole_graph_and_a_file() {
    let no_file = aikg(&["export", "--format", "snapshot"]);
    assert_eq!(no_file.status.code(), Some(2));
    assert!(text(&no_file.stderr).contains("--format snapshot needs -o FILE"), "{}", text(&no_file.stderr));
    let query = aikg(&["export", "--format", "snapshot", "-o", "x", "--query", "MATCH (n) RETURN n"]);
    assert_eq!(query.status.code(), Some(2));
    assert!(text(&query.stderr).contains("saves the whole graph"), "{}", text(&query.stderr));
}

/// The error `aikg --graph FILE stats` prints for these bytes.
fn cli_error(name: &str, bytes: &[u8]) -> String {
    let file = TempFile::new(name);
    std::fs::write(&file.0, bytes).unwrap();
    let run = aikg(&["--graph", &file.arg(), "stats"]);
    assert_eq!(run.status.code(), Some(1), "{name}: {}", text(&run.stdout));
    text(&run.stderr).replace(&file.arg(), "FILE")
}

#[test]
fn cut_corrupt_and_newer_snapshots_are_refused_with_the_file_named() {
    let mut good = Vec::new();
    Graph::builtin().write_snapshot(&mut good).unwrap();
    let cut = cli_error("cut.snapshot", &good[..good.len() / 2]);
    assert!(cut.starts_with("FILE: truncated snapshot: the end marker is missing"), "{cut}");
    let mut flipped = good.clone();
    flipped[good.len() / 2] ^= 0x40;
    let corrupt = cli_error("flipped.snapshot", &flipped);
    assert!(corrupt.starts_with("FILE: snapshot checksum mismatch"), "{corrupt}");
    let mut newer = good.clone();
    newer[8] = 9;
    let newer = cli_error("newer.snapshot", &newer);
    assert!(newer.starts_with("FILE: snapshot format version 9 is newer than this aikg reads"), "{newer}");
    // A file without the magic is read as a JSON export, as before.
    let foreign = cli_error("foreign.bin", b"\x7fELF\x02\x01\x01");
    assert!(!foreign.contains("snapshot"), "{foreign}");
}

#[test]
fn the_library_refuses_a_foreign_file_and_names_it() {
    let file = TempFile::new("foreign.json");
    std::fs::write(&file.0, "{\"nodes\":[],\"relationships\":[]}").unwrap();
    let err = Graph::open(&file.0).unwrap_err();
    assert!(matches!(err, Error::Load(_)));
    let message = err.as_load().unwrap().errors[0].to_string();
    assert_eq!(
        message,
        format!("{}: not an aikg snapshot (it does not start with the snapshot magic bytes)", file.arg())
    );
    assert!(matches!(Graph::open(file.0.with_extension("missing")), Err(Error::Io { .. })));
}

#[test]
fn stats_memory_prints_each_component_and_a_total() {
    let table = text(&aikg(&["stats", "--memory"]).stdout);
    for row in [
        "adjacency",
        "  petgraph lists",
        "properties",
        "  nodes",
        "indexes",
        "  id",
        "names",
        "other",
        "total",
    ] {
        assert!(table.lines().any(|l| l.starts_with(row)), "{row} in\n{table}");
    }
    assert!(table.contains(" MiB"), "{table}");
    let json: Json = serde_json::from_str(&text(&aikg(&["stats", "--memory", "--json"]).stdout)).unwrap();
    let object = json.as_object().unwrap();
    let sum: u64 = object.iter().filter(|(k, _)| *k != "total").map(|(_, v)| v.as_u64().unwrap()).sum();
    assert_eq!(object["total"].as_u64(), Some(sum));
    assert!(object["node_properties"].as_u64().unwrap() > 0);
    assert!(object["graph"].as_u64().unwrap() > 0);
}

//! End-to-end tests of the `aikg` binary: each command run as a process,
//! checking its output, its exit status and the contracts other tools rely
//! on (JSON shapes, file formats).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use aikg::{Graph, Params, Query};
use serde_json::Value as Json;

#[path = "support/closed_pipe.rs"]
mod closed_pipe;

/// What one run of the binary did.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_in(dir: Option<&Path>, args: &[&str], stdin: Option<&str>) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_aikg"));
    cmd.args(args)
        .env("AIKG_HISTORY", "")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    let mut child = cmd.spawn().expect("the aikg binary runs");
    {
        let mut input = child.stdin.take().expect("stdin is piped");
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).expect("write stdin");
        }
    }
    let out = child.wait_with_output().expect("aikg finishes");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

fn aikg(args: &[&str]) -> Run {
    run_in(None, args, None)
}

/// A fresh, empty folder under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        // One level below a folder of this process's own, so that `../shared`
        // (where `validate` looks for the report by default) is never a
        // folder that happens to sit beside the system's temp folder.
        let path =
            std::env::temp_dir().join(format!("aikg-cli-{}", std::process::id())).join(format!("{n}-{name}"));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.0.join(rel);
        std::fs::create_dir_all(path.parent().expect("has a parent")).expect("create parent");
        std::fs::write(&path, text).expect("write file");
        path
    }

    fn path(&self, rel: &str) -> String {
        self.0.join(rel).display().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
        // The process's folder goes with its last test folder.
        if let Some(parent) = self.0.parent() {
            let _ = std::fs::remove_dir(parent);
        }
    }
}

fn json(text: &str) -> Json {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

const GOOD_NODES: &str = concat!(
    r#"{"id":"glm-130b","labels":["Model"],"name":"GLM-130B","source":"s"}"#,
    "\n",
    r#"{"id":"zhipu-ai","labels":["Company"],"name":"Zhipu AI","name_zh":"智谱AI","source":"s"}"#,
    "\n"
);
const GOOD_RELATIONS: &str = r#"{"type":"DEVELOPED_BY","src":"glm-130b","dst":"zhipu-ai","source":"s"}"#;

/// The number on the line of `aikg stats` output that starts with `name`.
fn count_of(stats: &str, name: &str) -> usize {
    let line = stats
        .lines()
        .find(|l| l.split_whitespace().next() == Some(name))
        .unwrap_or_else(|| panic!("no line for {name}:\n{stats}"));
    line.split_whitespace().last().and_then(|n| n.parse().ok()).expect("a count ends the line")
}

// ----- stats and schema ----------------------------------------------------

#[test]
fn stats_match_the_builtin_graph() {
    let g = Graph::builtin();
    let run = aikg(&["stats"]);
    assert_eq!(run.code, 0, "{run:?}");
    let count = |name: &str| count_of(&run.stdout, name);
    assert_eq!(count("nodes"), g.node_count());
    assert_eq!(count("relationships"), g.edge_count());
    for (label, n) in g.labels() {
        assert_eq!(count(label), n, "{label}");
    }
    for (rel_type, n) in g.rel_types() {
        assert_eq!(count(rel_type), n, "{rel_type}");
    }

    let run = aikg(&["stats", "--json"]);
    let v = json(&run.stdout);
    assert_eq!(v["nodes"], g.node_count());
    assert_eq!(v["types"]["BUILT_ON"], g.rel_types().find(|(t, _)| *t == "BUILT_ON").unwrap().1);
}

#[test]
fn schema_shows_types_with_their_ends() {
    let run = aikg(&["schema"]);
    assert_eq!(run.code, 0, "{run:?}");
    for want in [
        "INVESTED_IN",
        "Investor|Company|Person -> Company",
        "round, year, date, lead, amount",
        "name_zh",
        "list of strings",
    ] {
        assert!(run.stdout.contains(want), "missing {want}:\n{}", run.stdout);
    }
}

// ----- validate ------------------------------------------------------------

#[test]
fn validate_reports_each_problem_and_exits_1() {
    let dir = TempDir::new("validate-bad");
    let good = GOOD_NODES.lines().next().unwrap();
    let bad = r#"{"id":"y","labels":["Modell"],"name":"Y","source":"s"}"#;
    dir.write("nodes/x.jsonl", &format!("{good}\n{bad}\n"));
    dir.write("relations/x.jsonl", r#"{"type":"BUILT_ON","src":"y","dst":"nope","source":"s"}"#);
    let run = aikg(&["validate", &dir.0.display().to_string()]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains("nodes/x.jsonl:2: node 'y': unknown label 'Modell'; did you mean 'Model'?"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("relations/x.jsonl:1: "), "{}", run.stdout);
    assert!(run.stdout.lines().last().is_some_and(|l| l.ends_with("problems")), "{}", run.stdout);
}

#[test]
fn validate_accepts_good_data_and_defaults_to_graph_data_here() {
    let dir = TempDir::new("validate-good");
    dir.write("graph-data/nodes/a.jsonl", GOOD_NODES);
    dir.write("graph-data/relations/a.jsonl", GOOD_RELATIONS);
    let run = run_in(Some(&dir.0), &["validate"], None);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "graph-data: ok, 2 nodes and 1 relationships\n");
    // --data names the folder too, and the other commands use it. (Run in the
    // temp dir, where no report sits at ../shared, so citations are not checked.)
    let data = dir.path("graph-data");
    let run = run_in(Some(&dir.0), &["--data", &data, "validate"], None);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.starts_with("note: no report at ../shared/seeds/"), "{}", run.stderr);
    let stats = aikg(&["stats", "--data", &data]);
    assert_eq!(count_of(&stats.stdout, "nodes"), 2, "{}", stats.stdout);
    // Nothing to validate: a usage error.
    let empty = TempDir::new("validate-none");
    let run = run_in(Some(&empty.0), &["validate"], None);
    assert_eq!(run.code, 2, "{run:?}");
}

/// A graph-data folder with line citations, and a report for them: Taobao
/// runs on M6 (line 2) and will be integrated with Tongyi (lines 4-6).
fn cited_data(dir: &TempDir) -> (String, String) {
    let report = dir.write(
        "report.txt",
        "阿里巴巴\nM6大模型已经在淘宝中应用\n\n未来将全面接入通义大模型，包括天猫、\n\n淘宝等\n",
    );
    dir.write(
        "g/nodes/a.jsonl",
        concat!(
            r#"{"id":"taobao","labels":["Product"],"name":"Taobao","name_zh":"淘宝","source":"s","lines":[2,2]}"#,
            "\n",
            r#"{"id":"m6","labels":["Model"],"name":"M6","source":"s","lines":[2,2]}"#,
            "\n",
            r#"{"id":"tongyi","labels":["Model"],"name":"Tongyi","name_zh":"通义大模型","source":"s","lines":[4,4]}"#,
            "\n",
        ),
    );
    dir.write(
        "g/relations/a.jsonl",
        concat!(
            r#"{"type":"BUILT_ON","src":"taobao","dst":"m6","source":"s","lines":[2,2]}"#,
            "\n",
            r#"{"type":"BUILT_ON","src":"taobao","dst":"tongyi","source":"s","status":"planned","lines":[4,6]}"#,
            "\n",
        ),
    );
    (dir.path("g"), report.display().to_string())
}

#[test]
fn validate_checks_citations_against_the_report() {
    let dir = TempDir::new("validate-cited");
    let (data, report) = cited_data(&dir);
    let run = aikg(&["validate", &data, "--report", &report]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run
        .stdout
        .ends_with(&format!("ok, 3 nodes and 2 relationships, every citation holds in {report}\n")));
    // A citation that misses an end, one too long, one missing: each with file:line.
    let rels = std::fs::read_to_string(dir.path("g/relations/a.jsonl")).unwrap();
    let broken = rels.replace(r#""lines":[2,2]}"#, r#""lines":[1,1]}"#).replace("[4,6]", "[4,50]");
    dir.write("g/relations/a.jsonl", &broken);
    dir.write("g/nodes/b.jsonl", r#"{"id":"dingtalk","labels":["Product"],"name":"DingTalk","source":"s"}"#);
    let run = aikg(&["validate", &data, "--source-text", &report]);
    assert_eq!(run.code, 1, "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[..3],
        [
            "nodes/b.jsonl:1: node 'dingtalk': no lines cited",
            "relations/a.jsonl:1: BUILT_ON 'taobao' -> 'm6': lines 1: no name of src 'taobao' (Taobao, 淘宝); no name of dst 'm6' (M6)",
            "relations/a.jsonl:2: BUILT_ON 'taobao' -> 'tongyi': lines 4-50 span 47 lines, more than 40",
        ],
        "{}",
        run.stdout
    );
    assert_eq!(
        lines[3],
        format!("{data}: 3 problems; the citations of 3 of 6 nodes and relationships hold in {report}"),
        "{}",
        run.stdout
    );
    // A report that cannot be read is an error, not a skipped check.
    assert_eq!(aikg(&["validate", &data, "--report", &dir.path("nope.txt")]).code, 1);
}

#[test]
fn show_quotes_the_report_beside_each_fact() {
    let dir = TempDir::new("show");
    let (data, report) = cited_data(&dir);
    let run = aikg(&["--data", &data, "show", "淘宝", "--report", &report]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.starts_with("Taobao 淘宝 (Product)\n  id       taobao\n"), "{}", run.stdout);
    assert!(run.stdout.contains("  lines 2\n  > 2  M6大模型已经在淘宝中应用\n"), "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "  BUILT_ON [planned] → Tongyi 通义大模型 (Model)\n    source  s\n    lines 4-6\n    > 4  未来将全面接入通义大模型，包括天猫、\n    > 6  淘宝等\n"
        ),
        "{}",
        run.stdout
    );
    // Without the report: the line numbers, and a note saying why.
    let run = run_in(Some(&dir.0), &["--data", &data, "show", "taobao"], None);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("    lines 4-6\n") && !run.stdout.contains("> 4"), "{}", run.stdout);
    assert!(run.stderr.contains("showing line numbers only"), "{}", run.stderr);
}

#[test]
fn lineage_and_path_mark_status_and_can_leave_plans_out() {
    let dir = TempDir::new("status");
    let (data, report) = cited_data(&dir);
    let run = aikg(&["--data", &data, "lineage", "taobao"]);
    assert_eq!(
        run.stdout,
        "Taobao 淘宝 (Product)\n├─ BUILT_ON → M6 (Model)\n└─ BUILT_ON [planned] → Tongyi 通义大模型 (Model)\n"
    );
    let run = aikg(&["--data", &data, "lineage", "taobao", "--facts-only"]);
    assert_eq!(run.stdout, "Taobao 淘宝 (Product)\n└─ BUILT_ON → M6 (Model)\n");
    let run = aikg(&["--data", &data, "lineage", "taobao", "--sources", "--report", &report]);
    assert_eq!(
        run.stdout,
        "Taobao 淘宝 (Product)\n├─ BUILT_ON → M6 (Model)\n│     lines 2\n│     > 2  M6大模型已经在淘宝中应用\n\
         └─ BUILT_ON [planned] → Tongyi 通义大模型 (Model)\n      lines 4-6\n      > 4  未来将全面接入通义大模型，包括天猫、\n      > 6  淘宝等\n"
    );
    let run = aikg(&["--data", &data, "path", "taobao", "tongyi"]);
    assert_eq!(run.stdout.lines().next(), Some("Taobao —BUILT_ON [planned]→ Tongyi"), "{run:?}");
    let run = aikg(&["--data", &data, "path", "taobao", "tongyi", "--established"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("through established facts"), "{}", run.stderr);
}

// ----- global options ------------------------------------------------------

#[test]
fn bulk_csv_before_or_after_the_subcommand() {
    let dir = TempDir::new("csv");
    let nodes = dir.write("n.csv", "id,label,name\na,Model,Alpha\nb,Model;Product,Beta\nc,Company,智谱AI\n");
    let edges = dir.write("e.csv", "src,dst,type,year\na,b,BUILT_ON,2022\nb,c,DEVELOPED_BY,\n");
    let (n, e) = (nodes.display().to_string(), edges.display().to_string());
    for args in [vec!["--nodes", &n, "--edges", &e, "stats"], vec!["stats", "--nodes", &n, "--edges", &e]] {
        let run = aikg(&args);
        assert_eq!(run.code, 0, "{run:?}");
        assert_eq!(count_of(&run.stdout, "nodes"), 3, "{}", run.stdout);
        assert_eq!(count_of(&run.stdout, "Model"), 2, "{}", run.stdout);
        assert_eq!(count_of(&run.stdout, "relationships"), 2, "{}", run.stdout);
    }
    let run = aikg(&["--nodes", &n, "--edges", &e, "lineage", "Alpha"]);
    assert!(run.stdout.contains("BUILT_ON [2022] → Beta (Model, Product)"), "{run:?}");
    let run = aikg(&[
        "--nodes",
        &n,
        "--edges",
        &e,
        "query",
        "MATCH (a {id: 'a'})-[r]->(b) RETURN b.name AS b, r.year AS y",
        "-f",
        "csv",
    ]);
    assert_eq!(run.stdout, "b,y\nBeta,2022\n", "{run:?}");
    // Both files or neither.
    assert_eq!(aikg(&["--nodes", &n, "stats"]).code, 2);
    assert_eq!(aikg(&["--data", "x", "--nodes", &n, "--edges", &e, "stats"]).code, 2);
}

#[test]
fn usage_errors_exit_2() {
    let run = aikg(&["frobnicate"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("frobnicate"), "{}", run.stderr);
    assert_eq!(aikg(&["query"]).code, 2);
    assert_eq!(aikg(&["query", "RETURN 1", "--timeout", "soon"]).code, 2);
    assert_eq!(aikg(&["lineage", "x", "--up", "--down"]).code, 2);
    assert_eq!(aikg(&["lineage", "ChatGLM-6B", "--rel", "BUILD_ON"]).code, 2);
    assert_eq!(aikg(&["export", "--format", "dot", "--kuzu"]).code, 2);
    assert_eq!(aikg(&["export", "--format", "pdf"]).code, 2);
}

#[test]
fn every_command_has_help_with_an_example() {
    for cmd in
        ["stats", "schema", "validate", "query", "explain", "export", "lineage", "show", "path", "shell"]
    {
        let run = aikg(&[cmd, "--help"]);
        assert_eq!(run.code, 0, "{cmd}: {run:?}");
        assert!(run.stdout.contains("Example"), "{cmd} --help has no example:\n{}", run.stdout);
    }
    assert!(aikg(&["--help"]).stdout.contains("Examples:"));
}

// ----- query and explain ---------------------------------------------------

#[test]
fn query_json_is_columns_and_rows() {
    let run = aikg(&["query", "RETURN 1 AS x, 'a' AS y", "--format", "json"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(json(&run.stdout), serde_json::json!({"columns": ["x", "y"], "rows": [[1, "a"]]}));

    let run = aikg(&["query", "MATCH (c:Company {id: 'zhipu-ai'}) RETURN c", "-f", "json"]);
    let v = json(&run.stdout);
    assert_eq!(v["columns"], serde_json::json!(["c"]));
    assert_eq!(v["rows"][0][0]["id"], "zhipu-ai");
    assert_eq!(v["rows"][0][0]["labels"], serde_json::json!(["Company"]));
}

#[test]
fn query_prints_temporals_as_iso_strings() {
    let q = "RETURN date('2015-W30-2') AS d, duration('P1DT2H') AS p";
    let run = aikg(&["query", q, "--format", "json"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(json(&run.stdout)["rows"], serde_json::json!([["2015-07-21", "P1DT2H"]]));
    let run = aikg(&["query", q]);
    assert!(run.stdout.contains("2015-07-21") && run.stdout.contains("P1DT2H"), "{run:?}");
    assert!(!run.stdout.contains("date("), "the table shows the ISO text alone:\n{}", run.stdout);
}

#[test]
fn query_params_are_cypher_literals_or_bare_words() {
    let q = "MATCH (c:Company) WHERE c.name_zh = $name RETURN c.id AS id, $n + 1 AS n, $l AS l";
    for name in ["name='智谱AI'", "name=智谱AI"] {
        let run = aikg(&["query", q, "--param", name, "--param", "n=41", "-p", "l=[1, 'b']", "-f", "json"]);
        assert_eq!(run.code, 0, "{run:?}");
        assert_eq!(json(&run.stdout)["rows"], serde_json::json!([["zhipu-ai", 42, [1, "b"]]]));
    }
}

#[test]
fn query_table_aligns_chinese_and_counts_rows() {
    let run = aikg(&["query", "MATCH (c:Company) WHERE c.id IN ['zhipu-ai', 'minimax'] RETURN c.name_zh AS zh, c.id AS id ORDER BY id"]);
    assert_eq!(run.code, 0, "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.last(), Some(&"(2 rows)"));
    // The second column starts at the same display column on every line.
    let bar = |l: &str| {
        let before = &l[..l.find('|').or_else(|| l.find('+')).expect("a separator")];
        before.chars().map(|c| if c as u32 >= 0x2E80 { 2 } else { 1 }).sum::<usize>()
    };
    assert!(lines[..lines.len() - 1].iter().all(|l| bar(l) == bar(lines[0])), "{}", run.stdout);
}

#[test]
fn query_from_stdin_and_csv() {
    let run = run_in(None, &["query", "-", "--format", "csv"], Some("RETURN 'a,b' AS x, 2 AS y"));
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "x,y\n\"a,b\",2\n");
}

#[test]
fn bad_query_exits_1_with_a_caret() {
    let run = aikg(&["query", "MATCH (p:Person RETURN p"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("MATCH (p:Person RETURN p\n"), "{}", run.stderr);
    assert!(run.stderr.contains("^"), "{}", run.stderr);
    assert!(run.stderr.contains("error: "), "{}", run.stderr);
}

#[test]
fn warnings_and_writes_go_to_stderr() {
    let run = aikg(&["query", "MATCH (p:Persn) RETURN p"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("warning: unknown label 'Persn'; did you mean 'Person'?"), "{}", run.stderr);
    let run =
        aikg(&["query", "CREATE (n:Company {id: 'new-co', name: 'New', source: 's'}) RETURN n.name AS name"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains(" New\n"), "{}", run.stdout);
    assert!(
        run.stderr.contains("1 node created") && run.stderr.contains("nothing was saved"),
        "{}",
        run.stderr
    );
}

#[test]
fn limits_stop_queries() {
    let run = aikg(&["query", "MATCH (m:Model) RETURN m", "--max-rows", "2"]);
    assert_eq!(run.code, 1, "{run:?}");
    let run = aikg(&["query", "MATCH (m:Model) RETURN m.id", "--max-rows", "0", "-f", "csv"]);
    assert_eq!(
        run.stdout.lines().count(),
        Graph::builtin().query("MATCH (m:Model) RETURN m").unwrap().len() + 1
    );
}

#[test]
fn explain_prints_the_plan() {
    let run = aikg(&["explain", "MATCH (m:Model)-[:BUILT_ON]->(b) RETURN b.name"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("Model"), "{}", run.stdout);
    assert_eq!(aikg(&["explain", "MATCH (m RETURN m"]).code, 1);
}

// ----- lineage and path ----------------------------------------------------

#[test]
fn lineage_up_shows_what_chatglm_is_built_on() {
    let run = aikg(&["lineage", "ChatGLM-6B", "--up"]);
    assert_eq!(run.code, 0, "{run:?}");
    let g = Graph::builtin();
    let start = g.resolve("chatglm-6b").unwrap();
    assert!(run.stdout.starts_with("ChatGLM-6B (Model)\n"), "{}", run.stdout);
    // Everything the store's own walk reaches along BUILT_ON is drawn.
    for step in g.ancestors(start, &["BUILT_ON"]).unwrap() {
        let name = g.node(step.node).display_name();
        assert!(
            run.stdout.contains(&format!("BUILT_ON → {name}")) || run.stdout.contains(&format!("→ {name} ")),
            "{name}:\n{}",
            run.stdout
        );
    }
    assert!(run.stdout.contains("DEVELOPED_BY → Zhipu AI 智谱AI (Company)"), "{}", run.stdout);
    assert!(run.stdout.contains("(see above)"), "{}", run.stdout);
    assert!(
        run.stdout.contains("└─ ") && run.stdout.contains("├─ ") && run.stdout.contains("│  "),
        "{}",
        run.stdout
    );
    // Chinese names resolve; investors are upstream with round and year.
    let run = aikg(&["lineage", "智谱AI", "--rel", "INVESTED_IN"]);
    assert!(run.stdout.lines().any(|l| l.contains("INVESTED_IN [") && l.contains(" ← ")), "{run:?}");
}

#[test]
fn lineage_down_and_depth() {
    let run = aikg(&["lineage", "glm-130b", "--down", "--depth", "1"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("BUILT_ON ← "), "{}", run.stdout);
    assert!(!run.stdout.contains("│  ├─") && !run.stdout.contains("   └─"), "depth 1 only:\n{}", run.stdout);
    let run = aikg(&["lineage", "chatglm-6b", "--both"]);
    assert!(run.stdout.contains(", upstream\n") && run.stdout.contains(", downstream\n"), "{}", run.stdout);
}

#[test]
fn unknown_names_suggest_close_ones() {
    let run = aikg(&["lineage", "ChatGLM-6"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("no node named 'ChatGLM-6'; did you mean"), "{}", run.stderr);
    assert!(run.stderr.contains("ChatGLM"), "{}", run.stderr);
}

#[test]
fn issue_18_chinese_partial_names_suggest_names_that_start_with_them() {
    let run = aikg(&["lineage", "智谱"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("no node named '智谱'; did you mean '智谱AI'"), "{}", run.stderr);
    let run = aikg(&["path", "孟子", "清华大学"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("no node named '孟子'; did you mean '孟子"), "{}", run.stderr);
}

#[test]
fn issue_18_create_with_a_misspelt_label_suggests_the_schema_one() {
    let run = aikg(&["query", "CREATE (m:Modle {id: 'x', name: 'X', source: 's'})"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("label 'Modle' is not in the graph's schema; did you mean 'Model'?"),
        "{}",
        run.stderr
    );
    let run = aikg(&["query", "MATCH (m:Modle) RETURN m"]);
    assert!(run.stderr.contains("warning: unknown label 'Modle'; did you mean 'Model'?"), "{}", run.stderr);
}

#[test]
fn path_explains_each_hop() {
    let run = aikg(&["path", "ChatGLM-6B", "清华大学"]);
    assert_eq!(run.code, 0, "{run:?}");
    let first = run.stdout.lines().next().unwrap();
    assert!(first.starts_with("ChatGLM-6B —") && first.ends_with("Tsinghua University"), "{}", run.stdout);
    assert!(run.stdout.contains(" hops:\n  1. ChatGLM-6B (Model) —"), "{}", run.stdout);
    // Investors point at the company: the hop runs against the arrow.
    let run = aikg(&["path", "zhipu-ai", "legend-capital", "--rel", "INVESTED_IN"]);
    assert_eq!(run.stdout.lines().next(), Some("Zhipu AI ←INVESTED_IN— Legend Capital"), "{run:?}");
    let run = aikg(&["path", "zhipu-ai", "legend-capital", "--rel", "BUILT_ON"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("no path between"), "{}", run.stderr);
}

// ----- export --------------------------------------------------------------

#[test]
fn export_json_has_the_contract_shape_and_loads_back() {
    let g = Graph::builtin();
    let run = aikg(&["export", "--format", "json"]);
    assert_eq!(run.code, 0, "{run:?}");
    let v = json(&run.stdout);
    let object = v.as_object().unwrap();
    assert_eq!(object.keys().collect::<Vec<_>>(), ["nodes", "relationships"]);
    let nodes = v["nodes"].as_array().unwrap();
    let rels = v["relationships"].as_array().unwrap();
    assert_eq!((nodes.len(), rels.len()), (g.node_count(), g.edge_count()));
    for n in nodes {
        assert_eq!(n.as_object().unwrap().keys().collect::<Vec<_>>(), ["id", "labels", "properties"]);
        assert!(n["id"].is_string() && n["labels"].is_array() && n["properties"]["name"].is_string(), "{n}");
    }
    let zhipu = nodes.iter().find(|n| n["id"] == "zhipu-ai").unwrap();
    assert_eq!(zhipu["properties"]["name_zh"], "智谱AI");
    assert!(zhipu["properties"]["aliases"].is_array());
    for r in rels {
        assert_eq!(r.as_object().unwrap().keys().collect::<Vec<_>>(), ["type", "src", "dst", "properties"]);
        assert!(r["properties"]["source"].is_string(), "no source: {r}");
    }

    // Back in through the library and through --graph: the same graph.
    let again = Graph::from_json_export(&run.stdout).unwrap();
    let facts = |g: &Graph| {
        let mut nodes: Vec<String> = g
            .node_ids()
            .map(|n| {
                let node = g.node(n);
                let mut props: Vec<String> = node.properties().map(|(k, v)| format!("{k}={v}")).collect();
                props.sort();
                format!("{:?} {props:?}", node.labels().collect::<Vec<_>>())
            })
            .collect();
        nodes.sort();
        let mut rels: Vec<String> = g
            .edge_ids()
            .map(|e| {
                let r = g.edge(e);
                let mut props: Vec<String> = r.properties().map(|(k, v)| format!("{k}={v}")).collect();
                props.sort();
                format!("{:?}-{}->{:?} {props:?}", r.src().key(), r.rel_type(), r.dst().key())
            })
            .collect();
        rels.sort();
        (nodes, rels)
    };
    assert_eq!(facts(&again), facts(&g));
    let dir = TempDir::new("json");
    let file = dir.write("g.json", &run.stdout);
    let stats = aikg(&["--graph", &file.display().to_string(), "stats"]);
    assert_eq!(stats.stdout, aikg(&["stats"]).stdout);
    // A broken export names the line.
    let bad = dir.write(
        "bad.json",
        "{\"nodes\":[\n{\"id\":\"a\",\"labels\":[]},\n{\"id\":\"a\",\"labels\":[]}\n],\"relationships\":[]}",
    );
    let run = aikg(&["--graph", &bad.display().to_string(), "stats"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("bad.json:3: duplicate node id 'a'"), "{}", run.stderr);
}

#[test]
fn export_with_a_query_takes_only_what_it_returns() {
    let q = "MATCH p = (m:Model {id: 'chatglm-6b'})-[:BUILT_ON]->(b) RETURN p";
    let run = aikg(&["export", "--query", q]);
    assert_eq!(run.code, 0, "{run:?}");
    let v = json(&run.stdout);
    let rels = v["relationships"].as_array().unwrap();
    assert!(!rels.is_empty());
    assert!(rels.iter().all(|r| r["type"] == "BUILT_ON" && r["src"] == "chatglm-6b"), "{v}");
    let mut ids: Vec<&str> =
        v["nodes"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap()).collect();
    let mut want: Vec<&str> = rels.iter().map(|r| r["dst"].as_str().unwrap()).chain(["chatglm-6b"]).collect();
    ids.sort();
    want.sort();
    want.dedup();
    assert_eq!(ids, want);
    // A relationship alone brings both its ends.
    let run = aikg(&[
        "export",
        "-q",
        "MATCH (:Investor)-[r:INVESTED_IN]->(:Company {id: 'zhipu-ai'}) RETURN r LIMIT 1",
    ]);
    let v = json(&run.stdout);
    assert_eq!((v["nodes"].as_array().unwrap().len(), v["relationships"].as_array().unwrap().len()), (2, 1));
}

#[test]
fn export_csv_for_neo4j_admin() {
    let dir = TempDir::new("neo4j");
    let run = run_in(Some(&dir.0), &["export", "--format", "csv"], None);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("neo4j-admin database import full"), "{}", run.stderr);
    let nodes = std::fs::read_to_string(dir.0.join("aikg-export/nodes.csv")).unwrap();
    let rels = std::fs::read_to_string(dir.0.join("aikg-export/relationships.csv")).unwrap();
    let header = nodes.lines().next().unwrap();
    assert!(header.starts_with("id:ID,:LABEL,name,"), "{header}");
    for col in ["aliases:string[]", "founded:long", "params_billion:double", "open_source:boolean"] {
        assert!(header.split(',').any(|c| c == col), "{col} not in {header}");
    }
    assert!(rels.starts_with(":START_ID,:END_ID,:TYPE,source"), "{}", &rels[..80]);
    let g = Graph::builtin();
    assert_eq!(rels.lines().count(), g.edge_count() + 1);
    // -o names the folder.
    let run = aikg(&["export", "-f", "csv", "-o", &dir.path("out")]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(dir.0.join("out/nodes.csv").is_file());
}

/// Runs every statement of a script on an empty graph.
fn run_script(script: &str) -> Graph {
    let mut g = Graph::new();
    // Values never hold a raw line break (strings escape it), so every
    // statement ends in ";\n".
    for statement in script.split(";\n") {
        let text: String = statement.lines().filter(|l| !l.starts_with("//")).collect::<Vec<_>>().join("\n");
        if text.trim().is_empty() {
            continue;
        }
        let q = Query::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        q.run_mut(&mut g, &Params::new()).unwrap_or_else(|e| panic!("{e}\n{text}"));
    }
    g
}

#[test]
fn export_cypher_script_recreates_the_graph() {
    let run = aikg(&["export", "--format", "cypher"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("UNWIND [") && run.stdout.contains("CREATE (a)-[:BUILT_ON"),
        "{}",
        &run.stdout[..500]
    );
    let g = run_script(&run.stdout);
    let builtin = Graph::builtin();
    assert_eq!((g.node_count(), g.edge_count()), (builtin.node_count(), builtin.edge_count()));
    let zhipu = g.node(g.node_by_key("zhipu-ai").unwrap());
    assert_eq!(zhipu.property("name_zh").and_then(|v| v.as_str()), Some("智谱AI"));
    assert_eq!(
        g.rel_types().collect::<std::collections::BTreeMap<_, _>>(),
        builtin.rel_types().collect::<std::collections::BTreeMap<_, _>>()
    );
}

#[test]
fn export_kuzu_writes_ddl_first() {
    let run = aikg(&["export", "--format", "cypher", "--kuzu"]);
    assert_eq!(run.code, 0, "{run:?}");
    let statements: Vec<&str> = run.stdout.lines().filter(|l| !l.starts_with("//")).collect();
    let first_data = statements.iter().position(|l| l.starts_with("CREATE (")).unwrap();
    assert!(statements[..first_data]
        .iter()
        .all(|l| l.starts_with("CREATE NODE TABLE") || l.starts_with("CREATE REL TABLE")));
    assert!(statements
        .iter()
        .any(|l| l.starts_with("CREATE NODE TABLE Company(id STRING") && l.ends_with("PRIMARY KEY (id));")));
    assert!(statements.iter().any(|l| l.starts_with("CREATE REL TABLE BUILT_ON(FROM Model TO Model")));
    let g = Graph::builtin();
    assert_eq!(statements.iter().filter(|l| l.starts_with("MATCH ")).count(), g.edge_count());
}

#[test]
fn export_pictures_and_graphml() {
    let q = "MATCH p = (:Model {id: 'chatglm-6b'})-[*1..2]->() RETURN p";
    let dot = aikg(&["export", "--format", "dot", "--query", q]);
    assert_eq!(dot.code, 0, "{dot:?}");
    assert!(dot.stdout.starts_with("digraph aikg {\n") && dot.stdout.ends_with("}\n"));
    assert!(dot.stdout.contains("\"zhipu-ai\" [label=\"Zhipu AI\\n智谱AI\", fillcolor="), "{}", dot.stdout);
    assert!(dot.stdout.contains("\"chatglm-6b\" -> \"glm-6b\" [label=\"BUILT_ON\"]"), "{}", dot.stdout);

    let mermaid = aikg(&["export", "--format", "mermaid", "--query", q]);
    assert!(mermaid.stdout.starts_with("flowchart LR\n"), "{}", mermaid.stdout);
    assert!(mermaid.stdout.contains("Zhipu AI<br/>智谱AI"), "{}", mermaid.stdout);
    assert!(
        mermaid.stdout.contains("-->|\"BUILT_ON\"|") && mermaid.stdout.contains("classDef Model fill:"),
        "{}",
        mermaid.stdout
    );

    let dir = TempDir::new("graphml");
    let file = dir.path("g.graphml");
    let run = aikg(&["export", "--format", "graphml", "-o", &file]);
    assert_eq!(run.code, 0, "{run:?}");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<graphml"));
    assert!(text.contains("attr.name=\"founded\" attr.type=\"long\""), "{}", &text[..2000]);
    assert_eq!(text.matches("<node id=").count(), Graph::builtin().node_count());
    assert_eq!(text.matches("<edge id=").count(), Graph::builtin().edge_count());
}

/// Issue 18: no command may panic when its reader stops early (`aikg
/// export | head -1`); each ends with status 0.
#[cfg(unix)]
#[test]
fn issue_18_every_command_ends_quietly_when_the_reader_stops() {
    let dir = TempDir::new("closed");
    let csv_dir = dir.path("csv");
    let query = "MATCH (n) RETURN n.id, n.name ORDER BY n.id";
    let commands: &[&[&str]] = &[
        &["query", query],
        &["query", "--format", "json", query],
        &["query", "--format", "csv", query],
        &["explain", query],
        &["lineage", "ChatGLM-6B"],
        &["lineage", "--both", "zhipu-ai"],
        &["path", "ChatGLM-6B", "清华大学"],
        &["export", "--format", "json"],
        &["export", "--format", "cypher"],
        &["export", "--format", "cypher", "--kuzu"],
        &["export", "--format", "graphml"],
        &["export", "--format", "dot"],
        &["export", "--format", "mermaid", "--query", "MATCH p = (:Model)-[:BUILT_ON]->() RETURN p"],
        &["export", "--format", "csv", "-o", &csv_dir],
        &["schema"],
        &["stats"],
        &["stats", "--json"],
        &["validate", "graph-data"],
        &["--help"],
        &["query", "--help"],
        &["--version"],
    ];
    for args in commands {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_aikg"));
        cmd.args(*args).current_dir(env!("CARGO_MANIFEST_DIR"));
        closed_pipe::run_closed(cmd, "").assert_clean(&args.join(" "));
    }
    let mut shell = Command::new(env!("CARGO_BIN_EXE_aikg"));
    shell.arg("shell").env("AIKG_HISTORY", "");
    closed_pipe::run_closed(shell, &format!(":schema\n{query};\n{query};\n")).assert_clean("shell");
}

// ----- shell ---------------------------------------------------------------

#[test]
fn shell_runs_multiline_queries_and_commands() {
    let input = "RETURN 1\n  AS x;\n:format json\n:param who='智谱AI'\nRETURN $who AS w; RETURN 2 AS y;\n:explain MATCH (n:Lab) RETURN n\n:quit\nRETURN 3;\n";
    let run = run_in(None, &["shell"], Some(input));
    assert_eq!(run.code, 0, "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[..4], [" x", "---", " 1", "(1 row)"], "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "{\"columns\":[\"w\"],\"rows\":[[\"智谱AI\"]]}\n{\"columns\":[\"y\"],\"rows\":[[2]]}\n"
        ),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("Lab"), "the plan: {}", run.stdout);
    assert!(!run.stdout.contains("[[3]]"), ":quit stops: {}", run.stdout);
}

#[test]
fn shell_reports_errors_and_keeps_going() {
    let run = run_in(None, &["shell"], Some("RETURN nope;\n:frob\nCREATE (:Lab {id: 'l', name: 'L', source: 's'});\nMATCH (l:Lab {id: 'l'}) RETURN l.name AS n"));
    assert_eq!(run.code, 1, "piped input with a failure exits 1: {run:?}");
    assert!(run.stderr.contains("^^^^"), "{}", run.stderr);
    assert!(run.stderr.contains("unknown command ':frob'"), "{}", run.stderr);
    // The write stays for the session, and a last query may lack its ;.
    assert!(run.stdout.contains(" L\n(1 row)\n"), "{}", run.stdout);
}

#[test]
fn issue_18_a_script_names_the_statement_that_failed() {
    let script = "RETURN 1 AS a;\n:format csv\n\nMATCH (n:Model)\nRETURN n.id LIMIT 1;\nRETURN 2 AS b; MATCH (n:Model)\n  RETURN n.name, nope;\nRETURN 3 AS c;\n\n  RETURN x";
    let run = run_in(None, &["shell"], Some(script));
    assert_eq!(run.code, 1, "{run:?}");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines[0], "statement 4 (line 6): MATCH (n:Model) ...", "{}", run.stderr);
    assert!(lines[1].starts_with("query error at line 2"), "the caret error follows: {}", run.stderr);
    assert!(
        run.stderr.contains("\nstatement 6 (line 10): RETURN x\n"),
        "a last statement without ;: {}",
        run.stderr
    );
    // Statements after a failure still run.
    assert!(run.stdout.contains("c\n3\n"), "{}", run.stdout);
}

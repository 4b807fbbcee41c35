//! aikg as an engine in the side-by-side peer harness (`../shared/bench`).
//!
//! ```text
//! cargo run --release --example peer_bench -- DATA_DIR [--scale S] [--runs N] [--only Q1,Q3] [--queries DIR] [--by-text]
//! AIKG_CMD="target/release/examples/peer_bench" ../shared/bench/run_peers.sh 100k
//! ```
//!
//! Loads `DATA_DIR/nodes.csv` and `edges.csv` with `Graph::from_csv`, runs
//! each `queries/q*.cypher` text unchanged through the query language with
//! the parameters from `params.json`, and prints the harness's
//! `RESULT`/`QUERY`/`PEAK` lines. Each text is parsed once into a
//! `Query`, as an application holds a prepared statement, and each timed
//! call runs it with the parameters and collects every row; with
//! `--by-text` each call passes the text to `Graph::query_with` instead,
//! which finds the plan by the text. One warm-up call comes first. Queries faster than about a millisecond are repeated inside each
//! timed run (`inner=`, enough for about 1 ms, sized from one call after
//! the warm-up, since the warm-up itself also plans the query) and
//! divided, as the petgraph baseline does, because a single call is below
//! the clock's resolution.

use std::path::{Path, PathBuf};
use std::time::Instant;

use aikg::{Graph, Params, Query, Value};

const QUERIES: [(&str, &str); 7] = [
    ("Q1", "q1_point.cypher"),
    ("Q2", "q2_investors.cypher"),
    ("Q3", "q3_lineage.cypher"),
    ("Q4", "q4_descendants.cypher"),
    ("Q5", "q5_lab_portfolio.cypher"),
    ("Q7", "q7_shortest.cypher"),
    // The heavy aggregate runs last, as in the other runners.
    ("Q6", "q6_lab_reach.cypher"),
];

struct Args {
    data: PathBuf,
    scale: String,
    runs: usize,
    only: Option<Vec<String>>,
    queries: PathBuf,
    by_text: bool,
}

fn parse_args() -> Result<Args, String> {
    let usage =
        "usage: peer_bench DATA_DIR [--scale S] [--runs N] [--only Q1,Q3] [--queries DIR] [--by-text]";
    let mut data = None;
    let mut scale = "?".to_string();
    let mut runs = 5;
    let mut only = None;
    let mut by_text = false;
    let mut queries = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/queries");
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value\n{usage}"));
        match arg.as_str() {
            "--scale" => scale = value("--scale")?,
            "--runs" => runs = value("--runs")?.parse().map_err(|e| format!("--runs: {e}"))?,
            "--only" => only = Some(value("--only")?.split(',').map(|s| s.trim().to_uppercase()).collect()),
            "--queries" => queries = PathBuf::from(value("--queries")?),
            "--by-text" => by_text = true,
            "-h" | "--help" => return Err(usage.to_string()),
            other if data.is_none() && !other.starts_with('-') => data = Some(PathBuf::from(other)),
            other => return Err(format!("unexpected argument '{other}'\n{usage}")),
        }
    }
    Ok(Args { data: data.ok_or(usage)?, scale, runs: runs.max(1), only, queries, by_text })
}

/// Peak resident set size in MB (`VmHWM`), as the baseline reports it.
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse::<f64>().ok()
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// The parameters each query takes, from `params.json`.
fn params_for(q: &str, p: &serde_json::Value) -> Params {
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

/// The harness's check value: the sum of `n` for Q6, the hop count for Q7.
fn check_value(q: &str, rows: &aikg::ResultSet) -> String {
    match q {
        "Q6" => rows.iter().filter_map(|r| r.get_int("n")).sum::<i64>().to_string(),
        "Q7" => rows.iter().next().and_then(|r| r.get_int("hops")).map_or("-".into(), |h| h.to_string()),
        _ => "-".to_string(),
    }
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let scale = &args.scale;
    let params_text = std::fs::read_to_string(args.data.join("params.json")).unwrap_or_else(|e| {
        eprintln!("{}/params.json: {e}", args.data.display());
        std::process::exit(1);
    });
    let params: serde_json::Value = serde_json::from_str(&params_text).unwrap_or_else(|e| {
        eprintln!("params.json: {e}");
        std::process::exit(1);
    });

    let rss_before = peak_rss_mb();
    let t0 = Instant::now();
    let graph = match Graph::from_csv(args.data.join("nodes.csv"), args.data.join("edges.csv")) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let load_s = t0.elapsed().as_secs_f64();
    println!(
        "RESULT engine=aikg scale={scale} load_s={load_s:.3} rss_mb={:.1} rss_start_mb={rss_before:.1} nodes={} edges={}",
        peak_rss_mb(),
        graph.node_count(),
        graph.edge_count()
    );

    for (q, file) in QUERIES {
        if args.only.as_ref().is_some_and(|only| !only.iter().any(|o| o == q)) {
            continue;
        }
        let text = match std::fs::read_to_string(args.queries.join(file)) {
            Ok(t) => t,
            Err(e) => {
                println!("# aikg: {q}: {e}");
                println!(
                    "QUERY engine=aikg scale={scale} q={q} median_ms=nan rows=-1 check=- runs=0 status=error"
                );
                continue;
            }
        };
        let p = params_for(q, &params);
        let query = match Query::parse(&text) {
            Ok(query) => query,
            Err(e) => {
                println!("# aikg: {q}: {e}");
                println!(
                    "QUERY engine=aikg scale={scale} q={q} median_ms=nan rows=-1 check=- runs=0 status=error"
                );
                continue;
            }
        };
        let run = |text: &str| if args.by_text { graph.query_with(text, &p) } else { query.run(&graph, &p) };
        let t = Instant::now();
        let warm = match run(&text) {
            Ok(r) => r,
            Err(e) => {
                println!("# aikg: {q}: {e}");
                println!(
                    "QUERY engine=aikg scale={scale} q={q} median_ms=nan rows=-1 check=- runs=0 status=error"
                );
                continue;
            }
        };
        let warm_s = t.elapsed().as_secs_f64();
        let (rows, check) = (warm.len(), check_value(q, &warm));
        drop(warm);
        // The warm-up also parsed and planned the text (the graph keeps the
        // plan), so for a fast query it takes many times a timed call. The
        // repeat count, meant to make a timed run about 1 ms, is sized from
        // one more call, like the ones timed (a query slower than 10 ms runs
        // once per timed run either way).
        let call_s = if warm_s > 1e-2 {
            warm_s
        } else {
            let t = Instant::now();
            drop(std::hint::black_box(run(&text)));
            t.elapsed().as_secs_f64()
        };
        let inner = ((1e-3 / call_s.max(1e-9)).ceil() as usize).clamp(1, 100_000);
        let mut times = Vec::with_capacity(args.runs);
        let mut failed = None;
        'runs: for _ in 0..args.runs {
            let t = Instant::now();
            for _ in 0..inner {
                match run(std::hint::black_box(&text)) {
                    Ok(r) if r.len() == rows => drop(std::hint::black_box(r)),
                    Ok(r) => {
                        failed =
                            Some(format!("answer changed between runs: {} rows, then {}", rows, r.len()));
                        break 'runs;
                    }
                    Err(e) => {
                        failed = Some(e.to_string());
                        break 'runs;
                    }
                }
            }
            times.push(t.elapsed().as_secs_f64() * 1e3 / inner as f64);
        }
        if let Some(reason) = failed {
            println!("# aikg: {q}: {reason}");
            println!(
                "QUERY engine=aikg scale={scale} q={q} median_ms=nan rows=-1 check=- runs=0 status=error"
            );
            continue;
        }
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        println!(
            "QUERY engine=aikg scale={scale} q={q} median_ms={median:.6} rows={rows} check={check} runs={} inner={inner} status=ok",
            times.len()
        );
    }
    println!("PEAK engine=aikg scale={scale} rss_mb={:.1}", peak_rss_mb());
}

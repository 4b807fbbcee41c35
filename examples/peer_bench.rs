//! aikg as an engine in the side-by-side peer harness (`../shared/bench`).
//!
//! ```text
//! cargo run --release --example peer_bench -- DATA_DIR [--scale S] [--runs N] [--only Q1,Q3] [--queries DIR] [--owned | --by-text]
//! AIKG_CMD="target/release/examples/peer_bench" ../shared/bench/run_peers.sh 100k
//! ```
//!
//! Loads `DATA_DIR/nodes.csv` and `edges.csv` with `Graph::from_csv`, runs
//! each `queries/q*.cypher` text unchanged through the query language with
//! the parameters from `params.json`, and prints the harness's
//! `RESULT`/`QUERY`/`PEAK` lines. Each text is parsed once into a `Query`,
//! as an application holds a prepared statement. Each timed call runs it
//! with the parameters, takes every row, and works out the harness's check
//! value from the rows, which must match the warm-up's:
//!
//! - by default through `Query::for_each_row`, which lends each row's
//!   values (from the graph where the query reads them straight from it);
//! - with `--owned` through `Query::run`, which copies them into a
//!   `ResultSet` that outlives the graph;
//! - with `--by-text` through `Graph::query_with`, which also finds the
//!   plan by the text and returns a `ResultSet`.
//!
//! One warm-up call comes first. Queries faster than about a millisecond
//! are repeated inside each timed run (`inner=`, enough for about 1 ms,
//! sized from one call after the warm-up, since the warm-up itself also
//! plans the query) and divided, as the petgraph baseline does, because a
//! single call is below the clock's resolution.

mod common;

use std::path::{Path, PathBuf};
use std::time::Instant;

use aikg::{Graph, Params, Query, Value};
use common::outln;

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
    mode: Mode,
}

/// How each call runs the query (see the module doc).
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Rows,
    Owned,
    ByText,
}

fn parse_args() -> Result<Args, String> {
    let usage =
        "usage: peer_bench DATA_DIR [--scale S] [--runs N] [--only Q1,Q3] [--queries DIR] [--owned | --by-text]";
    let mut data = None;
    let mut scale = "?".to_string();
    let mut runs = 5;
    let mut only = None;
    let mut mode = Mode::Rows;
    let mut queries = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/queries");
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value\n{usage}"));
        match arg.as_str() {
            "--scale" => scale = value("--scale")?,
            "--runs" => runs = value("--runs")?.parse().map_err(|e| format!("--runs: {e}"))?,
            "--only" => only = Some(value("--only")?.split(',').map(|s| s.trim().to_uppercase()).collect()),
            "--queries" => queries = PathBuf::from(value("--queries")?),
            "--owned" => mode = Mode::Owned,
            "--by-text" => mode = Mode::ByText,
            "-h" | "--help" => return Err(usage.to_string()),
            other if data.is_none() && !other.starts_with('-') => data = Some(PathBuf::from(other)),
            other => return Err(format!("unexpected argument '{other}'\n{usage}")),
        }
    }
    Ok(Args { data: data.ok_or(usage)?, scale, runs: runs.max(1), only, queries, mode })
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

/// What a call returned: its row count and the harness's check value,
/// the sum of `n` for Q6 and the hop count for Q7.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Answer {
    rows: usize,
    check: Option<i64>,
}

impl Answer {
    fn check(&self) -> String {
        self.check.map_or("-".to_string(), |c| c.to_string())
    }
}

/// The column a query's check value is worked out from, and how.
#[derive(Clone, Copy)]
enum Check {
    None,
    Sum(&'static str),
    First(&'static str),
}

impl Check {
    fn of(q: &str) -> Check {
        match q {
            "Q6" => Check::Sum("n"),
            "Q7" => Check::First("hops"),
            _ => Check::None,
        }
    }

    /// Folds in the next row's value in the check column.
    fn fold(self, answer: &mut Answer, value: Option<i64>) {
        match self {
            Check::None => {}
            Check::Sum(_) => answer.check = Some(answer.check.unwrap_or(0) + value.unwrap_or(0)),
            Check::First(_) if answer.rows == 0 => answer.check = value,
            Check::First(_) => {}
        }
    }

    fn column(self) -> Option<&'static str> {
        match self {
            Check::None => None,
            Check::Sum(c) | Check::First(c) => Some(c),
        }
    }
}

/// One call of the query, in the way `mode` says.
fn call(
    mode: Mode,
    check: Check,
    query: &Query,
    graph: &Graph,
    params: &Params,
) -> Result<Answer, aikg::Error> {
    let mut answer = Answer { rows: 0, check: matches!(check, Check::Sum(_)).then_some(0) };
    match mode {
        Mode::Rows => {
            query.for_each_row(graph, params, |row| {
                if let Some(column) = check.column() {
                    check.fold(&mut answer, row.get_int(column));
                }
                answer.rows += 1;
            })?;
        }
        Mode::Owned | Mode::ByText => {
            let result = if mode == Mode::Owned {
                query.run(graph, params)?
            } else {
                graph.query_with(query.text(), params)?
            };
            for row in result.iter() {
                if let Some(column) = check.column() {
                    check.fold(&mut answer, row.get_int(column));
                }
                answer.rows += 1;
            }
        }
    }
    Ok(answer)
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
    outln!(
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
                outln!("# aikg: {q}: {e}");
                outln!(
                    "QUERY engine=aikg scale={scale} q={q} median_ms=nan rows=-1 check=- runs=0 status=error"
                );
                continue;
            }
        };
        let p = params_for(q, &params);
        let query = match Query::parse(&text) {
            Ok(query) => query,
            Err(e) => {
                outln!("# aikg: {q}: {e}");
                outln!(
                    "QUERY engine=aikg scale={scale} q={q} median_ms=nan rows=-1 check=- runs=0 status=error"
                );
                continue;
            }
        };
        let check = Check::of(q);
        let run = || call(args.mode, check, &query, &graph, &p);
        let t = Instant::now();
        let warm = match run() {
            Ok(answer) => answer,
            Err(e) => {
                outln!("# aikg: {q}: {e}");
                outln!(
                    "QUERY engine=aikg scale={scale} q={q} median_ms=nan rows=-1 check=- runs=0 status=error"
                );
                continue;
            }
        };
        let warm_s = t.elapsed().as_secs_f64();
        // The warm-up also planned the query (the `Query` keeps the plan),
        // so for a fast query it takes many times a timed call. The repeat
        // count, meant to make a timed run about 1 ms, is sized from one
        // more call, like the ones timed (a query slower than 10 ms runs
        // once per timed run either way).
        let call_s = if warm_s > 1e-2 {
            warm_s
        } else {
            let t = Instant::now();
            drop(std::hint::black_box(run()));
            t.elapsed().as_secs_f64()
        };
        let inner = ((1e-3 / call_s.max(1e-9)).ceil() as usize).clamp(1, 100_000);
        let mut times = Vec::with_capacity(args.runs);
        let mut failed = None;
        'runs: for _ in 0..args.runs {
            let t = Instant::now();
            for _ in 0..inner {
                match std::hint::black_box(run()) {
                    Ok(answer) if answer == warm => {}
                    Ok(answer) => {
                        failed = Some(format!("answer changed between runs: {warm:?}, then {answer:?}"));
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
            outln!("# aikg: {q}: {reason}");
            outln!("QUERY engine=aikg scale={scale} q={q} median_ms=nan rows=-1 check=- runs=0 status=error");
            continue;
        }
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        outln!(
            "QUERY engine=aikg scale={scale} q={q} median_ms={median:.6} rows={} check={} runs={} inner={inner} status=ok",
            warm.rows,
            warm.check(),
            times.len()
        );
    }
    outln!("PEAK engine=aikg scale={scale} rss_mb={:.1}", peak_rss_mb());
}

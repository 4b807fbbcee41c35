//! openCypher TCK runner: `cargo test --release --test tck`.
//!
//! Reads the feature files under `$AIKG_TCK_DIR/features` (default
//! `<crate>/../shared/tck-full`, the whole openCypher TCK; `../shared/tck`
//! holds its read-only subset; see their READMEs for the step vocabulary), runs every
//! scenario instance (plain scenarios once, outlines once per Examples row)
//! against a fresh [`aikg::Graph`] through the public API only, and prints one
//! `FAIL <file>:<line> <scenario> [example row N]: <reason>` line per failure,
//! summary lines, and finally exactly `N passed, N failed, N skipped`. The
//! exit code is non-zero when anything failed.
//!
//! How strictly things count:
//! - Results: column names must equal the table header, in order. Values are
//!   compared structurally: `1` and `1.0` differ, `NaN` equals `NaN`, `-0.0`
//!   equals `0.0`, floats otherwise exactly; nodes by label set + properties,
//!   relationships by type + properties, paths hop by hop with direction.
//!   `in any order` compares rows as a multiset; `ignoring element order for
//!   lists` compares every list (at any depth) as a multiset.
//! - Errors: an error scenario passes when the query fails with the expected
//!   class (`SyntaxError`, `TypeError`, ...; the generic `Error` accepts any).
//!   A different detail code or phase does not fail it; those are counted on
//!   separate summary lines (and listed with `AIKG_TCK_DETAILS=1`), as is an
//!   error query that changed the graph before failing.
//! - Side effects are computed by diffing graph snapshots taken before and
//!   after the query under test (aikg never deletes, but `-` keys are
//!   computed all the same); a missing key in the expected table means 0.
//! - Skips: `skip.tsv` next to the features and this crate's
//!   `tests/tck-skip.tsv`, matched by (file, line, example row), and any
//!   scenario tagged `@ignore`.
//! - Each instance runs on its own thread (16 MB stack); a panic is reported
//!   as `PANIC: ...`. Each query runs with the timeout as its own budget
//!   (`QueryOptions::timeout`), and an instance taking longer than the
//!   timeout fails with `timeout`; a thread that does not answer at all is
//!   left behind, and after a few of those the run stops. A stack overflow
//!   still aborts the process; the thread name then names the scenario.
//!
//! Environment: `AIKG_TCK_FILTER=<substring>` of `<file>:<line> <name>`
//! (also accepted as the first command-line argument), `AIKG_TCK_VERBOSE=1`
//! prints passing and skipped instances too, `AIKG_TCK_DETAILS=1` lists error
//! detail/phase mismatches, `AIKG_TCK_TIMEOUT=<seconds>` (default 10),
//! `AIKG_TCK_OPTIONAL=1` turns a missing TCK folder into an empty pass.
//! `--self-test` runs only the checks of the Gherkin and value parsers
//! (they also run at every start).

#[path = "tck/gherkin.rs"]
mod gherkin;
#[path = "tck/values.rs"]
mod values;

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use aikg::error::Phase;
use aikg::query::procedures::ProcedureSignature;
use aikg::{Graph, Params, Query, QueryOptions, ResultSet, Value};

use gherkin::{Arg, Instance, Step};
use values::{Cv, Hop, HopDir, NodeV, PathV, RelV};

/// Runaway (timed-out) threads tolerated before the run stops.
const MAX_RUNAWAYS: usize = 3;
/// Rendered rows longer than this are cut in messages.
const MAX_ROW_TEXT: usize = 240;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        // Test-listing tools (`cargo test -- --list`, nextest) expect no output.
        return ExitCode::SUCCESS;
    }
    gherkin::self_test();
    values::self_test();
    runner_self_test();
    if args.iter().any(|a| a == "--self-test") {
        println!("self-test ok");
        return ExitCode::SUCCESS;
    }
    let filter = args
        .iter()
        .find(|a| !a.starts_with('-'))
        .cloned()
        .or_else(|| std::env::var("AIKG_TCK_FILTER").ok().filter(|f| !f.is_empty()));
    let config = Config {
        filter,
        verbose: env_flag("AIKG_TCK_VERBOSE"),
        details: env_flag("AIKG_TCK_DETAILS") || env_flag("AIKG_TCK_VERBOSE"),
        timeout: Duration::from_secs_f64(
            std::env::var("AIKG_TCK_TIMEOUT").ok().and_then(|s| s.parse().ok()).unwrap_or(10.0),
        ),
    };
    let tck_dir = std::env::var_os("AIKG_TCK_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("shared").join("tck-full"));
    if !tck_dir.join("features").is_dir() {
        eprintln!(
            "tck: no feature files: {} does not exist (set AIKG_TCK_DIR to the TCK folder)",
            tck_dir.join("features").display()
        );
        if env_flag("AIKG_TCK_OPTIONAL") {
            println!("0 passed, 0 failed, 0 skipped");
            return ExitCode::SUCCESS;
        }
        return ExitCode::from(2);
    }
    match run(&tck_dir, &config) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("tck: {e}");
            ExitCode::from(2)
        }
    }
}

fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| !v.is_empty() && v != "0")
}

struct Config {
    filter: Option<String>,
    verbose: bool,
    details: bool,
    timeout: Duration,
}

// ----- skip lists --------------------------------------------------------------

/// (file relative to the TCK folder, line, example row).
type SkipKey = (String, usize, Option<usize>);

struct SkipEntry {
    reason: String,
    source: String,
    used: Cell<bool>,
}

fn load_skips(path: &Path, into: &mut BTreeMap<SkipKey, SkipEntry>) -> Result<(), String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') || line.starts_with("file\t") {
            continue;
        }
        let where_ = format!("{}:{}", path.display(), i + 1);
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 5 || f[4].trim().is_empty() {
            return Err(format!(
                "{where_}: expected 5 tab-separated fields (file, line, scenario, example row, reason)"
            ));
        }
        let lineno = f[1].trim().parse().map_err(|_| format!("{where_}: bad line number '{}'", f[1]))?;
        let row = match f[3].trim() {
            "-" | "" => None,
            r => Some(r.parse().map_err(|_| format!("{where_}: bad example row '{r}'"))?),
        };
        into.insert(
            (f[0].trim().to_string(), lineno, row),
            SkipEntry { reason: f[4].trim().to_string(), source: where_, used: Cell::new(false) },
        );
    }
    Ok(())
}

// ----- the run -------------------------------------------------------------------

/// What one instance came to.
#[derive(Default)]
struct Outcome {
    failure: Option<String>,
    notes: Vec<Note>,
    unknown_steps: Vec<String>,
}

impl Outcome {
    fn failed(why: String) -> Outcome {
        Outcome { failure: Some(why), ..Outcome::default() }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum NoteKind {
    Detail,
    Phase,
    SideEffects,
}

struct Note {
    kind: NoteKind,
    /// `expected -> actual`, for grouping.
    key: String,
    text: String,
}

fn find_features(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        if path.is_dir() {
            find_features(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "feature") {
            out.push(path);
        }
    }
    Ok(())
}

fn load_graphs(dir: &Path) -> Result<BTreeMap<String, String>, String> {
    let mut graphs = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(graphs) };
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        if path.extension().is_some_and(|e| e == "cypher") {
            let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            graphs.insert(name, text);
        }
    }
    Ok(graphs)
}

thread_local! {
    static IN_SCENARIO: Cell<bool> = const { Cell::new(false) };
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn install_panic_hook() {
    let default = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if IN_SCENARIO.with(Cell::get) {
            let payload = info.payload();
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "non-string panic payload".to_string());
            let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
            LAST_PANIC.with(|p| *p.borrow_mut() = Some(format!("{msg}{at}")));
        } else {
            default(info);
        }
    }));
}

fn run(tck_dir: &Path, config: &Config) -> Result<bool, String> {
    let started = Instant::now();
    let mut skips = BTreeMap::new();
    load_skips(&tck_dir.join("skip.tsv"), &mut skips)?;
    load_skips(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("tck-skip.tsv"), &mut skips)?;
    let graphs = Arc::new(load_graphs(&tck_dir.join("graphs"))?);
    let mut files = Vec::new();
    find_features(&tck_dir.join("features"), &mut files)?;
    files.sort();
    install_panic_hook();

    let (mut passed, mut failed, mut skipped) = (0usize, 0usize, 0usize);
    let mut notes: Vec<(String, Note)> = Vec::new();
    let mut error_scenarios = 0usize;
    let mut error_failed = 0usize;
    let mut unknown_steps: BTreeSet<String> = BTreeSet::new();
    let mut failed_by_file: BTreeMap<String, usize> = BTreeMap::new();
    let mut slowest: Vec<(Duration, String)> = Vec::new();
    let mut runaways = 0usize;
    let mut stopped = false;
    let mut not_run = 0usize;

    for path in &files {
        let rel = path
            .strip_prefix(tck_dir)
            .unwrap_or(path)
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let feature = match gherkin::parse_feature(&text) {
            Ok(f) => f,
            Err(e) => {
                if config.filter.as_ref().is_none_or(|f| rel.contains(f.as_str())) {
                    println!("FAIL {rel}: cannot read feature file: {e}");
                    failed += 1;
                    *failed_by_file.entry(rel.clone()).or_default() += 1;
                }
                continue;
            }
        };
        for inst in feature.instances() {
            let label = instance_label(&rel, &inst);
            if config.filter.as_ref().is_some_and(|f| !label.contains(f.as_str())) {
                continue;
            }
            let skip = skips.get(&(rel.clone(), inst.line, inst.example_row));
            if let Some(s) = skip {
                s.used.set(true);
            }
            let reason = skip
                .map(|s| s.reason.clone())
                .or_else(|| inst.tags.iter().any(|t| t == "@ignore").then(|| "@ignore".to_string()));
            if let Some(reason) = reason {
                skipped += 1;
                if config.verbose {
                    println!("SKIP {label}: {reason}");
                }
                continue;
            }
            if stopped {
                failed += 1;
                not_run += 1;
                continue;
            }
            let expects_error = inst.steps.iter().any(|s| ExpectedError::parse(&s.text).is_some());
            let t0 = Instant::now();
            let (outcome, timed_out) = run_isolated(inst, &label, &graphs, config.timeout);
            let took = t0.elapsed();
            if timed_out {
                runaways += 1;
                stopped = runaways >= MAX_RUNAWAYS;
            }
            let outcome = if outcome.failure.is_none() && took > config.timeout {
                Outcome::failed(format!("timeout: took {:.1} s", took.as_secs_f64()))
            } else {
                outcome
            };
            slowest.push((took, label.clone()));
            if expects_error {
                error_scenarios += 1;
                if outcome.failure.is_some() {
                    error_failed += 1;
                }
            }
            unknown_steps.extend(outcome.unknown_steps);
            match outcome.failure {
                None => {
                    passed += 1;
                    if config.verbose {
                        println!("ok   {label} ({} ms)", took.as_millis());
                    }
                }
                Some(why) => {
                    failed += 1;
                    *failed_by_file.entry(rel.clone()).or_default() += 1;
                    println!("FAIL {label}: {}", one_line(&why));
                }
            }
            notes.extend(outcome.notes.into_iter().map(|n| (label.clone(), n)));
        }
    }

    // ----- summary
    println!();
    if not_run > 0 {
        println!("FAIL {not_run} scenarios not run: the run stopped after {runaways} timeouts");
    }
    if config.filter.is_none() {
        for ((file, line, row), s) in &skips {
            if !s.used.get() {
                let row = row.map(|r| format!(" example row {r}")).unwrap_or_default();
                println!("warning: skip entry {} ({file}:{line}{row}) matches no scenario", s.source);
            }
        }
    }
    for s in &unknown_steps {
        println!("unsupported step form: {s}");
    }
    let count = |k: NoteKind| notes.iter().filter(|(_, n)| n.kind == k).count();
    println!(
        "error scenarios: {error_scenarios} run, {} passed (the expected error class), {error_failed} failed",
        error_scenarios - error_failed
    );
    println!(
        "{} error scenarios failed with a different detail (counted as passed: the class matched)",
        count(NoteKind::Detail)
    );
    println!(
        "{} error scenarios raised the error at a different phase (counted as passed)",
        count(NoteKind::Phase)
    );
    let side = count(NoteKind::SideEffects);
    if side > 0 {
        println!("{side} error scenarios changed the graph before the query failed (counted as passed)");
    }
    for kind in [NoteKind::Detail, NoteKind::Phase, NoteKind::SideEffects] {
        let mut groups: BTreeMap<&str, usize> = BTreeMap::new();
        for (_, n) in notes.iter().filter(|(_, n)| n.kind == kind) {
            *groups.entry(n.key.as_str()).or_default() += 1;
        }
        if groups.is_empty() || kind == NoteKind::SideEffects {
            continue;
        }
        let mut groups: Vec<(&str, usize)> = groups.into_iter().collect();
        groups.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let what = if kind == NoteKind::Detail { "detail" } else { "phase" };
        let list: Vec<String> = groups.iter().map(|(k, n)| format!("{k} x{n}")).collect();
        println!("{what} mismatches (expected -> got): {}", list.join(", "));
    }
    if config.details {
        for (label, n) in &notes {
            let tag = match n.kind {
                NoteKind::Detail => "DETAIL",
                NoteKind::Phase => "PHASE",
                NoteKind::SideEffects => "EFFECTS",
            };
            println!("{tag} {label}: {}", n.text);
        }
    }
    if !failed_by_file.is_empty() {
        let mut by: Vec<(&String, &usize)> = failed_by_file.iter().collect();
        by.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let list: Vec<String> = by
            .iter()
            .take(30)
            .map(|(f, n)| format!("{} {n}", f.rsplit('/').next().unwrap_or(f).trim_end_matches(".feature")))
            .collect();
        let more = if by.len() > 30 { format!(" (+{} more files)", by.len() - 30) } else { String::new() };
        println!("failures by file: {}{more}", list.join(", "));
    }
    slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
    let slow: Vec<String> =
        slowest.iter().take(3).map(|(d, l)| format!("{} ms {l}", d.as_millis())).collect();
    if !slow.is_empty() {
        println!("slowest: {}", slow.join("; "));
    }
    println!("time: {:.1} s", started.elapsed().as_secs_f64());
    println!("{passed} passed, {failed} failed, {skipped} skipped");
    Ok(failed == 0)
}

fn instance_label(file: &str, inst: &Instance) -> String {
    let row = inst.example_row.map(|r| format!(" [example row {r}]")).unwrap_or_default();
    format!("{file}:{} {}{row}", inst.line, inst.name)
}

/// Runs one instance on its own thread; returns the outcome and whether it
/// timed out (the thread is then left running).
fn run_isolated(
    inst: Instance,
    label: &str,
    graphs: &Arc<BTreeMap<String, String>>,
    timeout: Duration,
) -> (Outcome, bool) {
    let (tx, rx) = mpsc::channel();
    let graphs = Arc::clone(graphs);
    // The thread name shows up if the scenario overflows its stack.
    let spawned =
        std::thread::Builder::new().name(format!("tck {label}")).stack_size(16 << 20).spawn(move || {
            IN_SCENARIO.with(|f| f.set(true));
            let result = panic::catch_unwind(AssertUnwindSafe(|| run_instance(&inst, &graphs, timeout)));
            let outcome = result.unwrap_or_else(|_| {
                let msg = LAST_PANIC.with(|p| p.borrow_mut().take()).unwrap_or_default();
                Outcome::failed(format!("PANIC: {msg}"))
            });
            let _ = tx.send(outcome);
        });
    let handle = match spawned {
        Ok(h) => h,
        Err(e) => return (Outcome::failed(format!("cannot start a thread: {e}")), false),
    };
    // Queries get `timeout` each and stop themselves; this guard catches
    // whatever does not (a hang outside the engine's checks).
    match rx.recv_timeout(timeout * 2 + Duration::from_secs(5)) {
        Ok(outcome) => {
            let _ = handle.join();
            (outcome, false)
        }
        Err(mpsc::RecvTimeoutError::Timeout) => (
            Outcome::failed(format!("timeout: no result after {:.0} s", (timeout * 2).as_secs_f64() + 5.0)),
            true,
        ),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let _ = handle.join();
            (Outcome::failed("the scenario thread ended without a result".into()), false)
        }
    }
}

// ----- one scenario ----------------------------------------------------------------

/// Runs a query through the public API, as `Graph::execute_with` does, but
/// with a time budget so that a runaway query stops itself.
fn execute(
    graph: &mut Graph,
    text: &str,
    params: &Params,
    budget: Duration,
) -> Result<ResultSet, aikg::Error> {
    let options = QueryOptions { timeout: Some(budget), ..QueryOptions::default() };
    Query::parse(text)?.run_mut_with(graph, params, &options)
}

struct ScenarioRun<'a> {
    graphs: &'a BTreeMap<String, String>,
    /// Time budget of each query.
    budget: Duration,
    graph: Graph,
    params: Params,
    /// Graph state before and after the query under test.
    before: Option<GraphState>,
    after: Option<GraphState>,
    /// The latest query under test or control query, and whether a step
    /// has looked at it.
    last: Option<Result<ResultSet, aikg::Error>>,
    last_checked: bool,
    outcome: Outcome,
}

fn run_instance(inst: &Instance, graphs: &BTreeMap<String, String>, budget: Duration) -> Outcome {
    let mut run = ScenarioRun {
        graphs,
        budget,
        graph: Graph::new(),
        params: Params::new(),
        before: None,
        after: None,
        last: None,
        last_checked: true,
        outcome: Outcome::default(),
    };
    for step in &inst.steps {
        if let Err(why) = run.step(step) {
            run.outcome.failure = Some(format!("line {}: {why}", step.line));
            return run.outcome;
        }
    }
    if !run.last_checked {
        if let Some(Err(e)) = &run.last {
            run.outcome.failure = Some(format!("unexpected error: {}", describe_error(e)));
        }
    }
    run.outcome
}

impl ScenarioRun<'_> {
    fn step(&mut self, step: &Step) -> Result<(), String> {
        let text = step.text.as_str();
        match text {
            "an empty graph" | "any graph" => {
                self.graph = Graph::new();
                Ok(())
            }
            "having executed:" => {
                let q = docstring(step)?;
                let params = self.params.clone();
                execute(&mut self.graph, q, &params, self.budget)
                    .map(drop)
                    .map_err(|e| format!("setup query failed: {}", describe_error(&e)))
            }
            "parameters are:" => {
                for row in table(step)? {
                    let [name, value] = row.as_slice() else {
                        return Err("parameter rows need two cells".into());
                    };
                    let cv = values::parse_value(value).map_err(|e| format!("parameter {name}: {e}"))?;
                    let v = to_value(&cv).map_err(|e| format!("parameter {name}: {e}"))?;
                    self.params.insert(name.clone(), v);
                }
                Ok(())
            }
            "executing query:" => {
                let q = docstring(step)?;
                let params = self.params.clone();
                self.before = Some(GraphState::of(&self.graph));
                let result = execute(&mut self.graph, q, &params, self.budget);
                self.after = Some(GraphState::of(&self.graph));
                self.last = Some(result);
                self.last_checked = false;
                Ok(())
            }
            "executing control query:" => {
                self.require_ok()?;
                let q = docstring(step)?;
                let params = self.params.clone();
                let result = execute(&mut self.graph, q, &params, self.budget);
                self.last = Some(result);
                self.last_checked = false;
                Ok(())
            }
            "the result should be, in any order:" => self.check_rows(step, false, false),
            "the result should be, in order:" => self.check_rows(step, true, false),
            "the result should be (ignoring element order for lists):" => self.check_rows(step, false, true),
            "the result should be, in order (ignoring element order for lists):" => {
                self.check_rows(step, true, true)
            }
            "the result should be empty" => {
                let rs = self.require_ok()?;
                if rs.is_empty() {
                    Ok(())
                } else {
                    let rows: Vec<String> = actual_rows(rs).iter().take(5).map(|r| row_text(r)).collect();
                    Err(format!("expected no rows, got {}: {}", rs.len(), rows.join(" ")))
                }
            }
            "no side effects" => {
                self.require_ok()?;
                self.check_side_effects(&BTreeMap::new())
            }
            "the side effects should be:" => {
                self.require_ok()?;
                let mut expected = BTreeMap::new();
                for row in table(step)? {
                    let [key, n] = row.as_slice() else {
                        return Err("side effect rows need two cells".into());
                    };
                    if !SIDE_EFFECT_KEYS.contains(&key.as_str()) {
                        return Err(format!("unknown side effect '{key}'"));
                    }
                    let n: i64 = n.parse().map_err(|_| format!("bad side effect count '{n}'"))?;
                    expected.insert(key.clone(), n);
                }
                self.check_side_effects(&expected)
            }
            _ => {
                if let Some(name) = text.strip_prefix("the ").and_then(|t| t.strip_suffix(" graph")) {
                    let script = self.graphs.get(name).ok_or_else(|| format!("no named graph '{name}'"))?;
                    self.graph = Graph::new();
                    return execute(&mut self.graph, script, &Params::new(), self.budget)
                        .map(drop)
                        .map_err(|e| format!("loading graph '{name}' failed: {}", describe_error(&e)));
                }
                if let Some(signature) = text.strip_prefix("there exists a procedure ") {
                    return self.register_procedure(signature, step);
                }
                if let Some(expected) = ExpectedError::parse(text) {
                    return self.check_error(&expected);
                }
                self.outcome.unknown_steps.push(text.to_string());
                Err(format!("unsupported step: {} {text}", step.keyword))
            }
        }
    }

    /// `there exists a procedure NAME(IN...) :: (OUT...):` and its table,
    /// whose header names the inputs then the outputs: the procedure
    /// returns the outputs of the rows whose inputs equal the arguments.
    fn register_procedure(&mut self, signature: &str, step: &Step) -> Result<(), String> {
        let signature = signature.trim().trim_end_matches(':').trim();
        let signature = ProcedureSignature::parse(signature).map_err(|e| format!("bad signature: {e}"))?;
        let rows = match &step.arg {
            Arg::Table(t) => t.as_slice(),
            _ => &[],
        };
        let (inputs, outputs) = (signature.inputs.len(), signature.outputs.len());
        let mut table: Vec<Vec<Value>> = Vec::new();
        for row in rows.iter().skip(1) {
            if row.len() != inputs + outputs {
                return Err(format!("procedure rows need {} cells", inputs + outputs));
            }
            let values = row
                .iter()
                .map(|cell| values::parse_value(cell).and_then(|cv| to_value(&cv)))
                .collect::<Result<Vec<Value>, String>>()?;
            table.push(values);
        }
        self.graph.register_procedure(signature, move |_graph, args| {
            Ok(table.iter().filter(|row| row[..inputs] == *args).map(|row| row[inputs..].to_vec()).collect())
        });
        Ok(())
    }

    /// The latest result, which must not be an error.
    fn require_ok(&mut self) -> Result<&ResultSet, String> {
        self.last_checked = true;
        match &self.last {
            None => Err("no query has run yet".into()),
            Some(Err(e)) => Err(format!("unexpected error: {}", describe_error(e))),
            Some(Ok(rs)) => Ok(rs),
        }
    }

    fn check_rows(&mut self, step: &Step, ordered: bool, unordered_lists: bool) -> Result<(), String> {
        let table = table(step)?;
        let rs = self.require_ok()?;
        compare_result(rs, table, ordered, unordered_lists)
    }

    fn check_side_effects(&self, expected: &BTreeMap<String, i64>) -> Result<(), String> {
        let (Some(before), Some(after)) = (&self.before, &self.after) else {
            return Err("side effects checked before any query ran".into());
        };
        let actual = before.diff(after);
        let mut wrong = Vec::new();
        for key in SIDE_EFFECT_KEYS {
            let e = expected.get(key).copied().unwrap_or(0);
            let a = actual.get(key).copied().unwrap_or(0);
            if e != a {
                wrong.push(format!("{key} expected {e}, got {a}"));
            }
        }
        if wrong.is_empty() {
            Ok(())
        } else {
            Err(format!("wrong side effects: {}", wrong.join(", ")))
        }
    }

    fn check_error(&mut self, expected: &ExpectedError) -> Result<(), String> {
        self.last_checked = true;
        let err = match &self.last {
            None => return Err("no query has run yet".into()),
            Some(Ok(rs)) => {
                return Err(format!(
                    "expected {}, but the query succeeded with {} row(s)",
                    expected.describe(),
                    rs.len()
                ))
            }
            Some(Err(e)) => e,
        };
        let Some(q) = err.as_query() else {
            return Err(format!("expected {}, got {}", expected.describe(), describe_error(err)));
        };
        let class = q.class.as_str();
        if expected.class != "Error" && expected.class != class {
            return Err(format!("expected {}, got {}", expected.describe(), describe_error(err)));
        }
        let got = format!("{class}/{} at {}", q.detail, phase_name(q.phase));
        if expected.detail != "*" && expected.detail != q.detail {
            self.outcome.notes.push(Note {
                kind: NoteKind::Detail,
                key: format!("{} -> {}", expected.detail, q.detail),
                text: format!("expected {}, got {got}: {}", expected.describe(), one_line(&q.message)),
            });
        }
        let phase_ok = match expected.phase.as_str() {
            "compile time" => q.phase == Phase::CompileTime,
            "runtime" => q.phase == Phase::Runtime,
            _ => true,
        };
        if !phase_ok {
            self.outcome.notes.push(Note {
                kind: NoteKind::Phase,
                key: format!("{} -> {}", expected.phase, phase_name(q.phase)),
                text: format!("expected {}, got {got}", expected.describe()),
            });
        }
        if let (Some(before), Some(after)) = (&self.before, &self.after) {
            let changes: Vec<String> = before
                .diff(after)
                .iter()
                .filter(|(_, n)| **n != 0)
                .map(|(k, n)| format!("{k} {n}"))
                .collect();
            if !changes.is_empty() {
                self.outcome.notes.push(Note {
                    kind: NoteKind::SideEffects,
                    key: String::new(),
                    text: format!("the failing query changed the graph: {}", changes.join(", ")),
                });
            }
        }
        Ok(())
    }
}

fn docstring(step: &Step) -> Result<&str, String> {
    match &step.arg {
        Arg::DocString(d) => Ok(d),
        _ => Err(format!("step '{}' needs a docstring", step.text)),
    }
}

fn table(step: &Step) -> Result<&[Vec<String>], String> {
    match &step.arg {
        Arg::Table(t) => Ok(t),
        _ => Err(format!("step '{}' needs a table", step.text)),
    }
}

/// `a SyntaxError should be raised at compile time: UndefinedVariable`.
struct ExpectedError {
    class: String,
    phase: String,
    detail: String,
}

impl ExpectedError {
    fn parse(text: &str) -> Option<ExpectedError> {
        let rest = text.strip_prefix("an ").or_else(|| text.strip_prefix("a "))?;
        let (class, rest) = rest.split_once(" should be raised at ")?;
        let (phase, detail) = rest.split_once(':')?;
        let phase = phase.trim();
        if !matches!(phase, "compile time" | "runtime" | "any time") || class.contains(' ') {
            return None;
        }
        Some(ExpectedError { class: class.into(), phase: phase.into(), detail: detail.trim().into() })
    }

    fn describe(&self) -> String {
        format!("{}/{} at {}", self.class, self.detail, self.phase)
    }
}

fn phase_name(p: Phase) -> &'static str {
    match p {
        Phase::CompileTime => "compile time",
        Phase::Runtime => "runtime",
    }
}

fn describe_error(e: &aikg::Error) -> String {
    match e.as_query() {
        Some(q) => {
            format!("{}/{} at {}: {}", q.class.as_str(), q.detail, phase_name(q.phase), one_line(&q.message))
        }
        None => one_line(&e.to_string()),
    }
}

fn one_line(s: &str) -> String {
    s.split('\n').map(str::trim_end).collect::<Vec<_>>().join(" / ")
}

// ----- results -----------------------------------------------------------------------

fn compare_result(
    rs: &ResultSet,
    table: &[Vec<String>],
    ordered: bool,
    unordered_lists: bool,
) -> Result<(), String> {
    let Some((header, body)) = table.split_first() else {
        return Err("result table has no header".into());
    };
    if rs.columns() != header.as_slice() {
        return Err(format!("wrong columns: expected {header:?}, got {:?}", rs.columns()));
    }
    let mut expected = Vec::with_capacity(body.len());
    for row in body {
        if row.len() != header.len() {
            return Err(format!("expected row has {} cells for {} columns", row.len(), header.len()));
        }
        let cells: Result<Vec<Cv>, String> = row
            .iter()
            .map(|c| values::parse_value(c).map_err(|e| format!("cannot read expected cell: {e}")))
            .collect();
        expected.push(cells?);
    }
    let actual = actual_rows(rs);
    if let Some(bad) = actual.iter().find(|r| r.len() != header.len()) {
        return Err(format!("a result row has {} values for {} columns", bad.len(), header.len()));
    }
    let row_eq =
        |a: &Vec<Cv>, b: &Vec<Cv>| a.iter().zip(b).all(|(x, y)| values::equal(x, y, unordered_lists));
    let (missing, extra) = values::multiset_diff(&expected, &actual, row_eq);
    if ordered {
        let same_order =
            expected.len() == actual.len() && expected.iter().zip(&actual).all(|(e, a)| row_eq(e, a));
        if same_order {
            return Ok(());
        }
        if missing.is_empty() && extra.is_empty() {
            let first = expected.iter().zip(&actual).position(|(e, a)| !row_eq(e, a)).unwrap_or(0);
            return Err(format!(
                "right rows in the wrong order; first difference at row {}: expected {}, got {}; expected {}; got {}",
                first + 1,
                row_text(&expected[first]),
                row_text(&actual[first]),
                rows_text(&expected, 12),
                rows_text(&actual, 12),
            ));
        }
    } else if missing.is_empty() && extra.is_empty() {
        return Ok(());
    }
    let pick = |rows: &[Vec<Cv>], idx: &[usize]| -> String {
        let shown: Vec<String> = idx.iter().take(6).map(|&i| row_text(&rows[i])).collect();
        let more = if idx.len() > 6 { format!(" (+{} more)", idx.len() - 6) } else { String::new() };
        format!("{}{more}", shown.join(" "))
    };
    let mut msg = format!("rows differ (expected {}, got {})", expected.len(), actual.len());
    if !missing.is_empty() {
        msg += &format!("; missing {}: {}", missing.len(), pick(&expected, &missing));
    }
    if !extra.is_empty() {
        msg += &format!("; unexpected {}: {}", extra.len(), pick(&actual, &extra));
    }
    Ok::<(), String>(()).and(Err(msg))
}

fn actual_rows(rs: &ResultSet) -> Vec<Vec<Cv>> {
    rs.rows().map(|r| r.iter().map(|v| from_value(rs, v)).collect()).collect()
}

fn row_text(row: &[Cv]) -> String {
    let cells: Vec<String> = row.iter().map(|c| c.to_string()).collect();
    let mut s = format!("| {} |", cells.join(" | "));
    if s.len() > MAX_ROW_TEXT {
        let mut cut = MAX_ROW_TEXT;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push_str("...");
    }
    s
}

fn rows_text(rows: &[Vec<Cv>], max: usize) -> String {
    let shown: Vec<String> = rows.iter().take(max).map(|r| row_text(r)).collect();
    let more = if rows.len() > max { format!(" (+{} more)", rows.len() - max) } else { String::new() };
    format!("[{}]{more}", shown.join(" "))
}

/// An actual value in comparable form; entities through the result's snapshots.
fn from_value(rs: &ResultSet, v: &Value) -> Cv {
    match v {
        Value::Null => Cv::Null,
        Value::Bool(b) => Cv::Bool(*b),
        Value::Int(i) => Cv::Int(*i),
        Value::Float(f) => Cv::Float(*f),
        Value::String(s) => Cv::Str(s.to_string()),
        Value::Temporal(t) => Cv::Temporal(t.to_string()),
        Value::List(items) => Cv::List(items.iter().map(|i| from_value(rs, i)).collect()),
        Value::Map(m) => Cv::Map(m.iter().map(|(k, v)| (k.clone(), from_value(rs, v))).collect()),
        Value::Node(n) => match node_of(rs, *n) {
            Some(node) => Cv::Node(node),
            None => Cv::Invalid(format!("node {} has no snapshot", n.0)),
        },
        Value::Relationship(e) => match rs.relationship(*e) {
            Some(r) => Cv::Rel(rel_of(rs, r)),
            None => Cv::Invalid(format!("relationship {} has no snapshot", e.0)),
        },
        Value::Path(p) => {
            let Some(start) = p.nodes.first().and_then(|n| node_of(rs, *n)) else {
                return Cv::Invalid("path without a start node snapshot".into());
            };
            if p.nodes.len() != p.rels.len() + 1 {
                return Cv::Invalid(format!(
                    "path with {} nodes and {} relationships",
                    p.nodes.len(),
                    p.rels.len()
                ));
            }
            let mut hops = Vec::new();
            for (i, e) in p.rels.iter().enumerate() {
                let (Some(r), Some(node)) = (rs.relationship(*e), node_of(rs, p.nodes[i + 1])) else {
                    return Cv::Invalid("path element without a snapshot".into());
                };
                let dir = if r.src == r.dst {
                    HopDir::Loop
                } else if r.src == p.nodes[i] && r.dst == p.nodes[i + 1] {
                    HopDir::Out
                } else if r.dst == p.nodes[i] && r.src == p.nodes[i + 1] {
                    HopDir::In
                } else {
                    return Cv::Invalid(format!("path hop {} does not join its nodes", i + 1));
                };
                hops.push(Hop { dir, rel: rel_of(rs, r), node });
            }
            Cv::Path(PathV { start, hops })
        }
    }
}

fn node_of(rs: &ResultSet, n: aikg::NodeId) -> Option<NodeV> {
    let snap = rs.node(n)?;
    Some(NodeV {
        labels: snap.labels.iter().cloned().collect(),
        props: snap.properties.iter().map(|(k, v)| (k.clone(), from_value(rs, v))).collect(),
    })
}

fn rel_of(rs: &ResultSet, r: &aikg::result::RelSnapshot) -> RelV {
    RelV {
        rel_type: r.rel_type.clone(),
        props: r.properties.iter().map(|(k, v)| (k.clone(), from_value(rs, v))).collect(),
    }
}

/// A parameter value from table syntax.
fn to_value(cv: &Cv) -> Result<Value, String> {
    Ok(match cv {
        Cv::Null => Value::Null,
        Cv::Bool(b) => Value::Bool(*b),
        Cv::Int(i) => Value::Int(*i),
        Cv::Float(f) => Value::Float(*f),
        Cv::Str(s) => Value::String(s.as_str().into()),
        Cv::List(items) => Value::List(items.iter().map(to_value).collect::<Result<_, _>>()?),
        Cv::Map(m) => {
            Value::Map(m.iter().map(|(k, v)| Ok((k.clone(), to_value(v)?))).collect::<Result<_, String>>()?)
        }
        other => return Err(format!("{other} cannot be a parameter")),
    })
}

// ----- side effects ---------------------------------------------------------------------

const SIDE_EFFECT_KEYS: [&str; 8] = [
    "+nodes",
    "-nodes",
    "+relationships",
    "-relationships",
    "+labels",
    "-labels",
    "+properties",
    "-properties",
];

/// What side effects are counted from.
struct GraphState {
    /// Live node and relationship indexes: a deleted entity's index is
    /// never reused, so a statement that deletes one node and creates
    /// another shows as one of each, not as no change.
    nodes: HashSet<u32>,
    relationships: HashSet<u32>,
    /// Label names carried by at least one node.
    labels: BTreeSet<String>,
    /// (is relationship, entity index, key, value).
    properties: HashSet<(bool, u32, String, Value)>,
}

impl GraphState {
    fn of(g: &Graph) -> GraphState {
        let mut properties = HashSet::new();
        for n in g.node_ids() {
            for (k, v) in g.node(n).properties() {
                properties.insert((false, n.0, k.to_string(), v.clone()));
            }
        }
        for e in g.edge_ids() {
            for (k, v) in g.edge(e).properties() {
                properties.insert((true, e.0, k.to_string(), v.clone()));
            }
        }
        GraphState {
            nodes: g.node_ids().map(|n| n.0).collect(),
            relationships: g.edge_ids().map(|e| e.0).collect(),
            labels: g.labels().filter(|(_, n)| *n > 0).map(|(l, _)| l.to_string()).collect(),
            properties,
        }
    }

    /// Side effects from `self` to `after`, by TCK key.
    fn diff(&self, after: &GraphState) -> BTreeMap<&'static str, i64> {
        let gone = |a: &HashSet<u32>, b: &HashSet<u32>| a.difference(b).count() as i64;
        let mut out = BTreeMap::new();
        out.insert("+nodes", gone(&after.nodes, &self.nodes));
        out.insert("-nodes", gone(&self.nodes, &after.nodes));
        out.insert("+relationships", gone(&after.relationships, &self.relationships));
        out.insert("-relationships", gone(&self.relationships, &after.relationships));
        out.insert("+labels", after.labels.difference(&self.labels).count() as i64);
        out.insert("-labels", self.labels.difference(&after.labels).count() as i64);
        out.insert("+properties", after.properties.difference(&self.properties).count() as i64);
        out.insert("-properties", self.properties.difference(&after.properties).count() as i64);
        out
    }
}

// ----- self-test -------------------------------------------------------------------------

/// Checks result comparison and side-effect counting on a hand-built graph,
/// without running any query.
fn runner_self_test() {
    let mut g = Graph::new();
    let before = GraphState::of(&g);
    let a = g.add_node(["A", "B"], [("name", Value::from("a"))]);
    let b = g.add_node(["B"], []);
    let c = g.add_node([], [("num", Value::Float(1.0))]);
    let ab = g.add_edge(a, b, "T", [("k", Value::Int(1))]);
    let cb = g.add_edge(c, b, "U", []);
    let cc = g.add_edge(c, c, "L", []);
    let after = GraphState::of(&g);
    let fx = before.diff(&after);
    assert_eq!(
        (fx["+nodes"], fx["+relationships"], fx["+labels"], fx["+properties"], fx["-properties"]),
        (3, 3, 2, 3, 0)
    );
    let path =
        |nodes: Vec<aikg::NodeId>, rels: Vec<aikg::EdgeId>| Value::Path(Arc::new(aikg::Path { nodes, rels }));
    let rs = ResultSet::new(
        &g,
        vec!["n".into(), "r".into(), "p".into(), "l".into()],
        vec![
            vec![Value::Node(a), Value::Relationship(ab), path(vec![a, b, c], vec![ab, cb]), Value::Int(1)],
            vec![
                Value::Node(c),
                Value::Relationship(cc),
                path(vec![c, c], vec![cc]),
                Value::List(vec![Value::Int(2), Value::Float(1.5)]),
            ],
        ],
    );
    let t = |rows: &[&[&str]]| -> Vec<Vec<String>> {
        rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
    };
    let header: &[&str] = &["n", "r", "p", "l"];
    let row1: &[&str] = &[
        "(:B:A {name: 'a'})",
        "[:T {k: 1}]",
        "<(:A:B {name: 'a'})-[:T {k: 1}]->(:B)<-[:U]-({num: 1.0})>",
        "1",
    ];
    let row2: &[&str] = &["({num: 1.0})", "[:L]", "<({num: 1.0})<-[:L]-({num: 1.0})>", "[2, 1.5]"];
    let row2_swapped: &[&str] = &["({num: 1.0})", "[:L]", "<({num: 1.0})-[:L]->({num: 1.0})>", "[1.5, 2]"];
    assert_eq!(compare_result(&rs, &t(&[header, row2, row1]), false, false), Ok(()));
    assert_eq!(compare_result(&rs, &t(&[header, row1, row2]), true, false), Ok(()));
    assert!(
        compare_result(&rs, &t(&[header, row2, row1]), true, false).is_err_and(|e| e.contains("wrong order"))
    );
    assert!(compare_result(&rs, &t(&[header, row1, row2_swapped]), false, false).is_err());
    assert_eq!(compare_result(&rs, &t(&[header, row1, row2_swapped]), false, true), Ok(()));
    assert!(compare_result(&rs, &t(&[header, row1]), false, false).is_err_and(|e| e.contains("unexpected 1")));
    assert!(compare_result(&rs, &t(&[&["n", "r", "l", "p"], row1, row2]), false, false).is_err());
    let int_for_float: &[&str] = &["({num: 1})", "[:L]", "<({num: 1.0})-[:L]->({num: 1.0})>", "[2, 1.5]"];
    assert!(compare_result(&rs, &t(&[header, row1, int_for_float]), false, false).is_err());

    let e = ExpectedError::parse("a SyntaxError should be raised at compile time: UndefinedVariable");
    assert!(e.is_some_and(|e| e.class == "SyntaxError"
        && e.phase == "compile time"
        && e.detail == "UndefinedVariable"));
    assert!(ExpectedError::parse("an Error should be raised at any time: *").is_some_and(|e| e.detail == "*"));
    assert!(ExpectedError::parse("a SyntaxError should be raised at lunch: X").is_none());
    let params = to_value(&values::parse_value("{a: [1, 'x', null], b: 2.5}").expect("parses"));
    assert!(params.is_ok_and(|v| v.as_map().is_some_and(|m| m.len() == 2)));
    assert!(to_value(&values::parse_value("(:A)").expect("parses")).is_err());
}

//! `aikg query` and `aikg explain`, and the running and printing of
//! queries that the shell shares.

use std::io::{self, Read, Write};
use std::process::ExitCode;
use std::time::Duration;

use super::args::{QueryArgs, ResultFormat};
use super::{print, stdout, with_text, Failure};
use aikg::result::QueryStats;
use aikg::{Error, Graph, Params, Query, QueryOptions, ResultSet};

/// The query text an argument stands for: the argument itself, or standard
/// input for `-`.
pub fn read_text(arg: &str) -> Result<String, Failure> {
    if arg != "-" {
        return Ok(arg.to_string());
    }
    let mut text = String::new();
    io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| Failure::Message(format!("reading the query from standard input: {e}")))?;
    Ok(text)
}

/// `None` for the `0` that means no limit.
pub fn limit_duration(d: Duration) -> Option<Duration> {
    (!d.is_zero()).then_some(d)
}

/// `None` for the `0` that means no limit.
pub fn limit_rows(n: usize) -> Option<usize> {
    (n > 0).then_some(n)
}

/// Parses and runs `text` within the limits of `options`: read-only
/// queries on a shared `graph`, writing ones on `graph` itself. Errors carry the query
/// text for their caret. The flag says whether the query wrote.
pub fn execute(
    graph: &mut Graph,
    text: &str,
    params: &Params,
    options: &QueryOptions,
) -> Result<(ResultSet, bool), Error> {
    let query = Query::parse(text).map_err(|e| with_text(e, text))?;
    if query.is_read_only() {
        let result = query.run_with(graph, params, options).map_err(|e| with_text(e, text))?;
        Ok((result, false))
    } else {
        let result = query.run_mut_with(graph, params, options).map_err(|e| with_text(e, text))?;
        Ok((result, true))
    }
}

/// What a writing query changed, as words: `1 node created, 2 properties
/// set`.
pub fn stats_text(stats: QueryStats) -> String {
    let mut parts = Vec::new();
    for (n, one, many) in [
        (stats.nodes_created, "node created", "nodes created"),
        (stats.relationships_created, "relationship created", "relationships created"),
        (stats.properties_set, "property set", "properties set"),
        (stats.labels_added, "label added", "labels added"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {}", if n == 1 { one } else { many }));
        }
    }
    if parts.is_empty() {
        "nothing changed".to_string()
    } else {
        parts.join(", ")
    }
}

/// Writes the result in `format`.
pub fn write_result(
    result: &ResultSet,
    format: ResultFormat,
    max_width: usize,
    mut out: impl Write,
) -> io::Result<()> {
    match format {
        ResultFormat::Table => write!(out, "{result:.max_width$}"),
        ResultFormat::Json => aikg::result::write_json(result, &mut out),
        ResultFormat::Csv => aikg::result::write_csv(result, &mut out),
    }?;
    out.flush()
}

/// Prints the result's warnings on standard error.
pub fn print_warnings(result: &ResultSet) {
    for w in result.warnings() {
        eprintln!("warning: {w}");
    }
}

/// `aikg query`.
pub fn query(mut graph: Graph, args: QueryArgs) -> Result<ExitCode, Failure> {
    let text = read_text(&args.query)?;
    let params: Params = args.params.into_iter().collect();
    let options = QueryOptions {
        timeout: limit_duration(args.timeout),
        max_rows: limit_rows(args.max_rows),
        ..QueryOptions::default()
    };
    let (result, wrote) = execute(&mut graph, &text, &params, &options)?;
    print_warnings(&result);
    write_result(&result, args.format, args.max_width, stdout())?;
    if wrote {
        eprintln!("note: {}; the graph is in memory only and nothing was saved", stats_text(result.stats()));
    }
    Ok(ExitCode::SUCCESS)
}

/// `aikg explain`.
pub fn explain(graph: &Graph, arg: &str) -> Result<ExitCode, Failure> {
    let text = read_text(arg)?;
    let plan = explain_text(graph, &text)?;
    print(&plan)?;
    Ok(ExitCode::SUCCESS)
}

/// The plan of `text`, ending in a newline.
pub fn explain_text(graph: &Graph, text: &str) -> Result<String, Error> {
    let query = Query::parse(text).map_err(|e| with_text(e, text))?;
    let mut plan = query.explain(graph).map_err(|e| with_text(e, text))?;
    if !plan.ends_with('\n') {
        plan.push('\n');
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_read_as_words() {
        let stats = QueryStats { nodes_created: 1, relationships_created: 2, ..QueryStats::default() };
        assert_eq!(stats_text(stats), "1 node created, 2 relationships created");
        assert_eq!(stats_text(QueryStats::default()), "nothing changed");
    }
}

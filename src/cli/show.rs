//! `aikg show`: one node's properties and relations, each fact beside the
//! report lines it cites; and the quoting that `aikg lineage --sources`
//! shares.

use std::path::Path;
use std::process::ExitCode;

use super::args::ShowArgs;
use super::{node_text, print, resolve, Failure};
use aikg::lineage::edge_label;
use aikg::load::citations::{LineSpan, SourceText, DEFAULT_REPORT};
use aikg::{Direction, Graph, Value};

/// The report named by `--report`, else the one at [`DEFAULT_REPORT`] when
/// it is there, with the path it was read from; `None` when neither.
///
/// # Errors
/// A file named by `--report` that cannot be read.
pub fn find_report(given: Option<&Path>) -> Result<Option<(String, SourceText)>, Failure> {
    let path = match given {
        Some(path) => path,
        None if Path::new(DEFAULT_REPORT).is_file() => Path::new(DEFAULT_REPORT),
        None => return Ok(None),
    };
    Ok(Some((path.display().to_string(), SourceText::read(path)?)))
}

/// [`find_report`] for commands that quote: without a report they show line
/// numbers only, and say so on standard error.
pub fn open_report(given: Option<&Path>) -> Result<Option<SourceText>, Failure> {
    let found = find_report(given)?;
    if found.is_none() {
        eprintln!("note: no report at {DEFAULT_REPORT}; showing line numbers only (give --report FILE)");
    }
    Ok(found.map(|(_, text)| text))
}

/// The citation `lines` as lines of output, each after `indent`: `lines
/// 12-14`, then the report's non-blank lines in that span quoted as `> 12
/// text` when the report is at hand.
pub fn citation_lines(report: Option<&SourceText>, lines: Option<&Value>, indent: &str) -> String {
    let Some(span) = LineSpan::of(lines) else { return format!("{indent}(no lines cited)\n") };
    let Some(report) = report else { return format!("{indent}lines {span}\n") };
    let Some(quoted) = report.quote(span) else {
        return format!("{indent}lines {span} (beyond the report's {} lines)\n", report.line_count());
    };
    let mut out = format!("{indent}lines {span}\n");
    for (n, line) in (span.start..).zip(quoted) {
        let line = line.trim();
        if !line.is_empty() {
            out.push_str(&format!("{indent}> {n}  {line}\n"));
        }
    }
    out
}

/// A property value as plain text: strings bare, lists joined with `, `.
fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.to_string(),
        Value::List(items) => items.iter().map(plain).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// `key  value` lines, keys aligned, after `indent`.
fn property_lines<'a>(indent: &str, props: impl Iterator<Item = (&'a str, &'a Value)>) -> String {
    let props: Vec<(&str, &Value)> = props.collect();
    let width = props.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    props.iter().map(|(k, v)| format!("{indent}{k:<width$}  {}\n", plain(v))).collect()
}

/// The text of `aikg show` for `node`.
pub fn show_text(graph: &Graph, node: aikg::NodeId, report: Option<&SourceText>) -> String {
    let n = graph.node(node);
    let mut out = format!("{}\n", node_text(graph, node));
    out.push_str(&property_lines("  ", n.properties().filter(|(k, _)| *k != "lines")));
    out.push_str(&citation_lines(report, n.property("lines"), "  "));
    // Without a type there is nothing to check, so no error.
    let mut rels: Vec<_> = n.neighbours(None, Direction::Both).into_iter().flatten().collect();
    // Outgoing first, each in the data's order; a self-loop once.
    rels.sort_by_key(|(e, _)| (e.src().id() != node, e.id()));
    rels.dedup_by_key(|(e, _)| e.id());
    out.push_str(&format!("\nrelations ({}):\n", rels.len()));
    // What the label already says is not repeated below it.
    let in_label = ["round", "year", "role", "basis", "lead", "status", "lines"];
    for (edge, other) in rels {
        let arrow = if edge.src().id() == node { "→" } else { "←" };
        out.push_str(&format!(
            "  {} {arrow} {}\n",
            edge_label(graph, edge.id()),
            node_text(graph, other.id())
        ));
        out.push_str(&property_lines("    ", edge.properties().filter(|(k, _)| !in_label.contains(k))));
        out.push_str(&citation_lines(report, edge.property("lines"), "    "));
    }
    out
}

/// `aikg show`.
pub fn show(graph: &Graph, args: ShowArgs) -> Result<ExitCode, Failure> {
    let node = resolve(graph, &args.name)?;
    let report = open_report(args.report.as_deref())?;
    print(&show_text(graph, node, report.as_ref()))?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph() -> (Graph, aikg::NodeId) {
        let mut g = Graph::new();
        let lines = |a: i64, b: i64| Value::List(vec![Value::Int(a), Value::Int(b)]);
        let a = g.add_node(
            ["Product"],
            [
                ("id", "taobao".into()),
                ("name", "Taobao".into()),
                ("name_zh", "淘宝".into()),
                ("lines", lines(1, 1)),
            ],
        );
        let b = g.add_node(["Model"], [("id", "tongyi".into()), ("name", "Tongyi".into())]);
        g.add_edge(
            a,
            b,
            "BUILT_ON",
            [("status", "planned".into()), ("note", "n".into()), ("lines", lines(2, 4))],
        );
        (g, a)
    }

    #[test]
    fn facts_are_quoted_beside_their_lines() {
        let (g, a) = graph();
        let report = SourceText::new("淘宝\n将全面接入\n\n通义千问\n");
        assert_eq!(
            show_text(&g, a, Some(&report)),
            "Taobao 淘宝 (Product)\n  id       taobao\n  name     Taobao\n  name_zh  淘宝\n  lines 1\n  > 1  淘宝\n\n\
             relations (1):\n  BUILT_ON [planned] → Tongyi (Model)\n    note  n\n    lines 2-4\n    > 2  将全面接入\n    > 4  通义千问\n"
        );
        // Without the report, the numbers alone; a target without lines says so.
        let text = show_text(&g, a, None);
        assert!(text.contains("  lines 1\n\n") && text.ends_with("    lines 2-4\n"), "{text}");
        let tongyi = g.resolve("tongyi").unwrap();
        assert!(show_text(&g, tongyi, None)
            .starts_with("Tongyi (Model)\n  id    tongyi\n  name  Tongyi\n  (no lines cited)\n"));
        let short = SourceText::new("x\n");
        assert!(show_text(&g, a, Some(&short)).contains("lines 2-4 (beyond the report's 1 lines)"));
    }
}

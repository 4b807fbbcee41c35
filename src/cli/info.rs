//! `aikg stats`, `aikg schema` and `aikg validate`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::error::ErrorKind;
use indexmap::IndexMap;

use super::args::Source;
use super::show::find_report;
use super::{print, Failure};
use aikg::load::citations::{check_citations, LocatedGraph, DEFAULT_REPORT};
use aikg::model::schema::PropertyType;
use aikg::{Error, Graph, MemoryUsage, ResultSet, Value};

/// One section of `aikg schema`: its title, then its table drawn as the
/// library displays a [`ResultSet`] (counts line up to the right) without
/// the row count, so that it lines up like query output.
fn section(out: &mut String, title: &str, header: &[&str], rows: Vec<Vec<Value>>) {
    let header = header.iter().map(|h| h.to_string()).collect();
    let mut table = ResultSet::new(&Graph::new(), header, rows).to_string();
    let footer = table.trim_end_matches('\n').rfind('\n').map_or(0, |i| i + 1);
    table.truncate(footer);
    out.push_str(title);
    out.push('\n');
    out.push_str(&table);
    out.push('\n');
}

/// A count as a table cell.
fn count(n: usize) -> Value {
    Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

/// `(name, count)` pairs, most first, then by name.
fn by_count<'a>(items: impl Iterator<Item = (&'a str, usize)>) -> Vec<(&'a str, usize)> {
    let mut v: Vec<(&str, usize)> = items.collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v
}

/// The text of `aikg stats`.
pub fn stats_text(graph: &Graph) -> String {
    let labels = by_count(graph.labels());
    let types = by_count(graph.rel_types());
    let name_width = labels.iter().chain(&types).map(|(n, _)| n.len() + 2).chain([13]).max().unwrap_or(13);
    let count_width =
        [graph.node_count(), graph.edge_count()].iter().map(|n| n.to_string().len()).max().unwrap_or(1);
    let mut out = String::new();
    let mut line = |name: &str, n: usize| {
        out.push_str(&format!("{name:<name_width$}  {n:>count_width$}\n"));
    };
    line("nodes", graph.node_count());
    for (l, n) in &labels {
        line(&format!("  {l}"), *n);
    }
    line("relationships", graph.edge_count());
    for (t, n) in &types {
        line(&format!("  {t}"), *n);
    }
    out
}

/// `aikg stats`.
pub fn stats(graph: &Graph, json: bool) -> Result<ExitCode, Failure> {
    if json {
        let counts = |items: Vec<(&str, usize)>| -> serde_json::Map<String, serde_json::Value> {
            items.into_iter().map(|(k, n)| (k.to_string(), n.into())).collect()
        };
        let value = serde_json::json!({
            "nodes": graph.node_count(),
            "labels": counts(by_count(graph.labels())),
            "relationships": graph.edge_count(),
            "types": counts(by_count(graph.rel_types())),
        });
        print(&format!("{value}\n"))?;
    } else {
        print(&stats_text(graph))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Bytes as the memory table shows them beside the exact count.
fn mib(bytes: usize) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// The text of `aikg stats --memory`: each group, its components
/// indented below it, then the total; bytes, then MiB.
pub fn memory_text(usage: &MemoryUsage) -> String {
    let rows: Vec<(&str, usize)> = vec![
        ("adjacency", usage.adjacency()),
        ("  petgraph lists", usage.graph),
        ("  packed lists", usage.packed_adjacency),
        ("properties", usage.properties()),
        ("  nodes", usage.node_properties),
        ("  relationships", usage.edge_properties),
        ("indexes", usage.indexes()),
        ("  id", usage.id_index),
        ("  label", usage.label_index),
        ("  name", usage.name_index),
        ("names", usage.names),
        ("other", usage.other),
        ("total", usage.total()),
    ];
    let name_width = rows.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    let bytes_width = rows.iter().map(|(_, b)| b.to_string().len()).max().unwrap_or(1);
    let mib_width = rows.iter().map(|(_, b)| mib(*b).len()).max().unwrap_or(1);
    let mut out = String::new();
    for (name, bytes) in rows {
        out.push_str(&format!("{name:<name_width$}  {bytes:>bytes_width$}  {:>mib_width$}\n", mib(bytes)));
    }
    out.push_str("(estimated from the store's lengths and capacities; allocator overhead not counted)\n");
    out
}

/// `aikg stats --memory`.
pub fn memory(graph: &Graph, json: bool) -> Result<ExitCode, Failure> {
    let usage = graph.memory_usage();
    if json {
        let mut object: serde_json::Map<String, serde_json::Value> =
            usage.components().iter().map(|(k, b)| (k.to_string(), (*b).into())).collect();
        object.insert("total".into(), usage.total().into());
        print(&format!("{}\n", serde_json::Value::Object(object)))?;
    } else {
        print(&memory_text(&usage))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn type_name(ty: PropertyType) -> &'static str {
    match ty {
        PropertyType::String => "string",
        PropertyType::StringList => "list of strings",
        PropertyType::Integer => "integer",
        PropertyType::Float => "float",
        PropertyType::Boolean => "boolean",
        PropertyType::YearMonth => "string (YYYY or YYYY-MM)",
        PropertyType::LineSpan => "[start, end] (report line numbers)",
        PropertyType::OneOf(_) => "string (fixed vocabulary)",
    }
}

/// The type of a value as `aikg schema` names it for data without a schema.
fn value_type(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(_) => "boolean".into(),
        Value::Int(_) => "integer".into(),
        Value::Float(_) => "float".into(),
        Value::String(_) => "string".into(),
        Value::List(items) => match items.iter().find(|i| !i.is_null()) {
            Some(first) => format!("list of {}s", value_type(first)),
            None => "list".into(),
        },
        Value::Map(_) => "map".into(),
        other => other.type_name().to_lowercase(),
    }
}

/// Per property key: how many entities carry it and the value types seen.
fn property_census<'a>(
    props: impl Iterator<Item = (&'a str, &'a Value)>,
) -> IndexMap<&'a str, (usize, BTreeSet<String>)> {
    let mut out: IndexMap<&str, (usize, BTreeSet<String>)> = IndexMap::new();
    for (k, v) in props {
        let e = out.entry(k).or_default();
        e.0 += 1;
        e.1.insert(value_type(v));
    }
    out
}

/// The text of `aikg schema`: the declared schema with counts, or, for a
/// graph without one, what the data shows.
pub fn schema_text(graph: &Graph) -> String {
    let node_census = property_census(graph.node_ids().flat_map(|n| graph.node(n).properties()));
    let edge_census = property_census(graph.edge_ids().flat_map(|e| graph.edge(e).properties()));
    let label_counts: IndexMap<&str, usize> = graph.labels().collect();
    let type_counts: IndexMap<&str, usize> = graph.rel_types().collect();
    let mut out = String::new();
    if let Some(schema) = graph.schema() {
        let rows = schema
            .labels
            .iter()
            .map(|(label, doc)| {
                vec![
                    Value::from(*label),
                    count(label_counts.get(label).copied().unwrap_or(0)),
                    Value::from(*doc),
                ]
            })
            .collect();
        section(&mut out, "Labels", &["label", "nodes", "meaning"], rows);

        let mut rows = Vec::new();
        for rule in schema.relations {
            let arrow = if rule.symmetric { "<->" } else { "->" };
            let mut props = vec!["source", "lines", "status", "note"];
            props.extend(rule.properties);
            rows.push(vec![
                Value::from(rule.name),
                Value::from(format!("{} {arrow} {}", rule.from.join("|"), rule.to.join("|"))),
                count(type_counts.get(rule.name).copied().unwrap_or(0)),
                Value::from(props.join(", ")),
                Value::from(rule.doc),
            ]);
        }
        section(
            &mut out,
            "Relationship types",
            &["type", "from -> to", "count", "properties", "meaning"],
            rows,
        );

        for (title, rules, census, what) in [
            ("Node properties", schema.node_properties, &node_census, "nodes"),
            ("Relationship properties", schema.relation_properties, &edge_census, "relationships"),
        ] {
            let rows = rules
                .iter()
                .map(|rule| {
                    vec![
                        Value::from(rule.key),
                        Value::from(type_name(rule.ty)),
                        Value::from(if rule.required { "yes" } else { "" }),
                        count(census.get(rule.key).map_or(0, |c| c.0)),
                        Value::from(rule.doc),
                    ]
                })
                .collect();
            section(&mut out, title, &["key", "type", "required", what, "meaning"], rows);
        }
        out.pop();
        return out;
    }

    out.push_str("(no declared schema: this is what the data holds)\n\n");
    let rows =
        by_count(graph.labels()).into_iter().map(|(label, n)| vec![Value::from(label), count(n)]).collect();
    section(&mut out, "Labels", &["label", "nodes"], rows);

    // Endpoint label pairs seen per type (first labels), most common first.
    let mut pairs: IndexMap<&str, IndexMap<(String, String), usize>> = IndexMap::new();
    for e in graph.edge_ids() {
        let edge = graph.edge(e);
        let first = |n: aikg::NodeRef<'_>| n.labels().next().unwrap_or("").to_string();
        *pairs
            .entry(edge.rel_type())
            .or_default()
            .entry((first(edge.src()), first(edge.dst())))
            .or_default() += 1;
    }
    let mut rows = Vec::new();
    for (rel_type, n) in by_count(graph.rel_types()) {
        let mut seen: Vec<(&(String, String), &usize)> =
            pairs.get(rel_type).map(|p| p.iter().collect()).unwrap_or_default();
        seen.sort_by(|a, b| b.1.cmp(a.1));
        let mut shown: Vec<String> = seen.iter().take(4).map(|((a, b), _)| format!("{a} -> {b}")).collect();
        if seen.len() > 4 {
            shown.push(format!("{} more", seen.len() - 4));
        }
        rows.push(vec![Value::from(rel_type), Value::from(shown.join(", ")), count(n)]);
    }
    section(&mut out, "Relationship types", &["type", "from -> to", "count"], rows);

    for (title, census, what) in [
        ("Node properties", &node_census, "nodes"),
        ("Relationship properties", &edge_census, "relationships"),
    ] {
        let rows = census
            .iter()
            .map(|(key, (n, types))| {
                let types = types.iter().cloned().collect::<Vec<_>>().join(" | ");
                vec![Value::from(*key), Value::from(types), count(*n)]
            })
            .collect();
        section(&mut out, title, &["key", "type", what], rows);
    }
    out.pop();
    out
}

/// `aikg schema`.
pub fn schema(graph: &Graph) -> Result<ExitCode, Failure> {
    print(&schema_text(graph))?;
    Ok(ExitCode::SUCCESS)
}

/// What `aikg validate` checks.
enum Target {
    Dir(PathBuf),
    Csv(PathBuf, PathBuf),
    Json(PathBuf),
}

/// `aikg validate [DIR]`: every problem as `file:line: message` on
/// standard output, then a summary line; exit 1 when there are problems.
/// A graph-data folder's line citations are checked against the report
/// too, when there is one.
pub fn validate(dir: Option<PathBuf>, report: Option<PathBuf>, source: &Source) -> Result<ExitCode, Failure> {
    let target = match (dir, source) {
        (Some(dir), _) => Target::Dir(dir),
        (None, Source { data: Some(dir), .. }) => Target::Dir(dir.clone()),
        (None, Source { nodes: Some(n), edges: Some(e), .. }) => Target::Csv(n.clone(), e.clone()),
        (None, Source { graph: Some(file), .. }) => Target::Json(file.clone()),
        (None, _) if Path::new("graph-data").is_dir() => Target::Dir(PathBuf::from("graph-data")),
        (None, _) => {
            return Err(Failure::usage(
                ErrorKind::MissingRequiredArgument,
                "no graph data to check: give a folder (aikg validate DIR) or run where ./graph-data is",
            ))
        }
    };
    // Only graph-data folders know the file and line of each entry.
    let report = match &target {
        Target::Dir(_) => {
            let found = find_report(report.as_deref())?;
            if found.is_none() {
                eprintln!("note: no report at {DEFAULT_REPORT}; citations not checked (give --report FILE)");
            }
            found
        }
        _ => {
            if report.is_some() {
                eprintln!("note: citations are checked in graph-data folders only");
            }
            None
        }
    };
    let (what, loaded) = {
        let _progress = super::progress::Progress::start("checking");
        match &target {
            Target::Dir(dir) => (
                dir.display().to_string(),
                LocatedGraph::load_dir(dir).map(|data| {
                    let check = report.as_ref().map(|(_, text)| check_citations(&data, text));
                    (data.into_graph(), check)
                }),
            ),
            Target::Csv(n, e) => {
                (format!("{} and {}", n.display(), e.display()), Graph::from_csv(n, e).map(|g| (g, None)))
            }
            Target::Json(f) => (f.display().to_string(), super::open_graph_file(f).map(|g| (g, None))),
        }
    };
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    match loaded {
        Ok((graph, check)) => {
            let counts = format!("{} nodes and {} relationships", graph.node_count(), graph.edge_count());
            let report_path = report.map(|(path, _)| path).unwrap_or_default();
            match check {
                Some(check) if !check.holds() => {
                    let mut text: String = check.failures.iter().map(|f| format!("{f}\n")).collect();
                    let n = check.failures.len();
                    text.push_str(&format!(
                        "{what}: {n} problem{}; the citations of {} of {} nodes and relationships hold in {report_path}\n",
                        plural(n),
                        check.holding(),
                        check.nodes + check.relations,
                    ));
                    print(&text)?;
                    Ok(ExitCode::FAILURE)
                }
                Some(_) => {
                    print(&format!("{what}: ok, {counts}, every citation holds in {report_path}\n"))?;
                    Ok(ExitCode::SUCCESS)
                }
                None => {
                    print(&format!("{what}: ok, {counts}\n"))?;
                    Ok(ExitCode::SUCCESS)
                }
            }
        }
        Err(Error::Load(load)) => {
            let mut text: String = load.errors.iter().map(|e| format!("{e}\n")).collect();
            let n = load.errors.len();
            text.push_str(&format!("{what}: {n} problem{}\n", plural(n)));
            print(&text)?;
            Ok(ExitCode::FAILURE)
        }
        Err(other) => Err(other.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_lists_every_label_and_type() {
        let g = Graph::builtin();
        let text = stats_text(&g);
        let first = text.lines().next().unwrap();
        assert!(first.starts_with("nodes") && first.ends_with(&g.node_count().to_string()), "{first}");
        for (label, n) in g.labels() {
            assert!(
                text.lines().any(
                    |l| l.trim_start().starts_with(&format!("{label} ")) && l.ends_with(&format!(" {n}"))
                ),
                "{label} {n}\n{text}"
            );
        }
    }

    #[test]
    fn schema_shows_declared_rules() {
        let text = schema_text(&Graph::builtin());
        assert!(text.contains("Model|Product -> Model|Product"), "{text}");
        assert!(
            text.contains("Company|Lab|University|Investor <-> Company|Lab|University|Investor"),
            "{text}"
        );
        assert!(text.lines().any(|l| l.contains(" aliases ") && l.contains("list of strings")), "{text}");
    }

    #[test]
    fn schema_is_inferred_without_one() {
        let mut g = Graph::new();
        let a = g.add_node(["Model"], [("id", "a".into()), ("size", Value::Int(3))]);
        let b = g.add_node(["Model"], [("id", "b".into()), ("size", Value::Float(1.5))]);
        g.add_edge(a, b, "BUILT_ON", [("tags", Value::from(vec!["x"]))]);
        let text = schema_text(&g);
        assert!(text.contains("(no declared schema"), "{text}");
        assert!(text.contains(" BUILT_ON | Model -> Model |     1"), "{text}");
        assert!(text.contains(" size | float | integer |     2"), "{text}");
        assert!(text.contains(" tags | list of strings |             1"), "{text}");
    }
}

//! `aikg export`: the whole graph, or what a query returns, in the formats
//! of [`aikg::export`].

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::error::ErrorKind;

use super::args::{ExportArgs, ExportFormat};
use super::progress::Progress;
use super::query::{execute, print_warnings, read_text};
use super::{create_file, stdout, Failure};
use aikg::export::Subgraph;
use aikg::{Graph, Params, QueryOptions};

/// Where `--format csv` writes without `-o`.
const CSV_DIR: &str = "aikg-export";

/// Mermaid's default limit on edges per diagram.
const MERMAID_MAX_EDGES: usize = 500;

/// `aikg export`.
pub fn export(mut graph: Graph, args: ExportArgs) -> Result<ExitCode, Failure> {
    if args.kuzu && args.format != ExportFormat::Cypher {
        return Err(Failure::usage(ErrorKind::ArgumentConflict, "--kuzu goes with --format cypher"));
    }
    if args.format == ExportFormat::Snapshot {
        return snapshot(&graph, &args);
    }
    if !args.params.is_empty() && args.query.is_none() {
        return Err(Failure::usage(ErrorKind::MissingRequiredArgument, "--param needs --query"));
    }
    let progress = Progress::start("exporting");
    let result = match &args.query {
        Some(q) => {
            let text = read_text(q)?;
            let params: Params = args.params.iter().cloned().collect();
            let (result, wrote) = execute(&mut graph, &text, &params, &QueryOptions::default())?;
            print_warnings(&result);
            if wrote {
                eprintln!("note: the query wrote to the graph in memory; the export includes its changes");
            }
            Some(result)
        }
        None => None,
    };
    let sub = match &result {
        Some(r) => Subgraph::from_result(&graph, r),
        None => Subgraph::all(&graph),
    };
    if result.is_some() && sub.nodes().is_empty() {
        eprintln!("warning: the query returned no nodes or relationships, so the export is empty");
    }
    if args.format == ExportFormat::Mermaid && sub.edges().len() > MERMAID_MAX_EDGES {
        eprintln!(
            "warning: {} relationships; Mermaid draws at most {MERMAID_MAX_EDGES} by default (export a part with --query)",
            sub.edges().len()
        );
    }

    let output = args.output.as_deref();
    match args.format {
        ExportFormat::Csv => csv_files(&sub, output, progress),
        ExportFormat::Json => one_file(&sub, output, progress, |s, out| s.write_json(out)),
        ExportFormat::Cypher if args.kuzu => one_file(&sub, output, progress, |s, out| s.write_kuzu(out)),
        ExportFormat::Cypher => one_file(&sub, output, progress, |s, out| s.write_cypher(out)),
        ExportFormat::Graphml => one_file(&sub, output, progress, |s, out| s.write_graphml(out)),
        ExportFormat::Dot => one_file(&sub, output, progress, |s, out| s.write_dot(out)),
        ExportFormat::Mermaid => one_file(&sub, output, progress, |s, out| s.write_mermaid(out)),
        ExportFormat::Snapshot => return snapshot(&graph, &args),
    }?;
    Ok(ExitCode::SUCCESS)
}

/// `aikg export --format snapshot`: the whole graph, to a file (or, with
/// `-o -`, to standard output).
fn snapshot(graph: &Graph, args: &ExportArgs) -> Result<ExitCode, Failure> {
    if args.query.is_some() || !args.params.is_empty() {
        return Err(Failure::usage(
            ErrorKind::ArgumentConflict,
            "--format snapshot saves the whole graph; export a part with another format",
        ));
    }
    let Some(output) = args.output.as_deref() else {
        return Err(Failure::usage(
            ErrorKind::MissingRequiredArgument,
            "--format snapshot needs -o FILE (or -o - for standard output)",
        ));
    };
    let progress = Progress::start("saving");
    if output.as_os_str() == "-" {
        let mut out = io::stdout().lock();
        graph.write_snapshot(&mut out)?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    graph.save(output)?;
    drop(progress);
    eprintln!(
        "wrote {} nodes and {} relationships to {}",
        graph.node_count(),
        graph.edge_count(),
        output.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes one file, or standard output when `output` is absent or `-`.
fn one_file(
    sub: &Subgraph<'_>,
    output: Option<&Path>,
    progress: Progress,
    write: impl Fn(&Subgraph<'_>, &mut dyn Write) -> io::Result<()>,
) -> Result<(), Failure> {
    match output {
        Some(path) if path.as_os_str() != "-" => {
            let mut file = create_file(path)?;
            write(sub, &mut file)
                .and_then(|()| file.flush())
                .map_err(|source| Failure::Write { path: Some(path.display().to_string()), source })?;
            drop(progress);
            eprintln!(
                "wrote {} nodes and {} relationships to {}",
                sub.nodes().len(),
                sub.edges().len(),
                path.display()
            );
        }
        _ => {
            let mut out = stdout();
            write(sub, &mut out)?;
            out.flush()?;
        }
    }
    Ok(())
}

/// Writes nodes.csv and relationships.csv into a folder, and says how to
/// import them.
fn csv_files(sub: &Subgraph<'_>, output: Option<&Path>, progress: Progress) -> Result<(), Failure> {
    let dir = output.map_or_else(|| PathBuf::from(CSV_DIR), Path::to_path_buf);
    std::fs::create_dir_all(&dir)
        .map_err(|source| Failure::Write { path: Some(dir.display().to_string()), source })?;
    let (nodes_path, rels_path) = (dir.join("nodes.csv"), dir.join("relationships.csv"));
    let mut nodes = create_file(&nodes_path)?;
    let mut rels = create_file(&rels_path)?;
    let failed = |path: &Path| {
        let path = path.display().to_string();
        move |source| Failure::Write { path: Some(path), source }
    };
    let notes = sub.write_neo4j_csv(&mut nodes, &mut rels).map_err(failed(&dir))?;
    nodes.flush().map_err(failed(&nodes_path))?;
    rels.flush().map_err(failed(&rels_path))?;
    drop(progress);
    eprintln!(
        "wrote {} nodes to {} and {} relationships to {}",
        sub.nodes().len(),
        nodes_path.display(),
        sub.edges().len(),
        rels_path.display()
    );
    for e in &notes.split_elements {
        eprintln!("warning: list element '{e}' contains ';', which neo4j-admin will split on");
    }
    eprintln!(
        "import with: neo4j-admin database import full --nodes={} --relationships={}{} <database>",
        nodes_path.display(),
        rels_path.display(),
        if notes.multiline { " --multiline-fields=true" } else { "" }
    );
    Ok(())
}

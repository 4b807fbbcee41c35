//! The `aikg` binary's modules: argument definitions, the commands, and the
//! terminal output they share. Everything here uses only aikg's public API.

pub mod args;
pub mod export;
pub mod info;
pub mod lineage;
pub mod literal;
pub mod progress;
pub mod query;
#[cfg(feature = "server")]
pub mod serve;
pub mod shell;
pub mod show;

use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::CommandFactory;

use aikg::{Error, Graph};
use args::{Cli, Source};
use progress::Progress;

/// Why the command failed, and so what to print and which exit status to
/// return: 2 for usage errors, 1 for everything else. A closed standard
/// output (`aikg query ... | head`) is not a failure.
#[derive(Debug)]
pub enum Failure {
    /// The command line is wrong (clap's own errors, and combinations clap
    /// cannot check); also `--help` and `--version`, which exit 0.
    Usage(clap::Error),
    /// The library failed: a query, data, lookup or file error.
    Graph(Error),
    /// Writing the output failed.
    Write {
        /// The file written, if not standard output.
        path: Option<String>,
        /// What the operating system said.
        source: io::Error,
    },
    /// Something else went wrong; the text says what.
    Message(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::Graph(e)
    }
}

impl From<io::Error> for Failure {
    fn from(source: io::Error) -> Failure {
        Failure::Write { path: None, source }
    }
}

impl Failure {
    /// A usage error in clap's format (exit status 2).
    pub fn usage(kind: ErrorKind, message: impl std::fmt::Display) -> Failure {
        Failure::Usage(Cli::command().error(kind, message))
    }

    /// Prints the failure on standard error and gives the exit status.
    pub fn report(self) -> ExitCode {
        match self {
            Failure::Usage(e) => {
                let _ = e.print();
                ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2))
            }
            Failure::Graph(e) => {
                eprintln!("{}", describe(&e));
                ExitCode::FAILURE
            }
            Failure::Write { source, .. } if source.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Failure::Write { path: Some(path), source } => {
                eprintln!("error: {path}: {source}");
                ExitCode::FAILURE
            }
            Failure::Write { path: None, source } => {
                eprintln!("error: writing output: {source}");
                ExitCode::FAILURE
            }
            Failure::Message(m) => {
                eprintln!("error: {m}");
                ExitCode::FAILURE
            }
        }
    }
}

/// The text to print for a library error: query errors with the caret
/// under the offending text, data errors one per line as `file:line:
/// message`.
pub fn describe(err: &Error) -> String {
    match err {
        Error::Query(q) => q.render(),
        Error::Load(load) => {
            let mut out: Vec<String> = load.errors.iter().map(ToString::to_string).collect();
            let n = load.errors.len();
            out.push(format!("error: the graph data has {n} problem{}", if n == 1 { "" } else { "s" }));
            out.join("\n")
        }
        other => format!("error: {other}"),
    }
}

/// Attaches the query text to a query error, so it can draw its caret.
pub fn with_text(err: Error, text: &str) -> Error {
    match err {
        Error::Query(q) => Error::Query(q.with_query(text)),
        other => other,
    }
}

/// Checks the combinations of graph options clap cannot express as
/// globals.
pub fn check_source(source: &Source) -> Result<(), Failure> {
    match (&source.nodes, &source.edges) {
        (Some(_), None) => {
            return Err(Failure::usage(ErrorKind::MissingRequiredArgument, "--nodes needs --edges"))
        }
        (None, Some(_)) => {
            return Err(Failure::usage(ErrorKind::MissingRequiredArgument, "--edges needs --nodes"))
        }
        _ => {}
    }
    let given = [source.data.is_some(), source.nodes.is_some(), source.graph.is_some()];
    if given.iter().filter(|g| **g).count() > 1 {
        return Err(Failure::usage(
            ErrorKind::ArgumentConflict,
            "give only one of --data, --nodes/--edges and --graph",
        ));
    }
    Ok(())
}

/// Loads the graph the options name (the built-in one by default), with a
/// progress note when that takes a while.
pub fn load_graph(source: &Source) -> Result<Graph, Failure> {
    let _progress = Progress::start("loading");
    let graph = match (&source.data, &source.nodes, &source.edges, &source.graph) {
        (Some(dir), ..) => Graph::load_dir(dir)?,
        (_, Some(nodes), Some(edges), _) => Graph::from_csv(nodes, edges)?,
        (.., Some(file)) => open_graph_file_with_journal(file)?,
        _ => Graph::builtin(),
    };
    Ok(graph)
}

/// The `--graph` file with the writes `aikg serve --graph` journaled
/// since its snapshot was written (read only: no file is changed).
fn open_graph_file_with_journal(file: &Path) -> Result<Graph, Failure> {
    let mut journal = file.as_os_str().to_owned();
    journal.push(".journal");
    let journal = std::path::PathBuf::from(journal);
    if !journal.exists() || !Graph::is_snapshot(file) {
        return Ok(open_graph_file(file)?);
    }
    replay_journal(file, &journal)
}

#[cfg(feature = "server")]
fn replay_journal(file: &Path, _journal: &Path) -> Result<Graph, Failure> {
    aikg::server::open_durable(file).map_err(|e| Failure::Message(e.to_string()))
}

#[cfg(not(feature = "server"))]
fn replay_journal(file: &Path, journal: &Path) -> Result<Graph, Failure> {
    eprintln!(
        "note: {} holds writes made since the snapshot, which this aikg (built without the server feature) does not read",
        journal.display()
    );
    Ok(open_graph_file(file)?)
}

/// The `--graph` file: a snapshot when it starts with the snapshot magic
/// bytes, else a JSON export (read exactly as before snapshots existed).
pub fn open_graph_file(file: &Path) -> Result<Graph, Error> {
    if Graph::is_snapshot(file) {
        Graph::open(file)
    } else {
        Graph::load_json_export(file)
    }
}

/// Buffered, locked standard output.
pub fn stdout() -> BufWriter<io::StdoutLock<'static>> {
    BufWriter::new(io::stdout().lock())
}

/// Writes `text` to standard output.
pub fn print(text: &str) -> Result<(), Failure> {
    let mut out = stdout();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Creates (or truncates) a file for output.
pub fn create_file(path: &Path) -> Result<BufWriter<std::fs::File>, Failure> {
    std::fs::File::create(path)
        .map(BufWriter::new)
        .map_err(|source| Failure::Write { path: Some(path.display().to_string()), source })
}

/// How a node reads in command output: its name, its Chinese name when it
/// has a different one, and its labels: `Zhipu AI 智谱AI (Company)`.
pub fn node_text(graph: &Graph, node: aikg::NodeId) -> String {
    aikg::lineage::node_text(graph.node(node))
}

/// Resolves a user-given name, noting on standard error when the name
/// fits several nodes.
pub fn resolve(graph: &Graph, name: &str) -> Result<aikg::NodeId, Failure> {
    let node = graph.resolve(name)?;
    if graph.node_by_key(name).is_none() {
        let others: Vec<String> = graph
            .find_by_name(name)
            .filter(|n| *n != node)
            .take(3)
            .map(|n| graph.node(n).key().map_or_else(|| node_text(graph, n), str::to_string))
            .collect();
        if !others.is_empty() {
            eprintln!(
                "note: '{name}' also names {}; using {} (give an id to choose)",
                others.join(", "),
                graph.node(node).key().unwrap_or("the first")
            );
        }
    }
    Ok(node)
}

/// Relationship types the user named, checked against the graph: case is
/// forgiven (`built_on`), unknown types are a usage error with the closest
/// known ones suggested.
pub fn check_rel_types(graph: &Graph, given: &[String]) -> Result<Vec<String>, Failure> {
    let known: Vec<&str> = graph.rel_types().map(|(t, _)| t).collect();
    let mut out = Vec::new();
    for g in given {
        let g = g.trim();
        if g.is_empty() {
            continue;
        }
        if let Some(k) =
            known.iter().find(|k| **k == g).or_else(|| known.iter().find(|k| k.eq_ignore_ascii_case(g)))
        {
            out.push(k.to_string());
            continue;
        }
        let mut close: Vec<(usize, &str)> = known
            .iter()
            .map(|k| (edit_distance(&g.to_ascii_uppercase(), k), *k))
            .filter(|(d, _)| *d <= 3)
            .collect();
        close.sort();
        let hint = match close.first() {
            Some((_, k)) => format!("; did you mean '{k}'?"),
            None => format!(" (known: {})", known.join(", ")),
        };
        return Err(Failure::usage(
            ErrorKind::InvalidValue,
            format!("unknown relationship type '{g}'{hint}"),
        ));
    }
    Ok(out)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rel_types_forgive_case_and_suggest() {
        let g = Graph::builtin();
        assert_eq!(check_rel_types(&g, &["built_on".into()]).unwrap(), ["BUILT_ON"]);
        let Err(Failure::Usage(e)) = check_rel_types(&g, &["BUILD_ON".into()]) else { panic!("accepted") };
        assert!(e.to_string().contains("did you mean 'BUILT_ON'?"), "{e}");
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn node_text_has_both_names_and_labels() {
        let g = Graph::builtin();
        let zhipu = g.resolve("zhipu-ai").unwrap();
        assert_eq!(node_text(&g, zhipu), "Zhipu AI 智谱AI (Company)");
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("BUILD_ON", "BUILT_ON"), 1);
        assert_eq!(edit_distance("", "ab"), 2);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}

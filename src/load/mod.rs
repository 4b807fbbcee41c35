//! Loading graph data: graph-data folders (JSON Lines, checked against the
//! [schema](crate::model::schema)) and bulk CSV files.
//!
//! Every loader reads the whole input, collects every problem it finds, and
//! returns either a complete graph or a [`LoadError`] listing them all — never
//! a partial graph.
//!
//! # The graph-data format
//!
//! A folder with `nodes/*.jsonl` and `relations/*.jsonl`, one JSON object per
//! line:
//!
//! ```text
//! {"id":"zhipu-ai","labels":["Company"],"name":"Zhipu AI","name_zh":"智谱AI","founded":2019,"source":"..."}
//! {"type":"INVESTED_IN","src":"legend-capital","dst":"zhipu-ai","round":"B","year":2022,"source":"..."}
//! ```

mod chunks;
pub mod citations;
mod csv;
mod graph_data;

use std::path::Path;
use std::sync::OnceLock;

use crate::error::{DataError, DataErrorKind, Error, LoadError, Location};
use crate::model::schema::AI_INDUSTRY;
use crate::store::Graph;

pub use graph_data::{parse_graph_data, DataFile};

/// The files of the built-in graph, embedded at build time from
/// `graph-data/` by `build.rs`, as `(path relative to graph-data, text)`.
pub const BUILTIN_FILES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_data.rs"));

impl Graph {
    /// The AI-industry graph compiled into the crate; needs no files. The
    /// data is parsed once per process, and each call returns a copy.
    ///
    /// ```
    /// let graph = aikg::Graph::builtin();
    /// assert!(graph.node_count() > 300);
    /// assert!(graph.resolve("智谱AI").is_ok());
    /// ```
    pub fn builtin() -> Graph {
        static BUILTIN: OnceLock<Graph> = OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                let files = BUILTIN_FILES.iter().map(|(name, text)| DataFile::new(name, text.as_bytes()));
                // The embedded data is checked by the test suite; a failure here
                // means the crate was built from a broken graph-data folder.
                parse_graph_data(files, &AI_INDUSTRY)
                    .unwrap_or_else(|e| panic!("the built-in graph data is invalid: {e}"))
            })
            .clone()
    }

    /// Loads a graph-data folder (`nodes/*.jsonl`, `relations/*.jsonl`),
    /// checking it against the AI-industry schema.
    ///
    /// # Errors
    /// [`Error::Io`] if the folder cannot be read; [`Error::Load`] with every
    /// problem in the data, each with its file and line.
    pub fn load_dir(dir: impl AsRef<Path>) -> Result<Graph, Error> {
        let files = graph_data::read_dir(dir.as_ref())?;
        Ok(parse_graph_data(files.iter().map(|(n, b)| DataFile::new(n, b)), &AI_INDUSTRY)?)
    }

    /// Loads the bulk CSV format of the benchmark generator: `nodes.csv`
    /// with a header containing `id` and `label` (more labels separated by
    /// `;`), `edges.csv` with `src`, `dst` and `type`; every other column
    /// becomes a property (an integer, a float or a string, whichever the
    /// field parses as; an empty field is null). A UTF-8 BOM and CRLF line
    /// ends are accepted; fields may be quoted as in RFC 4180.
    ///
    /// Large files are parsed on the available cores, a MiB at a time,
    /// so a load holds the graph and little of the files; the graph (node
    /// and relationship order included) and the errors are those of a
    /// front-to-back reading.
    ///
    /// # Errors
    /// [`Error::Io`] if a file cannot be read; [`Error::Load`] with every
    /// problem found, each with its file and row.
    pub fn from_csv(nodes: impl AsRef<Path>, edges: impl AsRef<Path>) -> Result<Graph, Error> {
        let options = csv::Options::default();
        let open = |path: &Path| {
            let name = path.display().to_string();
            match std::fs::File::open(path) {
                Ok(file) => {
                    // Only sizes the graph's tables; unknown is no harm.
                    let size = file.metadata().ok().and_then(|m| usize::try_from(m.len()).ok()).unwrap_or(0);
                    Ok(chunks::ChunkReader::new(&name, file, size, options.chunk_bytes, options.block_bytes))
                }
                Err(source) => Err(Error::Io { path: name, source }),
            }
        };
        // Both are opened first, so that a missing edge file is reported
        // before the node file is parsed.
        let nodes = open(nodes.as_ref())?;
        let edges = open(edges.as_ref())?;
        csv::load(nodes, edges, options)
    }

    /// Like [`Graph::from_csv`], from text already in memory; `nodes_name`
    /// and `edges_name` are used in error messages.
    ///
    /// # Errors
    /// [`LoadError`] with every problem found.
    pub fn from_csv_text(
        nodes_name: &str,
        nodes: &str,
        edges_name: &str,
        edges: &str,
    ) -> Result<Graph, LoadError> {
        let options = csv::Options::default();
        let (nodes, edges) =
            (text_reader(nodes_name, nodes, options), text_reader(edges_name, edges, options));
        match csv::load(nodes, edges, options) {
            Ok(graph) => Ok(graph),
            Err(Error::Load(e)) => Err(e),
            // Reading text in memory does not fail; should it, it is a
            // problem with the input like any other.
            Err(other) => Err(LoadError {
                errors: vec![DataError {
                    location: Location { file: nodes_name.to_string(), line: 0 },
                    kind: DataErrorKind::Malformed,
                    message: other.to_string(),
                }],
            }),
        }
    }
}

/// Reads CSV text in memory through the same chunks as a file.
fn text_reader<'a>(name: &str, text: &'a str, options: csv::Options) -> chunks::ChunkReader<'a> {
    chunks::ChunkReader::new(name, text.as_bytes(), text.len(), options.chunk_bytes, options.block_bytes)
}

/// Checks a graph-data folder and returns every problem in it (an empty
/// list when it is valid).
///
/// # Errors
/// [`Error::Io`] if the folder cannot be read.
pub fn validate_dir(dir: impl AsRef<Path>) -> Result<Vec<crate::error::DataError>, Error> {
    match Graph::load_dir(dir) {
        Ok(_) => Ok(Vec::new()),
        Err(Error::Load(e)) => Ok(e.errors),
        Err(other) => Err(other),
    }
}

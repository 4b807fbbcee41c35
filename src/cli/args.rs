//! The command line as clap sees it. Values that need checking beyond
//! their syntax (unknown relationship types, names) are checked by the
//! commands against the loaded graph.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use super::literal::{parse_duration, parse_param};
use aikg::Value;

const EXAMPLES: &str = "\
Examples:
  aikg lineage ChatGLM-6B                 what ChatGLM-6B is built on, who made it, where they came from
  aikg path 'ChatGLM-6B' '清华大学'         how two entities are connected
  aikg query \"MATCH (m:Model)-[:BUILT_ON]->(b) RETURN m.name, b.name LIMIT 5\"
  aikg export --format dot --query \"MATCH p = (:Model {id: 'chatglm-6b'})-[:BUILT_ON*]->() RETURN p\" -o lineage.dot
  aikg --data graph-data validate
  aikg shell

Exit status: 0 ok, 1 a query or data error, 2 a usage error.";

/// A knowledge graph of the AI industry, queried with openCypher.
///
/// Without --data, --nodes/--edges or --graph, aikg uses the graph built into
/// it: the companies, models, labs, universities, people and investors of a
/// 2023 report on large models, and how they relate.
#[derive(Debug, Parser)]
#[command(name = "aikg", version, after_help = EXAMPLES, propagate_version = true)]
pub struct Cli {
    /// Where the graph comes from.
    #[command(flatten)]
    pub source: Source,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The graph to work on; the built-in graph when none is given.
#[derive(Debug, Clone, Default, Args)]
pub struct Source {
    /// Load a graph-data folder (nodes/*.jsonl, relations/*.jsonl) instead of the built-in graph
    #[arg(long, global = true, value_name = "DIR", help_heading = "Graph source")]
    pub data: Option<PathBuf>,
    /// Load bulk CSV: the node file (header with id and label); needs --edges
    #[arg(long, global = true, value_name = "FILE", help_heading = "Graph source")]
    pub nodes: Option<PathBuf>,
    /// Load bulk CSV: the edge file (header with src, dst and type); needs --nodes
    #[arg(long, global = true, value_name = "FILE", help_heading = "Graph source")]
    pub edges: Option<PathBuf>,
    /// Load a JSON export (aikg export --format json) or a snapshot (aikg export --format snapshot)
    #[arg(long, global = true, value_name = "FILE", help_heading = "Graph source")]
    pub graph: Option<PathBuf>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Count nodes per label and relationships per type
    #[command(
        after_help = "Example:\n  aikg stats\n  aikg --data graph-data stats --json\n  aikg --graph big.snapshot stats --memory"
    )]
    Stats {
        /// Print JSON: {"nodes":N,"labels":{...},"relationships":M,"types":{...}}
        #[arg(long)]
        json: bool,
        /// Print the bytes the loaded graph holds per component (adjacency, properties, indexes, names) instead
        #[arg(long)]
        memory: bool,
    },
    /// Show labels, relationship types with their end labels, and property keys with types
    #[command(after_help = "Example:\n  aikg schema")]
    Schema,
    /// Check a graph-data folder and print every problem as file:line: message
    ///
    /// Checks DIR; without it, the --data folder (or the --nodes/--edges
    /// files, or the --graph file), else ./graph-data. Exits 1 when there
    /// are problems.
    ///
    /// For a graph-data folder it also checks every line citation against
    /// the report (--report, else ../shared/seeds/000_98e33746ae87c40e.txt
    /// when it is there): each node and relation must carry `lines` of at
    /// most 40 report lines that name it (a relation: both its ends).
    #[command(
        after_help = "Example:\n  aikg validate graph-data\n  aikg validate graph-data --report report.txt"
    )]
    Validate {
        /// The graph-data folder
        dir: Option<PathBuf>,
        /// The report the data's `lines` cite
        #[arg(long, visible_alias = "source-text", value_name = "FILE")]
        report: Option<PathBuf>,
    },
    /// Run a query and print its result
    ///
    /// Queries that write (CREATE) change the loaded graph in memory only;
    /// nothing is saved.
    #[command(after_help = "\
Examples:
  aikg query \"MATCH (c:Company {name_zh: \\$name})<-[i:INVESTED_IN]-(v) RETURN v.name, i.round, i.year\" --param name='智谱AI'
  echo 'MATCH (n:Lab) RETURN n.name' | aikg query - --format csv")]
    Query(QueryArgs),
    /// Print the plan a query would run
    #[command(after_help = "Example:\n  aikg explain \"MATCH (m:Model)-[:BUILT_ON*]->(b) RETURN b\"")]
    Explain {
        /// The query text; - reads it from standard input
        query: String,
    },
    /// Export the graph, or what a query returns, for other tools
    #[command(after_help = "\
Formats:
  json      {\"nodes\":[...],\"relationships\":[...]}, loadable again with --graph
  csv       nodes.csv and relationships.csv for neo4j-admin database import (into the -o folder)
  cypher    a CREATE script for Neo4j and Memgraph; with --kuzu, DDL and CREATE statements for Kùzu
  graphml   GraphML with typed keys (Gephi, yEd, networkx)
  dot       a Graphviz picture: dot -Tsvg lineage.dot -o lineage.svg
  mermaid   a Mermaid flowchart for Markdown
  snapshot  a binary snapshot of the whole graph, opened fast with --graph (needs -o; - for standard output)

Examples:
  aikg export --format json -o aikg.json
  aikg export --format csv -o neo4j-import/
  aikg --nodes nodes.csv --edges edges.csv export --format snapshot -o big.snapshot
  aikg export --format mermaid --query \"MATCH p = (:Model {id: 'chatglm-6b'})-[*]->() RETURN p\"")]
    Export(ExportArgs),
    /// Show what a node comes from (--up) or what comes from it (--down), as a tree
    ///
    /// --up walks towards origins: what a node is built on, who developed
    /// it, where it was incubated, what it is part of (outgoing BUILT_ON,
    /// DEVELOPED_BY, INCUBATED_BY and PART_OF by default), and, with --rel
    /// INVESTED_IN, who invested in it. --down walks the other way. Nodes
    /// already shown are marked instead of repeated.
    #[command(after_help = "\
Examples:
  aikg lineage ChatGLM-6B
  aikg lineage 智谱AI --up --rel INVESTED_IN
  aikg lineage glm-130b --down --depth 2
  aikg lineage Taobao --sources
  aikg lineage 阿里巴巴 --down --rel DEVELOPED_BY,BUILT_ON --facts-only")]
    Lineage(LineageArgs),
    /// Show a node's properties and relations, each with the report lines it cites
    ///
    /// Every fact is followed by its citation and the cited lines of the
    /// report, quoted (--report, else ../shared/seeds/000_98e33746ae87c40e.txt
    /// when it is there; without the report only the line numbers).
    /// Relations the report states as planned, announced or reported are
    /// marked with that status.
    #[command(after_help = "Example:\n  aikg show ChatGLM-6B\n  aikg show 智谱AI --report report.txt")]
    Show(ShowArgs),
    /// Explain the shortest connection between two nodes, hop by hop
    #[command(after_help = "Example:\n  aikg path ChatGLM-6B 'Tsinghua University'")]
    Path(PathArgs),
    /// An interactive prompt for queries (end each with ;)
    #[command(after_help = "\
Example:
  aikg shell
  aikg> MATCH (m:Model {open_source: true}) RETURN m.name;
Type :help at the prompt for the commands.")]
    Shell,
    /// Serve the graph over Bolt (for the Neo4j drivers) and HTTP
    ///
    /// Every Neo4j driver connects with bolt:// or neo4j:// to the Bolt
    /// address; the HTTP API takes POST /db/query with {"statement": ...,
    /// "parameters": {...}} and answers as aikg query --format json does.
    /// Listening on an address other than loopback needs credentials
    /// (--auth or AIKG_AUTH).
    ///
    /// With --graph FILE, writes are durable: each committed statement or
    /// transaction is appended to FILE.journal and synced to disk before
    /// it is acknowledged. On start the journal is replayed onto the
    /// snapshot FILE; it is folded into a new snapshot when it grows past
    /// --compact-after and when the server stops (Ctrl-C). A FILE that does
    /// not exist yet is created, holding an empty graph. FILE must be a
    /// snapshot (a JSON export can be served --read-only). Without --graph,
    /// writes change the graph in memory only.
    #[cfg(feature = "server")]
    #[command(after_help = "\
Examples:
  aikg serve
  aikg --graph kg.aikg serve                      durable writes, kept in kg.aikg and kg.aikg.journal
  aikg serve --bolt 0.0.0.0:7687 --auth neo4j:./password.txt --read-only
  AIKG_AUTH=neo4j:secret aikg --data graph-data serve --http 127.0.0.1:8080")]
    Serve(ServeArgs),
}

/// Options of `aikg serve`.
#[cfg(feature = "server")]
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Where to listen for Bolt
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7687", value_parser = parse_addr)]
    pub bolt: std::net::SocketAddr,
    /// Where to listen for HTTP
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7474", value_parser = parse_addr)]
    pub http: std::net::SocketAddr,
    /// Serve no Bolt
    #[arg(long)]
    pub no_bolt: bool,
    /// Serve no HTTP
    #[arg(long)]
    pub no_http: bool,
    /// The one user allowed in: USER:FILE, the password being FILE's first line (else AIKG_AUTH=USER:PASSWORD)
    #[arg(long, value_name = "USER:FILE")]
    pub auth: Option<String>,
    /// Refuse queries that write
    #[arg(long)]
    pub read_only: bool,
    /// Most Bolt connections open at once, and most HTTP requests in flight
    #[arg(long, value_name = "N", default_value_t = 256)]
    pub max_connections: usize,
    /// Largest Bolt message or HTTP body, in bytes
    #[arg(long, value_name = "BYTES", default_value_t = 16 << 20)]
    pub max_message_size: usize,
    /// Stop each query after this long (500ms, 5s, 2m); 0 for no limit
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "30s")]
    pub timeout: Duration,
    /// Most rows a query may return; 0 for no limit
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub max_rows: usize,
    /// Most relationship expansions a query may make; 0 for no limit
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub max_expansions: u64,
    /// Most threads one query may use (a grouping query over a large scan is split over them); 0 for AIKG_THREADS or the cores
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub query_threads: usize,
    /// With --graph: fold the journal into a new snapshot once it holds more than this many bytes
    #[arg(long, value_name = "BYTES", default_value_t = 64 << 20)]
    pub compact_after: u64,
}

/// An address to listen on: `IP:PORT` or `localhost:PORT`.
#[cfg(feature = "server")]
fn parse_addr(text: &str) -> Result<std::net::SocketAddr, String> {
    use std::net::ToSocketAddrs;
    text.to_socket_addrs()
        .map_err(|e| format!("not an address to listen on: {e}"))?
        .next()
        .ok_or_else(|| format!("'{text}' names no address"))
}

/// Output formats of query results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ResultFormat {
    /// An aligned table
    #[default]
    Table,
    /// {"columns":[...],"rows":[[...],...]}
    Json,
    /// CSV with a header
    Csv,
}

/// Options of `aikg query`.
#[derive(Debug, Clone, Args)]
pub struct QueryArgs {
    /// The query text; - reads it from standard input
    pub query: String,
    /// A parameter: name=value, where value is a Cypher literal (3, 'text', [1, 2], {k: 1}) or a bare word
    #[arg(long = "param", short = 'p', value_name = "NAME=VALUE", value_parser = parse_param)]
    pub params: Vec<(String, Value)>,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = ResultFormat::Table)]
    pub format: ResultFormat,
    /// Stop the query after this long (500ms, 5s, 2m); 0 for no limit
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "30s")]
    pub timeout: Duration,
    /// Most rows to return; 0 for no limit
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub max_rows: usize,
    /// Widest a table column may be before values are cut with …
    #[arg(long, value_name = "N", default_value_t = 60)]
    pub max_width: usize,
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// {"nodes":[...],"relationships":[...]}
    Json,
    /// nodes.csv and relationships.csv for neo4j-admin
    Csv,
    /// CREATE statements for Neo4j and Memgraph (Kùzu with --kuzu)
    Cypher,
    /// GraphML
    Graphml,
    /// Graphviz DOT
    Dot,
    /// Mermaid flowchart
    Mermaid,
    /// Binary snapshot of the whole graph (aikg --graph FILE opens it)
    Snapshot,
}

/// Options of `aikg export`.
#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// The format
    #[arg(long, short = 'f', value_enum, default_value_t = ExportFormat::Json)]
    pub format: ExportFormat,
    /// Export only the nodes and relationships this query returns (with both ends of each relationship)
    #[arg(long, short = 'q', value_name = "QUERY")]
    pub query: Option<String>,
    /// A query parameter, as for aikg query
    #[arg(long = "param", short = 'p', value_name = "NAME=VALUE", value_parser = parse_param)]
    pub params: Vec<(String, Value)>,
    /// With --format cypher: write Kùzu DDL (CREATE NODE/REL TABLE) and statements
    #[arg(long)]
    pub kuzu: bool,
    /// Write here instead of standard output (for csv: the folder, default ./aikg-export)
    #[arg(long, short = 'o', value_name = "PATH")]
    pub output: Option<PathBuf>,
}

/// Which way `aikg lineage` walks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Walk {
    /// Towards origins.
    Up,
    /// Towards what is derived.
    Down,
    /// Both trees.
    Both,
}

/// Options of `aikg lineage`.
#[derive(Debug, Clone, Args)]
#[command(group = clap::ArgGroup::new("walk").multiple(false))]
pub struct LineageArgs {
    /// An id, English or Chinese name, or alias
    pub name: String,
    /// Towards origins: what it is built on, who made it, where they came from (the default)
    #[arg(long, group = "walk")]
    pub up: bool,
    /// Towards what is built on it, made by it, came from it
    #[arg(long, group = "walk")]
    pub down: bool,
    /// Both trees
    #[arg(long, group = "walk")]
    pub both: bool,
    /// Follow these relationship types only (repeat or separate with commas)
    #[arg(long, value_name = "TYPE", value_delimiter = ',')]
    pub rel: Vec<String>,
    /// Stop this many hops from the start
    #[arg(long, value_name = "N")]
    pub depth: Option<u32>,
    /// Leave out relations with a status (planned, announced, reported): established facts only
    #[arg(long, visible_alias = "established")]
    pub facts_only: bool,
    /// Under each branch, the report lines it cites, quoted
    #[arg(long)]
    pub sources: bool,
    /// The report the data's `lines` cite (default ../shared/seeds/000_98e33746ae87c40e.txt)
    #[arg(long, value_name = "FILE", requires = "sources")]
    pub report: Option<PathBuf>,
}

/// Options of `aikg show`.
#[derive(Debug, Clone, Args)]
pub struct ShowArgs {
    /// An id, English or Chinese name, or alias
    pub name: String,
    /// The report the data's `lines` cite (default ../shared/seeds/000_98e33746ae87c40e.txt)
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

impl LineageArgs {
    /// The walk chosen by the flags.
    pub fn walk(&self) -> Walk {
        if self.down {
            Walk::Down
        } else if self.both {
            Walk::Both
        } else {
            Walk::Up
        }
    }
}

/// Options of `aikg path`.
#[derive(Debug, Clone, Args)]
pub struct PathArgs {
    /// Where the path starts: an id, name or alias
    pub from: String,
    /// Where it ends
    pub to: String,
    /// Follow these relationship types only (repeat or separate with commas)
    #[arg(long, value_name = "TYPE", value_delimiter = ',')]
    pub rel: Vec<String>,
    /// Leave out relations with a status (planned, announced, reported): established facts only
    #[arg(long, visible_alias = "established")]
    pub facts_only: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_options_go_before_or_after_the_subcommand() {
        let a = Cli::try_parse_from(["aikg", "--data", "d", "stats"]).unwrap();
        let b = Cli::try_parse_from(["aikg", "stats", "--data", "d"]).unwrap();
        assert_eq!(a.source.data, b.source.data);
        assert_eq!(b.source.data, Some(PathBuf::from("d")));
    }

    #[test]
    fn query_defaults_and_params() {
        let cli =
            Cli::try_parse_from(["aikg", "query", "RETURN $n", "--param", "n=3", "-p", "s=智谱AI"]).unwrap();
        let Command::Query(q) = cli.command else { panic!("not a query") };
        assert_eq!(
            q.params,
            vec![("n".to_string(), Value::Int(3)), ("s".to_string(), Value::from("智谱AI"))]
        );
        assert_eq!((q.timeout, q.max_rows, q.format), (Duration::from_secs(30), 10_000, ResultFormat::Table));
        let err = Cli::try_parse_from(["aikg", "query", "x", "--timeout", "5 parsecs"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn lineage_walk_flags_exclude_each_other() {
        assert!(Cli::try_parse_from(["aikg", "lineage", "x", "--up", "--down"]).is_err());
        let cli =
            Cli::try_parse_from(["aikg", "lineage", "x", "--rel", "BUILT_ON,PART_OF", "--rel", "X"]).unwrap();
        let Command::Lineage(l) = cli.command else { panic!("not lineage") };
        assert_eq!(l.rel, ["BUILT_ON", "PART_OF", "X"]);
        assert_eq!(l.walk(), Walk::Up);
    }
}

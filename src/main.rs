//! The `aikg` command: parses the arguments, loads the graph, runs one
//! command, and maps the outcome to an exit status (0 ok, 1 a query or data
//! error, 2 a usage error). The commands live in [`cli`].

mod cli;

use std::process::ExitCode;

use clap::Parser;

use cli::args::{Cli, Command};
use cli::{load_graph, Failure};

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(failure) => failure.report(),
    }
}

fn run() -> Result<ExitCode, Failure> {
    let args = Cli::try_parse().map_err(Failure::Usage)?;
    cli::check_source(&args.source)?;
    match args.command {
        Command::Validate { dir, report } => cli::info::validate(dir, report, &args.source),
        Command::Stats { json, memory: false } => cli::info::stats(&load_graph(&args.source)?, json),
        Command::Stats { json, memory: true } => cli::info::memory(&load_graph(&args.source)?, json),
        Command::Schema => cli::info::schema(&load_graph(&args.source)?),
        Command::Query(query) => cli::query::query(load_graph(&args.source)?, query),
        Command::Explain { query } => cli::query::explain(&load_graph(&args.source)?, &query),
        Command::Export(export) => cli::export::export(load_graph(&args.source)?, export),
        Command::Lineage(lineage) => cli::lineage::lineage(&load_graph(&args.source)?, lineage),
        Command::Show(show) => cli::show::show(&load_graph(&args.source)?, show),
        Command::Path(path) => cli::lineage::path(&load_graph(&args.source)?, path),
        Command::Shell => cli::shell::run(load_graph(&args.source)?),
        #[cfg(feature = "server")]
        Command::Serve(serve) => cli::serve::serve(&args.source, serve),
    }
}

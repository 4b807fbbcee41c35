//! `aikg serve`: turns the flags into a server configuration and runs
//! the library's server until Ctrl-C: on a snapshot given by `--graph`,
//! with durable writes, else on the graph loaded in memory.

use std::io::Write;
use std::process::ExitCode;

use super::args::{ServeArgs, Source};
use super::query::{limit_duration, limit_rows};
use super::{load_graph, Failure};
use aikg::server::{start, start_durable, Credentials, ServerConfig};
use aikg::{Graph, QueryOptions};

/// `aikg serve`.
pub fn serve(source: &Source, args: ServeArgs) -> Result<ExitCode, Failure> {
    let config = ServerConfig {
        bolt: (!args.no_bolt).then_some(args.bolt),
        http: (!args.no_http).then_some(args.http),
        auth: credentials(args.auth.as_deref())?,
        read_only: args.read_only,
        max_connections: args.max_connections,
        max_message_size: args.max_message_size,
        query: QueryOptions {
            timeout: limit_duration(args.timeout),
            max_rows: limit_rows(args.max_rows),
            max_expansions: (args.max_expansions > 0).then_some(args.max_expansions),
            cancel: None,
            threads: (args.query_threads > 0).then_some(args.query_threads),
        },
        compact_after: args.compact_after,
    };
    let auth_note = match &config.auth {
        Some(c) => format!("user '{}' must log in", c.user()),
        None => "no authentication".to_string(),
    };
    let read_only = config.read_only;
    let server = match &source.graph {
        // A JSON export has no journal format to go with it: serving it
        // read-only is the old behaviour, writing to it is refused rather
        // than kept in memory behind the user's back.
        Some(file) if file.exists() && !Graph::is_snapshot(file) => {
            if !read_only {
                return Err(Failure::Message(format!(
                    "{0} is not a snapshot, so writes to it cannot be made durable: serve it --read-only, or convert it (aikg --graph {0} export --format snapshot -o {0}.aikg) and serve that",
                    file.display()
                )));
            }
            start(load_graph(source)?, config)
        }
        Some(file) => start_durable(file, config),
        None => start(load_graph(source)?, config),
    };
    let server = server.map_err(|e| Failure::Message(e.to_string()))?;
    let durability = match (server.journal_path(), read_only) {
        (_, true) => "read-only".to_string(),
        (Some(journal), false) => {
            format!("writes are synced to {} before they are acknowledged", journal.display())
        }
        (None, false) => "writes stay in memory (serve --graph FILE keeps them)".to_string(),
    };
    let stopper = server.stopper();
    ctrlc::set_handler(move || stopper.stop())
        .map_err(|e| Failure::Message(format!("cannot handle Ctrl-C: {e}")))?;
    let mut lines = Vec::new();
    if let Some(a) = server.bolt_addr() {
        lines.push(format!("bolt://{a}"));
    }
    if let Some(a) = server.http_addr() {
        lines.push(format!("http://{a}"));
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "aikg serve: listening on {} ({auth_note}); {durability}; Ctrl-C stops",
        lines.join(" and ")
    )?;
    out.flush()?;
    drop(out);
    server.wait();
    Ok(ExitCode::SUCCESS)
}

/// The credentials of `--auth USER:FILE`, else of `AIKG_AUTH=USER:PASSWORD`.
fn credentials(flag: Option<&str>) -> Result<Option<Credentials>, Failure> {
    if let Some(spec) = flag {
        let (user, file) = spec
            .split_once(':')
            .ok_or_else(|| Failure::Message(format!("--auth takes USER:FILE, not '{spec}'")))?;
        let text = std::fs::read_to_string(file)
            .map_err(|e| Failure::Message(format!("--auth: reading the password from {file}: {e}")))?;
        let password = text.lines().next().unwrap_or("");
        if password.is_empty() {
            return Err(Failure::Message(format!("--auth: {file} holds no password on its first line")));
        }
        return Ok(Some(Credentials::new(user, password)));
    }
    match std::env::var("AIKG_AUTH") {
        Ok(spec) if !spec.is_empty() => {
            let (user, password) = spec
                .split_once(':')
                .filter(|(_, p)| !p.is_empty())
                .ok_or_else(|| Failure::Message("AIKG_AUTH takes USER:PASSWORD".to_string()))?;
            Ok(Some(Credentials::new(user, password)))
        }
        _ => Ok(None),
    }
}

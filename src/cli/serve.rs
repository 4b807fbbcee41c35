//! `aikg serve`: turns the flags into a server configuration and runs
//! the library's server until Ctrl-C.

use std::io::Write;
use std::process::ExitCode;

use super::args::ServeArgs;
use super::query::{limit_duration, limit_rows};
use super::Failure;
use aikg::server::{start, Credentials, ServerConfig};
use aikg::{Graph, QueryOptions};

/// `aikg serve`.
pub fn serve(graph: Graph, args: ServeArgs) -> Result<ExitCode, Failure> {
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
        },
    };
    let auth_note = match &config.auth {
        Some(c) => format!("user '{}' must log in", c.user()),
        None => "no authentication".to_string(),
    };
    let server = start(graph, config).map_err(|e| Failure::Message(e.to_string()))?;
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
    writeln!(out, "aikg serve: listening on {} ({auth_note}); Ctrl-C stops", lines.join(" and "))?;
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

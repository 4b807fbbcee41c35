//! `aikg shell`: an interactive prompt. Queries may span lines and end with
//! `;`; lines starting with `:` are shell commands. Ctrl-C cancels a running
//! query (not the shell) and clears the line at the prompt; Ctrl-D leaves.
//! History is kept in `~/.aikg_history` (`AIKG_HISTORY` names another file,
//! or none when empty) when input comes from a terminal.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustyline::error::ReadlineError;
use rustyline::DefaultEditor;

use super::args::ResultFormat;
use super::info::{schema_text, stats_text};
use super::literal::{parse_duration, parse_param};
use super::query::{
    execute, explain_text, limit_duration, limit_rows, print_warnings, stats_text as changes, write_result,
};
use super::{describe, stdout, Failure};
use aikg::{CancelHandle, Graph, Params, QueryOptions};

const HELP: &str = "\
End a query with ; (it may span lines). Commands:
  :help                  this text
  :schema                labels, relationship types and properties
  :stats                 counts per label and relationship type
  :format table|json|csv how to print results (now: {format})
  :param NAME=VALUE      set a parameter ($NAME in queries); VALUE is a Cypher literal or a bare word
  :param                 list the parameters
  :unset NAME            remove a parameter
  :explain QUERY         print the plan of QUERY instead of running it
  :explain               switch explain mode on or off: plans instead of results (now: {explain})
  :timeout DURATION      stop queries after this long, e.g. 5s; 0 for no limit (now: {timeout})
  :max-rows N            most rows a query may return; 0 for no limit (now: {max_rows})
  :quit                  leave (or Ctrl-D)
Ctrl-C cancels a running query, or clears the line at the prompt.
Queries that CREATE change this session's graph only; nothing is saved.";

/// Splits complete statements (ended by `;` outside quotes and comments)
/// off the front of `buffer`; returns them, each with the byte offset in
/// `buffer` where it starts, and what is left.
pub fn split_statements(buffer: &str) -> (Vec<(usize, String)>, String) {
    let mut statements = Vec::new();
    let mut start = 0;
    let mut quote: Option<char> = None;
    let mut chars = buffer.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match (quote, c) {
            (Some(q), '\\') if q != '`' => {
                chars.next();
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"' | '`') => quote = Some(c),
            (None, '/') if chars.peek().is_some_and(|(_, n)| *n == '/') => {
                for (_, c) in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            (None, ';') => {
                let text = &buffer[start..i];
                let s = text.trim();
                if !s.is_empty() {
                    statements.push((start + (text.len() - text.trim_start().len()), s.to_string()));
                }
                start = i + 1;
            }
            _ => {}
        }
    }
    (statements, buffer[start..].to_string())
}

fn history_path() -> Option<PathBuf> {
    match std::env::var_os("AIKG_HISTORY") {
        Some(p) if p.is_empty() => None,
        Some(p) => Some(PathBuf::from(p)),
        None => std::env::var_os("HOME")
            .or_else(|| std::env::var_os("USERPROFILE"))
            .map(|home| PathBuf::from(home).join(".aikg_history")),
    }
}

enum Flow {
    Continue,
    Quit,
}

struct Shell {
    graph: Graph,
    params: Params,
    format: ResultFormat,
    explain: bool,
    timeout: Option<Duration>,
    max_rows: Option<usize>,
    running: Arc<Mutex<Option<CancelHandle>>>,
    failed: bool,
    /// Input is a script (not a terminal): errors say where they are.
    script: bool,
    /// Statements run so far.
    statements: usize,
}

impl Shell {
    fn command(&mut self, line: &str) -> Flow {
        let (cmd, arg) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let arg = arg.trim();
        match cmd {
            ":quit" | ":q" | ":exit" => return Flow::Quit,
            ":help" | ":h" | ":?" => {
                let text = HELP
                    .replace("{format}", &format!("{:?}", self.format).to_lowercase())
                    .replace("{explain}", if self.explain { "on" } else { "off" })
                    .replace("{timeout}", &self.timeout.map_or("none".into(), |d| format!("{d:?}")))
                    .replace("{max_rows}", &self.max_rows.map_or("none".into(), |n| n.to_string()));
                self.say(&format!("{text}\n"));
            }
            ":schema" => self.say(&schema_text(&self.graph)),
            ":stats" => self.say(&stats_text(&self.graph)),
            ":format" => match arg {
                "table" => self.format = ResultFormat::Table,
                "json" => self.format = ResultFormat::Json,
                "csv" => self.format = ResultFormat::Csv,
                "" => self.say(&format!("{}\n", format!("{:?}", self.format).to_lowercase())),
                other => self.complain(&format!("unknown format '{other}' (table, json or csv)")),
            },
            ":param" | ":params" if arg.is_empty() => {
                let text: String = self.params.iter().map(|(k, v)| format!("${k} = {v}\n")).collect();
                self.say(if text.is_empty() { "(no parameters)\n" } else { &text });
            }
            ":param" => match parse_param(arg) {
                Ok((k, v)) => {
                    self.params.insert(k, v);
                }
                Err(e) => self.complain(&e),
            },
            ":unset" => {
                if self.params.remove(arg.trim_start_matches('$')).is_none() {
                    self.complain(&format!("no parameter '{arg}'"));
                }
            }
            ":explain" if arg.is_empty() => {
                self.explain = !self.explain;
                self.say(&format!("explain mode {}\n", if self.explain { "on" } else { "off" }));
            }
            ":explain" => {
                let text = arg.trim_end().trim_end_matches(';');
                match explain_text(&self.graph, text) {
                    Ok(plan) => self.say(&plan),
                    Err(e) => self.complain_error(&e),
                }
            }
            ":timeout" => match parse_duration(arg) {
                Ok(d) => self.timeout = limit_duration(d),
                Err(e) => self.complain(&e),
            },
            ":max-rows" => match arg.parse::<usize>() {
                Ok(n) => self.max_rows = limit_rows(n),
                Err(_) => self.complain(&format!("expected a number of rows, found '{arg}'")),
            },
            other => self.complain(&format!("unknown command '{other}'; :help lists them")),
        }
        Flow::Continue
    }

    fn say(&self, text: &str) {
        let mut out = stdout();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }

    fn complain(&mut self, message: &str) {
        eprintln!("error: {message}");
        self.failed = true;
    }

    fn complain_error(&mut self, e: &aikg::Error) {
        eprintln!("{}", describe(e));
        self.failed = true;
    }

    /// In a script, names the statement that failed before its error:
    /// `statement 3 (line 7): MATCH (n:Modle) ...`.
    fn locate(&self, text: &str, line: usize) {
        if !self.script {
            return;
        }
        let mut lines = text.lines();
        let first = lines.next().unwrap_or_default();
        let more = if lines.next().is_some() { " ..." } else { "" };
        eprintln!("statement {} (line {line}): {first}{more}", self.statements);
    }

    /// Runs one statement, which starts on input line `line`.
    fn run(&mut self, text: &str, line: usize) {
        self.statements += 1;
        if self.explain {
            match explain_text(&self.graph, text) {
                Ok(plan) => self.say(&plan),
                Err(e) => {
                    self.locate(text, line);
                    self.complain_error(&e);
                }
            }
            return;
        }
        let cancel = CancelHandle::new();
        if let Ok(mut running) = self.running.lock() {
            *running = Some(cancel.clone());
        }
        let options = QueryOptions {
            timeout: self.timeout,
            max_rows: self.max_rows,
            cancel: Some(cancel.clone()),
            ..QueryOptions::default()
        };
        let outcome = execute(&mut self.graph, text, &self.params, &options);
        if let Ok(mut running) = self.running.lock() {
            *running = None;
        }
        match outcome {
            Ok((result, wrote)) => {
                print_warnings(&result);
                let _ = write_result(&result, self.format, 60, stdout());
                if wrote {
                    eprintln!("note: {}; kept for this session only, not saved", changes(result.stats()));
                }
            }
            Err(_) if cancel.is_cancelled() => {
                self.locate(text, line);
                eprintln!("query cancelled");
                self.failed = true;
            }
            Err(e) => {
                self.locate(text, line);
                self.complain_error(&e);
            }
        }
    }
}

/// `aikg shell`. Exits 1 when input came from a pipe or file and some
/// query or command failed, so scripts can tell.
pub fn run(graph: Graph) -> Result<ExitCode, Failure> {
    let interactive = std::io::stdin().is_terminal();
    let mut editor =
        DefaultEditor::new().map_err(|e| Failure::Message(format!("cannot start the shell: {e}")))?;
    let history = if interactive { history_path() } else { None };
    if let Some(h) = &history {
        // A missing history file is the first session, not an error.
        let _ = editor.load_history(h);
    }
    let running: Arc<Mutex<Option<CancelHandle>>> = Arc::default();
    {
        let running = running.clone();
        // While a query runs the terminal is in its normal mode and Ctrl-C is
        // a signal: cancel the query. At the prompt the line editor reads
        // Ctrl-C as a key, so a signal then means input is not a terminal.
        let _ = ctrlc::set_handler(move || match running.lock().ok().and_then(|r| r.clone()) {
            Some(handle) => handle.cancel(),
            None => std::process::exit(130),
        });
    }
    let mut shell = Shell {
        params: Params::new(),
        format: ResultFormat::Table,
        explain: false,
        timeout: Some(Duration::from_secs(30)),
        max_rows: Some(10_000),
        running,
        failed: false,
        script: !interactive,
        statements: 0,
        graph,
    };
    if interactive {
        eprintln!(
            "aikg shell: {} nodes, {} relationships. End queries with ;  :help for help, Ctrl-D to leave.",
            shell.graph.node_count(),
            shell.graph.edge_count()
        );
    }
    let mut buffer = String::new();
    // Input lines read so far, and the line the buffer starts on.
    let (mut lines, mut buffer_line) = (0, 1);
    loop {
        let prompt = if buffer.trim().is_empty() { "aikg> " } else { "  ... " };
        match editor.readline(prompt) {
            Ok(line) => {
                lines += 1;
                if buffer.trim().is_empty() {
                    buffer_line = lines - buffer.matches('\n').count();
                }
                if buffer.trim().is_empty() && line.trim_start().starts_with(':') {
                    let _ = editor.add_history_entry(line.trim());
                    buffer.clear();
                    match shell.command(line.trim()) {
                        Flow::Quit => break,
                        Flow::Continue => continue,
                    }
                }
                buffer.push_str(&line);
                buffer.push('\n');
                let (statements, rest) = split_statements(&buffer);
                if !statements.is_empty() {
                    let entry =
                        buffer[..buffer.len() - rest.len()].split_whitespace().collect::<Vec<_>>().join(" ");
                    let _ = editor.add_history_entry(entry);
                    let line_at = |offset: usize| buffer_line + buffer[..offset].matches('\n').count();
                    let starts: Vec<usize> = statements.iter().map(|(at, _)| line_at(*at)).collect();
                    buffer_line = line_at(buffer.len() - rest.len());
                    buffer = rest;
                    for ((_, s), line) in statements.into_iter().zip(starts) {
                        shell.run(&s, line);
                    }
                }
            }
            Err(ReadlineError::Interrupted) => buffer.clear(),
            Err(ReadlineError::Eof) => {
                // A script's last query may lack its `;`.
                if !interactive && !buffer.trim().is_empty() {
                    let text = buffer.trim();
                    let line = buffer_line
                        + buffer[..buffer.len() - buffer.trim_start().len()].matches('\n').count();
                    shell.run(text, line);
                }
                break;
            }
            Err(e) => return Err(Failure::Message(format!("reading input: {e}"))),
        }
    }
    if let Some(h) = &history {
        if let Err(e) = editor.save_history(h) {
            eprintln!("warning: could not save history to {}: {e}", h.display());
        }
    }
    Ok(if shell.failed && !interactive { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_split_outside_quotes_and_comments() {
        let (s, rest) = split_statements("RETURN 'a;b' AS x; RETURN `c;` // d;\n, 2;\nMATCH (n)");
        assert_eq!(s, [(0, "RETURN 'a;b' AS x".to_string()), (19, "RETURN `c;` // d;\n, 2".to_string())]);
        assert_eq!(rest, "\nMATCH (n)");
        let (s, rest) = split_statements("RETURN 'it\\'s;';");
        assert_eq!(s, [(0, "RETURN 'it\\'s;'".to_string())]);
        assert_eq!(rest, "");
        let (s, _) = split_statements(" ; ;");
        assert!(s.is_empty());
    }
}

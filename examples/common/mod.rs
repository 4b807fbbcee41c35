//! Helpers the examples share: printing that survives a closed pipe,
//! display width for mixed Chinese and Latin text, aligned tables,
//! bilingual names and the error exit.
//!
//! Each example pulls this in with `mod common;`; it is not an example of its
//! own (Cargo only treats `examples/*.rs` and `examples/*/main.rs` as such).

// Not every example uses every helper.
#![allow(dead_code)]

use std::fmt;
use std::io::{self, Write};
use std::process::ExitCode;

use aikg::{EdgeRef, Error, NodeRef, Value};

/// `println!` for the examples' output: the same text, but a reader that
/// stops early (`cargo run --example cross_lineage | head -1`) ends the
/// program quietly with status 0, where `println!` would panic.
macro_rules! outln {
    () => {
        $crate::common::write_line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::common::write_line(format_args!($($arg)*))
    };
}
pub(crate) use outln;

/// Writes one line to standard output. A closed pipe (`BrokenPipe`) is a
/// reader that has all it wants: the program exits with status 0. Any
/// other write error ends it with status 1.
pub fn write_line(args: fmt::Arguments<'_>) {
    let mut out = io::stdout().lock();
    if let Err(e) = writeln!(out, "{args}") {
        if e.kind() == io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: writing output: {e}");
        std::process::exit(1);
    }
}

/// Terminal columns `s` takes: CJK and full-width characters take two, so
/// `"智谱AI"` is six columns wide, not four.
pub fn width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let wide = matches!(c as u32,
                0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF
                | 0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
                | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD);
            if wide {
                2
            } else {
                1
            }
        })
        .sum()
}

/// Prints `rows` as columns aligned by display width, two spaces apart, each
/// line indented by `indent` spaces. The last column is not padded.
pub fn print_table(indent: usize, rows: &[Vec<String>]) {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|i| rows.iter().filter_map(|r| r.get(i)).map(|c| width(c)).max().unwrap_or(0))
        .collect();
    for row in rows {
        let mut line = " ".repeat(indent);
        for (i, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if i + 1 < row.len() {
                line.push_str(&" ".repeat(widths[i] - width(cell) + 2));
            }
        }
        outln!("{}", line.trim_end());
    }
}

/// `"Zhipu AI 智谱AI"`: the name, then the Chinese name when there is one
/// and it says something the name does not.
pub fn bilingual(name: Option<&str>, zh: Option<&str>) -> String {
    match (name, zh) {
        (Some(n), Some(z)) if n != z => format!("{n} {z}"),
        (Some(n), _) => n.to_string(),
        (None, Some(z)) => z.to_string(),
        (None, None) => "?".to_string(),
    }
}

/// A node's bilingual name.
pub fn node_name(node: NodeRef<'_>) -> String {
    node.bilingual_name()
}

/// ` [planned]` for a relationship the report states as planned (or
/// announced, or reported by others: its `status`), nothing for an
/// established fact.
pub fn status_mark(status: Option<&str>) -> String {
    status.filter(|s| !s.is_empty()).map(|s| format!(" [{s}]")).unwrap_or_default()
}

/// A relationship's `status`, if it has one.
pub fn status(edge: EdgeRef<'_>) -> Option<&str> {
    aikg::lineage::status(edge)
}

/// A node's labels joined with `/`: `Model/Product`.
pub fn kind(node: NodeRef<'_>) -> String {
    node.labels().collect::<Vec<_>>().join("/")
}

/// The strings in a list value (a `collect(x.name)` column), nulls skipped.
pub fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_list)
        .unwrap_or(&[])
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// A scalar for a table cell: strings bare, integers as digits, null as `-`.
pub fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "-".to_string(),
        Some(Value::String(s)) => s.to_string(),
        Some(other) => other.to_string(),
    }
}

/// Runs an example body: an error is printed (a query error with a caret
/// under the offending text) and the process exits with status 1.
pub fn run(body: impl FnOnce() -> Result<(), Box<dyn std::error::Error>>) -> ExitCode {
    match body() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            match e.downcast_ref::<Error>() {
                Some(Error::Query(q)) => eprintln!("{}", q.render()),
                _ => eprintln!("error: {e}"),
            }
            ExitCode::FAILURE
        }
    }
}

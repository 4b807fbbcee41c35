//! Machine-readable renderings of a [`ResultSet`]: JSON and CSV. (The
//! aligned terminal table is the command line's business.)

use std::io::{self, Write};

use super::ResultSet;
use crate::model::Value;

/// Writes `{"columns":[...],"rows":[[...],...]}` on one line, followed by a
/// newline.
pub fn write_json(result: &ResultSet, mut out: impl Write) -> io::Result<()> {
    serde_json::to_writer(&mut out, result)?;
    out.write_all(b"\n")
}

/// Writes RFC 4180 CSV: a header of column names, then one line per row.
/// Strings are written bare, other scalars as Cypher literals, and lists,
/// maps and entities as their JSON text; fields are quoted when needed.
pub fn write_csv(result: &ResultSet, mut out: impl Write) -> io::Result<()> {
    let header: Vec<String> = result.columns().iter().map(|c| csv_field(c)).collect();
    writeln!(out, "{}", header.join(","))?;
    for row in result.rows() {
        let fields: Vec<String> = row
            .iter()
            .map(|v| match v {
                Value::Null => String::new(),
                Value::String(s) => csv_field(s),
                Value::Bool(_) | Value::Int(_) | Value::Float(_) => v.to_string(),
                other => csv_field(&result.value_json(other).to_string()),
            })
            .collect();
        writeln!(out, "{}", fields.join(","))?;
    }
    Ok(())
}

pub(crate) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

//! The bulk CSV format: `nodes.csv` (`id,label,...`) and `edges.csv`
//! (`src,dst,type,...`), for graphs far larger than the curated data.
//!
//! Columns other than the structural ones become properties. A header may
//! force a column's type with a suffix (`year:int`, `params:float`,
//! `name:string`, `open:bool`); otherwise each field becomes an integer, a
//! float or a string, whichever it parses as. An empty field is null.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use crate::error::{DataError, DataErrorKind, LoadError, Location};
use crate::model::{NodeId, Value};
use crate::store::{Graph, KeyId};

use super::DataFile;

/// Most problems kept; a file that is wrong on every row should not take
/// gigabytes to say so.
const MAX_ERRORS: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ColumnType {
    Infer,
    Int,
    Float,
    String,
    Bool,
}

struct Column {
    key: Option<KeyId>,
    name: String,
    ty: ColumnType,
    /// Repeated short strings (a funding round, a country) share one
    /// allocation; the cache gives up on columns with many distinct values.
    cache: HashMap<Box<str>, Arc<str>>,
    cache_full: bool,
}

impl Column {
    fn string(&mut self, s: &str) -> Value {
        if self.cache_full || s.len() > 24 {
            return Value::from(s);
        }
        if let Some(shared) = self.cache.get(s) {
            return Value::String(shared.clone());
        }
        if self.cache.len() >= 1024 {
            self.cache_full = true;
            self.cache = HashMap::new();
            return Value::from(s);
        }
        let shared: Arc<str> = Arc::from(s);
        self.cache.insert(s.into(), shared.clone());
        Value::String(shared)
    }

    fn value(&mut self, field: &str) -> Result<Value, String> {
        if field.is_empty() {
            return Ok(Value::Null);
        }
        match self.ty {
            ColumnType::String => Ok(self.string(field)),
            ColumnType::Int => {
                field.parse().map(Value::Int).map_err(|_| format!("'{field}' is not an integer"))
            }
            ColumnType::Float => field
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(Value::Float)
                .ok_or_else(|| format!("'{field}' is not a number")),
            ColumnType::Bool => match field.to_ascii_lowercase().as_str() {
                "true" => Ok(Value::Bool(true)),
                "false" => Ok(Value::Bool(false)),
                _ => Err(format!("'{field}' is not true or false")),
            },
            ColumnType::Infer => Ok(infer(field).unwrap_or_else(|| self.string(field))),
        }
    }
}

/// A number if the field looks like one (so names such as `NaN` or `inf`
/// stay strings).
fn infer(field: &str) -> Option<Value> {
    let b = field.as_bytes();
    let start = usize::from(matches!(b[0], b'-' | b'+'));
    if !b.get(start).is_some_and(|c| c.is_ascii_digit() || *c == b'.') {
        return None;
    }
    if let Ok(i) = field.parse::<i64>() {
        return Some(Value::Int(i));
    }
    field.parse::<f64>().ok().filter(|f| f.is_finite()).map(Value::Float)
}

/// Splits CSV text into records of fields, RFC 4180 style, tracking the
/// 1-based row number of each record. Text without any quote takes a fast
/// path that splits on newlines and commas directly.
struct Records<'a> {
    text: &'a str,
    pos: usize,
    row: usize,
    quoted: bool,
}

impl<'a> Records<'a> {
    fn new(text: &'a str) -> Records<'a> {
        Records { text, pos: 0, row: 0, quoted: text.contains('"') }
    }

    /// Fills `fields` with the next record and returns its row, or an error
    /// for a malformed quote. Blank lines are skipped.
    fn next_record(&mut self, fields: &mut Vec<Cow<'a, str>>) -> Option<(usize, Result<(), String>)> {
        loop {
            if self.pos >= self.text.len() {
                return None;
            }
            fields.clear();
            self.row += 1;
            let row = self.row;
            if !self.quoted {
                let rest = &self.text[self.pos..];
                let end = rest.find('\n').unwrap_or(rest.len());
                let line = rest[..end].strip_suffix('\r').unwrap_or(&rest[..end]);
                self.pos += end + 1;
                if line.is_empty() {
                    continue;
                }
                fields.extend(line.split(',').map(Cow::Borrowed));
                return Some((row, Ok(())));
            }
            let blank = self.text[self.pos..].starts_with('\n') || self.text[self.pos..].starts_with("\r\n");
            if blank {
                self.pos += if self.text[self.pos..].starts_with('\n') { 1 } else { 2 };
                continue;
            }
            return Some((row, self.next_quoted(fields)));
        }
    }

    fn next_quoted(&mut self, fields: &mut Vec<Cow<'a, str>>) -> Result<(), String> {
        let text = self.text;
        let bytes = text.as_bytes();
        let mut i = self.pos;
        loop {
            if bytes.get(i) == Some(&b'"') {
                let start = i + 1;
                let mut owned: Option<String> = None;
                let mut j = start;
                loop {
                    match bytes.get(j) {
                        None => {
                            self.pos = bytes.len();
                            return Err("unterminated quoted field".to_string());
                        }
                        Some(b'"') if bytes.get(j + 1) == Some(&b'"') => {
                            let s = owned.get_or_insert_with(|| text[start..j].to_string());
                            s.push('"');
                            j += 2;
                            continue;
                        }
                        Some(b'"') => break,
                        Some(b) => {
                            if *b == b'\n' {
                                self.row += 1;
                            }
                            if let Some(s) = owned.as_mut() {
                                // Copy one whole character; `j` is always on a boundary.
                                let len = text[j..].chars().next().map_or(1, char::len_utf8);
                                s.push_str(&text[j..j + len]);
                                j += len;
                                continue;
                            }
                            j += 1;
                        }
                    }
                }
                fields.push(owned.map_or(Cow::Borrowed(&text[start..j]), Cow::Owned));
                i = j + 1;
                match bytes.get(i) {
                    Some(b',') => i += 1,
                    Some(b'\r') if bytes.get(i + 1) == Some(&b'\n') => {
                        self.pos = i + 2;
                        return Ok(());
                    }
                    Some(b'\n') => {
                        self.pos = i + 1;
                        return Ok(());
                    }
                    None => {
                        self.pos = i;
                        return Ok(());
                    }
                    Some(_) => {
                        self.pos = text[i..].find('\n').map_or(bytes.len(), |e| i + e + 1);
                        return Err("unexpected text after a closing quote".to_string());
                    }
                }
            } else {
                let rest = &text[i..];
                let end = rest.find([',', '\n']).unwrap_or(rest.len());
                let field = rest[..end].strip_suffix('\r').unwrap_or(&rest[..end]);
                fields.push(Cow::Borrowed(field));
                i += end;
                match bytes.get(i) {
                    Some(b',') => i += 1,
                    _ => {
                        self.pos = i + 1;
                        return Ok(());
                    }
                }
            }
        }
    }
}

/// Collects problems up to [`MAX_ERRORS`], counting the rest.
struct Problems {
    errors: Vec<DataError>,
    dropped: usize,
}

impl Problems {
    fn push(&mut self, file: &str, row: usize, kind: DataErrorKind, message: String) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(DataError {
                location: Location { file: file.to_string(), line: row },
                kind,
                message,
            });
        } else {
            self.dropped += 1;
        }
    }

    /// Records a record that failed to split or has the wrong number of
    /// fields; `true` when the record is fine.
    fn well_formed(
        &mut self,
        file: &str,
        row: usize,
        parsed: Result<(), String>,
        fields: usize,
        width: usize,
    ) -> bool {
        let problem = match parsed {
            Err(e) => e,
            Ok(()) if fields != width => format!("row has {fields} fields, header has {width}"),
            Ok(()) => return true,
        };
        self.push(file, row, DataErrorKind::Malformed, problem);
        false
    }

    fn into_result(mut self, graph: Graph) -> Result<Graph, LoadError> {
        if self.errors.is_empty() {
            // Built now so that load time says what a loaded graph costs,
            // and the first query does not pay for it.
            graph.prepare_traversal();
            return Ok(graph);
        }
        if self.dropped > 0 {
            let last = self
                .errors
                .last()
                .map(|e| e.location.clone())
                .unwrap_or(Location { file: String::new(), line: 0 });
            self.errors.push(DataError {
                location: Location { file: last.file, line: 0 },
                kind: DataErrorKind::Malformed,
                message: format!("{} more errors not shown", self.dropped),
            });
        }
        Err(LoadError { errors: self.errors })
    }
}

/// Reads the header: the positions of the structural columns and the
/// property columns.
fn header<'a>(
    file: &DataFile<'_>,
    records: &mut Records<'a>,
    required: &[&str],
    graph: &mut Graph,
    problems: &mut Problems,
) -> Option<(Vec<usize>, Vec<Option<Column>>)> {
    let mut fields = Vec::new();
    let Some((row, parsed)) = records.next_record(&mut fields) else {
        problems.push(
            file.name(),
            1,
            DataErrorKind::Malformed,
            "file is empty; expected a header row".to_string(),
        );
        return None;
    };
    if let Err(e) = parsed {
        problems.push(file.name(), row, DataErrorKind::Malformed, e);
        return None;
    }
    let mut columns: Vec<Option<Column>> = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    for field in &fields {
        let field = field.trim();
        let (name, ty) = match field.rsplit_once(':') {
            Some((n, "int")) => (n, ColumnType::Int),
            Some((n, "float")) => (n, ColumnType::Float),
            Some((n, "string")) => (n, ColumnType::String),
            Some((n, "bool")) => (n, ColumnType::Bool),
            _ => (field, ColumnType::Infer),
        };
        if names.contains(&name) {
            problems.push(
                file.name(),
                row,
                DataErrorKind::Malformed,
                format!("duplicate column '{name}' in header"),
            );
        }
        names.push(name);
        columns.push(Some(Column {
            key: None,
            name: name.to_string(),
            ty,
            cache: HashMap::new(),
            cache_full: false,
        }));
    }
    let mut positions = Vec::new();
    for want in required {
        match names.iter().position(|n| n == want) {
            Some(p) => positions.push(p),
            None => {
                problems.push(
                    file.name(),
                    row,
                    DataErrorKind::Malformed,
                    format!("header lacks required column '{want}' (found: {})", names.join(",")),
                );
            }
        }
    }
    if positions.len() != required.len() {
        return None;
    }
    // `id` stays a property so `{id: 'C1'}` works in queries; the other
    // structural columns do not.
    for (i, col) in columns.iter_mut().enumerate() {
        if positions.contains(&i) && !(required[0] == "id" && i == positions[0]) {
            *col = None;
        } else if let Some(c) = col {
            if required[0] == "id" && i == positions[0] {
                c.ty = ColumnType::String;
            }
            c.key = Some(graph.intern_key(&c.name));
        }
    }
    Some((positions, columns))
}

/// Converts a record's property columns into `properties` (cleared first),
/// reporting every field of the wrong type; `true` when all converted.
fn row_properties(
    columns: &mut [Option<Column>],
    fields: &[Cow<'_, str>],
    file: &str,
    row: usize,
    problems: &mut Problems,
    properties: &mut Vec<(KeyId, Value)>,
) -> bool {
    properties.clear();
    let mut ok = true;
    for (col, field) in columns.iter_mut().zip(fields) {
        let Some(col) = col else { continue };
        match col.value(field) {
            Ok(Value::Null) => {}
            Ok(v) => properties.push((col.key.expect("key interned in header"), v)),
            Err(msg) => {
                let msg = format!("column '{}': {msg}", col.name);
                problems.push(file, row, DataErrorKind::InvalidProperty, msg);
                ok = false;
            }
        }
    }
    ok
}

/// Parses a node file and an edge file into a graph.
pub(super) fn parse_csv(nodes: &DataFile<'_>, edges: &DataFile<'_>) -> Result<Graph, LoadError> {
    let mut problems = Problems { errors: Vec::new(), dropped: 0 };
    let mut graph = Graph::new();
    let texts: Vec<Option<&str>> = [nodes, edges]
        .iter()
        .map(|f| match f.text() {
            Ok(t) => Some(t),
            Err(e) => {
                problems.push(&e.location.file, e.location.line, e.kind, e.message);
                None
            }
        })
        .collect();
    let (Some(node_text), Some(edge_text)) = (texts[0], texts[1]) else {
        return problems.into_result(graph);
    };

    // The row each node came from, for duplicate-id messages; the graph's
    // own id index does the lookups, so no second map of a million ids.
    let mut first_row: Vec<u32> = Vec::new();
    let mut records = Records::new(node_text);
    let node_header = header(nodes, &mut records, &["id", "label"], &mut graph, &mut problems);
    let mut fields: Vec<Cow<'_, str>> = Vec::new();
    let mut properties: Vec<(KeyId, Value)> = Vec::new();
    if let Some((pos, mut columns)) = node_header {
        let width = columns.len();
        graph.reserve(node_text.len() / 40, edge_text.len() / 24);
        first_row.reserve(node_text.len() / 40);
        while let Some((row, parsed)) = records.next_record(&mut fields) {
            if !problems.well_formed(nodes.name(), row, parsed, fields.len(), width) {
                continue;
            }
            let id = &fields[pos[0]];
            if id.is_empty() {
                problems.push(nodes.name(), row, DataErrorKind::MissingProperty, "empty id".to_string());
                continue;
            }
            let labels: Vec<&str> =
                fields[pos[1]].split(';').map(str::trim).filter(|l| !l.is_empty()).collect();
            if labels.is_empty() {
                let msg = format!("node '{id}' has an empty label");
                problems.push(nodes.name(), row, DataErrorKind::MissingProperty, msg);
                continue;
            }
            let bad =
                !row_properties(&mut columns, &fields, nodes.name(), row, &mut problems, &mut properties);
            if bad {
                continue;
            }
            if let Some(first) = graph.node_by_key(&fields[pos[0]]) {
                let msg =
                    format!("duplicate id '{}' (first at row {})", fields[pos[0]], first_row[first.index()]);
                problems.push(nodes.name(), row, DataErrorKind::DuplicateId, msg);
                continue;
            }
            graph.add_node_interned(&labels, std::mem::take(&mut properties));
            first_row.push(row as u32);
        }
    }

    let mut records = Records::new(edge_text);
    if let Some((pos, mut columns)) =
        header(edges, &mut records, &["src", "dst", "type"], &mut graph, &mut problems)
    {
        let width = columns.len();
        while let Some((row, parsed)) = records.next_record(&mut fields) {
            if !problems.well_formed(edges.name(), row, parsed, fields.len(), width) {
                continue;
            }
            let mut ends = [NodeId(0); 2];
            let mut bad = false;
            for (k, role) in ["src", "dst"].iter().enumerate() {
                match graph.node_by_key(&fields[pos[k]]) {
                    Some(n) => ends[k] = n,
                    None => {
                        let msg = format!("{role} names unknown node '{}'", fields[pos[k]]);
                        problems.push(edges.name(), row, DataErrorKind::UnknownNode, msg);
                        bad = true;
                    }
                }
            }
            let rel_type = fields[pos[2]].trim();
            if rel_type.is_empty() {
                problems.push(edges.name(), row, DataErrorKind::MissingProperty, "empty type".to_string());
                bad = true;
            }
            if !row_properties(&mut columns, &fields, edges.name(), row, &mut problems, &mut properties) {
                bad = true;
            }
            if !bad && problems.errors.is_empty() {
                graph.add_edge_interned(ends[0], ends[1], rel_type, std::mem::take(&mut properties));
            }
        }
    }
    problems.into_result(graph)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(nodes: &str, edges: &str) -> Result<Graph, LoadError> {
        Graph::from_csv_text("nodes.csv", nodes, "edges.csv", edges)
    }

    #[test]
    fn loads_generator_format_with_bom_crlf_and_quotes() {
        let nodes = "\u{feff}id,label,name,params,year,founded\r\nC0,Company,\"Anla, Inc\",,,2018\r\nM0,Model,\"Lumen \"\"6.6B\"\"\",6.6,2022,\r\n\r\n";
        let edges = "src,dst,type,round,year\nM0,C0,DEVELOPED_BY,,\nC0,C0,INVESTED_IN,Seed,2021\n";
        let g = load(nodes, edges).unwrap();
        assert_eq!((g.node_count(), g.edge_count()), (2, 2));
        let c0 = g.node(g.node_by_key("C0").unwrap());
        assert_eq!(c0.name(), Some("Anla, Inc"));
        assert_eq!(c0.property("founded"), Some(&Value::Int(2018)));
        assert_eq!(c0.property("params"), None);
        let m0 = g.node(g.node_by_key("M0").unwrap());
        assert_eq!(m0.name(), Some("Lumen \"6.6B\""));
        assert_eq!(m0.property("params"), Some(&Value::Float(6.6)));
        let (e, _) = c0.neighbours(Some("INVESTED_IN"), crate::Direction::Outgoing).next().unwrap();
        assert_eq!(e.property("round"), Some(&Value::from("Seed")));
        assert_eq!(e.property("year"), Some(&Value::Int(2021)));
    }

    #[test]
    fn reports_every_bad_row() {
        let nodes = "id,label,name,year:int\nC0,Company,A,2020\nC0,Company,B,2021\nC1,,C,\nC2,Company,D\nC3,Company,E,soon\n";
        let edges = "src,dst,type\nC0,C9,X\nC0,C0,\n";
        let err = load(nodes, edges).unwrap_err();
        let messages: Vec<String> = err.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            vec![
                "nodes.csv:3: duplicate id 'C0' (first at row 2)",
                "nodes.csv:4: node 'C1' has an empty label",
                "nodes.csv:5: row has 3 fields, header has 4",
                "nodes.csv:6: column 'year': 'soon' is not an integer",
                "edges.csv:2: dst names unknown node 'C9'",
                "edges.csv:3: empty type",
            ]
        );
    }

    #[test]
    fn header_problems() {
        let err = load("id,name\nA,x\n", "src,dst,type\n").unwrap_err();
        assert_eq!(
            err.errors[0].to_string(),
            "nodes.csv:1: header lacks required column 'label' (found: id,name)"
        );
        let err = load("", "src,dst,type\n").unwrap_err();
        assert_eq!(err.errors[0].to_string(), "nodes.csv:1: file is empty; expected a header row");
        let err = load("id,label\n\"A,Model\n", "src,dst,type\n").unwrap_err();
        assert_eq!(err.errors[0].to_string(), "nodes.csv:2: unterminated quoted field");
    }

    #[test]
    fn numbers_are_inferred_but_words_stay_strings() {
        assert_eq!(infer("42"), Some(Value::Int(42)));
        assert_eq!(infer("-1.5"), Some(Value::Float(-1.5)));
        assert_eq!(infer("NaN"), None);
        assert_eq!(infer("inf"), None);
        assert_eq!(infer("6.6B"), None);
    }
}

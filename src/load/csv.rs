//! The bulk CSV format: `nodes.csv` (`id,label,...`) and `edges.csv`
//! (`src,dst,type,...`), for graphs far larger than the curated data.
//!
//! Columns other than the structural ones become properties. A header may
//! force a column's type with a suffix (`year:int`, `params:float`,
//! `name:string`, `open:bool`); otherwise each field becomes an integer, a
//! float or a string, whichever it parses as. An empty field is null.
//!
//! # How a load runs
//!
//! Each file is read in chunks of about 1 MiB (see [`super::chunks`]), each
//! cut into blocks of about 128 KiB at record boundaries, so a load holds a
//! bounded part of a file however large it is. Worker threads parse blocks
//! (splitting, converting values, resolving edge endpoints) into plain
//! records that no longer refer to the text; the calling thread takes the
//! blocks in file order and builds the graph, so node and relationship
//! indices, interning order and the order of error messages are those of a
//! front-to-back reading. Row numbers in a block are counted from its start
//! and shifted by the rows before it. Small inputs are one block and never
//! start a thread.
//!
//! Records, values and problems are here; the node file is read in `nodes`,
//! the relationship file in `edges`, and the threads run in `pipeline`.

use std::borrow::Cow;

use crate::error::{DataError, DataErrorKind, Error, LoadError, Location};
use crate::model::Value;
use crate::store::{Graph, KeyId};

use super::chunks::{Chunk, ChunkError, ChunkReader};
use edges::load_edges;
use nodes::load_nodes;

mod edges;
mod nodes;
mod pipeline;

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

#[derive(Clone)]
struct Column {
    key: Option<KeyId>,
    name: String,
    ty: ColumnType,
}

impl Column {
    fn value(&mut self, field: &str) -> Result<Value, String> {
        if field.is_empty() {
            return Ok(Value::Null);
        }
        match self.ty {
            ColumnType::String => Ok(Value::from(field)),
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
            ColumnType::Infer => Ok(infer(field).unwrap_or_else(|| Value::from(field))),
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

// ----- records ---------------------------------------------------------------

/// The high bit of each byte of `word` that equals `byte`, and no other bit.
/// Exact, unlike the shorter test for "some byte is zero": no carry crosses
/// from one byte into the next, so a match never marks its neighbour.
#[inline]
fn bytes_equal(word: u64, byte: u8) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let x = word ^ (u64::from(byte) * 0x0101_0101_0101_0101);
    !((((x & LOW7) + LOW7) | x) | LOW7)
}

/// Splits CSV text into records of fields, RFC 4180 style, tracking the
/// 1-based row number of each record. Text without any quote takes a fast
/// path that splits on newlines and commas directly; the quoted splitter
/// splits quote-free text the same way, so parts of a file may each take
/// either (a carriage return is dropped only at the end of a record, and a
/// last line of only one is blank, in both).
///
/// A record's row is one more than the number of newlines before it, quoted
/// ones included, so a parser started at a record boundary counts rows from
/// there and the caller adds the newlines before.
struct Records<'a> {
    text: &'a str,
    pos: usize,
    row: usize,
    quoted: bool,
}

impl<'a> Records<'a> {
    #[cfg(test)]
    fn new(text: &'a str) -> Records<'a> {
        Records::with_quoting(text, text.contains('"'))
    }

    /// A parser for text that has a quote if `quoted`.
    fn with_quoting(text: &'a str, quoted: bool) -> Records<'a> {
        Records { text, pos: 0, row: 0, quoted }
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
                if self.next_unquoted(fields) {
                    return Some((row, Ok(())));
                }
                continue;
            }
            let rest = &self.text[self.pos..];
            if rest.starts_with('\n') || rest.starts_with("\r\n") || rest == "\r" {
                self.pos += if rest.starts_with('\n') { 1 } else { 2 };
                continue;
            }
            return Some((row, self.next_quoted(fields)));
        }
    }

    /// One line of quote-free text in one pass over its bytes (searching for
    /// the newline and then for each comma costs twice); `false` for a blank
    /// line. A carriage return before the newline is dropped.
    ///
    /// The bytes are read eight at a time, and the commas and the newline
    /// of each word are found from bit masks: a byte-by-byte loop
    /// mispredicted a branch at nearly every field of short records, where
    /// records of relationships are a few short fields each.
    fn next_unquoted(&mut self, fields: &mut Vec<Cow<'a, str>>) -> bool {
        let text = self.text;
        let bytes = text.as_bytes();
        let start = self.pos;
        let mut field = start;
        let mut at = start;
        let end = 'line: {
            while let Some(word) = bytes.get(at..at + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
                let word = u64::from_le_bytes(word);
                let newlines = bytes_equal(word, b'\n');
                // The commas before the word's first newline (all of them
                // when it has none), without a test per comma.
                let mut commas =
                    bytes_equal(word, b',') & (newlines & newlines.wrapping_neg()).wrapping_sub(1);
                while commas != 0 {
                    let i = at + (commas.trailing_zeros() / 8) as usize;
                    fields.push(Cow::Borrowed(&text[field..i]));
                    field = i + 1;
                    commas &= commas - 1;
                }
                if newlines != 0 {
                    break 'line at + (newlines.trailing_zeros() / 8) as usize;
                }
                at += 8;
            }
            for (i, &b) in bytes.iter().enumerate().skip(at) {
                match b {
                    b',' => {
                        fields.push(Cow::Borrowed(&text[field..i]));
                        field = i + 1;
                    }
                    b'\n' => break 'line i,
                    _ => {}
                }
            }
            text.len()
        };
        self.pos = end + 1;
        let last = &text[field..end];
        let last = last.strip_suffix('\r').unwrap_or(last);
        if fields.is_empty() && last.is_empty() {
            return false;
        }
        fields.push(Cow::Borrowed(last));
        true
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
                let field = &rest[..end];
                i += end;
                if bytes.get(i) == Some(&b',') {
                    fields.push(Cow::Borrowed(field));
                    i += 1;
                } else {
                    fields.push(Cow::Borrowed(field.strip_suffix('\r').unwrap_or(field)));
                    self.pos = i + 1;
                    return Ok(());
                }
            }
        }
    }
}

// ----- problems --------------------------------------------------------------

/// Collects problems up to [`MAX_ERRORS`], counting the rest.
struct Problems {
    errors: Vec<DataError>,
    dropped: usize,
}

impl Problems {
    fn new() -> Problems {
        Problems { errors: Vec::new(), dropped: 0 }
    }

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

    fn push_error(&mut self, error: DataError) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(error);
        } else {
            self.dropped += 1;
        }
    }

    /// Takes over the problems of a block whose rows count from `base`.
    /// A block keeps its first [`MAX_ERRORS`] like the whole load, so the
    /// ones it dropped would have been dropped here too.
    fn append(&mut self, block: Problems, base: usize) {
        for mut e in block.errors {
            e.location.line += base;
            self.push_error(e);
        }
        self.dropped += block.dropped;
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

// ----- header and values -----------------------------------------------------

/// A file's header and where the records after it start.
struct Header {
    /// The positions of the structural columns, in the order asked for.
    positions: Vec<usize>,
    columns: Vec<Option<Column>>,
    /// The chunk the header ends in, its blocks starting after the header.
    chunk: Chunk,
    /// Rows up to the end of the header.
    rows: usize,
}

/// Reads the header from the first chunks of `reader` (blank lines may
/// come first). `None` if it is missing or wrong; then `problems` say why,
/// and the rest of the file has been read, so that a bad byte or a failed
/// read anywhere in it is still reported instead.
///
/// # Errors
/// As [`ChunkReader::next_chunk`].
fn header(
    reader: &mut ChunkReader<'_>,
    required: &[&str],
    graph: &mut Graph,
    problems: &mut Problems,
) -> Result<Option<Header>, ChunkError> {
    let file = reader.name().to_string();
    let mut rows = 0;
    loop {
        let Some(mut chunk) = reader.next_chunk()? else {
            let msg = "file is empty; expected a header row".to_string();
            problems.push(&file, 1, DataErrorKind::Malformed, msg);
            return Ok(None);
        };
        let mut records = Records::with_quoting(chunk.text(), chunk.quoted());
        records.row = rows;
        let mut fields = Vec::new();
        let Some((row, parsed)) = records.next_record(&mut fields) else {
            rows = records.row;
            continue;
        };
        let Some((positions, columns)) = columns(&file, row, parsed, &fields, required, graph, problems)
        else {
            reader.check_rest()?;
            return Ok(None);
        };
        let (end, rows) = (records.pos, records.row);
        chunk.skip(end);
        return Ok(Some(Header { positions, columns, chunk, rows }));
    }
}

/// Reads the header record at `row`: the positions of the structural
/// columns and the property columns.
fn columns(
    file: &str,
    row: usize,
    parsed: Result<(), String>,
    fields: &[Cow<'_, str>],
    required: &[&str],
    graph: &mut Graph,
    problems: &mut Problems,
) -> Option<(Vec<usize>, Vec<Option<Column>>)> {
    if let Err(e) = parsed {
        problems.push(file, row, DataErrorKind::Malformed, e);
        return None;
    }
    let mut columns: Vec<Option<Column>> = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    for field in fields {
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
                file,
                row,
                DataErrorKind::Malformed,
                format!("duplicate column '{name}' in header"),
            );
        }
        names.push(name);
        columns.push(Some(Column { key: None, name: name.to_string(), ty }));
    }
    let mut positions = Vec::new();
    for want in required {
        match names.iter().position(|n| n == want) {
            Some(p) => positions.push(p),
            None => {
                problems.push(
                    file,
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

// ----- the id index ----------------------------------------------------------

/// Records whose id lookups are started together (see [`IdTable::touch`]).
const BATCH: usize = 32;

// ----- how a load is split -----------------------------------------------------

/// How a load is split; tests use small chunks and blocks and fixed thread
/// counts to exercise the boundaries.
#[derive(Debug, Clone, Copy)]
pub(super) struct Options {
    /// Parser threads; 0 for the default (see `store::threads`).
    pub(super) threads: usize,
    /// Bytes per block, about.
    pub(super) block_bytes: usize,
    /// Bytes read at a time, about (a record longer than this is read
    /// whole).
    pub(super) chunk_bytes: usize,
}

impl Default for Options {
    /// Chunks of 1 MiB (eight blocks): larger ones raised the peak of a load
    /// without making it faster (peak RSS at 1M nodes: 585 MiB with 4 MiB
    /// chunks, 582 with 2 MiB, 571 with 1 MiB, 569 with 512 KiB).
    fn default() -> Options {
        Options { threads: 0, block_bytes: 128 << 10, chunk_bytes: 1 << 20 }
    }
}

/// Loads a node file and an edge file into a graph.
///
/// # Errors
/// [`Error::Io`] if reading either file failed; otherwise
/// [`Error::Load`] with every problem in both files, or only the encoding
/// problems if either file is not UTF-8 (as when each file was decoded
/// whole before it was parsed).
pub(super) fn load(
    nodes: ChunkReader<'_>,
    mut edges: ChunkReader<'_>,
    options: Options,
) -> Result<Graph, Error> {
    let mut problems = Problems::new();
    match load_nodes(nodes, options) {
        Ok(nodes) => match load_edges(nodes, edges, options) {
            Ok(loaded) => return Ok(loaded?),
            Err(ChunkError::Io(e)) => return Err(e),
            Err(ChunkError::Text(e)) => problems.push_error(e),
        },
        Err(ChunkError::Io(e)) => return Err(e),
        Err(ChunkError::Text(e)) => {
            problems.push_error(e);
            match edges.check_rest() {
                Ok(()) => {}
                Err(ChunkError::Io(e)) => return Err(e),
                Err(ChunkError::Text(e)) => problems.push_error(e),
            }
        }
    }
    Ok(problems.into_result(Graph::new())?)
}

/// Moves the items out of a scratch vector into one of exactly their
/// number, so the graph's boxed slice of them needs no reallocation and
/// the scratch vector keeps its capacity.
fn take_exact<T>(scratch: &mut Vec<T>) -> Vec<T> {
    let mut exact = Vec::with_capacity(scratch.len());
    exact.append(scratch);
    exact
}

#[cfg(test)]
mod tests;

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

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use crate::error::{DataError, DataErrorKind, Error, LoadError, Location};
use crate::model::{NodeId, Value};
use crate::store::ids::{IdTable, Probe};
use crate::store::{FxBuild, Graph, KeyId, RelTypeId};

use super::chunks::{with_blocks, Block, Chunk, ChunkError, ChunkReader};

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
    fn next_unquoted(&mut self, fields: &mut Vec<Cow<'a, str>>) -> bool {
        let text = self.text;
        let start = self.pos;
        let mut field = start;
        let mut end = text.len();
        for (i, &b) in text.as_bytes()[start..].iter().enumerate() {
            match b {
                b',' => {
                    fields.push(Cow::Borrowed(&text[field..start + i]));
                    field = start + i + 1;
                }
                b'\n' => {
                    end = start + i;
                    break;
                }
                _ => {}
            }
        }
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

// ----- blocks in parallel ----------------------------------------------------

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

/// Blocks the parsers may run ahead of the consumer, per parser: enough to
/// keep them busy, few enough that parsed blocks do not pile up in memory.
const AHEAD_PER_THREAD: usize = 4;

struct Pipeline<R> {
    /// Blocks taken by parsers.
    next: usize,
    consumed: usize,
    /// The number of blocks, once a parser has found no more.
    count: Option<usize>,
    done: BTreeMap<usize, (usize, R)>,
    /// The consumer has stopped (finished or unwinding) or a parser panicked.
    stop: bool,
    parser_panicked: bool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Parses the items of `blocks` with `parse` on parser threads, each with
/// its own state from `new_parser`, and hands each result to `consume` on
/// the calling thread in block order, with the number of the parser that
/// made it (a parser takes its blocks in increasing order, so per-parser
/// state such as new interned names reaches `consume` in the order it
/// arose). Parsers take blocks only while fewer than a few per parser wait
/// for `consume`, so `blocks` is drawn no further ahead than that. With one
/// thread or one block, everything runs on the calling thread.
fn run_blocks<I, S, R, N, P, C>(blocks: I, threads: usize, new_parser: N, parse: P, mut consume: C)
where
    I: Iterator + Send,
    I::Item: Send,
    R: Send,
    N: Fn() -> S + Sync,
    P: Fn(&mut S, I::Item) -> R + Sync,
    C: FnMut(usize, R),
{
    let mut blocks = blocks.peekable();
    let first = blocks.next();
    let threads = match threads {
        _ if blocks.peek().is_none() => 1,
        // The graph is built on this thread, which a few parsers keep busy
        // (the default is at most eight), and every parser adds blocks
        // waiting in memory; `AIKG_THREADS=1` parses here too.
        0 => crate::store::threads::default_threads(),
        t => t,
    };
    let mut blocks = first.into_iter().chain(blocks);
    if threads <= 1 {
        let mut state = new_parser();
        for block in blocks {
            consume(0, parse(&mut state, block));
        }
        return;
    }
    let source = Mutex::new(&mut blocks);
    let shared = Mutex::new(Pipeline {
        next: 0,
        consumed: 0,
        count: None,
        done: BTreeMap::new(),
        stop: false,
        parser_panicked: false,
    });
    let changed = Condvar::new();
    let ahead = threads * AHEAD_PER_THREAD;

    /// Wakes everyone up when its thread leaves, normally or by a panic, so
    /// no thread waits for one that is gone.
    struct Leave<'s, R> {
        shared: &'s Mutex<Pipeline<R>>,
        changed: &'s Condvar,
        consumer: bool,
    }
    impl<R> Drop for Leave<'_, R> {
        fn drop(&mut self) {
            let mut p = lock(self.shared);
            if self.consumer {
                p.stop = true;
            } else if std::thread::panicking() {
                p.parser_panicked = true;
            }
            self.changed.notify_all();
        }
    }

    std::thread::scope(|scope| {
        let mut started = 0;
        for parser in 0..threads {
            let (source, shared, changed, new_parser, parse) =
                (&source, &shared, &changed, &new_parser, &parse);
            let worker = move || {
                let _leave = Leave { shared, changed, consumer: false };
                let mut state = new_parser();
                loop {
                    // Parsers take blocks one at a time, so that block `k`
                    // is the `k`th drawn; the next one may wait for a read.
                    let mut source = lock(source);
                    let k = {
                        let mut p = lock(shared);
                        loop {
                            if p.stop || p.count.is_some() {
                                return;
                            }
                            if p.next < p.consumed + ahead {
                                break;
                            }
                            p = changed.wait(p).unwrap_or_else(PoisonError::into_inner);
                        }
                        p.next
                    };
                    let block = source.next();
                    {
                        let mut p = lock(shared);
                        match block {
                            Some(_) => p.next = k + 1,
                            None => p.count = Some(k),
                        }
                    }
                    drop(source);
                    let Some(block) = block else {
                        changed.notify_all();
                        return;
                    };
                    let result = parse(&mut state, block);
                    lock(shared).done.insert(k, (parser, result));
                    changed.notify_all();
                }
            };
            let builder = std::thread::Builder::new().name("aikg-csv".to_string());
            started += usize::from(builder.spawn_scoped(scope, worker).is_ok());
        }
        if started == 0 {
            // No thread could be started (a process or memory limit); the
            // load still succeeds, on this thread.
            let mut state = new_parser();
            for block in &mut **lock(&source) {
                consume(0, parse(&mut state, block));
            }
            return;
        }
        let _leave = Leave { shared: &shared, changed: &changed, consumer: true };
        for k in 0.. {
            let (parser, result) = {
                let mut p = lock(&shared);
                loop {
                    if let Some(r) = p.done.remove(&k) {
                        p.consumed = k + 1;
                        break r;
                    }
                    // The scope re-raises a parser's panic once all have left.
                    if p.count == Some(k) || p.parser_panicked {
                        return;
                    }
                    p = changed.wait(p).unwrap_or_else(PoisonError::into_inner);
                }
            };
            changed.notify_all();
            consume(parser, result);
        }
    });
}

// ----- nodes -----------------------------------------------------------------

/// A node record that converted cleanly, waiting for its duplicate check.
struct NodeRecord {
    /// Row within the block.
    row: usize,
    /// Its id in [`NodeBlock::strings`].
    id: Range<usize>,
    /// Its labels in [`NodeBlock::labels`].
    labels: Range<usize>,
    properties: Vec<(KeyId, Value)>,
}

struct NodeBlock {
    nodes: Vec<NodeRecord>,
    /// The ids and labels of the records, one after the other: a block
    /// outlives the chunk it was parsed from, and one string per block
    /// costs less than one per id and label.
    strings: String,
    /// Labels in `strings`.
    labels: Vec<Range<usize>>,
    problems: Problems,
    /// Newlines in the block, for the rows of the blocks after it.
    lines: usize,
}

/// Moves the items out of a scratch vector into one of exactly their
/// number, so the graph's boxed slice of them needs no reallocation and
/// the scratch vector keeps its capacity.
fn take_exact<T>(scratch: &mut Vec<T>) -> Vec<T> {
    let mut exact = Vec::with_capacity(scratch.len());
    exact.append(scratch);
    exact
}

fn split_labels(all: &str) -> impl Iterator<Item = &str> {
    all.split(';').map(str::trim).filter(|l| !l.is_empty())
}

/// Appends `s` to `strings` and returns where it is.
fn push_str(strings: &mut String, s: &str) -> Range<usize> {
    let start = strings.len();
    strings.push_str(s);
    start..strings.len()
}

fn parse_node_block(
    columns: &mut [Option<Column>],
    text: &str,
    quoted: bool,
    pos: &[usize],
    file: &str,
) -> NodeBlock {
    let mut block = NodeBlock {
        nodes: Vec::new(),
        strings: String::new(),
        labels: Vec::new(),
        problems: Problems::new(),
        lines: 0,
    };
    let problems = &mut block.problems;
    let mut records = Records::with_quoting(text, quoted);
    let mut fields: Vec<Cow<'_, str>> = Vec::new();
    let mut properties: Vec<(KeyId, Value)> = Vec::new();
    let width = columns.len();
    while let Some((row, parsed)) = records.next_record(&mut fields) {
        if !problems.well_formed(file, row, parsed, fields.len(), width) {
            continue;
        }
        let id = &fields[pos[0]];
        if id.is_empty() {
            problems.push(file, row, DataErrorKind::MissingProperty, "empty id".to_string());
            continue;
        }
        let (first_label, first_string) = (block.labels.len(), block.strings.len());
        for label in split_labels(&fields[pos[1]]) {
            block.labels.push(push_str(&mut block.strings, label));
        }
        if block.labels.len() == first_label {
            let msg = format!("node '{id}' has an empty label");
            problems.push(file, row, DataErrorKind::MissingProperty, msg);
            continue;
        }
        if !row_properties(columns, &fields, file, row, problems, &mut properties) {
            block.labels.truncate(first_label);
            block.strings.truncate(first_string);
            continue;
        }
        block.nodes.push(NodeRecord {
            row,
            id: push_str(&mut block.strings, id),
            labels: first_label..block.labels.len(),
            properties: take_exact(&mut properties),
        });
    }
    block.lines = records.row;
    block
}

/// The graph after the node file, and the problems found in it.
struct NodesLoaded {
    graph: Graph,
    problems: Problems,
}

/// Loads the node file.
///
/// # Errors
/// Reading failed, or the file is not UTF-8.
fn load_nodes(mut reader: ChunkReader<'_>, options: Options) -> Result<NodesLoaded, ChunkError> {
    let mut problems = Problems::new();
    let mut graph = Graph::new();
    let Some(Header { positions: pos, columns, chunk, rows }) =
        header(&mut reader, &["id", "label"], &mut graph, &mut problems)?
    else {
        return Ok(NodesLoaded { graph, problems });
    };
    let file = &reader.name().to_string();
    let estimate = reader.text_len() / 40;
    graph.reserve(estimate, 0);
    graph.reserve_ids(estimate);
    // The row each node came from, for duplicate-id messages.
    let mut first_row: Vec<u32> = Vec::with_capacity(estimate);
    let mut base = rows;
    let ((), error) = with_blocks(reader, chunk, |blocks| {
        run_blocks(
            blocks,
            options.threads,
            || columns.clone(),
            |columns, block: Block| parse_node_block(columns, block.text(), block.quoted(), &pos, file),
            |_, block| {
                let NodeBlock { mut nodes, strings, labels, problems: found, lines } = block;
                let dropped = found.dropped;
                let mut found = found.errors.into_iter().peekable();
                let mut names: Vec<&str> = Vec::new();
                let mut probes: Vec<Probe> = Vec::with_capacity(BATCH);
                for batch in nodes.chunks_mut(BATCH) {
                    probes.clear();
                    probes.extend(batch.iter().map(|n| graph.id_probe(&strings[n.id.clone()])));
                    std::hint::black_box(probes.iter().fold(0, |t, p| t ^ graph.touch_id(p)));
                    for (node, probe) in batch.iter_mut().zip(&probes) {
                        // The block's own problems are on other rows; keep file order.
                        while let Some(mut e) = found.next_if(|e| e.location.line < node.row) {
                            e.location.line += base;
                            problems.push_error(e);
                        }
                        let row = base + node.row;
                        let id = &strings[node.id.clone()];
                        names.clear();
                        names.extend(labels[node.labels.clone()].iter().map(|l| &strings[l.clone()]));
                        let properties = std::mem::take(&mut node.properties);
                        match graph.add_node_with_id(&names, properties, id, probe) {
                            Ok(_) => first_row.push(row as u32),
                            Err(first) => {
                                let msg = format!(
                                    "duplicate id '{id}' (first at row {})",
                                    first_row[first.index()]
                                );
                                problems.push(file, row, DataErrorKind::DuplicateId, msg);
                            }
                        }
                    }
                }
                problems.append(Problems { errors: found.collect(), dropped }, base);
                base += lines;
            },
        );
    });
    match error {
        Some(e) => Err(e),
        None => Ok(NodesLoaded { graph, problems }),
    }
}

// ----- edges -----------------------------------------------------------------

/// Distinct property texts a parser remembers; past that, each record's
/// properties are converted on their own.
const SET_CACHE: usize = 4096;
/// Longer property texts are not remembered (they are rarely repeated).
const SET_KEY_MAX: usize = 256;
/// Marks [`EdgeRecord::set`] as an index into [`EdgeBlock::one_off`].
const ONE_OFF: u32 = 1 << 31;

/// What a parser keeps across the blocks it parses: relationship types and
/// property sets by their text, numbered in the order it met them, so a
/// record's type and properties are converted once per parser rather than
/// once per record.
struct EdgeParser {
    columns: Vec<Option<Column>>,
    types: HashMap<Box<str>, u32, FxBuild>,
    sets: HashMap<Box<[u8]>, u32, FxBuild>,
    /// Type and property set together by the text of both, so a record
    /// seen before costs one lookup.
    pairs: HashMap<Box<[u8]>, (u32, u32), FxBuild>,
    key: Vec<u8>,
}

/// A relationship record that parsed cleanly: endpoints, and the parser's
/// numbers for its type and property set.
struct EdgeRecord {
    src: NodeId,
    dst: NodeId,
    rel_type: u32,
    set: u32,
}

struct EdgeBlock {
    edges: Vec<EdgeRecord>,
    /// Types and property sets the parser met first in this block.
    new_types: Vec<Box<str>>,
    new_sets: Vec<Vec<(KeyId, Value)>>,
    /// Property sets of records past the parser's cache.
    one_off: Vec<Vec<(KeyId, Value)>>,
    problems: Problems,
    lines: usize,
}

/// A record of a batch (see [`IdIndex::touch`]): its row, whether it
/// split, its fields in the batch's field list, and its endpoints' probes.
struct Pending {
    row: usize,
    parsed: Result<(), String>,
    fields: Range<usize>,
    probes: [Probe; 2],
}

fn parse_edge_block(
    parser: &mut EdgeParser,
    text: &str,
    quoted: bool,
    pos: &[usize],
    file: &str,
    index: &IdTable,
) -> EdgeBlock {
    let mut block = EdgeBlock {
        edges: Vec::new(),
        new_types: Vec::new(),
        new_sets: Vec::new(),
        one_off: Vec::new(),
        problems: Problems::new(),
        lines: 0,
    };
    let problems = &mut block.problems;
    let mut records = Records::with_quoting(text, quoted);
    let mut fields: Vec<Cow<'_, str>> = Vec::new();
    let mut properties: Vec<(KeyId, Value)> = Vec::new();
    let width = parser.columns.len();
    let mut batch: Vec<Pending> = Vec::with_capacity(BATCH);
    let mut all: Vec<Cow<'_, str>> = Vec::new();
    loop {
        batch.clear();
        all.clear();
        while batch.len() < BATCH {
            let Some((row, parsed)) = records.next_record(&mut fields) else { break };
            let probes = if fields.len() == width {
                [index.probe(&fields[pos[0]]), index.probe(&fields[pos[1]])]
            } else {
                [index.probe(""); 2]
            };
            let first = all.len();
            all.append(&mut fields);
            batch.push(Pending { row, parsed, fields: first..all.len(), probes });
        }
        if batch.is_empty() {
            break;
        }
        std::hint::black_box(
            batch.iter().fold(0, |t, p| t ^ index.touch(&p.probes[0]) ^ index.touch(&p.probes[1])),
        );
        for Pending { row, parsed, fields, probes } in batch.drain(..) {
            let fields = &all[fields];
            if !problems.well_formed(file, row, parsed, fields.len(), width) {
                continue;
            }
            let mut ends = [NodeId(0); 2];
            let mut bad = false;
            for (k, role) in ["src", "dst"].iter().enumerate() {
                match index.get_probed(&fields[pos[k]], &probes[k]) {
                    Some(n) => ends[k] = n,
                    None => {
                        let msg = format!("{role} names unknown node '{}'", fields[pos[k]]);
                        problems.push(file, row, DataErrorKind::UnknownNode, msg);
                        bad = true;
                    }
                }
            }
            // The property fields and the type, each length-prefixed so
            // that different field splits never meet. Text that converted
            // once converts the same way again, so a remembered record needs
            // no checking.
            let rel_type = fields[pos[2]].trim();
            parser.key.clear();
            for (col, field) in parser.columns.iter().zip(fields) {
                if col.is_some() {
                    parser.key.extend_from_slice(&(field.len() as u64).to_le_bytes());
                    parser.key.extend_from_slice(field.as_bytes());
                }
            }
            let props_len = parser.key.len();
            parser.key.extend_from_slice(&(rel_type.len() as u64).to_le_bytes());
            parser.key.extend_from_slice(rel_type.as_bytes());
            if let Some(&(rel_type, set)) = parser.pairs.get(parser.key.as_slice()) {
                if !bad {
                    block.edges.push(EdgeRecord { src: ends[0], dst: ends[1], rel_type, set });
                }
                continue;
            }
            if rel_type.is_empty() {
                problems.push(file, row, DataErrorKind::MissingProperty, "empty type".to_string());
                bad = true;
            }
            let set = match parser.sets.get(&parser.key[..props_len]) {
                Some(&set) => set,
                None => {
                    if !row_properties(&mut parser.columns, fields, file, row, problems, &mut properties) {
                        continue;
                    }
                    let converted = take_exact(&mut properties);
                    if parser.sets.len() < SET_CACHE && props_len <= SET_KEY_MAX {
                        let set = parser.sets.len() as u32;
                        parser.sets.insert(parser.key[..props_len].into(), set);
                        block.new_sets.push(converted);
                        set
                    } else {
                        block.one_off.push(converted);
                        ONE_OFF | (block.one_off.len() - 1) as u32
                    }
                }
            };
            if bad {
                continue;
            }
            let rel_type = match parser.types.get(rel_type) {
                Some(&t) => t,
                None => {
                    let t = parser.types.len() as u32;
                    parser.types.insert(rel_type.into(), t);
                    block.new_types.push(rel_type.into());
                    t
                }
            };
            if set & ONE_OFF == 0 && parser.pairs.len() < SET_CACHE && parser.key.len() <= SET_KEY_MAX {
                parser.pairs.insert(parser.key.as_slice().into(), (rel_type, set));
            }
            block.edges.push(EdgeRecord { src: ends[0], dst: ends[1], rel_type, set });
        }
    }
    block.lines = records.row;
    block
}

/// Loads the edge file into the graph of [`load_nodes`] and checks the
/// whole load.
///
/// # Errors
/// Reading failed, or the file is not UTF-8.
fn load_edges(
    nodes: NodesLoaded,
    mut reader: ChunkReader<'_>,
    options: Options,
) -> Result<Result<Graph, LoadError>, ChunkError> {
    let NodesLoaded { mut graph, mut problems } = nodes;
    let Some(Header { positions: pos, columns, chunk, rows }) =
        header(&mut reader, &["src", "dst", "type"], &mut graph, &mut problems)?
    else {
        return Ok(problems.into_result(graph));
    };
    // Parsers look endpoints up while the graph takes relationships.
    let index = graph.take_id_index();
    let file = &reader.name().to_string();
    graph.reserve(0, reader.text_len() / 24);
    let mut base = rows;
    // Per parser: its type and property set numbers in the graph.
    let mut types: Vec<Vec<RelTypeId>> = Vec::new();
    let mut sets: Vec<Vec<u32>> = Vec::new();
    let ((), error) = with_blocks(reader, chunk, |blocks| {
        run_blocks(
            blocks,
            options.threads,
            || EdgeParser {
                columns: columns.clone(),
                types: HashMap::default(),
                sets: HashMap::default(),
                pairs: HashMap::default(),
                key: Vec::new(),
            },
            |parser, block: Block| parse_edge_block(parser, block.text(), block.quoted(), &pos, file, &index),
            |parser, block| {
                if types.len() <= parser {
                    types.resize_with(parser + 1, Vec::new);
                    sets.resize_with(parser + 1, Vec::new);
                }
                let (types, sets) = (&mut types[parser], &mut sets[parser]);
                // A type new to this parser in this block first occurs in the
                // file in this block or earlier, so interning here, in the
                // block's order, interns in file order.
                types.extend(block.new_types.iter().map(|t| graph.intern_rel_type(t)));
                sets.extend(block.new_sets.into_iter().map(|s| graph.edge_property_set(s)));
                // A load with errors returns no graph, so stop building it.
                let clean = problems.errors.is_empty() && block.problems.errors.is_empty();
                problems.append(block.problems, base);
                base += block.lines;
                if !clean {
                    return;
                }
                let mut one_off = block.one_off;
                for batch in block.edges.chunks(BATCH) {
                    std::hint::black_box(
                        batch.iter().fold(0, |t, e| {
                            t ^ graph.touch_edge_heads(e.src) ^ graph.touch_edge_heads(e.dst)
                        }),
                    );
                    for e in batch {
                        let set = match e.set & ONE_OFF {
                            0 => sets[e.set as usize],
                            _ => graph
                                .edge_property_set(std::mem::take(&mut one_off[(e.set ^ ONE_OFF) as usize])),
                        };
                        graph.add_edge_with_set(e.src, e.dst, types[e.rel_type as usize], set);
                    }
                }
            },
        );
    });
    graph.put_id_index(index);
    match error {
        Some(e) => Err(e),
        None => Ok(problems.into_result(graph)),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::chunks::cut_blocks;

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
        let (e, _) = c0.neighbours(Some("INVESTED_IN"), crate::Direction::Outgoing).unwrap().next().unwrap();
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

    /// Everything a graph shows through the public API, in order.
    fn dump(g: &Graph) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let _ = writeln!(out, "{:?}", g.labels().collect::<Vec<_>>());
        let _ = writeln!(out, "{:?}", g.rel_types().collect::<Vec<_>>());
        let _ = writeln!(out, "{:?}", g.property_keys().collect::<Vec<_>>());
        for id in g.node_ids() {
            let n = g.node(id);
            let indexed = n.key().map(|k| g.node_by_key(k) == Some(id));
            let labels: Vec<_> = n.labels().collect();
            let _ = writeln!(out, "{id:?} {labels:?} {:?} {indexed:?}", n.properties().collect::<Vec<_>>());
        }
        for id in g.edge_ids() {
            let e = g.edge(id);
            let (src, dst) = (e.src().id(), e.dst().id());
            let _ = writeln!(
                out,
                "{id:?} {src:?} {dst:?} {} {:?}",
                e.rel_type(),
                e.properties().collect::<Vec<_>>()
            );
        }
        out
    }

    /// The graph's dump, or the messages of the load's errors.
    fn describe(loaded: Result<Graph, Error>) -> String {
        match loaded {
            Ok(g) => dump(&g),
            Err(Error::Load(e)) => e.errors.iter().map(|e| format!("{e}\n")).collect(),
            Err(e) => format!("{e}\n"),
        }
    }

    /// Hands out at most `step` bytes a read, so that reads end anywhere.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(self.step).min(self.bytes.len());
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    /// Reads its bytes, then fails.
    struct Failing<'a>(&'a [u8]);

    impl std::io::Read for Failing<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0.is_empty() {
                return Err(std::io::Error::other("the disk is on fire"));
            }
            self.0.read(buf)
        }
    }

    fn reader<'a>(
        name: &str,
        source: impl std::io::Read + Send + 'a,
        size: usize,
        options: Options,
    ) -> ChunkReader<'a> {
        ChunkReader::new(name, source, size, options.chunk_bytes, options.block_bytes)
    }

    /// A load of any bytes, each read through [`Trickle`] in steps of
    /// `step`, with `options`.
    fn load_bytes(nodes: &[u8], edges: &[u8], options: Options, step: usize) -> String {
        let nodes = reader("nodes.csv", Trickle { bytes: nodes, step }, nodes.len(), options);
        let edges = reader("edges.csv", Trickle { bytes: edges, step }, edges.len(), options);
        describe(super::load(nodes, edges, options))
    }

    /// The graph's dump or the error messages of a load on `threads`
    /// threads in blocks of `block_bytes`, reading chunks of `chunk_bytes`.
    fn outcome_in_chunks(
        nodes: &str,
        edges: &str,
        threads: usize,
        block_bytes: usize,
        chunk_bytes: usize,
    ) -> String {
        let options = Options { threads, block_bytes, chunk_bytes };
        load_bytes(nodes.as_bytes(), edges.as_bytes(), options, usize::MAX)
    }

    /// [`outcome_in_chunks`], reading each file in one chunk.
    fn outcome(nodes: &str, edges: &str, threads: usize, block_bytes: usize) -> String {
        outcome_in_chunks(nodes, edges, threads, block_bytes, usize::MAX)
    }

    /// What `Graph::from_csv_text` makes of the files.
    fn in_memory(nodes: &str, edges: &str) -> String {
        describe(load(nodes, edges).map_err(Error::from))
    }

    /// Quoted fields with commas, doubled quotes and newlines, a quote in
    /// the middle of a field (which opens nothing), CRLF, blank lines,
    /// several labels, ids longer than the index keeps in place, and more
    /// distinct relationship property sets than a parser remembers.
    fn tricky_files() -> (String, String) {
        let id = |i: usize| if i % 7 == 0 { format!("node-with-a-long-id-{i}") } else { format!("N{i}") };
        let mut nodes = String::from("\u{feff}id,label,name,year\r\n");
        for i in 0..300 {
            let name = match i % 5 {
                0 => format!("\"Name {i},\nsecond line\""),
                1 => format!("\"say \"\"hi\"\" {i}\""),
                2 => format!("half\"quote{i}"),
                _ => format!("Plain {i}"),
            };
            let label = if i % 11 == 0 { "Model; Product" } else { "Model" };
            nodes.push_str(&format!("{},{label},{name},{}\r\n", id(i), 2000 + i % 30));
            if i % 50 == 0 {
                nodes.push_str("\r\n");
            }
        }
        let mut edges = String::from("src,dst,type,round,weight\n");
        for i in 0..5000 {
            let round = if i % 13 == 0 { "\"Series\nA\"".to_string() } else { format!("R{}", i % 4) };
            let rel = ["BUILT_ON", "INVESTED_IN", " PART_OF "][i % 3];
            edges.push_str(&format!("{},{},{rel},{round},{i}\n", id(i % 300), id((i * 7 + 3) % 300)));
        }
        (nodes, edges)
    }

    #[test]
    fn blocks_and_threads_do_not_change_the_graph() {
        let (nodes, edges) = tricky_files();
        let sequential = outcome(&nodes, &edges, 1, usize::MAX);
        assert!(sequential.contains(r#""Name 0,\nsecond line""#), "{sequential}");
        assert_eq!(sequential.lines().filter(|l| l.starts_with("EdgeId")).count(), 5000);
        for threads in [1, 2, 3] {
            for block_bytes in [1, 5, 64, 999, 4096] {
                let parallel = outcome(&nodes, &edges, threads, block_bytes);
                assert!(parallel == sequential, "{threads} threads, blocks of {block_bytes}");
            }
        }
    }

    #[test]
    fn blocks_end_at_record_boundaries() {
        // The quote in `ab"c` is text; one that opens a field spans lines.
        let text = "id,label\nx,ab\"c\ny,\"d\ne,\"\"f\"\n\n\"g\nh\"\"i\",L\r\nz,\"q\"junk\nw,v";
        let expected = {
            let mut records = Records::new(text);
            let mut fields = Vec::new();
            let mut out = Vec::new();
            while let Some((row, parsed)) = records.next_record(&mut fields) {
                out.push((row, parsed, fields.clone()));
            }
            out
        };
        assert_eq!(expected.len(), 6);
        for target in 1..text.len() + 2 {
            let mut got = Vec::new();
            let mut base = 0;
            for block in cut_blocks(text.as_bytes(), true, target, true).0 {
                let mut records = Records::with_quoting(&text[block], true);
                let mut fields = Vec::new();
                while let Some((row, parsed)) = records.next_record(&mut fields) {
                    got.push((base + row, parsed, fields.clone()));
                }
                base += records.row;
            }
            assert_eq!(got, expected, "blocks of {target}");
        }
    }

    #[test]
    fn errors_in_later_blocks_keep_their_rows_and_order() {
        // Row 2 spans two lines, so rows are not records.
        let mut nodes = String::from("id,label,name,year:int\nA,Model,\"two\nlines\",1\n");
        for i in 0..200 {
            nodes.push_str(&format!("N{i},Model,n,{i}\n"));
        }
        nodes.push_str("N5,Model,again,1\nB,Model,x,soon\nC,,x,1\n");
        let mut edges = String::from("src,dst,type\n");
        for i in 0..200 {
            edges.push_str(&format!("N{i},A,R\n"));
        }
        edges.push_str("A,Nowhere,R\n\"A\",A,\n");
        let expected = "nodes.csv:204: duplicate id 'N5' (first at row 9)\n\
                        nodes.csv:205: column 'year': 'soon' is not an integer\n\
                        nodes.csv:206: node 'C' has an empty label\n\
                        edges.csv:202: dst names unknown node 'Nowhere'\n\
                        edges.csv:203: empty type\n";
        for threads in [1, 2, 3] {
            for block_bytes in [1, 16, 100, usize::MAX] {
                assert_eq!(
                    outcome(&nodes, &edges, threads, block_bytes),
                    expected,
                    "{threads} {block_bytes}"
                );
            }
        }
    }

    /// Chunk sizes that cut the small files of these tests everywhere, and
    /// one that reads each whole.
    fn chunk_sizes(len: usize) -> impl Iterator<Item = usize> {
        (1..=len + 1).chain([usize::MAX])
    }

    #[test]
    fn chunks_do_not_change_the_graph() {
        let (nodes, edges) = tricky_files();
        let whole = in_memory(&nodes, &edges);
        assert_eq!(whole.lines().filter(|l| l.starts_with("EdgeId")).count(), 5000);
        for (threads, block_bytes) in [(1, usize::MAX), (2, 1), (3, 64), (2, 999)] {
            for chunk_bytes in [1, 7, 100, 4096, 100_000] {
                let chunked = outcome_in_chunks(&nodes, &edges, threads, block_bytes, chunk_bytes);
                assert!(
                    chunked == whole,
                    "{threads} threads, blocks of {block_bytes}, chunks of {chunk_bytes}"
                );
            }
        }
    }

    #[test]
    fn a_quoted_newline_or_comma_across_chunks() {
        let nodes = "id,label,name\nA,Model,\"first line\nsecond, line\"\nB,\"Model\",\"x\"\"y\"\n\"C\",Model,plain\n";
        let edges = "src,dst,type,note\nA,B,R,\"a\nb,c\"\nB,C,R,\"\"\"\"\n";
        let whole = in_memory(nodes, edges);
        assert!(whole.contains(r#"String("first line\nsecond, line")"#), "{whole}");
        assert!(whole.contains(r#"String("a\nb,c")"#), "{whole}");
        for chunk_bytes in chunk_sizes(nodes.len().max(edges.len())) {
            for (threads, block_bytes) in [(1, 1), (2, 1), (2, 16), (1, usize::MAX)] {
                let chunked = outcome_in_chunks(nodes, edges, threads, block_bytes, chunk_bytes);
                assert_eq!(
                    chunked, whole,
                    "chunks of {chunk_bytes}, {threads} threads, blocks of {block_bytes}"
                );
            }
        }
    }

    #[test]
    fn a_character_split_by_a_read() {
        let nodes = "id,label,name\n智,Company,智谱AI\n谱,Model,\"智谱 \"\"GLM\"\"\"\n";
        let edges = "src,dst,type\n谱,智,开发\n";
        let whole = in_memory(nodes, edges);
        assert!(whole.contains(r#"String("智谱AI")"#) && whole.contains("开发"), "{whole}");
        for step in [1, 2, 5] {
            for chunk_bytes in chunk_sizes(nodes.len()) {
                let options = Options { threads: 2, block_bytes: 1, chunk_bytes };
                let chunked = load_bytes(nodes.as_bytes(), edges.as_bytes(), options, step);
                assert_eq!(chunked, whole, "reads of {step}, chunks of {chunk_bytes}");
            }
        }
    }

    #[test]
    fn crlf_and_a_byte_order_mark_across_chunks() {
        let nodes = "\u{feff}id,label,year\r\nA,Model,2020\r\n\r\nB,Model,\r\n\"C\",Model,\"2\"\r\n";
        let edges = "\u{feff}src,dst,type\r\nA,B,R\r\nB,C,\"S\"\r\n";
        let whole = in_memory(nodes, edges);
        assert!(!whole.contains('\r') && whole.contains("Int(2020)"), "{whole}");
        assert_eq!(whole.lines().filter(|l| l.starts_with("EdgeId")).count(), 2);
        for step in [1, 3, usize::MAX] {
            for chunk_bytes in chunk_sizes(nodes.len()) {
                let options = Options { threads: 2, block_bytes: 1, chunk_bytes };
                let chunked = load_bytes(nodes.as_bytes(), edges.as_bytes(), options, step);
                assert_eq!(chunked, whole, "reads of {step}, chunks of {chunk_bytes}");
            }
        }
    }

    #[test]
    fn short_and_odd_files_in_chunks() {
        let cases = [
            // No final newline, with and without quotes.
            ("id,label\nA,Model\nB,Model", "src,dst,type\nA,B,R"),
            ("id,label\nA,Model\n\"B\",Model", "src,dst,type\nA,B,\"R\""),
            // Empty, header only, blank lines only, blank lines before the header.
            ("", "src,dst,type\n"),
            ("id,label\n", "src,dst,type"),
            ("\n\r\n\n", "src,dst,type\n"),
            ("\n\r\n\nid,label\nA,\n", "\r\n\nsrc,dst,type\nA,A,R\n"),
            ("\u{feff}", "\u{feff}src,dst,type\n"),
            // A last line of a lone carriage return is blank, quoted or not.
            ("id,label\nA,Model\n\r", "src,dst,type\nA,A,\"R\"\n\r"),
            // Header problems, and an unterminated quote that runs to the end.
            ("id,name\nA,x\n", "src,dst\n"),
            ("id,label\n\"A,Model\nB,Model\n", "src,dst,type\n"),
        ];
        let expected = [
            "2 nodes 1 edges",
            "2 nodes 1 edges",
            "nodes.csv:1: file is empty; expected a header row\n",
            "0 nodes 0 edges",
            "nodes.csv:1: file is empty; expected a header row\n",
            "nodes.csv:5: node 'A' has an empty label\nedges.csv:4: src names unknown node 'A'\nedges.csv:4: dst names unknown node 'A'\n",
            "nodes.csv:1: file is empty; expected a header row\n",
            "1 nodes 1 edges",
            "nodes.csv:1: header lacks required column 'label' (found: id,name)\nedges.csv:1: header lacks required column 'type' (found: src,dst)\n",
            "nodes.csv:2: unterminated quoted field\n",
        ];
        for ((nodes, edges), expected) in cases.into_iter().zip(expected) {
            let whole = in_memory(nodes, edges);
            let counts =
                load(nodes, edges).map(|g| format!("{} nodes {} edges", g.node_count(), g.edge_count()));
            assert_eq!(counts.unwrap_or_else(|_| whole.clone()), expected, "{nodes:?} {edges:?}");
            for chunk_bytes in chunk_sizes(nodes.len().max(edges.len())) {
                for threads in [1, 2] {
                    let chunked = outcome_in_chunks(nodes, edges, threads, 1, chunk_bytes);
                    assert_eq!(chunked, whole, "{nodes:?} {edges:?} in chunks of {chunk_bytes}");
                }
            }
        }
    }

    #[test]
    fn the_two_splitters_agree_on_text_without_quotes() {
        let texts = [
            "a,b\r\nc\r,d\r\n\r\n,\r\n,,\n\r\r\n\rx\r",
            "a\r\n\r",
            "a,\r",
            "\r\n\r\n",
            "x,y,\n\n,",
            "last\r\r",
        ];
        for text in texts {
            let split = |quoted| {
                let mut records = Records::with_quoting(text, quoted);
                let mut fields = Vec::new();
                let mut out = Vec::new();
                while let Some((row, parsed)) = records.next_record(&mut fields) {
                    out.push((row, parsed, fields.clone()));
                }
                (out, records.row)
            };
            assert_eq!(split(true), split(false), "{text:?}");
        }
    }

    /// A node file of `rows` rows after the header, with `bad` spliced in
    /// before row `at` (1-based, after the header).
    fn nodes_with(rows: usize, at: usize, bad: &[u8]) -> Vec<u8> {
        let mut bytes = b"id,label,name\n".to_vec();
        for i in 0..rows {
            if i + 2 == at {
                bytes.extend_from_slice(bad);
            }
            bytes.extend_from_slice(format!("N{i},Model,\"n\ni\"\n").as_bytes());
        }
        bytes
    }

    /// The error decoding `bytes` whole gives, as the loader did before it
    /// read files in chunks.
    fn whole_file_error(name: &str, bytes: &[u8]) -> String {
        format!("{}\n", super::super::DataFile::new(name, bytes).text().unwrap_err())
    }

    #[test]
    fn invalid_utf8_in_a_late_chunk_names_its_line() {
        // Rows span two lines, so lines are not rows; a duplicate id before
        // the bad byte is not reported, as the file is not read as text.
        let bad = ["智,Model,\"x".as_bytes(), b"\xFF", b"y\"\n"].concat();
        let mut nodes = nodes_with(300, 250, &bad);
        nodes.splice(0..0, b"\xEF\xBB\xBF".iter().copied());
        nodes.extend_from_slice(b"N1,Model,again\n");
        let edges = b"src,dst,type\nN1,N2,R\n";
        let error = whole_file_error("nodes.csv", &nodes);
        // Each row is two lines; the bad one is before row 249.
        assert_eq!(error, "nodes.csv:498: invalid UTF-8 at byte 4132\n");
        let both = format!("{error}edges.csv:2: invalid UTF-8 at byte 18\n");
        let bad_edges = b"src,dst,type\nN1,N2\xE6\x99,R\nN1,N2,R\n";
        assert_eq!(whole_file_error("edges.csv", bad_edges), "edges.csv:2: invalid UTF-8 at byte 18\n");
        for chunk_bytes in [1, 2, 3, 7, 100, 1000, 6400, 6500, usize::MAX] {
            for (threads, step) in [(1, usize::MAX), (2, 1), (2, 4096)] {
                let options = Options { threads, block_bytes: 100, chunk_bytes };
                let at = format!("chunks of {chunk_bytes}, {threads} threads, reads of {step}");
                assert_eq!(load_bytes(&nodes, edges, options, step), error, "{at}");
                assert_eq!(load_bytes(&nodes, bad_edges, options, step), both, "{at}");
                let fine = nodes_with(300, 0, b"");
                let only_edges = whole_file_error("edges.csv", bad_edges);
                assert_eq!(load_bytes(&fine, bad_edges, options, step), only_edges, "{at}");
            }
        }
    }

    #[test]
    fn a_character_cut_short_by_the_end_of_the_file() {
        let nodes = "id,label,name\nA,Model,智谱".as_bytes();
        let nodes = &nodes[..nodes.len() - 1];
        let error = whole_file_error("nodes.csv", nodes);
        assert_eq!(error, "nodes.csv:2: invalid UTF-8 at byte 25\n");
        for chunk_bytes in chunk_sizes(nodes.len()) {
            let options = Options { threads: 1, block_bytes: 1, chunk_bytes };
            assert_eq!(load_bytes(nodes, b"src,dst,type\n", options, 1), error, "chunks of {chunk_bytes}");
        }
    }

    #[test]
    fn errors_in_several_chunks_keep_their_rows() {
        let mut nodes = String::from("id,label,year:int,name\n");
        let mut expected = String::new();
        let mut line = 2;
        for i in 0..400 {
            // Quoted newlines make lines and rows differ.
            let name = if i % 10 == 0 { "\"two\nlines\"" } else { "one" };
            match i % 97 {
                13 => {
                    nodes.push_str(&format!("N{i},,1,{name}\n"));
                    expected.push_str(&format!("nodes.csv:{line}: node 'N{i}' has an empty label\n"));
                }
                50 => {
                    nodes.push_str(&format!("N{i},Model,soon,{name}\n"));
                    expected
                        .push_str(&format!("nodes.csv:{line}: column 'year': 'soon' is not an integer\n"));
                }
                _ => nodes.push_str(&format!("N{i},Model,{i},{name}\n")),
            }
            line += if i % 10 == 0 { 2 } else { 1 };
        }
        assert_eq!(expected.lines().count(), 8);
        assert_eq!(in_memory(&nodes, "src,dst,type\n"), expected);
        for chunk_bytes in [1, 10, 100, 1000, 3000] {
            for threads in [1, 2, 3] {
                let chunked = outcome_in_chunks(&nodes, "src,dst,type\n", threads, 50, chunk_bytes);
                assert_eq!(chunked, expected, "chunks of {chunk_bytes}, {threads} threads");
            }
        }
    }

    #[test]
    fn a_failed_read_names_the_file() {
        let options = Options { threads: 2, block_bytes: 16, chunk_bytes: 32 };
        let nodes = nodes_with(100, 0, b"");
        let failed = |nodes: &[u8], fail_nodes: bool| {
            let edges = b"src,dst,type\nN1,N2,R\n".as_slice();
            let (n, e) = if fail_nodes {
                (reader("nodes.csv", Failing(nodes), 0, options), reader("edges.csv", edges, 0, options))
            } else {
                (reader("nodes.csv", nodes, 0, options), reader("edges.csv", Failing(edges), 0, options))
            };
            match super::load(n, e, options) {
                Err(Error::Io { path, source }) => format!("{path}: {source}"),
                other => describe(other),
            }
        };
        assert_eq!(failed(&nodes, true), "nodes.csv: the disk is on fire");
        assert_eq!(failed(&nodes, false), "edges.csv: the disk is on fire");
        // A failed read wins over a bad byte before it, in either file.
        let bad = nodes_with(100, 3, b"\xFF\n");
        assert_eq!(failed(&bad, true), "nodes.csv: the disk is on fire");
        assert_eq!(failed(&bad, false), "edges.csv: the disk is on fire");
        // And over a wrong header, after which the rest is only checked.
        assert_eq!(failed(b"id,name\n", true), "nodes.csv: the disk is on fire");
    }

    /// A folder of test files, removed when dropped.
    struct Scratch(std::path::PathBuf);

    impl Scratch {
        fn new(name: &str) -> Scratch {
            let dir = std::env::temp_dir().join(format!("aikg-csv-{}-{name}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }

        fn write(&self, name: &str, bytes: &[u8]) -> std::path::PathBuf {
            let path = self.0.join(name);
            std::fs::write(&path, bytes).unwrap();
            path
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn files_load_as_text_in_memory_does() {
        let dir = Scratch::new("files");
        let (nodes, edges) = tricky_files();
        let mut bad_edges = edges.clone();
        bad_edges.push_str("N1,Nowhere,R,,\nN1,N2,,,\n");
        for (nodes, edges) in [(&nodes, &edges), (&nodes, &bad_edges)] {
            let (n, e) = (dir.write("n.csv", nodes.as_bytes()), dir.write("e.csv", edges.as_bytes()));
            let names = (n.display().to_string(), e.display().to_string());
            let text = describe(Graph::from_csv_text(&names.0, nodes, &names.1, edges).map_err(Error::from));
            assert!(text.contains("Nowhere") == (edges == &bad_edges), "{text}");
            assert_eq!(describe(Graph::from_csv(&n, &e)), text);
            for chunk_bytes in [1, 100, 10_000] {
                let options = Options { threads: 2, block_bytes: 500, chunk_bytes };
                let open = |path: &std::path::Path, name: &str| {
                    let file = std::fs::File::open(path).unwrap();
                    let size = file.metadata().unwrap().len() as usize;
                    reader(name, file, size, options)
                };
                let chunked = describe(super::load(open(&n, &names.0), open(&e, &names.1), options));
                assert_eq!(chunked, text, "chunks of {chunk_bytes}");
            }
        }
        let missing = dir.0.join("missing.csv");
        let n = dir.write("n.csv", nodes.as_bytes());
        for (nodes, edges) in [(&missing, &n), (&n, &missing)] {
            match Graph::from_csv(nodes, edges) {
                Err(Error::Io { path, .. }) => assert_eq!(path, missing.display().to_string()),
                other => panic!("{:?}", other.map(|g| g.node_count())),
            }
        }
    }

    #[test]
    fn the_error_cap_counts_errors_of_every_block() {
        let mut nodes = String::from("id,label\n");
        for i in 0..500 {
            nodes.push_str(&format!("N{i},Model\nN{i},Model\nE{i},\n"));
        }
        let sequential = outcome(&nodes, "src,dst,type\n", 1, usize::MAX);
        assert!(sequential.ends_with("nodes.csv: 900 more errors not shown\n"), "{sequential}");
        for block_bytes in [1, 30, 1000] {
            assert_eq!(outcome(&nodes, "src,dst,type\n", 2, block_bytes), sequential);
        }
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

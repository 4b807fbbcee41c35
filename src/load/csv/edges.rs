//! The relationship file: records into relationships between the nodes the
//! node file loaded, their property sets shared.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use super::nodes::NodesLoaded;
use super::pipeline::run_blocks;
use super::*;
use crate::error::{DataErrorKind, LoadError};
use crate::load::chunks::{with_blocks, Block, ChunkError, ChunkReader};
use crate::model::{NodeId, Value};
use crate::store::ids::{IdTable, Probe};
use crate::store::{FxBuild, Graph, KeyId, RelTypeId};

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
pub(super) fn load_edges(
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

//! The node file: records into nodes, with their ids checked for duplicates
//! and entered into the id index.

use std::borrow::Cow;
use std::ops::Range;

use super::pipeline::run_blocks;
use super::*;
use crate::error::DataErrorKind;
use crate::load::chunks::{with_blocks, Block, ChunkError, ChunkReader};
use crate::model::Value;
use crate::store::ids::Probe;
use crate::store::{Graph, KeyId};

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
pub(super) struct NodesLoaded {
    pub(super) graph: Graph,
    pub(super) problems: Problems,
}

/// Loads the node file.
///
/// # Errors
/// Reading failed, or the file is not UTF-8.
pub(super) fn load_nodes(mut reader: ChunkReader<'_>, options: Options) -> Result<NodesLoaded, ChunkError> {
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

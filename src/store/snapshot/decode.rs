//! Decoding a snapshot's sections into a graph: the meta and name sections, the
//! node and relationship records (which the streamed open splits over two
//! threads), the id index and the stored lists, each checked as it is read.

use std::sync::Arc;

use indexmap::IndexSet;
use petgraph::graph::NodeIndex;

use super::super::adjacency::{digest_one, Adjacency, Lists};
use super::super::ids::{IdTable, Probe};
use super::super::threads;
use super::super::{find_property, EdgeData, Graph, Interner, KeyId, LabelId, LabelSet, NodeData, RelTypeId};
use super::*;
use crate::model::schema::AI_INDUSTRY;
use crate::model::{NodeId, Text, Value};

/// Counts from the meta section.
pub(super) struct Meta {
    schema: u8,
    flags: u8,
    id_key: u64,
    pub(super) nodes: usize,
    pub(super) edges: usize,
    sets: usize,
    pub(super) ids: usize,
}

/// The graph as far as the sections before the id index make it (meta,
/// names, relationship property sets), and the counts the meta section
/// gives. `after` is the body's bytes past the end of `r`.
pub(super) fn read_head(r: &mut Reader<'_>, after: u64) -> Result<(Graph, Meta), Corrupt> {
    let mut s = r.section(META)?;
    let (schema, flags, id_key) = (s.byte()?, s.byte()?, s.uv()?);
    // Each node takes at least two bytes, each relationship sixteen and
    // each property set one, in the sections that follow.
    let mut count = |min_bytes: usize| -> Result<usize, Corrupt> {
        let n = s.uv()?;
        let left = r.remaining() as u64 + after;
        if n.saturating_mul(min_bytes as u64) > left {
            return corrupt(format!("a count of {n} is more than the {left} bytes left hold"));
        }
        Ok(n as usize)
    };
    let meta = Meta {
        schema,
        flags,
        id_key,
        nodes: count(2)?,
        edges: count(ONE_RELATIONSHIP)?,
        sets: count(1)?,
        ids: count(2)?,
    };
    s.done("meta")?;
    // petgraph's indexes are u32 with u32::MAX as its end mark.
    if meta.nodes >= u32::MAX as usize || meta.edges >= u32::MAX as usize || meta.sets > u32::MAX as usize {
        return corrupt("more nodes, relationships or property sets than a graph holds");
    }
    let mut graph = Graph {
        schema: match meta.schema {
            0 => None,
            1 => Some(&AI_INDUSTRY),
            other => return corrupt(format!("unknown schema {other}")),
        },
        ids_dense: meta.flags & 1 != 0,
        duplicate_ids: meta.flags & 2 != 0,
        ..Graph::default()
    };
    if meta.flags > 3 {
        return corrupt(format!("unknown flags {:#x}", meta.flags));
    }
    // `n.id` is read from the index when ids are dense, so every node must
    // be in it (no node is in it twice: see `read_ids`).
    if graph.ids_dense && meta.ids != meta.nodes {
        return corrupt(format!("{} ids for {} nodes whose ids are all indexed", meta.ids, meta.nodes));
    }

    let mut s = r.section(NAMES)?;
    let mut label_counts = Vec::new();
    graph.labels = read_interner(&mut s, Some(&mut label_counts))?;
    graph.rel_types = read_interner(&mut s, None)?;
    graph.keys = read_interner(&mut s, None)?;
    s.done("names")?;
    let (rel_types, keys) = (graph.rel_types.0.len(), graph.keys.0.len());
    graph.id_key = match meta.id_key {
        0 => None,
        k if k <= keys as u64 => Some(KeyId(k as u32 - 1)),
        k => return corrupt(format!("id key {} out of range (there are {keys})", k - 1)),
    };
    graph.by_label =
        label_counts.iter().map(|n| Vec::with_capacity((*n).min(meta.nodes))).collect::<Vec<Vec<NodeId>>>();
    graph.edges_per_type = vec![0; rel_types];

    let mut sets = Vec::with_capacity(meta.sets);
    r.chunked(SETS, meta.sets, "property set", |s| {
        sets.push(read_properties(s, keys)?);
        Ok(())
    })?;
    graph.edge_property_sets = sets;

    let mut s = r.section(POOL)?;
    let pooled = s.count(1)?;
    let mut pool =
        std::collections::HashMap::with_capacity_and_hasher(pooled, super::super::IndexHash::default());
    for _ in 0..pooled {
        let i = s.u32_below(graph.edge_property_sets.len(), "pooled property set")?;
        pool.insert(graph.edge_property_sets[i as usize].clone(), i);
    }
    s.done("pool")?;
    graph.edge_property_pool = pool;
    Ok((graph, meta))
}

pub(super) fn read_graph(r: &mut Reader<'_>, version: u32) -> Result<Graph, Corrupt> {
    let (mut graph, meta) = read_head(r, 0)?;

    // Two threads share the rest: the second builds the id index and reads
    // (version 2) or builds (version 1) the relationship lists while the
    // first decodes the nodes and relationships into the graph. The id
    // sections come first and are skipped here by their lengths.
    let ids_start = r.pos;
    r.skip(IDS)?;
    let ids = Reader { bytes: &r.bytes[..r.pos], pos: ids_start };
    let (nodes, edges, id_count, types) = (meta.nodes, meta.edges, meta.ids, graph.rel_types.0.len());
    let sections = node_sections(r, nodes)?;
    // The second thread decodes the last third of the nodes first, so that
    // the two threads' shares come out about even (10M open, one process
    // each: 6.7-6.9 s with a third, 7.1-7.5 s with a quarter, 6.8-7.2 s with
    // half, 8.1-8.2 s with an eighth, which suited the slower id index).
    let (mine, theirs) = sections.split_at(sections.len() - sections.len() / 3);
    let at_edges = *r;
    // Version 2's lists follow the relationship sections.
    let stored_lists = if version >= 2 {
        let mut after = at_edges;
        after.skip(EDGES)?;
        Some(after)
    } else {
        None
    };
    // Version 1: outgoing lists on the second thread after the ids,
    // incoming ones on this thread after the graph, so that the two threads
    // finish about together. The records are found (a pass over all of
    // them) by whichever thread needs them first, not before either starts.
    let records = std::sync::OnceLock::new();
    let records = || records.get_or_init(|| Records::find(at_edges, edges, nodes, types)).as_ref();
    let outgoing = |e: &Records<'_>| Lists::build(nodes, e.total, |_| true, |i| e.get(i));
    let incoming = |e: &Records<'_>| {
        Lists::build(
            nodes,
            e.total,
            |_| true,
            |i| {
                let (src, dst, ty) = e.get(i);
                (dst, src, ty)
            },
        )
    };
    let (label_count, key_count) = (graph.labels.0.len(), graph.keys.0.len());
    let second = |decoded: std::sync::mpsc::Sender<Decoded>| {
        let mut their_nodes = Vec::with_capacity(theirs.iter().map(|(_, n)| n).sum());
        let result = decode_nodes(theirs, label_count, key_count, |node| their_nodes.push(node));
        // The receiver is gone only if the first thread failed already.
        let _ = decoded.send(result.map(|()| their_nodes));
        // The lists are read in file order while the first thread decodes
        // nodes; the id index, whose every insertion is a cache miss, is
        // built while the first thread adds relationships, which are too:
        // the other way round, each pair slowed the other down.
        let lists = match stored_lists {
            Some(mut at) => ListsOnSecond::Stored(lists::read_lists(&mut at, nodes, edges, types)),
            None => ListsOnSecond::Outgoing(records().map(outgoing)),
        };
        let by_id = read_ids(&mut { ids }, id_count, nodes);
        (by_id, lists)
    };
    let ((rest, incoming), (by_id, lists)) = share_open(second, |theirs| {
        let mine = |add: &mut dyn FnMut(NodeData)| decode_nodes(mine, label_count, key_count, add);
        let rest =
            read_nodes_and_edges(r, &mut graph, &meta, mine, theirs).and_then(|digest| match stored_lists {
                Some(at) if r.pos != at.pos => corrupt("unexpected sections after the relationships"),
                None if r.remaining() != 0 => {
                    corrupt(format!("{} unexpected bytes at the end", r.remaining()))
                }
                _ => Ok(digest),
            });
        let incoming = if stored_lists.is_none() { records().map(incoming) } else { None };
        (rest, incoming)
    });
    let digest = rest?;
    graph.by_id = by_id?;
    let lists = match lists {
        ListsOnSecond::Stored(read) => Some(checked_lists(read, digest)?),
        ListsOnSecond::Outgoing(outgoing) => outgoing.zip(incoming),
    };
    Ok(finish_graph(graph, lists))
}

/// Both directions' stored lists, if they hold the relationships whose
/// [`digest_one`] sum is `digest`.
pub(super) fn checked_lists(
    read: Result<[(Lists, u64); 2], Corrupt>,
    digest: u64,
) -> Result<(Lists, Lists), Corrupt> {
    let [(outgoing, out_digest), (incoming, in_digest)] = read?;
    if out_digest != digest || in_digest != digest {
        return corrupt("the stored relationship lists do not hold the file's relationships");
    }
    Ok((outgoing, incoming))
}

/// The last steps of an open, once the nodes, relationships and id index
/// are in: long ids shared with the nodes' own, and the packed lists
/// (built now if the file had none).
pub(super) fn finish_graph(mut graph: Graph, lists: Option<(Lists, Lists)>) -> Graph {
    share_long_ids(&mut graph);
    match lists {
        Some((outgoing, incoming)) => {
            let adjacency = Adjacency::with_lists(&graph.inner, outgoing, incoming, |_| true);
            let _ = graph.adjacency.set(Arc::new(adjacency));
        }
        _ if graph.edge_count() > 0 => graph.prepare_traversal(),
        _ => {}
    }
    graph
}

/// The nodes the second thread of an open decodes.
pub(super) type Decoded = Result<Vec<NodeData>, Corrupt>;

/// Runs `second` on a helper thread (or here, first, when no thread can be
/// had) and `first` here, handing `first` a wait for the nodes `second`
/// decodes and sends; returns what each returned.
pub(super) fn share_open<A, B: Send>(
    second: impl FnOnce(std::sync::mpsc::Sender<Decoded>) -> B + Send + Copy,
    first: impl FnOnce(&dyn Fn() -> Decoded) -> A,
) -> (A, B) {
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::channel();
        let worker = threads::spawn_helper(scope, "aikg-open", move || second(sender));
        // No thread to spare: do its part now.
        let (receiver, done_here) = match worker {
            Some(worker) => (receiver, Err(worker)),
            None => {
                let (sender, receiver) = std::sync::mpsc::channel();
                (receiver, Ok(second(sender)))
            }
        };
        let theirs = || receiver.recv().unwrap_or_else(|_| corrupt("the second thread stopped"));
        let first = first(&theirs);
        (first, done_here.unwrap_or_else(threads::join))
    })
}

/// The relationship lists as the second thread of an open leaves them.
enum ListsOnSecond {
    /// Read from the file (version 2), with their digests.
    Stored(Result<[(Lists, u64); 2], Corrupt>),
    /// The outgoing lists built from the records (version 1), if the
    /// records are laid out as the writer lays them out.
    Outgoing(Option<Lists>),
}

/// The relationship records of the file, for building the relationship
/// lists straight from them: every chunk but the last holds the same
/// number of records, as the writer makes them, so record `i` is found by
/// a shift.
pub(super) struct Records<'a> {
    pub(super) chunks: Vec<&'a [u8]>,
    /// Records per chunk, a power of two (the writer's are): record `i` is
    /// in chunk `i >> shift`, which the lists' builder asks for a few
    /// million times.
    pub(super) per_chunk: usize,
    shift: u32,
    total: usize,
}

impl<'a> Records<'a> {
    /// The records after the node sections that start at `r`, if they are
    /// laid out as the writer lays them out and every end and type is in
    /// range; otherwise `None`, and the lists are built from the graph once
    /// it is filled (the decoder reports what is wrong with the records).
    pub(super) fn find(mut r: Reader<'a>, total: usize, nodes: usize, types: usize) -> Option<Records<'a>> {
        r.skip(NODES).ok()?;
        let mut chunks = Vec::new();
        let mut found = 0usize;
        while found < total {
            let mut s = r.section(EDGES).ok()?;
            let n = s.count(ONE_RELATIONSHIP).ok()?;
            let bytes = s.take(n * ONE_RELATIONSHIP).ok()?;
            if n == 0 || s.remaining() != 0 {
                return None;
            }
            chunks.push(bytes);
            found += n;
        }
        let per_chunk = match chunks.as_slice() {
            [] => 1,
            // One chunk: any power of two as large does.
            [one] => (one.len() / ONE_RELATIONSHIP).next_power_of_two(),
            [first, ..] => first.len() / ONE_RELATIONSHIP,
        };
        let uniform = chunks.split_last().is_none_or(|(last, rest)| {
            rest.iter().all(|c| c.len() == per_chunk * ONE_RELATIONSHIP)
                && last.len() <= per_chunk * ONE_RELATIONSHIP
        });
        let in_range = chunks.iter().flat_map(|c| c.chunks_exact(ONE_RELATIONSHIP)).all(|b| {
            let field = |at: usize| le32(b, at) as usize;
            field(0) < nodes && field(4) < nodes && field(8) < types
        });
        let shift = per_chunk.trailing_zeros();
        (found == total && uniform && in_range && per_chunk.is_power_of_two()).then_some(Records {
            chunks,
            per_chunk,
            shift,
            total,
        })
    }

    /// Record `i`'s `(source, target, type)`.
    #[inline]
    fn get(&self, i: usize) -> (usize, usize, u32) {
        let b = &self.chunks[i >> self.shift][(i & (self.per_chunk - 1)) * ONE_RELATIONSHIP..];
        (le32(b, 0) as usize, le32(b, 4) as usize, le32(b, 8))
    }
}

/// The node sections at `r`, each as its reader (past its count) and its
/// count of nodes; `r` is left after them.
pub(super) fn node_sections<'a>(
    r: &mut Reader<'a>,
    total: usize,
) -> Result<Vec<(Reader<'a>, usize)>, Corrupt> {
    let mut sections = Vec::new();
    let mut read = 0usize;
    while read < total {
        let mut section = r.section(NODES)?;
        let n = section.chunk_count(read, total, 1, "node")?;
        sections.push((section, n));
        read += n;
    }
    Ok(sections)
}

/// Decodes the nodes of `sections` in order, handing each to `add`.
fn decode_nodes(
    sections: &[(Reader<'_>, usize)],
    labels: usize,
    keys: usize,
    mut add: impl FnMut(NodeData),
) -> Result<(), Corrupt> {
    for (section, n) in sections {
        decode_node_section(&mut { *section }, *n, labels, keys, &mut add)?;
    }
    Ok(())
}

/// Decodes every node section `stream` holds, handing each node to `add`;
/// returns how many there were.
pub(super) fn decode_streamed_nodes(
    stream: &mut impl Sections,
    labels: usize,
    keys: usize,
    mut add: impl FnMut(NodeData),
) -> Result<usize, Corrupt> {
    let mut decoded = 0usize;
    while stream.left() > 0 {
        let mut section = stream.section(NODES)?;
        let n = section.count(1)?;
        if n == 0 {
            return corrupt("an empty node chunk");
        }
        decode_node_section(&mut section, n, labels, keys, &mut add)?;
        decoded += n;
    }
    Ok(decoded)
}

/// The `n` nodes of one node section.
fn decode_node_section(
    s: &mut Reader<'_>,
    n: usize,
    labels: usize,
    keys: usize,
    add: &mut impl FnMut(NodeData),
) -> Result<(), Corrupt> {
    for _ in 0..n {
        let node_labels = match s.count(1)? {
            0 => LabelSet::default(),
            1 => LabelSet::One(LabelId(s.u32_below(labels, "label")?)),
            n => {
                let mut many = Vec::with_capacity(n);
                for _ in 0..n {
                    many.push(LabelId(s.u32_below(labels, "label")?));
                }
                LabelSet::Many(many.into_boxed_slice())
            }
        };
        let properties = read_properties(s, keys)?;
        add(NodeData { labels: node_labels, properties });
    }
    s.done("node")
}

/// The nodes of `mine` and then those `theirs` gives (decoded on the
/// other thread), and the relationship sections at `r`, into `graph`;
/// returns the [`digest_one`] sum of the relationships.
pub(super) fn read_nodes_and_edges(
    r: &mut impl Sections,
    graph: &mut Graph,
    meta: &Meta,
    mine: impl FnOnce(&mut dyn FnMut(NodeData)) -> Result<(), Corrupt>,
    theirs: impl FnOnce() -> Result<Vec<NodeData>, Corrupt>,
) -> Result<u64, Corrupt> {
    let rel_types = graph.rel_types.0.len();
    graph.inner = petgraph::Graph::with_capacity(meta.nodes, meta.edges);
    let mut add = |node: NodeData| {
        let id = NodeId(graph.inner.node_count() as u32);
        for l in node.labels.as_slice() {
            graph.by_label[l.0 as usize].push(id);
        }
        graph.inner.add_node(node);
    };
    mine(&mut add)?;
    for node in theirs()? {
        add(node);
    }
    if graph.inner.node_count() != meta.nodes {
        return corrupt(format!(
            "{} nodes where the meta section says {}",
            graph.inner.node_count(),
            meta.nodes
        ));
    }
    let (nodes, sets) = (meta.nodes as u64, graph.edge_property_sets.len() as u64);
    // Adding a relationship updates the list heads of both its ends, two
    // nodes anywhere in memory: the nodes of the next batch are touched
    // together first, so their cache misses overlap instead of coming one
    // relationship after another (as the CSV loader does).
    const BATCH: usize = 64;
    let mut in_batch = 0;
    let mut digest = 0u64;
    r.chunked(EDGES, meta.edges, "relationship", |s| {
        if in_batch == 0 {
            let ahead = s.bytes.get(s.pos..).unwrap_or_default();
            let touched = ahead.chunks_exact(ONE_RELATIONSHIP).take(BATCH).fold(0, |t, b| {
                t ^ graph.touch_edge_heads(NodeId(le32(b, 0))) ^ graph.touch_edge_heads(NodeId(le32(b, 4)))
            });
            std::hint::black_box(touched);
            in_batch = BATCH;
        }
        in_batch -= 1;
        let b = s.take(ONE_RELATIONSHIP)?;
        let (src, dst, ty, set) = (le32(b, 0), le32(b, 4), le32(b, 8), le32(b, 12));
        if u64::from(src) >= nodes || u64::from(dst) >= nodes {
            return corrupt(format!("relationship from node {src} to {dst} (there are {nodes} nodes)"));
        }
        if ty as usize >= rel_types || u64::from(set) >= sets {
            return corrupt(format!("relationship type {ty} or property set {set} out of range"));
        }
        graph.edges_per_type[ty as usize] += 1;
        let edge = graph.inner.add_edge(
            NodeIndex::new(src as usize),
            NodeIndex::new(dst as usize),
            EdgeData { rel_type: RelTypeId(ty), properties: set },
        );
        digest = digest.wrapping_add(digest_one(src, dst, edge.index() as u32, ty));
        Ok(())
    })?;
    Ok(digest)
}

/// The id index from its sections.
pub(super) fn read_ids(r: &mut impl Sections, count: usize, nodes: usize) -> Result<IdTable, Corrupt> {
    // Each insertion lands in a random slot of a table far larger than
    // the caches: the slots of the next batch are read first, so that
    // they are fetched from memory together rather than one insertion
    // after another.
    const BATCH: usize = 64;
    let mut by_id = IdTable::default();
    by_id.reserve(count);
    let mut read = 0usize;
    while read < count {
        let (mut s, n) = r.chunk(IDS, read, count, 1, "id")?;
        // Borrows the section's ids, so one per section.
        let mut batch: Vec<(u32, &str, Probe)> = Vec::with_capacity(BATCH);
        let mut left = n;
        while left > 0 {
            batch.clear();
            while batch.len() < BATCH && left > 0 {
                let (node, id) = (s.u32_below(nodes, "node")?, s.str()?);
                batch.push((node, id, by_id.probe(id)));
                left -= 1;
            }
            std::hint::black_box(batch.iter().fold(0, |t, (_, _, p)| t ^ by_id.touch(p)));
            for (node, id, probe) in &batch {
                let node = NodeId(*node);
                if by_id.id_of(node).is_some() {
                    return corrupt(format!("node {} is in the id index twice", node.0));
                }
                if by_id.insert_probed(Value::String(Text::from(*id)), probe, node).is_err() {
                    return corrupt(format!("the id of node {} is in the id index twice", node.0));
                }
            }
        }
        s.done("id")?;
        read += n;
    }
    r.finish("id")?;
    Ok(by_id)
}

/// Makes each long id in the index share its string with the node's `id`
/// property, as it does in a graph built by adding nodes, rather than hold a
/// copy. Short ids are inline, so there is nothing to share.
fn share_long_ids(graph: &mut Graph) {
    let Some(id_key) = graph.id_key else { return };
    let (by_id, inner) = (&mut graph.by_id, &graph.inner);
    for (node, key) in by_id.ids_mut() {
        if matches!(key, Value::String(s) if s.is_inline()) {
            continue;
        }
        let own = inner
            .node_weight(NodeIndex::new(node.index()))
            .and_then(|n| find_property(&n.properties, id_key));
        if let Some(own) = own.filter(|own| *own == key) {
            *key = own.clone();
        }
    }
}

fn read_interner(r: &mut Reader<'_>, mut counts: Option<&mut Vec<usize>>) -> Result<Interner, Corrupt> {
    let n = r.count(1)?;
    if n > u32::MAX as usize {
        return corrupt("too many names");
    }
    let mut set = IndexSet::with_capacity_and_hasher(n, super::super::IndexHash::default());
    for _ in 0..n {
        let name = r.str()?;
        if !set.insert(Arc::<str>::from(name)) {
            return corrupt(format!("the name '{name}' is interned twice"));
        }
        if let Some(counts) = counts.as_deref_mut() {
            counts.push(usize::try_from(r.uv()?).unwrap_or(usize::MAX));
        }
    }
    Ok(Interner(set))
}

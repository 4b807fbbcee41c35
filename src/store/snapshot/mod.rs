//! Binary snapshots of a [`Graph`]: [`Graph::save`] and [`Graph::open`].
//!
//! A snapshot holds the store as it is — interned names, nodes, relationships
//! in index order, shared relationship property sets, the id index — so that
//! opening one skips everything a loader does per row (parsing, checking,
//! interning, hashing property sets) and restores the same node and
//! relationship ids, hence the same query results in the same order.
//!
//! # Format, version 2
//!
//! All integers are little-endian; "varint" is unsigned LEB128, signed values
//! are zigzag-encoded first.
//!
//! ```text
//! header   magic "\x89AIKG\r\n\x1a" (8 bytes), format version (u32)
//! body     sections: tag (u8), length (u64), that many bytes
//! trailer  body length (u64), CRC-32 of the body (u32), "KGND"
//! ```
//!
//! The length and checksum trail the body so that a snapshot can be written
//! to a pipe in one pass, without holding it in memory or seeking back.
//!
//! | tag | section | content |
//! |-----|---------|---------|
//! | 1 | meta | schema (0 none, 1 built-in), flags, `id` key; counts of nodes, relationships, property sets and ids |
//! | 2 | names | labels (name, node count), relationship types, property keys |
//! | 3 | property sets | relationship property sets, in index order (repeated, a chunk each) |
//! | 4 | pool | indexes of the sets shared by content |
//! | 6 | nodes | labels and properties of each node (repeated, a chunk each) |
//! | 7 | relationships | source, target, type, property set: four u32 each (repeated) |
//! | 5 | ids | the id index: node and id string (repeated) |
//! | 8, 9 | outgoing lists | each node's list length (u32 each), then every entry, node by node: other end, relationship, type (three u32 each) (repeated) |
//! | 10, 11 | incoming lists | as the outgoing ones |
//!
//! Version 1 is the same without the lists (tags 8 to 11), which opening
//! then builds from the relationships; this build reads both versions and
//! writes version 2. Sections come in the order of the table but for the
//! ids, which precede the nodes. See [`lists`] for why the lists are stored
//! and how they are checked.
//!
//! A property value is a tag byte and its payload (see [`values::put_value`]);
//! every [`Value`] variant has one, temporals included.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;

use indexmap::IndexSet;
use petgraph::graph::NodeIndex;

use super::adjacency::{digest_one, Adjacency, Lists};
use super::ids::{IdTable, Probe};
use super::threads;
use super::{find_property, EdgeData, Graph, Interner, KeyId, LabelId, LabelSet, NodeData, RelTypeId};
use crate::error::{DataError, DataErrorKind, Error, LoadError, Location};
use crate::model::schema::AI_INDUSTRY;
use crate::model::{NodeId, Text, Value};
use stream::{Sections, Stream};
use values::{put_properties, read_properties};

mod lists;
mod stream;
pub(super) mod values;

/// The first bytes of every snapshot. The high byte and the line ends catch
/// a transfer that treated the file as text, as PNG's signature does.
const SNAPSHOT_MAGIC: [u8; 8] = *b"\x89AIKG\r\n\x1a";

/// The format version this build writes, and the newest it reads. Version
/// 1 has no stored relationship lists; this build reads it too.
const VERSION: u32 = 2;

/// The end of every snapshot: a file cut short ends without it.
const END: [u8; 4] = *b"KGND";

const HEADER: usize = SNAPSHOT_MAGIC.len() + 4;
const TRAILER: usize = 8 + 4 + END.len();

const META: u8 = 1;
const NAMES: u8 = 2;
const SETS: u8 = 3;
const POOL: u8 = 4;
const IDS: u8 = 5;
const NODES: u8 = 6;
const EDGES: u8 = 7;

/// Sections of many items are cut into chunks of about this many bytes, so
/// the writer holds one chunk in memory rather than a whole section.
const CHUNK: usize = 1 << 20;

/// Lists and maps nested deeper than this are refused, on both sides, so a
/// crafted file cannot overflow the stack of the recursive decoder.
const MAX_DEPTH: usize = 256;

const ONE_RELATIONSHIP: usize = 16;

impl Graph {
    /// Writes the graph to `path` as a binary snapshot, which
    /// [`Graph::open`] reads back as the same graph: the same node and
    /// relationship ids, labels, properties (every value type, temporals
    /// included), schema and indexes, so every query gives the same result.
    /// Registered procedures and cached plans are not saved.
    ///
    /// Cost: O(nodes + relationships + property bytes), one pass; memory
    /// beyond the graph is one chunk of about 1 MiB.
    ///
    /// ```
    /// let graph = aikg::Graph::builtin();
    /// let path = std::env::temp_dir().join(format!("aikg-doc-{}.snapshot", std::process::id()));
    /// graph.save(&path)?;
    /// let opened = aikg::Graph::open(&path)?;
    /// assert_eq!(opened.node_count(), graph.node_count());
    /// assert_eq!(opened.node(opened.resolve("智谱AI")?).key(), Some("zhipu-ai"));
    /// # std::fs::remove_file(&path).ok();
    /// # Ok::<(), aikg::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be written, or if the graph carries
    /// a schema other than the built-in one (a snapshot records only
    /// whether it had the built-in schema), a list or map nested more than
    /// 256 deep, or deleted nodes or relationships (the format has no
    /// tombstones: save [`Graph::compacted`] instead).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let io = |source| Error::Io { path: name.clone(), source };
        // Written beside the target and renamed over it, so that a failed or
        // interrupted save never leaves a cut-short snapshot under its name.
        let mut partial = path.as_os_str().to_owned();
        partial.push(format!(".partial-{}", std::process::id()));
        let partial = std::path::PathBuf::from(partial);
        let written = (|| {
            let file = std::fs::File::create(&partial)?;
            let mut out = std::io::BufWriter::with_capacity(CHUNK, file);
            self.write_snapshot(&mut out)?;
            out.flush()?;
            out.into_inner().map_err(std::io::IntoInnerError::into_error)?.sync_all()?;
            std::fs::rename(&partial, path)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&partial);
        }
        written.map_err(io)
    }

    /// Writes the graph as a binary snapshot to `out` (see
    /// [`Graph::save`]); `out` is written in large pieces, so it needs no
    /// buffer of its own.
    ///
    /// ```
    /// let graph = aikg::Graph::builtin();
    /// let mut bytes = Vec::new();
    /// graph.write_snapshot(&mut bytes)?;
    /// let opened = aikg::Graph::read_snapshot(bytes.as_slice())?;
    /// assert_eq!(opened.edge_count(), graph.edge_count());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// What writing to `out` returns; an [`std::io::ErrorKind::InvalidInput`]
    /// error for a graph a snapshot cannot hold (see [`Graph::save`]).
    pub fn write_snapshot(&self, out: impl Write) -> std::io::Result<()> {
        self.write_version(out, VERSION)
    }

    /// Writes a snapshot in format `version` (tests write version 1 to
    /// check that it is still read).
    fn write_version(&self, out: impl Write, version: u32) -> std::io::Result<()> {
        if self.node_count() != self.node_slots() || self.edge_count() != self.edge_slots() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "the graph has deleted nodes or relationships, which a snapshot cannot hold: save Graph::compacted() instead",
            ));
        }
        let mut w = Writer { out, hasher: crc32fast::Hasher::new(), len: 0, buf: Vec::with_capacity(CHUNK) };
        w.out.write_all(&SNAPSHOT_MAGIC)?;
        w.out.write_all(&version.to_le_bytes())?;
        self.write_body(&mut w, version)?;
        let crc = w.hasher.clone().finalize();
        let mut trailer = Vec::with_capacity(TRAILER);
        trailer.extend_from_slice(&w.len.to_le_bytes());
        trailer.extend_from_slice(&crc.to_le_bytes());
        trailer.extend_from_slice(&END);
        w.out.write_all(&trailer)
    }

    /// Opens a snapshot written by [`Graph::save`]. The indexes are
    /// rebuilt from the file in bulk and the packed relationship lists read
    /// from it (built, for a version 1 file, as the loaders build them), so
    /// the first query pays nothing extra.
    ///
    /// A file of 64 MiB or more is read a few MiB at a time, its checksum
    /// summed as it is decoded and checked before the graph is returned, so
    /// opening needs a few buffers beyond the graph; a smaller one is read
    /// whole and checked before anything is decoded. Reading, checking and
    /// decoding use one thread besides the caller's (the id index, the
    /// lists and a third of the nodes are decoded on it), or the caller's
    /// alone when `AIKG_THREADS=1` or no thread can be started.
    ///
    /// Cost: O(nodes + relationships + file bytes).
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("aikg-doc-open-{}.snapshot", std::process::id()));
    /// std::fs::write(&path, b"{\"nodes\":[]}")?;
    /// let err = aikg::Graph::open(&path).unwrap_err();
    /// assert!(err.to_string().ends_with("not an aikg snapshot (it does not start with the snapshot magic bytes)"), "{err}");
    /// # std::fs::remove_file(&path).ok();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be read; [`Error::Load`], naming the
    /// file, if it is not a snapshot, is cut short, is of a newer format
    /// version than this build reads, fails its checksum, or does not
    /// decode. A corrupt file is an error, never a panic.
    pub fn open(path: impl AsRef<Path>) -> Result<Graph, Error> {
        open_from(path.as_ref(), STREAM_FROM)
    }

    /// Reads a snapshot from `input` to its end; see [`Graph::open`]. The
    /// file is called `<snapshot>` in error messages.
    ///
    /// # Errors
    /// [`Error::Io`] if reading fails; otherwise as [`Graph::open`].
    pub fn read_snapshot(mut input: impl Read) -> Result<Graph, Error> {
        let name = "<snapshot>";
        let mut bytes = Vec::new();
        input.read_to_end(&mut bytes).map_err(|source| Error::Io { path: name.to_string(), source })?;
        Ok(decode(name, &bytes)?)
    }

    /// Whether the file at `path` starts with the snapshot magic bytes (a
    /// file that cannot be read is not a snapshot). `aikg --graph` uses it
    /// to tell a snapshot from a JSON export.
    pub fn is_snapshot(path: impl AsRef<Path>) -> bool {
        let mut start = [0u8; SNAPSHOT_MAGIC.len()];
        std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut start)).is_ok()
            && start == SNAPSHOT_MAGIC
    }

    fn write_body<W: Write>(&self, w: &mut Writer<W>, version: u32) -> std::io::Result<()> {
        let schema = match self.schema {
            None => 0u8,
            Some(s) if *s == AI_INDUSTRY => 1,
            Some(_) => {
                return Err(invalid_input(
                    "the graph has a schema other than the built-in one, which a snapshot cannot record",
                ))
            }
        };
        let sets = &self.edge_property_sets;
        w.buf.push(schema);
        w.buf.push(u8::from(self.ids_dense) | u8::from(self.duplicate_ids) << 1);
        put_uv(&mut w.buf, self.id_key.map_or(0, |k| u64::from(k.0) + 1));
        put_uv(&mut w.buf, self.node_count() as u64);
        put_uv(&mut w.buf, self.edge_count() as u64);
        put_uv(&mut w.buf, sets.len() as u64);
        put_uv(&mut w.buf, self.by_id.len() as u64);
        w.section(META)?;

        for (interner, counts) in
            [(&self.labels, Some(&self.by_label)), (&self.rel_types, None), (&self.keys, None)]
        {
            put_uv(&mut w.buf, interner.0.len() as u64);
            for (i, name) in interner.0.iter().enumerate() {
                put_str(&mut w.buf, name);
                if let Some(counts) = counts {
                    put_uv(&mut w.buf, counts.get(i).map_or(0, Vec::len) as u64);
                }
            }
        }
        w.section(NAMES)?;

        w.chunked(SETS, sets.iter(), |buf, set| put_properties(buf, set))?;

        let mut pooled: Vec<u32> = self.edge_property_pool.values().copied().collect();
        pooled.sort_unstable();
        put_uv(&mut w.buf, pooled.len() as u64);
        for i in pooled {
            put_uv(&mut w.buf, u64::from(i));
        }
        w.section(POOL)?;

        // Every id is written out, even where the node's `id` property
        // holds the same string, so that the reader can build the index on
        // another thread while it decodes the nodes.
        w.chunked(IDS, self.by_id.iter(), |buf, (key, node)| {
            put_uv(buf, u64::from(node.0));
            put_str(buf, key);
            Ok(())
        })?;

        w.chunked(NODES, self.inner.raw_nodes().iter(), |buf, node| {
            let labels = node.weight.labels.as_slice();
            put_uv(buf, labels.len() as u64);
            for l in labels {
                put_uv(buf, u64::from(l.0));
            }
            put_properties(buf, &node.weight.properties)
        })?;

        // Fixed-width records: the reader checks and adds them in a tight
        // loop over the bytes.
        w.chunked(EDGES, self.inner.raw_edges().iter(), |buf, e| {
            for v in [
                e.source().index() as u32,
                e.target().index() as u32,
                e.weight.rel_type.0,
                e.weight.properties,
            ] {
                buf.extend_from_slice(&v.to_le_bytes());
            }
            Ok(())
        })?;
        if version >= 2 {
            lists::write_lists(w, self.packed_lists().lists())?;
        }
        Ok(())
    }
}

/// What names a snapshot's content: the body length and checksum from its
/// trailer, read from the file's last bytes without reading the rest. Two
/// snapshots with the same identity hold the same graph (but for a CRC-32
/// collision of two bodies of one length). `None` when the file does not end
/// as a snapshot does.
///
/// # Errors
/// When the file cannot be opened or read.
#[cfg(feature = "server")]
pub(crate) fn snapshot_identity(path: &Path) -> std::io::Result<Option<[u8; 12]>> {
    use std::io::{Seek, SeekFrom};
    let mut file = std::fs::File::open(path)?;
    let len = file.seek(SeekFrom::End(0))?;
    if len < (HEADER + TRAILER) as u64 {
        return Ok(None);
    }
    file.seek(SeekFrom::End(-(TRAILER as i64)))?;
    let mut trailer = [0u8; TRAILER];
    file.read_exact(&mut trailer)?;
    if trailer[12..] != END {
        return Ok(None);
    }
    let mut id = [0u8; 12];
    id.copy_from_slice(&trailer[..12]);
    Ok(Some(id))
}

fn invalid_input(message: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, message)
}

/// Writes sections, keeping the body's length and checksum.
struct Writer<W> {
    out: W,
    hasher: crc32fast::Hasher,
    len: u64,
    /// The section being built.
    buf: Vec<u8>,
}

impl<W: Write> Writer<W> {
    fn body(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.hasher.update(bytes);
        self.len += bytes.len() as u64;
        self.out.write_all(bytes)
    }

    /// Writes `buf` as a section with `tag`, and empties it.
    fn section(&mut self, tag: u8) -> std::io::Result<()> {
        let mut head = [0u8; 9];
        head[0] = tag;
        head[1..].copy_from_slice(&(self.buf.len() as u64).to_le_bytes());
        self.body(&head)?;
        let buf = std::mem::take(&mut self.buf);
        let written = self.body(&buf);
        self.buf = buf;
        self.buf.clear();
        written
    }

    /// Writes `items` as sections of `tag`, each a count and that many
    /// items of about [`CHUNK`] bytes in all. Nothing at all for no items.
    fn chunked<T>(
        &mut self,
        tag: u8,
        items: impl Iterator<Item = T>,
        mut put: impl FnMut(&mut Vec<u8>, T) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let mut items = items.peekable();
        let mut chunk = Vec::with_capacity(CHUNK + 4096);
        while items.peek().is_some() {
            chunk.clear();
            let mut count = 0u64;
            while chunk.len() < CHUNK {
                let Some(item) = items.next() else { break };
                put(&mut chunk, item)?;
                count += 1;
            }
            put_uv(&mut self.buf, count);
            self.buf.extend_from_slice(&chunk);
            self.section(tag)?;
        }
        Ok(())
    }
}

pub(super) fn put_uv(buf: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        buf.push(v as u8 | 0x80);
        v >>= 7;
    }
    buf.push(v as u8);
}

fn put_iv(buf: &mut Vec<u8>, v: i64) {
    put_uv(buf, ((v << 1) ^ (v >> 63)) as u64);
}

pub(super) fn put_str(buf: &mut Vec<u8>, s: &str) {
    put_uv(buf, s.len() as u64);
    buf.extend_from_slice(s.as_bytes());
}

// ----- reading ---------------------------------------------------------------

/// A problem with the file's bytes, without the file name.
#[derive(Debug)]
pub(super) struct Corrupt(pub(super) String);

pub(super) fn corrupt<T>(message: impl Into<String>) -> Result<T, Corrupt> {
    Err(Corrupt(message.into()))
}

fn load_error(file: &str, message: String) -> LoadError {
    LoadError {
        errors: vec![DataError {
            location: Location { file: file.to_string(), line: 0 },
            kind: DataErrorKind::Malformed,
            message,
        }],
    }
}

/// Snapshots from this size on are read a few MiB at a time (see
/// [`stream`]) rather than whole.
const STREAM_FROM: u64 = 64 << 20;

/// [`Graph::open`], streaming files of `stream_from` bytes or more.
fn open_from(path: &Path, stream_from: u64) -> Result<Graph, Error> {
    let name = path.display().to_string();
    let io = |source| Error::Io { path: name.clone(), source };
    let file = std::fs::File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    if len >= stream_from && cfg!(any(unix, windows)) {
        if let Some(graph) = open_streamed(&name, &file, len)? {
            return Ok(graph);
        }
    }
    let bytes = read_whole(path).map_err(io)?;
    Ok(decode(&name, &bytes)?)
}

/// Where each part of a version 2 body starts, from its section frames:
/// the head (meta to pool), the id index, the node sections (and the first
/// of those the second thread decodes), the relationships, the lists.
struct Layout {
    ids: u64,
    nodes: u64,
    theirs: u64,
    edges: u64,
    lists: u64,
    end: u64,
}

impl Layout {
    /// The layout of `sections` ending at `end`, if they come in the order
    /// this build writes them; `None` otherwise.
    fn of(sections: &[(u8, u64)], end: u64) -> Option<Layout> {
        let tags = || sections.iter().map(|(t, _)| *t);
        let ordered = tags().zip(tags().skip(1)).all(|(a, b)| a <= b);
        let once = |tag| tags().filter(|t| *t == tag).count() == 1;
        if !ordered || !once(META) || !once(NAMES) || !once(POOL) || tags().any(|t| t > lists::LAST_TAG) {
            return None;
        }
        let first = |tag: u8| sections.iter().find(|(t, _)| *t >= tag).map_or(end, |(_, at)| *at);
        let node_sections: Vec<u64> =
            sections.iter().filter(|(t, _)| *t == NODES).map(|(_, at)| *at).collect();
        let edges = first(EDGES);
        // As the in-memory open splits them (see `read_graph`).
        let theirs =
            node_sections.get(node_sections.len() - node_sections.len() / 3).copied().unwrap_or(edges);
        Some(Layout {
            ids: first(IDS),
            nodes: first(NODES),
            theirs,
            edges,
            lists: first(lists::FIRST_TAG),
            end,
        })
    }
}

/// Opens a version 2 snapshot through [`Stream`]s: the head read whole, the
/// rest on two threads as [`read_graph`] shares it, each part streamed,
/// its checksum summed as it is read. `None` when the file is not one this
/// can stream (another version, a damaged frame): the caller reads it whole,
/// which also says what is wrong.
fn open_streamed(name: &str, file: &std::fs::File, len: u64) -> Result<Option<Graph>, Error> {
    let io = |source| Error::Io { path: name.to_string(), source };
    if len < (HEADER + TRAILER) as u64 {
        return Ok(None);
    }
    let (mut header, mut trailer) = ([0u8; HEADER], [0u8; TRAILER]);
    stream::read_exact_at(file, &mut header, 0).map_err(io)?;
    stream::read_exact_at(file, &mut trailer, len - TRAILER as u64).map_err(io)?;
    let body_end = len - TRAILER as u64;
    let stated = u64::from_le_bytes(trailer[..8].try_into().unwrap_or_default());
    let framed = header.starts_with(&SNAPSHOT_MAGIC)
        && header[8..12] == VERSION.to_le_bytes()
        && trailer[12..] == END
        && stated == body_end - HEADER as u64;
    if !framed {
        return Ok(None);
    }
    let Some(layout) =
        stream::scan(file, HEADER as u64, body_end).map_err(io)?.and_then(|s| Layout::of(&s, body_end))
    else {
        return Ok(None);
    };
    let stored = u32::from_le_bytes(trailer[8..12].try_into().unwrap_or_default());
    let mut head = vec![0u8; (layout.ids - HEADER as u64) as usize];
    stream::read_exact_at(file, &mut head, HEADER as u64).map_err(io)?;
    let (decoded, parts) = read_streamed(file, &head, &layout);
    let mut crc = crc32fast::Hasher::new();
    crc.update(&head);
    for (part, failed) in parts {
        if let Some(e) = failed {
            return Err(io(e));
        }
        crc.combine(&part);
    }
    let fail = |message: String| Error::from(load_error(name, message));
    let computed = match &decoded {
        // Every byte was read, so the sum is the body's.
        Ok(_) => crc.finalize(),
        // A part stopped early: the checksum decides whether the file is
        // damaged or was written wrong.
        Err(_) => checksum_of(file, HEADER as u64, body_end).map_err(io)?,
    };
    if computed != stored {
        return Err(fail(format!(
            "snapshot checksum mismatch (stored {stored:08x}, computed {computed:08x}): the file is corrupt"
        )));
    }
    match decoded {
        Ok(graph) => Ok(Some(graph)),
        Err(Corrupt(message)) => Err(fail(format!("corrupt snapshot: {message}"))),
    }
}

/// The CRC-32 of `[start, end)` of `file`, read a few MiB at a time.
fn checksum_of(file: &std::fs::File, start: u64, end: u64) -> std::io::Result<u32> {
    let mut crc = crc32fast::Hasher::new();
    let mut buf = vec![0u8; (4 << 20).min((end - start) as usize)];
    let mut at = start;
    while at < end {
        let n = buf.len().min((end - at) as usize);
        stream::read_exact_at(file, &mut buf[..n], at)?;
        crc.update(&buf[..n]);
        at += n as u64;
    }
    Ok(crc.finalize())
}

/// What each streamed part of an open summed, in file order (ids, the two
/// node parts, relationships, lists), with the error that stopped it.
type Parts = Vec<(crc32fast::Hasher, Option<std::io::Error>)>;

/// The graph from a streamed body (see [`open_streamed`]), and its parts'
/// checksums.
fn read_streamed(file: &std::fs::File, head: &[u8], layout: &Layout) -> (Result<Graph, Corrupt>, Parts) {
    let mut parts: Parts = Vec::new();
    let mut part = |stream: Stream<'_>| parts.push(stream.into_parts());
    let mut head_reader = Reader { bytes: head, pos: 0 };
    let (mut graph, meta) = match read_head(&mut head_reader, layout.end - layout.ids) {
        Ok(read) if head_reader.remaining() == 0 => read,
        Ok(_) => return (corrupt("unexpected sections before the id index"), parts),
        Err(e) => return (Err(e), parts),
    };
    let (label_count, key_count) = (graph.labels.0.len(), graph.keys.0.len());
    let (nodes, edges, id_count, types) = (meta.nodes, meta.edges, meta.ids, graph.rel_types.0.len());
    let mut ids = Stream::new(file, layout.ids, layout.nodes);
    let mut mine = Stream::new(file, layout.nodes, layout.theirs);
    let mut theirs = Stream::new(file, layout.theirs, layout.edges);
    let mut relationships = Stream::new(file, layout.edges, layout.lists);
    let mut stored = Stream::new(file, layout.lists, layout.end);
    // As in `read_graph`: the second thread decodes the last third of the
    // nodes, reads the lists, then builds the id index.
    let second = |decoded: std::sync::mpsc::Sender<Decoded>| {
        let mut their_nodes = Vec::new();
        let result = decode_streamed_nodes(&mut theirs, label_count, key_count, |n| their_nodes.push(n));
        let _ = decoded.send(result.map(|_| their_nodes));
        let lists = lists::read_lists(&mut stored, nodes, edges, types);
        let by_id = read_ids(&mut ids, id_count, nodes);
        (by_id, lists)
    };
    // Run once, here or on the helper: its streams are its own.
    let second = std::sync::Mutex::new(Some(second));
    let second = |sender| {
        second.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take().map(|mut f| f(sender))
    };
    let (rest, done) = share_open(second, |theirs| {
        let mine = |add: &mut dyn FnMut(NodeData)| {
            decode_streamed_nodes(&mut mine, label_count, key_count, add).map(|_| ())
        };
        read_nodes_and_edges(&mut relationships, &mut graph, &meta, mine, theirs)
            .and_then(|digest| relationships.finish("relationship").map(|()| digest))
    });
    for stream in [ids, mine, theirs, relationships, stored] {
        part(stream);
    }
    let graph = (|| {
        let digest = rest?;
        let (by_id, lists) = done.map_or_else(|| corrupt("the second thread stopped"), Ok)?;
        graph.by_id = by_id?;
        let lists = checked_lists(lists, digest)?;
        Ok(finish_graph(graph, Some(lists)))
    })();
    (graph, parts)
}

/// Files and bodies from this size on are read and checked on two threads.
const TWO_THREADS: usize = 64 << 20;

/// The whole file at `path`, its two halves read on two threads when it is
/// large: one core copies from the page cache into fresh memory at about
/// 2 GB/s, a second of a ten-million-node open.
fn read_whole(path: &Path) -> std::io::Result<Vec<u8>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt as _;
        let file = std::fs::File::open(path)?;
        let len = usize::try_from(file.metadata()?.len()).unwrap_or(0);
        if len >= TWO_THREADS && threads::default_threads() > 1 {
            let mut bytes = vec![0u8; len];
            let (first, second) = bytes.split_at_mut(len / 2);
            let at = first.len() as u64;
            let read = std::thread::scope(|scope| {
                let other = threads::spawn_helper(scope, "aikg-read", || file.read_exact_at(second, at));
                let here = file.read_exact_at(first, 0);
                let there = other.map_or_else(|| Err(std::io::ErrorKind::Other.into()), threads::join);
                here.and(there)
            });
            // No thread to spare, or the file changed while it was read:
            // read it again as a whole.
            return read.map_or_else(|_| std::fs::read(path), |()| Ok(bytes));
        }
    }
    std::fs::read(path)
}

/// The CRC-32 of `body`, of its halves on two threads when it is large.
fn checksum(body: &[u8]) -> u32 {
    if body.len() < TWO_THREADS {
        return crc32fast::hash(body);
    }
    let (first, second) = body.split_at(body.len() / 2);
    let hash = |part: &[u8]| {
        let mut h = crc32fast::Hasher::new();
        h.update(part);
        h
    };
    std::thread::scope(|scope| {
        let other = threads::spawn_helper(scope, "aikg-crc", || hash(second));
        let mut h = hash(first);
        let tail = match other {
            Some(other) => threads::join(other),
            None => hash(second),
        };
        h.combine(&tail);
        h.finalize()
    })
}

/// Checks the frame (magic, version, trailer, checksum), then decodes the
/// body.
fn decode(file: &str, bytes: &[u8]) -> Result<Graph, LoadError> {
    let fail = |message: String| load_error(file, message);
    let magic = &SNAPSHOT_MAGIC[..];
    if bytes.len() < HEADER + TRAILER {
        return Err(fail(
            if !bytes.is_empty() && magic.starts_with(&bytes[..bytes.len().min(magic.len())]) {
                format!("truncated snapshot: {} bytes, shorter than any snapshot", bytes.len())
            } else {
                "not an aikg snapshot (it does not start with the snapshot magic bytes)".to_string()
            },
        ));
    }
    if !bytes.starts_with(magic) {
        return Err(fail(
            "not an aikg snapshot (it does not start with the snapshot magic bytes)".to_string(),
        ));
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().unwrap_or_default());
    if version > VERSION {
        return Err(fail(format!(
            "snapshot format version {version} is newer than this aikg reads (up to {VERSION}); open it with a newer aikg"
        )));
    }
    if version == 0 {
        return Err(fail("snapshot format version 0 does not exist; the file is corrupt".to_string()));
    }
    let (body, trailer) = bytes[HEADER..].split_at(bytes.len() - HEADER - TRAILER);
    if trailer[12..] != END {
        return Err(fail(format!(
            "truncated snapshot: the end marker is missing ({} bytes; the file was cut short or appended to)",
            bytes.len()
        )));
    }
    let stated = u64::from_le_bytes(trailer[..8].try_into().unwrap_or_default());
    if stated != body.len() as u64 {
        return Err(fail(format!(
            "snapshot length mismatch: the trailer says {stated} bytes of data, the file has {}",
            body.len()
        )));
    }
    let stored = u32::from_le_bytes(trailer[8..12].try_into().unwrap_or_default());
    let computed = checksum(body);
    if stored != computed {
        return Err(fail(format!(
            "snapshot checksum mismatch (stored {stored:08x}, computed {computed:08x}): the file is corrupt"
        )));
    }
    let mut r = Reader { bytes: body, pos: 0 };
    match read_graph(&mut r, version) {
        Ok(graph) => Ok(graph),
        Err(Corrupt(message)) => Err(fail(format!("corrupt snapshot: {message}"))),
    }
}

/// The little-endian u32 at `at` in `b` (fixed-width records).
#[inline]
fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// A cursor over the body. Every read checks its bounds.
#[derive(Clone, Copy)]
pub(super) struct Reader<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) pos: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], Corrupt> {
        if n > self.remaining() {
            return corrupt(format!("{n} bytes wanted, {} left", self.remaining()));
        }
        let out = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    fn byte(&mut self) -> Result<u8, Corrupt> {
        match self.bytes.get(self.pos) {
            Some(b) => {
                self.pos += 1;
                Ok(*b)
            }
            None => corrupt("unexpected end of data"),
        }
    }

    pub(super) fn uv(&mut self) -> Result<u64, Corrupt> {
        let mut v = 0u64;
        let mut shift = 0;
        loop {
            let b = self.byte()?;
            if shift == 63 && b > 1 {
                return corrupt("integer too large");
            }
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(v);
            }
            shift += 7;
            if shift > 63 {
                return corrupt("integer too large");
            }
        }
    }

    fn iv(&mut self) -> Result<i64, Corrupt> {
        let u = self.uv()?;
        Ok((u >> 1) as i64 ^ -((u & 1) as i64))
    }

    fn u32_below(&mut self, limit: usize, what: &str) -> Result<u32, Corrupt> {
        let v = self.uv()?;
        if v >= limit as u64 {
            return corrupt(format!("{what} {v} out of range (there are {limit})"));
        }
        Ok(v as u32)
    }

    /// A count of items of at least `min_bytes` each, checked against the
    /// bytes left so that a corrupt count cannot ask for a huge allocation.
    pub(super) fn count(&mut self, min_bytes: usize) -> Result<usize, Corrupt> {
        let n = self.uv()?;
        if n.saturating_mul(min_bytes as u64) > self.remaining() as u64 {
            return corrupt(format!("a count of {n} is more than the {} bytes left hold", self.remaining()));
        }
        Ok(n as usize)
    }

    pub(super) fn str(&mut self) -> Result<&'a str, Corrupt> {
        let n = self.count(1)?;
        std::str::from_utf8(self.take(n)?).or_else(|_| corrupt("a string is not UTF-8"))
    }

    fn small<T: TryFrom<i64>>(&mut self, what: &str) -> Result<T, Corrupt> {
        let v = self.iv()?;
        T::try_from(v).or_else(|_| corrupt(format!("{what} {v} out of range")))
    }

    pub(super) fn u32(&mut self, what: &str) -> Result<u32, Corrupt> {
        let v = self.uv()?;
        u32::try_from(v).or_else(|_| corrupt(format!("{what} {v} out of range")))
    }

    /// The next section, which must have `tag`.
    fn section(&mut self, tag: u8) -> Result<Reader<'a>, Corrupt> {
        let found = self.byte()?;
        if found != tag {
            return corrupt(format!("expected section {tag}, found section {found}"));
        }
        let len = u64::from_le_bytes(self.take(8)?.try_into().unwrap_or_default());
        if len > self.remaining() as u64 {
            return corrupt(format!("section {tag} runs past the end of the data"));
        }
        let start = self.pos;
        self.pos += len as usize;
        Ok(Reader { bytes: &self.bytes[..self.pos], pos: start })
    }

    pub(super) fn done(&self, what: &str) -> Result<(), Corrupt> {
        if self.remaining() != 0 {
            return corrupt(format!(
                "{} unexpected bytes at the end of the {what} section",
                self.remaining()
            ));
        }
        Ok(())
    }

    /// Moves past every section of `tag` at the cursor, by their lengths.
    fn skip(&mut self, tag: u8) -> Result<(), Corrupt> {
        while self.remaining() > 0 && self.bytes[self.pos] == tag {
            self.section(tag)?;
        }
        Ok(())
    }

    /// Reads the count of a chunked section's items, `read` of `total`
    /// items of at least `min_bytes` each being read: at least one and at
    /// most the items left.
    pub(super) fn chunk_count(
        &mut self,
        read: usize,
        total: usize,
        min_bytes: usize,
        what: &str,
    ) -> Result<usize, Corrupt> {
        let n = self.count(min_bytes)?;
        if n == 0 || n > total - read {
            return corrupt(format!("a {what} chunk of {n} with {read} of {total} read"));
        }
        Ok(n)
    }
}

/// Counts from the meta section.
struct Meta {
    schema: u8,
    flags: u8,
    id_key: u64,
    nodes: usize,
    edges: usize,
    sets: usize,
    ids: usize,
}

/// The graph as far as the sections before the id index make it (meta,
/// names, relationship property sets), and the counts the meta section
/// gives. `after` is the body's bytes past the end of `r`.
fn read_head(r: &mut Reader<'_>, after: u64) -> Result<(Graph, Meta), Corrupt> {
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
    let mut pool = std::collections::HashMap::with_capacity_and_hasher(pooled, super::IndexHash::default());
    for _ in 0..pooled {
        let i = s.u32_below(graph.edge_property_sets.len(), "pooled property set")?;
        pool.insert(graph.edge_property_sets[i as usize].clone(), i);
    }
    s.done("pool")?;
    graph.edge_property_pool = pool;
    Ok((graph, meta))
}

fn read_graph(r: &mut Reader<'_>, version: u32) -> Result<Graph, Corrupt> {
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
fn checked_lists(read: Result<[(Lists, u64); 2], Corrupt>, digest: u64) -> Result<(Lists, Lists), Corrupt> {
    let [(outgoing, out_digest), (incoming, in_digest)] = read?;
    if out_digest != digest || in_digest != digest {
        return corrupt("the stored relationship lists do not hold the file's relationships");
    }
    Ok((outgoing, incoming))
}

/// The last steps of an open, once the nodes, relationships and id index
/// are in: long ids shared with the nodes' own, and the packed lists
/// (built now if the file had none).
fn finish_graph(mut graph: Graph, lists: Option<(Lists, Lists)>) -> Graph {
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
type Decoded = Result<Vec<NodeData>, Corrupt>;

/// Runs `second` on a helper thread (or here, first, when no thread can be
/// had) and `first` here, handing `first` a wait for the nodes `second`
/// decodes and sends; returns what each returned.
fn share_open<A, B: Send>(
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
struct Records<'a> {
    chunks: Vec<&'a [u8]>,
    /// Records per chunk, a power of two (the writer's are): record `i` is
    /// in chunk `i >> shift`, which the lists' builder asks for a few
    /// million times.
    per_chunk: usize,
    shift: u32,
    total: usize,
}

impl<'a> Records<'a> {
    /// The records after the node sections that start at `r`, if they are
    /// laid out as the writer lays them out and every end and type is in
    /// range; otherwise `None`, and the lists are built from the graph once
    /// it is filled (the decoder reports what is wrong with the records).
    fn find(mut r: Reader<'a>, total: usize, nodes: usize, types: usize) -> Option<Records<'a>> {
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
fn node_sections<'a>(r: &mut Reader<'a>, total: usize) -> Result<Vec<(Reader<'a>, usize)>, Corrupt> {
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
fn decode_streamed_nodes(
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
fn read_nodes_and_edges(
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
fn read_ids(r: &mut impl Sections, count: usize, nodes: usize) -> Result<IdTable, Corrupt> {
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
    let mut set = IndexSet::with_capacity_and_hasher(n, super::IndexHash::default());
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

#[cfg(test)]
mod tests;

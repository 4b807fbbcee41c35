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

use stream::{Sections, Stream};
use values::{put_properties, read_properties};

use super::threads;
use super::{Graph, NodeData};
use crate::error::{DataError, DataErrorKind, Error, LoadError, Location};
use crate::model::schema::AI_INDUSTRY;

mod decode;
mod lists;
mod stream;
pub(super) mod values;
mod write;

use decode::*;
use write::*;
pub(super) use write::{put_str, put_uv};

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
        let mut w = Writer::begin(out, version)?;
        self.write_body(&mut w, version)?;
        w.end()
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

#[cfg(test)]
mod tests;

use std::sync::Arc;

use super::super::{Interner, RelTypeId};
use super::*;
use crate::model::temporal::{parse_datetime, parse_duration, parse_local_datetime, parse_time};
use crate::model::{EdgeId, NodeId, Path as GraphPath, Temporal, Value};
use jiff::civil::{Date, Time};

fn bytes_of(g: &Graph) -> Vec<u8> {
    bytes_of_version(g, VERSION)
}

fn bytes_of_version(g: &Graph, version: u32) -> Vec<u8> {
    let mut out = Vec::new();
    g.write_version(&mut out, version).unwrap();
    out
}

/// Three hundred nodes and relationships enough for three chunks.
fn several_chunks() -> Graph {
    let mut g = Graph::new();
    let nodes: Vec<NodeId> = (0..300).map(|i| g.add_node(["N"], [("id", format!("n{i}").into())])).collect();
    for i in 0..CHUNK / ONE_RELATIONSHIP * 2 + 7 {
        let (a, b) = (nodes[i * 7 % 300], nodes[i * 13 % 300]);
        g.add_edge(a, b, ["A", "B"][i % 2], [("i", Value::Int((i % 5) as i64))]);
    }
    g
}

fn open_bytes(bytes: &[u8]) -> Result<Graph, String> {
    decode("g.snapshot", bytes).map_err(|e| e.errors[0].to_string())
}

/// Every part of the store a snapshot restores, compared field by field.
fn assert_same(a: &Graph, b: &Graph) {
    let names = |i: &Interner| i.0.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(names(&a.labels), names(&b.labels));
    assert_eq!(names(&a.rel_types), names(&b.rel_types));
    assert_eq!(names(&a.keys), names(&b.keys));
    assert_eq!(a.schema, b.schema);
    assert_eq!((a.id_key, a.ids_dense, a.duplicate_ids), (b.id_key, b.ids_dense, b.duplicate_ids));
    assert_eq!(a.node_count(), b.node_count());
    for (x, y) in a.inner.raw_nodes().iter().zip(b.inner.raw_nodes()) {
        assert_eq!(x.weight.labels.as_slice(), y.weight.labels.as_slice());
        assert_eq!(x.weight.properties, y.weight.properties);
    }
    assert_eq!(a.edge_count(), b.edge_count());
    for (x, y) in a.inner.raw_edges().iter().zip(b.inner.raw_edges()) {
        assert_eq!((x.source(), x.target()), (y.source(), y.target()));
        assert_eq!((x.weight.rel_type, x.weight.properties), (y.weight.rel_type, y.weight.properties));
    }
    assert_eq!(a.edge_property_sets, b.edge_property_sets);
    let pool = |g: &Graph| {
        let mut p: Vec<_> = g.edge_property_pool.iter().map(|(k, v)| (k.clone(), *v)).collect();
        p.sort_by_key(|(_, v)| *v);
        p
    };
    assert_eq!(pool(a), pool(b));
    let ids = |g: &Graph| g.by_id.iter().map(|(k, v)| (k.to_string(), v)).collect::<Vec<_>>();
    assert_eq!(ids(a), ids(b));
    assert_eq!(a.by_label, b.by_label);
    assert_eq!(a.edges_per_type, b.edges_per_type);
    // The packed lists, built from the file's records, read as the
    // graph's own lists do.
    assert!(b.edge_count() == 0 || b.adjacency().is_some());
    a.prepare_traversal();
    for n in a.node_ids() {
        for d in [crate::model::Direction::Outgoing, crate::model::Direction::Incoming] {
            assert_eq!(a.edges_of(n, d).collect::<Vec<_>>(), b.edges_of(n, d).collect::<Vec<_>>());
        }
    }
    for t in 0..a.rel_types.0.len() as u32 {
        for d in [crate::model::Direction::Outgoing, crate::model::Direction::Incoming] {
            assert_eq!(a.far_end_label(RelTypeId(t), d), b.far_end_label(RelTypeId(t), d));
        }
    }
}

/// A graph with a property of every value type, nodes without labels or
/// with several, a stale id (changed after indexing) and a shared and an
/// unshared relationship property set.
fn every_value() -> Graph {
    let mut map = std::collections::BTreeMap::new();
    map.insert("k".to_string(), Value::List(vec![Value::Null, Value::Int(-3), "x".into()]));
    map.insert("empty".to_string(), Value::Map(Default::default()));
    let values: Vec<(&str, Value)> = vec![
        ("b", Value::Bool(true)),
        ("f", Value::Bool(false)),
        ("int", Value::Int(i64::MIN)),
        ("max", Value::Int(i64::MAX)),
        ("float", Value::Float(-0.0)),
        ("nan", Value::Float(f64::from_bits(0x7ff8_0000_dead_beef))),
        ("inf", Value::Float(f64::NEG_INFINITY)),
        ("short", "智谱AI".into()),
        ("long", "a string longer than twenty-two bytes, kept behind an Arc".into()),
        ("list", Value::List(vec![Value::Int(1), Value::Float(2.5), Value::List(vec![])])),
        ("map", Value::Map(map)),
        ("node", Value::Node(NodeId(1))),
        ("rel", Value::Relationship(EdgeId(0))),
        (
            "path",
            Value::Path(Arc::new(GraphPath { nodes: vec![NodeId(0), NodeId(1)], rels: vec![EdgeId(0)] })),
        ),
        ("date", Temporal::Date(Date::new(-44, 3, 15).unwrap()).into()),
        ("ltime", Temporal::LocalTime(Time::new(23, 59, 59, 999_999_999).unwrap()).into()),
        ("time", {
            let (t, o) = parse_time("12:31:14.645+01:30").unwrap();
            Temporal::Time(t, o).into()
        }),
        ("ldt", Temporal::LocalDateTime(parse_local_datetime("1984-10-11T12:31:14").unwrap()).into()),
        (
            "dt",
            Temporal::DateTime(parse_datetime("1984-10-11T12:31+01:00[Europe/Stockholm]").unwrap()).into(),
        ),
        ("dt_offset", Temporal::DateTime(parse_datetime("2015-07-21T21:40:32.142-04:00").unwrap()).into()),
        ("dur", Temporal::Duration(parse_duration("P-1Y2M10DT-12H45M30.25S").unwrap()).into()),
    ];
    let mut g = Graph::new();
    let a = g.add_node(["Model", "Open"], values.clone());
    let b = g.add_node(["Company"], [("id", "b".into()), ("name", "B".into())]);
    let c = g.add_node(std::iter::empty::<&str>(), [("id", "c".into())]);
    g.set_node_property(c, "id", "c2".into());
    g.add_edge(a, b, "BUILT_ON", [("year", Value::Int(2022))]);
    g.add_edge(b, b, "BUILT_ON", [("year", Value::Int(2022))]);
    g.add_edge(b, a, "DEVELOPED_BY", values);
    g.intern_label("Unused");
    g
}

#[test]
fn every_value_type_round_trips_exactly() {
    let g = every_value();
    let opened = open_bytes(&bytes_of(&g)).unwrap();
    assert_same(&g, &opened);
    let show = |g: &Graph| {
        g.node(NodeId(0)).properties().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ")
    };
    assert_eq!(show(&g), show(&opened));
    assert!(opened.adjacency().is_some(), "opening builds the packed lists");
}

#[test]
fn the_builtin_graph_round_trips_with_its_schema() {
    let g = Graph::builtin();
    let opened = open_bytes(&bytes_of(&g)).unwrap();
    assert_same(&g, &opened);
    assert!(opened.schema().is_some());
    assert!(opened.ids_dense);
    let q = "MATCH (m:Model)-[:BUILT_ON*]->(b) RETURN m.id, b.name ORDER BY m.id, b.name";
    assert_eq!(g.query(q).unwrap().into_rows(), opened.query(q).unwrap().into_rows());
}

#[test]
fn a_long_id_is_shared_with_the_node_property_not_copied() {
    let mut g = Graph::new();
    let long = "an id longer than twenty-two bytes, kept behind an Arc";
    g.add_node(["N"], [("id", long.into())]);
    let opened = open_bytes(&bytes_of(&g)).unwrap();
    let (key, node) = opened.by_id.iter().next().unwrap();
    let own = opened.node(node).property("id").and_then(Value::as_str).unwrap();
    assert_eq!(key.as_ptr(), own.as_ptr());
}

#[test]
fn relationships_over_several_chunks_keep_their_order() {
    let g = several_chunks();
    let per_chunk = CHUNK / ONE_RELATIONSHIP;
    let bytes = bytes_of_version(&g, 1);
    let body = &bytes[HEADER..bytes.len() - TRAILER];
    // Section tags and where each starts.
    let mut r = Reader { bytes: body, pos: 0 };
    let mut sections = Vec::new();
    while r.remaining() > 0 {
        let (at, tag) = (r.pos, r.bytes[r.pos]);
        r.section(tag).unwrap();
        sections.push((tag, at));
    }
    assert_eq!(sections.iter().filter(|(t, _)| *t == EDGES).count(), 3);
    let nodes_at = sections.iter().find(|(t, _)| *t == NODES).unwrap().1;
    let records = Records::find(Reader { bytes: body, pos: nodes_at }, g.edge_count(), 300, 2).unwrap();
    assert_eq!((records.chunks.len(), records.per_chunk), (3, per_chunk));
    assert!(Records::find(Reader { bytes: body, pos: nodes_at }, g.edge_count(), 299, 2).is_none());
    let opened = open_bytes(&bytes).unwrap();
    assert_same(&g, &opened);
}

#[test]
fn an_empty_graph_round_trips() {
    let opened = open_bytes(&bytes_of(&Graph::new())).unwrap();
    assert_same(&Graph::new(), &opened);
}

#[test]
fn a_custom_schema_is_refused_when_saving() {
    static CUSTOM: crate::model::Schema = crate::model::Schema { labels: &[], ..AI_INDUSTRY };
    let err = Graph::with_schema(&CUSTOM).write_snapshot(Vec::new()).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}

#[test]
fn foreign_newer_truncated_and_corrupt_files_are_refused() {
    let good = bytes_of(&every_value());
    let err = |bytes: &[u8]| open_bytes(bytes).unwrap_err();
    assert_eq!(
        err(b"{\"nodes\":[],\"relationships\":[]}"),
        "g.snapshot: not an aikg snapshot (it does not start with the snapshot magic bytes)"
    );
    assert_eq!(
        err(b""),
        "g.snapshot: not an aikg snapshot (it does not start with the snapshot magic bytes)"
    );
    assert_eq!(err(&good[..5]), "g.snapshot: truncated snapshot: 5 bytes, shorter than any snapshot");
    let mut newer = good.clone();
    newer[8] = 3;
    assert_eq!(
            err(&newer),
            "g.snapshot: snapshot format version 3 is newer than this aikg reads (up to 2); open it with a newer aikg"
        );
    let cut = err(&good[..good.len() - 100]);
    assert!(cut.starts_with("g.snapshot: truncated snapshot: the end marker is missing"), "{cut}");
    let mut flipped = good.clone();
    flipped[HEADER + 40] ^= 0x10;
    let bad = err(&flipped);
    assert!(bad.starts_with("g.snapshot: snapshot checksum mismatch"), "{bad}");
    // Every cut is refused, and so is every single flipped byte.
    for len in 0..good.len() {
        assert!(open_bytes(&good[..len]).is_err(), "cut at {len}");
    }
    for at in 0..good.len() {
        let mut bytes = good.clone();
        bytes[at] ^= 0x01;
        assert!(open_bytes(&bytes).is_err(), "flip at {at}");
    }
}

/// The checksum stops a damaged file before decoding; this reaches the
/// decoder with damage a checksum would not see (a file written
/// wrongly, or crafted), which must give an error, never a panic.
#[test]
fn the_decoder_never_panics_on_damaged_bodies() {
    for version in [1, VERSION] {
        let good = bytes_of_version(&every_value(), version);
        let body = &good[HEADER..good.len() - TRAILER];
        let read = |b: &[u8]| read_graph(&mut Reader { bytes: b, pos: 0 }, version).map(|_| ());
        assert!(read(body).is_ok());
        for len in 0..body.len() {
            assert!(read(&body[..len]).is_err(), "cut at {len}");
        }
        for at in 0..body.len() {
            for bits in [0x01u8, 0x80, 0xff] {
                let mut b = body.to_vec();
                b[at] ^= bits;
                let _ = read(&b);
            }
        }
    }
}

#[test]
fn version_1_files_are_still_read() {
    for g in [every_value(), Graph::builtin(), several_chunks()] {
        let bytes = bytes_of_version(&g, 1);
        assert_eq!(bytes[8..12], 1u32.to_le_bytes());
        assert!(bytes.len() < bytes_of(&g).len() || g.edge_count() == 0);
        assert_same(&g, &open_bytes(&bytes).unwrap());
    }
}

/// Where each section of a snapshot's body starts: `(tag, offset in the
/// file of its first content byte, content length)`.
fn sections_of(bytes: &[u8]) -> Vec<(u8, usize, usize)> {
    let body = &bytes[HEADER..bytes.len() - TRAILER];
    let mut r = Reader { bytes: body, pos: 0 };
    let mut sections = Vec::new();
    while r.remaining() > 0 {
        let tag = r.bytes[r.pos];
        let s = r.section(tag).unwrap();
        sections.push((tag, HEADER + s.pos, s.remaining()));
    }
    sections
}

/// `bytes` with a checksum that matches its body again, as a file
/// written wrongly or crafted would have.
fn resealed(mut bytes: Vec<u8>) -> Vec<u8> {
    let end = bytes.len() - TRAILER;
    let crc = crc32fast::hash(&bytes[HEADER..end]);
    bytes[end + 8..end + 12].copy_from_slice(&crc.to_le_bytes());
    bytes
}

#[test]
fn stored_lists_that_disagree_with_the_relationships_are_refused() {
    let g = several_chunks();
    let good = bytes_of(&g);
    let sections = sections_of(&good);
    let (_, entries_at, len) = *sections.iter().find(|(tag, _, _)| *tag == 9).unwrap();
    // The outgoing entries' chunk starts with a count: node 0's list
    // comes next, newest first.
    let mut chunk = Reader { bytes: &good[..entries_at + len], pos: entries_at };
    chunk.uv().unwrap();
    let first_entry = chunk.pos;
    let field = |b: &[u8], at: usize| u32::from_le_bytes(b[at..at + 4].try_into().unwrap());
    assert!(field(&good, first_entry + 4) > field(&good, first_entry + 16));
    // Another end for one relationship, still a node of the graph.
    let mut other_end = good.clone();
    let end = field(&good, first_entry);
    other_end[first_entry..first_entry + 4].copy_from_slice(&((end + 1) % 300).to_le_bytes());
    assert_eq!(
        open_bytes(&resealed(other_end)).unwrap_err(),
        "g.snapshot: corrupt snapshot: the stored relationship lists do not hold the file's relationships"
    );
    // The first two relationships of node 0's list swapped: out of order.
    let mut swapped = good.clone();
    swapped.copy_within(first_entry..first_entry + 12, first_entry + 24);
    swapped[first_entry..first_entry + 12].copy_from_slice(&good[first_entry + 12..first_entry + 24]);
    swapped[first_entry + 12..first_entry + 24].copy_from_slice(&good[first_entry..first_entry + 12]);
    let err = open_bytes(&resealed(swapped)).unwrap_err();
    assert!(err.contains("out of order"), "{err}");
    // An end past the last node.
    let mut past = good.clone();
    past[first_entry..first_entry + 4].copy_from_slice(&300u32.to_le_bytes());
    let err = open_bytes(&resealed(past)).unwrap_err();
    assert!(err.contains("out of range"), "{err}");
    assert_same(&g, &open_bytes(&resealed(good)).unwrap());
}

/// Opens `bytes` from a file through the streamed open (whatever their
/// size), its errors named as [`open_bytes`] names them; and whether
/// the stream took it or handed it to the in-memory open.
fn open_streamed_bytes(bytes: &[u8]) -> (Result<Graph, String>, bool) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("aikg-stream-{}-{n}.snapshot", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    let file = std::fs::File::open(&path).unwrap();
    let streamed = matches!(open_streamed("g.snapshot", &file, bytes.len() as u64), Ok(Some(_)) | Err(_));
    let graph = open_from(&path, 0).map_err(|e| match e.as_load() {
        Some(load) => load.errors[0].to_string().replace(&path.display().to_string(), "g.snapshot"),
        None => e.to_string(),
    });
    std::fs::remove_file(&path).unwrap();
    (graph, streamed)
}

#[test]
fn a_streamed_open_gives_the_graph_an_open_in_memory_gives() {
    for g in [every_value(), Graph::builtin(), several_chunks(), Graph::new()] {
        let (opened, streamed) = open_streamed_bytes(&bytes_of(&g));
        assert!(streamed);
        assert_same(&g, &opened.unwrap());
        // Version 1 files are read whole.
        let (opened, streamed) = open_streamed_bytes(&bytes_of_version(&g, 1));
        assert!(!streamed);
        assert_same(&g, &opened.unwrap());
    }
}

#[test]
fn a_streamed_open_refuses_what_an_open_in_memory_refuses_with_the_same_error() {
    let good = bytes_of(&several_chunks());
    let same = |bytes: &[u8], what: &str| {
        let (streamed, _) = open_streamed_bytes(bytes);
        assert_eq!(streamed.map(|_| ()), open_bytes(bytes).map(|_| ()), "{what}");
    };
    // Past the checksum the two decoders may word an error differently
    // (they meet the damage in another order), but refuse alike.
    let refused_alike = |bytes: &[u8], what: &str| {
        let (streamed, _) = open_streamed_bytes(bytes);
        assert_eq!(streamed.is_err(), open_bytes(bytes).is_err(), "{what}: {:?}", streamed.err());
    };
    // About forty places of a 3 MB file, and every section frame.
    let step = good.len() / 40;
    for len in (0..good.len()).step_by(step).chain([good.len() - 1, 11, 12, 13]) {
        same(&good[..len], &format!("cut at {len}"));
    }
    for at in (0..good.len()).step_by(step).chain(sections_of(&good).iter().map(|(_, at, _)| at - 9)) {
        for bits in [0x01u8, 0x80] {
            let mut bytes = good.clone();
            bytes[at] ^= bits;
            same(&bytes, &format!("flip {bits:#x} at {at}"));
            // Damage the checksum does not see, as a file written wrongly.
            if (HEADER..good.len() - TRAILER).contains(&at) {
                refused_alike(&resealed(bytes), &format!("resealed flip {bits:#x} at {at}"));
            }
        }
    }
}

#[test]
fn huge_counts_are_refused_before_allocating() {
    let mut body = vec![META];
    let mut meta = vec![0u8, 0];
    put_uv(&mut meta, 0);
    put_uv(&mut meta, 1 << 31);
    put_uv(&mut meta, 1 << 40);
    put_uv(&mut meta, 0);
    put_uv(&mut meta, 0);
    body.extend_from_slice(&(meta.len() as u64).to_le_bytes());
    body.extend_from_slice(&meta);
    let err = read_graph(&mut Reader { bytes: &body, pos: 0 }, VERSION).err().unwrap();
    assert!(err.0.contains("more than the"), "{}", err.0);
}

//! Bolt's structures for graph and temporal values, both ways: result
//! values to [`PackValue`]s (nodes, relationships and paths from the
//! result's snapshots; temporals in the form the negotiated version
//! expects), and query parameters from [`PackValue`]s to [`Value`]s.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::civil::{self, Date};
use jiff::tz::{Offset, TimeZone};
use jiff::Timestamp;

use super::packstream::PackValue;
use crate::model::temporal::{nanos_of_day, time_of_nanos, Zone, ZonedDateTime};
use crate::model::{Duration, EdgeId, NodeId, Path, Temporal, Value};
use crate::result::ResultSet;

/// Structure tags of the Bolt value types.
pub(crate) mod tag {
    pub const NODE: u8 = 0x4E;
    pub const RELATIONSHIP: u8 = 0x52;
    pub const UNBOUND_RELATIONSHIP: u8 = 0x72;
    pub const PATH: u8 = 0x50;
    pub const DATE: u8 = 0x44;
    pub const TIME: u8 = 0x54;
    pub const LOCAL_TIME: u8 = 0x74;
    pub const LOCAL_DATE_TIME: u8 = 0x64;
    /// UTC seconds (Bolt 5, and 4.4 with the `utc` patch).
    pub const DATE_TIME: u8 = 0x49;
    pub const DATE_TIME_ZONE_ID: u8 = 0x69;
    /// Local seconds (Bolt 4.4 without the patch).
    pub const LEGACY_DATE_TIME: u8 = 0x46;
    pub const LEGACY_DATE_TIME_ZONE_ID: u8 = 0x66;
    pub const DURATION: u8 = 0x45;
    pub const POINT_2D: u8 = 0x58;
    pub const POINT_3D: u8 = 0x59;
}

/// How values are written for one connection.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Dialect {
    /// Bolt 5 adds element ids to nodes and relationships.
    pub element_ids: bool,
    /// Date-times carry UTC seconds rather than local ones.
    pub utc: bool,
}

const EPOCH: Date = Date::constant(1970, 1, 1);
const NANOS: i128 = 1_000_000_000;

/// A result value as Bolt writes it.
pub(crate) fn to_pack(result: &ResultSet, value: &Value, dialect: Dialect) -> PackValue {
    match value {
        Value::Null => PackValue::Null,
        Value::Bool(b) => PackValue::Bool(*b),
        Value::Int(i) => PackValue::Int(*i),
        Value::Float(f) => PackValue::Float(*f),
        Value::String(s) => PackValue::String(s.to_string()),
        Value::List(items) => PackValue::List(items.iter().map(|v| to_pack(result, v, dialect)).collect()),
        Value::Map(m) => props(result, m, dialect),
        Value::Node(n) => node(result, *n, dialect),
        Value::Relationship(r) => relationship(result, *r, dialect),
        Value::Path(p) => path(result, p, dialect),
        Value::Temporal(t) => temporal(t, dialect),
    }
}

fn props(result: &ResultSet, m: &BTreeMap<String, Value>, dialect: Dialect) -> PackValue {
    PackValue::Map(m.iter().map(|(k, v)| (k.clone(), to_pack(result, v, dialect))).collect())
}

fn node(result: &ResultSet, id: NodeId, dialect: Dialect) -> PackValue {
    let (labels, properties) = match result.node(id) {
        Some(snap) => (
            snap.labels.iter().map(|l| PackValue::str(l.as_str())).collect(),
            props(result, &snap.properties, dialect),
        ),
        None => (Vec::new(), PackValue::Map(Vec::new())),
    };
    let mut fields = vec![PackValue::Int(i64::from(id.0)), PackValue::List(labels), properties];
    if dialect.element_ids {
        fields.push(PackValue::String(id.0.to_string()));
    }
    PackValue::Struct(tag::NODE, fields)
}

fn relationship(result: &ResultSet, id: EdgeId, dialect: Dialect) -> PackValue {
    let Some(snap) = result.relationship(id) else {
        // Every relationship a result mentions has a snapshot; an empty
        // one keeps the row well-formed if that ever fails.
        return unbound(result, id, dialect);
    };
    let mut fields = vec![
        PackValue::Int(i64::from(id.0)),
        PackValue::Int(i64::from(snap.src.0)),
        PackValue::Int(i64::from(snap.dst.0)),
        PackValue::str(snap.rel_type.as_str()),
        props(result, &snap.properties, dialect),
    ];
    if dialect.element_ids {
        fields.extend([id.0, snap.src.0, snap.dst.0].map(|i| PackValue::String(i.to_string())));
    }
    PackValue::Struct(tag::RELATIONSHIP, fields)
}

fn unbound(result: &ResultSet, id: EdgeId, dialect: Dialect) -> PackValue {
    let (rel_type, properties) = match result.relationship(id) {
        Some(snap) => (snap.rel_type.as_str(), props(result, &snap.properties, dialect)),
        None => ("", PackValue::Map(Vec::new())),
    };
    let mut fields = vec![PackValue::Int(i64::from(id.0)), PackValue::str(rel_type), properties];
    if dialect.element_ids {
        fields.push(PackValue::String(id.0.to_string()));
    }
    PackValue::Struct(tag::UNBOUND_RELATIONSHIP, fields)
}

/// A path as Bolt writes it: its distinct nodes, its distinct
/// relationships without their ends, and per hop the relationship's
/// 1-based index (negative when walked against its direction) and the
/// index of the node it leads to.
fn path(result: &ResultSet, p: &Path, dialect: Dialect) -> PackValue {
    let mut nodes: Vec<NodeId> = Vec::new();
    let mut rels: Vec<EdgeId> = Vec::new();
    let mut indices = Vec::with_capacity(p.rels.len() * 2);
    if let Some(first) = p.nodes.first() {
        nodes.push(*first);
    }
    for (i, r) in p.rels.iter().enumerate() {
        let rel_index = index_of(&mut rels, *r) as i64 + 1;
        let forward = result.relationship(*r).is_none_or(|s| Some(&s.src) == p.nodes.get(i));
        indices.push(PackValue::Int(if forward { rel_index } else { -rel_index }));
        let next = p.nodes.get(i + 1).copied().unwrap_or(NodeId(0));
        indices.push(PackValue::Int(index_of(&mut nodes, next) as i64));
    }
    PackValue::Struct(
        tag::PATH,
        vec![
            PackValue::List(nodes.into_iter().map(|n| node(result, n, dialect)).collect()),
            PackValue::List(rels.into_iter().map(|r| unbound(result, r, dialect)).collect()),
            PackValue::List(indices),
        ],
    )
}

/// The index of `item` in `list`, adding it at the end when missing.
fn index_of<T: PartialEq>(list: &mut Vec<T>, item: T) -> usize {
    match list.iter().position(|x| *x == item) {
        Some(i) => i,
        None => {
            list.push(item);
            list.len() - 1
        }
    }
}

fn split_nanos(n: i128) -> (i64, i64) {
    let seconds = i64::try_from(n.div_euclid(NANOS)).unwrap_or(if n < 0 { i64::MIN } else { i64::MAX });
    (seconds, n.rem_euclid(NANOS) as i64)
}

fn local_nanos(dt: civil::DateTime) -> i128 {
    dt.duration_since(EPOCH.to_datetime(civil::Time::midnight())).as_nanos()
}

fn temporal(t: &Temporal, dialect: Dialect) -> PackValue {
    let int = |i: i64| PackValue::Int(i);
    match t {
        Temporal::Date(d) => {
            PackValue::Struct(tag::DATE, vec![int(d.duration_since(EPOCH).as_secs().div_euclid(86_400))])
        }
        Temporal::LocalTime(time) => {
            PackValue::Struct(tag::LOCAL_TIME, vec![int(nanos_of_day(*time) as i64)])
        }
        Temporal::Time(time, offset) => PackValue::Struct(
            tag::TIME,
            vec![int(nanos_of_day(*time) as i64), int(i64::from(offset.seconds()))],
        ),
        Temporal::LocalDateTime(dt) => {
            let (s, n) = split_nanos(local_nanos(*dt));
            PackValue::Struct(tag::LOCAL_DATE_TIME, vec![int(s), int(n)])
        }
        Temporal::DateTime(z) => {
            let instant = local_nanos(z.local()) - i128::from(z.offset().seconds()) * NANOS;
            let (s, n) = split_nanos(if dialect.utc { instant } else { local_nanos(z.local()) });
            let (zoned, offset) = match dialect.utc {
                true => (tag::DATE_TIME_ZONE_ID, tag::DATE_TIME),
                false => (tag::LEGACY_DATE_TIME_ZONE_ID, tag::LEGACY_DATE_TIME),
            };
            match z.zone_name() {
                Some(name) => PackValue::Struct(zoned, vec![int(s), int(n), PackValue::str(name)]),
                None => PackValue::Struct(offset, vec![int(s), int(n), int(i64::from(z.offset().seconds()))]),
            }
        }
        Temporal::Duration(d) => PackValue::Struct(
            tag::DURATION,
            vec![int(d.months()), int(d.days()), int(d.seconds()), int(i64::from(d.subsec_nanos()))],
        ),
    }
}

/// A parameter a client sent, as an aikg value. Bytes become a list of
/// integers (aikg has no byte arrays); nodes and relationships become
/// references by id, which the query checks against the graph.
///
/// # Errors
/// The message for a structure aikg has no value for (points) or one with
/// fields of the wrong number or type.
pub(crate) fn from_pack(value: PackValue) -> Result<Value, String> {
    Ok(match value {
        PackValue::Null => Value::Null,
        PackValue::Bool(b) => Value::Bool(b),
        PackValue::Int(i) => Value::Int(i),
        PackValue::Float(f) => Value::Float(f),
        PackValue::String(s) => Value::from(s),
        PackValue::Bytes(b) => Value::List(b.into_iter().map(|x| Value::Int(i64::from(x))).collect()),
        PackValue::List(items) => Value::List(items.into_iter().map(from_pack).collect::<Result<_, _>>()?),
        PackValue::Map(pairs) => {
            let mut m = BTreeMap::new();
            for (k, v) in pairs {
                m.insert(k, from_pack(v)?);
            }
            Value::Map(m)
        }
        PackValue::Struct(t, fields) => structure(t, fields)?,
    })
}

fn structure(t: u8, fields: Vec<PackValue>) -> Result<Value, String> {
    let what = match t {
        tag::DATE => "Date",
        tag::TIME => "Time",
        tag::LOCAL_TIME => "LocalTime",
        tag::LOCAL_DATE_TIME => "LocalDateTime",
        tag::DATE_TIME | tag::LEGACY_DATE_TIME => "DateTime",
        tag::DATE_TIME_ZONE_ID | tag::LEGACY_DATE_TIME_ZONE_ID => "DateTimeZoneId",
        tag::DURATION => "Duration",
        tag::NODE => "Node",
        tag::RELATIONSHIP => "Relationship",
        tag::PATH => "Path",
        tag::POINT_2D | tag::POINT_3D => {
            return Err("aikg has no spatial values: a point cannot be a parameter".into())
        }
        other => return Err(format!("unknown structure 0x{other:02X} in the parameters")),
    };
    let bad = || format!("malformed {what} structure in the parameters");
    let ints: Vec<Option<i64>> = fields.iter().map(PackValue::as_int).collect();
    let int = |i: usize| ints.get(i).copied().flatten().ok_or_else(bad);
    let temporal = |t: Temporal| Ok(Value::from(t));
    match t {
        tag::DATE => {
            let days = int(0)?;
            let date =
                EPOCH.checked_add(jiff::Span::new().try_days(days).map_err(|_| bad())?).map_err(|_| bad())?;
            temporal(Temporal::Date(date))
        }
        tag::LOCAL_TIME => temporal(Temporal::LocalTime(time_of_nanos(i128::from(int(0)?)))),
        tag::TIME => {
            let offset = offset(int(1)?).ok_or_else(bad)?;
            temporal(Temporal::Time(time_of_nanos(i128::from(int(0)?)), offset))
        }
        tag::LOCAL_DATE_TIME => temporal(Temporal::LocalDateTime(local(int(0)?, int(1)?).ok_or_else(bad)?)),
        tag::DATE_TIME | tag::DATE_TIME_ZONE_ID => {
            let zone = zone(t == tag::DATE_TIME_ZONE_ID, &fields, &int)?;
            let ts =
                Timestamp::new(int(0)?, i32::try_from(int(1)?).map_err(|_| bad())?).map_err(|_| bad())?;
            temporal(Temporal::DateTime(ZonedDateTime::from_instant(ts, &zone)))
        }
        tag::LEGACY_DATE_TIME | tag::LEGACY_DATE_TIME_ZONE_ID => {
            let zone = zone(t == tag::LEGACY_DATE_TIME_ZONE_ID, &fields, &int)?;
            let local = local(int(0)?, int(1)?).ok_or_else(bad)?;
            temporal(Temporal::DateTime(ZonedDateTime::from_local(local, &zone)?))
        }
        tag::DURATION => {
            temporal(Temporal::Duration(Duration::new(int(0)?, int(1)?, int(2)?, int(3)?).ok_or_else(bad)?))
        }
        tag::NODE => Ok(Value::Node(NodeId(u32::try_from(int(0)?).map_err(|_| bad())?))),
        tag::RELATIONSHIP => Ok(Value::Relationship(EdgeId(u32::try_from(int(0)?).map_err(|_| bad())?))),
        _ => path_param(fields).ok_or_else(bad),
    }
}

fn offset(seconds: i64) -> Option<Offset> {
    Offset::from_seconds(i32::try_from(seconds).ok()?).ok()
}

fn local(seconds: i64, nanos: i64) -> Option<civil::DateTime> {
    let epoch = EPOCH.to_datetime(civil::Time::midnight());
    // Bolt's nanoseconds are within a second; outside that range carrying
    // them into the seconds could overflow, which jiff answers by panicking.
    if !(0..1_000_000_000).contains(&nanos) {
        return None;
    }
    let d = jiff::SignedDuration::new(seconds, i32::try_from(nanos).ok()?);
    epoch.checked_add(d).ok()
}

fn zone(
    named: bool,
    fields: &[PackValue],
    int: &dyn Fn(usize) -> Result<i64, String>,
) -> Result<Zone, String> {
    if named {
        let name = fields.get(2).and_then(PackValue::as_str).ok_or("malformed DateTimeZoneId structure")?;
        TimeZone::get(name).map(Zone::Named).map_err(|_| format!("unknown time zone '{name}'"))
    } else {
        offset(int(2)?).map(Zone::Offset).ok_or_else(|| "malformed DateTime structure".to_string())
    }
}

/// A path parameter, rebuilt from its nodes, relationships and hop
/// indices as [`path`] writes them.
fn path_param(fields: Vec<PackValue>) -> Option<Value> {
    let [PackValue::List(nodes), PackValue::List(rels), PackValue::List(indices)] =
        <[_; 3]>::try_from(fields).ok()?
    else {
        return None;
    };
    let id = |v: &PackValue| match v {
        PackValue::Struct(_, f) => u32::try_from(f.first()?.as_int()?).ok(),
        _ => None,
    };
    let node_ids: Vec<u32> = nodes.iter().map(id).collect::<Option<_>>()?;
    let rel_ids: Vec<u32> = rels.iter().map(id).collect::<Option<_>>()?;
    let mut path = Path { nodes: vec![NodeId(*node_ids.first()?)], rels: Vec::new() };
    for hop in indices.chunks(2) {
        let [r, n] = hop else { return None };
        let r = usize::try_from(r.as_int()?.unsigned_abs()).ok()?.checked_sub(1)?;
        let n = usize::try_from(n.as_int()?).ok()?;
        path.rels.push(EdgeId(*rel_ids.get(r)?));
        path.nodes.push(NodeId(*node_ids.get(n)?));
    }
    Some(Value::Path(Arc::new(path)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Graph;

    const V5: Dialect = Dialect { element_ids: true, utc: true };
    const V4: Dialect = Dialect { element_ids: false, utc: false };

    fn value(graph: &Graph, text: &str) -> (ResultSet, Value) {
        let result = graph.query(text).unwrap();
        let v = result.row(0).unwrap()[0].clone();
        (result, v)
    }

    #[test]
    fn temporals_round_trip_through_their_structures() {
        let g = Graph::new();
        for text in [
            "date('2023-06-01')",
            "date('1960-02-29')",
            "localtime('12:31:14.645')",
            "time('12:31:14+01:00')",
            "localdatetime('1984-10-11T12:31:14.000000123')",
            "datetime('1984-10-11T12:31:14+02:00')",
            "datetime('2015-07-21T21:40:32.142[Europe/Stockholm]')",
            "duration('P1Y2M10DT12H45M30.25S')",
            "duration('PT-0.5S')",
        ] {
            let (result, v) = value(&g, &format!("RETURN {text}"));
            for dialect in [V5, V4] {
                let packed = to_pack(&result, &v, dialect);
                assert_eq!(from_pack(packed.clone()), Ok(v.clone()), "{text}: {packed}");
            }
        }
    }

    #[test]
    fn known_encodings() {
        let g = Graph::new();
        let (r, v) = value(&g, "RETURN date('1970-01-11')");
        assert_eq!(to_pack(&r, &v, V5), PackValue::Struct(tag::DATE, vec![PackValue::Int(10)]));
        let (r, v) = value(&g, "RETURN datetime('1970-01-01T01:00:00+01:00')");
        let utc = PackValue::Struct(tag::DATE_TIME, [0, 0, 3600].map(PackValue::Int).to_vec());
        let legacy = PackValue::Struct(tag::LEGACY_DATE_TIME, [3600, 0, 3600].map(PackValue::Int).to_vec());
        assert_eq!(to_pack(&r, &v, V5), utc);
        assert_eq!(to_pack(&r, &v, V4), legacy);
    }

    #[test]
    fn entities_carry_element_ids_in_bolt_5() {
        let g = Graph::builtin();
        let (r, v) = value(&g, "MATCH p = (:Model {id: 'chatglm-6b'})-[:BUILT_ON]->(b) RETURN p");
        let PackValue::Struct(tag::PATH, fields) = to_pack(&r, &v, V5) else { panic!("not a path") };
        let PackValue::List(nodes) = &fields[0] else { panic!() };
        let PackValue::Struct(tag::NODE, node) = &nodes[0] else { panic!() };
        assert_eq!(node.len(), 4);
        assert_eq!(node[3], PackValue::String(node[0].as_int().unwrap().to_string()));
        assert_eq!(fields[2], PackValue::List(vec![PackValue::Int(1), PackValue::Int(1)]));
        assert_eq!(from_pack(to_pack(&r, &v, V5)), Ok(v.clone()));
        let PackValue::Struct(_, v4) = to_pack(&r, &v, V4) else { panic!() };
        let PackValue::List(nodes) = &v4[0] else { panic!() };
        assert!(matches!(&nodes[0], PackValue::Struct(tag::NODE, f) if f.len() == 3));
    }

    #[test]
    fn extreme_temporal_fields_are_errors_not_panics() {
        let extremes = [i64::MIN, i64::MIN + 1, -1_000_000_000, -1, 0, 999_999_999, 1_000_000_000, i64::MAX];
        let zones = [PackValue::str("Europe/Stockholm"), PackValue::str(""), PackValue::Int(0)];
        for t in [
            tag::DATE,
            tag::TIME,
            tag::LOCAL_TIME,
            tag::LOCAL_DATE_TIME,
            tag::DATE_TIME,
            tag::DATE_TIME_ZONE_ID,
            tag::LEGACY_DATE_TIME,
            tag::LEGACY_DATE_TIME_ZONE_ID,
            tag::DURATION,
            tag::NODE,
            tag::RELATIONSHIP,
            tag::PATH,
        ] {
            for a in extremes {
                for b in extremes {
                    for zone in &zones {
                        let fields = [PackValue::Int(a), PackValue::Int(b), zone.clone(), PackValue::Int(a)];
                        for n in 0..=fields.len() {
                            let _ = from_pack(PackValue::Struct(t, fields[..n].to_vec()));
                        }
                        let third = vec![PackValue::Int(a), PackValue::Int(b), PackValue::Int(b)];
                        let _ = from_pack(PackValue::Struct(t, third));
                    }
                }
            }
        }
        let nodes = PackValue::List(vec![PackValue::Struct(tag::NODE, vec![PackValue::Int(0)])]);
        let bad_hops = PackValue::List(vec![PackValue::Int(i64::MIN), PackValue::Int(5), PackValue::Int(1)]);
        assert!(
            from_pack(PackValue::Struct(tag::PATH, vec![nodes, PackValue::List(vec![]), bad_hops])).is_err()
        );
    }

    #[test]
    fn parameters_of_every_type() {
        let list = PackValue::List(vec![PackValue::Int(1), PackValue::str("a"), PackValue::Null]);
        assert_eq!(
            from_pack(PackValue::map([("l", list), ("b", PackValue::Bytes(vec![1, 255]))])),
            Ok(Value::Map(BTreeMap::from([
                ("l".to_string(), Value::List(vec![Value::Int(1), Value::from("a"), Value::Null])),
                ("b".to_string(), Value::List(vec![Value::Int(1), Value::Int(255)])),
            ])))
        );
        assert!(from_pack(PackValue::Struct(tag::POINT_2D, vec![])).unwrap_err().contains("point"));
        assert!(from_pack(PackValue::Struct(tag::DATE, vec![PackValue::str("x")])).is_err());
        assert!(from_pack(PackValue::Struct(0x01, vec![])).is_err());
        let zone = PackValue::Struct(
            tag::DATE_TIME_ZONE_ID,
            vec![PackValue::Int(0), PackValue::Int(0), PackValue::str("Mars/Olympus")],
        );
        assert_eq!(from_pack(zone), Err("unknown time zone 'Mars/Olympus'".to_string()));
    }
}

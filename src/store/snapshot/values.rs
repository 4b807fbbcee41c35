//! Property values in the file: a tag byte and its payload, written by
//! [`put_value`] and read back by [`read_value`]; every [`Value`] variant has
//! a tag, temporals and time zones included.

use std::sync::Arc;

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{Offset, TimeZone};

use super::{corrupt, invalid_input, put_iv, put_str, put_uv, Corrupt, Reader, MAX_DEPTH};
use crate::model::temporal::ZonedDateTime;
use crate::model::{Duration, EdgeId, NodeId, Path as GraphPath, Temporal, Text, Value};
use crate::store::{KeyId, Properties};

pub(super) fn put_properties(buf: &mut Vec<u8>, properties: &[(KeyId, Value)]) -> std::io::Result<()> {
    put_uv(buf, properties.len() as u64);
    for (k, v) in properties {
        put_uv(buf, u64::from(k.0));
        put_value(buf, v, 0)?;
    }
    Ok(())
}

// Value tags. Booleans carry their value in the tag.
const T_NULL: u8 = 0;
const T_FALSE: u8 = 1;
const T_TRUE: u8 = 2;
const T_INT: u8 = 3;
const T_FLOAT: u8 = 4;
const T_STRING: u8 = 5;
const T_LIST: u8 = 6;
const T_MAP: u8 = 7;
const T_NODE: u8 = 8;
const T_RELATIONSHIP: u8 = 9;
const T_PATH: u8 = 10;
const T_DATE: u8 = 11;
const T_LOCAL_TIME: u8 = 12;
const T_TIME: u8 = 13;
const T_LOCAL_DATETIME: u8 = 14;
const T_DATETIME: u8 = 15;
const T_DURATION: u8 = 16;

/// Writes a value: its tag, then integers as zigzag varints, floats as
/// their eight bytes (so NaN payloads and -0.0 survive), strings as a
/// length and UTF-8, lists and maps as a count and their items, temporals
/// as their fields.
pub(in crate::store) fn put_value(buf: &mut Vec<u8>, value: &Value, depth: usize) -> std::io::Result<()> {
    match value {
        Value::Null => buf.push(T_NULL),
        Value::Bool(b) => buf.push(if *b { T_TRUE } else { T_FALSE }),
        Value::Int(i) => {
            buf.push(T_INT);
            put_iv(buf, *i);
        }
        Value::Float(f) => {
            buf.push(T_FLOAT);
            buf.extend_from_slice(&f.to_bits().to_le_bytes());
        }
        Value::String(s) => {
            buf.push(T_STRING);
            put_str(buf, s);
        }
        Value::List(items) => {
            if depth >= MAX_DEPTH {
                return Err(invalid_input("a property holds lists or maps nested more than 256 deep"));
            }
            buf.push(T_LIST);
            put_uv(buf, items.len() as u64);
            for item in items {
                put_value(buf, item, depth + 1)?;
            }
        }
        Value::Map(map) => {
            if depth >= MAX_DEPTH {
                return Err(invalid_input("a property holds lists or maps nested more than 256 deep"));
            }
            buf.push(T_MAP);
            put_uv(buf, map.len() as u64);
            for (k, v) in map {
                put_str(buf, k);
                put_value(buf, v, depth + 1)?;
            }
        }
        Value::Node(n) => {
            buf.push(T_NODE);
            put_uv(buf, u64::from(n.0));
        }
        Value::Relationship(r) => {
            buf.push(T_RELATIONSHIP);
            put_uv(buf, u64::from(r.0));
        }
        Value::Path(p) => {
            buf.push(T_PATH);
            put_uv(buf, p.nodes.len() as u64);
            for n in &p.nodes {
                put_uv(buf, u64::from(n.0));
            }
            put_uv(buf, p.rels.len() as u64);
            for r in &p.rels {
                put_uv(buf, u64::from(r.0));
            }
        }
        Value::Temporal(t) => put_temporal(buf, t),
    }
    Ok(())
}

fn put_date(buf: &mut Vec<u8>, d: Date) {
    put_iv(buf, i64::from(d.year()));
    buf.extend_from_slice(&[d.month() as u8, d.day() as u8]);
}

fn put_time(buf: &mut Vec<u8>, t: Time) {
    buf.extend_from_slice(&[t.hour() as u8, t.minute() as u8, t.second() as u8]);
    put_uv(buf, u64::from(t.subsec_nanosecond().unsigned_abs()));
}

fn put_temporal(buf: &mut Vec<u8>, t: &Temporal) {
    match t {
        Temporal::Date(d) => {
            buf.push(T_DATE);
            put_date(buf, *d);
        }
        Temporal::LocalTime(t) => {
            buf.push(T_LOCAL_TIME);
            put_time(buf, *t);
        }
        Temporal::Time(t, o) => {
            buf.push(T_TIME);
            put_time(buf, *t);
            put_iv(buf, i64::from(o.seconds()));
        }
        Temporal::LocalDateTime(dt) => {
            buf.push(T_LOCAL_DATETIME);
            put_date(buf, dt.date());
            put_time(buf, dt.time());
        }
        Temporal::DateTime(z) => {
            buf.push(T_DATETIME);
            put_date(buf, z.local().date());
            put_time(buf, z.local().time());
            put_iv(buf, i64::from(z.offset().seconds()));
            match z.zone_name() {
                Some(name) => {
                    buf.push(1);
                    put_str(buf, name);
                }
                None => buf.push(0),
            }
        }
        Temporal::Duration(d) => {
            buf.push(T_DURATION);
            put_iv(buf, d.months());
            put_iv(buf, d.days());
            put_iv(buf, d.seconds());
            put_uv(buf, u64::from(d.subsec_nanos().unsigned_abs()));
        }
    }
}

pub(super) fn read_properties(r: &mut Reader<'_>, keys: usize) -> Result<Properties, Corrupt> {
    let n = r.count(2)?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let key = KeyId(r.u32_below(keys, "property key")?);
        let value = read_value(r, 0)?;
        if value.is_null() {
            return corrupt("a stored property is null");
        }
        if out.iter().any(|(k, _): &(KeyId, Value)| *k == key) {
            return corrupt(format!("property key {} twice in one entity", key.0));
        }
        out.push((key, value));
    }
    Ok(out.into_boxed_slice())
}

fn read_date(r: &mut Reader<'_>) -> Result<Date, Corrupt> {
    let year = r.small::<i16>("year")?;
    let [month, day] = [r.byte()?, r.byte()?];
    Date::new(year, month as i8, day as i8).or_else(|e| corrupt(format!("invalid date: {e}")))
}

fn read_time(r: &mut Reader<'_>) -> Result<Time, Corrupt> {
    let [h, m, s] = [r.byte()?, r.byte()?, r.byte()?];
    let nanos = i32::try_from(r.uv()?).or_else(|_| corrupt("nanoseconds out of range"))?;
    Time::new(h as i8, m as i8, s as i8, nanos).or_else(|e| corrupt(format!("invalid time: {e}")))
}

fn read_offset(r: &mut Reader<'_>) -> Result<Offset, Corrupt> {
    let seconds = r.small::<i32>("offset")?;
    Offset::from_seconds(seconds).or_else(|e| corrupt(format!("invalid offset: {e}")))
}

pub(in crate::store) fn read_value(r: &mut Reader<'_>, depth: usize) -> Result<Value, Corrupt> {
    let tag = r.byte()?;
    if matches!(tag, T_LIST | T_MAP) && depth >= MAX_DEPTH {
        return corrupt("lists or maps nested more than 256 deep");
    }
    Ok(match tag {
        T_NULL => Value::Null,
        T_FALSE => Value::Bool(false),
        T_TRUE => Value::Bool(true),
        T_INT => Value::Int(r.iv()?),
        T_FLOAT => {
            let b = r.take(8)?;
            Value::Float(f64::from_bits(u64::from_le_bytes(b.try_into().unwrap_or_default())))
        }
        T_STRING => Value::String(Text::from(r.str()?)),
        T_LIST => {
            let n = r.count(1)?;
            let mut items = Vec::with_capacity(n);
            for _ in 0..n {
                items.push(read_value(r, depth + 1)?);
            }
            Value::List(items)
        }
        T_MAP => {
            let n = r.count(2)?;
            let mut map = std::collections::BTreeMap::new();
            for _ in 0..n {
                let key = r.str()?.to_string();
                let value = read_value(r, depth + 1)?;
                if map.insert(key, value).is_some() {
                    return corrupt("a map has a key twice");
                }
            }
            Value::Map(map)
        }
        T_NODE => Value::Node(NodeId(r.u32("node")?)),
        T_RELATIONSHIP => Value::Relationship(EdgeId(r.u32("relationship")?)),
        T_PATH => {
            let n = r.count(1)?;
            let nodes = (0..n).map(|_| r.u32("node").map(NodeId)).collect::<Result<Vec<_>, _>>()?;
            let n = r.count(1)?;
            let rels = (0..n).map(|_| r.u32("relationship").map(EdgeId)).collect::<Result<Vec<_>, _>>()?;
            Value::Path(Arc::new(GraphPath { nodes, rels }))
        }
        T_DATE => Temporal::Date(read_date(r)?).into(),
        T_LOCAL_TIME => Temporal::LocalTime(read_time(r)?).into(),
        T_TIME => {
            let t = read_time(r)?;
            Temporal::Time(t, read_offset(r)?).into()
        }
        T_LOCAL_DATETIME => {
            let d = read_date(r)?;
            Temporal::LocalDateTime(DateTime::from_parts(d, read_time(r)?)).into()
        }
        T_DATETIME => {
            let d = read_date(r)?;
            let t = read_time(r)?;
            let offset = read_offset(r)?;
            let zone = match r.byte()? {
                0 => None,
                1 => {
                    let name = r.str()?;
                    Some(TimeZone::get(name).or_else(|_| corrupt(format!("unknown time zone '{name}'")))?)
                }
                other => return corrupt(format!("unknown zone kind {other}")),
            };
            Temporal::DateTime(ZonedDateTime::from_parts(DateTime::from_parts(d, t), offset, zone)).into()
        }
        T_DURATION => {
            let (months, days, seconds) = (r.iv()?, r.iv()?, r.iv()?);
            let nanos = r.uv()?;
            if nanos >= 1_000_000_000 {
                return corrupt("duration nanoseconds out of range");
            }
            match Duration::new(months, days, seconds, nanos as i64) {
                Some(d) => Temporal::Duration(d).into(),
                None => return corrupt("duration out of range"),
            }
        }
        other => return corrupt(format!("unknown value tag {other}")),
    })
}

//! PackStream v1, the binary format Bolt messages are written in.
//!
//! A [`PackValue`] is one of null, boolean, integer, float, bytes, string,
//! list, map or structure (a tag byte and fields: Bolt's messages, nodes,
//! dates, ...). [`encode`] writes the smallest form of each value;
//! [`decode`] reads one value back and never panics: input from a client
//! can be anything, so every length is checked against the bytes that are
//! really there before anything is allocated, and nesting is bounded.

use std::fmt;

/// A PackStream value.
#[derive(Debug, Clone, PartialEq)]
pub enum PackValue {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A 64-bit signed integer (written in the fewest bytes that hold it).
    Int(i64),
    /// A 64-bit float.
    Float(f64),
    /// A byte array.
    Bytes(Vec<u8>),
    /// A UTF-8 string.
    String(String),
    /// A list.
    List(Vec<PackValue>),
    /// A map with string keys, in the order it was written (a later
    /// duplicate key wins on lookup, as in the drivers).
    Map(Vec<(String, PackValue)>),
    /// A structure: a tag byte and up to 15 fields.
    Struct(u8, Vec<PackValue>),
}

impl PackValue {
    /// A map from pairs.
    pub fn map<K: Into<String>>(pairs: impl IntoIterator<Item = (K, PackValue)>) -> PackValue {
        PackValue::Map(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A string value.
    pub fn str(s: impl Into<String>) -> PackValue {
        PackValue::String(s.into())
    }

    /// The value under `key`, if this is a map that has it.
    pub fn get(&self, key: &str) -> Option<&PackValue> {
        match self {
            PackValue::Map(pairs) => pairs.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            PackValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// The integer, if this is one.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            PackValue::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The name of the type, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            PackValue::Null => "null",
            PackValue::Bool(_) => "boolean",
            PackValue::Int(_) => "integer",
            PackValue::Float(_) => "float",
            PackValue::Bytes(_) => "bytes",
            PackValue::String(_) => "string",
            PackValue::List(_) => "list",
            PackValue::Map(_) => "map",
            PackValue::Struct(..) => "structure",
        }
    }
}

/// Why a byte string is not one well-formed PackStream value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PackError {
    /// The input ends inside a value.
    #[error("packstream: input ends at byte {at} inside a value")]
    Truncated {
        /// Where the input ended.
        at: usize,
    },
    /// A marker byte that PackStream v1 does not define.
    #[error("packstream: unknown marker 0x{marker:02X} at byte {at}")]
    UnknownMarker {
        /// The byte.
        marker: u8,
        /// Where it is.
        at: usize,
    },
    /// Lists, maps and structures nest deeper than the decoder allows.
    #[error("packstream: values nest deeper than {limit} levels at byte {at}")]
    TooDeep {
        /// The limit.
        limit: usize,
        /// Where the limit was passed.
        at: usize,
    },
    /// A string that is not UTF-8.
    #[error("packstream: string at byte {at} is not valid UTF-8")]
    InvalidUtf8 {
        /// Where the string starts.
        at: usize,
    },
    /// A map key that is not a string.
    #[error("packstream: map key at byte {at} is a {found}, not a string")]
    NonStringKey {
        /// Where the key starts.
        at: usize,
        /// The type found.
        found: &'static str,
    },
    /// Bytes left after the value.
    #[error("packstream: {left} bytes left over after the value")]
    TrailingBytes {
        /// How many.
        left: usize,
    },
}

/// The deepest nesting [`decode`] accepts; real parameters nest a few
/// levels, and a bound keeps a hostile message from exhausting the stack.
pub const MAX_DEPTH: usize = 64;

/// Writes `value` to `out`.
pub fn encode(value: &PackValue, out: &mut Vec<u8>) {
    match value {
        PackValue::Null => out.push(0xC0),
        PackValue::Bool(false) => out.push(0xC2),
        PackValue::Bool(true) => out.push(0xC3),
        PackValue::Int(i) => encode_int(*i, out),
        PackValue::Float(f) => {
            out.push(0xC1);
            out.extend_from_slice(&f.to_be_bytes());
        }
        PackValue::Bytes(b) => {
            header(out, b.len(), None, [0xCC, 0xCD, 0xCE]);
            out.extend_from_slice(b);
        }
        PackValue::String(s) => encode_str(s, out),
        PackValue::List(items) => {
            header(out, items.len(), Some(0x90), [0xD4, 0xD5, 0xD6]);
            for v in items {
                encode(v, out);
            }
        }
        PackValue::Map(pairs) => {
            header(out, pairs.len(), Some(0xA0), [0xD8, 0xD9, 0xDA]);
            for (k, v) in pairs {
                encode_str(k, out);
                encode(v, out);
            }
        }
        PackValue::Struct(tag, fields) => {
            // Structures have at most 15 fields by definition; every one
            // this server writes has fewer than 10.
            debug_assert!(fields.len() < 16);
            out.push(0xB0 | (fields.len().min(15) as u8));
            out.push(*tag);
            for v in fields.iter().take(15) {
                encode(v, out);
            }
        }
    }
}

fn encode_str(s: &str, out: &mut Vec<u8>) {
    header(out, s.len(), Some(0x80), [0xD0, 0xD1, 0xD2]);
    out.extend_from_slice(s.as_bytes());
}

fn encode_int(i: i64, out: &mut Vec<u8>) {
    if (-16..=127).contains(&i) {
        out.push(i as u8);
    } else if let Ok(i) = i8::try_from(i) {
        out.push(0xC8);
        out.push(i as u8);
    } else if let Ok(i) = i16::try_from(i) {
        out.push(0xC9);
        out.extend_from_slice(&i.to_be_bytes());
    } else if let Ok(i) = i32::try_from(i) {
        out.push(0xCA);
        out.extend_from_slice(&i.to_be_bytes());
    } else {
        out.push(0xCB);
        out.extend_from_slice(&i.to_be_bytes());
    }
}

/// A size header: the tiny form (`tiny | len`) below 16 when the type has
/// one, else a marker with an 8-, 16- or 32-bit length. Longer values
/// cannot be written; the message size limit keeps them from arising.
fn header(out: &mut Vec<u8>, len: usize, tiny: Option<u8>, markers: [u8; 3]) {
    match tiny {
        Some(t) if len < 16 => out.push(t | len as u8),
        _ if len <= 0xFF => out.extend_from_slice(&[markers[0], len as u8]),
        _ if len <= 0xFFFF => {
            out.push(markers[1]);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        }
        _ => {
            out.push(markers[2]);
            out.extend_from_slice(&(u32::try_from(len).unwrap_or(u32::MAX)).to_be_bytes());
        }
    }
}

/// Reads exactly one value from `input`.
///
/// # Errors
/// A [`PackError`] when the input is not exactly one well-formed value.
pub fn decode(input: &[u8]) -> Result<PackValue, PackError> {
    let mut reader = Reader { input, pos: 0 };
    let value = reader.value(0)?;
    match input.len() - reader.pos {
        0 => Ok(value),
        left => Err(PackError::TrailingBytes { left }),
    }
}

struct Reader<'a> {
    input: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], PackError> {
        let end = self.pos.checked_add(n).filter(|end| *end <= self.input.len());
        let end = end.ok_or(PackError::Truncated { at: self.input.len() })?;
        let bytes = &self.input[self.pos..end];
        self.pos = end;
        Ok(bytes)
    }

    fn byte(&mut self) -> Result<u8, PackError> {
        Ok(self.take(1)?[0])
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], PackError> {
        let mut a = [0; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    /// A length of 1, 2 or 4 bytes (unsigned, big-endian).
    fn len(&mut self, width: usize) -> Result<usize, PackError> {
        Ok(match width {
            1 => usize::from(self.byte()?),
            2 => usize::from(u16::from_be_bytes(self.array()?)),
            _ => u32::from_be_bytes(self.array()?) as usize,
        })
    }

    /// Every item takes at least one byte, so a count larger than what is
    /// left is a lie; checking it first keeps a tiny message from making
    /// the decoder reserve gigabytes.
    fn check_count(&self, count: usize) -> Result<(), PackError> {
        if count > self.input.len() - self.pos {
            return Err(PackError::Truncated { at: self.input.len() });
        }
        Ok(())
    }

    fn value(&mut self, depth: usize) -> Result<PackValue, PackError> {
        let at = self.pos;
        let marker = self.byte()?;
        let nested = |depth: usize| {
            if depth >= MAX_DEPTH {
                Err(PackError::TooDeep { limit: MAX_DEPTH, at })
            } else {
                Ok(depth + 1)
            }
        };
        match marker {
            0x00..=0x7F => Ok(PackValue::Int(i64::from(marker))),
            0xF0..=0xFF => Ok(PackValue::Int(i64::from(marker as i8))),
            0xC0 => Ok(PackValue::Null),
            0xC2 => Ok(PackValue::Bool(false)),
            0xC3 => Ok(PackValue::Bool(true)),
            0xC1 => Ok(PackValue::Float(f64::from_be_bytes(self.array()?))),
            0xC8 => Ok(PackValue::Int(i64::from(i8::from_be_bytes(self.array()?)))),
            0xC9 => Ok(PackValue::Int(i64::from(i16::from_be_bytes(self.array()?)))),
            0xCA => Ok(PackValue::Int(i64::from(i32::from_be_bytes(self.array()?)))),
            0xCB => Ok(PackValue::Int(i64::from_be_bytes(self.array()?))),
            0xCC..=0xCE => {
                let n = self.len(1 << (marker - 0xCC))?;
                Ok(PackValue::Bytes(self.take(n)?.to_vec()))
            }
            0x80..=0x8F => self.string(usize::from(marker & 0x0F), at),
            0xD0..=0xD2 => {
                let n = self.len(1 << (marker - 0xD0))?;
                self.string(n, at)
            }
            0x90..=0x9F => self.list(usize::from(marker & 0x0F), nested(depth)?),
            0xD4..=0xD6 => {
                let n = self.len(1 << (marker - 0xD4))?;
                self.list(n, nested(depth)?)
            }
            0xA0..=0xAF => self.map(usize::from(marker & 0x0F), nested(depth)?),
            0xD8..=0xDA => {
                let n = self.len(1 << (marker - 0xD8))?;
                self.map(n, nested(depth)?)
            }
            0xB0..=0xBF => {
                let depth = nested(depth)?;
                let tag = self.byte()?;
                let fields = self.items(usize::from(marker & 0x0F), depth)?;
                Ok(PackValue::Struct(tag, fields))
            }
            _ => Err(PackError::UnknownMarker { marker, at }),
        }
    }

    fn string(&mut self, n: usize, at: usize) -> Result<PackValue, PackError> {
        let bytes = self.take(n)?;
        let s = std::str::from_utf8(bytes).map_err(|_| PackError::InvalidUtf8 { at })?;
        Ok(PackValue::String(s.to_string()))
    }

    fn items(&mut self, n: usize, depth: usize) -> Result<Vec<PackValue>, PackError> {
        self.check_count(n)?;
        let mut items = Vec::with_capacity(n);
        for _ in 0..n {
            items.push(self.value(depth)?);
        }
        Ok(items)
    }

    fn list(&mut self, n: usize, depth: usize) -> Result<PackValue, PackError> {
        Ok(PackValue::List(self.items(n, depth)?))
    }

    fn map(&mut self, n: usize, depth: usize) -> Result<PackValue, PackError> {
        // A pair takes at least two bytes.
        self.check_count(n.saturating_mul(2))?;
        let mut pairs = Vec::with_capacity(n);
        for _ in 0..n {
            let at = self.pos;
            let key = match self.value(depth)? {
                PackValue::String(k) => k,
                other => return Err(PackError::NonStringKey { at, found: other.type_name() }),
            };
            pairs.push((key, self.value(depth)?));
        }
        Ok(PackValue::Map(pairs))
    }
}

/// Shows a value roughly as the Bolt documentation writes them, for logs.
impl fmt::Display for PackValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PackValue::Null => f.write_str("null"),
            PackValue::Bool(b) => write!(f, "{b}"),
            PackValue::Int(i) => write!(f, "{i}"),
            PackValue::Float(x) => write!(f, "{x:?}"),
            PackValue::Bytes(b) => write!(f, "#{} bytes", b.len()),
            PackValue::String(s) => write!(f, "{s:?}"),
            PackValue::List(items) => {
                f.write_str("[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            PackValue::Map(pairs) => {
                f.write_str("{")?;
                for (i, (k, v)) in pairs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                f.write_str("}")
            }
            PackValue::Struct(tag, fields) => {
                write!(f, "Struct<0x{tag:02X}>(")?;
                for (i, v) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str(")")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(v: &PackValue) -> Vec<u8> {
        let mut out = Vec::new();
        encode(v, &mut out);
        out
    }

    fn round_trip(v: PackValue) {
        let encoded = bytes(&v);
        assert_eq!(decode(&encoded), Ok(v), "{encoded:02X?}");
    }

    #[test]
    fn integers_take_the_smallest_form() {
        // The examples of the PackStream specification.
        let cases: &[(i64, &[u8])] = &[
            (1, &[0x01]),
            (-16, &[0xF0]),
            (127, &[0x7F]),
            (-17, &[0xC8, 0xEF]),
            (-128, &[0xC8, 0x80]),
            (128, &[0xC9, 0x00, 0x80]),
            (1234, &[0xC9, 0x04, 0xD2]),
            (-32768, &[0xC9, 0x80, 0x00]),
            (32768, &[0xCA, 0x00, 0x00, 0x80, 0x00]),
            (-2147483649, &[0xCB, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF]),
        ];
        for (i, expected) in cases {
            assert_eq!(bytes(&PackValue::Int(*i)), *expected, "{i}");
            round_trip(PackValue::Int(*i));
        }
        for i in [i64::MIN, i64::MAX, i64::from(i32::MIN), i64::from(i32::MAX) + 1] {
            round_trip(PackValue::Int(i));
        }
    }

    #[test]
    fn scalars() {
        assert_eq!(bytes(&PackValue::Null), [0xC0]);
        assert_eq!(bytes(&PackValue::Bool(true)), [0xC3]);
        assert_eq!(bytes(&PackValue::Bool(false)), [0xC2]);
        assert_eq!(bytes(&PackValue::Float(1.1)), [0xC1, 0x3F, 0xF1, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9A]);
        round_trip(PackValue::Float(-0.0));
        round_trip(PackValue::Float(f64::INFINITY));
        assert_eq!(bytes(&PackValue::str("A")), [0x81, 0x41]);
        assert_eq!(bytes(&PackValue::str("Größenmaßstäbe"))[..2], [0xD0, 0x12]);
        round_trip(PackValue::str("智谱AI"));
        assert_eq!(bytes(&PackValue::Bytes(vec![1, 2, 3])), [0xCC, 0x03, 1, 2, 3]);
    }

    #[test]
    fn every_size_header_round_trips() {
        for n in [0usize, 15, 16, 255, 256, 65535, 65536] {
            let s = "x".repeat(n);
            let encoded = bytes(&PackValue::str(s.clone()));
            assert_eq!(decode(&encoded), Ok(PackValue::String(s)));
            round_trip(PackValue::Bytes(vec![7; n]));
            round_trip(PackValue::List(vec![PackValue::Null; n.min(70_000)]));
        }
        let pairs: Vec<(String, PackValue)> =
            (0..300).map(|i| (format!("k{i}"), PackValue::Int(i))).collect();
        round_trip(PackValue::Map(pairs));
        assert_eq!(bytes(&PackValue::List(vec![PackValue::Int(1); 16]))[..2], [0xD4, 16]);
    }

    #[test]
    fn nested_values_and_structures() {
        let v = PackValue::Struct(
            0x4E,
            vec![
                PackValue::Int(1),
                PackValue::List(vec![PackValue::str("Model")]),
                PackValue::map([("id", PackValue::str("glm")), ("year", PackValue::Int(2022))]),
                PackValue::str("1"),
            ],
        );
        assert_eq!(bytes(&v)[..2], [0xB4, 0x4E]);
        round_trip(v);
        let m = PackValue::map([("a", PackValue::Int(1)), ("a", PackValue::Int(2))]);
        assert_eq!(m.get("a"), Some(&PackValue::Int(2)));
    }

    #[test]
    fn malformed_input_is_an_error() {
        assert_eq!(decode(&[]), Err(PackError::Truncated { at: 0 }));
        assert_eq!(decode(&[0xC9, 0x01]), Err(PackError::Truncated { at: 2 }));
        assert_eq!(decode(&[0xC4]), Err(PackError::UnknownMarker { marker: 0xC4, at: 0 }));
        assert_eq!(decode(&[0x82, 0xFF, 0xFE]), Err(PackError::InvalidUtf8 { at: 0 }));
        assert_eq!(decode(&[0xA1, 0x01, 0x01]), Err(PackError::NonStringKey { at: 1, found: "integer" }));
        assert_eq!(decode(&[0x01, 0x02]), Err(PackError::TrailingBytes { left: 1 }));
        // A list that claims four billion items in six bytes.
        assert_eq!(decode(&[0xD6, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]), Err(PackError::Truncated { at: 6 }));
        let deep = vec![0x91; MAX_DEPTH + 1];
        assert!(matches!(decode(&deep), Err(PackError::TooDeep { .. })));
        let mut ok = vec![0x91; MAX_DEPTH - 1];
        ok.push(0x90);
        assert!(decode(&ok).is_ok());
    }

    #[test]
    fn every_prefix_and_every_byte_flip_is_handled() {
        let v = PackValue::map([
            ("list", PackValue::List(vec![PackValue::Int(300), PackValue::Float(2.5), PackValue::Null])),
            ("bytes", PackValue::Bytes(vec![0; 20])),
            ("text", PackValue::str("long enough to need a D0 marker, surely")),
            ("node", PackValue::Struct(0x44, vec![PackValue::Int(19_000)])),
        ]);
        let encoded = bytes(&v);
        for end in 0..encoded.len() {
            assert!(decode(&encoded[..end]).is_err(), "prefix of {end} bytes decoded");
        }
        for i in 0..encoded.len() {
            for flip in [0x01, 0x10, 0x80, 0xFF] {
                let mut bad = encoded.clone();
                bad[i] ^= flip;
                let _ = decode(&bad);
            }
        }
    }
}

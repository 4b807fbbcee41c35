//! Value semantics of the query language: equality with null logic,
//! comparison, the global sort order, truthiness and arithmetic.
//!
//! [`Value`]'s own `PartialEq`/`Hash` are structural (what `DISTINCT` and
//! grouping use); the functions here are openCypher's operators.

use std::borrow::Cow;
use std::cmp::Ordering;

use crate::error::{ErrorClass, QueryError, Span};
use crate::model::Value;

/// The null a borrowed result or a lent row stands for.
pub(crate) static NULL: Value = Value::Null;

/// `null` as a borrowed value.
pub(crate) fn null<'a>() -> Cow<'a, Value> {
    Cow::Borrowed(&NULL)
}

/// A runtime type error.
pub(crate) fn type_error(detail: &'static str, message: impl Into<String>, span: Span) -> QueryError {
    QueryError::runtime(ErrorClass::TypeError, detail, message, Some(span))
}

/// The outcome of an ordering comparison (`<`, `<=`, `>`, `>=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cmp {
    /// The values are ordered.
    Ord(Ordering),
    /// Comparable but unordered: NaN against a number. Every operator is false.
    Unordered,
    /// Not comparable (different types, or a null): every operator is null.
    Null,
}

/// The representative of `v` under openCypher's equivalence, which
/// `DISTINCT`, grouping keys and `count(DISTINCT ...)` use: an integral
/// float is equivalent to the integer it equals (`1.0` and `1` are one
/// value), in lists and maps too. `None` when `v` represents itself, which
/// is the common case and costs no allocation.
pub(crate) fn equivalence_key(v: &Value) -> Option<Value> {
    match v {
        Value::Float(f) => {
            // 2^63 is the first float past i64::MAX; every float below it
            // in magnitude with no fraction is exactly an i64.
            let exact =
                f.fract() == 0.0 && *f >= -9_223_372_036_854_775_808.0 && *f < 9_223_372_036_854_775_808.0;
            exact.then(|| Value::Int(*f as i64))
        }
        Value::List(items) => {
            let first = items.iter().position(|x| equivalence_key(x).is_some())?;
            let mut out = items.clone();
            for x in &mut out[first..] {
                if let Some(k) = equivalence_key(x) {
                    *x = k;
                }
            }
            Some(Value::List(out))
        }
        Value::Map(m) => m.values().any(|x| equivalence_key(x).is_some()).then(|| {
            Value::Map(
                m.iter().map(|(k, x)| (k.clone(), equivalence_key(x).unwrap_or_else(|| x.clone()))).collect(),
            )
        }),
        _ => None,
    }
}

/// openCypher `=`: `None` is null (unknown).
pub(crate) fn equals(a: &Value, b: &Value) -> Option<bool> {
    use Value::*;
    match (a, b) {
        (Null, _) | (_, Null) => None,
        (Bool(x), Bool(y)) => Some(x == y),
        (Int(x), Int(y)) => Some(x == y),
        (Float(x), Float(y)) => Some(x == y),
        (Int(i), Float(f)) | (Float(f), Int(i)) => Some(cmp_int_float(*i, *f) == Some(Ordering::Equal)),
        (String(x), String(y)) => Some(x == y),
        (Node(x), Node(y)) => Some(x == y),
        (Relationship(x), Relationship(y)) => Some(x == y),
        (Path(x), Path(y)) => Some(x == y),
        (Temporal(x), Temporal(y)) => Some(x.equals(y)),
        (List(x), List(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            all_equal(x.iter().zip(y))
        }
        (Map(x), Map(y)) => {
            if x.len() != y.len() || x.keys().zip(y.keys()).any(|(k, l)| k != l) {
                return Some(false);
            }
            all_equal(x.values().zip(y.values()))
        }
        _ => Some(false),
    }
}

fn all_equal<'a>(pairs: impl Iterator<Item = (&'a Value, &'a Value)>) -> Option<bool> {
    let mut unknown = false;
    for (x, y) in pairs {
        match equals(x, y) {
            Some(false) => return Some(false),
            None => unknown = true,
            Some(true) => {}
        }
    }
    if unknown {
        None
    } else {
        Some(true)
    }
}

/// Compares an integer with a float exactly (no rounding of large integers);
/// `None` when the float is NaN.
pub(crate) fn cmp_int_float(i: i64, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    // 2^63 as f64; every f64 at or above it exceeds every i64.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if f >= LIMIT {
        return Some(Ordering::Less);
    }
    if f < -LIMIT {
        return Some(Ordering::Greater);
    }
    let t = f.trunc();
    match i.cmp(&(t as i64)) {
        Ordering::Equal => {
            let frac = f - t;
            Some(if frac > 0.0 {
                Ordering::Less
            } else if frac < 0.0 {
                Ordering::Greater
            } else {
                Ordering::Equal
            })
        }
        other => Some(other),
    }
}

/// openCypher's ordering comparison, as used by `<`, `<=`, `>`, `>=`.
pub(crate) fn compare(a: &Value, b: &Value) -> Cmp {
    use Value::*;
    match (a, b) {
        (Null, _) | (_, Null) => Cmp::Null,
        (Int(x), Int(y)) => Cmp::Ord(x.cmp(y)),
        (Float(x), Float(y)) => x.partial_cmp(y).map_or(Cmp::Unordered, Cmp::Ord),
        (Int(i), Float(f)) => cmp_int_float(*i, *f).map_or(Cmp::Unordered, Cmp::Ord),
        (Float(f), Int(i)) => cmp_int_float(*i, *f).map_or(Cmp::Unordered, |o| Cmp::Ord(o.reverse())),
        (String(x), String(y)) => Cmp::Ord(x.cmp(y)),
        (Bool(x), Bool(y)) => Cmp::Ord(x.cmp(y)),
        (Temporal(x), Temporal(y)) => x.compare(y).map_or(Cmp::Null, Cmp::Ord),
        (List(x), List(y)) => {
            for (p, q) in x.iter().zip(y) {
                match compare(p, q) {
                    Cmp::Ord(Ordering::Equal) => {}
                    other => return other,
                }
            }
            Cmp::Ord(x.len().cmp(&y.len()))
        }
        _ => Cmp::Null,
    }
}

/// Applies a comparison operator's test to a [`Cmp`]: `None` is null.
pub(crate) fn test_cmp(c: Cmp, accept: impl Fn(Ordering) -> bool) -> Option<bool> {
    match c {
        Cmp::Ord(o) => Some(accept(o)),
        Cmp::Unordered => Some(false),
        Cmp::Null => None,
    }
}

fn type_rank(v: &Value) -> u8 {
    match v {
        Value::Map(_) => 0,
        Value::Node(_) => 1,
        Value::Relationship(_) => 2,
        Value::List(_) => 3,
        Value::Path(_) => 4,
        Value::Temporal(_) => 5,
        Value::String(_) => 6,
        Value::Bool(_) => 7,
        Value::Int(_) | Value::Float(_) => 8,
        Value::Null => 9,
    }
}

/// The global sort order of `ORDER BY` (ascending): maps, nodes,
/// relationships, lists, paths, temporals (by type, then time), strings, booleans, numbers (NaN after every
/// other number), then null. Total, so it can drive a sort.
pub(crate) fn order(a: &Value, b: &Value) -> Ordering {
    use Value::*;
    match (a, b) {
        (Int(x), Int(y)) => x.cmp(y),
        (Float(x), Float(y)) => order_floats(*x, *y),
        (Int(i), Float(f)) => cmp_int_float(*i, *f).unwrap_or(Ordering::Less),
        (Float(f), Int(i)) => cmp_int_float(*i, *f).map_or(Ordering::Greater, Ordering::reverse),
        (String(x), String(y)) => x.cmp(y),
        (Bool(x), Bool(y)) => x.cmp(y),
        (Node(x), Node(y)) => x.cmp(y),
        (Relationship(x), Relationship(y)) => x.cmp(y),
        (List(x), List(y)) => order_seq(x, y),
        (Path(x), Path(y)) => x.nodes.cmp(&y.nodes).then_with(|| x.rels.cmp(&y.rels)),
        (Temporal(x), Temporal(y)) => x.order(y),
        (Map(x), Map(y)) => {
            let keys = x.keys().cmp(y.keys());
            keys.then_with(|| {
                x.values()
                    .zip(y.values())
                    .map(|(p, q)| order(p, q))
                    .find(|o| o.is_ne())
                    .unwrap_or(Ordering::Equal)
            })
        }
        _ => type_rank(a).cmp(&type_rank(b)),
    }
}

fn order_floats(x: f64, y: f64) -> Ordering {
    match (x.is_nan(), y.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
    }
}

fn order_seq(x: &[Value], y: &[Value]) -> Ordering {
    for (p, q) in x.iter().zip(y) {
        let o = order(p, q);
        if o.is_ne() {
            return o;
        }
    }
    x.len().cmp(&y.len())
}

/// Arithmetic failures, turned into query errors (with a span) by the caller.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ArithError {
    /// The operands have types the operator does not take.
    Types(&'static str, &'static str),
    /// An integer result does not fit in 64 bits.
    Overflow,
    /// Integer division or modulo by zero.
    DivisionByZero,
    /// A temporal result that no calendar holds (past year 9999, say).
    Temporal(String),
}

/// The binary arithmetic operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
}

/// Applies an arithmetic operator; null in, null out.
pub(crate) fn arith(op: Arith, a: &Value, b: &Value) -> Result<Value, ArithError> {
    use Value::*;
    let types = || ArithError::Types(a.type_name(), b.type_name());
    match (a, b) {
        (Null, _) | (_, Null) => Ok(Null),
        (Int(x), Int(y)) => int_arith(op, *x, *y),
        (Temporal(_), _) | (_, Temporal(_)) => super::temporal::arith(op, a, b),
        (Int(_), Float(_)) | (Float(_), Int(_)) | (Float(_), Float(_)) => {
            let (x, y) = (a.as_f64().unwrap_or(0.0), b.as_f64().unwrap_or(0.0));
            Ok(Float(match op {
                Arith::Add => x + y,
                Arith::Sub => x - y,
                Arith::Mul => x * y,
                Arith::Div => x / y,
                Arith::Mod => x % y,
                Arith::Pow => x.powf(y),
            }))
        }
        _ if op == Arith::Add => match (a, b) {
            (String(x), String(y)) => Ok(String(format!("{x}{y}").into())),
            (String(x), Int(_) | Float(_)) => Ok(String(format!("{x}{}", number_text(b)).into())),
            (Int(_) | Float(_), String(y)) => Ok(String(format!("{}{y}", number_text(a)).into())),
            (List(x), List(y)) => Ok(List(x.iter().chain(y).cloned().collect())),
            (List(x), other) => {
                let mut out = x.clone();
                out.push(other.clone());
                Ok(List(out))
            }
            (other, List(y)) => {
                let mut out = Vec::with_capacity(y.len() + 1);
                out.push(other.clone());
                out.extend(y.iter().cloned());
                Ok(List(out))
            }
            _ => Err(types()),
        },
        _ => Err(types()),
    }
}

fn number_text(v: &Value) -> String {
    match v {
        Value::Float(f) => {
            let mut s = String::new();
            let _ = crate::model::write_float(&mut s, *f);
            s
        }
        other => other.to_string(),
    }
}

fn int_arith(op: Arith, x: i64, y: i64) -> Result<Value, ArithError> {
    let r = match op {
        Arith::Add => x.checked_add(y),
        Arith::Sub => x.checked_sub(y),
        Arith::Mul => x.checked_mul(y),
        Arith::Div => {
            if y == 0 {
                return Err(ArithError::DivisionByZero);
            }
            x.checked_div(y)
        }
        Arith::Mod => {
            if y == 0 {
                return Err(ArithError::DivisionByZero);
            }
            // i64::MIN % -1 overflows in Rust but is mathematically 0.
            Some(x.checked_rem(y).unwrap_or(0))
        }
        Arith::Pow => return Ok(Value::Float((x as f64).powf(y as f64))),
    };
    r.map(Value::Int).ok_or(ArithError::Overflow)
}

/// Unary minus; null stays null.
pub(crate) fn negate(v: &Value) -> Result<Value, ArithError> {
    match v {
        Value::Null => Ok(Value::Null),
        Value::Int(i) => i.checked_neg().map(Value::Int).ok_or(ArithError::Overflow),
        Value::Float(f) => Ok(Value::Float(-f)),
        Value::Temporal(t) => super::temporal::negate(t),
        other => Err(ArithError::Types(other.type_name(), "")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: Vec<Value>) -> Value {
        Value::List(items)
    }

    #[test]
    fn equality_with_nulls_and_numbers() {
        assert_eq!(equals(&Value::Int(1), &Value::Float(1.0)), Some(true));
        assert_eq!(equals(&Value::Null, &Value::Null), None);
        assert_eq!(equals(&Value::Float(f64::NAN), &Value::Float(f64::NAN)), Some(false));
        assert_eq!(equals(&"1".into(), &Value::Int(1)), Some(false));
        let a = list(vec![list(vec![1.into()]), list(vec![2.into()])]);
        let b = list(vec![list(vec![1.into()]), list(vec![Value::Null])]);
        assert_eq!(equals(&a, &b), None);
        let c = list(vec![list(vec![1.into()]), list(vec![2.into(), 3.into()])]);
        assert_eq!(equals(&c, &b), Some(false));
        let big = 4_611_686_018_427_387_905i64;
        assert_eq!(equals(&Value::Int(big), &Value::Int(big - 5)), Some(false));
    }

    #[test]
    fn comparing_lists_and_nan() {
        let ge = |a: Value, b: Value| test_cmp(compare(&a, &b), Ordering::is_ge);
        assert_eq!(ge(list(vec![1.into(), 0.into()]), list(vec![1.into()])), Some(true));
        assert_eq!(ge(list(vec![1.into(), Value::Null]), list(vec![1.into()])), Some(true));
        assert_eq!(ge(list(vec![1.into(), 2.into()]), list(vec![1.into(), Value::Null])), None);
        assert_eq!(ge(list(vec![1.into(), 2.into()]), list(vec![3.into(), Value::Null])), Some(false));
        assert_eq!(ge(Value::Float(f64::NAN), 1.into()), Some(false));
        assert_eq!(ge(Value::Float(f64::NAN), "a".into()), None);
        assert_eq!(ge("1".into(), 1.into()), None);
    }

    #[test]
    fn global_sort_order() {
        let mut vals = [
            Value::Null,
            Value::Float(f64::NAN),
            1.5.into(),
            false.into(),
            "text".into(),
            list(vec!["list".into()]),
            Value::Node(crate::model::NodeId(0)),
            Value::Map(Default::default()),
        ];
        vals.sort_by(order);
        let names: Vec<_> = vals.iter().map(Value::type_name).collect();
        assert_eq!(names, ["Map", "Node", "List", "String", "Boolean", "Float", "Float", "Null"]);
        assert!(vals[6].as_f64().unwrap().is_nan());
        assert_eq!(order(&list(vec!["a".into()]), &list(vec![1.into()])), Ordering::Less);
    }

    #[test]
    fn arithmetic_overflow_and_types() {
        assert_eq!(arith(Arith::Add, &Value::Int(i64::MAX), &1.into()), Err(ArithError::Overflow));
        assert_eq!(arith(Arith::Div, &7.into(), &2.into()), Ok(Value::Int(3)));
        assert_eq!(arith(Arith::Div, &1.into(), &0.into()), Err(ArithError::DivisionByZero));
        assert_eq!(arith(Arith::Add, &"a".into(), &1.into()), Ok("a1".into()));
        assert_eq!(arith(Arith::Pow, &2.into(), &3.into()), Ok(Value::Float(8.0)));
        assert!(matches!(arith(Arith::Add, &true.into(), &1.into()), Err(ArithError::Types(..))));
        assert_eq!(negate(&Value::Int(i64::MIN)), Err(ArithError::Overflow));
    }
}

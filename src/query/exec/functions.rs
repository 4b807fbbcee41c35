//! Scalar functions.
//!
//! Each takes its evaluated arguments (the checker has already checked the
//! count) and returns a value; null arguments give null unless openCypher
//! says otherwise, and a value of a type the function cannot take is a
//! runtime error with the call's span.

use std::borrow::Cow;

use super::value::{null, type_error};
use super::Ctx;
use crate::error::{ErrorClass, QueryError, Span};
use crate::model::{Path, Value};
use crate::query::plan::logical::Function;

fn arg_error(f: Function, v: &Value, span: Span) -> QueryError {
    type_error(
        "InvalidArgumentValue",
        format!("{}() cannot take a value of type {}", f.name(), v.type_name()),
        span,
    )
}

fn argument_error(detail: &'static str, message: String, span: Span) -> QueryError {
    QueryError::runtime(ErrorClass::ArgumentError, detail, message, Some(span))
}

fn int_arg(f: Function, v: &Value, span: Span) -> Result<Option<i64>, QueryError> {
    match v {
        Value::Null => Ok(None),
        Value::Int(i) => Ok(Some(*i)),
        other => Err(type_error(
            "InvalidArgumentType",
            format!("{}() needs an integer, found {}", f.name(), other.type_name()),
            span,
        )),
    }
}

fn owned(v: Value) -> Result<Cow<'static, Value>, QueryError> {
    Ok(Cow::Owned(v))
}

/// Calls a scalar function.
pub(crate) fn call<'a>(
    f: Function,
    mut args: Vec<Cow<'a, Value>>,
    cx: &'a Ctx<'_>,
    span: Span,
) -> Result<Cow<'a, Value>, QueryError> {
    use Function as F;
    let graph = cx.graph;
    let arg = |i: usize| -> &Value { args.get(i).map_or(&Value::Null, |v| &**v) };
    let a0 = arg(0);
    // Functions of one argument that map null to null.
    let null_in = a0.is_null()
        && !matches!(f, F::Coalesce | F::E | F::Pi | F::Rand | F::Timestamp | F::Range | F::ToStringOrNull)
        && !super::temporal::is_temporal(f);
    if null_in {
        return Ok(null());
    }
    match f {
        F::Abs => owned(match a0 {
            Value::Int(i) => Value::Int(i.checked_abs().ok_or_else(|| {
                argument_error("IntegerOverflow", "abs() of the smallest integer overflows".into(), span)
            })?),
            Value::Float(x) => Value::Float(x.abs()),
            other => return Err(number_error(f, other, span)),
        }),
        F::Ceil
        | F::Floor
        | F::Round
        | F::Sqrt
        | F::Exp
        | F::Log
        | F::Log10
        | F::Sin
        | F::Cos
        | F::Tan
        | F::Cot
        | F::Asin
        | F::Acos
        | F::Atan
        | F::Degrees
        | F::Radians
        | F::Haversin => {
            let x = a0.as_f64().ok_or_else(|| number_error(f, a0, span))?;
            owned(Value::Float(match f {
                F::Ceil => x.ceil(),
                F::Floor => x.floor(),
                F::Round => round_half_up(x),
                F::Sqrt => x.sqrt(),
                F::Exp => x.exp(),
                F::Log => x.ln(),
                F::Log10 => x.log10(),
                F::Sin => x.sin(),
                F::Cos => x.cos(),
                F::Tan => x.tan(),
                F::Cot => 1.0 / x.tan(),
                F::Asin => x.asin(),
                F::Acos => x.acos(),
                F::Atan => x.atan(),
                F::Degrees => x.to_degrees(),
                F::Radians => x.to_radians(),
                _ => (1.0 - x.cos()) / 2.0,
            }))
        }
        F::Atan2 => {
            let y = a0.as_f64().ok_or_else(|| number_error(f, a0, span))?;
            let x = arg(1);
            if x.is_null() {
                return Ok(null());
            }
            let x = x.as_f64().ok_or_else(|| number_error(f, x, span))?;
            owned(Value::Float(y.atan2(x)))
        }
        F::Sign => owned(match a0 {
            Value::Int(i) => Value::Int(i.signum()),
            Value::Float(x) => Value::Int(if *x > 0.0 {
                1
            } else if *x < 0.0 {
                -1
            } else {
                0
            }),
            other => return Err(number_error(f, other, span)),
        }),
        F::E => owned(Value::Float(std::f64::consts::E)),
        F::Pi => owned(Value::Float(std::f64::consts::PI)),
        F::Rand => owned(Value::Float(random())),
        F::Date
        | F::DateTransaction
        | F::DateStatement
        | F::DateRealtime
        | F::DateTruncate
        | F::LocalTime
        | F::LocalTimeTransaction
        | F::LocalTimeStatement
        | F::LocalTimeRealtime
        | F::LocalTimeTruncate
        | F::Time
        | F::TimeTransaction
        | F::TimeStatement
        | F::TimeRealtime
        | F::TimeTruncate
        | F::LocalDateTime
        | F::LocalDateTimeTransaction
        | F::LocalDateTimeStatement
        | F::LocalDateTimeRealtime
        | F::LocalDateTimeTruncate
        | F::DateTime
        | F::DateTimeTransaction
        | F::DateTimeStatement
        | F::DateTimeRealtime
        | F::DateTimeTruncate
        | F::DateTimeFromEpoch
        | F::DateTimeFromEpochMillis
        | F::Duration
        | F::DurationBetween
        | F::DurationInMonths
        | F::DurationInDays
        | F::DurationInSeconds => {
            let values: Vec<&Value> = args.iter().map(|v| &**v).collect();
            owned(super::temporal::call(f, &values, cx, span)?)
        }
        F::Timestamp => owned(Value::Int(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as i64),
        )),
        F::ToInteger | F::ToIntegerOrNull => match to_integer(a0) {
            Ok(v) => owned(v),
            Err(()) if f == F::ToIntegerOrNull => Ok(null()),
            Err(()) => Err(arg_error(f, a0, span)),
        },
        F::ToFloat | F::ToFloatOrNull => match to_float(a0) {
            Ok(v) => owned(v),
            Err(()) if f == F::ToFloatOrNull => Ok(null()),
            Err(()) => Err(arg_error(f, a0, span)),
        },
        F::ToBoolean | F::ToBooleanOrNull => match to_boolean(a0) {
            Ok(v) => owned(v),
            Err(()) if f == F::ToBooleanOrNull => Ok(null()),
            Err(()) => Err(arg_error(f, a0, span)),
        },
        F::ToString | F::ToStringOrNull => match a0 {
            Value::Null => Ok(null()),
            Value::String(_) => Ok(args.swap_remove(0)),
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => owned(Value::String(scalar_text(a0).into())),
            Value::Temporal(t) => owned(Value::String(t.to_string().into())),
            _ if f == F::ToStringOrNull => Ok(null()),
            other => Err(arg_error(f, other, span)),
        },
        F::Size => owned(match a0 {
            Value::List(l) => Value::Int(l.len() as i64),
            Value::String(s) => Value::Int(s.chars().count() as i64),
            other => return Err(arg_error(f, other, span)),
        }),
        F::Length => owned(match a0 {
            Value::Path(p) => Value::Int(p.len() as i64),
            Value::List(l) => Value::Int(l.len() as i64),
            Value::String(s) => Value::Int(s.chars().count() as i64),
            other => return Err(arg_error(f, other, span)),
        }),
        F::IsEmpty => owned(match a0 {
            Value::List(l) => Value::Bool(l.is_empty()),
            Value::String(s) => Value::Bool(s.is_empty()),
            Value::Map(m) => Value::Bool(m.is_empty()),
            other => return Err(arg_error(f, other, span)),
        }),
        F::Type => match a0 {
            Value::Relationship(r) => owned(Value::String(graph.edge(*r).rel_type().into())),
            other => Err(arg_error(f, other, span)),
        },
        F::Id => owned(match a0 {
            Value::Node(n) => Value::Int(i64::from(n.0)),
            Value::Relationship(r) => Value::Int(i64::from(r.0)),
            other => return Err(arg_error(f, other, span)),
        }),
        F::ElementId => owned(match a0 {
            Value::Node(n) => Value::String(format!("n{}", n.0).into()),
            Value::Relationship(r) => Value::String(format!("r{}", r.0).into()),
            other => return Err(arg_error(f, other, span)),
        }),
        F::Labels => match a0 {
            Value::Node(n) if graph.node_is_dead(*n) => Err(super::deleted_entity("node", span)),
            Value::Node(n) => owned(Value::List(graph.node(*n).labels().map(Value::from).collect())),
            other => Err(arg_error(f, other, span)),
        },
        F::Keys => owned(match a0 {
            Value::Node(n) => Value::List(graph.node(*n).properties().map(|(k, _)| Value::from(k)).collect()),
            Value::Relationship(r) => {
                Value::List(graph.edge(*r).properties().map(|(k, _)| Value::from(k)).collect())
            }
            Value::Map(m) => Value::List(m.keys().map(|k| Value::from(k.as_str())).collect()),
            other => return Err(arg_error(f, other, span)),
        }),
        F::Properties => owned(match a0 {
            Value::Node(n) => {
                Value::Map(graph.node(*n).properties().map(|(k, v)| (k.to_string(), v.clone())).collect())
            }
            Value::Relationship(r) => {
                Value::Map(graph.edge(*r).properties().map(|(k, v)| (k.to_string(), v.clone())).collect())
            }
            Value::Map(_) => return Ok(args.swap_remove(0)),
            other => return Err(arg_error(f, other, span)),
        }),
        F::Nodes => match a0 {
            Value::Path(p) => owned(Value::List(p.nodes.iter().map(|n| Value::Node(*n)).collect())),
            other => Err(arg_error(f, other, span)),
        },
        F::Relationships => match a0 {
            Value::Path(p) => owned(Value::List(p.rels.iter().map(|r| Value::Relationship(*r)).collect())),
            other => Err(arg_error(f, other, span)),
        },
        F::StartNode | F::EndNode => match a0 {
            Value::Relationship(r) => {
                let (s, e) = graph.edge_endpoints(*r);
                owned(Value::Node(if f == F::StartNode { s } else { e }))
            }
            other => Err(arg_error(f, other, span)),
        },
        F::Head | F::Last => {
            let Value::List(items) = a0 else { return Err(arg_error(f, a0, span)) };
            if items.is_empty() {
                return Ok(null());
            }
            let at = if f == F::Head { 0 } else { items.len() - 1 };
            Ok(match args.swap_remove(0) {
                Cow::Borrowed(Value::List(items)) => Cow::Borrowed(&items[at]),
                Cow::Owned(Value::List(mut items)) => Cow::Owned(items.swap_remove(at)),
                _ => null(),
            })
        }
        F::Tail => match a0 {
            Value::List(items) => owned(Value::List(items.iter().skip(1).cloned().collect())),
            other => Err(arg_error(f, other, span)),
        },
        F::Reverse => owned(match a0 {
            Value::List(items) => Value::List(items.iter().rev().cloned().collect()),
            Value::String(s) => Value::String(s.chars().rev().collect::<String>().into()),
            other => return Err(arg_error(f, other, span)),
        }),
        F::Coalesce => {
            let first = args.iter().position(|a| !a.is_null());
            Ok(match first {
                Some(i) => args.swap_remove(i),
                None => null(),
            })
        }
        F::Range => range(&args, span, cx.budget),
        F::Substring | F::Left | F::Right => {
            let Value::String(s) = a0 else { return Err(string_error(f, a0, span)) };
            let chars: Vec<char> = s.chars().collect();
            let n = chars.len() as i64;
            let count = |v: &Value| -> Result<i64, QueryError> {
                match int_arg(f, v, span)? {
                    Some(i) if i < 0 => Err(argument_error(
                        "NegativeIntegerArgument",
                        format!("{}() needs a non-negative length, found {i}", f.name()),
                        span,
                    )),
                    Some(i) => Ok(i),
                    None => Err(argument_error(
                        "InvalidArgumentValue",
                        format!("{}() needs a length, found null", f.name()),
                        span,
                    )),
                }
            };
            let (start, len) = match f {
                F::Substring => {
                    let start = count(arg(1))?;
                    let len = if args.len() > 2 { count(arg(2))? } else { n };
                    (start, len)
                }
                F::Left => (0, count(arg(1))?),
                _ => {
                    let len = count(arg(1))?.min(n);
                    (n - len, len)
                }
            };
            let start = start.min(n) as usize;
            let end = (start as i64).saturating_add(len).min(n) as usize;
            owned(Value::String(chars[start..end].iter().collect::<String>().into()))
        }
        F::Trim | F::LTrim | F::RTrim | F::ToLower | F::ToUpper => {
            let Value::String(s) = a0 else { return Err(string_error(f, a0, span)) };
            owned(Value::String(
                match f {
                    F::Trim => s.trim().to_string(),
                    F::LTrim => s.trim_start().to_string(),
                    F::RTrim => s.trim_end().to_string(),
                    F::ToLower => s.to_lowercase(),
                    _ => s.to_uppercase(),
                }
                .into(),
            ))
        }
        F::Replace => {
            let (from, to) = (arg(1), arg(2));
            if from.is_null() || to.is_null() {
                return Ok(null());
            }
            match (a0, from, to) {
                (Value::String(s), Value::String(x), Value::String(y)) => {
                    owned(Value::String(s.replace(&**x, y).into()))
                }
                _ => Err(string_error(f, if a0.as_str().is_none() { a0 } else { from }, span)),
            }
        }
        F::Split => {
            let delim = arg(1);
            if delim.is_null() {
                return Ok(null());
            }
            match (a0, delim) {
                (Value::String(s), Value::String(d)) => {
                    let parts: Vec<Value> = if d.is_empty() {
                        s.chars().map(|c| Value::from(c.to_string())).collect()
                    } else {
                        s.split(&**d).map(Value::from).collect()
                    };
                    owned(Value::List(parts))
                }
                _ => Err(string_error(f, if a0.as_str().is_none() { a0 } else { delim }, span)),
            }
        }
        F::Exists => owned(Value::Bool(!a0.is_null())),
    }
}

fn number_error(f: Function, v: &Value, span: Span) -> QueryError {
    type_error("InvalidArgumentType", format!("{}() needs a number, found {}", f.name(), v.type_name()), span)
}

fn string_error(f: Function, v: &Value, span: Span) -> QueryError {
    type_error("InvalidArgumentType", format!("{}() needs a string, found {}", f.name(), v.type_name()), span)
}

/// Rounds half away from zero... for positive numbers; Cypher follows
/// Java's `Math.round`, which rounds half up (`round(-1.5)` is `-1.0`).
fn round_half_up(x: f64) -> f64 {
    if x.is_nan() || x.is_infinite() {
        return x;
    }
    let r = (x + 0.5).floor();
    // Guard against 0.49999999999999994 + 0.5 rounding up to 1.
    if r - x > 0.5 {
        r - 1.0
    } else {
        r
    }
}

fn random() -> f64 {
    use std::cell::Cell;
    use std::hash::{BuildHasher, Hasher};
    thread_local! {
        static STATE: Cell<u64> = Cell::new({
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u64(0x9e37_79b9_7f4a_7c15);
            h.finish() | 1
        });
    }
    STATE.with(|s| {
        // xorshift64*
        let mut x = s.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        s.set(x);
        (x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    })
}

/// The text `toString` gives a number or boolean.
pub(crate) fn scalar_text(v: &Value) -> String {
    match v {
        Value::Float(x) => {
            let mut s = String::new();
            let _ = crate::model::write_float(&mut s, *x);
            s
        }
        Value::String(s) => s.to_string(),
        other => other.to_string(),
    }
}

fn to_integer(v: &Value) -> Result<Value, ()> {
    Ok(match v {
        Value::Null => Value::Null,
        Value::Int(i) => Value::Int(*i),
        Value::Float(x) => float_to_int(*x),
        Value::Bool(b) => Value::Int(i64::from(*b)),
        Value::String(s) => {
            let t = s.trim();
            match t.parse::<i64>() {
                Ok(i) => Value::Int(i),
                Err(_) => t.parse::<f64>().map_or(Value::Null, float_to_int),
            }
        }
        _ => return Err(()),
    })
}

fn float_to_int(x: f64) -> Value {
    if (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&x) {
        Value::Int(x.trunc() as i64)
    } else {
        Value::Null
    }
}

fn to_float(v: &Value) -> Result<Value, ()> {
    Ok(match v {
        Value::Null => Value::Null,
        Value::Int(i) => Value::Float(*i as f64),
        Value::Float(x) => Value::Float(*x),
        Value::String(s) => s.trim().parse::<f64>().map_or(Value::Null, Value::Float),
        _ => return Err(()),
    })
}

fn to_boolean(v: &Value) -> Result<Value, ()> {
    Ok(match v {
        Value::Null => Value::Null,
        Value::Bool(b) => Value::Bool(*b),
        Value::Int(i) => Value::Bool(*i != 0),
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::Null,
        },
        _ => return Err(()),
    })
}

/// `range()` checks the budget as it fills the list: a list of a hundred
/// million integers takes seconds to build and must stop at a timeout.
fn range<'a>(
    args: &[Cow<'a, Value>],
    span: Span,
    budget: &super::Budget<'_>,
) -> Result<Cow<'a, Value>, QueryError> {
    let int = |i: usize| -> Result<i64, QueryError> {
        match args.get(i).map(|v| &**v) {
            Some(Value::Int(x)) => Ok(*x),
            Some(other) => Err(argument_error(
                "InvalidArgumentType",
                format!("range() needs integers, found {}", other.type_name()),
                span,
            )),
            None => Ok(1),
        }
    };
    let (start, end, step) = (int(0)?, int(1)?, int(2)?);
    if step == 0 {
        return Err(argument_error("NumberOutOfRange", "range() needs a step other than 0".into(), span));
    }
    let count = if (step > 0 && start > end) || (step < 0 && start < end) {
        0
    } else {
        ((i128::from(end) - i128::from(start)) / i128::from(step) + 1) as u128
    };
    if count > 100_000_000 {
        return Err(argument_error(
            "NumberOutOfRange",
            format!("range() would make a list of {count} elements"),
            span,
        ));
    }
    let mut out = Vec::with_capacity(count as usize);
    let mut x = i128::from(start);
    for _ in 0..count {
        budget.tick()?;
        out.push(Value::Int(x as i64));
        x += i128::from(step);
    }
    Ok(Cow::Owned(Value::List(out)))
}

/// Builds a path value; kept here so `CREATE` and `BindPath` agree.
pub(crate) fn path_value(path: Path) -> Value {
    Value::Path(std::sync::Arc::new(path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::exec::{Budget, Names};
    use crate::query::plan::logical::{Op, Plan};
    use crate::query::{Params, QueryOptions};
    use crate::store::Graph;

    fn call_with(f: Function, args: Vec<Value>) -> Result<Value, QueryError> {
        let graph = Graph::new();
        let params = Params::new();
        let plan = Plan {
            root: Op::Argument,
            columns: Vec::new(),
            outputs: Vec::new(),
            slots: Vec::new(),
            keys: Vec::new(),
            labels: Vec::new(),
            types: Vec::new(),
            writes: false,
            mentions: Vec::new(),
        };
        let options = QueryOptions::default();
        let budget = Budget::new(&options);
        let names = Names::resolve(&plan, &graph);
        let cx = Ctx::new(&graph, &params, &plan, &names, &budget);
        call(f, args.into_iter().map(Cow::Owned).collect(), &cx, Span::new(0, 1)).map(Cow::into_owned)
    }

    #[test]
    fn conversions() {
        assert_eq!(call_with(Function::ToInteger, vec!["2.9".into()]), Ok(2.into()));
        assert_eq!(call_with(Function::ToInteger, vec!["foo".into()]), Ok(Value::Null));
        assert_eq!(call_with(Function::ToFloat, vec![3.into()]), Ok(3.0.into()));
        assert_eq!(call_with(Function::ToBoolean, vec![" tru ".into()]), Ok(Value::Null));
        assert_eq!(call_with(Function::ToString, vec![2.5.into()]), Ok("2.5".into()));
        let err = call_with(Function::ToBoolean, vec![1.0.into()]).unwrap_err();
        assert_eq!((err.class, err.detail), (ErrorClass::TypeError, "InvalidArgumentValue"));
    }

    #[test]
    fn ranges() {
        let range = |a: i64, b: i64, s: i64| call_with(Function::Range, vec![a.into(), b.into(), s.into()]);
        assert_eq!(range(0, 10, 5), Ok(Value::List(vec![0.into(), 5.into(), 10.into()])));
        assert_eq!(range(3, 1, 1), Ok(Value::List(vec![])));
        assert_eq!(range(3, 1, -1), Ok(Value::List(vec![3.into(), 2.into(), 1.into()])));
        assert_eq!(range(1, 2, 0).unwrap_err().detail, "NumberOutOfRange");
    }

    #[test]
    fn strings() {
        assert_eq!(
            call_with(Function::Substring, vec!["hello".into(), 1.into(), 3.into()]),
            Ok("ell".into())
        );
        assert_eq!(call_with(Function::Left, vec!["智谱AI".into(), 2.into()]), Ok("智谱".into()));
        assert_eq!(call_with(Function::Right, vec!["abc".into(), 5.into()]), Ok("abc".into()));
        assert_eq!(
            call_with(Function::Split, vec!["a,b".into(), ",".into()]),
            Ok(Value::List(vec!["a".into(), "b".into()]))
        );
        assert_eq!(call_with(Function::Size, vec!["智谱".into()]), Ok(2.into()));
        assert_eq!(
            call_with(Function::Left, vec!["abc".into(), (-1).into()]).unwrap_err().detail,
            "NegativeIntegerArgument"
        );
    }

    #[test]
    fn numbers_and_nulls() {
        assert_eq!(call_with(Function::Abs, vec![(-3).into()]), Ok(3.into()));
        assert_eq!(call_with(Function::Round, vec![(-1.5).into()]), Ok((-1.0).into()));
        assert_eq!(call_with(Function::Sign, vec![(-0.5).into()]), Ok((-1).into()));
        assert_eq!(call_with(Function::Sqrt, vec![Value::Null]), Ok(Value::Null));
        assert_eq!(call_with(Function::Coalesce, vec![Value::Null, 2.into()]), Ok(2.into()));
        assert_eq!(call_with(Function::Head, vec![Value::List(vec![])]), Ok(Value::Null));
        assert!(call_with(Function::Abs, vec!["x".into()]).is_err());
    }
}

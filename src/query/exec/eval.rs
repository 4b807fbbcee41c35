//! Expression evaluation.
//!
//! [`eval`] returns a [`Cow`]: a slot, a constant, a parameter or a stored
//! property comes back borrowed, so reading `n.name` costs no copy; only
//! computed values are owned.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::value::{arith, compare, equals, negate, null, test_cmp, type_error, Arith, ArithError};
use super::{functions, Ctx};
use crate::error::{ErrorClass, QueryError, Span};
use crate::model::Value;
use crate::query::plan::logical::{BinOp, Expr, ExprKind, KeyRef, RegexOperand};
use crate::query::plan::regex::Pattern;
use crate::query::syntax::ast::CompareOp;

/// The truth value of a predicate: `None` for null; an error for a value
/// that is not a boolean.
pub(crate) fn truth(v: &Value, span: Span) -> Result<Option<bool>, QueryError> {
    match v {
        Value::Bool(b) => Ok(Some(*b)),
        Value::Null => Ok(None),
        other => Err(type_error(
            "InvalidArgumentType",
            format!("expected a boolean, found {}", other.type_name()),
            span,
        )),
    }
}

/// Whether a predicate holds (null and false do not).
#[inline]
pub(crate) fn holds(e: &Expr, row: &[Value], cx: &Ctx<'_>) -> Result<bool, QueryError> {
    Ok(truth(&*eval(e, row, cx)?, e.span)? == Some(true))
}

fn arith_error(err: ArithError, span: Span) -> QueryError {
    match err {
        ArithError::Types(a, "") => {
            type_error("InvalidArgumentType", format!("cannot negate a value of type {a}"), span)
        }
        ArithError::Types(a, b) => {
            type_error("InvalidArgumentType", format!("cannot apply the operator to {a} and {b}"), span)
        }
        ArithError::Overflow => QueryError::runtime(
            ErrorClass::ArgumentError,
            "IntegerOverflow",
            "integer overflow: the result does not fit in 64 bits",
            Some(span),
        ),
        ArithError::DivisionByZero => QueryError::runtime(
            ErrorClass::ArgumentError,
            "DivisionByZero",
            "integer division by zero",
            Some(span),
        ),
        ArithError::Temporal(message) => {
            QueryError::runtime(ErrorClass::ArgumentError, "InvalidArgumentValue", message, Some(span))
        }
    }
}

/// Evaluates an expression against a row.
///
/// A variable and `n.key` on a node variable, by far the most common
/// expressions, are read here, inlined into the operator; the rest go
/// through [`eval_any`], whose frame is much larger.
#[inline(always)]
pub(crate) fn eval<'a>(e: &'a Expr, row: &'a [Value], cx: &'a Ctx<'_>) -> Result<Cow<'a, Value>, QueryError> {
    match &e.kind {
        ExprKind::Slot(s) => Ok(Cow::Borrowed(&row[*s])),
        ExprKind::Property(base, key) => match base.as_slot().map(|s| &row[s]) {
            Some(Value::Node(n)) => node_property(*n, *key, cx, e.span),
            _ => eval_any(e, row, cx),
        },
        _ => eval_any(e, row, cx),
    }
}

#[inline(never)]
fn eval_any<'a>(e: &'a Expr, row: &'a [Value], cx: &'a Ctx<'_>) -> Result<Cow<'a, Value>, QueryError> {
    use ExprKind::*;
    Ok(match &e.kind {
        Const(v) => Cow::Borrowed(v),
        Param(name) => match cx.params.get(name) {
            Some(v) => Cow::Borrowed(v),
            None => {
                return Err(QueryError::runtime(
                    ErrorClass::ParameterMissing,
                    "MissingParameter",
                    format!("parameter ${name} is missing"),
                    Some(e.span),
                ))
            }
        },
        Slot(s) => Cow::Borrowed(&row[*s]),
        Property(base, key) => {
            let b = match &base.kind {
                Slot(s) => Cow::Borrowed(&row[*s]),
                _ => eval(base, row, cx)?,
            };
            property(b, *key, cx, e.span)?
        }
        Index(base, index) => {
            let b = eval(base, row, cx)?;
            let i = eval(index, row, cx)?;
            self::index(b, &i, cx, e.span)?
        }
        Slice(base, from, to) => {
            let b = eval(base, row, cx)?;
            let from = match from {
                Some(x) => Some(eval(x, row, cx)?),
                None => None,
            };
            let to = match to {
                Some(x) => Some(eval(x, row, cx)?),
                None => None,
            };
            Cow::Owned(slice(&b, from.as_deref(), to.as_deref(), e.span)?)
        }
        HasLabels(base, labels) => {
            let b = eval(base, row, cx)?;
            match &*b {
                Value::Null => null(),
                Value::Node(n) => {
                    let all = labels
                        .iter()
                        .all(|l| cx.labels[l.0 as usize].is_some_and(|id| cx.graph.has_label(*n, id)));
                    Cow::Owned(Value::Bool(all))
                }
                other => {
                    return Err(type_error(
                        "InvalidArgumentType",
                        format!("only nodes have labels, found {}", other.type_name()),
                        e.span,
                    ))
                }
            }
        }
        Not(x) => {
            let v = eval(x, row, cx)?;
            match truth(&v, x.span)? {
                Some(b) => Cow::Owned(Value::Bool(!b)),
                None => null(),
            }
        }
        Negate(x) => Cow::Owned(negate(&*eval(x, row, cx)?).map_err(|err| arith_error(err, e.span))?),
        Plus(x) => {
            let v = eval(x, row, cx)?;
            match &*v {
                Value::Null | Value::Int(_) | Value::Float(_) => v,
                other => {
                    return Err(type_error(
                        "InvalidArgumentType",
                        format!("unary plus needs a number, found {}", other.type_name()),
                        e.span,
                    ))
                }
            }
        }
        Binary(op, a, b) => binary(*op, a, b, row, cx, e.span)?,
        RegexMatch(text, pattern) => regex_match(text, pattern, row, cx)?,
        Subquery { kind, plan, .. } => Cow::Owned((cx.subquery)(plan, *kind, row, cx)?),
        Compare(first, rest) => {
            let mut left = eval(first, row, cx)?;
            let mut result = Some(true);
            for (op, x) in rest {
                let right = eval(x, row, cx)?;
                let r = compare_op(*op, &left, &right);
                result = and3(result, r);
                if result == Some(false) {
                    break;
                }
                left = right;
            }
            bool3(result)
        }
        IsNull(x, negated) => {
            let v = eval(x, row, cx)?;
            Cow::Owned(Value::Bool(v.is_null() != *negated))
        }
        Call(f, args) => {
            let mut values = Vec::with_capacity(args.len());
            for a in args {
                values.push(eval(a, row, cx)?);
            }
            functions::call(*f, values, cx, e.span)?
        }
        Case { subject, alternatives, default } => {
            match subject {
                Some(s) => {
                    let s = eval(s, row, cx)?;
                    for (w, t) in alternatives {
                        if equals(&s, &*eval(w, row, cx)?) == Some(true) {
                            return eval(t, row, cx);
                        }
                    }
                }
                None => {
                    for (w, t) in alternatives {
                        if matches!(*eval(w, row, cx)?, Value::Bool(true)) {
                            return eval(t, row, cx);
                        }
                    }
                }
            }
            match default {
                Some(d) => eval(d, row, cx)?,
                None => null(),
            }
        }
        ListComp { quantifier, slot, list, predicate, projection } => {
            let l = eval(list, row, cx)?;
            let items: &[Value] = match &*l {
                Value::Null => return Ok(null()),
                Value::List(items) => items,
                other => {
                    return Err(type_error(
                        "InvalidArgumentType",
                        format!("a list comprehension needs a list, found {}", other.type_name()),
                        list.span,
                    ))
                }
            };
            let mut local: Vec<Value> = row.to_vec();
            if let Some(q) = quantifier {
                let mut outcomes = Vec::with_capacity(items.len());
                for item in items {
                    local[*slot] = item.clone();
                    outcomes.push(match predicate {
                        Some(p) => truth(&*eval(p, &local, cx)?, p.span)?,
                        None => truth(item, list.span)?,
                    });
                }
                return Ok(match q.fold(outcomes) {
                    Some(b) => Cow::Owned(Value::Bool(b)),
                    None => null(),
                });
            }
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                local[*slot] = item.clone();
                if let Some(p) = predicate {
                    if !holds(p, &local, cx)? {
                        continue;
                    }
                }
                out.push(match projection {
                    Some(p) => eval(p, &local, cx)?.into_owned(),
                    None => item.clone(),
                });
            }
            Cow::Owned(Value::List(out))
        }
        List(items) => {
            let mut out = Vec::with_capacity(items.len());
            for x in items {
                out.push(eval(x, row, cx)?.into_owned());
            }
            Cow::Owned(Value::List(out))
        }
        Map(items) => {
            let mut out = BTreeMap::new();
            for (k, x) in items {
                out.insert(k.clone(), eval(x, row, cx)?.into_owned());
            }
            Cow::Owned(Value::Map(out))
        }
    })
}

fn bool3(v: Option<bool>) -> Cow<'static, Value> {
    match v {
        Some(b) => Cow::Owned(Value::Bool(b)),
        None => null(),
    }
}

fn and3(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

pub(crate) fn compare_op(op: CompareOp, a: &Value, b: &Value) -> Option<bool> {
    match op {
        CompareOp::Eq => equals(a, b),
        CompareOp::Ne => equals(a, b).map(|x| !x),
        CompareOp::Lt => test_cmp(compare(a, b), |o| o.is_lt()),
        CompareOp::Le => test_cmp(compare(a, b), |o| o.is_le()),
        CompareOp::Gt => test_cmp(compare(a, b), |o| o.is_gt()),
        CompareOp::Ge => test_cmp(compare(a, b), |o| o.is_ge()),
    }
}

fn binary<'a>(
    op: BinOp,
    a: &'a Expr,
    b: &'a Expr,
    row: &'a [Value],
    cx: &'a Ctx<'_>,
    span: Span,
) -> Result<Cow<'a, Value>, QueryError> {
    let logic = |x: &'a Expr| -> Result<Option<bool>, QueryError> { truth(&*eval(x, row, cx)?, x.span) };
    Ok(match op {
        BinOp::And => {
            let l = logic(a)?;
            if l == Some(false) {
                // Still type-check the other side, as openCypher requires
                // `false AND 'x'` to fail like `'x' AND false`.
                logic(b)?;
                return Ok(Cow::Owned(Value::Bool(false)));
            }
            bool3(and3(l, logic(b)?))
        }
        BinOp::Or => {
            let l = logic(a)?;
            let r = logic(b)?;
            bool3(match (l, r) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            })
        }
        BinOp::Xor => {
            let l = logic(a)?;
            let r = logic(b)?;
            bool3(match (l, r) {
                (Some(x), Some(y)) => Some(x != y),
                _ => None,
            })
        }
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod | BinOp::Pow => {
            let op = match op {
                BinOp::Add => Arith::Add,
                BinOp::Sub => Arith::Sub,
                BinOp::Mul => Arith::Mul,
                BinOp::Div => Arith::Div,
                BinOp::Mod => Arith::Mod,
                _ => Arith::Pow,
            };
            let l = eval(a, row, cx)?;
            let r = eval(b, row, cx)?;
            Cow::Owned(arith(op, &l, &r).map_err(|err| arith_error(err, span))?)
        }
        BinOp::In => {
            let x = eval(a, row, cx)?;
            let l = eval(b, row, cx)?;
            match &*l {
                Value::Null => null(),
                Value::List(items) => {
                    let mut unknown = false;
                    for item in items {
                        match equals(&x, item) {
                            Some(true) => return Ok(Cow::Owned(Value::Bool(true))),
                            None => unknown = true,
                            Some(false) => {}
                        }
                    }
                    bool3(if unknown { None } else { Some(false) })
                }
                other => {
                    return Err(type_error(
                        "InvalidArgumentType",
                        format!("IN needs a list on its right, found {}", other.type_name()),
                        b.span,
                    ))
                }
            }
        }
        BinOp::StartsWith | BinOp::EndsWith | BinOp::Contains => {
            let l = eval(a, row, cx)?;
            let r = eval(b, row, cx)?;
            match (&*l, &*r) {
                (Value::String(s), Value::String(t)) => Cow::Owned(Value::Bool(match op {
                    BinOp::StartsWith => s.starts_with(&**t),
                    BinOp::EndsWith => s.ends_with(&**t),
                    _ => s.contains(&**t),
                })),
                _ => null(),
            }
        }
    })
}

/// `text =~ pattern`: null unless both sides are strings, as for the other
/// string predicates.
fn regex_match<'a>(
    text: &Expr,
    pattern: &RegexOperand,
    row: &'a [Value],
    cx: &'a Ctx<'_>,
) -> Result<Cow<'a, Value>, QueryError> {
    let t = eval(text, row, cx)?;
    let Value::String(s) = &*t else { return Ok(null()) };
    let matched = match pattern {
        RegexOperand::Fixed(p) => p.matches(s),
        RegexOperand::Computed(p) => match &*eval(p, row, cx)? {
            Value::String(source) => Pattern::new(source)
                .map_err(|m| {
                    QueryError::runtime(ErrorClass::ArgumentError, "InvalidArgumentValue", m, Some(p.span))
                })?
                .matches(s),
            _ => return Ok(null()),
        },
    };
    Ok(Cow::Owned(Value::Bool(matched)))
}

/// A deleted node or relationship has no properties left (see
/// `store::write`), so only a missing property needs asking whether its
/// owner is dead.
#[inline]
fn node_property<'a>(
    n: crate::model::NodeId,
    key: KeyRef,
    cx: &'a Ctx<'_>,
    span: Span,
) -> Result<Cow<'a, Value>, QueryError> {
    match cx.keys[key.0 as usize].and_then(|k| cx.graph.node_property(n, k)) {
        Some(v) => Ok(Cow::Borrowed(v)),
        None if cx.graph.node_is_dead(n) => Err(super::deleted_entity("node", span)),
        None => Ok(null()),
    }
}

#[inline]
fn edge_property<'a>(
    r: crate::model::EdgeId,
    key: KeyRef,
    cx: &'a Ctx<'_>,
    span: Span,
) -> Result<Cow<'a, Value>, QueryError> {
    match cx.keys[key.0 as usize].and_then(|k| cx.graph.edge_property(r, k)) {
        Some(v) => Ok(Cow::Borrowed(v)),
        None if cx.graph.edge_is_dead(r) => Err(super::deleted_entity("relationship", span)),
        None => Ok(null()),
    }
}

/// `base.key`
fn property<'a>(
    base: Cow<'a, Value>,
    key: KeyRef,
    cx: &'a Ctx<'_>,
    span: Span,
) -> Result<Cow<'a, Value>, QueryError> {
    let stored = |v: Option<&'a Value>| v.map_or_else(null, Cow::Borrowed);
    if let Value::Temporal(t) = &*base {
        let name = &cx.plan.keys[key.0 as usize];
        return t.component(name).map(Cow::Owned).ok_or_else(|| {
            type_error("InvalidArgumentValue", format!("a {} has no component '{name}'", t.type_name()), span)
        });
    }
    Ok(match base {
        Cow::Borrowed(Value::Node(n)) => node_property(*n, key, cx, span)?,
        Cow::Owned(Value::Node(n)) => node_property(n, key, cx, span)?,
        Cow::Borrowed(Value::Relationship(r)) => edge_property(*r, key, cx, span)?,
        Cow::Owned(Value::Relationship(r)) => edge_property(r, key, cx, span)?,
        Cow::Borrowed(Value::Map(m)) => stored(m.get(&cx.plan.keys[key.0 as usize])),
        Cow::Owned(Value::Map(mut m)) => {
            Cow::Owned(m.remove(&cx.plan.keys[key.0 as usize]).unwrap_or(Value::Null))
        }
        Cow::Borrowed(Value::Null) | Cow::Owned(Value::Null) => null(),
        other => {
            return Err(type_error(
                "InvalidArgumentType",
                format!("cannot read property '{}' of a {}", cx.plan.keys[key.0 as usize], other.type_name()),
                span,
            ))
        }
    })
}

/// `base[index]`
fn index<'a>(
    base: Cow<'a, Value>,
    i: &Value,
    cx: &'a Ctx<'_>,
    span: Span,
) -> Result<Cow<'a, Value>, QueryError> {
    if base.is_null() || i.is_null() {
        return Ok(null());
    }
    match (&*base, i) {
        (Value::List(items), Value::Int(k)) => {
            let len = items.len() as i64;
            let k = if *k < 0 { len + k } else { *k };
            if k < 0 || k >= len {
                return Ok(null());
            }
            Ok(match base {
                Cow::Borrowed(Value::List(items)) => Cow::Borrowed(&items[k as usize]),
                Cow::Owned(Value::List(mut items)) => Cow::Owned(items.swap_remove(k as usize)),
                _ => null(),
            })
        }
        (Value::List(_), other) => Err(type_error(
            "InvalidArgumentType",
            format!("a list index must be an integer, found {}", other.type_name()),
            span,
        )),
        (Value::Map(_), Value::String(k)) => Ok(match base {
            Cow::Borrowed(Value::Map(m)) => m.get(&**k).map_or_else(null, Cow::Borrowed),
            Cow::Owned(Value::Map(mut m)) => Cow::Owned(m.remove(&**k).unwrap_or(Value::Null)),
            _ => null(),
        }),
        (Value::Node(n), Value::String(k)) => Ok(match cx.graph.key_id(k) {
            Some(key) => cx.graph.node_property(*n, key).map_or_else(null, Cow::Borrowed),
            None => null(),
        }),
        (Value::Relationship(r), Value::String(k)) => Ok(match cx.graph.key_id(k) {
            Some(key) => cx.graph.edge_property(*r, key).map_or_else(null, Cow::Borrowed),
            None => null(),
        }),
        (Value::Map(_) | Value::Node(_) | Value::Relationship(_), other) => Err(type_error(
            "MapElementAccessByNonString",
            format!("a map key must be a string, found {}", other.type_name()),
            span,
        )),
        (other, _) => {
            Err(type_error("InvalidArgumentType", format!("cannot index into a {}", other.type_name()), span))
        }
    }
}

/// `base[from..to]` on a list.
fn slice(base: &Value, from: Option<&Value>, to: Option<&Value>, span: Span) -> Result<Value, QueryError> {
    if base.is_null() || from.is_some_and(Value::is_null) || to.is_some_and(Value::is_null) {
        return Ok(Value::Null);
    }
    let Value::List(items) = base else {
        return Err(type_error(
            "InvalidArgumentType",
            format!("only lists can be sliced, found {}", base.type_name()),
            span,
        ));
    };
    let len = items.len() as i64;
    let bound = |v: Option<&Value>, default: i64| -> Result<i64, QueryError> {
        match v {
            None => Ok(default),
            Some(Value::Int(i)) => Ok((if *i < 0 { len + i } else { *i }).clamp(0, len)),
            Some(other) => Err(type_error(
                "InvalidArgumentType",
                format!("a slice bound must be an integer, found {}", other.type_name()),
                span,
            )),
        }
    };
    let start = bound(from, 0)?;
    let end = bound(to, len)?;
    if start >= end {
        return Ok(Value::List(Vec::new()));
    }
    Ok(Value::List(items[start as usize..end as usize].to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::exec::{Budget, Names};
    use crate::query::plan::logical::{Op, Plan};
    use crate::query::{Params, QueryOptions};
    use crate::store::Graph;

    fn plan() -> Plan {
        Plan {
            root: Op::Argument,
            columns: Vec::new(),
            outputs: Vec::new(),
            slots: vec!["x".into()],
            keys: vec!["k".into()],
            labels: Vec::new(),
            types: Vec::new(),
            writes: false,
            mentions: Vec::new(),
        }
    }

    fn c(v: impl Into<Value>) -> Expr {
        Expr::new(ExprKind::Const(v.into()), Span::new(0, 1))
    }

    fn null_expr() -> Expr {
        Expr::new(ExprKind::Const(Value::Null), Span::new(0, 1))
    }

    fn bin(op: BinOp, a: Expr, b: Expr) -> Expr {
        Expr::new(ExprKind::Binary(op, Box::new(a), Box::new(b)), Span::new(0, 9))
    }

    fn run(e: &Expr) -> Result<Value, QueryError> {
        let graph = Graph::new();
        let params = Params::new();
        let plan = plan();
        let options = QueryOptions::default();
        let budget = Budget::new(&options);
        let names = Names::resolve(&plan, &graph);
        let cx = Ctx::new(&graph, &params, &plan, &names, &budget);
        let row = vec![Value::Null];
        eval(e, &row, &cx).map(Cow::into_owned)
    }

    fn list(items: Vec<Value>) -> Value {
        Value::List(items)
    }

    #[test]
    fn in_with_nulls() {
        let l = |items| c(list(items));
        assert_eq!(run(&bin(BinOp::In, c(1), l(vec![2.into(), Value::Null]))), Ok(Value::Null));
        assert_eq!(run(&bin(BinOp::In, c(1), l(vec![Value::Null, 1.0.into()]))), Ok(true.into()));
        assert_eq!(run(&bin(BinOp::In, null_expr(), l(vec![]))), Ok(false.into()));
        assert_eq!(run(&bin(BinOp::In, c(1), null_expr())), Ok(Value::Null));
        assert!(run(&bin(BinOp::In, c(1), c(2))).is_err());
    }

    #[test]
    fn string_predicates_on_other_types_are_null() {
        assert_eq!(run(&bin(BinOp::StartsWith, c("abc"), c("ab"))), Ok(true.into()));
        assert_eq!(run(&bin(BinOp::Contains, c("abc"), c(1))), Ok(Value::Null));
        assert_eq!(run(&bin(BinOp::EndsWith, null_expr(), c("c"))), Ok(Value::Null));
    }

    #[test]
    fn logic_type_errors_and_short_circuit() {
        assert_eq!(run(&bin(BinOp::And, c(false), null_expr())), Ok(false.into()));
        assert_eq!(run(&bin(BinOp::Or, null_expr(), c(true))), Ok(true.into()));
        let err = run(&bin(BinOp::And, c(true), c(1))).unwrap_err();
        assert_eq!((err.class, err.detail), (ErrorClass::TypeError, "InvalidArgumentType"));
    }

    #[test]
    fn indexing_and_slicing() {
        let items = || c(list(vec![1.into(), 2.into(), 3.into()]));
        let index = |i: i64| Expr::new(ExprKind::Index(Box::new(items()), Box::new(c(i))), Span::new(0, 1));
        assert_eq!(run(&index(-1)), Ok(3.into()));
        assert_eq!(run(&index(3)), Ok(Value::Null));
        let slice = |a: Option<i64>, b: Option<i64>| {
            Expr::new(
                ExprKind::Slice(Box::new(items()), a.map(|x| Box::new(c(x))), b.map(|x| Box::new(c(x)))),
                Span::new(0, 1),
            )
        };
        assert_eq!(run(&slice(Some(1), None)), Ok(list(vec![2.into(), 3.into()])));
        assert_eq!(run(&slice(None, Some(-1))), Ok(list(vec![1.into(), 2.into()])));
        assert_eq!(run(&slice(Some(2), Some(1))), Ok(list(vec![])));
        let map = c(Value::Map([("k".to_string(), Value::Int(7))].into_iter().collect()));
        let prop = Expr::new(ExprKind::Property(Box::new(map), KeyRef(0)), Span::new(0, 1));
        assert_eq!(run(&prop), Ok(7.into()));
    }

    #[test]
    fn comparison_chains_and_case() {
        let chain = Expr::new(
            ExprKind::Compare(Box::new(c(1)), vec![(CompareOp::Lt, c(2)), (CompareOp::Lt, c(2))]),
            Span::new(0, 1),
        );
        assert_eq!(run(&chain), Ok(false.into()));
        let case = Expr::new(
            ExprKind::Case {
                subject: Some(Box::new(c(2))),
                alternatives: vec![(c(1), c("one")), (c(2.0), c("two"))],
                default: Some(Box::new(c("many"))),
            },
            Span::new(0, 1),
        );
        assert_eq!(run(&case), Ok("two".into()));
    }

    #[test]
    fn list_comprehension_binds_its_slot() {
        let e = Expr::new(
            ExprKind::ListComp {
                quantifier: None,
                slot: 0,
                list: Box::new(c(list(vec![1.into(), 2.into(), 3.into()]))),
                predicate: Some(Box::new(Expr::new(
                    ExprKind::Compare(
                        Box::new(Expr::new(ExprKind::Slot(0), Span::new(0, 1))),
                        vec![(CompareOp::Gt, c(1))],
                    ),
                    Span::new(0, 1),
                ))),
                projection: Some(Box::new(bin(
                    BinOp::Mul,
                    Expr::new(ExprKind::Slot(0), Span::new(0, 1)),
                    c(10),
                ))),
            },
            Span::new(0, 1),
        );
        assert_eq!(run(&e), Ok(list(vec![20.into(), 30.into()])));
    }
}

//! Aggregate function states: one per aggregate per group, fed one value at
//! a time and finished into the group's value.

use std::cmp::Ordering;
use std::collections::HashSet;

use super::traverse::FxBuild;
use super::value::order;
use crate::error::{ErrorClass, QueryError, Span};
use crate::model::Value;
use crate::query::plan::logical::AggFunc;

/// The running state of one aggregate in one group.
#[derive(Debug)]
pub(crate) struct AggState {
    func: AggFunc,
    /// Values seen, for `DISTINCT`.
    seen: Option<Box<Seen>>,
    acc: Acc,
}

/// The values a `DISTINCT` aggregate has seen. Nodes, the most common
/// values to count distinctly (`count(DISTINCT d)` over a traversal), are
/// kept by id: four bytes each instead of a whole value, and a cheaper
/// hash. A node never equals another kind of value, so the two sets never
/// hold the same value.
#[derive(Debug, Default)]
struct Seen {
    nodes: HashSet<u32, FxBuild>,
    values: HashSet<Value, FxBuild>,
}

impl Seen {
    /// Adds `value`; whether it is new.
    fn insert(&mut self, value: &Value) -> bool {
        match value {
            Value::Node(n) => self.nodes.insert(n.0),
            _ => self.values.insert(super::value::equivalence_key(value).unwrap_or_else(|| value.clone())),
        }
    }

    fn len(&self) -> usize {
        self.nodes.len() + self.values.len()
    }

    /// Adds everything `later` saw; how many of those were new.
    fn absorb(&mut self, later: Seen) -> usize {
        let before = self.len();
        self.nodes.extend(later.nodes);
        self.values.extend(later.values);
        self.len() - before
    }
}

#[derive(Debug)]
enum Acc {
    Count(i64),
    Collect(Vec<Value>),
    SumInt(i64),
    SumFloat(f64),
    Avg {
        sum: f64,
        count: u64,
    },
    Extreme(Option<Value>),
    /// Welford's running mean and squared deviation.
    Dev {
        n: u64,
        mean: f64,
        m2: f64,
    },
    /// Each value as a float, and as itself when an integer: a discrete
    /// percentile of integers is one of them, an integer.
    Percentile {
        values: Vec<(f64, Option<i64>)>,
        p: Option<f64>,
    },
}

impl AggState {
    pub(crate) fn new(func: AggFunc, distinct: bool) -> AggState {
        let acc = match func {
            AggFunc::CountStar | AggFunc::Count => Acc::Count(0),
            AggFunc::Collect => Acc::Collect(Vec::new()),
            AggFunc::Sum => Acc::SumInt(0),
            AggFunc::Avg => Acc::Avg { sum: 0.0, count: 0 },
            AggFunc::Min | AggFunc::Max => Acc::Extreme(None),
            AggFunc::StDev | AggFunc::StDevP => Acc::Dev { n: 0, mean: 0.0, m2: 0.0 },
            AggFunc::PercentileCont | AggFunc::PercentileDisc => {
                Acc::Percentile { values: Vec::new(), p: None }
            }
        };
        AggState { func, seen: distinct.then(Box::default), acc }
    }

    /// Feeds one row: `value` is the first argument (ignored by
    /// `count(*)`), `extra` the second (the percentile).
    pub(crate) fn add(&mut self, value: &Value, extra: Option<&Value>, span: Span) -> Result<(), QueryError> {
        if self.func == AggFunc::CountStar {
            if let Acc::Count(c) = &mut self.acc {
                *c += 1;
            }
            return Ok(());
        }
        if value.is_null() {
            return Ok(());
        }
        if let Some(seen) = &mut self.seen {
            if !seen.insert(value) {
                return Ok(());
            }
        }
        let number = |v: &Value| -> Result<f64, QueryError> {
            v.as_f64().ok_or_else(|| {
                QueryError::runtime(
                    ErrorClass::TypeError,
                    "InvalidArgumentType",
                    format!("{}() needs numbers, found {}", self.func.name(), v.type_name()),
                    Some(span),
                )
            })
        };
        match &mut self.acc {
            Acc::Count(c) => *c += 1,
            Acc::Collect(items) => items.push(value.clone()),
            Acc::SumInt(total) => match value {
                Value::Int(i) => match total.checked_add(*i) {
                    Some(t) => *total = t,
                    None => {
                        return Err(QueryError::runtime(
                            ErrorClass::ArgumentError,
                            "IntegerOverflow",
                            "sum() overflows a 64-bit integer",
                            Some(span),
                        ))
                    }
                },
                other => {
                    let x = number(other)?;
                    self.acc = Acc::SumFloat(*total as f64 + x);
                }
            },
            Acc::SumFloat(total) => *total += number(value)?,
            Acc::Avg { sum, count } => {
                *sum += number(value)?;
                *count += 1;
            }
            Acc::Extreme(best) => {
                let wanted = if self.func == AggFunc::Min { Ordering::Less } else { Ordering::Greater };
                if best.as_ref().is_none_or(|b| order(value, b) == wanted) {
                    *best = Some(value.clone());
                }
            }
            Acc::Dev { n, mean, m2 } => {
                let x = number(value)?;
                *n += 1;
                let delta = x - *mean;
                *mean += delta / *n as f64;
                *m2 += delta * (x - *mean);
            }
            Acc::Percentile { values, p } => {
                let x = number(value)?;
                if p.is_none() {
                    let q = extra.and_then(Value::as_f64).unwrap_or(0.5);
                    if !(0.0..=1.0).contains(&q) {
                        return Err(QueryError::runtime(
                            ErrorClass::ArgumentError,
                            "NumberOutOfRange",
                            format!("the percentile must be between 0.0 and 1.0, found {q}"),
                            Some(span),
                        ));
                    }
                    *p = Some(q);
                }
                values.push((x, if let Value::Int(i) = value { Some(*i) } else { None }));
            }
        }
        Ok(())
    }

    /// Whether states of this aggregate made from consecutive parts of the
    /// input can be merged into exactly the state one pass would have made
    /// (see [`merge`](Self::merge)). Sums, averages and deviations are
    /// left out: floating-point addition depends on its order, and an
    /// integer sum could overflow in one order and not in another.
    pub(crate) fn mergeable(func: AggFunc, distinct: bool) -> bool {
        match func {
            AggFunc::CountStar | AggFunc::Count | AggFunc::Collect | AggFunc::Min | AggFunc::Max => true,
            AggFunc::PercentileCont | AggFunc::PercentileDisc => !distinct,
            AggFunc::Sum | AggFunc::Avg | AggFunc::StDev | AggFunc::StDevP => false,
        }
    }

    /// Folds in the state of the part of the input that follows this
    /// one's, for an aggregate [`mergeable`](Self::mergeable) says can be:
    /// the result is the state one pass over both parts would have made.
    pub(crate) fn merge(&mut self, later: AggState) {
        let AggState { acc, seen: later_seen, .. } = later;
        match (&mut self.acc, acc) {
            (Acc::Count(c), Acc::Count(more)) => match (&mut self.seen, later_seen) {
                // `count(*)` counts rows, never values.
                (Some(seen), Some(later_seen)) if self.func != AggFunc::CountStar => {
                    *c += seen.absorb(*later_seen) as i64;
                }
                _ => *c += more,
            },
            (Acc::Collect(items), Acc::Collect(more)) => match &mut self.seen {
                Some(seen) => {
                    for v in more {
                        if seen.insert(&v) {
                            items.push(v);
                        }
                    }
                }
                None => items.extend(more),
            },
            (Acc::Extreme(best), Acc::Extreme(Some(v))) => {
                let wanted = if self.func == AggFunc::Min { Ordering::Less } else { Ordering::Greater };
                // One pass keeps the first of equal values: the earlier part's.
                if best.as_ref().is_none_or(|b| order(&v, b) == wanted) {
                    *best = Some(v);
                }
                if let (Some(seen), Some(later_seen)) = (&mut self.seen, later_seen) {
                    seen.absorb(*later_seen);
                }
            }
            (Acc::Percentile { values, p }, Acc::Percentile { values: more, p: later_p }) => {
                values.extend(more);
                if p.is_none() {
                    *p = later_p;
                }
            }
            // An empty later part (`Extreme(None)`), or a state `mergeable`
            // rules out, which is never split.
            _ => {}
        }
    }

    /// The aggregate's value for its group.
    pub(crate) fn finish(self) -> Value {
        match self.acc {
            Acc::Count(c) => Value::Int(c),
            Acc::Collect(items) => Value::List(items),
            Acc::SumInt(t) => Value::Int(t),
            Acc::SumFloat(t) => Value::Float(t),
            Acc::Avg { count: 0, .. } => Value::Null,
            Acc::Avg { sum, count } => Value::Float(sum / count as f64),
            Acc::Extreme(best) => best.unwrap_or(Value::Null),
            Acc::Dev { n, m2, .. } => {
                let denom = if self.func == AggFunc::StDev { n.saturating_sub(1) } else { n };
                if denom == 0 {
                    Value::Float(0.0)
                } else {
                    Value::Float((m2 / denom as f64).sqrt())
                }
            }
            Acc::Percentile { mut values, p } => {
                if values.is_empty() {
                    return Value::Null;
                }
                values.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(Ordering::Equal).then(a.1.cmp(&b.1)));
                let p = p.unwrap_or(0.5);
                let n = values.len();
                if self.func == AggFunc::PercentileDisc {
                    let idx = ((p * n as f64).ceil() as usize).saturating_sub(1).min(n - 1);
                    match values[idx] {
                        (_, Some(i)) => Value::Int(i),
                        (x, None) => Value::Float(x),
                    }
                } else {
                    let pos = p * (n - 1) as f64;
                    let lo = pos.floor() as usize;
                    let hi = pos.ceil() as usize;
                    Value::Float(values[lo].0 + (values[hi].0 - values[lo].0) * (pos - lo as f64))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(func: AggFunc, distinct: bool, values: &[Value]) -> Value {
        let mut s = AggState::new(func, distinct);
        for v in values {
            s.add(v, None, Span::default()).unwrap();
        }
        s.finish()
    }

    #[test]
    fn counts_skip_nulls_and_duplicates() {
        let vals = [Value::Int(1), Value::Null, Value::Int(1), Value::Int(2)];
        assert_eq!(run(AggFunc::Count, false, &vals), Value::Int(3));
        assert_eq!(run(AggFunc::Count, true, &vals), Value::Int(2));
        assert_eq!(run(AggFunc::CountStar, false, &vals), Value::Int(4));
        assert_eq!(run(AggFunc::Collect, true, &vals), Value::List(vec![1.into(), 2.into()]));
    }

    /// Every mergeable aggregate, split at every point of an input with
    /// duplicates, nulls and mixed types, merges into what one pass gives.
    #[test]
    fn merged_parts_equal_one_pass() {
        let values: Vec<Value> = vec![
            Value::Int(3),
            Value::Null,
            Value::Float(1.0),
            Value::Int(1),
            "b".into(),
            Value::Int(3),
            Value::Float(2.5),
            Value::Node(crate::model::NodeId(5)),
            "a".into(),
            Value::Node(crate::model::NodeId(2)),
            Value::Int(1),
            Value::Node(crate::model::NodeId(5)),
        ];
        let funcs = [
            AggFunc::CountStar,
            AggFunc::Count,
            AggFunc::Collect,
            AggFunc::Min,
            AggFunc::Max,
            AggFunc::PercentileCont,
            AggFunc::PercentileDisc,
        ];
        let numbers: Vec<Value> =
            values.iter().filter(|v| v.as_f64().is_some() || v.is_null()).cloned().collect();
        for func in funcs {
            for distinct in [false, true] {
                if !AggState::mergeable(func, distinct) {
                    continue;
                }
                let input = if matches!(func, AggFunc::PercentileCont | AggFunc::PercentileDisc) {
                    &numbers
                } else {
                    &values
                };
                let one_pass = run(func, distinct, input);
                for cut in 0..=input.len() {
                    let mut first = AggState::new(func, distinct);
                    let mut second = AggState::new(func, distinct);
                    for v in &input[..cut] {
                        first.add(v, None, Span::default()).unwrap();
                    }
                    for v in &input[cut..] {
                        second.add(v, None, Span::default()).unwrap();
                    }
                    first.merge(second);
                    let merged = first.finish();
                    assert!(
                        format!("{merged:?}") == format!("{one_pass:?}"),
                        "{func:?} distinct={distinct} cut at {cut}: {merged:?} vs {one_pass:?}"
                    );
                }
            }
        }
        // Nodes are told apart by id, and from every other value.
        assert_eq!(run(AggFunc::Count, true, &values), Value::Int(7));
        assert!(!AggState::mergeable(AggFunc::Sum, false));
        assert!(!AggState::mergeable(AggFunc::PercentileDisc, true));
    }

    #[test]
    fn sums_min_max_avg() {
        let vals = [Value::Int(1), Value::Float(2.5), Value::Null];
        assert_eq!(run(AggFunc::Sum, false, &vals), Value::Float(3.5));
        assert_eq!(run(AggFunc::Sum, false, &[]), Value::Int(0));
        assert_eq!(run(AggFunc::Avg, false, &[]), Value::Null);
        let mixed = [Value::Int(1), "a".into(), Value::List(vec![1.into()]), Value::Float(0.2)];
        assert_eq!(run(AggFunc::Max, false, &mixed), Value::Int(1));
        assert_eq!(run(AggFunc::Min, false, &mixed), Value::List(vec![1.into()]));
        let mut s = AggState::new(AggFunc::Sum, false);
        s.add(&Value::Int(i64::MAX), None, Span::default()).unwrap();
        assert!(s.add(&Value::Int(1), None, Span::default()).is_err());
    }
}

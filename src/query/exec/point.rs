//! Point lookups: a plan that finds at most one node by its `id` and
//! computes one row from it, run without building stages.
//!
//! `MATCH (m:Model {id: $id}) RETURN m.name` is the query an application
//! sends most, and its answer is one hash probe and a few property reads.
//! Built as stages, the run spends several times that on the machinery:
//! a stage per operator, a row on the heap, the stages taken apart again.
//! Here the same plan is walked in place, with the row on the stack. A
//! property of the sought node is read from the store the way the
//! evaluator's own shortcut reads it, and every other expression goes
//! through the evaluator the stages use, so the answers cannot differ;
//! what this path cannot answer exactly (a key that is not a string, a
//! graph whose ids repeat) it hands back to the stages.
//!
//! The row is either copied into a result ([`run`], for `Query::run`) or
//! lent to a visitor ([`for_each`], for `Query::for_each_row`): then the
//! sought node's properties are the store's own values, and a lookup
//! neither allocates nor touches a reference count.

use std::borrow::Cow;
use std::mem::ManuallyDrop;

use super::eval::{eval, holds};
use super::value::NULL;
use super::{put, Budget, Ctx, Names, Output};
use crate::error::QueryError;
use crate::model::Value;
use crate::query::cache::Planned;
use crate::query::plan::logical::{Expr, ExprKind, LabelRef, Op, Plan, Slot};
use crate::query::{Params, QueryOptions};
use crate::result::{QueryStats, RowRef, RowValues};
use crate::store::{Graph, KeyId, NodeProperties};

/// Most slots a point plan may have: its row lives on the stack.
const MAX_SLOTS: usize = 8;

/// The parts of a point plan, from the top down.
struct Point<'p> {
    items: &'p [(Slot, Expr)],
    /// The operator under the `Project`: a chain of filters, if any.
    filters: &'p Op,
    seek: Option<Seek<'p>>,
}

struct Seek<'p> {
    node: Slot,
    key: &'p Expr,
    labels: &'p [LabelRef],
}

/// A plan this path runs, made ready for one graph: where each output
/// comes from, worked out once rather than on every call.
#[derive(Debug)]
pub(crate) struct PointPlan {
    sources: Vec<Source>,
    /// The slot of the sought node, if the plan seeks one.
    sought: Option<Slot>,
    /// Some output goes through the evaluator.
    computes: bool,
}

#[derive(Debug)]
enum Source {
    /// `node.key` of the sought node: read straight from the store, as the
    /// evaluator would read it. The seek has put the node in its slot
    /// before any output is made.
    NodeProperty { key: Option<KeyId> },
    /// Any other item, through the evaluator.
    Item(usize),
    /// A variable passed through.
    Slot(Slot),
}

impl PointPlan {
    /// The point plan of `plan` on the graph `names` were resolved for, if
    /// `plan` can run here: a `Project` at the top whose items read only slots
    /// bound below it, then filters, then at most one `NodeKeySeek` from the
    /// plan's single empty input row.
    pub(crate) fn of(plan: &Plan, final_items: Option<&[Option<usize>]>, names: &Names) -> Option<PointPlan> {
        let sources = final_items?;
        if plan.writes || plan.slots.len() > MAX_SLOTS || plan.outputs.len() > MAX_SLOTS {
            return None;
        }
        let point = point(&plan.root)?;
        let sought = point.seek.as_ref().map(|seek| seek.node);
        let sources: Vec<Source> = sources
            .iter()
            .zip(&plan.outputs)
            .map(|(source, slot)| match *source {
                None => Source::Slot(*slot),
                Some(item) => match (&point.items[item].1.kind, sought) {
                    (ExprKind::Property(base, key), Some(sought)) if base.as_slot() == Some(sought) => {
                        Source::NodeProperty { key: names.key(*key) }
                    }
                    _ => Source::Item(item),
                },
            })
            .collect();
        let computes = sources.iter().any(|s| matches!(s, Source::Item(_)));
        Some(PointPlan { sources, sought, computes })
    }
}

/// The sought node's properties, when `row` holds it in `slot`.
fn sought_properties<'g>(graph: &'g Graph, row: &[Value], slot: Option<Slot>) -> Option<NodeProperties<'g>> {
    match row[slot?] {
        Value::Node(n) => Some(graph.node_properties_of(n)),
        _ => None,
    }
}

/// The value of a [`Source::NodeProperty`] with key `key`.
fn sought_property<'g>(props: &Option<NodeProperties<'g>>, key: Option<KeyId>) -> &'g Value {
    match (props, key) {
        (Some(props), Some(key)) => props.get(key).unwrap_or(&NULL),
        _ => &NULL,
    }
}

fn point(root: &Op) -> Option<Point<'_>> {
    let Op::Project { items, input } = root else { return None };
    let mut at = &**input;
    while let Op::Filter { input, .. } = at {
        at = input;
    }
    let seek = match at {
        Op::NodeKeySeek { input, node, key, labels, .. } if matches!(**input, Op::Argument) => {
            Some(Seek { node: *node, key, labels })
        }
        Op::Argument => None,
        _ => return None,
    };
    Some(Point { items, filters: input, seek })
}

/// Whether the row passes every filter in the chain from `op` down, tested
/// in the order the stages would test them: from the bottom up.
fn passes(op: &Op, row: &[Value], cx: &Ctx<'_>) -> Result<bool, QueryError> {
    match op {
        Op::Filter { input, predicate } => Ok(passes(input, row, cx)? && holds(predicate, row, cx)?),
        _ => Ok(true),
    }
}

/// Runs `plan`, the [`PointPlan`] of `planned`, into owned values.
/// `Ok(None)` when the lookup is not exact on this graph or for this key:
/// the caller runs the stages.
///
/// Kept out of line, as is [`for_each`]: inlined, they would crowd the
/// caller's path for every other plan.
#[inline(never)]
pub(crate) fn run(
    planned: &Planned,
    prepared: &PointPlan,
    graph: &Graph,
    params: &Params,
    options: &QueryOptions,
) -> Result<Option<Output>, QueryError> {
    let found = find(planned, graph, params, options, |point, row, cx| {
        let props = sought_properties(graph, row, prepared.sought);
        let mut values = Vec::with_capacity(prepared.sources.len());
        for source in &prepared.sources {
            values.push(match *source {
                Source::NodeProperty { key } => sought_property(&props, key).clone(),
                Source::Item(item) => eval(&point.items[item].1, row, cx)?.into_owned(),
                Source::Slot(slot) => row[slot].clone(),
            });
        }
        Ok(values)
    })?;
    Ok(match found {
        Found::HandBack => None,
        Found::NoRow => Some(Output { values: Vec::new(), len: 0, stats: QueryStats::default() }),
        Found::Row(values) => Some(Output { values, len: 1, stats: QueryStats::default() }),
    })
}

/// Runs `plan`, the [`PointPlan`] of `planned`, handing its row, if there
/// is one, to `visit`: the sought node's properties borrowed from the store,
/// anything computed owned here for the call. `Ok(Some(rows))` with the
/// number of rows (0 or 1); `Ok(None)` as for [`run`].
#[inline(never)]
pub(crate) fn for_each(
    planned: &Planned,
    prepared: &PointPlan,
    graph: &Graph,
    params: &Params,
    options: &QueryOptions,
    visit: &mut dyn FnMut(RowRef<'_>),
) -> Result<Option<usize>, QueryError> {
    let found = find(planned, graph, params, options, |point, row, cx| {
        // Made only when needed: it is a few hundred bytes to fill.
        let mut computed = None;
        if prepared.computes {
            let computed = computed.insert(Computed::default());
            for source in &prepared.sources {
                if let Source::Item(item) = *source {
                    computed.push(eval(&point.items[item].1, row, cx)?.into_owned());
                }
            }
        }
        let mut computed_values = computed.as_ref().map_or(&[][..], |c| &c.values[..c.len]).iter();
        let props = sought_properties(graph, row, prepared.sought);
        let mut values = [&NULL; MAX_SLOTS];
        for (value, source) in values.iter_mut().zip(&prepared.sources) {
            *value = match *source {
                Source::NodeProperty { key } => sought_property(&props, key),
                Source::Item(_) => computed_values.next().unwrap_or(&NULL),
                Source::Slot(slot) => &row[slot],
            };
        }
        visit(RowRef::new(&planned.columns, RowValues::Borrowed(&values[..prepared.sources.len()])));
        Ok(())
    })?;
    Ok(match found {
        Found::HandBack => None,
        Found::NoRow => Some(0),
        Found::Row(()) => Some(1),
    })
}

/// Values a point row computes, on the stack: only the ones pushed are
/// dropped, where dropping the whole array would run `Value`'s drop code
/// once per slot.
#[derive(Default)]
struct Computed {
    values: ManuallyDrop<[Value; MAX_SLOTS]>,
    len: usize,
}

impl Computed {
    fn push(&mut self, value: Value) {
        // A point plan has at most `MAX_SLOTS` outputs (see `PointPlan::of`).
        if let Some(slot) = self.values.get_mut(self.len) {
            *slot = value;
            self.len += 1;
        }
    }
}

impl Drop for Computed {
    fn drop(&mut self) {
        for value in &mut self.values[..self.len] {
            drop(std::mem::take(value));
        }
    }
}

/// What the seek and filters of a point plan came to.
enum Found<T> {
    /// The lookup is not exact here: the stages run the plan.
    HandBack,
    NoRow,
    /// The output made from the row.
    Row(T),
}

/// The seek and the filters of `planned`'s point plan, with the row on the
/// stack; `then` makes the output from the row when there is one.
#[inline(always)]
fn find<T>(
    planned: &Planned,
    graph: &Graph,
    params: &Params,
    options: &QueryOptions,
    then: impl FnOnce(&Point<'_>, &[Value], &Ctx<'_>) -> Result<T, QueryError>,
) -> Result<Found<T>, QueryError> {
    let plan = &planned.plan;
    let Some(point) = point(&plan.root) else { return Ok(Found::HandBack) };
    let budget = Budget::new(options);
    let cx = Ctx { expected_rows: 1, ..Ctx::new(graph, params, plan, &planned.names, &budget) };
    // The row, on the stack. Nothing but the seek writes to it, and the
    // seek writes a node, which owns nothing: so the row is never dropped
    // (dropping it would run the drop code of `Value` once per slot).
    let mut slots = ManuallyDrop::new([const { Value::Null }; MAX_SLOTS]);
    let row = &mut slots[..plan.slots.len()];
    if let Some(seek) = &point.seek {
        // A parameter read straight from its map; a missing one, or any
        // other expression, through the evaluator (which names the error).
        let from_map = match &seek.key.kind {
            ExprKind::Param(name) => params.get(name),
            _ => None,
        };
        let key = match from_map {
            Some(key) => Cow::Borrowed(key),
            None => eval(seek.key, row, &cx)?,
        };
        let (Value::String(key), true) = (&*key, cx.ids_unique) else { return Ok(Found::HandBack) };
        let Some(node) = graph.node_by_key(key) else { return Ok(Found::NoRow) };
        // A label the graph has never seen is carried by no node.
        let labelled = seek.labels.iter().all(|l| {
            cx.labels[l.0 as usize].is_some_and(|l| graph.has_labels(node, std::slice::from_ref(&l)))
        });
        if !labelled {
            return Ok(Found::NoRow);
        }
        put(&mut row[seek.node], Value::Node(node));
    }
    if matches!(point.filters, Op::Filter { .. }) && !passes(point.filters, row, &cx)? {
        return Ok(Found::NoRow);
    }
    budget.row()?;
    if plan.outputs.is_empty() {
        return Ok(Found::NoRow);
    }
    Ok(Found::Row(then(&point, row, &cx)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::exec::{execute, GraphAccess};
    use crate::Query;

    fn planned(graph: &Graph, text: &str) -> Planned {
        Planned::new(&Query::parse(text).unwrap(), graph).unwrap()
    }

    type Answer<T> = Result<T, String>;

    /// The answer (or error message) of `text` through this path, and
    /// through the stages. The answer this path lends (`for_each`) must be
    /// the one it hands over owned (`run`).
    fn both(graph: &Graph, text: &str, params: &Params) -> (Answer<Option<Vec<Value>>>, Answer<Vec<Value>>) {
        let mut planned = planned(graph, text);
        let prepared = planned.point.take().unwrap_or_else(|| panic!("not a point plan: {text}"));
        let options = QueryOptions::default();
        let point = run(&planned, &prepared, graph, params, &options)
            .map(|o| o.map(|o| o.values))
            .map_err(|e| e.message);
        let mut lent = Vec::new();
        let lent_rows =
            for_each(&planned, &prepared, graph, params, &options, &mut |row| lent.extend(row.to_vec()))
                .map_err(|e| e.message);
        assert_eq!(lent_rows.map(|rows| rows.map(|_| lent)), point, "{text}: lent and owned answers differ");
        let stages = execute(&planned, &mut GraphAccess::Shared(graph), params, &options)
            .map(|o| o.values)
            .map_err(|e| e.message);
        (point, stages)
    }

    fn graph() -> Graph {
        let mut g = Graph::new();
        g.execute("CREATE (:Model {id: 'glm', name: 'ChatGLM', year: 2023}), (:Lab:Org {id: 'keg', name: 'KEG'}), (:Model {id: 'x'})")
            .unwrap();
        g
    }

    #[test]
    fn answers_as_the_stages_do() {
        let g = graph();
        let id = |v: &str| Params::from([("id", Value::from(v))]);
        let cases = [
            ("MATCH (m:Model {id: $id}) RETURN m.name, m.year, m.missing", id("glm")),
            ("MATCH (m:Model {id: $id}) RETURN m.name", id("nothing")),
            ("MATCH (m:Model {id: 'glm'}) RETURN m.id, m.name + '!' AS loud, m", id("glm")),
            // The node exists but lacks a label, or the label is unknown.
            ("MATCH (m:Lab {id: $id}) RETURN m.name", id("glm")),
            ("MATCH (m:Startup {id: $id}) RETURN m.name", id("glm")),
            ("MATCH (m:Lab:Org {id: $id}) RETURN m, m.name AS n", id("keg")),
            ("MATCH (m {id: $id}) WHERE m.year > 2020 AND m.name STARTS WITH 'Chat' RETURN m.id", id("glm")),
            ("MATCH (m {id: $id}) WHERE m.year > 2024 RETURN m.id", id("glm")),
            // A null comparison filters the row out, as in the stages.
            ("MATCH (m {id: $id}) WHERE m.year > 2020 RETURN m.id", id("x")),
            ("RETURN 1 AS one, $id AS id, 2 * 3 AS six", id("glm")),
        ];
        for (text, params) in cases {
            let (point, stages) = both(&g, text, &params);
            assert_eq!(point, stages.map(Some), "{text}");
        }
    }

    #[test]
    fn errors_are_the_stages_errors() {
        let g = graph();
        let (point, stages) = both(&g, "MATCH (m {id: $id}) RETURN m.name", &Params::new());
        assert!(stages.as_ref().unwrap_err().contains("parameter $id is missing"), "{stages:?}");
        assert_eq!(point.map(|_| ()), stages.map(|_| ()));
        let params = Params::from([("id", Value::from("glm"))]);
        let (point, stages) = both(&g, "MATCH (m {id: $id}) RETURN m.name - 1", &params);
        assert!(stages.is_err());
        assert_eq!(point.map(|_| ()), stages.map(|_| ()));
    }

    #[test]
    fn hands_back_what_an_index_probe_cannot_answer_exactly() {
        let mut g = graph();
        let text = "MATCH (m {id: $id}) RETURN m.name";
        let options = QueryOptions::default();
        // A key that is not a string: the stages compare by value.
        let params = Params::from([("id", Value::Int(7))]);
        let through_here = |g: &Graph, params: &Params| {
            let planned = planned(g, text);
            run(&planned, planned.point.as_ref().unwrap(), g, params, &options).unwrap().map(|o| o.values)
        };
        assert_eq!(through_here(&g, &params), None);
        // Repeated ids: the index holds only the first of them.
        g.execute("CREATE (:Model {id: 'glm', name: 'again'})").unwrap();
        let params = Params::from([("id", Value::from("glm"))]);
        assert_eq!(through_here(&g, &params), None);
        assert_eq!(g.query_with(text, &params).unwrap().len(), 2);
    }

    #[test]
    fn only_a_projection_over_filters_over_one_seek_qualifies() {
        let g = graph();
        for text in [
            "RETURN 1",
            "MATCH (m {id: 'glm'}) RETURN m.name",
            "MATCH (m {id: 'glm'}) WHERE m.year > 1 RETURN m, m.year",
        ] {
            assert!(planned(&g, text).point.is_some(), "{text}");
        }
        for text in [
            "MATCH (m {id: 'glm'})-->(n) RETURN n.name",
            "MATCH (m {id: 'glm'}) RETURN m.name ORDER BY m.name",
            "MATCH (m {id: 'glm'}) RETURN count(m)",
            "MATCH (m:Model) RETURN m.name",
            "UNWIND [1, 2] AS x RETURN x",
            "MATCH (m {id: 'glm'}) RETURN m.name AS a, m.year AS b LIMIT 1",
        ] {
            assert!(planned(&g, text).point.is_none(), "{text}");
        }
    }
}

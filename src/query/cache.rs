//! The plan cache behind [`Graph::query`](crate::Graph::query): a query
//! text run again on the same graph skips parsing, checking and planning.
//!
//! Applications send the same few query texts over and over with different
//! parameters, and for a point lookup those three steps cost a hundred
//! times the lookup itself. A plan depends on the graph only through its
//! label sizes (scan order) and the names it knows (warnings), so an entry
//! stays good until the graph gains nodes, relationships, labels, types or
//! keys; the cache remembers that shape and empties itself when it changes.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use indexmap::IndexMap;

use crate::error::{Error, QueryError};
use crate::query::exec::Names;
use crate::query::plan::Plan;
use crate::query::Query;
use crate::store::attached::GraphUid;
use crate::store::{FxBuild, Graph};

/// How many query texts a graph keeps plans for. Past it the oldest entry
/// goes: a program that builds query text with literals inlined would
/// otherwise grow the cache without bound.
const CAPACITY: usize = 256;

/// A query ready to run on one graph: parsed, checked, planned.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub(crate) query: Query,
    pub(crate) planned: Planned,
}

/// What running a query on one graph needs besides the query: its plan,
/// the plan's names as the graph's ids, and the warnings to attach.
#[derive(Debug)]
pub(crate) struct Planned {
    pub(crate) plan: Plan,
    pub(crate) names: Names,
    pub(crate) warnings: Vec<String>,
    pub(crate) columns: Arc<[String]>,
    /// See `exec::movable_outputs`.
    pub(crate) movable_outputs: u64,
    /// See `exec::final_items`.
    pub(crate) final_items: Option<Vec<Option<usize>>>,
    /// The plan as a point lookup, if it is one (see `exec::point`).
    pub(crate) point: Option<crate::query::exec::PointPlan>,
    /// How many rows the last run returned: a query sent again mostly
    /// returns about as many, so the next run reserves room for that many
    /// at once instead of growing its result row by row.
    last_rows: AtomicUsize,
}

impl Planned {
    pub(crate) fn new(query: &Query, graph: &Graph) -> Result<Planned, QueryError> {
        let plan = query.plan(graph)?;
        let final_items = crate::query::exec::final_items(&plan);
        let names = Names::resolve(&plan, graph);
        Ok(Planned {
            point: crate::query::exec::PointPlan::of(&plan, final_items.as_deref(), &names),
            final_items,
            warnings: super::warnings(&plan, query, graph),
            names,
            columns: plan.columns.clone().into(),
            movable_outputs: crate::query::exec::movable_outputs(&plan),
            plan,
            last_rows: AtomicUsize::new(0),
        })
    }

    /// Rows to reserve room for in a run's result.
    pub(crate) fn expected_rows(&self) -> usize {
        // At least a few, as most results are small; at most what a
        // result of that size would not regret reserving.
        self.last_rows.load(Ordering::Relaxed).clamp(8, 4096)
    }

    pub(crate) fn record_rows(&self, rows: usize) {
        self.last_rows.store(rows, Ordering::Relaxed);
    }
}

/// What a plan depends on, as counts that only grow while a graph is
/// changed: any change that could alter a plan or its warnings moves one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Shape {
    nodes: usize,
    edges: usize,
    /// Labels, relationship types and property keys.
    names: [usize; 3],
    /// Changes to what the query layer keeps with the graph: procedures
    /// registered (see `Graph::attached_changes`).
    attached: usize,
}

impl Shape {
    fn of(graph: &Graph) -> Shape {
        Shape {
            nodes: graph.node_count(),
            edges: graph.edge_count(),
            names: graph.name_counts(),
            attached: graph.attached_changes(),
        }
    }
}

#[derive(Debug, Default)]
struct Entries {
    shape: Shape,
    by_text: IndexMap<Arc<str>, Arc<Prepared>, FxBuild>,
}

/// Prepared queries by text, for one graph. A clone of the graph starts
/// with an empty cache (see `query::state`): it changes independently of
/// the original, and a cache is cheap to refill.
#[derive(Debug, Default)]
pub(crate) struct PlanCache {
    entries: Mutex<Entries>,
}

/// The plans a [`Query`] made: running one parsed query over and over is
/// then neither planned again nor looked up by its text.
///
/// The plan for the first graph the query ran on is kept where reading it
/// takes no lock and no reference count (each costs about as much as
/// the rest of a point lookup's bookkeeping); it serves for as long as
/// that graph keeps its shape. Other graphs and later shapes share one
/// slot behind a lock.
#[derive(Default)]
pub(crate) struct PlanSlot {
    first: OnceLock<(GraphUid, Shape, Planned)>,
    latest: Mutex<Option<(GraphUid, Shape, Arc<Planned>)>>,
}

/// A plan from a [`PlanSlot`]: borrowed from its first entry, or shared.
pub(crate) enum SlotPlan<'q> {
    First(&'q Planned),
    Latest(Arc<Planned>),
}

impl std::ops::Deref for SlotPlan<'_> {
    type Target = Planned;

    fn deref(&self) -> &Planned {
        match self {
            SlotPlan::First(planned) => planned,
            SlotPlan::Latest(planned) => planned,
        }
    }
}

impl PlanSlot {
    /// The plan for `graph`: the first graph's, kept, or a newer one.
    /// Inlined for the common case, a query run again on its first graph,
    /// which is a few compares; the rest is out of line.
    #[inline]
    pub(crate) fn planned(&self, query: &Query, graph: &Graph) -> Result<SlotPlan<'_>, QueryError> {
        match self.first.get() {
            Some((u, s, planned)) if *u == graph.uid() && *s == Shape::of(graph) => {
                Ok(SlotPlan::First(planned))
            }
            _ => self.planned_again(query, graph),
        }
    }

    #[inline(never)]
    fn planned_again(&self, query: &Query, graph: &Graph) -> Result<SlotPlan<'_>, QueryError> {
        let (uid, shape) = (graph.uid(), Shape::of(graph));
        let fits = |u: &GraphUid, s: &Shape| *u == uid && *s == shape;
        match self.first.get() {
            Some((u, s, planned)) if fits(u, s) => return Ok(SlotPlan::First(planned)),
            Some(_) => {}
            None => {
                let planned = Planned::new(query, graph)?;
                // Another thread may have set it meanwhile: theirs is as good.
                let (u, s, planned) = self.first.get_or_init(|| (uid, shape, planned));
                if fits(u, s) {
                    return Ok(SlotPlan::First(planned));
                }
            }
        }
        if let Some((u, s, planned)) = &*self.lock() {
            if fits(u, s) {
                return Ok(SlotPlan::Latest(planned.clone()));
            }
        }
        // Planned outside the lock, as in `PlanCache::prepare`.
        let planned = Arc::new(Planned::new(query, graph)?);
        *self.lock() = Some((uid, shape, planned.clone()));
        Ok(SlotPlan::Latest(planned))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(GraphUid, Shape, Arc<Planned>)>> {
        self.latest.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A cloned query may run on other graphs: it starts without a plan.
impl Clone for PlanSlot {
    fn clone(&self) -> PlanSlot {
        PlanSlot::default()
    }
}

impl std::fmt::Debug for PlanSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PlanSlot")
    }
}

impl PlanCache {
    /// The prepared form of `text` on `graph`, from the cache or made now.
    /// Errors are not cached: a failing text is usually fixed, not resent.
    pub(crate) fn prepare(&self, graph: &Graph, text: &str) -> Result<Arc<Prepared>, Error> {
        let shape = Shape::of(graph);
        {
            let mut entries = self.lock();
            if entries.shape != shape {
                entries.by_text.clear();
                entries.shape = shape;
            }
            if let Some(found) = entries.by_text.get(text) {
                return Ok(found.clone());
            }
        }
        // Prepared outside the lock, so a slow plan never holds up other
        // threads' cached lookups; two threads may both prepare a new text,
        // and the second insert wins harmlessly.
        let query = Query::parse(text)?;
        let planned = Planned::new(&query, graph)?;
        let prepared = Arc::new(Prepared { query, planned });
        let mut entries = self.lock();
        if entries.shape == shape {
            if entries.by_text.len() >= CAPACITY {
                entries.by_text.shift_remove_index(0);
            }
            entries.by_text.insert(text.into(), prepared.clone());
        }
        Ok(prepared)
    }

    /// How many texts are cached.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.lock().by_text.len()
    }

    /// A panic while the lock was held cannot leave the map half-changed
    /// (every change is one call), so a poisoned lock is still usable.
    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Value;
    use crate::query::Params;

    #[test]
    fn a_repeated_text_is_planned_once() {
        let graph = Graph::builtin();
        let text = "MATCH (m:Model {id: $id}) RETURN m.name AS name";
        let first = graph.plan_cache().prepare(&graph, text).unwrap();
        let second = graph.plan_cache().prepare(&graph, text).unwrap();
        assert!(Arc::ptr_eq(&first, &second));
        assert_eq!(graph.plan_cache().len(), 1);
    }

    #[test]
    fn a_changed_graph_gets_fresh_plans_and_warnings() {
        let mut graph = Graph::new();
        graph.add_node(["Model"], [("id", Value::from("a"))]);
        let text = "MATCH (m:Startup) RETURN count(m) AS n";
        let before = graph.query(text).unwrap();
        assert_eq!(before.iter().next().unwrap().get_int("n"), Some(0));
        graph.add_node(["Startup"], [("id", Value::from("s"))]);
        let after = graph.query(text).unwrap();
        assert_eq!(after.iter().next().unwrap().get_int("n"), Some(1));
    }

    #[test]
    fn the_cache_stays_bounded() {
        let graph = Graph::builtin();
        for i in 0..CAPACITY + 10 {
            graph.query_with(&format!("RETURN {i} AS n"), &Params::new()).unwrap();
        }
        assert_eq!(graph.plan_cache().len(), CAPACITY);
    }

    #[test]
    fn errors_are_reported_every_time_and_not_cached() {
        let graph = Graph::builtin();
        for _ in 0..2 {
            assert!(graph.query("MATCH (n RETURN n").is_err());
        }
        assert_eq!(graph.plan_cache().len(), 0);
    }

    #[test]
    fn a_parsed_query_keeps_a_plan_per_graph_and_shape() {
        // The same label names interned in a different order: a plan made
        // for one graph would look for the other graph's label ids.
        let mut first = Graph::new();
        first.add_node(["Lab"], [("id", Value::from("l"))]);
        first.add_node(["Model"], [("id", Value::from("m")), ("name", Value::from("first"))]);
        let mut second = Graph::new();
        second.add_node(["Model"], [("id", Value::from("m")), ("name", Value::from("second"))]);
        second.add_node(["Lab"], [("id", Value::from("l"))]);
        let query = Query::parse("MATCH (n:Model {id: 'm'}) RETURN n.name AS name").unwrap();
        let name = |graph: &Graph| {
            let rows = query.run(graph, &Params::new()).unwrap();
            let name = rows.iter().next().and_then(|r| r.get_str("name").map(str::to_string));
            name
        };
        for _ in 0..2 {
            assert_eq!(name(&first).as_deref(), Some("first"));
            assert_eq!(name(&second).as_deref(), Some("second"));
        }
        // A changed graph is planned again: the label did not exist before.
        let count = Query::parse("MATCH (s:Startup) RETURN count(s) AS n").unwrap();
        let n = |graph: &Graph| count.run(graph, &Params::new()).unwrap().iter().next().unwrap().get_int("n");
        assert_eq!(n(&first), Some(0));
        first.add_node(["Startup"], [("id", Value::from("s"))]);
        assert_eq!(n(&first), Some(1));
        // A clone of a graph is another graph.
        let mut copy = first.clone();
        assert_eq!(n(&copy), Some(1));
        copy.add_node(["Startup"], [("id", Value::from("t"))]);
        assert_eq!((n(&copy), n(&first)), (Some(2), Some(1)));
    }
}

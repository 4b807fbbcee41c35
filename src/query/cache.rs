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
use std::sync::{Arc, Mutex, PoisonError};

use indexmap::IndexMap;

use crate::error::{Error, QueryError};
use crate::query::exec::Names;
use crate::query::plan::Plan;
use crate::query::Query;
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
    /// How many rows the last run returned: a query sent again mostly
    /// returns about as many, so the next run reserves room for that many
    /// at once instead of growing its result row by row.
    last_rows: AtomicUsize,
}

impl Planned {
    pub(crate) fn new(query: &Query, graph: &Graph) -> Result<Planned, QueryError> {
        let plan = query.plan(graph)?;
        Ok(Planned {
            warnings: super::warnings(&plan, graph),
            names: Names::resolve(&plan, graph),
            columns: plan.columns.clone().into(),
            movable_outputs: crate::query::exec::movable_outputs(&plan),
            final_items: crate::query::exec::final_items(&plan),
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
}

impl Shape {
    fn of(graph: &Graph) -> Shape {
        Shape { nodes: graph.node_count(), edges: graph.edge_count(), names: graph.name_counts() }
    }
}

#[derive(Debug, Default)]
struct Entries {
    shape: Shape,
    by_text: IndexMap<Arc<str>, Arc<Prepared>, FxBuild>,
}

/// Prepared queries by text, for one graph.
#[derive(Debug, Default)]
pub(crate) struct PlanCache {
    entries: Mutex<Entries>,
}

/// A cloned graph starts with an empty cache: the clone is changed
/// independently of the original, and a cache is cheap to refill.
impl Clone for PlanCache {
    fn clone(&self) -> PlanCache {
        PlanCache::default()
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
}

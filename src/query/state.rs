//! What the query layer keeps with each graph: its plan cache, the search
//! memory kept between queries, and the procedures registered for `CALL`.
//! The graph holds it as an attachment (see `store::attached`), so the
//! store does not depend on the query layer.

use std::any::Any;

use super::cache::PlanCache;
use super::exec::SearchPool;
use super::procedures::Procedures;
use crate::store::attached::Attachment;
use crate::store::Graph;

#[derive(Default)]
pub(crate) struct GraphState {
    plans: PlanCache,
    searches: SearchPool,
    procedures: Procedures,
}

/// A clone of a graph keeps its procedures (they extend what the graph
/// answers) and starts with an empty plan cache and search pool.
impl Attachment for GraphState {
    fn for_clone(&self) -> Box<dyn Attachment> {
        Box::new(GraphState { procedures: self.procedures.clone(), ..GraphState::default() })
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

impl Graph {
    /// Plans for query texts run on this graph (see `Graph::query`).
    pub(crate) fn plan_cache(&self) -> &PlanCache {
        &self.attached::<GraphState>().plans
    }

    /// Search memory kept between queries (see `SearchPool`).
    pub(crate) fn search_pool(&self) -> &SearchPool {
        &self.attached::<GraphState>().searches
    }

    /// Procedures registered for `CALL` (see `Graph::register_procedure`).
    pub(crate) fn procedures(&self) -> &Procedures {
        &self.attached::<GraphState>().procedures
    }

    pub(crate) fn procedures_mut(&mut self) -> &mut Procedures {
        &mut self.attached_mut::<GraphState>().procedures
    }
}

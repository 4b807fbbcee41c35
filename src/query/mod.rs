//! The query language: openCypher, reading and writing.

pub(crate) mod cache;
pub(crate) mod exec;
pub(crate) mod plan;
pub mod procedures;
pub(crate) mod signatures;
mod state;
pub(crate) mod syntax;

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, ErrorClass, QueryError};
use crate::model::Value;
use crate::query::cache::Planned;
use crate::query::plan::Plan;
use crate::result::{ResultSet, RowRef, RowValues};
use crate::store::Graph;

/// Query parameters by name (`$name` in query text).
///
/// Built from pairs of a name and anything that converts into a [`Value`]:
///
/// ```
/// use aikg::{Params, Value};
///
/// let params = Params::from([("id", Value::from("glm-130b"))]);
/// assert_eq!(params.get("id"), Some(&Value::from("glm-130b")));
///
/// let mut params: Params = [("since", 2021)].into_iter().collect();
/// params.insert("names", vec!["GLM-130B", "ChatGLM-6B"]);
/// assert_eq!(params.len(), 2);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params(BTreeMap<String, Value>);

impl Params {
    /// No parameters.
    pub fn new() -> Params {
        Params::default()
    }

    /// Sets parameter `name`, giving back the value it replaces.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<Value>) -> Option<Value> {
        self.0.insert(name.into(), value.into())
    }

    /// Unsets parameter `name`, giving back its value.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        self.0.remove(name)
    }

    /// The value of parameter `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }

    /// The parameters, by name in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Value)> + '_ {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// How many parameters there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// `true` when there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<K: Into<String>, V: Into<Value>, const N: usize> From<[(K, V); N]> for Params {
    fn from(pairs: [(K, V); N]) -> Params {
        pairs.into_iter().collect()
    }
}

impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for Params {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Params {
        Params(pairs.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }
}

impl<K: Into<String>, V: Into<Value>> Extend<(K, V)> for Params {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, pairs: I) {
        self.0.extend(pairs.into_iter().map(|(k, v)| (k.into(), v.into())));
    }
}

/// Limits on one query run. The defaults are unlimited.
#[derive(Debug, Clone, Default)]
pub struct QueryOptions {
    /// Wall-clock budget.
    pub timeout: Option<Duration>,
    /// Most rows the result may have.
    pub max_rows: Option<usize>,
    /// Most relationship expansions the run may make.
    pub max_expansions: Option<u64>,
    /// A handle another thread can use to stop the run.
    pub cancel: Option<CancelHandle>,
    /// Most threads the run may use, the calling thread included; `None`
    /// for the `AIKG_THREADS` environment variable if set, else the cores
    /// the process may use (at most eight). A grouping query that starts
    /// with a scan of thousands of nodes is split over them; a
    /// variable-length search from one node that reaches thousands, and a
    /// hop from one node to thousands, take one thread besides the caller's
    /// (the rows and their order are the same either way); every other
    /// query runs on the calling thread. `Some(1)` keeps every run on the
    /// calling thread.
    ///
    /// ```
    /// use aikg::{Graph, Params, Query, QueryOptions};
    /// let graph = Graph::builtin();
    /// let one = QueryOptions { threads: Some(1), ..QueryOptions::default() };
    /// let query = Query::parse("MATCH (m:Model) RETURN count(*) AS n")?;
    /// let rows = query.run_with(&graph, &Params::new(), &one)?;
    /// assert_eq!(rows.len(), 1);
    /// # Ok::<(), aikg::Error>(())
    /// ```
    pub threads: Option<usize>,
}

/// Stops a running query from another thread.
#[derive(Debug, Clone, Default)]
pub struct CancelHandle(Arc<AtomicBool>);

impl CancelHandle {
    /// A fresh handle.
    pub fn new() -> CancelHandle {
        CancelHandle::default()
    }

    /// Asks every run holding this handle to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// A parsed and checked query, reusable across runs and graphs.
///
/// Parsing and the semantic check happen once, in [`Query::parse`]. The
/// plan depends on the graph (its label sizes), so the first run on a
/// graph plans the query for it; the query keeps that plan, and later runs
/// on the same graph reuse it until the graph gains nodes, relationships
/// or names. Parse a query once and run it many times, as with a prepared
/// statement: that skips even the text lookup of [`Graph::query_with`].
///
/// ```
/// use aikg::{Graph, Params, Query, Value};
///
/// let graph = Graph::builtin();
/// let query = Query::parse("MATCH (c:Company {id: $id}) RETURN c.name AS name")?;
/// let params = Params::from([("id", Value::from("zhipu-ai"))]);
/// let rows = query.run(&graph, &params)?;
/// assert_eq!(rows.len(), 1);
/// # Ok::<(), aikg::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Query {
    text: Arc<str>,
    statement: syntax::ast::Statement,
    /// Has an updating clause: asked on every run, so worked out once.
    writes: bool,
    /// The plans this query made for the graphs it ran on.
    plan: cache::PlanSlot,
}

impl Query {
    /// Parses and checks query text.
    ///
    /// # Errors
    /// [`Error::Query`] with a compile-time [`QueryError`] (syntax or
    /// semantic), carrying the text so that [`QueryError::render`] can draw
    /// the caret.
    pub fn parse(text: &str) -> Result<Query, Error> {
        let statement = syntax::parse_statement(text).map_err(|e| e.with_query(text))?;
        plan::check::check(&statement).map_err(|e| e.with_query(text))?;
        let writes = statement.queries().any(|q| q.clauses.iter().any(syntax::ast::Clause::writes));
        Ok(Query { text: text.into(), statement, writes, plan: cache::PlanSlot::default() })
    }

    /// The query text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// `true` when the query has no updating clause (`CREATE`, `MERGE`,
    /// `SET`, `REMOVE`, `DELETE`).
    pub fn is_read_only(&self) -> bool {
        !self.writes
    }

    pub(crate) fn plan(&self, graph: &Graph) -> Result<Plan, QueryError> {
        plan::plan_statement(&self.statement, graph).map_err(|e| e.with_query(&self.text))
    }

    /// Runs a read-only query.
    ///
    /// # Errors
    /// A runtime [`QueryError`] (type errors, missing parameters), or one
    /// saying to use [`Graph::execute`] when the query has a `CREATE`.
    pub fn run(&self, graph: &Graph, params: &Params) -> Result<ResultSet, Error> {
        self.run_with(graph, params, &QueryOptions::default())
    }

    /// Runs a read-only query within the limits of `options`.
    ///
    /// # Errors
    /// As [`run`](Self::run), and [`ErrorClass::LimitExceeded`] when a limit
    /// is hit or the run is cancelled.
    pub fn run_with(
        &self,
        graph: &Graph,
        params: &Params,
        options: &QueryOptions,
    ) -> Result<ResultSet, Error> {
        self.check_read_only()?;
        self.run_on(exec::GraphAccess::Shared(graph), params, options)
    }

    /// Runs a read-only query and hands each row to `visit`, in order,
    /// without building a [`ResultSet`]; returns the number of rows.
    ///
    /// The values are lent for the call: a point lookup such as
    /// `MATCH (m:Model {id: $id}) RETURN m.name` lends them straight from
    /// the graph, with no allocation and no copy, where [`run`](Self::run)
    /// copies every value into a result that outlives the graph. Nodes and
    /// relationships come as ids into `graph` (see [`RowRef`]). Each row is
    /// handed over as soon as the run makes it, so a long result is never
    /// held whole (a sort or an aggregation still gathers its input first).
    /// Warnings such as an unknown label are not reported here: see
    /// [`ResultSet::warnings`].
    ///
    /// ```
    /// let graph = aikg::Graph::builtin();
    /// let query = aikg::Query::parse("MATCH (m:Model)-[:BUILT_ON]->(b) RETURN m.id AS m, b.id AS b")?;
    /// let mut pairs = Vec::new();
    /// let rows = query.for_each_row(&graph, &aikg::Params::new(), |row| {
    ///     pairs.push((row.get_str("m").unwrap_or("").to_string(), row.get_str("b").unwrap_or("").to_string()));
    /// })?;
    /// assert_eq!(rows, pairs.len());
    /// assert!(pairs.contains(&("chatglm-6b".to_string(), "glm".to_string())));
    /// # Ok::<(), aikg::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`run`](Self::run). A run that fails part way may already have
    /// handed some rows over.
    pub fn for_each_row<F: FnMut(RowRef<'_>)>(
        &self,
        graph: &Graph,
        params: &Params,
        visit: F,
    ) -> Result<usize, Error> {
        self.for_each_row_with(graph, params, &QueryOptions::default(), visit)
    }

    /// [`for_each_row`](Self::for_each_row) within the limits of `options`.
    ///
    /// # Errors
    /// As [`run_with`](Self::run_with).
    pub fn for_each_row_with<F: FnMut(RowRef<'_>)>(
        &self,
        graph: &Graph,
        params: &Params,
        options: &QueryOptions,
        mut visit: F,
    ) -> Result<usize, Error> {
        self.visit_rows(graph, params, options, &mut visit)
    }

    /// The body of `for_each_row_with`, compiled once rather than once per
    /// caller's closure.
    fn visit_rows(
        &self,
        graph: &Graph,
        params: &Params,
        options: &QueryOptions,
        visit: &mut dyn FnMut(RowRef<'_>),
    ) -> Result<usize, Error> {
        self.check_read_only()?;
        let planned = self.plan.planned(self, graph)?;
        self.visit_planned(&planned, graph, params, options, visit)
    }

    /// Lends the rows of this query's plan (made for `graph`, or for a
    /// graph of the same shape: see `query::cache`) to `visit`. Inlined
    /// into its two callers: a point lookup would pay a call's worth.
    #[inline]
    fn visit_planned(
        &self,
        planned: &Planned,
        graph: &Graph,
        params: &Params,
        options: &QueryOptions,
        visit: &mut dyn FnMut(RowRef<'_>),
    ) -> Result<usize, Error> {
        check_params(params, graph).map_err(|e| e.with_query(&self.text))?;
        if self.statement.explain {
            let columns = ["plan".to_string()];
            let lines: Vec<Value> = planned.plan.explain().lines().map(Value::from).collect();
            for line in &lines {
                visit(RowRef::new(&columns, RowValues::Owned(std::slice::from_ref(line))));
            }
            return Ok(lines.len());
        }
        exec::for_each(planned, graph, params, options, visit).map_err(|e| e.with_query(&self.text).into())
    }

    /// Runs a query that may write (`CREATE`, `MERGE`, `SET`, `REMOVE`,
    /// `DELETE`).
    ///
    /// # Errors
    /// As [`run`](Self::run); a write that breaks the graph's schema, or
    /// deletes a node that keeps relationships, is a runtime error. A
    /// statement that fails changes nothing: the changes it made before the
    /// error are undone.
    pub fn run_mut(&self, graph: &mut Graph, params: &Params) -> Result<ResultSet, Error> {
        self.run_mut_with(graph, params, &QueryOptions::default())
    }

    /// Runs a query that may write, within the limits of `options`.
    ///
    /// # Errors
    /// As [`run_mut`](Self::run_mut) and [`run_with`](Self::run_with).
    pub fn run_mut_with(
        &self,
        graph: &mut Graph,
        params: &Params,
        options: &QueryOptions,
    ) -> Result<ResultSet, Error> {
        self.run_on(exec::GraphAccess::Mut(graph), params, options)
    }

    fn check_read_only(&self) -> Result<(), Error> {
        if !self.is_read_only() && !self.statement.explain {
            return Err(QueryError::compile(
                ErrorClass::Unsupported,
                "ReadOnly",
                "this query writes to the graph: use Graph::execute for CREATE, MERGE, SET, REMOVE or DELETE",
                Some(self.statement.query.span),
            )
            .with_query(&self.text)
            .into());
        }
        Ok(())
    }

    fn run_on(
        &self,
        graph: exec::GraphAccess<'_>,
        params: &Params,
        options: &QueryOptions,
    ) -> Result<ResultSet, Error> {
        let planned = self.plan.planned(self, graph.get())?;
        self.run_planned(&planned, graph, params, options)
    }

    /// Runs this query's plan (made for `graph`, or for a graph of the same
    /// shape: see `query::cache`).
    pub(crate) fn run_planned(
        &self,
        planned: &Planned,
        mut graph: exec::GraphAccess<'_>,
        params: &Params,
        options: &QueryOptions,
    ) -> Result<ResultSet, Error> {
        check_params(params, graph.get()).map_err(|e| e.with_query(&self.text))?;
        let plan = &planned.plan;
        if self.statement.explain {
            let rows = plan.explain().lines().map(|l| vec![Value::from(l)]).collect();
            return Ok(ResultSet::new(graph.get(), vec!["plan".to_string()], rows));
        }
        let output =
            exec::execute(planned, &mut graph, params, options).map_err(|e| e.with_query(&self.text))?;
        planned.record_rows(output.len);
        Ok(ResultSet::from_values(
            graph.get(),
            planned.columns.clone(),
            output.values,
            output.len,
            output.stats,
            // Most plans have no warnings, and cloning an empty vector
            // still runs the general clone path on every call.
            if planned.warnings.is_empty() { Vec::new() } else { planned.warnings.clone() },
        ))
    }

    /// The plan the query would run with on `graph`, as indented text.
    ///
    /// # Errors
    /// A compile-time [`QueryError`] for constructs the planner does not
    /// support.
    pub fn explain(&self, graph: &Graph) -> Result<String, Error> {
        Ok(self.plan(graph)?.explain())
    }
}

/// Parameters may hold nodes, relationships and paths, which must belong to
/// the graph the query runs on. Inlined for the common case, scalars only.
#[inline]
fn check_params(params: &Params, graph: &Graph) -> Result<(), QueryError> {
    if params.0.values().all(Value::is_scalar) {
        return Ok(());
    }
    check_entity_params(params, graph)
}

#[inline(never)]
fn check_entity_params(params: &Params, graph: &Graph) -> Result<(), QueryError> {
    fn check(v: &Value, graph: &Graph) -> Option<String> {
        match v {
            Value::Node(n) if n.index() >= graph.node_slots() || graph.node_is_dead(*n) => {
                Some(format!("node {}", n.0))
            }
            Value::Relationship(r) if r.index() >= graph.edge_slots() || graph.edge_is_dead(*r) => {
                Some(format!("relationship {}", r.0))
            }
            Value::Path(p) => p
                .nodes
                .iter()
                .map(|n| Value::Node(*n))
                .chain(p.rels.iter().map(|r| Value::Relationship(*r)))
                .find_map(|v| check(&v, graph)),
            Value::List(items) => items.iter().find_map(|v| check(v, graph)),
            Value::Map(m) => m.values().find_map(|v| check(v, graph)),
            _ => None,
        }
    }
    for (name, v) in params.iter() {
        if let Some(what) = check(v, graph) {
            return Err(QueryError::runtime(
                ErrorClass::ArgumentError,
                "InvalidArgumentValue",
                format!("parameter ${name} holds {what}, which is not in the graph"),
                None,
            ));
        }
    }
    Ok(())
}

impl plan::Catalog for Graph {
    fn node_count(&self) -> usize {
        Graph::node_count(self)
    }

    fn label_count(&self, label: &str) -> usize {
        self.label_id(label).map_or(0, |l| self.nodes_with_label(l).len())
    }

    fn procedure(&self, name: &str) -> Option<&procedures::ProcedureSignature> {
        self.procedures().get(name).map(|p| &p.signature)
    }
}

impl plan::mismatch::StoredValues for Graph {
    fn for_each_value(
        &self,
        holder: &plan::mismatch::Holder,
        key: &str,
        visit: &mut dyn FnMut(&Value) -> ControlFlow<()>,
    ) {
        let Some(key) = self.key_id(key) else { return };
        match holder {
            plan::mismatch::Holder::Nodes(labels) => {
                let nodes: Box<dyn Iterator<Item = crate::model::NodeId>> = match labels.first() {
                    Some(label) => match self.label_id(label) {
                        Some(label) => Box::new(self.nodes_with_label(label).iter().copied()),
                        None => return,
                    },
                    None => Box::new(self.node_ids()),
                };
                for node in nodes {
                    if self.node_property(node, key).map_or(ControlFlow::Continue(()), &mut *visit).is_break()
                    {
                        return;
                    }
                }
            }
            plan::mismatch::Holder::Rels(types) => {
                let ids: Vec<_> = types.iter().filter_map(|t| self.rel_type_id(t)).collect();
                if ids.is_empty() && !types.is_empty() {
                    return;
                }
                for edge in self.edge_ids() {
                    if (ids.is_empty() || ids.contains(&self.edge_type(edge)))
                        && self
                            .edge_property(edge, key)
                            .map_or(ControlFlow::Continue(()), &mut *visit)
                            .is_break()
                    {
                        return;
                    }
                }
            }
        }
    }
}

/// The warnings to attach to `query`'s results on `graph`: comparisons
/// that the types `graph` holds make never true, and, on graphs with a
/// schema (where a typo is the likely reason for an empty result),
/// did-you-mean notes for labels, relationship types and property keys
/// that neither the graph nor its schema knows.
fn warnings(plan: &Plan, query: &Query, graph: &Graph) -> Vec<String> {
    use crate::store::Vocab;
    let mut out = plan::mismatch::warnings(&query.statement, &query.text, graph);
    if graph.schema().is_none() {
        return out;
    }
    for m in &plan.mentions {
        let (kind, what) = match m.kind {
            plan::logical::NameKind::Label => (Vocab::Label, "label"),
            plan::logical::NameKind::RelType => (Vocab::RelType, "relationship type"),
            plan::logical::NameKind::Key => (Vocab::Key, "property key"),
        };
        let Err(suggestions) = graph.check_name(kind, &m.name) else { continue };
        let text = format!("unknown {what} '{}'{}", m.name, crate::error::did_you_mean(&suggestions));
        if !out.contains(&text) {
            out.push(text);
        }
    }
    out
}

impl Graph {
    /// Runs a read-only query.
    ///
    /// The graph keeps the plans of the last 256 query texts it ran, so
    /// sending the same text again (with different parameters) skips
    /// parsing, checking and planning; the cache empties itself when the
    /// graph gains nodes, relationships or names. [`Query::parse`] gives a
    /// query to run on any graph instead, which keeps its own plans.
    ///
    /// ```
    /// let graph = aikg::Graph::builtin();
    /// let rows = graph.query("MATCH (c:Company) RETURN count(*) AS n")?;
    /// assert!(rows.iter().next().unwrap().get_int("n").unwrap() > 10);
    /// # Ok::<(), aikg::Error>(())
    /// ```
    ///
    /// # Errors
    /// A [`QueryError`] from parsing, checking or running; queries that
    /// write need [`Graph::execute`].
    pub fn query(&self, text: &str) -> Result<ResultSet, Error> {
        self.query_with(text, &Params::new())
    }

    /// Runs a read-only query with parameters.
    ///
    /// # Errors
    /// As [`Graph::query`].
    pub fn query_with(&self, text: &str, params: &Params) -> Result<ResultSet, Error> {
        let prepared = self.plan_cache().prepare(self, text)?;
        prepared.query.check_read_only()?;
        prepared.query.run_planned(
            &prepared.planned,
            exec::GraphAccess::Shared(self),
            params,
            &QueryOptions::default(),
        )
    }

    /// Runs a read-only query with parameters and lends each row to
    /// `visit`, as [`Query::for_each_row`] does, finding the plan by the
    /// text as [`Graph::query_with`] does; returns the number of rows.
    ///
    /// ```
    /// let graph = aikg::Graph::builtin();
    /// let params = aikg::Params::from([("id", aikg::Value::from("zhipu-ai"))]);
    /// let mut models = Vec::new();
    /// graph.for_each_row("MATCH (m:Model)-[:DEVELOPED_BY]->(:Company {id: $id}) RETURN m.id", &params, |row| {
    ///     models.extend(row.value(0).and_then(aikg::Value::as_str).map(str::to_string));
    /// })?;
    /// assert!(models.iter().any(|m| m == "glm-130b"));
    /// # Ok::<(), aikg::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Graph::query`]. A run that fails part way may already have
    /// handed some rows over.
    pub fn for_each_row<F: FnMut(RowRef<'_>)>(
        &self,
        text: &str,
        params: &Params,
        mut visit: F,
    ) -> Result<usize, Error> {
        let prepared = self.plan_cache().prepare(self, text)?;
        prepared.query.check_read_only()?;
        prepared.query.visit_planned(&prepared.planned, self, params, &QueryOptions::default(), &mut visit)
    }

    /// Runs a query that may write to the graph (`CREATE`, `MERGE`, `SET`,
    /// `REMOVE`, `[DETACH] DELETE`); the result's [`stats`](ResultSet::stats)
    /// count what changed. A statement is all or nothing: one that fails
    /// leaves the graph as it was.
    ///
    /// ```
    /// let mut graph = aikg::Graph::new();
    /// graph.execute("CREATE (:Model {id: 'a'})-[:BUILT_ON]->(:Model {id: 'b'})")?;
    /// let rows = graph.query("MATCH (m)-[:BUILT_ON]->(b) RETURN b.id AS base")?;
    /// assert_eq!(rows.iter().next().unwrap().get_str("base"), Some("b"));
    ///
    /// let merged = graph.execute("MERGE (m:Model {id: 'a'}) ON MATCH SET m.seen = true")?;
    /// assert_eq!((merged.stats().nodes_created, merged.stats().properties_set), (0, 1));
    ///
    /// // `a` still has a relationship: the DELETE fails and nothing changes.
    /// assert!(graph.execute("MATCH (m:Model {id: 'a'}) SET m.gone = true DELETE m").is_err());
    /// assert_eq!(graph.query("MATCH (m {gone: true}) RETURN m")?.len(), 0);
    /// let deleted = graph.execute("MATCH (m:Model {id: 'a'}) DETACH DELETE m")?;
    /// assert_eq!((deleted.stats().nodes_deleted, deleted.stats().relationships_deleted), (1, 1));
    /// assert_eq!(graph.node_count(), 1);
    /// # Ok::<(), aikg::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Graph::query`], plus schema violations on a graph with a schema,
    /// deleting a node that keeps relationships without `DETACH`, and
    /// property values that cannot be stored.
    pub fn execute(&mut self, text: &str) -> Result<ResultSet, Error> {
        self.execute_with(text, &Params::new())
    }

    /// Runs a query that may write, with parameters.
    ///
    /// # Errors
    /// As [`Graph::execute`].
    pub fn execute_with(&mut self, text: &str, params: &Params) -> Result<ResultSet, Error> {
        let prepared = self.plan_cache().prepare(self, text)?;
        prepared.query.run_planned(
            &prepared.planned,
            exec::GraphAccess::Mut(self),
            params,
            &QueryOptions::default(),
        )
    }
}

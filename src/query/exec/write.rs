//! The updating operators: `SET`/`REMOVE` (`Op::Update`), `[DETACH]
//! DELETE` and `MERGE`, and the end-of-statement check that no deleted node
//! keeps a relationship. `CREATE` is in `create.rs`.
//!
//! Every updating operator is eager: it runs after all its input rows have
//! been produced, so a statement never reads what its own later rows wrote
//! (the TCK's `Limiting to zero results after ... affects the result set
//! but not the side effects` scenarios). Within one operator the rows are
//! applied in order, each seeing the ones before it: a `MERGE` finds what an
//! earlier row of the same `MERGE` created.

use super::eval::eval;
use super::ops::{self, Sink};
use super::{create, Budget, Ctx, Flow, Names, Row};
use crate::error::{ErrorClass, QueryError, Span};
use crate::model::{NodeId, Value};
use crate::query::plan::logical::{Change, Expr, Merge, Plan, UpdateItem};
use crate::query::Params;
use crate::result::QueryStats;
use crate::store::Graph;

/// What a statement's updates leave to check when it ends.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    /// Nodes deleted without `DETACH`: they must have no relationship left
    /// when the statement ends (one deleted later in the statement is fine).
    deleted_nodes: Vec<(NodeId, Span)>,
}

/// The run's fixed inputs, for evaluating expressions as the graph changes.
pub(crate) struct Env<'r> {
    pub(crate) plan: &'r Plan,
    pub(crate) params: &'r Params,
    pub(crate) budget: &'r Budget<'r>,
}

impl Env<'_> {
    /// `e`'s value in `row` on the graph as it is now.
    fn eval(&self, e: &Expr, row: &Row, graph: &Graph) -> Result<Value, QueryError> {
        let names = Names::resolve(self.plan, graph);
        let cx = Ctx::new(graph, self.params, self.plan, &names, self.budget);
        Ok(eval(e, row, &cx)?.into_owned())
    }
}

fn type_error(detail: &'static str, message: String, span: Span) -> QueryError {
    QueryError::runtime(ErrorClass::TypeError, detail, message, Some(span))
}

/// Applies `SET`/`REMOVE` items to each row.
pub(crate) fn update(
    items: &[UpdateItem],
    rows: Vec<Row>,
    graph: &mut Graph,
    env: &Env<'_>,
    stats: &mut QueryStats,
) -> Result<Vec<Row>, QueryError> {
    for row in &rows {
        apply_items(items, row, graph, env, stats)?;
    }
    Ok(rows)
}

fn apply_items(
    items: &[UpdateItem],
    row: &Row,
    graph: &mut Graph,
    env: &Env<'_>,
    stats: &mut QueryStats,
) -> Result<(), QueryError> {
    for item in items {
        env.budget.tick()?;
        apply_item(item, row, graph, env, stats)?;
    }
    Ok(())
}

/// The node or relationship an item changes.
enum Target {
    Node(NodeId),
    Rel(crate::model::EdgeId),
}

fn apply_item(
    item: &UpdateItem,
    row: &Row,
    graph: &mut Graph,
    env: &Env<'_>,
    stats: &mut QueryStats,
) -> Result<(), QueryError> {
    let target = match env.eval(&item.entity, row, graph)? {
        Value::Null => return Ok(()),
        Value::Node(n) => Target::Node(n),
        Value::Relationship(r) if !matches!(item.change, Change::AddLabels(_) | Change::RemoveLabels(_)) => {
            Target::Rel(r)
        }
        other => {
            let what = match item.change {
                Change::AddLabels(_) | Change::RemoveLabels(_) => "labels need a node",
                _ => "properties need a node or a relationship",
            };
            return Err(type_error(
                "InvalidArgumentType",
                format!("{what}, found {}", other.type_name()),
                item.entity.span,
            ));
        }
    };
    // Writing to a deleted entity would revive properties the undo record
    // already holds, so it fails as reading one does.
    match target {
        Target::Node(n) if graph.node_is_dead(n) => {
            return Err(super::deleted_entity("node", item.entity.span))
        }
        Target::Rel(r) if graph.edge_is_dead(r) => {
            return Err(super::deleted_entity("relationship", item.entity.span))
        }
        _ => {}
    }
    let (set, removed) = match &item.change {
        Change::SetProperty(key, value) => {
            let value = env.eval(value, row, graph)?;
            create::check_property(key, &value, item.span)?;
            write_properties(graph, &target, false, &[(key.as_str(), value)])
        }
        Change::RemoveProperty(key) => {
            write_properties(graph, &target, false, &[(key.as_str(), Value::Null)])
        }
        Change::SetProperties { value, merge } => {
            let map: Vec<(String, Value)> = match env.eval(value, row, graph)? {
                Value::Map(m) => m.into_iter().collect(),
                Value::Node(n) => {
                    graph.node(n).properties().map(|(k, v)| (k.to_string(), v.clone())).collect()
                }
                Value::Relationship(r) => {
                    graph.edge(r).properties().map(|(k, v)| (k.to_string(), v.clone())).collect()
                }
                Value::Null if *merge => Vec::new(),
                Value::Null => return Ok(()),
                other => {
                    return Err(type_error(
                        "InvalidArgumentType",
                        format!("SET needs a map of properties, found {}", other.type_name()),
                        value.span,
                    ))
                }
            };
            for (k, v) in &map {
                create::check_property(k, v, item.span)?;
            }
            let changes: Vec<(&str, Value)> = map.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            write_properties(graph, &target, !merge, &changes)
        }
        Change::AddLabels(labels) | Change::RemoveLabels(labels) => {
            let Target::Node(n) = target else { unreachable!("labels were checked to be on a node") };
            let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
            if let Change::AddLabels(_) = item.change {
                stats.labels_added += graph.add_labels(n, &labels);
            } else {
                stats.labels_removed += graph.remove_labels(n, &labels);
            }
            (0, 0)
        }
    };
    stats.properties_set += set + removed;
    Ok(())
}

fn write_properties(
    graph: &mut Graph,
    target: &Target,
    replace: bool,
    changes: &[(&str, Value)],
) -> (usize, usize) {
    match *target {
        Target::Node(n) => graph.update_node_properties(n, replace, changes),
        Target::Rel(r) => graph.update_edge_properties(r, replace, changes),
    }
}

/// Deletes what the expressions give for each row.
pub(crate) fn delete(
    exprs: &[Expr],
    detach: bool,
    rows: Vec<Row>,
    graph: &mut Graph,
    env: &Env<'_>,
    stats: &mut QueryStats,
    pending: &mut Pending,
) -> Result<Vec<Row>, QueryError> {
    for row in &rows {
        for e in exprs {
            env.budget.tick()?;
            let value = env.eval(e, row, graph)?;
            delete_value(&value, detach, e.span, graph, stats, pending)?;
        }
    }
    graph.purge_deleted();
    Ok(rows)
}

fn delete_value(
    value: &Value,
    detach: bool,
    span: Span,
    graph: &mut Graph,
    stats: &mut QueryStats,
    pending: &mut Pending,
) -> Result<(), QueryError> {
    match value {
        Value::Null => {}
        Value::Relationship(r) => {
            if graph.delete_edge(*r) {
                stats.relationships_deleted += 1;
            }
        }
        Value::Node(n) => delete_node(*n, detach, span, graph, stats, pending),
        Value::Path(p) => {
            for r in &p.rels {
                if graph.delete_edge(*r) {
                    stats.relationships_deleted += 1;
                }
            }
            for n in &p.nodes {
                delete_node(*n, detach, span, graph, stats, pending);
            }
        }
        other => {
            return Err(type_error(
                "InvalidArgumentType",
                format!("DELETE needs a node, relationship or path, found {}", other.type_name()),
                span,
            ))
        }
    }
    Ok(())
}

fn delete_node(
    n: NodeId,
    detach: bool,
    span: Span,
    graph: &mut Graph,
    stats: &mut QueryStats,
    pending: &mut Pending,
) {
    if detach {
        for r in graph.live_edges_of(n) {
            if graph.delete_edge(r) {
                stats.relationships_deleted += 1;
            }
        }
    }
    if graph.delete_node(n) {
        stats.nodes_deleted += 1;
        if !detach {
            pending.deleted_nodes.push((n, span));
        }
    }
}

/// The end-of-statement check: a node deleted without `DETACH` has no
/// relationship left.
pub(crate) fn check_pending(pending: &Pending, graph: &Graph) -> Result<(), QueryError> {
    for (n, span) in &pending.deleted_nodes {
        let left = graph.live_edges_of(*n).len();
        if left > 0 {
            return Err(QueryError::runtime(
                ErrorClass::ConstraintVerificationFailed,
                "DeleteConnectedNode",
                format!(
                    "cannot delete a node that still has {left} relationship{}: delete them first, or use DETACH DELETE",
                    if left == 1 { "" } else { "s" }
                ),
                Some(*span),
            ));
        }
    }
    Ok(())
}

/// `MERGE`: for each row in turn, the matches of the pattern, or the
/// pattern created.
pub(crate) fn merge(
    m: &Merge,
    rows: Vec<Row>,
    graph: &mut Graph,
    env: &Env<'_>,
    stats: &mut QueryStats,
) -> Result<Vec<Row>, QueryError> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        env.budget.tick()?;
        let matched = {
            let names = Names::resolve(env.plan, graph);
            let cx = Ctx::new(graph, env.params, env.plan, &names, env.budget);
            let mut stages = ops::build_tree(&m.inner, &cx)?;
            let mut matched: Vec<Row> = Vec::new();
            let mut collect = |r: &mut Row| -> Result<Flow, QueryError> {
                matched.push(r.clone());
                Ok(Flow::Continue)
            };
            let sink: &mut Sink<'_> = &mut collect;
            let outcome = ops::run(&mut stages, std::iter::once(row.clone()), &cx, sink);
            ops::recycle(stages, graph);
            outcome?;
            matched
        };
        if matched.is_empty() {
            let created = create::apply_merge(&m.create, row, graph, env, stats)?;
            let mut row = created;
            for (from, to) in &m.copy {
                row[*to] = row[*from].clone();
            }
            apply_items(&m.on_create, &row, graph, env, stats)?;
            out.push(row);
        } else {
            for row in matched {
                apply_items(&m.on_match, &row, graph, env, stats)?;
                out.push(row);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use crate::{Graph, Value};

    fn run(g: &mut Graph, q: &str) -> Vec<Vec<Value>> {
        let rs = g.execute(q).unwrap_or_else(|e| panic!("{q}: {e}"));
        rs.rows().map(|r| r.to_vec()).collect()
    }

    #[test]
    fn merge_does_not_match_deleted_nodes() {
        let mut g = Graph::new();
        run(&mut g, "CREATE (:A {num: 1}), (:A {num: 2})");
        let rows = run(&mut g, "MATCH (a:A) DELETE a MERGE (a2:A) RETURN a2.num");
        assert_eq!(rows, [[Value::Null], [Value::Null]]);
        assert_eq!(g.node_count(), 1);
    }
}

//! `CREATE`: adds the pattern's nodes and relationships once per input row.

use super::eval::eval;
use super::ops::build_path;
use super::{Budget, Ctx, Names, Row};
use crate::error::{did_you_mean, ErrorClass, QueryError, Span};
use crate::model::{NodeId, Value};
use crate::query::plan::logical::{CreateAction, CreateProps, Plan};
use crate::query::Params;
use crate::result::QueryStats;
use crate::store::Graph;

fn create_error(detail: &'static str, message: String, span: Span) -> QueryError {
    QueryError::runtime(ErrorClass::TypeError, detail, message, Some(span))
}

/// Evaluates the properties of one entity against `row` (on a shared
/// borrow of the graph, before anything is added).
fn properties(
    props: &CreateProps,
    row: &Row,
    graph: &Graph,
    plan: &Plan,
    params: &Params,
    budget: &Budget<'_>,
    merge: bool,
) -> Result<Vec<(String, Value)>, QueryError> {
    let names = Names::resolve(plan, graph);
    let cx = Ctx::new(graph, params, plan, &names, budget);
    let mut out = Vec::new();
    match props {
        CreateProps::Map(items) => {
            for (k, e) in items {
                let v = eval(e, row, &cx)?.into_owned();
                check_property(k, &v, e.span)?;
                out.push((k.clone(), v));
            }
        }
        CreateProps::Expr(e) => match eval(e, row, &cx)?.into_owned() {
            Value::Map(m) => {
                for (k, v) in m {
                    check_property(&k, &v, e.span)?;
                    out.push((k, v));
                }
            }
            Value::Null => {}
            other => {
                return Err(create_error(
                    "InvalidArgumentType",
                    format!("properties to create must be a map, found {}", other.type_name()),
                    e.span,
                ))
            }
        },
    }
    if merge {
        // MERGE matched on these values; a null never matches, so creating
        // would make what the next identical MERGE cannot find.
        if let Some((k, _)) = out.iter().find(|(_, v)| v.is_null()) {
            let span = match props {
                CreateProps::Map(items) => items.iter().find(|(key, _)| key == k).map(|(_, e)| e.span),
                CreateProps::Expr(e) => Some(e.span),
            };
            return Err(QueryError::runtime(
                ErrorClass::SemanticError,
                "MergeReadOwnWrites",
                format!("cannot merge on a null property value: '{k}' is null"),
                span,
            ));
        }
    }
    // Null properties are not stored.
    out.retain(|(_, v)| !v.is_null());
    Ok(out)
}

/// Property values must be scalars or lists of scalars.
pub(super) fn check_property(key: &str, v: &Value, span: Span) -> Result<(), QueryError> {
    let ok = match v {
        Value::List(items) => items.iter().all(Value::is_scalar),
        other => other.is_scalar(),
    };
    if ok {
        Ok(())
    } else {
        Err(create_error(
            "InvalidPropertyType",
            format!("property '{key}' cannot hold a value of type {}", v.type_name()),
            span,
        ))
    }
}

/// Applies the actions once per row; returns the rows with the new
/// entities bound.
pub(crate) fn apply(
    actions: &[CreateAction],
    rows: Vec<Row>,
    graph: &mut Graph,
    plan: &Plan,
    params: &Params,
    budget: &Budget<'_>,
    stats: &mut QueryStats,
) -> Result<Vec<Row>, QueryError> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(apply_row(actions, row, graph, plan, params, budget, stats, false)?);
    }
    Ok(out)
}

/// Creates `MERGE`'s pattern for one row; null properties are an error.
pub(super) fn apply_merge(
    actions: &[CreateAction],
    row: Row,
    graph: &mut Graph,
    env: &super::write::Env<'_>,
    stats: &mut QueryStats,
) -> Result<Row, QueryError> {
    apply_row(actions, row, graph, env.plan, env.params, env.budget, stats, true)
}

#[allow(clippy::too_many_arguments)]
fn apply_row(
    actions: &[CreateAction],
    mut row: Row,
    graph: &mut Graph,
    plan: &Plan,
    params: &Params,
    budget: &Budget<'_>,
    stats: &mut QueryStats,
    merge: bool,
) -> Result<Row, QueryError> {
    {
        for action in actions {
            budget.tick()?;
            match action {
                CreateAction::Node { slot, labels, properties: props, span } => {
                    let props = properties(props, &row, graph, plan, params, budget, merge)?;
                    if let Some(schema) = graph.schema() {
                        for l in labels {
                            if !schema.has_label(l) {
                                let known: Vec<&str> = schema.labels.iter().map(|(n, _)| *n).collect();
                                return Err(create_error(
                                    "SchemaViolation",
                                    format!(
                                        "label '{l}' is not in the graph's schema{}",
                                        did_you_mean(&crate::store::closest(l, known, 3))
                                    ),
                                    *span,
                                ));
                            }
                        }
                    }
                    stats.nodes_created += 1;
                    stats.labels_added += labels.len();
                    stats.properties_set += props.len();
                    let id = graph.add_node(
                        labels.iter().map(String::as_str),
                        props.iter().map(|(k, v)| (k.as_str(), v.clone())),
                    );
                    row[*slot] = Value::Node(id);
                }
                CreateAction::Rel { slot, from, to, rel_type, properties: props, span } => {
                    let end = |v: &Value, which: &str| -> Result<NodeId, QueryError> {
                        match v {
                            Value::Node(n) => Ok(*n),
                            other => Err(create_error(
                                "InvalidArgumentType",
                                format!(
                                    "cannot create a relationship whose {which} node is {}",
                                    other.type_name()
                                ),
                                *span,
                            )),
                        }
                    };
                    let (src, dst) = (end(&row[*from], "start")?, end(&row[*to], "end")?);
                    let props = properties(props, &row, graph, plan, params, budget, merge)?;
                    if let Some(schema) = graph.schema() {
                        match schema.relation(rel_type) {
                            None => {
                                let known: Vec<&str> = schema.relations.iter().map(|r| r.name).collect();
                                return Err(create_error(
                                    "SchemaViolation",
                                    format!(
                                        "relationship type '{rel_type}' is not in the graph's schema{}",
                                        did_you_mean(&crate::store::closest(rel_type, known, 3))
                                    ),
                                    *span,
                                ));
                            }
                            Some(rule) => {
                                let (a, b) = (graph.node(src), graph.node(dst));
                                let (la, lb): (Vec<&str>, Vec<&str>) =
                                    (a.labels().collect(), b.labels().collect());
                                if !rule.allows(la.iter().copied(), lb.iter().copied()) {
                                    return Err(create_error(
                                        "SchemaViolation",
                                        format!(
                                            "the schema does not allow {rel_type} from {} to {}",
                                            label_text(graph, src),
                                            label_text(graph, dst)
                                        ),
                                        *span,
                                    ));
                                }
                            }
                        }
                    }
                    stats.relationships_created += 1;
                    stats.properties_set += props.len();
                    let id = graph.add_edge(
                        src,
                        dst,
                        rel_type,
                        props.iter().map(|(k, v)| (k.as_str(), v.clone())),
                    );
                    row[*slot] = Value::Relationship(id);
                }
                CreateAction::Path { slot, start, steps } => {
                    row[*slot] = build_path(graph, &row, *start, steps);
                }
            }
        }
    }
    Ok(row)
}

fn label_text(graph: &Graph, n: NodeId) -> String {
    let labels: Vec<String> = graph.node(n).labels().map(|l| format!(":{l}")).collect();
    if labels.is_empty() {
        "a node without labels".to_string()
    } else {
        labels.join("")
    }
}

//! Warnings for comparisons that can never hold because the property
//! compared holds values of another type than the literal it is compared
//! with: `r.year = '2021'` where every `year` is an integer, or
//! `m.released >= 2022` where every `released` is a string. The query is
//! valid openCypher and runs (its answer is just empty), so this is a
//! warning beside the unknown-name ones, not an error.
//!
//! The types are the ones the graph holds, not the schema's, so the rule
//! works as well for bulk CSV graphs, whose column types come from the
//! data. A variable bound by a node or relationship pattern looks at the
//! values under the key on its first label (or its types); one with no
//! label looks at every node (or relationship).

use std::collections::HashMap;
use std::ops::ControlFlow;

use crate::model::Value;
use crate::query::syntax::ast::{
    Clause, CompareOp, Expr, ExprKind, Literal, NodePattern, PatternPart, Projection, Properties, Statement,
    UnaryOp,
};

/// Which stored entities a variable stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holder {
    /// Nodes carrying the first of these labels (all nodes if none).
    Nodes(Vec<String>),
    /// Relationships of one of these types (all of them if none).
    Rels(Vec<String>),
}

impl Holder {
    fn describe(&self) -> String {
        match self {
            Holder::Nodes(labels) => match labels.first() {
                Some(l) => format!("{l} nodes"),
                None => "nodes".to_string(),
            },
            Holder::Rels(types) if types.is_empty() => "relationships".to_string(),
            Holder::Rels(types) => format!("{} relationships", types.join(" and ")),
        }
    }
}

/// The values a graph holds under a property key.
pub trait StoredValues {
    /// Calls `visit` on each value stored under `key` on what `holder`
    /// names, until it breaks. The cost is a scan of those entities, so a
    /// caller stops as soon as it knows enough.
    fn for_each_value(&self, holder: &Holder, key: &str, visit: &mut dyn FnMut(&Value) -> ControlFlow<()>);
}

/// The classes of values that can compare equal or ordered with each
/// other: integers and floats compare numerically, everything else only
/// within its own type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Number,
    String,
    Boolean,
    Other,
}

fn class_of(value: &Value) -> Option<Class> {
    match value {
        Value::Null => None,
        Value::Int(_) | Value::Float(_) => Some(Class::Number),
        Value::String(_) => Some(Class::String),
        Value::Bool(_) => Some(Class::Boolean),
        _ => Some(Class::Other),
    }
}

/// The plural a stored value's type reads as in a warning.
fn plural(value: &Value) -> String {
    match value {
        Value::Int(_) => "integers".to_string(),
        Value::Float(_) => "floats".to_string(),
        Value::String(_) => "strings".to_string(),
        Value::Bool(_) => "booleans".to_string(),
        other => format!("{}s", other.type_name().to_lowercase()),
    }
}

/// A literal's class and the type it reads as: `'2021'` is a string.
fn literal_class(e: &Expr) -> Option<(Class, &'static str)> {
    match &e.kind {
        ExprKind::Literal(Literal::Integer(_)) => Some((Class::Number, "an integer")),
        ExprKind::Literal(Literal::Float(_)) => Some((Class::Number, "a float")),
        ExprKind::Literal(Literal::String(_)) => Some((Class::String, "a string")),
        ExprKind::Literal(Literal::Bool(_)) => Some((Class::Boolean, "a boolean")),
        ExprKind::Unary(UnaryOp::Negate | UnaryOp::Plus, inner)
            if matches!(inner.kind, ExprKind::Literal(Literal::Integer(_) | Literal::Float(_))) =>
        {
            literal_class(inner)
        }
        _ => None,
    }
}

/// `var.key` as its two names.
fn property_of_variable(e: &Expr) -> Option<(&str, &str)> {
    match &e.kind {
        ExprKind::Property(base, key) => match &base.kind {
            ExprKind::Variable(v) => Some((v, &key.name)),
            _ => None,
        },
        _ => None,
    }
}

/// One warning per comparison in `statement` (written as `text`) that can
/// never hold for the values `graph` stores, in the order written.
pub fn warnings(statement: &Statement, text: &str, graph: &dyn StoredValues) -> Vec<String> {
    let mut check = Check { graph, text, scope: HashMap::new(), out: Vec::new() };
    for clause in &statement.query.clauses {
        match clause {
            Clause::Match(m) => {
                for part in &m.pattern {
                    check.bind_pattern(part, true);
                }
                if let Some(w) = &m.where_ {
                    check.expr(w);
                }
            }
            Clause::Create(c) => {
                for part in &c.pattern {
                    check.bind_pattern(part, false);
                }
            }
            Clause::Unwind(u) => {
                check.expr(&u.expr);
                check.scope.remove(&u.var.name);
            }
            // A procedure's outputs have no stored type to compare with.
            Clause::Call(_) => {}
            Clause::Merge(m) => check.bind_pattern(&m.pattern, false),
            // Values written here are not the stored ones the warnings
            // compare with: later comparisons on these variables are not
            // checked.
            Clause::Set(_) | Clause::Remove(_) => check.scope.clear(),
            Clause::Delete(_) => {}
            Clause::With(p) => {
                check.projection(p);
                check.project(p);
                if let Some(w) = &p.where_ {
                    check.expr(w);
                }
            }
            Clause::Return(p) => check.projection(p),
        }
    }
    check.out
}

struct Check<'a> {
    graph: &'a dyn StoredValues,
    text: &'a str,
    /// What each variable in scope stands for, when a pattern bound it.
    scope: HashMap<String, Holder>,
    out: Vec<String>,
}

impl Check<'_> {
    /// Binds a pattern's variables; in `MATCH` (`matched`), its property
    /// maps are equality tests to check too.
    fn bind_pattern(&mut self, part: &PatternPart, matched: bool) {
        let element = &part.element;
        self.bind_node(&element.start, matched);
        for (rel, node) in &element.chain {
            let holder = Holder::Rels(rel.types.iter().map(|t| t.name.clone()).collect());
            // A variable-length relationship binds a list, not a relationship.
            if let (Some(var), None) = (&rel.var, rel.length) {
                self.scope.entry(var.name.clone()).or_insert_with(|| holder.clone());
            }
            if matched && rel.length.is_none() {
                self.property_map(rel.properties.as_ref(), &holder);
            }
            self.bind_node(node, matched);
        }
    }

    fn bind_node(&mut self, node: &NodePattern, matched: bool) {
        let holder = Holder::Nodes(node.labels.iter().map(|l| l.name.clone()).collect());
        if let Some(var) = &node.var {
            self.scope.entry(var.name.clone()).or_insert_with(|| holder.clone());
        }
        if matched {
            self.property_map(node.properties.as_ref(), &holder);
        }
    }

    fn property_map(&mut self, properties: Option<&Properties>, holder: &Holder) {
        if let Some(Properties::Map(entries)) = properties {
            for (key, value) in entries {
                self.compare(holder, &key.name, value, key.span.to(value.span));
            }
        }
    }

    fn projection(&mut self, p: &Projection) {
        let exprs = p.items.iter().map(|i| &i.expr).chain(p.order_by.iter().map(|s| &s.expr));
        for e in exprs.chain(p.skip.iter()).chain(p.limit.iter()) {
            self.expr(e);
        }
    }

    /// The scope after `WITH`: what it passes on, under the names it gives.
    fn project(&mut self, p: &Projection) {
        let mut next = if p.star { self.scope.clone() } else { HashMap::new() };
        for item in &p.items {
            let holder = match &item.expr.kind {
                ExprKind::Variable(v) => self.scope.get(v).cloned(),
                _ => None,
            };
            let name = match (&item.alias, &item.expr.kind) {
                (Some(alias), _) => alias.name.clone(),
                (None, ExprKind::Variable(v)) => v.clone(),
                (None, _) => continue,
            };
            match holder {
                Some(h) => next.insert(name, h),
                None => next.remove(&name),
            };
        }
        self.scope = next;
    }

    fn expr(&mut self, e: &Expr) {
        super::planner::walk_ast(e, &mut |x| {
            if let ExprKind::Comparison(first, rest) = &x.kind {
                let mut left = &**first;
                for (op, right) in rest {
                    // `<>` between types holds: 1 <> '1' is true.
                    if *op != CompareOp::Ne {
                        self.pair(left, right);
                    }
                    left = right;
                }
            }
        });
    }

    fn pair(&mut self, a: &Expr, b: &Expr) {
        let (property, literal) = match (property_of_variable(a), property_of_variable(b)) {
            (Some(p), None) => (p, b),
            (None, Some(p)) => (p, a),
            _ => return,
        };
        if let Some(holder) = self.scope.get(property.0).cloned() {
            self.compare(&holder, property.1, literal, a.span.to(b.span));
        }
    }

    /// Warns when every value `holder` stores under `key` is of a type
    /// that never compares with the literal `value`.
    fn compare(&mut self, holder: &Holder, key: &str, value: &Expr, span: crate::error::Span) {
        let Some((wanted, literal_type)) = literal_class(value) else { return };
        let mut found: Vec<String> = Vec::new();
        let mut comparable = false;
        self.graph.for_each_value(holder, key, &mut |v| match class_of(v) {
            None => ControlFlow::Continue(()),
            Some(c) if c == wanted => {
                comparable = true;
                ControlFlow::Break(())
            }
            Some(_) => {
                let name = plural(v);
                if !found.contains(&name) {
                    found.push(name);
                }
                ControlFlow::Continue(())
            }
        });
        if comparable || found.is_empty() {
            return;
        }
        let written = self.text.get(span.start..span.end).unwrap_or_default();
        let literal = self.text.get(value.span.start..value.span.end).unwrap_or_default();
        let warning = format!(
            "{written} is never true: '{key}' holds only {} on {}, and {literal} is {literal_type}",
            found.join(" and "),
            holder.describe()
        );
        if !self.out.contains(&warning) {
            self.out.push(warning);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::syntax::parse_statement;

    /// A graph as lists of (holder, key, value).
    struct Stored(Vec<(Holder, &'static str, Value)>);

    impl StoredValues for Stored {
        fn for_each_value(
            &self,
            holder: &Holder,
            key: &str,
            visit: &mut dyn FnMut(&Value) -> ControlFlow<()>,
        ) {
            let matches = |h: &Holder| match (holder, h) {
                (Holder::Nodes(want), Holder::Nodes(have)) => want.first().is_none_or(|l| have.contains(l)),
                (Holder::Rels(want), Holder::Rels(have)) => {
                    want.is_empty() || want.iter().any(|t| have.contains(t))
                }
                _ => false,
            };
            for (h, k, v) in &self.0 {
                if matches(h) && *k == key && visit(v).is_break() {
                    return;
                }
            }
        }
    }

    fn graph() -> Stored {
        let model = || Holder::Nodes(vec!["Model".to_string()]);
        let invested = || Holder::Rels(vec!["INVESTED_IN".to_string()]);
        Stored(vec![
            (model(), "released", Value::from("2022")),
            (model(), "released", Value::from("2023-03")),
            (model(), "params_billion", Value::Int(6)),
            (model(), "params_billion", Value::Float(130.0)),
            (model(), "open_source", Value::Bool(true)),
            (invested(), "year", Value::Int(2021)),
            (invested(), "round", Value::from("A")),
        ])
    }

    fn warn(query: &str) -> Vec<String> {
        let statement = parse_statement(query).expect("parses");
        warnings(&statement, query, &graph())
    }

    #[test]
    fn warns_when_no_stored_value_can_compare() {
        assert_eq!(
            warn("MATCH (c)<-[r:INVESTED_IN]-(i) WHERE r.year = '2021' RETURN i"),
            ["r.year = '2021' is never true: 'year' holds only integers on INVESTED_IN relationships, and '2021' is a string"]
        );
        assert_eq!(
            warn("MATCH (m:Model) WHERE m.released >= 2022 RETURN m"),
            ["m.released >= 2022 is never true: 'released' holds only strings on Model nodes, and 2022 is an integer"]
        );
        // Property maps in MATCH, literals on the left, and after WITH.
        assert_eq!(warn("MATCH (m:Model {open_source: 'yes'}) RETURN m").len(), 1);
        assert_eq!(warn("MATCH (m:Model) WITH m AS x WHERE 2022 < x.released RETURN x").len(), 1);
    }

    #[test]
    fn stays_quiet_when_some_value_could_compare() {
        // Integers and floats compare with each other.
        assert!(warn("MATCH (m:Model) WHERE m.params_billion > 6.5 RETURN m").is_empty());
        assert!(warn("MATCH (m:Model) WHERE m.released >= '2022' RETURN m").is_empty());
        // `<>` across types holds; null compares with nothing but warns of nothing.
        assert!(warn("MATCH ()-[r:INVESTED_IN]->() WHERE r.year <> '2021' RETURN r").is_empty());
        assert!(warn("MATCH ()-[r:INVESTED_IN]->() WHERE r.year = null RETURN r").is_empty());
        // Unknown keys and unbound variables are other warnings' business.
        assert!(warn("MATCH (m:Model) WHERE m.nope = 1 RETURN m").is_empty());
        assert!(warn("UNWIND [{released: 1}] AS m WITH m WHERE m.released = 1 RETURN m").is_empty());
        // CREATE sets properties; it compares nothing.
        assert!(warn("CREATE (m:Model {released: 2024})").is_empty());
        // A name given to something else no longer names the node.
        assert!(warn("MATCH (m:Model) WITH {released: 1} AS m WHERE m.released = 1 RETURN m").is_empty());
    }
}

//! `EXPLAIN`: the plan tree as indented text, one operator per line, the
//! operator that produces the result first and each input indented two
//! spaces below the operator that reads it.
//!
//! ```text
//! Produce [hops]
//!   Project [hops = length(p)]
//!     ShortestPath p = (a)-[:BUILT_ON*1..]->(b)
//!       NodeKeySeek (b:Model {id: $dst})
//!         NodeKeySeek (a:Model {id: $src})
//! ```

use std::fmt::Write;

use super::logical::*;
use crate::model::{Direction, Value};
use crate::query::syntax::ast::CompareOp;

impl Plan {
    /// The plan as indented text (what `EXPLAIN` shows).
    pub fn explain(&self) -> String {
        let mut out = String::new();
        if self.columns.is_empty() {
            out.push_str("Produce (no columns)\n");
        } else {
            let _ = writeln!(out, "Produce [{}]", self.columns.join(", "));
        }
        self.write_op(&mut out, &self.root, 1, false);
        out
    }

    /// Writes `op` and its inputs; the leaf `Argument` is shown only inside
    /// an optional branch, where it stands for the outer row.
    fn write_op(&self, out: &mut String, op: &Op, depth: usize, branch: bool) {
        let pad = "  ".repeat(depth);
        let line = |out: &mut String, text: String| {
            let _ = writeln!(out, "{pad}{text}");
        };
        match op {
            Op::Argument => {
                if branch {
                    line(out, "Argument".into());
                }
            }
            Op::NodeScan { input, node, labels } => {
                let text = match labels.split_first() {
                    None => format!("AllNodesScan ({})", self.slot(*node)),
                    Some((first, rest)) => {
                        let mut t =
                            format!("NodeByLabelScan ({}{})", self.slot(*node), self.label_list(&[*first]));
                        if !rest.is_empty() {
                            let _ = write!(t, " check {}", self.label_list(rest));
                        }
                        t
                    }
                };
                line(out, text);
                self.write_op(out, input, depth + 1, branch);
            }
            Op::NodeKeySeek { input, node, id_key, key, labels } => {
                line(
                    out,
                    format!(
                        "NodeKeySeek ({}{} {{{}: {}}})",
                        self.slot(*node),
                        self.label_list(labels),
                        self.key(*id_key),
                        self.expr(key)
                    ),
                );
                self.write_op(out, input, depth + 1, branch);
            }
            Op::Expand(e) => {
                let mut t = format!(
                    "{} {}",
                    if e.into { "ExpandInto" } else { "Expand" },
                    self.hop(e.from, Some(e.rel), e.to, &e.types, e.direction, None, &e.to_labels)
                );
                if e.rel_bound {
                    t.push_str(" (relationship bound)");
                }
                line(out, t);
                self.write_op(out, &e.input, depth + 1, branch);
            }
            Op::VarExpand(v) => {
                let mut t = format!(
                    "VarLengthExpand {}",
                    self.hop(
                        v.from,
                        Some(v.rel),
                        v.to,
                        &v.types,
                        v.direction,
                        Some((v.min, v.max)),
                        &v.to_labels
                    )
                );
                if v.into {
                    t.push_str(" into");
                }
                for (k, e) in &v.rel_props {
                    let _ = write!(t, " where each .{} = {}", self.key(*k), self.expr(e));
                }
                line(out, t);
                self.write_op(out, &v.input, depth + 1, branch);
            }
            Op::Reachable(r) => {
                let mut t = format!(
                    "Reachable BFS {}",
                    self.hop(r.from, None, r.to, &r.types, r.direction, Some((r.min, r.max)), &r.to_labels)
                );
                if r.into {
                    t.push_str(" into");
                }
                let group: Vec<&str> = r.group.iter().map(|s| self.slot(*s)).collect();
                let _ = write!(t, " per [{}]", group.join(", "));
                line(out, t);
                self.write_op(out, &r.input, depth + 1, branch);
            }
            Op::ShortestPath(s) => {
                let name = if s.all { "AllShortestPaths" } else { "ShortestPath" };
                let path = s.path.map(|p| format!("{} = ", self.slot(p))).unwrap_or_default();
                line(
                    out,
                    format!(
                        "{name} {path}{}",
                        self.hop(s.from, s.rel, s.to, &s.types, s.direction, Some((s.min, s.max)), &[])
                    ),
                );
                self.write_op(out, &s.input, depth + 1, branch);
            }
            Op::Filter { input, predicate } => {
                line(out, format!("Filter {}", self.expr(predicate)));
                self.write_op(out, input, depth + 1, branch);
            }
            Op::Optional { input, inner, nulls } => {
                let named: Vec<&str> =
                    nulls.iter().filter(|s| !self.is_anonymous(**s)).map(|s| self.slot(*s)).collect();
                line(out, format!("Optional [{}]", named.join(", ")));
                self.write_op(out, inner, depth + 1, true);
                self.write_op(out, input, depth + 1, branch);
            }
            Op::Project { input, items } => {
                let items: Vec<String> =
                    items.iter().map(|(s, e)| format!("{} = {}", self.slot(*s), self.expr(e))).collect();
                line(out, format!("Project [{}]", items.join(", ")));
                self.write_op(out, input, depth + 1, branch);
            }
            Op::Aggregate { input, keys, aggregates } => {
                let keys: Vec<String> =
                    keys.iter().map(|(s, e)| format!("{} = {}", self.slot(*s), self.expr(e))).collect();
                let aggs: Vec<String> = aggregates
                    .iter()
                    .map(|(s, a)| {
                        let args: Vec<String> = a.args.iter().map(|e| self.expr(e)).collect();
                        let args =
                            if a.func == AggFunc::CountStar { "*".to_string() } else { args.join(", ") };
                        let distinct = if a.distinct { "DISTINCT " } else { "" };
                        format!("{} = {}({distinct}{args})", self.slot(*s).trim(), a.func.name())
                    })
                    .collect();
                line(out, format!("Aggregate by [{}] computing [{}]", keys.join(", "), aggs.join(", ")));
                self.write_op(out, input, depth + 1, branch);
            }
            Op::Distinct { input, slots, entities, entities_unique } => {
                let names: Vec<&str> = slots.iter().map(|s| self.slot(*s)).collect();
                let mut t = format!("Distinct [{}]", names.join(", "));
                if !entities.is_empty() {
                    let by: Vec<&str> = entities.iter().map(|(e, _)| self.slot(*e)).collect();
                    let _ = write!(t, " by node [{}]", by.join(", "));
                    if *entities_unique {
                        t.push_str(" (already unique)");
                    }
                }
                line(out, t);
                self.write_op(out, input, depth + 1, branch);
            }
            Op::Sort { input, keys } => {
                let keys: Vec<String> = keys
                    .iter()
                    .map(|k| format!("{}{}", self.expr(&k.expr), if k.descending { " DESC" } else { "" }))
                    .collect();
                line(out, format!("Sort [{}]", keys.join(", ")));
                self.write_op(out, input, depth + 1, branch);
            }
            Op::Skip { input, count } => {
                line(out, format!("Skip {}", self.expr(count)));
                self.write_op(out, input, depth + 1, branch);
            }
            Op::Limit { input, count } => {
                line(out, format!("Limit {}", self.expr(count)));
                self.write_op(out, input, depth + 1, branch);
            }
            Op::Unwind { input, list, slot } => {
                line(out, format!("Unwind {} AS {}", self.expr(list), self.slot(*slot)));
                self.write_op(out, input, depth + 1, branch);
            }
            Op::BindPath { input, slot, start, steps } => {
                let mut t = format!("BindPath {} = ({})", self.slot(*slot), self.slot(*start));
                for s in steps {
                    let _ = write!(
                        t,
                        "-[{}{}]-({})",
                        self.slot(s.rel).trim(),
                        if s.var_length { "*" } else { "" },
                        self.slot(s.node).trim()
                    );
                }
                line(out, t);
                self.write_op(out, input, depth + 1, branch);
            }
            Op::Call(c) => {
                let args: Vec<String> = c.args.iter().map(|(e, _)| self.expr(e)).collect();
                let mut t = format!("ProcedureCall {}({})", c.procedure, args.join(", "));
                if !c.yields.is_empty() {
                    let yields: Vec<String> =
                        c.yields.iter().map(|(i, s)| format!("#{i} AS {}", self.slot(*s))).collect();
                    let _ = write!(t, " YIELD {}", yields.join(", "));
                }
                line(out, t);
                self.write_op(out, &c.input, depth + 1, branch);
            }
            Op::Union { input, parts, slots } => {
                let names: Vec<&str> = slots.iter().map(|s| self.slot(*s)).collect();
                line(out, format!("Union [{}]", names.join(", ")));
                let inner = "  ".repeat(depth + 1);
                for (n, part) in parts.iter().enumerate() {
                    let outputs: Vec<&str> = part.outputs.iter().map(|s| self.slot(*s)).collect();
                    let _ = writeln!(out, "{inner}Part {} [{}]", n + 1, outputs.join(", "));
                    self.write_op(out, &part.root, depth + 2, false);
                }
                self.write_op(out, input, depth + 1, branch);
            }
            Op::Create { input, actions } => {
                let parts: Vec<String> = actions
                    .iter()
                    .map(|a| match a {
                        CreateAction::Node { slot, labels, .. } => {
                            let labels: String = labels.iter().map(|l| format!(":{l}")).collect();
                            format!("({}{labels})", self.slot(*slot).trim())
                        }
                        CreateAction::Rel { slot, from, to, rel_type, .. } => format!(
                            "({})-[{}:{rel_type}]->({})",
                            self.slot(*from).trim(),
                            self.slot(*slot).trim(),
                            self.slot(*to).trim()
                        ),
                        CreateAction::Path { slot, .. } => format!("path {}", self.slot(*slot)),
                    })
                    .collect();
                line(out, format!("Create {}", parts.join(", ")));
                self.write_op(out, input, depth + 1, branch);
            }
            Op::Update { input, items } => {
                let items: Vec<String> = items.iter().map(|i| self.update_item(i)).collect();
                line(out, format!("Update {}", items.join(", ")));
                self.write_op(out, input, depth + 1, branch);
            }
            Op::Delete { input, exprs, detach } => {
                let exprs: Vec<String> = exprs.iter().map(|e| self.expr(e)).collect();
                line(out, format!("{}Delete {}", if *detach { "Detach" } else { "" }, exprs.join(", ")));
                self.write_op(out, input, depth + 1, branch);
            }
            Op::Merge(m) => {
                line(out, "Merge".to_string());
                let inner = "  ".repeat(depth + 1);
                let _ = writeln!(out, "{inner}Match");
                self.write_op(out, &m.inner, depth + 2, false);
                for (label, items) in [("OnMatch", &m.on_match), ("OnCreate", &m.on_create)] {
                    if !items.is_empty() {
                        let items: Vec<String> = items.iter().map(|i| self.update_item(i)).collect();
                        let _ = writeln!(out, "{inner}{label} {}", items.join(", "));
                    }
                }
                self.write_op(out, &m.input, depth + 1, branch);
            }
        }
    }

    fn update_item(&self, item: &UpdateItem) -> String {
        let entity = self.expr(&item.entity);
        match &item.change {
            Change::SetProperty(key, value) => format!("{entity}.{key} = {}", self.expr(value)),
            Change::SetProperties { value, merge } => {
                format!("{entity} {} {}", if *merge { "+=" } else { "=" }, self.expr(value))
            }
            Change::AddLabels(labels) | Change::RemoveLabels(labels) => {
                let labels: String = labels.iter().map(|l| format!(":{l}")).collect();
                let verb = if matches!(item.change, Change::AddLabels(_)) { "" } else { "remove " };
                format!("{verb}{entity}{labels}")
            }
            Change::RemoveProperty(key) => format!("remove {entity}.{key}"),
        }
    }

    /// A slot's name: the variable, or `anon_N` for a hidden slot (stored
    /// with two leading spaces so that it can never clash with a variable).
    fn slot(&self, s: Slot) -> &str {
        self.slots.get(s).map_or("?", |n| n.trim_start())
    }

    fn is_anonymous(&self, s: Slot) -> bool {
        self.slots.get(s).is_some_and(|n| n.starts_with(' '))
    }

    fn key(&self, k: KeyRef) -> &str {
        self.keys.get(k.0 as usize).map_or("?", String::as_str)
    }

    fn label_list(&self, labels: &[LabelRef]) -> String {
        labels
            .iter()
            .map(|l| format!(":{}", self.labels.get(l.0 as usize).map_or("?", String::as_str)))
            .collect()
    }

    #[allow(clippy::too_many_arguments)]
    fn hop(
        &self,
        from: Slot,
        rel: Option<Slot>,
        to: Slot,
        types: &[TypeRef],
        direction: Direction,
        range: Option<(u32, Option<u32>)>,
        to_labels: &[LabelRef],
    ) -> String {
        let types: Vec<&str> =
            types.iter().map(|t| self.types.get(t.0 as usize).map_or("?", String::as_str)).collect();
        let mut inside =
            rel.filter(|r| !self.is_anonymous(*r)).map(|r| self.slot(r).to_string()).unwrap_or_default();
        if !types.is_empty() {
            let _ = write!(inside, ":{}", types.join("|"));
        }
        if let Some((min, max)) = range {
            let _ = write!(inside, "*{min}..{}", max.map(|m| m.to_string()).unwrap_or_default());
        }
        let (l, r) = match direction {
            Direction::Outgoing => ("-", "->"),
            Direction::Incoming => ("<-", "-"),
            Direction::Both => ("-", "-"),
        };
        format!(
            "({}){l}[{inside}]{r}({}{})",
            self.slot(from).trim(),
            self.slot(to).trim(),
            self.label_list(to_labels)
        )
    }

    /// An expression as query-like text, with slot names for variables.
    pub fn expr(&self, e: &Expr) -> String {
        let mut out = String::new();
        self.write_expr(&mut out, e);
        out
    }

    fn write_expr(&self, out: &mut String, e: &Expr) {
        match &e.kind {
            ExprKind::Const(v) => write_value(out, v),
            ExprKind::Param(p) => {
                let _ = write!(out, "${p}");
            }
            ExprKind::Slot(s) => out.push_str(self.slot(*s).trim()),
            ExprKind::Property(base, k) => {
                self.write_expr(out, base);
                let _ = write!(out, ".{}", self.key(*k));
            }
            ExprKind::Index(base, i) => {
                self.write_expr(out, base);
                out.push('[');
                self.write_expr(out, i);
                out.push(']');
            }
            ExprKind::Slice(base, from, to) => {
                self.write_expr(out, base);
                out.push('[');
                if let Some(f) = from {
                    self.write_expr(out, f);
                }
                out.push_str("..");
                if let Some(t) = to {
                    self.write_expr(out, t);
                }
                out.push(']');
            }
            ExprKind::HasLabels(base, labels) => {
                self.write_expr(out, base);
                out.push_str(&self.label_list(labels));
            }
            ExprKind::Not(x) => {
                out.push_str("NOT ");
                self.write_expr(out, x);
            }
            ExprKind::Negate(x) => {
                out.push('-');
                self.write_expr(out, x);
            }
            ExprKind::Plus(x) => {
                out.push('+');
                self.write_expr(out, x);
            }
            ExprKind::Binary(op, a, b) => {
                let op = match op {
                    BinOp::And => "AND",
                    BinOp::Or => "OR",
                    BinOp::Xor => "XOR",
                    BinOp::Add => "+",
                    BinOp::Sub => "-",
                    BinOp::Mul => "*",
                    BinOp::Div => "/",
                    BinOp::Mod => "%",
                    BinOp::Pow => "^",
                    BinOp::In => "IN",
                    BinOp::StartsWith => "STARTS WITH",
                    BinOp::EndsWith => "ENDS WITH",
                    BinOp::Contains => "CONTAINS",
                };
                out.push('(');
                self.write_expr(out, a);
                let _ = write!(out, " {op} ");
                self.write_expr(out, b);
                out.push(')');
            }
            ExprKind::Subquery { kind, plan, .. } => {
                // The body's operators on one line, each fed by the next.
                let mut body = String::new();
                self.write_op(&mut body, plan, 0, true);
                let ops: Vec<&str> = body.lines().map(str::trim).collect();
                let _ = write!(out, "{} {{ {} }}", kind.keyword(), ops.join(" <- "));
            }
            ExprKind::RegexMatch(text, pattern) => {
                out.push('(');
                self.write_expr(out, text);
                out.push_str(" =~ ");
                match pattern {
                    RegexOperand::Fixed(p) => {
                        let _ = write!(out, "{}", Value::from(p.as_str()));
                    }
                    RegexOperand::Computed(p) => self.write_expr(out, p),
                }
                out.push(')');
            }
            ExprKind::Compare(first, rest) => {
                self.write_expr(out, first);
                for (op, x) in rest {
                    let op = match op {
                        CompareOp::Eq => "=",
                        CompareOp::Ne => "<>",
                        CompareOp::Lt => "<",
                        CompareOp::Le => "<=",
                        CompareOp::Gt => ">",
                        CompareOp::Ge => ">=",
                    };
                    let _ = write!(out, " {op} ");
                    self.write_expr(out, x);
                }
            }
            ExprKind::IsNull(x, negated) => {
                self.write_expr(out, x);
                out.push_str(if *negated { " IS NOT NULL" } else { " IS NULL" });
            }
            ExprKind::Call(f, args) => {
                let _ = write!(out, "{}(", f.name());
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.write_expr(out, a);
                }
                out.push(')');
            }
            ExprKind::Case { subject, alternatives, default } => {
                out.push_str("CASE");
                if let Some(s) = subject {
                    out.push(' ');
                    self.write_expr(out, s);
                }
                for (w, t) in alternatives {
                    out.push_str(" WHEN ");
                    self.write_expr(out, w);
                    out.push_str(" THEN ");
                    self.write_expr(out, t);
                }
                if let Some(d) = default {
                    out.push_str(" ELSE ");
                    self.write_expr(out, d);
                }
                out.push_str(" END");
            }
            ExprKind::ListComp { quantifier, slot, list, predicate, projection } => {
                let (open, close) = match quantifier {
                    Some(q) => (format!("{}(", q.name()), ')'),
                    None => ("[".to_string(), ']'),
                };
                let _ = write!(out, "{open}{} IN ", self.slot(*slot));
                self.write_expr(out, list);
                if let Some(p) = predicate {
                    out.push_str(" WHERE ");
                    self.write_expr(out, p);
                }
                if let Some(p) = projection {
                    out.push_str(" | ");
                    self.write_expr(out, p);
                }
                out.push(close);
            }
            ExprKind::List(items) => {
                out.push('[');
                for (i, x) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.write_expr(out, x);
                }
                out.push(']');
            }
            ExprKind::Map(items) => {
                out.push('{');
                for (i, (k, x)) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    let _ = write!(out, "{k}: ");
                    self.write_expr(out, x);
                }
                out.push('}');
            }
        }
    }
}

fn write_value(out: &mut String, v: &Value) {
    let _ = write!(out, "{v}");
}

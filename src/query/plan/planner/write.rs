//! Planning the updating clauses `MERGE`, `SET`, `REMOVE` and `DELETE`.

use super::{pattern_variables, Planner, Prefetch, Scope};
use crate::error::QueryError;
use crate::query::plan::logical::{Change, Merge, Op, UpdateItem};
use crate::query::syntax::ast::{self, Direction, RemoveItem, SetItem};
use std::collections::HashSet;

impl Planner<'_> {
    pub(super) fn merge(&mut self, input: Op, m: &ast::Merge, scope: &mut Scope) -> Result<Op, QueryError> {
        // What to create when nothing matches, planned first on a copy of
        // the scope: its new variables get slots of their own, copied to
        // the matched ones' after creating. An undirected MERGE creates its
        // relationship from left to right.
        let mut to_create = m.pattern.clone();
        for (rel, _) in &mut to_create.element.chain {
            if rel.direction == Direction::Both {
                rel.direction = Direction::Outgoing;
            }
        }
        let mut create_scope = scope.clone();
        let created = self.create(
            Op::Argument,
            &ast::Create { pattern: vec![to_create], span: m.span },
            &mut create_scope,
        )?;
        let Op::Create { actions: create, .. } = created else { unreachable!("create() plans a Create") };
        let pattern =
            ast::Match { optional: false, pattern: vec![m.pattern.clone()], where_: None, span: m.span };
        let mut names = HashSet::new();
        pattern_variables(&m.pattern, &mut names);
        let saved = std::mem::take(&mut self.props_read);
        self.props_read = names.iter().map(|n| (n.clone(), Prefetch::No)).collect();
        let inner = self.pattern(Op::Argument, &pattern, scope, None);
        self.props_read = saved;
        let inner = inner?;
        let mut copy = Vec::new();
        for name in &names {
            if let (Some(c), Some(m)) = (create_scope.get(name), scope.get(name)) {
                if c.slot != m.slot {
                    copy.push((c.slot, m.slot));
                }
            }
        }
        copy.sort_unstable();
        let on_create = self.set_items(&m.on_create, scope)?;
        let on_match = self.set_items(&m.on_match, scope)?;
        Ok(Op::Merge(Box::new(Merge { input, inner, create, copy, on_match, on_create })))
    }

    pub(super) fn set_items(
        &mut self,
        items: &[SetItem],
        scope: &Scope,
    ) -> Result<Vec<UpdateItem>, QueryError> {
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            out.push(match item {
                SetItem::Property { entity, key, value } => UpdateItem {
                    entity: self.expr(entity, scope)?,
                    change: Change::SetProperty(key.name.clone(), self.expr(value, scope)?),
                    span: entity.span.to(value.span),
                },
                SetItem::Properties { entity, value, merge } => UpdateItem {
                    entity: self.expr(entity, scope)?,
                    change: Change::SetProperties { value: self.expr(value, scope)?, merge: *merge },
                    span: entity.span.to(value.span),
                },
                SetItem::Labels { entity, labels } => UpdateItem {
                    entity: self.expr(entity, scope)?,
                    change: Change::AddLabels(labels.iter().map(|l| l.name.clone()).collect()),
                    span: labels.last().map_or(entity.span, |l| entity.span.to(l.span)),
                },
            });
        }
        Ok(out)
    }

    pub(super) fn remove_items(
        &mut self,
        items: &[RemoveItem],
        scope: &Scope,
    ) -> Result<Vec<UpdateItem>, QueryError> {
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            out.push(match item {
                RemoveItem::Property { entity, key } => UpdateItem {
                    entity: self.expr(entity, scope)?,
                    change: Change::RemoveProperty(key.name.clone()),
                    span: entity.span.to(key.span),
                },
                RemoveItem::Labels { entity, labels } => UpdateItem {
                    entity: self.expr(entity, scope)?,
                    change: Change::RemoveLabels(labels.iter().map(|l| l.name.clone()).collect()),
                    span: labels.last().map_or(entity.span, |l| entity.span.to(l.span)),
                },
            });
        }
        Ok(out)
    }

    pub(super) fn delete(&mut self, input: Op, d: &ast::Delete, scope: &Scope) -> Result<Op, QueryError> {
        let exprs = d.exprs.iter().map(|e| self.expr(e, scope)).collect::<Result<_, _>>()?;
        Ok(Op::Delete { input: Box::new(input), exprs, detach: d.detach })
    }
}

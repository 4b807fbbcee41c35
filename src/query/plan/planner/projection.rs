//! Projections: `WITH` and `RETURN` items, grouping and aggregates, `DISTINCT`,
//! `ORDER BY`, `SKIP` and `LIMIT`.

use super::*;

impl Planner<'_> {
    #[allow(clippy::type_complexity)]
    pub(super) fn projection(
        &mut self,
        input: Op,
        p: &ast::Projection,
        scope: &Scope,
        is_return: bool,
    ) -> Result<(Op, Scope, Vec<String>, Vec<Slot>), QueryError> {
        struct Item<'a> {
            name: String,
            expr: Option<&'a ast::Expr>,
            var: Option<Var>,
        }
        let mut items: Vec<Item<'_>> = Vec::new();
        if p.star {
            let mut vars: Vec<&(String, Var)> = scope.vars.iter().collect();
            if is_return {
                vars.sort_by(|a, b| a.0.cmp(&b.0));
            }
            for (name, var) in vars {
                items.push(Item { name: name.clone(), expr: None, var: Some(*var) });
            }
        }
        for it in &p.items {
            let name = it.alias.as_ref().map_or_else(|| it.text.clone(), |a| a.name.clone());
            items.push(Item { name, expr: Some(&it.expr), var: None });
        }
        let aggregating = items.iter().any(|i| i.expr.is_some_and(contains_aggregate));
        let mut op = input;
        let mut new_scope = Scope::default();
        let mut outputs = Vec::with_capacity(items.len());
        // Item expressions by output slot, for ORDER BY to reuse.
        let mut item_exprs: Vec<(&ast::Expr, Slot)> = Vec::new();

        // What each output slot is computed from, for DISTINCT by entity.
        let mut defs: Vec<(Slot, Expr)> = Vec::new();
        if !aggregating {
            let mut project = Vec::new();
            for item in &items {
                let (slot, kind) = match (item.expr, item.var) {
                    (None, Some(var)) => {
                        defs.push((var.slot, Expr::new(ExprKind::Slot(var.slot), Span::default())));
                        (var.slot, var.kind)
                    }
                    (Some(e), _) => {
                        let kind = self.kind_of(e, scope);
                        match &e.kind {
                            ast::ExprKind::Variable(v) if *v == item.name && scope.get(v).is_some() => {
                                let var = scope.get(v).map_or(0, |v| v.slot);
                                defs.push((var, Expr::new(ExprKind::Slot(var), e.span)));
                                (var, kind)
                            }
                            _ => {
                                let compiled = self.expr(e, scope)?;
                                let slot = self.new_slot(&item.name);
                                defs.push((slot, compiled.clone()));
                                project.push((slot, compiled));
                                (slot, kind)
                            }
                        }
                    }
                    (None, None) => continue,
                };
                if let Some(e) = item.expr {
                    item_exprs.push((e, slot));
                }
                new_scope.set(&item.name, Var { slot, kind });
                outputs.push(slot);
            }
            if !project.is_empty() {
                op = Op::Project { input: Box::new(op), items: project };
            }
        } else {
            let mut keys: Vec<(Slot, Expr)> = Vec::new();
            let mut key_exprs: Vec<(&ast::Expr, Slot)> = Vec::new();
            let mut key_scope = Scope::default();
            let mut item_slots: Vec<Option<(Slot, Kind)>> = Vec::with_capacity(items.len());
            for item in &items {
                if item.expr.is_some_and(contains_aggregate) {
                    item_slots.push(None);
                    continue;
                }
                let (compiled, kind, var_name) = match (item.expr, item.var) {
                    (None, Some(var)) => (
                        Expr::new(ExprKind::Slot(var.slot), Span::default()),
                        var.kind,
                        Some(item.name.clone()),
                    ),
                    (Some(e), _) => {
                        let var_name = match &e.kind {
                            ast::ExprKind::Variable(v) => Some(v.clone()),
                            _ => None,
                        };
                        (self.expr(e, scope)?, self.kind_of(e, scope), var_name)
                    }
                    (None, None) => unreachable_item()?,
                };
                let slot = self.new_slot(&item.name);
                keys.push((slot, compiled));
                if let Some(e) = item.expr {
                    key_exprs.push((e, slot));
                    item_exprs.push((e, slot));
                }
                if let Some(v) = var_name {
                    key_scope.set(&v, Var { slot, kind });
                }
                item_slots.push(Some((slot, kind)));
            }
            let mut aggregates: Vec<(Slot, AggCall)> = Vec::new();
            let mut project = Vec::new();
            for (i, item) in items.iter().enumerate() {
                if item_slots[i].is_some() {
                    continue;
                }
                let Some(e) = item.expr else { continue };
                let first_agg = aggregates.len();
                let compiled = {
                    let key_exprs = &key_exprs;
                    let aggs = &mut aggregates;
                    let mut hook =
                        |pl: &mut Planner<'_>, x: &ast::Expr| -> Result<Option<Expr>, QueryError> {
                            if let Some(call) = pl.agg_call(x, scope)? {
                                let slot = pl.anon_slot();
                                aggs.push((slot, call));
                                return Ok(Some(Expr::new(ExprKind::Slot(slot), x.span)));
                            }
                            if let Some((_, slot)) = key_exprs.iter().find(|(k, _)| same_expr(k, x)) {
                                return Ok(Some(Expr::new(ExprKind::Slot(*slot), x.span)));
                            }
                            Ok(None)
                        };
                    self.expr_with(e, &key_scope, &mut hook)?
                };
                let slot = match compiled.as_slot() {
                    Some(s) if aggregates.len() == first_agg + 1 && aggregates[first_agg].0 == s => {
                        self.slots[s] = item.name.clone();
                        s
                    }
                    _ => {
                        let slot = self.new_slot(&item.name);
                        project.push((slot, compiled));
                        slot
                    }
                };
                item_exprs.push((e, slot));
                item_slots[i] = Some((slot, Kind::Value));
            }
            for (item, slot) in items.iter().zip(&item_slots) {
                if let Some((slot, kind)) = slot {
                    new_scope.set(&item.name, Var { slot: *slot, kind: *kind });
                    outputs.push(*slot);
                }
            }
            op = Op::Aggregate { input: Box::new(op), keys, aggregates };
            if !project.is_empty() {
                op = Op::Project { input: Box::new(op), items: project };
            }
        }

        if p.distinct {
            let entities = if aggregating { Vec::new() } else { self.distinct_entities(&defs, scope) };
            let entities_unique =
                matches!(entities.as_slice(), [(e, _)] if single_search_output(&op) == Some(*e));
            op = Op::Distinct { input: Box::new(op), slots: outputs.clone(), entities, entities_unique };
        }
        // ORDER BY and WITH ... WHERE see the earlier variables too, unless
        // the projection aggregates or is DISTINCT.
        let sees_old = !aggregating && !p.distinct;
        let order_scope = if sees_old { scope.overlaid(&new_scope) } else { new_scope.clone() };
        // An alias, or an expression written as one of the items, reads the
        // item's slot (`WITH DISTINCT a.x AS x ORDER BY a.x`).
        let mut hook = |_: &mut Planner<'_>, x: &ast::Expr| -> Result<Option<Expr>, QueryError> {
            if let ast::ExprKind::Variable(v) = &x.kind {
                if let Some(var) = new_scope.get(v) {
                    return Ok(Some(Expr::new(ExprKind::Slot(var.slot), x.span)));
                }
            }
            Ok(item_exprs
                .iter()
                .find(|(e, _)| same_expr(e, x))
                .map(|(_, slot)| Expr::new(ExprKind::Slot(*slot), x.span)))
        };
        if !p.order_by.is_empty() {
            let mut keys = Vec::with_capacity(p.order_by.len());
            for s in &p.order_by {
                let expr = self.expr_with(&s.expr, &order_scope, &mut hook)?;
                keys.push(SortKey { expr, descending: s.descending });
            }
            op = Op::Sort { input: Box::new(op), keys };
        }
        if let Some(skip) = &p.skip {
            let count = self.count_expr(skip)?;
            op = Op::Skip { input: Box::new(op), count };
        }
        if let Some(limit) = &p.limit {
            let count = self.count_expr(limit)?;
            op = Op::Limit { input: Box::new(op), count };
        }
        if let Some(w) = &p.where_ {
            let predicate = self.expr_with(w, &order_scope, &mut hook)?;
            op = Op::Filter { input: Box::new(op), predicate };
        }
        let columns = items.into_iter().map(|i| i.name).collect();
        Ok((op, new_scope, columns, outputs))
    }

    /// The nodes a DISTINCT's keys are computed from, if each is pinned
    /// down by a key (itself, or its `id`); see [`Op::Distinct`].
    fn distinct_entities(&self, defs: &[(Slot, Expr)], scope: &Scope) -> Vec<(Slot, Option<Slot>)> {
        let mut entities: Vec<Slot> = Vec::new();
        for (_, e) in defs {
            for s in free_slots(e) {
                if !entities.contains(&s) {
                    entities.push(s);
                }
            }
        }
        let is_node = |s: Slot| scope.vars.iter().any(|(_, v)| v.slot == s && v.kind == Kind::Node);
        if entities.is_empty() || entities.len() > 2 || !entities.iter().all(|s| is_node(*s)) {
            return Vec::new();
        }
        // A key that can differ between two rows of the same node (`rand()`)
        // is not a function of the node: those rows are told apart by value.
        let mut varies = false;
        for (_, e) in defs {
            e.walk(&mut |x| {
                varies |= matches!(x.kind, ExprKind::Call(Function::Rand | Function::Timestamp, _));
            });
        }
        if varies {
            return Vec::new();
        }
        let id = self.keys.get_index_of("id");
        let mut out = Vec::with_capacity(entities.len());
        for &entity in &entities {
            let pinned = defs.iter().find_map(|(out_slot, e)| match &e.kind {
                ExprKind::Slot(s) if *s == entity => Some(None),
                ExprKind::Property(base, key)
                    if base.as_slot() == Some(entity) && Some(key.0 as usize) == id =>
                {
                    Some(Some(*out_slot))
                }
                _ => None,
            });
            match pinned {
                Some(p) => out.push((entity, p)),
                None => return Vec::new(),
            }
        }
        out
    }

    fn count_expr(&mut self, e: &ast::Expr) -> Result<Expr, QueryError> {
        let compiled = self.expr(e, &Scope::default())?;
        match &compiled.kind {
            ExprKind::Const(Value::Int(i)) if *i < 0 => Err(syntax_error(
                "NegativeIntegerArgument",
                format!("SKIP and LIMIT take a non-negative integer, found {i}"),
                e.span,
            )),
            ExprKind::Const(v) if !matches!(v, Value::Int(_)) => Err(syntax_error(
                "InvalidArgumentType",
                format!("SKIP and LIMIT take a non-negative integer, found {}", v.type_name()),
                e.span,
            )),
            _ => Ok(compiled),
        }
    }

    /// The kind of value an expression yields, when it is a variable.
    fn kind_of(&self, e: &ast::Expr, scope: &Scope) -> Kind {
        match &e.kind {
            ast::ExprKind::Variable(v) => scope.get(v).map_or(Kind::Value, |v| v.kind),
            _ => Kind::Value,
        }
    }

    fn agg_call(&mut self, e: &ast::Expr, scope: &Scope) -> Result<Option<AggCall>, QueryError> {
        match &e.kind {
            ast::ExprKind::CountStar => Ok(Some(AggCall {
                func: AggFunc::CountStar,
                distinct: false,
                args: Vec::new(),
                span: e.span,
            })),
            ast::ExprKind::Function { name, distinct, args } => {
                let Some(func) = aggregate_func(&name.name) else { return Ok(None) };
                let mut compiled = Vec::with_capacity(args.len());
                for a in args {
                    compiled.push(self.expr(a, scope)?);
                }
                Ok(Some(AggCall { func, distinct: *distinct, args: compiled, span: e.span }))
            }
            _ => Ok(None),
        }
    }
}

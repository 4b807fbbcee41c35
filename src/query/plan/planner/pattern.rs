//! Patterns: the start node, the order of the hops, predicate placement, and
//! when a variable-length hop becomes a breadth-first search.

use super::*;

struct HopContext<'a> {
    forward: bool,
    has_path: bool,
    reach: Option<&'a ReachContext>,
    /// The slots of the variables `reach` says are read later.
    used_slots: &'a [Slot],
    /// The slots the rest of the clause reads: the nodes of the hops planned
    /// after this one, and the slots of predicates not placed yet.
    later_nodes: &'a [Slot],
}

impl Planner<'_> {
    pub(super) fn pattern(
        &mut self,
        input: Op,
        m: &ast::Match,
        scope: &mut Scope,
        reach: Option<&ReachContext>,
    ) -> Result<Op, QueryError> {
        let before = scope.clone();
        let mut nodes: Vec<PNode> = Vec::new();
        let mut rels: Vec<PRel> = Vec::new();
        let mut parts: Vec<PPart> = Vec::new();
        let mut preds: Vec<Pred> = Vec::new();

        // Pass 1: give every variable a slot, so that predicates can read
        // any of them.
        for part in &m.pattern {
            let mut pp =
                PPart { path: None, kind: part.kind, nodes: Vec::new(), rels: Vec::new(), span: part.span };
            let first = self.pattern_node(&part.element.start, &mut nodes, scope, &before)?;
            pp.nodes.push(first);
            for (rel, node) in &part.element.chain {
                let right = self.pattern_node(node, &mut nodes, scope, &before)?;
                let ri = self.pattern_rel(rel, &mut rels, scope)?;
                pp.nodes.push(right);
                pp.rels.push(ri);
            }
            if let Some(v) = &part.var {
                let slot = self.new_slot(&v.name);
                scope.set(&v.name, Var { slot, kind: Kind::Path });
                pp.path = Some(slot);
            }
            parts.push(pp);
        }

        // Pass 2: predicates, from property maps and WHERE.
        for (part, pp) in m.pattern.iter().zip(&parts) {
            let node_pats =
                std::iter::once(&part.element.start).chain(part.element.chain.iter().map(|(_, n)| n));
            for (np, &ni) in node_pats.zip(&pp.nodes) {
                self.node_props(np, ni, &mut nodes, &mut preds, scope)?;
            }
            for ((rp, _), &ri) in part.element.chain.iter().zip(&pp.rels) {
                self.rel_props(rp, ri, &mut rels, &mut preds, scope)?;
            }
        }
        // Nodes at either end of a relationship of this clause.
        let hop_ends: HashSet<usize> = parts
            .iter()
            .flat_map(|pp| (0..pp.rels.len()).flat_map(move |i| [pp.nodes[i], pp.nodes[i + 1]]))
            .collect();
        for (ni, n) in nodes.iter().enumerate() {
            // A node bound by an earlier clause may be null (from OPTIONAL
            // MATCH); a pattern never matches a null node, even a bare `(a)`.
            // A hop from or to a null node already finds nothing, so only a
            // node no hop touches needs the test when it has no labels.
            if n.bound_before && (!n.labels.is_empty() || !hop_ends.contains(&ni)) {
                let slot = n.slot;
                let node = Box::new(Expr::new(ExprKind::Slot(slot), Span::default()));
                let kind = if n.labels.is_empty() {
                    ExprKind::IsNull(node, true)
                } else {
                    ExprKind::HasLabels(node, n.labels.clone())
                };
                preds.push(Pred { expr: Expr::new(kind, Span::default()), slots: vec![slot], done: false });
            }
        }
        if let Some(w) = &m.where_ {
            let mut conjuncts = Vec::new();
            split_and(w, &mut conjuncts);
            for c in conjuncts {
                let expr = self.expr(c, scope)?;
                let slots = free_slots(&expr);
                let index = preds.len();
                // `n.id = value` makes `n` seekable.
                if let Some((slot, value)) = self.id_equality(&expr, &before) {
                    if let Some(n) = nodes.iter_mut().find(|n| n.slot == slot && !n.bound_before) {
                        if n.seek.is_none() {
                            n.seek = Some((value, index));
                        }
                    }
                }
                preds.push(Pred { expr, slots, done: false });
            }
        }

        // Pass 3: order the parts and plan each.
        let used_slots: Vec<Slot> = reach
            .map(|r| r.used.iter().filter_map(|n| scope.get(n).map(|v| v.slot)).collect())
            .unwrap_or_default();
        let mut bound: HashSet<Slot> = before.vars.iter().map(|(_, v)| v.slot).collect();
        let mut clause_rels: Vec<Slot> = Vec::new();
        let mut op = input;
        op = place_ready(op, &mut preds, &bound);
        let mut todo: Vec<usize> = (0..parts.len()).collect();
        while !todo.is_empty() {
            // Plain parts first, cheapest start first; shortest paths last.
            let mut best: Option<(usize, usize, f64)> = None;
            for (ti, &pi) in todo.iter().enumerate() {
                let part = &parts[pi];
                if part.kind != ast::PathKind::Pattern {
                    continue;
                }
                for (pos, &ni) in part.nodes.iter().enumerate() {
                    let c = self.node_cost(&nodes[ni], &bound);
                    if best.is_none_or(|(_, _, bc)| c < bc) {
                        best = Some((ti, pos, c));
                    }
                }
            }
            let (ti, start) = match best {
                Some((ti, pos, _)) => (ti, pos),
                None => (0, 0),
            };
            let pi = todo.remove(ti);
            let part = &parts[pi];
            if part.kind != ast::PathKind::Pattern {
                op = self.plan_shortest(op, part, &nodes, &rels, &mut preds, &mut bound)?;
                continue;
            }
            let start_node = &nodes[part.nodes[start]];
            op = self.bind_node(op, start_node, &mut preds, &mut bound);
            op = place_ready(op, &mut preds, &bound);
            let order: Vec<(usize, bool)> = (start..part.rels.len())
                .map(|i| (i, true))
                .chain((0..start).rev().map(|i| (i, false)))
                .collect();
            for (k, &(i, forward)) in order.iter().enumerate() {
                let rel = &rels[part.rels[i]];
                let (from, to) = if forward {
                    (&nodes[part.nodes[i]], &nodes[part.nodes[i + 1]])
                } else {
                    (&nodes[part.nodes[i + 1]], &nodes[part.nodes[i]])
                };
                // The nodes the hops still to plan start from or end at.
                let later_nodes: Vec<Slot> = order[k + 1..]
                    .iter()
                    .flat_map(|&(j, _)| [nodes[part.nodes[j]].slot, nodes[part.nodes[j + 1]].slot])
                    .chain(todo.iter().flat_map(|&t| parts[t].nodes.iter().map(|&n| nodes[n].slot)))
                    // ... and what the predicates still to place read.
                    .chain(preds.iter().filter(|p| !p.done).flat_map(|p| p.slots.iter().copied()))
                    .collect();
                let ctx = HopContext {
                    forward,
                    has_path: part.path.is_some(),
                    reach,
                    used_slots: &used_slots,
                    later_nodes: &later_nodes,
                };
                op = self.hop(op, rel, from, to, &rels, &clause_rels, &bound, &ctx)?;
                bound.insert(rel.slot);
                bound.insert(to.slot);
                clause_rels.push(rel.slot);
                op = place_ready(op, &mut preds, &bound);
            }
            if let Some(path) = part.path {
                let steps = part
                    .rels
                    .iter()
                    .zip(&part.nodes[1..])
                    .map(|(&r, &n)| PathStep {
                        rel: rels[r].slot,
                        var_length: rels[r].length.is_some(),
                        node: nodes[n].slot,
                    })
                    .collect();
                op =
                    Op::BindPath { input: Box::new(op), slot: path, start: nodes[part.nodes[0]].slot, steps };
                bound.insert(path);
                op = place_ready(op, &mut preds, &bound);
            }
        }
        // Anything left reads slots the pattern never binds (it cannot, after
        // the checker), so evaluate it at the end where every slot is set.
        for p in preds.iter_mut().filter(|p| !p.done) {
            p.done = true;
            op = Op::Filter { input: Box::new(op), predicate: p.expr.clone() };
        }
        Ok(op)
    }

    fn pattern_node(
        &mut self,
        np: &ast::NodePattern,
        nodes: &mut Vec<PNode>,
        scope: &mut Scope,
        before: &Scope,
    ) -> Result<usize, QueryError> {
        let labels: Vec<LabelRef> = np
            .labels
            .iter()
            .map(|l| {
                self.mention(NameKind::Label, l);
                self.label(&l.name)
            })
            .collect();
        if let Some(v) = &np.var {
            if let Some(i) = nodes.iter().position(|n| n.name.as_deref() == Some(&v.name)) {
                for l in labels {
                    if !nodes[i].labels.contains(&l) {
                        nodes[i].labels.push(l);
                    }
                }
                return Ok(i);
            }
            if let Some(var) = scope.get(&v.name) {
                if matches!(var.kind, Kind::Rel | Kind::RelList | Kind::Path) {
                    return Err(syntax_error(
                        "VariableTypeConflict",
                        format!("variable `{}` is not a node", v.name),
                        v.span,
                    ));
                }
                let bound_before = before.get(&v.name).is_some();
                nodes.push(PNode {
                    slot: var.slot,
                    labels,
                    bound_before,
                    seek: None,
                    has_props: false,
                    name: Some(v.name.clone()),
                });
                return Ok(nodes.len() - 1);
            }
            let slot = self.new_slot(&v.name);
            scope.set(&v.name, Var { slot, kind: Kind::Node });
            nodes.push(PNode {
                slot,
                labels,
                bound_before: false,
                seek: None,
                has_props: false,
                name: Some(v.name.clone()),
            });
            return Ok(nodes.len() - 1);
        }
        let slot = self.anon_slot();
        nodes.push(PNode { slot, labels, bound_before: false, seek: None, has_props: false, name: None });
        Ok(nodes.len() - 1)
    }

    fn pattern_rel(
        &mut self,
        rp: &ast::RelPattern,
        rels: &mut Vec<PRel>,
        scope: &mut Scope,
    ) -> Result<usize, QueryError> {
        let types: Vec<TypeRef> = rp
            .types
            .iter()
            .map(|t| {
                self.mention(NameKind::RelType, t);
                self.rel_type(&t.name)
            })
            .collect();
        let length = rp.length.map(|r| {
            let clamp = |x: u64| x.min(u64::from(u32::MAX)) as u32;
            (r.min.map_or(1, clamp), r.max.map(clamp))
        });
        let kind = if length.is_some() { Kind::RelList } else { Kind::Rel };
        let slot = match &rp.var {
            Some(v) => match scope.get(&v.name) {
                Some(var) => {
                    if matches!(var.kind, Kind::Node | Kind::Path) {
                        return Err(syntax_error(
                            "VariableTypeConflict",
                            format!("variable `{}` is not a relationship", v.name),
                            v.span,
                        ));
                    }
                    var.slot
                }
                None => {
                    let slot = self.new_slot(&v.name);
                    scope.set(&v.name, Var { slot, kind });
                    slot
                }
            },
            None => self.anon_slot(),
        };
        let direction = match rp.direction {
            ast::Direction::Outgoing => Direction::Outgoing,
            ast::Direction::Incoming => Direction::Incoming,
            ast::Direction::Both => Direction::Both,
        };
        rels.push(PRel {
            slot,
            types,
            direction,
            length,
            var_props: Vec::new(),
            has_props: rp.properties.is_some(),
            name: rp.var.as_ref().map(|v| v.name.clone()),
            span: rp.span,
        });
        Ok(rels.len() - 1)
    }

    fn node_props(
        &mut self,
        np: &ast::NodePattern,
        ni: usize,
        nodes: &mut [PNode],
        preds: &mut Vec<Pred>,
        scope: &Scope,
    ) -> Result<(), QueryError> {
        let Some(props) = &np.properties else { return Ok(()) };
        let slot = nodes[ni].slot;
        nodes[ni].has_props = true;
        match props {
            ast::Properties::Map(items) => {
                for (k, v) in items {
                    self.mention(NameKind::Key, k);
                    let key = self.key(&k.name);
                    let value = self.expr(v, scope)?;
                    if k.name == "id"
                        && !nodes[ni].bound_before
                        && nodes[ni].seek.is_none()
                        && free_slots(&value).is_empty()
                    {
                        nodes[ni].seek = Some((value.clone(), preds.len()));
                    }
                    let e = property_eq(slot, key, value, k.span.to(v.span));
                    let slots = free_slots(&e);
                    preds.push(Pred { expr: e, slots, done: false });
                }
            }
            ast::Properties::Parameter(p) => {
                return Err(syntax_error(
                    "InvalidParameterUse",
                    "a parameter cannot stand for the properties of a pattern to match",
                    p.span,
                ))
            }
        }
        Ok(())
    }

    fn rel_props(
        &mut self,
        rp: &ast::RelPattern,
        ri: usize,
        rels: &mut [PRel],
        preds: &mut Vec<Pred>,
        scope: &Scope,
    ) -> Result<(), QueryError> {
        let Some(props) = &rp.properties else { return Ok(()) };
        let ast::Properties::Map(items) = props else {
            return Err(syntax_error(
                "InvalidParameterUse",
                "a parameter cannot stand for the properties of a pattern to match",
                rp.span,
            ));
        };
        for (k, v) in items {
            self.mention(NameKind::Key, k);
            let key = self.key(&k.name);
            let value = self.expr(v, scope)?;
            if rels[ri].length.is_some() {
                rels[ri].var_props.push((key, value));
            } else {
                let e = property_eq(rels[ri].slot, key, value, k.span.to(v.span));
                let slots = free_slots(&e);
                preds.push(Pred { expr: e, slots, done: false });
            }
        }
        Ok(())
    }

    /// `n.id = value` (either way round) where `n` is not bound before the
    /// clause and `value` reads only slots bound before it.
    fn id_equality(&self, e: &Expr, before: &Scope) -> Option<(Slot, Expr)> {
        let ExprKind::Compare(lhs, rest) = &e.kind else { return None };
        let [(ast::CompareOp::Eq, rhs)] = rest.as_slice() else { return None };
        let id_of = |x: &Expr| match &x.kind {
            ExprKind::Property(base, key)
                if self.keys.get_index(key.0 as usize).is_some_and(|k| k == "id") =>
            {
                base.as_slot()
            }
            _ => None,
        };
        let bound_before =
            |x: &Expr| free_slots(x).iter().all(|s| before.vars.iter().any(|(_, v)| v.slot == *s));
        if let Some(slot) = id_of(lhs) {
            if bound_before(rhs) && !free_slots(rhs).contains(&slot) {
                return Some((slot, rhs.clone()));
            }
        }
        if let Some(slot) = id_of(rhs) {
            if bound_before(lhs) && !free_slots(lhs).contains(&slot) {
                return Some((slot, (**lhs).clone()));
            }
        }
        None
    }

    fn node_cost(&self, n: &PNode, bound: &HashSet<Slot>) -> f64 {
        if bound.contains(&n.slot) {
            return 0.0;
        }
        if n.seek.is_some() {
            return 1.0;
        }
        let base = if n.labels.is_empty() {
            self.catalog.node_count() as f64
        } else {
            n.labels
                .iter()
                .map(|l| {
                    self.catalog.label_count(self.labels.get_index(l.0 as usize).map_or("", String::as_str))
                })
                .min()
                .unwrap_or(0) as f64
        };
        2.0 + if n.has_props { base * 0.1 } else { base }
    }

    /// Binds a part's start node: a seek, a scan, or nothing when bound.
    fn bind_node(&mut self, op: Op, n: &PNode, preds: &mut [Pred], bound: &mut HashSet<Slot>) -> Op {
        if bound.contains(&n.slot) {
            return op;
        }
        bound.insert(n.slot);
        if let Some((value, pred)) = &n.seek {
            preds[*pred].done = true;
            let id_key = self.key("id");
            return Op::NodeKeySeek {
                input: Box::new(op),
                node: n.slot,
                id_key,
                key: value.clone(),
                labels: n.labels.clone(),
            };
        }
        let mut labels = n.labels.clone();
        // Scan the rarest label, check the others.
        labels.sort_by_key(|l| {
            self.catalog.label_count(self.labels.get_index(l.0 as usize).map_or("", String::as_str))
        });
        Op::NodeScan { input: Box::new(op), node: n.slot, labels }
    }

    #[allow(clippy::too_many_arguments)]
    fn hop(
        &mut self,
        op: Op,
        rel: &PRel,
        from: &PNode,
        to: &PNode,
        rels: &[PRel],
        clause_rels: &[Slot],
        bound: &HashSet<Slot>,
        cx: &HopContext<'_>,
    ) -> Result<Op, QueryError> {
        let direction = if cx.forward { rel.direction } else { rel.direction.reverse() };
        let into = bound.contains(&to.slot);
        let to_labels = if into { Vec::new() } else { to.labels.clone() };
        let Some((min, max)) = rel.length else {
            return Ok(Op::Expand(Box::new(Expand {
                input: op,
                from: from.slot,
                rel: rel.slot,
                to: to.slot,
                types: rel.types.clone(),
                direction,
                to_labels,
                into,
                rel_bound: bound.contains(&rel.slot),
                unique: clause_rels.to_vec(),
                prefetch: if into { Prefetch::No } else { self.prefetch(to.name.as_deref()) },
            })));
        };
        if self.reachable_ok(rel, min, rels, bound, cx) {
            // What the rest reads and is bound already: the rest of the query,
            // and the hops of this clause still to come.
            let mut group: Vec<Slot> = cx
                .used_slots
                .iter()
                .chain(cx.later_nodes)
                .copied()
                .filter(|s| bound.contains(s) && *s != to.slot)
                .collect();
            group.sort_unstable();
            group.dedup();
            let prefetch = self.prefetch(to.name.as_deref());
            return Ok(Op::Reachable(Box::new(Reachable {
                prefetch,
                input: op,
                from: from.slot,
                to: to.slot,
                types: rel.types.clone(),
                direction,
                min,
                max,
                to_labels,
                into,
                group,
            })));
        }
        Ok(Op::VarExpand(Box::new(VarExpand {
            input: op,
            from: from.slot,
            rel: rel.slot,
            to: to.slot,
            types: rel.types.clone(),
            direction,
            min,
            max,
            to_labels,
            into,
            rel_bound: bound.contains(&rel.slot),
            reversed: !cx.forward,
            rel_props: rel.var_props.clone(),
            unique: clause_rels.to_vec(),
        })))
    }

    fn reachable_ok(
        &self,
        rel: &PRel,
        min: u32,
        rels: &[PRel],
        bound: &HashSet<Slot>,
        cx: &HopContext<'_>,
    ) -> bool {
        let Some(reach) = cx.reach else { return false };
        if min > 1 || cx.has_path || rel.has_props {
            return false;
        }
        if bound.contains(&rel.slot) || rel.name.as_ref().is_some_and(|n| reach.used.contains(n)) {
            return false;
        }
        // Relationship uniqueness against the other hops of the clause can be
        // ignored only if no other hop can use the same relationships.
        let others: Vec<&PRel> = rels.iter().filter(|r| r.slot != rel.slot).collect();
        if !others.is_empty() {
            if rel.types.is_empty() {
                return false;
            }
            if others.iter().any(|o| o.types.is_empty() || o.types.iter().any(|t| rel.types.contains(t))) {
                return false;
            }
        }
        true
    }

    #[allow(clippy::too_many_arguments)]
    fn plan_shortest(
        &mut self,
        mut op: Op,
        part: &PPart,
        nodes: &[PNode],
        rels: &[PRel],
        preds: &mut [Pred],
        bound: &mut HashSet<Slot>,
    ) -> Result<Op, QueryError> {
        let ([a, b], [r]) = (part.nodes.as_slice(), part.rels.as_slice()) else {
            return Err(syntax_error(
                "UnexpectedSyntax",
                "shortestPath needs a pattern of exactly one relationship",
                part.span,
            ));
        };
        let rel = &rels[*r];
        let (min, max) = rel.length.unwrap_or((1, Some(1)));
        if min > 1 {
            return Err(unsupported("shortestPath with a minimal length above 1 is not supported", rel.span));
        }
        if rel.has_props {
            return Err(unsupported("property constraints inside shortestPath are not supported", rel.span));
        }
        for ni in [a, b] {
            op = self.bind_node(op, &nodes[*ni], preds, bound);
            op = place_ready(op, preds, bound);
        }
        let rel_slot = rel.name.as_ref().map(|_| rel.slot);
        op = Op::ShortestPath(Box::new(ShortestPath {
            input: op,
            from: nodes[*a].slot,
            to: nodes[*b].slot,
            path: part.path,
            rel: rel_slot,
            types: rel.types.clone(),
            direction: rel.direction,
            min,
            max,
            all: part.kind == ast::PathKind::AllShortest,
        }));
        bound.insert(rel.slot);
        if let Some(p) = part.path {
            bound.insert(p);
        }
        Ok(place_ready(op, preds, bound))
    }
}

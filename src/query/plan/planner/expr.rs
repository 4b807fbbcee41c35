//! Expressions: AST expressions into the plan's, with variables resolved to
//! slots and subqueries planned.

use super::*;
use crate::query::plan::regex::Pattern;

impl Planner<'_> {
    pub(super) fn expr(&mut self, e: &ast::Expr, scope: &Scope) -> Result<Expr, QueryError> {
        let mut hook = |_: &mut Planner<'_>, x: &ast::Expr| -> Result<Option<Expr>, QueryError> {
            if is_aggregate(x) {
                return Err(syntax_error("InvalidAggregation", "an aggregate is not allowed here", x.span));
            }
            Ok(None)
        };
        self.expr_with(e, scope, &mut hook)
    }

    /// Plans a pattern predicate or `EXISTS`/`COUNT` body on the outer row.
    /// The body sees the outer scope; `reads` lists the outer slots it
    /// mentions, so a filter using it is placed where they are bound.
    fn subquery(
        &mut self,
        kind: ast::SubqueryKind,
        body: &ast::Query,
        scope: &Scope,
    ) -> Result<ExprKind, QueryError> {
        let kind = match kind {
            ast::SubqueryKind::Count => SubqueryKind::Count,
            ast::SubqueryKind::Exists => SubqueryKind::Exists,
        };
        self.subquery_of(|_| kind, body, scope)
    }

    /// A subquery expression over `body`, whose kind may depend on the
    /// slots of the body's result.
    fn subquery_of(
        &mut self,
        kind: impl FnOnce(&[Slot]) -> SubqueryKind,
        body: &ast::Query,
        scope: &Scope,
    ) -> Result<ExprKind, QueryError> {
        let mut mentioned = HashSet::new();
        body.clauses.iter().for_each(|c| clause_variables(c, &mut mentioned));
        let mut reads: Vec<Slot> =
            scope.vars.iter().filter(|(n, _)| mentioned.contains(n)).map(|(_, v)| v.slot).collect();
        reads.sort_unstable();
        reads.dedup();
        // The body's MATCH clauses set the prefetch hints for their own
        // projections; the enclosing clause's hints must survive them.
        let saved = std::mem::take(&mut self.props_read);
        let planned = self.query_from(body, Op::Argument, scope.clone());
        self.props_read = saved;
        let (plan, _, outputs) = planned?;
        Ok(ExprKind::Subquery { kind: kind(&outputs), plan: Box::new(plan), reads })
    }

    pub(super) fn expr_with(
        &mut self,
        e: &ast::Expr,
        scope: &Scope,
        hook: Hook<'_>,
    ) -> Result<Expr, QueryError> {
        use ast::ExprKind as A;
        if let Some(done) = hook(self, e)? {
            return Ok(done);
        }
        // exists((a)-->(b)), the older spelling of a pattern predicate.
        if let A::Function { name, args, .. } = &e.kind {
            if let [arg @ ast::Expr { kind: A::Pattern(_), .. }] = args.as_slice() {
                if name.name.eq_ignore_ascii_case("exists") {
                    return self.expr_with(arg, scope, hook);
                }
            }
        }
        let span = e.span;
        let boxed =
            |pl: &mut Planner<'_>, x: &ast::Expr, hook: Hook<'_>| pl.expr_with(x, scope, hook).map(Box::new);
        let kind = match &e.kind {
            A::Literal(l) => ExprKind::Const(literal(l)),
            A::Parameter(p) => ExprKind::Param(p.clone()),
            A::Variable(v) => match scope.get(v) {
                Some(var) => ExprKind::Slot(var.slot),
                None => {
                    return Err(syntax_error(
                        "UndefinedVariable",
                        format!("variable `{v}` not defined"),
                        span,
                    ));
                }
            },
            A::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for x in items {
                    out.push(self.expr_with(x, scope, hook)?);
                }
                constant_list(out)
            }
            A::Map(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (k, x) in items {
                    out.push((k.name.clone(), self.expr_with(x, scope, hook)?));
                }
                ExprKind::Map(out)
            }
            A::Property(base, key) => {
                self.mention(NameKind::Key, key);
                let k = self.key(&key.name);
                ExprKind::Property(boxed(self, base, hook)?, k)
            }
            A::Index(base, index) => ExprKind::Index(boxed(self, base, hook)?, boxed(self, index, hook)?),
            A::Slice(base, from, to) => {
                let base = boxed(self, base, hook)?;
                let from = match from {
                    Some(x) => Some(boxed(self, x, hook)?),
                    None => None,
                };
                let to = match to {
                    Some(x) => Some(boxed(self, x, hook)?),
                    None => None,
                };
                ExprKind::Slice(base, from, to)
            }
            A::HasLabels(base, labels) => {
                let refs = labels
                    .iter()
                    .map(|l| {
                        self.mention(NameKind::Label, l);
                        self.label(&l.name)
                    })
                    .collect();
                ExprKind::HasLabels(boxed(self, base, hook)?, refs)
            }
            A::Unary(op, x) => {
                let inner = boxed(self, x, hook)?;
                match op {
                    ast::UnaryOp::Not => ExprKind::Not(inner),
                    ast::UnaryOp::Negate => match inner.kind {
                        ExprKind::Const(Value::Int(i)) if i != i64::MIN => ExprKind::Const(Value::Int(-i)),
                        ExprKind::Const(Value::Float(f)) => ExprKind::Const(Value::Float(-f)),
                        _ => ExprKind::Negate(inner),
                    },
                    ast::UnaryOp::Plus => ExprKind::Plus(inner),
                }
            }
            A::Binary(op, a, b) => {
                let op = match op {
                    ast::BinaryOp::Or => BinOp::Or,
                    ast::BinaryOp::Xor => BinOp::Xor,
                    ast::BinaryOp::And => BinOp::And,
                    ast::BinaryOp::Add => BinOp::Add,
                    ast::BinaryOp::Subtract => BinOp::Sub,
                    ast::BinaryOp::Multiply => BinOp::Mul,
                    ast::BinaryOp::Divide => BinOp::Div,
                    ast::BinaryOp::Modulo => BinOp::Mod,
                    ast::BinaryOp::Power => BinOp::Pow,
                    ast::BinaryOp::In => BinOp::In,
                    ast::BinaryOp::StartsWith => BinOp::StartsWith,
                    ast::BinaryOp::EndsWith => BinOp::EndsWith,
                    ast::BinaryOp::Contains => BinOp::Contains,
                    ast::BinaryOp::RegexMatch => {
                        let text = boxed(self, a, hook)?;
                        let pattern = match &b.kind {
                            A::Literal(ast::Literal::String(p)) => RegexOperand::Fixed(
                                Pattern::new(p)
                                    .map_err(|m| syntax_error("InvalidArgumentValue", m, b.span))?,
                            ),
                            _ => RegexOperand::Computed(boxed(self, b, hook)?),
                        };
                        return Ok(Expr::new(ExprKind::RegexMatch(text, pattern), span));
                    }
                };
                ExprKind::Binary(op, boxed(self, a, hook)?, boxed(self, b, hook)?)
            }
            A::Comparison(first, rest) => {
                let first = boxed(self, first, hook)?;
                let mut out = Vec::with_capacity(rest.len());
                for (op, x) in rest {
                    out.push((*op, self.expr_with(x, scope, hook)?));
                }
                ExprKind::Compare(first, out)
            }
            A::IsNull { expr, negated } => ExprKind::IsNull(boxed(self, expr, hook)?, *negated),
            A::Function { name, args, .. } => {
                let Some(f) = Function::lookup(&name.name) else {
                    return Err(syntax_error(
                        "UnknownFunction",
                        format!("unknown function '{}'", name.name),
                        name.span,
                    ));
                };
                let mut out = Vec::with_capacity(args.len());
                for x in args {
                    out.push(self.expr_with(x, scope, hook)?);
                }
                if f == Function::Exists {
                    let [arg] = <[Expr; 1]>::try_from(out).map_err(|_| {
                        syntax_error("InvalidNumberOfArguments", "exists() takes one argument", span)
                    })?;
                    ExprKind::IsNull(Box::new(arg), true)
                } else {
                    ExprKind::Call(f, out)
                }
            }
            A::CountStar => {
                return Err(syntax_error("InvalidAggregation", "count(*) is not allowed here", span));
            }
            A::Case { subject, alternatives, default } => {
                let subject = match subject {
                    Some(x) => Some(boxed(self, x, hook)?),
                    None => None,
                };
                let mut alts = Vec::with_capacity(alternatives.len());
                for (w, t) in alternatives {
                    alts.push((self.expr_with(w, scope, hook)?, self.expr_with(t, scope, hook)?));
                }
                let default = match default {
                    Some(x) => Some(boxed(self, x, hook)?),
                    None => None,
                };
                ExprKind::Case { subject, alternatives: alts, default }
            }
            A::ListComprehension { quantifier, var, list, predicate, projection } => {
                let list = boxed(self, list, hook)?;
                let slot = self.new_slot(&var.name);
                let mut inner = scope.clone();
                inner.set(&var.name, Var { slot, kind: Kind::Value });
                let predicate = match predicate {
                    Some(x) => Some(Box::new(self.expr_with(x, &inner, hook)?)),
                    None => None,
                };
                let projection = match projection {
                    Some(x) => Some(Box::new(self.expr_with(x, &inner, hook)?)),
                    None => None,
                };
                ExprKind::ListComp { quantifier: *quantifier, slot, list, predicate, projection }
            }
            A::Pattern(part) => {
                let m = ast::Match { optional: false, pattern: vec![(**part).clone()], where_: None, span };
                let body = ast::Query { clauses: vec![ast::Clause::Match(m)], span };
                self.subquery(ast::SubqueryKind::Exists, &body, scope)?
            }
            A::PatternComprehension { pattern, predicate, projection } => {
                let m = ast::Match {
                    optional: false,
                    pattern: vec![(**pattern).clone()],
                    where_: predicate.as_deref().cloned(),
                    span,
                };
                let item = ast::ProjectionItem {
                    expr: (**projection).clone(),
                    alias: Some(ast::Ident { name: "  value".into(), span: projection.span }),
                    text: String::new(),
                    span: projection.span,
                };
                let ret = ast::Projection {
                    distinct: false,
                    star: false,
                    items: vec![item],
                    order_by: Vec::new(),
                    skip: None,
                    limit: None,
                    where_: None,
                    span,
                };
                let body =
                    ast::Query { clauses: vec![ast::Clause::Match(m), ast::Clause::Return(ret)], span };
                // The body's one output is the value.
                self.subquery_of(|outputs| SubqueryKind::Collect(outputs[0]), &body, scope)?
            }
            A::Subquery { kind, body } => self.subquery(*kind, body, scope)?,
        };
        Ok(Expr::new(kind, span))
    }
}

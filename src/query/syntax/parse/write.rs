//! The updating clauses: `MERGE`, `SET`, `REMOVE` and `[DETACH] DELETE`.
//!
//! ```text
//! merge  ::= MERGE part (ON (CREATE | MATCH) SET set_item (',' set_item)*)*
//! set    ::= SET set_item (',' set_item)*
//! remove ::= REMOVE remove_item (',' remove_item)*
//! delete ::= [DETACH] DELETE expr (',' expr)*
//! set_item    ::= entity '.' key '=' expr | entity ('=' | '+=') expr | entity (':' label)+
//! remove_item ::= entity '.' key | entity (':' label)+
//! entity      ::= var | '(' expr ')'
//! ```

use nom::Err;

use super::{Ctx, Parser};
use crate::query::syntax::ast::{
    Clause, Delete, Expr, ExprKind, Merge, Remove, RemoveItem, SetClause, SetItem,
};
use crate::query::syntax::lex::{at_symbol, expect, fail, keyword, name, symbol, variable_name, ws, PResult};

impl<'a> Parser<'a> {
    /// An updating clause starting at `i`, or `None` when `i` starts none.
    pub(super) fn updating_clause(&self, i: &'a str) -> Option<PResult<'a, Clause>> {
        let start = i;
        if let Ok((rest, _)) = keyword("MERGE")(i) {
            return Some(self.merge_clause(start, rest));
        }
        if let Ok((rest, _)) = keyword("SET")(i) {
            return Some(self.set_items(rest).map(|(rest, items)| {
                let span = self.span(start, rest);
                (rest, Clause::Set(SetClause { items, span }))
            }));
        }
        if let Ok((rest, _)) = keyword("REMOVE")(i) {
            return Some(self.remove_clause(start, rest));
        }
        if let Ok((rest, _)) = keyword("DETACH")(i) {
            return Some(
                expect("expected DELETE after DETACH", keyword("DELETE"))(rest)
                    .and_then(|(rest, _)| self.delete_clause(start, rest, true)),
            );
        }
        if let Ok((rest, _)) = keyword("DELETE")(i) {
            return Some(self.delete_clause(start, rest, false));
        }
        None
    }

    fn merge_clause(&self, start: &'a str, i: &'a str) -> PResult<'a, Clause> {
        let (mut i, pattern) =
            expect("expected a pattern after 'MERGE'", |i| self.pattern_part(i, Ctx::Match))(i)?;
        let (mut on_create, mut on_match) = (Vec::new(), Vec::new());
        while let Ok((rest, _)) = keyword("ON")(i) {
            let (rest, create) = match keyword("CREATE")(rest) {
                Ok((rest, _)) => (rest, true),
                Err(_) => {
                    let (rest, _) = expect("expected CREATE or MATCH after ON", keyword("MATCH"))(rest)?;
                    (rest, false)
                }
            };
            let (rest, _) = expect("expected SET after ON CREATE or ON MATCH", keyword("SET"))(rest)?;
            let (rest, items) = self.set_items(rest)?;
            if create {
                on_create.extend(items)
            } else {
                on_match.extend(items)
            }
            i = rest;
        }
        let span = self.span(start, i);
        Ok((i, Clause::Merge(Merge { pattern, on_create, on_match, span })))
    }

    fn set_items(&self, i: &'a str) -> PResult<'a, Vec<SetItem>> {
        let (mut i, first) = self.set_item(i)?;
        let mut items = vec![first];
        while let Ok((rest, _)) = symbol(",")(i) {
            let (rest, item) = self.set_item(rest)?;
            items.push(item);
            i = rest;
        }
        Ok((i, items))
    }

    fn set_item(&self, i: &'a str) -> PResult<'a, SetItem> {
        let (i, entity) = self.entity(i, "expected a variable or a property to set")?;
        if let Ok((rest, _)) = symbol(".")(i) {
            let (rest, key) = expect("expected a property key after '.'", name)(rest)?;
            let (rest, _) = expect("expected '=' after the property to set", symbol("="))(rest)?;
            let (rest, value) = self.expect_expr(rest, "expected an expression after '='")?;
            return Ok((rest, SetItem::Property { entity, key: self.ident(key), value }));
        }
        if let Ok((rest, _)) = symbol("+=")(i) {
            let (rest, value) = self.expect_expr(rest, "expected a map after '+='")?;
            return Ok((rest, SetItem::Properties { entity, value, merge: true }));
        }
        if let Ok((rest, _)) = symbol("=")(i) {
            let (rest, value) = self.expect_expr(rest, "expected a map after '='")?;
            return Ok((rest, SetItem::Properties { entity, value, merge: false }));
        }
        if at_symbol(i, ":") {
            let (rest, labels) = self.labels(i, "expected a label name after ':'")?;
            return Ok((rest, SetItem::Labels { entity, labels }));
        }
        fail(i, "expected '.', '=', '+=' or ':' after the variable in SET")
    }

    fn remove_clause(&self, start: &'a str, i: &'a str) -> PResult<'a, Clause> {
        let mut items = Vec::new();
        let mut i = i;
        loop {
            let (rest, entity) = self.entity(i, "expected a property or labels to remove")?;
            let (rest, item) = if let Ok((rest, _)) = symbol(".")(rest) {
                let (rest, key) = expect("expected a property key after '.'", name)(rest)?;
                (rest, RemoveItem::Property { entity, key: self.ident(key) })
            } else if at_symbol(rest, ":") {
                let (rest, labels) = self.labels(rest, "expected a label name after ':'")?;
                (rest, RemoveItem::Labels { entity, labels })
            } else {
                return fail(rest, "expected '.' and a property key, or ':' and labels, to remove");
            };
            items.push(item);
            match symbol(",")(rest) {
                Ok((rest, _)) => i = rest,
                Err(_) => {
                    i = rest;
                    break;
                }
            }
        }
        let span = self.span(start, i);
        Ok((i, Clause::Remove(Remove { items, span })))
    }

    fn delete_clause(&self, start: &'a str, i: &'a str, detach: bool) -> PResult<'a, Clause> {
        let (mut i, first) = self.expect_expr(i, "expected an expression to delete")?;
        let mut exprs = vec![first];
        while let Ok((rest, _)) = symbol(",")(i) {
            let (rest, e) = self.expect_expr(rest, "expected an expression after ','")?;
            exprs.push(e);
            i = rest;
        }
        let span = self.span(start, i);
        Ok((i, Clause::Delete(Delete { detach, exprs, span })))
    }

    /// What a `SET` or `REMOVE` item changes: a variable, or a
    /// parenthesised expression.
    fn entity(&self, i: &'a str, message: &'static str) -> PResult<'a, Expr> {
        let (i, ()) = ws(i)?;
        let start = i;
        if let Ok((rest, _)) = symbol("(")(i) {
            let (rest, e) = self.expect_expr(rest, "expected an expression after '('")?;
            let (rest, _) = expect("expected ')' to close the parenthesised expression", symbol(")"))(rest)?;
            return Ok((rest, Expr { kind: e.kind, span: self.span(start, rest) }));
        }
        match variable_name(i) {
            Ok((rest, v)) => {
                Ok((rest, Expr { kind: ExprKind::Variable(v.name), span: self.span(start, rest) }))
            }
            Err(Err::Error(_)) => fail(i, message),
            Err(e) => Err(e),
        }
    }
}

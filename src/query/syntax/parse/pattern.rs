//! Patterns: nodes, relationships, variable-length ranges, property maps.

use nom::Err;

use super::{Ctx, Parser, INVALID_PARAMETER_USE, INVALID_RELATIONSHIP_PATTERN};
use crate::query::syntax::ast::{
    Direction, Ident, NodePattern, PathKind, PatternElement, PatternPart, Properties, Range, RelPattern,
};
use crate::query::syntax::lex::{
    at_symbol, expect, expect_detail, fail, name, number, skip_ws, soft, symbol, variable_name, ws, Number,
    PError, PResult, INTEGER_OVERFLOW,
};

impl<'a> Parser<'a> {
    /// ```text
    /// pattern ::= part ( ',' part )*
    /// ```
    pub(super) fn pattern(
        &self,
        i: &'a str,
        ctx: Ctx,
        message: &'static str,
    ) -> PResult<'a, Vec<PatternPart>> {
        let (mut i, first) = expect(message, |i| self.pattern_part(i, ctx))(i)?;
        let mut parts = vec![first];
        while let Ok((rest, _)) = symbol(",")(i) {
            let (rest, part) = expect("expected a pattern after ','", |i| self.pattern_part(i, ctx))(rest)?;
            parts.push(part);
            i = rest;
        }
        Ok((i, parts))
    }

    /// ```text
    /// part ::= [var '='] ( element | (shortestPath | allShortestPaths) '(' element ')' )
    /// ```
    pub(super) fn pattern_part(&self, i: &'a str, ctx: Ctx) -> PResult<'a, PatternPart> {
        let (i, ()) = ws(i)?;
        let start = i;
        let (i, var) = match variable_name(i) {
            Ok((rest, n)) if at_symbol(rest, "=") => {
                let (rest, _) = symbol("=")(rest)?;
                (rest, Some(self.ident(n)))
            }
            _ => (i, None),
        };
        let (i, kind, element) = match name(i) {
            Ok((rest, n)) if !n.quoted && at_symbol(rest, "(") => {
                let kind = if n.name.eq_ignore_ascii_case("shortestPath") {
                    PathKind::Shortest
                } else if n.name.eq_ignore_ascii_case("allShortestPaths") {
                    PathKind::AllShortest
                } else {
                    return fail(i, "expected a pattern, shortestPath(...) or allShortestPaths(...)");
                };
                let (rest, _) = symbol("(")(rest)?;
                let (rest, element) =
                    expect("expected a pattern inside the parentheses", |i| self.pattern_element(i, ctx))(
                        rest,
                    )?;
                let (rest, _) = expect("expected ')' to close the shortest path", symbol(")"))(rest)?;
                (rest, kind, element)
            }
            _ if var.is_some() => {
                let (rest, element) =
                    expect("expected a pattern after '='", |i| self.pattern_element(i, ctx))(i)?;
                (rest, PathKind::Pattern, element)
            }
            _ => {
                let (rest, element) = self.pattern_element(i, ctx)?;
                (rest, PathKind::Pattern, element)
            }
        };
        let span = self.span(start, i);
        Ok((i, PatternPart { var, kind, element, span }))
    }

    /// ```text
    /// element ::= node ( rel node )* | '(' element ')'
    /// ```
    pub(super) fn pattern_element(&self, i: &'a str, ctx: Ctx) -> PResult<'a, PatternElement> {
        let (i, ()) = ws(i)?;
        if let Some(inner) = i.strip_prefix('(') {
            if skip_ws(inner).starts_with('(') {
                return self.nested(i, || {
                    let (rest, element) = self.pattern_element(inner, ctx)?;
                    let (rest, _) =
                        expect("expected ')' to close the parenthesized pattern", symbol(")"))(rest)?;
                    Ok((rest, element))
                });
            }
        }
        let (mut i, start) = self.node_pattern(i, ctx)?;
        let mut chain = Vec::new();
        loop {
            match self.rel_pattern(i, ctx) {
                Ok((rest, rel)) => {
                    let (rest, node) = expect("expected a node pattern after the relationship", |i| {
                        self.node_pattern(i, ctx)
                    })(rest)?;
                    chain.push((rel, node));
                    i = rest;
                }
                Err(Err::Error(_)) => break,
                Err(e) => return Err(e),
            }
        }
        Ok((i, PatternElement { start, chain }))
    }

    /// ```text
    /// node ::= '(' [var] (':' label)* [map | parameter] ')'
    /// ```
    fn node_pattern(&self, i: &'a str, ctx: Ctx) -> PResult<'a, NodePattern> {
        let (i, ()) = ws(i)?;
        let start = i;
        let Some(i) = i.strip_prefix('(') else { return soft(i) };
        let (i, var) = match variable_name(i) {
            Ok((rest, n)) => (rest, Some(self.ident(n))),
            Err(Err::Error(_)) => (i, None),
            Err(e) => return Err(e),
        };
        let (i, labels) = self.labels(i, "expected a label name after ':'")?;
        let (i, properties) = self.properties(i, ctx)?;
        let (i, _) = expect("expected ')' to close node pattern", symbol(")"))(i)?;
        Ok((i, NodePattern { var, labels, properties, span: self.span(start, i) }))
    }

    pub(super) fn labels(&self, mut i: &'a str, message: &'static str) -> PResult<'a, Vec<Ident>> {
        let mut labels = Vec::new();
        while let Ok((rest, _)) = symbol(":")(i) {
            let (rest, label) = expect(message, name)(rest)?;
            labels.push(self.ident(label));
            i = rest;
        }
        Ok((i, labels))
    }

    fn properties(&self, i: &'a str, ctx: Ctx) -> PResult<'a, Option<Properties>> {
        let (i, ()) = ws(i)?;
        if i.starts_with('{') {
            let (rest, entries) = self.map_entries(i)?;
            return Ok((rest, Some(Properties::Map(entries))));
        }
        if i.starts_with('$') {
            let (rest, param) = self.parameter(i)?;
            if ctx == Ctx::Match {
                return Err(Err::Failure(PError::invalid(
                    i,
                    self.pos(rest) - self.pos(i),
                    INVALID_PARAMETER_USE,
                    "a parameter cannot be used as the property map of a MATCH pattern, write {key: $param.key}",
                )));
            }
            return Ok((rest, Some(Properties::Parameter(param))));
        }
        Ok((i, None))
    }

    /// ```text
    /// rel    ::= '<'? '-' ['[' detail ']'] '-' '>'?
    /// detail ::= [var] [':' type ('|' ':'? type)*] ['*' [int] ['..' [int]]] [map | parameter]
    /// ```
    fn rel_pattern(&self, i: &'a str, ctx: Ctx) -> PResult<'a, RelPattern> {
        let (i, ()) = ws(i)?;
        let start = i;
        let (i, left) = match i.strip_prefix('<') {
            Some(rest) if skip_ws(rest).starts_with('-') => (rest, true),
            Some(_) => return soft(i),
            None => (i, false),
        };
        let Ok((i, _)) = symbol("-")(i) else { return soft(i) };
        let (mut i, mut var, mut types, mut length, mut properties) = (i, None, Vec::new(), None, None);
        if let Ok((rest, _)) = symbol("[")(i) {
            (i, var) = match variable_name(rest) {
                Ok((rest, n)) => (rest, Some(self.ident(n))),
                Err(Err::Error(_)) => (rest, None),
                Err(e) => return Err(e),
            };
            (i, types) = self.rel_types(i)?;
            (i, length) = self.range(i)?;
            (i, properties) = self.properties(i, ctx)?;
            if at_symbol(i, "..") {
                let at = skip_ws(i);
                return Err(Err::Failure(PError::invalid(
                    at,
                    2,
                    INVALID_RELATIONSHIP_PATTERN,
                    "expected '*' before a variable-length range",
                )));
            }
            (i, _) = expect_detail(
                INVALID_RELATIONSHIP_PATTERN,
                "expected ']' to close relationship pattern",
                symbol("]"),
            )(i)?;
            (i, _) = expect("expected '-' after ']' in relationship pattern", symbol("-"))(i)?;
        } else {
            (i, _) = expect("expected '-' or '[' to continue the relationship pattern", symbol("-"))(i)?;
        }
        let (i, right) = match symbol(">")(i) {
            Ok((rest, _)) => (rest, true),
            Err(_) => (i, false),
        };
        let direction = match (left, right) {
            (true, false) => Direction::Incoming,
            (false, true) => Direction::Outgoing,
            _ => Direction::Both,
        };
        Ok((i, RelPattern { var, types, direction, length, properties, span: self.span(start, i) }))
    }

    fn rel_types(&self, i: &'a str) -> PResult<'a, Vec<Ident>> {
        let mut types = Vec::new();
        let Ok((mut i, _)) = symbol(":")(i) else { return Ok((i, types)) };
        loop {
            let (rest, t) = expect("expected a relationship type", name)(i)?;
            types.push(self.ident(t));
            i = rest;
            let Ok((rest, _)) = symbol("|")(i) else { break };
            i = symbol(":")(rest).map_or(rest, |(rest, _)| rest);
        }
        Ok((i, types))
    }

    /// `*`, `*n`, `*n..m`, `*..m`, `*n..`
    fn range(&self, i: &'a str) -> PResult<'a, Option<Range>> {
        let Ok((i, _)) = symbol("*")(i) else { return Ok((i, None)) };
        let (i, min) = self.range_bound(i)?;
        match symbol("..")(i) {
            Ok((i, _)) => {
                let (i, max) = self.range_bound(i)?;
                Ok((i, Some(Range { min, max })))
            }
            Err(_) => Ok((i, Some(Range { min, max: min }))),
        }
    }

    fn range_bound(&self, i: &'a str) -> PResult<'a, Option<u64>> {
        match number(i) {
            Ok((rest, (Number::Integer(Some(n)), _))) => Ok((rest, Some(n))),
            Ok((_, (Number::Integer(None), raw))) => Err(Err::Failure(PError::invalid(
                raw,
                raw.len(),
                INTEGER_OVERFLOW,
                "range bound is too large",
            ))),
            Ok((_, (Number::Float(_), raw))) => Err(Err::Failure(PError::invalid(
                raw,
                raw.len(),
                INVALID_RELATIONSHIP_PATTERN,
                "expected an integer range bound",
            ))),
            Err(Err::Error(_)) => Ok((i, None)),
            Err(e) => Err(e),
        }
    }
}

//! Expressions, by precedence climbing.

use nom::Err;

use super::{Ctx, Parser, QuantifierParse};
use crate::query::syntax::ast::{
    BinaryOp, Clause, CompareOp, Expr, ExprKind, Ident, Literal, Match, PathKind, PatternPart, Quantifier,
    Query, SubqueryKind, UnaryOp,
};
use crate::query::syntax::lex::{
    at_keyword, at_symbol, expect, fail, is_ident_start, is_reserved, keyword, name, number, skip_ws, soft,
    string, symbol, variable_name, ws, Number, PError, PResult, INTEGER_OVERFLOW, UNEXPECTED_SYNTAX,
};

/// Binding strength of operators, weakest first.
mod level {
    pub const OR: u8 = 1;
    pub const XOR: u8 = 2;
    pub const AND: u8 = 3;
    pub const NOT: u8 = 4;
    pub const COMPARISON: u8 = 5;
    /// `IN`, `STARTS WITH`, `ENDS WITH`, `CONTAINS`, `=~`, `IS [NOT] NULL`.
    pub const PREDICATE: u8 = 6;
    pub const ADD: u8 = 7;
    pub const MULTIPLY: u8 = 8;
    pub const POWER: u8 = 9;
    pub const UNARY: u8 = 10;
}

/// An operator found after an operand.
#[derive(Clone, Copy)]
enum Op {
    Binary(BinaryOp),
    Compare(CompareOp),
    IsNull { negated: bool },
}

impl<'a> Parser<'a> {
    // Functions on the recursive path (expr_bp → unary → postfix → atom →
    // brackets → expr) are kept thin and hand their work after the recursive
    // call to separate functions, so that in debug builds, where frames hold
    // every temporary of the whole function, a nesting level costs a few
    // kilobytes of stack rather than tens.

    /// A full expression. Nesting is counted where expressions recurse
    /// (brackets, calls, unary operators), one level per construct.
    pub(super) fn expr(&self, i: &'a str) -> PResult<'a, Expr> {
        self.expr_bp(i, level::OR)
    }

    /// A full expression, or a committed error saying `message` if there is none.
    pub(super) fn expect_expr(&self, i: &'a str, message: &'static str) -> PResult<'a, Expr> {
        match self.expr_bp(i, level::OR) {
            Err(Err::Error(_)) => fail(i, message),
            other => other,
        }
    }

    /// An operand of `op`: a soft failure becomes "expected an expression after 'op'".
    fn operand(&self, i: &'a str, min: u8, op: &'static str) -> PResult<'a, Expr> {
        match self.expr_bp(i, min) {
            Err(Err::Error(_)) => Err(expected_after(i, op)),
            other => other,
        }
    }

    /// Precedence climbing: an expression whose operators all bind at least
    /// as tightly as `min`.
    ///
    /// ```text
    /// expr       ::= or
    /// or         ::= xor ( OR xor )*
    /// xor        ::= and ( XOR and )*
    /// and        ::= not ( AND not )*
    /// not        ::= NOT not | comparison
    /// comparison ::= predicate ( ( '=' | '<>' | '<' | '<=' | '>' | '>=' ) predicate )*
    /// predicate  ::= add ( ( IN | STARTS WITH | ENDS WITH | CONTAINS | '=~' ) add | IS [NOT] NULL )*
    /// add        ::= mul ( ( '+' | '-' ) mul )*
    /// mul        ::= pow ( ( '*' | '/' | '%' ) pow )*
    /// pow        ::= unary ( '^' unary )*
    /// unary      ::= ( '-' | '+' ) unary | postfix
    /// ```
    fn expr_bp(&self, i: &'a str, min: u8) -> PResult<'a, Expr> {
        let (i, ()) = ws(i)?;
        let (rest, lhs) =
            if min <= level::NOT && at_keyword(i, "NOT") { self.not(i) } else { self.unary(i) }?;
        self.climb(i, rest, lhs, min)
    }

    fn not(&self, i: &'a str) -> PResult<'a, Expr> {
        let (rest, _) = keyword("NOT")(i)?;
        let (rest, operand) = self.nested(i, || self.operand(rest, level::NOT, "NOT"))?;
        let span = self.span(i, rest);
        Ok((rest, Expr { kind: ExprKind::Unary(UnaryOp::Not, Box::new(operand)), span }))
    }

    /// The operator loop of [`expr_bp`](Self::expr_bp), given the first operand.
    fn climb(&self, start: &'a str, mut i: &'a str, mut lhs: Expr, min: u8) -> PResult<'a, Expr> {
        while let Some((op, op_level, text, after)) = operator(i)? {
            if op_level < min {
                break;
            }
            match op {
                Op::Compare(first) => {
                    let (rest, chain) = self.comparison_chain(first, text, after)?;
                    i = rest;
                    let span = self.span(start, i);
                    lhs = Expr { kind: ExprKind::Comparison(Box::new(lhs), chain), span };
                }
                Op::IsNull { negated } => {
                    i = after;
                    let span = self.span(start, i);
                    lhs = Expr { kind: ExprKind::IsNull { expr: Box::new(lhs), negated }, span };
                }
                Op::Binary(bin) => {
                    let rhs_level = if op_level == level::POWER { level::UNARY } else { op_level + 1 };
                    let (rest, rhs) = self.operand(after, rhs_level, text)?;
                    i = rest;
                    let span = self.span(start, i);
                    lhs = Expr { kind: ExprKind::Binary(bin, Box::new(lhs), Box::new(rhs)), span };
                }
            }
        }
        Ok((i, lhs))
    }

    /// The operands of `a < b <= c ...` after the first operator.
    #[allow(clippy::type_complexity)]
    fn comparison_chain(
        &self,
        first: CompareOp,
        text: &'static str,
        after: &'a str,
    ) -> PResult<'a, Vec<(CompareOp, Expr)>> {
        let (mut op, mut text, mut after) = (first, text, after);
        let mut chain = Vec::new();
        loop {
            let (rest, rhs) = self.operand(after, level::PREDICATE, text)?;
            chain.push((op, rhs));
            match operator(rest)? {
                Some((Op::Compare(next), _, t, a)) => (op, text, after) = (next, t, a),
                _ => return Ok((rest, chain)),
            }
        }
    }

    /// Unary `-` and `+`, or a postfix expression.
    fn unary(&self, i: &'a str) -> PResult<'a, Expr> {
        let (i, ()) = ws(i)?;
        match i.as_bytes().first() {
            Some(b'-') => self.nested(i, || self.sign(i, UnaryOp::Negate)),
            Some(b'+') => self.nested(i, || self.sign(i, UnaryOp::Plus)),
            _ => self.postfix(i),
        }
    }

    /// `-x` or `+x` at `i`. A `-` directly in front of an integer literal
    /// (with no postfix operator after it) folds into a negative literal,
    /// which is how `-9223372036854775808` is written.
    fn sign(&self, i: &'a str, op: UnaryOp) -> PResult<'a, Expr> {
        let rest = &i[1..];
        if op == UnaryOp::Negate {
            if let Some(folded) = self.negative_literal(i, rest) {
                return folded;
            }
        }
        let (after, operand) = match self.unary(rest) {
            Err(Err::Error(_)) => {
                return Err(expected_after(rest, if op == UnaryOp::Negate { "-" } else { "+" }))
            }
            other => other?,
        };
        let span = self.span(i, after);
        Ok((after, Expr { kind: ExprKind::Unary(op, Box::new(operand)), span }))
    }

    fn negative_literal(&self, start: &'a str, rest: &'a str) -> Option<PResult<'a, Expr>> {
        match number(rest) {
            Ok((after, (Number::Integer(magnitude), _))) if !starts_postfix(after) => {
                let Some(value) = magnitude.and_then(|m| 0i64.checked_sub_unsigned(m)) else {
                    let len = self.pos(after) - self.pos(start);
                    return Some(Err(Err::Failure(integer_overflow(start, len))));
                };
                let span = self.span(start, after);
                Some(Ok((after, Expr { kind: ExprKind::Literal(Literal::Integer(value)), span })))
            }
            Err(Err::Failure(e)) => Some(Err(Err::Failure(e))),
            _ => None,
        }
    }

    /// An atom followed by property lookups, indexes and slices, then
    /// optionally labels.
    ///
    /// ```text
    /// postfix ::= atom ( '.' key | '[' expr ']' | '[' [expr] '..' [expr] ']' )* ( ':' label )*
    /// ```
    fn postfix(&self, i: &'a str) -> PResult<'a, Expr> {
        let (rest, e) = self.atom(i)?;
        self.postfix_ops(i, rest, e)
    }

    fn postfix_ops(&self, start: &'a str, mut i: &'a str, mut e: Expr) -> PResult<'a, Expr> {
        loop {
            let (j, ()) = ws(i)?;
            if let Some(after_dot) = j.strip_prefix('.').filter(|r| !r.starts_with('.')) {
                let (rest, key) = expect("expected a property key after '.'", name)(after_dot)?;
                let key = self.ident(key);
                i = rest;
                e = Expr { kind: ExprKind::Property(Box::new(e), key), span: self.span(start, i) };
            } else if j.starts_with('[') {
                let (rest, kind) = self.nested(j, || self.index_or_slice(j, e))?;
                i = rest;
                e = Expr { kind, span: self.span(start, i) };
            } else if j.starts_with('{') && matches!(e.kind, ExprKind::Variable(_)) {
                return fail(j, "map projections such as n{.key} are not supported");
            } else {
                break;
            }
        }
        if at_symbol(i, ":") {
            let (rest, labels) = self.labels(i, "expected a label name after ':'")?;
            i = rest;
            e = Expr { kind: ExprKind::HasLabels(Box::new(e), labels), span: self.span(start, i) };
        }
        Ok((i, e))
    }

    /// `[index]` or `[from..to]` after `base`; `i` is at the `[`.
    fn index_or_slice(&self, i: &'a str, base: Expr) -> PResult<'a, ExprKind> {
        let i = &i[1..];
        let base = Box::new(base);
        let (i, from) = if at_symbol(i, "..") {
            (i, None)
        } else {
            let (i, e) = self.expect_expr(i, "expected an index, or a range with '..'")?;
            (i, Some(Box::new(e)))
        };
        let Ok((i, _)) = symbol("..")(i) else {
            let (i, _) = expect("expected ']' to close the index", symbol("]"))(i)?;
            let Some(index) = from else { return fail(i, "expected an index") };
            return Ok((i, ExprKind::Index(base, index)));
        };
        let (i, to) = if at_symbol(i, "]") {
            (i, None)
        } else {
            let (i, e) = self.expect_expr(i, "expected an expression or ']' after '..'")?;
            (i, Some(Box::new(e)))
        };
        let (i, _) = expect("expected ']' to close the slice", symbol("]"))(i)?;
        Ok((i, ExprKind::Slice(base, from, to)))
    }

    /// ```text
    /// atom ::= literal | parameter | list | map | count(*) | CASE ... END
    ///        | function | '(' expr ')' | pattern | variable
    /// ```
    fn atom(&self, i: &'a str) -> PResult<'a, Expr> {
        let (i, ()) = ws(i)?;
        match i.as_bytes().first() {
            None => soft(i),
            Some(b'0'..=b'9' | b'.') => self.number_atom(i),
            Some(b'\'' | b'"') => self.string_atom(i),
            Some(b'$') => self.parameter_atom(i),
            Some(b'[') => self.nested(i, || self.list(i)),
            Some(b'{') => self.nested(i, || self.map(i)),
            Some(b'(') => self.nested(i, || self.parenthesized(i)),
            Some(_) => self.word_atom(i),
        }
    }

    fn literal(&self, start: &'a str, rest: &'a str, literal: Literal) -> PResult<'a, Expr> {
        Ok((rest, Expr { kind: ExprKind::Literal(literal), span: self.span(start, rest) }))
    }

    fn number_atom(&self, i: &'a str) -> PResult<'a, Expr> {
        match number(i)? {
            (rest, (Number::Float(f), _)) => self.literal(i, rest, Literal::Float(f)),
            (rest, (Number::Integer(m), _)) => match m.and_then(|m| i64::try_from(m).ok()) {
                Some(n) => self.literal(i, rest, Literal::Integer(n)),
                None => Err(Err::Failure(integer_overflow(i, self.pos(rest) - self.pos(i)))),
            },
        }
    }

    fn string_atom(&self, i: &'a str) -> PResult<'a, Expr> {
        let (rest, (s, _)) = string(i)?;
        self.literal(i, rest, Literal::String(s))
    }

    fn parameter_atom(&self, i: &'a str) -> PResult<'a, Expr> {
        let (rest, p) = self.parameter(i)?;
        Ok((rest, Expr { kind: ExprKind::Parameter(p.name), span: p.span }))
    }

    /// Atoms that start with a word: `null`, `true`, `false`, `CASE`,
    /// `count(*)`, function calls and variables.
    fn word_atom(&self, i: &'a str) -> PResult<'a, Expr> {
        for (kw, literal) in
            [("NULL", Literal::Null), ("TRUE", Literal::Bool(true)), ("FALSE", Literal::Bool(false))]
        {
            if let Ok((rest, _)) = keyword(kw)(i) {
                return self.literal(i, rest, literal);
            }
        }
        if let Ok((rest, _)) = keyword("CASE")(i) {
            return self.nested(i, || self.case(i, rest));
        }
        for (word, kind) in [("EXISTS", SubqueryKind::Exists), ("COUNT", SubqueryKind::Count)] {
            if let Ok((rest, _)) = keyword(word)(i) {
                if at_symbol(rest, "{") {
                    return self.nested(i, || self.subquery(i, rest, kind));
                }
            }
        }
        if let Some(rest) = count_star(i) {
            return Ok((rest, Expr { kind: ExprKind::CountStar, span: self.span(i, rest) }));
        }
        match self.function_name(i)? {
            Some((rest, name)) => self.nested(i, || self.call(i, name, rest)),
            None => self.variable(i),
        }
    }

    /// The braces of `EXISTS { ... }` / `COUNT { ... }`: a query, or a
    /// pattern with an optional `WHERE`, kept as a one-`MATCH` query.
    ///
    /// ```text
    /// subquery ::= (EXISTS | COUNT) '{' ( query | pattern [WHERE expr] ) '}'
    /// ```
    fn subquery(&self, start: &'a str, i: &'a str, kind: SubqueryKind) -> PResult<'a, Expr> {
        let (i, _) = symbol("{")(i)?;
        let (i, ()) = ws(i)?;
        let clause_first =
            ["MATCH", "OPTIONAL", "UNWIND", "WITH", "RETURN", "CREATE"].iter().any(|k| at_keyword(i, k));
        let (i, body) = if clause_first {
            self.query_until(i, false)?
        } else {
            let (rest, pattern) =
                self.pattern(i, Ctx::Match, "expected a pattern or a query inside the braces")?;
            let (rest, where_) = self.where_clause(rest)?;
            let span = self.span(i, rest);
            (
                rest,
                Query {
                    clauses: vec![Clause::Match(Match { optional: false, pattern, where_, span })],
                    span,
                },
            )
        };
        let close = if kind == SubqueryKind::Exists {
            "expected '}' to close EXISTS"
        } else {
            "expected '}' to close COUNT"
        };
        let (i, _) = expect(close, symbol("}"))(i)?;
        Ok((i, Expr { kind: ExprKind::Subquery { kind, body: Box::new(body) }, span: self.span(start, i) }))
    }

    /// `$name` or `$0`; the identifier holds the name without `$` and spans both.
    pub(super) fn parameter(&self, i: &'a str) -> PResult<'a, Ident> {
        let (i, ()) = ws(i)?;
        let Some(rest) = i.strip_prefix('$') else { return soft(i) };
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (rest, param) = if digits > 0 {
            (&rest[digits..], rest[..digits].to_string())
        } else if rest.starts_with(|c: char| is_ident_start(c) || c == '`') {
            let (rest, n) = name(rest)?;
            (rest, n.name)
        } else {
            return fail(rest, "expected a parameter name after '$'");
        };
        Ok((rest, Ident { name: param, span: self.span(i, rest) }))
    }

    /// The name of a function call: `name ('.' name)*` followed by `(`, or
    /// `None` when the word is not one (it is then a variable).
    fn function_name(&self, i: &'a str) -> Result<Option<(&'a str, Ident)>, Err<PError<'a>>> {
        let (mut rest, first) = name(i)?;
        let first_quoted = first.quoted;
        let mut segments = vec![first.name];
        while let Some(after_dot) = rest.strip_prefix('.') {
            match name(after_dot) {
                Ok((r, n)) if after_dot.starts_with(|c: char| is_ident_start(c) || c == '`') => {
                    segments.push(n.name);
                    rest = r;
                }
                _ => break,
            }
        }
        if !at_symbol(rest, "(") {
            return Ok(None);
        }
        let fn_name = segments.join(".");
        // A reserved word followed by `(` is a keyword (`NOT (x)`), except
        // for the reserved words that are also function names.
        let keyword_fn = ["EXISTS", "ALL"].iter().any(|w| w.eq_ignore_ascii_case(&fn_name));
        if !first_quoted && segments.len() == 1 && is_reserved(&fn_name) && !keyword_fn {
            return Ok(None);
        }
        Ok(Some((rest, Ident { name: fn_name, span: self.span(i, rest) })))
    }

    fn variable(&self, i: &'a str) -> PResult<'a, Expr> {
        let (rest, n) = variable_name(i)?;
        Ok((rest, Expr { kind: ExprKind::Variable(n.name), span: self.span(i, rest) }))
    }

    /// ```text
    /// function ::= name ('.' name)* '(' [DISTINCT] [expr (',' expr)*] ')'
    /// ```
    fn call(&self, start: &'a str, name: Ident, i: &'a str) -> PResult<'a, Expr> {
        let (i, _) = symbol("(")(i)?;
        let mut first = None;
        if let Some(quantifier) = Quantifier::from_name(&name.name) {
            match self.quantifier(start, quantifier, i)? {
                QuantifierParse::Quantifier(rest, found) => return Ok((rest, found)),
                QuantifierParse::FirstArgument(rest, arg) => first = Some((rest, arg)),
                QuantifierParse::Not => {}
            }
        }
        let (mut i, distinct) = match keyword("DISTINCT")(i) {
            Ok((i, _)) if first.is_none() => (i, true),
            _ => (i, false),
        };
        let mut args = Vec::new();
        if first.is_none() {
            if let Ok((rest, _)) = symbol(")")(i) {
                return Ok((
                    rest,
                    Expr { kind: ExprKind::Function { name, distinct, args }, span: self.span(start, rest) },
                ));
            }
        }
        loop {
            let (rest, arg) = match first.take() {
                Some(parsed) => parsed,
                None => self.expect_expr(i, "expected an argument or ')'")?,
            };
            args.push(arg);
            i = rest;
            if let Ok((rest, _)) = symbol(",")(i) {
                i = rest;
            } else if let Ok((rest, _)) = symbol(")")(i) {
                let span = self.span(start, rest);
                return Ok((rest, Expr { kind: ExprKind::Function { name, distinct, args }, span }));
            } else {
                return Err(unclosed_call(start, i, &name, args.len()));
            }
        }
    }

    /// The rest of a quantifier after its `(`; when the argument is not
    /// `var IN list`, an ordinary call (a user's `any(x)`), and then the
    /// first argument if it had to be parsed to tell.
    ///
    /// ```text
    /// quantifier ::= (ALL | ANY | NONE | SINGLE) '(' var IN expr [WHERE expr] ')'
    /// ```
    ///
    /// The argument is parsed once either way: parsing it again as the
    /// call's would double the work at every nested `single(`, which is
    /// exponential in the nesting.
    fn quantifier(
        &self,
        start: &'a str,
        quantifier: Quantifier,
        i: &'a str,
    ) -> Result<QuantifierParse<'a>, Err<PError<'a>>> {
        let (i, ()) = ws(i)?;
        let starts_with_in = variable_name(i).is_ok_and(|(rest, _)| at_keyword(rest, "IN"));
        if !starts_with_in {
            return Ok(QuantifierParse::Not);
        }
        let (rest, first) = self.expect_expr(i, "expected an argument or ')'")?;
        let is_quantifier = matches!(&first.kind, ExprKind::Binary(BinaryOp::In, var, _)
            if matches!(var.kind, ExprKind::Variable(_)) && var.span.start == self.pos(i))
            && (at_keyword(rest, "WHERE") || at_symbol(rest, ")"));
        if !is_quantifier {
            return Ok(QuantifierParse::FirstArgument(rest, first));
        }
        let ExprKind::Binary(BinaryOp::In, var, list) = first.kind else {
            return Ok(QuantifierParse::Not);
        };
        let ExprKind::Variable(var_name) = var.kind else { return Ok(QuantifierParse::Not) };
        let (rest, predicate) = match keyword("WHERE")(rest) {
            Ok((rest, _)) => {
                let (rest, e) = self.expect_expr(rest, "expected an expression after 'WHERE'")?;
                (rest, Some(Box::new(e)))
            }
            _ => (rest, None),
        };
        let (rest, _) = expect("expected ')' to close the quantifier", symbol(")"))(rest)?;
        let kind = ExprKind::ListComprehension {
            quantifier: Some(quantifier),
            var: Ident { name: var_name, span: var.span },
            list,
            predicate,
            projection: None,
        };
        Ok(QuantifierParse::Quantifier(rest, Expr { kind, span: self.span(start, rest) }))
    }

    /// ```text
    /// case ::= CASE [expr] ( WHEN expr THEN expr )+ [ELSE expr] END
    /// ```
    fn case(&self, start: &'a str, i: &'a str) -> PResult<'a, Expr> {
        let (mut i, subject) = if at_keyword(i, "WHEN") {
            (i, None)
        } else {
            let (i, e) = self.expect_expr(i, "expected an expression or WHEN after 'CASE'")?;
            (i, Some(Box::new(e)))
        };
        let mut alternatives = Vec::new();
        while let Ok((rest, _)) = keyword("WHEN")(i) {
            let (rest, when) = self.expect_expr(rest, "expected an expression after 'WHEN'")?;
            let (rest, _) = expect("expected THEN after the WHEN expression", keyword("THEN"))(rest)?;
            let (rest, then) = self.expect_expr(rest, "expected an expression after 'THEN'")?;
            alternatives.push((when, then));
            i = rest;
        }
        if alternatives.is_empty() {
            return fail(i, "expected WHEN in CASE expression");
        }
        let (i, default) = match keyword("ELSE")(i) {
            Ok((rest, _)) => {
                let (rest, e) = self.expect_expr(rest, "expected an expression after 'ELSE'")?;
                (rest, Some(Box::new(e)))
            }
            _ => (i, None),
        };
        let (i, _) = expect("expected WHEN, ELSE or END to continue the CASE expression", keyword("END"))(i)?;
        let span = self.span(start, i);
        Ok((i, Expr { kind: ExprKind::Case { subject, alternatives, default }, span }))
    }

    /// A list literal or a list comprehension. The first element is parsed as
    /// an expression; `x IN list` followed by `WHERE`, `|` or `]` makes it a
    /// comprehension, so no text is parsed twice.
    ///
    /// ```text
    /// list          ::= '[' [expr (',' expr)*] ']'
    /// comprehension ::= '[' var IN expr [WHERE expr] ['|' expr] ']'
    /// ```
    fn list(&self, start: &'a str) -> PResult<'a, Expr> {
        let (i, ()) = ws(&start[1..])?;
        if let Some(rest) = i.strip_prefix(']') {
            return Ok((rest, Expr { kind: ExprKind::List(Vec::new()), span: self.span(start, rest) }));
        }
        let (rest, first) = self.expect_expr(i, "expected an expression or ']'")?;
        let first = match self.pattern_comprehension(start, rest, first) {
            Ok(comprehension) => return comprehension,
            Err(first) => first,
        };
        match self.comprehension_var(i, rest, first)? {
            Ok((var, list)) => self.comprehension(start, rest, var, list),
            Err(first) => self.list_rest(start, rest, first),
        }
    }

    /// Splits `x IN list` into the comprehension's variable and list when
    /// what follows makes it one; gives `first` back otherwise.
    #[allow(clippy::type_complexity)]
    fn comprehension_var(
        &self,
        first_token: &'a str,
        rest: &'a str,
        first: Expr,
    ) -> Result<Result<(Ident, Box<Expr>), Expr>, Err<PError<'a>>> {
        let is_where = at_keyword(rest, "WHERE");
        let is_pipe = at_symbol(rest, "|");
        if !(is_where || is_pipe || at_symbol(rest, "]")) {
            return Ok(Err(first));
        }
        if let ExprKind::Binary(BinaryOp::In, var, list) = first.kind {
            match var.kind {
                // Written `x IN ...` with no parentheses around `x`.
                ExprKind::Variable(name) if var.span.start == self.pos(first_token) => {
                    return Ok(Ok((Ident { name, span: var.span }, list)));
                }
                kind => {
                    let var = Box::new(Expr { kind, span: var.span });
                    return Ok(Err(Expr {
                        kind: ExprKind::Binary(BinaryOp::In, var, list),
                        span: first.span,
                    }));
                }
            }
        }
        Ok(Err(first))
    }

    /// `[pattern [WHERE expr] | expr]`, once the pattern (or `p = pattern`,
    /// which parses as a comparison) has been read as the list's first
    /// element; gives `first` back when it is not one.
    fn pattern_comprehension(
        &self,
        start: &'a str,
        rest: &'a str,
        first: Expr,
    ) -> Result<PResult<'a, Expr>, Expr> {
        if !(at_keyword(rest, "WHERE") || at_symbol(rest, "|")) {
            return Err(first);
        }
        let pattern = match first.kind {
            ExprKind::Pattern(part) => part,
            ExprKind::Comparison(lhs, mut ops)
                if ops.len() == 1
                    && matches!(ops[0], (CompareOp::Eq, Expr { kind: ExprKind::Pattern(_), .. }))
                    && matches!(lhs.kind, ExprKind::Variable(_)) =>
            {
                let (_, Expr { kind: ExprKind::Pattern(mut part), span }) = ops.remove(0) else {
                    unreachable!("matched above")
                };
                let ExprKind::Variable(name) = lhs.kind else { unreachable!("matched above") };
                part.var = Some(Ident { name, span: lhs.span });
                part.span = lhs.span.to(span);
                part
            }
            kind => return Err(Expr { kind, span: first.span }),
        };
        Ok((|| {
            let (i, predicate) = match keyword("WHERE")(rest) {
                Ok((r, _)) => {
                    let (r, e) = self.expect_expr(r, "expected an expression after 'WHERE'")?;
                    (r, Some(Box::new(e)))
                }
                _ => (rest, None),
            };
            let (i, _) =
                expect("expected '|' and the value to collect in the pattern comprehension", symbol("|"))(i)?;
            let (i, projection) = self.expect_expr(i, "expected an expression after '|'")?;
            let (i, _) = expect("expected ']' to close the pattern comprehension", symbol("]"))(i)?;
            let span = self.span(start, i);
            Ok((
                i,
                Expr {
                    kind: ExprKind::PatternComprehension {
                        pattern,
                        predicate,
                        projection: Box::new(projection),
                    },
                    span,
                },
            ))
        })())
    }

    fn list_rest(&self, start: &'a str, mut i: &'a str, first: Expr) -> PResult<'a, Expr> {
        let mut items = vec![first];
        loop {
            let (j, ()) = ws(i)?;
            if let Some(rest) = j.strip_prefix(']') {
                return Ok((rest, Expr { kind: ExprKind::List(items), span: self.span(start, rest) }));
            }
            let Some(rest) = j.strip_prefix(',') else {
                return fail(j, "expected ',' or ']' to close the list");
            };
            let (rest, item) = self.expect_expr(rest, "expected an expression after ','")?;
            items.push(item);
            i = rest;
        }
    }

    fn comprehension(&self, start: &'a str, i: &'a str, var: Ident, list: Box<Expr>) -> PResult<'a, Expr> {
        let (i, predicate) = match keyword("WHERE")(i) {
            Ok((rest, _)) => {
                let (rest, e) = self.expect_expr(rest, "expected an expression after 'WHERE'")?;
                (rest, Some(Box::new(e)))
            }
            _ => (i, None),
        };
        let (i, projection) = match symbol("|")(i) {
            Ok((rest, _)) => {
                let (rest, e) = self.expect_expr(rest, "expected an expression after '|'")?;
                (rest, Some(Box::new(e)))
            }
            _ => (i, None),
        };
        let (i, _) = expect("expected ']' to close the list comprehension", symbol("]"))(i)?;
        let span = self.span(start, i);
        Ok((
            i,
            Expr {
                kind: ExprKind::ListComprehension { quantifier: None, var, list, predicate, projection },
                span,
            },
        ))
    }

    fn map(&self, i: &'a str) -> PResult<'a, Expr> {
        let (rest, entries) = self.map_entries(i)?;
        Ok((rest, Expr { kind: ExprKind::Map(entries), span: self.span(i, rest) }))
    }

    /// ```text
    /// map ::= '{' [key ':' expr (',' key ':' expr)*] '}'
    /// ```
    pub(super) fn map_entries(&self, i: &'a str) -> PResult<'a, Vec<(Ident, Expr)>> {
        let (mut i, _) = symbol("{")(i)?;
        let mut entries = Vec::new();
        if let Ok((rest, _)) = symbol("}")(i) {
            return Ok((rest, entries));
        }
        loop {
            let message =
                if entries.is_empty() { "expected a property key or '}'" } else { "expected a property key" };
            let (rest, key) = expect(message, name)(i)?;
            let (rest, _) = expect("expected ':' after the property key", symbol(":"))(rest)?;
            let (rest, value) = self.expect_expr(rest, "expected an expression after ':'")?;
            entries.push((self.ident(key), value));
            let (rest, ()) = ws(rest)?;
            if let Some(rest) = rest.strip_prefix('}') {
                return Ok((rest, entries));
            }
            let Some(rest) = rest.strip_prefix(',') else {
                return fail(rest, "expected ',' or '}' to close the map");
            };
            i = rest;
        }
    }

    /// `(` starts either a pattern such as `(a)-->(b)` or a parenthesised
    /// expression; a purely lexical look-ahead decides, so nothing is parsed twice.
    fn parenthesized(&self, i: &'a str) -> PResult<'a, Expr> {
        if looks_like_pattern(i) {
            return self.pattern_expr(i);
        }
        let (rest, e) = self.expect_expr(&i[1..], "expected an expression after '('")?;
        let (rest, _) = expect("expected ')' to close the parenthesized expression", symbol(")"))(rest)?;
        Ok((rest, e))
    }

    fn pattern_expr(&self, i: &'a str) -> PResult<'a, Expr> {
        let (rest, element) = self.pattern_element(i, Ctx::Expression)?;
        let span = self.span(i, rest);
        let part = PatternPart { var: None, kind: PathKind::Pattern, element, span };
        Ok((rest, Expr { kind: ExprKind::Pattern(Box::new(part)), span }))
    }
}

/// "expected an expression after 'op'", kept out of the recursive functions'
/// frames.
#[cold]
fn expected_after<'a>(i: &'a str, op: &str) -> Err<PError<'a>> {
    Err::Failure(PError::expected(i, format!("expected an expression after '{op}'")))
}

/// The error for a call whose arguments are not closed, spotting
/// quantifiers whose first part is not `variable IN list`.
#[cold]
fn unclosed_call<'a>(start: &'a str, i: &'a str, name: &Ident, args: usize) -> Err<PError<'a>> {
    if let Some(q) = Quantifier::from_name(&name.name).filter(|_| args == 1 && at_keyword(i, "WHERE")) {
        return Err::Failure(PError::expected(
            start,
            format!("{}() needs a variable and a list: {}(x IN list WHERE ...)", q.name(), q.name()),
        ));
    }
    Err::Failure(PError::expected(
        i,
        format!("expected ',' or ')' to close the arguments of {}()", name.name),
    ))
}

fn integer_overflow(at: &str, len: usize) -> PError<'_> {
    PError::invalid(at, len, INTEGER_OVERFLOW, "integer literal is too large for a 64-bit integer")
}

/// The next binary or postfix operator, if any: the operator, its level, its
/// text (for messages) and the input after it.
#[allow(clippy::type_complexity)]
fn operator(i: &str) -> Result<Option<(Op, u8, &'static str, &str)>, Err<PError<'_>>> {
    use level::*;
    let (i, ()) = ws(i)?;
    const SYMBOLS: &[(&str, Op, u8)] = &[
        ("=~", Op::Binary(BinaryOp::RegexMatch), PREDICATE),
        ("<>", Op::Compare(CompareOp::Ne), COMPARISON),
        ("<=", Op::Compare(CompareOp::Le), COMPARISON),
        (">=", Op::Compare(CompareOp::Ge), COMPARISON),
        ("<", Op::Compare(CompareOp::Lt), COMPARISON),
        (">", Op::Compare(CompareOp::Gt), COMPARISON),
        ("=", Op::Compare(CompareOp::Eq), COMPARISON),
        ("+", Op::Binary(BinaryOp::Add), ADD),
        ("-", Op::Binary(BinaryOp::Subtract), ADD),
        ("*", Op::Binary(BinaryOp::Multiply), MULTIPLY),
        ("/", Op::Binary(BinaryOp::Divide), MULTIPLY),
        ("%", Op::Binary(BinaryOp::Modulo), MULTIPLY),
        ("^", Op::Binary(BinaryOp::Power), POWER),
    ];
    for (text, op, level) in SYMBOLS {
        if let Some(rest) = i.strip_prefix(text) {
            return Ok(Some((*op, *level, *text, rest)));
        }
    }
    if i.starts_with("!=") {
        return Err(Err::Failure(PError::invalid(
            i,
            2,
            UNEXPECTED_SYNTAX,
            "'!=' is not an operator, use '<>'",
        )));
    }
    const WORDS: &[(&str, Op, u8)] = &[
        ("OR", Op::Binary(BinaryOp::Or), OR),
        ("XOR", Op::Binary(BinaryOp::Xor), XOR),
        ("AND", Op::Binary(BinaryOp::And), AND),
        ("IN", Op::Binary(BinaryOp::In), PREDICATE),
        ("CONTAINS", Op::Binary(BinaryOp::Contains), PREDICATE),
    ];
    for (text, op, level) in WORDS {
        if let Ok((rest, _)) = keyword(text)(i) {
            return Ok(Some((*op, *level, *text, rest)));
        }
    }
    for (first, text, op) in
        [("STARTS", "STARTS WITH", BinaryOp::StartsWith), ("ENDS", "ENDS WITH", BinaryOp::EndsWith)]
    {
        if let Ok((rest, _)) = keyword(first)(i) {
            let message =
                if first == "STARTS" { "expected WITH after STARTS" } else { "expected WITH after ENDS" };
            let (rest, _) = expect(message, keyword("WITH"))(rest)?;
            return Ok(Some((Op::Binary(op), PREDICATE, text, rest)));
        }
    }
    if let Ok((rest, _)) = keyword("IS")(i) {
        let (rest, negated) = match keyword("NOT")(rest) {
            Ok((rest, _)) => (rest, true),
            Err(_) => (rest, false),
        };
        let (rest, _) = expect("expected NULL or NOT NULL after IS", keyword("NULL"))(rest)?;
        let text = if negated { "IS NOT NULL" } else { "IS NULL" };
        return Ok(Some((Op::IsNull { negated }, PREDICATE, text, rest)));
    }
    Ok(None)
}

/// Whether a postfix operator (`.key`, `[...]`, `:Label`) follows.
fn starts_postfix(i: &str) -> bool {
    let i = skip_ws(i);
    (i.starts_with('.') && !i.starts_with("..")) || i.starts_with('[') || i.starts_with(':')
}

/// `count(*)`, with any case and spacing; returns the input after it.
fn count_star(i: &str) -> Option<&str> {
    let (rest, _) = keyword("COUNT")(i).ok()?;
    let (rest, _) = symbol("(")(rest).ok()?;
    let (rest, _) = symbol("*")(rest).ok()?;
    let (rest, _) = symbol(")")(rest).ok()?;
    Some(rest)
}

/// Whether `i` (at a `(`) starts a pattern: a node-pattern-shaped group,
/// then a relationship, then another `(`. Purely lexical, so deciding costs
/// no more than the node and relationship text.
fn looks_like_pattern(i: &str) -> bool {
    fn node(i: &str) -> Option<&str> {
        let mut i = skip_ws(i.strip_prefix('(')?);
        if let Ok((rest, _)) = name(i) {
            i = skip_ws(rest);
        }
        while let Some(rest) = i.strip_prefix(':') {
            let (rest, _) = name(rest).ok()?;
            i = skip_ws(rest);
        }
        if i.starts_with('{') {
            i = skip_ws(skip_balanced(i, '{', '}')?);
        } else if let Some(rest) = i.strip_prefix('$') {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            let rest = if digits > 0 { &rest[digits..] } else { name(rest).ok()?.0 };
            i = skip_ws(rest);
        }
        i.strip_prefix(')')
    }
    let Some(after) = node(i) else { return false };
    let mut i = skip_ws(after);
    if let Some(rest) = i.strip_prefix('<') {
        i = skip_ws(rest);
    }
    let Some(rest) = i.strip_prefix('-') else { return false };
    i = skip_ws(rest);
    if i.starts_with('[') {
        match skip_balanced(i, '[', ']') {
            Some(rest) => i = skip_ws(rest),
            None => return false,
        }
    }
    let Some(rest) = i.strip_prefix('-') else { return false };
    i = skip_ws(rest);
    if let Some(rest) = i.strip_prefix('>') {
        i = skip_ws(rest);
    }
    i.starts_with('(')
}

/// The input after the bracket group that starts `i`, skipping strings,
/// backquoted names and comments; `None` if it is never closed.
fn skip_balanced(i: &str, open: char, close: char) -> Option<&str> {
    let mut depth = 0usize;
    let mut rest = i;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("//") || rest.starts_with("/*") {
            let after = skip_ws(rest);
            if after.len() == rest.len() {
                return None;
            }
            rest = after;
            continue;
        }
        if matches!(c, '\'' | '"') {
            rest = string(rest).ok()?.0;
            continue;
        }
        if c == '`' {
            rest = name(rest).ok()?.0;
            continue;
        }
        rest = &rest[c.len_utf8()..];
        if c == open {
            depth += 1;
        } else if c == close {
            depth -= 1;
            if depth == 0 {
                return Some(rest);
            }
        }
    }
    None
}

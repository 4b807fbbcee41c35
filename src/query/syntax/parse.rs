//! The grammar: statements, clauses, patterns and expressions.
//!
//! A hand-written recursive-descent parser over the nom token parsers in
//! `lex.rs`. Productions fail softly (nom's `Err::Error`) until a keyword or
//! symbol commits them; from then on a missing piece is a committed
//! `Err::Failure` saying what was expected, so the first committed failure
//! is the one reported. Expressions use precedence climbing, which keeps the
//! recursion (and stack use) per nesting level small; nesting itself is capped
//! at [`MAX_DEPTH`].

use std::cell::Cell;

use nom::{Err, Offset};

use super::ast::{
    BinaryOp, Call, Clause, CompareOp, Create, Direction, Expr, ExprKind, Ident, Literal, Match, NodePattern,
    PathKind, PatternElement, PatternPart, Projection, ProjectionItem, Properties, Quantifier, Query, Range,
    RelPattern, SortItem, Statement, SubqueryKind, UnaryOp, Union, Unwind, YieldItem,
};
use super::lex::{
    at_keyword, at_symbol, expect, expect_detail, fail, is_ident_continue, is_ident_start, is_reserved,
    keyword, name, number, skip_ws, soft, string, symbol, token_len, variable_name, ws, Name, Number, PError,
    PResult, INTEGER_OVERFLOW, INVALID_UNICODE_CHARACTER, UNEXPECTED_SYNTAX,
};
use crate::error::{ErrorClass, QueryError, Span};

mod write;

/// How deeply expressions (parentheses, lists, maps, calls, unary operators)
/// and parenthesised patterns may nest before parsing gives up with
/// `expression nested too deeply` rather than risk the stack.
pub const MAX_DEPTH: usize = 256;

/// The TCK detail code for a malformed relationship pattern.
const INVALID_RELATIONSHIP_PATTERN: &str = "InvalidRelationshipPattern";
/// The TCK detail code for a parameter used as a property map in `MATCH`.
const INVALID_PARAMETER_USE: &str = "InvalidParameterUse";
/// The detail code for clauses in an order openCypher does not allow.
const INVALID_CLAUSE_COMPOSITION: &str = "InvalidClauseComposition";

/// Parses one statement: an optional `EXPLAIN`, a query, an optional `;`.
///
/// ```text
/// statement ::= [EXPLAIN] clause+ [';']
/// clause    ::= [OPTIONAL] MATCH pattern [WHERE expr]
///             | UNWIND expr AS var
///             | WITH projection [WHERE expr]
///             | RETURN projection
///             | CREATE pattern
/// ```
///
/// # Errors
///
/// A `SyntaxError` with the TCK's detail code (`UnexpectedSyntax`,
/// `IntegerOverflow`, `InvalidNumberLiteral`, ...) and the span of the
/// offending token, when the text is not a statement of the subset.
pub fn parse_statement(text: &str) -> Result<Statement, QueryError> {
    with_stack(text, || {
        let parser = Parser::new(text);
        parser.finish(parser.statement(text))
    })
}

/// What the text after `all(`, `any(`, `none(` or `single(` turned out to be.
enum QuantifierParse<'a> {
    /// A quantifier, whole, and the text after it.
    Quantifier(&'a str, Expr),
    /// A call whose first argument was parsed to tell: the text after it.
    FirstArgument(&'a str, Expr),
    /// A call; nothing parsed yet.
    Not,
}

/// Parses a single expression (the whole text), e.g. a parameter value
/// written in query syntax such as `{name: 'x', n: [1, 2]}`.
///
/// # Errors
///
/// A `SyntaxError` as for [`parse_statement`].
#[cfg(test)]
pub(crate) fn parse_expression(text: &str) -> Result<Expr, QueryError> {
    with_stack(text, || {
        let parser = Parser::new(text);
        let result = parser.expr(text).and_then(|(i, e)| {
            let (i, ()) = ws(i)?;
            if i.is_empty() {
                Ok((i, e))
            } else {
                fail(i, "expected the end of the expression")
            }
        });
        parser.finish(result)
    })
}

/// Nesting up to this estimate is parsed on the caller's stack: even in a
/// debug build, where one level can take ~20 KiB, that stays well inside
/// the smallest usual thread stack.
const INLINE_DEPTH: usize = 16;

/// The stack for parsing deeper input: room for [`MAX_DEPTH`] levels at
/// several times the worst cost measured per level (unoptimised build).
const DEEP_STACK: usize = 16 << 20;

/// Runs `parse` on the current thread when `text` cannot nest deeply, and
/// otherwise on a scoped thread with a [`DEEP_STACK`] stack, so that
/// [`MAX_DEPTH`] levels of nesting never overflow the caller's stack.
fn with_stack<T: Send>(text: &str, parse: impl Fn() -> T + Sync) -> T {
    if nesting_estimate(text) <= INLINE_DEPTH {
        return parse();
    }
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("aikg-parse".into())
            .stack_size(DEEP_STACK)
            .spawn_scoped(scope, &parse);
        match spawned {
            Ok(handle) => handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            // No threads here (or no memory for one): parse inline after all.
            Err(_) => parse(),
        }
    })
}

/// An upper bound on how deeply the parser can nest for `text`: the deepest
/// bracket nesting, plus every `CASE`, `NOT`, and every `-` or `+` that can
/// be a prefix operator (one not right after a closing bracket or quote),
/// since those nest without brackets. Strings, backquoted names and comments
/// are skipped. Over-counting only costs a thread.
fn nesting_estimate(text: &str) -> usize {
    let bytes = text.as_bytes();
    let (mut depth, mut deepest, mut unbracketed) = (0usize, 0usize, 0usize);
    let mut last = b' ';
    let mut n = 0;
    while n < bytes.len() {
        let b = bytes[n];
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'-' | b'+' if !matches!(last, b')' | b']' | b'}' | b'\'' | b'"' | b'`') => unbracketed += 1,
            b'\'' | b'"' | b'`' => {
                // Backquoted names have no escapes (a doubled backquote just
                // reads as two names here, which is harmless).
                n += 1;
                while n < bytes.len() && bytes[n] != b {
                    n += if bytes[n] == b'\\' && b != b'`' { 2 } else { 1 };
                }
            }
            b'/' if matches!(bytes.get(n + 1), Some(b'/' | b'*')) => {
                let end = if bytes[n + 1] == b'/' { "\n" } else { "*/" };
                n = text[n..].find(end).map_or(bytes.len(), |at| n + at + end.len());
                continue;
            }
            b if is_word_byte(b) => {
                let len = bytes[n..].iter().take_while(|b| is_word_byte(**b)).count();
                let word = &text[n..n + len];
                if word.eq_ignore_ascii_case("NOT") || word.eq_ignore_ascii_case("CASE") {
                    unbracketed += 1;
                }
                last = b;
                n += len;
                continue;
            }
            _ => {}
        }
        if !b.is_ascii_whitespace() {
            last = b;
        }
        n += 1;
    }
    deepest + unbracketed
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || !b.is_ascii()
}

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

/// Where a pattern is written: `MATCH` forbids parameter property maps, and
/// in an expression a pattern must have at least one relationship.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Match,
    Create,
    Expression,
}

struct Parser<'a> {
    src: &'a str,
    depth: Cell<usize>,
}

impl<'a> Parser<'a> {
    fn new(src: &'a str) -> Parser<'a> {
        Parser { src, depth: Cell::new(0) }
    }

    fn pos(&self, i: &'a str) -> usize {
        self.src.offset(i)
    }

    /// The span from the token starting `from` to the end of what was consumed up to `rest`.
    fn span(&self, from: &'a str, rest: &'a str) -> Span {
        Span::new(self.pos(from), self.pos(rest))
    }

    fn ident(&self, n: Name<'a>) -> Ident {
        let start = self.pos(n.raw);
        Ident { name: n.name, span: Span::new(start, start + n.raw.len()) }
    }

    fn finish<T>(&self, result: PResult<'a, T>) -> Result<T, QueryError> {
        match result {
            Ok((_, value)) => Ok(value),
            Err(Err::Error(e) | Err::Failure(e)) => Err(self.to_query_error(e).with_query(self.src)),
            Err(Err::Incomplete(_)) => Err(QueryError::compile(
                ErrorClass::SyntaxError,
                UNEXPECTED_SYNTAX,
                "unexpected end of input",
                Some(Span::new(self.src.len(), self.src.len())),
            )),
        }
    }

    fn to_query_error(&self, e: PError<'a>) -> QueryError {
        let at = skip_ws(e.input);
        let start = self.pos(at);
        let len = e.len.unwrap_or_else(|| token_len(at)).min(at.len());
        let mut detail = e.detail;
        let mut message = match e.message {
            Some(m) => m.into_owned(),
            None if at.is_empty() => "unexpected end of input".to_string(),
            None => format!("unexpected '{}'", &at[..len]),
        };
        if at.is_empty() && message.starts_with("expected") {
            message = format!("unexpected end of input, {message}");
        }
        if let Some(c) = at.chars().next() {
            let stray = !c.is_ascii() && !is_ident_continue(c) && !c.is_whitespace();
            if detail == UNEXPECTED_SYNTAX && e.len.is_none() && stray {
                detail = INVALID_UNICODE_CHARACTER;
                message = format!("invalid character '{c}' (U+{:04X}){}", c as u32, lookalike_hint(c));
            }
        }
        QueryError::compile(ErrorClass::SyntaxError, detail, message, Some(Span::new(start, start + len)))
    }

    /// Runs `f` one nesting level deeper, failing once [`MAX_DEPTH`] is reached.
    fn nested<T>(&self, at: &'a str, f: impl FnOnce() -> PResult<'a, T>) -> PResult<'a, T> {
        let depth = self.depth.get() + 1;
        if depth > MAX_DEPTH {
            return Err(Err::Failure(PError::expected(at, "expression nested too deeply")));
        }
        self.depth.set(depth);
        let result = f();
        self.depth.set(depth - 1);
        result
    }

    // ----- statements and clauses -------------------------------------------------------------

    fn statement(&self, i: &'a str) -> PResult<'a, Statement> {
        let (i, explain) = match keyword("EXPLAIN")(i) {
            Ok((i, _)) => (i, true),
            Err(Err::Error(_)) => (i, false),
            Err(e) => return Err(e),
        };
        if at_keyword(i, "PROFILE") {
            return fail(i, "PROFILE is not supported, use EXPLAIN to see the plan");
        }
        let (mut i, query) = self.query(i)?;
        let mut unions = Vec::new();
        while let Ok((rest, _)) = keyword("UNION")(i) {
            let start = skip_ws(i);
            let (rest, all) = match keyword("ALL")(rest) {
                Ok((rest, _)) => (rest, true),
                Err(_) => (rest, false),
            };
            let span = self.span(start, rest);
            let (rest, query) = self.query(rest)?;
            unions.push(Union { all, query, span });
            i = rest;
        }
        let (i, semicolon) = match symbol(";")(i) {
            Ok((i, _)) => (i, true),
            Err(_) => (i, false),
        };
        let (i, ()) = ws(i)?;
        if !i.is_empty() {
            let message = if semicolon {
                "expected the end of the query after ';', only one statement is allowed"
            } else {
                "expected a clause or the end of the query"
            };
            return fail(i, message);
        }
        Ok((i, Statement { explain, query, unions }))
    }

    fn query(&self, i: &'a str) -> PResult<'a, Query> {
        self.query_until(i, true)
    }

    /// Clauses up to the end of the text, a `;` or (in a subquery) a `}`.
    /// A whole statement must end with `RETURN` or an update; a subquery
    /// may end anywhere.
    fn query_until(&self, i: &'a str, statement: bool) -> PResult<'a, Query> {
        let (mut i, ()) = ws(i)?;
        let start = i;
        let mut clauses = Vec::new();
        loop {
            let (j, ()) = ws(i)?;
            if j.is_empty()
                || j.starts_with(';')
                || (!statement && j.starts_with('}'))
                || (!clauses.is_empty() && at_keyword(j, "UNION"))
            {
                break;
            }
            match self.clause(j) {
                Ok((rest, clause)) => {
                    clauses.push(clause);
                    i = rest;
                }
                Err(Err::Error(_)) if clauses.is_empty() => {
                    return fail(j, "expected a clause such as MATCH, UNWIND, WITH, RETURN or CREATE")
                }
                Err(Err::Error(_)) => return fail(j, "expected a clause or the end of the query"),
                Err(e) => return Err(e),
            }
        }
        if clauses.is_empty() {
            return fail(i, "expected a clause such as MATCH, UNWIND, WITH, RETURN or CREATE");
        }
        self.check_composition(&clauses, statement)?;
        let span = Span::new(self.pos(start), clauses.last().map_or(self.pos(start), |c| c.span().end));
        Ok((i, Query { clauses, span }))
    }

    /// openCypher's clause order: `RETURN` comes last, a query ends with
    /// `RETURN` or an updating clause, and a reading clause after an updating
    /// one needs a `WITH` in between.
    fn check_composition(&self, clauses: &[Clause], statement: bool) -> Result<(), Err<PError<'a>>> {
        let error = |clause: &Clause, message: String| {
            let at = &self.src[clause.span().start..];
            Err(Err::Failure(PError::invalid(at, token_len(at), INVALID_CLAUSE_COMPOSITION, message)))
        };
        let mut updated: Option<&Clause> = None;
        for (n, clause) in clauses.iter().enumerate() {
            let last = n + 1 == clauses.len();
            match clause {
                Clause::Return(_) if !last => {
                    return error(clause, "RETURN can only be used at the end of the query".into())
                }
                Clause::Match(_) | Clause::Unwind(_) if updated.is_some() => {
                    let update = updated.map_or("CREATE", clause_name);
                    return error(
                        clause,
                        format!("WITH is required between {update} and {}", clause_name(clause)),
                    );
                }
                c if c.writes() => updated = Some(c),
                Clause::With(_) => updated = None,
                _ => {}
            }
            let standalone_call = matches!(clause, Clause::Call(_)) && clauses.len() == 1;
            if statement
                && last
                && !matches!(clause, Clause::Return(_))
                && !clause.writes()
                && !standalone_call
            {
                return error(
                    clause,
                    format!(
                        "a query cannot end with {}, it must end with RETURN or an updating clause",
                        clause_name(clause)
                    ),
                );
            }
        }
        Ok(())
    }

    fn clause(&self, i: &'a str) -> PResult<'a, Clause> {
        let (i, ()) = ws(i)?;
        let start = i;
        if let Ok((rest, _)) = keyword("MATCH")(i) {
            return self.match_clause(start, rest, false);
        }
        if let Ok((rest, _)) = keyword("OPTIONAL")(i) {
            let (rest, _) = expect("expected MATCH after OPTIONAL", keyword("MATCH"))(rest)?;
            return self.match_clause(start, rest, true);
        }
        if let Ok((rest, _)) = keyword("UNWIND")(i) {
            let (rest, expr) = expect("expected an expression after 'UNWIND'", |i| self.expr(i))(rest)?;
            let (rest, _) = expect("expected AS after the UNWIND expression", keyword("AS"))(rest)?;
            let (rest, var) = expect("expected a variable name after 'AS'", variable_name)(rest)?;
            let span = self.span(start, rest);
            return Ok((rest, Clause::Unwind(Unwind { expr, var: self.ident(var), span })));
        }
        if let Ok((rest, _)) = keyword("WITH")(i) {
            let (rest, projection) = self.projection(start, rest, "WITH")?;
            return Ok((rest, Clause::With(projection)));
        }
        if let Ok((rest, _)) = keyword("RETURN")(i) {
            let (rest, projection) = self.projection(start, rest, "RETURN")?;
            return Ok((rest, Clause::Return(projection)));
        }
        if let Ok((rest, _)) = keyword("CREATE")(i) {
            let (rest, pattern) = self.pattern(rest, Ctx::Create, "expected a pattern after 'CREATE'")?;
            let span = self.span(start, rest);
            return Ok((rest, Clause::Create(Create { pattern, span })));
        }
        if let Ok((rest, _)) = keyword("CALL")(i) {
            return self.call_clause(start, rest);
        }
        if let Some(clause) = self.updating_clause(i) {
            return clause;
        }
        for (kw, message) in UNSUPPORTED_CLAUSES {
            if let Ok((rest, _)) = keyword(kw)(i) {
                return Err(Err::Failure(PError::invalid(
                    i,
                    self.pos(rest) - self.pos(i),
                    UNEXPECTED_SYNTAX,
                    *message,
                )));
            }
        }
        soft(i)
    }

    /// ```text
    /// call  ::= CALL name ('.' name)* ['(' [expr (',' expr)*] ')']
    ///           [YIELD ('*' | field [AS var] (',' field [AS var])* [WHERE expr])]
    /// ```
    fn call_clause(&self, start: &'a str, i: &'a str) -> PResult<'a, Clause> {
        let (mut i, first) = expect("expected a procedure name after 'CALL'", name)(i)?;
        let name_start = first.raw;
        let mut segments = vec![first.name];
        while let Some(after_dot) = i.strip_prefix('.') {
            let (rest, n) = expect("expected a name after '.' in the procedure name", name)(after_dot)?;
            segments.push(n.name);
            i = rest;
        }
        let procedure = Ident { name: segments.join("."), span: self.span(name_start, i) };
        let mut args = None;
        if let Ok((rest, _)) = symbol("(")(i) {
            let mut list = Vec::new();
            i = rest;
            if let Ok((rest, _)) = symbol(")")(i) {
                i = rest;
            } else {
                loop {
                    let (rest, arg) = self.expect_expr(i, "expected an argument or ')'")?;
                    list.push(arg);
                    if let Ok((rest, _)) = symbol(",")(rest) {
                        i = rest;
                    } else {
                        let (rest, _) = expect(
                            "expected ',' or ')' to close the procedure's arguments",
                            symbol(")"),
                        )(rest)?;
                        i = rest;
                        break;
                    }
                }
            }
            args = Some(list);
        }
        let (mut yields, mut yield_star, mut where_) = (None, false, None);
        if let Ok((rest, _)) = keyword("YIELD")(i) {
            if let Ok((rest, _)) = symbol("*")(rest) {
                yield_star = true;
                i = rest;
            } else {
                let mut items = Vec::new();
                i = rest;
                loop {
                    let (rest, field) = expect("expected a field name after 'YIELD'", variable_name)(i)?;
                    let field = self.ident(field);
                    let (rest, alias) = match keyword("AS")(rest) {
                        Ok((rest, _)) => {
                            let (rest, var) =
                                expect("expected a variable name after 'AS'", variable_name)(rest)?;
                            (rest, Some(self.ident(var)))
                        }
                        Err(_) => (rest, None),
                    };
                    items.push(YieldItem { field, alias });
                    i = rest;
                    match symbol(",")(i) {
                        Ok((rest, _)) => i = rest,
                        Err(_) => break,
                    }
                }
                yields = Some(items);
                let (rest, w) = self.where_clause(i)?;
                where_ = w;
                i = rest;
            }
        }
        let span = self.span(start, i);
        Ok((i, Clause::Call(Call { procedure, args, yields, yield_star, where_, span })))
    }

    fn match_clause(&self, start: &'a str, i: &'a str, optional: bool) -> PResult<'a, Clause> {
        let (i, pattern) = self.pattern(i, Ctx::Match, "expected a pattern after 'MATCH'")?;
        let (i, where_) = self.where_clause(i)?;
        let span = self.span(start, i);
        Ok((i, Clause::Match(Match { optional, pattern, where_, span })))
    }

    fn where_clause(&self, i: &'a str) -> PResult<'a, Option<Expr>> {
        match keyword("WHERE")(i) {
            Ok((rest, _)) => {
                let (rest, e) = expect("expected an expression after 'WHERE'", |i| self.expr(i))(rest)?;
                Ok((rest, Some(e)))
            }
            Err(Err::Error(_)) => Ok((i, None)),
            Err(e) => Err(e),
        }
    }

    /// The body of `WITH` and `RETURN`.
    ///
    /// ```text
    /// projection ::= [DISTINCT] ( '*' | item ) ( ',' item )*
    ///                [ORDER BY sort ( ',' sort )*] [SKIP expr] [LIMIT expr]
    /// item       ::= expr [AS var]
    /// sort       ::= expr [ASC | ASCENDING | DESC | DESCENDING]
    /// ```
    fn projection(&self, start: &'a str, i: &'a str, clause: &'static str) -> PResult<'a, Projection> {
        let (i, distinct) = match keyword("DISTINCT")(i) {
            Ok((i, _)) => (i, true),
            _ => (i, false),
        };
        let mut items = Vec::new();
        let (mut i, star) = match symbol("*")(i) {
            Ok((i, _)) => (i, true),
            Err(_) => {
                let message = if clause == "WITH" {
                    "expected an expression or '*' after 'WITH'"
                } else {
                    "expected an expression or '*' after 'RETURN'"
                };
                let (i, item) = expect(message, |i| self.projection_item(i))(i)?;
                items.push(item);
                (i, false)
            }
        };
        while let Ok((rest, _)) = symbol(",")(i) {
            let (rest, item) = expect("expected an expression after ','", |i| self.projection_item(i))(rest)?;
            items.push(item);
            i = rest;
        }
        let mut order_by = Vec::new();
        if let Ok((rest, _)) = keyword("ORDER")(i) {
            let (rest, _) = expect("expected BY after ORDER", keyword("BY"))(rest)?;
            let (rest, item) =
                expect("expected an expression after 'ORDER BY'", |i| self.sort_item(i))(rest)?;
            order_by.push(item);
            i = rest;
            while let Ok((rest, _)) = symbol(",")(i) {
                let (rest, item) = expect("expected an expression after ','", |i| self.sort_item(i))(rest)?;
                order_by.push(item);
                i = rest;
            }
        }
        let mut skip = None;
        if let Ok((rest, _)) = keyword("SKIP")(i) {
            let (rest, e) = expect("expected an expression after 'SKIP'", |i| self.expr(i))(rest)?;
            skip = Some(e);
            i = rest;
        }
        let mut limit = None;
        if let Ok((rest, _)) = keyword("LIMIT")(i) {
            let (rest, e) = expect("expected an expression after 'LIMIT'", |i| self.expr(i))(rest)?;
            limit = Some(e);
            i = rest;
        }
        let mut where_ = None;
        if clause == "WITH" {
            let (rest, w) = self.where_clause(i)?;
            where_ = w;
            i = rest;
        }
        let span = self.span(start, i);
        Ok((i, Projection { distinct, star, items, order_by, skip, limit, where_, span }))
    }

    fn projection_item(&self, i: &'a str) -> PResult<'a, ProjectionItem> {
        let from = self.pos(i);
        let (i, expr) = self.expr(i)?;
        // The column name is the item's text as written, parentheses around
        // the whole expression included (`RETURN (n:Foo)` names `(n:Foo)`),
        // which the expression's own span leaves out.
        let text = self.src[from.min(expr.span.start)..self.pos(i).max(expr.span.end)].trim().to_string();
        let (i, alias) = match keyword("AS")(i) {
            Ok((rest, _)) => {
                let (rest, var) = expect("expected a variable name after 'AS'", variable_name)(rest)?;
                (rest, Some(self.ident(var)))
            }
            Err(Err::Error(_)) => (i, None),
            Err(e) => return Err(e),
        };
        let span = Span::new(expr.span.start, alias.as_ref().map_or(expr.span.end, |a| a.span.end));
        Ok((i, ProjectionItem { expr, alias, text, span }))
    }

    fn sort_item(&self, i: &'a str) -> PResult<'a, SortItem> {
        let (i, expr) = self.expr(i)?;
        let mut descending = false;
        let mut end = i;
        for (kw, desc) in [("ASCENDING", false), ("ASC", false), ("DESCENDING", true), ("DESC", true)] {
            if let Ok((rest, _)) = keyword(kw)(i) {
                descending = desc;
                end = rest;
                break;
            }
        }
        let span = Span::new(expr.span.start, self.pos(end).max(expr.span.end));
        Ok((end, SortItem { expr, descending, span }))
    }

    // ----- patterns -----------------------------------------------------------------------------

    /// ```text
    /// pattern ::= part ( ',' part )*
    /// ```
    fn pattern(&self, i: &'a str, ctx: Ctx, message: &'static str) -> PResult<'a, Vec<PatternPart>> {
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
    fn pattern_part(&self, i: &'a str, ctx: Ctx) -> PResult<'a, PatternPart> {
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
    fn pattern_element(&self, i: &'a str, ctx: Ctx) -> PResult<'a, PatternElement> {
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

    fn labels(&self, mut i: &'a str, message: &'static str) -> PResult<'a, Vec<Ident>> {
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

    // ----- expressions --------------------------------------------------------------------------
    //
    // Functions on the recursive path (expr_bp → unary → postfix → atom →
    // brackets → expr) are kept thin and hand their work after the recursive
    // call to separate functions, so that in debug builds, where frames hold
    // every temporary of the whole function, a nesting level costs a few
    // kilobytes of stack rather than tens.

    /// A full expression. Nesting is counted where expressions recurse
    /// (brackets, calls, unary operators), one level per construct.
    fn expr(&self, i: &'a str) -> PResult<'a, Expr> {
        self.expr_bp(i, level::OR)
    }

    /// A full expression, or a committed error saying `message` if there is none.
    fn expect_expr(&self, i: &'a str, message: &'static str) -> PResult<'a, Expr> {
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
    fn parameter(&self, i: &'a str) -> PResult<'a, Ident> {
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
    fn map_entries(&self, i: &'a str) -> PResult<'a, Vec<(Ident, Expr)>> {
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

/// The clauses outside the subset, so they get a clear message rather than
/// a generic syntax error.
const UNSUPPORTED_CLAUSES: &[(&str, &str)] = &[
    ("FOREACH", "the FOREACH clause is not supported"),
    ("LOAD", "the LOAD CSV clause is not supported"),
    ("USE", "the USE clause is not supported"),
    ("START", "the START clause is not supported"),
];

fn clause_name(clause: &Clause) -> &'static str {
    match clause {
        Clause::Match(m) if m.optional => "OPTIONAL MATCH",
        Clause::Match(_) => "MATCH",
        Clause::Unwind(_) => "UNWIND",
        Clause::With(_) => "WITH",
        Clause::Return(_) => "RETURN",
        Clause::Create(_) => "CREATE",
        Clause::Call(_) => "CALL",
        Clause::Merge(_) => "MERGE",
        Clause::Set(_) => "SET",
        Clause::Remove(_) => "REMOVE",
        Clause::Delete(d) if d.detach => "DETACH DELETE",
        Clause::Delete(_) => "DELETE",
    }
}

fn integer_overflow(at: &str, len: usize) -> PError<'_> {
    PError::invalid(at, len, INTEGER_OVERFLOW, "integer literal is too large for a 64-bit integer")
}

/// Suggests the ASCII character a stray typographic one was meant to be.
fn lookalike_hint(c: char) -> &'static str {
    match c {
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE63}' | '\u{FF0D}' => ", did you mean '-'?",
        '\u{2018}' | '\u{2019}' | '\u{201B}' => ", did you mean \"'\"?",
        '\u{201C}' | '\u{201D}' | '\u{201F}' => ", did you mean '\"'?",
        _ => "",
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::syntax::lex::INVALID_NUMBER_LITERAL;

    fn span(r: std::ops::Range<usize>) -> Span {
        Span::new(r.start, r.end)
    }

    fn stmt(text: &str) -> Statement {
        parse_statement(text).unwrap_or_else(|e| panic!("{text}: {}", e.with_query(text).render()))
    }

    fn expr(text: &str) -> Expr {
        parse_expression(text).unwrap_or_else(|e| panic!("{text}: {}", e.with_query(text).render()))
    }

    /// An expression as fully parenthesised text, to check structure.
    fn sexp(e: &Expr) -> String {
        match &e.kind {
            ExprKind::Literal(Literal::Integer(n)) => n.to_string(),
            ExprKind::Literal(Literal::Float(f)) => format!("{f:?}"),
            ExprKind::Literal(Literal::String(s)) => format!("'{s}'"),
            ExprKind::Literal(Literal::Bool(b)) => b.to_string(),
            ExprKind::Literal(Literal::Null) => "null".into(),
            ExprKind::Variable(v) => v.clone(),
            ExprKind::Parameter(p) => format!("${p}"),
            ExprKind::Property(b, k) => format!("{}.{}", sexp(b), k.name),
            ExprKind::Index(b, i) => format!("{}[{}]", sexp(b), sexp(i)),
            ExprKind::Slice(b, f, t) => format!(
                "{}[{}..{}]",
                sexp(b),
                f.as_ref().map_or(String::new(), |f| sexp(f)),
                t.as_ref().map_or(String::new(), |t| sexp(t))
            ),
            ExprKind::HasLabels(b, l) => {
                format!("{}:{}", sexp(b), l.iter().map(|l| l.name.as_str()).collect::<Vec<_>>().join(":"))
            }
            ExprKind::Unary(op, x) => format!("({op:?} {})", sexp(x)),
            ExprKind::Binary(op, a, b) => format!("({op:?} {} {})", sexp(a), sexp(b)),
            ExprKind::Comparison(a, rest) => {
                let mut s = format!("(cmp {}", sexp(a));
                for (op, b) in rest {
                    s += &format!(" {op:?} {}", sexp(b));
                }
                s + ")"
            }
            ExprKind::IsNull { expr, negated } => {
                format!("({} {})", if *negated { "notnull" } else { "isnull" }, sexp(expr))
            }
            ExprKind::List(items) => format!("[{}]", items.iter().map(sexp).collect::<Vec<_>>().join(", ")),
            ExprKind::Map(entries) => {
                format!(
                    "{{{}}}",
                    entries
                        .iter()
                        .map(|(k, v)| format!("{}: {}", k.name, sexp(v)))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
            ExprKind::Function { name, distinct, args } => format!(
                "{}({}{})",
                name.name,
                if *distinct { "distinct " } else { "" },
                args.iter().map(sexp).collect::<Vec<_>>().join(", ")
            ),
            ExprKind::CountStar => "count(*)".into(),
            ExprKind::Case { subject, alternatives, default } => {
                let mut s = "(case".to_string();
                if let Some(x) = subject {
                    s += &format!(" {}", sexp(x));
                }
                for (w, t) in alternatives {
                    s += &format!(" (when {} {})", sexp(w), sexp(t));
                }
                if let Some(d) = default {
                    s += &format!(" (else {})", sexp(d));
                }
                s + ")"
            }
            ExprKind::ListComprehension { quantifier, var, list, predicate, projection } => format!(
                "{}[{} in {}{}{}]",
                quantifier.map_or("", |q| q.name()),
                var.name,
                sexp(list),
                predicate.as_ref().map_or(String::new(), |p| format!(" where {}", sexp(p))),
                projection.as_ref().map_or(String::new(), |p| format!(" | {}", sexp(p)))
            ),
            ExprKind::Pattern(p) => format!("pattern({})", p.element.chain.len()),
            ExprKind::PatternComprehension { pattern, predicate, projection } => format!(
                "[{}pattern({}){} | {}]",
                pattern.var.as_ref().map_or(String::new(), |v| format!("{} = ", v.name)),
                pattern.element.chain.len(),
                predicate.as_ref().map_or(String::new(), |p| format!(" where {}", sexp(p))),
                sexp(projection)
            ),
            ExprKind::Subquery { kind, body } => {
                format!("({} {} clauses)", kind.keyword(), body.clauses.len())
            }
        }
    }

    fn s(text: &str) -> String {
        sexp(&expr(text))
    }

    /// The error's detail, message and span.
    fn err(text: &str) -> (&'static str, String, Span) {
        match parse_statement(text) {
            Ok(s) => panic!("{text}: expected an error, parsed {s:?}"),
            Err(e) => (e.detail, e.message, e.span.expect("a span")),
        }
    }

    // --- nodes and relationships ---

    fn first_element(text: &str) -> PatternElement {
        match &stmt(text).query.clauses[0] {
            Clause::Match(m) => m.pattern[0].element.clone(),
            Clause::Create(c) => c.pattern[0].element.clone(),
            other => panic!("not a pattern clause: {other:?}"),
        }
    }

    #[test]
    fn node_patterns() {
        let e = first_element("MATCH (p:Person:Founder {name: 'x', age: 3}) RETURN p");
        let n = e.start;
        assert_eq!(n.var, Some(Ident { name: "p".into(), span: span(7..8) }));
        assert_eq!(n.labels.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(), ["Person", "Founder"]);
        assert_eq!(n.labels[1].span, span(16..23));
        match n.properties {
            Some(Properties::Map(entries)) => {
                assert_eq!(entries.len(), 2);
                assert_eq!(entries[0].0.name, "name");
                assert_eq!(sexp(&entries[1].1), "3");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(n.span, span(6..44));
        let n = first_element("MATCH () RETURN 1").start;
        assert_eq!((n.var, n.labels.len(), n.properties, n.span), (None, 0, None, span(6..8)));
        let n = first_element("MATCH ( :`My Label` ) RETURN 1").start;
        assert_eq!(n.labels[0].name, "My Label");
        let n = first_element("CREATE (n $props)").start;
        assert!(
            matches!(&n.properties, Some(Properties::Parameter(p)) if p.name == "props" && p.span == span(10..16))
        );
    }

    #[test]
    fn relationship_directions_and_details() {
        let e = first_element("MATCH (a)-->(b)<--(c)--(d)<-->(e)-[r:T1|T2|:T3 {k: 1}]->(f) RETURN a");
        let dirs: Vec<_> = e.chain.iter().map(|(r, _)| r.direction).collect();
        use Direction::*;
        assert_eq!(dirs, [Outgoing, Incoming, Both, Both, Outgoing]);
        let r = &e.chain[4].0;
        assert_eq!(r.var.as_ref().map(|v| v.name.as_str()), Some("r"));
        assert_eq!(r.types.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["T1", "T2", "T3"]);
        assert!(matches!(r.properties, Some(Properties::Map(ref m)) if m.len() == 1));
        assert_eq!(r.span, span(33..56));
        assert_eq!(e.chain[0].0.span, span(9..12));
        let e = first_element("MATCH (a) - [ r ] - > (b) RETURN a");
        assert_eq!(e.chain[0].0.direction, Outgoing);
    }

    #[test]
    fn variable_length_forms() {
        let lengths: Vec<_> = ["*", "*2", "*1..3", "*..3", "*2..", "* 1 .. 3", "*0..0"]
            .iter()
            .map(|l| first_element(&format!("MATCH (a)-[:T{l}]->(b) RETURN a")).chain[0].0.length)
            .collect();
        let r = |min, max| Some(Range { min, max });
        assert_eq!(
            lengths,
            [
                r(None, None),
                r(Some(2), Some(2)),
                r(Some(1), Some(3)),
                r(None, Some(3)),
                r(Some(2), None),
                r(Some(1), Some(3)),
                r(Some(0), Some(0))
            ]
        );
        let e = first_element("MATCH (a)-[*]-(b) RETURN a");
        assert_eq!((e.chain[0].0.types.len(), e.chain[0].0.length), (0, r(None, None)));
        let e = first_element("MATCH (a)-[r*2 {k: 1}]->(b) RETURN a");
        assert!(e.chain[0].0.properties.is_some());
    }

    #[test]
    fn pattern_parts() {
        let q =
            stmt("MATCH p = (a)-->(b), q = shortestPath((a)-[*]-(c)), allshortestpaths((x)--(y)) RETURN p");
        let Clause::Match(m) = &q.query.clauses[0] else { panic!() };
        let kinds: Vec<_> =
            m.pattern.iter().map(|p| (p.var.as_ref().map(|v| v.name.clone()), p.kind)).collect();
        assert_eq!(
            kinds,
            [
                (Some("p".into()), PathKind::Pattern),
                (Some("q".into()), PathKind::Shortest),
                (None, PathKind::AllShortest)
            ]
        );
        assert_eq!(m.pattern[0].span, span(6..19));
        // Redundant parentheses around a chain are dropped.
        let a = first_element("MATCH ((a)-->(b)) RETURN a");
        let b = first_element("MATCH (a)-->(b) RETURN a");
        assert_eq!(a.chain.len(), b.chain.len());
    }

    // --- expressions ---

    #[test]
    fn boolean_precedence() {
        assert_eq!(s("true OR true XOR true"), "(Or true (Xor true true))");
        assert_eq!(s("a XOR b AND c"), "(Xor a (And b c))");
        assert_eq!(s("NOT a AND b"), "(And (Not a) b)");
        assert_eq!(s("NOT NOT a"), "(Not (Not a))");
        assert_eq!(s("a OR b OR c"), "(Or (Or a b) c)");
    }

    #[test]
    fn comparison_precedence() {
        assert_eq!(s("NOT false >= false"), "(Not (cmp false Ge false))");
        assert_eq!(s("true OR false = false"), "(Or true (cmp false Eq false))");
        assert_eq!(s("1 < x <= 3 <> y"), "(cmp 1 Lt x Le 3 Ne y)");
        assert_eq!(s("false = true IS NULL"), "(cmp false Eq (isnull true))");
        assert_eq!(s("a IS NULL = b"), "(cmp (isnull a) Eq b)");
        assert_eq!(s("NOT false IS NULL"), "(Not (isnull false))");
        assert_eq!(s("false = true IN [true, false]"), "(cmp false Eq (In true [true, false]))");
        assert_eq!(s("x IS NOT NULL IS NULL"), "(isnull (notnull x))");
        assert_eq!(s("[1]+2 IN [3]+4"), "(In (Add [1] 2) (Add [3] 4))");
        assert_eq!(s("'abc' STARTS WITH null OR true"), "(Or (StartsWith 'abc' null) true)");
        assert_eq!(s("a ENDS WITH 'x' CONTAINS 'y'"), "(Contains (EndsWith a 'x') 'y')");
        assert_eq!(s("a =~ 'x.*' = true"), "(cmp (RegexMatch a 'x.*') Eq true)");
    }

    #[test]
    fn arithmetic_precedence() {
        assert_eq!(s("4 * 2 + 3 * 2"), "(Add (Multiply 4 2) (Multiply 3 2))");
        assert_eq!(s("4 - 2 - 1"), "(Subtract (Subtract 4 2) 1)");
        assert_eq!(s("2 ^ 3 ^ 2"), "(Power (Power 2 3) 2)");
        assert_eq!(s("4 ^ 3 % 2 ^ 3"), "(Modulo (Power 4 3) (Power 2 3))");
        assert_eq!(s("-3 ^ 2"), "(Power -3 2)");
        assert_eq!(s("-x ^ 2"), "(Power (Negate x) 2)");
        assert_eq!(s("-(3 ^ 2)"), "(Negate (Power 3 2))");
        assert_eq!(s("2 ^ -1"), "(Power 2 -1)");
        assert_eq!(s("- -3"), "(Negate -3)");
        assert_eq!(s("+3"), "(Plus 3)");
        assert_eq!(s("a--1"), "(Subtract a -1)");
        assert_eq!(s("-n.x"), "(Negate n.x)");
        assert_eq!(s("-5[0]"), "(Negate 5[0])");
        assert_eq!(s("-(5)"), "(Negate 5)");
    }

    #[test]
    fn postfix_and_labels() {
        assert_eq!(s("n.a.b[0][1..2][..3][4..][..]"), "n.a.b[0][1..2][..3][4..][..]");
        assert_eq!(
            s("[[1], [2, 3], [4, 5]] + [5, [6, 7], [8, 9], 10][3]"),
            "(Add [[1], [2, 3], [4, 5]] [5, [6, 7], [8, 9], 10][3])"
        );
        assert_eq!(s("n:A:B AND m.x:C"), "(And n:A:B m.x:C)");
        assert_eq!(s("n.orderId"), "n.orderId");
        assert_eq!(s("n . name"), "n.name");
        assert_eq!(s("$param.key"), "$param.key");
        assert_eq!(s("{a: 1}.a"), "{a: 1}.a");
        assert_eq!(s("n.`weird key`"), "n.weird key");
        assert_eq!(s("n.end"), "n.end");
    }

    #[test]
    fn literals() {
        assert_eq!(s("null"), "null");
        assert_eq!(s("TRUE"), "true");
        assert_eq!(s("False"), "false");
        assert_eq!(s("0x1F"), "31");
        assert_eq!(s("-0x8000000000000000"), i64::MIN.to_string());
        assert_eq!(s("-9223372036854775808"), i64::MIN.to_string());
        assert_eq!(s("-0o1000000000000000000000"), i64::MIN.to_string());
        assert_eq!(s("9223372036854775807"), i64::MAX.to_string());
        assert_eq!(s(".5"), "0.5");
        assert_eq!(s("1e3"), "1000.0");
        assert_eq!(s("1.5e-3"), "0.0015");
        assert_eq!(s("-.1e-5"), "(Negate 1e-6)");
        assert_eq!(s("'it\\'s'"), "'it's'");
        assert_eq!(s("\"x\""), "'x'");
        assert_eq!(s("$0"), "$0");
        assert_eq!(s("$`odd name`"), "$odd name");
        assert_eq!(s("[]"), "[]");
        assert_eq!(s("[1, [2], {}]"), "[1, [2], {}]");
        assert_eq!(s("{a: 1, `b c`: 'x', end: null}"), "{a: 1, b c: 'x', end: null}");
        assert_eq!(expr("-12").span, span(0..3));
        assert_eq!(expr("- 12").span, span(0..4));
    }

    #[test]
    fn functions_and_count() {
        assert_eq!(s("count(*)"), "count(*)");
        assert_eq!(s("COUNT ( * )"), "count(*)");
        assert_eq!(s("count(n)"), "count(n)");
        assert_eq!(s("count(DISTINCT n.x)"), "count(distinct n.x)");
        assert_eq!(s("toUpper('a')"), "toUpper('a')");
        assert_eq!(s("rand()"), "rand()");
        assert_eq!(s("a.b.c(x, 1)"), "a.b.c(x, 1)");
        assert_eq!(s("exists(n.x)"), "exists(n.x)");
        let f = expr("my.fn(1)");
        let ExprKind::Function { name, .. } = f.kind else { panic!() };
        assert_eq!(name.span, span(0..5));
    }

    #[test]
    fn case_expressions() {
        assert_eq!(s("CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END"), "(case (when a 1) (when b 2) (else 3))");
        assert_eq!(s("case x when 1 then 'one' end"), "(case x (when 1 'one'))");
        assert_eq!(s("CASE n.x WHEN 1 THEN 2 END.y"), "(case n.x (when 1 2)).y");
    }

    #[test]
    fn list_comprehensions() {
        assert_eq!(
            s("[x IN range(0, 10) WHERE x % 2 = 0 | x ^ 2]"),
            "[x in range(0, 10) where (cmp (Modulo x 2) Eq 0) | (Power x 2)]"
        );
        assert_eq!(s("[x IN list | x.name]"), "[x in list | x.name]");
        assert_eq!(s("[x IN list WHERE x > 1]"), "[x in list where (cmp x Gt 1)]");
        assert_eq!(s("[x IN list]"), "[x in list]");
        // Not comprehensions: more elements, a non-variable, parentheses.
        assert_eq!(s("[x IN list, 2]"), "[(In x list), 2]");
        assert_eq!(s("[1 IN list]"), "[(In 1 list)]");
        assert_eq!(s("[(x) IN list]"), "[(In x list)]");
    }

    #[test]
    fn pattern_expressions() {
        assert_eq!(s("(a)-->(b)"), "pattern(1)");
        assert_eq!(s("(a)<-[:T]-(:B {x: 1})--()"), "pattern(2)");
        assert_eq!(s("(a) - -1"), "(Subtract a -1)");
        assert_eq!(s("(a) < -1"), "(cmp a Lt -1)");
        assert_eq!(s("(n.a) - (1)"), "(Subtract n.a 1)");
        assert_eq!(s("NOT (a)-->(b)"), "(Not pattern(1))");
        assert_eq!(s("((a)-->(b))"), "pattern(1)");
        assert_eq!(s("size((a)-->())"), "size(pattern(1))");
    }

    #[test]
    fn comments_anywhere() {
        let q =
            stmt("// leading\nMATCH /* a */ (n) // trailing\n WHERE n.x /* c */ > 1 RETURN n /* end */ ;");
        assert_eq!(q.query.clauses.len(), 2);
        assert_eq!(s("1 /* one */ + // two\n 2"), "(Add 1 2)");
        assert_eq!(s("'//not a comment'"), "'//not a comment'");
    }

    #[test]
    fn keywords_are_not_prefixes() {
        assert_eq!(s("orders OR ordinal"), "(Or orders ordinal)");
        assert_eq!(s("n.orderId IN android"), "(In n.orderId android)");
        assert_eq!(s("isNull IS NULL"), "(isnull isNull)");
        assert_eq!(s("notes AND nothing"), "(And notes nothing)");
        assert_eq!(s("endsWith ENDS WITH startsWith"), "(EndsWith endsWith startsWith)");
        let q = stmt("match (n) return n order by n.x descending skip 1 limit 2");
        let Clause::Return(r) = &q.query.clauses[1] else { panic!() };
        assert!(r.order_by[0].descending);
        assert!(r.skip.is_some() && r.limit.is_some());
    }

    #[test]
    fn clauses() {
        let q = stmt("EXPLAIN OPTIONAL MATCH (n) WHERE n.x = 1 UNWIND [1, 2] AS i WITH DISTINCT n, i AS j ORDER BY j SKIP 1 LIMIT 5 WHERE j > 0 RETURN *, n.x ORDER BY n.x ASC, j DESC;");
        assert!(q.explain);
        let c = &q.query.clauses;
        assert!(matches!(&c[0], Clause::Match(m) if m.optional && m.where_.is_some()));
        assert!(matches!(&c[1], Clause::Unwind(u) if u.var.name == "i"));
        let Clause::With(w) = &c[2] else { panic!() };
        assert!(w.distinct && !w.star && w.items.len() == 2 && w.where_.is_some() && w.skip.is_some());
        assert_eq!(w.items[1].alias.as_ref().map(|a| a.name.as_str()), Some("j"));
        let Clause::Return(r) = &c[3] else { panic!() };
        assert!(r.star && r.items.len() == 1 && r.order_by.len() == 2 && !r.order_by[0].descending);
        assert_eq!(q.query.span.start, 8);
        assert_eq!(q.query.span.end, q.query.clauses[3].span().end);
        let q = stmt("CREATE (a:A), (b:B) CREATE (a)-[:T]->(b)");
        assert_eq!(q.query.clauses.len(), 2);
    }

    #[test]
    fn projection_text_is_the_source() {
        let q = stmt("MATCH (a) RETURN count( * ), a.version+5 AS v,  a . name ,\n(a.x)");
        let Clause::Return(r) = &q.query.clauses[1] else { panic!() };
        let texts: Vec<_> = r.items.iter().map(|i| i.text.as_str()).collect();
        assert_eq!(texts, ["count( * )", "a.version+5", "a . name", "(a.x)"]);
        assert_eq!(r.items[1].span, span(29..45));
    }

    // --- errors ---

    #[test]
    fn error_messages_and_spans() {
        assert_eq!(
            err("MATCH (p:Person RETURN p"),
            (UNEXPECTED_SYNTAX, "expected ')' to close node pattern".into(), span(16..22))
        );
        assert_eq!(
            err("MATCH (n) WHERE RETURN n"),
            (UNEXPECTED_SYNTAX, "expected an expression after 'WHERE'".into(), span(16..22))
        );
        assert_eq!(
            err("RETURN ("),
            (
                UNEXPECTED_SYNTAX,
                "unexpected end of input, expected an expression after '('".into(),
                span(8..8)
            )
        );
        assert_eq!(
            err("RETURN 1 +"),
            (
                UNEXPECTED_SYNTAX,
                "unexpected end of input, expected an expression after '+'".into(),
                span(10..10)
            )
        );
        assert_eq!(
            err(""),
            (
                UNEXPECTED_SYNTAX,
                "unexpected end of input, expected a clause such as MATCH, UNWIND, WITH, RETURN or CREATE"
                    .into(),
                span(0..0)
            )
        );
        assert_eq!(
            err("RETURN a b"),
            (UNEXPECTED_SYNTAX, "expected a clause or the end of the query".into(), span(9..10))
        );
        assert_eq!(
            err("MATCH (a)-[:T->(b) RETURN a"),
            (INVALID_RELATIONSHIP_PATTERN, "expected ']' to close relationship pattern".into(), span(13..14))
        );
        assert_eq!(
            err("MATCH (a)-(b) RETURN a").1,
            "expected '-' or '[' to continue the relationship pattern"
        );
        assert_eq!(err("MATCH (a)--> RETURN a").1, "expected a node pattern after the relationship");
        assert_eq!(
            err("RETURN [1, 2"),
            (
                UNEXPECTED_SYNTAX,
                "unexpected end of input, expected ',' or ']' to close the list".into(),
                span(12..12)
            )
        );
        assert_eq!(err("RETURN {a 1}").1, "expected ':' after the property key");
        assert_eq!(err("RETURN x IS 1").1, "expected NULL or NOT NULL after IS");
        assert_eq!(
            err("RETURN CASE WHEN 1 THEN 2").1,
            "unexpected end of input, expected WHEN, ELSE or END to continue the CASE expression"
        );
        assert_eq!(err("RETURN f(1 2)").1, "expected ',' or ')' to close the arguments of f()");
        assert_eq!(err("MATCH (n) RETURN n ORDER n").1, "expected BY after ORDER");
        assert_eq!(
            err("RETURN 1; RETURN 2").1,
            "expected the end of the query after ';', only one statement is allowed"
        );
        assert_eq!(err("RETURN 'abc").1, "unterminated string literal, expected a closing '");
        assert_eq!(err("RETURN 1 /* open").1, "unterminated comment, expected '*/'");
    }

    #[test]
    fn union_and_call_print_back() {
        for q in [
            "RETURN 1 AS x UNION RETURN 2 AS x UNION RETURN 3 AS x",
            "MATCH (n) RETURN n UNION ALL MATCH (m) RETURN m AS n",
            "CALL db.labels()",
            "CALL test.my.proc",
            "CALL test.my.proc('a', $p) YIELD *",
            "MATCH (n) CALL test.`odd name`(n.x, 1) YIELD a AS b, c WHERE b > c RETURN b",
        ] {
            let s = stmt(q);
            assert_eq!(s.to_string(), q);
            assert_eq!(stmt(&s.to_string()).to_string(), q);
        }
        let s = stmt("CALL a.b.c(1) YIELD x AS y");
        let Clause::Call(c) = &s.query.clauses[0] else { panic!("{s:?}") };
        assert_eq!((c.procedure.name.as_str(), c.procedure.span), ("a.b.c", span(5..10)));
        assert_eq!(c.yields.as_ref().map(|y| y[0].var().name.as_str()), Some("y"));
        assert_eq!(stmt("RETURN 1 UNION ALL RETURN 2").unions[0].span, span(9..18));
        assert_eq!(
            err("CALL db.labels() YIELD").1,
            "unexpected end of input, expected a field name after 'YIELD'"
        );
        assert_eq!(
            err("RETURN 1 UNION").1,
            "unexpected end of input, expected a clause such as MATCH, UNWIND, WITH, RETURN or CREATE"
        );
    }

    #[test]
    fn unsupported_clauses() {
        for (q, kw) in [
            ("LOAD CSV FROM 'x' AS row RETURN row", "LOAD CSV"),
            ("FOREACH (x IN [1] | CREATE ())", "FOREACH"),
        ] {
            let (detail, message, sp) = err(q);
            assert_eq!(detail, UNEXPECTED_SYNTAX);
            assert!(message.contains(kw) && message.ends_with("is not supported"), "{message}");
            assert_eq!(
                &q[sp.start..sp.end].to_uppercase()[..kw.len().min(sp.end - sp.start)],
                &kw[..kw.len().min(sp.end - sp.start)]
            );
        }
        assert_eq!(
            err("RETURN any(x.y IN [1] WHERE x > 0)").1,
            "any() needs a variable and a list: any(x IN list WHERE ...)"
        );
        assert_eq!(err("MATCH (n) WHERE exists { (n)-->() RETURN n").1, "expected '}' to close EXISTS");
        assert_eq!(s("[p = (a)-->(b) WHERE b.x > 1 | p]"), "[p = pattern(1) where (cmp b.x Gt 1) | p]");
        assert_eq!(s("[(a)-->() | a.x]"), "[pattern(1) | a.x]");
        assert_eq!(
            err("RETURN [(a)-->(b) WHERE b.x]").1,
            "expected '|' and the value to collect in the pattern comprehension"
        );
        assert_eq!(err("MATCH (n) RETURN n{.name}").1, "map projections such as n{.key} are not supported");
        assert_eq!(
            err("RETURN 1 != 2"),
            (UNEXPECTED_SYNTAX, "'!=' is not an operator, use '<>'".into(), span(9..11))
        );
    }

    #[test]
    fn clause_composition() {
        assert_eq!(
            err("MATCH (n) RETURN n MATCH (m) RETURN m"),
            (
                INVALID_CLAUSE_COMPOSITION,
                "RETURN can only be used at the end of the query".into(),
                span(10..16)
            )
        );
        assert_eq!(
            err("MATCH (n)").1,
            "a query cannot end with MATCH, it must end with RETURN or an updating clause"
        );
        assert_eq!(
            err("MATCH (n) WITH n").1,
            "a query cannot end with WITH, it must end with RETURN or an updating clause"
        );
        assert_eq!(err("CREATE (n) MATCH (m) RETURN m").1, "WITH is required between CREATE and MATCH");
        stmt("CREATE (n) WITH n MATCH (m) RETURN m");
        stmt("MATCH (n) CREATE (m)");
    }

    #[test]
    fn number_errors() {
        assert_eq!(
            err("RETURN 9223372036854775808 AS literal"),
            (INTEGER_OVERFLOW, "integer literal is too large for a 64-bit integer".into(), span(7..26))
        );
        assert_eq!(
            err("RETURN -9223372036854775809 AS literal"),
            (INTEGER_OVERFLOW, "integer literal is too large for a 64-bit integer".into(), span(7..27))
        );
        assert_eq!(err("RETURN -0x8000000000000001").0, INTEGER_OVERFLOW);
        assert_eq!(err("RETURN 0x8000000000000000").0, INTEGER_OVERFLOW);
        assert_eq!(err("RETURN 0o1000000000000000000000").0, INTEGER_OVERFLOW);
        assert_eq!(
            err("RETURN 0x AS literal"),
            (INVALID_NUMBER_LITERAL, "invalid number literal '0x'".into(), span(7..9))
        );
        assert_eq!(err("RETURN 9223372h54775808").0, INVALID_NUMBER_LITERAL);
        assert_eq!(err("RETURN 1.e").0, INVALID_NUMBER_LITERAL);
        assert_eq!(
            err("RETURN 9223372#54775808 AS literal"),
            (UNEXPECTED_SYNTAX, "expected a clause or the end of the query".into(), span(14..15))
        );
        assert_eq!(err("RETURN 1.34E999").0, "FloatingPointOverflow");
        assert_eq!(err("MATCH (a)-[*99999999999999999999]->(b) RETURN a").0, INTEGER_OVERFLOW);
    }

    #[test]
    fn tck_grammar_errors() {
        for q in [
            "RETURN {1B2c3e67:1} AS literal",
            "RETURN {k1#k: 1} AS literal",
            "RETURN {k1.k: 1} AS literal",
            "RETURN {, } AS literal",
            "RETURN {1} AS literal",
            "RETURN {[]} AS literal",
            "RETURN {{}} AS literal",
            "RETURN {k: {k: {}} AS literal",
            "RETURN [, ] AS literal",
            "RETURN [[[]] AS literal",
            "RETURN [[','[]',']] AS literal",
        ] {
            assert_eq!(err(q).0, UNEXPECTED_SYNTAX, "{q}");
        }
        assert_eq!(err("RETURN '\\uH'").0, "InvalidUnicodeLiteral");
        let (detail, message, sp) = err("RETURN 42 — 41");
        assert_eq!(
            (detail, message.as_str(), sp),
            (INVALID_UNICODE_CHARACTER, "invalid character '—' (U+2014), did you mean '-'?", span(10..13))
        );
        assert_eq!(
            err("MATCH (a:A) MATCH (a)-[:LIKES..]->(c) RETURN c.name"),
            (
                INVALID_RELATIONSHIP_PATTERN,
                "expected '*' before a variable-length range".into(),
                span(29..31)
            )
        );
        assert_eq!(err("MATCH (a)-[:LIKES*-2]->(c) RETURN c.name").0, INVALID_RELATIONSHIP_PATTERN);
        assert_eq!(
            err("MATCH (n $param) RETURN n"),
            (
                INVALID_PARAMETER_USE,
                "a parameter cannot be used as the property map of a MATCH pattern, write {key: $param.key}"
                    .into(),
                span(9..15)
            )
        );
        assert_eq!(err("MATCH ()-[r:FOO $param]->() RETURN r").0, INVALID_PARAMETER_USE);
    }

    #[test]
    fn reserved_words_are_not_variables() {
        assert_eq!(err("MATCH (n) WHERE RETURN n").1, "expected an expression after 'WHERE'");
        assert_eq!(err("WITH 1 AS where RETURN 1").1, "expected a variable name after 'AS'");
        assert_eq!(s("`where` + 1"), "(Add where 1)");
        stmt("MATCH (n:MATCH)-[:RETURN]->(m {end: 1}) RETURN n.where");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep =
            |open: &str, close: &str, n: usize| format!("RETURN {}1{}", open.repeat(n), close.repeat(n));
        assert!(parse_statement(&deep("(", ")", MAX_DEPTH - 2)).is_ok());
        assert!(parse_statement(&deep("[", "]", MAX_DEPTH - 2)).is_ok());
        for (open, close) in
            [("(", ")"), ("[", "]"), ("{a: ", "}"), ("-", ""), ("NOT ", ""), ("f(", ")"), ("[x IN ", " | x]")]
        {
            let text = deep(open, close, 5000);
            let e = parse_statement(&text).expect_err(open);
            assert_eq!(e.message, "expression nested too deeply", "{open}");
        }
        let text = format!("MATCH {}(a){} RETURN a", "(".repeat(1000), ")".repeat(1000));
        assert_eq!(parse_statement(&text).unwrap_err().message, "expression nested too deeply");
    }

    #[test]
    fn deep_nesting_fits_a_small_stack() {
        // 2 MiB is the default stack of a spawned thread.
        let handle = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(|| {
                for (open, close) in [
                    ("(", ")"),
                    ("[", "]"),
                    ("{a: ", "}"),
                    ("- ", ""),
                    ("NOT ", ""),
                    ("f(", ")"),
                    ("CASE WHEN true THEN ", " END"),
                    ("(a {k: ", "})--()"),
                    // Every precedence level on the way down to the next bracket.
                    ("a OR b XOR c AND NOT d = e IN f + g * h ^ -(", ")"),
                    ("[x IN ", " | x]"),
                    ("a[", "]"),
                ] {
                    // The composite opens three levels (NOT, -, parenthesis) each time.
                    let n = if open.len() > 10 { MAX_DEPTH / 3 - 1 } else { MAX_DEPTH - 3 };
                    let text = format!("RETURN {}1{}", open.repeat(n), close.repeat(n));
                    let statement = parse_statement(&text).unwrap_or_else(|e| panic!("{open}: {e}"));
                    // Printing and dropping recurse too, on this thread.
                    assert!(parse_statement(&statement.to_string()).is_ok());
                }
            })
            .unwrap();
        handle.join().unwrap();
    }

    #[test]
    fn nesting_estimates_bound_the_real_depth() {
        let q = "MATCH (a)-[:T]->(b)<-[:U]-(c) RETURN a.x - 1, '((((', `a-` // ((((\n";
        assert_eq!(nesting_estimate(q), 3);
        assert_eq!(nesting_estimate("RETURN [[1], {a: (2)}]"), 3);
        assert_eq!(nesting_estimate("RETURN - - -1 + NOT NOT x"), 6);
        assert_eq!(nesting_estimate("RETURN - /* ) */ - 1"), 2);
        assert_eq!(nesting_estimate("RETURN CASE WHEN CASE x WHEN 1 THEN 2 END THEN (3) END"), 3);
        assert_eq!(nesting_estimate("RETURN n.notes, n.cases /* ) */"), 0);
        let long = format!("CREATE {}", vec!["(:A)-[:T]->(:B)"; 500].join(", "));
        assert!(nesting_estimate(&long) <= INLINE_DEPTH);
        // Prefix operators on several bracket levels add up.
        assert_eq!(nesting_estimate("RETURN - -(- -(- -1))"), 8);
    }

    #[test]
    fn long_inputs() {
        let items: Vec<String> = (0..2000).map(|n| format!("{n} AS c{n}")).collect();
        let q = format!("RETURN {}", items.join(", "));
        assert!(q.len() > 10_000);
        assert_eq!(stmt(&q).query.clauses.len(), 1);
        let sum = format!("RETURN {}", vec!["1"; 5000].join(" + "));
        stmt(&sum);
        let long_string = format!("RETURN '{}'", "x".repeat(20_000));
        stmt(&long_string);
    }

    #[test]
    fn nested_property_maps_parse_in_linear_time() {
        // Each `(` is decided by a look-ahead, so this does not blow up.
        let n = 40;
        let text = format!("RETURN {}1{}", "({a: ".repeat(n), "})".repeat(n));
        let start = std::time::Instant::now();
        assert!(parse_statement(&text).is_ok());
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
    }
}

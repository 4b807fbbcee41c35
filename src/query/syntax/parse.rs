//! The grammar: statements and clauses here; patterns in `pattern`,
//! expressions in `expr`, the updating clauses in `write`.
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
    Call, Clause, Create, Expr, Ident, Match, Projection, ProjectionItem, Query, SortItem, Statement, Union,
    Unwind, YieldItem,
};
use super::lex::{
    at_keyword, expect, fail, is_ident_continue, keyword, name, skip_ws, soft, symbol, token_len,
    variable_name, ws, Name, PError, PResult, INVALID_UNICODE_CHARACTER, UNEXPECTED_SYNTAX,
};
use crate::error::{ErrorClass, QueryError, Span};

mod expr;
mod pattern;
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

/// Suggests the ASCII character a stray typographic one was meant to be.
fn lookalike_hint(c: char) -> &'static str {
    match c {
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE63}' | '\u{FF0D}' => ", did you mean '-'?",
        '\u{2018}' | '\u{2019}' | '\u{201B}' => ", did you mean \"'\"?",
        '\u{201C}' | '\u{201D}' | '\u{201F}' => ", did you mean '\"'?",
        _ => "",
    }
}

#[cfg(test)]
mod tests;

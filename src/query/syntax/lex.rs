//! Tokens: whitespace and comments, keywords, identifiers, literals, and the
//! error type every production of the parser shares.
//!
//! Every token parser skips the whitespace (and comments) in front of it, so a
//! production's result ends exactly where its last token ends, and spans never
//! include trailing blanks.

use std::borrow::Cow;

use nom::bytes::complete::{tag, tag_no_case, take_while};
use nom::error::{ErrorKind, ParseError};
use nom::{Err, IResult};

/// The TCK detail code for text that does not parse.
pub(crate) const UNEXPECTED_SYNTAX: &str = "UnexpectedSyntax";
/// The TCK detail code for an integer literal outside `i64`.
pub(crate) const INTEGER_OVERFLOW: &str = "IntegerOverflow";
/// The TCK detail code for a malformed number such as `0x` or `12a`.
pub(crate) const INVALID_NUMBER_LITERAL: &str = "InvalidNumberLiteral";
/// The TCK detail code for a float literal outside `f64`.
pub(crate) const FLOATING_POINT_OVERFLOW: &str = "FloatingPointOverflow";
/// The TCK detail code for a malformed `\u` escape.
pub(crate) const INVALID_UNICODE_LITERAL: &str = "InvalidUnicodeLiteral";
/// The TCK detail code for a stray non-ASCII character such as `—`.
pub(crate) const INVALID_UNICODE_CHARACTER: &str = "InvalidUnicodeCharacter";

/// A parse error: where, which TCK detail code, and (once a production has
/// committed) what was expected.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PError<'a> {
    /// The input at the failure; the span starts at its first token.
    pub(crate) input: &'a str,
    /// The TCK detail code.
    pub(crate) detail: &'static str,
    /// What went wrong; `None` for a bare nom failure that no production
    /// has explained yet.
    pub(crate) message: Option<Cow<'static, str>>,
    /// The span's length in bytes; `None` means "the next token".
    pub(crate) len: Option<usize>,
}

impl<'a> PError<'a> {
    /// A committed "expected ..." error at `input`.
    pub(crate) fn expected(input: &'a str, message: impl Into<Cow<'static, str>>) -> PError<'a> {
        PError { input, detail: UNEXPECTED_SYNTAX, message: Some(message.into()), len: None }
    }

    /// An error with its own detail code covering `len` bytes from `input`.
    pub(crate) fn invalid(
        input: &'a str,
        len: usize,
        detail: &'static str,
        message: impl Into<Cow<'static, str>>,
    ) -> PError<'a> {
        PError { input, detail, message: Some(message.into()), len: Some(len) }
    }

    /// Sets the detail code (kept for errors that already carry a specific one).
    pub(crate) fn with_detail(mut self, detail: &'static str) -> PError<'a> {
        if self.detail == UNEXPECTED_SYNTAX {
            self.detail = detail;
        }
        self
    }
}

impl<'a> ParseError<&'a str> for PError<'a> {
    fn from_error_kind(input: &'a str, _kind: ErrorKind) -> Self {
        PError { input, detail: UNEXPECTED_SYNTAX, message: None, len: None }
    }

    fn append(_input: &'a str, _kind: ErrorKind, other: Self) -> Self {
        other
    }

    /// Keeps the error that got further, preferring one that explains itself.
    fn or(self, other: Self) -> Self {
        match (self.message.is_some(), other.message.is_some()) {
            (true, false) => self,
            (false, true) => other,
            _ if self.input.len() < other.input.len() => self,
            _ => other,
        }
    }
}

/// The result of every parser here.
pub(crate) type PResult<'a, O> = IResult<&'a str, O, PError<'a>>;

/// A soft (backtrackable) error at `input`.
pub(crate) fn soft<O>(input: &str) -> PResult<'_, O> {
    Err(Err::Error(PError::from_error_kind(input, ErrorKind::Fail)))
}

/// A committed error at `input` saying what was expected.
pub(crate) fn fail<'a, O>(input: &'a str, message: impl Into<Cow<'static, str>>) -> PResult<'a, O> {
    Err(Err::Failure(PError::expected(input, message)))
}

/// Runs `p`, turning a soft error into a committed one that says what was
/// expected at the place `p` started. Use it once a keyword or symbol has
/// committed the production, so the first committed failure is the one
/// reported.
pub(crate) fn expect<'a, O>(
    message: &'static str,
    mut p: impl FnMut(&'a str) -> PResult<'a, O>,
) -> impl FnMut(&'a str) -> PResult<'a, O> {
    move |i| match p(i) {
        Err(Err::Error(_)) => fail(i, message),
        other => other,
    }
}

/// Commits a soft error of `p` like [`expect`] and tags every error of `p`
/// with `detail`.
pub(crate) fn expect_detail<'a, O>(
    detail: &'static str,
    message: &'static str,
    mut p: impl FnMut(&'a str) -> PResult<'a, O>,
) -> impl FnMut(&'a str) -> PResult<'a, O> {
    move |i| match p(i) {
        Err(Err::Error(_)) => Err(Err::Failure(PError::expected(i, message).with_detail(detail))),
        Err(Err::Failure(e)) => Err(Err::Failure(e.with_detail(detail))),
        other => other,
    }
}

/// Whitespace and comments (`// ...` to the end of the line, `/* ... */`).
///
/// ```text
/// ws ::= ( WHITESPACE | '//' ... EOL | '/*' ... '*/' )*
/// ```
pub(crate) fn ws(mut i: &str) -> PResult<'_, ()> {
    loop {
        let trimmed = i.trim_start();
        if let Some(rest) = trimmed.strip_prefix("//") {
            i = rest.find('\n').map_or(&rest[rest.len()..], |n| &rest[n..]);
        } else if let Some(rest) = trimmed.strip_prefix("/*") {
            match rest.find("*/") {
                Some(n) => i = &rest[n + 2..],
                None => {
                    return Err(Err::Failure(PError::invalid(
                        trimmed,
                        2,
                        UNEXPECTED_SYNTAX,
                        "unterminated comment, expected '*/'",
                    )))
                }
            }
        } else {
            return Ok((trimmed, ()));
        }
    }
}

/// `ws` that never fails (an unterminated comment just stops it), for
/// peeking and error spans.
pub(crate) fn skip_ws(i: &str) -> &str {
    match ws(i) {
        Ok((rest, ())) => rest,
        Err(Err::Error(e) | Err::Failure(e)) => e.input,
        Err(Err::Incomplete(_)) => i,
    }
}

/// Can `c` start an unquoted identifier?
pub(crate) fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

/// Can `c` continue an unquoted identifier?
pub(crate) fn is_ident_continue(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// A keyword, ignoring case, that is not the prefix of a longer word
/// (`OR` does not match the start of `ORDER`). Returns the keyword as written.
pub(crate) fn keyword<'a>(kw: &'static str) -> impl Fn(&'a str) -> PResult<'a, &'a str> {
    move |i| {
        let (i, ()) = ws(i)?;
        let (rest, word) = tag_no_case(kw)(i)?;
        match rest.chars().next() {
            Some(c) if is_ident_continue(c) => soft(i),
            _ => Ok((rest, word)),
        }
    }
}

/// Whether the next token is the keyword `kw`.
pub(crate) fn at_keyword(i: &str, kw: &'static str) -> bool {
    keyword(kw)(i).is_ok()
}

/// A punctuation token such as `(` or `..`.
pub(crate) fn symbol<'a>(s: &'static str) -> impl Fn(&'a str) -> PResult<'a, &'a str> {
    move |i| {
        let (i, ()) = ws(i)?;
        tag(s)(i)
    }
}

/// Whether the next token starts with `s`.
pub(crate) fn at_symbol(i: &str, s: &str) -> bool {
    skip_ws(i).starts_with(s)
}

/// The reserved words of openCypher: they cannot be variables unless
/// backquoted (labels, types and property keys may still use them).
const RESERVED: &[&str] = &[
    "ALL",
    "ASC",
    "ASCENDING",
    "BY",
    "CREATE",
    "DELETE",
    "DESC",
    "DESCENDING",
    "DETACH",
    "EXISTS",
    "LIMIT",
    "MATCH",
    "MERGE",
    "ON",
    "OPTIONAL",
    "ORDER",
    "REMOVE",
    "RETURN",
    "SET",
    "SKIP",
    "WHERE",
    "WITH",
    "UNION",
    "UNWIND",
    "AND",
    "AS",
    "CONTAINS",
    "DISTINCT",
    "ENDS",
    "IN",
    "IS",
    "NOT",
    "OR",
    "STARTS",
    "XOR",
    "CASE",
    "ELSE",
    "END",
    "THEN",
    "WHEN",
    "NULL",
    "TRUE",
    "FALSE",
    "CONSTRAINT",
    "DO",
    "FOR",
    "REQUIRE",
    "UNIQUE",
    "MANDATORY",
    "SCALAR",
    "OF",
    "ADD",
    "DROP",
];

/// Whether `word` is a reserved word (ignoring case).
pub(crate) fn is_reserved(word: &str) -> bool {
    RESERVED.iter().any(|r| r.eq_ignore_ascii_case(word))
}

/// Whether `name` can be written without backquotes.
pub(crate) fn is_plain_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if is_ident_start(c)) && chars.all(is_ident_continue)
}

/// A name as written: the unquoted name and the raw token.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Name<'a> {
    /// The name, without backquotes.
    pub(crate) name: String,
    /// The token as written (with backquotes if it had them).
    pub(crate) raw: &'a str,
    /// It was backquoted (so it may be a reserved word).
    pub(crate) quoted: bool,
}

/// A symbolic name: an unquoted identifier or a backquoted one (where a
/// doubled backquote stands for one).
///
/// ```text
/// name ::= IDENT_START IDENT_CONTINUE* | '`' ( [^`] | '``' )* '`'
/// ```
pub(crate) fn name(i: &str) -> PResult<'_, Name<'_>> {
    let (i, ()) = ws(i)?;
    match i.chars().next() {
        Some('`') => {
            let mut out = String::new();
            let mut chars = i.char_indices().skip(1).peekable();
            while let Some((at, c)) = chars.next() {
                if c == '`' {
                    if let Some((_, '`')) = chars.peek() {
                        chars.next();
                        out.push('`');
                        continue;
                    }
                    let end = at + 1;
                    return Ok((&i[end..], Name { name: out, raw: &i[..end], quoted: true }));
                }
                out.push(c);
            }
            Err(Err::Failure(PError::invalid(
                i,
                1,
                UNEXPECTED_SYNTAX,
                "unterminated backquoted name, expected '`'",
            )))
        }
        Some(c) if is_ident_start(c) => {
            let (rest, raw) = take_while(is_ident_continue)(i)?;
            Ok((rest, Name { name: raw.to_string(), raw, quoted: false }))
        }
        _ => soft(i),
    }
}

/// A name that can be a variable: not a reserved word unless backquoted.
pub(crate) fn variable_name(i: &str) -> PResult<'_, Name<'_>> {
    let (rest, n) = name(i)?;
    if !n.quoted && is_reserved(&n.name) {
        return soft(i);
    }
    Ok((rest, n))
}

/// A number literal as lexed; integers keep their magnitude so that
/// `-9223372036854775808` can be folded by the caller.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Number {
    /// An integer's magnitude; `None` when it does not even fit `u64`.
    Integer(Option<u64>),
    /// A float.
    Float(f64),
}

/// A number literal: decimal, hex (`0x1F`) or octal (`0o17`) integers, and
/// floats (`1.5`, `.5`, `1e3`, `1.5e-3`). Returns the number and its raw text.
///
/// ```text
/// number ::= '0x' HEX+ | '0o' OCT+ | DIGIT+ ( '.' DIGIT+ )? EXP? | '.' DIGIT+ EXP?
/// EXP    ::= [eE] [+-]? DIGIT+
/// ```
///
/// A number running into letters (`12a`, `0x1G`, `1e`) is an
/// `InvalidNumberLiteral`, and a float beyond `f64` a `FloatingPointOverflow`.
pub(crate) fn number(i: &str) -> PResult<'_, (Number, &str)> {
    let (i, ()) = ws(i)?;
    let bytes = i.as_bytes();
    let starts_fraction = bytes.first() == Some(&b'.') && bytes.get(1).is_some_and(u8::is_ascii_digit);
    if !bytes.first().is_some_and(u8::is_ascii_digit) && !starts_fraction {
        return soft(i);
    }
    // The whole alphanumeric run is the token for error spans (`0x1G2`, `12abc`).
    let word_len =
        |from: usize| from + i[from..].find(|c: char| !is_ident_continue(c)).unwrap_or(i.len() - from);
    let invalid = |len: usize| {
        Err(Err::Failure(PError::invalid(
            i,
            len,
            INVALID_NUMBER_LITERAL,
            format!("invalid number literal '{}'", &i[..len]),
        )))
    };

    if bytes.len() >= 2 && bytes[0] == b'0' && matches!(bytes[1], b'x' | b'X' | b'o' | b'O') {
        let radix = if bytes[1].eq_ignore_ascii_case(&b'x') { 16 } else { 8 };
        let end = word_len(2);
        let digits = &i[2..end];
        if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
            return invalid(end);
        }
        let value = u64::from_str_radix(digits, radix).ok();
        return Ok((&i[end..], (Number::Integer(value), &i[..end])));
    }

    let digits = |from: usize| from + bytes[from..].iter().take_while(|b| b.is_ascii_digit()).count();
    let int_end = digits(0);
    let mut end = int_end;
    let mut float = false;
    if bytes.get(end) == Some(&b'.') && bytes.get(end + 1).is_some_and(u8::is_ascii_digit) {
        end = digits(end + 1);
        float = true;
    }
    if matches!(bytes.get(end), Some(b'e' | b'E')) {
        let mut exp = end + 1;
        if matches!(bytes.get(exp), Some(b'+' | b'-')) {
            exp += 1;
        }
        if !bytes.get(exp).is_some_and(u8::is_ascii_digit) {
            return invalid(word_len(end));
        }
        end = digits(exp);
        float = true;
    }
    let rest = &i[end..];
    if rest.starts_with(is_ident_continue) {
        return invalid(word_len(end));
    }
    // `1.e`, `1.foo`: no property lookup on a number literal makes sense,
    // and this is what a mistyped float looks like.
    if let Some(after_dot) = rest.strip_prefix('.') {
        if after_dot.starts_with(is_ident_start) {
            return invalid(word_len(end + 1));
        }
    }
    let raw = &i[..end];
    if float {
        let value: f64 = raw.parse().map_err(|_| {
            Err::Failure(PError::invalid(i, end, INVALID_NUMBER_LITERAL, "invalid number literal"))
        })?;
        if value.is_infinite() {
            return Err(Err::Failure(PError::invalid(
                i,
                end,
                FLOATING_POINT_OVERFLOW,
                "float literal is too large for a 64-bit float",
            )));
        }
        return Ok((rest, (Number::Float(value), raw)));
    }
    if raw.len() > 1 && raw.starts_with('0') {
        return Err(Err::Failure(PError::invalid(
            i,
            end,
            INVALID_NUMBER_LITERAL,
            format!("invalid number literal '{raw}', write octal integers as 0o{}", &raw[1..]),
        )));
    }
    Ok((rest, (Number::Integer(raw.parse().ok()), raw)))
}

/// A string literal in single or double quotes with its escapes resolved.
/// Returns the string and its raw text.
///
/// ```text
/// string ::= "'" ( [^'\\] | ESCAPE )* "'" | '"' ( [^"\\] | ESCAPE )* '"'
/// ESCAPE ::= '\' ( '\' | "'" | '"' | [bfnrtBFNRT] | 'u' HEX{4} | 'U' HEX{8} )
/// ```
pub(crate) fn string(i: &str) -> PResult<'_, (String, &str)> {
    let (i, ()) = ws(i)?;
    let quote = match i.chars().next() {
        Some(q @ ('\'' | '"')) => q,
        _ => return soft(i),
    };
    let mut out = String::new();
    let mut chars = i.char_indices().skip(1);
    let mut pending_high: Option<(usize, u32)> = None;
    while let Some((at, c)) = chars.next() {
        if c == quote {
            if let Some((h, _)) = pending_high {
                return Err(lone_surrogate(i, h));
            }
            let end = at + 1;
            return Ok((&i[end..], (out, &i[..end])));
        }
        if c != '\\' {
            if let Some((h, _)) = pending_high {
                return Err(lone_surrogate(i, h));
            }
            out.push(c);
            continue;
        }
        let Some((_, e)) = chars.next() else { break };
        let mapped = match e {
            '\\' => '\\',
            '\'' => '\'',
            '"' => '"',
            'b' | 'B' => '\u{8}',
            'f' | 'F' => '\u{c}',
            'n' | 'N' => '\n',
            'r' | 'R' => '\r',
            't' | 'T' => '\t',
            'u' | 'U' => {
                let width = if e == 'u' { 4 } else { 8 };
                let hex = i.get(at + 2..at + 2 + width).filter(|h| h.chars().all(|c| c.is_ascii_hexdigit()));
                let code = hex.and_then(|h| u32::from_str_radix(h, 16).ok());
                let Some(code) = code else {
                    let len = 2 + i[at + 2..].chars().take(width).map(char::len_utf8).sum::<usize>();
                    return Err(Err::Failure(PError::invalid(
                        &i[at..],
                        len,
                        INVALID_UNICODE_LITERAL,
                        format!("invalid unicode escape, expected '\\{e}' and {width} hex digits"),
                    )));
                };
                for _ in 0..width {
                    chars.next();
                }
                match (pending_high.take(), code) {
                    (None, 0xD800..=0xDBFF) => {
                        pending_high = Some((at, code));
                        continue;
                    }
                    (Some((_, high)), 0xDC00..=0xDFFF) => {
                        let c = 0x10000 + ((high - 0xD800) << 10) + (code - 0xDC00);
                        out.push(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER));
                        continue;
                    }
                    (Some((h, _)), _) => return Err(lone_surrogate(i, h)),
                    (None, _) => match char::from_u32(code) {
                        Some(c) => c,
                        None => {
                            return Err(Err::Failure(PError::invalid(
                                &i[at..],
                                2 + width,
                                INVALID_UNICODE_LITERAL,
                                "invalid unicode escape, not a unicode scalar value",
                            )))
                        }
                    },
                }
            }
            other => {
                return Err(Err::Failure(PError::invalid(
                    &i[at..],
                    1 + other.len_utf8(),
                    UNEXPECTED_SYNTAX,
                    format!("invalid escape sequence '\\{other}'"),
                )))
            }
        };
        if let Some((h, _)) = pending_high {
            return Err(lone_surrogate(i, h));
        }
        out.push(mapped);
    }
    Err(Err::Failure(PError::invalid(
        i,
        1,
        UNEXPECTED_SYNTAX,
        format!("unterminated string literal, expected a closing {quote}"),
    )))
}

fn lone_surrogate(i: &str, at: usize) -> Err<PError<'_>> {
    Err::Failure(PError::invalid(
        &i[at..],
        6,
        INVALID_UNICODE_LITERAL,
        "invalid unicode escape, a high surrogate must be followed by a low one",
    ))
}

/// Length of the token at the start of `i` (already past whitespace), for
/// error spans: a word, a quoted string, or one character.
pub(crate) fn token_len(i: &str) -> usize {
    let Some(c) = i.chars().next() else { return 0 };
    if is_ident_continue(c) {
        return i.find(|c: char| !is_ident_continue(c)).unwrap_or(i.len());
    }
    if matches!(c, '\'' | '"' | '`') {
        // Up to the closing quote, or just the quote when it is never closed.
        return i[1..].find(c).map_or(1, |n| n + 2);
    }
    c.len_utf8()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rest_and<T>(r: PResult<'_, T>) -> (&str, T) {
        r.unwrap_or_else(|e| panic!("unexpected error {e:?}"))
    }

    fn failure(r: PResult<'_, impl std::fmt::Debug>) -> PError<'_> {
        match r {
            Err(Err::Failure(e)) => e,
            other => panic!("expected a committed failure, got {other:?}"),
        }
    }

    #[test]
    fn ws_skips_blanks_and_comments() {
        assert_eq!(rest_and(ws("  \n\t x")).0, "x");
        assert_eq!(rest_and(ws("// line\n  /* block\n */ x")).0, "x");
        assert_eq!(rest_and(ws("/**/x")).0, "x");
        assert_eq!(rest_and(ws("// to the end")).0, "");
        // The rest is the end of the input itself, not some other empty
        // string: the parser measures positions as offsets into the input.
        let input = "x // to the end";
        let rest = ws(&input[1..]).unwrap().0;
        assert_eq!(rest.as_ptr() as usize, input.as_ptr() as usize + input.len());
        assert_eq!(rest_and(ws("x // later")).0, "x // later");
    }

    #[test]
    fn ws_unterminated_comment() {
        let e = failure(ws("  /* never closed"));
        assert_eq!(e.message.as_deref(), Some("unterminated comment, expected '*/'"));
        assert_eq!(e.input, "/* never closed");
    }

    #[test]
    fn keyword_ignores_case_and_needs_a_boundary() {
        assert_eq!(rest_and(keyword("MATCH")(" match (n)")), (" (n)", "match"));
        assert_eq!(rest_and(keyword("OR")("Or x")).1, "Or");
        assert!(keyword("OR")("ORDER BY").is_err());
        assert!(keyword("IN")("index").is_err());
        assert_eq!(rest_and(keyword("IN")("IN[1]")).0, "[1]");
        assert!(keyword("AS")("as_").is_err());
    }

    #[test]
    fn names_plain_and_backquoted() {
        let (rest, n) = rest_and(name(" abc_1 x"));
        assert_eq!((rest, n.name.as_str(), n.raw, n.quoted), (" x", "abc_1", "abc_1", false));
        let (rest, n) = rest_and(name("`a b``c`."));
        assert_eq!((rest, n.name.as_str(), n.raw), (".", "a b`c", "`a b``c`"));
        assert_eq!(rest_and(name("名前")).1.name, "名前");
        assert!(name("1abc").is_err());
        assert_eq!(
            failure(name("`open")).message.as_deref(),
            Some("unterminated backquoted name, expected '`'")
        );
        // The TCK uses the empty name as a map key: `{``: 1}`.
        assert_eq!(rest_and(name("``:")), (":", Name { name: String::new(), raw: "``", quoted: true }));
    }

    #[test]
    fn variables_exclude_reserved_words_unless_quoted() {
        assert!(variable_name("WHERE").is_err());
        assert!(variable_name("null").is_err());
        assert_eq!(rest_and(variable_name("`where`")).1.name, "where");
        assert_eq!(rest_and(variable_name("whereabouts")).1.name, "whereabouts");
        assert_eq!(rest_and(variable_name("count")).1.name, "count");
    }

    fn num(text: &str) -> Number {
        let (rest, (n, raw)) = rest_and(number(text));
        assert_eq!(rest, "", "{text}");
        assert_eq!(raw, text);
        n
    }

    #[test]
    fn integers() {
        assert_eq!(num("0"), Number::Integer(Some(0)));
        assert_eq!(num("42"), Number::Integer(Some(42)));
        assert_eq!(num("9223372036854775808"), Number::Integer(Some(1 << 63)));
        assert_eq!(num("99999999999999999999"), Number::Integer(None));
        assert_eq!(num("0x1A2b"), Number::Integer(Some(0x1a2b)));
        assert_eq!(num("0X7FFFFFFFFFFFFFFF"), Number::Integer(Some(i64::MAX as u64)));
        assert_eq!(num("0o17"), Number::Integer(Some(0o17)));
        assert_eq!(num("0o1000000000000000000000"), Number::Integer(Some(1 << 63)));
    }

    #[test]
    fn floats() {
        assert_eq!(num("1.5"), Number::Float(1.5));
        assert_eq!(num(".5"), Number::Float(0.5));
        assert_eq!(num("1e3"), Number::Float(1000.0));
        assert_eq!(num("1E+3"), Number::Float(1000.0));
        assert_eq!(num("1.5e-3"), Number::Float(0.0015));
        assert_eq!(num(".1E-5"), Number::Float(0.1e-5));
        // `1..3` is a range, not a float.
        assert_eq!(rest_and(number("1..3")), ("..3", (Number::Integer(Some(1)), "1")));
    }

    #[test]
    fn malformed_numbers() {
        for (text, len) in [
            ("0x", 2),
            ("0x1A2b3j4D5E6f7", 15),
            ("9223372h54775808", 16),
            ("1e", 2),
            ("1.5e+", 4),
            ("12abc", 5),
        ] {
            let e = failure(number(text));
            assert_eq!((e.detail, e.len), (INVALID_NUMBER_LITERAL, Some(len)), "{text}");
        }
        let e = failure(number("1.e"));
        assert_eq!((e.detail, e.len), (INVALID_NUMBER_LITERAL, Some(3)));
        let e = failure(number("0123"));
        assert_eq!(
            e.message.as_deref(),
            Some("invalid number literal '0123', write octal integers as 0o123")
        );
        let e = failure(number("1.34E999"));
        assert_eq!((e.detail, e.len), (FLOATING_POINT_OVERFLOW, Some(8)));
        // `9223372#54775808` is a number followed by junk, for the caller to reject.
        assert_eq!(rest_and(number("9223372#5")).0, "#5");
    }

    fn string_value(text: &str) -> String {
        let (rest, (s, raw)) = rest_and(string(text));
        assert_eq!((rest, raw), ("", text));
        s
    }

    #[test]
    fn strings_and_escapes() {
        assert_eq!(string_value("''"), "");
        assert_eq!(string_value("'it\\'s'"), "it's");
        assert_eq!(string_value("\"say \\\"hi\\\"\""), "say \"hi\"");
        assert_eq!(string_value("'a\"b'"), "a\"b");
        assert_eq!(string_value(r"'\\ \n\t\r\b\f\N'"), "\\ \n\t\r\u{8}\u{c}\n");
        assert_eq!(string_value(r"'\u01FF'"), "\u{1FF}");
        assert_eq!(string_value(r"'\U0001F9D0'"), "🧐");
        assert_eq!(string_value(r"'\uD83E\uDDD0'"), "🧐");
        assert_eq!(string_value("'🧐🍌❖⋙⚐'"), "🧐🍌❖⋙⚐");
    }

    #[test]
    fn malformed_strings() {
        let e = failure(string(r"'\uH'"));
        assert_eq!((e.detail, e.input, e.len), (INVALID_UNICODE_LITERAL, r"\uH'", Some(4)));
        let e = failure(string(r"'\q'"));
        assert_eq!(e.message.as_deref(), Some("invalid escape sequence '\\q'"));
        let e = failure(string("'open"));
        assert_eq!(e.message.as_deref(), Some("unterminated string literal, expected a closing '"));
        let e = failure(string(r"'\uD83E'"));
        assert_eq!(e.detail, INVALID_UNICODE_LITERAL);
    }

    #[test]
    fn token_lengths() {
        assert_eq!(token_len("RETURN p"), 6);
        assert_eq!(token_len("'a b' x"), 5);
        assert_eq!(token_len("—41"), "—".len());
        assert_eq!(token_len(""), 0);
    }
}

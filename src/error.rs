//! Errors: one public [`Error`] fed by the stage errors ([`LoadError`] for
//! data, [`QueryError`] for queries), and the caret renderer for query text.

use std::fmt;

/// A byte range into a query text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (byte offsets).
    pub const fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// Line and column (both 1-based, column counted in characters) of the
    /// span's start within `text`.
    pub fn line_col(&self, text: &str) -> (usize, usize) {
        let start = self.start.min(text.len());
        let before = &text[..floor_char_boundary(text, start)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        (line, col)
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The error type of every fallible public function in aikg.
///
/// `Display` says what went wrong for a person to read: a query error whose
/// text is known draws the offending line with a caret under the place
/// (see [`QueryError::render`]), a load error lists every problem, one a
/// line. `Debug` prints the same text, so that a `main` returning
/// `Result<(), aikg::Error>` reports a readable error; `{:#?}` shows the
/// structure instead.
///
/// ```
/// let err = aikg::Graph::builtin().query("MATCH (m:Model RETURN m").unwrap_err();
/// assert_eq!(
///     format!("{err:?}"),
///     "query error at line 1, column 16:\n    MATCH (m:Model RETURN m\n                   ^^^^^^\nerror: expected ')' to close node pattern"
/// );
/// ```
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Graph data (a graph-data folder or bulk CSV files) failed to load.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// A query failed to parse, check or run.
    #[error("{}", .0.render_or_message())]
    Query(#[from] QueryError),
    /// Reading a file or folder failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A typed column getter found no value of the asked type (see
    /// [`Row::try_get`](crate::Row::try_get)).
    #[error(transparent)]
    Get(#[from] GetError),
    /// A lookup by name or id found nothing.
    #[error("no node named '{name}'{}", did_you_mean(suggestions))]
    NotFound {
        /// What was looked up.
        name: String,
        /// Close matches, best first.
        suggestions: Vec<String>,
    },
    /// A label that no node of the graph carries and its schema does not
    /// declare, given to the typed API (see [`Graph::label`](crate::Graph::label)).
    #[error("unknown label '{name}'{}", did_you_mean(suggestions))]
    UnknownLabel {
        /// The label as given.
        name: String,
        /// Close known labels, best first.
        suggestions: Vec<String>,
    },
    /// A relationship type that no relationship of the graph has and its
    /// schema does not declare, given to the typed API (see
    /// [`Graph::rel_type`](crate::Graph::rel_type)).
    #[error("unknown relationship type '{name}'{}", did_you_mean(suggestions))]
    UnknownRelType {
        /// The type as given.
        name: String,
        /// Close known types, best first.
        suggestions: Vec<String>,
    },
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !f.alternate() {
            return fmt::Display::fmt(self, f);
        }
        match self {
            Error::Load(e) => f.debug_tuple("Load").field(e).finish(),
            Error::Query(e) => f.debug_tuple("Query").field(e).finish(),
            Error::Io { path, source } => {
                f.debug_struct("Io").field("path", path).field("source", source).finish()
            }
            Error::Get(e) => f.debug_tuple("Get").field(e).finish(),
            Error::NotFound { name, suggestions } => {
                f.debug_struct("NotFound").field("name", name).field("suggestions", suggestions).finish()
            }
            Error::UnknownLabel { name, suggestions } => {
                f.debug_struct("UnknownLabel").field("name", name).field("suggestions", suggestions).finish()
            }
            Error::UnknownRelType { name, suggestions } => f
                .debug_struct("UnknownRelType")
                .field("name", name)
                .field("suggestions", suggestions)
                .finish(),
        }
    }
}

impl Error {
    /// The query error inside, if this is one.
    pub fn as_query(&self) -> Option<&QueryError> {
        match self {
            Error::Query(q) => Some(q),
            _ => None,
        }
    }

    /// The load error inside, if this is one.
    pub fn as_load(&self) -> Option<&LoadError> {
        match self {
            Error::Load(l) => Some(l),
            _ => None,
        }
    }
}

/// Why [`Row::try_get`](crate::Row::try_get) (or
/// [`RowRef::try_get`](crate::RowRef::try_get)) found no value of the asked
/// type in a column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GetError {
    /// The result has no column of that name.
    #[error("no column '{column}'{}", did_you_mean(suggestions))]
    MissingColumn {
        /// The column asked for.
        column: String,
        /// Close column names, best first.
        suggestions: Vec<String>,
    },
    /// The column is null in this row.
    #[error("column '{column}' is null")]
    Null {
        /// The column asked for.
        column: String,
    },
    /// The column holds a value of another type.
    #[error("column '{column}' holds {found}, not {expected}")]
    WrongType {
        /// The column asked for.
        column: String,
        /// The type asked for, in openCypher's names (`Integer`, `String`, ...).
        expected: &'static str,
        /// The type of the value found ([`Value::type_name`](crate::Value::type_name)).
        found: &'static str,
    },
}

/// Formats `; did you mean 'a' or 'b'?` (or nothing when there are no suggestions).
pub(crate) fn did_you_mean(suggestions: &[String]) -> String {
    match suggestions {
        [] => String::new(),
        [one] => format!("; did you mean '{one}'?"),
        many => {
            let quoted: Vec<String> = many.iter().map(|s| format!("'{s}'")).collect();
            let (last, rest) = quoted.split_last().expect("many is not empty");
            format!("; did you mean {} or {last}?", rest.join(", "))
        }
    }
}

/// Where in the input a data problem is: a file and a 1-based line (for CSV,
/// the 1-based row counting the header as row 1).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// File name as given (relative to the graph-data folder where possible).
    pub file: String,
    /// 1-based line; 0 when the problem concerns the whole file.
    pub line: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.file)
        } else {
            write!(f, "{}:{}", self.file, self.line)
        }
    }
}

/// One problem found in graph data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataError {
    /// Where it is.
    pub location: Location,
    /// What kind of problem.
    pub kind: DataErrorKind,
    /// What is wrong, lowercase, without the location.
    pub message: String,
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// The kinds of data problems, so callers and tests can tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DataErrorKind {
    /// A line or row that is not well-formed (bad JSON, wrong column count, bad encoding).
    Malformed,
    /// Two nodes share an id.
    DuplicateId,
    /// A relation names a node that does not exist.
    UnknownNode,
    /// A label or relation type the schema does not know.
    UnknownName,
    /// A relation whose endpoint labels the schema forbids.
    ForbiddenEndpoint,
    /// A required property is missing.
    MissingProperty,
    /// A property has the wrong type or an invalid value.
    InvalidProperty,
    /// A property the schema does not know.
    UnknownProperty,
}

/// Every problem found while loading graph data; loading stops with all of
/// them and never returns a partial graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The problems, in file and line order.
    pub errors: Vec<DataError>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.errors.len();
        write!(f, "graph data has {n} error{}", if n == 1 { "" } else { "s" })?;
        for e in &self.errors {
            write!(f, "\n{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

/// The phase a query error belongs to, as the openCypher TCK names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Found before execution (syntax and semantic checks).
    CompileTime,
    /// Found while running.
    Runtime,
}

/// The openCypher error classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorClass {
    /// The text is not a valid query (including semantic checks).
    SyntaxError,
    /// The query is valid but asks for what cannot be done (`MERGE` on a
    /// null property).
    SemanticError,
    /// A write would leave the graph inconsistent (deleting a node that
    /// still has relationships).
    ConstraintVerificationFailed,
    /// The query read a node or relationship it had deleted.
    EntityNotFound,
    /// A value had the wrong type.
    TypeError,
    /// A function argument had an invalid value.
    ArgumentError,
    /// A parameter was missing.
    ParameterMissing,
    /// The query went over one of its budgets or was cancelled.
    LimitExceeded,
    /// A procedure is unknown, called wrongly, or failed.
    ProcedureError,
    /// The query uses something aikg does not support.
    Unsupported,
}

impl ErrorClass {
    /// The name as the TCK writes it (`SyntaxError`, `TypeError`, ...).
    pub fn as_str(&self) -> &'static str {
        match self {
            ErrorClass::SyntaxError => "SyntaxError",
            ErrorClass::SemanticError => "SemanticError",
            ErrorClass::ConstraintVerificationFailed => "ConstraintVerificationFailed",
            ErrorClass::EntityNotFound => "EntityNotFound",
            ErrorClass::TypeError => "TypeError",
            ErrorClass::ArgumentError => "ArgumentError",
            ErrorClass::ParameterMissing => "ParameterMissing",
            ErrorClass::LimitExceeded => "LimitExceeded",
            ErrorClass::ProcedureError => "ProcedureError",
            ErrorClass::Unsupported => "Unsupported",
        }
    }
}

/// An error in a query: where it is, what class and detail code it has (the
/// TCK's names, e.g. `SyntaxError` / `UndefinedVariable`), and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryError {
    /// The error class.
    pub class: ErrorClass,
    /// The detail code, e.g. `UndefinedVariable`, `InvalidArgumentType`.
    pub detail: &'static str,
    /// Compile time or runtime.
    pub phase: Phase,
    /// What went wrong, lowercase, no trailing period.
    pub message: String,
    /// Where in the query text, when known.
    pub span: Option<Span>,
    /// The query text, kept so the error can render its caret on its own.
    pub query: Option<std::sync::Arc<str>>,
}

impl QueryError {
    /// A compile-time error.
    pub(crate) fn compile(
        class: ErrorClass,
        detail: &'static str,
        message: impl Into<String>,
        span: Option<Span>,
    ) -> QueryError {
        QueryError { class, detail, phase: Phase::CompileTime, message: message.into(), span, query: None }
    }

    /// A runtime error.
    pub(crate) fn runtime(
        class: ErrorClass,
        detail: &'static str,
        message: impl Into<String>,
        span: Option<Span>,
    ) -> QueryError {
        QueryError { class, detail, phase: Phase::Runtime, message: message.into(), span, query: None }
    }

    /// Attaches the query text for rendering, unless one is already attached.
    pub fn with_query(mut self, text: &str) -> QueryError {
        if self.query.is_none() {
            self.query = Some(text.into());
        }
        self
    }

    /// 1-based line and column of the error in the query text, if known.
    pub fn line_col(&self) -> Option<(usize, usize)> {
        Some(self.span?.line_col(self.query.as_deref()?))
    }

    /// Renders the error with the offending line and a caret under the span:
    ///
    /// ```text
    /// query error at line 1, column 17:
    ///     MATCH (p:Person RETURN p
    ///                     ^^^^^^
    /// error: expected ')' to close node pattern
    /// ```
    pub fn render(&self) -> String {
        self.caret().unwrap_or_else(|| format!("error: {}", self.message))
    }

    /// The caret drawing, when the error has a place in a known text.
    fn caret(&self) -> Option<String> {
        Some(render_caret(self.query.as_deref()?, self.span?, &self.message))
    }

    /// What [`Error`]'s `Display` shows: the caret drawing, else the message.
    fn render_or_message(&self) -> String {
        self.caret().unwrap_or_else(|| self.message.clone())
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line_col() {
            Some((line, col)) => write!(f, "{} at line {line}, column {col}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for QueryError {}

/// Draws the line of `text` holding `span.start`, with carets under the span
/// (clipped to that line; at least one caret, even for an empty span or the
/// end of input).
pub(crate) fn render_caret(text: &str, span: Span, message: &str) -> String {
    let (line_no, col) = span.line_col(text);
    let line = text.lines().nth(line_no - 1).unwrap_or("");
    let start = floor_char_boundary(text, span.start.min(text.len()));
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = line_start + line.len();
    let end = floor_char_boundary(text, span.end.clamp(start, line_end.max(start)));
    let width = display_width(&text[start..end]).max(1);
    let pad = display_width(&text[line_start..start]);
    format!(
        "query error at line {line_no}, column {col}:\n    {line}\n    {}{}\nerror: {message}",
        " ".repeat(pad),
        "^".repeat(width)
    )
}

/// Terminal columns taken by `s`: wide (CJK, full-width) characters count
/// two, as in the result tables; a tab counts four, as the caret line
/// indents it.
pub(crate) fn display_width(s: &str) -> usize {
    use unicode_width::UnicodeWidthChar;
    s.chars().map(|c| if c == '\t' { 4 } else { c.width().unwrap_or(0) }).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_under_span() {
        let q = "MATCH (p:Person RETURN p";
        let text = render_caret(q, Span::new(16, 22), "expected ')' to close node pattern");
        assert_eq!(
            text,
            "query error at line 1, column 17:\n    MATCH (p:Person RETURN p\n                    ^^^^^^\nerror: expected ')' to close node pattern"
        );
    }

    #[test]
    fn caret_on_second_line_and_wide_chars() {
        let q = "MATCH (n)\nWHERE n.name = '智谱' RETURN x";
        let at = q.find("x").unwrap();
        let text = render_caret(q, Span::new(at, at + 1), "variable `x` not defined");
        assert!(text.starts_with("query error at line 2, column 28:"), "{text}");
        let caret_line = text.lines().nth(2).unwrap();
        // 4 spaces of indent + 29 columns: 27 characters, two of them CJK
        // and two columns wide each.
        assert_eq!(caret_line, format!("{}^", " ".repeat(4 + 29)));
    }

    #[test]
    fn caret_at_end_of_input() {
        let q = "RETURN (";
        let text = render_caret(q, Span::new(8, 8), "unexpected end of input");
        assert!(text.contains("\n            ^\n"), "{text}");
    }

    #[test]
    fn did_you_mean_lists() {
        assert_eq!(did_you_mean(&[]), "");
        assert_eq!(did_you_mean(&["a".into()]), "; did you mean 'a'?");
        assert_eq!(did_you_mean(&["a".into(), "b".into(), "c".into()]), "; did you mean 'a', 'b' or 'c'?");
    }
}
